//! Small string helpers shared by the lookups: ASCII case folding, IAM action
//! wildcards and condition-key templates.

use std::cmp::Ordering;

/// Compares two strings as if both were ASCII-lower-cased first.
///
/// This is the order of every sorted list in the data file (the generator sorts by
/// `str.lower()`, which agrees with ASCII folding on the ASCII-only names AWS uses).
pub(crate) fn cmp_folded(a: &str, b: &str) -> Ordering {
    // A plain loop: the generic iterator comparison costs several times more, and this
    // runs for every key lookup of every evaluation.
    let (a, b) = (a.as_bytes(), b.as_bytes());
    for (x, y) in a.iter().zip(b) {
        let (x, y) = (x.to_ascii_lowercase(), y.to_ascii_lowercase());
        if x != y {
            return x.cmp(&y);
        }
    }
    a.len().cmp(&b.len())
}

/// The canonical order of the data file: folded text first, exact text second.
pub(crate) fn cmp_canonical(a: &str, b: &str) -> Ordering {
    cmp_folded(a, b).then_with(|| a.cmp(b))
}

/// Matches `text` against an IAM wildcard `pattern`, ignoring ASCII case.
///
/// `*` matches any run of characters (including none) and `?` exactly one character;
/// every other character matches itself. This is the rule for the name part of an
/// `Action` element.
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    // Classic greedy matcher with a single backtrack point (the last `*` seen).
    let (mut p, mut t) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some('*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == '?' || chars_eq_folded(c, text.get(t).copied()) => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((star_p, star_t)) => {
                    p = star_p + 1;
                    t = star_t + 1;
                    star = Some((star_p, star_t + 1));
                }
                None => return false,
            },
        }
    }
    pattern
        .get(p..)
        .is_some_and(|rest| rest.iter().all(|&c| c == '*'))
}

fn chars_eq_folded(a: char, b: Option<char>) -> bool {
    b.is_some_and(|b| a.eq_ignore_ascii_case(&b))
}

/// True when `text` contains an IAM wildcard character.
pub(crate) fn has_wildcard(text: &str) -> bool {
    text.contains(['*', '?'])
}

/// One piece of a compiled template: literal text or a variable part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Piece {
    /// Text that must appear as is; `folded` selects ASCII-case-insensitive comparison.
    Literal { text: String, folded: bool },
    /// A run of characters. `min` is its minimum length in bytes; with `stop_at_colon`
    /// the run may not contain `:`.
    Var { min: usize, stop_at_colon: bool },
}

/// Runs a compiled template against `text`; true when the whole text matches.
///
/// Dynamic programming over byte positions, so it never backtracks exponentially:
/// `O(pieces × len²)` in the worst case, with tiny constants for ARNs and keys.
pub(crate) fn run_pieces(pieces: &[Piece], text: &str) -> bool {
    let bytes = text.as_bytes();
    // The literal that starts the pattern (ARN formats start with `arn:`, key families
    // with their prefix) settles most texts without the table.
    if let Some(Piece::Literal { text: lit, folded }) = pieces.first() {
        let Some(head) = bytes.get(..lit.len()) else {
            return false;
        };
        let same = if *folded {
            head.eq_ignore_ascii_case(lit.as_bytes())
        } else {
            head == lit.as_bytes()
        };
        if !same {
            return false;
        }
    }
    // reach[i]: the pieces so far can consume exactly the first i bytes. Two rows,
    // swapped per piece.
    let mut reach = vec![false; bytes.len() + 1];
    let mut next = vec![false; bytes.len() + 1];
    if let Some(first) = reach.first_mut() {
        *first = true;
    }
    for piece in pieces {
        next.fill(false);
        match piece {
            Piece::Literal { text: lit, folded } => {
                let lit = lit.as_bytes();
                for (start, _) in reach.iter().enumerate().filter(|(_, r)| **r) {
                    let Some(slice) = bytes.get(start..start + lit.len()) else {
                        continue;
                    };
                    let same = if *folded {
                        slice.eq_ignore_ascii_case(lit)
                    } else {
                        slice == lit
                    };
                    if let (true, Some(slot)) = (same, next.get_mut(start + lit.len())) {
                        *slot = true;
                    }
                }
            }
            Piece::Var { min, stop_at_colon } => {
                // Sweep left to right, remembering the earliest reachable start of the
                // current run; a colon ends the run when the variable may not cross it.
                let mut earliest: Option<usize> = None;
                for (pos, (slot, reachable)) in next.iter_mut().zip(&reach).enumerate() {
                    if *reachable && earliest.is_none() {
                        earliest = Some(pos);
                    }
                    if earliest.is_some_and(|start| pos >= start + min) {
                        *slot = true;
                    }
                    if *stop_at_colon && bytes.get(pos) == Some(&b':') {
                        earliest = None;
                    }
                }
            }
        }
        if !next.contains(&true) {
            return false;
        }
        std::mem::swap(&mut reach, &mut next);
    }
    reach.last().copied().unwrap_or(false)
}

/// A condition-key name that contains a variable part, such as
/// `aws:RequestTag/${TagKey}`, `s3:ExistingObjectTag/<key>`,
/// `kms:EncryptionContext:${EncryptionContextKey}` or `ssm:resourceTag/tag-key`.
#[derive(Debug, Clone)]
pub(crate) struct KeyTemplate {
    pieces: Vec<Piece>,
    literal_len: usize,
}

impl KeyTemplate {
    /// Compiles `name` if it has a variable part; `None` for a plain key name.
    ///
    /// Recognised variable spellings: `${Name}`, `<name>`, a final `/tag-key` segment,
    /// and a name that ends with `/` (the upstream sometimes drops the placeholder).
    /// A variable matches one or more characters of any kind.
    pub(crate) fn compile(name: &str) -> Option<KeyTemplate> {
        let mut pieces = Vec::new();
        let mut literal = String::new();
        let mut rest = name;
        let mut saw_var = false;
        while !rest.is_empty() {
            let var_end = if let Some(after) = rest.strip_prefix("${") {
                after.find('}').map(|end| end + 3)
            } else if let Some(after) = rest.strip_prefix('<') {
                after.find('>').map(|end| end + 2)
            } else {
                None
            };
            if let Some(len) = var_end {
                push_literal(&mut pieces, &mut literal, true);
                pieces.push(Piece::Var {
                    min: 1,
                    stop_at_colon: false,
                });
                saw_var = true;
                rest = rest.get(len..).unwrap_or("");
                continue;
            }
            let mut chars = rest.chars();
            if let Some(c) = chars.next() {
                literal.push(c);
            }
            rest = chars.as_str();
        }
        if saw_var {
            push_literal(&mut pieces, &mut literal, true);
        } else {
            // Trailing `/tag-key` or bare trailing `/`.
            let folded = literal.to_ascii_lowercase();
            let cut = if folded.ends_with("/tag-key") {
                Some(literal.len() - "tag-key".len())
            } else if literal.ends_with('/') {
                Some(literal.len())
            } else {
                None
            };
            let cut = cut?;
            literal.truncate(cut);
            push_literal(&mut pieces, &mut literal, true);
            pieces.push(Piece::Var {
                min: 1,
                stop_at_colon: false,
            });
        }
        let literal_len = pieces
            .iter()
            .map(|piece| match piece {
                Piece::Literal { text, .. } => text.len(),
                Piece::Var { .. } => 0,
            })
            .sum();
        Some(KeyTemplate {
            pieces,
            literal_len,
        })
    }

    /// True when `key` is an instance of this template (ASCII case ignored).
    pub(crate) fn matches(&self, key: &str) -> bool {
        run_pieces(&self.pieces, key)
    }

    /// Number of literal bytes: more literal text means a more specific template.
    pub(crate) fn literal_len(&self) -> usize {
        self.literal_len
    }
}

/// Moves the pending literal text, if any, into `pieces`.
pub(crate) fn push_literal(pieces: &mut Vec<Piece>, literal: &mut String, folded: bool) {
    if !literal.is_empty() {
        pieces.push(Piece::Literal {
            text: std::mem::take(literal),
            folded,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(wildcard_match("Get*", "GetObject"));
        assert!(wildcard_match("get*", "GetObject"));
        assert!(wildcard_match("*", ""));
        assert!(wildcard_match("Get*Acl", "GetObjectAcl"));
        assert!(!wildcard_match("Get*Acl", "GetObjectAcls"));
        assert!(wildcard_match("Get?bject", "GetObject"));
        assert!(!wildcard_match("Get?bject", "Getbject"));
        assert!(wildcard_match("*Access*Key*", "ListAccessKeys"));
        assert!(wildcard_match("a*b*c", "aXbYbZc"));
        assert!(!wildcard_match("a*b*c", "aXbYbZ"));
        assert!(wildcard_match("**", "x"));
        assert!(!wildcard_match("", "x"));
    }

    #[test]
    fn key_templates() {
        let tag = KeyTemplate::compile("aws:RequestTag/${TagKey}").expect("template");
        assert!(tag.matches("aws:requesttag/Team"));
        assert!(tag.matches("AWS:RequestTag/a/b:c"));
        assert!(!tag.matches("aws:RequestTag/"));
        let s3 = KeyTemplate::compile("s3:ExistingObjectTag/<key>").expect("template");
        assert!(s3.matches("s3:ExistingObjectTag/classification"));
        let kms = KeyTemplate::compile("kms:EncryptionContext:${EncryptionContextKey}")
            .expect("template");
        assert!(kms.matches("kms:EncryptionContext:aws:cloudtrail:arn"));
        let ssm = KeyTemplate::compile("ssm:resourceTag/tag-key").expect("template");
        assert!(ssm.matches("ssm:resourceTag/env"));
        let bare = KeyTemplate::compile("glacier:ResourceTag/").expect("template");
        assert!(bare.matches("glacier:ResourceTag/env"));
        let mid =
            KeyTemplate::compile("codebuild:secondarySources/${id}.location").expect("template");
        assert!(mid.matches("codebuild:secondarySources/src1.location"));
        assert!(!mid.matches("codebuild:secondarySources/src1.type"));
        assert!(KeyTemplate::compile("s3:prefix").is_none());
    }

    #[test]
    fn var_minimum_length_with_several_starts() {
        let pieces = vec![
            Piece::Literal {
                text: "a".into(),
                folded: false,
            },
            Piece::Var {
                min: 0,
                stop_at_colon: false,
            },
            Piece::Literal {
                text: "b".into(),
                folded: false,
            },
            Piece::Var {
                min: 2,
                stop_at_colon: true,
            },
        ];
        assert!(run_pieces(&pieces, "abbcd"));
        assert!(run_pieces(&pieces, "abxy"));
        assert!(!run_pieces(&pieces, "abx"));
        assert!(!run_pieces(&pieces, "ab:xy"));
        assert!(run_pieces(&pieces, "ab:bxy"));
    }
}
