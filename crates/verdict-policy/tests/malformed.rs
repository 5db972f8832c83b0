//! Malformed policies are rejected with file, line, column, what was expected and a
//! "did you mean" where one fits (issue 2; iam-semantics §2, T81–T89). Messages are exact.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice
)]

use verdict_policy::{parse_policy, ParseOptions, PolicyType, ScpSyntax, SourceFile};

fn first(ty: PolicyType, text: &str) -> String {
    let mut o = ParseOptions::new(ty);
    if text.contains("\"legacy\"") {
        o.scp_syntax = ScpSyntax::Legacy2023;
    }
    match parse_policy(&SourceFile::new("p.json", text), o) {
        Ok(_) => "ok".into(),
        Err(e) => e[0].to_string(),
    }
}

fn stmt(body: &str) -> String {
    format!("{{\"Version\": \"2012-10-17\", \"Statement\": [{{{body}}}]}}")
}

#[test]
fn exact_messages() {
    use PolicyType::*;
    let cases: Vec<(PolicyType, String, &str)> = vec![
        (Identity, "{\"Version\": \"2012-10-17\", \"Statement\": [".into(),
         "p.json:1:40: error[json-syntax]: invalid JSON: unterminated array"),
        (Identity, "{\"Version\": \"2012-10-17\",}".into(),
         "p.json:1:25: error[json-syntax]: invalid JSON: trailing commas are not allowed"),
        (Identity, "[1, 2]".into(),
         "p.json:1:1: error[wrong-type]: a policy document must be an object, found an array"),
        (Identity, "{\"Version\": \"2012-10-17\"}".into(),
         "p.json:1:1: error[missing-element]: policy has no \"Statement\"; expected a statement object or an array of them"),
        (Identity, "{\"Versoin\": \"2012-10-17\", \"Statement\": []}".into(),
         "p.json:1:2: error[unknown-element]: unknown policy element \"Versoin\"; expected one of Version, Id, Statement\n  help: did you mean \"Version\"?"),
        (Identity, "{\"Version\": \"2012-10-18\", \"Statement\": []}".into(),
         "p.json:1:13: error[invalid-version]: Version \"2012-10-18\" is not valid; expected \"2012-10-17\" or \"2008-10-17\"\n  help: did you mean \"2012-10-17\"?"),
        (Identity, stmt("\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"NotAction\": \"s3:PutObject\", \"Resource\": \"*\""),
         "p.json:1:87: error[conflicting-elements]: a statement may have Action or NotAction, not both"),
        (Identity, stmt("\"Effect\": \"Permit\", \"Action\": \"*\", \"Resource\": \"*\""),
         "p.json:1:52: error[invalid-effect]: Effect \"Permit\" is not valid; expected \"Allow\" or \"Deny\" (case-sensitive)"),
        (Identity, stmt("\"Effect\": \"Allow\", \"Action\": \"s3:Get:Object\", \"Resource\": \"*\""),
         "p.json:1:71: error[invalid-action]: action \"s3:Get:Object\": Actions/Condition can contain only one colon"),
        (Identity, stmt("\"Effect\": \"Allow\", \"Action\": \"s*:GetObject\", \"Resource\": \"*\""),
         "p.json:1:71: error[wildcard-in-service]: action \"s*:GetObject\" has a wildcard in the service prefix; wildcards are allowed only in the action name"),
        (Identity, stmt("\"Effect\": \"Allow\", \"Action\": \"GetObject\", \"Resource\": \"*\""),
         "p.json:1:71: error[invalid-action]: action \"GetObject\" must have the form service:Action (for example \"s3:GetObject\") or be \"*\""),
        (Identity, stmt("\"Effect\": \"Allow\", \"Action\": []"),
         "p.json:1:71: error[missing-element]: Action must not be an empty array; expected at least one string"),
        (Identity, stmt("\"Effect\": \"Allow\", \"Action\": 42, \"Resource\": \"*\""),
         "p.json:1:71: error[wrong-type]: Action must be a string or an array of strings, found a number"),
        (Identity, stmt("\"Effect\": \"Allow\", \"Action\": \"*\""),
         "p.json:1:41: error[missing-element]: statement has no \"Resource\" or \"NotResource\""),
        (Identity, stmt("\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"*\", \"Resource\": \"*\""),
         "p.json:1:61: error[principal-not-allowed]: Policy document should not specify a principal: identity policies take no Principal"),
        (Resource, stmt("\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\""),
         "p.json:1:41: error[principal-required]: a resource policy statement needs a Principal"),
        (Resource, stmt("\"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:user/*\"}, \"Action\": \"s3:*\", \"Resource\": \"*\""),
         "p.json:1:82: error[invalid-principal]: \"arn:aws:iam::111122223333:user/*\" has a partial wildcard; Principal takes \"*\" alone or exact ARNs (use a Condition on aws:PrincipalArn with ArnLike to match a pattern)"),
        (Resource, stmt("\"Effect\": \"Allow\", \"Principal\": {\"Aws\": \"111122223333\"}, \"Action\": \"s3:*\", \"Resource\": \"*\""),
         "p.json:1:75: error[unknown-element]: unknown principal type \"Aws\"; expected AWS, Service, Federated or CanonicalUser\n  help: did you mean \"AWS\"?"),
        (Resource, stmt("\"Effect\": \"Allow\", \"NotPrincipal\": {\"AWS\": \"111122223333\"}, \"Action\": \"s3:*\", \"Resource\": \"*\""),
         "p.json:1:61: error[not-principal-not-allowed]: NotPrincipal is only supported with \"Effect\": \"Deny\""),
        (Identity, stmt("\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\", \"Condition\": {\"NullIfExists\": {\"aws:TokenIssueTime\": \"true\"}}"),
         "p.json:1:107: error[if-exists-on-null]: the Null operator cannot take IfExists; Null already tests whether the key exists"),
        (Identity, stmt("\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\", \"Condition\": {\"DateGreaterThan\": {\"aws:CurrentTime\": \"2020-*\"}}"),
         "p.json:1:146: error[invalid-condition-value]: \"2020-*\" is not a valid value for DateGreaterThan; expected an ISO 8601 date such as 2024-01-31T00:00:00Z, or epoch seconds (no wildcards or variables)"),
        (Identity, stmt("\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\", \"Condition\": {\"IpAddress\": {\"aws:SourceIp\": \"10.0.0.300/8\"}}"),
         "p.json:1:137: error[invalid-condition-value]: \"10.0.0.300/8\" is not a valid value for IpAddress; expected an IPv4 or IPv6 address or CIDR block such as 203.0.113.0/24"),
        (Identity, stmt("\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\", \"Condition\": {\"NumericLessThan\": {\"s3:max-keys\": \"ten\"}}"),
         "p.json:1:142: error[invalid-condition-value]: \"ten\" is not a valid value for NumericLessThan; expected a decimal number such as 10 or 2.5 (policy variables are not supported here)"),
        (Identity, stmt("\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\", \"Condition\": {\"StringEquals\": {\"aws:username\": {\"a\": 1}}}"),
         "p.json:1:140: error[wrong-type]: the value of condition key \"aws:username\" must be a string, number or boolean, found an object"),
        (Identity, stmt("\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"arn:aws:${aws:username}:::x\""),
         "p.json:1:88: error[variable-before-fifth-colon]: \"arn:aws:${aws:username}:::x\": policy variables are not allowed in the partition or service of an ARN; use them in the resource part (after the fifth colon)"),
        (Identity, "{\"Statement\": [{\"Sid\": \"A\", \"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}, {\"Sid\": \"A\", \"Effect\": \"Deny\", \"Action\": \"*\", \"Resource\": \"*\"}]}".into(),
         "p.json:1:81: error[duplicate-sid]: Statement IDs (SID) in a single policy must be unique: \"A\" is used twice"),
        (Identity, stmt("\"Sid\": \"Allow-S3\", \"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\""),
         "p.json:1:49: error[invalid-sid]: Sid \"Allow-S3\" must be alpha-numeric in IAM policies (letters and digits only, [0-9A-Za-z]*)"),
        (Rcp, stmt("\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\""),
         "p.json:1:41: error[rcp-allow-not-permitted]: custom resource control policies may only Deny; only RCPFullAWSAccess uses Allow"),
        (Scp, "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\", \"Condition\": {\"Bool\": {\"aws:SecureTransport\": \"legacy\"}}}]}".into(),
         "p.json:1:142: error[invalid-condition-value]: \"legacy\" is not a valid value for Bool; expected \"true\" or \"false\""),
        (Identity, "{\"Statement\": {\"Effect\": \"Allow\", \"Effect\": \"Deny\", \"Action\": \"*\", \"Resource\": \"*\"}}".into(),
         "p.json:1:35: error[duplicate-key]: duplicate key \"Effect\" (first at line 1, column 16); each key may appear once in an object"),
    ];
    let mut failures = Vec::new();
    for (ty, text, want) in &cases {
        let got = first(*ty, text);
        if got != *want {
            failures.push(format!(
                "input:    {text}\nexpected: {want}\ngot:      {got}\n"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn never_panics_on_garbage() {
    let inputs = [
        "",
        " ",
        "null",
        "\"",
        "\"{\\\"Statement\\\": 1}\"",
        "%7B%22",
        "%7Bzz",
        "{\"Statement\":",
        "[[[[",
        "{\"Statement\": [null]}",
        "\u{feff}{}",
    ];
    for i in inputs {
        let _ = parse_policy(
            &SourceFile::new("g", i),
            ParseOptions::new(PolicyType::Identity),
        );
    }
}
