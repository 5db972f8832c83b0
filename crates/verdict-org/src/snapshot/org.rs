//! `organizations/`: the tree (roots, OUs, accounts), SCPs and RCPs with their targets,
//! turned into the levels that bind each account (root first, account last).

use super::{error_at, items, str_at, Snapshot};
use std::collections::HashMap;
use std::sync::Arc;
use verdict_eval::NamedPolicy;
use verdict_policy::json::{self, JsonKind};
use verdict_policy::{Diagnostic, ParseOptions, Policy, PolicyType, SourceFile};

/// The SCP and RCP levels that bind one account.
#[derive(Clone, Debug, Default)]
pub struct OrgLevels {
    /// Level names, root first (`root r-ab12`, `OU ou-… (Name)`, `account 1111…`).
    pub names: Vec<String>,
    /// SCPs per level; `None` when SCPs are not in use.
    pub scps: Option<Vec<Vec<NamedPolicy>>>,
    /// RCPs per level; `None` when RCPs are not in use.
    pub rcps: Option<Vec<Vec<NamedPolicy>>>,
    /// `aws:PrincipalOrgPaths` / `aws:ResourceOrgPaths` value (`o-…/r-…/ou-…/`).
    pub org_path: Option<String>,
    /// The account is in the organization's tree.
    pub member: bool,
}

/// The organization.
#[derive(Clone, Debug, Default)]
pub struct Org {
    /// Organization id.
    pub id: Option<String>,
    /// Management account.
    pub management: Option<String>,
    accounts: HashMap<String, OrgLevels>,
    outside: OrgLevels,
}

impl Org {
    /// The levels of `account`; an account not in the tree gets the fail-closed levels
    /// (one level that denies everything, said in the notes).
    pub fn levels_for(&self, account: &str) -> &OrgLevels {
        self.accounts.get(account).unwrap_or(&self.outside)
    }

    /// Give accounts outside what was described (`name`) one level that denies
    /// everything, and return those of `accounts` it applies to (the management
    /// account, bound by no SCP, excepted).
    fn fail_closed_outside(&mut self, name: &str, accounts: &[String]) -> Vec<String> {
        self.outside = OrgLevels {
            names: vec![name.to_string()],
            scps: builtin(DENY_ALL, PolicyType::Scp, "deny-all").map(|p| {
                vec![vec![NamedPolicy::new(
                    None,
                    None,
                    format!("account {name} (fail closed)"),
                    p,
                )]]
            }),
            rcps: None,
            org_path: None,
            member: false,
        };
        accounts
            .iter()
            .filter(|a| {
                !self.accounts.contains_key(*a) && self.management.as_deref() != Some(a.as_str())
            })
            .cloned()
            .collect()
    }

    /// Accounts in the tree.
    pub fn member_accounts(&self) -> impl Iterator<Item = &str> {
        self.accounts.keys().map(String::as_str)
    }
}

#[derive(Clone)]
struct Node {
    id: String,
    name: String,
    parent: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Scp,
    Rcp,
}

#[derive(Default)]
pub(crate) struct OrgReader {
    any: bool,
    org_id: Option<String>,
    management: Option<String>,
    roots: Vec<Node>,
    /// Policy types the root reports (`list-roots` `PolicyTypes`), with their status.
    root_types: Option<Vec<(String, String)>>,
    ous: Vec<Node>,
    accounts: Vec<Node>,
    listed: HashMap<Kind, Vec<(String, String, bool)>>,
    contents: HashMap<String, (String, Arc<Policy>, Kind)>,
    targets: HashMap<String, Vec<String>>,
    errors_for: HashMap<String, String>,
    /// Every file's text, for the bottom-up fallback.
    texts: Vec<(String, String)>,
    /// Some file is a bottom-up output (`list-parents`, `list-policies-for-target`).
    bottom_up: bool,
}

const FULL_AWS_ACCESS: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
const RCP_FULL_AWS_ACCESS: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#;
const DENY_ALL: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}"#;
const RCP_DENY_ALL: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}"#;

fn builtin(text: &str, ty: PolicyType, name: &str) -> Option<Arc<Policy>> {
    let src = SourceFile::new(format!("<{name}>"), text.to_string());
    verdict_policy::parse_policy(&src, ParseOptions::new(ty))
        .ok()
        .map(Arc::new)
}

impl OrgReader {
    /// The organization from bottom-up outputs (`list-parents` chains and
    /// `list-policies-for-target` per level, as `verdict explain --org` reads them): the
    /// path and levels of the accounts the files describe.
    fn bottom_up_org(&mut self, snap: &mut Snapshot) -> Org {
        use verdict_explain::snapshot::{OrgDir, OrgSnapshot, TextInput};
        let dir = OrgDir {
            name: "organizations".into(),
            files: std::mem::take(&mut self.texts)
                .into_iter()
                .map(|(n, t)| TextInput::new(n, t))
                .collect(),
        };
        let mut org = Org::default();
        let os = match OrgSnapshot::load(std::slice::from_ref(&dir)) {
            Ok(os) => os,
            Err(d) => {
                snap.problems.extend(d);
                return org;
            }
        };
        snap.notes.push("organizations/ holds bottom-up outputs (list-parents, list-policies-for-target): the SCP and RCP levels were rebuilt from them, for the accounts they describe".into());
        snap.notes.extend(os.notes.iter().cloned());
        org.id = os.org_id().map(str::to_string);
        org.management = os.management_account().map(str::to_string);
        for a in snap.accounts.clone() {
            match os.facts_for(&a, 0) {
                Ok(Some(f)) => {
                    snap.notes
                        .extend(f.notes.iter().map(|n| format!("account {a}: {n}")));
                    let strip = |v: Option<
                        Vec<Vec<(NamedPolicy, verdict_explain::origin::PolicyOrigin)>>,
                    >| {
                        v.map(|levels| {
                            levels
                                .into_iter()
                                .map(|l| l.into_iter().map(|(p, _)| p).collect())
                                .collect()
                        })
                    };
                    org.accounts.insert(
                        a.clone(),
                        OrgLevels {
                            names: f.levels,
                            scps: strip(f.scps),
                            rcps: strip(f.rcps),
                            org_path: f.org_path,
                            member: true,
                        },
                    );
                }
                Ok(None) => {}
                Err(d) => snap.problems.extend(d),
            }
        }
        if org.accounts.len() > 1 {
            snap.notes.push("bottom-up outputs describe one account's path: the same levels were applied to every account of the snapshot; give the top-down outputs (list-roots, list-organizational-units-for-parent, list-accounts-for-parent) for an organization of several accounts".into());
        }
        for a in org.fail_closed_outside("not described by organizations/", &snap.accounts) {
            snap.notes.push(format!("account {a} is not described by the bottom-up outputs in organizations/: its SCPs are unknown, so its principals were taken to be denied everything (fail closed)"));
        }
        org
    }

    pub(crate) fn add(&mut self, src: &Arc<SourceFile>, file: &str) -> Result<(), Vec<Diagnostic>> {
        let tree = json::parse(src).map_err(|d| vec![d])?;
        let stem = file.strip_suffix(".json").unwrap_or(file);
        self.any = true;
        let node = |v: &verdict_policy::json::Json, parent: Option<&str>| -> Option<Node> {
            Some(Node {
                id: str_at(v, "Id")?.to_string(),
                name: str_at(v, "Name").unwrap_or("").to_string(),
                parent: parent.map(str::to_string),
            })
        };
        self.texts
            .push((format!("organizations/{file}"), src.text().to_string()));
        // The bottom-up outputs (`list-parents`, `list-policies-for-target`), as
        // `verdict explain --org` reads them: kept for the fallback in `finish`.
        let policies_for_target = tree.get("Policies").is_some()
            && !matches!(stem, "list-policies-scp" | "list-policies-rcp")
            && (stem.contains("for-target")
                || items(tree.get("Policies"))
                    .iter()
                    .all(|p| p.get("Type").is_none()));
        if tree.get("Parents").is_some() || policies_for_target {
            self.bottom_up = true;
            return Ok(());
        }
        let stem = if tree
            .get("Policy")
            .is_some_and(|p| p.get("Content").is_some())
            && !stem.starts_with("describe-policy-")
        {
            "describe-policy-"
        } else if tree.get("Organization").is_some() {
            "describe-organization"
        } else if tree.get("Roots").is_some() {
            "list-roots"
        } else if let (Some(ps), false) = (tree.get("Policies"), stem.starts_with("list-policies-"))
        {
            // `list-policies` under another name: the summaries say which type.
            match items(Some(ps)).first().and_then(|p| str_at(p, "Type")) {
                Some("RESOURCE_CONTROL_POLICY") => "list-policies-rcp",
                _ => "list-policies-scp",
            }
        } else {
            stem
        };
        if stem == "describe-organization" {
            let o = tree.get("Organization").ok_or_else(|| vec![error_at(src, &tree, format!("{file}: expected {{\"Organization\": …}} (aws organizations describe-organization)"))])?;
            self.org_id = str_at(o, "Id").map(str::to_string);
            self.management = str_at(o, "MasterAccountId")
                .or_else(|| str_at(o, "ManagementAccountId"))
                .map(str::to_string);
        } else if stem == "list-roots" {
            let roots = tree.get("Roots").ok_or_else(|| {
                vec![error_at(
                    src,
                    &tree,
                    format!("{file}: expected {{\"Roots\": […]}} (aws organizations list-roots)"),
                )]
            })?;
            self.roots
                .extend(items(Some(roots)).iter().filter_map(|r| node(r, None)));
            for r in items(Some(roots)) {
                if let Some(pt) = r.get("PolicyTypes") {
                    let types = self.root_types.get_or_insert_with(Vec::new);
                    for t in items(Some(pt)) {
                        if let (Some(ty), Some(st)) = (str_at(t, "Type"), str_at(t, "Status")) {
                            types.push((ty.to_string(), st.to_string()));
                        }
                    }
                }
            }
        } else if let Some(parent) = stem.strip_prefix("list-organizational-units-for-parent-") {
            let ous = tree.get("OrganizationalUnits").ok_or_else(|| {
                vec![error_at(
                    src,
                    &tree,
                    format!("{file}: expected {{\"OrganizationalUnits\": […]}}"),
                )]
            })?;
            self.ous.extend(
                items(Some(ous))
                    .iter()
                    .filter_map(|r| node(r, Some(parent))),
            );
        } else if let Some(parent) = stem.strip_prefix("list-accounts-for-parent-") {
            let acc = tree.get("Accounts").ok_or_else(|| {
                vec![error_at(
                    src,
                    &tree,
                    format!("{file}: expected {{\"Accounts\": […]}}"),
                )]
            })?;
            self.accounts.extend(
                items(Some(acc))
                    .iter()
                    .filter_map(|r| node(r, Some(parent))),
            );
        } else if stem == "list-policies-scp" || stem == "list-policies-rcp" {
            let kind = if stem.ends_with("scp") {
                Kind::Scp
            } else {
                Kind::Rcp
            };
            let ps = tree.get("Policies").ok_or_else(|| vec![error_at(src, &tree, format!("{file}: expected {{\"Policies\": […]}} (aws organizations list-policies --filter …)"))])?;
            let list = self.listed.entry(kind).or_default();
            for p in items(Some(ps)) {
                if let Some(id) = str_at(p, "Id") {
                    let aws = matches!(
                        p.get("AwsManaged").map(|b| &b.kind),
                        Some(JsonKind::Bool(true))
                    );
                    list.push((
                        id.to_string(),
                        str_at(p, "Name").unwrap_or(id).to_string(),
                        aws,
                    ));
                }
            }
        } else if stem.starts_with("describe-policy-") {
            let p = tree.get("Policy").ok_or_else(|| vec![error_at(src, &tree, format!("{file}: expected {{\"Policy\": {{\"PolicySummary\", \"Content\"}}}} (aws organizations describe-policy)"))])?;
            let summary = p.get("PolicySummary");
            let id = summary
                .and_then(|s| str_at(s, "Id"))
                .map(str::to_string)
                .unwrap_or_else(|| stem.trim_start_matches("describe-policy-").to_string());
            let name = summary
                .and_then(|s| str_at(s, "Name"))
                .unwrap_or(&id)
                .to_string();
            let kind = match summary.and_then(|s| str_at(s, "Type")) {
                Some("RESOURCE_CONTROL_POLICY") => Kind::Rcp,
                Some("SERVICE_CONTROL_POLICY") | None => Kind::Scp,
                Some(other) => {
                    return Err(vec![error_at(src, p, format!("{file}: policy {id} is a {other}, which does not decide authorization; only SCPs and RCPs are read"))]);
                }
            };
            let Some(content) = p.get("Content") else {
                return Err(vec![error_at(
                    src,
                    p,
                    format!("{file}: policy {id} has no \"Content\""),
                )]);
            };
            let ty = if kind == Kind::Scp {
                PolicyType::Scp
            } else {
                PolicyType::Rcp
            };
            match verdict_policy::parse_policy_json(content, src, ParseOptions::new(ty)) {
                Ok(pol) => {
                    self.contents.insert(id, (name, Arc::new(pol), kind));
                }
                Err(d) => {
                    self.errors_for.insert(id, file.to_string());
                    return Err(d);
                }
            }
        } else if let Some(id) = stem.strip_prefix("list-targets-for-policy-") {
            let t = tree.get("Targets").ok_or_else(|| vec![error_at(src, &tree, format!("{file}: expected {{\"Targets\": […]}} (aws organizations list-targets-for-policy)"))])?;
            let ids = items(Some(t))
                .iter()
                .filter_map(|x| str_at(x, "TargetId").map(str::to_string));
            self.targets.entry(id.to_string()).or_default().extend(ids);
        } else {
            return Err(vec![error_at(src, &tree, format!("organizations/{file} was not read: expected describe-organization.json, list-roots.json, list-organizational-units-for-parent-<id>.json, list-accounts-for-parent-<id>.json, list-policies-scp.json, list-policies-rcp.json, describe-policy-<id>.json or list-targets-for-policy-<id>.json (docs/snapshot.md)"))]);
        }
        Ok(())
    }

    fn policies_at(&self, kind: Kind, target: &str, notes: &mut Vec<String>) -> Vec<NamedPolicy> {
        let mut out = Vec::new();
        let Some(listed) = self.listed.get(&kind) else {
            return out;
        };
        for (id, name, aws) in listed {
            let attached = self
                .targets
                .get(id)
                .is_some_and(|t| t.iter().any(|x| x == target));
            if !attached {
                continue;
            }
            let (ty, label) = match kind {
                Kind::Scp => (PolicyType::Scp, "SCP"),
                Kind::Rcp => (PolicyType::Rcp, "RCP"),
            };
            match self.contents.get(id) {
                Some((n, p, _)) => out.push(NamedPolicy::new(
                    Some(n.clone()),
                    Some(id.clone()),
                    format!("{label} {n} ({id})"),
                    Arc::clone(p),
                )),
                None => {
                    let (text, why) = if *aws
                        && (id == "p-FullAWSAccess"
                            || name == "FullAWSAccess"
                            || name == "RCPFullAWSAccess")
                    {
                        (
                            if kind == Kind::Scp {
                                FULL_AWS_ACCESS
                            } else {
                                RCP_FULL_AWS_ACCESS
                            },
                            "the AWS managed policy, known",
                        )
                    } else {
                        notes.push(format!("{label} {name} ({id}) is attached to {target} but its content is not in the snapshot ({}): it was taken to deny everything (fail closed)", self.errors_for.get(id).map(|f| format!("{f} did not parse")).unwrap_or_else(|| format!("add describe-policy-{id}.json"))));
                        (
                            if kind == Kind::Scp {
                                DENY_ALL
                            } else {
                                RCP_DENY_ALL
                            },
                            "missing: denies all",
                        )
                    };
                    if let Some(p) = builtin(text, ty, name) {
                        out.push(NamedPolicy::new(
                            Some(name.clone()),
                            Some(id.clone()),
                            format!("{label} {name} ({id}, {why})"),
                            p,
                        ));
                    }
                }
            }
        }
        out
    }

    pub(crate) fn finish(&mut self, snap: &mut Snapshot) -> Option<Org> {
        if !self.any {
            return None;
        }
        if self.roots.is_empty() && self.bottom_up {
            return Some(self.bottom_up_org(snap));
        }
        let mut notes = Vec::new();
        if self.roots.is_empty() {
            notes.push("organizations/ has no list-roots.json: the tree cannot be rebuilt, so every account was taken to be outside it (fail closed)".to_string());
        }
        // Whether a policy type is in force: the root says so when list-roots reports its
        // policy types (a listed policy of a type that is not enabled does not apply);
        // otherwise, the policies having been listed.
        let enabled = |ty: &str, kind: Kind| match &self.root_types {
            Some(types) => types.iter().any(|(t, s)| t == ty && s == "ENABLED"),
            None => self.listed.contains_key(&kind),
        };
        let scp_on = enabled("SERVICE_CONTROL_POLICY", Kind::Scp);
        let rcp_on = enabled("RESOURCE_CONTROL_POLICY", Kind::Rcp);
        if scp_on && !self.listed.contains_key(&Kind::Scp) {
            notes.push("SCPs are enabled on the root but organizations/ has no list-policies-scp.json: every level was taken to allow nothing (fail closed)".to_string());
        }
        if rcp_on && !self.listed.contains_key(&Kind::Rcp) {
            notes.push("RCPs are enabled on the root but organizations/ has no list-policies-rcp.json: every level was taken to deny everything (fail closed)".to_string());
        }
        if !scp_on {
            notes.push(
                "SCPs are not enabled on the root (or organizations/ has no list-policies-scp.json): SCPs were not applied".to_string(),
            );
        }
        let mut parents: HashMap<String, Node> = HashMap::new();
        for n in self.roots.iter().chain(self.ous.iter()) {
            parents.insert(n.id.clone(), n.clone());
        }
        let mut org = Org {
            id: self.org_id.clone(),
            management: self.management.clone(),
            ..Default::default()
        };
        for acct in &self.accounts {
            let mut chain = vec![acct.clone()];
            let mut cur = acct.parent.clone();
            let mut broken = false;
            while let Some(pid) = cur {
                match parents.get(&pid) {
                    Some(n) => {
                        chain.push(n.clone());
                        cur = n.parent.clone();
                    }
                    None => {
                        notes.push(format!("account {} is listed under {pid}, which is not in the tree (add list-organizational-units-for-parent-<id>.json for its parent): its levels above {pid} are missing, so it was given a level that denies everything (fail closed)", acct.id));
                        broken = true;
                        break;
                    }
                }
                if chain.len() > 10 {
                    notes.push(format!("the tree above account {} has a cycle", acct.id));
                    broken = true;
                    break;
                }
            }
            chain.reverse();
            let mut levels = OrgLevels {
                member: true,
                ..Default::default()
            };
            let mut scps = Vec::new();
            let mut rcps = Vec::new();
            let mut path = self.org_id.clone().map(|o| format!("{o}/"));
            for (i, n) in chain.iter().enumerate() {
                let last = i + 1 == chain.len();
                levels.names.push(if n.id.starts_with("r-") {
                    format!("root {}", n.id)
                } else if last {
                    format!("account {}", n.id)
                } else {
                    format!("OU {} ({})", n.id, n.name)
                });
                if !last {
                    if let Some(p) = path.as_mut() {
                        p.push_str(&n.id);
                        p.push('/');
                    }
                }
                scps.push(self.policies_at(Kind::Scp, &n.id, &mut notes));
                rcps.push(self.policies_at(Kind::Rcp, &n.id, &mut notes));
            }
            if broken {
                if let Some(p) = builtin(DENY_ALL, PolicyType::Scp, "deny-all") {
                    scps.push(vec![NamedPolicy::new(
                        None,
                        None,
                        "missing org levels (fail closed)".into(),
                        p,
                    )]);
                }
                levels.names.push("missing levels".into());
            }
            levels.org_path = path;
            levels.scps = scp_on.then_some(scps);
            levels.rcps = rcp_on.then_some(rcps);
            org.accounts.insert(acct.id.clone(), levels);
        }
        // Accounts with authorization details but not in the tree.
        for a in org.fail_closed_outside("not in the organization's tree", &snap.accounts) {
            notes.push(format!("account {a} has authorization details but is not in the organization's tree: its SCPs are unknown, so its principals were taken to be denied everything (fail closed)"));
        }
        snap.notes.extend(notes);
        Some(org)
    }
}
