//! An admin's actions on a User's instance-wide state: `POST /users/:id/block`, `unblock`,
//! `ban`, `unban`, `deactivate` and `activate`. What each does is `core::user_actions`'s; a User
//! not active afterwards is refused at their next request, with every token they hold, since
//! authentication reads the state (`caller`), and the write drops every remembered caller.

use orgcells_core::ids::UserId;
use orgcells_core::user_actions::{self, Outcome, Refusal, UserAction};
use orgcells_store::users;

use crate::caller::Caller;
use crate::{Result, Service, ServiceError, clock};

/// What GitLab answers an action with: `true`, `false` or `null`.
pub type Answer = Option<bool>;

impl Service {
    /// Applies `action` to User `id` (admins). Users are cluster-wide, so in a cluster this runs
    /// on the Cell that keeps them, and the other Cells copy the new state.
    pub async fn act_on_user(
        &self,
        caller: &Caller,
        id: UserId,
        action: UserAction,
    ) -> Result<Answer> {
        let admin = caller.admin()?.id;
        // Read before the write begins: it may ask the other Cells.
        let recently_active = action == UserAction::Deactivate && self.recently_active(id).await?;
        let mut tx = self.users_write().await?;
        let mut user = users::find_for_update(tx.conn(), id)
            .await?
            .filter(|u| u.id != UserId::GHOST)
            .ok_or(ServiceError::NotFound("User"))?;
        let outcome = user_actions::apply(action, user.state, admin == id, recently_active)
            .map_err(|refusal| match refusal {
                Refusal::Forbidden(reason) => ServiceError::forbidden(reason),
                Refusal::Refused(message) => ServiceError::Refused(message),
            })?;
        let state = match outcome {
            Outcome::To(state) => state,
            Outcome::AlreadyDone => return Ok(None),
            Outcome::Unchanged(answer) => return Ok(Some(answer)),
        };
        user.state = state;
        user.updated_at = clock::now();
        users::update(&mut tx, &user).await?;
        self.commit(tx).await?;
        Ok(Some(true))
    }
}
