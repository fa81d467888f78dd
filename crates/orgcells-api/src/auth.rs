//! Who is calling: `PRIVATE-TOKEN`, `Authorization: Bearer`, or the `private_token` query
//! parameter; `Sudo` (header) or `sudo` (parameter) for admins. The caller is recorded in the
//! request's [`RequestContext`] for its log line.

use axum::extract::{FromRequestParts, MatchedPath};
use axum::http::request::Parts;
use axum::http::{Method, header};
use orgcells_core::scopes::Surface;
use orgcells_core::states::UserState;
use orgcells_service::{Caller, ServiceError};

use crate::AppState;
use crate::error::ApiError;
use crate::observe::RequestContext;

/// The authenticated caller (anonymous when no token was sent).
#[derive(Debug, Clone)]
pub struct Auth(pub Caller);

fn query_param(parts: &Parts, name: &str) -> Option<String> {
    let query = parts.uri.query()?;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).ok()?;
    pairs
        .into_iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

fn header_value(parts: &Parts, name: &str) -> Option<String> {
    parts
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The token a request carries, if any.
pub fn token_of(parts: &Parts) -> Option<String> {
    if let Some(token) = header_value(parts, "private-token") {
        return Some(token);
    }
    if let Some(value) = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        && let Some(token) = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
    {
        return Some(token.trim().to_owned());
    }
    query_param(parts, "private_token").or_else(|| query_param(parts, "access_token"))
}

/// The part of the API a route reaches, as far as token scopes go: the Users API (GitLab's
/// `users.rb`), a token's own endpoints, or the rest.
fn surface(parts: &Parts) -> Surface {
    let Some(route) = parts.extensions.get::<MatchedPath>() else {
        return Surface::Other;
    };
    let route = route.as_str();
    let route = route.strip_prefix("/api/v4").unwrap_or(route);
    match route {
        "/user" | "/users" | "/users/{id}" | "/users/{id}/memberships" => Surface::Users,
        "/personal_access_tokens/self" => Surface::TokenItself,
        "/personal_access_tokens/self/rotate" => Surface::TokenRotation,
        _ => Surface::Other,
    }
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Auth, ApiError> {
        if let Some(caller) = parts.extensions.get::<Caller>() {
            return Ok(Auth(caller.clone()));
        }
        let context = parts.extensions.get::<RequestContext>().cloned();
        let caller = match token_of(parts) {
            Some(token) => state
                .service
                .authenticate(&token)
                .await
                .map_err(|error| inactive(error, &state.external_url))?,
            None => state.service.anonymous(),
        };
        if let Some(context) = &context {
            context.record_user(caller.id());
        }
        let read = matches!(parts.method, Method::GET | Method::HEAD);
        // GitLab's `authenticate_non_get!`: nobody writes anonymously.
        if caller.user.is_none() && !read {
            return Err(ApiError(ServiceError::Unauthorized));
        }
        caller.check_scopes(read, surface(parts))?;
        let sudo = header_value(parts, "sudo").or_else(|| query_param(parts, "sudo"));
        let caller = match sudo {
            Some(ident) if !ident.is_empty() => {
                let admin = caller.id();
                let caller = state.service.sudo(caller, &ident).await?;
                if let Some(context) = &context {
                    context.record_user(caller.id());
                    context.record_sudo_by(admin);
                }
                caller
            }
            _ => caller,
        };
        parts.extensions.insert(caller.clone());
        Ok(Auth(caller))
    }
}

/// GitLab's words for a token whose User may not act (`UserAccessDeniedReason`): a banned User
/// counts as blocked; a deactivated one is told where to sign in again.
fn inactive(error: ServiceError, external_url: &str) -> ServiceError {
    match error {
        ServiceError::Inactive(UserState::Deactivated) => ServiceError::forbidden(format!(
            "Your account has been deactivated by your administrator. Please log back in from \
             a web browser to reactivate your account at {external_url}"
        )),
        ServiceError::Inactive(_) => ServiceError::forbidden("Your account has been blocked."),
        other => other,
    }
}
