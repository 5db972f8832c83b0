//! Policy type detection.
//!
//! In order:
//! 1. `--policy-type` (or `policy-type` in `verdict.toml`) wins.
//! 2. The container decides when it is known: a CloudFormation
//!    `AssumeRolePolicyDocument` is a trust policy, a bucket policy a resource policy,
//!    an `AWS::Organizations::Policy` of type `SERVICE_CONTROL_POLICY` an SCP, …
//! 3. The document's shape:
//!    * some statement has `Principal`/`NotPrincipal` and every statement has
//!      `"Principal": "*"` and either denies (on `"Resource": "*"` or with
//!      `NotResource`) or is the `RCPFullAWSAccess` statement → **rcp**;
//!    * `Principal` present and every action is an `sts:AssumeRole*`,
//!      `sts:TagSession`, `sts:SetSourceIdentity` or `sts:SetContext` action →
//!      **trust**;
//!    * `Principal` present otherwise → **resource**.
//! 4. Without a `Principal`, a word in the file name: `scp`, `rcp`, `boundary`,
//!    `trust`, `session`, `endpoint` (`org-scp.json`, `dev.boundary.json`).
//! 5. Otherwise **identity**.

use crate::input::TypeHint;
use verdict_policy::json::{Json, JsonKind};
use verdict_policy::PolicyType;

/// The chosen type and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Detection {
    /// The type.
    pub policy_type: PolicyType,
    /// One line, for `--verbose`.
    pub reason: String,
}

fn statements(tree: &Json) -> Vec<&Json> {
    match tree.get("Statement").map(|s| &s.kind) {
        Some(JsonKind::Array(a)) => a.iter().collect(),
        Some(JsonKind::Object(_)) => tree.get("Statement").into_iter().collect(),
        _ => Vec::new(),
    }
}

fn strings(v: Option<&Json>) -> Vec<&str> {
    match v.map(|v| &v.kind) {
        Some(JsonKind::String(s)) => vec![s.as_str()],
        Some(JsonKind::Array(a)) => a.iter().filter_map(Json::as_str).collect(),
        _ => Vec::new(),
    }
}

const TRUST_ACTIONS: &[&str] = &[
    "sts:assumerole",
    "sts:assumerolewithsaml",
    "sts:assumerolewithwebidentity",
    "sts:tagsession",
    "sts:setsourceidentity",
    "sts:setcontext",
    "sts:assumerole*",
    "sts:assume*",
];

/// Decide the type of `tree` (a policy document) found in `file_name`.
pub fn detect(
    tree: &Json,
    file_name: &str,
    hint: Option<&TypeHint>,
    forced: Option<PolicyType>,
) -> Detection {
    if let Some(t) = forced {
        return Detection {
            policy_type: t,
            reason: "set with --policy-type".into(),
        };
    }
    if let Some(h) = hint {
        return Detection {
            policy_type: h.policy_type,
            reason: h.reason.clone(),
        };
    }
    let stmts = statements(tree);
    let has_principal = stmts
        .iter()
        .any(|s| s.get("Principal").is_some() || s.get("NotPrincipal").is_some());
    if has_principal {
        let star_principal = |s: &Json| s.get("Principal").and_then(Json::as_str) == Some("*");
        let rcp_like = !stmts.is_empty()
            && stmts.iter().all(|s| {
                let effect = s.get("Effect").and_then(Json::as_str);
                let resources = strings(s.get("Resource"));
                let actions = strings(s.get("Action"));
                star_principal(s)
                    && match effect {
                        Some("Deny") => s.get("NotResource").is_some() || resources == ["*"],
                        Some("Allow") => {
                            resources == ["*"] && actions == ["*"] && s.get("Condition").is_none()
                        }
                        _ => false,
                    }
            });
        if rcp_like {
            return Detection {
                policy_type: PolicyType::Rcp,
                reason: "every statement has \"Principal\": \"*\" and denies on all resources (the shape of a resource control policy)".into(),
            };
        }
        let actions: Vec<String> = stmts
            .iter()
            .filter(|s| s.get("Principal").is_some() || s.get("NotPrincipal").is_some())
            .flat_map(|s| strings(s.get("Action")))
            .map(str::to_ascii_lowercase)
            .collect();
        if !actions.is_empty() && actions.iter().all(|a| TRUST_ACTIONS.contains(&a.as_str())) {
            return Detection {
                policy_type: PolicyType::Trust,
                reason: "statements name a Principal and only sts:AssumeRole* actions (a role trust policy)".into(),
            };
        }
        return Detection {
            policy_type: PolicyType::Resource,
            reason: "statements name a Principal (a resource-based policy)".into(),
        };
    }
    let base = file_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(file_name)
        .to_ascii_lowercase();
    let words: Vec<&str> = base.split(|c: char| !c.is_ascii_alphanumeric()).collect();
    let by_name = [
        ("scp", PolicyType::Scp),
        ("rcp", PolicyType::Rcp),
        ("boundary", PolicyType::Boundary),
        ("trust", PolicyType::Trust),
        ("session", PolicyType::Session),
        ("endpoint", PolicyType::VpcEndpoint),
    ];
    for (word, t) in by_name {
        if words.contains(&word) {
            return Detection {
                policy_type: t,
                reason: format!("no Principal; the file name contains the word \"{word}\""),
            };
        }
    }
    Detection {
        policy_type: PolicyType::Identity,
        reason: "no Principal element (an identity-based policy)".into(),
    }
}
