//! Find every cause that blocks the request and the narrowest changes that remove
//! each, and verify every change by applying it to a copy of the scenario and
//! deciding again. Only changes that, with the other causes' fixes, flip the decision
//! to Allow are returned, marked `verified`.

mod candidates;
mod context;
mod describe;
mod edit;

use crate::build::Built;
use crate::origin::{PolicyOrigin, Slot};
use candidates::*;
use context::*;
use describe::*;
use edit::*;
use serde::Serialize;
use serde_json::Value;
use verdict_eval::{decide, evaluate, Caller, Decision, Evaluation, Layer, Scenario, StatementRef};
use verdict_policy::PolicyType;

/// What a fix changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FixKind {
    /// Add one Allow statement scoped to the exact action and resource.
    AddAllowStatement,
    /// Add the requested resource to a statement that almost applies.
    AddResource,
    /// Add the caller to the Principal of a resource or trust policy statement.
    AddPrincipal,
    /// Add the request's value to a condition that almost holds.
    AddConditionValue,
    /// Add an exception condition so that a Deny no longer applies to this caller.
    ExceptionCondition,
    /// Add the action to the NotAction of a Deny.
    ExemptAction,
    /// Remove the denying statement.
    RemoveStatement,
    /// A key-policy statement that lets the account's IAM policies grant access.
    KeyPolicyDelegation,
    /// Create a policy that does not exist yet.
    NewPolicy,
    /// Change the request itself (credentials with MFA, endpoint, tags …).
    ChangeRequest,
}

/// Where a change is made.
#[derive(Clone, Debug)]
enum Target {
    Existing(Slot),
    New {
        layer: Layer,
        level: Option<usize>,
        ty: PolicyType,
        label: String,
        origin: PolicyOrigin,
    },
    Request,
}

#[derive(Clone, Debug)]
struct Candidate {
    kind: FixKind,
    title: String,
    target: Target,
    patch: Vec<Value>,
    statement_path: Option<String>,
    note: Option<String>,
}

/// A verified change.
#[derive(Clone, Debug, Serialize)]
pub struct Fix {
    /// 1-based id.
    pub id: usize,
    /// The blocker (1-based) it removes.
    pub blocker: usize,
    /// Kind.
    pub kind: FixKind,
    /// One line.
    pub title: String,
    /// The account the change is made in.
    pub account: Option<String>,
    /// The layer.
    pub layer: Layer,
    /// Which policy (or `the request`), in words.
    pub location: String,
    /// The policy's name or label.
    pub policy: Option<String>,
    /// The policy's ARN.
    pub policy_arn: Option<String>,
    /// The file the policy was read from.
    pub file: Option<String>,
    /// RFC 6902 patch against the policy document (for request changes: against the scenario).
    pub patch: Vec<Value>,
    /// The statement as it reads after the change.
    pub statement: Option<Value>,
    /// Extra advice.
    pub note: Option<String>,
    /// Re-evaluated with the change applied (and `requires`): the request is allowed.
    pub verified: bool,
    /// Fixes of the other blockers that must be applied too (empty: this one alone flips the decision).
    pub requires: Vec<usize>,
    #[serde(skip)]
    target: Target,
}

/// One cause that blocks the request.
#[derive(Clone, Debug, Serialize)]
pub struct Blocker {
    /// 1-based; 1 is what AWS reports now.
    pub step: usize,
    /// Explicit or implicit.
    pub decision: Decision,
    /// Layer.
    pub layer: Layer,
    /// Organization level, in words.
    pub level: Option<String>,
    /// The denying statement, for explicit denies.
    pub statement: Option<StatementRef>,
    /// Why, in one sentence.
    pub reason: String,
    /// The message AWS would give at this step.
    pub message: String,
    /// Fix ids.
    pub fixes: Vec<usize>,
    /// Why no fix is offered, when none is.
    pub unfixable: Option<String>,
}

/// The blockers and the verified fixes.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Plan {
    /// Causes, in the order AWS would report them as each is removed.
    pub blockers: Vec<Blocker>,
    /// Verified fixes.
    pub fixes: Vec<Fix>,
    /// True when applying one fix per blocker allows the request.
    pub complete: bool,
}

const MAX_STEPS: usize = 8;

/// Services whose calls all carry `aws:RequestedRegion` = us-east-1 (global endpoints).
pub const GLOBAL_SERVICES: &[&str] = &[
    "iam",
    "organizations",
    "route53",
    "route53domains",
    "cloudfront",
    "support",
    "budgets",
    "waf",
    "globalaccelerator",
    "shield",
    "health",
    "ce",
    "account",
    "trustedadvisor",
    "networkmanager",
    "savingsplans",
    "cur",
    "aws-portal",
];

fn progressed(before: &Evaluation, after: &Scenario) -> bool {
    let v = decide(after);
    if v.decision != before.decision || v.denied_by != before.denied_by {
        return true;
    }
    if before.decision == Decision::ExplicitDeny {
        let e2 = evaluate(after);
        let key = |d: &Option<StatementRef>| {
            d.as_ref()
                .map(|d| (d.layer, d.level, d.policy.clone(), d.index))
        };
        return key(&e2.deciding_statement) != key(&before.deciding_statement);
    }
    false
}

/// Find the blockers of `built.scenario` and verified fixes for them.
pub fn plan(built: &Built) -> Plan {
    let cx = Ctx { built };
    let base = &built.scenario;
    let mut state = base.clone();
    let mut blockers: Vec<Blocker> = Vec::new();
    let mut per_blocker: Vec<Vec<Candidate>> = Vec::new();
    let mut primaries: Vec<Candidate> = Vec::new();
    for step in 0..MAX_STEPS {
        let e = evaluate(&state);
        let Some(layer) = e.denied_by.filter(|_| e.decision != Decision::Allow) else {
            break;
        };
        let level = e
            .deciding_statement
            .as_ref()
            .and_then(|d| d.level)
            .or_else(|| {
                e.layers
                    .iter()
                    .filter(|l| l.layer == layer)
                    .find(|l| l.outcome == verdict_eval::LayerOutcome::NoMatch)
                    .and_then(|l| l.level)
            });
        let mut blocker = Blocker {
            step: step + 1,
            decision: e.decision,
            layer,
            level: level_name(built, layer, level),
            statement: e.deciding_statement.clone(),
            reason: e.reason.clone(),
            message: e.message.clone(),
            fixes: Vec::new(),
            unfixable: None,
        };
        let mut ok: Vec<(Candidate, Scenario)> = Vec::new();
        for c in candidates(&cx, &state, &e) {
            if ok
                .iter()
                .any(|(o, _)| o.patch == c.patch && o.title == c.title)
            {
                continue;
            }
            if let Ok(next) = apply(&state, &c) {
                if progressed(&e, &next) {
                    ok.push((c, next));
                }
            }
        }
        let Some((first, next)) = ok.first().cloned() else {
            let locked = e
                .deciding_statement
                .as_ref()
                .filter(|_| e.decision == Decision::ExplicitDeny)
                .and_then(|d| Some((d, built.origin(slot_of(&state, d)?)?)))
                .filter(|(_, o)| !o.editable);
            blocker.unfixable = Some(match locked {
                Some((d, _)) => format!(
                    "{} is AWS managed and cannot be edited: detach it, since no Allow can outweigh its Deny",
                    d.policy
                ),
                None => "Verdict found no change it could verify for this cause; see the near misses above".to_string(),
            });
            blockers.push(blocker);
            per_blocker.push(Vec::new());
            break;
        };
        primaries.push(first);
        per_blocker.push(ok.into_iter().map(|(c, _)| c).collect());
        blockers.push(blocker);
        state = next;
    }
    let complete = decide(&state).decision == Decision::Allow && primaries.len() == blockers.len();
    let mut fixes = Vec::new();
    if !complete {
        return Plan {
            blockers,
            fixes,
            complete,
        };
    }
    // Verify every candidate: with the other blockers' primary fixes applied, it flips the decision.
    let mut verified: Vec<Vec<(Candidate, bool)>> = Vec::new();
    for (i, cands) in per_blocker.iter().enumerate() {
        let mut v = Vec::new();
        for c in cands {
            let mut sc = base.clone();
            let mut applied = true;
            for (j, p) in primaries.iter().enumerate() {
                let step = if j == i { c } else { p };
                match apply(&sc, step) {
                    Ok(n) => sc = n,
                    Err(_) => {
                        applied = false;
                        break;
                    }
                }
            }
            if !(applied && decide(&sc).decision == Decision::Allow) {
                continue;
            }
            let alone = apply(base, c)
                .map(|n| decide(&n).decision == Decision::Allow)
                .unwrap_or(false);
            v.push((c.clone(), alone));
        }
        verified.push(v);
    }
    // Ids: primaries first within each blocker, in blocker order.
    let mut next_id = 1;
    let mut ids: Vec<Vec<usize>> = Vec::new();
    for v in &verified {
        ids.push((0..v.len()).map(|k| next_id + k).collect());
        next_id += v.len();
    }
    for (i, (v, v_ids)) in verified.into_iter().zip(&ids).enumerate() {
        for ((c, alone), &id) in v.into_iter().zip(v_ids) {
            let requires: Vec<usize> = if alone {
                Vec::new()
            } else {
                ids.iter()
                    .enumerate()
                    .filter(|(j, _)| *j != i)
                    .filter_map(|(_, l)| l.first().copied())
                    .collect()
            };
            // Describe against the state the candidate was computed on.
            let mut at = base.clone();
            for p in primaries.iter().take(i) {
                if let Ok(n) = apply(&at, p) {
                    at = n;
                }
            }
            let (account, layer, location, policy, policy_arn, file) =
                describe_target(&cx, &at, &c);
            let statement = statement_after(&at, &c);
            let mut note = c.note;
            if let (Layer::Identity, Caller::AssumedRole { role, .. }) = (layer, &at.request.caller)
            {
                if role.starts_with("AWSReservedSSO_") && !matches!(c.target, Target::Request) {
                    let set = role
                        .trim_start_matches("AWSReservedSSO_")
                        .rsplit_once('_')
                        .map_or(role.as_str(), |(n, _)| n);
                    note = Some(format!("this role is managed by IAM Identity Center: make the change in the permission set {set}, not on the role, or it will be overwritten"));
                }
            }
            // One blocker per verified list, pushed together above.
            if let Some(b) = blockers.get_mut(i) {
                b.fixes.push(id);
            }
            fixes.push(Fix {
                id,
                blocker: i + 1,
                kind: c.kind,
                title: c.title,
                account,
                layer,
                location,
                policy,
                policy_arn,
                file,
                patch: c.patch,
                statement,
                note,
                verified: true,
                requires,
                target: c.target,
            });
        }
    }
    Plan {
        blockers,
        fixes,
        complete,
    }
}

/// The scenario with fix `f` and the fixes it requires applied (to check a fix again).
pub fn apply_fix(built: &Built, plan: &Plan, f: &Fix) -> Option<Scenario> {
    apply_with_requirements(built, plan, f, true)
}

/// The scenario with only the fixes `f` requires (not `f` itself).
pub fn apply_requirements(built: &Built, plan: &Plan, f: &Fix) -> Option<Scenario> {
    apply_with_requirements(built, plan, f, false)
}

/// Apply the fixes `f` requires, and `f` itself when `include_f`, blockers in order.
fn apply_with_requirements(
    built: &Built,
    plan: &Plan,
    f: &Fix,
    include_f: bool,
) -> Option<Scenario> {
    let mut order: Vec<&Fix> = plan
        .fixes
        .iter()
        .filter(|x| f.requires.contains(&x.id))
        .collect();
    if include_f {
        order.push(f);
    }
    order.sort_by_key(|x| x.blocker);
    let mut state = built.scenario.clone();
    for x in order {
        let c = Candidate {
            kind: x.kind,
            title: x.title.clone(),
            target: x.target.clone(),
            patch: x.patch.clone(),
            statement_path: None,
            note: None,
        };
        state = apply(&state, &c).ok()?;
    }
    Some(state)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::patch;
    use serde_json::json;

    #[test]
    fn condition_values_are_added_without_duplicate_keys() {
        let doc = json!({"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/A"}}}]});
        let ops = add_condition_value(
            &doc,
            "/Statement/0",
            "ArnNotLike",
            "aws:principalarn",
            json!("arn:aws:iam::1:role/B"),
        );
        let out = patch::apply(&doc, &ops).unwrap();
        assert_eq!(
            out.pointer("/Statement/0/Condition/ArnNotLike/aws:PrincipalArn"),
            Some(&json!(["arn:aws:iam::*:role/A", "arn:aws:iam::1:role/B"]))
        );
        let ops = add_condition_value(
            &doc,
            "/Statement/0",
            "StringEquals",
            "aws:PrincipalTag/team",
            json!("x"),
        );
        let out = patch::apply(&doc, &ops).unwrap();
        assert_eq!(
            out.pointer("/Statement/0/Condition/StringEquals/aws:PrincipalTag~1team"),
            Some(&json!("x"))
        );
        let bare = json!({"Statement": {"Effect": "Deny", "Action": "*", "Resource": "*"}});
        let ops = add_condition_value(
            &bare,
            "/Statement",
            "Bool",
            "aws:SecureTransport",
            json!("false"),
        );
        assert_eq!(
            patch::apply(&bare, &ops)
                .unwrap()
                .pointer("/Statement/Condition/Bool/aws:SecureTransport"),
            Some(&json!("false"))
        );
    }

    #[test]
    fn statements_are_appended_to_arrays_and_single_objects() {
        let arr = json!({"Statement": [{"Sid": "A"}]});
        let (ops, at) = append_statement(&arr, json!({"Sid": "B"}));
        assert_eq!(at, "/Statement/1");
        assert_eq!(
            patch::apply(&arr, &ops).unwrap().pointer(&at),
            Some(&json!({"Sid": "B"}))
        );
        let one = json!({"Statement": {"Sid": "A"}});
        let (ops, at) = append_statement(&one, json!({"Sid": "B"}));
        assert_eq!(
            patch::apply(&one, &ops).unwrap().pointer(&at),
            Some(&json!({"Sid": "B"}))
        );
    }

    fn op(name: &str) -> verdict_policy::condition::Operator {
        verdict_policy::condition::parse_operator(name).unwrap()
    }

    #[test]
    fn values_that_flip_a_condition() {
        assert_eq!(
            value_for(&op("BoolIfExists"), &["false".into()], false).as_deref(),
            Some("true")
        );
        assert_eq!(
            value_for(&op("StringNotEqualsIfExists"), &["vpce-1".into()], false).as_deref(),
            Some("vpce-1")
        );
        assert_eq!(
            value_for(&op("StringNotEquals"), &["eu-*".into()], false),
            None
        );
        assert_eq!(
            value_for(&op("NotIpAddress"), &["10.0.0.0/8".into()], false).as_deref(),
            Some("10.0.0.0")
        );
        assert_eq!(
            value_for(&op("StringEquals"), &["vpc-1".into()], true).as_deref(),
            Some("vpc-1")
        );
        assert!(is_negated_op(&op("ForAnyValue:StringNotLike")));
        assert!(!is_negated_op(&op("Null")));
    }

    #[test]
    fn sids_are_unique_and_alphanumeric() {
        let doc = json!({"Statement": [{"Sid": "AllowGetObject"}]});
        assert_eq!(sid_for("Allow", "s3:GetObject", &doc), "AllowGetObject2");
        assert_eq!(
            sid_for("Allow", "execute-api:Invoke", &Value::Null),
            "AllowInvoke"
        );
    }
}
