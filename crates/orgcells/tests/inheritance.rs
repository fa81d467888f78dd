//! SPEC section 2, access levels: the highest level wins across direct, inherited and shared
//! paths; a link caps what flows through it; a Group shared with B reaches B's direct Members
//! only; a Project shared with G reaches G's direct and inherited Members; a subgroup Member may
//! be raised above, never set below, what they inherit; expiry dates in the past are refused;
//! and every change is exact at once.

mod common;

use common::TestApp;
use serde_json::{Value, json};

/// Where a membership (or a link's source) is, in the fixture of [`effective_access`]:
///
/// ```text
/// A (top) > A1 (sub) > P (project)      the resources
/// Bp (top) > B (sub)                    A or A1 may be shared with B
/// Gp (top) > G (sub)                    P may be shared with G
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum At {
    A,
    A1,
    P,
    Bp,
    B,
    Gp,
    G,
}

use At::*;

/// (the viewer's memberships, group link (A or A1 shared with B at max), project link (P
/// shared with G at max), target (A1 or P), effective level on the target shown by
/// /members/all/:user_id (None: not a member), the viewer's GET of the target, the viewer's
/// PUT of the target's name)
type Case = (
    &'static [(At, i64)],
    Option<(At, i64)>,
    Option<i64>,
    At,
    Option<i64>,
    u16,
    u16,
);

#[rustfmt::skip]
const CASES: &[Case] = &[
    // Inherited from the parent.
    (&[(A, 20)], None, None, A1, Some(20), 200, 403),
    (&[(A, 40)], None, None, A1, Some(40), 200, 200),
    (&[(A, 40)], None, None, P, Some(40), 200, 200),
    // The highest of direct and inherited wins.
    (&[(A, 20), (A1, 40)], None, None, A1, Some(40), 200, 200),
    (&[(A, 20), (A1, 40)], None, None, P, Some(40), 200, 200),
    (&[(A, 20), (P, 40)], None, None, P, Some(40), 200, 200),
    (&[(A1, 30), (P, 50)], None, None, P, Some(50), 200, 200),
    // A Project Member sees the ancestor Group but is no Member of it.
    (&[(P, 40)], None, None, A1, None, 200, 403),
    // A link caps: min(member level, link max).
    (&[(B, 40)], Some((A1, 20)), None, A1, Some(20), 200, 403),
    (&[(B, 40)], Some((A1, 40)), None, A1, Some(40), 200, 200),
    (&[(B, 30)], Some((A1, 50)), None, A1, Some(30), 200, 403),
    (&[(B, 50)], Some((A1, 40)), None, A1, Some(40), 200, 200),
    // A link flows down to the shared Group's descendants and Projects.
    (&[(B, 40)], Some((A, 40)), None, A1, Some(40), 200, 200),
    (&[(B, 50)], Some((A, 30)), None, P, Some(30), 200, 403),
    (&[(B, 40)], Some((A1, 40)), None, P, Some(40), 200, 200),
    // Members of B's parent do not get in through a link to B.
    (&[(Bp, 50)], Some((A1, 40)), None, A1, None, 404, 404),
    (&[(Bp, 50)], Some((A1, 40)), None, P, None, 404, 404),
    // Several paths: the highest wins.
    (&[(B, 40), (A, 30)], Some((A1, 20)), None, A1, Some(30), 200, 403),
    (&[(B, 40), (A, 20)], Some((A1, 40)), None, A1, Some(40), 200, 200),
    (&[(B, 40), (P, 20)], Some((A1, 30)), None, P, Some(30), 200, 403),
    // A Project shared with G reaches G's direct Members, capped.
    (&[(G, 40)], None, Some(30), P, Some(30), 200, 403),
    (&[(G, 20)], None, Some(50), P, Some(20), 200, 403),
    (&[(G, 50)], None, Some(40), P, Some(40), 200, 200),
    // ... and G's inherited Members.
    (&[(Gp, 50)], None, Some(40), P, Some(40), 200, 200),
    (&[(Gp, 30)], None, Some(40), P, Some(30), 200, 403),
    // A Project link gives no level on the Project's Group, only the limited access (it is
    // seen) that every Member of the Project has (GitLab: read_group for users with projects).
    (&[(G, 50)], None, Some(40), A1, None, 200, 403),
    // The highest of Project link and group membership.
    (&[(G, 40), (A, 20)], None, Some(40), P, Some(40), 200, 200),
    (&[(G, 40), (A, 50)], None, Some(20), P, Some(50), 200, 200),
];

/// The (group id, level) of each link in a Group's or Project's `shared_with_groups`.
fn links(body: &Value) -> Vec<(Value, Value)> {
    body["shared_with_groups"]
        .as_array()
        .expect("shared_with_groups")
        .iter()
        .map(|link| (link["group_id"].clone(), link["group_access_level"].clone()))
        .collect()
}

fn method(name: &str) -> reqwest::Method {
    reqwest::Method::from_bytes(name.as_bytes()).expect("method")
}

async fn effective_access(app: &TestApp) {
    for (n, (memberships, group_link, project_link, target, level, get, put)) in
        CASES.iter().enumerate()
    {
        let case = format!(
            "case {n}: member of {memberships:?}, group link {group_link:?}, project link {project_link:?}, on {target:?}"
        );
        let (a, _) = app.group(None, "private", None).await;
        let (a1, _) = app.group(Some(a), "private", None).await;
        let (p, _) = app.project(a1, "private").await;
        let (bp, _) = app.group(None, "private", None).await;
        let (b, _) = app.group(Some(bp), "private", None).await;
        let (gp, _) = app.group(None, "private", None).await;
        let (g, _) = app.group(Some(gp), "private", None).await;
        let id = |at: At| match at {
            A => a,
            A1 => a1,
            P => p,
            Bp => bp,
            B => b,
            Gp => gp,
            G => g,
        };
        if let Some((source, max)) = group_link {
            app.post(
                app.admin(),
                &format!("/groups/{}/share", id(*source)),
                json!({"group_id": b, "group_access": max}),
            )
            .await
            .expect(201);
            let shared = app
                .get(app.admin(), &format!("/groups/{}", id(*source)))
                .await
                .expect(200);
            assert_eq!(
                links(&shared.body),
                vec![(json!(b), json!(max))],
                "{case}: the group link reads back"
            );
        }
        if let Some(max) = project_link {
            app.post(
                app.admin(),
                &format!("/projects/{p}/share"),
                json!({"group_id": g, "group_access": max}),
            )
            .await
            .expect(201);
            let shared = app
                .get(app.admin(), &format!("/projects/{p}"))
                .await
                .expect(200);
            assert_eq!(
                links(&shared.body),
                vec![(json!(g), json!(max))],
                "{case}: the project link reads back"
            );
        }
        let (user, token) = app.user("heir").await;
        // Parents first, so no membership is below an inherited one.
        for (at, membership_level) in memberships.iter() {
            let kind = if *at == P { "projects" } else { "groups" };
            app.add_member(kind, id(*at), user, *membership_level).await;
        }
        let kind = if *target == P { "projects" } else { "groups" };
        let target_id = id(*target);

        let all = app
            .get(
                app.admin(),
                &format!("/{kind}/{target_id}/members/all/{user}"),
            )
            .await;
        match level {
            Some(level) => assert_eq!(
                all.expect(200).body["access_level"],
                json!(level),
                "{case}: /members/all/:user_id"
            ),
            None => assert_eq!(
                all.status, 404,
                "{case}: /members/all/:user_id: {}",
                all.body
            ),
        }
        let listed = app
            .get(
                app.admin(),
                &format!("/{kind}/{target_id}/members/all?per_page=100"),
            )
            .await
            .expect(200);
        let in_list = listed
            .body
            .as_array()
            .and_then(|rows| rows.iter().find(|m| m["id"] == json!(user)))
            .map(|m| m["access_level"].clone());
        assert_eq!(
            in_list,
            level.map(|l| json!(l)),
            "{case}: /members/all lists the effective level"
        );

        let got = app.get(Some(&token), &format!("/{kind}/{target_id}")).await;
        assert_eq!(got.status, *get, "{case}: GET as the viewer: {}", got.body);
        let before = app
            .get(app.admin(), &format!("/{kind}/{target_id}"))
            .await
            .expect(200)
            .body;
        let got = app
            .put(
                Some(&token),
                &format!("/{kind}/{target_id}"),
                json!({"name": "renamed by heir"}),
            )
            .await;
        assert_eq!(got.status, *put, "{case}: PUT as the viewer: {}", got.body);
        let after = app
            .get(app.admin(), &format!("/{kind}/{target_id}"))
            .await
            .expect(200)
            .body;
        if *put == 200 {
            assert_eq!(
                after["name"],
                json!("renamed by heir"),
                "{case}: not renamed"
            );
        } else {
            assert_eq!(after, before, "{case}: changed anyway");
        }
    }
}

/// A subgroup (or Project) Member may be raised above what they inherit, never set below it.
async fn never_below_inherited(app: &TestApp) {
    // (inherited level on the parent Group, where ("subgroup" or "project"), direct level
    // already held there (None: not yet a Member), POST (add) or PUT (update) at this level,
    // expected status)
    #[rustfmt::skip]
    let cases: &[(i64, &str, Option<i64>, i64, u16)] = &[
        (30, "subgroup", None, 40, 201),
        (30, "subgroup", None, 50, 201),
        (30, "subgroup", None, 30, 201),
        (30, "subgroup", None, 20, 400),
        (30, "subgroup", None, 10, 400),
        (40, "subgroup", None, 30, 400),
        (50, "subgroup", None, 40, 400),
        (30, "project", None, 40, 201),
        (30, "project", None, 20, 400),
        (40, "project", None, 10, 400),
        (30, "subgroup", Some(40), 50, 200),
        (30, "subgroup", Some(40), 30, 200),
        (30, "subgroup", Some(40), 20, 400),
        (30, "project", Some(40), 20, 400),
        (30, "project", Some(50), 40, 200),
    ];
    for (inherited, place, held, level, status) in cases {
        let case = format!("inherits {inherited}, holds {held:?} on the {place}, set to {level}");
        let (top, _) = app.group(None, "private", None).await;
        let (sub, _) = app.group(Some(top), "private", None).await;
        let (project, _) = app.project(top, "private").await;
        let (kind, source) = if *place == "project" {
            ("projects", project)
        } else {
            ("groups", sub)
        };
        let (user, _) = app.user("raised").await;
        if let Some(held) = held {
            app.add_member(kind, source, user, *held).await;
        }
        app.add_member("groups", top, user, *inherited).await;
        let got = match held {
            None => {
                app.post(
                    app.admin(),
                    &format!("/{kind}/{source}/members"),
                    json!({"user_id": user, "access_level": level}),
                )
                .await
            }
            Some(_) => {
                app.put(
                    app.admin(),
                    &format!("/{kind}/{source}/members/{user}"),
                    json!({"access_level": level}),
                )
                .await
            }
        };
        assert_eq!(got.status, *status, "{case}: {}", got.body);
        let direct = app
            .get(app.admin(), &format!("/{kind}/{source}/members/{user}"))
            .await;
        let effective = app
            .get(app.admin(), &format!("/{kind}/{source}/members/all/{user}"))
            .await
            .expect(200)
            .body["access_level"]
            .clone();
        if *status == 400 {
            assert!(
                got.body["message"]["access_level"]
                    .as_array()
                    .is_some_and(|m| !m.is_empty()),
                "{case}: the message must name access_level: {}",
                got.body
            );
            match held {
                None => assert_eq!(direct.status, 404, "{case}: added anyway"),
                Some(held) => assert_eq!(
                    direct.expect(200).body["access_level"],
                    json!(held),
                    "{case}: changed anyway"
                ),
            }
            assert_eq!(
                effective,
                json!((*inherited).max(held.unwrap_or(0))),
                "{case}: effective level"
            );
        } else {
            assert_eq!(
                direct.expect(200).body["access_level"],
                json!(level),
                "{case}: direct level"
            );
            assert_eq!(
                effective,
                json!((*level).max(*inherited)),
                "{case}: effective level"
            );
        }
    }
}

/// An expiry date in the past (or not a date) is refused and changes nothing.
async fn expiry_dates(app: &TestApp) {
    // (case, method, path template, body, expected status, field). `{g}` a private Group,
    // `{p}` a private Project in it, `{u}` a User who is a guest of `{g}` already, `{v}` a
    // User who is nothing yet, `{h}` another Group.
    #[rustfmt::skip]
    let cases: &[(&str, &str, &str, Value, u16, &str)] = &[
        ("add group member, past", "POST", "/groups/{g}/members", json!({"user_id": "{v}", "access_level": 30, "expires_at": "2000-01-01"}), 400, "expires_at"),
        ("add group member, yesterday-ish", "POST", "/groups/{g}/members", json!({"user_id": "{v}", "access_level": 30, "expires_at": "2020-12-31"}), 400, "expires_at"),
        ("add group member, not a date", "POST", "/groups/{g}/members", json!({"user_id": "{v}", "access_level": 30, "expires_at": "next tuesday"}), 400, "expires_at"),
        ("add group member, impossible date", "POST", "/groups/{g}/members", json!({"user_id": "{v}", "access_level": 30, "expires_at": "2999-02-30"}), 400, "expires_at"),
        ("add project member, past", "POST", "/projects/{p}/members", json!({"user_id": "{v}", "access_level": 30, "expires_at": "2001-06-15"}), 400, "expires_at"),
        ("update group member, past", "PUT", "/groups/{g}/members/{u}", json!({"access_level": 30, "expires_at": "2000-01-01"}), 400, "expires_at"),
        ("share group, past", "POST", "/groups/{g}/share", json!({"group_id": "{h}", "group_access": 30, "expires_at": "2000-01-01"}), 400, "expires_at"),
        ("share project, past", "POST", "/projects/{p}/share", json!({"group_id": "{h}", "group_access": 30, "expires_at": "2000-01-01"}), 400, "expires_at"),
        ("add group member, future", "POST", "/groups/{g}/members", json!({"user_id": "{v}", "access_level": 30, "expires_at": "2999-01-01"}), 201, ""),
        ("update group member, future", "PUT", "/groups/{g}/members/{u}", json!({"access_level": 20, "expires_at": "2999-01-01"}), 200, ""),
    ];
    for (case, verb, path, body, status, field) in cases {
        let (g, _) = app.group(None, "private", None).await;
        let (h, _) = app.group(None, "private", None).await;
        let (p, _) = app.project(g, "private").await;
        let (u, _) = app.user("guest").await;
        let (v, _) = app.user("nobody").await;
        app.add_member("groups", g, u, 10).await;
        let fill = |text: &str| {
            text.replace("{g}", &g.to_string())
                .replace("{h}", &h.to_string())
                .replace("{p}", &p.to_string())
                .replace("{u}", &u.to_string())
                .replace("{v}", &v.to_string())
        };
        let path = fill(path);
        let body: Value = serde_json::from_str(&fill(&body.to_string())).expect("body");
        let snapshot = || async {
            (
                app.get(app.admin(), &format!("/groups/{g}/members/all"))
                    .await
                    .expect(200)
                    .body,
                app.get(app.admin(), &format!("/projects/{p}/members/all"))
                    .await
                    .expect(200)
                    .body,
                app.get(app.admin(), &format!("/groups/{g}"))
                    .await
                    .expect(200)
                    .body,
                app.get(app.admin(), &format!("/projects/{p}"))
                    .await
                    .expect(200)
                    .body,
            )
        };
        let before = snapshot().await;
        let got = app
            .request(app.admin(), method(verb), &path, Some(body.clone()))
            .await;
        assert_eq!(got.status, *status, "{case}: {verb} {path}: {}", got.body);
        if *status == 400 {
            assert!(
                got.body["message"][*field]
                    .as_array()
                    .is_some_and(|m| !m.is_empty()),
                "{case}: the message must name {field}: {}",
                got.body
            );
            assert!(before == snapshot().await, "{case}: something changed");
        } else {
            assert_eq!(
                got.body["expires_at"],
                json!("2999-01-01"),
                "{case}: expiry kept"
            );
            // Read back: the membership holds the expiry and the level asked.
            let member = if *verb == "POST" { v } else { u };
            let stored = app
                .get(app.admin(), &format!("/groups/{g}/members/{member}"))
                .await
                .expect(200);
            assert_eq!(stored.body["expires_at"], json!("2999-01-01"), "{case}");
            assert_eq!(
                stored.body["access_level"], body["access_level"],
                "{case}: the level asked"
            );
        }
    }
}

/// Access is exact: the request after a membership (or link) is written or removed already
/// sees the change, however often it flips.
async fn changes_are_exact(app: &TestApp) {
    // (case, how access is granted: "group member", "project member (ancestor group)",
    // "member of an invited group", "member of the parent group")
    #[rustfmt::skip]
    let cases: &[&str] = &[
        "group member",
        "member of the parent group",
        "project member (ancestor group)",
        "member of an invited group",
    ];
    for &how in cases {
        let (parent, _) = app.group(None, "private", None).await;
        let (group, _) = app.group(Some(parent), "private", None).await;
        let (project, _) = app.project(group, "private").await;
        let (invited, _) = app.group(None, "private", None).await;
        let (user, token) = app.user("flip").await;
        let token = Some(token.as_str());
        if how == "member of an invited group" {
            app.add_member("groups", invited, user, 30).await;
        }
        for round in 0..3 {
            let case = format!("{how}, round {round}");
            app.get(token, &format!("/groups/{group}"))
                .await
                .expect(404);
            let (grant, revoke) = match how {
                "group member" => (
                    app.post(
                        app.admin(),
                        &format!("/groups/{group}/members"),
                        json!({"user_id": user, "access_level": 10}),
                    )
                    .await,
                    format!("/groups/{group}/members/{user}"),
                ),
                "member of the parent group" => (
                    app.post(
                        app.admin(),
                        &format!("/groups/{parent}/members"),
                        json!({"user_id": user, "access_level": 10}),
                    )
                    .await,
                    format!("/groups/{parent}/members/{user}"),
                ),
                "project member (ancestor group)" => (
                    app.post(
                        app.admin(),
                        &format!("/projects/{project}/members"),
                        json!({"user_id": user, "access_level": 10}),
                    )
                    .await,
                    format!("/projects/{project}/members/{user}"),
                ),
                _ => (
                    app.post(
                        app.admin(),
                        &format!("/groups/{group}/share"),
                        json!({"group_id": invited, "group_access": 10}),
                    )
                    .await,
                    format!("/groups/{group}/share/{invited}"),
                ),
            };
            assert_eq!(grant.status, 201, "{case}: grant: {}", grant.body);
            let got = app.get(token, &format!("/groups/{group}")).await;
            assert_eq!(got.status, 200, "{case}: GET right after the grant");
            let listed = app
                .get(token, "/groups?all_available=true&per_page=100")
                .await
                .expect(200);
            assert!(
                listed
                    .body
                    .as_array()
                    .is_some_and(|rows| rows.iter().any(|g| g["id"] == json!(group))),
                "{case}: listed right after the grant"
            );
            let got = app.delete(app.admin(), &revoke).await;
            assert_eq!(got.status, 204, "{case}: revoke: {}", got.body);
            let got = app.get(token, &format!("/groups/{group}")).await;
            assert_eq!(got.status, 404, "{case}: GET right after the revoke");
            let got = app.get(token, &format!("/projects/{project}")).await;
            assert_eq!(got.status, 404, "{case}: project right after the revoke");
        }
    }
}

both!(
    effective_access,
    never_below_inherited,
    expiry_dates,
    changes_are_exact,
);
