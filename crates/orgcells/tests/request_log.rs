//! The request log of the real binary: one line per request with method, route template,
//! status, duration, caller and request id; the operator endpoints quiet at info; and no
//! token, password or cookie anywhere in what the process writes.
//!
//! These run the built `orgcells` binary on SQLite only: the log line is written by the HTTP
//! layer, the same whatever the database.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const ADMIN_TOKEN: &str = "glpat-log-secret-admin-token-1";
const ADMIN_PASSWORD: &str = "log-secret-admin-password-1";
const WRONG_TOKEN: &str = "glpat-log-secret-wrong-token-1";
const JSON_PASSWORD: &str = "log-secret-json-password-1";
const FORM_PASSWORD: &str = "log-secret-form-password-1";
const COOKIE: &str = "log-secret-session-cookie-1";
const SECRETS: [&str; 6] = [
    ADMIN_TOKEN,
    ADMIN_PASSWORD,
    WRONG_TOKEN,
    JSON_PASSWORD,
    FORM_PASSWORD,
    COOKIE,
];

/// A running `orgcells serve`, its stdout and stderr going to files; killed on drop.
struct Server {
    child: Child,
    base: String,
    dir: PathBuf,
}

impl Server {
    async fn start(log_format: &str, filter: &str) -> Server {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let dir = std::env::temp_dir().join(format!(
            "orgcells-request-log-{log_format}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        let output = |name: &str| std::fs::File::create(dir.join(name)).expect("log file");
        let child = Command::new(env!("CARGO_BIN_EXE_orgcells"))
            .env_clear()
            .env("ORGCELLS_ADMIN_TOKEN", ADMIN_TOKEN)
            .env("ORGCELLS_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("ORGCELLS_LOG", filter)
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .args(["--log-format", log_format, "--data-dir"])
            .arg(dir.join("data"))
            .stdin(Stdio::null())
            .stdout(output("stdout"))
            .stderr(output("stderr"))
            .spawn()
            .expect("spawn orgcells");
        let server = Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
            dir,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while reqwest::get(format!("{}/-/liveness", server.base))
            .await
            .is_err()
        {
            assert!(Instant::now() < deadline, "orgcells did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        server
    }

    /// Everything the process wrote. Each request's line is written before its response is
    /// sent, so it is complete once the responses are in.
    fn output(&self) -> (String, String) {
        let read = |name: &str| std::fs::read_to_string(self.dir.join(name)).expect("output");
        (read("stdout"), read("stderr"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn assert_no_secret(output: &str) {
    for secret in SECRETS {
        assert!(!output.contains(secret), "{secret} was logged:\n{output}");
    }
}

/// The request lines among the JSON log lines of `stderr`.
fn request_lines(stderr: &str) -> Vec<Value> {
    stderr
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap_or_else(|_| panic!("{line}")))
        .filter(|line| line["target"] == "orgcells::request")
        .collect()
}

#[tokio::test]
async fn one_json_line_per_request_and_no_secrets() {
    // Everything at debug, to show that no layer logs a secret even there.
    let server = Server::start("json", "debug").await;
    let http = reqwest::Client::new();
    let url = |path: &str| format!("{}{path}", server.base);
    let username = "logged-user";

    // (request, expected status, route, user_id, sudo_by)
    let requests = vec![
        (
            http.get(url("/api/v4/user"))
                .header("PRIVATE-TOKEN", ADMIN_TOKEN)
                .header("X-Request-Id", "client-request-1"),
            200,
            "/api/v4/user",
            Some(1),
        ),
        (
            http.get(url("/api/v4/user")).bearer_auth(ADMIN_TOKEN),
            200,
            "/api/v4/user",
            Some(1),
        ),
        (
            http.get(url(&format!("/api/v4/user?private_token={ADMIN_TOKEN}"))),
            200,
            "/api/v4/user",
            Some(1),
        ),
        (
            http.get(url("/api/v4/user"))
                .header("PRIVATE-TOKEN", WRONG_TOKEN),
            401,
            "/api/v4/user",
            None,
        ),
        (
            http.post(url("/api/v4/users"))
                .header("PRIVATE-TOKEN", ADMIN_TOKEN)
                .json(&json!({"username": username, "email": "logged@example.com", "name": "Logged", "password": JSON_PASSWORD})),
            201,
            "/api/v4/users",
            Some(1),
        ),
        (
            http.post(url("/api/v4/users"))
                .header("PRIVATE-TOKEN", ADMIN_TOKEN)
                .form(&[("username", "formed-user"), ("email", "formed@example.com"), ("name", "Formed"), ("password", FORM_PASSWORD)]),
            201,
            "/api/v4/users",
            Some(1),
        ),
        (
            http.get(url("/api/v4/projects"))
                .header("Cookie", format!("_gitlab_session={COOKIE}")),
            200,
            "/api/v4/projects",
            None,
        ),
        (
            http.get(url(&format!("/api/v4/no/such/{ADMIN_TOKEN}"))),
            404,
            "unmatched",
            None,
        ),
    ];
    let mut replies = Vec::new();
    for (request, status, route, user_id) in requests {
        let response = request.send().await.expect("request");
        assert_eq!(response.status().as_u16(), status, "{route}");
        let request_id = response.headers()["x-request-id"]
            .to_str()
            .expect("request id")
            .to_owned();
        replies.push((status, route, user_id, request_id));
    }
    // Sudo: the line names the User acted as and the admin.
    let response = http
        .get(url("/api/v4/user"))
        .header("PRIVATE-TOKEN", ADMIN_TOKEN)
        .header("Sudo", username)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 200);
    let sudoed: Value = response.json().await.expect("json");
    // The operator endpoints log at debug only.
    let monitoring = ["/-/health", "/-/liveness", "/-/readiness", "/-/metrics"];
    for path in monitoring {
        let response = http.get(url(path)).send().await.expect("request");
        assert_eq!(response.status(), 200, "{path}");
    }

    let (stdout, stderr) = server.output();
    assert_no_secret(&stdout);
    assert_no_secret(&stderr);
    // Past the start-up polls of /-/liveness.
    let lines: Vec<Value> = request_lines(&stderr)
        .into_iter()
        .skip_while(|line| line["route"] == "/-/liveness")
        .collect();
    assert_eq!(
        lines.len(),
        replies.len() + 1 + monitoring.len(),
        "{stderr}"
    );
    for (line, path) in lines[replies.len() + 1..].iter().zip(monitoring) {
        assert_eq!(
            (&line["level"], &line["route"]),
            (&json!("DEBUG"), &json!(path))
        );
    }
    assert_eq!(replies[0].3, "client-request-1");
    for (line, (status, route, user_id, request_id)) in lines.iter().zip(&replies) {
        assert_eq!(line["level"], "INFO", "{line}");
        assert_eq!(line["route"], *route, "{line}");
        assert_eq!(line["status"], *status, "{line}");
        assert!(line["method"].is_string(), "{line}");
        assert!(line["duration_ms"].is_f64(), "{line}");
        assert_eq!(line["request_id"], *request_id, "{line}");
        assert_eq!(line["user_id"].as_i64(), *user_id, "{line}");
        assert!(line.get("sudo_by").is_none(), "{line}");
    }
    let sudo_line = &lines[replies.len()];
    assert_eq!(sudo_line["user_id"], sudoed["id"], "{sudo_line}");
    assert_eq!(sudo_line["sudo_by"], 1, "{sudo_line}");
    assert_eq!(lines[4]["method"], "POST");
}

#[tokio::test]
async fn text_lines_are_readable_and_keep_secrets_out() {
    let server = Server::start("text", "info").await;
    let http = reqwest::Client::new();
    let response = http
        .get(format!("{}/api/v4/user", server.base))
        .header("PRIVATE-TOKEN", ADMIN_TOKEN)
        .header("Cookie", format!("_gitlab_session={COOKIE}"))
        .header("X-Request-Id", "client-request-2")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-request-id"], "client-request-2");

    let (stdout, stderr) = server.output();
    assert_no_secret(&stdout);
    assert_no_secret(&stderr);
    let line = stderr
        .lines()
        .find(|line| line.contains("orgcells::request"))
        .unwrap_or_else(|| panic!("no request line in {stderr}"));
    for field in [
        "GET /api/v4/user 200",
        "route=\"/api/v4/user\"",
        "status=200",
        "user_id=1",
        "request_id=client-request-2",
    ] {
        assert!(line.contains(field), "{field} not in {line}");
    }
}
