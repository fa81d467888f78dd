//! Who may see and do what (SPEC sections 3 and 4). Every permission in orgcells is decided here;
//! the service layer asks, handlers never decide.
//!
//! Something a viewer may not see does not exist for them ([`Denied::NotFound`]); 403
//! ([`Denied::Forbidden`]) is for what they see but may not change.

use crate::access::{AccessLevel, OrganizationRole};
use crate::creation::{ProjectCreationLevel, SubgroupCreationLevel};
use crate::grants::Grants;
use crate::ids::{NamespaceId, ProjectId, UserId};
use crate::visibility::{OrganizationVisibility, Visibility};

/// Who is asking, as seen from one Organization.
#[derive(Debug, Clone, Default)]
pub struct Viewer {
    pub user: Option<UserId>,
    /// An instance admin, who may do anything an Organization Owner may, and more.
    pub admin: bool,
    /// The viewer's role in this Organization; `None` for a Non-User (or a banned User).
    pub role: Option<OrganizationRole>,
    /// Banned from this Organization: nothing in it exists for them, public content included,
    /// while they are signed in (GitLab's namespace bans).
    pub banned: bool,
    /// The Organization is soft-deleted: its content exists for admins alone, the Organization
    /// itself for its Owners too (who may restore it).
    pub org_deleted: bool,
    pub grants: std::sync::Arc<Grants>,
}

/// Why an action is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    /// The viewer may not see the resource: it does not exist for them.
    NotFound,
    /// The viewer sees it but may not do this.
    Forbidden,
}

pub type Decision = Result<(), Denied>;

/// The facts about a Group that decide access to it.
#[derive(Debug, Clone, Copy)]
pub struct GroupFacts<'a> {
    pub id: NamespaceId,
    /// Root-first ids of the Group's ancestry, ending with the Group itself.
    pub traversal: &'a [NamespaceId],
    pub visibility: Visibility,
    /// Who may create Projects in the Group.
    pub project_creation_level: ProjectCreationLevel,
    /// Who may create subgroups in the Group.
    pub subgroup_creation_level: SubgroupCreationLevel,
}

/// The facts about a Project that decide access to it.
#[derive(Debug, Clone, Copy)]
pub struct ProjectFacts<'a> {
    pub id: ProjectId,
    /// Traversal ids of the namespace the Project lives in.
    pub namespace_traversal: &'a [NamespaceId],
    pub visibility: Visibility,
}

/// The facts about an Organization that decide access to it.
#[derive(Debug, Clone, Copy)]
pub struct OrganizationFacts {
    pub visibility: OrganizationVisibility,
    pub is_default: bool,
    /// Whether only Owners may create top-level Groups.
    pub group_creation_owners_only: bool,
}

/// Actions on a Group beyond reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupAction {
    /// Read the list of Members: not through the limited view of a private Group (GitLab's
    /// `can_read_group_member?`).
    ReadMembers,
    /// Edit the name and description.
    Update,
    /// Change visibility, path or other settings that reach beyond the Group.
    UpdateSensitive,
    Delete,
    /// Move the Group to another parent (or to the top level).
    Transfer,
    CreateSubgroup,
    CreateProject,
    /// Receive a Project transferred from elsewhere (GitLab's `transfer_projects`: Maintainer of
    /// the target, who may create Projects in it).
    ReceiveProject,
    /// Invite another Group into this one.
    Share,
    /// Add, change or remove a Member holding (or to hold) this level.
    ManageMember(AccessLevel),
    /// Ask to become a Member (GitLab's `request_access`): a signed-in User with no access
    /// yet, to what is not private.
    RequestAccess,
}

/// Actions on a Project beyond reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProjectAction {
    ReadMembers,
    Update,
    UpdateSensitive,
    Delete,
    Transfer,
    /// Invite a Group into this Project.
    Share,
    ManageMember(AccessLevel),
    /// Ask to become a Member, as of a Group.
    RequestAccess,
}

/// Actions on an Organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrganizationAction {
    /// Settings, the list of Owners, the full Users overview.
    Administer,
    Delete,
    CreateGroup,
    /// Move a top-level Group into this Organization (Owner of both).
    TransferGroupIn,
    /// Bring a soft-deleted Organization back.
    Restore,
}

/// Actions on one of an Organization's Users (whether the change itself is allowed, the last
/// Owner's for one, is `core::org_users`').
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrganizationUserAction {
    /// Add a User to the Organization.
    Add,
    /// Make them an Owner, or a User again.
    ChangeRole,
    /// Remove them; themselves: leave.
    Remove,
    Ban,
    Unban,
}

impl Viewer {
    pub fn anonymous() -> Viewer {
        Viewer::default()
    }

    pub fn is_org_user(&self) -> bool {
        self.role.is_some()
    }

    pub fn is_org_owner(&self) -> bool {
        self.role == Some(OrganizationRole::Owner)
    }

    /// Whether nothing inside the Organization exists for the viewer: banned from it, or it is
    /// soft-deleted (admins see through both).
    fn shut_out(&self) -> bool {
        !self.admin && (self.banned || self.org_deleted)
    }

    fn sees_by_visibility(&self, visibility: Visibility) -> bool {
        if self.shut_out() {
            return false;
        }
        match visibility {
            Visibility::Public => true,
            Visibility::Internal => self.is_org_user(),
            Visibility::Private => false,
        }
    }

    pub fn can_read_organization(&self, org: &OrganizationFacts) -> bool {
        self.admin
            || (!self.banned
                && (!self.org_deleted || self.is_org_owner())
                && (org.visibility == OrganizationVisibility::Public || self.is_org_user()))
    }

    /// What the viewer may do to User `subject` of the Organization: an Owner (or an admin)
    /// manages every User; a User may only leave.
    pub fn organization_user(
        &self,
        org: &OrganizationFacts,
        subject: UserId,
        action: OrganizationUserAction,
    ) -> Decision {
        if !self.can_read_organization(org) {
            return Err(Denied::NotFound);
        }
        let owner = self.admin || self.is_org_owner();
        let leaving = action == OrganizationUserAction::Remove
            && self.is_org_user()
            && self.user == Some(subject);
        allow(owner || leaving)
    }

    pub fn organization(&self, org: &OrganizationFacts, action: OrganizationAction) -> Decision {
        if !self.can_read_organization(org) {
            return Err(Denied::NotFound);
        }
        let owner = self.admin || self.is_org_owner();
        let allowed = match action {
            OrganizationAction::Restore => owner && self.org_deleted,
            // A soft-deleted Organization is only restored, or left to be deleted for good.
            _ if self.org_deleted => false,
            OrganizationAction::Administer | OrganizationAction::TransferGroupIn => owner,
            OrganizationAction::Delete => owner && !org.is_default,
            OrganizationAction::CreateGroup => {
                owner || (self.is_org_user() && !org.group_creation_owners_only)
            }
        };
        allow(allowed)
    }

    /// The viewer's level on a Group; an admin counts as Owner.
    pub fn group_access(&self, group: &GroupFacts) -> AccessLevel {
        if self.admin {
            AccessLevel::Owner
        } else {
            self.grants.group_access(group.traversal)
        }
    }

    pub fn can_read_group(&self, group: &GroupFacts) -> bool {
        if self.shut_out() {
            return false;
        }
        self.admin
            || self.sees_by_visibility(group.visibility)
            || self.grants.group_access(group.traversal) >= AccessLevel::MinimalAccess
            || self.grants.has_limited_view(group.id)
    }

    pub fn group(&self, group: &GroupFacts, action: GroupAction) -> Decision {
        if !self.can_read_group(group) {
            return Err(Denied::NotFound);
        }
        // A soft-deleted Organization's content is only read (by admins) until restored.
        if self.org_deleted && action != GroupAction::ReadMembers {
            return Err(Denied::Forbidden);
        }
        let level = self.group_access(group);
        let allowed = match action {
            GroupAction::ReadMembers => {
                group.visibility != Visibility::Private || level > AccessLevel::NoAccess
            }
            GroupAction::Update => level >= AccessLevel::Maintainer,
            GroupAction::UpdateSensitive
            | GroupAction::Delete
            | GroupAction::Transfer
            | GroupAction::Share => level >= AccessLevel::Owner,
            GroupAction::CreateSubgroup => group.subgroup_creation_level.allows(level, self.admin),
            GroupAction::CreateProject => group.project_creation_level.allows(level, self.admin),
            // GitLab's `transfer_projects`: a Maintainer who may also create Projects there.
            GroupAction::ReceiveProject => {
                level >= AccessLevel::Maintainer
                    && group.project_creation_level.allows(level, self.admin)
            }
            GroupAction::ManageMember(target) => manages_member(level, target),
            GroupAction::RequestAccess => {
                self.user.is_some()
                    && group.visibility != Visibility::Private
                    && level == AccessLevel::NoAccess
            }
        };
        allow(allowed)
    }

    /// A personal namespace: its owner's (and an admin's) to read and to create Projects in;
    /// it does not exist for anyone else.
    pub fn personal_namespace(&self, owner: Option<UserId>) -> Decision {
        if self.admin || (!self.shut_out() && owner.is_some() && self.user == owner) {
            Ok(())
        } else {
            Err(Denied::NotFound)
        }
    }

    /// A Group as the Namespaces API shows it (GitLab's `read_namespace`): to its members,
    /// not to whoever merely sees it.
    pub fn can_read_group_namespace(&self, group: &GroupFacts) -> bool {
        self.admin || self.group_access(group) >= AccessLevel::Guest
    }

    /// The viewer's level on a Project; an admin counts as Owner.
    pub fn project_access(&self, project: &ProjectFacts) -> AccessLevel {
        if self.admin {
            AccessLevel::Owner
        } else {
            self.grants
                .project_access(project.id, project.namespace_traversal)
        }
    }

    pub fn can_read_project(&self, project: &ProjectFacts) -> bool {
        if self.shut_out() {
            return false;
        }
        self.admin
            || self.sees_by_visibility(project.visibility)
            || self.project_access(project).reads()
    }

    pub fn project(&self, project: &ProjectFacts, action: ProjectAction) -> Decision {
        if !self.can_read_project(project) {
            return Err(Denied::NotFound);
        }
        if self.org_deleted && action != ProjectAction::ReadMembers {
            return Err(Denied::Forbidden);
        }
        let level = self.project_access(project);
        let allowed = match action {
            ProjectAction::ReadMembers => true,
            ProjectAction::Update | ProjectAction::Share => level >= AccessLevel::Maintainer,
            ProjectAction::UpdateSensitive | ProjectAction::Delete | ProjectAction::Transfer => {
                level >= AccessLevel::Owner
            }
            ProjectAction::ManageMember(target) => manages_member(level, target),
            ProjectAction::RequestAccess => {
                self.user.is_some()
                    && project.visibility != Visibility::Private
                    && level == AccessLevel::NoAccess
            }
        };
        allow(allowed)
    }
}

/// How much of a User a caller is shown: GitLab's basic entity to the anonymous, the public
/// one to others signed in, the User's own to themselves, everything to an admin. Ordered, so
/// each view shows what those below it show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum UserView {
    Basic,
    Public,
    Own,
    Admin,
}

/// The view of User `subject` that a caller (`caller`, an admin or not) gets.
pub fn user_view(caller: Option<UserId>, admin: bool, subject: UserId) -> UserView {
    if admin {
        UserView::Admin
    } else if caller == Some(subject) {
        UserView::Own
    } else if caller.is_some() {
        UserView::Public
    } else {
        UserView::Basic
    }
}

/// Maintainers manage Members up to their own level; only Owners manage Owners.
fn manages_member(own: AccessLevel, target: AccessLevel) -> bool {
    own >= AccessLevel::Maintainer && target <= own
}

fn allow(allowed: bool) -> Decision {
    if allowed {
        Ok(())
    } else {
        Err(Denied::Forbidden)
    }
}

#[cfg(test)]
mod tests;
