//! `GET /groups/:id` and the lists of Groups: all, a Group's subgroups or descendants, an
//! Organization's.

use orgcells_core::lists::{self, GroupListQuery};
use orgcells_core::visibility::Visibility;
use orgcells_store::namespaces::{GroupOrder, GroupQuery, Personal, Place};
use orgcells_store::{AnyConnection, namespaces};

use super::GroupFilter;
use crate::access::{Extent, standing};
use crate::caller::Caller;
use crate::lookup::{find_group, shared_with_groups};
use crate::present::{GroupDetail, GroupOut, present_groups};
use crate::standing::Standing;
use crate::{Listed, PageRequest, Ref, Result, Service};

impl Service {
    /// `GET /groups/:id`.
    pub async fn get_group(&self, caller: &Caller, group: &Ref) -> Result<GroupDetail> {
        let mut conn = self.db.read().await?;
        let (row, viewer, _) = find_group(&mut conn, caller, group).await?;
        let shared_with = shared_with_groups(&mut conn, &viewer, row.id).await?;
        let group = present_groups(&mut conn, &self.memo, vec![row])
            .await?
            .remove(0);
        Ok(GroupDetail { group, shared_with })
    }

    /// `GET /groups`, `/groups/:id/subgroups`, `/groups/:id/descendant_groups` and the
    /// Organization's Groups overview.
    pub async fn list_groups(
        &self,
        caller: &Caller,
        within: Option<(&Ref, bool)>,
        filter: &GroupFilter,
        page: &PageRequest,
    ) -> Result<Listed<GroupOut>> {
        let mut conn = self.db.read().await?;
        self.list_groups_on(&mut conn, caller, within, filter, page)
            .await
    }

    /// A list of Groups, on the request's connection.
    pub(crate) async fn list_groups_on(
        &self,
        conn: &mut AnyConnection,
        caller: &Caller,
        within: Option<(&Ref, bool)>,
        filter: &GroupFilter,
        page: &PageRequest,
    ) -> Result<Listed<GroupOut>> {
        let (place, org, standing) = match within {
            Some((group, descendants)) => {
                let (row, _, _) = find_group(conn, caller, group).await?;
                let standing =
                    standing(conn, caller, Some(row.organization_id), Extent::Everywhere).await?;
                let place = if descendants {
                    Place::Below(row.traversal.clone())
                } else {
                    Place::ChildrenOf(row.id)
                };
                (place, Some(row.organization_id), standing)
            }
            None => {
                let place = if filter.top_level_only {
                    Place::TopLevel
                } else {
                    Place::Anywhere
                };
                (
                    place,
                    filter.organization_id,
                    standing(conn, caller, filter.organization_id, Extent::Everywhere).await?,
                )
            }
        };
        let scope = group_scope(caller, &standing, filter, within.is_some());
        let order = match filter.order_by.as_deref() {
            Some("id") => GroupOrder::Id,
            Some("path") => GroupOrder::Path,
            _ => GroupOrder::Name,
        };
        let query = GroupQuery {
            personal: Personal::None,
            organization: org,
            place,
            search: filter.search.clone(),
            skip: filter.skip_groups.clone(),
            visibility_level: filter.visibility.map(Visibility::value),
            order,
            descending: filter.descending,
            limit: page.limit(),
            offset: page.offset(),
            after: page.after.clone(),
        };
        let (rows, total) =
            namespaces::list_groups(conn, &query, &scope, self.totals(page)).await?;
        Ok(Listed {
            items: present_groups(conn, &self.memo, rows).await?,
            total,
        })
    }
}

/// The scope of a Group list (its reach decided by `core::lists`).
fn group_scope(
    caller: &Caller,
    standing: &Standing,
    filter: &GroupFilter,
    inside_group: bool,
) -> std::sync::Arc<orgcells_store::scope::Scope> {
    standing.scope(lists::group_list_reach(
        caller.user.is_some(),
        caller.is_admin(),
        &GroupListQuery {
            owned: filter.owned,
            min_access_level: filter.min_access_level,
            all_available: filter.all_available,
            inside_group,
            in_organization: filter.organization_id.is_some(),
        },
    ))
}
