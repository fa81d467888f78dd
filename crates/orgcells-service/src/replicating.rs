//! A Cell of a cluster other than the first copies the cluster's Users and their tokens from
//! the topology's change log into its own tables, in order (see `orgcells_store::replica`). Each
//! page of changes is applied in one transaction with the cursor, so a crash repeats nothing
//! and skips nothing; the commit moves the write generation on, so what this Cell remembered of
//! a User or a token (a revoked token's caller, say) is forgotten at once.

use orgcells_store::replica::{self, Shared};

use crate::committing::USERS_CELL;
use crate::{Result, Service, ServiceError};

/// The changes read at once.
const PAGE: i32 = 1000;
/// The most pages one run copies; the rest waits for the next run.
const PAGES_A_RUN: usize = 100;

impl Service {
    /// Whether this Cell copies the cluster's Users instead of writing them: a Cell of a
    /// cluster other than the first.
    pub fn copies_users(&self) -> bool {
        self.directory.is_some() && self.db.cell() != USERS_CELL
    }

    /// Copies what the change log has that this Cell has not: how many changes were applied.
    pub async fn replicate(&self) -> Result<usize> {
        let Some(directory) = self.directory.as_ref().filter(|_| self.copies_users()) else {
            return Ok(0);
        };
        let own = i64::from(self.db.cell().0);
        let mut applied = 0;
        for _ in 0..PAGES_A_RUN {
            let after = {
                let mut conn = self.db.read().await?;
                replica::cursor(&mut conn).await?
            };
            let changes =
                directory
                    .changes(after, PAGE)
                    .await
                    .map_err(|e| ServiceError::Unavailable {
                        message: format!("503 Service Unavailable: {e}"),
                        retry_after: 1,
                    })?;
            let Some(last) = changes.last().map(|change| change.seq) else {
                break;
            };
            let mut tx = self.db.write().await?;
            for change in changes.iter().filter(|change| change.cell_id != own) {
                match Shared::from_table(&change.table) {
                    Some(shared) => {
                        replica::apply(tx.conn(), shared, change.row_id, change.payload.as_deref())
                            .await?;
                    }
                    None => tracing::warn!(
                        seq = change.seq,
                        table = %change.table,
                        "a change of a table this Cell does not copy"
                    ),
                }
            }
            replica::set_cursor(tx.conn(), last).await?;
            tx.commit().await?;
            applied += changes.len();
            if changes.len() < usize::try_from(PAGE).unwrap_or(usize::MAX) {
                break;
            }
        }
        Ok(applied)
    }
}
