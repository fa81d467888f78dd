//! Request parameters as GitLab reads them: from the query string, a JSON body or a form body,
//! merged (the body wins). python-gitlab sends keyword arguments in the query string even on
//! POST; the `gitlab` crate sends forms; others send JSON.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use orgcells_core::invalid::Invalid;
use serde_json::Value;

use crate::error::ApiError;

/// The merged parameters of a request.
#[derive(Debug, Clone, Default)]
pub struct Params {
    values: Vec<(String, Value)>,
}

fn malformed(what: &str) -> ApiError {
    ApiError(orgcells_service::ServiceError::BadRequest(format!(
        "400 Bad request - {what}"
    )))
}

impl<S: Send + Sync> FromRequest<S> for Params {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Params, ApiError> {
        let mut values: Vec<(String, Value)> = Vec::new();
        if let Some(query) = req.uri().query() {
            let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query)
                .map_err(|_| malformed("the query string is malformed"))?;
            values.extend(pairs.into_iter().map(|(k, v)| (k, Value::String(v))));
        }
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase();
        let body = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError(orgcells_service::ServiceError::TooLarge(
                    "413 Request Entity Too Large - the body is larger than 2 MiB".into(),
                ))
            } else {
                malformed("the body could not be read")
            }
        })?;
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Params { values });
        }
        if content_type.starts_with("application/x-www-form-urlencoded") {
            let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
                .map_err(|_| malformed("the form body is malformed"))?;
            values.extend(pairs.into_iter().map(|(k, v)| (k, Value::String(v))));
        } else if content_type.starts_with("multipart/") {
            return Err(malformed("multipart bodies are not supported here"));
        } else {
            // JSON, whether or not the client said so.
            match serde_json::from_slice::<Value>(&body) {
                Ok(Value::Object(map)) => values.extend(map),
                Ok(_) => return Err(malformed("the JSON body must be an object")),
                Err(_) => return Err(malformed("the JSON body is malformed")),
            }
        }
        Ok(Params { values })
    }
}

fn invalid(field: &str, message: &str) -> ApiError {
    ApiError::from(Invalid::field(field, message))
}

impl Params {
    /// Parameters from pairs (for tests and internal use).
    pub fn from_pairs(pairs: &[(&str, &str)]) -> Params {
        Params {
            values: pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), Value::String((*v).to_owned())))
                .collect(),
        }
    }

    fn last(&self, key: &str) -> Option<&Value> {
        self.values
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    pub fn has(&self, key: &str) -> bool {
        self.last(key).is_some()
    }

    /// A text parameter; numbers and booleans are taken as their text.
    pub fn text(&self, key: &str) -> Result<Option<String>, ApiError> {
        match self.last(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(Value::Bool(b)) => Ok(Some(b.to_string())),
            Some(_) => Err(invalid(key, "is invalid")),
        }
    }

    /// An integer parameter.
    pub fn int(&self, key: &str) -> Result<Option<i64>, ApiError> {
        match self.last(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n
                .as_i64()
                .map(Some)
                .ok_or_else(|| invalid(key, "is invalid")),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => s
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| invalid(key, "is invalid")),
            Some(_) => Err(invalid(key, "is invalid")),
        }
    }

    /// A boolean: `true`/`false` in any case (python-gitlab sends `True`), `1`/`0`.
    pub fn bool(&self, key: &str) -> Result<Option<bool>, ApiError> {
        match self.last(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::Number(n)) => match n.as_i64() {
                Some(0) => Ok(Some(false)),
                Some(1) => Ok(Some(true)),
                _ => Err(invalid(key, "is invalid")),
            },
            Some(Value::String(s)) => match s.to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" | "t" => Ok(Some(true)),
                "false" | "0" | "no" | "f" => Ok(Some(false)),
                _ => Err(invalid(key, "is invalid")),
            },
            Some(_) => Err(invalid(key, "is invalid")),
        }
    }

    pub fn flag(&self, key: &str) -> Result<bool, ApiError> {
        Ok(self.bool(key)?.unwrap_or(false))
    }

    /// A list of integers: `key[]=1&key[]=2`, `key=1,2`, or a JSON array.
    pub fn int_list(&self, key: &str) -> Result<Vec<i64>, ApiError> {
        let array_key = format!("{key}[]");
        let mut out = Vec::new();
        for (k, v) in &self.values {
            if k != key && *k != array_key {
                continue;
            }
            let items: Vec<Value> = match v {
                Value::Array(items) => items.clone(),
                Value::String(s) => s
                    .split(',')
                    .filter(|p| !p.trim().is_empty())
                    .map(|p| Value::String(p.trim().to_owned()))
                    .collect(),
                other => vec![other.clone()],
            };
            for item in items {
                let id = match item {
                    Value::Number(n) => n.as_i64(),
                    Value::String(s) => s.parse().ok(),
                    _ => None,
                };
                out.push(id.ok_or_else(|| invalid(key, "is invalid"))?);
            }
        }
        Ok(out)
    }

    /// A list of strings: `key[]=a&key[]=b`, or a JSON array.
    pub fn text_list(&self, key: &str) -> Result<Vec<String>, ApiError> {
        let array_key = format!("{key}[]");
        let mut out = Vec::new();
        for (k, v) in &self.values {
            if k != key && *k != array_key {
                continue;
            }
            match v {
                Value::Array(items) => {
                    for item in items {
                        match item {
                            Value::String(s) => out.push(s.clone()),
                            _ => return Err(invalid(key, "is invalid")),
                        }
                    }
                }
                Value::String(s) => out.extend(
                    s.split(',')
                        .map(str::trim)
                        .filter(|p| !p.is_empty())
                        .map(str::to_owned),
                ),
                _ => return Err(invalid(key, "is invalid")),
            }
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
        ]);
        assert_eq!(p.bool("a").ok().flatten(), Some(true));
        assert_eq!(p.int("n").ok().flatten(), Some(12));
        assert!(p.int("bad").is_err());
        assert!(p.bool("n").is_err());
        assert_eq!(p.int_list("ids").ok(), Some(vec![3, 4]));
        assert_eq!(p.int_list("csv").ok(), Some(vec![5, 6]));
        assert_eq!(p.text("missing").ok().flatten(), None);
    }
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
            Err(rejection) => Err(malformed(&rejection.body_text())),
        }
    }
}
