//! Personal access tokens: `glpat-` and 20 random characters, shown once, stored as a SHA-256
//! digest. Tokens are Cell-agnostic today; a routable token will carry its Cell in the same form.

use orgcells_core::invalid::Invalid;
use orgcells_store::rows::TokenRow;
use orgcells_store::{Tx, tokens, users};
use rand::Rng;
use sha2::{Digest, Sha256};

use crate::{Caller, Result, Service, ServiceError, clock};

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

pub const PREFIX: &str = "glpat-";

/// The digest a token is stored and found by.
pub fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A fresh secret.
pub fn generate() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
    let mut rng = rand::thread_rng();
    let body: String = (0..20)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    format!("{PREFIX}{body}")
}

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
    user: i64,
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
        revoked: 0,
        created_at: clock::now(),
        last_used_at: None,
    };
    tokens::insert(tx.conn(), &row).await?;
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
        user_id: i64,
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

    async fn insert_token(
        &self,
        user_id: i64,
        name: &str,
        scopes: &str,
        expires_at: Option<String>,
    ) -> Result<CreatedToken> {
        let mut tx = self.db.write().await?;
        if users::find(tx.conn(), user_id)
            .await?
            .is_none_or(|u| u.id == crate::users::GHOST_USER_ID)
        {
            return Err(ServiceError::NotFound("User"));
        }
        let token = generate();
        let row = insert(&mut tx, user_id, name, scopes, expires_at, &token).await?;
        tx.commit().await?;
        Ok(CreatedToken { row, token })
    }

    /// A User's tokens (their own, or any for an admin).
    pub async fn list_tokens(&self, caller: &Caller, user: Option<i64>) -> Result<Vec<TokenRow>> {
        let me = caller.user()?;
        let user_id = match user {
            Some(id) if id != me.id => {
                caller.admin()?;
                id
            }
            _ => me.id,
        };
        let mut conn = self.db.read().await?;
        Ok(tokens::list_for_user(&mut conn, user_id).await?)
    }
}
