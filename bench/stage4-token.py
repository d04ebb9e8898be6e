#!/usr/bin/env python3
"""A write, then at once a read of it with its consistency token, N times; beside it, a read of the
same link without a token. One keep-alive connection each, sequential. Prints p50/p99 of both reads.

Usage: bench/stage4-token.py BASE_URL N
"""
import http.client
import json
import sys
import time
import urllib.parse

base, n = urllib.parse.urlparse(sys.argv[1]), int(sys.argv[2])
conn = http.client.HTTPConnection(base.hostname, base.port)
with_token, without = [], []
stale = 0
for i in range(n):
    url = f"https://example.org/token-{i}"
    conn.request("POST", "/api/links", json.dumps({"url": url}), {"Content-Type": "application/json"})
    r = conn.getresponse()
    body = json.loads(r.read())
    token = r.getheader("Strata-Consistency")
    t0 = time.perf_counter()
    conn.request("GET", "/api/links/" + body["code"], headers={"Strata-Consistency": token})
    r = conn.getresponse()
    got = json.loads(r.read())
    with_token.append(time.perf_counter() - t0)
    stale += got.get("url") != url
    t0 = time.perf_counter()
    conn.request("GET", "/api/links/" + body["code"])
    r = conn.getresponse()
    r.read()
    without.append(time.perf_counter() - t0)
q = lambda xs, p: sorted(xs)[min(len(xs) - 1, int(p * len(xs)))] * 1000
print(f"stage 4: read right after its write, {n} pairs: with the token p50 {q(with_token, .5):.2f} ms "
      f"p99 {q(with_token, .99):.2f} ms; without p50 {q(without, .5):.2f} ms p99 {q(without, .99):.2f} ms; "
      f"stale reads with the token: {stale}")
