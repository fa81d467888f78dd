//! An Organization's people (SPEC sections 4 and 5, the seed's Roles and Permissions): Owners
//! add Users, make and unmake Owners, remove and ban them; the last Owner stays, whoever asks;
//! no User leaves their home Organization; a removed User loses every membership inside at
//! once; a banned one sees nothing of the Organization, public content included, with the
//! tokens they held before, and cannot be added back until unbanned.

mod common;

use common::{TestApp, ids, unique};
use serde_json::{Value, json};

const LAST_OWNER: &str = "You cannot change the access of the last owner from the organization";

/// An Organization whose only Owner is a User of its own (its creator, the admin, left it):
/// (organization, owner id, owner token).
async fn organization_with_owner(app: &TestApp, visibility: &str) -> (i64, i64, String) {
    let org = app.organization(visibility).await;
    let (owner, owner_token) = app.user("owner").await;
    app.post(
        app.admin(),
        &format!("/organizations/{org}/users"),
        json!({"user_id": owner, "access_level": "owner"}),
    )
    .await
    .expect(201);
    app.delete(app.admin(), &format!("/organizations/{org}/users/1"))
        .await
        .expect(204);
    (org, owner, owner_token)
}

async fn owners_manage_the_organizations_users(app: &TestApp) {
    let (org, owner, owner_token) = organization_with_owner(app, "public").await;
    let (user, user_token) = app.user("user").await;
    let (outsider, outsider_token) = app.user("outsider").await;
    let (second, second_token) = app.user("second").await;
    let read_api = app.token(owner, &["read_api"]).await;
    let users = format!("/organizations/{org}/users");
    let add = |user: i64, level: &str| json!({"user_id": user, "access_level": level});
    let owner_token = Some(owner_token.as_str());

    // Adding: (caller, body, status); one line per case.
    let cases: Vec<(Option<&str>, Value, u16)> = vec![
        (None, add(user, "default"), 401),
        (Some(&user_token), add(outsider, "default"), 403),
        (Some(&outsider_token), add(outsider, "default"), 403),
        (Some(&read_api), add(user, "default"), 403),
        (owner_token, json!({"access_level": "default"}), 400),
        (owner_token, json!({"user_id": user, "username": "x"}), 400),
        (owner_token, add(user, "maintainer"), 400),
        (owner_token, add(999_999_999, "default"), 404),
        (owner_token, add(user, "default"), 201),
        (owner_token, add(user, "default"), 409),
        (
            owner_token,
            json!({"username": format!("second-{second}")}),
            404,
        ),
    ];
    for (caller, body, status) in &cases {
        let reply = app.post(*caller, &users, body.clone()).await;
        assert_eq!(reply.status, *status, "{caller:?} {body}: {}", reply.body);
    }
    let listed = app.get(owner_token, &users).await.expect(200);
    let row = listed
        .body
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["id"] == json!(user)))
        .cloned()
        .expect("the added User is listed");
    assert_eq!(
        (&row["access_level"], &row["state"], &row["source"]),
        (&json!("default"), &json!("active"), &json!("added"))
    );
    assert_eq!(ids(&listed.body), {
        let mut both = vec![owner, user];
        both.sort();
        both
    });

    // The last Owner: no demotion, removal, ban or leaving, by anyone, admins included.
    let me = format!("{users}/{owner}");
    for (caller, method, path) in [
        (owner_token, "PUT", me.clone()),
        (app.admin(), "PUT", me.clone()),
        (owner_token, "DELETE", me.clone()),
        (app.admin(), "DELETE", me.clone()),
        (app.admin(), "POST", format!("{me}/ban")),
    ] {
        let body = (method == "PUT").then(|| json!({"access_level": "default"}));
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let reply = app.request(caller, method.clone(), &path, body).await;
        assert_eq!(reply.status, 400, "{method} {path}: {}", reply.body);
        assert_eq!(
            reply.body,
            json!({"message": LAST_OWNER}),
            "{method} {path}"
        );
    }
    // A User may not promote themselves; an Owner promotes, then may step down.
    app.put(
        Some(&user_token),
        &format!("{users}/{user}"),
        json!({"access_level": "owner"}),
    )
    .await
    .expect(403);
    app.put(
        owner_token,
        &format!("{users}/{user}"),
        json!({"access_level": "owner"}),
    )
    .await
    .expect(200);
    let stepped = app
        .put(owner_token, &me, json!({"access_level": "default"}))
        .await
        .expect(200);
    assert_eq!(stepped.body["access_level"], json!("default"));
    // Now the former Owner manages nothing; the new one does.
    app.post(owner_token, &users, add(outsider, "default"))
        .await
        .expect(403);
    app.put(
        owner_token,
        &format!("{users}/{user}"),
        json!({"access_level": "default"}),
    )
    .await
    .expect(403);
    app.put(Some(&user_token), &me, json!({"access_level": "bogus"}))
        .await
        .expect(400);

    // A User leaves; no one leaves their home Organization (the Default one, here).
    app.delete(owner_token, &me).await.expect(204);
    let home = app
        .delete(
            Some(&second_token),
            &format!("/organizations/1/users/{second}"),
        )
        .await
        .expect(400);
    assert!(
        home.body["message"]
            .as_str()
            .is_some_and(|m| m.contains("home"))
    );
    app.delete(app.admin(), &format!("/organizations/1/users/{second}"))
        .await
        .expect(400);
    let listed = app.get(Some(&user_token), &users).await.expect(200);
    assert_eq!(ids(&listed.body), vec![user]);
}

async fn removal_takes_every_membership_inside(app: &TestApp) {
    let (org, _, owner_token) = organization_with_owner(app, "public").await;
    let owner_token = Some(owner_token.as_str());
    let (group, _) = app.group(None, "private", Some(org)).await;
    let (sub, _) = app.group(Some(group), "private", None).await;
    let (project, _) = app.project(sub, "private").await;
    let (elsewhere, _) = app.group(None, "private", None).await;
    let (user, user_token) = app.user("leaver").await;
    let before_token = app.token(user, &["read_api"]).await;
    app.add_member("groups", group, user, 30).await;
    app.add_member("projects", project, user, 40).await;
    app.add_member("groups", elsewhere, user, 30).await;
    for token in [&user_token, &before_token] {
        for path in [format!("/groups/{sub}"), format!("/projects/{project}")] {
            app.get(Some(token), &path).await.expect(200);
        }
    }
    app.delete(owner_token, &format!("/organizations/{org}/users/{user}"))
        .await
        .expect(204);
    // At the very next request, with either token: nothing private inside is there.
    for token in [&user_token, &before_token] {
        for path in [
            format!("/groups/{group}"),
            format!("/groups/{sub}"),
            format!("/projects/{project}"),
        ] {
            app.get(Some(token), &path).await.expect(404);
        }
        let groups = app
            .get(Some(token), "/groups?per_page=100")
            .await
            .expect(200);
        assert_eq!(ids(&groups.body), vec![elsewhere], "only the Group outside");
    }
    for path in [
        format!("/groups/{group}/members/{user}"),
        format!("/projects/{project}/members/{user}"),
    ] {
        app.get(app.admin(), &path).await.expect(404);
    }
    // Outside the Organization nothing changed; inside, they may join again.
    app.get(app.admin(), &format!("/groups/{elsewhere}/members/{user}"))
        .await
        .expect(200);
    let users = app
        .get(app.admin(), &format!("/organizations/{org}/users"))
        .await
        .expect(200);
    assert!(!ids(&users.body).contains(&user));
    app.add_member("groups", group, user, 30).await;
    app.get(Some(&user_token), &format!("/projects/{project}"))
        .await
        .expect(200);

    // The sole Owner of a top-level Group there cannot be removed until another Owner is.
    let (lonely, lonely_path) = app.group(None, "private", Some(org)).await;
    app.add_member("groups", lonely, user, 50).await;
    app.delete(app.admin(), &format!("/groups/{lonely}/members/1"))
        .await
        .expect(204);
    let refused = app
        .delete(owner_token, &format!("/organizations/{org}/users/{user}"))
        .await
        .expect(409);
    assert!(
        refused.body["message"]
            .as_str()
            .is_some_and(|m| m.contains(&lonely_path)),
        "{}",
        refused.body
    );
    app.get(Some(&user_token), &format!("/projects/{project}"))
        .await
        .expect(200);
}

async fn banned_users_see_nothing_inside(app: &TestApp) {
    let (org, _, owner_token) = organization_with_owner(app, "public").await;
    let owner_token = Some(owner_token.as_str());
    let (public, _) = app.group(None, "public", Some(org)).await;
    let (public_project, _) = app.project(public, "public").await;
    let (internal, _) = app.group(None, "internal", Some(org)).await;
    let (private, _) = app.group(None, "private", Some(org)).await;
    let (private_project, _) = app.project(private, "private").await;
    let (elsewhere, _) = app.group(None, "public", None).await;
    let (user, user_token) = app.user("banned").await;
    let before_token = app.token(user, &["read_api"]).await;
    app.add_member("groups", private, user, 30).await;
    // A private Group reached only through a share with a Group the User belongs to.
    let (team, _) = app.group(None, "private", Some(org)).await;
    let (shared, _) = app.group(None, "private", Some(org)).await;
    let (shared_project, _) = app.project(shared, "private").await;
    app.add_member("groups", team, user, 30).await;
    app.post(
        app.admin(),
        &format!("/groups/{shared}/share"),
        json!({"group_id": team, "group_access": 30}),
    )
    .await
    .expect(201);
    let reads = [
        format!("/groups/{shared}"),
        format!("/projects/{shared_project}"),
        format!("/organizations/{org}"),
        format!("/organizations/{org}/groups"),
        format!("/organizations/{org}/projects"),
        format!("/organizations/{org}/users"),
        format!("/groups/{public}"),
        format!("/groups/{internal}"),
        format!("/groups/{private}"),
        format!("/groups/{private}/members"),
        format!("/projects/{public_project}"),
        format!("/projects/{private_project}"),
    ];
    for path in &reads {
        app.get(Some(&user_token), path).await.expect(200);
    }
    let ban = format!("/organizations/{org}/users/{user}/ban");
    let banned = app.post(owner_token, &ban, json!({})).await.expect(201);
    assert_eq!(banned.body["state"], json!("banned"));
    // Banned again, or banning oneself: refused.
    app.post(owner_token, &ban, json!({})).await.expect(400);
    app.post(Some(&user_token), &ban, json!({}))
        .await
        .expect(404);

    // Every read inside is 404, with tokens minted before the ban; lists leave it all out.
    for token in [&user_token, &before_token] {
        for path in &reads {
            let reply = app.get(Some(token), path).await;
            assert_eq!(reply.status, 404, "{path}: {}", reply.body);
        }
        for (list, outside) in [
            ("/groups?all_available=true&per_page=100", elsewhere),
            ("/groups?per_page=100", -1),
        ] {
            let seen = ids(&app.get(Some(token), list).await.expect(200).body);
            for inside in [public, internal, private] {
                assert!(!seen.contains(&inside), "{list} shows {inside}");
            }
            assert!(outside < 0 || seen.contains(&outside), "{list}");
        }
        let projects = ids(&app
            .get(Some(token), "/projects?per_page=100")
            .await
            .expect(200)
            .body);
        assert!(!projects.contains(&public_project) && !projects.contains(&private_project));
        let orgs = ids(&app
            .get(Some(token), "/organizations?per_page=100")
            .await
            .expect(200)
            .body);
        assert!(
            !orgs.contains(&org),
            "the Organization is not listed to them"
        );
    }
    // Writes too: 404, changing nothing.
    app.post(
        Some(&user_token),
        "/groups",
        json!({"name": "x", "path": unique("x"), "parent_id": private}),
    )
    .await
    .expect(404);
    // Anonymous readers still see what is public.
    app.get(None, &format!("/groups/{public}"))
        .await
        .expect(200);
    // No path adds them back while banned: not an admin's, not an Owner's.
    for (caller, path, body) in [
        (
            app.admin(),
            format!("/groups/{public}/members"),
            json!({"user_id": user, "access_level": 30}),
        ),
        (
            app.admin(),
            format!("/projects/{public_project}/members"),
            json!({"user_id": user, "access_level": 30}),
        ),
        (
            owner_token,
            format!("/organizations/{org}/users"),
            json!({"user_id": user}),
        ),
        (
            app.admin(),
            format!("/organizations/{org}/users"),
            json!({"user_id": user}),
        ),
        // A share with a Group they are a Member of would let them in too.
        (
            app.admin(),
            format!("/groups/{public}/share"),
            json!({"group_id": team, "group_access": 30}),
        ),
        (
            app.admin(),
            format!("/projects/{public_project}/share"),
            json!({"group_id": team, "group_access": 30}),
        ),
    ] {
        let reply = app.post(caller, &path, body).await;
        assert_eq!(reply.status, 403, "{path}: {}", reply.body);
        assert!(
            reply.body["message"]
                .as_str()
                .is_some_and(|m| m.contains("banned")),
            "{path}: {}",
            reply.body
        );
    }
    // Unbanned: their membership (kept) works again.
    let unban = format!("/organizations/{org}/users/{user}/unban");
    let unbanned = app.post(owner_token, &unban, json!({})).await.expect(201);
    assert_eq!(unbanned.body["state"], json!("active"));
    app.post(owner_token, &unban, json!({})).await.expect(400);
    for path in &reads {
        app.get(Some(&before_token), path).await.expect(200);
    }
}

both!(
    owners_manage_the_organizations_users,
    removal_takes_every_membership_inside,
    banned_users_see_nothing_inside,
);
