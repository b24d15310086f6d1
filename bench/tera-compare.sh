#!/usr/bin/env bash
# Tera 1 vs Tera 2 on factsheet's page template (see bench/tera-compare/src/main.rs).
# The template context of one corpus page is captured with Tera 1's `__tera_context`, from a
# build of a small corpus whose page.html also prints it in a comment.
# usage: bench/tera-compare.sh [--n 2000] [--work DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
N=2000
WORK="${TMPDIR:-/tmp}/factsheet-tera-compare"
while [ $# -gt 0 ]; do
  case "$1" in
    --n) N="$2"; shift 2 ;;
    --work) WORK="$2"; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
TARGET="${CARGO_TARGET_DIR:-$REPO/target}"
cargo build --release --quiet --bin factsheet --example corpus
"$TARGET/release/examples/corpus" --pages 100 --out "$WORK/corpus" >&2
# Print the context in a comment after the page content (the page is otherwise unchanged).
python3 - "$WORK/corpus/templates/page.html" <<'PY'
import sys
p = sys.argv[1]; s = open(p).read()
needle = "{{ page.content | safe }}"
assert needle in s, "templates/page.html no longer prints page.content"
open(p, "w").write(s.replace(needle, needle + "\n<!--CONTEXT {{ __tera_context | safe }} CONTEXT-->", 1))
PY
"$TARGET/release/factsheet" build --root "$WORK/corpus" >&2
python3 - "$WORK/corpus/public/sec01/p010/index.html" "$WORK/context.json" <<'PY'
import re, sys
html = open(sys.argv[1]).read()
m = re.search(r"<!--CONTEXT (.*) CONTEXT-->", html, re.S)
open(sys.argv[2], "w").write(m.group(1))
PY
cargo run --release --quiet --manifest-path bench/tera-compare/Cargo.toml \
  --target-dir "$TARGET/tera-compare" -- \
  --v1 templates --v2 bench/tera-compare/templates-v2 --context "$WORK/context.json" --n "$N"
