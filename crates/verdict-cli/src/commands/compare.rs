//! `verdict diff` and `verdict check`: compare policies offline, with a counterexample.

use super::{color_stdout, report_diagnostics_as, Format, EXIT_BAD_INPUT};
use clap::{Args, Subcommand};
use std::io::Write;
use std::process::ExitCode;
use verdict_eval::compare::{diff, render_text, Diff, DiffOptions, Relation};
use verdict_policy::{Diagnostic, ErrorCode, ParseOptions, PolicyType, SourceFile};

/// Arguments of `verdict diff`.
#[derive(Args)]
pub struct DiffArgs {
    /// The old policy (file, or `-` for standard input).
    #[arg(required_unless_present = "batch")]
    old: Option<String>,
    /// The new policy (file, or `-`).
    #[arg(required_unless_present = "batch")]
    new: Option<String>,
    /// Compare many pairs: JSON Lines `{"old": DOC, "new": DOC, "policy_type": T}` from
    /// FILE or `-`; one JSON result per line, in order, each with its `"line"`.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["old", "new"])]
    batch: Option<String>,
    /// How both documents are read: identity, boundary, session and scp for one caller;
    /// resource, trust, rcp and vpc-endpoint for callers standing for every principal
    /// the documents distinguish.
    #[arg(long, value_parser = super::lint::policy_type_parser(), default_value = "identity")]
    policy_type: PolicyType,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

/// Arguments of `verdict check`.
#[derive(Args)]
pub struct CheckArgs {
    #[command(subcommand)]
    check: Check,
}

/// Output formats of `verdict check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckFormat {
    /// Readable summary.
    Text,
    /// The `verdict diff` JSON result.
    Json,
    /// SARIF 2.1.0: one result per group of new access (or undecided policy).
    Sarif,
}

impl CheckFormat {
    fn plain(self) -> Format {
        match self {
            CheckFormat::Text => Format::Text,
            _ => Format::Json,
        }
    }
}

#[derive(Subcommand)]
enum Check {
    /// Fail (exit 1, with a request) if NEW allows anything BASE does not.
    NoNewAccess {
        /// The policy before the change.
        #[arg(
            long,
            required_unless_present = "base_ref",
            conflicts_with = "base_ref"
        )]
        base: Option<String>,
        /// Compare each NEW file with its own version at this git revision (`git show`,
        /// no network); a file that did not exist there is compared with no access.
        #[arg(long, value_name = "REV")]
        base_ref: Option<String>,
        /// The policies after the change (with --base, exactly one).
        #[arg(required = true, num_args = 1..)]
        new: Vec<String>,
        /// Policy type of both.
        #[arg(long, value_parser = super::lint::policy_type_parser(), default_value = "identity")]
        policy_type: PolicyType,
        /// Pass when the comparison cannot be decided exactly (default: fail closed).
        #[arg(long)]
        allow_unknown: bool,
        /// Output format (SARIF for code scanning).
        #[arg(long, value_enum, default_value = "text")]
        format: CheckFormat,
    },
    /// Fail (exit 1, with a request) if a resource policy lets someone from an unrelated
    /// account, or an anonymous caller, in.
    NoPublicAccess {
        /// The resource policy (bucket, key, queue, topic, trust policy, …).
        policy: String,
        /// What it is attached to: a CloudFormation type (AWS::S3::Bucket,
        /// AWS::IAM::Role for a trust policy, …), a Terraform type or a short name.
        #[arg(long, value_name = "TYPE")]
        resource_type: String,
        /// Pass when the question cannot be decided exactly (default: fail closed).
        #[arg(long)]
        allow_unknown: bool,
        /// Output format (SARIF for code scanning).
        #[arg(long, value_enum, default_value = "text")]
        format: CheckFormat,
    },
    /// Fail (exit 1, with a request) if POLICY allows any of the actions (on the resources).
    AccessNotGranted {
        /// The policy.
        policy: String,
        /// Actions (patterns such as `s3:Delete*`).
        #[arg(long, num_args = 1.., required = true)]
        actions: Vec<String>,
        /// Only resources matching this pattern.
        #[arg(long)]
        resources: Option<String>,
        /// Policy type.
        #[arg(long, value_parser = super::lint::policy_type_parser(), default_value = "identity")]
        policy_type: PolicyType,
        /// Pass when the question cannot be decided exactly (default: fail closed).
        #[arg(long)]
        allow_unknown: bool,
        /// Output format (SARIF for code scanning).
        #[arg(long, value_enum, default_value = "text")]
        format: CheckFormat,
    },
}

fn emit(d: &Diff, format: Format) {
    let mut out = anstream::stdout();
    match format {
        Format::Json => {
            let mut v = serde_json::to_value(d).unwrap_or_default();
            super::stamp(&mut v);
            let _ = writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&v).unwrap_or_default()
            );
        }
        Format::Text => {
            let _ = color_stdout();
            let _ = write!(out, "{}", render_text(d));
        }
    }
}

impl DiffArgs {
    /// Run the subcommand.
    pub fn run(self) -> ExitCode {
        if let Some(b) = &self.batch {
            return batch(b, self.policy_type);
        }
        let (Some(old_path), Some(new_path)) = (&self.old, &self.new) else {
            anstream::eprintln!("error: give OLD and NEW, or --batch FILE");
            return ExitCode::from(EXIT_BAD_INPUT);
        };
        if old_path == "-" && new_path == "-" {
            anstream::eprintln!("error: only one of OLD and NEW can be standard input");
            return ExitCode::from(EXIT_BAD_INPUT);
        }
        match compare_files(old_path, new_path, self.policy_type) {
            Ok(pairs) => {
                emit_pairs(&pairs, self.format);
                ExitCode::SUCCESS
            }
            Err(d) => report_diagnostics_as(&d, self.format),
        }
    }
}

/// One policy of an input: a plain policy file has one, a CloudFormation template or
/// Terraform plan one per policy it holds, named by where it is (`Resources.Role…`).
struct Unit {
    label: String,
    policy_type: PolicyType,
    doc: Option<serde_json::Value>,
    /// Where each statement starts in the input file (for SARIF); empty when the policy
    /// sits in a decoded string.
    positions: Vec<verdict_policy::Position>,
    /// Why the policy cannot be compared (e.g. computed at apply time).
    unknown: Option<String>,
}

/// Read every policy of `arg` (policy file, CloudFormation template, Terraform plan).
fn read_units(arg: &str, ty: PolicyType) -> Result<Vec<Unit>, Vec<Diagnostic>> {
    use verdict_lint::input::{extract, Body};
    let text = super::read_input(arg).map_err(|e| {
        let what = if arg == "-" {
            "standard input".to_string()
        } else {
            arg.to_string()
        };
        vec![Diagnostic::new(
            ErrorCode::InvalidScenario,
            format!("cannot read {what}: {e}"),
        )]
    })?;
    let file = SourceFile::new(arg, text);
    let ex = extract(&file, true);
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for u in ex.units {
        let policy_type = u.hint.as_ref().map_or(ty, |h| h.policy_type);
        match u.body {
            Body::Tree { tree, source, .. } => {
                match verdict_policy::parse_policy_json(
                    &tree,
                    &source,
                    ParseOptions::new(policy_type),
                ) {
                    Ok(policy) => out.push(Unit {
                        label: u.label,
                        policy_type,
                        doc: Some(tree.to_value()),
                        // Positions only where the spans are the input file's own.
                        positions: if source.name() == file.name() && source.text() == file.text() {
                            policy
                                .statements
                                .iter()
                                .map(|st| source.position(st.span.start))
                                .collect()
                        } else {
                            Vec::new()
                        },
                        unknown: None,
                    }),
                    Err(d) => errors.extend(d),
                }
            }
            Body::Invalid { diagnostic, .. } => errors.push(diagnostic),
            Body::Issue { message, help, .. } => {
                let mut d =
                    Diagnostic::new(ErrorCode::InvalidScenario, format!("{arg}: {message}"));
                if let Some(h) = help {
                    d = d.with_help_opt(Some(h));
                }
                errors.push(d);
            }
            Body::Unknown { what, .. } => out.push(Unit {
                label: u.label,
                policy_type,
                doc: None,
                positions: Vec::new(),
                unknown: Some(format!("{what} is known only at apply time")),
            }),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if out.is_empty() {
        return Err(vec![Diagnostic::new(
            ErrorCode::InvalidScenario,
            format!(
                "{arg}: no policy found ({}); nothing would be compared",
                ex.kind
            ),
        )]);
    }
    Ok(out)
}

/// The comparison of one policy position (`label`) between two inputs.
#[derive(serde::Serialize)]
struct Pair {
    label: String,
    in_old: bool,
    in_new: bool,
    #[serde(flatten)]
    diff: Diff,
    /// Statement positions of the new policy, for SARIF.
    #[serde(skip)]
    new_positions: Vec<verdict_policy::Position>,
}

/// A policy that allows nothing (for a policy added or removed by the change).
/// Compare two inputs policy by policy (paired by position: logical ID / address).
fn compare_files(old: &str, new: &str, ty: PolicyType) -> Result<Vec<Pair>, Vec<Diagnostic>> {
    let (ou, nu) = match (read_units(old, ty), read_units(new, ty)) {
        (Ok(o), Ok(n)) => (o, n),
        (Err(mut a), Err(b)) => {
            a.extend(b);
            return Err(a);
        }
        (Err(d), _) | (_, Err(d)) => return Err(d),
    };
    let mut labels: Vec<String> = Vec::new();
    for u in ou.iter().chain(&nu) {
        if !labels.contains(&u.label) {
            labels.push(u.label.clone());
        }
    }
    // Two plain policy files: one pair, whatever their labels.
    let plain = ou.len() == 1 && nu.len() == 1;
    let mut pairs = Vec::new();
    for label in labels {
        let find = |v: &[Unit]| -> Option<usize> {
            if plain {
                Some(0)
            } else {
                v.iter().position(|u| u.label == label)
            }
        };
        let (o, n) = (
            find(&ou).and_then(|i| ou.get(i)),
            find(&nu).and_then(|i| nu.get(i)),
        );
        let policy_type = n.or(o).map_or(ty, |u| u.policy_type);
        let unknown: Vec<String> = o
            .iter()
            .chain(n.iter())
            .filter_map(|u| u.unknown.clone())
            .collect();
        let diff = if unknown.is_empty() {
            let od = o
                .and_then(|u| u.doc.clone())
                .unwrap_or_else(verdict_eval::compare::no_access_policy);
            let nd = n
                .and_then(|u| u.doc.clone())
                .unwrap_or_else(verdict_eval::compare::no_access_policy);
            let opts = DiffOptions {
                policy_type,
                actions: None,
                resources: None,
                callers: None,
            };
            diff(&od, &nd, &opts)?
        } else {
            Diff {
                relation: Relation::Unknown,
                new_access: Vec::new(),
                removed_access: Vec::new(),
                unknown_reasons: unknown,
                action_groups: 0,
                scope: String::new(),
            }
        };
        pairs.push(Pair {
            label: if plain { String::new() } else { label },
            in_old: o.is_some(),
            in_new: n.is_some(),
            diff,
            new_positions: n.map(|u| u.positions.clone()).unwrap_or_default(),
        });
        if plain {
            break;
        }
    }
    Ok(pairs)
}

/// Print comparisons: one plain pair as a single result, several as a list.
fn emit_pairs(pairs: &[Pair], format: Format) {
    match pairs {
        [one] if one.label.is_empty() => emit(&one.diff, format),
        many => match format {
            Format::Json => {
                let mut v = serde_json::json!({ "pairs": many });
                super::stamp(&mut v);
                let mut out = anstream::stdout();
                let _ = writeln!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(&v).unwrap_or_default()
                );
            }
            Format::Text => {
                for p in many {
                    let what = match (p.in_old, p.in_new) {
                        (false, true) => " (added)",
                        (true, false) => " (removed)",
                        _ => "",
                    };
                    anstream::println!("== {}{what}", p.label);
                    emit(&p.diff, format);
                }
            }
        },
    }
}

impl CheckArgs {
    /// Run the subcommand: 0 pass, 1 fail (with a counterexample), 2 bad input.
    pub fn run(self) -> ExitCode {
        match self.check {
            Check::NoNewAccess {
                base,
                base_ref,
                new,
                policy_type,
                allow_unknown,
                format,
            } => {
                if let Some(rev) = base_ref {
                    return check_against_ref(&rev, &new, policy_type, allow_unknown, format);
                }
                let (Some(base), [one]) = (base, new.as_slice()) else {
                    anstream::eprintln!("error: with --base, give exactly one NEW policy (or use --base-ref REV for several files)");
                    return ExitCode::from(EXIT_BAD_INPUT);
                };
                match compare_files(&base, one, policy_type) {
                    Ok(pairs) => gate(&pairs, one, "no-new-access", allow_unknown, format),
                    Err(d) => report_diagnostics_as(&d, format.plain()),
                }
            }
            Check::NoPublicAccess {
                policy,
                resource_type,
                allow_unknown,
                format,
            } => {
                let Some(kind) = verdict_lint::ResourceKind::from_name(&resource_type) else {
                    anstream::eprintln!(
                        "error: --resource-type \"{resource_type}\" is not a resource type{}",
                        verdict_lint::resource_kind::suggest(&resource_type)
                    );
                    return ExitCode::from(EXIT_BAD_INPUT);
                };
                let policy_type = if kind == verdict_lint::ResourceKind::RoleTrust {
                    PolicyType::Trust
                } else {
                    PolicyType::Resource
                };
                // Public access = what the policy grants the public beyond no access.
                let nothing = verdict_eval::compare::no_public_access_policy(policy_type);
                let opts = DiffOptions {
                    policy_type,
                    actions: None,
                    resources: None,
                    callers: Some(verdict_eval::compare::public_callers()),
                };
                match against(&nothing, &policy, policy_type, &opts) {
                    Ok(pairs) => gate(&pairs, &policy, "no-public-access", allow_unknown, format),
                    Err(d) => report_diagnostics_as(&d, format.plain()),
                }
            }
            Check::AccessNotGranted {
                policy,
                actions,
                resources,
                policy_type,
                allow_unknown,
                format,
            } => {
                let nothing = verdict_eval::compare::no_access_policy();
                let opts = DiffOptions {
                    policy_type,
                    actions: Some(actions),
                    resources: resources.map(|r| vec![r]),
                    callers: None,
                };
                match against(&nothing, &policy, policy_type, &opts) {
                    Ok(pairs) => gate(&pairs, &policy, "access-not-granted", allow_unknown, format),
                    Err(d) => report_diagnostics_as(&d, format.plain()),
                }
            }
        }
    }
}

/// Every policy of `file` compared with `base` (a fixed document) under `opts`.
fn against(
    base: &serde_json::Value,
    file: &str,
    ty: PolicyType,
    opts: &DiffOptions,
) -> Result<Vec<Pair>, Vec<Diagnostic>> {
    let units = read_units(file, ty)?;
    let plain = units.len() == 1;
    let mut pairs = Vec::new();
    for u in units {
        let diff = match (&u.doc, &u.unknown) {
            (Some(doc), None) => {
                let mut o = opts.clone();
                o.policy_type = u.policy_type;
                diff(base, doc, &o)?
            }
            (_, why) => Diff {
                relation: Relation::Unknown,
                new_access: Vec::new(),
                removed_access: Vec::new(),
                unknown_reasons: why.iter().cloned().collect(),
                action_groups: 0,
                scope: String::new(),
            },
        };
        pairs.push(Pair {
            label: if plain { String::new() } else { u.label },
            in_old: false,
            in_new: true,
            diff,
            new_positions: u.positions,
        });
    }
    Ok(pairs)
}

/// The gate's findings as a SARIF 2.1.0 log.
fn sarif(pairs: &[Pair], file: &str, check: &str, allow_unknown: bool) -> serde_json::Value {
    let mut results = Vec::new();
    for p in pairs {
        let at = if p.label.is_empty() {
            String::new()
        } else {
            format!("{}: ", p.label)
        };
        for a in &p.diff.new_access {
            let e = &a.example;
            let pos = a
                .statement_index
                .and_then(|i| p.new_positions.get(i))
                .map_or((1, 1), |x| (x.line, x.column));
            let more = a.action_count.saturating_sub(1);
            let also = if more > 0 {
                format!(" (and {more} similar action(s))")
            } else {
                String::new()
            };
            results.push(serde_json::json!({
                "ruleId": format!("verdict/{check}"),
                "level": "error",
                "message": {"text": format!(
                    "{at}allows {}{also}: for example {} by {} on {} with context {}{}",
                    e.action, e.action, e.principal, e.resource, e.context,
                    a.granted_by.as_ref().map(|g| format!(", granted by {g}")).unwrap_or_default()
                )},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": file},
                    "region": {"startLine": pos.0, "startColumn": pos.1}
                }}],
            }));
        }
        if p.diff.relation == Relation::Unknown && p.diff.new_access.is_empty() && !allow_unknown {
            results.push(serde_json::json!({
                "ruleId": "verdict/undecided",
                "level": "error",
                "message": {"text": format!("{at}could not be decided exactly: {}", p.diff.unknown_reasons.join("; "))},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": file},
                    "region": {"startLine": 1, "startColumn": 1}
                }}],
            }));
        }
    }
    let rule =
        |id: &str, text: &str| serde_json::json!({"id": id, "shortDescription": {"text": text}});
    serde_json::json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "verdict",
                "informationUri": "https://github.com/verdict-iam/verdict",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": [
                    rule(&format!("verdict/{check}"), "The policy allows requests the check forbids"),
                    rule("verdict/undecided", "Verdict could not decide the check exactly"),
                ],
            }},
            "results": results,
        }]
    })
}

/// Print the pairs and decide the gate: 1 if any opens access or is undecided.
fn gate(
    pairs: &[Pair],
    file: &str,
    check: &str,
    allow_unknown: bool,
    format: CheckFormat,
) -> ExitCode {
    if format == CheckFormat::Sarif {
        let mut out = anstream::stdout();
        let _ = writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&sarif(pairs, file, check, allow_unknown))
                .unwrap_or_default()
        );
    } else {
        emit_pairs(pairs, format.plain());
    }
    let failed: Vec<&Pair> = pairs
        .iter()
        .filter(|p| !verdict_api::compare::passes(&p.diff, allow_unknown))
        .collect();
    if failed.is_empty() {
        return ExitCode::SUCCESS;
    }
    for p in &failed {
        let what = if p.diff.new_access.is_empty() {
            "could not be decided exactly (fail closed; --allow-unknown to pass)".to_string()
        } else {
            format!("{} group(s) of new access", p.diff.new_access.len())
        };
        let at = if p.label.is_empty() {
            String::new()
        } else {
            format!("{}: ", p.label)
        };
        anstream::eprintln!("check failed: {at}{what}");
    }
    ExitCode::from(1)
}

/// One line of a diff batch: `{"old": DOC, "new": DOC, "policy_type": T}`.
fn batch_line(label: &str, n: usize, line: &str, default_ty: PolicyType) -> Result<Diff, String> {
    let src = SourceFile::new(format!("{label} line {n}"), line);
    let tree = verdict_policy::json::parse(&src).map_err(|d| d.to_string())?;
    let v = tree.to_value();
    let ty = match v.get("policy_type").and_then(|t| t.as_str()) {
        Some(t) => PolicyType::from_name(t)
            .ok_or_else(|| format!("{label} line {n}: policy_type \"{t}\" is not a policy type"))?,
        None => default_ty,
    };
    let verdict_policy::json::JsonKind::Object(members) = &tree.kind else {
        return Err(format!(
            "{label} line {n}: expected an object {{\"old\": …, \"new\": …}}"
        ));
    };
    let mut docs = Vec::new();
    for want in ["old", "new"] {
        let m = members
            .iter()
            .find(|m| m.key == want)
            .ok_or_else(|| format!("{label} line {n}: no \"{want}\" policy"))?;
        verdict_policy::parse_policy_json(&m.value, &src, ParseOptions::new(ty)).map_err(|d| {
            d.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join("; ")
        })?;
        docs.push(m.value.to_value());
    }
    let opts = DiffOptions {
        policy_type: ty,
        actions: None,
        resources: None,
        callers: None,
    };
    match (docs.first(), docs.get(1)) {
        (Some(o), Some(nw)) => diff(o, nw, &opts).map_err(|d| {
            d.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join("; ")
        }),
        _ => Err(format!("{label} line {n}: no policies")),
    }
}

/// `verdict diff --batch`: one result (or error) line per input line, exit 2 if any is bad.
fn batch(path: &str, ty: PolicyType) -> ExitCode {
    let text = match super::read_input(path) {
        Ok(t) => t,
        Err(e) => {
            let what = if path == "-" { "standard input" } else { path };
            anstream::eprintln!("error: cannot read {what}: {e}");
            return ExitCode::from(EXIT_BAD_INPUT);
        }
    };
    let label = if path == "-" { "<stdin>" } else { path };
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut out = anstream::stdout();
    let mut bad = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let line = line.trim_end_matches('\r');
        let v = if line.trim().is_empty() {
            bad.push(n);
            serde_json::json!({"error": format!("{label} line {n} is blank; every line holds one pair"), "line": n})
        } else {
            match batch_line(label, n, line, ty) {
                Ok(d) => {
                    let mut v = serde_json::to_value(&d).unwrap_or_default();
                    if let Some(o) = v.as_object_mut() {
                        o.insert("line".into(), n.into());
                    }
                    v
                }
                Err(e) => {
                    bad.push(n);
                    serde_json::json!({"error": e, "line": n})
                }
            }
        };
        if writeln!(out, "{v}").is_err() {
            return ExitCode::SUCCESS;
        }
    }
    if bad.is_empty() {
        ExitCode::SUCCESS
    } else {
        let shown: Vec<String> = bad.iter().take(20).map(ToString::to_string).collect();
        anstream::eprintln!(
            "error: {} line(s) could not be compared (lines {})",
            bad.len(),
            shown.join(", ")
        );
        ExitCode::from(EXIT_BAD_INPUT)
    }
}

/// The text of `path` at git revision `rev` (`None` when the file is not there).
fn git_show(rev: &str, path: &str) -> Result<Option<String>, String> {
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .output()
            .map_err(|e| format!("cannot run git: {e}"))
    };
    let prefix = git(&["rev-parse", "--show-prefix"])?;
    if !prefix.status.success() {
        return Err("--base-ref needs a git checkout".into());
    }
    let prefix = String::from_utf8_lossy(&prefix.stdout).trim().to_string();
    let rel = path.trim_start_matches("./");
    let out = git(&["show", &format!("{rev}:{prefix}{rel}")])?;
    if out.status.success() {
        return Ok(Some(String::from_utf8_lossy(&out.stdout).into_owned()));
    }
    // "No such file at that revision" is a new file; "no such revision" is an error.
    let rev_ok = git(&[
        "rev-parse",
        "--verify",
        "--quiet",
        &format!("{rev}^{{commit}}"),
    ])?
    .status
    .success();
    if rev_ok {
        Ok(None)
    } else {
        Err(format!("git revision \"{rev}\" not found"))
    }
}

/// `check no-new-access --base-ref REV FILE…`: every file against its own version at REV.
fn check_against_ref(
    rev: &str,
    files: &[String],
    ty: PolicyType,
    allow_unknown: bool,
    format: CheckFormat,
) -> ExitCode {
    let mut worst = ExitCode::SUCCESS;
    let mut failed = 0;
    for f in files {
        // The version at REV, in a file of the same name (so its format is recognised);
        // a file that did not exist there is compared with a policy that allows nothing.
        let base_text = match git_show(rev, f) {
            Ok(Some(t)) => t,
            Ok(None) => verdict_eval::compare::no_access_policy().to_string(),
            Err(e) => {
                anstream::eprintln!("error: {e}");
                return ExitCode::from(EXIT_BAD_INPUT);
            }
        };
        let dir =
            std::env::temp_dir().join(format!("verdict-base-{}-{failed}", std::process::id()));
        let name = std::path::Path::new(f)
            .file_name()
            .map_or_else(|| "base.json".into(), |n| n.to_string_lossy().into_owned());
        let base_path = dir.join(name);
        if std::fs::create_dir_all(&dir)
            .and_then(|()| std::fs::write(&base_path, &base_text))
            .is_err()
        {
            anstream::eprintln!("error: cannot write a temporary copy of {rev}:{f}");
            return ExitCode::from(EXIT_BAD_INPUT);
        }
        if format == CheckFormat::Text {
            anstream::println!("=== {f} (against {rev})");
        }
        let code = match compare_files(&base_path.to_string_lossy(), f, ty) {
            Ok(pairs) => gate(&pairs, f, "no-new-access", allow_unknown, format),
            Err(d) => report_diagnostics_as(&d, format.plain()),
        };
        let _ = std::fs::remove_dir_all(&dir);
        if code == ExitCode::from(EXIT_BAD_INPUT) {
            worst = code;
            failed += 1;
        } else if code != ExitCode::SUCCESS {
            failed += 1;
            if worst == ExitCode::SUCCESS {
                worst = code;
            }
        }
    }
    if failed > 0 {
        anstream::eprintln!("check failed for {failed} of {} file(s)", files.len());
    }
    worst
}
