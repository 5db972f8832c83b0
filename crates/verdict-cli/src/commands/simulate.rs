//! `verdict simulate`: one scenario, AWS-CLI-style flags, or a JSONL batch.

use super::{color_stdout, report_diagnostics_as, Format, EXIT_BAD_INPUT};
use clap::Args;
use rayon::prelude::*;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use verdict_eval::{
    decide_with_message, evaluate, load_scenario, scenario_from_json, scenario_from_json_cached,
    NamedPolicy, PolicyCache, Scenario,
};
use verdict_policy::{parse_policy, Diagnostic, ErrorCode, ParseOptions, PolicyType, SourceFile};

/// Arguments of `verdict simulate`.
#[derive(Args)]
pub struct SimulateArgs {
    /// Scenario file (JSON or YAML); `-` reads standard input.
    scenario: Option<PathBuf>,
    /// Output format (default text; `--batch` always writes JSON lines). With several
    /// scenarios, `json` prints one array.
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Read one scenario per line (JSONL) from FILE or `-`; print one JSON result per
    /// line, in order, each with its `"line"`.
    #[arg(long, value_name = "FILE", conflicts_with = "scenario")]
    batch: Option<String>,
    /// Discovery: treat every context key the policies test as unknown and say which
    /// values would allow the request, and which statement would then grant per layer.
    #[arg(long, conflicts_with = "batch")]
    discover: bool,
    /// In batch mode, print the full trace for every line instead of the decision summary.
    #[arg(long, requires = "batch")]
    trace: bool,
    /// In batch mode, evaluate on N threads (default: one per core).
    #[arg(long, value_name = "N", requires = "batch", value_parser = clap::value_parser!(u16).range(1..))]
    jobs: Option<u16>,
    /// Exit with 1 unless the decision is this (`allow` or `deny`); with `--batch`,
    /// unless every line's is.
    #[arg(long, value_parser = ["allow", "deny"])]
    expect: Option<String>,
    /// Identity policies (inline JSON or file://PATH), as in `aws iam simulate-custom-policy`.
    #[arg(long, num_args = 1.., value_name = "POLICY")]
    policy_input_list: Vec<String>,
    /// Permissions boundary (inline JSON or file://PATH).
    #[arg(long, num_args = 1.., value_name = "POLICY")]
    permissions_boundary_policy_input_list: Vec<String>,
    /// Resource-based policy (inline JSON or file://PATH).
    #[arg(long, value_name = "POLICY")]
    resource_policy: Option<String>,
    /// Actions to simulate.
    #[arg(long, num_args = 1.., value_name = "ACTION")]
    action_names: Vec<String>,
    /// Resource ARNs (default `*`).
    #[arg(long, num_args = 1.., value_name = "ARN")]
    resource_arns: Vec<String>,
    /// Account that owns the resources.
    #[arg(long, value_name = "ACCOUNT")]
    resource_owner: Option<String>,
    /// The caller (user, role session, root, service principal or `anonymous`).
    #[arg(long, value_name = "ARN")]
    caller_arn: Option<String>,
    /// Context entries: `ContextKeyName=K,ContextKeyValues=V1,V2,ContextKeyType=T`, `K=V`, or a JSON list.
    #[arg(long, num_args = 1.., value_name = "ENTRY")]
    context_entries: Vec<String>,
    /// Context keys whose value is unknown (`KEY`, or `KEY=present` when the key is sent
    /// but its value unknown): the answer is then the condition under which it is allowed.
    #[arg(long, num_args = 1.., value_name = "KEY")]
    unknown_context: Vec<String>,
}

impl SimulateArgs {
    /// Run the subcommand.
    pub fn run(self) -> ExitCode {
        if let Some(b) = &self.batch {
            if self.format == Some(Format::Text) {
                anstream::eprintln!("error: --batch writes one JSON result per line; --format text does not apply (drop it, or run verdict simulate on one scenario)");
                return ExitCode::from(EXIT_BAD_INPUT);
            }
            if let Some(n) = self.jobs {
                // Only fails if a pool already exists, which it cannot here.
                let _ = rayon::ThreadPoolBuilder::new()
                    .num_threads(usize::from(n))
                    .build_global();
            }
            return batch(b, self.trace, self.expect.as_deref());
        }
        let format = self.format.unwrap_or(Format::Text);
        let scenarios = match (&self.scenario, self.action_names.is_empty()) {
            (Some(p), true) => match read_scenario(p) {
                Ok(s) => vec![s],
                Err(d) => return report_diagnostics_as(&d, format),
            },
            (None, false) => match self.scenarios_from_flags() {
                Ok(s) => s,
                Err(d) => return report_diagnostics_as(&d, format),
            },
            (Some(_), false) => {
                anstream::eprintln!(
                    "error: give either a scenario file or --action-names, not both"
                );
                return ExitCode::from(EXIT_BAD_INPUT);
            }
            (None, true) => {
                anstream::eprintln!("error: give a scenario file, --batch FILE, or --action-names with policies (see verdict simulate --help)");
                return ExitCode::from(EXIT_BAD_INPUT);
            }
        };
        let mut mismatch = false;
        let mut out = anstream::stdout();
        let color = color_stdout();
        let mut docs = Vec::new();
        for (i, s) in scenarios.iter().enumerate() {
            let answer = if self.discover {
                verdict_eval::residual::discover(s)
                    .map(Answer::from)
                    .map_err(|e| e.to_string())
            } else {
                Answer::of(s)
            };
            let answer = match answer {
                Ok(a) => a,
                Err(e) => {
                    anstream::eprintln!("error: {}: {e}", s.source.name());
                    return ExitCode::from(EXIT_BAD_INPUT);
                }
            };
            match format {
                Format::Json => {
                    let mut v = answer.json();
                    super::stamp(&mut v);
                    docs.push(v);
                }
                Format::Text => {
                    if i > 0 {
                        let _ = writeln!(out);
                    }
                    let _ = write!(out, "{}", answer.text(s, color));
                }
            }
            if let (Some(want), Some(got)) = (&self.expect, answer.decision()) {
                if let Some(line) = expect_miss(want, got) {
                    mismatch = true;
                    let what = if scenarios.len() > 1 {
                        format!(" ({} on {})", s.request.action, s.request.resource.as_str())
                    } else {
                        String::new()
                    };
                    anstream::eprintln!("{line}{what}");
                }
            }
        }
        if format == Format::Json {
            super::print_json(&mut out, docs);
        }
        if mismatch {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        }
    }

    fn scenarios_from_flags(&self) -> Result<Vec<Scenario>, Vec<Diagnostic>> {
        self.check_flags()?;
        let resources = if self.resource_arns.is_empty() {
            vec!["*".to_string()]
        } else {
            self.resource_arns.clone()
        };
        let identity = self
            .policy_input_list
            .iter()
            .enumerate()
            .map(|(i, p)| {
                policy_arg(
                    p,
                    PolicyType::Identity,
                    &format!("--policy-input-list[{i}]"),
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        let boundary = match self.permissions_boundary_policy_input_list.first() {
            Some(p) => Some(policy_arg(
                p,
                PolicyType::Boundary,
                "--permissions-boundary-policy-input-list",
            )?),
            None => None,
        };
        let mut context = parse_context_entries(&self.context_entries)?;
        for u in &self.unknown_context {
            let (key, present) = match u.split_once('=') {
                Some((k, "present")) => (k, true),
                Some((_, other)) => {
                    return Err(vec![Diagnostic::new(
                        ErrorCode::InvalidContext,
                        format!("--unknown-context {u}: after = only \"present\" is allowed (KEY or KEY=present), not \"{other}\""),
                    )]);
                }
                None => (u.as_str(), false),
            };
            let mut v = serde_json::Map::new();
            v.insert("unknown".into(), serde_json::Value::Bool(true));
            if present {
                v.insert("present".into(), serde_json::Value::Bool(true));
            }
            context.insert(key.to_string(), serde_json::Value::Object(v));
        }
        let mut out = Vec::new();
        for action in &self.action_names {
            for res in &resources {
                let account = verdict_policy::arn::Arn::parse(res)
                    .map(|a| a.account.to_string())
                    .filter(|a| !a.is_empty())
                    .or_else(|| self.resource_owner.clone())
                    .unwrap_or_else(|| "123456789012".into());
                let caller = self
                    .caller_arn
                    .clone()
                    .unwrap_or_else(|| format!("arn:aws:iam::{account}:user/simulated-user"));
                let mut req = serde_json::json!({
                    "request": {"principal": caller, "action": action, "resource": res, "context": context},
                });
                if let (Some(o), Some(obj)) = (&self.resource_owner, req.as_object_mut()) {
                    obj.insert(
                        "resource_account".into(),
                        serde_json::Value::String(o.clone()),
                    );
                }
                let src = SourceFile::new(
                    "<command line>",
                    serde_json::to_string_pretty(&req).unwrap_or_default(),
                );
                let tree = verdict_policy::json::parse(&src).map_err(|d| vec![d])?;
                let mut s = scenario_from_json(&tree, &src)?;
                s.policies.identity = identity.clone();
                s.policies.permissions_boundary = boundary.clone();
                if let Some(rp) = &self.resource_policy {
                    let trust = verdict_eval::request::is_trust_request(&s.request);
                    let ty = if trust {
                        PolicyType::Trust
                    } else {
                        PolicyType::Resource
                    };
                    s.policies.resource = Some(policy_arg(rp, ty, "--resource-policy")?);
                }
                out.push(s);
            }
        }
        Ok(out)
    }
}

impl SimulateArgs {
    /// Reject bad flag values up front, naming the flag (the scenario built from the
    /// flags would otherwise report positions in text the user never wrote).
    fn check_flags(&self) -> Result<(), Vec<Diagnostic>> {
        let bad = |flag: &str, msg: String| {
            vec![Diagnostic::new(
                ErrorCode::InvalidRequest,
                format!("{flag}: {msg}"),
            )]
        };
        for a in &self.action_names {
            match verdict_eval::request::Request::split_action(a) {
                Some((_, name)) if !name.contains(['*', '?']) => {}
                _ => {
                    return Err(bad(
                        "--action-names",
                        format!("\"{a}\" must name one action as service:Action, such as s3:GetObject (no wildcards)"),
                    ))
                }
            }
        }
        for r in &self.resource_arns {
            if let verdict_policy::arn::RequestResource::Other(o) =
                verdict_policy::arn::RequestResource::new(r)
            {
                return Err(bad(
                    "--resource-arns",
                    format!("\"{o}\" is not an ARN (arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE) or \"*\""),
                ));
            }
        }
        if self.permissions_boundary_policy_input_list.len() > 1 {
            return Err(bad(
                "--permissions-boundary-policy-input-list",
                format!(
                    "{} policies given, but a principal has at most one permissions boundary (as in aws iam simulate-custom-policy)",
                    self.permissions_boundary_policy_input_list.len()
                ),
            ));
        }
        if let (Some(c), Some(a)) = (&self.caller_arn, self.action_names.first()) {
            if let Err(e) = verdict_eval::Caller::parse(c, &a.to_ascii_lowercase()) {
                return Err(bad("--caller-arn", e));
            }
        }
        Ok(())
    }
}

fn read_scenario(p: &std::path::Path) -> Result<Scenario, Vec<Diagnostic>> {
    let name = p.display().to_string();
    let text = super::read_input(&name).map_err(|e| {
        vec![Diagnostic::new(
            ErrorCode::InvalidScenario,
            format!("cannot read {name}: {e}"),
        )]
    })?;
    let src = SourceFile::new(name.clone(), text);
    load_scenario(&src, verdict_eval::scenario::is_yaml_path(&name))
}

/// A policy given on the command line: `file://PATH`, a path, or inline JSON.
fn policy_arg(arg: &str, ty: PolicyType, label: &str) -> Result<NamedPolicy, Vec<Diagnostic>> {
    let (name, text) = if let Some(path) = arg.strip_prefix("file://") {
        let t = std::fs::read_to_string(path).map_err(|e| {
            vec![Diagnostic::new(
                ErrorCode::InvalidScenario,
                format!("cannot read {path}: {e}"),
            )]
        })?;
        (path.to_string(), t)
    } else if !arg.trim_start().starts_with(['{', '"', '%']) && std::path::Path::new(arg).is_file()
    {
        let t = std::fs::read_to_string(arg).map_err(|e| {
            vec![Diagnostic::new(
                ErrorCode::InvalidScenario,
                format!("cannot read {arg}: {e}"),
            )]
        })?;
        (arg.to_string(), t)
    } else {
        (label.to_string(), arg.to_string())
    };
    let src = SourceFile::new(name.clone(), text);
    let policy = parse_policy(&src, ParseOptions::new(ty))?;
    Ok(NamedPolicy {
        name: Some(name.clone()),
        arn: None,
        label: name,
        policy: policy.into(),
    })
}

/// The `ContextKeyType` values the AWS CLI and the IAM API accept.
const CONTEXT_KEY_TYPES: &[&str] = &[
    "string",
    "stringList",
    "numeric",
    "numericList",
    "boolean",
    "booleanList",
    "ip",
    "ipList",
    "binary",
    "binaryList",
    "date",
    "dateList",
];

/// Parse `--context-entries` in the AWS CLI shorthand, `key=value`, or JSON. A
/// `ContextKeyType` must be one the IAM API accepts, and each value must parse as it.
fn parse_context_entries(
    entries: &[String],
) -> Result<serde_json::Map<String, serde_json::Value>, Vec<Diagnostic>> {
    let mut map = serde_json::Map::new();
    let bad = |e: &str, why: &str| {
        vec![Diagnostic::new(ErrorCode::InvalidContext, format!("--context-entries \"{e}\": {why}"))
            .with_help("use ContextKeyName=aws:SourceIp,ContextKeyValues=203.0.113.5,ContextKeyType=ip or aws:SourceIp=203.0.113.5")]
    };
    for e in entries {
        let t = e.trim();
        if t.starts_with('[') || t.starts_with('{') {
            let v: serde_json::Value =
                serde_json::from_str(t).map_err(|err| bad(e, &err.to_string()))?;
            let items = match v {
                serde_json::Value::Array(a) => a,
                other => vec![other],
            };
            for it in items {
                let k = it
                    .get("ContextKeyName")
                    .and_then(|k| k.as_str())
                    .ok_or_else(|| bad(e, "missing ContextKeyName"))?;
                let vals: Vec<String> = match it.get("ContextKeyValues") {
                    Some(serde_json::Value::Array(a)) => a
                        .iter()
                        .map(|v| match v {
                            serde_json::Value::String(s) => Ok(s.clone()),
                            serde_json::Value::Number(n) => Ok(n.to_string()),
                            serde_json::Value::Bool(b) => Ok(b.to_string()),
                            _ => Err(bad(e, "ContextKeyValues holds strings")),
                        })
                        .collect::<Result<_, _>>()?,
                    Some(_) => return Err(bad(e, "ContextKeyValues must be a list of strings")),
                    None => return Err(bad(e, "missing ContextKeyValues")),
                };
                let ty = match it.get("ContextKeyType") {
                    None => "string",
                    Some(serde_json::Value::String(s)) => s.as_str(),
                    Some(_) => return Err(bad(e, "ContextKeyType must be a string")),
                };
                map.insert(k.to_string(), typed(e, k, vals, ty)?);
            }
        } else if let Some(rest) = t.strip_prefix("ContextKeyName=") {
            let (k, rest) = rest
                .split_once(",ContextKeyValues=")
                .ok_or_else(|| bad(e, "missing ContextKeyValues"))?;
            let (vals, ty) = match rest.rsplit_once(",ContextKeyType=") {
                Some((v, ty)) => (v, ty),
                None => (rest, "string"),
            };
            let vals = vals.split(',').map(str::to_string).collect();
            map.insert(k.to_string(), typed(e, k, vals, ty)?);
        } else if let Some((k, v)) = t.split_once('=') {
            map.insert(k.to_string(), serde_json::Value::String(v.to_string()));
        } else {
            return Err(bad(e, "expected KEY=VALUE or the AWS CLI shorthand"));
        }
    }
    Ok(map)
}

/// Check a typed context entry and shape it as the scenario format holds it.
fn typed(
    entry: &str,
    key: &str,
    vals: Vec<String>,
    ty: &str,
) -> Result<serde_json::Value, Vec<Diagnostic>> {
    let bad = |why: String, help: String| {
        vec![Diagnostic::new(
            ErrorCode::InvalidContext,
            format!("--context-entries \"{entry}\": {why}"),
        )
        .with_help(help)]
    };
    if !CONTEXT_KEY_TYPES.contains(&ty) {
        let hint = verdict_policy::diag::suggestion(ty, CONTEXT_KEY_TYPES.iter().copied())
            .map(|h| format!("{h}; "))
            .unwrap_or_default();
        return Err(bad(
            format!("ContextKeyType \"{ty}\" is not one the IAM API accepts"),
            format!("{hint}the types are {}", CONTEXT_KEY_TYPES.join(", ")),
        ));
    }
    let base = ty.strip_suffix("List").unwrap_or(ty);
    for v in &vals {
        let (ok, what) = match base {
            "numeric" => (
                verdict_policy::condition::parse_number(v).is_some(),
                "a number",
            ),
            "boolean" => (
                v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("false"),
                "true or false",
            ),
            "ip" => (
                verdict_policy::parse::parse_ip(v).is_some(),
                "an IP address or CIDR",
            ),
            "date" => (
                verdict_policy::condition::parse_date(v).is_some(),
                "a date (ISO 8601 or epoch seconds)",
            ),
            _ => (true, ""),
        };
        if !ok {
            return Err(bad(
                format!("value \"{v}\" of {key} is not {what}, as ContextKeyType={ty} requires"),
                format!("give {what}, or change ContextKeyType"),
            ));
        }
    }
    let vals: Vec<serde_json::Value> = vals.into_iter().map(serde_json::Value::String).collect();
    Ok(if ty.ends_with("List") || vals.len() > 1 {
        serde_json::Value::Array(vals)
    } else {
        vals.into_iter()
            .next()
            .unwrap_or(serde_json::Value::String(String::new()))
    })
}

thread_local! {
    static CACHE: std::cell::RefCell<PolicyCache> = std::cell::RefCell::new(PolicyCache::new());
}

fn load_line(src: &std::sync::Arc<SourceFile>, cached: bool) -> Result<Scenario, Vec<Diagnostic>> {
    let tree = verdict_policy::json::parse(src).map_err(|d| vec![d])?;
    if !cached {
        return scenario_from_json(&tree, src);
    }
    CACHE.with(|c| match c.try_borrow_mut() {
        Ok(mut cache) => scenario_from_json_cached(&tree, src, Some(&mut cache)),
        Err(_) => scenario_from_json(&tree, src),
    })
}

/// Without a trace, try the fast loader first; it declines anything unusual.
fn load_line_quick(src: &std::sync::Arc<SourceFile>) -> Result<Scenario, Vec<Diagnostic>> {
    let fast = CACHE.with(|c| match c.try_borrow_mut() {
        Ok(mut cache) => {
            verdict_eval::fast_load::load_line_fast(src.text(), src.name(), &mut cache)
        }
        Err(_) => None,
    });
    match fast {
        Some(s) => Ok(s),
        None => load_line(src, true),
    }
}

/// `expected allow, got implicit_deny (--expect)` when the decision misses `want`. A
/// `conditional` answer (unknown context keys) is neither allow nor deny.
fn expect_miss(want: &str, got: &str) -> Option<String> {
    let ok = match want {
        "allow" => got == "allow",
        _ => got == "explicit_deny" || got == "implicit_deny",
    };
    (!ok).then(|| format!("expected {want}, got {got} (--expect)"))
}

/// What became of one batch line.
enum LineOutcome {
    /// Evaluated, with this decision (`allow`, `explicit_deny`, `implicit_deny` or
    /// `conditional`).
    Decided(&'static str),
    /// Could not be read.
    Bad,
}

/// One scenario's answer, whichever kind of question it asks.
enum Answer {
    /// One concrete request (the traced evaluation).
    Concrete(Box<verdict_eval::Evaluation>),
    /// Unknown context keys.
    Residual(Box<verdict_eval::residual::Residual>),
    /// A resource set.
    Set(Box<verdict_eval::resource_set::SetAnswer>),
    /// `--discover`.
    Discovery(Box<verdict_eval::residual::Discovery>),
}

impl From<verdict_eval::residual::Discovery> for Answer {
    fn from(d: verdict_eval::residual::Discovery) -> Answer {
        Answer::Discovery(Box::new(d))
    }
}

impl Answer {
    /// Answer `s` as its form asks (a resource set, unknown keys, or one request).
    fn of(s: &Scenario) -> Result<Answer, String> {
        if let Some(set) = &s.resource_set {
            return verdict_eval::resource_set::evaluate_set(s, set)
                .map(|a| Answer::Set(Box::new(a)))
                .map_err(|e| e.to_string());
        }
        if !s.unknown.is_empty() {
            return verdict_eval::residual::residual(s)
                .map(|r| Answer::Residual(Box::new(r)))
                .map_err(|e| e.to_string());
        }
        Ok(Answer::Concrete(Box::new(evaluate(s))))
    }

    fn json(&self) -> serde_json::Value {
        match self {
            Answer::Concrete(e) => serde_json::to_value(e),
            Answer::Residual(r) => serde_json::to_value(r),
            Answer::Set(a) => serde_json::to_value(a),
            Answer::Discovery(d) => serde_json::to_value(d),
        }
        .unwrap_or_default()
    }

    fn text(&self, s: &Scenario, color: bool) -> String {
        match self {
            Answer::Concrete(e) => verdict_eval::render::render(e, color),
            Answer::Residual(r) => verdict_eval::residual::render_text(s, r, color),
            Answer::Set(a) => verdict_eval::resource_set::render_text(s, a),
            Answer::Discovery(d) => verdict_eval::residual::render_discovery(s, d, color),
        }
    }

    /// The decision `--expect` compares with (discovery has none).
    fn decision(&self) -> Option<&'static str> {
        match self {
            Answer::Concrete(e) => Some(e.decision.as_str()),
            Answer::Residual(r) => Some(r.decision.as_str()),
            Answer::Set(a) => Some(a.decision.as_str()),
            Answer::Discovery(_) => None,
        }
    }
}

fn eval_line(line: &str, n: usize, label: &str, trace: bool) -> (String, LineOutcome) {
    if line.trim().is_empty() {
        let v = serde_json::json!({"error": format!("{label} line {n} is blank; every line of a batch holds one scenario (remove the blank line)"), "line": n});
        return (v.to_string(), LineOutcome::Bad);
    }
    let src = SourceFile::new(format!("{label} line {n}"), line);
    let loaded = if trace {
        load_line(&src, false)
    } else {
        load_line_quick(&src)
    };
    match loaded {
        Ok(s) if s.resource_set.is_some() || !s.unknown.is_empty() => match Answer::of(&s) {
            Ok(a) => {
                let mut v = a.json();
                if let Some(obj) = v.as_object_mut() {
                    obj.insert("line".into(), n.into());
                    if let Some(name) = &s.name {
                        obj.insert("name".into(), serde_json::Value::String(name.clone()));
                    }
                }
                (
                    serde_json::to_string(&v).unwrap_or_default(),
                    LineOutcome::Decided(a.decision().unwrap_or_default()),
                )
            }
            Err(e) => (
                serde_json::json!({"error": format!("{label} line {n}: {e}"), "line": n})
                    .to_string(),
                LineOutcome::Bad,
            ),
        },
        Ok(s) => {
            let (mut v, decision) = if trace {
                let e = evaluate(&s);
                let d = e.decision;
                (serde_json::to_value(e).unwrap_or_default(), d)
            } else {
                let q = decide_with_message(&s);
                let d = q.decision;
                (serde_json::to_value(q).unwrap_or_default(), d)
            };
            if let Some(obj) = v.as_object_mut() {
                obj.insert("line".into(), n.into());
                if let Some(name) = &s.name {
                    obj.insert("name".into(), serde_json::Value::String(name.clone()));
                }
            }
            (
                serde_json::to_string(&v).unwrap_or_default(),
                LineOutcome::Decided(decision.as_str()),
            )
        }
        Err(d) => {
            let msg: Vec<String> = d.iter().map(|d| d.to_string()).collect();
            (
                serde_json::json!({"error": msg.join("; "), "line": n}).to_string(),
                LineOutcome::Bad,
            )
        }
    }
}

/// A progress line on standard error, only when it is a terminal.
struct Progress {
    on: bool,
    start: std::time::Instant,
    last: std::time::Instant,
    total_bytes: Option<u64>,
    read: u64,
}

impl Progress {
    fn new(total_bytes: Option<u64>) -> Progress {
        use std::io::IsTerminal;
        let now = std::time::Instant::now();
        Progress {
            on: std::io::stderr().is_terminal(),
            start: now,
            last: now,
            total_bytes,
            read: 0,
        }
    }

    fn update(&mut self, lines: usize, bytes: usize) {
        self.read += bytes as u64;
        if !self.on || self.last.elapsed() < std::time::Duration::from_millis(500) {
            return;
        }
        self.last = std::time::Instant::now();
        let secs = self.start.elapsed().as_secs_f64().max(1e-3);
        let share = match self.total_bytes {
            Some(t) if t > 0 => {
                format!(", {:.0}% of the input", 100.0 * self.read as f64 / t as f64)
            }
            _ => String::new(),
        };
        anstream::eprint!(
            "\r{lines} lines, {:.0} lines/s{share}   ",
            lines as f64 / secs
        );
    }

    fn finish(&self, lines: usize) {
        if self.on && self.start.elapsed() >= std::time::Duration::from_millis(500) {
            let secs = self.start.elapsed().as_secs_f64().max(1e-3);
            anstream::eprintln!(
                "\r{lines} lines in {secs:.1} s ({:.0} lines/s)            ",
                lines as f64 / secs
            );
        }
    }
}

/// Size of the blocks the batch reader hands to the workers.
const BLOCK: usize = 4 << 20;

/// A block of whole lines and the number of the first one.
struct Block {
    data: Vec<u8>,
    first_line: usize,
}

/// Read `reader` in blocks that end at a newline, reusing the buffers that come back on
/// `recycled`: a batch of any size runs in a few megabytes, with no allocation per line.
fn read_blocks(
    mut reader: Box<dyn Read + Send>,
    tx: std::sync::mpsc::SyncSender<Block>,
    recycled: std::sync::mpsc::Receiver<Vec<u8>>,
) -> std::io::Result<()> {
    let mut failure = None;
    let mut carry: Vec<u8> = Vec::new();
    let mut line = 1usize;
    loop {
        let mut buf = recycled.try_recv().unwrap_or_default();
        buf.clear();
        buf.extend_from_slice(&carry);
        carry.clear();
        let start = buf.len();
        buf.resize(start.max(BLOCK), 0);
        let mut filled = start;
        let mut eof = false;
        while let Some(free) = buf.get_mut(filled..).filter(|free| !free.is_empty()) {
            match reader.read(free) {
                Ok(0) => {
                    eof = true;
                    break;
                }
                Ok(n) => {
                    let asked = buf.len() - filled;
                    filled += n;
                    // A pipe that has no more for now: hand over the whole lines we
                    // have, so results stream while the producer is still writing.
                    if n < asked
                        && buf
                            .get(start..filled)
                            .is_some_and(|new| new.contains(&b'\n'))
                    {
                        break;
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    failure = Some(e);
                    eof = true;
                    break;
                }
            }
            // A single line longer than the block: grow the block.
            if filled == buf.len()
                && buf
                    .get(start..filled)
                    .is_none_or(|new| !new.contains(&b'\n'))
            {
                buf.resize(buf.len() * 2, 0);
            }
        }
        buf.truncate(filled);
        if !eof {
            match buf.iter().rposition(|b| *b == b'\n') {
                Some(i) => {
                    carry.extend_from_slice(buf.get(i + 1..).unwrap_or_default());
                    buf.truncate(i + 1);
                }
                None => continue,
            }
        }
        let lines = buf.iter().filter(|b| **b == b'\n').count();
        let block = Block {
            data: buf,
            first_line: line,
        };
        line += lines;
        if block.data.is_empty() && eof {
            return failure.map_or(Ok(()), Err);
        }
        if tx.send(block).is_err() || eof {
            return failure.map_or(Ok(()), Err);
        }
    }
}

fn batch(path: &str, trace: bool, expect: Option<&str>) -> ExitCode {
    let reader: Box<dyn Read + Send> = if path == "-" {
        Box::new(std::io::stdin())
    } else {
        if std::path::Path::new(path).is_dir() {
            anstream::eprintln!("error: --batch {path} is a directory; give a JSONL file (one scenario per line), or use verdict test {path} to run the scenario files in it");
            return ExitCode::from(EXIT_BAD_INPUT);
        }
        match std::fs::File::open(path) {
            Ok(f) => Box::new(f),
            Err(e) => {
                anstream::eprintln!("error: cannot read {path}: {e}");
                return ExitCode::from(EXIT_BAD_INPUT);
            }
        }
    };
    let label = if path == "-" {
        "<stdin>".to_string()
    } else {
        path.to_string()
    };
    let total_bytes = (path != "-")
        .then(|| std::fs::metadata(path).ok().map(|m| m.len()))
        .flatten();
    let mut progress = Progress::new(total_bytes);
    // A reader thread hands over blocks of lines; each block is evaluated in parallel
    // and written in input order, and its buffer goes back to the reader for reuse.
    let (tx, rx) = std::sync::mpsc::sync_channel::<Block>(2);
    let (back_tx, back_rx) = std::sync::mpsc::channel::<Vec<u8>>();
    let reader_thread = std::thread::spawn(move || read_blocks(reader, tx, back_rx));
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let (mut total, mut bad, mut missed) = (0usize, Vec::new(), Vec::new());
    for block in rx {
        let mut pieces: Vec<&[u8]> = block.data.split(|b| *b == b'\n').collect();
        // The text after the last newline is a line only if it is not empty.
        if pieces.last().is_some_and(|l| l.is_empty()) {
            pieces.pop();
        }
        let lines: Vec<(usize, &[u8])> = pieces
            .into_iter()
            .enumerate()
            .map(|(i, l)| {
                let n = block.first_line + i;
                // A byte-order mark before the first line is not part of it.
                let l = if n == 1 {
                    l.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(l)
                } else {
                    l
                };
                (n, l)
            })
            .collect();
        let results: Vec<(String, LineOutcome)> = lines
            .par_iter()
            .map(|(n, l)| match std::str::from_utf8(l) {
                Ok(text) => eval_line(text.trim_end_matches('\r'), *n, &label, trace),
                Err(e) => (
                    serde_json::json!({"error": format!("{label} line {n} is not UTF-8 text: {e}"), "line": n}).to_string(),
                    LineOutcome::Bad,
                ),
            })
            .collect();
        for ((n, _), (r, outcome)) in lines.iter().zip(results) {
            total += 1;
            match outcome {
                LineOutcome::Bad => bad.push(*n),
                LineOutcome::Decided(d) => {
                    if let Some(miss) = expect.and_then(|w| expect_miss(w, d)) {
                        missed.push((*n, miss));
                    }
                }
            }
            if writeln!(out, "{r}").is_err() {
                // The reader of our output went away (`| head`): stop quietly.
                return ExitCode::SUCCESS;
            }
        }
        drop(lines);
        // Results of a block go out as soon as it is done (one write per block).
        if out.flush().is_err() {
            return ExitCode::SUCCESS;
        }
        progress.update(total, block.data.len());
        let _ = back_tx.send(block.data);
    }
    let _ = out.flush();
    drop(out);
    progress.finish(total);
    let read = reader_thread.join();
    let mut code = ExitCode::SUCCESS;
    for (n, m) in missed.iter().take(20) {
        anstream::eprintln!("{label} line {n}: {m}");
    }
    if !missed.is_empty() {
        anstream::eprintln!(
            "{} of {total} lines did not meet --expect {}",
            missed.len(),
            expect.unwrap_or_default()
        );
        code = ExitCode::from(1);
    }
    match read {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            anstream::eprintln!("error: reading {label} failed after line {total}: {e}; the lines after it were not evaluated");
            return ExitCode::from(EXIT_BAD_INPUT);
        }
        Err(_) => {
            anstream::eprintln!("error: the reader of {label} stopped after line {total}; the lines after it were not evaluated");
            return ExitCode::from(EXIT_BAD_INPUT);
        }
    }
    if total == 0 {
        anstream::eprintln!("warning: {label} holds no scenario lines; nothing was evaluated");
    }
    if !bad.is_empty() {
        let shown: Vec<String> = bad.iter().take(10).map(|n| n.to_string()).collect();
        let more = if bad.len() > 10 { ", …" } else { "" };
        anstream::eprintln!(
            "error: {} of {total} lines could not be evaluated (lines {}{more}); their results are {{\"error\": …}}",
            bad.len(),
            shown.join(", ")
        );
        return ExitCode::from(EXIT_BAD_INPUT);
    }
    code
}
