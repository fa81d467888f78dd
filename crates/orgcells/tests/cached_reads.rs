//! Reads are remembered between requests (the caller a token stands for, their standing, lists'
//! totals, the ancestors that make up full names) until the next write. However warm those caches are, the read after a 2xx write sees
//! it, also while other clients read at the same time; and one process serves a Cell's database.

mod common;

use common::{ADMIN_TOKEN, TestApp};
use serde_json::json;

/// A User reads a private Project after each write that changes what they may see, with the
/// caches warmed by the same read just before: one line per write.
async fn each_write_is_seen_by_the_next_read(app: &TestApp) {
    let (top, _) = app.group(None, "private", None).await;
    let (project, _) = app.project(top, "private").await;
    let (other, _) = app.group(None, "private", None).await;
    let (user, token) = app.user("cached").await;
    let read = format!("/projects/{project}");

    // (what is written, the status of the User's next read)
    let steps: Vec<(&str, String, serde_json::Value, u16)> = vec![
        (
            "POST",
            format!("/projects/{project}/members"),
            json!({"user_id": user, "access_level": 30}),
            200,
        ),
        (
            "DELETE",
            format!("/projects/{project}/members/{user}"),
            json!({}),
            404,
        ),
        (
            "POST",
            format!("/groups/{top}/members"),
            json!({"user_id": user, "access_level": 10}),
            200,
        ),
        (
            "DELETE",
            format!("/groups/{top}/members/{user}"),
            json!({}),
            404,
        ),
        (
            "POST",
            format!("/groups/{other}/members"),
            json!({"user_id": user, "access_level": 30}),
            404,
        ),
        (
            "POST",
            format!("/projects/{project}/share"),
            json!({"group_id": other, "group_access": 20}),
            200,
        ),
        (
            "DELETE",
            format!("/projects/{project}/share/{other}"),
            json!({}),
            404,
        ),
        ("PUT", format!("/users/{user}"), json!({"admin": true}), 200),
        (
            "PUT",
            format!("/users/{user}"),
            json!({"admin": false}),
            404,
        ),
        (
            "PUT",
            format!("/groups/{top}"),
            json!({"visibility": "internal"}),
            404,
        ),
        ("PUT", read.clone(), json!({"visibility": "internal"}), 200),
        ("PUT", read.clone(), json!({"visibility": "private"}), 404),
        ("DELETE", format!("/users/{user}"), json!({}), 401),
    ];
    for (method, path, body, expected) in steps {
        for _ in 0..2 {
            app.get(Some(&token), &read).await;
        }
        let reply = match method {
            "POST" => app.post(Some(ADMIN_TOKEN), &path, body).await,
            "PUT" => app.put(Some(ADMIN_TOKEN), &path, body).await,
            _ => app.delete(Some(ADMIN_TOKEN), &path).await,
        };
        assert!(
            (200..300).contains(&reply.status),
            "{method} {path}: {} {}",
            reply.status,
            reply.body
        );
        let after = app.get(Some(&token), &read).await;
        assert_eq!(
            after.status, expected,
            "after {method} {path}: {}",
            after.body
        );
    }
}

/// A list's total, read twice to be remembered, moves with the next create and delete.
async fn totals_follow_the_next_write(app: &TestApp) {
    let (top, _) = app.group(None, "public", None).await;
    let subgroups = format!("/groups/{top}/subgroups");
    let total = |reply: common::Reply| reply.header("x-total").expect("x-total");
    for _ in 0..2 {
        assert_eq!(total(app.get(Some(ADMIN_TOKEN), &subgroups).await), "0");
    }
    let (child, _) = app.group(Some(top), "public", None).await;
    assert_eq!(total(app.get(Some(ADMIN_TOKEN), &subgroups).await), "1");
    assert_eq!(total(app.get(None, &subgroups).await), "1");
    app.delete(Some(ADMIN_TOKEN), &format!("/groups/{child}"))
        .await;
    assert_eq!(total(app.get(Some(ADMIN_TOKEN), &subgroups).await), "0");
}

/// The full names on pages, read twice to be remembered, follow the rename of an ancestor and
/// the transfer of a subgroup at the next read.
async fn full_names_follow_a_rename_and_a_transfer(app: &TestApp) {
    let (top, _) = app.group(None, "public", None).await;
    let (other, _) = app.group(None, "public", None).await;
    let (mid, _) = app.group(Some(top), "public", None).await;
    let (project, _) = app.project(mid, "public").await;
    // The full name of the first row of each read (or of the one object), each read twice so
    // that the second comes from what is remembered.
    let names = |parent: i64| {
        let reads = [
            format!("/groups/{mid}/projects"),
            format!("/groups/{parent}/subgroups"),
            format!("/groups/{mid}"),
            format!("/projects/{project}"),
        ];
        async move {
            let mut seen = Vec::new();
            for read in &reads {
                for _ in 0..2 {
                    let reply = app.get(Some(ADMIN_TOKEN), read).await.expect(200);
                    let object = reply.body.get(0).unwrap_or(&reply.body);
                    let name = ["name_with_namespace", "full_name"]
                        .iter()
                        .find_map(|field| object[field].as_str())
                        .unwrap_or_else(|| panic!("{read}: no full name in {}", reply.body));
                    seen.push(name.to_owned());
                }
            }
            seen
        }
    };
    let before = names(top).await;
    assert!(
        before.iter().all(|n| !n.starts_with("Renamed")),
        "{before:?}"
    );

    app.put(
        Some(ADMIN_TOKEN),
        &format!("/groups/{top}"),
        json!({"name": "Renamed"}),
    )
    .await
    .expect(200);
    let renamed = names(top).await;
    assert!(
        renamed.iter().all(|n| n.starts_with("Renamed / ")),
        "{renamed:?}"
    );

    let transfer = format!("/groups/{mid}/transfer");
    let reply = app
        .post(Some(ADMIN_TOKEN), &transfer, json!({"group_id": other}))
        .await;
    assert!((200..300).contains(&reply.status), "{}", reply.body);
    let moved = names(other).await;
    assert!(moved.iter().all(|n| !n.starts_with("Renamed")), "{moved:?}");
}

/// While other clients keep reading the same Project, each addition and removal of the User is
/// seen by the read that follows its 2xx.
async fn reads_racing_writes_never_see_less_than_an_acknowledged_write(app: &TestApp) {
    let (top, _) = app.group(None, "private", None).await;
    let (project, _) = app.project(top, "private").await;
    let (user, token) = app.user("racer").await;
    let read = format!("{}/projects/{project}", app.base);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let readers: Vec<_> = (0..4)
        .map(|_| {
            let (http, read, token, stop) =
                (app.http.clone(), read.clone(), token.clone(), stop.clone());
            tokio::spawn(async move {
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let status = http
                        .get(&read)
                        .header("PRIVATE-TOKEN", &token)
                        .send()
                        .await
                        .expect("send")
                        .status()
                        .as_u16();
                    assert!(status == 200 || status == 404, "reader got {status}");
                }
            })
        })
        .collect();
    for round in 0..25 {
        app.add_member("groups", top, user, 30).await;
        let seen = app.get(Some(&token), &format!("/projects/{project}")).await;
        assert_eq!(seen.status, 200, "round {round}, after the addition");
        app.delete(Some(ADMIN_TOKEN), &format!("/groups/{top}/members/{user}"))
            .await
            .expect(204);
        let gone = app.get(Some(&token), &format!("/projects/{project}")).await;
        assert_eq!(gone.status, 404, "round {round}, after the removal");
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for reader in readers {
        reader.await.expect("reader");
    }
}

/// A second server on the same database is refused and says why; the first goes on serving.
async fn a_second_server_on_the_same_database_is_refused(app: &TestApp) {
    let error = match orgcells::start(app.config()).await {
        Ok(_) => panic!("a second server started on the same database"),
        Err(error) => format!("{error:#}"),
    };
    assert!(
        error.contains("another orgcells process is serving"),
        "{error}"
    );
    app.get(Some(ADMIN_TOKEN), "/user").await.expect(200);
}

both!(
    each_write_is_seen_by_the_next_read,
    totals_follow_the_next_write,
    full_names_follow_a_rename_and_a_transfer,
    reads_racing_writes_never_see_less_than_an_acknowledged_write,
    a_second_server_on_the_same_database_is_refused
);
