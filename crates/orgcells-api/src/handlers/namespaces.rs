//! `/namespaces`.

use axum::Json;
use axum::extract::{OriginalUri, Path, State};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::id_ref;
use crate::AppState;
use crate::auth::Auth;
use crate::entities;
use crate::error::ApiResult;
use crate::pagination::{page_request, respond};
use crate::params::Params;

pub async fn list_namespaces(
    State(app): State<AppState>,
    Auth(caller): Auth,
    OriginalUri(uri): OriginalUri,
    params: Params,
) -> ApiResult<Response> {
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
        |n| (String::new(), n.row.id),
        |n| entities::namespace(&base, &n.row),
    ))
}

pub async fn get_namespace(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let out = app.service.get_namespace(&caller, &id_ref(&id)).await?;
    Ok(Json(entities::namespace(&app.external_url, &out.row)).into_response())
}

pub async fn namespace_exists(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path(path): Path<String>,
    params: Params,
) -> ApiResult<Response> {
    let answer = app
        .service
        .namespace_exists(&caller, &path, params.int("parent_id")?)
        .await?;
    Ok(Json(json!({"exists": answer.exists, "suggests": answer.suggests})).into_response())
}
