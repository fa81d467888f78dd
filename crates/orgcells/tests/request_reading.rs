//! Requests read as GitLab reads them: a body by its `Content-Type` alone, parameters checked by
//! type and allowed values before anything happens (Grape's `{"error": ...}`), updates that name
//! no parameter refused, NUL bytes refused (GitLab's plain `Bad Request`), and `GET /users` newest
//! first. Every refused request is checked to change nothing.

mod common;

use common::{ADMIN_TOKEN, Reply, TestApp, unique};
use serde_json::{Value, json};

/// Sends a request as admin with exactly this `Content-Type` (none when `None`) and body.
async fn raw(
    app: &TestApp,
    method: &str,
    path: &str,
    content_type: Option<&str>,
    body: impl Into<Vec<u8>>,
) -> Reply {
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
    let mut request = app
        .http
        .request(method, format!("{}{path}", app.base))
        .header("PRIVATE-TOKEN", ADMIN_TOKEN);
    if let Some(content_type) = content_type {
        request = request.header("Content-Type", content_type);
    }
    let body = body.into();
    if !body.is_empty() {
        request = request.body(body);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    Reply {
        status,
        body,
        headers,
    }
}

/// What the admin sees of everything a request could change.
async fn state(app: &TestApp) -> Vec<(u16, Value, Option<String>)> {
    let mut out = Vec::new();
    for path in [
        "/groups?all_available=true&per_page=100",
        "/projects?per_page=100",
        "/users?per_page=100",
        "/organizations?per_page=100",
    ] {
        let reply = app.get(app.admin(), path).await;
        out.push((reply.status, reply.body.clone(), reply.header("x-total")));
    }
    out
}

/// Sends a request that must be refused with `status` and `body`, and changes nothing.
#[track_caller]
fn refused<'a>(
    app: &'a TestApp,
    method: &'a str,
    path: &'a str,
    content_type: Option<&'a str>,
    body: &'a [u8],
    status: u16,
    expected: Value,
) -> impl std::future::Future<Output = ()> + 'a {
    let caller = std::panic::Location::caller();
    async move {
        let before = state(app).await;
        let reply = raw(app, method, path, content_type, body.to_vec()).await;
        assert_eq!(
            (reply.status, &reply.body),
            (status, &expected),
            "{method} {path} ({content_type:?}), at {caller}"
        );
        assert!(
            before == state(app).await,
            "{method} {path} ({content_type:?}) changed something, at {caller}"
        );
    }
}

fn error(message: &str) -> Value {
    json!({ "error": message })
}

const BOUNDARY: &str = "orgcells-test-boundary";

/// A multipart body of text fields and one file part.
fn multipart(fields: &[(&str, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(value);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"avatar\"; \
             filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(&[0x89, b'P', b'N', b'G', 0, 0xff, 0xfe, b'\r', b'\n']);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

fn multipart_type() -> String {
    format!("multipart/form-data; boundary={BOUNDARY}")
}

// 1. A body is read by its Content-Type alone.

async fn json_is_read_when_labelled_or_unlabelled(app: &TestApp) {
    for content_type in [
        Some("application/json"),
        Some("application/json; charset=utf-8"),
        Some("Application/JSON;charset=UTF-8"),
        Some("application/vnd.api+json"),
        None,
    ] {
        let path = unique("g");
        let body = json!({"name": path, "path": path}).to_string();
        let reply = raw(app, "POST", "/groups", content_type, body).await;
        assert_eq!(reply.status, 201, "{content_type:?}: {}", reply.body);
        assert_eq!(reply.body["path"], json!(path));
    }
}

async fn forms_are_read_urlencoded_and_multipart(app: &TestApp) {
    let path = unique("g");
    let form = format!("name={path}&path={path}&description=a+b%21");
    let reply = raw(
        app,
        "POST",
        "/groups",
        Some("application/x-www-form-urlencoded; charset=utf-8"),
        form,
    )
    .await
    .expect(201);
    assert_eq!(reply.body["description"], json!("a b!"));

    // A multipart form, with a file part that is skipped but does not stop the reading.
    let path = unique("g");
    let body = multipart(&[
        ("name", path.as_bytes()),
        ("path", path.as_bytes()),
        ("description", "déjà vu".as_bytes()),
    ]);
    let reply = raw(app, "POST", "/groups", Some(&multipart_type()), body)
        .await
        .expect(201);
    assert_eq!(reply.body["path"], json!(path));
    assert_eq!(reply.body["description"], json!("déjà vu"));

    // python-gitlab's update of a Project with a multipart body.
    let (group, _) = app.group(None, "private", None).await;
    let (project, _) = app.project(group, "private").await;
    let reply = raw(
        app,
        "PUT",
        &format!("/projects/{project}"),
        Some(&multipart_type()),
        multipart(&[("description", b"from a form")]),
    )
    .await
    .expect(200);
    assert_eq!(reply.body["description"], json!("from a form"));
}

async fn a_body_labelled_otherwise_is_not_taken_as_json(app: &TestApp) {
    let path = unique("g");
    let body = json!({"name": path, "path": path}).to_string();
    // text/plain is taken but not read: its parameters are missing.
    refused(
        app,
        "POST",
        "/groups",
        Some("text/plain"),
        body.as_bytes(),
        400,
        error("name is missing, path is missing"),
    )
    .await;
    // Any other type with a body is 415: a cross-site form cannot pass JSON off as itself.
    for content_type in [
        "text/xml",
        "application/xml",
        "application/octet-stream",
        "application/jsonx",
    ] {
        refused(
            app,
            "POST",
            "/groups",
            Some(content_type),
            body.as_bytes(),
            415,
            error(&format!(
                "The provided content-type '{content_type}' is not supported."
            )),
        )
        .await;
    }
    refused(
        app,
        "POST",
        "/groups",
        Some("text/html; charset=utf-8"),
        body.as_bytes(),
        415,
        error("The provided content-type 'text/html' is not supported."),
    )
    .await;
}

async fn deletes_read_their_bodies_by_type_too(app: &TestApp) {
    let (group, _) = app.group(None, "private", None).await;
    let (project, _) = app.project(group, "private").await;
    let (user, _) = app.user("member").await;
    app.add_member("groups", group, user, 30).await;
    let org = app.organization("public").await;
    for path in [
        format!("/groups/{group}/members/{user}"),
        format!("/projects/{project}"),
        format!("/groups/{group}"),
        format!("/organizations/{org}"),
        format!("/users/{user}"),
    ] {
        refused(
            app,
            "DELETE",
            &path,
            Some("application/xml"),
            b"<delete/>",
            415,
            error("The provided content-type 'application/xml' is not supported."),
        )
        .await;
    }
}

async fn a_request_without_a_body_never_gets_415(app: &TestApp) {
    // python-gitlab labels its bodiless GETs as JSON.
    for content_type in ["application/json", "text/xml", "image/png"] {
        raw(app, "GET", "/groups", Some(content_type), "")
            .await
            .expect(200);
        raw(app, "GET", "/users?per_page=1", Some(content_type), "")
            .await
            .expect(200);
    }
    // The bodies of GETs are not read at all, as Grape's.
    raw(app, "GET", "/groups", Some("text/xml"), "<a/>")
        .await
        .expect(200);
    let (group, _) = app.group(None, "private", None).await;
    raw(
        app,
        "DELETE",
        &format!("/groups/{group}"),
        Some("text/xml"),
        "",
    )
    .await
    .expect(202);
}

async fn text_that_is_not_utf8_is_400(app: &TestApp) {
    let path = unique("g");
    // GitLab's HandleMalformedStrings: plain `Bad Request`, as for a NUL byte. %FF is no UTF-8:
    // it is refused, not read as a replacement character.
    let bad = Value::String("Bad Request".into());
    refused(
        app,
        "POST",
        "/groups",
        Some("application/x-www-form-urlencoded"),
        format!("name=%FF&path={path}").as_bytes(),
        400,
        bad.clone(),
    )
    .await;
    refused(
        app,
        "POST",
        &format!("/groups?name=a%C3&path={path}"),
        None,
        b"",
        400,
        bad.clone(),
    )
    .await;
    let mut body = multipart(&[("path", path.as_bytes())]);
    body.splice(0..0, multipart_name_field(&[0xff, 0xfe]));
    refused(
        app,
        "POST",
        "/groups",
        Some(&multipart_type()),
        &body,
        400,
        bad.clone(),
    )
    .await;
    // Raw bytes that are not UTF-8 in a JSON body.
    let mut json_body = format!(r#"{{"path": "{path}", "name": ""#).into_bytes();
    json_body.extend_from_slice(&[0xff, b'"', b'}']);
    refused(
        app,
        "POST",
        "/groups",
        Some("application/json"),
        &json_body,
        400,
        bad.clone(),
    )
    .await;
    let (group, _) = app.group(None, "private", None).await;
    refused(
        app,
        "PUT",
        &format!("/groups/{group}?description=%E2%82"),
        Some("application/json"),
        b"{}",
        400,
        bad.clone(),
    )
    .await;
    for path in ["/groups?search=%FF", "/groups/%FF", "/users/1%C3"] {
        let reply = raw(app, "GET", path, None, "").await;
        assert_eq!((reply.status, &reply.body), (400, &bad), "GET {path}");
        assert!(
            reply
                .header("content-type")
                .is_some_and(|t| t.starts_with("text/plain")),
            "GET {path}"
        );
    }
}

/// A multipart field `name` holding these bytes.
fn multipart_name_field(value: &[u8]) -> Vec<u8> {
    let mut out = format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\n")
        .into_bytes();
    out.extend_from_slice(value);
    out.extend_from_slice(b"\r\n");
    out
}

// 2. Parameters are validated by type and allowed values before anything happens.

async fn list_parameters_are_validated(app: &TestApp) {
    let (group, _) = app.group(None, "private", None).await;
    let (user, _) = app.user("member").await;
    let cases: &[(&str, &str)] = &[
        (
            "/groups?order_by=evil",
            "order_by does not have a valid value",
        ),
        ("/groups?sort=up", "sort does not have a valid value"),
        (
            "/groups?sort=up&order_by=evil",
            "order_by does not have a valid value, sort does not have a valid value",
        ),
        ("/groups?owned=abc", "owned is invalid"),
        (
            "/groups?min_access_level=33",
            "min_access_level does not have a valid value",
        ),
        ("/groups?skip_groups[]=x", "skip_groups is invalid"),
        ("/groups?page=abc", "page is invalid"),
        (
            "/groups/{g}/subgroups?order_by=evil",
            "order_by does not have a valid value",
        ),
        (
            "/groups/{g}/descendant_groups?sort=up",
            "sort does not have a valid value",
        ),
        (
            "/groups/{g}/projects?visibility=secret",
            "visibility does not have a valid value",
        ),
        (
            "/groups/{g}/projects?include_subgroups=maybe",
            "include_subgroups is invalid",
        ),
        (
            "/projects?visibility=secret",
            "visibility does not have a valid value",
        ),
        (
            "/projects?order_by=evil",
            "order_by does not have a valid value",
        ),
        ("/projects?sort=up", "sort does not have a valid value"),
        ("/projects?membership=2", "membership is invalid"),
        (
            "/users?order_by=evil",
            "order_by does not have a valid value",
        ),
        ("/users?sort=up", "sort does not have a valid value"),
        ("/users?active=abc", "active is invalid"),
        (
            "/users/{u}/memberships?type=Group",
            "type does not have a valid value",
        ),
        (
            "/users/{u}/projects?visibility=secret",
            "visibility does not have a valid value",
        ),
        ("/groups/{g}/members?user_ids=abc", "user_ids is invalid"),
        ("/groups/{g}/members/all?per_page=x", "per_page is invalid"),
        ("/namespaces?page=x", "page is invalid"),
        ("/organizations?per_page=x", "per_page is invalid"),
        (
            "/organizations/1/groups?order_by=evil",
            "order_by does not have a valid value",
        ),
        (
            "/organizations/1/projects?visibility=secret",
            "visibility does not have a valid value",
        ),
    ];
    for (path, message) in cases {
        let path = path
            .replace("{g}", &group.to_string())
            .replace("{u}", &user.to_string());
        let reply = app.get(app.admin(), &path).await;
        assert_eq!(
            (reply.status, &reply.body),
            (400, &error(message)),
            "GET {path}"
        );
    }
    // Booleans as Grape coerces them.
    for value in [
        "true", "false", "1", "0", "t", "f", "yes", "no", "True", "on", "N",
    ] {
        app.get(app.admin(), &format!("/groups?owned={value}"))
            .await
            .expect(200);
    }
}

async fn bodies_are_validated_before_anything_happens(app: &TestApp) {
    let (group, _) = app.group(None, "private", None).await;
    let (project, _) = app.project(group, "private").await;
    let (user, _) = app.user("member").await;
    app.add_member("groups", group, user, 30).await;
    let org = app.organization("public").await;
    let n = unique("n");
    let cases: Vec<(&str, String, Value, &str)> = vec![
        (
            "POST",
            "/groups".into(),
            json!({"name": n, "path": n, "visibility": "secret"}),
            "visibility does not have a valid value",
        ),
        (
            "POST",
            "/groups".into(),
            json!({"name": n, "path": n, "visibility": "PUBLIC"}),
            "visibility does not have a valid value",
        ),
        (
            "POST",
            "/groups".into(),
            json!({"name": n, "path": n, "parent_id": "abc"}),
            "parent_id is invalid",
        ),
        (
            "POST",
            "/groups".into(),
            json!({"name": n, "path": n, "project_creation_level": "bogus", "visibility": "secret"}),
            "visibility does not have a valid value, project_creation_level does not have a valid value",
        ),
        (
            "POST",
            "/groups".into(),
            json!({"name": n}),
            "path is missing",
        ),
        (
            "PUT",
            format!("/groups/{group}"),
            json!({"visibility": "secret"}),
            "visibility does not have a valid value",
        ),
        (
            "PUT",
            format!("/groups/{group}"),
            json!({"name": ["a"]}),
            "name is invalid",
        ),
        (
            "POST",
            "/projects".into(),
            json!({"name": n, "namespace_id": group, "visibility": "secret"}),
            "visibility does not have a valid value",
        ),
        (
            "POST",
            "/projects".into(),
            json!({"namespace_id": group}),
            "name, path are missing, at least one parameter must be provided",
        ),
        (
            "PUT",
            format!("/projects/{project}"),
            json!({"visibility": 7}),
            "visibility does not have a valid value",
        ),
        (
            "PUT",
            format!("/projects/{project}/transfer"),
            json!({}),
            "namespace is missing",
        ),
        (
            "POST",
            "/users".into(),
            json!({"username": n, "email": format!("{n}@example.com"), "name": n, "skip_confirmation": "abc", "force_random_password": true}),
            "skip_confirmation is invalid",
        ),
        (
            "POST",
            "/users".into(),
            json!({"username": n, "name": n, "force_random_password": true}),
            "email is missing",
        ),
        (
            "POST",
            "/users".into(),
            json!({}),
            "email is missing, password, reset_password, force_random_password are missing, \
             at least one parameter must be provided, name is missing, username is missing",
        ),
        (
            "POST",
            "/users".into(),
            json!({"username": n, "email": format!("{n}@example.com"), "name": n, "admin": "maybe", "force_random_password": true}),
            "admin is invalid",
        ),
        (
            "PUT",
            format!("/users/{user}"),
            json!({"skip_reconfirmation": "abc"}),
            "skip_reconfirmation is invalid",
        ),
        (
            "POST",
            "/organizations".into(),
            json!({"name": n, "path": n, "visibility": "secret"}),
            "visibility does not have a valid value",
        ),
        (
            "POST",
            "/organizations".into(),
            json!({"path": n}),
            "name is missing",
        ),
        (
            "PUT",
            format!("/organizations/{org}"),
            json!({"visibility": "secret"}),
            "visibility does not have a valid value",
        ),
        (
            "POST",
            format!("/groups/{group}/members"),
            json!({"user_id": user, "access_level": "abc"}),
            "access_level is invalid",
        ),
        (
            "POST",
            format!("/groups/{group}/members"),
            json!({"user_id": user}),
            "access_level is missing",
        ),
        (
            "PUT",
            format!("/groups/{group}/members/{user}"),
            json!({"access_level": "x"}),
            "access_level is invalid",
        ),
        (
            "POST",
            format!("/projects/{project}/members"),
            json!({"user_id": user, "access_level": 30, "expires_at": ["x"]}),
            "expires_at is invalid",
        ),
        (
            "POST",
            format!("/groups/{group}/share"),
            json!({"group_id": group, "group_access": 33}),
            "group_access does not have a valid value",
        ),
        (
            "POST",
            format!("/projects/{project}/share"),
            json!({"group_access": 30}),
            "group_id is missing",
        ),
        (
            "DELETE",
            format!("/users/{user}?hard_delete=perhaps"),
            Value::Null,
            "hard_delete is invalid",
        ),
        (
            "POST",
            format!("/users/{user}/personal_access_tokens"),
            json!({"name": "t", "scopes": ["api", "everything"]}),
            "scopes does not have a valid value",
        ),
        (
            "POST",
            format!("/users/{user}/personal_access_tokens"),
            json!({"scopes": ["api"]}),
            "name is missing",
        ),
        (
            "POST",
            format!("/groups/{group}/members"),
            json!({"access_level": 30}),
            "user_id, username are missing, at least one parameter must be provided",
        ),
        (
            "POST",
            format!("/projects/{project}/members"),
            json!({"user_id": user, "username": "someone", "access_level": 30}),
            "user_id, username are mutually exclusive",
        ),
        (
            "POST",
            "/user/personal_access_tokens".into(),
            json!({"name": "t", "scopes": ["api"]}),
            "scopes does not have a valid value",
        ),
    ];
    for (method, path, body, message) in cases {
        let body = if body.is_null() {
            Vec::new()
        } else {
            body.to_string().into_bytes()
        };
        refused(
            app,
            method,
            &path,
            Some("application/json"),
            &body,
            400,
            error(message),
        )
        .await;
    }
    // The same through a form: all values are text there.
    refused(
        app,
        "POST",
        "/users",
        Some("application/x-www-form-urlencoded"),
        format!("username={n}&email={n}%40example.com&name={n}&skip_confirmation=abc&force_random_password=true").as_bytes(),
        400,
        error("skip_confirmation is invalid"),
    )
    .await;
    // A Boolean GitLab takes is taken.
    app.post(
        app.admin(),
        "/users",
        json!({"username": n, "email": format!("{n}@example.com"), "name": n, "skip_confirmation": "yes", "force_random_password": true}),
    )
    .await
    .expect(201);
}

async fn model_validation_keeps_its_own_shape(app: &TestApp) {
    let (_, path) = app.group(None, "private", None).await;
    let before = state(app).await;
    let reply = app
        .post(
            app.admin(),
            "/groups",
            json!({"name": unique("n"), "path": path}),
        )
        .await
        .expect(400);
    assert!(
        reply.body["message"]["path"].is_array(),
        "a taken path is the model's error: {}",
        reply.body
    );
    assert!(before == state(app).await);
}

async fn group_lists_filter_by_visibility(app: &TestApp) {
    let (public, _) = app.group(None, "public", None).await;
    let (private, _) = app.group(None, "private", None).await;
    let (sub, _) = app.group(Some(public), "public", None).await;
    let ids = |reply: &Reply| -> Vec<i64> {
        reply
            .body
            .as_array()
            .expect("list")
            .iter()
            .filter_map(|g| g["id"].as_i64())
            .collect()
    };
    let reply = app
        .get(
            app.admin(),
            "/groups?all_available=true&visibility=public&per_page=100",
        )
        .await
        .expect(200);
    assert!(ids(&reply).contains(&public) && ids(&reply).contains(&sub));
    assert!(!ids(&reply).contains(&private), "{}", reply.body);
    let reply = app
        .get(
            app.admin(),
            "/groups?all_available=true&visibility=private&per_page=100",
        )
        .await
        .expect(200);
    assert!(ids(&reply).contains(&private));
    assert!(!ids(&reply).contains(&public), "{}", reply.body);
    let reply = app
        .get(
            app.admin(),
            &format!("/groups/{public}/descendant_groups?visibility=private"),
        )
        .await
        .expect(200);
    assert_eq!(ids(&reply), Vec::<i64>::new());
    let reply = app.get(app.admin(), "/groups?visibility=secret").await;
    assert_eq!(
        (reply.status, &reply.body),
        (400, &error("visibility does not have a valid value"))
    );
}

// 3. An update that names no parameter it knows.

async fn an_update_with_nothing_to_change_is_refused(app: &TestApp) {
    let (group, _) = app.group(None, "private", None).await;
    let (project, _) = app.project(group, "private").await;
    let (user, _) = app.user("member").await;
    app.add_member("groups", group, user, 30).await;
    app.add_member("projects", project, user, 30).await;
    let org = app.organization("public").await;
    let projects =
        "description, name, path, visibility are missing, at least one parameter must be provided";
    let organizations = "name, path, description, visibility, avatar_url, avatar are missing, at least one parameter must be provided";
    let cases: Vec<(String, &[u8], &str)> = vec![
        (format!("/projects/{project}"), b"{}", projects),
        (format!("/projects/{project}"), b"", projects),
        (
            format!("/projects/{project}"),
            br#"{"default_branch_x": "main"}"#,
            projects,
        ),
        (format!("/organizations/{org}"), b"{}", organizations),
        (format!("/organizations/{org}"), b"", organizations),
        (
            format!("/groups/{group}/members/{user}"),
            b"{}",
            "access_level is missing",
        ),
        (
            format!("/projects/{project}/members/{user}"),
            br#"{"expires_at": "2099-01-01"}"#,
            "access_level is missing",
        ),
    ];
    for (path, body, message) in cases {
        refused(
            app,
            "PUT",
            &path,
            Some("application/json"),
            body,
            400,
            error(message),
        )
        .await;
    }
    // GitLab's PUT /groups/:id and PUT /users/:id take an empty update (no at_least_one_of):
    // it answers the unchanged resource.
    for path in [format!("/groups/{group}"), format!("/users/{user}")] {
        let before = app.get(app.admin(), &path).await.expect(200);
        let reply = raw(app, "PUT", &path, Some("application/json"), "{}")
            .await
            .expect(200);
        assert_eq!(reply.body["id"], before.body["id"]);
        let after = app.get(app.admin(), &path).await.expect(200);
        assert_eq!(before.body, after.body, "{path}");
    }
}

// 4. A NUL byte anywhere in a parameter.

async fn a_nul_byte_anywhere_is_400(app: &TestApp) {
    let (group, _) = app.group(None, "private", None).await;
    let (project, _) = app.project(group, "private").await;
    let n = unique("n");
    let bad = Value::String("Bad Request".into());
    let json_cases: Vec<(&str, String, Value)> = vec![
        (
            "POST",
            "/groups".into(),
            json!({"name": format!("a\u{0}{n}"), "path": n}),
        ),
        (
            "POST",
            "/groups".into(),
            json!({"name": n, "path": n, "description": "x\u{0}"}),
        ),
        (
            "POST",
            "/groups".into(),
            json!({"name": n, "path": n, "extra": {"deep": ["\u{0}"]}}),
        ),
        (
            "POST",
            "/groups".into(),
            json!({"name": n, "path": n, "x\u{0}": 1}),
        ),
        (
            "PUT",
            format!("/projects/{project}"),
            json!({"description": "\u{0}"}),
        ),
        (
            "POST",
            "/users".into(),
            json!({"username": n, "email": format!("{n}@example.com"), "name": "\u{0}", "force_random_password": true}),
        ),
        (
            "POST",
            "/organizations".into(),
            json!({"name": "\u{0}", "path": n}),
        ),
    ];
    for (method, path, body) in json_cases {
        let reply_body = body.to_string();
        refused(
            app,
            method,
            &path,
            Some("application/json"),
            reply_body.as_bytes(),
            400,
            bad.clone(),
        )
        .await;
    }
    refused(
        app,
        "POST",
        "/groups",
        Some("application/x-www-form-urlencoded"),
        format!("name=a%00b&path={n}").as_bytes(),
        400,
        bad.clone(),
    )
    .await;
    refused(
        app,
        "POST",
        &format!("/groups?name=a%00b&path={n}"),
        None,
        b"",
        400,
        bad.clone(),
    )
    .await;
    refused(
        app,
        "POST",
        "/groups",
        Some(&multipart_type()),
        &multipart(&[("name", b"a\0b"), ("path", n.as_bytes())]),
        400,
        bad.clone(),
    )
    .await;
    refused(
        app,
        "PUT",
        &format!("/groups/{group}%00"),
        Some("application/json"),
        br#"{"name": "x"}"#,
        400,
        bad.clone(),
    )
    .await;
    for path in [
        "/groups?search=%00".to_owned(),
        "/projects?search=a%00".to_owned(),
        "/users?username=%00".to_owned(),
        "/namespaces?search=%00".to_owned(),
        format!("/groups/{group}?with_projects=%00"),
        "/groups/a%00b".to_owned(),
        "/projects/a%2Fb%00".to_owned(),
        "/users/1%00".to_owned(),
    ] {
        let reply = raw(app, "GET", &path, None, "").await;
        assert_eq!((reply.status, &reply.body), (400, &bad), "GET {path}");
        assert!(
            reply
                .header("content-type")
                .is_some_and(|t| t.starts_with("text/plain")),
            "GET {path}: {:?}",
            reply.header("content-type")
        );
    }
    // Before anything else reads the request, authentication included: no token, a token
    // that does not exist, and an anonymous write all get the same plain 400.
    for (method, token) in [
        ("GET", None),
        ("GET", Some("glpat-no-such-token-000000")),
        ("POST", None),
        ("DELETE", Some("glpat-no-such-token-000000")),
    ] {
        let mut request = app.http.request(
            reqwest::Method::from_bytes(method.as_bytes()).expect("method"),
            format!("{}/groups/{group}?search=a%00", app.base),
        );
        if let Some(token) = token {
            request = request.header("PRIVATE-TOKEN", token);
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let text = response.text().await.expect("body");
        assert_eq!(
            (status, Value::String(text)),
            (400, bad.clone()),
            "{method} with {token:?}"
        );
    }
}

// 5. GET /users: newest first unless told otherwise.

async fn users_are_listed_by_id_descending(app: &TestApp) {
    let (first, _) = app.user("zz-first").await;
    let (second, _) = app.user("aa-second").await;
    let ids = |reply: &Reply| -> Vec<i64> {
        reply
            .body
            .as_array()
            .expect("list")
            .iter()
            .filter_map(|u| u["id"].as_i64())
            .filter(|id| [first, second].contains(id))
            .collect()
    };
    let reply = app
        .get(app.admin(), "/users?per_page=100")
        .await
        .expect(200);
    assert_eq!(ids(&reply), vec![second, first], "{}", reply.body);
    let all: Vec<i64> = reply
        .body
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|u| u["id"].as_i64())
        .collect();
    let mut sorted = all.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(all, sorted, "id descending by default");
    let reply = app
        .get(app.admin(), "/users?per_page=100&sort=asc")
        .await
        .expect(200);
    assert_eq!(ids(&reply), vec![first, second]);
    let reply = app
        .get(app.admin(), "/users?per_page=100&order_by=id&sort=desc")
        .await
        .expect(200);
    assert_eq!(ids(&reply), vec![second, first]);
    // The other orders GitLab's users API offers.
    let reply = app
        .get(
            app.admin(),
            "/users?per_page=100&order_by=username&sort=asc",
        )
        .await
        .expect(200);
    assert_eq!(ids(&reply), vec![second, first], "aa- before zz-");
    let reply = app
        .get(app.admin(), "/users?per_page=100&order_by=name&sort=desc")
        .await
        .expect(200);
    assert_eq!(ids(&reply), vec![first, second], "zz- before aa-");
    for order in ["created_at", "updated_at"] {
        app.get(app.admin(), &format!("/users?order_by={order}"))
            .await
            .expect(200);
    }
    // GitLab drops `order_by` and `sort` for those who cannot read all resources.
    let (_, token) = app.user("plain").await;
    let reply = app
        .get(
            Some(&token),
            "/users?per_page=100&sort=asc&order_by=username",
        )
        .await
        .expect(200);
    assert_eq!(ids(&reply), vec![second, first], "{}", reply.body);
    // Keyset pagination follows the default order: the next page is `id_before`.
    let reply = app
        .get(app.admin(), "/users?pagination=keyset&per_page=1")
        .await
        .expect(200);
    assert!(
        reply
            .header("link")
            .is_some_and(|l| l.contains("id_before")),
        "{:?}",
        reply.header("link")
    );
}

both!(
    json_is_read_when_labelled_or_unlabelled,
    forms_are_read_urlencoded_and_multipart,
    a_body_labelled_otherwise_is_not_taken_as_json,
    a_request_without_a_body_never_gets_415,
    deletes_read_their_bodies_by_type_too,
    text_that_is_not_utf8_is_400,
    list_parameters_are_validated,
    bodies_are_validated_before_anything_happens,
    model_validation_keeps_its_own_shape,
    group_lists_filter_by_visibility,
    an_update_with_nothing_to_change_is_refused,
    a_nul_byte_anywhere_is_400,
    users_are_listed_by_id_descending,
);
