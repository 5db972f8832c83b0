//! The command line on sets of requests (issue 12): unknown context values from flags,
//! residual answers in batches and under `--expect`, discovery, resource sets, and the
//! refusals that keep a set of requests from being answered as one request.

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

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

const IP_POLICY: &str = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}}"#;

#[test]
fn unknown_context_flag_gives_the_residual() {
    let o = verdict(
        &[
            "simulate",
            "--format",
            "json",
            "--policy-input-list",
            IP_POLICY,
            "--action-names",
            "s3:GetObject",
            "--resource-arns",
            "arn:aws:s3:::b/k",
            "--unknown-context",
            "aws:SourceIp",
        ],
        None,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let r = if v.is_array() { v[0].clone() } else { v };
    assert_eq!(r["decision"], "conditional");
    assert_eq!(
        r["residual"]["condition"]["IpAddress"]["aws:SourceIp"],
        "10.0.0.0/8"
    );
    assert_eq!(r["residual"]["text"], "aws:SourceIp is in 10.0.0.0/8");
    // A bad qualifier is refused, not ignored.
    let bad = verdict(
        &[
            "simulate",
            "--policy-input-list",
            IP_POLICY,
            "--action-names",
            "s3:GetObject",
            "--unknown-context",
            "aws:SourceIp=maybe",
        ],
        None,
    );
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn expect_never_takes_conditional_for_allow_or_deny() {
    for want in ["allow", "deny"] {
        let o = verdict(
            &[
                "simulate",
                "--expect",
                want,
                "examples/residual-unknown-network.json",
            ],
            None,
        );
        assert_eq!(
            o.status.code(),
            Some(1),
            "--expect {want} on a conditional answer"
        );
        assert!(String::from_utf8_lossy(&o.stderr).contains("got conditional"));
    }
}

#[test]
fn batch_lines_carry_residuals_and_sets() {
    let read = |p: &str| {
        let t = std::fs::read_to_string(root().join(p)).unwrap();
        serde_json::from_str::<serde_json::Value>(&t)
            .unwrap()
            .to_string()
    };
    let input = format!(
        "{}\n{}\n",
        read("examples/residual-unknown-network.json"),
        read("examples/resource-set-every-private-object.json")
    );
    let o = verdict(&["simulate", "--batch", "-"], Some(&input));
    assert!(o.status.success());
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["decision"], "conditional");
    assert_eq!(lines[0]["line"], 1);
    assert_eq!(lines[1]["decision"], "explicit_deny");
    assert_eq!(lines[1]["resource_set"]["holds"], false);
    assert_eq!(lines[1]["line"], 2);
}

#[test]
fn discovery_names_the_values_and_the_granting_statements() {
    let o = verdict(
        &[
            "simulate",
            "--discover",
            "--format",
            "json",
            "examples/scp-region-lock.json",
        ],
        None,
    );
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["decision"], "explicit_deny");
    assert_eq!(v["over_keys"]["decision"], "conditional");
    let way = &v["ways"][0];
    let region = way["example"]["aws:RequestedRegion"].as_str().unwrap();
    assert!(
        region == "eu-west-1" || region == "eu-central-1",
        "{region}"
    );
    assert!(way["granted_by"]
        .as_array()
        .unwrap()
        .iter()
        .any(|g| g["layer"] == "identity"));
}

#[test]
fn explain_refuses_a_set_of_requests() {
    for f in [
        "examples/residual-unknown-network.json",
        "examples/resource-set-every-private-object.json",
    ] {
        let o = verdict(&["explain", f], None);
        assert_eq!(o.status.code(), Some(2), "{f}");
        assert!(String::from_utf8_lossy(&o.stderr).contains("verdict simulate"));
    }
}

#[test]
fn bad_resource_sets_are_refused_with_positions() {
    let o = verdict(
        &["simulate", "-"],
        Some(
            r#"{"request": {"principal": "arn:aws:iam::111122223333:user/a", "action": "s3:GetObject", "resource": {"pattern": "arn:aws:s3:::b/*", "fro": "any"}}, "policies": {}}"#,
        ),
    );
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("unknown field \"fro\""), "{err}");
    assert!(err.contains("for"), "{err}");
}
