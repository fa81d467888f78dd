//! `orgcells org move <org> --to <cell>`: an Organization moved from the command line, through
//! the running cluster's admin API (`POST /api/v4/admin/organizations/:id/move`), followed to
//! its end with a progress bar. `--resume` and `--rollback` go on with or give up a move that
//! failed.

use std::io::Write;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::{Value, json};

/// What to do with the Organization's move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Move it to this Cell.
    To(u16),
    Resume,
    RollBack,
}

/// How long a move may take before the command stops following it (it goes on).
const FOLLOW_FOR: Duration = Duration::from_secs(6 * 3600);

/// The steps, in order, as the bar shows them.
const STEPS: [&str; 3] = ["copying", "switched", "cleaning"];

struct Api {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Api {
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> anyhow::Result<(u16, Value)> {
        let mut request = self
            .http
            .request(method, format!("{}/api/v4{path}", self.base))
            .header("PRIVATE-TOKEN", &self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let answer = request
            .send()
            .await
            .with_context(|| format!("reaching the cluster at {}", self.base))?;
        let status = answer.status().as_u16();
        let text = answer.text().await.unwrap_or_default();
        Ok((
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        ))
    }

    async fn expect(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
        want: &[u16],
    ) -> anyhow::Result<Value> {
        let (status, answer) = self.call(method.clone(), path, body).await?;
        if !want.contains(&status) {
            let message = answer
                .get("message")
                .or_else(|| answer.get("error"))
                .unwrap_or(&answer);
            bail!("{method} {path}: {status} {message}");
        }
        Ok(answer)
    }
}

/// The bar of a move's state: its steps done, the current one, the time so far.
fn bar(answer: &Value, elapsed: Duration) -> String {
    let state = answer["state"].as_str().unwrap_or("?");
    let step = answer["step"].as_str().unwrap_or("?");
    let done = match state {
        "finished" => STEPS.len(),
        _ => STEPS.iter().position(|s| *s == step).unwrap_or(0),
    };
    let width = 30;
    let filled = width * done / STEPS.len();
    format!(
        "[{}{}] {state} ({step}) {:.1} s",
        "=".repeat(filled),
        " ".repeat(width - filled),
        elapsed.as_secs_f64()
    )
}

/// Moves (or resumes, or rolls back) `org` (an id or a path) on the cluster at `base`, as the
/// admin whose token is `token`; follows it to its end. The move's last state.
pub async fn run(base: &str, token: &str, org: &str, action: Action) -> anyhow::Result<Value> {
    let api = Api {
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()?,
        base: base.trim_end_matches('/').to_owned(),
        token: token.to_owned(),
    };
    let id = match org.parse::<i64>() {
        Ok(id) => id,
        Err(_) => {
            let found = api
                .expect(
                    reqwest::Method::GET,
                    &format!("/organizations/{org}"),
                    None,
                    &[200],
                )
                .await?;
            found["id"].as_i64().context("the Organization has no id")?
        }
    };
    let path = format!("/admin/organizations/{id}/move");
    let started = Instant::now();
    let mut answer = match action {
        Action::To(cell) => {
            api.expect(
                reqwest::Method::POST,
                &path,
                Some(json!({ "cell_id": cell })),
                &[202],
            )
            .await?
        }
        Action::Resume => {
            api.expect(
                reqwest::Method::POST,
                &format!("{path}/resume"),
                None,
                &[202],
            )
            .await?
        }
        Action::RollBack => {
            let answer = api
                .expect(
                    reqwest::Method::POST,
                    &format!("{path}/rollback"),
                    None,
                    &[200],
                )
                .await?;
            eprintln!("{}", bar(&answer, started.elapsed()));
            return Ok(answer);
        }
    };
    eprintln!(
        "Moving Organization {id} from Cell {} to Cell {}",
        answer["from_cell_id"], answer["to_cell_id"]
    );
    let mut stderr = std::io::stderr();
    while answer["state"] == "running" {
        if started.elapsed() > FOLLOW_FOR {
            bail!(
                "the move is still running after {FOLLOW_FOR:?}; follow it with GET /api/v4{path}"
            );
        }
        let _ = write!(stderr, "\r{}", bar(&answer, started.elapsed()));
        let _ = stderr.flush();
        tokio::time::sleep(Duration::from_millis(200)).await;
        answer = api
            .expect(reqwest::Method::GET, &path, None, &[200])
            .await?;
    }
    let _ = writeln!(stderr, "\r{}", bar(&answer, started.elapsed()));
    match answer["state"].as_str() {
        Some("finished") => Ok(answer),
        _ => bail!(
            "the move {} at step {}: {} (go on with --resume{})",
            answer["state"].as_str().unwrap_or("?"),
            answer["step"].as_str().unwrap_or("?"),
            answer["error"].as_str().unwrap_or("no reason given"),
            if answer["step"] == "copying" {
                ", or give it up with --rollback"
            } else {
                ""
            }
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_follows_the_steps() {
        let cases = [
            (json!({"state": "running", "step": "copying"}), 0),
            (json!({"state": "running", "step": "switched"}), 10),
            (json!({"state": "running", "step": "cleaning"}), 20),
            (json!({"state": "finished", "step": "cleaning"}), 30),
            (json!({"state": "failed", "step": "copying"}), 0),
        ];
        for (answer, filled) in cases {
            let shown = bar(&answer, Duration::from_millis(1500));
            assert_eq!(shown.matches('=').count(), filled, "{shown}");
            assert!(shown.ends_with("1.5 s"), "{shown}");
        }
    }
}
