//! Golden files: the text explanation of every example in `examples/` (issue 2, "Tests"),
//! residual and resource-set answers included.
//! Update with `INSTA_UPDATE=always cargo test -p verdict-eval --test golden` and review.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice
)]

use std::path::PathBuf;
use verdict_eval::{evaluate, load_scenario, render::render};
use verdict_policy::SourceFile;

#[test]
fn example_explanations() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("examples/ exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    names.sort();
    assert!(names.len() >= 10, "expected the bundled examples");
    for path in names {
        let file = path
            .file_name()
            .and_then(|f| f.to_str())
            .unwrap_or_default()
            .to_string();
        let text = std::fs::read_to_string(&path).expect("readable");
        let s = load_scenario(&SourceFile::new(format!("examples/{file}"), text), false)
            .expect("example loads");
        let out = if let Some(set) = &s.resource_set {
            let a = verdict_eval::resource_set::evaluate_set(&s, set).expect("set answer");
            verdict_eval::resource_set::render_text(&s, &a)
        } else if s.unknown.is_empty() {
            render(&evaluate(&s), false)
        } else {
            let r = verdict_eval::residual::residual(&s).expect("residual");
            verdict_eval::residual::render_text(&s, &r, false)
        };
        insta::assert_snapshot!(file.trim_end_matches(".json").to_string(), out);
    }
}
