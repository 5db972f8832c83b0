//! What the traced path records: every layer, policy and statement, and why each missed.

use crate::matching::MatchKind;
use serde::Serialize;
use std::borrow::Cow;
use verdict_policy::Position;

/// A remark on an answer: a stable code and a sentence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// Stable kebab-case code (`unknown-action`, `type-mismatch`, …) or a spec rule id (`U23`).
    pub code: Cow<'static, str>,
    /// What happened.
    pub message: String,
}

impl Warning {
    /// A warning with a static code.
    pub fn new(code: &'static str, message: impl Into<String>) -> Warning {
        Warning {
            code: Cow::Borrowed(code),
            message: message.into(),
        }
    }
}

/// A note on one condition or statement: shown (and serialized) as its sentence, and
/// carrying the code of the warning it becomes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    /// Stable code.
    pub code: &'static str,
    /// The sentence.
    pub text: String,
}

impl Note {
    /// A note.
    pub fn new(code: &'static str, text: impl Into<String>) -> Note {
        Note {
            code,
            text: text.into(),
        }
    }
}

impl std::fmt::Display for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl Serialize for Note {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

/// The final answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Allowed.
    Allow,
    /// Denied by an applicable Deny statement.
    ExplicitDeny,
    /// Denied because some required layer has no applicable Allow.
    ImplicitDeny,
}

impl Decision {
    /// snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allow => "allow",
            Decision::ExplicitDeny => "explicit_deny",
            Decision::ImplicitDeny => "implicit_deny",
        }
    }
}

/// A policy layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Layer {
    /// Resource control policies.
    Rcp,
    /// Service control policies.
    Scp,
    /// VPC endpoint policy.
    VpcEndpoint,
    /// Resource-based policy (including trust and key policies).
    Resource,
    /// Identity-based policies.
    Identity,
    /// Permissions boundary.
    PermissionsBoundary,
    /// Session policies.
    Session,
    /// API Gateway authorizer.
    Authorizer,
}

impl Layer {
    /// snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Layer::Rcp => "rcp",
            Layer::Scp => "scp",
            Layer::VpcEndpoint => "vpc_endpoint",
            Layer::Resource => "resource",
            Layer::Identity => "identity",
            Layer::PermissionsBoundary => "permissions_boundary",
            Layer::Session => "session",
            Layer::Authorizer => "authorizer",
        }
    }

    /// Read a layer's snake_case name (as `as_str` spells it).
    pub fn parse(s: &str) -> Option<Layer> {
        [
            Layer::Rcp,
            Layer::Scp,
            Layer::VpcEndpoint,
            Layer::Resource,
            Layer::Identity,
            Layer::PermissionsBoundary,
            Layer::Session,
            Layer::Authorizer,
        ]
        .into_iter()
        .find(|l| l.as_str() == s)
    }

    /// Human name.
    pub fn title(self) -> &'static str {
        match self {
            Layer::Rcp => "resource control policies",
            Layer::Scp => "service control policies",
            Layer::VpcEndpoint => "VPC endpoint policy",
            Layer::Resource => "resource-based policy",
            Layer::Identity => "identity-based policies",
            Layer::PermissionsBoundary => "permissions boundary",
            Layer::Session => "session policies",
            Layer::Authorizer => "API Gateway authorizer",
        }
    }
}

/// A statement that decided.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StatementRef {
    /// Layer.
    pub layer: Layer,
    /// Organization level for SCP/RCP (0 = root).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<usize>,
    /// Policy label (name, ARN, or position).
    pub policy: String,
    /// Policy ARN, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy_arn: Option<String>,
    /// Statement Sid or `#N`.
    pub statement: String,
    /// Statement index (0-based).
    pub index: usize,
    /// File.
    pub file: String,
    /// Start of the statement.
    pub position: Position,
}

/// One condition's evaluation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConditionTrace {
    /// Operator as written.
    pub operator: String,
    /// The operator, parsed (what code should test, instead of the text).
    #[serde(skip)]
    pub op: verdict_policy::condition::Operator,
    /// Key as written.
    pub key: String,
    /// Request values; `null` when the key was absent.
    pub request_values: Option<Vec<String>>,
    /// Policy values as written.
    pub policy_values: Vec<String>,
    /// Did it hold?
    pub holds: bool,
    /// Extra explanation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<Note>,
}

/// Why a statement did not apply (every failing element is listed).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "element", rename_all = "snake_case")]
pub enum Miss {
    /// Action/NotAction does not cover the action.
    Action {
        /// True for NotAction.
        negated: bool,
        /// The entries (shared with the policy).
        patterns: std::sync::Arc<[String]>,
        /// The requested action (shared by every statement of the trace).
        requested: std::sync::Arc<str>,
    },
    /// Resource/NotResource does not cover the resource.
    Resource {
        /// True for NotResource.
        negated: bool,
        /// The entries.
        patterns: Vec<String>,
        /// The requested resource.
        requested: String,
        /// Entries with unresolvable variables.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        unresolved_variables: Vec<String>,
    },
    /// Principal/NotPrincipal excludes the caller.
    Principal {
        /// True for NotPrincipal.
        negated: bool,
        /// The entries.
        principals: Vec<String>,
        /// The caller.
        caller: String,
    },
    /// A condition is false.
    Condition {
        /// Operator.
        operator: String,
        /// The operator, parsed.
        #[serde(skip)]
        op: verdict_policy::condition::Operator,
        /// Key.
        key: String,
        /// Request values (`null` = absent).
        request_values: Option<Vec<String>>,
        /// Policy values.
        policy_values: Vec<String>,
        /// Extra explanation.
        #[serde(skip_serializing_if = "Option::is_none")]
        note: Option<Note>,
    },
}

impl Miss {
    /// The element name.
    pub fn element(&self) -> &'static str {
        match self {
            Miss::Action { .. } => "action",
            Miss::Resource { .. } => "resource",
            Miss::Principal { .. } => "principal",
            Miss::Condition { .. } => "condition",
        }
    }
}

/// One statement's evaluation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StatementTrace {
    /// 0-based index.
    pub index: usize,
    /// Sid or `#N`.
    pub sid: String,
    /// Allow/Deny.
    pub effect: &'static str,
    /// Did it apply?
    pub applies: bool,
    /// How the principal matched (resource policies).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal_match: Option<MatchKind>,
    /// Why not (empty when it applies).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub misses: Vec<Miss>,
    /// Every condition evaluated.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<ConditionTrace>,
    /// Notes (NotPrincipal, etc.).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Note>,
    /// Where.
    pub position: Position,
}

/// One policy's evaluation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PolicyTrace {
    /// Label.
    pub policy: String,
    /// ARN, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    /// File it came from.
    pub file: String,
    /// Its statements.
    pub statements: Vec<StatementTrace>,
}

/// The outcome of one layer (or one organization level).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LayerOutcome {
    /// An applicable Deny.
    ExplicitDeny,
    /// An applicable Allow, no Deny.
    Allow,
    /// Neither.
    NoMatch,
    /// The layer does not bind this request.
    NotApplicable,
}

/// One layer's evaluation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LayerTrace {
    /// Which layer.
    pub layer: Layer,
    /// Organization level (SCP/RCP), 0 = root.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<usize>,
    /// Outcome.
    pub outcome: LayerOutcome,
    /// Why the layer does not apply, or other remarks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The policies.
    pub policies: Vec<PolicyTrace>,
}

/// A context key the policies test that the request did not supply.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MissingKey {
    /// The key as written in the policy.
    pub key: String,
    /// Would supplying some value change the decision?
    pub could_change_decision: bool,
    /// A value that would change it, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flipping_value: Option<String>,
}
