#!/usr/bin/env python3
"""serve_checks.py: HTTP checks for tests/e2e/test_serve.sh that curl cannot
express: raw requests (early 413, chunked bodies, request targets sent as
is), the OpenAPI document against the live routes, graceful shutdown with a
request in flight. Usage: serve_checks.py CHECK URL TOKEN [ARGS...]; prints
"ok" or a reason and exits 0 or 1.
"""
import http.client
import json
import os
import signal
import socket
import sys
import time
import urllib.parse


def raw(url, data, read_timeout=5.0):
    """Sends bytes as they are; returns (status, headers, body) or None on reset."""
    u = urllib.parse.urlparse(url)
    s = socket.create_connection((u.hostname, u.port), timeout=read_timeout)
    try:
        s.sendall(data)
        buf = b""
        while True:
            try:
                chunk = s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not chunk:
                break
            buf += chunk
            if b"\r\n\r\n" in buf:
                head, _, body = buf.partition(b"\r\n\r\n")
                cl = [line for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")]
                if cl and len(body) >= int(cl[0].split(b":")[1]):
                    break
    finally:
        s.close()
    if not buf:
        return None
    head, _, body = buf.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(b":")
        headers[k.strip().lower().decode()] = v.strip().decode()
    return status, headers, body


def early_413(url, token):
    """A huge declared body is refused before any of it is sent."""
    t0 = time.time()
    r = raw(url, ("POST /api/v1/objects HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
                  "Content-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n"
                  % token).encode(), read_timeout=5)
    if not r or r[0] != 413:
        return "no 413 for a 1 GB Content-Length: %r" % (r,)
    if time.time() - t0 > 3:
        return "413 came only after %.1f s" % (time.time() - t0)
    if json.loads(r[2])["error"]["status"] != 413:
        return "413 without the error object"
    # The same without credentials is a 401, also before the body.
    r = raw(url, b"POST /api/v1/import HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 b"Content-Length: 1000000000\r\n\r\n")
    if not r or r[0] != 401:
        return "no 401 for an unauthenticated upload: %r" % (r,)
    return "ok"


def chunked_413(url, token):
    """A chunked body (no Content-Length) is cut off at the limit."""
    u = urllib.parse.urlparse(url)
    s = socket.create_connection((u.hostname, u.port), timeout=10)
    s.sendall(("POST /api/v1/objects HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
               "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
               % token).encode())
    chunk = b"x" * 65536
    sent = 0
    answer = b""
    try:
        for _ in range(200):  # up to 12.5 MB; the limit is 4 MiB
            s.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
            sent += len(chunk)
            s.settimeout(0.0)
            try:
                got = s.recv(65536)
                if got == b"":
                    break
                answer += got
                break
            except BlockingIOError:
                pass
            finally:
                s.settimeout(10)
    except (BrokenPipeError, ConnectionResetError):
        pass
    try:
        s.settimeout(3)
        while True:
            got = s.recv(65536)
            if not got:
                break
            answer += got
    except (socket.timeout, ConnectionResetError, OSError):
        pass
    s.close()
    if sent > 8 * 1024 * 1024 and not answer:
        return "sent %d bytes chunked without being stopped" % sent
    if answer and b" 413 " not in answer.split(b"\r\n")[0]:
        return "chunked upload answered %r" % answer[:80]
    return "ok"


def targets(url, token):
    """Request targets sent byte for byte (no client normalisation)."""
    cases = [
        ("/api/v1/objects/..%2F..%2Fetc%2Fpasswd", 400),
        ("/api/v1/../../etc/passwd", 400),
        ("/api/v1/objects/%2e%2e", 400),
        ("/api/v1/objects/a%00b", 400),
        ("/api/v1/objects/a%0d%0aSet-Cookie:%20x=1", 400),
        ("/api/v1//objects", 400),
        ("/api/v1/objects?limit=%zz", 400),
        ("/api/v1/objects?limit=0", 400),
        ("/api/v1/objects?limit=abc", 400),
        ("/api/v1/objects?limit=99999999999999999999", 400),
        ("/api/v1/objects?nosuch=1", 400),
        ("/api/v1/objects?cursor=notacursor", 400),
        ("/api/v1/objects?since=yesterday", 400),
        ("/api/v1/objects?label=a&label=b", 400),
        ("/api/v1/search?text=%0a%0d", 400),
        ("/api/v1/nosuch", 404),
        ("/static/../../etc/passwd", 400),
    ]
    for target, want in cases:
        r = raw(url, ("GET %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
                      "Connection: close\r\n\r\n" % (target, token)).encode())
        if not r or r[0] != want:
            return "%s: %r, expected %d" % (target, r and r[0], want)
        if "set-cookie" in r[1]:
            return "%s: a header was injected" % target
        if target.startswith("/api/") and "error" not in json.loads(r[2]):
            return "%s: not the error object" % target
    return "ok"


def openapi(url, token):
    """Every operation the document lists is routed (not a routing 404 or a
    405); a path that is not in it is not routed."""
    u = urllib.parse.urlparse(url)
    c = http.client.HTTPConnection(u.hostname, u.port)
    c.request("GET", "/api/v1/openapi.json")
    doc = json.loads(c.getresponse().read())
    n = 0
    for path, ops in doc["paths"].items():
        for method in ops:
            p = path
            while "{" in p:
                a, b = p.index("{"), p.index("}")
                p = p[:a] + "zz-nothing" + p[b + 1:]
            c = http.client.HTTPConnection(u.hostname, u.port)
            h = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
            body = b"{}" if method in ("post", "put", "patch") else None
            if path == "/api/v1/logout":
                continue  # would end nothing here, but keep the session tests clean
            c.request(method.upper(), p, body=body, headers=h)
            r = c.getresponse()
            data = r.read()
            n += 1
            if r.status == 405:
                return "%s %s: 405" % (method, path)
            if r.status == 404 and b"no such resource" in data:
                return "%s %s: not routed" % (method, path)
    if n < 30:
        return "only %d operations documented" % n
    c = http.client.HTTPConnection(u.hostname, u.port)
    c.request("GET", "/api/v1/undocumented", headers={"Authorization": "Bearer " + token})
    if c.getresponse().status != 404:
        return "an undocumented path answered"
    return "ok"


def shutdown(url, token, pid):
    """SIGTERM while a request is half sent: it still completes."""
    body = json.dumps({"type": "indicator", "name": "in flight", "pattern_type": "stix",
                       "pattern": "[domain-name:value = 'inflight.example']",
                       "valid_from": "2024-01-01T00:00:00Z"}).encode()
    u = urllib.parse.urlparse(url)
    s = socket.create_connection((u.hostname, u.port), timeout=10)
    s.sendall(("POST /api/v1/objects HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
               "Content-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
               % (token, len(body))).encode() + body[:10])
    time.sleep(0.3)
    os.kill(int(pid), signal.SIGTERM)
    time.sleep(0.5)
    # A new connection is refused now.
    try:
        socket.create_connection((u.hostname, u.port), timeout=1).close()
        refused = False
    except OSError:
        refused = True
    s.sendall(body[10:])
    answer = b""
    while True:
        got = s.recv(65536)
        if not got:
            break
        answer += got
    s.close()
    if b" 201 " not in answer.split(b"\r\n")[0]:
        return "the request in flight got %r" % answer[:100]
    if not refused:
        return "new connections were still accepted during shutdown"
    return "ok"


def main():
    check, url, token = sys.argv[1], sys.argv[2], sys.argv[3]
    fn = {"early_413": early_413, "chunked_413": chunked_413, "targets": targets,
          "openapi": openapi, "shutdown": shutdown}[check]
    msg = fn(url, token, *sys.argv[4:])
    print(msg)
    return 0 if msg == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())
