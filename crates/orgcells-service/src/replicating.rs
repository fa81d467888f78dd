//! A Cell of a cluster other than the first copies the cluster's Users and their tokens from
//! the topology's change log into its own tables, in order (see `orgcells_store::replica`). Each
//! page of changes is applied in one transaction with the cursor, so a crash repeats nothing
//! and skips nothing; the commit moves the write generation on, so what this Cell remembered of
//! a User or a token (a revoked token's caller, say) is forgotten at once. A User who comes to
//! this Cell, or comes with a new address, takes up their invitations here just after
//! (`joining`).

use std::time::Instant;

use orgcells_core::ids::UserId;
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
    /// One run at a time: two interleaved runs could apply an older page after a newer one.
    pub async fn replicate(&self) -> Result<usize> {
        if !self.copies_users() {
            return Ok(0);
        }
        let mut last = self.copying.lock().await;
        *last = Some(Instant::now());
        self.copy_changes().await
    }

    /// Whether a User or token this Cell did not find may have been made since its last copy:
    /// then the log is copied at once (a client that made a User on the first Cell may use it
    /// here the next moment), and `true` says to look again. Misses that come together share
    /// one run (a run that started after the miss covers it), so unknown tokens sent in bulk
    /// cost the topology no more than one request at a time. A topology that cannot be
    /// reached leaves the miss a miss.
    pub(crate) async fn caught_up(&self) -> bool {
        if !self.copies_users() {
            return false;
        }
        let missed = Instant::now();
        let mut last = self.copying.lock().await;
        if last.is_some_and(|started| started >= missed) {
            return true;
        }
        *last = Some(Instant::now());
        match self.copy_changes().await {
            // Look again even when this run copied nothing: the 200 ms loop may have copied
            // the row between the miss and this run.
            Ok(_) => true,
            Err(error) => {
                tracing::warn!(%error, "copying the change log after a miss");
                false
            }
        }
    }

    async fn copy_changes(&self) -> Result<usize> {
        let Some(directory) = self.directory.as_ref() else {
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
            let mut addressed = Vec::new();
            for change in changes.iter().filter(|change| change.cell_id != own) {
                match Shared::from_table(&change.table) {
                    Some(shared) => {
                        let payload = change.payload.as_deref();
                        if replica::apply(tx.conn(), shared, change.row_id, payload).await? {
                            addressed.push(UserId(change.row_id));
                        }
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
            // Invitations never hold up the copy (their Organizations' locks may be held a
            // while): taken up beside it, and one refused waits for the sweep.
            for user in addressed {
                let service = self.clone();
                tokio::spawn(async move {
                    if let Err(error) = service.accept_invitations_of(user).await {
                        tracing::warn!(%error, user = user.0, "accepting a copied User's invitations");
                    }
                });
            }
            applied += changes.len();
            if changes.len() < usize::try_from(PAGE).unwrap_or(usize::MAX) {
                break;
            }
        }
        Ok(applied)
    }
}
