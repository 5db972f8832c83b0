//! What the inputs let Verdict know. A layer whose policies the user did not give is
//! unknown: Verdict's evaluation of it (no policies at all) is not evidence, so it never
//! contradicts AWS there, never names a cause there, and never proposes a fix there
//! unless AWS itself named the layer. For the layer AWS named, an unseen layer gets
//! guidance (what the statement must say, and which input would let Verdict verify it)
//! instead of a verified fix; and no proposal ever uses `"Action": "*"` or
//! `"Resource": "*"` (a wildcard fix hides the problem and opens a new one).

use crate::build::{set_member, Built};
use crate::fixes::{Fix, Plan};
use crate::message::{DenyKind, ParsedMessage, ReportedLayer};
use serde::Serialize;
use serde_json::{json, Value};
use verdict_eval::{Caller, Layer};

/// True when the inputs hold the policies of `layer`, so what Verdict finds there counts.
pub fn seen(b: &Built, layer: Layer) -> bool {
    let g = &b.given;
    let s = &b.scenario;
    let p = &s.policies;
    let found = g.auth_details && b.principal_found.is_some();
    match layer {
        Layer::Identity => g.scenario || g.identity_policies || found,
        Layer::PermissionsBoundary => g.scenario || g.permissions_boundary || found,
        Layer::Scp => g.scenario || g.scps || g.org,
        Layer::Rcp => g.scenario || g.org,
        Layer::Resource => g.scenario || g.resource_policy || p.resource.is_some(),
        Layer::Session => {
            g.scenario
                || g.session_policy
                || !matches!(
                    s.request.caller,
                    Caller::AssumedRole { .. } | Caller::FederatedUser { .. }
                )
        }
        Layer::VpcEndpoint => g.scenario || g.vpc_endpoint_policy || p.vpc_endpoint.is_some(),
        Layer::Authorizer => g.scenario,
    }
}

/// The input that holds a layer's policies.
pub fn input_for(layer: Layer, trust: bool) -> &'static str {
    match layer {
        Layer::Identity => "--identity-policy FILE (or --auth-details)",
        Layer::PermissionsBoundary => "--permissions-boundary FILE (or --auth-details)",
        Layer::Scp => "--scp FILE per level, root first (or --org DIR)",
        Layer::Rcp => "--org DIR with the RCPs",
        Layer::Resource if trust => "--resource-policy with the role's trust policy (or --auth-details of the role's account)",
        Layer::Resource => "--resource-policy FILE",
        Layer::Session => "--session-policy FILE",
        Layer::VpcEndpoint => "--vpc-endpoint-policy FILE",
        Layer::Authorizer => "a scenario with apigateway.authorizer_policy",
    }
}

/// A change for the layer AWS named that Verdict could not verify (it has not seen the
/// layer's policies): what the statement must say, and what to give to verify it.
#[derive(Clone, Debug, Serialize)]
pub struct Suggestion {
    /// The layer.
    pub layer: Layer,
    /// One line.
    pub title: String,
    /// The statement to add, when one can be written without wildcards.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statement: Option<Value>,
    /// What to look for or to do in that layer.
    pub detail: String,
    /// The input that would let Verdict find the statement and verify a fix.
    pub verify_with: String,
}

/// True when `action` takes no resource-level permissions (its statements must say `"*"`).
fn only_star(action: &str) -> bool {
    verdict_catalog::catalog()
        .action(action)
        .is_some_and(|a| a.only_supports_star())
}

/// The resource to write in a statement, or `None` when only `"*"` could be written for
/// an action that does take resources (the message named none).
fn statement_resource(action: &str, resource: &str) -> Option<Value> {
    if resource != "*" {
        return Some(Value::from(resource));
    }
    only_star(action).then(|| Value::from("*"))
}

/// The principal a resource-side statement must name for `caller`.
fn principal_value(b: &Built) -> Option<Value> {
    let c = &b.scenario.request.caller;
    let arn = match c {
        Caller::AssumedRole {
            partition,
            account,
            role,
            ..
        } => b
            .scenario
            .request
            .context
            .variable("aws:principalarn")
            .unwrap_or_else(|| format!("arn:{partition}:iam::{account}:role/{role}")),
        Caller::Service(s) => return Some(json!({ "Service": s })),
        Caller::Anonymous => return None,
        other => other.display(),
    };
    Some(json!({ "AWS": arn }))
}

/// The AWS CLI command that prints the policy a message names by ARN.
fn fetch_command(arn: &str) -> Option<String> {
    if arn.contains(":organizations::") {
        let id = arn.rsplit('/').next()?;
        return Some(format!(
            "aws organizations describe-policy --policy-id {id}"
        ));
    }
    if arn.contains(":iam::") && arn.contains(":policy/") {
        return Some(format!("aws iam get-policy-version --policy-arn {arn} --version-id $(aws iam get-policy --policy-arn {arn} --query Policy.DefaultVersionId --output text)"));
    }
    None
}

/// Guidance for the layer AWS named when Verdict has not seen its policies.
pub fn guidance(b: &Built, m: &ParsedMessage) -> Vec<Suggestion> {
    let Some(rl) = m.layer else {
        return Vec::new();
    };
    let layer = rl.layer();
    let r = &b.scenario.request;
    let action = r.action.as_str();
    let resource = r.resource.as_str();
    let trust = rl == ReportedLayer::RoleTrust || verdict_eval::request::is_trust_request(r);
    let verify_with = format!("give {} and run again", input_for(layer, trust));
    let named = m
        .policy_arn
        .as_ref()
        .map(|a| {
            format!(
                " AWS names the policy: {a}{}.",
                fetch_command(a)
                    .map(|c| format!(" (read it with `{c}`)"))
                    .unwrap_or_default()
            )
        })
        .unwrap_or_default();
    let what = format!("{action} on {resource}");
    if matches!(m.kind, DenyKind::Explicit)
        || (m.kind == DenyKind::ExplicitOrImplicit && rl != ReportedLayer::Scp)
    {
        return vec![Suggestion {
            layer,
            title: format!("find the Deny in the {} that covers {what}", rl.phrase()),
            statement: None,
            detail: format!("a Deny statement whose Action, Resource{} and conditions all match this request applies.{named} Narrow it (an exception condition on this caller, or the action out of its Action) or remove it; an Allow anywhere cannot override it.", if matches!(layer, Layer::Resource | Layer::Rcp | Layer::VpcEndpoint) { ", Principal" } else { "" }),
            verify_with,
        }];
    }
    let res = statement_resource(action, resource);
    let mut allow = json!({ "Effect": "Allow", "Action": action });
    match (&res, trust) {
        (_, true) => {}
        (Some(rv), false) => set_member(&mut allow, "Resource", rv.clone()),
        (None, false) => {}
    }
    let needs_principal = matches!(layer, Layer::Resource | Layer::VpcEndpoint);
    if needs_principal {
        match principal_value(b) {
            Some(p) => set_member(&mut allow, "Principal", p),
            None => set_member(&mut allow, "Principal", json!("*")),
        }
    }
    // No wildcard proposals: without a resource, say what to supply instead.
    let statement = (res.is_some() || trust).then_some(allow);
    let no_resource = if statement.is_none() {
        format!(" The message names no resource, so no statement is written here (a \"Resource\": \"*\" would grant {action} on everything): find the resource in the request or CloudTrail and scope the Allow to it.")
    } else {
        String::new()
    };
    let (title, detail) = match rl {
        ReportedLayer::Identity => (
            format!("allow {what} in an identity-based policy of {}", r.caller.display()),
            format!("no identity-based policy of the caller allows it: add an Allow to one of them (or attach one).{no_resource}"),
        ),
        ReportedLayer::PermissionsBoundary => (
            format!("allow {what} in the permissions boundary"),
            format!("the caller's permissions boundary caps what its identity policies grant and allows no such action: add an Allow to the boundary (its identity policies must allow it too).{no_resource}"),
        ),
        ReportedLayer::Session => (
            format!("allow {what} in the session policy"),
            format!("the session was created with a session policy that allows no such action: pass a session policy that allows it when calling AssumeRole/GetFederationToken, or none for a role session.{no_resource}"),
        ),
        ReportedLayer::Scp => (
            format!("allow {action} at every organization level"),
            format!("an SCP level on the path from the root to the caller's account has no Allow for {action} (FullAWSAccess detached there): add an Allow for it at that level, or reattach FullAWSAccess.{named}"),
        ),
        ReportedLayer::Rcp => (
            "check the RCPs".to_string(),
            "RCPFullAWSAccess is attached at every level and cannot be detached, so an RCP implicit deny should not happen: read the message again, or check for an RCP Deny".to_string(),
        ),
        ReportedLayer::VpcEndpoint => (
            format!("allow {what} in the VPC endpoint policy"),
            format!("the request came through a VPC endpoint whose policy allows no such request: add an Allow for this caller.{no_resource}"),
        ),
        ReportedLayer::RoleTrust => (
            format!("trust {} in the role's trust policy", r.caller.display()),
            format!("a role's trust policy must name the caller explicitly (an identity Allow for sts:AssumeRole is not enough): add a statement allowing {action} for this principal.{}", if matches!(r.caller, Caller::AssumedRole { .. }) { " It names the role the session belongs to." } else { "" }),
        ),
        ReportedLayer::Resource => (
            format!("allow {what} in the resource-based policy"),
            format!("no statement of the resource's policy allows the caller (cross-account access and KMS keys need one): add an Allow that names the caller.{no_resource}"),
        ),
    };
    let statement = if rl == ReportedLayer::Scp || rl == ReportedLayer::Rcp {
        None
    } else {
        statement
    };
    vec![Suggestion {
        layer,
        title,
        statement,
        detail,
        verify_with,
    }]
}

/// The layers worth checking when AWS gave no reason, in order, with the input that holds
/// each (only those Verdict has not seen).
pub fn candidate_layers(b: &Built) -> Vec<String> {
    let s = &b.scenario;
    let r = &s.request;
    let trust = verdict_eval::request::is_trust_request(r);
    let cross = !s.aws_owned
        && r.caller.account().is_some()
        && r.caller.account() != s.resource_account.as_deref();
    let mut order: Vec<Layer> = Vec::new();
    if matches!(
        r.caller,
        Caller::Service(_) | Caller::Anonymous | Caller::WebIdentity(_)
    ) {
        // No identity policies, boundary, session or SCPs: only the resource side decides.
        return [Layer::Resource, Layer::VpcEndpoint, Layer::Rcp]
            .into_iter()
            .filter(|l| !seen(b, *l))
            .map(|l| format!("{} ({})", l.title(), input_for(l, trust)))
            .collect();
    }
    if trust || cross {
        order.push(Layer::Resource);
    }
    order.extend([Layer::Identity, Layer::PermissionsBoundary, Layer::Scp]);
    if matches!(
        r.caller,
        Caller::AssumedRole { .. } | Caller::FederatedUser { .. }
    ) {
        order.push(Layer::Session);
    }
    let has_resource_policies =
        crate::diagnose::RESOURCE_POLICY_SERVICES.contains(&r.service_lc.as_str());
    if !order.contains(&Layer::Resource) && r.resource.as_str() != "*" && has_resource_policies {
        order.push(Layer::Resource);
    }
    order.extend([Layer::VpcEndpoint, Layer::Rcp]);
    order
        .into_iter()
        .filter(|l| !seen(b, *l))
        .map(|l| format!("{} ({})", l.title(), input_for(l, trust)))
        .collect()
}

/// Keep only the blockers in layers Verdict has seen, or in the layer AWS named; drop the
/// fixes of the others and renumber.
pub fn restrict(b: &Built, p: &Plan) -> Plan {
    let reported = b.reported.as_ref().and_then(|m| m.layer).map(|l| l.layer());
    let keep: Vec<usize> = p
        .blockers
        .iter()
        .filter(|bk| seen(b, bk.layer) || Some(bk.layer) == reported)
        .map(|bk| bk.step)
        .collect();
    if keep.len() == p.blockers.len() {
        return p.clone();
    }
    let renumber = |old: usize| keep.iter().position(|k| *k == old).map(|i| i + 1);
    let mut blockers = Vec::new();
    for bk in p.blockers.iter().filter(|bk| keep.contains(&bk.step)) {
        let mut nb = bk.clone();
        nb.step = renumber(bk.step).unwrap_or(bk.step);
        blockers.push(nb);
    }
    let mut fixes: Vec<Fix> = Vec::new();
    for f in &p.fixes {
        let Some(bi) = renumber(f.blocker) else {
            continue;
        };
        let requires: Option<Vec<usize>> = f
            .requires
            .iter()
            .map(|r| {
                p.fixes
                    .iter()
                    .find(|x| x.id == *r)
                    .and_then(|x| renumber(x.blocker))
                    .map(|_| *r)
            })
            .collect();
        // A fix that needs a dropped blocker's fix cannot be verified on what is known.
        let Some(requires) = requires else { continue };
        let mut nf = f.clone();
        nf.blocker = bi;
        nf.requires = requires;
        fixes.push(nf);
    }
    let ids: Vec<usize> = fixes.iter().map(|f| f.id).collect();
    for f in &mut fixes {
        f.requires.retain(|r| ids.contains(r));
    }
    for bk in &mut blockers {
        bk.fixes.retain(|id| ids.contains(id));
    }
    Plan {
        complete: p.complete && blockers.len() == p.blockers.len(),
        blockers,
        fixes,
    }
}

/// True when a fix grants a wildcard action or resource that the action does not need.
pub fn wildcard_fix(f: &Fix, action: &str) -> bool {
    use crate::fixes::FixKind;
    if !matches!(
        f.kind,
        FixKind::AddAllowStatement | FixKind::NewPolicy | FixKind::AddResource
    ) {
        return false;
    }
    if f.kind == FixKind::AddResource {
        let adds_star = f
            .patch
            .iter()
            .any(|op| op.get("value").and_then(Value::as_str) == Some("*"));
        return adds_star && !only_star(action);
    }
    let Some(st) = &f.statement else {
        return false;
    };
    if st.get("Effect").and_then(Value::as_str) != Some("Allow") {
        return false;
    }
    let has_star = |k: &str| match st.get(k) {
        Some(Value::String(s)) => s == "*",
        Some(Value::Array(a)) => a.iter().any(|v| v.as_str() == Some("*")),
        _ => false,
    };
    has_star("Action") || (has_star("Resource") && !only_star(action))
}
