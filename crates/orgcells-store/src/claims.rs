//! Claims on globally unique values: usernames, emails, routes (full paths of Groups, Projects,
//! personal namespaces and their redirects) and Organization paths.
//!
//! This is the one door to global uniqueness. The claims are rows beside the Cell's, taken inside
//! the Cell's own write transaction, so a claim and the row that holds the value commit or roll
//! back together: the Cell's book of what it holds. Each claim taken or released is also noted in
//! the transaction ([`ClaimOp`], [`Tx::take_claim_ops`]): a Cell of a cluster hands those to the
//! topology service as one lease before it commits (lease first, commit later), so no two Cells
//! hold one value.

use sqlx::AnyConnection;

use crate::{Result, StoreError, Tx};

/// The kinds of globally unique value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    Username,
    Email,
    /// A full path: top-level Group, subgroup, Project, personal namespace, or a redirect.
    Route,
    OrganizationPath,
    /// An old path of a renamed Organization: it leads there until a path claim takes it.
    OrganizationRedirect,
}

impl Bucket {
    const ALL: [Bucket; 5] = [
        Bucket::Username,
        Bucket::Email,
        Bucket::Route,
        Bucket::OrganizationPath,
        Bucket::OrganizationRedirect,
    ];

    fn name(self) -> &'static str {
        match self {
            Bucket::Username => "username",
            Bucket::Email => "email",
            Bucket::Route => "route",
            Bucket::OrganizationPath => "organization_path",
            Bucket::OrganizationRedirect => "organization_redirect",
        }
    }

    /// The field a refused value is reported on (`{"message": {FIELD: ["has already been taken"]}}`).
    pub fn field(self) -> &'static str {
        match self {
            Bucket::Username => "username",
            Bucket::Email => "email",
            Bucket::Route | Bucket::OrganizationPath | Bucket::OrganizationRedirect => "path",
        }
    }

    fn named(name: &str) -> Option<Bucket> {
        Bucket::ALL.into_iter().find(|b| b.name() == name)
    }
}

/// Who holds a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Owner<'a> {
    pub kind: &'a str,
    pub id: i64,
}

/// A claim a transaction took (`create`) or released, as the topology service is told of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimOp {
    pub create: bool,
    pub bucket: Bucket,
    /// Lowercased, as stored.
    pub value: String,
    /// The holder's kind (`user`, `namespace`, `project`, `organization`) and id.
    pub owner_kind: String,
    pub owner_id: i64,
}

/// Whether a value is already claimed (case-insensitively).
pub async fn is_taken(conn: &mut AnyConnection, bucket: Bucket, value: &str) -> Result<bool> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT owner_id FROM claims WHERE bucket = $1 AND value = $2")
            .bind(bucket.name())
            .bind(value.to_lowercase())
            .fetch_optional(conn)
            .await?;
    Ok(found.is_some())
}

/// The holder of a claimed value, if any.
pub async fn holder(
    conn: &mut AnyConnection,
    bucket: Bucket,
    value: &str,
) -> Result<Option<(String, i64)>> {
    let found: Option<(String, i64)> =
        sqlx::query_as("SELECT owner_type, owner_id FROM claims WHERE bucket = $1 AND value = $2")
            .bind(bucket.name())
            .bind(value.to_lowercase())
            .fetch_optional(conn)
            .await?;
    Ok(found)
}

/// Claims a value for `owner`. `Ok(false)` when someone else holds it; claiming a value one
/// already holds succeeds.
pub async fn claim(
    tx: &mut Tx,
    bucket: Bucket,
    value: &str,
    owner: Owner<'_>,
    cell: i64,
    now: i64,
) -> Result<bool> {
    let conn = tx.conn();
    let inserted = sqlx::query(
        "INSERT INTO claims (bucket, value, owner_type, owner_id, cell_id, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (bucket, value) DO NOTHING",
    )
    .bind(bucket.name())
    .bind(value.to_lowercase())
    .bind(owner.kind)
    .bind(owner.id)
    .bind(cell)
    .bind(now)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if inserted == 1 {
        tx.record_claim(ClaimOp {
            create: true,
            bucket,
            value: value.to_lowercase(),
            owner_kind: owner.kind.to_owned(),
            owner_id: owner.id,
        });
        return Ok(true);
    }
    let holder = holder(tx.conn(), bucket, value).await?;
    Ok(holder.is_some_and(|(kind, id)| kind == owner.kind && id == owner.id))
}

/// Notes the claims a statement deleted (`RETURNING bucket, value, owner_type, owner_id`).
async fn record_released<'q>(
    tx: &mut Tx,
    statement: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
) -> Result<()> {
    let rows: Vec<(String, String, String, i64)> = {
        use sqlx::Row;
        statement
            .fetch_all(tx.conn())
            .await?
            .into_iter()
            .map(|row| {
                Ok((
                    row.try_get(0)?,
                    row.try_get(1)?,
                    row.try_get(2)?,
                    row.try_get(3)?,
                ))
            })
            .collect::<std::result::Result<_, sqlx::Error>>()?
    };
    for (bucket, value, owner_kind, owner_id) in rows {
        let bucket = Bucket::named(&bucket).ok_or_else(|| {
            StoreError::Database(sqlx::Error::Decode(
                format!("unknown claim bucket {bucket}").into(),
            ))
        })?;
        tx.record_claim(ClaimOp {
            create: false,
            bucket,
            value,
            owner_kind,
            owner_id,
        });
    }
    Ok(())
}

const RELEASED: &str = " RETURNING bucket, value, owner_type, owner_id";

/// Releases a value held by `owner`.
pub async fn release(tx: &mut Tx, bucket: Bucket, value: &str, owner: Owner<'_>) -> Result<()> {
    let sql = format!(
        "DELETE FROM claims WHERE bucket = $1 AND value = $2 AND owner_type = $3 AND owner_id = $4{RELEASED}"
    );
    let statement = sqlx::query(&sql)
        .bind(bucket.name())
        .bind(value.to_lowercase())
        .bind(owner.kind)
        .bind(owner.id);
    record_released(tx, statement).await
}

/// Releases every route claimed under a path prefix by Groups and Projects (a deleted subtree).
pub async fn release_routes_below(tx: &mut Tx, full_path: &str) -> Result<()> {
    let prefix = full_path.to_lowercase();
    let sql = format!(
        "DELETE FROM claims WHERE bucket = 'route' AND (value = $1 OR (value >= $2 AND value < $3)){RELEASED}"
    );
    let statement = sqlx::query(&sql)
        .bind(prefix.clone())
        .bind(format!("{prefix}/"))
        .bind(format!("{prefix}0"));
    record_released(tx, statement).await
}

/// Releases every claim held by an owner (a deleted User, Group or Project).
pub async fn release_all(tx: &mut Tx, owner: Owner<'_>) -> Result<()> {
    let sql = format!("DELETE FROM claims WHERE owner_type = $1 AND owner_id = $2{RELEASED}");
    let statement = sqlx::query(&sql).bind(owner.kind).bind(owner.id);
    record_released(tx, statement).await
}

/// Turns a refused claim into the conflict the service reports on `field`.
pub fn taken(field: &str) -> StoreError {
    StoreError::Conflict(field.to_owned())
}
