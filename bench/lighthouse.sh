#!/bin/sh
# First contentful paint on a slow line (issue 22): Lighthouse with devtools throttling at a
# 2,000 ms round trip and 400 kbit/s both ways (CPU and screen: Lighthouse's mobile defaults),
# on / and /uk/risks/ of a build served gzip-compressed under a sub-path. Prints one line per
# run: page, run, FCP in ms. Results: BENCHMARKS.md, "First paint on a slow line".
#
# THROTTLING=simulate instead: Lighthouse's simulated throttling at the same profile (rttMs,
# throughputKbps), which also models connection set-up and TCP slow start.
#
# usage: bench/lighthouse.sh SITE_DIR [RUNS]
# needs: lighthouse (npm install lighthouse; LIGHTHOUSE=path/to/lighthouse), Chromium
set -eu
site=$1
runs=${2:-3}
port=${PORT:-8123}
base=/some/sub/path/
lighthouse=${LIGHTHOUSE:-lighthouse}
case ${THROTTLING:-devtools} in
  devtools) throttling="--throttling-method=devtools --throttling.requestLatencyMs=2000
    --throttling.downloadThroughputKbps=400 --throttling.uploadThroughputKbps=400" ;;
  simulate) throttling="--throttling-method=simulate --throttling.rttMs=2000
    --throttling.throughputKbps=400" ;;
  *) echo "THROTTLING is devtools or simulate" >&2; exit 2 ;;
esac
export CHROME_PATH="${CHROME_PATH:-/usr/bin/chromium}"
out=$(mktemp -d)
node "$(dirname "$0")/serve-gzip.mjs" "$site" "$base" "$port" >/dev/null &
server=$!
trap 'kill $server; rm -rf "$out"' EXIT
sleep 1
for page in "" uk/risks/; do
  for run in $(seq "$runs"); do
    # shellcheck disable=SC2086 # $throttling is a list of options
    "$lighthouse" "http://127.0.0.1:$port$base$page" --quiet --only-categories=performance \
      $throttling --chrome-flags="--headless=new --no-sandbox --disable-gpu" \
      --output=json --output-path="$out/r.json" >/dev/null 2>&1
    node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
      const a = r.audits["first-contentful-paint"];
      console.log(`/${process.argv[2]}\t${process.argv[3]}\t${Math.round(a.numericValue)}`);' \
      "$out/r.json" "$page" "$run"
  done
done
