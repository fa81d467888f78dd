//! `/organizations` and their overviews.

use axum::Json;
use axum::extract::{OriginalUri, State};
use axum::response::{IntoResponse, Response};
use orgcells_service::organizations::OrganizationInput;
use orgcells_service::rows::OrganizationRow;
use orgcells_service::{Caller, ServiceError};

use super::lists::{
    group_filter, keyset_allowed, project_filter, respond_groups, respond_projects,
};
use super::{accepted, created, id_ref};
use crate::AppState;
use crate::auth::Auth;
use crate::entities;
use crate::error::{ApiError, ApiResult};
use crate::pagination::{page_request, respond};
use crate::params::{Declared, PAGE, Params, Path, Rule, Type, VISIBILITIES, optional, requires};
use crate::schema;

/// `POST /organizations`: GitLab's `requires :name, :path`.
const ORGANIZATION_CREATE: &[Declared] = &[
    requires("name", Type::String),
    requires("path", Type::String),
    optional("description", Type::String),
    optional("visibility", Type::String).values(VISIBILITIES),
    optional("avatar_url", Type::String),
    optional("cell_id", Type::Integer),
];

/// `PUT /organizations/:id` (GitLab changes Organizations through GraphQL only): these, and at
/// least one of them, as GitLab's REST updates of Projects ask.
const ORGANIZATION_UPDATE: &[Declared] = &[
    optional("name", Type::String),
    optional("path", Type::String),
    optional("description", Type::String),
    optional("visibility", Type::String).values(VISIBILITIES),
    optional("avatar_url", Type::String),
];
const ORGANIZATION_UPDATE_ONE_OF: &[&str] = &[
    "name",
    "path",
    "description",
    "visibility",
    "avatar_url",
    "avatar",
];

const SEARCH: &[Declared] = &[optional("search", Type::String)];

fn organization_input(params: &Params) -> ApiResult<OrganizationInput> {
    Ok(OrganizationInput {
        name: params.text("name")?,
        path: params.text("path")?,
        description: params.text("description")?,
        visibility: params.text("visibility")?,
        avatar_url: params.text("avatar_url")?,
        avatar: match params.file("avatar") {
            Some(bytes) => Some(bytes.to_vec()),
            // Sent, but not as a file.
            None if params.has("avatar") => {
                return Err(ApiError(ServiceError::Params("avatar is invalid".into())));
            }
            None => None,
        },
        cell_id: params.int("cell_id")?,
    })
}

/// An Organization as `caller` is shown it: admins see the Cell that holds it.
fn shown(app: &AppState, caller: &Caller, row: &OrganizationRow) -> entities::Organization {
    entities::Organization {
        cell_id: caller.is_admin().then(|| app.service.cell().0),
        ..entities::organization(&app.external_url, row)
    }
}

/// Organizations the caller can see.
#[utoipa::path(
    get,
    path = "/organizations",
    tag = "organizations",
    operation_id = "list_organizations",
    params(schema::SearchParams, schema::PageParams),
    responses((status = 200, description = "OK", body = Vec<entities::Organization>)),
)]
pub async fn list_organizations(
    State(app): State<AppState>,
    Auth(caller): Auth,
    OriginalUri(uri): OriginalUri,
    params: Params,
) -> ApiResult<Response> {
    params.validate(&[SEARCH, PAGE], &[])?;
    let page = page_request(&params, false)?;
    let listed = app
        .service
        .list_organizations(
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
        |o| (String::new(), o.id.0),
        |o| shown(&app, &caller, &o),
    ))
}

/// Create an Organization.
#[utoipa::path(
    post,
    path = "/organizations",
    tag = "organizations",
    operation_id = "create_organization",
    request_body = schema::OrganizationBody,
    responses((status = 201, description = "Created", body = entities::Organization)),
)]
pub async fn create_organization(
    State(app): State<AppState>,
    Auth(caller): Auth,
    params: Params,
) -> ApiResult<Response> {
    params.validate(&[ORGANIZATION_CREATE], &[])?;
    let row = app
        .service
        .create_organization(&caller, &organization_input(&params)?)
        .await?;
    Ok(created(shown(&app, &caller, &row)))
}

/// An Organization.
#[utoipa::path(
    get,
    path = "/organizations/{id}",
    tag = "organizations",
    operation_id = "get_organization",
    params(schema::IdPath),
    responses((status = 200, description = "OK", body = entities::Organization)),
)]
pub async fn get_organization(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let row = app.service.get_organization(&caller, &id_ref(&id)).await?;
    Ok(Json(shown(&app, &caller, &row)).into_response())
}

/// Change an Organization.
#[utoipa::path(
    put,
    path = "/organizations/{id}",
    tag = "organizations",
    operation_id = "update_organization",
    params(schema::IdPath),
    request_body = schema::OrganizationBody,
    responses((status = 200, description = "OK", body = entities::Organization)),
)]
pub async fn update_organization(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Response> {
    params.validate(
        &[ORGANIZATION_UPDATE],
        &[Rule::AtLeastOneOf(ORGANIZATION_UPDATE_ONE_OF)],
    )?;
    let row = app
        .service
        .update_organization(&caller, &id_ref(&id), &organization_input(&params)?)
        .await?;
    Ok(Json(shown(&app, &caller, &row)).into_response())
}

/// Delete an Organization (Owners and admins): marked soft-deleted, its content then out of
/// everyone's reach but admins', restorable until the retention period (7 days unless set)
/// has passed, then deleted for good with everything in it.
#[utoipa::path(
    delete,
    path = "/organizations/{id}",
    tag = "organizations",
    operation_id = "delete_organization",
    params(schema::IdPath),
    responses((status = 202, description = "Accepted", body = schema::Accepted)),
)]
pub async fn delete_organization(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    // Read though unused: a body of a type not read is 415 here too, as Grape's.
    _params: Params,
) -> ApiResult<Response> {
    app.service
        .delete_organization(&caller, &id_ref(&id))
        .await?;
    Ok(accepted())
}

/// The Organization's Groups the caller can see.
#[utoipa::path(
    get,
    path = "/organizations/{id}/groups",
    tag = "organizations",
    operation_id = "list_organization_groups",
    params(schema::IdPath, schema::GroupFilters, schema::PageParams, schema::KeysetParams),
    responses((status = 200, description = "OK", body = Vec<entities::Group>)),
)]
pub async fn list_organization_groups(
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
        .organization_groups(&caller, &id_ref(&id), &filter, &page)
        .await?;
    Ok(respond_groups(&app, &uri, &page, &filter, listed))
}

/// The Organization's Projects the caller can see.
#[utoipa::path(
    get,
    path = "/organizations/{id}/projects",
    tag = "organizations",
    operation_id = "list_organization_projects",
    params(schema::IdPath, schema::ProjectFilters, schema::PageParams, schema::KeysetParams),
    responses((status = 200, description = "OK", body = Vec<entities::Project>)),
)]
pub async fn list_organization_projects(
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
        .organization_projects(&caller, &id_ref(&id), &filter, &page)
        .await?;
    Ok(respond_projects(&app, &uri, &page, listed))
}

/// Move a top-level Group, with everything in it, into this Organization (a User who owns both,
/// or an admin). Paths stay; nothing stays more visible than the Organization.
#[utoipa::path(
    post,
    path = "/organizations/{id}/groups/transfer",
    tag = "organizations",
    operation_id = "transfer_group_to_organization",
    params(schema::IdPath),
    request_body = schema::OrganizationGroupTransferBody,
    responses(
        (status = 201, description = "Moved", body = entities::GroupDetailEntity),
        (status = 400, description = "Not a top-level Group, already there, or shares or bans in the way, named"),
        (status = 409, description = "The Group is on another Cell"),
    ),
)]
pub async fn transfer_group_to_organization(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Response> {
    params.validate(&[&[requires("group_id", Type::Integer)]], &[])?;
    let group_id = params.int("group_id")?.unwrap_or_default();
    let detail = app
        .service
        .transfer_group_to_organization(&caller, &id_ref(&id), group_id)
        .await?;
    Ok(created(entities::group_detail(&app.external_url, detail)))
}

/// Restore a soft-deleted Organization (Owners and admins), within its retention period.
#[utoipa::path(
    post,
    path = "/organizations/{id}/restore",
    tag = "organizations",
    operation_id = "restore_organization",
    params(schema::IdPath),
    responses(
        (status = 201, description = "Restored", body = entities::Organization),
        (status = 400, description = "Not soft-deleted"),
        (status = 409, description = "Its retention period has passed"),
    ),
)]
pub async fn restore_organization(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    _params: Params,
) -> ApiResult<Response> {
    let row = app
        .service
        .restore_organization(&caller, &id_ref(&id))
        .await?;
    Ok(created(shown(&app, &caller, &row)))
}

/// An Organization's uploaded avatar, to whoever sees the Organization.
#[utoipa::path(
    get,
    path = "/organizations/{id}/avatar",
    tag = "organizations",
    operation_id = "get_organization_avatar",
    params(schema::IdPath),
    responses((status = 200, description = "The image (PNG, JPEG or GIF)", content_type = "image/png")),
)]
pub async fn get_organization_avatar(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let (content_type, bytes) = app
        .service
        .organization_avatar(&caller, &id_ref(&id))
        .await?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, content_type),
            (axum::http::header::CONTENT_DISPOSITION, "inline"),
            // Served as the type its content was checked to be, never sniffed as another.
            (axum::http::header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        bytes,
    )
        .into_response())
}
