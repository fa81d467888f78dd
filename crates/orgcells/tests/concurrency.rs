//! Many clients writing at once: no 5xx, every acknowledged write is there, and racing for one
//! value gives one winner and clean refusals.

mod common;

use common::{ADMIN_TOKEN, TestApp, unique};
use serde_json::{Value, json};

/// Sends all the POSTs at once, each on its own task; their (status, body) in order.
async fn post_all(app: &TestApp, requests: Vec<(String, Value)>) -> Vec<(u16, Value)> {
    let handles: Vec<_> = requests
        .into_iter()
        .map(|(path, body)| {
            let request = app
                .http
                .post(format!("{}{path}", app.base))
                .header("PRIVATE-TOKEN", ADMIN_TOKEN)
                .json(&body);
            tokio::spawn(async move {
                let response = request.send().await.expect("send");
                let status = response.status().as_u16();
                (
                    status,
                    response.json::<Value>().await.unwrap_or(Value::Null),
                )
            })
        })
        .collect();
    let mut out = Vec::new();
    for handle in handles {
        out.push(handle.await.expect("task"));
    }
    out
}

async fn concurrent_writes_never_fail(app: &TestApp) {
    let (top, _) = app.group(None, "private", None).await;
    let mut users = Vec::new();
    for _ in 0..8 {
        users.push(app.user("c").await.0);
    }
    // 40 subgroups, 8 member additions and 8 projects, all at once.
    let mut requests = Vec::new();
    for i in 0..40 {
        let path = unique(&format!("s{i}"));
        requests.push((
            "/groups".to_owned(),
            json!({"name": path, "path": path, "parent_id": top}),
        ));
    }
    for user in &users {
        requests.push((
            format!("/groups/{top}/members"),
            json!({"user_id": user, "access_level": 30}),
        ));
    }
    for _ in 0..8 {
        let path = unique("cp");
        requests.push((
            "/projects".to_owned(),
            json!({"name": path, "namespace_id": top}),
        ));
    }
    let replies = post_all(app, requests).await;
    for (status, body) in &replies {
        assert_eq!(*status, 201, "a concurrent write failed: {body}");
    }
    let ids = |range: std::ops::Range<usize>| -> Vec<i64> {
        let mut ids: Vec<i64> = replies[range]
            .iter()
            .map(|(_, body)| body["id"].as_i64().expect("id"))
            .collect();
        ids.sort_unstable();
        ids
    };
    let listed_ids = |reply: &common::Reply| -> Vec<i64> {
        let mut ids: Vec<i64> = reply
            .body
            .as_array()
            .expect("a list")
            .iter()
            .map(|row| row["id"].as_i64().expect("id"))
            .collect();
        ids.sort_unstable();
        ids
    };
    // Every acknowledged write is there, read back through the lists: the very ids answered.
    let listed = app
        .get(
            app.admin(),
            &format!("/groups/{top}/subgroups?per_page=100"),
        )
        .await
        .expect(200);
    assert_eq!(listed_ids(&listed), ids(0..40), "the 40 subgroups");
    let members = app
        .get(app.admin(), &format!("/groups/{top}/members?per_page=100"))
        .await
        .expect(200);
    let mut expected_members = users.clone();
    let root = app.get(app.admin(), "/user").await.expect(200).id();
    expected_members.push(root);
    expected_members.sort_unstable();
    assert_eq!(
        listed_ids(&members),
        expected_members,
        "the creator and 8 members"
    );
    for member in members.body.as_array().expect("a list") {
        let expected_level = if member["id"] == json!(root) { 50 } else { 30 };
        assert_eq!(member["access_level"], json!(expected_level), "{member}");
    }
    let projects = app
        .get(app.admin(), &format!("/groups/{top}/projects?per_page=100"))
        .await
        .expect(200);
    assert_eq!(listed_ids(&projects), ids(48..56), "the 8 projects");
    // And each by itself, in its place.
    for (_, body) in &replies[0..40] {
        let id = body["id"].as_i64().expect("id");
        let stored = app
            .get(app.admin(), &format!("/groups/{id}"))
            .await
            .expect(200);
        assert_eq!(stored.body["parent_id"], json!(top));
        assert_eq!(stored.body["full_path"], body["full_path"]);
    }
}

async fn racing_for_one_path_has_one_winner(app: &TestApp) {
    let path = unique("race");
    let requests = (0..12)
        .map(|_| ("/groups".to_owned(), json!({"name": path, "path": path})))
        .collect();
    let replies = post_all(app, requests).await;
    assert_eq!(
        replies.iter().filter(|(s, _)| *s == 201).count(),
        1,
        "one creation wins: {replies:?}"
    );
    for (status, body) in replies.iter().filter(|(s, _)| *s != 201) {
        assert_eq!(*status, 400, "the others are refused: {body}");
        assert_eq!(
            *body,
            json!({"message": {"path": ["has already been taken"]}})
        );
    }
    // The winner holds the path; no second Group has it.
    let winner = replies
        .iter()
        .find(|(s, _)| *s == 201)
        .map(|(_, body)| body["id"].clone())
        .expect("a winner");
    let stored = app
        .get(app.admin(), &format!("/groups/{path}"))
        .await
        .expect(200);
    assert_eq!(stored.body["id"], winner);
    let found = app
        .get(app.admin(), &format!("/groups?search={path}&per_page=100"))
        .await
        .expect(200);
    assert_eq!(
        found.body.as_array().map(Vec::len),
        Some(1),
        "one Group holds {path}: {}",
        found.body
    );

    let (top, _) = app.group(None, "private", None).await;
    let (user, _) = app.user("race").await;
    let requests = (0..8)
        .map(|_| {
            (
                format!("/groups/{top}/members"),
                json!({"user_id": user, "access_level": 30}),
            )
        })
        .collect();
    let replies = post_all(app, requests).await;
    assert_eq!(
        replies.iter().filter(|(s, _)| *s == 201).count(),
        1,
        "one addition wins: {replies:?}"
    );
    assert!(
        replies.iter().all(|(s, _)| *s == 201 || *s == 409),
        "the others are 409: {replies:?}"
    );
    // One membership, at the level asked.
    let members = app
        .get(app.admin(), &format!("/groups/{top}/members?per_page=100"))
        .await
        .expect(200);
    let rows: Vec<_> = members
        .body
        .as_array()
        .expect("a list")
        .iter()
        .filter(|m| m["id"] == json!(user))
        .collect();
    assert_eq!(rows.len(), 1, "one membership: {}", members.body);
    assert_eq!(rows[0]["access_level"], json!(30));
}

both!(
    concurrent_writes_never_fail,
    racing_for_one_path_has_one_winner
);
