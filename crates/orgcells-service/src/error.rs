use orgcells_core::invalid::Invalid;
use orgcells_store::StoreError;
use thiserror::Error;

/// Why a request failed, in the terms the API reports.
#[derive(Debug, Error)]
pub enum ServiceError {
    /// 401: no valid credentials.
    #[error("401 Unauthorized")]
    Unauthorized,
    /// 403, with GitLab's optional reason.
    #[error("403 Forbidden")]
    Forbidden(Option<String>),
    /// 403 with GitLab's message as the whole answer (`render_api_error!`, no `403 Forbidden -`).
    #[error("{0}")]
    Refused(String),
    /// 403: the token is good but its User may not act (blocked, banned or deactivated): the
    /// API words it, since the deactivated User's message names the instance's address.
    #[error("403 Forbidden")]
    Inactive(orgcells_core::states::UserState),
    /// 403 `insufficient_scope`: the token's scopes do not reach this request; the scopes
    /// that would.
    #[error("403 insufficient_scope")]
    InsufficientScope(&'static [&'static str]),
    /// 404: the resource does not exist for the caller (named: "Group", "Project", ...).
    #[error("404 {0} Not Found")]
    NotFound(&'static str),
    /// 404 naming what was asked for: "User with ID or username 'x'".
    #[error("404 {0} Not Found")]
    NotFoundNamed(String),
    /// 400 with messages per field.
    #[error("{0}")]
    Invalid(Invalid),
    /// 400 with one message.
    #[error("{0}")]
    BadRequest(String),
    /// 400 from reading the parameters, before anything runs, in Grape's words and shape:
    /// `{"error": "visibility does not have a valid value"}`, several joined with `, `.
    #[error("{0}")]
    Params(String),
    /// 400 `Bad Request` in plain text: a NUL byte or text that is not UTF-8 in a parameter
    /// or the path, as GitLab's `HandleMalformedStrings` middleware answers it.
    #[error("Bad Request")]
    MalformedString,
    /// 415: a body whose `Content-Type` is not one the API reads.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 409.
    #[error("{0}")]
    Conflict(String),
    /// 405: the request is well formed but not offered (keyset pagination for some orders).
    #[error("{0}")]
    NotAllowed(String),
    /// 413: the request body is over the size allowed.
    #[error("{0}")]
    TooLarge(String),
    /// 503: the database is busy or the Organization is in maintenance; retry after the seconds.
    #[error("{message}")]
    Unavailable { message: String, retry_after: u32 },
    /// 500: logged once, never shown.
    #[error("internal error: {0}")]
    Internal(String),
}

pub type Result<T, E = ServiceError> = std::result::Result<T, E>;

impl From<StoreError> for ServiceError {
    fn from(error: StoreError) -> ServiceError {
        match error {
            StoreError::Conflict(_) => ServiceError::Conflict("409 Conflict".into()),
            StoreError::InMaintenance => ServiceError::Unavailable {
                message: "Organization is in maintenance mode: it is being moved. Try again later."
                    .into(),
                retry_after: 5,
            },
            StoreError::Busy(message) => ServiceError::Unavailable {
                message: format!("503 Service Unavailable: {message}"),
                retry_after: 1,
            },
            StoreError::Unreachable(message) => {
                tracing::error!(%message, "the database cannot be reached");
                ServiceError::Unavailable {
                    message: "503 Service Unavailable: the database cannot be reached".into(),
                    retry_after: 1,
                }
            }
            other => ServiceError::Internal(other.to_string()),
        }
    }
}

impl From<Invalid> for ServiceError {
    fn from(invalid: Invalid) -> ServiceError {
        ServiceError::Invalid(invalid)
    }
}

impl ServiceError {
    pub fn invalid(field: &str, message: impl Into<String>) -> ServiceError {
        ServiceError::Invalid(Invalid::field(field, message))
    }

    pub fn forbidden(reason: impl Into<String>) -> ServiceError {
        ServiceError::Forbidden(Some(reason.into()))
    }
}

/// Maps a policy refusal to the error of the named resource.
pub(crate) fn denied(
    resource: &'static str,
) -> impl Fn(orgcells_core::policy::Denied) -> ServiceError {
    move |denied| match denied {
        orgcells_core::policy::Denied::NotFound => ServiceError::NotFound(resource),
        orgcells_core::policy::Denied::Forbidden => ServiceError::Forbidden(None),
    }
}
