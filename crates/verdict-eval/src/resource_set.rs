//! Sets of resources: `"resource": {"pattern": "arn:aws:s3:::bkt/private/*", "for": "any"}`.
//!
//! The engine runs unchanged on a representative ARN of the set, except that every
//! Resource/NotResource entry is asked of the [`Oracle`](crate::residual::Oracle):
//! "is the resource in this pattern?". The driver explores every answer the engine asks
//! about; each leaf is a set of membership literals with the decision under it. Concrete
//! ARNs of the set are classified by those literals and checked by the concrete engine: an
//! allowed one is the `any` witness, a denied one the `all` counter-witness. For every
//! leaf, the pattern automata of [`verdict_sets::lang`] either build a member that takes
//! it or prove that none does; only a leaf they cannot model (an API Gateway path pattern,
//! a variable without a value) stays open, and the answer then fails closed and says so.

use crate::readings::{Assumptions, Readings};
use crate::residual::{Oracle, MAX_LEAVES};
use crate::trace::{Decision, Layer};
use crate::Scenario;
use serde::Serialize;
use std::collections::BTreeMap;
use std::rc::Rc;
use verdict_policy::arn::{Arn, RequestResource, ResourcePattern};
use verdict_policy::model::ResourceEntry;
use verdict_sets::lang::{witness, Pattern};

/// A resource set in a scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceSet {
    /// The ARN pattern (`*` and `?` wildcards; no variables).
    pub pattern: String,
    /// True for `"for": "all"`, false for `"any"`.
    pub all: bool,
}

/// Why a resource-set pattern is refused.
pub fn check_pattern(p: &str) -> Result<(), String> {
    if p.contains("${") {
        return Err("a resource-set pattern cannot hold policy variables".into());
    }
    let Some(a) = Arn::parse(p) else {
        return Err(
            "a resource-set pattern is an ARN (arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE) whose resource part may hold * and ?"
                .into(),
        );
    };
    for (name, seg) in [
        ("partition", a.partition),
        ("service", a.service),
        ("region", a.region),
        ("account", a.account),
    ] {
        if seg.contains(['*', '?']) {
            return Err(format!(
                "the {name} of a resource-set pattern must be literal (\"{seg}\"); only the resource part may hold wildcards"
            ));
        }
    }
    Ok(())
}

/// A member of the set: the pattern with `*` → `star`, `?` → `one`.
pub fn instance(pattern: &str, star: &str, one: &str) -> String {
    let mut s = String::with_capacity(pattern.len() + 8);
    for c in pattern.chars() {
        match c {
            '*' => s.push_str(star),
            '?' => s.push_str(one),
            c => s.push(c),
        }
    }
    s
}

/// A Resource entry with its policy variables replaced by the request's values, as a
/// glob; `None` when a value is missing or holds `*`/`?` (which match literally, U15).
fn resolved(raw: &str, ctx: &crate::Context) -> Option<String> {
    use verdict_policy::template::{Part, Template};
    if !raw.contains("${") {
        return Some(raw.to_string());
    }
    let t = Template::parse(raw, true);
    let mut out = String::new();
    for p in t.parts() {
        match p {
            Part::Text(x) => out.push_str(x),
            Part::Var {
                key_lc, default, ..
            } => {
                let v = ctx.variable(key_lc).or_else(|| default.clone())?;
                if v.contains(['*', '?']) {
                    return None;
                }
                out.push_str(&v);
            }
            Part::Fixed(c) if *c == '*' || *c == '?' => return None,
            Part::Fixed(c) => out.push(*c),
        }
    }
    Some(out)
}

/// The answer for a resource set.
#[derive(Clone, Debug, Serialize)]
pub struct SetAnswer {
    /// `allow` when the quantified claim holds (some / every resource allowed), else the
    /// denial of the witness (or of the representative).
    pub decision: Decision,
    /// The deciding layer of that denial.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub denied_by: Option<Layer>,
    /// The set.
    pub resource_set: SetReport,
}

/// What was found about the set.
#[derive(Clone, Debug, Serialize)]
pub struct SetReport {
    /// The pattern.
    pub pattern: String,
    /// `any` or `all`.
    #[serde(rename = "for")]
    pub quantifier: &'static str,
    /// Does the claim hold ("some resource is allowed" / "every resource is allowed")?
    pub holds: bool,
    /// For `any`: an allowed resource; for `all` that fails: a denied one. Checked by the
    /// concrete engine.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub witness: Option<String>,
    /// The witness fits a resource type of the action (catalog ARN formats).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub witness_fits_action: Option<bool>,
    /// False when the answer rests on not finding a witness rather than on a proof (it
    /// then fails closed: the claim is reported as not holding).
    pub proven: bool,
    /// Why it is not proven, or other remarks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// How many distinct resources were checked by the concrete engine.
    pub resources_checked: usize,
    /// How many branches of the policies were explored.
    pub branches: usize,
}

/// Why a resource set could not be answered.
pub use crate::residual::ResidualError;

/// Evaluate a scenario whose resource is a set.
pub fn evaluate_set(s: &Scenario, set: &ResourceSet) -> Result<SetAnswer, ResidualError> {
    let oracle = Rc::new(Oracle::for_resource_set());
    let mut leaves: Vec<(BTreeMap<usize, bool>, crate::Verdict)> = Vec::new();
    let mut stack: Vec<Vec<(usize, bool)>> = vec![Vec::new()];
    while let Some(prefix) = stack.pop() {
        if leaves.len() >= MAX_LEAVES {
            return Err(ResidualError::TooManyBranches);
        }
        oracle.reset_to(&prefix);
        let a = Assumptions::symbolic(Readings::DEFAULT, oracle.clone());
        let v = crate::decide_under(s, &a);
        let fresh = oracle.take_fresh();
        let mut path = prefix;
        for f in fresh {
            let mut alt = path.clone();
            alt.push((f, true));
            stack.push(alt);
            path.push((f, false));
        }
        leaves.push((path.into_iter().collect(), v));
    }
    let entries: Vec<ResourceEntry> = oracle.resource_entries();
    let ctx = &s.request.context;
    // Each entry as a language (None: not modelled, e.g. an API Gateway path pattern or
    // a variable without a value).
    let langs: Vec<Option<Pattern>> = entries
        .iter()
        .map(|e| {
            if e.raw.starts_with("execute-api:") {
                return None;
            }
            resolved(&e.raw, ctx).map(|r| Pattern::resource(&r))
        })
        .collect();
    let set_lang = Pattern::resource(&set.pattern);
    let arn = Pattern::any_arn();
    let set_pat = ResourcePattern::new(&set.pattern, false);
    let member = |x: &str| {
        matches!(
            set_pat.matches(&RequestResource::new(x), |k| ctx.variable_ref(k)),
            Ok(true)
        )
    };
    // Members to try: instances of the pattern, and for each entry one member inside it
    // and one outside it.
    let mut cands: Vec<String> = Vec::new();
    let add = |x: String, cands: &mut Vec<String>| {
        if !cands.contains(&x) {
            cands.push(x);
        }
    };
    for (star, one) in [("example", "x"), ("", "x"), ("verdict-other/example", "y")] {
        add(instance(&set.pattern, star, one), &mut cands);
    }
    for l in langs.iter().flatten() {
        for want in [true, false] {
            if let Ok(Some(w)) = witness(&[(&set_lang, true), (&arn, true), (l, want)]) {
                // A fuller name first, when it stays on the same side.
                let fuller = format!("{w}example");
                if set_lang.matches(&fuller) && l.matches(&fuller) == want {
                    add(fuller, &mut cands);
                }
                add(w, &mut cands);
            }
        }
    }
    cands.retain(|c| member(c));
    // Realistic names first: a witness should look like a resource, not a prefix.
    cands.sort_by_key(|c| (c.ends_with(['/', ':']), !c.contains("example")));
    let in_entry = |e: &ResourceEntry, x: &str| {
        matches!(
            e.pattern
                .matches(&RequestResource::new(x), |k| ctx.variable_ref(k)),
            Ok(true)
        )
    };
    let leaf_of = |x: &str| {
        leaves.iter().position(|(path, _)| {
            path.iter()
                .all(|(i, want)| entries.get(*i).is_some_and(|e| in_entry(e, x) == *want))
        })
    };
    let mut reached = vec![false; leaves.len()];
    let mut checked = 0usize;
    let mut allowed: Option<String> = None;
    let mut denied: Option<(String, crate::Verdict)> = None;
    let mut try_member = |c: &str,
                          reached: &mut Vec<bool>,
                          allowed: &mut Option<String>,
                          denied: &mut Option<(String, crate::Verdict)>| {
        if let Some(l) = leaf_of(c) {
            if let Some(r) = reached.get_mut(l) {
                *r = true;
            }
        }
        let mut one = s.clone();
        one.resource_set = None;
        one.request.resource = RequestResource::new(c);
        let v = crate::decide(&one);
        checked += 1;
        if v.decision == Decision::Allow {
            allowed.get_or_insert_with(|| c.to_string());
        } else if denied.is_none() {
            *denied = Some((c.to_string(), v));
        }
    };
    for c in &cands {
        try_member(c, &mut reached, &mut allowed, &mut denied);
    }
    // Every branch no member reached yet: find one by the automata, or prove there is
    // none. A branch that cannot be modelled stays open.
    let mut open: Vec<crate::Verdict> = Vec::new();
    for (li, (path, v)) in leaves.iter().enumerate() {
        if reached.get(li).copied().unwrap_or(true) {
            continue;
        }
        let mut cons: Vec<(&Pattern, bool)> = vec![(&set_lang, true), (&arn, true)];
        let mut modelled = true;
        for (i, want) in path {
            match langs.get(*i) {
                Some(Some(l)) => cons.push((l, *want)),
                _ => modelled = false,
            }
        }
        match (modelled, witness(&cons)) {
            (true, Ok(None)) => {} // no member takes this branch
            (true, Ok(Some(w))) if member(&w) => {
                let fuller = format!("{w}example");
                if cons.iter().all(|(p, want)| p.matches(&fuller) == *want) && member(&fuller) {
                    try_member(&fuller, &mut reached, &mut allowed, &mut denied);
                }
                try_member(&w, &mut reached, &mut allowed, &mut denied);
                if !reached.get(li).copied().unwrap_or(false) {
                    open.push(*v);
                }
            }
            _ => open.push(*v),
        }
    }
    let open: Vec<&crate::Verdict> = open.iter().collect();
    let action = verdict_catalog::catalog().action(&s.request.action);
    let fits = |w: &str| action.map(|a| a.fits_arn(w));
    let (holds, witness, proven, note, decision, denied_by) = if set.all {
        match &denied {
            Some((w, v)) => (false, Some(w.clone()), true, None, v.decision, v.denied_by),
            None => {
                let unreached_deny = open.iter().any(|v| v.decision != Decision::Allow);
                if unreached_deny {
                    let v = open
                        .iter()
                        .find(|v| v.decision != Decision::Allow)
                        .copied()
                        .copied();
                    (
                        false,
                        None,
                        false,
                        Some("every resource Verdict constructed in the set is allowed, but a combination of policy patterns that denies could not be ruled out; failing closed".to_string()),
                        v.map(|v| v.decision).unwrap_or(Decision::ImplicitDeny),
                        v.and_then(|v| v.denied_by),
                    )
                } else {
                    (true, None, true, None, Decision::Allow, None)
                }
            }
        }
    } else {
        match &allowed {
            Some(w) => (true, Some(w.clone()), true, None, Decision::Allow, None),
            None => {
                let unreached_allow = open.iter().any(|v| v.decision == Decision::Allow);
                let (d, l) = denied
                    .as_ref()
                    .map(|(_, v)| (v.decision, v.denied_by))
                    .unwrap_or((Decision::ImplicitDeny, None));
                (
                    false,
                    None,
                    !unreached_allow,
                    unreached_allow.then(|| "no resource Verdict constructed in the set is allowed, but a combination of policy patterns that allows could not be ruled out".to_string()),
                    d,
                    l,
                )
            }
        }
    };
    Ok(SetAnswer {
        decision,
        denied_by,
        resource_set: SetReport {
            pattern: set.pattern.clone(),
            quantifier: if set.all { "all" } else { "any" },
            holds,
            witness_fits_action: witness.as_deref().and_then(fits),
            witness,
            proven,
            note,
            resources_checked: checked,
            branches: leaves.len(),
        },
    })
}

/// Render a resource-set answer as text.
pub fn render_text(s: &Scenario, a: &SetAnswer) -> String {
    use std::fmt::Write;
    let r = &a.resource_set;
    let mut o = String::new();
    let claim = if r.quantifier == "all" {
        "every resource"
    } else {
        "some resource"
    };
    let head = if r.holds {
        format!("YES: {claim} in {} is allowed", r.pattern)
    } else {
        format!("NO: not {claim} in {} is allowed", r.pattern)
    };
    let _ = writeln!(o, "{head}");
    let _ = writeln!(
        o,
        "  {} {} on {} (for {})",
        s.request.caller.display(),
        s.request.action,
        r.pattern,
        r.quantifier
    );
    match (&r.witness, r.quantifier, r.holds) {
        (Some(w), "any", _) => {
            let _ = writeln!(o, "\nAllowed, for example: {w}");
        }
        (Some(w), _, false) => {
            let how = match (a.decision, a.denied_by) {
                (d, Some(l)) => format!("{} in the {}", d.as_str(), l.title()),
                (d, None) => d.as_str().to_string(),
            };
            let _ = writeln!(o, "\nDenied, for example: {w} ({how})");
        }
        _ => {}
    }
    if let Some(n) = &r.note {
        let _ = writeln!(o, "\nNot proven: {n}");
    }
    let _ = writeln!(
        o,
        "\n{} resources checked by the concrete engine, {} branches of the policies explored.",
        r.resources_checked, r.branches
    );
    o
}
