//! The gRPC services over the topology store.

use orgcells_core::claims::{BucketType, SourceTable};
use orgcells_core::moves::{MoveState, MoveStep};
use orgcells_core::routable_token;
use orgcells_core::routing::TOKEN_PREFIX;
use orgcells_store::topology::{CellRow, Handover, MoveRow, RowChange};
use tonic::{Request, Response, Status};

use crate::convert::{self, cell_info, refusal};
use crate::proto::{self, ClassifyType};
use crate::{Topology, now};

#[tonic::async_trait]
impl proto::cell_service_server::CellService for Topology {
    async fn get_cell(
        &self,
        request: Request<proto::GetCellRequest>,
    ) -> Result<Response<proto::GetCellResponse>, Status> {
        let id = request.into_inner().cell_id;
        let cell = self
            .db
            .cell(id)
            .await
            .map_err(convert::store)?
            .ok_or_else(|| Status::not_found(format!("unknown cell {id}")))?;
        let count = self.organizations_count(id).await?;
        Ok(Response::new(proto::GetCellResponse {
            cell_info: Some(cell_info(&cell, Some(count))),
        }))
    }

    async fn get_cells(
        &self,
        _request: Request<proto::GetCellsRequest>,
    ) -> Result<Response<proto::GetCellsResponse>, Status> {
        let cells = self.db.cells().await.map_err(convert::store)?;
        let counts: std::collections::HashMap<i64, i64> = self
            .db
            .organizations_per_cell()
            .await
            .map_err(convert::store)?
            .into_iter()
            .collect();
        Ok(Response::new(proto::GetCellsResponse {
            cells: cells
                .iter()
                .map(|cell| cell_info(cell, Some(counts.get(&cell.id).copied().unwrap_or(0))))
                .collect(),
        }))
    }
}

/// The claim bucket a classification type looks up, if it is one.
fn bucket_of(kind: ClassifyType) -> Option<BucketType> {
    Some(match kind {
        ClassifyType::Route => BucketType::Routes,
        ClassifyType::RedirectRoute => BucketType::RedirectRoutes,
        ClassifyType::OrganizationPath => BucketType::OrganizationPath,
        ClassifyType::OrganizationRedirect => BucketType::OrganizationRedirects,
        ClassifyType::Username => BucketType::Usernames,
        ClassifyType::Email => BucketType::Emails,
        ClassifyType::ProjectId => BucketType::ProjectIds,
        ClassifyType::NamespaceId => BucketType::NamespaceIds,
        ClassifyType::UserId => BucketType::UserIds,
        ClassifyType::OrganizationId => BucketType::OrganizationIds,
        _ => return None,
    })
}

impl Topology {
    /// How many Organizations Cell `id` holds.
    async fn organizations_count(&self, id: i64) -> Result<i64, Status> {
        let counts = self
            .db
            .organizations_per_cell()
            .await
            .map_err(convert::store)?;
        Ok(counts
            .into_iter()
            .find_map(|(cell, count)| (cell == id).then_some(count))
            .unwrap_or(0))
    }

    /// The Cell a key belongs to, if the key is known.
    async fn cell_of(&self, kind: ClassifyType, value: &str) -> Result<Option<CellRow>, Status> {
        let db = &self.db;
        let cell_id = match kind {
            ClassifyType::FirstCell => None,
            ClassifyType::CellId => value.parse::<i64>().ok(),
            ClassifyType::SessionPrefix => {
                return db
                    .cell_by_session_prefix(value)
                    .await
                    .map_err(convert::store);
            }
            ClassifyType::Token => {
                routable_token::decode(value, TOKEN_PREFIX).map(|r| i64::from(r.cell.0))
            }
            ClassifyType::Unspecified => {
                return Err(Status::invalid_argument("type is missing"));
            }
            _ => {
                let Some(bucket) = bucket_of(kind) else {
                    return Err(Status::invalid_argument("type is unknown"));
                };
                // A claim being created is not yet anyone's; one being destroyed still is.
                let held = match bucket.normalize(value) {
                    Some(_) => db
                        .record(bucket, value)
                        .await
                        .map_err(refusal)?
                        .filter(|r| r.status != orgcells_core::claims::RecordStatus::LeaseCreating),
                    None => None,
                };
                match held {
                    Some(record) => Some(record.cell_id),
                    // An id names the Cell that allocated it until a move claims it elsewhere.
                    None if bucket.holds_ids() => match value.parse::<i64>() {
                        Ok(id) if id > 0 => {
                            return db.cell_of_id(id).await.map_err(convert::store);
                        }
                        _ => None,
                    },
                    None => None,
                }
            }
        };
        match cell_id {
            Some(id) => db.cell(id).await.map_err(convert::store),
            None => Ok(None),
        }
    }

    async fn first_cell(&self) -> Result<CellRow, Status> {
        self.db
            .cells()
            .await
            .map_err(convert::store)?
            .into_iter()
            .next()
            .ok_or_else(|| Status::failed_precondition("no cell is registered"))
    }
}

#[tonic::async_trait]
impl proto::classify_service_server::ClassifyService for Topology {
    async fn classify(
        &self,
        request: Request<proto::ClassifyRequest>,
    ) -> Result<Response<proto::ClassifyResponse>, Status> {
        let request = request.into_inner();
        let kind = ClassifyType::try_from(request.r#type)
            .map_err(|_| Status::invalid_argument(format!("type {} is unknown", request.r#type)))?;
        let found = self.cell_of(kind, &request.value).await?;
        let matched = found.is_some() || kind == ClassifyType::FirstCell;
        let cell = match found {
            Some(cell) => cell,
            None => self.first_cell().await?,
        };
        Ok(Response::new(proto::ClassifyResponse {
            action: proto::ClassifyAction::Proxy.into(),
            proxy: Some(proto::ProxyInfo {
                address: cell.address.clone(),
            }),
            cell_info: Some(cell_info(&cell, None)),
            found: matched,
        }))
    }
}

/// A Cell id from a request: a Cell's id is a small positive integer.
fn cell_id(id: i64) -> Result<i64, Status> {
    if (1..=i64::from(u16::MAX)).contains(&id) {
        Ok(id)
    } else {
        Err(Status::invalid_argument(format!(
            "cell_id {id} is not a cell id"
        )))
    }
}

#[tonic::async_trait]
impl proto::claim_service_server::ClaimService for Topology {
    async fn get_record(
        &self,
        request: Request<proto::GetRecordRequest>,
    ) -> Result<Response<proto::GetRecordResponse>, Status> {
        let request = request.into_inner();
        let (bucket, value) = convert::bucket(request.bucket.as_ref(), "bucket")?;
        let record = self
            .db
            .record(bucket, &value)
            .await
            .map_err(refusal)?
            .ok_or_else(|| Status::not_found(format!("{bucket:?} {value:?} is not claimed")))?;
        let cell = self.db.cell(record.cell_id).await.map_err(convert::store)?;
        Ok(Response::new(proto::GetRecordResponse {
            record: Some(convert::record(&record)),
            cell_info: cell.as_ref().map(|cell| cell_info(cell, None)),
        }))
    }

    async fn begin_update(
        &self,
        request: Request<proto::BeginUpdateRequest>,
    ) -> Result<Response<proto::BeginUpdateResponse>, Status> {
        let request = request.into_inner();
        let cell = cell_id(request.cell_id)?;
        let creates = request
            .create_records
            .iter()
            .enumerate()
            .map(|(i, m)| convert::new_claim(m, &format!("create_records[{i}]")))
            .collect::<Result<Vec<_>, _>>()?;
        let destroys = request
            .destroy_records
            .iter()
            .enumerate()
            .map(|(i, m)| {
                convert::bucket(m.bucket.as_ref(), &format!("destroy_records[{i}].bucket"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let rows: Vec<RowChange> = request
            .rows
            .into_iter()
            .map(|row| RowChange {
                table: row.table,
                row_id: row.row_id,
                payload: row.payload,
            })
            .collect();
        let lease = self
            .db
            .begin_update(cell, &creates, &destroys, &rows, now())
            .await
            .map_err(refusal)?;
        Ok(Response::new(proto::BeginUpdateResponse {
            cell_id: cell,
            lease_uuid: lease,
        }))
    }

    async fn commit_update(
        &self,
        request: Request<proto::CommitUpdateRequest>,
    ) -> Result<Response<proto::CommitUpdateResponse>, Status> {
        let request = request.into_inner();
        self.db
            .commit_update(cell_id(request.cell_id)?, &request.lease_uuid, now())
            .await
            .map_err(refusal)?;
        Ok(Response::new(proto::CommitUpdateResponse {}))
    }

    async fn rollback_update(
        &self,
        request: Request<proto::RollbackUpdateRequest>,
    ) -> Result<Response<proto::RollbackUpdateResponse>, Status> {
        let request = request.into_inner();
        self.db
            .rollback_update(cell_id(request.cell_id)?, &request.lease_uuid, now())
            .await
            .map_err(refusal)?;
        Ok(Response::new(proto::RollbackUpdateResponse {}))
    }

    async fn list_leases(
        &self,
        request: Request<proto::ListLeasesRequest>,
    ) -> Result<Response<proto::ListLeasesResponse>, Status> {
        let request = request.into_inner();
        let limit = convert::limit(request.limit);
        let leases = self
            .db
            .leases(cell_id(request.cell_id)?, request.next.as_deref(), limit)
            .await
            .map_err(refusal)?;
        let next = (i64::try_from(leases.len()).unwrap_or(i64::MAX) >= limit)
            .then(|| leases.last().map(|l| l.uuid.clone()))
            .flatten();
        Ok(Response::new(proto::ListLeasesResponse {
            leases: leases
                .iter()
                .map(|lease| proto::LeaseRecord {
                    uuid: lease.uuid.clone(),
                    created_at: lease.created_at,
                    records: lease.records.iter().map(convert::record).collect(),
                })
                .collect(),
            next,
        }))
    }

    async fn list_records(
        &self,
        request: Request<proto::ListRecordsRequest>,
    ) -> Result<Response<proto::ListRecordsResponse>, Status> {
        let request = request.into_inner();
        let limit = convert::limit(request.limit);
        let source =
            match request.source_type {
                0 => None,
                n => Some(SourceTable::from_number(n).ok_or_else(|| {
                    Status::invalid_argument(format!("source_type {n} is unknown"))
                })?),
            };
        let records = self
            .db
            .records(
                cell_id(request.cell_id)?,
                source,
                request.next.as_deref(),
                limit,
            )
            .await
            .map_err(refusal)?;
        let next = (i64::try_from(records.len()).unwrap_or(i64::MAX) >= limit)
            .then(|| records.last().map(|r| r.uuid.clone()))
            .flatten();
        Ok(Response::new(proto::ListRecordsResponse {
            records: records.iter().map(convert::record).collect(),
            next,
        }))
    }
}

#[tonic::async_trait]
impl proto::change_service_server::ChangeService for Topology {
    async fn list_changes(
        &self,
        request: Request<proto::ListChangesRequest>,
    ) -> Result<Response<proto::ListChangesResponse>, Status> {
        let request = request.into_inner();
        let changes = self
            .db
            .changes(request.after, convert::limit(request.limit))
            .await
            .map_err(refusal)?;
        Ok(Response::new(proto::ListChangesResponse {
            changes: changes
                .into_iter()
                .map(|change| proto::Change {
                    seq: change.seq,
                    cell_id: change.cell_id,
                    table: change.table_name,
                    row_id: change.row_id,
                    payload: change.payload,
                    created_at: change.created_at,
                })
                .collect(),
        }))
    }
}

fn organization_move(row: MoveRow) -> proto::OrganizationMove {
    proto::OrganizationMove {
        organization_id: row.organization_id,
        from_cell_id: row.from_cell,
        to_cell_id: row.to_cell,
        state: row.state,
        step: row.step,
        error: row.error,
        seq: row.seq,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

fn moved(row: MoveRow) -> Response<proto::MoveResponse> {
    Response::new(proto::MoveResponse {
        organization_move: Some(organization_move(row)),
    })
}

#[tonic::async_trait]
impl proto::move_service_server::MoveService for Topology {
    async fn get_move(
        &self,
        request: Request<proto::GetMoveRequest>,
    ) -> Result<Response<proto::GetMoveResponse>, Status> {
        let organization = request.into_inner().organization_id;
        let found = self
            .db
            .move_of(organization)
            .await
            .map_err(convert::store)?;
        Ok(Response::new(proto::GetMoveResponse {
            organization_move: found.map(organization_move),
        }))
    }

    async fn begin_move(
        &self,
        request: Request<proto::BeginMoveRequest>,
    ) -> Result<Response<proto::MoveResponse>, Status> {
        let request = request.into_inner();
        let row = self
            .db
            .begin_move(
                request.organization_id,
                request.from_cell_id,
                request.to_cell_id,
                now(),
            )
            .await
            .map_err(refusal)?;
        Ok(moved(row))
    }

    async fn set_move(
        &self,
        request: Request<proto::SetMoveRequest>,
    ) -> Result<Response<proto::MoveResponse>, Status> {
        let request = request.into_inner();
        let state = MoveState::parse(&request.state).ok_or_else(|| {
            Status::invalid_argument(format!("state {:?} is unknown", request.state))
        })?;
        let step = MoveStep::parse(&request.step).ok_or_else(|| {
            Status::invalid_argument(format!("step {:?} is unknown", request.step))
        })?;
        let row = self
            .db
            .set_move(
                request.organization_id,
                request.read_updated_at,
                state,
                step,
                request.error.as_deref(),
                now(),
            )
            .await
            .map_err(refusal)?;
        Ok(moved(row))
    }

    async fn switch_move(
        &self,
        request: Request<proto::SwitchMoveRequest>,
    ) -> Result<Response<proto::MoveResponse>, Status> {
        let request = request.into_inner();
        let mut handover = Handover::default();
        for value in &request.values {
            handover
                .values
                .push(convert::bucket(Some(value), "values")?);
        }
        for id in &request.ids {
            let (bucket, value) = convert::bucket(Some(id), "ids")?;
            let id = value
                .parse::<i64>()
                .map_err(|_| Status::invalid_argument(format!("ids: {value:?} is not an id")))?;
            handover.ids.push((bucket, id));
        }
        let row = self
            .db
            .switch_move(request.organization_id, &handover, now())
            .await
            .map_err(refusal)?;
        Ok(moved(row))
    }
}

#[tonic::async_trait]
impl proto::switch_service_server::SwitchService for Topology {
    async fn list_switches(
        &self,
        request: Request<proto::ListSwitchesRequest>,
    ) -> Result<Response<proto::ListSwitchesResponse>, Status> {
        let request = request.into_inner();
        let switches = self
            .db
            .switches_after(request.after, convert::limit(request.limit))
            .await
            .map_err(convert::store)?;
        Ok(Response::new(proto::ListSwitchesResponse {
            switches: switches.into_iter().map(organization_move).collect(),
        }))
    }
}
