//! Reading snapshots: the bundled example, and bad or partial snapshots (every problem
//! names its file; missing parts are said and fail closed).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use verdict_eval::Decision;
use verdict_org::query::{scenario, Who};
use verdict_org::PrincipalKind;

fn decide(snap: &verdict_org::Snapshot, who: &str, action: &str, resource: &str) -> Decision {
    let i = snap
        .principal_index(who)
        .unwrap_or_else(|| panic!("{who} not found"));
    let s = scenario(
        snap,
        &Who::Principal(i),
        action,
        resource,
        Default::default(),
    )
    .unwrap();
    verdict_eval::decide(&s).decision
}

#[test]
fn the_example_snapshot_reads_without_problems() {
    let snap = common::example();
    assert!(snap.problems.is_empty(), "{:?}", snap.problems);
    assert_eq!(snap.accounts, ["111122223333", "444455556666"]);
    assert_eq!(snap.principals.len(), 11);
    assert_eq!(snap.resources.len(), 1);
    let alice = snap
        .principal("arn:aws:iam::111122223333:user/engineering/alice")
        .unwrap();
    assert_eq!(alice.kind, PrincipalKind::User);
    // Inline, attached, and the group's policies (one AWS managed, from the bundled corpus).
    assert_eq!(
        alice.identity.len(),
        4,
        "{:?}",
        alice.identity.iter().map(|p| &p.label).collect::<Vec<_>>()
    );
    assert!(alice.boundary.is_some());
    assert!(alice.incomplete.is_empty());
    // Root, two OUs, the account: four SCP levels, the OU path in aws:PrincipalOrgPaths.
    let levels = snap.levels("111122223333").unwrap();
    assert_eq!(levels.names.len(), 4, "{:?}", levels.names);
    assert_eq!(
        levels.org_path.as_deref(),
        Some("o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/ou-ab12-22222222/")
    );
    assert_eq!(
        levels.scps.as_ref().unwrap()[2].len(),
        2,
        "FullAWSAccess and the region guardrail on the Analytics OU"
    );
    // A session ARN finds its role.
    assert!(snap
        .principal("arn:aws:sts::444455556666:assumed-role/ci-runner/build-7")
        .is_some());
    // The object's bucket policy protects it; the bucket's owner is the account the file is under.
    assert_eq!(
        snap.owner_of("arn:aws:s3:::example-reports-111122223333/2025/a.csv")
            .as_deref(),
        Some("111122223333")
    );
}

#[test]
fn scps_of_the_organization_apply() {
    let snap = common::example();
    // The Analytics OU's guardrail denies regions other than eu-west-1 and us-east-1
    // unless the request says which: no region key, so the Deny's condition holds.
    assert_eq!(
        decide(
            &snap,
            "arn:aws:iam::111122223333:role/service/DataPipeline",
            "secretsmanager:GetSecretValue",
            "arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/warehouse/db-AbCdEf"
        ),
        Decision::ExplicitDeny
    );
    // The management account is not bound by SCPs; other accounts are.
    assert_eq!(snap.management_account(), Some("999988887777"));
}

#[test]
fn bad_files_are_reported_by_name_and_the_rest_is_read() {
    let mut files = common::files_of(&common::repo().join("docs/examples/snapshot"));
    files.push((
        "accounts/555566667777/authorization-details.json".into(),
        "{\"UserDetailList\": [ {\"UserName\": \"x\",, } ]}".into(),
    ));
    files.push((
        "accounts/not-an-account/authorization-details.json".into(),
        "{}".into(),
    ));
    files.push(("notes.txt".into(), "hello".into()));
    files.push(("organizations/list-children.json".into(), "{}".into()));
    files.push((
        "resources/111122223333/sqs/q.json".into(),
        "{\"Policy\": \"{}\"}".into(),
    ));
    files.push(("resources/111122223333/s3/broken.json".into(), "{\"Arn\": \"arn:aws:s3:::broken\", \"Policy\": {\"Statement\": [{\"Effect\": \"Alow\", \"Principal\": \"*\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}]}}".into()));
    let snap = common::load(files);
    let text: Vec<String> = snap.problems.iter().map(|d| d.to_string()).collect();
    let all = text.join("\n");
    // Malformed JSON: file, line and column.
    assert!(
        all.contains("accounts/555566667777/authorization-details.json:1:"),
        "{all}"
    );
    assert!(all.contains("not-an-account"), "{all}");
    assert!(all.contains("notes.txt was not read"), "{all}");
    assert!(
        all.contains("organizations/list-children.json was not read"),
        "{all}"
    );
    assert!(
        all.contains("resources/111122223333/sqs/q.json: cannot tell the resource's ARN"),
        "{all}"
    );
    assert!(
        all.contains("resources/111122223333/s3/broken.json"),
        "{all}"
    );
    assert!(
        all.to_ascii_lowercase().contains("did you mean"),
        "a typo gets a suggestion: {all}"
    );
    // The good files are still read.
    assert_eq!(snap.principals.len(), 11);
}

#[test]
fn an_scp_whose_content_is_missing_denies_everything_and_says_so() {
    let files: Vec<(String, String)> =
        common::files_of(&common::repo().join("docs/examples/snapshot"))
            .into_iter()
            .filter(|(rel, _)| !rel.ends_with("describe-policy-p-denyregns1.json"))
            .collect();
    let snap = common::load(files);
    assert!(
        snap.notes
            .iter()
            .any(|n| n.contains("p-denyregns1") && n.contains("fail closed")),
        "{:?}",
        snap.notes
    );
    assert_eq!(
        decide(
            &snap,
            "arn:aws:iam::111122223333:user/engineering/alice",
            "s3:GetObject",
            "arn:aws:s3:::example-reports-111122223333/2025/a.csv"
        ),
        Decision::ExplicitDeny
    );
}

#[test]
fn an_account_outside_the_tree_fails_closed() {
    let files: Vec<(String, String)> =
        common::files_of(&common::repo().join("docs/examples/snapshot"))
            .into_iter()
            .filter(|(rel, _)| !rel.ends_with("list-accounts-for-parent-ou-ab12-11111111.json"))
            .collect();
    let snap = common::load(files);
    assert!(
        snap.notes
            .iter()
            .any(|n| n.contains("444455556666") && n.contains("fail closed")),
        "{:?}",
        snap.notes
    );
    assert_eq!(
        decide(
            &snap,
            "arn:aws:iam::444455556666:user/ops-admin",
            "s3:ListAllMyBuckets",
            "*"
        ),
        Decision::ExplicitDeny
    );
}

#[test]
fn no_organizations_directory_means_no_scps_and_a_note() {
    let files: Vec<(String, String)> =
        common::files_of(&common::repo().join("docs/examples/snapshot"))
            .into_iter()
            .filter(|(rel, _)| !rel.starts_with("organizations/"))
            .collect();
    let snap = common::load(files);
    assert!(snap.org.is_none());
    assert!(
        snap.notes
            .iter()
            .any(|n| n.contains("SCPs and RCPs were not applied")),
        "{:?}",
        snap.notes
    );
    assert_eq!(
        decide(
            &snap,
            "arn:aws:iam::444455556666:user/ops-admin",
            "s3:ListAllMyBuckets",
            "*"
        ),
        Decision::Allow
    );
}

#[test]
fn a_missing_managed_policy_marks_the_principal_incomplete() {
    let mut files = common::files_of(&common::repo().join("docs/examples/snapshot"));
    for (rel, text) in &mut files {
        if rel == "accounts/444455556666/authorization-details.json" {
            *text = text.replace(
                "arn:aws:iam::444455556666:policy/DeveloperBoundary\",\n      \"Path\"",
                "arn:aws:iam::444455556666:policy/Renamed\",\n      \"Path\"",
            );
        }
    }
    let snap = common::load(files);
    let intern = snap
        .principal("arn:aws:iam::444455556666:user/intern")
        .unwrap();
    // The boundary is not in the snapshot: it is taken to allow nothing.
    assert!(
        snap.notes
            .iter()
            .any(|n| n.contains("DeveloperBoundary") && n.contains("fail closed")),
        "{:?}",
        snap.notes
    );
    assert!(intern.boundary.is_some());
    assert_eq!(
        decide(
            &snap,
            "arn:aws:iam::444455556666:user/intern",
            "iam:CreateAccessKey",
            "arn:aws:iam::444455556666:user/ops-admin"
        ),
        Decision::ExplicitDeny
    );
}

#[test]
fn raw_api_documents_and_pages_are_read() {
    // The raw API (and non-Python SDKs) URL-encode documents; pages are separate files.
    let raw = std::fs::read_to_string(common::repo().join(
        "crates/verdict-explain/tests/fixtures/samples/authorization-details-raw-encoded.json",
    ))
    .unwrap();
    let snap = common::load(vec![(
        "accounts/111122223333/authorization-details-1.json".into(),
        raw,
    )]);
    assert!(snap.problems.is_empty(), "{:?}", snap.problems);
    assert!(snap
        .principal("arn:aws:iam::111122223333:role/service/DataPipeline")
        .is_some());
}

#[test]
fn cli_shaped_resource_files_are_read_with_the_arn_from_the_path() {
    let files = vec![
        ("resources/111122223333/s3/my-bucket.json".to_string(), r#"{"Policy": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::210987654321:root\"},\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::my-bucket/*\"}]}"}"#.to_string()),
        // API Gateway escapes the quotes of its policy once more.
        ("resources/111122223333/apigateway/us-east-1/a1b2c3.json".to_string(), r#"{"id": "a1b2c3", "name": "orders", "policy": "{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{\\\"Effect\\\":\\\"Allow\\\",\\\"Principal\\\":\\\"*\\\",\\\"Action\\\":\\\"execute-api:Invoke\\\",\\\"Resource\\\":\\\"arn:aws:execute-api:us-east-1:111122223333:a1b2c3\\/*\\\"}]}"}"#.to_string()),
        ("resources/111122223333/sqs/jobs.json".to_string(), r#"{"Attributes": {"QueueArn": "arn:aws:sqs:eu-west-1:111122223333:jobs", "Policy": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"sns.amazonaws.com\"},\"Action\":\"sqs:SendMessage\",\"Resource\":\"arn:aws:sqs:eu-west-1:111122223333:jobs\"}]}"}}"#.to_string()),
    ];
    let snap = common::load(files);
    assert!(snap.problems.is_empty(), "{:?}", snap.problems);
    let arns: Vec<&str> = snap.resources.iter().map(|r| r.arn.as_str()).collect();
    assert_eq!(
        arns,
        [
            "arn:aws:s3:::my-bucket",
            "arn:aws:execute-api:us-east-1:111122223333:a1b2c3/*",
            "arn:aws:sqs:eu-west-1:111122223333:jobs"
        ]
    );
    assert!(snap
        .resource_for("arn:aws:execute-api:us-east-1:111122223333:a1b2c3/prod/GET/orders")
        .is_some());
}

#[test]
fn the_bundled_bottom_up_organizations_samples_are_read() {
    // The samples as `verdict explain --org` takes them: list-parents chains and
    // list-policies-for-target per level, under their own file names.
    let dir = common::repo().join("crates/verdict-explain/tests/fixtures/samples");
    let mut files = vec![(
        "accounts/111122223333/authorization-details.json".to_string(),
        std::fs::read_to_string(dir.join("authorization-details.json")).unwrap(),
    )];
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        if name.starts_with("scp-") && !name.contains("rcp") {
            files.push((
                format!("organizations/{name}"),
                std::fs::read_to_string(&p).unwrap(),
            ));
        }
    }
    let snap = common::load(files);
    assert!(snap.problems.is_empty(), "{:?}", snap.problems);
    let levels = snap.levels("111122223333").unwrap();
    assert_eq!(levels.names.len(), 4, "{:?} {:?}", levels.names, snap.notes);
    assert_eq!(
        levels.org_path.as_deref(),
        Some("o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/ou-ab12-22222222/")
    );
    // The region guardrail on the child OU applies.
    assert_eq!(
        decide(
            &snap,
            "arn:aws:iam::111122223333:role/service/DataPipeline",
            "secretsmanager:GetSecretValue",
            "arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/warehouse/db-AbCdEf"
        ),
        Decision::ExplicitDeny
    );
}
