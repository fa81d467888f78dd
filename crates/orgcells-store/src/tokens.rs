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

/// The token with this digest and its User, in one read (every authenticated request does it).
pub async fn find_by_digest(
    conn: &mut AnyConnection,
    digest: &str,
) -> Result<Option<(TokenRow, UserRow)>> {
    let row = sqlx::query(
        "SELECT u.id, u.username, u.email, u.name, u.state, u.bot, u.admin, u.password_hash, u.home_organization_id, \
         u.created_at, u.updated_at, t.id AS token_id, t.name AS token_name, t.scopes, t.expires_at, t.revoked, \
         t.created_at AS token_created_at, t.last_used_at FROM personal_access_tokens t JOIN users u ON u.id = t.user_id \
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
    Ok(Some((token, user)))
}

pub async fn list_for_user(conn: &mut AnyConnection, user: i64) -> Result<Vec<TokenRow>> {
    let sql = format!(
        "SELECT {TOKEN_COLUMNS} FROM personal_access_tokens WHERE user_id = $1 ORDER BY id"
    );
    Ok(sqlx::query_as(&sql).bind(user).fetch_all(conn).await?)
}
