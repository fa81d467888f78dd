//! SPEC section 3's limited view (GitLab's `has_projects`), and what it does not show: whoever
//! reads, as a member, a Project anywhere below a private Group sees that Group, not its members.
//! Also the creation levels of section 4, with every value GitLab has.

mod common;

use common::TestApp;
use serde_json::{Value, json};

fn ids(reply: &common::Reply) -> Vec<i64> {
    reply
        .body
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {}", reply.body))
        .iter()
        .map(|item| item["id"].as_i64().expect("id"))
        .collect()
}

fn usernames(reply: &common::Reply) -> Vec<String> {
    reply
        .body
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {}", reply.body))
        .iter()
        .map(|item| item["username"].as_str().expect("username").to_owned())
        .collect()
}

/// Who reaches which private Groups above them, by each path GitLab's `has_projects` knows.
async fn limited_view_through_subgroups_and_links(app: &TestApp) {
    // p (private) > s (private, holds a Project); p > e (private, holds none);
    // q (private) > r (private, holds a Project), and r is shared with g (private, elsewhere).
    let (p, _) = app.group(None, "private", None).await;
    let (s, _) = app.group(Some(p), "private", None).await;
    let (e, _) = app.group(Some(p), "private", None).await;
    app.project(s, "private").await;
    let (q, _) = app.group(None, "private", None).await;
    let (r, _) = app.group(Some(q), "private", None).await;
    app.project(r, "private").await;
    let (g, _) = app.group(None, "private", None).await;
    app.post(
        app.admin(),
        &format!("/groups/{r}/share"),
        json!({"group_id": g, "group_access": 30}),
    )
    .await
    .expect(201);

    let (dev, dev_token) = app.user("subdev").await;
    app.add_member("groups", s, dev, 30).await;
    let (empty, empty_token) = app.user("emptysub").await;
    app.add_member("groups", e, empty, 30).await;
    let (invited, invited_token) = app.user("invited").await;
    app.add_member("groups", g, invited, 30).await;

    // (who, token, Group, status of GET /groups/:id, listed in the overviews)
    #[rustfmt::skip]
    let cases: &[(&str, &str, i64, u16, bool)] = &[
        ("Developer of p/s, which holds a Project", &dev_token, p, 200, true),
        ("Developer of p/s, its own Group", &dev_token, s, 200, true),
        ("Developer of p/s, the empty sibling", &dev_token, e, 404, false),
        ("Developer of p/e, which holds no Project", &empty_token, p, 404, false),
        ("Member of g, invited to q/r", &invited_token, q, 200, true),
        ("Member of g, invited to q/r, the shared Group", &invited_token, r, 200, true),
        ("Developer of p/s, elsewhere", &dev_token, q, 404, false),
    ];
    for (who, token, group, status, listed) in cases {
        let got = app.get(Some(token), &format!("/groups/{group}")).await;
        assert_eq!(
            got.status, *status,
            "{who}: GET /groups/{group}: {}",
            got.body
        );
        for list in [
            "/groups?all_available=true&per_page=100",
            "/organizations/1/groups?per_page=100",
        ] {
            let seen = ids(&app.get(Some(token), list).await.expect(200));
            assert_eq!(
                seen.contains(group),
                *listed,
                "{who}: {list} and {group}: {seen:?}"
            );
        }
    }
}

/// The limited view shows the Group, not who is in it: members 403, and the Users overview
/// leaves its members out.
async fn limited_view_hides_members(app: &TestApp) {
    let (top, _) = app.group(None, "private", None).await;
    let (sub, _) = app.group(Some(top), "private", None).await;
    let (project, _) = app.project(top, "private").await;
    let (guest, guest_token) = app.user("pguest").await;
    app.add_member("projects", project, guest, 10).await;
    let (dev, dev_token) = app.user("subdev").await;
    app.add_member("groups", sub, dev, 30).await;
    app.project(sub, "private").await;
    let (top_only, _) = app.user("toponly").await;
    app.add_member("groups", top, top_only, 20).await;
    let top_only_name = app
        .get(app.admin(), &format!("/users/{top_only}"))
        .await
        .expect(200)
        .body["username"]
        .as_str()
        .expect("username")
        .to_owned();

    // (who, token, path, status)
    #[rustfmt::skip]
    let cases: &[(&str, &str, String, u16)] = &[
        ("project guest", &guest_token, format!("/groups/{top}"), 200),
        ("project guest", &guest_token, format!("/groups/{top}/members"), 403),
        ("project guest", &guest_token, format!("/groups/{top}/members/all"), 403),
        ("project guest", &guest_token, format!("/groups/{top}/members/{top_only}"), 403),
        ("project guest", &guest_token, format!("/projects/{project}/members/all"), 200),
        ("subgroup developer", &dev_token, format!("/groups/{top}"), 200),
        ("subgroup developer", &dev_token, format!("/groups/{top}/members"), 403),
        ("subgroup developer", &dev_token, format!("/groups/{sub}/members"), 200),
        ("subgroup developer", &dev_token, format!("/groups/{sub}/members/all"), 200),
    ];
    for (who, token, path, status) in cases {
        let got = app.get(Some(token), path).await;
        assert_eq!(got.status, *status, "{who}: GET {path}: {}", got.body);
    }
    // members/all of the subgroup lists the inherited Member of top: the subgroup's own
    // members are the developer's to read.
    let inherited = usernames(
        &app.get(Some(&dev_token), &format!("/groups/{sub}/members/all"))
            .await
            .expect(200),
    );
    assert!(inherited.contains(&top_only_name), "{inherited:?}");

    // The Users overview: the project guest sees the Project's members, not the Group's.
    let overview = usernames(
        &app.get(Some(&guest_token), "/organizations/1/users?per_page=100")
            .await
            .expect(200),
    );
    assert!(
        !overview.contains(&top_only_name),
        "a Member of the private Group seen only through the limited view: {overview:?}"
    );
    let admin_view = usernames(
        &app.get(app.admin(), "/organizations/1/users?per_page=100")
            .await
            .expect(200),
    );
    assert!(admin_view.contains(&top_only_name), "{admin_view:?}");
}

/// Every `project_creation_level` and `subgroup_creation_level` GitLab has: stored, shown back
/// as given, and enforced.
async fn creation_levels(app: &TestApp) {
    let (group, _) = app.group(None, "private", None).await;
    let mut tokens: Vec<(i64, String)> = Vec::new();
    for level in [30, 40, 50] {
        let (user, token) = app.user(&format!("lvl{level}")).await;
        app.add_member("groups", group, user, level).await;
        tokens.push((level, token));
    }
    let token_of = |level: i64| {
        tokens
            .iter()
            .find(|(l, _)| *l == level)
            .map(|(_, t)| t.clone())
            .expect("token")
    };
    // (setting, caller: a member level or 0 for the admin, may create a Project)
    #[rustfmt::skip]
    let projects: &[(&str, i64, bool)] = &[
        ("noone", 50, false), ("noone", 40, false), ("noone", 0, false),
        ("owner", 40, false), ("owner", 50, true), ("owner", 0, true),
        ("maintainer", 30, false), ("maintainer", 40, true),
        ("developer", 30, true), ("developer", 50, true),
        ("administrator", 50, false), ("administrator", 0, true),
    ];
    for (setting, caller, allowed) in projects {
        app.put(
            app.admin(),
            &format!("/groups/{group}"),
            json!({"project_creation_level": setting}),
        )
        .await
        .expect(200);
        let shown = app
            .get(app.admin(), &format!("/groups/{group}"))
            .await
            .expect(200);
        assert_eq!(shown.body["project_creation_level"], json!(setting));
        let token = if *caller == 0 {
            app.admin().expect("admin").to_owned()
        } else {
            token_of(*caller)
        };
        let path = common::unique("cp");
        let got = app
            .post(
                Some(&token),
                "/projects",
                json!({"name": path, "namespace_id": group}),
            )
            .await;
        let expect = if *allowed { 201 } else { 403 };
        assert_eq!(got.status, expect, "{setting} by {caller}: {}", got.body);
        // Read back through the Group's list: there, or not.
        let listed = app
            .get(
                app.admin(),
                &format!("/groups/{group}/projects?search={path}"),
            )
            .await
            .expect(200);
        assert_eq!(
            listed.body.as_array().map(Vec::len),
            Some(usize::from(*allowed)),
            "{setting} by {caller}"
        );
    }
    #[rustfmt::skip]
    let subgroups: &[(&str, i64, bool)] = &[
        ("owner", 40, false), ("owner", 50, true),
        ("maintainer", 30, false), ("maintainer", 40, true),
    ];
    for (setting, caller, allowed) in subgroups {
        app.put(
            app.admin(),
            &format!("/groups/{group}"),
            json!({"subgroup_creation_level": setting}),
        )
        .await
        .expect(200);
        let shown = app
            .get(app.admin(), &format!("/groups/{group}"))
            .await
            .expect(200);
        assert_eq!(shown.body["subgroup_creation_level"], json!(setting));
        let path = common::unique("sg");
        let got = app
            .post(
                Some(&token_of(*caller)),
                "/groups",
                json!({"name": path, "path": path, "parent_id": group}),
            )
            .await;
        let expect = if *allowed { 201 } else { 403 };
        assert_eq!(got.status, expect, "{setting} by {caller}: {}", got.body);
        let listed = app
            .get(
                app.admin(),
                &format!("/groups/{group}/subgroups?search={path}"),
            )
            .await
            .expect(200);
        assert_eq!(
            listed.body.as_array().map(Vec::len),
            Some(usize::from(*allowed))
        );
    }
    // Unknown values are refused and change nothing.
    for (field, value) in [
        ("project_creation_level", "nobody"),
        ("subgroup_creation_level", "developer"),
    ] {
        let before = app
            .get(app.admin(), &format!("/groups/{group}"))
            .await
            .expect(200);
        app.put(
            app.admin(),
            &format!("/groups/{group}"),
            json!({field: value}),
        )
        .await
        .expect(400);
        let after = app
            .get(app.admin(), &format!("/groups/{group}"))
            .await
            .expect(200);
        assert_eq!(before.body[field], after.body[field]);
        assert_ne!(after.body[field], Value::String(value.into()));
    }
}

/// A Project moves only into a Group where its mover may create Projects (GitLab's
/// `transfer_projects`): a Maintainer of a Group set to `noone` or `owner` may not receive it.
async fn receiving_a_project_follows_creation_level(app: &TestApp) {
    let (user, token) = app.user("mover").await;
    let (source, _) = app.group(None, "private", None).await;
    app.add_member("groups", source, user, 50).await;
    // (the target's project_creation_level, the mover's level there, moves)
    let cases = [
        ("developer", 40, true),
        ("maintainer", 40, true),
        ("owner", 40, false),
        ("noone", 50, false),
        ("owner", 50, true),
    ];
    for (setting, level, moves) in cases {
        let (target, _) = app.group(None, "private", None).await;
        app.add_member("groups", target, user, level).await;
        app.put(
            app.admin(),
            &format!("/groups/{target}"),
            json!({"project_creation_level": setting}),
        )
        .await
        .expect(200);
        let (project, _) = app.project(source, "private").await;
        let got = app
            .put(
                Some(&token),
                &format!("/projects/{project}/transfer"),
                json!({"namespace": target}),
            )
            .await;
        assert_eq!(
            got.status,
            if moves { 200 } else { 403 },
            "{setting} at {level}: {}",
            got.body
        );
        let now = app
            .get(app.admin(), &format!("/projects/{project}"))
            .await
            .expect(200);
        let expected = if moves { target } else { source };
        assert_eq!(
            now.body["namespace"]["id"],
            json!(expected),
            "{setting} at {level}"
        );
    }
}

both!(
    receiving_a_project_follows_creation_level,
    limited_view_through_subgroups_and_links,
    limited_view_hides_members,
    creation_levels
);
