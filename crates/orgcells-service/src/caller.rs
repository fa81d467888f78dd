//! Who is calling: a User authenticated by a personal access token, or nobody.

use orgcells_core::ids::{NamespaceId, TokenId, UserId};
use orgcells_core::scopes::{self, SudoRefused, Surface};
use orgcells_store::rows::UserRow;
use orgcells_store::{namespaces, tokens};

use std::sync::Arc;

use crate::memo::Memo;
use crate::refs::Ref;
use crate::{Result, Service, ServiceError, clock};
use orgcells_store::cache::GenerationCache;

/// The callers tokens stand for, remembered until the next write.
pub(crate) type Callers = GenerationCache<(String, String), Caller>;

/// The authenticated caller of a request.
#[derive(Debug, Clone, Default)]
pub struct Caller {
    pub user: Option<UserRow>,
    /// The User's personal namespace in their home Organization (none when anonymous).
    pub namespace_id: Option<NamespaceId>,
    /// The token used (none when anonymous).
    pub token_id: Option<TokenId>,
    /// The scopes of the token used (empty when anonymous).
    pub scopes: Vec<String>,
    /// Where this caller's standing is remembered between requests.
    pub(crate) memo: Option<Arc<Memo>>,
}

impl Caller {
    pub fn anonymous() -> Caller {
        Caller::default()
    }

    pub fn id(&self) -> Option<UserId> {
        self.user.as_ref().map(|user| user.id)
    }

    pub fn is_admin(&self) -> bool {
        self.user.as_ref().is_some_and(|user| user.admin)
    }

    /// The signed-in User, or 401.
    pub fn user(&self) -> Result<&UserRow> {
        self.user.as_ref().ok_or(ServiceError::Unauthorized)
    }

    /// An instance admin, or 401 (anonymous) / 403.
    pub fn admin(&self) -> Result<&UserRow> {
        let user = self.user()?;
        if user.admin {
            Ok(user)
        } else {
            Err(ServiceError::Forbidden(None))
        }
    }

    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }

    /// Whether the caller's token reaches a request (`read`: GET or HEAD) on `surface`; an
    /// anonymous caller has no token to limit.
    pub fn check_scopes(&self, read: bool, surface: Surface) -> Result<()> {
        if self.user.is_none() {
            return Ok(());
        }
        scopes::allows(&self.scopes, read, surface)
            .map_err(|refused| ServiceError::InsufficientScope(refused.0))
    }
}

impl Service {
    /// The anonymous caller, with what this service remembers between requests.
    pub fn anonymous(&self) -> Caller {
        Caller {
            memo: Some(self.memo.clone()),
            ..Caller::default()
        }
    }

    /// The caller a personal access token stands for: 401 for an unknown, revoked or expired
    /// token, or one whose User may not sign in.
    pub async fn authenticate(&self, token: &str) -> Result<Caller> {
        let digest = crate::secret::digest(token);
        let generation = self.memo.generation.now();
        let key = (digest, clock::today());
        if let Some(caller) = generation.and_then(|g| self.callers.get(g, &key)) {
            return Ok(caller);
        }
        let caller = self.authenticate_fresh(&key.0).await?;
        if let Some(generation) = generation {
            self.callers.insert(generation, key, caller.clone());
        }
        Ok(caller)
    }

    /// The token with `digest` and its holder, looked for again once the Cell has caught up
    /// with the cluster's tokens when it is not there (it may have been made on the first Cell
    /// a moment ago).
    async fn token_holder(&self, digest: &str) -> Result<Option<tokens::Holder>> {
        let found = {
            let mut conn = self.db.read().await?;
            tokens::find_by_digest(&mut conn, digest).await?
        };
        if found.is_none() && self.caught_up().await {
            let mut conn = self.db.read().await?;
            return Ok(tokens::find_by_digest(&mut conn, digest).await?);
        }
        Ok(found)
    }

    async fn authenticate_fresh(&self, digest: &str) -> Result<Caller> {
        let Some(tokens::Holder {
            token,
            user,
            namespace_id,
        }) = self.token_holder(digest).await?
        else {
            return Err(ServiceError::Unauthorized);
        };
        let expired = token
            .expires_at
            .as_deref()
            .is_some_and(|date| date <= clock::today().as_str());
        if token.revoked || expired {
            return Err(ServiceError::Unauthorized);
        }
        if !signs_in(&user) {
            return Err(ServiceError::Inactive(user.state));
        }
        // Once a day per User: the callers remembered today do not come here again.
        self.note_activity(user.id).await;
        let scopes = token
            .scopes
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        Ok(Caller {
            user: Some(user),
            namespace_id,
            token_id: Some(token.id),
            scopes,
            memo: Some(self.memo.clone()),
        })
    }

    /// An admin acting as another User (`sudo` by id or username).
    pub async fn sudo(&self, caller: Caller, ident: &str) -> Result<Caller> {
        caller.user()?;
        scopes::allows_sudo(&caller.scopes, caller.is_admin()).map_err(
            |refused| match refused {
                SudoRefused::NotAdmin => ServiceError::forbidden("Must be admin to use sudo"),
                SudoRefused::Scope(needs) => ServiceError::InsufficientScope(needs.0),
            },
        )?;
        let named = match ident.parse::<i64>() {
            Ok(id) => Ref::Id(id),
            Err(_) => Ref::Path(ident.to_owned()),
        };
        let user = match self.user_by_ref(&named).await {
            Ok(user) => Some(user),
            Err(ServiceError::NotFound(_)) => None,
            Err(error) => return Err(error),
        };
        let Some(user) = user.filter(signs_in) else {
            return Err(ServiceError::NotFoundNamed(format!(
                "User with ID or username '{ident}'"
            )));
        };
        let mut conn = self.db.read().await?;
        let namespace_id = namespaces::personal_ids(&mut conn, &[user.id])
            .await?
            .first()
            .map(|&(_, id)| id);
        Ok(Caller {
            user: Some(user),
            namespace_id,
            token_id: caller.token_id,
            scopes: caller.scopes,
            memo: caller.memo,
        })
    }
}

/// Whether a User in this state may use the API.
fn signs_in(user: &UserRow) -> bool {
    user.state.is_active()
}
