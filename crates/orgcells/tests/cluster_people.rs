//! A User whose memberships span two Cells of a three-Cell cluster (processes, SQLite and
//! PostgreSQL), driven through the router: removed from one Organization they keep the other;
//! banned from one they see nothing of it and all of the other; blocked on the Cell that keeps
//! Users, their token stops on every Cell; deleted, every Cell lets go of them, and a Cell that
//! refuses (they alone own a Group there) refuses the whole deletion before anything changes.
//! A Group does not move into an Organization on another Cell. Invitations on other Cells
//! than the one that makes Users are taken up there by the User made with the address; a
//! deletion cut short is finished by the Cell that keeps Users.

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

/// Waits (bounded) until the admin's GET of `path` gives what `found` accepts.
async fn until_found(cluster: &Cluster, path: &str, found: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (status, body) = cluster.request("GET", path, None).await.expect("an answer");
        if status == 200 && found(&body) {
            return body;
        }
        assert!(Instant::now() < deadline, "{path}: {status} {body}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Invitations on Cells 2 and 3 to an address no one has yet: the User made (on Cell 1) with
/// it takes up both, each Cell as the User's copy reaches it.
async fn invitations_wait_on_every_cell(cluster: &Cluster) {
    let (g2, _) = organization_on(cluster, 2, "invites-two").await;
    let (g3, _) = organization_on(cluster, 3, "invites-three").await;
    let group3 = cluster
        .expect("GET", &format!("/api/v4/groups/{g3}"), None, 200)
        .await;
    let org3 = group3["organization_id"].as_i64().expect("organization_id");
    let email = "robin@example.com";
    let invited = cluster
        .expect(
            "POST",
            &format!("/api/v4/groups/{g2}/invitations"),
            Some(json!({"email": email, "access_level": 30})),
            201,
        )
        .await;
    assert_eq!(invited, json!({"status": "success"}));
    cluster
        .expect(
            "POST",
            &format!("/api/v4/organizations/{org3}/users"),
            Some(json!({"email": email, "access_level": "owner"})),
            201,
        )
        .await;
    let robin = cluster
        .expect(
            "POST",
            "/api/v4/users",
            Some(json!({"username": "robin", "email": email, "name": "Robin", "password": "robin-password-1"})),
            201,
        )
        .await;
    let id = robin["id"].as_i64().expect("id");
    let member = until_found(
        cluster,
        &format!("/api/v4/groups/{g2}/members/{id}"),
        |_| true,
    )
    .await;
    assert_eq!(member["access_level"], 30, "{member}");
    let users = until_found(
        cluster,
        &format!("/api/v4/organizations/{org3}/users"),
        |list| {
            list.as_array()
                .is_some_and(|rows| rows.iter().any(|row| row["id"] == id))
        },
    )
    .await;
    let row = users
        .as_array()
        .and_then(|rows| rows.iter().find(|row| row["id"] == id))
        .expect("Robin");
    assert_eq!(row["access_level"], "owner", "{row}");
    // Taken up, the invitations are gone.
    let pending = cluster
        .expect(
            "GET",
            &format!("/api/v4/groups/{g2}/invitations"),
            None,
            200,
        )
        .await;
    assert_eq!(pending, json!([]));
    a_deletion_cut_short_is_finished(cluster, id, g2, org3).await;
}

/// A deletion cut short after its block (what a Cell 1 that died, or lost Cells 2 and 3, leaves:
/// the User blocked and the deletion recorded) is finished by Cell 1 on its own.
async fn a_deletion_cut_short_is_finished(cluster: &Cluster, id: i64, g2: i64, org3: i64) {
    cluster
        .expect("POST", &format!("/api/v4/users/{id}/block"), None, 201)
        .await;
    let database = cluster.part("cell", Some(1))["database"]
        .as_str()
        .expect("Cell 1's database")
        .to_owned();
    let url = if database.contains("://") {
        database
    } else {
        format!("sqlite://{database}")
    };
    sqlx::any::install_default_drivers();
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&url)
        .await
        .expect("Cell 1's database");
    sqlx::query("INSERT INTO user_deletions (user_id, hard_delete, started_at) VALUES ($1, 0, 0)")
        .bind(id)
        .execute(&mut conn)
        .await
        .expect("the deletion recorded");
    sqlx::Connection::close(conn).await.expect("closed");
    let user_path = format!("/api/v4/users/{id}");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (status, _) = cluster
            .request("GET", &user_path, None)
            .await
            .expect("an answer");
        if status == 404 {
            break;
        }
        assert!(Instant::now() < deadline, "the deletion was not finished");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let members = cluster
        .expect(
            "GET",
            &format!("/api/v4/groups/{g2}/members/all"),
            None,
            200,
        )
        .await;
    assert!(!ids(&members).contains(&id), "{members}");
    let users = cluster
        .expect(
            "GET",
            &format!("/api/v4/organizations/{org3}/users?per_page=100"),
            None,
            200,
        )
        .await;
    assert!(!ids(&users).contains(&id), "{users}");
}

async fn a_user_across_two_cells(cluster: &Cluster) {
    invitations_wait_on_every_cell(cluster).await;
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

    // Active on Cells 2 and 3 only: the Cell that keeps Users asks them, and does not
    // deactivate a User active in the past 90 days.
    let refused = cluster
        .expect("POST", &format!("/api/v4/users/{id}/deactivate"), None, 403)
        .await;
    assert!(
        refused["message"]
            .as_str()
            .is_some_and(|m| m.contains("active in the past 90 days")),
        "{refused}"
    );

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
