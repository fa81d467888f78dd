//! Reading a request into [`Params`]: the query string, then the body by its `Content-Type`.

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{Method, StatusCode, header};
use orgcells_service::ServiceError;
use serde_json::Value;

use super::Params;
use crate::error::ApiError;

pub(super) fn malformed(what: &str) -> ApiError {
    ApiError(ServiceError::BadRequest(format!(
        "400 Bad request - {what}"
    )))
}

/// A NUL byte or text that is not UTF-8: GitLab's plain `Bad Request`.
fn malformed_string() -> ApiError {
    ApiError(ServiceError::MalformedString)
}

fn too_large() -> ApiError {
    ApiError(ServiceError::TooLarge(
        "413 Request Entity Too Large - the body is larger than 2 MiB".into(),
    ))
}

/// How a body is read, from its media type (the `Content-Type` without its parameters).
#[derive(Debug, PartialEq, Eq)]
enum BodyKind {
    Json,
    Form,
    Multipart,
    /// Taken, not read: its parameters are missing.
    Text,
    Unsupported(String),
}

fn body_kind(headers: &axum::http::HeaderMap) -> BodyKind {
    let Some(raw) = headers.get(header::CONTENT_TYPE) else {
        return BodyKind::Json;
    };
    let Ok(raw) = raw.to_str() else {
        return BodyKind::Unsupported(String::from_utf8_lossy(raw.as_bytes()).into_owned());
    };
    let media = raw
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    match media.as_str() {
        "" | "application/json" => BodyKind::Json,
        "application/x-www-form-urlencoded" => BodyKind::Form,
        "multipart/form-data" => BodyKind::Multipart,
        "text/plain" => BodyKind::Text,
        m if m.starts_with("application/") && m.ends_with("+json") => BodyKind::Json,
        _ => BodyKind::Unsupported(media),
    }
}

/// Whether the text holds a NUL byte.
fn has_nul(text: &str) -> bool {
    text.contains('\0')
}

/// Whether a JSON value holds a NUL byte in any string or key.
fn json_has_nul(value: &Value) -> bool {
    match value {
        Value::String(s) => has_nul(s),
        Value::Array(items) => items.iter().any(json_has_nul),
        Value::Object(map) => map.iter().any(|(k, v)| has_nul(k) || json_has_nul(v)),
        _ => false,
    }
}

/// One `application/x-www-form-urlencoded` component: `+` is a space, `%XX` a byte, and the
/// bytes must be UTF-8 (no replacement characters slipped in).
fn decode_component(raw: &[u8]) -> Result<String, ApiError> {
    let spaced: Vec<u8> = raw
        .iter()
        .map(|b| if *b == b'+' { b' ' } else { *b })
        .collect();
    let bytes: Vec<u8> = percent_encoding::percent_decode(&spaced).collect();
    let text = String::from_utf8(bytes).map_err(|_| malformed_string())?;
    if has_nul(&text) {
        return Err(malformed_string());
    }
    Ok(text)
}

/// The pairs of a query string or form body.
fn decode_pairs(raw: &[u8]) -> Result<Vec<(String, Value)>, ApiError> {
    let mut out = Vec::new();
    for pair in raw.split(|b| *b == b'&').filter(|p| !p.is_empty()) {
        let (key, value) = match pair.iter().position(|b| *b == b'=') {
            Some(at) => (&pair[..at], &pair[at + 1..]),
            None => (pair, &[][..]),
        };
        out.push((
            decode_component(key)?,
            Value::String(decode_component(value)?),
        ));
    }
    Ok(out)
}

/// Whether a request's path or query, percent-decoded, holds a NUL byte or is not UTF-8.
pub(super) fn uri_is_malformed(uri: &axum::http::Uri) -> bool {
    let malformed = |raw: &str| {
        let bytes: Vec<u8> = percent_encoding::percent_decode_str(raw).collect();
        bytes.contains(&0) || std::str::from_utf8(&bytes).is_err()
    };
    malformed(uri.path()) || uri.query().is_some_and(malformed)
}

async fn read_multipart(
    content_type: &axum::http::HeaderValue,
    body: Bytes,
    values: &mut Vec<(String, Value)>,
    files: &mut Vec<(String, Vec<u8>)>,
) -> Result<(), ApiError> {
    let request = Request::builder()
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body))
        .map_err(|_| malformed("the multipart body is malformed"))?;
    let mut multipart = Multipart::from_request(request, &())
        .await
        .map_err(|_| malformed("the multipart body is malformed"))?;
    let broken = |error: axum::extract::multipart::MultipartError| {
        if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            malformed("the multipart body is malformed")
        }
    };
    while let Some(field) = multipart.next_field().await.map_err(broken)? {
        let name = field.name().map(str::to_owned);
        let is_file = field.file_name().is_some();
        let bytes = field.bytes().await.map_err(broken)?;
        let Some(name) = name else {
            continue;
        };
        if is_file {
            files.push((name, bytes.to_vec()));
            continue;
        }
        let text = String::from_utf8(bytes.to_vec()).map_err(|_| malformed_string())?;
        if has_nul(&name) || has_nul(&text) {
            return Err(malformed_string());
        }
        values.push((name, Value::String(text)));
    }
    Ok(())
}

impl<S: Send + Sync> FromRequest<S> for Params {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Params, ApiError> {
        if uri_is_malformed(req.uri()) {
            return Err(malformed_string());
        }
        let mut values = match req.uri().query() {
            Some(query) => decode_pairs(query.as_bytes())?,
            None => Vec::new(),
        };
        // Grape reads the bodies of POST, PUT, PATCH and DELETE only.
        if matches!(*req.method(), Method::GET | Method::HEAD) {
            return Ok(Params {
                values,
                files: Vec::new(),
            });
        }
        let kind = body_kind(req.headers());
        let content_type = req.headers().get(header::CONTENT_TYPE).cloned();
        let body = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                too_large()
            } else {
                malformed("the body could not be read")
            }
        })?;
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Params {
                values,
                files: Vec::new(),
            });
        }
        let mut files = Vec::new();
        match kind {
            BodyKind::Json if std::str::from_utf8(&body).is_err() => {
                return Err(malformed_string());
            }
            BodyKind::Json => match serde_json::from_slice::<Value>(&body) {
                Ok(Value::Object(map)) => {
                    if map.iter().any(|(k, v)| has_nul(k) || json_has_nul(v)) {
                        return Err(malformed_string());
                    }
                    values.extend(map);
                }
                Ok(_) => return Err(malformed("the JSON body must be an object")),
                Err(_) => return Err(malformed("the JSON body is malformed")),
            },
            BodyKind::Form => values.extend(decode_pairs(&body)?),
            BodyKind::Multipart => {
                if let Some(content_type) = content_type {
                    read_multipart(&content_type, body, &mut values, &mut files).await?;
                }
            }
            BodyKind::Text => {}
            BodyKind::Unsupported(media) => {
                return Err(ApiError(ServiceError::UnsupportedMediaType(format!(
                    "The provided content-type '{media}' is not supported."
                ))));
            }
        }
        Ok(Params { values, files })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_by_content_type() {
        let kind = |value: &str| {
            let mut headers = axum::http::HeaderMap::new();
            headers.insert(
                header::CONTENT_TYPE,
                axum::http::HeaderValue::from_str(value).expect("header"),
            );
            body_kind(&headers)
        };
        assert_eq!(body_kind(&axum::http::HeaderMap::new()), BodyKind::Json);
        assert_eq!(kind("application/json; charset=utf-8"), BodyKind::Json);
        assert_eq!(kind("Application/JSON"), BodyKind::Json);
        assert_eq!(kind("application/vnd.api+json"), BodyKind::Json);
        assert_eq!(kind("application/x-www-form-urlencoded"), BodyKind::Form);
        assert_eq!(kind("multipart/form-data; boundary=x"), BodyKind::Multipart);
        assert_eq!(kind("text/plain"), BodyKind::Text);
        assert_eq!(
            kind("text/xml"),
            BodyKind::Unsupported("text/xml".to_owned())
        );
    }
}
