//! `orgcells generate`: the data keeps the service's invariants and is the same for the same seed.

mod common;

use common::TestApp;
use orgcells::generate::{Scale, generate};
use serde_json::json;

async fn generated_data_is_served(app: &TestApp) {
    generate(app.db(), Scale::Small, 7).await.expect("generate");
    let users = app.get(app.admin(), "/users?per_page=1").await.expect(200);
    assert_eq!(
        users.header("x-total").as_deref(),
        Some("1001"),
        "root and 1,000 generated Users"
    );
    let projects = app
        .get(app.admin(), "/projects?per_page=1")
        .await
        .expect(200);
    assert_eq!(projects.header("x-total").as_deref(), Some("2000"));
    // GitLab Performance Tool's addresses resolve.
    let sub = app
        .get(
            None,
            "/groups/gpt%2Fmany_groups_and_projects%2Fgpt-subgroup-7",
        )
        .await
        .expect(200);
    assert_eq!(
        sub.body["full_name"],
        json!("gpt / many_groups_and_projects / gpt-subgroup-7")
    );
    app.get(
        None,
        "/projects/gpt%2Fmany_groups_and_projects%2Fgpt-subgroup-7%2Fgpt-project-3",
    )
    .await
    .expect(200);
    let in_sub = app
        .get(
            None,
            "/groups/gpt%2Fmany_groups_and_projects%2Fgpt-subgroup-7/projects?per_page=100",
        )
        .await
        .expect(200);
    assert!(in_sub.body.as_array().map(Vec::len).unwrap_or(0) >= 10);
    // The five archetypes are Organizations.
    for path in [
        "all-in-one",
        "service-model",
        "service-embedded",
        "all-in-one-service",
        "all-in-one-embedded",
    ] {
        app.get(None, &format!("/organizations/{path}"))
            .await
            .expect(200);
    }
    // Every top-level Group has an Owner, and Members are Organization Users.
    let tops = app
        .get(app.admin(), "/groups?top_level_only=true&per_page=100")
        .await
        .expect(200);
    for group in tops.body.as_array().into_iter().flatten() {
        let id = group["id"].as_i64().unwrap_or_default();
        let members = app
            .get(app.admin(), &format!("/groups/{id}/members?per_page=100"))
            .await
            .expect(200);
        let owners = members
            .body
            .as_array()
            .into_iter()
            .flatten()
            .filter(|m| m["access_level"] == json!(50))
            .count();
        assert!(owners >= 1, "group {id} has no Owner");
    }
    // A generated User signs in through a token and sees their Groups.
    let user = app
        .get(app.admin(), "/users?username=user-3")
        .await
        .expect(200);
    let user_id = user.body[0]["id"].as_i64().expect("user-3");
    let token = app
        .post(
            app.admin(),
            &format!("/users/{user_id}/personal_access_tokens"),
            json!({"name": "t", "scopes": ["api"]}),
        )
        .await
        .expect(201);
    let token = token.body["token"].as_str().map(str::to_owned);
    let mine = app.get(token.as_deref(), "/groups").await.expect(200);
    assert!(
        !mine.body.as_array().map(Vec::is_empty).unwrap_or(true),
        "user-3 is a Member somewhere"
    );
    // Creating through the API still works beside generated rows (ids, claims).
    let taken = app
        .post(
            app.admin(),
            "/groups",
            json!({"name": "gpt", "path": "gpt"}),
        )
        .await
        .expect(400);
    assert_eq!(
        taken.body,
        json!({"message": {"path": ["has already been taken"]}})
    );
    app.group(None, "public", None).await;
}

async fn same_seed_same_data(app: &TestApp) {
    generate(app.db(), Scale::Small, 42)
        .await
        .expect("generate");
    let first = app
        .get(app.admin(), "/groups?per_page=100&order_by=id")
        .await
        .expect(200);
    let other = TestApp::sqlite().await;
    generate(other.db(), Scale::Small, 42)
        .await
        .expect("generate");
    let second = other
        .get(other.admin(), "/groups?per_page=100&order_by=id")
        .await
        .expect(200);
    let paths = |reply: &common::Reply| {
        reply
            .body
            .as_array()
            .into_iter()
            .flatten()
            .map(|g| (g["full_path"].clone(), g["visibility"].clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(paths(&first), paths(&second));
    other.finish().await;
}

both!(generated_data_is_served, same_seed_same_data);
