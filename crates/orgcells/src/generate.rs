//! `orgcells generate`: fills a Cell with data shaped by the seeds, deterministically from a
//! seed number, with bulk inserts. The shape:
//!
//! - The Default Organization holds GitLab Performance Tool's group (`gpt/many_groups_and_projects`
//!   with subgroups `gpt-subgroup-N` of 10 Projects each) and most other top-level Groups.
//! - One Organization per 1,000 Users besides, the first five named after the seed's archetypes;
//!   top-level Groups per Organization with a median of 3; 85% of top-level Groups public.
//! - 98% of Users belong to one Organization only; 78% are Members of one top-level Group only.
//!
//! The rows keep every invariant the service keeps: claims for every route, username, email and
//! Organization path; traversal ids; Organization Users for every Member; a personal namespace
//! per User; an Owner for every top-level Group; nothing is more visible than its container.

use std::collections::HashSet;
use std::time::Instant;

use anyhow::Context;
use orgcells_store::bulk::{self, Cell};
use orgcells_store::{Db, Tx};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// How much data.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Scale {
    Small,
    Medium,
    Large,
}

struct Sizes {
    users: usize,
    groups: usize,
    projects: usize,
    memberships: usize,
    gpt_subgroups: usize,
}

impl Scale {
    fn sizes(self) -> Sizes {
        match self {
            Scale::Small => Sizes {
                users: 1_000,
                groups: 200,
                projects: 2_000,
                memberships: 10_000,
                gpt_subgroups: 50,
            },
            Scale::Medium => Sizes {
                users: 10_000,
                groups: 2_000,
                projects: 20_000,
                memberships: 100_000,
                gpt_subgroups: 250,
            },
            Scale::Large => Sizes {
                users: 100_000,
                groups: 20_000,
                projects: 200_000,
                memberships: 1_000_000,
                gpt_subgroups: 250,
            },
        }
    }
}

const ARCHETYPES: [&str; 5] = [
    "all-in-one",
    "service-model",
    "service-embedded",
    "all-in-one-service",
    "all-in-one-embedded",
];
/// 2026-01-01T00:00:00Z: generated rows are dated from here, one second apart.
const EPOCH_MS: i64 = 1_767_225_600_000;
const LEVELS: [i64; 6] = [10, 20, 30, 30, 30, 40];

struct Group {
    id: i64,
    org: i64,
    full_path: String,
    traversal: String,
    visibility: i64,
    depth: usize,
}

/// Rows waiting to be written, flushed in batches.
struct Pending {
    table: &'static str,
    columns: &'static [&'static str],
    rows: Vec<Vec<Cell>>,
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

struct Writer {
    claims: Pending,
    users: Pending,
    org_users: Pending,
    orgs: Pending,
    namespaces: Pending,
    projects: Pending,
    members: Pending,
    links: Pending,
    cell: i64,
    clock: i64,
    org_user_pairs: HashSet<(i64, i64)>,
}

impl Writer {
    fn now(&mut self) -> i64 {
        self.clock += 1000;
        self.clock
    }

    fn claim(&mut self, bucket: &str, value: &str, owner_type: &str, owner: i64) {
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

    fn org_user(&mut self, org: i64, user: i64, level: i64) {
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

    async fn flush(&mut self, tx: &mut Tx) -> anyhow::Result<()> {
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

fn progress(started: Instant, what: &str, done: usize, total: usize) {
    eprintln!(
        "[{:>6.1}s] {what}: {done}/{total}",
        started.elapsed().as_secs_f64()
    );
}

/// Generates the data into an empty Cell (the Default Organization and root may exist).
pub async fn generate(db: &Db, scale: Scale, seed: u64) -> anyhow::Result<()> {
    let sizes = scale.sizes();
    let started = Instant::now();
    let mut rng = StdRng::seed_from_u64(seed);
    let cell = i64::from(db.cell().0);
    let mut w = Writer {
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
    };
    let mut tx = db.write().await?;

    // Organizations.
    let extra_orgs = (sizes.users / 1000).max(ARCHETYPES.len());
    let org_ids = tx.reserve_ids(extra_orgs).await?;
    let mut orgs = vec![orgcells_core::ids::OrganizationId::DEFAULT.0];
    for (i, id) in org_ids.iter().enumerate() {
        let path = match ARCHETYPES.get(i) {
            Some(name) => (*name).to_owned(),
            None => format!("org-{i}"),
        };
        let now = w.now();
        w.orgs.rows.push(vec![
            (*id).into(),
            path.replace('-', " ").into(),
            path.clone().into(),
            "".into(),
            Cell::NullText,
            20.into(),
            "active".into(),
            0.into(),
            now.into(),
            now.into(),
        ]);
        w.claim("organization_path", &path, "organization", *id);
        orgs.push(*id);
    }
    w.flush(&mut tx).await?;
    progress(started, "organizations", orgs.len(), orgs.len());

    // Users, each with a personal namespace in the Default Organization.
    let user_ids = tx.reserve_ids(sizes.users).await?;
    let ns_ids = tx.reserve_ids(sizes.users).await?;
    for (i, (id, ns)) in user_ids.iter().zip(&ns_ids).enumerate() {
        let username = format!("user-{i}");
        let now = w.now();
        w.users.rows.push(vec![
            (*id).into(),
            username.clone().into(),
            format!("{username}@example.com").into(),
            format!("User {i}").into(),
            "active".into(),
            0.into(),
            0.into(),
            Cell::NullText,
            1.into(),
            now.into(),
            now.into(),
        ]);
        w.claim("username", &username, "user", *id);
        w.claim("email", &format!("{username}@example.com"), "user", *id);
        w.claim("route", &username, "user", *id);
        w.org_user(1, *id, 10);
        w.namespaces.rows.push(vec![
            (*ns).into(),
            1.into(),
            "user".into(),
            format!("User {i}").into(),
            username.clone().into(),
            username.into(),
            ns.to_string().into(),
            Cell::Null,
            (*id).into(),
            20.into(),
            "".into(),
            50.into(),
            50.into(),
            now.into(),
            now.into(),
        ]);
        if (i + 1) % 20_000 == 0 {
            w.flush(&mut tx).await?;
            tx.commit().await?;
            tx = db.write().await?;
            progress(started, "users", i + 1, sizes.users);
        }
    }
    w.flush(&mut tx).await?;
    progress(started, "users", sizes.users, sizes.users);

    // Groups: GPT's tree first, then top-level Groups per Organization, then subgroups.
    let mut groups: Vec<Group> = Vec::new();
    let group_ids = tx
        .reserve_ids(sizes.groups + sizes.gpt_subgroups + 2)
        .await?;
    let mut next_group = group_ids.into_iter();
    let add_group = |w: &mut Writer,
                     groups: &mut Vec<Group>,
                     id: i64,
                     org: i64,
                     parent: Option<usize>,
                     path: String,
                     visibility: i64| {
        let (full_path, traversal, depth, parent_id) = match parent {
            Some(p) => {
                let parent = &groups[p];
                (
                    format!("{}/{path}", parent.full_path),
                    format!("{}/{id}", parent.traversal),
                    parent.depth + 1,
                    Some(parent.id),
                )
            }
            None => (path.clone(), id.to_string(), 1, None),
        };
        let now = w.now();
        w.namespaces.rows.push(vec![
            id.into(),
            org.into(),
            "group".into(),
            path.clone().into(),
            path.into(),
            full_path.clone().into(),
            traversal.clone().into(),
            parent_id.into(),
            Cell::Null,
            visibility.into(),
            "".into(),
            30.into(),
            40.into(),
            now.into(),
            now.into(),
        ]);
        w.claim("route", &full_path, "namespace", id);
        groups.push(Group {
            id,
            org,
            full_path,
            traversal,
            visibility,
            depth,
        });
        groups.len() - 1
    };
    let gpt = add_group(
        &mut w,
        &mut groups,
        next_group.next().context("ids")?,
        1,
        None,
        "gpt".into(),
        20,
    );
    let many = add_group(
        &mut w,
        &mut groups,
        next_group.next().context("ids")?,
        1,
        Some(gpt),
        "many_groups_and_projects".into(),
        20,
    );
    let mut gpt_subgroups = Vec::new();
    for n in 1..=sizes.gpt_subgroups {
        let id = next_group.next().context("ids")?;
        gpt_subgroups.push(add_group(
            &mut w,
            &mut groups,
            id,
            1,
            Some(many),
            format!("gpt-subgroup-{n}"),
            20,
        ));
    }
    // Top-level Groups: a median of 3 per Organization, the rest in the Default Organization.
    let top_level = (sizes.groups / 5).max(orgs.len() * 3);
    let mut tops = vec![gpt];
    for t in 0..top_level {
        let org = if t < (orgs.len() - 1) * 3 {
            orgs[1 + t % (orgs.len() - 1)]
        } else {
            1
        };
        let visibility = if rng.gen_bool(0.85) {
            20
        } else if rng.gen_bool(0.5) {
            10
        } else {
            0
        };
        let id = next_group.next().context("ids")?;
        tops.push(add_group(
            &mut w,
            &mut groups,
            id,
            org,
            None,
            format!("group-{t}"),
            visibility,
        ));
    }
    for s in 0..sizes.groups.saturating_sub(top_level) {
        let parent = rng.gen_range(1..groups.len());
        let parent = if groups[parent].depth >= 4 {
            tops[rng.gen_range(0..tops.len())]
        } else {
            parent
        };
        let visibility = groups[parent]
            .visibility
            .min(if rng.gen_bool(0.8) { 20 } else { 0 });
        let (org, id) = (groups[parent].org, next_group.next().context("ids")?);
        add_group(
            &mut w,
            &mut groups,
            id,
            org,
            Some(parent),
            format!("sub-{s}"),
            visibility,
        );
    }
    w.flush(&mut tx).await?;
    progress(started, "groups", groups.len(), groups.len());

    // Projects: 10 in each GPT subgroup, the rest spread over the other Groups.
    let project_ids = tx.reserve_ids(sizes.projects).await?;
    let mut project_groups = Vec::with_capacity(project_ids.len());
    for (i, id) in project_ids.iter().enumerate() {
        let g = if i < gpt_subgroups.len() * 10 {
            gpt_subgroups[i / 10]
        } else {
            rng.gen_range(0..groups.len())
        };
        project_groups.push(g);
        let group = &groups[g];
        // GPT's own Projects are gpt-project-1..10 in each subgroup.
        let path = if i < gpt_subgroups.len() * 10 {
            format!("gpt-project-{}", i % 10 + 1)
        } else {
            format!("project-{i}")
        };
        let visibility = group.visibility.min(if rng.gen_bool(0.7) { 20 } else { 0 });
        let (org, ns, traversal, full_path) = (
            group.org,
            group.id,
            group.traversal.clone(),
            format!("{}/{path}", group.full_path),
        );
        let now = w.now();
        w.projects.rows.push(vec![
            (*id).into(),
            org.into(),
            ns.into(),
            traversal.into(),
            path.clone().into(),
            path.into(),
            full_path.clone().into(),
            "".into(),
            visibility.into(),
            Cell::Null,
            now.into(),
            now.into(),
            now.into(),
        ]);
        w.claim("route", &full_path, "project", *id);
        if (i + 1) % 50_000 == 0 {
            w.flush(&mut tx).await?;
            tx.commit().await?;
            tx = db.write().await?;
            progress(started, "projects", i + 1, sizes.projects);
        }
    }
    w.flush(&mut tx).await?;
    progress(started, "projects", sizes.projects, sizes.projects);

    // Memberships: an Owner for every top-level Group, then each User in one top-level Group
    // (78%) or two or three, then the rest of the budget on subgroups and Projects.
    let mut seen: HashSet<(u8, i64, i64)> = HashSet::new();
    // (user, group id) of every Group membership: a User who inherits somewhere is not added
    // again below it (a membership may not be lower than what is inherited).
    let mut member_of: HashSet<(i64, i64)> = HashSet::new();
    let member_ids = tx.reserve_ids(sizes.memberships + tops.len()).await?;
    let mut next_member = member_ids.into_iter();
    let mut written = 0usize;
    let mut add_member = |w: &mut Writer,
                          kind: &str,
                          source: i64,
                          org: i64,
                          user: i64,
                          level: i64|
     -> anyhow::Result<bool> {
        if !seen.insert((u8::from(kind == "project"), source, user)) {
            return Ok(false);
        }
        let id = next_member.next().context("member ids")?;
        let now = w.now();
        w.members.rows.push(vec![
            id.into(),
            org.into(),
            kind.into(),
            source.into(),
            user.into(),
            level.into(),
            Cell::NullText,
            Cell::Null,
            now.into(),
            now.into(),
        ]);
        w.org_user(org, user, 10);
        Ok(true)
    };
    for (n, top) in tops.iter().enumerate() {
        let user = user_ids[n % user_ids.len()];
        let group = &groups[*top];
        member_of.insert((user, group.id));
        if add_member(&mut w, "group", group.id, group.org, user, 50)? {
            written += 1;
        }
    }
    for user in &user_ids {
        let count = if rng.gen_bool(0.78) {
            1
        } else {
            rng.gen_range(2..=3)
        };
        // 98% stay within one Organization: their top-level Groups come from one.
        let home = tops[rng.gen_range(0..tops.len())];
        let org = groups[home].org;
        for k in 0..count {
            let top = if k == 0 || rng.gen_bool(0.02) {
                home
            } else {
                let same: Vec<&usize> = tops.iter().filter(|t| groups[**t].org == org).collect();
                *same[rng.gen_range(0..same.len())]
            };
            let group = &groups[top];
            let level = LEVELS[rng.gen_range(0..LEVELS.len())];
            member_of.insert((*user, group.id));
            if add_member(&mut w, "group", group.id, group.org, *user, level)? {
                written += 1;
            }
        }
    }
    progress(started, "memberships", written, sizes.memberships);
    let mut attempts = 0usize;
    while written < sizes.memberships && attempts < sizes.memberships * 50 {
        attempts += 1;
        let user = user_ids[rng.gen_range(0..user_ids.len())];
        let level = LEVELS[rng.gen_range(0..LEVELS.len())];
        // Below the top level, and only where nothing is inherited.
        let (kind, source, g) = if rng.gen_bool(0.5) {
            let g = rng.gen_range(0..groups.len());
            ("group", groups[g].id, g)
        } else {
            let p = rng.gen_range(0..project_ids.len());
            ("project", project_ids[p], project_groups[p])
        };
        let group = &groups[g];
        let inherits = group
            .traversal
            .split('/')
            .filter_map(|id| id.parse::<i64>().ok())
            .any(|id| member_of.contains(&(user, id)));
        if inherits || (kind == "group" && group.depth == 1) {
            continue;
        }
        let added = add_member(&mut w, kind, source, group.org, user, level)?;
        if added && kind == "group" {
            member_of.insert((user, source));
        }
        if added {
            written += 1;
            if written.is_multiple_of(100_000) {
                w.flush(&mut tx).await?;
                tx.commit().await?;
                tx = db.write().await?;
                progress(started, "memberships", written, sizes.memberships);
            }
        }
    }
    w.flush(&mut tx).await?;
    progress(started, "memberships", written, sizes.memberships);

    // A few group links inside Organizations (under 0.5% of top-level Groups).
    let link_count = (tops.len() / 200).max(1);
    let link_ids = tx.reserve_ids(link_count).await?;
    let mut linked = HashSet::new();
    for id in link_ids {
        let a = &groups[tops[rng.gen_range(0..tops.len())]];
        let candidates: Vec<&Group> = tops
            .iter()
            .map(|t| &groups[*t])
            .filter(|b| b.org == a.org && b.id != a.id)
            .collect();
        if candidates.is_empty() || !linked.insert(a.id) {
            continue;
        }
        let b = candidates[rng.gen_range(0..candidates.len())];
        let now = w.now();
        w.links.rows.push(vec![
            id.into(),
            a.org.into(),
            a.id.into(),
            b.id.into(),
            30.into(),
            Cell::NullText,
            now.into(),
        ]);
    }
    w.flush(&mut tx).await?;
    tx.commit().await?;
    db.analyze().await.context("gathering planner statistics")?;
    progress(started, "done", 1, 1);
    Ok(())
}
