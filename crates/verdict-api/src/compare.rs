//! `diff` and `check`: compare policies offline, with a request for each difference.

use crate::PolicyInput;
use serde::Deserialize;
use serde_json::Value;
use verdict_eval::compare::{
    no_access_policy, no_public_access_policy, public_callers, Diff, DiffOptions, Relation,
};
use verdict_policy::{Diagnostic, ErrorCode, PolicyType};

/// Arguments of a `diff` call.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiffCall {
    /// The policy before.
    pub old: PolicyInput,
    /// The policy after.
    pub new: PolicyInput,
    /// How both are read (default `identity`).
    #[serde(default)]
    pub policy_type: Option<String>,
    /// Only these actions (patterns).
    #[serde(default)]
    pub actions: Option<Vec<String>>,
    /// Only resources matching these patterns.
    #[serde(default)]
    pub resources: Option<Vec<String>>,
}

/// The gates of a `check` call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Gate {
    /// `policy` allows nothing that `base` does not.
    NoNewAccess,
    /// `policy` (a resource or trust policy) lets no unrelated account or anonymous
    /// caller in.
    NoPublicAccess,
    /// `policy` allows none of `actions` (on `resources`).
    AccessNotGranted,
}

impl Gate {
    fn as_str(self) -> &'static str {
        match self {
            Gate::NoNewAccess => "no-new-access",
            Gate::NoPublicAccess => "no-public-access",
            Gate::AccessNotGranted => "access-not-granted",
        }
    }
}

/// Arguments of a `check` call.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckCall {
    /// Which gate.
    pub check: Gate,
    /// The policy checked (after the change).
    pub policy: PolicyInput,
    /// `no-new-access`: the policy before the change.
    #[serde(default)]
    pub base: Option<PolicyInput>,
    /// `no-public-access`: what the policy is attached to (`AWS::S3::Bucket`, …).
    #[serde(default)]
    pub resource_type: Option<String>,
    /// `access-not-granted`: the actions (patterns).
    #[serde(default)]
    pub actions: Vec<String>,
    /// `access-not-granted`: only resources matching this pattern.
    #[serde(default)]
    pub resources: Option<String>,
    /// How the policies are read (default `identity`; `no-public-access` takes it from
    /// `resource_type`).
    #[serde(default)]
    pub policy_type: Option<String>,
    /// Pass when the question cannot be decided exactly (default: fail closed).
    #[serde(default)]
    pub allow_unknown: bool,
}

fn policy_type(name: Option<&str>) -> Result<PolicyType, Vec<Diagnostic>> {
    match name {
        None => Ok(PolicyType::Identity),
        Some(t) => PolicyType::from_name(t).ok_or_else(|| {
            crate::error(ErrorCode::InvalidCall, format!("policy_type \"{t}\" is not a policy type (identity, resource, trust, scp, rcp, boundary, session, vpc-endpoint)"))
        }),
    }
}

fn stamped(d: &Diff) -> Value {
    let mut v = serde_json::to_value(d).unwrap_or_default();
    crate::stamp(&mut v);
    v
}

/// Answer a `diff` call: the comparison (docs/schemas/diff.schema.json).
pub fn diff(call: &DiffCall) -> Result<Value, Vec<Diagnostic>> {
    let opts = DiffOptions {
        policy_type: policy_type(call.policy_type.as_deref())?,
        actions: call.actions.clone(),
        resources: call.resources.clone(),
        callers: None,
    };
    let d = verdict_eval::compare::diff(&call.old.value("old")?, &call.new.value("new")?, &opts)?;
    Ok(stamped(&d))
}

/// Did a gate pass? New access fails it; so does a comparison that could not be decided
/// exactly, unless `allow_unknown`.
pub fn passes(d: &Diff, allow_unknown: bool) -> bool {
    d.new_access.is_empty() && (d.relation != Relation::Unknown || allow_unknown)
}

/// Answer a `check` call: the comparison, with `"check"` and `"passed"`.
pub fn check(call: &CheckCall) -> Result<Value, Vec<Diagnostic>> {
    let bad = |m: String| crate::error(ErrorCode::InvalidCall, m);
    let policy = call.policy.value("policy")?;
    let (base, opts) = match call.check {
        Gate::NoNewAccess => {
            let base = call.base.as_ref().ok_or_else(|| {
                bad(
                    "no-new-access compares with \"base\", the policy before the change; give it"
                        .into(),
                )
            })?;
            (
                base.value("base")?,
                DiffOptions {
                    policy_type: policy_type(call.policy_type.as_deref())?,
                    actions: None,
                    resources: None,
                    callers: None,
                },
            )
        }
        Gate::NoPublicAccess => {
            let name = call.resource_type.as_deref().ok_or_else(|| {
                bad("no-public-access needs \"resource_type\", what the policy is attached to (AWS::S3::Bucket, AWS::IAM::Role for a trust policy, …)".into())
            })?;
            let kind = verdict_lint::ResourceKind::from_name(name).ok_or_else(|| {
                bad(format!(
                    "resource_type \"{name}\" is not a resource type{}",
                    verdict_lint::resource_kind::suggest(name)
                ))
            })?;
            let ty = if kind == verdict_lint::ResourceKind::RoleTrust {
                PolicyType::Trust
            } else {
                PolicyType::Resource
            };
            (
                no_public_access_policy(ty),
                DiffOptions {
                    policy_type: ty,
                    actions: None,
                    resources: None,
                    callers: Some(public_callers()),
                },
            )
        }
        Gate::AccessNotGranted => {
            if call.actions.is_empty() {
                return Err(bad(
                    "access-not-granted needs \"actions\", the actions the policy must not allow"
                        .into(),
                ));
            }
            (
                no_access_policy(),
                DiffOptions {
                    policy_type: policy_type(call.policy_type.as_deref())?,
                    actions: Some(call.actions.clone()),
                    resources: call.resources.clone().map(|r| vec![r]),
                    callers: None,
                },
            )
        }
    };
    let d = verdict_eval::compare::diff(&base, &policy, &opts)?;
    let mut v = stamped(&d);
    if let Some(obj) = v.as_object_mut() {
        obj.insert("check".into(), call.check.as_str().into());
        obj.insert("passed".into(), passes(&d, call.allow_unknown).into());
    }
    Ok(v)
}
