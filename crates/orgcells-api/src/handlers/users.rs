//! `/user`, `/users` and personal access tokens.

use axum::Json;
use axum::extract::{OriginalUri, Path, State};
use axum::response::{IntoResponse, Response};
use orgcells_service::tokens::NewToken;
use orgcells_service::users::UserInput;
use orgcells_service::{Caller, ServiceError};
use orgcells_store::rows::UserRow;
use orgcells_store::users::UserFilter;

use super::{created, id_ref, no_content};
use crate::AppState;
use crate::auth::Auth;
use crate::entities::{self, UserView};
use crate::error::ApiResult;
use crate::pagination::{page_request, respond};
use crate::params::Params;

fn view_of(caller: &Caller, user: &UserRow) -> UserView {
    if caller.is_admin() {
        UserView::Admin
    } else if caller.id() == Some(user.id) {
        UserView::Own
    } else if caller.user.is_some() {
        UserView::Public
    } else {
        UserView::Basic
    }
}

/// A User as one caller sees them, with their personal namespace's id for admins.
async fn present_user(
    app: &AppState,
    user: &UserRow,
    view: UserView,
) -> ApiResult<entities::UserEntity> {
    let namespace = if view == UserView::Admin {
        app.service
            .personal_namespace_ids(&[user.id])
            .await?
            .get(&user.id)
            .copied()
    } else {
        None
    };
    Ok(entities::user(&app.external_url, user, view, namespace))
}

fn user_input(params: &Params) -> ApiResult<UserInput> {
    Ok(UserInput {
        username: params.text("username")?,
        email: params.text("email")?,
        name: params.text("name")?,
        password: params.text("password")?,
        admin: params.bool("admin")?,
        bot: None,
        state: None,
    })
}

fn token_input(params: &Params) -> ApiResult<NewToken> {
    Ok(NewToken {
        name: params.text("name")?,
        scopes: params.text_list("scopes")?,
        expires_at: params.text("expires_at")?,
        description: params.text("description")?,
    })
}

pub async fn get_current_user(
    State(app): State<AppState>,
    Auth(caller): Auth,
) -> ApiResult<Response> {
    let me = caller.user()?;
    Ok(Json(present_user(&app, me, view_of(&caller, me)).await?).into_response())
}

pub async fn list_users(
    State(app): State<AppState>,
    Auth(caller): Auth,
    OriginalUri(uri): OriginalUri,
    params: Params,
) -> ApiResult<Response> {
    let order_ok = matches!(params.text("order_by")?.as_deref(), None | Some("id"));
    let page = page_request(&params, order_ok)?;
    let state = if params.flag("blocked")? {
        Some("blocked".to_owned())
    } else if params.flag("active")? {
        Some("active".to_owned())
    } else {
        None
    };
    let filter = UserFilter {
        search: params.text("search")?,
        username: params.text("username")?,
        state,
        admins: params.bool("admins")?.filter(|a| *a),
        bots: None,
        ids: None,
        exclude: Vec::new(),
    };
    let listed = app
        .service
        .list_users(&caller, filter, &page, page.descending)
        .await?;
    let ids: Vec<i64> = listed.items.iter().map(|u| u.id).collect();
    let namespaces = if caller.is_admin() {
        app.service.personal_namespace_ids(&ids).await?
    } else {
        Default::default()
    };
    let base = app.external_url.clone();
    Ok(respond(
        &base,
        &uri,
        &page,
        listed,
        |u| (String::new(), u.id),
        |u| {
            let view = view_of(&caller, &u);
            entities::user(&base, &u, view, namespaces.get(&u.id).copied())
        },
    ))
}

pub async fn create_user(
    State(app): State<AppState>,
    Auth(caller): Auth,
    params: Params,
) -> ApiResult<Response> {
    let user = app
        .service
        .create_user(&caller, &user_input(&params)?)
        .await?;
    Ok(created(present_user(&app, &user, UserView::Admin).await?))
}

pub async fn get_user(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let user = app.service.get_user(&caller, &id_ref(&id)).await?;
    Ok(Json(present_user(&app, &user, view_of(&caller, &user)).await?).into_response())
}

pub async fn update_user(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<i64>,
    params: Params,
) -> ApiResult<Response> {
    let user = app
        .service
        .update_user(&caller, id, &user_input(&params)?)
        .await?;
    Ok(Json(present_user(&app, &user, UserView::Admin).await?).into_response())
}

pub async fn delete_user(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<i64>,
    params: Params,
) -> ApiResult<Response> {
    app.service
        .delete_user(&caller, id, params.flag("hard_delete")?)
        .await?;
    Ok(no_content())
}

pub async fn create_user_token(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<i64>,
    params: Params,
) -> ApiResult<Response> {
    let token = app
        .service
        .create_token_for(&caller, id, &token_input(&params)?)
        .await?;
    Ok(created(entities::created_token(&token)))
}

pub async fn create_own_token(
    State(app): State<AppState>,
    Auth(caller): Auth,
    params: Params,
) -> ApiResult<Response> {
    let token = app
        .service
        .create_own_token(&caller, &token_input(&params)?)
        .await?;
    Ok(created(entities::created_token(&token)))
}

pub async fn list_memberships(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<i64>,
    OriginalUri(uri): OriginalUri,
    params: Params,
) -> ApiResult<Response> {
    let kind = match params.text("type")?.as_deref() {
        None => None,
        Some("Project") => Some("project"),
        Some("Namespace") => Some("group"),
        Some(_) => return Err(ServiceError::invalid("type", "does not have a valid value").into()),
    };
    let page = page_request(&params, false)?;
    let rows = app.service.user_memberships(&caller, id, kind).await?;
    let total = rows.len() as i64;
    let items = rows
        .into_iter()
        .skip(page.offset() as usize)
        .take(page.per_page as usize)
        .collect();
    let listed = orgcells_service::Listed {
        items,
        total: Some(total),
    };
    Ok(respond(
        &app.external_url,
        &uri,
        &page,
        listed,
        |m| (String::new(), m.member.id),
        |m| entities::membership(&m),
    ))
}

pub async fn list_user_projects(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    OriginalUri(uri): OriginalUri,
    params: Params,
) -> ApiResult<Response> {
    let filter = super::projects::project_filter(&params)?;
    let page = page_request(&params, super::projects::keyset_allowed(&params)?)?;
    let listed = app
        .service
        .user_projects(&caller, &id_ref(&id), &filter, &page)
        .await?;
    Ok(super::projects::respond_projects(&app, &uri, &page, listed))
}
