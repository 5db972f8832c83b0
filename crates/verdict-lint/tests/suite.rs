//! The lint suite built from other linters' tests and the Access Analyzer check reference
//! (tests/suite/README.md). A case passes when the most severe finding is exactly the
//! expected class: `clean` allows suggestions only; `finding` wants its severity and
//! nothing above it, since the most severe finding is what fails a CI gate.
//!
//! Misses that remain are listed with their reason in `tests/suite/known-misses.txt`; the
//! test fails when a case outside that list misses (a regression) and when a listed case
//! passes (so that the list stays true). `SUITE_REPORT=1` prints per-class hit rates.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice
)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use verdict_lint::{lint_text, LintOptions, Severity};
use verdict_policy::{PolicyType, ScpSyntax};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/suite")
}

#[derive(Debug)]
struct Case {
    id: String,
    source: String,
    aa_code: String,
    expect: Option<Severity>,
    text: String,
    policy_type: Option<PolicyType>,
    resource_type: Option<String>,
    legacy_scp: bool,
}

fn severity(s: &str) -> Option<Severity> {
    Severity::from_name(s)
}

fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    for f in [
        "access-analyzer",
        "parliament",
        "cfn-lint",
        "iam-policy-validator",
    ] {
        let text = std::fs::read_to_string(dir().join(format!("{f}.json"))).expect("suite file");
        let v: serde_json::Value = serde_json::from_str(&text).expect("suite JSON");
        for c in v.as_array().expect("an array of cases") {
            let s = |k: &str| c[k].as_str().unwrap_or_default().to_string();
            let e = &c["expect"];
            let expect = match e["outcome"].as_str() {
                Some("clean") => None,
                _ => Some(
                    severity(e["severity"].as_str().unwrap_or_default()).unwrap_or_else(|| {
                        panic!("{}: unknown severity {}", s("id"), e["severity"])
                    }),
                ),
            };
            let text = match c.get("policy_text").and_then(|t| t.as_str()) {
                Some(t) => t.to_string(),
                None => serde_json::to_string_pretty(&c["policy"]).expect("policy"),
            };
            out.push(Case {
                id: s("id"),
                source: f.to_string(),
                aa_code: e["aa_code"].as_str().unwrap_or("clean").to_string(),
                expect,
                text,
                policy_type: PolicyType::from_name(&s("policy_type")),
                resource_type: c["resource_type"].as_str().map(str::to_string),
                legacy_scp: c["options"]["scp_syntax"] == "legacy-2023",
            });
        }
    }
    out
}

/// The most severe finding's class and the codes found, for one case.
fn run(c: &Case) -> (Option<Severity>, Vec<String>) {
    let opts = LintOptions {
        policy_type: c.policy_type,
        scp_syntax: if c.legacy_scp {
            verdict_lint::config::parse_scp_syntax("legacy-2023").unwrap_or_default()
        } else {
            ScpSyntax::Current
        },
        resource_kind: c
            .resource_type
            .as_deref()
            .and_then(verdict_lint::ResourceKind::from_name),
    };
    let findings = lint_text(&format!("{}.json", c.id), &c.text, &opts);
    let worst = findings.iter().map(|f| f.severity()).max();
    let codes = findings
        .iter()
        .map(|f| format!("{} {}", f.code(), f.severity().as_str()))
        .collect();
    (
        worst.filter(|s| *s > Severity::Suggestion || c.expect.is_some()),
        codes,
    )
}

fn passes(c: &Case, worst: Option<Severity>) -> bool {
    match c.expect {
        None => worst.is_none_or(|w| w == Severity::Suggestion),
        Some(want) => worst == Some(want),
    }
}

const KNOWN_MISSES_HEADER: &str = "# Suite cases Verdict does not pass yet, one per line: id, then why.\n# Regenerate with SUITE_WRITE_MISSES=1 cargo test -p verdict-lint --test suite (reasons kept).\n";

fn known_misses() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(dir().join("known-misses.txt")).unwrap_or_default();
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| match l.split_once(' ') {
            Some((id, why)) => (id.to_string(), why.trim().to_string()),
            None => (l.to_string(), String::new()),
        })
        .collect()
}

#[test]
fn lint_suite_meets_its_record() {
    let cases = cases();
    assert!(cases.len() > 500, "{} cases", cases.len());
    let known = known_misses();
    let report = std::env::var_os("SUITE_REPORT").is_some();
    let mut by_class: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut by_source: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let (mut fneg, mut fpos, mut wrong) = (Vec::new(), Vec::new(), Vec::new());
    let mut regressions = Vec::new();
    let mut stale = Vec::new();
    for c in &cases {
        let (worst, codes) = run(c);
        let ok = passes(c, worst);
        let class = match c.expect {
            None => "clean".to_string(),
            Some(s) => format!("finding/{}", s.as_str()),
        };
        for key in [(&mut by_class, class), (&mut by_source, c.source.clone())] {
            let e = key.0.entry(key.1).or_default();
            e.0 += 1;
            e.1 += usize::from(ok);
        }
        if !ok {
            let line = format!(
                "{} [{}] expected {}, got {} {:?}",
                c.id,
                c.aa_code,
                c.expect.map_or("clean", |s| s.as_str()),
                worst.map_or("clean", |s| s.as_str()),
                codes
            );
            match (c.expect, worst) {
                (None, _) => fpos.push(line),
                (Some(_), None) => fneg.push(line),
                _ => wrong.push(line),
            }
            if !known.contains_key(&c.id) {
                regressions.push(c.id.clone());
            }
        } else if known.contains_key(&c.id) {
            stale.push(c.id.clone());
        }
    }
    let passed = by_class.values().map(|v| v.1).sum::<usize>();
    if std::env::var_os("SUITE_WRITE_MISSES").is_some() {
        // Rewrite the list: keep the reasons already given, mark new misses for triage.
        let mut text = String::from(KNOWN_MISSES_HEADER);
        for line in fneg.iter().chain(&fpos).chain(&wrong) {
            let id = line.split(' ').next().unwrap_or_default();
            let why = known
                .get(id)
                .cloned()
                .unwrap_or_else(|| format!("untriaged: {}", &line[id.len()..].trim()));
            text.push_str(&format!("{id} {why}\n"));
        }
        std::fs::write(dir().join("known-misses.txt"), text).expect("write known-misses.txt");
        return;
    }
    if report {
        println!("lint suite: {passed}/{} pass", cases.len());
        for (k, (n, p)) in by_class.iter().chain(by_source.iter()) {
            println!("  {k:<28} {p}/{n} ({:.0}%)", 100.0 * *p as f64 / *n as f64);
        }
        for (what, list) in [
            ("false negatives", &fneg),
            ("false positives", &fpos),
            ("wrong severity", &wrong),
        ] {
            println!("{what}: {}", list.len());
            for l in list {
                println!("  {l}");
            }
        }
    }
    assert!(
        regressions.is_empty(),
        "cases that miss and are not in known-misses.txt: {regressions:#?}"
    );
    assert!(
        stale.is_empty(),
        "cases in known-misses.txt that now pass (remove them): {stale:#?}"
    );
}
