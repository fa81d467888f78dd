//! `POST /organizations/:id/groups/transfer`: a top-level Group moved into another
//! Organization with its whole subtree, by a User who owns both (or an admin), as GitLab's
//! `Organizations::Groups::TransferService` does: paths stay, the sharding key of every row
//! changes in one transaction, no Group or Project stays more visible than its new
//! Organization, and the Group's Members become Users of it.

use orgcells_core::ids::NamespaceId;
use orgcells_core::policy::{GroupAction, OrganizationAction};
use orgcells_store::locks::{self, OrgLock};
use orgcells_store::rows::OrganizationRow;
use orgcells_store::{Tx, adoption, namespaces, organizations};
use orgcells_topology::proto::ClassifyType;

use crate::access::{Extent, organization_facts, standing};
use crate::caller::Caller;
use crate::locking::lock_chains;
use crate::lookup::{ensure_writable, find_group, shared_with_groups};
use crate::organizations::find_org;
use crate::present::{GroupDetail, present_groups};
use crate::{Ref, Result, Service, ServiceError, clock};

/// How many blockers a refusal names.
const NAMED: i64 = 20;

fn failed(reason: impl std::fmt::Display) -> ServiceError {
    ServiceError::BadRequest(format!("Group organization transfer failed: {reason}"))
}

impl Service {
    /// Moves top-level Group `group_id` into Organization `org`.
    pub async fn transfer_group_to_organization(
        &self,
        caller: &Caller,
        org: &Ref,
        group_id: i64,
    ) -> Result<GroupDetail> {
        let mut tx = self.db.write().await?;
        let target = self.target_organization(&mut tx, caller, org).await?;
        // Who may move Groups in is checked first: nothing is locked, and nothing is said
        // about a Group (not even on which Cell it is), for anyone else.
        let refused = || {
            ServiceError::forbidden(
                "Group organization transfer failed: You must be an owner of both the group and new organization.",
            )
        };
        let standing = standing(tx.conn(), caller, Some(target.id), Extent::Everywhere).await?;
        standing
            .viewer(target.id)
            .organization(
                &organization_facts(&target),
                OrganizationAction::TransferGroupIn,
            )
            .map_err(|_| refused())?;
        let found = namespaces::find(tx.conn(), NamespaceId(group_id)).await?;
        if found.is_none() {
            return Err(self.elsewhere(group_id, &target).await);
        }
        let (row, viewer, view) = find_group(tx.conn(), caller, &Ref::Id(group_id)).await?;
        viewer
            .group(&view.facts(&row), GroupAction::Transfer)
            .map_err(|_| refused())?;
        let source = row.organization_id;
        // Both Organizations in id order, exclusively (nothing is written in either meanwhile:
        // no member added under the old key, no User banned or removed from the new one while
        // their memberships move in), then the Group's chain.
        let mut orgs = [source, target.id];
        orgs.sort_unstable();
        for id in orgs {
            locks::organization(tx.conn(), id, OrgLock::Exclusive).await?;
        }
        let row = lock_chains(&mut tx, source, &[row.id]).await?.remove(0);
        if row.organization_id != source {
            return Err(ServiceError::Unavailable {
                message: "503 Service Unavailable: the group moved while being changed; retry"
                    .into(),
                retry_after: 1,
            });
        }
        let target = organizations::find(tx.conn(), target.id)
            .await?
            .ok_or(ServiceError::NotFound("Organization"))?;
        if row.parent_id.is_some() {
            return Err(failed(
                "Only root groups can be transferred to a different organization.",
            ));
        }
        if source == target.id {
            return Err(failed("Group is already in the target organization."));
        }
        let source_row = organizations::find(tx.conn(), source)
            .await?
            .ok_or(ServiceError::NotFound("Organization"))?;
        ensure_writable(&source_row)?;
        ensure_writable(&target)?;
        let crossing = adoption::crossing_shares(tx.conn(), source, &row.traversal, NAMED).await?;
        if !crossing.is_empty() {
            return Err(failed(format!(
                "it is shared with, or has shares of, what stays in its organization: {}",
                crossing.join(", ")
            )));
        }
        let banned =
            adoption::banned_members(tx.conn(), source, &row.traversal, target.id, NAMED).await?;
        if !banned.is_empty() {
            return Err(failed(format!(
                "members are banned from the organization: {}",
                banned.join(", ")
            )));
        }
        adoption::add_members_as_users(tx.conn(), source, &row.traversal, target.id, clock::now())
            .await?;
        adoption::move_subtree(
            tx.conn(),
            source,
            &row.traversal,
            target.id,
            target.visibility_level.ceiling(),
            clock::now(),
        )
        .await?;
        let moved = namespaces::find(tx.conn(), row.id)
            .await?
            .ok_or(ServiceError::NotFound("Group"))?;
        let shared_with = shared_with_groups(tx.conn(), &viewer, moved.id).await?;
        let group = present_groups(tx.conn(), &self.memo, vec![moved])
            .await?
            .remove(0);
        self.commit(tx).await?;
        Ok(GroupDetail { group, shared_with })
    }

    /// The Organization a Group moves into, as the caller sees it.
    async fn target_organization(
        &self,
        tx: &mut Tx,
        caller: &Caller,
        org: &Ref,
    ) -> Result<OrganizationRow> {
        let found = find_org(tx.conn(), org)
            .await?
            .ok_or(ServiceError::NotFound("Organization"))?;
        let standing = standing(tx.conn(), caller, Some(found.id), Extent::Everywhere).await?;
        if !standing
            .viewer(found.id)
            .can_read_organization(&organization_facts(&found))
        {
            return Err(ServiceError::NotFound("Organization"));
        }
        Ok(found)
    }

    /// The answer for a Group this Cell does not hold: on another Cell of the cluster, a 409
    /// naming both Cells (moving a subtree between Cells is the Organization's move, not this);
    /// else not found.
    async fn elsewhere(&self, group_id: i64, target: &OrganizationRow) -> ServiceError {
        let own = self.db.cell().0;
        let Some(directory) = &self.directory else {
            return ServiceError::NotFound("Group");
        };
        match directory
            .classify(ClassifyType::NamespaceId, &group_id.to_string())
            .await
        {
            Ok(found) if found.found && found.cell.id != own => ServiceError::Conflict(format!(
                "Group organization transfer failed: the group is on Cell {} and organization {} on Cell {own}; move the group's organization first",
                found.cell.id, target.path
            )),
            Ok(_) => ServiceError::NotFound("Group"),
            Err(e) => ServiceError::Unavailable {
                message: format!(
                    "503 Service Unavailable: the topology service cannot be reached ({e})"
                ),
                retry_after: 1,
            },
        }
    }
}
