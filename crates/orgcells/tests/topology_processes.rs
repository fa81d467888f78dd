//! `orgcells topology` as processes: it refuses to start without a cluster secret, and two
//! topology processes over one database (a SQLite file, or a PostgreSQL database) race for the
//! same values through gRPC with exactly one Cell winning each.

mod common;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use orgcells_topology::proto::bucket::Type as Bucket;
use orgcells_topology::proto::claim_service_client::ClaimServiceClient;
use orgcells_topology::proto::source::Type as Source;
use orgcells_topology::proto::subject::Type as Subject;
use orgcells_topology::proto::{self};
use orgcells_topology::{ClusterSecret, PresentSecret};
use tonic::Code;
use tonic::transport::Channel;

const SECRET: &str = "topology-process-secret-0001";
const STARTS_WITHIN: Duration = Duration::from_secs(30);

/// A child process, killed and reaped when dropped.
struct Part(Child);

impl Drop for Part {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn topology_command(database_url: &str, data_dir: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_orgcells"));
    command
        .args([
            "--log-format",
            "json",
            "topology",
            "--listen",
            "127.0.0.1:0",
        ])
        .args(["--topology-database-url", database_url])
        .args(["--cell", "1,cell-1,http://127.0.0.1:1,cell1"])
        .args(["--cell", "2,cell-2,http://127.0.0.1:2,cell2"])
        .env("ORGCELLS_DATA_DIR", data_dir)
        .env_remove("ORGCELLS_CLUSTER_SECRET")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    command
}

/// Starts `orgcells topology` and waits (bounded) for the address it serves on.
fn start(database_url: &str, data_dir: &std::path::Path) -> (Part, SocketAddr) {
    let mut child = topology_command(database_url, data_dir)
        .env("ORGCELLS_CLUSTER_SECRET", SECRET)
        .spawn()
        .expect("spawn orgcells topology");
    let stderr = child.stderr.take().expect("stderr");
    let part = Part(child);
    let (found, addr) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(rest) = line.split("\"addr\":\"").nth(1)
                && let Some(addr) = rest.split('"').next().and_then(|a| a.parse().ok())
            {
                let _ = found.send(addr);
            }
        }
    });
    let addr: SocketAddr = addr
        .recv_timeout(STARTS_WITHIN)
        .expect("orgcells topology says where it serves");
    (part, addr)
}

async fn claims(
    addr: SocketAddr,
) -> ClaimServiceClient<tonic::service::interceptor::InterceptedService<Channel, PresentSecret>> {
    let deadline = Instant::now() + STARTS_WITHIN;
    let channel = loop {
        match Channel::from_shared(format!("http://{addr}"))
            .expect("uri")
            .connect()
            .await
        {
            Ok(channel) => break channel,
            Err(error) if Instant::now() < deadline => {
                let _ = error;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(error) => panic!("connecting to {addr}: {error}"),
        }
    };
    let secret = ClusterSecret::new(SECRET).expect("secret");
    ClaimServiceClient::with_interceptor(channel, PresentSecret::new(secret))
}

fn username(value: &str, cell: i64) -> proto::Metadata {
    proto::Metadata {
        bucket: Some(proto::Bucket {
            r#type: Bucket::Usernames.into(),
            value: value.into(),
        }),
        subject: Some(proto::Subject {
            r#type: Subject::User.into(),
            id: cell,
        }),
        source: Some(proto::Source {
            r#type: Source::TableUsers.into(),
            id: cell,
        }),
    }
}

async fn race(database_url: &str) {
    let dir = std::env::temp_dir().join(common::unique("orgcells-topology-proc"));
    std::fs::create_dir_all(&dir).expect("data dir");
    let (first, first_addr) = start(database_url, &dir);
    let (second, second_addr) = start(database_url, &dir);
    let one = claims(first_addr).await;
    let two = claims(second_addr).await;
    for n in 0..20 {
        let value = format!("raced-{n}");
        let barrier = Arc::new(tokio::sync::Barrier::new(2));
        let racers = [(one.clone(), 1_i64), (two.clone(), 2_i64)].map(|(mut client, cell)| {
            let (barrier, value) = (barrier.clone(), value.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                let begun = client
                    .begin_update(proto::BeginUpdateRequest {
                        create_records: vec![username(&value, cell)],
                        destroy_records: vec![],
                        cell_id: cell,
                        rows: vec![],
                    })
                    .await;
                match begun {
                    Ok(lease) => {
                        client
                            .commit_update(proto::CommitUpdateRequest {
                                cell_id: cell,
                                lease_uuid: lease.into_inner().lease_uuid,
                            })
                            .await
                            .expect("commit");
                        Ok(cell)
                    }
                    Err(status) => Err(status.code()),
                }
            })
        });
        let mut winners = Vec::new();
        for racer in racers {
            match racer.await.expect("racer") {
                Ok(cell) => winners.push(cell),
                Err(code) => assert!(
                    matches!(code, Code::AlreadyExists | Code::FailedPrecondition),
                    "the loser is told the value is taken, not {code:?}"
                ),
            }
        }
        assert_eq!(
            winners.len(),
            1,
            "round {n}: exactly one wins, not {winners:?}"
        );
        let held = one
            .clone()
            .get_record(proto::GetRecordRequest {
                bucket: Some(proto::Bucket {
                    r#type: Bucket::Usernames.into(),
                    value: value.clone(),
                }),
            })
            .await
            .expect("record")
            .into_inner()
            .record
            .expect("a record");
        assert_eq!(held.cell_id, winners[0]);
    }
    drop((first, second));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_race_on_sqlite() {
    let dir = std::env::temp_dir().join(common::unique("orgcells-topology-file"));
    std::fs::create_dir_all(&dir).expect("dir");
    let url = format!("sqlite://{}?mode=rwc", dir.join("topology.db").display());
    race(&url).await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_race_on_postgres() {
    let Some((url, name)) = common::fresh_postgres_database().await else {
        return;
    };
    race(&url).await;
    common::drop_postgres_database(&name).await;
}

#[test]
fn no_secret_no_service() {
    let dir = std::env::temp_dir().join(common::unique("orgcells-topology-nosecret"));
    let url = format!("sqlite://{}?mode=rwc", dir.join("topology.db").display());
    let cases: &[(Option<&str>, &str)] = &[
        (None, "--cluster-secret"),
        (Some("short"), "at least 16 characters"),
    ];
    for (secret, says) in cases {
        let mut command = topology_command(&url, &dir);
        if let Some(secret) = secret {
            command.env("ORGCELLS_CLUSTER_SECRET", secret);
        }
        let output = command.output().expect("run orgcells topology");
        assert!(!output.status.success(), "{secret:?}: it must not start");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(says), "{secret:?}: {stderr}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// `orgcells admin create` on a Cell of a cluster claims the new admin's username in the
/// topology; on another Cell it is refused, since Users are written on the first Cell alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_create_claims_in_the_topology() {
    let dir = std::env::temp_dir().join(common::unique("orgcells-topology-admin"));
    std::fs::create_dir_all(&dir).expect("dir");
    let url = format!("sqlite://{}?mode=rwc", dir.join("topology.db").display());
    let (_topology, addr) = start(&url, &dir);
    let create = |cell: &str| {
        Command::new(env!("CARGO_BIN_EXE_orgcells"))
            .args(["--log-format", "json", "admin", "create"])
            .args([
                "--username",
                "sidney",
                "--email",
                &format!("sidney-{cell}@example.com"),
            ])
            .args([
                "--cell-id",
                cell,
                "--topology-url",
                &format!("http://{addr}"),
            ])
            .env("ORGCELLS_DATA_DIR", dir.join(format!("cell-{cell}")))
            .env("ORGCELLS_CLUSTER_SECRET", SECRET)
            .env_remove("DATABASE_URL")
            .output()
            .expect("run orgcells admin create")
    };
    let first = create("1");
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let second = create("2");
    assert!(!second.status.success(), "Users are written on Cell 1");
    let said = String::from_utf8_lossy(&second.stderr);
    assert!(
        said.contains("Users and their tokens are changed on Cell 1"),
        "{said}"
    );
    let held = claims(addr)
        .await
        .get_record(proto::GetRecordRequest {
            bucket: Some(proto::Bucket {
                r#type: Bucket::Usernames.into(),
                value: "sidney".into(),
            }),
        })
        .await
        .expect("record")
        .into_inner()
        .record
        .expect("a record");
    assert_eq!(held.cell_id, 1);
    let _ = std::fs::remove_dir_all(&dir);
}
