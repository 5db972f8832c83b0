//! `verdict diff` and `verdict check` on the command line (issue 13): exit codes, the
//! batch contract, the git base-ref gate, and refusals that keep a gate from passing
//! what it never checked.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice
)]

mod common;

use common::root;
use std::process::Output;

fn verdict(args: &[&str], stdin: Option<&str>) -> Output {
    common::verdict(args, stdin.map(str::as_bytes))
}

const OLD: &str = "docs/examples/reports-old.json";
const NEW: &str = "docs/examples/reports-new.json";

#[test]
fn gates_exit_1_with_a_request_and_0_when_nothing_opens() {
    let fail = verdict(&["check", "no-new-access", "--base", OLD, NEW], None);
    assert_eq!(fail.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&fail.stdout).contains("e.g. "));
    let pass = verdict(&["check", "no-new-access", "--base", OLD, OLD], None);
    assert_eq!(pass.status.code(), Some(0));
    let granted = verdict(
        &[
            "check",
            "access-not-granted",
            NEW,
            "--actions",
            "s3:GetObjectAcl",
        ],
        None,
    );
    assert_eq!(granted.status.code(), Some(1));
    let not = verdict(
        &[
            "check",
            "access-not-granted",
            NEW,
            "--actions",
            "s3:Delete*",
        ],
        None,
    );
    assert_eq!(not.status.code(), Some(0));
}

#[test]
fn undecided_comparisons_fail_closed() {
    let dir = std::env::temp_dir().join(format!("verdict-cmp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let a = dir.join("a.json");
    let b = dir.join("b.json");
    // Narrowing a public grant to an organization: the organization is a fact about the
    // caller that a comparison over stand-in callers cannot decide.
    std::fs::write(&a, r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#).unwrap();
    std::fs::write(&b, r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc"}}}]}"#).unwrap();
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    let o = verdict(
        &[
            "check",
            "no-new-access",
            "--policy-type",
            "resource",
            "--base",
            a,
            b,
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1), "unknown must fail the gate");
    let o = verdict(
        &[
            "check",
            "no-new-access",
            "--policy-type",
            "resource",
            "--allow-unknown",
            "--base",
            a,
            b,
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn base_ref_compares_with_git_and_treats_new_files_as_new_access() {
    let same = verdict(&["check", "no-new-access", "--base-ref", "HEAD", NEW], None);
    let why = String::from_utf8_lossy(&same.stderr);
    if why.contains("needs a git checkout") || why.contains("cannot run git") {
        return; // a source tarball, not a checkout
    }
    assert_eq!(
        same.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&same.stderr)
    );
    let dir = std::env::temp_dir().join(format!("verdict-ref-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("new-policy.json");
    std::fs::write(&f, std::fs::read_to_string(root().join(NEW)).unwrap()).unwrap();
    let fresh = verdict(
        &[
            "check",
            "no-new-access",
            "--base-ref",
            "HEAD",
            f.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(
        fresh.status.code(),
        Some(1),
        "a policy that did not exist opens what it grants"
    );
    let bad = verdict(
        &[
            "check",
            "no-new-access",
            "--base-ref",
            "no-such-rev-xyz",
            NEW,
        ],
        None,
    );
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn batch_reports_each_line_and_the_bad_ones() {
    let o = std::fs::read_to_string(root().join(OLD)).unwrap();
    let n = std::fs::read_to_string(root().join(NEW)).unwrap();
    let oj: serde_json::Value = serde_json::from_str(&o).unwrap();
    let nj: serde_json::Value = serde_json::from_str(&n).unwrap();
    let input = format!(
        "{}\n\n{}\n{{\"old\": 1}}\n",
        serde_json::json!({"old": oj, "new": nj}),
        serde_json::json!({"old": oj, "new": oj})
    );
    let out = verdict(&["diff", "--batch", "-"], Some(&input));
    assert_eq!(out.status.code(), Some(2));
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["relation"], "incomparable");
    assert_eq!(lines[1]["line"], 2);
    assert!(lines[1]["error"].is_string());
    assert_eq!(lines[2]["relation"], "equivalent");
    assert!(lines[3]["error"].as_str().unwrap().contains("line 4"));
}

#[test]
fn bad_policies_are_refused_with_positions() {
    let o = verdict(
        &["diff", "-", OLD],
        Some("{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Alow\"}]}"),
    );
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("1:"), "{err}");
}

#[test]
fn templates_pair_policies_by_position() {
    let o = verdict(
        &[
            "diff",
            "--format",
            "json",
            "docs/examples/stack-old.yaml",
            "docs/examples/stack-new.yaml",
        ],
        None,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let pairs = v["pairs"].as_array().unwrap();
    assert_eq!(pairs.len(), 2);
    // The unchanged trust policy is equivalent; the inline policy opens s3:PutObject.
    assert_eq!(pairs[0]["relation"], "equivalent");
    assert_eq!(pairs[1]["relation"], "more_permissive");
    assert_eq!(pairs[1]["new_access"][0]["actions"][0], "s3:PutObject");
    let gate = verdict(
        &[
            "check",
            "no-new-access",
            "--base",
            "docs/examples/stack-old.yaml",
            "docs/examples/stack-new.yaml",
        ],
        None,
    );
    assert_eq!(gate.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&gate.stderr).contains("Policies[0]"));
}

#[test]
fn public_access_is_found_and_private_policies_pass() {
    let dir = std::env::temp_dir().join(format!("verdict-pub-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let public = dir.join("public.json");
    let private = dir.join("private.json");
    std::fs::write(&public, r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::site/*"}]}"#).unwrap();
    std::fs::write(&private, r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/app"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::site/*"}]}"#).unwrap();
    let o = verdict(
        &[
            "check",
            "no-public-access",
            public.to_str().unwrap(),
            "--resource-type",
            "AWS::S3::Bucket",
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let who: Vec<&str> = v["new_access"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["example"]["principal"].as_str().unwrap())
        .collect();
    assert!(who.contains(&"anonymous"), "{who:?}");
    let o = verdict(
        &[
            "check",
            "no-public-access",
            private.to_str().unwrap(),
            "--resource-type",
            "s3-bucket",
        ],
        None,
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = verdict(
        &[
            "check",
            "no-public-access",
            private.to_str().unwrap(),
            "--resource-type",
            "s3-buckt",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("did you mean"));
}

#[test]
fn sarif_points_at_the_granting_statement() {
    let o = verdict(
        &[
            "check",
            "no-new-access",
            "--format",
            "sarif",
            "--base",
            "docs/examples/stack-old.yaml",
            "docs/examples/stack-new.yaml",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "{results:?}");
    let r = &results[0];
    assert_eq!(r["ruleId"], "verdict/no-new-access");
    assert!(r["message"]["text"]
        .as_str()
        .unwrap()
        .contains("s3:PutObject"));
    let loc = &r["locations"][0]["physicalLocation"];
    assert_eq!(
        loc["artifactLocation"]["uri"],
        "docs/examples/stack-new.yaml"
    );
    // The inline policy's statement, not the top of the file.
    assert!(loc["region"]["startLine"].as_u64().unwrap() > 10);
}
