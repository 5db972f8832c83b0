//! Rule metadata: code, name, severity and the documentation shown by `verdict rule`.

use std::fmt;

/// How serious a finding is; the four classes of AWS IAM Access Analyzer's `ValidatePolicy`.
///
/// Ordered from least to most serious, so `finding.severity() >= fail_on` decides the
/// exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Style or clarity; no effect on access.
    Suggestion,
    /// The policy may not do what its author expects.
    Warning,
    /// The policy grants more than it probably should.
    SecurityWarning,
    /// AWS rejects the policy, or an element cannot work as written.
    Error,
}

impl Severity {
    /// Every severity, most serious first.
    pub const ALL: [Severity; 4] = [
        Severity::Error,
        Severity::SecurityWarning,
        Severity::Warning,
        Severity::Suggestion,
    ];

    /// Kebab-case name: `error`, `security-warning`, `warning`, `suggestion`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::SecurityWarning => "security-warning",
            Severity::Warning => "warning",
            Severity::Suggestion => "suggestion",
        }
    }

    /// Parse a kebab-case name (also accepts `security_warning` and `note`).
    pub fn from_name(name: &str) -> Option<Severity> {
        Some(
            match name.trim().to_ascii_lowercase().replace('_', "-").as_str() {
                "error" => Severity::Error,
                "security-warning" | "security" => Severity::SecurityWarning,
                "warning" => Severity::Warning,
                "suggestion" | "note" => Severity::Suggestion,
                _ => return None,
            },
        )
    }

    /// The letter that starts the codes of this class (`E`, `S`, `W`, `N`).
    pub fn code_letter(self) -> char {
        match self {
            Severity::Error => 'E',
            Severity::SecurityWarning => 'S',
            Severity::Warning => 'W',
            Severity::Suggestion => 'N',
        }
    }

    /// Plural noun for summaries (`errors`, `security warnings`, …).
    pub fn plural(self) -> &'static str {
        match self {
            Severity::Error => "errors",
            Severity::SecurityWarning => "security warnings",
            Severity::Warning => "warnings",
            Severity::Suggestion => "suggestions",
        }
    }

    /// Singular noun for summaries.
    pub fn singular(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::SecurityWarning => "security warning",
            Severity::Warning => "warning",
            Severity::Suggestion => "suggestion",
        }
    }

    /// The SARIF `level` for this severity.
    pub fn sarif_level(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::SecurityWarning | Severity::Warning => "warning",
            Severity::Suggestion => "note",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One check: its stable identity and its documentation.
///
/// Codes are a class letter (`E` error, `S` security warning, `W` warning,
/// `N` suggestion) and three digits whose first digit groups related checks. A code
/// is never reused once published, even if its check is removed.
#[derive(Debug)]
pub struct Rule {
    /// Stable code such as `E202`.
    pub code: &'static str,
    /// Stable kebab-case name such as `unknown-action`.
    pub name: &'static str,
    /// Default severity.
    pub severity: Severity,
    /// One line: what the check flags.
    pub summary: &'static str,
    /// Markdown with the sections *What it flags*, *Why it matters*, *Example*, *Fix*
    /// (and *Notes* where useful).
    pub docs: &'static str,
    /// The closest AWS IAM Access Analyzer `ValidatePolicy` issue code(s), if any.
    pub access_analyzer: &'static [&'static str],
    /// For security warnings: the SARIF `security-severity` score (CVSS-like, 0.0–10.0).
    pub security_severity: Option<&'static str>,
    /// Free-form tags for SARIF and filtering (`security`, `grammar`, `catalog`, …).
    pub tags: &'static [&'static str],
}

impl Rule {
    /// `https://github.com/verdict-iam/verdict/blob/main/docs/rules.md#CODE`.
    pub fn help_uri(&self) -> String {
        format!(
            "https://github.com/verdict-iam/verdict/blob/main/docs/rules.md#{}",
            self.code
        )
    }

    /// The documentation as printed by `verdict rule CODE`.
    pub fn render_text(&self) -> String {
        let mut s = format!(
            "{} {} ({})\n\n{}\n\n{}\n",
            self.code,
            self.name,
            self.severity,
            self.summary,
            self.docs.trim()
        );
        if !self.access_analyzer.is_empty() {
            s.push_str(&format!(
                "\nAccess Analyzer equivalent: {}\n",
                self.access_analyzer.join(", ")
            ));
        }
        s
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code, self.name)
    }
}
