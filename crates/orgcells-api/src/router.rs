//! Every route, in one place. `/api/v4` routes are registered only through utoipa-axum's
//! `routes!`, which adds each handler's route and its OpenAPI operation together, so the
//! document at `/api/v4/openapi.json` lists exactly what is served.

use axum::extract::DefaultBodyLimit;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{delete, get, post, put};
use axum::{Extension, Router};
use tower_http::catch_panic::CatchPanicLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{method_not_allowed, no_route};
use crate::handlers::{
    access_requests, cells, groups, health, internal, invitations, members, meta, metrics, moves,
    namespaces, org_users, organizations, projects, tokens, user_states, users,
};
use crate::openapi::{self, ApiDoc, Document};
use crate::{AppState, allowlist, observe, params};

fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(openapi::get_openapi))
        .routes(routes!(meta::get_version))
        .routes(routes!(meta::get_metadata))
        // Users and tokens.
        .routes(routes!(users::get_current_user))
        .routes(routes!(users::create_own_token))
        .routes(routes!(users::list_users, users::create_user))
        .routes(routes!(
            users::get_user,
            users::update_user,
            users::delete_user
        ))
        .routes(routes!(users::create_user_token))
        .routes(routes!(users::list_memberships))
        .routes(routes!(user_states::act_on_user))
        .routes(routes!(users::list_user_projects))
        .routes(routes!(tokens::list_personal_access_tokens))
        .routes(routes!(
            tokens::get_own_personal_access_token,
            tokens::revoke_own_personal_access_token
        ))
        .routes(routes!(tokens::rotate_own_personal_access_token))
        .routes(routes!(
            tokens::get_personal_access_token,
            tokens::revoke_personal_access_token
        ))
        .routes(routes!(tokens::rotate_personal_access_token))
        // Groups.
        .routes(routes!(groups::list_groups, groups::create_group))
        .routes(routes!(
            groups::get_group,
            groups::update_group,
            groups::delete_group
        ))
        .routes(routes!(groups::list_subgroups))
        .routes(routes!(groups::list_descendant_groups))
        .routes(routes!(groups::list_group_projects))
        .routes(routes!(groups::list_group_shared_projects))
        .routes(routes!(groups::transfer_group))
        .routes(routes!(groups::share_group))
        .routes(routes!(groups::unshare_group))
        .routes(routes!(
            members::list_group_members,
            members::create_group_member
        ))
        .routes(routes!(
            access_requests::list_group_access_requests,
            access_requests::create_group_access_request
        ))
        .routes(routes!(access_requests::approve_group_access_request))
        .routes(routes!(access_requests::delete_group_access_request))
        .routes(routes!(
            access_requests::list_project_access_requests,
            access_requests::create_project_access_request
        ))
        .routes(routes!(access_requests::approve_project_access_request))
        .routes(routes!(access_requests::delete_project_access_request))
        .routes(routes!(
            invitations::list_group_invitations,
            invitations::create_group_invitation
        ))
        .routes(routes!(
            invitations::update_group_invitation,
            invitations::delete_group_invitation
        ))
        .routes(routes!(
            invitations::list_project_invitations,
            invitations::create_project_invitation
        ))
        .routes(routes!(
            invitations::update_project_invitation,
            invitations::delete_project_invitation
        ))
        .routes(routes!(members::list_all_group_members))
        .routes(routes!(members::get_any_group_member))
        .routes(routes!(
            members::get_group_member,
            members::update_group_member,
            members::delete_group_member
        ))
        // Projects.
        .routes(routes!(
            projects::list_projects,
            projects::head_projects,
            projects::create_project
        ))
        .routes(routes!(projects::create_user_project))
        .routes(routes!(
            projects::get_project,
            projects::update_project,
            projects::delete_project
        ))
        .routes(routes!(projects::transfer_project))
        .routes(routes!(projects::share_project))
        .routes(routes!(projects::unshare_project))
        .routes(routes!(projects::list_project_groups))
        .routes(routes!(
            members::list_project_members,
            members::create_project_member
        ))
        .routes(routes!(members::list_all_project_members))
        .routes(routes!(members::get_any_project_member))
        .routes(routes!(
            members::get_project_member,
            members::update_project_member,
            members::delete_project_member
        ))
        // Namespaces.
        .routes(routes!(namespaces::list_namespaces))
        .routes(routes!(namespaces::get_namespace))
        .routes(routes!(namespaces::namespace_exists))
        // Organizations.
        .routes(routes!(
            organizations::list_organizations,
            organizations::create_organization
        ))
        .routes(routes!(
            organizations::get_organization,
            organizations::update_organization,
            organizations::delete_organization
        ))
        .routes(routes!(organizations::list_organization_groups))
        .routes(routes!(organizations::list_organization_projects))
        .routes(routes!(
            org_users::list_organization_users,
            org_users::create_organization_user
        ))
        .routes(routes!(
            org_users::update_organization_user,
            org_users::delete_organization_user
        ))
        .routes(routes!(organizations::transfer_group_to_organization))
        .routes(routes!(organizations::restore_organization))
        .routes(routes!(organizations::get_organization_avatar))
        .routes(routes!(org_users::ban_organization_user))
        .routes(routes!(org_users::unban_organization_user))
        // The cluster.
        .routes(routes!(cells::list_cells))
        .routes(routes!(
            moves::move_organization,
            moves::get_organization_move
        ))
        .routes(routes!(moves::resume_organization_move))
        .routes(routes!(moves::roll_back_organization_move))
}

/// `/api/v4` and the OpenAPI document that describes it.
pub fn api_v4() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, doc) = api().split_for_parts();
    (router, openapi::complete(doc))
}

/// The operator's endpoints, outside `/api/v4`, for allowlisted addresses only.
fn monitoring(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/-/health", get(health::get_health))
        .route("/-/liveness", get(health::get_liveness))
        .route("/-/readiness", get(health::get_readiness))
        .route("/-/metrics", get(metrics::get_metrics))
        .route_layer(from_fn_with_state(state.clone(), allowlist::only_allowed))
}

/// What the Cells of a cluster ask each other (see [`internal`]).
fn cells_internal(state: &AppState) -> Router<AppState> {
    Router::new()
        .route(
            "/-/cells/organizations/{id}",
            put(internal::import_organization)
                .patch(internal::update_organization_copy)
                .delete(internal::drop_organization_copy),
        )
        .route(
            "/-/cells/organizations/{id}/activate",
            post(internal::activate_organization),
        )
        .route(
            "/-/cells/users/{id}/removal",
            post(internal::remove_user_rows),
        )
        .route("/-/cells/users/{id}/activity", get(internal::user_activity))
        .route(
            "/-/cells/organization_redirects/{path}",
            delete(internal::drop_redirect),
        )
        .route_layer(from_fn_with_state(state.clone(), internal::only_peers))
        .layer(DefaultBodyLimit::max(internal::MAX_IMPORT))
}

/// The whole HTTP surface. Every request, routed or not, passes [`observe::observe`]; the
/// routed ones also [`observe::record_route`], which learns their route template.
pub fn router(state: AppState) -> Router {
    let (api, doc) = api_v4();
    let document = Document(std::sync::Arc::new(
        doc.to_json().unwrap_or_else(|_| "{}".to_owned()),
    ));
    Router::new()
        .nest(
            "/api/v4",
            api.method_not_allowed_fallback(|| async { method_not_allowed() })
                .layer(Extension(document)),
        )
        .merge(monitoring(&state))
        .merge(cells_internal(&state))
        .route_layer(from_fn(observe::record_route))
        .fallback(no_route)
        .layer(CatchPanicLayer::custom(|_| {
            tracing::error!("a handler panicked");
            crate::error::ApiError(orgcells_service::ServiceError::Internal("panic".into()))
                .into_response_plain()
        }))
        .layer(from_fn(params::refuse_malformed_strings))
        .layer(from_fn_with_state(state.clone(), observe::observe))
        .with_state(state)
}
