//! SPEC section 3, "Who sees what": the visibility table, one line per (Organization visibility,
//! Group/Project visibility, viewer), checked through single reads and through every list; 404
//! (never 403) for what a viewer may not see; Project Members' limited access to ancestor Groups;
//! and the rule that nothing is more visible than what contains it.

mod common;

use common::{TestApp, unique};
use serde_json::{Value, json};

/// Which Organization the resources live in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Org {
    Public,
    Internal,
    /// The Default Organization (id 1, public): every User is a User of it.
    Default,
}

/// Who is looking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    /// Signed in, a Member of nothing (so a User of the Default Organization only).
    SignedIn,
    /// A User of the Organization (Member of an unrelated Group in it), no membership here.
    OrgUser,
    /// A direct Member (guest) of the Group under test.
    GroupMember,
    /// A Member (guest) of the Group's parent.
    ParentMember,
    /// A direct Member (developer) of a Group the Group under test is shared with.
    SharedMember,
    /// A Member (guest) of the Project under test only.
    ProjectMember,
    Admin,
}

use Org::{Default as Dflt, Internal as IntOrg, Public as PubOrg};
use Who::*;

const Y: bool = true;
const N: bool = false;

/// (Organization, visibility of the Groups and the Project, viewer, sees the Organization, sees
/// the Group, sees the Project). "Sees" means GET answers 200 and the lists include it; not
/// seeing means 404 and the lists leave it out.
///
/// The shape: Organization > top (visibility) > sub (visibility, the Group under test) >
/// project (visibility, the Project under test); sub is shared with another Group of the
/// Organization.
#[rustfmt::skip]
const TABLE: &[(Org, &str, Who, bool, bool, bool)] = &[
    (PubOrg, "public", Anonymous, Y, Y, Y),
    (PubOrg, "public", SignedIn, Y, Y, Y),
    (PubOrg, "public", OrgUser, Y, Y, Y),
    (PubOrg, "public", GroupMember, Y, Y, Y),
    (PubOrg, "public", ParentMember, Y, Y, Y),
    (PubOrg, "public", SharedMember, Y, Y, Y),
    (PubOrg, "public", ProjectMember, Y, Y, Y),
    (PubOrg, "public", Admin, Y, Y, Y),
    (PubOrg, "internal", Anonymous, Y, N, N),
    (PubOrg, "internal", SignedIn, Y, N, N),
    (PubOrg, "internal", OrgUser, Y, Y, Y),
    (PubOrg, "internal", GroupMember, Y, Y, Y),
    (PubOrg, "internal", ParentMember, Y, Y, Y),
    (PubOrg, "internal", SharedMember, Y, Y, Y),
    (PubOrg, "internal", ProjectMember, Y, Y, Y),
    (PubOrg, "internal", Admin, Y, Y, Y),
    (PubOrg, "private", Anonymous, Y, N, N),
    (PubOrg, "private", SignedIn, Y, N, N),
    (PubOrg, "private", OrgUser, Y, N, N),
    (PubOrg, "private", GroupMember, Y, Y, Y),
    (PubOrg, "private", ParentMember, Y, Y, Y),
    (PubOrg, "private", SharedMember, Y, Y, Y),
    (PubOrg, "private", ProjectMember, Y, Y, Y),
    (PubOrg, "private", Admin, Y, Y, Y),
    (IntOrg, "internal", Anonymous, N, N, N),
    (IntOrg, "internal", SignedIn, N, N, N),
    (IntOrg, "internal", OrgUser, Y, Y, Y),
    (IntOrg, "internal", GroupMember, Y, Y, Y),
    (IntOrg, "internal", ParentMember, Y, Y, Y),
    (IntOrg, "internal", SharedMember, Y, Y, Y),
    (IntOrg, "internal", ProjectMember, Y, Y, Y),
    (IntOrg, "internal", Admin, Y, Y, Y),
    (IntOrg, "private", Anonymous, N, N, N),
    (IntOrg, "private", SignedIn, N, N, N),
    (IntOrg, "private", OrgUser, Y, N, N),
    (IntOrg, "private", GroupMember, Y, Y, Y),
    (IntOrg, "private", ParentMember, Y, Y, Y),
    (IntOrg, "private", SharedMember, Y, Y, Y),
    (IntOrg, "private", ProjectMember, Y, Y, Y),
    (IntOrg, "private", Admin, Y, Y, Y),
    // Every User is a User of the Default Organization: signed in is enough for internal.
    (Dflt, "public", Anonymous, Y, Y, Y),
    (Dflt, "internal", Anonymous, Y, N, N),
    (Dflt, "internal", SignedIn, Y, Y, Y),
    (Dflt, "private", SignedIn, Y, N, N),
    (Dflt, "private", ProjectMember, Y, Y, Y),
    (Dflt, "private", SharedMember, Y, Y, Y),
];

fn ids(reply: &common::Reply) -> Vec<i64> {
    reply
        .body
        .as_array()
        .map(|items| items.iter().filter_map(|i| i["id"].as_i64()).collect())
        .unwrap_or_default()
}

fn path_of(reply_full_path: &str) -> String {
    reply_full_path
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_owned()
}

async fn visibility_table(app: &TestApp) {
    for (n, &(org_kind, vis, who, sees_org, sees_group, sees_project)) in TABLE.iter().enumerate() {
        let case = format!("case {n}: org {org_kind:?}, resources {vis}, viewer {who:?}");
        let org = match org_kind {
            Org::Public => app.organization("public").await,
            Org::Internal => app.organization("internal").await,
            Org::Default => 1,
        };
        let (other, _) = app.group(None, "private", Some(org)).await;
        let (invited, _) = app.group(None, "private", Some(org)).await;
        // Another User creates (and so owns) the resources, so the admin sees them with no
        // membership at all.
        let (creator, creator_token) = app.user("creator").await;
        app.add_member("groups", other, creator, 10).await;
        let creator_token = Some(creator_token.as_str());
        let create = |body: Value, path: &'static str| async move {
            let reply = app.post(creator_token, path, body).await.expect(201);
            let full = reply.body["full_path"]
                .as_str()
                .or(reply.body["path_with_namespace"].as_str())
                .unwrap_or_default()
                .to_owned();
            (reply.id(), full)
        };
        let top_path = unique("g");
        let (top, _) = create(
            json!({"name": top_path, "path": top_path, "visibility": vis, "organization_id": org}),
            "/groups",
        )
        .await;
        let sub_name = unique("g");
        let (sub, sub_path) = create(
            json!({"name": sub_name, "path": sub_name, "visibility": vis, "parent_id": top}),
            "/groups",
        )
        .await;
        let (project, project_path) = create(
            json!({"name": unique("p"), "visibility": vis, "namespace_id": sub}),
            "/projects",
        )
        .await;
        app.post(
            app.admin(),
            &format!("/groups/{sub}/share"),
            json!({"group_id": invited, "group_access": 30}),
        )
        .await
        .expect(201);

        let token: Option<String> = match who {
            Who::Anonymous => None,
            Who::Admin => Some(common::ADMIN_TOKEN.to_owned()),
            _ => {
                let (user, token) = app.user("viewer").await;
                match who {
                    Who::OrgUser => app.add_member("groups", other, user, 10).await,
                    Who::GroupMember => app.add_member("groups", sub, user, 10).await,
                    Who::ParentMember => app.add_member("groups", top, user, 10).await,
                    Who::SharedMember => app.add_member("groups", invited, user, 30).await,
                    Who::ProjectMember => app.add_member("projects", project, user, 10).await,
                    _ => {}
                }
                Some(token)
            }
        };
        let token = token.as_deref();
        let status = |seen: bool| if seen { 200 } else { 404 };

        let got = app.get(token, &format!("/organizations/{org}")).await;
        assert_eq!(
            got.status,
            status(sees_org),
            "{case}: GET /organizations/{org}: {}",
            got.body
        );
        let got = app.get(token, &format!("/groups/{sub}")).await;
        assert_eq!(
            got.status,
            status(sees_group),
            "{case}: GET /groups/:id: {}",
            got.body
        );
        if !sees_group {
            assert_eq!(
                got.body,
                json!({"message": "404 Group Not Found"}),
                "{case}: an invisible Group does not exist"
            );
        }
        let got = app.get(token, &format!("/projects/{project}")).await;
        assert_eq!(
            got.status,
            status(sees_project),
            "{case}: GET /projects/:id: {}",
            got.body
        );
        let got = app
            .get(
                token,
                &format!("/projects/{}", project_path.replace('/', "%2F")),
            )
            .await;
        assert_eq!(
            got.status,
            status(sees_project),
            "{case}: GET /projects/:path: {}",
            got.body
        );

        let group_search = path_of(&sub_path);
        let project_search = path_of(&project_path);
        let lists: [(String, i64, bool, bool); 4] = [
            (
                format!("/groups?all_available=true&search={group_search}&per_page=100"),
                sub,
                sees_group,
                true,
            ),
            (
                format!("/projects?search={project_search}&per_page=100"),
                project,
                sees_project,
                true,
            ),
            (
                format!("/organizations/{org}/groups?search={group_search}&per_page=100"),
                sub,
                sees_group,
                sees_org,
            ),
            (
                format!("/organizations/{org}/projects?search={project_search}&per_page=100"),
                project,
                sees_project,
                sees_org,
            ),
        ];
        for (path, id, listed, reachable) in lists {
            let got = app.get(token, &path).await;
            if !reachable {
                assert_eq!(
                    got.status, 404,
                    "{case}: GET {path} of an invisible Organization: {}",
                    got.body
                );
                continue;
            }
            assert_eq!(got.status, 200, "{case}: GET {path}: {}", got.body);
            assert_eq!(
                ids(&got).contains(&id),
                listed,
                "{case}: GET {path} should {}list {id}: {}",
                if listed { "" } else { "not " },
                got.body
            );
            let total: Option<i64> = got.header("x-total").and_then(|t| t.parse().ok());
            assert_eq!(
                total,
                Some(ids(&got).len() as i64),
                "{case}: GET {path}: X-Total counts exactly what is shown"
            );
        }
    }
}

/// A Project Member sees the Project and its ancestor Groups (limited access), not the sibling
/// Projects nor other Projects of those Groups.
async fn project_member_limited_access(app: &TestApp) {
    let (top, _) = app.group(None, "private", None).await;
    let (sub, _) = app.group(Some(top), "private", None).await;
    let (other_sub, _) = app.group(Some(top), "private", None).await;
    let (mine, _) = app.project(sub, "private").await;
    let (sibling, _) = app.project(sub, "private").await;
    let (in_top, _) = app.project(top, "private").await;
    let (in_other_sub, _) = app.project(other_sub, "private").await;
    let (user, token) = app.user("pm").await;
    app.add_member("projects", mine, user, 10).await;
    let token = Some(token.as_str());

    // (what, path, status)
    #[rustfmt::skip]
    let reads: &[(&str, String, u16)] = &[
        ("own project", format!("/projects/{mine}"), 200),
        ("parent group", format!("/groups/{sub}"), 200),
        ("grandparent group", format!("/groups/{top}"), 200),
        ("sibling private project", format!("/projects/{sibling}"), 404),
        ("project of an ancestor", format!("/projects/{in_top}"), 404),
        ("unrelated subgroup", format!("/groups/{other_sub}"), 404),
        ("project in unrelated subgroup", format!("/projects/{in_other_sub}"), 404),
        ("members of the sibling", format!("/projects/{sibling}/members"), 404),
    ];
    for (what, path, status) in reads {
        let got = app.get(token, path).await;
        assert_eq!(got.status, *status, "{what}: GET {path}: {}", got.body);
    }

    // (what, list path, ids that must appear, ids that must not)
    #[rustfmt::skip]
    let lists: &[(&str, String, Vec<i64>, Vec<i64>)] = &[
        ("group projects with subgroups", format!("/groups/{top}/projects?include_subgroups=true&per_page=100"), vec![mine], vec![sibling, in_top, in_other_sub]),
        ("projects of the parent group", format!("/groups/{sub}/projects?per_page=100"), vec![mine], vec![sibling]),
        ("all projects", "/projects?per_page=100".to_owned(), vec![mine], vec![sibling, in_top, in_other_sub]),
        ("subgroups of the top group", format!("/groups/{top}/subgroups?per_page=100"), vec![sub], vec![other_sub]),
        ("all available groups", "/groups?all_available=true&per_page=100".to_owned(), vec![top, sub], vec![other_sub]),
        ("default organization's groups", "/organizations/1/groups?per_page=100".to_owned(), vec![top, sub], vec![other_sub]),
        ("default organization's projects", "/organizations/1/projects?per_page=100".to_owned(), vec![mine], vec![sibling, in_top, in_other_sub]),
    ];
    for (what, path, present, absent) in lists {
        let got = app.get(token, path).await.expect(200);
        let listed = ids(&got);
        for id in present {
            assert!(
                listed.contains(id),
                "{what}: {path} should list {id}: {listed:?}"
            );
        }
        for id in absent {
            assert!(
                !listed.contains(id),
                "{what}: {path} must not list {id}: {listed:?}"
            );
        }
    }
}

/// A link reaches what was shared (and below it), nothing above or beside it.
async fn links_reveal_only_what_was_shared(app: &TestApp) {
    let (top, _) = app.group(None, "private", None).await;
    let (shared, _) = app.group(Some(top), "private", None).await;
    let (below, _) = app.group(Some(shared), "private", None).await;
    let (beside, _) = app.group(Some(top), "private", None).await;
    let (in_shared, _) = app.project(shared, "private").await;
    let (in_top, _) = app.project(top, "private").await;
    let (shared_project, _) = app.project(beside, "private").await;
    let (sibling_project, _) = app.project(beside, "private").await;
    let (invited, _) = app.group(None, "private", None).await;
    app.post(
        app.admin(),
        &format!("/groups/{shared}/share"),
        json!({"group_id": invited, "group_access": 20}),
    )
    .await
    .expect(201);
    app.post(
        app.admin(),
        &format!("/projects/{shared_project}/share"),
        json!({"group_id": invited, "group_access": 20}),
    )
    .await
    .expect(201);
    let (user, token) = app.user("invitee").await;
    app.add_member("groups", invited, user, 30).await;
    let token = Some(token.as_str());
    // (what, path, status)
    #[rustfmt::skip]
    let reads: &[(&str, String, u16)] = &[
        ("the shared group", format!("/groups/{shared}"), 200),
        ("its subgroup", format!("/groups/{below}"), 200),
        ("its project", format!("/projects/{in_shared}"), 200),
        ("the shared project", format!("/projects/{shared_project}"), 200),
        ("the shared project's group, limited", format!("/groups/{beside}"), 200),
        // `top` is an ancestor of the shared project: seen (limited), as for any Project Member.
        ("the shared group's parent, limited", format!("/groups/{top}"), 200),
        ("a project of the parent", format!("/projects/{in_top}"), 404),
        ("a sibling of the shared project", format!("/projects/{sibling_project}"), 404),
    ];
    // A Member through a project-group link is a Member of the Project (SPEC 3: "its Members
    // (direct, inherited or through a link)"), so they get the limited access to its ancestor
    // Groups that a Project Member gets.
    let mut failures = Vec::new();
    for (what, path, status) in reads {
        let got = app.get(token, path).await;
        if got.status != *status {
            failures.push(format!(
                "{what}: GET {path}: expected {status}, got {} {}",
                got.status, got.body
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let listed = ids(&app.get(token, "/projects?per_page=100").await.expect(200));
    let mut expected = vec![in_shared, shared_project];
    expected.sort_unstable();
    let mut listed_sorted = listed.clone();
    listed_sorted.sort_unstable();
    assert_eq!(
        listed_sorted, expected,
        "GET /projects lists exactly what the links reach"
    );
}

/// What a viewer may not see is a 404 for every verb, never a 403; 403 is for what they see
/// but may not change.
async fn not_found_never_forbidden(app: &TestApp) {
    let internal_org = app.organization("internal").await;
    let (private_group, _) = app.group(None, "private", None).await;
    let (private_project, _) = app.project(private_group, "private").await;
    let (internal_group, _) = app.group(None, "internal", Some(internal_org)).await;
    let (internal_project, _) = app.project(internal_group, "internal").await;
    let (public_group, _) = app.group(None, "public", None).await;
    let (public_project, _) = app.project(public_group, "public").await;
    let (mine, _) = app.group(None, "private", None).await;
    let (outsider, token) = app.user("outsider").await;
    app.add_member("groups", mine, outsider, 50).await;
    let (someone, _) = app.user("someone").await;
    let token = Some(token.as_str());

    let pg = private_group;
    let pp = private_project;
    let ig = internal_group;
    let ip = internal_project;
    // (case, method, path, body, status)
    #[rustfmt::skip]
    let cases: &[(&str, &str, String, Value, u16)] = &[
        ("get private group", "GET", format!("/groups/{pg}"), json!(null), 404),
        ("update private group", "PUT", format!("/groups/{pg}"), json!({"name": "x"}), 404),
        ("delete private group", "DELETE", format!("/groups/{pg}"), json!(null), 404),
        ("members of private group", "GET", format!("/groups/{pg}/members"), json!(null), 404),
        ("all members of private group", "GET", format!("/groups/{pg}/members/all"), json!(null), 404),
        ("add member to private group", "POST", format!("/groups/{pg}/members"), json!({"user_id": someone, "access_level": 10}), 404),
        ("share private group", "POST", format!("/groups/{pg}/share"), json!({"group_id": mine, "group_access": 10}), 404),
        ("share own group with private group", "POST", format!("/groups/{mine}/share"), json!({"group_id": pg, "group_access": 10}), 404),
        ("transfer private group", "POST", format!("/groups/{pg}/transfer"), json!({"group_id": mine}), 404),
        ("transfer own group into private group", "POST", format!("/groups/{mine}/transfer"), json!({"group_id": pg}), 404),
        ("subgroup in private group", "POST", "/groups".to_owned(), json!({"name": "sub", "path": unique("sub"), "parent_id": pg}), 404),
        ("subgroups of private group", "GET", format!("/groups/{pg}/subgroups"), json!(null), 404),
        ("projects of private group", "GET", format!("/groups/{pg}/projects"), json!(null), 404),
        ("get private project", "GET", format!("/projects/{pp}"), json!(null), 404),
        ("update private project", "PUT", format!("/projects/{pp}"), json!({"name": "x"}), 404),
        ("delete private project", "DELETE", format!("/projects/{pp}"), json!(null), 404),
        ("members of private project", "GET", format!("/projects/{pp}/members"), json!(null), 404),
        ("add member to private project", "POST", format!("/projects/{pp}/members"), json!({"user_id": someone, "access_level": 10}), 404),
        ("share private project", "POST", format!("/projects/{pp}/share"), json!({"group_id": mine, "group_access": 10}), 404),
        ("transfer private project", "PUT", format!("/projects/{pp}/transfer"), json!({"namespace": mine}), 404),
        ("get internal org", "GET", format!("/organizations/{internal_org}"), json!(null), 404),
        ("update internal org", "PUT", format!("/organizations/{internal_org}"), json!({"description": "x"}), 404),
        ("delete internal org", "DELETE", format!("/organizations/{internal_org}"), json!(null), 404),
        ("groups of internal org", "GET", format!("/organizations/{internal_org}/groups"), json!(null), 404),
        ("projects of internal org", "GET", format!("/organizations/{internal_org}/projects"), json!(null), 404),
        ("users of internal org", "GET", format!("/organizations/{internal_org}/users"), json!(null), 404),
        ("get internal group of other org", "GET", format!("/groups/{ig}"), json!(null), 404),
        ("update internal group of other org", "PUT", format!("/groups/{ig}"), json!({"name": "x"}), 404),
        ("get internal project of other org", "GET", format!("/projects/{ip}"), json!(null), 404),
        ("delete internal project of other org", "DELETE", format!("/projects/{ip}"), json!(null), 404),
        ("top-level group in internal org", "POST", "/groups".to_owned(), json!({"name": "t", "path": unique("t"), "organization_id": internal_org}), 404),
        // What they see but may not change: 403.
        ("update public group", "PUT", format!("/groups/{public_group}"), json!({"name": "x"}), 403),
        ("delete public group", "DELETE", format!("/groups/{public_group}"), json!(null), 403),
        ("add member to public group", "POST", format!("/groups/{public_group}/members"), json!({"user_id": someone, "access_level": 10}), 403),
        ("update public project", "PUT", format!("/projects/{public_project}"), json!({"name": "x"}), 403),
        ("delete public project", "DELETE", format!("/projects/{public_project}"), json!(null), 403),
    ];
    for (case, method, path, body, status) in cases {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let body = (!body.is_null()).then(|| body.clone());
        let got = app.request(token, method.clone(), path, body).await;
        assert_eq!(got.status, *status, "{case}: {method} {path}: {}", got.body);
    }
    // Nothing the outsider tried changed anything.
    for (what, path) in [
        ("private group", format!("/groups/{pg}")),
        ("private project", format!("/projects/{pp}")),
        ("internal group", format!("/groups/{ig}")),
        ("internal project", format!("/projects/{ip}")),
        ("public group", format!("/groups/{public_group}")),
        ("public project", format!("/projects/{public_project}")),
    ] {
        let got = app.get(app.admin(), &path).await.expect(200);
        assert_ne!(got.body["name"], json!("x"), "{what} was renamed");
        assert!(
            got.body["shared_with_groups"]
                .as_array()
                .is_none_or(Vec::is_empty),
            "{what} was shared: {}",
            got.body
        );
    }
    app.get(app.admin(), &format!("/groups/{pg}/members/{someone}"))
        .await
        .expect(404);
    app.get(app.admin(), &format!("/projects/{pp}/members/{someone}"))
        .await
        .expect(404);
    app.get(app.admin(), &format!("/organizations/{internal_org}"))
        .await
        .expect(200);
}

/// Nothing may be more visible than what contains it; the refusal names `visibility_level`
/// and changes nothing.
async fn no_more_visible_than_container(app: &TestApp) {
    let internal_org = app.organization("internal").await;
    let public_org = app.organization("public").await;
    let (public_in_public_org, _) = app.group(None, "public", Some(public_org)).await;
    let (top_in_internal_org, _) = app.group(None, "internal", Some(internal_org)).await;
    let (internal_top, _) = app.group(None, "internal", None).await;
    let (internal_sub, _) = app.group(Some(internal_top), "internal", None).await;
    let (private_top, _) = app.group(None, "private", None).await;
    let (private_project, _) = app.project(private_top, "private").await;
    let (public_top, _) = app.group(None, "public", None).await;
    let (public_sub, _) = app.group(Some(public_top), "public", None).await;
    let (public_project, _) = app.project(public_top, "public").await;
    let (private_target, _) = app.group(None, "private", None).await;

    // (case, method, path, body, status, field named, path whose GET must not change)
    #[rustfmt::skip]
    let cases: &[(&str, &str, String, Value, u16, &str, String)] = &[
        ("public top-level group in an internal organization", "POST", "/groups".to_owned(), json!({"name": "g", "path": unique("g"), "visibility": "public", "organization_id": internal_org}), 400, "visibility_level", format!("/organizations/{internal_org}/groups")),
        ("public subgroup of an internal group", "POST", "/groups".to_owned(), json!({"name": "g", "path": unique("g"), "visibility": "public", "parent_id": internal_top}), 400, "visibility_level", format!("/groups/{internal_top}/subgroups")),
        ("internal subgroup of a private group", "POST", "/groups".to_owned(), json!({"name": "g", "path": unique("g"), "visibility": "internal", "parent_id": private_top}), 400, "visibility_level", format!("/groups/{private_top}/subgroups")),
        ("public project in an internal group", "POST", "/projects".to_owned(), json!({"name": unique("p"), "visibility": "public", "namespace_id": internal_top}), 400, "visibility_level", format!("/groups/{internal_top}/projects")),
        ("internal project in a private group", "POST", "/projects".to_owned(), json!({"name": unique("p"), "visibility": "internal", "namespace_id": private_top}), 400, "visibility_level", format!("/groups/{private_top}/projects")),
        ("subgroup made public under an internal parent", "PUT", format!("/groups/{internal_sub}"), json!({"visibility": "public"}), 400, "visibility_level", format!("/groups/{internal_sub}")),
        ("group made private above an internal subgroup", "PUT", format!("/groups/{internal_top}"), json!({"visibility": "private"}), 400, "visibility_level", format!("/groups/{internal_top}")),
        ("group made internal above a public project", "PUT", format!("/groups/{public_top}"), json!({"visibility": "internal"}), 400, "visibility_level", format!("/groups/{public_top}")),
        ("top-level group made public in an internal organization", "PUT", format!("/groups/{top_in_internal_org}"), json!({"visibility": "public"}), 400, "visibility_level", format!("/groups/{top_in_internal_org}")),
        ("project made internal in a private group", "PUT", format!("/projects/{private_project}"), json!({"visibility": "internal"}), 400, "visibility_level", format!("/projects/{private_project}")),
        ("public subgroup transferred under a private group", "POST", format!("/groups/{public_sub}/transfer"), json!({"group_id": private_target}), 400, "visibility_level", format!("/groups/{public_sub}")),
        ("public project transferred into a private group", "PUT", format!("/projects/{public_project}/transfer"), json!({"namespace": private_target}), 400, "visibility_level", format!("/projects/{public_project}")),
        ("organization made internal above a public group", "PUT", format!("/organizations/{public_org}"), json!({"visibility": "internal"}), 400, "visibility", format!("/organizations/{public_org}")),
    ];
    for (case, method, path, body, status, field, probe) in cases {
        let before = app.get(app.admin(), probe).await.expect(200).body;
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let got = app
            .request(app.admin(), method.clone(), path, Some(body.clone()))
            .await;
        assert_eq!(got.status, *status, "{case}: {method} {path}: {}", got.body);
        assert!(
            got.body["message"][*field]
                .as_array()
                .is_some_and(|m| !m.is_empty()),
            "{case}: the message must name `{field}`: {}",
            got.body
        );
        let after = app.get(app.admin(), probe).await.expect(200).body;
        assert_eq!(before, after, "{case}: {probe} changed");
    }
    // The public group of the public Organization is untouched by the refused change.
    app.get(app.admin(), &format!("/groups/{public_in_public_org}"))
        .await
        .expect(200);
}

both!(
    visibility_table,
    project_member_limited_access,
    links_reveal_only_what_was_shared,
    not_found_never_forbidden,
    no_more_visible_than_container,
);
