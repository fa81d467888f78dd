//! An Organization in maintenance (GitLab's state for a migration: here, a move between Cells)
//! serves its reads and answers every write inside it 503 with `Retry-After`, changing
//! nothing; every other Organization goes on as before; lifted, it takes writes again.

mod common;

use common::TestApp;
use orgcells_core::ids::OrganizationId;
use orgcells_core::states::OrganizationState;
use orgcells_store::{locks, organizations};
use serde_json::{Value, json};

/// Puts `org` in `state` as a move does.
async fn set_state(app: &TestApp, org: i64, state: OrganizationState) {
    let mut tx = app.db().write().await.expect("write");
    locks::organization(tx.conn(), OrganizationId(org), locks::OrgLock::Exclusive)
        .await
        .expect("lock");
    let mut row = organizations::find(tx.conn(), OrganizationId(org))
        .await
        .expect("read")
        .expect("the Organization");
    row.state = state;
    organizations::update(tx.conn(), &row)
        .await
        .expect("update");
    tx.commit().await.expect("commit");
}

/// What an Organization's content reads as: each read's status and body.
async fn reads(app: &TestApp, token: Option<&str>, paths: &[String]) -> Vec<(u16, Value)> {
    let mut all = Vec::new();
    for path in paths {
        let reply = app.get(token, path).await;
        all.push((reply.status, reply.body));
    }
    all
}

async fn organizations_in_maintenance_hold_their_writes(app: &TestApp) {
    let org = app.organization("private").await;
    let other = app.organization("private").await;
    let (group, _) = app.group(None, "private", Some(org)).await;
    let (project, _) = app.project(group, "private").await;
    let (elsewhere, _) = app.group(None, "private", Some(other)).await;
    let (owner, owner_token) = app.user("owner").await;
    let (member, _) = app.user("member").await;
    let (newcomer, _) = app.user("newcomer").await;
    app.add_member("groups", group, owner, 50).await;
    app.add_member("groups", group, member, 30).await;
    app.add_member("groups", elsewhere, owner, 50).await;
    let paths = [
        format!("/organizations/{org}"),
        format!("/groups/{group}"),
        format!("/groups/{group}/members"),
        format!("/groups/{group}/subgroups"),
        format!("/groups/{group}/projects"),
        format!("/projects/{project}"),
        format!("/projects/{project}/members/all"),
    ];
    let before = reads(app, Some(&owner_token), &paths).await;
    assert!(
        before.iter().all(|(status, _)| *status == 200),
        "{before:?}"
    );

    set_state(app, org, OrganizationState::Maintenance).await;
    // Reads are served, the same as before but for the Organization's state (the owner's and
    // an admin's).
    let mut held = before.clone();
    held[0].1["state"] = json!("maintenance");
    assert_eq!(reads(app, Some(&owner_token), &paths).await, held);
    assert!(
        reads(app, app.admin(), &paths)
            .await
            .iter()
            .all(|(status, _)| *status == 200)
    );
    // Every write inside it is held, for the Group Owner and for an admin (the Organization's
    // own settings: the admin only): (method, path, body); one line per write.
    let writes: Vec<(&str, String, Value)> = vec![
        (
            "POST",
            "/groups".into(),
            json!({"name": "sub", "path": "sub", "parent_id": group}),
        ),
        (
            "PUT",
            format!("/groups/{group}"),
            json!({"description": "changed"}),
        ),
        (
            "POST",
            "/projects".into(),
            json!({"name": "new", "namespace_id": group}),
        ),
        (
            "PUT",
            format!("/projects/{project}"),
            json!({"description": "changed"}),
        ),
        (
            "POST",
            format!("/groups/{group}/members"),
            json!({"user_id": newcomer, "access_level": 30}),
        ),
        (
            "PUT",
            format!("/groups/{group}/members/{member}"),
            json!({"access_level": 40}),
        ),
        (
            "DELETE",
            format!("/groups/{group}/members/{member}"),
            Value::Null,
        ),
        (
            "POST",
            format!("/projects/{project}/members"),
            json!({"user_id": newcomer, "access_level": 30}),
        ),
        ("DELETE", format!("/projects/{project}"), Value::Null),
        ("DELETE", format!("/groups/{group}"), Value::Null),
        (
            "PUT",
            format!("/organizations/{org}"),
            json!({"description": "changed"}),
        ),
    ];
    for (method, path, body) in &writes {
        let owner = Some(owner_token.as_str()).filter(|_| !path.starts_with("/organizations"));
        for token in [owner, app.admin()].into_iter().flatten() {
            let token = Some(token);
            let body = (!body.is_null()).then(|| body.clone());
            let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
            let reply = app.request(token, method.clone(), path, body).await;
            assert_eq!(reply.status, 503, "{method} {path}: {}", reply.body);
            assert!(
                reply.header("retry-after").is_some(),
                "{method} {path} says when to retry"
            );
            assert!(
                reply.body["message"]
                    .as_str()
                    .is_some_and(|m| !m.is_empty()),
                "{method} {path}: {}",
                reply.body
            );
        }
    }
    assert!(
        reads(app, Some(&owner_token), &paths).await == held,
        "nothing changed"
    );
    // Another Organization goes on.
    app.put(
        Some(&owner_token),
        &format!("/groups/{elsewhere}"),
        json!({"description": "changed"}),
    )
    .await
    .expect(200);
    app.post(
        Some(&owner_token),
        "/groups",
        json!({"name": "sub", "path": "sub", "parent_id": elsewhere}),
    )
    .await
    .expect(201);

    // Lifted: the writes go through again.
    set_state(app, org, OrganizationState::Active).await;
    app.put(
        Some(&owner_token),
        &format!("/groups/{group}"),
        json!({"description": "changed"}),
    )
    .await
    .expect(200);
    app.post(
        Some(&owner_token),
        &format!("/groups/{group}/members"),
        json!({"user_id": newcomer, "access_level": 30}),
    )
    .await
    .expect(201);
}

both!(organizations_in_maintenance_hold_their_writes);
