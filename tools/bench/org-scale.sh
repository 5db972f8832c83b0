#!/usr/bin/env bash
# Whole-process org-wide benchmark: generate a synthetic organization with the
# generator in crates/verdict-org/examples/generate.rs, then time (wall clock and peak
# memory) the action-level sweep of every principal and one who-can question.
#
#   tools/bench/org-scale.sh [DIR] [--accounts N] [--principals N] ...   (generator flags)
#
# Defaults: 1,000 accounts x 200 principals (200k principals), 10 policies of about 50
# statements per principal from a pool of 20 per account, 3 OU levels under the root.
set -euo pipefail
cd "$(dirname "$0")/../.."
DIR=${1:-/tmp/verdict-org-scale}
shift || true
cargo build --release -q -p verdict-cli
cargo build --release -q -p verdict-org --example generate
rm -rf "$DIR"
/usr/bin/time -f "generate: %e s wall, %M KB peak" target/release/examples/generate "$DIR" "$@"
V=target/release/verdict
export VERDICT_TIMINGS=1
for fmt in jsonl parquet; do
  /usr/bin/time -f "can (every principal, $fmt): %e s wall, %M KB peak" \
    "$V" can --snapshot "$DIR" --format "$fmt" --output "$DIR.$fmt" 2>&1 | grep -E "timing|wall"
  ls -l "$DIR.$fmt" | awk '{printf "output: %.1f MB\n", $5/1e6}'
done
A0=$(ls "$DIR/accounts" | head -1)
/usr/bin/time -f "who-can s3:GetObject: %e s wall, %M KB peak" \
  "$V" who-can --snapshot "$DIR" --action s3:GetObject --resource "arn:aws:s3:::data-$A0-0/report.csv" \
  --format json --output "$DIR.who.json" 2>&1 | grep -E "timing|wall"
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print('who-can: %d callers of %d candidates, %d principals' % (len(d['access']), d['candidates'], d['principals']))" "$DIR.who.json"
