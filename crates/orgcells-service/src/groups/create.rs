//! `POST /groups`: a Group or subgroup, its route claimed and its creator made Owner.

use orgcells_core::access::AccessLevel;
use orgcells_core::creation::{ProjectCreationLevel, SubgroupCreationLevel};
use orgcells_core::ids::{NamespaceId, NamespaceKind, OrganizationId};
use orgcells_core::invalid::Invalid;
use orgcells_core::paths::{self, PathPlace};
use orgcells_core::policy::{GroupAction, OrganizationAction};
use orgcells_core::visibility::{Visibility, visibility_conflict};
use orgcells_store::locks::{self, OrgLock};
use orgcells_store::rows::NamespaceRow;
use orgcells_store::{members, namespaces, organizations};

use super::{GroupInput, parse_visibility, setting};
use crate::access::{Extent, organization_facts, standing};
use crate::caller::Caller;
use crate::error::denied;
use crate::locking::lock_chains;
use crate::lookup::{ensure_writable, find_group};
use crate::membership::insert_member;
use crate::present::{GroupDetail, present_groups};
use crate::routes::{group_owner, take_route};
use crate::{Ref, Result, Service, ServiceError, clock};

impl Service {
    /// `POST /groups`.
    pub async fn create_group(&self, caller: &Caller, input: &GroupInput) -> Result<GroupDetail> {
        let me = caller.user()?.clone();
        let mut invalid = Invalid::new();
        let name = input.name.clone().unwrap_or_default();
        let path = input.path.clone().unwrap_or_default();
        invalid.check("name", paths::check_name(&name));
        let place = if input.parent_id.is_some() {
            PathPlace::BelowNamespace
        } else {
            PathPlace::TopLevel
        };
        invalid.check("path", paths::check_path(&path, place));
        let visibility = parse_visibility(&mut invalid, input.visibility.as_deref());
        let description = input.description.clone().unwrap_or_default();
        invalid.check("description", paths::check_length(&description, 500));
        let project_level = setting(
            &mut invalid,
            "project_creation_level",
            input.project_creation_level.as_deref(),
            ProjectCreationLevel::parse,
        );
        let subgroup_level = setting(
            &mut invalid,
            "subgroup_creation_level",
            input.subgroup_creation_level.as_deref(),
            SubgroupCreationLevel::parse,
        );
        invalid.into_result()?;

        let mut tx = self.db.write().await?;
        let (org, parent) = match input.parent_id {
            Some(parent_id) => {
                let (parent, viewer, view) =
                    find_group(tx.conn(), caller, &Ref::Id(parent_id.0)).await?;
                viewer
                    .group(&view.facts(&parent), GroupAction::CreateSubgroup)
                    .map_err(denied("Group"))?;
                if input
                    .organization_id
                    .is_some_and(|org| org != parent.organization_id)
                {
                    return Err(ServiceError::invalid(
                        "organization_id",
                        "must be the organization of the parent group",
                    ));
                }
                // The parent's visibility caps the new Group: read it under its lock.
                let parent = lock_chains(&mut tx, parent.organization_id, &[parent.id])
                    .await?
                    .remove(0);
                (parent.organization_id, Some(parent))
            }
            None => {
                let org_id = input.organization_id.unwrap_or(OrganizationId::DEFAULT);
                let org = organizations::find(tx.conn(), org_id)
                    .await?
                    .ok_or(ServiceError::NotFound("Organization"))?;
                let standing =
                    standing(tx.conn(), caller, Some(org_id), Extent::Everywhere).await?;
                standing
                    .viewer(org_id)
                    .organization(&organization_facts(&org), OrganizationAction::CreateGroup)
                    .map_err(denied("Organization"))?;
                ensure_writable(&org)?;
                // The Organization's visibility caps the new Group (read again below).
                locks::organization(tx.conn(), org_id, OrgLock::Share).await?;
                (org_id, None)
            }
        };
        let ceiling = match &parent {
            Some(parent) => parent.visibility_level,
            None => {
                let org_row = organizations::find(tx.conn(), org)
                    .await?
                    .ok_or(ServiceError::NotFound("Organization"))?;
                // Read under the lock: deleted (or put in maintenance) meanwhile, refused.
                ensure_writable(&org_row)?;
                org_row.visibility_level.ceiling()
            }
        };
        let visibility = visibility.unwrap_or(Visibility::Private);
        let container = if parent.is_some() {
            "parent group"
        } else {
            "organization"
        };
        if let Some(message) = visibility_conflict(visibility, ceiling, None, container) {
            return Err(ServiceError::invalid("visibility_level", message));
        }
        let id: NamespaceId = tx.next_id().await?;
        let (full_path, traversal) = match &parent {
            Some(parent) => (
                format!("{}/{path}", parent.full_path),
                format!("{}/{id}", parent.traversal),
            ),
            None => (path.clone(), id.to_string()),
        };
        let now = clock::now();
        take_route(
            &mut tx,
            group_owner(id),
            &full_path,
            i64::from(self.db.cell().0),
            now,
            "path",
        )
        .await?;
        let row = NamespaceRow {
            id,
            organization_id: org,
            kind: NamespaceKind::Group,
            name,
            path,
            full_path,
            traversal,
            parent_id: parent.as_ref().map(|p| p.id),
            owner_id: None,
            visibility_level: visibility,
            description,
            project_creation_level: project_level.unwrap_or(ProjectCreationLevel::Developer),
            subgroup_creation_level: subgroup_level.unwrap_or(SubgroupCreationLevel::Maintainer),
            created_at: now,
            updated_at: now,
        };
        namespaces::insert(tx.conn(), &row).await?;
        insert_member(
            &mut tx,
            org,
            members::Source::Group(id),
            me.id,
            AccessLevel::Owner,
            None,
            Some(me.id),
        )
        .await?;
        let group = present_groups(tx.conn(), &self.memo, vec![row])
            .await?
            .remove(0);
        self.commit(tx).await?;
        Ok(GroupDetail {
            group,
            shared_with: Vec::new(),
        })
    }
}
