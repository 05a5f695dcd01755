#!/usr/bin/env python3
"""taxii_conformance.py: drives a running verbinding server over HTTP through
the TAXII 2.1 resources, status codes and paging cases (python3 stdlib only).

Usage: taxii_conformance.py CONFIG.json
CONFIG holds: base (http://127.0.0.1:PORT), tokens {alice, bob, carol, rita},
alice_password, and collection ids {nato, green, hidden, dropbox}. The
setup (tests/e2e/test_taxii.sh) is:
  orgs alpha, beta (both in group nato), gamma (not in it);
  alice: alpha analyst with a password; bob: beta analyst; carol: gamma
  analyst; rita: alpha read-only;
  nato:    --group nato,     read alpha,beta,gamma  write alpha,beta
  green:   --tlp-max green,  read alpha,beta        write alpha
  hidden:  --tlp-max red,    read gamma
  dropbox: --tlp-max red,    write alpha (no reads)
Prints one line per check and ends with "N checks, N failed"; exits 1 on
any failure.
"""
import base64
import http.client
import json
import select
import socket
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

TAXII = "application/taxii+json;version=2.1"
TLP = {
    "clear": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "green": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "amber": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "amber+strict": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "red": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}

cfg = json.load(open(sys.argv[1]))
BASE = cfg["base"]
ROOT = BASE + "/taxii2/verbinding/"
TOK = cfg["tokens"]
COLL = cfg["collections"]
checks = failed = 0


def check(cond, what):
    global checks, failed
    checks += 1
    if not cond:
        failed += 1
        print("FAIL " + what)
    else:
        print("ok   " + what)
    return cond


class Resp:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body) if self.body else None

    def header(self, name):
        return self.headers.get(name)


def req(method, url, token=None, body=None, ctype=TAXII, accept=TAXII, auth=None, headers=None):
    h = {}
    if accept is not None:
        h["Accept"] = accept
    if token:
        h["Authorization"] = "Bearer " + token
    if auth:
        h["Authorization"] = "Basic " + base64.b64encode(auth.encode()).decode()
    if body is not None:
        if not isinstance(body, bytes):
            body = json.dumps(body).encode()
        if ctype:
            h["Content-Type"] = ctype
    h.update(headers or {})
    r = urllib.request.Request(url, data=body, method=method, headers=h)
    try:
        with urllib.request.urlopen(r, timeout=30) as f:
            return Resp(f.status, f.headers, f.read())
    except urllib.error.HTTPError as e:
        return Resp(e.code, e.headers, e.read())


def get(path, who="alice", **kw):
    return req("GET", ROOT + path if not path.startswith("http") else path, TOK.get(who), **kw)


def objects_url(coll, query=""):
    return "collections/%s/objects/%s" % (COLL[coll], ("?" + query) if query else "")


def is_taxii_error(r, status):
    """The response is TAXII's error object with the right status."""
    ok = r.status == status and (r.header("Content-Type") or "").replace(" ", "") == TAXII
    try:
        e = r.json()
        ok = ok and isinstance(e.get("title"), str) and e.get("http_status") == str(status)
        ok = ok and all(k in e for k in ("description", "error_id", "error_code",
                                         "external_details", "details"))
    except ValueError:
        ok = False
    return ok


def now():
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())


def indicator(name, marking="amber", modified=None, created="2025-01-01T00:00:00.000Z", oid=None):
    return {
        "type": "indicator", "spec_version": "2.1",
        "id": oid or "indicator--" + str(uuid.uuid4()),
        "created": created, "modified": modified or created,
        "name": name, "pattern": "[ipv4-addr:value = '198.51.100.%d']" % (hash(name) % 250 + 1),
        "pattern_type": "stix", "valid_from": created,
        "object_marking_refs": [TLP[marking]],
    }


def add(coll, objs, who="alice"):
    return req("POST", ROOT + objects_url(coll), TOK[who], {"objects": objs})


def page_all(coll, query, who="alice", kind="objects"):
    """Follows more/next; returns (items, pages, responses)."""
    items, pages, resps = [], 0, []
    url = ROOT + "collections/%s/%s/?%s" % (COLL[coll], kind, query)
    nxt = None
    while True:
        u = url + ("&next=" + urllib.parse.quote(nxt) if nxt else "")
        r = get(u, who)
        resps.append(r)
        if r.status != 200:
            return None, pages, resps
        env = r.json()
        pages += 1
        items += env.get("objects", [])
        if not env.get("more"):
            return items, pages, resps
        nxt = env.get("next")
        if not nxt or pages > 1000:
            return None, pages, resps


# ---- discovery, API root, collections ------------------------------------

r = get(BASE + "/taxii2/")
d = r.json() if r.status == 200 else {}
check(r.status == 200 and r.header("Content-Type").replace(" ", "") == TAXII,
      "discovery: 200 " + TAXII)
check(d.get("default") == "/taxii2/verbinding/" and "/taxii2/verbinding/" in d.get("api_roots", []),
      "discovery: default and api_roots name the API root")
r = get(ROOT)
d = r.json() if r.status == 200 else {}
check(r.status == 200 and TAXII in d.get("versions", []) and d.get("max_content_length", 0) > 0,
      "API root: versions and max_content_length")
MAX_CONTENT = d.get("max_content_length", 16 << 20)
check(is_taxii_error(get(BASE + "/taxii2/nosuchroot/"), 404), "unknown API root: 404 error object")
check(is_taxii_error(get(BASE + "/taxii2/nosuchroot/collections/"), 404),
      "collections of an unknown API root: 404")

r = get("collections/")
ids = [c["id"] for c in r.json().get("collections", [])]
check(r.status == 200 and COLL["nato"] in ids and COLL["green"] in ids
      and COLL["hidden"] not in ids, "collections: alice sees nato and green, not hidden")
cn = [c for c in r.json()["collections"] if c["id"] == COLL["nato"]][0]
check(cn["can_read"] is True and cn["can_write"] is True
      and cn["media_types"] == ["application/stix+json;version=2.1"],
      "collection resource: can_read, can_write, media_types")
r = get("collections/", "carol")
ids = [c["id"] for c in r.json().get("collections", [])]
check(COLL["hidden"] in ids and COLL["green"] not in ids, "collections: carol sees hidden, not green")
r = get("collections/%s/" % COLL["green"])
check(r.status == 200 and r.json()["id"] == COLL["green"] and r.json()["can_write"] is True,
      "GET collection: 200")
hidden = get("collections/%s/" % COLL["hidden"])
missing = get("collections/%s/" % str(uuid.uuid4()))
check(is_taxii_error(hidden, 404) and hidden.body == missing.body,
      "a collection without rights and a missing one: the same 404, byte for byte")
hidden = get(objects_url("hidden"))
missing = get("collections/%s/objects/" % str(uuid.uuid4()))
check(is_taxii_error(hidden, 404) and hidden.body == missing.body,
      "objects of a collection without rights and of a missing one: the same 404")

# ---- 401 / authentication --------------------------------------------------

r = req("GET", ROOT)
www = r.header("WWW-Authenticate") or ""
check(is_taxii_error(r, 401), "no credentials: 401 error object")
check("Basic" in www and "Bearer" in www, "401 carries WWW-Authenticate with Basic and Bearer")
r = req("GET", ROOT, "vb_" + "A" * 43)
check(is_taxii_error(r, 401) and "Basic" in (r.header("WWW-Authenticate") or ""),
      "an unknown bearer token: 401")
check(req("GET", ROOT, auth="alice:" + cfg["alice_password"]).status == 200,
      "HTTP Basic user:password: 200")
check(req("GET", ROOT, auth="alice:" + TOK["alice"]).status == 200, "HTTP Basic user:token: 200")
check(is_taxii_error(req("GET", ROOT, auth="alice:wrong-password-123"), 401),
      "HTTP Basic with a wrong password: 401")
check(is_taxii_error(req("GET", ROOT, auth="bob:" + TOK["alice"]), 401),
      "HTTP Basic with another user's token: 401")

# ---- 406 / content negotiation -------------------------------------------

check(is_taxii_error(get("", accept="application/json"), 406), "Accept: application/json: 406")
check(is_taxii_error(get("", accept="application/taxii+json;version=2.0"), 406),
      "Accept: TAXII 2.0: 406")
check(is_taxii_error(get(objects_url("nato"), accept="text/html"), 406),
      "Accept: text/html on objects: 406")
check(get("", accept="application/taxii+json").status == 200,
      "Accept: application/taxii+json (latest version): 200")
check(get("", accept="application/json, application/taxii+json; version=2.1").status == 200,
      "Accept list admitting TAXII 2.1 (spaced parameter): 200")
check(get("", accept="*/*").status == 200, "Accept: */*: 200")

# ---- add objects: 202, statuses, failures -----------------------------------

base_objs = [indicator("ind-%d" % i, "green" if i % 2 else "amber") for i in range(7)]
r = add("nato", base_objs)
st = r.json() if r.status == 202 else {}
check(r.status == 202 and r.header("Content-Type").replace(" ", "") == TAXII,
      "add objects: 202 with " + TAXII)
check(st.get("status") == "complete" and st.get("total_count") == 7
      and st.get("success_count") == 7 and st.get("failure_count") == 0
      and st.get("pending_count") == 0, "status: complete, 7 of 7")
check(sorted(s["id"] for s in st.get("successes", [])) == sorted(o["id"] for o in base_objs),
      "status successes list every id")
r = get("status/%s/" % st.get("id"))
check(r.status == 200 and r.json() == st, "GET status: the same status resource")
check(is_taxii_error(get("status/%s/" % st.get("id"), "bob"), 404),
      "GET status of another organisation's request: 404")
check(is_taxii_error(get("status/%s/" % uuid.uuid4()), 404), "GET unknown status: 404")
r = add("nato", base_objs[:2])
check(r.status == 202 and r.json()["success_count"] == 2, "re-adding exact duplicates: success")

# partial failure
bad = indicator("bad")
del bad["pattern"]
amber = indicator("amber-into-green", "amber")
greenok = indicator("green-ok", "green")
notjson = 42
stolen = dict(base_objs[0], modified="2025-06-01T00:00:00.000Z", name="not yours")
r = add("green", [greenok, bad, amber, notjson])
st = r.json() if r.status == 202 else {}
fails = {f.get("id"): f.get("message", "") for f in st.get("failures", [])}
check(r.status == 202 and st.get("success_count") == 1 and st.get("failure_count") == 3,
      "partial add: 202, 1 stored, 3 failures")
check("pattern" in fails.get(bad["id"], ""), "failure names the invalid property")
check("ceiling" in fails.get(amber["id"], ""), "failure: above the collection's TLP ceiling")
check(any("/objects/3" in m for m in fails.values()), "failure: a non-object element")
r = add("nato", [stolen], "bob")
st = r.json() if r.status == 202 else {}
check(r.status == 202 and st.get("failure_count") == 1
      and "another organisation" in st["failures"][0].get("message", ""),
      "adding a version of another organisation's object: failure")
r = add("nato", [indicator("strict", "amber+strict")])
check(r.status == 202 and r.json()["failure_count"] == 1,
      "TLP:AMBER+STRICT into a group collection: failure (it takes no shares)")

# ---- 403, 413, 415, 422, 400 on add ---------------------------------------

check(is_taxii_error(add("green", [indicator("x", "green")], "bob"), 403),
      "add to a collection read-only for the organisation: 403")
check(is_taxii_error(add("nato", [indicator("x", "green")], "rita"), 403),
      "add by a read-only role: 403")
check(is_taxii_error(get(objects_url("dropbox")), 403), "get objects from a write-only collection: 403")
check(add("dropbox", [indicator("drop", "green")]).status == 202, "add to a write-only collection: 202")
check(is_taxii_error(add("hidden", [indicator("x", "green")]), 404),
      "add to a collection without rights: 404")
check(is_taxii_error(req("POST", ROOT + objects_url("nato"), TOK["alice"],
                         {"objects": [indicator("x")]}, ctype="application/json"), 415),
      "add with Content-Type application/json: 415")
check(is_taxii_error(req("POST", ROOT + objects_url("nato"), TOK["alice"],
                         {"objects": [indicator("x")]},
                         ctype="application/taxii+json;version=2.0"), 415),
      "add with Content-Type TAXII 2.0: 415")
for body, what in (({}, "an object without objects"), ({"objects": []}, "an empty objects array"),
                   ([indicator("x")], "a bare array"), ({"objects": 5}, "objects not an array"),
                   ({"type": "bundle", "id": "bundle--" + str(uuid.uuid4())}, "a bundle without objects")):
    check(is_taxii_error(req("POST", ROOT + objects_url("nato"), TOK["alice"], body), 422),
          "add " + what + ": 422")
check(is_taxii_error(req("POST", ROOT + objects_url("nato"), TOK["alice"], b'{"objects": [{]}'), 400),
      "add malformed JSON: 400")
check(is_taxii_error(req("POST", ROOT + objects_url("nato"), TOK["alice"], b""), 400),
      "add with an empty body: 400")

# 413: declared too large, answered before the body is sent
u = urllib.parse.urlsplit(BASE)
c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
c.putrequest("POST", "/taxii2/verbinding/" + objects_url("nato"))
c.putheader("Authorization", "Bearer " + TOK["alice"])
c.putheader("Accept", TAXII)
c.putheader("Content-Type", TAXII)
c.putheader("Content-Length", str(MAX_CONTENT + 1))
c.endheaders()
r413 = c.getresponse()
body413 = r413.read()
c.close()
check(r413.status == 413 and r413.getheader("Content-Type").replace(" ", "") == TAXII
      and json.loads(body413).get("http_status") == "413",
      "add larger than max_content_length: 413 before the body is sent")
# more objects than one request may add
r = req("POST", ROOT + objects_url("nato"), TOK["alice"],
        b'{"objects":[' + b",".join([b"{}"] * 10001) + b"]}")
check(is_taxii_error(r, 413) and "10000" in r.json().get("description", ""),
      "add more than 10000 objects: 413")
# and a chunked body (no Content-Length) cut off once it passes the limit
sock = socket.create_connection((u.hostname, u.port), timeout=30)
sock.sendall(("POST /taxii2/verbinding/%s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
              "Accept: %s\r\nContent-Type: %s\r\nTransfer-Encoding: chunked\r\n\r\n"
              % (objects_url("nato"), TOK["alice"], TAXII, TAXII)).encode())
chunk = b"%x\r\n%s\r\n" % (1 << 16, b"a" * (1 << 16))
sent, answer, closed = 0, b"", False
try:
    while sent < 4 * MAX_CONTENT:
        if select.select([sock], [], [], 0)[0]:
            break
        sock.sendall(chunk)
        sent += 1 << 16
except OSError:
    closed = True
try:
    while True:
        part = sock.recv(65536)
        if not part:
            break
        answer += part
        if b"\r\n\r\n" in answer and answer.split(b"\r\n\r\n", 1)[1].rstrip().endswith(b"}"):
            break
except OSError:
    closed = True
sock.close()
# The server answers 413 when it can, or closes the connection when its HTTP
# library cannot answer in the middle of an upload; either way it must stop
# reading soon after the limit.
got413 = answer.startswith(b"HTTP/1.1 413") and b'"http_status":"413"' in answer
check((got413 or (closed or not answer)) and sent <= MAX_CONTENT + (8 << 20),
      "a chunked body passing max_content_length: cut off after %d MiB (%s)"
      % (sent >> 20, "413" if got413 else "connection closed"))

# ---- get objects: paging, headers, filters ----------------------------------

ids_added = [o["id"] for o in base_objs]
r = get(objects_url("nato", "match[type]=indicator&limit=1000"))
env = r.json()
listed = [o["id"] for o in env.get("objects", [])]
check(r.status == 200 and listed[:7] == ids_added, "get objects: in the order added")
check(r.header("X-TAXII-Date-Added-First") and r.header("X-TAXII-Date-Added-Last"),
      "get objects: X-TAXII-Date-Added-First/Last")
check(env.get("more") is False and "next" not in env, "last page: more false, no next")

items, pages, resps = page_all("nato", "limit=1&match[type]=indicator")
check(items is not None and [o["id"] for o in items] == listed and pages == len(listed),
      "limit=1: next followed to the end, one object per page, nothing lost or repeated")
check(all(x.header("X-TAXII-Date-Added-First") == x.header("X-TAXII-Date-Added-Last")
          for x in resps), "limit=1: first and last date added are equal on each page")
lasts = [x.header("X-TAXII-Date-Added-Last") for x in resps]
check(lasts == sorted(lasts) and len(set(lasts)) == len(lasts), "date added strictly increases")

items, pages, _ = page_all("nato", "limit=3&match[type]=indicator", kind="manifest")
check(items is not None and [m["id"] for m in items] == listed and pages == (len(listed) + 2) // 3,
      "manifest: limit=3 paging to the end")
m0 = items[0] if items else {}
check(set(m0) == {"id", "date_added", "version", "media_type"}
      and m0.get("media_type") == "application/stix+json;version=2.1",
      "manifest entries: id, date_added, version, media_type")

# next misuse
r = get(objects_url("nato", "limit=1"))
nxt = r.json().get("next")
check(is_taxii_error(get(objects_url("nato", "limit=1&next=" + urllib.parse.quote(nxt)), "bob"), 400),
      "a next value replayed by another user: 400")
check(is_taxii_error(get("collections/%s/manifest/?next=%s" % (COLL["nato"], urllib.parse.quote(nxt))), 400),
      "a next value on another listing: 400")
check(is_taxii_error(get(objects_url("green", "next=" + urllib.parse.quote(nxt))), 400),
      "a next value on another collection: 400")
tampered = nxt[:-2] + ("AA" if nxt[-2:] != "AA" else "BB")
check(is_taxii_error(get(objects_url("nato", "next=" + tampered)), 400), "a tampered next value: 400")
check(is_taxii_error(get(objects_url("nato", "next=x&next=y")), 400), "next given twice: 400")

# added_after boundaries
man = get("collections/%s/manifest/?match[type]=indicator&limit=1000" % COLL["nato"]).json()["objects"]
t3 = man[2]["date_added"]
r = get(objects_url("nato", "match[type]=indicator&added_after=" + urllib.parse.quote(t3)))
check([o["id"] for o in r.json().get("objects", [])] == listed[3:],
      "added_after = the 3rd object's date_added: strictly after it")
tl = man[-1]["date_added"]
r = get(objects_url("nato", "match[type]=indicator&added_after=" + urllib.parse.quote(tl)))
check(r.status == 200 and r.json() == {} and r.header("X-TAXII-Date-Added-First") is None,
      "added_after = the last date_added: an empty envelope, no date headers")
r = get(objects_url("nato", "match[type]=indicator&added_after=2000-01-01T00:00:00Z"))
check([o["id"] for o in r.json().get("objects", [])] == listed, "added_after in the past: everything")
r1 = get(objects_url("nato", "match[type]=indicator&limit=2"))
after = r1.header("X-TAXII-Date-Added-Last")
r2 = get(objects_url("nato", "match[type]=indicator&limit=100&added_after=" + urllib.parse.quote(after)))
check([o["id"] for o in r1.json()["objects"] + r2.json().get("objects", [])] == listed,
      "paging by added_after with X-TAXII-Date-Added-Last: nothing lost or repeated")

# filters
r = get(objects_url("nato", "match[id]=" + ids_added[2]))
check([o["id"] for o in r.json().get("objects", [])] == [ids_added[2]], "match[id]: one object")
r = get(objects_url("nato", "match[id]=%s,%s" % (ids_added[1], ids_added[4])))
check(sorted(o["id"] for o in r.json().get("objects", [])) == sorted([ids_added[1], ids_added[4]]),
      "match[id]: comma-separated list")
r = get(objects_url("nato", "match[id]=%s&match[id]=%s" % (ids_added[1], ids_added[4])))
check(len(r.json().get("objects", [])) == 2, "match[id]: repeated parameter")
r = get(objects_url("nato", "match[type]=malware"))
check(r.status == 200 and r.json() == {}, "match[type] with no match: empty envelope")
r = get(objects_url("nato", "match[type]=malware,indicator"))
check(len(r.json().get("objects", [])) == len(listed), "match[type]: list")
check(get(objects_url("nato", "match[spec_version]=2.0")).json() == {},
      "match[spec_version]=2.0: nothing (objects are 2.1)")
check(len(get(objects_url("nato", "match[spec_version]=2.0,2.1&match[type]=indicator")).json()["objects"])
      == len(listed), "match[spec_version]=2.0,2.1: everything")

# 400s on parameters
for q, what in (("limit=0", "limit=0"), ("limit=abc", "limit=abc"), ("limit=1&limit=2", "limit twice"),
                ("added_after=yesterday", "a bad added_after"), ("match[version]=newest", "a bad match[version]"),
                ("match[spec_version]=two", "a bad match[spec_version]"), ("colour=red", "an unknown parameter"),
                ("match[foo]=1", "an unknown match field")):
    check(is_taxii_error(get(objects_url("nato", q)), 400), "get objects with %s: 400" % what)
check(get(objects_url("nato", "limit=100000")).status == 200, "a limit over the maximum is lowered: 200")

# ---- versions -----------------------------------------------------------------

vid = ids_added[0]
v1 = base_objs[0]
v2 = dict(v1, modified="2025-03-01T00:00:00.000Z", name="ind-0 v2")
v3 = dict(v1, modified="2025-05-01T00:00:00.000Z", name="ind-0 v3")
check(add("nato", [v2, v3]).json()["success_count"] == 2, "add two newer versions")
r = get("collections/%s/objects/%s/versions/" % (COLL["nato"], vid))
vers = r.json().get("versions", [])
check(r.status == 200 and vers == [v1["modified"], v2["modified"], v3["modified"]]
      and r.json().get("more") is False and r.header("X-TAXII-Date-Added-Last"),
      "versions: all three, in the order added")
r = get("collections/%s/objects/%s/versions/?limit=1" % (COLL["nato"], vid))
check(r.json().get("versions") == [v1["modified"]] and r.json().get("more") is True,
      "versions: limit=1 says more")
ob = "collections/%s/objects/%s/" % (COLL["nato"], vid)


def names(q):
    r = get(ob + ("?" + q if q else ""))
    return [o["name"] for o in r.json().get("objects", [])] if r.status == 200 else r.status


check(names("") == ["ind-0 v3"], "get an object: the last version by default")
check(names("match[version]=last") == ["ind-0 v3"], "match[version]=last")
check(names("match[version]=first") == ["ind-0"], "match[version]=first")
check(names("match[version]=all") == ["ind-0", "ind-0 v2", "ind-0 v3"], "match[version]=all")
check(names("match[version]=" + v2["modified"]) == ["ind-0 v2"], "match[version]=<timestamp>")
check(names("match[version]=first,last") == ["ind-0", "ind-0 v3"], "match[version]=first,last")
check(names("match[version]=first&match[version]=%s" % v2["modified"]) == ["ind-0", "ind-0 v2"],
      "match[version] repeated")
check(names("match[version]=2024-01-01T00:00:00.000Z") == [],
      "match[version] with no such version: an empty envelope")
check(names("match[version]=all&limit=2") == ["ind-0", "ind-0 v2"], "get an object: limit")
r = get(ob + "?match[version]=all&limit=2")
r2 = get(ob + "?match[version]=all&limit=2&next=" + urllib.parse.quote(r.json()["next"]))
check([o["name"] for o in r2.json()["objects"]] == ["ind-0 v3"] and r2.json()["more"] is False,
      "get an object: next to the end")
check(is_taxii_error(get(ob + "?match[type]=indicator"), 400), "get an object with match[type]: 400")
r = get(objects_url("nato", "match[id]=%s&match[version]=all" % vid))
check(len(r.json()["objects"]) == 3, "get objects match[version]=all: every version")
r = get("collections/%s/manifest/?match[id]=%s&match[version]=first" % (COLL["nato"], vid))
check([m["version"] for m in r.json()["objects"]] == [v1["modified"]], "manifest match[version]=first")

# ---- visibility inside collections: invisible == missing ----------------------

gid = ids_added[1]
inv = get("collections/%s/objects/%s/" % (COLL["nato"], gid), "carol")
mis_id = "indicator--" + str(uuid.uuid4())
mis = get("collections/%s/objects/%s/" % (COLL["nato"], mis_id), "carol")
check(is_taxii_error(inv, 404) and inv.body == mis.body,
      "carol (reads nato, not in the group): an object she may not see = a missing one")
inv = get("collections/%s/objects/%s/versions/" % (COLL["nato"], gid), "carol")
mis = get("collections/%s/objects/%s/versions/" % (COLL["nato"], mis_id), "carol")
check(is_taxii_error(inv, 404) and inv.body == mis.body, "the same for versions")
check(get(objects_url("nato"), "carol").json() == {}, "carol lists nothing in nato")
check(get(objects_url("nato", "match[id]=" + gid), "carol").json() == {},
      "match[id] on an invisible object: empty, as for a missing one")
check(len(get(objects_url("nato", "match[type]=indicator&limit=1000"), "bob").json()["objects"])
      == len(listed), "bob (group member) sees what alice shared with nato")
green_ids = [o["id"] for o in get(objects_url("green", "limit=1000")).json().get("objects", [])]
check(greenok["id"] in green_ids and ids_added[1] in green_ids and ids_added[0] not in green_ids
      and ids_added[2] not in green_ids, "the green collection holds only what is at most TLP:GREEN")

# ---- delete -------------------------------------------------------------------

check(is_taxii_error(req("DELETE", ROOT + ob, TOK["bob"]), 403),
      "delete by a member of another organisation with write rights: 403")
check(is_taxii_error(req("DELETE", ROOT + ob, TOK["carol"]), 403),
      "delete without write rights on the collection: 403")
check(is_taxii_error(req("DELETE", ROOT + "collections/%s/objects/%s/" % (COLL["nato"], mis_id),
                         TOK["alice"]), 404), "delete a missing object: 404")
r = req("DELETE", ROOT + ob + "?match[version]=first", TOK["alice"])
check(r.status == 200, "delete match[version]=first: 200")
check(get(ob + "versions/").json().get("versions") == [v2["modified"], v3["modified"]],
      "after deleting the first version two remain")
r = req("DELETE", ROOT + ob + "?match[version]=last", TOK["alice"])
check(r.status == 200 and names("") == ["ind-0 v2"], "delete the last version: the previous one is last")
r = req("DELETE", ROOT + ob, TOK["alice"])
check(r.status == 200 and is_taxii_error(get(ob), 404), "delete all versions: the object is gone")
check(is_taxii_error(req("DELETE", ROOT + ob, TOK["alice"]), 404), "delete it again: 404")
check(is_taxii_error(req("DELETE", ROOT + ob + "?match[version]=bogus", TOK["alice"]), 400),
      "delete with a bad match[version]: 400")

# ---- other errors ---------------------------------------------------------------

r = req("PUT", ROOT + objects_url("nato"), TOK["alice"], {"objects": []})
check(is_taxii_error(r, 405), "PUT on objects: 405 error object")
check(is_taxii_error(get("collections/%s/nope/" % COLL["nato"]), 404), "an unknown resource: 404")
check(is_taxii_error(get("collections/%s/objects/%s/?limit=x" % (COLL["nato"], gid)), 400),
      "get an object with a bad limit: 400")

print("%d checks, %d failed" % (checks, failed))
sys.exit(1 if failed else 0)
