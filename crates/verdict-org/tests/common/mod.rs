#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    dead_code
)]

use std::path::{Path, PathBuf};
use verdict_org::{Snapshot, SnapshotBuilder};

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    for p in v {
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// Every file of a snapshot directory, relative paths.
pub fn files_of(dir: &Path) -> Vec<(String, String)> {
    let mut files = Vec::new();
    walk(dir, &mut files);
    files
        .into_iter()
        .map(|f| {
            let rel = f
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, std::fs::read_to_string(&f).unwrap())
        })
        .collect()
}

pub fn load(files: Vec<(String, String)>) -> Snapshot {
    let mut b = SnapshotBuilder::new();
    b.add_batch(files);
    b.finish()
}

/// The bundled example snapshot.
pub fn example() -> Snapshot {
    load(files_of(&repo().join("docs/examples/snapshot")))
}

/// A small synthetic organization.
pub fn synthetic() -> Snapshot {
    let spec = verdict_org::synth::OrgSpec {
        accounts: 6,
        principals: 30,
        policies: 6,
        statements: 20,
        pool: 8,
        ou_levels: 3,
        seed: 11,
    };
    load(verdict_org::synth::generate(&spec).collect())
}
