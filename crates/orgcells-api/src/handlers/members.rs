//! `/groups/:id/members` and `/projects/:id/members`, direct and `all`.

use axum::Json;
use axum::extract::{OriginalUri, Path, State};
use axum::response::{IntoResponse, Response};
use orgcells_service::Ref;
use orgcells_service::members::{MemberInput, MemberSource};

use super::{created, id_ref, no_content};
use crate::AppState;
use crate::auth::Auth;
use crate::entities;
use crate::error::ApiResult;
use crate::pagination::{page_request, respond};
use crate::params::Params;

/// Which resource's members a route serves.
pub trait Kind {
    fn source(id: Ref) -> MemberSource;
}

pub struct Groups;
pub struct Projects;

impl Kind for Groups {
    fn source(id: Ref) -> MemberSource {
        MemberSource::Group(id)
    }
}

impl Kind for Projects {
    fn source(id: Ref) -> MemberSource {
        MemberSource::Project(id)
    }
}

fn member_input(params: &Params) -> ApiResult<MemberInput> {
    // `user_id` may also be a username, as GitLab accepts.
    let (user_id, username) = match params.text("user_id")? {
        Some(raw) => match raw.parse::<i64>() {
            Ok(id) => (Some(id), None),
            Err(_) => (None, Some(raw)),
        },
        None => (None, params.text("username")?),
    };
    Ok(MemberInput {
        user_id,
        username,
        access_level: params.int("access_level")?,
        expires_at: params.text("expires_at")?,
    })
}

async fn list<K: Kind>(
    app: AppState,
    caller: Auth,
    id: String,
    uri: axum::http::Uri,
    params: Params,
    all: bool,
) -> ApiResult<Response> {
    let page = page_request(&params, false)?;
    let user_ids = params.int_list("user_ids")?;
    let user_ids = (!user_ids.is_empty()).then_some(user_ids);
    let query = params.text("query")?;
    let listed = app
        .service
        .list_members(
            &caller.0,
            &K::source(id_ref(&id)),
            all,
            query.as_deref(),
            user_ids.as_deref(),
            &page,
        )
        .await?;
    let base = app.external_url.clone();
    Ok(respond(
        &base,
        &uri,
        &page,
        listed,
        |m| (String::new(), m.user.id),
        |m| entities::member(&base, &m),
    ))
}

pub async fn list_members<K: Kind>(
    State(app): State<AppState>,
    caller: Auth,
    Path(id): Path<String>,
    OriginalUri(uri): OriginalUri,
    params: Params,
) -> ApiResult<Response> {
    list::<K>(app, caller, id, uri, params, false).await
}

pub async fn list_all_members<K: Kind>(
    State(app): State<AppState>,
    caller: Auth,
    Path(id): Path<String>,
    OriginalUri(uri): OriginalUri,
    params: Params,
) -> ApiResult<Response> {
    list::<K>(app, caller, id, uri, params, true).await
}

pub async fn get_member<K: Kind>(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path((id, user_id)): Path<(String, i64)>,
) -> ApiResult<Response> {
    let out = app
        .service
        .get_member(&caller, &K::source(id_ref(&id)), user_id, false)
        .await?;
    Ok(Json(entities::member(&app.external_url, &out)).into_response())
}

pub async fn get_any_member<K: Kind>(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path((id, user_id)): Path<(String, i64)>,
) -> ApiResult<Response> {
    let out = app
        .service
        .get_member(&caller, &K::source(id_ref(&id)), user_id, true)
        .await?;
    Ok(Json(entities::member(&app.external_url, &out)).into_response())
}

pub async fn create_member<K: Kind>(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Response> {
    let out = app
        .service
        .add_member(&caller, &K::source(id_ref(&id)), &member_input(&params)?)
        .await?;
    Ok(created(entities::member(&app.external_url, &out)))
}

pub async fn update_member<K: Kind>(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path((id, user_id)): Path<(String, i64)>,
    params: Params,
) -> ApiResult<Response> {
    let out = app
        .service
        .update_member(
            &caller,
            &K::source(id_ref(&id)),
            user_id,
            &member_input(&params)?,
        )
        .await?;
    Ok(Json(entities::member(&app.external_url, &out)).into_response())
}

pub async fn delete_member<K: Kind>(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path((id, user_id)): Path<(String, i64)>,
) -> ApiResult<Response> {
    app.service
        .remove_member(&caller, &K::source(id_ref(&id)), user_id)
        .await?;
    Ok(no_content())
}
