//! An Organization's path changed (`PUT /organizations/:id` with `path`): the new path is
//! claimed and the old one released, yet a read by the old path still finds the Organization
//! (as GitLab's redirect routes do), until another Organization claims it; writes go by the
//! current path only; what a caller may not see stays unseen by either path.

mod common;

use common::{TestApp, unique};
use serde_json::json;

async fn an_old_path_leads_on_until_claimed(app: &TestApp) {
    let old = unique("acme");
    let new = unique("acme-inc");
    let org = app
        .post(
            app.admin(),
            "/organizations",
            json!({"name": "Acme", "path": old, "visibility": "internal"}),
        )
        .await
        .expect(201)
        .id();
    let (_, outsider) = app.user("outsider").await;
    let renamed = app
        .put(
            app.admin(),
            &format!("/organizations/{org}"),
            json!({"path": new}),
        )
        .await
        .expect(200);
    assert_eq!(renamed.body["path"], new.as_str());
    // (caller, method, path, status, the Organization answered); one line per case.
    let cases: Vec<(Option<&str>, &str, String, u16)> = vec![
        (app.admin(), "GET", format!("/organizations/{new}"), 200),
        (app.admin(), "GET", format!("/organizations/{old}"), 200),
        (
            app.admin(),
            "GET",
            format!("/organizations/{old}/groups"),
            200,
        ),
        (
            app.admin(),
            "GET",
            format!("/organizations/{old}/users"),
            200,
        ),
        (app.admin(), "PUT", format!("/organizations/{old}"), 404),
        (app.admin(), "DELETE", format!("/organizations/{old}"), 404),
        (Some(&outsider), "GET", format!("/organizations/{old}"), 404),
        (None, "GET", format!("/organizations/{old}"), 404),
    ];
    for (caller, method, path, status) in cases {
        let body = (method == "PUT").then(|| json!({"description": "by the old path"}));
        let reply = app
            .request(caller, method.parse().expect("method"), &path, body)
            .await;
        assert_eq!(reply.status, status, "{method} {path}: {}", reply.body);
        if method == "GET" && status == 200 && !path.ends_with("s") {
            assert_eq!(reply.body["id"], org, "{path}");
        }
    }
    // Its old path is free: another Organization claims it, and the path leads there now.
    let other = app
        .post(
            app.admin(),
            "/organizations",
            json!({"name": "Other", "path": old}),
        )
        .await
        .expect(201)
        .id();
    let reply = app
        .get(app.admin(), &format!("/organizations/{old}"))
        .await
        .expect(200);
    assert_eq!(reply.body["id"], other);
    // Renamed again: both earlier paths of its own lead on; a taken path is refused.
    let newest = unique("acme-group");
    app.put(
        app.admin(),
        &format!("/organizations/{org}"),
        json!({"path": old}),
    )
    .await
    .expect(400);
    app.put(
        app.admin(),
        &format!("/organizations/{org}"),
        json!({"path": newest}),
    )
    .await
    .expect(200);
    for path in [&new, &newest] {
        let reply = app
            .get(app.admin(), &format!("/organizations/{path}"))
            .await
            .expect(200);
        assert_eq!(reply.body["id"], org, "{path}");
    }
    // Renamed back to a path it had: that path is its own again.
    app.put(
        app.admin(),
        &format!("/organizations/{org}"),
        json!({"path": new}),
    )
    .await
    .expect(200);
    let reply = app
        .get(app.admin(), &format!("/organizations/{new}"))
        .await
        .expect(200);
    assert_eq!(reply.body["path"], new.as_str());
}

/// A rename that changes only the case keeps the path's claim and leaves no redirect behind;
/// a rename after it works as any.
async fn a_change_of_case_is_no_rename(app: &TestApp) {
    let path = unique("casey");
    let org = app
        .post(
            app.admin(),
            "/organizations",
            json!({"name": "Casey", "path": path}),
        )
        .await
        .expect(201)
        .id();
    let upper = path.to_uppercase();
    let reply = app
        .put(
            app.admin(),
            &format!("/organizations/{org}"),
            json!({"path": upper}),
        )
        .await
        .expect(200);
    assert_eq!(reply.body["path"], upper.as_str());
    // Still claimed: no one else takes it.
    app.post(
        app.admin(),
        "/organizations",
        json!({"name": "Other", "path": path}),
    )
    .await
    .expect(400);
    let reply = app
        .get(app.admin(), &format!("/organizations/{path}"))
        .await
        .expect(200);
    assert_eq!(reply.body["id"], org);
    let next = unique("casey-next");
    app.put(
        app.admin(),
        &format!("/organizations/{org}"),
        json!({"path": next}),
    )
    .await
    .expect(200);
    // The old path (any case) leads on, and is free to claim.
    let reply = app
        .get(app.admin(), &format!("/organizations/{upper}"))
        .await
        .expect(200);
    assert_eq!(reply.body["id"], org);
    app.post(
        app.admin(),
        "/organizations",
        json!({"name": "Other", "path": path}),
    )
    .await
    .expect(201);
}

both!(
    an_old_path_leads_on_until_claimed,
    a_change_of_case_is_no_rename
);
