//! The conformance corpus (`conformance/`) and the examples (`examples/`), run through
//! the same code path as `verdict test`. Every case cites its rule of iam-semantics.md.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice
)]

use std::path::PathBuf;
use verdict_eval::testing::{collect_files, run_file};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run(dir: &str, min_cases: usize) {
    let files = collect_files(&[root().join(dir)]).expect("corpus directory is readable");
    let mut passed = 0;
    let mut failed = Vec::new();
    let mut uncited = Vec::new();
    for f in &files {
        for case in run_file(f) {
            if case.rule.as_deref().is_none_or(str::is_empty) && dir == "conformance" {
                uncited.push(case.location.clone());
            }
            if case.passed {
                passed += 1;
            } else {
                failed.push(format!(
                    "{} [{}]\n    {}",
                    case.location,
                    case.rule.unwrap_or_default(),
                    case.failures.join("\n    ")
                ));
            }
        }
    }
    assert!(
        uncited.is_empty(),
        "cases without a rule citation: {uncited:#?}"
    );
    assert!(
        failed.is_empty(),
        "{} of {} cases failed:\n{}",
        failed.len(),
        passed + failed.len(),
        failed.join("\n")
    );
    assert!(
        passed >= min_cases,
        "only {passed} cases in {dir}; expected at least {min_cases}"
    );
}

#[test]
fn conformance_corpus() {
    run("conformance", 250);
}

#[test]
fn examples() {
    run("examples", 10);
}
