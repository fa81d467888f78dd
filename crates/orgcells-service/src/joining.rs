//! A User's pending invitations (to Groups, Projects and Organizations) become memberships and
//! Organization Users on each Cell that holds some: at once, in the transaction that creates
//! the User or changes their address on the Cell that writes Users, and right after the copy
//! that brings the User or their new address to every other Cell of a cluster; those that had
//! to wait are taken by a sweep ([`Service::accept_waiting_invitations`]) that each Cell runs on
//! a schedule.
//!
//! An invitation waits while its Organization is not active: a moving Organization takes no
//! write (its rows are being copied), and a soft-deleted one takes no one. It also waits when
//! it was written as the User arrived, each transaction unable to see the other's row.

use std::collections::{BTreeMap, BTreeSet};

use orgcells_core::access::OrganizationRole;
use orgcells_core::ids::{OrganizationId, UserId};
use orgcells_core::org_users::Joined;
use orgcells_core::states::{OrganizationState, OrganizationUserState};
use orgcells_store::locks::{self, OrgLock};
use orgcells_store::rows::{InvitationRow, UserRow};
use orgcells_store::{Tx, invitations, members, organizations, users};

use crate::membership::insert_member;
use crate::{Result, Service, ServiceError, clock};

/// The most Users one sweep takes.
const SWEEP: i64 = 500;

/// How many times the invitations are read again when one moved to an Organization not yet
/// locked (a Group moved into another Organization meanwhile).
const ATTEMPTS: usize = 4;

/// `user`'s pending invitations on this Cell, in the transaction given, but those of an
/// Organization that does not take them now. The Organizations are locked before the
/// invitations are read for good, and each invitation is taken by deleting it: one withdrawn
/// or taken up meanwhile is not.
pub(crate) async fn accept_invitations(tx: &mut Tx, user: &UserRow) -> Result<()> {
    if user.id == UserId::GHOST || !user.state.is_active() {
        return Ok(());
    }
    let now = clock::now();
    let mut open: BTreeMap<OrganizationId, bool> = BTreeMap::new();
    for _ in 0..ATTEMPTS {
        let to_organizations =
            invitations::organization_invitations_for(tx.conn(), &user.email, now).await?;
        let to_sources = invitations::for_email(tx.conn(), &user.email, now).await?;
        let orgs: BTreeSet<OrganizationId> = to_organizations
            .iter()
            .map(|(_, org, _)| *org)
            .chain(to_sources.iter().map(|i| i.organization_id))
            .collect();
        if orgs.iter().all(|org| open.contains_key(org)) {
            return take(tx, user, &open, to_organizations, to_sources, now).await;
        }
        let unlocked: Vec<OrganizationId> = orgs
            .into_iter()
            .filter(|org| !open.contains_key(org))
            .collect();
        for org in unlocked {
            let takes = takes_members(tx, org, user.id).await?;
            open.insert(org, takes);
        }
    }
    Err(ServiceError::Unavailable {
        message: "503 Service Unavailable: invitations moved while being accepted; retry".into(),
        retry_after: 1,
    })
}

/// Takes the invitations of the Organizations that are `open`, read under their locks.
async fn take(
    tx: &mut Tx,
    user: &UserRow,
    open: &BTreeMap<OrganizationId, bool>,
    to_organizations: Vec<(i64, OrganizationId, i64)>,
    to_sources: Vec<InvitationRow>,
    now: i64,
) -> Result<()> {
    for (id, org, level) in to_organizations {
        if open[&org] && invitations::delete_organization_invitation(tx.conn(), id).await? {
            let role = OrganizationRole::from_value(level).unwrap_or(OrganizationRole::User);
            organizations::add_user(tx.conn(), org, user.id, role, Joined::Added, now).await?;
        }
    }
    for invitation in to_sources {
        if !open[&invitation.organization_id]
            || !invitations::delete(tx.conn(), invitation.id).await?
        {
            continue;
        }
        let source = invitation.source();
        if members::find(tx.conn(), source, user.id).await?.is_none() {
            insert_member(
                tx,
                invitation.organization_id,
                source,
                user.id,
                invitation.access_level,
                invitation.expires_at.clone(),
                invitation.created_by_id,
            )
            .await?;
        }
    }
    Ok(())
}

/// Whether `org` lets `user` in by invitation now: it is active (read under its lock, so that
/// a move or a deletion starting now waits for this transaction) and has not banned them.
async fn takes_members(tx: &mut Tx, org: OrganizationId, user: UserId) -> Result<bool> {
    locks::organization(tx.conn(), org, OrgLock::Share).await?;
    let active = organizations::find(tx.conn(), org)
        .await?
        .is_some_and(|row| row.state == OrganizationState::Active);
    let banned = organizations::find_user(tx.conn(), org, user)
        .await?
        .is_some_and(|row| row.state == OrganizationUserState::Banned);
    Ok(active && !banned)
}

impl Service {
    /// Accepts the invitations that waited (see the module): those of an Organization active
    /// again (a move ended, a deletion undone or a ban lifted) and those written as their User
    /// arrived. One transaction per User; how many Users had some.
    pub async fn accept_waiting_invitations(&self) -> Result<usize> {
        self.accept_invitations_waiting_in(None).await
    }

    /// What an Organization that became active again (a move's target took it, or it was
    /// restored) was waiting for: its invitations whose address has a User. A failure is left
    /// to the sweep.
    pub(crate) async fn organization_reopened(&self, org: OrganizationId) {
        if let Err(error) = self.accept_invitations_waiting_in(Some(org)).await {
            tracing::warn!(%error, organization = org.0, "accepting the invitations that waited");
        }
    }

    async fn accept_invitations_waiting_in(&self, only: Option<OrganizationId>) -> Result<usize> {
        let waiting = {
            let mut conn = self.db.read().await?;
            invitations::invited_users(&mut conn, only, clock::now(), SWEEP).await?
        };
        // One User's failure (a lock lost to a race, say) is the next sweep's to retry: it
        // does not hold up the others.
        for user in &waiting {
            if let Err(error) = self.accept_invitations_of(*user).await {
                tracing::warn!(%error, user = user.0, "accepting a User's invitations");
            }
        }
        Ok(waiting.len())
    }

    /// `user`'s pending invitations on this Cell, in a transaction of their own.
    pub(crate) async fn accept_invitations_of(&self, user: UserId) -> Result<()> {
        let mut tx = self.db.write().await?;
        if let Some(row) = users::find(tx.conn(), user).await? {
            accept_invitations(&mut tx, &row).await?;
        }
        Ok(tx.commit().await?)
    }
}
