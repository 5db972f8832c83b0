//! STS `DecodeAuthorizationMessage` (iam-semantics §7.3): read the decoded message a
//! user got from `aws sts decode-authorization-message`, and write an evaluation in
//! the same shape (T94).

use serde_json::{json, Value};
use verdict_eval::{Caller, Decision, Evaluation, Scenario};

/// Keys the decoder lists that are internal to AWS, not policy condition keys.
const INTERNAL_KEYS: &[&str] = &[
    "aws:service",
    "aws:resource",
    "aws:type",
    "aws:account",
    "aws:arn",
    "aws:region",
];

/// Condition keys that are multivalued even with one value.
const MULTIVALUED: &[&str] = &[
    "aws:tagkeys",
    "aws:calledvia",
    "aws:principalorgpaths",
    "aws:resourceorgpaths",
    "aws:principalservicenameslist",
];

/// What a decoded authorization message says.
#[derive(Clone, Debug, PartialEq)]
pub struct DecodedMessage {
    /// `allowed`.
    pub allowed: bool,
    /// `explicitDeny`.
    pub explicit_deny: bool,
    /// `context.principal.arn`.
    pub principal_arn: Option<String>,
    /// `context.principal.id` (`AIDA…` or `AROA…:session`).
    pub principal_id: Option<String>,
    /// `context.action`.
    pub action: Option<String>,
    /// `context.resource`.
    pub resource: Option<String>,
    /// `context.conditions` as request context (internal keys dropped, `aws:Region`
    /// kept as `aws:RequestedRegion`).
    pub context: Vec<(String, Value)>,
    /// Number of `matchedStatements.items`.
    pub matched_statements: usize,
}

/// Parse `aws sts decode-authorization-message` output (`{"DecodedMessage": "…"}`) or
/// the decoded JSON itself.
pub fn parse_decoded(text: &str) -> Result<DecodedMessage, String> {
    let outer: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let v = match outer.get("DecodedMessage") {
        Some(Value::String(s)) => {
            serde_json::from_str(s).map_err(|e| format!("DecodedMessage is not JSON: {e}"))?
        }
        Some(obj @ Value::Object(_)) => obj.clone(),
        _ => outer,
    };
    let ctx = v
        .get("context")
        .ok_or("no \"context\": expected the output of aws sts decode-authorization-message")?;
    let str_of = |p: &str| v.pointer(p).and_then(Value::as_str).map(str::to_string);
    let mut context: Vec<(String, Value)> = Vec::new();
    let mut region = None;
    for item in ctx
        .pointer("/conditions/items")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(key) = item.get("key").and_then(Value::as_str) else {
            continue;
        };
        let values: Vec<Value> = item
            .pointer("/values/items")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|x| x.get("value").and_then(Value::as_str).map(Value::from))
            .collect();
        let lc = key.to_ascii_lowercase();
        if lc == "aws:region" {
            region = values.first().cloned();
        }
        if INTERNAL_KEYS.contains(&lc.as_str()) {
            continue;
        }
        let value = match values.as_slice() {
            [only] if !MULTIVALUED.contains(&lc.as_str()) => only.clone(),
            _ => Value::Array(values),
        };
        context.push((key.to_string(), value));
    }
    if let Some(r) = region {
        if !context
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("aws:RequestedRegion"))
        {
            context.push(("aws:RequestedRegion".into(), r));
        }
    }
    Ok(DecodedMessage {
        allowed: v.get("allowed").and_then(Value::as_bool).unwrap_or(false),
        explicit_deny: v
            .get("explicitDeny")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        principal_arn: str_of("/context/principal/arn"),
        principal_id: str_of("/context/principal/id"),
        action: str_of("/context/action"),
        resource: str_of("/context/resource"),
        context,
        matched_statements: v
            .pointer("/matchedStatements/items")
            .and_then(Value::as_array)
            .map_or(0, Vec::len),
    })
}

fn items(v: impl IntoIterator<Item = Value>) -> Value {
    json!({ "items": v.into_iter().collect::<Vec<_>>() })
}

fn values(v: &Value) -> Value {
    match v {
        Value::Array(a) => items(a.iter().map(|x| json!({ "value": scalar(x) }))),
        other => items([json!({ "value": scalar(other) })]),
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The evaluation in the shape of a decoded authorization message (T94).
pub fn decoded_view(e: &Evaluation, s: &Scenario) -> Value {
    let mut matched = Vec::new();
    if let Some(d) = &e.deciding_statement {
        let np = crate::origin::policies_at(s, d.layer, d.level)
            .into_iter()
            .find(|p| p.label == d.policy);
        if let Some(st) = np.and_then(|p| p.policy.statements.get(d.index)) {
            let conds: Vec<Value> = st
                .conditions
                .iter()
                .map(|c| json!({ "key": c.key, "values": items(c.raw_values.iter().map(|v| json!({ "value": v }))) }))
                .collect();
            matched.push(json!({
                "statementId": d.statement,
                "effect": st.effect.as_str().to_ascii_uppercase(),
                "sourcePolicyId": d.policy_arn.clone().unwrap_or_else(|| d.policy.clone()),
                "sourcePolicyType": d.layer.as_str(),
                "principals": items(st.principal.iter().flat_map(|p| p.raw.iter()).map(|r| json!({ "value": r }))),
                "principalGroups": items([]),
                "actions": items(st.action.patterns.iter().map(|a| json!({ "value": a.raw }))),
                "resources": items(st.resource.iter().flat_map(|r| r.entries.iter()).map(|r| json!({ "value": r.raw }))),
                "conditions": items(conds),
            }));
        }
    }
    if e.decision == Decision::ImplicitDeny {
        matched.clear();
    }
    let req = &s.request;
    let (id, name) = match &req.caller {
        Caller::User { name, .. } => (req.principal_id.clone(), Some(name.clone())),
        Caller::AssumedRole { session, .. } => (
            req.principal_id.as_ref().map(|p| format!("{p}:{session}")),
            Some(session.clone()),
        ),
        Caller::FederatedUser { account, name, .. } => {
            (Some(format!("{account}:{name}")), Some(name.clone()))
        }
        Caller::Root { account, .. } => (Some(account.clone()), Some("root".to_string())),
        _ => (None, None),
    };
    let mut principal = serde_json::Map::new();
    if let Some(i) = id {
        principal.insert("id".into(), Value::from(i));
    }
    if let Some(n) = name {
        principal.insert("name".into(), Value::from(n));
    }
    principal.insert("arn".into(), Value::from(req.caller.display()));
    let conditions: Vec<Value> = e
        .request
        .context
        .iter()
        .map(|(k, v)| json!({ "key": k, "values": values(v) }))
        .collect();
    json!({
        "allowed": e.decision == Decision::Allow,
        "explicitDeny": e.decision == Decision::ExplicitDeny,
        "matchedStatements": items(matched),
        "failures": items([]),
        "context": {
            "principal": Value::Object(principal),
            "action": e.request.action,
            "resource": e.request.resource,
            "conditions": items(conditions),
        }
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn reads_the_sample() {
        let text = std::fs::read_to_string(format!(
            "{}/tests/fixtures/samples/cloudtrail-accessdenied-ec2-decoded-message.json",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let d = parse_decoded(&text).unwrap();
        assert!(!d.allowed && !d.explicit_deny);
        assert_eq!(d.action.as_deref(), Some("ec2:RunInstances"));
        assert_eq!(
            d.resource.as_deref(),
            Some("arn:aws:ec2:us-east-1:111122223333:instance/*")
        );
        assert!(d
            .context
            .iter()
            .any(|(k, v)| k == "ec2:InstanceType" && v == "p5.48xlarge"));
        assert!(d
            .context
            .iter()
            .any(|(k, v)| k == "aws:TagKeys" && v.is_array()));
        assert!(d
            .context
            .iter()
            .any(|(k, v)| k == "aws:RequestedRegion" && v == "us-east-1"));
        assert!(!d.context.iter().any(|(k, _)| k == "aws:Service"));
    }
}
