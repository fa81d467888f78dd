//! `GET /admin/cells`: the Cells of the cluster, for instance admins.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::auth::Auth;
use crate::entities;
use crate::error::ApiResult;
use crate::params::Params;

/// The Cells of the cluster: each with its address, health and how many Organizations it holds.
#[utoipa::path(
    get,
    path = "/admin/cells",
    tag = "admin",
    operation_id = "list_cells",
    responses((status = 200, description = "OK", body = Vec<entities::Cell>)),
)]
pub async fn list_cells(
    State(app): State<AppState>,
    Auth(caller): Auth,
    params: Params,
) -> ApiResult<Response> {
    params.validate(&[], &[])?;
    let cells = app.service.cells(&caller, &app.external_url).await?;
    let shown: Vec<entities::Cell> = cells
        .into_iter()
        .map(|cell| entities::Cell {
            id: cell.id,
            name: cell.name,
            address: cell.address,
            healthy: cell.healthy,
            organizations_count: cell.organizations_count,
        })
        .collect();
    Ok(Json(shown).into_response())
}
