//! Property: the fast path (`decide`) and the traced path (`evaluate`) always agree
//! (issue 2, "Result and trace"). Scenarios are generated across every layer, principal
//! form and condition family.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice
)]

use proptest::prelude::*;
use serde_json::{json, Value};
use verdict_eval::{decide_with_message, evaluate, scenario_from_json};
use verdict_policy::SourceFile;

const A: &str = "111122223333";
const B: &str = "444455556666";

fn principal() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(format!("arn:aws:iam::{A}:user/alice")),
        Just(format!("arn:aws:iam::{B}:user/bob")),
        Just(format!("arn:aws:sts::{A}:assumed-role/app/s1")),
        Just(format!("arn:aws:sts::{B}:assumed-role/app/s2")),
        Just(format!("arn:aws:sts::{A}:federated-user/alice")),
        Just(format!("arn:aws:iam::{A}:root")),
        Just("cloudtrail.amazonaws.com".to_string()),
        Just("anonymous".to_string()),
    ]
}

fn action() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        Just("s3:GetObject"),
        Just("s3:ListBucket"),
        Just("kms:Decrypt"),
        Just("sts:AssumeRole"),
        Just("ec2:RunInstances"),
        Just("execute-api:Invoke")
    ]
}

fn resource_for(action: &str, pick: u8) -> String {
    match action {
        "s3:GetObject" => {
            if pick.is_multiple_of(2) {
                "arn:aws:s3:::b/k".into()
            } else {
                "arn:aws:s3:::logs/x".into()
            }
        }
        "s3:ListBucket" => "arn:aws:s3:::b".into(),
        "kms:Decrypt" => format!(
            "arn:aws:kms:us-east-1:{}:key/k1",
            if pick.is_multiple_of(2) { A } else { B }
        ),
        "sts:AssumeRole" => format!(
            "arn:aws:iam::{}:role/r",
            if pick.is_multiple_of(2) { A } else { B }
        ),
        "execute-api:Invoke" => format!("arn:aws:execute-api:us-east-1:{A}:api1/prod/GET/pets"),
        _ => "*".into(),
    }
}

fn condition() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        Just(None),
        Just(Some(
            json!({"StringEquals": {"aws:PrincipalTag/team": "blue"}})
        )),
        Just(Some(
            json!({"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-x"}})
        )),
        Just(Some(
            json!({"Bool": {"aws:MultiFactorAuthPresent": "false"}})
        )),
        Just(Some(
            json!({"BoolIfExists": {"aws:MultiFactorAuthPresent": false}})
        )),
        Just(Some(
            json!({"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]}})
        )),
        Just(Some(
            json!({"NotIpAddress": {"aws:SourceIp": "198.51.100.0/24"}})
        )),
        Just(Some(
            json!({"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]}})
        )),
        Just(Some(
            json!({"ForAnyValue:StringNotLike": {"aws:TagKeys": "a*"}})
        )),
        Just(Some(
            json!({"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}})
        )),
        Just(Some(
            json!({"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}})
        )),
        Just(Some(
            json!({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/app*"}})
        )),
        Just(Some(json!({"Null": {"aws:SourceVpc": "true"}}))),
        Just(Some(
            json!({"StringLike": {"s3:prefix": "${aws:username}/*"}})
        )),
        // Conditions that rest on unconfirmed points (§10): U6, U12, U10, U7, U1, U13.
        Just(Some(json!({"StringNotEquals": {"aws:TagKeys": "a"}}))),
        Just(Some(
            json!({"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}, "NumericNotEquals": {"aws:PrincipalTag/team": "3"}})
        )),
        Just(Some(
            json!({"Bool": {"aws:MultiFactorAuthPresent": "FALSE"}})
        )),
        Just(Some(
            json!({"ForAnyValue:StringEqualsIfExists": {"aws:RequestTag/env": "prod"}})
        )),
        Just(Some(
            json!({"StringEquals": {"aws:PrincipalType": "AssumedRole"}})
        )),
        Just(Some(json!({"Null": {"aws:PrincipalTag/cost": "true"}}))),
    ]
}

fn statement(with_principal: bool) -> impl Strategy<Value = Value> {
    (any::<bool>(), 0u8..6, 0u8..6, condition(), 0u8..7, any::<bool>()).prop_map(move |(allow, a, r, cond, p, not_action)| {
        let actions = ["*", "s3:*", "s3:Get*", "kms:*", "sts:AssumeRole", "execute-api:Invoke"];
        let resources = ["*", "arn:aws:s3:::b/*", "arn:aws:s3:::b", "arn:aws:kms:*:*:key/*", "arn:aws:iam::*:role/r", "arn:aws:s3:*"];
        let mut s = json!({"Effect": if allow { "Allow" } else { "Deny" }, "Resource": resources[r as usize]});
        s[if not_action && !allow { "NotAction" } else { "Action" }] = json!(actions[a as usize]);
        if let Some(c) = cond {
            s["Condition"] = c;
        }
        if with_principal {
            let ps = [json!("*"), json!({"AWS": A}), json!({"AWS": format!("arn:aws:iam::{A}:role/app")}), json!({"AWS": format!("arn:aws:sts::{A}:assumed-role/app/s1")}), json!({"AWS": format!("arn:aws:iam::{A}:user/alice")}), json!({"Service": "cloudtrail.amazonaws.com"}), json!({"AWS": "*"})];
            s["Principal"] = ps[p as usize].clone();
        }
        s
    })
}

fn policy(with_principal: bool) -> impl Strategy<Value = Value> {
    prop::collection::vec(statement(with_principal), 1..4)
        .prop_map(|st| json!({"Version": "2012-10-17", "Statement": st}))
}

fn scenario() -> impl Strategy<Value = Value> {
    (
        principal(),
        action(),
        any::<u8>(),
        prop::collection::vec(policy(false), 0..3),
        prop::option::of(policy(true)),
        prop::option::of(policy(false)),
        prop::option::of(prop::collection::vec(prop::collection::vec(policy(false), 1..2), 1..3)),
        prop::option::of(policy(false)),
        (any::<bool>(), any::<bool>(), 0u8..5),
    )
        .prop_map(|(p, a, pick, identity, resource, boundary, scps, session, (mfa, tags, apigw))| {
            let mut ctx = json!({"aws:SourceIp": "203.0.113.9", "aws:CurrentTime": "2024-05-01T00:00:00Z"});
            if mfa {
                ctx["aws:MultiFactorAuthPresent"] = json!(false);
                ctx["aws:MultiFactorAuthAge"] = json!(100);
            }
            if tags {
                ctx["aws:TagKeys"] = json!(["a", "c"]);
                ctx["aws:PrincipalTag/team"] = json!("blue");
                ctx["aws:PrincipalTag/cost"] = json!("");
            }
            let mut s = json!({
                "request": {"principal": p, "action": a, "resource": resource_for(a, pick), "context": ctx},
                "policies": {"identity": identity},
            });
            // Sometimes several resources (T92): both paths must aggregate alike.
            if pick % 7 == 0 {
                s["request"]["resources"] = json!([resource_for(a, pick.wrapping_add(1))]);
            }
            if let Some(r) = resource {
                s["policies"]["resource"] = r;
            }
            if let Some(b) = boundary {
                s["policies"]["permissions_boundary"] = b;
            }
            if let Some(l) = scps {
                s["policies"]["scps"] = json!(l);
            }
            if let Some(sp) = session {
                s["policies"]["session"] = json!([sp]);
            }
            if a == "execute-api:Invoke" && apigw < 4 {
                let t = ["NONE", "AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS"][apigw as usize];
                s["apigateway"] = json!({"authorization_type": t});
            }
            s
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn fast_and_traced_paths_agree(v in scenario()) {
        let src = SourceFile::new("generated.json", serde_json::to_string_pretty(&v).unwrap());
        let tree = verdict_policy::json::parse(&src).unwrap();
        // A generated policy can be invalid for its layer; such inputs are rejected
        // (proptest fails the test if more than 1,024 of them are).
        let loaded = scenario_from_json(&tree, &src);
        prop_assume!(loaded.is_ok());
        let Ok(s) = loaded else { return Ok(()); };
        let fast = decide_with_message(&s);
        let traced = evaluate(&s);
        prop_assert_eq!(fast.decision, traced.decision, "decision differs for {}", src.text());
        prop_assert_eq!(fast.denied_by, traced.denied_by, "denied_by differs for {}", src.text());
        // §10.1: both paths carry the same unconfirmed points.
        prop_assert_eq!(&fast.uncertain, &traced.uncertain, "uncertain differs for {}", src.text());
    }
}

/// Regression found by the `evaluate` fuzz target: with several resources the fast path
/// judged only the first one.
#[test]
fn several_resources_aggregate_on_both_paths() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../conformance");
    let files =
        verdict_eval::testing::collect_files(&[std::path::PathBuf::from(path)]).expect("corpus");
    let mut checked = 0;
    for f in files {
        let text = std::fs::read_to_string(&f).expect("readable");
        let Ok(s) = verdict_eval::load_scenario(&SourceFile::new("s", text), false) else {
            continue;
        };
        let (fast, traced) = (decide_with_message(&s), evaluate(&s));
        assert_eq!(
            (fast.decision, fast.denied_by, &fast.uncertain),
            (traced.decision, traced.denied_by, &traced.uncertain),
            "{}",
            f.display()
        );
        checked += 1;
    }
    assert!(checked > 400);
}
