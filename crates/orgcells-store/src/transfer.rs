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
        held_by: None,
    },
    Table {
        name: "organization_users",
        filter: "organization_id = $1",
        order: "user_id",
        held_by: None,
    },
    Table {
        name: "namespaces",
        filter: "organization_id = $1",
        order: "traversal",
        held_by: None,
    },
    Table {
        name: "projects",
        filter: "organization_id = $1",
        order: "id",
        held_by: None,
    },
    Table {
        name: "members",
        filter: "organization_id = $1",
        order: "id",
        held_by: None,
    },
    Table {
        name: "group_group_links",
        filter: "organization_id = $1",
        order: "id",
        held_by: None,
    },
    Table {
        name: "project_group_links",
        filter: "organization_id = $1",
        order: "id",
        held_by: None,
    },
    Table {
        name: "redirect_routes",
        filter: "organization_id = $1",
        order: "id",
        held_by: None,
    },
    Table {
        name: "claims",
        filter: CLAIMS,
        order: "bucket, value",
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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

/// Removes `organization`'s rows, children first.
pub async fn delete(tx: &mut Tx, organization: i64) -> Result<()> {
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
            let values =
                row.iter()
                    .zip(&table.columns)
                    .map(|(value, (_, kind))| match (value, kind) {
                        (Value::Int(v), _) => Cell::Int(*v),
                        (Value::Text(v), _) => Cell::Text(v.clone()),
                        (Value::Null, Kind::Int) => Cell::Null,
                        (Value::Null, Kind::Text) => Cell::NullText,
                    });
            rows.push(
                values
                    .chain(known.held_by.map(|_| Cell::Int(cell)))
                    .collect(),
            );
        }
        bulk::insert(tx.conn(), known.name, &columns, &rows).await?;
    }
    Ok(())
}

fn refused(message: String) -> StoreError {
    StoreError::Database(sqlx::Error::Protocol(message))
}
