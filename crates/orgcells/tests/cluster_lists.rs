//! The cluster's lists through the router of a three-Cell cluster: `GET /groups`, `/projects`
//! and `/organizations` hold every Cell's rows, merged in the list's order exactly as the Cells'
//! own answers sorted together give them; offset pages, keyset pages and `X-Total` agree with
//! that; each caller sees across Cells what they see on each; a refusal and a hung Cell fail
//! the whole list instead of leaving a Cell out.

mod common;

use std::time::{Duration, Instant};

use common::cluster::{ADMIN_TOKEN, Cluster, UPSTREAM_TIMEOUT, signal};
use serde_json::{Value, json};

/// An answer: status, headers and JSON body.
struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    fn ids(&self) -> Vec<i64> {
        ids(self.body.as_array().expect("a list"))
    }

    /// The URL of the `rel` link, if there is one.
    fn link(&self, rel: &str) -> Option<String> {
        self.header("link")?.split(", ").find_map(|part| {
            let (url, kind) = part.split_once("; ")?;
            (kind == format!("rel=\"{rel}\""))
                .then(|| url.trim_matches(|c| c == '<' || c == '>').to_owned())
        })
    }
}

fn ids(rows: &[Value]) -> Vec<i64> {
    rows.iter()
        .map(|row| row["id"].as_i64().expect("id"))
        .collect()
}

async fn get(cluster: &Cluster, token: Option<&str>, url: &str) -> Answer {
    let url = if url.starts_with("http") {
        url.to_owned()
    } else {
        format!("{}{url}", cluster.router)
    };
    let mut request = cluster.http.get(&url);
    if let Some(token) = token {
        request = request.header("PRIVATE-TOKEN", token);
    }
    let answer = request.send().await.expect("an answer");
    let status = answer.status().as_u16();
    let headers = answer.headers().clone();
    let text = answer.text().await.expect("a body");
    Answer {
        status,
        headers,
        body: serde_json::from_str(&text).unwrap_or(Value::String(text)),
    }
}

/// Every row of `path` that each Cell gives the admin when asked directly (one page of up to
/// 100 each: the test makes fewer).
async fn from_each_cell(cluster: &Cluster, path: &str) -> Vec<Value> {
    let mut rows = Vec::new();
    for cell in 1..=3_u16 {
        let address = cluster.part("cell", Some(cell))["address"]
            .as_str()
            .expect("address")
            .to_owned();
        let answer = get(cluster, Some(ADMIN_TOKEN), &format!("{address}{path}")).await;
        assert_eq!(answer.status, 200, "{path} on cell {cell}: {}", answer.body);
        let share = answer.body.as_array().expect("a list").clone();
        assert!(
            share.len() < 100,
            "{path} on cell {cell} needs more than a page"
        );
        rows.extend(share);
    }
    rows
}

/// Walks the offset pages of `path` (which has no query of its own but `?`) `per_page` at a
/// time, checking each page's headers: every row, in order.
async fn offset_walk(
    cluster: &Cluster,
    token: Option<&str>,
    path: &str,
    per_page: usize,
) -> Vec<i64> {
    let mut seen = Vec::new();
    for page in 1..=50 {
        let answer = get(
            cluster,
            token,
            &format!("{path}&page={page}&per_page={per_page}"),
        )
        .await;
        assert_eq!(answer.status, 200, "{path} page {page}: {}", answer.body);
        assert_eq!(answer.header("x-page"), Some(page.to_string().as_str()));
        let total: usize = answer
            .header("x-total")
            .and_then(|t| t.parse().ok())
            .expect("X-Total");
        let pages = total.div_ceil(per_page).max(1);
        assert_eq!(
            answer.header("x-total-pages"),
            Some(pages.to_string().as_str())
        );
        let first = answer.link("first").expect("a first link");
        assert!(first.starts_with(&cluster.router), "{first}");
        seen.extend(answer.ids());
        if page == pages {
            assert_eq!(answer.header("x-next-page"), Some(""));
            assert!(answer.link("next").is_none());
            assert_eq!(seen.len(), total, "X-Total counts what the pages hold");
            return seen;
        }
        assert_eq!(
            answer.header("x-next-page"),
            Some((page + 1).to_string().as_str())
        );
        assert_eq!(answer.ids().len(), per_page, "a full page before the last");
    }
    panic!("{path}: more than 50 pages");
}

/// Follows the keyset pages of `path` from its first: every row, in order.
async fn keyset_walk(cluster: &Cluster, token: Option<&str>, path: &str) -> Vec<i64> {
    let mut seen = Vec::new();
    let mut next = Some(path.to_owned());
    for _ in 0..50 {
        let Some(url) = next.take() else {
            return seen;
        };
        let answer = get(cluster, token, &url).await;
        assert_eq!(answer.status, 200, "{url}: {}", answer.body);
        seen.extend(answer.ids());
        next = answer.link("next");
        if let Some(next) = &next {
            assert!(next.starts_with(&cluster.router), "{next}");
        }
    }
    panic!("{path}: more than 50 keyset pages");
}

/// Sorted as a Cell sorts: by `field`'s bytes, then by id, both one way.
fn sorted(mut rows: Vec<Value>, field: &str, descending: bool) -> Vec<i64> {
    rows.sort_by(|a, b| {
        let ordering = a[field]
            .as_str()
            .cmp(&b[field].as_str())
            .then(a["id"].as_i64().cmp(&b["id"].as_i64()));
        if descending {
            ordering.reverse()
        } else {
            ordering
        }
    });
    ids(&rows)
}

/// Groups on each Cell whose names interleave across Cells (some equal, so the id decides;
/// some capitalised, so bytes and letters disagree), each with a Project: the public ones and
/// one private one per Cell.
async fn groups_on_every_cell(cluster: &Cluster) -> Vec<(u16, i64, bool)> {
    let mut made = Vec::new();
    for cell in 1..=3_u16 {
        let org = cluster
            .expect(
                "POST",
                "/api/v4/organizations",
                Some(json!({"name": format!("span-{cell}"), "path": format!("span-{cell}"), "cell_id": cell})),
                201,
            )
            .await;
        for (index, name) in ["alpha", "Bravo", "charlie", "delta", "Echo"]
            .iter()
            .enumerate()
        {
            let private = index == 2;
            let name = if index < 2 {
                (*name).to_owned()
            } else {
                format!("{name} {cell}")
            };
            let path = format!("{}-{cell}", name.to_lowercase().replace(' ', "-"));
            let group = cluster
                .expect(
                    "POST",
                    "/api/v4/groups",
                    Some(json!({
                        "name": name,
                        "path": path,
                        "organization_id": org["id"],
                        "visibility": if private { "private" } else { "public" },
                    })),
                    201,
                )
                .await;
            cluster
                .expect(
                    "POST",
                    "/api/v4/projects",
                    Some(json!({
                        "name": format!("{name} app"),
                        "path": "app",
                        "namespace_id": group["id"],
                        "visibility": if private { "private" } else { "public" },
                    })),
                    201,
                )
                .await;
            made.push((cell, group["id"].as_i64().expect("id"), private));
        }
    }
    made
}

async fn lists_span_cells(cluster: &Cluster) {
    let made = groups_on_every_cell(cluster).await;
    let admin = Some(ADMIN_TOKEN);

    // Groups by name, both ways, and by path: one list, in the Cells' own order.
    let groups = from_each_cell(cluster, "/api/v4/groups?per_page=99").await;
    for (query, field, descending) in [
        ("order_by=name", "name", false),
        ("order_by=name&sort=desc", "name", true),
        ("order_by=path", "path", false),
    ] {
        let expected = sorted(groups.clone(), field, descending);
        let whole = get(
            cluster,
            admin,
            &format!("/api/v4/groups?{query}&per_page=100"),
        )
        .await;
        assert_eq!(whole.ids(), expected, "{query}");
        let path = format!("/api/v4/groups?{query}");
        assert_eq!(
            offset_walk(cluster, admin, &path, 4).await,
            expected,
            "{query}"
        );
        let keyset = format!("{path}&pagination=keyset&per_page=4");
        assert_eq!(
            keyset_walk(cluster, admin, &keyset).await,
            expected,
            "{query}"
        );
    }

    // Projects newest first (GitLab's default), and by id with keyset pages.
    let projects = from_each_cell(cluster, "/api/v4/projects?per_page=99").await;
    let newest_first = sorted(projects.clone(), "created_at", true);
    assert_eq!(
        offset_walk(cluster, admin, "/api/v4/projects?", 5).await,
        newest_first
    );
    let mut by_id = ids(&projects);
    by_id.sort_unstable();
    let walked = keyset_walk(
        cluster,
        admin,
        "/api/v4/projects?order_by=id&sort=asc&pagination=keyset&per_page=4",
    )
    .await;
    assert_eq!(walked, by_id);

    // Organizations by id, X-Total summed over the Cells.
    let organizations = from_each_cell(cluster, "/api/v4/organizations?per_page=99").await;
    let mut org_ids = ids(&organizations);
    org_ids.sort_unstable();
    assert_eq!(
        offset_walk(cluster, admin, "/api/v4/organizations?", 2).await,
        org_ids
    );

    // The anonymous see the public Groups of every Cell, and only those.
    let public: Vec<i64> = made
        .iter()
        .filter(|(_, _, private)| !private)
        .map(|(_, id, _)| *id)
        .collect();
    let anonymous = offset_walk(cluster, None, "/api/v4/groups?", 5).await;
    let mut expected: Vec<i64> = public.clone();
    expected.sort_unstable();
    let mut found = anonymous.clone();
    found.sort_unstable();
    assert_eq!(found, expected, "the public Groups of every Cell");

    // A member of a private Group on Cell 2 and one on Cell 3 finds both in their Groups.
    let lee = cluster
        .expect(
            "POST",
            "/api/v4/users",
            Some(json!({"username": "lee", "email": "lee@example.com", "name": "Lee", "password": "lee-password-123"})),
            201,
        )
        .await;
    let token = cluster
        .expect(
            "POST",
            &format!("/api/v4/users/{}/personal_access_tokens", lee["id"]),
            Some(json!({"name": "cli", "scopes": ["read_api"]})),
            201,
        )
        .await;
    let token = token["token"].as_str().expect("token").to_owned();
    let private: Vec<i64> = made
        .iter()
        .filter(|(cell, _, private)| *private && *cell != 1)
        .map(|(_, id, _)| *id)
        .collect();
    for group in &private {
        let started = Instant::now();
        loop {
            let (status, body) = cluster
                .request(
                    "POST",
                    &format!("/api/v4/groups/{group}/members"),
                    Some(json!({"user_id": lee["id"], "access_level": 30})),
                )
                .await
                .expect("an answer");
            if status == 201 {
                break;
            }
            assert_eq!(status, 404, "{body}");
            // The copy loop runs every 200 ms; a loaded machine gets room.
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "Lee never reached the Cell"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    let mine = get(cluster, Some(&token), "/api/v4/groups?order_by=id").await;
    assert_eq!(mine.status, 200, "{}", mine.body);
    let mut expected = private.clone();
    expected.sort_unstable();
    assert_eq!(mine.ids(), expected, "Lee's Groups on Cells 2 and 3");
    assert_eq!(mine.header("x-total"), Some("2"));
    // An admin sees Lee's memberships on every Cell, Cell after Cell; Lee may not.
    let memberships = format!("/api/v4/users/{}/memberships", lee["id"]);
    let held = get(cluster, admin, &memberships).await;
    assert_eq!(held.status, 200, "{}", held.body);
    let sources: Vec<i64> = held
        .body
        .as_array()
        .expect("a list")
        .iter()
        .map(|m| m["source_id"].as_i64().expect("source_id"))
        .collect();
    assert_eq!(sources, expected, "Lee's memberships on Cells 2 and 3");
    assert_eq!(held.header("x-total"), Some("2"));
    assert_eq!(get(cluster, Some(&token), &memberships).await.status, 403);
    let everything = get(
        cluster,
        Some(&token),
        "/api/v4/groups?all_available=true&per_page=100",
    )
    .await;
    let mut seen = everything.ids();
    seen.sort_unstable();
    let mut visible: Vec<i64> = public.iter().chain(&private).copied().collect();
    visible.sort_unstable();
    assert_eq!(
        seen, visible,
        "public Groups and Lee's own, from every Cell"
    );

    // Refusals come from the Cells, as each gives them; deep offsets point to keyset pages.
    let refused = [
        ("/api/v4/groups?order_by=bogus", None, 400),
        ("/api/v4/groups?per_page=x", None, 400),
        ("/api/v4/projects?pagination=keyset", None, 405),
        ("/api/v4/groups?page=101&per_page=100", None, 405),
        ("/api/v4/groups", Some("glpat-not-a-token-at-all-0001"), 401),
    ];
    for (path, token, status) in refused {
        let answer = get(cluster, token, path).await;
        assert_eq!(answer.status, status, "{path}: {}", answer.body);
        assert!(
            answer.body["message"].is_string() || answer.body["error"].is_string(),
            "{path}: {}",
            answer.body
        );
    }

    // A hung Cell fails the whole list in bounded time, instead of leaving its rows out.
    let pid = cluster.pid("cell", Some(3)).await;
    signal(pid, "STOP");
    let started = Instant::now();
    let hung = get(cluster, admin, "/api/v4/groups").await;
    let took = started.elapsed();
    signal(pid, "CONT");
    assert_eq!(hung.status, 504, "{}", hung.body);
    assert!(
        took < UPSTREAM_TIMEOUT + Duration::from_secs(8),
        "took {took:?}"
    );
    let again = get(cluster, admin, "/api/v4/groups?per_page=100").await;
    assert_eq!(again.status, 200);
    assert_eq!(again.ids().len(), groups.len());
}

cluster_test!(lists_span_cells);
