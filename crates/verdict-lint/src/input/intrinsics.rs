//! CloudFormation intrinsic functions become placeholder text, not failures.
//!
//! A placeholder is written `{{…}}` (`{{Ref BucketName}}`, `{{GetAtt Role.Arn}}`,
//! `{{AWS.AccountId}}`); the checks skip any value that contains one. `Fn::Sub`
//! substitutes its variables with placeholders and keeps the literal text, so
//! `arn:aws:s3:::${Bucket}/*` is still checked as an S3 object ARN. `Fn::Join` joins
//! its parts, `Fn::If` takes the first branch that is not `AWS::NoValue`, and
//! `Ref: AWS::NoValue` removes the element that holds it.

use verdict_policy::json::{Json, JsonKind, Member};
use verdict_policy::Span;

/// Result of resolving one node.
enum Resolved {
    Keep,
    Replace(Json),
    Remove,
}

/// Replace every intrinsic function under `node` (in place). Spans of values that
/// became pure placeholders are pushed to `placeholders`.
pub fn resolve(node: &mut Json, placeholders: &mut Vec<Span>) {
    match resolve_node(node, placeholders) {
        Resolved::Keep => {}
        Resolved::Replace(j) => *node = j,
        Resolved::Remove => {
            node.kind = JsonKind::Null;
        }
    }
}

/// True for an object that is one intrinsic function call.
pub fn intrinsic_name(node: &Json) -> Option<&str> {
    match &node.kind {
        JsonKind::Object(m) => match m.as_slice() {
            [only] => {
                let k = only.key.as_str();
                (k == "Ref" || k.starts_with("Fn::")).then_some(k)
            }
            _ => None,
        },
        _ => None,
    }
}

fn text(s: String, span: Span) -> Json {
    Json {
        kind: JsonKind::String(s),
        span,
    }
}

fn placeholder_name(name: &str) -> String {
    format!("{{{{{}}}}}", name.replace("::", ".").replace(':', "."))
}

fn resolve_node(node: &mut Json, placeholders: &mut Vec<Span>) -> Resolved {
    if let Some(name) = intrinsic_name(node).map(str::to_string) {
        let span = node.span;
        let JsonKind::Object(members) = &mut node.kind else {
            return Resolved::Keep;
        };
        let Some(call) = members.first_mut() else {
            return Resolved::Keep;
        };
        let arg = &mut call.value;
        return match name.as_str() {
            "Ref" => match arg.as_str() {
                Some("AWS::NoValue") => Resolved::Remove,
                Some("AWS::Partition") => Resolved::Replace(text("aws".into(), span)),
                Some(r) if r.starts_with("AWS::") => {
                    placeholders.push(span);
                    Resolved::Replace(text(placeholder_name(r), span))
                }
                Some(r) => {
                    placeholders.push(span);
                    Resolved::Replace(text(format!("{{{{Ref {}}}}}", r.replace("::", ".")), span))
                }
                None => {
                    placeholders.push(span);
                    Resolved::Replace(text("{{Ref}}".into(), span))
                }
            },
            "Fn::Sub" => {
                let (template, vars) = match &mut arg.kind {
                    JsonKind::String(s) => (s.clone(), None),
                    JsonKind::Array(items) if !items.is_empty() => {
                        for it in items.iter_mut().skip(1) {
                            resolve(it, placeholders);
                        }
                        let t = items.first().and_then(Json::as_str).map(str::to_string);
                        match t {
                            Some(t) => (t, items.get(1).cloned()),
                            None => {
                                placeholders.push(span);
                                return Resolved::Replace(text("{{Fn.Sub}}".into(), span));
                            }
                        }
                    }
                    _ => {
                        placeholders.push(span);
                        return Resolved::Replace(text("{{Fn.Sub}}".into(), span));
                    }
                };
                Resolved::Replace(text(substitute(&template, vars.as_ref()), span))
            }
            "Fn::Join" => {
                resolve(arg, placeholders);
                let joined = match &arg.kind {
                    JsonKind::Array(items) => match items.as_slice() {
                        [delim, list] => {
                            let delim = delim.as_str().unwrap_or("");
                            match &list.kind {
                                JsonKind::Array(parts) => {
                                    let strs: Vec<String> = parts
                                        .iter()
                                        .filter(|p| !matches!(p.kind, JsonKind::Null))
                                        .map(|p| match &p.kind {
                                            JsonKind::String(s) => s.clone(),
                                            JsonKind::Number(n) => n.clone(),
                                            _ => "{{Fn.Join}}".into(),
                                        })
                                        .collect();
                                    Some(strs.join(delim))
                                }
                                _ => None,
                            }
                        }
                        _ => None,
                    },
                    _ => None,
                };
                match joined {
                    Some(s) => Resolved::Replace(text(s, span)),
                    None => {
                        placeholders.push(span);
                        Resolved::Replace(text("{{Fn.Join}}".into(), span))
                    }
                }
            }
            "Fn::If" => {
                let JsonKind::Array(items) = &mut arg.kind else {
                    placeholders.push(span);
                    return Resolved::Replace(text("{{Fn.If}}".into(), span));
                };
                for branch in items.iter_mut().skip(1).take(2) {
                    let is_no_value =
                        branch.get("Ref").and_then(Json::as_str) == Some("AWS::NoValue");
                    if is_no_value {
                        continue;
                    }
                    let mut b = branch.clone();
                    resolve(&mut b, placeholders);
                    if matches!(b.kind, JsonKind::Null) {
                        continue;
                    }
                    return Resolved::Replace(b);
                }
                Resolved::Remove
            }
            "Fn::GetAtt" => {
                let what = match &arg.kind {
                    JsonKind::String(s) => s.clone(),
                    JsonKind::Array(a) => a
                        .iter()
                        .filter_map(Json::as_str)
                        .collect::<Vec<_>>()
                        .join("."),
                    _ => String::new(),
                };
                placeholders.push(span);
                Resolved::Replace(text(format!("{{{{GetAtt {what}}}}}"), span))
            }
            other => {
                placeholders.push(span);
                Resolved::Replace(text(placeholder_name(other), span))
            }
        };
    }
    match &mut node.kind {
        JsonKind::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for mut it in std::mem::take(items) {
                match resolve_node(&mut it, placeholders) {
                    Resolved::Keep => out.push(it),
                    Resolved::Replace(j) => out.push(j),
                    Resolved::Remove => {}
                }
            }
            *items = out;
        }
        JsonKind::Object(members) => {
            let mut out: Vec<Member> = Vec::with_capacity(members.len());
            for mut m in std::mem::take(members) {
                match resolve_node(&mut m.value, placeholders) {
                    Resolved::Keep => out.push(m),
                    Resolved::Replace(j) => out.push(Member { value: j, ..m }),
                    Resolved::Remove => {}
                }
            }
            *members = out;
        }
        _ => {}
    }
    Resolved::Keep
}

/// `Fn::Sub` template: `${!X}` → literal `${X}`, `${Name}` → the variable's value
/// when the second argument gives a plain string, `aws` for `AWS::Partition`, else a
/// placeholder.
fn substitute(template: &str, vars: Option<&Json>) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some((before, after)) = rest.split_once("${") {
        out.push_str(before);
        let Some((name, tail)) = after.split_once('}') else {
            out.push_str("${");
            out.push_str(after);
            return out;
        };
        if let Some(lit) = name.strip_prefix('!') {
            out.push_str("${");
            out.push_str(lit);
            out.push('}');
        } else if name == "AWS::Partition" {
            out.push_str("aws");
        } else if let Some(v) = vars.and_then(|v| v.get(name)).and_then(Json::as_str) {
            out.push_str(v);
        } else {
            out.push_str(&placeholder_name(name));
        }
        rest = tail;
    }
    out.push_str(rest);
    out
}

pub use verdict_policy::parse::has_placeholder;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_keeps_literals() {
        assert_eq!(
            substitute(
                "arn:${AWS::Partition}:s3:::${Bucket}/${!aws:username}/*",
                None
            ),
            "arn:aws:s3:::{{Bucket}}/${aws:username}/*"
        );
    }
}
