//! AWS Organizations outputs: `describe-organization`, `list-parents`,
//! `list-policies-for-target` and `describe-policy`, recognised by their shape.
//!
//! The CLI outputs do not say which child or target they were asked about. Verdict
//! rebuilds the path root → OUs → account from the parent chain (a `list-parents`
//! answer whose parent is the root ends it) and uses ids or the words `root`,
//! `account`, `parent` and `child` in file names only to label levels. The decision
//! does not depend on which OU a level is: every level must allow, any level may deny.

use super::{input_error, items, parse_doc, str_at, TextInput};
use crate::origin::{PolicyKind, PolicyOrigin};
use regex::Regex;
use std::sync::{Arc, OnceLock};
use verdict_eval::NamedPolicy;
use verdict_policy::json::{self, Json};
use verdict_policy::{Diagnostic, PolicyType, SourceFile};

/// One `--org DIR`: its files.
#[derive(Clone, Debug)]
pub struct OrgDir {
    /// The directory.
    pub name: String,
    /// Its JSON files.
    pub files: Vec<TextInput>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Hint {
    Id(String),
    Root,
    Account,
}

#[derive(Clone, Debug)]
struct ParentsFile {
    file: String,
    child: Option<Hint>,
    parent: String,
    parent_is_root: bool,
    rank: u8,
}

struct TargetFile {
    file: String,
    hint: Option<Hint>,
    rank: u8,
    ty: PolicyType,
    summaries: Vec<Summary>,
}

#[derive(Clone, Debug)]
struct Summary {
    id: String,
    arn: Option<String>,
    name: String,
    aws_managed: bool,
}

struct Described {
    id: String,
    arn: Option<String>,
    src: Arc<SourceFile>,
    content: Json,
}

/// The SCP and RCP levels and the path of one account.
#[derive(Clone, Default)]
pub struct OrgFacts {
    /// Organization id.
    pub org_id: Option<String>,
    /// Management account.
    pub management_account: Option<String>,
    /// Level names, root first, account last (`root r-ab12`, `OU ou-…`, `account 1111…`).
    pub levels: Vec<String>,
    /// `aws:PrincipalOrgPaths`/`aws:ResourceOrgPaths` value (`o-…/r-…/ou-…/`).
    pub org_path: Option<String>,
    /// SCPs per level, root first.
    pub scps: Option<Vec<Vec<(NamedPolicy, PolicyOrigin)>>>,
    /// RCPs per level, root first.
    pub rcps: Option<Vec<Vec<(NamedPolicy, PolicyOrigin)>>>,
    /// Remarks (inferred order, missing contents, …).
    pub notes: Vec<String>,
}

struct DirData {
    name: String,
    account_hint: Option<String>,
    parents: Vec<ParentsFile>,
    targets: Vec<TargetFile>,
    root_id: Option<String>,
}

/// Every `--org DIR` given.
pub struct OrgSnapshot {
    org_id: Option<String>,
    management_account: Option<String>,
    dirs: Vec<DirData>,
    described: Vec<Described>,
    /// Remarks about the snapshot.
    pub notes: Vec<String>,
}

fn account_re() -> Option<&'static Regex> {
    static R: OnceLock<Option<Regex>> = OnceLock::new();
    R.get_or_init(|| Regex::new(r"(?:^|[^0-9])([0-9]{12})(?:[^0-9]|$)").ok())
        .as_ref()
}

fn ou_re() -> Option<&'static Regex> {
    static R: OnceLock<Option<Regex>> = OnceLock::new();
    R.get_or_init(|| Regex::new(r"ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}").ok())
        .as_ref()
}

fn root_re() -> Option<&'static Regex> {
    static R: OnceLock<Option<Regex>> = OnceLock::new();
    R.get_or_init(|| Regex::new(r"(?:^|[^a-z0-9])(r-[0-9a-z]{4,32})(?:[^a-z0-9]|$)").ok())
        .as_ref()
}

fn stem(path: &str) -> String {
    let base = path.rsplit(['/', '\\']).next().unwrap_or(path);
    base.strip_suffix(".json")
        .unwrap_or(base)
        .to_ascii_lowercase()
}

fn hint_from(stem: &str, tree: &Json, field: &str) -> Option<Hint> {
    if let Some(id) = str_at(tree, field) {
        return Some(hint_for_id(id));
    }
    if let Some(c) = ou_re().and_then(|r| r.find(stem)) {
        return Some(Hint::Id(c.as_str().to_string()));
    }
    if let Some(c) = account_re()
        .and_then(|r| r.captures(stem))
        .and_then(|c| c.get(1))
    {
        return Some(Hint::Id(c.as_str().to_string()));
    }
    if let Some(c) = root_re()
        .and_then(|r| r.captures(stem))
        .and_then(|c| c.get(1))
    {
        return Some(Hint::Id(c.as_str().to_string()));
    }
    if stem
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|w| w == "root")
    {
        return Some(Hint::Root);
    }
    if stem
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|w| w == "account")
    {
        return Some(Hint::Account);
    }
    None
}

fn hint_for_id(id: &str) -> Hint {
    if id.starts_with("r-") {
        Hint::Root
    } else {
        Hint::Id(id.to_string())
    }
}

/// Order hint for OUs whose id is unknown: `parent` above `child`.
fn rank(stem: &str) -> u8 {
    if stem.contains("parent") {
        0
    } else if stem.contains("child") {
        2
    } else {
        1
    }
}

const FULL_AWS_ACCESS: &str = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Action\": \"*\",\n      \"Resource\": \"*\"\n    }\n  ]\n}";
const RCP_FULL_AWS_ACCESS: &str = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Principal\": \"*\",\n      \"Action\": \"*\",\n      \"Resource\": \"*\"\n    }\n  ]\n}";

impl OrgSnapshot {
    /// Read and classify every file of every directory.
    pub fn load(dirs: &[OrgDir]) -> Result<OrgSnapshot, Vec<Diagnostic>> {
        let mut snap = OrgSnapshot {
            org_id: None,
            management_account: None,
            dirs: Vec::new(),
            described: Vec::new(),
            notes: Vec::new(),
        };
        for d in dirs {
            let mut data = DirData {
                name: d.name.clone(),
                account_hint: None,
                parents: Vec::new(),
                targets: Vec::new(),
                root_id: None,
            };
            let dir_stem = stem(&d.name);
            if let Some(c) = account_re()
                .and_then(|r| r.captures(&dir_stem))
                .and_then(|c| c.get(1))
            {
                data.account_hint = Some(c.as_str().to_string());
            }
            let mut recognised = 0;
            let mut skipped: Vec<String> = Vec::new();
            for f in &d.files {
                let src = SourceFile::new(f.name.clone(), f.text.clone());
                let tree = match json::parse(&src) {
                    Ok(t) => t,
                    Err(e) => {
                        snap.notes.push(format!(
                            "{} is not JSON and was skipped: {}",
                            f.name, e.message
                        ));
                        continue;
                    }
                };
                let st = stem(&f.name);
                if let Some(o) = tree.get("Organization") {
                    snap.org_id = str_at(o, "Id").map(str::to_string).or(snap.org_id.take());
                    snap.management_account = str_at(o, "MasterAccountId")
                        .map(str::to_string)
                        .or(snap.management_account.take());
                    recognised += 1;
                } else if let Some(p) = tree.get("Parents") {
                    let first = items(Some(p)).first();
                    let Some(parent) = first.and_then(|x| str_at(x, "Id")) else {
                        snap.notes.push(format!(
                            "{} (list-parents) has no parent and was skipped",
                            f.name
                        ));
                        continue;
                    };
                    let parent_is_root = first.and_then(|x| str_at(x, "Type")) == Some("ROOT")
                        || parent.starts_with("r-");
                    if parent_is_root {
                        data.root_id = Some(parent.to_string());
                    }
                    data.parents.push(ParentsFile {
                        file: f.name.clone(),
                        child: hint_from(&st, &tree, "ChildId"),
                        parent: parent.to_string(),
                        parent_is_root,
                        rank: rank(&st),
                    });
                    recognised += 1;
                } else if let Some(r) = tree.get("Roots") {
                    data.root_id = items(Some(r))
                        .first()
                        .and_then(|x| str_at(x, "Id"))
                        .map(str::to_string)
                        .or(data.root_id.take());
                    recognised += 1;
                } else if let Some(pol) = tree.get("Policy").filter(|p| p.get("Content").is_some())
                {
                    let summary = pol.get("PolicySummary");
                    let id = summary
                        .and_then(|s| str_at(s, "Id"))
                        .unwrap_or("")
                        .to_string();
                    let arn = summary.and_then(|s| str_at(s, "Arn")).map(str::to_string);
                    if let Some(content) = pol.get("Content") {
                        snap.described.push(Described {
                            id,
                            arn,
                            src: src.clone(),
                            content: content.clone(),
                        });
                    }
                    recognised += 1;
                } else if let Some(ps) = tree.get("Policies") {
                    let list = items(Some(ps));
                    if list.iter().any(|p| {
                        p.get("PolicyVersionList").is_some() || p.get("PolicyName").is_some()
                    }) {
                        skipped.push(stem(&f.name));
                        continue;
                    }
                    let rcp = list
                        .iter()
                        .any(|p| str_at(p, "Type") == Some("RESOURCE_CONTROL_POLICY"));
                    let other = list.iter().find_map(|p| {
                        str_at(p, "Type").filter(|t| {
                            *t != "SERVICE_CONTROL_POLICY" && *t != "RESOURCE_CONTROL_POLICY"
                        })
                    });
                    if let Some(t) = other {
                        snap.notes.push(format!(
                            "{} lists {t} policies, which are not IAM policies; skipped",
                            f.name
                        ));
                        continue;
                    }
                    let summaries = list
                        .iter()
                        .filter_map(|p| {
                            Some(Summary {
                                id: str_at(p, "Id")?.to_string(),
                                arn: str_at(p, "Arn").map(str::to_string),
                                name: str_at(p, "Name").unwrap_or("").to_string(),
                                aws_managed: matches!(
                                    p.get("AwsManaged").map(|v| &v.kind),
                                    Some(json::JsonKind::Bool(true))
                                ),
                            })
                        })
                        .collect();
                    data.targets.push(TargetFile {
                        file: f.name.clone(),
                        hint: hint_from(&st, &tree, "TargetId"),
                        rank: rank(&st),
                        ty: if rcp {
                            PolicyType::Rcp
                        } else {
                            PolicyType::Scp
                        },
                        summaries,
                    });
                    recognised += 1;
                } else {
                    skipped.push(stem(&f.name));
                }
            }
            if !skipped.is_empty() {
                snap.notes.push(format!(
                    "{} file(s) in {} are not Organizations outputs and were skipped ({})",
                    skipped.len(),
                    d.name,
                    skipped.join(", ")
                ));
            }
            if recognised == 0 {
                return Err(vec![input_error(format!(
                    "{} holds no Organizations outputs (describe-organization, list-parents, list-policies-for-target, describe-policy)",
                    d.name
                ))]);
            }
            snap.dirs.push(data);
        }
        Ok(snap)
    }

    /// The organization's management account.
    pub fn management_account(&self) -> Option<&str> {
        self.management_account.as_deref()
    }

    /// The organization id.
    pub fn org_id(&self) -> Option<&str> {
        self.org_id.as_deref()
    }

    /// Levels and policies for `account`. `fallback` picks the directory when none is
    /// named for the account (0 = the principal's account, 1 = the resource's).
    pub fn facts_for(
        &self,
        account: &str,
        fallback: usize,
    ) -> Result<Option<OrgFacts>, Vec<Diagnostic>> {
        let named = self
            .dirs
            .iter()
            .find(|d| d.account_hint.as_deref() == Some(account));
        let unnamed: Vec<&DirData> = self
            .dirs
            .iter()
            .filter(|d| d.account_hint.is_none())
            .collect();
        let Some(dir) = named.or_else(|| unnamed.get(fallback).copied()) else {
            return Ok(None);
        };
        let mut notes = Vec::new();
        let path_up = chain(dir, account, &mut notes);
        let mut out = OrgFacts {
            org_id: self.org_id.clone(),
            management_account: self.management_account.clone(),
            ..Default::default()
        };
        // Level ids, root first.
        let mut ids: Vec<String> = path_up.iter().rev().cloned().collect();
        if ids.is_empty() {
            if let Some(r) = &dir.root_id {
                ids.push(r.clone());
            }
        }
        ids.push(account.to_string());
        if let (Some(o), true) = (&self.org_id, ids.len() > 1) {
            let mut p = format!("{o}/");
            for id in ids.iter().take(ids.len() - 1) {
                p.push_str(id);
                p.push('/');
            }
            out.org_path = Some(p);
        }
        let have_chain = !path_up.is_empty();
        for ty in [PolicyType::Scp, PolicyType::Rcp] {
            let files: Vec<&TargetFile> = dir.targets.iter().filter(|t| t.ty == ty).collect();
            if files.is_empty() {
                continue;
            }
            let (level_ids, assignment) = assign(&ids, have_chain, &files, &mut notes);
            let mut levels = Vec::new();
            for (li, lid) in level_ids.iter().enumerate() {
                let mut lvl = Vec::new();
                match assignment.get(li).and_then(|a| *a) {
                    Some(fi) => {
                        if let Some(f) = files.get(fi) {
                            for s in &f.summaries {
                                if let Some(p) = self.policy(s, ty, lid, &mut notes)? {
                                    lvl.push(p);
                                }
                            }
                        }
                    }
                    None => {
                        let full = Summary {
                            id: if ty == PolicyType::Scp {
                                "p-FullAWSAccess".into()
                            } else {
                                "p-RCPFullAWSAccess".into()
                            },
                            arn: None,
                            name: if ty == PolicyType::Scp {
                                "FullAWSAccess".into()
                            } else {
                                "RCPFullAWSAccess".into()
                            },
                            aws_managed: true,
                        };
                        notes.push(format!(
                            "no list-policies-for-target output for {} in {}; assumed {} only",
                            level_label(lid),
                            dir.name,
                            full.name
                        ));
                        if let Some(p) = self.policy(&full, ty, lid, &mut notes)? {
                            lvl.push(p);
                        }
                    }
                }
                levels.push(lvl);
            }
            if ty == PolicyType::Scp {
                out.levels = level_ids.iter().map(|l| level_label(l)).collect();
                out.scps = Some(levels);
            } else {
                if out.levels.is_empty() {
                    out.levels = level_ids.iter().map(|l| level_label(l)).collect();
                }
                out.rcps = Some(levels);
            }
        }
        out.notes = notes;
        Ok(Some(out))
    }

    fn policy(
        &self,
        s: &Summary,
        ty: PolicyType,
        level: &str,
        notes: &mut Vec<String>,
    ) -> Result<Option<(NamedPolicy, PolicyOrigin)>, Vec<Diagnostic>> {
        let kind = if ty == PolicyType::Scp {
            PolicyKind::Scp
        } else {
            PolicyKind::Rcp
        };
        let origin = |file: &str| PolicyOrigin {
            account: self.management_account.clone(),
            attached_to: level_label(level),
            kind,
            editable: !s.aws_managed,
            file: file.to_string(),
        };
        let label = if s.name.is_empty() {
            s.id.clone()
        } else {
            s.name.clone()
        };
        if let Some(d) = self
            .described
            .iter()
            .find(|d| d.id == s.id || (d.arn.is_some() && d.arn == s.arn))
        {
            let np = parse_doc(
                &d.content,
                &d.src,
                ty,
                Some(label.clone()),
                s.arn.clone().or(d.arn.clone()),
                label,
            )?;
            return Ok(Some((np, origin(d.src.name()))));
        }
        let builtin = match s.id.as_str() {
            "p-FullAWSAccess" if ty == PolicyType::Scp => Some(FULL_AWS_ACCESS),
            "p-RCPFullAWSAccess" if ty == PolicyType::Rcp => Some(RCP_FULL_AWS_ACCESS),
            _ => None,
        };
        if let Some(text) = builtin {
            let src = SourceFile::new(format!("aws-managed:{}", s.name), text);
            let tree = json::parse(&src).map_err(|d| vec![d])?;
            let np = parse_doc(&tree, &src, ty, Some(label.clone()), s.arn.clone(), label)?;
            return Ok(Some((np, origin(src.name()))));
        }
        notes.push(format!(
            "policy {} ({}) is attached at {} but its content is missing (add `aws organizations describe-policy --policy-id {}` output); it was left out",
            s.name,
            s.id,
            level_label(level),
            s.id
        ));
        Ok(None)
    }
}

fn level_label(id: &str) -> String {
    if id.starts_with("r-") {
        format!("root {id}")
    } else if id.starts_with("ou-") {
        format!("OU {id}")
    } else if id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) {
        format!("account {id}")
    } else {
        id.to_string()
    }
}

/// The parents of `account`, nearest first, ending with the root.
fn chain(dir: &DirData, account: &str, notes: &mut Vec<String>) -> Vec<String> {
    let mut remaining: Vec<ParentsFile> = dir.parents.clone();
    let mut out = Vec::new();
    let mut cur = account.to_string();
    let mut at_account = true;
    while !remaining.is_empty() {
        let known = remaining.iter().position(|p| match &p.child {
            Some(Hint::Id(id)) => *id == cur,
            Some(Hint::Account) => at_account,
            _ => false,
        });
        let idx = match known {
            Some(i) => i,
            None => {
                let unknown: Vec<(usize, &ParentsFile)> = remaining
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| p.child.is_none())
                    .collect();
                let non_root: Vec<(usize, &ParentsFile)> = unknown
                    .iter()
                    .copied()
                    .filter(|(_, p)| !p.parent_is_root)
                    .collect();
                match (unknown.as_slice(), non_root.as_slice()) {
                    ([], _) => break,
                    ([(only, _)], _) => *only,
                    ([(first, _), ..], []) => *first,
                    (_, [(only, _)]) => *only,
                    (_, [first, ..]) => {
                        // Deeper OUs ("child") come first going up; the first of equals wins.
                        let (deepest, _) = non_root
                            .iter()
                            .min_by(|(_, a), (_, b)| b.rank.cmp(&a.rank).then(a.file.cmp(&b.file)))
                            .unwrap_or(first);
                        notes.push(format!("the order of OUs in {} was inferred from file names; SCP decisions do not depend on it", dir.name));
                        *deepest
                    }
                }
            }
        };
        let p = remaining.remove(idx);
        out.push(p.parent.clone());
        at_account = false;
        if p.parent_is_root {
            break;
        }
        cur = p.parent;
    }
    if !remaining.is_empty() {
        notes.push(format!("{} list-parents output(s) in {} are not on the path of account {account} and were ignored", remaining.len(), dir.name));
    }
    out
}

/// Match list-policies-for-target files to levels. Returns the level ids and, per level, the file index.
fn assign(
    ids: &[String],
    have_chain: bool,
    files: &[&TargetFile],
    notes: &mut Vec<String>,
) -> (Vec<String>, Vec<Option<usize>>) {
    let position = |h: &Hint, ids: &[String]| -> Option<usize> {
        match h {
            Hint::Id(id) => ids.iter().position(|x| x == id),
            Hint::Root => ids
                .iter()
                .position(|x| x.starts_with("r-"))
                .or(if ids.len() > 1 { Some(0) } else { None }),
            Hint::Account => Some(ids.len().saturating_sub(1)),
        }
    };
    if !have_chain {
        // No parent chain: one level per file, root first, account last, the rest by name.
        let mut order: Vec<(usize, &TargetFile)> = files.iter().copied().enumerate().collect();
        order.sort_by_key(|(_, f)| match f.hint {
            Some(Hint::Root) => (0, 0, f.file.clone()),
            Some(Hint::Account) => (2, 0, f.file.clone()),
            _ => (1, f.rank, f.file.clone()),
        });
        if files.len() > 1 {
            notes.push("no list-parents output was given: each list-policies-for-target file was taken as one level (root first, account last)".into());
        }
        let level_ids = order
            .iter()
            .map(|(_, f)| match &f.hint {
                Some(Hint::Id(id)) => id.clone(),
                Some(Hint::Root) => ids
                    .first()
                    .filter(|x| x.starts_with("r-"))
                    .cloned()
                    .unwrap_or_else(|| "root".into()),
                Some(Hint::Account) => ids.last().cloned().unwrap_or_default(),
                None => format!("level from {}", f.file),
            })
            .collect();
        return (level_ids, order.into_iter().map(|(i, _)| Some(i)).collect());
    }
    let mut slots: Vec<Option<usize>> = vec![None; ids.len()];
    let mut unknown: Vec<(usize, &TargetFile)> = Vec::new();
    for (i, f) in files.iter().copied().enumerate() {
        match f
            .hint
            .as_ref()
            .and_then(|h| position(h, ids))
            .and_then(|p| slots.get_mut(p))
            .filter(|slot| slot.is_none())
        {
            Some(slot) => *slot = Some(i),
            None => unknown.push((i, f)),
        }
    }
    unknown.sort_by_key(|(_, f)| (f.rank, f.file.clone()));
    let free = slots.iter().filter(|slot| slot.is_none()).count();
    if !unknown.is_empty() && free > 1 && unknown.len() > 1 {
        notes.push("which OU each list-policies-for-target file belongs to was inferred from the file names; the decision does not depend on it".into());
    }
    // The free slots, in level order, take the unplaced files in their sorted order.
    for (slot, (u, _)) in slots.iter_mut().filter(|slot| slot.is_none()).zip(&unknown) {
        *slot = Some(*u);
    }
    if unknown.len() > free {
        notes.push(format!(
            "{} list-policies-for-target file(s) match no level of the path and were ignored",
            unknown.len() - free
        ));
    }
    (ids.to_vec(), slots)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn sample_dir() -> OrgDir {
        let base = format!("{}/tests/fixtures/org", env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        for e in std::fs::read_dir(&base).unwrap() {
            let p = e.unwrap().path();
            files.push(TextInput::new(
                p.display().to_string(),
                std::fs::read_to_string(&p).unwrap(),
            ));
        }
        files.sort_by(|a, b| a.name.cmp(&b.name));
        OrgDir { name: base, files }
    }

    #[test]
    fn sample_org_levels() {
        let snap = OrgSnapshot::load(&[sample_dir()]).unwrap();
        assert_eq!(snap.management_account(), Some("999988887777"));
        let f = snap.facts_for("111122223333", 0).unwrap().unwrap();
        assert_eq!(
            f.levels,
            [
                "root r-ab12",
                "OU ou-ab12-11111111",
                "OU ou-ab12-22222222",
                "account 111122223333"
            ]
        );
        assert_eq!(
            f.org_path.as_deref(),
            Some("o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/ou-ab12-22222222/")
        );
        let scps = f.scps.unwrap();
        let names: Vec<Vec<String>> = scps
            .iter()
            .map(|l| l.iter().map(|(p, _)| p.label.clone()).collect())
            .collect();
        assert_eq!(
            names[2],
            ["FullAWSAccess", "DenyUnapprovedRegionsAndProdSecrets"]
        );
        assert_eq!(names[0], ["FullAWSAccess"]);
        assert_eq!(names[3], ["FullAWSAccess"]);
    }
}
