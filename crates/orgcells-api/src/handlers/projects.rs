//! `/projects`: Projects, their transfers, shares and Groups.

use axum::Json;
use axum::extract::{OriginalUri, State};
use axum::response::{IntoResponse, Response};
use orgcells_core::ids::{NamespaceId, UserId};
use orgcells_service::projects::ProjectInput;

use super::lists::{keyset_allowed, project_filter, respond_projects};
use super::shares::share_input;
use super::{accepted, created, id_ref, no_content};
use crate::AppState;
use crate::auth::Auth;
use crate::entities;
use crate::error::ApiResult;
use crate::pagination::{page_request, respond};
use crate::params::{Declared, PAGE, Params, Path, Rule, Type, VISIBILITIES, optional, requires};
use crate::schema;

/// `POST /projects`: `name` or `path`, as GitLab's `at_least_one_of :name, :path`.
const PROJECT_CREATE: &[Declared] = &[
    optional("name", Type::String),
    optional("path", Type::String),
    optional("namespace_id", Type::Integer),
    optional("namespace", Type::Integer),
    optional("description", Type::String),
    optional("visibility", Type::String).values(VISIBILITIES),
];

/// `PUT /projects/:id` takes these, and at least one of them (GitLab's
/// `update_params_at_least_one_of`, in its order, of the ones this API knows).
const PROJECT_UPDATE: &[Declared] = &[
    optional("name", Type::String),
    optional("path", Type::String),
    optional("description", Type::String),
    optional("visibility", Type::String).values(VISIBILITIES),
];
const PROJECT_UPDATE_ONE_OF: &[&str] = &["description", "name", "path", "visibility"];

fn project_input(params: &Params) -> ApiResult<ProjectInput> {
    Ok(ProjectInput {
        name: params.text("name")?,
        path: params.text("path")?,
        namespace_id: params.id("namespace_id")?.or(params.id("namespace")?),
        visibility: params.text("visibility")?,
        description: params.text("description")?,
    })
}

/// Projects the caller can see.
#[utoipa::path(
    get,
    path = "/projects",
    tag = "projects",
    operation_id = "list_projects",
    params(schema::ProjectFilters, schema::PageParams, schema::KeysetParams),
    responses((status = 200, description = "OK", body = Vec<entities::Project>)),
)]
pub async fn list_projects(
    State(app): State<AppState>,
    Auth(caller): Auth,
    OriginalUri(uri): OriginalUri,
    params: Params,
) -> ApiResult<Response> {
    let filter = project_filter(&params, &[])?;
    let page = page_request(&params, keyset_allowed(&params)?)?;
    let listed = app.service.list_projects(&caller, &filter, &page).await?;
    Ok(respond_projects(&app, &uri, &page, listed))
}

/// The headers of `GET /projects` (`X-Total` and the rest), without the body.
#[utoipa::path(
    head,
    path = "/projects",
    tag = "projects",
    operation_id = "head_projects",
    params(schema::ProjectFilters, schema::PageParams, schema::KeysetParams),
    responses((status = 200, description = "OK")),
)]
pub async fn head_projects(
    app: State<AppState>,
    caller: Auth,
    uri: OriginalUri,
    params: Params,
) -> ApiResult<Response> {
    list_projects(app, caller, uri, params).await
}

/// Create a Project.
#[utoipa::path(
    post,
    path = "/projects",
    tag = "projects",
    operation_id = "create_project",
    request_body = schema::ProjectBody,
    responses((status = 201, description = "Created", body = entities::Project)),
)]
pub async fn create_project(
    State(app): State<AppState>,
    Auth(caller): Auth,
    params: Params,
) -> ApiResult<Response> {
    params.validate(&[PROJECT_CREATE], &[Rule::AtLeastOneOf(&["name", "path"])])?;
    let out = app
        .service
        .create_project(&caller, &project_input(&params)?, None)
        .await?;
    Ok(created(entities::project(&app.external_url, out)))
}

/// Create a Project for a User (admins).
#[utoipa::path(
    post,
    path = "/projects/user/{user_id}",
    tag = "projects",
    operation_id = "create_user_project",
    params(schema::OwnerPath),
    request_body = schema::ProjectBody,
    responses((status = 201, description = "Created", body = entities::Project)),
)]
pub async fn create_user_project(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path(user_id): Path<UserId>,
    params: Params,
) -> ApiResult<Response> {
    params.validate(&[PROJECT_CREATE], &[Rule::AtLeastOneOf(&["name", "path"])])?;
    let out = app
        .service
        .create_project(&caller, &project_input(&params)?, Some(user_id))
        .await?;
    Ok(created(entities::project(&app.external_url, out)))
}

/// A Project.
#[utoipa::path(
    get,
    path = "/projects/{id}",
    tag = "projects",
    operation_id = "get_project",
    params(schema::IdPath),
    responses((status = 200, description = "OK", body = entities::Project)),
)]
pub async fn get_project(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let out = app.service.get_project(&caller, &id_ref(&id)).await?;
    Ok(Json(entities::project(&app.external_url, out)).into_response())
}

/// Change a Project.
#[utoipa::path(
    put,
    path = "/projects/{id}",
    tag = "projects",
    operation_id = "update_project",
    params(schema::IdPath),
    request_body = schema::ProjectBody,
    responses((status = 200, description = "OK", body = entities::Project)),
)]
pub async fn update_project(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Response> {
    params.validate(
        &[PROJECT_UPDATE],
        &[Rule::AtLeastOneOf(PROJECT_UPDATE_ONE_OF)],
    )?;
    let out = app
        .service
        .update_project(&caller, &id_ref(&id), &project_input(&params)?)
        .await?;
    Ok(Json(entities::project(&app.external_url, out)).into_response())
}

/// Delete a Project.
#[utoipa::path(
    delete,
    path = "/projects/{id}",
    tag = "projects",
    operation_id = "delete_project",
    params(schema::IdPath),
    responses((status = 202, description = "Accepted", body = schema::Accepted)),
)]
pub async fn delete_project(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    // Read though unused: a body of a type not read is 415 here too, as Grape's.
    _params: Params,
) -> ApiResult<Response> {
    app.service.delete_project(&caller, &id_ref(&id)).await?;
    Ok(accepted())
}

/// Move a Project to another namespace.
#[utoipa::path(
    put,
    path = "/projects/{id}/transfer",
    tag = "projects",
    operation_id = "transfer_project",
    params(schema::IdPath),
    request_body = schema::ProjectTransferBody,
    responses((status = 200, description = "OK", body = entities::Project)),
)]
pub async fn transfer_project(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Response> {
    params.validate(&[&[requires("namespace", Type::String)]], &[])?;
    let namespace = params.text("namespace")?.unwrap_or_default();
    let out = app
        .service
        .transfer_project(&caller, &id_ref(&id), &id_ref(&namespace))
        .await?;
    Ok(Json(entities::project(&app.external_url, out)).into_response())
}

/// Share a Project with a Group.
#[utoipa::path(
    post,
    path = "/projects/{id}/share",
    tag = "projects",
    operation_id = "share_project",
    params(schema::IdPath),
    request_body = schema::ShareBody,
    responses((status = 201, description = "Created", body = entities::ProjectGroupLink)),
)]
pub async fn share_project(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Response> {
    let link = app
        .service
        .share_project(&caller, &id_ref(&id), &share_input(&params)?)
        .await?;
    Ok(created(entities::project_group_link(&link)))
}

/// Remove a Project's share.
#[utoipa::path(
    delete,
    path = "/projects/{id}/share/{group_id}",
    tag = "projects",
    operation_id = "unshare_project",
    params(schema::IdPath, schema::SharedGroupPath),
    responses((status = 204, description = "Done")),
)]
pub async fn unshare_project(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path((id, group_id)): Path<(String, i64)>,
    // Read though unused: a body of a type not read is 415 here too, as Grape's.
    _params: Params,
) -> ApiResult<Response> {
    app.service
        .unshare_project(&caller, &id_ref(&id), NamespaceId(group_id))
        .await?;
    Ok(no_content())
}

const PROJECT_GROUP_FILTERS: &[Declared] = &[
    optional("search", Type::String),
    optional("skip_groups", Type::Integers),
    optional("with_shared", Type::Boolean),
];

/// The Project's ancestor Groups (and shared Groups).
#[utoipa::path(
    get,
    path = "/projects/{id}/groups",
    tag = "projects",
    operation_id = "list_project_groups",
    params(schema::IdPath, schema::ProjectGroupFilters, schema::PageParams),
    responses((status = 200, description = "OK", body = Vec<entities::Group>)),
)]
pub async fn list_project_groups(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    OriginalUri(uri): OriginalUri,
    params: Params,
) -> ApiResult<Response> {
    params.validate(&[PROJECT_GROUP_FILTERS, PAGE], &[])?;
    let page = page_request(&params, false)?;
    let search = params.text("search")?;
    let mut groups = app
        .service
        .project_groups(
            &caller,
            &id_ref(&id),
            params.flag("with_shared")?,
            search.as_deref(),
        )
        .await?;
    let skip = params.int_list("skip_groups")?;
    groups.retain(|g| !skip.contains(&g.row.id.0));
    let total = groups.len() as i64;
    let items = groups
        .into_iter()
        .skip(page.offset() as usize)
        .take(page.per_page as usize)
        .collect();
    let base = app.external_url.clone();
    let listed = orgcells_service::Listed {
        items,
        total: Some(total),
    };
    Ok(respond(
        &base,
        &uri,
        &page,
        listed,
        |g| (String::new(), g.row.id.0),
        |g| entities::group(&base, g),
    ))
}
