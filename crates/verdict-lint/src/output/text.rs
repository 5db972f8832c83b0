//! Human-readable findings:
//!
//! ```text
//! policy.json:4:17: E202 error unknown-action: unknown action "s3:GetObjcet" (not in the service reference of 2026-10-27)
//!   |
//! 4 |     "Action": "s3:GetObjcet",
//!   |               ^^^^^^^^^^^^^^
//!   = help: did you mean "s3:GetObject"?
//! ```

use crate::finding::Finding;
use crate::rule::Severity;
use anstyle::{AnsiColor, Style};

/// Rendering switches.
#[derive(Clone, Copy, Debug, Default)]
pub struct TextOptions {
    /// ANSI colours.
    pub color: bool,
    /// Omit the source excerpt (one line per finding).
    pub concise: bool,
}

fn style(sev: Severity) -> Style {
    let c = match sev {
        Severity::Error => AnsiColor::Red,
        Severity::SecurityWarning => AnsiColor::Magenta,
        Severity::Warning => AnsiColor::Yellow,
        Severity::Suggestion => AnsiColor::Cyan,
    };
    Style::new().bold().fg_color(Some(c.into()))
}

fn paint(on: bool, s: Style, t: &str) -> String {
    if on {
        format!("{}{t}{}", s.render(), s.render_reset())
    } else {
        t.to_string()
    }
}

/// One finding, with its source excerpt unless `concise`.
pub fn render_finding(f: &Finding, opts: TextOptions) -> String {
    let sev = f.severity();
    let st = style(sev);
    let bold = Style::new().bold();
    let mut out = format!(
        "{}: {} {}: {}\n",
        paint(opts.color, bold, &f.location.display()),
        paint(opts.color, st, &format!("{} {}", f.rule.code, sev)),
        f.rule.name,
        f.message
    );
    if opts.concise {
        return out;
    }
    let loc = &f.location;
    let text = loc.file.text();
    let line_no = loc.start.line;
    // Byte search: `\n` never occurs inside a multi-byte character.
    let line_start = text
        .as_bytes()
        .get(..loc.span.start.min(text.len()))
        .and_then(|head| head.iter().rposition(|&b| b == b'\n'))
        .map_or(0, |i| i + 1);
    let line_end = text
        .as_bytes()
        .get(line_start..)
        .and_then(|tail| tail.iter().position(|&b| b == b'\n'))
        .map_or(text.len(), |i| line_start + i);
    let line = text
        .get(line_start..line_end)
        .unwrap_or("")
        .trim_end_matches('\r');
    let gutter = line_no.to_string().len();
    let pad = " ".repeat(gutter);
    let shown: String = line.chars().take(200).collect();
    let col = loc.start.column.saturating_sub(1);
    let width = if loc.end.line == loc.start.line {
        loc.end.column.saturating_sub(loc.start.column)
    } else {
        line.chars().count().saturating_sub(col)
    }
    .max(1)
    .min(shown.chars().count().saturating_sub(col).max(1));
    let indent: String = line
        .chars()
        .take(col)
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    out.push_str(&format!(
        "{pad} |\n{line_no} | {shown}\n{pad} | {indent}{}\n",
        paint(opts.color, st, &"^".repeat(width))
    ));
    if let Some(h) = &f.help {
        out.push_str(&format!("{pad} = help: {h}\n"));
    }
    if !loc.exact {
        if let Some(p) = loc.embedded {
            out.push_str(&format!(
                "{pad} = note: the policy is held in a string; the finding is at line {}, column {} of that policy text\n",
                p.line, p.column
            ));
        }
    }
    let mut context = Vec::new();
    if !f.policy.label.is_empty() {
        context.push(f.policy.label.clone());
    }
    if let Some(s) = &f.statement {
        context.push(format!("statement {}", s.label()));
    }
    if !context.is_empty() {
        out.push_str(&format!("{pad} = in: {}\n", context.join(", ")));
    }
    out
}

/// Every finding, separated by blank lines.
pub fn render(findings: &[Finding], opts: TextOptions) -> String {
    let mut out = String::new();
    for f in findings {
        out.push_str(&render_finding(f, opts));
        if !opts.concise {
            out.push('\n');
        }
    }
    out
}
