//! Every `--format json` output validates against its committed schema in docs/schemas/.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice
)]

use std::process::{Command, Stdio};

fn root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run(args: &[&str], stdin: Option<&str>) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_verdict"));
    cmd.args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
    let mut child = cmd.spawn().expect("verdict runs");
    if let (Some(text), Some(mut pipe)) = (stdin, child.stdin.take()) {
        use std::io::Write;
        let _ = pipe.write_all(text.as_bytes());
    }
    let out = child.wait_with_output().expect("verdict finishes");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn validate(schema: &str, doc: &serde_json::Value, what: &str) {
    let path = root().join("docs/schemas").join(schema);
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("schema file"))
            .expect("schema JSON");
    let validator = jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{schema}: {e}"));
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} does not match {}: {errors:#?}",
        path.display()
    );
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not one JSON document ({e}): {text}"))
}

const MESSAGE: &str = "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::b/k because no identity-based policy allows the s3:GetObject action";

#[test]
fn simulate_outputs_match_their_schemas() {
    for f in [
        "examples/apigw-sourcevpc-aws-iam-with-deny.json",
        "examples/permissions-boundary.json",
        "examples/scp-region-lock.json",
        "examples/kms-key-policy-no-delegation.json",
    ] {
        validate(
            "simulate.schema.json",
            &json(&run(&["simulate", "--format", "json", f], None)),
            f,
        );
    }
    let several = run(
        &[
            "simulate",
            "--format",
            "json",
            "--policy-input-list",
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}"#,
            "--action-names",
            "s3:GetObject",
            "s3:PutObject",
        ],
        None,
    );
    validate("simulate.schema.json", &json(&several), "several actions");
    for f in [
        "examples/residual-unknown-network.json",
        "conformance/residual/R25-null-true-on-a-key-declared-present-is-never-allowed.json",
        "conformance/residual/R37-a-deny-no-value-can-satisfy-leaves-an-allow.json",
    ] {
        validate(
            "simulate-residual.schema.json",
            &json(&run(&["simulate", "--format", "json", f], None)),
            f,
        );
    }
    for f in [
        "examples/scp-region-lock.json",
        "examples/residual-unknown-network.json",
    ] {
        validate(
            "discover.schema.json",
            &json(&run(
                &["simulate", "--discover", "--format", "json", f],
                None,
            )),
            f,
        );
    }
    let bad = run(
        &["simulate", "--format", "json", "-"],
        Some("{\"request\": 5}"),
    );
    validate("errors.schema.json", &json(&bad), "a bad scenario");
}

#[test]
fn batch_lines_match_their_schema() {
    let good = std::fs::read_to_string(root().join("conformance/core/T02-identity-allow.json"))
        .expect("corpus");
    let good = json(&good).to_string();
    let input = format!("{good}\nnot json\n\n{good}\n");
    for trace in [false, true] {
        let mut args = vec!["simulate", "--batch", "-"];
        if trace {
            args.push("--trace");
        }
        let out = run(&args, Some(&input));
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 4);
        for l in lines {
            validate("simulate-batch-line.schema.json", &json(l), l);
        }
    }
}

#[test]
fn explain_outputs_match_their_schema() {
    for args in [
        vec!["explain", "--format", "json", "--message", MESSAGE],
        vec![
            "explain",
            "--format",
            "json",
            "--message",
            "An error occurred (AccessDenied) when calling the GetObject operation: Access Denied",
        ],
        vec![
            "explain",
            "--format",
            "json",
            "examples/apigw-sourcevpc-aws-iam-with-deny.json",
        ],
        vec![
            "explain",
            "--format",
            "json",
            "--event",
            "crates/verdict-explain/tests/fixtures/samples/cloudtrail-accessdenied-vpce-network.json",
        ],
    ] {
        let out = run(&args, None);
        validate("explain.schema.json", &json(&out), &args.join(" "));
    }
    let bad = run(
        &[
            "explain",
            "--format",
            "json",
            "--auth-details",
            "Cargo.toml",
            "--message",
            MESSAGE,
        ],
        None,
    );
    validate("errors.schema.json", &json(&bad), "a bad input file");
}

#[test]
fn lint_and_rule_outputs_match_their_schemas() {
    let out = run(
        &[
            "lint",
            "crates/verdict-lint/tests/fixtures/E202",
            "--format",
            "json",
        ],
        None,
    );
    validate("lint.schema.json", &json(&out), "lint");
    validate(
        "rule.schema.json",
        &json(&run(&["rule", "E202", "--format", "json"], None)),
        "rule E202",
    );
    validate(
        "rule.schema.json",
        &json(&run(&["rule", "--format", "json"], None)),
        "rule list",
    );
}

#[test]
fn catalog_and_test_outputs_match_their_schemas() {
    for args in [
        &["actions", "s3:Get*", "--format", "json"][..],
        &["action", "s3:GetObject", "--format", "json"],
        &["keys", "s3", "--format", "json"],
        &["keys", "aws", "--format", "json"],
    ] {
        validate(
            "catalog.schema.json",
            &json(&run(args, None)),
            &args.join(" "),
        );
    }
    let t = json(&run(&["test", "examples", "--format", "json"], None));
    validate("test.schema.json", &t, "test examples");
    assert!(t["summary"]["passed"].as_u64().unwrap() > 10, "{t:#}");
}

#[test]
fn api_responses_match_their_schemas() {
    let calls = [
        r#"{"id": 1, "command": "keys", "target": "s3"}"#,
        r#"{"id": 2, "command": "simulate", "custom": {"action_names": ["s3:GetObject"], "resource_arns": ["arn:aws:s3:::b/k"]}}"#,
        r#"{"id": 3, "command": "simulat"}"#,
    ];
    let out = run(&["api"], Some(&(calls.join("\n") + "\n")));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    for (i, line) in lines.iter().enumerate() {
        let v = json(line);
        validate("api-response.schema.json", &v, "api response");
        assert_eq!(v["id"], i + 1);
    }
    validate(
        "simulate.schema.json",
        &json(lines[1])["ok"],
        "api simulate result",
    );
    assert!(json(lines[2])["errors"][0]["help"]
        .as_str()
        .is_some_and(|h| h.contains("did you mean")));
    let schema = json(&run(&["api", "--schema"], None));
    assert_eq!(
        schema["$id"],
        "https://verdict.dev/schemas/api-call.schema.json"
    );
}

#[test]
fn the_schemas_reject_what_breaks_the_contract() {
    let path = root().join("docs/schemas/simulate.schema.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("schema")).expect("json");
    let v = jsonschema::validator_for(&schema).expect("valid schema");
    let mut doc = json(&run(
        &[
            "simulate",
            "--format",
            "json",
            "examples/permissions-boundary.json",
        ],
        None,
    ));
    assert!(v.is_valid(&doc));
    if let Some(o) = doc.as_object_mut() {
        o.insert("decision".into(), "maybe".into());
    }
    assert!(!v.is_valid(&doc), "an unknown decision is rejected");
    if let Some(o) = doc.as_object_mut() {
        o.remove("decision");
    }
    assert!(!v.is_valid(&doc), "a missing decision is rejected");
}
