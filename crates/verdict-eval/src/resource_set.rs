//! Sets of resources: `"resource": {"pattern": "arn:aws:s3:::bkt/private/*", "for": "any"}`.
//!
//! The engine runs unchanged on a representative ARN of the set, except that every
//! Resource/NotResource entry is asked of the [`Oracle`](crate::residual::Oracle):
//! "is the resource in this pattern?". The driver explores every answer the engine asks
//! about; each leaf is a set of membership literals with the decision under it. Concrete
//! ARNs of the set (instances of the pattern, and for each policy pattern an ARN in both)
//! are classified by those literals and re-checked by the concrete engine: an allowed one
//! is the `any` witness, a denied one the `all` counter-witness. A leaf no constructed ARN
//! reaches counts only when a proof rules it out (the pattern and the policy pattern are
//! disjoint, or the set lies inside the policy pattern); otherwise the answer fails
//! closed and says so.

use crate::readings::{Assumptions, Readings};
use crate::residual::{Oracle, MAX_LEAVES};
use crate::trace::{Decision, Layer};
use crate::Scenario;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;
use verdict_policy::arn::{arn_shape, Arn, ArnShape, RequestResource, ResourcePattern};
use verdict_policy::model::ResourceEntry;

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

/// One step of the search: the previous positions and the character consumed.
type Step = (usize, usize, Option<char>);

/// A string matched by both globs (`*`, `?`), if any; `fold` compares ignoring ASCII case.
/// Breadth-first search over pairs of positions, so the string is a shortest one.
fn intersect(a: &[char], b: &[char], fold: bool) -> Option<String> {
    let eq = |x: char, y: char| {
        if fold {
            x.eq_ignore_ascii_case(&y)
        } else {
            x == y
        }
    };
    let (n, m) = (a.len(), b.len());
    let mut prev: HashMap<(usize, usize), Option<Step>> = HashMap::new();
    let mut queue = std::collections::VecDeque::new();
    prev.insert((0, 0), None);
    queue.push_back((0usize, 0usize));
    while let Some((i, j)) = queue.pop_front() {
        if i == n && j == m {
            let mut out = Vec::new();
            let mut at = (i, j);
            while let Some(Some((pi, pj, ch))) = prev.get(&at).copied() {
                if let Some(c) = ch {
                    out.push(c);
                }
                at = (pi, pj);
            }
            out.reverse();
            return Some(out.into_iter().collect());
        }
        let mut next: Vec<(usize, usize, Option<char>)> = Vec::new();
        let ca = a.get(i).copied();
        let cb = b.get(j).copied();
        if ca == Some('*') {
            next.push((i + 1, j, None));
        }
        if cb == Some('*') {
            next.push((i, j + 1, None));
        }
        if let (Some(x), Some(y)) = (ca, cb) {
            // Consume one character that both accept (two stars: skipping covers it).
            let ch = match (x, y) {
                ('*', '*') => None,
                ('*' | '?', '*' | '?') => Some('x'),
                ('*' | '?', c) => Some(c),
                (c, '*' | '?') => Some(c),
                (c, d) if eq(c, d) => Some(c),
                _ => None,
            };
            if let Some(ch) = ch {
                let ni = if x == '*' { i } else { i + 1 };
                let nj = if y == '*' { j } else { j + 1 };
                next.push((ni, nj, Some(ch)));
            }
        }
        for (ni, nj, ch) in next {
            if ni <= n && nj <= m && !prev.contains_key(&(ni, nj)) {
                prev.insert((ni, nj), Some((i, j, ch)));
                queue.push_back((ni, nj));
            }
        }
    }
    None
}

/// Does glob `r` match every string of glob `p`? (Sound, not complete: `p`'s `*` is
/// matched only by `r`'s `*`, its `?` by `r`'s `?` or `*`.)
fn covers(r: &[char], p: &[char]) -> bool {
    let (n, m) = (r.len(), p.len());
    // ok[i][j]: r[i..] matches p[j..]; computed from the ends, one row at a time.
    let mut below: Vec<bool> = (0..=m).map(|j| j == m).collect();
    for i in (0..n).rev() {
        let mut row = vec![false; m + 1];
        for j in (0..=m).rev() {
            let at = |v: &Vec<bool>, k: usize| v.get(k).copied().unwrap_or(false);
            let pj = p.get(j).copied();
            let val = match r.get(i).copied() {
                Some('*') => at(&below, j) || (j < m && at(&row, j + 1)),
                Some('?') => pj.is_some_and(|c| c != '*') && at(&below, j + 1),
                Some(c) => pj == Some(c) && at(&below, j + 1),
                None => false,
            };
            if let Some(slot) = row.get_mut(j) {
                *slot = val;
            }
        }
        below = row;
    }
    below.first().copied().unwrap_or(false)
}

/// Is every ARN of the set `p` matched by policy pattern `r`? (Sound, not complete.)
fn set_inside(p: &str, r: &str) -> bool {
    if r == "*" {
        return true;
    }
    if r.contains("${") {
        return false;
    }
    let padded;
    let r = match arn_shape(r) {
        ArnShape::Full => r,
        ArnShape::ShortWildcard(x) => {
            padded = x;
            padded.as_str()
        }
        ArnShape::ShortLiteral => return false,
    };
    let (Some(pa), Some(ra)) = (Arn::parse(p), Arn::parse(r)) else {
        return false;
    };
    let heads = [
        (pa.partition, ra.partition),
        (pa.service, ra.service),
        (pa.region, ra.region),
        (pa.account, ra.account),
    ];
    let heads_ok = heads.iter().all(|(pv, rv)| {
        verdict_policy::glob::Glob::new(&rv.to_ascii_lowercase()).matches(&pv.to_ascii_lowercase())
    });
    let pr: Vec<char> = pa.resource.chars().collect();
    let rr: Vec<char> = ra.resource.chars().collect();
    heads_ok && covers(&rr, &pr)
}

/// Can no ARN of the set `p` match policy pattern `r`? (Sound: compares ignoring case
/// and lets `*` cross colons, which only widens what could match.)
fn set_disjoint(p: &str, r: &str) -> bool {
    if r == "*" || r.contains("${") {
        return false;
    }
    let padded;
    let r = match arn_shape(r) {
        ArnShape::Full => r,
        ArnShape::ShortWildcard(x) => {
            padded = x;
            padded.as_str()
        }
        ArnShape::ShortLiteral => return true,
    };
    let pc: Vec<char> = p.chars().collect();
    let rc: Vec<char> = r.chars().collect();
    intersect(&pc, &rc, true).is_none()
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
    // Candidate members of the set.
    let pc: Vec<char> = set.pattern.chars().collect();
    let mut cands: Vec<String> = Vec::new();
    let add = |x: String, cands: &mut Vec<String>| {
        if !cands.contains(&x) {
            cands.push(x);
        }
    };
    for (star, one) in [("example", "x"), ("", "x"), ("verdict-other/example", "y")] {
        add(instance(&set.pattern, star, one), &mut cands);
    }
    for e in &entries {
        let r = resolved(&e.raw, &s.request.context).unwrap_or_else(|| e.raw.clone());
        let r = r.as_str();
        let padded = match arn_shape(r) {
            ArnShape::ShortWildcard(x) => x,
            _ => r.to_string(),
        };
        let rc: Vec<char> = padded.chars().collect();
        if let Some(w) = intersect(&pc, &rc, false) {
            add(format!("{w}example"), &mut cands);
            add(w.clone(), &mut cands);
            add(format!("{w}x"), &mut cands);
        }
    }
    // Realistic names first: a witness should look like a resource, not a prefix.
    cands.sort_by_key(|c| (c.ends_with(['/', ':']), !c.contains("example")));
    let set_pat = ResourcePattern::new(&set.pattern, false);
    let ctx = &s.request.context;
    let member = |arn: &str| {
        matches!(
            set_pat.matches(&RequestResource::new(arn), |k| ctx.variable_ref(k)),
            Ok(true)
        )
    };
    cands.retain(|c| member(c));
    let in_entry = |e: &ResourceEntry, arn: &str| {
        matches!(
            e.pattern
                .matches(&RequestResource::new(arn), |k| ctx.variable_ref(k)),
            Ok(true)
        )
    };
    // Each candidate's leaf, by its membership literals.
    let leaf_of = |arn: &str| {
        leaves.iter().position(|(path, _)| {
            path.iter()
                .all(|(i, want)| entries.get(*i).is_some_and(|e| in_entry(e, arn) == *want))
        })
    };
    let mut reached = vec![false; leaves.len()];
    let mut checked = 0usize;
    let mut allowed: Option<String> = None;
    let mut denied: Option<(String, crate::Verdict)> = None;
    for c in &cands {
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
            allowed.get_or_insert_with(|| c.clone());
        } else if denied.is_none() {
            denied = Some((c.clone(), v));
        }
    }
    // A leaf no candidate reached: is it ruled out?
    let ruled_out = |path: &BTreeMap<usize, bool>| {
        path.iter().any(|(i, want)| {
            entries.get(*i).is_some_and(|e| {
                let Some(raw) = resolved(&e.raw, ctx) else {
                    return false;
                };
                if *want {
                    set_disjoint(&set.pattern, &raw)
                } else {
                    set_inside(&set.pattern, &raw)
                }
            })
        })
    };
    let open: Vec<&crate::Verdict> = leaves
        .iter()
        .zip(&reached)
        .filter(|((path, _), r)| !**r && !ruled_out(path))
        .map(|((_, v), _)| v)
        .collect();
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
