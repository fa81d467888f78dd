//! `/user`, `/users` and personal access tokens.

use axum::Json;
use axum::extract::{OriginalUri, State};
use axum::response::{IntoResponse, Response};
use orgcells_core::ids::UserId;
use orgcells_core::lists::UserOrder;
use orgcells_core::policy;
use orgcells_core::states::UserState;
use orgcells_service::Caller;
use orgcells_service::rows::UserRow;
use orgcells_service::tokens::{NewToken, SCOPES, SELF_SERVICE_SCOPES};
use orgcells_service::users::UserInput;
use orgcells_service::users::UserQuery;

use super::lists::{keyset_allowed, project_filter, respond_projects};
use super::{created, id_ref, no_content};
use crate::AppState;
use crate::auth::Auth;
use crate::entities::{self, UserView};
use crate::error::ApiResult;
use crate::pagination::{page_request, respond};
use crate::params::{
    Declared, KEYSET, PAGE, Params, Path, Rule, SORTS, Step, Type, optional, requires,
};
use crate::schema;

fn view_of(caller: &Caller, user: &UserRow) -> UserView {
    policy::user_view(caller.id(), caller.is_admin(), user.id)
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

/// `POST /users`, in GitLab's order: its `at_least_one_of :password, :reset_password,
/// :force_random_password` is declared after `skip_confirmation`, and reported there.
const USER_CREATE: &[Step] = &[
    Step::Params(&[
        requires("email", Type::String),
        optional("password", Type::String),
        optional("reset_password", Type::Boolean),
        optional("skip_confirmation", Type::Boolean),
    ]),
    Step::Rule(Rule::AtLeastOneOf(&[
        "password",
        "reset_password",
        "force_random_password",
    ])),
    Step::Params(&[
        requires("name", Type::String),
        requires("username", Type::String),
        optional("force_random_password", Type::Boolean),
        optional("admin", Type::Boolean),
        optional("can_create_group", Type::Boolean),
        optional("external", Type::Boolean),
        optional("private_profile", Type::Boolean),
    ]),
];

/// `PUT /users/:id`: GitLab has no `at_least_one_of` here, so an empty update answers the User.
const USER_UPDATE: &[Declared] = &[
    optional("email", Type::String),
    optional("password", Type::String),
    optional("skip_reconfirmation", Type::Boolean),
    optional("name", Type::String),
    optional("username", Type::String),
    optional("admin", Type::Boolean),
    optional("can_create_group", Type::Boolean),
    optional("external", Type::Boolean),
    optional("private_profile", Type::Boolean),
];

/// The filters of `GET /users`, with GitLab's orders (`id` and newest first by default).
const USER_FILTERS: &[Declared] = &[
    optional("username", Type::String),
    optional("search", Type::String),
    optional("active", Type::Boolean),
    optional("blocked", Type::Boolean),
    optional("admins", Type::Boolean),
    optional("order_by", Type::String).values(&[
        "id",
        "name",
        "username",
        "created_at",
        "updated_at",
    ]),
    optional("sort", Type::String).values(SORTS),
];

fn user_input(params: &Params) -> ApiResult<UserInput> {
    Ok(UserInput {
        username: params.text("username")?,
        email: params.text("email")?,
        name: params.text("name")?,
        password: params.text("password")?,
        random_password: params.flag("reset_password")? || params.flag("force_random_password")?,
        admin: params.bool("admin")?,
        bot: None,
        state: None,
    })
}

/// A personal access token an admin creates for a User: GitLab's
/// `values: Gitlab::Auth.all_available_scopes` (of the ones this API knows).
const USER_TOKEN: &[Declared] = &[
    requires("name", Type::String),
    requires("scopes", Type::Strings).values(SCOPES),
    optional("expires_at", Type::String),
    optional("description", Type::String),
];

/// A User's own token: GitLab lets the API create `k8s_proxy` tokens only.
const OWN_TOKEN: &[Declared] = &[
    requires("name", Type::String),
    requires("scopes", Type::Strings).values(SELF_SERVICE_SCOPES),
    optional("description", Type::String),
    optional("expires_at", Type::String),
];

fn token_input(params: &Params, declared: &[Declared]) -> ApiResult<NewToken> {
    params.validate(&[declared], &[])?;
    Ok(NewToken {
        name: params.text("name")?,
        scopes: params.text_list("scopes")?,
        expires_at: params.text("expires_at")?,
        description: params.text("description")?,
    })
}

/// The caller.
#[utoipa::path(
    get,
    path = "/user",
    tag = "users",
    operation_id = "get_current_user",
    responses((status = 200, description = "OK", body = entities::UserEntity)),
)]
pub async fn get_current_user(
    State(app): State<AppState>,
    Auth(caller): Auth,
) -> ApiResult<Response> {
    let me = caller.user()?;
    let view = view_of(&caller, me);
    let namespace = caller.namespace_id.filter(|_| view == UserView::Admin);
    Ok(Json(entities::user(&app.external_url, me, view, namespace)).into_response())
}

/// Users.
#[utoipa::path(
    get,
    path = "/users",
    tag = "users",
    operation_id = "list_users",
    params(schema::UserFilters, schema::PageParams, schema::KeysetParams),
    responses((status = 200, description = "OK", body = Vec<entities::UserEntity>)),
)]
pub async fn list_users(
    State(app): State<AppState>,
    Auth(caller): Auth,
    OriginalUri(uri): OriginalUri,
    params: Params,
) -> ApiResult<Response> {
    params.validate(&[USER_FILTERS, PAGE, KEYSET], &[])?;
    // GitLab orders by id, newest first, unless told otherwise, and only admins may tell it
    // otherwise (it drops `order_by` and `sort` for others).
    let (order, descending) = if caller.is_admin() {
        (
            params
                .text("order_by")?
                .as_deref()
                .and_then(UserOrder::parse)
                .unwrap_or_default(),
            params.text("sort")?.as_deref() != Some("asc"),
        )
    } else {
        (UserOrder::Id, true)
    };
    let mut page = page_request(&params, order == UserOrder::Id)?;
    page.descending = descending;
    let state = if params.flag("blocked")? {
        Some(UserState::Blocked)
    } else if params.flag("active")? {
        Some(UserState::Active)
    } else {
        None
    };
    let query = UserQuery {
        search: params.text("search")?,
        username: params.text("username")?,
        state,
        admins: params.bool("admins")?.filter(|a| *a),
    };
    let listed = app
        .service
        .list_users(&caller, query, &page, order, descending)
        .await?;
    let base = app.external_url.clone();
    Ok(respond(
        &base,
        &uri,
        &page,
        listed,
        |u| (String::new(), u.row.id.0),
        |u| {
            let view = view_of(&caller, &u.row);
            entities::user(&base, &u.row, view, u.namespace_id)
        },
    ))
}

/// Create a User (admins).
#[utoipa::path(
    post,
    path = "/users",
    tag = "users",
    operation_id = "create_user",
    request_body = schema::UserBody,
    responses((status = 201, description = "Created", body = entities::UserEntity)),
)]
pub async fn create_user(
    State(app): State<AppState>,
    Auth(caller): Auth,
    params: Params,
) -> ApiResult<Response> {
    params.validate_in_order(USER_CREATE)?;
    let user = app
        .service
        .create_user(&caller, &user_input(&params)?)
        .await?;
    Ok(created(present_user(&app, &user, UserView::Admin).await?))
}

/// A User.
#[utoipa::path(
    get,
    path = "/users/{id}",
    tag = "users",
    operation_id = "get_user",
    params(schema::UserIdPath),
    responses((status = 200, description = "OK", body = entities::UserEntity)),
)]
pub async fn get_user(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let user = app.service.get_user(&caller, &id_ref(&id)).await?;
    Ok(Json(present_user(&app, &user, view_of(&caller, &user)).await?).into_response())
}

/// Change a User (admins).
#[utoipa::path(
    put,
    path = "/users/{id}",
    tag = "users",
    operation_id = "update_user",
    params(schema::UserIdPath),
    request_body = schema::UserBody,
    responses((status = 200, description = "OK", body = entities::UserEntity)),
)]
pub async fn update_user(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<UserId>,
    params: Params,
) -> ApiResult<Response> {
    params.validate(&[USER_UPDATE], &[])?;
    let user = app
        .service
        .update_user(&caller, id, &user_input(&params)?)
        .await?;
    Ok(Json(present_user(&app, &user, UserView::Admin).await?).into_response())
}

/// Delete a User (admins).
#[utoipa::path(
    delete,
    path = "/users/{id}",
    tag = "users",
    operation_id = "delete_user",
    params(schema::UserIdPath, schema::DeleteUserParams),
    responses((status = 204, description = "Done")),
)]
pub async fn delete_user(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<UserId>,
    params: Params,
) -> ApiResult<Response> {
    params.validate(&[&[optional("hard_delete", Type::Boolean)]], &[])?;
    app.service
        .delete_user(&caller, id, params.flag("hard_delete")?)
        .await?;
    Ok(no_content())
}

/// A personal access token for a User (admins), shown once.
#[utoipa::path(
    post,
    path = "/users/{id}/personal_access_tokens",
    tag = "users",
    operation_id = "create_user_token",
    params(schema::UserIdPath),
    request_body = schema::TokenBody,
    responses((status = 201, description = "Created", body = entities::Token)),
)]
pub async fn create_user_token(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<UserId>,
    params: Params,
) -> ApiResult<Response> {
    let token = app
        .service
        .create_token_for(&caller, id, &token_input(&params, USER_TOKEN)?)
        .await?;
    Ok(created(entities::created_token(&token)))
}

/// A personal access token for the caller, shown once.
#[utoipa::path(
    post,
    path = "/user/personal_access_tokens",
    tag = "users",
    operation_id = "create_own_token",
    request_body = schema::TokenBody,
    responses((status = 201, description = "Created", body = entities::Token)),
)]
pub async fn create_own_token(
    State(app): State<AppState>,
    Auth(caller): Auth,
    params: Params,
) -> ApiResult<Response> {
    let token = app
        .service
        .create_own_token(&caller, &token_input(&params, OWN_TOKEN)?)
        .await?;
    Ok(created(entities::created_token(&token)))
}

/// A User's direct memberships (admins).
#[utoipa::path(
    get,
    path = "/users/{id}/memberships",
    tag = "users",
    operation_id = "list_memberships",
    params(schema::UserIdPath, schema::MembershipFilters, schema::PageParams),
    responses((status = 200, description = "OK", body = Vec<entities::MembershipEntity>)),
)]
pub async fn list_memberships(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<UserId>,
    OriginalUri(uri): OriginalUri,
    params: Params,
) -> ApiResult<Response> {
    params.validate(
        &[
            &[optional("type", Type::String).values(&["Project", "Namespace"])],
            PAGE,
        ],
        &[],
    )?;
    let kind = match params.text("type")?.as_deref() {
        Some("Project") => Some("project"),
        Some("Namespace") => Some("group"),
        _ => None,
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
        |m| (String::new(), m.member.id.0),
        |m| entities::membership(&m),
    ))
}

/// The Projects in a User's personal namespaces.
#[utoipa::path(
    get,
    path = "/users/{id}/projects",
    tag = "users",
    operation_id = "list_user_projects",
    params(schema::IdPath, schema::ProjectFilters, schema::PageParams, schema::KeysetParams),
    responses((status = 200, description = "OK", body = Vec<entities::Project>)),
)]
pub async fn list_user_projects(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    OriginalUri(uri): OriginalUri,
    params: Params,
) -> ApiResult<Response> {
    let filter = project_filter(&params, &[])?;
    let page = page_request(&params, keyset_allowed(&params)?)?;
    let listed = app
        .service
        .user_projects(&caller, &id_ref(&id), &filter, &page)
        .await?;
    Ok(respond_projects(&app, &uri, &page, listed))
}
