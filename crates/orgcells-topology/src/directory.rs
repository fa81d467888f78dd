//! The read side of the topology service, for a router or a Cell that needs to know where things
//! are (the Cells, and which Cell a key belongs to) and for a Cell copying the cluster's change
//! log of Users and their tokens.

use std::time::Duration;

use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Channel, Endpoint};

use crate::proto::cell_service_client::CellServiceClient;
use crate::proto::change_service_client::ChangeServiceClient;
use crate::proto::classify_service_client::ClassifyServiceClient;
use crate::proto::switch_service_client::SwitchServiceClient;
use crate::proto::{self, ClassifyType};
use crate::{ClusterSecret, PresentSecret};

type Secured = InterceptedService<Channel, PresentSecret>;

/// A Cell as the directory describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellEntry {
    pub id: u16,
    pub name: String,
    /// `http://host:port`, without a trailing slash.
    pub address: String,
    pub session_prefix: String,
    /// How many Organizations it holds, when the answer said.
    pub organizations_count: Option<i64>,
}

/// Where a key belongs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classified {
    pub cell: CellEntry,
    /// Whether the key itself is known; when it is not, `cell` is the first Cell.
    pub found: bool,
}

/// The topology could not answer (unreachable, too slow, or refused the secret).
#[derive(Debug, thiserror::Error)]
#[error("the topology service did not answer: {0}")]
pub struct Unanswered(pub String);

/// A client of the topology's `CellService` and `ClassifyService`.
#[derive(Debug, Clone)]
pub struct Directory {
    cells: CellServiceClient<Secured>,
    classify: ClassifyServiceClient<Secured>,
    changes: ChangeServiceClient<Secured>,
    switches: SwitchServiceClient<Secured>,
}

impl Directory {
    /// A client of the topology at `url`, connecting on first use; every call gives up after
    /// `timeout`.
    pub fn new(
        url: &str,
        secret: ClusterSecret,
        timeout: Duration,
    ) -> Result<Directory, tonic::transport::Error> {
        let channel = Endpoint::from_shared(url.to_owned())?
            .connect_timeout(timeout)
            .timeout(timeout)
            .connect_lazy();
        let present = PresentSecret::new(secret);
        Ok(Directory {
            cells: CellServiceClient::with_interceptor(channel.clone(), present.clone()),
            classify: ClassifyServiceClient::with_interceptor(channel.clone(), present.clone()),
            changes: ChangeServiceClient::with_interceptor(channel.clone(), present.clone()),
            switches: SwitchServiceClient::with_interceptor(channel, present),
        })
    }

    /// Every Cell, by id, with how many Organizations each holds.
    pub async fn cells(&self) -> Result<Vec<CellEntry>, Unanswered> {
        let answer = self
            .cells
            .clone()
            .get_cells(proto::GetCellsRequest {})
            .await
            .map_err(|status| Unanswered(status.message().to_owned()))?;
        answer.into_inner().cells.into_iter().map(entry).collect()
    }

    /// The Cell `value` (of `kind`) belongs to, or the first Cell when it is unknown.
    pub async fn classify(
        &self,
        kind: ClassifyType,
        value: &str,
    ) -> Result<Classified, Unanswered> {
        let request = proto::ClassifyRequest {
            r#type: kind.into(),
            value: value.to_owned(),
        };
        let answer = self
            .classify
            .clone()
            .classify(request)
            .await
            .map_err(|status| Unanswered(status.message().to_owned()))?
            .into_inner();
        let cell = answer
            .cell_info
            .ok_or_else(|| Unanswered("the answer names no cell".to_owned()))?;
        Ok(Classified {
            cell: entry(cell)?,
            found: answer.found,
        })
    }
}

impl Directory {
    /// The cluster's change log after `after`, in order: at most `limit` changes.
    pub async fn changes(&self, after: i64, limit: i32) -> Result<Vec<proto::Change>, Unanswered> {
        let request = proto::ListChangesRequest {
            after,
            limit: Some(limit),
        };
        Ok(self
            .changes
            .clone()
            .list_changes(request)
            .await
            .map_err(|status| Unanswered(status.message().to_owned()))?
            .into_inner()
            .changes)
    }
}

impl Directory {
    /// The switches of moved Organizations after `after`, in order (at most `limit`): (the
    /// switch's number, the Organization).
    pub async fn switches(&self, after: i64, limit: i32) -> Result<Vec<(i64, i64)>, Unanswered> {
        let request = proto::ListSwitchesRequest {
            after,
            limit: Some(limit),
        };
        Ok(self
            .switches
            .clone()
            .list_switches(request)
            .await
            .map_err(|status| Unanswered(status.message().to_owned()))?
            .into_inner()
            .switches
            .into_iter()
            .map(|switch| (switch.seq, switch.organization_id))
            .collect())
    }
}

fn entry(cell: proto::CellInfo) -> Result<CellEntry, Unanswered> {
    let id = u16::try_from(cell.id)
        .map_err(|_| Unanswered(format!("cell id {} is out of range", cell.id)))?;
    Ok(CellEntry {
        id,
        name: cell.name,
        address: cell.address.trim_end_matches('/').to_owned(),
        session_prefix: cell.session_prefix,
        organizations_count: cell.organizations_count,
    })
}
