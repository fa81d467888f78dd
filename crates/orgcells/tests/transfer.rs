//! An Organization's rows copied from one Cell's database to another's (`store::transfer`), on
//! SQLite and PostgreSQL and across them: every table's count and digest match the source's,
//! the copy serves the same Groups, Projects and members, and the source is left empty. The
//! Organization has what makes the order matter: a Group moved under a newer parent, shares,
//! a renamed Group's redirect, Members of Groups and Projects.

mod common;

use common::{ADMIN_TOKEN, TestApp};
use orgcells_store::{transfer, users};
use serde_json::json;

/// An Organization with a little of everything: its id, and the paths to read back.
async fn organization(app: &TestApp) -> (i64, Vec<String>) {
    let org = app.organization("public").await;
    let (older, _) = app.group(None, "public", Some(org)).await;
    let (sub, _) = app.group(Some(older), "private", Some(org)).await;
    let (newer, _) = app.group(None, "internal", Some(org)).await;
    // The older subgroup moves under the newer Group: a child whose id is below its parent's.
    app.post(
        Some(ADMIN_TOKEN),
        &format!("/groups/{sub}/transfer"),
        json!({"group_id": newer}),
    )
    .await
    .expect(201);
    // A rename leaves a redirect.
    app.put(
        Some(ADMIN_TOKEN),
        &format!("/groups/{older}"),
        json!({"path": format!("renamed-{older}")}),
    )
    .await
    .expect(200);
    let (project, _) = app.project(sub, "private").await;
    let (other_project, _) = app.project(older, "public").await;
    for (index, (kind, source)) in [
        ("groups", older),
        ("groups", sub),
        ("projects", project),
        ("projects", other_project),
    ]
    .into_iter()
    .enumerate()
    {
        let (user, _) = app.user(&format!("mover{index}")).await;
        app.add_member(kind, source, user, 30).await;
    }
    app.post(
        Some(ADMIN_TOKEN),
        &format!("/groups/{older}/share"),
        json!({"group_id": newer, "group_access": 20}),
    )
    .await
    .expect(201);
    app.post(
        Some(ADMIN_TOKEN),
        &format!("/projects/{project}/share"),
        json!({"group_id": older, "group_access": 10}),
    )
    .await
    .expect(201);
    let mut reads = vec![format!("/organizations/{org}")];
    for group in [older, sub, newer] {
        reads.push(format!("/groups/{group}"));
        reads.push(format!("/groups/{group}/members/all"));
        reads.push(format!("/groups/{group}/projects?order_by=id"));
    }
    for project in [project, other_project] {
        reads.push(format!("/projects/{project}"));
        reads.push(format!("/projects/{project}/members/all"));
    }
    (org, reads)
}

/// Copies the Organization from `from` to `to` and checks the copy.
async fn copied(from: &TestApp, to: &TestApp) {
    let (org, reads) = organization(from).await;
    let before: Vec<_> = {
        let mut read = Vec::new();
        for path in &reads {
            read.push(from.get(Some(ADMIN_TOKEN), path).await.expect(200).body);
        }
        read
    };
    // The Users are cluster-wide: the target Cell has them already (here, copied by hand).
    let exported = {
        let mut conn = from.db().read().await.expect("read");
        let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM users ORDER BY id")
            .fetch_all(&mut *conn)
            .await
            .expect("users");
        let mut tx = to.db().write().await.expect("write");
        for id in ids {
            let user = users::find(&mut conn, orgcells_core::ids::UserId(id))
                .await
                .expect("find")
                .expect("a user");
            if users::find(tx.conn(), user.id)
                .await
                .expect("find")
                .is_none()
            {
                users::insert(&mut tx, &user).await.expect("insert");
            }
        }
        tx.commit().await.expect("commit");
        transfer::export(&mut conn, org).await.expect("export")
    };
    let counts: Vec<(String, usize)> = transfer::summary(&exported)
        .into_iter()
        .map(|t| (t.table, t.rows))
        .collect();
    for (table, least) in [
        ("organizations", 1),
        ("organization_users", 1),
        ("namespaces", 3),
        ("projects", 2),
        ("members", 4),
        ("group_group_links", 1),
        ("project_group_links", 1),
        ("redirect_routes", 1),
        ("claims", 6),
    ] {
        let found = counts.iter().find(|(t, _)| t == table).map(|(_, n)| *n);
        assert!(found >= Some(least), "{table}: {found:?} rows");
    }
    // Across the wire, as JSON.
    let sent: transfer::Exported =
        serde_json::from_slice(&serde_json::to_vec(&exported).expect("json")).expect("parse");
    for attempt in 0..2 {
        // Twice: what a failed attempt left is replaced.
        let mut tx = to.db().write().await.expect("write");
        transfer::import(&mut tx, 2, &sent).await.expect("import");
        tx.commit().await.expect("commit");
        let mut conn = to.db().read().await.expect("read");
        let copy = transfer::export(&mut conn, org).await.expect("export");
        assert_eq!(
            transfer::summary(&copy),
            transfer::summary(&exported),
            "attempt {attempt}"
        );
    }
    for (path, before) in reads.iter().zip(&before) {
        let after = to.get(Some(ADMIN_TOKEN), path).await.expect(200).body;
        let strip = |mut value: serde_json::Value| {
            // Links name the server; the Cell is the other one.
            strip_urls(&mut value);
            value
        };
        assert_eq!(strip(after), strip(before.clone()), "{path}");
    }
    // The source changes on (a subgroup made, a Group renamed, a Project deleted, a share
    // removed); the copy catches up with the difference alone.
    let group = |path: &str| {
        path.strip_prefix("/groups/")
            .and_then(|id| id.parse::<i64>().ok())
    };
    let first_group = reads.iter().find_map(|p| group(p)).expect("a group");
    let project = reads
        .iter()
        .find_map(|p| {
            p.strip_prefix("/projects/")
                .and_then(|id| id.parse::<i64>().ok())
        })
        .expect("a project");
    from.group(Some(first_group), "public", Some(org)).await;
    from.put(
        Some(ADMIN_TOKEN),
        &format!("/groups/{first_group}"),
        json!({"description": "changed after the copy"}),
    )
    .await
    .expect(200);
    from.delete(Some(ADMIN_TOKEN), &format!("/projects/{project}"))
        .await
        .expect(202);
    let again = {
        let mut conn = from.db().read().await.expect("read");
        transfer::export(&mut conn, org).await.expect("export")
    };
    let delta = transfer::diff(&exported, &again).expect("diff");
    assert!(
        delta.rows() > 0 && delta.rows() < 20,
        "{} rows",
        delta.rows()
    );
    let sent: transfer::Delta =
        serde_json::from_slice(&serde_json::to_vec(&delta).expect("json")).expect("parse");
    let mut tx = to.db().write().await.expect("write");
    transfer::apply(&mut tx, 2, &sent).await.expect("apply");
    tx.commit().await.expect("commit");
    let copy = {
        let mut conn = to.db().read().await.expect("read");
        transfer::export(&mut conn, org).await.expect("export")
    };
    assert_eq!(transfer::summary(&copy), transfer::summary(&again));
    // Applying it again changes nothing; nor does the difference of equal exports.
    let mut tx = to.db().write().await.expect("write");
    transfer::apply(&mut tx, 2, &sent).await.expect("apply");
    tx.commit().await.expect("commit");
    assert_eq!(transfer::diff(&again, &again).expect("diff").rows(), 0);
    let mut tx = from.db().write().await.expect("write");
    transfer::delete(&mut tx, org).await.expect("delete");
    tx.commit().await.expect("commit");
    let mut conn = from.db().read().await.expect("read");
    let left = transfer::export(&mut conn, org).await.expect("export");
    assert!(
        left.tables.iter().all(|t| t.rows.is_empty()),
        "the source keeps nothing: {:?}",
        transfer::summary(&left)
    );
    from.get(Some(ADMIN_TOKEN), &reads[0]).await.expect(404);
    to.get(Some(ADMIN_TOKEN), &format!("/groups/{first_group}"))
        .await
        .expect(200);
}

fn strip_urls(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, inner) in map.iter_mut() {
                if key.ends_with("url")
                    || key.ends_with("_repo")
                    || key.ends_with("_links")
                    || key == "cell_id"
                {
                    *inner = serde_json::Value::Null;
                } else {
                    strip_urls(inner);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(strip_urls),
        _ => {}
    }
}

/// The target is another Cell, with its own id range.
fn second_cell(config: &mut orgcells::Config) {
    config.cell = orgcells_core::ids::CellId(2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_to_sqlite() {
    let from = TestApp::sqlite().await;
    let to = TestApp::sqlite_with(second_cell).await;
    copied(&from, &to).await;
    from.finish().await;
    to.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_to_postgres() {
    let Some(from) = TestApp::postgres().await else {
        return;
    };
    let Some(to) = TestApp::postgres_with(second_cell).await else {
        return;
    };
    copied(&from, &to).await;
    from.finish().await;
    to.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_to_postgres() {
    let from = TestApp::sqlite().await;
    let Some(to) = TestApp::postgres_with(second_cell).await else {
        return;
    };
    copied(&from, &to).await;
    from.finish().await;
    to.finish().await;
}
