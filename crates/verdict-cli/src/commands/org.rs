//! `verdict who-can`, `verdict can` and `verdict escalation`: questions about a whole
//! snapshot (docs/snapshot.md).

use super::EXIT_BAD_INPUT;
use clap::Args;
use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use verdict_org::index::{Indexer, PrincipalIndex, Universe};
use verdict_org::table::Table;
use verdict_org::{Snapshot, SnapshotBuilder};

/// Output formats of the org-wide commands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OrgFormat {
    /// Readable report.
    Text,
    /// One JSON document.
    Json,
    /// One JSON object per row (flat columns).
    Jsonl,
    /// CSV with a header line (lists joined by "; ").
    Csv,
    /// Apache Parquet (columns typed Utf8, Int64 or List<Utf8>); needs --output or a
    /// redirected standard output.
    Parquet,
}

/// Where the snapshot is and how to print.
#[derive(Args, Clone)]
pub struct SnapshotArgs {
    /// The snapshot directory (docs/snapshot.md; tools/snapshot/collect.sh fills one).
    #[arg(long, value_name = "DIR")]
    snapshot: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OrgFormat::Text)]
    format: OrgFormat,
    /// Write the answer to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
}

/// Where the answer goes.
type Out = Box<dyn Write + Send>;

impl SnapshotArgs {
    /// Read the snapshot and report its problems and notes on stderr.
    fn read(&self) -> Result<Snapshot, ExitCode> {
        let t = std::time::Instant::now();
        let snap = load(&self.snapshot).map_err(|e| bad(&e))?;
        timing("load", t);
        report_problems(&snap);
        Ok(snap)
    }

    fn open_output(&self) -> Result<Out, String> {
        use std::io::IsTerminal;
        match &self.output {
            Some(p) => std::fs::File::create(p)
                .map(|f| Box::new(std::io::BufWriter::new(f)) as Out)
                .map_err(|e| format!("{}: {e}", p.display())),
            None if self.format == OrgFormat::Parquet && std::io::stdout().is_terminal() => Err(
                "--format parquet writes binary: give --output FILE or redirect standard output"
                    .into(),
            ),
            None => Ok(Box::new(std::io::BufWriter::new(std::io::stdout()))),
        }
    }
}

/// `verdict who-can`.
#[derive(Args)]
pub struct WhoCanArgs {
    #[command(flatten)]
    snap: SnapshotArgs,
    /// The action (`s3:GetObject`).
    #[arg(long)]
    action: String,
    /// The resource's ARN.
    #[arg(long)]
    resource: String,
    /// A context value the request carries (`aws:RequestedRegion=us-east-1`; repeat for
    /// more; `KEY=a,b` for a list). Keys not given stay unknown: answers that depend on
    /// them come with the condition.
    #[arg(long = "context", value_name = "KEY=VALUE")]
    context: Vec<String>,
}

/// `verdict can`.
#[derive(Args)]
pub struct CanArgs {
    #[command(flatten)]
    snap: SnapshotArgs,
    /// The principal (user or role ARN, or a role session ARN). Without it: the
    /// action-level permissions of every principal of the snapshot.
    #[arg(long)]
    principal: Option<String>,
    /// Only actions matching this pattern (`s3:*`, `iam:Create*`).
    #[arg(long)]
    action: Option<String>,
    /// Ask about this resource (ARN or ARN pattern) instead of the statements' own.
    #[arg(long)]
    resource: Option<String>,
    /// A context value the requests carry (`KEY=VALUE`, repeatable; `KEY=a,b` for a list).
    #[arg(long = "context", value_name = "KEY=VALUE")]
    context: Vec<String>,
    /// Print the permissions as one synthesized policy document.
    #[arg(long)]
    as_policy: bool,
    /// Print the request (with --action and --resource) as a scenario file for
    /// `verdict simulate` or `verdict test`, with every policy the snapshot applies.
    #[arg(long, requires_all = ["principal", "action", "resource"])]
    scenario: bool,
}

/// `verdict escalation`.
#[derive(Args)]
pub struct EscalationArgs {
    #[command(flatten)]
    snap: SnapshotArgs,
    /// Start from this principal (default: every principal that is not already an administrator).
    #[arg(long)]
    from: Option<String>,
    /// The goal: `admin` (any permission) or a principal's ARN.
    #[arg(long, default_value = "admin")]
    to: String,
    /// List the techniques Verdict checks and exit.
    #[arg(long)]
    list_techniques: bool,
}

use verdict_api::org::context_of;

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out)?;
        } else {
            out.push(p);
        }
    }
    Ok(())
}

/// Read the snapshot: every file handed to the builder, one at a time.
fn load(dir: &Option<PathBuf>) -> Result<Snapshot, String> {
    let Some(dir) = dir.as_deref() else {
        return Err("--snapshot DIR is required (a directory as docs/snapshot.md describes; tools/snapshot/collect.sh fills one)".into());
    };
    if !dir.is_dir() {
        return Err(format!(
            "{}: not a directory (give the snapshot directory: docs/snapshot.md)",
            dir.display()
        ));
    }
    let mut files = Vec::new();
    walk(dir, &mut files).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut b = SnapshotBuilder::new();
    let mut collect_log = None;
    // Files are read a batch at a time and parsed in parallel; memory holds one batch
    // of text, not the snapshot.
    let mut batch = Vec::new();
    for f in files {
        let rel = f
            .strip_prefix(dir)
            .unwrap_or(&f)
            .to_string_lossy()
            .replace('\\', "/");
        if rel == "collect-errors.log" {
            collect_log = std::fs::read_to_string(&f).ok();
            continue;
        }
        match std::fs::read_to_string(&f) {
            Ok(text) => batch.push((rel, text.trim_start_matches('\u{feff}').to_string())),
            Err(e) => batch.push((rel, format!("<unreadable: {e}>"))),
        }
        if batch.len() >= 64 {
            b.add_batch(std::mem::take(&mut batch));
        }
    }
    b.add_batch(batch);
    let mut snap = b.finish();
    if let Some(log) = collect_log {
        let n = log
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .count();
        if n > 0 {
            snap.notes.push(format!("collect-errors.log records {n} line(s) of failures during collection: what they name may be missing from the snapshot"));
        }
    }
    Ok(snap)
}

/// With `VERDICT_TIMINGS` set, print how long a phase took to stderr.
fn timing(phase: &str, since: std::time::Instant) {
    if std::env::var_os("VERDICT_TIMINGS").is_some() {
        anstream::eprintln!("timing: {phase} {:.3} s", since.elapsed().as_secs_f64());
    }
}

fn report_problems(snap: &Snapshot) {
    for d in &snap.problems {
        anstream::eprintln!("warning: {d}");
    }
    for n in &snap.notes {
        anstream::eprintln!("note: {n}");
    }
}

fn finish(snap: &Snapshot) -> ExitCode {
    if snap.problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        anstream::eprintln!("{} file(s) of the snapshot could not be read fully (see the warnings above); the answer covers the rest", snap.problems.len());
        ExitCode::from(EXIT_BAD_INPUT)
    }
}

fn bad(msg: &str) -> ExitCode {
    anstream::eprintln!("error: {msg}");
    ExitCode::from(EXIT_BAD_INPUT)
}

/// Each item as a flat JSON row, with the question's own fields added.
fn rows_with<T: serde::Serialize>(items: &[T], extra: &[(&str, Value)]) -> Vec<Value> {
    items
        .iter()
        .map(|item| {
            let mut v = json!(item);
            if let Some(o) = v.as_object_mut() {
                for (k, x) in extra {
                    o.insert((*k).to_string(), x.clone());
                }
            }
            v
        })
        .collect()
}

fn emit_table(t: &Table, f: OrgFormat, out: &mut Out) {
    let _ = match f {
        OrgFormat::Csv => t.write_csv(out),
        OrgFormat::Parquet => t.write_parquet(&mut *out).map_err(std::io::Error::other),
        _ => t.write_jsonl(out),
    };
    let _ = out.flush();
}

fn emit_json(v: Value, snap: &Snapshot, out: &mut Out) {
    let v = verdict_api::org::with_snapshot(v, snap);
    let _ = writeln!(
        out,
        "{}",
        serde_json::to_string_pretty(&v).unwrap_or_default()
    );
    let _ = out.flush();
}

impl WhoCanArgs {
    /// Run it.
    pub fn run(self) -> ExitCode {
        let snap = match self.snap.read() {
            Ok(s) => s,
            Err(code) => return code,
        };
        let t = std::time::Instant::now();
        let u = Universe::from_catalog();
        let mut ix = Indexer::new(&u);
        let index = PrincipalIndex::build(&mut ix, &snap);
        timing("index", t);
        let t = std::time::Instant::now();
        let ctx = match context_of(&self.context) {
            Ok(c) => c,
            Err(e) => return bad(&e),
        };
        let w = match verdict_org::who_can::who_can(
            &snap,
            &index,
            &u,
            &self.action,
            &self.resource,
            &ctx,
        ) {
            Ok(w) => w,
            Err(e) => return bad(&e),
        };
        timing("who-can", t);
        let mut out = match self.snap.open_output() {
            Ok(o) => o,
            Err(e) => return bad(&e),
        };
        match self.snap.format {
            OrgFormat::Json => emit_json(json!(w), &snap, &mut out),
            OrgFormat::Text => print_who_can(&w, &mut out),
            f => {
                let rows = rows_with(
                    &w.access,
                    &[("action", json!(w.action)), ("resource", json!(w.resource))],
                );
                emit_table(
                    &Table {
                        columns: vec![
                            "action",
                            "resource",
                            "principal",
                            "kind",
                            "decision",
                            "condition",
                            "granted_by",
                            "assumes",
                            "uncertain",
                            "incomplete",
                        ],
                        rows,
                    },
                    f,
                    &mut out,
                );
            }
        }
        finish(&snap)
    }
}

fn print_who_can(w: &verdict_org::who_can::WhoCan, out: &mut Out) {
    let owner = w
        .resource_account
        .as_deref()
        .map(|a| format!(", owner {a}"))
        .unwrap_or_default();
    let policy = w
        .resource_policy
        .as_deref()
        .map(|p| format!("; resource policy of {p}"))
        .unwrap_or_else(|| "; no resource policy".into());
    let _ = writeln!(
        out,
        "Who can {} on {}{owner}{policy}\n",
        w.action, w.resource
    );
    for a in &w.access {
        let _ = writeln!(
            out,
            "  {:<12} {:<9} {}",
            a.decision.to_uppercase(),
            a.kind,
            a.principal
        );
        if let Some(c) = &a.condition {
            let _ = writeln!(out, "  {:<22} when {c}", "");
        }
        for g in &a.granted_by {
            let _ = writeln!(out, "  {:<22} granted by {g}", "");
        }
        for x in a.assumes.iter().chain(&a.uncertain).chain(&a.incomplete) {
            let _ = writeln!(out, "  {:<22} note: {x}", "");
        }
    }
    let _ = writeln!(
        out,
        "\n{} caller(s) may do it; {} candidate(s) decided of {} principal(s) in the snapshot.",
        w.access.len(),
        w.candidates,
        w.principals
    );
    for n in &w.notes {
        let _ = writeln!(out, "note: {n}");
    }
}

impl CanArgs {
    /// Run it.
    pub fn run(self) -> ExitCode {
        let snap = match self.snap.read() {
            Ok(s) => s,
            Err(code) => return code,
        };
        let u = Universe::from_catalog();
        let Some(who) = &self.principal else {
            return self.sweep(&snap, &u);
        };
        let Some(pi) = snap.principal_index(who) else {
            return bad(&format!(
                "{who} is not a user or role of the snapshot ({} principals in {} account(s))",
                snap.principals.len(),
                snap.accounts.len()
            ));
        };
        let ctx = match context_of(&self.context) {
            Ok(c) => c,
            Err(e) => return bad(&e),
        };
        if self.scenario {
            let (Some(a), Some(r)) = (&self.action, &self.resource) else {
                return bad("--scenario needs --action and --resource");
            };
            return match verdict_org::query::scenario_document(
                &snap,
                &verdict_org::Who::Principal(pi),
                a,
                r,
                ctx,
            ) {
                Ok(doc) => {
                    println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
                    finish(&snap)
                }
                Err(e) => bad(&e.0),
            };
        }
        let mut ix = Indexer::new(&u);
        let opts = verdict_org::can::CanOptions {
            action: self.action.clone(),
            resource: self.resource.clone(),
            context: ctx,
        };
        let c = match verdict_org::can::can(&snap, &mut ix, pi, &opts) {
            Ok(c) => c,
            Err(e) => return bad(&e),
        };
        if self.as_policy {
            let doc = verdict_org::can::synthesize(&c);
            let mut out = match self.snap.open_output() {
                Ok(o) => o,
                Err(e) => return bad(&e),
            };
            let _ = writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&doc).unwrap_or_default()
            );
            let _ = out.flush();
            return finish(&snap);
        }
        let mut out = match self.snap.open_output() {
            Ok(o) => o,
            Err(e) => return bad(&e),
        };
        match self.snap.format {
            OrgFormat::Json => emit_json(json!(c), &snap, &mut out),
            OrgFormat::Text => print_can(&c, &mut out),
            f => {
                let rows = rows_with(&c.rows, &[("principal", json!(c.principal))]);
                emit_table(
                    &Table {
                        columns: vec![
                            "principal",
                            "actions",
                            "resource",
                            "decision",
                            "scope",
                            "condition",
                            "example",
                            "denied_example",
                            "granted_by",
                        ],
                        rows,
                    },
                    f,
                    &mut out,
                );
            }
        }
        finish(&snap)
    }

    /// Every principal's action-level permissions, in chunks so that memory stays flat.
    fn sweep(&self, snap: &Snapshot, u: &Universe) -> ExitCode {
        use rayon::prelude::*;
        let t = std::time::Instant::now();
        let filter = self.action.as_deref().map(|a| u.expand(a));
        let columns = vec![
            "principal",
            "account",
            "kind",
            "allowed_count",
            "possible_count",
            "allowed",
            "possible",
            "incomplete",
        ];
        let format = self.snap.format;
        let opened = match self.snap.open_output() {
            Ok(o) => o,
            Err(e) => return bad(&e),
        };
        let (mut out, mut parquet) = if format == OrgFormat::Parquet {
            (None, Some(verdict_org::table::ParquetOut::new(opened)))
        } else {
            (Some(opened), None)
        };
        if let (OrgFormat::Csv, Some(o)) = (format, out.as_mut()) {
            let _ = writeln!(o, "{}", columns.join(","));
        }
        let mut json_rows = Vec::new();
        for chunk in snap.principals.chunks(4096) {
            // Each principal is decided on its own thread.
            let rows: Vec<verdict_org::can::ActionLevel> = chunk
                .par_iter()
                .map_init(
                    || Indexer::new(u),
                    |ix, p| verdict_org::can::action_level(ix, snap, p, filter.as_ref()),
                )
                .collect();
            if let Some(pq) = parquet.as_mut() {
                // Parquet: the rows go straight into Arrow columns.
                let written =
                    verdict_org::can::action_level_batch(&rows).and_then(|b| pq.write_batch(&b));
                if let Err(e) = written {
                    return bad(&e);
                }
            } else if format == OrgFormat::Json {
                json_rows.extend(rows.iter().map(|r| json!(r)));
            } else if let Some(o) = out.as_mut() {
                // Each row is serialized on its own thread; lines are written in order.
                let lines: Vec<String> = rows
                    .par_iter()
                    .map(|r| match format {
                        OrgFormat::Text => format!(
                            "{}  allowed {}  possible {}{}\n",
                            r.principal,
                            r.allowed_count,
                            r.possible_count,
                            if r.incomplete.is_empty() {
                                ""
                            } else {
                                "  (incomplete)"
                            }
                        ),
                        OrgFormat::Csv => Table {
                            columns: columns.clone(),
                            rows: vec![json!(r)],
                        }
                        .csv_rows(),
                        _ => {
                            let mut line = serde_json::to_string(r).unwrap_or_default();
                            line.push('\n');
                            line
                        }
                    })
                    .collect();
                for l in lines {
                    let _ = o.write_all(l.as_bytes());
                }
            }
        }
        if let Some(pq) = parquet {
            if let Err(e) = pq.finish() {
                return bad(&e);
            }
        }
        timing("sweep", t);
        if let Some(o) = out.as_mut() {
            if format == OrgFormat::Json {
                emit_json(json!({"principals": json_rows}), snap, o);
            }
            let _ = o.flush();
        }
        finish(snap)
    }
}

fn print_can(c: &verdict_org::can::Can, out: &mut Out) {
    let _ = writeln!(
        out,
        "What {} can do: {} action(s) allowed on every resource of its account that has no resource policy; {} more possible under some resource or condition\n",
        c.principal, c.allowed_actions, c.possible_actions
    );
    for r in &c.rows {
        let scope = match r.scope {
            "all" => "every resource matching",
            "some" => "some resources matching",
            _ => "checked on one resource of",
        };
        let _ = writeln!(
            out,
            "  {:<12} {}",
            r.decision.to_uppercase(),
            r.actions.join(", ")
        );
        if r.resource == r.example {
            let _ = writeln!(out, "  {:<12} on {}", "", r.resource);
        } else {
            let _ = writeln!(
                out,
                "  {:<12} on {} ({scope}; e.g. {})",
                "", r.resource, r.example
            );
        }
        if let Some(d) = &r.denied_example {
            let _ = writeln!(out, "  {:<12} but not {d}", "");
        }
        if let Some(cond) = &r.condition {
            let _ = writeln!(out, "  {:<12} when {cond}", "");
        }
        for g in &r.granted_by {
            let _ = writeln!(out, "  {:<12} granted by {g}", "");
        }
    }
    if c.rows.is_empty() {
        let _ = writeln!(out, "  (nothing is allowed)");
    }
    for n in c.incomplete.iter().chain(&c.notes) {
        let _ = writeln!(out, "note: {n}");
    }
}

impl EscalationArgs {
    /// Run it.
    pub fn run(self) -> ExitCode {
        if self.list_techniques {
            let mut out = std::io::stdout().lock();
            for t in verdict_org::escalation::techniques() {
                let _ = writeln!(
                    out,
                    "{:<24} {:<18} {:<6} {}",
                    t.id, t.category, t.to, t.name
                );
            }
            return ExitCode::SUCCESS;
        }
        let snap = match self.snap.read() {
            Ok(s) => s,
            Err(code) => return code,
        };
        let from = match &self.from {
            Some(a) => match snap.principal_index(a) {
                Some(i) => Some(i),
                None => return bad(&format!("{a} is not a user or role of the snapshot")),
            },
            None => None,
        };
        let u = Universe::from_catalog();
        let mut ix = Indexer::new(&u);
        let e = verdict_org::escalation::escalation(&snap, &mut ix, from, &self.to);
        let mut out = match self.snap.open_output() {
            Ok(o) => o,
            Err(e) => return bad(&e),
        };
        match self.snap.format {
            OrgFormat::Json => emit_json(json!(e), &snap, &mut out),
            OrgFormat::Text => print_escalation(&e, &mut out),
            f => {
                let mut rows = Vec::new();
                for (pi, p) in e.paths.iter().enumerate() {
                    for (hi, edge) in p.edges.iter().enumerate() {
                        let steps: Vec<String> = edge
                            .steps
                            .iter()
                            .map(|s| format!("{} on {} ({})", s.action, s.resource, s.decision))
                            .collect();
                        rows.push(json!({
                            "path": pi + 1, "hop": hi + 1, "start": p.from, "goal": p.to,
                            "from": edge.from, "to": target_text(&edge.to), "technique": edge.technique,
                            "name": edge.name, "category": edge.category, "decision": edge.decision,
                            "steps": steps, "assumes": edge.assumes,
                        }));
                    }
                }
                emit_table(
                    &Table {
                        columns: vec![
                            "path",
                            "hop",
                            "start",
                            "goal",
                            "from",
                            "to",
                            "technique",
                            "name",
                            "category",
                            "decision",
                            "steps",
                            "assumes",
                        ],
                        rows,
                    },
                    f,
                    &mut out,
                );
            }
        }
        finish(&snap)
    }
}

fn target_text(t: &verdict_org::escalation::Target) -> String {
    use verdict_org::escalation::Target;
    match t {
        Target::Principal(a) => a.clone(),
        Target::Group(g) => format!("group {g}"),
        Target::Admin => "admin".into(),
    }
}

fn print_escalation(e: &verdict_org::escalation::Escalation, out: &mut Out) {
    if e.paths.is_empty() {
        let _ = writeln!(
            out,
            "No escalation path found ({} technique(s) checked).",
            e.techniques.len()
        );
    }
    for p in &e.paths {
        let _ = writeln!(
            out,
            "{} → {}  ({} step{})",
            p.from,
            p.to,
            p.edges.len(),
            if p.edges.len() == 1 { "" } else { "s" }
        );
        for (i, edge) in p.edges.iter().enumerate() {
            let _ = writeln!(
                out,
                "  {}. {} [{}] {} → {}  {}",
                i + 1,
                edge.technique,
                edge.category,
                edge.name,
                target_text(&edge.to),
                edge.decision
            );
            for s in &edge.steps {
                let _ = writeln!(out, "       {} on {}: {}", s.action, s.resource, s.decision);
                for g in &s.granted_by {
                    let _ = writeln!(out, "         granted by {g}");
                }
                if let Some(c) = &s.condition {
                    let _ = writeln!(out, "         when {c}");
                }
            }
            for a in &edge.assumes {
                let _ = writeln!(out, "       assumes {a}");
            }
        }
    }
    if !e.admins.is_empty() {
        let _ = writeln!(out, "\nAlready administrators: {}", e.admins.join(", "));
    }
    for n in &e.notes {
        let _ = writeln!(out, "note: {n}");
    }
}
