//! Which Cell a request belongs to: the router's classification (SPEC section 10).
//!
//! The first rule that matches decides, reading only the request head:
//!
//! 1. the session cookie's Cell prefix (`_gitlab_session=cell-2-…`);
//! 2. a routable token (`PRIVATE-TOKEN`, `Authorization: Bearer`, `private_token=`) names its Cell;
//! 3. `/-/organizations/<path>/…`, and the API's `/api/v4/organizations/<path>`: an Organization;
//! 4. `/api/v4/(groups|projects|namespaces|organizations)/<id or path>`: a numeric id was drawn
//!    from its Cell's range, so it names the Cell itself; a full path names its top-level route;
//! 5. `/<top-level-path>/…` and `/groups/<top-level-path>/…`: a top-level route;
//! 6. anything else goes to the first Cell.
//!
//! Rules 3 and 5 (and paths in rule 4) give a key the topology service resolves (and the router
//! caches); the others give the Cell at once. Nothing here allocates or does I/O: it borrows
//! from the request.

use crate::ids::CellId;
use crate::paths::RESERVED_TOP_LEVEL;
use crate::routable_token;

/// The parts of a request the router reads.
#[derive(Debug, Clone, Copy, Default)]
pub struct RequestHead<'a> {
    /// The path as sent, still percent-encoded, without the query.
    pub path: &'a str,
    pub query: Option<&'a str>,
    /// The `Cookie` header.
    pub cookie: Option<&'a str>,
    /// The `PRIVATE-TOKEN` header.
    pub private_token: Option<&'a str>,
    /// The `Authorization` header.
    pub authorization: Option<&'a str>,
}

/// Where a request goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route<'a> {
    /// The request names its Cell.
    Cell(CellId),
    /// The Cell that holds this Organization (by path), as the topology service says.
    Organization(&'a str),
    /// The Cell that claimed this top-level route (a Group or a User's namespace).
    TopLevel(&'a str),
    /// Nothing names an owner.
    FirstCell,
}

/// GitLab's session cookie.
pub const SESSION_COOKIE: &str = "_gitlab_session";
/// Routable personal access tokens start with this.
pub const TOKEN_PREFIX: &str = "glpat-";

const API_RESOURCES: &[&str] = &["groups", "projects", "namespaces", "organizations"];

pub fn classify<'a>(head: &RequestHead<'a>) -> Route<'a> {
    if let Some(cell) = head.cookie.and_then(session_cell) {
        return Route::Cell(cell);
    }
    if let Some(routing) = token(head).and_then(|t| routable_token::decode(t, TOKEN_PREFIX)) {
        return Route::Cell(routing.cell);
    }
    let mut segments = head.path.strip_prefix('/').unwrap_or(head.path).split('/');
    match (
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
    ) {
        (Some("-"), Some("organizations"), Some(org), _) if is_path(org) => {
            Route::Organization(org)
        }
        (Some("api"), Some("v4"), Some(resource), Some(id))
            if API_RESOURCES.contains(&resource) =>
        {
            api_id(resource, id)
        }
        (Some("groups"), Some(top), _, _) if is_path(top) => Route::TopLevel(top),
        (Some(top), _, _, _) if is_path(top) && !is_reserved(top) => Route::TopLevel(top),
        _ => Route::FirstCell,
    }
}

/// `cell-<id>-<session>` in the session cookie.
fn session_cell(cookie: &str) -> Option<CellId> {
    let value = cookie.split(';').find_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        (name == SESSION_COOKIE).then_some(value)
    })?;
    let (cell, _session) = value.strip_prefix("cell-")?.split_once('-')?;
    cell.parse().ok().map(CellId)
}

fn token<'a>(head: &RequestHead<'a>) -> Option<&'a str> {
    head.private_token
        .or_else(|| head.authorization?.strip_prefix("Bearer "))
        .or_else(|| {
            head.query?.split('&').find_map(|pair| {
                let (name, value) = pair.split_once('=')?;
                (name == "private_token" || name == "access_token").then_some(value)
            })
        })
}

fn api_id<'a>(resource: &str, id: &'a str) -> Route<'a> {
    if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) {
        return id
            .parse()
            .map_or(Route::FirstCell, |id| Route::Cell(CellId::of_id(id)));
    }
    let top = split_encoded_slash(id);
    match (resource, is_path(top)) {
        (_, false) => Route::FirstCell,
        ("organizations", true) => Route::Organization(top),
        (_, true) => Route::TopLevel(top),
    }
}

/// The first segment of an encoded full path: `acme%2Fplatform` gives `acme`.
fn split_encoded_slash(id: &str) -> &str {
    let bytes = id.as_bytes();
    let end = (0..bytes.len())
        .find(|&i| {
            bytes[i] == b'%'
                && bytes.get(i + 1) == Some(&b'2')
                && matches!(bytes.get(i + 2), Some(b'F' | b'f'))
        })
        .unwrap_or(bytes.len());
    &id[..end]
}

/// Could be a path at all: GitLab's path characters, not empty. The topology service decides
/// whether it is one.
fn is_path(segment: &str) -> bool {
    !segment.is_empty()
        && segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

fn is_reserved(top: &str) -> bool {
    RESERVED_TOP_LEVEL
        .iter()
        .any(|word| word.eq_ignore_ascii_case(top))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::OrganizationId;
    use crate::routable_token::Routing;

    fn path(path: &str) -> Route<'_> {
        let (path, query) = path
            .split_once('?')
            .map_or((path, None), |(p, q)| (p, Some(q)));
        classify(&RequestHead {
            path,
            query,
            ..RequestHead::default()
        })
    }

    #[test]
    fn paths() {
        let second_cell_id = (1_i64 << 41) + 5;
        let cases: &[(&str, Route)] = &[
            (
                "/-/organizations/acme/groups_and_projects",
                Route::Organization("acme"),
            ),
            ("/-/organizations/acme", Route::Organization("acme")),
            ("/-/organizations/", Route::FirstCell),
            ("/api/v4/groups/1000", Route::Cell(CellId(1))),
            ("/api/v4/projects/42/members", Route::Cell(CellId(1))),
            (
                &format!("/api/v4/projects/{second_cell_id}"),
                Route::Cell(CellId(2)),
            ),
            (
                "/api/v4/groups/acme%2Fplatform%2Fapi",
                Route::TopLevel("acme"),
            ),
            (
                "/api/v4/projects/acme%2fapi/members/all",
                Route::TopLevel("acme"),
            ),
            ("/api/v4/namespaces/alice", Route::TopLevel("alice")),
            ("/api/v4/organizations/acme", Route::Organization("acme")),
            ("/api/v4/organizations/1", Route::Cell(CellId(1))),
            ("/api/v4/groups/99999999999999999999", Route::FirstCell),
            ("/api/v4/groups/%3Cscript%3E", Route::FirstCell),
            ("/api/v4/groups", Route::FirstCell),
            ("/api/v4/user", Route::FirstCell),
            ("/api/v4/users/5", Route::FirstCell),
            ("/api/v4/version", Route::FirstCell),
            ("/acme/platform/api", Route::TopLevel("acme")),
            ("/acme", Route::TopLevel("acme")),
            ("/groups/acme/-/edit", Route::TopLevel("acme")),
            ("/explore/projects", Route::FirstCell),
            ("/Admin/users", Route::FirstCell),
            ("/-/health", Route::FirstCell),
            ("/users/sign_in", Route::FirstCell),
            ("/", Route::FirstCell),
            ("", Route::FirstCell),
            ("/favicon.ico", Route::FirstCell),
        ];
        for (request, expected) in cases {
            assert_eq!(path(request), *expected, "{request}");
        }
    }

    #[test]
    fn heads_before_paths() {
        let token = routable_token::encode(
            TOKEN_PREFIX,
            Routing {
                cell: CellId(3),
                organization: OrganizationId(1_000),
            },
            &[1; 16],
        );
        let bearer = format!("Bearer {token}");
        let query = format!("per_page=5&private_token={token}");
        let head = |cookie, private_token, authorization, query| RequestHead {
            path: "/api/v4/groups/acme",
            query,
            cookie,
            private_token,
            authorization,
        };
        let cases: &[(RequestHead, Route)] = &[
            (
                head(Some("_gitlab_session=cell-2-9f8e7d"), None, None, None),
                Route::Cell(CellId(2)),
            ),
            (
                head(
                    Some("a=b; _gitlab_session=cell-4-x; c=d"),
                    Some(&token),
                    None,
                    None,
                ),
                Route::Cell(CellId(4)),
            ),
            (
                head(Some("_gitlab_session=9f8e7d"), Some(&token), None, None),
                Route::Cell(CellId(3)),
            ),
            (head(None, Some(&token), None, None), Route::Cell(CellId(3))),
            (
                head(None, None, Some(&bearer), None),
                Route::Cell(CellId(3)),
            ),
            (head(None, None, None, Some(&query)), Route::Cell(CellId(3))),
            (
                head(Some("_gitlab_session=cell-x-1"), None, None, None),
                Route::TopLevel("acme"),
            ),
            (
                head(None, Some("glpat-abcdefghijklmnopqrst"), None, None),
                Route::TopLevel("acme"),
            ),
            (
                head(None, None, Some("Basic dXNlcjpwYXNz"), None),
                Route::TopLevel("acme"),
            ),
        ];
        for (head, expected) in cases {
            assert_eq!(classify(head), *expected, "{head:?}");
        }
    }
}
