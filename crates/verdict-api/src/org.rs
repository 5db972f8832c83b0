//! `who-can`, `can` and `escalation`: questions about a whole snapshot (docs/snapshot.md),
//! its files handed in by the front end.

use crate::Document;
use serde::Deserialize;
use serde_json::{json, Value};
use verdict_org::index::{Indexer, PrincipalIndex, Universe};
use verdict_org::{Snapshot, SnapshotBuilder};
use verdict_policy::{Diagnostic, ErrorCode};

/// Arguments of a `who-can` call.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WhoCanCall {
    /// The snapshot's files, each named by its path inside the snapshot directory
    /// (`accounts/111122223333/authorization-details.json`, …).
    pub snapshot: Vec<Document>,
    /// The action.
    pub action: String,
    /// The resource's ARN.
    pub resource: String,
    /// Context values (`KEY=VALUE`, `KEY=a,b` for a list); keys not given stay unknown.
    #[serde(default)]
    pub context: Vec<String>,
}

/// Arguments of a `can` call (one principal).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CanCall {
    /// The snapshot's files, named by their paths inside the snapshot directory.
    pub snapshot: Vec<Document>,
    /// The principal (user or role ARN, or a role session ARN).
    pub principal: String,
    /// Only actions matching this pattern.
    #[serde(default)]
    pub action: Option<String>,
    /// Ask about this resource (ARN or pattern) instead of the statements' own.
    #[serde(default)]
    pub resource: Option<String>,
    /// Context values (`KEY=VALUE`).
    #[serde(default)]
    pub context: Vec<String>,
}

/// Arguments of an `escalation` call.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EscalationCall {
    /// The snapshot's files, named by their paths inside the snapshot directory.
    pub snapshot: Vec<Document>,
    /// Start from this principal (default: every one that is not an administrator).
    #[serde(default)]
    pub from: Option<String>,
    /// `admin` (the default) or a principal's ARN.
    #[serde(default)]
    pub to: Option<String>,
}

/// `KEY=VALUE` entries as a request context (`KEY=a,b` for a list).
pub fn context_of(entries: &[String]) -> Result<verdict_eval::Context, String> {
    let mut ctx = verdict_eval::Context::new();
    for f in entries {
        let Some((k, v)) = f.split_once('=') else {
            return Err(format!(
                "--context {f}: expected KEY=VALUE (e.g. aws:RequestedRegion=us-east-1)"
            ));
        };
        let value = if v.contains(',') {
            verdict_eval::CtxValue::Multi(v.split(',').map(str::to_string).collect())
        } else {
            verdict_eval::CtxValue::Single(v.to_string())
        };
        ctx.insert(k.trim(), value);
    }
    Ok(ctx)
}

/// A snapshot from its files (parsed in parallel).
pub fn snapshot_of(files: &[Document]) -> Snapshot {
    let mut b = SnapshotBuilder::new();
    b.add_batch(
        files
            .iter()
            .map(|d| {
                let text = d.text.strip_prefix('\u{feff}').unwrap_or(&d.text);
                (d.name.replace('\\', "/"), text.to_string())
            })
            .collect(),
    );
    b.finish()
}

/// An answer as JSON, with the snapshot's problems and notes, stamped.
pub fn with_snapshot(mut v: Value, snap: &Snapshot) -> Value {
    if let Some(o) = v.as_object_mut() {
        o.insert("problems".into(), json!(snap.problems));
        o.insert("snapshot_notes".into(), json!(snap.notes));
    }
    crate::stamp(&mut v);
    v
}

fn failed(e: String) -> Vec<Diagnostic> {
    crate::error(ErrorCode::InvalidRequest, e)
}

/// Answer a `who-can` call (docs/schemas/who-can.schema.json).
pub fn who_can(call: &WhoCanCall) -> Result<Value, Vec<Diagnostic>> {
    let snap = snapshot_of(&call.snapshot);
    let u = Universe::from_catalog();
    let mut ix = Indexer::new(&u);
    let index = PrincipalIndex::build(&mut ix, &snap);
    let ctx = context_of(&call.context).map_err(failed)?;
    let w = verdict_org::who_can::who_can(&snap, &index, &u, &call.action, &call.resource, &ctx)
        .map_err(failed)?;
    Ok(with_snapshot(json!(w), &snap))
}

/// Answer a `can` call (docs/schemas/can.schema.json).
pub fn can(call: &CanCall) -> Result<Value, Vec<Diagnostic>> {
    let snap = snapshot_of(&call.snapshot);
    let pi = snap.principal_index(&call.principal).ok_or_else(|| {
        failed(format!(
            "{} is not a user or role of the snapshot ({} principals in {} account(s))",
            call.principal,
            snap.principals.len(),
            snap.accounts.len()
        ))
    })?;
    let u = Universe::from_catalog();
    let mut ix = Indexer::new(&u);
    let opts = verdict_org::can::CanOptions {
        action: call.action.clone(),
        resource: call.resource.clone(),
        context: context_of(&call.context).map_err(failed)?,
    };
    let c = verdict_org::can::can(&snap, &mut ix, pi, &opts).map_err(failed)?;
    Ok(with_snapshot(json!(c), &snap))
}

/// Answer an `escalation` call (docs/schemas/escalation.schema.json).
pub fn escalation(call: &EscalationCall) -> Result<Value, Vec<Diagnostic>> {
    let snap = snapshot_of(&call.snapshot);
    let from = match &call.from {
        Some(a) => Some(
            snap.principal_index(a)
                .ok_or_else(|| failed(format!("{a} is not a user or role of the snapshot")))?,
        ),
        None => None,
    };
    let u = Universe::from_catalog();
    let mut ix = Indexer::new(&u);
    let e = verdict_org::escalation::escalation(
        &snap,
        &mut ix,
        from,
        call.to.as_deref().unwrap_or("admin"),
    );
    Ok(with_snapshot(json!(e), &snap))
}
