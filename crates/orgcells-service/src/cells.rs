//! The Cells of the cluster as an admin sees them (`GET /admin/cells`): each with its health and
//! how many Organizations it holds. A Cell on its own lists itself.

use std::time::Duration;

use orgcells_store::organizations;

use crate::Service;
use crate::caller::Caller;
use crate::error::{Result, ServiceError};

/// A Cell, as `GET /admin/cells` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellStatus {
    pub id: u16,
    pub name: String,
    pub address: String,
    /// Whether its readiness answered 200 within [`PROBE_TIMEOUT`].
    pub healthy: bool,
    pub organizations_count: i64,
}

/// How long a Cell has to answer its readiness probe.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

impl Service {
    /// Every Cell of the cluster (admins only). `own_address` is where this Cell answers, for a
    /// Cell on its own.
    pub async fn cells(&self, caller: &Caller, own_address: &str) -> Result<Vec<CellStatus>> {
        caller.admin()?;
        let Some(directory) = &self.directory else {
            let mut conn = self.db.read().await?;
            let count = organizations::count_all(&mut conn).await?;
            let id = self.db.cell().0;
            return Ok(vec![CellStatus {
                id,
                name: format!("cell-{id}"),
                address: own_address.to_owned(),
                healthy: true,
                organizations_count: count,
            }]);
        };
        let cells = directory.cells().await.map_err(|e| unavailable(&e))?;
        let client = reqwest::Client::builder()
            .timeout(PROBE_TIMEOUT)
            .build()
            .map_err(|e| unavailable(&e))?;
        let mut probes = tokio::task::JoinSet::new();
        for (index, cell) in cells.iter().enumerate() {
            let probe = client.get(format!("{}/-/readiness", cell.address));
            probes.spawn(async move {
                let healthy = probe
                    .send()
                    .await
                    .is_ok_and(|answer| answer.status().is_success());
                (index, healthy)
            });
        }
        let mut healthy = vec![false; cells.len()];
        while let Some(Ok((index, answered))) = probes.join_next().await {
            healthy[index] = answered;
        }
        Ok(cells
            .into_iter()
            .zip(healthy)
            .map(|(cell, healthy)| CellStatus {
                id: cell.id,
                name: cell.name,
                address: cell.address,
                healthy,
                organizations_count: cell.organizations_count.unwrap_or(0),
            })
            .collect())
    }
}

fn unavailable(error: &dyn std::fmt::Display) -> ServiceError {
    ServiceError::Unavailable {
        message: format!("503 Service Unavailable: {error}"),
        retry_after: 5,
    }
}
