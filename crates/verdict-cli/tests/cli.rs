//! End-to-end tests of the `verdict` binary: exit codes, formats, batch and flags modes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice
)]

mod common;

use common::root;
use std::io::Write;
use std::process::{Command, Output, Stdio};

fn verdict(args: &[&str], stdin: Option<&str>) -> Output {
    common::verdict(args, stdin.map(str::as_bytes))
}

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn simulate_example_text_and_json() {
    let o = verdict(
        &[
            "simulate",
            "examples/apigw-sourcevpc-aws-iam-with-deny.json",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0));
    let t = text(&o);
    assert!(
        t.starts_with("DENIED (explicit deny in the resource-based policy)"),
        "{t}"
    );
    assert!(!t.contains('\u{1b}'), "NO_COLOR output has no escapes");
    let o = verdict(
        &[
            "simulate",
            "--format",
            "json",
            "examples/apigw-sourcevpc-aws-iam-with-deny.json",
        ],
        None,
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json output");
    assert_eq!(v["decision"], "explicit_deny");
    assert_eq!(v["denied_by"], "resource");
    assert!(v["message"]
        .as_str()
        .unwrap_or_default()
        .contains("with an explicit deny in a resource-based policy"));
}

#[test]
fn expect_flag_sets_exit_code() {
    let f = "examples/apigw-sourcevpc-aws-iam-with-deny.json";
    assert_eq!(
        verdict(&["simulate", "--expect", "deny", f], None)
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        verdict(&["simulate", "--expect", "allow", f], None)
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn bad_input_exits_2_with_location() {
    let o = verdict(&["simulate", "-"], Some("{\"request\": {\"principal\": \"arn:aws:iam::111122223333:user/a\", \"action\": \"s3:GetObject\", \"resource\": \"*\"}, \"policies\": {\"identity\": [{\"Statement\": {\"Efect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}}]}}"));
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("-:1:")
            && err.contains("unknown statement element \"Efect\"")
            && err.contains("did you mean \"Effect\"?"),
        "{err}"
    );
    let o = verdict(&["simulate", "does-not-exist.json"], None);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn batch_reports_bad_lines_and_goes_on() {
    let good = std::fs::read_to_string(root().join("conformance/core/T01-default-deny.json"))
        .expect("corpus file");
    let good: serde_json::Value = serde_json::from_str(&good).expect("json");
    let input = format!("{}\nnot json\n{{\"request\": 5}}\n{}\n", good, good);
    let o = verdict(&["simulate", "--batch", "-"], Some(&input));
    // Bad lines get an error result in place, the batch goes on, and it exits 2.
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("2 of 4 lines could not be evaluated (lines 2, 3)"),
        "{err}"
    );
    let lines: Vec<serde_json::Value> = text(&o)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["decision"], "implicit_deny");
    assert!(lines[1]["error"]
        .as_str()
        .unwrap_or_default()
        .contains("invalid JSON"));
    assert!(lines[2]["error"]
        .as_str()
        .unwrap_or_default()
        .contains("request must be an object"));
    assert_eq!(lines[3]["decision"], "implicit_deny");
    let numbers: Vec<u64> = lines.iter().filter_map(|l| l["line"].as_u64()).collect();
    assert_eq!(numbers, [1, 2, 3, 4]);
}

#[test]
fn aws_cli_style_flags() {
    let o = verdict(
        &[
            "simulate",
            "--format",
            "json",
            "--policy-input-list",
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}}"#,
            "--action-names",
            "s3:GetObject",
            "s3:PutObject",
            "--resource-arns",
            "arn:aws:s3:::b/k",
            "--caller-arn",
            "arn:aws:iam::111122223333:user/alice",
            "--context-entries",
            "ContextKeyName=aws:SourceIp,ContextKeyValues=203.0.113.7,ContextKeyType=ip",
        ],
        None,
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // Several scenarios print one JSON document: an array, in flag order.
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("one JSON document");
    let docs = v.as_array().expect("an array");
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[0]["decision"], "allow");
    assert_eq!(docs[1]["decision"], "implicit_deny");
}

#[test]
fn test_command_counts_and_junit() {
    let dir = std::env::temp_dir().join(format!("verdict-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let pass = root().join("conformance/core/T02-identity-allow.json");
    std::fs::copy(&pass, dir.join("pass.json")).expect("copy");
    let mut wrong: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&pass).expect("read")).expect("json");
    wrong["expect"]["decision"] = "implicit_deny".into();
    std::fs::write(dir.join("fail.json"), wrong.to_string()).expect("write");
    let junit = dir.join("junit.xml");
    let o = verdict(
        &[
            "test",
            dir.to_str().unwrap_or_default(),
            "--junit",
            junit.to_str().unwrap_or_default(),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    let t = text(&o);
    assert!(
        t.contains("FAIL") && t.contains("decision: expected implicit_deny, got allow"),
        "{t}"
    );
    assert!(t.trim_end().ends_with("1 passed, 1 failed"), "{t}");
    let xml = std::fs::read_to_string(&junit).expect("junit written");
    assert!(
        xml.contains("<testsuite") && xml.contains("failure"),
        "{xml}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn yaml_scenarios_keep_yaml_positions() {
    let dir = std::env::temp_dir().join(format!("verdict-yaml-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let bad = dir.join("bad.yaml");
    std::fs::write(
        &bad,
        "request:\n  principal: arn:aws:iam::111122223333:user/a\n  action: s3:GetObject\n  resource: \"*\"\n  contxt: {}\n",
    )
    .expect("write");
    let o = verdict(&["simulate", bad.to_str().unwrap_or_default()], None);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("bad.yaml:5:3:") && err.contains("did you mean \"context\"?"),
        "{err}"
    );
    let good = dir.join("good.yaml");
    std::fs::write(
        &good,
        "request:\n  principal: arn:aws:iam::111122223333:user/a\n  action: s3:GetObject\n  resource: \"*\"\nexpect:\n  decision: implicit_deny\n  denied_by: identity\n",
    )
    .expect("write");
    let o = verdict(&["test", good.to_str().unwrap_or_default()], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn yaml_alias_bombs_are_refused_with_a_position() {
    let dir = std::env::temp_dir().join(format!("verdict-laughs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut y = String::from("a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 10].join(",");
        y.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    let f = dir.join("laughs.yaml");
    std::fs::write(&f, y).expect("write");
    let o = verdict(&["simulate", f.to_str().unwrap_or_default()], None);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("laughs.yaml:") && err.contains("expands to more than"),
        "{err}"
    );
    // A UTF-8 byte-order mark before a JSON scenario is not a syntax error.
    let good = std::fs::read_to_string(root().join("conformance/core/T01-default-deny.json"))
        .expect("corpus file");
    let bom = dir.join("bom.json");
    std::fs::write(&bom, format!("\u{feff}{good}")).expect("write");
    let o = verdict(&["simulate", bom.to_str().unwrap_or_default()], None);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn completions_and_man_page_come_from_the_flags() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let o = verdict(&["completions", shell], None);
        assert_eq!(o.status.code(), Some(0), "{shell}");
        let t = text(&o);
        assert!(
            t.contains("simulate") && t.contains("explain"),
            "{shell}: {t}"
        );
    }
    let o = verdict(&["man"], None);
    assert_eq!(o.status.code(), Some(0));
    let t = text(&o);
    assert!(t.contains(".TH verdict 1") && t.contains("simulate"), "{t}");
    let dir = std::env::temp_dir().join(format!("verdict-man-{}", std::process::id()));
    let o = verdict(&["man", "--dir", dir.to_str().unwrap_or_default()], None);
    assert_eq!(o.status.code(), Some(0));
    assert!(dir.join("verdict-simulate.1").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn batch_streams_results_before_the_input_ends() {
    use std::io::{BufRead, BufReader};
    let good = std::fs::read_to_string(root().join("conformance/core/T01-default-deny.json"))
        .expect("corpus file");
    let line: serde_json::Value = serde_json::from_str(&good).expect("json");
    let line = format!("{line}\n");
    let mut child = Command::new(env!("CARGO_BIN_EXE_verdict"))
        .args(["simulate", "--batch", "-", "--jobs", "1"])
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("verdict runs");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    stdin.write_all(line.as_bytes()).expect("first line");
    stdin.flush().expect("flush");
    // The first result arrives while standard input is still open.
    let mut first = String::new();
    stdout.read_line(&mut first).expect("first result");
    let v: serde_json::Value = serde_json::from_str(&first).expect("json");
    assert_eq!(v["line"], 1);
    stdin.write_all(line.as_bytes()).expect("second line");
    drop(stdin);
    let mut second = String::new();
    stdout.read_line(&mut second).expect("second result");
    let v: serde_json::Value = serde_json::from_str(&second).expect("json");
    assert_eq!(v["line"], 2);
    assert!(child.wait().expect("exit").success());
}

#[test]
fn a_trust_policy_for_tag_session_is_read_as_a_trust_policy_from_flags() {
    let o = verdict(
        &[
            "simulate",
            "--policy-input-list",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:TagSession","Resource":"*"}]}"#,
            "--resource-policy",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:TagSession"}]}"#,
            "--action-names",
            "sts:TagSession",
            "--resource-arns",
            "arn:aws:iam::444455556666:role/VendorAuditRole",
            "--caller-arn",
            "arn:aws:sts::111122223333:assumed-role/CICD/build-881",
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["decision"], "allow");
}

#[test]
fn an_unclosed_variable_in_a_short_resource_pattern_does_not_crash() {
    // Found by fuzzing the linter: unbounded recursion (a stack overflow) before the fix.
    let line = serde_json::json!({
        "request": {"principal": "arn:aws:iam::111122223333:user/a", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"},
        "policies": {"identity": [{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:${r eports${/*"}}]}
    })
    .to_string();
    let o = verdict(&["simulate", "-"], Some(&line));
    assert!(matches!(o.status.code(), Some(0) | Some(2)), "{o:?}");
    let dir = std::env::temp_dir().join(format!("verdict-unclosed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let f = dir.join("p.json");
    std::fs::write(&f, r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:${r eports${/*"}]}"#).expect("write");
    let o = verdict(&["lint", f.to_str().unwrap_or_default()], None);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
