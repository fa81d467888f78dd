//! Deleting a User (`DELETE /users/:id`, admins). On each Cell, in one transaction: refused
//! while the User alone owns a Group there (unless `hard_delete`, which deletes those Groups)
//! or an Organization (its Owners locked as a demotion locks them); otherwise their personal
//! namespaces, memberships and Organization User rows go, and what they authored goes to the
//! Ghost User.
//!
//! In a cluster the User lives on the Cell that keeps Users, their rows on any Cell. The
//! deletion runs there as a sequence each step of which may be run again: every other Cell
//! checks first, changing nothing (a refusal anywhere refuses the deletion, nothing done); the
//! User is blocked, so none of their tokens acts meanwhile; each other Cell removes its rows
//! (`POST /-/cells/users/:id/removal`); then this Cell removes its own and the User, which the
//! other Cells' copies follow through the change log. A deletion cut short (a Cell
//! unreachable: 503) leaves the User blocked, their rows gone where removed, and the deletion
//! recorded (`user_deletions`, written with the block): the Cell finishes it on its own
//! ([`Service::resume_user_deletions`], run with the lease reconciler), or an admin asking
//! again does.

use std::time::Duration;

use orgcells_core::ids::UserId;
use orgcells_core::states::UserState;
use orgcells_store::{
    AnyConnection, Tx, locks, members, namespaces, organizations, projects, user_activity,
    user_deletions, users,
};
use orgcells_topology::CellEntry;

use crate::caller::Caller;
use crate::routes::delete_group_tree;
use crate::users::user_owner;
use crate::{Result, Service, ServiceError, clock};

/// How long another Cell may take to check or remove a User's rows.
const PEER_TIMEOUT: Duration = Duration::from_secs(60);
/// The most deletions one run of the resumer finishes.
const RESUMED_AT_ONCE: i64 = 100;

const SOLE_GROUP_OWNER: &str = "User cannot be removed while is the sole-owner of a group";
const SOLE_ORGANIZATION_OWNER: &str =
    "You must transfer ownership of organizations before you can remove user";

impl Service {
    /// `DELETE /users/:id` (admins).
    pub async fn delete_user(&self, caller: &Caller, id: UserId, hard_delete: bool) -> Result<()> {
        let admin = caller.admin()?;
        if admin.id == id {
            return Err(ServiceError::forbidden("You cannot delete yourself"));
        }
        // Only on the Cell that keeps Users; the User must be there.
        drop(self.users_write().await?);
        self.user_to_delete(id).await?;
        // One run of a User's deletion at a time: not this and the resumer, nor two asks.
        let _turn = self.deleting.take(id.0).ok_or_else(|| {
            ServiceError::Conflict("The user is being deleted: try again later".into())
        })?;
        let others = self.other_cells().await?;
        self.check_everywhere(&others, id, hard_delete).await?;
        if !others.is_empty() {
            let mut tx = self.users_write().await?;
            // Read again, locked: only the state changes, nothing a concurrent edit wrote.
            let mut user = users::find_for_update(tx.conn(), id)
                .await?
                .ok_or(ServiceError::NotFound("User"))?;
            if user.state != UserState::Blocked {
                user.state = UserState::Blocked;
                user.updated_at = clock::now();
                users::update(&mut tx, &user).await?;
            }
            user_deletions::record(tx.conn(), id, hard_delete, clock::now()).await?;
            self.commit(tx).await?;
        }
        self.finish_user_deletion(&others, id, hard_delete).await
    }

    /// Asks every other Cell, then this one, whether the User's rows may go; nothing changes.
    async fn check_everywhere(
        &self,
        others: &[CellEntry],
        id: UserId,
        hard_delete: bool,
    ) -> Result<()> {
        let path = format!(
            "/users/{}/removal?check=true&hard_delete={hard_delete}",
            id.0
        );
        for cell in others {
            self.call_peer(cell, reqwest::Method::POST, &path, None, PEER_TIMEOUT)
                .await?;
        }
        let mut conn = self.db.read().await?;
        check(&mut conn, id, hard_delete).await
    }

    /// The steps of a deletion after the block: each other Cell removes the User's rows, then
    /// this Cell its own and the User, forgetting the deletion in the same transaction. In a
    /// cluster the User must still be blocked then (read locked): one an admin unblocked
    /// meanwhile is not deleted.
    async fn finish_user_deletion(
        &self,
        others: &[CellEntry],
        id: UserId,
        hard_delete: bool,
    ) -> Result<()> {
        let removal = format!(
            "/users/{}/removal?check=false&hard_delete={hard_delete}",
            id.0
        );
        for cell in others {
            self.call_peer(cell, reqwest::Method::POST, &removal, None, PEER_TIMEOUT)
                .await?;
        }
        let mut tx = self.users_write().await?;
        let user = users::find_for_update(tx.conn(), id)
            .await?
            .filter(|u| u.id != UserId::GHOST)
            .ok_or(ServiceError::NotFound("User"))?;
        if !others.is_empty() && user.state != UserState::Blocked {
            return Err(ServiceError::Conflict(
                "The user was unblocked while being deleted: ask again to delete them".into(),
            ));
        }
        remove_rows(&mut tx, id, hard_delete).await?;
        orgcells_store::claims::release_all(&mut tx, user_owner(id)).await?;
        users::delete(&mut tx, id).await?;
        user_deletions::forget(tx.conn(), id).await?;
        self.commit(tx).await
    }

    /// Finishes the deletions an outage cut short (on the Cell that keeps Users; nothing
    /// elsewhere), each from its checks again: how many were finished. One that a Cell now
    /// refuses (the User alone owns something there again), or whose User is no longer blocked
    /// (an admin unblocked them) or gone, is given up, so that an admin asking again learns
    /// why; one that cannot reach a Cell waits for the next run, without holding up the
    /// others.
    pub async fn resume_user_deletions(&self) -> Result<usize> {
        if self.copies_users() {
            return Ok(0);
        }
        let under_way = {
            let mut conn = self.db.read().await?;
            user_deletions::under_way(&mut conn, RESUMED_AT_ONCE).await?
        };
        if under_way.is_empty() {
            return Ok(0);
        }
        let others = self.other_cells().await?;
        let mut finished = 0;
        for (id, hard_delete) in under_way {
            // A deletion an admin's request runs now is theirs to finish.
            let Some(_turn) = self.deleting.take(id.0) else {
                continue;
            };
            match self.resume_user_deletion(&others, id, hard_delete).await {
                Ok(true) => finished += 1,
                Ok(false) => {}
                Err(error) => {
                    tracing::warn!(user = id.0, %error, "a User's deletion waits: trying again later");
                }
            }
        }
        Ok(finished)
    }

    /// One recorded deletion, from its checks: `false` when it is given up (and forgotten).
    async fn resume_user_deletion(
        &self,
        others: &[CellEntry],
        id: UserId,
        hard_delete: bool,
    ) -> Result<bool> {
        let blocked = match self.user_to_delete(id).await {
            Ok(user) => user.state == UserState::Blocked,
            Err(ServiceError::NotFound(_)) => false,
            Err(error) => return Err(error),
        };
        let outcome = if blocked {
            match self.check_everywhere(others, id, hard_delete).await {
                Ok(()) => self.finish_user_deletion(others, id, hard_delete).await,
                Err(error) => Err(error),
            }
        } else {
            Err(ServiceError::Conflict(
                "the User is no longer blocked".into(),
            ))
        };
        match outcome {
            Ok(()) => Ok(true),
            Err(ServiceError::Conflict(why)) => {
                tracing::warn!(user = id.0, %why, "a User's deletion given up");
                let mut tx = self.db.write().await?;
                user_deletions::forget(tx.conn(), id).await?;
                tx.commit().await?;
                Ok(false)
            }
            Err(error) => Err(error),
        }
    }

    /// `POST /-/cells/users/:id/removal` on a Cell other than the Users': checks whether the
    /// User's rows here may go (`check`, changing nothing) or removes them.
    pub async fn remove_user_rows(
        &self,
        id: UserId,
        hard_delete: bool,
        check_only: bool,
    ) -> Result<()> {
        if check_only {
            let mut conn = self.db.read().await?;
            return check(&mut conn, id, hard_delete).await;
        }
        let mut tx = self.db.write().await?;
        remove_rows(&mut tx, id, hard_delete).await?;
        self.commit(tx).await
    }

    async fn user_to_delete(&self, id: UserId) -> Result<orgcells_store::rows::UserRow> {
        let mut conn = self.db.read().await?;
        users::find(&mut conn, id)
            .await?
            .filter(|u| u.id != UserId::GHOST)
            .ok_or(ServiceError::NotFound("User"))
    }
}

/// Whether the User's rows on this Cell may go: not while they alone own a Group (unless
/// `hard_delete`) or an Organization here.
async fn check(conn: &mut AnyConnection, id: UserId, hard_delete: bool) -> Result<()> {
    if !hard_delete && !members::solely_owned_groups(conn, id).await?.is_empty() {
        return Err(ServiceError::Conflict(SOLE_GROUP_OWNER.into()));
    }
    if !locks::solely_owned_organizations(conn, id)
        .await?
        .is_empty()
    {
        return Err(ServiceError::Conflict(SOLE_ORGANIZATION_OWNER.into()));
    }
    Ok(())
}

/// Removes every row naming the User on this Cell but the User's own, in `tx`, after checking
/// under the Owners' locks.
async fn remove_rows(tx: &mut Tx, id: UserId, hard_delete: bool) -> Result<()> {
    locks::owners_of_groups_owned_by(tx.conn(), id, None).await?;
    check(tx.conn(), id, hard_delete).await?;
    let sole = members::solely_owned_groups(tx.conn(), id).await?;
    for group in namespaces::find_many(tx.conn(), &sole).await? {
        delete_group_tree(tx, &group).await?;
    }
    // Personal namespaces with their Projects.
    for org in organizations::memberships_of(tx.conn(), id).await? {
        if let Some(ns) = namespaces::find_personal(tx.conn(), org.organization_id, id).await? {
            delete_group_tree(tx, &ns).await?;
        }
    }
    projects::reassign_creator(tx.conn(), id, UserId::GHOST).await?;
    members::reassign_creator(tx.conn(), id, UserId::GHOST).await?;
    members::delete_of_user(tx.conn(), id).await?;
    organizations::remove_user_everywhere(tx.conn(), id).await?;
    user_activity::forget(tx.conn(), id).await?;
    Ok(())
}
