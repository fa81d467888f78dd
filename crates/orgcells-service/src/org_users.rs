//! An Organization's people: adding a User, making or unmaking Owners, removing (or leaving),
//! banning and unbanning. Who may ask is `core::policy`'s; what the change may do (the last
//! Owner, the home Organization) is `core::org_users`'. Each runs in one transaction that locks
//! the Organization's active Owners before it counts them.

use orgcells_core::access::OrganizationRole;
use orgcells_core::ids::UserId;
use orgcells_core::org_users::{self, Change, Joined, Subject};
use orgcells_core::policy::OrganizationUserAction;
use orgcells_core::states::OrganizationUserState;
use orgcells_store::locks::{self, OrgLock};
use orgcells_store::rows::OrganizationRow;
use orgcells_store::{Tx, organizations, users};

use crate::access::{Extent, organization_facts, standing};
use crate::caller::Caller;
use crate::error::denied;
use crate::lookup::ensure_writable;
use crate::organizations::{OrganizationUser, find_org};
use crate::{Ref, Result, Service, ServiceError, clock};

/// The most sole-owned Groups a refused removal names.
const NAMED_GROUPS: i64 = 20;

/// Fields of `POST /organizations/:id/users`.
#[derive(Debug, Clone, Default)]
pub struct OrganizationUserInput {
    pub user_id: Option<UserId>,
    pub username: Option<String>,
    /// `default` (the default) or `owner`.
    pub access_level: Option<String>,
}

/// Reads `access_level`: `default` (also `user`) or `owner`.
pub(crate) fn parse_role(value: Option<&str>) -> Result<Option<OrganizationRole>> {
    match value {
        None => Ok(None),
        Some(name) => OrganizationRole::parse(name)
            .map(Some)
            .ok_or_else(|| ServiceError::invalid("access_level", "does not have a valid value")),
    }
}

fn refused(refusal: org_users::Refused) -> ServiceError {
    match refusal {
        org_users::Refused::BanSelf => ServiceError::forbidden(refusal.to_string()),
        _ => ServiceError::BadRequest(refusal.to_string()),
    }
}

impl Service {
    /// `POST /organizations/:id/users`: adds a User (by `user_id` or `username`), as a User
    /// or an Owner (Owners and admins). A banned User is refused until unbanned.
    pub async fn add_organization_user(
        &self,
        caller: &Caller,
        org: &Ref,
        input: &OrganizationUserInput,
    ) -> Result<OrganizationUser> {
        caller.user()?;
        let role = parse_role(input.access_level.as_deref())?.unwrap_or(OrganizationRole::User);
        let named = match (input.user_id, &input.username) {
            (Some(id), _) => Ref::Id(id.0),
            (None, Some(username)) => Ref::Path(username.clone()),
            (None, None) => return Err(ServiceError::invalid("user_id", "is missing")),
        };
        // A User made on another Cell a moment ago may not be copied here yet.
        if self.copies_users() {
            let _ = self.user_by_ref(&named).await;
        }
        let mut tx = self.db.write().await?;
        let row = self.org_for_change(&mut tx, caller, org).await?;
        let me = caller.user()?.id;
        self.may_add_organization_user(&mut tx, caller, &row, me)
            .await?;
        let user = match &named {
            Ref::Id(id) => users::find(tx.conn(), UserId(*id)).await?,
            Ref::Path(username) => users::find_by_username(tx.conn(), username).await?,
        }
        .filter(|u| u.id != UserId::GHOST)
        .ok_or(ServiceError::NotFound("User"))?;
        match organizations::find_user(tx.conn(), row.id, user.id).await? {
            Some(found) if found.state == OrganizationUserState::Banned => {
                return Err(ServiceError::forbidden(
                    "User is banned from this organization",
                ));
            }
            Some(_) => {
                return Err(ServiceError::Conflict(
                    "User is already a user of this organization".into(),
                ));
            }
            None => {}
        }
        let now = clock::now();
        organizations::add_user(tx.conn(), row.id, user.id, role, Joined::Added, now).await?;
        let membership = organizations::find_user(tx.conn(), row.id, user.id)
            .await?
            .ok_or(ServiceError::NotFound("User"))?;
        self.commit(tx).await?;
        Ok(OrganizationUser { membership, user })
    }

    /// `PUT /organizations/:id/users/:user_id`: makes them an Owner, or a User again.
    pub async fn update_organization_user(
        &self,
        caller: &Caller,
        org: &Ref,
        user: UserId,
        access_level: Option<&str>,
    ) -> Result<OrganizationUser> {
        let role = parse_role(access_level)?
            .ok_or_else(|| ServiceError::invalid("access_level", "is missing"))?;
        self.change_organization_user(caller, org, user, Change::SetRole(role))
            .await?
            .ok_or(ServiceError::NotFound("User"))
    }

    /// `DELETE /organizations/:id/users/:user_id`: removes them, and every membership of
    /// theirs in its Groups and Projects with them; themselves: they leave.
    pub async fn remove_organization_user(
        &self,
        caller: &Caller,
        org: &Ref,
        user: UserId,
    ) -> Result<()> {
        self.change_organization_user(caller, org, user, Change::Remove)
            .await?;
        Ok(())
    }

    /// `POST /organizations/:id/users/:user_id/ban` and `.../unban`.
    pub async fn ban_organization_user(
        &self,
        caller: &Caller,
        org: &Ref,
        user: UserId,
        ban: bool,
    ) -> Result<OrganizationUser> {
        let change = if ban { Change::Ban } else { Change::Unban };
        self.change_organization_user(caller, org, user, change)
            .await?
            .ok_or(ServiceError::NotFound("User"))
    }

    /// The Organization a change is about, writable, under a shared lock (its Owners are
    /// locked by the change itself).
    pub(crate) async fn org_for_change(
        &self,
        tx: &mut Tx,
        caller: &Caller,
        org: &Ref,
    ) -> Result<OrganizationRow> {
        let found = find_org(tx.conn(), org)
            .await?
            .ok_or(ServiceError::NotFound("Organization"))?;
        locks::organization(tx.conn(), found.id, OrgLock::Share).await?;
        // Read again under the lock: its state may have changed meanwhile.
        let found = organizations::find(tx.conn(), found.id)
            .await?
            .ok_or(ServiceError::NotFound("Organization"))?;
        let standing = standing(tx.conn(), caller, Some(found.id), Extent::Everywhere).await?;
        if !standing
            .viewer(found.id)
            .can_read_organization(&organization_facts(&found))
        {
            return Err(ServiceError::NotFound("Organization"));
        }
        ensure_writable(&found)?;
        Ok(found)
    }

    /// Whether the caller may add Users to the Organization (its Owners and admins).
    pub(crate) async fn may_add_organization_user(
        &self,
        tx: &mut Tx,
        caller: &Caller,
        row: &OrganizationRow,
        subject: UserId,
    ) -> Result<()> {
        let standing = standing(tx.conn(), caller, Some(row.id), Extent::Everywhere).await?;
        standing
            .viewer(row.id)
            .organization_user(
                &organization_facts(row),
                subject,
                OrganizationUserAction::Add,
            )
            .map_err(denied("Organization"))
    }

    /// Makes one change to an Organization User; what they are after it (`None`: removed).
    async fn change_organization_user(
        &self,
        caller: &Caller,
        org: &Ref,
        user: UserId,
        change: Change,
    ) -> Result<Option<OrganizationUser>> {
        let me = caller.user()?.id;
        let mut tx = self.db.write().await?;
        let row = self.org_for_change(&mut tx, caller, org).await?;
        let action = match change {
            Change::SetRole(_) => OrganizationUserAction::ChangeRole,
            Change::Remove => OrganizationUserAction::Remove,
            Change::Ban => OrganizationUserAction::Ban,
            Change::Unban => OrganizationUserAction::Unban,
        };
        let standing = standing(tx.conn(), caller, Some(row.id), Extent::Everywhere).await?;
        standing
            .viewer(row.id)
            .organization_user(&organization_facts(&row), user, action)
            .map_err(denied("Organization"))?;
        let active_owners = locks::organization_owners(tx.conn(), row.id).await?;
        let found = organizations::find_user(tx.conn(), row.id, user)
            .await?
            .ok_or(ServiceError::NotFound("User"))?;
        let account = users::find(tx.conn(), user)
            .await?
            .ok_or(ServiceError::NotFound("User"))?;
        let subject = Subject {
            role: found.access_level,
            banned: found.state == OrganizationUserState::Banned,
            home: account.home_organization_id == row.id,
            is_caller: user == me,
            active_owners,
        };
        org_users::check(change, &subject).map_err(refused)?;
        let now = clock::now();
        match change {
            Change::SetRole(role) => {
                organizations::set_user_role(tx.conn(), row.id, user, role, now).await?;
            }
            Change::Ban | Change::Unban => {
                let state = if change == Change::Ban {
                    OrganizationUserState::Banned
                } else {
                    OrganizationUserState::Active
                };
                organizations::set_user_state(tx.conn(), row.id, user, state, now).await?;
            }
            Change::Remove => {
                locks::owners_of_groups_owned_by(tx.conn(), user, Some(row.id)).await?;
                let sole =
                    organizations::sole_owned_groups(tx.conn(), row.id, user, NAMED_GROUPS).await?;
                if !sole.is_empty() {
                    return Err(ServiceError::Conflict(format!(
                        "The user is the sole owner of groups in this organization: {}. \
                         Make another user an owner of them first",
                        sole.join(", ")
                    )));
                }
                organizations::remove_user(tx.conn(), row.id, user).await?;
                self.commit(tx).await?;
                return Ok(None);
            }
        }
        let membership = organizations::find_user(tx.conn(), row.id, user)
            .await?
            .ok_or(ServiceError::NotFound("User"))?;
        self.commit(tx).await?;
        Ok(Some(OrganizationUser {
            membership,
            user: account,
        }))
    }
}
