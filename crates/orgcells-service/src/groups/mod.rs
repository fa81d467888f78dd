//! Groups: creation (the creator becomes Owner), reads, lists, updates, renames, transfers and
//! deletion, each checked by the policy. Here the fields and filters they take and the move of a
//! subtree that renames and transfers share; one file per operation beside.

mod adopt;
mod create;
mod delete;
mod read;
mod transfer;
mod update;

use orgcells_core::access::AccessLevel;
use orgcells_core::ids::{NamespaceId, OrganizationId};
use orgcells_core::invalid::Invalid;
use orgcells_core::visibility::Visibility;
use orgcells_store::rows::NamespaceRow;
use orgcells_store::{Tx, namespaces};

use crate::routes::move_routes;
use crate::{Result, Service, clock};

/// Fields of `POST /groups` and `PUT /groups/:id`.
#[derive(Debug, Clone, Default)]
pub struct GroupInput {
    pub name: Option<String>,
    pub path: Option<String>,
    pub parent_id: Option<NamespaceId>,
    pub visibility: Option<String>,
    pub description: Option<String>,
    pub organization_id: Option<OrganizationId>,
    pub project_creation_level: Option<String>,
    pub subgroup_creation_level: Option<String>,
}

/// Filters of Group lists.
#[derive(Debug, Clone, Default)]
pub struct GroupFilter {
    pub search: Option<String>,
    pub owned: bool,
    pub min_access_level: Option<AccessLevel>,
    pub top_level_only: bool,
    pub skip_groups: Vec<NamespaceId>,
    /// Only Groups of this visibility.
    pub visibility: Option<Visibility>,
    pub all_available: Option<bool>,
    pub order_by: Option<String>,
    pub descending: bool,
    pub organization_id: Option<OrganizationId>,
}

/// A named level setting (`project_creation_level`, ...): the level when given and known; an
/// error on the field when given and unknown.
fn setting<T>(
    invalid: &mut Invalid,
    field: &str,
    value: Option<&str>,
    parse: fn(&str) -> Option<T>,
) -> Option<T> {
    let value = value?;
    let parsed = parse(value);
    if parsed.is_none() {
        invalid.add(field, "does not have a valid value");
    }
    parsed
}

fn parse_visibility(invalid: &mut Invalid, value: Option<&str>) -> Option<Visibility> {
    let value = value?;
    let parsed = Visibility::parse(value);
    if parsed.is_none() {
        invalid.add("visibility", "does not have a valid value");
    }
    parsed
}

impl Service {
    /// Moves a Group's subtree to a new full path (and traversal), with its route claims.
    async fn relocate(
        &self,
        tx: &mut Tx,
        row: &NamespaceRow,
        parent_id: Option<NamespaceId>,
        new_traversal: &str,
        new_full: &str,
        path: &str,
    ) -> Result<()> {
        let now = clock::now();
        let cell = i64::from(self.db.cell().0);
        let moved = namespaces::Move {
            root: row.id,
            old_traversal: &row.traversal,
            new_traversal,
            old_full_path: &row.full_path,
            new_full_path: new_full,
            parent_id,
            path,
            name: &row.name,
            now,
        };
        // Routes first: a taken path is refused (400 on `path`) before anything moves.
        move_routes(tx, row, &row.full_path, new_full, cell).await?;
        namespaces::move_subtree(tx.conn(), &moved).await?;
        Ok(())
    }
}
