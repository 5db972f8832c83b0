//! Find every cause that blocks the request and the narrowest changes that remove
//! each, and verify every change by applying it to a copy of the scenario and
//! deciding again. Only changes that, with the other causes' fixes, flip the decision
//! to Allow are returned, marked `verified`.

use crate::build::Built;
use crate::origin::{
    add_policy, document_of, policies_at, policy_at, replace_at, PolicyKind, PolicyOrigin, Slot,
};
use crate::patch;
use serde::Serialize;
use serde_json::{json, Value};
use verdict_eval::trace::{ConditionTrace, LayerTrace, StatementTrace};
use verdict_eval::{
    decide, evaluate, Caller, CtxValue, Decision, Evaluation, Layer, Miss, NamedPolicy, Scenario,
    StatementRef,
};
use verdict_policy::{parse_policy, ParseOptions, PolicyType, SourceFile};

/// What a fix changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FixKind {
    /// Add one Allow statement scoped to the exact action and resource.
    AddAllowStatement,
    /// Add the requested resource to a statement that almost applies.
    AddResource,
    /// Add the caller to the Principal of a resource or trust policy statement.
    AddPrincipal,
    /// Add the request's value to a condition that almost holds.
    AddConditionValue,
    /// Add an exception condition so that a Deny no longer applies to this caller.
    ExceptionCondition,
    /// Add the action to the NotAction of a Deny.
    ExemptAction,
    /// Remove the denying statement.
    RemoveStatement,
    /// A key-policy statement that lets the account's IAM policies grant access.
    KeyPolicyDelegation,
    /// Create a policy that does not exist yet.
    NewPolicy,
    /// Change the request itself (credentials with MFA, endpoint, tags …).
    ChangeRequest,
}

/// Where a change is made.
#[derive(Clone, Debug)]
enum Target {
    Existing(Slot),
    New {
        layer: Layer,
        level: Option<usize>,
        ty: PolicyType,
        label: String,
        origin: PolicyOrigin,
    },
    Request,
}

#[derive(Clone, Debug)]
struct Candidate {
    kind: FixKind,
    title: String,
    target: Target,
    patch: Vec<Value>,
    statement_path: Option<String>,
    note: Option<String>,
}

/// A verified change.
#[derive(Clone, Debug, Serialize)]
pub struct Fix {
    /// 1-based id.
    pub id: usize,
    /// The blocker (1-based) it removes.
    pub blocker: usize,
    /// Kind.
    pub kind: FixKind,
    /// One line.
    pub title: String,
    /// The account the change is made in.
    pub account: Option<String>,
    /// The layer.
    pub layer: Layer,
    /// Which policy (or `the request`), in words.
    pub location: String,
    /// The policy's name or label.
    pub policy: Option<String>,
    /// The policy's ARN.
    pub policy_arn: Option<String>,
    /// The file the policy was read from.
    pub file: Option<String>,
    /// RFC 6902 patch against the policy document (for request changes: against the scenario).
    pub patch: Vec<Value>,
    /// The statement as it reads after the change.
    pub statement: Option<Value>,
    /// Extra advice.
    pub note: Option<String>,
    /// Re-evaluated with the change applied (and `requires`): the request is allowed.
    pub verified: bool,
    /// Fixes of the other blockers that must be applied too (empty: this one alone flips the decision).
    pub requires: Vec<usize>,
    #[serde(skip)]
    target: Target,
}

/// One cause that blocks the request.
#[derive(Clone, Debug, Serialize)]
pub struct Blocker {
    /// 1-based; 1 is what AWS reports now.
    pub step: usize,
    /// Explicit or implicit.
    pub decision: Decision,
    /// Layer.
    pub layer: Layer,
    /// Organization level, in words.
    pub level: Option<String>,
    /// The denying statement, for explicit denies.
    pub statement: Option<StatementRef>,
    /// Why, in one sentence.
    pub reason: String,
    /// The message AWS would give at this step.
    pub message: String,
    /// Fix ids.
    pub fixes: Vec<usize>,
    /// Why no fix is offered, when none is.
    pub unfixable: Option<String>,
}

/// The blockers and the verified fixes.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Plan {
    /// Causes, in the order AWS would report them as each is removed.
    pub blockers: Vec<Blocker>,
    /// Verified fixes.
    pub fixes: Vec<Fix>,
    /// True when applying one fix per blocker allows the request.
    pub complete: bool,
}

const MAX_STEPS: usize = 8;

/// Keys the caller can change by how it calls (credentials, network path, region, headers).
const REQUEST_KEYS: &[&str] = &[
    "aws:multifactorauthpresent",
    "aws:sourcevpce",
    "aws:sourcevpc",
    "aws:sourceip",
    "aws:requestedregion",
    "aws:securetransport",
    "s3:x-amz-server-side-encryption",
    "s3:x-amz-acl",
    "s3:tlsversion",
    "sts:externalid",
    "sts:sourceidentity",
];

/// Services whose calls all carry `aws:RequestedRegion` = us-east-1 (global endpoints).
pub const GLOBAL_SERVICES: &[&str] = &[
    "iam",
    "organizations",
    "route53",
    "route53domains",
    "cloudfront",
    "support",
    "budgets",
    "waf",
    "globalaccelerator",
    "shield",
    "health",
    "ce",
    "account",
    "trustedadvisor",
    "networkmanager",
    "savingsplans",
    "cur",
    "aws-portal",
];

fn controllable(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    REQUEST_KEYS.contains(&k.as_str())
        || k.starts_with("aws:resourcetag/")
        || k.starts_with("aws:principaltag/")
        || k.starts_with("aws:requesttag/")
}

fn request_change_title(key: &str, value: &str) -> String {
    let k = key.to_ascii_lowercase();
    match k.as_str() {
        "aws:multifactorauthpresent" if value == "true" => "Call with MFA-authenticated credentials (aws:MultiFactorAuthPresent = true), e.g. a session from sts get-session-token --serial-number … --token-code …".into(),
        "aws:sourcevpce" => format!("Send the request through the VPC endpoint {value}"),
        "aws:sourcevpc" => format!("Send the request from VPC {value} through a VPC endpoint (a call over the public endpoint carries no aws:SourceVpc)"),
        "aws:sourceip" => format!("Call from an address such as {value}"),
        "aws:requestedregion" => format!("Call the {value} endpoint (aws:RequestedRegion = {value})"),
        "aws:securetransport" => "Call over HTTPS".into(),
        // `k` is `key` lower-cased, so the prefix has the same length in both.
        _ if k.starts_with("aws:resourcetag/") => format!("Tag the resource with {} = {value}", key.get("aws:ResourceTag/".len()..).unwrap_or_default()),
        _ if k.starts_with("aws:principaltag/") => format!("Tag the caller with {} = {value}", key.get("aws:PrincipalTag/".len()..).unwrap_or_default()),
        _ if k.starts_with("aws:requesttag/") => format!("Pass the tag {} = {value} in the request", key.get("aws:RequestTag/".len()..).unwrap_or_default()),
        _ => format!("Make the request with {key} = {value}"),
    }
}

/// Canonical spelling of the request's action (`SNS:Publish` → `sns:Publish`).
fn canonical_action(s: &Scenario) -> String {
    verdict_catalog::catalog()
        .action(&s.request.action)
        .map(|a| a.qualified_name())
        .unwrap_or_else(|| s.request.action.clone())
}

fn principal_arn(s: &Scenario) -> Option<String> {
    if let Some(v) = s.request.context.variable("aws:principalarn") {
        return Some(v);
    }
    match &s.request.caller {
        Caller::User { arn, .. } | Caller::FederatedUser { arn, .. } => Some(arn.clone()),
        Caller::Root { .. } => Some(s.request.caller.display()),
        _ => None,
    }
}

/// True when API Gateway does not authenticate the caller with IAM, so policies see an anonymous caller.
fn effectively_anonymous(s: &Scenario) -> bool {
    s.request.service_lc == "execute-api"
        && s.request.name_lc == "invoke"
        && s.apigateway.as_ref().is_some_and(|a| {
            a.authorization_type != verdict_eval::scenario::AuthorizationType::AwsIam
        })
}

/// The Principal element naming the caller (for resource, trust and endpoint policies).
fn principal_element(s: &Scenario) -> Option<Value> {
    if effectively_anonymous(s) {
        return None;
    }
    match &s.request.caller {
        Caller::User { .. }
        | Caller::AssumedRole { .. }
        | Caller::FederatedUser { .. }
        | Caller::Root { .. } => principal_arn(s).map(|a| json!({ "AWS": a })),
        Caller::Service(svc) => Some(json!({ "Service": svc })),
        Caller::WebIdentity(p) => Some(json!({ "Federated": p })),
        Caller::Anonymous => None,
    }
}

fn sid_for(prefix: &str, action: &str, doc: &Value) -> String {
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

fn statements(doc: &Value) -> Vec<Value> {
    match doc.get("Statement") {
        Some(Value::Array(a)) => a.clone(),
        Some(o @ Value::Object(_)) => vec![o.clone()],
        _ => Vec::new(),
    }
}

fn stmt_path(doc: &Value, index: usize) -> Option<String> {
    match doc.get("Statement") {
        Some(Value::Array(a)) if index < a.len() => Some(format!("/Statement/{index}")),
        Some(Value::Object(_)) if index == 0 => Some("/Statement".into()),
        _ => None,
    }
}

/// Ops that append `stmt`, and the pointer the new statement will have.
fn append_statement(doc: &Value, stmt: Value) -> (Vec<Value>, String) {
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
fn add_to_list(doc: &Value, path: &str, value: Value) -> Vec<Value> {
    match doc.pointer(path) {
        Some(Value::Array(a)) if a.contains(&value) => Vec::new(),
        Some(Value::Array(_)) => vec![patch::add(&format!("{path}/-"), value)],
        Some(v) if *v == value => Vec::new(),
        Some(v) => vec![patch::replace(path, json!([v.clone(), value]))],
        None => vec![patch::add(path, value)],
    }
}

/// Ops that add `value` under Condition → `op` → `key` of the statement at `sp`.
fn add_condition_value(doc: &Value, sp: &str, op: &str, key: &str, value: Value) -> Vec<Value> {
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

fn is_negated_op(op: &str) -> bool {
    let base = op
        .rsplit(':')
        .next()
        .unwrap_or(op)
        .trim_end_matches("IfExists");
    base.starts_with("StringNot")
        || base.starts_with("ArnNot")
        || base == "NotIpAddress"
        || base.starts_with("NumericNot")
        || base.starts_with("DateNot")
}

fn is_positive_string_op(op: &str) -> bool {
    let base = op
        .rsplit(':')
        .next()
        .unwrap_or(op)
        .trim_end_matches("IfExists");
    matches!(
        base,
        "StringEquals" | "StringLike" | "StringEqualsIgnoreCase" | "ArnEquals" | "ArnLike"
    )
}

/// A value for `key` that would make a condition of `op` with `policy_values` fail
/// (`want` = false) or hold (`want` = true).
fn value_for(op: &str, policy_values: &[String], want: bool) -> Option<String> {
    let base = op
        .rsplit(':')
        .next()
        .unwrap_or(op)
        .trim_end_matches("IfExists");
    let concrete = policy_values.iter().find(|v| !v.contains(['*', '?', '$']));
    match base {
        "Bool" => {
            let p = policy_values.first()?.to_ascii_lowercase();
            let flip = if p == "true" { "false" } else { "true" };
            Some(if want { p } else { flip.to_string() })
        }
        "StringNotEquals"
        | "StringNotLike"
        | "ArnNotLike"
        | "ArnNotEquals"
        | "StringNotEqualsIgnoreCase"
            if !want =>
        {
            concrete.cloned()
        }
        "StringEquals" | "StringLike" | "ArnLike" | "ArnEquals" | "StringEqualsIgnoreCase"
            if want =>
        {
            concrete.cloned()
        }
        "NotIpAddress" if !want => policy_values
            .first()
            .and_then(|v| verdict_policy::parse::parse_ip(v))
            .map(|n| n.addr().to_string()),
        "IpAddress" if want => policy_values
            .first()
            .and_then(|v| verdict_policy::parse::parse_ip(v))
            .map(|n| n.addr().to_string()),
        _ => None,
    }
}

fn trace_statement<'a>(
    e: &'a Evaluation,
    layer: Layer,
    level: Option<usize>,
    policy: &str,
    index: usize,
) -> Option<&'a StatementTrace> {
    e.layers
        .iter()
        .filter(|l| l.layer == layer && l.level == level)
        .flat_map(|l| l.policies.iter())
        .find(|p| p.policy == policy)
        .and_then(|p| p.statements.iter().find(|st| st.index == index))
}

fn slot_of(s: &Scenario, d: &StatementRef) -> Option<Slot> {
    let pols = policies_at(s, d.layer, d.level);
    let index = pols.iter().position(|p| p.label == d.policy)?;
    Some(Slot {
        layer: d.layer,
        level: d.level,
        index,
    })
}

fn kind_of_layer(layer: Layer, trust: bool) -> PolicyKind {
    match layer {
        Layer::Identity => PolicyKind::Inline,
        Layer::Resource if trust => PolicyKind::Trust,
        Layer::Resource => PolicyKind::ResourcePolicy,
        Layer::PermissionsBoundary => PolicyKind::PermissionsBoundary,
        Layer::Session => PolicyKind::SessionPolicy,
        Layer::Scp => PolicyKind::Scp,
        Layer::Rcp => PolicyKind::Rcp,
        Layer::VpcEndpoint => PolicyKind::VpcEndpoint,
        Layer::Authorizer => PolicyKind::Authorizer,
    }
}

fn ty_of_layer(layer: Layer, trust: bool) -> PolicyType {
    match layer {
        Layer::Identity => PolicyType::Identity,
        Layer::Resource if trust => PolicyType::Trust,
        Layer::Resource => PolicyType::Resource,
        Layer::PermissionsBoundary => PolicyType::Boundary,
        Layer::Session => PolicyType::Session,
        Layer::Scp => PolicyType::Scp,
        Layer::Rcp => PolicyType::Rcp,
        Layer::VpcEndpoint => PolicyType::VpcEndpoint,
        Layer::Authorizer => PolicyType::Authorizer,
    }
}

fn is_trust(s: &Scenario) -> bool {
    verdict_eval::request::is_trust_request(&s.request)
}

fn is_kms_key(s: &Scenario) -> bool {
    s.request.service_lc == "kms" && s.request.resource.as_str().contains(":key/")
}

struct Ctx<'a> {
    built: &'a Built,
}

impl Ctx<'_> {
    fn origin(&self, s: &Scenario, slot: Slot) -> PolicyOrigin {
        self.built
            .origin(slot)
            .cloned()
            .unwrap_or_else(|| PolicyOrigin {
                account: None,
                attached_to: String::new(),
                kind: policy_at(s, slot)
                    .map(|_| PolicyKind::Scenario)
                    .unwrap_or(PolicyKind::Scenario),
                editable: true,
                file: policy_at(s, slot)
                    .map(|p| p.policy.source.name().to_string())
                    .unwrap_or_default(),
            })
    }

    fn new_target(&self, s: &Scenario, layer: Layer, level: Option<usize>) -> Target {
        let trust = is_trust(s);
        let caller = &s.request.caller;
        let (label, attached_to, account) = match layer {
            Layer::Identity => (
                "new inline policy verdict-fix".to_string(),
                identity_owner(s, self.built),
                caller.account().map(str::to_string),
            ),
            Layer::Session => (
                "new session policy".to_string(),
                format!("the session {}", caller.display()),
                caller.account().map(str::to_string),
            ),
            Layer::Resource => {
                let r = s.request.resource.as_str();
                (
                    format!("new resource policy on {r}"),
                    crate::build::resource_describe(r, trust),
                    s.resource_account.clone(),
                )
            }
            Layer::Scp => {
                let lvl = level
                    .and_then(|l| self.built.scp_levels.get(l).cloned())
                    .unwrap_or_else(|| format!("level {}", level.unwrap_or(0)));
                (
                    "new SCP verdict-fix".to_string(),
                    lvl,
                    s.management_account.clone(),
                )
            }
            Layer::VpcEndpoint => (
                "new VPC endpoint policy".to_string(),
                "the VPC endpoint".to_string(),
                None,
            ),
            _ => ("new policy".to_string(), String::new(), None),
        };
        Target::New {
            layer,
            level,
            ty: ty_of_layer(layer, trust),
            label: label.clone(),
            origin: PolicyOrigin {
                account,
                attached_to,
                kind: kind_of_layer(layer, trust),
                editable: true,
                file: "(new)".into(),
            },
        }
    }
}

/// Who holds the identity policies of the caller, in words.
fn identity_owner(s: &Scenario, built: &Built) -> String {
    if let Some(f) = &built.principal_found {
        if matches!(s.request.caller, Caller::FederatedUser { .. }) {
            return format!("{f} (the IAM user that called GetFederationToken)");
        }
        return f.clone();
    }
    match &s.request.caller {
        Caller::User { name, .. } => format!("user {name}"),
        Caller::AssumedRole { role, .. } => format!("role {role}"),
        Caller::FederatedUser { name, .. } => {
            format!(
                "user {} (the IAM user that called GetFederationToken)",
                s.request
                    .federated_parent
                    .clone()
                    .unwrap_or_else(|| name.clone())
            )
        }
        other => other.display(),
    }
}

fn parse_doc(
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

fn apply(s: &Scenario, c: &Candidate) -> Result<Scenario, String> {
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
                policy,
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
                    policy,
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

fn request_candidate_for(s: &Scenario, key: &str, value: &str) -> Option<Candidate> {
    if key.eq_ignore_ascii_case("aws:RequestedRegion")
        && GLOBAL_SERVICES.contains(&s.request.service_lc.as_str())
    {
        return None;
    }
    Some(request_candidate(key, value))
}

fn request_candidate(key: &str, value: &str) -> Candidate {
    Candidate {
        kind: FixKind::ChangeRequest,
        title: request_change_title(key, value),
        target: Target::Request,
        patch: vec![patch::add(&format!("/request/context/{}", patch::escape(key)), Value::from(value))],
        statement_path: None,
        note: Some("a change to how the call is made, not to a policy; the patch is against the scenario (--emit-scenario)".into()),
    }
}

/// Candidates that stop an explicit Deny from applying.
fn explicit_candidates(
    cx: &Ctx<'_>,
    s: &Scenario,
    e: &Evaluation,
    d: &StatementRef,
) -> Vec<Candidate> {
    let mut out = Vec::new();
    let Some(slot) = slot_of(s, d) else {
        return out;
    };
    let origin = cx.origin(s, slot);
    let Some(np) = policy_at(s, slot) else {
        return out;
    };
    let st_trace = trace_statement(e, d.layer, d.level, &d.policy, d.index);
    let conds: Vec<ConditionTrace> = st_trace.map(|t| t.conditions.clone()).unwrap_or_default();
    let guardrail = matches!(d.layer, Layer::Scp | Layer::Rcp);
    let action = canonical_action(s);
    if let (true, Some(doc)) = (origin.editable, document_of(np)) {
        if let Some(sp) = stmt_path(&doc, d.index) {
            let place = if guardrail {
                format!(
                    "the {} statement {}",
                    d.layer.as_str().to_ascii_uppercase(),
                    d.statement
                )
            } else {
                format!("statement {}", d.statement)
            };
            // a. an exception for the caller
            if let Some(parn) =
                principal_arn(s).filter(|_| s.request.caller.is_iam() && !effectively_anonymous(s))
            {
                let existing = conds.iter().find(|c| {
                    c.key.eq_ignore_ascii_case("aws:PrincipalArn") && is_negated_op(&c.operator)
                });
                let op = existing
                    .map(|c| c.operator.clone())
                    .unwrap_or_else(|| "ArnNotLike".into());
                let key = existing
                    .map(|c| c.key.clone())
                    .unwrap_or_else(|| "aws:PrincipalArn".into());
                let ops = add_condition_value(&doc, &sp, &op, &key, Value::from(parn.as_str()));
                if !ops.is_empty() {
                    out.push(Candidate {
                        kind: FixKind::ExceptionCondition,
                        title: if guardrail {
                            format!(
                                "Add an exception for {parn} to the {} statement {} ({op} {key})",
                                d.layer.as_str().to_ascii_uppercase(),
                                d.statement
                            )
                        } else {
                            format!("Exempt {parn} from {place} ({op} {key})")
                        },
                        target: Target::Existing(slot),
                        patch: ops,
                        statement_path: Some(sp.clone()),
                        note: guardrail.then(|| {
                            "a guardrail is narrowed with an exception, never removed".to_string()
                        }),
                    });
                }
            }
            // a'. an unauthenticated caller: an exception for its address
            if let (true, Some(ip)) = (
                effectively_anonymous(s) || matches!(s.request.caller, Caller::Anonymous),
                s.request.context.variable("aws:sourceip"),
            ) {
                let ops = add_condition_value(
                    &doc,
                    &sp,
                    "NotIpAddress",
                    "aws:SourceIp",
                    Value::from(format!("{ip}/32")),
                );
                if !ops.is_empty() {
                    out.push(Candidate {
                        kind: FixKind::ExceptionCondition,
                        title: format!("Exempt calls from {ip} from {place} (NotIpAddress aws:SourceIp)"),
                        target: Target::Existing(slot),
                        patch: ops,
                        statement_path: Some(sp.clone()),
                        note: Some("the caller is not authenticated with IAM here, so the exception can only name where it calls from".into()),
                    });
                }
            }
            // b. the key that made it apply: also accept the request's value
            for c in conds
                .iter()
                .filter(|c| c.holds && is_negated_op(&c.operator))
            {
                if c.key.eq_ignore_ascii_case("aws:PrincipalArn") {
                    continue;
                }
                let Some([v]) = c.request_values.as_deref() else {
                    continue;
                };
                let value = if c.operator.contains("IpAddress") && !v.contains('/') {
                    format!("{v}/32")
                } else {
                    v.clone()
                };
                let ops = add_condition_value(
                    &doc,
                    &sp,
                    &c.operator,
                    &c.key,
                    Value::from(value.as_str()),
                );
                if ops.is_empty() {
                    continue;
                }
                out.push(Candidate {
                    kind: FixKind::ExceptionCondition,
                    title: format!(
                        "Also accept {} = {value} in {place} (condition {} {})",
                        c.key, c.operator, c.key
                    ),
                    target: Target::Existing(slot),
                    patch: ops,
                    statement_path: Some(sp.clone()),
                    note: Some(format!(
                        "this exempts every caller whose {} is {value}, not only this one",
                        c.key
                    )),
                });
            }
            // c. exempt the action from a NotAction deny
            if doc.pointer(&format!("{sp}/NotAction")).is_some() {
                let ops = add_to_list(
                    &doc,
                    &format!("{sp}/NotAction"),
                    Value::from(action.as_str()),
                );
                if !ops.is_empty() {
                    out.push(Candidate {
                        kind: FixKind::ExemptAction,
                        title: format!("Exempt {action} from {place} (add it to NotAction)"),
                        target: Target::Existing(slot),
                        patch: ops,
                        statement_path: Some(sp.clone()),
                        note: Some(
                            "this exempts the action for every principal the statement covers"
                                .into(),
                        ),
                    });
                }
            }
            // d. remove it (never for guardrails)
            if !guardrail {
                out.push(Candidate {
                    kind: FixKind::RemoveStatement,
                    title: format!(
                        "Remove statement {} from {}",
                        d.statement,
                        np.name.as_deref().unwrap_or(&np.label)
                    ),
                    target: Target::Existing(slot),
                    patch: vec![patch::remove(&sp)],
                    statement_path: None,
                    note: Some(
                        "only if nobody relies on this Deny; the exception above is narrower"
                            .into(),
                    ),
                });
            }
        }
    }
    // e. change the request so that the condition no longer holds; for security
    //    controls (MFA, TLS) that is the right fix, so it comes first.
    let mut request_side = Vec::new();
    let mut security = false;
    for c in conds.iter().filter(|c| c.holds && controllable(&c.key)) {
        if let Some(rc) = value_for(&c.operator, &c.policy_values, false)
            .and_then(|v| request_candidate_for(s, &c.key, &v))
        {
            security |= matches!(
                c.key.to_ascii_lowercase().as_str(),
                "aws:multifactorauthpresent" | "aws:securetransport"
            );
            request_side.push(rc);
        }
    }
    if security {
        request_side.extend(out);
        return request_side;
    }
    out.extend(request_side);
    out
}

fn near_misses(
    e: &Evaluation,
    layer: Layer,
    level: Option<usize>,
) -> Vec<(&LayerTrace, usize, &StatementTrace)> {
    let mut out = Vec::new();
    for l in e
        .layers
        .iter()
        .filter(|l| l.layer == layer && (level.is_none() || l.level == level))
    {
        for (pi, p) in l.policies.iter().enumerate() {
            for st in &p.statements {
                let action_ok = !st.misses.iter().any(|m| matches!(m, Miss::Action { .. }));
                if st.effect == "Allow" && !st.applies && action_ok && !st.misses.is_empty() {
                    out.push((l, pi, st));
                }
            }
        }
    }
    out.sort_by_key(|(_, _, st)| st.misses.len());
    out
}

/// Candidates that make a layer allow the request.
fn implicit_candidates(
    cx: &Ctx<'_>,
    s: &Scenario,
    e: &Evaluation,
    layer: Layer,
    level: Option<usize>,
) -> Vec<Candidate> {
    let mut first = Vec::new();
    let mut later = Vec::new();
    let action = canonical_action(s);
    let resource = s.request.resource.as_str().to_string();
    let trust = is_trust(s);
    let kms = is_kms_key(s);
    let caller_principal = principal_element(s);
    // Near misses in this layer: fix the one element that failed.
    for (l, pi, st) in near_misses(e, layer, level) {
        let slot = Slot {
            layer: l.layer,
            level: l.level,
            index: pi,
        };
        let origin = cx.origin(s, slot);
        let Some(np) = policy_at(s, slot) else {
            continue;
        };
        let Some(doc) = document_of(np) else { continue };
        let Some(sp) = stmt_path(&doc, st.index) else {
            continue;
        };
        let mut ops = Vec::new();
        let mut kinds = Vec::new();
        let mut request_side = Vec::new();
        let mut ok = true;
        for m in &st.misses {
            match m {
                Miss::Resource { negated: false, .. } if resource != "*" => {
                    ops.extend(add_to_list(
                        &doc,
                        &format!("{sp}/Resource"),
                        Value::from(resource.as_str()),
                    ));
                    kinds.push((
                        FixKind::AddResource,
                        format!("add {resource} to its Resource"),
                    ));
                }
                Miss::Principal { negated: false, .. } => match &caller_principal {
                    Some(Value::Object(pe)) => {
                        for (k, v) in pe {
                            let ppath = format!("{sp}/Principal");
                            match doc.pointer(&ppath) {
                                Some(Value::Object(_)) => ops.extend(add_to_list(
                                    &doc,
                                    &format!("{ppath}/{k}"),
                                    v.clone(),
                                )),
                                _ => ops.push(patch::replace(&ppath, json!({ k: v }))),
                            }
                        }
                        kinds.push((
                            FixKind::AddPrincipal,
                            format!(
                                "add {} to its Principal",
                                pe.values()
                                    .filter_map(Value::as_str)
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        ));
                    }
                    _ => ok = false,
                },
                Miss::Condition {
                    operator,
                    key,
                    request_values: Some(v),
                    policy_values,
                    ..
                } if v.len() == 1 && is_positive_string_op(operator) => {
                    // The guard makes this the request's only value.
                    let value = v.first().map_or("", String::as_str);
                    ops.extend(add_condition_value(
                        &doc,
                        &sp,
                        operator,
                        key,
                        Value::from(value),
                    ));
                    kinds.push((
                        FixKind::AddConditionValue,
                        format!("also accept {key} = {value}"),
                    ));
                    if controllable(key) {
                        if let Some(c) = value_for(operator, policy_values, true)
                            .and_then(|pv| request_candidate_for(s, key, &pv))
                        {
                            request_side.push(c);
                        }
                    }
                }
                Miss::Condition {
                    operator,
                    key,
                    request_values: None,
                    policy_values,
                    ..
                } => {
                    if controllable(key) {
                        if let Some(c) = value_for(operator, policy_values, true)
                            .and_then(|v| request_candidate_for(s, key, &v))
                        {
                            request_side.push(c);
                        }
                    }
                    ok = false;
                }
                _ => ok = false,
            }
        }
        later.extend(request_side);
        if !ok || ops.is_empty() || !origin.editable {
            continue;
        }
        let (kind, what) = match kinds.as_slice() {
            [(k, w)] => (*k, w.clone()),
            many => (
                many.first().map_or(FixKind::AddResource, |k| k.0),
                many.iter()
                    .map(|k| k.1.clone())
                    .collect::<Vec<_>>()
                    .join(" and "),
            ),
        };
        let single_action = doc.pointer(&format!("{sp}/Action")).is_some_and(|a| {
            a.as_str()
                .or_else(|| {
                    a.as_array().and_then(|x| match x.as_slice() {
                        [only] => only.as_str(),
                        _ => None,
                    })
                })
                .is_some_and(|x| !x.contains(['*', '?']))
        });
        if kinds.iter().any(|(k, _)| *k == FixKind::AddPrincipal) && !single_action {
            // Adding the caller to a statement that grants more than the action would grant too much.
            continue;
        }
        let c = Candidate {
            kind,
            title: format!(
                "In statement {} of {}, {what}",
                st.sid,
                np.name.as_deref().unwrap_or(&np.label)
            ),
            target: Target::Existing(slot),
            patch: ops,
            statement_path: Some(sp),
            note: (!single_action).then(|| {
                "the statement grants other actions too; they would also cover this resource"
                    .to_string()
            }),
        };
        if kind == FixKind::AddPrincipal || single_action {
            first.push(c);
        } else {
            later.push(c);
        }
    }
    // One new Allow statement scoped to the exact action and resource.
    let mut stmt = serde_json::Map::new();
    stmt.insert("Effect".into(), Value::from("Allow"));
    let needs_principal = matches!(layer, Layer::Resource | Layer::VpcEndpoint);
    let mut principal_ok = true;
    let mut cond = None;
    if needs_principal {
        match &caller_principal {
            Some(p) => {
                stmt.insert("Principal".into(), p.clone());
            }
            None => {
                // An anonymous (unauthenticated) caller can only be narrowed by network facts.
                let ip = s.request.context.variable("aws:sourceip");
                let vpce = s.request.context.variable("aws:sourcevpce");
                match (vpce, ip) {
                    (Some(v), _) => {
                        stmt.insert("Principal".into(), Value::from("*"));
                        cond = Some(json!({ "StringEquals": { "aws:SourceVpce": v } }));
                    }
                    (None, Some(ip)) => {
                        stmt.insert("Principal".into(), Value::from("*"));
                        cond = Some(json!({ "IpAddress": { "aws:SourceIp": format!("{ip}/32") } }));
                    }
                    _ => principal_ok = false,
                }
            }
        }
    }
    stmt.insert("Action".into(), Value::from(action.as_str()));
    if !(layer == Layer::Resource && trust) {
        stmt.insert("Resource".into(), Value::from(resource.as_str()));
    }
    if let Some(c) = cond {
        stmt.insert("Condition".into(), c);
    }
    let statement = Value::Object(stmt);
    let resource_star_note = (resource == "*").then(|| {
        let scoped = verdict_catalog::catalog().action(&action).is_some_and(|a| !a.only_supports_star());
        if scoped {
            "the request's resource is unknown, so the statement says \"*\"; replace it with the resource's ARN".to_string()
        } else {
            format!("{action} supports no resource-level permission, so \"Resource\": \"*\" is required")
        }
    });
    let layer_allowed = match layer {
        Layer::Identity => {
            s.request.caller.is_iam() && !matches!(s.request.caller, Caller::Root { .. })
        }
        Layer::Resource | Layer::VpcEndpoint => principal_ok,
        Layer::Rcp => false,
        _ => true,
    };
    if layer_allowed {
        let mut add_to: Vec<Slot> = Vec::new();
        let pols = policies_at(s, layer, level);
        let mut editable: Vec<(usize, PolicyOrigin)> = (0..pols.len())
            .map(|i| {
                (
                    i,
                    cx.origin(
                        s,
                        Slot {
                            layer,
                            level,
                            index: i,
                        },
                    ),
                )
            })
            .filter(|(_, o)| o.editable)
            .collect();
        // Prefer the principal's own inline policy, then other inline policies, then customer managed.
        let svc = format!("\"{}:", s.request.service_lc);
        let mentions = |i: usize| {
            pols.get(i).is_some_and(|p| {
                p.policy
                    .source
                    .slice(p.policy.span)
                    .to_ascii_lowercase()
                    .contains(&svc)
            })
        };
        editable.sort_by_key(|(i, o)| {
            let kind = match o.kind {
                PolicyKind::Inline if !o.attached_to.starts_with("group") => 0,
                PolicyKind::Inline => 1,
                PolicyKind::CustomerManaged => 2,
                _ => 3,
            };
            (!mentions(*i), kind)
        });
        if let Some((i, _)) = editable.first() {
            add_to.push(Slot {
                layer,
                level,
                index: *i,
            });
        }
        for slot in add_to {
            let Some(np) = policy_at(s, slot) else {
                continue;
            };
            let Some(doc) = document_of(np) else { continue };
            let mut st = statement.clone();
            if let Some(o) = st.as_object_mut() {
                let sid = sid_for("Allow", &action, &doc);
                let mut m = serde_json::Map::new();
                m.insert("Sid".into(), Value::from(sid));
                m.extend(std::mem::take(o));
                *o = m;
            }
            let (ops, sp) = append_statement(&doc, st);
            first.push(Candidate {
                kind: if layer == Layer::Resource && !trust && !kms {
                    FixKind::AddPrincipal
                } else {
                    FixKind::AddAllowStatement
                },
                title: if trust {
                    format!(
                        "Allow {} to assume the role: add a statement to {}",
                        principal_arn(s).unwrap_or_else(|| s.request.caller.display()),
                        np.name.as_deref().unwrap_or(&np.label)
                    )
                } else {
                    format!(
                        "Add an Allow for {action} on {resource} to {}",
                        np.name.as_deref().unwrap_or(&np.label)
                    )
                },
                target: Target::Existing(slot),
                patch: ops,
                statement_path: Some(sp),
                note: resource_star_note.clone(),
            });
        }
        let no_policy = policies_at(s, layer, level).is_empty()
            || (first.is_empty() && layer != Layer::PermissionsBoundary);
        if no_policy && !matches!(layer, Layer::PermissionsBoundary | Layer::Authorizer) {
            let sid = sid_for("Allow", &action, &Value::Null);
            let mut st = statement.clone();
            if let Some(o) = st.as_object_mut() {
                let mut m = serde_json::Map::new();
                m.insert("Sid".into(), Value::from(sid));
                m.extend(std::mem::take(o));
                *o = m;
            }
            let doc = json!({ "Version": "2012-10-17", "Statement": [st] });
            let target = cx.new_target(s, layer, level);
            let what = match &target {
                Target::New { origin, .. } => {
                    format!("a new {} on {}", origin.kind.describe(), origin.attached_to)
                }
                _ => String::new(),
            };
            let note = match layer {
                Layer::Session => Some("session policies are passed when the session is created (the Policy parameter of AssumeRole or GetFederationToken)".to_string()),
                Layer::Scp => Some("attach it at the level named; every level from the root to the account must allow the action".to_string()),
                _ => resource_star_note.clone(),
            };
            first.push(Candidate {
                kind: FixKind::NewPolicy,
                title: format!("Create {what} allowing {action}"),
                target,
                patch: vec![patch::add("", doc)],
                statement_path: Some("/Statement/0".into()),
                note,
            });
        }
    }
    // KMS: a key-policy statement that lets the account's IAM policies grant access.
    if kms && layer == Layer::Resource {
        if let (Some(acct), Some(np)) = (s.request.caller.account(), s.policies.resource.as_ref()) {
            let slot = Slot {
                layer,
                level: None,
                index: 0,
            };
            if let (Some(doc), true) = (document_of(np), cx.origin(s, slot).editable) {
                let partition = s.request.caller.partition().unwrap_or("aws");
                let st = json!({
                    "Sid": sid_for("EnableIamPoliciesFor", &action, &doc),
                    "Effect": "Allow",
                    "Principal": { "AWS": format!("arn:{partition}:iam::{acct}:root") },
                    "Action": action,
                    "Resource": resource,
                });
                let (ops, sp) = append_statement(&doc, st);
                first.push(Candidate {
                    kind: FixKind::KeyPolicyDelegation,
                    title: format!("Let IAM policies in account {acct} grant {action} on this key (key-policy statement for {acct}:root)"),
                    target: Target::Existing(slot),
                    patch: ops,
                    statement_path: Some(sp),
                    note: Some("the caller's identity policies must then allow the action too".into()),
                });
            }
        }
    }
    // Same account, identity layer: naming the caller in the resource policy also works.
    if layer == Layer::Identity && s.policies.resource.is_some() && !trust && !kms {
        let same = s.request.caller.account().is_some()
            && s.request.caller.account() == s.resource_account.as_deref();
        if same {
            later.extend(implicit_candidates_resource_only(cx, s, &action, &resource));
        }
    }
    // Context the request lacks that would flip the decision.
    for k in &e.missing_context {
        if let (true, Some(v)) = (
            k.could_change_decision && controllable(&k.key),
            &k.flipping_value,
        ) {
            if !later.iter().chain(first.iter()).any(|c| {
                matches!(c.target, Target::Request)
                    && c.patch
                        .first()
                        .and_then(|o| o.get("path"))
                        .and_then(Value::as_str)
                        .is_some_and(|p| p.ends_with(&patch::escape(&k.key)))
            }) {
                later.extend(request_candidate_for(s, &k.key, v));
            }
        }
    }
    first.extend(later);
    first
}

fn implicit_candidates_resource_only(
    cx: &Ctx<'_>,
    s: &Scenario,
    action: &str,
    resource: &str,
) -> Vec<Candidate> {
    let slot = Slot {
        layer: Layer::Resource,
        level: None,
        index: 0,
    };
    let (Some(np), Some(p)) = (policy_at(s, slot), principal_element(s)) else {
        return Vec::new();
    };
    if !cx.origin(s, slot).editable || resource == "*" {
        return Vec::new();
    }
    let Some(doc) = document_of(np) else {
        return Vec::new();
    };
    let st = json!({ "Sid": sid_for("Allow", action, &doc), "Effect": "Allow", "Principal": p, "Action": action, "Resource": resource });
    let (ops, sp) = append_statement(&doc, st);
    vec![Candidate {
        kind: FixKind::AddPrincipal,
        title: format!(
            "Or grant it in the resource policy: allow {action} for the caller on {resource}"
        ),
        target: Target::Existing(slot),
        patch: ops,
        statement_path: Some(sp),
        note: Some(
            "in the same account a resource policy that names the caller is enough on its own"
                .into(),
        ),
    }]
}

fn candidates(cx: &Ctx<'_>, s: &Scenario, e: &Evaluation) -> Vec<Candidate> {
    match (e.decision, e.denied_by, &e.deciding_statement) {
        (Decision::ExplicitDeny, Some(_), Some(d)) => explicit_candidates(cx, s, e, d),
        (Decision::ImplicitDeny, Some(Layer::Scp), _) => {
            let level = e
                .layers
                .iter()
                .filter(|l| l.layer == Layer::Scp)
                .find(|l| l.outcome == verdict_eval::LayerOutcome::NoMatch)
                .and_then(|l| l.level);
            implicit_candidates(cx, s, e, Layer::Scp, level)
        }
        (Decision::ImplicitDeny, Some(Layer::Authorizer), _) => {
            let mut c = implicit_candidates(cx, s, e, Layer::Authorizer, None);
            c.extend(implicit_candidates(cx, s, e, Layer::Resource, None));
            c
        }
        (Decision::ImplicitDeny, Some(l), _) => implicit_candidates(cx, s, e, l, None),
        _ => Vec::new(),
    }
}

fn progressed(before: &Evaluation, after: &Scenario) -> bool {
    let v = decide(after);
    if v.decision != before.decision || v.denied_by != before.denied_by {
        return true;
    }
    if before.decision == Decision::ExplicitDeny {
        let e2 = evaluate(after);
        let key = |d: &Option<StatementRef>| {
            d.as_ref()
                .map(|d| (d.layer, d.level, d.policy.clone(), d.index))
        };
        return key(&e2.deciding_statement) != key(&before.deciding_statement);
    }
    false
}

fn level_name(built: &Built, layer: Layer, level: Option<usize>) -> Option<String> {
    let l = level?;
    match layer {
        Layer::Scp => built.scp_levels.get(l).cloned(),
        Layer::Rcp => built.rcp_levels.get(l).cloned(),
        _ => None,
    }
}

fn describe_target(
    cx: &Ctx<'_>,
    s: &Scenario,
    c: &Candidate,
) -> (
    Option<String>,
    Layer,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
) {
    match &c.target {
        Target::Existing(slot) => {
            let o = cx.origin(s, *slot);
            let np = policy_at(s, *slot);
            let location = match np {
                Some(np) => o.describe(np),
                None => String::new(),
            };
            (
                o.account.clone(),
                slot.layer,
                location,
                np.map(|p| p.name.clone().unwrap_or_else(|| p.label.clone())),
                np.and_then(|p| p.arn.clone()),
                Some(o.file.clone()),
            )
        }
        Target::New {
            layer,
            label,
            origin,
            ..
        } => {
            let mut loc = format!("a new {}", origin.kind.describe());
            if !origin.attached_to.is_empty() {
                loc.push_str(&format!(" on {}", origin.attached_to));
            }
            if let Some(a) = &origin.account {
                loc.push_str(&format!(" in account {a}"));
            }
            (
                origin.account.clone(),
                *layer,
                loc,
                Some(label.clone()),
                None,
                None,
            )
        }
        Target::Request => (
            None,
            Layer::Identity,
            "the request (how the call is made)".into(),
            None,
            None,
            None,
        ),
    }
}

fn statement_after(s: &Scenario, c: &Candidate) -> Option<Value> {
    let path = c.statement_path.as_ref()?;
    let base = match &c.target {
        Target::Existing(slot) => document_of(policy_at(s, *slot)?)?,
        Target::New { .. } => Value::Null,
        Target::Request => return None,
    };
    patch::apply(&base, &c.patch).ok()?.pointer(path).cloned()
}

/// Find the blockers of `built.scenario` and verified fixes for them.
pub fn plan(built: &Built) -> Plan {
    let cx = Ctx { built };
    let base = &built.scenario;
    let mut state = base.clone();
    let mut blockers: Vec<Blocker> = Vec::new();
    let mut per_blocker: Vec<Vec<Candidate>> = Vec::new();
    let mut primaries: Vec<Candidate> = Vec::new();
    for step in 0..MAX_STEPS {
        let e = evaluate(&state);
        let Some(layer) = e.denied_by.filter(|_| e.decision != Decision::Allow) else {
            break;
        };
        let level = e
            .deciding_statement
            .as_ref()
            .and_then(|d| d.level)
            .or_else(|| {
                e.layers
                    .iter()
                    .filter(|l| l.layer == layer)
                    .find(|l| l.outcome == verdict_eval::LayerOutcome::NoMatch)
                    .and_then(|l| l.level)
            });
        let mut blocker = Blocker {
            step: step + 1,
            decision: e.decision,
            layer,
            level: level_name(built, layer, level),
            statement: e.deciding_statement.clone(),
            reason: e.reason.clone(),
            message: e.message.clone(),
            fixes: Vec::new(),
            unfixable: None,
        };
        let mut ok: Vec<(Candidate, Scenario)> = Vec::new();
        for c in candidates(&cx, &state, &e) {
            if ok
                .iter()
                .any(|(o, _)| o.patch == c.patch && o.title == c.title)
            {
                continue;
            }
            if let Ok(next) = apply(&state, &c) {
                if progressed(&e, &next) {
                    ok.push((c, next));
                }
            }
        }
        let Some((first, next)) = ok.first().cloned() else {
            let locked = e
                .deciding_statement
                .as_ref()
                .filter(|_| e.decision == Decision::ExplicitDeny)
                .and_then(|d| Some((d, built.origin(slot_of(&state, d)?)?)))
                .filter(|(_, o)| !o.editable);
            blocker.unfixable = Some(match locked {
                Some((d, _)) => format!(
                    "{} is AWS managed and cannot be edited: detach it, since no Allow can outweigh its Deny",
                    d.policy
                ),
                None => "Verdict found no change it could verify for this cause; see the near misses above".to_string(),
            });
            blockers.push(blocker);
            per_blocker.push(Vec::new());
            break;
        };
        primaries.push(first);
        per_blocker.push(ok.into_iter().map(|(c, _)| c).collect());
        blockers.push(blocker);
        state = next;
    }
    let complete = decide(&state).decision == Decision::Allow && primaries.len() == blockers.len();
    let mut fixes = Vec::new();
    if !complete {
        return Plan {
            blockers,
            fixes,
            complete,
        };
    }
    // Verify every candidate: with the other blockers' primary fixes applied, it flips the decision.
    let mut verified: Vec<Vec<(Candidate, bool)>> = Vec::new();
    for (i, cands) in per_blocker.iter().enumerate() {
        let mut v = Vec::new();
        for c in cands {
            let mut sc = base.clone();
            let mut applied = true;
            for (j, p) in primaries.iter().enumerate() {
                let step = if j == i { c } else { p };
                match apply(&sc, step) {
                    Ok(n) => sc = n,
                    Err(_) => {
                        applied = false;
                        break;
                    }
                }
            }
            if !(applied && decide(&sc).decision == Decision::Allow) {
                continue;
            }
            let alone = apply(base, c)
                .map(|n| decide(&n).decision == Decision::Allow)
                .unwrap_or(false);
            v.push((c.clone(), alone));
        }
        verified.push(v);
    }
    // Ids: primaries first within each blocker, in blocker order.
    let mut next_id = 1;
    let mut ids: Vec<Vec<usize>> = Vec::new();
    for v in &verified {
        ids.push((0..v.len()).map(|k| next_id + k).collect());
        next_id += v.len();
    }
    for (i, (v, v_ids)) in verified.into_iter().zip(&ids).enumerate() {
        for ((c, alone), &id) in v.into_iter().zip(v_ids) {
            let requires: Vec<usize> = if alone {
                Vec::new()
            } else {
                ids.iter()
                    .enumerate()
                    .filter(|(j, _)| *j != i)
                    .filter_map(|(_, l)| l.first().copied())
                    .collect()
            };
            // Describe against the state the candidate was computed on.
            let mut at = base.clone();
            for p in primaries.iter().take(i) {
                if let Ok(n) = apply(&at, p) {
                    at = n;
                }
            }
            let (account, layer, location, policy, policy_arn, file) =
                describe_target(&cx, &at, &c);
            let statement = statement_after(&at, &c);
            let mut note = c.note;
            if let (Layer::Identity, Caller::AssumedRole { role, .. }) = (layer, &at.request.caller)
            {
                if role.starts_with("AWSReservedSSO_") && !matches!(c.target, Target::Request) {
                    let set = role
                        .trim_start_matches("AWSReservedSSO_")
                        .rsplit_once('_')
                        .map_or(role.as_str(), |(n, _)| n);
                    note = Some(format!("this role is managed by IAM Identity Center: make the change in the permission set {set}, not on the role, or it will be overwritten"));
                }
            }
            // One blocker per verified list, pushed together above.
            if let Some(b) = blockers.get_mut(i) {
                b.fixes.push(id);
            }
            fixes.push(Fix {
                id,
                blocker: i + 1,
                kind: c.kind,
                title: c.title,
                account,
                layer,
                location,
                policy,
                policy_arn,
                file,
                patch: c.patch,
                statement,
                note,
                verified: true,
                requires,
                target: c.target,
            });
        }
    }
    Plan {
        blockers,
        fixes,
        complete,
    }
}

/// The scenario with fix `f` and the fixes it requires applied (to check a fix again).
pub fn apply_fix(built: &Built, plan: &Plan, f: &Fix) -> Option<Scenario> {
    apply_with_requirements(built, plan, f, true)
}

/// The scenario with only the fixes `f` requires (not `f` itself).
pub fn apply_requirements(built: &Built, plan: &Plan, f: &Fix) -> Option<Scenario> {
    apply_with_requirements(built, plan, f, false)
}

/// Apply the fixes `f` requires, and `f` itself when `include_f`, blockers in order.
fn apply_with_requirements(
    built: &Built,
    plan: &Plan,
    f: &Fix,
    include_f: bool,
) -> Option<Scenario> {
    let mut order: Vec<&Fix> = plan
        .fixes
        .iter()
        .filter(|x| f.requires.contains(&x.id))
        .collect();
    if include_f {
        order.push(f);
    }
    order.sort_by_key(|x| x.blocker);
    let mut state = built.scenario.clone();
    for x in order {
        let c = Candidate {
            kind: x.kind,
            title: x.title.clone(),
            target: x.target.clone(),
            patch: x.patch.clone(),
            statement_path: None,
            note: None,
        };
        state = apply(&state, &c).ok()?;
    }
    Some(state)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn condition_values_are_added_without_duplicate_keys() {
        let doc = json!({"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/A"}}}]});
        let ops = add_condition_value(
            &doc,
            "/Statement/0",
            "ArnNotLike",
            "aws:principalarn",
            json!("arn:aws:iam::1:role/B"),
        );
        let out = patch::apply(&doc, &ops).unwrap();
        assert_eq!(
            out.pointer("/Statement/0/Condition/ArnNotLike/aws:PrincipalArn"),
            Some(&json!(["arn:aws:iam::*:role/A", "arn:aws:iam::1:role/B"]))
        );
        let ops = add_condition_value(
            &doc,
            "/Statement/0",
            "StringEquals",
            "aws:PrincipalTag/team",
            json!("x"),
        );
        let out = patch::apply(&doc, &ops).unwrap();
        assert_eq!(
            out.pointer("/Statement/0/Condition/StringEquals/aws:PrincipalTag~1team"),
            Some(&json!("x"))
        );
        let bare = json!({"Statement": {"Effect": "Deny", "Action": "*", "Resource": "*"}});
        let ops = add_condition_value(
            &bare,
            "/Statement",
            "Bool",
            "aws:SecureTransport",
            json!("false"),
        );
        assert_eq!(
            patch::apply(&bare, &ops)
                .unwrap()
                .pointer("/Statement/Condition/Bool/aws:SecureTransport"),
            Some(&json!("false"))
        );
    }

    #[test]
    fn statements_are_appended_to_arrays_and_single_objects() {
        let arr = json!({"Statement": [{"Sid": "A"}]});
        let (ops, at) = append_statement(&arr, json!({"Sid": "B"}));
        assert_eq!(at, "/Statement/1");
        assert_eq!(
            patch::apply(&arr, &ops).unwrap().pointer(&at),
            Some(&json!({"Sid": "B"}))
        );
        let one = json!({"Statement": {"Sid": "A"}});
        let (ops, at) = append_statement(&one, json!({"Sid": "B"}));
        assert_eq!(
            patch::apply(&one, &ops).unwrap().pointer(&at),
            Some(&json!({"Sid": "B"}))
        );
    }

    #[test]
    fn values_that_flip_a_condition() {
        assert_eq!(
            value_for("BoolIfExists", &["false".into()], false).as_deref(),
            Some("true")
        );
        assert_eq!(
            value_for("StringNotEqualsIfExists", &["vpce-1".into()], false).as_deref(),
            Some("vpce-1")
        );
        assert_eq!(value_for("StringNotEquals", &["eu-*".into()], false), None);
        assert_eq!(
            value_for("NotIpAddress", &["10.0.0.0/8".into()], false).as_deref(),
            Some("10.0.0.0")
        );
        assert_eq!(
            value_for("StringEquals", &["vpc-1".into()], true).as_deref(),
            Some("vpc-1")
        );
        assert!(is_negated_op("ForAnyValue:StringNotLike"));
        assert!(!is_negated_op("Null"));
    }

    #[test]
    fn sids_are_unique_and_alphanumeric() {
        let doc = json!({"Statement": [{"Sid": "AllowGetObject"}]});
        assert_eq!(sid_for("Allow", "s3:GetObject", &doc), "AllowGetObject2");
        assert_eq!(
            sid_for("Allow", "execute-api:Invoke", &Value::Null),
            "AllowInvoke"
        );
    }
}
