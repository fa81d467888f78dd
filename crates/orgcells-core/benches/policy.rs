//! The in-process cost of deciding access: one permission check, and filtering a page of 100
//! Groups by visibility. Besides criterion's figures, the latency of single checks is sampled
//! one by one to report p50/p99/p99.9 (the target: a check ≤ 1 µs at p99).
//!
//! `cargo bench -p orgcells-core --bench policy`

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use orgcells_core::access::{AccessLevel, OrganizationRole};
use orgcells_core::creation::{ProjectCreationLevel, SubgroupCreationLevel};
use orgcells_core::grants::{
    GrantFacts, Grants, GroupLinkFact, ProjectLinkFact, ProjectMembershipFact,
};
use orgcells_core::ids::{NamespaceId, ProjectId, UserId};
use orgcells_core::policy::{GroupAction, GroupFacts, ProjectAction, ProjectFacts, Viewer};
use orgcells_core::visibility::Visibility;

fn ns(ids: &[i64]) -> Vec<NamespaceId> {
    ids.iter().map(|id| NamespaceId(*id)).collect()
}

/// A developer of the seed's shape: Member of one top-level Group and two subgroups, of a
/// few Projects elsewhere, reached by two group links and a project link.
fn developer() -> Viewer {
    let facts = GrantFacts {
        groups: vec![
            (NamespaceId(1000), AccessLevel::Developer),
            (NamespaceId(1010), AccessLevel::Maintainer),
            (NamespaceId(2000), AccessLevel::Reporter),
        ],
        group_links: vec![
            GroupLinkFact {
                shared_group: NamespaceId(3000),
                invited_group: NamespaceId(1000),
                max_access: AccessLevel::Reporter,
            },
            GroupLinkFact {
                shared_group: NamespaceId(3100),
                invited_group: NamespaceId(2000),
                max_access: AccessLevel::Developer,
            },
        ],
        project_memberships: (0..5)
            .map(|i| ProjectMembershipFact {
                project: ProjectId(9000 + i),
                namespace_traversal: ns(&[4000, 4001 + i]),
                level: AccessLevel::Developer,
            })
            .collect(),
        project_links: vec![ProjectLinkFact {
            project: ProjectId(9500),
            invited_traversal: ns(&[1000, 1010]),
            namespace_traversal: ns(&[5000, 5001]),
            max_access: AccessLevel::Guest,
        }],
        groups_with_projects: vec![ns(&[1000, 1010]), ns(&[2000])],
    };
    Viewer {
        user: Some(UserId(7)),
        admin: false,
        role: Some(OrganizationRole::User),
        banned: false,
        org_deleted: false,
        grants: Grants::from_facts(&facts).into(),
    }
}

fn group_facts(traversal: &[NamespaceId], visibility: Visibility) -> GroupFacts<'_> {
    GroupFacts {
        id: *traversal.last().unwrap_or(&NamespaceId(0)),
        traversal,
        visibility,
        project_creation_level: ProjectCreationLevel::Developer,
        subgroup_creation_level: SubgroupCreationLevel::Maintainer,
    }
}

fn percentiles(name: &str, mut f: impl FnMut()) {
    const N: usize = 1_000_000;
    let mut samples = Vec::with_capacity(N);
    for _ in 0..N {
        let start = Instant::now();
        f();
        samples.push(start.elapsed().as_nanos() as u64);
    }
    samples.sort_unstable();
    let at = |q: f64| samples[((N as f64 * q) as usize).min(N - 1)];
    println!(
        "{name}: p50 {} ns, p99 {} ns, p99.9 {} ns (1,000,000 single calls, timer included)",
        at(0.5),
        at(0.99),
        at(0.999)
    );
}

fn bench(c: &mut Criterion) {
    let viewer = developer();
    let deep = ns(&[1000, 1010, 1011, 1012]);
    let group = group_facts(&deep, Visibility::Private);
    let project_traversal = ns(&[1000, 1010, 1011]);
    let project = ProjectFacts {
        id: ProjectId(8000),
        namespace_traversal: &project_traversal,
        visibility: Visibility::Private,
    };

    percentiles("group check (Update, depth 4)", || {
        black_box(black_box(&viewer).group(black_box(&group), GroupAction::Update)).ok();
    });
    percentiles("project check (Update)", || {
        black_box(black_box(&viewer).project(black_box(&project), ProjectAction::Update)).ok();
    });

    c.bench_function("group permission check", |b| {
        b.iter(|| black_box(&viewer).group(black_box(&group), GroupAction::Update))
    });
    c.bench_function("project permission check", |b| {
        b.iter(|| black_box(&viewer).project(black_box(&project), ProjectAction::Update))
    });

    // A page of 100 Groups at depths 1-4 in several trees, mixed visibility.
    let traversals: Vec<Vec<NamespaceId>> = (0..100)
        .map(|i: i64| {
            let root = [1000, 2000, 3000, 6000][(i % 4) as usize];
            let depth = 1 + (i % 4);
            (0..depth).map(|d| NamespaceId(root + d * 10 + i)).collect()
        })
        .collect();
    let page: Vec<GroupFacts> = traversals
        .iter()
        .enumerate()
        .map(|(i, t)| {
            group_facts(
                t,
                [
                    Visibility::Private,
                    Visibility::Internal,
                    Visibility::Public,
                ][i % 3],
            )
        })
        .collect();
    c.bench_function("visibility filter of a page of 100 groups", |b| {
        b.iter(|| {
            black_box(&page)
                .iter()
                .filter(|g| viewer.can_read_group(g))
                .count()
        })
    });
    c.bench_function("grants from a User's rows", |b| {
        b.iter(|| black_box(developer()));
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
