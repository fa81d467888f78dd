//! The Users, each with a personal namespace in the Default Organization.

use orgcells_store::bulk::Cell;

use super::run::Run;

/// Writes the Users (with their claims and namespaces), a part committed every 20,000; their
/// ids.
pub(super) async fn users(run: &mut Run<'_>) -> anyhow::Result<Vec<i64>> {
    let users = run.sizes.users;
    let user_ids = run.tx()?.reserve_ids(users).await?;
    let ns_ids = run.tx()?.reserve_ids(users).await?;
    for (i, (id, ns)) in user_ids.iter().zip(&ns_ids).enumerate() {
        let w = &mut run.w;
        let username = format!("user-{i}");
        let now = w.now();
        w.users.rows.push(vec![
            (*id).into(),
            username.clone().into(),
            format!("{username}@example.com").into(),
            format!("User {i}").into(),
            "active".into(),
            0.into(),
            0.into(),
            Cell::NullText,
            1.into(),
            now.into(),
            now.into(),
        ]);
        w.claim("username", &username, "user", *id);
        w.claim("email", &format!("{username}@example.com"), "user", *id);
        w.claim("route", &username, "user", *id);
        w.org_user(1, *id, 10);
        w.namespaces.rows.push(vec![
            (*ns).into(),
            1.into(),
            "user".into(),
            format!("User {i}").into(),
            username.clone().into(),
            username.into(),
            ns.to_string().into(),
            Cell::Null,
            (*id).into(),
            20.into(),
            "".into(),
            50.into(),
            50.into(),
            now.into(),
            now.into(),
        ]);
        if (i + 1) % 20_000 == 0 {
            run.commit_part("users", i + 1, users).await?;
        }
    }
    run.flush().await?;
    run.progress("users", users, users);
    Ok(user_ids)
}
