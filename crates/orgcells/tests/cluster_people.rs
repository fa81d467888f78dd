//! A User whose memberships span two Cells of a three-Cell cluster (processes, SQLite and
//! PostgreSQL), driven through the router: removed from one Organization they keep the other;
//! banned from one they see nothing of it and all of the other; blocked on the Cell that keeps
//! Users, their token stops on every Cell; deleted, every Cell lets go of them, and a Cell that
//! refuses (they alone own a Group there) refuses the whole deletion before anything changes.
//! A Group does not move into an Organization on another Cell.

mod common;

use std::time::{Duration, Instant};

use common::cluster::{Cluster, as_user, organization_on};
use serde_json::{Value, json};

/// Waits (bounded) until `path` answers `status` to `token`.
async fn until(cluster: &Cluster, token: &str, path: &str, status: u16) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let got = as_user(cluster, token, "GET", path).await;
        if got == status {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{path} answered {got}, not {status}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn ids(list: &Value) -> Vec<i64> {
    list.as_array()
        .map(|rows| rows.iter().filter_map(|r| r["id"].as_i64()).collect())
        .unwrap_or_default()
}

async fn a_user_across_two_cells(cluster: &Cluster) {
    let sasha = cluster
        .expect(
            "POST",
            "/api/v4/users",
            Some(json!({"username": "sasha", "email": "sasha@example.com", "name": "Sasha", "password": "sasha-password-1"})),
            201,
        )
        .await;
    let id = sasha["id"].as_i64().expect("id");
    let token = cluster
        .expect(
            "POST",
            &format!("/api/v4/users/{id}/personal_access_tokens"),
            Some(json!({"name": "laptop", "scopes": ["api"]})),
            201,
        )
        .await["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let (g2, _) = organization_on(cluster, 2, "two").await;
    let (g3, _) = organization_on(cluster, 3, "three").await;
    let org_of = |group: Value| group["organization_id"].as_i64().expect("organization_id");
    let org2 = org_of(
        cluster
            .expect("GET", &format!("/api/v4/groups/{g2}"), None, 200)
            .await,
    );
    let org3 = org_of(
        cluster
            .expect("GET", &format!("/api/v4/groups/{g3}"), None, 200)
            .await,
    );
    let (group2, group3) = (
        format!("/api/v4/groups/{g2}"),
        format!("/api/v4/groups/{g3}"),
    );
    for group in [g2, g3] {
        cluster
            .expect(
                "POST",
                &format!("/api/v4/groups/{group}/members"),
                Some(json!({"user_id": id, "access_level": 30})),
                201,
            )
            .await;
    }
    // Organizations are private (organization_on's default): only Users of them see inside.
    until(cluster, &token, &group2, 200).await;
    until(cluster, &token, &group3, 200).await;

    // A Group moves into an Organization of its own Cell only: across Cells, a 409 naming both.
    let across = cluster
        .expect(
            "POST",
            &format!("/api/v4/organizations/{org2}/groups/transfer"),
            Some(json!({"group_id": g3})),
            409,
        )
        .await;
    let message = across["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("Cell 3") && message.contains("Cell 2"),
        "{across}"
    );

    // Removed from the Organization on Cell 2: gone there, kept on Cell 3; may join again.
    cluster
        .expect(
            "DELETE",
            &format!("/api/v4/organizations/{org2}/users/{id}"),
            None,
            204,
        )
        .await;
    assert_eq!(as_user(cluster, &token, "GET", &group2).await, 404);
    assert_eq!(as_user(cluster, &token, "GET", &group3).await, 200);
    cluster
        .expect(
            "POST",
            &format!("/api/v4/groups/{g2}/members"),
            Some(json!({"user_id": id, "access_level": 30})),
            201,
        )
        .await;
    assert_eq!(as_user(cluster, &token, "GET", &group2).await, 200);

    // Banned from the Organization on Cell 3: nothing of it, all of Cell 2's; then unbanned.
    let ban = format!("/api/v4/organizations/{org3}/users/{id}");
    cluster
        .expect("POST", &format!("{ban}/ban"), None, 201)
        .await;
    assert_eq!(as_user(cluster, &token, "GET", &group3).await, 404);
    assert_eq!(as_user(cluster, &token, "GET", &group2).await, 200);
    cluster
        .expect(
            "POST",
            &format!("/api/v4/groups/{g3}/members"),
            Some(json!({"user_id": id, "access_level": 40})),
            403,
        )
        .await;
    cluster
        .expect("POST", &format!("{ban}/unban"), None, 201)
        .await;
    assert_eq!(as_user(cluster, &token, "GET", &group3).await, 200);

    // Blocked on the Cell that keeps Users: refused on Cells 2 and 3 as soon as they copy it.
    cluster
        .expect("POST", &format!("/api/v4/users/{id}/block"), None, 201)
        .await;
    until(cluster, &token, &group2, 403).await;
    until(cluster, &token, &group3, 403).await;
    cluster
        .expect("POST", &format!("/api/v4/users/{id}/unblock"), None, 201)
        .await;
    until(cluster, &token, &group2, 200).await;
    until(cluster, &token, &group3, 200).await;

    // A Group on Cell 3 that Sasha alone owns: the deletion is refused, and nothing changed.
    let own = cluster
        .expect(
            "POST",
            "/api/v4/groups",
            Some(json!({"name": "mine", "path": "sashas-own", "organization_id": org3})),
            201,
        )
        .await["id"]
        .as_i64()
        .expect("id");
    // Made by the admin, given to Sasha, and left by the admin.
    cluster
        .expect(
            "POST",
            &format!("/api/v4/groups/{own}/members"),
            Some(json!({"user_id": id, "access_level": 50})),
            201,
        )
        .await;
    cluster
        .expect(
            "DELETE",
            &format!("/api/v4/groups/{own}/members/1"),
            None,
            204,
        )
        .await;
    let user_path = format!("/api/v4/users/{id}");
    let refused = cluster.expect("DELETE", &user_path, None, 409).await;
    assert_eq!(
        refused["message"], "User cannot be removed while is the sole-owner of a group",
        "{refused}"
    );
    assert_eq!(
        cluster.expect("GET", &user_path, None, 200).await["state"],
        "active"
    );
    assert_eq!(as_user(cluster, &token, "GET", &group2).await, 200);

    // Deleted with hard_delete: the Group goes, every Cell lets go of Sasha.
    cluster
        .expect(
            "DELETE",
            &format!("{user_path}?hard_delete=true"),
            None,
            204,
        )
        .await;
    cluster.expect("GET", &user_path, None, 404).await;
    cluster
        .expect("GET", &format!("/api/v4/groups/{own}"), None, 404)
        .await;
    until(cluster, &token, &group2, 401).await;
    until(cluster, &token, &group3, 401).await;
    for (group, org) in [(g2, org2), (g3, org3)] {
        let members = cluster
            .expect(
                "GET",
                &format!("/api/v4/groups/{group}/members/all"),
                None,
                200,
            )
            .await;
        assert!(!ids(&members).contains(&id), "{group}: {members}");
        let users = cluster
            .expect(
                "GET",
                &format!("/api/v4/organizations/{org}/users?per_page=100"),
                None,
                200,
            )
            .await;
        assert!(!ids(&users).contains(&id), "{org}: {users}");
    }
    // The name is free again.
    cluster
        .expect(
            "POST",
            "/api/v4/users",
            Some(json!({"username": "sasha", "email": "sasha@example.com", "name": "Sasha", "password": "sasha-password-2"})),
            201,
        )
        .await;
}

cluster_test!(a_user_across_two_cells);
