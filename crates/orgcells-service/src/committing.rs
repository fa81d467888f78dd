//! How a write commits. On its own a Cell's claims are rows of its database, so the write's
//! transaction commits them with everything else. In a cluster the topology service holds them:
//! the claims the transaction took and released go to it as one lease before the commit (a value
//! another Cell holds refuses the write, with the error a local duplicate gives; a topology that
//! cannot be reached answers 503 and nothing is written), the lease is noted in the transaction,
//! the transaction commits, then the lease is committed; when the commit fails the lease is
//! rolled back. A lease left behind by a crash is the reconciler's, and so are the notes of
//! leases committed since its last run, which it forgets.

use orgcells_store::Tx;
use orgcells_store::claims::{Bucket, ClaimOp};
use orgcells_topology::Refusal;

use crate::{Result, Service, ServiceError, clock};

/// The Cell that writes the cluster's Users and their tokens: the first, where requests that
/// name no Organization go. Every other Cell copies them (see `replicating`).
pub const USERS_CELL: orgcells_core::ids::CellId = orgcells_core::ids::CellId(1);

impl Service {
    /// A write transaction that may change Users or their tokens: refused on a Cell that copies
    /// them (see `replicating`), before anything is read or written.
    pub(crate) async fn users_write(&self) -> Result<Tx> {
        if self.copies_users() {
            return Err(self.not_the_users_cell());
        }
        Ok(self.db.write().await?)
    }

    fn not_the_users_cell(&self) -> ServiceError {
        ServiceError::Conflict(format!(
            "Users and their tokens are changed on Cell {}; this request reached Cell {}",
            USERS_CELL.0,
            self.db.cell().0
        ))
    }

    /// Commits a write transaction, with its claims and the cluster-wide rows it changed.
    pub(crate) async fn commit(&self, mut tx: Tx) -> Result<()> {
        let ops = tx.take_claim_ops();
        let rows = tx.take_rows();
        let Some(topology) = self
            .topology
            .as_ref()
            .filter(|_| !ops.is_empty() || !rows.is_empty())
        else {
            return Ok(tx.commit().await?);
        };
        if !rows.is_empty() && self.db.cell() != USERS_CELL {
            return Err(self.not_the_users_cell());
        }
        // Writes of cluster-wide rows go to the log one after another, each once the one before
        // is there: the log's order is then the order of this Cell's commits, which is what
        // every other Cell applies (a lease left uncommitted is committed first, or nothing).
        let mut in_order = match rows.is_empty() {
            true => None,
            false => Some(self.users_order.lock().await),
        };
        if let Some(earlier) = in_order.as_mut().and_then(|pending| pending.take()) {
            match topology.commit(&earlier).await {
                Ok(()) => {}
                // Unreachable still: this write waits, and so does the earlier lease.
                Err(Refusal::Unavailable(message)) => {
                    if let Some(pending) = in_order.as_mut() {
                        **pending = Some(earlier);
                    }
                    return Err(refused(Refusal::Unavailable(message)));
                }
                // No longer held: the reconciler committed it meanwhile.
                Err(refusal) => {
                    tracing::debug!(%earlier, %refusal, "an earlier lease was ended already")
                }
            }
        }
        let lease = topology.begin(&ops, &rows).await.map_err(refused)?;
        let committed = async {
            orgcells_store::leases::insert(tx.conn(), &lease, clock::now()).await?;
            tx.commit().await
        }
        .await;
        if let Err(error) = committed {
            if let Err(refusal) = topology.rollback(&lease).await {
                tracing::warn!(%lease, %refusal, "a lease whose transaction failed is left to the reconciler");
            }
            return Err(error.into());
        }
        // The note stays: the reconciler forgets it once the topology no longer holds the lease
        // (one write fewer per claiming write), or commits the lease if this call fails.
        if let Err(refusal) = topology.commit(&lease).await {
            tracing::warn!(%lease, %refusal, "a committed write's lease is left to the reconciler");
            if let Some(pending) = in_order.as_mut() {
                **pending = Some(lease);
            }
        }
        Ok(())
    }
}

/// A lease the topology did not take, as the write's answer.
fn refused(refusal: Refusal) -> ServiceError {
    match refusal {
        Refusal::Taken(op) => taken(&op),
        Refusal::Unavailable(message) => ServiceError::Unavailable {
            message: format!(
                "503 Service Unavailable: the topology service cannot be reached ({message})"
            ),
            retry_after: 1,
        },
        Refusal::Refused(message) => ServiceError::Internal(message),
    }
}

/// What a value held elsewhere answers, as a duplicate on this Cell answers it.
fn taken(op: &ClaimOp) -> ServiceError {
    match (op.bucket, op.owner_kind.as_str()) {
        (Bucket::Username, _) | (Bucket::Route, "user") => {
            ServiceError::Conflict("Username has already been taken".into())
        }
        (Bucket::Email, _) => ServiceError::Conflict("Email has already been taken".into()),
        (bucket, _) => ServiceError::invalid(bucket.field(), "has already been taken"),
    }
}

/// What a reconciliation did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reconciled {
    /// Leases this Cell had committed with, now committed in the topology.
    pub committed: usize,
    /// Stale leases whose transaction never committed, rolled back.
    pub rolled_back: usize,
    /// Leases still in flight (younger than the threshold), left alone.
    pub in_flight: usize,
    /// Notes of leases the topology had committed, forgotten.
    pub forgotten: usize,
}

impl Service {
    /// Ends the leases a crash (or a lost connection) left in the topology: a lease this Cell
    /// noted with a committed transaction is committed; one it did not note is rolled back once
    /// older than `stale_after` (before that its transaction may still be under way). Notes of
    /// leases the topology no longer holds are forgotten. A Cell on its own has none.
    pub async fn reconcile_leases(&self, stale_after: std::time::Duration) -> Result<Reconciled> {
        let Some(topology) = &self.topology else {
            return Ok(Reconciled::default());
        };
        let mut done = Reconciled::default();
        let listed_at = clock::now();
        let outstanding = topology.leases().await.map_err(refused)?;
        let stale_before =
            clock::now() - i64::try_from(stale_after.as_millis()).unwrap_or(i64::MAX);
        let noted = {
            let ids: Vec<String> = outstanding.iter().map(|(lease, _)| lease.clone()).collect();
            let mut conn = self.db.read().await?;
            orgcells_store::leases::noted_among(&mut conn, &ids).await?
        };
        for (lease, created_at) in &outstanding {
            if noted.contains(lease) {
                topology.commit(lease).await.map_err(refused)?;
                let mut tx = self.db.write().await?;
                orgcells_store::leases::delete(tx.conn(), lease).await?;
                tx.commit().await?;
                done.committed += 1;
            } else if *created_at < stale_before {
                topology.rollback(lease).await.map_err(refused)?;
                done.rolled_back += 1;
            } else {
                done.in_flight += 1;
            }
        }
        // Leases noted before the topology was asked, and not among those it holds, were
        // committed there already. (One noted since may belong to a write still committing.)
        let held: std::collections::HashSet<&str> = outstanding
            .iter()
            .map(|(lease, _)| lease.as_str())
            .collect();
        let mut after = None;
        // Bounded: 100 pages of 1,000 notes a run; what is left waits for the next run.
        for _ in 0..100 {
            let page = {
                let mut conn = self.db.read().await?;
                orgcells_store::leases::noted_before(&mut conn, listed_at, after.as_deref(), 1000)
                    .await?
            };
            let Some(last) = page.last().cloned() else {
                break;
            };
            let gone: Vec<&String> = page.iter().filter(|l| !held.contains(l.as_str())).collect();
            if !gone.is_empty() {
                let mut tx = self.db.write().await?;
                for lease in &gone {
                    orgcells_store::leases::delete(tx.conn(), lease).await?;
                }
                tx.commit().await?;
                done.forgotten += gone.len();
            }
            after = Some(last);
        }
        Ok(done)
    }
}
