//! Parsing all AWS managed policies (issue 2, benchmark b). Input:
//! data/managed-policies/managed-policies.jsonl (1,594 policies).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice
)]

use criterion::{criterion_group, criterion_main, Criterion};

/// The `verdict` binary runs on mimalloc; measure with the same allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::hint::black_box;
use verdict_policy::{parse_policy, ParseOptions, PolicyType, SourceFile};

fn managed(c: &mut Criterion) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/managed-policies/managed-policies.jsonl"
    );
    let text = std::fs::read_to_string(path).expect("corpus is committed");
    let docs: Vec<String> = text
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("json line");
            serde_json::to_string(&v["document"]).expect("serializes")
        })
        .collect();
    c.bench_function("parse all managed policies", |b| {
        b.iter(|| {
            let mut n = 0;
            for d in &docs {
                let src = SourceFile::new("p", d.as_str());
                if parse_policy(&src, ParseOptions::new(PolicyType::Identity)).is_ok() {
                    n += 1;
                }
            }
            black_box(n)
        })
    });
}

criterion_group!(benches, managed);
criterion_main!(benches);
