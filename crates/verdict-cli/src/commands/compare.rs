//! `verdict diff` and `verdict check`: compare policies offline, with a counterexample.

use super::{color_stdout, report_diagnostics_as, Format, EXIT_BAD_INPUT};
use clap::{Args, Subcommand};
use std::io::{Read, Write};
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
    /// How both documents are read (identity, boundary, session and scp are compared;
    /// the others need the principal as a dimension and give `unknown`).
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
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
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
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
}

/// Read and validate one policy document; errors name the file, line and column.
fn read_policy(arg: &str, ty: PolicyType) -> Result<serde_json::Value, Vec<Diagnostic>> {
    let text = if arg == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).map_err(|e| {
            vec![Diagnostic::new(
                ErrorCode::InvalidScenario,
                format!("cannot read standard input: {e}"),
            )]
        })?;
        s
    } else {
        std::fs::read_to_string(arg).map_err(|e| {
            vec![Diagnostic::new(
                ErrorCode::InvalidScenario,
                format!("cannot read {arg}: {e}"),
            )]
        })?
    };
    let src = SourceFile::new(arg, text);
    let yaml = verdict_eval::scenario::is_yaml_path(arg);
    let tree = if yaml {
        let docs = verdict_policy::yaml::parse_yaml(&src).map_err(|d| vec![d])?;
        docs.into_iter().next().ok_or_else(|| {
            vec![Diagnostic::new(
                ErrorCode::InvalidScenario,
                format!("{arg}: no document"),
            )]
        })?
    } else {
        verdict_policy::json::parse(&src).map_err(|d| vec![d])?
    };
    verdict_policy::parse_policy_json(&tree, &src, ParseOptions::new(ty))?;
    Ok(tree.to_value())
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
        let (old, new) = match (
            read_policy(old_path, self.policy_type),
            read_policy(new_path, self.policy_type),
        ) {
            (Ok(o), Ok(n)) => (o, n),
            (Err(mut a), Err(b)) => {
                a.extend(b);
                return report_diagnostics_as(&a, self.format);
            }
            (Err(d), _) | (_, Err(d)) => return report_diagnostics_as(&d, self.format),
        };
        let opts = DiffOptions {
            policy_type: self.policy_type,
            actions: None,
            resources: None,
        };
        match diff(&old, &new, &opts) {
            Ok(d) => {
                emit(&d, self.format);
                ExitCode::SUCCESS
            }
            Err(d) => report_diagnostics_as(&d, self.format),
        }
    }
}

impl CheckArgs {
    /// Run the subcommand: 0 pass, 1 fail (with a counterexample), 2 bad input.
    pub fn run(self) -> ExitCode {
        let (result, allow_unknown, format, new_side) = match self.check {
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
                let docs = (
                    read_policy(&base, policy_type),
                    read_policy(one, policy_type),
                );
                let (o, n) = match docs {
                    (Ok(o), Ok(n)) => (o, n),
                    (Err(d), _) | (_, Err(d)) => return report_diagnostics_as(&d, format),
                };
                let opts = DiffOptions {
                    policy_type,
                    actions: None,
                    resources: None,
                };
                (diff(&o, &n, &opts), allow_unknown, format, true)
            }
            Check::AccessNotGranted {
                policy,
                actions,
                resources,
                policy_type,
                allow_unknown,
                format,
            } => {
                let p = match read_policy(&policy, policy_type) {
                    Ok(p) => p,
                    Err(d) => return report_diagnostics_as(&d, format),
                };
                // Access granted = what POLICY allows beyond a policy that allows nothing.
                let nothing = serde_json::json!({"Version": "2012-10-17", "Statement": [
                    {"Effect": "Deny", "Action": "*", "Resource": "*"}
                ]});
                let opts = DiffOptions {
                    policy_type,
                    actions: Some(actions),
                    resources: resources.map(|r| vec![r]),
                };
                (diff(&nothing, &p, &opts), allow_unknown, format, true)
            }
        };
        let d = match result {
            Ok(d) => d,
            Err(diags) => return report_diagnostics_as(&diags, format),
        };
        emit(&d, format);
        let failed = new_side && !d.new_access.is_empty();
        let unknown = d.relation == Relation::Unknown && d.new_access.is_empty();
        if failed {
            anstream::eprintln!(
                "check failed: {} group(s) of new access (each with a request above)",
                d.new_access.len()
            );
            ExitCode::from(1)
        } else if unknown && !allow_unknown {
            anstream::eprintln!("check failed: the comparison could not be decided exactly (fail closed; --allow-unknown to pass)");
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        }
    }
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
    let text = if path == "-" {
        let mut s = String::new();
        if let Err(e) = std::io::stdin().read_to_string(&mut s) {
            anstream::eprintln!("error: cannot read standard input: {e}");
            return ExitCode::from(EXIT_BAD_INPUT);
        }
        s
    } else {
        match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                anstream::eprintln!("error: cannot read {path}: {e}");
                return ExitCode::from(EXIT_BAD_INPUT);
            }
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
    format: Format,
) -> ExitCode {
    let deny_all = serde_json::json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": "*", "Resource": "*"}
    ]});
    let mut failed = 0;
    for f in files {
        let new = match read_policy(f, ty) {
            Ok(n) => n,
            Err(d) => return report_diagnostics_as(&d, format),
        };
        let base = match git_show(rev, f) {
            Ok(Some(text)) => {
                let src = SourceFile::new(format!("{rev}:{f}"), text);
                let tree = match verdict_policy::json::parse(&src) {
                    Ok(t) => t,
                    Err(d) => return report_diagnostics_as(&[d], format),
                };
                if let Err(d) =
                    verdict_policy::parse_policy_json(&tree, &src, ParseOptions::new(ty))
                {
                    return report_diagnostics_as(&d, format);
                }
                tree.to_value()
            }
            Ok(None) => deny_all.clone(),
            Err(e) => {
                anstream::eprintln!("error: {e}");
                return ExitCode::from(EXIT_BAD_INPUT);
            }
        };
        let opts = DiffOptions {
            policy_type: ty,
            actions: None,
            resources: None,
        };
        let d = match diff(&base, &new, &opts) {
            Ok(d) => d,
            Err(diags) => return report_diagnostics_as(&diags, format),
        };
        if format == Format::Text {
            anstream::println!("== {f} (against {rev})");
        }
        emit(&d, format);
        let unknown = d.relation == Relation::Unknown && d.new_access.is_empty();
        if !d.new_access.is_empty() || unknown && !allow_unknown {
            failed += 1;
        }
    }
    if failed > 0 {
        anstream::eprintln!("check failed for {failed} of {} file(s)", files.len());
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
