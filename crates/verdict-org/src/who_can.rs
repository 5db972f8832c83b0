//! `verdict who-can`: every caller the snapshot knows of that may do one action on one
//! resource, each decided by the exact procedure, with the residual condition where the
//! answer depends on request values the snapshot cannot know.

use crate::index::PrincipalIndex;
use crate::query::{scenario, Who};
use crate::snapshot::Snapshot;
use serde::Serialize;
use verdict_eval::context::Context;
use verdict_eval::residual::{self, ResidualDecision};
use verdict_eval::{Decision, Scenario};
use verdict_policy::principal::PrincipalEntry;
use verdict_policy::Effect;

/// One caller that may do it.
#[derive(Clone, Debug, Serialize)]
pub struct Access {
    /// The caller (`arn:…`, a service principal, `anonymous`).
    pub principal: String,
    /// `user`, `role`, `external`, `service` or `anonymous`.
    pub kind: &'static str,
    /// `allow`, or `conditional` when it holds only under `condition`.
    pub decision: &'static str,
    /// When `conditional`: the condition on the request, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// When `conditional`: the condition as a policy Condition block, when one expresses it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition_block: Option<serde_json::Value>,
    /// The statements that grant it (`layer: policy #statement`).
    pub granted_by: Vec<String>,
    /// When conditional: request values under which it is allowed (checked).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_example: Option<serde_json::Value>,
    /// What the answer assumes (an outside caller's own policies, …).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub assumes: Vec<String>,
    /// Unconfirmed points of the spec the answer rests on (§10.1).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub uncertain: Vec<String>,
    /// Why the answer may be incomplete (policies missing from the snapshot).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub incomplete: Vec<String>,
}

/// The answer.
#[derive(Clone, Debug, Serialize)]
pub struct WhoCan {
    /// The action asked about.
    pub action: String,
    /// The resource asked about.
    pub resource: String,
    /// Its owner, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_account: Option<String>,
    /// The resource policy consulted, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_policy: Option<String>,
    /// Callers that may do it.
    pub access: Vec<Access>,
    /// How many callers were decided (after the action-index prefilter).
    pub candidates: usize,
    /// How many principals the snapshot holds.
    pub principals: usize,
    /// Remarks.
    pub notes: Vec<String>,
}

/// Decide one caller: `None` when it is denied whatever the unknown keys hold.
pub fn decide_one(
    snap: &Snapshot,
    who: &Who,
    action: &str,
    resource: &str,
    context: &Context,
) -> Result<Option<Access>, String> {
    let s = scenario(snap, who, action, resource, context.clone()).map_err(|e| e.0)?;
    let mut assumes = Vec::new();
    match who {
        Who::External(a) if a.ends_with(":root") => assumes.push(format!(
            "any principal of account {} whose own policies allow it",
            a.split(':').nth(4).unwrap_or("")
        )),
        Who::External(_) => assumes
            .push("the caller's own policies allow it (they are outside the snapshot)".into()),
        _ => {}
    }
    let incomplete = match who {
        Who::Principal(i) => snap
            .principals
            .get(*i)
            .map(|p| p.incomplete.clone())
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    let q = verdict_eval::decide_with_message(&s);
    let uncertain: Vec<String> = q
        .uncertain
        .iter()
        .map(|u| {
            format!(
                "{} (assumed {}; otherwise {})",
                u.rule,
                u.assumed,
                u.otherwise.as_str()
            )
        })
        .collect();
    let base = Access {
        principal: who.display(snap),
        kind: who.kind(snap),
        decision: "allow",
        condition: None,
        condition_block: None,
        allowed_example: None,
        granted_by: Vec::new(),
        assumes,
        uncertain,
        incomplete,
    };
    if q.decision == Decision::Allow {
        return Ok(Some(Access {
            granted_by: granted_by(&s),
            ..base
        }));
    }
    if q.decision == Decision::ExplicitDeny && !has_conditional_deny(&s) {
        return Ok(None);
    }
    let Some(u) = crate::query::with_unknown_keys(&s) else {
        return Ok(None);
    };
    let r = match residual::residual(&u) {
        Ok(r) => r,
        Err(e) => {
            // Fail closed, but say so: the caller is listed as undecided.
            return Ok(Some(Access {
                decision: "unknown",
                condition: Some(format!("could not be decided: {e}")),
                ..base
            }));
        }
    };
    match r.decision {
        ResidualDecision::Allow | ResidualDecision::Conditional => {
            let f = r.residual.as_ref();
            let mut example = s.clone();
            if let Some(ex) = &r.allowed_example {
                apply_example(&mut example, ex);
            }
            Ok(Some(Access {
                decision: "conditional",
                condition: f.map(|f| f.text.clone()),
                condition_block: f.and_then(|f| f.condition.clone()),
                allowed_example: r.allowed_example.clone(),
                granted_by: granted_by(&example),
                uncertain: base
                    .uncertain
                    .into_iter()
                    .chain(
                        r.uncertainties
                            .iter()
                            .map(|u| format!("{} (assumed {})", u.rule, u.assumed)),
                    )
                    .collect(),
                ..base
            }))
        }
        _ => Ok(None),
    }
}

fn has_conditional_deny(s: &Scenario) -> bool {
    s.policies
        .all()
        .flat_map(|np| np.policy.statements.iter())
        .any(|st| st.effect == Effect::Deny && !st.conditions.is_empty())
}

/// Put an allowed example's values into the scenario's context (to name the statements
/// that grant it).
fn apply_example(s: &mut Scenario, ex: &serde_json::Value) {
    let Some(m) = ex.as_object() else { return };
    for (k, v) in m {
        if let Some(val) = verdict_eval::CtxValue::from_json(v) {
            s.request.context.insert(k, val);
        }
    }
}

/// The statements that allow in each layer of an allowed request.
pub fn granted_by(s: &Scenario) -> Vec<String> {
    let e = verdict_eval::evaluate(s);
    if e.decision != Decision::Allow {
        return Vec::new();
    }
    let mut out = Vec::new();
    for l in &e.layers {
        let level_policies: Option<&Vec<verdict_eval::NamedPolicy>> = match (l.layer, l.level) {
            (verdict_eval::Layer::Scp, Some(lv)) => {
                s.policies.scps.as_ref().and_then(|x| x.get(lv))
            }
            (verdict_eval::Layer::Rcp, Some(lv)) => {
                s.policies.rcps.as_ref().and_then(|x| x.get(lv))
            }
            _ => None,
        };
        for (pi, p) in l.policies.iter().enumerate() {
            for st in &p.statements {
                // A guardrail level that allows everything says nothing about why.
                let allow_all = level_policies
                    .and_then(|v| v.get(pi))
                    .and_then(|np| np.policy.statements.get(st.index))
                    .is_some_and(crate::index::is_allow_everything);
                if allow_all {
                    continue;
                }
                if st.applies && st.effect == "Allow" {
                    let sid = if st.sid.is_empty() || st.sid.starts_with('#') {
                        String::new()
                    } else {
                        format!(" ({})", st.sid)
                    };
                    let layer = match l.level {
                        Some(lv) => format!("{} level {}", l.layer.as_str(), lv + 1),
                        None => l.layer.as_str().to_string(),
                    };
                    out.push(format!("{layer}: {} #{}{}", p.policy, st.index, sid));
                    break;
                }
            }
        }
    }
    out
}

/// The callers a resource policy names (outside the snapshot, services, anonymous) and
/// whether it grants the whole of some account (`Principal: "*"` or an account).
fn named_callers(
    snap: &Snapshot,
    s: &Scenario,
    out: &mut Vec<Who>,
    open_accounts: &mut Vec<String>,
) {
    let Some(rp) = &s.policies.resource else {
        return;
    };
    for st in &rp.policy.statements {
        if st.effect != Effect::Allow {
            continue;
        }
        let Some(pb) = &st.principal else { continue };
        for e in &pb.entries {
            match e {
                PrincipalEntry::Everyone { .. } => {
                    out.push(Who::Anonymous);
                    open_accounts.push("*".into());
                }
                PrincipalEntry::Account { partition, account } => {
                    open_accounts.push(account.clone());
                    if !snap.accounts.iter().any(|a| a == account) {
                        out.push(Who::External(format!(
                            "arn:{partition}:iam::{account}:root"
                        )));
                    }
                }
                PrincipalEntry::User {
                    partition,
                    account,
                    path,
                    ..
                } => {
                    named(
                        snap,
                        out,
                        format!("arn:{partition}:iam::{account}:user/{path}"),
                    );
                }
                PrincipalEntry::Role {
                    partition,
                    account,
                    path,
                    ..
                } => {
                    named(
                        snap,
                        out,
                        format!("arn:{partition}:iam::{account}:role/{path}"),
                    );
                }
                PrincipalEntry::AssumedRole {
                    partition,
                    account,
                    role,
                    ..
                } => {
                    named(
                        snap,
                        out,
                        format!("arn:{partition}:iam::{account}:role/{role}"),
                    );
                }
                PrincipalEntry::Service(service) => out.push(Who::Service(service.clone())),
                _ => {}
            }
        }
    }
}

fn named(snap: &Snapshot, out: &mut Vec<Who>, arn: String) {
    match snap.principal_index(&arn) {
        Some(i) => out.push(Who::Principal(i)),
        None if !arn.contains('*') => out.push(Who::External(arn)),
        None => {}
    }
}

/// Can some identity Allow statement of `p` cover this action on this resource? A
/// necessary condition for access through identity policies (policy variables and
/// NotResource count as covering); a resource policy's own grants are found apart.
fn identity_may_cover(
    p: &crate::snapshot::Principal,
    svc: &str,
    name: &str,
    res: &verdict_policy::arn::RequestResource,
) -> bool {
    let hash = verdict_policy::model::service_hash(svc);
    p.identity
        .iter()
        .flat_map(|np| np.policy.statements.iter())
        .any(|st| {
            st.effect == Effect::Allow
                && st.action.covers_hashed(hash, svc, name)
                && st.resource.as_ref().is_none_or(|rb| {
                    rb.negated
                        || rb
                            .entries
                            .iter()
                            .any(|e| e.pattern.matches_with(res, true, |_| None).unwrap_or(true))
                })
        })
}

/// Who can do `action` on `resource`?
pub fn who_can(
    snap: &Snapshot,
    index: &PrincipalIndex,
    universe: &crate::index::Universe,
    action: &str,
    resource: &str,
    context: &Context,
) -> Result<WhoCan, String> {
    if resource.contains(['*', '?']) && resource != "*" {
        return Err(format!("{resource}: who-can answers for one resource, and a resource ARN holds no wildcards (a `*` in an ARN is a literal character to AWS); for every resource of a pattern, ask `verdict can` per principal with --resource PATTERN"));
    }
    let mut notes = Vec::new();
    let owner = snap.owner_of(resource);
    // The resource side, through any caller.
    let probe =
        scenario(snap, &Who::Anonymous, action, resource, context.clone()).map_err(|e| e.0)?;
    let mut cands: Vec<Who> = Vec::new();
    let mut open = Vec::new();
    named_callers(snap, &probe, &mut cands, &mut open);
    let (svc, name) = verdict_eval::request::Request::split_action(action).unwrap_or_default();
    let res = verdict_policy::arn::RequestResource::new(resource);
    let may_cover = |i: &usize| {
        snap.principals
            .get(*i)
            .is_some_and(|p| identity_may_cover(p, &svc, &name, &res))
    };
    match universe.id(action) {
        Some(id) => cands.extend(index.candidates(id).filter(may_cover).map(Who::Principal)),
        None => {
            notes.push(format!(
                "{action} is not in the catalog: every principal was decided (no action index)"
            ));
            cands.extend((0..snap.principals.len()).map(Who::Principal));
        }
    }
    // The root user of the resource's own account.
    if let Some(o) = owner.as_ref().filter(|o| snap.accounts.contains(o)) {
        cands.push(Who::Root(o.clone()));
    }
    // A resource policy that grants a whole account (or everyone) grants that account's
    // principals directly when they are in the resource's account.
    if let Some(o) = &owner {
        if open.iter().any(|a| a == "*" || a == o) {
            cands.extend(
                snap.principals
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| &p.account == o)
                    .map(|(i, _)| Who::Principal(i)),
            );
        }
    }
    cands.sort();
    cands.dedup();
    if probe.policies.resource.is_none() {
        notes.push(format!(
            "the snapshot holds no resource policy for {resource}"
        ));
    }
    if owner.is_none() {
        notes.push(format!("the owner of {resource} is not known (its ARN has no account and the snapshot has no policy for it): cross-account rules were applied as for an unknown account"));
    }
    let results: Vec<Result<Option<Access>, String>> = {
        use rayon::prelude::*;
        cands
            .par_iter()
            .map(|w| decide_one(snap, w, action, resource, context))
            .collect()
    };
    let mut access = Vec::new();
    for r in results {
        match r {
            Ok(Some(a)) => access.push(a),
            Ok(None) => {}
            Err(e) => notes.push(e),
        }
    }
    access.sort_by(|a, b| {
        (a.decision != "allow", &a.principal).cmp(&(b.decision != "allow", &b.principal))
    });
    Ok(WhoCan {
        action: action.to_string(),
        resource: resource.to_string(),
        resource_account: owner,
        resource_policy: probe.policies.resource.as_ref().map(|p| p.label.clone()),
        access,
        candidates: cands.len(),
        principals: snap.principals.len(),
        notes,
    })
}
