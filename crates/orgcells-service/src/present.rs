//! Groups and Projects as the API shows them: with their full names, namespaces, owners, shares
//! and the caller's access.

use orgcells_core::ids::{NamespaceId, UserId};
use std::collections::HashMap;
use std::sync::Arc;

use orgcells_core::policy::Viewer;
use orgcells_store::rows::{LinkRow, NamespaceRow, ProjectRow, UserRow, parse_traversal};
use orgcells_store::{AnyConnection, namespaces, users};

use crate::Result;
use crate::lookup::project_shared_with;
use crate::memo::Memo;

/// A Group as presented: its row and its full name (`Acme / Platform`).
#[derive(Debug, Clone)]
pub struct GroupOut {
    pub row: NamespaceRow,
    pub full_name: String,
}

/// A Group with what its detail page shows.
#[derive(Debug, Clone)]
pub struct GroupDetail {
    pub group: GroupOut,
    /// Groups this one is shared with: (link, invited group).
    pub shared_with: Vec<(LinkRow, NamespaceRow)>,
}

/// A Project as presented: its row, its namespace, and the caller's access.
#[derive(Debug, Clone)]
pub struct ProjectOut {
    pub row: ProjectRow,
    pub namespace: NamespaceRow,
    pub namespace_full_name: String,
    /// The User owning the personal namespace the Project lives in.
    pub owner: Option<UserRow>,
    /// Groups the Project is shared with: (link, group).
    pub shared_with: Vec<(LinkRow, NamespaceRow)>,
    /// The caller's direct Project membership level and their level through the namespace.
    pub project_access: Option<i64>,
    pub group_access: Option<i64>,
}

/// The namespaces along some traversals (each one and its ancestors), read at once: what full
/// names (`Top / Sub / Group`) and a Project's namespace are made of.
pub(crate) struct Lineage {
    /// The names of the namespaces the caller already had.
    known: HashMap<NamespaceId, String>,
    read: HashMap<NamespaceId, Arc<NamespaceRow>>,
}

impl Lineage {
    /// The namespaces of `traversals` that are not among `known`: those `memo` remembers since
    /// the last write, the rest read in one statement and remembered. Inside a write
    /// transaction the memo neither answers nor remembers.
    pub(crate) async fn load<'a>(
        conn: &mut AnyConnection,
        memo: &Memo,
        known: &[NamespaceRow],
        traversals: impl IntoIterator<Item = &'a str>,
    ) -> Result<Lineage> {
        let known: HashMap<NamespaceId, String> =
            known.iter().map(|r| (r.id, r.name.clone())).collect();
        let mut wanted: Vec<NamespaceId> = traversals
            .into_iter()
            .flat_map(parse_traversal)
            .filter(|id| !known.contains_key(id))
            .collect();
        wanted.sort_unstable();
        wanted.dedup();
        let generation = memo.generation.for_read(conn);
        let remembered = match generation {
            Some(generation) => memo.namespaces.get_many(generation, &wanted),
            None => vec![None; wanted.len()],
        };
        let mut read = HashMap::with_capacity(wanted.len());
        let mut missing = Vec::new();
        for (id, row) in wanted.into_iter().zip(remembered) {
            match row {
                Some(row) => {
                    read.insert(id, row);
                }
                None => missing.push(id),
            }
        }
        let fresh: Vec<Arc<NamespaceRow>> = namespaces::find_many(conn, &missing)
            .await?
            .into_iter()
            .map(Arc::new)
            .collect();
        if let Some(generation) = generation {
            let rows = fresh.iter().map(|row| (row.id, row.clone()));
            memo.namespaces.insert_many(generation, rows);
        }
        read.extend(fresh.into_iter().map(|row| (row.id, row)));
        Ok(Lineage { known, read })
    }

    /// A namespace that was read (not one of the known ones).
    pub(crate) fn get(&self, id: NamespaceId) -> Option<&NamespaceRow> {
        self.read.get(&id).map(|row| &**row)
    }

    /// `Top / Sub / Group` for the namespace at the end of `traversal`.
    pub(crate) fn full_name(&self, traversal: &str) -> String {
        let parts: Vec<&str> = parse_traversal(traversal)
            .iter()
            .filter_map(|id| {
                let read = self.read.get(id).map(|row| row.name.as_str());
                read.or_else(|| self.known.get(id).map(String::as_str))
            })
            .collect();
        parts.join(" / ")
    }
}

/// Groups with their full names, their ancestors from `memo` where it remembers them.
pub(crate) async fn present_groups(
    conn: &mut AnyConnection,
    memo: &Memo,
    rows: Vec<NamespaceRow>,
) -> Result<Vec<GroupOut>> {
    let traversals = rows.iter().map(|r| r.traversal.as_str());
    let lineage = Lineage::load(conn, memo, &rows, traversals).await?;
    Ok(rows
        .into_iter()
        .map(|row| GroupOut {
            full_name: lineage.full_name(&row.traversal),
            row,
        })
        .collect())
}

/// Presents Projects with their namespaces (one read for all, or none when `memo` remembers
/// them) and the caller's access.
pub(crate) async fn present_projects(
    conn: &mut AnyConnection,
    memo: &Memo,
    rows: Vec<ProjectRow>,
    viewer: Option<&Viewer>,
    with_links: bool,
) -> Result<Vec<ProjectOut>> {
    let traversals = rows.iter().map(|r| r.traversal.as_str());
    let lineage = Lineage::load(conn, memo, &[], traversals).await?;
    let mut owner_ids: Vec<UserId> = rows
        .iter()
        .filter_map(|r| lineage.get(r.namespace_id)?.owner_id)
        .collect();
    owner_ids.sort_unstable();
    owner_ids.dedup();
    let owners = users::find_many(conn, &owner_ids).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let Some(namespace) = lineage.get(row.namespace_id).cloned() else {
            continue;
        };
        let owner = namespace
            .owner_id
            .and_then(|id| owners.iter().find(|u| u.id == id).cloned());
        let shared_with = if with_links {
            let anonymous = Viewer::anonymous();
            project_shared_with(conn, viewer.unwrap_or(&anonymous), row.id).await?
        } else {
            Vec::new()
        };
        // The caller's levels, from the grants already loaded: no read per row.
        let (project_access, group_access) = match viewer.filter(|v| v.user.is_some()) {
            Some(viewer) => {
                let direct = viewer.grants.project_grant(row.id).map(|l| l.value());
                let traversal = parse_traversal(&row.traversal);
                let through =
                    Some(viewer.grants.group_access(&traversal).value()).filter(|l| *l > 0);
                (direct, through)
            }
            None => (None, None),
        };
        out.push(ProjectOut {
            namespace_full_name: lineage.full_name(&namespace.traversal),
            namespace,
            owner,
            shared_with,
            project_access,
            group_access,
            row,
        });
    }
    Ok(out)
}
