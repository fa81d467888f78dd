//! `/namespaces`.

use axum::Json;
use axum::extract::{OriginalUri, State};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::id_ref;
use crate::AppState;
use crate::auth::Auth;
use crate::entities;
use crate::error::ApiResult;
use crate::pagination::{page_request, respond};
use crate::params::{PAGE, Params, Path, Type, optional};
use crate::schema;

/// Namespaces the caller can see.
#[utoipa::path(
    get,
    path = "/namespaces",
    tag = "namespaces",
    operation_id = "list_namespaces",
    params(schema::SearchParams, schema::PageParams),
    responses((status = 200, description = "OK", body = Vec<entities::NamespaceBasic>)),
)]
pub async fn list_namespaces(
    State(app): State<AppState>,
    Auth(caller): Auth,
    OriginalUri(uri): OriginalUri,
    params: Params,
) -> ApiResult<Response> {
    params.validate(&[&[optional("search", Type::String)], PAGE], &[])?;
    let page = page_request(&params, false)?;
    let listed = app
        .service
        .list_namespaces(
            &caller,
            params.text("search")?.filter(|s| !s.is_empty()),
            &page,
        )
        .await?;
    let base = app.external_url.clone();
    Ok(respond(
        &base,
        &uri,
        &page,
        listed,
        |n| (String::new(), n.row.id.0),
        |n| entities::namespace(&base, n.row),
    ))
}

/// A namespace.
#[utoipa::path(
    get,
    path = "/namespaces/{id}",
    tag = "namespaces",
    operation_id = "get_namespace",
    params(schema::IdPath),
    responses((status = 200, description = "OK", body = entities::NamespaceBasic)),
)]
pub async fn get_namespace(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let out = app.service.get_namespace(&caller, &id_ref(&id)).await?;
    Ok(Json(entities::namespace(&app.external_url, out.row)).into_response())
}

/// Whether a namespace path is taken.
#[utoipa::path(
    get,
    path = "/namespaces/{id}/exists",
    tag = "namespaces",
    operation_id = "namespace_exists",
    params(schema::IdPath, schema::ExistsParams),
    responses((status = 200, description = "OK", body = schema::Exists)),
)]
pub async fn namespace_exists(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path(path): Path<String>,
    params: Params,
) -> ApiResult<Response> {
    params.validate(&[&[optional("parent_id", Type::Integer)]], &[])?;
    let answer = app
        .service
        .namespace_exists(&caller, &path, params.int("parent_id")?)
        .await?;
    Ok(Json(json!({"exists": answer.exists, "suggests": answer.suggests})).into_response())
}
