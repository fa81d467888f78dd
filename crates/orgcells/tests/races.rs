//! Rules that read before they write, under concurrency: each pair of requests is released
//! together by a barrier, 50 pairs per rule, and the rule's invariant is checked afterwards
//! through reads of its own. No answer may be a 5xx.

mod common;

use std::sync::Arc;

use common::{TestApp, unique};
use serde_json::{Value, json};
use tokio::sync::Barrier;

const PAIRS: usize = 50;

/// One request of a pair: method, path, body, token.
struct Call {
    method: reqwest::Method,
    path: String,
    body: Value,
    token: String,
}

fn put(path: String, body: Value, token: &str) -> Call {
    Call {
        method: reqwest::Method::PUT,
        path,
        body,
        token: token.to_owned(),
    }
}

fn post(path: String, body: Value, token: &str) -> Call {
    Call {
        method: reqwest::Method::POST,
        path,
        body,
        token: token.to_owned(),
    }
}

fn delete(path: String, token: &str) -> Call {
    Call {
        method: reqwest::Method::DELETE,
        path,
        body: Value::Null,
        token: token.to_owned(),
    }
}

/// Sends both calls at the same moment; their statuses. A 5xx fails the test.
async fn race(app: &TestApp, calls: [Call; 2]) -> [u16; 2] {
    let barrier = Arc::new(Barrier::new(2));
    let handles: Vec<_> = calls
        .into_iter()
        .map(|call| {
            let mut request = app
                .http
                .request(call.method.clone(), format!("{}{}", app.base, call.path))
                .header("PRIVATE-TOKEN", call.token);
            if !call.body.is_null() {
                request = request.json(&call.body);
            }
            let barrier = barrier.clone();
            let what = format!("{} {}", call.method, call.path);
            tokio::spawn(async move {
                barrier.wait().await;
                let response = request.send().await.expect("send");
                let status = response.status().as_u16();
                let body = response.text().await.unwrap_or_default();
                assert!(status < 500, "{what}: {status} {body}");
                status
            })
        })
        .collect();
    let mut statuses = [0; 2];
    for (i, handle) in handles.into_iter().enumerate() {
        statuses[i] = handle.await.expect("task");
    }
    statuses
}

fn admin(app: &TestApp) -> &'static str {
    app.admin().expect("admin token")
}

/// The direct Owners of a Group, read back through the members list.
async fn owners(app: &TestApp, group: i64) -> usize {
    app.get(
        app.admin(),
        &format!("/groups/{group}/members?per_page=100"),
    )
    .await
    .expect(200)
    .body
    .as_array()
    .expect("members")
    .iter()
    .filter(|m| m["access_level"] == json!(50))
    .count()
}

/// Two Owners of a Group each remove (or demote) the other at the same moment: one Owner
/// stays.
async fn last_owner_stays(app: &TestApp) {
    let (a, a_token) = app.user("owner-a").await;
    let (b, b_token) = app.user("owner-b").await;
    for i in 0..PAIRS {
        let (group, _) = app.group(None, "private", None).await;
        app.add_member("groups", group, a, 50).await;
        app.add_member("groups", group, b, 50).await;
        // The admin who created the Group is an Owner too: leave only a and b.
        app.delete(app.admin(), &format!("/groups/{group}/members/1"))
            .await
            .expect(204);
        assert_eq!(owners(app, group).await, 2);
        let calls = if i % 2 == 0 {
            [
                delete(format!("/groups/{group}/members/{b}"), &a_token),
                delete(format!("/groups/{group}/members/{a}"), &b_token),
            ]
        } else {
            [
                put(
                    format!("/groups/{group}/members/{b}"),
                    json!({"access_level": 40}),
                    &a_token,
                ),
                put(
                    format!("/groups/{group}/members/{a}"),
                    json!({"access_level": 40}),
                    &b_token,
                ),
            ]
        };
        let statuses = race(app, calls).await;
        assert_eq!(owners(app, group).await, 1, "pair {i}: {statuses:?}");
    }
}

/// The active Owners of an Organization, read back through its Users.
async fn organization_owners(app: &TestApp, org: i64) -> usize {
    app.get(
        app.admin(),
        &format!("/organizations/{org}/users?per_page=100"),
    )
    .await
    .expect(200)
    .body
    .as_array()
    .expect("users")
    .iter()
    .filter(|u| u["access_level"] == json!("owner") && u["state"] == json!("active"))
    .count()
}

/// Two Owners of an Organization each remove, demote or ban the other at the same moment:
/// one Owner stays.
async fn last_organization_owner_stays(app: &TestApp) {
    let (a, a_token) = app.user("org-owner-a").await;
    let (b, b_token) = app.user("org-owner-b").await;
    for i in 0..PAIRS {
        let org = app.organization("public").await;
        let users = format!("/organizations/{org}/users");
        for user in [a, b] {
            app.post(
                app.admin(),
                &users,
                json!({"user_id": user, "access_level": "owner"}),
            )
            .await
            .expect(201);
        }
        // The admin who created it is an Owner too: leave only a and b.
        app.delete(app.admin(), &format!("{users}/1"))
            .await
            .expect(204);
        assert_eq!(organization_owners(app, org).await, 2);
        let calls = match i % 3 {
            0 => [
                delete(format!("{users}/{b}"), &a_token),
                delete(format!("{users}/{a}"), &b_token),
            ],
            1 => [
                put(
                    format!("{users}/{b}"),
                    json!({"access_level": "default"}),
                    &a_token,
                ),
                put(
                    format!("{users}/{a}"),
                    json!({"access_level": "default"}),
                    &b_token,
                ),
            ],
            _ => [
                post(format!("{users}/{b}/ban"), json!({}), &a_token),
                post(format!("{users}/{a}/ban"), json!({}), &b_token),
            ],
        };
        let statuses = race(app, calls).await;
        assert_eq!(
            organization_owners(app, org).await,
            1,
            "pair {i}: {statuses:?}"
        );
    }
}

/// An admin deletes one Owner of an Organization while the other is demoted: one Owner stays
/// (the deletion counts the Owners under the same locks the demotion does).
async fn deleting_an_organization_owner_keeps_one(app: &TestApp) {
    let admin = app.admin().expect("the admin's token");
    for i in 0..PAIRS / 2 {
        let org = app.organization("public").await;
        let users = format!("/organizations/{org}/users");
        let (a, _) = app.user("deleted-owner").await;
        let (b, _) = app.user("demoted-owner").await;
        for user in [a, b] {
            app.post(
                app.admin(),
                &users,
                json!({"user_id": user, "access_level": "owner"}),
            )
            .await
            .expect(201);
        }
        app.delete(app.admin(), &format!("{users}/1"))
            .await
            .expect(204);
        let calls = [
            delete(format!("/users/{a}"), admin),
            put(
                format!("{users}/{b}"),
                json!({"access_level": "default"}),
                admin,
            ),
        ];
        let statuses = race(app, calls).await;
        assert_eq!(
            organization_owners(app, org).await,
            1,
            "pair {i}: {statuses:?}"
        );
    }
}

/// A top-level Group moves into another Organization while a subgroup is made in it: the
/// subgroup ends in the Group's Organization, whichever came first.
async fn subgroups_follow_their_group(app: &TestApp) {
    let admin = app.admin().expect("the admin's token");
    for i in 0..PAIRS / 2 {
        let from = app.organization("public").await;
        let to = app.organization("public").await;
        let (group, _) = app.group(None, "public", Some(from)).await;
        let path = format!("sub-{i}");
        let calls = [
            post(
                format!("/organizations/{to}/groups/transfer"),
                json!({"group_id": group}),
                admin,
            ),
            post(
                "/groups".to_owned(),
                json!({"name": path, "path": path, "parent_id": group}),
                admin,
            ),
        ];
        let statuses = race(app, calls).await;
        let moved = app
            .get(app.admin(), &format!("/groups/{group}"))
            .await
            .expect(200);
        let subgroups = app
            .get(app.admin(), &format!("/groups/{group}/subgroups"))
            .await
            .expect(200);
        let subgroups = subgroups.body.as_array().expect("subgroups");
        assert_eq!(subgroups.len(), 1, "pair {i}: {statuses:?}");
        for subgroup in subgroups {
            assert!(subgroup["organization_id"].is_i64(), "{subgroup}");
            assert_eq!(
                subgroup["organization_id"], moved.body["organization_id"],
                "pair {i}: {statuses:?}"
            );
        }
    }
}

/// A member is added to a top-level Group while it moves into another Organization: the
/// membership ends under the Group's Organization, its User a User of that Organization.
async fn members_follow_their_group(app: &TestApp) {
    let admin = app.admin().expect("the admin's token");
    for i in 0..PAIRS / 2 {
        let from = app.organization("public").await;
        let to = app.organization("public").await;
        let (group, _) = app.group(None, "public", Some(from)).await;
        let (user, _) = app.user("joining").await;
        let calls = [
            post(
                format!("/organizations/{to}/groups/transfer"),
                json!({"group_id": group}),
                admin,
            ),
            post(
                format!("/groups/{group}/members"),
                json!({"user_id": user, "access_level": 30}),
                admin,
            ),
        ];
        let statuses = race(app, calls).await;
        assert_eq!(statuses, [201, 201], "pair {i}");
        let org = app
            .get(app.admin(), &format!("/groups/{group}"))
            .await
            .expect(200)
            .body["organization_id"]
            .as_i64()
            .expect("organization_id");
        let users = app
            .get(
                app.admin(),
                &format!("/organizations/{org}/users?per_page=100"),
            )
            .await
            .expect(200);
        let listed: Vec<i64> = users
            .body
            .as_array()
            .expect("users")
            .iter()
            .filter_map(|u| u["id"].as_i64())
            .collect();
        assert!(listed.contains(&user), "pair {i}: {statuses:?}: {listed:?}");
    }
}

/// One Owner of a top-level Group is removed from its Organization while the other is removed
/// from the Group: the Group keeps an Owner.
async fn a_group_keeps_an_owner_through_removals(app: &TestApp) {
    let admin = app.admin().expect("the admin's token");
    for i in 0..PAIRS / 2 {
        let org = app.organization("public").await;
        let (group, _) = app.group(None, "public", Some(org)).await;
        let (a, _) = app.user("owner-a").await;
        let (b, _) = app.user("owner-b").await;
        app.add_member("groups", group, a, 50).await;
        app.add_member("groups", group, b, 50).await;
        app.delete(app.admin(), &format!("/groups/{group}/members/1"))
            .await
            .expect(204);
        let calls = [
            delete(format!("/organizations/{org}/users/{a}"), admin),
            delete(format!("/groups/{group}/members/{b}"), admin),
        ];
        let statuses = race(app, calls).await;
        assert_eq!(owners(app, group).await, 1, "pair {i}: {statuses:?}");
    }
}

/// An admin blocks a User while another renames them: both changes stay.
async fn user_edits_do_not_undo_each_other(app: &TestApp) {
    let admin = app.admin().expect("the admin's token");
    for i in 0..PAIRS / 2 {
        let (user, _) = app.user("edited").await;
        let name = format!("Renamed {i}");
        let calls = [
            post(format!("/users/{user}/block"), json!({}), admin),
            put(format!("/users/{user}"), json!({"name": name}), admin),
        ];
        let statuses = race(app, calls).await;
        let read = app
            .get(app.admin(), &format!("/users/{user}"))
            .await
            .expect(200);
        assert_eq!(read.body["state"], "blocked", "pair {i}: {statuses:?}");
        assert_eq!(read.body["name"], name.as_str(), "pair {i}: {statuses:?}");
    }
}

/// An Organization is deleted while a Group is made in it (at the top level, or under a
/// Group): a Group made is made before the deletion, never after it.
async fn nothing_is_made_in_a_deleted_organization(app: &TestApp) {
    let admin = app.admin().expect("the admin's token");
    for i in 0..PAIRS / 2 {
        let org = app.organization("public").await;
        let (parent, _) = app.group(None, "public", Some(org)).await;
        let path = unique("late");
        let body = if i % 2 == 0 {
            json!({"name": path, "path": path, "organization_id": org})
        } else {
            json!({"name": path, "path": path, "parent_id": parent})
        };
        let calls = [
            delete(format!("/organizations/{org}"), admin),
            post("/groups".to_owned(), body, admin),
        ];
        let statuses = race(app, calls).await;
        assert_eq!(statuses[0], 202, "pair {i}");
        let deleted_at = app
            .get(app.admin(), &format!("/organizations/{org}"))
            .await
            .expect(200)
            .body["updated_at"]
            .as_str()
            .expect("updated_at")
            .to_owned();
        if statuses[1] == 201 {
            let list = if i % 2 == 0 {
                format!("/organizations/{org}/groups?per_page=100")
            } else {
                format!("/groups/{parent}/subgroups?per_page=100")
            };
            let listed = app.get(app.admin(), &list).await.expect(200);
            let created = listed
                .body
                .as_array()
                .expect("groups")
                .iter()
                .find(|g| g["path"] == path.as_str())
                .map(|g| g["created_at"].as_str().expect("created_at").to_owned())
                .expect("the Group made");
            // ISO 8601 in UTC: ordered as text.
            assert!(
                created <= deleted_at,
                "pair {i}: made at {created}, after the deletion at {deleted_at}"
            );
        } else {
            assert_eq!(statuses[1], 403, "pair {i}: {statuses:?}");
        }
    }
}

fn visibility_of(reply: &common::Reply) -> i64 {
    match reply.body["visibility"].as_str() {
        Some("private") => 0,
        Some("internal") => 10,
        Some("public") => 20,
        other => panic!("visibility {other:?}"),
    }
}

/// A public parent made private while its private child (and a private Project in it) are
/// made public: never a child more visible than its parent.
async fn visibility_ceilings_hold(app: &TestApp) {
    let token = admin(app);
    for i in 0..PAIRS {
        let (parent, _) = app.group(None, "public", None).await;
        let (child, _) = app.group(Some(parent), "private", None).await;
        let (project, _) = app.project(parent, "private").await;
        let other = if i % 2 == 0 {
            put(
                format!("/groups/{child}"),
                json!({"visibility": "public"}),
                token,
            )
        } else {
            put(
                format!("/projects/{project}"),
                json!({"visibility": "public"}),
                token,
            )
        };
        let statuses = race(
            app,
            [
                put(
                    format!("/groups/{parent}"),
                    json!({"visibility": "private"}),
                    token,
                ),
                other,
            ],
        )
        .await;
        let parent_visibility = visibility_of(
            &app.get(app.admin(), &format!("/groups/{parent}"))
                .await
                .expect(200),
        );
        let child_visibility = visibility_of(
            &app.get(app.admin(), &format!("/groups/{child}"))
                .await
                .expect(200),
        );
        let project_visibility = visibility_of(
            &app.get(app.admin(), &format!("/projects/{project}"))
                .await
                .expect(200),
        );
        assert!(
            child_visibility <= parent_visibility && project_visibility <= parent_visibility,
            "pair {i} {statuses:?}: parent {parent_visibility}, child {child_visibility}, project {project_visibility}"
        );
    }
}

/// A into B and B into A at the same moment: at most one moves, and no Group is its own
/// ancestor.
async fn crossed_transfers(app: &TestApp) {
    let token = admin(app);
    for i in 0..PAIRS {
        let (a, _) = app.group(None, "private", None).await;
        let (b, _) = app.group(None, "private", None).await;
        let statuses = race(
            app,
            [
                post(
                    format!("/groups/{a}/transfer"),
                    json!({"group_id": b}),
                    token,
                ),
                post(
                    format!("/groups/{b}/transfer"),
                    json!({"group_id": a}),
                    token,
                ),
            ],
        )
        .await;
        let a_row = app
            .get(app.admin(), &format!("/groups/{a}"))
            .await
            .expect(200);
        let b_row = app
            .get(app.admin(), &format!("/groups/{b}"))
            .await
            .expect(200);
        let a_parent = a_row.body["parent_id"].as_i64();
        let b_parent = b_row.body["parent_id"].as_i64();
        assert!(
            !(a_parent == Some(b) && b_parent == Some(a)),
            "pair {i} {statuses:?}: a cycle"
        );
        assert_eq!(
            statuses.iter().filter(|s| **s == 201 || **s == 200).count(),
            1,
            "pair {i}: exactly one moves: {statuses:?}"
        );
        // The full paths agree with the parents.
        for (row, parent) in [(&a_row, a_parent), (&b_row, b_parent)] {
            let full = row.body["full_path"].as_str().expect("full_path");
            let expected = match parent {
                Some(parent) => format!(
                    "{}/{}",
                    app.get(app.admin(), &format!("/groups/{parent}"))
                        .await
                        .expect(200)
                        .body["full_path"]
                        .as_str()
                        .expect("full_path"),
                    row.body["path"].as_str().expect("path")
                ),
                None => row.body["path"].as_str().expect("path").to_owned(),
            };
            assert_eq!(full, expected, "pair {i}");
        }
    }
}

/// A Group created under a parent that is made private at the same moment is never more
/// visible than its parent.
async fn creation_under_a_parent_made_private(app: &TestApp) {
    let token = admin(app);
    for i in 0..PAIRS {
        let (parent, _) = app.group(None, "public", None).await;
        let path = unique("kid");
        let statuses = race(
            app,
            [
                put(
                    format!("/groups/{parent}"),
                    json!({"visibility": "private"}),
                    token,
                ),
                post(
                    "/groups".to_owned(),
                    json!({"name": path, "path": path, "parent_id": parent, "visibility": "public"}),
                    token,
                ),
            ],
        )
        .await;
        let parent_visibility = visibility_of(
            &app.get(app.admin(), &format!("/groups/{parent}"))
                .await
                .expect(200),
        );
        let children = app
            .get(app.admin(), &format!("/groups/{parent}/subgroups"))
            .await
            .expect(200);
        for child in children.body.as_array().expect("subgroups") {
            let child_visibility = visibility_of(&common::Reply {
                status: 200,
                body: child.clone(),
                headers: Default::default(),
            });
            assert!(
                child_visibility <= parent_visibility,
                "pair {i} {statuses:?}: child {child_visibility} under {parent_visibility}"
            );
        }
    }
}

/// An Organization made internal while one of its Groups is made public: nothing public is
/// left inside an internal Organization.
async fn organization_ceiling_holds(app: &TestApp) {
    let token = admin(app);
    for i in 0..PAIRS {
        let org = app.organization("public").await;
        let (group, _) = app.group(None, "private", Some(org)).await;
        let statuses = race(
            app,
            [
                put(
                    format!("/organizations/{org}"),
                    json!({"visibility": "internal"}),
                    token,
                ),
                put(
                    format!("/groups/{group}"),
                    json!({"visibility": "public"}),
                    token,
                ),
            ],
        )
        .await;
        let org_visibility = app
            .get(app.admin(), &format!("/organizations/{org}"))
            .await
            .expect(200)
            .body["visibility"]
            .clone();
        let group_visibility = visibility_of(
            &app.get(app.admin(), &format!("/groups/{group}"))
                .await
                .expect(200),
        );
        assert!(
            !(org_visibility != json!("public") && group_visibility == 20),
            "pair {i} {statuses:?}: a public Group in a {org_visibility} Organization"
        );
    }
}

/// A Group moves into another Organization while another Group of its old one is shared with
/// it, or it with a Project there: one of the two is refused, and no share crosses
/// Organizations.
async fn shares_never_cross_a_move(app: &TestApp) {
    let admin = app.admin().expect("the admin's token");
    for i in 0..PAIRS / 2 {
        let from = app.organization("public").await;
        let to = app.organization("public").await;
        let (moving, _) = app.group(None, "public", Some(from)).await;
        let (staying, _) = app.group(None, "public", Some(from)).await;
        let share = if i % 2 == 0 {
            post(
                format!("/groups/{staying}/share"),
                json!({"group_id": moving, "group_access": 30}),
                admin,
            )
        } else {
            let (project, _) = app.project(staying, "public").await;
            post(
                format!("/projects/{project}/share"),
                json!({"group_id": moving, "group_access": 30}),
                admin,
            )
        };
        let calls = [
            post(
                format!("/organizations/{to}/groups/transfer"),
                json!({"group_id": moving}),
                admin,
            ),
            share,
        ];
        let statuses = race(app, calls).await;
        assert!(
            statuses.contains(&201) && statuses != [201, 201],
            "pair {i}: both or neither done: {statuses:?}"
        );
    }
}

both!(
    shares_never_cross_a_move,
    organization_ceiling_holds,
    last_owner_stays,
    last_organization_owner_stays,
    deleting_an_organization_owner_keeps_one,
    subgroups_follow_their_group,
    members_follow_their_group,
    a_group_keeps_an_owner_through_removals,
    user_edits_do_not_undo_each_other,
    nothing_is_made_in_a_deleted_organization,
    visibility_ceilings_hold,
    crossed_transfers,
    creation_under_a_parent_made_private
);
