//! An admin's actions on a User's state (`POST /users/:id/<action>`), as GitLab answers them,
//! and what they do to the User's tokens: refused with GitLab's 403 while the User is blocked,
//! banned or deactivated, working again once active.

mod common;

use common::TestApp;
use serde_json::{Value, json};

const BLOCKED: &str = "403 Forbidden - Your account has been blocked.";

async fn state(app: &TestApp, user: i64) -> String {
    app.get(app.admin(), &format!("/users/{user}"))
        .await
        .expect(200)
        .body["state"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

async fn admins_walk_a_user_through_every_state(app: &TestApp) {
    let (user, _) = app.user("walked").await;
    // (action, status, answer, state after); one line per step, in order.
    let steps: &[(&str, u16, Value, &str)] = &[
        ("unblock", 201, json!(false), "active"),
        ("activate", 201, json!(true), "active"),
        (
            "unban",
            403,
            json!({"message": "You cannot unban active users."}),
            "active",
        ),
        ("block", 201, json!(true), "blocked"),
        ("block", 201, Value::Null, "blocked"),
        (
            "ban",
            403,
            json!({"message": "You cannot ban blocked users."}),
            "blocked",
        ),
        (
            "deactivate",
            403,
            json!({"message": "Error occurred. A blocked user cannot be deactivated"}),
            "blocked",
        ),
        (
            "activate",
            403,
            json!({"message": "Error occurred. A blocked user must be unblocked to be activated"}),
            "blocked",
        ),
        ("unblock", 201, json!(true), "active"),
        ("deactivate", 201, json!(true), "deactivated"),
        ("deactivate", 201, Value::Null, "deactivated"),
        (
            "unblock",
            403,
            json!({"message": "403 Forbidden - Deactivated users cannot be unblocked by the API"}),
            "deactivated",
        ),
        (
            "ban",
            403,
            json!({"message": "You cannot ban deactivated users."}),
            "deactivated",
        ),
        ("activate", 201, json!(true), "active"),
        ("ban", 201, json!(true), "banned"),
        ("block", 201, Value::Null, "banned"),
        ("unban", 201, json!(true), "active"),
        ("ban", 201, json!(true), "banned"),
        ("unblock", 201, json!(true), "active"),
        ("deactivate", 201, json!(true), "deactivated"),
        ("block", 201, json!(true), "blocked"),
    ];
    for (i, (action, status, answer, after)) in steps.iter().enumerate() {
        let reply = app
            .post(app.admin(), &format!("/users/{user}/{action}"), json!({}))
            .await;
        assert_eq!(reply.status, *status, "step {i}: {action}: {}", reply.body);
        assert_eq!(&reply.body, answer, "step {i}: {action}");
        assert_eq!(state(app, user).await, *after, "step {i}: {action}");
    }
}

async fn only_admins_act_and_never_on_themselves(app: &TestApp) {
    let (user, user_token) = app.user("target").await;
    let (_, other_token) = app.user("other").await;
    let admin_read_api = app
        .post(
            app.admin(),
            "/users/1/personal_access_tokens",
            json!({"name": "r", "scopes": ["read_api"]}),
        )
        .await
        .expect(201)
        .body["token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    // (caller, path, status); one line per case.
    let cases: Vec<(Option<&str>, String, u16)> = vec![
        (None, format!("/users/{user}/block"), 401),
        (Some(&other_token), format!("/users/{user}/block"), 403),
        (Some(&user_token), format!("/users/{user}/deactivate"), 403),
        (Some(&admin_read_api), format!("/users/{user}/ban"), 403),
        (app.admin(), "/users/999999999/block".to_owned(), 404),
        (app.admin(), "/users/2/block".to_owned(), 404),
        (app.admin(), format!("/users/{user}/obliterate"), 404),
        (app.admin(), "/users/1/block".to_owned(), 403),
        (app.admin(), "/users/1/ban".to_owned(), 403),
        (app.admin(), "/users/1/deactivate".to_owned(), 403),
        (app.admin(), "/users/x/block".to_owned(), 400),
    ];
    for (caller, path, status) in cases {
        let reply = app.post(caller, &path, json!({})).await;
        assert_eq!(reply.status, status, "{path}: {}", reply.body);
    }
    assert_eq!(state(app, user).await, "active");
    assert_eq!(state(app, 1).await, "active");
    let reply = app.post(app.admin(), "/users/1/block", json!({})).await;
    assert_eq!(
        reply.body["message"],
        "403 Forbidden - The API initiating user cannot be blocked by the API"
    );
}

/// Sets the day `user` last used the API, as if that long had passed since.
async fn last_active_on(app: &TestApp, user: i64, day: &str) {
    let mut tx = app.db().write().await.expect("a write");
    sqlx::query("UPDATE user_activity SET last_activity_on = $1 WHERE user_id = $2")
        .bind(day)
        .bind(user)
        .execute(tx.conn())
        .await
        .expect("backdated");
    tx.commit().await.expect("committed");
}

async fn tokens_stop_while_the_user_is_not_active(app: &TestApp) {
    let (user, token) = app.user("holder").await;
    let (group, _) = app.group(None, "private", None).await;
    app.add_member("groups", group, user, 30).await;
    let group_path = format!("/groups/{group}");
    app.get(Some(&token), &group_path).await.expect(200);
    let deactivated = format!(
        "403 Forbidden - Your account has been deactivated by your administrator. Please log \
         back in from a web browser to reactivate your account at {}",
        app.root()
    );
    // (action, message every request then gets, or none when the token works again).
    let cases: Vec<(&str, Option<&str>)> = vec![
        ("block", Some(BLOCKED)),
        ("unblock", None),
        ("ban", Some(BLOCKED)),
        ("unban", None),
        ("deactivate", Some(&deactivated)),
        ("activate", None),
    ];
    for (action, refused) in cases {
        if action == "deactivate" {
            // Active today (their requests above): GitLab's rule refuses; 90 days on, not.
            let early = app
                .post(app.admin(), &format!("/users/{user}/deactivate"), json!({}))
                .await
                .expect(403);
            assert_eq!(
                early.body["message"],
                "The user you are trying to deactivate has been active in the past 90 days and cannot be deactivated"
            );
            last_active_on(app, user, "2000-01-01").await;
        }
        app.post(app.admin(), &format!("/users/{user}/{action}"), json!({}))
            .await
            .expect(201);
        for path in ["/user", group_path.as_str(), "/groups", "/projects"] {
            let reply = app.get(Some(&token), path).await;
            match refused {
                Some(message) => {
                    assert_eq!(reply.status, 403, "after {action}: {path}: {}", reply.body);
                    assert_eq!(reply.body["message"], message, "after {action}: {path}");
                }
                None => assert_eq!(reply.status, 200, "after {action}: {path}: {}", reply.body),
            }
        }
        let write = app
            .post(
                Some(&token),
                "/groups",
                json!({"name": "sub", "path": "sub", "parent_id": group}),
            )
            .await;
        match refused {
            Some(message) => assert_eq!(write.body["message"], message, "after {action}: a write"),
            // A Developer may not create subgroups: the token reached the policy.
            None => assert_eq!(write.status, 403, "after {action}: a write: {}", write.body),
        }
        // Sudo as a User who may not act finds no one.
        let sudo = app.get(app.admin(), &format!("/user?sudo={user}")).await;
        let expected = if refused.is_some() { 404 } else { 200 };
        assert_eq!(sudo.status, expected, "sudo after {action}: {}", sudo.body);
    }
}

both!(
    admins_walk_a_user_through_every_state,
    only_admins_act_and_never_on_themselves,
    tokens_stop_while_the_user_is_not_active,
);
