//! Rows are decoded once, in the store, into the rules' types: levels, visibilities and kinds
//! as `orgcells_core` has them, flags as booleans. A stored value the rules do not know fails
//! the read rather than standing for another one.

mod common;

use common::TestApp;
use orgcells_core::access::{AccessLevel, OrganizationRole};
use orgcells_core::creation::{ProjectCreationLevel, SubgroupCreationLevel};
use orgcells_core::ids::{NamespaceId, NamespaceKind, OrganizationId, ProjectId, UserId};
use orgcells_core::members::SourceType;
use orgcells_core::visibility::{OrganizationVisibility, Visibility};
use orgcells_store::{members, namespaces, organizations, projects, users};

/// Runs one statement in a write transaction of its own, behind the service's back.
async fn tamper(app: &TestApp, statement: &str) {
    let mut tx = app.db().write().await.expect("a write transaction");
    sqlx::query(statement)
        .execute(tx.conn())
        .await
        .unwrap_or_else(|e| panic!("{statement}: {e}"));
    tx.commit().await.expect("commit");
}

async fn rows_come_back_typed(app: &TestApp) {
    let (group, _) = app.group(None, "internal", None).await;
    let (project, _) = app.project(group, "private").await;
    let (group, project) = (NamespaceId(group), ProjectId(project));
    let (user, _) = app.user("typed").await;
    let user = UserId(user);
    let internal_org = OrganizationId(app.organization("internal").await);
    let mut conn = app.db().read().await.expect("a connection");

    let ns = namespaces::find(&mut conn, group)
        .await
        .expect("read")
        .expect("the Group");
    assert_eq!(ns.kind, NamespaceKind::Group);
    assert_eq!(ns.visibility_level, Visibility::Internal);
    assert_eq!(ns.project_creation_level, ProjectCreationLevel::Developer);
    assert_eq!(
        ns.subgroup_creation_level,
        SubgroupCreationLevel::Maintainer
    );
    let row = projects::find(&mut conn, project)
        .await
        .expect("read")
        .expect("the Project");
    assert_eq!(row.visibility_level, Visibility::Private);
    let root = users::find(&mut conn, UserId::ROOT)
        .await
        .expect("read")
        .expect("root");
    assert!(root.admin && !root.bot);
    let plain = users::find(&mut conn, user)
        .await
        .expect("read")
        .expect("the User");
    assert!(!plain.admin && !plain.bot);
    let personal = namespaces::find_personal(&mut conn, plain.home_organization_id, user)
        .await
        .expect("read")
        .expect("the personal namespace");
    assert_eq!(personal.kind, NamespaceKind::User);
    let org = organizations::find(&mut conn, ns.organization_id)
        .await
        .expect("read")
        .expect("the Organization");
    assert_eq!(org.visibility_level, OrganizationVisibility::Public);
    assert!(!org.group_creation_owners_only);
    let created = organizations::find(&mut conn, internal_org)
        .await
        .expect("read")
        .expect("the new Organization");
    assert_eq!(created.visibility_level, OrganizationVisibility::Internal);
    let owner = organizations::find_user(&mut conn, internal_org, UserId::ROOT)
        .await
        .expect("read")
        .expect("its creator");
    assert_eq!(owner.access_level, OrganizationRole::Owner);
    assert!(!owner.enterprise);
    let joined = organizations::find_user(&mut conn, ns.organization_id, user)
        .await
        .expect("read")
        .expect("the User in the Default Organization");
    assert_eq!(joined.access_level, OrganizationRole::User);
    let member = members::find(&mut conn, members::Source::Group(group), UserId::ROOT)
        .await
        .expect("read")
        .expect("the creator's membership");
    assert_eq!(member.access_level, AccessLevel::Owner);
    assert_eq!(member.source_type, SourceType::Group);
}

async fn unknown_stored_values_fail_the_read(app: &TestApp) {
    let (group, _) = app.group(None, "private", None).await;
    let (other, _) = app.group(None, "private", None).await;
    let (group, other) = (NamespaceId(group), NamespaceId(other));
    let (user, _) = app.user("flagged").await;
    let user = UserId(user);
    tamper(
        app,
        &format!("UPDATE namespaces SET visibility_level = 5 WHERE id = {group}"),
    )
    .await;
    tamper(
        app,
        &format!("UPDATE namespaces SET kind = 'project' WHERE id = {other}"),
    )
    .await;
    tamper(app, &format!("UPDATE users SET bot = 2 WHERE id = {user}")).await;
    tamper(
        app,
        &format!("UPDATE members SET access_level = 25 WHERE source_id = {other}"),
    )
    .await;
    let mut conn = app.db().read().await.expect("a connection");
    assert!(namespaces::find(&mut conn, group).await.is_err());
    assert!(namespaces::find(&mut conn, other).await.is_err());
    assert!(users::find(&mut conn, user).await.is_err());
    assert!(
        members::find(&mut conn, members::Source::Group(other), UserId::ROOT)
            .await
            .is_err()
    );
    // The rows beside them still read.
    assert!(
        users::find(&mut conn, UserId::ROOT)
            .await
            .expect("read")
            .is_some()
    );
}

both!(rows_come_back_typed, unknown_stored_values_fail_the_read);
