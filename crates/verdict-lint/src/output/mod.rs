//! Rendering findings: text with the underlined source line, JSON and SARIF 2.1.0.

pub mod json;
pub mod sarif;
pub mod text;

use crate::finding::Finding;
use crate::rule::Severity;

/// Counts of findings by severity, plus how much was read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Errors.
    pub errors: usize,
    /// Security warnings.
    pub security_warnings: usize,
    /// Warnings.
    pub warnings: usize,
    /// Suggestions.
    pub suggestions: usize,
    /// Files read.
    pub files: usize,
    /// Policies linted.
    pub policies: usize,
    /// Findings suppressed by `--ignore` or `verdict.toml`.
    pub ignored: usize,
}

impl Summary {
    /// Count `findings`.
    pub fn new(findings: &[Finding], files: usize, policies: usize, ignored: usize) -> Summary {
        let mut s = Summary {
            files,
            policies,
            ignored,
            ..Summary::default()
        };
        for f in findings {
            match f.severity() {
                Severity::Error => s.errors += 1,
                Severity::SecurityWarning => s.security_warnings += 1,
                Severity::Warning => s.warnings += 1,
                Severity::Suggestion => s.suggestions += 1,
            }
        }
        s
    }

    /// Number of findings of `severity`.
    pub fn count(&self, severity: Severity) -> usize {
        match severity {
            Severity::Error => self.errors,
            Severity::SecurityWarning => self.security_warnings,
            Severity::Warning => self.warnings,
            Severity::Suggestion => self.suggestions,
        }
    }

    /// Total findings.
    pub fn total(&self) -> usize {
        self.errors + self.security_warnings + self.warnings + self.suggestions
    }

    /// True if any finding is at or above `fail_on`.
    pub fn fails(&self, fail_on: Severity) -> bool {
        Severity::ALL
            .iter()
            .any(|s| *s >= fail_on && self.count(*s) > 0)
    }

    /// One line, e.g. `3 findings: 1 error, 2 warnings (2 files, 3 policies)`.
    pub fn line(&self) -> String {
        let files = format!(
            "{} file{}, {} polic{}",
            self.files,
            if self.files == 1 { "" } else { "s" },
            self.policies,
            if self.policies == 1 { "y" } else { "ies" }
        );
        let ignored = if self.ignored > 0 {
            format!(", {} ignored", self.ignored)
        } else {
            String::new()
        };
        if self.total() == 0 {
            return format!("No findings ({files}{ignored})");
        }
        let parts: Vec<String> = Severity::ALL
            .iter()
            .filter(|s| self.count(**s) > 0)
            .map(|s| {
                let n = self.count(*s);
                format!("{n} {}", if n == 1 { s.singular() } else { s.plural() })
            })
            .collect();
        let total = self.total();
        format!(
            "{total} finding{}: {} ({files}{ignored})",
            if total == 1 { "" } else { "s" },
            parts.join(", ")
        )
    }
}
