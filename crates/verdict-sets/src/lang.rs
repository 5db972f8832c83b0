//! Languages of IAM string patterns, and exact emptiness with a witness for a
//! conjunction of memberships (`s ∈ A`, `s ∉ B`, …).
//!
//! A pattern is a sequence of tokens (a literal character, compared exactly or ignoring
//! ASCII case; `?`; `*`), where `?` and `*` may be barred from matching `:` (inside the
//! first fields of an ARN). The decision runs a breadth-first search over the product of
//! the patterns' subset automata on a finite alphabet: every character the patterns name
//! (both cases where case is ignored), `:`, and one character none of them names, which
//! stands for all the others. The first accepting product state gives a shortest witness.

use std::collections::{HashSet, VecDeque};

/// One token of a compiled pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok {
    /// A character; with `fold`, compared ignoring ASCII case (`c` is lower case).
    Lit { c: char, fold: bool },
    /// `?`: one character (`colon`: may be `:`).
    One { colon: bool },
    /// `*`: any run of characters (`colon`: may contain `:`).
    Star { colon: bool },
    /// A placeholder of a catalog ARN format: a non-empty run without `:` (and, with
    /// `slash: false`, without `/`). Only [`Pattern::arn_format`] makes these.
    Name { slash: bool, started: bool },
}

impl Tok {
    fn accepts(self, x: char) -> bool {
        match self {
            Tok::Lit { c, fold: true } => x.to_ascii_lowercase() == c,
            Tok::Lit { c, fold: false } => x == c,
            Tok::One { colon } | Tok::Star { colon } => colon || x != ':',
            Tok::Name { slash, .. } => x != ':' && (slash || x != '/'),
        }
    }
}

/// One part of a glob built with [`Pattern::from_parts`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GlobPart {
    /// Text matched literally.
    Literal(String),
    /// `*`.
    Star,
    /// `?`.
    One,
}

/// A language of strings, as IAM reads one pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    toks: Vec<Tok>,
    /// Matches nothing at all (e.g. a short ARN pattern that does not end in `*`).
    nothing: bool,
}

/// The search grew past its bound; the question is left undecided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TooComplex;

impl std::fmt::Display for TooComplex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the patterns are too complex to compare exactly")
    }
}

/// The most product states explored before giving up.
pub const MAX_STATES: usize = 200_000;

/// An ARN pattern with six colon-separated parts: as it is, or, when shorter and ending
/// in `*`, padded with `:*` (§3.2 rule 8); `None` for a shorter one that does not end in
/// `*` (it matches nothing).
fn six_parts(text: &str) -> Option<std::borrow::Cow<'_, str>> {
    let parts = text.split(':').count();
    if parts >= 6 {
        return Some(std::borrow::Cow::Borrowed(text));
    }
    if !text.ends_with('*') {
        return None;
    }
    let mut p = text.to_string();
    for _ in parts..6 {
        p.push_str(":*");
    }
    Some(std::borrow::Cow::Owned(p))
}

fn push_glob(toks: &mut Vec<Tok>, text: &str, fold: bool, colon: bool) {
    for ch in text.chars() {
        toks.push(match ch {
            '*' => Tok::Star { colon },
            '?' => Tok::One { colon },
            c if fold => Tok::Lit {
                c: c.to_ascii_lowercase(),
                fold: true,
            },
            c => Tok::Lit { c, fold: false },
        });
    }
}

fn push_literal(toks: &mut Vec<Tok>, text: &str) {
    toks.extend(text.chars().map(|c| Tok::Lit { c, fold: false }));
}

impl Pattern {
    /// Every string.
    pub fn any() -> Pattern {
        Pattern {
            toks: vec![Tok::Star { colon: true }],
            nothing: false,
        }
    }

    /// No string.
    pub fn nothing() -> Pattern {
        Pattern {
            toks: Vec::new(),
            nothing: true,
        }
    }

    /// Exactly `text`.
    pub fn literal(text: &str) -> Pattern {
        let mut toks = Vec::new();
        push_literal(&mut toks, text);
        Pattern {
            toks,
            nothing: false,
        }
    }

    /// Exactly `text`, ignoring ASCII case (`StringEqualsIgnoreCase`).
    pub fn literal_fold(text: &str) -> Pattern {
        Pattern {
            toks: text
                .chars()
                .map(|c| Tok::Lit {
                    c: c.to_ascii_lowercase(),
                    fold: true,
                })
                .collect(),
            nothing: false,
        }
    }

    /// An `ArnLike` / `ArnEquals` value (§4.4.7): six parts compared case-sensitively,
    /// wildcards inside the first five never crossing `:`; a short value ending in `*`
    /// stands for its padded form, another short value matches nothing.
    pub fn arn_value(text: &str) -> Pattern {
        let Some(text) = six_parts(text) else {
            return Pattern::nothing();
        };
        let text = text.as_ref();
        let mut toks = Vec::new();
        let mut it = text.splitn(6, ':');
        for i in 0..6 {
            let part = it.next().unwrap_or("");
            if i < 5 {
                push_glob(&mut toks, part, false, false);
                toks.push(Tok::Lit {
                    c: ':',
                    fold: false,
                });
            } else {
                push_glob(&mut toks, part, false, true);
            }
        }
        Pattern {
            toks,
            nothing: false,
        }
    }

    /// A glob given as parts: literal text (its `*` and `?` are ordinary characters, as
    /// in a substituted policy variable), `*` and `?`.
    pub fn from_parts(parts: &[GlobPart], fold: bool) -> Pattern {
        let mut toks = Vec::new();
        for p in parts {
            match p {
                GlobPart::Literal(t) => {
                    for c in t.chars() {
                        toks.push(if fold {
                            Tok::Lit {
                                c: c.to_ascii_lowercase(),
                                fold: true,
                            }
                        } else {
                            Tok::Lit { c, fold: false }
                        });
                    }
                }
                GlobPart::Star => toks.push(Tok::Star { colon: true }),
                GlobPart::One => toks.push(Tok::One { colon: true }),
            }
        }
        Pattern {
            toks,
            nothing: false,
        }
    }

    /// A `*`/`?` glob over whole strings (`fold`: ignoring ASCII case), as `StringLike`
    /// reads it.
    pub fn glob(text: &str, fold: bool) -> Pattern {
        let mut toks = Vec::new();
        push_glob(&mut toks, text, fold, true);
        Pattern {
            toks,
            nothing: false,
        }
    }

    /// A `Resource` entry as IAM reads it (§3.2): `*` is every resource; otherwise
    /// `arn:` then partition, service, region and account compared ignoring case with
    /// wildcards that stay inside their field, then the resource part as a
    /// case-sensitive glob. A short pattern ending in `*` stands for its padded form; any
    /// other text that is not an ARN pattern matches nothing. (Policy variables must be
    /// substituted first.)
    pub fn resource(text: &str) -> Pattern {
        if text == "*" {
            return Pattern::any();
        }
        let Some(text) = six_parts(text) else {
            return Pattern::nothing();
        };
        let text = text.as_ref();
        let mut it = text.splitn(6, ':');
        let (Some("arn"), Some(p), Some(s), Some(r), Some(a), Some(res)) = (
            it.next(),
            it.next(),
            it.next(),
            it.next(),
            it.next(),
            it.next(),
        ) else {
            return Pattern::nothing();
        };
        let mut toks = Vec::new();
        push_literal(&mut toks, "arn:");
        for head in [p, s, r, a] {
            push_glob(&mut toks, head, true, false);
            toks.push(Tok::Lit {
                c: ':',
                fold: false,
            });
        }
        push_glob(&mut toks, res, false, true);
        Pattern {
            toks,
            nothing: false,
        }
    }

    /// A catalog ARN format (`arn:${Partition}:s3:::${BucketName}/${ObjectName}`) as the
    /// set of ARNs of that resource type: the partition `partition`, the account
    /// `account`, other placeholders non-empty names without `:` (and without `/`, except
    /// for object keys, paths and prefixes).
    pub fn arn_format(template: &str, partition: &str, account: &str) -> Pattern {
        let mut toks = Vec::new();
        let mut rest = template;
        while let Some((before, after)) = rest.split_once("${") {
            push_literal(&mut toks, before);
            let (name, tail) = after.split_once('}').unwrap_or((after, ""));
            // Which ARN field the placeholder stands in (colons so far).
            let field = template
                .len()
                .saturating_sub(rest.len())
                .saturating_add(before.len());
            let colons = template.get(..field).map_or(0, |h| h.matches(':').count());
            match name {
                "Partition" => push_literal(&mut toks, partition),
                _ if colons == 4 => push_literal(&mut toks, account),
                "Account" => push_literal(&mut toks, account),
                n => {
                    let lc = n.to_ascii_lowercase();
                    let slash = ["object", "key", "path", "prefix"]
                        .iter()
                        .any(|w| lc.contains(w));
                    toks.push(Tok::Name {
                        slash,
                        started: false,
                    });
                    toks.push(Tok::Name {
                        slash,
                        started: true,
                    });
                }
            }
            rest = tail;
        }
        push_literal(&mut toks, rest);
        Pattern {
            toks,
            nothing: false,
        }
    }

    /// Every well-formed request ARN: `arn:`, a non-empty partition and service, any
    /// region and account, any resource part.
    pub fn any_arn() -> Pattern {
        let mut toks = Vec::new();
        push_literal(&mut toks, "arn:");
        for nonempty in [true, true, false, false] {
            if nonempty {
                toks.push(Tok::One { colon: false });
            }
            toks.push(Tok::Star { colon: false });
            toks.push(Tok::Lit {
                c: ':',
                fold: false,
            });
        }
        toks.push(Tok::Star { colon: true });
        Pattern {
            toks,
            nothing: false,
        }
    }

    /// Does `s` belong to the language?
    pub fn matches(&self, s: &str) -> bool {
        if self.nothing {
            return false;
        }
        let mut set = Bits::new(self.toks.len() + 1);
        set.insert(0);
        self.close(&mut set);
        for x in s.chars() {
            set = self.step(&set, x);
            if set.is_empty() {
                return false;
            }
        }
        set.contains(self.toks.len())
    }

    /// Add the positions reachable by letting a `*` match nothing.
    fn close(&self, set: &mut Bits) {
        for i in 0..self.toks.len() {
            let skippable = matches!(
                self.toks.get(i),
                Some(Tok::Star { .. } | Tok::Name { started: true, .. })
            );
            if set.contains(i) && skippable {
                set.insert(i + 1);
            }
        }
    }

    fn step(&self, set: &Bits, x: char) -> Bits {
        let mut next = Bits::new(self.toks.len() + 1);
        for (i, t) in self.toks.iter().enumerate() {
            if !set.contains(i) || !t.accepts(x) {
                continue;
            }
            match t {
                Tok::Star { .. } | Tok::Name { started: true, .. } => next.insert(i),
                _ => next.insert(i + 1),
            }
        }
        self.close(&mut next);
        next
    }

    fn start(&self) -> Bits {
        let mut set = Bits::new(self.toks.len() + 1);
        if !self.nothing {
            set.insert(0);
            self.close(&mut set);
        }
        set
    }

    fn accepting(&self, set: &Bits) -> bool {
        !self.nothing && set.contains(self.toks.len())
    }

    fn literal_chars(&self) -> impl Iterator<Item = char> + '_ {
        self.toks.iter().flat_map(|t| match t {
            Tok::Lit { c, fold: true } => vec![*c, c.to_ascii_uppercase()],
            Tok::Lit { c, fold: false } => vec![*c],
            _ => Vec::new(),
        })
    }
}

/// A small bitset of automaton positions.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Bits(Vec<u64>);

impl Bits {
    fn new(n: usize) -> Bits {
        Bits(vec![0; n.div_ceil(64).max(1)])
    }
    fn insert(&mut self, i: usize) {
        if let Some(w) = self.0.get_mut(i / 64) {
            *w |= 1u64 << (i % 64);
        }
    }
    fn contains(&self, i: usize) -> bool {
        self.0
            .get(i / 64)
            .is_some_and(|w| w & (1u64 << (i % 64)) != 0)
    }
    fn is_empty(&self) -> bool {
        self.0.iter().all(|w| *w == 0)
    }
}

/// A shortest string that is in every pattern paired with `true` and in none paired
/// with `false`; `Ok(None)` when there is none (exactly).
pub fn witness(constraints: &[(&Pattern, bool)]) -> Result<Option<String>, TooComplex> {
    // A positive "nothing" is unsatisfiable; a negative one constrains nothing.
    if constraints.iter().any(|(p, want)| p.nothing && *want) {
        return Ok(None);
    }
    let live: Vec<(&Pattern, bool)> = constraints
        .iter()
        .filter(|(p, _)| !p.nothing)
        .map(|(p, w)| (*p, *w))
        .collect();
    // The alphabet: named characters, ':' and one character none of them names.
    let mut alphabet: Vec<char> = live
        .iter()
        .flat_map(|(p, _)| p.literal_chars())
        .chain([':'])
        .collect();
    // Lower case first, so that witnesses read like real names.
    let rank = |c: char| {
        if c.is_ascii_lowercase() {
            0
        } else if c.is_ascii_digit() {
            1
        } else if c.is_ascii_uppercase() {
            3
        } else {
            2
        }
    };
    alphabet.sort_unstable_by_key(|c| (rank(*c), *c));
    alphabet.dedup();
    if let Some(other) = ['x', 'e', '0', 'q', 'z', '_', '~', 'é']
        .into_iter()
        .find(|c| !alphabet.contains(c))
    {
        alphabet.push(other);
    }
    let start: Vec<Bits> = live.iter().map(|(p, _)| p.start()).collect();
    let done = |st: &[Bits]| {
        live.iter()
            .zip(st)
            .all(|((p, want), s)| p.accepting(s) == *want)
    };
    // A positive pattern with no live position can never accept again.
    let dead = |st: &[Bits]| {
        live.iter()
            .zip(st)
            .any(|((_, want), s)| *want && s.is_empty())
    };
    let mut seen: HashSet<Vec<Bits>> = HashSet::new();
    let mut parent: Vec<(usize, char)> = Vec::new();
    let mut states: Vec<Vec<Bits>> = Vec::new();
    let mut queue = VecDeque::new();
    seen.insert(start.clone());
    states.push(start);
    parent.push((usize::MAX, ' '));
    queue.push_back(0usize);
    while let Some(id) = queue.pop_front() {
        let Some(st) = states.get(id).cloned() else {
            break;
        };
        if done(&st) {
            let mut out = Vec::new();
            let mut at = id;
            while let Some((p, c)) = parent.get(at).copied() {
                if p == usize::MAX {
                    break;
                }
                out.push(c);
                at = p;
            }
            out.reverse();
            return Ok(Some(out.into_iter().collect()));
        }
        for &x in &alphabet {
            let next: Vec<Bits> = live
                .iter()
                .zip(&st)
                .map(|((p, _), s)| p.step(s, x))
                .collect();
            if dead(&next) || seen.contains(&next) {
                continue;
            }
            if seen.len() >= MAX_STATES {
                return Err(TooComplex);
            }
            seen.insert(next.clone());
            states.push(next);
            parent.push((id, x));
            queue.push_back(states.len() - 1);
        }
    }
    Ok(None)
}

/// Is every string of `a` in `b`? (Exact.)
pub fn subset(a: &Pattern, b: &Pattern) -> Result<bool, TooComplex> {
    witness(&[(a, true), (b, false)]).map(|w| w.is_none())
}

/// Do `a` and `b` share no string? (Exact.)
pub fn disjoint(a: &Pattern, b: &Pattern) -> Result<bool, TooComplex> {
    witness(&[(a, true), (b, true)]).map(|w| w.is_none())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn globs() {
        let p = Pattern::glob("home/*", false);
        assert!(p.matches("home/"));
        assert!(p.matches("home/a/b"));
        assert!(!p.matches("Home/a"));
        assert!(Pattern::glob("home/*", true).matches("HOME/a"));
        assert!(Pattern::glob("log?", false).matches("log1"));
        assert!(!Pattern::glob("log?", false).matches("log"));
    }

    #[test]
    fn resource_patterns_read_as_iam_does() {
        let p = Pattern::resource("arn:aws:s3:::bkt/*");
        assert!(p.matches("arn:aws:s3:::bkt/a:b"));
        assert!(
            p.matches("arn:AWS:S3:::bkt/x"),
            "fields compare ignoring case"
        );
        assert!(
            !p.matches("arn:aws:s3:::BKT/x"),
            "the resource part is case-sensitive"
        );
        let q = Pattern::resource("arn:aws:sqs:*:*:q");
        assert!(
            !q.matches("arn:aws:sqs:us-east-1:a:b:q"),
            "* stays inside a field"
        );
        assert!(Pattern::resource("arn:aws:sqs:*").matches("arn:aws:sqs:us-east-1:111122223333:q"));
        assert!(!Pattern::resource("arn:aws:sqs:us-east-1").matches("arn:aws:sqs:us-east-1::q"));
        assert!(Pattern::resource("*").matches("anything"));
    }

    #[test]
    fn arn_formats() {
        let bucket = Pattern::arn_format("arn:${Partition}:s3:::${BucketName}", "aws", "1");
        assert!(bucket.matches("arn:aws:s3:::reports"));
        assert!(
            !bucket.matches("arn:aws:s3:::reports/x"),
            "a bucket name has no /"
        );
        assert!(!bucket.matches("arn:aws:s3:::"), "names are not empty");
        let object = Pattern::arn_format(
            "arn:${Partition}:s3:::${BucketName}/${ObjectName}",
            "aws",
            "1",
        );
        assert!(object.matches("arn:aws:s3:::b/a/b.csv"));
        let q = Pattern::arn_format(
            "arn:${Partition}:sqs:${Region}:${Account}:${QueueName}",
            "aws",
            "111122223333",
        );
        assert!(q.matches("arn:aws:sqs:us-east-1:111122223333:q"));
        assert!(!q.matches("arn:aws:sqs:us-east-1:444455556666:q"));
    }

    #[test]
    fn witnesses_and_emptiness() {
        let set = Pattern::resource("arn:aws:s3:::bkt/private/*");
        let secret = Pattern::resource("arn:aws:s3:::bkt/private/secret/*");
        let all = Pattern::resource("arn:aws:s3:::bkt/*");
        let w = witness(&[(&set, true), (&secret, false)]).unwrap().unwrap();
        assert!(set.matches(&w) && !secret.matches(&w));
        assert_eq!(subset(&set, &all), Ok(true));
        assert_eq!(subset(&all, &set), Ok(false));
        let public = Pattern::resource("arn:aws:s3:::bkt/public/*");
        assert_eq!(disjoint(&set, &public), Ok(true));
        // `?*` and `*?` are the same language (what a syntactic check misses).
        assert_eq!(
            subset(&Pattern::glob("?*", false), &Pattern::glob("*?", false)),
            Ok(true)
        );
        assert_eq!(witness(&[(&Pattern::nothing(), true)]), Ok(None));
    }

    fn reference(p: &str, s: &str) -> bool {
        // Plain recursive glob matcher.
        fn go(p: &[char], s: &[char]) -> bool {
            match p.first() {
                None => s.is_empty(),
                Some('*') => go(&p[1..], s) || (!s.is_empty() && go(p, &s[1..])),
                Some('?') => !s.is_empty() && go(&p[1..], &s[1..]),
                Some(c) => s.first() == Some(c) && go(&p[1..], &s[1..]),
            }
        }
        let p: Vec<char> = p.chars().collect();
        let s: Vec<char> = s.chars().collect();
        go(&p, &s)
    }

    proptest! {
        #[test]
        fn matching_agrees_with_a_reference(p in "[ab*?]{0,6}", s in "[ab]{0,6}") {
            prop_assert_eq!(Pattern::glob(&p, false).matches(&s), reference(&p, &s));
        }

        #[test]
        fn witnesses_are_right_and_emptiness_is_exact(
            a in "[ab*?]{0,5}", b in "[ab*?]{0,5}", wa in any::<bool>(), wb in any::<bool>()
        ) {
            let (pa, pb) = (Pattern::glob(&a, false), Pattern::glob(&b, false));
            match witness(&[(&pa, wa), (&pb, wb)]).unwrap() {
                Some(w) => {
                    prop_assert_eq!(pa.matches(&w), wa);
                    prop_assert_eq!(pb.matches(&w), wb);
                }
                None => {
                    // No string of length up to 7 over {a, b, c} satisfies it either.
                    let mut all = vec![String::new()];
                    for _ in 0..7 {
                        let next: Vec<String> = all.iter().flat_map(|s| ["a", "b", "c"].map(|c| format!("{s}{c}"))).collect();
                        all.extend(next);
                        if all.len() > 4000 { break; }
                    }
                    for s in all {
                        prop_assert!(!(pa.matches(&s) == wa && pb.matches(&s) == wb), "{} satisfies it", s);
                    }
                }
            }
        }
    }
}
