//! The AWS IAM authorization evaluator.
//!
//! Load a [`Scenario`] (request plus every policy layer), then either ask for the
//! decision alone with [`decide`] (the fast path) or for a full [`Evaluation`] with
//! [`evaluate`] (the traced path: every layer, policy and statement, why each missed,
//! the AWS message and the context keys the answer depends on).

pub mod checks;
pub mod compare;
pub mod context;
mod decide;
pub mod fast_load;
pub mod matching;
pub mod message;
pub mod readings;
pub mod render;
pub mod request;
pub mod residual;
pub mod resource_set;
pub mod scenario;
pub mod service_rules;
pub mod testing;
pub mod trace;

use crate::decide::{
    applicability, decide as run_decide, effective_request, eval_fast, eval_traced, Applicability,
    Inputs, LayerResult, Outcome,
};
use crate::matching::PrincipalView;
use crate::message::{access_denied_message, MessageParts};
use crate::readings::{Assumptions, Readings, Touched, Uncertainty};
use crate::request::Request;
use serde::Serialize;
use std::collections::BTreeMap;

pub use context::{Context, CtxValue};
pub use request::Caller;
pub use scenario::{
    load_scenario, scenario_from_json, scenario_from_json_cached, NamedPolicy, Policies,
    PolicyCache, RequestParts, Scenario, UnknownKey,
};
pub use trace::{
    Decision, Layer, LayerOutcome, LayerTrace, Miss, MissingKey, Note, StatementRef, Warning,
};

/// The decision and the deciding layer, without a trace (fast path).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// Allow or deny.
    pub decision: Decision,
    /// The deciding layer for a denial.
    pub denied_by: Option<Layer>,
}

fn fast_inputs(s: &Scenario, req: &Request, app: &Applicability, a: &Assumptions) -> Inputs {
    let p = &s.policies;
    let view = PrincipalView::new(&req.caller, req, p.permissions_boundary.is_some(), a);
    let levels = |l: &Option<Vec<Vec<NamedPolicy>>>, on: bool| -> Vec<LayerResult> {
        match (l, on) {
            (Some(levels), true) => levels
                .iter()
                .map(|lvl| eval_fast(lvl, req, &view))
                .collect(),
            _ => Vec::new(),
        }
    };
    Inputs {
        rcp: levels(&p.rcps, app.rcp),
        scp: levels(&p.scps, app.scp),
        vpce: p
            .vpc_endpoint
            .as_deref()
            .filter(|_| app.vpce)
            .map(|v| eval_fast(v, req, &view))
            .unwrap_or_default(),
        resource: p
            .resource
            .as_ref()
            .map(|r| eval_fast(std::slice::from_ref(r), req, &view))
            .unwrap_or_default(),
        identity: if app.identity {
            eval_fast(&p.identity, req, &view)
        } else {
            LayerResult::default()
        },
        boundary: match (&p.permissions_boundary, app.boundary) {
            (Some(b), true) => eval_fast(std::slice::from_ref(b), req, &view),
            _ => LayerResult::default(),
        },
        session: if app.session {
            eval_fast(&p.session, req, &view)
        } else {
            LayerResult::default()
        },
        authorizer: authorizer_policy(s)
            .map(|a| eval_fast(std::slice::from_ref(a), req, &view))
            .unwrap_or_default(),
        session_present: !p.session.is_empty(),
    }
}

fn authorizer_policy(s: &Scenario) -> Option<&NamedPolicy> {
    s.apigateway.as_ref()?.authorizer_policy.as_ref()
}

/// Decide (fast path: no trace, stops at the first applicable Deny of each layer).
/// Several resources (T92) aggregate most-restrictive-first, as in [`evaluate`].
pub fn decide(s: &Scenario) -> Verdict {
    decide_under(s, &Assumptions::new(Readings::DEFAULT))
}

/// Decide `s` under the readings of `a`, recording in `a` the points it touched.
pub(crate) fn decide_under(s: &Scenario, a: &Assumptions) -> Verdict {
    if s.extra_resources.is_empty() {
        return decide_request(s, &s.request, a);
    }
    let all = per_resource(s);
    all.iter()
        .map(|one| decide_request(one, &one.request, a))
        .enumerate()
        .max_by_key(|(i, v)| (restrictiveness(v.decision), std::cmp::Reverse(*i)))
        .map(|(_, v)| v)
        .unwrap_or_else(|| decide_request(s, &s.request, a))
}

/// The unconfirmed points the decision of `s` rests on (§10.1): each point the evaluation
/// touched whose other reading decides otherwise.
fn uncertainties(s: &Scenario, base: Decision, touched: &Touched) -> Vec<Uncertainty> {
    touched
        .points()
        .filter_map(|p| {
            let other = decide_under(s, &Assumptions::new(Readings::flipped(p)));
            (other.decision != base).then_some(Uncertainty {
                rule: p.rule(),
                assumed: p.assumed(),
                otherwise: other.decision,
                otherwise_denied_by: other.denied_by,
            })
        })
        .collect()
}

/// Explicit deny, then implicit deny, then allow.
fn restrictiveness(d: Decision) -> u8 {
    match d {
        Decision::ExplicitDeny => 2,
        Decision::ImplicitDeny => 1,
        Decision::Allow => 0,
    }
}

/// The AWS message for an outcome.
fn message_for(
    s: &Scenario,
    req: &Request,
    app: &Applicability,
    o: &Outcome,
    policy_arn: Option<&str>,
) -> String {
    access_denied_message(&MessageParts {
        caller: &req.caller,
        action: &req.action,
        resource: req.resource.as_str(),
        decision: o.decision,
        denied_by: o.denied_by,
        policy_arn,
        trust: app.trust,
        style: s.options.message_style,
    })
}

/// One single-resource scenario per resource of `s` (its resource first).
fn per_resource(s: &Scenario) -> Vec<Scenario> {
    std::iter::once(s.request.resource.as_str().to_string())
        .chain(s.extra_resources.iter().cloned())
        .map(|r| {
            let mut one = s.clone();
            one.extra_resources.clear();
            one.request.resource = verdict_policy::arn::RequestResource::new(&r);
            one.aws_owned = one.request.resource.account() == Some("aws");
            one.resource_account = if one.aws_owned {
                None
            } else {
                one.request
                    .resource
                    .account()
                    .map(str::to_string)
                    .or_else(|| s.resource_account.clone())
            };
            one
        })
        .collect()
}

/// Decide `s` as if its request were `request` (same caller; e.g. other context values),
/// without copying the scenario's policies.
pub(crate) fn decide_as(s: &Scenario, request: &Request) -> Verdict {
    let a = Assumptions::new(Readings::DEFAULT);
    if s.extra_resources.is_empty() {
        return decide_request(s, request, &a);
    }
    let mut c = s.clone();
    c.request = request.clone();
    decide_under(&c, &a)
}

/// Decide `s` with another request of the same caller (e.g. a changed context).
fn decide_request(s: &Scenario, request: &Request, a: &Assumptions) -> Verdict {
    let app = applicability(s, a);
    let req = effective_request(request, &app);
    let o = run_decide(s, &req, &app, &fast_inputs(s, &req, &app, a), a);
    Verdict {
        decision: o.decision,
        denied_by: o.denied_by,
    }
}

/// Decision, deciding layer and AWS message from the fast path (used by batch mode).
#[derive(Clone, Debug, Serialize)]
pub struct QuickResult {
    /// Decision.
    pub decision: Decision,
    /// Deciding layer.
    pub denied_by: Option<Layer>,
    /// AWS message (empty when allowed).
    pub message: String,
    /// The unconfirmed points the decision rests on (§10.1); empty when none.
    pub uncertain: Vec<Uncertainty>,
    /// A service rule that refuses the call whatever the policies say (§10.2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_refusal: Option<service_rules::ServiceRefusal>,
    /// The AWS service catalog version (as in every JSON result).
    pub catalog: &'static str,
}

/// The catalog version line, computed once.
fn catalog_line() -> &'static str {
    static LINE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    LINE.get_or_init(verdict_catalog::data_version_line)
}

/// Fast path plus the AWS message (several resources aggregate as in [`decide`]).
pub fn decide_with_message(s: &Scenario) -> QuickResult {
    if !s.extra_resources.is_empty() {
        let a = Assumptions::new(Readings::DEFAULT);
        let v = decide_under(s, &a);
        let all = per_resource(s);
        if let Some(worst) = all.iter().find(|one| decide(one) == v) {
            let mut q = decide_with_message(worst);
            q.uncertain = uncertainties(s, v.decision, &a.touched);
            return q;
        }
    }
    let a = Assumptions::new(Readings::DEFAULT);
    let app = applicability(s, &a);
    let req = effective_request(&s.request, &app);
    let o = run_decide(s, &req, &app, &fast_inputs(s, &req, &app, &a), &a);
    let policy_arn = o
        .hit
        .and_then(|(layer, level, hit)| statement_ref(s, layer, level, hit))
        .and_then(|d| d.policy_arn);
    let message = message_for(s, &req, &app, &o, policy_arn.as_deref());
    QuickResult {
        catalog: catalog_line(),
        decision: o.decision,
        denied_by: o.denied_by,
        message,
        uncertain: uncertainties(s, o.decision, &a.touched),
        service_refusal: service_rules::service_refusal(&s.request),
    }
}

/// The full, traced evaluation of a scenario.
#[derive(Clone, Debug, Serialize)]
pub struct Evaluation {
    /// `allow`, `explicit_deny` or `implicit_deny`.
    pub decision: Decision,
    /// The deciding layer for a denial, else null.
    pub denied_by: Option<Layer>,
    /// The message AWS would return (empty when allowed).
    pub message: String,
    /// One sentence on why.
    pub reason: String,
    /// The statement that decided, when one did.
    pub deciding_statement: Option<StatementRef>,
    /// The request as evaluated.
    pub request: RequestSummary,
    /// Every layer, policy and statement.
    pub layers: Vec<LayerTrace>,
    /// Context keys tested by the policies but absent from the request.
    pub missing_context: Vec<MissingKey>,
    /// The unconfirmed points the decision rests on (§10.1): for each, the rule, what was
    /// assumed and the decision under the other reading.
    pub uncertain: Vec<Uncertainty>,
    /// A service rule that refuses the call whatever the policies say (§10.2); the
    /// decision above is then only what the policies alone would decide.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_refusal: Option<service_rules::ServiceRefusal>,
    /// Remarks and input problems that did not stop evaluation.
    pub warnings: Vec<Warning>,
    /// The AWS service catalog the warnings were checked against.
    pub catalog: String,
    /// Per-resource results when the scenario lists several resources (T92).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resource_results: Vec<ResourceResult>,
}

/// The request, as evaluated.
#[derive(Clone, Debug, Serialize)]
pub struct RequestSummary {
    /// Caller as AWS prints it.
    pub principal: String,
    /// Action.
    pub action: String,
    /// Resource.
    pub resource: String,
    /// Resource account, if known.
    pub resource_account: Option<String>,
    /// Same account as the caller?
    pub same_account: bool,
    /// Context keys and values (given and derived).
    pub context: BTreeMap<String, serde_json::Value>,
    /// Keys Verdict derived from the principal.
    pub derived_keys: Vec<String>,
}

/// Result for one of several resources.
#[derive(Clone, Debug, Serialize)]
pub struct ResourceResult {
    /// The resource.
    pub resource: String,
    /// Its decision.
    pub decision: Decision,
    /// Its deciding layer.
    pub denied_by: Option<Layer>,
}

/// Evaluate with a full trace. Several resources (T92) aggregate most-restrictive-first.
pub fn evaluate(s: &Scenario) -> Evaluation {
    let touched = Touched::new();
    let mut e = if s.extra_resources.is_empty() {
        evaluate_one(s, &touched)
    } else {
        evaluate_many(s, &touched)
    };
    e.uncertain = uncertainties(s, e.decision, &touched);
    e
}

fn evaluate_many(s: &Scenario, touched: &Touched) -> Evaluation {
    let all = per_resource(s);
    let evaluations: Vec<Evaluation> = all.iter().map(|one| evaluate_one(one, touched)).collect();
    let results = evaluations
        .iter()
        .map(|e| ResourceResult {
            resource: e.request.resource.clone(),
            decision: e.decision,
            denied_by: e.denied_by,
        })
        .collect();
    let worst = evaluations
        .into_iter()
        .enumerate()
        .max_by_key(|(i, e)| (restrictiveness(e.decision), std::cmp::Reverse(*i)))
        .map(|(_, e)| e);
    let mut e = worst.unwrap_or_else(|| evaluate_one(s, touched));
    e.resource_results = results;
    e
}

fn evaluate_one(s: &Scenario, touched: &Touched) -> Evaluation {
    let a = Assumptions::new(Readings::DEFAULT);
    let e = evaluate_traced(s, &a);
    touched.merge(&a.touched);
    e
}

fn evaluate_traced(s: &Scenario, a: &Assumptions) -> Evaluation {
    let app = applicability(s, a);
    let req = effective_request(&s.request, &app);
    let req: &Request = &req;
    let p = &s.policies;
    let view = PrincipalView::new(&req.caller, req, p.permissions_boundary.is_some(), a);
    let mut layers = Vec::new();
    let mut inputs = Inputs {
        session_present: !p.session.is_empty(),
        ..Default::default()
    };
    let note_for = |l: Layer| {
        app.notes
            .iter()
            .find(|(x, _)| *x == l)
            .map(|(_, n)| n.to_string())
    };
    let push = |layer: Layer,
                level: Option<usize>,
                on: bool,
                pols: &[NamedPolicy],
                layers: &mut Vec<LayerTrace>|
     -> LayerResult {
        let (r, traces) = eval_traced(pols, req, &view);
        let outcome = if on {
            r.outcome()
        } else {
            LayerOutcome::NotApplicable
        };
        let mut note = note_for(layer);
        if layer == Layer::Rcp && on && r.allow.is_none() && r.deny.is_none() {
            note.get_or_insert_with(|| "RCPFullAWSAccess is implied at every level (§6.6)".into());
        }
        layers.push(LayerTrace {
            layer,
            level,
            outcome,
            note,
            policies: traces,
        });
        if on {
            r
        } else {
            LayerResult::default()
        }
    };
    if let Some(levels) = &p.rcps {
        for (i, lvl) in levels.iter().enumerate() {
            let r = push(Layer::Rcp, Some(i), app.rcp, lvl, &mut layers);
            if app.rcp {
                inputs.rcp.push(r);
            }
        }
    }
    if let Some(levels) = &p.scps {
        for (i, lvl) in levels.iter().enumerate() {
            let r = push(Layer::Scp, Some(i), app.scp, lvl, &mut layers);
            if app.scp {
                inputs.scp.push(r);
            }
        }
    }
    if let Some(v) = &p.vpc_endpoint {
        inputs.vpce = push(Layer::VpcEndpoint, None, app.vpce, v, &mut layers);
    }
    if let Some(r) = &p.resource {
        inputs.resource = push(
            Layer::Resource,
            None,
            true,
            std::slice::from_ref(r),
            &mut layers,
        );
    }
    if !p.identity.is_empty() || app.identity {
        inputs.identity = push(
            Layer::Identity,
            None,
            app.identity,
            &p.identity,
            &mut layers,
        );
    }
    if let Some(b) = &p.permissions_boundary {
        inputs.boundary = push(
            Layer::PermissionsBoundary,
            None,
            app.boundary,
            std::slice::from_ref(b),
            &mut layers,
        );
    }
    let federated = matches!(req.caller, Caller::FederatedUser { .. });
    if !p.session.is_empty() || (app.session && federated) {
        inputs.session = push(Layer::Session, None, app.session, &p.session, &mut layers);
        if p.session.is_empty() {
            if let Some(l) = layers.last_mut() {
                l.note = Some("no session policy was passed; a federated-user session gets only what a session policy allows (§6.3 step 7)".into());
            }
        }
    }
    if let Some(a) = authorizer_policy(s) {
        inputs.authorizer = push(
            Layer::Authorizer,
            None,
            app.apigw.is_some(),
            std::slice::from_ref(a),
            &mut layers,
        );
    }
    let o = run_decide(s, req, &app, &inputs, a);
    let deciding_statement = o
        .hit
        .and_then(|(layer, level, hit)| statement_ref(s, layer, level, hit));
    let policy_arn = deciding_statement
        .as_ref()
        .and_then(|d| d.policy_arn.as_deref());
    let message = message_for(s, req, &app, &o, policy_arn);
    let mut warnings: Vec<Warning> = s.load_notes.clone();
    warnings.extend(checks::catalog_warnings(s));
    warnings.extend(
        app.notes
            .iter()
            .filter(|(l, _)| !layers.iter().any(|t| t.layer == *l))
            .map(|(_, n)| Warning::new("layer-not-applicable", n.to_string())),
    );
    collect_warnings(&layers, &mut warnings);
    several_denying_layers(&o, &layers, &mut warnings);
    if let Some(n) = app.no_permission {
        warnings.push(Warning::new(
            "no-permission-needed",
            format!("{} needs no permission ({}); the layers are shown for reference, none of them decides this call", n.action, n.source),
        ));
    }
    let mut reason = reason(s, req, &app, &o, deciding_statement.as_ref());
    if let Some(d) = &deciding_statement {
        if let Some(clause) = deciding_conditions(&layers, d) {
            reason.push_str(&clause);
        }
    }
    let missing_context = missing_context(s, &layers, o.decision);
    let mut context = BTreeMap::new();
    let mut derived_keys = Vec::new();
    for e in req.context.entries() {
        let v = match e.values.as_slice() {
            [one] => one.to_json(),
            many => serde_json::Value::from(many.iter().map(|v| v.to_json()).collect::<Vec<_>>()),
        };
        context.insert(e.key.clone(), v);
        if e.derived {
            derived_keys.push(e.key.clone());
        }
    }
    derived_keys.sort();
    Evaluation {
        decision: o.decision,
        denied_by: o.denied_by,
        message,
        reason,
        deciding_statement,
        request: RequestSummary {
            principal: req.caller.display(),
            action: req.action.clone(),
            resource: req.resource.as_str().to_string(),
            resource_account: s.resource_account.clone(),
            same_account: app.same_account,
            context,
            derived_keys,
        },
        layers,
        missing_context,
        uncertain: Vec::new(),
        service_refusal: service_rules::service_refusal(req),
        warnings,
        catalog: catalog_line().to_string(),
        resource_results: Vec::new(),
    }
}

impl Scenario {
    /// The policies of one layer (for SCPs and RCPs, of one organization level), in order.
    pub fn policies_at(&self, layer: Layer, level: Option<usize>) -> Vec<&NamedPolicy> {
        layer_policies(self, layer, level)
    }
}

fn layer_policies(s: &Scenario, layer: Layer, level: Option<usize>) -> Vec<&NamedPolicy> {
    let p = &s.policies;
    match layer {
        Layer::Rcp => p
            .rcps
            .as_ref()
            .and_then(|l| l.get(level?))
            .map(|l| l.iter().collect())
            .unwrap_or_default(),
        Layer::Scp => p
            .scps
            .as_ref()
            .and_then(|l| l.get(level?))
            .map(|l| l.iter().collect())
            .unwrap_or_default(),
        Layer::VpcEndpoint => p.vpc_endpoint.iter().flatten().collect(),
        Layer::Resource => p.resource.iter().collect(),
        Layer::Identity => p.identity.iter().collect(),
        Layer::PermissionsBoundary => p.permissions_boundary.iter().collect(),
        Layer::Session => p.session.iter().collect(),
        Layer::Authorizer => authorizer_policy(s).into_iter().collect(),
    }
}

fn statement_ref(
    s: &Scenario,
    layer: Layer,
    level: Option<usize>,
    hit: decide::Hit,
) -> Option<StatementRef> {
    let pols = layer_policies(s, layer, level);
    let np = pols.get(hit.policy)?;
    let st = np.policy.statements.get(hit.stmt)?;
    Some(StatementRef {
        layer,
        level,
        policy: np.label.clone(),
        policy_arn: np.arn.clone(),
        statement: st.label(),
        index: st.index,
        file: np.policy.source.name().to_string(),
        position: np.policy.source.position(st.span.start),
    })
}

fn describe_caller(c: &Caller) -> String {
    match c {
        Caller::Service(s) => format!("the service principal {s}"),
        Caller::Anonymous => "an anonymous caller".into(),
        Caller::WebIdentity(p) => format!("a caller federated through {p}"),
        other => other.display(),
    }
}

fn level_name(level: usize, total: usize) -> String {
    if level == 0 {
        "the organization root".into()
    } else if level + 1 == total {
        "the account".into()
    } else {
        format!("OU level {level}")
    }
}

fn reason(
    s: &Scenario,
    req: &Request,
    app: &Applicability,
    o: &Outcome,
    d: Option<&StatementRef>,
) -> String {
    let stmt = |d: &StatementRef| {
        format!(
            "statement {} of {} ({}:{}:{})",
            d.statement, d.policy, d.file, d.position.line, d.position.column
        )
    };
    match (o.decision, o.denied_by) {
        (Decision::Allow, _) if app.no_permission.is_some() => app
            .no_permission
            .map(|n| format!("this call cannot be denied: {} (§10.2)", n.reason))
            .unwrap_or_default(),
        (Decision::Allow, _) => match (d, app.apigw) {
            (Some(d), _) => format!("allowed by {} in the {}", stmt(d), d.layer.title()),
            (None, Some(scenario::AuthorizationType::CognitoUserPools)) => {
                "allowed: the Cognito user-pool authorizer accepted the token and nothing denies (Table A, §6.9.4)".into()
            }
            (None, Some(scenario::AuthorizationType::None)) => {
                "allowed: the method has no authorization and no resource policy restricts it (§6.9.4)".into()
            }
            (None, _) if matches!(req.caller, Caller::Root { .. }) => {
                "allowed: the root user holds every permission on its own account's resources unless something denies (§6.9.5)".into()
            }
            (None, _) => "allowed".into(),
        },
        (Decision::ExplicitDeny, Some(l)) => match d {
            Some(d) => {
                let lvl = match (l, d.level) {
                    (Layer::Scp, Some(i)) => format!(" at {}", level_name(i, s.policies.scps.as_ref().map_or(0, Vec::len))),
                    (Layer::Rcp, Some(i)) => format!(" at {}", level_name(i, s.policies.rcps.as_ref().map_or(0, Vec::len))),
                    _ => String::new(),
                };
                format!("explicitly denied by {}{lvl}", stmt(d))
            }
            None => format!("explicitly denied by the {}", l.title()),
        },
        (Decision::ImplicitDeny, Some(l)) => match l {
            Layer::Scp => format!(
                "no SCP attached at {} allows {}; every level from the root to the account must allow it",
                level_name(o.level.unwrap_or(0), s.policies.scps.as_ref().map_or(0, Vec::len)),
                req.action
            ),
            Layer::Resource if app.trust => format!("the role trust policy does not allow {} to assume the role; a trust policy must allow the caller explicitly (§6.9.1)", req.caller.display()),
            Layer::Resource if app.kms => "the key policy neither allows the caller nor delegates to the account; IAM policies alone never grant KMS access (§6.9.2)".into(),
            Layer::Resource if app.apigw.is_none() && matches!(req.caller, Caller::Service(_) | Caller::Anonymous | Caller::WebIdentity(_)) => format!(
                "{} has no identity-based policies, so only a resource-based policy statement naming it can allow this, and none applies (§6.9.6, §6.9.7)",
                describe_caller(&req.caller)
            ),
            Layer::Resource if !app.same_account && app.apigw.is_none() => "cross-account access needs an Allow in the resource-based policy, and none applies (§6.4)".into(),
            Layer::Resource => "no statement of the resource-based policy allows this request".into(),
            Layer::Identity => "no identity-based policy allows this request".into(),
            Layer::PermissionsBoundary => "the permissions boundary does not allow this action, and no grant bypasses it".into(),
            Layer::Session if matches!(req.caller, Caller::FederatedUser { .. }) && s.policies.session.is_empty() => {
                "a federated-user session gets only what its session policy allows, and none was passed (§6.3 step 7)".into()
            }
            Layer::Session => "no session policy allows this request".into(),
            Layer::VpcEndpoint => "the VPC endpoint policy does not allow this request".into(),
            Layer::Rcp => "no RCP allows this request".into(),
            Layer::Authorizer => "neither the API Gateway authorizer nor the resource policy allows this request (Table A, §6.9.4)".into(),
        },
        _ => String::new(),
    }
}

/// Why a key is commonly absent, for explanations.
pub fn absence_hint(key: &str) -> Option<&'static str> {
    Some(match key.to_ascii_lowercase().as_str() {
        "aws:sourcevpc" | "aws:sourcevpce" | "aws:vpcsourceip" => {
            "the request did not come through a VPC endpoint"
        }
        "aws:sourceip" => "requests through a VPC endpoint carry no aws:SourceIp",
        "aws:multifactorauthpresent" | "aws:multifactorauthage" => {
            "requests signed with long-term access keys carry no MFA keys"
        }
        "aws:tokenissuetime" => "only temporary credentials carry aws:TokenIssueTime",
        "aws:principalorgid" | "aws:principalorgpaths" => {
            "the caller's account is not in an organization, or the caller is anonymous"
        }
        "aws:username" => "only IAM users have aws:username",
        "aws:sourcearn" | "aws:sourceaccount" => {
            "only service-to-service requests carry aws:SourceArn and aws:SourceAccount"
        }
        k if k.starts_with("aws:principaltag/") => "the principal has no such tag",
        k if k.starts_with("aws:resourcetag/") => "the resource has no such tag",
        k if k.starts_with("aws:requesttag/") => "the request passes no such tag",
        _ => return None,
    })
}

/// ", because …" listing the conditions that made the deciding statement apply.
fn deciding_conditions(layers: &[LayerTrace], d: &StatementRef) -> Option<String> {
    let st = layers
        .iter()
        .filter(|l| l.layer == d.layer && l.level == d.level)
        .flat_map(|l| l.policies.iter())
        .filter(|p| p.policy == d.policy)
        .flat_map(|p| p.statements.iter())
        .find(|s| s.index == d.index)?;
    if st.conditions.is_empty() {
        return None;
    }
    let parts: Vec<String> = st
        .conditions
        .iter()
        .map(|c| {
            let vals = c
                .policy_values
                .iter()
                .map(|v| format!("\"{v}\""))
                .collect::<Vec<_>>()
                .join(", ");
            match &c.request_values {
                None => {
                    let hint = absence_hint(&c.key)
                        .map(|h| format!(" ({h})"))
                        .unwrap_or_default();
                    format!(
                        "{} {} [{vals}] holds: {} is absent from the request{hint}",
                        c.operator, c.key, c.key
                    )
                }
                Some(v) => format!(
                    "{} {} [{vals}] holds for {} = {}",
                    c.operator,
                    c.key,
                    c.key,
                    v.iter()
                        .map(|x| format!("\"{x}\""))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }
        })
        .collect();
    Some(format!(", because {}", parts.join(" and ")))
}

/// U23: when several layers deny, AWS names only one of them; say which others deny.
fn several_denying_layers(o: &Outcome, layers: &[LayerTrace], out: &mut Vec<Warning>) {
    if o.decision != Decision::ExplicitDeny {
        return;
    }
    let mut denying: Vec<&str> = layers
        .iter()
        .filter(|l| l.outcome == LayerOutcome::ExplicitDeny)
        .map(|l| l.layer.as_str())
        .collect();
    denying.dedup();
    if denying.len() > 1 {
        out.push(Warning::new("U23", format!("several layers deny ({}); AWS names only one in its message, and which one is UNCONFIRMED (U23)", denying.join(", "))));
    }
}

fn collect_warnings(layers: &[LayerTrace], out: &mut Vec<Warning>) {
    for l in layers {
        for p in &l.policies {
            for st in &p.statements {
                for n in st
                    .conditions
                    .iter()
                    .filter_map(|c| c.note.as_ref())
                    .chain(st.notes.iter())
                {
                    let w = Warning::new(
                        n.code,
                        format!(
                            "{} {} statement {}: {n}",
                            l.layer.as_str(),
                            p.policy,
                            st.sid
                        ),
                    );
                    if !out.contains(&w) {
                        out.push(w);
                    }
                }
            }
        }
    }
}

const UNLISTED: &str = "verdict-unlisted-value";

/// Context keys tested but absent, and whether supplying one could change the decision.
/// Only statements whose action, resource and principal all match can depend on a key.
fn missing_context(s: &Scenario, layers: &[LayerTrace], decision: Decision) -> Vec<MissingKey> {
    let mut keys: Vec<(String, Vec<String>)> = Vec::new();
    for l in layers
        .iter()
        .filter(|l| l.outcome != LayerOutcome::NotApplicable)
    {
        for p in &l.policies {
            for st in &p.statements {
                if st
                    .misses
                    .iter()
                    .any(|m| !matches!(m, Miss::Condition { .. }))
                {
                    continue;
                }
                for c in &st.conditions {
                    if c.request_values.is_some() {
                        continue;
                    }
                    match keys
                        .iter_mut()
                        .find(|(k, _)| k.eq_ignore_ascii_case(&c.key))
                    {
                        Some((_, vals)) => vals.extend(c.policy_values.iter().cloned()),
                        None => keys.push((c.key.clone(), c.policy_values.clone())),
                    }
                }
            }
        }
    }
    // One copy of the request for every key: each key is set, tried, and removed again.
    let mut req = s.request.clone();
    keys.into_iter()
        .map(|(key, vals)| {
            let mut candidates: Vec<String> = Vec::new();
            for v in vals {
                let v = v.replace(['*', '?'], "x");
                if let Some(net) = verdict_policy::parse::parse_ip(&v) {
                    candidates.push(net.addr().to_string());
                } else {
                    candidates.push(v);
                }
            }
            candidates.push(UNLISTED.into());
            candidates.dedup();
            let mut flipping = None;
            for c in &candidates {
                for multi in [false, true] {
                    let val = if multi {
                        CtxValue::Multi(vec![c.clone()])
                    } else {
                        CtxValue::Single(c.clone())
                    };
                    req.context.set(&key, val);
                    let a = Assumptions::new(Readings::DEFAULT);
                    if decide_request(s, &req, &a).decision != decision {
                        flipping = Some(c.clone());
                        break;
                    }
                }
                if flipping.is_some() {
                    break;
                }
            }
            req.context.remove(&key);
            // The placeholder stands for "any value the policies do not list".
            let flipping_value = flipping.map(|v| {
                if v == UNLISTED {
                    "(any value the policies do not list)".to_string()
                } else {
                    v
                }
            });
            MissingKey {
                key,
                could_change_decision: flipping_value.is_some(),
                flipping_value,
            }
        })
        .collect()
}
