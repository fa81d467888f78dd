//! Groups: creation (the creator becomes Owner), reads, lists, updates, renames, transfers and
//! deletion, each checked by the policy.

use orgcells_core::access::AccessLevel;
use orgcells_core::creation::{ProjectCreationLevel, SubgroupCreationLevel};
use orgcells_core::invalid::Invalid;
use orgcells_core::lists::{self, GroupListQuery};
use orgcells_core::paths::{self, PathPlace};
use orgcells_core::policy::{GroupAction, OrganizationAction};
use orgcells_core::visibility::{OrganizationVisibility, Visibility, visibility_conflict};
use orgcells_store::locks::{self, OrgLock};
use orgcells_store::namespaces::{GroupOrder, GroupQuery, Place};
use orgcells_store::rows::{NamespaceRow, parse_traversal};
use orgcells_store::{AnyConnection, Tx, members, namespaces, organizations};

use crate::access::{GroupView, Standing, organization_facts, standing};
use crate::error::denied;
use crate::locking::lock_chains;
use crate::lookup::{ensure_org_writable, ensure_writable, find_group, shared_with_groups};
use crate::membership::insert_member;
use crate::present::{GroupDetail, GroupOut, present_groups};
use crate::routes::{delete_group_tree, group_owner, move_routes, take_route};
use crate::{Caller, Listed, PageRequest, Ref, Result, Service, ServiceError, clock};

/// Fields of `POST /groups` and `PUT /groups/:id`.
#[derive(Debug, Clone, Default)]
pub struct GroupInput {
    pub name: Option<String>,
    pub path: Option<String>,
    pub parent_id: Option<i64>,
    pub visibility: Option<String>,
    pub description: Option<String>,
    pub organization_id: Option<i64>,
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
    pub skip_groups: Vec<i64>,
    /// Only Groups of this visibility.
    pub visibility: Option<Visibility>,
    pub all_available: Option<bool>,
    pub order_by: Option<String>,
    pub descending: bool,
    pub organization_id: Option<i64>,
}

pub(crate) fn project_creation_level(name: &str) -> Option<i64> {
    ProjectCreationLevel::parse(name).map(ProjectCreationLevel::value)
}

pub(crate) fn subgroup_creation_level(name: &str) -> Option<i64> {
    SubgroupCreationLevel::parse(name).map(SubgroupCreationLevel::value)
}

/// A named level setting (`project_creation_level`, ...): its stored value when given and
/// known; an error on the field when given and unknown.
fn setting(
    invalid: &mut Invalid,
    field: &str,
    value: Option<&str>,
    parse: fn(&str) -> Option<i64>,
) -> Option<i64> {
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
            project_creation_level,
        );
        let subgroup_level = setting(
            &mut invalid,
            "subgroup_creation_level",
            input.subgroup_creation_level.as_deref(),
            subgroup_creation_level,
        );
        invalid.into_result()?;

        let mut tx = self.db.write().await?;
        let (org, parent) = match input.parent_id {
            Some(parent_id) => {
                let (parent, viewer, view) =
                    find_group(tx.conn(), caller, &Ref::Id(parent_id)).await?;
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
                let org_id = input
                    .organization_id
                    .unwrap_or(orgcells_core::ids::OrganizationId::DEFAULT.0);
                let org = organizations::find(tx.conn(), org_id)
                    .await?
                    .ok_or(ServiceError::NotFound("Organization"))?;
                let standing = standing(tx.conn(), caller, Some(org_id)).await?;
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
            Some(parent) => {
                Visibility::from_value(parent.visibility_level).unwrap_or(Visibility::Private)
            }
            None => {
                let org_row = organizations::find(tx.conn(), org)
                    .await?
                    .ok_or(ServiceError::NotFound("Organization"))?;
                OrganizationVisibility::from_value(org_row.visibility_level)
                    .unwrap_or(OrganizationVisibility::Public)
                    .ceiling()
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
        let id = tx.next_id().await?;
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
            kind: "group".into(),
            name,
            path,
            full_path,
            traversal,
            parent_id: parent.as_ref().map(|p| p.id),
            owner_id: None,
            visibility_level: visibility.value(),
            description,
            project_creation_level: project_level.unwrap_or(30),
            subgroup_creation_level: subgroup_level.unwrap_or(40),
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
        tx.commit().await?;
        Ok(GroupDetail {
            group,
            shared_with: Vec::new(),
        })
    }

    /// `GET /groups/:id`.
    pub async fn get_group(&self, caller: &Caller, group: &Ref) -> Result<GroupDetail> {
        let mut conn = self.db.read().await?;
        let (row, viewer, _) = find_group(&mut conn, caller, group).await?;
        let shared_with = shared_with_groups(&mut conn, &viewer, row.id).await?;
        let group = present_groups(&mut conn, &self.memo, vec![row])
            .await?
            .remove(0);
        Ok(GroupDetail { group, shared_with })
    }

    /// `GET /groups`, `/groups/:id/subgroups`, `/groups/:id/descendant_groups` and the
    /// Organization's Groups overview.
    pub async fn list_groups(
        &self,
        caller: &Caller,
        within: Option<(&Ref, bool)>,
        filter: &GroupFilter,
        page: &PageRequest,
    ) -> Result<Listed<GroupOut>> {
        let mut conn = self.db.read().await?;
        self.list_groups_on(&mut conn, caller, within, filter, page)
            .await
    }

    /// A list of Groups, on the request's connection.
    pub(crate) async fn list_groups_on(
        &self,
        conn: &mut AnyConnection,
        caller: &Caller,
        within: Option<(&Ref, bool)>,
        filter: &GroupFilter,
        page: &PageRequest,
    ) -> Result<Listed<GroupOut>> {
        let (place, org, standing) = match within {
            Some((group, descendants)) => {
                let (row, _, _) = find_group(conn, caller, group).await?;
                let standing = standing(conn, caller, Some(row.organization_id)).await?;
                let place = if descendants {
                    Place::Below(row.traversal.clone())
                } else {
                    Place::ChildrenOf(row.id)
                };
                (place, Some(row.organization_id), standing)
            }
            None => {
                let place = if filter.top_level_only {
                    Place::TopLevel
                } else {
                    Place::Anywhere
                };
                (
                    place,
                    filter.organization_id,
                    standing(conn, caller, filter.organization_id).await?,
                )
            }
        };
        let scope = group_scope(caller, &standing, filter, within.is_some());
        let order = match filter.order_by.as_deref() {
            Some("id") => GroupOrder::Id,
            Some("path") => GroupOrder::Path,
            _ => GroupOrder::Name,
        };
        let query = GroupQuery {
            with_personal: false,
            organization: org,
            place,
            search: filter.search.clone(),
            skip: filter.skip_groups.clone(),
            visibility_level: filter.visibility.map(Visibility::value),
            order,
            descending: filter.descending,
            limit: page.limit(),
            offset: page.offset(),
            after: page.after.clone(),
        };
        let (rows, total) =
            namespaces::list_groups(conn, &query, &scope, self.totals(page)).await?;
        Ok(Listed {
            items: present_groups(conn, &self.memo, rows).await?,
            total,
        })
    }

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
            project_creation_level,
        );
        let subgroup_level = setting(
            &mut invalid,
            "subgroup_creation_level",
            input.subgroup_creation_level.as_deref(),
            subgroup_creation_level,
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
            || visibility.is_some_and(|v| v.value() != row.visibility_level)
            || project_level.is_some()
            || subgroup_level.is_some();
        if sensitive {
            viewer
                .group(&facts, GroupAction::UpdateSensitive)
                .map_err(denied("Group"))?;
        }
        if let Some(visibility) = visibility {
            let ceiling = container_visibility(tx.conn(), &row).await?;
            let child = namespaces::most_visible_child(tx.conn(), row.id)
                .await?
                .and_then(Visibility::from_value);
            let container = if row.parent_id.is_some() {
                "parent group"
            } else {
                "organization"
            };
            if let Some(message) = visibility_conflict(visibility, ceiling, child, container) {
                return Err(ServiceError::invalid("visibility_level", message));
            }
            row.visibility_level = visibility.value();
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
        tx.commit().await?;
        Ok(GroupDetail { group, shared_with })
    }

    /// Moves a Group's subtree to a new full path (and traversal), with its route claims.
    async fn relocate(
        &self,
        tx: &mut Tx,
        row: &NamespaceRow,
        parent_id: Option<i64>,
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

    /// `DELETE /groups/:id` (Owner): the Group, its subgroups and Projects go at once.
    pub async fn delete_group(&self, caller: &Caller, group: &Ref) -> Result<()> {
        let mut tx = self.db.write().await?;
        let (row, viewer, view) = find_group(tx.conn(), caller, group).await?;
        viewer
            .group(&view.facts(&row), GroupAction::Delete)
            .map_err(denied("Group"))?;
        let row = lock_chains(&mut tx, row.organization_id, &[row.id])
            .await?
            .remove(0);
        ensure_org_writable(tx.conn(), row.organization_id).await?;
        delete_group_tree(&mut tx, &row).await?;
        tx.commit().await?;
        Ok(())
    }

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
                if parse_traversal(&target.traversal)
                    .iter()
                    .any(|id| id.0 == row.id)
                {
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
                            Visibility::from_value(row.visibility_level)
                                .map(Visibility::name)
                                .unwrap_or("private"),
                            Visibility::from_value(target.visibility_level)
                                .map(Visibility::name)
                                .unwrap_or("private")
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
                let standing = standing(tx.conn(), caller, Some(org.id)).await?;
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
        tx.commit().await?;
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
            Ok(Visibility::from_value(parent.visibility_level).unwrap_or(Visibility::Private))
        }
        None => {
            let org = organizations::find(conn, row.organization_id)
                .await?
                .ok_or(ServiceError::NotFound("Organization"))?;
            Ok(OrganizationVisibility::from_value(org.visibility_level)
                .unwrap_or(OrganizationVisibility::Public)
                .ceiling())
        }
    }
}

/// The scope of a Group list (its reach decided by `core::lists`).
fn group_scope(
    caller: &Caller,
    standing: &Standing,
    filter: &GroupFilter,
    inside_group: bool,
) -> orgcells_store::scope::Scope {
    standing.scope(lists::group_list_reach(
        caller.user.is_some(),
        caller.is_admin(),
        &GroupListQuery {
            owned: filter.owned,
            min_access_level: filter.min_access_level,
            all_available: filter.all_available,
            inside_group,
            in_organization: filter.organization_id.is_some(),
        },
    ))
}
