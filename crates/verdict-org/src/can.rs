//! `verdict can`: what one principal may do, as a compact list of (actions, resource
//! pattern, condition), each row decided by the exact procedure; and the action-level
//! permissions of every principal at once (the org-wide sweep).
//!
//! Actions are grouped by service and by the exact set of statements (in every layer)
//! whose Action element covers them: actions of one group meet the same statements, so
//! one decision per resource pattern stands for the group.

use crate::index::{effective, Bits, Effective, Indexer, Universe};
use crate::query::{scenario, Who};
use crate::snapshot::{Principal, Snapshot};
use crate::who_can::granted_by;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::BTreeMap;
use verdict_eval::context::Context;
use verdict_eval::residual::{self, ResidualDecision};
use verdict_eval::resource_set::{evaluate_set, instance, ResourceSet};
use verdict_eval::{Decision, NamedPolicy, Scenario};
use verdict_policy::Effect;

/// One row of a principal's effective permissions.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    /// The actions (`s3:*` when the row holds every action of the service).
    pub actions: Vec<String>,
    /// The resource pattern.
    pub resource: String,
    /// `allow`, `conditional` or `unknown`.
    pub decision: &'static str,
    /// `all`: every resource matching the pattern is allowed (proven, for resources
    /// governed like `example`: the same resource policy and owner); `some`: only some
    /// are (`denied_example` is one that is not); `checked`: decided on `example`.
    pub scope: &'static str,
    /// When conditional: the condition on the request, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// When conditional: as a Condition block, when one expresses it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition_block: Option<serde_json::Value>,
    /// The resource the decision was made on.
    pub example: String,
    /// A resource of the pattern that is denied (scope `some`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub denied_example: Option<String>,
    /// The statements that grant it.
    pub granted_by: Vec<String>,
}

/// The answer for one principal.
#[derive(Clone, Debug, Serialize)]
pub struct Can {
    /// The principal.
    pub principal: String,
    /// Rows.
    pub rows: Vec<Row>,
    /// Actions allowed on every resource of the account without a resource policy.
    pub allowed_actions: usize,
    /// Actions that some resource or context may allow.
    pub possible_actions: usize,
    /// Why the answer may be incomplete.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub incomplete: Vec<String>,
    /// Remarks.
    pub notes: Vec<String>,
}

/// Options of a `can` question.
#[derive(Clone, Debug, Default)]
pub struct CanOptions {
    /// Only actions matching this pattern.
    pub action: Option<String>,
    /// Ask about this resource pattern instead of the statements' own.
    pub resource: Option<String>,
    /// Context values the requests carry (the rest stay unknown).
    pub context: Context,
}

/// The statements that bind a principal's requests in its own account, in order.
fn layers(snap: &Snapshot, p: &Principal) -> Vec<NamedPolicy> {
    let mut v: Vec<NamedPolicy> = p.identity.clone();
    v.extend(p.boundary.iter().cloned());
    if let Some(l) = snap.levels(&p.account) {
        v.extend(l.scps.iter().flatten().flatten().cloned());
        v.extend(l.rcps.iter().flatten().flatten().cloned());
    }
    v
}

/// Compress a list of action ids as [`compress_bits`] does.
fn compress(u: &Universe, ids: &[usize]) -> Vec<String> {
    let mut b = Bits::empty(u.len());
    for i in ids {
        b.set(*i);
    }
    compress_bits(u, &b)
        .into_iter()
        .map(Cow::into_owned)
        .collect()
}

/// Compress a set of action ids: `*` for every action, `svc:*` for a whole service,
/// else the action names (borrowed from the universe).
pub fn compress_bits<'u>(u: &'u Universe, b: &Bits) -> Vec<Cow<'u, str>> {
    let total = b.count();
    if total == u.len() && !u.is_empty() {
        return vec![Cow::Borrowed("*")];
    }
    let mut out = Vec::with_capacity(total);
    for (prefix, start, end) in &u.services {
        let n = b.count_range(*start, *end);
        if n == 0 {
            continue;
        }
        if n == end - start {
            out.push(Cow::Owned(format!("{prefix}:*")));
        } else {
            out.extend(
                (*start..*end)
                    .filter(|i| b.get(*i))
                    .map(|i| Cow::Borrowed(u.name(i))),
            );
        }
    }
    out
}

/// A pattern for "any resource" of an action: its first resource type's ARN format in
/// the principal's account, or `*` for actions without resource types.
pub fn any_resource(action: &str, account: &str) -> String {
    let cat = verdict_catalog::catalog();
    let Some(a) = cat.action(action) else {
        return "*".into();
    };
    let Some(rt) = a.resource_types().filter_map(|r| r.resource_type()).next() else {
        return "*".into();
    };
    let Some(fmt) = rt.arn_patterns().next() else {
        return "*".into();
    };
    let mut out = String::new();
    let mut rest = fmt;
    while let Some(i) = rest.find("${") {
        out.push_str(rest.get(..i).unwrap_or(""));
        let after = rest.get(i + 2..).unwrap_or("");
        let Some(j) = after.find('}') else { break };
        let var = after.get(..j).unwrap_or("");
        out.push_str(match var {
            "Partition" => "aws",
            "Region" => "us-east-1",
            v if v.contains("Account") => account,
            _ => "*",
        });
        rest = after.get(j + 1..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// Service, statements of the principal's layers, statements of the resource policy,
/// action class: what a group of resource-policy grants shares.
type ResourceGrantKey = (String, Vec<usize>, Vec<usize>, ActionClass);

/// What, besides the statements, decides an action alike with others of its service.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct ActionClass {
    any_resource: String,
    trust: bool,
    no_permission: bool,
    level: &'static str,
}

fn action_class(action: &str, account: &str) -> ActionClass {
    let any = any_resource(action, account);
    let (svc, name) = verdict_eval::request::Request::split_action(action).unwrap_or_default();
    ActionClass {
        trust: verdict_eval::request::is_trust_action(&svc, &name, &any),
        no_permission: verdict_catalog::special::no_permission_action(action).is_some(),
        // IAM refusals depend on the access level (§10.2).
        level: verdict_catalog::catalog()
            .action(action)
            .map(|a| a.access_level().as_str())
            .unwrap_or(""),
        any_resource: any,
    }
}

/// Replace the principal's own policy variables in a Resource entry (`None` when one
/// has no value in the snapshot).
fn resolve_vars(raw: &str, ctx: &Context) -> Option<String> {
    use verdict_policy::template::{Part, Template};
    if !raw.contains("${") {
        return Some(raw.to_string());
    }
    let mut out = String::new();
    for part in Template::parse(raw, true).parts() {
        match part {
            Part::Text(x) => out.push_str(x),
            Part::Var {
                key_lc, default, ..
            } => out.push_str(&ctx.variable(key_lc).or_else(|| default.clone())?),
            Part::Fixed(c) => out.push(*c),
        }
    }
    Some(out)
}

/// Does every statement that may concern the request treat all of `pattern` alike?
/// True when each Resource/NotResource entry of each statement whose action covers the
/// request is `*`, holds every member of the pattern, or none of them (exact, by the
/// pattern automata); then the decision on one member is the decision on all. A cheap
/// proof that spares the full resource-set exploration; `false` means "not shown".
pub(crate) fn uniform_over(pattern: &str, s: &Scenario) -> bool {
    use verdict_sets::lang::{disjoint, subset, Pattern};
    let set = Pattern::resource(pattern);
    let req = &s.request;
    for np in s.policies.all() {
        for st in &np.policy.statements {
            if !st
                .action
                .covers_hashed(req.service_hash, &req.service_lc, &req.name_lc)
            {
                continue;
            }
            let Some(rb) = &st.resource else { continue };
            for e in &rb.entries {
                if e.raw == "*" {
                    continue;
                }
                if e.raw.contains("${") {
                    return false;
                }
                let q = Pattern::resource(&e.raw);
                let alike =
                    subset(&set, &q).unwrap_or(false) || disjoint(&set, &q).unwrap_or(false);
                if !alike {
                    return false;
                }
            }
        }
    }
    true
}

/// Is `resource` an ARN pattern (a set of resources) rather than one resource?
pub(crate) fn is_pattern(resource: &str) -> bool {
    resource.starts_with("arn:") && resource.contains(['*', '?'])
}

/// The member of `pattern` a question is first decided on (`*` filled with `star`), or
/// the resource itself.
pub(crate) fn representative(pattern: &str, star: &str) -> String {
    if is_pattern(pattern) {
        instance(pattern, star, "x")
    } else {
        pattern.to_string()
    }
}

/// A member of `pattern` that `who` may act on, with its scenario, when `s` (the
/// representative member) is denied: the resource-set search finds one, and the concrete
/// engine confirms it. `None` when the statements treat every member alike (denied on
/// one, denied on all), when there is none, or when the search gives up.
pub(crate) fn allowed_member(
    snap: &Snapshot,
    who: &Who,
    action: &str,
    pattern: &str,
    s: &Scenario,
    context: &Context,
) -> Option<(String, Scenario)> {
    if !is_pattern(pattern) || uniform_over(pattern, s) {
        return None;
    }
    let set = ResourceSet {
        pattern: pattern.to_string(),
        all: false,
    };
    let a = evaluate_set(s, &set).ok()?;
    let w = a.resource_set.witness.filter(|_| a.resource_set.holds)?;
    let sw = scenario(snap, who, action, &w, context.clone()).ok()?;
    (verdict_eval::decide(&sw).decision == Decision::Allow).then_some((w, sw))
}

/// Decide one (action group, resource pattern) cell.
fn decide_cell(
    snap: &Snapshot,
    who: &Who,
    action: &str,
    pattern: &str,
    context: &Context,
) -> Result<Option<Row>, String> {
    let member = representative(pattern, "example");
    let s = scenario(snap, who, action, &member, context.clone()).map_err(|e| e.0)?;
    let concrete = verdict_eval::decide(&s);
    let row = |decision, scope, example: &str| Row {
        actions: Vec::new(),
        resource: pattern.to_string(),
        decision,
        scope,
        condition: None,
        condition_block: None,
        example: example.to_string(),
        denied_example: None,
        granted_by: Vec::new(),
    };
    let is_set = is_pattern(pattern);
    if concrete.decision == Decision::Allow {
        let mut r = row("allow", "checked", &member);
        r.granted_by = granted_by(&s);
        // A resource without wildcards (or `*`, for actions without resource types) is
        // its own only member, and a pattern every statement treats alike is decided by
        // any member.
        if !is_set || uniform_over(pattern, &s) {
            r.scope = "all";
        } else if is_set {
            let set = ResourceSet {
                pattern: pattern.to_string(),
                all: true,
            };
            if let Ok(a) = evaluate_set(&s, &set) {
                if a.resource_set.holds && a.resource_set.proven {
                    r.scope = "all";
                } else if !a.resource_set.holds {
                    r.scope = "some";
                    r.denied_example = a.resource_set.witness.clone();
                }
            }
        }
        return Ok(Some(r));
    }
    // Some member, or some context, may still allow.
    if let Some((w, sw)) = allowed_member(snap, who, action, pattern, &s, context) {
        let mut r = row("allow", "some", &w);
        r.granted_by = granted_by(&sw);
        r.denied_example = Some(member.clone());
        return Ok(Some(r));
    }
    let Some(u) = crate::query::with_unknown_keys(&s) else {
        return Ok(None);
    };
    match residual::residual(&u) {
        Ok(res) => match res.decision {
            ResidualDecision::Allow | ResidualDecision::Conditional => {
                let mut r = row("conditional", "checked", &member);
                if let Some(f) = &res.residual {
                    r.condition = Some(f.text.clone());
                    r.condition_block = f.condition.clone();
                }
                Ok(Some(r))
            }
            _ => Ok(None),
        },
        Err(e) => {
            let mut r = row("unknown", "checked", &member);
            r.condition = Some(format!("could not be decided: {e}"));
            Ok(Some(r))
        }
    }
}

/// What can principal `pi` do?
pub fn can(
    snap: &Snapshot,
    ix: &mut Indexer<'_>,
    pi: usize,
    opts: &CanOptions,
) -> Result<Can, String> {
    let p = snap.principals.get(pi).ok_or("no such principal")?;
    let u = ix.universe;
    let eff: Effective = effective(ix, snap, p);
    let mut cand = eff.allowed.clone();
    cand.or(&eff.possible);
    if let Some(a) = &opts.action {
        cand.and(&u.expand(a));
    }
    let mut notes = Vec::new();
    // Signatures: which statements of the principal's layers mention each action.
    let pols = layers(snap, p);
    let mut stmts: Vec<(usize, usize, Bits)> = Vec::new();
    for (pi_, np) in pols.iter().enumerate() {
        for (si, st) in np.policy.statements.iter().enumerate() {
            stmts.push((pi_, si, ix.statement(st)));
        }
    }
    // Actions of one group meet the same statements and are decided alike: same service,
    // same statements, same kind of resource (the ARN format a `*` grant is decided on),
    // and the same service rules (trust actions, actions that need no permission,
    // refusals that depend on the action).
    let mut groups: BTreeMap<(String, Vec<usize>, ActionClass), Vec<usize>> = BTreeMap::new();
    for a in cand.iter() {
        let sig: Vec<usize> = stmts
            .iter()
            .enumerate()
            .filter(|(_, (_, _, b))| b.get(a))
            .map(|(k, _)| k)
            .collect();
        let svc = u.actions.get(a).map(|x| x.0.clone()).unwrap_or_default();
        let class = action_class(u.name(a), &p.account);
        groups.entry((svc, sig, class)).or_default().push(a);
    }
    let who = Who::Principal(pi);
    let base =
        scenario(snap, &who, "sts:GetCallerIdentity", "*", Context::new()).map_err(|e| e.0)?;
    let ctx = &base.request.context;
    let mut rows = Vec::new();
    let mut star_rows: Vec<(Vec<usize>, Row)> = Vec::new();
    for ((_, sig, _), ids) in &groups {
        let Some(rep) = ids.first().map(|i| u.name(*i).to_string()) else {
            continue;
        };
        let mut patterns: Vec<String> = Vec::new();
        match &opts.resource {
            Some(r) => patterns.push(r.clone()),
            None => {
                for k in sig {
                    let Some((pk, sk, _)) = stmts.get(*k) else {
                        continue;
                    };
                    let Some(st) = pols.get(*pk).and_then(|np| np.policy.statements.get(*sk))
                    else {
                        continue;
                    };
                    if st.effect != Effect::Allow || *pk >= p.identity.len() {
                        continue;
                    }
                    match &st.resource {
                        Some(rb) if !rb.negated => {
                            for e in &rb.entries {
                                match resolve_vars(&e.raw, ctx) {
                                    Some(x) => patterns.push(x),
                                    None => notes.push(format!("{} uses a policy variable the snapshot has no value for: {}", np_label(&pols, *pk), e.raw)),
                                }
                            }
                        }
                        _ => patterns.push("*".into()),
                    }
                }
            }
        }
        patterns.sort();
        patterns.dedup();
        for pat in patterns {
            let star = pat == "*";
            let pat = if star {
                any_resource(&rep, &p.account)
            } else {
                pat
            };
            if let Some(mut row) = decide_cell(snap, &who, &rep, &pat, &opts.context)? {
                row.actions = compress(u, ids);
                if star && row.decision == "allow" && row.scope == "all" {
                    star_rows.push((ids.clone(), row));
                } else {
                    rows.push(row);
                }
            }
        }
    }
    // `Resource: "*"` grants that hold on every resource of their actions' types, merged
    // by the statements that grant them: one row per grant instead of one per service.
    let mut merged: Vec<(Vec<String>, Vec<usize>, Row)> = Vec::new();
    for (ids, row) in star_rows {
        match merged.iter_mut().find(|(g, _, _)| *g == row.granted_by) {
            Some((_, all, _)) => all.extend(ids),
            None => merged.push((row.granted_by.clone(), ids, row)),
        }
    }
    for (_, ids, mut row) in merged {
        row.actions = compress(u, &ids);
        row.resource = "*".into();
        rows.insert(0, row);
    }
    // Grants that resource policies of the snapshot make to the principal.
    for r in &snap.resources {
        for st in &r.policy.policy.statements {
            if st.effect != Effect::Allow || st.principal.is_none() {
                continue;
            }
            let mut acts = ix.statement(st);
            if let Some(a) = &opts.action {
                acts.and(&u.expand(a));
            }
            // Grouped as above: the statements of the principal's own layers that mention
            // the action, and the action's class, must agree for one decision to stand.
            let resource_policy_stmts: Vec<Bits> = r
                .policy
                .policy
                .statements
                .iter()
                .map(|x| ix.statement(x))
                .collect();
            let mut by_svc: BTreeMap<ResourceGrantKey, Vec<usize>> = BTreeMap::new();
            for a in acts.iter() {
                if let Some(x) = u.actions.get(a) {
                    let sig: Vec<usize> = stmts
                        .iter()
                        .enumerate()
                        .filter(|(_, (_, _, b))| b.get(a))
                        .map(|(k, _)| k)
                        .collect();
                    let rsig: Vec<usize> = resource_policy_stmts
                        .iter()
                        .enumerate()
                        .filter(|(_, b)| b.get(a))
                        .map(|(k, _)| k)
                        .collect();
                    let class = action_class(&x.2, &p.account);
                    by_svc
                        .entry((x.0.clone(), sig, rsig, class))
                        .or_default()
                        .push(a);
                }
            }
            let target = match &opts.resource {
                Some(x) => x.clone(),
                None => r.arn.clone(),
            };
            for ids in by_svc.values() {
                let Some(rep) = ids.first().map(|i| u.name(*i).to_string()) else {
                    continue;
                };
                let already = rows
                    .iter()
                    .any(|row| row.resource == target && row.actions.contains(&rep));
                if already {
                    continue;
                }
                if let Some(mut row) = decide_cell(snap, &who, &rep, &target, &opts.context)? {
                    row.actions = compress(u, ids);
                    rows.push(row);
                }
            }
        }
    }
    Ok(Can {
        principal: p.arn.clone(),
        rows,
        allowed_actions: eff.allowed.count(),
        possible_actions: eff.possible.count(),
        incomplete: p.incomplete.clone(),
        notes,
    })
}

fn np_label(pols: &[NamedPolicy], i: usize) -> String {
    pols.get(i).map(|p| p.label.clone()).unwrap_or_default()
}

/// One policy granting the `allow` rows (and the conditional rows whose condition a
/// Condition block expresses): the principal's effective permissions in one document.
pub fn synthesize(c: &Can) -> serde_json::Value {
    let mut statements = Vec::new();
    for r in &c.rows {
        let mut st = serde_json::json!({
            "Effect": "Allow",
            "Action": r.actions,
            "Resource": if r.scope == "some" { r.example.clone() } else { r.resource.clone() },
        });
        match (r.decision, &r.condition_block) {
            ("allow", _) => {}
            ("conditional", Some(b)) => {
                if let Some(o) = st.as_object_mut() {
                    o.insert("Condition".into(), b.clone());
                }
            }
            _ => continue,
        }
        statements.push(st);
    }
    serde_json::json!({"Version": "2012-10-17", "Statement": statements})
}

/// The action-level permissions of one principal, for the org-wide sweep.
#[derive(Clone, Debug, Serialize)]
pub struct ActionLevel<'a> {
    /// The principal's ARN.
    pub principal: &'a str,
    /// Account.
    pub account: &'a str,
    /// `user` or `role`.
    pub kind: &'static str,
    /// Actions allowed on every resource of its account without a resource policy,
    /// whatever the context (compressed), as in [`Effective::allowed`].
    pub allowed: Vec<Cow<'a, str>>,
    /// Actions some resource or context may allow (compressed), as in
    /// [`Effective::possible`].
    pub possible: Vec<Cow<'a, str>>,
    /// How many actions `allowed` holds.
    pub allowed_count: usize,
    /// How many actions `possible` holds.
    pub possible_count: usize,
    /// Why the answer may be incomplete.
    pub incomplete: &'a [String],
}

/// Action-level permissions of principal `p`, restricted to the actions of `only`.
pub fn action_level<'a>(
    ix: &mut Indexer<'a>,
    snap: &'a Snapshot,
    p: &'a Principal,
    only: Option<&Bits>,
) -> ActionLevel<'a> {
    let mut e = effective(ix, snap, p);
    if let Some(o) = only {
        e.allowed.and(o);
        e.possible.and(o);
    }
    let u: &'a Universe = ix.universe;
    ActionLevel {
        principal: &p.arn,
        account: &p.account,
        kind: p.kind.as_str(),
        allowed: compress_bits(u, &e.allowed),
        possible: compress_bits(u, &e.possible),
        allowed_count: e.allowed.count(),
        possible_count: e.possible.count(),
        incomplete: &p.incomplete,
    }
}

/// Rows of the sweep as one Arrow record batch: `principal`, `account`, `kind` (Utf8),
/// `allowed_count`, `possible_count` (Int64), `allowed`, `possible`, `incomplete`
/// (List<Utf8>), the same columns as the CSV and JSON Lines outputs.
pub fn action_level_batch(rows: &[ActionLevel<'_>]) -> Result<arrow_array::RecordBatch, String> {
    use arrow_array::builder::{ListBuilder, StringBuilder};
    use arrow_array::{ArrayRef, Int64Array, StringArray};
    use arrow_schema::{DataType, Field, Schema};
    use std::sync::Arc;
    let list = || DataType::List(Arc::new(Field::new("item", DataType::Utf8, true)));
    let schema = Arc::new(Schema::new(vec![
        Field::new("principal", DataType::Utf8, true),
        Field::new("account", DataType::Utf8, true),
        Field::new("kind", DataType::Utf8, true),
        Field::new("allowed_count", DataType::Int64, true),
        Field::new("possible_count", DataType::Int64, true),
        Field::new("allowed", list(), true),
        Field::new("possible", list(), true),
        Field::new("incomplete", list(), true),
    ]));
    fn lists<'x>(cells: impl Iterator<Item = Vec<&'x str>>) -> ArrayRef {
        let mut b = ListBuilder::new(StringBuilder::new());
        for cell in cells {
            for x in cell {
                b.values().append_value(x);
            }
            b.append(true);
        }
        Arc::new(b.finish())
    }
    let count = |x: usize| i64::try_from(x).unwrap_or(i64::MAX);
    let columns: Vec<ArrayRef> = vec![
        Arc::new(
            rows.iter()
                .map(|r| Some(r.principal))
                .collect::<StringArray>(),
        ),
        Arc::new(
            rows.iter()
                .map(|r| Some(r.account))
                .collect::<StringArray>(),
        ),
        Arc::new(rows.iter().map(|r| Some(r.kind)).collect::<StringArray>()),
        Arc::new(
            rows.iter()
                .map(|r| Some(count(r.allowed_count)))
                .collect::<Int64Array>(),
        ),
        Arc::new(
            rows.iter()
                .map(|r| Some(count(r.possible_count)))
                .collect::<Int64Array>(),
        ),
        lists(
            rows.iter()
                .map(|r| r.allowed.iter().map(|c| c.as_ref()).collect()),
        ),
        lists(
            rows.iter()
                .map(|r| r.possible.iter().map(|c| c.as_ref()).collect()),
        ),
        lists(
            rows.iter()
                .map(|r| r.incomplete.iter().map(String::as_str).collect()),
        ),
    ];
    arrow_array::RecordBatch::try_new(schema, columns).map_err(|e| e.to_string())
}
