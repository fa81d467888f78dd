//! The Cells of the cluster: ids never reused, each with its address, session prefix and range
//! of primary keys.

use orgcells_core::claims::{BucketType, RecordStatus};
use orgcells_core::ids::CellId;

use super::{ClaimError, TopologyDb};
use crate::Result;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CellRow {
    pub id: i64,
    pub name: String,
    pub address: String,
    pub session_prefix: String,
    pub id_min: i64,
    pub id_max: i64,
}

impl CellRow {
    /// A Cell as configured: its range follows from its id.
    pub fn new(id: CellId, name: &str, address: &str, session_prefix: &str) -> CellRow {
        let (id_min, id_max) = id.id_range();
        CellRow {
            id: i64::from(id.0),
            name: name.to_owned(),
            address: address.to_owned(),
            session_prefix: session_prefix.to_owned(),
            id_min,
            id_max,
        }
    }
}

const CELL_COLUMNS: &str = "id, name, address, session_prefix, id_min, id_max";

impl TopologyDb {
    /// Records the configured Cells: a new id is added, a known one keeps its id and range and
    /// takes the configured name, address and session prefix. Cells are never removed, so an id
    /// is never reused.
    pub async fn register_cells(&self, cells: &[CellRow], now: i64) -> Result<(), ClaimError> {
        self.write(cells, |conn, cells| {
            Box::pin(async move {
                for cell in cells {
                    sqlx::query(
                        "INSERT INTO cells (id, name, address, session_prefix, id_min, id_max, created_at, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) \
                         ON CONFLICT (id) DO UPDATE SET name = $2, address = $3, session_prefix = $4, updated_at = $7",
                    )
                    .bind(cell.id)
                    .bind(&cell.name)
                    .bind(&cell.address)
                    .bind(&cell.session_prefix)
                    .bind(cell.id_min)
                    .bind(cell.id_max)
                    .bind(now)
                    .execute(&mut *conn)
                    .await
                    .map_err(crate::StoreError::from)?;
                }
                Ok(())
            })
        })
        .await
    }

    /// Every Cell, by id.
    pub async fn cells(&self) -> Result<Vec<CellRow>> {
        let sql = format!("SELECT {CELL_COLUMNS} FROM cells ORDER BY id");
        Ok(sqlx::query_as(&sql).fetch_all(&self.reader).await?)
    }

    pub async fn cell(&self, id: i64) -> Result<Option<CellRow>> {
        let sql = format!("SELECT {CELL_COLUMNS} FROM cells WHERE id = $1");
        Ok(sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(&self.reader)
            .await?)
    }

    /// The Cell whose session cookies carry this prefix.
    pub async fn cell_by_session_prefix(&self, prefix: &str) -> Result<Option<CellRow>> {
        let sql = format!("SELECT {CELL_COLUMNS} FROM cells WHERE session_prefix = $1");
        Ok(sqlx::query_as(&sql)
            .bind(prefix)
            .fetch_optional(&self.reader)
            .await?)
    }

    /// The Cell whose id range holds `id` (the Cell that allocated it).
    pub async fn cell_of_id(&self, id: i64) -> Result<Option<CellRow>> {
        let sql = format!("SELECT {CELL_COLUMNS} FROM cells WHERE id_min <= $1 AND id_max >= $1");
        Ok(sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(&self.reader)
            .await?)
    }

    /// How many Organizations each Cell holds (by their claimed paths): (Cell id, count), for
    /// the Cells that hold any.
    pub async fn organizations_per_cell(&self) -> Result<Vec<(i64, i64)>> {
        Ok(sqlx::query_as(
            "SELECT cell_id, COUNT(*) FROM claims WHERE bucket_type = $1 AND status = $2 \
             GROUP BY cell_id",
        )
        .bind(i64::from(BucketType::OrganizationPath.number()))
        .bind(i64::from(RecordStatus::Active.number()))
        .fetch_all(&self.reader)
        .await?)
    }
}
