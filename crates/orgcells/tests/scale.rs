//! A caller with more memberships than SQLite allows terms in one expression (1,000) is served
//! like any other: the statements do not grow with a caller's grants.

mod common;

use common::{TestApp, unique};
use serde_json::json;

const GROUPS: usize = 1_100;

/// A User who created (and so owns) 1,100 Groups, one with a Project, reads and writes as usual;
/// so does the admin who made them a member of more.
async fn many_memberships(app: &TestApp) {
    let (_, token) = app.user("many").await;
    let token = Some(token.as_str());
    let mut first = None;
    for i in 0..GROUPS {
        let path = unique("m");
        let group = app
            .post(
                token,
                "/groups",
                json!({"name": path, "path": path, "visibility": "private"}),
            )
            .await;
        assert_eq!(group.status, 201, "group {i}: {}", group.body);
        first.get_or_insert(group.id());
    }
    let first = first.expect("a group");
    let (project, _) = app.project(first, "private").await;

    // Writes by the User and by the admin.
    let path = unique("after");
    let created = app
        .post(token, "/groups", json!({"name": path, "path": path}))
        .await
        .expect(201);
    let (other, _) = app.user("other").await;
    app.post(
        token,
        &format!("/groups/{}/members", created.id()),
        json!({"user_id": other, "access_level": 30}),
    )
    .await
    .expect(201);
    let path = unique("admin");
    app.post(app.admin(), "/groups", json!({"name": path, "path": path}))
        .await
        .expect(201);

    // Reads, with totals that count every Group.
    let owned = app
        .get(token, "/groups?owned=true&per_page=1")
        .await
        .expect(200);
    assert_eq!(
        owned.header("x-total").as_deref(),
        Some((GROUPS + 1).to_string().as_str())
    );
    for path in [
        "/groups?per_page=20".to_owned(),
        "/groups?all_available=true&per_page=20".to_owned(),
        "/organizations/1/groups?per_page=20".to_owned(),
        "/organizations/1/projects?per_page=20".to_owned(),
        "/organizations/1/users?per_page=20".to_owned(),
        "/projects?membership=true&per_page=20".to_owned(),
        format!("/projects/{project}"),
        format!("/groups/{first}/members/all"),
        "/namespaces?per_page=20".to_owned(),
    ] {
        let reply = app.get(token, &path).await;
        assert_eq!(reply.status, 200, "GET {path}: {}", reply.body);
    }
    let listed = app
        .get(token, "/projects?membership=true&per_page=100")
        .await
        .expect(200);
    assert!(
        listed
            .body
            .as_array()
            .expect("list")
            .iter()
            .any(|p| p["id"] == json!(project))
    );
}

/// Every id list a client sends is bounded: 1,000 ids are taken, 1,001 refused in Grape's shape.
async fn client_lists_are_bounded(app: &TestApp) {
    let ids = |n: usize| {
        (1..=n)
            .map(|i| format!("skip_groups[]={i}"))
            .collect::<Vec<_>>()
            .join("&")
    };
    app.get(app.admin(), &format!("/groups?{}", ids(1_000)))
        .await
        .expect(200);
    let refused = app
        .get(app.admin(), &format!("/groups?{}", ids(1_001)))
        .await
        .expect(400);
    assert_eq!(
        refused.body["error"],
        json!("skip_groups must be at the most 1000 in length")
    );
    let (group, _) = app.group(None, "private", None).await;
    let user_ids = |n: usize| {
        (1..=n)
            .map(|i| format!("user_ids[]={i}"))
            .collect::<Vec<_>>()
            .join("&")
    };
    app.get(
        app.admin(),
        &format!("/groups/{group}/members?{}", user_ids(1_000)),
    )
    .await
    .expect(200);
    let refused = app
        .get(
            app.admin(),
            &format!("/groups/{group}/members?{}", user_ids(1_001)),
        )
        .await
        .expect(400);
    assert_eq!(
        refused.body["error"],
        json!("user_ids must be at the most 1000 in length")
    );
}

both!(many_memberships, client_lists_are_bounded);
