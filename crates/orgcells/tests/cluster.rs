//! `orgcells cluster` as processes: a topology service, three Cells (each on its own SQLite file,
//! or its own PostgreSQL database) and a router, driven only through the router. Every request
//! lands on the Cell that owns it, paths stay unique across Cells under concurrent creation, and
//! parts that hang or die take only their own Organizations down, for a bounded time.

mod common;

use std::time::{Duration, Instant};

use common::cluster::{
    ADMIN_TOKEN, Cluster, READY_WITHIN, UPSTREAM_TIMEOUT, as_user, cell_of, organization_on, signal,
};
use serde_json::{Value, json};

async fn every_request_lands_on_its_cell(cluster: &Cluster) {
    let mut groups = Vec::new();
    for cell in 1..=3_u16 {
        groups.push((
            cell,
            organization_on(cluster, cell, &format!("org-{cell}")).await,
        ));
    }
    for (cell, (id, path)) in &groups {
        // Through the router, by id and by path: one line per way a request names its owner.
        for request in [
            format!("/api/v4/groups/{id}"),
            format!("/api/v4/groups/{path}"),
            format!("/api/v4/projects/{path}%2Fapi"),
            format!("/api/v4/namespaces/{path}"),
            format!("/api/v4/organizations/org-{cell}"),
        ] {
            cluster.expect("GET", &request, None, 200).await;
        }
        // Each Cell holds its own and only its own.
        for other in 1..=3_u16 {
            let address = cluster.part("cell", Some(other))["address"]
                .as_str()
                .expect("address")
                .to_owned();
            let (status, _) = cluster
                .request_to(&address, "GET", &format!("/api/v4/groups/{id}"), None)
                .await
                .expect("asking a Cell directly");
            assert_eq!(
                status,
                if other == *cell { 200 } else { 404 },
                "group {id} on cell {other}"
            );
        }
    }
    // A new Organization without a Cell goes to the least loaded: each Cell holds one of the
    // above, and Cell 1 the Default Organization too.
    let placed = cluster
        .expect(
            "POST",
            "/api/v4/organizations",
            Some(json!({"name": "placed", "path": "placed"})),
            201,
        )
        .await;
    assert_eq!(placed["cell_id"], 2, "{placed}");
    let cells = cluster
        .expect("GET", "/api/v4/admin/cells", None, 200)
        .await;
    let counts: Vec<(u64, bool, u64)> = cells
        .as_array()
        .expect("cells")
        .iter()
        .map(|c| {
            (
                c["id"].as_u64().expect("id"),
                c["healthy"].as_bool().expect("healthy"),
                c["organizations_count"].as_u64().expect("count"),
            )
        })
        .collect();
    assert_eq!(
        counts,
        [(1, true, 2), (2, true, 2), (3, true, 1)],
        "{cells}"
    );
}

async fn paths_stay_unique_across_cells(cluster: &Cluster) {
    let mut orgs = Vec::new();
    for cell in 1..=3_u16 {
        let path = format!("race-{cell}");
        let org = cluster
            .expect(
                "POST",
                "/api/v4/organizations",
                Some(json!({"name": path, "path": path, "cell_id": cell})),
                201,
            )
            .await;
        orgs.push(org["id"].clone());
    }
    for round in 0..10 {
        let path = format!("contested-{round}");
        let attempts: Vec<_> = orgs
            .iter()
            .map(|org| {
                let http = cluster.http.clone();
                let url = format!("{}/api/v4/groups", cluster.router);
                let body = json!({"name": path, "path": path, "organization_id": org});
                tokio::spawn(async move { post(&http, &url, &body).await })
            })
            .collect();
        let mut answers = Vec::new();
        for attempt in attempts {
            answers.push(attempt.await.expect("the attempt ran"));
        }
        let won: Vec<&(u16, Value)> = answers.iter().filter(|(s, _)| *s == 201).collect();
        assert_eq!(won.len(), 1, "round {round}: {answers:?}");
        for (status, body) in answers.iter().filter(|(s, _)| *s != 201) {
            assert_eq!(*status, 400, "round {round}: {body}");
            assert_eq!(
                body["message"]["path"][0], "has already been taken",
                "{body}"
            );
        }
        // The router finds the one that won, on its Cell.
        let found = cluster
            .expect("GET", &format!("/api/v4/groups/{path}"), None, 200)
            .await;
        assert_eq!(found["id"], won[0].1["id"]);
    }
    organization_paths_lead_on(cluster, &orgs).await;
}

/// A renamed Organization's old path still leads to it through the router, on its own Cell,
/// until another Organization takes the path (on another Cell: the path then leads there, and
/// after that one leaves it too, to that one).
async fn organization_paths_lead_on(cluster: &Cluster, orgs: &[Value]) {
    let rename = |org: &Value, path: &str| {
        let path = path.to_owned();
        let url = format!("/api/v4/organizations/{org}");
        async move {
            cluster
                .expect("PUT", &url, Some(json!({"path": path})), 200)
                .await
        }
    };
    // On Cell 2: the old path leads on, and back again.
    rename(&orgs[1], "race-2-renamed").await;
    let found = cluster
        .expect("GET", "/api/v4/organizations/race-2", None, 200)
        .await;
    assert_eq!(
        (&found["id"], &found["path"]),
        (&orgs[1], &json!("race-2-renamed"))
    );
    rename(&orgs[1], "race-2").await;
    for path in ["race-2", "race-2-renamed"] {
        let found = cluster
            .expect("GET", &format!("/api/v4/organizations/{path}"), None, 200)
            .await;
        assert_eq!((&found["id"], &found["path"]), (&orgs[1], &json!("race-2")));
    }
    // On Cell 1, taken again by an Organization on Cell 3: the path leads to the new one.
    rename(&orgs[0], "race-1-renamed").await;
    let taker = cluster
        .expect(
            "POST",
            "/api/v4/organizations",
            Some(json!({"name": "race-1", "path": "race-1", "cell_id": 3})),
            201,
        )
        .await;
    let found = cluster
        .expect("GET", "/api/v4/organizations/race-1", None, 200)
        .await;
    assert_eq!(found["id"], taker["id"]);
    // A path left on Cell 3, taken on Cell 2 and left again: it leads to its last holder, not
    // to the first (whose Cell dropped its redirect when the path was taken).
    rename(&orgs[2], "race-3-first").await;
    let second = cluster
        .expect(
            "POST",
            "/api/v4/organizations",
            Some(json!({"name": "race-3", "path": "race-3", "cell_id": 2})),
            201,
        )
        .await;
    rename(&second["id"], "race-3-second").await;
    let found = cluster
        .expect("GET", "/api/v4/organizations/race-3", None, 200)
        .await;
    assert_eq!(found["id"], second["id"], "{found}");
}

/// `POST url` with `body` as the admin: the status and the answer.
async fn post(http: &reqwest::Client, url: &str, body: &Value) -> (u16, Value) {
    let answer = http
        .post(url)
        .header("PRIVATE-TOKEN", ADMIN_TOKEN)
        .json(body)
        .send()
        .await
        .expect("an answer");
    let status = answer.status().as_u16();
    (status, answer.json().await.unwrap_or(Value::Null))
}

/// How long a request may take when its Cell is away: the upstream timeout and a margin.
fn bounded() -> Duration {
    UPSTREAM_TIMEOUT + Duration::from_secs(3)
}

async fn timed(cluster: &Cluster, path: &str) -> (u16, Duration) {
    let started = Instant::now();
    let (status, _) = cluster.request("GET", path, None).await.expect("an answer");
    (status, started.elapsed())
}

/// Waits (bounded) until `path` answers `status` through the router.
async fn until(cluster: &Cluster, path: &str, status: u16) {
    let deadline = Instant::now() + READY_WITHIN;
    loop {
        if let Ok((got, _)) = cluster.request("GET", path, None).await
            && got == status
        {
            return;
        }
        assert!(Instant::now() < deadline, "{path} never answered {status}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn parts_that_hang_or_die(cluster: &Cluster) {
    let mut groups = Vec::new();
    for cell in 1..=3_u16 {
        groups.push(
            organization_on(cluster, cell, &format!("fault-{cell}"))
                .await
                .1,
        );
    }
    let path = |cell: usize| format!("/api/v4/groups/{}", groups[cell - 1]);

    // A hung Cell (SIGSTOP): its Organizations answer 504 within the timeout; the others 200.
    let pid = cluster.pid("cell", Some(2)).await;
    signal(pid, "STOP");
    let (status, took) = timed(cluster, &path(2)).await;
    assert_eq!(status, 504);
    assert!(took < bounded(), "took {took:?}");
    for other in [1, 3] {
        assert_eq!(timed(cluster, &path(other)).await.0, 200);
    }
    signal(pid, "CONT");
    until(cluster, &path(2), 200).await;

    // A killed Cell: 503 at once while it is away; the cluster starts it again, with
    // everything it acknowledged.
    let pid = cluster.pid("cell", Some(3)).await;
    signal(pid, "KILL");
    let (status, took) = timed(cluster, &path(3)).await;
    assert!(matches!(status, 503 | 200), "{status}");
    assert!(took < bounded(), "took {took:?}");
    assert_eq!(timed(cluster, &path(1)).await.0, 200);
    until(cluster, &path(3), 200).await;
    assert!(cluster.part("cell", Some(3))["restarts"].as_u64() >= Some(1));
    cluster
        .expect(
            "GET",
            &format!("{}%2Fapi", path(3).replace("groups", "projects")),
            None,
            200,
        )
        .await;

    // A hung topology service: routing goes on from what the router remembers; a write that
    // needs a claim is refused with a 503 and leaves nothing behind.
    let org = cluster
        .expect("GET", "/api/v4/organizations/fault-1", None, 200)
        .await;
    let pid = cluster.pid("topology", None).await;
    signal(pid, "STOP");
    for cell in 1..=3 {
        let (status, took) = timed(cluster, &path(cell)).await;
        assert_eq!(status, 200, "cell {cell}");
        assert!(took < bounded(), "took {took:?}");
    }
    let started = Instant::now();
    let (status, body) = cluster
        .request(
            "POST",
            "/api/v4/groups",
            Some(json!({"name": "orphan", "path": "orphan", "organization_id": org["id"]})),
        )
        .await
        .expect("an answer");
    assert_eq!(status, 503, "{body}");
    assert!(started.elapsed() < bounded() + UPSTREAM_TIMEOUT);
    signal(pid, "CONT");
    cluster
        .expect("GET", "/api/v4/groups/orphan", None, 404)
        .await;
    // The lease the refused write began, if the topology took it at all, is rolled back by the
    // Cell's reconciler once stale (2 s here): then the path is free.
    let deadline = Instant::now() + READY_WITHIN;
    loop {
        let (status, body) = cluster
            .request(
                "POST",
                "/api/v4/groups",
                Some(json!({"name": "orphan", "path": "orphan", "organization_id": org["id"]})),
            )
            .await
            .expect("an answer");
        if status == 201 {
            break;
        }
        assert_eq!(status, 400, "{body}");
        assert!(
            Instant::now() < deadline,
            "the refused write's lease was never rolled back"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Waits (bounded by `within`) until `token` gets `status` for `GET path`: how long it took.
async fn until_status(
    cluster: &Cluster,
    token: &str,
    path: &str,
    status: u16,
    within: Duration,
) -> Duration {
    let started = Instant::now();
    loop {
        if as_user(cluster, token, "GET", path).await == status {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < within,
            "{path} did not answer {status} within {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn users_are_shared_across_cells(cluster: &Cluster) {
    // Sasha is made on the first Cell (a request that names no Organization goes there).
    let sasha = cluster
        .expect(
            "POST",
            "/api/v4/users",
            Some(json!({"username": "sasha", "email": "sasha@example.com", "name": "Sasha", "password": "sasha-password-1"})),
            201,
        )
        .await;
    assert_eq!(cell_of(&sasha["id"]), 1, "{sasha}");
    let token = cluster
        .expect(
            "POST",
            &format!("/api/v4/users/{}/personal_access_tokens", sasha["id"]),
            Some(json!({"name": "laptop", "scopes": ["api"]})),
            201,
        )
        .await;
    let secret = token["token"].as_str().expect("token").to_owned();
    // A routable token: it names the Cell that holds the cluster's tokens and Sasha's home
    // Organization, so a request that names no owner goes there without asking anyone.
    assert_eq!(
        orgcells_core::routable_token::decode(&secret, orgcells_core::routing::TOKEN_PREFIX),
        Some(orgcells_core::routable_token::Routing {
            cell: orgcells_core::ids::CellId(1),
            organization: orgcells_core::ids::OrganizationId::DEFAULT,
        }),
        "{secret}"
    );
    // An Organization on Cell 2: Sasha, made a moment ago on the first Cell, joins at once (a
    // Cell that does not know a User named to it catches up with the cluster's Users first),
    // and her token works there at once too.
    let (group, _) = organization_on(cluster, 2, "shared").await;
    cluster
        .expect(
            "POST",
            &format!("/api/v4/groups/{group}/members"),
            Some(json!({"user_id": sasha["id"], "access_level": 30})),
            201,
        )
        .await;
    let path = format!("/api/v4/groups/{group}");
    assert_eq!(as_user(cluster, &secret, "GET", &path).await, 200);
    // The same for a User and token made just now, named by username, and used straight away.
    let lee = cluster
        .expect(
            "POST",
            "/api/v4/users",
            Some(json!({"username": "lee", "email": "lee@example.com", "name": "Lee", "password": "lee-password-123"})),
            201,
        )
        .await;
    let lee_token = cluster
        .expect(
            "POST",
            &format!("/api/v4/users/{}/personal_access_tokens", lee["id"]),
            Some(json!({"name": "cli", "scopes": ["api"]})),
            201,
        )
        .await;
    let lee_token = lee_token["token"].as_str().expect("token").to_owned();
    // Known on Cell 2 (not a 401), and not yet a member of its private Group (a 404).
    assert_eq!(as_user(cluster, &lee_token, "GET", &path).await, 404);
    cluster
        .expect(
            "POST",
            &format!("/api/v4/groups/{group}/members"),
            Some(json!({"username": "lee", "access_level": 10})),
            201,
        )
        .await;
    assert_eq!(as_user(cluster, &lee_token, "GET", &path).await, 200);
    // A token no one made stays refused (and costs the topology one catch-up at most).
    assert_eq!(
        as_user(cluster, "glpat-made-up-token-000000001", "GET", &path).await,
        401
    );
    // Users are written on the first Cell only: a write reaching another is refused.
    let cell_2 = cluster.part("cell", Some(2))["address"]
        .as_str()
        .expect("address")
        .to_owned();
    let (status, body) = cluster
        .request_to(
            &cell_2,
            "POST",
            "/api/v4/users",
            Some(json!({"username": "stray", "email": "stray@example.com", "name": "Stray", "password": "stray-password-1"})),
        )
        .await
        .expect("an answer");
    assert_eq!(status, 409, "{body}");
    // With the topology hung, Cell 2 still authenticates Sasha from its copy.
    let topology = cluster.pid("topology", None).await;
    signal(topology, "STOP");
    assert_eq!(as_user(cluster, &secret, "GET", &path).await, 200);
    signal(topology, "CONT");
    // Revoked on the first Cell: refused on Cell 2 within a second.
    cluster
        .expect(
            "DELETE",
            &format!("/api/v4/personal_access_tokens/{}", token["id"]),
            None,
            204,
        )
        .await;
    let took = until_status(cluster, &secret, &path, 401, Duration::from_secs(5)).await;
    assert!(
        took < Duration::from_secs(1),
        "the revocation took {took:?} to reach Cell 2"
    );
}

cluster_test!(
    every_request_lands_on_its_cell,
    users_are_shared_across_cells,
    paths_stay_unique_across_cells,
    parts_that_hang_or_die,
);
