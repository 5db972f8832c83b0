//! `verdict who-can`, `verdict can` and `verdict escalation` end to end on the bundled
//! example snapshot: every format, schemas, exit codes, bad snapshots.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{root, verdict};
use serde_json::Value;

const SNAP: &str = "docs/examples/snapshot";
const OBJECT: &str = "arn:aws:s3:::example-reports-111122223333/2025/q1.csv";

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn validate(schema: &str, doc: &Value) {
    let path = root().join("docs/schemas").join(schema);
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let v = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = v
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
}

#[test]
fn who_can_lists_callers_with_their_statements_and_conditions() {
    let o = verdict(
        &[
            "who-can",
            "--snapshot",
            SNAP,
            "--action",
            "s3:GetObject",
            "--resource",
            OBJECT,
        ],
        None,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let t = stdout(&o);
    assert!(
        t.contains("ALLOW        external  arn:aws:iam::210987654321:root"),
        "{t}"
    );
    assert!(
        t.contains(
            "granted by resource: arn:aws:s3:::example-reports-111122223333 #0 (PartnerRead)"
        ),
        "{t}"
    );
    assert!(
        t.contains("CONDITIONAL  user      arn:aws:iam::111122223333:user/engineering/alice"),
        "{t}"
    );
    assert!(
        t.contains("aws:RequestedRegion is one of \"eu-west-1\", \"us-east-1\""),
        "{t}"
    );
    // With the context given, the condition is gone.
    let o = verdict(
        &[
            "who-can",
            "--snapshot",
            SNAP,
            "--action",
            "s3:GetObject",
            "--resource",
            OBJECT,
            "--context",
            "aws:RequestedRegion=eu-west-1",
            "--context",
            "aws:SecureTransport=true",
            "--format",
            "json",
        ],
        None,
    );
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    validate("who-can.schema.json", &v);
    let alice = v["access"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["principal"].as_str().unwrap().ends_with("alice"))
        .unwrap();
    assert_eq!(alice["decision"], "allow");
}

#[test]
fn who_can_rows_load_as_csv_and_json_lines() {
    let o = verdict(
        &[
            "who-can",
            "--snapshot",
            SNAP,
            "--action",
            "s3:GetObject",
            "--resource",
            OBJECT,
            "--format",
            "csv",
        ],
        None,
    );
    let t = stdout(&o);
    let mut lines = t.lines();
    assert_eq!(lines.next(), Some("action,resource,principal,kind,decision,condition,granted_by,assumes,uncertain,incomplete"));
    assert_eq!(lines.count(), 4, "{t}");
    let o = verdict(
        &[
            "who-can",
            "--snapshot",
            SNAP,
            "--action",
            "s3:GetObject",
            "--resource",
            OBJECT,
            "--format",
            "jsonl",
        ],
        None,
    );
    for l in stdout(&o).lines() {
        let v: Value = serde_json::from_str(l).unwrap();
        assert_eq!(v["action"], "s3:GetObject");
    }
}

#[test]
fn can_shows_rows_a_policy_and_a_scenario_for_simulate() {
    let p = "arn:aws:iam::444455556666:user/deploy-bot";
    let o = verdict(&["can", "--snapshot", SNAP, "--principal", p], None);
    let t = stdout(&o);
    assert!(
        t.contains("lambda:CreateFunction, lambda:InvokeFunction"),
        "{t}"
    );
    assert!(t.contains("every resource matching"), "{t}");
    let o = verdict(
        &[
            "can",
            "--snapshot",
            SNAP,
            "--principal",
            p,
            "--format",
            "json",
        ],
        None,
    );
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    validate("can.schema.json", &v);
    let o = verdict(
        &["can", "--snapshot", SNAP, "--principal", p, "--as-policy"],
        None,
    );
    let doc: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(doc["Statement"].as_array().unwrap().len(), 2);
    // The synthesized policy is a valid identity policy.
    let lint = verdict(&["lint", "-"], Some(stdout(&o).as_bytes()));
    assert!(
        lint.status.code() != Some(2),
        "{}",
        String::from_utf8_lossy(&lint.stdout)
    );
    // One cell as a scenario that `verdict simulate` decides the same way.
    let o = verdict(
        &[
            "can",
            "--snapshot",
            SNAP,
            "--principal",
            p,
            "--action",
            "iam:PassRole",
            "--resource",
            "arn:aws:iam::444455556666:role/lambda-admin",
            "--scenario",
        ],
        None,
    );
    let sim = verdict(&["simulate", "-", "--format", "json"], Some(&o.stdout));
    let v: Value = serde_json::from_str(&stdout(&sim)).unwrap();
    assert_eq!(v["decision"], "allow", "{v:#}");
}

#[test]
fn can_without_a_principal_sweeps_every_principal() {
    let o = verdict(&["can", "--snapshot", SNAP, "--format", "json"], None);
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    validate("can.schema.json", &v);
    assert_eq!(v["principals"].as_array().unwrap().len(), 11);
    let o = verdict(
        &[
            "can",
            "--snapshot",
            SNAP,
            "--format",
            "csv",
            "--action",
            "iam:*",
        ],
        None,
    );
    let t = stdout(&o);
    assert!(
        t.starts_with(
            "principal,account,kind,allowed_count,possible_count,allowed,possible,incomplete\n"
        ),
        "{t}"
    );
    assert_eq!(t.lines().count(), 12);
    assert!(
        t.contains("arn:aws:iam::444455556666:user/ops-admin,444455556666,user,"),
        "{t}"
    );
}

#[test]
fn escalation_finds_paths_and_respects_boundaries() {
    let o = verdict(&["escalation", "--snapshot", SNAP], None);
    let t = stdout(&o);
    assert!(
        t.contains("arn:aws:iam::444455556666:user/deploy-bot → admin"),
        "{t}"
    );
    assert!(t.contains("lambda-001 [new-passrole]"), "{t}");
    assert!(!t.contains("user/intern →"), "{t}");
    let o = verdict(
        &["escalation", "--snapshot", SNAP, "--format", "json"],
        None,
    );
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    validate("escalation.schema.json", &v);
    let o = verdict(
        &[
            "escalation",
            "--snapshot",
            SNAP,
            "--from",
            "arn:aws:iam::444455556666:user/helpdesk",
            "--to",
            "arn:aws:iam::444455556666:user/ops-admin",
            "--format",
            "csv",
        ],
        None,
    );
    let t = stdout(&o);
    assert!(t.lines().nth(1).unwrap().contains("iam-002"), "{t}");
    let o = verdict(&["escalation", "--list-techniques"], None);
    assert_eq!(stdout(&o).lines().count(), 65);
}

#[test]
fn bad_snapshots_say_what_was_not_read_and_exit_2() {
    let dir = std::env::temp_dir().join(format!("verdict-bad-snapshot-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("accounts/111122223333")).unwrap();
    std::fs::write(
        dir.join("accounts/111122223333/authorization-details.json"),
        "\u{feff}{\"UserDetailList\": []}",
    )
    .unwrap();
    std::fs::write(dir.join("accounts/222233334444.json"), "{}").unwrap();
    let o = verdict(
        &[
            "who-can",
            "--snapshot",
            dir.to_str().unwrap(),
            "--action",
            "s3:GetObject",
            "--resource",
            OBJECT,
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("accounts/222233334444.json was not read"),
        "{err}"
    );
    assert!(err.contains("no organizations/ directory"), "{err}");
    // The answer is still printed.
    assert!(stdout(&o).contains("Who can s3:GetObject"));
    let o = verdict(
        &["can", "--snapshot", "no/such/dir", "--principal", "x"],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    let o = verdict(
        &[
            "can",
            "--snapshot",
            SNAP,
            "--principal",
            "arn:aws:iam::111122223333:user/nobody",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("is not a user or role of the snapshot"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn parquet_output_has_typed_columns() {
    let path = std::env::temp_dir().join(format!("verdict-sweep-{}.parquet", std::process::id()));
    let o = verdict(
        &[
            "can",
            "--snapshot",
            SNAP,
            "--format",
            "parquet",
            "--output",
            path.to_str().unwrap(),
        ],
        None,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let file = std::fs::File::open(&path).unwrap();
    let builder =
        parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
    let schema = builder.schema().clone();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(
        names,
        [
            "principal",
            "account",
            "kind",
            "allowed_count",
            "possible_count",
            "allowed",
            "possible",
            "incomplete"
        ]
    );
    assert_eq!(schema.field(3).data_type().to_string(), "Int64");
    let rows: usize = builder
        .build()
        .unwrap()
        .map(|b| b.unwrap().num_rows())
        .sum();
    assert_eq!(rows, 11);
    let _ = std::fs::remove_file(&path);
    // Binary output is refused on a terminal only; piped, it is written.
    let o = verdict(
        &[
            "who-can",
            "--snapshot",
            SNAP,
            "--action",
            "s3:GetObject",
            "--resource",
            OBJECT,
            "--format",
            "parquet",
        ],
        None,
    );
    assert!(o.status.success());
    assert_eq!(&o.stdout[..4], b"PAR1");
}
