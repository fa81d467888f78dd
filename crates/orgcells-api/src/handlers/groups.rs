//! `/groups`: Groups, subgroups, descendants, their Projects, transfers and shares.

use axum::Json;
use axum::extract::{OriginalUri, State};
use axum::response::{IntoResponse, Response};
use orgcells_core::ids::NamespaceId;
use orgcells_service::groups::GroupInput;

use super::lists::{
    group_filter, keyset_allowed, project_filter, respond_groups, respond_projects,
};
use super::shares::share_input;
use super::{accepted, created, id_ref, no_content};
use crate::AppState;
use crate::auth::Auth;
use crate::entities;
use crate::error::ApiResult;
use crate::pagination::page_request;
use crate::params::{Declared, Params, Path, Type, VISIBILITIES, optional, requires};
use crate::schema;

/// What `POST /groups` and `PUT /groups/:id` share: GitLab's `optional_params`.
const GROUP_OPTIONAL: &[Declared] = &[
    optional("description", Type::String),
    optional("visibility", Type::String).values(VISIBILITIES),
    optional("project_creation_level", Type::String).values(&[
        "noone",
        "owner",
        "maintainer",
        "developer",
        "administrator",
    ]),
    optional("subgroup_creation_level", Type::String).values(&["owner", "maintainer"]),
];

const GROUP_CREATE: &[Declared] = &[
    requires("name", Type::String),
    requires("path", Type::String),
    optional("parent_id", Type::Integer),
    optional("organization_id", Type::Integer),
];

/// GitLab's `PUT /groups/:id` has no `at_least_one_of`: an empty update answers the Group.
const GROUP_UPDATE: &[Declared] = &[
    optional("name", Type::String),
    optional("path", Type::String),
];

fn group_input(params: &Params) -> ApiResult<GroupInput> {
    Ok(GroupInput {
        name: params.text("name")?,
        path: params.text("path")?,
        parent_id: params.id("parent_id")?,
        visibility: params.text("visibility")?,
        description: params.text("description")?,
        organization_id: params.id("organization_id")?,
        project_creation_level: params.text("project_creation_level")?,
        subgroup_creation_level: params.text("subgroup_creation_level")?,
    })
}

/// Groups the caller can see.
#[utoipa::path(
    get,
    path = "/groups",
    tag = "groups",
    operation_id = "list_groups",
    params(schema::GroupFilters, schema::PageParams, schema::KeysetParams),
    responses((status = 200, description = "OK", body = Vec<entities::Group>)),
)]
pub async fn list_groups(
    State(app): State<AppState>,
    Auth(caller): Auth,
    OriginalUri(uri): OriginalUri,
    params: Params,
) -> ApiResult<Response> {
    let filter = group_filter(&params)?;
    let page = page_request(&params, true)?;
    let listed = app
        .service
        .list_groups(&caller, None, &filter, &page)
        .await?;
    Ok(respond_groups(&app, &uri, &page, &filter, listed))
}

/// A Group's direct subgroups.
#[utoipa::path(
    get,
    path = "/groups/{id}/subgroups",
    tag = "groups",
    operation_id = "list_subgroups",
    params(schema::IdPath, schema::GroupFilters, schema::PageParams, schema::KeysetParams),
    responses((status = 200, description = "OK", body = Vec<entities::Group>)),
)]
pub async fn list_subgroups(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    OriginalUri(uri): OriginalUri,
    params: Params,
) -> ApiResult<Response> {
    let filter = group_filter(&params)?;
    let page = page_request(&params, true)?;
    let listed = app
        .service
        .list_groups(&caller, Some((&id_ref(&id), false)), &filter, &page)
        .await?;
    Ok(respond_groups(&app, &uri, &page, &filter, listed))
}

/// Every subgroup below a Group.
#[utoipa::path(
    get,
    path = "/groups/{id}/descendant_groups",
    tag = "groups",
    operation_id = "list_descendant_groups",
    params(schema::IdPath, schema::GroupFilters, schema::PageParams, schema::KeysetParams),
    responses((status = 200, description = "OK", body = Vec<entities::Group>)),
)]
pub async fn list_descendant_groups(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    OriginalUri(uri): OriginalUri,
    params: Params,
) -> ApiResult<Response> {
    let filter = group_filter(&params)?;
    let page = page_request(&params, true)?;
    let listed = app
        .service
        .list_groups(&caller, Some((&id_ref(&id), true)), &filter, &page)
        .await?;
    Ok(respond_groups(&app, &uri, &page, &filter, listed))
}

/// Create a Group or subgroup.
#[utoipa::path(
    post,
    path = "/groups",
    tag = "groups",
    operation_id = "create_group",
    request_body = schema::GroupBody,
    responses((status = 201, description = "Created", body = entities::GroupDetailEntity)),
)]
pub async fn create_group(
    State(app): State<AppState>,
    Auth(caller): Auth,
    params: Params,
) -> ApiResult<Response> {
    params.validate(&[GROUP_CREATE, GROUP_OPTIONAL], &[])?;
    let detail = app
        .service
        .create_group(&caller, &group_input(&params)?)
        .await?;
    Ok(created(entities::group_detail(&app.external_url, detail)))
}

/// A Group.
#[utoipa::path(
    get,
    path = "/groups/{id}",
    tag = "groups",
    operation_id = "get_group",
    params(schema::IdPath),
    responses((status = 200, description = "OK", body = entities::GroupDetailEntity)),
)]
pub async fn get_group(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let detail = app.service.get_group(&caller, &id_ref(&id)).await?;
    Ok(Json(entities::group_detail(&app.external_url, detail)).into_response())
}

/// Change a Group.
#[utoipa::path(
    put,
    path = "/groups/{id}",
    tag = "groups",
    operation_id = "update_group",
    params(schema::IdPath),
    request_body = schema::GroupBody,
    responses((status = 200, description = "OK", body = entities::GroupDetailEntity)),
)]
pub async fn update_group(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Response> {
    params.validate(&[GROUP_UPDATE, GROUP_OPTIONAL], &[])?;
    let detail = app
        .service
        .update_group(&caller, &id_ref(&id), &group_input(&params)?)
        .await?;
    Ok(Json(entities::group_detail(&app.external_url, detail)).into_response())
}

/// Delete a Group with its subgroups and Projects.
#[utoipa::path(
    delete,
    path = "/groups/{id}",
    tag = "groups",
    operation_id = "delete_group",
    params(schema::IdPath),
    responses((status = 202, description = "Accepted", body = schema::Accepted)),
)]
pub async fn delete_group(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    // Read though unused: a body of a type not read is 415 here too, as Grape's.
    _params: Params,
) -> ApiResult<Response> {
    app.service.delete_group(&caller, &id_ref(&id)).await?;
    Ok(accepted())
}

/// Move a Group under another, or to the top level.
#[utoipa::path(
    post,
    path = "/groups/{id}/transfer",
    tag = "groups",
    operation_id = "transfer_group",
    params(schema::IdPath),
    request_body = schema::GroupTransferBody,
    responses((status = 201, description = "Created", body = entities::GroupDetailEntity)),
)]
pub async fn transfer_group(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Response> {
    params.validate(&[&[optional("group_id", Type::Integer)]], &[])?;
    let detail = app
        .service
        .transfer_group(&caller, &id_ref(&id), params.int("group_id")?)
        .await?;
    Ok(created(entities::group_detail(&app.external_url, detail)))
}

/// `include_subgroups` of a Group's Projects.
const SUBGROUPS: &[Declared] = &[optional("include_subgroups", Type::Boolean)];

/// Share a Group with another Group.
#[utoipa::path(
    post,
    path = "/groups/{id}/share",
    tag = "groups",
    operation_id = "share_group",
    params(schema::IdPath),
    request_body = schema::ShareBody,
    responses((status = 201, description = "Created", body = entities::GroupDetailEntity)),
)]
pub async fn share_group(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Response> {
    let detail = app
        .service
        .share_group(&caller, &id_ref(&id), &share_input(&params)?)
        .await?;
    Ok(created(entities::group_detail(&app.external_url, detail)))
}

/// Remove a Group's share.
#[utoipa::path(
    delete,
    path = "/groups/{id}/share/{group_id}",
    tag = "groups",
    operation_id = "unshare_group",
    params(schema::IdPath, schema::SharedGroupPath),
    responses((status = 204, description = "Done")),
)]
pub async fn unshare_group(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path((id, group_id)): Path<(String, i64)>,
    // Read though unused: a body of a type not read is 415 here too, as Grape's.
    _params: Params,
) -> ApiResult<Response> {
    app.service
        .unshare_group(&caller, &id_ref(&id), NamespaceId(group_id))
        .await?;
    Ok(no_content())
}

/// A Group's Projects.
#[utoipa::path(
    get,
    path = "/groups/{id}/projects",
    tag = "groups",
    operation_id = "list_group_projects",
    params(schema::IdPath, schema::SubgroupParams, schema::ProjectFilters, schema::PageParams, schema::KeysetParams),
    responses((status = 200, description = "OK", body = Vec<entities::Project>)),
)]
pub async fn list_group_projects(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    OriginalUri(uri): OriginalUri,
    params: Params,
) -> ApiResult<Response> {
    let filter = project_filter(&params, SUBGROUPS)?;
    let page = page_request(&params, keyset_allowed(&params)?)?;
    let listed = app
        .service
        .group_projects(
            &caller,
            &id_ref(&id),
            params.flag("include_subgroups")?,
            &filter,
            &page,
        )
        .await?;
    Ok(respond_projects(&app, &uri, &page, listed))
}

/// The Projects shared with a Group.
#[utoipa::path(
    get,
    path = "/groups/{id}/projects/shared",
    tag = "groups",
    operation_id = "list_group_shared_projects",
    params(schema::IdPath, schema::ProjectFilters, schema::PageParams, schema::KeysetParams),
    responses((status = 200, description = "OK", body = Vec<entities::Project>)),
)]
pub async fn list_group_shared_projects(
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
        .group_shared_projects(&caller, &id_ref(&id), &filter, &page)
        .await?;
    Ok(respond_projects(&app, &uri, &page, listed))
}
