//! Personal access tokens, stored as SHA-256 digests of the secret.

use sqlx::AnyConnection;

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

/// The token with this digest and its User.
pub async fn find_by_digest(
    conn: &mut AnyConnection,
    digest: &str,
) -> Result<Option<(TokenRow, UserRow)>> {
    let sql = format!("SELECT {TOKEN_COLUMNS} FROM personal_access_tokens WHERE digest = $1");
    let token: Option<TokenRow> = sqlx::query_as(&sql)
        .bind(digest)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(token) = token else { return Ok(None) };
    let user = crate::users::find(conn, token.user_id).await?;
    Ok(user.map(|user| (token, user)))
}

pub async fn list_for_user(conn: &mut AnyConnection, user: i64) -> Result<Vec<TokenRow>> {
    let sql = format!(
        "SELECT {TOKEN_COLUMNS} FROM personal_access_tokens WHERE user_id = $1 ORDER BY id"
    );
    Ok(sqlx::query_as(&sql).bind(user).fetch_all(conn).await?)
}
