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
    /// Which statements can concern which service (see [`Policy::candidates`]).
    statement_index: StatementIndex,
}

/// Statement indexes in document order: a merge of those naming the service and those
/// that can concern any service (see [`Policy::candidates`]).
#[derive(Clone, Debug)]
pub struct Candidates<'a> {
    service: &'a [(u64, u32)],
    any: &'a [u32],
    all: std::ops::Range<usize>,
}

impl Iterator for Candidates<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        if let Some(i) = self.all.next() {
            return Some(i);
        }
        match (self.service.first(), self.any.first()) {
            (Some((_, a)), Some(b)) if b < a => {
                self.any = self.any.get(1..).unwrap_or_default();
                Some(*b as usize)
            }
            (Some((_, a)), _) => {
                self.service = self.service.get(1..).unwrap_or_default();
                Some(*a as usize)
            }
            (None, Some(b)) => {
                self.any = self.any.get(1..).unwrap_or_default();
                Some(*b as usize)
            }
            (None, None) => None,
        }
    }
}

/// Statement indexes by the services their `Action` names, plus those that can concern
/// any service (`NotAction`, `"*"`), and the statement count it was built for.
#[derive(Clone, Debug, Default)]
struct StatementIndex {
    by_service: Vec<(u64, u32)>,
    any_service: Vec<u32>,
    built_for: usize,
}

impl StatementIndex {
    fn build(statements: &[Statement]) -> StatementIndex {
        let mut by_service = Vec::new();
        let mut any_service = Vec::new();
        for (i, st) in statements.iter().enumerate() {
            let i = u32::try_from(i).unwrap_or(u32::MAX);
            if st.action.negated || st.action.patterns.iter().any(ActionPattern::is_any) {
                any_service.push(i);
                continue;
            }
            let mut hashes: Vec<u64> = st
                .action
                .patterns
                .iter()
                .filter_map(ActionPattern::service_hash_of)
                .collect();
            hashes.sort_unstable();
            hashes.dedup();
            by_service.extend(hashes.into_iter().map(|h| (h, i)));
        }
        by_service.sort_unstable();
        StatementIndex {
            by_service,
            any_service,
            built_for: statements.len(),
        }
    }
}

impl Policy {
    /// A policy of `statements` (the parser's constructor; it indexes the statements).
    pub fn new(
        source: Arc<SourceFile>,
        span: Span,
        policy_type: PolicyType,
        version: Option<Version>,
        id: Option<String>,
        statements: Vec<Statement>,
    ) -> Policy {
        let statement_index = StatementIndex::build(&statements);
        Policy {
            source,
            span,
            policy_type,
            version,
            id,
            statements,
            statement_index,
        }
    }

    /// The indexes, in document order, of the statements whose `Action` can cover an
    /// action of the service with [`service_hash`] `hash`: every other statement is
    /// certain not to apply. (If `statements` changed since parsing, every index.)
    pub fn candidates(&self, hash: u64) -> Candidates<'_> {
        let ix = &self.statement_index;
        if ix.built_for != self.statements.len() {
            return Candidates {
                service: &[],
                any: &[],
                all: 0..self.statements.len(),
            };
        }
        let from = ix.by_service.partition_point(|(h, _)| *h < hash);
        let rest = ix.by_service.get(from..).unwrap_or_default();
        let n = rest.iter().take_while(|(h, _)| *h == hash).count();
        Candidates {
            service: rest.get(..n).unwrap_or_default(),
            any: &ix.any_service,
            all: 0..0,
        }
    }
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

    /// The pattern's lower-cased service prefix (`None` for `*`).
    pub fn service_lc(&self) -> Option<&str> {
        match &self.matcher {
            ActionMatcher::Any => None,
            ActionMatcher::Service { service, .. } => Some(service),
        }
    }

    /// The [`service_hash`] of the pattern's service (`None` for `*`).
    pub fn service_hash_of(&self) -> Option<u64> {
        match &self.matcher {
            ActionMatcher::Any => None,
            ActionMatcher::Service { service_hash, .. } => Some(*service_hash),
        }
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
    /// The patterns by service, so that a statement listing thousands of actions is
    /// checked against the request's service only (see [`ActionBlock::new`]).
    index: ActionIndex,
    /// The patterns as written, shared by every explanation that quotes them.
    raw: std::sync::Arc<[String]>,
}

/// `(service hash, pattern index)` sorted by hash, whether some pattern is `*`, and the
/// number of patterns it was built for (a block whose `patterns` changed since is
/// scanned in full instead).
#[derive(Clone, Debug, Default)]
struct ActionIndex {
    by_service: Vec<(u64, u32)>,
    any: bool,
    built_for: usize,
}

impl ActionIndex {
    fn build(patterns: &[ActionPattern]) -> ActionIndex {
        let mut by_service = Vec::with_capacity(patterns.len());
        let mut any = false;
        for (i, p) in patterns.iter().enumerate() {
            match &p.matcher {
                ActionMatcher::Any => any = true,
                ActionMatcher::Service { service_hash, .. } => {
                    by_service.push((*service_hash, u32::try_from(i).unwrap_or(u32::MAX)))
                }
            }
        }
        by_service.sort_unstable();
        ActionIndex {
            by_service,
            any,
            built_for: patterns.len(),
        }
    }
}

impl ActionBlock {
    /// A block of `patterns`, indexed by service.
    pub fn new(negated: bool, patterns: Vec<ActionPattern>, span: Span) -> ActionBlock {
        let index = ActionIndex::build(&patterns);
        let raw = patterns.iter().map(|p| p.raw.clone()).collect();
        ActionBlock {
            negated,
            patterns,
            span,
            index,
            raw,
        }
    }

    /// The patterns as written (shared, not copied; rebuilt if `patterns` was changed
    /// after [`ActionBlock::new`]).
    pub fn raw_patterns(&self) -> std::sync::Arc<[String]> {
        if self.raw.len() == self.patterns.len() {
            self.raw.clone()
        } else {
            self.patterns.iter().map(|p| p.raw.clone()).collect()
        }
    }

    /// Does the element cover the action (NotAction inverted)?
    pub fn covers(&self, service_lc: &str, name_lc: &str) -> bool {
        self.covers_hashed(service_hash(service_lc), service_lc, name_lc)
    }

    /// As [`ActionBlock::covers`], with the request's [`service_hash`] precomputed.
    pub fn covers_hashed(&self, hash: u64, service_lc: &str, name_lc: &str) -> bool {
        self.any_pattern_matches(hash, service_lc, name_lc) != self.negated
    }

    fn any_pattern_matches(&self, hash: u64, service_lc: &str, name_lc: &str) -> bool {
        let ix = &self.index;
        if ix.built_for != self.patterns.len() {
            return self
                .patterns
                .iter()
                .any(|p| p.matches_hashed(hash, service_lc, name_lc));
        }
        if ix.any {
            return true;
        }
        let from = ix.by_service.partition_point(|(h, _)| *h < hash);
        ix.by_service
            .get(from..)
            .unwrap_or_default()
            .iter()
            .take_while(|(h, _)| *h == hash)
            .filter_map(|(_, i)| self.patterns.get(*i as usize))
            .any(|p| p.matches_hashed(hash, service_lc, name_lc))
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
    /// A partition, service, Region or account field holds an upper-case letter (U5).
    pub head_upper: bool,
}

impl ResourceEntry {
    /// An entry for `raw`, compiled as `pattern`.
    pub fn new(raw: String, span: Span, pattern: ResourcePattern) -> ResourceEntry {
        let head_upper = crate::arn::head_has_upper(&raw);
        ResourceEntry {
            raw,
            span,
            pattern,
            head_upper,
        }
    }
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

#[cfg(test)]
mod index_tests {
    use super::*;

    /// The service index answers exactly what a scan of every pattern answers.
    #[test]
    fn indexed_cover_equals_a_full_scan() {
        let raws = [
            "s3:GetObject",
            "s3:Put*",
            "ec2:Describe*",
            "iam:PassRole",
            "kms:?ncrypt",
            "S3:ListBucket",
            "sts:AssumeRole*",
            "dynamodb:*",
        ];
        let requests = [
            ("s3", "getobject"),
            ("s3", "putobjectacl"),
            ("s3", "listbucket"),
            ("ec2", "describeinstances"),
            ("ec2", "runinstances"),
            ("kms", "encrypt"),
            ("kms", "decrypt"),
            ("iam", "passrole"),
            ("sts", "assumerolewithsaml"),
            ("dynamodb", "query"),
            ("lambda", "invoke"),
        ];
        for n in 0..=raws.len() {
            for negated in [false, true] {
                let patterns: Vec<ActionPattern> = raws
                    .iter()
                    .take(n)
                    .map(|r| ActionPattern::new(r, Span::default()))
                    .collect();
                let block = ActionBlock::new(negated, patterns.clone(), Span::default());
                for (svc, name) in requests {
                    let scan = patterns.iter().any(|p| p.matches(svc, name)) != negated;
                    assert_eq!(block.covers(svc, name), scan, "{n} {negated} {svc}:{name}");
                }
            }
        }
        let star = ActionBlock::new(
            false,
            vec![ActionPattern::new("*", Span::default())],
            Span::default(),
        );
        assert!(star.covers("anything", "atall"));
    }
}

#[cfg(test)]
mod statement_index_tests {
    use crate::{parse_policy, ParseOptions, PolicyType, SourceFile};

    /// Every statement that covers an action is among the candidates for its service,
    /// and the candidates come in document order.
    #[test]
    fn candidates_hold_every_statement_that_can_apply() {
        let text = r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},
            {"Effect":"Allow","Action":["ec2:Describe*","s3:Put*"],"Resource":"*"},
            {"Effect":"Deny","NotAction":"iam:*","Resource":"*"},
            {"Effect":"Allow","Action":"*","Resource":"*"},
            {"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"},
            {"Effect":"Allow","Action":"S3:ListBucket","Resource":"*"}
        ]}"#;
        let p = parse_policy(
            &SourceFile::new("p.json", text),
            ParseOptions::new(PolicyType::Identity),
        )
        .expect("parses");
        for (svc, name) in [
            ("s3", "getobject"),
            ("s3", "putobject"),
            ("s3", "listbucket"),
            ("ec2", "describevpcs"),
            ("iam", "passrole"),
            ("kms", "decrypt"),
            ("sqs", "sendmessage"),
        ] {
            let got: Vec<usize> = p.candidates(crate::model::service_hash(svc)).collect();
            let mut sorted = got.clone();
            sorted.sort_unstable();
            assert_eq!(got, sorted, "document order");
            for (i, st) in p.statements.iter().enumerate() {
                if st.action.covers(svc, name) {
                    assert!(
                        got.contains(&i),
                        "{svc}:{name}: statement {i} missing from {got:?}"
                    );
                }
            }
        }
    }
}
