//! What the action modules share: a Group, Project or User the caller may see, the Groups a
//! Group or Project is shared with, a User's personal namespace, and whether an Organization
//! takes writes.

use orgcells_core::creation::{ProjectCreationLevel, SubgroupCreationLevel};
use orgcells_core::ids::{NamespaceId, NamespaceKind, OrganizationId, ProjectId, UserId};
use orgcells_core::members::Source;
use orgcells_core::org_users::Joined;
use orgcells_core::policy::Viewer;
use orgcells_core::states::OrganizationState;
use orgcells_store::links::{self, LinkKind};
use orgcells_store::rows::{
    LinkRow, NamespaceRow, OrganizationRow, ProjectRow, UserRow, parse_traversal,
};
use orgcells_store::{AnyConnection, Tx, namespaces, organizations, projects, users};

use crate::access::{GroupView, project_facts, standing, tree_of};
use crate::caller::Caller;
use crate::membership::ensure_org_user;
use crate::{Ref, Result, ServiceError, clock};

/// A Group the caller may see, by id or full path (following redirects), with their viewer.
pub(crate) async fn find_group(
    conn: &mut AnyConnection,
    caller: &Caller,
    group: &Ref,
) -> Result<(NamespaceRow, Viewer, GroupView)> {
    let row = match group {
        Ref::Id(id) => namespaces::find(conn, NamespaceId(*id)).await?,
        Ref::Path(path) => match namespaces::find_group_by_path(conn, path).await? {
            Some(row) => Some(row),
            None => match namespaces::find_redirect(conn, path).await? {
                Some(Source::Group(id)) => namespaces::find(conn, id).await?,
                _ => None,
            },
        },
    };
    let row = row
        .filter(|row| row.kind == NamespaceKind::Group)
        .ok_or(ServiceError::NotFound("Group"))?;
    let standing = standing(
        conn,
        caller,
        Some(row.organization_id),
        tree_of(&row.traversal),
    )
    .await?;
    let viewer = standing.viewer(row.organization_id);
    let view = GroupView::of(&row);
    if !viewer.can_read_group(&view.facts(&row)) {
        return Err(ServiceError::NotFound("Group"));
    }
    Ok((row, viewer, view))
}

/// A Project the caller may see, with their viewer and its namespace's traversal.
pub(crate) async fn find_project(
    conn: &mut AnyConnection,
    caller: &Caller,
    project: &Ref,
) -> Result<(ProjectRow, Viewer, Vec<orgcells_core::ids::NamespaceId>)> {
    let row = match project {
        Ref::Id(id) => projects::find(conn, ProjectId(*id)).await?,
        Ref::Path(path) if path.contains('/') => match projects::find_by_path(conn, path).await? {
            Some(row) => Some(row),
            None => match namespaces::find_redirect(conn, path).await? {
                Some(Source::Project(id)) => projects::find(conn, id).await?,
                _ => None,
            },
        },
        Ref::Path(_) => None,
    };
    let row = row.ok_or(ServiceError::NotFound("Project"))?;
    let standing = standing(
        conn,
        caller,
        Some(row.organization_id),
        tree_of(&row.traversal),
    )
    .await?;
    let viewer = standing.viewer(row.organization_id);
    let traversal = parse_traversal(&row.traversal);
    if !viewer.can_read_project(&project_facts(&row, &traversal)) {
        return Err(ServiceError::NotFound("Project"));
    }
    Ok((row, viewer, traversal))
}

/// A User by id or username (never the ghost User); 404 when there is none.
pub(crate) async fn find_user(conn: &mut AnyConnection, user: &Ref) -> Result<UserRow> {
    let found = match user {
        Ref::Id(id) => users::find(conn, UserId(*id)).await?,
        Ref::Path(username) => users::find_by_username(conn, username).await?,
    };
    found
        .filter(|u| u.id != UserId::GHOST)
        .ok_or(ServiceError::NotFound("User"))
}

impl crate::Service {
    /// A User by id or username (never the ghost User), looked for again once the Cell has
    /// caught up with the cluster's Users when it is not there (it may have been made on the
    /// first Cell a moment ago); 404 when there is none.
    pub(crate) async fn user_by_ref(&self, user: &Ref) -> Result<UserRow> {
        let found = {
            let mut conn = self.db.read().await?;
            find_user(&mut conn, user).await
        };
        match found {
            Err(ServiceError::NotFound(_)) if self.caught_up().await => {
                let mut conn = self.db.read().await?;
                find_user(&mut conn, user).await
            }
            other => other,
        }
    }
}

/// Writes to an Organization in maintenance (moving between Cells) are refused with 503; to
/// a soft-deleted one (only admins reach so far) with 403 until it is restored, as the policy
/// refuses every write inside it.
pub(crate) fn ensure_writable(org: &OrganizationRow) -> Result<()> {
    match org.state {
        OrganizationState::Maintenance => Err(ServiceError::Unavailable {
            message: "Organization is in maintenance mode: it is being moved. Try again later."
                .into(),
            retry_after: 60,
        }),
        OrganizationState::SoftDeleted => Err(ServiceError::forbidden(
            "Organization is scheduled for deletion: restore it first",
        )),
        OrganizationState::Active => Ok(()),
    }
}

pub(crate) async fn ensure_org_writable(
    conn: &mut AnyConnection,
    org: OrganizationId,
) -> Result<()> {
    match organizations::find(conn, org).await? {
        Some(org) => ensure_writable(&org),
        None => Err(ServiceError::NotFound("Organization")),
    }
}

/// The User's personal namespace in an Organization, created on first use.
pub(crate) async fn personal_namespace(
    tx: &mut Tx,
    org: OrganizationId,
    user: &UserRow,
) -> Result<NamespaceRow> {
    if let Some(ns) = namespaces::find_personal(tx.conn(), org, user.id).await? {
        return Ok(ns);
    }
    // The Organization's visibility caps the new namespace: read it under its lock.
    orgcells_store::locks::organization(tx.conn(), org, orgcells_store::locks::OrgLock::Share)
        .await?;
    let org_row = organizations::find(tx.conn(), org)
        .await?
        .ok_or(ServiceError::NotFound("Organization"))?;
    let id = tx.next_id().await?;
    let now = clock::now();
    let ns = NamespaceRow {
        id,
        organization_id: org,
        kind: NamespaceKind::User,
        name: user.name.clone(),
        path: user.username.clone(),
        full_path: user.username.clone(),
        traversal: id.to_string(),
        parent_id: None,
        owner_id: Some(user.id),
        visibility_level: org_row.visibility_level.ceiling(),
        description: String::new(),
        project_creation_level: ProjectCreationLevel::Owner,
        subgroup_creation_level: SubgroupCreationLevel::Owner,
        created_at: now,
        updated_at: now,
    };
    namespaces::insert(tx.conn(), &ns).await?;
    // A personal namespace is made in the User's home Organization, or where they are already.
    ensure_org_user(tx, org, user.id, Joined::Membership).await?;
    Ok(ns)
}

/// The Groups a Group is shared with, as far as the viewer may see them.
pub(crate) async fn shared_with_groups(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    group: NamespaceId,
) -> Result<Vec<(LinkRow, NamespaceRow)>> {
    visible_links(conn, viewer, LinkKind::Group, group).await
}

/// The Groups a Project is shared with, as far as the viewer may see them: a link never names
/// a Group its reader may not see.
pub(crate) async fn project_shared_with(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    project: ProjectId,
) -> Result<Vec<(LinkRow, NamespaceRow)>> {
    visible_links(conn, viewer, LinkKind::Project, project).await
}

async fn visible_links(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    kind: LinkKind,
    source: impl Into<i64> + Copy,
) -> Result<Vec<(LinkRow, NamespaceRow)>> {
    let links = links::of_sources(conn, kind, &[source], &clock::today()).await?;
    let ids: Vec<NamespaceId> = links.iter().map(|l| l.group_id).collect();
    let groups = namespaces::find_many(conn, &ids).await?;
    Ok(links
        .into_iter()
        .filter_map(|link| {
            let group = groups.iter().find(|g| g.id == link.group_id)?.clone();
            let view = GroupView::of(&group);
            viewer
                .can_read_group(&view.facts(&group))
                .then_some((link, group))
        })
        .collect())
}
