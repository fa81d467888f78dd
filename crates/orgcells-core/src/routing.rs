//! Which Cell a request belongs to: the router's classification (SPEC section 10).
//!
//! The first rule that matches decides, reading only the request head:
//!
//! 1. `/-/organizations/<path>/…`, and the API's `/api/v4/organizations/<path>`: an Organization;
//! 2. `/api/v4/(groups|projects|namespaces|organizations)/<id or path>` (and an admin's
//!    `/api/v4/admin/organizations/<id>/...`): a numeric id names its Group, Project or
//!    Organization, whose Cell the topology knows (the one whose range it was drawn from, until
//!    the Organization moves); a full path names its top-level route;
//! 3. `/<top-level-path>/…` and `/groups/<top-level-path>/…`: a top-level route;
//! 4. a list that names its Organization in its query (`GET /api/v4/groups?organization_id=N`):
//!    that Organization's Cell, by the id's range;
//! 5. for a path that names no owner: the session cookie's Cell prefix
//!    (`_gitlab_session=cell-2-…`), then a routable token (`PRIVATE-TOKEN`,
//!    `Authorization: Bearer`, `private_token=`);
//! 6. anything else goes to the first Cell.
//!
//! The path decides before the token, so a User with Organizations on two Cells reaches both
//! with one token. Rules 1 to 4 give a key the topology service resolves (and the router
//! caches); the others give the Cell at once.
//!
//! The cluster's lists (`GET /api/v4/groups`, `/projects`, `/namespaces`, `/organizations`
//! that name no Organization, and a User's memberships) are answered by every Cell, each with its share, and merged by the
//! router: [`spanning`] tells them.
//!
//! The few requests that name their owner only in their body (creating a Group, a Project or an
//! Organization) are told by [`body_rule`], and classified by [`classify_body`] from the body's
//! parameters. Nothing here allocates or does I/O: it borrows from the request.

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

/// What a numeric id in a request names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdKind {
    /// A Group or a personal namespace.
    Namespace,
    Project,
    Organization,
}

/// Where a request goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route<'a> {
    /// The request names its Cell.
    Cell(CellId),
    /// A Group, Project or Organization by id: the Cell whose range it was drawn from, unless
    /// the topology says its Organization has moved (it claims the ids of a moved one).
    Id(IdKind, i64),
    /// The Cell that holds this Organization (by path), as the topology service says.
    Organization(&'a str),
    /// The Cell that claimed this top-level route (a Group or a User's namespace).
    TopLevel(&'a str),
    /// A new Organization: the Cell the placement policy chooses.
    Placement,
    /// Nothing names an owner.
    FirstCell,
}

/// GitLab's session cookie.
pub const SESSION_COOKIE: &str = "_gitlab_session";
/// Routable personal access tokens start with this.
pub const TOKEN_PREFIX: &str = "glpat-";

const API_RESOURCES: &[&str] = &["groups", "projects", "namespaces", "organizations"];

pub fn classify<'a>(head: &RequestHead<'a>) -> Route<'a> {
    if let Some(route) = owner(head.path) {
        return route;
    }
    if let Some(id) = listed_organization(head) {
        return Route::Id(IdKind::Organization, id);
    }
    if let Some(cell) = head.cookie.and_then(session_cell) {
        return Route::Cell(cell);
    }
    if let Some(routing) = token(head).and_then(|t| routable_token::decode(t, TOKEN_PREFIX)) {
        return Route::Cell(routing.cell);
    }
    Route::FirstCell
}

/// The owner the path names, if it names one.
fn owner(path: &str) -> Option<Route<'_>> {
    // An admin's Organization move goes to the Cell the id names.
    if let Some(rest) = path.strip_prefix("/api/v4/admin/organizations/") {
        let id = rest.split('/').next().unwrap_or_default();
        return id
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then_some(())
            .and_then(|()| id.parse::<i64>().ok())
            .map(|id| Route::Id(IdKind::Organization, id));
    }
    let mut segments = path.strip_prefix('/').unwrap_or(path).split('/');
    match (
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
    ) {
        (Some("-"), Some("organizations"), Some(org), _) if is_path(org) => {
            Some(Route::Organization(org))
        }
        (Some("api"), Some("v4"), Some(resource), Some(id))
            if API_RESOURCES.contains(&resource) =>
        {
            api_id(resource, id)
        }
        (Some("groups"), Some(top), _, _) if is_path(top) => Some(Route::TopLevel(top)),
        (Some(top), _, _, _) if is_path(top) && !is_reserved(top) => Some(Route::TopLevel(top)),
        _ => None,
    }
}

/// A list whose rows every Cell holds a share of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spanning {
    Groups,
    Projects,
    Namespaces,
    Organizations,
    /// `GET /api/v4/users/:id/memberships` (admins).
    Memberships,
}

const SPANNING: &[(&str, Spanning)] = &[
    ("/api/v4/groups", Spanning::Groups),
    ("/api/v4/projects", Spanning::Projects),
    ("/api/v4/namespaces", Spanning::Namespaces),
    ("/api/v4/organizations", Spanning::Organizations),
];

fn spanning_path(path: &str) -> Option<Spanning> {
    let path = path.strip_suffix('/').unwrap_or(path);
    if let Some(user) = path
        .strip_prefix("/api/v4/users/")
        .and_then(|rest| rest.strip_suffix("/memberships"))
    {
        return (!user.is_empty() && !user.contains('/')).then_some(Spanning::Memberships);
    }
    SPANNING
        .iter()
        .find(|(listed, _)| *listed == path)
        .map(|(_, list)| *list)
}

/// The cluster-wide list a request asks for, if it asks for one: a `GET` of one of the
/// cluster's lists whose query names no Organization (one that does goes to that
/// Organization's Cell: see [`classify`]).
pub fn spanning(method: &str, head: &RequestHead<'_>) -> Option<Spanning> {
    if method != "GET" || listed_organization(head).is_some() {
        return None;
    }
    spanning_path(head.path)
}

/// The Organization a list's query names (`organization_id`).
fn listed_organization(head: &RequestHead<'_>) -> Option<i64> {
    spanning_path(head.path)?;
    let id = head.query?.split('&').find_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        (name == "organization_id").then_some(value)
    })?;
    id.parse().ok().filter(|id| *id > 0)
}

/// A request whose owner is named only in its body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyRule {
    /// `POST /api/v4/groups`: `parent_id`, else `organization_id`, else the Default
    /// Organization's Cell.
    NewGroup,
    /// `POST /api/v4/projects`: `namespace_id` (an id or a full path), else the caller's
    /// personal namespace in the Default Organization.
    NewProject,
    /// `POST /api/v4/organizations`: `cell_id` (an admin's choice), else the placement policy.
    NewOrganization,
}

/// The body rule of a request, if its owner is named only in its body.
pub fn body_rule(method: &str, path: &str) -> Option<BodyRule> {
    if method != "POST" {
        return None;
    }
    match path.trim_end_matches('/') {
        "/api/v4/groups" => Some(BodyRule::NewGroup),
        "/api/v4/projects" => Some(BodyRule::NewProject),
        "/api/v4/organizations" => Some(BodyRule::NewOrganization),
        _ => None,
    }
}

/// Where a request of `rule` goes, given its parameters (the query's and the body's, by name).
/// A parameter that is not what its rule expects decides nothing: the Cell it reaches refuses
/// it as bad input.
pub fn classify_body<'a>(rule: BodyRule, param: impl Fn(&str) -> Option<&'a str>) -> Route<'a> {
    let by_id = |name: &str, kind: IdKind| {
        param(name)
            .and_then(|id| id.trim().parse::<i64>().ok())
            .filter(|id| *id > 0)
            .map(|id| Route::Id(kind, id))
    };
    let routed = match rule {
        BodyRule::NewGroup => by_id("parent_id", IdKind::Namespace)
            .or_else(|| by_id("organization_id", IdKind::Organization)),
        BodyRule::NewProject => by_id("namespace_id", IdKind::Namespace).or_else(|| {
            let path = param("namespace_id").or_else(|| param("namespace_path"))?;
            let top = path.split('/').next().filter(|top| is_path(top))?;
            Some(Route::TopLevel(top))
        }),
        BodyRule::NewOrganization => Some(
            param("cell_id")
                .and_then(|id| id.trim().parse::<u16>().ok())
                .filter(|id| *id > 0)
                .map_or(Route::Placement, |id| Route::Cell(CellId(id))),
        ),
    };
    routed.unwrap_or(Route::FirstCell)
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

fn api_id<'a>(resource: &str, id: &'a str) -> Option<Route<'a>> {
    if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) {
        let kind = match resource {
            "projects" => IdKind::Project,
            "organizations" => IdKind::Organization,
            _ => IdKind::Namespace,
        };
        return id.parse().ok().map(|id| Route::Id(kind, id));
    }
    let top = split_encoded_slash(id);
    match (resource, is_path(top)) {
        (_, false) => None,
        ("organizations", true) => Some(Route::Organization(top)),
        (_, true) => Some(Route::TopLevel(top)),
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

/// The longest path segment GitLab accepts: a longer one names nothing, and is not worth
/// asking the topology about or remembering.
const MAX_PATH: usize = 255;

/// Could be a path at all: GitLab's path characters, not empty, at most [`MAX_PATH`] bytes.
/// The topology service decides whether it is one.
fn is_path(segment: &str) -> bool {
    !segment.is_empty()
        && segment.len() <= MAX_PATH
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
        let long = "a".repeat(255);
        let long_path = format!("/api/v4/groups/{long}");
        let too_long_path = format!("/api/v4/groups/{long}a");
        let too_long_top = format!("/{long}a/x");
        let cases: &[(&str, Route)] = &[
            (
                "/-/organizations/acme/groups_and_projects",
                Route::Organization("acme"),
            ),
            ("/-/organizations/acme", Route::Organization("acme")),
            ("/-/organizations/", Route::FirstCell),
            ("/api/v4/groups/1000", Route::Id(IdKind::Namespace, 1000)),
            (
                "/api/v4/projects/42/members",
                Route::Id(IdKind::Project, 42),
            ),
            (
                &format!("/api/v4/projects/{second_cell_id}"),
                Route::Id(IdKind::Project, second_cell_id),
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
            (
                "/api/v4/organizations/1",
                Route::Id(IdKind::Organization, 1),
            ),
            ("/api/v4/groups/99999999999999999999", Route::FirstCell),
            ("/api/v4/groups/%3Cscript%3E", Route::FirstCell),
            (&long_path, Route::TopLevel(&long)),
            (&too_long_path, Route::FirstCell),
            (&too_long_top, Route::FirstCell),
            ("/api/v4/groups", Route::FirstCell),
            (
                "/api/v4/groups?organization_id=1",
                Route::Id(IdKind::Organization, 1),
            ),
            (
                &format!("/api/v4/projects/?search=x&organization_id={second_cell_id}"),
                Route::Id(IdKind::Organization, second_cell_id),
            ),
            ("/api/v4/groups?organization_id=x", Route::FirstCell),
            ("/api/v4/groups?organization_id=-2", Route::FirstCell),
            ("/api/v4/users?organization_id=1", Route::FirstCell),
            ("/api/v4/user", Route::FirstCell),
            ("/api/v4/users/5", Route::FirstCell),
            (
                &format!("/api/v4/admin/organizations/{second_cell_id}/move"),
                Route::Id(IdKind::Organization, second_cell_id),
            ),
            (
                "/api/v4/admin/organizations/1/move/resume",
                Route::Id(IdKind::Organization, 1),
            ),
            ("/api/v4/admin/organizations/acme/move", Route::FirstCell),
            ("/api/v4/admin/cells", Route::FirstCell),
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
    fn paths_before_heads() {
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
        let head = |path, cookie, private_token, authorization, query| RequestHead {
            path,
            query,
            cookie,
            private_token,
            authorization,
        };
        let cases: &[(RequestHead, Route)] = &[
            // A path that names its owner decides, whatever the cookie or token says.
            (
                head(
                    "/api/v4/groups/acme",
                    Some("_gitlab_session=cell-2-9f"),
                    Some(&token),
                    None,
                    None,
                ),
                Route::TopLevel("acme"),
            ),
            (
                head("/api/v4/projects/7", None, Some(&token), None, None),
                Route::Id(IdKind::Project, 7),
            ),
            (
                head("/-/organizations/acme", None, None, Some(&bearer), None),
                Route::Organization("acme"),
            ),
            // A path that names none: the session's Cell, then the routable token's.
            (
                head(
                    "/api/v4/user",
                    Some("_gitlab_session=cell-2-9f8e7d"),
                    None,
                    None,
                    None,
                ),
                Route::Cell(CellId(2)),
            ),
            (
                head(
                    "/api/v4/user",
                    Some("a=b; _gitlab_session=cell-4-x; c=d"),
                    Some(&token),
                    None,
                    None,
                ),
                Route::Cell(CellId(4)),
            ),
            (
                head(
                    "/api/v4/user",
                    Some("_gitlab_session=9f8e7d"),
                    Some(&token),
                    None,
                    None,
                ),
                Route::Cell(CellId(3)),
            ),
            (
                head("/api/v4/user", None, Some(&token), None, None),
                Route::Cell(CellId(3)),
            ),
            (
                head("/api/v4/user", None, None, Some(&bearer), None),
                Route::Cell(CellId(3)),
            ),
            (
                head("/api/v4/user", None, None, None, Some(&query)),
                Route::Cell(CellId(3)),
            ),
            (
                head("/api/v4/groups/%3Cx%3E", None, Some(&token), None, None),
                Route::Cell(CellId(3)),
            ),
            // Neither names a Cell: the first.
            (
                head(
                    "/api/v4/user",
                    Some("_gitlab_session=cell-x-1"),
                    None,
                    None,
                    None,
                ),
                Route::FirstCell,
            ),
            (
                head(
                    "/api/v4/user",
                    None,
                    Some("glpat-abcdefghijklmnopqrst"),
                    None,
                    None,
                ),
                Route::FirstCell,
            ),
            (
                head("/api/v4/user", None, None, Some("Basic dXNlcjpwYXNz"), None),
                Route::FirstCell,
            ),
        ];
        for (head, expected) in cases {
            assert_eq!(classify(head), *expected, "{head:?}");
        }
    }

    #[test]
    fn lists_across_cells() {
        // (method, path and query, the list); one line per rule.
        let cases: &[(&str, &str, Option<Spanning>)] = &[
            ("GET", "/api/v4/groups", Some(Spanning::Groups)),
            ("GET", "/api/v4/groups/", Some(Spanning::Groups)),
            (
                "GET",
                "/api/v4/projects?order_by=id",
                Some(Spanning::Projects),
            ),
            ("GET", "/api/v4/namespaces", Some(Spanning::Namespaces)),
            (
                "GET",
                "/api/v4/organizations",
                Some(Spanning::Organizations),
            ),
            ("GET", "/api/v4/groups?organization_id=3", None),
            (
                "GET",
                "/api/v4/groups?organization_id=x",
                Some(Spanning::Groups),
            ),
            ("POST", "/api/v4/groups", None),
            ("HEAD", "/api/v4/groups", None),
            ("GET", "/api/v4/groups/5", None),
            ("GET", "/api/v4/groups/5/projects", None),
            (
                "GET",
                "/api/v4/users/7/memberships",
                Some(Spanning::Memberships),
            ),
            (
                "GET",
                "/api/v4/users/7/memberships?type=Project",
                Some(Spanning::Memberships),
            ),
            ("GET", "/api/v4/users//memberships", None),
            ("GET", "/api/v4/users/7/projects", None),
            ("GET", "/api/v4/users", None),
            ("GET", "/api/v4/user", None),
        ];
        for (method, request, expected) in cases {
            let (path, query) = request
                .split_once('?')
                .map_or((*request, None), |(p, q)| (p, Some(q)));
            let head = RequestHead {
                path,
                query,
                ..RequestHead::default()
            };
            assert_eq!(spanning(method, &head), *expected, "{method} {request}");
        }
    }

    #[test]
    fn bodies() {
        let second = (1_i64 << 41) + 9;
        // (method, path, parameters, route); one line per rule and fallback.
        type Params<'a> = &'a [(&'a str, &'a str)];
        let cases: &[(&str, &str, Params, Option<Route>)] = &[
            ("GET", "/api/v4/groups", &[("parent_id", "5")], None),
            ("PUT", "/api/v4/groups", &[], None),
            ("POST", "/api/v4/groups/5/members", &[], None),
            ("POST", "/api/v4/groups", &[], Some(Route::FirstCell)),
            (
                "POST",
                "/api/v4/groups/",
                &[("parent_id", "5")],
                Some(Route::Id(IdKind::Namespace, 5)),
            ),
            (
                "POST",
                "/api/v4/groups",
                &[("parent_id", &second.to_string()), ("organization_id", "1")],
                Some(Route::Id(IdKind::Namespace, second)),
            ),
            (
                "POST",
                "/api/v4/groups",
                &[("organization_id", &second.to_string())],
                Some(Route::Id(IdKind::Organization, second)),
            ),
            (
                "POST",
                "/api/v4/groups",
                &[("parent_id", "x")],
                Some(Route::FirstCell),
            ),
            (
                "POST",
                "/api/v4/groups",
                &[("parent_id", "-4")],
                Some(Route::FirstCell),
            ),
            (
                "POST",
                "/api/v4/projects",
                &[("namespace_id", &second.to_string())],
                Some(Route::Id(IdKind::Namespace, second)),
            ),
            (
                "POST",
                "/api/v4/projects",
                &[("namespace_id", "acme/platform")],
                Some(Route::TopLevel("acme")),
            ),
            (
                "POST",
                "/api/v4/projects",
                &[("namespace_path", "acme")],
                Some(Route::TopLevel("acme")),
            ),
            (
                "POST",
                "/api/v4/projects",
                &[("namespace_id", "<x>")],
                Some(Route::FirstCell),
            ),
            (
                "POST",
                "/api/v4/projects",
                &[("name", "api")],
                Some(Route::FirstCell),
            ),
            ("POST", "/api/v4/organizations", &[], Some(Route::Placement)),
            (
                "POST",
                "/api/v4/organizations",
                &[("cell_id", "3")],
                Some(Route::Cell(CellId(3))),
            ),
            (
                "POST",
                "/api/v4/organizations",
                &[("cell_id", "0")],
                Some(Route::Placement),
            ),
            (
                "POST",
                "/api/v4/organizations",
                &[("cell_id", "x")],
                Some(Route::Placement),
            ),
        ];
        for (method, path, params, expected) in cases {
            let route = body_rule(method, path).map(|rule| {
                classify_body(rule, |name| {
                    params.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
                })
            });
            assert_eq!(route, *expected, "{method} {path} {params:?}");
        }
    }
}
