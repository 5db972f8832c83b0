//! Fuzz the snapshot reader (`verdict who-can`, `can`, `escalation`): one file of any
//! kind of the layout, then the questions on what was read. No panic, whatever the file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use verdict_org::index::{effective, Indexer, Universe};
use verdict_org::query::{scenario, Who};
use verdict_org::SnapshotBuilder;

const PATHS: [&str; 12] = [
    "accounts/111122223333/authorization-details.json",
    "accounts/111122223333/authorization-details-2.json",
    "organizations/describe-organization.json",
    "organizations/list-roots.json",
    "organizations/list-organizational-units-for-parent-r-ab12.json",
    "organizations/list-accounts-for-parent-r-ab12.json",
    "organizations/list-policies-scp.json",
    "organizations/describe-policy-p-x.json",
    "organizations/list-targets-for-policy-p-x.json",
    "resources/111122223333/s3/bucket.json",
    "resources/111122223333/apigateway/us-east-1/abc123.json",
    "resources/111122223333/kms/us-east-1/key-1.json",
];

fn universe() -> &'static Universe {
    static U: OnceLock<Universe> = OnceLock::new();
    U.get_or_init(Universe::from_catalog)
}

fuzz_target!(|data: &[u8]| {
    let Some((sel, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let path = PATHS[usize::from(*sel) % PATHS.len()];
    let mut b = SnapshotBuilder::new();
    b.add_file(path, text.to_string());
    let snap = b.finish();
    let u = universe();
    let mut ix = Indexer::new(u);
    for (i, p) in snap.principals.iter().enumerate().take(3) {
        let _ = effective(&mut ix, &snap, p);
        for (action, resource) in [("s3:GetObject", "arn:aws:s3:::bucket/key"), ("sts:AssumeRole", p.arn.as_str())] {
            if let Ok(s) = scenario(&snap, &Who::Principal(i), action, resource, Default::default()) {
                let _ = verdict_eval::decide(&s);
            }
        }
    }
    if !snap.principals.is_empty() {
        let _ = verdict_org::escalation::escalation(&snap, &mut ix, Some(0), "admin");
    }
});
