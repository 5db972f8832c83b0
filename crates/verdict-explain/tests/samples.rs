//! `verdict explain` works on every sample of `../shared/samples` (copied to
//! tests/fixtures/samples): from the message alone, from the event alone, and from the
//! event together with a snapshot (authorization details and Organizations outputs).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice
)]

use std::path::PathBuf;
use verdict_eval::{decide, Decision};
use verdict_explain::fixes::apply_fix;
mod common;

use common::{load, InputPaths};
use verdict_explain::{explain, output, Report};

const SAMPLES: &str = "tests/fixtures/samples";
const ORG: &str = "tests/fixtures/org";

fn cloudtrail_samples() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(SAMPLES)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("cloudtrail-")
        })
        .collect();
    v.sort();
    assert_eq!(v.len(), 10, "the ten CloudTrail-related samples");
    v
}

fn run(paths: &InputPaths) -> Vec<Report> {
    let inputs = load(paths).unwrap_or_else(|d| panic!("{paths:?}: {d:?}"));
    let reports = explain(&inputs).unwrap_or_else(|d| panic!("{paths:?}: {d:?}"));
    assert!(!reports.is_empty());
    for r in &reports {
        // Every rendering works.
        assert!(!output::render_report(r, false).is_empty());
        assert!(!output::render_report(r, true).is_empty());
        assert!(output::render_report_json(r).is_object());
        if let Some(x) = r.full() {
            assert!(!x.answer.is_empty());
            for f in &x.fixes {
                let s = apply_fix(&x.built, &x.plan, f).unwrap();
                assert_eq!(
                    decide(&s).decision,
                    Decision::Allow,
                    "{paths:?}: fix {} does not flip",
                    f.title
                );
            }
        }
    }
    reports
}

/// The error messages a sample carries (one per AccessDenied record).
fn messages_of(path: &PathBuf) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let records = verdict_explain::cloudtrail::records(&text).unwrap_or_default();
    records
        .iter()
        .filter_map(|r| {
            r.get("errorMessage")
                .and_then(|m| m.as_str())
                .map(str::to_string)
        })
        .collect()
}

#[test]
fn every_sample_from_the_message_alone() {
    let mut n = 0;
    for p in cloudtrail_samples() {
        for m in messages_of(&p) {
            run(&InputPaths {
                message: Some(m),
                ..Default::default()
            });
            n += 1;
        }
    }
    assert!(n >= 9, "{n} messages");
}

#[test]
fn every_sample_from_the_event_alone() {
    for p in cloudtrail_samples() {
        let reports = run(&InputPaths {
            event: Some(p.clone()),
            ..Default::default()
        });
        assert!(reports.iter().all(|r| r.full().is_some()), "{p:?}");
    }
}

#[test]
fn every_sample_from_the_event_with_a_snapshot() {
    for p in cloudtrail_samples() {
        for auth in [
            "authorization-details.json",
            "authorization-details-raw-encoded.json",
        ] {
            run(&InputPaths {
                event: Some(p.clone()),
                auth_details: vec![PathBuf::from(format!("{SAMPLES}/{auth}"))],
                org: vec![PathBuf::from(ORG)],
                ..Default::default()
            });
        }
    }
}

#[test]
fn the_containers_give_the_same_answer() {
    let one = |f: &str| {
        let r = run(&InputPaths {
            event: Some(PathBuf::from(format!("{SAMPLES}/{f}"))),
            auth_details: vec![PathBuf::from(format!(
                "{SAMPLES}/authorization-details.json"
            ))],
            org: vec![PathBuf::from(ORG)],
            ..Default::default()
        });
        r.into_iter()
            .map(|r| {
                r.full()
                    .map(|x| (x.decision, x.denied_by, x.expected_message.clone()))
            })
            .collect::<Vec<_>>()
    };
    let single = one("cloudtrail-accessdenied-assumedrole-scp.json");
    assert_eq!(one("cloudtrail-accessdenied-lookup-events.json"), single);
    assert_eq!(one("cloudtrail-accessdenied-eventbridge.json"), single);
    let trail = one("cloudtrail-accessdenied-records-file.json");
    assert_eq!(trail.len(), 2);
    assert_eq!(trail[0], one("cloudtrail-accessdenied-iamuser-s3.json")[0]);
    assert_eq!(
        trail[1],
        one("cloudtrail-accessdenied-federateduser.json")[0]
    );
}

#[test]
fn raw_and_decoded_snapshots_agree() {
    let one = |auth: &str| {
        let r = run(&InputPaths {
            event: Some(PathBuf::from(format!(
                "{SAMPLES}/cloudtrail-accessdenied-iamuser-s3.json"
            ))),
            auth_details: vec![PathBuf::from(format!("{SAMPLES}/{auth}"))],
            ..Default::default()
        });
        let x = r[0].full().unwrap().clone();
        (
            x.decision,
            x.denied_by,
            x.near_misses
                .iter()
                .map(|n| n.statement.clone())
                .collect::<Vec<_>>(),
            x.fixes.len(),
        )
    };
    assert_eq!(
        one("authorization-details.json"),
        one("authorization-details-raw-encoded.json")
    );
}

#[test]
fn decoded_message_sample() {
    let decoded = PathBuf::from(format!(
        "{SAMPLES}/cloudtrail-accessdenied-ec2-decoded-message.json"
    ));
    run(&InputPaths {
        decoded_message: Some(decoded.clone()),
        ..Default::default()
    });
    // Given as --event by mistake, it is still read as a decoded message.
    run(&InputPaths {
        event: Some(decoded.clone()),
        ..Default::default()
    });
    let r = run(&InputPaths {
        event: Some(PathBuf::from(format!(
            "{SAMPLES}/cloudtrail-accessdenied-ec2-encoded.json"
        ))),
        decoded_message: Some(decoded),
        auth_details: vec![PathBuf::from(format!(
            "{SAMPLES}/authorization-details.json"
        ))],
        ..Default::default()
    });
    let x = r[0].full().unwrap();
    assert!(x
        .request
        .context
        .iter()
        .any(|c| c.key == "ec2:InstanceType"));
}

#[test]
fn record_selection_and_bad_input() {
    let trail = PathBuf::from(format!(
        "{SAMPLES}/cloudtrail-accessdenied-records-file.json"
    ));
    let r = run(&InputPaths {
        event: Some(trail.clone()),
        record: Some(2),
        ..Default::default()
    });
    assert_eq!(r.len(), 1);
    assert_eq!(
        r[0].full().unwrap().request.action,
        "dynamodb:DescribeTable"
    );
    let bad = |p: InputPaths| load(&p).and_then(|i| explain(&i)).is_err();
    assert!(bad(InputPaths {
        event: Some(trail),
        record: Some(3),
        ..Default::default()
    }));
    assert!(bad(InputPaths {
        event: Some(PathBuf::from(format!(
            "{SAMPLES}/authorization-details.json"
        ))),
        ..Default::default()
    }));
    assert!(bad(InputPaths {
        message: Some("ThrottlingException: Rate exceeded".into()),
        ..Default::default()
    }));
    assert!(bad(InputPaths::default()));
    assert!(bad(InputPaths {
        message: Some("Access Denied".into()),
        context: vec!["novalue".into()],
        ..Default::default()
    }));
}

#[test]
fn context_flag_wins_over_the_event() {
    let r = run(&InputPaths {
        event: Some(PathBuf::from(format!(
            "{SAMPLES}/cloudtrail-accessdenied-assumedrole-scp.json"
        ))),
        auth_details: vec![PathBuf::from(format!(
            "{SAMPLES}/authorization-details.json"
        ))],
        org: vec![PathBuf::from(ORG)],
        context: vec!["aws:SourceVpce=vpce-0123456789abcdef0".into()],
        ..Default::default()
    });
    let x = r[0].full().unwrap();
    // Through the approved endpoint the SCP no longer denies.
    assert_eq!(x.decision, Decision::Allow);
    assert!(x
        .request
        .context
        .iter()
        .any(|c| c.key == "aws:SourceVpce" && c.from == "--context"));
}

#[test]
fn every_example_scenario_of_the_repository() {
    let dir = PathBuf::from("../../examples");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    let mut n = 0;
    for e in entries {
        let p = e.unwrap().path();
        let set_of_requests = std::fs::read_to_string(&p).is_ok_and(|t| {
            let src = verdict_policy::SourceFile::new(p.display().to_string(), t);
            verdict_eval::load_scenario(&src, false)
                .is_ok_and(|s| !s.unknown.is_empty() || s.resource_set.is_some())
        });
        if set_of_requests {
            continue;
        }
        if p.extension().is_some_and(|x| x == "json") {
            run(&InputPaths {
                scenario: Some(p),
                ..Default::default()
            });
            n += 1;
        }
    }
    assert!(n > 0);
}

/// Every loadable scenario of the conformance corpus: explaining it works, and every
/// fix proposed for a denied one flips the decision.
#[test]
fn every_conformance_scenario() {
    let root = PathBuf::from("../../conformance");
    let Ok(dirs) = std::fs::read_dir(&root) else {
        return;
    };
    let mut files = Vec::new();
    for d in dirs {
        let d = d.unwrap().path();
        if d.is_dir() {
            for f in std::fs::read_dir(&d).unwrap() {
                let f = f.unwrap().path();
                if f.extension().is_some_and(|x| x == "json") {
                    files.push(f);
                }
            }
        }
    }
    files.sort();
    let mut explained = 0;
    let mut with_fixes = 0;
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let src = verdict_policy::SourceFile::new(f.display().to_string(), text);
        match verdict_eval::load_scenario(&src, false) {
            Err(_) => continue,
            Ok(s) if !s.unknown.is_empty() || s.resource_set.is_some() => {
                // Sets of requests are refused by explain (one concrete request only).
                let refused = load(&InputPaths {
                    scenario: Some(f.clone()),
                    ..Default::default()
                })
                .ok()
                .map(|i| explain(&i).is_err())
                .unwrap_or(true);
                assert!(
                    refused,
                    "{}: explain must refuse a set of requests",
                    f.display()
                );
                continue;
            }
            Ok(_) => {}
        }
        let reports = run(&InputPaths {
            scenario: Some(f.clone()),
            ..Default::default()
        });
        let x = reports[0].full().unwrap();
        explained += 1;
        if x.decision != Decision::Allow {
            if x.fixes.is_empty() {
                eprintln!("no verified fix: {}", f.display());
            } else {
                with_fixes += 1;
            }
        }
    }
    eprintln!(
        "{explained} conformance scenarios explained, {with_fixes} denied ones with verified fixes"
    );
    assert!(explained > 50);
}
