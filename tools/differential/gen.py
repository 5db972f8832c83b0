#!/usr/bin/env python3
"""Deterministic scenario generator for differential testing of Verdict
against the iam-simulate oracle.

Writes JSON Lines, one scenario per line, in the Verdict scenario format
(shared/docs/scenario-format.md plus docs/scenario-extensions.md). Only
fields both engines understand are emitted: name, description, request,
resource_account, policies, and (rarely) management_account.

    python3 tools/differential/gen.py --count 2000 --seed 7 > scenarios.jsonl

The same seed and options always give the same bytes (Python 3.11, stdlib
only). What is generated:

* principals: IAM users (with and without a path), role sessions (roles
  with and without a path), the account root user, STS federated users,
  AWS service principals, anonymous callers and service-linked roles;
* same-account, cross-account inside the organization and cross-account
  from outside it;
* layers: identity, resource-based (bucket, queue, topic, key, function,
  secret policies and role trust policies), permissions boundary, session
  policies, SCPs (1-3 levels), RCPs (1-2 levels) and VPC endpoint policies;
* Action/NotAction, Resource/NotResource, Principal/NotPrincipal, wildcards
  (`*` and `?`), policy variables with and without defaults, `${*}`-style
  literals, Statement as object or list, string/list/boolean/number shapes;
* every condition operator family (String, Numeric, Date, Bool, Binary,
  IpAddress, Arn, Null), IfExists, ForAnyValue/ForAllValues, key names in
  mixed case, present/absent/empty context keys;
* with probability --edge-rate per scenario, one deliberate probe of a known
  divergence (IPv4 /0, epoch-vs-ISO dates, malformed numbers, variables under
  Version 2008-10-17, Arn*Not* with a non-ARN value, newlines in values,
  wildcards in the resource-type word, BinaryEquals, short ARNs, ...).

Principal-derived keys (aws:PrincipalArn, aws:PrincipalAccount,
aws:username, aws:userid, aws:PrincipalType, aws:PrincipalIsAWSService) are
always written into the context explicitly, because Verdict derives them and
the oracle does not; with --no-derived-context they are left out (then every
disagreement that hinges on them is the "derived-context" category).
"""

import argparse
import base64
import json
import random
import sys

VERSION = "2012-10-17"
ORG = "o-a1b2c3d4e5"
OTHER_ORG = "o-z9y8x7w6v5"
ROOT_ID = "r-ab12"
HOME = "111122223333"      # member account
PEER = "444455556666"      # member account of the same organization
OUTSIDE = "777788889999"   # not in the organization
IN_ORG = {HOME, PEER}
OU_PATH = {HOME: f"{ORG}/{ROOT_ID}/ou-ab12-11111111/", PEER: f"{ORG}/{ROOT_ID}/ou-ab12-22222222/"}
REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"]

# Services whose resources RCPs cover at launch (the oracle applies RCPs to
# every service; Verdict follows the service data).
SCP_EXEMPT_READ = ["iam:*", "sts:*", "organizations:*", "support:*", "cloudfront:*", "route53:*"]

# --------------------------------------------------------------- catalogue
# Each action: resource ARN builder, the kind of resource policy it has (or
# None), the service-specific context keys the oracle keeps for it (declared
# shape), and whether anonymous / service callers make sense.

BUCKETS = {HOME: "acme-data-prod", PEER: "acme-shared-logs", OUTSIDE: "partner-exchange"}
S3_KEYS = ["reports/2026/q1.csv", "home/alice/notes.txt", "home/bob/todo.md", "teams/blue/plan.md",
           "public/index.html", "Payroll/jan.pdf", "shared/readme.txt"]


def s3_object(rng, acct, p):
    key = rng.choice(S3_KEYS)
    return f"arn:aws:s3:::{BUCKETS[acct]}/{key}"


def s3_bucket(rng, acct, p):
    return f"arn:aws:s3:::{BUCKETS[acct]}"


def regional(service, fmt):
    def build(rng, acct, p):
        region = rng.choice(REGIONS[:2])
        return f"arn:aws:{service}:{region}:{acct}:" + fmt(rng, acct, p)
    return build


def iam_user_res(rng, acct, p):
    name = p.get("name") if p["kind"] == "user" and rng.random() < 0.6 else rng.choice(["alice", "bob", "deploy-bot"])
    path = p.get("path", "") if p["kind"] == "user" and name == p.get("name") else ""
    return f"arn:aws:iam::{acct}:user/{path}{name}"


def iam_role_res(rng, acct, p):
    return f"arn:aws:iam::{acct}:role/" + rng.choice(["TargetRole", "ops/AuditRole", "ReadOnly-blue"])


ACTIONS = [
    dict(action="s3:GetObject", res=s3_object, rp="s3", anon=True, svc_callers=[],
         keys=[("s3:ExistingObjectTag/classification", "s", ["public", "internal", "secret"])]),
    dict(action="s3:PutObject", res=s3_object, rp="s3", anon=True, svc_callers=["cloudtrail.amazonaws.com", "logging.s3.amazonaws.com"],
         keys=[("s3:x-amz-acl", "s", ["private", "bucket-owner-full-control", "public-read"]),
               ("s3:x-amz-server-side-encryption", "s", ["aws:kms", "AES256"])]),
    dict(action="s3:ListBucket", res=s3_bucket, rp="s3", anon=True, svc_callers=[],
         keys=[("s3:prefix", "s", ["home/alice/", "home/bob/", "public/", "", "teams/blue/"]),
               ("s3:max-keys", "n", [10, 100, 1000]), ("s3:delimiter", "s", ["/"])]),
    dict(action="s3:ListAllMyBuckets", res=None, rp=None, anon=False, svc_callers=[], keys=[]),
    dict(action="dynamodb:GetItem", res=regional("dynamodb", lambda r, a, p: "table/" + r.choice(["Orders", "orders-blue", "Customers"])),
         rp="dynamodb", anon=False, svc_callers=[], tags=True,
         keys=[("dynamodb:Attributes", "m", ["ID", "Message", "Tags", "UserName"]),
               ("dynamodb:LeadingKeys", "m", ["alice", "bob", "AIDAEXAMPLEALICE0001"])]),
    dict(action="sqs:SendMessage", res=regional("sqs", lambda r, a, p: r.choice(["orders-queue", "audit-events"])),
         rp="sqs", anon=False, svc_callers=["sns.amazonaws.com", "events.amazonaws.com"], tags=True, keys=[]),
    dict(action="sns:Publish", res=regional("sns", lambda r, a, p: r.choice(["alerts", "billing-alarms"])),
         rp="sns", anon=False, svc_callers=["events.amazonaws.com", "cloudwatch.amazonaws.com"], tags=True, keys=[]),
    dict(action="kms:Decrypt", res=regional("kms", lambda r, a, p: "key/" + r.choice(["1234abcd-12ab-34cd-56ef-1234567890ab", "0987dcba-09fe-87dc-65ba-ab0987654321"])),
         rp="kms", anon=False, svc_callers=["cloudtrail.amazonaws.com"], tags=True,
         keys=[("kms:ViaService", "s", ["s3.us-east-1.amazonaws.com", "secretsmanager.eu-west-1.amazonaws.com"]),
               ("kms:CallerAccount", "s", [HOME, PEER, OUTSIDE])]),
    dict(action="secretsmanager:GetSecretValue", res=regional("secretsmanager", lambda r, a, p: "secret:" + r.choice(["prod/db-AbCdEf", "blue/api-key-Zx81Qw"])),
         rp="secretsmanager", anon=False, svc_callers=[], tags=True,
         keys=[("secretsmanager:VersionStage", "s", ["AWSCURRENT", "AWSPREVIOUS"])]),
    dict(action="sts:AssumeRole", res=iam_role_res, rp="trust", anon=False, svc_callers=["ec2.amazonaws.com", "lambda.amazonaws.com"], tags=True,
         keys=[("sts:ExternalId", "s", ["Unique-Ext-42", "other"]), ("sts:RoleSessionName", "s", ["alice", "ci-run-7"])]),
    dict(action="ec2:DescribeInstances", res=None, rp=None, anon=False, svc_callers=[], keys=[]),
    dict(action="ec2:TerminateInstances", res=regional("ec2", lambda r, a, p: "instance/" + r.choice(["i-0abc1234def567890", "i-0fedcba9876543210"])),
         rp=None, anon=False, svc_callers=[], tags=True,
         keys=[("ec2:InstanceType", "s", ["t3.micro", "m5.large", "t2.small"]), ("ec2:ResourceTag/env", "s", ["prod", "dev"])]),
    dict(action="iam:CreateAccessKey", res=iam_user_res, rp=None, anon=False, svc_callers=[], tags=True, keys=[]),
    dict(action="lambda:InvokeFunction", res=regional("lambda", lambda r, a, p: "function:" + r.choice(["process-orders", "blue-handler"])),
         rp="lambda", anon=False, svc_callers=["events.amazonaws.com", "s3.amazonaws.com"], tags=True, keys=[]),
    dict(action="logs:PutLogEvents", res=regional("logs", lambda r, a, p: r.choice(["log-group:/app/web:log-stream:i-1", "log-group:/aws/lambda/blue-handler:log-stream:2026/03/15"])),
         rp=None, anon=False, svc_callers=[], tags=False, keys=[]),
]

OTHER_ACTIONS = ["s3:DeleteObject", "s3:GetBucketPolicy", "dynamodb:PutItem", "sqs:ReceiveMessage", "sns:Subscribe",
                 "kms:Encrypt", "secretsmanager:PutSecretValue", "sts:GetCallerIdentity", "ec2:RunInstances",
                 "iam:DeleteUser", "lambda:UpdateFunctionCode", "logs:CreateLogGroup", "cloudtrail:StopLogging",
                 "organizations:LeaveOrganization"]

# ---------------------------------------------------------------- principals

USERS = [("alice", ""), ("bob", "dev/"), ("Carol", "")]
ROLES = [("AppRole", ""), ("DataPipeline", "team/"), ("ci-deployer", "")]
SESSIONS = ["s1", "i-0abc12345", "alice@example.com", "ci-run-7"]
SERVICES = ["sns.amazonaws.com", "events.amazonaws.com", "cloudtrail.amazonaws.com", "lambda.amazonaws.com"]
USER_IDS = {"alice": "AIDAEXAMPLEALICE0001", "bob": "AIDAEXAMPLEBOB000002", "Carol": "AIDAEXAMPLECAROL0003"}
ROLE_IDS = {"AppRole": "AROAEXAMPLEAPPROLE01", "DataPipeline": "AROAEXAMPLEDATAPIPE2",
            "ci-deployer": "AROAEXAMPLECIDEPLOY3", "AWSServiceRoleForECS": "AROAEXAMPLESLRECS004"}


def make_principal(rng, kind, acct):
    p = {"kind": kind, "account": acct}
    if kind == "user":
        name, path = rng.choice(USERS)
        p.update(name=name, path=path, arn=f"arn:aws:iam::{acct}:user/{path}{name}")
        p["principal_arn"] = p["arn"]
    elif kind in ("role", "slr"):
        if kind == "slr":
            name, path = "AWSServiceRoleForECS", "aws-service-role/ecs.amazonaws.com/"
            session = "ecs-tasks"
        else:
            name, path = rng.choice(ROLES)
            session = rng.choice(SESSIONS)
        p.update(name=name, path=path, session=session,
                 arn=f"arn:aws:sts::{acct}:assumed-role/{name}/{session}",
                 role_arn=f"arn:aws:iam::{acct}:role/{path}{name}")
        p["principal_arn"] = p["role_arn"]
    elif kind == "root":
        p.update(arn=f"arn:aws:iam::{acct}:root", principal_arn=f"arn:aws:iam::{acct}:root")
    elif kind == "federated":
        name = rng.choice(["alice", "bob"])
        p.update(name=name, arn=f"arn:aws:sts::{acct}:federated-user/{name}")
        p["principal_arn"] = p["arn"]
    elif kind == "service":
        svc = rng.choice(SERVICES)
        p.update(service=svc, arn=svc, account=None)
    elif kind == "anonymous":
        p.update(arn="anonymous", account=None)
    return p


def derived_context(p):
    k = p["kind"]
    if k == "anonymous":
        return {"aws:PrincipalAccount": "anonymous", "aws:PrincipalType": "Anonymous", "aws:userid": "anonymous"}
    if k == "service":
        return {"aws:PrincipalIsAWSService": True, "aws:PrincipalServiceName": p["service"]}
    ctx = {"aws:PrincipalArn": p["principal_arn"], "aws:PrincipalAccount": p["account"],
           "aws:PrincipalIsAWSService": False}
    if k == "user":
        ctx.update({"aws:username": p["name"], "aws:userid": USER_IDS[p["name"]], "aws:PrincipalType": "User"})
    elif k in ("role", "slr"):
        ctx.update({"aws:userid": f"{ROLE_IDS[p['name']]}:{p['session']}", "aws:PrincipalType": "AssumedRole"})
    elif k == "root":
        ctx.update({"aws:userid": p["account"], "aws:PrincipalType": "Account"})
    elif k == "federated":
        ctx.update({"aws:userid": f"{p['account']}:{p['name']}", "aws:PrincipalType": "FederatedUser"})
    return ctx


# ------------------------------------------------------------------ helpers

def maybe_list(rng, items, p_list=0.5):
    """A one-element value may be written bare; longer ones are lists."""
    if len(items) == 1 and rng.random() > p_list:
        return items[0]
    return list(items)


def flip_case(rng, s):
    if not s:
        return s
    choice = rng.random()
    if choice < 0.4:
        return s.upper()
    if choice < 0.8:
        return s.lower()
    return "".join(c.upper() if i % 2 else c.lower() for i, c in enumerate(s))


def qmark(rng, s):
    """Replace one character of s by '?'."""
    if len(s) < 2:
        return s
    i = rng.randrange(len(s))
    return s[:i] + "?" + s[i + 1:]


def key_case(rng, key):
    """Condition key names are case-insensitive; sometimes write them oddly."""
    if rng.random() < 0.1:
        prefix, _, rest = key.partition(":")
        return (prefix.upper() if rng.random() < 0.5 else prefix) + ":" + (rest.lower() if rng.random() < 0.5 else rest)
    return key


class Gen:
    def __init__(self, seed, edge_rate, derived):
        self.rng = random.Random(seed)
        self.seed = seed
        self.edge_rate = edge_rate
        self.derived = derived

    # ----------------------------------------------------------- context
    def make_context(self, sc):
        rng = self.rng
        p, spec, res_acct = sc["p"], sc["spec"], sc["res_acct"]
        ctx = derived_context(p) if self.derived else {}
        k = p["kind"]
        human = k in ("user", "role", "root", "federated", "slr")
        sc["via_vpce"] = human and rng.random() < 0.12
        if sc["via_vpce"]:
            ctx["aws:SourceVpce"] = rng.choice(["vpce-1a2b3c4d", "vpce-9f8e7d6c"])
            ctx["aws:SourceVpc"] = rng.choice(["vpc-111bbb22", "vpc-333ddd44"])
            ctx["aws:VpcSourceIp"] = rng.choice(["10.0.1.17", "10.20.30.40"])
        elif k != "service" and rng.random() < 0.75:
            ctx["aws:SourceIp"] = rng.choice(["203.0.113.25", "198.51.100.7", "192.0.2.200", "2001:db8:1234:5678::1", "10.20.30.40"])
        if rng.random() < 0.85:
            ctx["aws:SecureTransport"] = rng.random() < 0.8 if rng.random() < 0.5 else ("true" if rng.random() < 0.8 else "false")
        if rng.random() < 0.6:
            ctx["aws:CurrentTime"] = rng.choice(["2026-03-15T12:00:00Z", "2025-12-31T23:59:59Z", "2026-07-01T08:30:00Z"])
        if rng.random() < 0.4:
            ctx["aws:EpochTime"] = rng.choice([1773576000, 1767225599, "1782894600"])
        region = sc["region"]
        if rng.random() < 0.85:
            ctx["aws:RequestedRegion"] = region or rng.choice(REGIONS)
        if rng.random() < 0.3:
            ctx["aws:UserAgent"] = rng.choice(["aws-cli/2.15.0 Python/3.11", "Boto3/1.34.0", "console.amazonaws.com"])
        if k in ("role", "federated", "slr", "user", "root"):
            temp = k != "user" or rng.random() < 0.3
            if temp and rng.random() < 0.8:
                mfa = rng.random() < 0.5
                ctx["aws:MultiFactorAuthPresent"] = mfa if rng.random() < 0.5 else str(mfa).lower()
                if mfa and rng.random() < 0.7:
                    age = rng.choice([30, 600, 3600, 7200])
                    ctx["aws:MultiFactorAuthAge"] = age if rng.random() < 0.5 else str(age)
            if temp and rng.random() < 0.6:
                ctx["aws:TokenIssueTime"] = rng.choice(["2026-03-15T11:00:00Z", "2026-03-14T09:00:00Z"])
        if k in ("user", "role") and rng.random() < 0.55:
            ctx["aws:PrincipalTag/team"] = rng.choice(["blue", "red", "Blue"])
        if k in ("user", "role") and rng.random() < 0.3:
            ctx["aws:PrincipalTag/project"] = rng.choice(["apollo", "gemini"])
        if rng.random() < 0.2:
            ctx["aws:RequestTag/env"] = rng.choice(["prod", "dev"])
        if rng.random() < 0.25:
            ctx["aws:TagKeys"] = rng.sample(["env", "team", "owner", "cost-center"], rng.randint(0, 3))
        if spec.get("tags") and rng.random() < 0.45:
            ctx["aws:ResourceTag/env"] = rng.choice(["prod", "dev"])
        if spec.get("tags") and rng.random() < 0.3:
            ctx["aws:ResourceTag/owner"] = rng.choice(["alice", "bob", "Carol"])
        if spec.get("tags") and rng.random() < 0.3:
            ctx["aws:ResourceTag/team"] = rng.choice(["blue", "red"])
        if human and rng.random() < 0.1:
            ctx["aws:CalledVia"] = rng.sample(["cloudformation.amazonaws.com", "athena.amazonaws.com", "glue.amazonaws.com"], rng.randint(1, 2))
            ctx["aws:ViaAWSService"] = True
        elif human and rng.random() < 0.15:
            ctx["aws:ViaAWSService"] = False
        if human and p["account"] in IN_ORG and rng.random() < 0.85:
            ctx["aws:PrincipalOrgID"] = ORG
            if rng.random() < 0.4:
                ctx["aws:PrincipalOrgPaths"] = [OU_PATH[p["account"]]]
        elif human and p["account"] not in IN_ORG and rng.random() < 0.3:
            ctx["aws:PrincipalOrgID"] = OTHER_ORG
        if rng.random() < 0.5:
            ctx["aws:ResourceAccount"] = res_acct
        if res_acct in IN_ORG and rng.random() < 0.3:
            ctx["aws:ResourceOrgID"] = ORG
        if k == "service":
            ctx["aws:SourceAccount"] = rng.choice([res_acct, res_acct, OUTSIDE])
            src_svc = p["service"].split(".")[0]
            ctx["aws:SourceArn"] = rng.choice([
                f"arn:aws:{src_svc}:us-east-1:{ctx['aws:SourceAccount']}:trail/main" if src_svc == "cloudtrail" else
                f"arn:aws:{src_svc}:us-east-1:{ctx['aws:SourceAccount']}:rule/nightly",
                f"arn:aws:{src_svc}:eu-west-1:{OUTSIDE}:thing/other"])
        for key, shape, values in spec["keys"]:
            if rng.random() < 0.5:
                if shape == "m":
                    ctx[key] = rng.sample(values, rng.randint(0, min(3, len(values))))
                elif shape == "n":
                    v = rng.choice(values)
                    ctx[key] = v if rng.random() < 0.5 else str(v)
                else:
                    ctx[key] = rng.choice(values)
        return ctx

    # --------------------------------------------------------- conditions
    def string_keys(self, sc):
        """(key, candidate values) for single-valued string keys."""
        out = [
            ("aws:PrincipalTag/team", ["blue", "red", "Blue", "green"]),
            ("aws:PrincipalTag/project", ["apollo", "gemini"]),
            ("aws:RequestedRegion", REGIONS),
            ("aws:PrincipalOrgID", [ORG, OTHER_ORG]),
            ("aws:SourceVpce", ["vpce-1a2b3c4d", "vpce-9f8e7d6c"]),
            ("aws:SourceVpc", ["vpc-111bbb22"]),
            ("aws:username", ["alice", "bob", "Carol", "carol"]),
            ("aws:userid", ["AIDAEXAMPLEALICE0001", "AROAEXAMPLEAPPROLE01:*", HOME, f"{HOME}:alice"]),
            ("aws:UserAgent", ["aws-cli/*", "Boto3/1.34.0", "console.amazonaws.com"]),
            ("aws:PrincipalAccount", [HOME, PEER, OUTSIDE]),
            ("aws:ResourceAccount", [HOME, PEER, OUTSIDE]),
            ("aws:PrincipalType", ["User", "AssumedRole", "FederatedUser", "Account"]),
            ("aws:RequestTag/env", ["prod", "dev"]),
            ("aws:SourceAccount", [HOME, OUTSIDE]),
        ]
        if sc["spec"].get("tags"):
            out += [("aws:ResourceTag/env", ["prod", "dev", "Prod"]), ("aws:ResourceTag/owner", ["alice", "bob", "Carol"]),
                    ("aws:ResourceTag/team", ["blue", "red"])]
        for key, shape, values in sc["spec"]["keys"]:
            if shape == "s":
                out.append((key, values))
        return out

    def string_value(self, key, candidates, ctx, op):
        rng = self.rng
        present = {k.lower(): v for k, v in ctx.items()}.get(key.lower())
        base = present if isinstance(present, str) and rng.random() < 0.6 else rng.choice(candidates)
        base = str(base)
        if "Like" in op:
            r = rng.random()
            if r < 0.3 and base:
                return base[: max(1, len(base) // 2)] + "*"
            if r < 0.45:
                return qmark(rng, base)
            if r < 0.5:
                return "*"
            return base
        if "IgnoreCase" in op and rng.random() < 0.5:
            return flip_case(rng, base)
        return base

    def variable_condition(self, sc):
        """A string/ARN condition whose value is a policy variable."""
        rng = self.rng
        acct = sc["res_acct"]
        options = [
            ("StringEquals", "aws:ResourceTag/owner", "${aws:username}"),
            ("StringEquals", "aws:ResourceTag/team", "${aws:PrincipalTag/team}"),
            ("StringNotEquals", "aws:ResourceTag/team", "${aws:PrincipalTag/team}"),
            ("StringEquals", "aws:ResourceAccount", "${aws:PrincipalAccount}"),
            ("StringEquals", "aws:PrincipalAccount", "${aws:ResourceAccount}"),
            ("StringLike", "s3:prefix", "home/${aws:username}/*"),
            ("StringLike", "aws:userid", "*:${aws:username}"),
            ("StringEquals", "aws:PrincipalTag/team", "${aws:PrincipalTag/project, 'blue'}"),
            ("ArnLike", "aws:PrincipalArn", "arn:aws:iam::${aws:ResourceAccount}:*"),
            ("StringLike", "aws:UserAgent", "aws-cli/${*}"),
        ]
        op, key, val = rng.choice(options)
        if rng.random() < 0.2:
            op += "IfExists"
        return {op: {key: val}}

    def condition_entry(self, sc, ctx):
        rng = self.rng
        fam = rng.choices(
            ["string", "numeric", "date", "bool", "ip", "arn", "null", "set", "var", "binary"],
            [30, 8, 10, 12, 10, 10, 8, 10, 6, 1])[0]
        ifx = "IfExists" if rng.random() < 0.2 else ""
        if fam == "string":
            key, cands = rng.choice(self.string_keys(sc))
            op = rng.choice(["StringEquals", "StringNotEquals", "StringEqualsIgnoreCase",
                             "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike"])
            n = rng.choice([1, 1, 2, 3])
            vals = [self.string_value(key, cands, ctx, op) for _ in range(n)]
            vals = list(dict.fromkeys(vals))
            return {op + ifx: {key_case(rng, key): maybe_list(rng, vals)}}
        if fam == "numeric":
            keys = ["aws:MultiFactorAuthAge"] + [k for k, s, _ in sc["spec"]["keys"] if s == "n"]
            key = rng.choice(keys)
            op = rng.choice(["NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals",
                             "NumericGreaterThan", "NumericGreaterThanEquals"])
            v = rng.choice([30, 100, 600, 3600, 1000, 10])
            if rng.random() < 0.15:
                v = f"{v}.0" if rng.random() < 0.5 else f"{v}.5"
            elif rng.random() < 0.5:
                v = str(v)
            return {op + ifx: {key_case(rng, key): v}}
        if fam == "date":
            key = rng.choice(["aws:CurrentTime", "aws:CurrentTime", "aws:TokenIssueTime", "aws:EpochTime"])
            op = rng.choice(["DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals",
                             "DateGreaterThan", "DateGreaterThanEquals"])
            if key == "aws:EpochTime":
                v = rng.choice([1773576000, "1767225599", 1780000000])
            else:
                v = rng.choice(["2026-03-15T12:00:00Z", "2026-01-01T00:00:00Z", "2026-03-15T14:00:00+02:00",
                                "2026-06-30T23:59:59.500Z", "2026-03-15", "2026-03-14T09:00:00Z"])
            return {op + ifx: {key_case(rng, key): v}}
        if fam == "bool":
            key = rng.choice(["aws:SecureTransport", "aws:MultiFactorAuthPresent", "aws:ViaAWSService",
                              "aws:PrincipalIsAWSService"])
            b = rng.random() < 0.5
            v = b if rng.random() < 0.4 else (str(b).lower() if rng.random() < 0.9 else str(b))
            return {"Bool" + ifx: {key_case(rng, key): v}}
        if fam == "ip":
            key = "aws:SourceIp" if not sc["via_vpce"] or rng.random() < 0.5 else "aws:VpcSourceIp"
            op = rng.choice(["IpAddress", "NotIpAddress"])
            pool = ["203.0.113.0/24", "198.51.100.0/24", "10.0.0.0/8", "2001:db8:1234:5678::/64", "203.0.113.25",
                    "192.0.2.0/25", "2001:db8::/32", "10.0.1.0/24"]
            vals = rng.sample(pool, rng.choice([1, 1, 2, 3]))
            return {op + ifx: {key: maybe_list(rng, vals)}}
        if fam == "arn":
            p = sc["p"]
            key = "aws:SourceArn" if p["kind"] == "service" else "aws:PrincipalArn"
            op = rng.choice(["ArnLike", "ArnEquals", "ArnNotLike", "ArnNotEquals"])
            acct = p.get("account") or sc["res_acct"]
            pool = [f"arn:aws:iam::{acct}:role/*", f"arn:aws:iam::*:role/AppRole", f"arn:aws:iam::{acct}:user/*",
                    f"arn:aws:iam::{acct}:root", "arn:aws:iam::*:role/team/*", f"arn:aws:iam::{OUTSIDE}:*",
                    f"arn:aws:events:us-east-1:{sc['res_acct']}:rule/*", "arn:aws:cloudtrail:*:*:trail/*",
                    f"arn:aws:iam::{acct}:role/aws-service-role/*"]
            if p.get("principal_arn") and rng.random() < 0.3:
                pool.append(p["principal_arn"])
            vals = rng.sample(pool, rng.choice([1, 1, 2]))
            return {op + ifx: {key: maybe_list(rng, vals)}}
        if fam == "null":
            key, _ = rng.choice(self.string_keys(sc) + [("aws:MultiFactorAuthAge", []), ("aws:TokenIssueTime", []),
                                                        ("aws:SourceIp", []), ("aws:TagKeys", [])])
            b = rng.random() < 0.5
            v = b if rng.random() < 0.3 else str(b).lower()
            return {"Null": {key_case(rng, key): v}}
        if fam == "set":
            choices = [("aws:TagKeys", ["env", "team", "owner", "cost-center", "t*"]),
                       ("aws:PrincipalOrgPaths", [OU_PATH[HOME], f"{ORG}/{ROOT_ID}/*", f"{ORG}/*"]),
                       ("aws:CalledVia", ["cloudformation.amazonaws.com", "athena.amazonaws.com"])]
            choices += [(k, v) for k, s, v in sc["spec"]["keys"] if s == "m"]
            key, cands = rng.choice(choices)
            base = rng.choice(["StringEquals", "StringLike", "StringNotEquals", "StringNotLike", "StringEqualsIgnoreCase"])
            if rng.random() < 0.08:
                # Plain operator on a multivalued key (iam-semantics 4.3, T74).
                return {base: {key: maybe_list(rng, rng.sample(cands, 1))}}
            q = rng.choice(["ForAnyValue:", "ForAllValues:"])
            vals = rng.sample(cands, rng.randint(1, min(3, len(cands))))
            if "Like" not in base:
                vals = [v for v in vals if "*" not in v] or [cands[0]]
            sfx = "IfExists" if rng.random() < 0.05 else ""
            return {q + base + sfx: {key: maybe_list(rng, vals)}}
        if fam == "var":
            return self.variable_condition(sc)
        # binary: BinaryEquals, the policy side is base64 (iam-semantics 4.4.5)
        ua = ctx.get("aws:UserAgent", "Boto3/1.34.0")
        target = ua if rng.random() < 0.5 else "something-else"
        return {"BinaryEquals": {"aws:UserAgent": base64.b64encode(str(target).encode()).decode()}}

    def condition(self, sc, ctx, n=None):
        rng = self.rng
        n = n or rng.choice([1, 1, 1, 2, 2, 3])
        cond = {}
        for _ in range(n):
            for op, block in self.condition_entry(sc, ctx).items():
                cond.setdefault(op, {})
                for k, v in block.items():
                    if k.lower() not in {x.lower() for x in cond[op]}:
                        cond[op][k] = v
        return cond

    # ------------------------------------------------------ action / resource
    def action_elem(self, sc, match=True, allow_not=True, bare_star=True):
        rng = self.rng
        action = sc["action"]
        svc, name = action.split(":")
        others = [a for a in OTHER_ACTIONS if a != action]
        if allow_not and rng.random() < 0.12:
            # NotAction: matches when the request action is not listed.
            listed = rng.sample(others, rng.randint(1, 3))
            if not match:
                listed.append(action if rng.random() < 0.5 else f"{svc}:*")
            return "NotAction", maybe_list(rng, listed)
        if match:
            forms = [action, action, f"{svc}:*", f"{svc}:{name[:3]}*", f"{svc}:{qmark(rng, name)}",
                     flip_case(rng, action), f"{svc}:*{name[-4:]}"]
            if bare_star:
                forms.append("*")
            a = rng.choice(forms)
        else:
            a = rng.choice(others + [f"{svc}:{name}X", f"{svc}:Describe*" if not name.startswith("Describe") else f"{svc}:Delete*"])
        items = [a]
        if rng.random() < 0.35:
            items += rng.sample(others, rng.randint(1, 2))
            rng.shuffle(items)
        return "Action", maybe_list(rng, items, 0.3)

    def resource_patterns(self, sc, match=True):
        """Resource patterns that match (or do not match) the request resource."""
        rng = self.rng
        res = sc["resource"]
        p = sc["p"]
        if res == "*":
            return ["*"] if match else [f"arn:aws:{sc['action'].split(':')[0]}:*:*:*"]
        parts = res.split(":", 5)
        head, rest = parts[:5], parts[5]
        if match:
            forms = [res, res, "*", ":".join(head[:3] + ["*", "*", "*"])]
            if "/" in rest:
                forms.append(":".join(head) + ":" + rest.rsplit("/", 1)[0] + "/*")
                forms.append(":".join(head) + ":" + rest.split("/", 1)[0] + "/*")
            forms.append(":".join(head[:3] + ["*"] + head[4:]) + ":" + rest)   # region *
            # '?' only after the resource-type word (a wildcard inside the
            # type word is a separate, deliberate probe).
            cut = min([i for i in (rest.find("/"), rest.find(":")) if i >= 0] or [-1]) + 1
            if res.startswith("arn:aws:s3:"):
                cut = 0
            forms.append(":".join(head) + ":" + rest[:cut] + qmark(rng, rest[cut:]))
            # Policy variables standing for a part of the resource.
            subs = []
            if p.get("name") and p["kind"] == "user" and p["name"] in rest:
                subs.append((p["name"], "${aws:username}"))
            team = sc["ctx"].get("aws:PrincipalTag/team")
            if team and team in rest:
                subs.append((team, "${aws:PrincipalTag/team}"))
            if "blue" in rest and not team:
                subs.append(("blue", "${aws:PrincipalTag/team, 'blue'}"))
            for old, var in subs:
                forms.append(":".join(head) + ":" + rest.replace(old, var, 1))
                forms.append(":".join(head) + ":" + rest.replace(old, var, 1))
            return [rng.choice(forms)]
        forms = [":".join(head) + ":" + rest + "-other", ":".join(head[:3] + ["us-west-2"] + head[4:]) + ":" + rest]
        if head[4]:
            forms.append(":".join(head[:4] + [OUTSIDE if head[4] != OUTSIDE else HOME]) + ":" + rest)
        if "/" in rest:
            forms.append(":".join(head) + ":" + rest.split("/", 1)[0] + "/nothing-here/*")
        if res.startswith("arn:aws:s3:::") and "/" in rest:
            forms.append(":".join(head) + ":" + rest.split("/", 1)[0])   # bucket ARN does not cover objects
        if p.get("name") and p["kind"] != "user" and p["name"] in rest:
            forms.append(":".join(head) + ":" + rest.replace(p["name"], "${aws:username}", 1))  # unresolvable
        return [rng.choice(forms)]

    def resource_elem(self, sc, match=True, allow_not=True):
        rng = self.rng
        if allow_not and rng.random() < 0.1 and sc["resource"] != "*":
            # NotResource: matches when the request resource is not listed.
            listed = self.resource_patterns(sc, match=False)
            if not match:
                listed += self.resource_patterns(sc, match=True)
            return "NotResource", maybe_list(rng, list(dict.fromkeys(listed)))
        items = self.resource_patterns(sc, match)
        if rng.random() < 0.25:
            items += self.resource_patterns(sc, match=False)
            rng.shuffle(items)
        return "Resource", maybe_list(rng, list(dict.fromkeys(items)), 0.3)

    def statement(self, sc, ctx, effect=None, kind="identity", cond_p=0.4):
        rng = self.rng
        effect = effect or ("Allow" if rng.random() < 0.7 else "Deny")
        match_p = 0.8 if effect == "Allow" else 0.6
        st = {}
        st["Effect"] = effect
        if kind in ("resource", "trust", "vpce", "rcp"):
            if kind == "rcp":
                st["Principal"] = "*"
            elif kind == "vpce":
                # The oracle only accepts "*" as an endpoint-policy principal.
                st["Principal"] = "*"
            else:
                pe, pv = self.principal_elem(sc, effect, allow_not=kind != "trust")
                st[pe] = pv
        # The oracle's validator rejects a bare "*" action in RCPs.
        ae, av = self.action_elem(sc, rng.random() < match_p, allow_not=kind not in ("rcp", "trust"),
                                  bare_star=kind != "rcp")
        st[ae] = av
        if kind != "trust":
            re_, rv = self.resource_elem(sc, rng.random() < match_p)
            if kind == "resource" and sc["spec"]["rp"] == "kms" and rng.random() < 0.7:
                re_, rv = "Resource", "*"
            st[re_] = rv
        if rng.random() < cond_p:
            st["Condition"] = self.condition(sc, ctx)
        return st

    def principal_elem(self, sc, effect, allow_not=True):
        rng = self.rng
        p = sc["p"]
        acct = p.get("account")
        k = p["kind"]
        if allow_not and effect == "Deny" and k not in ("anonymous", "service") and rng.random() < 0.25:
            # NotPrincipal (Deny only): list some or all of session / role / account.
            cands = [p["arn"]]
            if k in ("role", "slr"):
                cands.append(p["role_arn"])
            if acct:
                cands.append(f"arn:aws:iam::{acct}:root")
            cands.append(f"arn:aws:iam::{OUTSIDE}:root")
            chosen = rng.sample(cands, rng.randint(1, len(cands)))
            return "NotPrincipal", {"AWS": maybe_list(rng, chosen)}
        opts = []
        opts += ["*", {"AWS": "*"}]
        if k == "service":
            opts += [{"Service": p["service"]}, {"Service": [p["service"], "config.amazonaws.com"]},
                     {"Service": "config.amazonaws.com"}]
        elif k != "anonymous":
            opts += [{"AWS": acct}, {"AWS": f"arn:aws:iam::{acct}:root"}, {"AWS": p["arn"]},
                     {"AWS": [p["arn"], f"arn:aws:iam::{OUTSIDE}:root"]}]
            if k in ("role", "slr"):
                opts += [{"AWS": p["role_arn"]}, {"AWS": p["role_arn"]}]
            if k == "federated":
                opts += [{"AWS": f"arn:aws:iam::{acct}:user/{p['name']}"}]
        opts += [{"AWS": f"arn:aws:iam::{OUTSIDE}:root"}, {"AWS": f"arn:aws:iam::{PEER}:user/bob"},
                 {"AWS": f"arn:aws:iam::{HOME}:role/AppRole"}]
        return "Principal", rng.choice(opts)

    def policy(self, sc, ctx, kind, n_min=1, n_max=3, effect=None, cond_p=0.4):
        rng = self.rng
        n = rng.randint(n_min, n_max)
        sts = [self.statement(sc, ctx, effect=effect, kind=kind, cond_p=cond_p) for _ in range(n)]
        used = set()
        for i, st in enumerate(sts):
            if rng.random() < 0.5:
                sid = f"{kind.capitalize()}{rng.choice(['Allow', 'Read', 'Guard', 'Stmt'])}{i + 1}"
                if sid not in used:
                    used.add(sid)
                    st_items = list(st.items())
                    st.clear()
                    st["Sid"] = sid
                    st.update(st_items)
        doc = {"Version": VERSION}
        doc["Statement"] = sts[0] if len(sts) == 1 and rng.random() < 0.2 else sts
        return doc

    # -------------------------------------------------------------- org layers
    def scp_level(self, sc, ctx):
        rng = self.rng
        policies = []
        if rng.random() < 0.85:
            policies.append({"Version": VERSION, "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
        else:
            svc = sc["action"].split(":")[0]
            allowed = rng.sample(["s3:*", "ec2:*", "dynamodb:*", "sqs:*", "kms:*", "iam:*", "sts:*", "logs:*", "lambda:*"], 3)
            if rng.random() < 0.7:
                allowed.append(f"{svc}:*")
            policies.append({"Version": VERSION, "Statement": [{"Sid": "AllowListed", "Effect": "Allow",
                                                                "Action": sorted(set(allowed)), "Resource": "*"}]})
        if rng.random() < 0.5:
            templates = [
                {"Sid": "RegionLock", "Effect": "Deny", "NotAction": SCP_EXEMPT_READ, "Resource": "*",
                 "Condition": {"StringNotEquals": {"aws:RequestedRegion": rng.sample(REGIONS, rng.randint(1, 2))}}},
                {"Sid": "DenyLeaveOrg", "Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"},
                {"Sid": "ProtectAudit", "Effect": "Deny", "Action": ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail"], "Resource": "*",
                 "Condition": {"ArnNotLike": {"aws:PrincipalArn": f"arn:aws:iam::*:role/ops/*"}}},
                {"Sid": "RequireMfaForDeletes", "Effect": "Deny", "Action": ["ec2:TerminateInstances", "s3:DeleteObject"], "Resource": "*",
                 "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}},
                {"Sid": "DenyInsecureS3", "Effect": "Deny", "Action": "s3:*", "Resource": "*",
                 "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
                self.statement(sc, ctx, effect="Deny", kind="scp"),
                self.statement(sc, ctx, effect="Deny", kind="scp"),
            ]
            policies.append({"Version": VERSION, "Statement": [rng.choice(templates)]})
        return policies

    def rcp_level(self, sc, ctx):
        rng = self.rng
        policies = []
        # RCPFullAWSAccess is implied at every level; the oracle's validator
        # rejects it when listed (Allow and a bare "*" are not allowed in a
        # custom RCP), so it is never written out.
        svc = sc["action"].split(":")[0]
        templates = [
            {"Sid": "EnforceOrgIdentities", "Effect": "Deny", "Principal": "*",
             "Action": [f"{s}:*" for s in ("s3", "sqs", "kms", "sts", "secretsmanager")], "Resource": "*",
             "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG},
                           "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}},
            {"Sid": "EnforceTls", "Effect": "Deny", "Principal": "*", "Action": f"{svc}:*", "Resource": "*",
             "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}}},
            {"Sid": "ConfusedDeputy", "Effect": "Deny", "Principal": "*", "Action": f"{svc}:*", "Resource": "*",
             "Condition": {"StringNotEqualsIfExists": {"aws:SourceAccount": [HOME, PEER]},
                           "Null": {"aws:SourceAccount": "false"}, "Bool": {"aws:PrincipalIsAWSService": "true"}}},
            self.statement(sc, ctx, effect="Deny", kind="rcp"),
        ]
        policies.append({"Version": VERSION, "Statement": [rng.choice(templates)]})
        return policies

    # ------------------------------------------------------------ edge probes
    def edge(self, scn, sc, ctx):
        """Insert one known-divergence probe; returns its label."""
        rng = self.rng
        pol = scn["policies"]
        target = None
        for layer in ("identity", "resource", "permissions_boundary"):
            if layer == "identity" and pol.get("identity"):
                target = pol["identity"][0]
                break
            if layer != "identity" and pol.get(layer):
                target = pol[layer]
                break
        if target is None:
            return None
        sts = target["Statement"] if isinstance(target["Statement"], list) else [target["Statement"]]
        st = sts[0]
        label = rng.choice(["ip-zero", "date-mix", "numeric-malformed", "legacy-variable", "arn-not-non-arn",
                            "newline", "resource-type-wildcard", "binary", "short-arn", "no-version-variable",
                            "multivalued-variable"])
        cond = st.setdefault("Condition", {})
        if label == "ip-zero":
            cond["NotIpAddress" if rng.random() < 0.5 else "IpAddress"] = {"aws:SourceIp": rng.choice(["0.0.0.0/0", "::/0"])}
            ctx.setdefault("aws:SourceIp", "198.51.100.7")
        elif label == "date-mix":
            if rng.random() < 0.5:
                cond["DateGreaterThan"] = {"aws:CurrentTime": "2026-01-01T00:00:00Z"}
                ctx["aws:CurrentTime"] = "1773576000"
            else:
                cond["DateLessThan"] = {"aws:CurrentTime": "1780000000"}
                ctx["aws:CurrentTime"] = "2026-03-15T12:00:00Z"
        elif label == "numeric-malformed":
            cond["NumericLessThanEquals"] = {"aws:MultiFactorAuthAge": "3600"}
            ctx["aws:MultiFactorAuthAge"] = rng.choice(["300abc", "1e3", " 300", "0x10"])
        elif label in ("legacy-variable", "no-version-variable"):
            if label == "legacy-variable":
                target["Version"] = "2008-10-17"
            else:
                target.pop("Version", None)
            cond["StringEquals"] = {"aws:PrincipalAccount": "${aws:ResourceAccount}"}
            ctx.setdefault("aws:ResourceAccount", scn["resource_account"])
        elif label == "arn-not-non-arn":
            cond["ArnNotLike"] = {"aws:SourceArn": "arn:aws:events:*:*:rule/*"}
            ctx["aws:SourceArn"] = rng.choice(["not-an-arn", "events.amazonaws.com"])
        elif label == "newline":
            cond["StringLike"] = {"aws:UserAgent": "aws-cli*"}
            ctx["aws:UserAgent"] = "aws-cli/2.15.0\nextra"
        elif label == "resource-type-wildcard":
            res = scn["request"]["resource"]
            parts = res.split(":", 5)
            if res == "*" or len(parts) < 6 or not any(c in parts[5] for c in "/:") or parts[2] == "s3":
                return None
            rtype = parts[5].split("/", 1)[0].split(":", 1)[0]
            sep = parts[5][len(rtype)]
            st.pop("NotResource", None)
            st["Resource"] = ":".join(parts[:5]) + ":" + rtype[:2] + "*" + sep + parts[5][len(rtype) + 1:]
        elif label == "binary":
            ua = ctx.setdefault("aws:UserAgent", "Boto3/1.34.0")
            cond["BinaryEquals"] = {"aws:UserAgent": base64.b64encode(ua.encode()).decode()}
        elif label == "short-arn":
            res = scn["request"]["resource"]
            if res == "*":
                return None
            svc = res.split(":")[2]
            st.pop("NotResource", None)
            st["Resource"] = f"arn:aws:{svc}:*"
        elif label == "multivalued-variable":
            cond["StringLike"] = {"aws:UserAgent": "${aws:TagKeys}"}
            ctx["aws:TagKeys"] = ["env"]
            ctx["aws:UserAgent"] = "env"
        if not cond:
            st.pop("Condition", None)
        return label

    # ------------------------------------------------------------- scenario
    def scenario(self, index):
        rng = self.rng
        kind = rng.choices(["user", "role", "root", "federated", "service", "anonymous", "slr"],
                           [26, 30, 6, 8, 12, 12, 6])[0]
        p_acct = rng.choices([HOME, PEER, OUTSIDE], [70, 15, 15])[0]
        p = make_principal(rng, kind, p_acct)
        if kind == "anonymous":
            specs = [a for a in ACTIONS if a["anon"]]
        elif kind == "service":
            specs = [a for a in ACTIONS if a["svc_callers"]]
        else:
            specs = ACTIONS
        spec = rng.choice(specs)
        if kind == "service":
            p = make_principal(rng, "service", None)
            p["service"] = rng.choice(spec["svc_callers"])
            p["arn"] = p["service"]
        if kind in ("anonymous", "service"):
            res_acct = rng.choice([HOME, HOME, PEER])
        else:
            res_acct = rng.choices([p_acct, HOME, PEER, OUTSIDE], [60, 14, 13, 13])[0]
        if spec["res"] is None:
            resource, res_acct = "*", (p_acct or HOME)
        else:
            resource = spec["res"](rng, res_acct, p)
        region = resource.split(":")[3] if resource.count(":") >= 5 and resource.split(":")[3] else None
        sc = {"p": p, "spec": spec, "action": spec["action"], "resource": resource, "res_acct": res_acct,
              "region": region, "ctx": {}}
        ctx = self.make_context(sc)
        sc["ctx"] = ctx
        policies = {}
        layers = []
        rp = spec["rp"]
        human = kind in ("user", "role", "root", "federated", "slr")
        if human and kind != "root":
            n = rng.choice([1, 1, 2, 3])
            if rng.random() < 0.9:
                policies["identity"] = [self.policy(sc, ctx, "identity") for _ in range(n)]
                layers.append("identity")
        need_rp = rp in ("trust", "kms") or kind in ("anonymous", "service")
        if rp and (need_rp or rng.random() < 0.55 or (res_acct != p_acct and rng.random() < 0.8)):
            kind_rp = "trust" if rp == "trust" else "resource"
            doc = self.policy(sc, ctx, kind_rp, 1, 3)
            if rp == "kms" and rng.random() < 0.7:
                # The default key policy statement (account principal).
                sts = doc["Statement"] if isinstance(doc["Statement"], list) else [doc["Statement"]]
                sts.insert(0, {"Sid": "EnableIamUserPermissions", "Effect": "Allow",
                               "Principal": {"AWS": f"arn:aws:iam::{res_acct}:root"}, "Action": "kms:*", "Resource": "*"})
                doc["Statement"] = sts
            policies["resource"] = doc
            layers.append("resource")
        if kind in ("user", "role", "federated") and rng.random() < 0.3:
            policies["permissions_boundary"] = self.policy(sc, ctx, "boundary", 1, 3)
            layers.append("boundary")
        if (kind == "role" and rng.random() < 0.35) or (kind == "federated" and rng.random() < 0.85):
            policies["session"] = [self.policy(sc, ctx, "session", 1, 2) for _ in range(rng.choice([1, 1, 2]))]
            layers.append("session")
        scp_ok = human and p_acct in IN_ORG
        if (scp_ok and rng.random() < 0.55) or (kind == "service" and rng.random() < 0.08):
            policies["scps"] = [self.scp_level(sc, ctx) for _ in range(rng.randint(1, 3))]
            layers.append("scp")
        if res_acct in IN_ORG and rng.random() < 0.3:
            policies["rcps"] = [self.rcp_level(sc, ctx) for _ in range(rng.randint(1, 2))]
            layers.append("rcp")
        if sc["via_vpce"]:
            policies["vpc_endpoint"] = self.policy(sc, ctx, "vpce", 1, 2, cond_p=0.3)
            layers.append("vpce")
        scn = {
            "name": f"gen-{self.seed}-{index:06d}",
            "description": "",
            "request": {"principal": p["arn"], "action": spec["action"], "resource": resource, "context": ctx},
            "resource_account": res_acct,
            "policies": policies,
        }
        probe = None
        if rng.random() < self.edge_rate:
            probe = self.edge(scn, sc, ctx)
        if human and p_acct in IN_ORG and "scps" in policies and rng.random() < 0.03:
            scn["management_account"] = p_acct
            probe = (probe + ",management-account") if probe else "management-account"
        where = "same-account" if (p.get("account") or res_acct) == res_acct else (
            "cross-account-in-org" if res_acct in IN_ORG and p.get("account") in IN_ORG else "cross-account-outside-org")
        desc = f"{kind} {where} {spec['action']}; layers: {','.join(layers) or 'none'}"
        if probe:
            desc += f"; probe: {probe}"
        scn["description"] = desc
        return scn


def main():
    ap = argparse.ArgumentParser(description="Generate differential-testing scenarios (JSONL).")
    ap.add_argument("--count", "-n", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--edge-rate", type=float, default=0.05,
                    help="probability that a scenario carries a known-divergence probe (default 0.05)")
    ap.add_argument("--no-derived-context", action="store_true",
                    help="do not write principal-derived keys (aws:PrincipalArn, ...) into the context")
    ap.add_argument("--out", "-o", help="output file (default: standard output)")
    args = ap.parse_args()
    g = Gen(args.seed, args.edge_rate, not args.no_derived_context)
    out = open(args.out, "w", encoding="utf-8", newline="\n") if args.out else sys.stdout
    try:
        for i in range(args.count):
            out.write(json.dumps(g.scenario(i), separators=(",", ":"), ensure_ascii=False) + "\n")
    finally:
        if out is not sys.stdout:
            out.close()


if __name__ == "__main__":
    main()
