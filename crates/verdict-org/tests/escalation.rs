//! Every technique Verdict claims to check is found, with its steps justified, on a
//! snapshot built to hold one instance of it; a permissions boundary or an SCP that
//! blocks a step removes the edge.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use serde_json::{json, Value};
use verdict_org::escalation::{escalation, techniques, Target, Technique};
use verdict_org::index::{Indexer, Universe};

const ADMIN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

fn account(i: usize) -> String {
    format!("{:012}", 300_000_000_000u64 + i as u64)
}

/// Which block stops the subject: none, its permissions boundary, or an SCP.
#[derive(Clone, Copy, PartialEq)]
enum Block {
    None,
    Boundary,
    Scp,
}

/// Is the subject of `t` a role? (A permission on `{self}` must fit the subject's type.)
fn subject_is_role(t: &Technique) -> bool {
    t.needs.iter().any(|n| {
        n.resource == "{self}"
            && verdict_catalog::catalog()
                .action_fits_arn(&n.action, "arn:aws:iam::111122223333:role/x")
                == Some(true)
            && verdict_catalog::catalog()
                .action_fits_arn(&n.action, "arn:aws:iam::111122223333:user/x")
                != Some(true)
    })
}

/// One account holding technique `t`: the subject may do exactly what `t` needs.
fn account_for(t: &Technique, acct: &str, block: Block) -> Value {
    let statements: Vec<Value> = t
        .needs
        .iter()
        .map(|n| json!({"Effect": "Allow", "Action": n.action, "Resource": "*"}))
        .collect();
    let subject_policy = json!({"Version": "2012-10-17", "Statement": statements});
    let own = format!("arn:aws:iam::{acct}:policy/subject-managed");
    let boundary_arn = format!("arn:aws:iam::{acct}:policy/blocking-boundary");
    let first = &t.needs[0].action;
    let boundary_doc = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": first, "Resource": "*"}]});
    let mut subject = json!({
        "Path": "/", "CreateDate": "2025-01-01T00:00:00Z", "Tags": [],
        "AttachedManagedPolicies": [{"PolicyName": "subject-managed", "PolicyArn": own}],
    });
    let o = subject.as_object_mut().unwrap();
    if block == Block::Boundary {
        o.insert(
            "PermissionsBoundary".into(),
            json!({"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": boundary_arn}),
        );
    }
    let role_subject = subject_is_role(t);
    if role_subject {
        o.insert("RoleName".into(), json!("subject"));
        o.insert("RoleId".into(), json!("AROASUBJECT00001"));
        o.insert(
            "Arn".into(),
            json!(format!("arn:aws:iam::{acct}:role/subject")),
        );
        o.insert(
            "RolePolicyList".into(),
            json!([{"PolicyName": "needs", "PolicyDocument": subject_policy}]),
        );
        o.insert("AssumeRolePolicyDocument".into(), json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}));
    } else {
        o.insert("UserName".into(), json!("subject"));
        o.insert("UserId".into(), json!("AIDASUBJECT00001"));
        o.insert(
            "Arn".into(),
            json!(format!("arn:aws:iam::{acct}:user/subject")),
        );
        o.insert(
            "UserPolicyList".into(),
            json!([{"PolicyName": "needs", "PolicyDocument": subject_policy}]),
        );
        o.insert("GroupList".into(), json!(["Team"]));
    }
    let service = if t.service.is_empty() {
        "ec2.amazonaws.com"
    } else {
        t.service.as_str()
    };
    let target_role = json!({
        "Path": "/", "RoleName": "target", "RoleId": "AROATARGET000001", "Arn": format!("arn:aws:iam::{acct}:role/target"),
        "CreateDate": "2025-01-01T00:00:00Z", "Tags": [], "RolePolicyList": [], "InstanceProfileList": [],
        "AttachedManagedPolicies": [{"PolicyName": "AdministratorAccess", "PolicyArn": ADMIN}, {"PolicyName": "target-managed", "PolicyArn": format!("arn:aws:iam::{acct}:policy/target-managed")}],
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"},
            {"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{acct}:root")}, "Action": "sts:AssumeRole"}]},
    });
    let victim = json!({
        "Path": "/", "UserName": "victim", "UserId": "AIDAVICTIM000001", "Arn": format!("arn:aws:iam::{acct}:user/victim"),
        "CreateDate": "2025-01-01T00:00:00Z", "Tags": [], "UserPolicyList": [], "GroupList": [],
        "AttachedManagedPolicies": [{"PolicyName": "AdministratorAccess", "PolicyArn": ADMIN}, {"PolicyName": "target-managed", "PolicyArn": format!("arn:aws:iam::{acct}:policy/target-managed")}],
    });
    let managed = |name: &str, doc: Value| {
        json!({
            "PolicyName": name, "PolicyId": "ANPA0000", "Arn": format!("arn:aws:iam::{acct}:policy/{name}"), "Path": "/",
            "DefaultVersionId": "v1", "PolicyVersionList": [{"Document": doc, "VersionId": "v1", "IsDefaultVersion": true}],
        })
    };
    let read_only = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]});
    let (users, roles) = if role_subject {
        (vec![victim], vec![subject, target_role])
    } else {
        (vec![subject, victim], vec![target_role])
    };
    json!({
        "UserDetailList": users,
        "RoleDetailList": roles,
        "GroupDetailList": [
            {"Path": "/", "GroupName": "Team", "GroupId": "AGPATEAM00000001", "Arn": format!("arn:aws:iam::{acct}:group/Team"), "GroupPolicyList": [], "AttachedManagedPolicies": [{"PolicyName": "team-managed", "PolicyArn": format!("arn:aws:iam::{acct}:policy/team-managed")}]},
            {"Path": "/", "GroupName": "Admins", "GroupId": "AGPAADMINS000001", "Arn": format!("arn:aws:iam::{acct}:group/Admins"), "GroupPolicyList": [], "AttachedManagedPolicies": [{"PolicyName": "AdministratorAccess", "PolicyArn": ADMIN}]},
        ],
        "Policies": [
            managed("subject-managed", read_only.clone()),
            managed("target-managed", read_only.clone()),
            managed("team-managed", read_only),
            managed("blocking-boundary", boundary_doc),
        ],
    })
}

/// A snapshot with one account per technique; with `Block::Scp`, an organization whose
/// SCP denies each technique's first permission in its account.
fn snapshot(block: Block) -> (verdict_org::Snapshot, Vec<(String, String)>) {
    let mut files = Vec::new();
    let mut subjects = Vec::new();
    let ts: Vec<&Technique> = techniques().iter().filter(|t| t.supported).collect();
    for (i, t) in ts.iter().enumerate() {
        let acct = account(i);
        files.push((
            format!("accounts/{acct}/authorization-details.json"),
            account_for(t, &acct, block).to_string(),
        ));
        let kind = if subject_is_role(t) { "role" } else { "user" };
        subjects.push((t.id.clone(), format!("arn:aws:iam::{acct}:{kind}/subject")));
    }
    if block == Block::Scp {
        let accounts: Vec<Value> = (0..ts.len())
            .map(|i| json!({"Id": account(i), "Name": format!("a{i}")}))
            .collect();
        files.push((
            "organizations/describe-organization.json".into(),
            json!({"Organization": {"Id": "o-esc0000001", "MasterAccountId": "399999999999"}})
                .to_string(),
        ));
        files.push((
            "organizations/list-roots.json".into(),
            json!({"Roots": [{"Id": "r-esc0", "Name": "Root"}]}).to_string(),
        ));
        files.push((
            "organizations/list-organizational-units-for-parent-r-esc0.json".into(),
            json!({"OrganizationalUnits": []}).to_string(),
        ));
        files.push((
            "organizations/list-accounts-for-parent-r-esc0.json".into(),
            json!({"Accounts": accounts}).to_string(),
        ));
        let mut summaries =
            vec![json!({"Id": "p-FullAWSAccess", "Name": "FullAWSAccess", "AwsManaged": true})];
        files.push((
            "organizations/list-targets-for-policy-p-FullAWSAccess.json".into(),
            json!({"Targets": [{"TargetId": "r-esc0"}]}).to_string(),
        ));
        for (i, t) in ts.iter().enumerate() {
            let id = format!("p-escdeny{i:04}");
            let content = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": t.needs[0].action, "Resource": "*"}]});
            summaries
                .push(json!({"Id": id, "Name": format!("deny-{}", t.id), "AwsManaged": false}));
            files.push((format!("organizations/describe-policy-{id}.json"), json!({"Policy": {"PolicySummary": {"Id": id, "Name": format!("deny-{}", t.id), "Type": "SERVICE_CONTROL_POLICY"}, "Content": content.to_string()}}).to_string()));
            files.push((
                format!("organizations/list-targets-for-policy-{id}.json"),
                json!({"Targets": [{"TargetId": account(i)}]}).to_string(),
            ));
        }
        files.push((
            "organizations/list-policies-scp.json".into(),
            json!({"Policies": summaries}).to_string(),
        ));
    }
    (common::load(files), subjects)
}

#[test]
fn every_claimed_technique_is_found_with_justified_steps() {
    let (snap, subjects) = snapshot(Block::None);
    assert!(snap.problems.is_empty(), "{:?}", snap.problems);
    let u = Universe::from_catalog();
    let mut ix = Indexer::new(&u);
    let claimed: Vec<&Technique> = techniques().iter().filter(|t| t.supported).collect();
    assert_eq!(claimed.len(), 65, "the catalog holds 65 techniques");
    let mut missing = Vec::new();
    for (id, arn) in &subjects {
        let from = snap.principal_index(arn).unwrap();
        let e = escalation(&snap, &mut ix, Some(from), "admin");
        let edge = e.edges.iter().find(|x| &x.technique == id);
        match edge {
            Some(edge) => {
                let t = claimed.iter().find(|t| &t.id == id).unwrap();
                assert_eq!(
                    edge.steps.len(),
                    t.needs.len(),
                    "{id}: one step per permission"
                );
                for s in &edge.steps {
                    assert_eq!(s.decision, "allow", "{id}: {} on {}", s.action, s.resource);
                    assert!(
                        s.granted_by.iter().any(|g| g.starts_with("identity")),
                        "{id}: {} is justified by the subject's statement: {:?}",
                        s.action,
                        s.granted_by
                    );
                }
                match t.to.as_str() {
                    "admin" => assert_eq!(edge.to, Target::Admin, "{id}"),
                    "group" => assert!(matches!(edge.to, Target::Group(_)), "{id}"),
                    _ => assert!(matches!(edge.to, Target::Principal(_)), "{id}"),
                }
                // Every target here is an administrator, so each edge is a path to admin.
                assert!(
                    e.paths
                        .iter()
                        .any(|p| p.edges.iter().any(|x| &x.technique == id))
                        || !e.paths.is_empty(),
                    "{id}: no path"
                );
            }
            None => missing.push(id.clone()),
        }
    }
    assert!(missing.is_empty(), "techniques not found: {missing:?}");
}

#[test]
fn a_boundary_or_an_scp_that_blocks_a_step_removes_the_edge() {
    for block in [Block::Boundary, Block::Scp] {
        let (snap, subjects) = snapshot(block);
        assert!(snap.problems.is_empty(), "{:?}", snap.problems);
        let u = Universe::from_catalog();
        let mut ix = Indexer::new(&u);
        for (id, arn) in &subjects {
            let from = snap.principal_index(arn).unwrap();
            let e = escalation(&snap, &mut ix, Some(from), "admin");
            assert!(
                !e.edges.iter().any(|x| &x.technique == id),
                "{id}: the edge survives a {} that denies its first permission",
                if block == Block::Scp {
                    "SCP"
                } else {
                    "boundary"
                }
            );
        }
    }
}

#[test]
fn the_example_snapshot_has_the_documented_paths() {
    let snap = common::example();
    let u = Universe::from_catalog();
    let mut ix = Indexer::new(&u);
    let e = escalation(&snap, &mut ix, None, "admin");
    let starts: Vec<&str> = e.paths.iter().map(|p| p.from.as_str()).collect();
    for who in [
        "user/deploy-bot",
        "user/helpdesk",
        "user/analyst",
        "role/ci-runner",
    ] {
        assert!(starts.iter().any(|s| s.ends_with(who)), "{who}: {starts:?}");
    }
    // The intern and the sandbox role hold the same permissions, but their boundary
    // denies iam:*.
    for who in ["user/intern", "role/sandbox"] {
        assert!(
            !starts.iter().any(|s| s.ends_with(who)),
            "{who} is blocked by its boundary"
        );
    }
    let to = escalation(
        &snap,
        &mut ix,
        Some(
            snap.principal_index("arn:aws:iam::444455556666:user/helpdesk")
                .unwrap(),
        ),
        "arn:aws:iam::444455556666:user/ops-admin",
    );
    assert_eq!(to.paths.len(), 1);
    assert_eq!(to.paths[0].edges[0].technique, "iam-002");
}

#[test]
fn writing_a_targets_policy_leads_to_admin_unless_its_boundary_limits_it() {
    for boundary in [false, true] {
        let acct = "311122223333";
        let doc = |stmts: Value| json!({"Version": "2012-10-17", "Statement": stmts});
        let mut plain = json!({
            "Path": "/", "RoleName": "plain", "RoleId": "AROAPLAIN0000001", "Arn": format!("arn:aws:iam::{acct}:role/plain"),
            "AssumeRolePolicyDocument": doc(json!([{"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{acct}:root")}, "Action": "sts:AssumeRole"}])),
            "RolePolicyList": [], "AttachedManagedPolicies": [], "Tags": [],
        });
        if boundary {
            plain["PermissionsBoundary"] = json!({"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": format!("arn:aws:iam::{acct}:policy/read-only")});
        }
        let gaad = json!({
            "UserDetailList": [{"Path": "/", "UserName": "dev", "UserId": "AIDADEV000000001", "Arn": format!("arn:aws:iam::{acct}:user/dev"), "GroupList": [], "AttachedManagedPolicies": [], "Tags": [],
                "UserPolicyList": [{"PolicyName": "p", "PolicyDocument": doc(json!([{"Effect": "Allow", "Action": ["iam:PutRolePolicy", "sts:AssumeRole"], "Resource": format!("arn:aws:iam::{acct}:role/plain")}]))}]}],
            "RoleDetailList": [plain],
            "GroupDetailList": [],
            "Policies": [{"PolicyName": "read-only", "Arn": format!("arn:aws:iam::{acct}:policy/read-only"), "DefaultVersionId": "v1",
                "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": true, "Document": doc(json!([{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}]))}]}],
        });
        let snap = common::load(vec![(
            format!("accounts/{acct}/authorization-details.json"),
            gaad.to_string(),
        )]);
        let u = Universe::from_catalog();
        let mut ix = Indexer::new(&u);
        let from = snap
            .principal_index(&format!("arn:aws:iam::{acct}:user/dev"))
            .unwrap();
        let e = escalation(&snap, &mut ix, Some(from), "admin");
        assert!(
            e.edges.iter().any(|x| x.technique == "iam-017"),
            "{:?}",
            e.edges.iter().map(|x| &x.technique).collect::<Vec<_>>()
        );
        assert_eq!(
            e.paths.len(),
            usize::from(!boundary),
            "boundary {boundary}: {:?}",
            e.paths
        );
    }
}
