//! The topology service over gRPC, on SQLite and PostgreSQL: claims taken lease first and
//! committed later, all or nothing; only the holder destroys; classification; the cluster
//! secret; and two topology services over one database racing for the same values.

mod common;

use std::sync::Arc;

use orgcells::topology::{RunningTopology, TopologyConfig, parse_cell};
use orgcells_core::ids::{CellId, OrganizationId};
use orgcells_core::routable_token::{self, Routing};
use orgcells_core::routing::TOKEN_PREFIX;
use orgcells_topology::proto::bucket::Type as Bucket;
use orgcells_topology::proto::cell_service_client::CellServiceClient;
use orgcells_topology::proto::change_service_client::ChangeServiceClient;
use orgcells_topology::proto::claim_service_client::ClaimServiceClient;
use orgcells_topology::proto::classify_service_client::ClassifyServiceClient;
use orgcells_topology::proto::move_service_client::MoveServiceClient;
use orgcells_topology::proto::record::Status as RecordStatus;
use orgcells_topology::proto::source::Type as Source;
use orgcells_topology::proto::subject::Type as Subject;
use orgcells_topology::proto::switch_service_client::SwitchServiceClient;
use orgcells_topology::proto::{self, ClassifyType};
use orgcells_topology::{ClusterSecret, PresentSecret};
use tonic::Code;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;

const SECRET: &str = "topology-test-secret-000001";

type Claims = ClaimServiceClient<InterceptedService<Channel, PresentSecret>>;
type Changes = ChangeServiceClient<InterceptedService<Channel, PresentSecret>>;
type Classify = ClassifyServiceClient<InterceptedService<Channel, PresentSecret>>;
type Moves = MoveServiceClient<InterceptedService<Channel, PresentSecret>>;
type Creates = Vec<proto::Metadata>;
type Destroys = Vec<proto::Metadata>;

/// Topology services over one fresh database, with Cells 1 and 2.
struct Harness {
    url: String,
    running: Vec<RunningTopology>,
    dir: std::path::PathBuf,
    postgres: Option<String>,
}

impl Harness {
    async fn sqlite() -> Harness {
        let dir = std::env::temp_dir().join(common::unique("orgcells-topology"));
        std::fs::create_dir_all(&dir).expect("data dir");
        let url = format!("sqlite://{}?mode=rwc", dir.join("topology.db").display());
        Harness::with(url, dir, None).await
    }

    async fn postgres() -> Option<Harness> {
        let (url, name) = common::fresh_postgres_database().await?;
        let dir = std::env::temp_dir().join(common::unique("orgcells-topology-pg"));
        Some(Harness::with(url, dir, Some(name)).await)
    }

    async fn with(url: String, dir: std::path::PathBuf, postgres: Option<String>) -> Harness {
        let mut harness = Harness {
            url,
            running: Vec::new(),
            dir,
            postgres,
        };
        harness.start_another().await;
        harness
    }

    /// Another topology service over the same database.
    async fn start_another(&mut self) -> usize {
        let config = TopologyConfig {
            listen: "127.0.0.1:0".parse().expect("address"),
            database_url: self.url.clone(),
            cells: vec![
                parse_cell("1,cell-1,http://127.0.0.1:1,cell1").expect("cell 1"),
                parse_cell("2,cell-2,http://127.0.0.1:2,cell2").expect("cell 2"),
            ],
            secret: ClusterSecret::new(SECRET).expect("secret"),
        };
        self.running
            .push(orgcells::topology::start(&config).await.expect("topology"));
        self.running.len() - 1
    }

    async fn channel(&self, which: usize) -> Channel {
        let addr = self.running[which].addr;
        Channel::from_shared(format!("http://{addr}"))
            .expect("uri")
            .connect()
            .await
            .expect("connect")
    }

    fn secret() -> PresentSecret {
        PresentSecret::new(ClusterSecret::new(SECRET).expect("secret"))
    }

    async fn claims(&self, which: usize) -> Claims {
        ClaimServiceClient::with_interceptor(self.channel(which).await, Harness::secret())
    }

    async fn changes(&self, which: usize) -> Changes {
        ChangeServiceClient::with_interceptor(self.channel(which).await, Harness::secret())
    }

    async fn moves(&self) -> Moves {
        MoveServiceClient::with_interceptor(self.channel(0).await, Harness::secret())
    }

    async fn classify(&self) -> Classify {
        ClassifyServiceClient::with_interceptor(self.channel(0).await, Harness::secret())
    }

    async fn finish(mut self) {
        for running in std::mem::take(&mut self.running) {
            running.stop().await.expect("stop");
        }
        let _ = std::fs::remove_dir_all(&self.dir);
        if let Some(name) = self.postgres.take() {
            common::drop_postgres_database(&name).await;
        }
    }
}

impl Drop for Harness {
    /// Cleans up after a test that panicked before [`Harness::finish`]: the data directory, and
    /// the PostgreSQL database, dropped from a thread of its own (the services stop with the
    /// test's runtime).
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
        if let Some(name) = self.postgres.take() {
            common::drop_postgres_database_blocking(name);
        }
    }
}

macro_rules! on_both {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let harness = super::Harness::sqlite().await;
                let harness = super::$name(harness).await;
                harness.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(harness) = super::Harness::postgres().await {
                    let harness = super::$name(harness).await;
                    harness.finish().await;
                }
            }
        }
    )*};
}

fn metadata(bucket: Bucket, value: &str, subject: Subject, id: i64) -> proto::Metadata {
    let source = match subject {
        Subject::User => Source::TableUsers,
        Subject::Project => Source::TableProjects,
        Subject::Organization => Source::TableOrganizations,
        _ => Source::TableNamespaces,
    };
    proto::Metadata {
        bucket: Some(proto::Bucket {
            r#type: bucket.into(),
            value: value.into(),
        }),
        subject: Some(proto::Subject {
            r#type: subject.into(),
            id,
        }),
        source: Some(proto::Source {
            r#type: source.into(),
            id,
        }),
    }
}

fn route(value: &str) -> proto::Metadata {
    metadata(Bucket::Routes, value, Subject::Group, 1000)
}

async fn begin(
    claims: &mut Claims,
    cell: i64,
    creates: Vec<proto::Metadata>,
    destroys: Vec<proto::Metadata>,
) -> Result<String, Code> {
    claims
        .begin_update(proto::BeginUpdateRequest {
            create_records: creates,
            destroy_records: destroys,
            cell_id: cell,
            rows: Vec::new(),
        })
        .await
        .map(|r| r.into_inner().lease_uuid)
        .map_err(|s| s.code())
}

async fn commit(claims: &mut Claims, cell: i64, lease: &str) -> Result<(), Code> {
    claims
        .commit_update(proto::CommitUpdateRequest {
            cell_id: cell,
            lease_uuid: lease.into(),
        })
        .await
        .map(|_| ())
        .map_err(|s| s.code())
}

async fn rollback(claims: &mut Claims, cell: i64, lease: &str) -> Result<(), Code> {
    claims
        .rollback_update(proto::RollbackUpdateRequest {
            cell_id: cell,
            lease_uuid: lease.into(),
        })
        .await
        .map(|_| ())
        .map_err(|s| s.code())
}

/// The claim on a value: its Cell and status, or the refusal's code.
async fn record(
    claims: &mut Claims,
    bucket: Bucket,
    value: &str,
) -> Result<(i64, RecordStatus), Code> {
    let found = claims
        .get_record(proto::GetRecordRequest {
            bucket: Some(proto::Bucket {
                r#type: bucket.into(),
                value: value.into(),
            }),
        })
        .await
        .map_err(|s| s.code())?
        .into_inner()
        .record
        .expect("a record");
    Ok((
        found.cell_id,
        RecordStatus::try_from(found.status).expect("a status"),
    ))
}

async fn leases_then_commit_or_roll_back(harness: Harness) -> Harness {
    let mut claims = harness.claims(0).await;
    // Cell 1 leases the route: it is taken at once, for everyone, and not yet held.
    let lease = begin(&mut claims, 1, vec![route("Acme")], vec![])
        .await
        .expect("lease");
    assert_eq!(
        record(&mut claims, Bucket::Routes, "acme").await,
        Ok((1, RecordStatus::LeaseCreating))
    );
    assert_eq!(
        begin(&mut claims, 2, vec![route("ACME")], vec![]).await,
        Err(Code::FailedPrecondition)
    );
    // Only the Cell that began a lease ends it.
    assert_eq!(
        commit(&mut claims, 2, &lease).await,
        Err(Code::PermissionDenied)
    );
    assert_eq!(commit(&mut claims, 1, &lease).await, Ok(()));
    assert_eq!(commit(&mut claims, 1, &lease).await, Err(Code::NotFound));
    assert_eq!(
        record(&mut claims, Bucket::Routes, "ACME").await,
        Ok((1, RecordStatus::Active))
    );
    // Held: another Cell can neither take nor destroy it.
    assert_eq!(
        begin(&mut claims, 2, vec![route("acme")], vec![]).await,
        Err(Code::AlreadyExists)
    );
    assert_eq!(
        begin(&mut claims, 2, vec![], vec![route("acme")]).await,
        Err(Code::PermissionDenied)
    );
    // A destroy rolled back leaves it held; committed, it is gone and free again.
    let lease = begin(&mut claims, 1, vec![], vec![route("acme")])
        .await
        .expect("lease");
    assert_eq!(
        record(&mut claims, Bucket::Routes, "acme").await,
        Ok((1, RecordStatus::LeaseDestroying))
    );
    assert_eq!(
        begin(&mut claims, 2, vec![route("acme")], vec![]).await,
        Err(Code::FailedPrecondition)
    );
    assert_eq!(rollback(&mut claims, 1, &lease).await, Ok(()));
    assert_eq!(
        record(&mut claims, Bucket::Routes, "acme").await,
        Ok((1, RecordStatus::Active))
    );
    let lease = begin(&mut claims, 1, vec![], vec![route("acme")])
        .await
        .expect("lease");
    assert_eq!(commit(&mut claims, 1, &lease).await, Ok(()));
    assert_eq!(
        record(&mut claims, Bucket::Routes, "acme").await,
        Err(Code::NotFound)
    );
    let lease = begin(&mut claims, 2, vec![route("acme")], vec![])
        .await
        .expect("lease");
    assert_eq!(commit(&mut claims, 2, &lease).await, Ok(()));
    assert_eq!(
        record(&mut claims, Bucket::Routes, "acme").await,
        Ok((2, RecordStatus::Active))
    );
    // A create rolled back frees the value.
    let lease = begin(&mut claims, 1, vec![route("temp")], vec![])
        .await
        .expect("lease");
    assert_eq!(rollback(&mut claims, 1, &lease).await, Ok(()));
    assert_eq!(
        record(&mut claims, Bucket::Routes, "temp").await,
        Err(Code::NotFound)
    );
    // A rename: destroy the old path and create the new one in one lease.
    let lease = begin(&mut claims, 2, vec![route("acme-inc")], vec![route("acme")])
        .await
        .expect("lease");
    assert_eq!(commit(&mut claims, 2, &lease).await, Ok(()));
    assert_eq!(
        record(&mut claims, Bucket::Routes, "acme").await,
        Err(Code::NotFound)
    );
    assert_eq!(
        record(&mut claims, Bucket::Routes, "acme-inc").await,
        Ok((2, RecordStatus::Active))
    );
    harness
}

async fn updates_are_all_or_nothing(harness: Harness) -> Harness {
    let mut claims = harness.claims(0).await;
    let lease = begin(
        &mut claims,
        1,
        vec![metadata(Bucket::Usernames, "sasha", Subject::User, 1001)],
        vec![],
    )
    .await
    .expect("lease");
    commit(&mut claims, 1, &lease).await.expect("commit");
    // The second value is taken: nothing of the update stays, the first value included.
    let refused = begin(
        &mut claims,
        2,
        vec![
            metadata(Bucket::Emails, "sasha@example.com", Subject::User, 2001),
            metadata(Bucket::Usernames, "Sasha", Subject::User, 2001),
        ],
        vec![],
    )
    .await;
    assert_eq!(refused, Err(Code::AlreadyExists));
    assert_eq!(
        record(&mut claims, Bucket::Emails, "sasha@example.com").await,
        Err(Code::NotFound)
    );
    let leases = claims
        .list_leases(proto::ListLeasesRequest {
            cell_id: 2,
            next: None,
            limit: None,
        })
        .await
        .expect("leases")
        .into_inner();
    assert!(leases.leases.is_empty(), "a refused update leaves no lease");
    // Claiming again what the Cell holds for the same subject changes nothing; for another
    // subject it is taken.
    let again = begin(
        &mut claims,
        1,
        vec![metadata(Bucket::Usernames, "SASHA", Subject::User, 1001)],
        vec![],
    )
    .await;
    commit(&mut claims, 1, &again.expect("lease"))
        .await
        .expect("commit");
    assert_eq!(
        begin(
            &mut claims,
            1,
            vec![metadata(Bucket::Usernames, "sasha", Subject::User, 1002)],
            vec![]
        )
        .await,
        Err(Code::AlreadyExists)
    );
    harness
}

async fn bad_updates_are_refused(harness: Harness) -> Harness {
    let mut claims = harness.claims(0).await;
    let mut unknown_bucket = route("x");
    unknown_bucket.bucket.as_mut().expect("bucket").r#type = 42;
    let mut no_subject = route("y");
    no_subject.subject = None;
    let cases: Vec<(&str, i64, Creates, Destroys, Code)> = vec![
        ("nothing to do", 1, vec![], vec![], Code::InvalidArgument),
        (
            "a value twice",
            1,
            vec![route("twice"), route("TWICE")],
            vec![],
            Code::InvalidArgument,
        ),
        (
            "created and destroyed",
            1,
            vec![route("both")],
            vec![route("both")],
            Code::InvalidArgument,
        ),
        (
            "an empty value",
            1,
            vec![route("")],
            vec![],
            Code::InvalidArgument,
        ),
        (
            "an id that is no id",
            1,
            vec![metadata(Bucket::ProjectIds, "12a", Subject::Project, 1)],
            vec![],
            Code::InvalidArgument,
        ),
        (
            "an unknown bucket",
            1,
            vec![unknown_bucket],
            vec![],
            Code::InvalidArgument,
        ),
        (
            "no subject",
            1,
            vec![no_subject],
            vec![],
            Code::InvalidArgument,
        ),
        (
            "cell 0",
            0,
            vec![route("zero")],
            vec![],
            Code::InvalidArgument,
        ),
        (
            "an unknown cell",
            9,
            vec![route("nine")],
            vec![],
            Code::NotFound,
        ),
        (
            "destroying what no one holds",
            1,
            vec![],
            vec![route("nobody")],
            Code::NotFound,
        ),
    ];
    for (case, cell, creates, destroys, code) in cases {
        assert_eq!(
            begin(&mut claims, cell, creates, destroys).await,
            Err(code),
            "{case}"
        );
    }
    assert_eq!(
        commit(&mut claims, 1, "no-such-lease").await,
        Err(Code::NotFound)
    );
    // Nothing was left behind by any of them.
    let records = claims
        .list_records(proto::ListRecordsRequest {
            cell_id: 1,
            source_type: 0,
            next: None,
            limit: None,
        })
        .await
        .expect("records")
        .into_inner();
    assert!(records.records.is_empty(), "{:?}", records.records);
    harness
}

async fn leases_and_records_are_listed_in_pages(harness: Harness) -> Harness {
    let mut claims = harness.claims(0).await;
    let mut leases = Vec::new();
    for n in 0..5 {
        let creates = vec![
            route(&format!("group-{n}")),
            metadata(
                Bucket::NamespaceIds,
                &format!("{}", 1000 + n),
                Subject::Group,
                1000 + n,
            ),
        ];
        leases.push(begin(&mut claims, 1, creates, vec![]).await.expect("lease"));
    }
    commit(&mut claims, 1, &leases[0]).await.expect("commit");
    // Outstanding leases, oldest first, two a page, with their claims.
    let mut seen = Vec::new();
    let mut next = None;
    for _ in 0..10 {
        let page = claims
            .list_leases(proto::ListLeasesRequest {
                cell_id: 1,
                next: next.clone(),
                limit: Some(2),
            })
            .await
            .expect("leases")
            .into_inner();
        for lease in &page.leases {
            assert_eq!(lease.records.len(), 2, "a lease lists its claims");
            seen.push(lease.uuid.clone());
        }
        next = page.next;
        if next.is_none() {
            break;
        }
    }
    let mut outstanding = leases[1..].to_vec();
    outstanding.sort();
    seen.sort();
    assert_eq!(seen, outstanding);
    // Records by source table, in pages.
    let mut namespaces = 0;
    let mut next = None;
    for _ in 0..10 {
        let page = claims
            .list_records(proto::ListRecordsRequest {
                cell_id: 1,
                source_type: Source::TableNamespaces.into(),
                next: next.clone(),
                limit: Some(3),
            })
            .await
            .expect("records")
            .into_inner();
        namespaces += page.records.len();
        next = page.next;
        if next.is_none() {
            break;
        }
    }
    assert_eq!(
        namespaces, 10,
        "five routes and five namespace ids, all of TABLE_NAMESPACES"
    );
    let other_cell = claims
        .list_records(proto::ListRecordsRequest {
            cell_id: 2,
            source_type: 0,
            next: None,
            limit: None,
        })
        .await
        .expect("records")
        .into_inner();
    assert!(other_cell.records.is_empty());
    harness
}

async fn classify(classify: &mut Classify, kind: ClassifyType, value: &str) -> (i64, bool) {
    let answer = classify
        .classify(proto::ClassifyRequest {
            r#type: kind.into(),
            value: value.into(),
        })
        .await
        .expect("classified")
        .into_inner();
    let cell = answer.cell_info.expect("a cell");
    assert_eq!(answer.proxy.expect("proxy").address, cell.address);
    (cell.id, answer.found)
}

async fn keys_are_classified_to_their_cell(harness: Harness) -> Harness {
    let mut claims = harness.claims(0).await;
    let (cell2_min, _) = CellId(2).id_range();
    let creates = vec![
        route("beta"),
        metadata(
            Bucket::OrganizationPath,
            "beta-org",
            Subject::Organization,
            cell2_min,
        ),
        metadata(Bucket::Usernames, "cameron", Subject::User, cell2_min + 1),
    ];
    let lease = begin(&mut claims, 2, creates, vec![]).await.expect("lease");
    commit(&mut claims, 2, &lease).await.expect("commit");
    // A project allocated on Cell 2 that now lives on Cell 1 (it moved): its claim decides.
    let moved = (cell2_min + 7).to_string();
    let lease = begin(
        &mut claims,
        1,
        vec![metadata(
            Bucket::ProjectIds,
            &moved,
            Subject::Project,
            cell2_min + 7,
        )],
        vec![],
    )
    .await
    .expect("lease");
    commit(&mut claims, 1, &lease).await.expect("commit");
    let token = routable_token::encode(
        TOKEN_PREFIX,
        Routing {
            cell: CellId(2),
            organization: OrganizationId(cell2_min),
        },
        &[7; 16],
    );
    let mut classifier = harness.classify().await;
    let cases: Vec<(ClassifyType, String, (i64, bool))> = vec![
        (ClassifyType::FirstCell, String::new(), (1, true)),
        (ClassifyType::CellId, "2".into(), (2, true)),
        (ClassifyType::CellId, "9".into(), (1, false)),
        (ClassifyType::SessionPrefix, "cell2".into(), (2, true)),
        (ClassifyType::SessionPrefix, "cell9".into(), (1, false)),
        (ClassifyType::Route, "BETA".into(), (2, true)),
        (ClassifyType::Route, "nowhere".into(), (1, false)),
        (ClassifyType::OrganizationPath, "beta-org".into(), (2, true)),
        (ClassifyType::Username, "Cameron".into(), (2, true)),
        (ClassifyType::Email, "nobody@example.com".into(), (1, false)),
        (
            ClassifyType::ProjectId,
            (cell2_min + 3).to_string(),
            (2, true),
        ),
        (ClassifyType::ProjectId, moved, (1, true)),
        (ClassifyType::NamespaceId, "1500".into(), (1, true)),
        (ClassifyType::UserId, "not-a-number".into(), (1, false)),
        (ClassifyType::Token, token, (2, true)),
        (ClassifyType::Token, "glpat-not-routable".into(), (1, false)),
    ];
    for (kind, value, expected) in cases {
        assert_eq!(
            classify(&mut classifier, kind, &value).await,
            expected,
            "{kind:?} {value}"
        );
    }
    let refused = classifier
        .classify(proto::ClassifyRequest {
            r#type: 0,
            value: "x".into(),
        })
        .await
        .expect_err("no type");
    assert_eq!(refused.code(), Code::InvalidArgument);
    let cells = CellServiceClient::with_interceptor(harness.channel(0).await, Harness::secret())
        .get_cells(proto::GetCellsRequest {})
        .await
        .expect("cells")
        .into_inner()
        .cells;
    let ranges: Vec<(i64, i64, i64)> = cells
        .iter()
        .map(|c| {
            (
                c.id,
                c.sequence_ranges[0].minval,
                c.sequence_ranges[0].maxval,
            )
        })
        .collect();
    let (min1, max1) = CellId(1).id_range();
    let (min2, max2) = CellId(2).id_range();
    assert_eq!(ranges, vec![(1, min1, max1), (2, min2, max2)]);
    harness
}

async fn only_the_cluster_answers(harness: Harness) -> Harness {
    let channel = harness.channel(0).await;
    let anonymous = ClassifyServiceClient::new(channel.clone())
        .classify(proto::ClassifyRequest {
            r#type: ClassifyType::FirstCell.into(),
            value: String::new(),
        })
        .await
        .expect_err("no secret");
    assert_eq!(anonymous.code(), Code::Unauthenticated);
    // The change log carries password and token digests: the cluster's alone.
    let log = ChangeServiceClient::new(channel.clone())
        .list_changes(proto::ListChangesRequest {
            after: 0,
            limit: None,
        })
        .await
        .expect_err("no secret");
    assert_eq!(log.code(), Code::Unauthenticated);
    // The router's credential lists the Cells and classifies, and does nothing else.
    let router = PresentSecret::new(ClusterSecret::new(SECRET).expect("secret").for_router());
    let classified = ClassifyServiceClient::with_interceptor(channel.clone(), router.clone())
        .classify(proto::ClassifyRequest {
            r#type: ClassifyType::FirstCell.into(),
            value: String::new(),
        })
        .await;
    assert!(classified.is_ok(), "{classified:?}");
    let cells = CellServiceClient::with_interceptor(channel.clone(), router.clone())
        .get_cells(proto::GetCellsRequest {})
        .await;
    assert!(cells.is_ok(), "{cells:?}");
    let log = ChangeServiceClient::with_interceptor(channel.clone(), router.clone())
        .list_changes(proto::ListChangesRequest {
            after: 0,
            limit: None,
        })
        .await
        .expect_err("the router's credential");
    assert_eq!(log.code(), Code::Unauthenticated);
    // It follows moved Organizations, and cannot move one.
    let switches = SwitchServiceClient::with_interceptor(channel.clone(), router.clone())
        .list_switches(proto::ListSwitchesRequest {
            after: 0,
            limit: None,
        })
        .await;
    assert!(switches.is_ok(), "{switches:?}");
    let moved = MoveServiceClient::with_interceptor(channel.clone(), router.clone())
        .begin_move(proto::BeginMoveRequest {
            organization_id: 5,
            from_cell_id: 1,
            to_cell_id: 2,
        })
        .await
        .expect_err("the router's credential");
    assert_eq!(moved.code(), Code::Unauthenticated);
    let unknown = SwitchServiceClient::new(channel.clone())
        .list_switches(proto::ListSwitchesRequest {
            after: 0,
            limit: None,
        })
        .await
        .expect_err("no secret");
    assert_eq!(unknown.code(), Code::Unauthenticated);
    let claimed = ClaimServiceClient::with_interceptor(channel.clone(), router)
        .begin_update(proto::BeginUpdateRequest {
            create_records: vec![route("intruder")],
            destroy_records: vec![],
            cell_id: 1,
            rows: vec![],
        })
        .await
        .expect_err("the router's credential");
    assert_eq!(claimed.code(), Code::Unauthenticated);
    let wrong = ClusterSecret::new("another-secret-0000000").expect("secret");
    let refused = ClaimServiceClient::with_interceptor(channel, PresentSecret::new(wrong))
        .begin_update(proto::BeginUpdateRequest {
            create_records: vec![route("intruder")],
            destroy_records: vec![],
            cell_id: 1,
            rows: vec![],
        })
        .await
        .expect_err("wrong secret");
    assert_eq!(refused.code(), Code::Unauthenticated);
    let mut claims = harness.claims(0).await;
    assert_eq!(
        record(&mut claims, Bucket::Routes, "intruder").await,
        Err(Code::NotFound)
    );
    harness
}

/// Two topology services over one database; Cell 1 through one and Cell 2 through the other
/// claim the same value at the same moment, 50 times: exactly one wins each time, and the
/// claim is the winner's.
fn row(table: &str, id: i64, payload: Option<&str>) -> proto::RowChange {
    proto::RowChange {
        table: table.into(),
        row_id: id,
        payload: payload.map(str::to_owned),
    }
}

async fn begin_rows(claims: &mut Claims, rows: Vec<proto::RowChange>) -> Result<String, Code> {
    claims
        .begin_update(proto::BeginUpdateRequest {
            create_records: Vec::new(),
            destroy_records: Vec::new(),
            cell_id: 1,
            rows,
        })
        .await
        .map(|r| r.into_inner().lease_uuid)
        .map_err(|s| s.code())
}

/// The log after `after`: (seq, cell, table, row id, payload).
async fn log(changes: &mut Changes, after: i64) -> Vec<(i64, i64, String, i64, Option<String>)> {
    changes
        .list_changes(proto::ListChangesRequest { after, limit: None })
        .await
        .expect("list changes")
        .into_inner()
        .changes
        .into_iter()
        .map(|c| (c.seq, c.cell_id, c.table, c.row_id, c.payload))
        .collect()
}

async fn rows_are_logged_in_commit_order(mut harness: Harness) -> Harness {
    let mut claims = harness.claims(0).await;
    let mut changes = harness.changes(0).await;
    // Rows alone: logged when the lease commits, in the order the update gave them.
    let lease = begin_rows(
        &mut claims,
        vec![
            row("users", 5, Some("{\"id\":5}")),
            row("personal_access_tokens", 7, Some("{}")),
        ],
    )
    .await
    .expect("begin");
    assert_eq!(log(&mut changes, 0).await, [], "nothing before the commit");
    commit(&mut claims, 1, &lease).await.expect("commit");
    let first = log(&mut changes, 0).await;
    assert_eq!(
        first,
        [
            (1, 1, "users".into(), 5, Some("{\"id\":5}".into())),
            (2, 1, "personal_access_tokens".into(), 7, Some("{}".into())),
        ]
    );
    // Rolled back: never logged. Two leases: logged in the order they commit, not begin.
    let dropped = begin_rows(&mut claims, vec![row("users", 5, None)])
        .await
        .expect("begin");
    rollback(&mut claims, 1, &dropped).await.expect("rollback");
    let early = begin_rows(&mut claims, vec![row("users", 8, Some("{}"))])
        .await
        .expect("begin");
    let late = begin_rows(&mut claims, vec![row("users", 9, None)])
        .await
        .expect("begin");
    commit(&mut claims, 1, &late).await.expect("commit");
    commit(&mut claims, 1, &early).await.expect("commit");
    let rows: Vec<(i64, i64)> = log(&mut changes, 2)
        .await
        .iter()
        .map(|c| (c.0, c.3))
        .collect();
    assert_eq!(rows, [(3, 9), (4, 8)]);
    // What no Cell sends is refused, naming why, and nothing is logged.
    let refused: &[proto::RowChange] = &[
        row("Users; DROP", 1, None),
        row("", 1, None),
        row("users", 1, Some(&"x".repeat(64 * 1024 + 1))),
    ];
    for bad in refused {
        assert_eq!(
            begin_rows(&mut claims, vec![bad.clone()]).await,
            Err(Code::InvalidArgument),
            "{}",
            bad.table
        );
    }
    assert_eq!(
        begin_rows(&mut claims, Vec::new()).await,
        Err(Code::InvalidArgument)
    );
    // Two services over one database append at once: one log, no seq twice, none skipped.
    let other = harness.start_another().await;
    let writers = [harness.claims(0).await, harness.claims(other).await];
    let mut tasks = Vec::new();
    for (n, mut writer) in writers.into_iter().enumerate() {
        tasks.push(tokio::spawn(async move {
            for i in 0..20_i64 {
                let id = 1000 * (i64::try_from(n).expect("n") + 1) + i;
                let lease = begin_rows(&mut writer, vec![row("users", id, Some("{}"))])
                    .await
                    .expect("begin");
                commit(&mut writer, 1, &lease).await.expect("commit");
            }
        }));
    }
    for task in tasks {
        task.await.expect("writer");
    }
    let all = log(&mut changes, 0).await;
    let seqs: Vec<i64> = all.iter().map(|c| c.0).collect();
    assert_eq!(seqs, (1..=44).collect::<Vec<_>>());
    harness
}

async fn two_services_race_for_one_value(mut harness: Harness) -> Harness {
    let second = harness.start_another().await;
    let first = harness.claims(0).await;
    let other = harness.claims(second).await;
    for n in 0..50 {
        let value = format!("contested-{n}");
        let barrier = Arc::new(tokio::sync::Barrier::new(2));
        let racers = [(first.clone(), 1), (other.clone(), 2)].map(|(mut client, cell)| {
            let (barrier, value) = (barrier.clone(), value.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                let won = begin(
                    &mut client,
                    cell,
                    vec![metadata(Bucket::Usernames, &value, Subject::User, cell)],
                    vec![],
                )
                .await;
                if let Ok(lease) = &won {
                    commit(&mut client, cell, lease).await.expect("commit");
                }
                (cell, won)
            })
        });
        let mut winners = Vec::new();
        for racer in racers {
            let (cell, outcome) = racer.await.expect("racer");
            match outcome {
                Ok(_) => winners.push(cell),
                Err(code) => assert!(
                    matches!(code, Code::AlreadyExists | Code::FailedPrecondition),
                    "the loser is told the value is taken, not {code:?}"
                ),
            }
        }
        assert_eq!(
            winners.len(),
            1,
            "round {n}: exactly one Cell wins, not {winners:?}"
        );
        let mut reader = first.clone();
        assert_eq!(
            record(&mut reader, Bucket::Usernames, &value).await,
            Ok((winners[0], RecordStatus::Active))
        );
    }
    harness
}

/// A write dropped part way (its gRPC call cancelled by a client that gave up) leaves its
/// connection clean: the next write, on the same connection, goes through. Each round drops the
/// write one poll later, so one of them stops between the database's BEGIN and the transaction
/// it would have made.
async fn writes_cut_short_leave_nothing_held(harness: Harness) -> Harness {
    use orgcells_core::claims::{BucketType, SourceTable, SubjectType};
    use orgcells_store::topology::{NewClaim, TopologyDb};
    use std::future::Future;
    use std::task::{Context, Waker};

    let db = TopologyDb::connect(&harness.url).await.expect("connect");
    let first = CellId(1).id_range().0;
    let claim = |value: String, id: i64| NewClaim {
        bucket: BucketType::Routes,
        value,
        subject: SubjectType::Group,
        subject_id: id,
        source: SourceTable::Routes,
        source_id: id,
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    for polls in 1..=80_i64 {
        let cut = [claim(format!("cut-{polls}"), first + polls)];
        let mut write = Box::pin(db.begin_update(1, &cut, &[], &[], now));
        let mut cx = Context::from_waker(Waker::noop());
        for _ in 0..polls {
            if write.as_mut().poll(&mut cx).is_ready() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_micros(25));
        }
        drop(write);
        let next = [claim(format!("next-{polls}"), first + 1000 + polls)];
        if let Err(error) = db.begin_update(1, &next, &[], &[], now).await {
            panic!("the write after one cut short at poll {polls} failed: {error}");
        }
    }
    db.close().await;
    harness
}

fn bucket(kind: Bucket, value: &str) -> proto::Bucket {
    proto::Bucket {
        r#type: kind.into(),
        value: value.into(),
    }
}

/// (state, step, seq) of a move's answer, or the refusal's code.
fn standing(
    answer: Result<tonic::Response<proto::MoveResponse>, tonic::Status>,
) -> Result<(String, String, i64), Code> {
    let found = answer
        .map_err(|s| s.code())?
        .into_inner()
        .organization_move
        .expect("a move");
    Ok((found.state, found.step, found.seq))
}

/// An Organization moves from Cell 1 to Cell 2: its move is recorded (one at a time), and the
/// switch hands its path, its routes and its ids to Cell 2 in one step, all or nothing, and
/// again changes nothing.
async fn organizations_move_between_cells(harness: Harness) -> Harness {
    let mut claims = harness.claims(0).await;
    let mut moves = harness.moves().await;
    let mut classifier = harness.classify().await;
    let (first, _) = CellId(1).id_range();
    let (org, group, project) = (first + 11, first + 12, first + 13);
    let lease = begin(
        &mut claims,
        1,
        vec![
            metadata(
                Bucket::OrganizationPath,
                "mover",
                Subject::Organization,
                org,
            ),
            metadata(Bucket::Routes, "mover-group", Subject::Group, group),
            metadata(Bucket::Routes, "mover-group/api", Subject::Project, project),
            metadata(Bucket::Routes, "stays", Subject::Group, first + 14),
        ],
        vec![],
    )
    .await
    .expect("claimed");
    commit(&mut claims, 1, &lease).await.expect("committed");
    let never = moves
        .get_move(proto::GetMoveRequest {
            organization_id: org,
        })
        .await
        .expect("asked")
        .into_inner();
    assert_eq!(never.organization_move, None);
    let begin_move = |from, to| proto::BeginMoveRequest {
        organization_id: org,
        from_cell_id: from,
        to_cell_id: to,
    };
    // Refused: one line per bad start.
    for (from, to, code) in [(1, 1, Code::InvalidArgument), (1, 9, Code::NotFound)] {
        assert_eq!(
            standing(moves.begin_move(begin_move(from, to)).await),
            Err(code),
            "{from} -> {to}"
        );
    }
    assert_eq!(
        standing(moves.begin_move(begin_move(1, 2)).await),
        Ok(("running".into(), "copying".into(), 0))
    );
    assert_eq!(
        standing(moves.begin_move(begin_move(1, 2)).await),
        Err(Code::FailedPrecondition),
        "one move at a time"
    );
    let handover = |values: Vec<proto::Bucket>| proto::SwitchMoveRequest {
        organization_id: org,
        values,
        ids: vec![
            bucket(Bucket::OrganizationIds, &org.to_string()),
            bucket(Bucket::NamespaceIds, &group.to_string()),
            bucket(Bucket::ProjectIds, &project.to_string()),
        ],
    };
    let values = vec![
        bucket(Bucket::OrganizationPath, "mover"),
        bucket(Bucket::Routes, "Mover-Group"),
        bucket(Bucket::Routes, "mover-group/api"),
    ];
    // A value a write has leased, or one never claimed: nothing moves. (One the target holds
    // already counts as handed over: the switch may run again.)
    let leased = begin(&mut claims, 1, vec![], vec![route("mover-group/api")])
        .await
        .expect("leased");
    for (extra, code) in [
        (None, Code::FailedPrecondition),
        (Some(bucket(Bucket::Routes, "nobody")), Code::NotFound),
    ] {
        let mut values = values.clone();
        values.extend(extra.clone());
        assert_eq!(
            standing(moves.switch_move(handover(values)).await),
            Err(code),
            "{extra:?}"
        );
        assert_eq!(
            classify(&mut classifier, ClassifyType::OrganizationPath, "mover").await,
            (1, true)
        );
        if extra.is_none() {
            rollback(&mut claims, 1, &leased)
                .await
                .expect("rolled back");
        }
    }
    // The switch, twice: the second changes nothing.
    for _ in 0..2 {
        assert_eq!(
            standing(moves.switch_move(handover(values.clone())).await),
            Ok(("running".into(), "switched".into(), 1))
        );
    }
    for (kind, value) in [
        (ClassifyType::OrganizationPath, "mover".to_owned()),
        (ClassifyType::Route, "mover-group".to_owned()),
        (ClassifyType::Route, "mover-group/api".to_owned()),
        (ClassifyType::OrganizationId, org.to_string()),
        (ClassifyType::NamespaceId, group.to_string()),
        (ClassifyType::ProjectId, project.to_string()),
    ] {
        assert_eq!(
            classify(&mut classifier, kind, &value).await,
            (2, true),
            "{kind:?} {value}"
        );
    }
    // What the Organization does not hold stays (an unclaimed id by its range).
    assert_eq!(
        classify(&mut classifier, ClassifyType::Route, "stays").await,
        (1, true)
    );
    assert_eq!(
        classify(
            &mut classifier,
            ClassifyType::ProjectId,
            &(first + 14).to_string()
        )
        .await,
        (1, true)
    );
    // A switched move cannot be rolled back or begun again until it finishes.
    assert_eq!(
        standing(moves.begin_move(begin_move(2, 1)).await),
        Err(Code::FailedPrecondition)
    );
    let read = moves
        .get_move(proto::GetMoveRequest {
            organization_id: org,
        })
        .await
        .expect("read")
        .into_inner()
        .organization_move
        .expect("a move")
        .updated_at;
    let set = |state: &str, step: &str, read: i64| proto::SetMoveRequest {
        organization_id: org,
        state: state.into(),
        step: step.into(),
        error: None,
        read_updated_at: read,
    };
    // One line per refused record: an unknown state, a reading that is not the move's.
    for (state, read, code) in [
        ("done", read, Code::InvalidArgument),
        ("finished", read - 1, Code::FailedPrecondition),
        ("finished", 0, Code::FailedPrecondition),
    ] {
        assert_eq!(
            standing(moves.set_move(set(state, "cleaning", read)).await),
            Err(code),
            "{state} as read at {read}"
        );
    }
    assert_eq!(
        standing(moves.set_move(set("finished", "cleaning", read)).await),
        Ok(("finished".into(), "cleaning".into(), 1))
    );
    assert_eq!(
        standing(moves.set_move(set("failed", "cleaning", read)).await),
        Err(Code::FailedPrecondition),
        "the same reading does not serve twice"
    );
    // And back: the ids' claims now name Cell 1 again; the switch is numbered after the first.
    standing(moves.begin_move(begin_move(2, 1)).await).expect("begun");
    assert_eq!(
        standing(moves.switch_move(handover(values)).await),
        Ok(("running".into(), "switched".into(), 2))
    );
    assert_eq!(
        classify(
            &mut classifier,
            ClassifyType::ProjectId,
            &project.to_string()
        )
        .await,
        (1, true)
    );
    // The switches, in order, as routers follow them.
    let switches =
        SwitchServiceClient::with_interceptor(harness.channel(0).await, Harness::secret())
            .list_switches(proto::ListSwitchesRequest {
                after: 1,
                limit: None,
            })
            .await
            .expect("listed")
            .into_inner()
            .switches;
    assert_eq!(
        switches
            .iter()
            .map(|s| (s.seq, s.organization_id))
            .collect::<Vec<_>>(),
        [(2, org)]
    );
    harness
}

/// Two topology services over one database: two moves of one Organization begun at once
/// start one; two records made on the same reading of a stopped move (a resume and a rollback)
/// make one.
async fn moves_race_to_one(mut harness: Harness) -> Harness {
    let second = harness.start_another().await;
    let clients = [
        MoveServiceClient::with_interceptor(harness.channel(0).await, Harness::secret()),
        MoveServiceClient::with_interceptor(harness.channel(second).await, Harness::secret()),
    ];
    let (first, _) = CellId(1).id_range();
    for n in 0..25 {
        let org = first + 100 + n;
        let barrier = Arc::new(tokio::sync::Barrier::new(2));
        let racers = clients.clone().map(|mut client| {
            let barrier = barrier.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                standing(
                    client
                        .begin_move(proto::BeginMoveRequest {
                            organization_id: org,
                            from_cell_id: 1,
                            to_cell_id: 2,
                        })
                        .await,
                )
            })
        });
        let mut begun = 0;
        for racer in racers {
            match racer.await.expect("racer") {
                Ok(_) => begun += 1,
                Err(code) => assert_eq!(code, Code::FailedPrecondition, "round {n}"),
            }
        }
        assert_eq!(begun, 1, "round {n}: one move begins");
        let mut reader = clients[0].clone();
        let read = reader
            .get_move(proto::GetMoveRequest {
                organization_id: org,
            })
            .await
            .expect("read")
            .into_inner()
            .organization_move
            .expect("a move")
            .updated_at;
        let barrier = Arc::new(tokio::sync::Barrier::new(2));
        let racers = clients
            .clone()
            .into_iter()
            .zip(["running", "rolled_back"])
            .map(|(mut client, state)| {
                let barrier = barrier.clone();
                tokio::spawn(async move {
                    barrier.wait().await;
                    standing(
                        client
                            .set_move(proto::SetMoveRequest {
                                organization_id: org,
                                state: state.into(),
                                step: "copying".into(),
                                error: None,
                                read_updated_at: read,
                            })
                            .await,
                    )
                })
            });
        let mut recorded = Vec::new();
        for racer in racers.collect::<Vec<_>>() {
            match racer.await.expect("racer") {
                Ok((state, _, _)) => recorded.push(state),
                Err(code) => assert_eq!(code, Code::FailedPrecondition, "round {n}"),
            }
        }
        assert_eq!(recorded.len(), 1, "round {n}: one record of {recorded:?}");
        let now = reader
            .get_move(proto::GetMoveRequest {
                organization_id: org,
            })
            .await
            .expect("read")
            .into_inner()
            .organization_move
            .expect("a move");
        assert_eq!(
            now.state, recorded[0],
            "round {n}: the winner's record stands"
        );
        assert!(
            now.updated_at > read,
            "round {n}: the record moved updated_at on"
        );
    }
    harness
}

on_both!(
    moves_race_to_one,
    organizations_move_between_cells,
    writes_cut_short_leave_nothing_held,
    rows_are_logged_in_commit_order,
    leases_then_commit_or_roll_back,
    updates_are_all_or_nothing,
    bad_updates_are_refused,
    leases_and_records_are_listed_in_pages,
    keys_are_classified_to_their_cell,
    only_the_cluster_answers,
    two_services_race_for_one_value,
);
