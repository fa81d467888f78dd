//! The Organizations: the Default Organization, and one per 1,000 Users besides, the first five
//! named after the seed's archetypes.

use orgcells_store::bulk::Cell;

use super::run::Run;

const ARCHETYPES: [&str; 5] = [
    "all-in-one",
    "service-model",
    "service-embedded",
    "all-in-one-service",
    "all-in-one-embedded",
];

/// Writes the Organizations; their ids, the Default Organization's first.
pub(super) async fn organizations(run: &mut Run<'_>) -> anyhow::Result<Vec<i64>> {
    let extra_orgs = (run.sizes.users / 1000).max(ARCHETYPES.len());
    let org_ids = run.tx()?.reserve_ids(extra_orgs).await?;
    let mut orgs = vec![orgcells_core::ids::OrganizationId::DEFAULT.0];
    let w = &mut run.w;
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
    run.flush().await?;
    run.progress("organizations", orgs.len(), orgs.len());
    Ok(orgs)
}
