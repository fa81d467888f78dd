//! `POST /groups/:id/transfer`: a Group moved under another parent or to the top level.

use orgcells_core::paths::{self, PathPlace};
use orgcells_core::policy::{GroupAction, OrganizationAction};
use orgcells_store::rows::parse_traversal;
use orgcells_store::{namespaces, organizations};

use crate::access::{Extent, GroupView, organization_facts, standing};
use crate::caller::Caller;
use crate::error::denied;
use crate::locking::lock_chains;
use crate::lookup::{ensure_org_writable, find_group, shared_with_groups};
use crate::present::{GroupDetail, present_groups};
use crate::{Ref, Result, Service, ServiceError};

impl Service {
    /// `POST /groups/:id/transfer`: to another parent (`group_id`) of the same Organization, or
    /// to the top level (no `group_id`).
    pub async fn transfer_group(
        &self,
        caller: &Caller,
        group: &Ref,
        target: Option<i64>,
    ) -> Result<GroupDetail> {
        let mut tx = self.db.write().await?;
        let (mut row, viewer, view) = find_group(tx.conn(), caller, group).await?;
        viewer
            .group(&view.facts(&row), GroupAction::Transfer)
            .map_err(denied("Group"))?;
        ensure_org_writable(tx.conn(), row.organization_id).await?;
        let (new_parent, new_traversal, new_full) = match target {
            Some(target_id) => {
                let (target, target_viewer, _) =
                    find_group(tx.conn(), caller, &Ref::Id(target_id)).await?;
                // Both chains under locks: of two crossed transfers, the second sees the first.
                let mut locked =
                    lock_chains(&mut tx, row.organization_id, &[row.id, target.id]).await?;
                let target = locked.remove(1);
                row = locked.remove(0);
                let target_view = GroupView::of(&target);
                if target.organization_id != row.organization_id {
                    return Err(ServiceError::BadRequest(
                        "Transfer failed: the group and the new parent group belong to different organizations".into(),
                    ));
                }
                if parse_traversal(&target.traversal).contains(&row.id) {
                    return Err(ServiceError::BadRequest("Transfer failed: cannot transfer a group to itself or one of its subgroups".into()));
                }
                if row.parent_id == Some(target.id) {
                    return Err(ServiceError::BadRequest(
                        "Transfer failed: group is already in the target parent group".into(),
                    ));
                }
                target_viewer
                    .group(&target_view.facts(&target), GroupAction::CreateSubgroup)
                    .map_err(denied("Group"))?;
                if row.visibility_level > target.visibility_level {
                    return Err(ServiceError::invalid(
                        "visibility_level",
                        format!(
                            "{} is not allowed since the parent group has a {} visibility.",
                            row.visibility_level.name(),
                            target.visibility_level.name()
                        ),
                    ));
                }
                (
                    Some(target.id),
                    format!("{}/{}", target.traversal, row.id),
                    format!("{}/{}", target.full_path, row.path),
                )
            }
            None => {
                row = lock_chains(&mut tx, row.organization_id, &[row.id])
                    .await?
                    .remove(0);
                if row.parent_id.is_none() {
                    return Err(ServiceError::BadRequest(
                        "Transfer failed: group is already a top-level group".into(),
                    ));
                }
                paths::check_path(&row.path, PathPlace::TopLevel)
                    .map_err(|m| ServiceError::invalid("path", m))?;
                let org = organizations::find(tx.conn(), row.organization_id)
                    .await?
                    .ok_or(ServiceError::NotFound("Organization"))?;
                let standing =
                    standing(tx.conn(), caller, Some(org.id), Extent::Everywhere).await?;
                standing
                    .viewer(org.id)
                    .organization(&organization_facts(&org), OrganizationAction::CreateGroup)
                    .map_err(denied("Organization"))?;
                (None, row.id.to_string(), row.path.clone())
            }
        };
        self.relocate(
            &mut tx,
            &row,
            new_parent,
            &new_traversal,
            &new_full,
            &row.path.clone(),
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
}
