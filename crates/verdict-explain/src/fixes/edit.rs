//! Editing policy documents: statement paths, appended statements and list entries,
//! condition values, and applying a candidate to a copy of the scenario.

use super::*;
use crate::origin::{add_policy, document_of, policy_at, replace_at};
use crate::patch;
use serde_json::{json, Value};
use verdict_eval::{CtxValue, NamedPolicy, Scenario};
use verdict_policy::{parse_policy, ParseOptions, PolicyType, SourceFile};

pub(super) fn sid_for(prefix: &str, action: &str, doc: &Value) -> String {
    let name: String = action
        .split(':')
        .nth(1)
        .unwrap_or(action)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    let base = format!("{prefix}{name}");
    let used: Vec<String> = statements(doc)
        .iter()
        .filter_map(|s| s.get("Sid").and_then(Value::as_str).map(str::to_string))
        .collect();
    if !used.contains(&base) {
        return base;
    }
    (2..)
        .map(|i| format!("{base}{i}"))
        .find(|c| !used.contains(c))
        .unwrap_or(base)
}

pub(super) fn statements(doc: &Value) -> Vec<Value> {
    match doc.get("Statement") {
        Some(Value::Array(a)) => a.clone(),
        Some(o @ Value::Object(_)) => vec![o.clone()],
        _ => Vec::new(),
    }
}

pub(super) fn stmt_path(doc: &Value, index: usize) -> Option<String> {
    match doc.get("Statement") {
        Some(Value::Array(a)) if index < a.len() => Some(format!("/Statement/{index}")),
        Some(Value::Object(_)) if index == 0 => Some("/Statement".into()),
        _ => None,
    }
}

/// Ops that append `stmt`, and the pointer the new statement will have.
pub(super) fn append_statement(doc: &Value, stmt: Value) -> (Vec<Value>, String) {
    match doc.get("Statement") {
        Some(Value::Array(a)) => (
            vec![patch::add("/Statement/-", stmt)],
            format!("/Statement/{}", a.len()),
        ),
        Some(o @ Value::Object(_)) => (
            vec![patch::replace("/Statement", json!([o.clone(), stmt]))],
            "/Statement/1".into(),
        ),
        _ => (
            vec![patch::add("/Statement", json!([stmt]))],
            "/Statement/0".into(),
        ),
    }
}

/// Ops that add `value` to a list-valued element at `path` (string → array).
pub(super) fn add_to_list(doc: &Value, path: &str, value: Value) -> Vec<Value> {
    match doc.pointer(path) {
        Some(Value::Array(a)) if a.contains(&value) => Vec::new(),
        Some(Value::Array(_)) => vec![patch::add(&format!("{path}/-"), value)],
        Some(v) if *v == value => Vec::new(),
        Some(v) => vec![patch::replace(path, json!([v.clone(), value]))],
        None => vec![patch::add(path, value)],
    }
}

/// Ops that add `value` under Condition → `op` → `key` of the statement at `sp`.
pub(super) fn add_condition_value(
    doc: &Value,
    sp: &str,
    op: &str,
    key: &str,
    value: Value,
) -> Vec<Value> {
    let cpath = format!("{sp}/Condition");
    let Some(cond) = doc.pointer(&cpath).and_then(Value::as_object) else {
        return vec![patch::add(&cpath, json!({ op: { key: value } }))];
    };
    let Some((op_name, block)) = cond.iter().find(|(k, _)| *k == op) else {
        return vec![patch::add(
            &format!("{cpath}/{}", patch::escape(op)),
            json!({ key: value }),
        )];
    };
    let opath = format!("{cpath}/{}", patch::escape(op_name));
    match block
        .as_object()
        .and_then(|b| b.keys().find(|k| k.eq_ignore_ascii_case(key)))
    {
        Some(k) => add_to_list(doc, &format!("{opath}/{}", patch::escape(k)), value),
        None => vec![patch::add(
            &format!("{opath}/{}", patch::escape(key)),
            value,
        )],
    }
}

pub(super) fn parse_doc(
    label: &str,
    doc: &Value,
    ty: PolicyType,
    s: &Scenario,
) -> Result<verdict_policy::Policy, String> {
    let text = serde_json::to_string_pretty(doc).map_err(|e| e.to_string())?;
    let src = SourceFile::new(format!("{label} (with fix)"), text);
    let mut opts = ParseOptions::new(ty);
    opts.scp_syntax = s.options.scp_syntax;
    parse_policy(&src, opts).map_err(|d| {
        d.iter()
            .map(|x| x.to_string())
            .collect::<Vec<_>>()
            .join("; ")
    })
}

pub(super) fn apply(s: &Scenario, c: &Candidate) -> Result<Scenario, String> {
    let mut out = s.clone();
    match &c.target {
        Target::Existing(slot) => {
            let np = policy_at(s, *slot).ok_or("the policy is gone")?;
            let doc = document_of(np).ok_or("the policy document is not JSON")?;
            let new_doc = patch::apply(&doc, &c.patch)?;
            let policy = parse_doc(&np.label, &new_doc, np.policy.policy_type, s)?;
            let replaced = NamedPolicy {
                name: np.name.clone(),
                arn: np.arn.clone(),
                label: np.label.clone(),
                policy: policy.into(),
            };
            if !replace_at(&mut out, *slot, replaced) {
                return Err("the policy slot does not exist".into());
            }
        }
        Target::New {
            layer,
            level,
            ty,
            label,
            ..
        } => {
            let doc = patch::apply(&Value::Null, &c.patch)?;
            let policy = parse_doc(label, &doc, *ty, s)?;
            add_policy(
                &mut out,
                *layer,
                *level,
                NamedPolicy {
                    name: Some(label.clone()),
                    arn: None,
                    label: label.clone(),
                    policy: policy.into(),
                },
            )
            .ok_or("cannot add a policy to that layer")?;
        }
        Target::Request => {
            for op in &c.patch {
                let path = op.get("path").and_then(Value::as_str).ok_or("no path")?;
                let key = path
                    .strip_prefix("/request/context/")
                    .ok_or("not a context change")?
                    .replace("~1", "/")
                    .replace("~0", "~");
                out.request.context.remove(&key);
                match op.get("value") {
                    Some(Value::Array(a)) => out.request.context.insert(
                        &key,
                        CtxValue::Multi(
                            a.iter()
                                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                                .collect(),
                        ),
                    ),
                    Some(Value::String(v)) => out
                        .request
                        .context
                        .insert(&key, CtxValue::Single(v.clone())),
                    Some(v) => out
                        .request
                        .context
                        .insert(&key, CtxValue::Single(v.to_string())),
                    None => {}
                }
            }
        }
    }
    Ok(out)
}
