#!/usr/bin/env bash
# The flood at stage 3: one client address (127.0.0.1) floods the gateway as fast as wrk can while a
# second (127.0.0.2) sends a steady open-loop rate; reports the steady client's success rate and p99,
# first alone, then under the flood. The gateway's rules (rate limits, shedding, nothing) come from the
# configuration file given, so one script measures the limits on, off, and shedding with a slow node.
#
# Usage: bench/flood.sh [--config FILE] [--slow NODE] [-d SECONDS] [-c FLOOD_CONNECTIONS] [-r STEADY_RPS]
#                       [--nodes N] [--path PATH]
#
#   --config FILE  YAML laid over the defaults (a `gateway:` section with `filters:`, say; it must not
#                  have an `up:` section, which this script writes); none = the defaults, no limits
#   --slow NODE    slows one app node (links-2, say) for both phases: SIGSTOP for 80 ms of every
#                  100 ms, a node about five times slower whose requests stall, as one in a long
#                  collection pause
#   -d 20 -c 64 -r 200 --nodes 3; --path is what both clients request (default: /api/links/CODE, the
#   stats of one link created first; 200 with a length, which the steady client needs)
#
# Examples:
#   bench/flood.sh                                      # no limits: what the flood does to the others
#   bench/flood.sh --config bench/flood-shed.yaml --slow links-2
#
# Prints one line per phase for the steady client (openloop, after a 2 s warm-up: done = 2xx answers,
# errors = the others, percentiles over the 2xx; success = done / (done + errors + unfinished)), wrk's
# summary for the flood, and what /_strata/shed and the limiter's metrics say at the end.
# Needs: wrk, curl, a C compiler, python3.
set -euo pipefail
D=20 C=64 RPS=200 NODES=3 CONFIG="" SLOW="" REQ_PATH=""
while [ $# -gt 0 ]; do
  case "$1" in
    -d) D=$2; shift 2 ;; -c) C=$2; shift 2 ;; -r) RPS=$2; shift 2 ;;
    --nodes) NODES=$2; shift 2 ;; --config) CONFIG=$2; shift 2 ;; --slow) SLOW=$2; shift 2 ;;
    --path) REQ_PATH=$2; shift 2 ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
for b in wrk curl cc python3; do command -v $b >/dev/null || { echo "missing: $b" >&2; exit 2; }; done
if [ -n "$CONFIG" ] && grep -q '^up:' "$CONFIG"; then
  echo "$CONFIG: has an up: section (expected: none; this script lays out the topology)" >&2; exit 2
fi
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/strata-flood.XXXX)
GW=18680 ADMIN=18691
cc -O2 -o "$work/openloop" "$here/bench/openloop.c"
{
  [ -n "$CONFIG" ] && cat "$CONFIG" && echo
  cat <<YAML
up:
  run_dir: $work/run
  restart: false
  nodes: $NODES
  ports: {gateway: $GW, gateway_admin: $ADMIN, links: 18681, postgres: 18632}
YAML
} >"$work/strata.yaml"

up="" slower=""
cleanup() {
  if [ -n "$slower" ]; then
    kill "$slower" 2>/dev/null || true
    wait "$slower" 2>/dev/null || true
  fi
  # the slowed node resumed (again, in case the loop stopped it once more as it ended), so it can stop
  [ -n "${slow_pid:-}" ] && { kill -CONT "$slow_pid" 2>/dev/null; sleep 0.2; kill -CONT "$slow_pid" 2>/dev/null; }
  if [ -n "$up" ]; then
    kill -TERM "$up" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$up" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$up" 2>/dev/null; then # a stop that did not finish in 30 s: end the whole stage
      pkill -KILL -f "$work/" 2>/dev/null || true
    fi
    wait "$up" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
"$here/strata" up --stage 3 --fresh --config "$work/strata.yaml" >"$work/up.log" 2>&1 &
up=$!
for _ in $(seq 1 480); do [ -f "$work/run/topology.json" ] && break; sleep 0.5; done
[ -f "$work/run/topology.json" ] || { cat "$work/up.log"; exit 1; }

base=http://127.0.0.1:$GW
if [ -z "$REQ_PATH" ]; then
  code=$(curl -fs -X POST "$base/api/links" -H 'Content-Type: application/json' \
          -d '{"url":"https://example.org/flood"}' | sed 's/.*"code":"\([^"]*\)".*/\1/')
  REQ_PATH=/api/links/$code
fi
url=$base$REQ_PATH
curl -fs -o /dev/null "$url" || { echo "GET $url failed" >&2; exit 1; }

if [ -n "$SLOW" ]; then
  slow_pid=$(python3 -c 'import json,sys; print(next(n["pid"] for n in json.load(open(sys.argv[1]))["nodes"] if n["name"]==sys.argv[2]))' \
              "$work/run/topology.json" "$SLOW")
  ( while kill -STOP "$slow_pid" 2>/dev/null; do sleep 0.08; kill -CONT "$slow_pid"; sleep 0.02; done ) &
  slower=$!
fi

steady() { "$work/openloop" -b 127.0.0.2 -r "$RPS" -c 32 -d "$D" -w 2 "$url"; }
rate() { # success rate from an openloop line: 2xx over all the counted requests (done, errors, unfinished)
  python3 -c 'import sys,re; f=dict(re.findall(r"(\S+)=(\S+)", sys.argv[1])); d=int(f["done"]); n=d+int(f["errors"])+int(f["unfinished"]); print("success=%.2f%%" % (100.0*d/max(n,1)))' "$1"
}

echo "stage 3, $NODES links nodes${SLOW:+, $SLOW slowed}, config: ${CONFIG:-defaults}; GET $REQ_PATH"
alone=$(steady)
echo "steady client alone ($RPS rps from 127.0.0.2): $alone $(rate "$alone")"
wrk -t1 -c"$C" -d"$((D + 6))s" "$url" >"$work/flood.txt" 2>&1 &
flood=$!
sleep 2
under=$(steady)
wait "$flood" || true
echo "steady client under the flood:          $under $(rate "$under")"
echo "flood (wrk -t1 -c$C from 127.0.0.1):"
grep -E "Requests/sec|Non-2xx|Socket errors|Latency" "$work/flood.txt" | sed 's/^/  /'
shed=$(curl -fs "http://127.0.0.1:$ADMIN/_strata/shed" 2>/dev/null || true)
[ -n "$shed" ] && echo "shedding: $shed"
curl -fs "http://127.0.0.1:$ADMIN/_strata/metrics" | grep -E '^strata_(shed|limit|ratelimit)[a-z_]*(_total)?\{' | sed 's/^/  /' || true
