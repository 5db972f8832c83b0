//! Refusals a service makes whatever the policies say (§10.2): writes to AWS managed
//! policies, to roles IAM Identity Center or a service owns, to reserved KMS aliases,
//! and GetSessionToken from a session. These are not IAM decisions, so no policy change
//! helps; the result names the rule instead of blaming a layer.

use crate::request::{Caller, Request};
use serde::Serialize;
use verdict_catalog::special::{self, ServiceRule};

/// A service refuses the request regardless of policies.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ServiceRefusal {
    /// Stable id of the rule.
    pub rule: &'static str,
    /// The error code the service returns, where AWS documents it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<&'static str>,
    /// What the service refuses, and what to do instead.
    pub explanation: &'static str,
    /// Where AWS says so.
    pub source: &'static str,
}

impl From<&'static ServiceRule> for ServiceRefusal {
    fn from(r: &'static ServiceRule) -> Self {
        ServiceRefusal {
            rule: r.id,
            error_code: r.error_code,
            explanation: r.explanation,
            source: r.source,
        }
    }
}

/// IAM actions a service-linked role still accepts.
const SLR_ALLOWED: &[&str] = &[
    "deleteservicelinkedrole",
    "updateroledescription",
    "createservicelinkedrole",
];

/// The service rule that refuses `req`, if any.
pub fn service_refusal(req: &Request) -> Option<ServiceRefusal> {
    let resource = req.resource.as_str();
    let rule: &'static ServiceRule = match req.service_lc.as_str() {
        "iam" => {
            let level = verdict_catalog::catalog()
                .action(&req.action)
                .map(|a| a.access_level())?;
            if !level.is_write() {
                return None;
            }
            let head = resource.split(':').nth(4).unwrap_or("");
            let res = resource.splitn(6, ':').nth(5).unwrap_or("");
            if head == "aws" && res.starts_with("policy/") {
                &special::AWS_MANAGED_POLICY_WRITE
            } else if res.starts_with("role/aws-reserved/sso.amazonaws.com/") {
                &special::IDENTITY_CENTER_ROLE_WRITE
            } else if res.starts_with("role/aws-service-role/")
                && level != verdict_catalog::AccessLevel::Tagging
                && !SLR_ALLOWED.contains(&req.name_lc.as_str())
            {
                &special::SERVICE_LINKED_ROLE_WRITE
            } else {
                return None;
            }
        }
        "kms"
            if matches!(
                req.name_lc.as_str(),
                "createalias" | "updatealias" | "deletealias"
            ) && resource.contains(":alias/aws/") =>
        {
            &special::KMS_RESERVED_ALIAS
        }
        "sts"
            if req.name_lc == "getsessiontoken"
                && matches!(
                    req.caller,
                    Caller::AssumedRole { .. } | Caller::FederatedUser { .. }
                ) =>
        {
            &special::GET_SESSION_TOKEN_WITH_SESSION
        }
        _ => return None,
    };
    Some(rule.into())
}
