//! `verdict escalation`: paths from principal to principal, or to administrator, through
//! the published escalation techniques (`data/escalation-techniques.toml`, the facts of
//! pathfinding.cloud's catalog). Every step of every edge is a request decided by the
//! exact procedure, so an SCP, boundary, trust policy or Deny that blocks a step removes
//! the edge.

use crate::index::{effective, Indexer};
use crate::query::{scenario, Who};
use crate::snapshot::{PrincipalKind, Snapshot};
use crate::who_can::granted_by;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, VecDeque};
use std::sync::OnceLock;
use verdict_eval::context::Context;
use verdict_eval::residual::{self, ResidualDecision};
use verdict_eval::Decision;

/// One permission a technique needs.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct Need {
    /// The action.
    pub action: String,
    /// The resource template (`{self}`, `{role}`, `{user}`, `{group}`, `{policy}`, or an
    /// ARN pattern with `{account}`/`{partition}`; `*` in it means "some resource").
    pub resource: String,
}

/// An escalation technique.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct Technique {
    /// The catalog's id (`iam-001`).
    pub id: String,
    /// Its name.
    pub name: String,
    /// `self-escalation`, `principal-access`, `new-passrole` or `existing-passrole`.
    pub category: String,
    /// What the attacker ends up with: `admin`, `user`, `role` or `group`.
    pub to: String,
    /// The service principal a passed or target role must trust.
    #[serde(default)]
    pub service: String,
    /// One sentence.
    pub summary: String,
    /// Whether Verdict checks it.
    pub supported: bool,
    /// Why not, when not.
    #[serde(default)]
    pub why_unsupported: String,
    /// The permissions it needs, all of them.
    pub needs: Vec<Need>,
}

#[derive(Deserialize)]
struct TechniqueFile {
    technique: Vec<Technique>,
}

const DATA: &str = include_str!("../data/escalation-techniques.toml");

/// The bundled technique catalog.
pub fn techniques() -> &'static [Technique] {
    static T: OnceLock<Vec<Technique>> = OnceLock::new();
    T.get_or_init(|| {
        toml::from_str::<TechniqueFile>(DATA)
            .map(|f| f.technique)
            .unwrap_or_default()
    })
}

/// Where an edge leads.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// Another principal of the snapshot (its ARN).
    Principal(String),
    /// A group whose policies the subject gains (its ARN).
    Group(String),
    /// Any permission: the subject can grant itself anything.
    Admin,
}

/// One checked request of an edge.
#[derive(Clone, Debug, Serialize)]
pub struct Step {
    /// The action.
    pub action: String,
    /// The resource (or pattern: some resource of it).
    pub resource: String,
    /// `allow` or `conditional`.
    pub decision: &'static str,
    /// When conditional: the condition.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// The statements that grant it.
    pub granted_by: Vec<String>,
}

/// One escalation edge.
#[derive(Clone, Debug, Serialize)]
pub struct Edge {
    /// The subject's ARN.
    pub from: String,
    /// Where it leads.
    pub to: Target,
    /// Technique id.
    pub technique: String,
    /// Technique name.
    pub name: String,
    /// Technique category.
    pub category: String,
    /// `allow` when every step is allowed, `conditional` when some step holds only
    /// under a condition on the request.
    pub decision: &'static str,
    /// Each permission, decided.
    pub steps: Vec<Step>,
    /// What the edge takes for granted (an existing resource that runs as the role, …).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub assumes: Vec<String>,
    /// The technique writes the target's own permissions (a policy on it), so the
    /// target ends with whatever its boundary and SCPs allow.
    #[serde(skip)]
    pub writes_target: bool,
}

/// Actions that write a principal's permissions.
const POLICY_WRITES: &[&str] = &[
    "iam:putrolepolicy",
    "iam:attachrolepolicy",
    "iam:putuserpolicy",
    "iam:attachuserpolicy",
    "iam:createpolicyversion",
    "iam:setdefaultpolicyversion",
];

/// A path from a principal to the goal.
#[derive(Clone, Debug, Serialize)]
pub struct Path {
    /// The starting principal.
    pub from: String,
    /// The goal (`admin` or an ARN).
    pub to: String,
    /// The edges, in order.
    pub edges: Vec<Edge>,
}

/// What was asked and found.
#[derive(Clone, Debug, Serialize)]
pub struct Escalation {
    /// Paths found (shortest per starting principal).
    pub paths: Vec<Path>,
    /// Principals that are already administrators (every action allowed).
    pub admins: Vec<String>,
    /// Edges examined out of the starting principals (and those reached).
    pub edges: Vec<Edge>,
    /// Techniques checked, by id.
    pub techniques: Vec<String>,
    /// Remarks.
    pub notes: Vec<String>,
}

struct Ctx<'a> {
    snap: &'a Snapshot,
    trusts: HashMap<(usize, String), bool>,
    /// Principals by account.
    by_account: HashMap<&'a str, Vec<usize>>,
    /// Roles whose trust policy names an account (by itself or through one of its
    /// principals), by that account; `*` for roles that trust everyone.
    trusted_from: HashMap<String, Vec<usize>>,
}

impl<'a> Ctx<'a> {
    fn new(snap: &'a Snapshot) -> Ctx<'a> {
        use verdict_policy::principal::PrincipalEntry;
        let mut by_account: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut trusted_from: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, p) in snap.principals.iter().enumerate() {
            by_account.entry(p.account.as_str()).or_default().push(i);
            let Some(t) = &p.trust else { continue };
            let mut named: Vec<String> = Vec::new();
            for st in t
                .policy
                .statements
                .iter()
                .filter(|st| st.effect == verdict_policy::Effect::Allow)
            {
                for e in st.principal.iter().flat_map(|pb| pb.entries.iter()) {
                    match e {
                        PrincipalEntry::Everyone { .. } => named.push("*".into()),
                        PrincipalEntry::Account { account, .. }
                        | PrincipalEntry::User { account, .. }
                        | PrincipalEntry::Role { account, .. }
                        | PrincipalEntry::AssumedRole { account, .. }
                        | PrincipalEntry::FederatedUser { account, .. } => {
                            named.push(account.clone())
                        }
                        _ => {}
                    }
                }
            }
            named.sort();
            named.dedup();
            for a in named {
                trusted_from.entry(a).or_default().push(i);
            }
        }
        Ctx {
            snap,
            trusts: HashMap::new(),
            by_account,
            trusted_from,
        }
    }

    /// Roles a principal of `account` might act as: its account's, and those whose
    /// trust policy names the account or everyone.
    fn role_candidates(&self, account: &str) -> Vec<usize> {
        let mut v: Vec<usize> = self.by_account.get(account).cloned().unwrap_or_default();
        v.extend(self.trusted_from.get(account).into_iter().flatten());
        v.extend(self.trusted_from.get("*").into_iter().flatten());
        v.sort_unstable();
        v.dedup();
        v
    }
}

fn fill(template: &str, account: &str, partition: &str, slots: &HashMap<&str, String>) -> String {
    let mut out = template
        .replace("{account}", account)
        .replace("{partition}", partition);
    for (k, v) in slots {
        out = out.replace(k, v);
    }
    out
}

/// Decide one step: allowed, conditional (with the residual), or `None`.
fn step(snap: &Snapshot, who: &Who, action: &str, resource: &str) -> Option<Step> {
    let member = crate::can::representative(resource, "escalation");
    let s = scenario(snap, who, action, &member, Context::new()).ok()?;
    let granted = if verdict_eval::decide(&s).decision == Decision::Allow {
        Some(granted_by(&s))
    } else {
        crate::can::allowed_member(snap, who, action, resource, &s, &Context::new())
            .map(|(_, sw)| granted_by(&sw))
    };
    if let Some(granted_by) = granted {
        return Some(Step {
            action: action.to_string(),
            resource: resource.to_string(),
            decision: "allow",
            condition: None,
            granted_by,
        });
    }
    let u = crate::query::with_unknown_keys(&s)?;
    let r = residual::residual(&u).ok()?;
    matches!(
        r.decision,
        ResidualDecision::Allow | ResidualDecision::Conditional
    )
    .then(|| Step {
        action: action.to_string(),
        resource: resource.to_string(),
        decision: "conditional",
        condition: r.residual.map(|f| f.text),
        granted_by: Vec::new(),
    })
}

impl Ctx<'_> {
    /// Does role `ri` trust `service` to assume it?
    fn trusts(&mut self, ri: usize, service: &str) -> bool {
        let key = (ri, service.to_string());
        if let Some(t) = self.trusts.get(&key) {
            return *t;
        }
        let ok = self.snap.principals.get(ri).is_some_and(|r| {
            scenario(
                self.snap,
                &Who::Service(service.to_string()),
                "sts:AssumeRole",
                &r.arn,
                Context::new(),
            )
            .is_ok_and(|s| verdict_eval::decide(&s).decision == Decision::Allow)
        });
        self.trusts.insert(key, ok);
        ok
    }
}

/// Every edge out of principal `si`.
fn edges_from(
    cx: &mut Ctx<'_>,
    si: usize,
    allowed: &crate::index::Bits,
    u: &crate::index::Universe,
) -> Vec<Edge> {
    let snap = cx.snap;
    let Some(s) = snap.principals.get(si) else {
        return Vec::new();
    };
    let partition = s.arn.split(':').nth(1).unwrap_or("aws").to_string();
    let who = Who::Principal(si);
    let mut out = Vec::new();
    for t in techniques().iter().filter(|t| t.supported) {
        // Prefilter: an identity statement must mention every action (a role's trust
        // policy may grant sts:AssumeRole on its own).
        let possible = t.needs.iter().all(|n| {
            n.action.eq_ignore_ascii_case("sts:AssumeRole")
                || u.id(&n.action).is_none_or(|id| allowed.get(id))
        });
        if !possible {
            continue;
        }
        let mut targets: Vec<(Target, HashMap<&str, String>)> = Vec::new();
        let mut base: HashMap<&str, String> = HashMap::new();
        base.insert("{self}", s.arn.clone());
        let uses_policy = t.needs.iter().any(|n| n.resource.contains("{policy}"));
        let uses_group = t.needs.iter().any(|n| n.resource.contains("{group}"));
        // One target per way of filling the templates: `{policy}` is each customer-managed
        // policy attached to the one whose permissions the technique writes.
        let mut push =
            |target: Target,
             slot: Option<(&'static str, &str)>,
             attached: Option<&mut dyn Iterator<Item = &String>>| {
                let mut m = base.clone();
                if let Some((k, v)) = slot {
                    m.insert(k, v.to_string());
                }
                if let (true, Some(attached)) = (uses_policy, attached) {
                    for a in attached.filter(|a| !a.contains(":iam::aws:policy/")) {
                        let mut m2 = m.clone();
                        m2.insert("{policy}", a.clone());
                        targets.push((target.clone(), m2));
                    }
                } else {
                    targets.push((target, m));
                }
            };
        let own_groups = || s.groups.iter().filter_map(|g| snap.groups.get(*g));
        match t.to.as_str() {
            "admin" if uses_group && !uses_policy => {
                for g in own_groups() {
                    push(Target::Admin, Some(("{group}", &g.arn)), None);
                }
            }
            "admin" => {
                let mut attached = s
                    .attached
                    .iter()
                    .chain(own_groups().flat_map(|g| g.attached.iter()));
                push(Target::Admin, None, Some(&mut attached));
            }
            "user" => {
                for i in cx
                    .by_account
                    .get(s.account.as_str())
                    .cloned()
                    .unwrap_or_default()
                {
                    let Some(p) = snap.principals.get(i) else {
                        continue;
                    };
                    if i != si && p.kind == PrincipalKind::User {
                        push(
                            Target::Principal(p.arn.clone()),
                            Some(("{user}", &p.arn)),
                            Some(&mut p.attached.iter()),
                        );
                    }
                }
            }
            "role" => {
                for i in cx.role_candidates(&s.account) {
                    let Some(p) = snap.principals.get(i) else {
                        continue;
                    };
                    if i == si || p.kind != PrincipalKind::Role || p.service_linked {
                        continue;
                    }
                    // A passed role runs in the subject's account and must trust the service.
                    if !t.service.is_empty()
                        && (p.account != s.account || !cx.trusts(i, &t.service))
                    {
                        continue;
                    }
                    push(
                        Target::Principal(p.arn.clone()),
                        Some(("{role}", &p.arn)),
                        Some(&mut p.attached.iter()),
                    );
                }
            }
            "group" => {
                for g in snap.groups.iter().filter(|g| g.account == s.account) {
                    if own_groups().any(|y| y.arn == g.arn) {
                        continue;
                    }
                    push(
                        Target::Group(g.arn.clone()),
                        Some(("{group}", &g.arn)),
                        None,
                    );
                }
            }
            _ => {}
        }
        let mut seen: Vec<Target> = Vec::new();
        for (target, slots) in targets {
            if seen.contains(&target) {
                continue;
            }
            let mut steps = Vec::new();
            let mut ok = true;
            for n in &t.needs {
                let res = fill(&n.resource, &s.account, &partition, &slots);
                // A permission on the subject itself must fit the subject's type.
                if verdict_catalog::catalog().action_fits_arn(&n.action, &res) == Some(false)
                    && !res.contains('*')
                {
                    ok = false;
                    break;
                }
                match step(snap, &who, &n.action, &res) {
                    Some(st) => steps.push(st),
                    None => {
                        ok = false;
                        break;
                    }
                }
            }
            if !ok {
                continue;
            }
            let mut assumes = Vec::new();
            if t.category == "existing-passrole" {
                assumes.push(format!(
                    "an existing resource runs as the role (a {} resource whose role trusts {})",
                    t.needs
                        .first()
                        .map(|n| n.action.split(':').next().unwrap_or(""))
                        .unwrap_or(""),
                    t.service
                ));
            }
            let writes_target = t.to != "admin"
                && t.needs.iter().any(|n| {
                    POLICY_WRITES.contains(&n.action.to_ascii_lowercase().as_str())
                        && matches!(n.resource.as_str(), "{role}" | "{user}" | "{policy}")
                });
            if writes_target {
                assumes.push("the technique writes the target's own policy: the target then holds every permission its boundary and SCPs allow".into());
            }
            let decision = if steps.iter().all(|s| s.decision == "allow") {
                "allow"
            } else {
                "conditional"
            };
            seen.push(target.clone());
            out.push(Edge {
                from: s.arn.clone(),
                to: target,
                technique: t.id.clone(),
                name: t.name.clone(),
                category: t.category.clone(),
                decision,
                steps,
                assumes,
                writes_target,
            });
        }
    }
    out
}

/// Find escalation paths from `from` (every principal when `None`) to `to` (`admin`
/// or a principal's ARN).
pub fn escalation(
    snap: &Snapshot,
    ix: &mut Indexer<'_>,
    from: Option<usize>,
    to: &str,
) -> Escalation {
    let u = ix.universe;
    let n = snap.principals.len();
    let mut is_admin = Vec::with_capacity(n);
    let mut allowed_of = Vec::with_capacity(n);
    for p in &snap.principals {
        let e = effective(ix, snap, p);
        is_admin.push(e.allowed.count() + ix.resource_gated().count() >= u.len());
        let mut any = e.allowed;
        any.or(&e.possible);
        allowed_of.push(any);
    }
    let admins: Vec<String> = snap
        .principals
        .iter()
        .zip(&is_admin)
        .filter(|(_, a)| **a)
        .map(|(p, _)| p.arn.clone())
        .collect();
    // Groups whose policies allow every action: joining one makes an administrator.
    let admin_groups: Vec<String> = snap
        .groups
        .iter()
        .filter(|g| ix.layer(&g.policies).allow_all.count() >= u.len())
        .map(|g| g.arn.clone())
        .collect();
    // Principals whose boundary (if any) allows every action: writing their policy makes
    // them administrators within their SCPs.
    let open_boundary: Vec<bool> = snap
        .principals
        .iter()
        .map(|p| match &p.boundary {
            None => true,
            Some(b) => ix.layer(std::slice::from_ref(b)).allow_all.count() >= u.len(),
        })
        .collect();
    let goal_principal = if to == "admin" {
        None
    } else {
        snap.principal_index(to)
    };
    let mut notes = Vec::new();
    if to != "admin" && goal_principal.is_none() {
        notes.push(format!("{to} is not a principal of the snapshot"));
    }
    let mut cx = Ctx::new(snap);
    let mut edge_cache: HashMap<usize, Vec<Edge>> = HashMap::new();
    let starts: Vec<usize> = match from {
        Some(i) => vec![i],
        None => (0..n)
            .filter(|i| !is_admin.get(*i).copied().unwrap_or(false))
            .collect(),
    };
    let by_arn: HashMap<&str, usize> = snap
        .principals
        .iter()
        .enumerate()
        .map(|(i, p)| (p.arn.as_str(), i))
        .collect();
    let mut paths = Vec::new();
    for &start in &starts {
        // Breadth-first: the shortest path to the goal.
        let mut prev: HashMap<usize, (usize, usize)> = HashMap::new();
        let mut queue = VecDeque::from([start]);
        let mut visited = vec![false; n];
        if let Some(v) = visited.get_mut(start) {
            *v = true;
        }
        let mut found: Option<(usize, Option<usize>)> = None;
        while let Some(cur) = queue.pop_front() {
            let reached_goal = match goal_principal {
                Some(g) => cur == g && cur != start,
                None => cur != start && is_admin.get(cur).copied().unwrap_or(false),
            };
            if reached_goal {
                found = Some((cur, None));
                break;
            }
            let allowed = allowed_of
                .get(cur)
                .cloned()
                .unwrap_or_else(|| crate::index::Bits::empty(u.len()));
            let edges = edge_cache
                .entry(cur)
                .or_insert_with(|| edges_from(&mut cx, cur, &allowed, u))
                .clone();
            let to_admin = |e: &Edge| match &e.to {
                Target::Admin => true,
                Target::Group(g) => admin_groups.contains(g),
                Target::Principal(a) => {
                    e.writes_target
                        && by_arn
                            .get(a.as_str())
                            .is_some_and(|i| open_boundary.get(*i).copied().unwrap_or(false))
                }
            };
            if let Some(k) = edges
                .iter()
                .position(|e| goal_principal.is_none() && to_admin(e))
            {
                found = Some((cur, Some(k)));
                break;
            }
            for (k, e) in edges.iter().enumerate() {
                let next = match &e.to {
                    Target::Principal(a) => by_arn.get(a.as_str()).copied(),
                    _ => None,
                };
                if let Some(nx) = next {
                    if !visited.get(nx).copied().unwrap_or(true) {
                        if let Some(v) = visited.get_mut(nx) {
                            *v = true;
                        }
                        prev.insert(nx, (cur, k));
                        queue.push_back(nx);
                    }
                }
            }
        }
        if let Some((end, last)) = found {
            let mut hops = Vec::new();
            if let Some(k) = last {
                if let Some(e) = edge_cache.get(&end).and_then(|v| v.get(k)) {
                    hops.push(e.clone());
                }
            }
            let mut cur = end;
            while let Some((p, k)) = prev.get(&cur).copied() {
                if let Some(e) = edge_cache.get(&p).and_then(|v| v.get(k)) {
                    hops.push(e.clone());
                }
                cur = p;
            }
            hops.reverse();
            if let Some(sp) = snap.principals.get(start) {
                paths.push(Path {
                    from: sp.arn.clone(),
                    to: to.to_string(),
                    edges: hops,
                });
            }
        }
    }
    let mut edges: Vec<Edge> = starts
        .iter()
        .filter_map(|s| edge_cache.get(s))
        .flatten()
        .cloned()
        .collect();
    edges.sort_by(|a, b| (&a.from, &a.technique).cmp(&(&b.from, &b.technique)));
    Escalation {
        paths,
        admins,
        edges,
        techniques: techniques()
            .iter()
            .filter(|t| t.supported)
            .map(|t| t.id.clone())
            .collect(),
        notes,
    }
}
