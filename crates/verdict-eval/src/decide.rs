//! The decision procedure (§6), shared by the fast and the traced paths.

use crate::matching::{
    check_action, check_principal, check_resource, eval_condition, statement_applies, MatchKind,
    PrincipalOutcome, PrincipalView,
};
use crate::readings::{Assumptions, Point};
use crate::request::{Caller, Request};
use crate::scenario::{AuthorizationType, NamedPolicy, Scenario};
use crate::trace::*;
use std::borrow::Cow;
use verdict_policy::Effect;

/// Where an applicable statement is: policy index and statement index within a layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Hit {
    pub policy: usize,
    pub stmt: usize,
}

/// What one layer (or one organization level) amounts to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct LayerResult {
    pub deny: Option<Hit>,
    pub allow: Option<Hit>,
    pub allow_kind: Option<MatchKind>,
}

impl LayerResult {
    fn record(&mut self, effect: Effect, hit: Hit, p: &PrincipalOutcome) {
        match effect {
            Effect::Deny => {
                if self.deny.is_none() {
                    self.deny = Some(hit);
                }
            }
            Effect::Allow => {
                let kind = match p {
                    PrincipalOutcome::Matched(k) => *k,
                    _ => MatchKind::Direct,
                };
                if self.allow_kind.is_none_or(|k| kind > k) {
                    self.allow_kind = Some(kind);
                    self.allow = Some(hit);
                }
            }
        }
    }

    pub fn outcome(&self) -> LayerOutcome {
        if self.deny.is_some() {
            LayerOutcome::ExplicitDeny
        } else if self.allow.is_some() {
            LayerOutcome::Allow
        } else {
            LayerOutcome::NoMatch
        }
    }
}

/// Which layers bind this request (§6.2) and the facts the procedure branches on.
#[derive(Clone, Debug)]
pub(crate) struct Applicability {
    pub apigw: Option<AuthorizationType>,
    pub scp: bool,
    pub rcp: bool,
    pub identity: bool,
    pub boundary: bool,
    pub session: bool,
    pub vpce: bool,
    pub same_account: bool,
    pub kms: bool,
    pub trust: bool,
    /// The action needs no permission (§10.2): no policy decides it.
    pub no_permission: Option<&'static verdict_catalog::special::NoPermissionAction>,
    pub notes: Vec<(Layer, Cow<'static, str>)>,
}

pub(crate) fn applicability(s: &Scenario, a: &Assumptions) -> Applicability {
    let req = &s.request;
    let c = &req.caller;
    let mut notes = Vec::new();
    let apigw = s
        .apigateway
        .as_ref()
        .filter(|_| req.service_lc == "execute-api" && req.name_lc == "invoke")
        .map(|a| a.authorization_type);
    let iam_auth = apigw.is_none_or(|t| t == AuthorizationType::AwsIam);
    let session_like = matches!(
        c,
        Caller::User { .. } | Caller::AssumedRole { .. } | Caller::FederatedUser { .. }
    );
    let mgmt = s.management_account.is_some() && s.management_account.as_deref() == c.account();
    let mut scp = s.policies.scps.is_some() && c.is_iam() && iam_auth;
    if scp && mgmt {
        scp = false;
        notes.push((
            Layer::Scp,
            "the caller is in the management account, which SCPs do not bind (§6.2)".into(),
        ));
    } else if scp && req.service_linked_role {
        scp = false;
        notes.push((
            Layer::Scp,
            "service-linked roles are not bound by SCPs (§6.2)".into(),
        ));
    } else if s.policies.scps.is_some() && !c.is_iam() {
        notes.push((
            Layer::Scp,
            "SCPs bind only IAM users, roles and root users of member accounts (§6.2, §6.9.7)"
                .into(),
        ));
    } else if s.policies.scps.is_some() && !iam_auth {
        notes.push((Layer::Scp, "the API method does not use IAM authorization, so IAM policies and SCPs are not consulted (§6.9.4)".into()));
    }
    let mut rcp = s.policies.rcps.is_some();
    if rcp && s.aws_owned {
        rcp = false;
        notes.push((
            Layer::Rcp,
            "the resource belongs to AWS, not to a member account, so RCPs do not apply (§10.2)"
                .into(),
        ));
    } else if rcp && s.management_account.is_some() && s.management_account == s.resource_account {
        rcp = false;
        notes.push((
            Layer::Rcp,
            "the resource is in the management account, which RCPs do not bind (§6.6)".into(),
        ));
    } else if rcp && req.service_lc == "kms" && req.name_lc == "retiregrant" {
        rcp = false;
        notes.push((
            Layer::Rcp,
            "kms:RetireGrant is not controlled by RCPs (§3.1 item 8)".into(),
        ));
    } else if rcp
        && !RCP_SERVICES.contains(&req.service_lc.as_str())
        && !rcp_later_service(&req.service_lc)
    {
        rcp = false;
        notes.push((
            Layer::Rcp,
            format!(
                "the {} service does not support RCPs, so they do not apply (§6.6, U18)",
                req.service_lc
            )
            .into(),
        ));
    } else if rcp && rcp_later_service(&req.service_lc) {
        notes.push((
            Layer::Rcp,
            format!("RCP support for {} is reported but not confirmed; RCPs are applied so that Verdict fails closed (U18)", req.service_lc).into(),
        ));
        if a.other(Point::RcpLaterService) {
            rcp = false;
        }
    }
    // U18: RCPs are applied to anonymous callers and service-linked roles by default.
    if rcp && matches!(c, Caller::Anonymous) && a.other(Point::RcpAnonymous) {
        rcp = false;
    }
    if rcp && req.service_linked_role && a.other(Point::RcpServiceLinkedRole) {
        rcp = false;
    }
    if s.policies.permissions_boundary.is_some() && !session_like {
        notes.push((
            Layer::PermissionsBoundary,
            "only IAM users and roles have permissions boundaries".into(),
        ));
    }
    if !s.policies.identity.is_empty() && !session_like {
        notes.push((
            Layer::Identity,
            format!(
                "{} has no identity-based policies; they are ignored",
                describe(c)
            )
            .into(),
        ));
    }
    // A resource AWS owns is not another account's: only the caller's side decides (§10.2).
    let same_account =
        c.account().is_some() && (s.aws_owned || c.account() == s.resource_account.as_deref());
    let no_permission =
        verdict_catalog::special::no_permission_action_of(&req.service_lc, &req.name_lc).filter(
            |a| {
                match a.action {
                    // Policies never control it; STS refuses it only to sessions (a service rule).
                    "sts:GetSessionToken" => matches!(c, Caller::Root { .. } | Caller::User { .. }),
                    _ => c.is_iam(),
                }
            },
        );
    Applicability {
        apigw,
        scp,
        rcp,
        identity: session_like && iam_auth,
        boundary: s.policies.permissions_boundary.is_some() && session_like && iam_auth,
        session: matches!(c, Caller::AssumedRole { .. } | Caller::FederatedUser { .. }) && iam_auth,
        vpce: s.policies.vpc_endpoint.is_some(),
        same_account,
        kms: req.service_lc == "kms" && req.resource.as_str().contains(":key/"),
        trust: crate::request::is_trust_request(req),
        no_permission,
        notes,
    }
}

/// Services that honour RCPs since launch (§6.6).
const RCP_SERVICES: &[&str] = &["s3", "sts", "kms", "sqs", "secretsmanager"];
/// A service reported to have added RCP support after launch (U18: applied, with a
/// note). The list is data: the service reference's RCP flag (`verdict-catalog`), the
/// same source lint uses, and always the services the spec names as later additions.
fn rcp_later_service(service_lc: &str) -> bool {
    const NAMED_LATER: &[&str] = &[
        "ecr",
        "aoss",
        "cognito-identity",
        "cognito-idp",
        "logs",
        "dynamodb",
    ];
    !RCP_SERVICES.contains(&service_lc)
        && (NAMED_LATER.contains(&service_lc)
            || verdict_catalog::catalog()
                .service(service_lc)
                .is_some_and(|s| s.supports_rcp()))
}

fn describe(c: &Caller) -> &'static str {
    match c {
        Caller::Root { .. } => "the root user",
        Caller::Service(_) => "a service principal",
        Caller::Anonymous => "an anonymous caller",
        Caller::WebIdentity(_) => "a web-identity caller",
        _ => "this caller",
    }
}

/// Keys that exist only with IAM authentication (§6.9.4).
const PRINCIPAL_KEYS: &[&str] = &[
    "aws:principalarn",
    "aws:principalaccount",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principaltype",
    "aws:userid",
    "aws:username",
    "aws:tokenissuetime",
    "aws:multifactorauthpresent",
    "aws:multifactorauthage",
    "aws:principalisawsservice",
];

/// Is `key` one of the keys only IAM authentication carries (absent for an anonymous caller)?
pub(crate) fn is_principal_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    PRINCIPAL_KEYS.contains(&k.as_str()) || k.starts_with("aws:principaltag/")
}

/// Is `key_lc` (lower-cased) one of the keys that name the caller itself (not facts of
/// the session such as MFA, which vary from request to request)?
pub(crate) fn is_caller_key(key_lc: &str) -> bool {
    matches!(
        key_lc,
        "aws:principalarn"
            | "aws:principalaccount"
            | "aws:principalorgid"
            | "aws:principalorgpaths"
            | "aws:principaltype"
            | "aws:userid"
            | "aws:username"
            | "aws:principalisawsservice"
            | "aws:principalservicename"
    )
}

/// Does API Gateway make the caller anonymous (a method without IAM authorization)?
pub(crate) fn anonymous_apigateway(s: &Scenario) -> bool {
    let app = applicability(s, &Assumptions::new(crate::readings::Readings::DEFAULT));
    matches!(app.apigw, Some(t) if t != AuthorizationType::AwsIam)
}

/// The request as the policies see it: for API methods without IAM authorization the
/// caller is anonymous and principal keys are absent.
pub(crate) fn effective_request<'a>(request: &'a Request, app: &Applicability) -> Cow<'a, Request> {
    match app.apigw {
        Some(t) if t != AuthorizationType::AwsIam => {
            let mut r = request.clone();
            r.caller = Caller::Anonymous;
            for k in PRINCIPAL_KEYS {
                r.context.remove(k);
            }
            let tags: Vec<String> = r
                .context
                .entries()
                .filter(|e| e.key.to_ascii_lowercase().starts_with("aws:principaltag/"))
                .map(|e| e.key.clone())
                .collect();
            for k in tags {
                r.context.remove(&k);
            }
            Cow::Owned(r)
        }
        _ => Cow::Borrowed(request),
    }
}

/// Evaluate the statements of `policies` (fast: stops at the first Deny).
pub(crate) fn eval_fast(
    policies: &[NamedPolicy],
    req: &Request,
    view: &PrincipalView<'_>,
) -> LayerResult {
    let mut r = LayerResult::default();
    for (pi, p) in policies.iter().enumerate() {
        // Only statements that can name the request's service (document order kept).
        for si in p.policy.candidates(req.service_hash) {
            let Some(s) = p.policy.statements.get(si) else {
                continue;
            };
            // An Allow matched directly already: a later Allow changes nothing (only a
            // Deny can), so it is not evaluated (this also keeps residual exploration
            // linear in the number of Allows).
            if s.effect == Effect::Allow && r.allow_kind == Some(MatchKind::Direct) {
                continue;
            }
            if let Some(po) = statement_applies(s, req, view) {
                r.record(
                    s.effect,
                    Hit {
                        policy: pi,
                        stmt: si,
                    },
                    &po,
                );
                if s.effect == Effect::Deny {
                    return r;
                }
            }
        }
    }
    r
}

/// Evaluate every statement with reasons.
pub(crate) fn eval_traced(
    policies: &[NamedPolicy],
    req: &Request,
    view: &PrincipalView<'_>,
) -> (LayerResult, Vec<PolicyTrace>) {
    let mut r = LayerResult::default();
    let mut traces = Vec::with_capacity(policies.len());
    let requested: std::sync::Arc<str> = req.action.as_str().into();
    for (pi, p) in policies.iter().enumerate() {
        let src = &p.policy.source;
        let mut stmts = Vec::with_capacity(p.policy.statements.len());
        for (si, s) in p.policy.statements.iter().enumerate() {
            let mut misses = Vec::new();
            let mut notes = Vec::new();
            if !check_action(s, req) {
                // A statement about other actions can never matter to this request: its
                // action is the whole reason, and nothing else is evaluated for it.
                misses.push(Miss::Action {
                    negated: s.action.negated,
                    patterns: s.action.raw_patterns(),
                    requested: requested.clone(),
                });
                stmts.push(StatementTrace {
                    index: si,
                    sid: s.label(),
                    effect: s.effect.as_str(),
                    applies: false,
                    principal_match: None,
                    misses,
                    conditions: Vec::new(),
                    notes,
                    position: src.position(s.span.start),
                });
                continue;
            }
            let ro = check_resource(s, req, view);
            if !ro.covers {
                let block = s.resource.as_ref();
                misses.push(Miss::Resource {
                    negated: block.is_some_and(|b| b.negated),
                    patterns: block
                        .map(|b| b.entries.iter().map(|e| e.raw.clone()).collect())
                        .unwrap_or_default(),
                    requested: req.resource.as_str().to_string(),
                    unresolved_variables: ro.unresolved.clone(),
                });
            }
            let po = check_principal(s.principal.as_ref(), view);
            if let PrincipalOutcome::NotPrincipalApplies(Some(n)) = &po {
                notes.push(n.clone());
            }
            if !po.applies() {
                let block = s.principal.as_ref();
                misses.push(Miss::Principal {
                    negated: block.is_some_and(|b| b.negated),
                    principals: block.map(|b| b.raw.clone()).unwrap_or_default(),
                    caller: view.caller.display(),
                });
            }
            let mut conditions = Vec::with_capacity(s.conditions.len());
            for c in &s.conditions {
                let o = eval_condition(c, &req.context, view.assume);
                if !o.holds {
                    misses.push(Miss::Condition {
                        operator: c.op_name.clone(),
                        op: c.op.clone(),
                        key: c.key.clone(),
                        request_values: o.request.clone(),
                        policy_values: c.raw_values.clone(),
                        note: o.note.clone(),
                    });
                }
                conditions.push(ConditionTrace {
                    operator: c.op_name.clone(),
                    op: c.op.clone(),
                    key: c.key.clone(),
                    request_values: o.request,
                    policy_values: c.raw_values.clone(),
                    holds: o.holds,
                    note: o.note,
                });
            }
            let applies = misses.is_empty();
            if applies {
                r.record(
                    s.effect,
                    Hit {
                        policy: pi,
                        stmt: si,
                    },
                    &po,
                );
            }
            stmts.push(StatementTrace {
                index: si,
                sid: s.label(),
                effect: s.effect.as_str(),
                applies,
                principal_match: match po {
                    PrincipalOutcome::Matched(k) => Some(k),
                    _ => None,
                },
                misses,
                conditions,
                notes,
                position: src.position(s.span.start),
            });
        }
        traces.push(PolicyTrace {
            policy: p.label.clone(),
            arn: p.arn.clone(),
            file: src.name().to_string(),
            statements: stmts,
        });
    }
    (r, traces)
}

/// Every layer's result.
#[derive(Clone, Debug, Default)]
pub(crate) struct Inputs {
    pub rcp: Vec<LayerResult>,
    pub scp: Vec<LayerResult>,
    pub vpce: LayerResult,
    pub resource: LayerResult,
    pub identity: LayerResult,
    pub boundary: LayerResult,
    pub session: LayerResult,
    pub authorizer: LayerResult,
    /// True when session policies were passed.
    pub session_present: bool,
}

/// A decision with the layer and statement that decided it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Outcome {
    pub decision: Decision,
    pub denied_by: Option<Layer>,
    /// The deciding statement (explicit denies, and allows when a single one decided).
    pub hit: Option<(Layer, Option<usize>, Hit)>,
    /// For an implicit SCP deny, the level without an Allow.
    pub level: Option<usize>,
}

fn deny(layer: Layer, level: Option<usize>, hit: Option<Hit>) -> Outcome {
    Outcome {
        decision: if hit.is_some() {
            Decision::ExplicitDeny
        } else {
            Decision::ImplicitDeny
        },
        denied_by: Some(layer),
        hit: hit.map(|h| (layer, level, h)),
        level,
    }
}

fn allow(hit: Option<(Layer, Hit)>) -> Outcome {
    Outcome {
        decision: Decision::Allow,
        denied_by: None,
        hit: hit.map(|(l, h)| (l, None, h)),
        level: None,
    }
}

/// The decision procedure of §6.3–§6.9 over precomputed layer results.
pub(crate) fn decide(
    s: &Scenario,
    req: &Request,
    app: &Applicability,
    x: &Inputs,
    a: &Assumptions,
) -> Outcome {
    // 0. Actions no policy controls (§10.2): not even an explicit Deny stops them.
    if app.no_permission.is_some() {
        return allow(None);
    }
    // 1. Explicit-deny sweep, in reporting order (U23).
    if app.rcp {
        for (i, l) in x.rcp.iter().enumerate() {
            if let Some(h) = l.deny {
                return deny(Layer::Rcp, Some(i), Some(h));
            }
        }
    }
    if app.scp {
        for (i, l) in x.scp.iter().enumerate() {
            if let Some(h) = l.deny {
                return deny(Layer::Scp, Some(i), Some(h));
            }
        }
    }
    if app.vpce {
        if let Some(h) = x.vpce.deny {
            return deny(Layer::VpcEndpoint, None, Some(h));
        }
    }
    if let Some(h) = x.resource.deny {
        return deny(Layer::Resource, None, Some(h));
    }
    if app.identity {
        if let Some(h) = x.identity.deny {
            return deny(Layer::Identity, None, Some(h));
        }
    }
    if app.boundary {
        if let Some(h) = x.boundary.deny {
            return deny(Layer::PermissionsBoundary, None, Some(h));
        }
    }
    if app.session {
        if let Some(h) = x.session.deny {
            return deny(Layer::Session, None, Some(h));
        }
    }
    let custom = app.apigw == Some(AuthorizationType::Custom);
    if custom {
        if let Some(h) = x.authorizer.deny {
            return deny(Layer::Authorizer, None, Some(h));
        }
    }
    // 2. RCPs: RCPFullAWSAccess is implied at every level, so no level lacks an Allow.
    // 3. SCPs: every level needs an applicable Allow.
    if app.scp {
        for (i, l) in x.scp.iter().enumerate() {
            if l.allow.is_none() {
                return deny(Layer::Scp, Some(i), None);
            }
        }
    }
    if app.vpce && x.vpce.allow.is_none() {
        return deny(Layer::VpcEndpoint, None, None);
    }
    let rbp = x.resource.allow_kind;
    let rbp_hit = x.resource.allow.map(|h| (Layer::Resource, h));
    if let Some(t) = app.apigw {
        return apigateway(s, req, app, x, t, a);
    }
    match req.caller {
        Caller::Anonymous | Caller::Service(_) | Caller::WebIdentity(_) => {
            return match rbp {
                Some(_) => allow(rbp_hit),
                None => deny(Layer::Resource, None, None),
            };
        }
        _ => {}
    }
    let root = matches!(req.caller, Caller::Root { .. });
    if (app.trust || app.kms) && rbp.is_none() {
        return deny(Layer::Resource, None, None);
    }
    let identity_allows = app.identity && x.identity.allow.is_some();
    if !app.same_account {
        if rbp.is_none() {
            return deny(Layer::Resource, None, None);
        }
        if !root && !identity_allows {
            return deny(Layer::Identity, None, None);
        }
    } else {
        match rbp {
            // U19: a same-account trust policy naming the caller directly; the other
            // reading asks for an identity-based Allow as well.
            Some(MatchKind::Direct)
                if app.trust && !identity_allows && a.other(Point::TrustDirectSameAccount) =>
            {
                return deny(Layer::Identity, None, None);
            }
            // T26: a Principal "*" grant is final; the other reading lets an implicit deny
            // in the boundary or the session policy cut it.
            Some(MatchKind::Wildcard)
                if wildcard_cut(req, app, x) && a.other(Point::WildcardGrantBypass) => {}
            Some(k) if k.is_final_same_account() => return allow(rbp_hit),
            Some(MatchKind::ViaRole) | Some(MatchKind::ViaParentUser) => {}
            _ => {
                if (!root || app.kms) && !identity_allows {
                    return deny(Layer::Identity, None, None);
                }
                // U28: the root shortcut; the other reading makes this resource type
                // need its resource-based policy to allow the root user.
                if root
                    && !identity_allows
                    && s.policies.resource.is_some()
                    && rbp.is_none()
                    && a.other(Point::RootShortcut)
                {
                    return deny(Layer::Resource, None, None);
                }
            }
        }
    }
    if let Some(o) = boundary_and_session(req, app, x) {
        return o;
    }
    let hit = if identity_allows {
        x.identity.allow.map(|h| (Layer::Identity, h))
    } else {
        rbp_hit
    };
    allow(hit)
}

/// Would an implicit deny in the boundary or the session policy cut a wildcard grant (T26)?
fn wildcard_cut(req: &Request, app: &Applicability, x: &Inputs) -> bool {
    boundary_and_session(req, app, x).is_some()
}

fn boundary_and_session(req: &Request, app: &Applicability, x: &Inputs) -> Option<Outcome> {
    if app.boundary && x.boundary.allow.is_none() {
        return Some(deny(Layer::PermissionsBoundary, None, None));
    }
    if app.session {
        let federated = matches!(req.caller, Caller::FederatedUser { .. });
        if (x.session_present || federated) && x.session.allow.is_none() {
            return Some(deny(Layer::Session, None, None));
        }
    }
    None
}

/// API Gateway's combination tables A and B (§6.9.4).
fn apigateway(
    s: &Scenario,
    req: &Request,
    app: &Applicability,
    x: &Inputs,
    t: AuthorizationType,
    a: &Assumptions,
) -> Outcome {
    let rp_allow = x.resource.allow.is_some();
    let rp_hit = x.resource.allow.map(|h| (Layer::Resource, h));
    match t {
        AuthorizationType::None => {
            if s.policies.resource.is_none() || rp_allow {
                allow(rp_hit)
            } else {
                deny(Layer::Resource, None, None)
            }
        }
        AuthorizationType::AwsIam => {
            let root = matches!(req.caller, Caller::Root { .. });
            let iam_fail = if !(root || app.identity && x.identity.allow.is_some()) {
                Some(deny(Layer::Identity, None, None))
            } else {
                boundary_and_session(req, app, x)
            };
            let iam_hit = x.identity.allow.map(|h| (Layer::Identity, h));
            if app.same_account {
                match iam_fail {
                    None => allow(iam_hit),
                    Some(_) if rp_allow => allow(rp_hit),
                    Some(f) => f,
                }
            } else if !rp_allow {
                deny(Layer::Resource, None, None)
            } else {
                match iam_fail {
                    None => allow(iam_hit),
                    Some(f) => f,
                }
            }
        }
        AuthorizationType::Custom | AuthorizationType::CognitoUserPools => {
            let auth_allow = if t == AuthorizationType::Custom {
                x.authorizer.allow.is_some()
            } else {
                s.apigateway.as_ref().is_some_and(|a| a.cognito_token_valid)
            };
            // U26: the other reading evaluates a Cognito API's resource policy on its
            // own, so a resource policy without an Allow denies.
            if t == AuthorizationType::CognitoUserPools
                && s.policies.resource.is_some()
                && !rp_allow
                && a.other(Point::CognitoTableA)
            {
                return deny(Layer::Resource, None, None);
            }
            if auth_allow {
                allow(x.authorizer.allow.map(|h| (Layer::Authorizer, h)))
            } else if rp_allow {
                allow(rp_hit)
            } else {
                deny(Layer::Authorizer, None, None)
            }
        }
    }
}
