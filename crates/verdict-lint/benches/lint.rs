//! Lint every AWS managed policy (about 1,600) in one process, and one 10 MB policy.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice
)]

use criterion::{criterion_group, criterion_main, Criterion};
use std::path::Path;
use verdict_lint::{lint_file, LintOptions};
use verdict_policy::SourceFile;

fn bench(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/managed-policies/managed-policies.jsonl");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let opts = LintOptions::default();
    let mut group = c.benchmark_group("lint");
    group.sample_size(10);
    group.bench_function("all_managed_policies", |b| {
        b.iter(|| {
            // A fresh source each time; the catalog is loaded once per process.
            let file = SourceFile::new("managed-policies.jsonl", text.clone());
            let report = lint_file(&file, true, &opts);
            report.findings().count()
        })
    });
    // A policy of about 10 MB: one statement with 250,000 resources (issue 10: linear).
    let resources: Vec<String> = (0..250_000)
        .map(|i| format!("\"arn:aws:s3:::bucket-{i}/prefix/*\""))
        .collect();
    let big = format!(
        "{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":[{}]}}]}}",
        resources.join(",")
    );
    group.bench_function("policy_10mb_250k_resources", |b| {
        b.iter(|| {
            let file = SourceFile::new("big.json", big.clone());
            lint_file(&file, true, &opts).findings().count()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
