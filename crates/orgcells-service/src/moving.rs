//! Moving an Organization to another Cell. The Cell that holds it drives the move; the
//! topology keeps its state (see `orgcells_core::moves`), so a move stopped anywhere goes on, or
//! is given up, from what the topology says.
//!
//! 1. `copying`: the Organization goes into maintenance (its writes answered 503, its reads
//!    still served); its rows are exported (`store::transfer`) and imported by the target, which
//!    answers each table's count and digest; they must equal the source's.
//! 2. The switch: the topology hands the Organization's claims and ids to the target in one
//!    step. From here the target holds it: the move can only go on.
//! 3. `switched`: the target lifts the maintenance. `cleaning`: after a pause in which routers
//!    forget where the Organization was, the source deletes its rows; the move is `finished`.
//!
//! A failure before the switch lifts the source's maintenance, so the Organization is served
//! as before; the move may be resumed (from the copy) or rolled back (the target's copy is
//! dropped). Cells talk to each other on `/-/cells/...` with the cluster secret.

use std::time::Duration;

use orgcells_core::claims::BucketType;
use orgcells_core::ids::OrganizationId;
use orgcells_core::moves::{self, MoveAction, MoveState, MoveStep};
use orgcells_core::states::OrganizationState;
use orgcells_store::transfer::{self, Value};
/// An Organization's rows as they cross between Cells, and a table's count and digest.
pub use orgcells_store::transfer::{Delta, Exported, TableSummary};
use orgcells_store::{locks, organizations};
use orgcells_topology::proto::OrganizationMove;
use orgcells_topology::{CellEntry, Refusal};
use sha2::{Digest, Sha256};

use crate::caller::Caller;
use crate::turns::Turn;
use crate::{Result, Service, ServiceError};

/// How long the source keeps its rows after the switch: routers forget what they remembered of
/// the Organization within it.
const CLEAN_AFTER: Duration = Duration::from_secs(2);
/// How long a Cell has to import an Organization.
const IMPORT_TIMEOUT: Duration = Duration::from_secs(600);

/// A move, as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoveOut {
    pub organization_id: i64,
    pub from_cell_id: i64,
    pub to_cell_id: i64,
    pub state: String,
    pub step: String,
    pub error: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl From<OrganizationMove> for MoveOut {
    fn from(row: OrganizationMove) -> MoveOut {
        MoveOut {
            organization_id: row.organization_id,
            from_cell_id: row.from_cell_id,
            to_cell_id: row.to_cell_id,
            state: row.state,
            step: row.step,
            error: row.error,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

fn topology_refused(refusal: Refusal) -> ServiceError {
    match refusal {
        Refusal::Unavailable(message) => ServiceError::Unavailable {
            message: format!(
                "503 Service Unavailable: the topology service cannot be reached ({message})"
            ),
            retry_after: 1,
        },
        Refusal::Refused(message) => ServiceError::Conflict(message),
        Refusal::Taken(op) => ServiceError::Conflict(format!("{op:?} is held elsewhere")),
    }
}

fn standing(row: &OrganizationMove) -> Option<(MoveState, MoveStep)> {
    Some((MoveState::parse(&row.state)?, MoveStep::parse(&row.step)?))
}

fn refused(refusal: moves::MoveRefused) -> ServiceError {
    ServiceError::Conflict(refusal.to_string())
}

/// What a switch hands over: the claimed values, and the ids.
type Handover = (Vec<(BucketType, String)>, Vec<(BucketType, i64)>);

/// The claimed values and ids the switch hands over, from the exported rows.
fn handover(exported: &Exported) -> Handover {
    let mut values = Vec::new();
    let mut ids = Vec::new();
    for table in &exported.tables {
        let column = |name: &str| table.columns.iter().position(|(c, _)| c == name);
        match table.table.as_str() {
            "claims" => {
                let (Some(bucket), Some(value)) = (column("bucket"), column("value")) else {
                    continue;
                };
                for row in &table.rows {
                    let bucket = match &row[bucket] {
                        Value::Text(b) if b == "route" => BucketType::Routes,
                        Value::Text(b) if b == "organization_path" => BucketType::OrganizationPath,
                        Value::Text(b) if b == "organization_redirect" => {
                            BucketType::OrganizationRedirects
                        }
                        _ => continue,
                    };
                    if let Value::Text(value) = &row[value] {
                        values.push((bucket, value.clone()));
                    }
                }
            }
            name @ ("organizations" | "namespaces" | "projects") => {
                let bucket = match name {
                    "organizations" => BucketType::OrganizationIds,
                    "namespaces" => BucketType::NamespaceIds,
                    _ => BucketType::ProjectIds,
                };
                let Some(id) = column("id") else { continue };
                ids.extend(table.rows.iter().filter_map(|row| match row[id] {
                    Value::Int(id) => Some((bucket, id)),
                    _ => None,
                }));
            }
            _ => {}
        }
    }
    (values, ids)
}

/// The exported Organization as held in maintenance.
fn in_maintenance(exported: &mut Exported) {
    for table in exported
        .tables
        .iter_mut()
        .filter(|t| t.table == "organizations")
    {
        let Some(state) = table.columns.iter().position(|(name, _)| name == "state") else {
            continue;
        };
        for row in &mut table.rows {
            row[state] = Value::Text(OrganizationState::Maintenance.as_str().to_owned());
        }
    }
}

fn encode<T: serde::Serialize>(value: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(value).map_err(|e| ServiceError::Internal(format!("encoding the rows: {e}")))
}

/// Checks the target's answer (each table's count and digest) against the rows sent.
fn same_copy(target: &CellEntry, answer: &[u8], sent: &Exported) -> Result<()> {
    let copied: Vec<TableSummary> = serde_json::from_slice(answer)
        .map_err(|e| ServiceError::Internal(format!("Cell {} answered: {e}", target.id)))?;
    let source = transfer::summary(sent);
    if copied == source {
        return Ok(());
    }
    let differs = source
        .iter()
        .find(|table| !copied.contains(table))
        .map_or("a table", |table| table.table.as_str());
    Err(ServiceError::Conflict(format!(
        "The copy on Cell {} differs from the source in {differs}",
        target.id
    )))
}

impl Service {
    fn mover(&self) -> Result<&orgcells_topology::TopologyClient> {
        self.topology.as_ref().ok_or_else(|| {
            ServiceError::BadRequest("400 Bad Request - This Cell is not part of a cluster".into())
        })
    }

    /// Whether a request on `/-/cells/...` comes from a part of the cluster: it presents the
    /// cluster secret. Anyone else (and everyone, on a Cell on its own) finds nothing there.
    pub fn cluster_peer(&self, presented: Option<&str>) -> Result<()> {
        let digest = |secret: &str| Sha256::digest(secret.as_bytes());
        match (&self.cluster_secret, presented) {
            (Some(secret), Some(presented)) if digest(secret.reveal()) == digest(presented) => {
                Ok(())
            }
            _ => Err(ServiceError::NotFound("Route")),
        }
    }

    async fn cell_entry(&self, id: i64) -> Result<CellEntry> {
        let cells = self.cluster_cells().await?;
        cells
            .into_iter()
            .find(|cell| i64::from(cell.id) == id)
            .ok_or_else(|| ServiceError::invalid("cell_id", "is not a Cell of this cluster"))
    }

    /// `POST /admin/organizations/:id/move`: starts moving an Organization this Cell holds to
    /// Cell `to` (admins). The move goes on in the background; its state is answered.
    pub async fn move_organization(
        &self,
        caller: &Caller,
        org: OrganizationId,
        to: i64,
    ) -> Result<MoveOut> {
        caller.admin()?;
        let topology = self.mover()?;
        {
            let mut conn = self.db.read().await?;
            let row = organizations::find(&mut conn, org)
                .await?
                .ok_or(ServiceError::NotFound("Organization"))?;
            // A move ends with the Organization active: not one waiting to be deleted.
            if row.state == OrganizationState::SoftDeleted {
                return Err(ServiceError::BadRequest(
                    "400 Bad Request - The Organization is scheduled for deletion: restore it first"
                        .into(),
                ));
            }
        }
        if org == OrganizationId::DEFAULT {
            return Err(ServiceError::BadRequest(
                "400 Bad Request - The Default Organization cannot move".into(),
            ));
        }
        if to == i64::from(self.db.cell().0) {
            return Err(ServiceError::invalid(
                "cell_id",
                "is the Organization's Cell already",
            ));
        }
        self.cell_entry(to).await?;
        let turn = self.acting(org)?;
        // A move given up before its switch may have left a copy on its target: gone first.
        if let Some(earlier) = topology.move_of(org.0).await.map_err(topology_refused)?
            && standing(&earlier).is_some_and(|(state, step)| {
                state == MoveState::RolledBack || (state == MoveState::Failed && !step.switched())
            })
        {
            self.drop_copy(&earlier).await?;
        }
        let row = topology
            .begin_move(org.0, to)
            .await
            .map_err(topology_refused)?;
        self.spawn_drive(org, turn);
        Ok(row.into())
    }

    /// `GET /admin/organizations/:id/move`: the Organization's latest move (admins).
    pub async fn organization_move(&self, caller: &Caller, org: OrganizationId) -> Result<MoveOut> {
        caller.admin()?;
        let row = self
            .mover()?
            .move_of(org.0)
            .await
            .map_err(topology_refused)?;
        row.map(MoveOut::from).ok_or(ServiceError::NotFound("Move"))
    }

    /// The latest move, if this Cell drives it and `action` is allowed (the caller holds its
    /// turn to act on it).
    async fn driven_move(
        &self,
        org: OrganizationId,
        action: MoveAction,
    ) -> Result<OrganizationMove> {
        let row = self
            .mover()?
            .move_of(org.0)
            .await
            .map_err(topology_refused)?
            .ok_or(ServiceError::NotFound("Move"))?;
        let stale = crate::clock::now() - row.updated_at > moves::STALE_AFTER_MS;
        moves::allows(standing(&row), stale, action).map_err(refused)?;
        if row.from_cell_id != i64::from(self.db.cell().0) {
            return Err(ServiceError::Conflict(format!(
                "The move is driven by Cell {}, where the Organization was",
                row.from_cell_id
            )));
        }
        Ok(row)
    }

    /// `POST /admin/organizations/:id/move/resume`: goes on with a failed move (admins).
    pub async fn resume_move(&self, caller: &Caller, org: OrganizationId) -> Result<MoveOut> {
        caller.admin()?;
        let turn = self.acting(org)?;
        let row = self.driven_move(org, MoveAction::Resume).await?;
        let row = self
            .mover()?
            .set_move(&row, MoveState::Running.as_str(), &row.step, None)
            .await
            .map_err(topology_refused)?;
        self.spawn_drive(org, turn);
        Ok(row.into())
    }

    /// `POST /admin/organizations/:id/move/rollback`: gives up a failed move before its switch
    /// (admins): the target's copy is dropped, the source serves as before.
    pub async fn roll_back_move(&self, caller: &Caller, org: OrganizationId) -> Result<MoveOut> {
        caller.admin()?;
        let _turn = self.acting(org)?;
        let read = self.driven_move(org, MoveAction::RollBack).await?;
        // Recorded first, against the move as read: a resume racing this one either wins (this
        // is refused, having touched nothing) or is refused; the driver it would start never
        // sees its maintenance lifted under it. Asked again once rolled back, it finishes what
        // the first left undone.
        let row = if read.state == MoveState::RolledBack.as_str() {
            read
        } else {
            self.mover()?
                .set_move(&read, MoveState::RolledBack.as_str(), &read.step, None)
                .await
                .map_err(topology_refused)?
        };
        self.set_state(org, OrganizationState::Active).await?;
        // The target unreachable: the answer says so, and the rollback may be asked again.
        self.drop_copy(&row).await?;
        Ok(row.into())
    }

    /// Drops the copy a move left on its target.
    async fn drop_copy(&self, row: &OrganizationMove) -> Result<()> {
        let target = self.cell_entry(row.to_cell_id).await?;
        let org = OrganizationId(row.organization_id);
        self.peer(&target, reqwest::Method::DELETE, org, "", None)
            .await?;
        Ok(())
    }

    /// At start: the moves this Cell was driving when it stopped go on. Such a move left its
    /// Organization in maintenance here (copying or cleaning); a Cell holding a copy for
    /// another's move finds the move driven elsewhere and leaves it. The moves resumed.
    pub async fn resume_moves(&self) -> Result<usize> {
        let Some(topology) = self.topology.as_ref() else {
            return Ok(0);
        };
        let held = {
            let mut conn = self.db.read().await?;
            organizations::in_maintenance(&mut conn).await?
        };
        let me = i64::from(self.db.cell().0);
        let mut resumed = 0;
        for org in held {
            let row = topology.move_of(org.0).await.map_err(topology_refused)?;
            if let Some(row) =
                row.filter(|row| row.state == MoveState::Running.as_str() && row.from_cell_id == me)
            {
                tracing::info!(organization = org.0, step = %row.step, "going on with a move this Cell was driving");
                if let Some(turn) = self.act_on(org) {
                    self.spawn_drive(org, turn);
                    resumed += 1;
                }
            }
        }
        Ok(resumed)
    }

    /// This process's turn to act on the move of `org` (begin, drive, resume, roll back), or
    /// `None` while something else here acts on it: one at a time, so that a rollback never
    /// lifts the maintenance a driver holds. Across processes the topology's records decide.
    fn act_on(&self, org: OrganizationId) -> Option<Turn> {
        self.driving.take(org.0)
    }

    /// [`Self::act_on`], or the refusal a caller is answered.
    fn acting(&self, org: OrganizationId) -> Result<Turn> {
        self.act_on(org)
            .ok_or_else(|| refused(moves::MoveRefused::Running))
    }

    /// Drives the move of `org` in the background, holding `turn` until it ends.
    fn spawn_drive(&self, org: OrganizationId, turn: Turn) {
        let service = self.clone();
        tokio::spawn(async move {
            service.drive(org).await;
            drop(turn);
        });
    }

    /// Drives a move from where the topology says it stands; a failure is recorded there.
    async fn drive(&self, org: OrganizationId) {
        let Err(error) = self.drive_steps(org).await else {
            return;
        };
        tracing::warn!(organization = org.0, %error, "moving an Organization failed");
        let Ok(topology) = self.mover() else { return };
        // Where it stopped, as the topology says. Not known (the topology away): the switch
        // may have happened, so the Organization stays in maintenance here, never served by
        // two Cells; the move, still running, can be resumed once it is stale.
        let Ok(Some(row)) = topology.move_of(org.0).await else {
            tracing::warn!(
                organization = org.0,
                "a failed move's step is not known: the Organization stays in maintenance"
            );
            return;
        };
        let step = MoveStep::parse(&row.step).unwrap_or(MoveStep::Switched);
        if !step.switched() {
            if let Err(error) = self.set_state(org, OrganizationState::Active).await {
                tracing::warn!(organization = org.0, %error, "lifting the maintenance of a failed move");
            }
            // The target's copy goes too: nothing of it may outlive the move (a later change
            // here, a permission taken away, would not reach it).
            if let Err(error) = self.drop_copy(&row).await {
                tracing::warn!(organization = org.0, %error, "dropping a failed move's copy");
            }
        }
        if let Err(refusal) = topology
            .set_move(
                &row,
                MoveState::Failed.as_str(),
                step.as_str(),
                Some(error.to_string()),
            )
            .await
        {
            tracing::warn!(organization = org.0, %refusal, "recording a failed move");
        }
    }

    async fn drive_steps(&self, org: OrganizationId) -> Result<()> {
        let topology = self.mover()?;
        let mut row = topology
            .move_of(org.0)
            .await
            .map_err(topology_refused)?
            .ok_or(ServiceError::NotFound("Move"))?;
        let mut step = MoveStep::parse(&row.step).unwrap_or(MoveStep::Copying);
        let target = self.cell_entry(row.to_cell_id).await?;
        if step == MoveStep::Copying {
            // A first copy while the Organization stays live; then, in maintenance, only what
            // changed meanwhile: the writes are held for that short while alone.
            // The copy is kept in maintenance until the switch: no one is served from it.
            let mut first = self.export(org).await?;
            in_maintenance(&mut first);
            let answer = self
                .peer(
                    &target,
                    reqwest::Method::PUT,
                    org,
                    "",
                    Some(encode(&first)?),
                )
                .await?;
            same_copy(&target, &answer, &first)?;
            self.set_state(org, OrganizationState::Maintenance).await?;
            let paused = std::time::Instant::now();
            let exported = self.export(org).await?;
            let delta = transfer::diff(&first, &exported)?;
            let answer = self
                .peer(
                    &target,
                    reqwest::Method::PATCH,
                    org,
                    "",
                    Some(encode(&delta)?),
                )
                .await?;
            same_copy(&target, &answer, &exported)?;
            tracing::info!(
                organization = org.0,
                rows = delta.rows(),
                held_ms = paused.elapsed().as_millis() as u64,
                "the copy caught up in maintenance"
            );
            let (values, ids) = handover(&exported);
            row = topology
                .switch_move(org.0, &values, &ids)
                .await
                .map_err(topology_refused)?;
            step = MoveStep::Switched;
        }
        if step == MoveStep::Switched {
            self.peer(&target, reqwest::Method::POST, org, "/activate", None)
                .await?;
            row = topology
                .set_move(
                    &row,
                    MoveState::Running.as_str(),
                    MoveStep::Cleaning.as_str(),
                    None,
                )
                .await
                .map_err(topology_refused)?;
            tokio::time::sleep(CLEAN_AFTER).await;
        }
        let mut tx = self.db.write().await?;
        transfer::delete(&mut tx, org.0).await?;
        tx.commit().await?;
        topology
            .set_move(
                &row,
                MoveState::Finished.as_str(),
                MoveStep::Cleaning.as_str(),
                None,
            )
            .await
            .map_err(topology_refused)?;
        tracing::info!(
            organization = org.0,
            to = target.id,
            "the Organization moved"
        );
        Ok(())
    }

    async fn export(&self, org: OrganizationId) -> Result<Exported> {
        let mut conn = self.db.read().await?;
        Ok(transfer::export_snapshot(&mut conn, org.0).await?)
    }

    /// Puts the Organization in `state`, once the writes under way inside it have committed
    /// (they hold its row shared; this takes it whole). Active again, it takes the invitations
    /// that waited for it.
    async fn set_state(&self, org: OrganizationId, state: OrganizationState) -> Result<()> {
        let mut tx = self.db.write().await?;
        locks::organization(tx.conn(), org, locks::OrgLock::Exclusive).await?;
        let Some(mut row) = organizations::find(tx.conn(), org).await? else {
            return Ok(());
        };
        // Already so (a move resumed after its Cell died in maintenance): nothing to write, and
        // the guard would refuse to rewrite a row in maintenance.
        if row.state == state {
            return Ok(());
        }
        row.state = state;
        organizations::update(tx.conn(), &row).await?;
        tx.commit().await?;
        if state == OrganizationState::Active {
            self.organization_reopened(org).await;
        }
        Ok(())
    }

    /// A call to another Cell's `/-/cells/organizations/:id{path}`: the answer's body.
    async fn peer(
        &self,
        cell: &CellEntry,
        method: reqwest::Method,
        org: OrganizationId,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<Vec<u8>> {
        let path = format!("/organizations/{}{path}", org.0);
        self.call_peer(cell, method, &path, body, IMPORT_TIMEOUT)
            .await
    }

    /// `PUT /-/cells/organizations/:id` on the target: the Organization's rows, imported whole
    /// (replacing an earlier attempt's); each table's count and digest as it now holds them.
    pub async fn import_organization(&self, exported: &Exported) -> Result<Vec<TableSummary>> {
        // The Users the rows name were made on the first Cell: catch up with them first.
        self.replicate().await?;
        let org = OrganizationId(exported.organization_id);
        let mut tx = self.db.write().await?;
        self.only_a_copy(tx.conn(), org).await?;
        transfer::import(&mut tx, i64::from(self.db.cell().0), exported).await?;
        tx.commit().await?;
        let mut conn = self.db.read().await?;
        let copy = transfer::export(&mut conn, exported.organization_id).await?;
        Ok(transfer::summary(&copy))
    }

    /// `PATCH /-/cells/organizations/:id` on the target: what changed since the import,
    /// applied to the copy; each table's count and digest as it now holds them.
    pub async fn update_organization_copy(&self, delta: &Delta) -> Result<Vec<TableSummary>> {
        self.replicate().await?;
        let org = OrganizationId(delta.organization_id);
        let mut tx = self.db.write().await?;
        self.only_a_copy(tx.conn(), org).await?;
        transfer::apply(&mut tx, i64::from(self.db.cell().0), delta).await?;
        tx.commit().await?;
        Ok(transfer::summary(&self.export(org).await?))
    }

    /// `POST /-/cells/organizations/:id/activate` on the target, after the switch.
    pub async fn activate_organization(&self, org: OrganizationId) -> Result<()> {
        self.set_state(org, OrganizationState::Active).await
    }

    /// `DELETE /-/cells/organizations/:id` on the target of a move rolled back: its copy.
    pub async fn drop_organization_copy(&self, org: OrganizationId) -> Result<()> {
        let mut tx = self.db.write().await?;
        self.only_a_copy(tx.conn(), org).await?;
        transfer::delete(&mut tx, org.0).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Refuses to replace or drop an Organization this Cell serves: only a copy in maintenance
    /// (or none) may be.
    async fn only_a_copy(
        &self,
        conn: &mut orgcells_store::AnyConnection,
        org: OrganizationId,
    ) -> Result<()> {
        locks::organization(conn, org, locks::OrgLock::Exclusive).await?;
        match organizations::find(conn, org).await? {
            Some(row) if row.state != OrganizationState::Maintenance => {
                Err(ServiceError::Conflict(format!(
                    "Cell {} serves Organization {}: it is not a copy",
                    self.db.cell().0,
                    org.0
                )))
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use orgcells_store::transfer::{Kind, TableRows};

    fn exported(name: &str) -> Exported {
        Exported {
            organization_id: 7,
            tables: vec![TableRows {
                table: "namespaces".into(),
                columns: vec![("id".into(), Kind::Int), ("name".into(), Kind::Text)],
                rows: vec![vec![Value::Int(1), Value::Text(name.into())]],
            }],
        }
    }

    #[test]
    fn a_copy_must_match_what_was_sent_table_by_table() {
        let target = CellEntry {
            id: 2,
            name: "cell-2".into(),
            address: "http://127.0.0.1:1".into(),
            session_prefix: "cell2".into(),
            organizations_count: None,
        };
        let sent = exported("platform");
        let same = serde_json::to_vec(&transfer::summary(&sent)).expect("json");
        assert!(same_copy(&target, &same, &sent).is_ok());
        // One row differs: the count matches, the digest does not.
        let other = serde_json::to_vec(&transfer::summary(&exported("Platform"))).expect("json");
        let refused = same_copy(&target, &other, &sent).expect_err("a different copy");
        assert!(refused.to_string().contains("namespaces"), "{refused}");
        // An answer that is no summary at all.
        assert!(same_copy(&target, b"{}", &sent).is_err());
    }
}
