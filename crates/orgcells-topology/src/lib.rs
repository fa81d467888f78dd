//! The topology service: the only cluster-wide part of orgcells (SPEC section 10). It holds the
//! Cells, the claims on every globally unique value (usernames, emails, routes, redirect routes,
//! Organization paths, and the ids GitLab classifies by), and answers which Cell a key belongs
//! to. Its API follows GitLab's Topology Service: `CellService`, `ClassifyService` and
//! `ClaimService` over gRPC (`proto/orgcells/topology/v1/topology.proto`), answering only callers
//! that present the cluster secret.
//!
//! The rules it applies live in `orgcells_core::claims`; its SQL in
//! `orgcells_store::topology`. This crate is the wire: decoding requests, mapping refusals onto
//! gRPC status codes, and serving.

mod auth;
mod client;
mod convert;
mod directory;
mod services;

use std::future::Future;

use orgcells_store::topology::{CellRow, ClaimError, TopologyDb};
use tokio::net::TcpListener;
use tokio_stream::wrappers::TcpListenerStream;

pub use auth::{ClusterSecret, PresentSecret, RequireSecret};
pub use client::{Refusal, TopologyClient};
pub use directory::{CellEntry, Classified, Directory, Unanswered};

/// The generated messages, servers and clients of `orgcells.topology.v1`.
pub mod proto {
    #![allow(clippy::all, clippy::pedantic, missing_docs, unreachable_pub)]
    tonic::include_proto!("orgcells.topology.v1");
}

use proto::cell_service_server::CellServiceServer;
use proto::change_service_server::ChangeServiceServer;
use proto::claim_service_server::ClaimServiceServer;
use proto::classify_service_server::ClassifyServiceServer;
use proto::move_service_server::MoveServiceServer;
use proto::switch_service_server::SwitchServiceServer;

/// The topology service over its store.
#[derive(Debug, Clone)]
pub struct Topology {
    db: TopologyDb,
}

impl Topology {
    pub fn new(db: TopologyDb) -> Topology {
        Topology { db }
    }

    /// Connects to the topology's database, migrates it and records the configured Cells.
    pub async fn open(database_url: &str, cells: &[CellRow]) -> Result<Topology, ClaimError> {
        let db = TopologyDb::connect(database_url).await?;
        db.migrate().await?;
        db.register_cells(cells, now()).await?;
        Ok(Topology { db })
    }

    /// Closes the database (after serving has stopped).
    pub async fn close(&self) {
        self.db.close().await;
    }

    /// Serves the four services on `listener` until `shutdown` completes, refusing every call
    /// that does not carry `secret` (or, for `CellService` and `ClassifyService`, the router's
    /// credential derived from it).
    pub async fn serve(
        self,
        listener: TcpListener,
        secret: ClusterSecret,
        shutdown: impl Future<Output = ()> + Send,
    ) -> Result<(), tonic::transport::Error> {
        // A router's credential lists the Cells and classifies; claims and the change log
        // (password and token digests) take the cluster secret itself.
        let read = RequireSecret::or_router(secret.clone());
        let check = RequireSecret::new(secret);
        tonic::transport::Server::builder()
            .add_service(CellServiceServer::with_interceptor(
                self.clone(),
                read.clone(),
            ))
            .add_service(ClassifyServiceServer::with_interceptor(
                self.clone(),
                read.clone(),
            ))
            .add_service(SwitchServiceServer::with_interceptor(self.clone(), read))
            .add_service(ChangeServiceServer::with_interceptor(
                self.clone(),
                check.clone(),
            ))
            .add_service(MoveServiceServer::with_interceptor(
                self.clone(),
                check.clone(),
            ))
            .add_service(ClaimServiceServer::with_interceptor(self, check))
            .serve_with_incoming_shutdown(TcpListenerStream::new(listener), shutdown)
            .await
    }
}

/// Milliseconds since the Unix epoch.
fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
