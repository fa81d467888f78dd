//! An Organization's rows, table by table: what moves with it from one Cell to another.
//!
//! Every Cell-local row carries `organization_id`, so an Organization is the rows of [`TABLES`]
//! that name it, and the Cell's own book of the values it holds ([`crate::claims`]) for its
//! Organization path, Groups, Projects and personal namespaces. [`export`] reads them in an
//! order the foreign keys accept (parents first: namespaces by `traversal`), [`import`] writes
//! them into another Cell in the same order (what a failed earlier attempt left there is
//! replaced), [`summary`] gives each table's row count and a SHA-256 of its rows, so a copy is
//! checked against its source table by table, and [`delete`] removes them, children first.
//!
//! The rows cross in a plain form (every column is an integer or a text, or NULL), the same on
//! SQLite and PostgreSQL; Users and their tokens are cluster-wide and never move. Ids are kept:
//! they were drawn from the source Cell's range and stay unique in the cluster.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::any::AnyTypeInfoKind;
use sqlx::{AnyConnection, Column, Row, TypeInfo, ValueRef};

use crate::bulk::{self, Cell};
use crate::{Result, StoreError, Tx};

/// A table that moves with its Organization: which of its rows are the Organization's, and in
/// which order they are written.
#[derive(Debug, Clone, Copy)]
pub struct Table {
    pub name: &'static str,
    /// The rows' condition, `$1` being the Organization's id.
    filter: &'static str,
    order: &'static str,
    /// A column naming the Cell that holds the row: not copied, but set to the importing
    /// Cell's id.
    held_by: Option<&'static str>,
    /// The columns that tell its rows apart (its primary key).
    key: &'static [&'static str],
}

/// The Organization's values in the Cell's book: its path, and the routes of its Groups,
/// Projects and personal namespaces (held by their namespace, Project or User).
const CLAIMS: &str = "(owner_type = 'organization' AND owner_id = $1) \
     OR (owner_type = 'namespace' AND owner_id IN (SELECT id FROM namespaces WHERE organization_id = $1)) \
     OR (owner_type = 'project' AND owner_id IN (SELECT id FROM projects WHERE organization_id = $1)) \
     OR (owner_type = 'user' AND bucket = 'route' AND value IN \
         (SELECT lower(full_path) FROM namespaces WHERE organization_id = $1 AND kind = 'user'))";

/// The tables of an Organization, parents before children.
pub const TABLES: &[Table] = &[
    Table {
        name: "organizations",
        filter: "id = $1",
        order: "id",
        key: &["id"],
        held_by: None,
    },
    Table {
        name: "organization_avatars",
        filter: "organization_id = $1",
        order: "organization_id",
        key: &["organization_id"],
        held_by: None,
    },
    Table {
        name: "organization_invitations",
        filter: "organization_id = $1",
        order: "id",
        key: &["id"],
        held_by: None,
    },
    Table {
        name: "organization_redirects",
        filter: "organization_id = $1",
        order: "id",
        key: &["id"],
        held_by: None,
    },
    Table {
        name: "organization_users",
        filter: "organization_id = $1",
        order: "user_id",
        key: &["organization_id", "user_id"],
        held_by: None,
    },
    Table {
        name: "namespaces",
        filter: "organization_id = $1",
        order: "traversal",
        key: &["id"],
        held_by: None,
    },
    Table {
        name: "projects",
        filter: "organization_id = $1",
        order: "id",
        key: &["id"],
        held_by: None,
    },
    Table {
        name: "members",
        filter: "organization_id = $1",
        order: "id",
        key: &["id"],
        held_by: None,
    },
    Table {
        name: "invitations",
        filter: "organization_id = $1",
        order: "id",
        key: &["id"],
        held_by: None,
    },
    Table {
        name: "access_requests",
        filter: "organization_id = $1",
        order: "id",
        key: &["id"],
        held_by: None,
    },
    Table {
        name: "group_group_links",
        filter: "organization_id = $1",
        order: "id",
        key: &["id"],
        held_by: None,
    },
    Table {
        name: "project_group_links",
        filter: "organization_id = $1",
        order: "id",
        key: &["id"],
        held_by: None,
    },
    Table {
        name: "redirect_routes",
        filter: "organization_id = $1",
        order: "id",
        key: &["id"],
        held_by: None,
    },
    Table {
        name: "claims",
        filter: CLAIMS,
        order: "bucket, value",
        key: &["bucket", "value"],
        held_by: Some("cell_id"),
    },
];

/// A column's kind, which a NULL needs on PostgreSQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Int,
    Text,
}

/// One column's value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    Int(i64),
    Text(String),
    Null,
}

/// One table's rows of the Organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableRows {
    pub table: String,
    pub columns: Vec<(String, Kind)>,
    pub rows: Vec<Vec<Value>>,
}

/// An Organization's rows, every table of [`TABLES`] in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exported {
    pub organization_id: i64,
    pub tables: Vec<TableRows>,
}

/// What a table holds of an Organization, to compare a copy with its source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableSummary {
    pub table: String,
    pub rows: usize,
    /// SHA-256 of the rows in order, hex.
    pub sha256: String,
}

fn kind_of(kind: AnyTypeInfoKind) -> Result<Kind> {
    match kind {
        AnyTypeInfoKind::Bool
        | AnyTypeInfoKind::SmallInt
        | AnyTypeInfoKind::Integer
        | AnyTypeInfoKind::BigInt => Ok(Kind::Int),
        AnyTypeInfoKind::Text => Ok(Kind::Text),
        other => Err(StoreError::Database(sqlx::Error::Decode(
            format!("a column of kind {other:?} cannot move").into(),
        ))),
    }
}

/// The kind a column holds: its declared type, or (SQLite, where an expression has none) the
/// value's own.
fn column_kind(row: &sqlx::any::AnyRow, index: usize) -> Result<Option<Kind>> {
    let declared = row.columns()[index].type_info();
    if !declared.is_null() {
        return kind_of(declared.kind()).map(Some);
    }
    let raw = row.try_get_raw(index)?;
    if raw.is_null() {
        return Ok(None);
    }
    kind_of(raw.type_info().kind()).map(Some)
}

/// Reads `organization`'s rows, every table in order.
pub async fn export(conn: &mut AnyConnection, organization: i64) -> Result<Exported> {
    let mut tables = Vec::with_capacity(TABLES.len());
    for table in TABLES {
        let sql = format!(
            "SELECT * FROM {} WHERE {} ORDER BY {}",
            table.name, table.filter, table.order
        );
        let found = sqlx::query(&sql)
            .bind(organization)
            .fetch_all(&mut *conn)
            .await?;
        let mut columns: Vec<(String, Option<Kind>)> = Vec::new();
        let mut rows = Vec::with_capacity(found.len());
        for row in &found {
            if columns.is_empty() {
                columns = row
                    .columns()
                    .iter()
                    .map(|column| (column.name().to_owned(), None))
                    .collect();
            }
            let mut values = Vec::with_capacity(columns.len());
            for (index, column) in columns.iter_mut().enumerate() {
                let kind = column_kind(row, index)?;
                if column.1.is_none() {
                    column.1 = kind;
                }
                let raw = row.try_get_raw(index)?;
                values.push(match (raw.is_null(), kind) {
                    (true, _) | (_, None) => Value::Null,
                    (false, Some(Kind::Int)) => Value::Int(row.try_get::<i64, _>(index)?),
                    (false, Some(Kind::Text)) => Value::Text(row.try_get::<String, _>(index)?),
                });
            }
            rows.push(values);
        }
        if let Some(held_by) = table.held_by
            && let Some(at) = columns.iter().position(|(name, _)| name == held_by)
        {
            columns.remove(at);
            for row in &mut rows {
                row.remove(at);
            }
        }
        tables.push(TableRows {
            table: table.name.to_owned(),
            // A column NULL in every row is written as a NULL integer; no table has one of
            // text that is (the kinds are read from the first row that has a value).
            columns: columns
                .into_iter()
                .map(|(name, kind)| (name, kind.unwrap_or(Kind::Int)))
                .collect(),
            rows,
        });
    }
    Ok(Exported {
        organization_id: organization,
        tables,
    })
}

/// [`export`] inside one read transaction, so every table is read as of one moment (the rows
/// of a Project made between two of its reads would otherwise be half there): on PostgreSQL
/// `REPEATABLE READ`, on SQLite a read transaction's own snapshot.
pub async fn export_snapshot(conn: &mut AnyConnection, organization: i64) -> Result<Exported> {
    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
    if crate::backend::Backend::of(&tx) == crate::backend::Backend::Postgres {
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            .execute(&mut *tx)
            .await?;
    }
    let exported = export(&mut tx, organization).await?;
    tx.commit().await?;
    Ok(exported)
}

/// Each table's row count and digest.
pub fn summary(exported: &Exported) -> Vec<TableSummary> {
    exported
        .tables
        .iter()
        .map(|table| {
            let mut hash = Sha256::new();
            for row in &table.rows {
                // One JSON array per row: unambiguous, and the same on either database.
                hash.update(serde_json::to_vec(row).unwrap_or_default());
                hash.update(b"\n");
            }
            TableSummary {
                table: table.table.clone(),
                rows: table.rows.len(),
                sha256: hex::encode(hash.finalize()),
            }
        })
        .collect()
}

/// The state the move's own writes are made under: the maintenance guard leaves it alone.
/// It never outlives the transaction that sets it.
const MOVING: &str = "moving";

/// Lets the move's own writes through the maintenance guard, inside `tx`: the Organization's
/// state as it was (none when this Cell has no row of it).
async fn unguard(tx: &mut Tx, organization: i64) -> Result<Option<String>> {
    let was: Option<String> = sqlx::query_scalar("SELECT state FROM organizations WHERE id = $1")
        .bind(organization)
        .fetch_optional(tx.conn())
        .await?;
    if was.is_some() {
        reguard(tx, organization, MOVING).await?;
    }
    Ok(was)
}

async fn reguard(tx: &mut Tx, organization: i64, state: &str) -> Result<()> {
    sqlx::query("UPDATE organizations SET state = $1 WHERE id = $2")
        .bind(state)
        .bind(organization)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// The state an exported Organization row carries, and the same row written as [`MOVING`].
fn moving_row(table: &str, columns: &[(String, Kind)], row: &mut [Value]) -> Option<String> {
    if table != "organizations" {
        return None;
    }
    let at = columns.iter().position(|(name, _)| name == "state")?;
    let state = match &row[at] {
        Value::Text(state) => state.clone(),
        _ => return None,
    };
    row[at] = Value::Text(MOVING.to_owned());
    Some(state)
}

/// Removes `organization`'s rows, children first (through the maintenance guard: the move's
/// own deletion).
pub async fn delete(tx: &mut Tx, organization: i64) -> Result<()> {
    unguard(tx, organization).await?;
    for table in TABLES.iter().rev() {
        let sql = format!("DELETE FROM {} WHERE {}", table.name, table.filter);
        sqlx::query(&sql)
            .bind(organization)
            .execute(tx.conn())
            .await?;
    }
    Ok(())
}

/// Writes an exported Organization into Cell `cell`, replacing what an earlier attempt left.
/// Only the tables of [`TABLES`] are written, each column once; anything else refuses the
/// whole import.
pub async fn import(tx: &mut Tx, cell: i64, exported: &Exported) -> Result<()> {
    delete(tx, exported.organization_id).await?;
    // Written as moving, then given its state: the guard would refuse the rows of an
    // Organization imported in maintenance.
    let mut finally = None;
    for table in &exported.tables {
        let Some(known) = TABLES.iter().find(|t| t.name == table.table) else {
            return Err(refused(format!(
                "{:?} is not a table that moves",
                table.table
            )));
        };
        let columns: Vec<&str> = table
            .columns
            .iter()
            .map(|(name, _)| name.as_str())
            .chain(known.held_by)
            .collect();
        let mut named = std::collections::HashSet::new();
        if let Some(bad) = columns.iter().find(|name| {
            name.is_empty()
                || !name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
                || !named.insert(**name)
        }) {
            return Err(refused(format!(
                "{bad:?} is not a column of {} to write",
                known.name
            )));
        }
        let mut rows = Vec::with_capacity(table.rows.len());
        for row in &table.rows {
            if row.len() != table.columns.len() {
                return Err(refused(format!(
                    "a row of {} has {} values",
                    known.name,
                    row.len()
                )));
            }
            let mut row = row.clone();
            if let Some(state) = moving_row(&table.table, &table.columns, &mut row) {
                finally = Some(state);
            }
            let values = row
                .iter()
                .zip(&table.columns)
                .map(|(value, (_, kind))| cell_of(value, *kind));
            rows.push(
                values
                    .chain(known.held_by.map(|_| Cell::Int(cell)))
                    .collect(),
            );
        }
        bulk::insert(tx.conn(), known.name, &columns, &rows).await?;
    }
    if let Some(state) = finally {
        reguard(tx, exported.organization_id, &state).await?;
    }
    Ok(())
}

/// What changed in one table between two exports: rows added or changed (whole), and the keys
/// of rows removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableDelta {
    pub table: String,
    pub columns: Vec<(String, Kind)>,
    pub upserts: Vec<Vec<Value>>,
    /// The key's values of each row removed, in the table's key order.
    pub deletes: Vec<Vec<Value>>,
}

/// What changed in an Organization between two exports: what a copy made from the first needs
/// to equal the second.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delta {
    pub organization_id: i64,
    pub tables: Vec<TableDelta>,
}

impl Delta {
    /// How many rows it adds, changes or removes.
    pub fn rows(&self) -> usize {
        self.tables
            .iter()
            .map(|t| t.upserts.len() + t.deletes.len())
            .sum()
    }
}

fn key_positions(table: &Table, columns: &[(String, Kind)]) -> Result<Vec<usize>> {
    table
        .key
        .iter()
        .map(|key| {
            columns
                .iter()
                .position(|(name, _)| name == key)
                .ok_or_else(|| refused(format!("{} has no column {key}", table.name)))
        })
        .collect()
}

/// What changed from `before` to `after` (two exports of one Organization, in that order). A
/// table without rows has no columns in an export: its rows' columns come from the other.
pub fn diff(before: &Exported, after: &Exported) -> Result<Delta> {
    let empty = TableRows {
        table: String::new(),
        columns: Vec::new(),
        rows: Vec::new(),
    };
    let mut tables = Vec::with_capacity(after.tables.len());
    for rows in &after.tables {
        let Some(table) = TABLES.iter().find(|t| t.name == rows.table) else {
            return Err(refused(format!(
                "{:?} is not a table that moves",
                rows.table
            )));
        };
        let earlier = before
            .tables
            .iter()
            .find(|t| t.table == rows.table)
            .unwrap_or(&empty);
        let columns = if rows.rows.is_empty() {
            earlier.columns.clone()
        } else {
            rows.columns.clone()
        };
        if !earlier.rows.is_empty() && !rows.rows.is_empty() && earlier.columns != rows.columns {
            return Err(refused(format!(
                "{}'s columns changed between exports",
                table.name
            )));
        }
        let keys = if columns.is_empty() {
            Vec::new()
        } else {
            key_positions(table, &columns)?
        };
        let key_of = |row: &[Value]| keys.iter().map(|&i| row[i].clone()).collect::<Vec<_>>();
        let was: std::collections::HashMap<Vec<Value>, &Vec<Value>> =
            earlier.rows.iter().map(|row| (key_of(row), row)).collect();
        let mut seen = std::collections::HashSet::with_capacity(rows.rows.len());
        let mut upserts = Vec::new();
        for row in &rows.rows {
            let key = key_of(row);
            if was.get(&key).is_none_or(|before| *before != row) {
                upserts.push(row.clone());
            }
            seen.insert(key);
        }
        // Removed rows children first: the earlier export's order (parents first), reversed.
        let deletes = earlier
            .rows
            .iter()
            .rev()
            .map(|row| key_of(row))
            .filter(|key| !seen.contains(key))
            .collect();
        tables.push(TableDelta {
            table: rows.table.clone(),
            columns,
            upserts,
            deletes,
        });
    }
    Ok(Delta {
        organization_id: after.organization_id,
        tables,
    })
}

fn cell_of(value: &Value, kind: Kind) -> Cell {
    match (value, kind) {
        (Value::Int(v), _) => Cell::Int(*v),
        (Value::Text(v), _) => Cell::Text(v.clone()),
        (Value::Null, Kind::Int) => Cell::Null,
        (Value::Null, Kind::Text) => Cell::NullText,
    }
}

type Query<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

fn bind(query: Query<'_>, cell: Cell) -> Query<'_> {
    match cell {
        Cell::Int(v) => query.bind(v),
        Cell::Text(v) => query.bind(v),
        Cell::Null => query.bind(None::<i64>),
        Cell::NullText => query.bind(None::<String>),
    }
}

/// Brings a copy up to date with a [`Delta`], in Cell `cell`: rows removed children first,
/// then rows added or changed parents first (each written whole over the one with its key).
pub async fn apply(tx: &mut Tx, cell: i64, delta: &Delta) -> Result<()> {
    let mut known = Vec::with_capacity(delta.tables.len());
    for rows in &delta.tables {
        let Some(table) = TABLES.iter().find(|t| t.name == rows.table) else {
            return Err(refused(format!(
                "{:?} is not a table that moves",
                rows.table
            )));
        };
        let mut named = std::collections::HashSet::new();
        if let Some(bad) = rows
            .columns
            .iter()
            .map(|(name, _)| name.as_str())
            .find(|name| {
                name.is_empty()
                    || !name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
                    || Some(*name) == table.held_by
                    || !named.insert(*name)
            })
        {
            return Err(refused(format!(
                "{bad:?} is not a column of {} to write",
                table.name
            )));
        }
        if rows.columns.is_empty() {
            if rows.upserts.is_empty() && rows.deletes.is_empty() {
                continue;
            }
            return Err(refused(format!(
                "a change of {} names no columns",
                table.name
            )));
        }
        let keys = key_positions(table, &rows.columns)?;
        known.push((table, rows, keys));
    }
    let mut finally = unguard(tx, delta.organization_id).await?;
    for (table, rows, keys) in known.iter().rev() {
        let condition: Vec<String> = table
            .key
            .iter()
            .enumerate()
            .map(|(i, column)| format!("{column} = ${}", i + 1))
            .collect();
        let sql = format!(
            "DELETE FROM {} WHERE {}",
            table.name,
            condition.join(" AND ")
        );
        for key in &rows.deletes {
            if key.len() != keys.len() {
                return Err(refused(format!(
                    "a key of {} has {} values",
                    table.name,
                    key.len()
                )));
            }
            let mut query = sqlx::query(&sql);
            for (value, &at) in key.iter().zip(keys.iter()) {
                query = bind(query, cell_of(value, rows.columns[at].1));
            }
            query.execute(tx.conn()).await?;
        }
    }
    for (table, rows, _) in &known {
        let mut columns: Vec<&str> = rows.columns.iter().map(|(name, _)| name.as_str()).collect();
        columns.extend(table.held_by);
        let placeholders: Vec<String> = (1..=columns.len()).map(|i| format!("${i}")).collect();
        let updates: Vec<String> = columns
            .iter()
            .filter(|column| !table.key.contains(column))
            .map(|column| format!("{column} = excluded.{column}"))
            .collect();
        let sql = format!(
            "INSERT INTO {} ({}) VALUES ({}) ON CONFLICT ({}) DO UPDATE SET {}",
            table.name,
            columns.join(", "),
            placeholders.join(", "),
            table.key.join(", "),
            updates.join(", ")
        );
        for row in &rows.upserts {
            if row.len() != rows.columns.len() {
                return Err(refused(format!(
                    "a row of {} has {} values",
                    table.name,
                    row.len()
                )));
            }
            let mut row = row.clone();
            if let Some(state) = moving_row(&rows.table, &rows.columns, &mut row) {
                finally = Some(state);
            }
            let mut query = sqlx::query(&sql);
            for (value, (_, kind)) in row.iter().zip(&rows.columns) {
                query = bind(query, cell_of(value, *kind));
            }
            if table.held_by.is_some() {
                query = query.bind(cell);
            }
            query.execute(tx.conn()).await?;
        }
    }
    if let Some(state) = finally {
        reguard(tx, delta.organization_id, &state).await?;
    }
    Ok(())
}

fn refused(message: String) -> StoreError {
    StoreError::Database(sqlx::Error::Protocol(message))
}
