//! Organizations: the Default Organization, creation (the creator becomes Owner), settings,
//! deletion, and the overviews of Groups, Projects and Users.

use base64::Engine as _;
use orgcells_core::access::OrganizationRole;
use orgcells_core::avatars;
use orgcells_core::ids::{OrganizationId, UserId};
use orgcells_core::invalid::Invalid;
use orgcells_core::lists::Reach;
use orgcells_core::org_users::Joined;
use orgcells_core::paths;
use orgcells_core::policy::OrganizationAction;
use orgcells_core::states::OrganizationState;
use orgcells_core::visibility::OrganizationVisibility;
use orgcells_store::claims::{self, Bucket};
use orgcells_store::locks::{self, OrgLock};
use orgcells_store::organizations::OrganizationFilter;
use orgcells_store::projects::Within;
use orgcells_store::rows::{OrganizationRow, OrganizationUserRow, UserRow};
use orgcells_store::{AnyConnection, organizations, users};

use crate::access::{Extent, organization_facts, standing};
use crate::caller::Caller;
use crate::error::denied;
use crate::groups::GroupFilter;
use crate::lookup::ensure_writable;
use crate::org_redirects::path_taken;
use crate::owners::organization_owner;
use crate::present::{GroupOut, ProjectOut};
use crate::projects::ProjectFilter;
use crate::{Listed, PageRequest, Ref, Result, Service, ServiceError, clock};

/// Fields of `POST /organizations` and `PUT /organizations/:id`.
#[derive(Debug, Clone, Default)]
pub struct OrganizationInput {
    pub name: Option<String>,
    pub path: Option<String>,
    pub description: Option<String>,
    pub visibility: Option<String>,
    pub avatar_url: Option<String>,
    /// An uploaded avatar image (`avatar` as a file).
    pub avatar: Option<Vec<u8>>,
    /// The Cell to place it on (admins; the router sends the request there).
    pub cell_id: Option<i64>,
}

/// Where an uploaded avatar is served, below the instance's address.
fn avatar_path(org: OrganizationId) -> String {
    format!("/api/v4/organizations/{}/avatar", org.0)
}

/// An Organization User with their account.
#[derive(Debug, Clone)]
pub struct OrganizationUser {
    pub membership: OrganizationUserRow,
    pub user: UserRow,
}

pub(crate) async fn find_org(
    conn: &mut AnyConnection,
    org: &Ref,
) -> Result<Option<OrganizationRow>> {
    Ok(match org {
        Ref::Id(id) => organizations::find(conn, OrganizationId(*id)).await?,
        Ref::Path(path) => organizations::find_by_path(conn, path).await?,
    })
}

/// An Organization the caller may see; 404 for one they may not, as for one that is not there.
async fn find_visible_org(
    conn: &mut AnyConnection,
    caller: &Caller,
    org: &Ref,
) -> Result<OrganizationRow> {
    let found = match (find_org(conn, org).await?, org) {
        // A read by an old path (renamed since) finds it, as GitLab's redirect routes do.
        (None, Ref::Path(path)) => organizations::find_by_redirect(conn, path).await?,
        (found, _) => found,
    };
    let row = found.ok_or(ServiceError::NotFound("Organization"))?;
    let standing = standing(conn, caller, Some(row.id), Extent::Everywhere).await?;
    if !standing
        .viewer(row.id)
        .can_read_organization(&organization_facts(&row))
    {
        return Err(ServiceError::NotFound("Organization"));
    }
    Ok(row)
}

fn parse_visibility(invalid: &mut Invalid, value: Option<&str>) -> Option<OrganizationVisibility> {
    let value = value?;
    let parsed = OrganizationVisibility::parse(value);
    if parsed.is_none() {
        invalid.add("visibility", "does not have a valid value");
    }
    parsed
}

impl Service {
    /// An Organization the caller may see (by id or path).
    pub async fn get_organization(&self, caller: &Caller, org: &Ref) -> Result<OrganizationRow> {
        let mut conn = self.db.read().await?;
        find_visible_org(&mut conn, caller, org).await
    }

    /// `GET /organizations/:id/groups`: the Organization's Groups the caller may see.
    pub async fn organization_groups(
        &self,
        caller: &Caller,
        org: &Ref,
        filter: &GroupFilter,
        page: &PageRequest,
    ) -> Result<Listed<GroupOut>> {
        let mut conn = self.db.read().await?;
        let row = find_visible_org(&mut conn, caller, org).await?;
        let filter = GroupFilter {
            organization_id: Some(row.id),
            all_available: Some(true),
            ..filter.clone()
        };
        self.list_groups_on(&mut conn, caller, None, &filter, page)
            .await
    }

    /// `GET /organizations/:id/projects`: the Organization's Projects the caller may see.
    pub async fn organization_projects(
        &self,
        caller: &Caller,
        org: &Ref,
        filter: &ProjectFilter,
        page: &PageRequest,
    ) -> Result<Listed<ProjectOut>> {
        let mut conn = self.db.read().await?;
        let row = find_visible_org(&mut conn, caller, org).await?;
        let filter = ProjectFilter {
            organization_id: Some(row.id),
            ..filter.clone()
        };
        self.list_projects_on(&mut conn, caller, Within::Anywhere, &filter, page)
            .await
    }

    /// `GET /organizations`: those the caller may see.
    pub async fn list_organizations(
        &self,
        caller: &Caller,
        search: Option<String>,
        page: &PageRequest,
    ) -> Result<Listed<OrganizationRow>> {
        let mut conn = self.db.read().await?;
        let standing = standing(&mut conn, caller, None, Extent::Everywhere).await?;
        let filter = OrganizationFilter {
            all: caller.is_admin(),
            member_of: standing.roles.keys().copied().collect(),
            hidden: standing
                .banned
                .iter()
                .chain(&standing.deleted)
                .copied()
                .collect(),
            search,
        };
        let (items, total) = organizations::list(
            &mut conn,
            &filter,
            page.per_page,
            page.offset(),
            self.db.totals(),
        )
        .await?;
        Ok(Listed {
            items,
            total: Some(total),
        })
    }

    /// `POST /organizations`: admins, or any User where the instance allows it.
    pub async fn create_organization(
        &self,
        caller: &Caller,
        input: &OrganizationInput,
    ) -> Result<OrganizationRow> {
        let me = caller.user()?.clone();
        if input.cell_id.is_some() && !caller.is_admin() {
            return Err(ServiceError::forbidden(
                "Only an admin can choose an Organization's Cell",
            ));
        }
        if !caller.is_admin() && !self.settings.allow_organization_creation {
            return Err(ServiceError::forbidden(
                "Organization creation is disabled on this instance",
            ));
        }
        let mut invalid = Invalid::new();
        if input
            .cell_id
            .is_some_and(|cell| cell != i64::from(self.db.cell().0))
        {
            invalid.add("cell_id", "is not a Cell of this cluster");
        }
        let name = input.name.clone().unwrap_or_default();
        let path = input.path.clone().unwrap_or_default();
        let description = input.description.clone().unwrap_or_default();
        invalid.check("name", paths::check_present(&name, 255));
        invalid.check("path", paths::check_organization_path(&path));
        invalid.check("description", paths::check_length(&description, 1024));
        let visibility = parse_visibility(&mut invalid, input.visibility.as_deref())
            .unwrap_or(OrganizationVisibility::Public);
        invalid.into_result()?;
        let mut tx = self.db.write().await?;
        let id = tx.next_id().await?;
        let now = clock::now();
        if !claims::claim(
            &mut tx,
            Bucket::OrganizationPath,
            &path,
            organization_owner(id),
            i64::from(self.db.cell().0),
            now,
        )
        .await?
        {
            return Err(ServiceError::invalid("path", "has already been taken"));
        }
        // An old path of a renamed Organization, claimed again, leads here now.
        path_taken(&mut tx, &path).await?;
        let row = OrganizationRow {
            id,
            name,
            path,
            description,
            avatar_url: input.avatar_url.clone(),
            visibility_level: visibility,
            state: OrganizationState::Active,
            group_creation_owners_only: false,
            created_at: now,
            updated_at: now,
            deleted_at: None,
        };
        organizations::insert(tx.conn(), &row).await?;
        organizations::add_user(
            tx.conn(),
            id,
            me.id,
            OrganizationRole::Owner,
            Joined::Creator,
            now,
        )
        .await?;
        self.commit(tx).await?;
        self.path_taken_elsewhere(&row.path).await;
        Ok(row)
    }

    /// `PUT /organizations/:id` (Owner).
    pub async fn update_organization(
        &self,
        caller: &Caller,
        org: &Ref,
        input: &OrganizationInput,
    ) -> Result<OrganizationRow> {
        let mut invalid = Invalid::new();
        if let Some(name) = &input.name {
            invalid.check("name", paths::check_present(name, 255));
        }
        if let Some(path) = &input.path {
            invalid.check("path", paths::check_organization_path(path));
        }
        if let Some(description) = &input.description {
            invalid.check("description", paths::check_length(description, 1024));
        }
        let visibility = parse_visibility(&mut invalid, input.visibility.as_deref());
        let avatar = input
            .avatar
            .as_deref()
            .and_then(|bytes| match avatars::check(bytes) {
                Ok(kind) => Some((kind, bytes)),
                Err(message) => {
                    invalid.add("avatar", message);
                    None
                }
            });
        invalid.into_result()?;
        let mut tx = self.db.write().await?;
        let row = find_org(tx.conn(), org)
            .await?
            .ok_or(ServiceError::NotFound("Organization"))?;
        // Its visibility caps every top-level Group: no Group changes while it does.
        locks::organization(tx.conn(), row.id, OrgLock::Exclusive).await?;
        let mut row = organizations::find(tx.conn(), row.id)
            .await?
            .ok_or(ServiceError::NotFound("Organization"))?;
        let standing = standing(tx.conn(), caller, Some(row.id), Extent::Everywhere).await?;
        standing
            .viewer(row.id)
            .organization(&organization_facts(&row), OrganizationAction::Administer)
            .map_err(denied("Organization"))?;
        ensure_writable(&row)?;
        let now = clock::now();
        let mut taken = None;
        if let Some(path) = input.path.as_ref().filter(|p| **p != row.path) {
            if row.id == OrganizationId::DEFAULT {
                return Err(ServiceError::invalid(
                    "path",
                    "of the default organization cannot be changed",
                ));
            }
            // Only its case changes: the claim (case-insensitive) and the routes stay.
            let renamed = path.to_lowercase() != row.path.to_lowercase();
            if renamed
                && !claims::claim(
                    &mut tx,
                    Bucket::OrganizationPath,
                    path,
                    organization_owner(row.id),
                    i64::from(self.db.cell().0),
                    now,
                )
                .await?
            {
                return Err(ServiceError::invalid("path", "has already been taken"));
            }
            if renamed {
                claims::release(
                    &mut tx,
                    Bucket::OrganizationPath,
                    &row.path,
                    organization_owner(row.id),
                )
                .await?;
                // The old path still leads here until it is claimed again.
                path_taken(&mut tx, path).await?;
                self.leave_redirect(&mut tx, row.id, &row.path, now).await?;
                taken = Some(path.clone());
            }
            row.path = path.clone();
        }
        if let Some(visibility) = visibility {
            // Nothing inside may be more visible than the Organization: refused, naming what
            // is (its top-level Groups, and the Projects of its personal namespaces).
            const NAMED: i64 = 20;
            let over =
                organizations::more_visible_than(tx.conn(), row.id, visibility.value(), NAMED + 1)
                    .await?;
            if !over.is_empty() {
                let mut names: Vec<String> = over
                    .iter()
                    .take(NAMED as usize)
                    .map(|(kind, path)| format!("{kind} {path}"))
                    .collect();
                if over.len() as i64 > NAMED {
                    names.push("and more".into());
                }
                return Err(ServiceError::invalid(
                    "visibility",
                    format!(
                        "is not allowed while these are more visible: {}",
                        names.join(", ")
                    ),
                ));
            }
            organizations::cap_personal_namespaces(tx.conn(), row.id, visibility.value()).await?;
            row.visibility_level = visibility;
        }
        if let Some(name) = &input.name {
            row.name = name.clone();
        }
        if let Some(description) = &input.description {
            row.description = description.clone();
        }
        if input.avatar_url.is_some() {
            row.avatar_url = input.avatar_url.clone().filter(|a| !a.is_empty());
            organizations::set_avatar(tx.conn(), row.id, None, now).await?;
        }
        if let Some((kind, bytes)) = avatar {
            let data = base64::engine::general_purpose::STANDARD.encode(bytes);
            organizations::set_avatar(tx.conn(), row.id, Some((kind.content_type(), &data)), now)
                .await?;
            // Served by the API, under the instance's address (`entities` prefixes it).
            row.avatar_url = Some(avatar_path(row.id));
        }
        row.updated_at = now;
        organizations::update(tx.conn(), &row).await?;
        self.commit(tx).await?;
        if let Some(path) = taken {
            self.path_taken_elsewhere(&path).await;
        }
        Ok(row)
    }

    /// `GET /organizations/:id/avatar`: the uploaded avatar, to whoever sees the Organization:
    /// its content type and bytes.
    pub async fn organization_avatar(
        &self,
        caller: &Caller,
        org: &Ref,
    ) -> Result<(&'static str, Vec<u8>)> {
        let mut conn = self.db.read().await?;
        let row = find_visible_org(&mut conn, caller, org).await?;
        let (content_type, data) = organizations::avatar(&mut conn, row.id)
            .await?
            .ok_or(ServiceError::NotFound("Avatar"))?;
        let kind = avatars::ImageType::from_content_type(&content_type).ok_or_else(|| {
            ServiceError::Internal(format!("a stored avatar of type {content_type}"))
        })?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(data)
            .map_err(|e| ServiceError::Internal(format!("a stored avatar: {e}")))?;
        Ok((kind.content_type(), bytes))
    }

    /// `GET /organizations/:id/users`: an Owner (or admin) sees every Organization User; a User
    /// sees the Users of the Groups and Projects they can see.
    pub async fn organization_users(
        &self,
        caller: &Caller,
        org: &Ref,
        page: &PageRequest,
    ) -> Result<Listed<OrganizationUser>> {
        let row = self.get_organization(caller, org).await?;
        let mut conn = self.db.read().await?;
        let standing = standing(&mut conn, caller, Some(row.id), Extent::Everywhere).await?;
        let viewer = standing.viewer(row.id);
        let only = if viewer
            .organization(&organization_facts(&row), OrganizationAction::Administer)
            .is_ok()
        {
            None
        } else {
            Some(standing.scope(Reach::MemberLists))
        };
        let (rows, total) = organizations::list_users(
            &mut conn,
            row.id,
            only.as_deref(),
            page.per_page,
            page.offset(),
            self.db.totals(),
        )
        .await?;
        let ids: Vec<UserId> = rows.iter().map(|r| r.user_id).collect();
        let accounts = users::find_many(&mut conn, &ids).await?;
        let items = rows
            .into_iter()
            .filter_map(|membership| {
                let user = accounts
                    .iter()
                    .find(|u| u.id == membership.user_id)?
                    .clone();
                Some(OrganizationUser { membership, user })
            })
            .collect();
        Ok(Listed {
            items,
            total: Some(total),
        })
    }
}
