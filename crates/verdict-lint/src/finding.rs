//! Findings: a rule, a message and a position in the file the user gave.

use crate::rule::{Rule, Severity};
use std::sync::Arc;
use verdict_policy::{PolicyType, Position, SourceFile, Span};

/// Where a finding points, in the file that was read.
#[derive(Clone, Debug)]
pub struct Location {
    /// The file.
    pub file: Arc<SourceFile>,
    /// Byte span in the file.
    pub span: Span,
    /// 1-based start line and column.
    pub start: Position,
    /// 1-based end line and column.
    pub end: Position,
    /// False when the policy sits in a string whose inner positions cannot be mapped;
    /// `span` then covers the whole string and `embedded` gives the inner position.
    pub exact: bool,
    /// Line and column inside the embedded policy text, when `exact` is false.
    pub embedded: Option<Position>,
}

impl Location {
    /// A location for `span` of `file`.
    pub fn new(
        file: &Arc<SourceFile>,
        span: Span,
        exact: bool,
        embedded: Option<Position>,
    ) -> Location {
        Location {
            file: file.clone(),
            span,
            start: file.position(span.start),
            end: file.position(span.end),
            exact,
            embedded,
        }
    }

    /// `file:line:column`.
    pub fn display(&self) -> String {
        format!(
            "{}:{}:{}",
            self.file.name(),
            self.start.line,
            self.start.column
        )
    }
}

/// The policy a finding belongs to.
#[derive(Clone, Debug)]
pub struct PolicyInfo {
    /// Where in the file the policy is (empty for a plain policy file).
    pub label: String,
    /// The type it was checked as (none when it could not be read).
    pub policy_type: Option<PolicyType>,
    /// How that type was chosen, for `--verbose`.
    pub detection: String,
}

/// The statement a finding belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatementRef {
    /// 0-based index in the policy.
    pub index: usize,
    /// The `Sid`, if any.
    pub sid: Option<String>,
}

impl StatementRef {
    /// `Sid` or `#N` (1-based).
    pub fn label(&self) -> String {
        match &self.sid {
            Some(s) if !s.is_empty() => s.clone(),
            _ => format!("#{}", self.index + 1),
        }
    }
}

/// One problem found by one rule.
#[derive(Clone, Debug)]
pub struct Finding {
    /// The rule.
    pub rule: &'static Rule,
    /// What is wrong here (lower-case start, no final period, names in quotes).
    pub message: String,
    /// How to fix it, when there is something specific to say.
    pub help: Option<String>,
    /// Where.
    pub location: Location,
    /// Which policy.
    pub policy: Arc<PolicyInfo>,
    /// Which statement, if the finding is about one.
    pub statement: Option<StatementRef>,
    /// JSON path inside the policy, e.g. `Statement[0].Action[1]`.
    pub path: Option<String>,
}

impl Finding {
    /// The rule's severity.
    pub fn severity(&self) -> Severity {
        self.rule.severity
    }

    /// The rule's code.
    pub fn code(&self) -> &'static str {
        self.rule.code
    }
}

/// Sort findings by file, position, then code.
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        a.location
            .file
            .name()
            .cmp(b.location.file.name())
            .then(a.location.span.start.cmp(&b.location.span.start))
            .then(a.rule.code.cmp(b.rule.code))
            .then(a.message.cmp(&b.message))
    });
}
