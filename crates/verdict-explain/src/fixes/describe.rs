//! How a fix is described: its target (policy, account, level) and the statement it
//! would produce.

use super::*;
use crate::build::Built;
use crate::origin::{document_of, policy_at};
use crate::patch;
use serde_json::Value;
use verdict_eval::{Layer, Scenario};

pub(super) fn level_name(built: &Built, layer: Layer, level: Option<usize>) -> Option<String> {
    let l = level?;
    match layer {
        Layer::Scp => built.scp_levels.get(l).cloned(),
        Layer::Rcp => built.rcp_levels.get(l).cloned(),
        _ => None,
    }
}

pub(super) fn describe_target(
    cx: &Ctx<'_>,
    s: &Scenario,
    c: &Candidate,
) -> (
    Option<String>,
    Layer,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
) {
    match &c.target {
        Target::Existing(slot) => {
            let o = cx.origin(s, *slot);
            let np = policy_at(s, *slot);
            let location = match np {
                Some(np) => o.describe(np),
                None => String::new(),
            };
            (
                o.account.clone(),
                slot.layer,
                location,
                np.map(|p| p.name.clone().unwrap_or_else(|| p.label.clone())),
                np.and_then(|p| p.arn.clone()),
                Some(o.file.clone()),
            )
        }
        Target::New {
            layer,
            label,
            origin,
            ..
        } => {
            let mut loc = format!("a new {}", origin.kind.describe());
            if !origin.attached_to.is_empty() {
                loc.push_str(&format!(" on {}", origin.attached_to));
            }
            if let Some(a) = &origin.account {
                loc.push_str(&format!(" in account {a}"));
            }
            (
                origin.account.clone(),
                *layer,
                loc,
                Some(label.clone()),
                None,
                None,
            )
        }
        Target::Request => (
            None,
            Layer::Identity,
            "the request (how the call is made)".into(),
            None,
            None,
            None,
        ),
    }
}

pub(super) fn statement_after(s: &Scenario, c: &Candidate) -> Option<Value> {
    let path = c.statement_path.as_ref()?;
    let base = match &c.target {
        Target::Existing(slot) => document_of(policy_at(s, *slot)?)?,
        Target::New { .. } => Value::Null,
        Target::Request => return None,
    };
    patch::apply(&base, &c.patch).ok()?.pointer(path).cloned()
}
