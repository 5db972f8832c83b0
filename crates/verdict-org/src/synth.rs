//! Synthetic organizations for benchmarks and tests: a snapshot in the real layout,
//! generated deterministically from a seed.
//!
//! Each account has a pool of customer-managed policies (`pool` documents of about
//! `statements` statements) and `principals` users and roles, each attaching
//! `policies` of the pool (as roles attach managed policies in real accounts); the
//! organization is a tree of `ou_levels` OU levels under the root with SCPs at every
//! level; some accounts hold bucket policies that grant other accounts.

use serde_json::{json, Value};

/// The shape of a synthetic organization.
#[derive(Clone, Debug)]
pub struct OrgSpec {
    /// Accounts.
    pub accounts: usize,
    /// Users and roles per account.
    pub principals: usize,
    /// Managed policies attached per principal.
    pub policies: usize,
    /// Statements per policy (about).
    pub statements: usize,
    /// Customer-managed policies per account.
    pub pool: usize,
    /// OU levels under the root.
    pub ou_levels: usize,
    /// Seed.
    pub seed: u64,
}

impl Default for OrgSpec {
    fn default() -> Self {
        OrgSpec {
            accounts: 1000,
            principals: 200,
            policies: 10,
            statements: 50,
            pool: 20,
            ou_levels: 3,
            seed: 7,
        }
    }
}

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, v: &'a [T]) -> Option<&'a T> {
        v.get(self.below(v.len()))
    }
}

const SERVICES: &[&str] = &[
    "s3",
    "ec2",
    "lambda",
    "dynamodb",
    "sqs",
    "sns",
    "logs",
    "cloudwatch",
    "kms",
    "secretsmanager",
    "ssm",
    "ecr",
    "ecs",
    "rds",
    "iam",
    "sts",
    "cloudformation",
    "glue",
    "athena",
    "events",
];
const REGIONS: &[&str] = &["us-east-1", "eu-west-1", "us-west-2", "ap-southeast-2"];
const TRUSTED: &[&str] = &[
    "ec2.amazonaws.com",
    "lambda.amazonaws.com",
    "ecs-tasks.amazonaws.com",
    "glue.amazonaws.com",
];

fn account_id(i: usize) -> String {
    format!("{:012}", 100_000_000_000u64 + i as u64)
}

struct Actions {
    by_service: Vec<(String, Vec<String>)>,
}

impl Actions {
    fn new() -> Actions {
        let cat = verdict_catalog::catalog();
        let by_service = SERVICES
            .iter()
            .filter_map(|s| {
                let svc = cat.service(s)?;
                let names: Vec<String> = svc.actions().map(|a| a.qualified_name()).collect();
                Some((svc.prefix().to_string(), names))
            })
            .collect();
        Actions { by_service }
    }
}

fn statement(rng: &mut Rng, acts: &Actions, account: &str, sid: usize) -> Value {
    let (svc, names) = match acts.by_service.get(rng.below(acts.by_service.len())) {
        Some(x) => x,
        None => return json!({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}),
    };
    let n = 1 + rng.below(5);
    let mut actions: Vec<String> = (0..n).filter_map(|_| rng.pick(names).cloned()).collect();
    if rng.chance(10) {
        actions.push(format!("{svc}:Describe*"));
    }
    if rng.chance(4) {
        actions = vec![format!("{svc}:*")];
    }
    actions.sort();
    actions.dedup();
    let deny = rng.chance(8);
    let resource: Value = match (svc.as_str(), rng.below(3)) {
        ("s3", 0) => json!(format!("arn:aws:s3:::data-{account}-{}/*", rng.below(5))),
        ("s3", 1) => json!([
            format!("arn:aws:s3:::data-{account}-{}", rng.below(5)),
            format!("arn:aws:s3:::data-{account}-{}/*", rng.below(5))
        ]),
        ("dynamodb", 0) => json!(format!(
            "arn:aws:dynamodb:*:{account}:table/app-{}",
            rng.below(10)
        )),
        ("sqs", 0) => json!(format!("arn:aws:sqs:*:{account}:queue-{}", rng.below(10))),
        ("lambda", 0) => json!(format!("arn:aws:lambda:*:{account}:function:svc-*")),
        ("iam", 0) => json!(format!("arn:aws:iam::{account}:role/app-*")),
        _ => json!("*"),
    };
    let mut st = json!({
        "Sid": format!("S{sid}"),
        "Effect": if deny { "Deny" } else { "Allow" },
        "Action": actions,
        "Resource": resource,
    });
    let cond = match rng.below(10) {
        0 => Some(
            json!({"StringEquals": {"aws:RequestedRegion": [rng.pick(REGIONS).copied().unwrap_or("us-east-1")]}}),
        ),
        1 => Some(json!({"Bool": {"aws:MultiFactorAuthPresent": "true"}})),
        2 => Some(
            json!({"StringEquals": {"aws:PrincipalTag/team": format!("team-{}", rng.below(8))}}),
        ),
        3 => Some(json!({"IpAddress": {"aws:SourceIp": format!("10.{}.0.0/16", rng.below(200))}})),
        _ => None,
    };
    if let (Some(c), Some(o)) = (cond, st.as_object_mut()) {
        o.insert("Condition".into(), c);
    }
    st
}

fn policy_doc(rng: &mut Rng, acts: &Actions, account: &str, statements: usize) -> Value {
    let n = statements.saturating_sub(statements / 5) + rng.below(statements / 5 * 2 + 1);
    json!({"Version": "2012-10-17", "Statement": (0..n.max(1)).map(|i| statement(rng, acts, account, i)).collect::<Vec<_>>()})
}

/// The authorization details of account `i`.
fn account_file(spec: &OrgSpec, i: usize, acts: &Actions) -> String {
    let account = account_id(i);
    let mut rng = Rng(spec.seed ^ (i as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let pool: Vec<(String, String)> = (0..spec.pool)
        .map(|p| {
            (
                format!("app-policy-{p}"),
                format!("arn:aws:iam::{account}:policy/app-policy-{p}"),
            )
        })
        .collect();
    let policies: Vec<Value> = pool
        .iter()
        .map(|(name, arn)| {
            json!({
                "PolicyName": name, "PolicyId": format!("ANPA{}", name.len()), "Arn": arn, "Path": "/",
                "DefaultVersionId": "v1", "AttachmentCount": 1, "IsAttachable": true,
                "PolicyVersionList": [{"Document": policy_doc(&mut rng, acts, &account, spec.statements), "VersionId": "v1", "IsDefaultVersion": true}],
            })
        })
        .collect();
    let mut users = Vec::new();
    let mut roles = Vec::new();
    for k in 0..spec.principals {
        let mut attached: Vec<&(String, String)> =
            (0..spec.policies).filter_map(|_| rng.pick(&pool)).collect();
        attached.sort();
        attached.dedup();
        let attached: Vec<Value> = attached
            .iter()
            .map(|(n, a)| json!({"PolicyName": n, "PolicyArn": a}))
            .collect();
        let tags = json!([{"Key": "team", "Value": format!("team-{}", rng.below(8))}]);
        if k % 5 < 2 {
            let name = format!("user-{k}");
            users.push(json!({
                "Path": "/", "UserName": name, "UserId": format!("AIDA{account}{k:06}"), "Arn": format!("arn:aws:iam::{account}:user/{name}"),
                "CreateDate": "2025-01-01T00:00:00Z", "UserPolicyList": [], "GroupList": [], "AttachedManagedPolicies": attached, "Tags": tags,
            }));
        } else {
            let name = format!("role-{k}");
            let trust = if rng.chance(30) {
                let other = account_id(rng.below(spec.accounts.max(1)));
                json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{other}:root")}, "Action": "sts:AssumeRole"}]})
            } else {
                json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": rng.pick(TRUSTED).copied().unwrap_or("ec2.amazonaws.com")}, "Action": "sts:AssumeRole"}]})
            };
            roles.push(json!({
                "Path": "/", "RoleName": name, "RoleId": format!("AROA{account}{k:06}"), "Arn": format!("arn:aws:iam::{account}:role/{name}"),
                "CreateDate": "2025-01-01T00:00:00Z", "AssumeRolePolicyDocument": trust, "InstanceProfileList": [],
                "RolePolicyList": [], "AttachedManagedPolicies": attached, "Tags": tags,
            }));
        }
    }
    json!({"UserDetailList": users, "GroupDetailList": [], "RoleDetailList": roles, "Policies": policies}).to_string()
}

fn ou_id(path: &[usize]) -> String {
    let tail: String = path.iter().map(|x| format!("{x:02}")).collect();
    format!("ou-synt-{:02}{tail:0<6}", path.len())
}

/// Every file of the organization: `(path relative to the snapshot root, text)`,
/// produced lazily (one account's authorization details at a time).
pub fn generate(spec: &OrgSpec) -> impl Iterator<Item = (String, String)> + '_ {
    let acts = Actions::new();
    let mut org_files: Vec<(String, String)> = Vec::new();
    let mgmt = account_id(spec.accounts);
    org_files.push(("organizations/describe-organization.json".into(), json!({"Organization": {"Id": "o-synthetic1", "MasterAccountId": mgmt, "FeatureSet": "ALL"}}).to_string()));
    org_files.push(("organizations/list-roots.json".into(), json!({"Roots": [{"Id": "r-synt", "Name": "Root", "PolicyTypes": [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}]}]}).to_string()));
    // The tree: fan-out 4, 3, 2, … per level; leaves hold the accounts.
    let mut levels: Vec<Vec<Vec<usize>>> = vec![vec![Vec::new()]];
    for l in 0..spec.ou_levels {
        let fan = 4usize.saturating_sub(l).max(2);
        let next: Vec<Vec<usize>> = levels
            .last()
            .into_iter()
            .flatten()
            .flat_map(|p| {
                (0..fan).map(move |c| {
                    let mut q = p.clone();
                    q.push(c);
                    q
                })
            })
            .collect();
        levels.push(next);
    }
    let node_id = |p: &Vec<usize>| {
        if p.is_empty() {
            "r-synt".to_string()
        } else {
            ou_id(p)
        }
    };
    let mut all_targets: Vec<String> = Vec::new();
    let mut deny_targets: Vec<(String, usize)> = Vec::new();
    for (l, nodes) in levels.iter().enumerate() {
        for n in nodes {
            all_targets.push(node_id(n));
            if l >= 1 {
                deny_targets.push((node_id(n), l));
            }
            if let Some(children) = levels.get(l + 1) {
                let kids: Vec<Value> = children
                    .iter()
                    .filter(|c| c.len() == n.len() + 1 && c.starts_with(n))
                    .map(|c| json!({"Id": ou_id(c), "Name": format!("OU {}", ou_id(c))}))
                    .collect();
                org_files.push((
                    format!(
                        "organizations/list-organizational-units-for-parent-{}.json",
                        node_id(n)
                    ),
                    json!({"OrganizationalUnits": kids}).to_string(),
                ));
            }
        }
    }
    let leaves: Vec<Vec<usize>> = levels.last().cloned().unwrap_or_default();
    let mut per_leaf: Vec<Vec<Value>> = vec![Vec::new(); leaves.len().max(1)];
    for i in 0..spec.accounts {
        let a = account_id(i);
        all_targets.push(a.clone());
        if let Some(v) = per_leaf.get_mut(i % leaves.len().max(1)) {
            v.push(json!({"Id": a, "Name": format!("account {i}"), "Status": "ACTIVE"}));
        }
    }
    for (leaf, accts) in leaves.iter().zip(&per_leaf) {
        org_files.push((
            format!(
                "organizations/list-accounts-for-parent-{}.json",
                node_id(leaf)
            ),
            json!({"Accounts": accts}).to_string(),
        ));
    }
    org_files.push((
        "organizations/list-accounts-for-parent-r-synt.json".into(),
        json!({"Accounts": [{"Id": mgmt, "Name": "management"}]}).to_string(),
    ));
    let mut summaries = vec![
        json!({"Id": "p-FullAWSAccess", "Name": "FullAWSAccess", "Type": "SERVICE_CONTROL_POLICY", "AwsManaged": true}),
    ];
    org_files.push((
        "organizations/list-targets-for-policy-p-FullAWSAccess.json".into(),
        json!({"Targets": all_targets.iter().map(|t| json!({"TargetId": t})).collect::<Vec<_>>()})
            .to_string(),
    ));
    for (k, (target, level)) in deny_targets.iter().enumerate() {
        let id = format!("p-synthdeny{k:04}");
        let content = match level % 3 {
            1 => {
                json!({"Version": "2012-10-17", "Statement": [{"Sid": "Regions", "Effect": "Deny", "NotAction": ["iam:*", "sts:*", "organizations:*", "support:*"], "Resource": "*", "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}}]})
            }
            2 => {
                json!({"Version": "2012-10-17", "Statement": [{"Sid": "NoLeaving", "Effect": "Deny", "Action": ["organizations:LeaveOrganization", "account:CloseAccount", "iam:CreateUser", "iam:CreateAccessKey"], "Resource": "*"}]})
            }
            _ => {
                json!({"Version": "2012-10-17", "Statement": [{"Sid": "ProtectRoles", "Effect": "Deny", "Action": ["iam:DeleteRole", "iam:PutRolePolicy", "iam:AttachRolePolicy"], "Resource": "arn:aws:iam::*:role/platform-*", "Condition": {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/platform-admin"}}}]})
            }
        };
        summaries.push(json!({"Id": id, "Name": format!("guardrail-{k}"), "Type": "SERVICE_CONTROL_POLICY", "AwsManaged": false}));
        org_files.push((format!("organizations/describe-policy-{id}.json"), json!({"Policy": {"PolicySummary": {"Id": id, "Name": format!("guardrail-{k}"), "Type": "SERVICE_CONTROL_POLICY"}, "Content": content.to_string()}}).to_string()));
        org_files.push((
            format!("organizations/list-targets-for-policy-{id}.json"),
            json!({"Targets": [{"TargetId": target}]}).to_string(),
        ));
    }
    org_files.push((
        "organizations/list-policies-scp.json".into(),
        json!({"Policies": summaries}).to_string(),
    ));
    let n = spec.accounts;
    let accounts = (0..n).flat_map(move |i| {
        let account = account_id(i);
        let mut files = vec![(format!("accounts/{account}/authorization-details.json"), account_file(spec, i, &acts))];
        if i % 10 == 0 {
            let other = account_id((i + 1) % n.max(1));
            let bucket = format!("data-{account}-0");
            let doc = json!({"Version": "2012-10-17", "Statement": [
                {"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{other}:root")}, "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": [format!("arn:aws:s3:::{bucket}"), format!("arn:aws:s3:::{bucket}/*")]},
                {"Sid": "TLS", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [format!("arn:aws:s3:::{bucket}"), format!("arn:aws:s3:::{bucket}/*")], "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
            ]});
            files.push((format!("resources/{account}/s3/{bucket}.json"), json!({"Arn": format!("arn:aws:s3:::{bucket}"), "Policy": doc}).to_string()));
        }
        files
    });
    org_files.into_iter().chain(accounts)
}

/// The id of synthetic account `i`.
pub fn synthetic_account(i: usize) -> String {
    account_id(i)
}
