//! What the fix search knows about the scenario: the caller, the layer a statement
//! belongs to, its policy type, and the search context (`Ctx`).

use super::*;
use crate::build::Built;
use crate::origin::{policies_at, policy_at, PolicyKind, PolicyOrigin, Slot};
use serde_json::{json, Value};
use verdict_eval::trace::StatementTrace;
use verdict_eval::{Caller, Evaluation, Layer, Scenario, StatementRef};
use verdict_policy::PolicyType;

/// Canonical spelling of the request's action (`SNS:Publish` → `sns:Publish`).
pub(super) fn canonical_action(s: &Scenario) -> String {
    verdict_catalog::catalog()
        .action(&s.request.action)
        .map(|a| a.qualified_name())
        .unwrap_or_else(|| s.request.action.clone())
}

pub(super) fn principal_arn(s: &Scenario) -> Option<String> {
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
pub(super) fn effectively_anonymous(s: &Scenario) -> bool {
    s.request.service_lc == "execute-api"
        && s.request.name_lc == "invoke"
        && s.apigateway.as_ref().is_some_and(|a| {
            a.authorization_type != verdict_eval::scenario::AuthorizationType::AwsIam
        })
}

/// The Principal element naming the caller (for resource, trust and endpoint policies).
pub(super) fn principal_element(s: &Scenario) -> Option<Value> {
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

pub(super) fn trace_statement<'a>(
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

pub(super) fn slot_of(s: &Scenario, d: &StatementRef) -> Option<Slot> {
    let pols = policies_at(s, d.layer, d.level);
    let index = pols.iter().position(|p| p.label == d.policy)?;
    Some(Slot {
        layer: d.layer,
        level: d.level,
        index,
    })
}

pub(super) fn kind_of_layer(layer: Layer, trust: bool) -> PolicyKind {
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

pub(super) fn ty_of_layer(layer: Layer, trust: bool) -> PolicyType {
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

pub(super) fn is_trust(s: &Scenario) -> bool {
    verdict_eval::request::is_trust_request(&s.request)
}

pub(super) fn is_kms_key(s: &Scenario) -> bool {
    s.request.service_lc == "kms" && s.request.resource.as_str().contains(":key/")
}

pub(super) struct Ctx<'a> {
    pub(super) built: &'a Built,
}

impl Ctx<'_> {
    pub(super) fn origin(&self, s: &Scenario, slot: Slot) -> PolicyOrigin {
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

    pub(super) fn new_target(&self, s: &Scenario, layer: Layer, level: Option<usize>) -> Target {
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
pub(super) fn identity_owner(s: &Scenario, built: &Built) -> String {
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
