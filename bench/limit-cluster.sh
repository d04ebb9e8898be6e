#!/usr/bin/env bash
# The rate limiter's cost in cluster mode: one gateway (one event loop) with its limiter's counters in
# a real Redis (the embedded redis-server, as ./strata up --gateways N runs it), beside the same route
# with the local store and with no limiter; by default a rule far above the load, so every request is
# admitted and what is measured is the decision's cost. Batching pays only when the rate is near the
# load: --rate sets the rule's rate. Rounds interleaved over the four listeners, medians:
#   18080 no limiter, 18082 local store, 18084 cluster store (a Redis call per request),
#   18085 cluster store with batch: 10 (up to 10 cells leased per call for a hot key)
#
# Usage: bench/limit-cluster.sh [-d SECONDS] [-r ROUNDS] [-c CONNECTIONS] [--rate PER_SECOND]
# Needs: nginx (the two origins of bench/peers/), wrk, curl.
set -euo pipefail
D=5 R=3 C=64 RATE=100000000
while [ $# -gt 0 ]; do
  case "$1" in
    -d) D=$2; shift 2 ;; -r) R=$2; shift 2 ;; -c) C=$2; shift 2 ;; --rate) RATE=$2; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
for b in nginx wrk curl; do command -v $b >/dev/null || { echo "missing: $b" >&2; exit 2; }; done
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/strata-limit-cluster.XXXX); chmod 755 "$work"
"$here/strata" build >/dev/null
sed "s|@WORK@|$work|g" "$here/bench/peers/origins.nginx.conf" >"$work/origins.conf"
cat >"$work/redis.yaml" <<YAML
redis: {host: 127.0.0.1, port: 18690, dir: $work/redis, persistence: none, start_timeout: 10s, stop_timeout: 5s}
YAML
rule="{name: bench, rate: $RATE, period: 1s}"
cat >"$work/gateway.yaml" <<YAML
gateway:
  name: strata-limit-cluster
  io_threads: 1
  listeners:
    - {name: plain, address: 127.0.0.1:18080}
    - {name: local, address: 127.0.0.1:18082}
    - {name: cluster, address: 127.0.0.1:18084}
    - {name: batched, address: 127.0.0.1:18085}
  admin: {address: 127.0.0.1:18901}
  access_log: {enabled: false}
  cluster: {enabled: true, redis: "redis://127.0.0.1:18690"}
  routes:
    - {name: plain, host: "*", path_prefix: /, upstream: origins, listeners: [plain]}
    - {name: local, host: "*", path_prefix: /, upstream: origins, listeners: [local],
       filters: [{rate_limit: {rules: [$rule]}}]}
    - {name: cluster, host: "*", path_prefix: /, upstream: origins, listeners: [cluster],
       filters: [{rate_limit: {store: cluster, rules: [$rule]}}]}
    - {name: batched, host: "*", path_prefix: /, upstream: origins, listeners: [batched],
       filters: [{rate_limit: {store: cluster, cluster: {batch: 10}, rules: [$rule]}}]}
  upstreams:
    origins:
      endpoints: [127.0.0.1:19101, 127.0.0.1:19102]
      balance: {policy: least-request}
      pool: {max_per_event_loop: 256, idle_timeout: 60s}
YAML
pids=()
stop() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; [ -n "${gw:-}" ] && kill -TERM -- -"$gw" 2>/dev/null; sleep 1; rm -rf "$work"; }
trap stop EXIT INT TERM
nginx -c "$work/origins.conf" & pids+=($!)
"$here/strata" redis --config "$work/redis.yaml" >"$work/redis.log" 2>&1 & pids+=($!)
for _ in $(seq 1 80); do grep -q "ready: redis" "$work/redis.log" && break; sleep 0.25; done
grep -q "ready: redis" "$work/redis.log" || { echo "redis did not start" >&2; cat "$work/redis.log" >&2; exit 1; }
setsid "$here/strata" gateway --config "$work/gateway.yaml" >"$work/gateway.log" 2>&1 & gw=$!
ports=(18080 18082 18084 18085)
names=("no limiter" "local store" "cluster store" "cluster, batch 10")
for p in "${ports[@]}"; do
  for _ in $(seq 1 120); do curl -fs -o /dev/null "http://127.0.0.1:$p/" && break; sleep 0.5; done
  curl -fs -o /dev/null "http://127.0.0.1:$p/" || { echo "$p not answering" >&2; tail -20 "$work/gateway.log" >&2; exit 1; }
  wrk -t1 -c"$C" -d3s "http://127.0.0.1:$p/" >/dev/null
done
declare -A RPS P99 NON
for _ in $(seq 1 "$R"); do
  for p in "${ports[@]}"; do
    out=$(wrk -t1 -c"$C" -d"${D}s" --latency "http://127.0.0.1:$p/")
    RPS[$p]+="$(awk '/Requests\/sec/{print $2}' <<<"$out") "
    NON[$p]=$(( ${NON[$p]:-0} + $(awk '/Non-2xx/{n=$NF} END{print n+0}' <<<"$out") ))
    P99[$p]+="$(awk '$1=="99%"{v=$2; if (v ~ /us$/) v=v/1000; else if (v ~ /ms$/) v=v+0; else if (v ~ /s$/) v=v*1000; print v}' <<<"$out") "
  done
done
med() { tr ' ' '\n' <<<"$1" | sed '/^$/d' | sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
base=$(med "${RPS[18080]}")
printf '%-20s %10s %8s %12s %8s   (wrk -t1 -c%s -d%ss, %s rounds, medians; rule: %s/s)\n' route rps p99_ms vs_no_limiter non2xx "$C" "$D" "$R" "$RATE"
for i in "${!ports[@]}"; do
  p=${ports[$i]}; r=$(med "${RPS[$p]}")
  printf '%-20s %10.0f %8.2f %12.3f %8d\n' "${names[$i]}" "$r" "$(med "${P99[$p]}")" "$(awk -v a="$r" -v b="$base" 'BEGIN{print a/b}')" "${NON[$p]:-0}"
done
curl -fs "http://127.0.0.1:18901/_strata/metrics" | grep -E '^strata_ratelimit_(redis|fallbacks)' | sed 's/^/  /' || true
