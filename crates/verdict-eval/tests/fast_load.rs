//! The batch fast loader builds the same scenario as the strict loader: for every
//! scenario of the corpus and the examples, the decision, deciding layer and message agree.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice
)]

use std::path::PathBuf;
use verdict_eval::fast_load::load_line_fast;
use verdict_eval::testing::collect_files;
use verdict_eval::{decide_with_message, load_scenario, PolicyCache};
use verdict_policy::SourceFile;

#[test]
fn fast_loader_agrees_with_strict_loader() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let files = collect_files(&[root.join("conformance"), root.join("examples")]).expect("corpus");
    let mut cache = PolicyCache::new();
    let (mut fast, mut declined) = (0, 0);
    for f in files {
        let text = std::fs::read_to_string(&f).expect("readable");
        let strict = load_scenario(&SourceFile::new("s", text.as_str()), false);
        // One line, as in a batch file: JSON strings hold no raw newlines, so joining the
        // lines keeps the document exactly, duplicate keys included.
        let line = text.replace(['\n', '\r'], " ");
        match (load_line_fast(&line, "line", &mut cache), strict) {
            (Some(s), Ok(t)) => {
                fast += 1;
                let (a, b) = (decide_with_message(&s), decide_with_message(&t));
                assert_eq!(
                    (a.decision, a.denied_by, &a.message),
                    (b.decision, b.denied_by, &b.message),
                    "{}",
                    f.display()
                );
            }
            (Some(_), Err(e)) => panic!(
                "fast loader accepted {} which the strict loader rejects: {}",
                f.display(),
                e[0]
            ),
            (None, _) => declined += 1,
        }
    }
    assert!(
        fast > 350,
        "the fast loader handled only {fast} scenarios ({declined} declined)"
    );
}
