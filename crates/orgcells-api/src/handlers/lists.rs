//! The filters and pages of Group and Project lists, shared by every handler that answers one.

use axum::response::Response;
use orgcells_core::access::AccessLevel;
use orgcells_core::visibility::Visibility;
use orgcells_service::ServiceError;
use orgcells_service::groups::GroupFilter;
use orgcells_service::present::{GroupOut, ProjectOut};
use orgcells_service::projects::ProjectFilter;

use crate::AppState;
use crate::entities;
use crate::error::{ApiError, ApiResult};
use crate::pagination::respond;
use crate::params::{
    ACCESS_LEVELS, Declared, KEYSET, PAGE, Params, SORTS, Type, VISIBILITIES, optional,
};

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

fn min_access_level(params: &Params) -> ApiResult<Option<AccessLevel>> {
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
        skip_groups: params.id_list("skip_groups")?,
        visibility: params
            .text("visibility")?
            .as_deref()
            .and_then(Visibility::parse),
        all_available: params.bool("all_available")?,
        order_by,
        descending: sort.as_deref() == Some("desc"),
        organization_id: params.id("organization_id")?,
    })
}

/// The keyset cursor of a Group in a list ordered by `order_by`.
fn group_key(order_by: Option<&str>) -> impl Fn(&GroupOut) -> (String, i64) + '_ {
    move |g| match order_by {
        Some("id") => (String::new(), g.row.id.0),
        Some("path") => (g.row.path.clone(), g.row.id.0),
        _ => (g.row.name.clone(), g.row.id.0),
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

const ORDERS: &[&str] = &[
    "id",
    "name",
    "path",
    "created_at",
    "updated_at",
    "last_activity_at",
    "similarity",
    "star_count",
];

/// The filters of every Project list, in GitLab's words.
const PROJECT_FILTERS: &[Declared] = &[
    optional("order_by", Type::String).values(ORDERS),
    optional("sort", Type::String).values(SORTS),
    optional("visibility", Type::String).values(VISIBILITIES),
    optional("search", Type::String),
    optional("owned", Type::Boolean),
    optional("membership", Type::Boolean),
    optional("min_access_level", Type::Integer).levels(ACCESS_LEVELS),
    optional("organization_id", Type::Integer),
];

/// Reads (and first checks, with the list's own `extra` parameters) the filters and pagination
/// of a Project list.
pub(crate) fn project_filter(params: &Params, extra: &[Declared]) -> ApiResult<ProjectFilter> {
    params.validate(&[PROJECT_FILTERS, extra, PAGE, KEYSET], &[])?;
    let order_by = params.text("order_by")?;
    let sort = params.text("sort")?;
    Ok(ProjectFilter {
        membership: params.flag("membership")?,
        owned: params.flag("owned")?,
        search: params.text("search")?.filter(|s| !s.is_empty()),
        visibility: params.text("visibility")?,
        min_access_level: min_access_level(params)?,
        order_by,
        // GitLab sorts Projects newest first unless told otherwise.
        descending: sort.as_deref() != Some("asc"),
        organization_id: params.id("organization_id")?,
    })
}

/// A page of Projects with GitLab's pagination headers (keyset on id).
pub(crate) fn respond_projects(
    app: &AppState,
    uri: &axum::http::Uri,
    page: &orgcells_service::PageRequest,
    listed: orgcells_service::Listed<ProjectOut>,
) -> Response {
    let base = app.external_url.clone();
    respond(
        &base,
        uri,
        page,
        listed,
        |p| (String::new(), p.row.id.0),
        |p| entities::project(&base, p),
    )
}

/// Keyset pagination of Projects is offered for `order_by=id` only, as GitLab.
pub(crate) fn keyset_allowed(params: &Params) -> ApiResult<bool> {
    Ok(params.text("order_by")?.as_deref() == Some("id"))
}
