//! Who holds a claim on a globally unique value (`orgcells_store::claims::Owner`), named once.

use orgcells_core::ids::OrganizationId;
use orgcells_store::claims::Owner;

/// An Organization: its path, and the old paths that still lead to it.
pub(crate) fn organization_owner(id: OrganizationId) -> Owner<'static> {
    Owner {
        kind: "organization",
        id: id.0,
    }
}
