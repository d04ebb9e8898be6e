#!/usr/bin/env bash
# Stage 4 against stage 3 on this machine, in one run, through the gateway (no response cache):
#   1. GET /api/links/{code} throughput at stage 3 and at stage 4 (wrk, closed loop);
#   2. at stage 4, the share of those reads the primary served (from each links node's /_strata/db);
#   3. at stage 4, replica replay lag p50/p99 while links are created and redirects count clicks;
#   4. at stage 4, the latency of a read with a consistency token right after its write, beside a
#      read without one (bench/stage4-token.py, one keep-alive connection, sequential).
#
# Usage: bench/stage4.sh [-d SECONDS] [-c CONNECTIONS] [--nodes N] [--replicas R]
# Needs: wrk, curl, python3.
set -euo pipefail
D=10 C=32 NODES=2 REPLICAS=2
while [ $# -gt 0 ]; do
  case "$1" in
    -d) D=$2; shift 2 ;; -c) C=$2; shift 2 ;; --nodes) NODES=$2; shift 2 ;; --replicas) REPLICAS=$2; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/strata-stage4.XXXX)
up=
stop() { if [ -n "$up" ]; then kill -TERM "$up" 2>/dev/null || true; wait "$up" 2>/dev/null || true; up=; fi; }
trap 'stop; rm -rf "$work"' EXIT

start() { # stage
  cat >"$work/strata.yaml" <<YAML
up:
  run_dir: $work/run-$1
  restart: false
  ports: {gateway: 18480, gateway_admin: 18490, links: 18481, postgres: 18432}
YAML
  "$here/strata" up --stage "$1" --nodes "$NODES" --replicas "$REPLICAS" --config "$work/strata.yaml" \
      >"$work/up-$1.log" 2>&1 &
  up=$!
  for _ in $(seq 1 600); do [ -f "$work/run-$1/topology.json" ] && return 0; sleep 0.5; done
  cat "$work/up-$1.log"; exit 1
}

create() {
  curl -fs -X POST http://127.0.0.1:18480/api/links -H 'Content-Type: application/json' \
      -d '{"url":"https://example.org/bench"}' | sed 's/.*"code":"\([^"]*\)".*/\1/'
}

queries() { # the sum over the links nodes of the queries of database node $1 (primary, replica-N)
  local total=0
  for i in $(seq 1 "$NODES"); do
    n=$(curl -fs "http://127.0.0.1:$((18480 + i))/_strata/db" | python3 -c \
        "import json,sys; print(sum(n['queries'] for n in json.load(sys.stdin)['nodes'] if n['name']=='$1' or ('$1'=='replicas' and n['role']=='replica')))")
    total=$((total + n))
  done
  echo "$total"
}

read_throughput() { # stage
  code=$(create)
  wrk -t1 -c"$C" -d3s "http://127.0.0.1:18480/api/links/$code" >/dev/null
  echo "stage $1: GET /api/links/{code} through the gateway, wrk -t1 -c$C -d${D}s:"
  wrk -t1 -c"$C" -d"${D}s" --latency "http://127.0.0.1:18480/api/links/$code" | grep -E "Requests/sec|50%|99%"
}

start 3
read_throughput 3
stop

start 4
p0=$(queries primary); r0=$(queries replicas)
read_throughput 4
p1=$(queries primary); r1=$(queries replicas)
python3 -c "p=$p1-$p0; r=$r1-$r0; print(f'stage 4: reads on the primary {p} of {p+r} ({100.0*p/max(1,p+r):.2f} %)')"

cat >"$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"url":"https://example.org/written"}'
wrk.headers["Content-Type"] = "application/json"
LUA
code=$(create)
python3 - "$NODES" "$D" >"$work/lag.txt" <<'PY' &
import json, sys, time, urllib.request
nodes, seconds = int(sys.argv[1]), int(sys.argv[2])
lags = []
end = time.time() + seconds
while time.time() < end:
    view = json.load(urllib.request.urlopen("http://127.0.0.1:18481/_strata/db"))
    lags += [n["lag_ms"] for n in view["nodes"] if n["role"] == "replica" and n["lag_ms"] >= 0]
    time.sleep(0.05)
lags.sort()
pick = lambda q: lags[min(len(lags) - 1, int(q * len(lags)))]
print(f"stage 4: replay lag under writes, {len(lags)} samples: p50 {pick(0.5)} ms, p99 {pick(0.99)} ms, max {lags[-1]} ms")
PY
sampler=$!
wrk -t1 -c4 -d"${D}s" -s "$work/post.lua" http://127.0.0.1:18480/api/links | grep -E "Requests/sec" | sed 's/^/stage 4: link creations /' &
writer=$!
wrk -t1 -c4 -d"${D}s" "http://127.0.0.1:18480/$code" | grep -E "Requests/sec" | sed 's/^/stage 4: redirects (clicks) /'
wait "$sampler" "$writer"
cat "$work/lag.txt"
python3 "$here/bench/stage4-token.py" http://127.0.0.1:18480 500
stop
