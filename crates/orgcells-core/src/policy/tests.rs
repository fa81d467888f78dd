//! The tables of SPEC sections 3 and 4, one line per case.

use super::*;
use crate::creation::{ProjectCreationLevel, SubgroupCreationLevel};
use crate::grants::{GrantFacts, GroupLinkFact, ProjectMembershipFact};
use AccessLevel::*;
use OrganizationVisibility as Org;
use Visibility::*;

/// The kinds of viewer the tables distinguish.
#[derive(Debug, Clone, Copy)]
enum Who {
    Anonymous,
    /// Signed in, but not a User of this Organization.
    NonUser,
    /// An Organization User with no membership here.
    OrgUser,
    /// A Member of the Group (at this level).
    Member(AccessLevel),
    /// A Member of the parent Group only (at this level).
    ParentMember(AccessLevel),
    /// A Member of a Project inside the Group only.
    ProjectMember,
    /// A Developer of a subgroup of the Group that holds a Project.
    SubgroupMemberWithProject,
    /// A Member of a subgroup of the Group that holds no Project.
    SubgroupMemberNoProject,
    /// Minimal access to the Group itself.
    Minimal,
    /// A Member of a Group that the Group was shared with, at the link's cap.
    SharedGroupMember(AccessLevel, AccessLevel),
    /// Banned from the Organization (even holding a membership the ban outranks).
    Banned,
    Admin,
}

const PARENT: NamespaceId = NamespaceId(1);
const GROUP: NamespaceId = NamespaceId(2);
const SUBGROUP: NamespaceId = NamespaceId(3);
const OTHER: NamespaceId = NamespaceId(50);
const PROJECT: ProjectId = ProjectId(100);
const TRAVERSAL: [NamespaceId; 2] = [PARENT, GROUP];

fn viewer(who: Who) -> Viewer {
    let user = Some(UserId(7));
    let member = |grants: Grants| Viewer {
        user,
        admin: false,
        role: Some(OrganizationRole::User),
        banned: false,
        org_deleted: false,
        grants: grants.into(),
    };
    match who {
        Who::Anonymous => Viewer::anonymous(),
        Who::NonUser => Viewer {
            user,
            ..Viewer::default()
        },
        Who::OrgUser => member(Grants::default()),
        Who::Member(level) => member(Grants::new([(GROUP, level)])),
        Who::ParentMember(level) => member(Grants::new([(PARENT, level)])),
        Who::ProjectMember => {
            let facts = GrantFacts {
                project_memberships: vec![ProjectMembershipFact {
                    project: ProjectId(999),
                    namespace_traversal: TRAVERSAL.to_vec(),
                    level: Developer,
                }],
                ..GrantFacts::default()
            };
            member(Grants::from_facts(&facts))
        }
        Who::SubgroupMemberWithProject | Who::SubgroupMemberNoProject => {
            let populated = matches!(who, Who::SubgroupMemberWithProject);
            let facts = GrantFacts {
                groups: vec![(SUBGROUP, Developer)],
                groups_with_projects: if populated {
                    vec![vec![PARENT, GROUP, SUBGROUP]]
                } else {
                    Vec::new()
                },
                ..GrantFacts::default()
            };
            member(Grants::from_facts(&facts))
        }
        Who::Minimal => member(Grants::new([(GROUP, MinimalAccess)])),
        Who::SharedGroupMember(level, cap) => {
            let facts = GrantFacts {
                groups: vec![(OTHER, level)],
                group_links: vec![GroupLinkFact {
                    shared_group: GROUP,
                    invited_group: OTHER,
                    max_access: cap,
                }],
                ..GrantFacts::default()
            };
            member(Grants::from_facts(&facts))
        }
        Who::Banned => Viewer {
            role: None,
            banned: true,
            ..member(Grants::new([(GROUP, Owner)]))
        },
        Who::Admin => Viewer {
            user,
            admin: true,
            ..Viewer::default()
        },
    }
}

fn group(visibility: Visibility) -> GroupFacts<'static> {
    GroupFacts {
        id: GROUP,
        traversal: &TRAVERSAL,
        visibility,
        project_creation_level: ProjectCreationLevel::Maintainer,
        subgroup_creation_level: SubgroupCreationLevel::Maintainer,
    }
}

fn project(visibility: Visibility) -> ProjectFacts<'static> {
    ProjectFacts {
        id: PROJECT,
        namespace_traversal: &TRAVERSAL,
        visibility,
    }
}

fn org(visibility: Org) -> OrganizationFacts {
    OrganizationFacts {
        visibility,
        is_default: false,
        group_creation_owners_only: false,
    }
}

#[test]
fn who_sees_what() {
    // (organization, group/project visibility, viewer, sees the Organization, sees the Group/Project)
    let cases = [
        (Org::Public, Public, Who::Anonymous, true, true),
        (Org::Public, Public, Who::NonUser, true, true),
        (Org::Public, Public, Who::OrgUser, true, true),
        (Org::Public, Internal, Who::Anonymous, true, false),
        (Org::Public, Internal, Who::NonUser, true, false),
        (Org::Public, Internal, Who::OrgUser, true, true),
        (Org::Public, Private, Who::Anonymous, true, false),
        (Org::Public, Private, Who::NonUser, true, false),
        (Org::Public, Private, Who::OrgUser, true, false),
        (Org::Public, Private, Who::Member(Guest), true, true),
        (Org::Public, Private, Who::ParentMember(Guest), true, true),
        (
            Org::Public,
            Private,
            Who::SharedGroupMember(Developer, Guest),
            true,
            true,
        ),
        (Org::Public, Private, Who::Admin, true, true),
        (Org::Internal, Internal, Who::Anonymous, false, false),
        (Org::Internal, Internal, Who::NonUser, false, false),
        (Org::Internal, Internal, Who::OrgUser, true, true),
        (Org::Internal, Private, Who::Anonymous, false, false),
        (Org::Internal, Private, Who::NonUser, false, false),
        (Org::Internal, Private, Who::OrgUser, true, false),
        (Org::Internal, Private, Who::Member(Reporter), true, true),
        (Org::Internal, Private, Who::Admin, true, true),
        // Banned: nothing of the Organization exists for them, public content included.
        (Org::Public, Public, Who::Banned, false, false),
        (Org::Public, Internal, Who::Banned, false, false),
        (Org::Public, Private, Who::Banned, false, false),
        (Org::Internal, Internal, Who::Banned, false, false),
        (Org::Internal, Private, Who::Banned, false, false),
    ];
    for (org_visibility, visibility, who, sees_org, sees) in cases {
        let v = viewer(who);
        assert_eq!(
            v.can_read_organization(&org(org_visibility)),
            sees_org,
            "org {org_visibility:?} {who:?}"
        );
        assert_eq!(
            v.can_read_group(&group(visibility)),
            sees,
            "group {visibility:?} in {org_visibility:?} {who:?}"
        );
        assert_eq!(
            v.can_read_project(&project(visibility)),
            sees,
            "project {visibility:?} in {org_visibility:?} {who:?}"
        );
    }
}

#[test]
fn limited_view_of_ancestors() {
    // (viewer, sees the private Group above) — GitLab's `has_projects`.
    let cases = [
        (Who::ProjectMember, true),
        (Who::SubgroupMemberWithProject, true),
        (Who::SubgroupMemberNoProject, false),
        (Who::OrgUser, false),
    ];
    for (who, sees) in cases {
        let v = viewer(who);
        assert_eq!(v.can_read_group(&group(Private)), sees, "{who:?}");
        assert_eq!(v.group_access(&group(Private)), NoAccess, "{who:?}");
    }
}

#[test]
fn creation_levels() {
    use GroupAction::{CreateProject, CreateSubgroup, ReceiveProject};
    use ProjectCreationLevel as P;
    use SubgroupCreationLevel as S;
    const NO: Decision = Err(Denied::Forbidden);
    const YES: Decision = Ok(());
    // (project creation, subgroup creation, viewer, action, decision) on a private Group.
    #[rustfmt::skip]
    let cases = [
        (P::NoOne, S::Maintainer, Who::Member(Owner), CreateProject, NO),
        (P::NoOne, S::Maintainer, Who::Admin, CreateProject, NO),
        (P::Administrator, S::Maintainer, Who::Member(Owner), CreateProject, NO),
        (P::Administrator, S::Maintainer, Who::Admin, CreateProject, YES),
        (P::Owner, S::Maintainer, Who::Member(Maintainer), CreateProject, NO),
        (P::Owner, S::Maintainer, Who::Member(Owner), CreateProject, YES),
        (P::Developer, S::Maintainer, Who::Member(Developer), CreateProject, YES),
        (P::Developer, S::Maintainer, Who::Member(Reporter), CreateProject, NO),
        (P::Maintainer, S::Owner, Who::Member(Maintainer), CreateSubgroup, NO),
        (P::Maintainer, S::Owner, Who::Member(Owner), CreateSubgroup, YES),
        (P::Maintainer, S::Maintainer, Who::Member(Maintainer), CreateSubgroup, YES),
        (P::Maintainer, S::Maintainer, Who::Member(Developer), CreateSubgroup, NO),
        // A Project is received only by a Maintainer who may create Projects there (GitLab's
        // `transfer_projects`).
        (P::Developer, S::Maintainer, Who::Member(Maintainer), ReceiveProject, YES),
        (P::Developer, S::Maintainer, Who::Member(Developer), ReceiveProject, NO),
        (P::NoOne, S::Maintainer, Who::Member(Owner), ReceiveProject, NO),
        (P::Owner, S::Maintainer, Who::Member(Maintainer), ReceiveProject, NO),
        (P::Owner, S::Maintainer, Who::Member(Owner), ReceiveProject, YES),
    ];
    for (projects, subgroups, who, action, expect) in cases {
        let facts = GroupFacts {
            project_creation_level: projects,
            subgroup_creation_level: subgroups,
            ..group(Private)
        };
        assert_eq!(
            viewer(who).group(&facts, action),
            expect,
            "{projects:?} {subgroups:?} {who:?} {action:?}"
        );
    }
}

#[test]
fn project_members_get_limited_access_to_ancestors() {
    let v = viewer(Who::ProjectMember);
    assert!(v.can_read_group(&group(Private)));
    assert_eq!(v.group_access(&group(Private)), NoAccess);
    // They see the Group, not what is in it.
    assert!(!v.can_read_project(&project(Private)));
    assert_eq!(
        v.group(&group(Private), GroupAction::Update),
        Err(Denied::Forbidden)
    );
}

#[test]
fn group_permissions() {
    use GroupAction::*;
    // (viewer, action, decision) on a private Group.
    let cases = [
        (Who::OrgUser, ReadMembers, Err(Denied::NotFound)),
        (Who::OrgUser, Update, Err(Denied::NotFound)),
        (Who::Member(Guest), ReadMembers, Ok(())),
        (Who::Member(Guest), Update, Err(Denied::Forbidden)),
        (Who::Member(Reporter), CreateProject, Err(Denied::Forbidden)),
        (
            Who::Member(Developer),
            CreateProject,
            Err(Denied::Forbidden),
        ),
        (
            Who::Member(Developer),
            CreateSubgroup,
            Err(Denied::Forbidden),
        ),
        (
            Who::Member(Developer),
            ManageMember(Guest),
            Err(Denied::Forbidden),
        ),
        (Who::Member(Maintainer), Update, Ok(())),
        (Who::Member(Maintainer), CreateProject, Ok(())),
        (
            Who::Member(Developer),
            ReceiveProject,
            Err(Denied::Forbidden),
        ),
        (Who::Member(Maintainer), ReceiveProject, Ok(())),
        (Who::Member(Maintainer), CreateSubgroup, Ok(())),
        (Who::Member(Maintainer), ManageMember(Developer), Ok(())),
        (Who::Member(Maintainer), ManageMember(Maintainer), Ok(())),
        (
            Who::Member(Maintainer),
            ManageMember(Owner),
            Err(Denied::Forbidden),
        ),
        (
            Who::Member(Maintainer),
            UpdateSensitive,
            Err(Denied::Forbidden),
        ),
        (Who::Member(Maintainer), Delete, Err(Denied::Forbidden)),
        (Who::Member(Maintainer), Transfer, Err(Denied::Forbidden)),
        (Who::Member(Maintainer), Share, Err(Denied::Forbidden)),
        (Who::Member(Owner), ManageMember(Owner), Ok(())),
        (Who::Member(Owner), UpdateSensitive, Ok(())),
        (Who::Member(Owner), Delete, Ok(())),
        (Who::Member(Owner), Transfer, Ok(())),
        (Who::Member(Owner), Share, Ok(())),
        (Who::ParentMember(Owner), Delete, Ok(())),
        (Who::ParentMember(Developer), Update, Err(Denied::Forbidden)),
        (
            Who::SharedGroupMember(Owner, Developer),
            Update,
            Err(Denied::Forbidden),
        ),
        (Who::SharedGroupMember(Owner, Maintainer), Update, Ok(())),
        (
            Who::SharedGroupMember(Guest, Maintainer),
            Update,
            Err(Denied::Forbidden),
        ),
        // The limited view of a private Group does not show its members (SPEC section 3).
        (Who::ProjectMember, ReadMembers, Err(Denied::Forbidden)),
        (
            Who::SubgroupMemberWithProject,
            ReadMembers,
            Err(Denied::Forbidden),
        ),
        (
            Who::SubgroupMemberWithProject,
            Update,
            Err(Denied::Forbidden),
        ),
        (Who::ParentMember(Guest), ReadMembers, Ok(())),
        (Who::SharedGroupMember(Guest, Guest), ReadMembers, Ok(())),
        (Who::Minimal, ReadMembers, Ok(())),
        (Who::ProjectMember, CreateProject, Err(Denied::Forbidden)),
        (Who::Admin, Delete, Ok(())),
        (Who::Admin, ManageMember(Owner), Ok(())),
    ];
    for (who, action, expect) in cases {
        assert_eq!(
            viewer(who).group(&group(Private), action),
            expect,
            "{who:?} {action:?}"
        );
    }
    // On a public Group, a Non-User sees it but may do nothing.
    assert_eq!(
        viewer(Who::NonUser).group(&group(Public), Update),
        Err(Denied::Forbidden)
    );
    assert_eq!(
        viewer(Who::Anonymous).group(&group(Public), ReadMembers),
        Ok(())
    );
}

#[test]
fn project_permissions() {
    use ProjectAction::*;
    // (viewer, action, decision) on a private Project inside the private Group.
    let cases = [
        (Who::OrgUser, Update, Err(Denied::NotFound)),
        (Who::ProjectMember, Update, Err(Denied::NotFound)),
        (Who::Member(Guest), ReadMembers, Ok(())),
        (Who::Member(Developer), Update, Err(Denied::Forbidden)),
        (Who::Member(Developer), Share, Err(Denied::Forbidden)),
        (Who::Member(Maintainer), Update, Ok(())),
        (Who::Member(Maintainer), Share, Ok(())),
        (Who::Member(Maintainer), ManageMember(Maintainer), Ok(())),
        (
            Who::Member(Maintainer),
            ManageMember(Owner),
            Err(Denied::Forbidden),
        ),
        (Who::Member(Maintainer), Delete, Err(Denied::Forbidden)),
        (Who::Member(Maintainer), Transfer, Err(Denied::Forbidden)),
        (
            Who::Member(Maintainer),
            UpdateSensitive,
            Err(Denied::Forbidden),
        ),
        (Who::ParentMember(Owner), Delete, Ok(())),
        (Who::ParentMember(Owner), Transfer, Ok(())),
        (Who::Admin, Delete, Ok(())),
    ];
    for (who, action, expect) in cases {
        assert_eq!(
            viewer(who).project(&project(Private), action),
            expect,
            "{who:?} {action:?}"
        );
    }
}

/// The viewer in a soft-deleted Organization.
fn deleted(viewer: &Viewer) -> Viewer {
    Viewer {
        org_deleted: true,
        ..viewer.clone()
    }
}

#[test]
fn organization_permissions() {
    use OrganizationAction::*;
    let owner = Viewer {
        user: Some(UserId(7)),
        role: Some(OrganizationRole::Owner),
        ..Viewer::default()
    };
    let user = viewer(Who::OrgUser);
    let outsider = viewer(Who::NonUser);
    let admin = viewer(Who::Admin);
    let public = org(Org::Public);
    let internal = org(Org::Internal);
    let restricted = OrganizationFacts {
        group_creation_owners_only: true,
        ..public
    };
    let default = OrganizationFacts {
        is_default: true,
        ..public
    };
    // (viewer, organization, action, decision)
    let cases = [
        (&owner, public, Administer, Ok(())),
        (&owner, public, Delete, Ok(())),
        (&owner, default, Delete, Err(Denied::Forbidden)),
        (&admin, default, Delete, Err(Denied::Forbidden)),
        (&owner, public, CreateGroup, Ok(())),
        (&owner, restricted, CreateGroup, Ok(())),
        (&owner, public, TransferGroupIn, Ok(())),
        (&user, public, Administer, Err(Denied::Forbidden)),
        (&user, public, Delete, Err(Denied::Forbidden)),
        (&user, public, CreateGroup, Ok(())),
        (&user, restricted, CreateGroup, Err(Denied::Forbidden)),
        (&user, public, TransferGroupIn, Err(Denied::Forbidden)),
        (&outsider, public, CreateGroup, Err(Denied::Forbidden)),
        (&outsider, internal, Administer, Err(Denied::NotFound)),
        (&admin, internal, Administer, Ok(())),
        (&admin, public, Delete, Ok(())),
        (&owner, public, Restore, Err(Denied::Forbidden)),
        (&admin, public, Restore, Err(Denied::Forbidden)),
        // Soft-deleted: only restored, by an Owner or an admin; others do not see it.
        (&deleted(&owner), internal, Restore, Ok(())),
        (&deleted(&admin), internal, Restore, Ok(())),
        (
            &deleted(&owner),
            internal,
            Administer,
            Err(Denied::Forbidden),
        ),
        (&deleted(&owner), internal, Delete, Err(Denied::Forbidden)),
        (
            &deleted(&owner),
            internal,
            CreateGroup,
            Err(Denied::Forbidden),
        ),
        (
            &deleted(&admin),
            internal,
            CreateGroup,
            Err(Denied::Forbidden),
        ),
        (&deleted(&user), public, Restore, Err(Denied::NotFound)),
        (&deleted(&user), public, CreateGroup, Err(Denied::NotFound)),
        (&deleted(&outsider), public, Restore, Err(Denied::NotFound)),
    ];
    for (v, facts, action, expect) in cases {
        assert_eq!(
            v.organization(&facts, action),
            expect,
            "{:?} {facts:?} {action:?}",
            v.role
        );
    }
}

#[test]
fn organization_user_permissions() {
    use OrganizationUserAction::*;
    let me = UserId(7);
    let other = UserId(8);
    let owner = Viewer {
        user: Some(me),
        role: Some(OrganizationRole::Owner),
        ..Viewer::default()
    };
    let user = viewer(Who::OrgUser);
    let outsider = viewer(Who::NonUser);
    let banned = viewer(Who::Banned);
    let admin = viewer(Who::Admin);
    let public = org(Org::Public);
    let internal = org(Org::Internal);
    // (viewer, organization, subject, action, decision); one line per case.
    let cases = [
        (&owner, public, other, Add, Ok(())),
        (&owner, public, other, ChangeRole, Ok(())),
        (&owner, public, other, Remove, Ok(())),
        (&owner, public, other, Ban, Ok(())),
        (&owner, public, other, Unban, Ok(())),
        (&owner, public, me, Remove, Ok(())),
        (&admin, internal, other, ChangeRole, Ok(())),
        (&admin, internal, other, Ban, Ok(())),
        (&admin, internal, other, Remove, Ok(())),
        (&user, public, other, Add, Err(Denied::Forbidden)),
        (&user, public, other, ChangeRole, Err(Denied::Forbidden)),
        (&user, public, other, Remove, Err(Denied::Forbidden)),
        (&user, public, other, Ban, Err(Denied::Forbidden)),
        (&user, public, me, ChangeRole, Err(Denied::Forbidden)),
        (&user, public, me, Unban, Err(Denied::Forbidden)),
        // A User may leave.
        (&user, public, me, Remove, Ok(())),
        (&user, internal, me, Remove, Ok(())),
        (&outsider, public, me, Remove, Err(Denied::Forbidden)),
        (&outsider, public, other, Ban, Err(Denied::Forbidden)),
        (&outsider, internal, other, Ban, Err(Denied::NotFound)),
        // Banned: the Organization is not there for them; they cannot unban themselves.
        (&banned, public, me, Unban, Err(Denied::NotFound)),
        (&banned, public, me, Remove, Err(Denied::NotFound)),
    ];
    for (v, facts, subject, action, expect) in cases {
        assert_eq!(
            v.organization_user(&facts, subject, action),
            expect,
            "{:?} {facts:?} {subject:?} {action:?}",
            v.role
        );
    }
}

#[test]
fn namespaces() {
    let me = Some(UserId(7));
    let someone = Some(UserId(8));
    // (viewer, personal namespace owner, decision)
    let cases = [
        (Who::OrgUser, me, Ok(())),
        (Who::OrgUser, someone, Err(Denied::NotFound)),
        (Who::Anonymous, someone, Err(Denied::NotFound)),
        (Who::Anonymous, None, Err(Denied::NotFound)),
        (Who::Admin, someone, Ok(())),
    ];
    for (who, owner, expect) in cases {
        assert_eq!(
            viewer(who).personal_namespace(owner),
            expect,
            "{who:?} {owner:?}"
        );
    }
    // (viewer, reads the Group through the Namespaces API): members only.
    let cases = [
        (Who::Member(Guest), true),
        (Who::ParentMember(Reporter), true),
        (Who::ProjectMember, false),
        (Who::OrgUser, false),
        (Who::Minimal, false),
        (Who::Admin, true),
    ];
    for (who, reads) in cases {
        assert_eq!(
            viewer(who).can_read_group_namespace(&group(Public)),
            reads,
            "{who:?}"
        );
    }
}

#[test]
fn views_of_a_user() {
    let me = UserId(7);
    let them = UserId(8);
    // (caller, admin, subject, view)
    let cases = [
        (None, false, them, UserView::Basic),
        (Some(me), false, them, UserView::Public),
        (Some(me), false, me, UserView::Own),
        (Some(me), true, them, UserView::Admin),
        (Some(me), true, me, UserView::Admin),
    ];
    for (caller, admin, subject, expect) in cases {
        assert_eq!(
            user_view(caller, admin, subject),
            expect,
            "{caller:?} {admin} {subject:?}"
        );
    }
    assert!(UserView::Admin > UserView::Own && UserView::Own > UserView::Public);
}

#[test]
fn a_soft_deleted_organizations_content_is_for_admins() {
    // (viewer, reads the public Group and Project); one line per caller.
    let cases = [
        (deleted(&Viewer::anonymous()), false),
        (deleted(&viewer(Who::OrgUser)), false),
        (deleted(&viewer(Who::Member(Owner))), false),
        (deleted(&viewer(Who::Admin)), true),
        (viewer(Who::Member(Owner)), true),
    ];
    for (v, reads) in cases {
        assert_eq!(v.can_read_group(&group(Visibility::Public)), reads, "{v:?}");
        assert_eq!(
            v.can_read_project(&project(Visibility::Public)),
            reads,
            "{v:?}"
        );
        assert_eq!(v.personal_namespace(v.user).is_ok(), reads, "{v:?}");
    }
}

#[test]
fn a_soft_deleted_organizations_content_is_only_read() {
    let admin = deleted(&viewer(Who::Admin));
    let g = group(Visibility::Public);
    let p = project(Visibility::Public);
    // (action, decision) for an admin; one line per action.
    let group_cases = [
        (GroupAction::ReadMembers, Ok(())),
        (GroupAction::Update, Err(Denied::Forbidden)),
        (GroupAction::CreateSubgroup, Err(Denied::Forbidden)),
        (GroupAction::CreateProject, Err(Denied::Forbidden)),
        (GroupAction::ManageMember(Developer), Err(Denied::Forbidden)),
        (GroupAction::Share, Err(Denied::Forbidden)),
        (GroupAction::Delete, Err(Denied::Forbidden)),
    ];
    for (action, decision) in group_cases {
        assert_eq!(admin.group(&g, action), decision, "{action:?}");
    }
    let project_cases = [
        (ProjectAction::ReadMembers, Ok(())),
        (ProjectAction::Update, Err(Denied::Forbidden)),
        (
            ProjectAction::ManageMember(Developer),
            Err(Denied::Forbidden),
        ),
        (ProjectAction::Delete, Err(Denied::Forbidden)),
    ];
    for (action, decision) in project_cases {
        assert_eq!(admin.project(&p, action), decision, "{action:?}");
    }
}

#[test]
fn who_may_ask_to_join() {
    // (viewer, visibility, may ask to join the Group and the Project); one line per case.
    let cases = [
        (viewer(Who::Anonymous), Visibility::Public, false),
        (viewer(Who::NonUser), Visibility::Public, true),
        (viewer(Who::OrgUser), Visibility::Internal, true),
        (viewer(Who::NonUser), Visibility::Internal, false),
        (viewer(Who::OrgUser), Visibility::Private, false),
        (viewer(Who::Member(Guest)), Visibility::Public, false),
        (
            viewer(Who::ParentMember(Developer)),
            Visibility::Public,
            false,
        ),
        (viewer(Who::Banned), Visibility::Public, false),
        (viewer(Who::Admin), Visibility::Public, false),
    ];
    for (v, visibility, asks) in cases {
        let decision = if asks { Ok(()) } else { Err(Denied::Forbidden) };
        let expected = |readable: bool| {
            if readable {
                decision
            } else {
                Err(Denied::NotFound)
            }
        };
        let g = group(visibility);
        let p = project(visibility);
        assert_eq!(
            v.group(&g, GroupAction::RequestAccess),
            expected(v.can_read_group(&g)),
            "{v:?} {visibility:?}"
        );
        assert_eq!(
            v.project(&p, ProjectAction::RequestAccess),
            expected(v.can_read_project(&p)),
            "{v:?} {visibility:?}"
        );
    }
}
