#!/usr/bin/env python3
"""Opens N keep-alive connections to a proxy, sends one GET on each, reads the response, keeps them
all open and idle, and prints the proxy's resident memory (RSS) before and after.

Usage: bench/idle-connections.py URL PID [N]   (raise `ulimit -n` above N first, for the proxy too)
"""
import asyncio
import sys
import urllib.parse


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


async def open_one(host, port, path, conns):
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    await reader.readexactly(length)
    if not head.startswith(b"HTTP/1.1 200"):
        raise RuntimeError(head[:40])
    conns.append((reader, writer))


async def main():
    url, pid = sys.argv[1], int(sys.argv[2])
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 10000
    u = urllib.parse.urlsplit(url)
    before = rss_kib(pid)
    conns = []
    for start in range(0, n, 500):
        await asyncio.gather(*(open_one(u.hostname, u.port, u.path or "/", conns)
                               for _ in range(start, min(n, start + 500))))
    await asyncio.sleep(5)
    after = rss_kib(pid)
    print(f"connections open and idle: {len(conns)}")
    print(f"proxy RSS before: {before / 1024:.1f} MiB, with {len(conns)} idle connections: {after / 1024:.1f} MiB, "
          f"per connection: {(after - before) / max(1, len(conns)):.1f} KiB")
    for _, w in conns:
        w.close()


asyncio.run(main())
