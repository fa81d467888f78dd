//! The cluster's lists (`GET /api/v4/groups`, `/projects`, `/namespaces`, `/organizations`
//! that name no Organization, and `/users/:id/memberships`), answered by every Cell with its
//! share and merged into one list in the list's order, as one Cell holding everything would
//! answer it.
//!
//! Each Cell is asked the client's own request (the same caller, filters and order) for the
//! rows the merged page can draw from it: an offset page `p` of `n` needs at most a Cell's first
//! `p × n` rows (fetched in pages of 100), a keyset page its next `n` after the same cursor (a
//! cursor is a row's sort value and id, which mean the same on every Cell). The rows are merged
//! by the order the Cells' stores sort by (the order's field, then the id, both one way), and
//! the page is cut from the merged list. `X-Total` is the Cells' totals summed; the links are
//! the router's. Offset pages reach 10,000 rows; past that, keyset pages go on.
//!
//! A Cell that cannot answer fails the whole list (503 or 504): a list that silently left one
//! Cell out would be wrong. A Cell that refuses the request (a bad parameter, a bad token)
//! refuses it for all: its answer is given as it is.

use std::cmp::Ordering;
use std::net::SocketAddr;

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::{StatusCode, Uri};
use orgcells_core::paging::{self, COUNT_LIMIT, DEFAULT_PER_PAGE, MAX_PER_PAGE, Page};
use orgcells_core::routing::Spanning;
use orgcells_topology::CellEntry;
use serde_json::Value;

use crate::forward::{Fetched, Upstream, message};

/// The deepest row an offset page may reach (GitLab caps offsets likewise, and points to keyset
/// pagination).
pub const MAX_OFFSET: i64 = 10_000;

/// What a list is sorted by, as the Cells' stores sort it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// The id alone.
    Id,
    /// A text field (a name, a path, a timestamp in GitLab's fixed-width format), then the id.
    Field(&'static str),
    /// By the id of a row the answer does not show (a membership's): each Cell's rows in its
    /// order, Cell after Cell, since every Cell's ids lie above those of the Cells before it.
    CellOrder,
}

/// A list's order: its key, one way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Order {
    pub key: Key,
    pub descending: bool,
}

/// The order of `list` given the request's parameters, as each Cell reads them (an order it
/// does not offer falls back to the list's default there too).
pub fn order<'a>(list: Spanning, param: impl Fn(&str) -> Option<&'a str>) -> Order {
    let order_by = param("order_by");
    let sort = param("sort");
    match list {
        Spanning::Groups => Order {
            key: match order_by {
                Some("id") => Key::Id,
                Some("path") => Key::Field("path"),
                _ => Key::Field("name"),
            },
            descending: sort == Some("desc"),
        },
        Spanning::Projects => Order {
            key: match order_by {
                Some("id") => Key::Id,
                Some(field @ ("name" | "path" | "updated_at" | "last_activity_at")) => {
                    Key::Field(static_field(field))
                }
                _ => Key::Field("created_at"),
            },
            // Newest first unless told otherwise, as GitLab.
            descending: sort != Some("asc"),
        },
        // GitLab pages the union of a User's namespaces (all, for an admin) by id.
        Spanning::Namespaces => Order {
            key: Key::Id,
            descending: false,
        },
        Spanning::Organizations => Order {
            key: Key::Id,
            descending: false,
        },
        Spanning::Memberships => Order {
            key: Key::CellOrder,
            descending: false,
        },
    }
}

fn static_field(field: &str) -> &'static str {
    match field {
        "name" => "name",
        "path" => "path",
        "updated_at" => "updated_at",
        _ => "last_activity_at",
    }
}

fn id(row: &Value) -> i64 {
    row.get("id").and_then(Value::as_i64).unwrap_or(0)
}

fn text<'v>(row: &'v Value, field: &str) -> Option<&'v str> {
    row.get(field).and_then(Value::as_str)
}

impl Order {
    /// Which of two rows comes first. Text compares by its bytes, as the Cells' databases do
    /// (SQLite's binary collation; PostgreSQL's columns are `COLLATE "C"`).
    pub fn compare(&self, a: &Value, b: &Value) -> Ordering {
        let ordering = match self.key {
            Key::Id => id(a).cmp(&id(b)),
            Key::Field(field) => text(a, field)
                .cmp(&text(b, field))
                .then_with(|| id(a).cmp(&id(b))),
            // The sort is stable and the shares come Cell after Cell.
            Key::CellOrder => Ordering::Equal,
        };
        if self.descending {
            ordering.reverse()
        } else {
            ordering
        }
    }

    /// The parameters of the keyset page after `last`, as a Cell writes them: `id_after`
    /// (`id_before` descending) for lists by id, else an opaque `cursor` of id and value.
    fn after(&self, last: &Value) -> [(&'static str, String); 2] {
        match self.key {
            Key::Field(field) => [
                (
                    "cursor",
                    format!("{}:{}", id(last), text(last, field).unwrap_or_default()),
                ),
                ("id_after", String::new()),
            ],
            Key::Id | Key::CellOrder => [
                (
                    if self.descending {
                        "id_before"
                    } else {
                        "id_after"
                    },
                    id(last).to_string(),
                ),
                ("cursor", String::new()),
            ],
        }
    }
}

/// The page a request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub page: i64,
    pub per_page: i64,
    pub keyset: bool,
}

/// The page the request's parameters ask for, read as each Cell reads them; `None` when they
/// are not numbers (each Cell refuses that, so the first Cell's answer is given).
pub fn paging<'a>(param: impl Fn(&str) -> Option<&'a str>) -> Option<Paging> {
    let number = |name: &str| match param(name) {
        None | Some("") => Some(None),
        Some(value) => value.trim().parse::<i64>().ok().map(Some),
    };
    Some(Paging {
        per_page: number("per_page")?
            .unwrap_or(DEFAULT_PER_PAGE)
            .clamp(1, MAX_PER_PAGE),
        page: number("page")?
            .unwrap_or(1)
            .clamp(1, i64::MAX / MAX_PER_PAGE),
        keyset: param("pagination") == Some("keyset"),
    })
}

/// One Cell's share of a list.
#[derive(Debug, Default)]
pub struct Share {
    pub rows: Vec<Value>,
    /// The Cell's `X-Total`, when it gave one.
    pub total: Option<i64>,
    /// Whether the Cell has rows past those given.
    pub more: bool,
}

/// A merged page: its rows, and the parameters of the pages its links name.
#[derive(Debug, PartialEq)]
pub struct Merged {
    pub rows: Vec<Value>,
    pub total: Option<i64>,
    pub next: Option<paging::Replace>,
}

/// Merges the Cells' shares into the page `paging` asks for.
pub fn merge(order: Order, paging: Paging, shares: Vec<Share>) -> Merged {
    let more = shares.iter().any(|share| share.more);
    let total = shares
        .iter()
        .map(|share| share.total)
        .sum::<Option<i64>>()
        .filter(|total| *total <= COUNT_LIMIT);
    let mut rows: Vec<Value> = shares.into_iter().flat_map(|share| share.rows).collect();
    rows.sort_by(|a, b| order.compare(a, b));
    // An Organization between the switch of its move and the source's cleaning is on two
    // Cells for a moment: each row once.
    if order.key != Key::CellOrder {
        let mut seen = std::collections::HashSet::with_capacity(rows.len());
        rows.retain(|row| seen.insert(id(row)));
    }
    let per_page = paging.per_page as usize;
    if paging.keyset {
        let next = (rows.len() > per_page || more)
            .then(|| rows.get(per_page.min(rows.len()).saturating_sub(1)))
            .flatten()
            .map(|last| order.after(last).to_vec());
        rows.truncate(per_page);
        return Merged {
            rows,
            total: None,
            next,
        };
    }
    let offset = ((paging.page - 1) * paging.per_page) as usize;
    let has_next = match total {
        Some(total) => paging.page * paging.per_page < total,
        None => rows.len() > offset + per_page || more,
    };
    let page: Vec<Value> = rows.into_iter().skip(offset).take(per_page).collect();
    Merged {
        rows: page,
        total,
        next: has_next.then(|| vec![("page", (paging.page + 1).to_string())]),
    }
}

/// A Cell's share, read from its answer to one page.
fn share(fetched: &Fetched) -> Option<Share> {
    let rows: Vec<Value> = serde_json::from_slice(&fetched.body).ok()?;
    let header = |name: &str| {
        fetched
            .headers
            .get(name)
            .and_then(|value| value.to_str().ok())
    };
    let next_page = header("x-next-page").is_some_and(|next| !next.is_empty());
    let next_link = header("link").is_some_and(|link| link.contains("rel=\"next\""));
    Some(Share {
        rows,
        total: header("x-total").and_then(|total| total.parse().ok()),
        more: next_page || next_link,
    })
}

/// The request's query with some parameters replaced (an empty value removes one).
fn with(pairs: &[(String, String)], replace: &[(&str, String)]) -> String {
    serde_urlencoded::to_string(paging::replaced(pairs, replace)).unwrap_or_default()
}

/// What the router needs to answer one merged list.
pub struct Request<'a> {
    pub list: Spanning,
    pub uri: &'a Uri,
    pub headers: &'a HeaderMap,
    pub peer: SocketAddr,
    /// The address clients reach the cluster at, for the links.
    pub base: &'a str,
}

/// Asks every Cell for its share of the list and answers the merged page. `None` when the
/// request's paging is not readable: the caller sends it to one Cell, which refuses it.
pub async fn answer(
    upstream: &Upstream,
    cells: &[CellEntry],
    request: Request<'_>,
) -> Option<Response> {
    let pairs: Vec<(String, String)> = request
        .uri
        .query()
        .and_then(|query| serde_urlencoded::from_str(query).ok())
        .unwrap_or_default();
    let param = |name: &str| {
        pairs
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, value)| value.as_str())
    };
    let paging = paging(param)?;
    let order = order(request.list, param);
    if !paging.keyset && (paging.page - 1) * paging.per_page >= MAX_OFFSET {
        return Some(message(
            StatusCode::METHOD_NOT_ALLOWED,
            format!(
                "Offset pagination has a maximum allowed offset of {MAX_OFFSET} for lists that \
                 span Cells. Remaining records can be retrieved using keyset pagination."
            ),
        ));
    }
    let path = request.uri.path();
    let mut asked = tokio::task::JoinSet::new();
    for (index, cell) in cells.iter().enumerate() {
        let (upstream, cell) = (upstream.clone(), cell.clone());
        let (headers, peer) = (request.headers.clone(), request.peer);
        let pages = cell_pages(paging, &pairs, path);
        asked.spawn(async move {
            let share = cell_share(&upstream, &cell, &pages, &headers, peer).await;
            (index, share)
        });
    }
    let mut shares: Vec<Option<Result<Share, Response>>> = (0..cells.len()).map(|_| None).collect();
    while let Some(joined) = asked.join_next().await {
        match joined {
            Ok((index, share)) => shares[index] = Some(share),
            Err(error) => {
                tracing::error!(%error, "asking a cell for its share of a list");
                return Some(message(StatusCode::BAD_GATEWAY, "a Cell's answer was lost"));
            }
        }
    }
    // The first Cell's refusal, whichever Cell answered first: the same request gets the same
    // answer each time.
    let mut answered = Vec::with_capacity(cells.len());
    for share in shares.into_iter().flatten() {
        match share {
            Ok(share) => answered.push(share),
            Err(refused) => return Some(refused),
        }
    }
    let merged = merge(order, paging, answered);
    Some(respond(&request, &pairs, paging, merged))
}

/// One Cell's share: its answers to `pages`, read until it has no more.
async fn cell_share(
    upstream: &Upstream,
    cell: &CellEntry,
    pages: &[String],
    headers: &HeaderMap,
    peer: SocketAddr,
) -> Result<Share, Response> {
    let mut share = Share::default();
    for (number, page) in pages.iter().enumerate() {
        let fetched = upstream.fetch(cell, page, headers, peer).await?;
        if fetched.status != StatusCode::OK {
            return Err(refusal(fetched));
        }
        let part = self::share(&fetched).ok_or_else(|| {
            message(
                StatusCode::BAD_GATEWAY,
                format!(
                    "Cell {} ({}) gave an answer that is not a list",
                    cell.id, cell.name
                ),
            )
        })?;
        if number == 0 {
            share.total = part.total;
        }
        share.more = part.more;
        share.rows.extend(part.rows);
        if !part.more {
            break;
        }
    }
    Ok(share)
}

/// The pages a Cell is asked for: its first `page × per_page` rows, in pages of at most 100
/// (one page when that is enough); a keyset page as the client asked it.
fn cell_pages(paging: Paging, pairs: &[(String, String)], path: &str) -> Vec<String> {
    if paging.keyset {
        return vec![format!("{path}?{}", with(pairs, &[]))];
    }
    let need = paging.page * paging.per_page;
    let size = need.min(MAX_PER_PAGE);
    let count = (need + size - 1) / size;
    (1..=count)
        .map(|page| {
            let query = with(
                pairs,
                &[("page", page.to_string()), ("per_page", size.to_string())],
            );
            format!("{path}?{query}")
        })
        .collect()
}

/// A Cell's refusal, given to the client as it came.
fn refusal(fetched: Fetched) -> Response {
    let mut answer = Response::new(Body::from(fetched.body));
    *answer.status_mut() = fetched.status;
    for name in [
        header::CONTENT_TYPE,
        header::WWW_AUTHENTICATE,
        header::RETRY_AFTER,
    ] {
        if let Some(value) = fetched.headers.get(&name) {
            answer.headers_mut().insert(name, value.clone());
        }
    }
    answer
}

/// The merged page with GitLab's pagination headers, its links on the router's address.
fn respond(
    request: &Request<'_>,
    pairs: &[(String, String)],
    paging: Paging,
    merged: Merged,
) -> Response {
    let page = if paging.keyset {
        Page::Keyset {
            per_page: paging.per_page,
            next: merged.next,
        }
    } else {
        Page::Offset {
            page: paging.page,
            per_page: paging.per_page,
            has_next: merged.next.is_some(),
            total: merged.total,
        }
    };
    let link = |replace: &[(&str, String)]| {
        format!(
            "{}{}?{}",
            request.base,
            request.uri.path(),
            with(pairs, replace)
        )
    };
    let mut headers = HeaderMap::new();
    for (name, value) in paging::headers(&page, link) {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(HeaderName::from_static(name), value);
        }
    }
    (headers, axum::Json(merged.rows)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn group(id: i64, name: &str) -> Value {
        json!({"id": id, "name": name, "path": name.to_lowercase()})
    }

    fn ids(rows: &[Value]) -> Vec<i64> {
        rows.iter().map(id).collect()
    }

    #[test]
    fn orders_follow_each_cells_store() {
        // (list, order_by, sort, order); one line per rule.
        type Case<'a> = (Spanning, Option<&'a str>, Option<&'a str>, Key, bool);
        let cases: &[Case] = &[
            (Spanning::Groups, None, None, Key::Field("name"), false),
            (
                Spanning::Groups,
                Some("path"),
                Some("desc"),
                Key::Field("path"),
                true,
            ),
            (Spanning::Groups, Some("id"), None, Key::Id, false),
            (
                Spanning::Groups,
                Some("similarity"),
                None,
                Key::Field("name"),
                false,
            ),
            (
                Spanning::Projects,
                None,
                None,
                Key::Field("created_at"),
                true,
            ),
            (Spanning::Projects, Some("id"), Some("asc"), Key::Id, false),
            (
                Spanning::Projects,
                Some("updated_at"),
                None,
                Key::Field("updated_at"),
                true,
            ),
            (
                Spanning::Projects,
                Some("star_count"),
                None,
                Key::Field("created_at"),
                true,
            ),
            (
                Spanning::Namespaces,
                Some("name"),
                Some("desc"),
                Key::Id,
                false,
            ),
            (Spanning::Organizations, None, Some("desc"), Key::Id, false),
            (
                Spanning::Memberships,
                Some("id"),
                None,
                Key::CellOrder,
                false,
            ),
        ];
        for (list, order_by, sort, key, descending) in cases {
            let found = order(*list, |name| match name {
                "order_by" => *order_by,
                "sort" => *sort,
                _ => None,
            });
            assert_eq!(
                found,
                Order {
                    key: *key,
                    descending: *descending
                },
                "{list:?} {order_by:?} {sort:?}"
            );
        }
    }

    #[test]
    fn rows_compare_by_field_then_id_one_way() {
        let by_name = Order {
            key: Key::Field("name"),
            descending: false,
        };
        let mut rows = vec![
            group(5, "b"),
            group(2, "a"),
            group(9, "B"),
            group(1, "b"),
            json!({"id": 3}),
        ];
        rows.sort_by(|a, b| by_name.compare(a, b));
        // Bytes: no name first, then "B" < "a" < "b"; equal names by id.
        assert_eq!(ids(&rows), [3, 9, 2, 1, 5]);
        let descending = Order {
            descending: true,
            ..by_name
        };
        rows.sort_by(|a, b| descending.compare(a, b));
        assert_eq!(ids(&rows), [5, 1, 2, 9, 3]);
    }

    fn share(rows: Vec<Value>, total: Option<i64>, more: bool) -> Share {
        Share { rows, total, more }
    }

    #[test]
    fn offset_pages_are_cut_from_the_merged_list() {
        let order = Order {
            key: Key::Id,
            descending: false,
        };
        let page = |page, per_page| Paging {
            page,
            per_page,
            keyset: false,
        };
        let shares = || {
            vec![
                share(
                    vec![group(1, "a"), group(4, "d"), group(6, "f")],
                    Some(3),
                    false,
                ),
                share(
                    vec![group(2, "b"), group(3, "c"), group(5, "e")],
                    Some(4),
                    true,
                ),
            ]
        };
        let first = merge(order, page(1, 2), shares());
        assert_eq!(ids(&first.rows), [1, 2]);
        assert_eq!(first.total, Some(7));
        assert!(first.next.is_some());
        let third = merge(order, page(3, 2), shares());
        assert_eq!(ids(&third.rows), [5, 6]);
        assert!(third.next.is_some(), "7 rows: a fourth page");
        let fourth = merge(
            order,
            page(4, 2),
            vec![share(vec![group(7, "g")], Some(7), false)],
        );
        assert!(fourth.next.is_none());
        // No totals (one Cell counted past its limit): the next page is known from the rows.
        let uncounted = merge(
            order,
            page(1, 2),
            vec![
                share(vec![group(1, "a")], None, false),
                share(vec![], Some(0), false),
            ],
        );
        assert_eq!(uncounted.total, None);
        assert!(uncounted.next.is_none());
        // Totals past 10,000 are left out, as each Cell leaves out its own.
        let large = merge(
            order,
            page(1, 2),
            vec![
                share(vec![], Some(6_000), true),
                share(vec![], Some(5_000), true),
            ],
        );
        assert_eq!(large.total, None);
    }

    #[test]
    fn a_row_on_two_cells_is_shown_once() {
        let order = Order {
            key: Key::Field("name"),
            descending: false,
        };
        let paging = Paging {
            page: 1,
            per_page: 10,
            keyset: false,
        };
        let merged = merge(
            order,
            paging,
            vec![
                share(vec![group(5, "b"), group(7, "c")], Some(2), false),
                share(vec![group(5, "b"), group(6, "a")], Some(2), false),
            ],
        );
        assert_eq!(ids(&merged.rows), [6, 5, 7]);
    }

    #[test]
    fn keyset_pages_go_on_from_the_last_row_given() {
        let paging = Paging {
            page: 1,
            per_page: 2,
            keyset: true,
        };
        let by_name = Order {
            key: Key::Field("name"),
            descending: false,
        };
        let merged = merge(
            by_name,
            paging,
            vec![
                share(vec![group(8, "a"), group(3, "c")], None, true),
                share(vec![group(5, "b")], None, false),
            ],
        );
        assert_eq!(ids(&merged.rows), [8, 5]);
        assert_eq!(
            merged.next,
            Some(vec![
                ("cursor", "5:b".to_owned()),
                ("id_after", String::new())
            ])
        );
        let by_id = Order {
            key: Key::Id,
            descending: true,
        };
        let last = merge(
            by_id,
            paging,
            vec![
                share(vec![group(8, "a")], None, false),
                share(vec![], None, false),
            ],
        );
        assert_eq!(ids(&last.rows), [8]);
        assert_eq!(last.next, None);
        let more = merge(
            by_id,
            paging,
            vec![
                share(vec![group(8, "a"), group(6, "x")], None, true),
                share(vec![group(7, "b")], None, false),
            ],
        );
        assert_eq!(
            more.next,
            Some(vec![
                ("id_before", "7".to_owned()),
                ("cursor", String::new())
            ])
        );
    }

    #[test]
    fn paging_is_read_as_each_cell_reads_it() {
        let read = |query: &'static [(&'static str, &'static str)]| {
            paging(|name| query.iter().find(|(n, _)| *n == name).map(|(_, v)| *v))
        };
        type Case<'a> = (&'a [(&'a str, &'a str)], Option<(i64, i64, bool)>);
        let cases: &[Case] = &[
            (&[], Some((1, 20, false))),
            (&[("page", "3"), ("per_page", "500")], Some((3, 100, false))),
            (&[("page", "0"), ("per_page", "0")], Some((1, 1, false))),
            (
                &[("pagination", "keyset"), ("per_page", "5")],
                Some((1, 5, true)),
            ),
            (&[("page", "")], Some((1, 20, false))),
            (&[("page", "x")], None),
            (&[("per_page", "1.5")], None),
        ];
        for (query, expected) in cases {
            let expected = expected.map(|(page, per_page, keyset)| Paging {
                page,
                per_page,
                keyset,
            });
            assert_eq!(read(query), expected, "{query:?}");
        }
    }

    #[test]
    fn cells_are_asked_for_what_the_page_can_draw_on() {
        let pairs = vec![
            ("search".to_owned(), "a b".to_owned()),
            ("page".to_owned(), "3".to_owned()),
        ];
        let page = |page, per_page| Paging {
            page,
            per_page,
            keyset: false,
        };
        assert_eq!(
            cell_pages(page(3, 20), &pairs, "/api/v4/groups"),
            ["/api/v4/groups?search=a+b&page=1&per_page=60"]
        );
        assert_eq!(
            cell_pages(page(3, 50), &pairs, "/api/v4/groups"),
            [
                "/api/v4/groups?search=a+b&page=1&per_page=100",
                "/api/v4/groups?search=a+b&page=2&per_page=100"
            ]
        );
        let keyset = Paging {
            keyset: true,
            ..page(1, 5)
        };
        assert_eq!(
            cell_pages(keyset, &pairs, "/api/v4/groups"),
            ["/api/v4/groups?search=a+b&page=3"]
        );
    }
}
