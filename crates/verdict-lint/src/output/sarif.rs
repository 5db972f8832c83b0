//! SARIF 2.1.0 output for GitHub code scanning and other SARIF consumers.
//!
//! Every rule of the registry is listed under `tool.driver.rules` (id, name, short
//! and full description, help text and URI, default level, tags, and
//! `security-severity` for security warnings), so `ruleIndex` is stable. Columns are
//! Unicode code points (`columnKind`).

use crate::finding::Finding;
use crate::rules;
use serde_json::{json, Value};

/// `uri` for a file name: forward slashes, no leading `./`, spaces escaped.
fn uri(name: &str) -> String {
    let n = name.replace('\\', "/");
    let n = n.trim_start_matches("./");
    let mut out = String::with_capacity(n.len());
    for c in n.chars() {
        match c {
            ' ' => out.push_str("%20"),
            '<' | '>' | '"' | '#' | '?' => {}
            other => out.push(other),
        }
    }
    if out.is_empty() {
        out.push_str("stdin");
    }
    out
}

fn plain(markdown: &str) -> String {
    markdown
        .replace("**", "")
        .replace("```json\n", "")
        .replace("```\n", "")
        .replace("```", "")
}

/// `tool.driver.rules`.
pub fn rules_metadata() -> Vec<Value> {
    rules::ALL
        .iter()
        .map(|r| {
            let mut props = json!({
                "tags": r.tags,
                "precision": "high",
                "problem.severity": match r.severity {
                    crate::Severity::Error => "error",
                    crate::Severity::SecurityWarning | crate::Severity::Warning => "warning",
                    crate::Severity::Suggestion => "recommendation",
                },
            });
            if let (Some(s), Some(obj)) = (r.security_severity, props.as_object_mut()) {
                obj.insert("security-severity".into(), json!(s));
            }
            json!({
                "id": r.code,
                "name": r.name,
                "shortDescription": {"text": r.summary},
                "fullDescription": {"text": plain(r.docs)},
                "help": {"text": plain(r.docs), "markdown": r.docs},
                "helpUri": r.help_uri(),
                "defaultConfiguration": {"level": r.severity.sarif_level()},
                "properties": props,
            })
        })
        .collect()
}

fn fingerprint(f: &Finding) -> String {
    // FNV-1a over the parts that identify a finding independently of line numbers.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [
        f.rule.code,
        f.location.file.name(),
        &f.policy.label,
        f.path.as_deref().unwrap_or(""),
        &f.message,
    ] {
        for b in part.bytes().chain(std::iter::once(0)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

/// One result.
pub fn result(f: &Finding) -> Value {
    let index = rules::ALL
        .iter()
        .position(|r| r.code == f.rule.code)
        .unwrap_or(0);
    let mut text = f.message.clone();
    if let Some(h) = &f.help {
        text.push_str(&format!(" (help: {h})"));
    }
    let loc = &f.location;
    let mut logical = Vec::new();
    let fq = match (&f.policy.label, &f.path) {
        (l, Some(p)) if !l.is_empty() => Some(format!("{l}/{p}")),
        (l, None) if !l.is_empty() => Some(l.clone()),
        (_, Some(p)) => Some(p.clone()),
        _ => None,
    };
    if let Some(fq) = fq {
        logical.push(json!({"fullyQualifiedName": fq, "kind": "object"}));
    }
    let mut location = json!({
        "physicalLocation": {
            "artifactLocation": {"uri": uri(loc.file.name())},
            "region": {
                "startLine": loc.start.line,
                "startColumn": loc.start.column,
                "endLine": loc.end.line,
                "endColumn": loc.end.column.max(if loc.end.line == loc.start.line { loc.start.column + 1 } else { 1 }),
            }
        }
    });
    if let (false, Some(obj)) = (logical.is_empty(), location.as_object_mut()) {
        obj.insert("logicalLocations".into(), Value::Array(logical));
    }
    json!({
        "ruleId": f.rule.code,
        "ruleIndex": index,
        "level": f.severity().sarif_level(),
        "message": {"text": text},
        "locations": [location],
        "partialFingerprints": {"verdictFinding/v1": fingerprint(f)},
    })
}

/// The SARIF log.
pub fn render(findings: &[Finding]) -> Value {
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "verdict",
                    "informationUri": "https://github.com/verdict-iam/verdict",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "rules": rules_metadata(),
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": findings.iter().map(result).collect::<Vec<_>>(),
        }]
    })
}
