//! The cluster-wide rows (Users and their personal access tokens) as a cluster shares them. The
//! first Cell writes them: each write notes the row's new state in its `Tx`
//! ([`publish`]), and the Cell hands the notes to the topology service with the write's lease,
//! which appends them to the cluster's change log when the lease commits. Every other Cell
//! copies the log, in order, into its own tables ([`apply`]), so authentication and reads need
//! no other Cell and survive a topology outage.

use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;

use crate::db::Tx;
use crate::topology::RowChange;
use crate::{Result, StoreError};

/// A table whose rows are cluster-wide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shared {
    Users,
    Tokens,
}

impl Shared {
    pub fn table(self) -> &'static str {
        match self {
            Shared::Users => "users",
            Shared::Tokens => "personal_access_tokens",
        }
    }

    pub fn from_table(table: &str) -> Option<Shared> {
        match table {
            "users" => Some(Shared::Users),
            "personal_access_tokens" => Some(Shared::Tokens),
            _ => None,
        }
    }
}

/// A User as the log carries it: every column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
struct UserCopy {
    id: i64,
    username: String,
    email: String,
    name: String,
    state: String,
    bot: i64,
    admin: i64,
    password_hash: Option<String>,
    home_organization_id: i64,
    created_at: i64,
    updated_at: i64,
}

/// A token as the log carries it: every column but `last_used_at`, which each Cell keeps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
struct TokenCopy {
    id: i64,
    user_id: i64,
    name: String,
    digest: String,
    scopes: String,
    expires_at: Option<String>,
    revoked: i64,
    created_at: i64,
}

const USER_COPY: &str = "id, username, email, name, state, bot, admin, password_hash, \
     home_organization_id, created_at, updated_at";
const TOKEN_COPY: &str = "id, user_id, name, digest, scopes, expires_at, revoked, created_at";

fn encode(row: &impl Serialize) -> Result<String> {
    serde_json::to_string(row).map_err(|e| StoreError::Database(sqlx::Error::Encode(e.into())))
}

fn decode<T: for<'de> Deserialize<'de>>(payload: &str) -> Result<T> {
    serde_json::from_str(payload).map_err(|e| StoreError::Database(sqlx::Error::Decode(e.into())))
}

/// Notes the state of row `id` of `shared` as this transaction leaves it (gone: deleted).
pub(crate) async fn publish(tx: &mut Tx, shared: Shared, id: i64) -> Result<()> {
    let payload = match shared {
        Shared::Users => {
            let sql = format!("SELECT {USER_COPY} FROM users WHERE id = $1");
            let row: Option<UserCopy> = sqlx::query_as(&sql)
                .bind(id)
                .fetch_optional(tx.conn())
                .await?;
            row.as_ref().map(encode).transpose()?
        }
        Shared::Tokens => {
            let sql = format!("SELECT {TOKEN_COPY} FROM personal_access_tokens WHERE id = $1");
            let row: Option<TokenCopy> = sqlx::query_as(&sql)
                .bind(id)
                .fetch_optional(tx.conn())
                .await?;
            row.as_ref().map(encode).transpose()?
        }
    };
    tx.record_row(RowChange {
        table: shared.table().to_owned(),
        row_id: id,
        payload,
    });
    Ok(())
}

/// Copies one change of the log into this Cell's tables: the row as the log has it (inserted or
/// replaced), or deleted (a token; a User, with what still names them here, below). `true` when
/// a User came to this Cell, or came with another address: their invitations here are theirs.
pub async fn apply(
    conn: &mut AnyConnection,
    shared: Shared,
    id: i64,
    payload: Option<&str>,
) -> Result<bool> {
    let mut addressed = false;
    match (shared, payload) {
        (Shared::Users, Some(payload)) => {
            let user: UserCopy = decode(payload)?;
            let known: Option<String> = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
                .bind(user.id)
                .fetch_optional(&mut *conn)
                .await?;
            addressed = known.is_none_or(|email| !email.eq_ignore_ascii_case(&user.email));
            sqlx::query(
                "INSERT INTO users (id, username, email, name, state, bot, admin, password_hash, \
                 home_organization_id, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
                 ON CONFLICT (id) DO UPDATE SET username = excluded.username, \
                 email = excluded.email, name = excluded.name, state = excluded.state, \
                 bot = excluded.bot, admin = excluded.admin, \
                 password_hash = excluded.password_hash, \
                 home_organization_id = excluded.home_organization_id, \
                 updated_at = excluded.updated_at",
            )
            .bind(user.id)
            .bind(&user.username)
            .bind(&user.email)
            .bind(&user.name)
            .bind(&user.state)
            .bind(user.bot)
            .bind(user.admin)
            .bind(&user.password_hash)
            .bind(user.home_organization_id)
            .bind(user.created_at)
            .bind(user.updated_at)
            .execute(conn)
            .await?;
        }
        (Shared::Tokens, Some(payload)) => {
            let token: TokenCopy = decode(payload)?;
            sqlx::query(
                "INSERT INTO personal_access_tokens (id, user_id, name, digest, scopes, \
                 expires_at, revoked, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, scopes = excluded.scopes, \
                 expires_at = excluded.expires_at, revoked = excluded.revoked",
            )
            .bind(token.id)
            .bind(token.user_id)
            .bind(&token.name)
            .bind(&token.digest)
            .bind(&token.scopes)
            .bind(&token.expires_at)
            .bind(token.revoked)
            .bind(token.created_at)
            .execute(conn)
            .await?;
        }
        // The User's deletion removed their rows on every Cell before it removed the User
        // (`service::user_deletion`); what this Cell may have written since (a membership
        // granted by a request that raced the deletion) goes now, with the copy.
        (Shared::Users, None) => {
            let ghost = orgcells_core::ids::UserId::GHOST.0;
            for statement in [
                "DELETE FROM personal_access_tokens WHERE user_id = $1",
                "DELETE FROM members WHERE user_id = $1",
                "DELETE FROM access_requests WHERE user_id = $1",
                "DELETE FROM organization_users WHERE user_id = $1",
                "DELETE FROM user_activity WHERE user_id = $1",
            ] {
                sqlx::query(statement).bind(id).execute(&mut *conn).await?;
            }
            for statement in [
                "UPDATE members SET created_by_id = $2 WHERE created_by_id = $1",
                "UPDATE projects SET creator_id = $2 WHERE creator_id = $1",
                "UPDATE invitations SET created_by_id = $2 WHERE created_by_id = $1",
                "UPDATE organization_invitations SET created_by_id = $2 WHERE created_by_id = $1",
            ] {
                sqlx::query(statement)
                    .bind(id)
                    .bind(ghost)
                    .execute(&mut *conn)
                    .await?;
            }
            sqlx::query("DELETE FROM users WHERE id = $1")
                .bind(id)
                .execute(conn)
                .await?;
        }
        (Shared::Tokens, None) => {
            sqlx::query("DELETE FROM personal_access_tokens WHERE id = $1")
                .bind(id)
                .execute(conn)
                .await?;
        }
    }
    Ok(addressed)
}

/// The last change of the log this Cell has copied (0: none).
pub async fn cursor(conn: &mut AnyConnection) -> Result<i64> {
    let seq: Option<i64> = sqlx::query_scalar("SELECT seq FROM replication_cursor WHERE id = 1")
        .fetch_optional(conn)
        .await?;
    Ok(seq.unwrap_or(0))
}

/// Records that the log is copied up to `seq`, in the transaction that copied it.
pub async fn set_cursor(conn: &mut AnyConnection, seq: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO replication_cursor (id, seq) VALUES (1, $1) \
         ON CONFLICT (id) DO UPDATE SET seq = excluded.seq",
    )
    .bind(seq)
    .execute(conn)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shared_table_round_trips_its_name() {
        for shared in [Shared::Users, Shared::Tokens] {
            assert_eq!(Shared::from_table(shared.table()), Some(shared));
        }
        assert_eq!(Shared::from_table("organizations"), None);
    }
}
