//! One error type at the edge, with GitLab's envelopes: `{"message": ...}` for what the
//! service refuses (a field's errors as `{"message": {"path": ["has already been taken"]}}`),
//! `{"error": ...}` for parameters Grape would refuse before the endpoint runs, and GitLab's
//! plain-text `Bad Request` for a NUL byte or text that is not UTF-8.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use orgcells_service::ServiceError;
use serde_json::json;

/// An error answered to the client.
#[derive(Debug)]
pub struct ApiError(pub ServiceError);

impl From<ServiceError> for ApiError {
    fn from(error: ServiceError) -> ApiError {
        ApiError(error)
    }
}

impl From<orgcells_core::invalid::Invalid> for ApiError {
    fn from(invalid: orgcells_core::invalid::Invalid) -> ApiError {
        ApiError(ServiceError::Invalid(invalid))
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// The cause of a 500, carried in the response to the middleware that logs it.
#[derive(Debug, Clone)]
pub struct Failure(pub String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, body) = match &self.0 {
            ServiceError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                json!({"message": "401 Unauthorized"}),
            ),
            ServiceError::Forbidden(None) => {
                (StatusCode::FORBIDDEN, json!({"message": "403 Forbidden"}))
            }
            ServiceError::Forbidden(Some(reason)) => (
                StatusCode::FORBIDDEN,
                json!({"message": format!("403 Forbidden - {reason}")}),
            ),
            ServiceError::Refused(message) => (StatusCode::FORBIDDEN, json!({"message": message})),
            // auth.rs words it with the instance's address; this is the fallback.
            ServiceError::Inactive(_) => (
                StatusCode::FORBIDDEN,
                json!({"message": "403 Forbidden - Your account has been blocked."}),
            ),
            ServiceError::InsufficientScope(scopes) => (
                StatusCode::FORBIDDEN,
                json!({
                    "error": "insufficient_scope",
                    "error_description": "The request requires higher privileges than provided by the access token.",
                    "scope": scopes.join(" "),
                }),
            ),
            ServiceError::NotFoundNamed(what) => (
                StatusCode::NOT_FOUND,
                json!({"message": format!("404 {what} Not Found")}),
            ),
            ServiceError::NotFound(what) => (
                StatusCode::NOT_FOUND,
                json!({"message": format!("404 {what} Not Found")}),
            ),
            ServiceError::Invalid(invalid) => {
                (StatusCode::BAD_REQUEST, json!({"message": invalid.fields}))
            }
            ServiceError::BadRequest(message) => {
                (StatusCode::BAD_REQUEST, json!({"message": message}))
            }
            ServiceError::Params(message) => (StatusCode::BAD_REQUEST, json!({"error": message})),
            ServiceError::MalformedString => {
                // GitLab's `HandleMalformedStrings` answers before Rails, in plain text.
                return (
                    StatusCode::BAD_REQUEST,
                    [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                    "Bad Request",
                )
                    .into_response();
            }
            ServiceError::UnsupportedMediaType(message) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                json!({"error": message}),
            ),
            ServiceError::Conflict(message) => (StatusCode::CONFLICT, json!({"message": message})),
            ServiceError::NotAllowed(message) => {
                (StatusCode::METHOD_NOT_ALLOWED, json!({"error": message}))
            }
            ServiceError::TooLarge(message) => {
                (StatusCode::PAYLOAD_TOO_LARGE, json!({"message": message}))
            }
            ServiceError::Unavailable { message, .. } => {
                (StatusCode::SERVICE_UNAVAILABLE, json!({"message": message}))
            }
            ServiceError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                json!({"message": "500 Internal Server Error"}),
            ),
        };
        let mut response = (status, axum::Json(body)).into_response();
        // The cause is never shown; `observe` logs it once, with the request's id.
        if let ServiceError::Internal(cause) = self.0 {
            response.extensions_mut().insert(Failure(cause));
            return response;
        }
        // The rest of a body too large is never read: the connection cannot carry another
        // request, and the client is told so rather than finding out on its next one.
        if let ServiceError::TooLarge(_) = &self.0 {
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        if let ServiceError::Unavailable { retry_after, .. } = &self.0
            && let Ok(value) = HeaderValue::from_str(&retry_after.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

/// `404 Not Found` for a route that does not exist, as GitLab answers it.
pub async fn no_route() -> Response {
    (
        StatusCode::NOT_FOUND,
        axum::Json(json!({"error": "404 Not Found"})),
    )
        .into_response()
}

/// `405` for a known route with another method.
pub fn method_not_allowed() -> Response {
    (
        StatusCode::METHOD_NOT_ALLOWED,
        axum::Json(json!({"message": "405 Method Not Allowed"})),
    )
        .into_response()
}

impl ApiError {
    /// The response, for places that need it outside `IntoResponse` (the panic handler).
    pub fn into_response_plain(self) -> Response {
        self.into_response()
    }
}
