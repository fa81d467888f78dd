//! A few group links inside Organizations (under 0.5% of top-level Groups).

use std::collections::HashSet;

use orgcells_store::bulk::Cell;
use rand::Rng;

use super::groups::{Group, Tree};
use super::run::Run;

/// Writes the links: a top-level Group shared with another of its Organization, each at most
/// once.
pub(super) async fn links(run: &mut Run<'_>, tree: &Tree) -> anyhow::Result<()> {
    let (groups, tops) = (&tree.groups, &tree.tops);
    let link_count = (tops.len() / 200).max(1);
    let link_ids = run.tx()?.reserve_ids(link_count).await?;
    let (w, rng) = (&mut run.w, &mut run.rng);
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
    Ok(())
}
