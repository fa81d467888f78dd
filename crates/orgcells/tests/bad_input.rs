//! SPEC sections 8 and 12, bad input: every bad request gets a clear 4xx whose message names
//! the field, and changes nothing. One line per case. Parameters Grape would refuse (missing,
//! of the wrong type, not among their values) answer `{"error": ...}`; fields the model refuses
//! answer `{"message": {"<field>": [...]}}`, as GitLab's two shapes.

mod common;

use common::{TestApp, unique};
use serde_json::Value;

/// What the error body must say.
#[derive(Debug, Clone, Copy)]
enum Says {
    /// `{"message": {"<field>": ["..."]}}`: the model refuses a field.
    Field(&'static str),
    /// `{"error": "..."}`, exactly: the parameters are refused before anything happens, in
    /// Grape's words.
    Error(&'static str),
    /// `{"message": "..."}` containing this text (case-insensitive).
    Text(&'static str),
    /// Not an error: the control case is accepted.
    Accepted,
}

use Says::*;

/// (case, method, path, raw body ("" for none), expected status, what the body says, path
/// whose GET (as admin) must not change).
///
/// Placeholders: `{g}` a private top-level Group (path `{g_path}`), `{sub}` its subgroup
/// (path `{sub_path}`), `{p}` a Project in `{g}` (path `{p_path}`), `{u}` a guest of `{g}`
/// (username `{u_name}`, email `{u_email}`), `{w}` a developer of `{p}`, `{v}` a User who is
/// nothing, `{org}` an Organization (path `{org_path}`); `{g2}` another top-level Group (path
/// `{g2_path}`) holding a subgroup of path `{sub_path}` and a Project of path `{p_path}`;
/// `{dup_top}` a subgroup of `{g}` whose path is `{g2_path}`; upper-case names are the same values
/// in upper case; `{n}` a fresh name; `{longN}` N letters.
type Case = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    u16,
    Says,
    &'static str,
);

const GROUPS: &str = "/groups?all_available=true&per_page=100";
const SUBGROUPS: &str = "/groups/{g}/subgroups?per_page=100";
const PROJECTS: &str = "/projects?per_page=100";
const GROUP: &str = "/groups/{g}";
const MEMBERS: &str = "/groups/{g}/members/all?per_page=100";
const PROJECT_MEMBERS: &str = "/projects/{p}/members/all?per_page=100";
const USERS: &str = "/users?per_page=100";
const ORGS: &str = "/organizations?per_page=100";

#[rustfmt::skip]
const CASES: &[Case] = &[
    // Invalid paths.
    ("path starting with -", "POST", "/groups", r#"{"name": "{n}", "path": "-x"}"#, 400, Field("path"), GROUPS),
    ("path ending with -", "POST", "/groups", r#"{"name": "{n}", "path": "x-"}"#, 400, Field("path"), GROUPS),
    ("path with ..", "POST", "/groups", r#"{"name": "{n}", "path": "a..b"}"#, 400, Field("path"), GROUPS),
    ("path ending .git", "POST", "/groups", r#"{"name": "{n}", "path": "x.git"}"#, 400, Field("path"), GROUPS),
    ("path ending .atom", "POST", "/groups", r#"{"name": "{n}", "path": "x.atom"}"#, 400, Field("path"), GROUPS),
    ("path with a space", "POST", "/groups", r#"{"name": "{n}", "path": "has space"}"#, 400, Field("path"), GROUPS),
    ("path of 256 characters", "POST", "/groups", r#"{"name": "{n}", "path": "{long256}"}"#, 400, Field("path"), GROUPS),
    ("path with a slash", "POST", "/groups", r#"{"name": "{n}", "path": "a/b"}"#, 400, Field("path"), GROUPS),
    ("subgroup path ending .git", "POST", "/groups", r#"{"name": "{n}", "path": "x.git", "parent_id": {g}}"#, 400, Field("path"), SUBGROUPS),
    ("project path with ..", "POST", "/projects", r#"{"name": "{n}", "path": "a..b", "namespace_id": {g}}"#, 400, Field("path"), PROJECTS),
    ("project path ending .atom", "POST", "/projects", r#"{"name": "{n}", "path": "x.atom", "namespace_id": {g}}"#, 400, Field("path"), PROJECTS),
    ("rename group to an invalid path", "PUT", "/groups/{g}", r#"{"path": "x-"}"#, 400, Field("path"), GROUP),
    ("missing path", "POST", "/groups", r#"{"name": "{n}"}"#, 400, Error("path is missing"), GROUPS),
    ("path with a non-ASCII letter", "POST", "/groups", r#"{"name": "{n}", "path": "acmé"}"#, 400, Field("path"), GROUPS),
    ("rename group to an empty path", "PUT", "/groups/{g}", r#"{"path": ""}"#, 400, Field("path"), GROUP),
    ("path of 255 is fine", "POST", "/groups", r#"{"name": "{n}", "path": "{long255}"}"#, 201, Accepted, GROUPS),
    // Reserved top-level names.
    ("reserved admin", "POST", "/groups", r#"{"name": "{n}", "path": "admin"}"#, 400, Field("path"), GROUPS),
    ("reserved api", "POST", "/groups", r#"{"name": "{n}", "path": "api"}"#, 400, Field("path"), GROUPS),
    ("reserved groups", "POST", "/groups", r#"{"name": "{n}", "path": "groups"}"#, 400, Field("path"), GROUPS),
    ("reserved users", "POST", "/groups", r#"{"name": "{n}", "path": "users"}"#, 400, Field("path"), GROUPS),
    ("reserved explore", "POST", "/groups", r#"{"name": "{n}", "path": "explore"}"#, 400, Field("path"), GROUPS),
    ("reserved -", "POST", "/groups", r#"{"name": "{n}", "path": "-"}"#, 400, Field("path"), GROUPS),
    ("reserved ADMIN, other case", "POST", "/groups", r#"{"name": "{n}", "path": "ADMIN"}"#, 400, Field("path"), GROUPS),
    ("reserved Help, other case", "POST", "/groups", r#"{"name": "{n}", "path": "Help"}"#, 400, Field("path"), GROUPS),
    ("rename top-level group to admin", "PUT", "/groups/{g}", r#"{"path": "admin"}"#, 400, Field("path"), GROUP),
    ("reserved username", "POST", "/users", r#"{"password": "secret-pw-1", "username": "admin", "email": "{n}@example.com", "name": "x"}"#, 400, Field("username"), USERS),
    ("subgroup may be called admin", "POST", "/groups", r#"{"name": "{n}", "path": "admin", "parent_id": {g}}"#, 201, Accepted, SUBGROUPS),
    ("project may be called api", "POST", "/projects", r#"{"name": "{n}", "path": "api", "namespace_id": {g}}"#, 201, Accepted, PROJECTS),
    // Duplicate paths, also differing only in case.
    ("duplicate group path", "POST", "/groups", r#"{"name": "{n}", "path": "{g_path}"}"#, 400, Field("path"), GROUPS),
    ("duplicate group path, other case", "POST", "/groups", r#"{"name": "{n}", "path": "{G_PATH}"}"#, 400, Field("path"), GROUPS),
    ("duplicate subgroup path, other case", "POST", "/groups", r#"{"name": "{n}", "path": "{SUB_PATH}", "parent_id": {g}}"#, 400, Field("path"), SUBGROUPS),
    ("duplicate project path", "POST", "/projects", r#"{"name": "{n}", "path": "{p_path}", "namespace_id": {g}}"#, 400, Field("path"), PROJECTS),
    ("duplicate project path, other case", "POST", "/projects", r#"{"name": "{n}", "path": "{P_PATH}", "namespace_id": {g}}"#, 400, Field("path"), PROJECTS),
    ("project path taken by a subgroup", "POST", "/projects", r#"{"name": "{n}", "path": "{sub_path}", "namespace_id": {g}}"#, 400, Field("path"), PROJECTS),
    ("subgroup path taken by a project", "POST", "/groups", r#"{"name": "{n}", "path": "{p_path}", "parent_id": {g}}"#, 400, Field("path"), SUBGROUPS),
    ("group path taken by a username", "POST", "/groups", r#"{"name": "{n}", "path": "{u_name}"}"#, 400, Field("path"), GROUPS),
    ("group path taken by a username, other case", "POST", "/groups", r#"{"name": "{n}", "path": "{U_NAME}"}"#, 400, Field("path"), GROUPS),
    // Renames and moves claim the new routes before any row moves, so a taken path is a 400
    // naming `path`, not the database's unique index.
    ("rename group to a taken path", "PUT", "/groups/{g}", r#"{"path": "{g2_path}"}"#, 400, Field("path"), GROUP),
    ("rename subgroup to a sibling's path", "PUT", "/groups/{sub}", r#"{"path": "{dup_top_path}"}"#, 400, Field("path"), "/groups/{sub}"),
    ("transfer a subgroup next to a subgroup of the same path", "POST", "/groups/{sub}/transfer", r#"{"group_id": {g2}}"#, 400, Field("path"), "/groups/{g2}/subgroups"),
    ("transfer a subgroup to the top level where its path is taken", "POST", "/groups/{dup_top}/transfer", "{}", 400, Field("path"), GROUPS),
    ("transfer a project next to a project of the same path", "PUT", "/projects/{p}/transfer", r#"{"namespace": {g2}}"#, 400, Field("path"), "/projects/{p}"),
    ("rename project to a taken path, other case", "PUT", "/projects/{p}", r#"{"path": "{SUB_PATH}"}"#, 400, Field("path"), "/projects/{p}"),
    // Over-long fields.
    ("group name of 256", "POST", "/groups", r#"{"name": "{long256}", "path": "{n}"}"#, 400, Field("name"), GROUPS),
    ("group description of 501", "POST", "/groups", r#"{"name": "{n}", "path": "{n}", "description": "{long501}"}"#, 400, Field("description"), GROUPS),
    ("rename group to 256", "PUT", "/groups/{g}", r#"{"name": "{long256}"}"#, 400, Field("name"), GROUP),
    ("project name of 256", "POST", "/projects", r#"{"name": "{long256}", "path": "{n}", "namespace_id": {g}}"#, 400, Field("name"), PROJECTS),
    ("project description of 2001", "POST", "/projects", r#"{"name": "{n}", "namespace_id": {g}, "description": "{long2001}"}"#, 400, Field("description"), PROJECTS),
    ("organization name of 256", "POST", "/organizations", r#"{"name": "{long256}", "path": "{n}"}"#, 400, Field("name"), ORGS),
    ("organization description of 1025", "POST", "/organizations", r#"{"name": "{n}", "path": "{n}", "description": "{long1025}"}"#, 400, Field("description"), ORGS),
    ("user name of 256", "POST", "/users", r#"{"password": "secret-pw-1", "username": "{n}", "email": "{n}@example.com", "name": "{long256}"}"#, 400, Field("name"), USERS),
    ("group name with a semicolon", "POST", "/groups", r#"{"name": "semi;colon", "path": "{n}"}"#, 400, Field("name"), GROUPS),
    ("group name blank", "POST", "/groups", r#"{"name": "   ", "path": "{n}"}"#, 400, Field("name"), GROUPS),
    ("project name with markup", "POST", "/projects", r#"{"name": "<script>", "path": "{n}", "namespace_id": {g}}"#, 400, Field("name"), PROJECTS),
    ("rename project to empty", "PUT", "/projects/{p}", r#"{"name": ""}"#, 400, Field("name"), "/projects/{p}"),
    ("organization name blank", "POST", "/organizations", r#"{"name": "  ", "path": "{n}"}"#, 400, Field("name"), ORGS),
    ("group description of 500 is fine", "POST", "/groups", r#"{"name": "{n}", "path": "{n}", "description": "{long500}"}"#, 201, Accepted, GROUPS),
    ("organization description of 1024 is fine", "POST", "/organizations", r#"{"name": "{n}", "path": "{n}", "description": "{long1024}"}"#, 201, Accepted, ORGS),
    // Unknown visibility.
    ("group visibility secret", "POST", "/groups", r#"{"name": "{n}", "path": "{n}", "visibility": "secret"}"#, 400, Error("visibility does not have a valid value"), GROUPS),
    ("group visibility PUBLIC", "POST", "/groups", r#"{"name": "{n}", "path": "{n}", "visibility": "PUBLIC"}"#, 400, Error("visibility does not have a valid value"), GROUPS),
    ("project visibility secret", "POST", "/projects", r#"{"name": "{n}", "namespace_id": {g}, "visibility": "secret"}"#, 400, Error("visibility does not have a valid value"), PROJECTS),
    ("organization visibility secret", "POST", "/organizations", r#"{"name": "{n}", "path": "{n}", "visibility": "secret"}"#, 400, Error("visibility does not have a valid value"), ORGS),
    ("update group visibility secret", "PUT", "/groups/{g}", r#"{"visibility": "secret"}"#, 400, Error("visibility does not have a valid value"), GROUP),
    ("update project visibility 7", "PUT", "/projects/{p}", r#"{"visibility": 7}"#, 400, Error("visibility does not have a valid value"), "/projects/{p}"),
    ("project_creation_level bogus", "POST", "/groups", r#"{"name": "{n}", "path": "{n}", "project_creation_level": "bogus"}"#, 400, Error("project_creation_level does not have a valid value"), GROUPS),
    // Unknown access levels.
    ("access level 33", "POST", "/groups/{g}/members", r#"{"user_id": {v}, "access_level": 33}"#, 400, Field("access_level"), MEMBERS),
    ("access level 0", "POST", "/groups/{g}/members", r#"{"user_id": {v}, "access_level": 0}"#, 400, Field("access_level"), MEMBERS),
    ("access level 60", "POST", "/groups/{g}/members", r#"{"user_id": {v}, "access_level": 60}"#, 400, Field("access_level"), MEMBERS),
    ("access level abc", "POST", "/groups/{g}/members", r#"{"user_id": {v}, "access_level": "abc"}"#, 400, Error("access_level is invalid"), MEMBERS),
    ("access level -10", "POST", "/groups/{g}/members", r#"{"user_id": {v}, "access_level": -10}"#, 400, Field("access_level"), MEMBERS),
    ("access level 30.5", "POST", "/groups/{g}/members", r#"{"user_id": {v}, "access_level": 30.5}"#, 400, Error("access_level is invalid"), MEMBERS),
    ("access level missing", "POST", "/groups/{g}/members", r#"{"user_id": {v}}"#, 400, Error("access_level is missing"), MEMBERS),
    ("project access level 33", "POST", "/projects/{p}/members", r#"{"user_id": {v}, "access_level": 33}"#, 400, Field("access_level"), PROJECT_MEMBERS),
    ("access level 15 (planner) is fine", "POST", "/groups/{g2}/members", r#"{"user_id": {v}, "access_level": 15}"#, 201, Accepted, MEMBERS),
    // Minimal access (5) exists for top-level Groups only, as in GitLab ("Minimal Access
    // (available for the top-level group only)").
    ("project access level 5", "POST", "/projects/{p}/members", r#"{"user_id": {v}, "access_level": 5}"#, 400, Field("access_level"), PROJECT_MEMBERS),
    ("subgroup access level 5", "POST", "/groups/{sub}/members", r#"{"user_id": {v}, "access_level": 5}"#, 400, Field("access_level"), "/groups/{sub}/members/all"),
    ("update to access level 33", "PUT", "/groups/{g}/members/{u}", r#"{"access_level": 33}"#, 400, Field("access_level"), MEMBERS),
    ("update to access level 0", "PUT", "/groups/{g}/members/{u}", r#"{"access_level": 0}"#, 400, Field("access_level"), MEMBERS),
    ("share at group_access 33", "POST", "/groups/{g}/share", r#"{"group_id": {g2}, "group_access": 33}"#, 400, Error("group_access does not have a valid value"), GROUP),
    ("share at group_access 60", "POST", "/projects/{p}/share", r#"{"group_id": {g2}, "group_access": 60}"#, 400, Error("group_access does not have a valid value"), "/projects/{p}"),
    // Wrong types.
    ("parent_id abc", "POST", "/groups", r#"{"name": "{n}", "path": "{n}", "parent_id": "abc"}"#, 400, Error("parent_id is invalid"), GROUPS),
    ("parent_id an object", "POST", "/groups", r#"{"name": "{n}", "path": "{n}", "parent_id": {"id": 1}}"#, 400, Error("parent_id is invalid"), GROUPS),
    ("organization_id abc", "POST", "/groups", r#"{"name": "{n}", "path": "{n}", "organization_id": "abc"}"#, 400, Error("organization_id is invalid"), GROUPS),
    ("namespace_id abc", "POST", "/projects", r#"{"name": "{n}", "namespace_id": "abc"}"#, 400, Error("namespace_id is invalid"), PROJECTS),
    ("name a list", "POST", "/groups", r#"{"name": ["a"], "path": "{n}"}"#, 400, Error("name is invalid"), GROUPS),
    ("share group_id abc", "POST", "/groups/{g}/share", r#"{"group_id": "abc", "group_access": 30}"#, 400, Error("group_id is invalid"), GROUP),
    ("transfer group_id abc", "POST", "/groups/{sub}/transfer", r#"{"group_id": "abc"}"#, 400, Error("group_id is invalid"), "/groups/{sub}"),
    // Malformed JSON.
    ("truncated JSON", "POST", "/groups", r#"{"name": "#, 400, Text("JSON"), GROUPS),
    ("trailing comma", "POST", "/projects", r#"{"name": "{n}", "namespace_id": {g},}"#, 400, Text("JSON"), PROJECTS),
    ("JSON array", "POST", "/groups", r#"[{"name": "{n}", "path": "{n}"}]"#, 400, Text("JSON"), GROUPS),
    ("JSON string", "POST", "/organizations", r#""{n}""#, 400, Text("JSON"), ORGS),
    ("malformed JSON update", "PUT", "/groups/{g}", r#"{"name": "x""#, 400, Text("JSON"), GROUP),
    ("malformed JSON member", "POST", "/groups/{g}/members", r#"{"user_id": {v}, "access_level": }"#, 400, Text("JSON"), MEMBERS),
    // Ids that do not exist.
    ("no such group", "GET", "/groups/999999999", "", 404, Text("Group"), GROUPS),
    ("no such group path", "GET", "/groups/no-such-group-anywhere", "", 404, Text("Group"), GROUPS),
    ("no such project", "GET", "/projects/999999999", "", 404, Text("Project"), PROJECTS),
    ("no such organization", "GET", "/organizations/999999999", "", 404, Text("Organization"), ORGS),
    ("no such user", "GET", "/users/999999999", "", 404, Text("User"), USERS),
    ("update no such group", "PUT", "/groups/999999999", r#"{"name": "x"}"#, 404, Text("Group"), GROUPS),
    ("delete no such project", "DELETE", "/projects/999999999", "", 404, Text("Project"), PROJECTS),
    ("delete no such organization", "DELETE", "/organizations/999999999", "", 404, Text("Organization"), ORGS),
    ("parent does not exist", "POST", "/groups", r#"{"name": "{n}", "path": "{n}", "parent_id": 999999999}"#, 404, Text("Group"), GROUPS),
    ("organization does not exist", "POST", "/groups", r#"{"name": "{n}", "path": "{n}", "organization_id": 999999999}"#, 404, Text("Organization"), GROUPS),
    ("member user does not exist", "POST", "/groups/{g}/members", r#"{"user_id": 999999999, "access_level": 30}"#, 404, Text("User"), MEMBERS),
    ("share with a group that does not exist", "POST", "/groups/{g}/share", r#"{"group_id": 999999999, "group_access": 30}"#, 404, Text("Group"), GROUP),
    ("transfer under a group that does not exist", "POST", "/groups/{sub}/transfer", r#"{"group_id": 999999999}"#, 404, Text("Group"), "/groups/{sub}"),
    ("member that is not one", "DELETE", "/groups/{g}/members/{v}", "", 404, Text("Member"), MEMBERS),
    ("update a member that is not one", "PUT", "/groups/{g}/members/{v}", r#"{"access_level": 30}"#, 404, Text("Member"), MEMBERS),
    ("members of no such project", "GET", "/projects/999999999/members", "", 404, Text("Project"), PROJECTS),
    // Duplicate members.
    ("duplicate group member", "POST", "/groups/{g}/members", r#"{"user_id": {u}, "access_level": 30}"#, 409, Text("Member already exists"), MEMBERS),
    ("duplicate project member", "POST", "/projects/{p}/members", r#"{"user_id": {w}, "access_level": 40}"#, 409, Text("Member already exists"), PROJECT_MEMBERS),
    ("duplicate member by username", "POST", "/groups/{g}/members", r#"{"username": "{u_name}", "access_level": 30}"#, 409, Text("Member already exists"), MEMBERS),
    // The Default Organization.
    ("delete the default organization", "DELETE", "/organizations/1", "", 400, Text("default"), ORGS),
    ("delete the default organization by path", "DELETE", "/organizations/default", "", 400, Text("default"), ORGS),
    ("rename the default organization's path", "PUT", "/organizations/1", r#"{"path": "{n}"}"#, 400, Field("path"), "/organizations/1"),
    // Users.
    ("email without @", "POST", "/users", r#"{"password": "secret-pw-1", "username": "{n}", "email": "not-an-email", "name": "x"}"#, 400, Field("email"), USERS),
    ("email without domain dot", "POST", "/users", r#"{"password": "secret-pw-1", "username": "{n}", "email": "a@b", "name": "x"}"#, 400, Field("email"), USERS),
    ("email with a space", "POST", "/users", r#"{"password": "secret-pw-1", "username": "{n}", "email": "a b@example.com", "name": "x"}"#, 400, Field("email"), USERS),
    ("email missing", "POST", "/users", r#"{"password": "secret-pw-1", "username": "{n}", "name": "x"}"#, 400, Error("email is missing"), USERS),
    ("username invalid", "POST", "/users", r#"{"password": "secret-pw-1", "username": "-x", "email": "{n}@example.com", "name": "x"}"#, 400, Field("username"), USERS),
    ("username missing", "POST", "/users", r#"{"password": "secret-pw-1", "email": "{n}@example.com", "name": "x"}"#, 400, Error("username is missing"), USERS),
    ("user without a password", "POST", "/users", r#"{"username": "{n}", "email": "{n}@example.com", "name": "x"}"#, 400, Error("password, reset_password, force_random_password are missing, at least one parameter must be provided"), USERS),
    ("user with no random password", "POST", "/users", r#"{"username": "{n}", "email": "{n}@example.com", "name": "x", "force_random_password": false}"#, 400, Field("password"), USERS),
    ("user with a short password", "POST", "/users", r#"{"username": "{n}", "email": "{n}@example.com", "name": "x", "password": "short"}"#, 400, Field("password"), USERS),
    ("duplicate username", "POST", "/users", r#"{"password": "secret-pw-1", "username": "{u_name}", "email": "{n}@example.com", "name": "x"}"#, 409, Text("Username has already been taken"), USERS),
    ("duplicate username, other case", "POST", "/users", r#"{"password": "secret-pw-1", "username": "{U_NAME}", "email": "{n}@example.com", "name": "x"}"#, 409, Text("Username has already been taken"), USERS),
    ("duplicate email", "POST", "/users", r#"{"password": "secret-pw-1", "username": "{n}", "email": "{u_email}", "name": "x"}"#, 409, Text("Email has already been taken"), USERS),
    ("duplicate email, other case", "POST", "/users", r#"{"password": "secret-pw-1", "username": "{n}", "email": "{U_EMAIL}", "name": "x"}"#, 409, Text("Email has already been taken"), USERS),
    // Organization paths.
    ("organization path too short", "POST", "/organizations", r#"{"name": "{n}", "path": "a"}"#, 400, Field("path"), ORGS),
    ("organization path with a dot", "POST", "/organizations", r#"{"name": "{n}", "path": "has.dot"}"#, 400, Field("path"), ORGS),
    ("organization path starting with -", "POST", "/organizations", r#"{"name": "{n}", "path": "-org"}"#, 400, Field("path"), ORGS),
    ("organization path with a space", "POST", "/organizations", r#"{"name": "{n}", "path": "has space"}"#, 400, Field("path"), ORGS),
    ("organization path of 2 is fine", "POST", "/organizations", r#"{"name": "{n}", "path": "{two}"}"#, 201, Accepted, ORGS),
    ("organization path of 256", "POST", "/organizations", r#"{"name": "{n}", "path": "{long256}"}"#, 400, Field("path"), ORGS),
    ("duplicate organization path", "POST", "/organizations", r#"{"name": "{n}", "path": "{org_path}"}"#, 400, Field("path"), ORGS),
    ("duplicate organization path, other case", "POST", "/organizations", r#"{"name": "{n}", "path": "{ORG_PATH}"}"#, 400, Field("path"), ORGS),
    ("organization path of the default", "POST", "/organizations", r#"{"name": "{n}", "path": "Default"}"#, 400, Field("path"), ORGS),
    ("organization name missing", "POST", "/organizations", r#"{"path": "{n}"}"#, 400, Error("name is missing"), ORGS),
    ("rename organization path with a dot", "PUT", "/organizations/{org}", r#"{"path": "has.dot"}"#, 400, Field("path"), "/organizations/{org}"),
    ("rename organization to a taken path", "PUT", "/organizations/{org}", r#"{"path": "default"}"#, 400, Field("path"), "/organizations/{org}"),
];

struct Fixture {
    values: Vec<(String, String)>,
}

impl Fixture {
    fn fill(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for (key, value) in &self.values {
            out = out.replace(key.as_str(), value);
        }
        // A fresh name, the same everywhere in one case.
        let fresh = unique("n");
        out.replace("{n}", &fresh)
    }
}

async fn fixture(app: &TestApp) -> Fixture {
    let (g, g_path) = app.group(None, "private", None).await;
    let (g2, g2_path) = app.group(None, "private", None).await;
    let (sub, sub_full) = app.group(Some(g), "private", None).await;
    let (p, p_full) = app.project(g, "private").await;
    let last = |full: &str| full.rsplit('/').next().unwrap_or_default().to_owned();
    let sub_path = last(&sub_full);
    let p_path = last(&p_full);
    // The second Group holds a subgroup and a Project with the same paths as the first's.
    app.post(
        app.admin(),
        "/groups",
        serde_json::json!({"name": sub_path, "path": sub_path, "parent_id": g2}),
    )
    .await
    .expect(201);
    app.post(
        app.admin(),
        "/projects",
        serde_json::json!({"name": p_path, "path": p_path, "namespace_id": g2}),
    )
    .await
    .expect(201);
    // A subgroup of the first Group whose path is the second Group's (a top-level path).
    let dup_top = app
        .post(
            app.admin(),
            "/groups",
            serde_json::json!({"name": g2_path, "path": g2_path, "parent_id": g}),
        )
        .await
        .expect(201)
        .id();
    let (u, _) = app.user("dupe").await;
    app.add_member("groups", g, u, 10).await;
    let (w, _) = app.user("dev").await;
    app.add_member("projects", p, w, 30).await;
    let (v, _) = app.user("nothing").await;
    let user = app
        .get(app.admin(), &format!("/users/{u}"))
        .await
        .expect(200);
    let u_name = user.body["username"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let u_email = user.body["email"].as_str().unwrap_or_default().to_owned();
    assert!(!u_email.is_empty(), "admins see emails: {}", user.body);
    let org = app.organization("public").await;
    let org_path = app
        .get(app.admin(), &format!("/organizations/{org}"))
        .await
        .expect(200)
        .body["path"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let values = vec![
        ("{dup_top_path}", g2_path.clone()),
        ("{dup_top}", dup_top.to_string()),
        ("{g_path}", g_path.clone()),
        ("{G_PATH}", g_path.to_uppercase()),
        ("{g2_path}", g2_path.clone()),
        ("{sub_path}", sub_path.clone()),
        ("{SUB_PATH}", sub_path.to_uppercase()),
        ("{p_path}", p_path.clone()),
        ("{P_PATH}", p_path.to_uppercase()),
        ("{u_name}", u_name.clone()),
        ("{U_NAME}", u_name.to_uppercase()),
        ("{u_email}", u_email.clone()),
        ("{U_EMAIL}", u_email.to_uppercase()),
        ("{org_path}", org_path.clone()),
        ("{ORG_PATH}", org_path.to_uppercase()),
        ("{long256}", "a".repeat(256)),
        ("{long255}", "b".repeat(255)),
        ("{long500}", "d".repeat(500)),
        ("{long1024}", "d".repeat(1024)),
        ("{two}", two_letters()),
        ("{long501}", "d".repeat(501)),
        ("{long1025}", "d".repeat(1025)),
        ("{long2001}", "d".repeat(2001)),
        ("{sub}", sub.to_string()),
        ("{g2}", g2.to_string()),
        ("{g}", g.to_string()),
        ("{p}", p.to_string()),
        ("{u}", u.to_string()),
        ("{w}", w.to_string()),
        ("{v}", v.to_string()),
        ("{org}", org.to_string()),
    ];
    Fixture {
        values: values.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
    }
}

/// A two-letter Organization path not used before in this process.
fn two_letters() -> String {
    let n = unique("x");
    let number: u64 = n
        .rsplit('-')
        .next()
        .and_then(|d| d.parse().ok())
        .unwrap_or_default();
    let letters = b"abcdefghijklmnopqrstuvwxyz";
    let first = letters[(number / 26 % 26) as usize] as char;
    let second = letters[(number % 26) as usize] as char;
    format!("{first}{second}")
}

/// A body cut short for a failure message.
fn short(body: &Value) -> String {
    let text = body.to_string();
    if text.len() > 400 {
        format!("{}...", &text[..400])
    } else {
        text
    }
}

/// Sends a raw body as JSON, as admin.
async fn send(app: &TestApp, method: &str, path: &str, body: &str) -> common::Reply {
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
    let mut request = app
        .http
        .request(method, format!("{}{path}", app.base))
        .header("PRIVATE-TOKEN", common::ADMIN_TOKEN);
    if !body.is_empty() {
        request = request
            .header("Content-Type", "application/json")
            .body(body.to_owned());
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    common::Reply {
        status,
        body,
        headers,
    }
}

async fn bad_input_is_refused_and_changes_nothing(app: &TestApp) {
    let fixture = fixture(app).await;
    // Every case runs; the failures are reported together, each naming its case.
    let mut failures: Vec<String> = Vec::new();
    for (case, method, path, body, status, says, probe) in CASES {
        let path = fixture.fill(path);
        let body = fixture.fill(body);
        let probe = fixture.fill(probe);
        let before = app.get(app.admin(), &probe).await;
        let got = send(app, method, &path, &body).await;
        if got.status != *status {
            failures.push(format!(
                "{case}: {method} {path}: expected {status}, got {} {}",
                got.status,
                short(&got.body)
            ));
        }
        let message = &got.body["message"];
        let named = match says {
            Field(field) => message[*field].as_array().is_some_and(|m| !m.is_empty()),
            Error(error) => got.body == serde_json::json!({ "error": error }),
            Text(text) => message
                .as_str()
                .is_some_and(|m| m.to_lowercase().contains(&text.to_lowercase())),
            Accepted => continue,
        };
        if !named {
            failures.push(format!(
                "{case}: the message must name {says:?}: {}",
                short(&got.body)
            ));
        }
        let after = app.get(app.admin(), &probe).await;
        if (before.status, &before.body) != (after.status, &after.body)
            || before.header("x-total") != after.header("x-total")
        {
            failures.push(format!(
                "{case}: {probe} changed: before {} {}, after {} {}",
                before.status,
                short(&before.body),
                after.status,
                short(&after.body)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
}

/// No bad input produces a 500, whatever the endpoint.
async fn no_input_produces_a_server_error(app: &TestApp) {
    let fixture = fixture(app).await;
    let bodies = [
        "",
        "{}",
        "null",
        "[]",
        "42",
        r#"{"name": null, "path": null}"#,
        r#"{"id": "abc", "user_id": "", "access_level": "", "group_id": "", "parent_id": ""}"#,
        r#"{"visibility": ["public"], "namespace": {"id": 1}}"#,
        "\u{0}\u{1}",
        r#"{"name": "\u0000", "path": "\u0000"}"#,
    ];
    let endpoints = [
        ("POST", "/groups"),
        ("PUT", "/groups/{g}"),
        ("POST", "/groups/{g}/members"),
        ("PUT", "/groups/{g}/members/{u}"),
        ("POST", "/groups/{g}/share"),
        ("POST", "/projects"),
        ("PUT", "/projects/{p}"),
        ("PUT", "/projects/{p}/transfer"),
        ("POST", "/projects/{p}/share"),
        ("POST", "/projects/{p}/members"),
        ("POST", "/users"),
        ("POST", "/organizations"),
        ("PUT", "/organizations/{org}"),
    ];
    let groups_before = app.get(app.admin(), GROUPS).await.body;
    let mut failures: Vec<String> = Vec::new();
    for (method, path) in endpoints {
        let path = fixture.fill(path);
        for body in bodies {
            let got = send(app, method, &path, body).await;
            if got.status >= 500 {
                failures.push(format!(
                    "{method} {path} with {body:?}: {} {}",
                    got.status,
                    short(&got.body)
                ));
            }
        }
    }
    // Odd ids and query parameters.
    let reads = [
        "/groups?page=9223372036854775807&per_page=100",
        "/projects?page=9223372036854775807&per_page=100",
        "/groups/{g}/members?page=9223372036854775807",
        "/organizations/1/groups?page=92233720368547758",
        "/users?page=92233720368547758&per_page=100",
        "/groups?per_page=99999999999999999999",
        "/groups?page=-5&per_page=-5",
        "/groups?search=%25&all_available=true",
        "/groups?search=%5C&all_available=true",
        "/projects?search=_%25_",
        "/groups/99999999999999999999",
        "/groups/-1",
        "/groups/0",
        "/projects/-1",
        "/projects/99999999999999999999",
        "/groups/{g}/members/abc",
        "/groups/{g}/members/99999999999999999999",
        "/organizations/-1",
        "/users/-1",
        "/groups?order_by=bogus",
        "/projects?order_by=bogus",
        "/groups?sort=sideways",
        "/groups?min_access_level=33",
        "/projects?visibility=secret",
        "/projects?pagination=keyset&order_by=id&cursor=abc",
    ];
    for path in reads {
        let path = fixture.fill(path);
        let got = send(app, "GET", &path, "").await;
        if got.status >= 500 {
            failures.push(format!("GET {path}: {} {}", got.status, short(&got.body)));
        }
    }
    // A huge `page` must not overflow the page arithmetic.
    assert!(
        failures.is_empty(),
        "{} requests answered 5xx:\n{}",
        failures.len(),
        failures.join("\n")
    );
    let groups_after = app.get(app.admin(), GROUPS).await.body;
    assert_eq!(
        groups_before, groups_after,
        "bad bodies created or changed groups"
    );
}

/// A body over the limit is 413, said so, and creates nothing.
async fn a_body_too_large_is_413(app: &TestApp) {
    let groups_before = app.get(app.admin(), GROUPS).await.body;
    let description = "x".repeat(3 * 1024 * 1024);
    let body = serde_json::json!({"name": "big", "path": "big", "description": description});
    let reply = send(app, "POST", "/groups", &body.to_string()).await;
    assert_eq!(reply.status, 413, "{}", reply.body);
    assert!(
        reply.body["message"]
            .as_str()
            .is_some_and(|m| m.contains("2 MiB")),
        "{}",
        reply.body
    );
    assert_eq!(app.get(app.admin(), GROUPS).await.body, groups_before);
}

both!(
    bad_input_is_refused_and_changes_nothing,
    no_input_produces_a_server_error,
    a_body_too_large_is_413,
);
