//! The residual property test (issue 12): every conformance case, with one of its context
//! keys made unknown, gives a residual that agrees with the concrete engine on sampled
//! completions of that key: its representative values, the case's own value, absence,
//! and random values. Both the simplified residual (atom literals) and its rendering as
//! policy Condition blocks are checked, and a definite answer (`allow`, `…_deny`) must
//! hold for every sample.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice
)]

use std::path::PathBuf;
use verdict_eval::readings::{Assumptions, Readings};
use verdict_eval::residual::{
    complete_scenario, representatives, residual, Completion, Residual, ResidualDecision,
};
use verdict_eval::scenario::UnknownKey;
use verdict_eval::{decide, load_scenario, CtxValue, Decision, Scenario};
use verdict_policy::{parse_policy, ParseOptions, PolicyType, SourceFile};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Deterministic pseudo-random numbers (xorshift).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn random_value(rng: &mut Rng, like: Option<&CtxValue>) -> CtxValue {
    let pick = rng.below(6);
    let s = match pick {
        0 => format!(
            "{}.{}.{}.{}",
            rng.below(256),
            rng.below(256),
            rng.below(256),
            rng.below(256)
        ),
        1 => format!("{}", rng.below(100_000)),
        2 => ["true", "false"][rng.below(2)].to_string(),
        3 => format!("arn:aws:s3:::b{}/k{}", rng.below(9), rng.below(9)),
        4 => match like {
            Some(CtxValue::Single(v)) if !v.is_empty() => {
                let cut = rng.below(v.len());
                format!("{}x", v.chars().take(cut).collect::<String>())
            }
            _ => "v".to_string(),
        },
        _ => format!("val-{}", rng.below(1000)),
    };
    match like {
        Some(CtxValue::Multi(_)) => CtxValue::Multi(vec![s]),
        _ => CtxValue::Single(s),
    }
}

/// Do the rendered Condition blocks hold under the completion?
fn blocks_hold(s: &Scenario, r: &Residual, c: &Completion) -> Option<bool> {
    let f = r.residual.as_ref()?;
    if !f.expressible {
        return None;
    }
    let blocks: Vec<serde_json::Value> = match (&f.condition, &f.any_of) {
        (Some(one), _) => vec![one.clone()],
        (None, Some(many)) => many.clone(),
        _ => return None,
    };
    let done = complete_scenario(s, c);
    let mut any = false;
    for b in blocks {
        let text = serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": b}]
        })
        .to_string();
        let src = SourceFile::new("residual block", text.as_str());
        let p = parse_policy(&src, ParseOptions::new(PolicyType::Identity))
            .unwrap_or_else(|d| panic!("rendered block does not parse: {d:?}\n{text}"));
        let a = Assumptions::new(Readings::DEFAULT);
        let holds = p.statements[0]
            .conditions
            .iter()
            .all(|cond| verdict_eval::matching::condition_holds(cond, &done.request.context, &a));
        any |= holds;
    }
    Some(any)
}

#[test]
fn residual_matches_concrete_engine_on_sampled_completions() {
    let files = verdict_eval::testing::collect_files(&[root().join("conformance")]).unwrap();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (mut variants, mut samples, mut conditional, mut block_checks, mut pairs, mut examples) =
        (0, 0, 0, 0, 0, 0);
    let mut failures = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let yaml = f.extension().is_some_and(|e| e == "yaml" || e == "yml");
        let Ok(s) = load_scenario(
            &SourceFile::new(f.display().to_string(), text.as_str()),
            yaml,
        ) else {
            continue;
        };
        if !s.unknown.is_empty() {
            // The residual cases check themselves (expect.allowed_when / denied_when).
            continue;
        }
        let mut given: Vec<(String, Option<CtxValue>)> = s
            .request
            .context
            .entries()
            .filter(|e| !e.derived && e.values.len() == 1)
            .map(|e| (e.key.clone(), Some(e.values[0].clone())))
            .collect();
        // Keys the policies test that the case does not give (absent in the case).
        let pol = &s.policies;
        let all: Vec<&verdict_eval::NamedPolicy> = pol
            .identity
            .iter()
            .chain(pol.resource.iter())
            .chain(pol.permissions_boundary.iter())
            .chain(pol.session.iter())
            .chain(pol.scps.iter().flatten().flatten())
            .chain(pol.rcps.iter().flatten().flatten())
            .chain(pol.vpc_endpoint.iter().flatten())
            .collect();
        for p in all {
            for st in &p.policy.statements {
                for c in &st.conditions {
                    let known = s.request.context.get(&c.key_lc).is_some()
                        || given.iter().any(|(k, _)| k.eq_ignore_ascii_case(&c.key));
                    if !known && !c.key.contains("${") {
                        given.push((c.key.clone(), None));
                    }
                }
            }
        }
        // Two keys at once: sampled on a product of values.
        if let [(k1, o1), (k2, o2), ..] = given.as_slice() {
            if !k1.eq_ignore_ascii_case(k2) {
                let mut u = s.clone();
                for k in [k1, k2] {
                    u.request.context.remove(k);
                    u.unknown.push(UnknownKey {
                        key: k.clone(),
                        present: false,
                    });
                }
                match residual(&u) {
                    Err(e) => failures.push(format!("{}: {k1}+{k2}: {e}", f.display())),
                    Ok(r) => {
                        pairs += 1;
                        let reps = representatives(&u).unwrap();
                        let pick = |k: &String, o: &Option<CtxValue>, rng: &mut Rng| {
                            let mut v = vec![o.clone(), None];
                            if let Some((_, vals, _)) = reps.iter().find(|(rk, _, _)| rk == k) {
                                for _ in 0..4 {
                                    v.push(vals[rng.below(vals.len())].clone());
                                }
                            }
                            v.push(Some(random_value(rng, o.as_ref())));
                            v
                        };
                        let v1 = pick(k1, o1, &mut rng);
                        let v2 = pick(k2, o2, &mut rng);
                        for a in &v1 {
                            for b in &v2 {
                                let c: Completion =
                                    [(k1.clone(), a.clone()), (k2.clone(), b.clone())]
                                        .into_iter()
                                        .collect();
                                let concrete =
                                    decide(&complete_scenario(&u, &c)).decision == Decision::Allow;
                                samples += 1;
                                if concrete != r.allows(&u, &c) {
                                    failures.push(format!(
                                        "{}: {k1} = {a:?}, {k2} = {b:?}: engine allows={concrete}, residual {}: {}",
                                        f.display(),
                                        r.decision.as_str(),
                                        r.residual.as_ref().map(|x| x.text.as_str()).unwrap_or("-")
                                    ));
                                }
                            }
                        }
                    }
                }
            }
        }
        for (key, original) in given {
            let mut u = s.clone();
            u.request.context.remove(&key);
            u.unknown.push(UnknownKey {
                key: key.clone(),
                present: false,
            });
            let r = match residual(&u) {
                Ok(r) => r,
                Err(e) => {
                    failures.push(format!("{}: {key}: {e}", f.display()));
                    continue;
                }
            };
            variants += 1;
            if r.decision == ResidualDecision::Conditional {
                conditional += 1;
            }
            // The printed examples are what they claim to be.
            for (example, want) in [(&r.allowed_example, true), (&r.denied_example, false)] {
                if let Some(serde_json::Value::Object(m)) = example {
                    let c: Completion = m
                        .iter()
                        .map(|(k, v)| {
                            let value = match v {
                                serde_json::Value::Null => None,
                                serde_json::Value::Array(a) => Some(CtxValue::Multi(
                                    a.iter()
                                        .map(|x| {
                                            x.as_str().map_or_else(|| x.to_string(), str::to_string)
                                        })
                                        .collect(),
                                )),
                                serde_json::Value::String(t) => Some(CtxValue::Single(t.clone())),
                                other => Some(CtxValue::Single(other.to_string())),
                            };
                            (k.clone(), value)
                        })
                        .collect();
                    let allowed = decide(&complete_scenario(&u, &c)).decision == Decision::Allow;
                    if allowed != want {
                        failures.push(format!(
                            "{}: {key}: example {c:?} is not {}",
                            f.display(),
                            if want { "allowed" } else { "denied" }
                        ));
                    }
                    examples += 1;
                }
            }
            let reps = representatives(&u).unwrap();
            let mut completions: Vec<Option<CtxValue>> = vec![original.clone(), None];
            for (_, values, _) in &reps {
                completions.extend(values.iter().cloned());
            }
            for _ in 0..8 {
                completions.push(Some(random_value(&mut rng, original.as_ref())));
            }
            for v in completions {
                let c: Completion = [(key.clone(), v.clone())].into_iter().collect();
                let concrete = decide(&complete_scenario(&u, &c)).decision == Decision::Allow;
                let claimed = r.allows(&u, &c);
                samples += 1;
                if concrete != claimed {
                    failures.push(format!(
                        "{}: {key} = {v:?}: engine allows={concrete}, residual ({}: {}) allows={claimed}",
                        f.display(),
                        r.decision.as_str(),
                        r.residual.as_ref().map(|x| x.text.as_str()).unwrap_or("-")
                    ));
                    continue;
                }
                // Rendered blocks: exact for values of the key's declared type.
                if let Some(b) = blocks_hold(&u, &r, &c) {
                    let typed_ok = verdict_eval::residual::declared_type(&u, &key).is_none()
                        || v.as_ref().is_none_or(|x| match x {
                            CtxValue::Single(t) => reps.iter().any(|(_, vals, _)| {
                                vals.contains(&Some(CtxValue::Single(t.clone())))
                            }),
                            CtxValue::Multi(_) => true,
                        });
                    if typed_ok {
                        block_checks += 1;
                        if b != concrete {
                            failures.push(format!(
                                "{}: {key} = {v:?}: engine allows={concrete}, rendered blocks hold={b}: {}",
                                f.display(),
                                r.residual.as_ref().map(|x| x.text.as_str()).unwrap_or("-")
                            ));
                        }
                    }
                }
            }
        }
    }
    eprintln!(
        "residual property: {variants} one-key variants ({conditional} conditional), {pairs} two-key variants, {samples} sampled completions, {block_checks} rendered-block checks, {examples} printed examples re-checked"
    );
    assert!(variants > 100, "too few variants: {variants}");
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// Resource sets: sampled members of each set (random fillers for its wildcards) agree
/// with the answer: for a proven `all`, every member is allowed; for a proven failing
/// `any`, none is; and every printed witness is a member with the claimed decision.
#[test]
fn resource_set_answers_hold_for_sampled_members() {
    use verdict_eval::resource_set::{evaluate_set, instance};
    let files =
        verdict_eval::testing::collect_files(&[root().join("conformance/resource-sets")]).unwrap();
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let (mut sets, mut samples) = (0, 0);
    let mut failures = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let Ok(s) = load_scenario(
            &SourceFile::new(f.display().to_string(), text.as_str()),
            false,
        ) else {
            continue;
        };
        let Some(set) = s.resource_set.clone() else {
            continue;
        };
        let a = evaluate_set(&s, &set).unwrap();
        sets += 1;
        let concrete = |arn: &str| {
            let mut one = s.clone();
            one.resource_set = None;
            one.request.resource = verdict_policy::arn::RequestResource::new(arn);
            decide(&one).decision
        };
        if let Some(w) = &a.resource_set.witness {
            let d = concrete(w);
            let want_allow = !set.all;
            if (d == Decision::Allow) != want_allow {
                failures.push(format!("{}: witness {w} is {}", f.display(), d.as_str()));
            }
        }
        let fillers = [
            "",
            "a",
            "secret/x",
            "hr/2026/q1.csv",
            "public/x",
            "example",
            "1",
            "x/y/z",
        ];
        for _ in 0..60 {
            let star = fillers[rng.below(fillers.len())];
            let one = ["1", "x", "/"][rng.below(3)];
            let arn = instance(&set.pattern, star, one);
            let d = concrete(&arn);
            samples += 1;
            let r = &a.resource_set;
            if set.all && r.holds && d != Decision::Allow {
                failures.push(format!(
                    "{}: claims every member allowed, but {arn} is {}",
                    f.display(),
                    d.as_str()
                ));
            }
            if !set.all && !r.holds && r.proven && d == Decision::Allow {
                failures.push(format!(
                    "{}: claims no member allowed, but {arn} is",
                    f.display()
                ));
            }
        }
    }
    eprintln!("resource sets: {sets} sets, {samples} sampled members");
    assert!(sets >= 10);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The automata of `verdict-sets` read Resource patterns exactly as the engine does
/// (§3.2: fields ignore case, wildcards stay inside fields, short patterns, `*`).
#[test]
fn resource_pattern_languages_agree_with_the_engine() {
    use verdict_policy::arn::{RequestResource, ResourcePattern};
    use verdict_sets::lang::Pattern;
    let mut rng = Rng(0x1234_5678_9ABC_DEF1);
    let pieces = ["a", "A", "b", ":", "/", "*", "?", "s3", "S3", "aws", ""];
    let rand_text = |rng: &mut Rng, n: usize| -> String {
        (0..n).map(|_| pieces[rng.below(pieces.len())]).collect()
    };
    let mut checked = 0;
    for _ in 0..4000 {
        let pattern = match rng.below(4) {
            0 => "*".to_string(),
            1 => format!("arn:{}", rand_text(&mut rng, 6)),
            2 => format!("arn:aws:s3:{}", rand_text(&mut rng, 4)),
            _ => format!(
                "arn:aws:{}:{}:{}:{}",
                rand_text(&mut rng, 1),
                rand_text(&mut rng, 1),
                rand_text(&mut rng, 1),
                rand_text(&mut rng, 3)
            ),
        };
        let engine = ResourcePattern::new(&pattern, false);
        let lang = Pattern::resource(&pattern);
        for _ in 0..8 {
            let arn = match rng.below(3) {
                0 => format!("arn:{}", rand_text(&mut rng, 7).replace(['*', '?'], "x")),
                1 => format!(
                    "arn:aws:s3:{}",
                    rand_text(&mut rng, 4).replace(['*', '?'], "x")
                ),
                _ => format!(
                    "arn:aws:{}:{}:{}:{}",
                    ["s3", "S3", "sqs"][rng.below(3)],
                    ["", "us-east-1", "A"][rng.below(3)],
                    ["", "1", "a"][rng.below(3)],
                    rand_text(&mut rng, 3).replace(['*', '?'], "y")
                ),
            };
            let req = RequestResource::new(&arn);
            if !matches!(req, RequestResource::Arn { .. }) {
                continue;
            }
            let e = matches!(engine.matches(&req, |_| None), Ok(true));
            assert_eq!(lang.matches(&arn), e, "pattern {pattern:?} on {arn:?}");
            checked += 1;
        }
    }
    assert!(checked > 10_000, "{checked}");
}
