#!/usr/bin/env bash
# Whole-process throughput: `verdict simulate --batch` against the iam-simulate
# oracle (`node oracle.mjs`) on the same batch file.
#
#   tools/bench/compare-oracle.sh [--count N] [--small] [--runs R] [--file FILE] [--oracle-only]
#
# The batch (default 20,000 scenarios) is generated on demand into target/bench/
# (it is far too large to commit): by benches/data/make_bench.py (realistic
# scenarios of about 12 KB), or with --small by tools/differential/gen.py (about
# 2 KB each: 3-6 short policies, a few conditions, every layer and operator). Times each command with hyperfine (it tries `apt-get install -y
# hyperfine` when it is missing and the shell is root), otherwise with
# /usr/bin/time, one run each. Prints scenarios per second and the ratio.
# Environment: VERDICT (default target/release/verdict), ORACLE_SRC (default
# ../shared/tools/oracle), RUNS (default 3).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
count=20000
runs="${RUNS:-3}"
file=""
oracle_only=0
small=0
verdict="${VERDICT:-$repo/target/release/verdict}"
oracle_src="${ORACLE_SRC:-}"

while [ $# -gt 0 ]; do
  case "$1" in
    --count) count="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --file) file="$2"; shift 2 ;;
    --oracle-only) oracle_only=1; shift ;;
    --small) small=1; shift ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "compare-oracle.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

# ------------------------------------------------------------ input
if [ -z "$file" ]; then
  if [ $((count % 1000)) -eq 0 ] && [ "$count" -ge 1000 ]; then label="$((count / 1000))k"; else label="$count"; fi
  if [ "$small" = 1 ]; then
    file="$repo/target/bench/small-$label.jsonl"
    if [ ! -s "$file" ] || [ "$repo/tools/differential/gen.py" -nt "$file" ]; then
      python3 "$repo/tools/differential/gen.py" --count "$count" --seed 11 --out "$file"
    fi
  else
    file="$repo/target/bench/batch-$label.jsonl"
    if [ ! -s "$file" ] || [ "$repo/benches/data/make_bench.py" -nt "$file" ]; then
      python3 "$repo/benches/data/make_bench.py" --batch "$count" --out "$file"
    fi
  fi
fi
n="$(grep -c . "$file")"

# ------------------------------------------------------------ oracle install
if [ -z "$oracle_src" ]; then
  for cand in "$repo/../shared/tools/oracle" "/work/shared/tools/oracle"; do
    if [ -f "$cand/oracle.mjs" ]; then oracle_src="$(cd "$cand" && pwd)"; break; fi
  done
fi
[ -n "$oracle_src" ] || { echo "compare-oracle.sh: cannot find the oracle (set ORACLE_SRC)" >&2; exit 2; }
oracle="$repo/target/differential/oracle"   # shared with tools/differential/run.sh
stamp_src="$(cat "$oracle_src/package.json" "$oracle_src/package-lock.json" "$oracle_src/oracle.mjs" | sha256sum | cut -d' ' -f1)"
if [ "$stamp_src" != "$(cat "$oracle/.verdict-stamp" 2>/dev/null || true)" ] || [ ! -d "$oracle/node_modules/@cloud-copilot/iam-simulate" ]; then
  echo "== installing the oracle into $oracle (npm ci)" >&2
  rm -rf "$oracle"; mkdir -p "$oracle"
  cp -R "$oracle_src/." "$oracle/"; chmod -R u+w "$oracle"
  (cd "$oracle" && npm ci --no-audit --no-fund --loglevel=error >&2)
  echo "$stamp_src" > "$oracle/.verdict-stamp"
fi

have_verdict=1
if [ "$oracle_only" = 1 ] || [ ! -x "$verdict" ]; then
  have_verdict=0
  [ "$oracle_only" = 1 ] || echo "== $verdict not built (cargo build --release -p verdict-cli); timing the oracle only" >&2
fi

# Sanity: both produce one line per scenario (also warms the page cache).
echo "== $n scenarios in $file ($(du -h "$file" | cut -f1))" >&2
if [ "$have_verdict" = 1 ]; then
  got="$("$verdict" simulate --batch "$file" --format json | grep -c . || true)"
  [ "$got" = "$n" ] || echo "== warning: verdict printed $got lines for $n scenarios" >&2
fi

verdict_cmd="'$verdict' simulate --batch '$file' --format json > /dev/null"
oracle_cmd="node '$oracle/oracle.mjs' '$file' > /dev/null"

# ------------------------------------------------------------ timing
if ! command -v hyperfine >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "== installing hyperfine (apt-get)" >&2
  apt-get install -y hyperfine >/dev/null 2>&1 || (apt-get update >/dev/null 2>&1 && apt-get install -y hyperfine >/dev/null 2>&1) || true
fi

results="$repo/target/bench/compare-oracle.json"
mkdir -p "$(dirname "$results")"
if command -v hyperfine >/dev/null 2>&1; then
  args=(--runs "$runs" --export-json "$results" --style basic)
  if [ "$have_verdict" = 1 ]; then args+=(-n verdict "$verdict_cmd"); fi
  args+=(-n oracle "$oracle_cmd")
  hyperfine "${args[@]}" >&2
else
  echo "== hyperfine not available; one run each with /usr/bin/time" >&2
  python3 - "$results" "$have_verdict" "$verdict_cmd" "$oracle_cmd" <<'EOF'
import json, subprocess, sys, time
out, have_verdict, vcmd, ocmd = sys.argv[1], sys.argv[2] == "1", sys.argv[3], sys.argv[4]
res = []
for name, cmd in ([("verdict", vcmd)] if have_verdict else []) + [("oracle", ocmd)]:
    t0 = time.perf_counter()
    subprocess.run(["/usr/bin/time", "-f", "%e s wall, %M KB max RSS", "sh", "-c", cmd], check=True)
    res.append({"command": name, "mean": time.perf_counter() - t0, "stddev": None, "times": []})
json.dump({"results": res}, open(out, "w"))
EOF
fi

# ------------------------------------------------------------ report
python3 - "$results" "$n" <<'EOF'
import json, sys
data = json.load(open(sys.argv[1]))
n = int(sys.argv[2])
means = {}
for r in data["results"]:
    name = r["command"]
    means[name] = r["mean"]
    sd = f" ± {r['stddev']:.2f}" if r.get("stddev") else ""
    print(f"{name:8s} {r['mean']:9.2f} s{sd:10s} {n / r['mean']:12,.0f} scenarios/s")
if "verdict" in means:
    print(f"ratio    verdict is {means['oracle'] / means['verdict']:,.1f}x the oracle's throughput "
          f"(whole process: start-up, JSON parsing, evaluation, output)")
EOF
