//! The parameters of a request whose owner is named only in its body (creating a Group, a
//! Project or an Organization): its query's, then its body's when that is JSON or a form of at
//! most [`MAX_BODY`] bytes. A multipart body (an avatar upload) is not read: such a request is
//! classified by its query alone, and streamed on untouched.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::response::Response;
use http::StatusCode;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE};

use crate::forward::message;

/// The most of a creation's body the router reads to classify it.
pub const MAX_BODY: usize = 64 * 1024;

/// The request's parameters by name (the body's after the query's, so a later one wins), and
/// the request to send on, its body put back.
pub async fn params(request: Request) -> Result<(Vec<(String, String)>, Request), Response> {
    let mut params: Vec<(String, String)> = request
        .uri()
        .query()
        .and_then(|query| serde_urlencoded::from_str(query).ok())
        .unwrap_or_default();
    let kind = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .map(|value| {
            value
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    // As the Cells read a body: no media type is JSON.
    let json = kind.is_empty() || kind == "application/json" || kind.ends_with("+json");
    let form = kind == "application/x-www-form-urlencoded";
    if !json && !form {
        return Ok((params, request));
    }
    let declared = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<usize>().ok());
    if declared.is_some_and(|length| length > MAX_BODY) {
        return Err(too_large());
    }
    let (parts, body) = request.into_parts();
    let bytes = to_bytes(body, MAX_BODY).await.map_err(|_| too_large())?;
    if json {
        if let Ok(serde_json::Value::Object(fields)) = serde_json::from_slice(&bytes) {
            for (name, value) in fields {
                // A body's value, null included, takes the place of the query's, as the Cells
                // merge them.
                params.retain(|(n, _)| *n != name);
                match value {
                    serde_json::Value::String(text) => params.push((name, text)),
                    serde_json::Value::Number(number) => params.push((name, number.to_string())),
                    _ => {}
                }
            }
        }
    } else if let Ok(fields) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes) {
        params.extend(fields);
    }
    Ok((params, Request::from_parts(parts, Body::from(bytes))))
}

fn too_large() -> Response {
    message(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("a request creating a Group, Project or Organization is at most {MAX_BODY} bytes"),
    )
}

/// The last value of `name` among `params`.
pub fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .rev()
        .find(|(n, _)| n == name)
        .map(|(_, value)| value.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(query: &str, kind: Option<&str>, body: &str) -> Request {
        let mut builder = Request::builder()
            .method("POST")
            .uri(format!("/api/v4/groups{query}"));
        if let Some(kind) = kind {
            builder = builder.header(CONTENT_TYPE, kind);
        }
        builder.body(Body::from(body.to_owned())).expect("request")
    }

    #[tokio::test]
    async fn parameters_come_from_the_query_then_the_body() {
        // (query, content type, body, parent_id read); one line per way a client sends it.
        let cases: &[(&str, Option<&str>, &str, Option<&str>)] = &[
            ("?parent_id=7", Some("text/plain"), "", Some("7")),
            (
                "",
                Some("application/json"),
                r#"{"parent_id": 9, "name": "x"}"#,
                Some("9"),
            ),
            (
                "",
                Some("application/json; charset=utf-8"),
                r#"{"parent_id": "9"}"#,
                Some("9"),
            ),
            (
                "",
                Some("application/x-www-form-urlencoded"),
                "name=x&parent_id=11",
                Some("11"),
            ),
            (
                "?parent_id=1",
                Some("application/json"),
                r#"{"parent_id": 2}"#,
                Some("2"),
            ),
            ("", Some("application/json"), "not json", None),
            ("", Some("application/json"), r#"{"parent_id": [1]}"#, None),
            ("", Some("multipart/form-data; boundary=x"), "--x--", None),
            ("", None, r#"{"parent_id": 5}"#, Some("5")),
            (
                "?parent_id=1",
                Some("application/json"),
                r#"{"parent_id": null}"#,
                None,
            ),
        ];
        for (query, kind, body, expected) in cases {
            let (params, sent) = params(request(query, *kind, body)).await.expect("read");
            assert_eq!(
                param(&params, "parent_id"),
                *expected,
                "{query} {kind:?} {body}"
            );
            let left = to_bytes(sent.into_body(), usize::MAX).await.expect("body");
            assert_eq!(left, body.as_bytes(), "the body is sent on whole");
        }
    }

    #[tokio::test]
    async fn a_large_body_is_refused() {
        let body = format!(r#"{{"name": "{}"}}"#, "x".repeat(MAX_BODY));
        let refused = params(request("", Some("application/json"), &body))
            .await
            .expect_err("too large");
        assert_eq!(refused.status(), StatusCode::PAYLOAD_TOO_LARGE);
    }
}
