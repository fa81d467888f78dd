//! Moving an Organization between Cells, for instance admins: `POST
//! /admin/organizations/:id/move` starts it (202), `GET` follows it, `POST .../move/resume` and
//! `.../move/rollback` go on with or give up one that failed.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use orgcells_core::ids::OrganizationId;
use orgcells_service::ServiceError;
use orgcells_service::moving::MoveOut;

use crate::AppState;
use crate::auth::Auth;
use crate::entities::{self, Timestamp};
use crate::error::ApiResult;
use crate::params::{Params, Type, requires};
use crate::schema;

fn shown(row: MoveOut) -> entities::OrganizationMove {
    entities::OrganizationMove {
        organization_id: row.organization_id,
        from_cell_id: row.from_cell_id,
        to_cell_id: row.to_cell_id,
        state: row.state,
        step: row.step,
        error: row.error,
        created_at: Timestamp(row.created_at),
        updated_at: Timestamp(row.updated_at),
    }
}

/// An Organization's numeric id: anything else names none.
fn organization(raw: &str) -> ApiResult<OrganizationId> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .map(OrganizationId)
        .ok_or(crate::error::ApiError(ServiceError::NotFound(
            "Organization",
        )))
}

/// Starts moving an Organization to another Cell of the cluster.
#[utoipa::path(
    post,
    path = "/admin/organizations/{id}/move",
    tag = "admin",
    operation_id = "move_organization",
    params(schema::OrganizationIdPath),
    request_body = schema::MoveBody,
    responses((status = 202, description = "Accepted: the move runs", body = entities::OrganizationMove)),
)]
pub async fn move_organization(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Response> {
    params.validate(&[&[requires("cell_id", Type::Integer)]], &[])?;
    let org = organization(&id)?;
    let to = params.int("cell_id")?.unwrap_or_default();
    let row = app.service.move_organization(&caller, org, to).await?;
    Ok((StatusCode::ACCEPTED, Json(shown(row))).into_response())
}

/// An Organization's latest move.
#[utoipa::path(
    get,
    path = "/admin/organizations/{id}/move",
    tag = "admin",
    operation_id = "get_organization_move",
    params(schema::OrganizationIdPath),
    responses((status = 200, description = "OK", body = entities::OrganizationMove)),
)]
pub async fn get_organization_move(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Response> {
    params.validate(&[], &[])?;
    let row = app
        .service
        .organization_move(&caller, organization(&id)?)
        .await?;
    Ok(Json(shown(row)).into_response())
}

/// Goes on with a move that failed, from where it stopped.
#[utoipa::path(
    post,
    path = "/admin/organizations/{id}/move/resume",
    tag = "admin",
    operation_id = "resume_organization_move",
    params(schema::OrganizationIdPath),
    responses((status = 202, description = "Accepted: the move runs again", body = entities::OrganizationMove)),
)]
pub async fn resume_organization_move(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Response> {
    params.validate(&[], &[])?;
    let row = app.service.resume_move(&caller, organization(&id)?).await?;
    Ok((StatusCode::ACCEPTED, Json(shown(row))).into_response())
}

/// Gives up a move that failed before its switch: the Organization stays where it was.
#[utoipa::path(
    post,
    path = "/admin/organizations/{id}/move/rollback",
    tag = "admin",
    operation_id = "roll_back_organization_move",
    params(schema::OrganizationIdPath),
    responses((status = 200, description = "Rolled back", body = entities::OrganizationMove)),
)]
pub async fn roll_back_organization_move(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Response> {
    params.validate(&[], &[])?;
    let row = app
        .service
        .roll_back_move(&caller, organization(&id)?)
        .await?;
    Ok(Json(shown(row)).into_response())
}
