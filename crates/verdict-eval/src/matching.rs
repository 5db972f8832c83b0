//! Does a statement apply to a request? Actions, resources, principals and conditions
//! (§3, §4). Each check is one function used by both the fast and the traced paths.

use crate::context::{Context, CtxValue};
use crate::readings::{Assumptions, Point};
use crate::request::{Caller, Request};
use crate::trace::Note;
use serde::Serialize;
use verdict_policy::arn::{head_has_upper, RequestResource};
use verdict_policy::condition::{
    parse_date, parse_number, BaseOp, BoolValue, CondValue, Condition, Family, SetOp, TextValue,
};
use verdict_policy::glob::{match_refs, refs_equal};
use verdict_policy::model::{PrincipalBlock, Statement};
use verdict_policy::parse::parse_ip;
use verdict_policy::principal::PrincipalEntry;

/// How a resource-policy statement's principal matched the caller (§6.3 step 4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    /// The account (delegation: identity policies must still allow).
    Account,
    /// The role ARN, for one of its sessions.
    ViaRole,
    /// The IAM user ARN, for a federated session it created.
    ViaParentUser,
    /// `*` (possibly narrowed by conditions).
    Wildcard,
    /// The exact caller.
    Direct,
}

impl MatchKind {
    /// True if an Allow with this match is final in the same account (§6.3 step 4).
    pub fn is_final_same_account(self) -> bool {
        matches!(self, MatchKind::Direct | MatchKind::Wildcard)
    }
}

/// Facts about the caller needed for principal matching.
#[derive(Clone, Copy, Debug)]
pub struct PrincipalView<'a> {
    /// The caller, or `Anonymous` when the request is not IAM-authenticated (API Gateway).
    pub caller: &'a Caller,
    /// The request.
    pub req: &'a Request,
    /// The caller's user or role has a permissions boundary.
    pub has_boundary: bool,
    /// The readings of unconfirmed points in force, and what the evaluation touched.
    pub assume: &'a Assumptions,
    /// The request's resource writes a head field in upper case (U5).
    resource_head_upper: bool,
}

impl<'a> PrincipalView<'a> {
    /// The view of `req` by `caller` under the readings of `assume`.
    pub fn new(
        caller: &'a Caller,
        req: &'a Request,
        has_boundary: bool,
        assume: &'a Assumptions,
    ) -> PrincipalView<'a> {
        PrincipalView {
            caller,
            req,
            has_boundary,
            assume,
            resource_head_upper: head_has_upper(req.resource.as_str()),
        }
    }
}

/// Match one principal entry.
pub fn match_entry(e: &PrincipalEntry, v: &PrincipalView<'_>) -> Option<MatchKind> {
    let c = v.caller;
    let same = |p: &str, a: &str| c.partition() == Some(p) && c.account() == Some(a);
    match e {
        PrincipalEntry::Everyone { aws_form } => {
            // U21: whether {"AWS": "*"} also matches AWS service principals.
            if *aws_form
                && matches!(c, Caller::Service(_))
                && v.assume.other(Point::AwsStarMatchesService)
            {
                return None;
            }
            Some(MatchKind::Wildcard)
        }
        PrincipalEntry::Account { partition, account } => {
            if !same(partition, account) {
                return None;
            }
            Some(if matches!(c, Caller::Root { .. }) {
                MatchKind::Direct
            } else {
                MatchKind::Account
            })
        }
        PrincipalEntry::User {
            partition,
            account,
            path,
            ..
        } => match c {
            // A user ARN includes the user's path: user/bob and user/dev/bob are different users.
            Caller::User { path: p, .. } if same(partition, account) && p == path => {
                Some(MatchKind::Direct)
            }
            Caller::FederatedUser { name: n, .. } if same(partition, account) => {
                // The parent user (federated_parent, as an ARN or path/name); by default the
                // user whose name is the federated user's name.
                let parent = v.req.federated_parent.as_deref().unwrap_or(n);
                let parent = parent.split_once(":user/").map_or(parent, |(_, p)| p);
                (parent == path).then_some(MatchKind::ViaParentUser)
            }
            _ => None,
        },
        PrincipalEntry::Role {
            partition,
            account,
            name,
            path,
        } => match c {
            Caller::AssumedRole { role, .. } if same(partition, account) && role == name => {
                // The session ARN has no path; when aws:PrincipalArn tells the role's path, it must agree.
                let known = v.req.context.variable("aws:principalarn");
                let path_ok = known
                    .as_deref()
                    .and_then(|a| a.split_once(":role/"))
                    .is_none_or(|(_, p)| p == path);
                path_ok.then_some(MatchKind::ViaRole)
            }
            _ => None,
        },
        PrincipalEntry::AssumedRole {
            partition,
            account,
            role,
            session,
        } => match c {
            Caller::AssumedRole {
                role: r,
                session: s,
                ..
            } if same(partition, account) && r == role && s == session => Some(MatchKind::Direct),
            _ => None,
        },
        PrincipalEntry::FederatedUser {
            partition,
            account,
            name,
        } => match c {
            Caller::FederatedUser { name: n, .. } if same(partition, account) && n == name => {
                Some(MatchKind::Direct)
            }
            _ => None,
        },
        PrincipalEntry::UniqueId(id) => {
            let unknown = v.req.principal_id.is_none()
                && matches!(c, Caller::User { .. } | Caller::AssumedRole { .. })
                && (id.starts_with("AIDA") == matches!(c, Caller::User { .. }));
            let matched = v.req.principal_id.as_deref() == Some(id.as_str())
                || (unknown && v.assume.other(Point::UnknownPrincipalId));
            if !matched || !c.is_iam() {
                return None;
            }
            Some(match c {
                Caller::AssumedRole { .. } => MatchKind::ViaRole,
                _ => MatchKind::Direct,
            })
        }
        PrincipalEntry::Service(s) => match c {
            Caller::Service(cs) if cs == s => Some(MatchKind::Direct),
            _ => None,
        },
        PrincipalEntry::Federated(p) => match c {
            Caller::WebIdentity(cp) if cp.eq_ignore_ascii_case(p) => Some(MatchKind::Direct),
            _ => None,
        },
        PrincipalEntry::CanonicalUser(id) => {
            let given = v.req.canonical_user_id.as_deref();
            let matched = match given {
                Some(g) => g.eq_ignore_ascii_case(id),
                None => c.is_iam() && v.assume.other(Point::UnknownPrincipalId),
            };
            (c.is_iam() && matched).then_some(MatchKind::Account)
        }
        // S3 sees requests from CloudFront under the identity's canonical user; Verdict
        // has no caller form for it, so it matches no modelled caller.
        PrincipalEntry::CloudFrontOai(_) => None,
    }
}

/// Result of checking a Principal/NotPrincipal element.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PrincipalOutcome {
    /// No Principal element (identity-like policies): applies.
    NotApplicable,
    /// Applies, with the strongest match.
    Matched(MatchKind),
    /// Does not apply.
    Missed,
    /// A NotPrincipal Deny applies; the note says why (e.g. boundary trap, partial exclusion).
    NotPrincipalApplies(Option<Note>),
}

impl PrincipalOutcome {
    /// Does the element let the statement apply?
    pub fn applies(&self) -> bool {
        !matches!(self, PrincipalOutcome::Missed)
    }
}

/// Check a statement's principal element.
pub fn check_principal(block: Option<&PrincipalBlock>, v: &PrincipalView<'_>) -> PrincipalOutcome {
    let Some(b) = block else {
        return PrincipalOutcome::NotApplicable;
    };
    if !b.negated {
        return match b.entries.iter().filter_map(|e| match_entry(e, v)).max() {
            Some(k) => PrincipalOutcome::Matched(k),
            None => PrincipalOutcome::Missed,
        };
    }
    // NotPrincipal (Deny only).
    if v.has_boundary && matches!(v.caller, Caller::User { .. } | Caller::AssumedRole { .. }) {
        return PrincipalOutcome::NotPrincipalApplies(Some(Note::new(
            "not-principal-with-boundary",
            "a NotPrincipal Deny always applies to a user or role that has a permissions boundary (§3.3)",
        )));
    }
    let kinds: Vec<MatchKind> = b.entries.iter().filter_map(|e| match_entry(e, v)).collect();
    if kinds.contains(&MatchKind::Wildcard) {
        return PrincipalOutcome::Missed;
    }
    let direct = kinds.contains(&MatchKind::Direct);
    let account =
        kinds.contains(&MatchKind::Account) || matches!(v.caller, Caller::Root { .. }) && direct;
    let role = kinds.contains(&MatchKind::ViaRole);
    let excluded = match v.caller {
        Caller::Root { .. } => direct,
        Caller::User { .. } | Caller::FederatedUser { .. } => direct && account,
        Caller::AssumedRole { .. } => direct && role && account,
        Caller::Service(_) | Caller::WebIdentity(_) => direct,
        Caller::Anonymous => false,
    };
    if excluded {
        PrincipalOutcome::Missed
    } else if !kinds.is_empty() {
        // U20: the other reading excludes a caller that is listed at all.
        if v.assume.other(Point::NotPrincipalPartial) {
            return PrincipalOutcome::Missed;
        }
        PrincipalOutcome::NotPrincipalApplies(Some(Note::new(
            "U20",
            "the caller is only partly listed in NotPrincipal; AWS checks the account, role and session in turn, so the Deny may apply (U20: list the session, role and account ARNs to be excluded)",
        )))
    } else {
        PrincipalOutcome::NotPrincipalApplies(None)
    }
}

/// Does the statement's Action/NotAction cover the request's action?
pub fn check_action(s: &Statement, req: &Request) -> bool {
    s.action
        .covers_hashed(req.service_hash, &req.service_lc, &req.name_lc)
}

/// Result of checking Resource/NotResource.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceOutcome {
    /// Does the element cover the resource?
    pub covers: bool,
    /// Entries whose variables could not be resolved.
    pub unresolved: Vec<String>,
}

/// Check Resource/NotResource. A statement without one (trust policies) covers the resource.
pub fn check_resource(s: &Statement, req: &Request, v: &PrincipalView<'_>) -> ResourceOutcome {
    let Some(block) = &s.resource else {
        return ResourceOutcome {
            covers: true,
            unresolved: Vec::new(),
        };
    };
    if let Some(covers) = v
        .assume
        .symbolic
        .as_ref()
        .and_then(|o| o.resource(s, req.resource.as_str()))
    {
        return ResourceOutcome {
            covers,
            unresolved: Vec::new(),
        };
    }
    if let Some(o) = v.assume.symbolic.as_ref().filter(|o| o.resource_set()) {
        let any = block.entries.iter().any(|e| o.resource_entry(e));
        return ResourceOutcome {
            covers: any != block.negated,
            unresolved: Vec::new(),
        };
    }
    let mut any = false;
    let mut unresolved = Vec::new();
    for e in &block.entries {
        let lookup = |k: &str| req.context.variable_ref(k);
        // U15: a substituted value holding `*` or `?` is literal unless read otherwise.
        let wild_value = e.pattern.template().is_some_and(|t| {
            t.variable_keys_lc()
                .any(|k| lookup(k).is_some_and(|x| x.contains(['*', '?'])))
        });
        let value_wildcards = wild_value && v.assume.other(Point::VariableValueLiteral);
        match e
            .pattern
            .matches_with(&req.resource, value_wildcards, lookup)
        {
            Ok(true) => {
                let case_differs = e.head_upper
                    || if std::ptr::eq(v.req, req) {
                        v.resource_head_upper
                    } else {
                        head_has_upper(req.resource.as_str())
                    };
                if case_differs
                    && v.assume.other(Point::ArnSegmentCase)
                    && !segments_match_exact_case(&e.raw, &req.resource)
                {
                    continue;
                }
                any = true;
                break;
            }
            Ok(false) => {}
            Err(_) => unresolved.push(e.raw.clone()),
        }
    }
    ResourceOutcome {
        covers: any != block.negated,
        unresolved,
    }
}

/// The partition, service, region and account fields of an ARN (pattern or request).
fn head_fields(s: &str) -> Option<[&str; 4]> {
    let mut it = s.splitn(6, ':');
    it.next()?;
    Some([it.next()?, it.next()?, it.next()?, it.next()?])
}

/// The other reading of U5: the four head fields compared case-sensitively.
fn segments_match_exact_case(pattern: &str, req: &RequestResource) -> bool {
    match (head_fields(pattern), head_fields(req.as_str())) {
        (Some(p), Some(r)) => p
            .iter()
            .zip(r.iter())
            .all(|(p, r)| verdict_policy::glob::Glob::new(p).matches(r)),
        // `*` and short patterns: nothing to compare by case.
        _ => true,
    }
}

/// The outcome of one condition (operator, key) pair.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CondOutcome {
    /// True if the condition holds.
    pub holds: bool,
    /// The request values, or `None` if the key was absent.
    pub request: Option<Vec<String>>,
    /// Why the result is what it is, when not obvious (U-rules, type mismatch).
    pub note: Option<Note>,
}

fn lookup_var(ctx: &Context) -> impl Fn(&str) -> Option<String> + '_ {
    move |k| ctx.variable(k)
}

/// True if a template substitutes a value that holds `*` or `?` (U15 applies).
fn substitutes_wildcard(t: &verdict_policy::template::Template, ctx: &Context) -> bool {
    t.variable_keys_lc()
        .any(|k| ctx.variable_ref(k).is_some_and(|x| x.contains(['*', '?'])))
}

/// Compare one request value with one policy value under a positive base operator.
/// `None` means the request value does not have the operator's type (U12).
/// A request value parsed once for all the policy values it is compared with: the
/// number, date or address its operator's family reads (`None` when it does not parse).
#[derive(Clone, Copy)]
enum Parsed {
    Text,
    Number(Option<rust_decimal::Decimal>),
    Date(Option<i128>),
    Ip(Option<std::net::IpAddr>),
}

impl Parsed {
    fn of(base: BaseOp, v: &str) -> Parsed {
        match base.family() {
            Family::Numeric => Parsed::Number(parse_number(v)),
            Family::Date => Parsed::Date(parse_date(v)),
            Family::Ip => Parsed::Ip(parse_ip(v).map(|n| n.addr())),
            _ => Parsed::Text,
        }
    }
}

fn match_one(
    base: BaseOp,
    v: &str,
    parsed: Parsed,
    p: &CondValue,
    ctx: &Context,
    a: &Assumptions,
) -> Option<bool> {
    use BaseOp::*;
    match (base, p) {
        (StringEquals | StringNotEquals, CondValue::Text(t)) => Some(match t.template.as_plain() {
            Some(s) => s == v,
            None => {
                let mut toks = Vec::with_capacity(4);
                t.template
                    .resolve_refs(&mut toks, false, |k| ctx.variable_ref(k))
                    && refs_equal(&toks, v)
            }
        }),
        (StringEqualsIgnoreCase | StringNotEqualsIgnoreCase, CondValue::Text(t)) => {
            Some(resolve_string(t, ctx).is_some_and(|s| s.to_lowercase() == v.to_lowercase()))
        }
        (StringLike | StringNotLike, CondValue::Text(t)) => Some(match &t.glob {
            Some(g) => g.matches(v),
            None => {
                let value_wildcards =
                    substitutes_wildcard(&t.template, ctx) && a.other(Point::VariableValueLiteral);
                let mut toks = Vec::with_capacity(4);
                t.template
                    .resolve_refs_with(&mut toks, true, value_wildcards, |k| ctx.variable_ref(k))
                    && match_refs(&toks, v)
            }
        }),
        (ArnEquals | ArnLike | ArnNotEquals | ArnNotLike, CondValue::Text(t)) => {
            t.arn_like(v, lookup_var(ctx))
        }
        (_, CondValue::Number(n)) => {
            let x = match parsed {
                Parsed::Number(x) => x?,
                _ => parse_number(v)?,
            };
            Some(match base {
                NumericEquals | NumericNotEquals => x == *n,
                NumericLessThan => x < *n,
                NumericLessThanEquals => x <= *n,
                NumericGreaterThan => x > *n,
                NumericGreaterThanEquals => x >= *n,
                _ => false,
            })
        }
        (_, CondValue::Date(d)) => {
            let x = match parsed {
                Parsed::Date(x) => x?,
                _ => parse_date(v)?,
            };
            Some(match base {
                DateEquals | DateNotEquals => x == *d,
                DateLessThan => x < *d,
                DateLessThanEquals => x <= *d,
                DateGreaterThan => x > *d,
                DateGreaterThanEquals => x >= *d,
                _ => false,
            })
        }
        (Bool, CondValue::Bool(b)) => {
            let x = parse_bool(v, a)?;
            let want = match b {
                BoolValue::Literal(b) => Some(*b),
                BoolValue::Template(t) => t
                    .resolve_string(lookup_var(ctx))
                    .and_then(|s| parse_bool(&s, a)),
            };
            Some(want == Some(x))
        }
        (BinaryEquals, CondValue::Binary(bytes)) => {
            use base64::Engine;
            let decoded = base64::engine::general_purpose::STANDARD.decode(v).ok();
            Some(v.as_bytes() == bytes.as_slice() || decoded.as_deref() == Some(bytes.as_slice()))
        }
        (IpAddress | NotIpAddress, CondValue::Ip(net)) => {
            let addr = match parsed {
                Parsed::Ip(x) => x?,
                _ => parse_ip(v)?.addr(),
            };
            if net.contains(&addr) {
                return Some(true);
            }
            // U11: an IPv4-mapped IPv6 address against an IPv4 block (or the reverse).
            let other = match (addr, net) {
                (std::net::IpAddr::V6(v6), ipnet::IpNet::V4(_)) => {
                    v6.to_ipv4_mapped().map(std::net::IpAddr::V4)
                }
                (std::net::IpAddr::V4(v4), ipnet::IpNet::V6(n))
                    if n.addr().to_ipv4_mapped().is_some() =>
                {
                    Some(std::net::IpAddr::V6(v4.to_ipv6_mapped()))
                }
                _ => None,
            };
            Some(match other {
                Some(o) if net.contains(&o) => a.other(Point::MappedIpv6),
                _ => false,
            })
        }
        _ => Some(false),
    }
}

fn resolve_string(t: &TextValue, ctx: &Context) -> Option<String> {
    t.template.resolve_string(lookup_var(ctx))
}

/// `true`/`false` ignoring case (U10); the other reading takes only the lower-case words.
fn parse_bool(v: &str, a: &Assumptions) -> Option<bool> {
    let b = if v.eq_ignore_ascii_case("true") {
        true
    } else if v.eq_ignore_ascii_case("false") {
        false
    } else {
        return None;
    };
    if v != "true" && v != "false" && a.other(Point::BoolCase) {
        return None;
    }
    Some(b)
}

/// Per-value test: OR over policy values, or NOR for negated operators; `None` = type mismatch.
fn value_test(c: &Condition, v: &str, ctx: &Context, a: &Assumptions) -> Option<bool> {
    let mut any = false;
    let policy_bool_case = c.op.base == BaseOp::Bool
        && c.raw_values.iter().any(|r| r != "true" && r != "false")
        && a.other(Point::BoolCase);
    let parsed = Parsed::of(c.op.base, v);
    for (p, raw) in c.values.iter().zip(c.raw_values.iter()) {
        if policy_bool_case && raw != "true" && raw != "false" {
            continue;
        }
        if match_one(c.op.base, v, parsed, p, ctx, a)? {
            any = true;
            break;
        }
    }
    Some(any != c.op.base.is_negated())
}

/// The per-value test with U12 applied: a mismatched value fails positive operators; for
/// negated ones the default reading fails it too, the other reading passes it.
fn value_test_typed(c: &Condition, v: &str, ctx: &Context, a: &Assumptions) -> (bool, bool) {
    match value_test(c, v, ctx, a) {
        Some(r) => (r, false),
        None => (c.op.base.is_negated() && a.other(Point::TypeMismatch), true),
    }
}

/// True for a derived key whose exact values AWS has not confirmed (U1).
fn unconfirmed_derived(c: &Condition, entry: &crate::context::Entry) -> bool {
    entry.derived && (c.key_lc == "aws:principaltype" || c.key_lc == "aws:userid")
}

/// Does the condition hold? (The fast path: no allocation for explanations.)
pub fn condition_holds(c: &Condition, ctx: &Context, a: &Assumptions) -> bool {
    if let Some(h) = a.symbolic.as_ref().and_then(|o| o.condition(c)) {
        return h;
    }
    if c.op.base == BaseOp::Null {
        return eval_condition(c, ctx, a).holds;
    }
    match ctx.get(&c.key_lc) {
        None => absent_outcome(c, a).holds,
        Some(entry) if unconfirmed_derived(c, entry) && a.other(Point::PrincipalTypeValues) => {
            absent_outcome(c, a).holds
        }
        Some(entry) => {
            if entry.values.len() > 1 && a.other(Point::TagKeyCollision) {
                entry
                    .values
                    .iter()
                    .all(|alt| eval_alternative(c, alt, ctx, a).0)
            } else {
                entry
                    .values
                    .iter()
                    .any(|alt| eval_alternative(c, alt, ctx, a).0)
            }
        }
    }
}

/// Evaluate one condition against the context (§4.2–4.5), with the request values and notes.
pub fn eval_condition(c: &Condition, ctx: &Context, a: &Assumptions) -> CondOutcome {
    if let Some(holds) = a.symbolic.as_ref().and_then(|o| o.condition(c)) {
        return CondOutcome {
            holds,
            request: None,
            note: None,
        };
    }
    let entry = ctx.get(&c.key_lc);
    let op = &c.op;
    if op.base == BaseOp::Null {
        let mut note = None;
        let present = entry.is_some_and(|e| {
            e.values.iter().any(|v| match v {
                CtxValue::Single(s) if s.is_empty() => {
                    // U13: an empty string is present unless read otherwise.
                    !a.other(Point::EmptyStringPresent)
                }
                CtxValue::Single(_) => true,
                CtxValue::Multi(m) if m.is_empty() => {
                    note = Some(Note::new(
                        "null-empty-list",
                        format!(
                            "{} is an empty list, which Null treats as absent, as the set operators do (§4.3); AWS does not document this case",
                            c.key
                        ),
                    ));
                    a.other(Point::NullEmptyList)
                }
                CtxValue::Multi(_) => true,
            })
        });
        let holds = c
            .values
            .iter()
            .any(|v| matches!(v, CondValue::Null(want_absent) if *want_absent != present));
        return CondOutcome {
            holds,
            request: entry.map(|e| {
                e.values
                    .iter()
                    .flat_map(|v| v.values())
                    .map(str::to_string)
                    .collect()
            }),
            note,
        };
    }
    let Some(entry) = entry else {
        return absent_outcome(c, a);
    };
    let request: Vec<String> = entry
        .values
        .iter()
        .flat_map(|v| v.values())
        .map(str::to_string)
        .collect();
    if unconfirmed_derived(c, entry) && a.other(Point::PrincipalTypeValues) {
        let mut o = absent_outcome(c, a);
        o.request = Some(request);
        return o;
    }
    let mut note = None;
    let collide = entry.values.len() > 1;
    if collide {
        note = Some(Note::new(
            "U2",
            format!(
                "context keys differing only in letter case collide for {}; any of their values may satisfy the condition (U2)",
                c.key
            ),
        ));
    }
    // OR over colliding alternatives (normally exactly one); AND under the other reading of U2.
    let all = collide && a.other(Point::TagKeyCollision);
    let mut holds = all;
    for alt in &entry.values {
        let (h, n) = eval_alternative(c, alt, ctx, a);
        if n.is_some() && note.is_none() {
            note = n;
        }
        if all && !h {
            holds = false;
            break;
        }
        if !all && h {
            holds = true;
            break;
        }
    }
    CondOutcome {
        holds,
        request: Some(request),
        note,
    }
}

fn absent_outcome(c: &Condition, a: &Assumptions) -> CondOutcome {
    let op = &c.op;
    let holds = if op.if_exists {
        // U7: ForAnyValue with IfExists on an absent key; IfExists wins unless read otherwise.
        !(op.set == Some(SetOp::ForAnyValue) && a.other(Point::SetOperatorIfExists))
    } else {
        match op.set {
            Some(SetOp::ForAllValues) => true,
            Some(SetOp::ForAnyValue) => false,
            None => op.base.is_negated(),
        }
    };
    CondOutcome {
        holds,
        request: None,
        note: None,
    }
}

fn eval_alternative(
    c: &Condition,
    v: &CtxValue,
    ctx: &Context,
    a: &Assumptions,
) -> (bool, Option<Note>) {
    let op = &c.op;
    let mismatch = || {
        Some(Note::new(
            "type-mismatch",
            format!(
                "a request value of {} is not of the type {} expects; the condition is false for positive and negated operators alike (U12)",
                c.key,
                op.base.name()
            ),
        ))
    };
    match op.set {
        Some(set) => {
            let values: &[String] = match v {
                CtxValue::Single(s) => std::slice::from_ref(s),
                CtxValue::Multi(m) => m,
            };
            if values.is_empty() {
                return (absent_outcome(c, a).holds, None);
            }
            let (mut all, mut any, mut mismatched) = (true, false, false);
            for x in values {
                let (r, m) = value_test_typed(c, x, ctx, a);
                mismatched |= m;
                if m && !r {
                    return (false, mismatch());
                }
                all &= r;
                any |= r;
            }
            let holds = match set {
                SetOp::ForAllValues => all,
                SetOp::ForAnyValue => any,
            };
            (holds, if mismatched { mismatch() } else { None })
        }
        None => {
            let single = match v {
                CtxValue::Single(s) => s.as_str(),
                CtxValue::Multi(m) => match m.as_slice() {
                    [only] => {
                        if a.other(Point::SingleValueList) {
                            return (false, None);
                        }
                        only.as_str()
                    }
                    [] => return (absent_outcome(c, a).holds, None),
                    m => {
                        // U6: the other reading takes any value for a positive operator, and
                        // requires every value to pass for a negated one.
                        if a.other(Point::PlainOperatorOnMultivalued) {
                            let mut results = m.iter().map(|x| value_test_typed(c, x, ctx, a).0);
                            let holds = if op.base.is_negated() {
                                results.all(|r| r)
                            } else {
                                results.any(|r| r)
                            };
                            return (holds, None);
                        }
                        return (
                            false,
                            Some(Note::new(
                                "U6",
                                format!(
                                    "{} has several values but {} is not a set operator; the condition does not match (U6: use ForAnyValue: or ForAllValues:)",
                                    c.key, c.op_name
                                ),
                            )),
                        );
                    }
                },
            };
            let (r, m) = value_test_typed(c, single, ctx, a);
            (r, if m { mismatch() } else { None })
        }
    }
}

/// The family of a condition, re-exported for explanations.
pub fn family(c: &Condition) -> Family {
    c.op.base.family()
}

/// Fast check: does the statement apply? Returns the principal match on success.
pub fn statement_applies(
    s: &Statement,
    req: &Request,
    v: &PrincipalView<'_>,
) -> Option<PrincipalOutcome> {
    if !check_action(s, req) {
        return None;
    }
    if !check_resource(s, req, v).covers {
        return None;
    }
    let p = check_principal(s.principal.as_ref(), v);
    if !p.applies() {
        return None;
    }
    if s.conditions
        .iter()
        .all(|c| condition_holds(c, &req.context, v.assume))
    {
        Some(p)
    } else {
        None
    }
}
