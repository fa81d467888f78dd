//! An Organization's deletion: `DELETE /organizations/:id` marks it soft-deleted (202); its
//! content then exists for admins alone (every read, every list, whoever asks, public content
//! included), the Organization itself for its Owners too; nothing is written inside; its Owner
//! or an admin restores it within the retention period; past it, the job deletes it for good
//! and its paths are free again.

mod common;

use std::time::{Duration, Instant};

use common::{TestApp, ids, unique};
use serde_json::json;

/// An Organization with an Owner of its own (the admin left it), a public Group with a public
/// Project, and a Member of a private subgroup: (org, owner token, member token, group, project).
async fn furnished(app: &TestApp) -> (i64, String, String, i64, i64) {
    let org = app.organization("public").await;
    let (owner, owner_token) = app.user("owner").await;
    let (member, member_token) = app.user("member").await;
    let users = format!("/organizations/{org}/users");
    app.post(
        app.admin(),
        &users,
        json!({"user_id": owner, "access_level": "owner"}),
    )
    .await
    .expect(201);
    app.delete(app.admin(), &format!("{users}/1"))
        .await
        .expect(204);
    let (group, _) = app.group(None, "public", Some(org)).await;
    let (project, _) = app.project(group, "public").await;
    let (sub, _) = app.group(Some(group), "private", None).await;
    app.add_member("groups", sub, member, 30).await;
    (org, owner_token, member_token, group, project)
}

async fn soft_deleted_then_restored(app: &TestApp) {
    let (org, owner_token, member_token, group, project) = furnished(app).await;
    let (_, outsider_token) = app.user("outsider").await;
    let owner = Some(owner_token.as_str());
    let member = Some(member_token.as_str());
    let org_path = format!("/organizations/{org}");
    // Who may delete: not a Member, not an outsider; the Owner may.
    app.delete(member, &org_path).await.expect(403);
    app.delete(Some(&outsider_token), &org_path)
        .await
        .expect(403);
    app.delete(None, &org_path).await.expect(401);
    let owner_id = app.get(owner, "/user").await.expect(200).body["id"]
        .as_i64()
        .expect("id");
    let read_api = app.token(owner_id, &["read_api"]).await;
    app.delete(Some(&read_api), &org_path).await.expect(403);
    let reply = app.delete(owner, &org_path).await.expect(202);
    assert_eq!(reply.body["message"], "202 Accepted");

    // Reads: (caller, path, status); one line per case.
    let group_path = format!("/groups/{group}");
    let project_path = format!("/projects/{project}");
    let reads: Vec<(Option<&str>, &str, u16)> = vec![
        (None, &org_path, 404),
        (None, &group_path, 404),
        (None, &project_path, 404),
        (member, &org_path, 404),
        (member, &group_path, 404),
        (member, &project_path, 404),
        (owner, &org_path, 200),
        (owner, &group_path, 404),
        (owner, &project_path, 404),
        (app.admin(), &org_path, 200),
        (app.admin(), &group_path, 200),
        (app.admin(), &project_path, 200),
    ];
    for (caller, path, status) in reads {
        let reply = app.get(caller, path).await;
        assert_eq!(reply.status, status, "{caller:?} {path}: {}", reply.body);
    }
    let state = app.get(owner, &org_path).await.expect(200);
    assert_eq!(state.body["state"], "soft_deleted");
    // Lists: nothing of it but for admins.
    for (caller, listed) in [
        (None, false),
        (member, false),
        (owner, false),
        (app.admin(), true),
    ] {
        for (path, id) in [
            ("/groups?per_page=100", group),
            ("/projects?per_page=100", project),
            ("/organizations?per_page=100", org),
        ] {
            let reply = app.get(caller, path).await.expect(200);
            assert_eq!(ids(&reply.body).contains(&id), listed, "{caller:?} {path}");
        }
    }
    // Nothing is written inside, by anyone; deleting again is refused.
    let sub = json!({"name": "late", "path": unique("late"), "parent_id": group});
    app.post(app.admin(), "/groups", sub.clone())
        .await
        .expect(403);
    let add = json!({"user_id": 1, "access_level": 30});
    for path in [&group_path, &project_path] {
        app.post(app.admin(), &format!("{path}/members"), add.clone())
            .await
            .expect(403);
    }
    app.put(app.admin(), &group_path, json!({"description": "late"}))
        .await
        .expect(403);
    app.post(owner, "/groups", sub).await.expect(404);
    app.put(owner, &org_path, json!({"name": "renamed"}))
        .await
        .expect(403);
    app.delete(owner, &org_path).await.expect(403);

    // Restored by its Owner (a Member cannot): everything as it was.
    let restore = format!("{org_path}/restore");
    app.post(None, &restore, json!({})).await.expect(401);
    app.post(Some(&read_api), &restore, json!({}))
        .await
        .expect(403);
    app.post(Some(&outsider_token), &restore, json!({}))
        .await
        .expect(404);
    app.post(member, &restore, json!({})).await.expect(404);
    let restored = app.post(owner, &restore, json!({})).await.expect(201);
    assert_eq!(restored.body["state"], "active");
    app.post(owner, &restore, json!({})).await.expect(400);
    app.get(None, &group_path).await.expect(200);
    app.get(None, &project_path).await.expect(200);
    let reply = app.get(None, "/groups?per_page=100").await.expect(200);
    assert!(ids(&reply.body).contains(&group));
    // The Default Organization is never deleted.
    app.delete(app.admin(), "/organizations/1")
        .await
        .expect(400);
}

/// With no retention, the job deletes a soft-deleted Organization for good: gone for admins
/// too, its Group's path free, past restoring.
async fn deleted_for_good(app: &TestApp) {
    let (org, owner_token, _, group, _) = furnished(app).await;
    let group_path = app
        .get(app.admin(), &format!("/groups/{group}"))
        .await
        .expect(200)
        .body["path"]
        .as_str()
        .expect("path")
        .to_owned();
    let org_path = format!("/organizations/{org}");
    app.delete(Some(&owner_token), &org_path).await.expect(202);
    let restore = app
        .post(
            Some(&owner_token),
            &format!("{org_path}/restore"),
            json!({}),
        )
        .await;
    assert!(matches!(restore.status, 404 | 409), "{}", restore.body);
    let deadline = Instant::now() + Duration::from_secs(15);
    while app.get(app.admin(), &org_path).await.status != 404 {
        assert!(Instant::now() < deadline, "never deleted for good");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.get(app.admin(), &format!("/groups/{group}"))
        .await
        .expect(404);
    app.post(
        app.admin(),
        "/groups",
        json!({"name": group_path, "path": group_path}),
    )
    .await
    .expect(201);
}

both!(soft_deleted_then_restored);

mod deleted_for_good {
    fn no_retention(config: &mut orgcells::Config) {
        config.organization_retention = std::time::Duration::ZERO;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        let app = crate::common::TestApp::sqlite_with(no_retention).await;
        super::deleted_for_good(&app).await;
        app.finish().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        if let Some(app) = crate::common::TestApp::postgres_with(no_retention).await {
            super::deleted_for_good(&app).await;
            app.finish().await;
        }
    }
}
