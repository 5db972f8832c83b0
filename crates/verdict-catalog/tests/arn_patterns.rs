//! ARN patterns as matchers: real-world example ARNs, and a generated instance of
//! every pattern in the catalog.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice
)]

use verdict_catalog::{catalog, ArnMatcher};

/// Example ARNs in the shapes AWS documents, with the resource type they must map to.
const EXAMPLES: &[(&str, &str, &str)] = &[
    ("s3", "bucket", "arn:aws:s3:::amzn-s3-demo-bucket"),
    (
        "s3",
        "object",
        "arn:aws:s3:::amzn-s3-demo-bucket/photos/2026/cat.jpg",
    ),
    (
        "s3",
        "object",
        "arn:aws:s3:::amzn-s3-demo-bucket/key:with:colons",
    ),
    (
        "iam",
        "role",
        "arn:aws:iam::123456789012:role/service-role/LambdaExec",
    ),
    ("iam", "role", "arn:aws:iam::123456789012:role/Admin"),
    (
        "iam",
        "user",
        "arn:aws:iam::123456789012:user/division/alice",
    ),
    (
        "kms",
        "key",
        "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    ),
    (
        "kms",
        "alias",
        "arn:aws:kms:us-east-1:123456789012:alias/app",
    ),
    (
        "execute-api",
        "execute-api-general",
        "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets/42",
    ),
    (
        "execute-api",
        "execute-api-general",
        "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/",
    ),
    (
        "lambda",
        "function",
        "arn:aws:lambda:us-east-1:123456789012:function:my-function",
    ),
    (
        "lambda",
        "function",
        "arn:aws:lambda:us-east-1:123456789012:function:my-function:PROD",
    ),
    (
        "dynamodb",
        "table",
        "arn:aws:dynamodb:us-east-1:123456789012:table/Orders",
    ),
    (
        "dynamodb",
        "index",
        "arn:aws:dynamodb:us-east-1:123456789012:table/Orders/index/ByCustomer",
    ),
    (
        "logs",
        "log-group",
        "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/my-function",
    ),
    (
        "logs",
        "log-group",
        "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/my-function:*",
    ),
    (
        "logs",
        "log-stream",
        "arn:aws:logs:us-east-1:123456789012:log-group:app:log-stream:i-0abc/1",
    ),
    (
        "sqs",
        "queue",
        "arn:aws:sqs:us-east-1:123456789012:orders.fifo",
    ),
    (
        "sns",
        "topic",
        "arn:aws-us-gov:sns:us-gov-west-1:123456789012:alerts",
    ),
    (
        "secretsmanager",
        "Secret",
        "arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:db-AbCdEf",
    ),
    (
        "ec2",
        "instance",
        "arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0",
    ),
];

#[test]
fn example_arns_match_their_resource_type() {
    let c = catalog();
    for (service, type_name, arn) in EXAMPLES {
        let rt = c
            .service(service)
            .and_then(|s| s.resource_type(type_name))
            .unwrap_or_else(|| panic!("{service}/{type_name} exists"));
        assert!(
            rt.matches_arn(arn),
            "{service}/{type_name} should accept {arn}"
        );
        let found: Vec<&str> = c
            .resource_types_for_arn(service, arn)
            .into_iter()
            .map(|rt| rt.name())
            .collect();
        assert!(
            found
                .iter()
                .any(|name| name.eq_ignore_ascii_case(type_name)),
            "{arn} should classify as {service}/{type_name}, got {found:?}"
        );
    }
}

#[test]
fn example_arns_fit_typical_actions() {
    let c = catalog();
    for (action, arn, fits) in [
        ("s3:GetObject", "arn:aws:s3:::b/k", true),
        ("s3:PutObject", "arn:aws:s3:::b/k", true),
        ("s3:ListBucket", "arn:aws:s3:::b", true),
        ("s3:DeleteBucket", "arn:aws:s3:::b/k", false),
        (
            "iam:PassRole",
            "arn:aws:iam::123456789012:role/path/R",
            true,
        ),
        ("iam:PassRole", "arn:aws:iam::123456789012:user/U", false),
        (
            "kms:Decrypt",
            "arn:aws:kms:us-east-1:123456789012:key/k",
            true,
        ),
        (
            "execute-api:Invoke",
            "arn:aws:execute-api:us-east-1:123456789012:api/stage/POST/x",
            true,
        ),
        (
            "lambda:InvokeFunction",
            "arn:aws:lambda:us-east-1:123456789012:function:f",
            true,
        ),
        (
            "dynamodb:PutItem",
            "arn:aws:dynamodb:us-east-1:123456789012:table/T",
            true,
        ),
        (
            "logs:CreateLogStream",
            "arn:aws:logs:us-east-1:123456789012:log-group:g:log-stream:s",
            true,
        ),
        (
            "sqs:SendMessage",
            "arn:aws:sqs:us-east-1:123456789012:q",
            true,
        ),
        (
            "sqs:SendMessage",
            "arn:aws:sns:us-east-1:123456789012:t",
            false,
        ),
    ] {
        assert_eq!(
            c.action_fits_arn(action, arn),
            Some(fits),
            "{action} on {arn}"
        );
    }
}

/// Replaces each `${…}` with a sample value (and a literal `*` with one).
fn instance_of(pattern: &str) -> String {
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            break;
        };
        out.push_str(match &after[..end] {
            "Partition" => "aws",
            "Region" => "us-east-1",
            "Account" => "123456789012",
            _ => "sample-1",
        });
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out.replace('*', "any")
}

#[test]
fn every_pattern_accepts_an_instance_of_itself() {
    let c = catalog();
    let mut patterns = 0usize;
    for service in c.services() {
        for rt in service.resource_types() {
            for pattern in rt.arn_patterns() {
                patterns += 1;
                let arn = instance_of(pattern);
                assert!(
                    ArnMatcher::new(pattern).matches(&arn),
                    "{pattern} should accept {arn}"
                );
                assert!(
                    rt.matches_arn(&arn),
                    "{}/{}: {arn}",
                    service.prefix(),
                    rt.name()
                );
                let found = c.resource_types_for_arn(service.prefix(), &arn);
                assert!(
                    found.contains(&rt),
                    "{}/{} not found for its own instance {arn}: {found:?}",
                    service.prefix(),
                    rt.name()
                );
            }
        }
    }
    assert!(patterns >= 2_348, "only {patterns} patterns");
}
