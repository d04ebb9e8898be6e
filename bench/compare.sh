#!/usr/bin/env bash
# Side-by-side proxy comparison: Strata's gateway (bench/peers.yaml), HAProxy and nginx balance the
# same two nginx origins and take the same wrk load, round after round, in one run; the medians are
# printed with Strata's ratio to each peer. Peer configurations live in bench/peers/.
#
# Usage: bench/compare.sh [-d SECONDS] [-c CONNECTIONS] [-r ROUNDS]
# Needs: nginx, haproxy, wrk, curl (Debian packages; installed on first use when run as root).
set -euo pipefail
D=10 C=64 R=3
while [ $# -gt 0 ]; do
  case "$1" in
    -d) D=$2; shift 2 ;; -c) C=$2; shift 2 ;; -r) R=$2; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
here=$(cd "$(dirname "$0")/.." && pwd)
missing=""
for b in nginx haproxy wrk curl; do command -v $b >/dev/null || missing="$missing $b"; done
if [ -n "$missing" ]; then
  [ "$(id -u)" = 0 ] || { echo "missing:$missing (Debian packages)" >&2; exit 2; }
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx haproxy wrk curl >/dev/null
fi
work=$(mktemp -d /tmp/strata-compare.XXXX); chmod 755 "$work"; pids=()
stop() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; [ -n "${gw:-}" ] && kill -TERM -- -"$gw" 2>/dev/null; sleep 0.5; rm -rf "$work"; }
trap stop EXIT INT TERM
for f in origins.nginx.conf nginx.conf; do sed "s|@WORK@|$work|g" "$here/bench/peers/$f" >"$work/$f"; done
nginx -c "$work/origins.nginx.conf" & pids+=($!)
nginx -c "$work/nginx.conf" & pids+=($!)
haproxy -f "$here/bench/peers/haproxy.cfg" -db >"$work/haproxy.log" 2>&1 & pids+=($!)
"$here/strata" build >/dev/null
setsid "$here/strata" gateway --config "$here/bench/peers.yaml" >"$work/strata.log" 2>&1 & gw=$!
declare -A URL=([strata]=http://127.0.0.1:18080/ [haproxy]=http://127.0.0.1:19301/ [nginx]=http://127.0.0.1:19201/)
for name in strata haproxy nginx; do
  for _ in $(seq 1 120); do curl -fs -o /dev/null "${URL[$name]}" && break; sleep 0.5; done
  curl -fs -o /dev/null "${URL[$name]}" || { echo "$name not answering" >&2; tail -20 "$work/strata.log" >&2; exit 1; }
done
run() { wrk -t1 -c"$C" -d"${D}s" --latency "$1" | awk '
  function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
  /Requests\/sec/ {rps=$2} $1=="99%" {p99=ms($2)} /Non-2xx|Socket errors/ {err=1}
  END {printf "%.0f %.2f %d\n", rps, p99, err}'; }
declare -A RPS P99 ERR
wrk -t1 -c"$C" -d"${D}s" "${URL[strata]}" >/dev/null   # the JVM's warm-up round, not counted
for r in $(seq 1 "$R"); do
  for name in strata haproxy nginx; do
    read -r rps p99 err < <(run "${URL[$name]}")
    RPS[$name]+="$rps "; P99[$name]+="$p99 "; ERR[$name]=$(( ${ERR[$name]:-0} + err ))
  done
done
median() { tr ' ' '\n' <<<"$1" | sed '/^$/d' | sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
printf '%-10s %12s %10s %7s   (wrk -t1 -c%s -d%ss, %s rounds, medians)\n' proxy rps p99_ms errors "$C" "$D" "$R"
for name in strata haproxy nginx; do
  printf '%-10s %12.0f %10.2f %7d\n' "$name" "$(median "${RPS[$name]}")" "$(median "${P99[$name]}")" "${ERR[$name]}"
done
for peer in haproxy nginx; do
  awk -v a="$(median "${RPS[strata]}")" -v b="$(median "${RPS[$peer]}")" -v p="$peer" 'BEGIN {printf "ratio strata / %s = %.2f\n", p, a/b}'
done
