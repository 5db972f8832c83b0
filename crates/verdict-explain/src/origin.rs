//! Where each policy of a built scenario came from: account, attachment, whether it
//! can be edited, and its document (the base for JSON patches).

use serde::Serialize;
use verdict_eval::{Layer, NamedPolicy, Scenario};

/// What kind of policy this is, as its owner would manage it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PolicyKind {
    /// An inline policy of a user, group or role.
    Inline,
    /// A customer managed policy (default version).
    CustomerManaged,
    /// An AWS managed policy: it cannot be edited.
    AwsManaged,
    /// A managed policy used as a permissions boundary.
    PermissionsBoundary,
    /// A role trust policy.
    Trust,
    /// A service control policy.
    Scp,
    /// A resource control policy.
    Rcp,
    /// A resource-based policy (bucket, key, queue, API, …).
    ResourcePolicy,
    /// A session policy passed when the session was created.
    SessionPolicy,
    /// A VPC endpoint policy.
    VpcEndpoint,
    /// The policy an API Gateway Lambda authorizer returns.
    Authorizer,
    /// A policy taken from a scenario file.
    Scenario,
}

impl PolicyKind {
    /// Words for explanations.
    pub fn describe(self) -> &'static str {
        match self {
            PolicyKind::Inline => "inline policy",
            PolicyKind::CustomerManaged => "customer managed policy",
            PolicyKind::AwsManaged => "AWS managed policy",
            PolicyKind::PermissionsBoundary => "permissions boundary",
            PolicyKind::Trust => "role trust policy",
            PolicyKind::Scp => "service control policy",
            PolicyKind::Rcp => "resource control policy",
            PolicyKind::ResourcePolicy => "resource-based policy",
            PolicyKind::SessionPolicy => "session policy",
            PolicyKind::VpcEndpoint => "VPC endpoint policy",
            PolicyKind::Authorizer => "authorizer policy",
            PolicyKind::Scenario => "policy",
        }
    }
}

/// Which policy of a scenario: layer, organization level and position in the layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Slot {
    /// Layer.
    pub layer: Layer,
    /// Organization level (SCP/RCP), 0 = root.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<usize>,
    /// Position among the layer's (or level's) policies.
    pub index: usize,
}

/// Facts about one policy beyond its document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PolicyOrigin {
    /// The account the policy lives in (for SCPs/RCPs: the management account).
    pub account: Option<String>,
    /// What it is attached to: `user alice`, `role service/DataPipeline`, `OU ou-…`, `bucket …`.
    pub attached_to: String,
    /// Kind.
    pub kind: PolicyKind,
    /// False for AWS managed policies (and FullAWSAccess).
    pub editable: bool,
    /// The file it was read from.
    pub file: String,
}

impl PolicyOrigin {
    /// A sentence fragment: `customer managed policy ReportsReadOnly (arn…) of user alice in account 1111…`.
    pub fn describe(&self, np: &NamedPolicy) -> String {
        let name = np.name.as_deref().unwrap_or(&np.label);
        let mut s = match self.kind {
            PolicyKind::Trust => format!("trust policy of {}", self.attached_to),
            PolicyKind::ResourcePolicy
            | PolicyKind::VpcEndpoint
            | PolicyKind::SessionPolicy
            | PolicyKind::Scenario
                if np.label.contains(" of ") || self.attached_to.is_empty() =>
            {
                np.label.clone()
            }
            PolicyKind::ResourcePolicy
            | PolicyKind::VpcEndpoint
            | PolicyKind::SessionPolicy
            | PolicyKind::Scenario => format!("{} ({})", np.label, self.attached_to),
            kind => {
                let mut s = format!("{} {name}", kind.describe());
                if let Some(a) = np.arn.as_deref().filter(|a| *a != name) {
                    s.push_str(&format!(" ({a})"));
                }
                if !self.attached_to.is_empty() {
                    s.push_str(&format!(" of {}", self.attached_to));
                }
                s
            }
        };
        if let Some(a) = &self.account {
            s.push_str(&format!(" in account {a}"));
        }
        s
    }
}

/// The policies of a layer/level, in slot order.
pub fn policies_at(s: &Scenario, layer: Layer, level: Option<usize>) -> Vec<&NamedPolicy> {
    s.policies_at(layer, level)
}

/// The policy in `slot`.
pub fn policy_at(s: &Scenario, slot: Slot) -> Option<&NamedPolicy> {
    policies_at(s, slot.layer, slot.level)
        .get(slot.index)
        .copied()
}

/// Replace the policy in `slot`; false if the slot does not exist.
pub fn replace_at(s: &mut Scenario, slot: Slot, np: NamedPolicy) -> bool {
    let p = &mut s.policies;
    let cell: Option<&mut NamedPolicy> = match slot.layer {
        Layer::Rcp => p
            .rcps
            .as_mut()
            .and_then(|l| l.get_mut(slot.level?))
            .and_then(|l| l.get_mut(slot.index)),
        Layer::Scp => p
            .scps
            .as_mut()
            .and_then(|l| l.get_mut(slot.level?))
            .and_then(|l| l.get_mut(slot.index)),
        Layer::VpcEndpoint => p.vpc_endpoint.as_mut().and_then(|l| l.get_mut(slot.index)),
        Layer::Resource => p.resource.as_mut().filter(|_| slot.index == 0),
        Layer::Identity => p.identity.get_mut(slot.index),
        Layer::PermissionsBoundary => p.permissions_boundary.as_mut().filter(|_| slot.index == 0),
        Layer::Session => p.session.get_mut(slot.index),
        Layer::Authorizer => s
            .apigateway
            .as_mut()
            .and_then(|a| a.authorizer_policy.as_mut())
            .filter(|_| slot.index == 0),
    };
    match cell {
        Some(c) => {
            *c = np;
            true
        }
        None => false,
    }
}

/// Add a new policy to a layer (or level); returns its slot.
pub fn add_policy(
    s: &mut Scenario,
    layer: Layer,
    level: Option<usize>,
    np: NamedPolicy,
) -> Option<Slot> {
    let p = &mut s.policies;
    let index = match layer {
        Layer::Identity => {
            p.identity.push(np);
            p.identity.len() - 1
        }
        Layer::Session => {
            p.session.push(np);
            p.session.len() - 1
        }
        Layer::Resource if p.resource.is_none() => {
            p.resource = Some(np);
            0
        }
        Layer::VpcEndpoint => {
            let v = p.vpc_endpoint.get_or_insert_with(Vec::new);
            v.push(np);
            v.len() - 1
        }
        Layer::Scp => {
            let lvl = p.scps.as_mut()?.get_mut(level?)?;
            lvl.push(np);
            lvl.len() - 1
        }
        Layer::Authorizer => {
            let a = s.apigateway.as_mut()?;
            if a.authorizer_policy.is_some() {
                return None;
            }
            a.authorizer_policy = Some(np);
            0
        }
        _ => return None,
    };
    Some(Slot {
        layer,
        level,
        index,
    })
}

/// The document of a parsed policy, as JSON (the text it was parsed from).
pub fn document_of(np: &NamedPolicy) -> Option<serde_json::Value> {
    serde_json::from_str(np.policy.source.slice(np.policy.span)).ok()
}
