//! `PUT /groups/:id`: settings, a rename (the subtree's paths with it), a visibility within its
//! container's and above its children's.

use orgcells_core::creation::{ProjectCreationLevel, SubgroupCreationLevel};
use orgcells_core::invalid::Invalid;
use orgcells_core::paths::{self, PathPlace};
use orgcells_core::policy::GroupAction;
use orgcells_core::visibility::{Visibility, visibility_conflict};
use orgcells_store::rows::NamespaceRow;
use orgcells_store::{AnyConnection, namespaces, organizations};

use super::{GroupInput, parse_visibility, setting};
use crate::access::GroupView;
use crate::caller::Caller;
use crate::error::denied;
use crate::locking::lock_chains;
use crate::lookup::{ensure_org_writable, find_group, shared_with_groups};
use crate::present::{GroupDetail, present_groups};
use crate::{Ref, Result, Service, ServiceError, clock};

impl Service {
    /// `PUT /groups/:id`: name and description need Maintainer; path and visibility need Owner.
    pub async fn update_group(
        &self,
        caller: &Caller,
        group: &Ref,
        input: &GroupInput,
    ) -> Result<GroupDetail> {
        let mut invalid = Invalid::new();
        if let Some(name) = &input.name {
            invalid.check("name", paths::check_name(name));
        }
        if let Some(description) = &input.description {
            invalid.check("description", paths::check_length(description, 500));
        }
        let visibility = parse_visibility(&mut invalid, input.visibility.as_deref());
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
        let mut tx = self.db.write().await?;
        let (row, viewer, _) = find_group(tx.conn(), caller, group).await?;
        // The chain above caps the visibility, the Group caps its children: under locks.
        let mut row = lock_chains(&mut tx, row.organization_id, &[row.id])
            .await?
            .remove(0);
        let view = GroupView::of(&row);
        let place = if row.parent_id.is_some() {
            PathPlace::BelowNamespace
        } else {
            PathPlace::TopLevel
        };
        let new_path = input.path.clone().filter(|p| *p != row.path);
        if let Some(path) = &new_path {
            invalid.check("path", paths::check_path(path, place));
        }
        invalid.into_result()?;
        ensure_org_writable(tx.conn(), row.organization_id).await?;
        let facts = view.facts(&row);
        viewer
            .group(&facts, GroupAction::Update)
            .map_err(denied("Group"))?;
        let sensitive = new_path.is_some()
            || visibility.is_some_and(|v| v != row.visibility_level)
            || project_level.is_some()
            || subgroup_level.is_some();
        if sensitive {
            viewer
                .group(&facts, GroupAction::UpdateSensitive)
                .map_err(denied("Group"))?;
        }
        if let Some(visibility) = visibility {
            let ceiling = container_visibility(tx.conn(), &row).await?;
            let child = namespaces::most_visible_child(tx.conn(), row.id).await?;
            let container = if row.parent_id.is_some() {
                "parent group"
            } else {
                "organization"
            };
            if let Some(message) = visibility_conflict(visibility, ceiling, child, container) {
                return Err(ServiceError::invalid("visibility_level", message));
            }
            row.visibility_level = visibility;
        }
        if let Some(name) = &input.name {
            row.name = name.clone();
        }
        if let Some(description) = &input.description {
            row.description = description.clone();
        }
        if let Some(level) = project_level {
            row.project_creation_level = level;
        }
        if let Some(level) = subgroup_level {
            row.subgroup_creation_level = level;
        }
        row.updated_at = clock::now();
        namespaces::update(tx.conn(), &row).await?;
        if let Some(path) = new_path {
            let parent_path = row
                .full_path
                .rsplit_once('/')
                .map(|(parent, _)| parent.to_owned());
            let new_full = match parent_path {
                Some(parent) => format!("{parent}/{path}"),
                None => path.clone(),
            };
            self.relocate(
                &mut tx,
                &row,
                row.parent_id,
                &row.traversal.clone(),
                &new_full,
                &path,
            )
            .await?;
        }
        let row = namespaces::find(tx.conn(), row.id)
            .await?
            .ok_or(ServiceError::NotFound("Group"))?;
        let shared_with = shared_with_groups(tx.conn(), &viewer, row.id).await?;
        let group = present_groups(tx.conn(), &self.memo, vec![row])
            .await?
            .remove(0);
        self.commit(tx).await?;
        Ok(GroupDetail { group, shared_with })
    }
}

/// The visibility a Group may not exceed: its parent's, or its Organization's.
pub(crate) async fn container_visibility(
    conn: &mut AnyConnection,
    row: &NamespaceRow,
) -> Result<Visibility> {
    match row.parent_id {
        Some(parent) => {
            let parent = namespaces::find(conn, parent)
                .await?
                .ok_or(ServiceError::NotFound("Group"))?;
            Ok(parent.visibility_level)
        }
        None => {
            let org = organizations::find(conn, row.organization_id)
                .await?
                .ok_or(ServiceError::NotFound("Organization"))?;
            Ok(org.visibility_level.ceiling())
        }
    }
}
