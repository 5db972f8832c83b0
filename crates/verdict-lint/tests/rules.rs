//! One fixture directory per rule code: `tests/fixtures/<CODE>/bad.*` must raise the
//! code (all its findings are snapshotted, so the expected output is exact) and
//! `good.*` must be clean. An optional `options.toml` (the `[lint]` table of
//! `verdict.toml`) sets the policy type or SCP grammar.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice
)]

use std::path::{Path, PathBuf};
use verdict_lint::config::Config;
use verdict_lint::output::text::{render, TextOptions};
use verdict_lint::{finding::sort_findings, lint_file, Finding, LintOptions};
use verdict_policy::SourceFile;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn find(dir: &Path, stem: &str) -> PathBuf {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&format!("{stem}.")))
        })
        .unwrap_or_else(|| panic!("no {stem}.* in {}", dir.display()))
}

fn lint(code: &str, path: &Path, opts: &LintOptions) -> Vec<Finding> {
    let name = format!(
        "{code}/{}",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("")
    );
    let report = match verdict_lint::input::read_source(path, "-") {
        Ok(src) => lint_file(&SourceFile::new(name, src.text()), true, opts),
        Err(mut e) => {
            e.path = name.into();
            verdict_lint::unreadable_report(&e, opts)
        }
    };
    let mut findings: Vec<Finding> = report.findings().cloned().collect();
    sort_findings(&mut findings);
    findings
}

fn options(dir: &Path) -> LintOptions {
    let path = dir.join("options.toml");
    let mut opts = LintOptions::default();
    if let Ok(text) = std::fs::read_to_string(&path) {
        let c = Config::parse(&text, dir).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        opts.policy_type = c.policy_type;
        opts.resource_kind = c.resource_kind;
        if let Some(s) = c.scp_syntax {
            opts.scp_syntax = s;
        }
    }
    opts
}

#[test]
fn every_rule_has_fixtures_with_exact_findings() {
    let mut failures = Vec::new();
    for rule in verdict_lint::rules::ALL {
        let dir = fixtures().join(rule.code);
        let opts = options(&dir);
        let bad = lint(rule.code, &find(&dir, "bad"), &opts);
        if !bad.iter().any(|f| f.rule.code == rule.code) {
            failures.push(format!("{}: bad fixture does not raise it", rule.code));
        }
        let rendered = render(
            &bad,
            TextOptions {
                color: false,
                concise: false,
            },
        );
        // The catalog date changes with every data refresh; keep snapshots stable.
        let rendered = rendered.replace(verdict_catalog::catalog().data_date(), "<catalog-date>");
        insta::assert_snapshot!(format!("{}_bad", rule.code), rendered);
        let good = lint(rule.code, &find(&dir, "good"), &opts);
        if !good.is_empty() {
            failures.push(format!(
                "{}: good fixture is not clean:\n{}",
                rule.code,
                render(
                    &good,
                    TextOptions {
                        color: false,
                        concise: true
                    }
                )
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn registry_is_consistent() {
    let mut seen = std::collections::HashSet::new();
    for r in verdict_lint::rules::ALL {
        assert!(seen.insert(r.code), "duplicate code {}", r.code);
        assert!(seen.insert(r.name), "duplicate name {}", r.name);
        let letter = r.code.chars().next().unwrap_or(' ');
        assert_eq!(
            letter,
            r.severity.code_letter(),
            "{}: class letter does not match its severity",
            r.code
        );
        assert!(
            r.code.len() == 4 && r.code[1..].bytes().all(|b| b.is_ascii_digit()),
            "{}: code must be a letter and three digits",
            r.code
        );
        assert!(
            r.name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "{}: name must be kebab-case",
            r.name
        );
        for section in [
            "**What it flags.**",
            "**Why it matters.**",
            "**Example.**",
            "**Fix.**",
        ] {
            assert!(r.docs.contains(section), "{}: docs lack {section}", r.code);
        }
        assert_eq!(
            r.security_severity.is_some(),
            r.severity == verdict_lint::Severity::SecurityWarning,
            "{}: security-severity",
            r.code
        );
        assert!(verdict_lint::rules::find(r.name).is_some_and(|x| x.code == r.code));
    }
    // Codes are listed in order, so docs and `verdict rule` read well.
    let codes: Vec<&str> = verdict_lint::rules::ALL.iter().map(|r| r.code).collect();
    let mut sorted = codes.clone();
    sorted.sort_by_key(|c| ("ESWN".find(&c[..1]).unwrap_or(9), c.to_string()));
    assert_eq!(codes, sorted);
}

#[test]
fn renamed_codes_still_select_their_rule() {
    for (old, new) in verdict_lint::rules::REDIRECTS {
        let r = verdict_lint::rules::find(old).unwrap_or_else(|| panic!("{old} resolves"));
        assert_eq!(r.code, *new);
        assert!(
            verdict_lint::rules::ALL.iter().all(|x| x.code != *old),
            "{old} is retired, never reused"
        );
        assert!(verdict_lint::config::selector_matches(old, r));
        assert!(
            r.docs.contains(&format!("`{old}`")),
            "{new}: docs name the old code"
        );
    }
    let c =
        Config::parse("[lint]\nignore = [\"E303\"]\n", Path::new(".")).expect("old code accepted");
    assert_eq!(c.ignore, ["E303"]);
}
