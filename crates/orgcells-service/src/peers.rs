//! Calls from this Cell to another on `/-/cells/...`, with the cluster secret, and the Cells
//! of the cluster as the topology lists them. Used by an Organization's move and a User's
//! deletion.

use std::time::Duration;

use orgcells_topology::CellEntry;

use crate::{Result, Service, ServiceError};

impl Service {
    /// The Cells of the cluster; a Cell on its own is refused as not part of one.
    pub(crate) async fn cluster_cells(&self) -> Result<Vec<CellEntry>> {
        let directory = self.directory.as_ref().ok_or_else(|| {
            ServiceError::BadRequest("400 Bad Request - This Cell is not part of a cluster".into())
        })?;
        directory
            .cells()
            .await
            .map_err(|e| ServiceError::Unavailable {
                message: format!(
                    "503 Service Unavailable: the topology service cannot be reached ({e})"
                ),
                retry_after: 1,
            })
    }

    /// A call to another Cell's `/-/cells{path}`: the answer's body. A Cell that cannot be
    /// reached or answers 5xx is a 503; a refusal comes back as a 409 carrying the Cell's own
    /// message.
    pub(crate) async fn call_peer(
        &self,
        cell: &CellEntry,
        method: reqwest::Method,
        path: &str,
        body: Option<Vec<u8>>,
        timeout: Duration,
    ) -> Result<Vec<u8>> {
        let secret = self
            .cluster_secret
            .as_ref()
            .ok_or_else(|| ServiceError::Internal("no cluster secret".into()))?;
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let mut request = client
            .request(method, format!("{}/-/cells{path}", cell.address))
            .bearer_auth(secret.reveal());
        if let Some(body) = body {
            request = request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body);
        }
        let unreachable = |e: reqwest::Error| ServiceError::Unavailable {
            message: format!(
                "503 Service Unavailable: Cell {} cannot be reached ({e})",
                cell.id
            ),
            retry_after: 5,
        };
        let answer = request.send().await.map_err(unreachable)?;
        let status = answer.status();
        let body = answer.bytes().await.map_err(unreachable)?;
        if status.is_success() {
            return Ok(body.to_vec());
        }
        let message = serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v["message"].as_str().map(str::to_owned));
        Err(match message {
            Some(message) if status == reqwest::StatusCode::CONFLICT => {
                ServiceError::Conflict(message)
            }
            // A Cell that cannot serve now (in maintenance, restarting, failing) is one to ask
            // again, as one that cannot be reached.
            _ if status.is_server_error() => ServiceError::Unavailable {
                message: format!(
                    "503 Service Unavailable: Cell {} answered {status}: {}",
                    cell.id,
                    String::from_utf8_lossy(&body)
                ),
                retry_after: 5,
            },
            _ => ServiceError::Conflict(format!(
                "Cell {} answered {status}: {}",
                cell.id,
                String::from_utf8_lossy(&body)
            )),
        })
    }

    /// The cluster's Cells but this one; none for a Cell on its own.
    pub(crate) async fn other_cells(&self) -> Result<Vec<CellEntry>> {
        if self.directory.is_none() {
            return Ok(Vec::new());
        }
        let own = self.db.cell().0;
        let mut cells = self.cluster_cells().await?;
        cells.retain(|cell| cell.id != own);
        cells.sort_by_key(|cell| cell.id);
        Ok(cells)
    }
}
