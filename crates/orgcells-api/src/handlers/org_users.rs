//! `/organizations/:id/users`: an Organization's people. GitLab offers these through GraphQL
//! (`organizationUserUpdate`, access levels `default` and `owner`); here they are REST, in
//! GitLab's REST shapes.

use axum::Json;
use axum::extract::{OriginalUri, State};
use axum::response::{IntoResponse, Response};
use orgcells_core::ids::UserId;
use orgcells_service::org_users::OrganizationUserInput;

use super::{created, id_ref, no_content};
use crate::AppState;
use crate::auth::Auth;
use crate::entities;
use crate::error::ApiResult;
use crate::pagination::{page_request, respond};
use crate::params::{Declared, PAGE, Params, Path, Rule, Type, optional, requires};
use crate::schema;

const ACCESS_LEVELS: &[&str] = &["default", "owner"];

/// `POST /organizations/:id/users`: the User by `user_id`, `username` or `email`, one of them.
const ORGANIZATION_USER_CREATE: &[Declared] = &[
    optional("user_id", Type::Integer),
    optional("username", Type::String),
    optional("email", Type::String),
    optional("access_level", Type::String).values(ACCESS_LEVELS),
];
const ORGANIZATION_USER_CREATE_RULES: &[Rule] = &[
    Rule::MutuallyExclusive(&["user_id", "username", "email"]),
    Rule::AtLeastOneOf(&["user_id", "username", "email"]),
];

/// `PUT /organizations/:id/users/:user_id`.
const ORGANIZATION_USER_UPDATE: &[Declared] =
    &[requires("access_level", Type::String).values(ACCESS_LEVELS)];

/// The Organization's Users: every one for an Owner, those of what they can see for a User.
#[utoipa::path(
    get,
    path = "/organizations/{id}/users",
    tag = "organizations",
    operation_id = "list_organization_users",
    params(schema::IdPath, schema::PageParams),
    responses((status = 200, description = "OK", body = Vec<entities::OrganizationUserEntity>)),
)]
pub async fn list_organization_users(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    OriginalUri(uri): OriginalUri,
    params: Params,
) -> ApiResult<Response> {
    params.validate(&[PAGE], &[])?;
    let page = page_request(&params, false)?;
    let listed = app
        .service
        .organization_users(&caller, &id_ref(&id), &page)
        .await?;
    let base = app.external_url.clone();
    Ok(respond(
        &base,
        &uri,
        &page,
        listed,
        |u| (String::new(), u.user.id.0),
        |u| entities::organization_user(&base, &u),
    ))
}

/// Add a User to the Organization (Owners and admins): by `user_id` or `username`, answered
/// with the Organization User; or by `email`, answered `{"status": "success"}` whether the
/// address has an account (its User is added) or not (it is invited, by mail, and joins when a
/// User with it is created).
#[utoipa::path(
    post,
    path = "/organizations/{id}/users",
    tag = "organizations",
    operation_id = "create_organization_user",
    params(schema::IdPath),
    request_body = schema::OrganizationUserBody,
    responses(
        (status = 201, description = "Created (by `email`: `{\"status\": \"success\"}`)", body = entities::OrganizationUserEntity),
        (status = 403, description = "Not an Owner, or the User is banned from the Organization"),
        (status = 409, description = "Already a User of the Organization"),
    ),
)]
pub async fn create_organization_user(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Response> {
    params.validate(&[ORGANIZATION_USER_CREATE], ORGANIZATION_USER_CREATE_RULES)?;
    if let Some(email) = params.text("email")? {
        app.service
            .invite_organization_user(
                &caller,
                &id_ref(&id),
                &email,
                params.text("access_level")?.as_deref(),
            )
            .await?;
        return Ok(created(serde_json::json!({"status": "success"})));
    }
    let input = OrganizationUserInput {
        user_id: params.int("user_id")?.map(UserId),
        username: params.text("username")?,
        access_level: params.text("access_level")?,
    };
    let out = app
        .service
        .add_organization_user(&caller, &id_ref(&id), &input)
        .await?;
    Ok(created(entities::organization_user(
        &app.external_url,
        &out,
    )))
}

/// Make an Organization User an Owner, or a User again (Owners and admins). The last active
/// Owner cannot be demoted.
#[utoipa::path(
    put,
    path = "/organizations/{id}/users/{user_id}",
    tag = "organizations",
    operation_id = "update_organization_user",
    params(schema::IdPath, schema::MemberPath),
    request_body = schema::OrganizationUserUpdateBody,
    responses(
        (status = 200, description = "OK", body = entities::OrganizationUserEntity),
        (status = 400, description = "The last Owner"),
    ),
)]
pub async fn update_organization_user(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path((id, user_id)): Path<(String, UserId)>,
    params: Params,
) -> ApiResult<Response> {
    params.validate(&[ORGANIZATION_USER_UPDATE], &[])?;
    let out = app
        .service
        .update_organization_user(
            &caller,
            &id_ref(&id),
            user_id,
            params.text("access_level")?.as_deref(),
        )
        .await?;
    Ok(Json(entities::organization_user(&app.external_url, &out)).into_response())
}

/// Remove a User from the Organization with every membership of theirs in it (Owners and
/// admins), or leave it (the User themselves). Not the last Owner, not a User's home
/// Organization.
#[utoipa::path(
    delete,
    path = "/organizations/{id}/users/{user_id}",
    tag = "organizations",
    operation_id = "delete_organization_user",
    params(schema::IdPath, schema::MemberPath),
    responses(
        (status = 204, description = "Done"),
        (status = 400, description = "The last Owner, or the User's home Organization"),
        (status = 409, description = "The sole Owner of a top-level Group there"),
    ),
)]
pub async fn delete_organization_user(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path((id, user_id)): Path<(String, UserId)>,
    _params: Params,
) -> ApiResult<Response> {
    app.service
        .remove_organization_user(&caller, &id_ref(&id), user_id)
        .await?;
    Ok(no_content())
}

/// Ban a User from the Organization (Owners and admins): the row stays, with no access to
/// anything in it, until unbanned.
#[utoipa::path(
    post,
    path = "/organizations/{id}/users/{user_id}/ban",
    tag = "organizations",
    operation_id = "ban_organization_user",
    params(schema::IdPath, schema::MemberPath),
    responses(
        (status = 201, description = "Banned", body = entities::OrganizationUserEntity),
        (status = 400, description = "The last Owner, or banned already"),
    ),
)]
pub async fn ban_organization_user(
    app: State<AppState>,
    caller: Auth,
    ids: Path<(String, UserId)>,
    _params: Params,
) -> ApiResult<Response> {
    set_ban(app, caller, ids, true).await
}

/// Lift a User's ban from the Organization (Owners and admins).
#[utoipa::path(
    post,
    path = "/organizations/{id}/users/{user_id}/unban",
    tag = "organizations",
    operation_id = "unban_organization_user",
    params(schema::IdPath, schema::MemberPath),
    responses(
        (status = 201, description = "Unbanned", body = entities::OrganizationUserEntity),
        (status = 400, description = "Not banned"),
    ),
)]
pub async fn unban_organization_user(
    app: State<AppState>,
    caller: Auth,
    ids: Path<(String, UserId)>,
    _params: Params,
) -> ApiResult<Response> {
    set_ban(app, caller, ids, false).await
}

/// Bans (`true`) or unbans a User: the two routes' one body.
async fn set_ban(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path((id, user_id)): Path<(String, UserId)>,
    ban: bool,
) -> ApiResult<Response> {
    let out = app
        .service
        .ban_organization_user(&caller, &id_ref(&id), user_id, ban)
        .await?;
    Ok(created(entities::organization_user(
        &app.external_url,
        &out,
    )))
}
