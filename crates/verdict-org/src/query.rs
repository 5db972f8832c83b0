//! One request of the snapshot as a [`Scenario`]: the caller's policies, the resource's
//! policy (a role's trust policy for `sts:AssumeRole…`), SCPs of the caller's account and
//! RCPs of the resource's, and the context keys the snapshot knows. The unit of work
//! of every org-wide question is one principal against this shared snapshot.

use crate::snapshot::{Principal, PrincipalKind, Snapshot};
use verdict_eval::context::{Context, CtxValue};
use verdict_eval::request::{is_trust_action, Caller, Request};
use verdict_eval::{NamedPolicy, Policies, Scenario};

/// Who makes the request.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Who {
    /// A user or role of the snapshot (by index); a role acts through a session.
    Principal(usize),
    /// A principal outside the snapshot, by ARN (an account root stands for any
    /// principal of that account whose own policies allow the request).
    External(String),
    /// The root user of an account of the snapshot (bound by its account's SCPs).
    Root(String),
    /// An AWS service principal (`lambda.amazonaws.com`).
    Service(String),
    /// An unsigned request.
    Anonymous,
}

impl Who {
    /// How the caller is shown.
    pub fn display(&self, snap: &Snapshot) -> String {
        match self {
            Who::Principal(i) => snap
                .principals
                .get(*i)
                .map(|p| p.arn.clone())
                .unwrap_or_default(),
            Who::External(a) => a.clone(),
            Who::Root(a) => format!("arn:aws:iam::{a}:root"),
            Who::Service(s) => s.clone(),
            Who::Anonymous => "anonymous".into(),
        }
    }

    /// `user`, `role`, `external`, `service` or `anonymous`.
    pub fn kind(&self, snap: &Snapshot) -> &'static str {
        match self {
            Who::Principal(i) => snap
                .principals
                .get(*i)
                .map(|p| p.kind.as_str())
                .unwrap_or("user"),
            Who::External(_) => "external",
            Who::Root(_) => "root",
            Who::Service(_) => "service",
            Who::Anonymous => "anonymous",
        }
    }
}

/// A policy that allows everything: the stand-in for an outside principal's own
/// identity policies, which the snapshot does not hold.
fn allow_all() -> Option<NamedPolicy> {
    let src = verdict_policy::SourceFile::new(
        "<outside the snapshot>",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#
            .to_string(),
    );
    let p = verdict_policy::parse_policy(
        &src,
        verdict_policy::ParseOptions::new(verdict_policy::PolicyType::Identity),
    )
    .ok()?;
    Some(NamedPolicy::new(
        None,
        None,
        "the caller's own policies (outside the snapshot; taken to allow)".into(),
        p,
    ))
}

fn derive_principal_keys(snap: &Snapshot, p: &Principal, ctx: &mut Context) {
    for (k, v) in &p.tags {
        ctx.derive(
            &format!("aws:PrincipalTag/{k}"),
            CtxValue::Single(v.clone()),
        );
    }
    derive_org_keys(snap, &p.account, "Principal", ctx);
}

/// `aws:{side}OrgID` and `aws:{side}OrgPaths` of an account of the organization (`side`
/// is `Principal` or `Resource`).
fn derive_org_keys(snap: &Snapshot, account: &str, side: &str, ctx: &mut Context) {
    let Some(levels) = snap.levels(account) else {
        return;
    };
    if !levels.member && snap.management_account() != Some(account) {
        return;
    }
    if let Some(id) = snap.org_id() {
        ctx.derive(
            &format!("aws:{side}OrgID"),
            CtxValue::Single(id.to_string()),
        );
    }
    if let Some(path) = &levels.org_path {
        ctx.derive(
            &format!("aws:{side}OrgPaths"),
            CtxValue::Multi(vec![path.clone()]),
        );
    }
}

fn derive_resource_keys(snap: &Snapshot, owner: Option<&str>, ctx: &mut Context) {
    let Some(owner) = owner else { return };
    ctx.derive("aws:ResourceAccount", CtxValue::Single(owner.to_string()));
    derive_org_keys(snap, owner, "Resource", ctx);
}

/// The scenario with every key its statements test (and the snapshot does not know)
/// made unknown, for the residual engine; `None` when there is no such key.
pub fn with_unknown_keys(s: &Scenario) -> Option<Scenario> {
    let keys = verdict_eval::residual::tested_keys(s);
    if keys.is_empty() {
        return None;
    }
    let mut u = s.clone();
    u.unknown = keys
        .into_iter()
        .map(|key| verdict_eval::scenario::UnknownKey {
            key,
            present: false,
        })
        .collect();
    Some(u)
}

/// Why a request could not be built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryError(pub String);

impl std::fmt::Display for QueryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The scenario for `who` doing `action` on `resource` with `context` (given keys; the
/// keys the snapshot knows are added as derived).
pub fn scenario(
    snap: &Snapshot,
    who: &Who,
    action: &str,
    resource: &str,
    context: Context,
) -> Result<Scenario, QueryError> {
    let action_lc = action.to_ascii_lowercase();
    let mut ctx = context;
    let (caller_text, principal) = match who {
        Who::Principal(i) => {
            let p = snap
                .principals
                .get(*i)
                .ok_or_else(|| QueryError(format!("no principal #{i}")))?;
            (p.arn.clone(), Some(p))
        }
        Who::External(a) => (a.clone(), None),
        Who::Root(a) => (format!("arn:aws:iam::{a}:root"), None),
        Who::Service(s) => (s.clone(), None),
        Who::Anonymous => ("anonymous".to_string(), None),
    };
    let (caller, _) = Caller::parse(&caller_text, &action_lc).map_err(QueryError)?;
    match (principal, who) {
        (Some(p), _) => derive_principal_keys(snap, p, &mut ctx),
        (None, Who::Root(a)) => derive_org_keys(snap, a, "Principal", &mut ctx),
        _ => {}
    }
    let owner = snap.owner_of(resource).or_else(|| {
        // `*` (actions without resource types) and account-less ARNs of services whose
        // resources are not shared through resource policies (AWS-owned SSM documents,
        // public images) are the caller's own requests. An S3 bucket the snapshot does
        // not know stays ownerless: it is then treated as another account's (fail closed).
        let account_less = resource == "*"
            || (resource.starts_with("arn:")
                && resource.split(':').nth(2).is_none_or(|s| s != "s3"));
        account_less
            .then(|| principal.map(|p| p.account.clone()))
            .flatten()
    });
    derive_resource_keys(snap, owner.as_deref(), &mut ctx);
    let unique_id = principal.and_then(|p| p.unique_id.clone());
    let mut req = Request::new(caller, action, resource, ctx, unique_id)
        .ok_or_else(|| QueryError(format!("\"{action}\" is not service:Action")))?;
    if principal.is_some_and(|p| p.service_linked) {
        req.service_linked_role = true;
    }
    let mut policies = Policies::default();
    match (who, principal) {
        (_, Some(p)) => {
            policies.identity = p.identity.clone();
            policies.permissions_boundary = p.boundary.clone();
            if let Some(levels) = snap.levels(&p.account) {
                policies.scps = levels.scps.clone();
            }
        }
        (Who::External(a), None) if !a.ends_with(":root") => {
            policies.identity = allow_all().into_iter().collect();
        }
        (Who::Root(a), None) => {
            if let Some(levels) = snap.levels(a) {
                policies.scps = levels.scps.clone();
            }
        }
        _ => {}
    }
    if let Some(levels) = owner.as_deref().and_then(|o| snap.levels(o)) {
        policies.rcps = levels.rcps.clone();
    }
    let (svc, name) = Request::split_action(action).unwrap_or_default();
    if is_trust_action(&svc, &name, resource) {
        policies.resource = snap
            .principal(resource)
            .filter(|r| r.kind == PrincipalKind::Role)
            .and_then(|r| r.trust.clone());
    } else {
        policies.resource = snap.resource_for(resource).map(|r| r.policy.clone());
    }
    let mut s = Scenario::new(req, policies);
    if owner.is_some() {
        s.resource_account = owner;
    }
    s.management_account = snap.management_account().map(str::to_string);
    Ok(s)
}

/// A policy's document as JSON (the text it was read from; a string when it is not
/// plain JSON, e.g. URL-encoded).
fn document(np: &NamedPolicy) -> serde_json::Value {
    let text = np.policy.source.slice(np.policy.span);
    serde_json::from_str(text).unwrap_or_else(|_| serde_json::Value::String(text.to_string()))
}

fn named(np: &NamedPolicy) -> serde_json::Value {
    serde_json::json!({"name": np.label, "document": document(np)})
}

/// The same request as a scenario file (docs/scenario-format.md) that `verdict
/// simulate` reads: what the snapshot knows, written out, so that any org-wide answer
/// can be re-checked (and explained) one request at a time.
pub fn scenario_document(
    snap: &Snapshot,
    who: &Who,
    action: &str,
    resource: &str,
    context: Context,
) -> Result<serde_json::Value, QueryError> {
    let s = scenario(snap, who, action, resource, context)?;
    let mut context = serde_json::Map::new();
    for e in s.request.context.entries() {
        // Keys the engine derives from the caller itself are left to the loader.
        let key_lc = e.key.to_ascii_lowercase();
        if matches!(
            key_lc.as_str(),
            "aws:principalarn"
                | "aws:principalaccount"
                | "aws:principaltype"
                | "aws:userid"
                | "aws:username"
                | "aws:principalisawsservice"
                | "aws:principalservicename"
        ) {
            continue;
        }
        if let Some(v) = e.values.first() {
            context.insert(e.key.clone(), v.to_json());
        }
    }
    let caller = match who {
        Who::Principal(i) => snap
            .principals
            .get(*i)
            .map(|p| p.arn.clone())
            .unwrap_or_default(),
        Who::External(a) => a.clone(),
        Who::Root(a) => format!("arn:aws:iam::{a}:root"),
        Who::Service(x) => x.clone(),
        Who::Anonymous => "anonymous".into(),
    };
    let mut request = serde_json::json!({"principal": caller, "action": action, "resource": resource, "context": context});
    if let (Some(o), Some(id)) = (request.as_object_mut(), s.request.principal_id.as_ref()) {
        o.insert("principal_id".into(), serde_json::json!(id));
    }
    if let (Some(o), true) = (request.as_object_mut(), s.request.service_linked_role) {
        o.insert("service_linked_role".into(), serde_json::json!(true));
    }
    let p = &s.policies;
    let mut policies = serde_json::Map::new();
    if !p.identity.is_empty() {
        policies.insert("identity".into(), p.identity.iter().map(named).collect());
    }
    if let Some(b) = &p.permissions_boundary {
        policies.insert("permissions_boundary".into(), named(b));
    }
    if let Some(r) = &p.resource {
        policies.insert("resource".into(), named(r));
    }
    let levels = |v: &Vec<Vec<NamedPolicy>>| -> serde_json::Value {
        v.iter()
            .map(|l| l.iter().map(named).collect::<Vec<_>>())
            .collect()
    };
    if let Some(x) = &p.scps {
        policies.insert("scps".into(), levels(x));
    }
    if let Some(x) = &p.rcps {
        policies.insert("rcps".into(), levels(x));
    }
    let mut doc = serde_json::json!({
        "name": format!("{} {action} {resource}", who.display(snap)),
        "request": request,
        "policies": policies,
    });
    if let Some(o) = doc.as_object_mut() {
        if let Some(a) = &s.resource_account {
            o.insert("resource_account".into(), serde_json::json!(a));
        }
        if let Some(m) = &s.management_account {
            o.insert("management_account".into(), serde_json::json!(m));
        }
    }
    Ok(doc)
}
