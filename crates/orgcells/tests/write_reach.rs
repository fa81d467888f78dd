//! A write checks the caller's grants in the tree it is about only (what they hold elsewhere
//! cannot change the answer there), yet everything that reaches into that tree from outside
//! still counts: a Group invited to one of its Projects, reached through a membership of that
//! Group's parent or through a Group invited to it; and a limited view of the tree's Groups
//! (a refusal there is 403, not 404). Each case is a write, read back through another path.

mod common;

use common::TestApp;
use serde_json::json;

/// The tree written to: private `t` holding Project `p`, and private subgroup `t/s` holding
/// Project `q`. Outside it: `u` > `w` (invited to `p`), `x` (invited to `u`), `y` (invited to
/// `q`), `z` (invited to `t`).
struct Layout {
    t: i64,
    s: i64,
    p: i64,
    q: i64,
    u: i64,
    x: i64,
    y: i64,
    z: i64,
}

async fn layout(app: &TestApp) -> Layout {
    let (t, _) = app.group(None, "private", None).await;
    let (s, _) = app.group(Some(t), "private", None).await;
    let (p, _) = app.project(t, "private").await;
    let (q, _) = app.project(s, "private").await;
    let (u, _) = app.group(None, "private", None).await;
    let (w, _) = app.group(Some(u), "private", None).await;
    let (x, _) = app.group(None, "private", None).await;
    let (y, _) = app.group(None, "private", None).await;
    let (z, _) = app.group(None, "private", None).await;
    app.post(
        app.admin(),
        &format!("/groups/{t}/share"),
        json!({"group_id": z, "group_access": 40}),
    )
    .await
    .expect(201);
    app.post(
        app.admin(),
        &format!("/projects/{p}/share"),
        json!({"group_id": w, "group_access": 40}),
    )
    .await
    .expect(201);
    app.post(
        app.admin(),
        &format!("/groups/{u}/share"),
        json!({"group_id": x, "group_access": 40}),
    )
    .await
    .expect(201);
    app.post(
        app.admin(),
        &format!("/projects/{q}/share"),
        json!({"group_id": y, "group_access": 10}),
    )
    .await
    .expect(201);
    Layout {
        t,
        s,
        p,
        q,
        u,
        x,
        y,
        z,
    }
}

/// Renames Project `p` as `token`: the status, and whether the name reads back changed.
async fn rename(app: &TestApp, token: &str, project: i64) -> (u16, bool) {
    let name = common::unique("renamed");
    let status = app
        .put(
            Some(token),
            &format!("/projects/{project}"),
            json!({"name": name}),
        )
        .await
        .status;
    let stored = app
        .get(app.admin(), &format!("/projects/{project}"))
        .await
        .expect(200);
    (status, stored.body["name"] == json!(name))
}

async fn writes_reach_in_from_outside_the_tree(app: &TestApp) {
    let l = layout(app).await;
    // (where the User is a Member and at which level, the expected answer to renaming `p`)
    let cases: &[(&str, i64, u16)] = &[
        // A Maintainer of the invited Group's parent: Maintainer through the link.
        ("u", 40, 200),
        // A Developer there: Developer through it, so no settings.
        ("u", 30, 403),
        // A Maintainer of a Group invited to the invited Group's parent.
        ("x", 40, 200),
        // A Maintainer of a Group invited to the tree's top-level Group.
        ("z", 40, 200),
        ("z", 20, 403),
        // A Maintainer of the tree's top-level Group.
        ("t", 40, 200),
        // A Maintainer of the subgroup sees `t` in the limited view only: 404 for `p`.
        ("s", 40, 404),
    ];
    for (at, level, expected) in cases {
        let (user, token) = app.user("reach").await;
        let source = match *at {
            "u" => l.u,
            "x" => l.x,
            "t" => l.t,
            "z" => l.z,
            _ => l.s,
        };
        app.add_member("groups", source, user, *level).await;
        let (status, changed) = rename(app, &token, l.p).await;
        assert_eq!(
            (status, changed),
            (*expected, *expected == 200),
            "member of {at} at {level}"
        );
    }
}

async fn a_limited_view_refuses_with_403_in_a_write(app: &TestApp) {
    let l = layout(app).await;
    let subgroup = |token: String, parent: i64| async move {
        let path = common::unique("sub");
        app.post(
            Some(&token),
            "/groups",
            json!({"name": path, "path": path, "parent_id": parent}),
        )
        .await
        .status
    };
    // A Guest of `q` (below `t/s`) sees `t` and `t/s` in the limited view.
    let (guest, guest_token) = app.user("guest").await;
    app.add_member("projects", l.q, guest, 10).await;
    assert_eq!(subgroup(guest_token.clone(), l.t).await, 403);
    assert_eq!(subgroup(guest_token, l.s).await, 403);
    // A Member of `y`, invited to `q`: the same, through the link.
    let (linked, linked_token) = app.user("linked").await;
    app.add_member("groups", l.y, linked, 30).await;
    assert_eq!(subgroup(linked_token, l.t).await, 403);
    // No one there: 404.
    let (_, stranger_token) = app.user("stranger").await;
    assert_eq!(subgroup(stranger_token, l.t).await, 404);
    // An Owner of `t` with many memberships elsewhere creates it.
    let (owner, owner_token) = app.user("owner").await;
    app.add_member("groups", l.t, owner, 50).await;
    for _ in 0..3 {
        let (other, _) = app.group(None, "private", None).await;
        app.add_member("groups", other, owner, 50).await;
    }
    assert_eq!(subgroup(owner_token, l.t).await, 201);
    let children = app
        .get(app.admin(), &format!("/groups/{}/subgroups", l.t))
        .await
        .expect(200);
    assert_eq!(
        children.body.as_array().map(Vec::len),
        Some(2),
        "t/s and the new one: {}",
        children.body
    );
}

both!(
    writes_reach_in_from_outside_the_tree,
    a_limited_view_refuses_with_403_in_a_write
);
