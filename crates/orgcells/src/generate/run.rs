//! One run of `generate`: the write transaction, the seeded random numbers every phase draws
//! from in turn, the rows waiting, and the progress lines.

use std::time::Instant;

use anyhow::Context;
use orgcells_store::{Db, Tx};
use rand::rngs::StdRng;

use super::scale::Sizes;
use super::writer::Writer;

pub(super) struct Run<'a> {
    db: &'a Db,
    /// Absent only between a commit and the next transaction.
    tx: Option<Tx>,
    pub(super) rng: StdRng,
    pub(super) w: Writer,
    pub(super) sizes: Sizes,
    started: Instant,
}

impl Run<'_> {
    pub(super) async fn start(db: &Db, sizes: Sizes, rng: StdRng) -> anyhow::Result<Run<'_>> {
        let started = Instant::now();
        let w = Writer::new(i64::from(db.cell().0));
        let tx = db.write().await?;
        Ok(Run {
            db,
            tx: Some(tx),
            rng,
            w,
            sizes,
            started,
        })
    }

    /// The open write transaction.
    pub(super) fn tx(&mut self) -> anyhow::Result<&mut Tx> {
        self.tx.as_mut().context("no open transaction")
    }

    /// Writes the rows waiting, in the open transaction.
    pub(super) async fn flush(&mut self) -> anyhow::Result<()> {
        let tx = self.tx.as_mut().context("no open transaction")?;
        self.w.flush(tx).await
    }

    /// Writes the rows waiting and commits them.
    pub(super) async fn commit(&mut self) -> anyhow::Result<()> {
        self.flush().await?;
        self.tx
            .take()
            .context("no open transaction")?
            .commit()
            .await?;
        Ok(())
    }

    /// Commits a part of a large table and opens the transaction of the next one.
    pub(super) async fn commit_part(
        &mut self,
        what: &str,
        done: usize,
        total: usize,
    ) -> anyhow::Result<()> {
        self.commit().await?;
        self.tx = Some(self.db.write().await?);
        self.progress(what, done, total);
        Ok(())
    }

    pub(super) fn progress(&self, what: &str, done: usize, total: usize) {
        eprintln!(
            "[{:>6.1}s] {what}: {done}/{total}",
            self.started.elapsed().as_secs_f64()
        );
    }
}
