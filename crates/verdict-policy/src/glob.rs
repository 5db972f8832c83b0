//! IAM wildcard patterns: `*` matches any run of characters (including none) and
//! `?` exactly one character (iam-semantics §3.1, §3.2, §4.4.1).

/// One element of a pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Token {
    /// Text matched literally (a `*` or `?` in it is an ordinary character).
    Literal(String),
    /// `*`
    Star,
    /// `?`
    One,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Byte(u8),
    Star,
    One,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Plan {
    Any,
    Exact(String),
    Prefix(String),
    General(Vec<Op>),
}

/// A compiled wildcard pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Glob {
    plan: Plan,
}

impl Glob {
    /// Compile `pattern`, treating `*` and `?` as wildcards.
    pub fn new(pattern: &str) -> Glob {
        // Most patterns are literal or end in their only `*`: no token list needed.
        let plan = match pattern.find(['*', '?']) {
            None => Plan::Exact(pattern.to_string()),
            Some(i) if i + 1 == pattern.len() => match pattern.strip_suffix('*') {
                Some("") => Plan::Any,
                Some(prefix) => Plan::Prefix(prefix.to_string()),
                None => return Glob::from_tokens(&tokenize(pattern)),
            },
            Some(_) => return Glob::from_tokens(&tokenize(pattern)),
        };
        Glob { plan }
    }

    /// A pattern that matches `text` literally.
    pub fn literal(text: &str) -> Glob {
        Glob {
            plan: Plan::Exact(text.to_string()),
        }
    }

    /// Compile a token sequence.
    pub fn from_tokens(tokens: &[Token]) -> Glob {
        let mut ops = Vec::new();
        for t in tokens {
            match t {
                Token::Literal(s) => ops.extend(s.bytes().map(Op::Byte)),
                Token::Star => {
                    if ops.last() != Some(&Op::Star) {
                        ops.push(Op::Star)
                    }
                }
                Token::One => ops.push(Op::One),
            }
        }
        let plan = if ops == [Op::Star] {
            Plan::Any
        } else if ops.iter().all(|o| matches!(o, Op::Byte(_))) {
            Plan::Exact(bytes_to_string(&ops))
        } else if let Some(head) = ops
            .strip_suffix(&[Op::Star])
            .filter(|head| head.iter().all(|o| matches!(o, Op::Byte(_))))
        {
            Plan::Prefix(bytes_to_string(head))
        } else {
            Plan::General(ops)
        };
        Glob { plan }
    }

    /// True if the pattern is exactly `*`.
    pub fn is_any(&self) -> bool {
        self.plan == Plan::Any
    }

    /// True if the pattern has no wildcard.
    pub fn is_literal(&self) -> bool {
        matches!(self.plan, Plan::Exact(_))
    }

    /// Does `text` match the whole pattern?
    pub fn matches(&self, text: &str) -> bool {
        match &self.plan {
            Plan::Any => true,
            Plan::Exact(s) => short_eq(s.as_bytes(), text.as_bytes()),
            Plan::Prefix(p) => text
                .as_bytes()
                .get(..p.len())
                .is_some_and(|head| short_eq(p.as_bytes(), head)),
            Plan::General(ops) => general_match(ops, text.as_bytes()),
        }
    }
}

/// Byte equality that stays inline for the short strings policies are made of
/// (service prefixes, regions, accounts, action names), instead of calling `memcmp`.
#[inline]
pub fn short_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    if a.len() > 32 {
        return a == b;
    }
    let mut diff = 0u8;
    for (x, y) in a.iter().zip(b) {
        diff |= x ^ y;
    }
    diff == 0
}

fn bytes_to_string(ops: &[Op]) -> String {
    let bytes: Vec<u8> = ops
        .iter()
        .filter_map(|o| match o {
            Op::Byte(b) => Some(*b),
            _ => None,
        })
        .collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// A borrowed pattern token, produced by resolving a template without allocating strings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokRef<'a> {
    /// Literal text.
    Lit(&'a str),
    /// `*`
    Star,
    /// `?`
    One,
}

/// Push the tokens of `pattern` (wildcards active) onto `out`, borrowing its text.
pub fn tokenize_into<'a>(pattern: &'a str, out: &mut Vec<TokRef<'a>>) {
    let mut start = 0;
    for (i, c) in pattern.char_indices() {
        if c == '*' || c == '?' {
            if let Some(lit) = pattern.get(start..i).filter(|lit| !lit.is_empty()) {
                out.push(TokRef::Lit(lit));
            }
            out.push(if c == '*' { TokRef::Star } else { TokRef::One });
            start = i + 1;
        }
    }
    if let Some(lit) = pattern.get(start..).filter(|lit| !lit.is_empty()) {
        out.push(TokRef::Lit(lit));
    }
}

/// True if the literal tokens, concatenated, equal `text` (wildcard tokens never match).
pub fn refs_equal(tokens: &[TokRef<'_>], text: &str) -> bool {
    let mut rest = text;
    for t in tokens {
        match t {
            TokRef::Lit(l) => match rest.strip_prefix(l) {
                Some(r) => rest = r,
                None => return false,
            },
            _ => return false,
        }
    }
    rest.is_empty()
}

/// Match `text` against borrowed tokens, with the same semantics as [`Glob::matches`].
pub fn match_refs(tokens: &[TokRef<'_>], text: &str) -> bool {
    // The pattern cursor is (token index, byte offset inside a literal).
    fn op_at(tokens: &[TokRef<'_>], mut ti: usize, mut bi: usize) -> (Option<Op>, usize, usize) {
        while let Some(t) = tokens.get(ti) {
            match t {
                TokRef::Lit(l) => match l.as_bytes().get(bi) {
                    Some(&b) => return (Some(Op::Byte(b)), ti, bi),
                    None => {
                        ti += 1;
                        bi = 0;
                    }
                },
                TokRef::Star => return (Some(Op::Star), ti, 0),
                TokRef::One => return (Some(Op::One), ti, 0),
            }
        }
        (None, ti, 0)
    }
    fn advance(tokens: &[TokRef<'_>], ti: usize, bi: usize) -> (usize, usize) {
        match tokens.get(ti) {
            Some(TokRef::Lit(l)) if bi + 1 < l.len() => (ti, bi + 1),
            _ => (ti + 1, 0),
        }
    }
    let text = text.as_bytes();
    let (mut ti, mut bi, mut t) = (0usize, 0usize, 0usize);
    let mut star: Option<(usize, usize, usize)> = None;
    while let Some(&c) = text.get(t) {
        let (op, cti, cbi) = op_at(tokens, ti, bi);
        ti = cti;
        bi = cbi;
        match op {
            Some(Op::Byte(b)) if b == c => {
                (ti, bi) = advance(tokens, ti, bi);
                t += 1;
                continue;
            }
            Some(Op::One) => {
                (ti, bi) = advance(tokens, ti, bi);
                t = (t + utf8_len(c)).min(text.len());
                continue;
            }
            Some(Op::Star) => {
                (ti, bi) = advance(tokens, ti, bi);
                star = Some((ti, bi, t));
                continue;
            }
            _ => {}
        }
        match star {
            Some((sti, sbi, st)) => {
                let next = step_char(text, st);
                star = Some((sti, sbi, next));
                ti = sti;
                bi = sbi;
                t = next;
            }
            None => return false,
        }
    }
    loop {
        match op_at(tokens, ti, bi) {
            (None, _, _) => return true,
            (Some(Op::Star), cti, _) => {
                ti = cti + 1;
                bi = 0;
            }
            _ => return false,
        }
    }
}

/// Split a pattern into literal runs and wildcards.
pub fn tokenize(pattern: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut lit = String::new();
    for c in pattern.chars() {
        match c {
            '*' | '?' => {
                if !lit.is_empty() {
                    out.push(Token::Literal(std::mem::take(&mut lit)));
                }
                out.push(if c == '*' { Token::Star } else { Token::One });
            }
            _ => lit.push(c),
        }
    }
    if !lit.is_empty() {
        out.push(Token::Literal(lit));
    }
    out
}

/// True if `s` contains `*` or `?`.
pub fn has_wildcard(s: &str) -> bool {
    s.contains(['*', '?'])
}

fn utf8_len(lead: u8) -> usize {
    match lead {
        0x00..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        _ => 4,
    }
}

/// The offset just past the character starting at `at`, clamped to the end of `text`.
#[inline]
fn step_char(text: &[u8], at: usize) -> usize {
    match text.get(at) {
        Some(&lead) => (at + utf8_len(lead)).min(text.len()),
        None => text.len(),
    }
}

/// Iterative wildcard matching with single-star backtracking: linear in practice,
/// O(n·m) worst case, never recursive.
fn general_match(ops: &[Op], text: &[u8]) -> bool {
    let (mut p, mut t) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while let Some(&c) = text.get(t) {
        match ops.get(p) {
            Some(Op::Byte(b)) if *b == c => {
                p += 1;
                t += 1;
                continue;
            }
            Some(Op::One) => {
                p += 1;
                t = (t + utf8_len(c)).min(text.len());
                continue;
            }
            Some(Op::Star) => {
                star = Some((p, t));
                p += 1;
                continue;
            }
            _ => {}
        }
        match star {
            Some((sp, st)) => {
                let next = step_char(text, st);
                star = Some((sp, next));
                p = sp + 1;
                t = next;
            }
            None => return false,
        }
    }
    ops.iter().skip(p).all(|o| *o == Op::Star)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn basics() {
        assert!(Glob::new("iam:*accesskey*").matches("iam:listaccesskeys"));
        assert!(!Glob::new("iam:*accesskey*").matches("iam:getuser"));
        assert!(Glob::new("get?bject").matches("getobject"));
        assert!(!Glob::new("get?bject").matches("getobjectacl"));
        assert!(Glob::new("B/*/test/*").matches("B//test/object.jpg"));
        assert!(Glob::new("B/*/test/*").matches("B/1/test/"));
        assert!(!Glob::new("B/*/test/*").matches("B/test/object.jpg"));
        assert!(!Glob::new("B/*/test/*").matches("B/1-test/object.jpg"));
        assert!(Glob::new("a?c").matches("aéc"));
        assert!(Glob::new("*").matches(""));
        assert!(!Glob::new("?").matches(""));
    }

    #[test]
    fn literal_tokens_keep_wildcard_characters() {
        let g = Glob::from_tokens(&[Token::Literal("a*b".into())]);
        assert!(g.matches("a*b"));
        assert!(!g.matches("axb"));
    }

    proptest! {
        #[test]
        fn literal_matches_only_itself(a in "[a-zA-Z0-9/:._-]{0,20}", b in "[a-zA-Z0-9/:._-]{0,20}") {
            let g = Glob::new(&a);
            prop_assert!(g.matches(&a));
            prop_assert_eq!(g.matches(&b), a == b);
        }

        #[test]
        fn star_matches_everything(s in "\\PC{0,40}") {
            prop_assert!(Glob::new("*").matches(&s));
        }

        #[test]
        fn prefix_star(p in "[a-z]{0,8}", s in "\\PC{0,20}") {
            let g = Glob::new(&format!("{p}*"));
            let text = format!("{p}{s}");
            prop_assert!(g.matches(&text));
        }

        #[test]
        fn question_marks_match_exact_length(s in "[a-z]{0,10}") {
            let g = Glob::new(&"?".repeat(s.chars().count()));
            prop_assert!(g.matches(&s));
            let longer = format!("{s}x");
            prop_assert!(!g.matches(&longer));
        }

        #[test]
        fn borrowed_tokens_agree_with_glob(p in "[ab*?]{0,8}", s in "[ab]{0,10}") {
            let mut toks = Vec::new();
            tokenize_into(&p, &mut toks);
            prop_assert_eq!(match_refs(&toks, &s), Glob::new(&p).matches(&s));
        }

        #[test]
        fn general_agrees_with_regex(p in "[ab*?]{0,8}", s in "[ab]{0,10}") {
            let re = format!("^{}$", p.replace('*', ".*").replace('?', "."));
            let re = regex_lite_match(&re, &s);
            prop_assert_eq!(Glob::new(&p).matches(&s), re);
        }
    }

    // Tiny backtracking regex for `.`, `.*`, literals (test oracle only).
    #[allow(clippy::string_slice)]
    fn regex_lite_match(re: &str, s: &str) -> bool {
        fn m(p: &[u8], s: &[u8]) -> bool {
            if p.is_empty() {
                return s.is_empty();
            }
            if p.len() >= 2 && p[1] == b'*' {
                return m(&p[2..], s)
                    || (!s.is_empty() && (p[0] == b'.' || p[0] == s[0]) && m(p, &s[1..]));
            }
            !s.is_empty() && (p[0] == b'.' || p[0] == s[0]) && m(&p[1..], &s[1..])
        }
        let inner = &re[1..re.len() - 1];
        m(inner.as_bytes(), s.as_bytes())
    }
}
