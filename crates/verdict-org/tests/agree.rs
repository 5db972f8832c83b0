//! Every org-wide answer agrees with `verdict simulate` on the cells sampled from it:
//! each cell is written out as a scenario file (`query::scenario_document`), read back by
//! the scenario loader `verdict simulate` uses, and decided on its own.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use serde_json::Value;
use verdict_eval::Decision;
use verdict_org::index::{effective, Indexer, PrincipalIndex, Universe};
use verdict_org::query::{scenario_document, Who};
use verdict_org::Snapshot;

fn simulate(doc: &Value) -> Decision {
    let src = verdict_policy::SourceFile::new("<cell>", serde_json::to_string(doc).unwrap());
    let s = verdict_eval::scenario::load_scenario(&src, false)
        .unwrap_or_else(|e| panic!("scenario does not load: {e:?}\n{doc:#}"));
    verdict_eval::decide(&s).decision
}

fn with_context(mut doc: Value, example: &Value) -> Value {
    let ctx = doc["request"]["context"].as_object_mut().unwrap();
    for (k, v) in example.as_object().unwrap() {
        if v.is_null() {
            ctx.remove(k);
        } else {
            ctx.insert(k.clone(), v.clone());
        }
    }
    doc
}

/// who-can for each pair: every listed caller is allowed (under its example values when
/// conditional) and every other principal of the snapshot is denied.
fn check_who_can(snap: &Snapshot, pairs: &[(&str, &str)]) -> usize {
    let u = Universe::from_catalog();
    let mut ix = Indexer::new(&u);
    let index = PrincipalIndex::build(&mut ix, snap);
    let mut checked = 0;
    for (action, resource) in pairs {
        let w =
            verdict_org::who_can::who_can(snap, &index, &u, action, resource, &Default::default())
                .unwrap();
        for a in &w.access {
            let who = match snap.principal_index(&a.principal) {
                Some(i) => Who::Principal(i),
                None if a.kind == "service" => Who::Service(a.principal.clone()),
                None if a.kind == "root" => {
                    Who::Root(a.principal.split(':').nth(4).unwrap().to_string())
                }
                None if a.kind == "anonymous" => Who::Anonymous,
                None => Who::External(a.principal.clone()),
            };
            let doc = scenario_document(snap, &who, action, resource, Default::default()).unwrap();
            let doc = match &a.allowed_example {
                Some(ex) => with_context(doc, ex),
                None => doc,
            };
            if a.decision != "unknown" {
                assert_eq!(
                    simulate(&doc),
                    Decision::Allow,
                    "{} {action} {resource}: who-can says {}",
                    a.principal,
                    a.decision
                );
            }
            checked += 1;
        }
        for (i, p) in snap.principals.iter().enumerate() {
            if w.access.iter().any(|a| a.principal == p.arn) {
                continue;
            }
            let doc = scenario_document(
                snap,
                &Who::Principal(i),
                action,
                resource,
                Default::default(),
            )
            .unwrap();
            assert_ne!(
                simulate(&doc),
                Decision::Allow,
                "{} {action} {resource}: who-can leaves it out",
                p.arn
            );
            checked += 1;
        }
    }
    checked
}

/// can for each principal: allowed rows hold on their example and (scope all) on another
/// member; action-level `allowed` holds on a resource of the account; actions in neither
/// set are denied.
fn check_can(snap: &Snapshot, every: usize) -> usize {
    let u = Universe::from_catalog();
    let mut ix = Indexer::new(&u);
    let mut checked = 0;
    for (pi, p) in snap.principals.iter().enumerate().step_by(every) {
        let who = Who::Principal(pi);
        let c = verdict_org::can::can(snap, &mut ix, pi, &Default::default()).unwrap();
        for r in c.rows.iter().filter(|r| r.decision == "allow") {
            // A few actions of the row: `*` and `svc:*` stand for their first action.
            let sample: Vec<String> = r
                .actions
                .iter()
                .step_by((r.actions.len() / 25).max(1))
                .map(|a| match a.strip_suffix(":*") {
                    _ if a == "*" => u.name(0).to_string(),
                    Some(svc) => {
                        let range = u.service_range(&svc.to_ascii_lowercase()).unwrap();
                        u.name(range.start).to_string()
                    }
                    None => a.clone(),
                })
                .collect();
            for action in sample {
                // A `*` row holds on every resource of its actions' own types.
                let resource = if r.resource == "*" {
                    let f = verdict_org::can::any_resource(&action, &p.account);
                    if f == "*" {
                        f
                    } else {
                        verdict_eval::resource_set::instance(&f, "cell-example", "x")
                    }
                } else {
                    r.example.clone()
                };
                let doc =
                    scenario_document(snap, &who, &action, &resource, Default::default()).unwrap();
                assert_eq!(
                    simulate(&doc),
                    Decision::Allow,
                    "{} {action} {resource}: can says allow",
                    p.arn
                );
                checked += 1;
                if r.scope == "all" && r.resource.contains('*') && r.resource != "*" {
                    let other = verdict_eval::resource_set::instance(&r.resource, "zz9-other", "q");
                    let doc =
                        scenario_document(snap, &who, &action, &other, Default::default()).unwrap();
                    assert_eq!(
                        simulate(&doc),
                        Decision::Allow,
                        "{} {action} {other}: can says every resource of {}",
                        p.arn,
                        r.resource
                    );
                    checked += 1;
                }
            }
        }
        let e = effective(&mut ix, snap, p);
        // A sample of every service's allowed actions, and every trust companion.
        let trust: Vec<usize> = [
            "sts:TagSession",
            "sts:SetSourceIdentity",
            "sts:SetContext",
            "sts:AssumeRole",
            "kms:Decrypt",
        ]
        .iter()
        .filter_map(|a| u.id(a))
        .collect();
        for t in &trust {
            assert!(
                !e.allowed.get(*t),
                "{}: {} is decided by a resource's own policy, never allowed on identity alone",
                p.arn,
                u.name(*t)
            );
        }
        for a in e.allowed.iter().step_by(97).take(40) {
            let action = u.name(a);
            let res = verdict_org::can::any_resource(action, &p.account);
            let res = if res == "*" {
                res
            } else {
                verdict_eval::resource_set::instance(&res, "cell-example", "x")
            };
            let doc = scenario_document(snap, &who, action, &res, Default::default()).unwrap();
            assert_eq!(
                simulate(&doc),
                Decision::Allow,
                "{} {action} {res}: action level says allowed",
                p.arn
            );
            checked += 1;
        }
        let mut neither = e.allowed.clone();
        neither.or(&e.possible);
        let denied: Vec<usize> = (0..u.len())
            .filter(|i| !neither.get(*i))
            .step_by(211)
            .take(40)
            .collect();
        for a in denied {
            let action = u.name(a);
            let res = verdict_org::can::any_resource(action, &p.account);
            let res = if res == "*" {
                res
            } else {
                verdict_eval::resource_set::instance(&res, "cell-example", "x")
            };
            let doc = scenario_document(snap, &who, action, &res, Default::default()).unwrap();
            assert_ne!(
                simulate(&doc),
                Decision::Allow,
                "{} {action} {res}: action level says impossible",
                p.arn
            );
            checked += 1;
        }
    }
    checked
}

#[test]
fn who_can_agrees_with_simulate_on_the_example_snapshot() {
    let snap = common::example();
    assert!(snap.problems.is_empty(), "{:?}", snap.problems);
    let n = check_who_can(
        &snap,
        &[
            (
                "s3:GetObject",
                "arn:aws:s3:::example-reports-111122223333/2025/q1.csv",
            ),
            (
                "s3:GetObject",
                "arn:aws:s3:::example-reports-111122223333/2026/q1.csv",
            ),
            ("s3:ListBucket", "arn:aws:s3:::example-reports-111122223333"),
            (
                "iam:PassRole",
                "arn:aws:iam::444455556666:role/lambda-admin",
            ),
            ("sts:AssumeRole", "arn:aws:iam::444455556666:role/ci-runner"),
            (
                "sts:AssumeRole",
                "arn:aws:iam::111122223333:role/service/DataPipeline",
            ),
            (
                "lambda:CreateFunction",
                "arn:aws:lambda:us-east-1:444455556666:function:x",
            ),
            (
                "iam:CreateAccessKey",
                "arn:aws:iam::444455556666:user/ops-admin",
            ),
            (
                "secretsmanager:GetSecretValue",
                "arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/warehouse/db-AbCdEf",
            ),
            (
                "ec2:RunInstances",
                "arn:aws:ec2:eu-west-1:444455556666:instance/i-0abc",
            ),
        ],
    );
    eprintln!("who-can, example snapshot: {n} cells agree");
    assert!(n > 100, "{n} cells");
}

#[test]
fn who_can_agrees_with_simulate_on_a_generated_organization() {
    let snap = common::synthetic();
    assert!(snap.problems.is_empty(), "{:?}", snap.problems);
    let a0 = verdict_org::synth::synthetic_account(0);
    let a1 = verdict_org::synth::synthetic_account(1);
    let n = check_who_can(
        &snap,
        &[
            (
                "s3:GetObject",
                &format!("arn:aws:s3:::data-{a0}-0/report.csv"),
            ),
            ("s3:ListBucket", &format!("arn:aws:s3:::data-{a0}-0")),
            (
                "dynamodb:GetItem",
                &format!("arn:aws:dynamodb:us-east-1:{a1}:table/app-1"),
            ),
            (
                "sqs:SendMessage",
                &format!("arn:aws:sqs:eu-west-1:{a1}:queue-3"),
            ),
            (
                "iam:PassRole",
                &format!("arn:aws:iam::{a1}:role/app-runner"),
            ),
            (
                "lambda:InvokeFunction",
                &format!("arn:aws:lambda:us-west-2:{a0}:function:svc-billing"),
            ),
        ],
    );
    eprintln!("who-can, generated organization: {n} cells agree");
    assert!(n > 1000, "{n} cells");
}

#[test]
fn can_agrees_with_simulate_on_the_example_snapshot() {
    let snap = common::example();
    let n = check_can(&snap, 1);
    eprintln!("can, example snapshot: {n} cells agree");
    assert!(n > 50, "{n} cells");
}

#[test]
fn can_agrees_with_simulate_on_a_generated_organization() {
    let snap = common::synthetic();
    let n = check_can(&snap, 9);
    eprintln!("can, generated organization: {n} cells agree");
    assert!(n > 300, "{n} cells");
}

#[test]
fn a_service_wildcard_is_split_where_service_rules_differ() {
    // `sts:*` on `*`: GetCallerIdentity is allowed by identity alone, but AssumeRole and
    // its companions on a role need the role's trust policy; one decision must not stand
    // for both (a false allow found by this suite).
    let gaad = serde_json::json!({
        "UserDetailList": [{"Path": "/", "UserName": "u", "UserId": "AIDAU00000000001", "Arn": "arn:aws:iam::111122223333:user/u", "GroupList": [], "AttachedManagedPolicies": [], "Tags": [],
            "UserPolicyList": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:*", "Resource": "*"}]}}]}],
        "RoleDetailList": [], "GroupDetailList": [], "Policies": [],
    });
    let snap = common::load(vec![(
        "accounts/111122223333/authorization-details.json".into(),
        gaad.to_string(),
    )]);
    let u = Universe::from_catalog();
    let mut ix = Indexer::new(&u);
    let c = verdict_org::can::can(&snap, &mut ix, 0, &Default::default()).unwrap();
    for r in c.rows.iter().filter(|r| r.decision == "allow") {
        for a in &r.actions {
            assert!(
                ![
                    "sts:AssumeRole",
                    "sts:TagSession",
                    "sts:SetSourceIdentity",
                    "sts:SetContext",
                    "sts:*",
                    "*"
                ]
                .contains(&a.as_str())
                    || r.resource != "*",
                "{a} on {} is reported allowed: {:?}",
                r.resource,
                r
            );
        }
    }
    assert!(c
        .rows
        .iter()
        .any(|r| r.decision == "allow" && r.actions.iter().any(|a| a == "sts:GetCallerIdentity")));
}
