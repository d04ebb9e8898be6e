#!/usr/bin/env bash
# Side-by-side proxy comparison: Strata's gateway (bench/peers.yaml), HAProxy and nginx balance the
# same two nginx origins and take the same wrk load, round after round, in one run; the medians are
# printed with Strata's ratio to each peer. Peer configurations live in bench/peers/.
#
# Usage: bench/compare.sh [-d SECONDS] [-c CONNECTIONS] [-r ROUNDS] [--cpu] [--all-cores] [--rate RPS]
#   --rate RPS  the same offered load for every proxy instead of wrk's closed loop: bench/openloop.c (built
#          with cc) sends RPS requests per second over the same keep-alive connections and counts each
#          request's latency from the time it was due, so the tails compare at equal load rather than at
#          each proxy's own rate; it prints p50, p99 and p99.9, and requests that errored or never
#          finished (a proxy that did not keep up)
#   --all-cores  every proxy on every core: the gateway with bench/peers-all-cores.yaml (one event loop
#          per core), nginx with one worker per core, HAProxy with one thread per core
#   --cpu  also prints, per proxy, the CPU time per request of the proxy, the origin and wrk, and how long
#          each waited for a CPU (run-queue time, from /proc/PID/task/*/schedstat), over the middle of
#          each run: on a machine where the three share the cores, a faster proxy leaves less CPU to the
#          origin and wrk, and their waiting shows up in the latency wrk measures
# Needs: nginx, haproxy, wrk, curl, and with --rate a C compiler (Debian packages; installed on first use
# when run as root).
set -euo pipefail
D=10 C=64 R=3 CPU="" ALL="" RATE=""
while [ $# -gt 0 ]; do
  case "$1" in
    -d) D=$2; shift 2 ;; -c) C=$2; shift 2 ;; -r) R=$2; shift 2 ;; --cpu) CPU=1; shift ;; --all-cores) ALL=1; shift ;;
    --rate) RATE=$2; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
[ -z "$CPU" ] || [ "$D" -ge 3 ] || { echo "--cpu needs -d 3 or more (it measures from 1 s in to 1 s before the end)" >&2; exit 2; }
here=$(cd "$(dirname "$0")/.." && pwd)
missing=""
for b in nginx haproxy wrk curl; do command -v $b >/dev/null || missing="$missing $b"; done
[ -z "$RATE" ] || command -v cc >/dev/null || missing="$missing gcc"
if [ -n "$missing" ]; then
  [ "$(id -u)" = 0 ] || { echo "missing:$missing (Debian packages)" >&2; exit 2; }
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx haproxy wrk curl $missing >/dev/null
fi
work=$(mktemp -d /tmp/strata-compare.XXXX); chmod 755 "$work"; pids=()
stop() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; [ -n "${gw:-}" ] && kill -TERM -- -"$gw" 2>/dev/null; sleep 0.5; rm -rf "$work"; }
trap stop EXIT INT TERM
[ -z "$RATE" ] || cc -O2 -o "$work/openloop" "$here/bench/openloop.c"
threads=1 gwconfig=peers.yaml
[ -z "$ALL" ] || { threads=$(nproc); gwconfig=peers-all-cores.yaml; }
for f in origins.nginx.conf nginx.conf haproxy.cfg; do
  sed "s|@WORK@|$work|g" "$here/bench/peers/$f" >"$work/$f"
done
sed -i "s/worker_processes 1;/worker_processes $threads;/" "$work/nginx.conf"
sed -i "s/nbthread 1/nbthread $threads/" "$work/haproxy.cfg"
nginx -c "$work/origins.nginx.conf" & pids+=($!)
nginx -c "$work/nginx.conf" & pids+=($!)
haproxy -f "$work/haproxy.cfg" -db >"$work/haproxy.log" 2>&1 & pids+=($!)
"$here/strata" build >/dev/null
setsid "$here/strata" gateway --config "$here/bench/$gwconfig" >"$work/strata.log" 2>&1 & gw=$!
declare -A URL=([strata]=http://127.0.0.1:18080/ [haproxy]=http://127.0.0.1:19301/ [nginx]=http://127.0.0.1:19201/)
for name in strata haproxy nginx; do
  for _ in $(seq 1 120); do curl -fs -o /dev/null "${URL[$name]}" && break; sleep 0.5; done
  curl -fs -o /dev/null "${URL[$name]}" || { echo "$name not answering" >&2; tail -20 "$work/strata.log" >&2; exit 1; }
done
# the processes that do the work: the proxy, the origins' worker, and (per run) wrk
declare -A PID=([strata]=$gw [haproxy]=${pids[2]} [nginx]="$(pgrep -P "${pids[1]}" | tr '\n' ' ')")
origin=$(pgrep -P "${pids[0]}" | head -n 1)
snap() { # PROXY_PIDS WRK_PID -> run and wait ns of the proxy, the origin and wrk, each summed over its threads
  for party in "$1" "$origin" "$2"; do
    for p in $party; do cat /proc/"$p"/task/*/schedstat 2>/dev/null; done | awk '{r+=$1; w+=$2} END {printf "%.0f %.0f ", r, w}'
  done; date +%s%N; }
run() { # URL PROXY_PID -> "rps p99_ms errors p50_ms p999_ms" and, with --cpu, "proxy_us origin_us load_us proxy_wait origin_wait load_wait"
  local s0="" s1="" w
  if [ -n "$RATE" ]; then # one second of warm-up at the rate, then D seconds counted
    "$work/openloop" -r "$RATE" -c "$C" -d "$D" -w 1 "$1" >"$work/load.out" & w=$!; [ -z "$CPU" ] || sleep 1
  else
    wrk -t1 -c"$C" -d"${D}s" --latency "$1" >"$work/load.out" & w=$!
  fi
  if [ -n "$CPU" ]; then sleep 1; s0=$(snap "$2" "$w"); sleep $((D - 2)); s1=$(snap "$2" "$w"); fi
  wait "$w"
  awk -v s0="$s0" -v s1="$s1" '
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    /Requests\/sec/ {rps=$2} $1=="50%" {p50=ms($2)} $1=="99%" {p99=ms($2)} /Non-2xx|Socket errors/ {err=1}
    /^rate=/ { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
               rps = v["rps"]; p50 = v["p50"]; p99 = v["p99"]; p999 = v["p99.9"]; err = v["errors"] + v["unfinished"] }
    END {
      printf "%.0f %.2f %d %.2f %.2f", rps, p99, err, p50, p999
      if (s0 != "") { # CPU per request in microseconds, then waiting for a CPU in milliseconds per second
        split(s0, a); split(s1, b); win = b[7] - a[7]; n = rps * win / 1e9
        for (i = 1; i <= 5; i += 2) printf " %.2f", (b[i] - a[i]) / n / 1e3
        for (i = 2; i <= 6; i += 2) printf " %.0f", (b[i] - a[i]) / win * 1e3
      }
      printf "\n" }' "$work/load.out"; }
declare -A RPS P99 ERR P50 P999 STAT   # STAT[name,k]: the k-th --cpu figure of each round
wrk -t1 -c"$C" -d"${D}s" "${URL[strata]}" >/dev/null   # the JVM's warm-up round, not counted
for r in $(seq 1 "$R"); do
  for name in strata haproxy nginx; do
    read -r -a f < <(run "${URL[$name]}" "${PID[$name]}")
    RPS[$name]+="${f[0]} "; P99[$name]+="${f[1]} "; ERR[$name]=$(( ${ERR[$name]:-0} + f[2] ))
    P50[$name]+="${f[3]} "; P999[$name]+="${f[4]} "
    for ((k = 5; k < ${#f[@]}; k++)); do STAT[$name,$((k - 5))]+="${f[$k]} "; done
  done
done
median() { tr ' ' '\n' <<<"$1" | sed '/^$/d' | sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
if [ -n "$RATE" ]; then
  printf '%-10s %12s %8s %8s %8s %7s   (%s requests/s offered on %s connections, %s s, %s rounds, medians; %s thread(s) per proxy)\n' \
    proxy rps p50_ms p99_ms p99.9_ms errors "$RATE" "$C" "$D" "$R" "$threads"
  for name in strata haproxy nginx; do
    printf '%-10s %12.0f %8.2f %8.2f %8.2f %7d\n' "$name" "$(median "${RPS[$name]}")" "$(median "${P50[$name]}")" \
      "$(median "${P99[$name]}")" "$(median "${P999[$name]}")" "${ERR[$name]}"
  done
else
  printf '%-10s %12s %10s %7s   (wrk -t1 -c%s -d%ss, %s rounds, medians; %s thread(s) per proxy)\n' \
    proxy rps p99_ms errors "$C" "$D" "$R" "$threads"
  for name in strata haproxy nginx; do
    printf '%-10s %12.0f %10.2f %7d\n' "$name" "$(median "${RPS[$name]}")" "$(median "${P99[$name]}")" "${ERR[$name]}"
  done
fi
if [ -n "$CPU" ]; then
  printf '\n%-10s %28s   %32s\n' "" "CPU per request (us)" "waiting for a CPU (ms per s)"
  load=wrk; [ -z "$RATE" ] || load=openloop
  printf '%-10s %9s %9s %9s   %10s %10s %10s\n' proxy proxy origin $load proxy origin $load
  for name in strata haproxy nginx; do
    printf '%-10s %9.2f %9.2f %9.2f   %10.0f %10.0f %10.0f\n' "$name" \
      "$(median "${STAT[$name,0]}")" "$(median "${STAT[$name,1]}")" "$(median "${STAT[$name,2]}")" \
      "$(median "${STAT[$name,3]}")" "$(median "${STAT[$name,4]}")" "$(median "${STAT[$name,5]}")"
  done
  echo
fi
[ -n "$RATE" ] || for peer in haproxy nginx; do
  awk -v a="$(median "${RPS[strata]}")" -v b="$(median "${RPS[$peer]}")" -v p="$peer" 'BEGIN {printf "ratio strata / %s = %.2f\n", p, a/b}'
done
