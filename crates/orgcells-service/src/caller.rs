//! Who is calling: a User authenticated by a personal access token, or nobody.

use orgcells_store::rows::UserRow;
use orgcells_store::{tokens, users};

use crate::{Result, Service, ServiceError, clock};

/// The authenticated caller of a request.
#[derive(Debug, Clone, Default)]
pub struct Caller {
    pub user: Option<UserRow>,
    /// The scopes of the token used (empty when anonymous).
    pub scopes: Vec<String>,
}

impl Caller {
    pub fn anonymous() -> Caller {
        Caller::default()
    }

    pub fn id(&self) -> Option<i64> {
        self.user.as_ref().map(|user| user.id)
    }

    pub fn is_admin(&self) -> bool {
        self.user.as_ref().is_some_and(|user| user.admin == 1)
    }

    /// The signed-in User, or 401.
    pub fn user(&self) -> Result<&UserRow> {
        self.user.as_ref().ok_or(ServiceError::Unauthorized)
    }

    /// An instance admin, or 401 (anonymous) / 403.
    pub fn admin(&self) -> Result<&UserRow> {
        let user = self.user()?;
        if user.admin == 1 {
            Ok(user)
        } else {
            Err(ServiceError::Forbidden(None))
        }
    }

    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

impl Service {
    /// The caller a personal access token stands for: 401 for an unknown, revoked or expired
    /// token, or one whose User may not sign in.
    pub async fn authenticate(&self, token: &str) -> Result<Caller> {
        let digest = crate::tokens::digest(token);
        let mut conn = self.db.read().await?;
        let Some((token, user)) = tokens::find_by_digest(&mut conn, &digest).await? else {
            return Err(ServiceError::Unauthorized);
        };
        let expired = token
            .expires_at
            .as_deref()
            .is_some_and(|date| date <= clock::today().as_str());
        if token.revoked == 1 || expired || !signs_in(&user) {
            return Err(ServiceError::Unauthorized);
        }
        let scopes = token
            .scopes
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        Ok(Caller {
            user: Some(user),
            scopes,
        })
    }

    /// An admin acting as another User (`sudo` by id or username).
    pub async fn sudo(&self, caller: Caller, ident: &str) -> Result<Caller> {
        caller.user()?;
        if !caller.is_admin() {
            return Err(ServiceError::forbidden("Must be admin to use sudo"));
        }
        if !(caller.has_scope("sudo") || caller.has_scope("api")) {
            return Err(ServiceError::forbidden("Insufficient scope: sudo"));
        }
        let mut conn = self.db.read().await?;
        let user = match ident.parse::<i64>() {
            Ok(id) => users::find(&mut conn, id).await?,
            Err(_) => users::find_by_username(&mut conn, ident).await?,
        };
        match user {
            Some(user) if signs_in(&user) => Ok(Caller {
                user: Some(user),
                scopes: caller.scopes,
            }),
            _ => Err(ServiceError::NotFoundNamed(format!(
                "User with ID or username '{ident}'"
            ))),
        }
    }
}

/// Whether a User in this state may use the API.
fn signs_in(user: &UserRow) -> bool {
    matches!(user.state.as_str(), "active")
}
