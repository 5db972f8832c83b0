//! The parsed policy model.

use crate::arn::ResourcePattern;
use crate::condition::Condition;
use crate::glob::Glob;
use crate::principal::PrincipalEntry;
use crate::source::{SourceFile, Span};
use std::sync::Arc;

/// What kind of policy a document is; it decides which elements are allowed (§2.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PolicyType {
    /// Identity-based policy of a user, group or role.
    Identity,
    /// Resource-based policy (bucket, key, queue, API, …).
    Resource,
    /// Role trust policy.
    Trust,
    /// Service control policy.
    Scp,
    /// Resource control policy.
    Rcp,
    /// Permissions boundary.
    Boundary,
    /// Session policy.
    Session,
    /// VPC endpoint policy.
    VpcEndpoint,
    /// Policy returned by an API Gateway Lambda authorizer.
    Authorizer,
}

impl PolicyType {
    /// Kebab-case name used on the command line and in output.
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyType::Identity => "identity",
            PolicyType::Resource => "resource",
            PolicyType::Trust => "trust",
            PolicyType::Scp => "scp",
            PolicyType::Rcp => "rcp",
            PolicyType::Boundary => "permissions-boundary",
            PolicyType::Session => "session",
            PolicyType::VpcEndpoint => "vpc-endpoint",
            PolicyType::Authorizer => "authorizer",
        }
    }

    /// Parse a kebab-case name.
    pub fn from_name(s: &str) -> Option<PolicyType> {
        Some(match s {
            "identity" => PolicyType::Identity,
            "resource" => PolicyType::Resource,
            "trust" => PolicyType::Trust,
            "scp" => PolicyType::Scp,
            "rcp" => PolicyType::Rcp,
            "permissions-boundary" | "boundary" => PolicyType::Boundary,
            "session" => PolicyType::Session,
            "vpc-endpoint" => PolicyType::VpcEndpoint,
            "authorizer" => PolicyType::Authorizer,
            _ => return None,
        })
    }

    /// True for the IAM policy types whose Sids must be unique and alphanumeric.
    pub fn is_iam(self) -> bool {
        matches!(
            self,
            PolicyType::Identity | PolicyType::Boundary | PolicyType::Session | PolicyType::Trust
        )
    }
}

/// The policy language version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    /// `2012-10-17`: policy variables are honoured.
    V2012_10_17,
    /// `2008-10-17`: `${…}` is literal text.
    V2008_10_17,
}

/// `Allow` or `Deny`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Effect {
    /// Allow
    Allow,
    /// Deny
    Deny,
}

impl Effect {
    /// AWS's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        }
    }
}

/// A parsed, validated policy document.
#[derive(Clone, Debug)]
pub struct Policy {
    /// The text it was parsed from.
    pub source: Arc<SourceFile>,
    /// Span of the whole document.
    pub span: Span,
    /// The type it was validated as.
    pub policy_type: PolicyType,
    /// `Version`, if given.
    pub version: Option<Version>,
    /// `Id`, if given.
    pub id: Option<String>,
    /// The statements in document order.
    pub statements: Vec<Statement>,
}

impl Policy {
    /// True if policy variables are honoured (Version 2012-10-17).
    pub fn variables_enabled(&self) -> bool {
        self.version == Some(Version::V2012_10_17)
    }
}

/// One statement.
#[derive(Clone, Debug)]
pub struct Statement {
    /// Position in the policy (0-based).
    pub index: usize,
    /// Span of the statement object.
    pub span: Span,
    /// `Sid`, if given.
    pub sid: Option<String>,
    /// `Effect`.
    pub effect: Effect,
    /// `Principal` or `NotPrincipal`.
    pub principal: Option<PrincipalBlock>,
    /// `Action` or `NotAction`.
    pub action: ActionBlock,
    /// `Resource` or `NotResource` (absent in trust policies).
    pub resource: Option<ResourceBlock>,
    /// Every operator/key pair of `Condition`, in document order.
    pub conditions: Vec<Condition>,
    /// Span of the `Condition` element, if any.
    pub condition_span: Option<Span>,
}

impl Statement {
    /// `Sid` or `#N` (1-based) for messages.
    pub fn label(&self) -> String {
        match &self.sid {
            Some(s) if !s.is_empty() => s.clone(),
            _ => format!("#{}", self.index + 1),
        }
    }
}

/// `Principal` or `NotPrincipal`.
#[derive(Clone, Debug)]
pub struct PrincipalBlock {
    /// True for `NotPrincipal`.
    pub negated: bool,
    /// The entries (OR-ed).
    pub entries: Vec<PrincipalEntry>,
    /// The entries as written, e.g. `AWS:arn:aws:iam::…` or `*`.
    pub raw: Vec<String>,
    /// Span of the element value.
    pub span: Span,
}

/// One `Action`/`NotAction` entry.
#[derive(Clone, Debug)]
pub struct ActionPattern {
    /// As written.
    pub raw: String,
    /// Where.
    pub span: Span,
    matcher: ActionMatcher,
}

#[derive(Clone, Debug)]
enum ActionMatcher {
    Any,
    Service {
        service: String,
        service_hash: u64,
        name: Glob,
    },
}

/// A cheap hash of a lower-cased service prefix, compared before the strings.
pub fn service_hash(service_lc: &str) -> u64 {
    // FNV-1a: a handful of bytes, no allocation.
    service_lc.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

impl ActionPattern {
    /// Compile `raw` (already validated to be `*` or `service:name`).
    pub fn new(raw: &str, span: Span) -> ActionPattern {
        let lower = raw.to_ascii_lowercase();
        let matcher = match lower.split_once(':') {
            _ if raw == "*" => ActionMatcher::Any,
            Some((svc, name)) => ActionMatcher::Service {
                service_hash: service_hash(svc),
                service: svc.to_string(),
                name: Glob::new(name),
            },
            None => ActionMatcher::Service {
                service_hash: service_hash(&lower),
                service: lower.clone(),
                name: Glob::literal("\u{0}"),
            },
        };
        ActionPattern {
            raw: raw.to_string(),
            span,
            matcher,
        }
    }

    /// Does the pattern match `service:name` (both lower-cased)?
    pub fn matches(&self, service_lc: &str, name_lc: &str) -> bool {
        self.matches_hashed(service_hash(service_lc), service_lc, name_lc)
    }

    /// As [`ActionPattern::matches`], with the request's [`service_hash`] precomputed.
    pub fn matches_hashed(&self, hash: u64, service_lc: &str, name_lc: &str) -> bool {
        match &self.matcher {
            ActionMatcher::Any => true,
            ActionMatcher::Service {
                service,
                service_hash,
                name,
            } => {
                *service_hash == hash
                    && crate::glob::short_eq(service.as_bytes(), service_lc.as_bytes())
                    && name.matches(name_lc)
            }
        }
    }

    /// True for `*`.
    pub fn is_any(&self) -> bool {
        matches!(self.matcher, ActionMatcher::Any)
    }
}

/// `Action` or `NotAction`.
#[derive(Clone, Debug)]
pub struct ActionBlock {
    /// True for `NotAction`.
    pub negated: bool,
    /// The entries.
    pub patterns: Vec<ActionPattern>,
    /// Span of the element value.
    pub span: Span,
}

impl ActionBlock {
    /// Does the element cover the action (NotAction inverted)?
    pub fn covers(&self, service_lc: &str, name_lc: &str) -> bool {
        self.covers_hashed(service_hash(service_lc), service_lc, name_lc)
    }

    /// As [`ActionBlock::covers`], with the request's [`service_hash`] precomputed.
    pub fn covers_hashed(&self, hash: u64, service_lc: &str, name_lc: &str) -> bool {
        self.patterns
            .iter()
            .any(|p| p.matches_hashed(hash, service_lc, name_lc))
            != self.negated
    }
}

/// One `Resource`/`NotResource` entry.
#[derive(Clone, Debug)]
pub struct ResourceEntry {
    /// As written.
    pub raw: String,
    /// Where.
    pub span: Span,
    /// Compiled.
    pub pattern: ResourcePattern,
}

/// `Resource` or `NotResource`.
#[derive(Clone, Debug)]
pub struct ResourceBlock {
    /// True for `NotResource`.
    pub negated: bool,
    /// The entries.
    pub entries: Vec<ResourceEntry>,
    /// Span of the element value.
    pub span: Span,
}
