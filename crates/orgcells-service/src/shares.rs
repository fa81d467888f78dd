//! Group links: a Group invited to another Group or to a Project, with a maximum access level.
//! Nothing links across Organizations: a share is made under its Organization's lock, which a
//! Group moving into another Organization holds whole.

use orgcells_core::access::AccessLevel;
use orgcells_core::ids::{NamespaceId, OrganizationId, ProjectId};
use orgcells_core::invalid::Invalid;
use orgcells_core::policy::{GroupAction, ProjectAction};
use orgcells_store::Tx;
use orgcells_store::links::{self, LinkKind};
use orgcells_store::locks::{self, OrgLock};
use orgcells_store::rows::{LinkRow, parse_traversal};

use crate::access::project_facts;
use crate::caller::Caller;
use crate::error::denied;
use crate::lookup::{ensure_org_writable, find_group, find_project, shared_with_groups};
use crate::membership::check_expiry;
use crate::present::{GroupDetail, ProjectOut, present_groups};
use crate::projects::ProjectFilter;
use crate::{Ref, Result, Service, ServiceError, clock};

/// Fields of `POST /groups/:id/share` and `POST /projects/:id/share`.
#[derive(Debug, Clone, Default)]
pub struct ShareInput {
    pub group_id: Option<i64>,
    pub group_access: Option<i64>,
    pub expires_at: Option<String>,
}

struct ValidShare {
    group_id: i64,
    access: AccessLevel,
    expires_at: Option<String>,
}

fn validate(input: &ShareInput) -> Result<ValidShare> {
    let mut invalid = Invalid::new();
    if input.group_id.is_none() {
        invalid.add("group_id", "is missing");
    }
    let access = match input.group_access {
        None => {
            invalid.add("group_access", "is missing");
            None
        }
        Some(value) => {
            let level = AccessLevel::for_link(value);
            if level.is_none() {
                invalid.add("group_access", "does not have a valid value");
            }
            level
        }
    };
    let expires_at = check_expiry(&mut invalid, input.expires_at.as_deref());
    invalid.into_result()?;
    match (input.group_id, access) {
        (Some(group_id), Some(access)) => Ok(ValidShare {
            group_id,
            access,
            expires_at,
        }),
        _ => Err(ServiceError::BadRequest(
            "group_id and group_access are required".into(),
        )),
    }
}

/// Locks the Organization a share is made in (shared), taking writes: a Group moving into
/// another Organization (`groups/adopt.rs`) holds its Organization whole, so under this lock
/// both ends of the share stay where they are read until it commits, and a move after it sees
/// the share (and refuses, naming it).
async fn lock_organization(tx: &mut Tx, org: OrganizationId) -> Result<OrganizationId> {
    locks::organization(tx.conn(), org, OrgLock::Share).await?;
    ensure_org_writable(tx.conn(), org).await?;
    Ok(org)
}

/// Refuses a share whose Group or Project moved to another Organization between its first
/// read and the lock: asked again, it is read where it is now.
fn stayed(now: OrganizationId, locked: OrganizationId) -> Result<()> {
    if now == locked {
        return Ok(());
    }
    Err(ServiceError::Unavailable {
        message: "503 Service Unavailable: it moved to another organization meanwhile; retry"
            .into(),
        retry_after: 1,
    })
}

/// Refuses a share that would let in a User banned from the Organization (as a member add or
/// an invitation would). Who is banned is the Organization's Owners' to know: the refusal
/// names no one.
async fn refuse_banned(tx: &mut Tx, org: OrganizationId, groups: &[NamespaceId]) -> Result<()> {
    if links::banned_members(tx.conn(), org, groups, 1)
        .await?
        .is_empty()
    {
        return Ok(());
    }
    Err(ServiceError::forbidden(
        "Members of the group are banned from this organization",
    ))
}

impl Service {
    /// `POST /groups/:id/share`: the Owner of a Group invites another Group of the same
    /// Organization that they can see.
    pub async fn share_group(
        &self,
        caller: &Caller,
        group: &Ref,
        input: &ShareInput,
    ) -> Result<GroupDetail> {
        let share = validate(input)?;
        let mut tx = self.db.write().await?;
        let (found, _, _) = find_group(tx.conn(), caller, group).await?;
        let org = lock_organization(&mut tx, found.organization_id).await?;
        let (row, viewer, view) = find_group(tx.conn(), caller, &Ref::Id(found.id.0)).await?;
        viewer
            .group(&view.facts(&row), GroupAction::Share)
            .map_err(denied("Group"))?;
        stayed(row.organization_id, org)?;
        let (invited, _, _) = find_group(tx.conn(), caller, &Ref::Id(share.group_id)).await?;
        if invited.organization_id != row.organization_id {
            return Err(ServiceError::invalid(
                "group_id",
                "belongs to another organization: groups cannot be shared across organizations",
            ));
        }
        if invited.id == row.id {
            return Err(ServiceError::invalid(
                "group_id",
                "cannot be the group itself",
            ));
        }
        // A share reaches the invited Group's direct Members.
        refuse_banned(&mut tx, org, &[invited.id]).await?;
        if links::find(tx.conn(), LinkKind::Group, row.id, invited.id)
            .await?
            .is_some()
        {
            return Err(ServiceError::Conflict(
                "The group has already been shared with this group".into(),
            ));
        }
        let link = LinkRow {
            id: tx.next_id().await?,
            organization_id: row.organization_id,
            source_id: row.id.0,
            group_id: invited.id,
            group_access: share.access,
            expires_at: share.expires_at,
            created_at: clock::now(),
        };
        links::insert(tx.conn(), LinkKind::Group, &link).await?;
        let shared_with = shared_with_groups(tx.conn(), &viewer, row.id).await?;
        let group = present_groups(tx.conn(), &self.memo, vec![row])
            .await?
            .remove(0);
        self.commit(tx).await?;
        Ok(GroupDetail { group, shared_with })
    }

    /// `DELETE /groups/:id/share/:group_id`.
    pub async fn unshare_group(
        &self,
        caller: &Caller,
        group: &Ref,
        invited: NamespaceId,
    ) -> Result<()> {
        let mut tx = self.db.write().await?;
        let (row, viewer, view) = find_group(tx.conn(), caller, group).await?;
        viewer
            .group(&view.facts(&row), GroupAction::Share)
            .map_err(denied("Group"))?;
        let link = links::find(tx.conn(), LinkKind::Group, row.id, invited)
            .await?
            .ok_or(ServiceError::NotFound("Group Link"))?;
        links::delete(tx.conn(), LinkKind::Group, link.id).await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// `POST /projects/:id/share`: a Maintainer invites a Group of the same Organization, at
    /// most at their own level.
    pub async fn share_project(
        &self,
        caller: &Caller,
        project: &Ref,
        input: &ShareInput,
    ) -> Result<LinkRow> {
        let share = validate(input)?;
        let mut tx = self.db.write().await?;
        let (found, _, _) = find_project(tx.conn(), caller, project).await?;
        let org = lock_organization(&mut tx, found.organization_id).await?;
        let (row, viewer, traversal) =
            find_project(tx.conn(), caller, &Ref::Id(found.id.0)).await?;
        let facts = project_facts(&row, &traversal);
        viewer
            .project(&facts, ProjectAction::Share)
            .map_err(denied("Project"))?;
        stayed(row.organization_id, org)?;
        if share.access > viewer.project_access(&facts) {
            return Err(ServiceError::invalid(
                "group_access",
                "cannot be higher than your own access level",
            ));
        }
        let (invited, _, _) = find_group(tx.conn(), caller, &Ref::Id(share.group_id)).await?;
        if invited.organization_id != row.organization_id {
            return Err(ServiceError::invalid(
                "group_id",
                "belongs to another organization: projects cannot be shared across organizations",
            ));
        }
        if traversal.contains(&invited.id) {
            return Err(ServiceError::Conflict(
                "The project already belongs to this group".into(),
            ));
        }
        // A Project's share reaches the Members of the invited Group and of its ancestors.
        refuse_banned(&mut tx, org, &parse_traversal(&invited.traversal)).await?;
        if links::find(tx.conn(), LinkKind::Project, row.id, invited.id)
            .await?
            .is_some()
        {
            return Err(ServiceError::Conflict(
                "The project has already been shared with this group".into(),
            ));
        }
        let link = LinkRow {
            id: tx.next_id().await?,
            organization_id: row.organization_id,
            source_id: row.id.0,
            group_id: invited.id,
            group_access: share.access,
            expires_at: share.expires_at,
            created_at: clock::now(),
        };
        links::insert(tx.conn(), LinkKind::Project, &link).await?;
        self.commit(tx).await?;
        Ok(link)
    }

    /// `DELETE /projects/:id/share/:group_id`.
    pub async fn unshare_project(
        &self,
        caller: &Caller,
        project: &Ref,
        invited: NamespaceId,
    ) -> Result<()> {
        let mut tx = self.db.write().await?;
        let (row, viewer, traversal) = find_project(tx.conn(), caller, project).await?;
        viewer
            .project(&project_facts(&row, &traversal), ProjectAction::Share)
            .map_err(denied("Project"))?;
        let link = links::find(tx.conn(), LinkKind::Project, row.id, invited)
            .await?
            .ok_or(ServiceError::NotFound("Group Link"))?;
        links::delete(tx.conn(), LinkKind::Project, link.id).await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// `GET /groups/:id/projects/shared`: Projects shared with the Group that the caller sees.
    pub async fn group_shared_projects(
        &self,
        caller: &Caller,
        group: &Ref,
        filter: &ProjectFilter,
        page: &crate::PageRequest,
    ) -> Result<crate::Listed<ProjectOut>> {
        let (row, ids) = {
            let mut conn = self.db.read().await?;
            let (row, _, _) = find_group(&mut conn, caller, group).await?;
            let ids = links::inviting(&mut conn, LinkKind::Project, row.id, &clock::today())
                .await?
                .into_iter()
                .map(|l| ProjectId(l.source_id))
                .collect();
            (row, ids)
        };
        let filter = ProjectFilter {
            organization_id: Some(row.organization_id),
            ..filter.clone()
        };
        self.list_projects_within(
            caller,
            orgcells_store::projects::Within::Ids(ids),
            &filter,
            page,
        )
        .await
    }
}
