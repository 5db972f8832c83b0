//! Issue 10: every input is read or loudly refused. Each test here failed before the
//! fix: Verdict said nothing, or exited 0, on input it had not read.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice
)]

mod common;

use common::{root, verdict};
use std::path::{Path, PathBuf};
use std::process::Output;

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("verdict-nsp-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap_or_default()
}

/// One scenario on one line, allowed by its identity policy.
fn allowed_line() -> String {
    serde_json::json!({
        "request": {"principal": "arn:aws:iam::111122223333:user/a", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"},
        "policies": {"identity": [{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}]}
    })
    .to_string()
}

/// One scenario on one line, denied (no policy).
fn denied_line() -> String {
    serde_json::json!({
        "request": {"principal": "arn:aws:iam::111122223333:user/a", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"}
    })
    .to_string()
}

fn json_lines(o: &Output) -> Vec<serde_json::Value> {
    out(o)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each output line is one JSON document"))
        .collect()
}

// 1. lint DIR reports every file: a broken one is a finding, and the run goes on.

#[test]
fn readme_ci_snippet_fails_on_a_directory_with_one_broken_file() {
    let d = scratch("ci");
    std::fs::write(
        d.join("good.json"),
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#,
    )
    .expect("write");
    // A missing comma between two statements.
    std::fs::write(
        d.join("broken.json"),
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"} {\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\"}]}",
    )
    .expect("write");
    // The README's CI step: `verdict lint policies/ --fail-on security-warning …`.
    let sarif = d.join("verdict.sarif");
    let o = verdict(
        &[
            "lint",
            s(&d),
            "--fail-on",
            "security-warning",
            "--format",
            "sarif",
            "--output",
            s(&sarif),
        ],
        None,
    );
    assert_ne!(o.status.code(), Some(0), "{}{}", out(&o), err(&o));
    let report = std::fs::read_to_string(&sarif).expect("SARIF written");
    assert!(
        report.contains("broken.json") && report.contains("E101"),
        "{report}"
    );
    let o = verdict(&["lint", s(&d), "--fail-on", "error"], None);
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    assert!(out(&o).contains("broken.json"), "{}", out(&o));
}

#[test]
fn lint_directory_with_a_utf16_file_reports_it_and_lints_the_rest() {
    let d = scratch("utf16");
    let text = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;
    let mut bytes = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    std::fs::write(d.join("from-powershell.json"), bytes).expect("write");
    std::fs::write(
        d.join("wide.json"),
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
    )
    .expect("write");
    let o = verdict(&["lint", s(&d), "--format", "json"], None);
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("one JSON document");
    let text = v.to_string();
    assert!(text.contains("E118") && text.contains("UTF-16"), "{text}");
    assert!(
        text.contains("wide.json"),
        "the other file is linted: {text}"
    );
}

#[test]
fn bad_input_fixtures_linted_as_a_directory_give_one_finding_per_file() {
    let dir = root().join("crates/verdict-lint/tests/fixtures/bad-input");
    let files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    assert!(files.len() >= 10);
    let o = verdict(&["lint", s(&dir), "--format", "json"], None);
    assert_ne!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("one JSON document");
    let text = v.to_string();
    for f in &files {
        let name = f.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        assert!(text.contains(name), "{name} is reported: {text}");
    }
}

// 2. Terraform state and planned_values are read.

#[test]
fn terraform_state_and_planned_values_yield_policies() {
    for f in ["tf-state.json", "tf-planned-values.json"] {
        let p = root()
            .join("crates/verdict-lint/tests/fixtures/inputs")
            .join(f);
        let o = verdict(&["lint", s(&p), "--format", "json"], None);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
        let policies = v["summary"]["policies"].as_u64().unwrap_or_default();
        assert!(policies > 0, "{f}: {v}");
    }
}

// 4. One JSON document, whatever the number of scenarios.

#[test]
fn simulate_json_with_several_actions_is_one_array() {
    let o = verdict(
        &[
            "simulate",
            "--format",
            "json",
            "--policy-input-list",
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}"#,
            "--action-names",
            "s3:GetObject",
            "s3:PutObject",
            "s3:DeleteObject",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("exactly one document");
    let a = v.as_array().expect("array");
    assert_eq!(a.len(), 3);
    assert_eq!(a[0]["decision"], "allow");
    assert_eq!(a[2]["decision"], "implicit_deny");
    assert_eq!(a[0]["tool"]["name"], "verdict");
}

// 5. The batch contract.

#[test]
fn batch_of_a_directory_is_refused() {
    let d = scratch("batchdir");
    let o = verdict(&["simulate", "--batch", s(&d)], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("is a directory"), "{}", err(&o));
}

#[test]
fn batch_blank_line_is_an_error_line_and_numbers_line_up() {
    let input = format!("{}\n\n{}\n", allowed_line(), denied_line());
    let o = verdict(&["simulate", "--batch", "-"], Some(input.as_bytes()));
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    let lines = json_lines(&o);
    assert_eq!(lines.len(), 3, "one output line per input line");
    assert_eq!(lines[0]["line"], 1);
    assert_eq!(lines[0]["decision"], "allow");
    assert_eq!(lines[1]["line"], 2);
    assert!(lines[1]["error"]
        .as_str()
        .unwrap_or_default()
        .contains("blank"));
    assert_eq!(lines[2]["line"], 3);
    assert_eq!(lines[2]["decision"], "implicit_deny");
    assert!(
        err(&o).contains("1 of 3 lines could not be evaluated (lines 2)"),
        "{}",
        err(&o)
    );
}

#[test]
fn batch_accepts_a_byte_order_mark_and_crlf() {
    let mut input = b"\xEF\xBB\xBF".to_vec();
    input.extend_from_slice(format!("{}\r\n{}\r\n", allowed_line(), denied_line()).as_bytes());
    let o = verdict(&["simulate", "--batch", "-"], Some(&input));
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let lines = json_lines(&o);
    assert_eq!(lines[0]["decision"], "allow");
    assert_eq!(lines[1]["decision"], "implicit_deny");
}

#[test]
fn batch_applies_expect_to_every_line() {
    let input = format!(
        "{}\n{}\n{}\n",
        allowed_line(),
        denied_line(),
        allowed_line()
    );
    let o = verdict(
        &["simulate", "--batch", "-", "--expect", "allow"],
        Some(input.as_bytes()),
    );
    assert_eq!(o.status.code(), Some(1));
    let e = err(&o);
    assert!(
        e.contains("line 2: expected allow, got implicit_deny")
            && e.contains("1 of 3 lines did not meet --expect allow"),
        "{e}"
    );
    let input = format!("{}\n{}\n", allowed_line(), allowed_line());
    let o = verdict(
        &["simulate", "--batch", "-", "--expect", "allow"],
        Some(input.as_bytes()),
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
}

#[test]
fn batch_refuses_format_text() {
    let o = verdict(
        &["simulate", "--batch", "-", "--format", "text"],
        Some(allowed_line().as_bytes()),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains("--format text does not apply"),
        "{}",
        err(&o)
    );
}

// 6. Smaller items.

#[test]
fn failed_expect_says_what_was_expected() {
    let o = verdict(
        &["simulate", "-", "--expect", "allow"],
        Some(denied_line().as_bytes()),
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o).contains("expected allow, got implicit_deny"),
        "{}",
        err(&o)
    );
}

#[test]
fn test_on_a_missing_path_is_bad_input() {
    let o = verdict(&["test", "no/such/dir"], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("does not exist"), "{}", err(&o));
}

#[test]
fn test_on_an_empty_directory_warns_and_can_fail() {
    let d = scratch("empty");
    let o = verdict(&["test", s(&d)], None);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        err(&o).contains("warning: no test case found"),
        "{}",
        err(&o)
    );
    let o = verdict(&["test", s(&d), "--require-tests"], None);
    assert_eq!(o.status.code(), Some(2));
    // A scenario without `expect` is not a test, and the summary says it was skipped.
    std::fs::write(d.join("plain.json"), denied_line()).expect("write");
    let o = verdict(&["test", s(&d), "--require-tests"], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        out(&o).contains("1 scenario without an expect block skipped"),
        "{}",
        out(&o)
    );
}

#[test]
fn junit_reports_an_unreadable_test_file_as_an_error() {
    let d = scratch("junit");
    std::fs::write(d.join("latin1.json"), b"{\"name\": \"caf\xE9\"}").expect("write");
    let junit = d.join("junit.xml");
    let o = verdict(&["test", s(&d), "--junit", s(&junit)], None);
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    let xml = std::fs::read_to_string(&junit).expect("junit written");
    assert!(xml.contains("<error") && !xml.contains("<failure"), "{xml}");
    assert!(out(&o).contains("1 could not be run"), "{}", out(&o));
}

#[test]
fn context_entries_type_is_validated() {
    let policy = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}"#;
    let o = verdict(
        &[
            "simulate",
            "--policy-input-list",
            policy,
            "--action-names",
            "s3:GetObject",
            "--context-entries",
            "ContextKeyName=aws:SourceIp,ContextKeyValues=203.0.113.5,ContextKeyType=ipp",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    let e = err(&o);
    assert!(
        e.contains("ContextKeyType \"ipp\"") && e.contains("did you mean \"ip\"?"),
        "{e}"
    );
    let o = verdict(
        &[
            "simulate",
            "--policy-input-list",
            policy,
            "--action-names",
            "s3:GetObject",
            "--context-entries",
            "ContextKeyName=aws:SourceIp,ContextKeyValues=not-an-ip,ContextKeyType=ip",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("is not an IP address"), "{}", err(&o));
}

#[test]
fn context_value_of_the_wrong_type_is_located_and_explained() {
    let scenario = "{\n  \"request\": {\n    \"principal\": \"arn:aws:iam::111122223333:user/a\",\n    \"action\": \"s3:GetObject\",\n    \"resource\": \"arn:aws:s3:::b/k\",\n    \"context\": {\"aws:CurrentTime\": \"yesterday\"}\n  },\n  \"policies\": {\"identity\": [{\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\", \"Condition\": {\"DateGreaterThan\": {\"aws:CurrentTime\": \"2020-01-01T00:00:00Z\"}}}}]}\n}\n";
    let d = scratch("ctx");
    let f = d.join("when.json");
    std::fs::write(&f, scenario).expect("write");
    let o = verdict(&["simulate", "--format", "json", s(&f)], None);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let warnings = v["warnings"].to_string();
    assert!(
        warnings.contains("context-value-type")
            && warnings.contains("when.json:6:")
            && warnings.contains("is not a date")
            && warnings.contains("DateGreaterThan"),
        "{warnings}"
    );
}

#[test]
fn malformed_resource_arn_in_a_policy_is_refused() {
    let line = serde_json::json!({
        "request": {"principal": "arn:aws:iam::111122223333:user/a", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"},
        "policies": {"identity": [{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws"}}]}
    })
    .to_string();
    let o = verdict(&["simulate", "-"], Some(line.as_bytes()));
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains("-:1:") && err(&o).contains("\"arn:aws\""),
        "{}",
        err(&o)
    );
}

#[test]
fn explain_refuses_a_file_that_is_not_authorization_details() {
    let d = scratch("auth");
    let f = d.join("policy.json");
    std::fs::write(
        &f,
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#,
    )
    .expect("write");
    // Even with a bare message, which needs no authorization details.
    let o = verdict(
        &[
            "explain",
            "--message",
            "An error occurred (AccessDenied) when calling the GetObject operation: Access Denied",
            "--auth-details",
            s(&f),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    let e = err(&o);
    assert!(
        e.contains("is not `aws iam get-account-authorization-details` output")
            && e.contains("--identity-policy"),
        "{e}"
    );
}

#[test]
fn json_outputs_carry_the_tool_version() {
    let version = env!("CARGO_PKG_VERSION");
    let o = verdict(
        &[
            "simulate",
            "--format",
            "json",
            "examples/apigw-sourcevpc-aws-iam-with-deny.json",
        ],
        None,
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["tool"]["version"], version);
    let o = verdict(
        &[
            "explain",
            "--format",
            "json",
            "--message",
            "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::b/k because no identity-based policy allows the s3:GetObject action",
        ],
        None,
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["tool"]["version"], version, "{v}");
    let o = verdict(&["rule", "E101", "--format", "json"], None);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["tool"]["version"], version);
    let o = verdict(&["rule", "--format", "json"], None);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["tool"]["version"], version);
    assert!(v["rules"].as_array().is_some_and(|r| r.len() > 50));
}

#[test]
fn a_second_permissions_boundary_is_refused_not_dropped() {
    let p =
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#;
    let o = verdict(
        &[
            "simulate",
            "--policy-input-list",
            p,
            "--permissions-boundary-policy-input-list",
            p,
            p,
            "--action-names",
            "s3:GetObject",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains("at most one permissions boundary"),
        "{}",
        err(&o)
    );
}

#[test]
fn explain_refuses_an_org_directory_without_organizations_outputs() {
    let d = scratch("org");
    let o = verdict(
        &[
            "explain",
            "--message",
            "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::b/k because no identity-based policy allows the s3:GetObject action",
            "--org",
            s(&d),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains("holds no Organizations outputs"),
        "{}",
        err(&o)
    );
}

#[test]
fn test_finds_scenario_files_whatever_the_case_of_their_extension() {
    let d = scratch("upper");
    let mut v: serde_json::Value = serde_json::from_str(&denied_line()).expect("json");
    v["expect"] = serde_json::json!({"decision": "implicit_deny"});
    std::fs::write(d.join("CASE.JSON"), v.to_string()).expect("write");
    let o = verdict(&["test", s(&d), "--require-tests"], None);
    assert_eq!(o.status.code(), Some(0), "{}{}", out(&o), err(&o));
    assert!(out(&o).contains("1 passed"), "{}", out(&o));
}

#[test]
fn lint_of_a_directory_with_nothing_to_lint_is_bad_input() {
    let d = scratch("nothing");
    std::fs::write(d.join("README.md"), "# policies live elsewhere\n").expect("write");
    let o = verdict(&["lint", s(&d)], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("no file to lint under"), "{}", err(&o));
}

#[test]
fn terraform_hcl_with_iam_resources_is_reported_not_passed() {
    let d = scratch("hcl");
    std::fs::write(
        d.join("main.tf"),
        "resource \"aws_iam_policy\" \"p\" {\n  policy = jsonencode({Version = \"2012-10-17\", Statement = [{Effect = \"Allow\", Action = \"*\", Resource = \"*\"}]})\n}\n",
    )
    .expect("write");
    std::fs::write(d.join("vars.tf"), "variable \"region\" {}\n").expect("write");
    let o = verdict(&["lint", s(&d), "--fail-on", "warning"], None);
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    let t = out(&o);
    assert!(
        t.contains("main.tf") && t.contains("W113") && t.contains("terraform show -json"),
        "{t}"
    );
    assert!(
        !t.contains("vars.tf"),
        "an HCL file without IAM resources is not a finding: {t}"
    );
}
