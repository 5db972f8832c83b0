//! How much of the AWS managed policy corpus the catalog knows.
//!
//! Reads `data/managed-policies/managed-policies.jsonl` (one `{"name", "document"}`
//! object per line; override the path with the first argument) and counts, over
//! every `Action` / `NotAction` entry of every statement:
//!
//! * concrete action references (no wildcard) and how many resolve to a known action;
//! * wildcard patterns and how many expand to at least one action;
//! * the unknown service prefixes and the most frequent unresolved names.
//!
//! Run: `cargo run -p verdict-catalog --example managed_policy_coverage --release`

use std::collections::BTreeMap;
use std::process::ExitCode;

use serde_json::Value;
use verdict_catalog::catalog;

fn action_entries(document: &Value) -> Vec<String> {
    let statements = match document.get("Statement") {
        Some(Value::Array(list)) => list.iter().collect(),
        Some(single @ Value::Object(_)) => vec![single],
        _ => Vec::new(),
    };
    let mut out = Vec::new();
    for statement in statements {
        for field in ["Action", "NotAction"] {
            match statement.get(field) {
                Some(Value::String(one)) => out.push(one.clone()),
                Some(Value::Array(many)) => {
                    out.extend(many.iter().filter_map(Value::as_str).map(str::to_owned));
                }
                _ => {}
            }
        }
    }
    out
}

fn main() -> ExitCode {
    let path = std::env::args().nth(1).unwrap_or_else(|| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../data/managed-policies/managed-policies.jsonl"
        )
        .to_owned()
    });
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(err) => {
            eprintln!("cannot read {path}: {err}");
            return ExitCode::from(2);
        }
    };
    let c = catalog();
    let (mut policies, mut concrete, mut resolved, mut patterns, mut expanding) = (0, 0, 0, 0, 0);
    let mut unknown_services: BTreeMap<String, usize> = BTreeMap::new();
    let mut unresolved: BTreeMap<String, usize> = BTreeMap::new();
    for line in text.lines().filter(|line| !line.trim().is_empty()) {
        let Ok(record) = serde_json::from_str::<Value>(line) else {
            eprintln!("skipping a line that is not JSON");
            continue;
        };
        policies += 1;
        let document = record.get("document").unwrap_or(&record);
        for entry in action_entries(document) {
            if entry == "*" {
                continue;
            }
            let prefix = entry.split(':').next().unwrap_or_default().to_owned();
            if c.service(&prefix).is_none() {
                *unknown_services
                    .entry(prefix.to_ascii_lowercase())
                    .or_default() += 1;
            }
            if entry.contains(['*', '?']) {
                patterns += 1;
                if !c.expand(&entry).is_empty() {
                    expanding += 1;
                }
            } else {
                concrete += 1;
                if c.action(&entry).is_some() {
                    resolved += 1;
                } else {
                    *unresolved.entry(entry.clone()).or_default() += 1;
                }
            }
        }
    }
    let pct = |part: usize, whole: usize| 100.0 * part as f64 / whole.max(1) as f64;
    println!("{}", verdict_catalog::data_version_line());
    println!("policies: {policies}");
    println!(
        "concrete action references: {concrete}, resolved {resolved} ({:.2}%), unresolved {}",
        pct(resolved, concrete),
        concrete - resolved
    );
    println!(
        "wildcard patterns: {patterns}, expanding to >= 1 action {expanding} ({:.2}%)",
        pct(expanding, patterns)
    );
    let mut services: Vec<_> = unknown_services.into_iter().collect();
    services.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    println!("unknown service prefixes ({}):", services.len());
    for (prefix, count) in services.iter().take(25) {
        println!("  {count:6}  {prefix}");
    }
    let mut names: Vec<_> = unresolved.into_iter().collect();
    names.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    println!("most frequent unresolved names:");
    for (name, count) in names.iter().take(15) {
        println!("  {count:6}  {name}");
    }
    ExitCode::SUCCESS
}
