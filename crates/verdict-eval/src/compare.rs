//! Comparing two policies offline: which requests one allows and the other does not,
//! each shown by a concrete request re-checked by the concrete engine (`verdict diff`,
//! `verdict check`).
//!
//! A policy is compared as the policy that decides: the other layers allow everything
//! (§6.1). Identity-side policies are compared for one same-account caller; resource-based,
//! trust, RCP and VPC endpoint policies for callers that stand for every principal their
//! Principal elements distinguish. The request space is split three ways:
//! - actions: every catalog action of the services the policies name (and one action of
//!   any other service, for `*` and NotAction), grouped by which statements cover it;
//! - resources: for each action, ARNs of its resource types (catalog ARN formats, in the
//!   caller's account); every Resource entry is a question answered symbolically, and the
//!   pattern automata of `verdict-sets` build a resource for a branch or prove there is
//!   none;
//! - context: every key the policies test is unknown, answered as in
//!   [`crate::residual`], with representative values.
//!
//! Both policies are run on the same answers; a branch where one allows and the other
//! does not is a difference once a concrete request reaches it. A branch that cannot be
//! modelled or searched exactly makes the relation `unknown`, never a guess.

use crate::context::{Context, CtxValue};
use crate::readings::{Assumptions, Readings};
use crate::request::{Caller, Request};
use crate::residual::Oracle;
use crate::trace::Decision;
use crate::{NamedPolicy, Policies, Scenario};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;
use std::sync::{Arc, OnceLock};
use verdict_policy::model::Statement;
use verdict_policy::{Diagnostic, Policy, PolicyType, SourceFile};
use verdict_sets::lang::{witness, Pattern};

/// The caller every comparison evaluates for.
pub const CALLER_ACCOUNT: &str = "111122223333";
const CALLER: &str = "arn:aws:iam::111122223333:user/verdict-diff";

/// How NEW relates to OLD.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// They allow exactly the same requests.
    Equivalent,
    /// NEW allows everything OLD does, and more.
    MorePermissive,
    /// NEW allows less than OLD, nothing new.
    LessPermissive,
    /// Each allows something the other does not.
    Incomparable,
    /// Verdict could not decide exactly (see `unknown_reasons`).
    Unknown,
}

impl Relation {
    /// snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Relation::Equivalent => "equivalent",
            Relation::MorePermissive => "more_permissive",
            Relation::LessPermissive => "less_permissive",
            Relation::Incomparable => "incomparable",
            Relation::Unknown => "unknown",
        }
    }
}

/// A concrete request.
#[derive(Clone, Debug, Serialize)]
pub struct Example {
    /// The caller.
    pub principal: String,
    /// The action.
    pub action: String,
    /// The resource.
    pub resource: String,
    /// Context values (`null`: absent) for the keys the policies test.
    pub context: serde_json::Value,
}

/// Requests one policy allows and the other does not, for a group of actions.
#[derive(Clone, Debug, Serialize)]
pub struct Access {
    /// The actions of the group (the policies treat them alike).
    pub actions: Vec<String>,
    /// How many actions the group has (the list may be shortened).
    pub action_count: usize,
    /// One request of the difference, re-checked by the concrete engine.
    pub example: Example,
    /// The statement of the allowing policy that grants it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub granted_by: Option<String>,
    /// Its position (0-based) in that policy's `Statement` list.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statement_index: Option<usize>,
}

/// The comparison.
#[derive(Clone, Debug, Serialize)]
pub struct Diff {
    /// How NEW relates to OLD.
    pub relation: Relation,
    /// Requests NEW allows and OLD does not.
    pub new_access: Vec<Access>,
    /// Requests OLD allows and NEW does not.
    pub removed_access: Vec<Access>,
    /// Why the relation is `unknown` (or which parts could not be compared).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unknown_reasons: Vec<String>,
    /// Groups of actions compared.
    pub action_groups: usize,
    /// What the comparison ranges over.
    pub scope: String,
}

/// What to compare.
#[derive(Clone, Debug)]
pub struct DiffOptions {
    /// The policy type both documents are read as.
    pub policy_type: PolicyType,
    /// Only these actions (patterns); all by default.
    pub actions: Option<Vec<String>>,
    /// Only resources matching these patterns; all by default.
    pub resources: Option<Vec<String>>,
    /// For resource-side policies: only these callers (default: every principal the
    /// policies distinguish). `no-public-access` asks for an unrelated account and
    /// anonymous.
    pub callers: Option<Vec<String>>,
}

/// The callers that stand for "the public": someone from an unrelated account, and an
/// anonymous caller.
pub fn public_callers() -> Vec<String> {
    vec![
        "arn:aws:iam::999999999999:user/verdict-stranger".to_string(),
        "anonymous".to_string(),
    ]
}

/// A policy that allows nothing: the "before" of a policy that is new, and the base of
/// `access-not-granted`.
pub fn no_access_policy() -> serde_json::Value {
    serde_json::json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": "*", "Resource": "*"}
    ]})
}

/// The base of `no-public-access`: a resource (or trust) policy that lets the public do
/// nothing, so that what a policy grants beyond it is what it grants the public.
pub fn no_public_access_policy(policy_type: PolicyType) -> serde_json::Value {
    let deny = if policy_type == PolicyType::Trust {
        serde_json::json!({"Effect": "Deny", "Principal": "*", "Action": "sts:*"})
    } else {
        serde_json::json!({"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"})
    };
    serde_json::json!({"Version": "2012-10-17", "Statement": [deny]})
}

/// The most branches explored for one group of actions (each costs two fast decisions;
/// only the branches where the policies differ are searched further).
pub const MAX_BRANCHES: usize = 65_536;

/// The most actions listed per group.
const LIST: usize = 12;

/// Where the compared policy sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Place {
    /// The caller's identity-based policy (or boundary, session policy, SCP).
    Identity,
    /// The resource's own policy (resource-based or trust policy).
    Resource,
    /// The organization's resource control policy.
    Rcp,
    /// The VPC endpoint the request goes through.
    VpcEndpoint,
}

impl Place {
    fn of(ty: PolicyType) -> Option<Place> {
        Some(match ty {
            PolicyType::Identity | PolicyType::Boundary | PolicyType::Session | PolicyType::Scp => {
                Place::Identity
            }
            PolicyType::Resource | PolicyType::Trust => Place::Resource,
            PolicyType::Rcp => Place::Rcp,
            PolicyType::VpcEndpoint => Place::VpcEndpoint,
            _ => return None,
        })
    }

    /// Does the policy name principals (so callers are a dimension)?
    fn has_principals(self) -> bool {
        self != Place::Identity
    }

    /// The layer whose statement grants, for reports.
    fn layer(self) -> crate::trace::Layer {
        match self {
            Place::Identity => crate::trace::Layer::Identity,
            Place::Resource => crate::trace::Layer::Resource,
            Place::Rcp => crate::trace::Layer::Rcp,
            Place::VpcEndpoint => crate::trace::Layer::VpcEndpoint,
        }
    }
}

/// Who asks, and where the compared policy sits.
#[derive(Clone, Debug)]
struct Setup {
    /// The caller.
    caller: String,
    /// Where the compared policy is.
    place: Place,
}

/// A compared document, parsed once and shared by every scenario of the comparison.
type Doc = Arc<Policy>;

/// A fixed policy document, parsed once per process.
fn fixed(cell: &'static OnceLock<Option<Doc>>, text: &str, ty: PolicyType) -> Option<Doc> {
    cell.get_or_init(|| {
        let src = SourceFile::new("<comparison>", text.to_string());
        verdict_policy::parse_policy(&src, verdict_policy::ParseOptions::new(ty))
            .ok()
            .map(Arc::new)
    })
    .clone()
}

/// An identity policy that allows everything.
fn allow_all_identity() -> Option<Doc> {
    static P: OnceLock<Option<Doc>> = OnceLock::new();
    fixed(
        &P,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
        PolicyType::Identity,
    )
}

/// A resource (or, for the trust actions, trust) policy that allows everyone everything.
fn open_resource(trust: bool) -> Option<Doc> {
    static R: OnceLock<Option<Doc>> = OnceLock::new();
    static T: OnceLock<Option<Doc>> = OnceLock::new();
    if trust {
        fixed(
            &T,
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:*"}]}"#,
            PolicyType::Trust,
        )
    } else {
        fixed(
            &R,
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#,
            PolicyType::Resource,
        )
    }
}

/// Parse a compared document as the layer it is placed at reads it.
fn parse_compared(doc: &serde_json::Value, ty: PolicyType) -> Result<Doc, Vec<Diagnostic>> {
    let place = Place::of(ty).ok_or_else(|| {
        vec![Diagnostic::new(
            verdict_policy::ErrorCode::InvalidScenario,
            format!("{} policies cannot be compared", ty.as_str()),
        )]
    })?;
    let read_as = match place {
        Place::Identity => PolicyType::Identity,
        Place::Resource if ty == PolicyType::Trust => PolicyType::Trust,
        Place::Resource => PolicyType::Resource,
        Place::Rcp => PolicyType::Rcp,
        Place::VpcEndpoint => PolicyType::VpcEndpoint,
    };
    let src = SourceFile::new(
        "<comparison>",
        serde_json::to_string(doc).unwrap_or_default(),
    );
    let tree = verdict_policy::json::parse(&src).map_err(|d| vec![d])?;
    verdict_policy::parse_policy_json(&tree, &src, verdict_policy::ParseOptions::new(read_as))
        .map(Arc::new)
}

fn named(label: &str, doc: Doc) -> NamedPolicy {
    NamedPolicy::new(None, None, label.to_string(), doc)
}

impl Setup {
    fn identity() -> Setup {
        Setup {
            caller: CALLER.to_string(),
            place: Place::Identity,
        }
    }

    /// The policies. Every other layer allows everything, so that the compared policy is
    /// what decides: a caller from another account gets an identity policy that allows
    /// everything (a same-account caller needs none to use a resource grant), and an RCP
    /// or VPC endpoint policy is compared behind a resource policy and an identity policy
    /// that allow everything.
    fn policies(&self, doc: &Doc, action: &str) -> Policies {
        let account = verdict_policy::arn::Arn::parse(&self.caller).map(|a| a.account.to_string());
        let foreign_iam = account.is_some_and(|a| !a.is_empty() && a != CALLER_ACCOUNT);
        let iam = verdict_policy::arn::Arn::parse(&self.caller).is_some();
        let lc = action.to_ascii_lowercase();
        let (svc, name) = lc.split_once(':').unwrap_or((lc.as_str(), ""));
        let trust = crate::request::is_trust_action(svc, name, "*");
        let resource_label = if trust {
            "role trust policy"
        } else {
            "resource policy"
        };
        let allow_all = || {
            allow_all_identity()
                .map(|p| named("identity[0]", p))
                .into_iter()
                .collect()
        };
        let mut p = Policies::default();
        match self.place {
            Place::Identity => p.identity = vec![named("identity[0]", doc.clone())],
            Place::Resource => {
                p.resource = Some(named(resource_label, doc.clone()));
                if foreign_iam {
                    p.identity = allow_all();
                }
            }
            Place::Rcp | Place::VpcEndpoint => {
                p.resource = open_resource(trust).map(|o| named(resource_label, o));
                if iam {
                    p.identity = allow_all();
                }
                if self.place == Place::Rcp {
                    p.rcps = Some(vec![vec![named("compared RCP", doc.clone())]]);
                } else {
                    p.vpc_endpoint = Some(vec![named("VPC endpoint policy[0]", doc.clone())]);
                }
            }
        }
        p
    }
}

/// The scenario Verdict builds to ask whether `caller` may do `action` on `resource` under
/// `doc` read as `policy_type` (the other layers allowing everything), with context
/// values `context` (`null`: absent). Exposed so that a comparison's counterexamples can be
/// re-checked independently.
pub fn example_scenario(
    doc: &serde_json::Value,
    policy_type: PolicyType,
    caller: &str,
    action: &str,
    resource: &str,
    context: &serde_json::Value,
) -> Result<Scenario, Vec<Diagnostic>> {
    let parsed = parse_compared(doc, policy_type)?;
    let place = Place::of(policy_type).unwrap_or(Place::Identity);
    let setup = Setup {
        caller: caller.to_string(),
        place,
    };
    let ctx: serde_json::Map<String, serde_json::Value> = context
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default();
    concrete_for(&parsed, &setup, action, resource, ctx)
}

fn scenario_for(
    doc: &Doc,
    setup: &Setup,
    action: &str,
    resource: &str,
    keys: &[String],
) -> Result<Scenario, Vec<Diagnostic>> {
    let mut s = build(doc, setup, action, resource, Context::new())?;
    s.unknown = keys
        .iter()
        .map(|k| crate::scenario::UnknownKey {
            key: k.clone(),
            present: false,
        })
        .collect();
    Ok(s)
}

/// The scenario for one request with concrete context values.
fn concrete_for(
    doc: &Doc,
    setup: &Setup,
    action: &str,
    resource: &str,
    context: serde_json::Map<String, serde_json::Value>,
) -> Result<Scenario, Vec<Diagnostic>> {
    let mut ctx = Context::new();
    for (k, v) in &context {
        match CtxValue::from_json(v) {
            Some(cv) => ctx.insert(k, cv),
            None => {
                return Err(vec![Diagnostic::new(
                    verdict_policy::ErrorCode::InvalidContext,
                    format!("context value of \"{k}\" must be a string, number, boolean or an array of those"),
                )])
            }
        }
    }
    build(doc, setup, action, resource, ctx)
}

/// The scenario for one request, built directly (no scenario text); the resource's owner
/// is its ARN's account, or the caller's when the ARN has none.
fn build(
    doc: &Doc,
    setup: &Setup,
    action: &str,
    resource: &str,
    context: Context,
) -> Result<Scenario, Vec<Diagnostic>> {
    let bad = |m: String| {
        vec![Diagnostic::new(
            verdict_policy::ErrorCode::InvalidRequest,
            m,
        )]
    };
    let (caller, _) = Caller::parse(&setup.caller, &action.to_ascii_lowercase()).map_err(bad)?;
    let request = Request::new(caller, action, resource, context, None)
        .ok_or_else(|| bad(format!("\"{action}\" is not service:Action")))?;
    let mut s = Scenario::new(request, setup.policies(doc, action));
    let account_in_arn =
        verdict_policy::arn::Arn::parse(resource).is_some_and(|a| !a.account.is_empty());
    if !account_in_arn {
        s.resource_account = Some(CALLER_ACCOUNT.into());
    }
    Ok(s)
}

fn statements(s: &Scenario, place: Place) -> &[Statement] {
    let p = &s.policies;
    let named = match place {
        Place::Identity => p.identity.first(),
        Place::Resource => p.resource.as_ref(),
        Place::Rcp => p
            .rcps
            .as_ref()
            .and_then(|l| l.first())
            .and_then(|l| l.first()),
        Place::VpcEndpoint => p.vpc_endpoint.as_ref().and_then(|v| v.first()),
    };
    named
        .map(|n| n.policy.statements.as_slice())
        .unwrap_or_default()
}

/// Callers that meet every distinction the Principal elements make: each principal they
/// name, someone else in each account they name, someone in the resource's own account,
/// someone from an unrelated account, and an anonymous caller. `Err` names a principal
/// form Verdict cannot stand a caller in for.
fn principal_candidates(st: &[&Statement]) -> (Vec<String>, Vec<String>) {
    use verdict_policy::principal::PrincipalEntry as P;
    let mut out: Vec<String> = vec![
        format!("arn:aws:iam::{CALLER_ACCOUNT}:user/verdict-someone"),
        format!("arn:aws:iam::{CALLER_ACCOUNT}:root"),
        format!("arn:aws:sts::{CALLER_ACCOUNT}:assumed-role/verdict-role/verdict-session"),
        "arn:aws:iam::999999999999:user/verdict-stranger".to_string(),
        "anonymous".to_string(),
    ];
    let mut unknown = Vec::new();
    let add = |x: String, out: &mut Vec<String>| {
        if !out.contains(&x) {
            out.push(x);
        }
    };
    for s in st {
        let Some(b) = &s.principal else { continue };
        for e in &b.entries {
            match e {
                P::Everyone { .. } => {}
                P::Account { account, .. } => {
                    add(
                        format!("arn:aws:iam::{account}:user/verdict-someone"),
                        &mut out,
                    );
                    add(format!("arn:aws:iam::{account}:root"), &mut out);
                }
                P::User { account, path, .. } => {
                    add(format!("arn:aws:iam::{account}:user/{path}"), &mut out);
                }
                P::Role { account, name, .. } => {
                    add(
                        format!("arn:aws:sts::{account}:assumed-role/{name}/verdict-session"),
                        &mut out,
                    );
                }
                P::AssumedRole {
                    account,
                    role,
                    session,
                    ..
                } => add(
                    format!("arn:aws:sts::{account}:assumed-role/{role}/{session}"),
                    &mut out,
                ),
                P::FederatedUser { account, name, .. } => {
                    add(
                        format!("arn:aws:sts::{account}:federated-user/{name}"),
                        &mut out,
                    );
                }
                P::Service(svc) => add(svc.clone(), &mut out),
                P::Federated(provider) => add(provider.clone(), &mut out),
                other => {
                    let r = format!("a principal named by {other:?}-style identifier has no caller Verdict can stand in for it");
                    if !unknown.contains(&r) {
                        unknown.push(r);
                    }
                }
            }
        }
    }
    (out, unknown)
}

/// Services named by action patterns; `None` when a pattern names every service.
fn named_services(st: &[&Statement]) -> Option<BTreeSet<String>> {
    let mut out = BTreeSet::new();
    for s in st {
        for p in &s.action.patterns {
            let raw = p.raw.as_str();
            let svc = raw.split(':').next().unwrap_or(raw);
            if raw == "*" || svc.contains(['*', '?']) {
                return None;
            }
            out.insert(svc.to_ascii_lowercase());
        }
    }
    Some(out)
}

/// The ARN formats of an action's resource types (empty: `*` only).
fn formats(action: &str) -> Vec<String> {
    let Some(a) = verdict_catalog::catalog().action(action) else {
        return Vec::new();
    };
    let mut out: Vec<String> = a
        .resource_types()
        .filter_map(|r| r.resource_type())
        .flat_map(|rt| rt.arn_patterns().map(str::to_string).collect::<Vec<_>>())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The resource universe of an action: its resource types' ARN formats in the caller's
/// account, or `None` for an action without resource types (request resource `*`).
fn universe(action: &str) -> Option<Vec<Pattern>> {
    let a = verdict_catalog::catalog().action(action)?;
    let mut out = Vec::new();
    for r in a.resource_types() {
        let Some(rt) = r.resource_type() else {
            continue;
        };
        for t in rt.arn_patterns() {
            out.push(Pattern::arn_format(
                &normalize_template(t),
                "aws",
                CALLER_ACCOUNT,
            ));
        }
    }
    (!out.is_empty()).then_some(out)
}

/// A catalog ARN format with its account field a placeholder (some formats write `*`
/// there) and any other literal `*` a placeholder too.
fn normalize_template(t: &str) -> String {
    let mut fields: Vec<String> = t.splitn(6, ':').map(str::to_string).collect();
    if let Some(acct) = fields.get_mut(4) {
        if acct.contains('*') {
            *acct = "${Account}".to_string();
        }
    }
    fields.join(":").replace('*', "${Any}")
}

/// A catalog ARN format as a Resource pattern: the partition `aws`, the caller's account,
/// every other placeholder a `*`.
fn template_glob(t: &str) -> String {
    let mut out = String::new();
    let mut rest = t;
    while let Some((before, after)) = rest.split_once("${") {
        out.push_str(before);
        let (name, tail) = after.split_once('}').unwrap_or((after, ""));
        // The fifth field is the account, whatever its placeholder is called.
        let account_field = out.matches(':').count() == 4;
        out.push_str(match name {
            "Partition" => "aws",
            _ if account_field => CALLER_ACCOUNT,
            "Account" => CALLER_ACCOUNT,
            _ => "*",
        });
        rest = tail;
    }
    out.push_str(rest);
    out
}

/// Compare two policy documents.
pub fn diff(
    old: &serde_json::Value,
    new: &serde_json::Value,
    opts: &DiffOptions,
) -> Result<Diff, Vec<Diagnostic>> {
    // The same document allows the same requests, whatever its type.
    if old == new && opts.actions.is_none() && opts.resources.is_none() {
        return Ok(Diff {
            relation: Relation::Equivalent,
            new_access: Vec::new(),
            removed_access: Vec::new(),
            unknown_reasons: Vec::new(),
            action_groups: 0,
            scope: "identical documents".into(),
        });
    }
    let Some(place) = Place::of(opts.policy_type) else {
        return Err(vec![Diagnostic::new(
            verdict_policy::ErrorCode::InvalidScenario,
            format!("{} policies cannot be compared", opts.policy_type.as_str()),
        )]);
    };
    let resource_side = place.has_principals();
    // Parse both once (errors name the document).
    let probe_setup = Setup {
        caller: CALLER.to_string(),
        place,
    };
    let probe_action = if opts.policy_type == PolicyType::Trust {
        "sts:AssumeRole"
    } else {
        "s3:GetObject"
    };
    let (old, new) = (
        &parse_compared(old, opts.policy_type)?,
        &parse_compared(new, opts.policy_type)?,
    );
    let probe_old = scenario_for(old, &probe_setup, probe_action, "*", &[])?;
    let probe_new = scenario_for(new, &probe_setup, probe_action, "*", &[])?;
    let all: Vec<&Statement> = statements(&probe_old, place)
        .iter()
        .chain(statements(&probe_new, place))
        .collect();
    let mut reasons: Vec<String> = Vec::new();
    // Context keys the policies test; keys that describe the caller are fixed by the
    // comparison's caller, so a policy that tests them cannot be compared exactly.
    let mut keys: Vec<String> = Vec::new();
    for s in &all {
        for c in &s.conditions {
            if crate::decide::is_caller_key(&c.key_lc) {
                let r = format!("a condition tests {}, which describes the caller; Verdict compares for one caller only", c.key);
                if !reasons.contains(&r) {
                    reasons.push(r);
                }
                continue;
            }
            if !keys.iter().any(|k| k.eq_ignore_ascii_case(&c.key)) {
                keys.push(c.key.clone());
            }
        }
    }
    // Action groups.
    let cat = verdict_catalog::catalog();
    let mut actions: Vec<String> = Vec::new();
    match &opts.actions {
        Some(list) => {
            for a in list {
                let svc = a.split(':').next().unwrap_or(a).to_ascii_lowercase();
                let name = a.split_once(':').map(|x| x.1).unwrap_or("");
                let glob = Pattern::glob(name, true);
                match cat.service(&svc) {
                    Some(sv) => actions.extend(
                        sv.actions()
                            .filter(|x| glob.matches(x.name()))
                            .map(|x| format!("{}:{}", sv.prefix(), x.name())),
                    ),
                    None => actions.push(a.clone()),
                }
            }
        }
        None => {
            let named = named_services(&all);
            for sv in cat.services() {
                let take = named
                    .as_ref()
                    .is_none_or(|n| n.contains(&sv.prefix().to_ascii_lowercase()));
                if take {
                    actions.extend(
                        sv.actions()
                            .map(|x| format!("{}:{}", sv.prefix(), x.name())),
                    );
                }
            }
            // One action of a service no pattern names stands for all of them.
            if let Some(n) = &named {
                if let Some(other) = cat
                    .services()
                    .find(|sv| !n.contains(&sv.prefix().to_ascii_lowercase()))
                    .and_then(|sv| {
                        sv.actions()
                            .next()
                            .map(|x| format!("{}:{}", sv.prefix(), x.name()))
                    })
                {
                    actions.push(other);
                }
            }
        }
    }
    actions.sort();
    actions.dedup();
    // Actions alike for the comparison: covered by the same statements, acting on the
    // same resource types.
    let mut groups: BTreeMap<(Vec<bool>, Vec<String>), Vec<String>> = BTreeMap::new();
    for a in &actions {
        let (svc, name) = a.split_once(':').unwrap_or((a.as_str(), ""));
        let (svc, name) = (svc.to_ascii_lowercase(), name.to_ascii_lowercase());
        // Which statements cover it, and whether it has resource types (that changes
        // the resource dimension).
        let v: Vec<bool> = all.iter().map(|s| s.action.covers(&svc, &name)).collect();
        // Resource types matter only when a covering statement names resources.
        let names_resources = all.iter().zip(&v).any(|(s, covers)| {
            *covers
                && s.resource
                    .as_ref()
                    .is_some_and(|b| b.negated || b.entries.iter().any(|e| e.raw != "*"))
        });
        let kind = if names_resources {
            formats(a)
        } else {
            Vec::new()
        };
        groups.entry((v, kind)).or_default().push(a.clone());
    }
    // The callers: one for an identity-side policy; for a resource-side policy, every
    // distinction its Principal elements make.
    let setups: Vec<Setup> = if resource_side {
        let (callers, why) = match &opts.callers {
            Some(c) => (c.clone(), Vec::new()),
            None => principal_candidates(&all),
        };
        reasons.extend(why);
        callers
            .into_iter()
            .map(|caller| Setup { caller, place })
            .collect()
    } else {
        vec![Setup::identity()]
    };
    let mut new_access = Vec::new();
    let mut removed_access = Vec::new();
    let mut compared = 0;
    let restrict: Vec<Pattern> = opts
        .resources
        .iter()
        .flatten()
        .map(|r| Pattern::resource(r))
        .collect();
    for (vector, members) in &groups {
        // Nothing in either policy covers these actions: both deny them.
        if vector.0.iter().all(|c| !c) {
            continue;
        }
        compared += 1;
        let Some(rep) = members.first() else { continue };
        let entry = |ex: Example, g: Granted| Access {
            actions: members.iter().take(LIST).cloned().collect(),
            action_count: members.len(),
            example: ex,
            granted_by: g.0,
            statement_index: g.1,
        };
        let mut unknown_here = Vec::new();
        for setup in &setups {
            let outcome = compare_action(old, new, setup, rep, &keys, &restrict)?;
            if let Some((ex, g)) = outcome.new_access {
                new_access.push(entry(ex, g));
            }
            if let Some((ex, g)) = outcome.removed {
                removed_access.push(entry(ex, g));
            }
            unknown_here.extend(outcome.unknown);
        }
        for r in unknown_here {
            let r = format!(
                "{rep} (and {} like it): {r}",
                members.len().saturating_sub(1)
            );
            if reasons.len() < 20 && !reasons.contains(&r) {
                reasons.push(r);
            }
        }
    }
    let relation = match (
        new_access.is_empty(),
        removed_access.is_empty(),
        reasons.is_empty(),
    ) {
        (false, false, _) => Relation::Incomparable,
        (_, _, false) => Relation::Unknown,
        (true, true, true) => Relation::Equivalent,
        (false, true, true) => Relation::MorePermissive,
        (true, false, true) => Relation::LessPermissive,
    };
    Ok(Diff {
        relation,
        new_access,
        removed_access,
        unknown_reasons: reasons,
        action_groups: compared,
        scope: if resource_side {
            let who = match &opts.callers {
                Some(c) => format!("the callers {}", c.join(", ")),
                None => format!("{} callers standing for every principal the policies distinguish (each one they name, someone else in each account they name, someone in that account, someone from an unrelated account, anonymous)", setups.len()),
            };
            format!(
                "{} policies of resources in account {CALLER_ACCOUNT}, for {who}; actions of the embedded service catalog; resources of each action's resource types",
                opts.policy_type.as_str(),
            )
        } else {
            format!(
                "{} policies for one caller in account {CALLER_ACCOUNT}; actions of the embedded service catalog; resources of each action's resource types in that account",
                opts.policy_type.as_str()
            )
        },
    })
}

/// The granting statement: its label, and its index in the compared policy.
type Granted = (Option<String>, Option<usize>);

#[derive(Default)]
struct ActionOutcome {
    new_access: Option<(Example, Granted)>,
    removed: Option<(Example, Granted)>,
    unknown: Vec<String>,
}

/// Compare the two policies on one action, over its resources and the context.
fn compare_action(
    old: &Doc,
    new: &Doc,
    setup: &Setup,
    action: &str,
    keys: &[String],
    restrict: &[Pattern],
) -> Result<ActionOutcome, Vec<Diagnostic>> {
    let universe = universe(action);
    let rep_resource = match &universe {
        Some(_) => verdict_catalog::catalog()
            .action(action)
            .and_then(|a| {
                a.resource_types()
                    .find_map(|r| r.resource_type())
                    .and_then(|rt| {
                        rt.arn_patterns().next().map(|t| {
                            crate::resource_set::instance(
                                &template_glob(&normalize_template(t)),
                                "example",
                                "x",
                            )
                        })
                    })
            })
            .unwrap_or_else(|| "*".to_string()),
        None => "*".to_string(),
    };
    let so = scenario_for(old, setup, action, &rep_resource, keys)?;
    let sn = scenario_for(new, setup, action, &rep_resource, keys)?;
    let mut out = ActionOutcome::default();
    let symbolic_resource = universe.is_some();
    let oracle = Rc::new(Oracle::for_comparison(
        keys.iter().map(|k| k.to_ascii_lowercase()).collect(),
        symbolic_resource,
    ));
    // Explore both policies on shared answers.
    let mut leaves: Vec<(BTreeMap<usize, bool>, Decision, Decision)> = Vec::new();
    let mut stack: Vec<Vec<(usize, bool)>> = vec![Vec::new()];
    while let Some(prefix) = stack.pop() {
        if leaves.len() >= MAX_BRANCHES {
            out.unknown
                .push(format!("more than {MAX_BRANCHES} branches"));
            return Ok(out);
        }
        oracle.reset_to(&prefix);
        let a = Assumptions::symbolic(Readings::DEFAULT, oracle.clone());
        let vo = crate::decide_under(&so, &a).decision;
        let vn = crate::decide_under(&sn, &a).decision;
        let fresh = oracle.take_fresh();
        let mut path = prefix;
        for f in fresh {
            let mut alt = path.clone();
            alt.push((f, true));
            stack.push(alt);
            path.push((f, false));
        }
        leaves.push((path.into_iter().collect(), vo, vn));
    }
    let atoms = oracle.atoms_snapshot();
    let arn = Pattern::any_arn();
    for (path, vo, vn) in &leaves {
        let new_side = *vn == Decision::Allow && *vo != Decision::Allow;
        let old_side = *vo == Decision::Allow && *vn != Decision::Allow;
        if !(new_side && out.new_access.is_none() || old_side && out.removed.is_none()) {
            continue;
        }
        // The resource: a member of the universe meeting the branch's entry literals.
        let mut resource = "*".to_string();
        let mut resolved = true;
        if let Some(u) = &universe {
            let mut lits: Vec<(Pattern, bool)> = Vec::new();
            for (i, want) in path {
                if let Some(crate::residual::AtomKind::Entry(e)) = atoms.get(*i).map(|a| &a.kind) {
                    if e.raw.starts_with("execute-api:") || e.raw.contains("${") {
                        resolved = false;
                    }
                    lits.push((Pattern::resource(&e.raw), *want));
                }
            }
            let mut found = None;
            let mut too_complex = false;
            for t in u {
                let mut cons: Vec<(&Pattern, bool)> = vec![(t, true), (&arn, true)];
                cons.extend(lits.iter().map(|(p, w)| (p, *w)));
                cons.extend(restrict.iter().take(1).map(|p| (p, true)));
                match witness(&cons) {
                    Ok(Some(w)) => {
                        // A realistic form when it stays on the same side: a real region,
                        // a fuller name.
                        let ok = |x: &str| cons.iter().all(|(p, want)| p.matches(x) == *want);
                        let mut best = w.clone();
                        let mut f: Vec<String> = w.splitn(6, ':').map(str::to_string).collect();
                        if let Some(region) = f.get_mut(3) {
                            if !region.is_empty() {
                                *region = "us-east-1".to_string();
                            }
                        }
                        let regional = f.join(":");
                        if ok(&regional) {
                            best = regional;
                        }
                        let fuller = format!("{best}example");
                        if ok(&fuller) {
                            best = fuller;
                        }
                        found = Some(best);
                        break;
                    }
                    Ok(None) => {}
                    Err(_) => too_complex = true,
                }
            }
            match found {
                Some(w) => resource = w,
                None if resolved && !too_complex => continue, // no resource takes it
                None => {
                    out.unknown.push(
                        "a Resource pattern Verdict cannot model exactly (a policy variable or an API Gateway path)".into(),
                    );
                    continue;
                }
            }
        }
        // The context: values meeting the branch's condition literals.
        let probe = if new_side { &sn } else { &so };
        let cond_path: BTreeMap<usize, bool> = path
            .iter()
            .filter(|(i, _)| {
                matches!(
                    atoms.get(**i).map(|a| &a.kind),
                    Some(
                        crate::residual::AtomKind::Condition(_)
                            | crate::residual::AtomKind::Resource { .. }
                    )
                )
            })
            .map(|(i, w)| (*i, *w))
            .collect();
        let (completion, impossible) =
            crate::residual::search_completion(probe, &atoms, &cond_path);
        let Some(completion) = completion else {
            if !impossible {
                out.unknown.push(
                    "a combination of condition values Verdict could neither find nor rule out"
                        .into(),
                );
            }
            continue;
        };
        // Re-check concretely, on scenarios built for the request itself.
        let mut ctx = serde_json::Map::new();
        for (k, v) in &completion {
            if let Some(v) = v {
                ctx.insert(k.clone(), v.to_json());
            }
        }
        let co = concrete_for(old, setup, action, &resource, ctx.clone())?;
        let cn = concrete_for(new, setup, action, &resource, ctx)?;
        let (dob, dnb) = (crate::decide(&co).decision, crate::decide(&cn).decision);
        let example = Example {
            principal: setup.caller.clone(),
            action: action.to_string(),
            resource: resource.clone(),
            context: crate::residual::completion_json(&completion),
        };
        let granted = |s: &Scenario| -> Granted {
            // The compared policy's own granting statement, not a stand-in's.
            let e = crate::evaluate(s);
            let layer = setup.place.layer();
            let hit = e
                .layers
                .iter()
                .filter(|l| l.layer == layer)
                .flat_map(|l| l.policies.iter())
                .flat_map(|p| p.statements.iter().map(move |st| (p, st)))
                .find(|(_, st)| st.applies && st.effect == "Allow");
            match hit {
                Some((p, st)) => (Some(format!("{} ({})", st.sid, p.policy)), Some(st.index)),
                None => (None, None),
            }
        };
        if dnb == Decision::Allow && dob != Decision::Allow && out.new_access.is_none() {
            out.new_access = Some((example, granted(&cn)));
        } else if dob == Decision::Allow && dnb != Decision::Allow && out.removed.is_none() {
            out.removed = Some((example, granted(&co)));
        } else if new_side || old_side {
            out.unknown.push(
                "a branch whose concrete request did not show the difference (the representative resource may not stand for all)".into(),
            );
        }
    }
    Ok(out)
}

/// Render a comparison as text.
pub fn render_text(d: &Diff) -> String {
    use std::fmt::Write;
    let mut o = String::new();
    let head = match d.relation {
        Relation::Equivalent => "EQUIVALENT: the two policies allow exactly the same requests",
        Relation::MorePermissive => {
            "MORE PERMISSIVE: the new policy allows requests the old one does not"
        }
        Relation::LessPermissive => {
            "LESS PERMISSIVE: the new policy allows nothing new and removes access"
        }
        Relation::Incomparable => "INCOMPARABLE: each policy allows requests the other does not",
        Relation::Unknown => "UNKNOWN: Verdict could not decide exactly",
    };
    let _ = writeln!(o, "{head}");
    let _ = writeln!(o, "  over {}", d.scope);
    for (title, list) in [
        ("New access", &d.new_access),
        ("Removed access", &d.removed_access),
    ] {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(o, "\n{title}:");
        for a in list {
            let more = if a.action_count > a.actions.len() {
                format!(" and {} more", a.action_count - a.actions.len())
            } else {
                String::new()
            };
            let _ = writeln!(o, "  {}{more}", a.actions.join(", "));
            let who = if a.example.principal == CALLER {
                String::new()
            } else {
                format!(" by {}", a.example.principal)
            };
            let _ = writeln!(
                o,
                "    e.g. {}{who} on {} with context {}",
                a.example.action, a.example.resource, a.example.context
            );
            if let Some(g) = &a.granted_by {
                let _ = writeln!(o, "    granted by {g}");
            }
        }
    }
    for r in &d.unknown_reasons {
        let _ = writeln!(o, "\nNot decided: {r}");
    }
    o
}
