//! Token scopes as GitLab enforces them, Sudo, revocation and rotation of personal access
//! tokens, and anonymous writes (SPEC section 11).

mod common;

use common::{Reply, TestApp, unique};
use serde_json::{Value, json};

/// A token for `user` with these scopes, made by the admin.
async fn token_with(app: &TestApp, user: i64, scopes: &[&str]) -> String {
    let reply = app
        .post(
            app.admin(),
            &format!("/users/{user}/personal_access_tokens"),
            json!({"name": unique("t"), "scopes": scopes}),
        )
        .await
        .expect(201);
    reply.body["token"].as_str().expect("token").to_owned()
}

#[track_caller]
fn insufficient(reply: &Reply, scope: &str, what: &str) {
    assert_eq!(reply.status, 403, "{what}: {}", reply.body);
    assert_eq!(reply.body["error"], json!("insufficient_scope"), "{what}");
    assert_eq!(
        reply.body["error_description"],
        json!("The request requires higher privileges than provided by the access token."),
        "{what}"
    );
    assert_eq!(reply.body["scope"], json!(scope), "{what}");
}

async fn group_count(app: &TestApp) -> usize {
    app.get(app.admin(), "/groups?per_page=100")
        .await
        .expect(200)
        .body
        .as_array()
        .map(Vec::len)
        .unwrap_or_default()
}

/// `read_user` reads the Users API and nothing else; `read_api` reads everything and writes
/// nothing; `api` does all.
async fn scopes_per_request(app: &TestApp) {
    let (user, _) = app.user("scoped").await;
    let (group, _) = app.group(None, "private", None).await;
    app.add_member("groups", group, user, 50).await;
    let read_user = token_with(app, user, &["read_user"]).await;
    let read_api = token_with(app, user, &["read_api"]).await;
    let api = token_with(app, user, &["api"]).await;

    // (token, method, path, expected: a status, or the scopes GitLab names in the 403)
    enum Expect {
        Status(u16),
        Refused(&'static str),
    }
    use Expect::*;
    #[rustfmt::skip]
    let cases: Vec<(&str, &str, &str, String, Expect)> = vec![
        ("read_user", &read_user, "GET", "/user".into(), Status(200)),
        ("read_user", &read_user, "GET", "/users".into(), Status(200)),
        ("read_user", &read_user, "GET", format!("/users/{user}"), Status(200)),
        ("read_user", &read_user, "GET", format!("/users/{user}/projects"), Refused("api read_api")),
        ("read_user", &read_user, "GET", format!("/groups/{group}"), Refused("api read_api")),
        ("read_user", &read_user, "GET", "/projects".into(), Refused("api read_api")),
        ("read_user", &read_user, "GET", "/organizations/1".into(), Refused("api read_api")),
        ("read_user", &read_user, "PUT", format!("/groups/{group}"), Refused("api")),
        ("read_user", &read_user, "GET", "/personal_access_tokens/self".into(), Status(200)),
        ("read_api", &read_api, "GET", format!("/groups/{group}"), Status(200)),
        ("read_api", &read_api, "GET", format!("/users/{user}/projects"), Status(200)),
        ("read_api", &read_api, "GET", "/user".into(), Status(200)),
        ("read_api", &read_api, "PUT", format!("/groups/{group}"), Refused("api")),
        ("read_api", &read_api, "POST", "/groups".into(), Refused("api")),
        ("read_api", &read_api, "POST", "/personal_access_tokens/self/rotate".into(), Refused("api self_rotate")),
        ("api", &api, "PUT", format!("/groups/{group}"), Status(200)),
    ];
    for (name, token, method, path, expect) in cases {
        let before = app
            .get(app.admin(), &format!("/groups/{group}"))
            .await
            .expect(200);
        let body = json!({"description": unique("d")});
        let reply = match method {
            "GET" => app.get(Some(token), &path).await,
            "PUT" => app.put(Some(token), &path, body).await,
            _ => {
                app.post(
                    Some(token),
                    &path,
                    json!({"name": unique("g"), "path": unique("g")}),
                )
                .await
            }
        };
        let what = format!("{name} {method} {path}");
        match expect {
            Status(status) => assert_eq!(reply.status, status, "{what}: {}", reply.body),
            Refused(scopes) => {
                insufficient(&reply, scopes, &what);
                // A refused write changed nothing.
                let after = app
                    .get(app.admin(), &format!("/groups/{group}"))
                    .await
                    .expect(200);
                assert_eq!(before.body, after.body, "{what}");
            }
        }
    }
}

/// Sudo needs an admin's token with the `sudo` scope; `api` alone is refused.
async fn sudo_needs_its_scope(app: &TestApp) {
    let (user, user_token) = app.user("target").await;
    let admin_api_only = token_with(app, 1, &["api"]).await;
    let admin_sudo = token_with(app, 1, &["api", "sudo"]).await;
    let user_sudo = token_with(app, user, &["api", "sudo"]).await;
    let sudo =
        |token: String| async move { app.get(Some(&token), &format!("/user?sudo={user}")).await };
    let reply = sudo(admin_api_only).await;
    insufficient(&reply, "sudo", "admin with api only");
    let reply = sudo(admin_sudo).await.expect(200);
    assert_eq!(reply.body["id"], json!(user));
    let reply = sudo(user_sudo).await.expect(403);
    assert_eq!(
        reply.body["message"],
        json!("403 Forbidden - Must be admin to use sudo")
    );
    // The bootstrap admin token carries `sudo`.
    let reply = app
        .get(app.admin(), &format!("/user?sudo={user}"))
        .await
        .expect(200);
    assert_eq!(reply.body["id"], json!(user));
    let scopes = app
        .get(app.admin(), "/personal_access_tokens/self")
        .await
        .expect(200)
        .body["scopes"]
        .clone();
    assert_eq!(scopes, json!(["api", "sudo"]));
    drop(user_token);
}

/// Revoked tokens are refused at the very next request; rotation replaces a token.
async fn revoke_and_rotate(app: &TestApp) {
    let (user, _) = app.user("holder").await;
    let (other, other_token) = app.user("other").await;
    let first = token_with(app, user, &["api"]).await;
    let second = token_with(app, user, &["read_user"]).await;
    let third = token_with(app, user, &["api"]).await;

    // The list: the caller's own.
    let own = app
        .get(Some(&first), "/personal_access_tokens?per_page=100")
        .await
        .expect(200);
    let owners: Vec<i64> = own
        .body
        .as_array()
        .expect("list")
        .iter()
        .map(|t| t["user_id"].as_i64().expect("user_id"))
        .collect();
    assert!(
        owners.len() >= 4 && owners.iter().all(|o| *o == user),
        "{owners:?}"
    );
    assert!(
        own.body
            .as_array()
            .expect("list")
            .iter()
            .all(|t| t.get("token").is_none()),
        "secrets are never listed"
    );
    // Naming another User: 401 for a non-admin; the admin sees theirs.
    app.get(
        Some(&first),
        &format!("/personal_access_tokens?user_id={other}"),
    )
    .await
    .expect(401);
    let theirs = app
        .get(
            app.admin(),
            &format!("/personal_access_tokens?user_id={other}"),
        )
        .await
        .expect(200);
    assert!(
        theirs
            .body
            .as_array()
            .expect("list")
            .iter()
            .all(|t| t["user_id"] == json!(other))
    );

    // Whose is which.
    let second_id = app
        .get(Some(&second), "/personal_access_tokens/self")
        .await
        .expect(200)
        .id();
    let other_id = app
        .get(Some(&other_token), "/personal_access_tokens/self")
        .await
        .expect(200)
        .id();
    app.get(Some(&first), &format!("/personal_access_tokens/{other_id}"))
        .await
        .expect(401);
    app.get(app.admin(), "/personal_access_tokens/999999999")
        .await
        .expect(404);
    app.get(Some(&first), "/personal_access_tokens/999999999")
        .await
        .expect(401);
    // Another User's token cannot be revoked by a non-admin, and still works.
    app.delete(Some(&first), &format!("/personal_access_tokens/{other_id}"))
        .await
        .expect(400);
    app.get(Some(&other_token), "/user").await.expect(200);

    // Revoke by id: the very next request with it is refused.
    app.get(Some(&second), "/user").await.expect(200);
    app.delete(
        Some(&first),
        &format!("/personal_access_tokens/{second_id}"),
    )
    .await
    .expect(204);
    app.get(Some(&second), "/user").await.expect(401);
    let listed = app
        .get(app.admin(), &format!("/personal_access_tokens/{second_id}"))
        .await
        .expect(200);
    assert_eq!(listed.body["revoked"], json!(true));
    assert_eq!(listed.body["active"], json!(false));

    // Revoke itself.
    app.get(Some(&third), "/user").await.expect(200);
    app.delete(Some(&third), "/personal_access_tokens/self")
        .await
        .expect(204);
    app.get(Some(&third), "/user").await.expect(401);

    // Rotate itself: the old one is refused, the new one works, with the same scopes.
    let rotated = app
        .post(
            Some(&first),
            "/personal_access_tokens/self/rotate",
            json!({}),
        )
        .await
        .expect(200);
    let new = rotated.body["token"].as_str().expect("token").to_owned();
    assert_eq!(rotated.body["scopes"], json!(["api"]));
    assert!(rotated.body["expires_at"].is_string(), "{}", rotated.body);
    app.get(Some(&first), "/user").await.expect(401);
    let me = app.get(Some(&new), "/user").await.expect(200);
    assert_eq!(me.body["id"], json!(user));
    // An admin rotates a User's token by id.
    let new_id = rotated.id();
    let again = app
        .post(
            app.admin(),
            &format!("/personal_access_tokens/{new_id}/rotate"),
            json!({"expires_at": "2099-01-31"}),
        )
        .await
        .expect(200);
    assert_eq!(again.body["expires_at"], json!("2099-01-31"));
    app.get(Some(&new), "/user").await.expect(401);
    let newest = again.body["token"].as_str().expect("token");
    app.get(Some(newest), "/user").await.expect(200);
}

/// GitLab's `authenticate_non_get!`: an anonymous write is 401, and changes nothing.
async fn anonymous_writes_are_401(app: &TestApp) {
    let (group, _) = app.group(None, "public", None).await;
    let (project, _) = app.project(group, "public").await;
    let (user, _) = app.user("member").await;
    app.add_member("groups", group, user, 30).await;
    let groups_before = group_count(app).await;
    let group_before = app
        .get(app.admin(), &format!("/groups/{group}"))
        .await
        .expect(200);
    #[rustfmt::skip]
    let cases: Vec<(&str, String, Value)> = vec![
        ("POST", "/groups".into(), json!({"name": "anon", "path": unique("anon")})),
        ("PUT", format!("/groups/{group}"), json!({"description": "anon"})),
        ("DELETE", format!("/groups/{group}"), Value::Null),
        ("DELETE", format!("/projects/{project}"), Value::Null),
        ("POST", format!("/groups/{group}/members"), json!({"user_id": 1, "access_level": 50})),
        ("DELETE", format!("/groups/{group}/members/{user}"), Value::Null),
        ("POST", "/organizations".into(), json!({"name": "anon", "path": unique("anon")})),
        ("POST", "/users".into(), json!({"username": unique("anon"), "email": "a@example.com", "name": "a"})),
    ];
    for (method, path, body) in cases {
        let reply = match method {
            "POST" => app.post(None, &path, body).await,
            "PUT" => app.put(None, &path, body).await,
            _ => app.delete(None, &path).await,
        };
        assert_eq!(reply.status, 401, "{method} {path}: {}", reply.body);
        assert_eq!(reply.body["message"], json!("401 Unauthorized"));
    }
    assert_eq!(group_count(app).await, groups_before);
    let group_after = app
        .get(app.admin(), &format!("/groups/{group}"))
        .await
        .expect(200);
    assert_eq!(group_before.body, group_after.body);
    app.get(app.admin(), &format!("/projects/{project}"))
        .await
        .expect(200);
    app.get(app.admin(), &format!("/groups/{group}/members/{user}"))
        .await
        .expect(200);
}

/// Removing a User who is not a direct Member answers 404 and removes nothing.
async fn removing_a_non_member_is_404(app: &TestApp) {
    let (top, _) = app.group(None, "private", None).await;
    let (sub, _) = app.group(Some(top), "private", None).await;
    let (project, _) = app.project(sub, "private").await;
    let (inherited, _) = app.user("inherited").await;
    app.add_member("groups", top, inherited, 30).await;
    let (stranger, _) = app.user("stranger").await;
    for path in [
        format!("/groups/{sub}/members/{inherited}"),
        format!("/groups/{sub}/members/{stranger}"),
        format!("/projects/{project}/members/{inherited}"),
        format!("/projects/{project}/members/{stranger}"),
        format!("/groups/{sub}/members/999999999"),
    ] {
        let reply = app.delete(app.admin(), &path).await;
        assert_eq!(reply.status, 404, "DELETE {path}: {}", reply.body);
    }
    // The inherited membership is still there, read through another path.
    let all = app
        .get(
            app.admin(),
            &format!("/groups/{sub}/members/all/{inherited}"),
        )
        .await
        .expect(200);
    assert_eq!(all.body["access_level"], json!(30));
}

both!(
    scopes_per_request,
    sudo_needs_its_scope,
    revoke_and_rotate,
    anonymous_writes_are_401,
    removing_a_non_member_is_404
);
