//! `orgcells generate`: the data keeps the service's invariants and is the same for the same seed.

mod common;

use common::TestApp;
use orgcells::generate::{Scale, generate};
use serde_json::{Value, json};

/// Every row of an admin's list, following the pages to the last (100 a page).
async fn all_pages(app: &TestApp, path: &str) -> Vec<Value> {
    let separator = if path.contains('?') { '&' } else { '?' };
    let mut rows = Vec::new();
    let mut page = 1;
    loop {
        let got = app
            .get(
                app.admin(),
                &format!("{path}{separator}per_page=100&page={page}"),
            )
            .await
            .expect(200);
        let total: usize = got
            .header("x-total")
            .and_then(|t| t.parse().ok())
            .unwrap_or_else(|| panic!("{path}: X-Total"));
        rows.extend(got.body.as_array().cloned().expect("a list"));
        match got.header("x-next-page").filter(|next| !next.is_empty()) {
            Some(next) => page = next.parse().expect("X-Next-Page"),
            None => {
                assert_eq!(rows.len(), total, "{path}: every page read");
                return rows;
            }
        }
    }
}

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
    let in_sub = in_sub.body.as_array().cloned().expect("a list");
    assert!(in_sub.len() >= 10, "{} Projects", in_sub.len());
    for project in &in_sub {
        assert_eq!(
            project["namespace"]["full_path"],
            json!("gpt/many_groups_and_projects/gpt-subgroup-7"),
            "a Project of the subgroup: {project}"
        );
    }
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
    // Every top-level Group has an Owner, and Members are Organization Users: all of them,
    // page by page, not a sample.
    let tops = all_pages(app, "/groups?top_level_only=true&order_by=id").await;
    assert!(
        tops.len() > 5,
        "the generated top-level Groups are listed: {}",
        tops.len()
    );
    let mut org_users: std::collections::HashMap<i64, std::collections::HashSet<i64>> =
        std::collections::HashMap::new();
    let mut members_seen = 0;
    for group in &tops {
        let id = group["id"].as_i64().expect("group id");
        let org = group["organization_id"].as_i64().expect("organization_id");
        if let std::collections::hash_map::Entry::Vacant(entry) = org_users.entry(org) {
            let users = all_pages(app, &format!("/organizations/{org}/users")).await;
            assert!(!users.is_empty(), "organization {org} has Users");
            entry.insert(users.iter().filter_map(|u| u["id"].as_i64()).collect());
        }
        let members = all_pages(app, &format!("/groups/{id}/members")).await;
        assert!(!members.is_empty(), "group {id} has Members");
        let owners = members
            .iter()
            .filter(|m| m["access_level"] == json!(50))
            .count();
        assert!(owners >= 1, "group {id} has no Owner");
        for member in &members {
            let user = member["id"].as_i64().expect("member id");
            assert!(
                org_users[&org].contains(&user),
                "member {user} of group {id} is no User of its organization {org}"
            );
            members_seen += 1;
        }
    }
    assert!(
        members_seen >= tops.len(),
        "every top-level Group's Members were checked"
    );
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

/// What `generate` made, as the admin sees it through the API: every Group, Project and User
/// (page by page), with its place.
async fn generated(app: &TestApp) -> Vec<Vec<Value>> {
    let groups = all_pages(app, "/groups?order_by=id&sort=asc").await;
    let projects = all_pages(app, "/projects?order_by=id&sort=asc").await;
    let users = all_pages(app, "/users").await;
    assert!(
        groups.len() > 200 && projects.len() == 2000 && users.len() == 1001,
        "the small scale's Groups, 2,000 Projects and 1,001 Users: {} {} {}",
        groups.len(),
        projects.len(),
        users.len()
    );
    let pick = |rows: &[Value], fields: &[&str]| -> Vec<Value> {
        rows.iter()
            .map(|row| Value::Array(fields.iter().map(|f| row[*f].clone()).collect()))
            .collect()
    };
    vec![
        pick(
            &groups,
            &[
                "id",
                "full_path",
                "visibility",
                "parent_id",
                "organization_id",
            ],
        ),
        pick(
            &projects,
            &[
                "id",
                "path_with_namespace",
                "visibility",
                "organization_id",
                "creator_id",
            ],
        ),
        pick(&users, &["id", "username", "email", "state"]),
    ]
}

async fn same_seed_same_data(app: &TestApp) {
    generate(app.db(), Scale::Small, 42)
        .await
        .expect("generate");
    let first = generated(app).await;
    let other = app.another(|_| {}).await;
    generate(other.db(), Scale::Small, 42)
        .await
        .expect("generate");
    let second = generated(&other).await;
    other.finish().await;
    for (what, (a, b)) in ["groups", "projects", "users"]
        .iter()
        .zip(first.iter().zip(second.iter()))
    {
        assert_eq!(a.len(), b.len(), "as many {what}");
        if let Some(n) = (0..a.len()).find(|&n| a[n] != b[n]) {
            panic!("{what} differ at row {n}: {} vs {}", a[n], b[n]);
        }
    }
    // And the seed matters: another seed lays the data out otherwise.
    let third = app.another(|_| {}).await;
    generate(third.db(), Scale::Small, 43)
        .await
        .expect("generate");
    let different = generated(&third).await;
    third.finish().await;
    assert_ne!(first, different, "seeds 42 and 43 gave the same data");
}

both!(generated_data_is_served, same_seed_same_data);
