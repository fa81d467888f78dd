//! An Organization moved between the Cells of a three-Cell cluster (processes, SQLite and
//! PostgreSQL), through the router's admin API: it is copied whole to its new Cell, which then
//! serves it with everything it had, and the old Cell keeps nothing; a move to a Cell that
//! cannot take it fails, leaves the Organization served where it was, and is rolled back.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::cluster::{Cluster, signal};
use serde_json::{Value, json};

/// Follows the move of `org` until it is no longer running: its last state.
async fn settled(cluster: &Cluster, org: i64) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (status, answer) = cluster
            .request(
                "GET",
                &format!("/api/v4/admin/organizations/{org}/move"),
                None,
            )
            .await
            .expect("an answer");
        // A 503: the Cell the router still remembers for it went away a moment ago.
        assert!(matches!(status, 200 | 503), "{status} {answer}");
        if status == 200 && answer["state"] != "running" {
            return answer;
        }
        assert!(
            Instant::now() < deadline,
            "the move is still running: {answer}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// `GET path` on one Cell, directly: its status.
async fn on_cell(cluster: &Cluster, cell: u16, path: &str) -> u16 {
    let address = cluster.part("cell", Some(cell))["address"]
        .as_str()
        .expect("address")
        .to_owned();
    cluster
        .request_to(&address, "GET", path, None)
        .await
        .expect("an answer")
        .0
}

/// Makes Groups (with `parent` naming where) through the router until told to stop: the ids
/// acknowledged, and how many times a write was held (503, retried). Any other answer fails.
async fn keep_writing(
    http: reqwest::Client,
    router: String,
    parent: Value,
    prefix: &'static str,
    stop: Arc<AtomicBool>,
) -> (Vec<i64>, usize) {
    let mut made = Vec::new();
    let mut held = 0;
    for n in 0..5_000 {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let name = format!("{prefix}{n}");
        let mut body = parent.clone();
        body["name"] = json!(name);
        body["path"] = json!(name);
        loop {
            let answer = http
                .post(format!("{router}/api/v4/groups"))
                .header("PRIVATE-TOKEN", common::cluster::ADMIN_TOKEN)
                .json(&body)
                .send()
                .await
                .expect("an answer");
            let status = answer.status().as_u16();
            let text = answer.text().await.unwrap_or_default();
            match status {
                201 => {
                    let group: Value = serde_json::from_str(&text).expect("a Group");
                    made.push(group["id"].as_i64().expect("id"));
                    break;
                }
                503 if held < 500 => {
                    held += 1;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                _ => panic!("write {name}: {status} {text}"),
            }
        }
    }
    (made, held)
}

async fn organizations_move_between_cells(cluster: &Cluster) {
    let org = cluster
        .expect(
            "POST",
            "/api/v4/organizations",
            Some(json!({"name": "Travels", "path": "travels", "cell_id": 1})),
            201,
        )
        .await;
    let org_id = org["id"].as_i64().expect("id");
    let group = cluster
        .expect(
            "POST",
            "/api/v4/groups",
            Some(json!({"name": "trips", "path": "trips", "organization_id": org_id, "visibility": "private"})),
            201,
        )
        .await;
    let sub = cluster
        .expect(
            "POST",
            "/api/v4/groups",
            Some(json!({"name": "europe", "path": "europe", "parent_id": group["id"]})),
            201,
        )
        .await;
    let project = cluster
        .expect(
            "POST",
            "/api/v4/projects",
            Some(json!({"name": "rail", "path": "rail", "namespace_id": sub["id"]})),
            201,
        )
        .await;
    let user = cluster
        .expect(
            "POST",
            "/api/v4/users",
            Some(json!({"username": "traveller", "email": "traveller@example.com", "name": "Traveller", "password": "traveller-pass-1"})),
            201,
        )
        .await;
    cluster
        .expect(
            "POST",
            &format!("/api/v4/groups/{}/members", group["id"]),
            Some(json!({"user_id": user["id"], "access_level": 30})),
            201,
        )
        .await;
    // The member's token, minted before the move, still reads the moved Groups after it.
    let member_token = cluster
        .expect(
            "POST",
            &format!("/api/v4/users/{}/personal_access_tokens", user["id"]),
            Some(json!({"name": "before the move", "scopes": ["read_api"]})),
            201,
        )
        .await;
    let member_token = member_token["token"].as_str().expect("token").to_owned();
    let reads = [
        format!("/api/v4/groups/{}", group["id"]),
        format!("/api/v4/groups/{}/members", group["id"]),
        format!("/api/v4/groups/{}", sub["id"]),
        format!("/api/v4/projects/{}", project["id"]),
    ];
    let before: Vec<(u16, Value)> = {
        let mut read = Vec::new();
        for path in &reads {
            read.push(cluster.request("GET", path, None).await.expect("an answer"));
        }
        read
    };

    // Bad moves: one line per refusal.
    let refused = [
        (org_id, json!({}), 400),
        (org_id, json!({"cell_id": 1}), 400),
        (org_id, json!({"cell_id": 9}), 400),
        (1, json!({"cell_id": 2}), 400),
        (org_id + 999, json!({"cell_id": 2}), 404),
    ];
    for (id, body, status) in refused {
        cluster
            .expect(
                "POST",
                &format!("/api/v4/admin/organizations/{id}/move"),
                Some(body.clone()),
                status,
            )
            .await;
    }

    // To Cell 2, while one client keeps making subgroups in the Organization and another in
    // an Organization that stays.
    let stays = cluster
        .expect(
            "POST",
            "/api/v4/organizations",
            Some(json!({"name": "Stays", "path": "stays", "cell_id": 1})),
            201,
        )
        .await;
    let stop = Arc::new(AtomicBool::new(false));
    let moving_writer = tokio::spawn(keep_writing(
        cluster.http.clone(),
        cluster.router.clone(),
        json!({"parent_id": sub["id"]}),
        "mw",
        stop.clone(),
    ));
    let other_writer = tokio::spawn(keep_writing(
        cluster.http.clone(),
        cluster.router.clone(),
        json!({"organization_id": stays["id"]}),
        "ow",
        stop.clone(),
    ));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = cluster
        .expect(
            "POST",
            &format!("/api/v4/admin/organizations/{org_id}/move"),
            Some(json!({"cell_id": 2})),
            202,
        )
        .await;
    assert_eq!(started["from_cell_id"], 1, "{started}");
    assert_eq!(started["to_cell_id"], 2, "{started}");
    let finished = settled(cluster, org_id).await;
    assert_eq!(finished["state"], "finished", "{finished}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);
    let (made, held) = moving_writer
        .await
        .expect("the moving Organization's writer");
    let (other, other_held) = other_writer.await.expect("the other writer");
    assert!(
        !made.is_empty() && !other.is_empty(),
        "{} and {} writes",
        made.len(),
        other.len()
    );
    assert_eq!(
        other_held, 0,
        "the other Organization's writes were never held"
    );
    // Every acknowledged write is there after the move (some waited out the maintenance).
    for id in made.iter().chain(&other) {
        cluster
            .expect("GET", &format!("/api/v4/groups/{id}"), None, 200)
            .await;
    }
    eprintln!(
        "{} writes to the moving Organization ({held} held by its maintenance), {} to another",
        made.len(),
        other.len()
    );
    // Cell 2 serves it all, as it was; Cell 1 keeps nothing.
    for (path, (status, body)) in reads.iter().zip(&before) {
        let address = cluster.part("cell", Some(2))["address"]
            .as_str()
            .expect("address")
            .to_owned();
        let (now_status, now) = cluster
            .request_to(&address, "GET", path, None)
            .await
            .expect("an answer");
        assert_eq!((now_status, &now), (*status, body), "{path} on Cell 2");
        assert_eq!(on_cell(cluster, 1, path).await, 404, "{path} on Cell 1");
    }
    // Through the router, by path: the topology says Cell 2.
    let moved = cluster
        .expect("GET", "/api/v4/organizations/travels", None, 200)
        .await;
    assert_eq!(moved["cell_id"], 2, "{moved}");
    cluster
        .expect("GET", "/api/v4/groups/trips%2Feurope", None, 200)
        .await;
    let status = cluster
        .http
        .get(format!("{}/api/v4/groups/{}", cluster.router, sub["id"]))
        .header("PRIVATE-TOKEN", &member_token)
        .send()
        .await
        .expect("an answer")
        .status()
        .as_u16();
    assert_eq!(status, 200, "a token minted before the move");
    // What the Cells ask each other is never passed on by the router.
    let internal = cluster
        .http
        .put(format!("{}/-/cells/organizations/{org_id}", cluster.router))
        .bearer_auth("anything")
        .body("{}")
        .send()
        .await
        .expect("an answer");
    assert_eq!(internal.status().as_u16(), 404);
    // Through the router, by id too (the ids of Cell 1's range now classify to Cell 2; the
    // router forgot what it remembered when the switch came): the same answers as before.
    for (path, (status, body)) in reads.iter().zip(&before) {
        let (now_status, now) = cluster.request("GET", path, None).await.expect("an answer");
        assert_eq!(
            (now_status, &now),
            (*status, body),
            "{path} through the router"
        );
    }
    // Writes go on there: a new subgroup, claimed by Cell 2.
    let asia = cluster
        .expect(
            "POST",
            "/api/v4/groups",
            Some(json!({"name": "asia", "path": "asia", "parent_id": group["id"]})),
            201,
        )
        .await;
    assert_eq!(common::cluster::cell_of(&asia["id"]), 2, "{asia}");

    // To a Cell that does not answer: the move fails, the Organization stays on Cell 2 and
    // takes writes again, and the move is rolled back.
    let hung = cluster.pid("cell", Some(3)).await;
    signal(hung, "STOP");
    let address = cluster.part("cell", Some(2))["address"]
        .as_str()
        .expect("address")
        .to_owned();
    cluster
        .expect(
            "POST",
            &format!("/api/v4/admin/organizations/{org_id}/move"),
            Some(json!({"cell_id": 3})),
            202,
        )
        .await;
    // The import waits for Cell 3; let it go once the move is under way, and kill it instead.
    tokio::time::sleep(Duration::from_millis(500)).await;
    signal(hung, "KILL");
    let failed = settled(cluster, org_id).await;
    assert_eq!(failed["state"], "failed", "{failed}");
    assert_eq!(failed["step"], "copying", "{failed}");
    assert!(failed["error"].is_string(), "{failed}");
    let (status, _) = cluster
        .request_to(&address, "GET", "/api/v4/organizations/travels", None)
        .await
        .expect("an answer");
    assert_eq!(status, 200);
    // Cell 3 is back (the cluster restarts it); the copy it may hold is dropped.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (status, body) = cluster
            .request_to(
                &address,
                "POST",
                &format!("/api/v4/admin/organizations/{org_id}/move/rollback"),
                None,
            )
            .await
            .expect("an answer");
        if status == 200 {
            assert_eq!(body["state"], "rolled_back", "{body}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "never rolled back: {status} {body}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    cluster
        .expect(
            "POST",
            "/api/v4/groups",
            Some(json!({"name": "africa", "path": "africa", "parent_id": group["id"]})),
            201,
        )
        .await;
    assert_eq!(
        on_cell(cluster, 3, &format!("/api/v4/groups/{}", group["id"])).await,
        404
    );
    // From the command line, by path, to Cell 3 (back since its kill): followed to the end.
    // (Below, a move whose driving Cell is killed while it cleans goes on once it is back.)
    let cli = std::process::Command::new(env!("CARGO_BIN_EXE_orgcells"))
        .args([
            "org",
            "move",
            "travels",
            "--to",
            "3",
            "--url",
            &cluster.router,
        ])
        .env("ORGCELLS_ADMIN_TOKEN", common::cluster::ADMIN_TOKEN)
        .env_remove("DATABASE_URL")
        .output()
        .expect("orgcells org move");
    let printed = String::from_utf8_lossy(&cli.stdout);
    assert!(
        cli.status.success(),
        "{printed}{}",
        String::from_utf8_lossy(&cli.stderr)
    );
    let last: Value = serde_json::from_str(printed.trim()).expect("the move as JSON");
    assert_eq!(
        (last["state"].as_str(), last["to_cell_id"].as_i64()),
        (Some("finished"), Some(3))
    );
    assert!(String::from_utf8_lossy(&cli.stderr).contains("finished"));
    cluster
        .expect("GET", &format!("/api/v4/groups/{}", group["id"]), None, 200)
        .await;
    assert_eq!(
        on_cell(cluster, 3, &format!("/api/v4/groups/{}", group["id"])).await,
        200
    );
    // Back to Cell 1, and the driving Cell (3) killed while it cleans: restarted, it goes on
    // with the move, and the Organization ends whole on Cell 1 and nowhere else.
    cluster
        .expect(
            "POST",
            &format!("/api/v4/admin/organizations/{org_id}/move"),
            Some(json!({"cell_id": 1})),
            202,
        )
        .await;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let answer = cluster
            .expect(
                "GET",
                &format!("/api/v4/admin/organizations/{org_id}/move"),
                None,
                200,
            )
            .await;
        if answer["step"] == "cleaning" && answer["state"] == "running" {
            break;
        }
        assert_ne!(
            answer["state"], "finished",
            "the cleaning was missed: {answer}"
        );
        assert!(
            Instant::now() < deadline,
            "the move never reached its cleaning: {answer}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let driver = cluster.pid("cell", Some(3)).await;
    signal(driver, "KILL");
    let finished = settled(cluster, org_id).await;
    assert_eq!(finished["state"], "finished", "{finished}");
    assert_eq!(
        on_cell(cluster, 3, &format!("/api/v4/groups/{}", group["id"])).await,
        404
    );
    assert_eq!(
        on_cell(cluster, 1, &format!("/api/v4/groups/{}", group["id"])).await,
        200
    );
    // Only admins.
    let anonymous = cluster
        .http
        .get(format!(
            "{}/api/v4/admin/organizations/{org_id}/move",
            cluster.router
        ))
        .send()
        .await
        .expect("an answer");
    assert_eq!(anonymous.status().as_u16(), 401);
}

cluster_test!(organizations_move_between_cells);
