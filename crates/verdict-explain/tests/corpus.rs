//! The message corpus (`tests/corpus/messages.json`): AccessDenied messages as users
//! paste them, inside CLI output, SDK exceptions, Terraform boxes, JSON and XML bodies,
//! logs, quoted replies and escaped text, each with what a careful reader extracts.
//! Every field must come out exactly, inferred fields marked as inferred, and nothing
//! from a trailer in any field (issue 9).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice
)]

use serde_json::Value;
use verdict_explain::message::{find_messages, DenyKind, ParsedMessage, ResourceForm};

fn corpus() -> Vec<Value> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus/messages.json");
    let text = std::fs::read_to_string(path).expect("corpus readable");
    serde_json::from_str(&text).expect("corpus is JSON")
}

fn s(v: &Value, k: &str) -> Option<String> {
    v.get(k).and_then(Value::as_str).map(str::to_string)
}

fn form(m: &ParsedMessage) -> &'static str {
    match m.resource_form {
        ResourceForm::Arn(_) => "arn",
        ResourceForm::Quoted(_) => "quoted",
        ResourceForm::NotArn(_) => "not_arn",
        ResourceForm::ThisResource => "this_resource",
        ResourceForm::Absent => "absent",
    }
}

fn deny(k: DenyKind) -> &'static str {
    match k {
        DenyKind::Explicit => "explicit",
        DenyKind::Implicit => "implicit",
        DenyKind::ExplicitOrImplicit => "explicit_or_implicit",
        DenyKind::Unspecified => "unspecified",
    }
}

/// Every difference between what was read and what the corpus expects.
pub fn check(case: &Value) -> Vec<String> {
    let text = case["text"].as_str().unwrap_or("");
    let x = &case["expect"];
    let found = find_messages(text);
    let mut d = Vec::new();
    let want_n = x["messages"].as_u64().unwrap_or(1) as usize;
    if found.len() != want_n {
        d.push(format!(
            "messages: expected {want_n}, found {}",
            found.len()
        ));
    }
    let Some(m) = found.first() else {
        return d;
    };
    let mut eq = |field: &str, got: Option<String>| {
        let want = s(x, field);
        if want != got {
            d.push(format!("{field}: expected {want:?}, got {got:?}"));
        }
    };
    eq("error_code", m.error_code.clone());
    eq("operation", m.operation.clone());
    eq("principal", m.principal.clone());
    eq("action", m.action.clone());
    eq("resource", m.resource().map(str::to_string));
    eq("resource_form", Some(form(m).to_string()));
    eq("deny", Some(deny(m.kind).to_string()));
    eq(
        "layer",
        m.layer
            .map(|l| {
                serde_json::to_value(l)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
            })
            .unwrap_or(None),
    );
    eq("policy_arn", m.policy_arn.clone());
    eq("inferred_action", m.inferred_action.clone());
    eq("inferred_resource", m.inferred_resource.clone());
    if x["masked_principal"].as_bool() != Some(m.masked_principal) {
        d.push(format!(
            "masked_principal: expected {}, got {}",
            x["masked_principal"], m.masked_principal
        ));
    }
    if x["encoded_message"].as_bool() != Some(m.encoded_message.is_some()) {
        d.push(format!(
            "encoded_message: expected {}, got {}",
            x["encoded_message"],
            m.encoded_message.is_some()
        ));
    }
    d
}

#[test]
fn every_corpus_message_is_read_exactly() {
    let cases = corpus();
    assert!(cases.len() >= 150, "corpus has {} cases", cases.len());
    let mut failures = Vec::new();
    for c in &cases {
        let d = check(c);
        if !d.is_empty() {
            failures.push(format!(
                "{} [{} / {}]\n    {}",
                c["id"],
                c["form"],
                c["wrapper"],
                d.join("\n    ")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} corpus cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// With nothing but AWS's own words, Verdict never claims to disagree with AWS, never
/// proposes a change outside the layer AWS named, never a wildcard, and never fails:
/// every paste in the corpus gets an answer (issue 9).
#[test]
fn message_only_explanations_say_only_what_is_known() {
    use verdict_explain::diagnose::AgreementStatus;
    use verdict_explain::{explain, Inputs, Report};
    let mut failures = Vec::new();
    let wildcard = |v: &Value, action: &str| {
        let star = |k: &str| match v.get(k) {
            Some(Value::String(s)) => s == "*",
            Some(Value::Array(a)) => a.iter().any(|x| x.as_str() == Some("*")),
            _ => false,
        };
        let only_star = verdict_catalog::catalog()
            .action(action)
            .is_some_and(|a| a.only_supports_star());
        star("Action") || (star("Resource") && !only_star)
    };
    for c in corpus() {
        let id = c["id"].as_str().unwrap_or("?").to_string();
        let inputs = Inputs {
            message: c["text"].as_str().map(str::to_string),
            ..Default::default()
        };
        let reports = match explain(&inputs) {
            Ok(r) => r,
            Err(d) => {
                failures.push(format!(
                    "{id}: rejected: {}",
                    d.iter()
                        .map(|x| x.message.clone())
                        .collect::<Vec<_>>()
                        .join("; ")
                ));
                continue;
            }
        };
        for r in &reports {
            let Report::Full(x) = r else { continue };
            if x.agreement.status == AgreementStatus::Disagrees {
                failures.push(format!(
                    "{id}: claims to disagree with AWS: {:?}",
                    x.agreement.points
                ));
            }
            let named = x.reported.as_ref().and_then(|m| m.layer).map(|l| l.layer());
            for f in &x.fixes {
                if Some(f.layer) != named {
                    failures.push(format!(
                        "{id}: fix {} in {:?}, AWS named {named:?}",
                        f.title, f.layer
                    ));
                }
                if f.statement
                    .as_ref()
                    .is_some_and(|s| wildcard(s, &x.request.action))
                {
                    failures.push(format!("{id}: wildcard fix {}", f.title));
                }
            }
            for s in &x.suggestions {
                if Some(s.layer) != named {
                    failures.push(format!(
                        "{id}: suggestion {} in {:?}, AWS named {named:?}",
                        s.title, s.layer
                    ));
                }
                if s.statement
                    .as_ref()
                    .is_some_and(|st| wildcard(st, &x.request.action))
                {
                    failures.push(format!("{id}: wildcard suggestion {}", s.title));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
