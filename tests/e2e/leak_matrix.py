#!/usr/bin/env python3
"""leak_matrix.py: every reader against every read endpoint, compared with a
reference model of who may see what that is written here, independently of
the server's code (README, "Sharing"; TLP 2.0 as in DOMAIN.md).

Two phases, driven by tests/e2e/test_leak.sh:
  setup --bin VB --store S --out F   organisations, groups, users, tokens (CLI)
  run --url URL --state F            objects through the API, then the matrix

The matrix is table-driven: READ_ENDPOINTS lists how each endpoint is asked
and how the object ids it returned are read out. A TAXII row is one more
entry (see the TAXII comment there). Prints one line per failure and a last
line "matrix: N checks, N leaks, N other failures"; exits 1 on any failure.
"""
import argparse
import base64
import http.client
import json
import subprocess
import sys
import urllib.parse

ORGS = [  # name, kind, default TLP
    ("OrgA", "cert", "amber"),
    ("OrgB", "government-department", "green"),
    ("OrgC", "partner-state", "amber"),
    ("OrgD", "business", "amber"),
    ("OrgE", "third-country-partner", "amber+strict"),
]
GROUPS = {"G1": ["OrgA", "OrgB", "OrgC"], "G2": ["OrgA", "OrgD"]}
USERS = [  # name, org, role
    ("a1", "OrgA", "analyst"), ("a2", "OrgA", "read-only"),
    ("b1", "OrgB", "analyst"), ("b2", "OrgB", "read-only"),
    ("c1", "OrgC", "partner"), ("d1", "OrgD", "analyst"),
    ("e1", "OrgE", "read-only"),
]
ANON = "(anonymous)"

# The objects: key, writer, TLP, shares. The writer's organisation owns it.
OBJECTS = [
    ("clear", "a1", "clear", []),
    ("green-all", "a1", "green", []),
    ("green-g1", "a1", "green", ["group:G1"]),
    ("green-g2", "a1", "green", ["group:G2"]),
    ("amber-none", "a1", "amber", []),
    ("amber-orgB", "a1", "amber", ["org:OrgB"]),
    ("amber-g1", "a1", "amber", ["group:G1"]),
    ("amber-g2-orgE", "a1", "amber", ["group:G2", "org:OrgE"]),
    ("amber-strict", "a1", "amber+strict", []),
    ("red-user-b1", "a1", "red", ["user:b1"]),
    ("red-orgC", "a1", "red", ["org:OrgC"]),
    ("d-amber-g2", "d1", "amber", ["group:G2"]),
    ("b-red", "b1", "red", []),
    ("b-default", "b1", None, []),      # OrgB's default: green, no groups
    ("e-dummy", "a1", "amber", ["org:OrgE"]),
]

TLP_IDS = {
    "clear": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "green": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "amber": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "amber+strict": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "red": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}


# ---- the reference model (independent of the server) ----

def org_of(user):
    return next(o for (u, o, _) in USERS if u == user)


def groups_of(org):
    return {g for g, members in GROUPS.items() if org in members}


def may_see(user, owner_org, tlp, shares):
    """TLP 2.0 as the issue states it; shares are 'org:X', 'group:G', 'user:u'."""
    if user == ANON:
        return tlp == "clear"  # the server runs with --public
    org = org_of(user)
    if org == owner_org:
        return True
    gs = {s[6:] for s in shares if s.startswith("group:")}
    os_ = {s[4:] for s in shares if s.startswith("org:")}
    us = {s[5:] for s in shares if s.startswith("user:")}
    if tlp == "clear":
        return True
    if tlp == "green":
        return not gs or bool(gs & groups_of(org))
    if tlp == "amber":
        return org in os_ or bool(gs & groups_of(org))
    if tlp == "amber+strict":
        return False
    if tlp == "red":
        return user in us or org in os_
    raise AssertionError(tlp)


# ---- HTTP ----

class Client:
    def __init__(self, url):
        u = urllib.parse.urlparse(url)
        self.host, self.port = u.hostname, u.port

    def req(self, method, path, token=None, body=None, headers=None):
        c = http.client.HTTPConnection(self.host, self.port, timeout=30)
        h = dict(headers or {})
        if token:
            h["Authorization"] = "Bearer " + token
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        c.request(method, path, body=data, headers=h)
        r = c.getresponse()
        out = r.read()
        hdrs = {k.lower(): v for k, v in r.getheaders()}
        c.close()
        return r.status, hdrs, out


def run_cli(vb, store, *args, stdin=None):
    p = subprocess.run([vb, *args, "--store", store], input=stdin, capture_output=True,
                       text=True)
    if p.returncode != 0:
        sys.exit("setup: %s failed: %s" % (" ".join(args), p.stderr))
    return p.stdout


def setup(a):
    for name, kind, tlp in ORGS:
        run_cli(a.bin, a.store, "org", "add", name, "--kind", kind, "--default-tlp", tlp)
    for g, members in GROUPS.items():
        run_cli(a.bin, a.store, "group", "add", g)
        for m in members:
            run_cli(a.bin, a.store, "group", "grant", g, m)
    tokens = {}
    for u, org, role in USERS:
        run_cli(a.bin, a.store, "user", "add", u, "--org", org, "--role", role, "--no-password")
        tokens[u] = run_cli(a.bin, a.store, "token", "create", "--user", u).strip()
    # Objects the instance itself imported (owner 0): unmarked (the server's
    # --unmarked-tlp green applies) and TLP:CLEAR.
    for key, tlp in (("cli-unmarked", None), ("cli-clear", "clear")):
        obj = indicator(key, 250 if tlp else 251)
        path = a.out + "." + key + ".json"
        json.dump({"type": "bundle", "id": "bundle--" + obj["id"].split("--")[1],
                   "objects": [obj]}, open(path, "w"))
        args = ["import", "--quiet", path] + (["--tlp", tlp] if tlp else [])
        run_cli(a.bin, a.store, *args)
        tokens["obj:" + key] = obj["id"]
    taxii_setup(a, tokens)
    json.dump(tokens, open(a.out, "w"))


def indicator(key, n, tlp=None):
    import uuid
    o = {"type": "indicator", "spec_version": "2.1",
         "id": "indicator--" + str(uuid.uuid5(uuid.NAMESPACE_URL, "leak/" + key)),
         "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z",
         "name": "leakobj " + key, "pattern_type": "stix",
         "pattern": "[ipv4-addr:value = '10.77.%d.%d']" % (n // 250, n % 250 + 1),
         "valid_from": "2024-01-01T00:00:00Z"}
    if tlp:
        o["object_marking_refs"] = [TLP_IDS[tlp]]
    return o


# ---- the run ----

class Matrix:
    def __init__(self, cl, tokens):
        self.cl, self.tok = cl, tokens
        self.checks = self.leaks = self.fails = 0
        self.objs = {}  # key -> dict(id, owner, tlp, shares, versions=[(modified, tlp, shares)])
        self.readers = [u for (u, _, _) in USERS] + [ANON]

    def token(self, user):
        return None if user == ANON else self.tok[user]

    def fail(self, msg):
        self.fails += 1
        print("FAIL " + msg)

    def leak(self, msg):
        self.leaks += 1
        print("LEAK " + msg)

    def check(self, cond, msg):
        self.checks += 1
        if not cond:
            self.fail(msg)

    # -- objects --

    def create_all(self):
        for i, (key, writer, tlp, shares) in enumerate(OBJECTS):
            o = indicator(key, i + 1, tlp)
            q = "".join("&share=" + urllib.parse.quote(s) for s in shares)
            st, _, body = self.cl.req("POST", "/api/v1/objects?" + q[1:], self.token(writer), o)
            if st != 201:
                self.fail("create %s: %d %s" % (key, st, body[:200]))
                continue
            stored = json.loads(body)
            owner = org_of(writer)
            eff = tlp or dict((n, t) for n, _, t in ORGS)[owner]
            if TLP_IDS[eff] not in stored.get("object_marking_refs", []):
                self.fail("create %s: marking %s not added" % (key, eff))
            self.objs[key] = {"id": stored["id"], "type": "indicator", "owner": owner,
                              "tlp": eff, "shares": shares, "value": o["pattern"].split("'")[1],
                              "versions": [(stored["modified"], eff, shares)]}
        for key, tlp in (("cli-unmarked", "green"), ("cli-clear", "clear")):
            self.objs[key] = {"id": self.tok["obj:" + key], "type": "indicator",
                              "owner": "(instance)", "tlp": tlp, "shares": [],
                              "versions": [("2024-01-01T00:00:00.000Z", tlp, [])]}
        # A relationship from the CLEAR object to the AMBER+STRICT one, GREEN:
        # everybody sees the relationship, only OrgA what it points at.
        self.add_sro("rel-green", "a1", "green", [], "clear", "amber-strict")
        # A relationship visible to OrgA only, pointing at the CLEAR object.
        self.add_sro("rel-strict", "a1", "amber+strict", [], "clear", "green-all")
        # A sighting by OrgC of the RED object shared with OrgC: by default
        # it is shared (AMBER, OrgC's default) with OrgA, the creator.
        st, _, body = self.cl.req("POST", "/api/v1/sightings", self.token("c1"),
                                  {"sighting_of_ref": self.objs["red-orgC"]["id"], "count": 2})
        if st != 201:
            self.fail("sighting: %d %s" % (st, body[:200]))
        else:
            s = json.loads(body)
            self.objs["sighting-c"] = {"id": s["id"], "type": "sighting", "owner": "OrgC",
                                       "tlp": "amber", "shares": ["org:OrgA"],
                                       "refs": [self.objs["red-orgC"]["id"]],
                                       "versions": [(s["modified"], "amber", ["org:OrgA"])]}
        # Versions: GREEN to everybody, then raised to AMBER+STRICT.
        self.versioned()
        # Revocation keeps marking and shares.
        o = self.objs["green-g1"]
        st, _, body = self.cl.req("POST", "/api/v1/objects/%s/revoke" % o["id"],
                                  self.token("a1"))
        self.check(st == 201, "revoke by the creator: %d %s" % (st, body[:200]))
        if st == 201:
            o["versions"].append((json.loads(body)["modified"], o["tlp"], o["shares"]))

    def add_sro(self, key, writer, tlp, shares, src, dst):
        import uuid
        o = {"type": "relationship", "spec_version": "2.1",
             "id": "relationship--" + str(uuid.uuid5(uuid.NAMESPACE_URL, "leak/" + key)),
             "relationship_type": "related-to", "source_ref": self.objs[src]["id"],
             "target_ref": self.objs[dst]["id"], "object_marking_refs": [TLP_IDS[tlp]]}
        st, _, body = self.cl.req("POST", "/api/v1/objects", self.token(writer), o)
        if st != 201:
            self.fail("create %s: %d %s" % (key, st, body[:200]))
            return
        s = json.loads(body)
        self.objs[key] = {"id": s["id"], "type": "relationship", "owner": org_of(writer),
                          "tlp": tlp, "shares": shares,
                          "refs": [self.objs[src]["id"], self.objs[dst]["id"]],
                          "versions": [(s["modified"], tlp, shares)]}

    def versioned(self):
        o = indicator("versioned", 90, "green")
        st, _, body = self.cl.req("POST", "/api/v1/objects", self.token("a1"), o)
        if st != 201:
            return self.fail("versioned: %d" % st)
        v1 = json.loads(body)
        v2 = dict(v1)
        v2["modified"] = "2030-01-01T00:00:00.000Z"
        v2["object_marking_refs"] = [TLP_IDS["amber+strict"]]
        st, _, body = self.cl.req("POST", "/api/v1/objects/%s/versions" % v1["id"],
                                  self.token("a1"), v2)
        if st != 201:
            return self.fail("versioned v2: %d %s" % (st, body[:200]))
        self.objs["versioned"] = {"id": v1["id"], "type": "indicator", "owner": "OrgA",
                                  "tlp": "amber+strict", "shares": [],
                                  "value": "10.77.0.91",
                                  "versions": [(v1["modified"], "green", []),
                                               ("2030-01-01T00:00:00.000Z", "amber+strict",
                                                [])]}

    # -- expectations --

    def sees(self, user, key, version=-1):
        o = self.objs[key]
        mod, tlp, shares = o["versions"][version]
        if o["owner"] == "(instance)":
            if user == ANON:
                return tlp == "clear"
            return True  # the instance's objects: owner is nobody; CLEAR / GREEN
        return may_see(user, o["owner"], tlp, shares)

    def visible_ids(self, user, pred=None):
        return {o["id"] for k, o in self.objs.items()
                if self.sees(user, k) and (pred is None or pred(o))}

    def known_ids(self):
        return {o["id"] for o in self.objs.values()}

    def compare(self, user, what, got, want):
        """got and want are sets of ids among the matrix's objects."""
        self.checks += 1
        for i in got - want:
            self.leak("%s: %s returned %s" % (user, what, self.name(i)))
        for i in want - got:
            self.fail("%s: %s did not return %s" % (user, what, self.name(i)))

    def name(self, oid):
        return next((k for k, o in self.objs.items() if o["id"] == oid), oid)

    # -- the endpoints --

    def pages(self, user, path, limit=3):
        """Follows next cursors; returns the ids of every page."""
        ids, cursor = set(), None
        sep = "&" if "?" in path else "?"
        for _ in range(1000):
            p = path + sep + "limit=%d" % limit
            if cursor:
                p += "&cursor=" + urllib.parse.quote(cursor)
            st, _, body = self.cl.req("GET", p, self.token(user))
            if st != 200:
                self.fail("%s: GET %s: %d %s" % (user, p, st, body[:200]))
                return ids
            d = json.loads(body)
            ids |= {o["id"] for o in d["objects"]}
            if not d["more"]:
                return ids
            cursor = d["next"]
        self.fail("%s: %s: paging did not end" % (user, path))
        return ids

    def export_ids(self, user):
        st, _, body = self.cl.req("GET", "/api/v1/export", self.token(user))
        if st != 200:
            self.fail("%s: export: %d" % (user, st))
            return set()
        return {o["id"] for o in json.loads(body)["objects"]}

    def run(self):
        missing_body = {}
        for user in self.readers:
            tok = self.token(user)
            mine = self.known_ids()
            # get (latest), and the 404 of the missing object, byte for byte
            st, h, miss = self.cl.req("GET", "/api/v1/objects/indicator--"
                                      "00000000-0000-4000-8000-000000000000", tok)
            missing_body[user] = (st, miss, strip(h))
            for key, o in self.objs.items():
                st, h, body = self.cl.req("GET", "/api/v1/objects/" + o["id"], tok)
                want = self.sees(user, key)
                self.checks += 1
                if want and st != 200:
                    self.fail("%s: get %s: %d, expected 200" % (user, key, st))
                if not want and st == 200:
                    self.leak("%s: get %s answered 200" % (user, key))
                if not want and (st, body, strip(h)) != missing_body[user]:
                    self.leak("%s: get %s: the answer differs from a missing object's (%d %r)"
                              % (user, key, st, body[:120]))
                # every version by ?version=
                for i, (mod, _, _) in enumerate(o["versions"]):
                    st, _, body = self.cl.req(
                        "GET", "/api/v1/objects/%s?version=%s" % (o["id"], mod), tok)
                    want_v = self.sees(user, key, i)
                    self.checks += 1
                    if want_v != (st == 200):
                        (self.leak if st == 200 else self.fail)(
                            "%s: get %s version %s: %d" % (user, key, mod, st))
                # versions listing
                st, _, body = self.cl.req("GET", "/api/v1/objects/%s/versions" % o["id"], tok)
                want_vs = [m for i, (m, _, _) in enumerate(o["versions"])
                           if self.sees(user, key, i)]
                self.checks += 1
                if not want_vs:
                    if st == 200:
                        self.leak("%s: versions of %s answered 200" % (user, key))
                    elif (st, body) != missing_body[user][:2]:
                        self.leak("%s: versions of %s: not the missing object's answer"
                                  % (user, key))
                elif st != 200 or len(json.loads(body)["versions"]) != len(want_vs):
                    (self.leak if st == 200 and len(json.loads(body)["versions"])
                     > len(want_vs) else self.fail)(
                        "%s: versions of %s: %d %s, expected %d" % (user, key, st, body[:200],
                                                                     len(want_vs)))
                # relationships of each object
                st, _, body = self.cl.req("GET", "/api/v1/objects/%s/relationships" % o["id"],
                                          tok)
                self.checks += 1
                if not want:
                    if st == 200:
                        self.leak("%s: relationships of invisible %s answered" % (user, key))
                    elif (st, body) != missing_body[user][:2]:
                        self.leak("%s: relationships of %s: not the missing answer" % (user,
                                                                                       key))
                else:
                    got = self.pages(user, "/api/v1/objects/%s/relationships" % o["id"], 1)
                    want_r = {r["id"] for k, r in self.objs.items()
                              if o["id"] in r.get("refs", []) and self.sees(user, k)}
                    self.compare(user, "relationships of " + key, got & mine, want_r)
                # search by value
                if "value" in o:
                    st, _, body = self.cl.req("GET", "/api/v1/search?kind=ipv4-addr&value="
                                              + o["value"], tok)
                    got = {x["id"] for x in json.loads(body)["objects"]} if st == 200 else set()
                    self.compare(user, "search value of " + key, got & mine,
                                 {o["id"]} if want else set())
            for name, path, extract in READ_ENDPOINTS:
                got = extract(self, user, path)
                want = self.visible_ids(user, ENDPOINT_FILTER.get(name))
                self.compare(user, name, got & mine, want)
            # stats: the number of the matrix's objects by type is not
            # checkable directly (the instance's own objects count too), so
            # compare with the listing, which the checks above tied to the model.
            st, _, body = self.cl.req("GET", "/api/v1/stats", tok)
            if st == 200:
                s = json.loads(body)
                listed = self.pages(user, "/api/v1/objects", 100)
                self.check(s["objects"] == len(listed),
                           "%s: stats says %d objects, the listing %d" % (user, s["objects"],
                                                                         len(listed)))
                ind = s["by_type"].get("indicator", 0)
                want_ind = len(self.visible_ids(user, lambda o: o["type"] == "indicator"))
                self.checks += 1
                if ind > want_ind:
                    self.leak("%s: stats counts %d indicators, may see %d" % (user, ind,
                                                                            want_ind))
                elif ind < want_ind:
                    self.fail("%s: stats counts %d indicators, expected %d" % (user, ind,
                                                                              want_ind))
            elif user != ANON:
                self.fail("%s: stats %d" % (user, st))
        self.cursor_replay()
        taxii_rows(self)
        self.write_rules()

    def cursor_replay(self):
        # a1 sees the most; its page-1 cursor replayed by every other reader.
        st, _, body = self.cl.req("GET", "/api/v1/objects?limit=2", self.token("a1"))
        cur = json.loads(body)["next"]
        for user in self.readers:
            if user == "a1":
                continue
            st, _, body = self.cl.req("GET", "/api/v1/objects?limit=2&cursor="
                                      + urllib.parse.quote(cur), self.token(user))
            self.checks += 1
            if st == 200:
                got = {o["id"] for o in json.loads(body)["objects"]}
                if got - self.visible_ids(user) & self.known_ids():
                    self.leak("%s: a1's cursor showed %s" % (user, got))
                self.fail("%s: another user's cursor was accepted" % user)
            elif st not in (400, 401):
                self.fail("%s: cursor replay: %d" % (user, st))
        # a forged cursor
        st, _, _ = self.cl.req("GET", "/api/v1/objects?cursor=AQAAAAAAAAAAAAAAAAAAAAE",
                               self.token("b1"))
        self.check(st == 400, "forged cursor: %d" % st)

    def write_rules(self):
        # D may not share with G1 (not a member): the MISP sharing-group bug.
        st, _, body = self.cl.req("POST", "/api/v1/objects?share=group:G1", self.token("d1"),
                                  indicator("d-g1", 200, "amber"))
        self.check(st == 403, "d1 shares with G1 (not a member): %d %s" % (st, body[:200]))
        # Only the creator edits or revokes; an invisible object answers 404
        # exactly like a missing one.
        miss_st, _, miss = self.cl.req("POST", "/api/v1/objects/indicator--00000000-0000-4000"
                                       "-8000-000000000000/revoke", self.token("b1"))
        for key in ("green-all", "amber-strict"):
            o = self.objs[key]
            st, _, body = self.cl.req("POST", "/api/v1/objects/%s/revoke" % o["id"],
                                      self.token("b1"))
            if self.sees("b1", key):
                self.check(st == 403, "b1 revokes %s: %d" % (key, st))
            else:
                self.check((st, body) == (miss_st, miss),
                           "b1 revokes invisible %s: %d %r" % (key, st, body[:100]))
            v = indicator(key, 0, "clear")
            v["id"] = o["id"]
            v["modified"] = "2031-01-01T00:00:00.000Z"
            st, _, body = self.cl.req("POST", "/api/v1/objects/%s/versions" % o["id"],
                                      self.token("b1"), v)
            self.check(st in (403, 404), "b1 lowers %s to CLEAR: %d" % (key, st))
            if st == 201:
                self.leak("b1 made a new version of %s" % key)
        # Taking over an id through create is refused too.
        o = self.objs["amber-none"]
        v = indicator("amber-none", 0, "clear")
        v["id"], v["modified"] = o["id"], "2032-01-01T00:00:00.000Z"
        st, _, _ = self.cl.req("POST", "/api/v1/objects", self.token("d1"), v)
        self.check(st == 409, "d1 creates an object with OrgA's id: %d" % st)
        st, _, body = self.cl.req("POST", "/api/v1/import", self.token("d1"),
                                  {"type": "bundle", "id": "bundle--" + o["id"][11:],
                                   "objects": [v]})
        self.check(st == 409, "d1 imports a version of OrgA's object: %d %s" % (st, body[:200]))
        st, _, body = self.cl.req("GET", "/api/v1/objects/" + o["id"], self.token("a1"))
        self.check(st == 200 and json.loads(body)["modified"] == o["versions"][-1][0],
                   "OrgA's object unchanged after the attempts")
        # Sightings cannot probe: an invisible sighted object answers 404.
        st, _, _ = self.cl.req("POST", "/api/v1/sightings", self.token("c1"),
                               {"sighting_of_ref": self.objs["amber-strict"]["id"]})
        self.check(st == 404, "c1 sights an invisible object: %d" % st)
        # A read-only user cannot write.
        st, _, _ = self.cl.req("POST", "/api/v1/objects", self.token("b2"),
                               indicator("ro", 201, "green"))
        self.check(st == 403, "read-only user writes: %d" % st)


def strip(h):
    return {k: v for k, v in h.items() if k not in ("date",)}


def list_ids(m, user, path):
    return m.pages(user, path)


def export_ids(m, user, path):
    return m.export_ids(user)


# name, path, how to read the ids. Every read endpoint that lists objects.
# TAXII has its own table (TAXII_ENDPOINTS below): its collections add a
# binding, and its expectations are per version.
READ_ENDPOINTS = [
    ("list", "/api/v1/objects", list_ids),
    ("list indicators", "/api/v1/objects?type=indicator", list_ids),
    ("list amber", "/api/v1/objects?marking=amber", list_ids),
    ("search text", "/api/v1/search?text=leakobj", list_ids),
    ("search type", "/api/v1/search?type=indicator", list_ids),
    ("search since", "/api/v1/search?since=2000-01-01&type=indicator,relationship,sighting",
     list_ids),
    ("export", "/api/v1/export", export_ids),
]
# Which of the matrix's objects a row lists (default: all of them).
ENDPOINT_FILTER = {
    "list indicators": lambda o: o["type"] == "indicator",
    "list amber": lambda o: o["versions"][-1][1] == "amber",
    "search text": lambda o: o["type"] == "indicator",
    "search type": lambda o: o["type"] == "indicator",
}


# ---- TAXII 2.1 rows (src/http/taxii_*.c) ----
#
# Collections are views bound to a sharing group and/or a TLP ceiling; a
# reader sees in one what the model lets it see AND what the binding admits,
# decided per version. match[version]=last (the default) is the last version
# the reader sees in the collection, so an object whose newest version the
# reader may not see shows the newest one it may (as REST's ?version= does),
# never a version it may not see. Collections without rights for the reader's
# organisation answer exactly like a missing one; anonymous readers get 401.
ALL_ORGS = [o for o, _, _ in ORGS]
TAXII_COLLECTIONS = [  # key, binding (CLI), organisations that may read
    ("taxii-all", ["--tlp-max", "red"], ALL_ORGS),
    ("taxii-g1", ["--group", "G1"], ALL_ORGS),
    ("taxii-green", ["--tlp-max", "green"], ["OrgA", "OrgB", "OrgC", "OrgD"]),
]
TAXII_BINDING = {
    "taxii-all": lambda tlp, shares: True,
    "taxii-g1": lambda tlp, shares: "group:G1" in shares,
    "taxii-green": lambda tlp, shares: tlp in ("clear", "green"),
}
TAXII_ROOT = "/taxii2/verbinding/"
TAXII_HDRS = {"Accept": "application/taxii+json;version=2.1"}


def taxii_setup(a, tokens):
    for key, binding, readers in TAXII_COLLECTIONS:
        out = run_cli(a.bin, a.store, "taxii", "collection", "add", key, *binding,
                      "--read", ",".join(readers))
        tokens["coll:" + key] = out.strip().rstrip("/").rsplit("/", 1)[-1]


def taxii_expect(m, user, coll, versions=False):
    """What the model says user gets from coll: ids, or (id, modified) pairs."""
    readers = next(r for k, _, r in TAXII_COLLECTIONS if k == coll)
    if user == ANON or org_of(user) not in readers:
        return set()
    out = set()
    for k, o in m.objs.items():
        for i, (mod, tlp, shares) in enumerate(o["versions"]):
            if m.sees(user, k, i) and TAXII_BINDING[coll](tlp, shares):
                out.add((o["id"], mod) if versions else o["id"])
    return out


def taxii_get(m, user, path):
    return m.cl.req("GET", path, m.token(user), headers=TAXII_HDRS)


def taxii_pages(m, user, coll, query, pairs=False, kind="objects"):
    """Follows more/next through a listing; ids (or (id, modified) pairs;
    manifest: (id, version)); None when the listing is refused."""
    got, nxt = set(), None
    base = "%scollections/%s/%s/?limit=2%s" % (TAXII_ROOT, m.tok["coll:" + coll], kind, query)
    for _ in range(1000):
        st, _, body = taxii_get(m, user, base + ("&next=" + urllib.parse.quote(nxt) if nxt
                                                 else ""))
        if st != 200:
            return None, st, body
        env = json.loads(body)
        for o in env.get("objects", []):
            if kind == "manifest":
                got.add((o["id"], o["version"]) if pairs else o["id"])
            else:
                got.add((o["id"], o.get("modified")) if pairs else o["id"])
        if not env.get("more"):
            return got, st, body
        nxt = env.get("next")
    m.fail("%s: %s: TAXII paging did not end" % (user, coll))
    return got, 200, b""


# name, collection, query, pairs (id, modified) instead of ids, listing
TAXII_ENDPOINTS = [
    ("taxii objects all", "taxii-all", "", False, "objects"),
    ("taxii objects all versions", "taxii-all", "&match[version]=all", True, "objects"),
    ("taxii objects first", "taxii-all", "&match[version]=first", False, "objects"),
    ("taxii objects g1", "taxii-g1", "", False, "objects"),
    ("taxii objects g1 versions", "taxii-g1", "&match[version]=all", True, "objects"),
    ("taxii objects green", "taxii-green", "&match[version]=all", True, "objects"),
    ("taxii objects by type", "taxii-all", "&match[type]=indicator", False, "objects"),
    ("taxii manifest all", "taxii-all", "&match[version]=all", False, "manifest"),
    ("taxii manifest green", "taxii-green", "", False, "manifest"),
]


def taxii_rows(m):
    mine = m.known_ids()
    mine_pairs = {(o["id"], v[0]) for o in m.objs.values() for v in o["versions"]}
    missing_coll = {}
    for user in m.readers:
        # A collection the organisation has no rights on = a missing one.
        st, h, miss = taxii_get(m, user, TAXII_ROOT + "collections/00000000-0000-4000-8000-"
                                "000000000000/objects/")
        missing_coll[user] = (st, miss)
        m.check(st == (401 if user == ANON else 404), "%s: TAXII unknown collection: %d"
                % (user, st))
        for name, coll, query, pairs, kind in TAXII_ENDPOINTS:
            readers = next(r for k, _, r in TAXII_COLLECTIONS if k == coll)
            got, st, body = taxii_pages(m, user, coll, query, pairs, kind)
            if got is None:
                m.checks += 1
                allowed = user != ANON and org_of(user) in readers
                if allowed:
                    m.fail("%s: %s: %d %s" % (user, name, st, body[:200]))
                elif (st, body) != missing_coll[user]:
                    m.leak("%s: %s without rights: not the missing collection's answer "
                           "(%d %r)" % (user, name, st, body[:120]))
                continue
            if user == ANON or org_of(user) not in readers:
                m.leak("%s: %s answered without rights" % (user, name))
                continue
            want = taxii_expect(m, user, coll, pairs)
            if "match[type]=indicator" in query:
                want = {i for i in want if i.startswith("indicator--")}
            m.compare(user, name, got & (mine_pairs if pairs else mine), want)
        if user == ANON:
            continue
        # Each object through the per-object endpoints of taxii-all.
        coll_id = m.tok["coll:taxii-all"]
        st, h, miss = taxii_get(m, user, "%scollections/%s/objects/indicator--00000000-0000-"
                                "4000-8000-000000000000/" % (TAXII_ROOT, coll_id))
        st_v, _, miss_v = taxii_get(m, user, "%scollections/%s/objects/indicator--00000000-"
                                    "0000-4000-8000-000000000000/versions/"
                                    % (TAXII_ROOT, coll_id))
        for key, o in m.objs.items():
            want = {(o["id"], mod) for i, (mod, _, _) in enumerate(o["versions"])
                    if m.sees(user, key, i)}
            path = "%scollections/%s/objects/%s/" % (TAXII_ROOT, coll_id, o["id"])
            s1, _, b1 = taxii_get(m, user, path + "?match[version]=all")
            s2, _, b2 = taxii_get(m, user, path + "versions/")
            m.checks += 2
            if not want:
                if s1 == 200 or s2 == 200:
                    m.leak("%s: TAXII get %s answered 200" % (user, key))
                if (s1, b1) != (st, miss) or (s2, b2) != (st_v, miss_v):
                    m.leak("%s: TAXII get %s: not the missing object's answer (%d %r)"
                           % (user, key, s1, b1[:120]))
                continue
            if s1 != 200 or s2 != 200:
                m.fail("%s: TAXII get %s: %d / %d" % (user, key, s1, s2))
                continue
            got = {(x["id"], x.get("modified")) for x in json.loads(b1).get("objects", [])}
            m.compare(user, "TAXII get " + key, got, want)
            n = len(json.loads(b2).get("versions", []))
            if n != len(want):
                (m.leak if n > len(want) else m.fail)(
                    "%s: TAXII versions of %s: %d, expected %d" % (user, key, n, len(want)))
    # a1's next value replayed by everyone else: refused.
    st, _, body = taxii_get(m, "a1", "%scollections/%s/objects/?limit=1"
                            % (TAXII_ROOT, m.tok["coll:taxii-all"]))
    nxt = json.loads(body).get("next") if st == 200 else None
    m.check(nxt is not None, "a1: TAXII first page has a next value")
    for user in m.readers:
        if user in ("a1", ANON) or not nxt:
            continue
        st, _, body = taxii_get(m, user, "%scollections/%s/objects/?limit=1&next=%s"
                                % (TAXII_ROOT, m.tok["coll:taxii-all"],
                                   urllib.parse.quote(nxt)))
        m.checks += 1
        if st == 200:
            m.leak("%s: a1's TAXII next value was accepted: %r" % (user, body[:120]))
        elif st != 400:
            m.fail("%s: TAXII next replay: %d" % (user, st))


def run(a):
    tokens = json.load(open(a.state))
    m = Matrix(Client(a.url), tokens)
    m.create_all()
    m.run()
    print("matrix: %d checks, %d leaks, %d other failures" % (m.checks, m.leaks, m.fails))
    return 1 if m.leaks or m.fails else 0


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("setup")
    s.add_argument("--bin", required=True)
    s.add_argument("--store", required=True)
    s.add_argument("--out", required=True)
    r = sub.add_parser("run")
    r.add_argument("--url", required=True)
    r.add_argument("--state", required=True)
    a = p.parse_args()
    if a.cmd == "setup":
        setup(a)
        return 0
    return run(a)


if __name__ == "__main__":
    sys.exit(main())
