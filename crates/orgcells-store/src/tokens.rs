//! Personal access tokens, stored as SHA-256 digests of the secret.

use sqlx::{AnyConnection, FromRow, Row};

use crate::Result;
use crate::rows::{TokenRow, UserRow};

const TOKEN_COLUMNS: &str =
    "id, user_id, name, digest, scopes, expires_at, revoked, created_at, last_used_at";

pub async fn insert(conn: &mut AnyConnection, token: &TokenRow) -> Result<()> {
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
    .bind(token.revoked)
    .bind(token.created_at)
    .bind(token.last_used_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// A token as authentication reads it: the token, its User and the User's personal namespace
/// in their home Organization.
#[derive(Debug)]
pub struct Holder {
    pub token: TokenRow,
    pub user: UserRow,
    pub namespace_id: Option<i64>,
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
        revoked: row.try_get("revoked")?,
        created_at: row.try_get("token_created_at")?,
        last_used_at: row.try_get("last_used_at")?,
    };
    Ok(Some(Holder {
        token,
        user,
        namespace_id: row.try_get("namespace_id")?,
    }))
}

pub async fn list_for_user(conn: &mut AnyConnection, user: i64) -> Result<Vec<TokenRow>> {
    let sql = format!(
        "SELECT {TOKEN_COLUMNS} FROM personal_access_tokens WHERE user_id = $1 ORDER BY id"
    );
    Ok(sqlx::query_as(&sql).bind(user).fetch_all(conn).await?)
}
