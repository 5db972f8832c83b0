//! `verdict`: offline AWS IAM authorization simulator and AccessDenied explainer.

mod commands;

fn main() -> std::process::ExitCode {
    commands::run()
}
