//! A Cell's side of the topology service: its claims, lease first and committed later. A Cell's
//! transaction hands over what it claimed and released ([`ClaimOp`]s) as one lease before it
//! commits, then commits the lease (or rolls it back when its own commit failed).

use std::time::Duration;

use orgcells_core::claims::{BucketType, SourceTable, SubjectType};
use orgcells_core::ids::CellId;
use orgcells_store::claims::{Bucket, ClaimOp};
use orgcells_store::topology::RowChange;
use tonic::Code;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Channel, Endpoint};

use crate::proto::claim_service_client::ClaimServiceClient;
use crate::proto::move_service_client::MoveServiceClient;
use crate::{ClusterSecret, PresentSecret, proto};

/// Why the topology did not take a lease.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    /// A value this update creates is held, or leased, by someone else.
    #[error("{} {:?} has already been taken", .0.bucket.field(), .0.value)]
    Taken(ClaimOp),
    /// The topology service cannot be reached or is busy: nothing was claimed.
    #[error("the topology service is unavailable: {0}")]
    Unavailable(String),
    /// Anything else it refused (a bug on one side or the other).
    #[error("the topology service refused the update: {0}")]
    Refused(String),
}

/// The claims client of one Cell.
#[derive(Debug, Clone)]
pub struct TopologyClient {
    cell: CellId,
    claims: ClaimServiceClient<InterceptedService<Channel, PresentSecret>>,
    moves: MoveServiceClient<InterceptedService<Channel, PresentSecret>>,
}

fn bucket_type(bucket: Bucket) -> BucketType {
    match bucket {
        Bucket::Username => BucketType::Usernames,
        Bucket::Email => BucketType::Emails,
        Bucket::Route => BucketType::Routes,
        Bucket::OrganizationPath => BucketType::OrganizationPath,
        Bucket::OrganizationRedirect => BucketType::OrganizationRedirects,
    }
}

fn metadata(op: &ClaimOp) -> proto::Metadata {
    let subject = match op.owner_kind.as_str() {
        "user" => SubjectType::User,
        "project" => SubjectType::Project,
        "organization" => SubjectType::Organization,
        _ => SubjectType::Group,
    };
    let source = match op.bucket {
        Bucket::Username => SourceTable::Users,
        Bucket::Email => SourceTable::Emails,
        Bucket::Route => SourceTable::Routes,
        Bucket::OrganizationPath | Bucket::OrganizationRedirect => SourceTable::Organizations,
    };
    proto::Metadata {
        bucket: Some(proto::Bucket {
            r#type: bucket_type(op.bucket).number(),
            value: op.value.clone(),
        }),
        subject: Some(proto::Subject {
            r#type: subject.number(),
            id: op.owner_id,
        }),
        source: Some(proto::Source {
            r#type: source.number(),
            id: op.owner_id,
        }),
    }
}

/// Why ending a lease failed: the topology could not be reached, or refused it.
fn ending_refused(status: &tonic::Status) -> Refusal {
    if unavailable(status) {
        Refusal::Unavailable(status.message().to_owned())
    } else {
        Refusal::Refused(status.message().to_owned())
    }
}

fn unavailable(status: &tonic::Status) -> bool {
    matches!(
        status.code(),
        Code::Unavailable | Code::DeadlineExceeded | Code::Unknown | Code::Cancelled
    )
}

impl TopologyClient {
    /// A client of the topology at `url` for `cell`, connecting on first use; every call gives
    /// up after `timeout`.
    pub fn new(
        url: &str,
        secret: ClusterSecret,
        cell: CellId,
        timeout: Duration,
    ) -> Result<TopologyClient, tonic::transport::Error> {
        let channel = Endpoint::from_shared(url.to_owned())?
            .connect_timeout(timeout)
            .timeout(timeout)
            .connect_lazy();
        Ok(TopologyClient {
            cell,
            claims: ClaimServiceClient::with_interceptor(
                channel.clone(),
                PresentSecret::new(secret.clone()),
            ),
            moves: MoveServiceClient::with_interceptor(channel, PresentSecret::new(secret)),
        })
    }

    fn cell_id(&self) -> i64 {
        i64::from(self.cell.0)
    }

    /// Takes `ops`, and the cluster-wide `rows` the write changed, as one lease: its id.
    pub async fn begin(&self, ops: &[ClaimOp], rows: &[RowChange]) -> Result<String, Refusal> {
        let (creates, destroys): (Vec<&ClaimOp>, Vec<&ClaimOp>) =
            ops.iter().partition(|op| op.create);
        let request = proto::BeginUpdateRequest {
            create_records: creates.iter().map(|op| metadata(op)).collect(),
            destroy_records: destroys.iter().map(|op| metadata(op)).collect(),
            cell_id: self.cell_id(),
            rows: rows
                .iter()
                .map(|row| proto::RowChange {
                    table: row.table.clone(),
                    row_id: row.row_id,
                    payload: row.payload.clone(),
                })
                .collect(),
        };
        match self.claims.clone().begin_update(request).await {
            Ok(answer) => Ok(answer.into_inner().lease_uuid),
            Err(status)
                if matches!(
                    status.code(),
                    Code::AlreadyExists | Code::FailedPrecondition
                ) =>
            {
                // Held a moment ago and not now (a lease rolled back in between): the write
                // may simply be tried again.
                Err(self.taken(&creates).await.unwrap_or_else(|| {
                    Refusal::Unavailable(format!(
                        "a value this write claims was changing hands: {}",
                        status.message()
                    ))
                }))
            }
            Err(status) if unavailable(&status) => {
                Err(Refusal::Unavailable(status.message().to_owned()))
            }
            Err(status) => Err(Refusal::Refused(format!(
                "{:?}: {}",
                status.code(),
                status.message()
            ))),
        }
    }

    /// Which of the creates someone else holds.
    async fn taken(&self, creates: &[&ClaimOp]) -> Option<Refusal> {
        for op in creates {
            let request = proto::GetRecordRequest {
                bucket: metadata(op).bucket,
            };
            if let Ok(found) = self.claims.clone().get_record(request).await {
                let mine = found.into_inner().record.is_some_and(|r| {
                    r.cell_id == self.cell_id()
                        && r.metadata
                            .and_then(|m| m.subject)
                            .is_some_and(|s| s.id == op.owner_id)
                });
                if !mine {
                    return Some(Refusal::Taken((*op).clone()));
                }
            }
        }
        None
    }

    /// Commits a lease this Cell's transaction committed with.
    pub async fn commit(&self, lease: &str) -> Result<(), Refusal> {
        let request = proto::CommitUpdateRequest {
            cell_id: self.cell_id(),
            lease_uuid: lease.to_owned(),
        };
        self.claims
            .clone()
            .commit_update(request)
            .await
            .map(|_| ())
            .map_err(|status| ending_refused(&status))
    }

    /// This Cell's outstanding leases, oldest first: (id, created at in ms since the epoch).
    pub async fn leases(&self) -> Result<Vec<(String, i64)>, Refusal> {
        let mut out = Vec::new();
        let mut next = None;
        // Bounded: 100 pages of 1,000.
        for _ in 0..100 {
            let request = proto::ListLeasesRequest {
                cell_id: self.cell_id(),
                next: next.take(),
                limit: Some(1000),
            };
            let page = self
                .claims
                .clone()
                .list_leases(request)
                .await
                .map_err(|status| Refusal::Unavailable(status.message().to_owned()))?
                .into_inner();
            out.extend(page.leases.into_iter().map(|l| (l.uuid, l.created_at)));
            match page.next {
                Some(cursor) => next = Some(cursor),
                None => break,
            }
        }
        Ok(out)
    }

    /// Rolls back a lease whose transaction did not commit.
    pub async fn rollback(&self, lease: &str) -> Result<(), Refusal> {
        let request = proto::RollbackUpdateRequest {
            cell_id: self.cell_id(),
            lease_uuid: lease.to_owned(),
        };
        self.claims
            .clone()
            .rollback_update(request)
            .await
            .map(|_| ())
            .map_err(|status| ending_refused(&status))
    }

    /// An Organization's latest move, if it ever moved.
    pub async fn move_of(
        &self,
        organization: i64,
    ) -> Result<Option<proto::OrganizationMove>, Refusal> {
        let request = proto::GetMoveRequest {
            organization_id: organization,
        };
        self.moves
            .clone()
            .get_move(request)
            .await
            .map(|answer| answer.into_inner().organization_move)
            .map_err(|status| ending_refused(&status))
    }

    /// Starts a move of `organization` from this Cell to `to`.
    pub async fn begin_move(
        &self,
        organization: i64,
        to: i64,
    ) -> Result<proto::OrganizationMove, Refusal> {
        let request = proto::BeginMoveRequest {
            organization_id: organization,
            from_cell_id: self.cell_id(),
            to_cell_id: to,
        };
        moved(self.moves.clone().begin_move(request).await)
    }

    /// Records where a move stands, if it stands as `read` (refused if it changed since).
    pub async fn set_move(
        &self,
        read: &proto::OrganizationMove,
        state: &str,
        step: &str,
        error: Option<String>,
    ) -> Result<proto::OrganizationMove, Refusal> {
        let request = proto::SetMoveRequest {
            organization_id: read.organization_id,
            state: state.to_owned(),
            step: step.to_owned(),
            error,
            read_updated_at: read.updated_at,
        };
        moved(self.moves.clone().set_move(request).await)
    }

    /// Hands the Organization to its move's target: its claimed `values` and its `ids`.
    pub async fn switch_move(
        &self,
        organization: i64,
        values: &[(BucketType, String)],
        ids: &[(BucketType, i64)],
    ) -> Result<proto::OrganizationMove, Refusal> {
        let bucket = |bucket: BucketType, value: String| proto::Bucket {
            r#type: bucket.number(),
            value,
        };
        let request = proto::SwitchMoveRequest {
            organization_id: organization,
            values: values.iter().map(|(b, v)| bucket(*b, v.clone())).collect(),
            ids: ids
                .iter()
                .map(|(b, id)| bucket(*b, id.to_string()))
                .collect(),
        };
        moved(self.moves.clone().switch_move(request).await)
    }
}

fn moved(
    answer: Result<tonic::Response<proto::MoveResponse>, tonic::Status>,
) -> Result<proto::OrganizationMove, Refusal> {
    answer
        .map_err(|status| ending_refused(&status))?
        .into_inner()
        .organization_move
        .ok_or_else(|| Refusal::Refused("the topology answered no move".into()))
}
