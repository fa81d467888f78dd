//! Many rows at once, for loading generated data: multi-row `INSERT`s inside the caller's
//! transaction. The rows go in as they are given; the caller keeps the invariants (claims,
//! traversals, Organization Users) as the service does.

use sqlx::AnyConnection;

use crate::{Result, Tx};

/// One value of a row.
#[derive(Debug, Clone)]
pub enum Cell {
    Int(i64),
    Text(String),
    /// NULL in an integer column.
    Null,
    /// NULL in a text column (PostgreSQL types the parameter).
    NullText,
}

impl From<i64> for Cell {
    fn from(v: i64) -> Cell {
        Cell::Int(v)
    }
}

impl From<&str> for Cell {
    fn from(v: &str) -> Cell {
        Cell::Text(v.to_owned())
    }
}

impl From<String> for Cell {
    fn from(v: String) -> Cell {
        Cell::Text(v)
    }
}

impl From<Option<i64>> for Cell {
    fn from(v: Option<i64>) -> Cell {
        v.map_or(Cell::Null, Cell::Int)
    }
}

/// Bound values per statement, well under both databases' limits.
const VALUES_PER_STATEMENT: usize = 4000;

/// Inserts rows into `table` (`columns` in order). `ON CONFLICT DO NOTHING` is not used: a
/// duplicate is a bug in the caller and fails the load.
pub async fn insert(
    conn: &mut AnyConnection,
    table: &str,
    columns: &[&str],
    rows: &[Vec<Cell>],
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let per_statement = (VALUES_PER_STATEMENT / columns.len()).max(1);
    for chunk in rows.chunks(per_statement) {
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
        let mut n = 0;
        for (i, row) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for j in 0..row.len() {
                if j > 0 {
                    sql.push_str(", ");
                }
                n += 1;
                sql.push_str(&format!("${n}"));
            }
            sql.push(')');
        }
        let mut query = sqlx::query(&sql);
        for row in chunk {
            for cell in row {
                query = match cell {
                    Cell::Int(v) => query.bind(*v),
                    Cell::Text(v) => query.bind(v.as_str()),
                    Cell::Null => query.bind(None::<i64>),
                    Cell::NullText => query.bind(None::<String>),
                };
            }
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

impl Tx {
    /// `n` primary keys from the Cell's range.
    pub async fn reserve_ids(&mut self, n: usize) -> Result<Vec<i64>> {
        self.backend_reserve(n).await
    }
}
