//! Invitations by email (`/groups/:id/invitations`, `/projects/:id/invitations`): an address of
//! a User makes them a Member at once, any other is a pending invitation, mailed (the file
//! sink), that becomes a membership when a User with that address is created; GitLab's answer
//! names each address that failed; only those who manage Members invite, list and change; a
//! banned User is never let in this way either.

mod common;

use common::{TestApp, ids, unique};
use serde_json::{Value, json};

async fn email_of(app: &TestApp, user: i64) -> String {
    app.get(app.admin(), &format!("/users/{user}"))
        .await
        .expect(200)
        .body["email"]
        .as_str()
        .expect("email")
        .to_owned()
}

/// The mail the Cell has sent, one JSON object per message.
fn outbox(app: &TestApp) -> Vec<Value> {
    let path = app.config().data_dir.join("mail").join("outbox.jsonl");
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect()
}

async fn addresses_are_invited(app: &TestApp) {
    let org = app.organization("public").await;
    let (group, _) = app.group(None, "public", Some(org)).await;
    let (maintainer, maintainer_token) = app.user("maintainer").await;
    let (developer, developer_token) = app.user("developer").await;
    let (existing, existing_token) = app.user("existing").await;
    let (banned, _) = app.user("banned").await;
    app.add_member("groups", group, maintainer, 40).await;
    app.add_member("groups", group, developer, 30).await;
    let users = format!("/organizations/{org}/users");
    app.post(app.admin(), &users, json!({"user_id": banned}))
        .await
        .expect(201);
    app.post(app.admin(), &format!("{users}/{banned}/ban"), json!({}))
        .await
        .expect(201);
    let invitations = format!("/groups/{group}/invitations");
    let maintainer_read_api = app.token(maintainer, &["read_api"]).await;
    let (_, outsider_token) = app.user("outsider").await;
    let newcomer = format!("{}@example.com", unique("newcomer"));
    let existing_email = email_of(app, existing).await;
    let banned_email = email_of(app, banned).await;

    // Refused before anything: (caller, body, status); one line per case.
    let refused: Vec<(Option<&str>, Value, u16)> = vec![
        (None, json!({"email": newcomer, "access_level": 30}), 401),
        (
            Some(&developer_token),
            json!({"email": newcomer, "access_level": 30}),
            403,
        ),
        (
            Some(&maintainer_read_api),
            json!({"email": newcomer, "access_level": 30}),
            403,
        ),
        (
            Some(&outsider_token),
            json!({"email": newcomer, "access_level": 30}),
            403,
        ),
        (Some(&maintainer_token), json!({"access_level": 30}), 400),
        (Some(&maintainer_token), json!({"email": newcomer}), 400),
        (
            Some(&maintainer_token),
            json!({"email": newcomer, "access_level": 31}),
            400,
        ),
        (
            Some(&maintainer_token),
            json!({"email": newcomer, "access_level": 50}),
            403,
        ),
    ];
    for (caller, body, status) in refused {
        let reply = app.post(caller, &invitations, body.clone()).await;
        assert_eq!(reply.status, status, "{body}: {}", reply.body);
    }
    assert!(outbox(app).is_empty());

    // Several at once: a User's address (a Member now), a new one (pending, mailed), a bad
    // one and a banned User's (named, with why).
    let emails = format!("{newcomer}, {existing_email}, not-an-address, {banned_email}");
    let reply = app
        .post(
            Some(&maintainer_token),
            &invitations,
            json!({"email": emails, "access_level": 20}),
        )
        .await
        .expect(201);
    assert_eq!(reply.body["status"], "error", "{}", reply.body);
    let message = &reply.body["message"];
    assert_eq!(message["not-an-address"], "Invite email is invalid");
    assert_eq!(
        message[&banned_email],
        "User is banned from this organization"
    );
    assert!(message.get(&newcomer).is_none() && message.get(&existing_email).is_none());
    app.get(
        Some(&existing_token),
        &format!("/groups/{group}/members/{existing}"),
    )
    .await
    .expect(200);
    app.get(app.admin(), &format!("/groups/{group}/members/{banned}"))
        .await
        .expect(404);
    let mail = outbox(app);
    assert_eq!(mail.len(), 1, "{mail:?}");
    assert_eq!(mail[0]["to"], newcomer.as_str());
    // Invited twice: named.
    let again = app
        .post(
            Some(&maintainer_token),
            &invitations,
            json!({"email": newcomer, "access_level": 20}),
        )
        .await
        .expect(201);
    assert_eq!(
        again.body["message"][&newcomer],
        "Invite email has already been taken"
    );

    // Listed and changed by those who manage Members only.
    app.get(Some(&developer_token), &invitations)
        .await
        .expect(403);
    let listed = app
        .get(Some(&maintainer_token), &invitations)
        .await
        .expect(200);
    let rows = listed.body.as_array().expect("invitations");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["invite_email"], newcomer.as_str());
    assert_eq!(rows[0]["access_level"], 20);
    assert!(rows[0].get("invite_token").is_none());
    let one = format!("{invitations}/{newcomer}");
    app.put(Some(&developer_token), &one, json!({"access_level": 30}))
        .await
        .expect(403);
    app.put(Some(&maintainer_token), &one, json!({}))
        .await
        .expect(400);
    let changed = app
        .put(Some(&maintainer_token), &one, json!({"access_level": 30}))
        .await
        .expect(200);
    assert_eq!(changed.body["access_level"], 30);
    app.put(
        Some(&maintainer_token),
        &format!("{invitations}/nobody@example.com"),
        json!({"access_level": 30}),
    )
    .await
    .expect(404);

    // A User with that address is created: a Member at the invited level, nothing pending.
    let username = unique("newcomer");
    let created = app
        .post(
            app.admin(),
            "/users",
            json!({"username": username, "email": newcomer.to_uppercase(), "name": "New", "force_random_password": true}),
        )
        .await
        .expect(201);
    let member = app
        .get(
            app.admin(),
            &format!("/groups/{group}/members/{}", created.id()),
        )
        .await
        .expect(200);
    assert_eq!(member.body["access_level"], 30);
    let listed = app
        .get(Some(&maintainer_token), &invitations)
        .await
        .expect(200);
    assert_eq!(listed.body, json!([]));

    // Withdrawn: gone, and a second time not found; a Project's work the same way.
    let (project, _) = app.project(group, "private").await;
    let project_invitations = format!("/projects/{project}/invitations");
    let later = format!("{}@example.com", unique("later"));
    app.post(
        Some(&maintainer_token),
        &project_invitations,
        json!({"email": later, "access_level": 30}),
    )
    .await
    .expect(201);
    app.delete(
        Some(&maintainer_token),
        &format!("{project_invitations}/{later}"),
    )
    .await
    .expect(204);
    app.delete(
        Some(&maintainer_token),
        &format!("{project_invitations}/{later}"),
    )
    .await
    .expect(404);
}

/// `POST /organizations/:id/users` by `email`: the same answer whether the address has an
/// account (added at once) or not (invited, mailed, and a User of it once created); a banned
/// User refused; only Owners.
async fn organizations_invite_by_email(app: &TestApp) {
    let org = app.organization("private").await;
    let users = format!("/organizations/{org}/users");
    let (existing, existing_token) = app.user("existing").await;
    let (banned, _) = app.user("banned").await;
    let (plain, plain_token) = app.user("plain").await;
    app.post(app.admin(), &users, json!({"user_id": plain}))
        .await
        .expect(201);
    app.post(app.admin(), &users, json!({"user_id": banned}))
        .await
        .expect(201);
    app.post(app.admin(), &format!("{users}/{banned}/ban"), json!({}))
        .await
        .expect(201);
    let newcomer = format!("{}@example.com", unique("org-newcomer"));
    let existing_email = email_of(app, existing).await;
    // (caller, body, status); one line per case.
    let cases: Vec<(Option<&str>, Value, u16)> = vec![
        (None, json!({"email": newcomer}), 401),
        (Some(&plain_token), json!({"email": newcomer}), 403),
        (Some(&existing_token), json!({"email": newcomer}), 404),
        (app.admin(), json!({"email": "not-an-address"}), 400),
        (
            app.admin(),
            json!({"email": newcomer, "user_id": existing}),
            400,
        ),
        (
            app.admin(),
            json!({"email": email_of(app, banned).await}),
            403,
        ),
    ];
    for (caller, body, status) in cases {
        let reply = app.post(caller, &users, body.clone()).await;
        assert_eq!(reply.status, status, "{body}: {}", reply.body);
    }
    // With an account and without: one answer.
    for email in [&existing_email, &newcomer] {
        let reply = app
            .post(
                app.admin(),
                &users,
                json!({"email": email, "access_level": "owner"}),
            )
            .await
            .expect(201);
        assert_eq!(reply.body, json!({"status": "success"}));
    }
    let listed = app
        .get(app.admin(), &format!("{users}?per_page=100"))
        .await
        .expect(200);
    let row = listed
        .body
        .as_array()
        .expect("users")
        .iter()
        .find(|u| u["id"] == existing)
        .cloned()
        .expect("the existing User added");
    assert_eq!(row["access_level"], "owner");
    assert_eq!(row["source"], "added");
    app.get(Some(&existing_token), &format!("/organizations/{org}"))
        .await
        .expect(200);
    assert!(outbox(app).iter().any(|m| m["to"] == newcomer.as_str()));
    // The newcomer signs up: an Owner of it at once.
    let created = app
        .post(
            app.admin(),
            "/users",
            json!({"username": unique("org-newcomer"), "email": newcomer, "name": "New", "force_random_password": true}),
        )
        .await
        .expect(201);
    let listed = app
        .get(app.admin(), &format!("{users}?per_page=100"))
        .await
        .expect(200);
    let row = listed
        .body
        .as_array()
        .expect("users")
        .iter()
        .find(|u| u["id"] == created.id())
        .cloned()
        .expect("the newcomer joined");
    assert_eq!(row["access_level"], "owner");
}

/// Invitations wait while their Organization is deleted (restorable): the User made with the
/// address joins when it is restored. An address an admin gives a User brings its invitations.
async fn invitations_wait_for_their_organization(app: &TestApp) {
    let org = app.organization("private").await;
    let (group, _) = app.group(None, "private", Some(org)).await;
    let email = format!("{}@example.com", unique("waiting"));
    let invitations = format!("/groups/{group}/invitations");
    app.post(
        app.admin(),
        &invitations,
        json!({"email": email, "access_level": 30}),
    )
    .await
    .expect(201);
    let users = format!("/organizations/{org}/users");
    app.post(app.admin(), &users, json!({"email": email}))
        .await
        .expect(201);
    app.delete(app.admin(), &format!("/organizations/{org}"))
        .await
        .expect(202);
    let user = app
        .post(
            app.admin(),
            "/users",
            json!({"username": unique("waiting"), "email": email, "name": "Waiting", "force_random_password": true}),
        )
        .await
        .expect(201)
        .id();
    let member = format!("/groups/{group}/members/{user}");
    app.get(app.admin(), &member).await.expect(404);
    app.post(
        app.admin(),
        &format!("/organizations/{org}/restore"),
        json!({}),
    )
    .await
    .expect(201);
    let joined = app.get(app.admin(), &member).await.expect(200);
    assert_eq!(joined.body["access_level"], 30);
    let pending = app.get(app.admin(), &invitations).await.expect(200);
    assert_eq!(pending.body, json!([]));
    let listed = app
        .get(app.admin(), &format!("{users}?per_page=100"))
        .await
        .expect(200);
    assert!(ids(&listed.body).contains(&user), "{}", listed.body);

    // A new address, invited: the User is a Member as the admin gives it to them.
    let (other, _) = app.user("readdressed").await;
    let new_email = format!("{}@example.com", unique("readdressed"));
    app.post(
        app.admin(),
        &invitations,
        json!({"email": new_email, "access_level": 20}),
    )
    .await
    .expect(201);
    app.get(app.admin(), &format!("/groups/{group}/members/{other}"))
        .await
        .expect(404);
    app.put(
        app.admin(),
        &format!("/users/{other}"),
        json!({"email": new_email}),
    )
    .await
    .expect(200);
    let joined = app
        .get(app.admin(), &format!("/groups/{group}/members/{other}"))
        .await
        .expect(200);
    assert_eq!(joined.body["access_level"], 20);
}

both!(
    addresses_are_invited,
    organizations_invite_by_email,
    invitations_wait_for_their_organization
);
