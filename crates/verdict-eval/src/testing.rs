//! Scenario tests: run every scenario that has an `expect`, as `verdict test` and
//! `cargo test` both do.

use crate::scenario::{is_yaml_path, load_scenario, Scenario};
use crate::{evaluate, Evaluation};
use std::path::{Path, PathBuf};
use verdict_policy::SourceFile;

/// The result of one scenario test.
#[derive(Debug)]
pub struct CaseResult {
    /// File (and line, for JSONL).
    pub location: String,
    /// Scenario name or file stem.
    pub name: String,
    /// The rule it cites.
    pub rule: Option<String>,
    /// Did it pass?
    pub passed: bool,
    /// What differed.
    pub failures: Vec<String>,
    /// The unconfirmed points the expected decision rests on: it holds only under the
    /// assumed reading of each (§10.1). `verdict test --strict` fails such cases.
    pub assumed: Vec<String>,
    /// The evaluation, when the scenario loaded.
    pub evaluation: Option<Evaluation>,
    /// The case could not be run at all: its file is unreadable, or the scenario does
    /// not load and no error was expected. JUnit reports it as an error, not a failure.
    pub error: bool,
}

/// Every scenario file under `paths` (`.json`, `.yaml`, `.yml`, `.jsonl`), sorted. A
/// path that does not exist is an error, not an empty result.
pub fn collect_files(paths: &[PathBuf]) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        if !p.exists() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("{} does not exist", p.display()),
            ));
        }
        if p.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(p)?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .collect();
            entries.sort();
            for e in entries {
                if e.is_dir() || is_scenario_file(&e) {
                    out.extend(collect_files(&[e])?);
                }
            }
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

fn is_scenario_file(p: &Path) -> bool {
    p.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        ["json", "yaml", "yml", "jsonl"]
            .iter()
            .any(|x| e.eq_ignore_ascii_case(x))
    })
}

/// Run the scenarios in one file (one scenario, or one per line for `.jsonl`).
pub fn run_file(path: &Path) -> Vec<CaseResult> {
    run_file_counted(path).0
}

/// As [`run_file`], also counting the scenarios that were read but are not tests (no
/// `expect` block), so that a caller can say how many it skipped.
pub fn run_file_counted(path: &Path) -> (Vec<CaseResult>, usize) {
    let name = path.display().to_string();
    let text = match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                return (
                    vec![error_case(
                        &name,
                        format!("the file is not UTF-8 text: {}", e.utf8_error()),
                    )],
                    0,
                )
            }
        },
        Err(e) => {
            return (
                vec![error_case(&name, format!("cannot read the file: {e}"))],
                0,
            )
        }
    };
    run_document(&name, &text)
}

/// Run the scenarios in one file's text, named `name` (one scenario, or one per line
/// when the name ends in `.jsonl`; YAML when it ends in `.yaml` or `.yml`). Also counts
/// the scenarios that are not tests (no `expect`).
pub fn run_document(name: &str, text: &str) -> (Vec<CaseResult>, usize) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut skipped = 0;
    let mut cases = Vec::new();
    if name.to_ascii_lowercase().ends_with(".jsonl") {
        for (i, l) in text.lines().enumerate() {
            if l.trim().is_empty() {
                continue;
            }
            match run_text(&format!("{name}:{}", i + 1), l, false) {
                Some(c) => cases.push(c),
                None => skipped += 1,
            }
        }
        return (cases, skipped);
    }
    match run_text(name, text, is_yaml_path(name)) {
        Some(c) => cases.push(c),
        None => skipped += 1,
    }
    (cases, skipped)
}

impl CaseResult {
    /// A case checked without a concrete evaluation to show (sets of requests, policy
    /// comparisons): it passes when `failures` is empty.
    fn checked(
        location: &str,
        name: String,
        rule: Option<String>,
        failures: Vec<String>,
    ) -> CaseResult {
        CaseResult {
            location: location.into(),
            name,
            rule,
            passed: failures.is_empty(),
            failures,
            assumed: Vec::new(),
            evaluation: None,
            error: false,
        }
    }
}

fn error_case(name: &str, why: String) -> CaseResult {
    CaseResult {
        location: name.to_string(),
        name: name.to_string(),
        rule: None,
        passed: false,
        failures: vec![why],
        assumed: Vec::new(),
        evaluation: None,
        error: true,
    }
}

/// Run a policy-comparison case (`verdict diff` semantics); `None` without `expect`.
fn run_diff_case(location: &str, v: &serde_json::Value) -> Option<CaseResult> {
    let x = v.get("expect")?;
    let name = v
        .get("name")
        .and_then(|n| n.as_str())
        .unwrap_or(location)
        .to_string();
    let rule = v.get("rule").and_then(|r| r.as_str()).map(str::to_string);
    let ty_name = v
        .get("policy_type")
        .and_then(|t| t.as_str())
        .unwrap_or("identity");
    let mut failures = Vec::new();
    let Some(ty) = verdict_policy::PolicyType::from_name(ty_name) else {
        return Some(error_case(
            location,
            format!("policy_type \"{ty_name}\" is not a policy type"),
        ));
    };
    let (old, new) = (v.get("old")?, v.get("new")?);
    let opts = crate::compare::DiffOptions {
        policy_type: ty,
        actions: None,
        resources: None,
        callers: None,
    };
    match crate::compare::diff(old, new, &opts) {
        Err(d) => failures.extend(d.iter().map(|d| d.to_string())),
        Ok(d) => {
            if let Some(want) = x.get("relation").and_then(|r| r.as_str()) {
                if want != d.relation.as_str() {
                    failures.push(format!(
                        "relation: expected {want}, got {}{}",
                        d.relation.as_str(),
                        if d.unknown_reasons.is_empty() {
                            String::new()
                        } else {
                            format!(" ({})", d.unknown_reasons.join("; "))
                        }
                    ));
                }
            }
            for (field, new_side) in [
                ("new_access_includes", true),
                ("removed_access_includes", false),
            ] {
                for a in x
                    .get(field)
                    .and_then(|l| l.as_array())
                    .into_iter()
                    .flatten()
                {
                    let Some(a) = a.as_str() else { continue };
                    let one = crate::compare::DiffOptions {
                        policy_type: ty,
                        actions: Some(vec![a.to_string()]),
                        resources: None,
                        callers: None,
                    };
                    let found = crate::compare::diff(old, new, &one).is_ok_and(|d1| {
                        if new_side {
                            !d1.new_access.is_empty()
                        } else {
                            !d1.removed_access.is_empty()
                        }
                    });
                    if !found {
                        failures.push(format!("{field}: {a} is not"));
                    }
                }
            }
        }
    }
    Some(CaseResult::checked(location, name, rule, failures))
}

/// Run one scenario text; `None` if it has no `expect` (not a test).
pub fn run_text(location: &str, text: &str, yaml: bool) -> Option<CaseResult> {
    let raw: Option<serde_json::Value> = if yaml {
        verdict_policy::yaml::parse_yaml(&SourceFile::new(location, text))
            .ok()
            .and_then(|docs| docs.first().map(|d| d.to_value()))
    } else {
        serde_json::from_str(text).ok()
    };
    // A policy-comparison case: {"old": POLICY, "new": POLICY, "expect": {"relation": …}}.
    if let Some(v) = raw
        .as_ref()
        .filter(|v| v.get("old").is_some() && v.get("new").is_some() && v.get("request").is_none())
    {
        return run_diff_case(location, v);
    }
    let expect = raw.as_ref().and_then(|v| v.get("expect")).cloned();
    let stem = Path::new(location.split(':').next().unwrap_or(location))
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = raw
        .as_ref()
        .and_then(|v| v.get("name"))
        .and_then(|v| v.as_str())
        .map(str::to_string)
        .unwrap_or(stem);
    let rule = raw
        .as_ref()
        .and_then(|v| v.get("rule"))
        .and_then(|v| v.as_str())
        .map(str::to_string);
    let expected_error = expect
        .as_ref()
        .and_then(|e| e.get("error"))
        .and_then(|e| e.as_str())
        .map(str::to_string);
    let source = SourceFile::new(location, text);
    match load_scenario(&source, yaml) {
        Err(diags) => {
            let codes: Vec<&str> = diags.iter().map(|d| d.code.as_str()).collect();
            let (passed, failures) = match &expected_error {
                Some(code) if codes.contains(&code.as_str()) => (true, Vec::new()),
                Some(code) => (
                    false,
                    vec![format!(
                        "expected error {code}, got: {}",
                        diags
                            .iter()
                            .map(|d| d.to_string())
                            .collect::<Vec<_>>()
                            .join("; ")
                    )],
                ),
                None => (false, diags.iter().map(|d| d.to_string()).collect()),
            };
            let error = expected_error.is_none();
            if expect.is_none() && passed {
                return None;
            }
            Some(CaseResult {
                location: location.into(),
                name,
                rule,
                passed,
                failures,
                assumed: Vec::new(),
                evaluation: None,
                error,
            })
        }
        Ok(s) if s.resource_set.is_some() || !s.unknown.is_empty() => {
            let exp = s.expect.clone()?;
            let failures = if s.resource_set.is_some() {
                check_set(&s, &exp)
            } else {
                check_residual(&s, &exp)
            };
            Some(CaseResult::checked(location, name, rule, failures))
        }
        Ok(s) => {
            let exp = s.expect.clone()?;
            let e = evaluate(&s);
            let failures = match &exp.error {
                Some(code) => vec![format!("expected the scenario to be rejected with {code}, but it loaded and evaluated to {}", e.decision.as_str())],
                None => check(&s, &e),
            };
            let mut assumed: Vec<String> = if exp.decision.is_some() {
                e.uncertain
                    .iter()
                    .map(|u| format!("{} (otherwise {})", u.rule, u.otherwise.as_str()))
                    .collect()
            } else {
                Vec::new()
            };
            assumed.dedup();
            Some(CaseResult {
                location: location.into(),
                name,
                rule,
                passed: failures.is_empty(),
                failures,
                assumed,
                evaluation: Some(e),
                error: false,
            })
        }
    }
}

/// A completion from an `expect.allowed_when` / `denied_when` object.
fn completion_of(
    s: &Scenario,
    v: &serde_json::Value,
) -> Result<crate::residual::Completion, String> {
    let mut c = crate::residual::Completion::new();
    for u in &s.unknown {
        c.insert(u.key.clone(), None);
    }
    let Some(m) = v.as_object() else {
        return Err("a completion must be an object".into());
    };
    for (k, val) in m {
        let Some(u) = s.unknown.iter().find(|u| u.key.eq_ignore_ascii_case(k)) else {
            return Err(format!("{k} is not one of the unknown keys"));
        };
        let scalar = |x: &serde_json::Value| match x {
            serde_json::Value::String(t) => Some(t.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            serde_json::Value::Bool(b) => Some(b.to_string()),
            _ => None,
        };
        let value = match val {
            serde_json::Value::Null => None,
            serde_json::Value::Array(items) => Some(crate::CtxValue::Multi(
                items.iter().filter_map(scalar).collect(),
            )),
            other => Some(crate::CtxValue::Single(
                scalar(other).ok_or_else(|| format!("{k}: not a context value"))?,
            )),
        };
        c.insert(u.key.clone(), value);
    }
    Ok(c)
}

/// Compare the answer for a resource set with its `expect` (`decision`, `denied_by`).
pub fn check_set(s: &Scenario, x: &crate::scenario::Expect) -> Vec<String> {
    let Some(set) = &s.resource_set else {
        return Vec::new();
    };
    let a = match crate::resource_set::evaluate_set(s, set) {
        Ok(a) => a,
        Err(e) => return vec![e.to_string()],
    };
    let mut f = Vec::new();
    if let Some(d) = &x.decision {
        if d.as_str() != a.decision.as_str() {
            f.push(format!(
                "decision: expected {d}, got {} (witness {}{})",
                a.decision.as_str(),
                a.resource_set.witness.as_deref().unwrap_or("none"),
                a.resource_set
                    .note
                    .as_ref()
                    .map(|n| format!("; {n}"))
                    .unwrap_or_default()
            ));
        }
    }
    if let Some(want) = &x.denied_by {
        let got = a.denied_by.map(|l| l.as_str()).unwrap_or("none");
        if want.as_str() != got {
            f.push(format!("denied_by: expected {}, got {got}", want.as_str()));
        }
    }
    f
}

/// Compare the residual answer for a scenario with unknown keys with its `expect`.
pub fn check_residual(s: &Scenario, x: &crate::scenario::Expect) -> Vec<String> {
    let mut f = Vec::new();
    let r = match crate::residual::residual(s) {
        Ok(r) => r,
        Err(e) => return vec![e.to_string()],
    };
    if let Some(d) = &x.decision {
        if d.as_str() != r.decision.as_str() {
            f.push(format!(
                "decision: expected {d}, got {} ({})",
                r.decision.as_str(),
                r.residual
                    .as_ref()
                    .map(|x| x.text.as_str())
                    .unwrap_or("no residual")
            ));
        }
    }
    if let Some(want) = &x.denied_by {
        let got = r.denied_by.map(|l| l.as_str()).unwrap_or("none");
        if want.as_str() != got {
            f.push(format!("denied_by: expected {}, got {got}", want.as_str()));
        }
    }
    if let Some(want) = &x.residual {
        let got = r.residual.as_ref().map(|x| x.text.as_str()).unwrap_or("");
        if want.as_str() != got {
            f.push(format!("residual: expected \"{want}\", got \"{got}\""));
        }
    }
    for (list, allowed) in [(&x.allowed_when, true), (&x.denied_when, false)] {
        for v in list {
            match completion_of(s, v) {
                Err(e) => f.push(format!("completion {v}: {e}")),
                Ok(c) => {
                    let concrete = crate::decide(&crate::residual::complete_scenario(s, &c))
                        .decision
                        == crate::Decision::Allow;
                    let claimed = r.allows(s, &c);
                    let want = if allowed { "allowed" } else { "denied" };
                    if concrete != allowed {
                        f.push(format!(
                            "completion {v}: expected {want}, but the concrete engine says {}",
                            if concrete { "allowed" } else { "denied" }
                        ));
                    }
                    if claimed != allowed {
                        f.push(format!(
                            "completion {v}: expected {want}, but the residual says {}",
                            if claimed { "allowed" } else { "denied" }
                        ));
                    }
                }
            }
        }
    }
    f
}

/// Compare an evaluation with the scenario's `expect`; returns the differences.
pub fn check(s: &Scenario, e: &Evaluation) -> Vec<String> {
    let Some(x) = &s.expect else {
        return Vec::new();
    };
    let mut f = Vec::new();
    if let Some(d) = &x.decision {
        if d.as_str() != e.decision.as_str() {
            f.push(format!(
                "decision: expected {d}, got {}",
                e.decision.as_str()
            ));
        }
    }
    if let Some(l) = &x.denied_by {
        let got = e.denied_by.map(|l| l.as_str()).unwrap_or("null");
        if l.as_str() != got {
            f.push(format!("denied_by: expected {}, got {got}", l.as_str()));
        }
    }
    if let Some(m) = &x.message {
        if m != &e.message {
            f.push(format!(
                "message: expected\n      {m}\n    got\n      {}",
                e.message
            ));
        }
    }
    if let Some(m) = &x.message_contains {
        if !e.message.contains(m.as_str()) {
            f.push(format!(
                "message: expected to contain \"{m}\", got \"{}\"",
                e.message
            ));
        }
    }
    if let Some(want) = &x.service_refusal {
        let got = e.service_refusal.as_ref().map_or("none", |r| r.rule);
        if want.as_str() != got {
            f.push(format!("service_refusal: expected {want}, got {got}"));
        }
    }
    if let Some(rules) = &x.uncertain {
        let mut want: Vec<&str> = rules.iter().map(String::as_str).collect();
        let mut got: Vec<&str> = e.uncertain.iter().map(|u| u.rule).collect();
        want.sort_unstable();
        want.dedup();
        got.sort_unstable();
        got.dedup();
        if want != got {
            f.push(format!("uncertain: expected {want:?}, got {got:?}"));
        }
    }
    if let Some(keys) = &x.missing_context {
        let mut want: Vec<String> = keys.iter().map(|k| k.to_ascii_lowercase()).collect();
        let mut got: Vec<String> = e
            .missing_context
            .iter()
            .map(|k| k.key.to_ascii_lowercase())
            .collect();
        want.sort();
        got.sort();
        if want != got {
            f.push(format!(
                "missing_context: expected {keys:?}, got {:?}",
                e.missing_context.iter().map(|k| &k.key).collect::<Vec<_>>()
            ));
        }
    }
    f
}
