//! `simulate`: decide a scenario document, an inline scenario, or AWS-CLI-style fields
//! (as `aws iam simulate-custom-policy` takes them), and one line of a JSONL batch.

use crate::{Document, PolicyInput};
use serde::Deserialize;
use serde_json::Value;
use verdict_eval::{
    decide_with_message, evaluate, load_scenario, scenario_from_json, scenario_from_json_cached,
    CtxValue, NamedPolicy, Policies, PolicyCache, RequestParts, Scenario, UnknownKey,
};
use verdict_policy::{parse_policy, Diagnostic, ErrorCode, ParseOptions, PolicyType, SourceFile};

/// Arguments of a `simulate` call: exactly one of `scenario`, `document` and `custom`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimulateCall {
    /// A scenario, inline, as a JSON object (docs/scenario-format.md).
    #[serde(default)]
    pub scenario: Option<Value>,
    /// A scenario file's text: YAML when its name ends in `.yaml` or `.yml`, else JSON.
    #[serde(default)]
    pub document: Option<Document>,
    /// AWS-CLI-style fields instead of a scenario.
    #[serde(default)]
    pub custom: Option<CustomCall>,
    /// Treat every context key the policies test as unknown and say which values allow.
    #[serde(default)]
    pub discover: bool,
}

/// The fields of `aws iam simulate-custom-policy`, plus the caller and unknown keys.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomCall {
    /// Identity policies.
    #[serde(default)]
    pub policy_input_list: Vec<PolicyInput>,
    /// The permissions boundary (at most one).
    #[serde(default)]
    pub permissions_boundary_policy_input_list: Vec<PolicyInput>,
    /// The resource-based policy (a trust policy for an `sts:AssumeRole*` request).
    #[serde(default)]
    pub resource_policy: Option<PolicyInput>,
    /// Actions to simulate; one scenario per action and resource.
    pub action_names: Vec<String>,
    /// Resource ARNs (default `*`).
    #[serde(default)]
    pub resource_arns: Vec<String>,
    /// Account that owns the resources.
    #[serde(default)]
    pub resource_owner: Option<String>,
    /// The caller (default a user in the resource's account).
    #[serde(default)]
    pub caller_arn: Option<String>,
    /// Context entries: the AWS CLI shorthand or `K=V` as strings, or
    /// `{"ContextKeyName", "ContextKeyValues", "ContextKeyType"}` objects.
    #[serde(default)]
    pub context_entries: Vec<Value>,
    /// Keys whose value is unknown: `KEY`, or `KEY=present` when the key is sent.
    #[serde(default)]
    pub unknown_context: Vec<String>,
}

/// Answer a `simulate` call: the result document, or an array of them when the fields
/// name several actions or resources.
pub fn run(call: &SimulateCall) -> Result<Value, Vec<Diagnostic>> {
    let scenarios = scenarios(call)?;
    let mut docs = Vec::with_capacity(scenarios.len());
    for s in &scenarios {
        let mut v = Answer::of(s, call.discover)?.json();
        crate::stamp(&mut v);
        docs.push(v);
    }
    Ok(crate::one_or_many(docs))
}

/// The scenarios a call asks about.
pub fn scenarios(call: &SimulateCall) -> Result<Vec<Scenario>, Vec<Diagnostic>> {
    match (&call.scenario, &call.document, &call.custom) {
        (Some(v), None, None) => {
            let text = serde_json::to_string_pretty(v).unwrap_or_default();
            let src = SourceFile::new("<call>.scenario", text);
            Ok(vec![load_scenario(&src, false)?])
        }
        (None, Some(d), None) => {
            let yaml = verdict_eval::scenario::is_yaml_path(&d.name);
            Ok(vec![load_scenario(&d.source(), yaml)?])
        }
        (None, None, Some(c)) => custom_scenarios(c),
        _ => Err(crate::error(
            ErrorCode::InvalidCall,
            "a simulate call gives exactly one of \"scenario\" (an inline scenario), \"document\" (a scenario file's text) and \"custom\" (AWS-CLI-style fields)",
        )),
    }
}

/// One scenario per action and resource of the AWS-CLI-style fields, built directly.
pub fn custom_scenarios(c: &CustomCall) -> Result<Vec<Scenario>, Vec<Diagnostic>> {
    check_custom(c)?;
    let resources = if c.resource_arns.is_empty() {
        vec!["*".to_string()]
    } else {
        c.resource_arns.clone()
    };
    let identity = c
        .policy_input_list
        .iter()
        .enumerate()
        .map(|(i, p)| {
            policy_of(
                p,
                PolicyType::Identity,
                &format!("--policy-input-list[{i}]"),
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    let boundary = c
        .permissions_boundary_policy_input_list
        .first()
        .map(|p| {
            policy_of(
                p,
                PolicyType::Boundary,
                "--permissions-boundary-policy-input-list",
            )
        })
        .transpose()?;
    let context = parse_context_entries(&c.context_entries)?;
    let unknown = parse_unknown(&c.unknown_context)?;
    let mut out = Vec::new();
    for action in &c.action_names {
        for res in &resources {
            let account = verdict_policy::arn::Arn::parse(res)
                .map(|a| a.account.to_string())
                .filter(|a| !a.is_empty())
                .or_else(|| c.resource_owner.clone())
                .unwrap_or_else(|| "123456789012".into());
            let parts = RequestParts {
                principal: c
                    .caller_arn
                    .clone()
                    .unwrap_or_else(|| format!("arn:aws:iam::{account}:user/simulated-user")),
                action: action.clone(),
                resource: res.clone(),
                context: context.clone(),
                unknown: unknown.clone(),
                resource_account: c.resource_owner.clone(),
            };
            let s = Scenario::from_parts(
                parts,
                |request| {
                    let resource = match &c.resource_policy {
                        Some(rp) => {
                            let ty = if verdict_eval::request::is_trust_request(request) {
                                PolicyType::Trust
                            } else {
                                PolicyType::Resource
                            };
                            Some(policy_of(rp, ty, "--resource-policy")?)
                        }
                        None => None,
                    };
                    Ok(Policies {
                        identity: identity.clone(),
                        permissions_boundary: boundary.clone(),
                        resource,
                        ..Policies::default()
                    })
                },
                "<command line>",
            )?;
            out.push(s);
        }
    }
    Ok(out)
}

/// Reject bad field values up front, naming the flag.
fn check_custom(c: &CustomCall) -> Result<(), Vec<Diagnostic>> {
    let bad = |flag: &str, msg: String| {
        vec![Diagnostic::new(
            ErrorCode::InvalidRequest,
            format!("{flag}: {msg}"),
        )]
    };
    if c.action_names.is_empty() {
        return Err(bad(
            "--action-names",
            "name at least one action, such as s3:GetObject".into(),
        ));
    }
    for a in &c.action_names {
        match verdict_eval::request::Request::split_action(a) {
            Some((_, name)) if !name.contains(['*', '?']) => {}
            _ => {
                return Err(bad(
                    "--action-names",
                    format!("\"{a}\" must name one action as service:Action, such as s3:GetObject (no wildcards)"),
                ))
            }
        }
    }
    for r in &c.resource_arns {
        if let verdict_policy::arn::RequestResource::Other(o) =
            verdict_policy::arn::RequestResource::new(r)
        {
            return Err(bad(
                "--resource-arns",
                format!("\"{o}\" is not an ARN (arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE) or \"*\""),
            ));
        }
    }
    if c.permissions_boundary_policy_input_list.len() > 1 {
        return Err(bad(
            "--permissions-boundary-policy-input-list",
            format!(
                "{} policies given, but a principal has at most one permissions boundary (as in aws iam simulate-custom-policy)",
                c.permissions_boundary_policy_input_list.len()
            ),
        ));
    }
    if let (Some(caller), Some(a)) = (&c.caller_arn, c.action_names.first()) {
        if let Err(e) = verdict_eval::Caller::parse(caller, &a.to_ascii_lowercase()) {
            return Err(bad("--caller-arn", e));
        }
    }
    Ok(())
}

fn policy_of(p: &PolicyInput, ty: PolicyType, label: &str) -> Result<NamedPolicy, Vec<Diagnostic>> {
    let doc = p.document(label);
    let policy = parse_policy(&doc.source(), ParseOptions::new(ty))?;
    Ok(NamedPolicy::new(
        Some(doc.name.clone()),
        None,
        doc.name,
        policy,
    ))
}

/// `KEY` or `KEY=present` entries.
fn parse_unknown(entries: &[String]) -> Result<Vec<UnknownKey>, Vec<Diagnostic>> {
    entries
        .iter()
        .map(|u| match u.split_once('=') {
            Some((k, "present")) => Ok(UnknownKey {
                key: k.to_string(),
                present: true,
            }),
            Some((_, other)) => Err(vec![Diagnostic::new(
                ErrorCode::InvalidContext,
                format!("--unknown-context {u}: after = only \"present\" is allowed (KEY or KEY=present), not \"{other}\""),
            )]),
            None => Ok(UnknownKey {
                key: u.clone(),
                present: false,
            }),
        })
        .collect()
}

/// The `ContextKeyType` values the AWS CLI and the IAM API accept.
pub const CONTEXT_KEY_TYPES: &[&str] = &[
    "string",
    "stringList",
    "numeric",
    "numericList",
    "boolean",
    "booleanList",
    "ip",
    "ipList",
    "binary",
    "binaryList",
    "date",
    "dateList",
];

/// Parse context entries in the AWS CLI shorthand, `key=value`, or JSON. A
/// `ContextKeyType` must be one the IAM API accepts, and each value must parse as it.
pub fn parse_context_entries(
    entries: &[Value],
) -> Result<Vec<(String, CtxValue)>, Vec<Diagnostic>> {
    let mut out = Vec::new();
    let bad = |e: &str, why: &str| {
        vec![Diagnostic::new(ErrorCode::InvalidContext, format!("--context-entries \"{e}\": {why}"))
            .with_help("use ContextKeyName=aws:SourceIp,ContextKeyValues=203.0.113.5,ContextKeyType=ip or aws:SourceIp=203.0.113.5")]
    };
    for entry in entries {
        let (e, parsed) = match entry {
            Value::String(s) => (s.clone(), None),
            other => (other.to_string(), Some(other.clone())),
        };
        let t = e.trim();
        let json = match parsed {
            Some(v) => Some(v),
            None if t.starts_with('[') || t.starts_with('{') => {
                Some(serde_json::from_str(t).map_err(|err| bad(&e, &err.to_string()))?)
            }
            None => None,
        };
        if let Some(v) = json {
            let items = match v {
                Value::Array(a) => a,
                other => vec![other],
            };
            for it in items {
                let k = it
                    .get("ContextKeyName")
                    .and_then(|k| k.as_str())
                    .ok_or_else(|| bad(&e, "missing ContextKeyName"))?;
                let vals: Vec<String> = match it.get("ContextKeyValues") {
                    Some(Value::Array(a)) => a
                        .iter()
                        .map(|v| match v {
                            Value::String(s) => Ok(s.clone()),
                            Value::Number(n) => Ok(n.to_string()),
                            Value::Bool(b) => Ok(b.to_string()),
                            _ => Err(bad(&e, "ContextKeyValues holds strings")),
                        })
                        .collect::<Result<_, _>>()?,
                    Some(_) => return Err(bad(&e, "ContextKeyValues must be a list of strings")),
                    None => return Err(bad(&e, "missing ContextKeyValues")),
                };
                let ty = match it.get("ContextKeyType") {
                    None => "string",
                    Some(Value::String(s)) => s.as_str(),
                    Some(_) => return Err(bad(&e, "ContextKeyType must be a string")),
                };
                out.push((k.to_string(), typed(&e, k, vals, ty)?));
            }
        } else if let Some(rest) = t.strip_prefix("ContextKeyName=") {
            let (k, rest) = rest
                .split_once(",ContextKeyValues=")
                .ok_or_else(|| bad(&e, "missing ContextKeyValues"))?;
            let (vals, ty) = match rest.rsplit_once(",ContextKeyType=") {
                Some((v, ty)) => (v, ty),
                None => (rest, "string"),
            };
            let vals = vals.split(',').map(str::to_string).collect();
            out.push((k.to_string(), typed(&e, k, vals, ty)?));
        } else if let Some((k, v)) = t.split_once('=') {
            out.push((k.to_string(), CtxValue::Single(v.to_string())));
        } else {
            return Err(bad(&e, "expected KEY=VALUE or the AWS CLI shorthand"));
        }
    }
    Ok(out)
}

/// Check a typed context entry's values against its `ContextKeyType`.
fn typed(entry: &str, key: &str, vals: Vec<String>, ty: &str) -> Result<CtxValue, Vec<Diagnostic>> {
    let bad = |why: String, help: String| {
        vec![Diagnostic::new(
            ErrorCode::InvalidContext,
            format!("--context-entries \"{entry}\": {why}"),
        )
        .with_help(help)]
    };
    if !CONTEXT_KEY_TYPES.contains(&ty) {
        let hint = verdict_policy::diag::suggestion(ty, CONTEXT_KEY_TYPES.iter().copied())
            .map(|h| format!("{h}; "))
            .unwrap_or_default();
        return Err(bad(
            format!("ContextKeyType \"{ty}\" is not one the IAM API accepts"),
            format!("{hint}the types are {}", CONTEXT_KEY_TYPES.join(", ")),
        ));
    }
    let base = ty.strip_suffix("List").unwrap_or(ty);
    for v in &vals {
        let (ok, what) = match base {
            "numeric" => (
                verdict_policy::condition::parse_number(v).is_some(),
                "a number",
            ),
            "boolean" => (
                v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("false"),
                "true or false",
            ),
            "ip" => (
                verdict_policy::parse::parse_ip(v).is_some(),
                "an IP address or CIDR",
            ),
            "date" => (
                verdict_policy::condition::parse_date(v).is_some(),
                "a date (ISO 8601 or epoch seconds)",
            ),
            _ => (true, ""),
        };
        if !ok {
            return Err(bad(
                format!("value \"{v}\" of {key} is not {what}, as ContextKeyType={ty} requires"),
                format!("give {what}, or change ContextKeyType"),
            ));
        }
    }
    Ok(if ty.ends_with("List") || vals.len() > 1 {
        CtxValue::Multi(vals)
    } else {
        CtxValue::Single(vals.into_iter().next().unwrap_or_default())
    })
}

/// One scenario's answer, whichever kind of question it asks.
pub enum Answer {
    /// One concrete request (the traced evaluation).
    Concrete(Box<verdict_eval::Evaluation>),
    /// Unknown context keys.
    Residual(Box<verdict_eval::residual::Residual>),
    /// A resource set.
    Set(Box<verdict_eval::resource_set::SetAnswer>),
    /// Discovery (`discover`).
    Discovery(Box<verdict_eval::residual::Discovery>),
}

impl Answer {
    /// Answer `s` as its form asks (a resource set, unknown keys, or one request), or
    /// as a discovery.
    pub fn of(s: &Scenario, discover: bool) -> Result<Answer, Vec<Diagnostic>> {
        let failed = |e: String| {
            vec![Diagnostic::new(
                ErrorCode::InvalidRequest,
                format!("{}: {e}", s.source.name()),
            )]
        };
        if discover {
            return verdict_eval::residual::discover(s)
                .map(|d| Answer::Discovery(Box::new(d)))
                .map_err(|e| failed(e.to_string()));
        }
        if let Some(set) = &s.resource_set {
            return verdict_eval::resource_set::evaluate_set(s, set)
                .map(|a| Answer::Set(Box::new(a)))
                .map_err(|e| failed(e.to_string()));
        }
        if !s.unknown.is_empty() {
            return verdict_eval::residual::residual(s)
                .map(|r| Answer::Residual(Box::new(r)))
                .map_err(|e| failed(e.to_string()));
        }
        Ok(Answer::Concrete(Box::new(evaluate(s))))
    }

    /// The JSON result (docs/schemas/simulate*.schema.json, discover.schema.json).
    pub fn json(&self) -> Value {
        match self {
            Answer::Concrete(e) => serde_json::to_value(e),
            Answer::Residual(r) => serde_json::to_value(r),
            Answer::Set(a) => serde_json::to_value(a),
            Answer::Discovery(d) => serde_json::to_value(d),
        }
        .unwrap_or_default()
    }

    /// The readable explanation.
    pub fn text(&self, s: &Scenario, color: bool) -> String {
        match self {
            Answer::Concrete(e) => verdict_eval::render::render(e, color),
            Answer::Residual(r) => verdict_eval::residual::render_text(s, r, color),
            Answer::Set(a) => verdict_eval::resource_set::render_text(s, a),
            Answer::Discovery(d) => verdict_eval::residual::render_discovery(s, d, color),
        }
    }

    /// The decision an expectation compares with (discovery has none).
    pub fn decision(&self) -> Option<&'static str> {
        match self {
            Answer::Concrete(e) => Some(e.decision.as_str()),
            Answer::Residual(r) => Some(r.decision.as_str()),
            Answer::Set(a) => Some(a.decision.as_str()),
            Answer::Discovery(_) => None,
        }
    }
}

/// `expected allow, got implicit_deny (--expect)` when the decision misses `want`
/// (`allow` or `deny`). A `conditional` answer is neither allow nor deny.
pub fn expect_miss(want: &str, got: &str) -> Option<String> {
    let ok = match want {
        "allow" => got == "allow",
        _ => got == "explicit_deny" || got == "implicit_deny",
    };
    (!ok).then(|| format!("expected {want}, got {got} (--expect)"))
}

/// What became of one batch line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineOutcome {
    /// Evaluated, with this decision (`allow`, `explicit_deny`, `implicit_deny` or
    /// `conditional`).
    Decided(&'static str),
    /// Could not be read.
    Bad,
}

thread_local! {
    static CACHE: std::cell::RefCell<PolicyCache> = std::cell::RefCell::new(PolicyCache::new());
}

fn load_line(src: &std::sync::Arc<SourceFile>, cached: bool) -> Result<Scenario, Vec<Diagnostic>> {
    let tree = verdict_policy::json::parse(src).map_err(|d| vec![d])?;
    if !cached {
        return scenario_from_json(&tree, src);
    }
    CACHE.with(|c| match c.try_borrow_mut() {
        Ok(mut cache) => scenario_from_json_cached(&tree, src, Some(&mut cache)),
        Err(_) => scenario_from_json(&tree, src),
    })
}

/// Without a trace, try the fast loader first; it declines anything unusual.
fn load_line_quick(src: &std::sync::Arc<SourceFile>) -> Result<Scenario, Vec<Diagnostic>> {
    let fast = CACHE.with(|c| match c.try_borrow_mut() {
        Ok(mut cache) => {
            verdict_eval::fast_load::load_line_fast(src.text(), src.name(), &mut cache)
        }
        Err(_) => None,
    });
    match fast {
        Some(s) => Ok(s),
        None => load_line(src, true),
    }
}

fn error_line(message: String, n: usize) -> (String, LineOutcome) {
    (
        serde_json::json!({"error": message, "line": n}).to_string(),
        LineOutcome::Bad,
    )
}

/// Answer line `n` of a JSONL batch named `label`: one JSON result on one line (with
/// `"line"` and the scenario's `"name"`), or `{"error", "line"}`. With `trace`, the full
/// evaluation; else the decision summary. Policies repeated across lines are parsed once
/// per thread.
pub fn batch_line(line: &str, n: usize, label: &str, trace: bool) -> (String, LineOutcome) {
    if line.trim().is_empty() {
        return error_line(format!("{label} line {n} is blank; every line of a batch holds one scenario (remove the blank line)"), n);
    }
    let src = SourceFile::new(format!("{label} line {n}"), line);
    let loaded = if trace {
        load_line(&src, false)
    } else {
        load_line_quick(&src)
    };
    let s = match loaded {
        Ok(s) => s,
        Err(d) => {
            let msg: Vec<String> = d.iter().map(|d| d.to_string()).collect();
            return error_line(msg.join("; "), n);
        }
    };
    let (mut v, decision) = if s.resource_set.is_some() || !s.unknown.is_empty() {
        match Answer::of(&s, false) {
            Ok(a) => (a.json(), a.decision().unwrap_or_default()),
            Err(d) => {
                let msg: Vec<String> = d.iter().map(|d| d.message.clone()).collect();
                return error_line(msg.join("; "), n);
            }
        }
    } else if trace {
        let e = evaluate(&s);
        let d = e.decision.as_str();
        (serde_json::to_value(e).unwrap_or_default(), d)
    } else {
        let q = decide_with_message(&s);
        let d = q.decision.as_str();
        (serde_json::to_value(q).unwrap_or_default(), d)
    };
    if let Some(obj) = v.as_object_mut() {
        obj.insert("line".into(), n.into());
        if let Some(name) = &s.name {
            obj.insert("name".into(), Value::String(name.clone()));
        }
    }
    (
        serde_json::to_string(&v).unwrap_or_default(),
        LineOutcome::Decided(decision),
    )
}
