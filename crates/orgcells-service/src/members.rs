//! Members of Groups and Projects: direct (`/members`) and effective (`/members/all`: inherited
//! and through invited Groups, one row per User at their highest level).

use std::collections::HashMap;

use orgcells_core::access::AccessLevel;
use orgcells_core::grants::GroupLinkFact;
use orgcells_core::ids::{NamespaceId, NamespaceKind, OrganizationId, UserId};
use orgcells_core::invalid::Invalid;
use orgcells_core::members::{
    self as core_members, Change, InvitedGroup, MemberFact, Of, SourceType,
};
use orgcells_core::policy::{GroupAction, ProjectAction, Viewer};
use orgcells_core::states::OrganizationUserState;
use orgcells_store::links::{self, LinkKind};
use orgcells_store::members::Source;
use orgcells_store::rows::{MemberRow, NamespaceRow, ProjectRow, UserRow, parse_traversal};
use orgcells_store::{AnyConnection, Tx, members, namespaces, organizations, users};

use crate::access::{GroupView, project_facts};
use crate::caller::Caller;
use crate::error::denied;
use crate::locking::{lock_chains, lock_project};
use crate::lookup::{ensure_org_writable, find_group, find_project};
use crate::membership::{check_expiry, insert_member};
use crate::{Listed, Ref, Result, Service, ServiceError, clock};

/// Whose members: a Group's or a Project's.
#[derive(Debug, Clone)]
pub enum MemberSource {
    Group(Ref),
    Project(Ref),
}

/// Fields of `POST .../members` and `PUT .../members/:user_id`.
#[derive(Debug, Clone, Default)]
pub struct MemberInput {
    pub user_id: Option<UserId>,
    pub username: Option<String>,
    pub access_level: Option<i64>,
    pub expires_at: Option<String>,
}

/// A membership with its User (and who granted it).
#[derive(Debug, Clone)]
pub struct MemberOut {
    pub member: MemberRow,
    pub user: UserRow,
    pub created_by: Option<UserRow>,
}

/// A resolved source the caller can see.
pub(crate) enum Resolved {
    Group(NamespaceRow, Viewer, GroupView),
    Project(ProjectRow, Viewer, Vec<orgcells_core::ids::NamespaceId>),
}

impl Resolved {
    pub(crate) fn source(&self) -> Source {
        match self {
            Resolved::Group(row, ..) => Source::Group(row.id),
            Resolved::Project(row, ..) => Source::Project(row.id),
        }
    }

    pub(crate) fn organization(&self) -> OrganizationId {
        match self {
            Resolved::Group(row, ..) => row.organization_id,
            Resolved::Project(row, ..) => row.organization_id,
        }
    }

    pub(crate) fn may_manage(&self, change: Change) -> Result<()> {
        let level = change.level_to_manage();
        match self {
            Resolved::Group(row, viewer, view) => viewer
                .group(&view.facts(row), GroupAction::ManageMember(level))
                .map_err(denied("Group")),
            Resolved::Project(row, viewer, traversal) => viewer
                .project(
                    &project_facts(row, traversal),
                    ProjectAction::ManageMember(level),
                )
                .map_err(denied("Project")),
        }
    }

    /// Whether the caller may ask to become a Member.
    pub(crate) fn may_request_access(&self) -> Result<()> {
        match self {
            Resolved::Group(row, viewer, view) => viewer
                .group(&view.facts(row), GroupAction::RequestAccess)
                .map_err(denied("Group")),
            Resolved::Project(row, viewer, traversal) => viewer
                .project(&project_facts(row, traversal), ProjectAction::RequestAccess)
                .map_err(denied("Project")),
        }
    }

    fn may_read(&self) -> Result<()> {
        match self {
            Resolved::Group(row, viewer, view) => viewer
                .group(&view.facts(row), GroupAction::ReadMembers)
                .map_err(denied("Group")),
            Resolved::Project(row, viewer, traversal) => viewer
                .project(&project_facts(row, traversal), ProjectAction::ReadMembers)
                .map_err(denied("Project")),
        }
    }

    /// Minimal access is for top-level Groups only.
    fn check_fits(&self, change: Change) -> Result<()> {
        let top_level = matches!(self, Resolved::Group(row, ..) if row.parent_id.is_none());
        if !change.fits(top_level) {
            return Err(ServiceError::invalid(
                "access_level",
                "Minimal Access is available for top-level groups only",
            ));
        }
        Ok(())
    }

    /// A top-level Group must keep at least one Owner.
    fn guards_last_owner(&self) -> bool {
        matches!(self, Resolved::Group(row, ..) if row.parent_id.is_none())
    }
}

pub(crate) async fn resolve(
    conn: &mut AnyConnection,
    caller: &Caller,
    source: &MemberSource,
) -> Result<Resolved> {
    Ok(match source {
        MemberSource::Group(group) => {
            let (row, viewer, view) = find_group(conn, caller, group).await?;
            Resolved::Group(row, viewer, view)
        }
        MemberSource::Project(project) => {
            let (row, viewer, traversal) = find_project(conn, caller, project).await?;
            Resolved::Project(row, viewer, traversal)
        }
    })
}

/// Resolves a source for a write and locks it (its Organization shared, its chain of Groups,
/// a Project's row), read again under the locks: a Group moved into another Organization
/// meanwhile is followed there (once the chain is locked it moves no more), so nothing is
/// written under its old Organization.
pub(crate) async fn resolve_locked(
    tx: &mut Tx,
    caller: &Caller,
    source: &MemberSource,
) -> Result<Resolved> {
    for _ in 0..3 {
        let resolved = resolve(tx.conn(), caller, source).await?;
        let org = resolved.organization();
        let now_in = match &resolved {
            Resolved::Group(row, ..) => {
                lock_chains(tx, org, &[row.id])
                    .await?
                    .remove(0)
                    .organization_id
            }
            Resolved::Project(row, ..) => lock_project(tx, row).await?.organization_id,
        };
        if now_in == org {
            return Ok(resolved);
        }
    }
    Err(ServiceError::Unavailable {
        message: "503 Service Unavailable: it kept moving while being changed; retry".into(),
        retry_after: 1,
    })
}

/// Checks an access level given for a membership.
fn check_level(invalid: &mut Invalid, value: Option<i64>) -> Option<AccessLevel> {
    match value {
        None => {
            invalid.add("access_level", "is missing");
            None
        }
        Some(value) => {
            let level = AccessLevel::for_member(value);
            if level.is_none() {
                invalid.add("access_level", "does not have a valid value");
            }
            level
        }
    }
}

/// Every effective Member of the source (`core::members` decides who and at which level), read
/// in a fixed number of queries whatever the depth, links and Members: the Project's links and
/// the Groups they invite, the group links of every Group in reach, and the direct rows.
async fn effective(conn: &mut AnyConnection, resolved: &Resolved) -> Result<Vec<MemberRow>> {
    let today = clock::today();
    let (project, chain) = match resolved {
        Resolved::Group(_, _, view) => (None, view.traversal.clone()),
        Resolved::Project(row, _, traversal) => (Some(row.id), traversal.clone()),
    };
    let mut invited = Vec::new();
    if let Some(project) = project {
        let links = links::of_sources(conn, LinkKind::Project, &[project], &today).await?;
        let ids: Vec<NamespaceId> = links.iter().map(|link| link.group_id).collect();
        let groups = namespaces::find_many(conn, &ids).await?;
        for link in &links {
            if let Some(group) = groups.iter().find(|g| g.id == link.group_id) {
                invited.push(InvitedGroup {
                    traversal: parse_traversal(&group.traversal),
                    max_access: link.group_access,
                });
            }
        }
    }
    let mut in_reach: Vec<NamespaceId> = chain
        .iter()
        .chain(invited.iter().flat_map(|group| group.traversal.iter()))
        .copied()
        .collect();
    in_reach.sort_unstable();
    in_reach.dedup();
    let group_links: Vec<GroupLinkFact> =
        links::of_sources(conn, LinkKind::Group, &in_reach, &today)
            .await?
            .iter()
            .map(|link| GroupLinkFact {
                shared_group: NamespaceId(link.source_id),
                invited_group: link.group_id,
                max_access: link.group_access,
            })
            .collect();
    in_reach.extend(group_links.iter().map(|link| link.invited_group));
    in_reach.sort_unstable();
    in_reach.dedup();
    let mut rows = members::of_sources(conn, SourceType::Group, &in_reach, None, &today).await?;
    if let Some(project) = project {
        rows.extend(
            members::of_sources(conn, SourceType::Project, &[project], None, &today).await?,
        );
    }
    let facts: Vec<MemberFact> = rows
        .iter()
        .map(|row| MemberFact {
            user: row.user_id,
            source: row.source(),
            level: row.access_level,
        })
        .collect();
    let of = match project {
        None => Of::Group(&chain),
        Some(id) => Of::Project {
            id,
            namespace_traversal: &chain,
            invited: &invited,
        },
    };
    Ok(core_members::effective(of, &facts, &group_links)
        .into_iter()
        .map(|found| MemberRow {
            access_level: found.level,
            ..rows[found.row].clone()
        })
        .collect())
}

/// The level a User inherits on a source from above it (not counting the source's own row).
async fn inherited_level(
    conn: &mut AnyConnection,
    resolved: &Resolved,
    user: UserId,
) -> Result<Option<(AccessLevel, String)>> {
    let today = clock::today();
    let (ancestors, names): (Vec<NamespaceId>, Vec<NamespaceRow>) = match resolved {
        Resolved::Group(row, ..) => {
            let ids: Vec<NamespaceId> = parse_traversal(&row.traversal)
                .into_iter()
                .filter(|id| *id != row.id)
                .collect();
            let rows = namespaces::find_many(conn, &ids).await?;
            (ids, rows)
        }
        Resolved::Project(row, ..) => {
            let ids = parse_traversal(&row.traversal);
            let rows = namespaces::find_many(conn, &ids)
                .await?
                .into_iter()
                .filter(|n| n.kind == NamespaceKind::Group)
                .collect::<Vec<_>>();
            (rows.iter().map(|r| r.id).collect(), rows)
        }
    };
    let found =
        members::of_sources(conn, SourceType::Group, &ancestors, Some(&[user]), &today).await?;
    Ok(found.into_iter().max_by_key(|m| m.access_level).map(|m| {
        let name = names
            .iter()
            .find(|n| members::Source::Group(n.id) == m.source())
            .map(|n| n.name.clone())
            .unwrap_or_default();
        (m.access_level, name)
    }))
}

async fn with_users(conn: &mut AnyConnection, rows: Vec<MemberRow>) -> Result<Vec<MemberOut>> {
    let mut ids: Vec<UserId> = rows
        .iter()
        .map(|m| m.user_id)
        .chain(rows.iter().filter_map(|m| m.created_by_id))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let accounts: HashMap<UserId, UserRow> = users::find_many(conn, &ids)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    Ok(rows
        .into_iter()
        .filter_map(|member| {
            let user = accounts.get(&member.user_id)?.clone();
            let created_by = member
                .created_by_id
                .and_then(|id| accounts.get(&id).cloned());
            Some(MemberOut {
                member,
                user,
                created_by,
            })
        })
        .collect())
}

/// Whether a Member matches `query`: username or name, and the email for admins only (an
/// email is private, as in `GET /users?search=`).
fn matches_query(user: &UserRow, query: Option<&str>, admin: bool) -> bool {
    query.is_none_or(|q| {
        let q = q.to_lowercase();
        user.username.to_lowercase().contains(&q)
            || user.name.to_lowercase().contains(&q)
            || (admin && user.email.to_lowercase() == q)
    })
}

impl Service {
    /// `GET .../members` (`all = false`) and `GET .../members/all` (`all = true`).
    pub async fn list_members(
        &self,
        caller: &Caller,
        source: &MemberSource,
        all: bool,
        query: Option<&str>,
        user_ids: Option<&[UserId]>,
        page: &crate::PageRequest,
    ) -> Result<Listed<MemberOut>> {
        let mut conn = self.db.read().await?;
        let resolved = resolve(&mut conn, caller, source).await?;
        resolved.may_read()?;
        let mut rows: Vec<MemberRow> = if all {
            effective(&mut conn, &resolved).await?
        } else {
            let source = resolved.source();
            members::of_sources(
                &mut conn,
                source.kind(),
                &[source.id()],
                None,
                &clock::today(),
            )
            .await?
        };
        if let Some(ids) = user_ids {
            rows.retain(|m| ids.contains(&m.user_id));
        }
        rows.sort_by_key(|m| (m.user_id, m.id));
        let mut out = with_users(&mut conn, rows).await?;
        out.retain(|m| matches_query(&m.user, query, caller.is_admin()));
        let total = out.len() as i64;
        let items = out
            .into_iter()
            .skip(page.offset() as usize)
            .take(page.per_page as usize)
            .collect();
        Ok(Listed {
            items,
            total: Some(total),
        })
    }

    /// `GET .../members/:user_id` and `GET .../members/all/:user_id`.
    pub async fn get_member(
        &self,
        caller: &Caller,
        source: &MemberSource,
        user: UserId,
        all: bool,
    ) -> Result<MemberOut> {
        let mut conn = self.db.read().await?;
        let resolved = resolve(&mut conn, caller, source).await?;
        resolved.may_read()?;
        let row = if all {
            effective(&mut conn, &resolved)
                .await?
                .into_iter()
                .find(|m| m.user_id == user)
        } else {
            members::find(&mut conn, resolved.source(), user).await?
        };
        let row = row.ok_or(ServiceError::NotFound("Member"))?;
        with_users(&mut conn, vec![row])
            .await?
            .pop()
            .ok_or(ServiceError::NotFound("Member"))
    }

    /// `POST .../members`.
    pub async fn add_member(
        &self,
        caller: &Caller,
        source: &MemberSource,
        input: &MemberInput,
    ) -> Result<MemberOut> {
        caller.user()?;
        let mut invalid = Invalid::new();
        if input.user_id.is_none() && input.username.is_none() {
            invalid.add("user_id", "is missing");
        }
        let level = check_level(&mut invalid, input.access_level);
        let expires_at = check_expiry(&mut invalid, input.expires_at.as_deref());
        invalid.into_result()?;
        let level = level.ok_or_else(|| ServiceError::invalid("access_level", "is missing"))?;
        // A User made on the first Cell a moment ago may not be copied here yet: catch up
        // first (outside the write, which the copy needs).
        let named = match (input.user_id, &input.username) {
            (Some(id), _) => Some(Ref::Id(id.0)),
            (None, Some(username)) => Some(Ref::Path(username.clone())),
            (None, None) => None,
        };
        if let Some(named) = named.as_ref().filter(|_| self.copies_users()) {
            let _ = self.user_by_ref(named).await;
        }
        let named = named.ok_or_else(|| ServiceError::invalid("user_id", "is missing"))?;
        let mut tx = self.db.write().await?;
        let out = self
            .add_member_in(&mut tx, caller, source, &named, level, expires_at)
            .await?;
        self.commit(tx).await?;
        Ok(out)
    }

    /// Adds User `named` as a Member at `level`, in `tx`: the source locked, then under every
    /// rule of adding one ([`Self::add_resolved_member`]).
    pub(crate) async fn add_member_in(
        &self,
        tx: &mut Tx,
        caller: &Caller,
        source: &MemberSource,
        named: &Ref,
        level: AccessLevel,
        expires_at: Option<String>,
    ) -> Result<MemberOut> {
        let resolved = resolve_locked(tx, caller, source).await?;
        let change = Change {
            from: None,
            to: Some(level),
        };
        // Who may add is known before anything is said about the User.
        resolved.check_fits(change)?;
        resolved.may_manage(change)?;
        ensure_org_writable(tx.conn(), resolved.organization()).await?;
        let user = match named {
            Ref::Id(id) => users::find(tx.conn(), UserId(*id)).await?,
            Ref::Path(username) => users::find_by_username(tx.conn(), username).await?,
        };
        let user = user
            .filter(|u| u.id != UserId::GHOST)
            .ok_or(ServiceError::NotFound("User"))?;
        self.add_resolved_member(tx, caller, &resolved, &user, level, expires_at)
            .await
    }

    /// Adds `user` as a Member of a source already resolved, locked and found writable: the
    /// caller manages that level there, the level fits, the User is not banned from the
    /// Organization nor a Member already, nor holds more through a parent.
    pub(crate) async fn add_resolved_member(
        &self,
        tx: &mut Tx,
        caller: &Caller,
        resolved: &Resolved,
        user: &UserRow,
        level: AccessLevel,
        expires_at: Option<String>,
    ) -> Result<MemberOut> {
        let me = caller.user()?.id;
        let change = Change {
            from: None,
            to: Some(level),
        };
        resolved.check_fits(change)?;
        resolved.may_manage(change)?;
        if let Some(org_user) =
            organizations::find_user(tx.conn(), resolved.organization(), user.id).await?
            && org_user.state == OrganizationUserState::Banned
        {
            return Err(ServiceError::forbidden(
                "User is banned from this organization",
            ));
        }
        if members::find(tx.conn(), resolved.source(), user.id)
            .await?
            .is_some()
        {
            return Err(ServiceError::Conflict("Member already exists".into()));
        }
        if let Some((inherited, from)) = inherited_level(tx.conn(), resolved, user.id).await?
            && change.below_inherited(inherited)
        {
            return Err(ServiceError::invalid(
                "access_level",
                format!(
                    "should be greater than or equal to {inherited} inherited membership from group {from}"
                ),
            ));
        }
        let row = insert_member(
            tx,
            resolved.organization(),
            resolved.source(),
            user.id,
            level,
            expires_at,
            Some(me),
        )
        .await?;
        with_users(tx.conn(), vec![row])
            .await?
            .pop()
            .ok_or(ServiceError::NotFound("Member"))
    }

    /// `PUT .../members/:user_id`.
    pub async fn update_member(
        &self,
        caller: &Caller,
        source: &MemberSource,
        user: UserId,
        input: &MemberInput,
    ) -> Result<MemberOut> {
        let mut invalid = Invalid::new();
        let level = check_level(&mut invalid, input.access_level);
        let expires_at = check_expiry(&mut invalid, input.expires_at.as_deref());
        invalid.into_result()?;
        let level = level.ok_or_else(|| ServiceError::invalid("access_level", "is missing"))?;
        let mut tx = self.db.write().await?;
        let resolved = resolve(tx.conn(), caller, source).await?;
        let mut row = members::find(tx.conn(), resolved.source(), user)
            .await?
            .ok_or(ServiceError::NotFound("Member"))?;
        let change = Change {
            from: Some(row.access_level),
            to: Some(level),
        };
        resolved.check_fits(change)?;
        resolved.may_manage(change)?;
        ensure_org_writable(tx.conn(), resolved.organization()).await?;
        if change.takes_an_owner()
            && resolved.guards_last_owner()
            && orgcells_store::locks::group_owners(tx.conn(), NamespaceId(row.source_id)).await?
                <= 1
        {
            return Err(ServiceError::forbidden(
                "A group must have at least one owner",
            ));
        }
        if let Some((inherited, from)) = inherited_level(tx.conn(), &resolved, user).await?
            && level < inherited
        {
            return Err(ServiceError::invalid(
                "access_level",
                format!(
                    "should be greater than or equal to {inherited} inherited membership from group {from}"
                ),
            ));
        }
        row.access_level = level;
        if input.expires_at.is_some() {
            row.expires_at = expires_at;
        }
        row.updated_at = clock::now();
        members::update(tx.conn(), &row).await?;
        let out = with_users(tx.conn(), vec![row])
            .await?
            .pop()
            .ok_or(ServiceError::NotFound("Member"))?;
        self.commit(tx).await?;
        Ok(out)
    }

    /// `DELETE .../members/:user_id`: Members may also leave on their own.
    pub async fn remove_member(
        &self,
        caller: &Caller,
        source: &MemberSource,
        user: UserId,
    ) -> Result<()> {
        let me = caller.user()?.id;
        let mut tx = self.db.write().await?;
        let resolved = resolve(tx.conn(), caller, source).await?;
        let row = members::find(tx.conn(), resolved.source(), user)
            .await?
            .ok_or(ServiceError::NotFound("Member"))?;
        let change = Change {
            from: Some(row.access_level),
            to: None,
        };
        if user != me {
            resolved.may_manage(change)?;
        }
        ensure_org_writable(tx.conn(), resolved.organization()).await?;
        if change.takes_an_owner()
            && resolved.guards_last_owner()
            && orgcells_store::locks::group_owners(tx.conn(), NamespaceId(row.source_id)).await?
                <= 1
        {
            return Err(ServiceError::forbidden(
                "A group must have at least one owner",
            ));
        }
        members::delete(tx.conn(), row.id).await?;
        self.commit(tx).await?;
        Ok(())
    }
}
