//! Policy comparison (`verdict diff`, issue 13) on the pairs of `conformance/diff/`, each
//! with its known relation and citing the rule that makes the difference. For every
//! pair: the relation; each listed action really is new (or removed) access, asked on
//! its own; every counterexample is a request the concrete engine decides differently;
//! and the relation holds on requests sampled from both policies' own patterns.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice
)]

use std::path::PathBuf;
use verdict_eval::compare::{diff, DiffOptions, Relation, CALLER_ACCOUNT};
use verdict_eval::{decide, scenario_from_json, Decision};
use verdict_policy::{PolicyType, SourceFile};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn allows(doc: &serde_json::Value, action: &str, resource: &str, ctx: &serde_json::Value) -> bool {
    allows_as(doc, None, action, resource, ctx)
}

/// As [`allows`]; with `principal`, `doc` is the resource's policy and that caller asks
/// (a caller from another account gets an identity policy that allows everything).
fn allows_as(
    doc: &serde_json::Value,
    principal: Option<&str>,
    action: &str,
    resource: &str,
    ctx: &serde_json::Value,
) -> bool {
    // `null` in an example's context is "absent".
    let ctx: serde_json::Map<String, serde_json::Value> = ctx
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default();
    let caller = principal.map_or_else(
        || format!("arn:aws:iam::{CALLER_ACCOUNT}:user/verdict-diff"),
        str::to_string,
    );
    let policies = match principal {
        None => serde_json::json!({"identity": [doc]}),
        Some(p) => {
            let foreign = verdict_policy::arn::Arn::parse(p)
                .is_some_and(|a| !a.account.is_empty() && a.account != CALLER_ACCOUNT);
            if foreign {
                serde_json::json!({"resource": doc, "identity": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}]})
            } else {
                serde_json::json!({"resource": doc})
            }
        }
    };
    let mut top = serde_json::json!({
        "request": {"principal": caller, "action": action, "resource": resource, "context": ctx},
        "policies": policies,
    });
    if verdict_policy::arn::Arn::parse(resource).is_none_or(|a| a.account.is_empty()) {
        top["resource_account"] = serde_json::Value::String(CALLER_ACCOUNT.into());
    }
    let src = SourceFile::new("sample", top.to_string());
    let tree = verdict_policy::json::parse(&src).unwrap();
    let s = scenario_from_json(&tree, &src).unwrap();
    decide(&s).decision == Decision::Allow
}

fn strings(v: &serde_json::Value) -> Vec<String> {
    match v {
        serde_json::Value::String(s) => vec![s.clone()],
        serde_json::Value::Array(a) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

/// Requests built from both policies' own patterns.
fn samples(
    old: &serde_json::Value,
    new: &serde_json::Value,
) -> Vec<(String, String, serde_json::Value)> {
    let cat = verdict_catalog::catalog();
    let mut actions: Vec<String> = Vec::new();
    let mut resources = vec!["*".to_string()];
    let mut keys: Vec<(String, Vec<serde_json::Value>)> = Vec::new();
    for doc in [old, new] {
        for st in doc["Statement"].as_array().unwrap() {
            for a in strings(&st["Action"])
                .iter()
                .chain(strings(&st["NotAction"]).iter())
            {
                for m in cat.expand(a).into_iter().take(6) {
                    actions.push(format!("{}:{}", m.service().prefix(), m.name()));
                }
            }
            for r in strings(&st["Resource"])
                .iter()
                .chain(strings(&st["NotResource"]).iter())
            {
                for fill in ["example", "secret/x", "a"] {
                    resources.push(r.replace('*', fill).replace('?', "x"));
                }
            }
            if let Some(c) = st["Condition"].as_object() {
                for (_, kv) in c {
                    for (k, v) in kv.as_object().unwrap() {
                        let mut vals: Vec<serde_json::Value> = strings(v)
                            .into_iter()
                            .map(|x| {
                                serde_json::Value::String(
                                    x.replace('*', "x")
                                        .replace("/8", "")
                                        .replace("/16", "")
                                        .replace("/9", ""),
                                )
                            })
                            .collect();
                        // The comparison ranges over values of the key's own type.
                        let typed = verdict_catalog::catalog()
                            .key_type("s3:GetObject", k)
                            .is_some_and(|t| t != verdict_catalog::KeyType::STRING);
                        if !typed {
                            vals.push(serde_json::Value::String("other".into()));
                        }
                        keys.push((k.clone(), vals));
                    }
                }
            }
        }
    }
    resources.retain(|r| r == "*" || r.starts_with("arn:") && r.split(':').count() >= 6);
    actions.extend([
        "sqs:SendMessage".to_string(),
        "ec2:StopInstances".to_string(),
        "s3:PutObject".to_string(),
    ]);
    actions.sort();
    actions.dedup();
    resources.push("arn:aws:s3:::bkt/example".into());
    resources.push(format!("arn:aws:sqs:us-east-1:{CALLER_ACCOUNT}:q"));
    let mut out = Vec::new();
    for a in &actions {
        for r in &resources {
            // Context: every key absent, then each key at each of its values.
            out.push((a.clone(), r.clone(), serde_json::json!({})));
            for (k, vals) in &keys {
                for v in vals {
                    out.push((a.clone(), r.clone(), serde_json::json!({ k.as_str(): v })));
                }
            }
        }
    }
    out
}

#[test]
fn diff_pairs_have_their_known_relations() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("conformance/diff"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 50, "{}", files.len());
    let mut failures = Vec::new();
    let (mut sampled, mut pairs) = (0usize, 0usize);
    for f in &files {
        let case: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        assert!(
            case["rule"].as_str().is_some_and(|r| !r.is_empty()),
            "{name}: no rule"
        );
        let ty = PolicyType::from_name(case["policy_type"].as_str().unwrap_or("identity")).unwrap();
        let (old, new) = (&case["old"], &case["new"]);
        let opts = DiffOptions {
            policy_type: ty,
            actions: None,
            resources: None,
            callers: None,
        };
        let d = diff(old, new, &opts).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        pairs += 1;
        let want = case["expect"]["relation"].as_str().unwrap();
        if d.relation.as_str() != want {
            failures.push(format!(
                "{name}: expected {want}, got {} ({:?})",
                d.relation.as_str(),
                d.unknown_reasons
            ));
        }
        // Counterexamples are real.
        let identity_like = matches!(
            ty,
            PolicyType::Identity | PolicyType::Boundary | PolicyType::Session | PolicyType::Scp
        );
        {
            for (list, new_side) in [(&d.new_access, true), (&d.removed_access, false)] {
                for a in list {
                    let e = &a.example;
                    let check = |doc: &serde_json::Value| {
                        let s = verdict_eval::compare::example_scenario(
                            doc,
                            ty,
                            &e.principal,
                            &e.action,
                            &e.resource,
                            &e.context,
                        )
                        .unwrap();
                        decide(&s).decision == Decision::Allow
                    };
                    let (o, n) = (check(old), check(new));
                    let shows = if new_side { n && !o } else { o && !n };
                    if !shows {
                        failures.push(format!(
                            "{name}: example {} on {} does not show the difference",
                            e.action, e.resource
                        ));
                    }
                }
            }
        }
        // Listed actions, asked on their own.
        for (field, new_side) in [
            ("new_access_includes", true),
            ("removed_access_includes", false),
        ] {
            for a in case["expect"][field].as_array().into_iter().flatten() {
                let a = a.as_str().unwrap();
                let one = DiffOptions {
                    policy_type: ty,
                    actions: Some(vec![a.to_string()]),
                    resources: None,
                    callers: None,
                };
                let d1 = diff(old, new, &one).unwrap();
                let list = if new_side {
                    &d1.new_access
                } else {
                    &d1.removed_access
                };
                if list.is_empty() {
                    failures.push(format!("{name}: {a} is not in {field}"));
                }
            }
        }
        // The relation on sampled requests.
        if identity_like && d.relation != Relation::Unknown {
            for (a, r, c) in samples(old, new) {
                // The comparison ranges over resources of the action's own types.
                let fits = verdict_catalog::catalog().action(&a).is_none_or(|x| {
                    if r == "*" {
                        x.only_supports_star()
                    } else {
                        x.fits_arn(&r)
                    }
                });
                if !fits {
                    continue;
                }
                let (o, n) = (allows(old, &a, &r, &c), allows(new, &a, &r, &c));
                sampled += 1;
                let bad = match d.relation {
                    Relation::Equivalent => o != n,
                    Relation::MorePermissive => o && !n,
                    Relation::LessPermissive => n && !o,
                    _ => false,
                };
                if bad {
                    failures.push(format!(
                        "{name}: {} but {a} on {r} with {c}: old {o}, new {n}",
                        d.relation.as_str()
                    ));
                    break;
                }
            }
        }
    }
    eprintln!("diff: {pairs} pairs, {sampled} sampled requests");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
