//! Access Analyzer-class policy checks with stable codes, offline.
//!
//! `verdict-lint` validates AWS IAM policies — identity, resource, trust, SCP, RCP,
//! permissions boundary — found in policy files, CloudFormation templates and Terraform
//! plans, and reports findings with stable codes (`E202 unknown-action`, …), four
//! severities (error, security warning, warning, suggestion) and exact positions. The
//! service catalog is embedded, so no AWS credentials or network are needed.
//!
//! ```
//! use verdict_lint::{lint_text, LintOptions};
//! let findings = lint_text(
//!     "policy.json",
//!     r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObjcet", "Resource": "*"}}"#,
//!     &LintOptions::default(),
//! );
//! assert!(findings.iter().any(|f| f.rule.code == "E202"));
//! ```
//!
//! The pieces: [`input`] finds policies in files; [`engine`] lints one policy;
//! [`rules`] holds every check next to its documentation (the registry is
//! [`rules::ALL`]); [`config`] reads `verdict.toml` and suppressions; [`output`]
//! renders text, JSON and SARIF; [`docs`] generates `docs/rules.md`.

#![warn(missing_docs)]

pub mod config;
pub mod detect;
pub mod docs;
pub mod engine;
pub mod finding;
pub mod input;
pub mod output;
pub mod resource_kind;
pub mod rule;
pub mod rules;

pub use engine::{lint_unit, LintOptions, UnitReport};
pub use finding::{Finding, Location, PolicyInfo, StatementRef};
pub use resource_kind::ResourceKind;
pub use rule::{Rule, Severity};

use std::sync::Arc;
use verdict_policy::SourceFile;

/// The result of linting one file.
#[derive(Clone, Debug)]
pub struct FileReport {
    /// The file.
    pub file: Arc<SourceFile>,
    /// What the file was (`policy`, `CloudFormation template`, `Terraform plan`, …).
    pub kind: String,
    /// One report per policy found.
    pub units: Vec<UnitReport>,
}

impl FileReport {
    /// Every finding of the file.
    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.units.iter().flat_map(|u| u.findings.iter())
    }
}

/// Lint every policy in `file`. `explicit` is true when the user named the file (a
/// document of unknown shape is then linted as a policy rather than skipped).
pub fn lint_file(file: &Arc<SourceFile>, explicit: bool, opts: &LintOptions) -> FileReport {
    let extraction = input::extract(file, explicit);
    let units = extraction
        .units
        .iter()
        .map(|u| lint_unit(u, opts))
        .collect();
    FileReport {
        file: file.clone(),
        kind: extraction.kind,
        units,
    }
}

/// The report of a file that could not be read at all: one finding saying why.
pub fn unreadable_report(err: &input::InputError, opts: &LintOptions) -> FileReport {
    let extraction = input::unreadable(err);
    let file = extraction
        .units
        .first()
        .map(|u| u.file.clone())
        .unwrap_or_else(|| SourceFile::new(err.path.display().to_string(), String::new()));
    FileReport {
        file,
        kind: extraction.kind,
        units: extraction
            .units
            .iter()
            .map(|u| lint_unit(u, opts))
            .collect(),
    }
}

/// Lint `text` as a file called `name`; the findings, sorted by position.
pub fn lint_text(name: &str, text: &str, opts: &LintOptions) -> Vec<Finding> {
    let file = SourceFile::new(name, text);
    let report = lint_file(&file, true, opts);
    let mut findings: Vec<Finding> = report.findings().cloned().collect();
    finding::sort_findings(&mut findings);
    findings
}
