//! Every route, in one place.

use axum::Router;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{delete, get, post, put};
use tower_http::catch_panic::CatchPanicLayer;

use crate::error::{method_not_allowed, no_route};
use crate::handlers::members::{self, Groups, Projects};
use crate::handlers::{groups, health, meta, metrics, namespaces, organizations, projects, users};
use crate::{AppState, allowlist, observe};

fn api() -> Router<AppState> {
    Router::new()
        .route("/version", get(meta::get_version))
        .route("/metadata", get(meta::get_metadata))
        // Users and tokens.
        .route("/user", get(users::get_current_user))
        .route(
            "/user/personal_access_tokens",
            post(users::create_own_token),
        )
        .route("/users", get(users::list_users).post(users::create_user))
        .route(
            "/users/{id}",
            get(users::get_user)
                .put(users::update_user)
                .delete(users::delete_user),
        )
        .route(
            "/users/{id}/personal_access_tokens",
            post(users::create_user_token),
        )
        .route("/users/{id}/memberships", get(users::list_memberships))
        .route("/users/{id}/projects", get(users::list_user_projects))
        // Groups.
        .route(
            "/groups",
            get(groups::list_groups).post(groups::create_group),
        )
        .route(
            "/groups/{id}",
            get(groups::get_group)
                .put(groups::update_group)
                .delete(groups::delete_group),
        )
        .route("/groups/{id}/subgroups", get(groups::list_subgroups))
        .route(
            "/groups/{id}/descendant_groups",
            get(groups::list_descendant_groups),
        )
        .route("/groups/{id}/projects", get(groups::list_group_projects))
        .route(
            "/groups/{id}/projects/shared",
            get(groups::list_group_shared_projects),
        )
        .route("/groups/{id}/transfer", post(groups::transfer_group))
        .route("/groups/{id}/share", post(groups::share_group))
        .route(
            "/groups/{id}/share/{group_id}",
            delete(groups::unshare_group),
        )
        .route(
            "/groups/{id}/members",
            get(members::list_members::<Groups>).post(members::create_member::<Groups>),
        )
        .route(
            "/groups/{id}/members/all",
            get(members::list_all_members::<Groups>),
        )
        .route(
            "/groups/{id}/members/all/{user_id}",
            get(members::get_any_member::<Groups>),
        )
        .route(
            "/groups/{id}/members/{user_id}",
            get(members::get_member::<Groups>)
                .put(members::update_member::<Groups>)
                .delete(members::delete_member::<Groups>),
        )
        // Projects.
        .route(
            "/projects",
            get(projects::list_projects).post(projects::create_project),
        )
        .route(
            "/projects/user/{user_id}",
            post(projects::create_user_project),
        )
        .route(
            "/projects/{id}",
            get(projects::get_project)
                .put(projects::update_project)
                .delete(projects::delete_project),
        )
        .route("/projects/{id}/transfer", put(projects::transfer_project))
        .route("/projects/{id}/share", post(projects::share_project))
        .route(
            "/projects/{id}/share/{group_id}",
            delete(projects::unshare_project),
        )
        .route("/projects/{id}/groups", get(projects::list_project_groups))
        .route(
            "/projects/{id}/members",
            get(members::list_members::<Projects>).post(members::create_member::<Projects>),
        )
        .route(
            "/projects/{id}/members/all",
            get(members::list_all_members::<Projects>),
        )
        .route(
            "/projects/{id}/members/all/{user_id}",
            get(members::get_any_member::<Projects>),
        )
        .route(
            "/projects/{id}/members/{user_id}",
            get(members::get_member::<Projects>)
                .put(members::update_member::<Projects>)
                .delete(members::delete_member::<Projects>),
        )
        // Namespaces.
        .route("/namespaces", get(namespaces::list_namespaces))
        .route("/namespaces/{id}", get(namespaces::get_namespace))
        .route("/namespaces/{id}/exists", get(namespaces::namespace_exists))
        // Organizations.
        .route(
            "/organizations",
            get(organizations::list_organizations).post(organizations::create_organization),
        )
        .route(
            "/organizations/{id}",
            get(organizations::get_organization)
                .put(organizations::update_organization)
                .delete(organizations::delete_organization),
        )
        .route(
            "/organizations/{id}/groups",
            get(organizations::list_organization_groups),
        )
        .route(
            "/organizations/{id}/projects",
            get(organizations::list_organization_projects),
        )
        .route(
            "/organizations/{id}/users",
            get(organizations::list_organization_users),
        )
        .method_not_allowed_fallback(|| async { method_not_allowed() })
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

/// The whole HTTP surface. Every request, routed or not, passes [`observe::observe`]; the
/// routed ones also [`observe::record_route`], which learns their route template.
pub fn router(state: AppState) -> Router {
    Router::new()
        .nest("/api/v4", api())
        .merge(monitoring(&state))
        .route_layer(from_fn(observe::record_route))
        .fallback(no_route)
        .layer(CatchPanicLayer::custom(|_| {
            tracing::error!("a handler panicked");
            crate::error::ApiError(orgcells_service::ServiceError::Internal("panic".into()))
                .into_response_plain()
        }))
        .layer(from_fn_with_state(state.clone(), observe::observe))
        .with_state(state)
}
