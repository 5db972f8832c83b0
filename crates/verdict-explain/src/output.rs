//! Text, JSON and decoded-message renderings of an [`Explanation`]. Text styles are
//! ANSI escapes; callers write through `anstream`, which strips them when not wanted.

use crate::diagnose::{AgreementStatus, Explanation, Partial};
use crate::fixes::FixKind;
use crate::Report;
use anstyle::{AnsiColor, Style};
use serde_json::Value;
use std::fmt::Write;
use verdict_eval::Decision;

fn st(color: bool, s: Style, text: &str) -> String {
    if color {
        format!("{}{text}{}", s.render(), s.render_reset())
    } else {
        text.to_string()
    }
}

fn indent(text: &str, by: &str) -> String {
    text.lines()
        .map(|l| format!("{by}{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn json_line(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

fn json_pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

/// The explanation as text that reads like an engineer's answer: the answer first,
/// then the evidence, the fixes and what to check.
pub fn render_text(x: &Explanation, color: bool) -> String {
    let bold = Style::new().bold();
    let red = Style::new().bold().fg_color(Some(AnsiColor::Red.into()));
    let green = Style::new().bold().fg_color(Some(AnsiColor::Green.into()));
    let yellow = Style::new().fg_color(Some(AnsiColor::Yellow.into()));
    let dim = Style::new().dimmed();
    let h = |t: &str| st(color, bold, t);
    let mut o = String::new();
    if let Some(c) = &x.case {
        let _ = writeln!(o, "{}", st(color, dim, &format!("── {c} ──")));
    }
    let head = match x.decision {
        Decision::Allow => st(color, green, "Answer:"),
        _ => st(color, red, "Answer:"),
    };
    let _ = writeln!(o, "{head} {}", x.answer);

    // What AWS said, what Verdict expects, and whether they agree.
    let _ = writeln!(o);
    if let Some(m) = &x.reported {
        let _ = writeln!(o, "{}", h("AWS said:"));
        let _ = writeln!(o, "  {}", m.normalized);
        let _ = writeln!(o, "  {}", st(color, dim, &format!("= {}", m.summary())));
    }
    let known_only = matches!(
        x.agreement.status,
        AgreementStatus::AwsReported | AgreementStatus::NoReason
    );
    if let Some(m) = x.reported.as_ref().filter(|m| {
        m.inferred_action.is_some()
            || m.inferred_resource.is_some()
            || m.masked_principal
            || m.cut.is_some()
    }) {
        if let Some(a) = &m.inferred_action {
            let _ = writeln!(
                o,
                "  {}",
                st(
                    color,
                    dim,
                    &format!(
                        "action {a} inferred from the operation {}",
                        m.operation.as_deref().unwrap_or("?")
                    )
                )
            );
        }
        if let Some(r) = &m.inferred_resource {
            let _ = writeln!(
                o,
                "  {}",
                st(
                    color,
                    dim,
                    &format!("resource {r} inferred from the S3 location in the text")
                )
            );
        }
        if m.masked_principal {
            let _ = writeln!(
                o,
                "  {}",
                st(
                    color,
                    yellow,
                    "the principal is masked or not of a documented form; reported as printed"
                )
            );
        }
        if let Some(c) = &m.cut {
            let _ = writeln!(
                o,
                "  {}",
                st(
                    color,
                    dim,
                    &format!("cut after the message (not part of any field): {c}")
                )
            );
        }
    }
    if !known_only {
        let _ = writeln!(o, "{}", h("Verdict expects AWS to say:"));
        if x.expected_message.is_empty() {
            let _ = writeln!(o, "  (nothing: the request is allowed)");
        } else {
            let _ = writeln!(o, "  {}", x.expected_message);
        }
    }
    let (label, style) = match x.agreement.status {
        AgreementStatus::Agrees => ("Agreement: Verdict agrees with AWS.", green),
        AgreementStatus::Partly => ("Agreement: partly.", yellow),
        AgreementStatus::Disagrees => ("Agreement: Verdict DISAGREES with AWS.", red),
        AgreementStatus::NothingToCompare => ("Agreement: nothing to compare.", dim),
        AgreementStatus::AwsReported => (
            "Agreement: AWS's word (Verdict has not seen that layer).",
            yellow,
        ),
        AgreementStatus::NoReason => ("Agreement: AWS gave no reason.", yellow),
    };
    let _ = writeln!(o, "{}", st(color, style, label));
    for p in &x.agreement.points {
        let _ = writeln!(o, "  - {p}");
    }
    if !x.agreement.settle_with.is_empty() {
        let _ = writeln!(o, "  To settle it:");
        for p in &x.agreement.settle_with {
            let _ = writeln!(o, "    - {p}");
        }
    }

    // The request.
    let r = &x.request;
    let _ = writeln!(o, "\n{}", h("Request:"));
    let who = r
        .principal_found
        .as_ref()
        .map(|f| format!("  ({f} in the snapshot)"))
        .unwrap_or_default();
    let _ = writeln!(o, "  principal  {}{who}", r.principal);
    let _ = writeln!(o, "  action     {}", r.action);
    if let Some(n) = &r.action_note {
        let _ = writeln!(o, "             {}", st(color, dim, n));
    }
    if !r.other_actions.is_empty() {
        let _ = writeln!(o, "  also needs {}", r.other_actions.join(", "));
    }
    let acct = match (&r.resource_account, r.same_account) {
        (Some(a), true) => format!("  (account {a}, same account as the caller)"),
        (Some(a), false) => format!("  (account {a}, cross-account)"),
        (None, _) => String::new(),
    };
    let _ = writeln!(o, "  resource   {}{acct}", r.resource);
    let (derived, given): (Vec<_>, Vec<_>) = r
        .context
        .iter()
        .partition(|c| c.from == "derived from the principal");
    if !given.is_empty() {
        let width = given.iter().map(|c| c.key.len()).max().unwrap_or(0);
        for (i, c) in given.iter().enumerate() {
            let lead = if i == 0 {
                "  context    "
            } else {
                "             "
            };
            let _ = writeln!(
                o,
                "{lead}{:width$} = {}  {}",
                c.key,
                json_line(&c.value),
                st(color, dim, &format!("[{}]", c.from))
            );
        }
    }
    if !derived.is_empty() {
        let keys: Vec<&str> = derived.iter().map(|c| c.key.as_str()).collect();
        let _ = writeln!(
            o,
            "             {}",
            st(
                color,
                dim,
                &format!("(and, derived from the principal: {})", keys.join(", "))
            )
        );
    }

    for u in &x.uncertain {
        let _ = writeln!(o, "\n{} {}", st(color, yellow, "Unconfirmed:"), u.line());
    }
    if let Some(r) = &x.evaluation.service_refusal {
        let code = r.error_code.map(|c| format!(" ({c})")).unwrap_or_default();
        let _ = writeln!(o, "\n{} the service refuses this call whatever the policies say{code}: {} No policy change helps. [{}]", st(color, red, "Service rule:"), r.explanation, r.rule);
    }
    if !x.check_in_order.is_empty() {
        let _ = writeln!(o, "\n{}", h("Where to look, in order:"));
        for (i, c) in x.check_in_order.iter().enumerate() {
            let _ = writeln!(o, "  {}. {c}", i + 1);
        }
    }
    if !x.suggestions.is_empty() {
        let _ = writeln!(
            o,
            "\n{}",
            h("What to change (not verified: Verdict has not seen that layer's policies):")
        );
        for sg in &x.suggestions {
            let _ = writeln!(o, "  - {}", sg.title);
            let _ = writeln!(o, "    {}", sg.detail);
            if let Some(st_) = &sg.statement {
                let _ = writeln!(o, "    statement:");
                let _ = writeln!(o, "{}", indent(&json_pretty(st_), "      "));
            }
            let _ = writeln!(
                o,
                "    {}",
                st(color, dim, &format!("to verify: {}", sg.verify_with))
            );
        }
    }
    if known_only {
        return finish(o, x, color);
    }
    // Why.
    let _ = writeln!(o, "\n{}", h("Why:"));
    match &x.deciding {
        Some(d) if x.decision == Decision::ExplicitDeny => {
            let lvl = d
                .level
                .as_ref()
                .map(|l| format!(", attached at {l}"))
                .unwrap_or_default();
            let _ = writeln!(
                o,
                "  Statement {} of the {} {}{lvl}",
                d.statement,
                crate::diagnose::layer_noun(d.layer),
                d.policy
            );
            let _ = writeln!(o, "  at {}:{}:{}", d.file, d.line, d.column);
            if let Some(l) = &d.location {
                let _ = writeln!(o, "  {}", st(color, dim, l));
            }
            if let Some(t) = &d.text {
                let _ = writeln!(o, "{}", indent(&json_pretty(t), "    "));
            }
            if !d.held.is_empty() {
                let _ = writeln!(o, "  It applies because every condition holds:");
                for c in &d.held {
                    let _ = writeln!(o, "    - {c}");
                }
            }
        }
        Some(d) if x.decision == Decision::Allow => {
            let _ = writeln!(
                o,
                "  Allowed by statement {} of {} ({}) at {}:{}:{}",
                d.statement,
                d.policy,
                d.layer.title(),
                d.file,
                d.line,
                d.column
            );
        }
        _ => {
            let _ = writeln!(o, "  {}", x.reason);
            if !x.considered.is_empty() {
                let _ = writeln!(o, "  Policies of that layer (none allows the request):");
                for c in &x.considered {
                    let _ = writeln!(o, "    - {c}");
                }
            }
        }
    }
    if !x.near_misses.is_empty() {
        let _ = writeln!(
            o,
            "\n{}",
            h("Near misses (statements that name the action but did not apply):")
        );
        for (i, n) in x.near_misses.iter().enumerate() {
            let _ = writeln!(
                o,
                "  {}. {} of {} ({})  {}",
                i + 1,
                n.statement,
                n.policy,
                n.layer.title(),
                st(color, dim, &format!("{}:{}:{}", n.file, n.line, n.column))
            );
            for f in &n.failing {
                let _ = writeln!(o, "     - {f}");
            }
            if let Some(hint) = &n.hint {
                let _ = writeln!(o, "     {}", st(color, yellow, &format!("→ {hint}")));
            }
        }
    }
    if x.blockers.len() > 1 || x.blockers.iter().any(|b| b.unfixable.is_some()) {
        let _ = writeln!(
            o,
            "\n{}",
            h("Every cause that blocks the request (fixing one reveals the next):")
        );
        for b in &x.blockers {
            let what = match (&b.statement, b.decision) {
                (Some(s), Decision::ExplicitDeny) => {
                    format!("explicit deny: statement {} of {}", s.statement, s.policy)
                }
                _ => b.reason.clone(),
            };
            let lvl = b
                .level
                .as_ref()
                .map(|l| format!(" at {l}"))
                .unwrap_or_default();
            let first = if b.step == 1 {
                "  (what AWS reports now)"
            } else {
                ""
            };
            let _ = writeln!(o, "  {}. {}{lvl}: {what}{first}", b.step, b.layer.title());
            if let Some(u) = &b.unfixable {
                let _ = writeln!(
                    o,
                    "     {}",
                    st(color, yellow, &format!("no verified fix: {u}"))
                );
            }
        }
    }

    // Fixes.
    if !x.fixes.is_empty() {
        let _ = writeln!(
            o,
            "\n{}",
            h("Fixes (each verified: applied to a copy of the scenario and re-evaluated):")
        );
        if x.agreement.status == AgreementStatus::Disagrees {
            let _ = writeln!(o, "  {}", st(color, yellow, "These remove what Verdict sees with the inputs given, not what AWS reported: settle the disagreement above first."));
        }
        for f in &x.fixes {
            let req = if f.requires.is_empty() {
                "flips the decision on its own".to_string()
            } else {
                format!(
                    "flips the decision together with fix {}",
                    f.requires
                        .iter()
                        .map(|i| i.to_string())
                        .collect::<Vec<_>>()
                        .join(" and ")
                )
            };
            let cause = if x.blockers.len() > 1 {
                format!("cause {}; ", f.blocker)
            } else {
                String::new()
            };
            let _ = writeln!(o, "  [{}] {}", f.id, f.title);
            let _ = writeln!(
                o,
                "      {}",
                st(color, green, &format!("verified: {cause}{req}"))
            );
            let acct = f
                .account
                .as_ref()
                .map(|a| format!(" (account {a})"))
                .filter(|_| !f.location.contains("in account"))
                .unwrap_or_default();
            let _ = writeln!(o, "      where: {}{acct}", f.location);
            if let Some(file) = f
                .file
                .as_ref()
                .filter(|x| !x.is_empty() && f.kind != FixKind::ChangeRequest)
            {
                let _ = writeln!(o, "      file:  {file}");
            }
            let _ = writeln!(
                o,
                "      patch: {}",
                json_line(&Value::Array(f.patch.clone()))
            );
            if let Some(s) = &f.statement {
                let _ = writeln!(o, "      statement after the change:");
                let _ = writeln!(o, "{}", indent(&json_pretty(s), "        "));
            }
            if let Some(n) = &f.note {
                let _ = writeln!(o, "      {}", st(color, dim, &format!("note: {n}")));
            }
        }
    } else if x.decision != Decision::Allow {
        let _ = writeln!(o, "\n{}", h("Fixes:"));
        let _ = writeln!(o, "  Verdict found no change it could verify; give the missing inputs named above and run again.");
    }

    finish(o, x, color)
}

/// The sections every explanation ends with: what to check, decoding, notes, warnings, inputs.
fn finish(mut o: String, x: &Explanation, color: bool) -> String {
    let bold = Style::new().bold();
    let yellow = Style::new().fg_color(Some(AnsiColor::Yellow.into()));
    let h = |t: &str| st(color, bold, t);
    if !x.hinges_on.is_empty() {
        let _ = writeln!(
            o,
            "\n{}",
            h("What to check (the answer hinges on facts the logs do not carry):")
        );
        for hg in &x.hinges_on {
            let _ = writeln!(o, "  - {}: {}", hg.topic, hg.why);
        }
    }
    if let Some(c) = &x.decode_command {
        let _ = writeln!(
            o,
            "\n{}",
            h("Decode the encoded authorization message (only AWS can):")
        );
        let _ = writeln!(o, "  {c}");
        let _ = writeln!(o, "  then run again with --decoded-message decoded.json");
    }
    let notes: Vec<&String> = x
        .notes
        .iter()
        .filter(|n| !n.contains("encoded authorization message"))
        .collect();
    if !notes.is_empty() {
        let _ = writeln!(o, "\n{}", h("Notes:"));
        for n in notes {
            let _ = writeln!(o, "  - {n}");
        }
    }
    if !x.warnings.is_empty() {
        let _ = writeln!(o, "\n{}", h("Warnings:"));
        for w in &x.warnings {
            let _ = writeln!(
                o,
                "  - {}",
                st(color, yellow, &format!("[{}] {}", w.code, w.message))
            );
        }
    }
    if !x.sources.is_empty() {
        let _ = writeln!(o, "\n{} {}", h("Inputs:"), x.sources.join("; "));
    }
    o
}

/// The explanation as JSON.
pub fn render_json(x: &Explanation) -> Value {
    serde_json::to_value(x).unwrap_or(Value::Null)
}

/// A result shaped like STS `decode-authorization-message` output (T94).
pub fn render_decoded(x: &Explanation) -> Value {
    crate::decoded::decoded_view(&x.evaluation, &x.built.scenario)
}

/// A partial answer as text.
pub fn render_partial(p: &Partial, color: bool) -> String {
    let bold = Style::new().bold();
    let red = Style::new().bold().fg_color(Some(AnsiColor::Red.into()));
    let mut o = String::new();
    if let Some(c) = &p.case {
        let _ = writeln!(o, "── {c} ──");
    }
    let _ = writeln!(o, "{} {}", st(color, red, "Answer:"), p.answer);
    let _ = writeln!(o, "\n{}", st(color, bold, "AWS said:"));
    let _ = writeln!(o, "  {}", p.reported.normalized);
    let _ = writeln!(o, "\n{}", st(color, bold, "Next steps:"));
    for n in &p.next_steps {
        let _ = writeln!(o, "  - {n}");
    }
    o
}

/// Any report as text.
pub fn render_report(r: &Report, color: bool) -> String {
    match r {
        Report::Full(x) => render_text(x, color),
        Report::Partial(p) => render_partial(p, color),
    }
}

/// Any report as JSON.
pub fn render_report_json(r: &Report) -> Value {
    serde_json::to_value(r).unwrap_or(Value::Null)
}

/// Any report shaped like a decoded authorization message (partial reports have no evaluation: `null`).
pub fn render_report_decoded(r: &Report) -> Value {
    match r {
        Report::Full(x) => render_decoded(x),
        Report::Partial(_) => Value::Null,
    }
}
