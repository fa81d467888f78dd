//! SPEC section 4, "Who may do what": for each access level, one line per Group and Project
//! action with the expected status; the Organization table (Owner vs User); admins may do
//! everything; the last Owner of a top-level Group stays.

mod common;

use common::{TestApp, unique};
use serde_json::{Value, json};

/// Actions on a Group (where the actor is a direct Member at the level) or on a Project (where
/// the actor is a direct Project Member at the level).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    UpdateGroupName,
    /// Change the Group's path (Owner, like visibility).
    RenameGroupPath,
    ChangeGroupVisibility,
    DeleteGroup,
    CreateSubgroup,
    CreateProject,
    AddGuestMember,
    AddMaintainerMember,
    AddOwnerMember,
    /// Raise an existing guest Member to Owner.
    PromoteToOwner,
    RemoveGuestMember,
    RemoveOwnerMember,
    ShareGroup,
    /// Into a Group where the actor is Owner.
    TransferGroup,
    UpdateProject,
    /// From private to internal (Owner, as in GitLab).
    ChangeProjectVisibility,
    DeleteProject,
    ShareProject,
    /// Into a Group where the actor is Owner.
    TransferProject,
}

use Action::*;

/// The actor's level: a membership level, or `None` for an instance admin with no membership.
const GUEST: Option<i64> = Some(10);
const REPORTER: Option<i64> = Some(20);
const DEVELOPER: Option<i64> = Some(30);
const MAINTAINER: Option<i64> = Some(40);
const OWNER: Option<i64> = Some(50);
const ADMIN: Option<i64> = None;

/// (actor's level, action, expected status)
#[rustfmt::skip]
const TABLE: &[(Option<i64>, Action, u16)] = &[
    (GUEST, UpdateGroupName, 403),
    (REPORTER, UpdateGroupName, 403),
    (DEVELOPER, UpdateGroupName, 403),
    (MAINTAINER, UpdateGroupName, 200),
    (OWNER, UpdateGroupName, 200),
    (ADMIN, UpdateGroupName, 200),
    (GUEST, RenameGroupPath, 403),
    (REPORTER, RenameGroupPath, 403),
    (DEVELOPER, RenameGroupPath, 403),
    (MAINTAINER, RenameGroupPath, 403),
    (OWNER, RenameGroupPath, 200),
    (ADMIN, RenameGroupPath, 200),
    (GUEST, ChangeGroupVisibility, 403),
    (REPORTER, ChangeGroupVisibility, 403),
    (DEVELOPER, ChangeGroupVisibility, 403),
    (MAINTAINER, ChangeGroupVisibility, 403),
    (OWNER, ChangeGroupVisibility, 200),
    (ADMIN, ChangeGroupVisibility, 200),
    (GUEST, DeleteGroup, 403),
    (REPORTER, DeleteGroup, 403),
    (DEVELOPER, DeleteGroup, 403),
    (MAINTAINER, DeleteGroup, 403),
    (OWNER, DeleteGroup, 202),
    (ADMIN, DeleteGroup, 202),
    (GUEST, CreateSubgroup, 403),
    (REPORTER, CreateSubgroup, 403),
    (DEVELOPER, CreateSubgroup, 403),
    (MAINTAINER, CreateSubgroup, 201),
    (OWNER, CreateSubgroup, 201),
    (ADMIN, CreateSubgroup, 201),
    (GUEST, CreateProject, 403),
    (REPORTER, CreateProject, 403),
    (DEVELOPER, CreateProject, 201),
    (MAINTAINER, CreateProject, 201),
    (OWNER, CreateProject, 201),
    (ADMIN, CreateProject, 201),
    (GUEST, AddGuestMember, 403),
    (REPORTER, AddGuestMember, 403),
    (DEVELOPER, AddGuestMember, 403),
    (MAINTAINER, AddGuestMember, 201),
    (OWNER, AddGuestMember, 201),
    (ADMIN, AddGuestMember, 201),
    (GUEST, AddMaintainerMember, 403),
    (REPORTER, AddMaintainerMember, 403),
    (DEVELOPER, AddMaintainerMember, 403),
    (MAINTAINER, AddMaintainerMember, 201),
    (OWNER, AddMaintainerMember, 201),
    (ADMIN, AddMaintainerMember, 201),
    (GUEST, AddOwnerMember, 403),
    (REPORTER, AddOwnerMember, 403),
    (DEVELOPER, AddOwnerMember, 403),
    (MAINTAINER, AddOwnerMember, 403),
    (OWNER, AddOwnerMember, 201),
    (ADMIN, AddOwnerMember, 201),
    (GUEST, PromoteToOwner, 403),
    (REPORTER, PromoteToOwner, 403),
    (DEVELOPER, PromoteToOwner, 403),
    (MAINTAINER, PromoteToOwner, 403),
    (OWNER, PromoteToOwner, 200),
    (ADMIN, PromoteToOwner, 200),
    (GUEST, RemoveGuestMember, 403),
    (REPORTER, RemoveGuestMember, 403),
    (DEVELOPER, RemoveGuestMember, 403),
    (MAINTAINER, RemoveGuestMember, 204),
    (OWNER, RemoveGuestMember, 204),
    (ADMIN, RemoveGuestMember, 204),
    (GUEST, RemoveOwnerMember, 403),
    (REPORTER, RemoveOwnerMember, 403),
    (DEVELOPER, RemoveOwnerMember, 403),
    (MAINTAINER, RemoveOwnerMember, 403),
    (OWNER, RemoveOwnerMember, 204),
    (ADMIN, RemoveOwnerMember, 204),
    (GUEST, ShareGroup, 403),
    (REPORTER, ShareGroup, 403),
    (DEVELOPER, ShareGroup, 403),
    (MAINTAINER, ShareGroup, 403),
    (OWNER, ShareGroup, 201),
    (ADMIN, ShareGroup, 201),
    (GUEST, TransferGroup, 403),
    (REPORTER, TransferGroup, 403),
    (DEVELOPER, TransferGroup, 403),
    (MAINTAINER, TransferGroup, 403),
    (OWNER, TransferGroup, 201),
    (ADMIN, TransferGroup, 201),
    (GUEST, UpdateProject, 403),
    (REPORTER, UpdateProject, 403),
    (DEVELOPER, UpdateProject, 403),
    (MAINTAINER, UpdateProject, 200),
    (OWNER, UpdateProject, 200),
    (ADMIN, UpdateProject, 200),
    (GUEST, ChangeProjectVisibility, 403),
    (REPORTER, ChangeProjectVisibility, 403),
    (DEVELOPER, ChangeProjectVisibility, 403),
    (MAINTAINER, ChangeProjectVisibility, 403),
    (OWNER, ChangeProjectVisibility, 200),
    (ADMIN, ChangeProjectVisibility, 200),
    (GUEST, DeleteProject, 403),
    (REPORTER, DeleteProject, 403),
    (DEVELOPER, DeleteProject, 403),
    (MAINTAINER, DeleteProject, 403),
    (OWNER, DeleteProject, 202),
    (ADMIN, DeleteProject, 202),
    (GUEST, ShareProject, 403),
    (REPORTER, ShareProject, 403),
    (DEVELOPER, ShareProject, 403),
    (MAINTAINER, ShareProject, 201),
    (OWNER, ShareProject, 201),
    (ADMIN, ShareProject, 201),
    (GUEST, TransferProject, 403),
    (REPORTER, TransferProject, 403),
    (DEVELOPER, TransferProject, 403),
    (MAINTAINER, TransferProject, 403),
    (OWNER, TransferProject, 200),
    (ADMIN, TransferProject, 200),
];

fn method(name: &str) -> reqwest::Method {
    reqwest::Method::from_bytes(name.as_bytes()).expect("method")
}

/// A top-level Group created (and so owned) by the User of `token`.
async fn created_group(app: &TestApp, token: &str, visibility: &str) -> i64 {
    let path = unique("g");
    app.post(
        Some(token),
        "/groups",
        json!({"name": path, "path": path, "visibility": visibility}),
    )
    .await
    .expect(201)
    .id()
}

async fn group_and_project_actions(app: &TestApp) {
    for (n, &(level, action, status)) in TABLE.iter().enumerate() {
        let case = format!(
            "case {n}: {} does {action:?}",
            level.map_or("admin".to_owned(), |l| format!("level {l}"))
        );
        // A private top-level Group with a private Project; the actor is a direct Member of the
        // Group (Group actions) or of the Project only (Project actions). Another User creates
        // them (and so owns them), so the admin acts with no membership at all.
        let creator = app.user("creator").await.1;
        let group = created_group(app, &creator, "private").await;
        let project_group = created_group(app, &creator, "internal").await;
        let project = app
            .post(
                Some(&creator),
                "/projects",
                json!({"name": unique("p"), "namespace_id": project_group, "visibility": "private"}),
            )
            .await
            .expect(201)
            .id();
        // Visible to every User of the Default Organization, for shares.
        let (invited, _) = app.group(None, "internal", None).await;
        // Where the actor may create subgroups and Projects, for transfers.
        let target = created_group(app, &creator, "private").await;
        if level.is_none() {
            for path in [
                format!("/groups/{group}/members/all/1"),
                format!("/projects/{project}/members/all/1"),
                format!("/groups/{target}/members/all/1"),
            ] {
                app.get(app.admin(), &path).await.expect(404);
            }
        }
        let (newcomer, _) = app.user("newcomer").await;
        match action {
            PromoteToOwner | RemoveGuestMember => {
                app.add_member("groups", group, newcomer, 10).await;
            }
            RemoveOwnerMember => app.add_member("groups", group, newcomer, 50).await,
            _ => {}
        }
        let token = match level {
            None => common::ADMIN_TOKEN.to_owned(),
            Some(level) => {
                let (user, token) = app.user("actor").await;
                let project_action = matches!(
                    action,
                    UpdateProject
                        | ChangeProjectVisibility
                        | DeleteProject
                        | ShareProject
                        | TransferProject
                );
                if project_action {
                    app.add_member("projects", project, user, level).await;
                } else {
                    app.add_member("groups", group, user, level).await;
                }
                app.add_member("groups", target, user, 50).await;
                token
            }
        };
        let (verb, path, body): (&str, String, Value) = match action {
            UpdateGroupName => (
                "PUT",
                format!("/groups/{group}"),
                json!({"name": "renamed"}),
            ),
            RenameGroupPath => (
                "PUT",
                format!("/groups/{group}"),
                json!({"path": unique("moved")}),
            ),
            ChangeGroupVisibility => (
                "PUT",
                format!("/groups/{group}"),
                json!({"visibility": "internal"}),
            ),
            DeleteGroup => ("DELETE", format!("/groups/{group}"), Value::Null),
            CreateSubgroup => {
                let path = unique("sub");
                (
                    "POST",
                    "/groups".to_owned(),
                    json!({"name": path, "path": path, "parent_id": group}),
                )
            }
            CreateProject => (
                "POST",
                "/projects".to_owned(),
                json!({"name": unique("p"), "namespace_id": group}),
            ),
            AddGuestMember => (
                "POST",
                format!("/groups/{group}/members"),
                json!({"user_id": newcomer, "access_level": 10}),
            ),
            AddMaintainerMember => (
                "POST",
                format!("/groups/{group}/members"),
                json!({"user_id": newcomer, "access_level": 40}),
            ),
            AddOwnerMember => (
                "POST",
                format!("/groups/{group}/members"),
                json!({"user_id": newcomer, "access_level": 50}),
            ),
            PromoteToOwner => (
                "PUT",
                format!("/groups/{group}/members/{newcomer}"),
                json!({"access_level": 50}),
            ),
            RemoveGuestMember | RemoveOwnerMember => (
                "DELETE",
                format!("/groups/{group}/members/{newcomer}"),
                Value::Null,
            ),
            ShareGroup => (
                "POST",
                format!("/groups/{group}/share"),
                json!({"group_id": invited, "group_access": 10}),
            ),
            TransferGroup => (
                "POST",
                format!("/groups/{group}/transfer"),
                json!({"group_id": target}),
            ),
            UpdateProject => (
                "PUT",
                format!("/projects/{project}"),
                json!({"name": "renamed"}),
            ),
            ChangeProjectVisibility => (
                "PUT",
                format!("/projects/{project}"),
                json!({"visibility": "internal"}),
            ),
            DeleteProject => ("DELETE", format!("/projects/{project}"), Value::Null),
            ShareProject => (
                "POST",
                format!("/projects/{project}/share"),
                json!({"group_id": invited, "group_access": 10}),
            ),
            TransferProject => (
                "PUT",
                format!("/projects/{project}/transfer"),
                json!({"namespace": target}),
            ),
        };
        let before_group = app
            .get(app.admin(), &format!("/groups/{group}"))
            .await
            .expect(200)
            .body;
        let before_project = app
            .get(app.admin(), &format!("/projects/{project}"))
            .await
            .expect(200)
            .body;
        let before_members = app
            .get(app.admin(), &format!("/groups/{group}/members"))
            .await
            .expect(200)
            .body;
        let before_group_projects = app
            .get(app.admin(), &format!("/groups/{group}/projects"))
            .await
            .expect(200)
            .body;
        let body_sent = body.clone();
        let body = (!body.is_null()).then_some(body);
        let got = app.request(Some(&token), method(verb), &path, body).await;
        assert_eq!(got.status, status, "{case}: {verb} {path}: {}", got.body);
        if status == 403 {
            // Refused: nothing changed.
            let after =
                |path: String| async move { app.get(app.admin(), &path).await.expect(200).body };
            assert_eq!(
                after(format!("/groups/{group}")).await,
                before_group,
                "{case}: group changed"
            );
            assert_eq!(
                after(format!("/projects/{project}")).await,
                before_project,
                "{case}: project changed"
            );
            assert_eq!(
                after(format!("/groups/{group}/members")).await,
                before_members,
                "{case}: members changed"
            );
            assert_eq!(
                after(format!("/groups/{group}/projects")).await,
                before_group_projects,
                "{case}: group projects changed"
            );
        } else {
            // Allowed: the effect is there.
            let effect = match action {
                UpdateGroupName => {
                    app.get(app.admin(), &format!("/groups/{group}")).await.body["name"]
                        == json!("renamed")
                }
                RenameGroupPath => {
                    let now = app.get(app.admin(), &format!("/groups/{group}")).await;
                    now.body["path"] != before_group["path"]
                        && body_sent["path"] == now.body["path"]
                        && now.body["full_path"] == now.body["path"]
                }
                ChangeGroupVisibility => {
                    app.get(app.admin(), &format!("/groups/{group}")).await.body["visibility"]
                        == json!("internal")
                }
                DeleteGroup => {
                    app.get(app.admin(), &format!("/groups/{group}"))
                        .await
                        .status
                        == 404
                }
                DeleteProject => {
                    app.get(app.admin(), &format!("/projects/{project}"))
                        .await
                        .status
                        == 404
                }
                AddGuestMember | AddMaintainerMember | AddOwnerMember | PromoteToOwner => {
                    let wanted = match action {
                        AddGuestMember => 10,
                        AddMaintainerMember => 40,
                        _ => 50,
                    };
                    app.get(app.admin(), &format!("/groups/{group}/members/{newcomer}"))
                        .await
                        .body["access_level"]
                        == json!(wanted)
                }
                RemoveGuestMember | RemoveOwnerMember => {
                    app.get(app.admin(), &format!("/groups/{group}/members/{newcomer}"))
                        .await
                        .status
                        == 404
                }
                ChangeProjectVisibility => {
                    app.get(app.admin(), &format!("/projects/{project}"))
                        .await
                        .body["visibility"]
                        == json!("internal")
                }
                ShareGroup => {
                    app.get(app.admin(), &format!("/groups/{group}")).await.body["shared_with_groups"]
                        [0]["group_id"]
                        == json!(invited)
                }
                TransferGroup => {
                    app.get(app.admin(), &format!("/groups/{group}")).await.body["parent_id"]
                        == json!(target)
                }
                UpdateProject => {
                    app.get(app.admin(), &format!("/projects/{project}"))
                        .await
                        .body["name"]
                        == json!("renamed")
                }
                ShareProject => {
                    app.get(app.admin(), &format!("/projects/{project}"))
                        .await
                        .body["shared_with_groups"][0]["group_id"]
                        == json!(invited)
                }
                TransferProject => {
                    app.get(app.admin(), &format!("/projects/{project}"))
                        .await
                        .body["namespace"]["id"]
                        == json!(target)
                }
                CreateSubgroup => {
                    let id = got.id();
                    let stored = app.get(app.admin(), &format!("/groups/{id}")).await;
                    let listed = app
                        .get(
                            app.admin(),
                            &format!("/groups/{group}/subgroups?per_page=100"),
                        )
                        .await
                        .expect(200);
                    stored.status == 200
                        && stored.body["parent_id"] == json!(group)
                        && listed
                            .body
                            .as_array()
                            .is_some_and(|rows| rows.iter().any(|g| g["id"] == json!(id)))
                }
                CreateProject => {
                    let id = got.id();
                    let stored = app.get(app.admin(), &format!("/projects/{id}")).await;
                    let listed = app
                        .get(
                            app.admin(),
                            &format!("/groups/{group}/projects?per_page=100"),
                        )
                        .await
                        .expect(200);
                    stored.status == 200
                        && stored.body["namespace"]["id"] == json!(group)
                        && listed
                            .body
                            .as_array()
                            .is_some_and(|rows| rows.iter().any(|p| p["id"] == json!(id)))
                }
            };
            assert!(
                effect,
                "{case}: answered {status} but the effect is missing"
            );
        }
    }
}

/// Transferring a Group needs Owner on it and the right to create subgroups in the target.
async fn group_transfer_needs_target_rights(app: &TestApp) {
    // (level on the target Group (None: no membership, target private), expected status)
    #[rustfmt::skip]
    let cases: &[(Option<i64>, u16)] = &[
        (None, 404),
        (Some(10), 403),
        (Some(20), 403),
        (Some(30), 403),
        (Some(40), 201),
        (Some(50), 201),
    ];
    for (target_level, status) in cases {
        let case = format!("owner of the group, level {target_level:?} on the target");
        let (group, group_path) = app.group(None, "private", None).await;
        let (target, _) = app.group(None, "private", None).await;
        let (user, token) = app.user("mover").await;
        app.add_member("groups", group, user, 50).await;
        if let Some(level) = target_level {
            app.add_member("groups", target, user, *level).await;
        }
        let before = app
            .get(app.admin(), &format!("/groups/{group}"))
            .await
            .expect(200)
            .body;
        let got = app
            .post(
                Some(&token),
                &format!("/groups/{group}/transfer"),
                json!({"group_id": target}),
            )
            .await;
        assert_eq!(got.status, *status, "{case}: {}", got.body);
        let now = app
            .get(app.admin(), &format!("/groups/{group}"))
            .await
            .expect(200)
            .body;
        if *status == 201 {
            let target_path = app
                .get(app.admin(), &format!("/groups/{target}"))
                .await
                .expect(200)
                .body["full_path"]
                .as_str()
                .expect("full_path")
                .to_owned();
            assert_eq!(now["parent_id"], json!(target), "{case}: not moved");
            assert_eq!(
                now["full_path"],
                json!(format!("{target_path}/{group_path}")),
                "{case}: not moved"
            );
            let listed = app
                .get(app.admin(), &format!("/groups/{target}/subgroups"))
                .await
                .expect(200);
            assert!(
                listed
                    .body
                    .as_array()
                    .is_some_and(|rows| rows.iter().any(|g| g["id"] == json!(group))),
                "{case}: not listed under the target: {}",
                listed.body
            );
        } else {
            assert_eq!(now, before, "{case}: changed anyway");
            let listed = app
                .get(app.admin(), &format!("/groups/{target}/subgroups"))
                .await
                .expect(200);
            assert_eq!(listed.body, json!([]), "{case}: moved anyway");
        }
    }
}

/// Transferring a Project needs Owner on it and at least Maintainer on the target Group
/// (GitLab: "You must have at least the Maintainer role for the group you are transferring
/// to"; a Developer being able to was GitLab security issue #28426).
async fn project_transfer_needs_target_rights(app: &TestApp) {
    // (level on the target Group (None: no membership, target private), expected status)
    #[rustfmt::skip]
    let cases: &[(Option<i64>, u16)] = &[
        (None, 404),
        (Some(10), 403),
        (Some(20), 403),
        // GitLab: transferring a Project in needs Maintainer of the target, not only the
        // Developer level that may create Projects there.
        (Some(30), 403),
        (Some(40), 200),
        (Some(50), 200),
    ];
    for (target_level, status) in cases {
        let case = format!("owner of the project, level {target_level:?} on the target");
        let (group, _) = app.group(None, "private", None).await;
        let (project, project_path) = app.project(group, "private").await;
        let (target, _) = app.group(None, "private", None).await;
        let (user, token) = app.user("mover").await;
        app.add_member("projects", project, user, 50).await;
        if let Some(level) = target_level {
            app.add_member("groups", target, user, *level).await;
        }
        let before = app
            .get(app.admin(), &format!("/projects/{project}"))
            .await
            .expect(200)
            .body;
        let got = app
            .put(
                Some(&token),
                &format!("/projects/{project}/transfer"),
                json!({"namespace": target}),
            )
            .await;
        assert_eq!(got.status, *status, "{case}: {}", got.body);
        let now = app
            .get(app.admin(), &format!("/projects/{project}"))
            .await
            .expect(200)
            .body;
        let in_target = app
            .get(app.admin(), &format!("/groups/{target}/projects"))
            .await
            .expect(200)
            .body;
        if *status == 200 {
            assert_eq!(now["namespace"]["id"], json!(target), "{case}: not moved");
            assert!(
                in_target
                    .as_array()
                    .is_some_and(|rows| rows.iter().any(|p| p["id"] == json!(project))),
                "{case}: not listed in the target: {in_target}"
            );
        } else {
            assert_eq!(now, before, "{case}: changed anyway");
            assert_eq!(
                now["path_with_namespace"],
                json!(project_path),
                "{case}: moved anyway"
            );
            assert_eq!(in_target, json!([]), "{case}: moved anyway");
        }
    }
}

/// Who the actor is with respect to the Organization under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OrgActor {
    /// An instance admin (who also created the Organization and so is its Owner).
    Admin,
    /// A User of the Organization (Member of one of its Groups).
    OrgUser,
    /// Signed in, not a User of the Organization.
    Outsider,
}

async fn organization_actions(app: &TestApp) {
    use OrgActor::*;
    // (Organization visibility (or "default" for the Default Organization), actor, method,
    // path, body, expected status). `{org}` is the Organization's id.
    #[rustfmt::skip]
    let cases: &[(&str, OrgActor, &str, &str, Value, u16)] = &[
        ("public", Admin, "PUT", "/organizations/{org}", json!({"description": "changed"}), 200),
        ("public", OrgUser, "PUT", "/organizations/{org}", json!({"description": "changed"}), 403),
        ("public", Outsider, "PUT", "/organizations/{org}", json!({"description": "changed"}), 403),
        ("internal", Outsider, "PUT", "/organizations/{org}", json!({"description": "changed"}), 404),
        ("default", Admin, "PUT", "/organizations/{org}", json!({"description": "changed"}), 200),
        ("default", OrgUser, "PUT", "/organizations/{org}", json!({"description": "changed"}), 403),
        ("public", Admin, "DELETE", "/organizations/{org}", Value::Null, 202),
        ("public", OrgUser, "DELETE", "/organizations/{org}", Value::Null, 403),
        ("public", Outsider, "DELETE", "/organizations/{org}", Value::Null, 403),
        ("internal", OrgUser, "DELETE", "/organizations/{org}", Value::Null, 403),
        ("internal", Outsider, "DELETE", "/organizations/{org}", Value::Null, 404),
        ("default", Admin, "DELETE", "/organizations/{org}", Value::Null, 400),
        ("public", Admin, "POST", "/groups", json!({"organization_id": "{org}"}), 201),
        ("public", OrgUser, "POST", "/groups", json!({"organization_id": "{org}"}), 201),
        ("internal", OrgUser, "POST", "/groups", json!({"organization_id": "{org}"}), 201),
        ("default", OrgUser, "POST", "/groups", json!({}), 201),
        ("public", Outsider, "POST", "/groups", json!({"organization_id": "{org}"}), 403),
        ("internal", Outsider, "POST", "/groups", json!({"organization_id": "{org}"}), 404),
    ];
    for (n, (visibility, actor, verb, path, body, status)) in cases.iter().enumerate() {
        let case = format!("case {n}: {actor:?} {verb} {path} on a {visibility} organization");
        let org = match *visibility {
            "default" => 1,
            other => app.organization(other).await,
        };
        let token = match actor {
            Admin => common::ADMIN_TOKEN.to_owned(),
            OrgUser | Outsider => {
                let (user, token) = app.user("orgactor").await;
                if *actor == OrgUser {
                    let (group, _) = app.group(None, "private", Some(org)).await;
                    app.add_member("groups", group, user, 10).await;
                }
                token
            }
        };
        let path = path.replace("{org}", &org.to_string());
        let mut body = body.clone();
        if let Some(map) = body.as_object_mut() {
            if map.contains_key("organization_id") {
                map.insert("organization_id".into(), json!(org));
            }
            if *verb == "POST" {
                let group_path = unique("top");
                map.insert("name".into(), json!(group_path));
                map.insert("path".into(), json!(group_path));
                map.insert("visibility".into(), json!("private"));
            }
        }
        let before = app
            .get(app.admin(), &format!("/organizations/{org}"))
            .await
            .expect(200)
            .body;
        let body = (!body.is_null()).then_some(body);
        let got = app.request(Some(&token), method(verb), &path, body).await;
        assert_eq!(got.status, *status, "{case}: {}", got.body);
        let after = app.get(app.admin(), &format!("/organizations/{org}")).await;
        match (*verb, *status) {
            ("DELETE", 202) => assert_eq!(
                after.body["state"],
                json!("soft_deleted"),
                "{case}: not marked deleted"
            ),
            ("PUT", 200) => assert_eq!(
                after.body["description"],
                json!("changed"),
                "{case}: not changed"
            ),
            ("POST", 201) => {
                let id = got.id();
                let stored = app
                    .get(app.admin(), &format!("/groups/{id}"))
                    .await
                    .expect(200);
                assert_eq!(
                    stored.body["organization_id"],
                    json!(org),
                    "{case}: created in the wrong organization"
                );
                let listed = app
                    .get(
                        app.admin(),
                        &format!("/organizations/{org}/groups?per_page=100"),
                    )
                    .await
                    .expect(200);
                assert!(
                    listed
                        .body
                        .as_array()
                        .is_some_and(|rows| rows.iter().any(|g| g["id"] == json!(id))),
                    "{case}: not in the organization's Groups: {}",
                    listed.body
                );
                assert_eq!(
                    after.expect(200).body,
                    before,
                    "{case}: organization changed"
                );
            }
            _ => assert_eq!(after.expect(200).body, before, "{case}: changed anyway"),
        }
    }
}

/// The last Owner of a top-level Group cannot be removed or demoted, by themself or anyone.
async fn last_owner_stays(app: &TestApp) {
    // (case, actor ("self" or "admin"), method, body, second owner present, expected status)
    #[rustfmt::skip]
    let cases: &[(&str, &str, &str, Value, bool, u16)] = &[
        ("owner leaves", "self", "DELETE", Value::Null, false, 403),
        ("owner demotes self", "self", "PUT", json!({"access_level": 40}), false, 403),
        ("admin removes the owner", "admin", "DELETE", Value::Null, false, 403),
        ("admin demotes the owner", "admin", "PUT", json!({"access_level": 30}), false, 403),
        ("owner leaves, another owner stays", "self", "DELETE", Value::Null, true, 204),
        ("owner demoted, another owner stays", "admin", "PUT", json!({"access_level": 40}), true, 200),
    ];
    for (case, actor, verb, body, second_owner, status) in cases {
        let (user, token) = app.user("owner").await;
        let path = unique("solo");
        let group = app
            .post(
                Some(&token),
                "/groups",
                json!({"name": path, "path": path, "visibility": "private"}),
            )
            .await
            .expect(201)
            .id();
        let members = app
            .get(app.admin(), &format!("/groups/{group}/members"))
            .await
            .expect(200);
        assert_eq!(
            members.body.as_array().map(Vec::len),
            Some(1),
            "{case}: the creator is the one Owner: {}",
            members.body
        );
        if *second_owner {
            let (other, _) = app.user("coowner").await;
            app.add_member("groups", group, other, 50).await;
        }
        let token = if *actor == "admin" {
            common::ADMIN_TOKEN.to_owned()
        } else {
            token
        };
        let body = (!body.is_null()).then(|| body.clone());
        let members_before = app
            .get(app.admin(), &format!("/groups/{group}/members"))
            .await
            .expect(200)
            .body;
        let got = app
            .request(
                Some(&token),
                method(verb),
                &format!("/groups/{group}/members/{user}"),
                body.clone(),
            )
            .await;
        assert_eq!(got.status, *status, "{case}: {}", got.body);
        let member = app
            .get(app.admin(), &format!("/groups/{group}/members/{user}"))
            .await;
        let members_after = app
            .get(app.admin(), &format!("/groups/{group}/members"))
            .await
            .expect(200)
            .body;
        match status {
            403 => {
                assert_eq!(
                    member.expect(200).body["access_level"],
                    json!(50),
                    "{case}: the last Owner must stay Owner"
                );
                assert_eq!(members_after, members_before, "{case}: members changed");
            }
            204 => {
                assert_eq!(member.status, 404, "{case}: still a Member");
                assert_eq!(
                    members_after.as_array().map(Vec::len),
                    members_before.as_array().map(|m| m.len() - 1),
                    "{case}: exactly one Member left"
                );
            }
            _ => {
                let wanted = body.as_ref().map(|b| b["access_level"].clone());
                assert_eq!(
                    Some(member.expect(200).body["access_level"].clone()),
                    wanted,
                    "{case}: the new level"
                );
            }
        }
    }
}

both!(
    group_and_project_actions,
    group_transfer_needs_target_rights,
    project_transfer_needs_target_rights,
    organization_actions,
    last_owner_stays,
);
