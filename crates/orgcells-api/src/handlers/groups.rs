//! `/groups`: Groups, subgroups, descendants, their Projects, transfers and shares.

use axum::Json;
use axum::extract::{OriginalUri, State};
use axum::response::{IntoResponse, Response};
use orgcells_core::access::AccessLevel;
use orgcells_service::ServiceError;
use orgcells_service::groups::{GroupFilter, GroupInput, GroupOut};
use orgcells_service::shares::ShareInput;

use super::{accepted, created, id_ref, no_content};
use crate::AppState;
use crate::auth::Auth;
use crate::entities;
use crate::error::ApiResult;
use crate::pagination::{page_request, respond};
use crate::params::{Params, Path};
use crate::schema;

fn group_input(params: &Params) -> ApiResult<GroupInput> {
    Ok(GroupInput {
        name: params.text("name")?,
        path: params.text("path")?,
        parent_id: params.int("parent_id")?,
        visibility: params.text("visibility")?,
        description: params.text("description")?,
        organization_id: params.int("organization_id")?,
        project_creation_level: params.text("project_creation_level")?,
        subgroup_creation_level: params.text("subgroup_creation_level")?,
    })
}

pub(crate) fn min_access_level(params: &Params) -> ApiResult<Option<AccessLevel>> {
    match params.int("min_access_level")? {
        None => Ok(None),
        Some(value) => match AccessLevel::for_member(value) {
            Some(level) => Ok(Some(level)),
            None => {
                Err(ServiceError::invalid("min_access_level", "does not have a valid value").into())
            }
        },
    }
}

pub(crate) fn group_filter(params: &Params) -> ApiResult<GroupFilter> {
    let order_by = params.text("order_by")?;
    if let Some(order) = &order_by
        && !matches!(order.as_str(), "name" | "path" | "id" | "similarity")
    {
        return Err(ServiceError::invalid("order_by", "does not have a valid value").into());
    }
    let sort = params.text("sort")?;
    if let Some(sort) = &sort
        && !matches!(sort.as_str(), "asc" | "desc")
    {
        return Err(ServiceError::invalid("sort", "does not have a valid value").into());
    }
    Ok(GroupFilter {
        search: params.text("search")?.filter(|s| !s.is_empty()),
        owned: params.flag("owned")?,
        min_access_level: min_access_level(params)?,
        top_level_only: params.flag("top_level_only")?,
        skip_groups: params.int_list("skip_groups")?,
        all_available: params.bool("all_available")?,
        order_by,
        descending: sort.as_deref() == Some("desc"),
        organization_id: params.int("organization_id")?,
    })
}

/// The keyset cursor of a Group in a list ordered by `order_by`.
pub(crate) fn group_key(order_by: Option<&str>) -> impl Fn(&GroupOut) -> (String, i64) + '_ {
    move |g| match order_by {
        Some("id") => (String::new(), g.row.id),
        Some("path") => (g.row.path.clone(), g.row.id),
        _ => (g.row.name.clone(), g.row.id),
    }
}

pub(crate) fn respond_groups(
    app: &AppState,
    uri: &axum::http::Uri,
    page: &orgcells_service::PageRequest,
    filter: &GroupFilter,
    listed: orgcells_service::Listed<GroupOut>,
) -> Response {
    let base = app.external_url.clone();
    respond(
        &base,
        uri,
        page,
        listed,
        group_key(filter.order_by.as_deref()),
        |g| entities::group(&base, g),
    )
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
    let detail = app
        .service
        .transfer_group(&caller, &id_ref(&id), params.int("group_id")?)
        .await?;
    Ok(created(entities::group_detail(&app.external_url, detail)))
}

pub(crate) fn share_input(params: &Params) -> ApiResult<ShareInput> {
    Ok(ShareInput {
        group_id: params.int("group_id")?,
        group_access: params.int("group_access")?,
        expires_at: params.text("expires_at")?,
    })
}

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
) -> ApiResult<Response> {
    app.service
        .unshare_group(&caller, &id_ref(&id), group_id)
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
    let filter = super::projects::project_filter(&params)?;
    let page = page_request(&params, super::projects::keyset_allowed(&params)?)?;
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
    Ok(super::projects::respond_projects(&app, &uri, &page, listed))
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
    let filter = super::projects::project_filter(&params)?;
    let page = page_request(&params, super::projects::keyset_allowed(&params)?)?;
    let listed = app
        .service
        .group_shared_projects(&caller, &id_ref(&id), &filter, &page)
        .await?;
    Ok(super::projects::respond_projects(&app, &uri, &page, listed))
}
