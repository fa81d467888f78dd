//! The Groups: GitLab Performance Tool's tree first (`gpt/many_groups_and_projects` with its
//! `gpt-subgroup-N`), then top-level Groups per Organization, then subgroups.

use anyhow::Context;
use orgcells_store::bulk::Cell;
use rand::Rng;

use super::run::Run;
use super::writer::Writer;

/// A Group written, as the later phases place rows in it.
pub(super) struct Group {
    pub(super) id: i64,
    pub(super) org: i64,
    pub(super) full_path: String,
    pub(super) traversal: String,
    pub(super) visibility: i64,
    pub(super) depth: usize,
}

/// The Groups written, and where the top-level and GPT's subgroups are among them.
pub(super) struct Tree {
    pub(super) groups: Vec<Group>,
    pub(super) tops: Vec<usize>,
    pub(super) gpt_subgroups: Vec<usize>,
}

/// Writes a Group (its namespace and route claim) under `parent`; its index in `groups`.
fn add_group(
    w: &mut Writer,
    groups: &mut Vec<Group>,
    id: i64,
    org: i64,
    parent: Option<usize>,
    path: String,
    visibility: i64,
) -> usize {
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
}

/// Writes the Groups of the Organizations `orgs` (the Default Organization first).
pub(super) async fn groups(run: &mut Run<'_>, orgs: &[i64]) -> anyhow::Result<Tree> {
    let sizes = run.sizes;
    let mut groups: Vec<Group> = Vec::new();
    let group_ids = run
        .tx()?
        .reserve_ids(sizes.groups + sizes.gpt_subgroups + 2)
        .await?;
    let mut next_group = group_ids.into_iter();
    let w = &mut run.w;
    let gpt = add_group(
        w,
        &mut groups,
        next_group.next().context("ids")?,
        1,
        None,
        "gpt".into(),
        20,
    );
    let many = add_group(
        w,
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
            w,
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
        let visibility = if run.rng.gen_bool(0.85) {
            20
        } else if run.rng.gen_bool(0.5) {
            10
        } else {
            0
        };
        let id = next_group.next().context("ids")?;
        tops.push(add_group(
            w,
            &mut groups,
            id,
            org,
            None,
            format!("group-{t}"),
            visibility,
        ));
    }
    for s in 0..sizes.groups.saturating_sub(top_level) {
        let parent = run.rng.gen_range(1..groups.len());
        let parent = if groups[parent].depth >= 4 {
            tops[run.rng.gen_range(0..tops.len())]
        } else {
            parent
        };
        let visibility = groups[parent]
            .visibility
            .min(if run.rng.gen_bool(0.8) { 20 } else { 0 });
        let (org, id) = (groups[parent].org, next_group.next().context("ids")?);
        add_group(
            w,
            &mut groups,
            id,
            org,
            Some(parent),
            format!("sub-{s}"),
            visibility,
        );
    }
    run.flush().await?;
    run.progress("groups", groups.len(), groups.len());
    Ok(Tree {
        groups,
        tops,
        gpt_subgroups,
    })
}
