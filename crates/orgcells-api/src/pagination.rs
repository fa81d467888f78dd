//! GitLab's pagination: offset (`page`, `per_page` up to 100, `X-Total`..., an absolute `Link`)
//! and keyset (`pagination=keyset`, a `Link` to the next page only).

use axum::http::{HeaderMap, HeaderName, HeaderValue, Uri};
use axum::response::{IntoResponse, Response};
use orgcells_service::{Listed, PageRequest, ServiceError};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;

use crate::error::ApiError;
use crate::params::Params;

pub const MAX_PER_PAGE: i64 = 100;
pub const DEFAULT_PER_PAGE: i64 = 20;
const MAX_PAGE: i64 = 10_000_000;
/// Above this many rows, GitLab drops `X-Total`, `X-Total-Pages` and `rel="last"`.
pub const COUNT_LIMIT: i64 = 10_000;

/// Reads `page`, `per_page`, `pagination` and `cursor`. `keyset_allowed` says whether keyset
/// pagination is offered for the requested order (405 otherwise, as GitLab).
pub fn page_request(params: &Params, keyset_allowed: bool) -> Result<PageRequest, ApiError> {
    let per_page = params
        .int("per_page")?
        .unwrap_or(DEFAULT_PER_PAGE)
        .clamp(1, MAX_PER_PAGE);
    // Pages past a billion rows hold nothing; the cap keeps page arithmetic from overflowing.
    let page = params.int("page")?.unwrap_or(1).clamp(1, MAX_PAGE);
    let keyset = params.text("pagination")?.as_deref() == Some("keyset");
    if keyset && !keyset_allowed {
        return Err(ApiError(ServiceError::NotAllowed(
            "Keyset pagination is not yet available for this type of request".into(),
        )));
    }
    let after = match (
        params.text("cursor")?,
        params.int("id_after")?.or(params.int("id_before")?),
    ) {
        (Some(cursor), _) if keyset => {
            let (id, key) = cursor.split_once(':').unwrap_or((cursor.as_str(), ""));
            let id = id.parse().map_err(|_| {
                ApiError::from(orgcells_core::invalid::Invalid::field(
                    "cursor",
                    "is invalid",
                ))
            })?;
            Some((key.to_owned(), id))
        }
        (_, Some(id)) if keyset => Some((String::new(), id)),
        _ => None,
    };
    let descending = params.text("sort")?.as_deref() == Some("desc");
    Ok(PageRequest {
        page,
        per_page,
        after,
        keyset,
        descending,
    })
}

/// Rebuilds the request's URL (absolute, from the external URL) with some parameters replaced.
fn link(base: &str, uri: &Uri, replace: &[(&str, String)]) -> String {
    let pairs: Vec<(String, String)> = uri
        .query()
        .and_then(|q| serde_urlencoded::from_str(q).ok())
        .unwrap_or_default();
    let mut query: Vec<String> = pairs
        .into_iter()
        .filter(|(k, _)| !replace.iter().any(|(r, _)| r == k))
        .map(|(k, v)| {
            format!(
                "{}={}",
                utf8_percent_encode(&k, NON_ALPHANUMERIC),
                utf8_percent_encode(&v, NON_ALPHANUMERIC)
            )
        })
        .collect();
    // An empty replacement removes the parameter.
    for (k, v) in replace.iter().filter(|(_, v)| !v.is_empty()) {
        query.push(format!("{k}={}", utf8_percent_encode(v, NON_ALPHANUMERIC)));
    }
    format!("{base}{}?{}", uri.path(), query.join("&"))
}

fn put(headers: &mut HeaderMap, name: &'static str, value: String) {
    if let Ok(value) = HeaderValue::from_str(&value) {
        headers.insert(HeaderName::from_static(name), value);
    }
}

/// A list response with GitLab's pagination headers. `key` gives the keyset cursor of a row.
pub fn respond<T, E: Serialize>(
    base: &str,
    uri: &Uri,
    page: &PageRequest,
    listed: Listed<T>,
    key: impl Fn(&T) -> (String, i64),
    present: impl Fn(T) -> E,
) -> Response {
    let mut headers = HeaderMap::new();
    let mut items = listed.items;
    let mut links = Vec::new();
    if page.keyset {
        if items.len() as i64 > page.per_page {
            items.truncate(page.per_page as usize);
            if let Some(last) = items.last() {
                // Lists ordered by id page with `id_after` (`id_before` descending), as GitLab's
                // projects and users; others with an opaque `cursor`.
                let (value, id) = key(last);
                let next = if value.is_empty() {
                    let param = if page.descending {
                        "id_before"
                    } else {
                        "id_after"
                    };
                    link(
                        base,
                        uri,
                        &[(param, id.to_string()), ("cursor", String::new())],
                    )
                } else {
                    link(
                        base,
                        uri,
                        &[
                            ("cursor", format!("{id}:{value}")),
                            ("id_after", String::new()),
                        ],
                    )
                };
                links.push(format!("<{next}>; rel=\"next\""));
            }
        }
        put(&mut headers, "x-per-page", page.per_page.to_string());
    } else {
        let current = page.page;
        let total = listed.total.filter(|t| *t <= COUNT_LIMIT);
        let has_next = match total {
            Some(total) => current * page.per_page < total,
            None => items.len() as i64 == page.per_page,
        };
        put(&mut headers, "x-page", current.to_string());
        put(&mut headers, "x-per-page", page.per_page.to_string());
        put(
            &mut headers,
            "x-next-page",
            if has_next {
                (current + 1).to_string()
            } else {
                String::new()
            },
        );
        put(
            &mut headers,
            "x-prev-page",
            if current > 1 {
                (current - 1).to_string()
            } else {
                String::new()
            },
        );
        let page_link = |n: i64| {
            link(
                base,
                uri,
                &[
                    ("page", n.to_string()),
                    ("per_page", page.per_page.to_string()),
                ],
            )
        };
        if current > 1 {
            links.push(format!("<{}>; rel=\"prev\"", page_link(current - 1)));
        }
        if has_next {
            links.push(format!("<{}>; rel=\"next\"", page_link(current + 1)));
        }
        links.push(format!("<{}>; rel=\"first\"", page_link(1)));
        if let Some(total) = total {
            let pages = ((total + page.per_page - 1) / page.per_page).max(1);
            put(&mut headers, "x-total", total.to_string());
            put(&mut headers, "x-total-pages", pages.to_string());
            links.push(format!("<{}>; rel=\"last\"", page_link(pages)));
        }
    }
    if !links.is_empty() {
        put(&mut headers, "link", links.join(", "));
    }
    let body: Vec<E> = items.into_iter().map(present).collect();
    (headers, axum::Json(body)).into_response()
}
