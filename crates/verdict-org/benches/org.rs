//! Org-wide analysis on a generated organization (`verdict_org::synth`): reading the
//! snapshot, building the action index, one principal's action-level permissions,
//! `who-can` for one action and resource, `can` for one principal, and the escalation
//! edges of one principal. The whole-process run at 200k principals is
//! `tools/bench/org-scale.sh`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use std::hint::black_box;
use verdict_org::index::{Indexer, PrincipalIndex, Universe};
use verdict_org::synth::{generate, synthetic_account, OrgSpec};
use verdict_org::SnapshotBuilder;

fn spec(accounts: usize) -> OrgSpec {
    OrgSpec {
        accounts,
        ..OrgSpec::default()
    }
}

fn load(files: &[(String, String)]) -> verdict_org::Snapshot {
    let mut b = SnapshotBuilder::new();
    for chunk in files.chunks(64) {
        b.add_batch(chunk.to_vec());
    }
    b.finish()
}

fn bench(c: &mut Criterion) {
    let accounts = 50;
    let files: Vec<(String, String)> = generate(&spec(accounts)).collect();
    let mb: usize = files.iter().map(|f| f.1.len()).sum::<usize>() / 1_000_000;
    let mut g = c.benchmark_group("org");
    g.sample_size(10);
    g.bench_function(
        BenchmarkId::new("load", format!("{accounts}x200 principals, {mb} MB")),
        |b| b.iter(|| black_box(load(&files))),
    );
    let snap = load(&files);
    let u = Universe::from_catalog();
    g.bench_function(BenchmarkId::new("index", snap.principals.len()), |b| {
        b.iter(|| {
            let mut ix = Indexer::new(&u);
            black_box(PrincipalIndex::build(&mut ix, &snap))
        })
    });
    let mut ix = Indexer::new(&u);
    let index = PrincipalIndex::build(&mut ix, &snap);
    // Warm cache: the per-principal cost of the sweep once each policy's bitsets exist.
    g.bench_function("action_level_per_principal", |b| {
        let mut i = 0usize;
        b.iter(|| {
            let p = &snap.principals[i % snap.principals.len()];
            i += 1;
            black_box(verdict_org::can::action_level(&mut ix, &snap, p, None).allowed_count)
        })
    });
    let a0 = synthetic_account(0);
    let object = format!("arn:aws:s3:::data-{a0}-0/report.csv");
    let table = format!(
        "arn:aws:dynamodb:us-east-1:{}:table/app-1",
        synthetic_account(1)
    );
    for (action, resource) in [
        ("s3:GetObject", object.as_str()),
        ("dynamodb:GetItem", table.as_str()),
    ] {
        g.bench_function(BenchmarkId::new("who_can", action), |b| {
            b.iter(|| {
                black_box(
                    verdict_org::who_can::who_can(
                        &snap,
                        &index,
                        &u,
                        action,
                        resource,
                        &Default::default(),
                    )
                    .unwrap()
                    .access
                    .len(),
                )
            })
        });
    }
    g.bench_function("can_one_principal", |b| {
        let mut ix = Indexer::new(&u);
        b.iter(|| {
            black_box(
                verdict_org::can::can(&snap, &mut ix, 7, &Default::default())
                    .unwrap()
                    .rows
                    .len(),
            )
        })
    });
    g.bench_function("escalation_from_one_principal", |b| {
        let mut ix = Indexer::new(&u);
        b.iter(|| {
            black_box(
                verdict_org::escalation::escalation(&snap, &mut ix, Some(7), "admin")
                    .edges
                    .len(),
            )
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
