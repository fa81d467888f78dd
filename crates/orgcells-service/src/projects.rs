//! Projects: in a Group or a personal namespace; creation, reads, lists, updates, transfers,
//! deletion.

use orgcells_core::access::AccessLevel;
use orgcells_core::ids::{NamespaceId, NamespaceKind, OrganizationId, UserId};
use orgcells_core::invalid::Invalid;
use orgcells_core::lists::{self, ProjectListQuery};
use orgcells_core::paths::{self, PathPlace};
use orgcells_core::policy::{GroupAction, ProjectAction};
use orgcells_core::visibility::{Visibility, visibility_conflict};
use orgcells_store::claims::{self, Bucket};
use orgcells_store::projects::{ProjectOrder, ProjectQuery, Within};
use orgcells_store::rows::{NamespaceRow, ProjectRow};
use orgcells_store::{AnyConnection, Tx, members, namespaces, projects, users};

use crate::access::{Extent, GroupView, project_facts, standing, tree_of};
use crate::caller::Caller;
use crate::error::denied;
use crate::locking::{lock_chains, lock_project};
use crate::lookup::{
    ensure_org_writable, find_group, find_project, personal_namespace, project_shared_with,
};
use crate::membership::insert_member;
use crate::present::{GroupOut, ProjectOut, present_groups, present_projects};
use crate::routes::{project_owner, take_route};
use crate::{Listed, PageRequest, Ref, Result, Service, ServiceError, clock};

/// Fields of `POST /projects` and `PUT /projects/:id`.
#[derive(Debug, Clone, Default)]
pub struct ProjectInput {
    pub name: Option<String>,
    pub path: Option<String>,
    pub namespace_id: Option<NamespaceId>,
    pub visibility: Option<String>,
    pub description: Option<String>,
}

/// Filters of Project lists.
#[derive(Debug, Clone, Default)]
pub struct ProjectFilter {
    pub membership: bool,
    pub owned: bool,
    pub search: Option<String>,
    pub visibility: Option<String>,
    pub min_access_level: Option<AccessLevel>,
    pub order_by: Option<String>,
    pub descending: bool,
    pub organization_id: Option<OrganizationId>,
}

/// GitLab's path for a name given without one: lower case, runs of other characters as `-`.
fn path_from_name(name: &str) -> String {
    let mut path = String::new();
    for c in name.trim().chars() {
        if c.is_ascii_alphanumeric() || c == '_' || c == '.' {
            path.push(c.to_ascii_lowercase());
        } else if !path.ends_with('-') {
            path.push('-');
        }
    }
    path.trim_matches(|c| c == '-' || c == '.' || c == '_')
        .to_owned()
}

/// The namespace a new or moved Project goes to, checked: a Group where the caller may create
/// Projects, or the caller's own personal namespace (any for an admin).
async fn target_namespace(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: NamespaceId,
    action: GroupAction,
) -> Result<NamespaceRow> {
    // A namespace the caller may not see answers exactly as one that does not exist.
    let hidden = |error: ServiceError| match error {
        ServiceError::NotFound(_) => ServiceError::NotFound("Namespace"),
        other => other,
    };
    let ns = namespaces::find(conn, id)
        .await?
        .ok_or(ServiceError::NotFound("Namespace"))?;
    if ns.kind == NamespaceKind::Group {
        let (group, viewer, view) = find_group(conn, caller, &Ref::Id(id.0))
            .await
            .map_err(hidden)?;
        viewer
            .group(&view.facts(&group), action)
            .map_err(denied("Namespace"))?;
        Ok(group)
    } else {
        let standing = standing(
            conn,
            caller,
            Some(ns.organization_id),
            tree_of(&ns.traversal),
        )
        .await?;
        standing
            .viewer(ns.organization_id)
            .personal_namespace(ns.owner_id)
            .map_err(denied("Namespace"))?;
        Ok(ns)
    }
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
    /// `POST /projects` (and `POST /projects/user/:user_id` for an admin, with `for_user`).
    pub async fn create_project(
        &self,
        caller: &Caller,
        input: &ProjectInput,
        for_user: Option<UserId>,
    ) -> Result<ProjectOut> {
        let me = caller.user()?.clone();
        if for_user.is_some() {
            caller.admin()?;
        }
        let mut invalid = Invalid::new();
        let (name, path) = match (&input.name, &input.path) {
            (Some(name), Some(path)) => (name.clone(), path.clone()),
            (Some(name), None) => (name.clone(), path_from_name(name)),
            (None, Some(path)) => (path.clone(), path.clone()),
            (None, None) => {
                return Err(ServiceError::BadRequest(
                    "name, path are missing, at least one parameter must be provided".into(),
                ));
            }
        };
        invalid.check("name", paths::check_name(&name));
        invalid.check("path", paths::check_path(&path, PathPlace::BelowNamespace));
        let description = input.description.clone().unwrap_or_default();
        invalid.check("description", paths::check_length(&description, 2000));
        let visibility = parse_visibility(&mut invalid, input.visibility.as_deref());
        invalid.into_result()?;

        let mut tx = self.db.write().await?;
        let namespace = match (input.namespace_id, for_user) {
            (Some(id), None) => {
                target_namespace(tx.conn(), caller, id, GroupAction::CreateProject).await?
            }
            (_, Some(user_id)) => {
                let user = users::find(tx.conn(), user_id)
                    .await?
                    .ok_or(ServiceError::NotFound("User"))?;
                personal_namespace(&mut tx, user.home_organization_id, &user).await?
            }
            (None, None) => personal_namespace(&mut tx, me.home_organization_id, &me).await?,
        };
        ensure_org_writable(tx.conn(), namespace.organization_id).await?;
        // The namespace caps the new Project: read it under its lock.
        let namespace = lock_chains(&mut tx, namespace.organization_id, &[namespace.id])
            .await?
            .remove(0);
        let ceiling = namespace.visibility_level;
        let visibility = visibility.unwrap_or(Visibility::Private);
        let container = if namespace.kind == NamespaceKind::Group {
            "group"
        } else {
            "namespace"
        };
        if let Some(message) = visibility_conflict(visibility, ceiling, None, container) {
            return Err(ServiceError::invalid("visibility_level", message));
        }
        let id = tx.next_id().await?;
        let now = clock::now();
        let full_path = format!("{}/{path}", namespace.full_path);
        take_route(
            &mut tx,
            project_owner(id),
            &full_path,
            i64::from(self.db.cell().0),
            now,
            "path",
        )
        .await?;
        let creator = for_user.unwrap_or(me.id);
        let row = ProjectRow {
            id,
            organization_id: namespace.organization_id,
            namespace_id: namespace.id,
            traversal: namespace.traversal.clone(),
            name,
            path,
            full_path,
            description,
            visibility_level: visibility,
            creator_id: Some(creator),
            created_at: now,
            updated_at: now,
            last_activity_at: now,
        };
        projects::insert(tx.conn(), &row).await?;
        if namespace.kind == NamespaceKind::User {
            let owner = namespace.owner_id.unwrap_or(creator);
            insert_member(
                &mut tx,
                row.organization_id,
                members::Source::Project(id),
                owner,
                AccessLevel::Owner,
                None,
                Some(me.id),
            )
            .await?;
        }
        let standing = standing(
            tx.conn(),
            caller,
            Some(row.organization_id),
            tree_of(&row.traversal),
        )
        .await?;
        let viewer = standing.viewer(row.organization_id);
        let out = present_projects(tx.conn(), &self.memo, vec![row], Some(&viewer), true)
            .await?
            .remove(0);
        self.commit(tx).await?;
        Ok(out)
    }

    /// `GET /projects/:id`.
    pub async fn get_project(&self, caller: &Caller, project: &Ref) -> Result<ProjectOut> {
        let mut conn = self.db.read().await?;
        let (row, viewer, _) = find_project(&mut conn, caller, project).await?;
        Ok(
            present_projects(&mut conn, &self.memo, vec![row], Some(&viewer), true)
                .await?
                .remove(0),
        )
    }

    /// `GET /projects`, `/groups/:id/projects`, `/users/:id/projects`, the Organization's
    /// Projects overview and `/groups/:id/projects/shared`.
    pub async fn list_projects(
        &self,
        caller: &Caller,
        filter: &ProjectFilter,
        page: &PageRequest,
    ) -> Result<Listed<ProjectOut>> {
        self.list_projects_within(caller, Within::Anywhere, filter, page)
            .await
    }

    /// Projects `within` a namespace, a subtree or a set of ids.
    pub(crate) async fn list_projects_within(
        &self,
        caller: &Caller,
        within: Within,
        filter: &ProjectFilter,
        page: &PageRequest,
    ) -> Result<Listed<ProjectOut>> {
        let mut conn = self.db.read().await?;
        self.list_projects_on(&mut conn, caller, within, filter, page)
            .await
    }

    /// A list of Projects, on the request's connection.
    pub(crate) async fn list_projects_on(
        &self,
        conn: &mut AnyConnection,
        caller: &Caller,
        within: Within,
        filter: &ProjectFilter,
        page: &PageRequest,
    ) -> Result<Listed<ProjectOut>> {
        let standing = standing(conn, caller, filter.organization_id, Extent::Everywhere).await?;
        let scope = standing.scope(lists::project_list_reach(&ProjectListQuery {
            owned: filter.owned,
            min_access_level: filter.min_access_level,
            membership: filter.membership,
        }));
        let mut invalid = Invalid::new();
        let visibility = parse_visibility(&mut invalid, filter.visibility.as_deref());
        invalid.into_result()?;
        let order = match filter.order_by.as_deref() {
            Some("id") => ProjectOrder::Id,
            Some("name") => ProjectOrder::Name,
            Some("path") => ProjectOrder::Path,
            Some("updated_at") => ProjectOrder::UpdatedAt,
            Some("last_activity_at") => ProjectOrder::LastActivityAt,
            _ => ProjectOrder::CreatedAt,
        };
        let query = ProjectQuery {
            organization: filter.organization_id,
            within,
            search: filter.search.clone(),
            visibility: visibility.map(Visibility::value),
            order,
            descending: filter.descending,
            limit: page.limit(),
            offset: page.offset(),
            after_id: page.after.as_ref().map(|(_, id)| *id),
        };
        let (rows, total) = projects::list(conn, &query, &scope, self.totals(page)).await?;
        let viewer = filter
            .organization_id
            .map(|org| standing.viewer(org))
            .unwrap_or_else(|| standing.viewer_across());
        Ok(Listed {
            items: present_projects(conn, &self.memo, rows, Some(&viewer), false).await?,
            total,
        })
    }

    /// `GET /groups/:id/projects`: the Group's Projects (and its subgroups' with
    /// `include_subgroups`).
    pub async fn group_projects(
        &self,
        caller: &Caller,
        group: &Ref,
        include_subgroups: bool,
        filter: &ProjectFilter,
        page: &PageRequest,
    ) -> Result<Listed<ProjectOut>> {
        let mut conn = self.db.read().await?;
        let row = find_group(&mut conn, caller, group).await?.0;
        let within = if include_subgroups {
            Within::Subtree(row.traversal.clone())
        } else {
            Within::Namespace(row.id)
        };
        let filter = ProjectFilter {
            organization_id: Some(row.organization_id),
            ..filter.clone()
        };
        self.list_projects_on(&mut conn, caller, within, &filter, page)
            .await
    }

    /// `GET /users/:id/projects`: the Projects in the User's personal namespaces.
    pub async fn user_projects(
        &self,
        caller: &Caller,
        user: &Ref,
        filter: &ProjectFilter,
        page: &PageRequest,
    ) -> Result<Listed<ProjectOut>> {
        let user = self.user_by_ref(user).await?;
        let mut conn = self.db.read().await?;
        let ns = namespaces::find_personal(&mut conn, user.home_organization_id, user.id).await?;
        let Some(ns) = ns else {
            return Ok(Listed {
                items: Vec::new(),
                total: Some(0),
            });
        };
        self.list_projects_on(&mut conn, caller, Within::Namespace(ns.id), filter, page)
            .await
    }

    /// `PUT /projects/:id`: name and description need Maintainer; path and visibility Owner.
    pub async fn update_project(
        &self,
        caller: &Caller,
        project: &Ref,
        input: &ProjectInput,
    ) -> Result<ProjectOut> {
        let mut invalid = Invalid::new();
        if let Some(name) = &input.name {
            invalid.check("name", paths::check_name(name));
        }
        if let Some(path) = &input.path {
            invalid.check("path", paths::check_path(path, PathPlace::BelowNamespace));
        }
        if let Some(description) = &input.description {
            invalid.check("description", paths::check_length(description, 2000));
        }
        let visibility = parse_visibility(&mut invalid, input.visibility.as_deref());
        invalid.into_result()?;
        let mut tx = self.db.write().await?;
        let (row, viewer, traversal) = find_project(tx.conn(), caller, project).await?;
        let mut row = lock_project(&mut tx, &row).await?;
        let facts = project_facts(&row, &traversal);
        viewer
            .project(&facts, ProjectAction::Update)
            .map_err(denied("Project"))?;
        ensure_org_writable(tx.conn(), row.organization_id).await?;
        let new_path = input.path.clone().filter(|p| *p != row.path);
        if new_path.is_some() || visibility.is_some_and(|v| v != row.visibility_level) {
            viewer
                .project(&facts, ProjectAction::UpdateSensitive)
                .map_err(denied("Project"))?;
        }
        if let Some(visibility) = visibility {
            let ns = namespaces::find(tx.conn(), row.namespace_id)
                .await?
                .ok_or(ServiceError::NotFound("Namespace"))?;
            if let Some(message) =
                visibility_conflict(visibility, ns.visibility_level, None, "group")
            {
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
        let now = clock::now();
        if let Some(path) = new_path {
            let namespace_path = row
                .full_path
                .rsplit_once('/')
                .map(|(ns, _)| ns.to_owned())
                .unwrap_or_default();
            self.move_project_route(&mut tx, &mut row, &format!("{namespace_path}/{path}"), now)
                .await?;
            row.path = path;
        }
        row.updated_at = now;
        projects::update(tx.conn(), &row).await?;
        let out = present_projects(tx.conn(), &self.memo, vec![row], Some(&viewer), true)
            .await?
            .remove(0);
        self.commit(tx).await?;
        Ok(out)
    }

    /// Claims a Project's new full path, releasing the old one and keeping it as a redirect.
    async fn move_project_route(
        &self,
        tx: &mut Tx,
        row: &mut ProjectRow,
        new_full: &str,
        now: i64,
    ) -> Result<()> {
        take_route(
            tx,
            project_owner(row.id),
            new_full,
            i64::from(self.db.cell().0),
            now,
            "path",
        )
        .await?;
        claims::release(tx, Bucket::Route, &row.full_path, project_owner(row.id)).await?;
        let id = tx.next_id().await?;
        namespaces::add_redirect(
            tx.conn(),
            id,
            row.organization_id,
            members::Source::Project(row.id),
            &row.full_path,
            now,
        )
        .await?;
        row.full_path = new_full.to_owned();
        Ok(())
    }

    /// `DELETE /projects/:id` (Owner).
    pub async fn delete_project(&self, caller: &Caller, project: &Ref) -> Result<()> {
        let mut tx = self.db.write().await?;
        let (row, viewer, traversal) = find_project(tx.conn(), caller, project).await?;
        viewer
            .project(&project_facts(&row, &traversal), ProjectAction::Delete)
            .map_err(denied("Project"))?;
        ensure_org_writable(tx.conn(), row.organization_id).await?;
        claims::release_all(&mut tx, project_owner(row.id)).await?;
        projects::delete(tx.conn(), row.id).await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// `PUT /projects/:id/transfer`: to another namespace (id or path) of the same Organization.
    pub async fn transfer_project(
        &self,
        caller: &Caller,
        project: &Ref,
        namespace: &Ref,
    ) -> Result<ProjectOut> {
        let mut tx = self.db.write().await?;
        let (mut row, viewer, traversal) = find_project(tx.conn(), caller, project).await?;
        viewer
            .project(&project_facts(&row, &traversal), ProjectAction::Transfer)
            .map_err(denied("Project"))?;
        ensure_org_writable(tx.conn(), row.organization_id).await?;
        let target_id = match namespace {
            Ref::Id(id) => NamespaceId(*id),
            Ref::Path(path) => match namespaces::find_by_path(tx.conn(), path)
                .await?
                .into_iter()
                .next()
            {
                Some(ns) => ns.id,
                None => return Err(ServiceError::NotFound("Namespace")),
            },
        };
        let target =
            target_namespace(tx.conn(), caller, target_id, GroupAction::ReceiveProject).await?;
        // Both namespaces and the Project under locks, the Project read again.
        let target = lock_chains(&mut tx, target.organization_id, &[target.id])
            .await?
            .remove(0);
        row = lock_project(&mut tx, &row).await?;
        if target.organization_id != row.organization_id {
            return Err(ServiceError::BadRequest(
                "Transfer failed: the project and the target namespace belong to different organizations".into(),
            ));
        }
        if target.id == row.namespace_id {
            return Err(ServiceError::BadRequest(
                "Transfer failed: project is already in this namespace".into(),
            ));
        }
        if row.visibility_level > target.visibility_level {
            return Err(ServiceError::invalid(
                "visibility_level",
                "the project is more visible than the target namespace",
            ));
        }
        let now = clock::now();
        let new_full = format!("{}/{}", target.full_path, row.path);
        self.move_project_route(&mut tx, &mut row, &new_full, now)
            .await?;
        row.namespace_id = target.id;
        row.traversal = target.traversal.clone();
        row.updated_at = now;
        projects::update(tx.conn(), &row).await?;
        let standing = standing(
            tx.conn(),
            caller,
            Some(row.organization_id),
            tree_of(&row.traversal),
        )
        .await?;
        let viewer = standing.viewer(row.organization_id);
        let out = present_projects(tx.conn(), &self.memo, vec![row], Some(&viewer), true)
            .await?
            .remove(0);
        self.commit(tx).await?;
        Ok(out)
    }

    /// `GET /projects/:id/groups`: the Project's ancestor Groups and (with `with_shared`) the
    /// Groups it is shared with, as far as the caller may see them.
    pub async fn project_groups(
        &self,
        caller: &Caller,
        project: &Ref,
        with_shared: bool,
        search: Option<&str>,
    ) -> Result<Vec<GroupOut>> {
        let mut conn = self.db.read().await?;
        let (row, viewer, traversal) = find_project(&mut conn, caller, project).await?;
        let mut ids: Vec<NamespaceId> = traversal.clone();
        if with_shared {
            ids.extend(
                project_shared_with(&mut conn, &viewer, row.id)
                    .await?
                    .into_iter()
                    .map(|(_, g)| g.id),
            );
        }
        let mut groups: Vec<NamespaceRow> = namespaces::find_many(&mut conn, &ids)
            .await?
            .into_iter()
            .filter(|g| g.kind == NamespaceKind::Group)
            .filter(|g| {
                let view = GroupView::of(g);
                viewer.can_read_group(&view.facts(g))
            })
            .filter(|g| {
                search.is_none_or(|s| {
                    g.name.to_lowercase().contains(&s.to_lowercase())
                        || g.path.to_lowercase().contains(&s.to_lowercase())
                })
            })
            .collect();
        groups.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        present_groups(&mut conn, &self.memo, groups).await
    }
}
