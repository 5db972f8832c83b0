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
    old: String,
    /// The new policy (file, or `-`).
    new: String,
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
        #[arg(long)]
        base: String,
        /// The policy after the change.
        new: String,
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
        if self.old == "-" && self.new == "-" {
            anstream::eprintln!("error: only one of OLD and NEW can be standard input");
            return ExitCode::from(EXIT_BAD_INPUT);
        }
        let (old, new) = match (
            read_policy(&self.old, self.policy_type),
            read_policy(&self.new, self.policy_type),
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
                new,
                policy_type,
                allow_unknown,
                format,
            } => {
                let docs = (
                    read_policy(&base, policy_type),
                    read_policy(&new, policy_type),
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
