//! Users: cluster-wide accounts. Creating one claims its username, email and top-level route,
//! makes it a User of its home Organization and gives it a personal namespace there.

use argon2::password_hash::{PasswordHasher, SaltString, rand_core::OsRng};
use orgcells_core::ids::{NamespaceId, OrganizationId, ProjectId, UserId};
use orgcells_core::invalid::Invalid;
use orgcells_core::lists::UserOrder;
use orgcells_core::members::{Source, SourceType};
use orgcells_core::org_users::Joined;
use orgcells_core::paths::{self, PathPlace};
use orgcells_core::states::UserState;
use orgcells_store::claims::{self, Bucket, Owner};
use orgcells_store::rows::{MemberRow, UserRow};
use orgcells_store::users::{Page, UserFilter};
use orgcells_store::{Tx, members, namespaces, organizations, projects, users};

use crate::caller::Caller;
use crate::joining::accept_invitations;
use crate::lookup::personal_namespace;
use crate::membership::ensure_org_user;
use crate::routes::move_routes;
use crate::{Listed, PageRequest, Ref, Result, Service, ServiceError, clock};

/// Filters of `GET /users` as the client asks them (admins' filters are dropped for others).
#[derive(Debug, Clone, Default)]
pub struct UserQuery {
    /// Usernames and names containing this (and, for admins, the exact email).
    pub search: Option<String>,
    pub username: Option<String>,
    /// Only Users in this state (admins).
    pub state: Option<UserState>,
    /// Only admins (admins).
    pub admins: Option<bool>,
}

/// Fields of `POST /users` and `PUT /users/:id`.
#[derive(Debug, Clone, Default)]
pub struct UserInput {
    pub username: Option<String>,
    pub email: Option<String>,
    pub name: Option<String>,
    pub password: Option<String>,
    /// `reset_password` or `force_random_password`: with no `password`, a random one is set
    /// (the User chooses theirs through a reset), as GitLab's `Users::BuildService` does.
    pub random_password: bool,
    pub admin: Option<bool>,
    pub bot: Option<bool>,
    pub state: Option<UserState>,
}

pub(crate) fn user_owner(id: UserId) -> Owner<'static> {
    Owner {
        kind: "user",
        id: id.0,
    }
}

pub(crate) fn hash_password(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| ServiceError::Internal(format!("password hash: {e}")))
}

/// 32 random letters and digits: a password no one knows, replaced through a reset.
fn random_password() -> String {
    use rand::Rng;
    rand::thread_rng()
        .sample_iter(rand::distributions::Alphanumeric)
        .take(32)
        .map(char::from)
        .collect()
}

fn check_password(invalid: &mut Invalid, password: &str) {
    let length = password.chars().count();
    if length < 8 {
        invalid.add("password", "is too short (minimum is 8 characters)");
    } else if length > 128 {
        invalid.add("password", "is too long (maximum is 128 characters)");
    }
}

/// Claims a username, its top-level route and an email for a User; 409 when taken, as GitLab.
async fn claim_identity(
    tx: &mut Tx,
    id: UserId,
    username: Option<&str>,
    email: Option<&str>,
    cell: i64,
) -> Result<()> {
    let now = clock::now();
    if let Some(username) = username {
        let free = claims::claim(tx, Bucket::Username, username, user_owner(id), cell, now).await?
            && claims::claim(tx, Bucket::Route, username, user_owner(id), cell, now).await?;
        if !free {
            return Err(ServiceError::Conflict(
                "Username has already been taken".into(),
            ));
        }
        // The personal namespace takes the route over: redirects at it and below it go, as
        // for a new Group (`routes::take_route`).
        namespaces::remove_redirect(tx.conn(), username).await?;
    }
    if let Some(email) = email
        && !claims::claim(tx, Bucket::Email, email, user_owner(id), cell, now).await?
    {
        return Err(ServiceError::Conflict(
            "Email has already been taken".into(),
        ));
    }
    Ok(())
}

/// Inserts a User (claims, home Organization, personal namespace) in the caller's transaction.
pub(crate) async fn insert_user(
    tx: &mut Tx,
    id: UserId,
    input: &ValidUser,
    cell: i64,
) -> Result<UserRow> {
    claim_identity(tx, id, Some(&input.username), Some(&input.email), cell).await?;
    let now = clock::now();
    let user = UserRow {
        id,
        username: input.username.clone(),
        email: input.email.clone(),
        name: input.name.clone(),
        state: input.state,
        bot: input.bot,
        admin: input.admin,
        password_hash: input.password_hash.clone(),
        home_organization_id: OrganizationId::DEFAULT,
        created_at: now,
        updated_at: now,
    };
    users::insert(tx, &user).await?;
    ensure_org_user(tx, OrganizationId::DEFAULT, id, Joined::Home).await?;
    personal_namespace(tx, OrganizationId::DEFAULT, &user).await?;
    Ok(user)
}

/// A new User's fields, checked.
pub(crate) struct ValidUser {
    pub username: String,
    pub email: String,
    pub name: String,
    pub password_hash: Option<String>,
    pub admin: bool,
    pub bot: bool,
    pub state: UserState,
}

pub(crate) fn validate_new(input: &UserInput) -> Result<ValidUser> {
    let mut invalid = Invalid::new();
    let username = input.username.clone().unwrap_or_default();
    let email = input.email.clone().unwrap_or_default();
    let name = input.name.clone().unwrap_or_default();
    invalid.check(
        "username",
        paths::check_path(&username, PathPlace::TopLevel),
    );
    invalid.check(
        "email",
        if email.is_empty() {
            Err("can't be blank".into())
        } else {
            paths::check_email(&email)
        },
    );
    invalid.check("name", paths::check_present(&name, 255));
    if let Some(password) = &input.password {
        check_password(&mut invalid, password);
    }
    invalid.into_result()?;
    let password = match &input.password {
        None if input.random_password => Some(random_password()),
        given => given.clone(),
    };
    let password_hash = password.as_deref().map(hash_password).transpose()?;
    Ok(ValidUser {
        username,
        email,
        name,
        password_hash,
        admin: input.admin.unwrap_or(false),
        bot: input.bot.unwrap_or(false),
        state: UserState::Active,
    })
}

/// `GET /users/:id/memberships` rows: (membership, source name).
#[derive(Debug, Clone)]
pub struct Membership {
    pub member: MemberRow,
    pub source_name: String,
}

/// A User as a list presents them: the row, and their personal namespace in their home
/// Organization where the caller may be shown it (admins).
#[derive(Debug, Clone)]
pub struct UserOut {
    pub row: UserRow,
    pub namespace_id: Option<NamespaceId>,
}

impl Service {
    /// `POST /users` (admin).
    pub async fn create_user(&self, caller: &Caller, input: &UserInput) -> Result<UserRow> {
        caller.admin()?;
        // A User created over the API always has a password: given, or random.
        if input.password.is_none() && !input.random_password {
            return Err(ServiceError::invalid("password", "can't be blank"));
        }
        let valid = validate_new(input)?;
        let mut tx = self.users_write().await?;
        let id = tx.next_id().await?;
        let user = insert_user(&mut tx, id, &valid, i64::from(self.db.cell().0)).await?;
        accept_invitations(&mut tx, &user).await?;
        self.commit(tx).await?;
        Ok(user)
    }

    /// A User by id or username; 404 when there is none.
    pub async fn get_user(&self, _caller: &Caller, user: &Ref) -> Result<UserRow> {
        self.user_by_ref(user).await
    }

    /// `GET /users`: admins see everyone, with their personal namespaces; others see active
    /// Users.
    pub async fn list_users(
        &self,
        caller: &Caller,
        query: UserQuery,
        page: &PageRequest,
        order: UserOrder,
        descending: bool,
    ) -> Result<Listed<UserOut>> {
        let admin = caller.is_admin();
        let filter = UserFilter {
            search: query.search,
            // An email is private: only admins find a User by it.
            search_emails: admin,
            username: query.username,
            // Others see active Users only, and cannot ask who is an admin.
            state: if admin {
                query.state
            } else {
                Some(UserState::Active)
            },
            admins: query.admins.filter(|_| admin),
            bots: None,
            ids: None,
            exclude: vec![UserId::GHOST],
        };
        let mut conn = self.db.read().await?;
        let after_id = page.after.as_ref().map(|(_, id)| *id);
        let store_page = Page {
            limit: page.limit(),
            offset: page.offset(),
            order,
            descending,
            after_id,
        };
        let (rows, total) = users::list(&mut conn, &filter, store_page, self.totals(page)).await?;
        // Admins are shown each User's personal namespace: read on the same connection.
        let mut namespaces: std::collections::HashMap<UserId, NamespaceId> = if caller.is_admin() {
            let ids: Vec<UserId> = rows.iter().map(|u| u.id).collect();
            namespaces::personal_ids(&mut conn, &ids)
                .await?
                .into_iter()
                .collect()
        } else {
            Default::default()
        };
        let items = rows
            .into_iter()
            .map(|row| UserOut {
                namespace_id: namespaces.remove(&row.id),
                row,
            })
            .collect();
        Ok(Listed { items, total })
    }

    /// `PUT /users/:id` (admin).
    pub async fn update_user(
        &self,
        caller: &Caller,
        id: UserId,
        input: &UserInput,
    ) -> Result<UserRow> {
        caller.admin()?;
        let mut invalid = Invalid::new();
        if let Some(username) = &input.username {
            invalid.check("username", paths::check_path(username, PathPlace::TopLevel));
        }
        if let Some(email) = &input.email {
            invalid.check("email", paths::check_email(email));
        }
        if let Some(name) = &input.name {
            invalid.check("name", paths::check_present(name, 255));
        }
        if let Some(password) = &input.password {
            check_password(&mut invalid, password);
        }
        invalid.into_result()?;
        let password_hash = input.password.as_deref().map(hash_password).transpose()?;
        let mut tx = self.users_write().await?;
        let mut user = users::find_for_update(tx.conn(), id)
            .await?
            .filter(|u| u.id != UserId::GHOST)
            .ok_or(ServiceError::NotFound("User"))?;
        let cell = i64::from(self.db.cell().0);
        if let Some(username) = input.username.as_ref().filter(|u| **u != user.username) {
            claim_identity(&mut tx, id, Some(username), None, cell).await?;
            claims::release(&mut tx, Bucket::Username, &user.username, user_owner(id)).await?;
            claims::release(&mut tx, Bucket::Route, &user.username, user_owner(id)).await?;
            rename_personal_namespaces(&mut tx, &user, username, cell).await?;
            user.username = username.clone();
        }
        let readdressed = input.email.as_ref().filter(|e| **e != user.email);
        if let Some(email) = readdressed {
            claim_identity(&mut tx, id, None, Some(email), cell).await?;
            claims::release(&mut tx, Bucket::Email, &user.email, user_owner(id)).await?;
            user.email = email.clone();
        }
        if let Some(name) = &input.name {
            user.name = name.clone();
        }
        if let Some(admin) = input.admin {
            user.admin = admin;
        }
        if let Some(state) = input.state {
            user.state = state;
        }
        if password_hash.is_some() {
            user.password_hash = password_hash;
        }
        user.updated_at = clock::now();
        users::update(&mut tx, &user).await?;
        // An address given by an admin is the User's: what it was invited to is theirs now.
        if readdressed.is_some() {
            accept_invitations(&mut tx, &user).await?;
        }
        self.commit(tx).await?;
        Ok(user)
    }

    /// `GET /users/:id/memberships` (admin): direct memberships, optionally of one type.
    pub async fn user_memberships(
        &self,
        caller: &Caller,
        id: UserId,
        kind: Option<&str>,
    ) -> Result<Vec<Membership>> {
        caller.admin()?;
        self.user_by_ref(&Ref::Id(id.0)).await?;
        let mut conn = self.db.read().await?;
        let rows = members::of_user(&mut conn, id, kind).await?;
        let group_ids: Vec<NamespaceId> = rows
            .iter()
            .filter_map(|m| match m.source() {
                Source::Group(id) => Some(id),
                Source::Project(_) => None,
            })
            .collect();
        let project_ids: Vec<ProjectId> = rows
            .iter()
            .filter_map(|m| match m.source() {
                Source::Project(id) => Some(id),
                Source::Group(_) => None,
            })
            .collect();
        let groups = namespaces::find_many(&mut conn, &group_ids).await?;
        let projects = projects::find_many(&mut conn, &project_ids).await?;
        Ok(rows
            .into_iter()
            .map(|member| {
                let source_name = if member.source_type == SourceType::Group {
                    groups
                        .iter()
                        .find(|g| Source::Group(g.id) == member.source())
                        .map(|g| g.name.clone())
                } else {
                    projects
                        .iter()
                        .find(|p| Source::Project(p.id) == member.source())
                        .map(|p| p.name.clone())
                };
                Membership {
                    source_name: source_name.unwrap_or_default(),
                    member,
                }
            })
            .collect())
    }
}

/// Renames a User's personal namespaces and the paths (and route claims) of their Projects.
async fn rename_personal_namespaces(
    tx: &mut Tx,
    user: &UserRow,
    username: &str,
    cell: i64,
) -> Result<()> {
    for org in organizations::memberships_of(tx.conn(), user.id).await? {
        let Some(ns) = namespaces::find_personal(tx.conn(), org.organization_id, user.id).await?
        else {
            continue;
        };
        let moved = namespaces::Move {
            root: ns.id,
            old_traversal: &ns.traversal,
            new_traversal: &ns.traversal,
            old_full_path: &ns.full_path,
            new_full_path: username,
            parent_id: None,
            path: username,
            name: &ns.name,
            now: clock::now(),
        };
        move_routes(tx, &ns, &ns.full_path, username, cell).await?;
        namespaces::move_subtree(tx.conn(), &moved).await?;
    }
    Ok(())
}

impl Service {
    /// The ids of the Users' personal namespaces in their home Organizations.
    pub async fn personal_namespace_ids(
        &self,
        users: &[UserId],
    ) -> Result<std::collections::HashMap<UserId, NamespaceId>> {
        let mut conn = self.db.read().await?;
        Ok(namespaces::personal_ids(&mut conn, users)
            .await?
            .into_iter()
            .collect())
    }
}
