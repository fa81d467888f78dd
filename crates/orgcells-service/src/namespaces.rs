//! Namespaces: the caller's personal namespaces and the Groups they belong to.

use orgcells_core::ids::{NamespaceId, NamespaceKind};
use orgcells_core::lists;
use orgcells_store::claims::{self, Bucket};
use orgcells_store::namespaces;
use orgcells_store::namespaces::{GroupOrder, GroupQuery, Personal, Place};

use crate::access::{Extent, GroupView, standing};
use crate::caller::Caller;
use crate::lookup::find_group;
use crate::present::{GroupOut, present_groups};
use crate::{Listed, PageRequest, Ref, Result, Service, ServiceError};

/// The answer of `GET /namespaces/:path/exists`.
#[derive(Debug, Clone)]
pub struct Existence {
    pub exists: bool,
    pub suggests: Vec<String>,
}

impl Service {
    /// `GET /namespaces`: an admin sees all; a User their personal namespaces and the Groups
    /// they are a Member of.
    pub async fn list_namespaces(
        &self,
        caller: &Caller,
        search: Option<String>,
        page: &PageRequest,
    ) -> Result<Listed<GroupOut>> {
        let me = caller.user()?;
        let mut conn = self.db.read().await?;
        let standing = standing(&mut conn, caller, None, Extent::Everywhere).await?;
        let scope = standing.scope(lists::namespace_list_reach(caller.is_admin()));
        // One statement, ordered by id as GitLab pages its union of the caller's namespaces:
        // their personal namespaces (every one, for an admin) and the Groups they reach.
        let query = GroupQuery {
            personal: if caller.is_admin() {
                Personal::All
            } else {
                Personal::OwnedBy(me.id)
            },
            organization: None,
            place: Place::Anywhere,
            search,
            skip: Vec::new(),
            visibility_level: None,
            order: GroupOrder::Id,
            descending: false,
            limit: page.per_page,
            offset: page.offset(),
            after: None,
        };
        let (rows, total) =
            namespaces::list_groups(&mut conn, &query, &scope, Some(self.db.totals())).await?;
        Ok(Listed {
            items: present_groups(&mut conn, &self.memo, rows).await?,
            total,
        })
    }

    /// `GET /namespaces/:id`: a personal namespace of the caller, or a Group they can see.
    pub async fn get_namespace(&self, caller: &Caller, namespace: &Ref) -> Result<GroupOut> {
        caller.user()?;
        let mut conn = self.db.read().await?;
        let candidates = match namespace {
            Ref::Id(id) => namespaces::find(&mut conn, NamespaceId(*id))
                .await?
                .into_iter()
                .collect(),
            Ref::Path(path) => namespaces::find_by_path(&mut conn, path).await?,
        };
        for row in candidates {
            let standing = standing(
                &mut conn,
                caller,
                Some(row.organization_id),
                Extent::Everywhere,
            )
            .await?;
            let viewer = standing.viewer(row.organization_id);
            let visible = if row.kind == NamespaceKind::User {
                viewer.personal_namespace(row.owner_id).is_ok()
            } else {
                let view = GroupView::of(&row);
                viewer.can_read_group_namespace(&view.facts(&row))
            };
            if visible {
                return Ok(present_groups(&mut conn, &self.memo, vec![row])
                    .await?
                    .remove(0));
            }
        }
        Err(ServiceError::NotFound("Namespace"))
    }

    /// `GET /namespaces/:path/exists`: whether the path is taken at the top level, or below
    /// `parent_id`, with a free alternative.
    pub async fn namespace_exists(
        &self,
        caller: &Caller,
        path: &str,
        parent_id: Option<i64>,
    ) -> Result<Existence> {
        caller.user()?;
        let mut conn = self.db.read().await?;
        // A parent the caller may not see answers as one that does not exist.
        let prefix = match parent_id {
            Some(parent) => {
                let (parent, _, _) = find_group(&mut conn, caller, &Ref::Id(parent))
                    .await
                    .map_err(|error| match error {
                        ServiceError::NotFound(_) => ServiceError::NotFound("Parent Group"),
                        other => other,
                    })?;
                format!("{}/", parent.full_path)
            }
            None => String::new(),
        };
        let exists = claims::is_taken(&mut conn, Bucket::Route, &format!("{prefix}{path}")).await?;
        let mut suggests = Vec::new();
        if exists {
            for n in 1..100 {
                let candidate = format!("{path}{n}");
                if !claims::is_taken(&mut conn, Bucket::Route, &format!("{prefix}{candidate}"))
                    .await?
                {
                    suggests.push(candidate);
                    break;
                }
            }
        }
        Ok(Existence { exists, suggests })
    }
}
