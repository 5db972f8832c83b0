//! What the end-to-end tests share: the repository root and a way to run the binary.

#![allow(dead_code, clippy::expect_used)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

/// The repository root (tests run `verdict` from there, on repository paths).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Run `verdict ARGS` from the repository root without colour, feeding `stdin` if given.
pub fn verdict(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_verdict"));
    cmd.args(args).current_dir(root()).env("NO_COLOR", "1");
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("verdict runs");
    if let (Some(bytes), Some(mut pipe)) = (stdin, child.stdin.take()) {
        // Verdict may refuse its arguments before it reads standard input.
        let _ = pipe.write_all(bytes);
    }
    child.wait_with_output().expect("verdict finishes")
}
