//! Organizations moving between Cells. The move's state lives here, beside the claims, so a move
//! interrupted anywhere goes on (or is given up) from what the topology says; and the switch
//! hands the Organization to its new Cell in one write: its claims (path, routes) and its ids,
//! claimed for the target so that ids drawn from the source's range still reach it.

use orgcells_core::claims::{BucketType, RecordStatus, SourceTable, SubjectType};
use orgcells_core::moves::{self, MoveAction, MoveState, MoveStep};
use sqlx::AnyConnection;

use super::{ClaimError, TopologyDb};
use crate::{Result, StoreError};

/// The most values and ids one switch hands over.
pub const MAX_SWITCHED: usize = 1_000_000;

/// An Organization's latest move.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MoveRow {
    pub organization_id: i64,
    pub from_cell: i64,
    pub to_cell: i64,
    pub state: String,
    pub step: String,
    pub error: Option<String>,
    /// The latest switch's place in the order of switches (0 before the first): kept when a
    /// new move begins, so the order never goes back.
    pub seq: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl MoveRow {
    /// Its state and step, as the rules read them.
    pub fn standing(&self) -> Option<(MoveState, MoveStep)> {
        Some((MoveState::parse(&self.state)?, MoveStep::parse(&self.step)?))
    }
}

const MOVE_COLUMNS: &str =
    "organization_id, from_cell, to_cell, state, step, error, seq, created_at, updated_at";

async fn find(conn: &mut AnyConnection, organization: i64) -> Result<Option<MoveRow>> {
    let sql = format!("SELECT {MOVE_COLUMNS} FROM organization_moves WHERE organization_id = $1");
    Ok(sqlx::query_as(&sql)
        .bind(organization)
        .fetch_optional(conn)
        .await?)
}

async fn found(conn: &mut AnyConnection, organization: i64) -> Result<MoveRow, ClaimError> {
    find(conn, organization)
        .await?
        .ok_or_else(|| ClaimError::Invalid(format!("Organization {organization} has no move")))
}

/// A move's next `updated_at`: `now`, or one past the last if the clock has not moved on, so
/// that every write of a move changes it and a reading names one version.
fn stamp(row: &MoveRow, now: i64) -> i64 {
    now.max(row.updated_at + 1)
}

fn refused(error: moves::MoveRefused) -> ClaimError {
    ClaimError::Moving(error.to_string())
}

/// What a switch hands to the target: the Organization's claimed values and its ids.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Handover {
    pub values: Vec<(BucketType, String)>,
    /// `ProjectIds`, `NamespaceIds` or `OrganizationIds`, with the id.
    pub ids: Vec<(BucketType, i64)>,
}

fn subject_of(bucket: BucketType) -> Option<(SubjectType, SourceTable)> {
    match bucket {
        BucketType::ProjectIds => Some((SubjectType::Project, SourceTable::Projects)),
        BucketType::NamespaceIds => Some((SubjectType::Group, SourceTable::Namespaces)),
        BucketType::OrganizationIds => {
            Some((SubjectType::Organization, SourceTable::Organizations))
        }
        _ => None,
    }
}

async fn hand_over(
    conn: &mut AnyConnection,
    row: &MoveRow,
    handover: &Handover,
    now: i64,
) -> Result<(), ClaimError> {
    for (bucket, value) in &handover.values {
        let value = bucket.normalize(value).ok_or_else(|| {
            ClaimError::Invalid(format!("{bucket:?} {value:?} cannot be claimed"))
        })?;
        let held: Option<(i64, i64)> = sqlx::query_as(
            "SELECT cell_id, status FROM claims WHERE bucket_type = $1 AND bucket_value = $2",
        )
        .bind(i64::from(bucket.number()))
        .bind(&value)
        .fetch_optional(&mut *conn)
        .await?;
        let not_active = |status: i64| status != i64::from(RecordStatus::Active.number());
        match held {
            None => {
                return Err(ClaimError::NotClaimed {
                    bucket: *bucket,
                    value,
                });
            }
            // Handed over already (this switch runs again).
            Some((cell, _)) if cell == row.to_cell => {}
            Some((cell, _)) if cell != row.from_cell => {
                return Err(ClaimError::NotHolder {
                    bucket: *bucket,
                    value,
                });
            }
            Some((_, status)) if not_active(status) => {
                return Err(ClaimError::Leased {
                    bucket: *bucket,
                    value,
                });
            }
            Some(_) => {
                sqlx::query(
                    "UPDATE claims SET cell_id = $1, updated_at = $2 \
                     WHERE bucket_type = $3 AND bucket_value = $4",
                )
                .bind(row.to_cell)
                .bind(now)
                .bind(i64::from(bucket.number()))
                .bind(&value)
                .execute(&mut *conn)
                .await?;
            }
        }
    }
    for (bucket, id) in &handover.ids {
        let Some((subject, source)) = subject_of(*bucket).filter(|_| *id > 0) else {
            return Err(ClaimError::Invalid(format!(
                "{bucket:?} {id} is not an id to hand over"
            )));
        };
        sqlx::query(
            "INSERT INTO claims (uuid, bucket_type, bucket_value, subject_type, subject_id, \
             source_type, source_id, cell_id, lease_uuid, status, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $5, $7, NULL, $8, $9, $9) \
             ON CONFLICT (bucket_type, bucket_value) DO UPDATE SET cell_id = $7, updated_at = $9",
        )
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(i64::from(bucket.number()))
        .bind(id.to_string())
        .bind(i64::from(subject.number()))
        .bind(*id)
        .bind(i64::from(source.number()))
        .bind(row.to_cell)
        .bind(i64::from(RecordStatus::Active.number()))
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

impl TopologyDb {
    /// An Organization's latest move, if it ever moved.
    pub async fn move_of(&self, organization: i64) -> Result<Option<MoveRow>> {
        let mut conn = self.reader.acquire().await?;
        find(&mut conn, organization).await
    }

    /// Starts a move of `organization` from Cell `from` to Cell `to`: refused while another
    /// runs, or after a switch that has not finished (see `core::moves`).
    pub async fn begin_move(
        &self,
        organization: i64,
        from: i64,
        to: i64,
        now: i64,
    ) -> Result<MoveRow, ClaimError> {
        if from == to {
            return Err(ClaimError::Invalid(format!(
                "Organization {organization} is on Cell {to} already"
            )));
        }
        let input = (organization, from, to);
        self.write(&input, |conn, &(organization, from, to)| {
            Box::pin(async move {
                for cell in [from, to] {
                    let known: Option<i64> = sqlx::query_scalar("SELECT id FROM cells WHERE id = $1")
                        .bind(cell)
                        .fetch_optional(&mut *conn)
                        .await?;
                    known.ok_or(ClaimError::UnknownCell(cell))?;
                }
                let latest = find(conn, organization).await?;
                moves::allows(latest.as_ref().and_then(MoveRow::standing), false, MoveAction::Begin)
                    .map_err(refused)?;
                let now = latest.as_ref().map_or(now, |row| stamp(row, now));
                sqlx::query(
                    "INSERT INTO organization_moves (organization_id, from_cell, to_cell, state, step, error, seq, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, NULL, 0, $6, $6) \
                     ON CONFLICT (organization_id) DO UPDATE SET from_cell = $2, to_cell = $3, state = $4, \
                     step = $5, error = NULL, created_at = $6, updated_at = $6",
                )
                .bind(organization)
                .bind(from)
                .bind(to)
                .bind(MoveState::Running.as_str())
                .bind(MoveStep::Copying.as_str())
                .bind(now)
                .execute(&mut *conn)
                .await?;
                found(conn, organization).await
            })
        })
        .await
    }

    /// Records where a move stands: its state, its step and, for a failure, why; only if the
    /// move is still as its caller read it (`read`: its `updated_at` then). Of two callers
    /// acting on the same reading (a resume and a rollback, two resumes), one wins and the
    /// other is refused, having changed nothing.
    pub async fn set_move(
        &self,
        organization: i64,
        read: i64,
        state: MoveState,
        step: MoveStep,
        error: Option<&str>,
        now: i64,
    ) -> Result<MoveRow, ClaimError> {
        let input = (organization, state, step, error.map(str::to_owned));
        self.write(&input, |conn, (organization, state, step, error)| {
            Box::pin(async move {
                let row = found(conn, *organization).await?;
                if row.updated_at != read {
                    return Err(ClaimError::Moving(format!(
                        "the move of Organization {organization} changed since it was read: it is {} ({})",
                        row.state, row.step
                    )));
                }
                sqlx::query(
                    "UPDATE organization_moves SET state = $1, step = $2, error = $3, updated_at = $4 \
                     WHERE organization_id = $5",
                )
                .bind(state.as_str())
                .bind(step.as_str())
                .bind(error.as_deref())
                .bind(stamp(&row, now))
                .bind(*organization)
                .execute(&mut *conn)
                .await?;
                found(conn, *organization).await
            })
        })
        .await
    }

    /// Hands the Organization to its move's target in one write: every value of `handover`
    /// the source holds goes to the target, every id is claimed for it, and the move is
    /// `switched`, numbered after every earlier switch. Running it again after it succeeded
    /// changes nothing. Refused unless the move is running and copying (or switched already);
    /// a value the source does not hold, or one a write has leased, refuses it all.
    pub async fn switch_move(
        &self,
        organization: i64,
        handover: &Handover,
        now: i64,
    ) -> Result<MoveRow, ClaimError> {
        if handover.values.len() + handover.ids.len() > MAX_SWITCHED {
            return Err(ClaimError::Invalid(format!(
                "a switch hands over at most {MAX_SWITCHED} values and ids"
            )));
        }
        self.write(handover, |conn, handover| {
            Box::pin(async move {
                let row = found(conn, organization).await?;
                match row.standing() {
                    Some((MoveState::Running, MoveStep::Copying)) => {}
                    Some((MoveState::Running, step)) if step.switched() => return Ok(row),
                    _ => {
                        return Err(ClaimError::Moving(format!(
                            "the move of Organization {organization} is {} ({}), not copying",
                            row.state, row.step
                        )));
                    }
                }
                hand_over(conn, &row, handover, now).await?;
                let last: i64 =
                    sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM organization_moves")
                        .fetch_one(&mut *conn)
                        .await?;
                sqlx::query(
                    "UPDATE organization_moves SET step = $1, seq = $2, updated_at = $3 \
                     WHERE organization_id = $4",
                )
                .bind(MoveStep::Switched.as_str())
                .bind(last + 1)
                .bind(stamp(&row, now))
                .bind(organization)
                .execute(&mut *conn)
                .await
                .map_err(|error| ClaimError::Store(StoreError::from(error)))?;
                found(conn, organization).await
            })
        })
        .await
    }

    /// The switches after `seq`, in order, at most `limit`: what routers forget.
    pub async fn switches_after(&self, seq: i64, limit: i64) -> Result<Vec<MoveRow>> {
        let sql = format!(
            "SELECT {MOVE_COLUMNS} FROM organization_moves WHERE seq > $1 ORDER BY seq LIMIT $2"
        );
        Ok(sqlx::query_as(&sql)
            .bind(seq)
            .bind(limit.clamp(1, super::MAX_PAGE))
            .fetch_all(&self.reader)
            .await?)
    }
}
