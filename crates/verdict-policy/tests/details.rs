//! Each finer kind of parser error carries its `Detail`, which the linter maps onto its
//! rules (the code and the message stay as they were).

#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

use verdict_policy::condition::Family;
use verdict_policy::{parse_policy, Detail, ErrorCode, ParseOptions, PolicyType, SourceFile};

fn details(statement: &str, ty: PolicyType) -> Vec<(ErrorCode, Detail)> {
    let text = format!(r#"{{"Version": "2012-10-17", "Statement": [{statement}]}}"#);
    match parse_policy(&SourceFile::new("p.json", text), ParseOptions::new(ty)) {
        Ok(_) => panic!("{statement}: parsed"),
        Err(d) => d.iter().map(|d| (d.code, d.detail)).collect(),
    }
}

#[test]
fn every_finer_error_says_what_it_is() {
    let cases = [
        (
            r#"{"Effect": "Allow", "Action": [], "Resource": "*"}"#,
            PolicyType::Identity,
            (ErrorCode::MissingElement, Detail::EmptyArray),
        ),
        (
            r#"{"Effect": "Allow", "Action": "s3:GetObject"}"#,
            PolicyType::Identity,
            (ErrorCode::MissingElement, Detail::MissingResource),
        ),
        (
            r#"{"Effect": "Allow", "Principal": {}, "Action": "s3:GetObject", "Resource": "*"}"#,
            PolicyType::Resource,
            (ErrorCode::InvalidPrincipal, Detail::EmptyPrincipalObject),
        ),
        (
            r#"{"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:GetObject", "Resource": "*"}"#,
            PolicyType::Resource,
            (
                ErrorCode::NotPrincipalNotAllowed,
                Detail::NotPrincipalWithAllow,
            ),
        ),
        (
            r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"StringEquals": {"aws:SourceVpc": []}}}"#,
            PolicyType::Identity,
            (
                ErrorCode::InvalidConditionValue,
                Detail::EmptyConditionValues,
            ),
        ),
        (
            r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"NumericLessThan": {"s3:max-keys": "${aws:username}"}}}"#,
            PolicyType::Identity,
            (
                ErrorCode::InvalidConditionValue,
                Detail::VariableInTypedValue,
            ),
        ),
        (
            r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"DateLessThan": {"aws:CurrentTime": "soon"}}}"#,
            PolicyType::Identity,
            (
                ErrorCode::InvalidConditionValue,
                Detail::ConditionValue(Family::Date),
            ),
        ),
        (
            r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.300"}}}"#,
            PolicyType::Identity,
            (
                ErrorCode::InvalidConditionValue,
                Detail::ConditionValue(Family::Ip),
            ),
        ),
    ];
    for (statement, ty, want) in cases {
        let got = details(statement, ty);
        assert!(got.contains(&want), "{statement}: {got:?}");
    }
    // Other errors carry no detail.
    let got = details(
        r#"{"Effect": "Allow", "Resource": "*"}"#,
        PolicyType::Identity,
    );
    assert_eq!(got, [(ErrorCode::MissingElement, Detail::None)]);
}
