#!/usr/bin/env bash
# Measures redirect throughput (GET /{code} -> 302). At stage 1 (the default) of ONE links node: the
# baseline that the gateway stages compare against. With --stage 2, through the gateway in front of
# one links node, its response cache on (as ./strata up ships it) or, with --no-cache, a route
# without it. Starts its own stage in a scratch run folder, creates one link, loads it with wrk,
# stops everything.
#
# Usage: bench/links-redirect.sh [-d SECONDS] [-c CONNECTIONS] [-t THREADS] [--stage 1|2] [--no-cache]
# Needs: wrk (Debian package `wrk`), curl.
set -euo pipefail
D=10 C=64 T=1 STAGE=1 CACHE=1
while [ $# -gt 0 ]; do
  case "$1" in
    -d) D=$2; shift 2 ;; -c) C=$2; shift 2 ;; -t) T=$2; shift 2 ;;
    --stage) STAGE=$2; shift 2 ;; --no-cache) CACHE=""; shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
case "$STAGE" in 1|2) ;; *) echo "--stage: 1 or 2" >&2; exit 2 ;; esac
[ -n "$CACHE" ] || [ "$STAGE" = 2 ] || { echo "--no-cache needs --stage 2" >&2; exit 2; }
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/strata-bench.XXXX)
cat >"$work/strata.yaml" <<YAML
up:
  run_dir: $work/run
  restart: false
  nodes: 1
  ports: {links: 18481, postgres: 18432, gateway: 18480, gateway_admin: 18491}
YAML
if [ -z "$CACHE" ]; then # the route up would make, without its cache filter
  printf 'gateway:\n  routes:\n    - {name: default, host: "*", path_prefix: /, upstream: app}\n' >>"$work/strata.yaml"
fi
"$here/strata" up --stage "$STAGE" --config "$work/strata.yaml" >"$work/up.log" 2>&1 &
up=$!
trap 'kill -TERM $up 2>/dev/null; wait $up 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 240); do [ -f "$work/run/topology.json" ] && break; sleep 0.5; done
[ -f "$work/run/topology.json" ] || { cat "$work/up.log"; exit 1; }
code=$(curl -fs -X POST http://127.0.0.1:18481/api/links -H 'Content-Type: application/json' \
        -d '{"url":"https://example.org/bench"}' | sed 's/.*"code":"\([^"]*\)".*/\1/')
if [ "$STAGE" = 1 ]; then
  url=http://127.0.0.1:18481/$code what="links node"
else
  url=http://127.0.0.1:18480/$code what="gateway, cache on"; [ -n "$CACHE" ] || what="gateway, cache off"
fi
wrk -t1 -c"$C" -d3s "$url" >/dev/null   # warm-up
echo "$what, GET /$code (302), wrk -t$T -c$C -d${D}s:"
wrk -t"$T" -c"$C" -d"${D}s" --latency "$url"
clicks=$(curl -fs "http://127.0.0.1:18481/api/links/$code")
echo "stats after the run: $clicks"
