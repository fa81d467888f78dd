//! Route claims of Groups and Projects: taken on creation, moved with a subtree (the old paths
//! kept as redirects), released with a deleted subtree.

use orgcells_core::ids::{NamespaceId, NamespaceKind, ProjectId};
use orgcells_core::members::Source;
use orgcells_store::claims::{self, Bucket, Owner};
use orgcells_store::rows::NamespaceRow;
use orgcells_store::{Tx, namespaces, projects};

use crate::{Result, ServiceError, clock};

pub(crate) fn group_owner(id: NamespaceId) -> Owner<'static> {
    Owner {
        kind: "namespace",
        id: id.0,
    }
}

pub(crate) fn project_owner(id: ProjectId) -> Owner<'static> {
    Owner {
        kind: "project",
        id: id.0,
    }
}

/// Deletes a namespace's subtree with everything in it, releasing its routes.
pub(crate) async fn delete_group_tree(tx: &mut Tx, root: &NamespaceRow) -> Result<()> {
    if root.kind == NamespaceKind::Group {
        claims::release_routes_below(tx, &root.full_path).await?;
    } else {
        for project in projects::in_subtree(tx.conn(), &root.traversal).await? {
            claims::release(
                tx,
                Bucket::Route,
                &project.full_path,
                project_owner(project.id),
            )
            .await?;
        }
    }
    namespaces::delete_subtree(tx.conn(), &root.traversal).await?;
    Ok(())
}

/// Before a subtree moves from `old_prefix` to `new_prefix`: claims the new routes of its
/// Groups and Projects (400 on `path` when one is taken), releases the old ones and keeps them as
/// redirects. The root's own route is among them for a Group; a personal namespace's belongs to
/// its User.
pub(crate) async fn move_routes(
    tx: &mut Tx,
    root: &NamespaceRow,
    old_prefix: &str,
    new_prefix: &str,
    cell: i64,
) -> Result<()> {
    let now = clock::now();
    let new_of = |old: &str| format!("{new_prefix}{}", &old[old_prefix.len().min(old.len())..]);
    let subtree = namespaces::subtree(tx.conn(), &root.traversal).await?;
    for ns in subtree.iter().filter(|ns| ns.kind == NamespaceKind::Group) {
        retake_route(
            tx,
            group_owner(ns.id),
            &ns.full_path,
            &new_of(&ns.full_path),
            cell,
            now,
        )
        .await?;
        let id = tx.next_id().await?;
        namespaces::add_redirect(
            tx.conn(),
            id,
            ns.organization_id,
            Source::Group(ns.id),
            &ns.full_path,
            now,
        )
        .await?;
    }
    for project in projects::in_subtree(tx.conn(), &root.traversal).await? {
        let owner = project_owner(project.id);
        retake_route(
            tx,
            owner,
            &project.full_path,
            &new_of(&project.full_path),
            cell,
            now,
        )
        .await?;
        let id = tx.next_id().await?;
        namespaces::add_redirect(
            tx.conn(),
            id,
            project.organization_id,
            Source::Project(project.id),
            &project.full_path,
            now,
        )
        .await?;
    }
    Ok(())
}

async fn retake_route(
    tx: &mut Tx,
    owner: Owner<'static>,
    old: &str,
    new: &str,
    cell: i64,
    now: i64,
) -> Result<()> {
    claims::release(tx, Bucket::Route, old, owner).await?;
    take_route(tx, owner, new, cell, now, "path").await
}

/// Claims a route for a Group or Project (a redirect at that path gives way); 400 when taken.
pub(crate) async fn take_route(
    tx: &mut Tx,
    owner: Owner<'static>,
    path: &str,
    cell: i64,
    now: i64,
    field: &str,
) -> Result<()> {
    if !claims::claim(tx, Bucket::Route, path, owner, cell, now).await? {
        return Err(ServiceError::invalid(field, "has already been taken"));
    }
    namespaces::remove_redirect(tx.conn(), path).await?;
    Ok(())
}
