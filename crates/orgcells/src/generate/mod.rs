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

mod groups;
mod links;
mod memberships;
mod organizations;
mod projects;
mod run;
mod scale;
mod users;
mod writer;

use anyhow::Context;
use orgcells_store::Db;
use rand::SeedableRng;
use rand::rngs::StdRng;

pub use scale::Scale;

/// Generates the data into an empty Cell (the Default Organization and root may exist), one
/// phase after another, each drawing from the one seeded random sequence in turn.
pub async fn generate(db: &Db, scale: Scale, seed: u64) -> anyhow::Result<()> {
    let rng = StdRng::seed_from_u64(seed);
    let mut run = run::Run::start(db, scale.sizes(), rng).await?;
    let orgs = organizations::organizations(&mut run).await?;
    let users = users::users(&mut run).await?;
    let tree = groups::groups(&mut run, &orgs).await?;
    let projects = projects::projects(&mut run, &tree).await?;
    memberships::memberships(&mut run, &users, &tree, &projects).await?;
    links::links(&mut run, &tree).await?;
    run.commit().await?;
    db.analyze().await.context("gathering planner statistics")?;
    run.progress("done", 1, 1);
    Ok(())
}
