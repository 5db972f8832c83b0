//! Decision latency on a realistic request (issue 2, benchmark a): three SCP levels,
//! five identity policies of ten statements with conditions, a boundary and a bucket
//! policy, parsed once. Input: benches/data/realistic.json.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice
)]

use criterion::{criterion_group, criterion_main, Criterion};

/// The `verdict` binary runs on mimalloc; measure with the same allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::hint::black_box;
use verdict_eval::{decide, evaluate, load_scenario};
use verdict_policy::SourceFile;

fn realistic(c: &mut Criterion) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../benches/data/realistic.json"
    );
    let text = std::fs::read_to_string(path).expect("bench input is committed");
    let s =
        load_scenario(&SourceFile::new(path, text.clone()), false).expect("bench scenario loads");
    let mut g = c.benchmark_group("realistic");
    g.bench_function("decide (fast path)", |b| b.iter(|| decide(black_box(&s))));
    g.bench_function("evaluate (traced path)", |b| {
        b.iter(|| evaluate(black_box(&s)))
    });
    g.bench_function("catalog warnings alone", |b| {
        b.iter(|| verdict_eval::checks::catalog_warnings(black_box(&s)))
    });
    g.bench_function("load + decide", |b| {
        b.iter(|| {
            let s = load_scenario(
                &SourceFile::new("realistic.json", black_box(text.as_str())),
                false,
            )
            .expect("loads");
            decide(&s)
        })
    });
    g.finish();
}

criterion_group!(
    benches,
    realistic,
    large_set,
    request_stream,
    residual,
    diff_pairs
);
criterion_main!(benches);

/// A large policy set (issue 11, goal c): the 20 largest AWS managed policies as
/// identity policies, a 10 KB inline policy, a boundary, 5 SCP levels of 5 SCPs, and a
/// bucket policy with conditions: over 1,000 statements. Built from the committed
/// managed-policy corpus, parsed once.
fn large_set_scenario() -> serde_json::Value {
    use serde_json::json;
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/managed-policies/managed-policies.jsonl"
    );
    let text = std::fs::read_to_string(path).expect("managed policies are committed");
    let mut docs: Vec<serde_json::Value> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .map(|r| r["document"].clone())
        .collect();
    docs.sort_by_key(|d| std::cmp::Reverse(d.to_string().len()));
    docs.truncate(20);
    let inline: Vec<serde_json::Value> = (0..40)
        .map(|i| {
            json!({
                "Sid": format!("Team{i:03}"),
                "Effect": if i % 7 == 0 { "Deny" } else { "Allow" },
                "Action": [format!("dynamodb:GetItem"), format!("dynamodb:Query"), format!("s3:GetObject")],
                "Resource": [format!("arn:aws:dynamodb:eu-west-3:111122223333:table/team-{i:03}-*"), format!("arn:aws:s3:::team-{i:03}-data/*")],
                "Condition": {"StringEquals": {"aws:PrincipalTag/team": format!("team-{i:03}")}, "Bool": {"aws:SecureTransport": "true"}}
            })
        })
        .collect();
    docs.push(json!({"Version": "2012-10-17", "Statement": inline}));
    let scp = |level: usize, n: usize| {
        json!({"Version": "2012-10-17", "Statement": (0..8).map(|k| json!({
            "Sid": format!("L{level}P{n}S{k}"),
            "Effect": "Deny",
            "Action": [format!("ec2:Delete{k}*"), format!("iam:CreateUser")],
            "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-acme12345x"}}
        })).chain(std::iter::once(json!({"Effect": "Allow", "Action": "*", "Resource": "*"}))).collect::<Vec<_>>()})
    };
    let scps: Vec<serde_json::Value> = (0..5)
        .map(|level| json!((0..5).map(|n| scp(level, n)).collect::<Vec<_>>()))
        .collect();
    json!({
        "request": {
            "principal": "arn:aws:sts::111122223333:assumed-role/DataEngineer/dana",
            "action": "s3:GetObject",
            "resource": "arn:aws:s3:::team-007-data/reports/2026/q3.csv",
            "context": {"aws:PrincipalTag/team": "team-007", "aws:SecureTransport": true, "aws:PrincipalOrgID": "o-acme12345x", "aws:SourceIp": "203.0.113.9"}
        },
        "policies": {
            "identity": docs,
            "permissions_boundary": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "*", "Resource": "*"},
                {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}
            ]},
            "scps": scps,
            "resource": {"Version": "2012-10-17", "Statement": [
                {"Sid": "OrgRead", "Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject", "s3:ListBucket"],
                 "Resource": ["arn:aws:s3:::team-007-data", "arn:aws:s3:::team-007-data/*"],
                 "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-acme12345x"}}},
                {"Sid": "TLS", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                 "Resource": ["arn:aws:s3:::team-007-data", "arn:aws:s3:::team-007-data/*"],
                 "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
            ]}
        }
    })
}

fn large_set(c: &mut Criterion) {
    let text = large_set_scenario().to_string();
    let s =
        load_scenario(&SourceFile::new("large-set.json", text), false).expect("large set loads");
    let statements: usize = s
        .policies
        .identity
        .iter()
        .map(|p| p.policy.statements.len())
        .sum::<usize>()
        + s.policies
            .scps
            .iter()
            .flatten()
            .flatten()
            .map(|p| p.policy.statements.len())
            .sum::<usize>();
    assert!(statements > 1000, "{statements} statements");
    let mut g = c.benchmark_group("large set");
    g.bench_function("decide (fast path)", |b| b.iter(|| decide(black_box(&s))));
    g.bench_function("evaluate (traced path)", |b| {
        b.iter(|| evaluate(black_box(&s)))
    });
    g.finish();
}

/// A stream of concrete requests against one compiled policy set (goal d): the
/// realistic set, with the action and resource varied per request.
fn request_stream(c: &mut Criterion) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../benches/data/realistic.json"
    );
    let text = std::fs::read_to_string(path).expect("bench input is committed");
    let base = load_scenario(&SourceFile::new(path, text), false).expect("loads");
    let actions = [
        "s3:GetObject",
        "s3:PutObject",
        "s3:ListBucket",
        "kms:Decrypt",
        "dynamodb:GetItem",
    ];
    let mut requests = Vec::new();
    for (i, a) in actions.iter().cycle().take(64).enumerate() {
        let mut s = base.clone();
        let (svc, name) = a.split_once(':').unwrap_or(("s3", "GetObject"));
        s.request.service_lc = svc.to_string();
        s.request.name_lc = name.to_ascii_lowercase();
        s.request.service_hash = verdict_policy::model::service_hash(svc);
        s.request.action = (*a).into();
        let _ = i;
        requests.push(s);
    }
    let mut g = c.benchmark_group("request stream");
    g.throughput(criterion::Throughput::Elements(requests.len() as u64));
    g.bench_function("decide, 64 requests", |b| {
        b.iter(|| {
            for s in &requests {
                black_box(decide(black_box(s)));
            }
        })
    });
    g.finish();
}

/// Issue 12: residual evaluation of the realistic request with two context keys unknown
/// (aws:SourceIp and aws:MultiFactorAuthAge), and discovery on the realistic request.
fn residual(c: &mut Criterion) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../benches/data/realistic.json"
    );
    let text = std::fs::read_to_string(path).expect("bench input is committed");
    let s =
        load_scenario(&SourceFile::new(path, text.clone()), false).expect("bench scenario loads");
    let mut u = s.clone();
    for k in ["aws:SourceIp", "aws:MultiFactorAuthAge"] {
        u.request.context.remove(k);
        u.unknown.push(verdict_eval::scenario::UnknownKey {
            key: k.to_string(),
            present: false,
        });
    }
    let mut g = c.benchmark_group("residual");
    g.bench_function("two unknown keys", |b| {
        b.iter(|| verdict_eval::residual::residual(black_box(&u)).expect("residual"))
    });
    g.bench_function("discovery", |b| {
        b.iter(|| verdict_eval::residual::discover(black_box(&s)).expect("discovery"))
    });
    g.finish();
}

/// A generated policy of `n` statements: action and ARN wildcards, one IpAddress
/// condition (issue 13's benchmark shape). `seed` varies it; `mutate` changes one
/// statement, as a pull request would.
pub fn generated_policy(n: usize, seed: u64, mutate: bool) -> serde_json::Value {
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let actions = [
        "s3:GetObject",
        "s3:Get*",
        "s3:PutObject",
        "s3:List*",
        "sqs:SendMessage",
        "sqs:*",
        "ec2:Describe*",
        "ec2:StartInstances",
        "dynamodb:GetItem",
        "dynamodb:Query",
        "kms:Decrypt",
        "iam:Get*",
        "logs:PutLogEvents",
        "sns:Publish",
        "lambda:InvokeFunction",
    ];
    let resources = [
        "arn:aws:s3:::bkt-{}/*",
        "arn:aws:s3:::bkt-{}",
        "*",
        "arn:aws:sqs:*:111122223333:q-{}*",
        "arn:aws:dynamodb:us-east-1:111122223333:table/t{}",
        "arn:aws:logs:*:111122223333:log-group:g{}:*",
    ];
    let mut st = Vec::with_capacity(n);
    for i in 0..n {
        let a1 = actions[(next() % actions.len() as u64) as usize];
        let a2 = actions[(next() % actions.len() as u64) as usize];
        let r = resources[(next() % resources.len() as u64) as usize]
            .replace("{}", &(next() % 9).to_string());
        let mut s = serde_json::json!({"Sid": format!("S{i}"), "Effect": "Allow", "Action": [a1, a2], "Resource": r});
        if i == 0 {
            s["Condition"] = serde_json::json!({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}});
        }
        st.push(s);
    }
    if mutate {
        let k = (next() % n as u64) as usize;
        st[k]["Action"] = serde_json::json!(["s3:*"]);
    }
    serde_json::json!({"Version": "2012-10-17", "Statement": st})
}

/// Issue 13: `verdict diff` on generated pairs of 5, 50 and 150 statements.
fn diff_pairs(c: &mut Criterion) {
    use verdict_eval::compare::{diff, DiffOptions};
    let opts = DiffOptions {
        policy_type: verdict_policy::PolicyType::Identity,
        actions: None,
        resources: None,
        callers: None,
    };
    let mut g = c.benchmark_group("diff");
    g.sample_size(20);
    for n in [5usize, 50, 150] {
        let old = generated_policy(n, n as u64, false);
        let new = generated_policy(n, n as u64, true);
        g.bench_function(format!("{n} statements"), |b| {
            b.iter(|| diff(black_box(&old), black_box(&new), &opts).expect("diff"))
        });
    }
    g.finish();
    // Median and p99 over 100 generated pairs of 5 to 150 statements (the corpus run).
    let mut times = Vec::new();
    let mut decided = 0;
    for i in 0..100u64 {
        let n = 5 + (i as usize * 37) % 146;
        let (old, new) = (generated_policy(n, i, false), generated_policy(n, i, true));
        let t = std::time::Instant::now();
        let d = diff(&old, &new, &opts).expect("diff");
        times.push(t.elapsed());
        if d.relation != verdict_eval::compare::Relation::Unknown {
            decided += 1;
        }
    }
    times.sort();
    eprintln!(
        "diff corpus: 100 pairs of 5-150 statements: median {:?}, p99 {:?}, max {:?}, decided {decided}/100",
        times[49], times[98], times[99]
    );
}
