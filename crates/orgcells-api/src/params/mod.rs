//! Request parameters as GitLab reads them: from the query string and the body, merged (the
//! body wins). python-gitlab sends keyword arguments in the query string even on POST; the
//! `gitlab` crate sends forms; others send JSON.
//!
//! A body is read by its `Content-Type` alone, as Grape reads it: JSON when it says
//! `application/json` (or any `application/*+json`, any charset) or says nothing; a form when
//! it says `application/x-www-form-urlencoded` or `multipart/form-data` (file parts are
//! skipped); `text/plain` is taken and not read; anything else is 415. Bodies of `GET` and
//! `HEAD` are not read at all, so a request without one never gets a 415. Text that is not
//! UTF-8 or holds a NUL byte, anywhere, is GitLab's plain `Bad Request` (its
//! `HandleMalformedStrings` middleware).
//!
//! What an endpoint takes is declared as [`Declared`] parameters and checked at once by
//! [`Params::validate`], before anything happens, with Grape's messages in Grape's shape:
//! `{"error": "visibility does not have a valid value, sort does not have a valid value"}`.
//!
//! `body` reads a request into [`Params`]; `coerce` holds Grape's coercions, which the typed
//! reads here and the checks of `declared` share.

mod body;
mod coerce;
mod declared;

use axum::response::IntoResponse;
use orgcells_service::ServiceError;
use serde_json::Value;

use crate::error::ApiError;
use coerce::{coerce_bool, coerce_int, coerce_ints, coerce_text, coerce_texts};
pub use declared::{
    ACCESS_LEVELS, Allowed, Declared, KEYSET, PAGE, Rule, SORTS, Step, Type, VISIBILITIES,
    optional, requires,
};

/// The merged parameters of a request.
#[derive(Debug, Clone, Default)]
pub struct Params {
    values: Vec<(String, Value)>,
    /// The files of a multipart body, by field name.
    files: Vec<(String, Vec<u8>)>,
}

/// The most ids a client may send in one list parameter (`skip_groups[]`, `user_ids`): the
/// statements they reach stay bounded. More is refused with Grape's `length` message.
pub const MAX_LIST: usize = 1_000;

/// Grape's message for a parameter that is not of its type: `parent_id is invalid`.
fn invalid(key: &str) -> ApiError {
    ApiError(ServiceError::Params(format!("{key} is invalid")))
}

impl Params {
    /// Parameters from pairs (for tests and internal use).
    pub fn from_pairs(pairs: &[(&str, &str)]) -> Params {
        Params {
            values: pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), Value::String((*v).to_owned())))
                .collect(),
            files: Vec::new(),
        }
    }

    pub(super) fn last(&self, key: &str) -> Option<&Value> {
        self.values
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// Every value given for a list: `key` and `key[]`.
    pub(super) fn all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        self.values
            .iter()
            .filter(move |(k, _)| k == key || k.strip_suffix("[]") == Some(key))
            .map(|(_, v)| v)
    }

    pub fn has(&self, key: &str) -> bool {
        self.last(key).is_some() || (self.all(key).next().is_some()) || self.file(key).is_some()
    }

    /// A file sent in a multipart body (`avatar`); the last one of that name.
    pub fn file(&self, key: &str) -> Option<&[u8]> {
        self.files
            .iter()
            .rev()
            .find(|(name, _)| name == key)
            .map(|(_, bytes)| bytes.as_slice())
    }

    /// A text parameter; numbers and booleans are taken as their text.
    pub fn text(&self, key: &str) -> Result<Option<String>, ApiError> {
        match self.last(key) {
            None => Ok(None),
            Some(value) => coerce_text(value).map_err(|()| invalid(key)),
        }
    }

    /// An integer parameter.
    pub fn int(&self, key: &str) -> Result<Option<i64>, ApiError> {
        match self.last(key) {
            None => Ok(None),
            Some(value) => coerce_int(value).map_err(|()| invalid(key)),
        }
    }

    /// An id (Grape's `Integer`), as the id type it names.
    pub fn id<T: From<i64>>(&self, key: &str) -> Result<Option<T>, ApiError> {
        Ok(self.int(key)?.map(T::from))
    }

    /// A boolean, as Grape coerces one: `true`/`false`, `1`/`0`, `t`/`f`, `yes`/`no`, `on`/`off`,
    /// `y`/`n`, in the spellings dry-types knows (`True`, as python-gitlab sends it, is one).
    pub fn bool(&self, key: &str) -> Result<Option<bool>, ApiError> {
        match self.last(key) {
            None => Ok(None),
            Some(value) => coerce_bool(value).map_err(|()| invalid(key)),
        }
    }

    pub fn flag(&self, key: &str) -> Result<bool, ApiError> {
        Ok(self.bool(key)?.unwrap_or(false))
    }

    /// A list of integers: `key[]=1&key[]=2`, `key=1,2`, or a JSON array.
    pub fn int_list(&self, key: &str) -> Result<Vec<i64>, ApiError> {
        let mut out = Vec::new();
        for value in self.all(key) {
            out.extend(coerce_ints(value).map_err(|()| invalid(key))?);
        }
        if out.len() > MAX_LIST {
            return Err(ApiError(ServiceError::Params(format!(
                "{key} must be at the most {MAX_LIST} in length"
            ))));
        }
        Ok(out)
    }

    /// A list of ids ([`Params::int_list`]), as the id type they name.
    pub fn id_list<T: From<i64>>(&self, key: &str) -> Result<Vec<T>, ApiError> {
        Ok(self.int_list(key)?.into_iter().map(T::from).collect())
    }

    /// A list of strings: `key[]=a&key[]=b`, `key=a,b`, or a JSON array.
    pub fn text_list(&self, key: &str) -> Result<Vec<String>, ApiError> {
        let mut out = Vec::new();
        for value in self.all(key) {
            out.extend(coerce_texts(value).map_err(|()| invalid(key))?);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_by_type() {
        let p = Params::from_pairs(&[
            ("a", "True"),
            ("n", "12"),
            ("bad", "x1"),
            ("ids[]", "3"),
            ("ids[]", "4"),
            ("csv", "5,6"),
            ("yes", "yes"),
            ("odd", "tRuE"),
        ]);
        assert_eq!(p.bool("a").ok().flatten(), Some(true));
        assert_eq!(p.bool("yes").ok().flatten(), Some(true));
        assert!(p.bool("odd").is_err());
        assert_eq!(p.int("n").ok().flatten(), Some(12));
        assert!(p.int("bad").is_err());
        assert!(p.bool("n").is_err());
        assert_eq!(p.int_list("ids").ok(), Some(vec![3, 4]));
        assert_eq!(p.int_list("csv").ok(), Some(vec![5, 6]));
        assert_eq!(p.text("missing").ok().flatten(), None);
    }
}

/// GitLab's `HandleMalformedStrings` middleware, before anything else reads the request (so
/// before authentication): a NUL byte or text that is not UTF-8 in the path or the query,
/// percent-decoded, is a plain `Bad Request`. (The body's parameters are checked as they are
/// read, by [`Params`].)
pub async fn refuse_malformed_strings(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    if body::uri_is_malformed(request.uri()) {
        return ApiError(ServiceError::MalformedString).into_response();
    }
    next.run(request).await
}

/// Path parameters (`{id}`, `{user_id}`...), as axum's `Path` but answering a value that does
/// not fit (`/users/abc`, an id past 64 bits, broken percent-encoding) with GitLab's JSON 400.
#[derive(Debug)]
pub struct Path<T>(pub T);

impl<S, T> axum::extract::FromRequestParts<S> for Path<T>
where
    S: Send + Sync,
    T: serde::de::DeserializeOwned + Send,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Path<T>, ApiError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Path(value)),
            Err(rejection) => Err(body::malformed(&rejection.body_text())),
        }
    }
}
