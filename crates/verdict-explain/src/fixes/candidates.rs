//! Candidate changes for each blocker: for an explicit Deny (exceptions, removal) and
//! for an implicit one (grants in the layer that needs one, request changes).

use super::*;
use crate::origin::{document_of, policies_at, policy_at, PolicyKind, PolicyOrigin, Slot};
use crate::patch;
use serde_json::{json, Value};
use verdict_eval::trace::{ConditionTrace, LayerTrace, StatementTrace};
use verdict_eval::{Caller, Decision, Evaluation, Layer, Miss, Scenario, StatementRef};
use verdict_policy::condition::Operator;

/// Keys the caller can change by how it calls (credentials, network path, region, headers).
pub(super) const REQUEST_KEYS: &[&str] = &[
    "aws:multifactorauthpresent",
    "aws:sourcevpce",
    "aws:sourcevpc",
    "aws:sourceip",
    "aws:requestedregion",
    "aws:securetransport",
    "s3:x-amz-server-side-encryption",
    "s3:x-amz-acl",
    "s3:tlsversion",
    "sts:externalid",
    "sts:sourceidentity",
];

pub(super) fn controllable(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    REQUEST_KEYS.contains(&k.as_str())
        || k.starts_with("aws:resourcetag/")
        || k.starts_with("aws:principaltag/")
        || k.starts_with("aws:requesttag/")
}

pub(super) fn request_change_title(key: &str, value: &str) -> String {
    let k = key.to_ascii_lowercase();
    match k.as_str() {
        "aws:multifactorauthpresent" if value == "true" => "Call with MFA-authenticated credentials (aws:MultiFactorAuthPresent = true), e.g. a session from sts get-session-token --serial-number … --token-code …".into(),
        "aws:sourcevpce" => format!("Send the request through the VPC endpoint {value}"),
        "aws:sourcevpc" => format!("Send the request from VPC {value} through a VPC endpoint (a call over the public endpoint carries no aws:SourceVpc)"),
        "aws:sourceip" => format!("Call from an address such as {value}"),
        "aws:requestedregion" => format!("Call the {value} endpoint (aws:RequestedRegion = {value})"),
        "aws:securetransport" => "Call over HTTPS".into(),
        // `k` is `key` lower-cased, so the prefix has the same length in both.
        _ if k.starts_with("aws:resourcetag/") => format!("Tag the resource with {} = {value}", key.get("aws:ResourceTag/".len()..).unwrap_or_default()),
        _ if k.starts_with("aws:principaltag/") => format!("Tag the caller with {} = {value}", key.get("aws:PrincipalTag/".len()..).unwrap_or_default()),
        _ if k.starts_with("aws:requesttag/") => format!("Pass the tag {} = {value} in the request", key.get("aws:RequestTag/".len()..).unwrap_or_default()),
        _ => format!("Make the request with {key} = {value}"),
    }
}

pub(super) fn is_negated_op(op: &Operator) -> bool {
    op.base.is_negated()
}

pub(super) fn is_positive_string_op(op: &str) -> bool {
    let base = op
        .rsplit(':')
        .next()
        .unwrap_or(op)
        .trim_end_matches("IfExists");
    matches!(
        base,
        "StringEquals" | "StringLike" | "StringEqualsIgnoreCase" | "ArnEquals" | "ArnLike"
    )
}

/// A value for `key` that would make a condition of `op` with `policy_values` fail
/// (`want` = false) or hold (`want` = true).
pub(super) fn value_for(op: &Operator, policy_values: &[String], want: bool) -> Option<String> {
    use verdict_policy::condition::BaseOp::*;
    let concrete = policy_values.iter().find(|v| !v.contains(['*', '?', '$']));
    match op.base {
        Bool => {
            let p = policy_values.first()?.to_ascii_lowercase();
            let flip = if p == "true" { "false" } else { "true" };
            Some(if want { p } else { flip.to_string() })
        }
        StringNotEquals | StringNotLike | ArnNotLike | ArnNotEquals | StringNotEqualsIgnoreCase
            if !want =>
        {
            concrete.cloned()
        }
        StringEquals | StringLike | ArnLike | ArnEquals | StringEqualsIgnoreCase if want => {
            concrete.cloned()
        }
        NotIpAddress if !want => policy_values
            .first()
            .and_then(|v| verdict_policy::parse::parse_ip(v))
            .map(|n| n.addr().to_string()),
        IpAddress if want => policy_values
            .first()
            .and_then(|v| verdict_policy::parse::parse_ip(v))
            .map(|n| n.addr().to_string()),
        _ => None,
    }
}

pub(super) fn request_candidate_for(s: &Scenario, key: &str, value: &str) -> Option<Candidate> {
    if key.eq_ignore_ascii_case("aws:RequestedRegion")
        && GLOBAL_SERVICES.contains(&s.request.service_lc.as_str())
    {
        return None;
    }
    Some(request_candidate(key, value))
}

pub(super) fn request_candidate(key: &str, value: &str) -> Candidate {
    Candidate {
        kind: FixKind::ChangeRequest,
        title: request_change_title(key, value),
        target: Target::Request,
        patch: vec![patch::add(&format!("/request/context/{}", patch::escape(key)), Value::from(value))],
        statement_path: None,
        note: Some("a change to how the call is made, not to a policy; the patch is against the scenario (--emit-scenario)".into()),
    }
}

/// Candidates that stop an explicit Deny from applying.
pub(super) fn explicit_candidates(
    cx: &Ctx<'_>,
    s: &Scenario,
    e: &Evaluation,
    d: &StatementRef,
) -> Vec<Candidate> {
    let mut out = Vec::new();
    let Some(slot) = slot_of(s, d) else {
        return out;
    };
    let origin = cx.origin(s, slot);
    let Some(np) = policy_at(s, slot) else {
        return out;
    };
    let st_trace = trace_statement(e, d.layer, d.level, &d.policy, d.index);
    let conds: Vec<ConditionTrace> = st_trace.map(|t| t.conditions.clone()).unwrap_or_default();
    let guardrail = matches!(d.layer, Layer::Scp | Layer::Rcp);
    let action = canonical_action(s);
    if let (true, Some(doc)) = (origin.editable, document_of(np)) {
        if let Some(sp) = stmt_path(&doc, d.index) {
            let place = if guardrail {
                format!(
                    "the {} statement {}",
                    d.layer.as_str().to_ascii_uppercase(),
                    d.statement
                )
            } else {
                format!("statement {}", d.statement)
            };
            // a. an exception for the caller
            if let Some(parn) =
                principal_arn(s).filter(|_| s.request.caller.is_iam() && !effectively_anonymous(s))
            {
                let existing = conds.iter().find(|c| {
                    c.key.eq_ignore_ascii_case("aws:PrincipalArn") && is_negated_op(&c.op)
                });
                let op = existing
                    .map(|c| c.operator.clone())
                    .unwrap_or_else(|| "ArnNotLike".into());
                let key = existing
                    .map(|c| c.key.clone())
                    .unwrap_or_else(|| "aws:PrincipalArn".into());
                let ops = add_condition_value(&doc, &sp, &op, &key, Value::from(parn.as_str()));
                if !ops.is_empty() {
                    out.push(Candidate {
                        kind: FixKind::ExceptionCondition,
                        title: if guardrail {
                            format!(
                                "Add an exception for {parn} to the {} statement {} ({op} {key})",
                                d.layer.as_str().to_ascii_uppercase(),
                                d.statement
                            )
                        } else {
                            format!("Exempt {parn} from {place} ({op} {key})")
                        },
                        target: Target::Existing(slot),
                        patch: ops,
                        statement_path: Some(sp.clone()),
                        note: guardrail.then(|| {
                            "a guardrail is narrowed with an exception, never removed".to_string()
                        }),
                    });
                }
            }
            // a'. an unauthenticated caller: an exception for its address
            if let (true, Some(ip)) = (
                effectively_anonymous(s) || matches!(s.request.caller, Caller::Anonymous),
                s.request.context.variable("aws:sourceip"),
            ) {
                let ops = add_condition_value(
                    &doc,
                    &sp,
                    "NotIpAddress",
                    "aws:SourceIp",
                    Value::from(format!("{ip}/32")),
                );
                if !ops.is_empty() {
                    out.push(Candidate {
                        kind: FixKind::ExceptionCondition,
                        title: format!("Exempt calls from {ip} from {place} (NotIpAddress aws:SourceIp)"),
                        target: Target::Existing(slot),
                        patch: ops,
                        statement_path: Some(sp.clone()),
                        note: Some("the caller is not authenticated with IAM here, so the exception can only name where it calls from".into()),
                    });
                }
            }
            // b. the key that made it apply: also accept the request's value
            for c in conds.iter().filter(|c| c.holds && is_negated_op(&c.op)) {
                if c.key.eq_ignore_ascii_case("aws:PrincipalArn") {
                    continue;
                }
                let Some([v]) = c.request_values.as_deref() else {
                    continue;
                };
                let value = if c.op.base.family() == verdict_policy::condition::Family::Ip
                    && !v.contains('/')
                {
                    format!("{v}/32")
                } else {
                    v.clone()
                };
                let ops = add_condition_value(
                    &doc,
                    &sp,
                    &c.operator,
                    &c.key,
                    Value::from(value.as_str()),
                );
                if ops.is_empty() {
                    continue;
                }
                out.push(Candidate {
                    kind: FixKind::ExceptionCondition,
                    title: format!(
                        "Also accept {} = {value} in {place} (condition {} {})",
                        c.key, c.operator, c.key
                    ),
                    target: Target::Existing(slot),
                    patch: ops,
                    statement_path: Some(sp.clone()),
                    note: Some(format!(
                        "this exempts every caller whose {} is {value}, not only this one",
                        c.key
                    )),
                });
            }
            // c. exempt the action from a NotAction deny
            if doc.pointer(&format!("{sp}/NotAction")).is_some() {
                let ops = add_to_list(
                    &doc,
                    &format!("{sp}/NotAction"),
                    Value::from(action.as_str()),
                );
                if !ops.is_empty() {
                    out.push(Candidate {
                        kind: FixKind::ExemptAction,
                        title: format!("Exempt {action} from {place} (add it to NotAction)"),
                        target: Target::Existing(slot),
                        patch: ops,
                        statement_path: Some(sp.clone()),
                        note: Some(
                            "this exempts the action for every principal the statement covers"
                                .into(),
                        ),
                    });
                }
            }
            // d. remove it (never for guardrails)
            if !guardrail {
                out.push(Candidate {
                    kind: FixKind::RemoveStatement,
                    title: format!(
                        "Remove statement {} from {}",
                        d.statement,
                        np.name.as_deref().unwrap_or(&np.label)
                    ),
                    target: Target::Existing(slot),
                    patch: vec![patch::remove(&sp)],
                    statement_path: None,
                    note: Some(
                        "only if nobody relies on this Deny; the exception above is narrower"
                            .into(),
                    ),
                });
            }
        }
    }
    // e. change the request so that the condition no longer holds; for security
    //    controls (MFA, TLS) that is the right fix, so it comes first.
    let mut request_side = Vec::new();
    let mut security = false;
    for c in conds.iter().filter(|c| c.holds && controllable(&c.key)) {
        if let Some(rc) = value_for(&c.op, &c.policy_values, false)
            .and_then(|v| request_candidate_for(s, &c.key, &v))
        {
            security |= matches!(
                c.key.to_ascii_lowercase().as_str(),
                "aws:multifactorauthpresent" | "aws:securetransport"
            );
            request_side.push(rc);
        }
    }
    if security {
        request_side.extend(out);
        return request_side;
    }
    out.extend(request_side);
    out
}

pub(super) fn near_misses(
    e: &Evaluation,
    layer: Layer,
    level: Option<usize>,
) -> Vec<(&LayerTrace, usize, &StatementTrace)> {
    let mut out = Vec::new();
    for l in e
        .layers
        .iter()
        .filter(|l| l.layer == layer && (level.is_none() || l.level == level))
    {
        for (pi, p) in l.policies.iter().enumerate() {
            for st in &p.statements {
                let action_ok = !st.misses.iter().any(|m| matches!(m, Miss::Action { .. }));
                if st.effect == "Allow" && !st.applies && action_ok && !st.misses.is_empty() {
                    out.push((l, pi, st));
                }
            }
        }
    }
    out.sort_by_key(|(_, _, st)| st.misses.len());
    out
}

/// Candidates that make a layer allow the request.
pub(super) fn implicit_candidates(
    cx: &Ctx<'_>,
    s: &Scenario,
    e: &Evaluation,
    layer: Layer,
    level: Option<usize>,
) -> Vec<Candidate> {
    let mut first = Vec::new();
    let mut later = Vec::new();
    let action = canonical_action(s);
    let resource = s.request.resource.as_str().to_string();
    let trust = is_trust(s);
    let kms = is_kms_key(s);
    let caller_principal = principal_element(s);
    // Near misses in this layer: fix the one element that failed.
    for (l, pi, st) in near_misses(e, layer, level) {
        let slot = Slot {
            layer: l.layer,
            level: l.level,
            index: pi,
        };
        let origin = cx.origin(s, slot);
        let Some(np) = policy_at(s, slot) else {
            continue;
        };
        let Some(doc) = document_of(np) else { continue };
        let Some(sp) = stmt_path(&doc, st.index) else {
            continue;
        };
        let mut ops = Vec::new();
        let mut kinds = Vec::new();
        let mut request_side = Vec::new();
        let mut ok = true;
        for m in &st.misses {
            match m {
                Miss::Resource { negated: false, .. } if resource != "*" => {
                    ops.extend(add_to_list(
                        &doc,
                        &format!("{sp}/Resource"),
                        Value::from(resource.as_str()),
                    ));
                    kinds.push((
                        FixKind::AddResource,
                        format!("add {resource} to its Resource"),
                    ));
                }
                Miss::Principal { negated: false, .. } => match &caller_principal {
                    Some(Value::Object(pe)) => {
                        for (k, v) in pe {
                            let ppath = format!("{sp}/Principal");
                            match doc.pointer(&ppath) {
                                Some(Value::Object(_)) => ops.extend(add_to_list(
                                    &doc,
                                    &format!("{ppath}/{k}"),
                                    v.clone(),
                                )),
                                _ => ops.push(patch::replace(&ppath, json!({ k: v }))),
                            }
                        }
                        kinds.push((
                            FixKind::AddPrincipal,
                            format!(
                                "add {} to its Principal",
                                pe.values()
                                    .filter_map(Value::as_str)
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        ));
                    }
                    _ => ok = false,
                },
                Miss::Condition {
                    operator,
                    op,
                    key,
                    request_values: Some(v),
                    policy_values,
                    ..
                } if v.len() == 1 && is_positive_string_op(operator) => {
                    // The guard makes this the request's only value.
                    let value = v.first().map_or("", String::as_str);
                    ops.extend(add_condition_value(
                        &doc,
                        &sp,
                        operator,
                        key,
                        Value::from(value),
                    ));
                    kinds.push((
                        FixKind::AddConditionValue,
                        format!("also accept {key} = {value}"),
                    ));
                    if controllable(key) {
                        if let Some(c) = value_for(op, policy_values, true)
                            .and_then(|pv| request_candidate_for(s, key, &pv))
                        {
                            request_side.push(c);
                        }
                    }
                }
                Miss::Condition {
                    op,
                    key,
                    request_values: None,
                    policy_values,
                    ..
                } => {
                    if controllable(key) {
                        if let Some(c) = value_for(op, policy_values, true)
                            .and_then(|v| request_candidate_for(s, key, &v))
                        {
                            request_side.push(c);
                        }
                    }
                    ok = false;
                }
                _ => ok = false,
            }
        }
        later.extend(request_side);
        if !ok || ops.is_empty() || !origin.editable {
            continue;
        }
        let (kind, what) = match kinds.as_slice() {
            [(k, w)] => (*k, w.clone()),
            many => (
                many.first().map_or(FixKind::AddResource, |k| k.0),
                many.iter()
                    .map(|k| k.1.clone())
                    .collect::<Vec<_>>()
                    .join(" and "),
            ),
        };
        let single_action = doc.pointer(&format!("{sp}/Action")).is_some_and(|a| {
            a.as_str()
                .or_else(|| {
                    a.as_array().and_then(|x| match x.as_slice() {
                        [only] => only.as_str(),
                        _ => None,
                    })
                })
                .is_some_and(|x| !x.contains(['*', '?']))
        });
        if kinds.iter().any(|(k, _)| *k == FixKind::AddPrincipal) && !single_action {
            // Adding the caller to a statement that grants more than the action would grant too much.
            continue;
        }
        let c = Candidate {
            kind,
            title: format!(
                "In statement {} of {}, {what}",
                st.sid,
                np.name.as_deref().unwrap_or(&np.label)
            ),
            target: Target::Existing(slot),
            patch: ops,
            statement_path: Some(sp),
            note: (!single_action).then(|| {
                "the statement grants other actions too; they would also cover this resource"
                    .to_string()
            }),
        };
        if kind == FixKind::AddPrincipal || single_action {
            first.push(c);
        } else {
            later.push(c);
        }
    }
    // One new Allow statement scoped to the exact action and resource.
    let mut stmt = serde_json::Map::new();
    stmt.insert("Effect".into(), Value::from("Allow"));
    let needs_principal = matches!(layer, Layer::Resource | Layer::VpcEndpoint);
    let mut principal_ok = true;
    let mut cond = None;
    if needs_principal {
        match &caller_principal {
            Some(p) => {
                stmt.insert("Principal".into(), p.clone());
            }
            None => {
                // An anonymous (unauthenticated) caller can only be narrowed by network facts.
                let ip = s.request.context.variable("aws:sourceip");
                let vpce = s.request.context.variable("aws:sourcevpce");
                match (vpce, ip) {
                    (Some(v), _) => {
                        stmt.insert("Principal".into(), Value::from("*"));
                        cond = Some(json!({ "StringEquals": { "aws:SourceVpce": v } }));
                    }
                    (None, Some(ip)) => {
                        stmt.insert("Principal".into(), Value::from("*"));
                        cond = Some(json!({ "IpAddress": { "aws:SourceIp": format!("{ip}/32") } }));
                    }
                    _ => principal_ok = false,
                }
            }
        }
    }
    stmt.insert("Action".into(), Value::from(action.as_str()));
    if !(layer == Layer::Resource && trust) {
        stmt.insert("Resource".into(), Value::from(resource.as_str()));
    }
    if let Some(c) = cond {
        stmt.insert("Condition".into(), c);
    }
    let statement = Value::Object(stmt);
    let resource_star_note = (resource == "*").then(|| {
        let scoped = verdict_catalog::catalog().action(&action).is_some_and(|a| !a.only_supports_star());
        if scoped {
            "the request's resource is unknown, so the statement says \"*\"; replace it with the resource's ARN".to_string()
        } else {
            format!("{action} supports no resource-level permission, so \"Resource\": \"*\" is required")
        }
    });
    let layer_allowed = match layer {
        Layer::Identity => {
            s.request.caller.is_iam() && !matches!(s.request.caller, Caller::Root { .. })
        }
        Layer::Resource | Layer::VpcEndpoint => principal_ok,
        Layer::Rcp => false,
        _ => true,
    };
    if layer_allowed {
        let mut add_to: Vec<Slot> = Vec::new();
        let pols = policies_at(s, layer, level);
        let mut editable: Vec<(usize, PolicyOrigin)> = (0..pols.len())
            .map(|i| {
                (
                    i,
                    cx.origin(
                        s,
                        Slot {
                            layer,
                            level,
                            index: i,
                        },
                    ),
                )
            })
            .filter(|(_, o)| o.editable)
            .collect();
        // Prefer the principal's own inline policy, then other inline policies, then customer managed.
        let svc = format!("\"{}:", s.request.service_lc);
        let mentions = |i: usize| {
            pols.get(i).is_some_and(|p| {
                p.policy
                    .source
                    .slice(p.policy.span)
                    .to_ascii_lowercase()
                    .contains(&svc)
            })
        };
        editable.sort_by_key(|(i, o)| {
            let kind = match o.kind {
                PolicyKind::Inline if !o.attached_to.starts_with("group") => 0,
                PolicyKind::Inline => 1,
                PolicyKind::CustomerManaged => 2,
                _ => 3,
            };
            (!mentions(*i), kind)
        });
        if let Some((i, _)) = editable.first() {
            add_to.push(Slot {
                layer,
                level,
                index: *i,
            });
        }
        for slot in add_to {
            let Some(np) = policy_at(s, slot) else {
                continue;
            };
            let Some(doc) = document_of(np) else { continue };
            let mut st = statement.clone();
            if let Some(o) = st.as_object_mut() {
                let sid = sid_for("Allow", &action, &doc);
                let mut m = serde_json::Map::new();
                m.insert("Sid".into(), Value::from(sid));
                m.extend(std::mem::take(o));
                *o = m;
            }
            let (ops, sp) = append_statement(&doc, st);
            first.push(Candidate {
                kind: if layer == Layer::Resource && !trust && !kms {
                    FixKind::AddPrincipal
                } else {
                    FixKind::AddAllowStatement
                },
                title: if trust {
                    format!(
                        "Allow {} to assume the role: add a statement to {}",
                        principal_arn(s).unwrap_or_else(|| s.request.caller.display()),
                        np.name.as_deref().unwrap_or(&np.label)
                    )
                } else {
                    format!(
                        "Add an Allow for {action} on {resource} to {}",
                        np.name.as_deref().unwrap_or(&np.label)
                    )
                },
                target: Target::Existing(slot),
                patch: ops,
                statement_path: Some(sp),
                note: resource_star_note.clone(),
            });
        }
        let no_policy = policies_at(s, layer, level).is_empty()
            || (first.is_empty() && layer != Layer::PermissionsBoundary);
        if no_policy && !matches!(layer, Layer::PermissionsBoundary | Layer::Authorizer) {
            let sid = sid_for("Allow", &action, &Value::Null);
            let mut st = statement.clone();
            if let Some(o) = st.as_object_mut() {
                let mut m = serde_json::Map::new();
                m.insert("Sid".into(), Value::from(sid));
                m.extend(std::mem::take(o));
                *o = m;
            }
            let doc = json!({ "Version": "2012-10-17", "Statement": [st] });
            let target = cx.new_target(s, layer, level);
            let what = match &target {
                Target::New { origin, .. } => {
                    format!("a new {} on {}", origin.kind.describe(), origin.attached_to)
                }
                _ => String::new(),
            };
            let note = match layer {
                Layer::Session => Some("session policies are passed when the session is created (the Policy parameter of AssumeRole or GetFederationToken)".to_string()),
                Layer::Scp => Some("attach it at the level named; every level from the root to the account must allow the action".to_string()),
                _ => resource_star_note.clone(),
            };
            first.push(Candidate {
                kind: FixKind::NewPolicy,
                title: format!("Create {what} allowing {action}"),
                target,
                patch: vec![patch::add("", doc)],
                statement_path: Some("/Statement/0".into()),
                note,
            });
        }
    }
    // KMS: a key-policy statement that lets the account's IAM policies grant access.
    if kms && layer == Layer::Resource {
        if let (Some(acct), Some(np)) = (s.request.caller.account(), s.policies.resource.as_ref()) {
            let slot = Slot {
                layer,
                level: None,
                index: 0,
            };
            if let (Some(doc), true) = (document_of(np), cx.origin(s, slot).editable) {
                let partition = s.request.caller.partition().unwrap_or("aws");
                let st = json!({
                    "Sid": sid_for("EnableIamPoliciesFor", &action, &doc),
                    "Effect": "Allow",
                    "Principal": { "AWS": format!("arn:{partition}:iam::{acct}:root") },
                    "Action": action,
                    "Resource": resource,
                });
                let (ops, sp) = append_statement(&doc, st);
                first.push(Candidate {
                    kind: FixKind::KeyPolicyDelegation,
                    title: format!("Let IAM policies in account {acct} grant {action} on this key (key-policy statement for {acct}:root)"),
                    target: Target::Existing(slot),
                    patch: ops,
                    statement_path: Some(sp),
                    note: Some("the caller's identity policies must then allow the action too".into()),
                });
            }
        }
    }
    // Same account, identity layer: naming the caller in the resource policy also works.
    if layer == Layer::Identity && s.policies.resource.is_some() && !trust && !kms {
        let same = s.request.caller.account().is_some()
            && s.request.caller.account() == s.resource_account.as_deref();
        if same {
            later.extend(implicit_candidates_resource_only(cx, s, &action, &resource));
        }
    }
    // Context the request lacks that would flip the decision.
    for k in &e.missing_context {
        if let (true, Some(v)) = (
            k.could_change_decision && controllable(&k.key),
            &k.flipping_value,
        ) {
            if !later.iter().chain(first.iter()).any(|c| {
                matches!(c.target, Target::Request)
                    && c.patch
                        .first()
                        .and_then(|o| o.get("path"))
                        .and_then(Value::as_str)
                        .is_some_and(|p| p.ends_with(&patch::escape(&k.key)))
            }) {
                later.extend(request_candidate_for(s, &k.key, v));
            }
        }
    }
    first.extend(later);
    first
}

pub(super) fn implicit_candidates_resource_only(
    cx: &Ctx<'_>,
    s: &Scenario,
    action: &str,
    resource: &str,
) -> Vec<Candidate> {
    let slot = Slot {
        layer: Layer::Resource,
        level: None,
        index: 0,
    };
    let (Some(np), Some(p)) = (policy_at(s, slot), principal_element(s)) else {
        return Vec::new();
    };
    if !cx.origin(s, slot).editable || resource == "*" {
        return Vec::new();
    }
    let Some(doc) = document_of(np) else {
        return Vec::new();
    };
    let st = json!({ "Sid": sid_for("Allow", action, &doc), "Effect": "Allow", "Principal": p, "Action": action, "Resource": resource });
    let (ops, sp) = append_statement(&doc, st);
    vec![Candidate {
        kind: FixKind::AddPrincipal,
        title: format!(
            "Or grant it in the resource policy: allow {action} for the caller on {resource}"
        ),
        target: Target::Existing(slot),
        patch: ops,
        statement_path: Some(sp),
        note: Some(
            "in the same account a resource policy that names the caller is enough on its own"
                .into(),
        ),
    }]
}

pub(super) fn candidates(cx: &Ctx<'_>, s: &Scenario, e: &Evaluation) -> Vec<Candidate> {
    match (e.decision, e.denied_by, &e.deciding_statement) {
        (Decision::ExplicitDeny, Some(_), Some(d)) => explicit_candidates(cx, s, e, d),
        (Decision::ImplicitDeny, Some(Layer::Scp), _) => {
            let level = e
                .layers
                .iter()
                .filter(|l| l.layer == Layer::Scp)
                .find(|l| l.outcome == verdict_eval::LayerOutcome::NoMatch)
                .and_then(|l| l.level);
            implicit_candidates(cx, s, e, Layer::Scp, level)
        }
        (Decision::ImplicitDeny, Some(Layer::Authorizer), _) => {
            let mut c = implicit_candidates(cx, s, e, Layer::Authorizer, None);
            c.extend(implicit_candidates(cx, s, e, Layer::Resource, None));
            c
        }
        (Decision::ImplicitDeny, Some(l), _) => implicit_candidates(cx, s, e, l, None),
        _ => Vec::new(),
    }
}
