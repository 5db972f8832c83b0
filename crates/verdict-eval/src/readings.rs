//! The points of the spec an answer may rest on without AWS having confirmed them
//! (iam-semantics §10, and the judgement calls §10 does not list), and the other
//! reading of each. An evaluation records which points it touched; the result then
//! re-decides under each touched point's other reading and reports, for every point
//! that changes the decision, the rule, what was assumed and the other decision
//! (§10.1: fail closed, never hide the alternative).

use serde::Serialize;
use std::cell::Cell;

/// One point of interpretation. The discriminant is its bit in [`Readings`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Point {
    /// U1: the derived values of `aws:PrincipalType` and `aws:userid`.
    PrincipalTypeValues = 0,
    /// U2: tag keys that collide by case; any colliding value may satisfy.
    TagKeyCollision,
    /// U5: partition/service/region/account of Resource ARNs compared ignoring case.
    ArnSegmentCase,
    /// U6: a plain operator on a multivalued key with several values is false.
    PlainOperatorOnMultivalued,
    /// U7: `ForAnyValue:…IfExists` on an absent key holds.
    SetOperatorIfExists,
    /// U10: `"TRUE"`/`"True"` count as booleans.
    BoolCase,
    /// U11: an IPv4-mapped IPv6 address never matches an IPv4 block and vice versa.
    MappedIpv6,
    /// U12 (and U8): a request value of the wrong type makes negated operators false too.
    TypeMismatch,
    /// U13: an empty-string value is present for `Null`.
    EmptyStringPresent,
    /// U15: `*` and `?` inside a substituted variable value are literal.
    VariableValueLiteral,
    /// U18: RCPs apply to services reported (not confirmed) to support them.
    RcpLaterService,
    /// U18: RCPs apply to anonymous callers.
    RcpAnonymous,
    /// U18: RCPs apply to service-linked roles.
    RcpServiceLinkedRole,
    /// U19: a same-account trust policy naming the caller needs no identity permission.
    TrustDirectSameAccount,
    /// U20: a NotPrincipal Deny that lists the caller only partly still applies.
    NotPrincipalPartial,
    /// U21: `{"AWS": "*"}` matches AWS service principals.
    AwsStarMatchesService,
    /// U26: Cognito user-pool authorizers combine with the resource policy by Table A.
    CognitoTableA,
    /// U28: the root user's shortcut holds for every resource type but KMS and trust.
    RootShortcut,
    /// T26: a same-account `Principal "*"` grant is not cut by a boundary or session policy.
    WildcardGrantBypass,
    /// A `Null` condition treats an empty list as absent (Verdict's choice; AWS is silent).
    NullEmptyList,
    /// §4.5 D (DERIVED): a plain operator on a multivalued key with one value compares it.
    SingleValueList,
    /// A principal named by unique ID or canonical user ID, when the request does not
    /// give the caller's: taken not to be the caller (an input gap, not a spec point).
    UnknownPrincipalId,
}

impl Point {
    /// Every point, in bit order.
    pub const ALL: [Point; 22] = [
        Point::PrincipalTypeValues,
        Point::TagKeyCollision,
        Point::ArnSegmentCase,
        Point::PlainOperatorOnMultivalued,
        Point::SetOperatorIfExists,
        Point::BoolCase,
        Point::MappedIpv6,
        Point::TypeMismatch,
        Point::EmptyStringPresent,
        Point::VariableValueLiteral,
        Point::RcpLaterService,
        Point::RcpAnonymous,
        Point::RcpServiceLinkedRole,
        Point::TrustDirectSameAccount,
        Point::NotPrincipalPartial,
        Point::AwsStarMatchesService,
        Point::CognitoTableA,
        Point::RootShortcut,
        Point::WildcardGrantBypass,
        Point::NullEmptyList,
        Point::SingleValueList,
        Point::UnknownPrincipalId,
    ];

    fn bit(self) -> u32 {
        1 << (self as u32)
    }

    /// The rule id in iam-semantics.md (`U6`, `T26`), or `verdict:…` for Verdict's own choices.
    pub fn rule(self) -> &'static str {
        match self {
            Point::PrincipalTypeValues => "U1",
            Point::TagKeyCollision => "U2",
            Point::ArnSegmentCase => "U5",
            Point::PlainOperatorOnMultivalued => "U6",
            Point::SetOperatorIfExists => "U7",
            Point::BoolCase => "U10",
            Point::MappedIpv6 => "U11",
            Point::TypeMismatch => "U12",
            Point::EmptyStringPresent => "U13",
            Point::VariableValueLiteral => "U15",
            Point::RcpLaterService | Point::RcpAnonymous | Point::RcpServiceLinkedRole => "U18",
            Point::TrustDirectSameAccount => "U19",
            Point::NotPrincipalPartial => "U20",
            Point::AwsStarMatchesService => "U21",
            Point::CognitoTableA => "U26",
            Point::RootShortcut => "U28",
            Point::WildcardGrantBypass => "T26",
            Point::NullEmptyList => "verdict:null-empty-list",
            Point::SingleValueList => "verdict:single-value-list",
            Point::UnknownPrincipalId => "verdict:unknown-principal-id",
        }
    }

    /// What Verdict assumed (the spec's default).
    pub fn assumed(self) -> &'static str {
        match self {
            Point::PrincipalTypeValues => "aws:PrincipalType and aws:userid have the values derived from the principal (Account, User, AssumedRole, FederatedUser, Anonymous)",
            Point::TagKeyCollision => "when tag keys collide by letter case, any of their values may satisfy the condition",
            Point::ArnSegmentCase => "the partition, service, region and account of a Resource ARN are compared ignoring letter case",
            Point::PlainOperatorOnMultivalued => "a plain (non-set) operator on a key with several values does not match, negated or not",
            Point::SetOperatorIfExists => "ForAnyValue with IfExists holds when the key is absent (IfExists wins)",
            Point::BoolCase => "Bool compares \"true\"/\"false\" ignoring letter case",
            Point::MappedIpv6 => "an IPv4-mapped IPv6 address and an IPv4 block never match each other",
            Point::TypeMismatch => "a request value that is not of the operator's type makes the condition false, for negated operators too",
            Point::EmptyStringPresent => "an empty-string value counts as present for Null",
            Point::VariableValueLiteral => "* and ? inside a substituted policy-variable value are literal characters",
            Point::RcpLaterService => "RCPs apply to this service (its RCP support is reported but not confirmed)",
            Point::RcpAnonymous => "RCPs apply to anonymous requests",
            Point::RcpServiceLinkedRole => "RCPs apply to service-linked roles",
            Point::TrustDirectSameAccount => "a same-account trust policy that names the caller directly needs no identity-based permission",
            Point::NotPrincipalPartial => "a NotPrincipal Deny applies unless the session, role and account are all listed",
            Point::AwsStarMatchesService => "{\"AWS\": \"*\"} matches AWS service principals",
            Point::CognitoTableA => "a Cognito user-pool authorizer combines with the resource policy by Table A",
            Point::RootShortcut => "the root user needs no identity permission on its own account's resources (exceptions: KMS keys and trust policies only)",
            Point::WildcardGrantBypass => "a same-account Principal \"*\" grant is final, like a direct grant: an implicit deny in a permissions boundary or session policy does not cut it",
            Point::NullEmptyList => "Null treats an empty list as absent, as the set operators do",
            Point::UnknownPrincipalId => "the caller is not a principal the policy names by unique ID (AIDA…/AROA…) or canonical user ID, because the request gives none (set request.principal_id or request.canonical_user_id)",
            Point::SingleValueList => "a plain operator on a multivalued key that holds exactly one value compares that value, as for a single-valued key (§4.5 D, DERIVED)",
        }
    }
}

/// A set of points read the other way; the empty set is the spec's defaults.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Readings(u32);

impl Readings {
    /// The spec's defaults.
    pub const DEFAULT: Readings = Readings(0);

    /// The defaults with `p` read the other way.
    pub fn flipped(p: Point) -> Readings {
        Readings(p.bit())
    }

    /// Is `p` read the other way?
    #[inline]
    pub fn other(self, p: Point) -> bool {
        self.0 & p.bit() != 0
    }
}

/// The points one evaluation touched: those where the other reading could matter.
#[derive(Debug, Default)]
pub struct Touched(Cell<u32>);

impl Touched {
    /// Nothing touched.
    pub fn new() -> Touched {
        Touched::default()
    }

    /// Record that the evaluation relied on `p`.
    #[inline]
    pub fn touch(&self, p: Point) {
        self.0.set(self.0.get() | p.bit());
    }

    /// The touched points, in bit order.
    pub fn points(&self) -> impl Iterator<Item = Point> + '_ {
        let bits = self.0.get();
        Point::ALL.into_iter().filter(move |p| bits & p.bit() != 0)
    }

    /// True if nothing was touched.
    pub fn is_empty(&self) -> bool {
        self.0.get() == 0
    }

    /// Add what `other` touched.
    pub fn merge(&self, other: &Touched) {
        self.0.set(self.0.get() | other.0.get());
    }
}

/// The readings an evaluation uses and what it touched.
#[derive(Debug, Default)]
pub struct Assumptions {
    /// The readings in force.
    pub readings: Readings,
    /// What the evaluation relied on.
    pub touched: Touched,
    /// Answers tests of unknown context keys (residual evaluation); `None` when concrete.
    pub(crate) symbolic: Option<std::rc::Rc<crate::residual::Oracle>>,
}

impl Assumptions {
    /// The spec's defaults.
    pub fn new(readings: Readings) -> Assumptions {
        Assumptions {
            readings,
            touched: Touched::new(),
            symbolic: None,
        }
    }

    /// As [`Assumptions::new`], with tests of unknown keys answered by `oracle`.
    pub(crate) fn symbolic(
        readings: Readings,
        oracle: std::rc::Rc<crate::residual::Oracle>,
    ) -> Assumptions {
        Assumptions {
            readings,
            touched: Touched::new(),
            symbolic: Some(oracle),
        }
    }

    /// Record that `p` was relied on and say whether its other reading is in force.
    #[inline]
    pub fn other(&self, p: Point) -> bool {
        self.touched.touch(p);
        self.readings.other(p)
    }
}

/// An answer that rests on an unconfirmed point: the other reading decides otherwise.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Uncertainty {
    /// The rule id (`U6`, `T26`, …).
    pub rule: &'static str,
    /// What Verdict assumed.
    pub assumed: &'static str,
    /// The decision under the other reading.
    pub otherwise: crate::Decision,
    /// The deciding layer under the other reading, for a denial.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub otherwise_denied_by: Option<crate::Layer>,
}

impl Uncertainty {
    /// One line for text output.
    pub fn line(&self) -> String {
        let layer = self
            .otherwise_denied_by
            .map(|l| format!(" ({})", l.as_str()))
            .unwrap_or_default();
        format!(
            "{}: assumed {}; otherwise {}{layer}",
            self.rule,
            self.assumed,
            self.otherwise.as_str()
        )
    }
}
