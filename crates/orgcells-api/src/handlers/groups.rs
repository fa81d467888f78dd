//! `/groups`: Groups, subgroups, descendants, their Projects, transfers and shares.

use axum::Json;
use axum::extract::{OriginalUri, State};
use axum::response::{IntoResponse, Response};
use orgcells_core::access::AccessLevel;
use orgcells_core::visibility::Visibility;
use orgcells_service::ServiceError;
use orgcells_service::groups::{GroupFilter, GroupInput, GroupOut};
use orgcells_service::shares::ShareInput;

use super::{accepted, created, id_ref, no_content};
use crate::AppState;
use crate::auth::Auth;
use crate::entities;
use crate::error::{ApiError, ApiResult};
use crate::pagination::{page_request, respond};
use crate::params::{
    ACCESS_LEVELS, Declared, KEYSET, PAGE, Params, Path, SORTS, Type, VISIBILITIES, optional,
    requires,
};
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
        parent_id: params.int("parent_id")?,
        visibility: params.text("visibility")?,
        description: params.text("description")?,
        organization_id: params.int("organization_id")?,
        project_creation_level: params.text("project_creation_level")?,
        subgroup_creation_level: params.text("subgroup_creation_level")?,
    })
}

/// The filters of every Group list, as GitLab's `group_list_params`.
const GROUP_FILTERS: &[Declared] = &[
    optional("skip_groups", Type::Integers),
    optional("all_available", Type::Boolean),
    optional("visibility", Type::String).values(VISIBILITIES),
    optional("search", Type::String),
    optional("owned", Type::Boolean),
    optional("order_by", Type::String).values(&["name", "path", "id", "similarity"]),
    optional("sort", Type::String).values(SORTS),
    optional("min_access_level", Type::Integer).levels(ACCESS_LEVELS),
    optional("top_level_only", Type::Boolean),
    optional("organization_id", Type::Integer),
];

pub(crate) fn min_access_level(params: &Params) -> ApiResult<Option<AccessLevel>> {
    match params.int("min_access_level")? {
        None => Ok(None),
        Some(value) => match AccessLevel::for_member(value) {
            Some(level) => Ok(Some(level)),
            None => Err(ApiError(ServiceError::Params(
                "min_access_level does not have a valid value".into(),
            ))),
        },
    }
}

/// Reads (and first checks) the filters and pagination of a Group list.
pub(crate) fn group_filter(params: &Params) -> ApiResult<GroupFilter> {
    params.validate(&[GROUP_FILTERS, PAGE, KEYSET], &[])?;
    let order_by = params.text("order_by")?;
    let sort = params.text("sort")?;
    Ok(GroupFilter {
        search: params.text("search")?.filter(|s| !s.is_empty()),
        owned: params.flag("owned")?,
        min_access_level: min_access_level(params)?,
        top_level_only: params.flag("top_level_only")?,
        skip_groups: params.int_list("skip_groups")?,
        visibility: params
            .text("visibility")?
            .as_deref()
            .and_then(Visibility::parse),
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

/// A share with a Group, of a Group or a Project: GitLab's `requires :group_id`,
/// `requires :group_access, values: Gitlab::Access.all_values`, `optional :expires_at`.
const SHARE: &[Declared] = &[
    requires("group_id", Type::Integer),
    requires("group_access", Type::Integer).levels(ACCESS_LEVELS),
    optional("expires_at", Type::String),
];

pub(crate) fn share_input(params: &Params) -> ApiResult<ShareInput> {
    params.validate(&[SHARE], &[])?;
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
    // Read though unused: a body of a type not read is 415 here too, as Grape's.
    _params: Params,
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
    let filter = super::projects::project_filter(&params, SUBGROUPS)?;
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
    let filter = super::projects::project_filter(&params, &[])?;
    let page = page_request(&params, super::projects::keyset_allowed(&params)?)?;
    let listed = app
        .service
        .group_shared_projects(&caller, &id_ref(&id), &filter, &page)
        .await?;
    Ok(super::projects::respond_projects(&app, &uri, &page, listed))
}
