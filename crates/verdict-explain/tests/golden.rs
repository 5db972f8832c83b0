//! Golden explanations for realistic AccessDenied cases (the synthetic samples of
//! `../shared/samples`, copied to tests/fixtures/samples, and cases of our own in
//! tests/fixtures/cases). Each case checks the text answer against a committed insta
//! snapshot, and checks that every proposed fix flips the decision when applied.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice
)]

use std::path::PathBuf;
use verdict_eval::{decide, evaluate, load_scenario, Decision};
use verdict_explain::diagnose::AgreementStatus;
use verdict_explain::fixes::{apply_fix, apply_requirements};
mod common;

use common::{load, InputPaths};
use verdict_explain::{explain, output, scenario_json, Report};
use verdict_policy::SourceFile;

const F: &str = "tests/fixtures";

#[derive(Default)]
struct Case {
    paths: InputPaths,
}

impl Case {
    fn new() -> Self {
        Case::default()
    }
    fn scenario(mut self, p: &str) -> Self {
        self.paths.scenario = Some(PathBuf::from(format!("{F}/{p}")));
        self
    }
    fn message(mut self, m: &str) -> Self {
        self.paths.message = Some(m.to_string());
        self
    }
    fn event(mut self, p: &str) -> Self {
        self.paths.event = Some(PathBuf::from(format!("{F}/{p}")));
        self
    }
    fn auth(mut self, p: &str) -> Self {
        self.paths
            .auth_details
            .push(PathBuf::from(format!("{F}/{p}")));
        self
    }
    fn org(mut self, p: &str) -> Self {
        self.paths.org.push(PathBuf::from(format!("{F}/{p}")));
        self
    }
    fn resource(mut self, p: &str) -> Self {
        self.paths.resource_policy = Some(PathBuf::from(format!("{F}/{p}")));
        self
    }
    fn session(mut self, p: &str) -> Self {
        self.paths.session_policy = Some(PathBuf::from(format!("{F}/{p}")));
        self
    }
    fn vpce(mut self, p: &str) -> Self {
        self.paths.vpc_endpoint_policy = Some(PathBuf::from(format!("{F}/{p}")));
        self
    }
    fn decoded(mut self, p: &str) -> Self {
        self.paths.decoded_message = Some(PathBuf::from(format!("{F}/{p}")));
        self
    }
    fn context(mut self, kv: &str) -> Self {
        self.paths.context.push(kv.to_string());
        self
    }

    fn run(&self) -> Vec<Report> {
        let inputs = load(&self.paths).unwrap_or_else(|d| panic!("inputs: {d:?}"));
        explain(&inputs).unwrap_or_else(|d| panic!("explain: {d:?}"))
    }
}

/// Every fix flips the decision: with the fixes it requires it allows the request,
/// and without it (only the required ones) the request is still denied.
fn check_fixes(r: &Report) {
    let Some(x) = r.full() else { return };
    if x.decision == Decision::Allow {
        assert!(x.fixes.is_empty(), "an allowed request needs no fix");
        return;
    }
    for f in &x.fixes {
        assert!(f.verified, "fix {} is not verified", f.id);
        let with = apply_fix(&x.built, &x.plan, f)
            .unwrap_or_else(|| panic!("fix {} ({}) does not apply", f.id, f.title));
        assert_eq!(
            decide(&with).decision,
            Decision::Allow,
            "fix {} ({}) does not flip the decision",
            f.id,
            f.title
        );
        let without = apply_requirements(&x.built, &x.plan, f)
            .unwrap_or_else(|| panic!("fix {} requirements do not apply", f.id));
        assert_ne!(
            decide(&without).decision,
            Decision::Allow,
            "fix {} ({}) is not needed: its requirements alone allow",
            f.id,
            f.title
        );
        for op in &f.patch {
            let v = op.get("value");
            let broad = |x: &serde_json::Value| {
                x.get("Action").and_then(|a| a.as_str()) == Some("*")
                    || (x.get("Resource").and_then(|a| a.as_str()) == Some("*")
                        && x_resource_is_specific(&x_request(r)))
            };
            if let Some(v) = v {
                assert!(!broad(v), "fix {} proposes a wildcard: {v}", f.id);
            }
        }
    }
    if !x.fixes.is_empty() {
        assert!(x.fixes_complete);
    }
}

fn x_request(r: &Report) -> String {
    r.full()
        .map(|x| x.request.resource.clone())
        .unwrap_or_default()
}

fn x_resource_is_specific(resource: &str) -> bool {
    resource != "*"
}

/// The emitted scenario loads and evaluates to the same result.
fn check_emitted(r: &Report) {
    let Some(x) = r.full() else { return };
    let v = scenario_json(
        &x.built,
        Some(serde_json::json!({ "decision": x.decision.as_str() })),
    );
    let text = serde_json::to_string_pretty(&v).unwrap();
    let s = load_scenario(&SourceFile::new("emitted.json", text), false)
        .unwrap_or_else(|d| panic!("emitted scenario does not load: {d:?}"));
    let e = evaluate(&s);
    assert_eq!(
        e.decision, x.decision,
        "emitted scenario decides differently"
    );
    assert_eq!(
        e.denied_by, x.denied_by,
        "emitted scenario has another deciding layer"
    );
    assert_eq!(e.message, x.expected_message);
    // JSON and decoded renderings are well-formed.
    let j = output::render_json(x);
    assert!(j.get("answer").is_some());
    let d = output::render_decoded(x);
    assert!(d
        .pointer("/context/conditions/items")
        .is_some_and(|i| i.is_array()));
    assert_eq!(
        d.get("explicitDeny").and_then(|b| b.as_bool()),
        Some(x.decision == Decision::ExplicitDeny)
    );
}

fn golden(name: &str, case: Case) -> Vec<Report> {
    let reports = case.run();
    let mut text = String::new();
    for r in &reports {
        check_fixes(r);
        check_emitted(r);
        text.push_str(&output::render_report(r, false));
    }
    insta::assert_snapshot!(name, text);
    reports
}

fn only(reports: &[Report]) -> &verdict_explain::Explanation {
    assert_eq!(reports.len(), 1);
    reports[0].full().expect("a full explanation")
}

const SAMPLES: &str = "samples";
const ACCT_A: &str = "cases/accounts/111122223333-authorization-details.json";
const ACCT_B: &str = "cases/accounts/444455556666-authorization-details.json";

// --- The samples ---------------------------------------------------------------

#[test]
fn sample_iamuser_s3_event_with_snapshot() {
    let r = golden(
        "sample_iamuser_s3",
        Case::new()
            .event(&format!(
                "{SAMPLES}/cloudtrail-accessdenied-iamuser-s3.json"
            ))
            .auth(&format!("{SAMPLES}/authorization-details.json")),
    );
    let x = only(&r);
    assert_eq!(x.decision, Decision::ImplicitDeny);
    assert_eq!(x.agreement.status, AgreementStatus::Agrees);
    assert_eq!(x.near_misses[0].statement, "ReadReports");
}

#[test]
fn sample_assumedrole_scp_with_org() {
    let r = golden(
        "sample_assumedrole_scp",
        Case::new()
            .event(&format!(
                "{SAMPLES}/cloudtrail-accessdenied-assumedrole-scp.json"
            ))
            .auth(&format!("{SAMPLES}/authorization-details-raw-encoded.json"))
            .org("org"),
    );
    let x = only(&r);
    assert_eq!(x.decision, Decision::ExplicitDeny);
    assert_eq!(x.agreement.status, AgreementStatus::Agrees);
    assert_eq!(
        x.deciding.as_ref().map(|d| d.statement.as_str()),
        Some("DenyProdSecretsOutsidePipelines")
    );
    // Guardrails are narrowed, never removed.
    assert!(x
        .fixes
        .iter()
        .all(|f| f.kind != verdict_explain::fixes::FixKind::RemoveStatement));
}

#[test]
fn sample_federated_user_session_policy() {
    let r = golden(
        "sample_federated_user",
        Case::new()
            .event(&format!(
                "{SAMPLES}/cloudtrail-accessdenied-federateduser.json"
            ))
            .auth(&format!("{SAMPLES}/authorization-details.json"))
            .org("org"),
    );
    let x = only(&r);
    // AWS names the session policy; the org snapshot also shows the region guardrail.
    assert_eq!(x.agreement.status, AgreementStatus::Partly);
    assert!(x
        .blockers
        .iter()
        .any(|b| b.layer == verdict_eval::Layer::Session));
}

#[test]
fn sample_awsservice_needs_the_bucket_policy() {
    let r = golden(
        "sample_awsservice_event_only",
        Case::new().event(&format!(
            "{SAMPLES}/cloudtrail-accessdenied-awsservice.json"
        )),
    );
    let x = only(&r);
    assert_eq!(x.denied_by, Some(verdict_eval::Layer::Resource));
    assert!(x.answer.contains("--resource-policy"));
}

#[test]
fn sample_awsservice_with_a_bucket_policy_for_another_prefix() {
    let r = golden(
        "sample_awsservice_bucket_policy",
        Case::new()
            .event(&format!(
                "{SAMPLES}/cloudtrail-accessdenied-awsservice.json"
            ))
            .resource("cases/s3/org-config-logs-bucket-policy.json"),
    );
    assert!(!only(&r).fixes.is_empty());
}

#[test]
fn sample_ec2_encoded_message_alone() {
    let r = golden("sample_ec2_encoded_message_only", Case::new().message("An error occurred (UnauthorizedOperation) when calling the RunInstances operation: You are not authorized to perform this operation. Encoded authorization failure message: EXAMPLE-encoded-authorization-message-Zm9vYmFyYmF6cXV4LXRoaXMtaXMtbm90LXJlYWwtZGF0YQ"));
    let Report::Partial(p) = &r[0] else {
        panic!("expected a partial answer")
    };
    assert!(p.decode_command.as_deref().is_some_and(
        |c| c.starts_with("aws sts decode-authorization-message --encoded-message EXAMPLE-encoded")
    ));
}

#[test]
fn sample_ec2_decoded_with_snapshot() {
    let r = golden(
        "sample_ec2_decoded",
        Case::new()
            .event(&format!(
                "{SAMPLES}/cloudtrail-accessdenied-ec2-encoded.json"
            ))
            .decoded(&format!(
                "{SAMPLES}/cloudtrail-accessdenied-ec2-decoded-message.json"
            ))
            .auth(ACCT_A),
    );
    let x = only(&r);
    assert!(x.near_misses[0].failing[0].contains("ec2:InstanceType"));
    assert!(x.decode_command.is_none());
}

#[test]
fn sample_vpce_network_event_without_the_endpoint_policy() {
    let r = golden(
        "sample_vpce_network_event",
        Case::new().event(&format!(
            "{SAMPLES}/cloudtrail-accessdenied-vpce-network.json"
        )),
    );
    let x = only(&r);
    assert_eq!(x.agreement.status, AgreementStatus::AwsReported);
    assert!(x
        .agreement
        .settle_with
        .iter()
        .any(|s| s.contains("--vpc-endpoint-policy")));
}

// --- API Gateway: the seed case, for each authorization type -------------------------

const API_MSG_ANON: &str = "User: anonymous is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:123456789012:abc123def/prod/GET/hr/employees";
const API_MSG_ROLE: &str = "User: arn:aws:sts::123456789012:assumed-role/AutomationServiceRole/i-0abc1234def567890 is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:123456789012:abc123def/prod/GET/hr/employees with an explicit deny";

#[test]
fn apigw_none_source_vpc_allow() {
    let r = golden(
        "apigw_none",
        Case::new()
            .scenario("cases/apigw/none.json")
            .message(API_MSG_ANON),
    );
    let x = only(&r);
    assert_eq!(x.decision, Decision::ImplicitDeny);
    assert!(x.near_misses[0]
        .hint
        .as_deref()
        .is_some_and(|h| h.contains("public endpoint")));
}

#[test]
fn apigw_aws_iam_private_api_deny() {
    let r = golden(
        "apigw_aws_iam",
        Case::new()
            .scenario("cases/apigw/aws-iam.json")
            .message(API_MSG_ROLE),
    );
    let x = only(&r);
    assert_eq!(x.decision, Decision::ExplicitDeny);
    assert_eq!(x.agreement.status, AgreementStatus::Agrees);
}

#[test]
fn apigw_lambda_authorizer_private_api_deny() {
    let r = golden(
        "apigw_custom",
        Case::new()
            .scenario("cases/apigw/custom.json")
            .message(API_MSG_ANON),
    );
    assert_eq!(only(&r).decision, Decision::ExplicitDeny);
}

#[test]
fn apigw_cognito_private_api_deny() {
    let r = golden(
        "apigw_cognito",
        Case::new()
            .scenario("cases/apigw/cognito.json")
            .message(API_MSG_ANON),
    );
    assert_eq!(only(&r).decision, Decision::ExplicitDeny);
}

// --- Organizations ------------------------------------------------------------------

#[test]
fn scp_region_lock_on_a_global_service() {
    let r = golden(
        "scp_region_lock_global_service",
        Case::new()
            .event("cases/scp/create-role-event.json")
            .auth(ACCT_A)
            .org("cases/org-region-lock"),
    );
    let x = only(&r);
    assert_eq!(x.agreement.status, AgreementStatus::Agrees);
    assert!(x.hinges_on.iter().any(|h| h.why.contains("global service")));
    // No "call another region" advice for a global service.
    assert!(!x
        .fixes
        .iter()
        .any(|f| f.title.contains("endpoint (aws:RequestedRegion")));
}

#[test]
fn stale_org_snapshot_disagrees_with_the_message() {
    let r = golden(
        "stale_snapshot_scp",
        Case::new()
            .event(&format!(
                "{SAMPLES}/cloudtrail-accessdenied-assumedrole-scp.json"
            ))
            .auth(&format!("{SAMPLES}/authorization-details.json"))
            .org("cases/org-stale"),
    );
    let x = only(&r);
    assert_eq!(x.decision, Decision::Allow);
    assert_eq!(x.agreement.status, AgreementStatus::Disagrees);
    assert!(x
        .agreement
        .settle_with
        .iter()
        .any(|s| s.contains("p-denyregns1")));
}

#[test]
fn message_names_an_scp_but_no_org_was_given() {
    let r = golden(
        "scp_named_without_org",
        Case::new()
            .event(&format!(
                "{SAMPLES}/cloudtrail-accessdenied-lookup-events.json"
            ))
            .auth(&format!("{SAMPLES}/authorization-details.json")),
    );
    let x = only(&r);
    // AWS names an SCP, which Verdict was not given: AWS's word stands (issue 9).
    assert_eq!(x.agreement.status, AgreementStatus::AwsReported);
    assert!(x.agreement.settle_with.iter().any(|s| s.contains("--org")));
}

// --- S3 -----------------------------------------------------------------------------

#[test]
fn s3_bucket_arn_where_object_arn_is_needed() {
    let r = golden(
        "s3_bucket_arn_vs_object_arn",
        Case::new()
            .message("User: arn:aws:iam::111122223333:user/bob is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::team-data-111122223333/reports/2026-10.csv\" because no identity-based policy allows the s3:GetObject action")
            .auth(ACCT_A),
    );
    assert!(only(&r).near_misses[0]
        .hint
        .as_deref()
        .is_some_and(|h| h.contains("acts on objects")));
}

#[test]
fn s3_list_objects_v2_needs_list_bucket() {
    let r = golden(
        "s3_listobjectsv2",
        Case::new()
            .event("cases/s3/listobjectsv2-event.json")
            .auth(ACCT_A),
    );
    let x = only(&r);
    assert_eq!(x.request.action, "s3:ListBucket");
    assert_eq!(x.request.resource, "arn:aws:s3:::team-data-111122223333");
    assert!(x
        .request
        .action_note
        .as_deref()
        .is_some_and(|n| n.contains("ListObjectsV2")));
}

#[test]
fn s3_cross_account_bucket_names_the_wrong_role() {
    let r = golden(
        "s3_cross_account_wrong_role",
        Case::new()
            .event("cases/s3/cross-account-getobject-event.json")
            .auth(ACCT_A)
            .resource("cases/s3/shared-datasets-bucket-policy.json"),
    );
    let x = only(&r);
    assert!(!x.request.same_account);
    assert_eq!(
        x.fixes[0].kind,
        verdict_explain::fixes::FixKind::AddPrincipal
    );
}

// --- KMS, trust, boundary, session, MFA, VPC endpoint -----------------------------------

#[test]
fn kms_key_policy_does_not_delegate_to_iam() {
    let r = golden(
        "kms_no_iam_delegation",
        Case::new()
            .message("User: arn:aws:sts::111122223333:assumed-role/app-decrypt/i-0123456789abcdef0 is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab because no resource-based policy allows the kms:Decrypt action")
            .auth(ACCT_A)
            .resource("cases/kms/app-key-policy.json"),
    );
    assert!(only(&r)
        .fixes
        .iter()
        .any(|f| f.kind == verdict_explain::fixes::FixKind::KeyPolicyDelegation));
}

#[test]
fn trust_policy_missing_the_caller() {
    let r = golden(
        "trust_policy_missing_caller",
        Case::new()
            .message("User: arn:aws:iam::111122223333:user/engineering/alice is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111122223333:role/service/DataPipeline because no role trust policy allows the sts:AssumeRole action")
            .auth(&format!("{SAMPLES}/authorization-details.json")),
    );
    let x = only(&r);
    assert_eq!(x.agreement.status, AgreementStatus::Agrees);
    assert!(x.fixes[0]
        .statement
        .as_ref()
        .is_some_and(|s| s.get("Resource").is_none()));
}

#[test]
fn permissions_boundary_region_condition() {
    let r = golden(
        "permissions_boundary",
        Case::new()
            .event("cases/boundary/putitem-event.json")
            .auth(ACCT_A),
    );
    let x = only(&r);
    assert_eq!(x.denied_by, Some(verdict_eval::Layer::PermissionsBoundary));
    assert_eq!(x.agreement.status, AgreementStatus::Agrees);
}

#[test]
fn session_policy_does_not_allow() {
    let r = golden(
        "session_policy",
        Case::new()
            .message("User: arn:aws:sts::111122223333:assumed-role/DataPipeline/build-4711 is not authorized to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/warehouse/db-AbC123 because no session policy allows the secretsmanager:GetSecretValue action")
            .auth(&format!("{SAMPLES}/authorization-details.json"))
            .session("cases/session/describe-only-session-policy.json")
            .context("aws:RequestedRegion=eu-west-1"),
    );
    assert_eq!(only(&r).denied_by, Some(verdict_eval::Layer::Session));
}

#[test]
fn mfa_bool_if_exists_deny() {
    let r = golden(
        "mfa_boolifexists",
        Case::new()
            .event("cases/mfa/stop-instances-event.json")
            .auth(ACCT_A),
    );
    let x = only(&r);
    assert_eq!(x.decision, Decision::ExplicitDeny);
    // Using MFA is the first fix offered, not weakening the control.
    assert_eq!(
        x.fixes[0].kind,
        verdict_explain::fixes::FixKind::ChangeRequest
    );
}

#[test]
fn vpc_endpoint_policy_other_account() {
    let r = golden(
        "vpc_endpoint_policy",
        Case::new()
            .event("cases/vpce/decrypt-event.json")
            .auth(ACCT_B)
            .resource("cases/vpce/shared-key-policy.json")
            .vpce("cases/vpce/kms-endpoint.json"),
    );
    let x = only(&r);
    assert_eq!(x.denied_by, Some(verdict_eval::Layer::VpcEndpoint));
    assert_eq!(x.agreement.status, AgreementStatus::Agrees);
}

// --- Messages alone ---------------------------------------------------------------------

#[test]
fn message_alone_transitive_vpce_t91() {
    let r = golden("message_only_transitive_vpce", Case::new().message("User: arn:aws:sts::111122223333:assumed-role/role-name/role-session-name is not authorized to perform: SNS:Publish on resource: arn:aws:sns:us-east-1:444455556666:role-name-2 with an explicit deny in a VPC endpoint policy transitively through a service control policy"));
    let x = only(&r);
    assert!(x.reported.as_ref().is_some_and(|m| m.transitive_scp));
    // A message alone never contradicts AWS: the VPC endpoint policy was not given.
    assert_eq!(x.agreement.status, AgreementStatus::AwsReported);
    assert!(x.fixes.is_empty());
    assert!(x
        .suggestions
        .iter()
        .all(|s| s.layer == verdict_eval::Layer::VpcEndpoint));
}

#[test]
fn message_alone_bare_access_denied() {
    let r = golden(
        "message_only_bare_access_denied",
        Case::new().message(
            "An error occurred (AccessDenied) when calling the PutObject operation: Access Denied",
        ),
    );
    assert!(matches!(r[0], Report::Partial(_)));
}

#[test]
fn decoded_message_alone_prints_the_decoder_shape() {
    let reports = Case::new()
        .decoded(&format!(
            "{SAMPLES}/cloudtrail-accessdenied-ec2-decoded-message.json"
        ))
        .run();
    let x = only(&reports);
    let d = output::render_decoded(x);
    insta::assert_snapshot!(
        "decoded_message_shape",
        serde_json::to_string_pretty(&d).unwrap()
    );
    assert_eq!(d["allowed"], false);
    assert_eq!(d["explicitDeny"], false);
    assert_eq!(d["context"]["action"], "ec2:RunInstances");
    assert_eq!(
        d["matchedStatements"]["items"].as_array().map(Vec::len),
        Some(0)
    );
}
