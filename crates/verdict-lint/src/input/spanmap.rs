//! Mapping spans of an embedded policy text back to the file that holds it.
//!
//! A policy can sit inside another document as an object (its spans are already in
//! the outer file), as one line of a JSON Lines file (a constant offset), or as a
//! string (`"policy": "{\"Version\": …}"` in a Terraform plan). For JSON strings the
//! escape sequences are decoded here with a table from each decoded byte back to the
//! byte of the literal it came from, so findings land on the exact outer column. For
//! other strings (YAML block scalars) only the string's own position is known.

use std::sync::Arc;
use verdict_policy::Span;

/// How spans of a policy's text translate into spans of the outer file.
#[derive(Clone, Debug)]
pub enum SpanMap {
    /// The policy's spans are in the outer file already.
    Identity,
    /// The policy text starts at this byte of the outer file (JSON Lines).
    Offset(usize),
    /// Decoded JSON string: entry `i` is the outer byte of decoded byte `i`; one extra
    /// entry for the end.
    Table(Arc<Vec<usize>>),
    /// Only the outer span of the embedding string is known.
    Opaque(Span),
}

impl SpanMap {
    /// Map an inner span; the flag is false when the position is only approximate.
    pub fn map(&self, inner: Span) -> (Span, bool) {
        match self {
            SpanMap::Identity => (inner, true),
            SpanMap::Offset(base) => (Span::new(inner.start + base, inner.end + base), true),
            SpanMap::Table(t) => {
                let get = |i: usize| t.get(i).or_else(|| t.last()).copied().unwrap_or(0);
                let start = get(inner.start);
                // The end is where the next decoded byte's source begins.
                let end = get(inner.end);
                (Span::new(start, end.max(start)), true)
            }
            SpanMap::Opaque(outer) => (*outer, false),
        }
    }

    /// True when positions map exactly.
    pub fn is_exact(&self) -> bool {
        !matches!(self, SpanMap::Opaque(_))
    }
}

/// Decode a JSON string literal (with its quotes) that starts at byte `base` of the
/// outer file. Returns the text and the offset table for [`SpanMap::Table`].
pub fn decode_json_string(raw: &str, base: usize) -> Option<(String, Vec<usize>)> {
    let inner = raw.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::with_capacity(inner.len());
    let mut map = Vec::with_capacity(inner.len() + 1);
    let bytes = inner.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let at = base + 1 + i;
        if b == b'\\' {
            let esc = *bytes.get(i + 1)?;
            let (ch, used) = match esc {
                b'"' => ('"', 2),
                b'\\' => ('\\', 2),
                b'/' => ('/', 2),
                b'b' => ('\u{8}', 2),
                b'f' => ('\u{c}', 2),
                b'n' => ('\n', 2),
                b'r' => ('\r', 2),
                b't' => ('\t', 2),
                b'u' => {
                    let hex = inner.get(i + 2..i + 6)?;
                    let hi = u32::from_str_radix(hex, 16).ok()?;
                    if (0xD800..0xDC00).contains(&hi) {
                        let lo_hex = inner.get(i + 8..i + 12)?;
                        if inner.get(i + 6..i + 8)? != "\\u" {
                            return None;
                        }
                        let lo = u32::from_str_radix(lo_hex, 16).ok()?;
                        let c = 0x10000 + ((hi - 0xD800) << 10) + (lo.checked_sub(0xDC00)?);
                        (char::from_u32(c)?, 12)
                    } else {
                        (char::from_u32(hi)?, 6)
                    }
                }
                _ => return None,
            };
            let before = out.len();
            out.push(ch);
            map.extend(std::iter::repeat_n(at, out.len() - before));
            i += used;
        } else {
            let ch = inner.get(i..)?.chars().next()?;
            let len = ch.len_utf8();
            out.push(ch);
            map.extend((0..len).map(|k| at + k));
            i += len;
        }
    }
    map.push(base + 1 + inner.len());
    Some((out, map))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_with_offsets() {
        let raw = r#""{\"A\":\n1}""#;
        let (text, map) = decode_json_string(raw, 10).unwrap_or_default();
        assert_eq!(text, "{\"A\":\n1}");
        // `A` is decoded byte 2; in the literal it is at 1 (quote) + 3.
        assert_eq!(map[2], 10 + 4);
        let m = SpanMap::Table(Arc::new(map));
        assert_eq!(m.map(Span::new(1, 4)), (Span::new(12, 17), true));
    }
}
