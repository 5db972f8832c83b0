//! Explain an AccessDenied: rebuild the request, evaluate it, and propose verified fixes.
//!
//! The input is whatever the user has: the error message, a CloudTrail record (in any
//! of its four containers), a decoded authorization message, account snapshots
//! (`get-account-authorization-details`, Organizations outputs), policy files and
//! explicit context. [`explain`] builds a [`Scenario`](verdict_eval::Scenario) from them
//! ([`build`]), evaluates it with the core engine, compares the result with what AWS
//! reported, and lists every cause that blocks the request with the narrowest changes
//! that remove each one ([`fixes`]); every change is applied to a copy of the scenario
//! and re-evaluated before it is shown.
//!
//! ```
//! use verdict_explain::{explain, Inputs};
//! let inputs = Inputs {
//!     message: Some("User: arn:aws:iam::111122223333:user/alice is not authorized to perform: \
//!         s3:GetObject on resource: \"arn:aws:s3:::b/k\" because no identity-based policy \
//!         allows the s3:GetObject action".into()),
//!     ..Default::default()
//! };
//! for report in explain(&inputs).unwrap_or_default() {
//!     print!("{}", verdict_explain::output::render_report(&report, false));
//! }
//! ```

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

pub mod build;
pub mod cloudtrail;
pub mod decoded;
pub mod diagnose;
pub mod event_actions;
pub mod fixes;
pub mod known;
pub mod message;
pub mod origin;
pub mod output;
pub mod paste;
pub mod patch;
pub mod snapshot;

pub use build::{build, scenario_json, Built, Inputs};
pub use diagnose::{diagnose, Explanation};
pub use snapshot::{OrgDir, TextInput};

use verdict_policy::{Diagnostic, ErrorCode};

/// What [`explain`] produced for one case.
#[derive(Clone, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Report {
    /// A full explanation (the request could be rebuilt and evaluated).
    Full(Box<Explanation>),
    /// Only the message was given and it names neither caller nor action.
    Partial(Box<diagnose::Partial>),
}

impl Report {
    /// The full explanation, if this is one.
    pub fn full(&self) -> Option<&Explanation> {
        match self {
            Report::Full(x) => Some(x),
            Report::Partial(_) => None,
        }
    }
}

fn is_decoded_message(text: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(text).is_ok_and(|v| {
        v.get("DecodedMessage").is_some()
            || (v.get("context").is_some() && v.get("allowed").is_some())
    })
}

/// Explain every AccessDenied the inputs describe: one per denied record of `--event`
/// (or the selected `record`), or one for the message/scenario alone.
pub fn explain(inputs: &Inputs) -> Result<Vec<Report>, Vec<Diagnostic>> {
    if let Some(ev) = inputs
        .event
        .as_ref()
        .filter(|e| is_decoded_message(&e.text) && inputs.decoded_message.is_none())
    {
        // A decoded authorization message given as --event: read it as --decoded-message.
        let mut fixed = inputs.clone();
        fixed.decoded_message = Some(ev.clone());
        fixed.event = None;
        return explain(&fixed);
    }
    let Some(ev) = &inputs.event else {
        if inputs.message.is_none() && inputs.scenario.is_none() && inputs.decoded_message.is_none()
        {
            return Err(vec![Diagnostic::new(
                ErrorCode::InvalidScenario,
                "nothing to explain: give --message TEXT, --event FILE, --decoded-message FILE or a scenario file",
            )]);
        }
        if let (Some(m), None, None) = (&inputs.message, &inputs.scenario, &inputs.decoded_message)
        {
            return explain_messages(inputs, m);
        }
        let b = build(inputs, None)?;
        return Ok(vec![Report::Full(Box::new(diagnose(b, None)))]);
    };
    let records = cloudtrail::records(&ev.text).map_err(|e| {
        vec![Diagnostic::new(
            ErrorCode::InvalidScenario,
            format!("{}: {e}", ev.name),
        )]
    })?;
    let denied: Vec<&serde_json::Value> = records
        .iter()
        .filter(|r| cloudtrail::is_access_denied(r))
        .collect();
    if denied.is_empty() {
        return Err(vec![Diagnostic::new(
            ErrorCode::InvalidScenario,
            format!("{} holds {} CloudTrail record(s) and none is an AccessDenied (errorCode AccessDenied, AccessDeniedException, UnauthorizedOperation, …)", ev.name, records.len()),
        )]);
    }
    let chosen: Vec<(usize, &serde_json::Value)> = match inputs.record {
        Some(n) => match denied.get(n.wrapping_sub(1)) {
            Some(r) => vec![(n, *r)],
            None => {
                return Err(vec![Diagnostic::new(
                    ErrorCode::InvalidScenario,
                    format!(
                        "--record {n}: {} holds {} AccessDenied record(s)",
                        ev.name,
                        denied.len()
                    ),
                )])
            }
        },
        None => denied
            .iter()
            .enumerate()
            .map(|(i, r)| (i + 1, *r))
            .collect(),
    };
    let total = denied.len();
    let mut out = Vec::new();
    for (n, r) in chosen {
        let facts = cloudtrail::facts(r);
        let b = build(inputs, Some(&facts))?;
        let case = (total > 1).then(|| {
            format!(
                "AccessDenied record {n} of {total}: {} {}",
                facts.event_source, facts.event_name
            )
        });
        out.push(Report::Full(Box::new(diagnose(b, case))));
    }
    Ok(out)
}

/// Explain every AccessDenied message found in a paste, each on its own.
fn explain_messages(inputs: &Inputs, text: &str) -> Result<Vec<Report>, Vec<Diagnostic>> {
    let found = message::find_messages(text);
    if found.is_empty() {
        let e = message::UnrecognisedMessage {
            text: message::normalize_whitespace(text)
                .chars()
                .take(300)
                .collect(),
        };
        return Err(vec![Diagnostic::new(
            ErrorCode::InvalidScenario,
            e.to_string(),
        )]);
    }
    // Files the user gave are read and checked even when a message alone cannot use
    // them: a wrong file is an error, never silently ignored.
    let given = check_given_files(inputs)?;
    let unused = |p: &mut diagnose::Partial, why: &str| {
        if !given.is_empty() {
            p.next_steps.insert(
                0,
                format!(
                    "Verdict read {} but did not evaluate {}: {why}",
                    given.join(", "),
                    if given.len() == 1 { "it" } else { "them" }
                ),
            );
        }
    };
    let total = found.len();
    let mut out = Vec::with_capacity(total);
    for (i, m) in found.into_iter().enumerate() {
        let case = (total > 1).then(|| {
            format!(
                "message {} of {total}: {}",
                i + 1,
                m.normalized.chars().take(100).collect::<String>()
            )
        });
        let action = m.action.clone().or_else(|| m.inferred_action.clone());
        // A masked or missing caller, or no action: say what the message says and stop.
        let caller_ok = m
            .principal
            .as_deref()
            .is_some_and(|p| !m.masked_principal && verdict_eval::Caller::parse(p, "").is_ok());
        if !caller_ok || action.is_none() {
            let mut p = diagnose::partial(m, case);
            unused(&mut p, "the message does not name both the caller and the action, which evaluating a policy needs; give --event RECORD.json or a scenario file");
            out.push(Report::Partial(Box::new(p)));
            continue;
        }
        let mut one = inputs.clone();
        one.reported = Some(m.clone());
        match build(&one, None) {
            Ok(b) => out.push(Report::Full(Box::new(diagnose(b, case)))),
            // A bad policy file is the user's input error: report it.
            Err(d) if d.iter().any(|x| x.source.is_some()) => return Err(d),
            // What cannot be derived from the message is skipped, never fatal for a paste.
            Err(d) => {
                let mut p = diagnose::partial(m, case);
                p.next_steps.insert(
                    0,
                    format!(
                        "Verdict could not rebuild the request from the message: {}",
                        d.iter()
                            .map(|x| x.message.clone())
                            .collect::<Vec<_>>()
                            .join("; ")
                    ),
                );
                unused(
                    &mut p,
                    "the request could not be rebuilt from the message (next step)",
                );
                out.push(Report::Partial(Box::new(p)));
            }
        }
    }
    Ok(out)
}

/// Read every file given besides the message and check that it is what its flag says
/// (authorization details, policy documents); returns them as `--flag NAME`.
fn check_given_files(inputs: &Inputs) -> Result<Vec<String>, Vec<Diagnostic>> {
    use snapshot::{policy_file, policy_files, AuthDetails};
    let mut names = Vec::new();
    if !inputs.auth_details.is_empty() {
        AuthDetails::load(&inputs.auth_details)?;
        names.extend(
            inputs
                .auth_details
                .iter()
                .map(|t| format!("--auth-details {}", t.name)),
        );
    }
    let single = [
        ("--resource-policy", &inputs.resource_policy),
        ("--session-policy", &inputs.session_policy),
        ("--vpc-endpoint-policy", &inputs.vpc_endpoint_policy),
        ("--permissions-boundary", &inputs.permissions_boundary),
    ];
    for (flag, t) in single {
        if let Some(t) = t {
            policy_file(t, None)?;
            names.push(format!("{flag} {}", t.name));
        }
    }
    for t in &inputs.identity_policies {
        policy_files(t, "identity policy")?;
        names.push(format!("--identity-policy {}", t.name));
    }
    for t in &inputs.scps {
        policy_files(t, "SCP")?;
        names.push(format!("--scp {}", t.name));
    }
    if !inputs.org.is_empty() {
        snapshot::OrgSnapshot::load(&inputs.org)?;
        names.extend(inputs.org.iter().map(|o| format!("--org {}", o.name)));
    }
    Ok(names)
}

/// Parse `--context` entries (`KEY=VALUE`; a JSON array as VALUE for several values),
/// in order: a later entry of a key wins over an earlier one and over the event.
pub fn parse_context(entries: &[String]) -> Result<Vec<(String, String)>, Vec<Diagnostic>> {
    let mut context = Vec::new();
    for kv in entries {
        let Some((k, v)) = kv.split_once('=') else {
            return Err(vec![Diagnostic::new(ErrorCode::InvalidContext, format!("--context \"{kv}\" must be KEY=VALUE, e.g. aws:SourceVpc=vpc-0abc (a JSON array for several values)"))]);
        };
        if k.trim().is_empty() {
            return Err(vec![Diagnostic::new(
                ErrorCode::InvalidContext,
                format!("--context \"{kv}\" has an empty key"),
            )]);
        }
        context.push((k.trim().to_string(), v.to_string()));
    }
    Ok(context)
}
