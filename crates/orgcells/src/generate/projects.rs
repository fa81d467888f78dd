//! The Projects: 10 in each GPT subgroup (`gpt-project-1..10`), the rest spread over the other
//! Groups.

use orgcells_store::bulk::Cell;
use rand::Rng;

use super::groups::Tree;
use super::run::Run;

/// The Projects written: their ids, and the index of each one's Group in the tree.
pub(super) struct Projects {
    pub(super) ids: Vec<i64>,
    pub(super) groups: Vec<usize>,
}

/// Writes the Projects (with their route claims), a part committed every 50,000.
pub(super) async fn projects(run: &mut Run<'_>, tree: &Tree) -> anyhow::Result<Projects> {
    let total = run.sizes.projects;
    let project_ids = run.tx()?.reserve_ids(total).await?;
    let mut project_groups = Vec::with_capacity(project_ids.len());
    for (i, id) in project_ids.iter().enumerate() {
        let w = &mut run.w;
        let g = if i < tree.gpt_subgroups.len() * 10 {
            tree.gpt_subgroups[i / 10]
        } else {
            run.rng.gen_range(0..tree.groups.len())
        };
        project_groups.push(g);
        let group = &tree.groups[g];
        // GPT's own Projects are gpt-project-1..10 in each subgroup.
        let path = if i < tree.gpt_subgroups.len() * 10 {
            format!("gpt-project-{}", i % 10 + 1)
        } else {
            format!("project-{i}")
        };
        let visibility = group
            .visibility
            .min(if run.rng.gen_bool(0.7) { 20 } else { 0 });
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
            run.commit_part("projects", i + 1, total).await?;
        }
    }
    run.flush().await?;
    run.progress("projects", total, total);
    Ok(Projects {
        ids: project_ids,
        groups: project_groups,
    })
}
