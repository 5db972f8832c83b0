//! RFC 6901 JSON pointers and the subset of RFC 6902 JSON patch that fixes use
//! (`add`, `remove`, `replace`).

use serde_json::{json, Value};

/// Escape one reference token (`~` → `~0`, `/` → `~1`).
pub fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// `{"op": "add", "path": …, "value": …}`.
pub fn add(path: &str, value: Value) -> Value {
    json!({ "op": "add", "path": path, "value": value })
}

/// `{"op": "replace", "path": …, "value": …}`.
pub fn replace(path: &str, value: Value) -> Value {
    json!({ "op": "replace", "path": path, "value": value })
}

/// `{"op": "remove", "path": …}`.
pub fn remove(path: &str) -> Value {
    json!({ "op": "remove", "path": path })
}

fn split(path: &str) -> Result<Vec<String>, String> {
    if path.is_empty() {
        return Ok(Vec::new());
    }
    let rest = path
        .strip_prefix('/')
        .ok_or_else(|| format!("JSON pointer \"{path}\" must start with /"))?;
    Ok(rest.split('/').map(unescape).collect())
}

fn parent_mut<'a>(doc: &'a mut Value, tokens: &[String]) -> Result<&'a mut Value, String> {
    let mut cur = doc;
    for t in tokens {
        cur = match cur {
            Value::Object(m) => m.get_mut(t).ok_or_else(|| format!("no member \"{t}\""))?,
            Value::Array(a) => {
                let i: usize = t
                    .parse()
                    .map_err(|_| format!("\"{t}\" is not an array index"))?;
                a.get_mut(i)
                    .ok_or_else(|| format!("index {i} is out of range"))?
            }
            _ => return Err(format!("cannot descend into a scalar at \"{t}\"")),
        };
    }
    Ok(cur)
}

fn apply_one(doc: &mut Value, op: &Value) -> Result<(), String> {
    let kind = op
        .get("op")
        .and_then(Value::as_str)
        .ok_or("patch operation without \"op\"")?;
    let path = op
        .get("path")
        .and_then(Value::as_str)
        .ok_or("patch operation without \"path\"")?;
    let tokens = split(path)?;
    let Some((last, parents)) = tokens.split_last() else {
        return match kind {
            "add" | "replace" => {
                *doc = op.get("value").cloned().ok_or("add without a value")?;
                Ok(())
            }
            _ => Err("cannot remove the whole document".into()),
        };
    };
    let parent = parent_mut(doc, parents)?;
    match (kind, parent) {
        ("add", Value::Object(m)) => {
            m.insert(
                last.clone(),
                op.get("value").cloned().ok_or("add without a value")?,
            );
        }
        ("add", Value::Array(a)) => {
            let v = op.get("value").cloned().ok_or("add without a value")?;
            if last == "-" {
                a.push(v);
            } else {
                let i: usize = last
                    .parse()
                    .map_err(|_| format!("\"{last}\" is not an array index"))?;
                if i > a.len() {
                    return Err(format!("index {i} is out of range"));
                }
                a.insert(i, v);
            }
        }
        ("replace", Value::Object(m)) => {
            let slot = m
                .get_mut(last)
                .ok_or_else(|| format!("no member \"{last}\" to replace"))?;
            *slot = op.get("value").cloned().ok_or("replace without a value")?;
        }
        ("replace", Value::Array(a)) => {
            let i: usize = last
                .parse()
                .map_err(|_| format!("\"{last}\" is not an array index"))?;
            let slot = a
                .get_mut(i)
                .ok_or_else(|| format!("index {i} is out of range"))?;
            *slot = op.get("value").cloned().ok_or("replace without a value")?;
        }
        ("remove", Value::Object(m)) => {
            m.shift_remove(last)
                .ok_or_else(|| format!("no member \"{last}\" to remove"))?;
        }
        ("remove", Value::Array(a)) => {
            let i: usize = last
                .parse()
                .map_err(|_| format!("\"{last}\" is not an array index"))?;
            if i >= a.len() {
                return Err(format!("index {i} is out of range"));
            }
            a.remove(i);
        }
        (k, _) => return Err(format!("unsupported patch operation \"{k}\" here")),
    }
    Ok(())
}

/// Apply a patch (an array of operations) to a copy of `doc`.
pub fn apply(doc: &Value, patch: &[Value]) -> Result<Value, String> {
    let mut out = doc.clone();
    for op in patch {
        apply_one(&mut out, op)?;
    }
    Ok(out)
}

/// The value at `path`.
pub fn get<'a>(doc: &'a Value, path: &str) -> Option<&'a Value> {
    doc.pointer(path)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn add_replace_remove() {
        let doc = json!({"Statement": [{"Sid": "A"}], "x": {"a/b": 1}});
        let out = apply(
            &doc,
            &[
                add("/Statement/-", json!({"Sid": "B"})),
                replace("/x/a~1b", json!(2)),
                remove("/Statement/0"),
            ],
        )
        .unwrap();
        assert_eq!(out, json!({"Statement": [{"Sid": "B"}], "x": {"a/b": 2}}));
        assert_eq!(
            apply(&Value::Null, &[add("", json!({"k": 1}))]).unwrap(),
            json!({"k": 1})
        );
        assert!(apply(&doc, &[remove("/nope")]).is_err());
        assert_eq!(escape("aws:PrincipalTag/team"), "aws:PrincipalTag~1team");
    }
}
