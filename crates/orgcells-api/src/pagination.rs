//! GitLab's pagination: offset (`page`, `per_page` up to 100, `X-Total`..., an absolute `Link`)
//! and keyset (`pagination=keyset`, a `Link` to the next page only).

use axum::http::{HeaderMap, HeaderName, HeaderValue, Uri};
use axum::response::{IntoResponse, Response};
use orgcells_core::paging;
use orgcells_service::{Listed, PageRequest, ServiceError};
use serde::Serialize;

use crate::error::ApiError;
use crate::params::Params;

pub use orgcells_core::paging::{COUNT_LIMIT, DEFAULT_PER_PAGE, MAX_PER_PAGE};
const MAX_PAGE: i64 = 10_000_000;

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
    // Encoded as Rails' `to_query` does: `_`, `-`, `.` and `*` kept, spaces as `+`.
    let query = serde_urlencoded::to_string(paging::replaced(&pairs, replace)).unwrap_or_default();
    format!("{base}{}?{query}", uri.path())
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
    let mut items = listed.items;
    let shown = if page.keyset {
        let mut next = None;
        if items.len() as i64 > page.per_page {
            items.truncate(page.per_page as usize);
            // Lists ordered by id page with `id_after` (`id_before` descending), as GitLab's
            // projects and users; others with an opaque `cursor`.
            next = items.last().map(|last| match key(last) {
                (value, id) if value.is_empty() => {
                    let param = if page.descending {
                        "id_before"
                    } else {
                        "id_after"
                    };
                    vec![(param, id.to_string()), ("cursor", String::new())]
                }
                (value, id) => vec![
                    ("cursor", format!("{id}:{value}")),
                    ("id_after", String::new()),
                ],
            });
        }
        paging::Page::Keyset {
            per_page: page.per_page,
            next,
        }
    } else {
        let total = listed.total.filter(|t| *t <= COUNT_LIMIT);
        let has_next = match total {
            Some(total) => page.page * page.per_page < total,
            None => items.len() as i64 == page.per_page,
        };
        paging::Page::Offset {
            page: page.page,
            per_page: page.per_page,
            has_next,
            total,
        }
    };
    let mut headers = HeaderMap::new();
    for (name, value) in paging::headers(&shown, |replace| link(base, uri, replace)) {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(HeaderName::from_static(name), value);
        }
    }
    let body: Vec<E> = items.into_iter().map(present).collect();
    (headers, axum::Json(body)).into_response()
}
