//! Catalog load and lookup benchmarks.
//!
//! * `cold/*`: a fresh `Catalog` built from the embedded bytes (index only) plus the
//!   first lookup in one service, which parses that service's block. This is what a
//!   short CLI run pays; the process-wide `catalog()` does the same work once.
//! * `warm/*`: lookups on an already-loaded catalog.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice
)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use verdict_catalog::Catalog;

fn fresh() -> Catalog {
    match Catalog::embedded() {
        Ok(catalog) => catalog,
        Err(err) => panic!("embedded catalog: {err}"),
    }
}

fn cold(c: &mut Criterion) {
    let mut group = c.benchmark_group("cold");
    group.bench_function("index_only", |b| b.iter(|| black_box(fresh())));
    group.bench_function("first_lookup_s3", |b| {
        b.iter(|| {
            let catalog = fresh();
            black_box(catalog.action("s3:GetObject").map(|a| a.access_level()));
        })
    });
    group.bench_function("first_lookup_ec2", |b| {
        b.iter(|| {
            let catalog = fresh();
            black_box(catalog.action("ec2:RunInstances").map(|a| a.access_level()));
        })
    });
    group.sample_size(10);
    group.bench_function("all_services", |b| {
        b.iter(|| {
            let catalog = fresh();
            black_box(catalog.expand("*").len());
        })
    });
    group.finish();
}

fn warm(c: &mut Criterion) {
    let catalog = fresh();
    // Load the services used below.
    let _ = catalog.expand("s3:*");
    let _ = catalog.expand("ec2:*");
    let _ = catalog.expand("kms:*");
    let mut group = c.benchmark_group("warm");
    group.bench_function("action", |b| {
        b.iter(|| black_box(catalog.action(black_box("s3:getobject")).is_some()))
    });
    group.bench_function("expand_s3_get_star", |b| {
        b.iter(|| black_box(catalog.expand(black_box("s3:Get*")).len()))
    });
    group.bench_function("condition_keys_run_instances", |b| {
        b.iter(|| {
            black_box(
                catalog
                    .condition_keys_for_action(black_box("ec2:RunInstances"))
                    .len(),
            )
        })
    });
    group.bench_function("key_type_kms_context", |b| {
        b.iter(|| {
            black_box(catalog.key_type(
                black_box("kms:Decrypt"),
                black_box("kms:EncryptionContext:Department"),
            ))
        })
    });
    group.bench_function("action_fits_arn_object", |b| {
        b.iter(|| {
            black_box(catalog.action_fits_arn(
                black_box("s3:GetObject"),
                black_box("arn:aws:s3:::my-bucket/photos/2026/cat.jpg"),
            ))
        })
    });
    group.bench_function("suggest_action_typo", |b| {
        b.iter(|| black_box(catalog.suggest_action(black_box("s3:GetObjcet"))))
    });
    group.finish();
}

criterion_group!(benches, cold, warm);
criterion_main!(benches);
