//! Health checks at GitLab's addresses: no authentication, the database checked by readiness
//! only, and a failing check named when the database is gone.

mod common;

use common::TestApp;
use serde_json::json;

async fn get(app: &TestApp, path: &str) -> (u16, String) {
    let response = app
        .http
        .get(format!("{}{path}", app.root()))
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|_| panic!("not JSON: {text}"))
}

async fn health_liveness_and_readiness(app: &TestApp) {
    assert_eq!(get(app, "/-/health").await, (200, "GitLab OK".to_owned()));
    let (status, body) = get(app, "/-/liveness").await;
    assert_eq!((status, json(&body)), (200, json!({"status": "ok"})));
    let (status, body) = get(app, "/-/readiness").await;
    assert_eq!(
        (status, json(&body)),
        (
            200,
            json!({"status": "ok", "master_check": [{"status": "ok"}], "db_check": [{"status": "ok"}]})
        )
    );

    // The database goes away: readiness fails and names the check; the others still answer.
    app.db().close().await;
    let (status, body) = get(app, "/-/readiness").await;
    let body = json(&body);
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["status"], "failed");
    assert_eq!(body["db_check"][0]["status"], "failed");
    assert!(
        body["db_check"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("database")),
        "{body}"
    );
    assert_eq!(get(app, "/-/health").await.0, 200);
    assert_eq!(get(app, "/-/liveness").await.0, 200);
    // The API answers 503 with Retry-After, as its document says, not 500.
    let reply = app.get(Some(common::ADMIN_TOKEN), "/groups").await;
    assert_eq!(reply.status, 503, "{}", reply.body);
    assert_eq!(reply.header("retry-after").as_deref(), Some("1"));
}

both!(health_liveness_and_readiness);

/// An open SQLite connection goes on using a file removed under it: readiness must notice.
#[tokio::test]
async fn readiness_fails_when_the_sqlite_file_is_removed() {
    let app = TestApp::sqlite().await;
    assert_eq!(get(&app, "/-/readiness").await.0, 200);
    std::fs::remove_file(app.config().data_dir.join("orgcells.db")).expect("remove");
    let (status, body) = get(&app, "/-/readiness").await;
    let body = json(&body);
    assert_eq!(status, 503, "{body}");
    assert!(
        body["db_check"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("is gone")),
        "{body}"
    );
    app.finish().await;
}
