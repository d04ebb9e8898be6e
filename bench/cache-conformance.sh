#!/usr/bin/env bash
# The response cache checked by an outside suite: http-cache-tests (https://cache-tests.fyi/, the
# suite behind the public results for Traffic Server, Varnish, nginx ...). Installs it from the npm
# registry into a scratch directory outside the tree, starts its test origin on 127.0.0.1:18700 and
# a gateway from bench/cache-conformance.yaml in front of it (127.0.0.1:18780), runs every test a
# shared cache takes through the gateway and prints the summary: required checks passed / failed
# (by id and name, each known exception marked), optimal ones, the information-only checks.
# Exits 1 when a required check failed that bench/cache-conformance-exceptions.txt does not list.
#
# Usage: bench/cache-conformance.sh [--id TEST-ID] [--results FILE] [--dir DIR]
#   --id TEST-ID    run one test and show its requests and responses (the suite's own debug output)
#   --results FILE  also keep the suite's JSON results there
#   --dir DIR       where the suite is installed (default /tmp/strata-cache-conformance; kept for reuse)
# Needs: node >= 14 and npm (Debian: nodejs npm), curl, a JDK >= 21 and Maven (for ./strata).
set -euo pipefail
VERSION=0.4.5
ID="" RESULTS="" DIR=/tmp/strata-cache-conformance
while [ $# -gt 0 ]; do
  case "$1" in
    --id) ID=$2; shift 2 ;; --results) RESULTS=$2; shift 2 ;; --dir) DIR=$2; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
here=$(cd "$(dirname "$0")/.." && pwd)
for b in node npm curl; do
  command -v $b >/dev/null || { echo "missing: $b (Debian: apt-get install nodejs npm curl)" >&2; exit 2; }
done
suite="$DIR/node_modules/http-cache-tests"
if [ "$(node -p "try { require('$suite/package.json').version } catch (e) { '' }" 2>/dev/null)" != "$VERSION" ]; then
  mkdir -p "$DIR"
  npm install --prefix "$DIR" --no-audit --no-fund --omit=dev --loglevel=error "http-cache-tests@$VERSION" >&2
fi
work=$(mktemp -d /tmp/strata-conformance.XXXX); origin="" gw=""
stop() {
  [ -n "$gw" ] && kill -TERM -- -"$gw" 2>/dev/null
  [ -n "$origin" ] && kill "$origin" 2>/dev/null
  sleep 0.5; rm -rf "$work"
}
trap stop EXIT INT TERM
# the suite's origin reads its settings as npm passes them to a package script
(cd "$suite" && npm_config_protocol=http npm_config_port=18700 npm_config_pidfile="$work/origin.pid" \
  exec node server/server.mjs) >"$work/origin.log" 2>&1 & origin=$!
"$here/strata" build >/dev/null
setsid "$here/strata" gateway --config "$here/bench/cache-conformance.yaml" >"$work/gateway.log" 2>&1 & gw=$!
for _ in $(seq 1 120); do curl -fs -o /dev/null http://127.0.0.1:18780/ && break; sleep 0.5; done
curl -fs -o /dev/null http://127.0.0.1:18780/ || {
  echo "the gateway does not answer on 127.0.0.1:18780" >&2; tail -20 "$work/gateway.log" "$work/origin.log" >&2; exit 1; }
cd "$suite"
if [ -n "$ID" ]; then
  npm_config_base=http://127.0.0.1:18780 npm_package_config_id="$ID" node --no-warnings cli.mjs
  exit 0
fi
echo "http-cache-tests $VERSION through the gateway ($(date -u '+%Y-%m-%d %H:%M UTC'), $(git -C "$here" describe --always --dirty))"
npm_config_base=http://127.0.0.1:18780 npm_package_config_id="" node --no-warnings cli.mjs >"$work/results.json"
[ -z "$RESULTS" ] || cp "$work/results.json" "$RESULTS"
node "$here/bench/cache-conformance-summary.mjs" "$suite" "$work/results.json" "$here/bench/cache-conformance-exceptions.txt"
