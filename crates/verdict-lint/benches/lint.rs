// TEMPORARY placeholder written by the lead so the workspace manifest parses while
// the lint crate is being built; the lint engineer replaces this with the real bench.
fn main() {}
