#!/usr/bin/env bash
# The resident memory of a gateway whose cache holds N MiB of responses (default 1024): starts an
# origin (Python) that answers /obj/<i> with <object KiB> bytes and Cache-Control: max-age=3600, a
# gateway from bench/cache-memory.yaml (store_size 1.5 GiB), fills the cache with distinct objects
# over one keep-alive connection, and prints the cache's stored bytes and objects (GET /_strata/cache),
# the gateway's VmRSS before and after (/proc/PID/status), its heap after a full collection
# (jcmd GC.heap_info) and RSS / stored bytes.
#
# Usage: bench/cache-memory.sh [-m MIB] [-k OBJECT_KIB] [--config FILE]   (KEEP=FILE keeps the gateway's log)
# Needs: python3, curl, a JDK >= 21 with jcmd (JAVA_HOME) and Maven (for ./strata).
set -euo pipefail
MIB=1024 KIB=64 CONFIG=""
while [ $# -gt 0 ]; do
  case "$1" in
    -m) MIB=$2; shift 2 ;; -k) KIB=$2; shift 2 ;; --config) CONFIG=$2; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
here=$(cd "$(dirname "$0")/.." && pwd)
CONFIG=${CONFIG:-$here/bench/cache-memory.yaml}
work=$(mktemp -d /tmp/strata-cache-memory.XXXX); origin="" gw=""
stop() {
  [ -n "$gw" ] && kill -TERM -- -"$gw" 2>/dev/null
  [ -n "$origin" ] && kill "$origin" 2>/dev/null
  sleep 0.5; [ -n "${KEEP:-}" ] && cp "$work/gateway.log" "$KEEP"; rm -rf "$work"
}
trap stop EXIT INT TERM
cat >"$work/origin.py" <<'PY'
import http.server, sys
size = int(sys.argv[1]) * 1024
body = bytes((i * 7) % 251 for i in range(size))
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    disable_nagle_algorithm = True  # head and body are two writes: without it, small objects wait on delayed ACKs
    def do_GET(self):
        self.send_response(200)
        self.send_header('Content-Type', 'application/octet-stream')
        self.send_header('Content-Length', str(size))
        self.send_header('Cache-Control', 'max-age=3600')
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
http.server.ThreadingHTTPServer(('127.0.0.1', 18792), H).serve_forever()
PY
cat >"$work/fill.py" <<'PY'
import http.client, sys
n = int(sys.argv[1])
c = http.client.HTTPConnection('127.0.0.1', 18790)
hits = 0
for i in range(n):
    c.request('GET', '/obj/%d' % i)
    r = c.getresponse()
    r.read()
    if r.status != 200:
        sys.exit('GET /obj/%d: %d' % (i, r.status))
print('%d objects fetched' % n)
PY
python3 "$work/origin.py" "$KIB" & origin=$!
"$here/strata" build >/dev/null
setsid "$here/strata" gateway --config "$CONFIG" >"$work/gateway.log" 2>&1 & gw=$!
for _ in $(seq 1 120); do curl -fs -o /dev/null http://127.0.0.1:18790/obj/warm && break; sleep 0.5; done
curl -fs -o /dev/null http://127.0.0.1:18790/obj/warm || { echo "gateway not answering" >&2; tail -20 "$work/gateway.log" >&2; exit 1; }
pid=$(pgrep -f -n "strata.jar gateway --config $CONFIG" || echo "$gw")
jcmd=${JAVA_HOME:+$JAVA_HOME/bin/}jcmd
rss() { awk '/^VmRSS/ {print $2}' "/proc/$pid/status"; }
"$jcmd" "$pid" GC.run >/dev/null
before=$(rss)
objects=$(( MIB * 1024 / KIB ))
python3 "$work/fill.py" "$objects"
"$jcmd" "$pid" GC.run >/dev/null
after=$(rss)
cache=$(curl -fs http://127.0.0.1:18791/_strata/cache)
echo "cache: $cache" | cut -c1-400
stored=$(python3 -c "import json,sys; d=json.loads(sys.argv[1]); r=d['routes'] if 'routes' in d else d; print(sum(x.get('bytes',0) for x in (r.values() if isinstance(r,dict) else r)))" "$cache" 2>/dev/null || echo 0)
echo "gateway pid $pid, $objects objects of $KIB KiB requested"
echo "VmRSS before the fill: $((before / 1024)) MiB, after: $((after / 1024)) MiB (grew $(((after - before) / 1024)) MiB)"
"$jcmd" "$pid" GC.heap_info | grep -E "total|used" | sed 's/ \[0x.*//'
body=$(( objects * KIB * 1024 ))
python3 -c "print('the store\'s weight %d bytes (%.1f MiB, bodies with heads and keys); bodies %d bytes (%.1f MiB)' % ($stored, $stored/1048576, $body, $body/1048576))"
python3 -c "print('RSS / body bytes = %.3f; RSS growth / body bytes = %.3f' % ($after*1024/$body, ($after-$before)*1024/$body))"
python3 -c "import json,sys; d=json.loads(sys.argv[1]); e=sum(r.get('evictions',0) for r in d['routes'].values())
if e: print('note: %d responses were evicted, so the store holds less than was fetched: RSS growth / the store\'s weight = %.3f' % (e, ($after-$before)*1024/$stored))" "$cache"
