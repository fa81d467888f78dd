//! What lists, links and answers must not reveal (SPEC section 3): links name only Groups the
//! reader may see, emails are found by admins only, a hidden id answers as a missing one, and
//! nothing public is left inside an internal Organization.

mod common;

use common::{TestApp, unique};
use serde_json::{Value, json};

fn ids_in(value: &Value) -> Vec<i64> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {value}"))
        .iter()
        .map(|item| {
            item["id"]
                .as_i64()
                .or_else(|| item["group_id"].as_i64())
                .expect("id")
        })
        .collect()
}

/// A public Project shared with a private Group: the Group appears in `shared_with_groups`
/// and `GET /projects/:id/groups` only for those who may see it.
async fn links_name_only_visible_groups(app: &TestApp) {
    let (home, _) = app.group(None, "public", None).await;
    let (project, _) = app.project(home, "public").await;
    let (secret, _) = app.group(None, "private", None).await;
    let (open, _) = app.group(None, "public", None).await;
    for group in [secret, open] {
        app.post(
            app.admin(),
            &format!("/projects/{project}/share"),
            json!({"group_id": group, "group_access": 30}),
        )
        .await
        .expect(201);
        app.post(
            app.admin(),
            &format!("/groups/{home}/share"),
            json!({"group_id": group, "group_access": 30}),
        )
        .await
        .expect(201);
    }
    let (member, member_token) = app.user("secretmember").await;
    app.add_member("groups", secret, member, 10).await;
    let (_, outsider_token) = app.user("outsider").await;

    // (who, token, sees the private Group in the links)
    let cases: [(&str, Option<&str>, bool); 4] = [
        ("anonymous", None, false),
        ("a User outside it", Some(&outsider_token), false),
        ("a Member of it", Some(&member_token), true),
        ("the admin", app.admin(), true),
    ];
    for (who, token, sees) in cases {
        let got = app
            .get(token, &format!("/projects/{project}"))
            .await
            .expect(200);
        let linked = ids_in(&got.body["shared_with_groups"]);
        assert_eq!(
            linked.contains(&secret),
            sees,
            "{who}: project links {linked:?}"
        );
        assert!(linked.contains(&open), "{who}: {linked:?}");
        let text = got.body.to_string();
        if !sees {
            let secret_path = app
                .get(app.admin(), &format!("/groups/{secret}"))
                .await
                .expect(200)
                .body["full_path"]
                .as_str()
                .expect("path")
                .to_owned();
            assert!(
                !text.contains(&secret_path),
                "{who}: the path leaks: {text}"
            );
        }
        let got = app.get(token, &format!("/groups/{home}")).await.expect(200);
        let linked = ids_in(&got.body["shared_with_groups"]);
        assert_eq!(
            linked.contains(&secret),
            sees,
            "{who}: group links {linked:?}"
        );
        let groups = app
            .get(
                token,
                &format!("/projects/{project}/groups?with_shared=true"),
            )
            .await
            .expect(200);
        let listed = ids_in(&groups.body);
        assert_eq!(
            listed.contains(&secret),
            sees,
            "{who}: project groups {listed:?}"
        );
        assert!(
            listed.contains(&open) && listed.contains(&home),
            "{who}: {listed:?}"
        );
    }
}

/// `GET /users?search=` matches emails for admins only.
async fn emails_are_private(app: &TestApp) {
    let username = unique("quiet");
    let email = format!("{}@secret.example.com", unique("addr"));
    let user = app
        .post(
            app.admin(),
            "/users",
            json!({"username": username, "email": email, "name": "Quiet One", "force_random_password": true}),
        )
        .await
        .expect(201)
        .id();
    let (_, token) = app.user("looker").await;
    let found = |reply: common::Reply| ids_in(&reply.expect(200).body).contains(&user);
    assert!(found(
        app.get(app.admin(), &format!("/users?search={email}"))
            .await
    ));
    assert!(!found(
        app.get(Some(&token), &format!("/users?search={email}"))
            .await
    ));
    assert!(!found(
        app.get(None, &format!("/users?search={email}")).await
    ));
    // Nor among a public Group's members.
    let (group, _) = app.group(None, "public", None).await;
    app.add_member("groups", group, user, 30).await;
    let path = format!("/groups/{group}/members?query={email}");
    for (token, finds) in [
        (app.admin(), true),
        (Some(token.as_str()), false),
        (None, false),
    ] {
        let listed = ids_in(&app.get(token, &path).await.expect(200).body);
        assert_eq!(listed.contains(&user), finds, "members by email, {token:?}");
    }
    // Names and usernames are found by anyone.
    assert!(found(
        app.get(Some(&token), &format!("/users?search={username}"))
            .await
    ));
    assert!(found(
        app.get(Some(&token), "/users?search=quiet%20one&per_page=100")
            .await
    ));
}

/// A hidden namespace answers exactly as a missing one.
async fn no_existence_oracle_by_id(app: &TestApp) {
    let (hidden, _) = app.group(None, "private", None).await;
    let (user, token) = app.user("prober").await;
    let token = Some(token.as_str());
    let (_, other_token) = app.user("neighbour").await;
    // Someone else's personal namespace: made by their first personal Project.
    let theirs = app
        .post(
            Some(&other_token),
            "/projects",
            json!({"name": unique("mine")}),
        )
        .await
        .expect(201)
        .body["namespace"]["id"]
        .as_i64()
        .expect("namespace id");
    let (own_group, _) = app.group(None, "private", None).await;
    app.add_member("groups", own_group, user, 50).await;
    let missing = 999_999_999;

    for target in [hidden, theirs, missing] {
        let exists = app
            .get(token, &format!("/namespaces/x/exists?parent_id={target}"))
            .await;
        let create = app
            .post(
                token,
                "/projects",
                json!({"name": unique("p"), "namespace_id": target}),
            )
            .await;
        let project = app
            .post(token, "/projects", json!({"name": unique("q")}))
            .await
            .expect(201)
            .id();
        let transfer = app
            .put(
                token,
                &format!("/projects/{project}/transfer"),
                json!({"namespace": target}),
            )
            .await;
        let group_transfer = app
            .post(
                token,
                &format!("/groups/{own_group}/transfer"),
                json!({"group_id": target}),
            )
            .await;
        for (what, reply) in [
            ("exists", &exists),
            ("create", &create),
            ("project transfer", &transfer),
        ] {
            assert_eq!(reply.status, 404, "{what} into {target}: {}", reply.body);
        }
        assert_eq!(group_transfer.status, 404, "group transfer into {target}");
        // Missing and hidden say the same words.
        let message = |reply: &common::Reply| reply.body["message"].clone();
        if target != missing {
            let missing_create = app
                .post(
                    token,
                    "/projects",
                    json!({"name": unique("p"), "namespace_id": missing}),
                )
                .await;
            assert_eq!(message(&create), message(&missing_create));
            let missing_exists = app
                .get(token, &format!("/namespaces/x/exists?parent_id={missing}"))
                .await;
            assert_eq!(message(&exists), message(&missing_exists));
        }
    }
    // Nothing was created in the hidden or foreign namespaces.
    for ns in [hidden, theirs] {
        let listed = app
            .get(app.admin(), "/projects?per_page=100")
            .await
            .expect(200);
        let inside = listed
            .body
            .as_array()
            .expect("list")
            .iter()
            .filter(|p| p["namespace"]["id"] == json!(ns))
            .count();
        let expected = usize::from(ns == theirs);
        assert_eq!(inside, expected, "namespace {ns}");
    }
}

/// An Organization is not made internal while a public personal Project (or Group) remains in
/// it: refused, naming them, changing nothing; once none remains, it is, and its personal
/// namespaces follow it.
async fn nothing_public_inside_an_internal_organization(app: &TestApp) {
    let (_, token) = app.user("personal").await;
    let token = Some(token.as_str());
    // Personal namespaces live in the User's home Organization: the Default Organization.
    let project = app
        .post(
            token,
            "/projects",
            json!({"name": unique("site"), "visibility": "public"}),
        )
        .await
        .expect(201);
    let project_path = project.body["path_with_namespace"]
        .as_str()
        .expect("path")
        .to_owned();
    let (group, group_path) = app.group(None, "public", Some(1)).await;
    let before = app.get(app.admin(), "/organizations/1").await.expect(200);
    let refused = app
        .put(
            app.admin(),
            "/organizations/1",
            json!({"visibility": "internal"}),
        )
        .await
        .expect(400);
    let message = refused.body["message"]["visibility"][0]
        .as_str()
        .unwrap_or_else(|| panic!("{}", refused.body))
        .to_owned();
    assert!(message.contains(&project_path), "{message}");
    assert!(message.contains(&group_path), "{message}");
    let after = app.get(app.admin(), "/organizations/1").await.expect(200);
    assert_eq!(before.body, after.body);

    // The Group alone is not enough: the Project still blocks it.
    app.put(
        app.admin(),
        &format!("/groups/{group}"),
        json!({"visibility": "private"}),
    )
    .await
    .expect(200);
    let refused = app
        .put(
            app.admin(),
            "/organizations/1",
            json!({"visibility": "internal"}),
        )
        .await
        .expect(400);
    let message = refused.body["message"]["visibility"][0]
        .as_str()
        .expect("message")
        .to_owned();
    assert!(
        message.contains(&project_path) && !message.contains(&group_path),
        "{message}"
    );

    app.put(
        token,
        &format!("/projects/{}", project.id()),
        json!({"visibility": "private"}),
    )
    .await
    .expect(200);
    app.put(
        app.admin(),
        "/organizations/1",
        json!({"visibility": "internal"}),
    )
    .await
    .expect(200);
    assert_eq!(
        app.get(app.admin(), "/organizations/1")
            .await
            .expect(200)
            .body["visibility"],
        json!("internal")
    );
    // The personal namespace followed: no public personal Project can be made again.
    app.post(
        token,
        "/projects",
        json!({"name": unique("again"), "visibility": "public"}),
    )
    .await
    .expect(400);
    app.put(
        token,
        &format!("/projects/{}", project.id()),
        json!({"visibility": "public"}),
    )
    .await
    .expect(400);
}

both!(
    links_name_only_visible_groups,
    emails_are_private,
    no_existence_oracle_by_id,
    nothing_public_inside_an_internal_organization
);
