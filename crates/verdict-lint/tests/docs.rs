//! `docs/rules.md` is generated from the registry; this test keeps it current.
//! Regenerate with `UPDATE_RULES_DOC=1 cargo test -p verdict-lint --test docs`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice
)]

use std::path::Path;

#[test]
fn rules_md_is_up_to_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules.md");
    let expected = verdict_lint::docs::rules_markdown();
    if std::env::var_os("UPDATE_RULES_DOC").is_some() {
        std::fs::write(&path, &expected).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        return;
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "docs/rules.md is out of date; run `UPDATE_RULES_DOC=1 cargo test -p verdict-lint --test docs`"
    );
    for r in verdict_lint::rules::ALL {
        assert!(actual.contains(&format!("<a id=\"{}\"></a>", r.code)));
    }
}
