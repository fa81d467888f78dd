//! The seed's table of Organization and content visibility, all five rows, for every kind of
//! caller (anonymous, a User of no Organization's, an Organization User, a Member, a banned
//! User, a removed one, an admin), through every read and list that shows an Organization,
//! its Groups and its Projects, with their counts.
//!
//! | Organization | Group/Project | Who sees the Organization | Who sees Groups/Projects |
//! | public       | public        | Everyone                  | Everyone                 |
//! | public       | internal      | Everyone                  | Organization Users       |
//! | public       | private       | Everyone                  | Group/Project members    |
//! | internal     | internal      | Organization Users        | Organization Users       |
//! | internal     | private       | Organization Users        | Group/Project members    |

mod common;

use common::{TestApp, ids};
use serde_json::json;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    NonUser,
    OrgUser,
    Member,
    Banned,
    Removed,
    Admin,
}

const EVERYONE: [Who; 7] = [
    Who::Anonymous,
    Who::NonUser,
    Who::OrgUser,
    Who::Member,
    Who::Banned,
    Who::Removed,
    Who::Admin,
];

fn sees_organization(org: &str, who: Who) -> bool {
    match who {
        Who::Admin => true,
        Who::Banned => false,
        Who::OrgUser | Who::Member => true,
        _ => org == "public",
    }
}

fn sees_content(content: &str, who: Who) -> bool {
    match (who, content) {
        (Who::Admin, _) => true,
        (Who::Banned, _) => false,
        (_, "public") => true,
        (Who::OrgUser | Who::Member, "internal") => true,
        (Who::Member, "private") => true,
        _ => false,
    }
}

async fn the_seeds_visibility_table(app: &TestApp) {
    let rows = [
        ("public", "public"),
        ("public", "internal"),
        ("public", "private"),
        ("private", "internal"),
        ("private", "private"),
    ];
    for (org_visibility, content) in rows {
        let org = app.organization(org_visibility).await;
        let (group, _) = app.group(None, content, Some(org)).await;
        let (project, _) = app.project(group, content).await;
        let users = format!("/organizations/{org}/users");
        let mut tokens: Vec<(Who, Option<String>)> = Vec::new();
        for who in EVERYONE {
            let token = match who {
                Who::Anonymous => None,
                Who::Admin => app.admin().map(str::to_owned),
                _ => {
                    let (user, token) = app.user("caller").await;
                    match who {
                        Who::OrgUser => {
                            app.post(app.admin(), &users, json!({"user_id": user}))
                                .await
                                .expect(201);
                        }
                        Who::Member | Who::Banned | Who::Removed => {
                            app.add_member("groups", group, user, 30).await;
                        }
                        _ => {}
                    }
                    match who {
                        Who::Banned => {
                            app.post(app.admin(), &format!("{users}/{user}/ban"), json!({}))
                                .await
                                .expect(201);
                        }
                        Who::Removed => {
                            app.delete(app.admin(), &format!("{users}/{user}"))
                                .await
                                .expect(204);
                        }
                        _ => {}
                    }
                    Some(token)
                }
            };
            tokens.push((who, token));
        }
        for (who, token) in &tokens {
            let token = token.as_deref();
            let row = format!("{org_visibility}/{content} as {who:?}");
            let org_seen = sees_organization(org_visibility, *who);
            let content_seen = sees_content(content, *who);
            // Single reads.
            for (path, seen) in [
                (format!("/organizations/{org}"), org_seen),
                (format!("/groups/{group}"), content_seen),
                (format!("/projects/{project}"), content_seen),
            ] {
                let status = app.get(token, &path).await.status;
                assert_eq!(status, if seen { 200 } else { 404 }, "{row}: {path}");
            }
            // Instance-wide lists.
            for (path, id, seen) in [
                ("/organizations?per_page=100", org, org_seen),
                (
                    "/groups?per_page=100&all_available=true",
                    group,
                    content_seen,
                ),
                ("/projects?per_page=100", project, content_seen),
            ] {
                let reply = app.get(token, path).await.expect(200);
                assert_eq!(ids(&reply.body).contains(&id), seen, "{row}: {path}");
            }
            // The Organization's own lists, with their counts.
            for (path, id) in [
                (format!("/organizations/{org}/groups"), group),
                (format!("/organizations/{org}/projects"), project),
            ] {
                let reply = app.get(token, &path).await;
                if !org_seen {
                    assert_eq!(reply.status, 404, "{row}: {path}");
                    continue;
                }
                assert_eq!(reply.status, 200, "{row}: {path}: {}", reply.body);
                assert_eq!(
                    ids(&reply.body).contains(&id),
                    content_seen,
                    "{row}: {path}"
                );
                let total = reply.header("x-total").unwrap_or_default();
                assert_eq!(total, if content_seen { "1" } else { "0" }, "{row}: {path}");
            }
        }
    }
}

both!(the_seeds_visibility_table);
