//! The memberships: an Owner for every top-level Group, then each User in one top-level Group
//! (78%) or two or three, then the rest of the budget on subgroups and Projects.

use std::collections::HashSet;

use anyhow::Context;
use orgcells_store::bulk::Cell;
use rand::Rng;
use rand::rngs::StdRng;

use super::groups::Tree;
use super::projects::Projects;
use super::run::Run;
use super::writer::Writer;

const LEVELS: [i64; 6] = [10, 20, 30, 30, 30, 40];

/// The memberships written so far.
struct Members {
    /// (1 for a Project, source, user) of every membership: one per User and source.
    seen: HashSet<(u8, i64, i64)>,
    /// (user, group id) of every Group membership: a User who inherits somewhere is not added
    /// again below it (a membership may not be lower than what is inherited).
    member_of: HashSet<(i64, i64)>,
    ids: std::vec::IntoIter<i64>,
    written: usize,
}

impl Members {
    /// Writes a membership (and its Organization User) unless the User has one of the source
    /// already; whether it did.
    fn add(
        &mut self,
        w: &mut Writer,
        kind: &str,
        source: i64,
        org: i64,
        user: i64,
        level: i64,
    ) -> anyhow::Result<bool> {
        if !self
            .seen
            .insert((u8::from(kind == "project"), source, user))
        {
            return Ok(false);
        }
        let id = self.ids.next().context("member ids")?;
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
    }
}

/// Writes the memberships of `users` in the Groups of `tree` and in `projects`, a part
/// committed every 100,000.
pub(super) async fn memberships(
    run: &mut Run<'_>,
    users: &[i64],
    tree: &Tree,
    projects: &Projects,
) -> anyhow::Result<()> {
    let wanted = run.sizes.memberships;
    let ids = run.tx()?.reserve_ids(wanted + tree.tops.len()).await?;
    let mut members = Members {
        seen: HashSet::new(),
        member_of: HashSet::new(),
        ids: ids.into_iter(),
        written: 0,
    };
    owners(&mut run.w, &mut members, users, tree)?;
    top_level(&mut run.w, &mut run.rng, &mut members, users, tree)?;
    run.progress("memberships", members.written, wanted);
    below(run, &mut members, users, tree, projects).await?;
    run.flush().await?;
    run.progress("memberships", members.written, wanted);
    Ok(())
}

/// An Owner for every top-level Group, the Users taken in turn.
fn owners(w: &mut Writer, members: &mut Members, users: &[i64], tree: &Tree) -> anyhow::Result<()> {
    for (n, top) in tree.tops.iter().enumerate() {
        let user = users[n % users.len()];
        let group = &tree.groups[*top];
        members.member_of.insert((user, group.id));
        if members.add(w, "group", group.id, group.org, user, 50)? {
            members.written += 1;
        }
    }
    Ok(())
}

/// Each User in one top-level Group (78%) or two or three, 98% of them within one Organization.
fn top_level(
    w: &mut Writer,
    rng: &mut StdRng,
    members: &mut Members,
    users: &[i64],
    tree: &Tree,
) -> anyhow::Result<()> {
    let (groups, tops) = (&tree.groups, &tree.tops);
    for user in users {
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
            members.member_of.insert((*user, group.id));
            if members.add(w, "group", group.id, group.org, *user, level)? {
                members.written += 1;
            }
        }
    }
    Ok(())
}

/// The rest of the budget on subgroups and Projects, only where nothing is inherited.
async fn below(
    run: &mut Run<'_>,
    members: &mut Members,
    users: &[i64],
    tree: &Tree,
    projects: &Projects,
) -> anyhow::Result<()> {
    let groups = &tree.groups;
    let wanted = run.sizes.memberships;
    let mut attempts = 0usize;
    while members.written < wanted && attempts < wanted * 50 {
        attempts += 1;
        let rng = &mut run.rng;
        let user = users[rng.gen_range(0..users.len())];
        let level = LEVELS[rng.gen_range(0..LEVELS.len())];
        // Below the top level, and only where nothing is inherited.
        let (kind, source, g) = if rng.gen_bool(0.5) {
            let g = rng.gen_range(0..groups.len());
            ("group", groups[g].id, g)
        } else {
            let p = rng.gen_range(0..projects.ids.len());
            ("project", projects.ids[p], projects.groups[p])
        };
        let group = &groups[g];
        let inherits = group
            .traversal
            .split('/')
            .filter_map(|id| id.parse::<i64>().ok())
            .any(|id| members.member_of.contains(&(user, id)));
        if inherits || (kind == "group" && group.depth == 1) {
            continue;
        }
        let added = members.add(&mut run.w, kind, source, group.org, user, level)?;
        if added && kind == "group" {
            members.member_of.insert((user, source));
        }
        if added {
            members.written += 1;
            if members.written.is_multiple_of(100_000) {
                run.commit_part("memberships", members.written, wanted)
                    .await?;
            }
        }
    }
    Ok(())
}
