//! Claims: every globally unique value, held by the Cell that claimed it. A Cell claims inside
//! its own write, *lease first, commit later* (GitLab's `ClaimService`): [`TopologyDb::begin_update`]
//! takes its creates and destroys as one lease, all or nothing, refusing at once a value that is
//! taken or leased; the Cell commits its transaction and then [`TopologyDb::commit_update`]s the
//! lease, or [`TopologyDb::rollback_update`]s it when its transaction failed. A leased value stays
//! taken until the lease ends, so no other Cell can take it meanwhile.

use orgcells_core::claims::{BucketType, RecordStatus, SourceTable, SubjectType};
use sqlx::AnyConnection;

use super::TopologyDb;
use super::changes::{self, RowChange};
use crate::StoreError;

/// The most records or leases one page lists.
pub const MAX_PAGE: i64 = 1000;

/// Why a claim operation was refused.
#[derive(Debug, thiserror::Error)]
pub enum ClaimError {
    #[error("{0}")]
    Invalid(String),
    #[error("unknown cell {0}")]
    UnknownCell(i64),
    #[error("{bucket:?} {value:?} has already been taken")]
    Taken { bucket: BucketType, value: String },
    #[error("{bucket:?} {value:?} is being changed by another update; try again")]
    Leased { bucket: BucketType, value: String },
    #[error("{bucket:?} {value:?} is held by another cell")]
    NotHolder { bucket: BucketType, value: String },
    #[error("{bucket:?} {value:?} is not claimed")]
    NotClaimed { bucket: BucketType, value: String },
    #[error("unknown lease {0}")]
    UnknownLease(String),
    #[error("lease {0} belongs to another cell")]
    NotLeaseHolder(String),
    /// An Organization's move does not allow what was asked.
    #[error("{0}")]
    Moving(String),
    /// The database kept reporting lost races; the caller may retry.
    #[error("the topology database is busy: {0}")]
    Busy(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for ClaimError {
    fn from(error: sqlx::Error) -> ClaimError {
        ClaimError::Store(StoreError::from(error))
    }
}

/// A value to claim, and what it stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewClaim {
    pub bucket: BucketType,
    /// As given; compared and stored normalized ([`BucketType::normalize`]).
    pub value: String,
    pub subject: SubjectType,
    pub subject_id: i64,
    pub source: SourceTable,
    pub source_id: i64,
}

/// A claim as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimRow {
    pub uuid: String,
    pub bucket: BucketType,
    pub value: String,
    pub subject: SubjectType,
    pub subject_id: i64,
    pub source: SourceTable,
    pub source_id: i64,
    pub cell_id: i64,
    pub lease_uuid: Option<String>,
    pub status: RecordStatus,
    pub created_at: i64,
}

/// An update begun and not yet ended, with the claims it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaseRow {
    pub uuid: String,
    pub cell_id: i64,
    pub created_at: i64,
    pub records: Vec<ClaimRow>,
}

#[derive(sqlx::FromRow)]
struct StoredClaim {
    uuid: String,
    bucket_type: i64,
    bucket_value: String,
    subject_type: i64,
    subject_id: i64,
    source_type: i64,
    source_id: i64,
    cell_id: i64,
    lease_uuid: Option<String>,
    status: i64,
    created_at: i64,
}

const CLAIM_COLUMNS: &str = "uuid, bucket_type, bucket_value, subject_type, subject_id, \
     source_type, source_id, cell_id, lease_uuid, status, created_at";

impl TryFrom<StoredClaim> for ClaimRow {
    type Error = StoreError;

    fn try_from(row: StoredClaim) -> Result<ClaimRow, StoreError> {
        let number = |n: i64| i32::try_from(n).unwrap_or(-1);
        let unknown = |what: &str, n: i64| {
            StoreError::Database(sqlx::Error::Decode(
                format!("unknown claim {what} {n}").into(),
            ))
        };
        Ok(ClaimRow {
            bucket: BucketType::from_number(number(row.bucket_type))
                .ok_or_else(|| unknown("bucket", row.bucket_type))?,
            subject: SubjectType::from_number(number(row.subject_type))
                .ok_or_else(|| unknown("subject", row.subject_type))?,
            source: SourceTable::from_number(number(row.source_type))
                .ok_or_else(|| unknown("source", row.source_type))?,
            status: RecordStatus::from_number(number(row.status))
                .ok_or_else(|| unknown("status", row.status))?,
            uuid: row.uuid,
            value: row.bucket_value,
            subject_id: row.subject_id,
            source_id: row.source_id,
            cell_id: row.cell_id,
            lease_uuid: row.lease_uuid,
            created_at: row.created_at,
        })
    }
}

fn decode(rows: Vec<StoredClaim>) -> Result<Vec<ClaimRow>, StoreError> {
    rows.into_iter().map(ClaimRow::try_from).collect()
}

/// A value normalized for its bucket, or the refusal naming it.
fn key(bucket: BucketType, value: &str) -> Result<(BucketType, String), ClaimError> {
    bucket
        .normalize(value)
        .map(|value| (bucket, value))
        .ok_or_else(|| ClaimError::Invalid(format!("{bucket:?} {value:?} cannot be claimed")))
}

/// An update of `cell`'s claims with its values normalized: each at most once, and never both
/// created and destroyed.
fn validate(
    cell: i64,
    creates: &[NewClaim],
    destroys: &[(BucketType, String)],
    rows: &[RowChange],
    now: i64,
) -> Result<Begin, ClaimError> {
    if creates.is_empty() && destroys.is_empty() && rows.is_empty() {
        return Err(ClaimError::Invalid(
            "an update creates or destroys at least one claim, or changes a row".into(),
        ));
    }
    changes::check(rows)?;
    if i64::try_from(rows.len()).unwrap_or(i64::MAX) > MAX_PAGE {
        return Err(ClaimError::Invalid(format!(
            "an update changes at most {MAX_PAGE} rows"
        )));
    }
    let total = creates.len() + destroys.len();
    if i64::try_from(total).unwrap_or(i64::MAX) > MAX_PAGE {
        return Err(ClaimError::Invalid(format!(
            "an update holds at most {MAX_PAGE} claims"
        )));
    }
    let mut seen = std::collections::HashSet::new();
    let mut normalized_creates = Vec::with_capacity(creates.len());
    for claim in creates {
        let (bucket, value) = key(claim.bucket, &claim.value)?;
        if !seen.insert((bucket, value.clone())) {
            return Err(ClaimError::Invalid(format!(
                "{bucket:?} {value:?} appears twice in one update"
            )));
        }
        normalized_creates.push((claim.clone(), value));
    }
    let mut normalized_destroys = Vec::with_capacity(destroys.len());
    for (bucket, value) in destroys {
        let (bucket, value) = key(*bucket, value)?;
        if !seen.insert((bucket, value.clone())) {
            return Err(ClaimError::Invalid(format!(
                "{bucket:?} {value:?} appears twice in one update"
            )));
        }
        normalized_destroys.push((bucket, value));
    }
    Ok(Begin {
        cell,
        lease: uuid::Uuid::new_v4().to_string(),
        creates: normalized_creates,
        destroys: normalized_destroys,
        rows: rows.to_vec(),
        now,
    })
}

async fn find(
    conn: &mut AnyConnection,
    bucket: BucketType,
    value: &str,
) -> Result<Option<ClaimRow>, StoreError> {
    let sql =
        format!("SELECT {CLAIM_COLUMNS} FROM claims WHERE bucket_type = $1 AND bucket_value = $2");
    let row: Option<StoredClaim> = sqlx::query_as(&sql)
        .bind(i64::from(bucket.number()))
        .bind(value)
        .fetch_optional(conn)
        .await?;
    row.map(ClaimRow::try_from).transpose()
}

/// The lease's Cell, or the refusal.
async fn lease_of(conn: &mut AnyConnection, cell: i64, lease: &str) -> Result<(), ClaimError> {
    let holder: Option<i64> =
        sqlx::query_scalar("SELECT cell_id FROM claim_leases WHERE uuid = $1")
            .bind(lease)
            .fetch_optional(conn)
            .await?;
    match holder {
        None => Err(ClaimError::UnknownLease(lease.to_owned())),
        Some(holder) if holder != cell => Err(ClaimError::NotLeaseHolder(lease.to_owned())),
        Some(_) => Ok(()),
    }
}

/// An update to begin, its values normalized.
struct Begin {
    cell: i64,
    lease: String,
    creates: Vec<(NewClaim, String)>,
    destroys: Vec<(BucketType, String)>,
    /// The cluster-wide rows the update changes, appended to the log when it commits.
    rows: Vec<RowChange>,
    now: i64,
}

async fn begin_in(conn: &mut AnyConnection, update: &Begin) -> Result<(), ClaimError> {
    let Begin {
        cell,
        ref lease,
        ref creates,
        ref destroys,
        ref rows,
        now,
    } = *update;
    let known: Option<i64> = sqlx::query_scalar("SELECT id FROM cells WHERE id = $1")
        .bind(cell)
        .fetch_optional(&mut *conn)
        .await?;
    if known.is_none() {
        return Err(ClaimError::UnknownCell(cell));
    }
    sqlx::query("INSERT INTO claim_leases (uuid, cell_id, created_at) VALUES ($1, $2, $3)")
        .bind(lease)
        .bind(cell)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    changes::hold(conn, lease, rows).await?;
    for (claim, value) in creates {
        let inserted = sqlx::query(
            "INSERT INTO claims (uuid, bucket_type, bucket_value, subject_type, subject_id, source_type, source_id, \
             cell_id, lease_uuid, status, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) \
             ON CONFLICT (bucket_type, bucket_value) DO NOTHING",
        )
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(i64::from(claim.bucket.number()))
        .bind(value)
        .bind(i64::from(claim.subject.number()))
        .bind(claim.subject_id)
        .bind(i64::from(claim.source.number()))
        .bind(claim.source_id)
        .bind(cell)
        .bind(lease)
        .bind(i64::from(RecordStatus::LeaseCreating.number()))
        .bind(now)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if inserted == 1 {
            continue;
        }
        let existing = find(conn, claim.bucket, value).await?;
        let refused = |holder: &ClaimRow| {
            let (bucket, value) = (claim.bucket, value.clone());
            if holder.status == RecordStatus::Active {
                ClaimError::Taken { bucket, value }
            } else {
                ClaimError::Leased { bucket, value }
            }
        };
        match existing {
            // Claiming again what this Cell already holds for the same subject changes nothing.
            Some(holder)
                if holder.status == RecordStatus::Active
                    && holder.cell_id == cell
                    && holder.subject == claim.subject
                    && holder.subject_id == claim.subject_id => {}
            Some(holder) => return Err(refused(&holder)),
            // Gone between the insert and the read: the transaction lost a race.
            None => return Err(StoreError::Busy("a claim changed while it was read".into()).into()),
        }
    }
    for (bucket, value) in destroys {
        let updated = sqlx::query(
            "UPDATE claims SET status = $1, lease_uuid = $2, updated_at = $3 \
             WHERE bucket_type = $4 AND bucket_value = $5 AND status = $6 AND cell_id = $7",
        )
        .bind(i64::from(RecordStatus::LeaseDestroying.number()))
        .bind(lease)
        .bind(now)
        .bind(i64::from(bucket.number()))
        .bind(value)
        .bind(i64::from(RecordStatus::Active.number()))
        .bind(cell)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if updated == 1 {
            continue;
        }
        let (bucket, value) = (*bucket, value.clone());
        return Err(match find(conn, bucket, &value).await? {
            None => ClaimError::NotClaimed { bucket, value },
            Some(holder) if holder.cell_id != cell => ClaimError::NotHolder { bucket, value },
            Some(_) => ClaimError::Leased { bucket, value },
        });
    }
    Ok(())
}

/// Ends a lease: `commit` keeps what it created and drops what it destroyed; a rollback does
/// the reverse.
struct End {
    cell: i64,
    lease: String,
    commit: bool,
    now: i64,
}

async fn end_in(conn: &mut AnyConnection, end: &End) -> Result<(), ClaimError> {
    let End {
        cell,
        ref lease,
        commit,
        now,
    } = *end;
    lease_of(conn, cell, lease).await?;
    let (dropped, kept) = if commit {
        (RecordStatus::LeaseDestroying, RecordStatus::LeaseCreating)
    } else {
        (RecordStatus::LeaseCreating, RecordStatus::LeaseDestroying)
    };
    sqlx::query("DELETE FROM claims WHERE lease_uuid = $1 AND status = $2")
        .bind(lease)
        .bind(i64::from(dropped.number()))
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "UPDATE claims SET status = $1, lease_uuid = NULL, updated_at = $2 WHERE lease_uuid = $3 AND status = $4",
    )
    .bind(i64::from(RecordStatus::Active.number()))
    .bind(now)
    .bind(lease)
    .bind(i64::from(kept.number()))
    .execute(&mut *conn)
    .await?;
    changes::end(conn, cell, lease, commit, now).await?;
    sqlx::query("DELETE FROM claim_leases WHERE uuid = $1")
        .bind(lease)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

impl TopologyDb {
    /// Begins an update of `cell`'s claims and cluster-wide rows, all or nothing: the new
    /// lease's id.
    pub async fn begin_update(
        &self,
        cell: i64,
        creates: &[NewClaim],
        destroys: &[(BucketType, String)],
        rows: &[RowChange],
        now: i64,
    ) -> Result<String, ClaimError> {
        let update = validate(cell, creates, destroys, rows, now)?;
        self.write(&update, |conn, update| Box::pin(begin_in(conn, update)))
            .await?;
        Ok(update.lease)
    }

    /// Commits a lease of `cell`: what it created is held, what it destroyed is gone.
    pub async fn commit_update(&self, cell: i64, lease: &str, now: i64) -> Result<(), ClaimError> {
        self.end(cell, lease, true, now).await
    }

    /// Rolls a lease of `cell` back: what it created is gone, what it destroyed is held again.
    pub async fn rollback_update(
        &self,
        cell: i64,
        lease: &str,
        now: i64,
    ) -> Result<(), ClaimError> {
        self.end(cell, lease, false, now).await
    }

    async fn end(&self, cell: i64, lease: &str, commit: bool, now: i64) -> Result<(), ClaimError> {
        let end = End {
            cell,
            lease: lease.to_owned(),
            commit,
            now,
        };
        self.write(&end, |conn, end| Box::pin(end_in(conn, end)))
            .await
    }

    /// The claim on a value, whatever its status.
    pub async fn record(
        &self,
        bucket: BucketType,
        value: &str,
    ) -> Result<Option<ClaimRow>, ClaimError> {
        let (bucket, value) = key(bucket, value)?;
        let mut conn = self.reader.acquire().await?;
        Ok(find(&mut conn, bucket, &value).await?)
    }

    /// `cell`'s outstanding leases, oldest first, with their claims: a page of at most `limit`
    /// after the lease `after`.
    pub async fn leases(
        &self,
        cell: i64,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<LeaseRow>, ClaimError> {
        let limit = limit.clamp(1, MAX_PAGE);
        let mut conn = self.reader.acquire().await?;
        let leases: Vec<(String, i64, i64)> = match after {
            None => {
                sqlx::query_as(
                    "SELECT uuid, cell_id, created_at FROM claim_leases WHERE cell_id = $1 \
                     ORDER BY created_at, uuid LIMIT $2",
                )
                .bind(cell)
                .bind(limit)
                .fetch_all(&mut *conn)
                .await?
            }
            Some(after) => {
                sqlx::query_as(
                    "SELECT l.uuid, l.cell_id, l.created_at FROM claim_leases l, claim_leases a \
                     WHERE a.uuid = $2 AND l.cell_id = $1 \
                     AND (l.created_at > a.created_at OR (l.created_at = a.created_at AND l.uuid > a.uuid)) \
                     ORDER BY l.created_at, l.uuid LIMIT $3",
                )
                .bind(cell)
                .bind(after)
                .bind(limit)
                .fetch_all(&mut *conn)
                .await?
            }
        };
        if leases.is_empty() {
            return Ok(Vec::new());
        }
        // The page's claims in one read: at most MAX_PAGE placeholders, which both backends take.
        let placeholders: Vec<String> = (1..=leases.len()).map(|n| format!("${n}")).collect();
        let sql = format!(
            "SELECT {CLAIM_COLUMNS} FROM claims WHERE lease_uuid IN ({}) ORDER BY uuid",
            placeholders.join(", ")
        );
        let mut query = sqlx::query_as::<_, StoredClaim>(&sql);
        for (uuid, _, _) in &leases {
            query = query.bind(uuid);
        }
        let mut claims = decode(query.fetch_all(&mut *conn).await?)?;
        let mut out = Vec::with_capacity(leases.len());
        for (uuid, cell_id, created_at) in leases {
            let (records, rest) = claims
                .into_iter()
                .partition(|claim| claim.lease_uuid.as_deref() == Some(uuid.as_str()));
            claims = rest;
            out.push(LeaseRow {
                uuid,
                cell_id,
                created_at,
                records,
            });
        }
        Ok(out)
    }

    /// `cell`'s claims (of one source table, or all), by uuid: a page of at most `limit` after
    /// the claim `after`.
    pub async fn records(
        &self,
        cell: i64,
        source: Option<SourceTable>,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<ClaimRow>, ClaimError> {
        let limit = limit.clamp(1, MAX_PAGE);
        let sql = format!(
            "SELECT {CLAIM_COLUMNS} FROM claims WHERE cell_id = $1 \
             AND ($2 = 0 OR source_type = $2) AND uuid > $3 ORDER BY uuid LIMIT $4"
        );
        let rows: Vec<StoredClaim> = sqlx::query_as(&sql)
            .bind(cell)
            .bind(i64::from(source.map_or(0, SourceTable::number)))
            .bind(after.unwrap_or(""))
            .bind(limit)
            .fetch_all(&self.reader)
            .await?;
        Ok(decode(rows)?)
    }
}
