#!/usr/bin/env bash
# Measures redirect throughput (GET /{code} -> 302) of ONE links node at stage 1: the baseline that
# the gateway stages compare against. Starts its own stage 1 in a scratch run folder, creates one
# link, loads it with wrk, stops everything.
#
# Usage: bench/links-redirect.sh [-d SECONDS] [-c CONNECTIONS] [-t THREADS]
# Needs: wrk (Debian package `wrk`), curl.
set -euo pipefail
D=10 C=64 T=1
while [ $# -gt 0 ]; do
  case "$1" in
    -d) D=$2; shift 2 ;; -c) C=$2; shift 2 ;; -t) T=$2; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/strata-bench.XXXX)
cat >"$work/strata.yaml" <<YAML
up:
  run_dir: $work/run
  restart: false
  ports: {links: 18481, postgres: 18432}
YAML
"$here/strata" up --stage 1 --config "$work/strata.yaml" >"$work/up.log" 2>&1 &
up=$!
trap 'kill -TERM $up 2>/dev/null; wait $up 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 240); do [ -f "$work/run/topology.json" ] && break; sleep 0.5; done
[ -f "$work/run/topology.json" ] || { cat "$work/up.log"; exit 1; }
code=$(curl -fs -X POST http://127.0.0.1:18481/api/links -H 'Content-Type: application/json' \
        -d '{"url":"https://example.org/bench"}' | sed 's/.*"code":"\([^"]*\)".*/\1/')
wrk -t1 -c"$C" -d3s "http://127.0.0.1:18481/$code" >/dev/null   # warm-up
echo "links node, GET /$code (302), wrk -t$T -c$C -d${D}s:"
wrk -t"$T" -c"$C" -d"${D}s" --latency "http://127.0.0.1:18481/$code"
clicks=$(curl -fs "http://127.0.0.1:18481/api/links/$code")
echo "stats after the run: $clicks"
