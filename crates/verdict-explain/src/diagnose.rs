//! Evaluate the built scenario, compare it with what AWS reported, and assemble the
//! explanation: deciding statement, near misses, every other blocker, what the answer
//! hinges on, and the verified fixes.

use crate::build::Built;
use crate::fixes::{plan, Blocker, Fix, Plan};
use crate::message::{DenyKind, ParsedMessage, ReportedLayer, Variant};
use crate::origin::{document_of, policies_at, Slot};
use serde::Serialize;
use serde_json::Value;
use verdict_eval::render::describe_miss;
use verdict_eval::trace::{ConditionTrace, StatementTrace};
use verdict_eval::{evaluate, Caller, Decision, Evaluation, Layer, LayerOutcome, Miss, Scenario};

/// How Verdict's result compares with AWS's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AgreementStatus {
    /// Same decision, layer (and policy, when named).
    Agrees,
    /// AWS named a cause Verdict also finds, but not the one Verdict reports first, or another policy.
    Partly,
    /// Verdict's result contradicts AWS's.
    Disagrees,
    /// There was no message to compare with.
    NothingToCompare,
    /// AWS named a layer whose policies Verdict was not given: AWS's word stands.
    AwsReported,
    /// AWS gave no reason, and Verdict was not given the policies that could tell.
    NoReason,
}

/// The comparison with AWS's message.
#[derive(Clone, Debug, Serialize)]
pub struct Agreement {
    /// Status.
    pub status: AgreementStatus,
    /// What matched or differed.
    pub points: Vec<String>,
    /// Inputs that would settle a disagreement.
    pub settle_with: Vec<String>,
}

/// The statement that decided.
#[derive(Clone, Debug, Serialize)]
pub struct Deciding {
    /// Layer.
    pub layer: Layer,
    /// Organization level, in words.
    pub level: Option<String>,
    /// Policy label.
    pub policy: String,
    /// Policy ARN.
    pub policy_arn: Option<String>,
    /// Where the policy lives, in words.
    pub location: Option<String>,
    /// Sid or `#N`.
    pub statement: String,
    /// File.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// The statement's JSON.
    pub text: Option<Value>,
    /// Why it applied: each condition that held.
    pub held: Vec<String>,
}

/// A statement that names the action but did not apply.
#[derive(Clone, Debug, Serialize)]
pub struct NearMiss {
    /// Layer.
    pub layer: Layer,
    /// Policy label.
    pub policy: String,
    /// Policy ARN.
    pub policy_arn: Option<String>,
    /// Sid or `#N`.
    pub statement: String,
    /// File.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// Each element that failed.
    pub failing: Vec<String>,
    /// What the failure usually means.
    pub hint: Option<String>,
}

/// A fact the answer depends on that the logs do not carry.
#[derive(Clone, Debug, Serialize)]
pub struct Hinge {
    /// Context key or input.
    pub topic: String,
    /// Why it matters.
    pub why: String,
}

/// A context value as evaluated, and where it came from.
#[derive(Clone, Debug, Serialize)]
pub struct ContextView {
    /// Key.
    pub key: String,
    /// Value.
    pub value: Value,
    /// Source.
    pub from: String,
}

/// The request as evaluated.
#[derive(Clone, Debug, Serialize)]
pub struct RequestView {
    /// Caller.
    pub principal: String,
    /// The caller as found in the snapshot.
    pub principal_found: Option<String>,
    /// Action.
    pub action: String,
    /// Why the action differs from the event name.
    pub action_note: Option<String>,
    /// Other actions the operation needs.
    pub other_actions: Vec<String>,
    /// Resource.
    pub resource: String,
    /// Resource account.
    pub resource_account: Option<String>,
    /// Same account?
    pub same_account: bool,
    /// Context.
    pub context: Vec<ContextView>,
}

/// A full explanation of one denial.
#[derive(Clone, Serialize)]
pub struct Explanation {
    /// Which case (for several records of one file).
    pub case: Option<String>,
    /// The one-line answer.
    pub answer: String,
    /// Why, in one sentence (the engine's reason, in the caller's terms).
    pub reason: String,
    /// Verdict's decision.
    pub decision: Decision,
    /// Verdict's deciding layer.
    pub denied_by: Option<Layer>,
    /// The message Verdict expects AWS to print.
    pub expected_message: String,
    /// What AWS reported.
    pub reported: Option<ParsedMessage>,
    /// Verdict versus AWS.
    pub agreement: Agreement,
    /// The request.
    pub request: RequestView,
    /// The deciding statement (explicit deny or the allow).
    pub deciding: Option<Deciding>,
    /// For an implicit deny: the policies of the deciding layer, none of which allows.
    pub considered: Vec<String>,
    /// Statements that nearly allowed the request.
    pub near_misses: Vec<NearMiss>,
    /// Every cause that blocks the request, first the one AWS reports.
    pub blockers: Vec<Blocker>,
    /// Verified fixes.
    pub fixes: Vec<Fix>,
    /// True when the fixes together allow the request.
    pub fixes_complete: bool,
    /// Changes to the layer AWS named that Verdict could not verify (it has not seen
    /// that layer's policies), with the input that would let it.
    pub suggestions: Vec<crate::known::Suggestion>,
    /// With no reason from AWS: the layers worth checking, in order, and what to give.
    pub check_in_order: Vec<String>,
    /// What the answer hinges on that the logs do not carry.
    pub hinges_on: Vec<Hinge>,
    /// The exact command to decode an encoded authorization message.
    pub decode_command: Option<String>,
    /// The inputs used.
    pub sources: Vec<String>,
    /// Remarks.
    pub notes: Vec<String>,
    /// Engine warnings.
    pub warnings: Vec<verdict_eval::Warning>,
    /// The unconfirmed points the engine's answer rests on (§10.1).
    pub uncertain: Vec<verdict_eval::readings::Uncertainty>,
    /// The full evaluation.
    pub evaluation: Evaluation,
    /// The scenario and where its policies came from.
    #[serde(skip)]
    pub built: Built,
    /// The blockers and fixes, for re-checking.
    #[serde(skip)]
    pub plan: Plan,
}

fn values(v: &[String]) -> String {
    v.iter()
        .map(|x| format!("\"{x}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

fn held(c: &ConditionTrace) -> String {
    let got = match c.request_values.as_deref() {
        None if c.key.eq_ignore_ascii_case("aws:MultiFactorAuthPresent") => format!(
            "{} is absent (long-term access keys carry no MFA information)",
            c.key
        ),
        None => format!("{} is absent", c.key),
        Some([only]) => format!("{} is \"{only}\"", c.key),
        Some(v) => format!("{} is [{}]", c.key, values(v)),
    };
    format!(
        "{got}, so {} {} [{}] holds",
        c.operator,
        c.key,
        values(&c.policy_values)
    )
}

/// What a failed element usually means, in plain words.
fn miss_hint(m: &Miss, s: &Scenario) -> Option<String> {
    match m {
        Miss::Resource { negated: false, patterns, requested, .. } if requested.starts_with("arn:aws:s3:::") => {
            let rest = requested.strip_prefix("arn:aws:s3:::").unwrap_or_default();
            let bucket = rest.split('/').next().unwrap_or(rest);
            let bucket_arn = format!("arn:aws:s3:::{bucket}");
            let is_object = rest.contains('/');
            if is_object && patterns.contains(&bucket_arn) && !patterns.iter().any(|p| p.starts_with(&format!("{bucket_arn}/"))) {
                Some(format!("the statement names the bucket ARN {bucket_arn}, but {} acts on objects: it needs {bucket_arn}/* (or the object's key)", s.request.action))
            } else if !is_object && patterns.iter().any(|p| p.starts_with(&format!("{bucket_arn}/"))) && !patterns.contains(&bucket_arn) {
                Some(format!("the statement names objects ({bucket_arn}/…), but {} acts on the bucket itself: it needs {bucket_arn}", s.request.action))
            } else {
                None
            }
        }
        Miss::Resource { negated: false, patterns, requested, .. } if requested.contains(":execute-api:") => {
            (!patterns.iter().any(|p| p.ends_with("/*"))).then(|| "execute-api ARNs are API-ID/STAGE/METHOD/PATH; a pattern must cover the stage, the method and the path".to_string())
        }
        Miss::Condition { key, request_values: None, .. } => {
            let k = key.to_ascii_lowercase();
            Some(match k.as_str() {
                "aws:sourcevpc" | "aws:sourcevpce" => format!("{key} exists only when the call comes through a VPC endpoint; this call came over the public endpoint, so the key is absent and the condition fails"),
                "aws:multifactorauthpresent" => "long-term access keys carry no MFA information, so aws:MultiFactorAuthPresent is absent".to_string(),
                "aws:sourceip" => "aws:SourceIp is absent when the call comes through a VPC endpoint or is made by an AWS service".to_string(),
                "aws:principalorgid" | "aws:principalorgpaths" => format!("{key} is absent: the caller is outside an organization, or --org was not given"),
                // `k` is `key` lower-cased, so the prefix has the same length in both.
                _ if k.starts_with("aws:principaltag/") => format!("the caller has no tag {}", key.get("aws:PrincipalTag/".len()..).unwrap_or_default()),
                _ if k.starts_with("aws:resourcetag/") => format!("the resource has no tag {} (or its tags were not given: use --context)", key.get("aws:ResourceTag/".len()..).unwrap_or_default()),
                _ => return None,
            })
        }
        Miss::Principal { .. } if matches!(s.request.caller, Caller::Anonymous) && s.apigateway.is_some() => {
            Some("without AWS_IAM authorization API Gateway sees no IAM principal, so principal-based statements never match".to_string())
        }
        _ => None,
    }
}

fn statement_json(
    s: &Scenario,
    layer: Layer,
    level: Option<usize>,
    policy: &str,
    index: usize,
) -> Option<Value> {
    let np = policies_at(s, layer, level)
        .into_iter()
        .find(|p| p.label == policy)?;
    let doc = document_of(np)?;
    match doc.get("Statement")? {
        Value::Array(a) => a.get(index).cloned(),
        o @ Value::Object(_) if index == 0 => Some(o.clone()),
        _ => None,
    }
}

fn slot_for(s: &Scenario, layer: Layer, level: Option<usize>, policy: &str) -> Option<Slot> {
    let index = policies_at(s, layer, level)
        .iter()
        .position(|p| p.label == policy)?;
    Some(Slot {
        layer,
        level,
        index,
    })
}

fn level_name(b: &Built, layer: Layer, level: Option<usize>) -> Option<String> {
    let l = level?;
    match layer {
        Layer::Scp => b
            .scp_levels
            .get(l)
            .cloned()
            .or_else(|| Some(format!("level {l}"))),
        Layer::Rcp => b
            .rcp_levels
            .get(l)
            .cloned()
            .or_else(|| Some(format!("level {l}"))),
        _ => None,
    }
}

fn deciding(b: &Built, e: &Evaluation) -> Option<Deciding> {
    let d = e.deciding_statement.as_ref()?;
    let s = &b.scenario;
    let trace = e
        .layers
        .iter()
        .filter(|l| l.layer == d.layer && l.level == d.level)
        .flat_map(|l| l.policies.iter())
        .find(|p| p.policy == d.policy)
        .and_then(|p| p.statements.iter().find(|st| st.index == d.index));
    let location = slot_for(s, d.layer, d.level, &d.policy)
        .and_then(|slot| Some(b.origin(slot)?.describe(crate::origin::policy_at(s, slot)?)));
    Some(Deciding {
        layer: d.layer,
        level: level_name(b, d.layer, d.level),
        policy: d.policy.clone(),
        policy_arn: d.policy_arn.clone(),
        location,
        statement: d.statement.clone(),
        file: d.file.clone(),
        line: d.position.line,
        column: d.position.column,
        text: statement_json(s, d.layer, d.level, &d.policy, d.index),
        held: trace
            .map(|t| t.conditions.iter().filter(|c| c.holds).map(held).collect())
            .unwrap_or_default(),
    })
}

fn near_misses(b: &Built, e: &Evaluation) -> Vec<NearMiss> {
    let s = &b.scenario;
    let mut out: Vec<(bool, usize, NearMiss)> = Vec::new();
    for l in e
        .layers
        .iter()
        .filter(|l| l.outcome != LayerOutcome::NotApplicable)
    {
        for p in &l.policies {
            for st in &p.statements {
                let st: &StatementTrace = st;
                let action_ok = !st.misses.iter().any(|m| matches!(m, Miss::Action { .. }));
                if st.effect != "Allow" || st.applies || !action_ok || st.misses.is_empty() {
                    continue;
                }
                let hint = st.misses.iter().find_map(|m| miss_hint(m, s));
                out.push((
                    Some(l.layer) != e.denied_by,
                    st.misses.len(),
                    NearMiss {
                        layer: l.layer,
                        policy: p.policy.clone(),
                        policy_arn: p.arn.clone(),
                        statement: st.sid.clone(),
                        file: p.file.clone(),
                        line: st.position.line,
                        column: st.position.column,
                        failing: st.misses.iter().map(describe_miss).collect(),
                        hint,
                    },
                ));
            }
        }
    }
    out.sort_by_key(|(other, n, _)| (*other, *n));
    out.into_iter().map(|(_, _, n)| n).take(6).collect()
}

fn kind_matches(kind: DenyKind, d: Decision) -> bool {
    match kind {
        DenyKind::Explicit => d == Decision::ExplicitDeny,
        DenyKind::Implicit => d == Decision::ImplicitDeny,
        DenyKind::ExplicitOrImplicit | DenyKind::Unspecified => d != Decision::Allow,
    }
}

fn layer_matches(m: &ParsedMessage, layer: Layer) -> bool {
    match m.layer {
        Some(l) => l.layer() == layer || (m.transitive_scp && layer == Layer::Scp),
        None => true,
    }
}

/// The input that would give Verdict the policies of `layer`, when it has none.
fn missing_input(b: &Built, layer: ReportedLayer) -> Option<String> {
    let p = &b.scenario.policies;
    let g = &b.given;
    match layer {
        ReportedLayer::Scp if p.scps.is_none() => Some("the message names a service control policy but --org was not given: give a directory with the outputs of `aws organizations describe-organization`, `list-parents` (for the account and each OU up to the root), `list-policies-for-target --filter SERVICE_CONTROL_POLICY` (for each level) and `describe-policy` (for each SCP)".into()),
        ReportedLayer::Rcp if p.rcps.is_none() => Some("the message names a resource control policy but no RCPs were given: add `list-policies-for-target --filter RESOURCE_CONTROL_POLICY` and `describe-policy` outputs for the resource's account to --org".into()),
        ReportedLayer::Identity if p.identity.is_empty() && !g.auth_details => Some("the message names an identity-based policy but no identity policies were given: add --auth-details (`aws iam get-account-authorization-details`)".into()),
        ReportedLayer::PermissionsBoundary if p.permissions_boundary.is_none() => Some(if g.auth_details {
            "the message names a permissions boundary but the snapshot gives the principal none: the snapshot is stale, or the boundary was attached since".into()
        } else {
            "the message names a permissions boundary: add --auth-details, which holds the principal's PermissionsBoundary".into()
        }),
        ReportedLayer::Session if p.session.is_empty() => Some("the message names a session policy, which the logs do not carry: give the policy passed to AssumeRole/GetFederationToken with --session-policy (the earlier AssumeRole or GetFederationToken record shows it in requestParameters.policy)".into()),
        ReportedLayer::VpcEndpoint if p.vpc_endpoint.is_none() => Some(format!(
            "the message names a VPC endpoint policy: give it with --vpc-endpoint-policy (`aws ec2 describe-vpc-endpoints --vpc-endpoint-ids {}`)",
            b.event.as_ref().and_then(|e| e.vpc_endpoint_id.clone()).unwrap_or_else(|| "vpce-…".into())
        )),
        ReportedLayer::Resource if p.resource.is_none() => Some("the message names a resource-based policy but none was given: add --resource-policy (e.g. `aws s3api get-bucket-policy`, `aws kms get-key-policy`, `aws lambda get-policy`)".into()),
        ReportedLayer::RoleTrust if p.resource.is_none() => Some("the message names the role trust policy: add --auth-details for the role's account (or --resource-policy with the trust policy)".into()),
        _ => None,
    }
}

/// "The snapshot holds no SCP that denies ACTION on RESOURCE".
fn no_deny_in_snapshot(b: &Built, l: ReportedLayer) -> String {
    let r = &b.scenario.request;
    let on = if r.resource.as_str() == "*" {
        String::new()
    } else {
        format!(" on {}", r.resource.as_str())
    };
    format!(
        "the snapshot holds no {} that denies {}{on}: it is stale (the deny was added after it was taken) or incomplete, or AWS saw a different request context",
        l.phrase(),
        r.action
    )
}

/// For an explicit deny AWS reports in `layer` but Verdict does not find: Deny statements there that almost applied.
fn almost_denied(e: &Evaluation, layer: Layer) -> Vec<String> {
    let mut out = Vec::new();
    for l in e.layers.iter().filter(|l| l.layer == layer) {
        for p in &l.policies {
            for st in p
                .statements
                .iter()
                .filter(|st| st.effect == "Deny" && !st.applies)
            {
                if st.misses.iter().any(|m| matches!(m, Miss::Action { .. })) {
                    continue;
                }
                let why: Vec<String> = st.misses.iter().map(describe_miss).collect();
                out.push(format!("statement {} of {} would deny, but {}: if AWS saw a different request context, this may be the statement", st.sid, p.policy, why.join("; ")));
            }
        }
    }
    out
}

fn agreement(b: &Built, e: &Evaluation, p: &Plan) -> Agreement {
    let Some(m) = &b.reported else {
        let mut points = vec!["no AccessDenied message was given or found in the record: compare the expected message below with what AWS printed".to_string()];
        if let Some(d) = &b.decoded {
            let aws = if d.allowed {
                Decision::Allow
            } else if d.explicit_deny {
                Decision::ExplicitDeny
            } else {
                Decision::ImplicitDeny
            };
            if aws == e.decision {
                points = vec![format!(
                    "the decoded authorization message says {} too",
                    aws.as_str().replace('_', " ")
                )];
                return Agreement {
                    status: AgreementStatus::Agrees,
                    points,
                    settle_with: Vec::new(),
                };
            }
            points = vec![format!(
                "the decoded authorization message says {}, Verdict finds {}",
                aws.as_str().replace('_', " "),
                e.decision.as_str().replace('_', " ")
            )];
            return Agreement { status: AgreementStatus::Disagrees, points, settle_with: vec!["the snapshot is stale or incomplete: re-take --auth-details (and --org) and compare".into()] };
        }
        return Agreement {
            status: AgreementStatus::NothingToCompare,
            points,
            settle_with: Vec::new(),
        };
    };
    let mut points = Vec::new();
    let mut settle = Vec::new();
    let action = &b.scenario.request.action;
    if m.variant == Variant::Ec2 && m.layer.is_none() {
        points.push("EC2 printed no reason, only the encoded authorization message".into());
    }
    if let Some(reported) = &m.principal {
        if !reported.eq_ignore_ascii_case(&e.request.principal) {
            points.push(format!(
                "the message names the caller {reported}; Verdict evaluated {}",
                e.request.principal
            ));
        }
    }
    if let Some(a) = &m.action {
        if !a.eq_ignore_ascii_case(&e.request.action) {
            points.push(format!(
                "the message names the action {a}; Verdict evaluated {}",
                e.request.action
            ));
        }
    }
    let known_arn = |arn: &str| {
        let p = &b.scenario.policies;
        let levels = p.scps.iter().chain(p.rcps.iter()).flatten().flatten();
        p.identity
            .iter()
            .chain(p.resource.iter())
            .chain(p.permissions_boundary.iter())
            .chain(p.session.iter())
            .chain(levels)
            .any(|x| x.arn.as_deref() == Some(arn))
    };
    if let Some(arn) = m.policy_arn.as_deref().filter(|a| !known_arn(a)) {
        settle.push(format!("the message names policy {arn}, which is not in the inputs given: it was attached or created after the snapshot was taken, or the snapshot is incomplete"));
    }
    if e.decision == Decision::Allow {
        points.push(format!(
            "AWS reported {}, but with the inputs given Verdict allows the request",
            m.summary()
        ));
        if let Some(l) = m.layer {
            if let Some(s) = missing_input(b, l) {
                settle.push(s);
            } else if matches!(m.kind, DenyKind::Explicit | DenyKind::ExplicitOrImplicit) {
                let almost = almost_denied(e, l.layer());
                settle.push(no_deny_in_snapshot(b, l));
                settle.extend(almost);
            } else {
                settle.push(format!(
                    "the {} given allow {action}: the snapshot is stale (policies changed since the call) or incomplete, or the request context differs from what the record shows",
                    l.layer().title()
                ));
            }
        } else {
            settle.push("the snapshot is stale or incomplete, or the request context differs: re-take --auth-details/--org, and give the resource and session policies if any".into());
        }
        return Agreement {
            status: AgreementStatus::Disagrees,
            points,
            settle_with: settle,
        };
    }
    if m.kind == DenyKind::Unspecified {
        points.push(format!(
            "AWS's message gives no reason; Verdict finds the cause: {}",
            short_reason(b, e)
        ));
        if m.variant == Variant::BareAccessDenied && b.scenario.request.service_lc == "s3" {
            points.push("S3 answers a bare \"Access Denied\" to callers outside the bucket owner's account or organization; it may also deny for Block Public Access, ACLs or Object Ownership settings, which Verdict does not model".into());
        }
        return Agreement {
            status: AgreementStatus::Agrees,
            points,
            settle_with: settle,
        };
    }
    let first_layer = e.denied_by.unwrap_or(Layer::Identity);
    let same = layer_matches(m, first_layer) && kind_matches(m.kind, e.decision);
    if same {
        let mut status = AgreementStatus::Agrees;
        points.push(format!(
            "AWS reported {}; Verdict finds the same",
            m.summary()
        ));
        if m.kind == DenyKind::ExplicitOrImplicit && m.layer == Some(ReportedLayer::Scp) {
            points.push(format!(
                "the SCP wording does not tell explicit from implicit; Verdict finds an {}",
                e.decision.as_str().replace('_', " ")
            ));
        }
        if let (Some(arn), Some(d)) = (&m.policy_arn, &e.deciding_statement) {
            if d.policy_arn.as_deref() == Some(arn.as_str()) {
                points.push(format!(
                    "the policy ARN in the message is the policy of the deciding statement ({})",
                    d.policy
                ));
            } else {
                status = AgreementStatus::Partly;
                points.push(format!(
                    "but AWS names policy {arn}, while Verdict's deciding statement is in {} ({}): another policy of the same type also denies, or the snapshot is stale",
                    d.policy,
                    d.policy_arn.as_deref().unwrap_or("no ARN")
                ));
                settle.push(format!(
                    "check that the snapshot holds {arn} and its current content"
                ));
            }
        }
        let norm = crate::message::normalize_whitespace;
        let tail = |x: &str| norm(x).trim_end_matches('.').to_string();
        if !e.message.is_empty()
            && (tail(&m.normalized).ends_with(&tail(&e.message))
                || tail(&e.message) == tail(&m.normalized))
        {
            points.push("Verdict's expected message matches AWS's word for word".into());
        }
        return Agreement {
            status,
            points,
            settle_with: settle,
        };
    }
    // A cause Verdict also finds, further down?
    if let Some(bk) = p.blockers.iter().find(|bk| {
        layer_matches(m, bk.layer) && kind_matches(m.kind, bk.decision) && m.layer.is_some()
    }) {
        points.push(format!(
            "AWS reported {}; Verdict finds that too (cause {} below), but reports {} first. When several policy types deny, AWS names only one (iam-semantics §6.11), so both are real: fix all of them",
            m.summary(),
            bk.step,
            e.denied_by.map(|l| l.title()).unwrap_or("another layer")
        ));
        return Agreement {
            status: AgreementStatus::Partly,
            points,
            settle_with: settle,
        };
    }
    points.push(format!(
        "AWS reported {}; with the inputs given Verdict finds {}",
        m.summary(),
        short_reason(b, e)
    ));
    if let Some(l) = m.layer {
        if let Some(s) = missing_input(b, l) {
            settle.push(s);
        } else if m.kind == DenyKind::Explicit || m.kind == DenyKind::ExplicitOrImplicit {
            let almost = almost_denied(e, l.layer());
            if almost.is_empty() {
                settle.push(no_deny_in_snapshot(b, l));
            } else {
                settle.extend(almost);
            }
        } else {
            settle.push(format!(
                "the {} given allow {action}, but AWS found none that does: the snapshot is stale, or AWS saw a different request context",
                l.layer().title()
            ));
        }
    }
    Agreement {
        status: AgreementStatus::Disagrees,
        points,
        settle_with: settle,
    }
}

/// Keys AWS knows but CloudTrail does not record.
fn unlogged(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k.starts_with("aws:principaltag/")
        || k.starts_with("aws:resourcetag/")
        || k.starts_with("s3:existingobjecttag/")
        || matches!(
            k.as_str(),
            "aws:principalorgid"
                | "aws:principalorgpaths"
                | "aws:resourceorgid"
                | "aws:resourceorgpaths"
                | "aws:sourcevpc"
                | "aws:vpcsourceip"
                | "aws:multifactorauthage"
                | "aws:sourceaccount"
                | "aws:sourcearn"
                | "aws:sourceorgid"
                | "aws:calledvia"
        )
}

/// Services whose resources can carry a resource-based policy.
pub(crate) const RESOURCE_POLICY_SERVICES: &[&str] = &[
    "s3",
    "kms",
    "sqs",
    "sns",
    "lambda",
    "secretsmanager",
    "execute-api",
    "ecr",
    "glacier",
    "logs",
    "events",
    "es",
    "backup",
    "elasticfilesystem",
    "dynamodb",
    "kinesis",
];

fn hinges(b: &Built, e: &Evaluation, agrees: bool) -> Vec<Hinge> {
    let s = &b.scenario;
    let mut out = Vec::new();
    let tested: Vec<String> = e
        .layers
        .iter()
        .filter(|l| l.outcome != LayerOutcome::NotApplicable)
        .flat_map(|l| l.policies.iter())
        .flat_map(|p| p.statements.iter())
        .flat_map(|st| st.conditions.iter().map(|c| c.key.clone()))
        .collect();
    for k in &e.missing_context {
        let why = match (&k.flipping_value, k.could_change_decision) {
            (Some(v), true) if v.starts_with("(any value") => "the policies test it and the request lacks it; a value other than the ones the policies name would change the decision".to_string(),
            (Some(v), true) => format!("the policies test it and the request lacks it; with the value \"{v}\" the decision would change"),
            _ => "the policies test it and the request lacks it; no value would change the decision".to_string(),
        };
        let logs = if unlogged(&k.key) {
            " CloudTrail never records it: supply it with --context if the real request had it."
        } else {
            ""
        };
        out.push(Hinge {
            topic: k.key.clone(),
            why: format!("{why}.{logs}"),
        });
    }
    // The exact condition on the missing keys under which it would have been allowed
    // (residual evaluation), instead of one guessed value per key.
    let open: Vec<&str> = e
        .missing_context
        .iter()
        .filter(|k| k.could_change_decision)
        .map(|k| k.key.as_str())
        .collect();
    if e.decision != verdict_eval::Decision::Allow && !open.is_empty() && open.len() <= 6 {
        let mut u = s.clone();
        for k in &open {
            u.unknown.push(verdict_eval::scenario::UnknownKey {
                key: (*k).to_string(),
                present: false,
            });
        }
        if let Ok(r) = verdict_eval::residual::residual(&u) {
            if let Some(f) = &r.residual {
                out.push(Hinge {
                    topic: "allowed only if".into(),
                    why: format!(
                        "over every value of {} (including absence), the request is allowed exactly when {}",
                        open.join(", "),
                        f.text
                    ),
                });
            }
        }
    }
    for cs in &b.context_sources {
        if unlogged(&cs.key)
            && tested.iter().any(|t| t.eq_ignore_ascii_case(&cs.key))
            && !cs.from.starts_with("--context")
        {
            out.push(Hinge { topic: cs.key.clone(), why: format!("taken from {}, not from the request: if it changed since the call, so may the answer", cs.from) });
        }
    }
    let caller = &s.request.caller;
    let p = &s.policies;
    let svc = s.request.service_lc.as_str();
    if crate::fixes::GLOBAL_SERVICES.contains(&svc)
        && tested
            .iter()
            .any(|t| t.eq_ignore_ascii_case("aws:RequestedRegion"))
    {
        out.push(Hinge {
            topic: "aws:RequestedRegion".into(),
            why: format!("{svc} is a global service: its calls carry aws:RequestedRegion = us-east-1 whatever region the client is set to, so a region guardrail must exempt it"),
        });
    }
    // Layers that were not given.
    let mut unchecked: Vec<Hinge> = Vec::new();
    if caller.is_iam() && p.scps.is_none() && !b.given.org {
        unchecked.push(Hinge { topic: "SCPs".into(), why: "not given (--org): Verdict assumed the account is not governed by SCPs; an SCP deny would not show here".into() });
    }
    if matches!(
        caller,
        Caller::User { .. } | Caller::AssumedRole { .. } | Caller::FederatedUser { .. }
    ) && !b.given.auth_details
        && !b.given.scenario
    {
        unchecked.push(Hinge { topic: "identity policies and permissions boundary".into(), why: "not given (--auth-details): Verdict evaluated the caller with no identity policies at all".into() });
    }
    if p.resource.is_none()
        && RESOURCE_POLICY_SERVICES.contains(&svc)
        && s.request.resource.as_str() != "*"
    {
        unchecked.push(Hinge {
            topic: "resource policy".into(),
            why: format!(
                "none given (--resource-policy): Verdict assumed {} has no resource-based policy",
                s.request.resource.as_str()
            ),
        });
    }
    if matches!(caller, Caller::AssumedRole { .. })
        && p.session.is_empty()
        && !b.given.session_policy
    {
        unchecked.push(Hinge { topic: "session policy".into(), why: "a role session may carry a session policy passed to AssumeRole; CloudTrail shows it only in that AssumeRole record (requestParameters.policy). None was given, so none was applied".into() });
    }
    if let Some(v) = b
        .event
        .as_ref()
        .and_then(|e| e.vpc_endpoint_id.clone())
        .filter(|_| p.vpc_endpoint.is_none())
    {
        unchecked.push(Hinge { topic: "VPC endpoint policy".into(), why: format!("the call came through {v}, whose endpoint policy was not given (--vpc-endpoint-policy)") });
    }
    if agrees && !unchecked.is_empty() {
        let names: Vec<String> = unchecked.iter().map(|h| h.topic.clone()).collect();
        out.push(Hinge {
            topic: "not checked".into(),
            why: format!("{} (not given). They cannot change what AWS reported, but any of them could block the request once it is fixed", names.join(", ")),
        });
    } else {
        out.extend(unchecked);
    }
    if svc == "kms" {
        out.push(Hinge { topic: "KMS grants".into(), why: "grants can also allow KMS operations; Verdict does not model them (`aws kms list-grants --key-id …`)".into() });
    }
    if s.request.action.eq_ignore_ascii_case("ec2:RunInstances") {
        out.push(Hinge { topic: "other resources of RunInstances".into(), why: "RunInstances is also checked on the image, subnet, security groups, volumes, network interface and key pair, and iam:PassRole on an instance profile's role; the message names only one".into() });
    }
    out
}

/// The layer's name for one policy of it.
pub fn layer_noun(layer: Layer) -> &'static str {
    match layer {
        Layer::Rcp => "RCP",
        Layer::Scp => "SCP",
        Layer::VpcEndpoint => "VPC endpoint policy",
        Layer::Resource => "resource-based policy",
        Layer::Identity => "identity-based policy",
        Layer::PermissionsBoundary => "permissions boundary",
        Layer::Session => "session policy",
        Layer::Authorizer => "authorizer policy",
    }
}

/// Why Verdict cannot see the policies of `layer`, when it was given none.
fn unseen(b: &Built, layer: Layer) -> Option<String> {
    let s = &b.scenario;
    let g = &b.given;
    match layer {
        Layer::Identity if s.policies.identity.is_empty() && !g.auth_details && !g.scenario => {
            Some("the caller's identity policies were not given (--auth-details)".into())
        }
        Layer::Identity if s.policies.identity.is_empty() && b.principal_found.is_none() && g.auth_details => {
            Some("the caller is not in the authorization details given".into())
        }
        Layer::Resource if s.policies.resource.is_none() && verdict_eval::request::is_trust_request(&s.request) => {
            Some("the role's trust policy was not found (give --auth-details for the role's account)".into())
        }
        Layer::Resource if s.policies.resource.is_none() && !g.resource_policy && !g.scenario => Some(format!(
            "the policy of {}{} was not given (--resource-policy)",
            crate::build::resource_describe(s.request.resource.as_str(), false),
            s.resource_account.as_ref().map(|a| format!(" in account {a}")).unwrap_or_default()
        )),
        Layer::Session if s.policies.session.is_empty() && matches!(s.request.caller, Caller::AssumedRole { .. }) && !g.session_policy => {
            Some("the session policy was not given (--session-policy)".into())
        }
        _ => None,
    }
}

/// The layer AWS named, when Verdict was given none of its policies.
fn reported_unseen(b: &Built) -> Option<String> {
    let l = b.reported.as_ref()?.layer?;
    let p = &b.scenario.policies;
    let flag = match l {
        ReportedLayer::Scp if p.scps.is_none() => "--org",
        ReportedLayer::Rcp if p.rcps.is_none() => "--org",
        ReportedLayer::VpcEndpoint if p.vpc_endpoint.is_none() => "--vpc-endpoint-policy",
        ReportedLayer::Session
            if p.session.is_empty()
                && !matches!(b.scenario.request.caller, Caller::FederatedUser { .. }) =>
        {
            "--session-policy"
        }
        ReportedLayer::PermissionsBoundary
            if p.permissions_boundary.is_none() && !b.given.auth_details =>
        {
            "--auth-details"
        }
        ReportedLayer::Resource if p.resource.is_none() => "--resource-policy",
        _ => return None,
    };
    Some(format!("the {} was not given ({flag})", l.phrase()))
}

fn answer(
    b: &Built,
    e: &Evaluation,
    d: Option<&Deciding>,
    near: &[NearMiss],
    p: &Plan,
    ag: &Agreement,
) -> String {
    let others = p.blockers.len().saturating_sub(1);
    let also = match others {
        0 => String::new(),
        1 => " One more cause blocks it after that one (see below).".to_string(),
        n => format!(" {n} more causes block it after that one (see below)."),
    };
    let main = match (e.decision, d) {
        (Decision::Allow, _) => {
            if ag.status == AgreementStatus::Disagrees {
                "With the inputs given, Verdict ALLOWS this request, yet AWS denied it: the inputs differ from what AWS evaluated (see below).".to_string()
            } else {
                "With the inputs given, Verdict allows this request.".to_string()
            }
        }
        (Decision::ExplicitDeny, Some(d)) => {
            let lvl = d
                .level
                .as_ref()
                .map(|l| format!(", attached at {l}"))
                .unwrap_or_default();
            let why = if d.held.is_empty() {
                String::new()
            } else {
                format!(
                    ": {}",
                    d.held
                        .iter()
                        .map(|h| h.split(", so ").next().unwrap_or(h).to_string())
                        .collect::<Vec<_>>()
                        .join(" and ")
                )
            };
            format!(
                "Explicitly denied by statement {} of the {} {}{lvl}{why}.",
                d.statement,
                layer_noun(d.layer),
                d.policy
            )
        }
        _ if e.denied_by.and_then(|l| unseen(b, l)).is_some() || reported_unseen(b).is_some() => {
            let missing = reported_unseen(b)
                .or_else(|| e.denied_by.and_then(|l| unseen(b, l)))
                .unwrap_or_default();
            let r = &b.scenario.request;
            let what = format!(
                "{} {} on {}",
                r.caller.display(),
                r.action,
                r.resource.as_str()
            );
            match (&b.reported, ag.status) {
                (Some(m), AgreementStatus::Agrees) if m.kind != DenyKind::Unspecified => {
                    format!("AWS reports {} ({what}). Verdict agrees as far as it can see, but cannot name the statement: {missing}.", m.summary())
                }
                (Some(m), _) if m.kind != DenyKind::Unspecified => format!(
                    "AWS reports {} ({what}); {missing}, so Verdict cannot confirm it.",
                    m.summary()
                ),
                _ => format!(
                    "Denied ({what}): {}; {missing}, so that is where to look.",
                    short_reason(b, e)
                ),
            }
        }
        _ => {
            let mut s = format!(
                "Implicitly denied: {}.",
                short_reason(b, e).trim_end_matches('.')
            );
            if let Some(n) = near.first().filter(|n| Some(n.layer) == e.denied_by) {
                let what = match n.failing.as_slice() {
                    [one] => n.hint.clone().unwrap_or_else(|| one.clone()),
                    [first, rest @ ..] => format!(
                        "{first} (and {} more element{} fail{})",
                        rest.len(),
                        if rest.len() == 1 { "" } else { "s" },
                        if rest.len() == 1 { "s" } else { "" }
                    ),
                    [] => String::new(),
                };
                s.push_str(&format!(
                    " Closest: statement {} of {} — {what}.",
                    n.statement, n.policy
                ));
            }
            s
        }
    };
    let note = b
        .action_note
        .as_ref()
        .map(|n| format!(" Note: {n}."))
        .unwrap_or_default();
    format!("{main}{note}{also}")
}

/// The engine's reason, reworded where the caller has no identity at all.
fn short_reason(b: &Built, e: &Evaluation) -> String {
    let s = &b.scenario;
    match (&s.request.caller, e.denied_by) {
        (Caller::Service(svc), Some(Layer::Resource)) => format!("{svc} is an AWS service principal, so only the resource's own policy can allow it, and none does"),
        (Caller::Anonymous, Some(Layer::Resource)) => "an anonymous caller can be allowed only by a resource-based policy whose Principal is \"*\", and none does".into(),
        (_, Some(Layer::Identity)) if e.decision == Decision::ImplicitDeny => {
            let who = b.principal_found.clone().unwrap_or_else(|| s.request.caller.display());
            format!("no identity-based policy of {who} allows {} on {}", s.request.action, s.request.resource.as_str())
        }
        (_, Some(Layer::PermissionsBoundary)) if e.decision == Decision::ImplicitDeny => {
            let name = s.policies.permissions_boundary.as_ref().map(|p| format!(" {}", p.name.as_deref().unwrap_or(&p.label))).unwrap_or_default();
            format!("the permissions boundary{name} does not allow {}, and no grant bypasses it", s.request.action)
        }
        (_, Some(Layer::Session)) if e.decision == Decision::ImplicitDeny && !s.policies.session.is_empty() => {
            format!("no session policy allows {} on {}", s.request.action, s.request.resource.as_str())
        }
        _ => e.reason.clone(),
    }
}

/// The policies of the layer that denied implicitly, in words.
fn considered(b: &Built, e: &Evaluation) -> Vec<String> {
    let Some(layer) = e.denied_by.filter(|_| e.decision == Decision::ImplicitDeny) else {
        return Vec::new();
    };
    let level = e
        .layers
        .iter()
        .filter(|l| l.layer == layer)
        .find(|l| l.outcome == LayerOutcome::NoMatch)
        .and_then(|l| l.level);
    policies_at(&b.scenario, layer, level)
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let slot = Slot {
                layer,
                level,
                index: i,
            };
            b.origin(slot)
                .map(|o| o.describe(p))
                .unwrap_or_else(|| p.label.clone())
        })
        .collect()
}

fn request_view(b: &Built, e: &Evaluation) -> RequestView {
    let ctx = e
        .request
        .context
        .iter()
        .map(|(k, v)| {
            let from = b
                .context_sources
                .iter()
                .rev()
                .find(|c| c.key.eq_ignore_ascii_case(k))
                .map(|c| c.from.clone())
                .unwrap_or_else(|| {
                    if e.request.derived_keys.contains(k) {
                        "derived from the principal".into()
                    } else {
                        "scenario".into()
                    }
                });
            ContextView {
                key: k.clone(),
                value: v.clone(),
                from,
            }
        })
        .collect();
    RequestView {
        principal: e.request.principal.clone(),
        principal_found: b.principal_found.clone(),
        action: e.request.action.clone(),
        action_note: b.action_note.clone(),
        other_actions: b.other_actions.clone(),
        resource: e.request.resource.clone(),
        resource_account: e.request.resource_account.clone(),
        same_account: e.request.same_account,
        context: ctx,
    }
}

/// True when the user gave nothing but AWS's message.
fn message_only(b: &Built) -> bool {
    let g = &b.given;
    !(g.scenario
        || g.event
        || g.auth_details
        || g.org
        || g.resource_policy
        || g.session_policy
        || g.vpc_endpoint_policy
        || g.decoded_message
        || g.identity_policies
        || g.permissions_boundary
        || g.scps)
}

/// What the inputs allow Verdict to say, when that is only AWS's own word.
fn known_view(
    b: &Built,
    e: &Evaluation,
) -> Option<(
    Agreement,
    String,
    Vec<crate::known::Suggestion>,
    Vec<String>,
)> {
    let m = b.reported.as_ref()?;
    let r = &b.scenario.request;
    let what = format!(
        "{} {} on {}",
        r.caller.display(),
        r.action,
        r.resource.as_str()
    );
    let only = message_only(b);
    match m.layer {
        Some(l) if only || !crate::known::seen(b, l.layer()) => {
            let trust = verdict_eval::request::is_trust_request(r);
            let input = crate::known::input_for(l.layer(), trust);
            let sugg = crate::known::guidance(b, m);
            let first = sugg.first().map(|s| s.title.clone()).unwrap_or_default();
            let ag = Agreement {
                status: AgreementStatus::AwsReported,
                points: vec![format!("AWS reports {}; Verdict was not given the policies of that layer ({}), so it takes AWS's word for it and checks nothing against it", m.summary(), l.layer().title())],
                settle_with: vec![format!("to find the statement and verify a fix, give {input}")],
            };
            let answer = format!("AWS reports {} ({what}). Verdict has not seen that layer's policies, so this is AWS's answer, not a second opinion: {first}.", m.summary());
            Some((ag, answer, sugg, Vec::new()))
        }
        None if m.kind == DenyKind::Unspecified
            || m.kind == DenyKind::Explicit
            || m.kind == DenyKind::ExplicitOrImplicit =>
        {
            let denied_seen = e.denied_by.is_some_and(|l| crate::known::seen(b, l));
            if !only && denied_seen {
                return None;
            }
            let order = crate::known::candidate_layers(b);
            let why = match m.kind {
                DenyKind::Explicit => {
                    "AWS says an explicit deny applies but not in which policy type".to_string()
                }
                _ => "AWS gave no reason".to_string(),
            };
            let ag = Agreement {
                status: AgreementStatus::NoReason,
                points: vec![format!(
                    "{why}; with the inputs given Verdict cannot tell which layer denied"
                )],
                settle_with: order
                    .iter()
                    .take(3)
                    .map(|o| format!("give the {o}"))
                    .collect(),
            };
            let answer = format!(
                "{why} for {what}. Check the layers in this order: {}.",
                order.join(", ")
            );
            Some((ag, answer, Vec::new(), order))
        }
        _ => None,
    }
}

/// Explain one built scenario.
pub fn diagnose(b: Built, case: Option<String>) -> Explanation {
    let e = evaluate(&b.scenario);
    let full = plan(&b);
    let mut p = crate::known::restrict(&b, &full);
    let action = b.scenario.request.action.clone();
    let mut notes = b.notes.clone();
    let before = p.fixes.len();
    p.fixes.retain(|f| !crate::known::wildcard_fix(f, &action));
    if p.fixes.len() < before {
        notes.push("a fix that would grant \"*\" (every action or every resource) was left out: a wildcard hides the problem and opens a new one".into());
        let ids: Vec<usize> = p.fixes.iter().map(|f| f.id).collect();
        for bk in &mut p.blockers {
            bk.fixes.retain(|id| ids.contains(id));
        }
    }
    let d = deciding(&b, &e);
    let near = if e.decision == Decision::ImplicitDeny || e.decision == Decision::Allow {
        near_misses(&b, &e)
    } else {
        Vec::new()
    };
    // When nothing Verdict was given blocks the request, its own findings are artefacts
    // of the missing inputs: AWS's word is the answer.
    let evidence = p
        .blockers
        .iter()
        .any(|bk| crate::known::seen(&b, bk.layer) && !message_only(&b));
    let view = if evidence { None } else { known_view(&b, &e) };
    if view.is_some() {
        p.blockers.clear();
        p.fixes.clear();
    }
    let (ag, ans, suggestions, order) = match view {
        Some((ag, ans, s, o)) => (ag, Some(ans), s, o),
        None => (agreement(&b, &e, &p), None, Vec::new(), Vec::new()),
    };
    let mut hinges_on = hinges(&b, &e, ag.status == AgreementStatus::Agrees);
    if matches!(
        ag.status,
        AgreementStatus::AwsReported | AgreementStatus::NoReason
    ) {
        // Layers not given are already named above; keep what the request context hinges on.
        hinges_on.retain(|h| h.topic.contains(':'));
    }
    notes.dedup();
    Explanation {
        case,
        answer: ans.unwrap_or_else(|| answer(&b, &e, d.as_ref(), &near, &p, &ag)),
        suggestions,
        check_in_order: order,
        reason: short_reason(&b, &e),
        decision: e.decision,
        denied_by: e.denied_by,
        expected_message: e.message.clone(),
        reported: b.reported.clone(),
        agreement: ag,
        request: request_view(&b, &e),
        deciding: d,
        considered: considered(&b, &e),
        near_misses: near,
        blockers: p.blockers.clone(),
        fixes: p.fixes.clone(),
        fixes_complete: p.complete,
        hinges_on,
        decode_command: b
            .reported
            .as_ref()
            .and_then(ParsedMessage::decode_command)
            .filter(|_| b.decoded.is_none()),
        sources: b.sources.clone(),
        notes,
        warnings: e.warnings.clone(),
        uncertain: e.uncertain.clone(),
        evaluation: e,
        built: b,
        plan: p,
    }
}

/// What can be said from a message that names neither the caller nor the action
/// (a bare `Access Denied`, or EC2's encoded message alone).
#[derive(Clone, Debug, Serialize)]
pub struct Partial {
    /// Which case.
    pub case: Option<String>,
    /// The one-line answer.
    pub answer: String,
    /// What AWS reported.
    pub reported: ParsedMessage,
    /// The exact command to decode an encoded authorization message.
    pub decode_command: Option<String>,
    /// What to do next.
    pub next_steps: Vec<String>,
}

/// Explain a message on its own when it does not name the caller or the action.
pub fn partial(m: ParsedMessage, case: Option<String>) -> Partial {
    let mut next = Vec::new();
    let op = m
        .operation
        .as_ref()
        .map(|o| format!(" (the client called {o})"))
        .unwrap_or_default();
    let action = m.action.clone().or_else(|| {
        m.inferred_action
            .as_ref()
            .map(|a| format!("{a} (inferred)"))
    });
    let resource = m.resource().map(str::to_string).or_else(|| {
        m.inferred_resource
            .as_ref()
            .map(|r| format!("{r} (inferred)"))
    });
    let what = [
        m.principal.as_ref().map(|p| format!("caller {p}")),
        action.map(|a| format!("action {a}")),
        resource.map(|r| format!("resource {r}")),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ");
    let what = if what.is_empty() {
        String::new()
    } else {
        format!(" ({what})")
    };
    let answer = match (m.variant, m.kind, m.layer) {
        (_, k, Some(l)) if k != DenyKind::Unspecified => {
            next.push(format!("the deny is in the {}: give {} to find the statement", l.phrase(), crate::known::input_for(l.layer(), l == ReportedLayer::RoleTrust)));
            format!("AWS reports {}{what}.", m.summary())
        }
        (Variant::Ec2, _, _) if m.encoded_message.is_some() => format!("EC2 denied the call{op}{what} and printed only an encoded authorization message: the reason is inside it, and only AWS can decode it."),
        (Variant::Ec2, _, _) => format!("EC2 denied the call{op}{what} without a reason."),
        (Variant::ApiGateway, DenyKind::Explicit, _) => format!("API Gateway denied the call with an explicit deny{what}: the API's resource policy (or a Lambda authorizer's policy) denies it."),
        (Variant::ApiGateway, _, _) => format!("API Gateway denied the call{what}: no policy allows it (the API's resource policy, the caller's IAM policy for AWS_IAM methods, or the authorizer's policy)."),
        (Variant::SqsLegacy, _, _) => format!("SQS denied access to the queue{op}{what} in its older wording, which names neither the caller nor the reason."),
        (Variant::ServiceSpecific, _, _) => format!("the service refused the call{op}{what} in its own words; this is not an IAM policy decision Verdict can evaluate."),
        _ if m.principal.is_some() || m.action.is_some() => format!("AWS denied the call{op}{what} without saying why."),
        _ => format!("AWS denied the call{op}{what} without saying who, what or why (a bare \"Access Denied\"), so the message alone cannot be explained."),
    };
    if m.masked_principal {
        next.push(format!("the caller is printed as {} (masked, or not an IAM/STS ARN with a 12-digit account): give the real ARN in a scenario file, or the CloudTrail record with --event, to evaluate the request", m.principal.as_deref().unwrap_or("?")));
    }
    if m.variant == Variant::BareAccessDenied {
        next.push("S3 answers a bare \"Access Denied\" to callers outside the bucket owner's account or organization and to anonymous callers; it also does for Block Public Access, ACL and Object Ownership denials, which no policy evaluation shows".into());
        next.push("find the CloudTrail record of the call (for S3 objects, data events must be logged) and run `verdict explain --event RECORD.json`; add the bucket owner's bucket policy with --resource-policy".into());
    }
    if let Some(c) = m.decode_command() {
        next.push(format!("decode it: {c}"));
        next.push("then run `verdict explain --decoded-message decoded.json` (add --auth-details to name the statement)".into());
    }
    next.push(
        "or describe the request in a scenario file and run `verdict explain SCENARIO --message …`"
            .into(),
    );
    Partial {
        case,
        answer,
        decode_command: m.decode_command(),
        reported: m,
        next_steps: next,
    }
}
