//! GitLab's wire habits: ids and paths, merged parameters, pagination, authentication, status
//! codes.

mod common;

use common::{TestApp, unique};
use serde_json::json;

async fn ids_and_encoded_paths(app: &TestApp) {
    let (top, top_path) = app.group(None, "private", None).await;
    let (sub, sub_path) = app.group(Some(top), "private", None).await;
    let (_, project_path) = app.project(sub, "private").await;
    let encoded = sub_path.replace('/', "%2F");
    assert_eq!(
        app.get(app.admin(), &format!("/groups/{encoded}"))
            .await
            .expect(200)
            .id(),
        sub
    );
    assert_eq!(
        app.get(app.admin(), &format!("/groups/{top_path}"))
            .await
            .expect(200)
            .id(),
        top
    );
    let project = app
        .get(
            app.admin(),
            &format!("/projects/{}", project_path.replace('/', "%2F")),
        )
        .await
        .expect(200);
    assert_eq!(project.body["path_with_namespace"], json!(project_path));
    assert_eq!(project.body["namespace"]["id"], json!(sub));
    app.get(app.admin(), "/groups/no-such-group")
        .await
        .expect(404);
    assert_eq!(
        app.get(app.admin(), "/groups/999999999")
            .await
            .expect(404)
            .body,
        json!({"message": "404 Group Not Found"})
    );
}

async fn parameters_from_query_json_and_form(app: &TestApp) {
    // Query string on POST, as python-gitlab sends it.
    let path = unique("q");
    let url = format!("{}/groups?name={path}&path={path}", app.base);
    let reply = app
        .http
        .post(&url)
        .header("PRIVATE-TOKEN", common::ADMIN_TOKEN)
        .json(&json!({}))
        .send()
        .await
        .expect("send");
    assert_eq!(reply.status().as_u16(), 201);
    let created: serde_json::Value = reply.json().await.expect("json");
    let stored = app
        .get(app.admin(), &format!("/groups/{path}"))
        .await
        .expect(200);
    assert_eq!(stored.id(), created["id"].as_i64().expect("id"));
    assert_eq!(
        stored.body["name"],
        json!(path),
        "the name from the query string"
    );
    assert_eq!(stored.body["parent_id"], serde_json::Value::Null);
    // A form body, as the `gitlab` crate sends it.
    let path = unique("f");
    let reply = app
        .http
        .post(format!("{}/groups", app.base))
        .header("PRIVATE-TOKEN", common::ADMIN_TOKEN)
        .form(&[
            ("name", path.as_str()),
            ("path", path.as_str()),
            ("visibility", "internal"),
        ])
        .send()
        .await
        .expect("send");
    assert_eq!(reply.status().as_u16(), 201);
    let body: serde_json::Value = reply.json().await.expect("json");
    assert_eq!(body["visibility"], json!("internal"));
    let stored = app
        .get(app.admin(), &format!("/groups/{path}"))
        .await
        .expect(200);
    assert_eq!(stored.id(), body["id"].as_i64().expect("id"));
    assert_eq!(stored.body["name"], json!(path), "the name from the form");
    assert_eq!(
        stored.body["visibility"],
        json!("internal"),
        "the visibility from the form"
    );
    // A JSON content type on a GET with no body is fine.
    let reply = app
        .http
        .get(format!("{}/groups", app.base))
        .header("PRIVATE-TOKEN", common::ADMIN_TOKEN)
        .header("Content-Type", "application/json")
        .send()
        .await
        .expect("send");
    assert_eq!(reply.status().as_u16(), 200);
    // Malformed JSON is a 400 that changes nothing.
    let before = app
        .get(app.admin(), "/groups?per_page=100&order_by=id")
        .await
        .expect(200);
    let reply = app
        .http
        .post(format!("{}/groups", app.base))
        .header("PRIVATE-TOKEN", common::ADMIN_TOKEN)
        .header("Content-Type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .expect("send");
    assert_eq!(reply.status().as_u16(), 400);
    let after = app
        .get(app.admin(), "/groups?per_page=100&order_by=id")
        .await
        .expect(200);
    assert_eq!(after.body, before.body, "malformed JSON changed the Groups");
    assert_eq!(after.header("x-total"), before.header("x-total"));
}

async fn offset_and_keyset_pagination(app: &TestApp) {
    let (top, _) = app.group(None, "private", None).await;
    for _ in 0..5 {
        app.group(Some(top), "private", None).await;
    }
    let page = app
        .get(
            app.admin(),
            &format!("/groups/{top}/subgroups?per_page=2&page=2"),
        )
        .await
        .expect(200);
    assert_eq!(page.body.as_array().map(Vec::len), Some(2));
    assert_eq!(page.header("x-total").as_deref(), Some("5"));
    assert_eq!(page.header("x-total-pages").as_deref(), Some("3"));
    assert_eq!(page.header("x-page").as_deref(), Some("2"));
    assert_eq!(page.header("x-next-page").as_deref(), Some("3"));
    assert_eq!(page.header("x-prev-page").as_deref(), Some("1"));
    let link = page.header("link").unwrap_or_default();
    for rel in ["prev", "next", "first", "last"] {
        assert!(
            link.contains(&format!("rel=\"{rel}\"")),
            "{rel} missing from {link}"
        );
    }
    assert!(
        link.starts_with("<http://"),
        "Link must be absolute: {link}"
    );
    // per_page is capped at 100.
    let capped = app
        .get(
            app.admin(),
            &format!("/groups/{top}/subgroups?per_page=500"),
        )
        .await
        .expect(200);
    assert_eq!(capped.header("x-per-page").as_deref(), Some("100"));

    // Keyset: follow rel="next" until it ends; every subgroup once, in name order.
    let mut url = format!(
        "{}/groups/{top}/subgroups?pagination=keyset&order_by=name&per_page=2",
        app.base
    );
    let mut names = Vec::new();
    loop {
        let response = app
            .http
            .get(&url)
            .header("PRIVATE-TOKEN", common::ADMIN_TOKEN)
            .send()
            .await
            .expect("send");
        let next = response
            .headers()
            .get("link")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let page: Vec<serde_json::Value> = response.json().await.expect("json");
        names.extend(
            page.iter()
                .map(|g| g["name"].as_str().unwrap_or_default().to_owned()),
        );
        match next.and_then(|l| {
            l.split(';').next().map(|u| {
                u.trim_matches(|c| c == '<' || c == '>' || c == ' ')
                    .to_owned()
            })
        }) {
            Some(next) => url = next,
            None => break,
        }
    }
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names.len(), 5);
    assert_eq!(names, sorted);
    // Keyset for projects is offered for order_by=id only.
    app.get(app.admin(), "/projects?pagination=keyset&order_by=name")
        .await
        .expect(405);
}

async fn authentication(app: &TestApp) {
    app.get(None, "/user").await.expect(401);
    assert_eq!(
        app.get(Some("glpat-not-a-real-token"), "/user")
            .await
            .expect(401)
            .body,
        json!({"message": "401 Unauthorized"})
    );
    let (id, token) = app.user("auth").await;
    let me = app.get(Some(&token), "/user").await.expect(200);
    assert_eq!(me.id(), id);
    assert!(
        me.body.get("is_admin").is_none(),
        "admin fields are for admins: {}",
        me.body
    );
    // Admins see the User's personal namespace.
    let seen = app
        .get(app.admin(), &format!("/users/{id}"))
        .await
        .expect(200);
    let username = seen.body["username"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let namespace = app
        .get(app.admin(), &format!("/namespaces/{username}"))
        .await
        .expect(200);
    assert_eq!(seen.body["namespace_id"], namespace.body["id"]);
    assert_eq!(namespace.body["kind"], json!("user"));
    // The same in the admins' list of Users, and in an admin's own `/user`; never for others.
    let listed = app
        .get(app.admin(), &format!("/users?username={username}"))
        .await
        .expect(200);
    assert_eq!(listed.body[0]["namespace_id"], namespace.body["id"]);
    let listed = app
        .get(Some(&token), &format!("/users?username={username}"))
        .await
        .expect(200);
    assert!(
        listed.body[0].get("namespace_id").is_none(),
        "{}",
        listed.body
    );
    assert!(me.body.get("namespace_id").is_none(), "{}", me.body);
    let root = app.get(app.admin(), "/user").await.expect(200);
    let root_namespace = app.get(app.admin(), "/namespaces/root").await.expect(200);
    assert_eq!(root.body["namespace_id"], root_namespace.body["id"]);
    // Bearer works too.
    let reply = app
        .http
        .get(format!("{}/user", app.base))
        .bearer_auth(&token)
        .send()
        .await
        .expect("send");
    assert_eq!(reply.status().as_u16(), 200);
    // Plain Users may not create Users (and none is created); sudo is for admins.
    let refused = unique("x");
    let users_before = app
        .get(app.admin(), "/users?per_page=100")
        .await
        .expect(200);
    app.post(
        Some(&token),
        "/users",
        json!({"username": refused, "email": "x@example.com", "name": "x", "password": "secret-pw-1"}),
    )
    .await
    .expect(403);
    let users_after = app
        .get(app.admin(), "/users?per_page=100")
        .await
        .expect(200);
    assert_eq!(
        users_after.body, users_before.body,
        "a refused User was created"
    );
    assert_eq!(
        app.get(app.admin(), &format!("/users?username={refused}"))
            .await
            .expect(200)
            .body,
        json!([])
    );
    let reply = app
        .http
        .get(format!("{}/user", app.base))
        .header("PRIVATE-TOKEN", &token)
        .header("Sudo", "root")
        .send()
        .await
        .expect("send");
    assert_eq!(reply.status().as_u16(), 403);
    let reply = app
        .http
        .get(format!("{}/user?sudo={id}", app.base))
        .header("PRIVATE-TOKEN", common::ADMIN_TOKEN)
        .send()
        .await
        .expect("send");
    let body: serde_json::Value = reply.json().await.expect("json");
    assert_eq!(body["id"], json!(id));
}

async fn default_organization_stays(app: &TestApp) {
    let default = app.get(None, "/organizations/default").await.expect(200);
    assert_eq!(default.body["id"], json!(1));
    assert!(
        default.body["web_url"]
            .as_str()
            .unwrap_or_default()
            .ends_with("/-/organizations/default")
    );
    let before_groups = app
        .get(app.admin(), "/organizations/1/groups?per_page=100")
        .await
        .expect(200);
    app.delete(app.admin(), "/organizations/1")
        .await
        .expect(400);
    let after = app.get(None, "/organizations/1").await.expect(200);
    assert_eq!(after.body, default.body, "the Default Organization changed");
    let after_groups = app
        .get(app.admin(), "/organizations/1/groups?per_page=100")
        .await
        .expect(200);
    assert_eq!(after_groups.body, before_groups.body, "its Groups changed");
}

/// Every id a Cell allocates comes from its own range: `(cell - 1) * 2^41` to
/// `cell * 2^41 - 1`. Cell 2, so that an auto-increment from 1 cannot pass.
async fn ids_come_from_the_cell_range(app: &TestApp) {
    let cell2 = app
        .another(|config| config.cell = orgcells_core::ids::CellId(2))
        .await;
    let min: i64 = 1 << 41;
    let max: i64 = (2 << 41) - 1;
    assert_eq!(
        orgcells_core::ids::CellId(2).id_range(),
        (min, max),
        "GitLab's layout"
    );
    let (group, _) = cell2.group(None, "private", None).await;
    let (sub, _) = cell2.group(Some(group), "private", None).await;
    let (project, _) = cell2.project(sub, "private").await;
    let (user, _) = cell2.user("cell2").await;
    let token = cell2
        .post(
            cell2.admin(),
            &format!("/users/{user}/personal_access_tokens"),
            json!({"name": "t", "scopes": ["api"]}),
        )
        .await
        .expect(201)
        .id();
    let org = cell2.organization("public").await;
    let (org_group, _) = cell2.group(None, "public", Some(org)).await;
    let stored_user = cell2
        .get(cell2.admin(), &format!("/users/{user}"))
        .await
        .expect(200);
    let personal = stored_user.body["namespace_id"]
        .as_i64()
        .expect("personal namespace id");
    let created = [
        ("group", group),
        ("subgroup", sub),
        ("project", project),
        ("user", user),
        ("token", token),
        ("organization", org),
        ("group of the organization", org_group),
        ("personal namespace", personal),
    ];
    for (what, id) in created {
        assert!(
            (min..=max).contains(&id),
            "{what} {id} is outside Cell 2's range {min}..={max}"
        );
        assert_eq!(
            orgcells_core::ids::CellId::of_id(id),
            orgcells_core::ids::CellId(2),
            "{what} {id}"
        );
    }
    // Read back by those ids.
    cell2
        .get(cell2.admin(), &format!("/groups/{sub}"))
        .await
        .expect(200);
    assert_eq!(
        cell2
            .get(cell2.admin(), &format!("/projects/{project}"))
            .await
            .expect(200)
            .body["namespace"]["id"],
        json!(sub)
    );
    cell2
        .get(None, &format!("/organizations/{org}"))
        .await
        .expect(200);
    cell2.finish().await;
    // Cell 1 (the harness's) allocates below 2^41, from 1000.
    let (group, _) = app.group(None, "private", None).await;
    let (min1, max1) = orgcells_core::ids::CellId(1).id_range();
    assert_eq!((min1, max1), (1000, min - 1));
    assert!(
        (min1..=max1).contains(&group),
        "{group} outside Cell 1's range"
    );
}

/// `GET /namespaces` pages, by id, the union of the caller's personal namespace and their
/// Groups (everything, for an admin): every page from one statement, nothing skipped or twice
/// where the personal namespace sits among the Groups.
async fn namespaces_page_by_id(app: &TestApp) {
    let (user, token) = app.user("paged").await;
    let token = Some(token.as_str());
    let mut expected = Vec::new();
    for _ in 0..6 {
        let (group, _) = app.group(None, "private", None).await;
        app.add_member("groups", group, user, 30).await;
        expected.push(group);
    }
    // The personal namespace, made by the first personal Project, sits among the Groups.
    let personal = app
        .post(token, "/projects", json!({"name": unique("mine")}))
        .await
        .expect(201)
        .body["namespace"]["id"]
        .as_i64()
        .expect("namespace id");
    expected.push(personal);
    for _ in 0..6 {
        let (group, _) = app.group(None, "private", None).await;
        app.add_member("groups", group, user, 30).await;
        expected.push(group);
    }
    // Seen by no one else's list: another User's Group and personal namespace.
    let (_, other) = app.user("other").await;
    app.post(Some(&other), "/projects", json!({"name": unique("theirs")}))
        .await
        .expect(201);
    app.group(None, "private", None).await;
    expected.sort();
    // (per_page, pages); one line per paging.
    for (per_page, pages) in [(5, 3), (7, 2), (13, 1), (100, 1)] {
        let mut seen = Vec::new();
        for page in 1..=pages {
            let reply = app
                .get(
                    token,
                    &format!("/namespaces?per_page={per_page}&page={page}"),
                )
                .await
                .expect(200);
            assert_eq!(reply.header("x-total").as_deref(), Some("13"));
            assert_eq!(
                reply.header("x-total-pages").as_deref(),
                Some(pages.to_string().as_str())
            );
            let rows = reply.body.as_array().expect("a list").clone();
            seen.extend(rows.iter().map(|row| row["id"].as_i64().expect("id")));
        }
        assert_eq!(seen, expected, "per_page {per_page}");
    }
    // An admin's list holds every namespace, by id too.
    let all = app
        .get(app.admin(), "/namespaces?per_page=100")
        .await
        .expect(200);
    let ids: Vec<i64> = all
        .body
        .as_array()
        .expect("a list")
        .iter()
        .map(|row| row["id"].as_i64().expect("id"))
        .collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    assert!(expected.iter().all(|id| ids.contains(id)));
}

both!(
    namespaces_page_by_id,
    ids_and_encoded_paths,
    parameters_from_query_json_and_form,
    offset_and_keyset_pagination,
    authentication,
    default_organization_stays,
    ids_come_from_the_cell_range,
);
