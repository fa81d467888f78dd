//! The router's classification of one request head, for each rule that can decide it.
//!
//! `cargo bench -p orgcells-core --bench routing`

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use orgcells_core::ids::{CellId, OrganizationId};
use orgcells_core::routable_token::{self, Routing};
use orgcells_core::routing::{RequestHead, TOKEN_PREFIX, classify};

const ORDINARY_TOKEN: &str = "glpat-abcdefghijklmnopqrst";

fn head(path: &'static str) -> RequestHead<'static> {
    RequestHead {
        path,
        private_token: Some(ORDINARY_TOKEN),
        ..RequestHead::default()
    }
}

fn bench(c: &mut Criterion) {
    let routable = routable_token::encode(
        TOKEN_PREFIX,
        Routing {
            cell: CellId(2),
            organization: OrganizationId(1_000),
        },
        &[9; 16],
    );
    let cases = [
        (
            "session cookie",
            RequestHead {
                path: "/acme/platform/api",
                cookie: Some("preferred_language=en; _gitlab_session=cell-2-0123456789abcdef"),
                ..RequestHead::default()
            },
        ),
        (
            "routable token",
            RequestHead {
                path: "/api/v4/user",
                private_token: Some(&routable),
                ..RequestHead::default()
            },
        ),
        (
            "api numeric id",
            head("/api/v4/projects/123456/members/all"),
        ),
        (
            "api full path",
            head("/api/v4/groups/gpt%2Fmany_groups_and_projects%2Fgpt-subgroup-17/projects"),
        ),
        (
            "organization",
            head("/-/organizations/acme/groups_and_projects"),
        ),
        (
            "top-level route",
            head("/acme/platform/api/-/merge_requests"),
        ),
        ("first cell", head("/api/v4/users")),
    ];
    for (name, head) in &cases {
        c.bench_function(&format!("classify: {name}"), |b| {
            b.iter(|| classify(black_box(head)))
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
