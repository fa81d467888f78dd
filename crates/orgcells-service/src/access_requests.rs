//! Access requests (`/groups/:id/access_requests`, `/projects/:id/access_requests`), as GitLab
//! has them: a signed-in User asks to become a Member of a Group or Project they can see that
//! is not private and that they have no access to yet; those who manage its Members list the
//! requests, approve one (a membership at the level given, Developer unless said, under every
//! rule of adding a Member: a banned User is never let in) or deny it; a User may withdraw
//! their own.

use orgcells_core::access::AccessLevel;
use orgcells_core::ids::UserId;
use orgcells_core::members::Change;
use orgcells_store::rows::{AccessRequestRow, UserRow};
use orgcells_store::{access_requests, users};

use crate::caller::Caller;
use crate::lookup::ensure_org_writable;
use crate::members::{MemberOut, MemberSource, resolve, resolve_locked};
use crate::{Listed, PageRequest, Result, Service, ServiceError, clock};

/// An access request with its User.
#[derive(Debug, Clone)]
pub struct AccessRequestOut {
    pub request: AccessRequestRow,
    pub user: UserRow,
}

/// Who may see and answer a source's requests: those who may add a Developer there.
const ANSWERS: Change = Change {
    from: None,
    to: Some(AccessLevel::Developer),
};

impl Service {
    /// `POST .../access_requests`: the caller asks to become a Member.
    pub async fn request_access(
        &self,
        caller: &Caller,
        source: &MemberSource,
    ) -> Result<AccessRequestOut> {
        let me = caller.user()?.clone();
        let mut tx = self.db.write().await?;
        let resolved = resolve_locked(&mut tx, caller, source).await?;
        resolved.may_request_access()?;
        ensure_org_writable(tx.conn(), resolved.organization()).await?;
        let id = tx.next_id().await?;
        let now = clock::now();
        if !access_requests::insert(
            tx.conn(),
            id,
            resolved.organization(),
            resolved.source(),
            me.id,
            now,
        )
        .await?
        {
            return Err(ServiceError::invalid("user", "has already been taken"));
        }
        let request = access_requests::find(tx.conn(), resolved.source(), me.id)
            .await?
            .ok_or(ServiceError::NotFound("Access Request"))?;
        self.commit(tx).await?;
        Ok(AccessRequestOut { request, user: me })
    }

    /// `GET .../access_requests`: the requests, to those who may answer them.
    pub async fn access_requests(
        &self,
        caller: &Caller,
        source: &MemberSource,
        page: &PageRequest,
    ) -> Result<Listed<AccessRequestOut>> {
        caller.user()?;
        let mut conn = self.db.read().await?;
        let resolved = resolve(&mut conn, caller, source).await?;
        resolved.may_manage(ANSWERS)?;
        let (rows, total) =
            access_requests::list(&mut conn, resolved.source(), page.per_page, page.offset())
                .await?;
        let ids: Vec<UserId> = rows.iter().map(|r| r.user_id).collect();
        let accounts = users::find_many(&mut conn, &ids).await?;
        let items = rows
            .into_iter()
            .filter_map(|request| {
                let user = accounts.iter().find(|u| u.id == request.user_id)?.clone();
                Some(AccessRequestOut { request, user })
            })
            .collect();
        Ok(Listed {
            items,
            total: Some(total),
        })
    }

    /// `PUT .../access_requests/:user_id/approve`: the request becomes a membership, at
    /// `access_level` (Developer unless given).
    pub async fn approve_access_request(
        &self,
        caller: &Caller,
        source: &MemberSource,
        user: UserId,
        access_level: Option<i64>,
    ) -> Result<MemberOut> {
        let level = match access_level {
            None => AccessLevel::Developer,
            Some(value) => AccessLevel::for_member(value).ok_or_else(|| {
                ServiceError::invalid("access_level", "does not have a valid value")
            })?,
        };
        let mut tx = self.db.write().await?;
        let resolved = resolve_locked(&mut tx, caller, source).await?;
        resolved.may_manage(ANSWERS)?;
        ensure_org_writable(tx.conn(), resolved.organization()).await?;
        if !access_requests::delete(tx.conn(), resolved.source(), user).await? {
            return Err(ServiceError::NotFound("Access Request"));
        }
        let user = users::find(tx.conn(), user)
            .await?
            .ok_or(ServiceError::NotFound("User"))?;
        let out = self
            .add_resolved_member(&mut tx, caller, &resolved, &user, level, None)
            .await?;
        self.commit(tx).await?;
        Ok(out)
    }

    /// `DELETE .../access_requests/:user_id`: denied by those who may answer it, or withdrawn
    /// by the User who made it.
    pub async fn delete_access_request(
        &self,
        caller: &Caller,
        source: &MemberSource,
        user: UserId,
    ) -> Result<()> {
        let me = caller.user()?.id;
        let mut tx = self.db.write().await?;
        let resolved = resolve(tx.conn(), caller, source).await?;
        if me != user {
            resolved.may_manage(ANSWERS)?;
        }
        ensure_org_writable(tx.conn(), resolved.organization()).await?;
        if !access_requests::delete(tx.conn(), resolved.source(), user).await? {
            return Err(ServiceError::NotFound("Access Request"));
        }
        self.commit(tx).await
    }
}
