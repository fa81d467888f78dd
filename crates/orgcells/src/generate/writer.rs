//! The rows a run writes, waiting per table and flushed in multi-row inserts; the claims and
//! Organization Users every kind of row brings with it; the clock that dates them.

use std::collections::HashSet;

use anyhow::Context;
use orgcells_store::Tx;
use orgcells_store::bulk::{self, Cell};

/// 2026-01-01T00:00:00Z: generated rows are dated from here, one second apart.
const EPOCH_MS: i64 = 1_767_225_600_000;

/// Rows waiting to be written, flushed in batches.
pub(super) struct Pending {
    table: &'static str,
    columns: &'static [&'static str],
    pub(super) rows: Vec<Vec<Cell>>,
}

impl Pending {
    fn new(table: &'static str, columns: &'static [&'static str]) -> Pending {
        Pending {
            table,
            columns,
            rows: Vec::new(),
        }
    }

    async fn flush(&mut self, tx: &mut Tx) -> anyhow::Result<()> {
        bulk::insert(tx.conn(), self.table, self.columns, &self.rows)
            .await
            .with_context(|| format!("inserting into {}", self.table))?;
        self.rows.clear();
        Ok(())
    }
}

/// The rows waiting in every table, and the clock that dates them.
pub(super) struct Writer {
    pub(super) claims: Pending,
    pub(super) users: Pending,
    pub(super) org_users: Pending,
    pub(super) orgs: Pending,
    pub(super) namespaces: Pending,
    pub(super) projects: Pending,
    pub(super) members: Pending,
    pub(super) links: Pending,
    cell: i64,
    clock: i64,
    org_user_pairs: HashSet<(i64, i64)>,
}

impl Writer {
    /// Nothing waiting yet, the clock at [`EPOCH_MS`].
    pub(super) fn new(cell: i64) -> Writer {
        Writer {
            claims: Pending::new(
                "claims",
                &[
                    "bucket",
                    "value",
                    "owner_type",
                    "owner_id",
                    "cell_id",
                    "created_at",
                ],
            ),
            users: Pending::new(
                "users",
                &[
                    "id",
                    "username",
                    "email",
                    "name",
                    "state",
                    "bot",
                    "admin",
                    "password_hash",
                    "home_organization_id",
                    "created_at",
                    "updated_at",
                ],
            ),
            org_users: Pending::new(
                "organization_users",
                &[
                    "organization_id",
                    "user_id",
                    "access_level",
                    "state",
                    "enterprise",
                    "created_at",
                    "updated_at",
                ],
            ),
            orgs: Pending::new(
                "organizations",
                &[
                    "id",
                    "name",
                    "path",
                    "description",
                    "avatar_url",
                    "visibility_level",
                    "state",
                    "group_creation_owners_only",
                    "created_at",
                    "updated_at",
                ],
            ),
            namespaces: Pending::new(
                "namespaces",
                &[
                    "id",
                    "organization_id",
                    "kind",
                    "name",
                    "path",
                    "full_path",
                    "traversal",
                    "parent_id",
                    "owner_id",
                    "visibility_level",
                    "description",
                    "project_creation_level",
                    "subgroup_creation_level",
                    "created_at",
                    "updated_at",
                ],
            ),
            projects: Pending::new(
                "projects",
                &[
                    "id",
                    "organization_id",
                    "namespace_id",
                    "traversal",
                    "name",
                    "path",
                    "full_path",
                    "description",
                    "visibility_level",
                    "creator_id",
                    "created_at",
                    "updated_at",
                    "last_activity_at",
                ],
            ),
            members: Pending::new(
                "members",
                &[
                    "id",
                    "organization_id",
                    "source_type",
                    "source_id",
                    "user_id",
                    "access_level",
                    "expires_at",
                    "created_by_id",
                    "created_at",
                    "updated_at",
                ],
            ),
            links: Pending::new(
                "group_group_links",
                &[
                    "id",
                    "organization_id",
                    "shared_group_id",
                    "shared_with_group_id",
                    "group_access",
                    "expires_at",
                    "created_at",
                ],
            ),
            cell,
            clock: EPOCH_MS,
            org_user_pairs: HashSet::new(),
        }
    }

    pub(super) fn now(&mut self) -> i64 {
        self.clock += 1000;
        self.clock
    }

    pub(super) fn claim(&mut self, bucket: &str, value: &str, owner_type: &str, owner: i64) {
        let now = self.now();
        self.claims.rows.push(vec![
            bucket.into(),
            value.to_lowercase().into(),
            owner_type.into(),
            owner.into(),
            self.cell.into(),
            now.into(),
        ]);
    }

    pub(super) fn org_user(&mut self, org: i64, user: i64, level: i64) {
        if self.org_user_pairs.insert((org, user)) {
            let now = self.now();
            self.org_users.rows.push(vec![
                org.into(),
                user.into(),
                level.into(),
                "active".into(),
                0.into(),
                now.into(),
                now.into(),
            ]);
        }
    }

    pub(super) async fn flush(&mut self, tx: &mut Tx) -> anyhow::Result<()> {
        // Parents before children: the foreign keys.
        for pending in [
            &mut self.orgs,
            &mut self.users,
            &mut self.claims,
            &mut self.org_users,
            &mut self.namespaces,
            &mut self.projects,
            &mut self.members,
            &mut self.links,
        ] {
            pending.flush(tx).await?;
        }
        Ok(())
    }
}
