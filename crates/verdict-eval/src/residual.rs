//! Residual evaluation: a request in which some context keys are unknown.
//!
//! The concrete engine is run unchanged. Every test that reads an unknown key (a
//! condition on it, a condition value or Resource pattern with a variable naming it) is
//! an *atom*; the [`Oracle`] answers atoms from a partial truth assignment, and the
//! driver explores every assignment the engine actually asks about (a decision tree, so
//! atoms the engine never reaches cost nothing). Each leaf is a conjunction of atom
//! literals with the engine's decision under it. The allowed leaves, simplified, are the
//! residual: for every concrete value of the unknown keys, the engine allows exactly when
//! the residual holds (checked by the sampling property test in `tests/residual.rs`).
//!
//! Leaves whose literals no value can satisfy are dropped only when that is proved (a
//! complete finite set of representative values fails them all); otherwise they stay,
//! which keeps the residual exact and the decision fail-closed.

use crate::readings::{Assumptions, Readings, Touched};
use crate::request::Request;
use crate::trace::{Decision, Layer};
use crate::{CtxValue, Scenario, Verdict};
use ipnet::IpNet;
use rust_decimal::Decimal;
use serde::Serialize;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::IpAddr;
use std::rc::Rc;
use verdict_policy::condition::{BaseOp, CondValue, Condition, Family, SetOp};
use verdict_policy::model::Statement;

/// The most leaves explored before giving up (the answer would be unreadable anyway).
pub const MAX_LEAVES: usize = 4096;

/// What one atom tests.
#[derive(Clone, Debug)]
pub enum AtomKind {
    /// A condition whose key, or a variable in whose values, is unknown.
    Condition(Condition),
    /// A statement's Resource/NotResource block with a variable naming an unknown key,
    /// against one requested resource.
    Resource {
        /// The statement (only its Resource block is read).
        statement: Box<Statement>,
        /// The requested resource it is tested against.
        resource: String,
    },
    /// "The requested resource (a set) is in this Resource entry" (resource sets).
    Entry(Box<verdict_policy::model::ResourceEntry>),
}

/// One test of the request that depends on unknown keys.
#[derive(Clone, Debug)]
pub struct Atom {
    /// What it tests.
    pub kind: AtomKind,
    /// The unknown keys it reads (lower-cased).
    pub keys: Vec<String>,
}

/// Answers atoms during one run of the engine from a partial assignment; an atom not yet
/// assigned is answered `false` and recorded so the driver can explore `true` as well.
#[derive(Debug, Default)]
pub struct Oracle {
    unknown: Vec<String>,
    /// The requested resource is a set: every Resource entry is an atom.
    resource_set: bool,
    /// Condition address → its atom (`None`: concrete), when addresses are stable (the
    /// scenario is not copied during a run).
    by_addr: RefCell<HashMap<usize, Option<usize>>>,
    addr_cache: bool,
    atoms: RefCell<Vec<Atom>>,
    index: RefCell<HashMap<String, usize>>,
    assign: RefCell<Vec<Option<bool>>>,
    fresh: RefCell<Vec<usize>>,
}

impl Oracle {
    fn new(unknown: Vec<String>, addr_cache: bool) -> Oracle {
        Oracle {
            unknown,
            addr_cache,
            ..Oracle::default()
        }
    }

    /// An oracle for comparing policies: unknown context keys and, with `resource_set`,
    /// every Resource entry as a question.
    pub(crate) fn for_comparison(unknown: Vec<String>, resource_set: bool) -> Oracle {
        Oracle {
            unknown,
            resource_set,
            addr_cache: false,
            ..Oracle::default()
        }
    }

    /// Every atom asked about so far.
    pub(crate) fn atoms_snapshot(&self) -> Vec<Atom> {
        self.atoms.borrow().clone()
    }

    /// An oracle for a resource set (no unknown context keys).
    pub(crate) fn for_resource_set() -> Oracle {
        Oracle {
            resource_set: true,
            ..Oracle::default()
        }
    }

    /// Is the requested resource a set?
    pub(crate) fn resource_set(&self) -> bool {
        self.resource_set
    }

    /// The answer for "the resource is in entry `e`" (resource sets).
    pub(crate) fn resource_entry(&self, e: &verdict_policy::model::ResourceEntry) -> bool {
        let sig = format!("e\u{1}{}", e.raw);
        self.answer(sig, || Atom {
            kind: AtomKind::Entry(Box::new(e.clone())),
            keys: Vec::new(),
        })
    }

    /// Every Resource entry asked about, by atom index (resource sets).
    pub(crate) fn resource_entries(&self) -> Vec<verdict_policy::model::ResourceEntry> {
        self.atoms
            .borrow()
            .iter()
            .map(|a| match &a.kind {
                AtomKind::Entry(e) => (**e).clone(),
                _ => verdict_policy::model::ResourceEntry::new(
                    String::new(),
                    verdict_policy::Span::default(),
                    verdict_policy::arn::ResourcePattern::new("", false),
                ),
            })
            .collect()
    }

    /// Start a run with the assignment `prefix`.
    pub(crate) fn reset_to(&self, prefix: &[(usize, bool)]) {
        self.reset(prefix);
    }

    /// The atoms first asked about in the last run (answered false).
    pub(crate) fn take_fresh(&self) -> Vec<usize> {
        self.fresh.borrow_mut().drain(..).collect()
    }

    fn is_unknown(&self, key_lc: &str) -> bool {
        self.unknown.iter().any(|k| k == key_lc)
    }

    /// The answer for a condition that reads an unknown key, or `None` for a concrete one.
    pub(crate) fn condition(&self, c: &Condition) -> Option<bool> {
        let addr = std::ptr::from_ref(c) as usize;
        if self.addr_cache {
            if let Some(hit) = self.by_addr.borrow().get(&addr).copied() {
                return hit.map(|i| self.answer_index(i));
            }
        }
        let found = self.condition_atom(c);
        if self.addr_cache {
            self.by_addr.borrow_mut().insert(addr, found);
        }
        found.map(|i| self.answer_index(i))
    }

    fn condition_atom(&self, c: &Condition) -> Option<usize> {
        let mut keys: Vec<String> = Vec::new();
        if self.is_unknown(&c.key_lc) {
            keys.push(c.key_lc.clone());
        }
        for v in &c.values {
            if let CondValue::Text(t) = v {
                for k in t.template.variable_keys_lc() {
                    if self.is_unknown(k) && !keys.iter().any(|x| x == k) {
                        keys.push(k.to_string());
                    }
                }
            }
        }
        if keys.is_empty() {
            return None;
        }
        let sig = format!(
            "c\u{1}{}\u{1}{}\u{1}{}",
            c.op_name,
            c.key_lc,
            c.raw_values.join("\u{2}")
        );
        Some(self.intern(sig, || Atom {
            kind: AtomKind::Condition(c.clone()),
            keys,
        }))
    }

    /// The answer for a Resource block with a variable naming an unknown key.
    pub(crate) fn resource(&self, s: &Statement, requested: &str) -> Option<bool> {
        let block = s.resource.as_ref()?;
        let mut keys: Vec<String> = Vec::new();
        for e in &block.entries {
            if let Some(t) = e.pattern.template() {
                for k in t.variable_keys_lc() {
                    if self.is_unknown(k) && !keys.iter().any(|x| x == k) {
                        keys.push(k.to_string());
                    }
                }
            }
        }
        if keys.is_empty() {
            return None;
        }
        let raw: Vec<&str> = block.entries.iter().map(|e| e.raw.as_str()).collect();
        let sig = format!(
            "r\u{1}{}\u{1}{}\u{1}{requested}",
            block.negated,
            raw.join("\u{2}")
        );
        Some(self.answer(sig, || Atom {
            kind: AtomKind::Resource {
                statement: Box::new(s.clone()),
                resource: requested.to_string(),
            },
            keys,
        }))
    }

    fn answer(&self, sig: String, make: impl FnOnce() -> Atom) -> bool {
        let idx = self.intern(sig, make);
        self.answer_index(idx)
    }

    fn intern(&self, sig: String, make: impl FnOnce() -> Atom) -> usize {
        let mut index = self.index.borrow_mut();
        match index.get(&sig) {
            Some(i) => *i,
            None => {
                let mut atoms = self.atoms.borrow_mut();
                atoms.push(make());
                self.assign.borrow_mut().push(None);
                index.insert(sig, atoms.len() - 1);
                atoms.len() - 1
            }
        }
    }

    fn answer_index(&self, idx: usize) -> bool {
        let mut assign = self.assign.borrow_mut();
        match assign.get(idx).copied().flatten() {
            Some(v) => v,
            None => {
                if let Some(slot) = assign.get_mut(idx) {
                    *slot = Some(false);
                }
                self.fresh.borrow_mut().push(idx);
                false
            }
        }
    }

    fn reset(&self, prefix: &[(usize, bool)]) {
        let mut assign = self.assign.borrow_mut();
        assign.iter_mut().for_each(|a| *a = None);
        for (i, v) in prefix {
            if let Some(slot) = assign.get_mut(*i) {
                *slot = Some(*v);
            }
        }
        self.fresh.borrow_mut().clear();
    }
}

/// A conjunction of atom literals (atom index → required truth).
pub type Path = BTreeMap<usize, bool>;

/// One leaf of the decision tree: a conjunction of literals and the decision under it.
#[derive(Clone, Debug)]
pub struct Leaf {
    /// The literals.
    pub path: Path,
    /// The engine's decision when they hold.
    pub verdict: Verdict,
    /// Values of the unknown keys that satisfy the literals, when found.
    pub witness: Option<Completion>,
    /// No value of the unknown keys satisfies the literals (proved).
    pub impossible: bool,
    /// The witness is a point of the exact representative space (its decision is the
    /// leaf's by construction).
    pub exact_witness: bool,
}

/// Values for the unknown keys: `None` is "absent". Keys as written in the scenario.
pub type Completion = BTreeMap<String, Option<CtxValue>>;

/// The four answers a residual evaluation can give.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ResidualDecision {
    /// Allowed whatever the unknown keys hold.
    Allow,
    /// Denied by a Deny statement whatever they hold.
    ExplicitDeny,
    /// Denied whatever they hold, not always by a Deny statement.
    ImplicitDeny,
    /// Allowed exactly when the residual condition holds.
    Conditional,
}

impl ResidualDecision {
    /// snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ResidualDecision::Allow => "allow",
            ResidualDecision::ExplicitDeny => "explicit_deny",
            ResidualDecision::ImplicitDeny => "implicit_deny",
            ResidualDecision::Conditional => "conditional",
        }
    }
}

/// One condition clause of a rendered residual (`{"StringEquals": {"k": ["v"]}}`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Clause {
    /// Operator name (AWS spelling).
    pub op: String,
    /// Key as written.
    pub key: String,
    /// Values as written.
    pub values: Vec<String>,
}

/// A condition over the unknown keys, as policy Condition blocks and in words.
#[derive(Clone, Debug, Serialize)]
pub struct Formula {
    /// The one Condition block that expresses it, when one does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<serde_json::Value>,
    /// Otherwise a disjunction of Condition blocks (any one suffices).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub any_of: Option<Vec<serde_json::Value>>,
    /// In words.
    pub text: String,
    /// False when some part cannot be written as a policy Condition block (it is then
    /// only in `text`).
    pub expressible: bool,
}

/// The branches that deny, per deciding layer.
#[derive(Clone, Debug, Serialize)]
pub struct DeniedWhen {
    /// How it is denied there.
    pub decision: Decision,
    /// The deciding layer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub denied_by: Option<Layer>,
    /// When.
    #[serde(flatten)]
    pub when: Formula,
}

/// An unknown key as declared.
#[derive(Clone, Debug, Serialize)]
pub struct UnknownInfo {
    /// The key.
    pub key: String,
    /// Known to be in the request.
    pub present: bool,
}

/// An unconfirmed point the residual rests on, with the residual under its other reading.
#[derive(Clone, Debug, Serialize)]
pub struct ResidualUncertainty {
    /// Rule id.
    pub rule: &'static str,
    /// What was assumed.
    pub assumed: &'static str,
    /// The decision under the other reading.
    pub otherwise: ResidualDecision,
    /// The residual under the other reading, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub otherwise_text: Option<String>,
}

/// The answer for a request with unknown context keys.
#[derive(Clone, Debug, Serialize)]
pub struct Residual {
    /// `allow`, `explicit_deny`, `implicit_deny` or `conditional`.
    pub decision: ResidualDecision,
    /// The deciding layer of a definite denial.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub denied_by: Option<Layer>,
    /// The keys declared unknown.
    pub unknown: Vec<UnknownInfo>,
    /// When `conditional`: the condition under which it is allowed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub residual: Option<Formula>,
    /// When not `allow`: the denying branches per layer.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub denied_when: Vec<DeniedWhen>,
    /// A completion of the unknown keys that is allowed (a point of the exact space, or
    /// re-checked by the concrete engine).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_example: Option<serde_json::Value>,
    /// A completion that is denied (likewise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub denied_example: Option<serde_json::Value>,
    /// Unconfirmed points that change the answer (§10.1).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub uncertainties: Vec<ResidualUncertainty>,
    /// Notes on the rendering (e.g. where a negated operator stands for "not …").
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// How many branches the engine was run on.
    pub branches: usize,
    /// The atoms, for [`Explored::allowed_under`] (not serialized).
    #[serde(skip)]
    pub explored: Explored,
    /// The simplified residual as conjunctions of atom literals (not serialized); see
    /// [`Residual::allows`].
    #[serde(skip)]
    pub allowed_cubes: Vec<Path>,
}

impl Residual {
    /// Does the simplified residual hold under `completion`? (Evaluates its atoms
    /// concretely; the property test checks this against the concrete engine.)
    pub fn allows(&self, s: &Scenario, completion: &Completion) -> bool {
        match self.decision {
            ResidualDecision::Allow => return true,
            ResidualDecision::ExplicitDeny | ResidualDecision::ImplicitDeny => return false,
            ResidualDecision::Conditional => {}
        }
        let req = complete_request(&s.request, completion);
        self.allowed_cubes.iter().any(|c| {
            c.iter().all(|(i, want)| {
                self.explored
                    .atoms
                    .get(*i)
                    .is_some_and(|a| atom_holds(a, s, &req, Readings::DEFAULT) == *want)
            })
        })
    }
}

/// Values of the unknown keys of `s` meeting the literals of `path`, and whether `path`
/// is proved unsatisfiable (for comparisons).
pub(crate) fn search_completion(
    s: &Scenario,
    atoms: &[Atom],
    path: &Path,
) -> (Option<Completion>, bool) {
    let keys = unknown_in_play(s);
    let c = Candidates::build(s, atoms, &keys, &BTreeMap::new());
    c.search(s, atoms, path, Readings::DEFAULT)
}

/// One unknown key, its representative values (`None`: absent) and whether they are complete.
pub type Representatives = (String, Vec<Option<CtxValue>>, bool);

/// Literals grouped by the set of keys they read.
type LiteralGroup = (BTreeSet<String>, Vec<(usize, bool)>);

/// The representative values Verdict uses for each unknown key of `s` (`None` is
/// "absent"), and whether they are complete. For tests and discovery.
pub fn representatives(s: &Scenario) -> Result<Vec<Representatives>, ResidualError> {
    let (ex, _) = explore(s, Readings::DEFAULT)?;
    let keys = unknown_in_play(s);
    let c = Candidates::build(s, &ex.atoms, &keys, &BTreeMap::new());
    Ok(c.keys
        .into_iter()
        .map(|k| (k.key, k.values, k.complete))
        .collect())
}

/// Why a residual could not be computed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResidualError {
    /// More than [`MAX_LEAVES`] branches.
    TooManyBranches,
}

impl std::fmt::Display for ResidualError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ResidualError::TooManyBranches => write!(
                f,
                "the answer depends on the unknown keys in more than {MAX_LEAVES} ways; give some of them values"
            ),
        }
    }
}

/// The explored tree: atoms and leaves (the exact residual before simplification).
#[derive(Clone, Debug, Default)]
pub struct Explored {
    /// Every atom the engine asked about.
    pub atoms: Vec<Atom>,
    /// Every leaf.
    pub leaves: Vec<Leaf>,
}

impl Explored {
    /// Does the residual allow under `completion`? (Evaluates the atoms concretely.)
    pub fn allowed_under(&self, s: &Scenario, completion: &Completion) -> bool {
        let req = complete_request(&s.request, completion);
        self.leaves.iter().any(|l| {
            l.verdict.decision == Decision::Allow
                && l.path.iter().all(|(i, want)| {
                    self.atoms
                        .get(*i)
                        .is_some_and(|a| atom_holds(a, s, &req, Readings::DEFAULT) == *want)
                })
        })
    }
}

/// The request with the completion's values set.
pub fn complete_request(base: &Request, completion: &Completion) -> Request {
    let mut r = base.clone();
    for (k, v) in completion {
        match v {
            Some(v) => r.context.set(k, v.clone()),
            None => r.context.remove(k),
        }
    }
    r
}

/// The scenario with the completion's values set and no unknown keys left.
pub fn complete_scenario(s: &Scenario, completion: &Completion) -> Scenario {
    let mut c = s.clone();
    c.request = complete_request(&s.request, completion);
    c.unknown.clear();
    c
}

fn atom_holds(atom: &Atom, s: &Scenario, req: &Request, readings: Readings) -> bool {
    let a = Assumptions::new(readings);
    match &atom.kind {
        AtomKind::Condition(c) => crate::matching::condition_holds(c, &req.context, &a),
        AtomKind::Resource {
            statement,
            resource,
        } => {
            // The request as it is when the atom is about its own resource (the common
            // case); a copy with that resource otherwise (several resources, T92).
            let copy;
            let r = if req.resource.as_str() == resource {
                req
            } else {
                let mut c = req.clone();
                c.resource = verdict_policy::arn::RequestResource::new(resource);
                copy = c;
                &copy
            };
            let view = crate::matching::PrincipalView::new(
                &r.caller,
                r,
                s.policies.permissions_boundary.is_some(),
                &a,
            );
            crate::matching::check_resource(statement, r, &view).covers
        }
        AtomKind::Entry(e) => matches!(
            e.pattern
                .matches(&req.resource, |k| req.context.variable_ref(k)),
            Ok(true)
        ),
    }
}

/// The unknown keys that are in play: principal keys are absent, not unknown, when API
/// Gateway makes the caller anonymous.
fn unknown_in_play(s: &Scenario) -> Vec<(String, String, bool)> {
    // Only API Gateway makes a caller anonymous here (and asking costs a layer check).
    let anonymous = s.apigateway.is_some() && crate::decide::anonymous_apigateway(s);
    s.unknown
        .iter()
        .filter(|u| !(anonymous && crate::decide::is_principal_key(&u.key)))
        .map(|u| (u.key.to_ascii_lowercase(), u.key.clone(), u.present))
        .collect()
}

/// Run the engine on every branch the unknown keys open.
fn explore(s: &Scenario, readings: Readings) -> Result<(Explored, Touched), ResidualError> {
    let keys = unknown_in_play(s);
    let oracle = Rc::new(Oracle::new(
        keys.iter().map(|k| k.0.clone()).collect(),
        s.extra_resources.is_empty(),
    ));
    let touched = Touched::new();
    let mut leaves = Vec::new();
    let mut stack: Vec<Vec<(usize, bool)>> = vec![Vec::new()];
    while let Some(prefix) = stack.pop() {
        if leaves.len() >= MAX_LEAVES {
            return Err(ResidualError::TooManyBranches);
        }
        oracle.reset(&prefix);
        let a = Assumptions::symbolic(readings, oracle.clone());
        let verdict = crate::decide_under(s, &a);
        touched.merge(&a.touched);
        let fresh: Vec<usize> = oracle.fresh.borrow_mut().drain(..).collect();
        let mut path = prefix;
        for f in fresh {
            let mut alt = path.clone();
            alt.push((f, true));
            stack.push(alt);
            path.push((f, false));
        }
        leaves.push(Leaf {
            path: path.into_iter().collect(),
            verdict,
            witness: None,
            impossible: false,
            exact_witness: false,
        });
    }
    let atoms = oracle.atoms.borrow().clone();
    let ex = Explored { atoms, leaves };
    Ok((ex, touched))
}

/// Evaluate `s`, whose context has unknown keys, to a residual decision.
pub fn residual(s: &Scenario) -> Result<Residual, ResidualError> {
    let (ex, touched) = explore(s, Readings::DEFAULT)?;
    let mut r = summarize(s, ex, Readings::DEFAULT);
    for p in touched.points() {
        let Ok((other, _)) = explore(s, Readings::flipped(p)) else {
            continue;
        };
        // The same branches with the same decisions (and atoms that read alike) give
        // the same residual: no need to simplify again.
        let same = other.leaves.len() == r.explored.leaves.len()
            && other
                .leaves
                .iter()
                .zip(&r.explored.leaves)
                .all(|(a, b)| a.path == b.path && a.verdict == b.verdict)
            && !atoms_read_differently(&r.explored.atoms, p);
        if same {
            continue;
        }
        let o = summarize(s, other, p_readings(p));
        let text = |x: &Residual| x.residual.as_ref().map(|f| f.text.clone());
        if o.decision != r.decision || text(&o) != text(&r) {
            r.uncertainties.push(ResidualUncertainty {
                rule: p.rule(),
                assumed: p.assumed(),
                otherwise: o.decision,
                otherwise_text: text(&o),
            });
        }
    }
    Ok(r)
}

/// Could point `p` change what an atom means? (Atoms are re-evaluated on values in the
/// simplification; only points about condition values can change them.)
fn atoms_read_differently(atoms: &[Atom], p: crate::readings::Point) -> bool {
    use crate::readings::Point as P;
    let about_values = matches!(
        p,
        P::TagKeyCollision
            | P::PlainOperatorOnMultivalued
            | P::SetOperatorIfExists
            | P::BoolCase
            | P::MappedIpv6
            | P::TypeMismatch
            | P::EmptyStringPresent
            | P::VariableValueLiteral
            | P::NullEmptyList
            | P::SingleValueList
            | P::ArnSegmentCase
            | P::PrincipalTypeValues
    );
    about_values && !atoms.is_empty()
}

fn p_readings(p: crate::readings::Point) -> Readings {
    Readings::flipped(p)
}

/// Classify the leaves (which are possible, a witness for each) and give each group of
/// leaves (allowed; denied per layer) as a list of conjunctions to render.
fn groups_of(
    s: &Scenario,
    ex: &mut Explored,
    readings: Readings,
    types: &BTreeMap<String, Option<verdict_catalog::KeyType>>,
) -> BTreeMap<(u8, Option<Layer>), Vec<Path>> {
    let keys = unknown_in_play(s);
    let cands = Candidates::build(s, &ex.atoms, &keys, types);
    let group_of = |v: &Verdict| -> (u8, Option<Layer>) {
        match v.decision {
            Decision::Allow => (0, None),
            Decision::ExplicitDeny => (1, v.denied_by),
            Decision::ImplicitDeny => (2, v.denied_by),
        }
    };
    if let Some(space) = Space::new(s, ex, &cands, readings) {
        let owner = space.owners(ex);
        for (li, l) in ex.leaves.iter_mut().enumerate() {
            let first = owner.iter().position(|o| *o == Some(li));
            l.impossible = first.is_none();
            l.witness = first.map(|p| space.completion(&cands, p));
            l.exact_witness = l.witness.is_some();
        }
        let mut out: BTreeMap<(u8, Option<Layer>), Vec<Path>> = BTreeMap::new();
        let mut members: BTreeMap<(u8, Option<Layer>), Vec<usize>> = BTreeMap::new();
        for (li, l) in ex.leaves.iter().enumerate() {
            if !l.impossible {
                members.entry(group_of(&l.verdict)).or_default().push(li);
            }
        }
        for (g, leaves) in members {
            let target: Vec<bool> = owner
                .iter()
                .map(|o| o.is_some_and(|li| leaves.contains(&li)))
                .collect();
            let cubes = space.cover(ex, &leaves, &target);
            out.insert(g, cubes);
        }
        return out;
    }
    let mut out: BTreeMap<(u8, Option<Layer>), Vec<Path>> = BTreeMap::new();
    for l in ex.leaves.iter_mut() {
        let (w, impossible) = cands.search(s, &ex.atoms, &l.path, readings);
        l.witness = w;
        l.impossible = impossible;
        if !impossible {
            out.entry(group_of(&l.verdict))
                .or_default()
                .push(l.path.clone());
        }
    }
    out
}

/// The joint space of representative values, when every key's are complete and every
/// atom reads one key: the residual can then be simplified semantically.
struct Space {
    /// Per unknown key: how many representative values.
    radix: Vec<usize>,
    /// Per atom: its key's position and its truth per representative value.
    truth: Vec<(usize, Vec<bool>)>,
}

/// The most points a [`Space`] may have.
const MAX_POINTS: usize = 20_000;

impl Space {
    fn new(s: &Scenario, ex: &Explored, cands: &Candidates, readings: Readings) -> Option<Space> {
        if !cands.keys.iter().all(|k| k.complete) {
            return None;
        }
        // A key no atom reads does not split the space: one value stands for all.
        let read: Vec<bool> = cands
            .keys
            .iter()
            .map(|k| ex.atoms.iter().any(|a| a.keys.contains(&k.lc)))
            .collect();
        let radix: Vec<usize> = cands
            .keys
            .iter()
            .zip(&read)
            .map(|(k, r)| if *r { k.values.len().max(1) } else { 1 })
            .collect();
        let total = radix
            .iter()
            .try_fold(1usize, |acc, r| acc.checked_mul(*r))
            .filter(|t| *t <= MAX_POINTS)?;
        let _ = total;
        let mut truth: Vec<(usize, Vec<bool>)> = Vec::with_capacity(ex.atoms.len());
        let mut pos_of = Vec::with_capacity(ex.atoms.len());
        for a in &ex.atoms {
            let [k] = a.keys.as_slice() else { return None };
            let AtomKind::Condition(_) = a.kind else {
                return None;
            };
            let pos = cands.keys.iter().position(|c| &c.lc == k)?;
            pos_of.push(pos);
            truth.push((pos, Vec::new()));
        }
        // One copy of the request per key; each value set in place.
        let a = Assumptions::new(readings);
        for (pos, kc) in cands.keys.iter().enumerate() {
            if !pos_of.contains(&pos) {
                continue;
            }
            let mut req = s.request.clone();
            for v in &kc.values {
                match v {
                    Some(v) => req.context.set(&kc.key, v.clone()),
                    None => req.context.remove(&kc.key),
                }
                for (atom, (p, t)) in ex.atoms.iter().zip(truth.iter_mut()) {
                    if *p == pos {
                        if let AtomKind::Condition(c) = &atom.kind {
                            t.push(crate::matching::condition_holds(c, &req.context, &a));
                        }
                    }
                }
            }
        }
        Some(Space { radix, truth })
    }

    fn points(&self) -> usize {
        self.radix.iter().product()
    }

    /// The value index of key `k` at point `p`.
    fn coord(&self, p: usize, k: usize) -> usize {
        let mut p = p;
        for (i, r) in self.radix.iter().enumerate() {
            if i == k {
                return p % r;
            }
            p /= r;
        }
        0
    }

    fn holds(&self, atom: usize, p: usize) -> bool {
        self.truth
            .get(atom)
            .and_then(|(k, t)| t.get(self.coord(p, *k)).copied())
            .unwrap_or(false)
    }

    fn satisfies(&self, path: &Path, p: usize) -> bool {
        path.iter().all(|(a, want)| self.holds(*a, p) == *want)
    }

    /// For each point, the leaf it falls in.
    fn owners(&self, ex: &Explored) -> Vec<Option<usize>> {
        (0..self.points())
            .map(|p| ex.leaves.iter().position(|l| self.satisfies(&l.path, p)))
            .collect()
    }

    fn completion(&self, cands: &Candidates, p: usize) -> Completion {
        cands
            .keys
            .iter()
            .enumerate()
            .map(|(i, k)| {
                (
                    k.key.clone(),
                    k.values.get(self.coord(p, i)).cloned().flatten(),
                )
            })
            .collect()
    }

    /// Expand each leaf of the group to a prime implicant of `target` and keep an
    /// irredundant set of them (the espresso steps, over representative values).
    fn cover(&self, ex: &Explored, leaves: &[usize], target: &[bool]) -> Vec<Path> {
        let n = self.points();
        let implicant =
            |c: &Path| (0..n).all(|p| !self.satisfies(c, p) || target.get(p) == Some(&true));
        let mut cubes: Vec<Path> = Vec::new();
        for li in leaves {
            let Some(l) = ex.leaves.get(*li) else {
                continue;
            };
            let mut c = l.path.clone();
            // Negative literals render worse: drop them first.
            let mut order: Vec<(usize, bool)> = c.iter().map(|(a, v)| (*a, *v)).collect();
            order.sort_by_key(|(_, v)| *v);
            for (a, v) in order {
                c.remove(&a);
                if !implicant(&c) {
                    c.insert(a, v);
                }
            }
            if !cubes.contains(&c) {
                cubes.push(c);
            }
        }
        // Irredundant: drop a cube whose target points the others cover.
        cubes.sort_by_key(|c| std::cmp::Reverse(c.len()));
        let mut i = 0;
        while i < cubes.len() {
            let Some(c) = cubes.get(i) else { break };
            let redundant = (0..n).all(|p| {
                !self.satisfies(c, p)
                    || cubes
                        .iter()
                        .enumerate()
                        .any(|(j, o)| j != i && self.satisfies(o, p))
            });
            if redundant {
                cubes.remove(i);
            } else {
                i += 1;
            }
        }
        cubes.sort();
        cubes
    }
}

fn summarize(s: &Scenario, mut ex: Explored, readings: Readings) -> Residual {
    let present: BTreeSet<String> = s
        .unknown
        .iter()
        .filter(|u| u.present)
        .map(|u| u.key.to_ascii_lowercase())
        .collect();
    // One catalog lookup per key.
    let types: BTreeMap<String, Option<verdict_catalog::KeyType>> = s
        .unknown
        .iter()
        .map(|u| (u.key.to_ascii_lowercase(), declared_type(s, &u.key)))
        .collect();
    let typed: BTreeSet<String> = types
        .iter()
        .filter(|(_, t)| t.is_some_and(|t| t != verdict_catalog::KeyType::STRING))
        .map(|(k, _)| k.clone())
        .collect();
    let multi: BTreeSet<String> = s
        .unknown
        .iter()
        .filter(|u| {
            let lc = u.key.to_ascii_lowercase();
            match types.get(&lc).copied().flatten() {
                Some(verdict_catalog::KeyType::ArrayOf(_)) => true,
                Some(verdict_catalog::KeyType::Single(_)) => false,
                None => ex.atoms.iter().any(|a| {
                    matches!(&a.kind, AtomKind::Condition(c) if c.key_lc == lc && c.op.set.is_some())
                }),
            }
        })
        .map(|u| u.key.to_ascii_lowercase())
        .collect();
    let mut groups = groups_of(s, &mut ex, readings, &types);
    let live: Vec<&Leaf> = ex.leaves.iter().filter(|l| !l.impossible).collect();
    let allow: Vec<Path> = groups.remove(&(0, None)).unwrap_or_default();
    let allowed_cubes = allow.clone();
    let mut notes = Vec::new();
    let allow_formula = (!allow.is_empty())
        .then(|| render(&ex.atoms, &allow, &present, &typed, &multi, &mut notes));
    // A rendering that proves every allowed branch contradictory leaves nothing allowed.
    let allow_formula = allow_formula.filter(|f| f.1 > 0);
    let mut denied_when: Vec<DeniedWhen> = Vec::new();
    let mut live_deny = 0;
    for ((d, layer), paths) in groups {
        let (f, n) = render(&ex.atoms, &paths, &present, &typed, &multi, &mut notes);
        if n == 0 {
            continue;
        }
        live_deny += 1;
        denied_when.push(DeniedWhen {
            decision: if d == 1 {
                Decision::ExplicitDeny
            } else {
                Decision::ImplicitDeny
            },
            denied_by: layer,
            when: f,
        });
    }
    let (decision, residual, denied_by) = match &allow_formula {
        Some(_) if live_deny == 0 => (ResidualDecision::Allow, None, None),
        Some((f, _)) => (ResidualDecision::Conditional, Some(f.clone()), None),
        None => {
            let all_explicit = denied_when
                .iter()
                .all(|d| d.decision == Decision::ExplicitDeny);
            let layer = match denied_when.as_slice() {
                [one] => one.denied_by,
                _ => None,
            };
            if all_explicit && !denied_when.is_empty() {
                (ResidualDecision::ExplicitDeny, None, layer)
            } else {
                (ResidualDecision::ImplicitDeny, None, layer)
            }
        }
    };
    let example = |want_allow: bool| -> Option<serde_json::Value> {
        live.iter()
            .filter(|l| (l.verdict.decision == Decision::Allow) == want_allow)
            .filter_map(|l| l.witness.as_ref().map(|w| (w, l.exact_witness)))
            .find(|(w, exact)| {
                // A point of the exact space is decided by construction; any other
                // witness is re-checked by the concrete engine before it is shown.
                *exact || {
                    let d = crate::decide_as(s, &complete_request(&s.request, w)).decision;
                    (d == Decision::Allow) == want_allow
                }
            })
            .map(|(w, _)| completion_json(w))
    };
    notes.sort();
    notes.dedup();
    Residual {
        decision,
        denied_by,
        unknown: s
            .unknown
            .iter()
            .map(|u| UnknownInfo {
                key: u.key.clone(),
                present: u.present,
            })
            .collect(),
        residual,
        denied_when: if decision == ResidualDecision::Allow {
            Vec::new()
        } else {
            denied_when
        },
        allowed_example: if decision == ResidualDecision::ExplicitDeny
            || decision == ResidualDecision::ImplicitDeny
        {
            None
        } else {
            example(true)
        },
        denied_example: if decision == ResidualDecision::Allow {
            None
        } else {
            example(false)
        },
        uncertainties: Vec::new(),
        notes,
        branches: ex.leaves.len(),
        explored: ex,
        allowed_cubes,
    }
}

/// A completion as a context object (`{"k": "v", "absent": null}`).
pub fn completion_json(c: &Completion) -> serde_json::Value {
    let mut m = serde_json::Map::new();
    for (k, v) in c {
        m.insert(
            k.clone(),
            v.as_ref()
                .map(CtxValue::to_json)
                .unwrap_or(serde_json::Value::Null),
        );
    }
    serde_json::Value::Object(m)
}

// ---------------------------------------------------------------------------------------
// Representative values: finite sets of values per key that, for the operators at hand,
// meet every distinction the policies make (or are marked incomplete).

struct KeyCands {
    lc: String,
    key: String,
    /// The catalog's type for the key, if any.
    ty: Option<verdict_catalog::KeyType>,
    values: Vec<Option<CtxValue>>,
    complete: bool,
}

struct Candidates {
    keys: Vec<KeyCands>,
}

impl Candidates {
    fn build(
        s: &Scenario,
        atoms: &[Atom],
        keys: &[(String, String, bool)],
        types: &BTreeMap<String, Option<verdict_catalog::KeyType>>,
    ) -> Candidates {
        let keys = keys
            .iter()
            .map(|(lc, key, present)| {
                let ty = match types.get(lc) {
                    Some(t) => *t,
                    None => declared_type(s, key),
                };
                let (values, complete) =
                    key_candidates(lc, *present, ty, atoms, &s.request.context);
                KeyCands {
                    lc: lc.clone(),
                    key: key.clone(),
                    ty,
                    values,
                    complete,
                }
            })
            .collect();
        Candidates { keys }
    }

    /// A completion satisfying `path`, and whether `path` is proved unsatisfiable.
    fn search(
        &self,
        s: &Scenario,
        atoms: &[Atom],
        path: &Path,
        readings: Readings,
    ) -> (Option<Completion>, bool) {
        // Group the literals by the keys they read (an atom reading two keys joins them).
        let mut groups: Vec<LiteralGroup> = Vec::new();
        for (i, want) in path {
            let Some(a) = atoms.get(*i) else { continue };
            let ks: BTreeSet<String> = a.keys.iter().cloned().collect();
            let mut merged = (ks, vec![(*i, *want)]);
            let mut rest = Vec::new();
            for g in groups.drain(..) {
                if g.0.intersection(&merged.0).next().is_some() {
                    merged.0.extend(g.0);
                    merged.1.extend(g.1);
                } else {
                    rest.push(g);
                }
            }
            rest.push(merged);
            groups = rest;
        }
        let mut completion = Completion::new();
        // Keys no literal reads: absent if allowed, else their first value.
        for k in &self.keys {
            completion.insert(k.key.clone(), k.values.first().cloned().flatten());
        }
        for (ks, lits) in &groups {
            let members: Vec<&KeyCands> = self.keys.iter().filter(|k| ks.contains(&k.lc)).collect();
            let mut complete = members.len() == 1 && members.iter().all(|k| k.complete);
            // A single-valued key that must equal one of a few literals can only hold
            // those: they are then a complete set for this path.
            let forced: Option<Vec<Option<CtxValue>>> = match members.as_slice() {
                [only]
                    if !only
                        .values
                        .iter()
                        .any(|v| matches!(v, Some(CtxValue::Multi(_)))) =>
                {
                    lits.iter().find_map(|(i, want)| {
                        let AtomKind::Condition(c) = &atoms.get(*i)?.kind else {
                            return None;
                        };
                        let exact = *want
                            && c.op.base == BaseOp::StringEquals
                            && c.op.set.is_none()
                            && !c.op.if_exists
                            && c.key_lc == only.lc;
                        if !exact {
                            return None;
                        }
                        c.values
                            .iter()
                            .map(|v| match v {
                                CondValue::Text(t) if !t.template.has_variables() => {
                                    t.template.resolve_tokens(|_| None).map(|toks| {
                                        Some(CtxValue::Single(from_tokens(&toks, "*", "?")))
                                    })
                                }
                                _ => None,
                            })
                            .collect::<Option<Vec<_>>>()
                    })
                }
                _ => None,
            };
            // Strings and ARNs on one key: decided exactly by the pattern automata.
            if let [only] = members.as_slice() {
                let exact = exact_strings(s, atoms, only, lits, readings)
                    .or_else(|| exact_string_sets(s, atoms, only, lits, readings));
                match exact {
                    Some(Some(v)) => {
                        completion.insert(only.key.clone(), v);
                        continue;
                    }
                    Some(None) => return (None, true),
                    None => {}
                }
            }
            let forced_members;
            let members: Vec<&KeyCands> = match (forced, members.as_slice()) {
                (Some(values), [only]) => {
                    complete = true;
                    forced_members = KeyCands {
                        lc: only.lc.clone(),
                        key: only.key.clone(),
                        ty: only.ty,
                        values,
                        complete: true,
                    };
                    vec![&forced_members]
                }
                _ => members,
            };
            let mut found = None;
            let mut tried = 0usize;
            let mut idx = vec![0usize; members.len()];
            // One copy of the request for the group; each try sets its keys in place.
            let mut req = complete_request(&s.request, &completion);
            'outer: loop {
                tried += 1;
                if tried > 2_000 {
                    // Give up looking (the leaf then stays, unproved either way).
                    complete = false;
                    break;
                }
                for (m, i) in members.iter().zip(&idx) {
                    match m.values.get(*i).cloned().flatten() {
                        Some(v) => req.context.set(&m.key, v),
                        None => req.context.remove(&m.key),
                    }
                }
                let ok = lits.iter().all(|(i, want)| {
                    atoms
                        .get(*i)
                        .is_some_and(|a| atom_holds(a, s, &req, readings) == *want)
                });
                if ok {
                    let mut c = completion.clone();
                    for (m, i) in members.iter().zip(&idx) {
                        c.insert(m.key.clone(), m.values.get(*i).cloned().flatten());
                    }
                    found = Some(c);
                    break;
                }
                // Next combination.
                for (pos, m) in members.iter().enumerate() {
                    if let Some(slot) = idx.get_mut(pos) {
                        *slot += 1;
                        if *slot < m.values.len() {
                            continue 'outer;
                        }
                        *slot = 0;
                    }
                }
                break;
            }
            match found {
                Some(c) => completion = c,
                None => return (None, complete),
            }
        }
        (Some(completion), false)
    }
}

/// Do the literals `lits` all hold when `key` has `value` (`None`: absent)?
fn lits_hold(
    s: &Scenario,
    atoms: &[Atom],
    lits: &[(usize, bool)],
    key: &str,
    value: Option<CtxValue>,
    readings: Readings,
) -> bool {
    let mut c = Completion::new();
    c.insert(key.to_string(), value);
    let req = complete_request(&s.request, &c);
    lits.iter().all(|(i, want)| {
        atoms
            .get(*i)
            .is_some_and(|a| atom_holds(a, s, &req, readings) == *want)
    })
}

/// A string in no pattern of `avoid` and in one pattern of each list of `one_of`, trying
/// every choice; `Ok(None)` proves there is none. `Err` when it cannot be decided (too
/// many choices, automata too large, or a list with no pattern).
fn witness_choosing(
    avoid: &[(&verdict_sets::lang::Pattern, bool)],
    one_of: &[&Vec<verdict_sets::lang::Pattern>],
) -> Result<Option<String>, ()> {
    let combos: usize = one_of.iter().map(|c| c.len().max(1)).product();
    if combos > 64 {
        return Err(());
    }
    let mut idx = vec![0usize; one_of.len()];
    loop {
        let mut cons = avoid.to_vec();
        for (c, i) in one_of.iter().zip(&idx) {
            cons.push((c.get(*i).ok_or(())?, true));
        }
        match verdict_sets::lang::witness(&cons) {
            Ok(Some(w)) => return Ok(Some(w)),
            Ok(None) => {}
            Err(_) => return Err(()),
        }
        // Next choice.
        let mut pos = 0;
        loop {
            let Some(slot) = idx.get_mut(pos) else {
                return Ok(None);
            };
            *slot += 1;
            if *slot < one_of.get(pos).map_or(0, |c| c.len()) {
                break;
            }
            *slot = 0;
            pos += 1;
        }
    }
}

/// A single-valued key tested only by string or ARN operators without variables: the
/// literals are decided exactly. `Some(Some(value))` satisfies them (`None`: absent),
/// `Some(None)` proves none does, `None` when the operators are not of that kind.
fn exact_strings(
    s: &Scenario,
    atoms: &[Atom],
    key: &KeyCands,
    lits: &[(usize, bool)],
    readings: Readings,
) -> Option<Option<Option<CtxValue>>> {
    use verdict_sets::lang::Pattern;
    if key
        .values
        .iter()
        .any(|v| matches!(v, Some(CtxValue::Multi(_))))
    {
        return None;
    }
    let typed_arn = matches!(
        key.ty,
        Some(verdict_catalog::KeyType::Single(
            verdict_catalog::ValueType::Arn
        ))
    );
    // Each literal: does some value's pattern match (`want`), and the patterns.
    let mut need: Vec<(bool, Vec<Pattern>)> = Vec::new();
    for (i, want) in lits {
        let AtomKind::Condition(c) = &atoms.get(*i)?.kind else {
            return None;
        };
        // A set operator on a key that holds one value tests that value (absence is
        // tried concretely below).
        let single_key = matches!(key.ty, Some(verdict_catalog::KeyType::Single(_)));
        if c.key_lc != key.lc || c.op.set.is_some() && !single_key {
            return None;
        }
        let fam = c.op.base.family();
        if fam == Family::Arn && !typed_arn || !matches!(fam, Family::String | Family::Arn) {
            return None;
        }
        let pats = if fam == Family::Arn {
            let mut pats = Vec::new();
            for v in &c.values {
                let CondValue::Text(t) = v else { return None };
                if t.template.has_variables() {
                    return None;
                }
                pats.push(Pattern::arn_value(t.template.as_plain()?));
            }
            pats
        } else {
            string_patterns(c, &s.request.context)?
        };
        // On a present key a negated operator holds when no value matches.
        let any_match = *want != c.op.base.is_negated();
        need.push((any_match, pats));
    }
    // Absent first.
    if key.values.contains(&None) && lits_hold(s, atoms, lits, &key.key, None, readings) {
        return Some(Some(None));
    }
    // Present: one matching pattern per positive literal (a choice), none for the others.
    let arn = Pattern::any_arn();
    let mut base: Vec<(&Pattern, bool)> = Vec::new();
    if typed_arn {
        base.push((&arn, true));
    }
    let mut choices: Vec<&Vec<Pattern>> = Vec::new();
    for (any_match, pats) in &need {
        if *any_match {
            choices.push(pats);
        } else {
            base.extend(pats.iter().map(|p| (p, false)));
        }
    }
    match witness_choosing(&base, &choices) {
        Ok(Some(w)) => {
            let v = Some(CtxValue::Single(w));
            // The automata and the engine must agree; if not, decide nothing here.
            lits_hold(s, atoms, lits, &key.key, v.clone(), readings).then_some(Some(v))
        }
        Ok(None) => Some(None),
        Err(()) => None,
    }
}

/// The patterns of a string condition's values, with policy variables replaced by the
/// request's known values (literally, U15); `None` when one cannot be modelled.
fn string_patterns(
    c: &Condition,
    ctx: &crate::Context,
) -> Option<Vec<verdict_sets::lang::Pattern>> {
    use verdict_policy::glob::Token;
    use verdict_sets::lang::{GlobPart, Pattern};
    let mut pats = Vec::new();
    for v in &c.values {
        let CondValue::Text(t) = v else { return None };
        let tokens = t.template.resolve_tokens(|k| ctx.variable(k))?;
        let like = matches!(c.op.base, BaseOp::StringLike | BaseOp::StringNotLike);
        let fold = matches!(
            c.op.base,
            BaseOp::StringEqualsIgnoreCase | BaseOp::StringNotEqualsIgnoreCase
        );
        let mut parts = Vec::new();
        for tok in &tokens {
            parts.push(match tok {
                Token::Literal(x) => {
                    // Unicode case folding (the engine's) is not the automata's ASCII one:
                    // decline non-ASCII text, and `k`, which the Kelvin sign folds to.
                    if fold && (!x.is_ascii() || x.contains(['k', 'K'])) {
                        return None;
                    }
                    GlobPart::Literal(x.clone())
                }
                // Outside …Like, `*` and `?` are ordinary characters.
                Token::Star if like => GlobPart::Star,
                Token::One if like => GlobPart::One,
                Token::Star => GlobPart::Literal("*".into()),
                Token::One => GlobPart::Literal("?".into()),
            });
        }
        if !matches!(
            c.op.base,
            BaseOp::StringEquals
                | BaseOp::StringNotEquals
                | BaseOp::StringEqualsIgnoreCase
                | BaseOp::StringNotEqualsIgnoreCase
                | BaseOp::StringLike
                | BaseOp::StringNotLike
        ) {
            return None;
        }
        pats.push(Pattern::from_parts(&parts, fold));
    }
    Some(pats)
}

/// As [`exact_strings`], for set operators (`ForAllValues:` / `ForAnyValue:`) on a
/// multivalued key: every element must meet the "every" literals, and each "some"
/// literal needs one element that also meets them, so one witness element per "some"
/// literal decides it exactly. Absence and the empty list are tried concretely first.
fn exact_string_sets(
    s: &Scenario,
    atoms: &[Atom],
    key: &KeyCands,
    lits: &[(usize, bool)],
    readings: Readings,
) -> Option<Option<Option<CtxValue>>> {
    use verdict_sets::lang::Pattern;
    // (every: true / some: false, element must match one of `pats`: true / none: false, pats)
    let mut reqs: Vec<(bool, bool, Vec<Pattern>)> = Vec::new();
    for (i, want) in lits {
        let AtomKind::Condition(c) = &atoms.get(*i)?.kind else {
            return None;
        };
        let set = c.op.set?;
        if c.key_lc != key.lc || c.op.base.family() != Family::String {
            return None;
        }
        let pats = string_patterns(c, &s.request.context)?;
        let elem_match = !c.op.base.is_negated();
        let (every, matches) = match (set, *want) {
            (SetOp::ForAllValues, true) => (true, elem_match),
            (SetOp::ForAllValues, false) => (false, !elem_match),
            (SetOp::ForAnyValue, true) => (false, elem_match),
            (SetOp::ForAnyValue, false) => (true, !elem_match),
        };
        reqs.push((every, matches, pats));
    }
    let holds = |v: Option<CtxValue>| lits_hold(s, atoms, lits, &key.key, v, readings);
    if key.values.contains(&None) && holds(None) {
        return Some(Some(None));
    }
    if holds(Some(CtxValue::Multi(Vec::new()))) {
        return Some(Some(Some(CtxValue::Multi(Vec::new()))));
    }
    // One element per "some" literal, meeting every "every" literal too.
    let every: Vec<&(bool, bool, Vec<Pattern>)> = reqs.iter().filter(|r| r.0).collect();
    let some: Vec<&(bool, bool, Vec<Pattern>)> = reqs.iter().filter(|r| !r.0).collect();
    if some.is_empty() {
        // The empty list meets "every" literals by definition; if the engine says it
        // does not, the model is missing something: decide nothing.
        return None;
    }
    let mut elements = Vec::new();
    for target in &some {
        let group: Vec<&(bool, bool, Vec<Pattern>)> = every
            .iter()
            .copied()
            .chain(std::iter::once(*target))
            .collect();
        let mut base: Vec<(&Pattern, bool)> = Vec::new();
        let mut choices: Vec<&Vec<Pattern>> = Vec::new();
        for (_, matches, pats) in &group {
            if *matches {
                choices.push(pats);
            } else {
                base.extend(pats.iter().map(|p| (p, false)));
            }
        }
        let found = witness_choosing(&base, &choices).ok()?;
        match found {
            Some(w) => elements.push(w),
            None => return Some(None),
        }
    }
    elements.sort();
    elements.dedup();
    let v = CtxValue::Multi(elements);
    // The automata and the engine must agree; if not, decide nothing here.
    if holds(Some(v.clone())) {
        Some(Some(Some(v)))
    } else {
        None
    }
}

fn push(v: &mut Vec<Option<CtxValue>>, x: CtxValue) {
    let x = Some(x);
    if !v.contains(&x) {
        v.push(x);
    }
}

/// Nanoseconds since the epoch as an ISO 8601 date (`…T…Z`, with nine-digit fractions
/// when not a whole second); `None` outside the years 0–9999.
fn iso_date(ns: i128) -> Option<String> {
    let secs = i64::try_from(ns.div_euclid(1_000_000_000)).ok()?;
    let nanos = u32::try_from(ns.rem_euclid(1_000_000_000)).ok()?;
    let t = chrono::DateTime::from_timestamp(secs, nanos)?;
    if !(0..=9999).contains(&chrono::Datelike::year(&t)) {
        return None;
    }
    Some(if nanos == 0 {
        t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
    } else {
        t.format("%Y-%m-%dT%H:%M:%S%.9fZ").to_string()
    })
}

fn from_tokens(tokens: &[verdict_policy::glob::Token], star: &str, q: &str) -> String {
    use verdict_policy::glob::Token;
    tokens
        .iter()
        .map(|t| match t {
            Token::Literal(s) => s.as_str(),
            Token::Star => star,
            Token::One => q,
        })
        .collect()
}

fn instantiate(raw: &str, star: &str, q: &str) -> String {
    let mut out = String::new();
    let mut chars = raw.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '*' => out.push_str(star),
            '?' => out.push_str(q),
            '$' if chars.peek() == Some(&'{') => {
                // A variable: its value is another unknown; stand in a plain value.
                for c in chars.by_ref() {
                    if c == '}' {
                        break;
                    }
                }
                out.push('x');
            }
            c => out.push(c),
        }
    }
    out
}

fn ip_neighbours(net: &IpNet) -> Vec<String> {
    let mut v = Vec::new();
    match net {
        IpNet::V4(n) => {
            let lo = u32::from(n.network());
            let hi = u32::from(n.broadcast());
            // A host inside first (a readable example), then the edges and just outside.
            let host = (hi > lo.saturating_add(1)).then(|| lo + 1);
            for x in [
                host,
                Some(lo),
                Some(hi),
                lo.checked_sub(1),
                hi.checked_add(1),
            ]
            .into_iter()
            .flatten()
            {
                v.push(std::net::Ipv4Addr::from(x).to_string());
            }
            // The IPv4-mapped form of the block (U11: a class of its own).
            v.push(format!("::ffff:{}", n.network()));
        }
        IpNet::V6(n) => {
            let lo = u128::from(n.network());
            let hi = u128::from(n.broadcast());
            for x in [Some(lo), Some(hi), lo.checked_sub(1), hi.checked_add(1)]
                .into_iter()
                .flatten()
            {
                v.push(IpAddr::V6(std::net::Ipv6Addr::from(x)).to_string());
            }
        }
    }
    v
}

/// The catalog's type for `key` in this request, when it is not a plain string (AWS
/// then only ever sends well-typed values, and the representatives are restricted to them).
pub fn declared_type(s: &Scenario, key: &str) -> Option<verdict_catalog::KeyType> {
    verdict_catalog::catalog().key_type(&s.request.action, key)
}

fn well_typed(t: verdict_catalog::ValueType, v: &str) -> bool {
    use verdict_catalog::ValueType as V;
    match t {
        V::IpAddress => v.parse::<IpAddr>().is_ok(),
        V::Numeric => verdict_policy::condition::parse_number(v).is_some(),
        V::Bool => v == "true" || v == "false",
        V::Date => verdict_policy::condition::parse_date(v).is_some(),
        V::Arn => verdict_policy::arn::Arn::parse(v).is_some(),
        _ => true,
    }
}

/// Representative values of one unknown key, and whether they are complete.
fn key_candidates(
    lc: &str,
    present: bool,
    ty: Option<verdict_catalog::KeyType>,
    atoms: &[Atom],
    ctx: &crate::Context,
) -> (Vec<Option<CtxValue>>, bool) {
    let mut elems: Vec<Option<CtxValue>> = Vec::new();
    let mut complete = true;
    let mut numbers: Vec<Decimal> = Vec::new();
    let mut set_ops = 0usize;
    let mut plain = false;
    for a in atoms {
        let AtomKind::Condition(c) = &a.kind else {
            if a.keys.iter().any(|k| k == lc) {
                complete = false;
            }
            continue;
        };
        if c.key_lc != lc {
            if a.keys.iter().any(|k| k == lc) {
                // The key is read as a variable in another key's condition: its values
                // should meet that condition's values.
                complete = false;
                for raw in &c.raw_values {
                    push(&mut elems, CtxValue::Single(instantiate(raw, "", "x")));
                }
            }
            continue;
        }
        if c.op.set.is_some() {
            set_ops += 1;
        } else {
            plain = true;
        }
        // The engine folds case by Unicode rules; ASCII variants do not cover them all.
        if matches!(
            c.op.base,
            BaseOp::StringEqualsIgnoreCase | BaseOp::StringNotEqualsIgnoreCase
        ) {
            complete = false;
        }
        let like = matches!(
            c.op.base,
            BaseOp::StringLike | BaseOp::StringNotLike | BaseOp::ArnLike | BaseOp::ArnNotLike
        ) || c.op.base.family() == Family::Arn;
        for (v, raw) in c.values.iter().zip(c.raw_values.iter()) {
            match v {
                CondValue::Text(t) => {
                    if t.template.has_variables() {
                        complete = false;
                    }
                    let tokens = t
                        .template
                        .resolve_tokens(|k| ctx.variable(k).or_else(|| Some("x".to_string())))
                        .unwrap_or_default();
                    let wild = tokens
                        .iter()
                        .any(|t| !matches!(t, verdict_policy::glob::Token::Literal(_)));
                    if like && wild {
                        complete = false;
                        push(
                            &mut elems,
                            CtxValue::Single(from_tokens(&tokens, "x0", "y")),
                        );
                    }
                    let _ = raw;
                    let base = from_tokens(&tokens, "", "x");
                    push(&mut elems, CtxValue::Single(base.to_ascii_lowercase()));
                    push(&mut elems, CtxValue::Single(base.to_ascii_uppercase()));
                    push(&mut elems, CtxValue::Single(base));
                }
                CondValue::Number(d) => numbers.push(*d),
                CondValue::Date(ns) => {
                    // Request dates are whole nanoseconds: the threshold and its two
                    // neighbours meet every distinction (readable whole seconds first).
                    let secs = ns.div_euclid(1_000_000_000);
                    for x in [secs - 1, secs, secs + 1] {
                        if let Some(t) = iso_date(x * 1_000_000_000) {
                            push(&mut elems, CtxValue::Single(t));
                        }
                    }
                    for x in [ns - 1, *ns, ns + 1] {
                        match iso_date(x) {
                            Some(t) => push(&mut elems, CtxValue::Single(t)),
                            None => complete = false,
                        }
                    }
                }
                CondValue::Bool(_) => {
                    for b in ["true", "false", "TRUE"] {
                        push(&mut elems, CtxValue::Single(b.to_string()));
                    }
                }
                CondValue::Binary(_) => {
                    push(&mut elems, CtxValue::Single(raw.clone()));
                    push(&mut elems, CtxValue::Single("AA==".to_string()));
                }
                CondValue::Ip(net) => {
                    for x in ip_neighbours(net) {
                        push(&mut elems, CtxValue::Single(x));
                    }
                    push(&mut elems, CtxValue::Single("::1".to_string()));
                }
                CondValue::Null(_) => {}
            }
        }
    }
    numbers.sort();
    numbers.dedup();
    let mut probes: Vec<Decimal> = Vec::new();
    for (i, n) in numbers.iter().enumerate() {
        probes.push(*n);
        probes.push(*n - Decimal::ONE);
        probes.push(*n + Decimal::ONE);
        if let Some(next) = numbers.get(i + 1) {
            probes.push((*n + *next) / Decimal::TWO);
        }
    }
    for p in probes {
        push(&mut elems, CtxValue::Single(p.normalize().to_string()));
    }
    // A value no policy names (and of no operator's type), and one of each type.
    push(&mut elems, CtxValue::Single("verdict-other".to_string()));
    for v in [
        "192.0.2.1",
        "2001:db8::1",
        "12345",
        "true",
        "false",
        "2001-02-03T04:05:06Z",
        "arn:aws:verdict:us-east-1:000000000000:other",
    ] {
        push(&mut elems, CtxValue::Single(v.to_string()));
    }
    use verdict_catalog::KeyType;
    let elem_type = ty.map(|t| match t {
        KeyType::Single(v) | KeyType::ArrayOf(v) => v,
    });
    if let Some(t) = elem_type {
        elems.retain(|e| match e {
            Some(CtxValue::Single(v)) => well_typed(t, v),
            _ => true,
        });
    }
    let (plain, set_ops) = match ty {
        Some(KeyType::Single(_)) => (true, 0),
        Some(KeyType::ArrayOf(_)) => (false, set_ops.max(1)),
        None => (plain, set_ops),
    };
    if elems.is_empty() {
        // No present value at all would make "absent" the whole domain: never complete.
        complete = false;
    }
    let mut values: Vec<Option<CtxValue>> = Vec::new();
    if !present {
        values.push(None);
    }
    if plain || set_ops == 0 {
        values.extend(elems.iter().cloned());
    }
    if set_ops > 0 {
        let singles: Vec<String> = elems
            .iter()
            .filter_map(|e| match e {
                Some(CtxValue::Single(s)) => Some(s.clone()),
                _ => None,
            })
            .collect();
        values.push(Some(CtxValue::Multi(Vec::new())));
        for a in &singles {
            values.push(Some(CtxValue::Multi(vec![a.clone()])));
        }
        let cap = singles.len().min(24);
        for i in 0..cap {
            for j in (i + 1)..cap {
                if let (Some(a), Some(b)) = (singles.get(i), singles.get(j)) {
                    values.push(Some(CtxValue::Multi(vec![a.clone(), b.clone()])));
                }
            }
        }
        // A list needs one witness element per ForAnyValue-true / ForAllValues-false
        // literal; pairs cover two such literals.
        if set_ops > 2 || singles.len() > 24 {
            complete = false;
        }
        // A plain operator on a list (U6) is not covered by the reasoning above.
        if plain {
            complete = false;
        }
    }
    (values, complete)
}

// ---------------------------------------------------------------------------------------
// Simplification and rendering.

/// A conjunction without one of its atoms, and that atom.
type MergeKey = (Vec<(usize, bool)>, usize);

/// Merge and absorb conjunctions (a ∧ x ∨ a ∧ ¬x = a; a ∨ a ∧ b = a).
fn simplify(mut paths: Vec<Path>) -> Vec<Path> {
    paths.sort();
    paths.dedup();
    loop {
        // Merging, a whole pass at a time: two conjunctions that differ only in the
        // polarity of one literal become one without it.
        let mut by_rest: HashMap<MergeKey, Vec<usize>> = HashMap::new();
        for (pi, p) in paths.iter().enumerate() {
            for (a, _) in p.iter() {
                let rest: Vec<(usize, bool)> = p
                    .iter()
                    .filter(|(k, _)| *k != a)
                    .map(|(k, v)| (*k, *v))
                    .collect();
                by_rest.entry((rest, *a)).or_default().push(pi);
            }
        }
        let mut merged: Vec<Path> = Vec::new();
        let mut used = vec![false; paths.len()];
        for ((rest, a), members) in &by_rest {
            let pol = |i: &usize| paths.get(*i).and_then(|p| p.get(a)).copied();
            let has_true = members.iter().any(|i| pol(i) == Some(true));
            let has_false = members.iter().any(|i| pol(i) == Some(false));
            if has_true && has_false {
                for i in members {
                    if let Some(u) = used.get_mut(*i) {
                        *u = true;
                    }
                }
                merged.push(rest.iter().copied().collect());
            }
        }
        let changed = !merged.is_empty();
        let mut next: Vec<Path> = paths
            .iter()
            .zip(&used)
            .filter(|(_, u)| !**u)
            .map(|(p, _)| p.clone())
            .collect();
        next.extend(merged);
        next.sort();
        next.dedup();
        // Absorption: a conjunction that contains another adds nothing.
        next.sort_by_key(BTreeMap::len);
        let mut kept: Vec<Path> = Vec::with_capacity(next.len());
        for p in next {
            if !kept
                .iter()
                .any(|q| q.len() < p.len() && q.iter().all(|(k, v)| p.get(k) == Some(v)))
            {
                kept.push(p);
            }
        }
        kept.sort();
        let same = kept == paths;
        paths = kept;
        if !changed || same {
            break;
        }
    }
    paths
}

fn base_name(base: BaseOp, set: Option<SetOp>, if_exists: bool) -> String {
    let mut s = String::new();
    if let Some(set) = set {
        s.push_str(set.name());
        s.push(':');
    }
    s.push_str(base.name());
    if if_exists {
        s.push_str("IfExists");
    }
    s
}

/// The operator that is true exactly where `base` is false, value by value (for
/// well-typed values), if there is one.
fn complement(base: BaseOp) -> Option<BaseOp> {
    use BaseOp::*;
    Some(match base {
        StringEquals => StringNotEquals,
        StringNotEquals => StringEquals,
        StringEqualsIgnoreCase => StringNotEqualsIgnoreCase,
        StringNotEqualsIgnoreCase => StringEqualsIgnoreCase,
        StringLike => StringNotLike,
        StringNotLike => StringLike,
        NumericEquals => NumericNotEquals,
        NumericNotEquals => NumericEquals,
        NumericLessThan => NumericGreaterThanEquals,
        NumericLessThanEquals => NumericGreaterThan,
        NumericGreaterThan => NumericLessThanEquals,
        NumericGreaterThanEquals => NumericLessThan,
        DateEquals => DateNotEquals,
        DateNotEquals => DateEquals,
        DateLessThan => DateGreaterThanEquals,
        DateLessThanEquals => DateGreaterThan,
        DateGreaterThan => DateLessThanEquals,
        DateGreaterThanEquals => DateLessThan,
        IpAddress => NotIpAddress,
        NotIpAddress => IpAddress,
        ArnEquals => ArnNotEquals,
        ArnNotEquals => ArnEquals,
        ArnLike => ArnNotLike,
        ArnNotLike => ArnLike,
        Bool | BinaryEquals | Null => return None,
    })
}

fn is_ordering(b: BaseOp) -> bool {
    matches!(b.family(), Family::Numeric | Family::Date)
        && !matches!(
            b,
            BaseOp::NumericEquals
                | BaseOp::NumericNotEquals
                | BaseOp::DateEquals
                | BaseOp::DateNotEquals
        )
}

/// A literal as a disjunction of conjunctions of clauses; `None` when no Condition
/// block says it. An empty disjunction is false.
fn literal_blocks(
    c: &Condition,
    holds: bool,
    present: bool,
    typed: bool,
    multi: bool,
    notes: &mut Vec<String>,
) -> Option<Vec<Vec<Clause>>> {
    let clause = |op: String, values: Vec<String>| Clause {
        op,
        key: c.key.clone(),
        values,
    };
    let null = |absent: bool| clause("Null".into(), vec![absent.to_string()]);
    let op = &c.op;
    if holds {
        if op.base == BaseOp::Null {
            let want: BTreeSet<bool> = c
                .values
                .iter()
                .filter_map(|v| match v {
                    CondValue::Null(b) => Some(*b),
                    _ => None,
                })
                .collect();
            return Some(if want.len() > 1 {
                vec![vec![]]
            } else {
                want.into_iter().map(|b| vec![null(b)]).collect()
            });
        }
        return Some(vec![vec![clause(
            op.canonical_name(),
            c.raw_values.clone(),
        )]]);
    }
    // Negation. A plain operator on a multivalued key has no complement (U6).
    if multi && op.set.is_none() && op.base != BaseOp::Null {
        return None;
    }
    if op.base == BaseOp::Null {
        let want: BTreeSet<bool> = c
            .values
            .iter()
            .filter_map(|v| match v {
                CondValue::Null(b) => Some(*b),
                _ => None,
            })
            .collect();
        return Some(if want.len() > 1 {
            vec![]
        } else {
            want.into_iter().map(|b| vec![null(!b)]).collect()
        });
    }
    if !typed && op.base.family() != Family::String && op.base.family() != Family::Arn {
        notes.push(format!(
            "a negated {} clause stands for \"not {}\"; the two differ only for a request value that is not of the operator's type (U12)",
            op.base.family_name(),
            op.base.name()
        ));
    }
    // not (X IfExists) = present and not X.
    let with_presence = |mut blocks: Vec<Vec<Clause>>| {
        for b in &mut blocks {
            if !present {
                b.push(null(false));
            }
        }
        blocks
    };
    let values = c.raw_values.clone();
    match op.set {
        Some(set) => {
            let comp = complement(op.base)?;
            let other = match set {
                SetOp::ForAllValues => SetOp::ForAnyValue,
                SetOp::ForAnyValue => SetOp::ForAllValues,
            };
            let blocks = vec![vec![clause(base_name(comp, Some(other), false), values)]];
            Some(if op.if_exists {
                with_presence(blocks)
            } else {
                blocks
            })
        }
        None => {
            // The complement must also hold on an absent key (where the positive
            // operator is false), which a negated operator does by itself.
            let absent_alt = !present
                && !op.base.is_negated()
                && complement(op.base).is_none_or(|c| !c.is_negated());
            let mut blocks = if op.base == BaseOp::Bool {
                let wanted: BTreeSet<String> =
                    values.iter().map(|v| v.to_ascii_lowercase()).collect();
                let rest: Vec<String> = ["true", "false"]
                    .iter()
                    .filter(|b| !wanted.contains(**b))
                    .map(|b| (*b).to_string())
                    .collect();
                if rest.is_empty() {
                    vec![]
                } else if absent_alt && !op.if_exists {
                    // "the other value, or absent" is one operator: BoolIfExists.
                    return Some(vec![vec![clause("BoolIfExists".into(), rest)]]);
                } else {
                    vec![vec![clause("Bool".into(), rest)]]
                }
            } else {
                let comp = complement(op.base)?;
                if is_ordering(op.base) && values.len() != 1 {
                    return None;
                }
                vec![vec![clause(comp.name().to_string(), values)]]
            };
            if op.if_exists {
                return Some(with_presence(blocks));
            }
            if absent_alt {
                blocks.push(vec![null(true)]);
            }
            Some(blocks)
        }
    }
}

trait FamilyName {
    fn family_name(self) -> &'static str;
}

impl FamilyName for BaseOp {
    fn family_name(self) -> &'static str {
        match self.family() {
            Family::String => "string",
            Family::Numeric => "numeric",
            Family::Date => "date",
            Family::Bool => "Bool",
            Family::Binary => "binary",
            Family::Ip => "IP address",
            Family::Arn => "ARN",
            Family::Null => "Null",
        }
    }
}

/// Simplify one conjunction of clauses; `None` when it is contradictory.
fn simplify_block(mut b: Vec<Clause>, present: &BTreeSet<String>) -> Option<(Vec<Clause>, bool)> {
    b.sort();
    b.dedup();
    let lc = |c: &Clause| c.key.to_ascii_lowercase();
    // Null.
    let mut out: Vec<Clause> = Vec::new();
    let nulls: BTreeMap<String, BTreeSet<String>> =
        b.iter()
            .filter(|c| c.op == "Null")
            .fold(BTreeMap::new(), |mut m, c| {
                m.entry(lc(c)).or_default().extend(c.values.iter().cloned());
                m
            });
    for (k, vals) in &nulls {
        if vals.len() > 1 || (vals.contains("true") && present.contains(k)) {
            return None;
        }
    }
    for c in &b {
        let k = lc(c);
        let absent = nulls.get(&k).is_some_and(|v| v.contains("true"));
        let must_present = nulls.get(&k).is_some_and(|v| v.contains("false"));
        if c.op == "Null" {
            // Implied by a clause that needs the key.
            if must_present && b.iter().any(|o| lc(o) == k && needs_presence(&o.op)) {
                continue;
            }
            if must_present && present.contains(&k) {
                continue;
            }
            out.push(c.clone());
            continue;
        }
        if absent {
            if needs_presence(&c.op) {
                return None;
            }
            // Holds on an absent key: implied.
            continue;
        }
        out.push(c.clone());
    }
    // Same operator and key: merge value sets.
    let mut merged: Vec<Clause> = Vec::new();
    let mut expressible = true;
    for c in out {
        if let Some(m) = merged
            .iter_mut()
            .find(|m| m.op == c.op && m.key.eq_ignore_ascii_case(&c.key))
        {
            let negated = c.op.contains("Not") && !c.op.starts_with("Null");
            if negated && !c.op.starts_with("For") {
                for v in c.values {
                    if !m.values.contains(&v) {
                        m.values.push(v);
                    }
                }
            } else if matches!(c.op.as_str(), "StringEquals" | "ArnEquals" | "Bool") {
                m.values.retain(|v| c.values.contains(v));
                if m.values.is_empty() {
                    return None;
                }
            } else if c.op == "IpAddress" {
                let parse = |v: &String| v.parse::<IpNet>().ok();
                let mut keep = Vec::new();
                for a in m.values.iter().filter_map(parse) {
                    for x in c.values.iter().filter_map(parse) {
                        if a.contains(&x) {
                            keep.push(x.to_string());
                        } else if x.contains(&a) {
                            keep.push(a.to_string());
                        }
                    }
                }
                keep.sort();
                keep.dedup();
                if keep.is_empty() {
                    return None;
                }
                m.values = keep;
            } else {
                // Two clauses with one operator and key cannot share a block.
                expressible = false;
                merged.push(c);
            }
            continue;
        }
        merged.push(c);
    }
    // StringEquals minus StringNotEquals on one key.
    let mut i = 0;
    while i < merged.len() {
        let (op, key, vals) = match merged.get(i) {
            Some(c) => (c.op.clone(), c.key.clone(), c.values.clone()),
            None => break,
        };
        if op == "StringNotEquals" {
            if let Some(eq) = merged
                .iter_mut()
                .find(|m| m.op == "StringEquals" && m.key.eq_ignore_ascii_case(&key))
            {
                eq.values.retain(|v| !vals.contains(v));
                if eq.values.is_empty() {
                    return None;
                }
                merged.remove(i);
                continue;
            }
        }
        i += 1;
    }
    // CIDR lists as the fewest blocks covering the same addresses.
    for c in &mut merged {
        if matches!(c.op.as_str(), "IpAddress" | "NotIpAddress") {
            if let Some(v) = merge_cidrs(&c.values) {
                c.values = v;
            }
        }
    }
    merged.sort();
    Some((merged, expressible))
}

/// The fewest CIDR blocks with exactly the addresses of `values`, per family; `None`
/// when a value is not a CIDR block.
fn merge_cidrs(values: &[String]) -> Option<Vec<String>> {
    use verdict_sets::interval::{cidr_cover, net_interval, Family, IntervalSet};
    let mut v4 = IntervalSet::new();
    let mut v6 = IntervalSet::new();
    for v in values {
        let (f, set) = net_interval(&v.parse::<IpNet>().ok()?);
        match f {
            Family::V4 => v4 = v4.union(&set),
            Family::V6 => v6 = v6.union(&set),
        }
    }
    let mut out: Vec<String> = cidr_cover(Family::V4, &v4)
        .iter()
        .chain(cidr_cover(Family::V6, &v6).iter())
        .map(ToString::to_string)
        .collect();
    out.dedup();
    Some(out)
}

/// Does the operator need the key to be present to hold?
fn needs_presence(op: &str) -> bool {
    if op == "Null" || op.ends_with("IfExists") || op.starts_with("ForAllValues:") {
        return false;
    }
    if op.starts_with("ForAnyValue:") {
        return true;
    }
    // Plain negated operators hold on an absent key.
    !(op.contains("Not") || op == "NotIpAddress")
}

fn block_json(b: &[Clause]) -> serde_json::Value {
    let mut ops = serde_json::Map::new();
    for c in b {
        let entry = ops
            .entry(c.op.clone())
            .or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()));
        if let serde_json::Value::Object(m) = entry {
            let v = match c.values.as_slice() {
                [one] => serde_json::Value::String(one.clone()),
                many => serde_json::Value::from(many.to_vec()),
            };
            m.insert(c.key.clone(), v);
        }
    }
    serde_json::Value::Object(ops)
}

fn quote_list(v: &[String]) -> String {
    let q: Vec<String> = v.iter().map(|x| format!("\"{x}\"")).collect();
    match q.as_slice() {
        [one] => one.clone(),
        _ => format!("one of {}", q.join(", ")),
    }
}

/// "k is absent or X" said of a key known to be present.
fn present_form(t: &str) -> String {
    match t.split_once(" is absent or ") {
        Some((k, rest)) if rest.starts_with("not ") || rest.starts_with("in ") => {
            format!("{k} is {rest}")
        }
        Some((k, rest))
            if rest.starts_with("matches ") || rest.starts_with("<") || rest.starts_with(">") =>
        {
            format!("{k} {rest}")
        }
        Some((k, rest)) => format!("{k} is {rest}"),
        None => t.to_string(),
    }
}

fn ord_list(v: &[String]) -> String {
    match v {
        [one] => one.clone(),
        many => format!("any of {}", many.join(", ")),
    }
}

/// A conjunction in words; on a key the block requires to be present, negated clauses
/// lose their "absent or".
fn block_text(b: &[Clause], present: &BTreeSet<String>) -> String {
    let required: BTreeSet<String> = b
        .iter()
        .filter(|c| {
            (c.op == "Null" && c.values.iter().all(|v| v == "false")) || needs_presence(&c.op)
        })
        .map(|c| c.key.to_ascii_lowercase())
        .chain(present.iter().cloned())
        .collect();
    let words: Vec<String> = b
        .iter()
        .filter(|c| {
            // "present" is implied by another clause that needs the key.
            !(c.op == "Null"
                && c.values.iter().all(|v| v == "false")
                && b.iter().any(|o| {
                    o.op != "Null" && needs_presence(&o.op) && o.key.eq_ignore_ascii_case(&c.key)
                }))
        })
        .map(|c| {
            let t = clause_text(c);
            if required.contains(&c.key.to_ascii_lowercase()) {
                present_form(&t)
            } else {
                t
            }
        })
        .collect();
    // "k is absent or X" inside a conjunction reads as one clause only in parentheses.
    if words.len() > 1 {
        return words
            .iter()
            .map(|w| {
                if w.contains(" or ") {
                    format!("({w})")
                } else {
                    w.clone()
                }
            })
            .collect::<Vec<_>>()
            .join(" and ");
    }
    words.join(" and ")
}

/// A clause in words.
pub fn clause_text(c: &Clause) -> String {
    let k = &c.key;
    let v = quote_list(&c.values);
    let plain = |op: &str| -> Option<String> {
        Some(match op {
            "Null" => {
                return Some(if c.values.iter().any(|x| x == "true") {
                    format!("{k} is absent")
                } else {
                    format!("{k} is present")
                })
            }
            "StringEquals" | "ArnEquals" | "NumericEquals" | "DateEquals" | "Bool" => {
                format!("{k} is {v}")
            }
            "StringEqualsIgnoreCase" => format!("{k} is {v} (ignoring case)"),
            "StringLike" | "ArnLike" => format!("{k} matches {v}"),
            "IpAddress" => match c.values.as_slice() {
                [one] => format!("{k} is in {one}"),
                many => format!("{k} is in one of {}", many.join(", ")),
            },
            "StringNotEquals" | "ArnNotEquals" | "NumericNotEquals" | "DateNotEquals" => {
                format!("{k} is absent or not {}", v.replace("one of", "any of"))
            }
            "StringNotEqualsIgnoreCase" => {
                format!(
                    "{k} is absent or not {} (ignoring case)",
                    v.replace("one of", "any of")
                )
            }
            "StringNotLike" | "ArnNotLike" => {
                format!("{k} is absent or matches none of {}", c.values.join(", "))
            }
            "NotIpAddress" => match c.values.as_slice() {
                [one] => format!("{k} is absent or not in {one}"),
                many => format!("{k} is absent or in none of {}", many.join(", ")),
            },
            "NumericLessThan" | "DateLessThan" => format!("{k} < {}", ord_list(&c.values)),
            "NumericLessThanEquals" | "DateLessThanEquals" => {
                format!("{k} <= {}", ord_list(&c.values))
            }
            "NumericGreaterThan" | "DateGreaterThan" => format!("{k} > {}", ord_list(&c.values)),
            "NumericGreaterThanEquals" | "DateGreaterThanEquals" => {
                format!("{k} >= {}", ord_list(&c.values))
            }
            _ => return None,
        })
    };
    let op = c.op.as_str();
    if let Some(base) = op.strip_suffix("IfExists") {
        if !base.starts_with("For") {
            if let Some(t) = plain(base) {
                let rest = t.strip_prefix(&format!("{k} ")).unwrap_or(&t);
                let rest = rest.strip_prefix("is ").unwrap_or(rest);
                let rest = rest.strip_prefix("absent or ").unwrap_or(rest);
                return format!("{k} is absent or {rest}");
            }
        }
    }
    if let Some(t) = plain(op) {
        return t;
    }
    if let Some((set, base)) = op.split_once(':') {
        let base = base.trim_end_matches("IfExists");
        let lead = if set == "ForAnyValue" {
            format!("some value of {k}")
        } else {
            format!("every value of {k} (if any)")
        };
        return format!("{lead} satisfies {base} {v}");
    }
    format!("{op} {k} {v}")
}

/// Render the disjunction of `paths`; also returns how many blocks survived.
fn render(
    atoms: &[Atom],
    paths: &[Path],
    present: &BTreeSet<String>,
    typed: &BTreeSet<String>,
    multi: &BTreeSet<String>,
    notes: &mut Vec<String>,
) -> (Formula, usize) {
    let paths = simplify(paths.to_vec());
    let mut blocks: Vec<Vec<Clause>> = Vec::new();
    let mut words_only: Vec<String> = Vec::new();
    let mut expressible = true;
    for p in &paths {
        // Each literal is a disjunction of blocks; the path is their product.
        let mut product: Vec<Vec<Clause>> = vec![Vec::new()];
        let mut extra: Vec<String> = Vec::new();
        for (i, holds) in p {
            let Some(atom) = atoms.get(*i) else { continue };
            match &atom.kind {
                AtomKind::Condition(c) => {
                    let key_present = present.contains(&c.key_lc);
                    let key_typed = typed.contains(&c.key_lc);
                    let key_multi = multi.contains(&c.key_lc);
                    match literal_blocks(c, *holds, key_present, key_typed, key_multi, notes) {
                        Some(alts) => {
                            let mut next = Vec::new();
                            for b in &product {
                                for alt in &alts {
                                    let mut x = b.clone();
                                    x.extend(alt.iter().cloned());
                                    next.push(x);
                                }
                            }
                            product = next;
                        }
                        None => {
                            expressible = false;
                            let t = clause_text(&Clause {
                                op: c.op.canonical_name(),
                                key: c.key.clone(),
                                values: c.raw_values.clone(),
                            });
                            extra.push(format!("not ({t})"));
                        }
                    }
                }
                AtomKind::Entry(e) => {
                    expressible = false;
                    extra.push(format!(
                        "the resource {} {}",
                        if *holds { "matches" } else { "does not match" },
                        e.raw
                    ));
                }
                AtomKind::Resource { statement, .. } => {
                    expressible = false;
                    let pats: Vec<&str> = statement
                        .resource
                        .as_ref()
                        .map(|b| b.entries.iter().map(|e| e.raw.as_str()).collect())
                        .unwrap_or_default();
                    let neg = statement.resource.as_ref().is_some_and(|b| b.negated);
                    let covers = *holds;
                    extra.push(format!(
                        "the resource {} {} once its variables are substituted",
                        if covers != neg {
                            "matches"
                        } else {
                            "does not match"
                        },
                        pats.join(", ")
                    ));
                }
            }
        }
        let mut survived = Vec::new();
        for b in product {
            if let Some((b, ok)) = simplify_block(b, present) {
                expressible &= ok;
                survived.push(b);
            }
        }
        if survived.is_empty() {
            continue;
        }
        if extra.is_empty() {
            blocks.extend(survived);
        } else {
            for b in survived {
                let mut parts: Vec<String> = b.iter().map(clause_text).collect();
                parts.extend(extra.iter().cloned());
                words_only.push(parts.join(" and "));
            }
        }
    }
    blocks.sort();
    blocks.dedup();
    // A block that is a superset of another adds nothing to a disjunction.
    let snapshot = blocks.clone();
    blocks.retain(|b| {
        !snapshot
            .iter()
            .any(|o| o != b && o.len() < b.len() && o.iter().all(|c| b.contains(c)))
    });
    let n = blocks.len() + words_only.len();
    let mut texts: Vec<String> = blocks
        .iter()
        .map(|b| {
            if b.is_empty() {
                "always".to_string()
            } else {
                block_text(b, present)
            }
        })
        .collect();
    texts.extend(words_only.iter().cloned());
    let text = if texts.iter().any(|t| t == "always") {
        "always".to_string()
    } else if texts.len() > 1 {
        texts
            .iter()
            .map(|t| {
                if t.contains(" and ") {
                    format!("({t})")
                } else {
                    t.clone()
                }
            })
            .collect::<Vec<_>>()
            .join(" or ")
    } else {
        texts.join("")
    };
    let all_blocks = words_only.is_empty();
    let formula = Formula {
        condition: match blocks.as_slice() {
            [one] if all_blocks && expressible => Some(block_json(one)),
            _ => None,
        },
        any_of: (blocks.len() > 1 && all_blocks && expressible)
            .then(|| blocks.iter().map(|b| block_json(b)).collect()),
        text,
        expressible: expressible && all_blocks,
    };
    (formula, n)
}

/// Render a residual answer as text (`color`: ANSI styles).
pub fn render_text(s: &Scenario, r: &Residual, color: bool) -> String {
    use anstyle::{AnsiColor, Style};
    use std::fmt::Write;
    let st = |style: Style, t: &str| {
        if color {
            format!("{}{t}{}", style.render(), style.render_reset())
        } else {
            t.to_string()
        }
    };
    let bold = Style::new().bold();
    let red = Style::new().bold().fg_color(Some(AnsiColor::Red.into()));
    let green = Style::new().bold().fg_color(Some(AnsiColor::Green.into()));
    let yellow = Style::new().bold().fg_color(Some(AnsiColor::Yellow.into()));
    let mut o = String::new();
    let head = match (r.decision, r.denied_by) {
        (ResidualDecision::Allow, _) => st(green, "ALLOWED (whatever the unknown keys hold)"),
        (ResidualDecision::Conditional, _) => st(
            yellow,
            "CONDITIONAL (allowed only if the condition below holds)",
        ),
        (ResidualDecision::ExplicitDeny, Some(l)) => st(
            red,
            &format!(
                "DENIED whatever the unknown keys hold (explicit deny in the {})",
                l.title()
            ),
        ),
        (ResidualDecision::ImplicitDeny, Some(l)) => st(
            red,
            &format!(
                "DENIED whatever the unknown keys hold (implicit deny: {})",
                l.title()
            ),
        ),
        (d, None) => st(
            red,
            &format!("DENIED whatever the unknown keys hold ({})", d.as_str()),
        ),
    };
    let _ = writeln!(o, "{head}");
    let _ = writeln!(
        o,
        "  {} {} on {}",
        s.request.caller.display(),
        s.request.action,
        s.request.resource.as_str()
    );
    let unknown: Vec<String> = r
        .unknown
        .iter()
        .map(|u| {
            if u.present {
                format!("{} (present, value unknown)", u.key)
            } else {
                format!("{} (may be absent)", u.key)
            }
        })
        .collect();
    let _ = writeln!(o, "  unknown: {}", unknown.join(", "));
    if let Some(f) = &r.residual {
        let _ = writeln!(o, "\n{} {}", st(bold, "Allowed when:"), f.text);
        let block = f
            .condition
            .as_ref()
            .map(|c| serde_json::json!({ "Condition": c }))
            .or_else(|| {
                f.any_of
                    .as_ref()
                    .map(|a| serde_json::json!({ "any_of": a }))
            });
        if let Some(b) = block.and_then(|b| serde_json::to_string_pretty(&b).ok()) {
            let _ = writeln!(o, "\n{}", st(bold, "As policy conditions:"));
            for line in b.lines() {
                let _ = writeln!(o, "  {line}");
            }
        }
    }
    if !r.denied_when.is_empty() {
        let _ = writeln!(o, "\n{}", st(bold, "Denied when (per layer):"));
        for d in &r.denied_when {
            let how = match (d.decision, d.denied_by) {
                (Decision::ExplicitDeny, Some(l)) => format!("explicit deny in the {}", l.title()),
                (_, Some(l)) => format!("implicit deny: {}", l.title()),
                (dd, None) => dd.as_str().to_string(),
            };
            let _ = writeln!(o, "  {how}: {}", d.when.text);
        }
    }
    if let Some(e) = &r.allowed_example {
        let _ = writeln!(o, "\n{} {e}", st(bold, "Allowed for example with:"));
    }
    if let Some(e) = &r.denied_example {
        let _ = writeln!(o, "{} {e}", st(bold, "Denied for example with:"));
    }
    for u in &r.uncertainties {
        let other = u
            .otherwise_text
            .as_ref()
            .map(|t| format!(" (allowed when {t})"))
            .unwrap_or_default();
        let _ = writeln!(
            o,
            "\n{} [{}] assumed {}; otherwise {}{other}",
            st(yellow, "Unconfirmed:"),
            u.rule,
            u.assumed,
            u.otherwise.as_str()
        );
    }
    for n in &r.notes {
        let _ = writeln!(o, "\nNote: {n}");
    }
    o
}

// ---------------------------------------------------------------------------------------
// Discovery: which values of the keys the policies test would allow the request.

/// A statement that grants in one layer.
#[derive(Clone, Debug, Serialize)]
pub struct Grant {
    /// The layer.
    pub layer: Layer,
    /// The organization level, for SCPs and RCPs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<usize>,
    /// The policy.
    pub policy: String,
    /// The statement (Sid or index).
    pub statement: String,
}

/// One way to be allowed.
#[derive(Clone, Debug, Serialize)]
pub struct Way {
    /// The condition on the keys.
    #[serde(flatten)]
    pub when: Formula,
    /// Values that satisfy it (re-checked by the concrete engine).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub example: Option<serde_json::Value>,
    /// With those values, the statement that grants in each layer.
    pub granted_by: Vec<Grant>,
}

/// A key the discovery treated as unknown.
#[derive(Clone, Debug, Serialize)]
pub struct DiscoveredKey {
    /// The key.
    pub key: String,
    /// The value the request gave, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub given: Option<serde_json::Value>,
}

/// The answer of `verdict simulate --discover`.
#[derive(Clone, Debug, Serialize)]
pub struct Discovery {
    /// The decision for the request as given.
    pub decision: Decision,
    /// The keys the policies test (given values set aside).
    pub keys: Vec<DiscoveredKey>,
    /// The decision over every value of those keys.
    pub over_keys: Residual,
    /// The ways to be allowed, one per conjunction of the residual.
    pub ways: Vec<Way>,
}

/// The most ways a discovery lists (the residual itself is always whole).
pub const MAX_WAYS: usize = 10;

/// Every key the request's statements test that is not derived from the caller: the
/// keys a caller could still choose or that the snapshot cannot know.
pub fn tested_keys(s: &Scenario) -> Vec<String> {
    let p = &s.policies;
    let mut keys: Vec<String> = Vec::new();
    let all = p.all();
    let a = Assumptions::new(Readings::DEFAULT);
    let view = crate::matching::PrincipalView::new(
        &s.request.caller,
        &s.request,
        p.permissions_boundary.is_some(),
        &a,
    );
    for np in all {
        for st in &np.policy.statements {
            // Only statements whose conditions are all that stands between them and
            // the request.
            if !crate::matching::check_action(st, &s.request)
                || !crate::matching::check_resource(st, &s.request, &view).covers
                || !crate::matching::check_principal(st.principal.as_ref(), &view).applies()
            {
                continue;
            }
            for c in &st.conditions {
                let entry = s.request.context.get(&c.key_lc);
                // Keys that describe the caller (given or derived) are not the request's
                // to change.
                if entry.is_some_and(|e| e.derived) || crate::decide::is_caller_key(&c.key_lc) {
                    continue;
                }
                // A given value that satisfies an Allow's condition stays as given; a
                // key that is absent, fails a condition, or is tested by a Deny is open.
                let open = entry.is_none()
                    || st.effect == verdict_policy::Effect::Deny
                    || !crate::matching::condition_holds(c, &s.request.context, &a);
                if open && !keys.iter().any(|k| k.eq_ignore_ascii_case(&c.key)) {
                    keys.push(c.key.clone());
                }
            }
        }
    }
    keys
}

/// Discovery: make every key the policies test unknown and say which values allow.
pub fn discover(s: &Scenario) -> Result<Discovery, ResidualError> {
    let decision = crate::decide(s).decision;
    let mut u = s.clone();
    let mut keys = Vec::new();
    for k in tested_keys(s) {
        let given = s
            .request
            .context
            .get(&k.to_ascii_lowercase())
            .and_then(|e| e.values.first())
            .map(CtxValue::to_json);
        u.request.context.remove(&k);
        if !u.unknown.iter().any(|x| x.key.eq_ignore_ascii_case(&k)) {
            u.unknown.push(crate::scenario::UnknownKey {
                key: k.clone(),
                present: false,
            });
        }
        keys.push(DiscoveredKey { key: k, given });
    }
    let r = residual(&u)?;
    let present: BTreeSet<String> = u
        .unknown
        .iter()
        .filter(|x| x.present)
        .map(|x| x.key.to_ascii_lowercase())
        .collect();
    let mut ways = Vec::new();
    let cubes: Vec<Path> = match r.decision {
        ResidualDecision::Allow => vec![Path::new()],
        ResidualDecision::Conditional => r.allowed_cubes.clone(),
        _ => Vec::new(),
    };
    for cube in cubes.iter().take(MAX_WAYS) {
        let mut notes = Vec::new();
        let (when, _) = render(
            &r.explored.atoms,
            std::slice::from_ref(cube),
            &present,
            &BTreeSet::new(),
            &BTreeSet::new(),
            &mut notes,
        );
        // A witness: an allowed leaf inside this conjunction.
        let witness = r
            .explored
            .leaves
            .iter()
            .filter(|l| l.verdict.decision == Decision::Allow && !l.impossible)
            .filter(|l| cube.iter().all(|(a, v)| l.path.get(a) == Some(v)))
            .filter_map(|l| l.witness.clone())
            .find(|w| {
                crate::decide_as(&u, &complete_request(&u.request, w)).decision == Decision::Allow
            });
        let granted_by = witness
            .as_ref()
            .map(|w| grants(&complete_scenario(&u, w)))
            .unwrap_or_default();
        ways.push(Way {
            when,
            example: witness.as_ref().map(completion_json),
            granted_by,
        });
    }
    Ok(Discovery {
        decision,
        keys,
        over_keys: r,
        ways,
    })
}

/// The granting statements of each layer of a concrete, allowed scenario.
fn grants(s: &Scenario) -> Vec<Grant> {
    let e = crate::evaluate(s);
    let mut out = Vec::new();
    for l in &e.layers {
        for p in &l.policies {
            if let Some(st) = p
                .statements
                .iter()
                .find(|st| st.applies && st.effect == "Allow")
            {
                out.push(Grant {
                    layer: l.layer,
                    level: l.level,
                    policy: p.policy.clone(),
                    statement: st.sid.clone(),
                });
                break;
            }
        }
    }
    out
}

/// Render a discovery as text.
pub fn render_discovery(s: &Scenario, d: &Discovery, color: bool) -> String {
    use std::fmt::Write;
    let mut o = String::new();
    let _ = writeln!(
        o,
        "As given: {} ({} {} on {})",
        d.decision.as_str(),
        s.request.caller.display(),
        s.request.action,
        s.request.resource.as_str()
    );
    let keys: Vec<String> = d
        .keys
        .iter()
        .map(|k| match &k.given {
            Some(v) => format!("{} (given {v})", k.key),
            None => format!("{} (not given)", k.key),
        })
        .collect();
    if keys.is_empty() {
        let _ = writeln!(
            o,
            "\nThe policies test no context key for this request: no value changes the answer."
        );
        return o;
    }
    let _ = writeln!(o, "Keys the policies test: {}", keys.join(", "));
    match d.over_keys.decision {
        ResidualDecision::Allow => {
            let _ = writeln!(o, "\nAllowed whatever these keys hold.");
        }
        ResidualDecision::ExplicitDeny | ResidualDecision::ImplicitDeny => {
            let _ = writeln!(
                o,
                "\nNo values of these keys allow the request ({}): the change must be to a policy, the caller, the action or the resource.",
                d.over_keys.decision.as_str()
            );
        }
        ResidualDecision::Conditional => {
            let _ = writeln!(
                o,
                "\nAllowed exactly when: {}",
                d.over_keys
                    .residual
                    .as_ref()
                    .map(|f| f.text.as_str())
                    .unwrap_or("")
            );
        }
    }
    for (i, w) in d.ways.iter().enumerate() {
        let bold = anstyle::Style::new().bold();
        let head = format!("Way {}:", i + 1);
        let head = if color {
            format!("{}{head}{}", bold.render(), bold.render_reset())
        } else {
            head
        };
        let _ = writeln!(o, "\n{head} {}", w.when.text);
        if let Some(e) = &w.example {
            let _ = writeln!(o, "  for example {e}");
        }
        for g in &w.granted_by {
            let lvl = g.level.map(|l| format!(" level {l}")).unwrap_or_default();
            let _ = writeln!(
                o,
                "  {}{lvl}: {} grants ({})",
                g.layer.title(),
                g.statement,
                g.policy
            );
        }
    }
    o
}
