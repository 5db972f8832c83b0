//! `verdict`: offline AWS IAM authorization simulator and AccessDenied explainer.

mod commands;

/// Parsing allocates many small strings; mimalloc roughly halves their cost.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    commands::run()
}
