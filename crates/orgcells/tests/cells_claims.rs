//! Cells of one cluster take their claims in the topology service, lease first: a username,
//! email or path one Cell holds is refused on another, with the answer a local duplicate gets
//! and nothing written; released values are free again everywhere; no lease is left behind;
//! with the topology down, a write that needs a claim answers 503 and writes nothing, and the
//! others go on. Each Cell on SQLite, then on PostgreSQL; the topology on SQLite.

mod common;

use common::TestApp;
use orgcells::topology::{RunningTopology, TopologyConfig, parse_cell};
use orgcells_core::ids::CellId;
use orgcells_topology::ClusterSecret;
use serde_json::json;

const SECRET: &str = "cells-claims-secret-000001";
/// Short, so the reconciler runs within the test (every 2 s); long beside any write's lease.
const STALE_AFTER: std::time::Duration = std::time::Duration::from_secs(2);

/// A topology service and two Cells that claim through it.
struct Cluster {
    topology: Option<RunningTopology>,
    topology_url: String,
    topology_dir: std::path::PathBuf,
    one: TestApp,
    two: TestApp,
    /// An Organization on Cell 2 (the Default Organization lives on Cell 1 alone).
    two_org: i64,
}

impl Cluster {
    async fn start(postgres: bool) -> Option<Cluster> {
        let topology_dir = std::env::temp_dir().join(common::unique("orgcells-cluster-topology"));
        std::fs::create_dir_all(&topology_dir).expect("dir");
        let topology = orgcells::topology::start(&TopologyConfig {
            listen: "127.0.0.1:0".parse().expect("address"),
            database_url: format!(
                "sqlite://{}?mode=rwc",
                topology_dir.join("topology.db").display()
            ),
            cells: vec![
                parse_cell("1,cell-1,http://127.0.0.1:1,cell1").expect("cell"),
                parse_cell("2,cell-2,http://127.0.0.1:2,cell2").expect("cell"),
            ],
            secret: ClusterSecret::new(SECRET).expect("secret"),
        })
        .await
        .expect("topology");
        let url = format!("http://{}", topology.addr);
        let in_cluster = |cell: u16| {
            let url = url.clone();
            move |config: &mut orgcells::Config| {
                config.cell = CellId(cell);
                config.topology_url = Some(url);
                config.cluster_secret = Some(SECRET.into());
                config.lease_stale_after = STALE_AFTER;
            }
        };
        let one = if postgres {
            TestApp::postgres_with(in_cluster(1)).await?
        } else {
            TestApp::sqlite_with(in_cluster(1)).await
        };
        let two = one.another(in_cluster(2)).await;
        let two_org = two
            .post(
                two.admin(),
                "/organizations",
                json!({"name": "Two", "path": "cell-two"}),
            )
            .await
            .expect(201)
            .id();
        Some(Cluster {
            topology: Some(topology),
            topology_url: url,
            topology_dir,
            one,
            two,
            two_org,
        })
    }

    async fn finish(mut self) {
        self.one.finish().await;
        self.two.finish().await;
        if let Some(topology) = self.topology.take() {
            topology.stop().await.expect("stop");
        }
        let _ = std::fs::remove_dir_all(&self.topology_dir);
    }
}

macro_rules! on_both {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let cluster = super::Cluster::start(false).await.expect("cluster");
                let cluster = super::$name(cluster).await;
                cluster.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(cluster) = super::Cluster::start(true).await {
                    let cluster = super::$name(cluster).await;
                    cluster.finish().await;
                }
            }
        }
    )*};
}

fn new_user(username: &str, email: &str) -> serde_json::Value {
    json!({"username": username, "email": email, "name": username, "force_random_password": true})
}

/// How many Users `username` finds on a Cell (as admin).
async fn users_named(app: &TestApp, username: &str) -> usize {
    app.get(app.admin(), &format!("/users?username={username}"))
        .await
        .expect(200)
        .body
        .as_array()
        .expect("a list")
        .len()
}

async fn values_are_unique_across_cells(cluster: Cluster) -> Cluster {
    let (one, two) = (&cluster.one, &cluster.two);
    let sasha = one
        .post(
            one.admin(),
            "/users",
            new_user("sasha", "sasha@example.com"),
        )
        .await
        .expect(201);
    // Users are written on the first Cell alone: another Cell refuses, and writes nothing.
    for body in [
        new_user("Sasha", "other@example.com"),
        new_user("sasha2", "SASHA@example.com"),
    ] {
        let refused = two.post(two.admin(), "/users", body).await.expect(409);
        assert_eq!(
            refused.body["message"],
            "Users and their tokens are changed on Cell 1; this request reached Cell 2"
        );
    }
    assert_eq!(users_named(two, "sasha2").await, 0);
    assert_eq!(users_named(one, "sasha2").await, 0);
    // A username is a top-level route: a Group cannot take it on another Cell either.
    let taken = two
        .post(
            two.admin(),
            "/groups",
            json!({"name": "Sasha", "path": "sasha", "organization_id": cluster.two_org}),
        )
        .await
        .expect(400);
    assert_eq!(
        taken.body,
        json!({"message": {"path": ["has already been taken"]}})
    );
    // A Group path held on Cell 2 is refused on Cell 1.
    let acme = two
        .post(
            two.admin(),
            "/groups",
            json!({"name": "Acme", "path": "acme", "organization_id": cluster.two_org}),
        )
        .await
        .expect(201);
    let taken = one
        .post(
            one.admin(),
            "/groups",
            json!({"name": "Acme", "path": "ACME"}),
        )
        .await
        .expect(400);
    assert_eq!(
        taken.body,
        json!({"message": {"path": ["has already been taken"]}})
    );
    // Released values are free again, on every Cell: a renamed Group's old path, a renamed
    // User's old username and email. (Deleting a User asks every Cell, and Cell 2 is not
    // reachable at its registered address here: tests/cluster_people.rs deletes one.)
    two.put(
        two.admin(),
        &format!("/groups/{}", acme.id()),
        json!({"path": "acme-inc"}),
    )
    .await
    .expect(200);
    one.post(
        one.admin(),
        "/groups",
        json!({"name": "Acme", "path": "acme"}),
    )
    .await
    .expect(201);
    one.put(
        one.admin(),
        &format!("/users/{}", sasha.id()),
        json!({"username": "sasha-renamed", "email": "sasha-renamed@example.com"}),
    )
    .await
    .expect(200);
    let again = one
        .post(
            one.admin(),
            "/users",
            new_user("sasha", "sasha@example.com"),
        )
        .await
        .expect(201);
    // Cell 2's copy follows: the old Sasha renamed, the new one there.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let found = two
            .get(two.admin(), "/users?username=sasha")
            .await
            .expect(200);
        let ids: Vec<i64> = found
            .body
            .as_array()
            .expect("a list")
            .iter()
            .filter_map(|u| u["id"].as_i64())
            .collect();
        if ids == [again.id()] {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "Cell 2 still has {ids:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    cluster
}

async fn no_lease_is_left_behind(cluster: Cluster) -> Cluster {
    let (one, two) = (&cluster.one, &cluster.two);
    for n in 0..5 {
        let (app, org) = if n % 2 == 0 {
            (one, 1)
        } else {
            (two, cluster.two_org)
        };
        app.post(
            app.admin(),
            "/groups",
            json!({"name": "G", "path": format!("lease-{n}"), "organization_id": org}),
        )
        .await
        .expect(201);
    }
    // Every lease is committed in the topology by the time the write answers.
    for cell in [1, 2] {
        let client = orgcells_topology::TopologyClient::new(
            &cluster.topology_url,
            ClusterSecret::new(SECRET).expect("secret"),
            CellId(cell),
            std::time::Duration::from_secs(5),
        )
        .expect("client");
        assert_eq!(
            client.leases().await.expect("leases"),
            vec![],
            "cell {cell}"
        );
    }
    // The Cells' notes of them are forgotten by the next reconciliation (every 2 s here).
    let mut forgotten = false;
    for _ in 0..100 {
        let mut left = 0;
        for app in [one, two] {
            let mut conn = app.db().read().await.expect("a connection");
            left += orgcells_store::leases::all(&mut conn, 100)
                .await
                .expect("notes")
                .len();
        }
        if left == 0 {
            forgotten = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        forgotten,
        "within 10 s the notes of committed leases are forgotten"
    );
    cluster
}

async fn topology_down_refuses_claims_only(mut cluster: Cluster) -> Cluster {
    let group = cluster
        .one
        .post(
            cluster.one.admin(),
            "/groups",
            json!({"name": "Before", "path": "before"}),
        )
        .await
        .expect(201);
    if let Some(topology) = cluster.topology.take() {
        topology.stop().await.expect("stop");
    }
    let one = &cluster.one;
    let refused = one
        .post(
            one.admin(),
            "/groups",
            json!({"name": "After", "path": "after"}),
        )
        .await
        .expect(503);
    let message = refused.body["message"].as_str().unwrap_or_default();
    assert!(message.contains("topology"), "{}", refused.body);
    assert!(refused.header("retry-after").is_some());
    let found = one
        .get(one.admin(), "/groups?search=after")
        .await
        .expect(200);
    assert_eq!(found.body, json!([]), "nothing was written");
    // A write that claims nothing, and every read, go on.
    one.put(
        one.admin(),
        &format!("/groups/{}", group.id()),
        json!({"description": "still here"}),
    )
    .await
    .expect(200);
    one.get(one.admin(), &format!("/groups/{}", group.id()))
        .await
        .expect(200);
    cluster
}

/// The claim on a username in the topology: its status, if any.
async fn username_status(url: &str, value: &str) -> Option<i32> {
    use orgcells_topology::proto;
    let channel = tonic::transport::Channel::from_shared(url.to_owned())
        .expect("uri")
        .connect()
        .await
        .expect("connect");
    let secret = ClusterSecret::new(SECRET).expect("secret");
    let mut claims = proto::claim_service_client::ClaimServiceClient::with_interceptor(
        channel,
        orgcells_topology::PresentSecret::new(secret),
    );
    let request = proto::GetRecordRequest {
        bucket: Some(proto::Bucket {
            r#type: proto::bucket::Type::Usernames.into(),
            value: value.into(),
        }),
    };
    match claims.get_record(request).await {
        Ok(found) => found.into_inner().record.map(|r| r.status),
        Err(status) if status.code() == tonic::Code::NotFound => None,
        Err(status) => panic!("get record: {status}"),
    }
}

/// A Cell that crashed mid-claim leaves a lease; its reconciler commits the one its committed
/// write noted and rolls back, once stale, the one no write noted.
async fn crashed_leases_are_reconciled(cluster: Cluster) -> Cluster {
    use orgcells_store::claims::{Bucket, ClaimOp};
    let client = orgcells_topology::TopologyClient::new(
        &cluster.topology_url,
        ClusterSecret::new(SECRET).expect("secret"),
        CellId(1),
        std::time::Duration::from_secs(5),
    )
    .expect("client");
    let op = |value: &str| ClaimOp {
        create: true,
        bucket: Bucket::Username,
        value: value.into(),
        owner_kind: "user".into(),
        owner_id: 4242,
    };
    // Crashed after its write committed (the lease noted), before committing the lease.
    let noted = client
        .begin(&[op("after-commit")], &[])
        .await
        .expect("lease");
    let mut tx = cluster.one.db().write().await.expect("tx");
    orgcells_store::leases::insert(tx.conn(), &noted, 0)
        .await
        .expect("note");
    tx.commit().await.expect("commit");
    // Crashed before its write committed: nothing noted it.
    client
        .begin(&[op("before-commit")], &[])
        .await
        .expect("lease");
    let active = orgcells_topology::proto::record::Status::Active as i32;
    let creating = orgcells_topology::proto::record::Status::LeaseCreating as i32;
    assert_eq!(
        username_status(&cluster.topology_url, "before-commit").await,
        Some(creating)
    );
    let mut reconciled = false;
    for _ in 0..100 {
        let after = username_status(&cluster.topology_url, "after-commit").await;
        let before = username_status(&cluster.topology_url, "before-commit").await;
        let notes = {
            let mut conn = cluster.one.db().read().await.expect("conn");
            orgcells_store::leases::all(&mut conn, 10)
                .await
                .expect("notes")
        };
        if after == Some(active) && before.is_none() && notes.is_empty() {
            reconciled = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        reconciled,
        "within 10 s the noted lease is committed, the other rolled back"
    );
    // The rolled-back value is free for anyone.
    cluster
        .one
        .post(
            cluster.one.admin(),
            "/users",
            new_user("before-commit", "bc@example.com"),
        )
        .await
        .expect(201);
    cluster
}

on_both!(
    crashed_leases_are_reconciled,
    values_are_unique_across_cells,
    no_lease_is_left_behind,
    topology_down_refuses_claims_only,
);
