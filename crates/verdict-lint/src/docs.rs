//! `docs/rules.md`, generated from the registry (a test keeps the file up to date).

use crate::rules;
use crate::Severity;

/// The Markdown reference of every rule.
pub fn rules_markdown() -> String {
    let mut s = String::new();
    s.push_str("# verdict lint rules\n\n");
    s.push_str("<!-- Generated from crates/verdict-lint/src/rules by `UPDATE_RULES_DOC=1 cargo test -p verdict-lint --test docs`; do not edit. -->\n\n");
    s.push_str(
        "Every check has a stable code that is never reused and a kebab-case name; either works with \
`verdict rule`, `--ignore` and `verdict.toml`. The letter is the class, following the four finding \
types of AWS IAM Access Analyzer's `ValidatePolicy`:\n\n",
    );
    s.push_str("| Letter | Severity | Meaning |\n|---|---|---|\n");
    s.push_str("| `E` | error | AWS rejects the policy, or an element cannot work as written |\n");
    s.push_str("| `S` | security-warning | the policy grants more than it probably should |\n");
    s.push_str("| `W` | warning | the policy may not do what its author expects |\n");
    s.push_str("| `N` | suggestion | clarity and least privilege; no effect on access |\n\n");
    s.push_str(
        "The first digit groups related checks: `E1xx` grammar, `E2xx` references to the service catalog \
and policy variables, `E3xx` conditions, `E4xx` restrictions by policy type, `E5xx` size quotas.\n\n",
    );
    s.push_str(
        "Unknown services, actions and condition keys are judged against the embedded service reference \
(its date is printed by `verdict --version` and in every such finding).\n\n",
    );
    s.push_str("| Code | Name | Severity | Summary |\n|---|---|---|---|\n");
    for r in rules::ALL {
        s.push_str(&format!(
            "| [{}](#{}) | `{}` | {} | {} |\n",
            r.code,
            r.code,
            r.name,
            r.severity,
            r.summary.replace('|', "\\|")
        ));
    }
    for sev in Severity::ALL {
        s.push_str(&format!("\n## {}\n", capitalise(sev.plural())));
        for r in rules::ALL.iter().filter(|r| r.severity == sev) {
            s.push_str(&format!(
                "\n<a id=\"{}\"></a>\n\n### {} `{}`\n\n",
                r.code, r.code, r.name
            ));
            s.push_str(&format!("*{}* — {}\n\n", r.severity, r.summary));
            s.push_str(r.docs.trim());
            s.push('\n');
            if !r.access_analyzer.is_empty() {
                s.push_str(&format!(
                    "\n**Access Analyzer equivalent.** {}\n",
                    r.access_analyzer
                        .iter()
                        .map(|c| format!("`{c}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            if let Some(ss) = r.security_severity {
                s.push_str(&format!("\n**SARIF security-severity.** {ss}\n"));
            }
        }
    }
    s
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}
