//! Decision latency on a realistic request (issue 2, benchmark a): three SCP levels,
//! five identity policies of ten statements with conditions, a boundary and a bucket
//! policy, parsed once. Input: benches/data/realistic.json.

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
use verdict_eval::{decide, evaluate, load_scenario};
use verdict_policy::SourceFile;

fn realistic(c: &mut Criterion) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../benches/data/realistic.json"
    );
    let text = std::fs::read_to_string(path).expect("bench input is committed");
    let s =
        load_scenario(&SourceFile::new(path, text.clone()), false).expect("bench scenario loads");
    let mut g = c.benchmark_group("realistic");
    g.bench_function("decide (fast path)", |b| b.iter(|| decide(black_box(&s))));
    g.bench_function("evaluate (traced path)", |b| {
        b.iter(|| evaluate(black_box(&s)))
    });
    g.bench_function("catalog warnings alone", |b| {
        b.iter(|| verdict_eval::checks::catalog_warnings(black_box(&s)))
    });
    g.bench_function("load + decide", |b| {
        b.iter(|| {
            let s = load_scenario(
                &SourceFile::new("realistic.json", black_box(text.as_str())),
                false,
            )
            .expect("loads");
            decide(&s)
        })
    });
    g.finish();
}

criterion_group!(benches, realistic);
criterion_main!(benches);
