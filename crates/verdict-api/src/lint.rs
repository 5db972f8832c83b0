//! `lint`: validate policies (plain documents, CloudFormation, Terraform plans) with
//! stable check codes.

use crate::Document;
use rayon::prelude::*;
use serde::Deserialize;
use serde_json::Value;
use std::path::Path;
use std::sync::Arc;
use verdict_lint::config::{parse_scp_syntax, validate_selector, Config};
use verdict_lint::finding::sort_findings;
use verdict_lint::output::{self, Summary};
use verdict_lint::{FileReport, Finding, LintOptions, ResourceKind, Severity};
use verdict_policy::{Diagnostic, ErrorCode, PolicyType, SourceFile};

/// Arguments of a `lint` call.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LintCall {
    /// The files' texts; each is linted as its name says (`.json`, `.yaml`, a template).
    pub documents: Vec<Document>,
    /// Check every policy as this type instead of detecting it (`identity`, `scp`, …).
    #[serde(default)]
    pub policy_type: Option<String>,
    /// SCP grammar: `current` or `legacy-2023`.
    #[serde(default)]
    pub scp_syntax: Option<String>,
    /// The resource that resource-based policies are attached to (`AWS::S3::Bucket`, …).
    #[serde(default)]
    pub resource_type: Option<String>,
    /// Rules to suppress, by code, name or code prefix.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// A `verdict.toml`'s text.
    #[serde(default)]
    pub config: Option<Document>,
    /// The severity from which the result says `"fails": true` (default `error`).
    #[serde(default)]
    pub fail_on: Option<String>,
}

/// The settings a lint run uses: the configuration with the caller's choices on top.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Options for the rules.
    pub options: LintOptions,
    /// The configuration (ignores, per-path ignores).
    pub config: Config,
    /// The severity that fails the run.
    pub fail_on: Severity,
}

/// Combine `config` with choices given on the call or command line (which win).
pub fn settings(
    mut config: Config,
    policy_type: Option<PolicyType>,
    scp_syntax: Option<&str>,
    resource_type: Option<&str>,
    ignore: &[String],
    fail_on: Option<Severity>,
) -> Result<Settings, String> {
    for sel in ignore {
        validate_selector(sel).map_err(|e| format!("--ignore: {e}"))?;
    }
    config.ignore.extend(ignore.iter().cloned());
    let resource_kind = match resource_type {
        Some(name) => Some(ResourceKind::from_name(name).ok_or_else(|| {
            format!(
                "--resource-type \"{name}\" is not a resource type{}",
                verdict_lint::resource_kind::suggest(name)
            )
        })?),
        None => config.resource_kind,
    };
    let scp_syntax = match scp_syntax {
        Some(s) => parse_scp_syntax(s).ok_or_else(|| {
            format!("--scp-syntax \"{s}\" is not valid; expected current or legacy-2023")
        })?,
        None => config.scp_syntax.unwrap_or_default(),
    };
    Ok(Settings {
        options: LintOptions {
            resource_kind,
            policy_type: policy_type.or(config.policy_type),
            scp_syntax,
        },
        fail_on: fail_on.or(config.fail_on).unwrap_or(Severity::Error),
        config,
    })
}

/// What a lint run found.
#[derive(Clone, Debug)]
pub struct LintRun {
    /// One report per file, in the order given (unreadable files last).
    pub reports: Vec<FileReport>,
    /// The findings not ignored, sorted.
    pub findings: Vec<Finding>,
    /// The counts.
    pub summary: Summary,
}

impl LintRun {
    /// The JSON report (docs/schemas/lint.schema.json).
    pub fn json(&self) -> Value {
        output::json::render(&self.findings, &self.summary)
    }
}

/// Lint `sources` (each with whether the user named it, so that a document of unknown
/// shape is linted rather than skipped) in parallel; `unreadable` holds the reports of
/// files the front end could not read, so that none is skipped in silence.
pub fn lint_sources(
    sources: &[(Arc<SourceFile>, bool)],
    unreadable: Vec<FileReport>,
    settings: &Settings,
) -> LintRun {
    let mut reports: Vec<FileReport> = sources
        .par_iter()
        .map(|(s, explicit)| verdict_lint::lint_file(s, *explicit, &settings.options))
        .collect();
    reports.extend(unreadable);
    let policies: usize = reports.iter().map(|r| r.units.len()).sum();
    let mut findings: Vec<Finding> = Vec::new();
    let mut ignored = 0;
    for f in reports.iter().flat_map(|r| r.findings()) {
        if settings.config.is_ignored(f) {
            ignored += 1;
        } else {
            findings.push(f.clone());
        }
    }
    sort_findings(&mut findings);
    let summary = Summary::new(&findings, reports.len(), policies, ignored);
    LintRun {
        reports,
        findings,
        summary,
    }
}

/// Answer a `lint` call: the lint report, with `"fails"` (does a finding reach `fail_on`).
pub fn run(call: &LintCall) -> Result<Value, Vec<Diagnostic>> {
    let bad = |m: String| crate::error(ErrorCode::InvalidCall, m);
    if call.documents.is_empty() {
        return Err(bad(
            "a lint call needs at least one document; a gate must not pass what it never read"
                .into(),
        ));
    }
    let config = match &call.config {
        Some(d) => {
            Config::parse(&d.text, Path::new(".")).map_err(|e| bad(format!("{}: {e}", d.name)))?
        }
        None => Config::default(),
    };
    let policy_type = match &call.policy_type {
        Some(t) => Some(PolicyType::from_name(t).ok_or_else(|| {
            bad(format!("policy_type \"{t}\" is not a policy type (identity, resource, trust, scp, rcp, boundary, session, vpc-endpoint)"))
        })?),
        None => None,
    };
    let fail_on = match &call.fail_on {
        Some(f) => Some(Severity::from_name(f).ok_or_else(|| {
            bad(format!(
                "fail_on \"{f}\" is not a severity (error, security-warning, warning, suggestion)"
            ))
        })?),
        None => None,
    };
    let settings = settings(
        config,
        policy_type,
        call.scp_syntax.as_deref(),
        call.resource_type.as_deref(),
        &call.ignore,
        fail_on,
    )
    .map_err(bad)?;
    let sources: Vec<(Arc<SourceFile>, bool)> =
        call.documents.iter().map(|d| (d.source(), true)).collect();
    let run = lint_sources(&sources, Vec::new(), &settings);
    let mut v = run.json();
    if let Some(obj) = v.as_object_mut() {
        obj.insert("fails".into(), run.summary.fails(settings.fail_on).into());
    }
    Ok(v)
}
