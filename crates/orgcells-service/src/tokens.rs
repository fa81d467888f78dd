//! Personal access tokens: `glpat-` routable tokens (naming the Cell and the home Organization), shown once, stored as a SHA-256
//! digest. Tokens are Cell-agnostic today; a routable token will carry its Cell in the same form.

use orgcells_core::ids::{TokenId, UserId};
use orgcells_core::invalid::Invalid;
use orgcells_store::rows::TokenRow;
/// Filters of token lists.
pub use orgcells_store::tokens::TokenFilter;
use orgcells_store::{Tx, tokens, users};

use crate::caller::Caller;
use crate::secret::{digest, generate};
use crate::{Listed, PageRequest, Result, Service, ServiceError, clock};
use orgcells_core::routable_token::Routing;

/// The scopes GitLab knows for personal access tokens.
pub const SCOPES: &[&str] = &[
    "api",
    "read_api",
    "read_user",
    "create_runner",
    "manage_runner",
    "k8s_proxy",
    "read_repository",
    "write_repository",
    "read_registry",
    "write_registry",
    "read_virtual_registry",
    "write_virtual_registry",
    "sudo",
    "admin_mode",
    "read_service_ping",
    "ai_features",
    "self_rotate",
];

/// What a caller asks for.
#[derive(Debug, Clone, Default)]
pub struct NewToken {
    pub name: Option<String>,
    pub scopes: Vec<String>,
    pub expires_at: Option<String>,
    pub description: Option<String>,
}

/// A token just created, with its secret (never shown again).
#[derive(Debug, Clone)]
pub struct CreatedToken {
    pub row: TokenRow,
    pub token: String,
}

fn validate(new: &NewToken) -> Result<(String, String, Option<String>)> {
    let mut invalid = Invalid::new();
    let name = new.name.clone().unwrap_or_default();
    invalid.check("name", orgcells_core::paths::check_present(&name, 255));
    if new.scopes.is_empty() {
        invalid.add("scopes", "can't be blank");
    }
    for scope in &new.scopes {
        if !SCOPES.contains(&scope.as_str()) {
            invalid.add("scopes", format!("{scope} is not a valid scope"));
        }
    }
    let expires_at = match &new.expires_at {
        Some(date) if !date.is_empty() => match clock::parse_date(date) {
            Some(date) if date > clock::today() => Some(date),
            Some(_) => {
                invalid.add("expires_at", "must be in the future");
                None
            }
            None => {
                invalid.add("expires_at", "is not a valid date (YYYY-MM-DD)");
                None
            }
        },
        _ => None,
    };
    invalid.into_result()?;
    Ok((name, new.scopes.join(","), expires_at))
}

/// Inserts a token with a given secret, inside the caller's transaction.
pub(crate) async fn insert(
    tx: &mut Tx,
    user: UserId,
    name: &str,
    scopes: &str,
    expires_at: Option<String>,
    secret: &str,
) -> Result<TokenRow> {
    let row = TokenRow {
        id: tx.next_id().await?,
        user_id: user,
        name: name.to_owned(),
        digest: digest(secret),
        scopes: scopes.to_owned(),
        expires_at,
        revoked: false,
        created_at: clock::now(),
        last_used_at: None,
    };
    tokens::insert(tx, &row).await?;
    Ok(row)
}

/// Scopes a User may give a token they create for themselves (`POST /user/personal_access_tokens`),
/// as GitLab allows: a short-lived Kubernetes proxy token.
pub const SELF_SERVICE_SCOPES: &[&str] = &["k8s_proxy"];

impl Service {
    /// `POST /users/:id/personal_access_tokens` (admin).
    pub async fn create_token_for(
        &self,
        caller: &Caller,
        user_id: UserId,
        new: &NewToken,
    ) -> Result<CreatedToken> {
        caller.admin()?;
        let (name, scopes, expires_at) = validate(new)?;
        self.insert_token(user_id, &name, &scopes, expires_at).await
    }

    /// `POST /user/personal_access_tokens`: the caller's own, `k8s_proxy` only, expiring
    /// tomorrow unless told otherwise.
    pub async fn create_own_token(&self, caller: &Caller, new: &NewToken) -> Result<CreatedToken> {
        let me = caller.user()?.id;
        if new
            .scopes
            .iter()
            .any(|s| !SELF_SERVICE_SCOPES.contains(&s.as_str()))
        {
            return Err(ServiceError::invalid(
                "scopes",
                "does not have a valid value",
            ));
        }
        let (name, scopes, expires_at) = validate(new)?;
        self.insert_token(
            me,
            &name,
            &scopes,
            expires_at.or_else(|| Some(clock::tomorrow())),
        )
        .await
    }

    /// What a new token of `user` names: this Cell, which writes the cluster's tokens, and
    /// the User's home Organization.
    pub(crate) fn routing(&self, user: &orgcells_store::rows::UserRow) -> Routing {
        Routing {
            cell: self.db.cell(),
            organization: user.home_organization_id,
        }
    }

    async fn insert_token(
        &self,
        user_id: UserId,
        name: &str,
        scopes: &str,
        expires_at: Option<String>,
    ) -> Result<CreatedToken> {
        let mut tx = self.users_write().await?;
        let Some(user) = users::find(tx.conn(), user_id)
            .await?
            .filter(|u| u.id != UserId::GHOST)
        else {
            return Err(ServiceError::NotFound("User"));
        };
        let token = generate(self.routing(&user));
        let row = insert(&mut tx, user_id, name, scopes, expires_at, &token).await?;
        self.commit(tx).await?;
        Ok(CreatedToken { row, token })
    }

    /// `GET /personal_access_tokens`: the caller's own tokens; an admin's list is everyone's
    /// unless `filter.user` names one. A non-admin naming another User gets 401, as in GitLab.
    pub async fn list_tokens(
        &self,
        caller: &Caller,
        filter: &TokenFilter,
        page: &PageRequest,
    ) -> Result<Listed<TokenRow>> {
        let me = caller.user()?;
        let filter = if caller.is_admin() {
            filter.clone()
        } else if filter.user.is_none_or(|user| user == me.id) {
            TokenFilter {
                user: Some(me.id),
                ..filter.clone()
            }
        } else {
            return Err(ServiceError::Unauthorized);
        };
        let mut conn = self.db.read().await?;
        let (items, total) = tokens::list(&mut conn, &filter, page.per_page, page.offset()).await?;
        Ok(Listed {
            items,
            total: Some(total),
        })
    }

    /// `GET /personal_access_tokens/:id`: the caller's own, or any for an admin. Only admins
    /// learn whether a token exists (404); others get 401, as in GitLab.
    pub async fn get_token(&self, caller: &Caller, id: TokenId) -> Result<TokenRow> {
        let mut conn = self.db.read().await?;
        let token = tokens::find(&mut conn, id).await?;
        readable_token(caller, token)
    }

    /// `GET /personal_access_tokens/self`: the token the request was made with.
    pub async fn own_token(&self, caller: &Caller) -> Result<TokenRow> {
        let id = caller.token_id.ok_or(ServiceError::Unauthorized)?;
        let mut conn = self.db.read().await?;
        tokens::find(&mut conn, id)
            .await?
            .ok_or(ServiceError::Unauthorized)
    }

    /// `DELETE /personal_access_tokens/:id` and `.../self`: revoked at once, so the very next
    /// request with it is refused (the write moves the generation every remembered caller is
    /// kept under). Another User's token: 400 unless an admin, as GitLab's `RevokeService`.
    pub async fn revoke_token(&self, caller: &Caller, id: TokenRef) -> Result<()> {
        let me = caller.user()?;
        let id = match id {
            TokenRef::Id(id) => id,
            TokenRef::Itself => caller.token_id.ok_or(ServiceError::Unauthorized)?,
        };
        let mut tx = self.users_write().await?;
        let token = tokens::find(tx.conn(), id)
            .await?
            .ok_or(ServiceError::NotFound("Token"))?;
        if token.user_id != me.id && !caller.is_admin() {
            return Err(ServiceError::BadRequest("400 Bad request".into()));
        }
        if !tokens::revoke(&mut tx, id).await? {
            return Err(ServiceError::BadRequest("400 Bad request".into()));
        }
        self.commit(tx).await?;
        Ok(())
    }

    /// `POST /personal_access_tokens/:id/rotate` and `.../self/rotate`: the token is revoked
    /// and a new one with the same name and scopes takes its place, expiring on `expires_at`
    /// or in a week, as GitLab's `RotateService`.
    pub async fn rotate_token(
        &self,
        caller: &Caller,
        id: TokenRef,
        expires_at: Option<String>,
    ) -> Result<CreatedToken> {
        let expires_at = match expires_at.as_deref() {
            None | Some("") => clock::days_from_today(7),
            Some(date) => match clock::parse_date(date) {
                Some(date) if date > clock::today() => date,
                Some(_) => {
                    return Err(ServiceError::invalid("expires_at", "must be in the future"));
                }
                None => {
                    return Err(ServiceError::BadRequest("expires_at is invalid".into()));
                }
            },
        };
        let mut tx = self.users_write().await?;
        let token = match id {
            TokenRef::Itself => {
                let id = caller.token_id.ok_or(ServiceError::Unauthorized)?;
                tokens::find(tx.conn(), id).await?
            }
            TokenRef::Id(id) => {
                let found = tokens::find(tx.conn(), id).await?;
                Some(readable_token(caller, found)?)
            }
        }
        .ok_or(ServiceError::NotFound("Token"))?;
        if !tokens::revoke(&mut tx, token.id).await? {
            return Err(ServiceError::BadRequest(
                "400 Bad request - token is revoked".into(),
            ));
        }
        let holder = users::find(tx.conn(), token.user_id)
            .await?
            .ok_or(ServiceError::NotFound("User"))?;
        let secret = generate(self.routing(&holder));
        let row = insert(
            &mut tx,
            token.user_id,
            &token.name,
            &token.scopes,
            Some(expires_at),
            &secret,
        )
        .await?;
        self.commit(tx).await?;
        Ok(CreatedToken { row, token: secret })
    }
}

/// Which token an operation is on.
#[derive(Debug, Clone, Copy)]
pub enum TokenRef {
    Id(TokenId),
    /// The one the request was made with.
    Itself,
}

/// A token the caller may read: their own, or any for an admin. Only admins learn that a
/// token does not exist (404); anyone else gets 401 for both, as in GitLab.
fn readable_token(caller: &Caller, token: Option<TokenRow>) -> Result<TokenRow> {
    let me = caller.user()?;
    match token {
        Some(token) if token.user_id == me.id || caller.is_admin() => Ok(token),
        None if caller.is_admin() => Err(ServiceError::NotFound("Token")),
        _ => Err(ServiceError::Unauthorized),
    }
}
