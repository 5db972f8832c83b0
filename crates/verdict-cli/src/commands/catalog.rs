//! `verdict actions`, `verdict action` and `verdict keys`: look things up in the
//! embedded AWS service authorization reference.
//!
//! Exit codes: 0 on success; 2 when a name is unknown or a pattern matches nothing
//! (a "did you mean" hint goes to stderr). Results go to stdout, hints to stderr.

use std::fmt::Write as _;
use std::io::Write as _;
use std::process::ExitCode;

use anstyle::{AnsiColor, Style};
use clap::Args;
use serde_json::Value;
use verdict_api::catalog::{
    action_json, actions_json, expand, key_set, keys_json, lookup_action, KeySet,
};
use verdict_catalog::{catalog, AccessLevel, Action, ConditionKey};

use super::{Format, EXIT_BAD_INPUT};

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();
const NAME: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Cyan)));
const WARN: Style = Style::new()
    .bold()
    .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Yellow)));
const ERROR: Style = Style::new()
    .bold()
    .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Red)));

/// Arguments of `verdict actions`.
#[derive(Args)]
pub struct ActionsArgs {
    /// Action patterns as in a policy's `Action` element: `s3:Get*`, `iam:*AccessKey*`,
    /// `sqs:?endMessage`, or `*` for everything. Case is ignored.
    #[arg(required = true, value_name = "PATTERN")]
    patterns: Vec<String>,
    /// Only list actions with this access level (list, read, write,
    /// permissions-management, tagging).
    #[arg(long, value_name = "LEVEL", value_parser = parse_level)]
    level: Option<AccessLevel>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

/// Arguments of `verdict action`.
#[derive(Args)]
pub struct ActionArgs {
    /// The action, `SERVICE:ACTION` (case is ignored), e.g. `s3:GetObject`.
    #[arg(value_name = "NAME")]
    name: String,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

/// Arguments of `verdict keys`.
#[derive(Args)]
pub struct KeysArgs {
    /// A service prefix (`s3`), an action (`s3:GetObject`), or `aws` for the global keys.
    #[arg(value_name = "SERVICE|ACTION")]
    target: String,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

fn parse_level(text: &str) -> Result<AccessLevel, String> {
    verdict_api::catalog::parse_level(text)
}

/// Writes `text` to stdout (styles stripped when stdout is not a colour terminal).
/// A closed pipe is not an error worth reporting.
fn emit(text: &str) {
    let mut out = anstream::stdout();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

fn emit_json(value: &Value) {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    emit(&text);
}

fn error(message: &str, help: Option<String>) -> ExitCode {
    let mut text = format!("{ERROR}error{ERROR:#}: {message}\n");
    if let Some(help) = help {
        let _ = writeln!(text, "  {BOLD}help{BOLD:#}: {help}");
    }
    anstream::eprint!("{text}");
    ExitCode::from(EXIT_BAD_INPUT)
}

/// Report a lookup's diagnostic as `error: …` and `help: …` on stderr; exit code 2.
fn lookup_error(d: &verdict_policy::Diagnostic) -> ExitCode {
    error(&d.message, d.help.clone())
}

/// Pads `text` (display width = char count) to `width`.
fn pad(text: &str, width: usize) -> String {
    let len = text.chars().count();
    format!("{text}{}", " ".repeat(width.saturating_sub(len)))
}

impl ActionsArgs {
    /// Run the subcommand.
    pub fn run(self) -> ExitCode {
        let c = catalog();
        let expansion = expand(c, &self.patterns, self.level);
        let (found, unmatched) = (&expansion.found, &expansion.unmatched);
        match self.format {
            Format::Json => emit_json(&actions_json(c, &expansion)),
            Format::Text => {
                let names: Vec<String> = found.iter().map(ToString::to_string).collect();
                let width = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
                let mut text = String::new();
                for (action, name) in found.iter().zip(&names) {
                    let _ = writeln!(
                        text,
                        "{NAME}{}{NAME:#}  {}",
                        pad(name, width),
                        action.access_level_label()
                    );
                }
                emit(&text);
                anstream::eprintln!(
                    "{DIM}{} action{}; {}{DIM:#}",
                    found.len(),
                    if found.len() == 1 { "" } else { "s" },
                    verdict_catalog::data_version_line()
                );
            }
        }
        for (pattern, hint) in unmatched {
            let mut text = format!("{WARN}warning{WARN:#}: `{pattern}` matches no action\n");
            if let Some(hint) = hint {
                let _ = writeln!(text, "  {BOLD}help{BOLD:#}: {hint}");
            }
            anstream::eprint!("{text}");
        }
        if unmatched.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(EXIT_BAD_INPUT)
        }
    }
}

impl ActionArgs {
    /// Run the subcommand.
    pub fn run(self) -> ExitCode {
        let c = catalog();
        let action = match lookup_action(c, &self.name) {
            Ok(action) => action,
            Err(d) => return lookup_error(&d),
        };
        let keys = action.condition_keys();
        match self.format {
            Format::Json => emit_json(&action_json(c, action)),
            Format::Text => emit(&action_text(action, &keys)),
        }
        ExitCode::SUCCESS
    }
}

fn action_text(action: Action<'_>, keys: &[ConditionKey<'_>]) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "{BOLD}{action}{BOLD:#}  {DIM}{}{DIM:#}",
        action.service().name()
    );
    let _ = writeln!(
        t,
        "{BOLD}Access level{BOLD:#}  {}",
        action.access_level_label()
    );

    let _ = writeln!(t, "{BOLD}Resource types{BOLD:#}");
    if action.only_supports_star() {
        let _ = writeln!(t, "  none: the action only takes \"Resource\": \"*\"");
    }
    let width = action
        .resource_types()
        .map(|rt| rt.name().chars().count() + 1)
        .max()
        .unwrap_or(0);
    for rt in action.resource_types() {
        let label = format!("{}{}", rt.name(), if rt.is_required() { "*" } else { "" });
        let patterns: Vec<&str> = rt
            .resource_type()
            .map(|t| t.arn_patterns().collect())
            .unwrap_or_default();
        let first = patterns.first().copied().unwrap_or("");
        let _ = writeln!(t, "  {NAME}{}{NAME:#}  {first}", pad(&label, width));
        for pattern in patterns.iter().skip(1) {
            let _ = writeln!(t, "  {}  {pattern}", pad("", width));
        }
        let mut rt_keys: Vec<&str> = rt.condition_keys().collect();
        if let Some(def) = rt.resource_type() {
            rt_keys.extend(def.condition_keys());
        }
        rt_keys.sort_unstable();
        rt_keys.dedup();
        if !rt_keys.is_empty() {
            let indent = format!("  {}  ", pad("", width));
            for line in wrap(&rt_keys, "keys: ", 100usize.saturating_sub(indent.len())) {
                let _ = writeln!(t, "{indent}{DIM}{line}{DIM:#}");
            }
        }
    }
    if action.resource_types().any(|rt| rt.is_required()) {
        let _ = writeln!(t, "  {DIM}* required{DIM:#}");
    }

    let _ = writeln!(t, "{BOLD}Condition keys{BOLD:#}");
    keys_text(&mut t, keys);
    let _ = writeln!(
        t,
        "  {DIM}plus the global keys (aws:SourceIp, aws:PrincipalTag/…): `verdict keys aws`{DIM:#}"
    );
    let deps: Vec<&str> = action.dependent_actions().collect();
    let _ = writeln!(
        t,
        "{BOLD}Dependent actions{BOLD:#}  {}",
        if deps.is_empty() {
            "none listed".to_owned()
        } else {
            deps.join(", ")
        }
    );
    t
}

/// Joins `items` with `, ` into lines of at most `width` characters (longer items get
/// a line of their own); the first line starts with `lead`, later ones are indented
/// to match.
fn wrap(items: &[&str], lead: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = lead.to_owned();
    let mut empty = true;
    for item in items {
        let extra = if empty { item.len() } else { item.len() + 2 };
        if !empty && line.len() + extra > width {
            line.push(',');
            lines.push(std::mem::replace(&mut line, " ".repeat(lead.len())));
            empty = true;
        }
        if !empty {
            line.push_str(", ");
        }
        line.push_str(item);
        empty = false;
    }
    lines.push(line);
    lines
}

fn keys_text(t: &mut String, keys: &[ConditionKey<'_>]) {
    if keys.is_empty() {
        let _ = writeln!(t, "  none specific to this service");
    }
    let width = keys
        .iter()
        .map(|k| k.name().chars().count())
        .max()
        .unwrap_or(0);
    for key in keys {
        let _ = writeln!(
            t,
            "  {NAME}{}{NAME:#}  {}",
            pad(key.name(), width),
            key.key_type()
        );
    }
}

impl KeysArgs {
    /// Run the subcommand.
    pub fn run(self) -> ExitCode {
        let c = catalog();
        let set = match key_set(c, &self.target) {
            Ok(set) => set,
            Err(d) => return lookup_error(&d),
        };
        let (scope, keys) = match &set {
            KeySet::Global(keys) => return global_keys(keys, &set, self.format),
            KeySet::Scoped { scope, keys } => (scope, keys),
        };
        match self.format {
            Format::Json => emit_json(&keys_json(c, &set)),
            Format::Text => {
                let mut t = String::new();
                let _ = writeln!(t, "{BOLD}Condition keys of {scope}{BOLD:#}");
                keys_text(&mut t, keys);
                let _ = writeln!(t, "  {DIM}plus the global keys: `verdict keys aws`{DIM:#}");
                emit(&t);
            }
        }
        ExitCode::SUCCESS
    }
}

fn global_keys(keys: &[verdict_catalog::GlobalKey], set: &KeySet<'_>, format: Format) -> ExitCode {
    match format {
        Format::Json => emit_json(&keys_json(catalog(), set)),
        Format::Text => {
            let mut t = String::new();
            let _ = writeln!(t, "{BOLD}Global condition keys{BOLD:#}");
            let name_width = keys
                .iter()
                .map(|k| k.name().chars().count())
                .max()
                .unwrap_or(0);
            let type_width = keys
                .iter()
                .map(|k| k.key_type().to_string().len())
                .max()
                .unwrap_or(0);
            for key in keys {
                let _ = writeln!(
                    t,
                    "  {NAME}{}{NAME:#}  {}  {DIM}{:<9} {}{DIM:#}",
                    pad(key.name(), name_width),
                    pad(&key.key_type().to_string(), type_width),
                    key.category().as_str(),
                    key.presence()
                );
            }
            emit(&t);
        }
    }
    ExitCode::SUCCESS
}
