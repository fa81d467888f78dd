//! `POST /organizations/:id/groups/transfer`: a top-level Group moved into another
//! Organization with everything in it, by a User who owns both or an admin. Refused, naming
//! what is in the way, for a subgroup, a Group already there, shares that would cross
//! Organizations and Members banned from the target; done, the Group, its subgroups and
//! Projects belong to the target with their paths, no more visible than it, and their
//! Members are its Users.

mod common;

use common::{TestApp, ids};
use serde_json::{Value, json};

async fn a_group_moves_into_another_organization(app: &TestApp) {
    let from = app.organization("public").await;
    let to = app.organization("private").await;
    let (owner, owner_token) = app.user("owner").await;
    let (member, member_token) = app.user("member").await;
    let (banned, _) = app.user("banned").await;
    let (to_user, to_user_token) = app.user("to-user").await;
    let (_, outsider_token) = app.user("outsider").await;
    let read_api = app.token(owner, &["read_api"]).await;
    let to_users = format!("/organizations/{to}/users");
    for (user, level) in [(owner, "owner"), (to_user, "default"), (banned, "default")] {
        app.post(
            app.admin(),
            &to_users,
            json!({"user_id": user, "access_level": level}),
        )
        .await
        .expect(201);
    }
    app.post(app.admin(), &format!("{to_users}/{banned}/ban"), json!({}))
        .await
        .expect(201);
    // In `from`: the Group (owned by `owner`), a subgroup with a Project, a Member; a Group
    // that stays; one already in `to`; and one `owner` does not own.
    let (group, group_path) = app.group(None, "public", Some(from)).await;
    let (sub, _) = app.group(Some(group), "public", None).await;
    let (project, project_path) = app.project(sub, "public").await;
    app.add_member("groups", group, owner, 50).await;
    app.add_member("groups", sub, member, 30).await;
    let (stays, stays_path) = app.group(None, "public", Some(from)).await;
    let (already, _) = app.group(None, "private", Some(to)).await;
    app.add_member("groups", already, owner, 50).await;
    let (not_owned, _) = app.group(None, "public", Some(from)).await;
    app.add_member("groups", not_owned, owner, 40).await;

    let transfer = format!("/organizations/{to}/groups/transfer");
    let move_in = |group: i64| json!({"group_id": group});
    let owner = Some(owner_token.as_str());
    // Refused: (caller, body, status, words of the message); one line per case.
    let refused: Vec<(Option<&str>, Value, u16, &str)> = vec![
        (None, move_in(group), 401, "401"),
        (
            Some(&outsider_token),
            move_in(group),
            404,
            "Organization Not Found",
        ),
        (
            Some(&member_token),
            move_in(group),
            404,
            "Organization Not Found",
        ),
        (
            Some(&to_user_token),
            move_in(group),
            403,
            "You must be an owner of both the group and new organization.",
        ),
        (Some(&read_api), move_in(group), 403, "insufficient_scope"),
        (owner, json!({}), 400, "group_id is missing"),
        (owner, json!({"group_id": "x"}), 400, "group_id is invalid"),
        (owner, move_in(999_999_999), 404, "Group Not Found"),
        (
            owner,
            move_in(sub),
            400,
            "Only root groups can be transferred to a different organization.",
        ),
        (
            owner,
            move_in(already),
            400,
            "Group is already in the target organization.",
        ),
        (
            owner,
            move_in(not_owned),
            403,
            "You must be an owner of both the group and new organization.",
        ),
    ];
    for (caller, body, status, words) in refused {
        let reply = app.post(caller, &transfer, body.clone()).await;
        assert_eq!(reply.status, status, "{body}: {}", reply.body);
        assert!(
            reply.body.to_string().contains(words),
            "{body}: {}",
            reply.body
        );
    }

    // Shares across the edge and banned Members are named, and nothing moves.
    app.post(
        app.admin(),
        &format!("/groups/{sub}/share"),
        json!({"group_id": stays, "group_access": 30}),
    )
    .await
    .expect(201);
    app.add_member("projects", project, banned, 20).await;
    let reply = app.post(owner, &transfer, move_in(group)).await.expect(400);
    let message = reply.body["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(message.contains(&stays_path), "{message}");
    app.delete(app.admin(), &format!("/groups/{sub}/share/{stays}"))
        .await
        .expect(204);
    let reply = app.post(owner, &transfer, move_in(group)).await.expect(400);
    let message = reply.body["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        message.contains("banned") && message.contains("banned-"),
        "{message}"
    );
    app.delete(
        app.admin(),
        &format!("/projects/{project}/members/{banned}"),
    )
    .await
    .expect(204);
    let in_from = app
        .get(
            app.admin(),
            &format!("/organizations/{from}/groups?per_page=100"),
        )
        .await
        .expect(200);
    assert!(ids(&in_from.body).contains(&group));

    // Moved: paths kept, in `to`, no more visible than it, its Members its Users.
    let moved = app.post(owner, &transfer, move_in(group)).await.expect(201);
    assert_eq!(moved.body["full_path"], group_path.as_str());
    assert_eq!(moved.body["organization_id"], to);
    assert_eq!(moved.body["visibility"], "internal");
    let in_to = app
        .get(
            app.admin(),
            &format!("/organizations/{to}/groups?per_page=100"),
        )
        .await
        .expect(200);
    assert!(ids(&in_to.body).contains(&group) && ids(&in_to.body).contains(&sub));
    let in_from = app
        .get(
            app.admin(),
            &format!("/organizations/{from}/groups?per_page=100"),
        )
        .await
        .expect(200);
    assert!(!ids(&in_from.body).contains(&group) && !ids(&in_from.body).contains(&sub));
    let projects = app
        .get(
            app.admin(),
            &format!("/organizations/{to}/projects?per_page=100"),
        )
        .await
        .expect(200);
    assert!(ids(&projects.body).contains(&project));
    let encoded = project_path.replace('/', "%2F");
    let read = app
        .get(app.admin(), &format!("/projects/{encoded}"))
        .await
        .expect(200);
    assert_eq!(read.body["visibility"], "internal");
    let users = app
        .get(app.admin(), &format!("{to_users}?per_page=100"))
        .await
        .expect(200);
    assert!(ids(&users.body).contains(&member), "{}", users.body);
    // The Member reaches the subgroup in its new Organization; an anonymous caller no longer
    // sees what is now internal.
    app.get(Some(&member_token), &format!("/groups/{sub}"))
        .await
        .expect(200);
    app.get(None, &format!("/groups/{group}")).await.expect(404);
    // Moving it again where it is: refused; an admin moves it back.
    app.post(owner, &transfer, move_in(group)).await.expect(400);
    let back = app
        .post(
            app.admin(),
            &format!("/organizations/{from}/groups/transfer"),
            move_in(group),
        )
        .await
        .expect(201);
    assert_eq!(back.body["organization_id"], from);
    assert_eq!(
        back.body["visibility"], "internal",
        "moving back raises nothing"
    );
}

both!(a_group_moves_into_another_organization);
