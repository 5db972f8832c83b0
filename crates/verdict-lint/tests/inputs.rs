//! Policies found in CloudFormation (JSON and YAML with short-form intrinsics),
//! Terraform plans (policies held in strings, values unknown at plan time) and YAML
//! policy files, with exact positions in the outer file.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice
)]

use std::path::Path;
use verdict_lint::output::text::{render, TextOptions};
use verdict_lint::{finding::sort_findings, lint_file, Finding, LintOptions};
use verdict_policy::SourceFile;

fn lint(name: &str) -> (String, Vec<Finding>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/inputs")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let file = SourceFile::new(format!("inputs/{name}"), text);
    let report = lint_file(&file, true, &LintOptions::default());
    let mut summary = format!("kind: {}\n", report.kind);
    for u in &report.units {
        summary.push_str(&format!(
            "policy {:?}: {} ({})\n",
            u.policy.label,
            u.policy.policy_type.map_or("-", |t| t.as_str()),
            u.policy.detection
        ));
    }
    let mut findings: Vec<Finding> = report.findings().cloned().collect();
    sort_findings(&mut findings);
    summary.push('\n');
    summary.push_str(&render(
        &findings,
        TextOptions {
            color: false,
            concise: false,
        },
    ));
    // The catalog date changes with every data refresh; keep snapshots stable.
    let summary = summary.replace(verdict_catalog::catalog().data_date(), "<catalog-date>");
    (summary, findings)
}

#[test]
fn cloudformation_yaml() {
    let (out, findings) = lint("template.yaml");
    insta::assert_snapshot!(out);
    assert!(findings.iter().all(|f| f.location.exact));
}

#[test]
fn cloudformation_json() {
    let (out, _) = lint("template.json");
    insta::assert_snapshot!(out);
}

#[test]
fn terraform_plan() {
    let (out, findings) = lint("plan.json");
    insta::assert_snapshot!(out);
    // Policies inside JSON strings map to exact columns of the plan file.
    let s106 = findings
        .iter()
        .find(|f| f.rule.code == "S106")
        .map(|f| f.location.file.slice(f.location.span).to_string());
    assert_eq!(
        s106.as_deref().map(|s| s.starts_with("{\\\"Federated\\\"")),
        Some(true)
    );
    assert!(findings.iter().any(|f| f.rule.code == "W111"));
}

#[test]
fn yaml_policy() {
    let (out, _) = lint("policy.yaml");
    insta::assert_snapshot!(out);
}

#[test]
fn json_lines_and_stdin_like_names() {
    let line1 = r#"{"name":"A","arn":"arn:aws:iam::aws:policy/A","document":{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObjcet","Resource":"*"}}}"#;
    let text = format!("{line1}\n{line1}\n");
    let findings = verdict_lint::lint_text("<stdin>.jsonl", &text, &LintOptions::default());
    let e202: Vec<String> = findings
        .iter()
        .filter(|f| f.rule.code == "E202")
        .map(|f| f.location.display())
        .collect();
    assert_eq!(e202, vec!["<stdin>.jsonl:1:121", "<stdin>.jsonl:2:121"]);
}

#[test]
fn yaml_string_policy_is_mapped_approximately() {
    let text = "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument: |\n        {\"Version\": \"2012-10-17\",\n         \"Statement\": {\"Effect\": \"Allow\", \"Action\": \"s3:GetObjcet\", \"Resource\": \"*\"}}\n";
    let findings = verdict_lint::lint_text("t.yaml", text, &LintOptions::default());
    let f = findings.iter().find(|f| f.rule.code == "E202");
    let f = f.map(|f| {
        (
            f.location.exact,
            f.location.start.line,
            f.location.embedded.map(|p| (p.line, p.column)),
        )
    });
    // Reported at the block scalar; the note gives the line and column inside it.
    assert_eq!(f, Some((false, 6, Some((2, 45)))));
}

#[test]
fn explicit_type_and_detection() {
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    let f = lint_file(
        &SourceFile::new("x.json", trust),
        true,
        &LintOptions::default(),
    );
    assert_eq!(
        f.units[0].policy.policy_type,
        Some(verdict_policy::PolicyType::Trust)
    );
    let opts = LintOptions {
        policy_type: Some(verdict_policy::PolicyType::Identity),
        ..LintOptions::default()
    };
    let findings = verdict_lint::lint_text("x.json", trust, &opts);
    assert!(findings.iter().any(|f| f.rule.code == "E401"));
    let rcp = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}"#;
    let f = lint_file(
        &SourceFile::new("x.json", rcp),
        true,
        &LintOptions::default(),
    );
    assert_eq!(
        f.units[0].policy.policy_type,
        Some(verdict_policy::PolicyType::Rcp)
    );
    let scp = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}"#;
    let f = lint_file(
        &SourceFile::new("org-scp.json", scp),
        true,
        &LintOptions::default(),
    );
    assert_eq!(
        f.units[0].policy.policy_type,
        Some(verdict_policy::PolicyType::Scp)
    );
}

#[test]
fn directory_walk_reports_non_policies_instead_of_skipping_them() {
    let dir = std::env::temp_dir().join(format!("verdict-lint-walk-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("sub")).unwrap_or_default();
    std::fs::write(dir.join("package.json"), "{\"name\": \"x\"}").unwrap_or_default();
    std::fs::write(dir.join("sub/p.json"), "{\"Statement\": []}").unwrap_or_default();
    std::fs::write(dir.join("notes.txt"), "hello").unwrap_or_default();
    let files = verdict_lint::input::collect_files(std::slice::from_ref(&dir)).unwrap_or_default();
    assert_eq!(files.len(), 2);
    let mut codes = Vec::new();
    for (path, explicit) in files {
        let src = verdict_lint::input::read_source(&path, "-");
        let src = src.unwrap_or_else(|e| panic!("{e}"));
        for f in lint_file(&src, explicit, &LintOptions::default()).findings() {
            codes.push(f.rule.code);
        }
    }
    // package.json is reported as holding no policy (N111), not skipped in silence.
    assert!(codes.contains(&"N111"), "{codes:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Issue 10: every file of the bad-input fixtures, linted as a directory, yields exactly
/// one finding of its own; none is skipped and none hides another.
#[test]
fn every_bad_input_file_yields_one_finding() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bad-input");
    let files = verdict_lint::input::collect_files(std::slice::from_ref(&dir)).unwrap_or_default();
    assert!(files.len() >= 10);
    let opts = LintOptions::default();
    for (path, explicit) in files {
        let report = match verdict_lint::input::read_source(&path, "-") {
            Ok(src) => lint_file(&src, explicit, &opts),
            Err(e) => verdict_lint::unreadable_report(&e, &opts),
        };
        let n = report.findings().count();
        assert_eq!(n, 1, "{}: {n} findings", path.display());
    }
}

fn tf(name: &str) -> Vec<(String, Option<verdict_policy::PolicyType>)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/inputs")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let file = SourceFile::new(name, text);
    lint_file(&file, true, &LintOptions::default())
        .units
        .iter()
        .map(|u| (u.policy.label.clone(), u.policy.policy_type))
        .collect()
}

/// Terraform state (`values`) and plans with only `planned_values` are read too, with
/// child modules and Lambda permissions (issue 10).
#[test]
fn terraform_state_and_planned_values_are_read() {
    use verdict_policy::PolicyType;
    let state = tf("tf-state.json");
    assert!(
        state.contains(&(
            "aws_iam_policy.read.policy".into(),
            Some(PolicyType::Identity)
        )),
        "{state:?}"
    );
    assert!(
        state.contains(&(
            "module.data.aws_s3_bucket_policy.logs.policy".into(),
            Some(PolicyType::Resource)
        )),
        "{state:?}"
    );
    assert!(
        state
            .iter()
            .any(|(l, t)| l.contains("aws_lambda_permission.public")
                && *t == Some(PolicyType::Resource)),
        "{state:?}"
    );
    assert!(
        state
            .iter()
            .any(|(l, _)| l.contains("data.aws_iam_policy_document.trust")),
        "{state:?}"
    );
    let planned = tf("tf-planned-values.json");
    assert!(
        planned.contains(&(
            "aws_sqs_queue_policy.q.policy".into(),
            Some(PolicyType::Resource)
        )),
        "{planned:?}"
    );
}
