//! Invitations by email (`/groups/:id/invitations`, `/projects/:id/invitations`), as GitLab has
//! them: those who manage a source's Members invite addresses at a level; an address that
//! belongs to a User makes them a Member at once (under every rule of adding one: a banned
//! User is never let in); any other is a pending invitation, mailed, valid for 30 days, that
//! becomes a membership when a User with that address is created. The answer is GitLab's:
//! success, or each address that failed with why.

use orgcells_core::access::{AccessLevel, OrganizationRole};
use orgcells_core::ids::UserId;
use orgcells_core::invalid::Invalid;
use orgcells_core::members::Change;
use orgcells_core::org_users::Joined;
use orgcells_core::paths;
use orgcells_store::invitations::{self, NewInvitation};
use orgcells_store::rows::{InvitationRow, UserRow};
use orgcells_store::{organizations, users};

use crate::caller::Caller;
use crate::lookup::ensure_org_writable;
use crate::mail::Mail;
use crate::members::{MemberSource, resolve, resolve_locked};
use crate::membership::check_expiry;
use crate::{Listed, PageRequest, Ref, Result, Service, ServiceError, clock};

/// How long a pending invitation may still become a membership.
const VALID_FOR_MS: i64 = 30 * 86_400_000;
/// The most addresses one request invites (GitLab's invite limit).
pub const MAX_EMAILS: usize = 100;
/// Who may see and change a source's invitations: those who may add a Developer there.
const MANAGES: Change = Change {
    from: None,
    to: Some(AccessLevel::Developer),
};

/// A pending invitation with who made it.
#[derive(Debug, Clone)]
pub struct InvitationOut {
    pub invitation: InvitationRow,
    pub created_by: Option<UserRow>,
}

/// `POST .../invitations`.
#[derive(Debug, Clone, Default)]
pub struct InviteInput {
    pub emails: Vec<String>,
    pub access_level: Option<i64>,
    pub expires_at: Option<String>,
}

fn level_of(invalid: &mut Invalid, value: Option<i64>) -> Option<AccessLevel> {
    match value.map(AccessLevel::for_member) {
        None => {
            invalid.add("access_level", "is missing");
            None
        }
        Some(None) => {
            invalid.add("access_level", "does not have a valid value");
            None
        }
        Some(level) => level,
    }
}

/// Why an address could not be invited, in words for the answer; errors of the service
/// itself (the database) fail the whole request.
fn refusal(error: ServiceError) -> Result<String> {
    Ok(match error {
        ServiceError::Conflict(message)
        | ServiceError::BadRequest(message)
        | ServiceError::Forbidden(Some(message))
        | ServiceError::Refused(message) => message,
        ServiceError::Forbidden(None) => "403 Forbidden".into(),
        ServiceError::Invalid(invalid) => invalid.to_string(),
        ServiceError::NotFound(what) => format!("{what} not found"),
        other => return Err(other),
    })
}

impl Service {
    /// `POST /organizations/:id/users` with `email`: the address's User is added (as
    /// `add_organization_user` adds one); an address no User has is invited, mailed, and made
    /// an Organization User when a User with it is created. Answered the same either way, so
    /// the answer tells no one who has an account; a banned User is refused.
    pub async fn invite_organization_user(
        &self,
        caller: &Caller,
        org: &Ref,
        email: &str,
        role: Option<&str>,
    ) -> Result<()> {
        let me = caller.user()?.clone();
        let role = crate::org_users::parse_role(role)?.unwrap_or(OrganizationRole::User);
        let email = email.trim();
        paths::check_email(email).map_err(|m| ServiceError::invalid("email", m))?;
        let mut tx = self.db.write().await?;
        let row = self.org_for_change(&mut tx, caller, org).await?;
        self.may_add_organization_user(&mut tx, caller, &row, me.id)
            .await?;
        let now = clock::now();
        let mut mail = None;
        match users::find_by_email(tx.conn(), email).await? {
            // The Ghost User holds what deleted Users authored, and joins nothing.
            Some(user) if user.id == UserId::GHOST => {
                return Err(ServiceError::invalid("email", "is invalid"));
            }
            Some(user) => {
                if let Some(found) = organizations::find_user(tx.conn(), row.id, user.id).await?
                    && found.state == orgcells_core::states::OrganizationUserState::Banned
                {
                    return Err(ServiceError::forbidden(
                        "User is banned from this organization",
                    ));
                }
                organizations::add_user(tx.conn(), row.id, user.id, role, Joined::Added, now)
                    .await?;
            }
            None => {
                let new = invitations::NewOrganizationInvitation {
                    id: tx.next_id().await?,
                    organization_id: row.id,
                    email,
                    role: role.value(),
                    invited_until: now + VALID_FOR_MS,
                    created_by: me.id,
                    now,
                };
                if invitations::invite_to_organization(tx.conn(), &new).await? {
                    mail = Some(Mail {
                        to: email.to_lowercase(),
                        subject: format!("Invitation to join {}", row.name),
                        body: format!(
                            "{} ({}) invited you to join the organization {}. Create your \
                             account with this address within 30 days to join it.",
                            me.name, me.username, row.name
                        ),
                    });
                }
            }
        }
        self.commit(tx).await?;
        if let Some(mail) = mail
            && let Err(error) = self.mailer.send(&mail)
        {
            tracing::warn!(%error, to = %mail.to, "sending an organization invitation");
        }
        Ok(())
    }

    /// `POST .../invitations`: the addresses that could not be invited, each with why (none:
    /// success).
    pub async fn invite(
        &self,
        caller: &Caller,
        source: &MemberSource,
        input: &InviteInput,
    ) -> Result<Vec<(String, String)>> {
        let me = caller.user()?.clone();
        let mut invalid = Invalid::new();
        let level = level_of(&mut invalid, input.access_level);
        let expires_at = check_expiry(&mut invalid, input.expires_at.as_deref());
        if input.emails.is_empty() {
            invalid.add("email", "is missing");
        }
        if input.emails.len() > MAX_EMAILS {
            invalid.add(
                "email",
                format!("is too long (maximum is {MAX_EMAILS} entries)"),
            );
        }
        invalid.into_result()?;
        let level = level.ok_or_else(|| ServiceError::invalid("access_level", "is missing"))?;
        let mut tx = self.db.write().await?;
        let resolved = resolve_locked(&mut tx, caller, source).await?;
        let change = Change {
            from: None,
            to: Some(level),
        };
        resolved.may_manage(change)?;
        ensure_org_writable(tx.conn(), resolved.organization()).await?;
        let now = clock::now();
        let mut failed = Vec::new();
        let mut mails = Vec::new();
        let mut valid = Vec::new();
        for email in &input.emails {
            let email = email.trim();
            if paths::check_email(email).is_err() {
                failed.push((email.to_owned(), "Invite email is invalid".to_owned()));
            } else {
                valid.push(email);
            }
        }
        // The addresses' Users, in one read.
        let accounts = users::find_by_emails(tx.conn(), &valid).await?;
        for email in valid {
            let account = accounts
                .iter()
                .find(|u| u.email.to_lowercase() == email.to_lowercase());
            if account.is_some_and(|u| u.id == UserId::GHOST) {
                failed.push((email.to_owned(), "User not found".to_owned()));
                continue;
            }
            if let Some(user) = account {
                if let Err(error) = self
                    .add_resolved_member(
                        &mut tx,
                        caller,
                        &resolved,
                        user,
                        level,
                        expires_at.clone(),
                    )
                    .await
                {
                    failed.push((email.to_owned(), refusal(error)?));
                }
                continue;
            }
            let new = NewInvitation {
                id: tx.next_id().await?,
                organization_id: resolved.organization(),
                source: resolved.source(),
                email,
                access_level: level,
                expires_at: expires_at.as_deref(),
                invited_until: now + VALID_FOR_MS,
                created_by: me.id,
                now,
            };
            if invitations::insert(tx.conn(), &new).await? {
                mails.push(Mail {
                    to: email.to_lowercase(),
                    subject: format!("Invitation to join as {}", level),
                    body: format!(
                        "{} ({}) invited you to join as {}. Create your account with this \
                         address within 30 days and you will be a Member.",
                        me.name, me.username, level
                    ),
                });
            } else {
                failed.push((
                    email.to_owned(),
                    "Invite email has already been taken".to_owned(),
                ));
            }
        }
        self.commit(tx).await?;
        for mail in mails {
            if let Err(error) = self.mailer.send(&mail) {
                tracing::warn!(%error, to = %mail.to, "sending an invitation");
            }
        }
        Ok(failed)
    }

    /// `GET .../invitations`: the pending invitations, to those who manage Members.
    pub async fn invitations(
        &self,
        caller: &Caller,
        source: &MemberSource,
        query: Option<&str>,
        page: &PageRequest,
    ) -> Result<Listed<InvitationOut>> {
        caller.user()?;
        let mut conn = self.db.read().await?;
        let resolved = resolve(&mut conn, caller, source).await?;
        resolved.may_manage(MANAGES)?;
        let (rows, total) = invitations::list(
            &mut conn,
            resolved.source(),
            query,
            page.per_page,
            page.offset(),
        )
        .await?;
        let ids: Vec<_> = rows.iter().filter_map(|r| r.created_by_id).collect();
        let makers = users::find_many(&mut conn, &ids).await?;
        let items = rows
            .into_iter()
            .map(|invitation| InvitationOut {
                created_by: makers
                    .iter()
                    .find(|u| Some(u.id) == invitation.created_by_id)
                    .cloned(),
                invitation,
            })
            .collect();
        Ok(Listed {
            items,
            total: Some(total),
        })
    }

    /// `PUT .../invitations/:email`: its level or the expiry of the membership it becomes.
    pub async fn update_invitation(
        &self,
        caller: &Caller,
        source: &MemberSource,
        email: &str,
        access_level: Option<i64>,
        expires_at: Option<&str>,
    ) -> Result<InvitationOut> {
        let mut invalid = Invalid::new();
        let level = access_level.and_then(|value| level_of(&mut invalid, Some(value)));
        let expiry = check_expiry(&mut invalid, expires_at);
        invalid.into_result()?;
        let mut tx = self.db.write().await?;
        let resolved = resolve(tx.conn(), caller, source).await?;
        let found = invitations::find(tx.conn(), resolved.source(), email)
            .await?
            .ok_or(ServiceError::NotFound("Invitation"))?;
        let level = level.unwrap_or(found.access_level);
        resolved.may_manage(Change {
            from: Some(found.access_level),
            to: Some(level),
        })?;
        ensure_org_writable(tx.conn(), resolved.organization()).await?;
        let expiry = match expires_at {
            Some(_) => expiry,
            None => found.expires_at.clone(),
        };
        invitations::update(tx.conn(), found.id, level, expiry.as_deref()).await?;
        let invitation = invitations::find(tx.conn(), resolved.source(), email)
            .await?
            .ok_or(ServiceError::NotFound("Invitation"))?;
        let created_by = match invitation.created_by_id {
            Some(id) => users::find(tx.conn(), id).await?,
            None => None,
        };
        self.commit(tx).await?;
        Ok(InvitationOut {
            invitation,
            created_by,
        })
    }

    /// `DELETE .../invitations/:email`.
    pub async fn delete_invitation(
        &self,
        caller: &Caller,
        source: &MemberSource,
        email: &str,
    ) -> Result<()> {
        let mut tx = self.db.write().await?;
        let resolved = resolve(tx.conn(), caller, source).await?;
        let found = invitations::find(tx.conn(), resolved.source(), email)
            .await?
            .ok_or(ServiceError::NotFound("Invitation"))?;
        resolved.may_manage(Change {
            from: Some(found.access_level),
            to: None,
        })?;
        ensure_org_writable(tx.conn(), resolved.organization()).await?;
        if !invitations::delete(tx.conn(), found.id).await? {
            return Err(ServiceError::NotFound("Invitation"));
        }
        self.commit(tx).await
    }
}
