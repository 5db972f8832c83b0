//! Human-readable explanation of an [`Evaluation`]. Styles are ANSI escapes; callers
//! write through `anstream`, which strips them for pipes and under `NO_COLOR`.

use crate::trace::*;
use crate::Evaluation;
use anstyle::{AnsiColor, Style};
use std::fmt::Write;

fn st(color: bool, s: Style, text: &str) -> String {
    if color {
        format!("{}{text}{}", s.render(), s.render_reset())
    } else {
        text.to_string()
    }
}

fn values(v: &[String]) -> String {
    v.iter()
        .map(|x| format!("\"{x}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One line explaining a miss.
pub fn describe_miss(m: &Miss) -> String {
    match m {
        Miss::Action {
            negated: false,
            patterns,
            requested,
        } => {
            format!(
                "action {requested} is not among Action [{}]",
                values(patterns)
            )
        }
        Miss::Action {
            negated: true,
            patterns,
            requested,
        } => {
            format!(
                "action {requested} is excluded by NotAction [{}]",
                values(patterns)
            )
        }
        Miss::Resource {
            negated,
            patterns,
            requested,
            unresolved_variables,
        } => {
            let mut s = if *negated {
                format!(
                    "resource {requested} is excluded by NotResource [{}]",
                    values(patterns)
                )
            } else {
                format!(
                    "resource {requested} does not match Resource [{}]",
                    values(patterns)
                )
            };
            if !unresolved_variables.is_empty() {
                let _ = write!(
                    s,
                    " (policy variables without a value in {}: such an entry matches nothing)",
                    values(unresolved_variables)
                );
            }
            s
        }
        Miss::Principal {
            negated: false,
            principals,
            caller,
        } => {
            format!(
                "caller {caller} is not among Principal [{}]",
                values(principals)
            )
        }
        Miss::Principal {
            negated: true,
            principals,
            caller,
        } => {
            format!(
                "caller {caller} is excluded by NotPrincipal [{}]",
                values(principals)
            )
        }
        Miss::Condition {
            operator,
            key,
            request_values,
            policy_values,
            note,
            ..
        } => {
            let got = match request_values.as_deref() {
                None => match crate::absence_hint(key) {
                    Some(h) => format!("{key} is absent from the request ({h})"),
                    None => format!("{key} is absent from the request"),
                },
                Some([only]) => format!("{key} is \"{only}\""),
                Some(v) => format!("{key} is [{}]", values(v)),
            };
            let mut s = format!(
                "condition {operator} {key} [{}] is false: {got}",
                values(policy_values)
            );
            if let Some(n) = note {
                let _ = write!(s, " ({n})");
            }
            s
        }
    }
}

/// Render an evaluation as text.
pub fn render(e: &Evaluation, color: bool) -> String {
    let mut o = String::new();
    let bold = Style::new().bold();
    let red = Style::new().bold().fg_color(Some(AnsiColor::Red.into()));
    let green = Style::new().bold().fg_color(Some(AnsiColor::Green.into()));
    let dim = Style::new().dimmed();
    let yellow = Style::new().fg_color(Some(AnsiColor::Yellow.into()));
    let head = match (e.decision, e.denied_by) {
        (Decision::Allow, _) => st(color, green, "ALLOWED"),
        (Decision::ExplicitDeny, Some(l)) => st(
            color,
            red,
            &format!("DENIED (explicit deny in the {})", l.title()),
        ),
        (Decision::ImplicitDeny, Some(l)) => st(
            color,
            red,
            &format!("DENIED (implicit deny: {})", l.title()),
        ),
        (d, None) => st(color, red, d.as_str()),
    };
    let _ = writeln!(o, "{head}");
    let _ = writeln!(
        o,
        "  {} {} on {}",
        e.request.principal, e.request.action, e.request.resource
    );
    if !e.message.is_empty() {
        let _ = writeln!(
            o,
            "\n{}\n  {}",
            st(color, bold, "AWS would say:"),
            e.message
        );
    }
    let _ = writeln!(o, "\n{} {}", st(color, bold, "Why:"), e.reason);
    if let Some(r) = &e.service_refusal {
        let code = r.error_code.map(|c| format!(" ({c})")).unwrap_or_default();
        let _ = writeln!(
            o,
            "\n{} the service refuses this call whatever the policies say{code}: {} No policy change helps. [{}]",
            st(color, red, "Service rule:"),
            r.explanation,
            r.rule
        );
    }
    for u in &e.uncertain {
        let _ = writeln!(o, "\n{} {}", st(color, yellow, "Unconfirmed:"), u.line());
    }
    let _ = writeln!(o, "\n{}", st(color, bold, "Layers:"));
    for l in &e.layers {
        let lvl = l.level.map(|i| format!(" level {i}")).unwrap_or_default();
        let outcome = match l.outcome {
            LayerOutcome::ExplicitDeny => st(color, red, "explicit deny"),
            LayerOutcome::Allow => st(color, green, "allow"),
            LayerOutcome::NoMatch => st(color, yellow, "no matching statement"),
            LayerOutcome::NotApplicable => st(color, dim, "not applicable"),
        };
        let _ = writeln!(o, "  {}{lvl}: {outcome}", l.layer.title());
        if let Some(n) = &l.note {
            let _ = writeln!(o, "    {}", st(color, dim, n));
        }
        if l.outcome == LayerOutcome::NotApplicable {
            continue;
        }
        for p in &l.policies {
            for s in &p.statements {
                let at = format!("{}:{}:{}", p.file, s.position.line, s.position.column);
                let label = format!("{} {} {}", p.policy, s.sid, s.effect);
                if s.applies {
                    let how = s
                        .principal_match
                        .map(|k| {
                            format!(
                                ", principal matched as {}",
                                serde_json::to_value(k)
                                    .ok()
                                    .and_then(|v| v.as_str().map(str::to_string))
                                    .unwrap_or_default()
                            )
                        })
                        .unwrap_or_default();
                    let _ = writeln!(
                        o,
                        "    {} {label} applies{how}  {}",
                        st(color, green, "+"),
                        st(color, dim, &at)
                    );
                } else {
                    let _ = writeln!(
                        o,
                        "    {} {label} does not apply  {}",
                        st(color, dim, "-"),
                        st(color, dim, &at)
                    );
                    for m in &s.misses {
                        let _ = writeln!(o, "        {}", describe_miss(m));
                    }
                }
                for n in &s.notes {
                    let _ = writeln!(o, "        {}", st(color, yellow, &n.text));
                }
            }
        }
    }
    if !e.missing_context.is_empty() {
        let _ = writeln!(
            o,
            "\n{}",
            st(
                color,
                bold,
                "Context keys the policies test but the request lacks:"
            )
        );
        for k in &e.missing_context {
            match (&k.flipping_value, k.could_change_decision) {
                (Some(v), true) if v.starts_with('(') => {
                    let _ = writeln!(
                        o,
                        "  {}: supplying a value the policies do not list would change the decision",
                        k.key
                    );
                }
                (Some(v), true) => {
                    let _ = writeln!(
                        o,
                        "  {}: supplying \"{v}\" would change the decision",
                        k.key
                    );
                }
                _ => {
                    let _ = writeln!(o, "  {}: no value would change the decision", k.key);
                }
            }
        }
    }
    if !e.resource_results.is_empty() {
        let _ = writeln!(o, "\n{}", st(color, bold, "Per resource:"));
        for r in &e.resource_results {
            let _ = writeln!(o, "  {}: {}", r.resource, r.decision.as_str());
        }
    }
    if !e.warnings.is_empty() {
        let _ = writeln!(o, "\n{}", st(color, bold, "Warnings:"));
        for w in &e.warnings {
            let _ = writeln!(
                o,
                "  {}",
                st(color, yellow, &format!("[{}] {}", w.code, w.message))
            );
        }
    }
    o
}
