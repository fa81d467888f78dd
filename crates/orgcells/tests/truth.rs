//! Code that had no test: redirect routes after a rename or a transfer (SPEC section 8), the
//! deletion of a User (section 5: the Ghost User, the sole Owner's 409, `hard_delete`), the
//! Organization table of section 4 for an Organization Owner who is no admin, and a username
//! refused because a Group holds that path.

mod common;

use common::{TestApp, unique};
use serde_json::{Value, json};

fn encode(path: &str) -> String {
    path.replace('/', "%2F")
}

fn ids(list: &Value) -> Vec<i64> {
    let mut ids: Vec<i64> = list
        .as_array()
        .unwrap_or_else(|| panic!("a list: {list}"))
        .iter()
        .map(|row| row["id"].as_i64().expect("id"))
        .collect();
    ids.sort_unstable();
    ids
}

/// A renamed or moved Group or Project keeps answering at its old path.
async fn old_paths_still_resolve(app: &TestApp) {
    let (top, top_path) = app.group(None, "private", None).await;
    let (sub, sub_path) = app.group(Some(top), "private", None).await;
    let (project, project_path) = app.project(sub, "private").await;
    let (target, target_path) = app.group(None, "private", None).await;
    let resolves = |kind: &'static str, path: String, id: i64, now: String| async move {
        let got = app
            .get(app.admin(), &format!("/{kind}/{}", encode(&path)))
            .await;
        assert_eq!(got.status, 200, "GET /{kind}/{path}: {}", got.body);
        assert_eq!(got.id(), id, "GET /{kind}/{path}");
        let field = if kind == "groups" {
            "full_path"
        } else {
            "path_with_namespace"
        };
        assert_eq!(got.body[field], json!(now), "GET /{kind}/{path}");
    };

    // The top-level Group renamed: it, its subgroup and its Project answer at the old paths.
    let renamed = unique("renamed");
    let got = app
        .put(
            app.admin(),
            &format!("/groups/{top}"),
            json!({"path": renamed}),
        )
        .await
        .expect(200);
    assert_eq!(got.body["full_path"], json!(renamed));
    let sub_now = sub_path.replacen(&top_path, &renamed, 1);
    let project_now = project_path.replacen(&top_path, &renamed, 1);
    resolves("groups", top_path.clone(), top, renamed.clone()).await;
    resolves("groups", renamed.clone(), top, renamed.clone()).await;
    resolves("groups", sub_path.clone(), sub, sub_now.clone()).await;
    resolves(
        "projects",
        project_path.clone(),
        project,
        project_now.clone(),
    )
    .await;
    resolves(
        "projects",
        project_now.clone(),
        project,
        project_now.clone(),
    )
    .await;

    // The subgroup transferred: its two old paths answer, and its Project's.
    app.post(
        app.admin(),
        &format!("/groups/{sub}/transfer"),
        json!({"group_id": target}),
    )
    .await
    .expect(201);
    let sub_moved = format!(
        "{target_path}/{}",
        sub_path.rsplit('/').next().expect("path")
    );
    let project_moved = format!(
        "{sub_moved}/{}",
        project_path.rsplit('/').next().expect("path")
    );
    resolves("groups", sub_moved.clone(), sub, sub_moved.clone()).await;
    resolves("groups", sub_now.clone(), sub, sub_moved.clone()).await;
    resolves("groups", sub_path.clone(), sub, sub_moved.clone()).await;
    resolves(
        "projects",
        project_now.clone(),
        project,
        project_moved.clone(),
    )
    .await;
    resolves(
        "projects",
        project_path.clone(),
        project,
        project_moved.clone(),
    )
    .await;

    // The Project renamed, then transferred.
    let project_renamed = format!("{sub_moved}/{}", unique("pr"));
    let got = app
        .put(
            app.admin(),
            &format!("/projects/{project}"),
            json!({"path": project_renamed.rsplit('/').next()}),
        )
        .await
        .expect(200);
    assert_eq!(got.body["path_with_namespace"], json!(project_renamed));
    resolves(
        "projects",
        project_moved.clone(),
        project,
        project_renamed.clone(),
    )
    .await;
    app.put(
        app.admin(),
        &format!("/projects/{project}/transfer"),
        json!({"namespace": top}),
    )
    .await
    .expect(200);
    let project_last = format!(
        "{renamed}/{}",
        project_renamed.rsplit('/').next().expect("path")
    );
    resolves(
        "projects",
        project_renamed.clone(),
        project,
        project_last.clone(),
    )
    .await;
    resolves(
        "projects",
        project_moved.clone(),
        project,
        project_last.clone(),
    )
    .await;

    // A redirect gives way to a new Group that takes the old path (as GitLab's does).
    let taken = app
        .post(
            app.admin(),
            "/groups",
            json!({"name": top_path, "path": top_path}),
        )
        .await
        .expect(201)
        .id();
    resolves("groups", top_path.clone(), taken, top_path.clone()).await;
    resolves("groups", renamed.clone(), top, renamed.clone()).await;
    // ... and so do the redirects below it (GitLab deletes the redirect routes matching the new
    // path and its descendants): the old paths under it name nothing in the new Group.
    for (kind, path) in [("groups", &sub_path), ("projects", &project_path)] {
        let got = app
            .get(app.admin(), &format!("/{kind}/{}", encode(path)))
            .await;
        assert_eq!(
            got.status, 404,
            "GET /{kind}/{path} under the new Group: {}",
            got.body
        );
    }
    // Old paths under other prefixes still resolve.
    resolves("groups", sub_now.clone(), sub, sub_moved.clone()).await;
    resolves(
        "projects",
        project_now.clone(),
        project,
        project_last.clone(),
    )
    .await;
}

/// A User whose username is a renamed Group's old path takes that route over: the redirects at
/// it and below it go, as they do for a new Group.
async fn username_takes_over_old_paths(app: &TestApp) {
    let (group, old_path) = app.group(None, "public", None).await;
    let (project, project_path) = app.project(group, "public").await;
    let renamed = unique("renamed");
    app.put(
        app.admin(),
        &format!("/groups/{group}"),
        json!({"path": renamed}),
    )
    .await
    .expect(200);
    app.get(app.admin(), &format!("/groups/{old_path}"))
        .await
        .expect(200);
    app.get(app.admin(), &format!("/projects/{}", encode(&project_path)))
        .await
        .expect(200);
    let user = app
        .post(
            app.admin(),
            "/users",
            json!({"username": old_path, "email": format!("{old_path}@example.com"), "name": "Newcomer", "force_random_password": true}),
        )
        .await
        .expect(201)
        .id();
    let namespace = app
        .get(app.admin(), &format!("/namespaces/{old_path}"))
        .await
        .expect(200);
    assert_eq!(namespace.body["kind"], json!("user"));
    assert_eq!(namespace.body["full_path"], json!(old_path));
    for (kind, path) in [("groups", &old_path), ("projects", &project_path)] {
        let got = app
            .get(app.admin(), &format!("/{kind}/{}", encode(path)))
            .await;
        assert_eq!(
            got.status, 404,
            "GET /{kind}/{path} now inside the User's namespace: {}",
            got.body
        );
    }
    // The Group and its Project answer at their new paths.
    let moved = format!(
        "{renamed}/{}",
        project_path.rsplit('/').next().expect("path")
    );
    assert_eq!(
        app.get(app.admin(), &format!("/projects/{}", encode(&moved)))
            .await
            .expect(200)
            .id(),
        project
    );
    // Renaming a User onto an old path takes it over the same way.
    let (other, other_path) = app.group(None, "public", None).await;
    app.put(
        app.admin(),
        &format!("/groups/{other}"),
        json!({"path": unique("renamed")}),
    )
    .await
    .expect(200);
    app.get(app.admin(), &format!("/groups/{other_path}"))
        .await
        .expect(200);
    app.put(
        app.admin(),
        &format!("/users/{user}"),
        json!({"username": other_path}),
    )
    .await
    .expect(200);
    app.get(app.admin(), &format!("/groups/{other_path}"))
        .await
        .expect(404);
}

/// Rows of the Cell's tables that name a User who does not exist: authors, Members, owners of
/// namespaces, tokens, Organization Users and claims.
async fn rows_pointing_to_missing_users(app: &TestApp) -> i64 {
    let mut conn = app.db().read().await.expect("a connection");
    let checks = [
        "SELECT COUNT(*) FROM projects WHERE creator_id IS NOT NULL AND creator_id NOT IN (SELECT id FROM users)",
        "SELECT COUNT(*) FROM members WHERE user_id NOT IN (SELECT id FROM users)",
        "SELECT COUNT(*) FROM members WHERE created_by_id IS NOT NULL AND created_by_id NOT IN (SELECT id FROM users)",
        "SELECT COUNT(*) FROM namespaces WHERE owner_id IS NOT NULL AND owner_id NOT IN (SELECT id FROM users)",
        "SELECT COUNT(*) FROM personal_access_tokens WHERE user_id NOT IN (SELECT id FROM users)",
        "SELECT COUNT(*) FROM organization_users WHERE user_id NOT IN (SELECT id FROM users)",
        "SELECT COUNT(*) FROM claims WHERE owner_type = 'user' AND owner_id NOT IN (SELECT id FROM users)",
    ];
    let mut total = 0;
    for check in checks {
        let count: i64 = sqlx::query_scalar(check)
            .fetch_one(&mut *conn)
            .await
            .unwrap_or_else(|e| panic!("{check}: {e}"));
        assert_eq!(count, 0, "{check}");
        total += count;
    }
    total
}

/// `DELETE /users/:id`: what the User authored goes to the Ghost User, their memberships and
/// personal namespace go, and nothing points to them afterwards.
async fn deleted_user_goes_to_the_ghost(app: &TestApp) {
    let (group, _) = app.group(None, "private", None).await;
    let (user, token) = app.user("leaver").await;
    let (other, _) = app.user("stays").await;
    app.add_member("groups", group, user, 40).await;
    let username = app
        .get(app.admin(), &format!("/users/{user}"))
        .await
        .expect(200)
        .body["username"]
        .as_str()
        .expect("username")
        .to_owned();
    // Authored: a Project in the Group, a membership granted, a Project of their own.
    let project = app
        .post(
            Some(&token),
            "/projects",
            json!({"name": unique("authored"), "namespace_id": group}),
        )
        .await
        .expect(201)
        .id();
    assert_eq!(
        app.get(app.admin(), &format!("/projects/{project}"))
            .await
            .expect(200)
            .body["creator_id"],
        json!(user)
    );
    app.post(
        Some(&token),
        &format!("/groups/{group}/members"),
        json!({"user_id": other, "access_level": 30}),
    )
    .await
    .expect(201);
    assert_eq!(
        app.get(app.admin(), &format!("/groups/{group}/members/{other}"))
            .await
            .expect(200)
            .body["created_by"]["id"],
        json!(user)
    );
    let own = app
        .post(Some(&token), "/projects", json!({"name": unique("own")}))
        .await
        .expect(201)
        .id();
    app.get(app.admin(), &format!("/namespaces/{username}"))
        .await
        .expect(200);

    app.delete(app.admin(), &format!("/users/{user}"))
        .await
        .expect(204);

    // Gone: the account, its token, its memberships, its personal namespace and Project.
    app.get(app.admin(), &format!("/users/{user}"))
        .await
        .expect(404);
    app.get(Some(&token), "/user").await.expect(401);
    app.get(app.admin(), &format!("/groups/{group}/members/{user}"))
        .await
        .expect(404);
    app.get(app.admin(), &format!("/groups/{group}/members/all/{user}"))
        .await
        .expect(404);
    app.get(app.admin(), &format!("/namespaces/{username}"))
        .await
        .expect(404);
    app.get(app.admin(), &format!("/projects/{own}"))
        .await
        .expect(404);
    let org_users = app
        .get(app.admin(), "/organizations/1/users?per_page=100")
        .await
        .expect(200);
    assert!(
        !ids(&org_users.body).contains(&user),
        "still an Organization User: {}",
        org_users.body
    );
    let listed = app
        .get(app.admin(), &format!("/users?username={username}"))
        .await
        .expect(200);
    assert_eq!(listed.body, json!([]), "still listed");
    // Authored things stay, handed to the Ghost User.
    let stored = app
        .get(app.admin(), &format!("/projects/{project}"))
        .await
        .expect(200);
    assert_eq!(stored.body["creator_id"], json!(2), "the Ghost User's now");
    let member = app
        .get(app.admin(), &format!("/groups/{group}/members/{other}"))
        .await
        .expect(200);
    assert_eq!(member.body["access_level"], json!(30));
    assert_eq!(member.body["created_by"]["id"], json!(2), "{}", member.body);
    assert_eq!(member.body["created_by"]["username"], json!("ghost"));
    // No row anywhere points to the deleted User (SPEC section 5), read in the database itself.
    assert_eq!(rows_pointing_to_missing_users(app).await, 0);
    // Its username and email are free again.
    app.post(
        app.admin(),
        "/users",
        json!({"username": username, "email": format!("{username}@example.com"), "name": username, "force_random_password": true}),
    )
    .await
    .expect(201);
}

/// The sole Owner of a Group cannot be deleted (409, nothing changes) unless `hard_delete`,
/// which deletes the Groups they solely own with everything in them.
async fn sole_owner_deletion(app: &TestApp) {
    let (user, token) = app.user("sole").await;
    let path = unique("solo");
    let owned = app
        .post(
            Some(&token),
            "/groups",
            json!({"name": path, "path": path, "visibility": "private"}),
        )
        .await
        .expect(201)
        .id();
    let sub_path = unique("solosub");
    let sub = app
        .post(
            Some(&token),
            "/groups",
            json!({"name": sub_path, "path": sub_path, "parent_id": owned}),
        )
        .await
        .expect(201)
        .id();
    let project = app
        .post(
            Some(&token),
            "/projects",
            json!({"name": unique("solop"), "namespace_id": sub}),
        )
        .await
        .expect(201)
        .id();
    // A Group they own with another Owner (the admin, its creator) is not solely theirs.
    let (shared, _) = app.group(None, "private", None).await;
    app.add_member("groups", shared, user, 50).await;

    let snapshot = || async {
        let mut out = Vec::new();
        for path in [
            format!("/users/{user}"),
            format!("/groups/{owned}"),
            format!("/groups/{owned}/members"),
            format!("/groups/{sub}"),
            format!("/projects/{project}"),
            format!("/groups/{shared}/members"),
            format!("/users/{user}/memberships"),
        ] {
            out.push(app.get(app.admin(), &path).await.expect(200).body);
        }
        out
    };
    let before = snapshot().await;
    let refused = app
        .delete(app.admin(), &format!("/users/{user}"))
        .await
        .expect(409);
    assert!(
        refused.body["message"]
            .as_str()
            .is_some_and(|m| m.contains("sole-owner")),
        "{}",
        refused.body
    );
    let refused = app
        .delete(app.admin(), &format!("/users/{user}?hard_delete=false"))
        .await
        .expect(409);
    assert!(refused.body["message"].is_string(), "{}", refused.body);
    assert!(
        before == snapshot().await,
        "a refused deletion changed things"
    );
    app.get(Some(&token), "/user").await.expect(200);

    app.delete(app.admin(), &format!("/users/{user}?hard_delete=true"))
        .await
        .expect(204);
    app.get(app.admin(), &format!("/users/{user}"))
        .await
        .expect(404);
    for path in [
        format!("/groups/{owned}"),
        format!("/groups/{sub}"),
        format!("/projects/{project}"),
    ] {
        app.get(app.admin(), &path).await.expect(404);
    }
    assert_eq!(rows_pointing_to_missing_users(app).await, 0);
    // The Group with another Owner stays, without them.
    app.get(app.admin(), &format!("/groups/{shared}"))
        .await
        .expect(200);
    app.get(app.admin(), &format!("/groups/{shared}/members/{user}"))
        .await
        .expect(404);
    let members = app
        .get(app.admin(), &format!("/groups/{shared}/members"))
        .await
        .expect(200);
    assert_eq!(members.body.as_array().map(Vec::len), Some(1));
    // The deleted Group's path is free again.
    app.post(app.admin(), "/groups", json!({"name": path, "path": path}))
        .await
        .expect(201);
}

/// A User who is the one direct Owner of a subgroup is not its sole Owner when an ancestor
/// Group has another Owner (GitLab counts inherited Owners): their deletion is not refused, and
/// `hard_delete` does not take the subgroup, which its other Owners still own.
async fn inherited_owner_keeps_the_subgroup(app: &TestApp) {
    for hard in [false, true] {
        let case = format!("hard_delete={hard}");
        // The admin owns the top-level Group; the User creates a subgroup in it (and so is its
        // one direct Owner) with a Project.
        let (top, _) = app.group(None, "private", None).await;
        let (user, token) = app.user("subowner").await;
        app.add_member("groups", top, user, 40).await;
        let path = unique("sub");
        let sub = app
            .post(
                Some(&token),
                "/groups",
                json!({"name": path, "path": path, "parent_id": top}),
            )
            .await
            .expect(201)
            .id();
        let project = app
            .post(
                Some(&token),
                "/projects",
                json!({"name": unique("subp"), "namespace_id": sub}),
            )
            .await
            .expect(201)
            .id();
        let owners: Vec<i64> = app
            .get(app.admin(), &format!("/groups/{sub}/members/all"))
            .await
            .expect(200)
            .body
            .as_array()
            .expect("a list")
            .iter()
            .filter(|m| m["access_level"] == json!(50))
            .filter_map(|m| m["id"].as_i64())
            .collect();
        assert!(owners.len() >= 2, "{case}: two Owners: {owners:?}");
        let before = app
            .get(app.admin(), &format!("/groups/{sub}"))
            .await
            .expect(200)
            .body;
        let path = if hard {
            format!("/users/{user}?hard_delete=true")
        } else {
            format!("/users/{user}")
        };
        let got = app.delete(app.admin(), &path).await;
        assert_eq!(got.status, 204, "{case}: {}", got.body);
        app.get(app.admin(), &format!("/users/{user}"))
            .await
            .expect(404);
        let after = app.get(app.admin(), &format!("/groups/{sub}")).await;
        assert_eq!(after.status, 200, "{case}: the subgroup was deleted");
        assert_eq!(after.body, before, "{case}: the subgroup changed");
        let project = app
            .get(app.admin(), &format!("/projects/{project}"))
            .await
            .expect(200);
        assert_eq!(
            project.body["creator_id"],
            json!(2),
            "{case}: the Ghost User's"
        );
        app.get(app.admin(), &format!("/groups/{sub}/members/{user}"))
            .await
            .expect(404);
    }
}

/// SPEC section 4's Organization table for an Owner who is no instance admin: settings, delete
/// (never the Default Organization), create Groups, overviews; and the same refused to a User.
async fn organization_owner_who_is_no_admin(app: &TestApp) {
    // Organizations created by plain Users: their creator is their Owner.
    let saas = app
        .another(|config| config.allow_organization_creation = true)
        .await;
    let (owner, owner_token) = saas.user("orgowner").await;
    let owner_token = Some(owner_token.as_str());
    let path = unique("owned-org");
    let org = saas
        .post(
            owner_token,
            "/organizations",
            json!({"name": path, "path": path, "visibility": "public"}),
        )
        .await
        .expect(201)
        .id();
    let me = saas.get(owner_token, "/user").await.expect(200).body;
    assert!(me.get("is_admin").is_none(), "no admin: {me}");
    let users = saas
        .get(owner_token, &format!("/organizations/{org}/users"))
        .await
        .expect(200);
    assert_eq!(ids(&users.body), vec![owner]);
    assert_eq!(users.body[0]["access_level"], json!("owner"));
    assert_eq!(users.body[0]["source"], json!("creator"));
    assert_eq!(users.body[0]["state"], json!("active"));

    // Create top-level Groups in it.
    let group_path = unique("owned");
    let group = saas
        .post(
            owner_token,
            "/groups",
            json!({"name": group_path, "path": group_path, "visibility": "public", "organization_id": org}),
        )
        .await
        .expect(201)
        .id();
    let stored = saas
        .get(saas.admin(), &format!("/groups/{group}"))
        .await
        .expect(200);
    assert_eq!(stored.body["organization_id"], json!(org));
    assert_eq!(stored.body["parent_id"], Value::Null);

    // A User of the Organization (Member of a private Group the Owner is no Member of), and
    // another User Member of another private Group of it.
    let (member, member_token) = saas.user("orguser").await;
    let member_token = Some(member_token.as_str());
    let (private_group, _) = saas.group(None, "private", Some(org)).await;
    saas.add_member("groups", private_group, member, 30).await;
    let (hidden, _) = saas.user("hidden").await;
    let (hidden_group, _) = saas.group(None, "private", Some(org)).await;
    saas.add_member("groups", hidden_group, hidden, 30).await;
    let (private_project, _) = saas.project(private_group, "private").await;

    // Settings: the Owner views and edits them; a User may not; read back either way.
    let settings = json!({"name": "Renamed by its owner", "description": "the owner's words"});
    let got = saas
        .put(owner_token, &format!("/organizations/{org}"), settings)
        .await
        .expect(200);
    assert_eq!(got.body["description"], json!("the owner's words"));
    let stored = saas
        .get(owner_token, &format!("/organizations/{org}"))
        .await
        .expect(200);
    assert_eq!(stored.body["name"], json!("Renamed by its owner"));
    assert_eq!(stored.body["description"], json!("the owner's words"));
    let before = stored.body.clone();
    saas.put(
        member_token,
        &format!("/organizations/{org}"),
        json!({"description": "the user's words"}),
    )
    .await
    .expect(403);
    // Read as the owner read it before (an admin's view adds `cell_id`).
    let after = saas
        .get(owner_token, &format!("/organizations/{org}"))
        .await
        .expect(200);
    assert_eq!(after.body, before, "a User changed the settings");
    // Owner of one Organization is no Owner of another.
    let other_org = saas.organization("public").await;
    let (other_group, _) = saas.group(None, "public", Some(other_org)).await;
    saas.add_member("groups", other_group, owner, 10).await;
    let before_other = saas
        .get(saas.admin(), &format!("/organizations/{other_org}"))
        .await
        .expect(200)
        .body;
    saas.put(
        owner_token,
        &format!("/organizations/{other_org}"),
        json!({"description": "not mine"}),
    )
    .await
    .expect(403);
    saas.delete(owner_token, &format!("/organizations/{other_org}"))
        .await
        .expect(403);
    assert_eq!(
        saas.get(saas.admin(), &format!("/organizations/{other_org}"))
            .await
            .expect(200)
            .body,
        before_other
    );

    // Overviews. Users: the Owner sees every Organization User, as the admin does; the User
    // sees the Users of what they can see, not the hidden Group's Member.
    let everyone = saas
        .get(
            saas.admin(),
            &format!("/organizations/{org}/users?per_page=100"),
        )
        .await
        .expect(200);
    let all_users = ids(&everyone.body);
    for user in [owner, member, hidden] {
        assert!(all_users.contains(&user), "{user} in {all_users:?}");
    }
    let seen_by_owner = saas
        .get(
            owner_token,
            &format!("/organizations/{org}/users?per_page=100"),
        )
        .await
        .expect(200);
    assert_eq!(
        ids(&seen_by_owner.body),
        all_users,
        "the Owner sees every User"
    );
    assert_eq!(
        seen_by_owner.header("x-total"),
        Some(all_users.len().to_string())
    );
    let seen_by_member = saas
        .get(
            member_token,
            &format!("/organizations/{org}/users?per_page=100"),
        )
        .await
        .expect(200);
    let member_view = ids(&seen_by_member.body);
    assert!(member_view.contains(&member), "{member_view:?}");
    assert!(!member_view.contains(&hidden), "{member_view:?}");
    // Groups and Projects: exactly what each caller may see, counts included.
    for (who, token) in [("owner", owner_token), ("user", member_token)] {
        for (kind, list, all) in [
            (
                "groups",
                format!("/organizations/{org}/groups?per_page=100"),
                vec![group, private_group, hidden_group],
            ),
            (
                "projects",
                format!("/organizations/{org}/projects?per_page=100"),
                vec![private_project],
            ),
        ] {
            let listed = saas.get(token, &list).await.expect(200);
            let listed_ids = ids(&listed.body);
            assert_eq!(
                listed.header("x-total"),
                Some(listed_ids.len().to_string()),
                "{who}: {list}"
            );
            for id in all {
                let visible = saas.get(token, &format!("/{kind}/{id}")).await.status == 200;
                assert_eq!(
                    listed_ids.contains(&id),
                    visible,
                    "{who}: {list} lists {kind} {id} exactly when GET shows it: {listed_ids:?}"
                );
            }
        }
    }
    let owner_groups = saas
        .get(owner_token, &format!("/organizations/{org}/groups"))
        .await
        .expect(200);
    assert!(ids(&owner_groups.body).contains(&group));

    // Delete: never the Default Organization; a User may not; the Owner may.
    let default_before = saas
        .get(saas.admin(), "/organizations/1")
        .await
        .expect(200)
        .body;
    saas.delete(owner_token, "/organizations/1")
        .await
        .expect(400);
    assert_eq!(
        saas.get(saas.admin(), "/organizations/1")
            .await
            .expect(200)
            .body,
        default_before
    );
    saas.delete(member_token, &format!("/organizations/{org}"))
        .await
        .expect(403);
    assert_eq!(
        saas.get(owner_token, &format!("/organizations/{org}"))
            .await
            .expect(200)
            .body,
        before
    );
    saas.delete(owner_token, &format!("/organizations/{org}"))
        .await
        .expect(202);
    // Soft-deleted (tests/org_deletion.rs follows it to the end): its Owner still sees it,
    // to restore it, but nothing in it; admins see all.
    let deleted = saas
        .get(owner_token, &format!("/organizations/{org}"))
        .await
        .expect(200);
    assert_eq!(deleted.body["state"], "soft_deleted");
    for path in [
        format!("/groups/{group}"),
        format!("/groups/{private_group}"),
        format!("/projects/{private_project}"),
    ] {
        saas.get(owner_token, &path).await.expect(404);
        saas.get(saas.admin(), &path).await.expect(200);
    }
    saas.finish().await;
}

/// A username is a top-level route: one a Group holds is refused, whatever its case, and
/// nothing is created.
async fn username_taken_by_a_group(app: &TestApp) {
    let (group, group_path) = app.group(None, "public", None).await;
    let before = app
        .get(app.admin(), &format!("/groups/{group}"))
        .await
        .expect(200)
        .body;
    for username in [group_path.clone(), group_path.to_uppercase()] {
        let email = format!("{}@example.com", unique("u"));
        let got = app
            .post(
                app.admin(),
                "/users",
                json!({"username": username, "email": email, "name": "Taken", "force_random_password": true}),
            )
            .await;
        assert_eq!(got.status, 409, "username {username}: {}", got.body);
        assert_eq!(
            got.body,
            json!({"message": "Username has already been taken"}),
            "username {username}"
        );
        let listed = app
            .get(app.admin(), &format!("/users?username={username}"))
            .await
            .expect(200);
        assert_eq!(
            listed.body,
            json!([]),
            "username {username}: created anyway"
        );
        // The refused creation left no claim on its email behind.
        let free = unique("free");
        app.post(
            app.admin(),
            "/users",
            json!({"username": free, "email": email, "name": free, "force_random_password": true}),
        )
        .await
        .expect(201);
    }
    // Renaming a User to the Group's path is refused the same way.
    let (user, _) = app.user("renamer").await;
    let user_before = app
        .get(app.admin(), &format!("/users/{user}"))
        .await
        .expect(200)
        .body;
    let got = app
        .put(
            app.admin(),
            &format!("/users/{user}"),
            json!({"username": group_path}),
        )
        .await;
    assert_eq!(got.status, 409, "rename to {group_path}: {}", got.body);
    assert_eq!(
        app.get(app.admin(), &format!("/users/{user}"))
            .await
            .expect(200)
            .body,
        user_before,
        "the User changed"
    );
    let after = app
        .get(app.admin(), &format!("/groups/{group}"))
        .await
        .expect(200)
        .body;
    assert_eq!(after, before, "the Group changed");
    let namespace = app
        .get(app.admin(), &format!("/namespaces/{group_path}"))
        .await
        .expect(200);
    assert_eq!(namespace.body["kind"], json!("group"));
    assert_eq!(namespace.id(), group);
}

both!(
    old_paths_still_resolve,
    username_takes_over_old_paths,
    deleted_user_goes_to_the_ghost,
    sole_owner_deletion,
    inherited_owner_keeps_the_subgroup,
    organization_owner_who_is_no_admin,
    username_taken_by_a_group,
);
