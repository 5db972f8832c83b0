//! The facade: every command answers through one call shape, every call and response
//! validates against its committed schema, the result inside `ok` against the
//! command's own schema, and bad calls come back as positioned errors.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice
)]

use serde_json::{json, Value};
use std::path::PathBuf;
use verdict_api::{handle_json, Outcome};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn doc(path: &str) -> Value {
    let text = std::fs::read_to_string(root().join(path)).unwrap();
    json!({"name": path, "text": text})
}

fn schema(name: &str) -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("docs/schemas").join(name)).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    jsonschema::validator_for(&v).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn assert_valid(v: &jsonschema::Validator, doc: &Value, what: &str) {
    let errors: Vec<String> = v
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}: {errors:#?}\n{doc:#}");
}

/// Answer `call`, check the call and the response against their schemas, and return
/// the response as JSON.
fn answer(call: &Value) -> Value {
    assert_valid(&schema("api-call.schema.json"), call, "call");
    let r = handle_json(&call.to_string());
    let v = serde_json::to_value(&r).unwrap();
    assert_valid(&schema("api-response.schema.json"), &v, "response");
    v
}

fn ok(call: Value, result_schema: &str) -> Value {
    let v = answer(&call);
    let result = v
        .get("ok")
        .unwrap_or_else(|| panic!("{}: not ok: {v:#}", call["command"]))
        .clone();
    let validator = schema(result_schema);
    match &result {
        Value::Array(items) => {
            for i in items {
                assert_valid(&validator, i, result_schema);
            }
        }
        one => assert_valid(&validator, one, result_schema),
    }
    result
}

fn errors(call: &str) -> Vec<Value> {
    let r = handle_json(call);
    let v = serde_json::to_value(&r).unwrap();
    assert_valid(&schema("api-response.schema.json"), &v, "response");
    match r.outcome {
        Outcome::Errors(_) => v["errors"].as_array().unwrap().clone(),
        Outcome::Ok(_) => panic!("{call}: answered, but errors were expected"),
    }
}

const POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}"#;

#[test]
fn every_command_answers_with_its_documented_shape() {
    let r = ok(
        json!({"command": "simulate", "document": doc("examples/permissions-boundary.json")}),
        "simulate.schema.json",
    );
    assert!(r["decision"].is_string());
    let inline: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("examples/scp-region-lock.json")).unwrap(),
    )
    .unwrap();
    ok(
        json!({"command": "simulate", "scenario": inline}),
        "simulate.schema.json",
    );
    let several = ok(
        json!({"command": "simulate", "custom": {
            "action_names": ["s3:GetObject", "s3:PutObject"],
            "resource_arns": ["arn:aws:s3:::b/k"],
            "policy_input_list": [POLICY],
            "context_entries": ["aws:SourceIp=10.1.2.3"],
        }}),
        "simulate.schema.json",
    );
    let decisions: Vec<&str> = several
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["decision"].as_str().unwrap())
        .collect();
    assert_eq!(decisions, ["allow", "implicit_deny"]);
    ok(
        json!({"command": "simulate", "custom": {
            "action_names": ["s3:GetObject"],
            "resource_arns": ["arn:aws:s3:::b/k"],
            "policy_input_list": [{"name": "p.json", "text": POLICY}],
            "unknown_context": ["aws:SourceIp"],
        }}),
        "simulate-residual.schema.json",
    );
    ok(
        json!({"command": "simulate", "discover": true, "custom": {
            "action_names": ["s3:GetObject"],
            "resource_arns": ["arn:aws:s3:::b/k"],
            "policy_input_list": [serde_json::from_str::<Value>(POLICY).unwrap()],
        }}),
        "discover.schema.json",
    );
    let t = ok(
        json!({"command": "test", "documents": [
            doc("examples/permissions-boundary.json"),
            doc("examples/scp-region-lock.json"),
        ]}),
        "test.schema.json",
    );
    assert_eq!(t["summary"]["failed"], 0, "{t:#}");
    assert!(t["summary"]["passed"].as_u64().unwrap() >= 1);
    ok(
        json!({"command": "explain", "message": "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::b/k because no identity-based policy allows the s3:GetObject action"}),
        "explain.schema.json",
    );
    let l = ok(
        json!({"command": "lint", "documents": [{"name": "p.json", "text": POLICY.replace("GetObject", "GetObjekt")}]}),
        "lint.schema.json",
    );
    assert_eq!(l["findings"][0]["code"], "E202", "{l:#}");
    assert_eq!(l["fails"], true);
    ok(
        json!({"command": "actions", "patterns": ["s3:GetObject*"], "level": "read"}),
        "catalog.schema.json",
    );
    ok(
        json!({"command": "action", "name": "kms:Decrypt"}),
        "catalog.schema.json",
    );
    ok(
        json!({"command": "keys", "target": "aws"}),
        "catalog.schema.json",
    );
    ok(
        json!({"command": "keys", "target": "s3"}),
        "catalog.schema.json",
    );
    let wider = POLICY.replace("s3:GetObject", "s3:Get*");
    let d = ok(
        json!({"command": "diff", "old": POLICY, "new": wider}),
        "diff.schema.json",
    );
    assert_eq!(d["relation"], "more_permissive", "{d:#}");
    let c = ok(
        json!({"command": "check", "check": "no-new-access", "base": POLICY, "policy": wider}),
        "diff.schema.json",
    );
    assert_eq!(c["passed"], false);
    let c = ok(
        json!({"command": "check", "check": "access-not-granted", "policy": POLICY, "actions": ["s3:Delete*"]}),
        "diff.schema.json",
    );
    assert_eq!(c["passed"], true, "{c:#}");
    let public = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#;
    let c = ok(
        json!({"command": "check", "check": "no-public-access", "policy": public, "resource_type": "AWS::S3::Bucket"}),
        "diff.schema.json",
    );
    assert_eq!(c["passed"], false, "{c:#}");
}

/// The AWS-CLI-style fields and the equivalent scenario document decide alike: the
/// fields build the scenario directly, with the loader's rules.
#[test]
fn custom_fields_and_documents_decide_alike() {
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":["sts:AssumeRole","sts:TagSession"]}]}"#;
    let cases = [
        (
            json!({"action_names": ["s3:GetObject"], "resource_arns": ["arn:aws:s3:::b/k"],
                   "policy_input_list": [POLICY], "context_entries": ["ContextKeyName=aws:SourceIp,ContextKeyValues=10.9.9.9,ContextKeyType=ip"],
                   "caller_arn": "arn:aws:iam::111122223333:user/alice"}),
            json!({"request": {"principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:GetObject",
                   "resource": "arn:aws:s3:::b/k", "context": {"aws:SourceIp": "10.9.9.9"}},
                   "policies": {"identity": [serde_json::from_str::<Value>(POLICY).unwrap()]}}),
        ),
        (
            json!({"action_names": ["s3:GetObject"], "resource_arns": ["arn:aws:s3:::b/k"],
                   "policy_input_list": [POLICY], "context_entries": ["aws:SourceIp=192.0.2.1"],
                   "resource_owner": "444455556666",
                   "caller_arn": "arn:aws:iam::111122223333:user/alice"}),
            json!({"request": {"principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:GetObject",
                   "resource": "arn:aws:s3:::b/k", "context": {"aws:SourceIp": "192.0.2.1"}},
                   "resource_account": "444455556666",
                   "policies": {"identity": [serde_json::from_str::<Value>(POLICY).unwrap()]}}),
        ),
        (
            // A trust policy without Resource for sts:TagSession (issue 11).
            json!({"action_names": ["sts:TagSession", "sts:AssumeRole"],
                   "resource_arns": ["arn:aws:iam::111122223333:role/r"],
                   "resource_policy": trust,
                   "policy_input_list": [r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:*","Resource":"*"}]}"#],
                   "caller_arn": "arn:aws:iam::111122223333:user/alice"}),
            Value::Null,
        ),
    ];
    for (custom, scenario) in cases {
        let by_fields = ok(
            json!({"command": "simulate", "custom": custom}),
            "simulate.schema.json",
        );
        if scenario.is_null() {
            for r in by_fields.as_array().unwrap() {
                assert_eq!(r["decision"], "allow", "{r:#}");
            }
            continue;
        }
        let by_document = ok(
            json!({"command": "simulate", "scenario": scenario}),
            "simulate.schema.json",
        );
        for field in ["decision", "denied_by"] {
            assert_eq!(by_fields[field], by_document[field], "{field}: {custom}");
        }
        assert_eq!(
            by_fields["deciding_statement"]["index"], by_document["deciding_statement"]["index"],
            "{custom}"
        );
    }
}

#[test]
fn bad_calls_are_positioned_errors_with_a_hint() {
    let e = errors(r#"{"command": "simulat"}"#);
    assert_eq!(e[0]["code"], "invalid-call");
    assert_eq!(e[0]["help"], "did you mean \"simulate\"?");
    assert_eq!(e[0]["line"], 1);

    let e = errors("{\n  \"command\": \"keys\",\n  \"targt\": \"s3\"\n}");
    assert_eq!(e[0]["code"], "invalid-call");
    assert!(e[0]["message"].as_str().unwrap().contains("targt"), "{e:?}");
    assert_eq!(e[0]["help"], "did you mean \"target\"?");

    let e = errors(r#"{"command": "keys", "target": 3}"#);
    assert!(e[0]["message"]
        .as_str()
        .unwrap()
        .contains("expected a string"));

    let e = errors(r#"{"target": "s3"}"#);
    assert!(e[0]["message"].as_str().unwrap().contains("command"));

    let e = errors(r#"{"command": "keys", "target": "s3""#);
    assert_eq!(e[0]["code"], "json-syntax");
    assert_eq!(e[0]["file"], "<call>");

    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let e = errors(&deep);
    assert_eq!(e[0]["code"], "too-deep");

    let e = errors(r#"{"command": "simulate"}"#);
    assert_eq!(e[0]["code"], "invalid-call");
    let e = errors(
        r#"{"command": "simulate", "scenario": {}, "custom": {"action_names": ["s3:GetObject"]}}"#,
    );
    assert!(e[0]["message"].as_str().unwrap().contains("exactly one"));

    let e = errors(r#"{"command": "lint", "documents": []}"#);
    assert!(e[0]["message"].as_str().unwrap().contains("never read"));

    // A scenario error keeps the loader's message, positioned in the call's scenario.
    let e = errors(
        r#"{"command": "simulate", "scenario": {"request": {"principal": "arn:aws:iam::111122223333:user/a", "action": "s3:GetObject", "resourse": "*"}}}"#,
    );
    assert!(e
        .iter()
        .any(|d| d["message"].as_str().unwrap().contains("\"resourse\"")));
    assert!(e.iter().all(|d| d["file"] == "<call>.scenario"));

    let e = errors(
        r#"{"command": "simulate", "custom": {"action_names": ["s3:Get*"], "policy_input_list": []}}"#,
    );
    assert!(e[0]["message"]
        .as_str()
        .unwrap()
        .starts_with("--action-names"));

    let e = errors(
        r#"{"command": "simulate", "custom": {"action_names": ["s3:GetObject"], "context_entries": ["ContextKeyName=aws:SourceIp,ContextKeyValues=nope,ContextKeyType=ip"]}}"#,
    );
    assert_eq!(e[0]["code"], "invalid-context");
}

#[test]
fn ids_are_echoed_even_when_the_call_is_bad() {
    let r = serde_json::to_value(handle_json(
        r#"{"id": "q1", "command": "keys", "target": "aws"}"#,
    ))
    .unwrap();
    assert_eq!(r["id"], "q1");
    let r = serde_json::to_value(handle_json(r#"{"id": 42, "command": "nope"}"#)).unwrap();
    assert_eq!(r["id"], 42);
    assert!(r.get("errors").is_some());
    let r = serde_json::to_value(handle_json(r#"{"command": "keys", "target": "aws"}"#)).unwrap();
    assert!(r.get("id").is_none());
}

#[test]
fn a_byte_order_mark_is_not_part_of_the_call() {
    let r = handle_json("\u{feff}{\"command\": \"keys\", \"target\": \"aws\"}");
    assert!(r.is_ok());
}

#[test]
fn the_embedded_schemas_are_the_committed_ones() {
    for (embedded, file) in [
        (verdict_api::CALL_SCHEMA, "api-call.schema.json"),
        (verdict_api::RESPONSE_SCHEMA, "api-response.schema.json"),
    ] {
        let committed = std::fs::read_to_string(root().join("docs/schemas").join(file)).unwrap();
        assert_eq!(embedded, committed);
        serde_json::from_str::<Value>(embedded).unwrap();
    }
}

/// The example snapshot's files, named by their paths inside it.
fn snapshot_files() -> Vec<Value> {
    fn walk(dir: &std::path::Path, base: &std::path::Path, out: &mut Vec<Value>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, base, out);
            } else {
                let name = p.strip_prefix(base).unwrap().to_string_lossy().into_owned();
                out.push(json!({"name": name, "text": std::fs::read_to_string(&p).unwrap()}));
            }
        }
    }
    let base = root().join("docs/examples/snapshot");
    let mut out = Vec::new();
    walk(&base, &base, &mut out);
    out
}

#[test]
fn organization_questions_answer_from_the_files_handed_in() {
    let snapshot = snapshot_files();
    let w = ok(
        json!({"command": "who-can", "snapshot": snapshot, "action": "s3:GetObject",
               "resource": "arn:aws:s3:::example-reports-111122223333/2025/q1.csv"}),
        "who-can.schema.json",
    );
    assert!(!w["access"].as_array().unwrap().is_empty(), "{w:#}");
    assert_eq!(w["problems"], json!([]), "{w:#}");
    let c = ok(
        json!({"command": "can", "snapshot": snapshot, "principal": "arn:aws:iam::444455556666:user/deploy-bot", "action": "lambda:*"}),
        "can.schema.json",
    );
    assert!(!c["rows"].as_array().unwrap().is_empty(), "{c:#}");
    ok(
        json!({"command": "escalation", "snapshot": snapshot}),
        "escalation.schema.json",
    );
    let e = errors(
        &json!({"command": "can", "snapshot": snapshot, "principal": "arn:aws:iam::111122223333:user/nobody"})
            .to_string(),
    );
    assert!(e[0]["message"]
        .as_str()
        .unwrap()
        .contains("not a user or role"));
}
