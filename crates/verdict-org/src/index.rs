//! Action bitsets over the catalog's actions: which actions a policy's statements can
//! concern, per principal, so that org-wide questions touch only candidates.
//!
//! A set bit is a possibility, never a decision: every answer that reaches the user is
//! decided by the exact procedure. A clear bit is a proof that no statement of that
//! kind mentions the action, since NotAction and wildcards are expanded over the whole
//! catalog.

use crate::snapshot::{Principal, Snapshot};
use std::collections::HashMap;
use std::sync::Arc;
use verdict_eval::NamedPolicy;
use verdict_policy::{Effect, Policy, Statement};

/// A fixed-size set of action ids.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Bits(Vec<u64>);

impl Bits {
    /// The empty set over `n` actions.
    pub fn empty(n: usize) -> Bits {
        Bits(vec![0; n.div_ceil(64)])
    }

    /// Every action of `n`.
    pub fn full(n: usize) -> Bits {
        let mut b = Bits(vec![u64::MAX; n.div_ceil(64)]);
        let extra = b.0.len() * 64 - n;
        if let (Some(last), true) = (b.0.last_mut(), extra > 0) {
            *last = u64::MAX >> extra;
        }
        b
    }

    /// Add action `i`.
    pub fn set(&mut self, i: usize) {
        if let Some(w) = self.0.get_mut(i / 64) {
            *w |= 1 << (i % 64);
        }
    }

    /// Is action `i` in the set?
    pub fn get(&self, i: usize) -> bool {
        self.0.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    /// `self ∪= other`.
    pub fn or(&mut self, other: &Bits) {
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            *a |= b;
        }
    }

    /// `self ∩= other`.
    pub fn and(&mut self, other: &Bits) {
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            *a &= b;
        }
    }

    /// `self −= other`.
    pub fn minus(&mut self, other: &Bits) {
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            *a &= !b;
        }
    }

    /// Number of members among ids `start..end`.
    pub fn count_range(&self, start: usize, end: usize) -> usize {
        let mut n = 0;
        let mut i = start;
        while i < end {
            let (w, b) = (i / 64, i % 64);
            let take = (64 - b).min(end - i);
            let mask = if take == 64 {
                u64::MAX
            } else {
                ((1u64 << take) - 1) << b
            };
            n += (self.0.get(w).copied().unwrap_or(0) & mask).count_ones() as usize;
            i += take;
        }
        n
    }

    /// Number of members.
    pub fn count(&self) -> usize {
        self.0.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// The members, ascending.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.0.iter().enumerate().flat_map(|(wi, w)| {
            let w = *w;
            (0..64)
                .filter(move |b| w & (1 << b) != 0)
                .map(move |b| wi * 64 + b)
        })
    }
}

/// The catalog's actions, numbered, grouped by service.
pub struct Universe {
    /// `(service_lc, name_lc, qualified name)` per id.
    pub actions: Vec<(String, String, String)>,
    by_service: HashMap<String, (usize, usize)>,
    by_name: HashMap<String, usize>,
    /// Services in id order: `(prefix as the catalog spells it, first id, end id)`.
    pub services: Vec<(String, usize, usize)>,
}

impl Universe {
    /// Every action of the embedded catalog.
    pub fn from_catalog() -> Universe {
        let cat = verdict_catalog::catalog();
        let mut actions = Vec::with_capacity(cat.action_count());
        let mut by_service = HashMap::new();
        let mut services = Vec::new();
        for s in cat.services() {
            let start = actions.len();
            let svc = s.prefix().to_ascii_lowercase();
            for a in s.actions() {
                actions.push((
                    svc.clone(),
                    a.name().to_ascii_lowercase(),
                    a.qualified_name(),
                ));
            }
            by_service.insert(svc, (start, actions.len()));
            services.push((s.prefix().to_string(), start, actions.len()));
        }
        let by_name = actions
            .iter()
            .enumerate()
            .map(|(i, (s, n, _))| (format!("{s}:{n}"), i))
            .collect();
        Universe {
            actions,
            by_service,
            by_name,
            services,
        }
    }

    /// Number of actions.
    pub fn len(&self) -> usize {
        self.actions.len()
    }

    /// True when the catalog is empty.
    pub fn is_empty(&self) -> bool {
        self.actions.is_empty()
    }

    /// The id of `service:name` (any case).
    pub fn id(&self, action: &str) -> Option<usize> {
        self.by_name.get(&action.to_ascii_lowercase()).copied()
    }

    /// The ids of a service's actions.
    pub fn service_range(&self, service_lc: &str) -> Option<std::ops::Range<usize>> {
        self.by_service.get(service_lc).map(|(a, b)| *a..*b)
    }

    /// Qualified name of an id.
    pub fn name(&self, id: usize) -> &str {
        self.actions.get(id).map(|a| a.2.as_str()).unwrap_or("")
    }

    /// The ids matched by an action pattern (`s3:Get*`, `*`).
    pub fn expand(&self, pattern: &str) -> Bits {
        let mut b = Bits::empty(self.len());
        if pattern == "*" {
            return Bits::full(self.len());
        }
        let p = verdict_policy::model::ActionPattern::new(pattern, verdict_policy::Span::default());
        if let Some(r) = p.service_lc().and_then(|s| self.service_range(s)) {
            for i in r {
                if let Some((s, n, _)) = self.actions.get(i) {
                    if p.matches(s, n) {
                        b.set(i);
                    }
                }
            }
        }
        b
    }
}

/// What a policy's statements mention, by effect.
#[derive(Clone, Debug)]
pub struct PolicyBits {
    /// Actions some Allow statement covers.
    pub allow: Bits,
    /// Actions an Allow statement with no condition and `Resource: "*"` covers.
    pub allow_all: Bits,
    /// Actions some Deny statement covers.
    pub deny: Bits,
    /// Actions a Deny statement with no condition and `Resource: "*"` covers.
    pub deny_all: Bits,
}

/// Computes and caches bitsets per policy and per action pattern.
pub struct Indexer<'u> {
    /// The universe.
    pub universe: &'u Universe,
    patterns: HashMap<String, Arc<Bits>>,
    /// Keyed by the shared document's address; the document is held so the key stays
    /// its own.
    policies: HashMap<usize, (Arc<Policy>, Arc<PolicyBits>)>,
    gated: Option<Bits>,
}

/// `Allow` of every action on every resource with no condition (FullAWSAccess).
pub fn is_allow_everything(st: &Statement) -> bool {
    st.effect == Effect::Allow
        && !st.action.negated
        && st.action.patterns.iter().any(|p| p.is_any())
        && unconditional_star(st)
}

fn unconditional_star(st: &Statement) -> bool {
    st.conditions.is_empty()
        && st
            .resource
            .as_ref()
            .is_none_or(|r| !r.negated && r.entries.iter().any(|p| p.raw == "*"))
}

impl<'u> Indexer<'u> {
    /// A new cache over `universe`.
    pub fn new(universe: &'u Universe) -> Self {
        Indexer {
            universe,
            patterns: HashMap::new(),
            policies: HashMap::new(),
            gated: None,
        }
    }

    /// The actions one statement's Action/NotAction element covers.
    pub fn statement(&mut self, st: &Statement) -> Bits {
        let n = self.universe.len();
        let mut b = Bits::empty(n);
        for p in &st.action.patterns {
            let key = p.raw.to_ascii_lowercase();
            let bits = match self.patterns.get(&key) {
                Some(b) => Arc::clone(b),
                None => {
                    let e = Arc::new(self.universe.expand(&p.raw));
                    self.patterns.insert(key, Arc::clone(&e));
                    e
                }
            };
            b.or(&bits);
        }
        if st.action.negated {
            let mut all = Bits::full(n);
            all.minus(&b);
            all
        } else {
            b
        }
    }

    /// The bitsets of a policy (cached by the shared document).
    pub fn policy(&mut self, p: &Arc<Policy>) -> Arc<PolicyBits> {
        let key = Arc::as_ptr(p) as usize;
        if let Some((_, b)) = self.policies.get(&key) {
            return Arc::clone(b);
        }
        let n = self.universe.len();
        let mut out = PolicyBits {
            allow: Bits::empty(n),
            allow_all: Bits::empty(n),
            deny: Bits::empty(n),
            deny_all: Bits::empty(n),
        };
        for st in &p.statements {
            let b = self.statement(st);
            let star = unconditional_star(st);
            match st.effect {
                Effect::Allow => {
                    out.allow.or(&b);
                    if star {
                        out.allow_all.or(&b);
                    }
                }
                Effect::Deny => {
                    out.deny.or(&b);
                    if star {
                        out.deny_all.or(&b);
                    }
                }
            }
        }
        let out = Arc::new(out);
        self.policies.insert(key, (Arc::clone(p), Arc::clone(&out)));
        out
    }

    /// The union of the allow sets of `policies`, and of their other sets.
    pub fn layer(&mut self, policies: &[NamedPolicy]) -> PolicyBits {
        let n = self.universe.len();
        let mut out = PolicyBits {
            allow: Bits::empty(n),
            allow_all: Bits::empty(n),
            deny: Bits::empty(n),
            deny_all: Bits::empty(n),
        };
        for np in policies {
            let b = self.policy(&np.policy);
            out.allow.or(&b.allow);
            out.allow_all.or(&b.allow_all);
            out.deny.or(&b.deny);
            out.deny_all.or(&b.deny_all);
        }
        out
    }
}

/// A principal's action-level permissions.
#[derive(Clone, Debug)]
pub struct Effective {
    /// Allowed on every resource of its own account that has no resource policy,
    /// whatever the context: an unconditional `Resource: "*"` Allow in every layer that
    /// must allow, and no Deny statement that mentions the action anywhere.
    pub allowed: Bits,
    /// Possibly allowed: some statement of every layer that must allow mentions the
    /// action, and no unconditional `Resource: "*"` Deny removes it; what remains
    /// depends on the resource, the context or a Deny's condition (ask `verdict can`
    /// with `--action` for the exact answer).
    pub possible: Bits,
    /// Identity statements that can allow the action (the who-can prefilter).
    pub identity_allow: Bits,
}

impl Indexer<'_> {
    /// Actions whose resources must themselves grant access (KMS key policies, role
    /// trust policies): an identity Allow alone never decides them, so they are never
    /// `allowed`, only `possible`.
    pub fn resource_gated(&mut self) -> &Bits {
        let u = self.universe;
        self.gated.get_or_insert_with(|| {
            let mut g = u.expand("kms:*");
            // The trust actions: AssumeRole* and, on a role, its companions (§6.9.1).
            for a in [
                "sts:AssumeRole*",
                "sts:TagSession",
                "sts:SetSourceIdentity",
                "sts:SetContext",
            ] {
                g.or(&u.expand(a));
            }
            g
        })
    }
}

/// Compute a principal's action-level permissions.
pub fn effective(ix: &mut Indexer<'_>, snap: &Snapshot, p: &Principal) -> Effective {
    let id = ix.layer(&p.identity);
    let mut allowed = id.allow_all.clone();
    let mut possible = id.allow.clone();
    let mut deny = id.deny.clone();
    let mut deny_all = id.deny_all.clone();
    if let Some(b) = &p.boundary {
        let bb = ix.layer(std::slice::from_ref(b));
        allowed.and(&bb.allow_all);
        possible.and(&bb.allow);
        deny.or(&bb.deny);
        deny_all.or(&bb.deny_all);
    }
    let bound_by_scps = !p.service_linked && snap.management_account() != Some(p.account.as_str());
    if let Some(levels) = snap.levels(&p.account) {
        if let (Some(scps), true) = (&levels.scps, bound_by_scps) {
            for level in scps {
                let lb = ix.layer(level);
                allowed.and(&lb.allow_all);
                possible.and(&lb.allow);
                deny.or(&lb.deny);
                deny_all.or(&lb.deny_all);
            }
        }
        if let Some(rcps) = &levels.rcps {
            for level in rcps {
                let lb = ix.layer(level);
                deny.or(&lb.deny);
                deny_all.or(&lb.deny_all);
            }
        }
    }
    allowed.minus(&deny);
    allowed.minus(ix.resource_gated());
    possible.minus(&deny_all);
    possible.minus(&allowed);
    Effective {
        allowed,
        possible,
        identity_allow: id.allow,
    }
}

/// The who-can index: each principal's identity-allow set.
pub struct PrincipalIndex {
    /// Per principal (same order as [`Snapshot::principals`]).
    pub identity_allow: Vec<Bits>,
}

impl PrincipalIndex {
    /// Build it for every principal.
    pub fn build(ix: &mut Indexer<'_>, snap: &Snapshot) -> PrincipalIndex {
        use rayon::prelude::*;
        let u = ix.universe;
        PrincipalIndex {
            identity_allow: snap
                .principals
                .par_iter()
                .map_init(|| Indexer::new(u), |ix, p| ix.layer(&p.identity).allow)
                .collect(),
        }
    }

    /// Principals some identity statement of which can allow action `id`.
    pub fn candidates(&self, id: usize) -> impl Iterator<Item = usize> + '_ {
        self.identity_allow
            .iter()
            .enumerate()
            .filter(move |(_, b)| b.get(id))
            .map(|(i, _)| i)
    }
}
