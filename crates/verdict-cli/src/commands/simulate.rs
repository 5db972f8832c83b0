//! `verdict simulate`: one scenario, AWS-CLI-style flags, or a JSONL batch.

use super::{color_stdout, report_diagnostics_as, Format, EXIT_BAD_INPUT};
use clap::Args;
use rayon::prelude::*;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use verdict_api::simulate::{
    batch_line, custom_scenarios, expect_miss, Answer, CustomCall, LineOutcome,
};
use verdict_api::{Document, PolicyInput};
use verdict_eval::{load_scenario, Scenario};
use verdict_policy::{Diagnostic, ErrorCode, SourceFile};

/// Arguments of `verdict simulate`.
#[derive(Args)]
pub struct SimulateArgs {
    /// Scenario file (JSON or YAML); `-` reads standard input.
    scenario: Option<PathBuf>,
    /// Output format (default text; `--batch` always writes JSON lines). With several
    /// scenarios, `json` prints one array.
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Read one scenario per line (JSONL) from FILE or `-`; print one JSON result per
    /// line, in order, each with its `"line"`.
    #[arg(long, value_name = "FILE", conflicts_with = "scenario")]
    batch: Option<String>,
    /// Discovery: treat every context key the policies test as unknown and say which
    /// values would allow the request, and which statement would then grant per layer.
    #[arg(long, conflicts_with = "batch")]
    discover: bool,
    /// In batch mode, print the full trace for every line instead of the decision summary.
    #[arg(long, requires = "batch")]
    trace: bool,
    /// In batch mode, evaluate on N threads (default: one per core).
    #[arg(long, value_name = "N", requires = "batch", value_parser = clap::value_parser!(u16).range(1..))]
    jobs: Option<u16>,
    /// Exit with 1 unless the decision is this (`allow` or `deny`); with `--batch`,
    /// unless every line's is.
    #[arg(long, value_parser = ["allow", "deny"])]
    expect: Option<String>,
    /// Identity policies (inline JSON or file://PATH), as in `aws iam simulate-custom-policy`.
    #[arg(long, num_args = 1.., value_name = "POLICY")]
    policy_input_list: Vec<String>,
    /// Permissions boundary (inline JSON or file://PATH).
    #[arg(long, num_args = 1.., value_name = "POLICY")]
    permissions_boundary_policy_input_list: Vec<String>,
    /// Resource-based policy (inline JSON or file://PATH).
    #[arg(long, value_name = "POLICY")]
    resource_policy: Option<String>,
    /// Actions to simulate.
    #[arg(long, num_args = 1.., value_name = "ACTION")]
    action_names: Vec<String>,
    /// Resource ARNs (default `*`).
    #[arg(long, num_args = 1.., value_name = "ARN")]
    resource_arns: Vec<String>,
    /// Account that owns the resources.
    #[arg(long, value_name = "ACCOUNT")]
    resource_owner: Option<String>,
    /// The caller (user, role session, root, service principal or `anonymous`).
    #[arg(long, value_name = "ARN")]
    caller_arn: Option<String>,
    /// Context entries: `ContextKeyName=K,ContextKeyValues=V1,V2,ContextKeyType=T`, `K=V`, or a JSON list.
    #[arg(long, num_args = 1.., value_name = "ENTRY")]
    context_entries: Vec<String>,
    /// Context keys whose value is unknown (`KEY`, or `KEY=present` when the key is sent
    /// but its value unknown): the answer is then the condition under which it is allowed.
    #[arg(long, num_args = 1.., value_name = "KEY")]
    unknown_context: Vec<String>,
}

impl SimulateArgs {
    /// Run the subcommand.
    pub fn run(self) -> ExitCode {
        if let Some(b) = &self.batch {
            if self.format == Some(Format::Text) {
                anstream::eprintln!("error: --batch writes one JSON result per line; --format text does not apply (drop it, or run verdict simulate on one scenario)");
                return ExitCode::from(EXIT_BAD_INPUT);
            }
            if let Some(n) = self.jobs {
                // Only fails if a pool already exists, which it cannot here.
                let _ = rayon::ThreadPoolBuilder::new()
                    .num_threads(usize::from(n))
                    .build_global();
            }
            return batch(b, self.trace, self.expect.as_deref());
        }
        let format = self.format.unwrap_or(Format::Text);
        let scenarios = match (&self.scenario, self.action_names.is_empty()) {
            (Some(p), true) => match read_scenario(p) {
                Ok(s) => vec![s],
                Err(d) => return report_diagnostics_as(&d, format),
            },
            (None, false) => match self.scenarios_from_flags() {
                Ok(s) => s,
                Err(d) => return report_diagnostics_as(&d, format),
            },
            (Some(_), false) => {
                anstream::eprintln!(
                    "error: give either a scenario file or --action-names, not both"
                );
                return ExitCode::from(EXIT_BAD_INPUT);
            }
            (None, true) => {
                anstream::eprintln!("error: give a scenario file, --batch FILE, or --action-names with policies (see verdict simulate --help)");
                return ExitCode::from(EXIT_BAD_INPUT);
            }
        };
        let mut mismatch = false;
        let mut out = anstream::stdout();
        let color = color_stdout();
        let mut docs = Vec::new();
        for (i, s) in scenarios.iter().enumerate() {
            let answer = match Answer::of(s, self.discover) {
                Ok(a) => a,
                Err(d) => return report_diagnostics_as(&d, format),
            };
            match format {
                Format::Json => {
                    let mut v = answer.json();
                    super::stamp(&mut v);
                    docs.push(v);
                }
                Format::Text => {
                    if i > 0 {
                        let _ = writeln!(out);
                    }
                    let _ = write!(out, "{}", answer.text(s, color));
                }
            }
            if let (Some(want), Some(got)) = (&self.expect, answer.decision()) {
                if let Some(line) = expect_miss(want, got) {
                    mismatch = true;
                    let what = if scenarios.len() > 1 {
                        format!(" ({} on {})", s.request.action, s.request.resource.as_str())
                    } else {
                        String::new()
                    };
                    anstream::eprintln!("{line}{what}");
                }
            }
        }
        if format == Format::Json {
            super::print_json(&mut out, docs);
        }
        if mismatch {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        }
    }

    fn scenarios_from_flags(&self) -> Result<Vec<Scenario>, Vec<Diagnostic>> {
        custom_scenarios(&self.custom_call()?)
    }

    /// The AWS-CLI-style flags as a call, with `file://` policies read.
    fn custom_call(&self) -> Result<CustomCall, Vec<Diagnostic>> {
        Ok(CustomCall {
            policy_input_list: self
                .policy_input_list
                .iter()
                .map(|p| policy_arg(p))
                .collect::<Result<_, _>>()?,
            permissions_boundary_policy_input_list: self
                .permissions_boundary_policy_input_list
                .iter()
                .map(|p| policy_arg(p))
                .collect::<Result<_, _>>()?,
            resource_policy: self
                .resource_policy
                .as_deref()
                .map(policy_arg)
                .transpose()?,
            action_names: self.action_names.clone(),
            resource_arns: self.resource_arns.clone(),
            resource_owner: self.resource_owner.clone(),
            caller_arn: self.caller_arn.clone(),
            context_entries: self
                .context_entries
                .iter()
                .cloned()
                .map(serde_json::Value::String)
                .collect(),
            unknown_context: self.unknown_context.clone(),
        })
    }
}

fn read_scenario(p: &std::path::Path) -> Result<Scenario, Vec<Diagnostic>> {
    let name = p.display().to_string();
    let text = super::read_input(&name).map_err(|e| {
        vec![Diagnostic::new(
            ErrorCode::InvalidScenario,
            format!("cannot read {name}: {e}"),
        )]
    })?;
    let src = SourceFile::new(name.clone(), text);
    load_scenario(&src, verdict_eval::scenario::is_yaml_path(&name))
}

/// A policy given on the command line: `file://PATH`, a path, or inline JSON (named
/// by its flag when the call is built).
fn policy_arg(arg: &str) -> Result<PolicyInput, Vec<Diagnostic>> {
    let path = match arg.strip_prefix("file://") {
        Some(path) => path,
        None if !arg.trim_start().starts_with(['{', '"', '%'])
            && std::path::Path::new(arg).is_file() =>
        {
            arg
        }
        None => {
            return Ok(PolicyInput::Inline(serde_json::Value::String(
                arg.to_string(),
            )))
        }
    };
    let text = std::fs::read_to_string(path).map_err(|e| {
        vec![Diagnostic::new(
            ErrorCode::InvalidScenario,
            format!("cannot read {path}: {e}"),
        )]
    })?;
    Ok(PolicyInput::Document(Document::new(path, text)))
}

/// A progress line on standard error, only when it is a terminal.
struct Progress {
    on: bool,
    start: std::time::Instant,
    last: std::time::Instant,
    total_bytes: Option<u64>,
    read: u64,
}

impl Progress {
    fn new(total_bytes: Option<u64>) -> Progress {
        use std::io::IsTerminal;
        let now = std::time::Instant::now();
        Progress {
            on: std::io::stderr().is_terminal(),
            start: now,
            last: now,
            total_bytes,
            read: 0,
        }
    }

    fn update(&mut self, lines: usize, bytes: usize) {
        self.read += bytes as u64;
        if !self.on || self.last.elapsed() < std::time::Duration::from_millis(500) {
            return;
        }
        self.last = std::time::Instant::now();
        let secs = self.start.elapsed().as_secs_f64().max(1e-3);
        let share = match self.total_bytes {
            Some(t) if t > 0 => {
                format!(", {:.0}% of the input", 100.0 * self.read as f64 / t as f64)
            }
            _ => String::new(),
        };
        anstream::eprint!(
            "\r{lines} lines, {:.0} lines/s{share}   ",
            lines as f64 / secs
        );
    }

    fn finish(&self, lines: usize) {
        if self.on && self.start.elapsed() >= std::time::Duration::from_millis(500) {
            let secs = self.start.elapsed().as_secs_f64().max(1e-3);
            anstream::eprintln!(
                "\r{lines} lines in {secs:.1} s ({:.0} lines/s)            ",
                lines as f64 / secs
            );
        }
    }
}

/// Size of the blocks the batch reader hands to the workers.
const BLOCK: usize = 4 << 20;

/// A block of whole lines and the number of the first one.
struct Block {
    data: Vec<u8>,
    first_line: usize,
}

/// Read `reader` in blocks that end at a newline, reusing the buffers that come back on
/// `recycled`: a batch of any size runs in a few megabytes, with no allocation per line.
fn read_blocks(
    mut reader: Box<dyn Read + Send>,
    tx: std::sync::mpsc::SyncSender<Block>,
    recycled: std::sync::mpsc::Receiver<Vec<u8>>,
) -> std::io::Result<()> {
    let mut failure = None;
    let mut carry: Vec<u8> = Vec::new();
    let mut line = 1usize;
    loop {
        let mut buf = recycled.try_recv().unwrap_or_default();
        buf.clear();
        buf.extend_from_slice(&carry);
        carry.clear();
        let start = buf.len();
        buf.resize(start.max(BLOCK), 0);
        let mut filled = start;
        let mut eof = false;
        while let Some(free) = buf.get_mut(filled..).filter(|free| !free.is_empty()) {
            match reader.read(free) {
                Ok(0) => {
                    eof = true;
                    break;
                }
                Ok(n) => {
                    let asked = buf.len() - filled;
                    filled += n;
                    // A pipe that has no more for now: hand over the whole lines we
                    // have, so results stream while the producer is still writing.
                    if n < asked
                        && buf
                            .get(start..filled)
                            .is_some_and(|new| new.contains(&b'\n'))
                    {
                        break;
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    failure = Some(e);
                    eof = true;
                    break;
                }
            }
            // A single line longer than the block: grow the block.
            if filled == buf.len()
                && buf
                    .get(start..filled)
                    .is_none_or(|new| !new.contains(&b'\n'))
            {
                buf.resize(buf.len() * 2, 0);
            }
        }
        buf.truncate(filled);
        if !eof {
            match buf.iter().rposition(|b| *b == b'\n') {
                Some(i) => {
                    carry.extend_from_slice(buf.get(i + 1..).unwrap_or_default());
                    buf.truncate(i + 1);
                }
                None => continue,
            }
        }
        let lines = buf.iter().filter(|b| **b == b'\n').count();
        let block = Block {
            data: buf,
            first_line: line,
        };
        line += lines;
        if block.data.is_empty() && eof {
            return failure.map_or(Ok(()), Err);
        }
        if tx.send(block).is_err() || eof {
            return failure.map_or(Ok(()), Err);
        }
    }
}

fn batch(path: &str, trace: bool, expect: Option<&str>) -> ExitCode {
    let reader: Box<dyn Read + Send> = if path == "-" {
        Box::new(std::io::stdin())
    } else {
        if std::path::Path::new(path).is_dir() {
            anstream::eprintln!("error: --batch {path} is a directory; give a JSONL file (one scenario per line), or use verdict test {path} to run the scenario files in it");
            return ExitCode::from(EXIT_BAD_INPUT);
        }
        match std::fs::File::open(path) {
            Ok(f) => Box::new(f),
            Err(e) => {
                anstream::eprintln!("error: cannot read {path}: {e}");
                return ExitCode::from(EXIT_BAD_INPUT);
            }
        }
    };
    let label = if path == "-" {
        "<stdin>".to_string()
    } else {
        path.to_string()
    };
    let total_bytes = (path != "-")
        .then(|| std::fs::metadata(path).ok().map(|m| m.len()))
        .flatten();
    let mut progress = Progress::new(total_bytes);
    // A reader thread hands over blocks of lines; each block is evaluated in parallel
    // and written in input order, and its buffer goes back to the reader for reuse.
    let (tx, rx) = std::sync::mpsc::sync_channel::<Block>(2);
    let (back_tx, back_rx) = std::sync::mpsc::channel::<Vec<u8>>();
    let reader_thread = std::thread::spawn(move || read_blocks(reader, tx, back_rx));
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let (mut total, mut bad, mut missed) = (0usize, Vec::new(), Vec::new());
    for block in rx {
        let mut pieces: Vec<&[u8]> = block.data.split(|b| *b == b'\n').collect();
        // The text after the last newline is a line only if it is not empty.
        if pieces.last().is_some_and(|l| l.is_empty()) {
            pieces.pop();
        }
        let lines: Vec<(usize, &[u8])> = pieces
            .into_iter()
            .enumerate()
            .map(|(i, l)| {
                let n = block.first_line + i;
                // A byte-order mark before the first line is not part of it.
                let l = if n == 1 {
                    l.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(l)
                } else {
                    l
                };
                (n, l)
            })
            .collect();
        let results: Vec<(String, LineOutcome)> = lines
            .par_iter()
            .map(|(n, l)| match std::str::from_utf8(l) {
                Ok(text) => batch_line(text.trim_end_matches('\r'), *n, &label, trace),
                Err(e) => (
                    serde_json::json!({"error": format!("{label} line {n} is not UTF-8 text: {e}"), "line": n}).to_string(),
                    LineOutcome::Bad,
                ),
            })
            .collect();
        for ((n, _), (r, outcome)) in lines.iter().zip(results) {
            total += 1;
            match outcome {
                LineOutcome::Bad => bad.push(*n),
                LineOutcome::Decided(d) => {
                    if let Some(miss) = expect.and_then(|w| expect_miss(w, d)) {
                        missed.push((*n, miss));
                    }
                }
            }
            if writeln!(out, "{r}").is_err() {
                // The reader of our output went away (`| head`): stop quietly.
                return ExitCode::SUCCESS;
            }
        }
        drop(lines);
        // Results of a block go out as soon as it is done (one write per block).
        if out.flush().is_err() {
            return ExitCode::SUCCESS;
        }
        progress.update(total, block.data.len());
        let _ = back_tx.send(block.data);
    }
    let _ = out.flush();
    drop(out);
    progress.finish(total);
    let read = reader_thread.join();
    let mut code = ExitCode::SUCCESS;
    for (n, m) in missed.iter().take(20) {
        anstream::eprintln!("{label} line {n}: {m}");
    }
    if !missed.is_empty() {
        anstream::eprintln!(
            "{} of {total} lines did not meet --expect {}",
            missed.len(),
            expect.unwrap_or_default()
        );
        code = ExitCode::from(1);
    }
    match read {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            anstream::eprintln!("error: reading {label} failed after line {total}: {e}; the lines after it were not evaluated");
            return ExitCode::from(EXIT_BAD_INPUT);
        }
        Err(_) => {
            anstream::eprintln!("error: the reader of {label} stopped after line {total}; the lines after it were not evaluated");
            return ExitCode::from(EXIT_BAD_INPUT);
        }
    }
    if total == 0 {
        anstream::eprintln!("warning: {label} holds no scenario lines; nothing was evaluated");
    }
    if !bad.is_empty() {
        let shown: Vec<String> = bad.iter().take(10).map(|n| n.to_string()).collect();
        let more = if bad.len() > 10 { ", …" } else { "" };
        anstream::eprintln!(
            "error: {} of {total} lines could not be evaluated (lines {}{more}); their results are {{\"error\": …}}",
            bad.len(),
            shown.join(", ")
        );
        return ExitCode::from(EXIT_BAD_INPUT);
    }
    code
}
