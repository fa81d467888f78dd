//! An Organization's avatar uploaded as a file (`PUT /organizations/:id`, multipart `avatar`):
//! a PNG, JPEG or GIF known by its content, at most 200 KiB, kept in the Cell's database and
//! served at `avatar_url` to whoever sees the Organization; anything else refused, naming the
//! field, with nothing changed.

mod common;

use common::{ADMIN_TOKEN, TestApp};
use serde_json::{Value, json};

const BOUNDARY: &str = "orgcells-avatar-boundary";

fn png(size: usize) -> Vec<u8> {
    let mut bytes = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    bytes.resize(size.max(8), 7);
    bytes
}

/// A multipart body with one file part, `avatar`.
fn upload(file: &[u8]) -> Vec<u8> {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"avatar\"; \
         filename=\"logo.png\"\r\nContent-Type: image/png\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

async fn put_avatar(app: &TestApp, token: &str, org: i64, file: &[u8]) -> (u16, Value) {
    let response = app
        .http
        .put(format!("{}/organizations/{org}", app.base))
        .header("PRIVATE-TOKEN", token)
        .header(
            "Content-Type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(upload(file))
        .send()
        .await
        .expect("an answer");
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// The avatar at `url`: its status, content type and bytes.
async fn fetch(app: &TestApp, token: Option<&str>, url: &str) -> (u16, String, Vec<u8>) {
    let mut request = app.http.get(url);
    if let Some(token) = token {
        request = request.header("PRIVATE-TOKEN", token);
    }
    let response = request.send().await.expect("an answer");
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (
        status,
        content_type,
        response.bytes().await.expect("bytes").to_vec(),
    )
}

async fn an_avatar_is_uploaded_and_served(app: &TestApp) {
    let org = app.organization("private").await;
    let (_, outsider) = app.user("outsider").await;
    let (user, user_token) = app.user("member").await;
    app.post(
        app.admin(),
        &format!("/organizations/{org}/users"),
        json!({"user_id": user}),
    )
    .await
    .expect(201);
    // Refused, naming the field, nothing changed: (file, message); one line per case.
    let unsupported = "file format is not supported. Please try one of the following supported formats: png, jpg, jpeg, gif";
    let refused: Vec<(Vec<u8>, &str)> = vec![
        (
            png(200 * 1024 + 1),
            "is too big (should be at most 200 KiB)",
        ),
        (
            b"<svg xmlns='http://www.w3.org/2000/svg'/>".to_vec(),
            unsupported,
        ),
        (b"not an image".to_vec(), unsupported),
    ];
    for (file, message) in refused {
        let (status, body) = put_avatar(app, ADMIN_TOKEN, org, &file).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(body["message"]["avatar"], json!([message]), "{body}");
    }
    let before = app
        .get(app.admin(), &format!("/organizations/{org}"))
        .await
        .expect(200);
    assert_eq!(before.body["avatar_url"], Value::Null);
    // A User of it may not change it.
    let (status, _) = put_avatar(app, &user_token, org, &png(64)).await;
    assert_eq!(status, 403);
    // The largest allowed, by an Owner (the admin): served at avatar_url.
    let image = png(200 * 1024);
    let (status, body) = put_avatar(app, ADMIN_TOKEN, org, &image).await;
    assert_eq!(status, 200, "{body}");
    let url = body["avatar_url"].as_str().expect("avatar_url").to_owned();
    assert!(
        url.ends_with(&format!("/api/v4/organizations/{org}/avatar")),
        "{url}"
    );
    // (caller, status); one line per caller: as the Organization is seen.
    let callers: Vec<(Option<&str>, u16)> = vec![
        (Some(ADMIN_TOKEN), 200),
        (Some(&user_token), 200),
        (Some(&outsider), 404),
        (None, 404),
    ];
    for (caller, status) in callers {
        let (got, content_type, bytes) = fetch(app, caller, &url).await;
        assert_eq!(got, status, "{caller:?}");
        if status == 200 {
            assert_eq!(content_type, "image/png");
            assert_eq!(bytes, image);
        }
    }
    // A read-only token changes nothing; a User banned from the Organization sees nothing.
    let read_api = app.token(user, &["read_api"]).await;
    let (status, _) = put_avatar(app, &read_api, org, &png(64)).await;
    assert_eq!(status, 403);
    app.post(
        app.admin(),
        &format!("/organizations/{org}/users/{user}/ban"),
        json!({}),
    )
    .await
    .expect(201);
    let (status, _, _) = fetch(app, Some(&user_token), &url).await;
    assert_eq!(status, 404);
    // Replaced by a GIF, then taken away with an empty avatar_url.
    let gif = b"GIF89a\x01\x00\x01\x00".to_vec();
    put_avatar(app, ADMIN_TOKEN, org, &gif).await;
    let (_, content_type, bytes) = fetch(app, Some(ADMIN_TOKEN), &url).await;
    assert_eq!((content_type.as_str(), bytes), ("image/gif", gif));
    let cleared = app
        .put(
            app.admin(),
            &format!("/organizations/{org}"),
            json!({"avatar_url": ""}),
        )
        .await
        .expect(200);
    assert_eq!(cleared.body["avatar_url"], Value::Null);
    let (status, _, _) = fetch(app, Some(ADMIN_TOKEN), &url).await;
    assert_eq!(status, 404);
}

both!(an_avatar_is_uploaded_and_served);
