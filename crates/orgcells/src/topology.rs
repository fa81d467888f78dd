//! `orgcells topology`: the topology service on its own process, over its own database (a SQLite
//! file by default, or PostgreSQL shared by several topology processes).

use std::net::SocketAddr;

use anyhow::Context;
use orgcells_core::ids::CellId;
use orgcells_store::topology::CellRow;
use orgcells_topology::{ClusterSecret, Topology};

/// What a topology process needs.
#[derive(Debug, Clone)]
pub struct TopologyConfig {
    pub listen: SocketAddr,
    pub database_url: String,
    /// The Cells of the cluster, recorded at start (ids are never reused).
    pub cells: Vec<CellRow>,
    pub secret: ClusterSecret,
}

/// A Cell as given on the command line: `ID,NAME,ADDRESS,SESSION_PREFIX`, e.g.
/// `2,cell-2,http://10.0.0.7:8080,cell2`.
pub fn parse_cell(spec: &str) -> Result<CellRow, String> {
    let parts: Vec<&str> = spec.split(',').map(str::trim).collect();
    let [id, name, address, prefix] = parts.as_slice() else {
        return Err(format!(
            "{spec:?}: a cell is ID,NAME,ADDRESS,SESSION_PREFIX"
        ));
    };
    let id: u16 = id
        .parse()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| format!("{spec:?}: the cell id is a number from 1 to 65535"))?;
    if name.is_empty() || prefix.is_empty() {
        return Err(format!(
            "{spec:?}: a cell needs a name and a session prefix"
        ));
    }
    if !(address.starts_with("http://") || address.starts_with("https://")) {
        return Err(format!(
            "{spec:?}: the address is an http:// or https:// URL"
        ));
    }
    Ok(CellRow::new(CellId(id), name, address, prefix))
}

/// A topology service that is serving.
pub struct RunningTopology {
    pub addr: SocketAddr,
    topology: Topology,
    server: tokio::task::JoinHandle<Result<(), tonic::transport::Error>>,
    shutdown: tokio::sync::oneshot::Sender<()>,
}

impl RunningTopology {
    /// Stops accepting, finishes the calls under way, closes the database.
    pub async fn stop(self) -> anyhow::Result<()> {
        let _ = self.shutdown.send(());
        self.server.await.context("topology task")??;
        self.topology.close().await;
        Ok(())
    }

    /// Serves until `signal`, then stops.
    pub async fn wait(self, signal: impl std::future::Future<Output = ()>) -> anyhow::Result<()> {
        signal.await;
        self.stop().await
    }
}

/// Migrates the topology's database, records the Cells and starts serving.
pub async fn start(config: &TopologyConfig) -> anyhow::Result<RunningTopology> {
    let topology = Topology::open(&config.database_url, &config.cells)
        .await
        .context("opening the topology database")?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("binding {}", config.listen))?;
    let addr = listener.local_addr()?;
    let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
    let secret = config.secret.clone();
    let serving = topology.clone();
    let server = tokio::spawn(async move {
        serving
            .serve(listener, secret, async {
                let _ = stopped.await;
            })
            .await
    });
    Ok(RunningTopology {
        addr,
        topology,
        server,
        shutdown,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_read_from_their_spec() {
        let cell = parse_cell("2, cell-2, http://127.0.0.1:8082, cell2").expect("a cell");
        assert_eq!(
            (cell.id, cell.name.as_str(), cell.session_prefix.as_str()),
            (2, "cell-2", "cell2")
        );
        assert_eq!((cell.id_min, cell.id_max), CellId(2).id_range());
        let refused = [
            "2,cell-2,http://x",
            "0,cell-0,http://x,c0",
            "70000,c,http://x,c",
            "2,,http://x,c2",
            "2,cell-2,ftp://x,c2",
        ];
        for spec in refused {
            assert!(parse_cell(spec).is_err(), "{spec}");
        }
    }
}
