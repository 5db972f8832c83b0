//! `aws iam get-account-authorization-details`, one file (or page) per account.
//! Inline documents are parsed as they arrive; managed-policy attachments, groups and
//! boundaries are resolved once every file is in, since pages may split them.

use super::{
    error_at, items, parse_doc, str_at, Group, ManagedPolicy, Principal, PrincipalKind, Snapshot,
};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use verdict_eval::NamedPolicy;
use verdict_policy::json::{self, Json, JsonKind};
use verdict_policy::{Diagnostic, Policy, PolicyType, SourceFile};

/// A managed policy as read: ARN, name, default version.
type Named = (String, String, Arc<Policy>);

struct Pending {
    principal: Principal,
    attached: Vec<(String, String)>,
    boundary: Option<String>,
    groups: Vec<String>,
}

struct PendingGroup {
    group: Group,
    attached: Vec<(String, String)>,
}

/// Collects authorization details across files.
#[derive(Default)]
pub(crate) struct IamReader {
    pending: Vec<Pending>,
    groups: Vec<PendingGroup>,
    /// Managed policies by ARN (AWS managed ones once for all accounts, shared by the
    /// files parsed in parallel).
    managed: RwLock<HashMap<String, (String, Arc<Policy>)>>,
}

/// What one authorization-details file holds, parsed (files parse in parallel and
/// merge in order).
pub(crate) struct AccountPart {
    account: String,
    policies: Vec<(String, String, Arc<Policy>)>,
    groups: Vec<PendingGroup>,
    pending: Vec<Pending>,
    notes: Vec<String>,
    pub(crate) errors: Vec<Diagnostic>,
}

fn tags(v: &Json) -> Vec<(String, String)> {
    items(v.get("Tags"))
        .iter()
        .filter_map(|t| {
            Some((
                str_at(t, "Key")?.to_string(),
                t.get("Value")?.as_str()?.to_string(),
            ))
        })
        .collect()
}

fn attachments(v: &Json) -> Vec<(String, String)> {
    items(v.get("AttachedManagedPolicies"))
        .iter()
        .filter_map(|a| {
            Some((
                str_at(a, "PolicyArn")?.to_string(),
                str_at(a, "PolicyName").unwrap_or("").to_string(),
            ))
        })
        .collect()
}

impl IamReader {
    /// Parse one file (no shared state is written but the AWS managed cache).
    pub(crate) fn parse(&self, src: &Arc<SourceFile>, account: &str) -> AccountPart {
        let mut part = AccountPart {
            account: account.to_string(),
            policies: Vec::new(),
            groups: Vec::new(),
            pending: Vec::new(),
            notes: Vec::new(),
            errors: Vec::new(),
        };
        let tree = match json::parse_with_limit(src, json::MAX_SNAPSHOT_FILE_BYTES) {
            Ok(t) => t,
            Err(d) => {
                part.errors.push(d);
                return part;
            }
        };
        let known = [
            "UserDetailList",
            "GroupDetailList",
            "RoleDetailList",
            "Policies",
        ];
        if !known.iter().any(|k| tree.get(k).is_some()) {
            part.errors.push(error_at(
                src,
                &tree,
                format!("{} is not `aws iam get-account-authorization-details` output: expected UserDetailList, GroupDetailList, RoleDetailList or Policies at the top", src.name()),
            ));
            return part;
        }
        if matches!(
            tree.get("IsTruncated").map(|v| &v.kind),
            Some(JsonKind::Bool(true))
        ) {
            part.notes.push(format!("{} is one truncated page (IsTruncated is true): add the other pages as authorization-details-<n>.json, or use the AWS CLI, which merges them", src.name()));
        }
        let errors = &mut part.errors;
        for p in items(tree.get("Policies")) {
            match self.managed_policy(p, src) {
                Ok(Some(named)) => part.policies.push(named),
                Ok(None) => {}
                Err(e) => errors.extend(e),
            }
        }
        for g in items(tree.get("GroupDetailList")) {
            let Some(arn) = str_at(g, "Arn") else {
                errors.push(error_at(src, g, "a group without \"Arn\""));
                continue;
            };
            let name = str_at(g, "GroupName").unwrap_or("").to_string();
            let who = format!("group {name}");
            let mut policies = Vec::new();
            inline(g, "GroupPolicyList", src, &who, &mut policies, errors);
            part.groups.push(PendingGroup {
                group: Group {
                    arn: arn.to_string(),
                    account: account.to_string(),
                    name,
                    policies,
                    attached: Vec::new(),
                    missing: Vec::new(),
                },
                attached: attachments(g),
            });
        }
        for (list, kind) in [
            ("UserDetailList", PrincipalKind::User),
            ("RoleDetailList", PrincipalKind::Role),
        ] {
            for e in items(tree.get(list)) {
                match self.principal(e, kind, account, src) {
                    Ok(p) => part.pending.push(p),
                    Err(d) => errors.extend(d),
                }
            }
        }
        part
    }

    /// Take in one parsed file.
    pub(crate) fn merge(&mut self, part: AccountPart, snap: &mut Snapshot) {
        snap.accounts.push(part.account.clone());
        snap.notes.extend(part.notes);
        snap.problems.extend(part.errors);
        let managed = self
            .managed
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for (arn, name, policy) in part.policies {
            if !arn.contains(":iam::aws:policy/") {
                snap.policies.push(ManagedPolicy {
                    arn: arn.clone(),
                    account: part.account.clone(),
                    policy: NamedPolicy::new(
                        Some(name.clone()),
                        Some(arn.clone()),
                        name.clone(),
                        Arc::clone(&policy),
                    ),
                });
            }
            managed.insert(arn, (name, policy));
        }
        self.groups.extend(part.groups);
        self.pending.extend(part.pending);
    }

    fn managed_policy(
        &self,
        p: &Json,
        src: &Arc<SourceFile>,
    ) -> Result<Option<Named>, Vec<Diagnostic>> {
        let Some(arn) = str_at(p, "Arn") else {
            return Err(vec![error_at(src, p, "a managed policy without \"Arn\"")]);
        };
        let name = str_at(p, "PolicyName").unwrap_or(arn).to_string();
        let aws = arn.contains(":iam::aws:policy/");
        if aws && self.known(arn) {
            return Ok(None);
        }
        let default = str_at(p, "DefaultVersionId");
        let versions = items(p.get("PolicyVersionList"));
        let v = versions
            .iter()
            .find(|v| {
                matches!(
                    v.get("IsDefaultVersion").map(|b| &b.kind),
                    Some(JsonKind::Bool(true))
                )
            })
            .or_else(|| {
                versions
                    .iter()
                    .find(|v| default.is_some() && str_at(v, "VersionId") == default)
            });
        let Some(doc) = v.and_then(|v| v.get("Document")) else {
            return Err(vec![error_at(src, p, format!("managed policy {arn} has no default version with a \"Document\" in PolicyVersionList"))]);
        };
        let policy = Arc::new(parse_doc(doc, src, PolicyType::Identity)?);
        if aws {
            // Shared by every account: the first file to parse it keeps it.
            if let Ok(mut m) = self.managed.write() {
                m.entry(arn.to_string())
                    .or_insert_with(|| (name.clone(), Arc::clone(&policy)));
            }
        }
        Ok(Some((arn.to_string(), name, policy)))
    }

    fn principal(
        &self,
        e: &Json,
        kind: PrincipalKind,
        account: &str,
        src: &Arc<SourceFile>,
    ) -> Result<Pending, Vec<Diagnostic>> {
        let name_key = match kind {
            PrincipalKind::User => "UserName",
            PrincipalKind::Role => "RoleName",
        };
        let (Some(arn), Some(name)) = (str_at(e, "Arn"), str_at(e, name_key)) else {
            return Err(vec![error_at(
                src,
                e,
                format!("a {} without \"Arn\" or \"{name_key}\"", kind.as_str()),
            )]);
        };
        if arn.split(':').nth(4) != Some(account) {
            return Err(vec![error_at(
                src,
                e,
                format!("{arn} is filed under accounts/{account}/ but belongs to another account"),
            )]);
        }
        let path = str_at(e, "Path").unwrap_or("/").to_string();
        let who = format!("{} {}{}", kind.as_str(), path.trim_start_matches('/'), name);
        let mut errors = Vec::new();
        let mut identity = Vec::new();
        let list = match kind {
            PrincipalKind::User => "UserPolicyList",
            PrincipalKind::Role => "RolePolicyList",
        };
        inline(e, list, src, &who, &mut identity, &mut errors);
        let trust = match (kind, e.get("AssumeRolePolicyDocument")) {
            (PrincipalKind::Role, Some(doc)) => match parse_doc(doc, src, PolicyType::Trust) {
                Ok(p) => Some(NamedPolicy::new(
                    None,
                    Some(arn.to_string()),
                    format!("trust policy of {who}"),
                    p,
                )),
                Err(d) => {
                    errors.extend(d);
                    None
                }
            },
            _ => None,
        };
        let boundary = e
            .get("PermissionsBoundary")
            .and_then(|b| str_at(b, "PermissionsBoundaryArn"))
            .map(str::to_string);
        let groups = items(e.get("GroupList"))
            .iter()
            .filter_map(Json::as_str)
            .map(str::to_string)
            .collect();
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Pending {
            principal: Principal {
                kind,
                arn: arn.to_string(),
                account: account.to_string(),
                name: name.to_string(),
                service_linked: path.starts_with("/aws-service-role/"),
                path,
                unique_id: str_at(
                    e,
                    if kind == PrincipalKind::User {
                        "UserId"
                    } else {
                        "RoleId"
                    },
                )
                .map(str::to_string),
                identity,
                boundary: None,
                tags: tags(e),
                trust,
                attached: Vec::new(),
                groups: Vec::new(),
                incomplete: Vec::new(),
            },
            attached: attachments(e),
            boundary,
            groups,
        })
    }

    fn known(&self, arn: &str) -> bool {
        self.managed.read().is_ok_and(|m| m.contains_key(arn))
    }

    /// A managed policy by ARN: from the snapshot, else (AWS managed) from the bundled
    /// corpus. `None` with a note when neither has it.
    fn resolve(&mut self, arn: &str, name: &str) -> Option<NamedPolicy> {
        let managed = self
            .managed
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((n, p)) = managed.get(arn) {
            return Some(NamedPolicy::new(
                Some(n.clone()),
                Some(arn.to_string()),
                n.clone(),
                Arc::clone(p),
            ));
        }
        if arn.contains(":iam::aws:policy/") {
            let (n, doc) = verdict_catalog::managed::aws_managed_policy(arn)?;
            let src = SourceFile::new(format!("<bundled {arn}>"), doc);
            let p = Arc::new(
                verdict_policy::parse_policy(
                    &src,
                    verdict_policy::ParseOptions::new(PolicyType::Identity),
                )
                .ok()?,
            );
            managed.insert(arn.to_string(), (n.clone(), Arc::clone(&p)));
            let label = if name.is_empty() {
                n.clone()
            } else {
                name.to_string()
            };
            return Some(NamedPolicy::new(Some(n), Some(arn.to_string()), label, p));
        }
        None
    }

    pub(crate) fn finish(&mut self, snap: &mut Snapshot) {
        let mut missing_notes: Vec<String> = Vec::new();
        let mut groups: Vec<Group> = Vec::new();
        for pg in std::mem::take(&mut self.groups) {
            let mut g = pg.group;
            for (arn, name) in &pg.attached {
                match self.resolve(arn, name) {
                    Some(p) => g.policies.push(p),
                    None => {
                        g.missing.push(arn.clone());
                        missing_notes.push(format!("group {} ({}) has {arn} attached, which is not in the snapshot: its members' answers are incomplete", g.name, g.account));
                    }
                }
                g.attached.push(arn.clone());
            }
            groups.push(g);
        }
        let group_index: HashMap<(String, String), usize> = groups
            .iter()
            .enumerate()
            .map(|(i, g)| ((g.account.clone(), g.name.clone()), i))
            .collect();
        let mut principals = Vec::with_capacity(self.pending.len());
        for pend in std::mem::take(&mut self.pending) {
            let mut p = pend.principal;
            for (arn, name) in &pend.attached {
                match self.resolve(arn, name) {
                    Some(np) => p.identity.push(np),
                    None => {
                        p.incomplete
                            .push(format!("{arn} is attached but not in the snapshot"));
                        missing_notes.push(format!("{} has {arn} attached, which is not in the snapshot: its answers are incomplete", p.arn));
                    }
                }
                p.attached.push(arn.clone());
            }
            for gname in &pend.groups {
                match group_index.get(&(p.account.clone(), gname.clone())) {
                    Some(&gi) => {
                        if let Some(g) = groups.get(gi) {
                            p.identity.extend(g.policies.iter().cloned());
                            for m in &g.missing {
                                p.incomplete.push(format!(
                                    "{m} (attached to group {gname}) is not in the snapshot"
                                ));
                            }
                        }
                        p.groups.push(gi);
                    }
                    None => {
                        p.incomplete
                            .push(format!("group {gname} is not in the snapshot"));
                        missing_notes.push(format!("{} is in group {gname}, which is not in the snapshot: its answers are incomplete", p.arn));
                    }
                }
            }
            if let Some(b) = &pend.boundary {
                match self.resolve(b, "") {
                    Some(np) => {
                        let label = format!("{} (permissions boundary)", np.label);
                        p.boundary = Some(NamedPolicy::new(np.name, np.arn, label, np.policy));
                    }
                    None => {
                        // Fail closed: a boundary we cannot read allows nothing.
                        missing_notes.push(format!("{} has permissions boundary {b}, which is not in the snapshot: it was taken to allow nothing (fail closed)", p.arn));
                        let src = SourceFile::new(format!("<missing {b}>"), r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}"#.to_string());
                        if let Ok(pol) = verdict_policy::parse_policy(
                            &src,
                            verdict_policy::ParseOptions::new(PolicyType::Boundary),
                        ) {
                            p.boundary = Some(NamedPolicy::new(
                                None,
                                Some(b.clone()),
                                format!("{b} (missing: denies all)"),
                                pol,
                            ));
                        }
                    }
                }
            }
            principals.push(p);
        }
        if missing_notes.len() > 20 {
            let n = missing_notes.len() - 20;
            missing_notes.truncate(20);
            missing_notes.push(format!("… and {n} more missing attachments"));
        }
        snap.notes.extend(missing_notes);
        snap.principals = principals;
        snap.groups = groups;
    }
}

fn inline(
    e: &Json,
    list: &str,
    src: &Arc<SourceFile>,
    who: &str,
    out: &mut Vec<NamedPolicy>,
    errors: &mut Vec<Diagnostic>,
) {
    for ip in items(e.get(list)) {
        let name = str_at(ip, "PolicyName").unwrap_or("inline").to_string();
        let Some(doc) = ip.get("PolicyDocument") else {
            errors.push(error_at(
                src,
                ip,
                format!("inline policy {name} of {who} has no \"PolicyDocument\""),
            ));
            continue;
        };
        match parse_doc(doc, src, PolicyType::Identity) {
            Ok(p) => out.push(NamedPolicy::new(
                Some(name.clone()),
                None,
                format!("{name} (inline, {who})"),
                p,
            )),
            Err(d) => errors.extend(d),
        }
    }
}
