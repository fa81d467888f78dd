//! SPEC section 6, isolation: nothing links across Organizations (shares, transfers), every
//! attempt is refused and changes nothing; lists scoped to an Organization never show another
//! Organization's rows.

mod common;

use common::TestApp;
use serde_json::{Value, json};

/// Two public Organizations, each with a public top-level Group, a public subgroup and a public
/// Project in it, and a User who owns the top-level Groups of both.
struct Fixture {
    o1: i64,
    o2: i64,
    a: i64,
    a1: i64,
    pa: i64,
    b: i64,
    b1: i64,
    pb: i64,
    b_path: String,
    owner: i64,
    owner_token: String,
}

async fn fixture(app: &TestApp) -> Fixture {
    let o1 = app.organization("public").await;
    let o2 = app.organization("public").await;
    let (a, _) = app.group(None, "public", Some(o1)).await;
    let (a1, _) = app.group(Some(a), "public", None).await;
    let (pa, _) = app.project(a1, "public").await;
    let (b, b_path) = app.group(None, "public", Some(o2)).await;
    let (b1, _) = app.group(Some(b), "public", None).await;
    let (pb, _) = app.project(b1, "public").await;
    let (owner, owner_token) = app.user("both").await;
    app.add_member("groups", a, owner, 50).await;
    app.add_member("groups", b, owner, 50).await;
    Fixture {
        o1,
        o2,
        a,
        a1,
        pa,
        b,
        b1,
        pb,
        b_path,
        owner,
        owner_token,
    }
}

fn method(name: &str) -> reqwest::Method {
    reqwest::Method::from_bytes(name.as_bytes()).expect("method")
}

/// Everything a cross-Organization attempt could have touched.
async fn snapshot(app: &TestApp, f: &Fixture) -> Vec<Value> {
    let paths = [
        format!("/groups/{}", f.a),
        format!("/groups/{}", f.a1),
        format!("/projects/{}", f.pa),
        format!("/groups/{}", f.b),
        format!("/groups/{}", f.b1),
        format!("/projects/{}", f.pb),
        format!("/groups/{}/descendant_groups", f.a),
        format!("/groups/{}/descendant_groups", f.b),
        format!("/groups/{}/projects?include_subgroups=true", f.a),
        format!("/groups/{}/projects?include_subgroups=true", f.b),
        format!("/groups/{}/projects/shared", f.b),
        format!("/groups/{}/projects/shared", f.b1),
        format!("/organizations/{}/groups?per_page=100", f.o1),
        format!("/organizations/{}/groups?per_page=100", f.o2),
        format!("/organizations/{}/projects?per_page=100", f.o1),
        format!("/organizations/{}/projects?per_page=100", f.o2),
    ];
    let mut out = Vec::new();
    for path in paths {
        out.push(app.get(app.admin(), &path).await.expect(200).body);
    }
    out
}

async fn nothing_links_across_organizations(app: &TestApp) {
    // (case, method, path, body) with `{a}`, `{a1}`, `{pa}` of the first Organization, `{b}`,
    // `{b1}` of the second, `{b_path}` the second's top-level Group path, `{home}` the actor's
    // personal namespace (in the Default Organization), `{o2}` the second Organization.
    #[rustfmt::skip]
    let cases: &[(&str, &str, &str, &str)] = &[
        ("share a group with a group of another organization", "POST", "/groups/{a}/share", r#"{"group_id": {b}, "group_access": 30}"#),
        ("share a group of the other organization back", "POST", "/groups/{b}/share", r#"{"group_id": {a}, "group_access": 30}"#),
        ("share a subgroup with a subgroup of another organization", "POST", "/groups/{a1}/share", r#"{"group_id": {b1}, "group_access": 10}"#),
        ("share a project with a group of another organization", "POST", "/projects/{pa}/share", r#"{"group_id": {b}, "group_access": 30}"#),
        ("share a project with a subgroup of another organization", "POST", "/projects/{pa}/share", r#"{"group_id": {b1}, "group_access": 10}"#),
        ("transfer a subgroup under a group of another organization", "POST", "/groups/{a1}/transfer", r#"{"group_id": {b}}"#),
        ("transfer a subgroup under a subgroup of another organization", "POST", "/groups/{a1}/transfer", r#"{"group_id": {b1}}"#),
        ("transfer a top-level group under a group of another organization", "POST", "/groups/{a}/transfer", r#"{"group_id": {b1}}"#),
        ("transfer a project into a group of another organization", "PUT", "/projects/{pa}/transfer", r#"{"namespace": {b}}"#),
        ("transfer a project into a group of another organization, by path", "PUT", "/projects/{pa}/transfer", r#"{"namespace": "{b_path}"}"#),
        ("transfer a project into a subgroup of another organization", "PUT", "/projects/{pa}/transfer", r#"{"namespace": {b1}}"#),
        ("transfer a project into a personal namespace of another organization", "PUT", "/projects/{pa}/transfer", r#"{"namespace": {home}}"#),
        ("create a subgroup claiming another organization", "POST", "/groups", r#"{"name": "x-sub", "path": "x-sub", "parent_id": {a}, "organization_id": {o2}}"#),
    ];
    for actor in ["admin", "owner of both"] {
        for (case, verb, path, body) in cases {
            let case = format!("{actor}: {case}");
            let f = fixture(app).await;
            let (actor_id, token) = if actor == "admin" {
                let me = app.get(app.admin(), "/user").await.expect(200);
                (me.id(), common::ADMIN_TOKEN.to_owned())
            } else {
                (f.owner, f.owner_token.clone())
            };
            let username = app
                .get(app.admin(), &format!("/users/{actor_id}"))
                .await
                .expect(200)
                .body["username"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let personal = app
                .get(app.admin(), &format!("/namespaces/{username}"))
                .await
                .expect(200);
            assert_eq!(
                personal.body["kind"],
                json!("user"),
                "{case}: {}",
                personal.body
            );
            let home = personal.id();
            let fill = |text: &str| {
                text.replace("{a1}", &f.a1.to_string())
                    .replace("{a}", &f.a.to_string())
                    .replace("{pa}", &f.pa.to_string())
                    .replace("{b_path}", &f.b_path)
                    .replace("{b1}", &f.b1.to_string())
                    .replace("{b}", &f.b.to_string())
                    .replace("{home}", &home.to_string())
                    .replace("{o2}", &f.o2.to_string())
            };
            let path = fill(path);
            let body: Value = serde_json::from_str(&fill(body)).expect("body");
            let before = snapshot(app, &f).await;
            let got = app
                .request(Some(&token), method(verb), &path, Some(body))
                .await;
            assert!(
                (400..500).contains(&got.status) && got.status != 404,
                "{case}: {verb} {path} must be refused with a 4xx (the actor sees both sides), got {}: {}",
                got.status,
                got.body
            );
            assert!(
                got.body["message"].is_string() || got.body["message"].is_object(),
                "{case}: a clear message: {}",
                got.body
            );
            let after = snapshot(app, &f).await;
            assert!(before == after, "{case}: something changed");
            let a1 = app
                .get(app.admin(), &format!("/groups/{}", f.a1))
                .await
                .expect(200);
            assert_eq!(a1.body["organization_id"], json!(f.o1), "{case}: A1 moved");
            assert_eq!(a1.body["parent_id"], json!(f.a), "{case}: A1 moved");
            let pa = app
                .get(app.admin(), &format!("/projects/{}", f.pa))
                .await
                .expect(200);
            assert_eq!(pa.body["namespace"]["id"], json!(f.a1), "{case}: PA moved");
            assert_eq!(pa.body["organization_id"], json!(f.o1), "{case}: PA moved");
            assert_eq!(
                pa.body["shared_with_groups"],
                json!([]),
                "{case}: PA shared"
            );
            let a = app
                .get(app.admin(), &format!("/groups/{}", f.a))
                .await
                .expect(200);
            assert_eq!(a.body["shared_with_groups"], json!([]), "{case}: A shared");
            assert_eq!(a.body["parent_id"], Value::Null, "{case}: A moved");
        }
    }
}

/// Lists scoped to an Organization show that Organization's rows only, whoever asks.
async fn scoped_lists_stay_inside(app: &TestApp) {
    let o1 = app.organization("public").await;
    let o2 = app.organization("public").await;
    let mut o1_groups = Vec::new();
    let mut o1_projects = Vec::new();
    let mut o2_groups = Vec::new();
    let mut o2_projects = Vec::new();
    // The same shapes in both, every visibility.
    for (org, groups, projects) in [
        (o1, &mut o1_groups, &mut o1_projects),
        (o2, &mut o2_groups, &mut o2_projects),
    ] {
        for visibility in ["public", "internal", "private"] {
            let (top, _) = app.group(None, visibility, Some(org)).await;
            let (sub, _) = app.group(Some(top), visibility, None).await;
            let (project, _) = app.project(sub, visibility).await;
            groups.extend([top, sub]);
            projects.push(project);
        }
    }
    // A User of both, Member of everything in both.
    let (both, both_token) = app.user("both").await;
    for group in o1_groups.iter().chain(o2_groups.iter()) {
        let parent_of_member = app
            .get(app.admin(), &format!("/groups/{group}"))
            .await
            .expect(200)
            .body["parent_id"]
            .is_null();
        if parent_of_member {
            app.add_member("groups", *group, both, 30).await;
        }
    }
    // A User of the second Organization only.
    let (only_o2, only_o2_token) = app.user("only-o2").await;
    app.add_member("groups", o2_groups[0], only_o2, 10).await;
    let (stranger, stranger_token) = app.user("stranger").await;
    let _ = stranger;

    // (viewer, token, path, kind ("group", "project" or "user"))
    let viewers: [(&str, Option<&str>); 4] = [
        ("admin", Some(common::ADMIN_TOKEN)),
        ("user of both", Some(&both_token)),
        ("stranger", Some(&stranger_token)),
        ("anonymous", None),
    ];
    #[rustfmt::skip]
    let lists: &[(&str, &str)] = &[
        ("/organizations/{o1}/groups?per_page=100", "group"),
        ("/organizations/{o1}/groups?per_page=100&all_available=true", "group"),
        ("/organizations/{o1}/projects?per_page=100", "project"),
        ("/groups?organization_id={o1}&all_available=true&per_page=100", "group"),
        ("/groups?organization_id={o1}&per_page=100", "group"),
        ("/projects?organization_id={o1}&per_page=100", "project"),
        ("/organizations/{o1}/users?per_page=100", "user"),
    ];
    for (viewer, token) in viewers {
        for (path, kind) in lists {
            let path = path.replace("{o1}", &o1.to_string());
            let case = format!("{viewer}: GET {path}");
            let got = app.get(token, &path).await;
            // Every list of a public Organization answers everyone, anonymous callers too
            // (the Users overview shows them the Users of what they can see).
            assert_eq!(got.status, 200, "{case}: {}", got.body);
            assert!(got.body.is_array(), "{case}: a list: {}", got.body);
            let rows = got.body.as_array().cloned().unwrap_or_default();
            let ids: Vec<i64> = rows.iter().filter_map(|r| r["id"].as_i64()).collect();
            match *kind {
                "group" | "project" => {
                    for row in &rows {
                        assert_eq!(
                            row["organization_id"],
                            json!(o1),
                            "{case}: a row of another organization: {row}"
                        );
                    }
                    let foreign = if *kind == "group" {
                        &o2_groups
                    } else {
                        &o2_projects
                    };
                    assert!(
                        !ids.iter().any(|id| foreign.contains(id)),
                        "{case}: lists rows of the other organization: {ids:?}"
                    );
                    if viewer == "admin" || viewer == "user of both" {
                        let own = if *kind == "group" {
                            &o1_groups
                        } else {
                            &o1_projects
                        };
                        let filtered_to_membership = path.starts_with("/groups?")
                            && !path.contains("all_available")
                            && viewer != "admin";
                        if !filtered_to_membership {
                            let mut expected = own.clone();
                            expected.sort_unstable();
                            let mut listed = ids.clone();
                            listed.sort_unstable();
                            assert_eq!(listed, expected, "{case}: exactly its own rows");
                        }
                    }
                }
                _ => {
                    assert!(
                        !ids.contains(&only_o2),
                        "{case}: lists a User of the other organization only: {ids:?}"
                    );
                    if viewer == "admin" || viewer == "user of both" {
                        assert!(
                            ids.contains(&both),
                            "{case}: the User of both is a User of this one: {ids:?}"
                        );
                    }
                }
            }
            if let Some(total) = got.header("x-total").and_then(|t| t.parse::<usize>().ok()) {
                assert_eq!(
                    total,
                    ids.len(),
                    "{case}: X-Total counts only what is shown"
                );
            }
        }
    }
    // Searching one Organization for the other's Group finds nothing.
    let foreign = app
        .get(app.admin(), &format!("/groups/{}", o2_groups[0]))
        .await
        .expect(200)
        .body["path"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    for path in [
        format!("/organizations/{o1}/groups?search={foreign}"),
        format!("/groups?organization_id={o1}&search={foreign}&all_available=true"),
    ] {
        let got = app.get(app.admin(), &path).await.expect(200);
        assert_eq!(got.body, json!([]), "search {path}");
    }
    let _ = only_o2_token;
}

both!(nothing_links_across_organizations, scoped_lists_stay_inside);
