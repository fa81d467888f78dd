//! The rows that make a User part of something: an Organization User, a Group or Project
//! Member, and the expiry date a membership or a share may carry.

use orgcells_core::access::{AccessLevel, OrganizationRole};
use orgcells_core::ids::{OrganizationId, UserId};
use orgcells_core::invalid::Invalid;
use orgcells_core::org_users::Joined;
use orgcells_store::rows::MemberRow;
use orgcells_store::{Tx, members, organizations};

use crate::{Result, clock};

/// Makes a User part of an Organization (no-op if they are), saying how they joined. Banned
/// Users stay banned.
pub(crate) async fn ensure_org_user(
    tx: &mut Tx,
    org: OrganizationId,
    user: UserId,
    joined: Joined,
) -> Result<()> {
    organizations::add_user(
        tx.conn(),
        org,
        user,
        OrganizationRole::User,
        joined,
        clock::now(),
    )
    .await?;
    Ok(())
}

/// Adds a Member (the creator as Owner, or anyone), making them a User of the Organization.
pub(crate) async fn insert_member(
    tx: &mut Tx,
    org: OrganizationId,
    source: members::Source,
    user: UserId,
    level: AccessLevel,
    expires_at: Option<String>,
    created_by: Option<UserId>,
) -> Result<MemberRow> {
    ensure_org_user(tx, org, user, Joined::Membership).await?;
    let now = clock::now();
    let row = MemberRow {
        id: tx.next_id().await?,
        organization_id: org,
        source_type: source.kind(),
        source_id: source.id(),
        user_id: user,
        access_level: level,
        expires_at,
        created_by_id: created_by,
        created_at: now,
        updated_at: now,
    };
    members::insert(tx.conn(), &row).await?;
    Ok(row)
}

/// Checks an expiry date: `YYYY-MM-DD`, in the future.
pub(crate) fn check_expiry(invalid: &mut Invalid, value: Option<&str>) -> Option<String> {
    match value {
        None | Some("") => None,
        Some(value) => match clock::parse_date(value) {
            Some(date) if date > clock::today() => Some(date),
            Some(_) => {
                invalid.add("expires_at", "cannot be a date in the past");
                None
            }
            None => {
                invalid.add("expires_at", "is not a valid date (YYYY-MM-DD)");
                None
            }
        },
    }
}
