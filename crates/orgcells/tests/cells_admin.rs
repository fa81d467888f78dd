//! The Cells as the API shows them on a Cell on its own: `GET /admin/cells` for admins only,
//! `cell_id` on Organizations for admins only, and `POST /organizations` with `cell_id`.

mod common;

use common::{ADMIN_TOKEN, TestApp};
use serde_json::json;

async fn admins_see_the_cells(app: &TestApp) {
    let (_, user_token) = app.user("cells").await;
    app.organization("public").await;
    let cells = app.get(Some(ADMIN_TOKEN), "/admin/cells").await.expect(200);
    assert_eq!(
        cells.body,
        json!([{
            "id": 1,
            "name": "cell-1",
            "address": app.root(),
            "healthy": true,
            // The Default Organization and the one made above.
            "organizations_count": 2,
        }])
    );
    // An admin's tokens by scope: reading needs `read_api` or `api`, as every admin read.
    let root = app.get(Some(ADMIN_TOKEN), "/user").await.expect(200).id();
    let scoped = |scope: &'static str| async move {
        let made = app
            .post(
                Some(ADMIN_TOKEN),
                &format!("/users/{root}/personal_access_tokens"),
                json!({"name": scope, "scopes": [scope]}),
            )
            .await
            .expect(201);
        made.body["token"].as_str().expect("token").to_owned()
    };
    let (read_api, read_user) = (scoped("read_api").await, scoped("read_user").await);
    app.get(Some(&read_api), "/admin/cells").await.expect(200);
    // Who may not: one line per caller.
    let refused: &[(Option<&str>, u16)] = &[
        (None, 401),
        (Some(user_token.as_str()), 403),
        (Some(read_user.as_str()), 403),
    ];
    for (token, status) in refused {
        let reply = app.get(*token, "/admin/cells").await;
        assert_eq!(reply.status, *status, "{token:?}: {}", reply.body);
    }
}

async fn only_admins_see_or_choose_the_cell(app: &TestApp) {
    let (_, user_token) = app.user("placer").await;
    let admin = app
        .get(Some(ADMIN_TOKEN), "/organizations/1")
        .await
        .expect(200);
    assert_eq!(admin.body["cell_id"], 1);
    let listed = app
        .get(Some(ADMIN_TOKEN), "/organizations")
        .await
        .expect(200);
    assert!(
        listed
            .body
            .as_array()
            .expect("list")
            .iter()
            .all(|o| o["cell_id"] == 1)
    );
    let user = app
        .get(Some(&user_token), "/organizations/1")
        .await
        .expect(200);
    assert!(user.body.get("cell_id").is_none(), "{}", user.body);

    let placed = app
        .post(
            Some(ADMIN_TOKEN),
            "/organizations",
            json!({"name": "Placed", "path": "placed", "cell_id": 1}),
        )
        .await
        .expect(201);
    assert_eq!(placed.body["cell_id"], 1);
    // (caller, cell_id, status, message): one line per refusal; nothing is created by any.
    let refused: &[(&str, serde_json::Value, u16, serde_json::Value)] = &[
        (
            ADMIN_TOKEN,
            json!(9),
            400,
            json!({"cell_id": ["is not a Cell of this cluster"]}),
        ),
        (ADMIN_TOKEN, json!("one"), 400, json!("cell_id is invalid")),
        (
            &user_token,
            json!(1),
            403,
            json!("403 Forbidden - Only an admin can choose an Organization's Cell"),
        ),
    ];
    for (index, (token, cell, status, message)) in refused.iter().enumerate() {
        let path = format!("refused-{index}");
        let reply = app
            .post(
                Some(token),
                "/organizations",
                json!({"name": "Refused", "path": path, "cell_id": cell}),
            )
            .await;
        assert_eq!(reply.status, *status, "{cell}: {}", reply.body);
        let said = reply
            .body
            .get("message")
            .or_else(|| reply.body.get("error"));
        assert_eq!(said, Some(message), "{cell}: {}", reply.body);
        app.get(Some(ADMIN_TOKEN), &format!("/organizations/{path}"))
            .await
            .expect(404);
    }
}

/// On a Cell on its own there is nowhere to move to; and only admins may ask.
async fn moves_need_a_cluster_and_an_admin(app: &TestApp) {
    let (_, user_token) = app.user("mover").await;
    let org = app.organization("public").await;
    let path = format!("/admin/organizations/{org}/move");
    // An admin's read-only tokens: neither starts a move, and `read_user` reads none.
    let root = app.get(Some(ADMIN_TOKEN), "/user").await.expect(200).id();
    let scoped = |scope: &'static str| async move {
        let made = app
            .post(
                Some(ADMIN_TOKEN),
                &format!("/users/{root}/personal_access_tokens"),
                json!({"name": scope, "scopes": [scope]}),
            )
            .await
            .expect(201);
        made.body["token"].as_str().expect("token").to_owned()
    };
    let (read_api, read_user) = (scoped("read_api").await, scoped("read_user").await);
    // (caller, method, path, status): one line per refusal.
    let refused: &[(Option<&str>, &str, &str, u16)] = &[
        (None, "POST", &path, 401),
        (Some(&user_token), "POST", &path, 403),
        (Some(&user_token), "GET", &path, 403),
        (Some(ADMIN_TOKEN), "POST", &path, 400),
        (Some(ADMIN_TOKEN), "GET", &path, 400),
        (
            Some(ADMIN_TOKEN),
            "POST",
            "/admin/organizations/x/move",
            404,
        ),
        (Some(&read_api), "POST", &path, 403),
        (Some(&read_user), "GET", &path, 403),
    ];
    for (token, method, path, status) in refused {
        let reply = match *method {
            "GET" => app.get(*token, path).await,
            _ => app.post(*token, path, json!({"cell_id": 2})).await,
        };
        assert_eq!(
            reply.status, *status,
            "{method} {path} {token:?}: {}",
            reply.body
        );
    }
    // What the Cells ask each other is not there for anyone without the cluster secret.
    let internal = reqwest::Client::new()
        .put(format!("{}/-/cells/organizations/{org}", app.root()))
        .bearer_auth(ADMIN_TOKEN)
        .body("{}")
        .send()
        .await
        .expect("an answer");
    assert_eq!(internal.status().as_u16(), 404);
    // Nor a User's removal from this Cell, asked with an admin's token or none: the User and
    // their rows stay.
    let (user, user_token) = app.user("kept").await;
    for bearer in [Some(ADMIN_TOKEN), None] {
        let mut request =
            reqwest::Client::new().post(format!("{}/-/cells/users/{user}/removal", app.root()));
        if let Some(bearer) = bearer {
            request = request.bearer_auth(bearer);
        }
        let answer = request.send().await.expect("an answer");
        assert_eq!(answer.status().as_u16(), 404, "{bearer:?}");
    }
    app.get(Some(&user_token), "/user").await.expect(200);
}

both!(
    admins_see_the_cells,
    only_admins_see_or_choose_the_cell,
    moves_need_a_cluster_and_an_admin
);
