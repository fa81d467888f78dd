//! Access requests (`/groups/:id/access_requests`, `/projects/:id/access_requests`): a User
//! asks to join a Group or Project they can see, not a private one nor one they belong to;
//! those who manage its Members list, approve (a Member, Developer unless said) or deny; the
//! User may withdraw their own; a banned User never gets in, nor anyone who cannot see it.

mod common;

use common::{TestApp, ids};
use serde_json::json;

async fn users_ask_and_maintainers_answer(app: &TestApp) {
    let org = app.organization("public").await;
    let (group, _) = app.group(None, "public", Some(org)).await;
    let (private, _) = app.group(None, "private", Some(org)).await;
    let (project, _) = app.project(group, "public").await;
    let (maintainer, maintainer_token) = app.user("maintainer").await;
    let (developer, developer_token) = app.user("developer").await;
    let (asker, asker_token) = app.user("asker").await;
    let (other, other_token) = app.user("other").await;
    let (banned, banned_token) = app.user("banned").await;
    app.add_member("groups", group, maintainer, 40).await;
    app.add_member("groups", group, developer, 30).await;
    let users = format!("/organizations/{org}/users");
    app.post(app.admin(), &users, json!({"user_id": banned}))
        .await
        .expect(201);
    app.post(app.admin(), &format!("{users}/{banned}/ban"), json!({}))
        .await
        .expect(201);
    let requests = format!("/groups/{group}/access_requests");
    let asker_read_api = app.token(asker, &["read_api"]).await;
    let maintainer_read_api = app.token(maintainer, &["read_api"]).await;

    // Asking: (caller, path, status); one line per case.
    let asks: Vec<(Option<&str>, String, u16)> = vec![
        (None, requests.clone(), 401),
        (Some(&banned_token), requests.clone(), 404),
        (
            Some(&asker_token),
            format!("/groups/{private}/access_requests"),
            404,
        ),
        (Some(&developer_token), requests.clone(), 403),
        (app.admin(), requests.clone(), 403),
        (Some(&asker_read_api), requests.clone(), 403),
        (Some(&asker_token), requests.clone(), 201),
        (Some(&asker_token), requests.clone(), 400),
        (Some(&other_token), requests.clone(), 201),
        (
            Some(&developer_token),
            format!("/projects/{project}/access_requests"),
            403,
        ),
    ];
    for (caller, path, status) in asks {
        let reply = app.post(caller, &path, json!({})).await;
        assert_eq!(reply.status, status, "{caller:?} {path}: {}", reply.body);
    }
    // A project of a group the asker does not belong to.
    let (outside, _) = app.group(None, "public", Some(org)).await;
    let (outside_project, _) = app.project(outside, "public").await;
    let asked = app
        .post(
            Some(&asker_token),
            &format!("/projects/{outside_project}/access_requests"),
            json!({}),
        )
        .await
        .expect(201);
    assert_eq!(asked.body["id"], asker);
    assert!(asked.body["requested_at"].is_string());

    // Listing: only those who manage Members.
    for (caller, status) in [
        (None, 401),
        (Some(asker_token.as_str()), 403),
        (Some(developer_token.as_str()), 403),
        (Some(maintainer_token.as_str()), 200),
        (app.admin(), 200),
    ] {
        let reply = app.get(caller, &requests).await;
        assert_eq!(reply.status, status, "{caller:?}: {}", reply.body);
        if status == 200 {
            assert_eq!(ids(&reply.body), vec![asker, other]);
            assert_eq!(reply.header("x-total").as_deref(), Some("2"));
        }
    }

    // A maintainer's read-only token lists but answers nothing.
    app.get(Some(&maintainer_read_api), &requests)
        .await
        .expect(200);
    app.put(
        Some(&maintainer_read_api),
        &format!("{requests}/{asker}/approve"),
        json!({}),
    )
    .await
    .expect(403);
    app.delete(Some(&maintainer_read_api), &format!("{requests}/{asker}"))
        .await
        .expect(403);
    // Answering: the asker cannot approve themselves; a maintainer approves at Reporter.
    app.put(
        Some(&asker_token),
        &format!("{requests}/{asker}/approve"),
        json!({}),
    )
    .await
    .expect(403);
    let member = app
        .put(
            Some(&maintainer_token),
            &format!("{requests}/{asker}/approve"),
            json!({"access_level": 20}),
        )
        .await
        .expect(201);
    assert_eq!(member.body["id"], asker);
    assert_eq!(member.body["access_level"], 20);
    app.get(app.admin(), &format!("/groups/{group}/members/{asker}"))
        .await
        .expect(200);
    app.put(
        Some(&maintainer_token),
        &format!("{requests}/{asker}/approve"),
        json!({}),
    )
    .await
    .expect(404);
    // Above the maintainer's own level: refused, and the request stays.
    app.put(
        Some(&maintainer_token),
        &format!("{requests}/{other}/approve"),
        json!({"access_level": 50}),
    )
    .await
    .expect(403);
    // Withdrawn by its User; denied by a maintainer.
    app.delete(Some(&other_token), &format!("{requests}/{other}"))
        .await
        .expect(204);
    app.delete(Some(&maintainer_token), &format!("{requests}/{other}"))
        .await
        .expect(404);
    let outside_requests = format!("/projects/{outside_project}/access_requests");
    app.delete(app.admin(), &format!("{outside_requests}/{asker}"))
        .await
        .expect(204);
    let left = app.get(app.admin(), &requests).await.expect(200);
    assert_eq!(ids(&left.body), Vec::<i64>::new());

    // Banned after asking: never let in.
    let (late, late_token) = app.user("late").await;
    app.post(Some(&late_token), &requests, json!({}))
        .await
        .expect(201);
    app.post(app.admin(), &users, json!({"user_id": late}))
        .await;
    app.post(app.admin(), &format!("{users}/{late}/ban"), json!({}))
        .await
        .expect(201);
    let reply = app
        .put(
            app.admin(),
            &format!("{requests}/{late}/approve"),
            json!({}),
        )
        .await;
    assert_eq!(reply.status, 403, "{}", reply.body);
    let _ = developer;
}

both!(users_ask_and_maintainers_answer);
