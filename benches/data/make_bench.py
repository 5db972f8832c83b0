#!/usr/bin/env python3
"""Benchmark inputs for Verdict (deterministic; Python 3.11, stdlib only).

    python3 benches/data/make_bench.py                  # writes benches/data/realistic.json
    python3 benches/data/make_bench.py --batch 20000    # writes target/bench/batch-20k.jsonl
    python3 benches/data/make_bench.py --batch 500 --out FILE --seed 3

realistic.json is one request as a real organization would see it.
- The caller is a data engineer's role session in a workload account. It
  reads a curated object from the data-lake bucket in another account of the
  same organization.
- SCPs on three levels: the organization root (baseline guardrails), the
  Workloads OU (region lock, network protection) and the account (no root
  user, IMDSv2).
- Five identity policies of ten statements each, with tag-based ABAC
  (${aws:PrincipalTag/team}), KMS ViaService, MFA, IP and time conditions.
- A permissions boundary.
- The S3 bucket policy, with aws:PrincipalOrgID, aws:SecureTransport and
  aws:PrincipalArn conditions.
- It is allowed, and the expectation is recorded in "expect".

The batch is made from the same building blocks. Each scenario varies the
caller (data engineers of several teams, an analyst IAM user, a CI role, a
partner outside the organization, the root user), the action and resource
(S3, EC2, Secrets Manager, KMS, DynamoDB, SQS, Logs, Athena, Glue, IAM,
Organizations, CloudTrail) and the context (region, TLS, source IP, MFA,
tags). It carries 2-5 of the identity policies and sometimes the boundary,
so decisions come out mixed. The batch is large (see --batch), so it is
generated on demand into target/ and not committed.
"""

import argparse
import json
import random
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
V = "2012-10-17"
ORG = "o-acme12345x"
ROOT = "r-ac01"
OU_WORKLOADS = "ou-ac01-wrkld001"
WORKLOAD = "111122223333"   # application account (callers)
DATALAKE = "444455556666"   # data-lake account (bucket, KMS key)
PARTNER = "777788889999"    # outside the organization
REGIONS = ["us-east-1", "eu-west-1"]
CORP_CIDRS = ["198.51.100.0/24", "203.0.113.0/25", "2001:db8:ace::/48"]
LAKE_BUCKET = "acme-analytics-prod"
GLOBAL_SERVICES = ["iam:*", "sts:*", "organizations:*", "support:*", "cloudfront:*", "route53:*",
                   "budgets:*", "health:*", "trustedadvisor:*", "waf:*", "globalaccelerator:*"]


def st(sid, effect, action=None, resource=None, condition=None, not_action=None, not_resource=None, principal=None):
    s = {"Sid": sid, "Effect": effect}
    if principal is not None:
        s["Principal"] = principal
    if action is not None:
        s["Action"] = action
    if not_action is not None:
        s["NotAction"] = not_action
    if resource is not None:
        s["Resource"] = resource
    if not_resource is not None:
        s["NotResource"] = not_resource
    if condition:
        s["Condition"] = condition
    return s


def doc(*statements):
    return {"Version": V, "Statement": list(statements)}


# ------------------------------------------------------------------ SCPs

FULL_AWS_ACCESS = doc(st("FullAWSAccess", "Allow", "*", "*"))

SCP_ROOT_BASELINE = doc(
    st("DenyLeavingOrganization", "Deny", "organizations:LeaveOrganization", "*"),
    st("ProtectCloudTrail", "Deny", ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "cloudtrail:UpdateTrail",
                                     "cloudtrail:PutEventSelectors"], "*",
       {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/security/OrgSecurityAdmin"}}),
    st("ProtectSecurityServices", "Deny", ["guardduty:DeleteDetector", "guardduty:DisassociateFromMasterAccount",
                                           "securityhub:DisableSecurityHub", "config:StopConfigurationRecorder",
                                           "config:DeleteConfigurationRecorder", "access-analyzer:DeleteAnalyzer"], "*",
       {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/security/OrgSecurityAdmin"}}),
    st("NoIamUsersOrKeys", "Deny", ["iam:CreateUser", "iam:CreateAccessKey", "iam:CreateLoginProfile"], "*",
       {"ArnNotLike": {"aws:PrincipalArn": ["arn:aws:iam::*:role/platform/IdentityAdmin",
                                            "arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*"]}}),
)

SCP_OU_WORKLOADS = doc(
    st("RegionLock", "Deny", not_action=GLOBAL_SERVICES, resource="*",
       condition={"StringNotEquals": {"aws:RequestedRegion": REGIONS},
                  "ArnNotLike": {"aws:PrincipalArn": ["arn:aws:iam::*:role/platform/OrgAdmin",
                                                      "arn:aws:iam::*:role/aws-service-role/*"]}}),
    st("ProtectNetworkFoundation", "Deny", ["ec2:CreateVpc", "ec2:DeleteVpc", "ec2:CreateInternetGateway",
                                            "ec2:AttachInternetGateway", "ec2:CreateVpcPeeringConnection",
                                            "ec2:AcceptVpcPeeringConnection", "ec2:ModifyVpcAttribute"], "*",
       {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/platform/NetworkAdmin"}}),
    st("DenyUnencryptedVolumes", "Deny", "ec2:CreateVolume", "*", {"Bool": {"ec2:Encrypted": "false"}}),
)

SCP_ACCOUNT = doc(
    st("DenyRootUser", "Deny", "*", "*", {"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:root"}}),
    st("RequireImdsV2", "Deny", "ec2:RunInstances", "arn:aws:ec2:*:*:instance/*",
       {"StringNotEquals": {"ec2:MetadataHttpTokens": "required"}}),
    st("DenyPublicS3Acls", "Deny", ["s3:PutBucketAcl", "s3:PutObjectAcl"], "*",
       {"StringEquals": {"s3:x-amz-acl": ["public-read", "public-read-write", "authenticated-read"]}}),
)

SCPS = [[FULL_AWS_ACCESS, SCP_ROOT_BASELINE], [FULL_AWS_ACCESS, SCP_OU_WORKLOADS], [FULL_AWS_ACCESS, SCP_ACCOUNT]]

# ------------------------------------------------------- identity policies

TEAM = "${aws:PrincipalTag/team}"
PROJECT = "${aws:PrincipalTag/project}"

ID_DATALAKE = doc(
    st("ReadCuratedZoneForTeam", "Allow", ["s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectTagging"],
       f"arn:aws:s3:::acme-analytics-*/curated/{TEAM}/*",
       {"StringEquals": {"aws:ResourceAccount": DATALAKE}, "Bool": {"aws:SecureTransport": "true"}}),
    st("ReadSharedCuratedData", "Allow", ["s3:GetObject", "s3:GetObjectVersion"],
       "arn:aws:s3:::acme-analytics-*/curated/shared/*", {"StringEquals": {"aws:PrincipalOrgID": ORG}}),
    st("ListCuratedPrefixes", "Allow", "s3:ListBucket", "arn:aws:s3:::acme-analytics-*",
       {"StringLike": {"s3:prefix": [f"curated/{TEAM}/*", "curated/shared/*", ""]}}),
    st("GlueCatalogRead", "Allow", ["glue:GetDatabase", "glue:GetDatabases", "glue:GetTable", "glue:GetTables",
                                    "glue:GetPartition", "glue:GetPartitions"],
       [f"arn:aws:glue:us-east-1:{DATALAKE}:catalog", f"arn:aws:glue:us-east-1:{DATALAKE}:database/{TEAM}*",
        f"arn:aws:glue:us-east-1:{DATALAKE}:table/{TEAM}*/*"],
       {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}),
    st("AthenaTeamWorkgroup", "Allow", ["athena:StartQueryExecution", "athena:GetQueryExecution",
                                        "athena:GetQueryResults", "athena:StopQueryExecution"],
       f"arn:aws:athena:*:{WORKLOAD}:workgroup/*", {"StringEquals": {"aws:ResourceTag/team": TEAM}}),
    st("DecryptLakeDataViaS3", "Allow", ["kms:Decrypt", "kms:GenerateDataKey"], f"arn:aws:kms:*:{DATALAKE}:key/*",
       {"StringLike": {"kms:ViaService": "s3.*.amazonaws.com"}, "StringEquals": {"kms:CallerAccount": WORKLOAD}}),
    st("LakeFormationDataAccess", "Allow", "lakeformation:GetDataAccess", "*",
       {"Null": {"aws:PrincipalTag/team": "false"}}),
    st("NoWritesToRawZone", "Deny", ["s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"],
       "arn:aws:s3:::acme-analytics-*/raw/*",
       {"StringNotEquals": {"aws:PrincipalTag/role": "data-platform-admin"}}),
    st("AthenaResultsBucket", "Allow", ["s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload"],
       f"arn:aws:s3:::acme-athena-results-${{aws:PrincipalAccount}}/{TEAM}/*",
       {"StringEqualsIfExists": {"s3:x-amz-server-side-encryption": "aws:kms"}}),
    st("DataAccessOnlyFromCorpOrVpc", "Deny", ["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::acme-analytics-*/*",
       {"NotIpAddressIfExists": {"aws:SourceIp": CORP_CIDRS}, "Null": {"aws:SourceVpce": "true"},
        "BoolIfExists": {"aws:ViaAWSService": "false"}}),
)

ID_COMPUTE = doc(
    st("DescribeInHomeRegions", "Allow", ["ec2:Describe*", "ec2:GetConsoleOutput"], "*",
       {"StringEquals": {"aws:RequestedRegion": REGIONS}}),
    st("OperateOwnTeamInstances", "Allow", ["ec2:StartInstances", "ec2:StopInstances", "ec2:RebootInstances"],
       f"arn:aws:ec2:*:{WORKLOAD}:instance/*", {"StringEquals": {"aws:ResourceTag/team": TEAM}}),
    st("LaunchTaggedInstances", "Allow", "ec2:RunInstances", f"arn:aws:ec2:*:{WORKLOAD}:instance/*",
       {"StringEquals": {"aws:RequestTag/team": TEAM},
        "ForAllValues:StringEquals": {"aws:TagKeys": ["team", "project", "cost-center", "Name"]}}),
    st("LaunchSupportingResources", "Allow", "ec2:RunInstances",
       [f"arn:aws:ec2:*:{WORKLOAD}:subnet/*", f"arn:aws:ec2:*:{WORKLOAD}:security-group/*",
        f"arn:aws:ec2:*:{WORKLOAD}:network-interface/*", f"arn:aws:ec2:*:{WORKLOAD}:volume/*",
        "arn:aws:ec2:*::image/ami-*"]),
    st("TagOnLaunchOnly", "Allow", "ec2:CreateTags", f"arn:aws:ec2:*:{WORKLOAD}:*/*",
       {"StringEquals": {"ec2:CreateAction": "RunInstances"}}),
    st("NoRetaggingOtherTeams", "Deny", ["ec2:CreateTags", "ec2:DeleteTags"], "*",
       {"StringNotEquals": {"aws:ResourceTag/team": TEAM}, "Null": {"aws:ResourceTag/team": "false"}}),
    st("SessionManagerOwnTeam", "Allow", "ssm:StartSession", f"arn:aws:ec2:*:{WORKLOAD}:instance/*",
       {"StringEquals": {"ssm:resourceTag/team": TEAM}}),
    st("SessionManagerDocuments", "Allow", "ssm:StartSession",
       ["arn:aws:ssm:*::document/AWS-StartSSHSession", "arn:aws:ssm:*::document/AWS-StartPortForwardingSession"]),
    st("OnlyApprovedInstanceTypes", "Deny", "ec2:RunInstances", "arn:aws:ec2:*:*:instance/*",
       {"StringNotLike": {"ec2:InstanceType": ["t3.*", "m6i.*", "r6i.large"]}}),
    st("PassAppRolesToEc2", "Allow", "iam:PassRole", f"arn:aws:iam::{WORKLOAD}:role/app/*",
       {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}),
)

ID_SECRETS = doc(
    st("ReadProjectSecrets", "Allow", ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
       f"arn:aws:secretsmanager:*:{WORKLOAD}:secret:*", {"StringEquals": {"aws:ResourceTag/project": PROJECT}}),
    st("ListSecrets", "Allow", "secretsmanager:ListSecrets", "*"),
    st("TeamParameters", "Allow", ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"],
       f"arn:aws:ssm:*:{WORKLOAD}:parameter/{TEAM}/*"),
    st("DecryptViaSecretsManager", "Allow", "kms:Decrypt", f"arn:aws:kms:*:{WORKLOAD}:key/*",
       {"StringLike": {"kms:ViaService": ["secretsmanager.*.amazonaws.com", "ssm.*.amazonaws.com"]}}),
    st("SecretChangesNeedMfa", "Deny", ["secretsmanager:PutSecretValue", "secretsmanager:UpdateSecret",
                                        "secretsmanager:DeleteSecret"], "*",
       {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}),
    st("NoStaleMfaForSecrets", "Deny", "secretsmanager:GetSecretValue", "*",
       {"NumericGreaterThan": {"aws:MultiFactorAuthAge": "43200"}}),
    st("OwnPreferenceItems", "Allow", ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"],
       f"arn:aws:dynamodb:*:{WORKLOAD}:table/UserPreferences",
       {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["${aws:userid}"]}}),
    st("TeamQueues", "Allow", ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage",
                               "sqs:GetQueueAttributes"], f"arn:aws:sqs:*:{WORKLOAD}:{TEAM}-*"),
    st("TeamTopics", "Allow", "sns:Publish", f"arn:aws:sns:*:{WORKLOAD}:{TEAM}-*"),
    st("OnlyPlatformDeletesStores", "Deny", ["sqs:DeleteQueue", "dynamodb:DeleteTable", "sns:DeleteTopic"], "*",
       {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/platform/*"}}),
)

ID_OBSERVABILITY = doc(
    st("WriteTeamLogs", "Allow", ["logs:CreateLogStream", "logs:PutLogEvents"],
       f"arn:aws:logs:*:{WORKLOAD}:log-group:/acme/{TEAM}/*"),
    st("QueryLogsInHomeRegions", "Allow", ["logs:StartQuery", "logs:GetQueryResults", "logs:FilterLogEvents",
                                           "logs:DescribeLogGroups"], "*",
       {"StringEquals": {"aws:RequestedRegion": REGIONS}}),
    st("PublishTeamMetrics", "Allow", "cloudwatch:PutMetricData", "*",
       {"StringLike": {"cloudwatch:namespace": f"Acme/{TEAM}/*"}}),
    st("ReadMetrics", "Allow", ["cloudwatch:GetMetricData", "cloudwatch:ListMetrics", "cloudwatch:DescribeAlarms"],
       "*", {"DateLessThan": {"aws:CurrentTime": "2027-01-01T00:00:00Z"}}),
    st("Tracing", "Allow", ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "*"),
    st("StartTeamBuilds", "Allow", ["codebuild:StartBuild", "codebuild:BatchGetBuilds"],
       f"arn:aws:codebuild:*:{WORKLOAD}:project/{TEAM}-*"),
    st("PullTeamImages", "Allow", ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
       f"arn:aws:ecr:*:{WORKLOAD}:repository/{TEAM}/*"),
    st("EcrLogin", "Allow", "ecr:GetAuthorizationToken", "*"),
    st("KeepLogGroups", "Deny", ["logs:DeleteLogGroup", "logs:DeleteRetentionPolicy", "logs:PutRetentionPolicy"],
       "*", {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/platform/*"}}),
    st("TagSessionsWithKnownKeys", "Allow", "sts:TagSession", "*",
       {"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "project", "role"]}}),
)

ID_GUARDRAILS = doc(
    st("NoIamWrites", "Deny", ["iam:Create*", "iam:Delete*", "iam:Put*", "iam:Attach*", "iam:Detach*",
                               "iam:Update*"], "*",
       {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/platform/*"}}),
    st("NoOrganizationsAccess", "Deny", "organizations:*", "*"),
    st("KeepSecurityTooling", "Deny", ["guardduty:Delete*", "securityhub:Disable*", "cloudtrail:StopLogging",
                                       "config:Stop*"], "*"),
    st("HomeRegionsOnly", "Deny", not_action=GLOBAL_SERVICES, resource="*",
       condition={"StringNotEquals": {"aws:RequestedRegion": REGIONS}}),
    st("TlsOnlyForS3", "Deny", "s3:*", "*", {"Bool": {"aws:SecureTransport": "false"}}),
    st("NoPublicObjects", "Deny", ["s3:PutObjectAcl", "s3:PutBucketAcl", "s3:PutBucketPolicy"], "*",
       {"StringEquals": {"s3:x-amz-acl": ["public-read", "public-read-write"]}}),
    st("ReadIam", "Allow", ["iam:Get*", "iam:List*", "sts:GetCallerIdentity"], "*"),
    st("OpenSupportCases", "Allow", "support:*", "*"),
    st("UntaggedSessionsGetNothing", "Deny", "*", "*", {"Null": {"aws:PrincipalTag/team": "true"}}),
    st("AccessEndsWithContract", "Deny", "*", "*", {"DateGreaterThan": {"aws:CurrentTime": "2027-06-30T00:00:00Z"}}),
)

IDENTITY = [ID_DATALAKE, ID_COMPUTE, ID_SECRETS, ID_OBSERVABILITY, ID_GUARDRAILS]

BOUNDARY = doc(
    st("WorkloadServices", "Allow", ["s3:*", "glue:Get*", "athena:*", "lakeformation:GetDataAccess", "kms:Decrypt",
                                     "kms:GenerateDataKey", "ec2:*", "ssm:*", "secretsmanager:*", "dynamodb:*",
                                     "sqs:*", "sns:*", "logs:*", "cloudwatch:*", "xray:*", "codebuild:*", "ecr:*",
                                     "sts:*", "iam:Get*", "iam:List*", "iam:PassRole", "support:*"], "*",
       {"StringEqualsIfExists": {"aws:RequestedRegion": REGIONS}}),
    st("NoBoundaryEscape", "Deny", ["iam:DeleteRolePermissionsBoundary", "iam:PutRolePermissionsBoundary",
                                    "iam:DeleteUserPermissionsBoundary", "iam:PutUserPermissionsBoundary"], "*"),
    st("NoPolicyEdits", "Deny", ["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"],
       f"arn:aws:iam::{WORKLOAD}:policy/boundaries/*"),
)


def bucket_policy(bucket):
    arn = f"arn:aws:s3:::{bucket}"
    return doc(
        st("DenyInsecureTransport", "Deny", "s3:*", [arn, f"{arn}/*"], {"Bool": {"aws:SecureTransport": "false"}},
           principal="*"),
        st("DenyOutsideOrganization", "Deny", "s3:*", [arn, f"{arn}/*"],
           {"StringNotEquals": {"aws:PrincipalOrgID": ORG}, "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}},
           principal="*"),
        st("OrgDataEngineersReadCurated", "Allow", ["s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectTagging"],
           f"{arn}/curated/*",
           {"StringEquals": {"aws:PrincipalOrgID": ORG},
            "ArnLike": {"aws:PrincipalArn": ["arn:aws:iam::*:role/engineering/DataEngineer*",
                                             "arn:aws:iam::*:role/analytics/*"]}},
           principal="*"),
        st("WorkloadAccountListsCurated", "Allow", "s3:ListBucket", arn,
           {"StringLike": {"s3:prefix": ["curated/*", ""]}}, principal={"AWS": f"arn:aws:iam::{WORKLOAD}:root"}),
        st("UploadsMustUseKms", "Deny", "s3:PutObject", f"{arn}/*",
           {"StringNotEqualsIfExists": {"s3:x-amz-server-side-encryption": "aws:kms"}}, principal="*"),
        st("LakeAdministrators", "Allow", "s3:*", [arn, f"{arn}/*"],
           principal={"AWS": f"arn:aws:iam::{DATALAKE}:role/DataLakeAdmin"}),
    )


# ------------------------------------------------------------ realistic.json

def principal_context(kind, acct, team, project, role_name="DataEngineer", role_path="engineering/",
                      session="alice@example.com", user="maria"):
    ctx = {}
    if kind == "role":
        arn = f"arn:aws:sts::{acct}:assumed-role/{role_name}/{session}"
        ctx["aws:PrincipalArn"] = f"arn:aws:iam::{acct}:role/{role_path}{role_name}"
        ctx["aws:userid"] = f"AROAEXAMPLEROLEID0001:{session}"
        ctx["aws:PrincipalType"] = "AssumedRole"
    elif kind == "user":
        arn = f"arn:aws:iam::{acct}:user/analysts/{user}"
        ctx["aws:PrincipalArn"] = arn
        ctx["aws:username"] = user
        ctx["aws:userid"] = "AIDAEXAMPLEUSERID0001"
        ctx["aws:PrincipalType"] = "User"
    else:  # root
        arn = f"arn:aws:iam::{acct}:root"
        ctx["aws:PrincipalArn"] = arn
        ctx["aws:userid"] = acct
        ctx["aws:PrincipalType"] = "Account"
    ctx["aws:PrincipalAccount"] = acct
    ctx["aws:PrincipalIsAWSService"] = False
    if acct in (WORKLOAD, DATALAKE):
        ctx["aws:PrincipalOrgID"] = ORG
        ctx["aws:PrincipalOrgPaths"] = [f"{ORG}/{ROOT}/{OU_WORKLOADS}/"]
    if team:
        ctx["aws:PrincipalTag/team"] = team
    if project:
        ctx["aws:PrincipalTag/project"] = project
    return arn, ctx


def realistic():
    arn, ctx = principal_context("role", WORKLOAD, "sales", "forecasting")
    ctx["aws:PrincipalTag/role"] = "analyst"
    ctx.update({
        "aws:SecureTransport": True,
        "aws:SourceIp": "198.51.100.34",
        "aws:RequestedRegion": "us-east-1",
        "aws:CurrentTime": "2026-03-15T14:22:05Z",
        "aws:EpochTime": 1773584525,
        "aws:MultiFactorAuthPresent": True,
        "aws:MultiFactorAuthAge": 1800,
        "aws:TokenIssueTime": "2026-03-15T13:52:05Z",
        "aws:ViaAWSService": False,
        "aws:UserAgent": "aws-sdk-java/2.25.11 Linux/6.1 OpenJDK_64-Bit_Server_VM/21",
        "aws:ResourceAccount": DATALAKE,
    })
    return {
        "name": "realistic: data engineer reads a curated object cross-account",
        "description": "Role session in the workload account (org member, Workloads OU) reads s3://acme-analytics-prod/curated/sales/... in the data-lake account. 3 SCP levels, 5 identity policies x 10 statements, permissions boundary, bucket policy with aws:PrincipalOrgID / aws:SecureTransport.",
        "request": {
            "principal": arn,
            "action": "s3:GetObject",
            "resource": f"arn:aws:s3:::{LAKE_BUCKET}/curated/sales/2026/03/part-00001-7d1c.snappy.parquet",
            "context": ctx,
        },
        "resource_account": DATALAKE,
        "policies": {
            "identity": IDENTITY,
            "permissions_boundary": BOUNDARY,
            "resource": bucket_policy(LAKE_BUCKET),
            "scps": SCPS,
        },
        "expect": {"decision": "allow"},
    }


# ------------------------------------------------------------------- batch

TEAMS = ["sales", "marketing", "platform", "risk"]
PROJECTS = ["forecasting", "attribution", "payments", "ledger"]


def batch_scenario(rng, i):
    team = rng.choice(TEAMS)
    project = rng.choice(PROJECTS)
    who = rng.choices(["engineer", "analyst", "ci", "partner", "root", "untagged"], [50, 20, 15, 6, 4, 5])[0]
    if who == "engineer":
        arn, ctx = principal_context("role", WORKLOAD, team, project, session=f"{rng.choice(['alice', 'bob', 'chen', 'dana'])}@example.com")
    elif who == "analyst":
        arn, ctx = principal_context("user", WORKLOAD, team, project, user=rng.choice(["maria", "omar"]))
    elif who == "ci":
        arn, ctx = principal_context("role", WORKLOAD, team, project, role_name="ci-deployer", role_path="platform/",
                                     session=f"build-{rng.randint(1000, 9999)}")
    elif who == "partner":
        arn, ctx = principal_context("role", PARTNER, team, None, role_name="DataEngineer", role_path="engineering/",
                                     session="partner-etl")
    elif who == "root":
        arn, ctx = principal_context("root", WORKLOAD, None, None)
    else:
        arn, ctx = principal_context("role", WORKLOAD, None, None, session="legacy-job")
    region = rng.choices(REGIONS + ["ap-southeast-2"], [75, 20, 5])[0]
    other_team = rng.choice([t for t in TEAMS if t != team])
    res_team = team if rng.random() < 0.7 else other_team
    catalogue = [
        ("s3:GetObject", f"arn:aws:s3:::{LAKE_BUCKET}/curated/{res_team}/2026/0{rng.randint(1, 9)}/part-{rng.randint(0, 99999):05d}.parquet", DATALAKE),
        ("s3:GetObject", f"arn:aws:s3:::{LAKE_BUCKET}/curated/shared/dim_date.parquet", DATALAKE),
        ("s3:PutObject", f"arn:aws:s3:::{LAKE_BUCKET}/raw/{res_team}/ingest-{rng.randint(0, 999)}.json", DATALAKE),
        ("s3:ListBucket", f"arn:aws:s3:::{LAKE_BUCKET}", DATALAKE),
        ("s3:PutObject", f"arn:aws:s3:::acme-athena-results-{WORKLOAD}/{res_team}/q-{rng.randint(0, 99999)}.csv", WORKLOAD),
        ("ec2:StartInstances", f"arn:aws:ec2:{region}:{WORKLOAD}:instance/i-0{rng.randint(10**15, 10**16 - 1):016x}", WORKLOAD),
        ("ec2:DescribeInstances", "*", WORKLOAD),
        ("secretsmanager:GetSecretValue", f"arn:aws:secretsmanager:{region}:{WORKLOAD}:secret:{project}/db-Ab12Cd", WORKLOAD),
        ("kms:Decrypt", f"arn:aws:kms:{region}:{DATALAKE}:key/1234abcd-12ab-34cd-56ef-1234567890ab", DATALAKE),
        ("dynamodb:GetItem", f"arn:aws:dynamodb:{region}:{WORKLOAD}:table/UserPreferences", WORKLOAD),
        ("sqs:SendMessage", f"arn:aws:sqs:{region}:{WORKLOAD}:{res_team}-events", WORKLOAD),
        ("logs:PutLogEvents", f"arn:aws:logs:{region}:{WORKLOAD}:log-group:/acme/{res_team}/api:log-stream:web-{rng.randint(1, 9)}", WORKLOAD),
        ("athena:StartQueryExecution", f"arn:aws:athena:{region}:{WORKLOAD}:workgroup/{res_team}-adhoc", WORKLOAD),
        ("glue:GetTable", f"arn:aws:glue:us-east-1:{DATALAKE}:table/{res_team}_db/orders", DATALAKE),
        ("iam:CreateUser", f"arn:aws:iam::{WORKLOAD}:user/tmp-{rng.randint(1, 99)}", WORKLOAD),
        ("organizations:LeaveOrganization", "*", WORKLOAD),
        ("cloudtrail:StopLogging", f"arn:aws:cloudtrail:{region}:{WORKLOAD}:trail/org-trail", WORKLOAD),
    ]
    action, resource, res_acct = rng.choice(catalogue)
    ctx["aws:RequestedRegion"] = region
    ctx["aws:SecureTransport"] = rng.random() < 0.97
    if rng.random() < 0.85:
        ctx["aws:SourceIp"] = rng.choices(["198.51.100.34", "198.51.100.201", "203.0.113.9", "2001:db8:ace::17",
                                           "192.0.2.44", "100.64.12.9"], [30, 25, 20, 15, 5, 5])[0]
    else:
        ctx["aws:SourceVpce"] = "vpce-0a1b2c3d4e5f60718"
        ctx["aws:SourceVpc"] = "vpc-0123456789abcdef0"
    ctx["aws:CurrentTime"] = rng.choices(["2026-03-15T14:22:05Z", "2026-11-02T08:00:00Z", "2027-07-04T12:00:00Z"],
                                         [60, 35, 5])[0]
    if who not in ("analyst", "root") and rng.random() < 0.8:
        mfa = rng.random() < 0.6
        ctx["aws:MultiFactorAuthPresent"] = mfa
        if mfa:
            ctx["aws:MultiFactorAuthAge"] = rng.choice([300, 1800, 7200, 50000])
        ctx["aws:TokenIssueTime"] = "2026-03-15T13:52:05Z"
    ctx["aws:ResourceAccount"] = res_acct
    if action.startswith(("ec2:", "secretsmanager:", "athena:")) and rng.random() < 0.8:
        ctx["aws:ResourceTag/team"] = res_team
        ctx["aws:ResourceTag/project"] = project if rng.random() < 0.7 else rng.choice(PROJECTS)
    if action == "s3:ListBucket":
        ctx["s3:prefix"] = rng.choice([f"curated/{res_team}/", "curated/shared/", "raw/", ""])
    if action == "s3:PutObject" and rng.random() < 0.7:
        ctx["s3:x-amz-server-side-encryption"] = rng.choice(["aws:kms", "AES256"])
    if action == "kms:Decrypt":
        ctx["kms:ViaService"] = rng.choice([f"s3.{region}.amazonaws.com", f"secretsmanager.{region}.amazonaws.com"])
        ctx["kms:CallerAccount"] = ctx["aws:PrincipalAccount"]
    if action == "dynamodb:GetItem":
        ctx["dynamodb:LeadingKeys"] = [ctx["aws:userid"]] if rng.random() < 0.7 else ["someone-else"]
    n_id = rng.randint(2, 5)
    identity = [IDENTITY[0]] + rng.sample(IDENTITY[1:], n_id - 1) if who != "root" else []
    policies = {}
    if identity:
        policies["identity"] = identity
    if who in ("engineer", "ci", "untagged") and rng.random() < 0.6:
        policies["permissions_boundary"] = BOUNDARY
    if action.startswith("s3:") and resource.startswith(f"arn:aws:s3:::{LAKE_BUCKET}"):
        policies["resource"] = bucket_policy(LAKE_BUCKET)
    elif action == "kms:Decrypt":
        policies["resource"] = doc(
            st("EnableIamPolicies", "Allow", "kms:*", "*", principal={"AWS": f"arn:aws:iam::{DATALAKE}:root"}),
            st("OrgDecryptViaS3", "Allow", ["kms:Decrypt", "kms:DescribeKey"], "*",
               {"StringEquals": {"aws:PrincipalOrgID": ORG}, "StringLike": {"kms:ViaService": "s3.*.amazonaws.com"}},
               principal="*"))
    if ctx.get("aws:PrincipalOrgID") == ORG:
        policies["scps"] = SCPS
    return {
        "name": f"bench-{i:06d}",
        "request": {"principal": arn, "action": action, "resource": resource, "context": ctx},
        "resource_account": res_acct,
        "policies": policies,
    }


def main():
    ap = argparse.ArgumentParser(description="Write Verdict benchmark inputs.")
    ap.add_argument("--batch", type=int, metavar="N", help="write N batch scenarios (JSONL) instead of realistic.json")
    ap.add_argument("--seed", type=int, default=20000)
    ap.add_argument("--out", help="output path (default: benches/data/realistic.json, or target/bench/batch-<N>.jsonl)")
    args = ap.parse_args()
    if args.batch is None:
        out = Path(args.out) if args.out else REPO / "benches" / "data" / "realistic.json"
        out.write_text(json.dumps(realistic(), indent=2) + "\n", encoding="utf-8")
        print(f"wrote {out}", file=sys.stderr)
        return
    n = args.batch
    label = f"{n // 1000}k" if n % 1000 == 0 and n >= 1000 else str(n)
    out = Path(args.out) if args.out else REPO / "target" / "bench" / f"batch-{label}.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.seed)
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        for i in range(n):
            f.write(json.dumps(batch_scenario(rng, i), separators=(",", ":")) + "\n")
    print(f"wrote {out} ({n} scenarios, {out.stat().st_size} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()
