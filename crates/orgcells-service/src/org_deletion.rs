//! An Organization's deletion, as GitLab's Organization states have it: `DELETE
//! /organizations/:id` marks it soft-deleted (its content then exists for admins alone; the
//! Organization itself for its Owners too, who may restore it), `POST .../restore` brings it
//! back within the retention period (an instance setting, 7 days unless set), and a job on
//! each Cell deletes for good those whose retention has passed: their Groups, Projects and
//! personal namespaces with their routes, their Users' rows, their path.

use std::time::Duration;

use orgcells_core::policy::OrganizationAction;
use orgcells_core::states::OrganizationState;
use orgcells_store::claims;
use orgcells_store::locks::{self, OrgLock};
use orgcells_store::rows::OrganizationRow;
use orgcells_store::{namespaces, organizations};

use crate::access::{Extent, organization_facts, standing};
use crate::caller::Caller;
use crate::error::denied;
use crate::lookup::ensure_writable;
use crate::organizations::find_org;
use crate::owners::organization_owner;
use crate::routes::delete_group_tree;
use crate::{Ref, Result, Service, ServiceError, clock};

/// How many Organizations one run of the job deletes at most.
const PER_RUN: i64 = 10;

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

impl Service {
    /// `DELETE /organizations/:id` (Owners and admins; never the Default Organization): marked
    /// soft-deleted, restorable within the retention period.
    pub async fn delete_organization(&self, caller: &Caller, org: &Ref) -> Result<()> {
        let mut tx = self.db.write().await?;
        let mut row = find_org(tx.conn(), org)
            .await?
            .ok_or(ServiceError::NotFound("Organization"))?;
        locks::organization(tx.conn(), row.id, OrgLock::Exclusive).await?;
        // Read again under the lock: of two at once, the second sees the first.
        row = organizations::find(tx.conn(), row.id)
            .await?
            .ok_or(ServiceError::NotFound("Organization"))?;
        let standing = standing(tx.conn(), caller, Some(row.id), Extent::Everywhere).await?;
        let facts = organization_facts(&row);
        let viewer = standing.viewer(row.id);
        if facts.is_default && viewer.can_read_organization(&facts) {
            return Err(ServiceError::BadRequest(
                "The default organization cannot be deleted".into(),
            ));
        }
        viewer
            .organization(&facts, OrganizationAction::Delete)
            .map_err(denied("Organization"))?;
        ensure_writable(&row)?;
        let now = clock::now();
        row.state = OrganizationState::SoftDeleted;
        row.deleted_at = Some(now);
        row.updated_at = now;
        organizations::update(tx.conn(), &row).await?;
        self.commit(tx).await
    }

    /// `POST /organizations/:id/restore` (Owners and admins): a soft-deleted Organization back,
    /// while its retention lasts.
    pub async fn restore_organization(
        &self,
        caller: &Caller,
        org: &Ref,
    ) -> Result<OrganizationRow> {
        let mut tx = self.db.write().await?;
        let mut row = find_org(tx.conn(), org)
            .await?
            .ok_or(ServiceError::NotFound("Organization"))?;
        locks::organization(tx.conn(), row.id, OrgLock::Exclusive).await?;
        // Read again under the lock: of two at once, the second sees the first.
        row = organizations::find(tx.conn(), row.id)
            .await?
            .ok_or(ServiceError::NotFound("Organization"))?;
        let standing = standing(tx.conn(), caller, Some(row.id), Extent::Everywhere).await?;
        let facts = organization_facts(&row);
        let viewer = standing.viewer(row.id);
        if !viewer.can_read_organization(&facts) {
            return Err(ServiceError::NotFound("Organization"));
        }
        if row.state != OrganizationState::SoftDeleted {
            return Err(ServiceError::BadRequest(
                "Organization is not scheduled for deletion".into(),
            ));
        }
        viewer
            .organization(&facts, OrganizationAction::Restore)
            .map_err(denied("Organization"))?;
        let now = clock::now();
        let retention = millis(self.settings.organization_retention);
        if row.deleted_at.unwrap_or(0).saturating_add(retention) <= now {
            return Err(ServiceError::Conflict(
                "Organization can no longer be restored: its retention period has passed".into(),
            ));
        }
        row.state = OrganizationState::Active;
        row.deleted_at = None;
        row.updated_at = now;
        organizations::update(tx.conn(), &row).await?;
        self.commit(tx).await?;
        self.organization_reopened(row.id).await;
        Ok(row)
    }

    /// The job: deletes for good the soft-deleted Organizations whose retention has passed, a
    /// few at a time, each in its own transaction. The number deleted.
    pub async fn purge_deleted_organizations(&self) -> Result<usize> {
        let before = clock::now().saturating_sub(millis(self.settings.organization_retention));
        let due = {
            let mut conn = self.db.read().await?;
            organizations::due_for_deletion(&mut conn, before, PER_RUN).await?
        };
        let mut purged = 0;
        for found in due {
            let mut tx = self.db.write().await?;
            locks::organization(tx.conn(), found.id, OrgLock::Exclusive).await?;
            // Read again under the lock: restored meanwhile, it stays.
            let Some(row) = organizations::find(tx.conn(), found.id).await?.filter(|r| {
                r.state == OrganizationState::SoftDeleted && r.deleted_at < Some(before)
            }) else {
                continue;
            };
            for ns in namespaces::roots_of_organization(tx.conn(), row.id).await? {
                delete_group_tree(&mut tx, &ns).await?;
            }
            // Its path and the old paths that still led to it.
            claims::release_all(&mut tx, organization_owner(row.id)).await?;
            organizations::delete(tx.conn(), row.id).await?;
            self.commit(tx).await?;
            purged += 1;
        }
        Ok(purged)
    }
}
