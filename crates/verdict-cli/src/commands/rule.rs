//! `verdict rule`: print the documentation of a lint rule, or list every rule.

use super::EXIT_BAD_INPUT;
use clap::{Args, ValueEnum};
use serde_json::json;
use std::process::ExitCode;
use verdict_lint::rules::{self, ALL};
use verdict_lint::Rule;

/// Output format of `verdict rule`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RuleFormat {
    /// Plain text (Markdown source of the documentation).
    Text,
    /// JSON: one object, or an array when listing.
    Json,
}

/// Arguments of `verdict rule`.
#[derive(Args, Debug)]
pub struct RuleArgs {
    /// A code (E202) or name (unknown-action); omit to list every rule.
    pub rule: Option<String>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = RuleFormat::Text)]
    pub format: RuleFormat,
}

fn rule_json(r: &Rule) -> serde_json::Value {
    json!({
        "code": r.code,
        "name": r.name,
        "severity": r.severity.as_str(),
        "summary": r.summary,
        "docs": r.docs,
        "access_analyzer": r.access_analyzer,
        "security_severity": r.security_severity,
        "tags": r.tags,
        "help_uri": r.help_uri(),
    })
}

impl RuleArgs {
    /// Run the subcommand.
    pub fn run(self) -> ExitCode {
        let Some(q) = &self.rule else {
            match self.format {
                RuleFormat::Json => {
                    let all: Vec<_> = ALL.iter().map(|r| rule_json(r)).collect();
                    let doc = json!({"version": 1, "tool": super::tool_json(), "rules": all});
                    anstream::println!(
                        "{}",
                        serde_json::to_string_pretty(&doc).unwrap_or_default()
                    );
                }
                RuleFormat::Text => {
                    let width = ALL.iter().map(|r| r.name.len()).max().unwrap_or(0);
                    for r in ALL {
                        anstream::println!(
                            "{}  {:<16}  {:<width$}  {}",
                            r.code,
                            r.severity.as_str(),
                            r.name,
                            r.summary
                        );
                    }
                }
            }
            return ExitCode::SUCCESS;
        };
        let Some(r) = rules::find(q) else {
            let names = ALL.iter().flat_map(|r| [r.code, r.name]);
            let hint = verdict_policy::diag::suggestion(q, names)
                .map(|h| format!("; {h}"))
                .unwrap_or_default();
            anstream::eprintln!(
                "error: unknown rule \"{q}\"{hint} (run `verdict rule` to list them)"
            );
            return ExitCode::from(EXIT_BAD_INPUT);
        };
        match self.format {
            RuleFormat::Json => {
                let mut doc = rule_json(r);
                if let Some(obj) = doc.as_object_mut() {
                    obj.insert("tool".into(), super::tool_json());
                }
                anstream::println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default())
            }
            RuleFormat::Text => anstream::print!("{}", r.render_text()),
        }
        ExitCode::SUCCESS
    }
}
