//! AWS's enhanced AccessDenied wording (§7.1).

use crate::request::Caller;
use crate::scenario::MessageStyle;
use crate::trace::{Decision, Layer};

/// Phrase for an implicit deny by `layer` (§7.1 table).
fn implicit_phrase(layer: Layer, trust: bool) -> &'static str {
    match layer {
        Layer::Identity => "identity-based policy",
        Layer::Resource if trust => "role trust policy",
        Layer::Resource => "resource-based policy",
        Layer::PermissionsBoundary => "permissions boundary",
        Layer::Session => "session policy",
        Layer::VpcEndpoint => "VPC endpoint policy",
        Layer::Scp => "service control policy",
        Layer::Rcp => "resource control policy",
        Layer::Authorizer => "authorizer policy",
    }
}

/// Article and phrase for an explicit deny by `layer`.
fn explicit_phrase(layer: Layer, trust: bool) -> &'static str {
    match layer {
        Layer::Identity => "an identity-based policy",
        Layer::Resource if trust => "the role trust policy",
        Layer::Resource => "a resource-based policy",
        Layer::PermissionsBoundary => "a permissions boundary",
        Layer::Session => "a session policy",
        Layer::VpcEndpoint => "a VPC endpoint policy",
        Layer::Scp => "a service control policy",
        Layer::Rcp => "a resource control policy",
        Layer::Authorizer => "an authorizer policy",
    }
}

/// Inputs for a message.
pub struct MessageParts<'a> {
    /// Caller.
    pub caller: &'a Caller,
    /// Action as requested.
    pub action: &'a str,
    /// Resource ARN or `*`.
    pub resource: &'a str,
    /// Outcome.
    pub decision: Decision,
    /// Deciding layer.
    pub denied_by: Option<Layer>,
    /// ARN of the denying policy (explicit denies).
    pub policy_arn: Option<&'a str>,
    /// The request is a role assumption (trust-policy wording).
    pub trust: bool,
    /// Style.
    pub style: MessageStyle,
}

/// The message AWS would return; empty for an allowed request.
pub fn access_denied_message(m: &MessageParts<'_>) -> String {
    let Some(layer) = m.denied_by else {
        return String::new();
    };
    if m.decision == Decision::Allow {
        return String::new();
    }
    let s3 = m.resource.starts_with("arn:aws:s3:::")
        || m.resource.starts_with("arn:aws-cn:s3:::")
        || m.resource.starts_with("arn:aws-us-gov:s3:::");
    if matches!(m.caller, Caller::Anonymous) && s3 {
        return "Access Denied".to_string();
    }
    let mut out = format!(
        "User: {} is not authorized to perform: {}",
        m.caller.display(),
        m.action
    );
    if m.resource != "*" {
        if s3 {
            out.push_str(&format!(" on resource: \"{}\"", m.resource));
        } else {
            out.push_str(&format!(" on resource: {}", m.resource));
        }
    }
    match m.decision {
        Decision::ImplicitDeny => {
            out.push_str(&format!(
                " because no {} allows the {} action",
                implicit_phrase(layer, m.trust),
                m.action
            ));
        }
        Decision::ExplicitDeny => {
            out.push_str(&format!(
                " with an explicit deny in {}",
                explicit_phrase(layer, m.trust)
            ));
            let arn_allowed = matches!(
                layer,
                Layer::Scp
                    | Layer::Rcp
                    | Layer::Identity
                    | Layer::Session
                    | Layer::PermissionsBoundary
            );
            if let (Some(arn), true) = (m.policy_arn, arn_allowed) {
                match m.style {
                    MessageStyle::Plain => {}
                    MessageStyle::AccessTroubleshooter => out.push_str(&format!(": {arn}")),
                    MessageStyle::S3 => out.push_str(&format!(", with policy ARN: {arn}")),
                }
            }
        }
        Decision::Allow => {}
    }
    out
}
