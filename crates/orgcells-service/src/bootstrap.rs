//! What every instance has from its first start: the Default Organization, the Ghost User and
//! the first admin (`root`).

use orgcells_core::access::OrganizationRole;
use orgcells_core::ids::{OrganizationId, UserId};
use orgcells_core::states::{OrganizationState, UserState};
use orgcells_core::visibility::OrganizationVisibility;
use orgcells_store::claims::{self, Bucket};
use orgcells_store::rows::OrganizationRow;
use orgcells_store::{organizations, tokens, users};

use crate::users::{ValidUser, insert_user};
use crate::{Result, Service, ServiceError, clock};

/// The scopes of an admin's token made here: everything, and acting as another User.
const ADMIN_SCOPES: &str = "api,sudo";

/// How the first admin is set up.
#[derive(Debug, Clone, Default)]
pub struct AdminSetup {
    /// The personal access token to give `root` (scopes `api` and `sudo`, no expiry); one is made if absent.
    pub token: Option<String>,
    pub password: Option<String>,
}

impl Service {
    /// Creates what is missing of the Default Organization, the Ghost User and `root`. Returns
    /// root's token when it was created now (to be shown once). A Cell of a cluster other than
    /// the first creates none of them: the Default Organization lives on the first Cell, and
    /// the Ghost User and root, with the admin token, reach the others through the cluster's
    /// change log (see `replicating`).
    pub async fn bootstrap(&self, admin: &AdminSetup) -> Result<Option<String>> {
        let cell = i64::from(self.db.cell().0);
        let copies_users = self.copies_users();
        let mut tx = self.db.write().await?;
        // The Default Organization lives on the first Cell, as root and the Ghost User do.
        if !copies_users
            && organizations::find(tx.conn(), OrganizationId::DEFAULT)
                .await?
                .is_none()
        {
            let now = clock::now();
            let org = OrganizationRow {
                id: OrganizationId::DEFAULT,
                name: "Default".into(),
                path: "default".into(),
                description: String::new(),
                avatar_url: None,
                visibility_level: OrganizationVisibility::Public,
                state: OrganizationState::Active,
                group_creation_owners_only: false,
                created_at: now,
                updated_at: now,
                deleted_at: None,
            };
            claims::claim(
                &mut tx,
                Bucket::OrganizationPath,
                "default",
                crate::owners::organization_owner(org.id),
                cell,
                now,
            )
            .await?;
            organizations::insert(tx.conn(), &org).await?;
        }
        if !copies_users && users::find(tx.conn(), UserId::GHOST).await?.is_none() {
            let ghost = ValidUser {
                username: "ghost".into(),
                email: "ghost@orgcells.invalid".into(),
                name: "Ghost User".into(),
                password_hash: None,
                admin: false,
                bot: true,
                state: UserState::Blocked,
            };
            insert_user(&mut tx, UserId::GHOST, &ghost, cell).await?;
        }
        let mut shown = None;
        if copies_users {
            // Nothing of root's here: the first Cell's rows arrive through the log.
        } else if users::find(tx.conn(), UserId::ROOT).await?.is_none() {
            let password_hash = match &admin.password {
                Some(password) if password.chars().count() < 8 => {
                    return Err(ServiceError::invalid(
                        "password",
                        "is too short (minimum is 8 characters)",
                    ));
                }
                Some(password) => Some(crate::users::hash_password(password)?),
                None => None,
            };
            let root = ValidUser {
                username: "root".into(),
                email: "admin@example.com".into(),
                name: "Administrator".into(),
                password_hash,
                admin: true,
                bot: false,
                state: UserState::Active,
            };
            insert_user(&mut tx, UserId::ROOT, &root, cell).await?;
            let token = admin.token.clone().unwrap_or_else(|| {
                crate::secret::generate(orgcells_core::routable_token::Routing {
                    cell: self.db.cell(),
                    organization: OrganizationId::DEFAULT,
                })
            });
            crate::tokens::insert(
                &mut tx,
                UserId::ROOT,
                "initial admin token",
                ADMIN_SCOPES,
                None,
                &token,
            )
            .await?;
            organizations::add_user(
                tx.conn(),
                OrganizationId::DEFAULT,
                UserId::ROOT,
                OrganizationRole::Owner,
                orgcells_core::org_users::Joined::Home,
                clock::now(),
            )
            .await?;
            if admin.token.is_none() {
                shown = Some(token);
            }
        } else if let Some(token) = &admin.token {
            // A token given in the environment always works, also on later starts.
            if tokens::find_by_digest(tx.conn(), &crate::secret::digest(token))
                .await?
                .is_none()
            {
                crate::tokens::insert(
                    &mut tx,
                    UserId::ROOT,
                    "admin token from the environment",
                    ADMIN_SCOPES,
                    None,
                    token,
                )
                .await?;
            }
        }
        self.commit(tx).await?;
        Ok(shown)
    }
}

impl Service {
    /// `orgcells admin create`: another instance admin, with a token (scopes `api` and `sudo`) returned once.
    pub async fn create_admin(
        &self,
        username: &str,
        email: &str,
        name: &str,
        password: Option<&str>,
    ) -> Result<String> {
        let input = crate::users::UserInput {
            username: Some(username.to_owned()),
            email: Some(email.to_owned()),
            name: Some(name.to_owned()),
            password: password.map(str::to_owned),
            random_password: false,
            admin: Some(true),
            bot: None,
            state: None,
        };
        let valid = crate::users::validate_new(&input)?;
        let cell = i64::from(self.db.cell().0);
        let mut tx = self.users_write().await?;
        let id = tx.next_id().await?;
        insert_user(&mut tx, id, &valid, cell).await?;
        let token = crate::secret::generate(orgcells_core::routable_token::Routing {
            cell: self.db.cell(),
            organization: OrganizationId::DEFAULT,
        });
        crate::tokens::insert(&mut tx, id, "admin token", ADMIN_SCOPES, None, &token).await?;
        self.commit(tx).await?;
        Ok(token)
    }
}
