//! Deleting a User (`DELETE /users/:id`, admins): refused while they are the only Owner of a
//! Group (unless `hard_delete`) or of an Organization; otherwise their memberships, Organization
//! User rows, tokens, personal namespaces and claims go, what they authored goes to the Ghost
//! User, and no row anywhere names them afterwards: the test walks every column of every table
//! that can hold a User's id.

mod common;

use common::{TestApp, unique};
use serde_json::json;
use sqlx::Row;

const GHOST: i64 = 2;

/// Every (table, column) of the Cell's database that can hold a User's id.
async fn user_columns(app: &TestApp) -> Vec<(String, String)> {
    let mut conn = app.db().read().await.expect("a connection");
    let sql = if app.is_postgres() {
        "SELECT table_name::text, column_name::text FROM information_schema.columns \
         WHERE table_schema = current_schema()"
    } else {
        "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
         WHERE m.type = 'table'"
    };
    let rows = sqlx::query(sql)
        .fetch_all(&mut *conn)
        .await
        .expect("columns");
    let mut columns: Vec<(String, String)> = rows
        .iter()
        .map(|r| (r.get::<String, _>(0), r.get::<String, _>(1)))
        .filter(|(table, column)| {
            table != "users"
                && (column == "user_id"
                    || column.ends_with("_user_id")
                    || ["owner_id", "creator_id", "created_by_id", "author_id"]
                        .contains(&column.as_str()))
        })
        .collect();
    columns.sort();
    columns
}

/// The (table, column) pairs still naming `user`.
async fn rows_naming(app: &TestApp, user: i64) -> Vec<(String, String, i64)> {
    let mut conn = app.db().read().await.expect("a connection");
    let mut found = Vec::new();
    for (table, column) in user_columns(app).await {
        // A claim's owner is a User only when its kind says so.
        let kind = if table == "claims" {
            " AND owner_type = 'user'"
        } else {
            ""
        };
        let count: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM {table} WHERE {column} = $1{kind}"
        ))
        .bind(user)
        .fetch_one(&mut *conn)
        .await
        .expect("count");
        if count > 0 {
            found.push((table, column, count));
        }
    }
    found
}

async fn a_deleted_user_leaves_nothing_naming_them(app: &TestApp) {
    let (user, token) = app.user("leaving").await;
    let (other, _) = app.user("staying").await;
    let org = app.organization("private").await;
    let users = format!("/organizations/{org}/users");
    app.post(
        app.admin(),
        &users,
        json!({"user_id": user, "access_level": "owner"}),
    )
    .await
    .expect(201);
    // What they author: a Group (its Owner), a Project in it, a membership they granted.
    let path = unique("g");
    let group = app
        .post(
            Some(&token),
            "/groups",
            json!({"name": path, "path": path, "organization_id": org}),
        )
        .await
        .expect(201)
        .id();
    let project = app
        .post(
            Some(&token),
            "/projects",
            json!({"name": "p", "path": "p", "namespace_id": group}),
        )
        .await
        .expect(201)
        .id();
    app.post(
        Some(&token),
        &format!("/groups/{group}/members"),
        json!({"user_id": other, "access_level": 30}),
    )
    .await
    .expect(201);
    // And a request to join a Group of another Organization's.
    let (elsewhere, _) = app.group(None, "public", None).await;
    app.post(
        Some(&token),
        &format!("/groups/{elsewhere}/access_requests"),
        json!({}),
    )
    .await
    .expect(201);
    assert!(!user_columns(app).await.is_empty());
    assert!(!rows_naming(app, user).await.is_empty());

    // (what was arranged, status, message); one line per step, in order.
    let delete = format!("/users/{user}");
    let group_members = format!("/groups/{group}/members");
    let steps: Vec<(&str, u16, &str)> = vec![
        (
            "the only Owner of a Group",
            409,
            "User cannot be removed while is the sole-owner of a group",
        ),
        ("the admin left the Organization", 0, ""),
        ("another Owner of the Group", 0, ""),
        (
            "the only Owner of the Organization",
            409,
            "You must transfer ownership of organizations before you can remove user",
        ),
        ("another Owner of the Organization", 0, ""),
        ("nothing in the way", 204, ""),
    ];
    for (arranged, status, message) in steps {
        match arranged {
            "the admin left the Organization" => {
                app.delete(app.admin(), &format!("{users}/1"))
                    .await
                    .expect(204);
            }
            "another Owner of the Group" => {
                app.put(
                    app.admin(),
                    &format!("{group_members}/{other}"),
                    json!({"access_level": 50}),
                )
                .await
                .expect(200);
            }
            "another Owner of the Organization" => {
                app.put(
                    app.admin(),
                    &format!("{users}/{other}"),
                    json!({"access_level": "owner"}),
                )
                .await
                .expect(200);
            }
            _ => {
                let reply = app.delete(app.admin(), &delete).await;
                assert_eq!(reply.status, status, "{arranged}: {}", reply.body);
                if !message.is_empty() {
                    assert_eq!(reply.body["message"], message, "{arranged}");
                }
            }
        }
    }
    assert_eq!(
        rows_naming(app, user).await,
        vec![],
        "rows still naming the User"
    );
    app.get(app.admin(), &delete).await.expect(404);
    app.get(Some(&token), "/user").await.expect(401);
    // What they authored stays, under the Ghost User.
    let mut conn = app.db().read().await.expect("a connection");
    let creator: i64 = sqlx::query_scalar("SELECT creator_id FROM projects WHERE id = $1")
        .bind(project)
        .fetch_one(&mut *conn)
        .await
        .expect("the Project stays");
    assert_eq!(creator, GHOST);
    let granted: i64 = sqlx::query_scalar(
        "SELECT created_by_id FROM members WHERE source_id = $1 AND user_id = $2",
    )
    .bind(group)
    .bind(other)
    .fetch_one(&mut *conn)
    .await
    .expect("the membership they granted stays");
    assert_eq!(granted, GHOST);
    drop(conn);
    // The Organization keeps its other Owner; the username and email are free again.
    let listed = app.get(app.admin(), &users).await.expect(200);
    let ids: Vec<i64> = listed
        .body
        .as_array()
        .expect("users")
        .iter()
        .filter_map(|u| u["id"].as_i64())
        .collect();
    assert_eq!(ids, vec![other]);
}

async fn hard_delete_takes_the_groups_they_alone_own(app: &TestApp) {
    let (user, token) = app.user("owner").await;
    let path = unique("g");
    let group = app
        .post(Some(&token), "/groups", json!({"name": path, "path": path}))
        .await
        .expect(201)
        .id();
    app.delete(app.admin(), &format!("/users/{user}"))
        .await
        .expect(409);
    app.get(app.admin(), &format!("/groups/{group}"))
        .await
        .expect(200);
    app.delete(app.admin(), &format!("/users/{user}?hard_delete=true"))
        .await
        .expect(204);
    app.get(app.admin(), &format!("/groups/{group}"))
        .await
        .expect(404);
    assert_eq!(rows_naming(app, user).await, vec![]);
    // An admin cannot delete themselves; the Ghost User is not there to delete.
    app.delete(app.admin(), "/users/1").await.expect(403);
    app.delete(app.admin(), &format!("/users/{GHOST}"))
        .await
        .expect(404);
}

both!(
    a_deleted_user_leaves_nothing_naming_them,
    hard_delete_takes_the_groups_they_alone_own,
);
