//! Users: cluster-wide, apart from the Cell-local tables. Only this module reads `users`.

use orgcells_core::ids::UserId;
use orgcells_core::lists::UserOrder;
use orgcells_core::states::UserState;
use sqlx::AnyConnection;

use crate::Result;
use crate::Totals;
use crate::db::Tx;
use crate::replica::{self, Shared};
use crate::rows::{USER_COLUMNS, UserRow};
use crate::sql::Sql;

/// Inserts a User, noted for the cluster's other Cells.
pub async fn insert(tx: &mut Tx, user: &UserRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO users (id, username, email, name, state, bot, admin, password_hash, home_organization_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(user.id)
    .bind(&user.username)
    .bind(&user.email)
    .bind(&user.name)
    .bind(user.state.as_str())
    .bind(i64::from(user.bot))
    .bind(i64::from(user.admin))
    .bind(&user.password_hash)
    .bind(user.home_organization_id)
    .bind(user.created_at)
    .bind(user.updated_at)
    .execute(tx.conn())
    .await?;
    replica::publish(tx, Shared::Users, user.id.into()).await
}

/// Changes a User, noted for the cluster's other Cells.
pub async fn update(tx: &mut Tx, user: &UserRow) -> Result<()> {
    sqlx::query(
        "UPDATE users SET username = $2, email = $3, name = $4, state = $5, bot = $6, admin = $7, password_hash = $8, \
         updated_at = $9 WHERE id = $1",
    )
    .bind(user.id)
    .bind(&user.username)
    .bind(&user.email)
    .bind(&user.name)
    .bind(user.state.as_str())
    .bind(i64::from(user.bot))
    .bind(i64::from(user.admin))
    .bind(&user.password_hash)
    .bind(user.updated_at)
    .execute(tx.conn())
    .await?;
    replica::publish(tx, Shared::Users, user.id.into()).await
}

pub async fn find(conn: &mut AnyConnection, id: UserId) -> Result<Option<UserRow>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
    Ok(sqlx::query_as(&sql).bind(id).fetch_optional(conn).await?)
}

/// A User read to be rewritten: its row locked (`FOR UPDATE` on PostgreSQL) until the write
/// commits, so two writers of one User do not undo each other.
pub async fn find_for_update(conn: &mut AnyConnection, id: UserId) -> Result<Option<UserRow>> {
    let lock = match crate::backend::Backend::of(conn) {
        crate::backend::Backend::Sqlite => "",
        crate::backend::Backend::Postgres => " FOR UPDATE",
    };
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1{lock}");
    Ok(sqlx::query_as(&sql).bind(id).fetch_optional(conn).await?)
}

pub async fn find_by_username(conn: &mut AnyConnection, username: &str) -> Result<Option<UserRow>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE lower(username) = $1");
    Ok(sqlx::query_as(&sql)
        .bind(username.to_lowercase())
        .fetch_optional(conn)
        .await?)
}

pub async fn find_by_email(conn: &mut AnyConnection, email: &str) -> Result<Option<UserRow>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE lower(email) = $1");
    Ok(sqlx::query_as(&sql)
        .bind(email.to_lowercase())
        .fetch_optional(conn)
        .await?)
}

/// The Users with these addresses (compared without case), in one statement; the caller
/// bounds the list.
pub async fn find_by_emails(conn: &mut AnyConnection, emails: &[&str]) -> Result<Vec<UserRow>> {
    if emails.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (1..=emails.len()).map(|n| format!("${n}")).collect();
    let sql = format!(
        "SELECT {USER_COLUMNS} FROM users WHERE lower(email) IN ({})",
        placeholders.join(", ")
    );
    let mut query = sqlx::query_as(&sql);
    for email in emails {
        query = query.bind(email.to_lowercase());
    }
    Ok(query.fetch_all(conn).await?)
}

pub async fn find_many(conn: &mut AnyConnection, ids: &[UserId]) -> Result<Vec<UserRow>> {
    let backend = crate::backend::Backend::of(conn);
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(&format!("SELECT {USER_COLUMNS} FROM users WHERE id IN "));
    sql.id_set(backend, ids.iter().copied());
    Ok(sql.query_as().fetch_all(conn).await?)
}

/// Filters of `GET /users`.
#[derive(Debug, Default, Clone)]
pub struct UserFilter {
    /// Usernames and names containing this (and, with `search_emails`, the exact email).
    pub search: Option<String>,
    /// Whether `search` also matches emails: for admins only, as GitLab's `UsersFinder`.
    pub search_emails: bool,
    pub username: Option<String>,
    /// Only Users in this state.
    pub state: Option<UserState>,
    pub admins: Option<bool>,
    pub bots: Option<bool>,
    /// Only these ids (a scope computed by the caller).
    pub ids: Option<Vec<i64>>,
    /// Never these (the Ghost User).
    pub exclude: Vec<UserId>,
}

/// The column a User list is ordered by (then by id); `None` for id alone.
fn order_column(order: UserOrder) -> Option<&'static str> {
    match order {
        UserOrder::Id => None,
        UserOrder::Name => Some("name"),
        UserOrder::Username => Some("username"),
        UserOrder::CreatedAt => Some("created_at"),
        UserOrder::UpdatedAt => Some("updated_at"),
    }
}

/// Sorting and the page of a list: keyset (`after`: rows past this id, ordered by id only)
/// or offset.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub limit: i64,
    pub offset: i64,
    pub order: UserOrder,
    pub descending: bool,
    pub after_id: Option<i64>,
}

pub async fn list(
    conn: &mut AnyConnection,
    filter: &UserFilter,
    page: Page,
    totals: Option<Totals<'_>>,
) -> Result<(Vec<UserRow>, Option<i64>)> {
    let backend = crate::backend::Backend::of(conn);
    let mut rows_sql = Sql::new(&format!("SELECT {USER_COLUMNS} FROM users WHERE 1 = 1"));
    let mut count_sql = Sql::new("SELECT COUNT(*) FROM (SELECT 1 FROM users WHERE 1 = 1");
    for q in [&mut rows_sql, &mut count_sql] {
        if let Some(search) = &filter.search {
            let pattern = crate::namespaces::like_pattern(search);
            q.push(" AND (lower(username) LIKE ")
                .text(pattern.clone())
                .push(" ESCAPE '\\' OR lower(name) LIKE ")
                .text(pattern)
                .push(" ESCAPE '\\'");
            if filter.search_emails {
                q.push(" OR lower(email) = ").text(search.to_lowercase());
            }
            q.push(")");
        }
        if let Some(username) = &filter.username {
            q.push(" AND lower(username) = ")
                .text(username.to_lowercase());
        }
        if let Some(state) = &filter.state {
            q.push(" AND state = ").text(state.as_str());
        }
        if let Some(admins) = filter.admins {
            q.push(" AND admin = ").int(i64::from(admins));
        }
        if let Some(bots) = filter.bots {
            q.push(" AND bot = ").int(i64::from(bots));
        }
        if let Some(ids) = &filter.ids {
            q.push(" AND id IN ").id_set(backend, ids.iter().copied());
        }
        if !filter.exclude.is_empty() {
            q.push(" AND id NOT IN ")
                .id_set(backend, filter.exclude.iter().copied());
        }
    }
    count_sql.push(crate::sql::COUNT_CAP);
    if let Some(after) = page.after_id {
        rows_sql
            .push(if page.descending {
                " AND id < "
            } else {
                " AND id > "
            })
            .int(after);
    }
    let direction = if page.descending { " DESC" } else { "" };
    rows_sql.push(" ORDER BY ");
    if let Some(column) = order_column(page.order) {
        rows_sql.push(column).push(direction).push(", ");
    }
    rows_sql.push("id").push(direction);
    rows_sql
        .push(" LIMIT ")
        .int(page.limit)
        .push(" OFFSET ")
        .int(page.offset);
    let rows = rows_sql.query_as().fetch_all(&mut *conn).await?;
    let total = match totals {
        Some(totals) => Some(totals.of(conn, &count_sql).await?),
        None => None,
    };
    Ok((rows, total))
}

/// Deletes a User and their tokens, noted for the cluster's other Cells.
pub async fn delete(tx: &mut Tx, id: UserId) -> Result<()> {
    sqlx::query("DELETE FROM personal_access_tokens WHERE user_id = $1")
        .bind(id)
        .execute(tx.conn())
        .await?;
    sqlx::query("DELETE FROM users WHERE id = $1")
        .bind(id)
        .execute(tx.conn())
        .await?;
    replica::publish(tx, Shared::Users, id.into()).await
}
