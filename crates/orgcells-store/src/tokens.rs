//! Personal access tokens, stored as SHA-256 digests of the secret.

use orgcells_core::ids::{NamespaceId, TokenId, UserId};
use sqlx::{AnyConnection, FromRow, Row};

use crate::Result;
use crate::db::Tx;
use crate::replica::{self, Shared};
use crate::rows::{Flag, TokenRow, UserRow};
use crate::sql::Sql;

const TOKEN_COLUMNS: &str =
    "id, user_id, name, digest, scopes, expires_at, revoked, created_at, last_used_at";

/// Inserts a token, noted for the cluster's other Cells.
pub async fn insert(tx: &mut Tx, token: &TokenRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO personal_access_tokens (id, user_id, name, digest, scopes, expires_at, revoked, created_at, last_used_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(token.id)
    .bind(token.user_id)
    .bind(&token.name)
    .bind(&token.digest)
    .bind(&token.scopes)
    .bind(&token.expires_at)
    .bind(i64::from(token.revoked))
    .bind(token.created_at)
    .bind(token.last_used_at)
    .execute(tx.conn())
    .await?;
    replica::publish(tx, Shared::Tokens, token.id.into()).await
}

/// A token as authentication reads it: the token, its User and the User's personal namespace
/// in their home Organization.
#[derive(Debug)]
pub struct Holder {
    pub token: TokenRow,
    pub user: UserRow,
    pub namespace_id: Option<NamespaceId>,
}

/// The token with this digest, its User and their personal namespace, in one read (every
/// authenticated request does it).
pub async fn find_by_digest(conn: &mut AnyConnection, digest: &str) -> Result<Option<Holder>> {
    let row = sqlx::query(
        "SELECT u.id, u.username, u.email, u.name, u.state, u.bot, u.admin, u.password_hash, u.home_organization_id, \
         u.created_at, u.updated_at, t.id AS token_id, t.name AS token_name, t.scopes, t.expires_at, t.revoked, \
         t.created_at AS token_created_at, t.last_used_at, n.id AS namespace_id \
         FROM personal_access_tokens t JOIN users u ON u.id = t.user_id \
         LEFT JOIN namespaces n ON n.owner_id = u.id AND n.kind = 'user' AND n.organization_id = u.home_organization_id \
         WHERE t.digest = $1",
    )
    .bind(digest)
    .fetch_optional(conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let user = UserRow::from_row(&row)?;
    let token = TokenRow {
        id: row.try_get("token_id")?,
        user_id: user.id,
        name: row.try_get("token_name")?,
        digest: digest.to_owned(),
        scopes: row.try_get("scopes")?,
        expires_at: row.try_get("expires_at")?,
        revoked: row.try_get::<Flag, _>("revoked")?.into(),
        created_at: row.try_get("token_created_at")?,
        last_used_at: row.try_get("last_used_at")?,
    };
    Ok(Some(Holder {
        token,
        user,
        namespace_id: row.try_get("namespace_id")?,
    }))
}

pub async fn list_for_user(conn: &mut AnyConnection, user: UserId) -> Result<Vec<TokenRow>> {
    let sql = format!(
        "SELECT {TOKEN_COLUMNS} FROM personal_access_tokens WHERE user_id = $1 ORDER BY id"
    );
    Ok(sqlx::query_as(&sql).bind(user).fetch_all(conn).await?)
}

pub async fn find(conn: &mut AnyConnection, id: TokenId) -> Result<Option<TokenRow>> {
    let sql = format!("SELECT {TOKEN_COLUMNS} FROM personal_access_tokens WHERE id = $1");
    Ok(sqlx::query_as(&sql).bind(id).fetch_optional(conn).await?)
}

/// Revokes a token, noted for the cluster's other Cells; false when it was revoked already
/// (or is gone).
pub async fn revoke(tx: &mut Tx, id: TokenId) -> Result<bool> {
    let done =
        sqlx::query("UPDATE personal_access_tokens SET revoked = 1 WHERE id = $1 AND revoked = 0")
            .bind(id)
            .execute(tx.conn())
            .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    replica::publish(tx, Shared::Tokens, id.into()).await?;
    Ok(true)
}

/// Which tokens a list shows.
#[derive(Debug, Clone, Default)]
pub struct TokenFilter {
    /// One User's, or (`None`) everyone's.
    pub user: Option<UserId>,
    pub revoked: Option<bool>,
    /// Names containing this, case-insensitively.
    pub search: Option<String>,
}

/// A page of tokens in id order (GitLab's default), and the total (capped at 10,001).
pub async fn list(
    conn: &mut AnyConnection,
    filter: &TokenFilter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<TokenRow>, i64)> {
    let mut rows = Sql::new(&format!(
        "SELECT {TOKEN_COLUMNS} FROM personal_access_tokens WHERE 1 = 1"
    ));
    let mut count =
        Sql::new("SELECT COUNT(*) FROM (SELECT 1 FROM personal_access_tokens WHERE 1 = 1");
    for q in [&mut rows, &mut count] {
        if let Some(user) = filter.user {
            q.push(" AND user_id = ").int(user);
        }
        if let Some(revoked) = filter.revoked {
            q.push(" AND revoked = ").int(i64::from(revoked));
        }
        if let Some(search) = &filter.search {
            q.push(" AND lower(name) LIKE ")
                .text(crate::namespaces::like_pattern(search))
                .push(" ESCAPE '\\'");
        }
    }
    count.push(crate::sql::COUNT_CAP);
    rows.push(" ORDER BY id LIMIT ")
        .int(limit)
        .push(" OFFSET ")
        .int(offset);
    let found = rows.query_as().fetch_all(&mut *conn).await?;
    let total = count.query_scalar().fetch_one(conn).await?;
    Ok((found, total))
}
