//! JSON and SARIF output; the SARIF log validates against the SARIF 2.1.0 schema.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice
)]

use verdict_lint::output::{json, sarif, Summary};
use verdict_lint::{lint_text, LintOptions};

const POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Deploy", "Effect": "Allow", "Action": ["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction", "s3:GetObjcet"], "Resource": "*"},
    {"Sid": "Reports", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports"}
  ]
}
"#;

#[test]
fn sarif_validates_against_the_2_1_0_schema() {
    let findings = lint_text("policies/deploy.json", POLICY, &LintOptions::default());
    assert!(findings.len() >= 4);
    let log = sarif::render(&findings);
    // The published schema's `language` pattern has a stray `]` that ECMA regexes read as
    // a literal but Rust's regex engine rejects; the equivalent pattern is used instead.
    let schema_text = include_str!("schema/sarif-schema-2.1.0.json").replace(
        "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$",
        "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}\\\\]?$",
    );
    let schema: serde_json::Value = serde_json::from_str(&schema_text).unwrap_or_default();
    assert!(schema.is_object(), "schema parses");
    let validator = jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("schema: {e}"));
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // Rule metadata for GitHub code scanning.
    let rules = &log["runs"][0]["tool"]["driver"]["rules"];
    let s108 = rules
        .as_array()
        .and_then(|r| r.iter().find(|r| r["id"] == "S108"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(s108["properties"]["security-severity"], "8.8");
    assert_eq!(s108["defaultConfiguration"]["level"], "warning");
    assert_eq!(
        s108["helpUri"],
        "https://github.com/verdict-iam/verdict/blob/main/docs/rules.md#S108"
    );
    let result = &log["runs"][0]["results"][0];
    assert_eq!(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "policies/deploy.json"
    );
    // The validator does reject broken logs.
    let mut broken = log.clone();
    broken["version"] = serde_json::Value::from("9.9");
    broken["runs"][0]["results"][0]["level"] = serde_json::Value::from("fatal");
    assert!(!validator.is_valid(&broken));
    // An empty run is valid too.
    let empty = sarif::render(&[]);
    assert!(validator.is_valid(&empty));
}

#[test]
fn json_report() {
    let findings = lint_text("policies/deploy.json", POLICY, &LintOptions::default());
    let summary = Summary::new(&findings, 1, 1, 0);
    let mut v = json::render(&findings, &summary);
    v["tool"]["catalog"] = serde_json::Value::from("<catalog>");
    v["tool"]["version"] = serde_json::Value::from("<version>");
    let text = serde_json::to_string_pretty(&v).unwrap_or_default();
    insta::assert_snapshot!(text.replace(verdict_catalog::catalog().data_date(), "<catalog-date>"));
}

#[test]
fn summary_line_and_fail_on() {
    let findings = lint_text("p.json", POLICY, &LintOptions::default());
    let s = Summary::new(&findings, 1, 1, 2);
    insta::assert_snapshot!(s.line(), @"5 findings: 1 error, 2 security warnings, 1 warning, 1 suggestion (1 file, 1 policy, 2 ignored)");
    assert!(s.fails(verdict_lint::Severity::Error));
    let clean = Summary::new(&[], 3, 4, 0);
    assert_eq!(clean.line(), "No findings (3 files, 4 policies)");
    assert!(!clean.fails(verdict_lint::Severity::Suggestion));
}

#[test]
fn config_suppressions() {
    let findings = lint_text("legacy/p.json", POLICY, &LintOptions::default());
    let c = verdict_lint::config::Config::parse(
        "[lint]\nignore = [\"N\", \"privilege-escalation\"]\n[lint.per-path-ignores]\n\"legacy/*\" = [\"W101\"]\n",
        std::path::Path::new("."),
    )
    .unwrap_or_default();
    let kept: Vec<&str> = findings
        .iter()
        .filter(|f| !c.is_ignored(f))
        .map(|f| f.rule.code)
        .collect();
    assert_eq!(kept, vec!["S103", "E202"]);
}
