//! YAML → span-keeping JSON tree, so YAML policies, scenarios and CloudFormation templates
//! go through the same parsers with positions in the YAML file.
//!
//! Scalars are typed with the YAML 1.2 core schema (plain `true`, `12`, `null`; quoted
//! text is always a string). CloudFormation short-form tags become their long form:
//! `!Ref X` → `{"Ref": "X"}`, `!Sub s` → `{"Fn::Sub": s}`, `!GetAtt A.B` →
//! `{"Fn::GetAtt": "A.B"}`, `!Condition c` → `{"Condition": c}`, any other `!Name v`
//! → `{"Fn::Name": v}`.

use crate::json::{Json, JsonKind, Member};
use crate::{Diagnostic, ErrorCode, SourceFile, Span};
use std::collections::HashMap;
use std::sync::Arc;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// Most nodes a YAML stream may expand to, aliases included (a "billion laughs" file of
/// nested aliases would otherwise grow without bound).
pub const MAX_NODES: usize = 1_000_000;

/// Deepest nesting of sequences and mappings accepted.
pub const MAX_DEPTH: usize = 128;

/// Parse every document of a YAML stream.
pub fn parse_yaml(source: &Arc<SourceFile>) -> Result<Vec<Json>, Diagnostic> {
    let text = source.text();
    if text.len() > crate::json::MAX_INPUT_BYTES {
        return Err(Diagnostic::new(
            ErrorCode::TooLarge,
            format!(
                "input is {} bytes; at most {} bytes are accepted",
                text.len(),
                crate::json::MAX_INPUT_BYTES
            ),
        )
        .at(source, Span::new(0, 0)));
    }
    let char_to_byte = if text.is_ascii() {
        None
    } else {
        let mut v: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        v.push(text.len());
        Some(v)
    };
    let mut builder = Builder {
        text,
        char_to_byte,
        stack: Vec::new(),
        anchors: HashMap::new(),
        docs: Vec::new(),
        nodes: 0,
        limit: None,
    };
    let mut parser = Parser::new_from_str(text);
    let loaded = parser.load(&mut builder, true);
    if let Some((code, at, msg)) = builder.limit.take() {
        return Err(Diagnostic::new(code, msg).at(source, Span::new(at, at)));
    }
    if let Err(e) = loaded {
        let at = builder.byte(e.marker().index());
        return Err(
            Diagnostic::new(ErrorCode::JsonSyntax, format!("invalid YAML: {}", e.info()))
                .at(source, Span::new(at, at)),
        );
    }
    Ok(builder.docs)
}

enum Frame {
    Seq {
        start: usize,
        anchor: usize,
        tag: Option<Tag>,
        items: Vec<Json>,
    },
    Map {
        start: usize,
        anchor: usize,
        tag: Option<Tag>,
        members: Vec<Member>,
        key: Option<(String, Span)>,
    },
}

struct Builder<'a> {
    text: &'a str,
    char_to_byte: Option<Vec<usize>>,
    stack: Vec<Frame>,
    /// Anchored nodes with their node counts.
    anchors: HashMap<usize, (Json, usize)>,
    docs: Vec<Json>,
    /// Nodes built so far, aliases counted at their expanded size.
    nodes: usize,
    /// The first limit exceeded: code, byte offset, message. Once set, events are ignored.
    limit: Option<(ErrorCode, usize, String)>,
}

/// Nodes in a tree (bounded by the node budget, since trees are only built within it).
fn count(j: &Json) -> usize {
    1 + match &j.kind {
        JsonKind::Array(items) => items.iter().map(count).sum(),
        JsonKind::Object(members) => members.iter().map(|m| count(&m.value)).sum(),
        _ => 0,
    }
}

impl Builder<'_> {
    fn byte(&self, char_index: usize) -> usize {
        match &self.char_to_byte {
            None => char_index.min(self.text.len()),
            Some(t) => t.get(char_index).copied().unwrap_or(self.text.len()),
        }
    }

    fn scalar_span(&self, start: usize, value: &str, style: TScalarStyle) -> Span {
        let rest = self.text.get(start..).unwrap_or("");
        let len = match style {
            TScalarStyle::Plain => {
                let first = value.lines().next().unwrap_or("");
                if rest.starts_with(first) {
                    first.len()
                } else {
                    rest.find(['\n', '#'])
                        .unwrap_or(rest.len())
                        .min(first.len().max(1))
                }
            }
            TScalarStyle::SingleQuoted => quoted_len(rest, '\''),
            TScalarStyle::DoubleQuoted => quoted_len(rest, '"'),
            _ => 1,
        };
        Span::new(start, (start + len).min(self.text.len()))
    }

    fn finish(&mut self, node: Json, anchor: usize) {
        if anchor > 0 {
            let n = count(&node);
            self.anchors.insert(anchor, (node.clone(), n));
        }
        match self.stack.last_mut() {
            None => self.docs.push(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { members, key, .. }) => match key.take() {
                None => {
                    let k = match &node.kind {
                        JsonKind::String(s) => s.clone(),
                        JsonKind::Number(n) => n.clone(),
                        JsonKind::Bool(b) => b.to_string(),
                        JsonKind::Null => "null".to_string(),
                        _ => String::new(),
                    };
                    *key = Some((k, node.span));
                }
                Some((k, key_span)) => members.push(Member {
                    key: k,
                    key_span,
                    value: node,
                }),
            },
        }
    }
}

fn quoted_len(rest: &str, quote: char) -> usize {
    let mut chars = rest.char_indices();
    if chars.next().map(|(_, c)| c) != Some(quote) {
        return 1;
    }
    let mut escaped = false;
    let bytes = rest.as_bytes();
    for (i, c) in chars {
        if quote == '"' {
            if escaped {
                escaped = false;
                continue;
            }
            if c == '\\' {
                escaped = true;
                continue;
            }
            if c == '"' {
                return i + 1;
            }
        } else if c == '\'' {
            if bytes.get(i + 1) == Some(&b'\'') {
                continue;
            }
            return i + 1;
        }
    }
    rest.len()
}

/// Wrap `node` in the long form of a CloudFormation short tag, if `tag` is one.
fn apply_tag(tag: Option<Tag>, node: Json) -> Json {
    let Some(tag) = tag else { return node };
    if tag.handle != "!" {
        // `!!str` and friends: keep the value; `!!str` forces text.
        if tag.suffix == "str" || tag.suffix.ends_with(":str") {
            if let JsonKind::Number(n) = &node.kind {
                return Json {
                    kind: JsonKind::String(n.clone()),
                    span: node.span,
                };
            }
            if let JsonKind::Bool(b) = &node.kind {
                return Json {
                    kind: JsonKind::String(b.to_string()),
                    span: node.span,
                };
            }
        }
        return node;
    }
    let key = match tag.suffix.as_str() {
        "Ref" => "Ref".to_string(),
        "Condition" => "Condition".to_string(),
        other => format!("Fn::{other}"),
    };
    let span = node.span;
    Json {
        kind: JsonKind::Object(vec![Member {
            key,
            key_span: span,
            value: node,
        }]),
        span,
    }
}

fn is_number(s: &str) -> bool {
    let t = s.strip_prefix(['-', '+']).unwrap_or(s);
    if t.is_empty() {
        return false;
    }
    let (mant, exp) = match t.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e)),
        None => (t, None),
    };
    let digits = |x: &str| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit());
    let mant_ok = match mant.split_once('.') {
        Some((i, f)) => {
            (digits(i) || i.is_empty())
                && (digits(f) || f.is_empty())
                && !(i.is_empty() && f.is_empty())
        }
        None => digits(mant),
    };
    let exp_ok = exp.is_none_or(|e| digits(e.strip_prefix(['-', '+']).unwrap_or(e)));
    mant_ok && exp_ok
}

impl MarkedEventReceiver for Builder<'_> {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.limit.is_some() {
            return;
        }
        let at = self.byte(mark.index());
        let added = match &ev {
            Event::Alias(id) => self.anchors.get(id).map_or(1, |(_, n)| *n),
            Event::Scalar(..) | Event::SequenceStart(..) | Event::MappingStart(..) => 1,
            _ => 0,
        };
        self.nodes = self.nodes.saturating_add(added);
        if self.nodes > MAX_NODES {
            self.limit = Some((
                ErrorCode::TooLarge,
                at,
                format!("YAML document expands to more than {MAX_NODES} nodes (aliases counted at their expanded size); refusing to read it"),
            ));
            return;
        }
        if matches!(ev, Event::SequenceStart(..) | Event::MappingStart(..))
            && self.stack.len() >= MAX_DEPTH
        {
            self.limit = Some((
                ErrorCode::TooDeep,
                at,
                format!("YAML nesting is deeper than {MAX_DEPTH} levels"),
            ));
            return;
        }
        match ev {
            Event::Scalar(value, style, anchor, tag) => {
                let span = self.scalar_span(at, &value, style);
                let kind = if style == TScalarStyle::Plain && tag.is_none() {
                    match value.as_str() {
                        "" | "~" | "null" | "Null" | "NULL" => JsonKind::Null,
                        "true" | "True" | "TRUE" => JsonKind::Bool(true),
                        "false" | "False" | "FALSE" => JsonKind::Bool(false),
                        v if is_number(v) => JsonKind::Number(v.to_string()),
                        _ => JsonKind::String(value),
                    }
                } else {
                    JsonKind::String(value)
                };
                let node = apply_tag(tag, Json { kind, span });
                self.finish(node, anchor);
            }
            Event::SequenceStart(anchor, tag) => self.stack.push(Frame::Seq {
                start: at,
                anchor,
                tag,
                items: Vec::new(),
            }),
            Event::MappingStart(anchor, tag) => self.stack.push(Frame::Map {
                start: at,
                anchor,
                tag,
                members: Vec::new(),
                key: None,
            }),
            Event::SequenceEnd => {
                if let Some(Frame::Seq {
                    start,
                    anchor,
                    tag,
                    items,
                }) = self.stack.pop()
                {
                    let end = items
                        .last()
                        .map_or(start + 1, |j| j.span.end)
                        .max(start + 1);
                    let node = Json {
                        kind: JsonKind::Array(items),
                        span: Span::new(start, end.min(self.text.len().max(start))),
                    };
                    let node = apply_tag(tag, node);
                    self.finish(node, anchor);
                }
            }
            Event::MappingEnd => {
                if let Some(Frame::Map {
                    start,
                    anchor,
                    tag,
                    members,
                    ..
                }) = self.stack.pop()
                {
                    let end = members
                        .last()
                        .map_or(start + 1, |m| m.value.span.end)
                        .max(start + 1);
                    let node = Json {
                        kind: JsonKind::Object(members),
                        span: Span::new(start, end.min(self.text.len().max(start))),
                    };
                    let node = apply_tag(tag, node);
                    self.finish(node, anchor);
                }
            }
            Event::Alias(id) => {
                let node = match self.anchors.get(&id).map(|(n, _)| n) {
                    Some(n) => Json {
                        kind: n.kind.clone(),
                        span: Span::new(at, at + 1),
                    },
                    None => Json {
                        kind: JsonKind::Null,
                        span: Span::new(at, at + 1),
                    },
                };
                self.finish(node, 0);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Nine levels of ten aliases each (10^9 nodes if expanded): refused, not expanded.
    #[test]
    fn billion_laughs_is_refused() {
        let mut y = String::from("a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for i in 1..10 {
            let refs = vec![format!("*a{}", i - 1); 10].join(",");
            y.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        let src = SourceFile::new("laughs.yaml", y);
        let e = parse_yaml(&src).err().map(|d| (d.code, d.message));
        assert!(
            matches!(&e, Some((ErrorCode::TooLarge, m)) if m.contains("expands to more than")),
            "{e:?}"
        );
    }

    #[test]
    fn deep_nesting_is_refused() {
        let y = format!("{}x{}", "[".repeat(200), "]".repeat(200));
        let src = SourceFile::new("deep.yaml", y);
        let e = parse_yaml(&src).err().map(|d| d.code);
        assert_eq!(e, Some(ErrorCode::TooDeep));
    }

    #[test]
    fn byte_order_mark_is_accepted() {
        let src = SourceFile::new("bom.yaml", "\u{feff}Version: '2012-10-17'\n");
        let docs = parse_yaml(&src).unwrap_or_default();
        assert_eq!(docs.len(), 1);
        let json = SourceFile::new("bom.json", "\u{feff}{\"a\": 1}");
        assert!(crate::json::parse(&json).is_ok());
        assert_eq!(
            json.position(1).column,
            2,
            "columns as the editor shows them"
        );
    }

    #[test]
    fn spans_and_tags() {
        let src = SourceFile::new(
            "t.yaml",
            "Version: '2012-10-17'\nStatement:\n  - Effect: Allow\n    Action: s3:GetObject\n    Resource: !Sub 'arn:aws:s3:::${B}/*'\n    N: 12\n",
        );
        let docs = parse_yaml(&src).unwrap_or_default();
        assert_eq!(docs.len(), 1);
        let d = &docs[0];
        let v = d.get("Version").map(|v| src.slice(v.span));
        assert_eq!(v, Some("'2012-10-17'"));
        let st = d.get("Statement").and_then(|s| match &s.kind {
            JsonKind::Array(a) => a.first(),
            _ => None,
        });
        let st = st.map(|s| {
            (
                s.get("Action").map(|a| src.slice(a.span)),
                s.get("Resource").and_then(|r| r.get("Fn::Sub")).is_some(),
                s.get("N").map(|n| n.kind.clone()),
            )
        });
        assert_eq!(
            st,
            Some((
                Some("s3:GetObject"),
                true,
                Some(JsonKind::Number("12".into()))
            ))
        );
    }

    #[test]
    fn errors_have_positions() {
        let src = SourceFile::new("t.yaml", "a: [1, 2\nb: c\n");
        let e = parse_yaml(&src).err().map(|d| d.code);
        assert_eq!(e, Some(ErrorCode::JsonSyntax));
    }
}
