#!/usr/bin/env python3
"""gen_bundle.py N SEED [--pad BYTES]: writes a STIX 2.1 bundle of N indicator
objects (plus one identity) to stdout, deterministic for a seed. Used by the
durability test and the memory benchmark (large N, padded descriptions)."""
import json, random, sys, uuid

n, seed = int(sys.argv[1]), int(sys.argv[2])
pad = int(sys.argv[sys.argv.index("--pad") + 1]) if "--pad" in sys.argv else 0
rnd = random.Random(seed)
def uid():
    return str(uuid.UUID(int=rnd.getrandbits(128), version=4))
out = sys.stdout
ident = "identity--" + uid()
out.write('{"type":"bundle","id":"bundle--%s","objects":[\n' % uid())
out.write(json.dumps({"type": "identity", "spec_version": "2.1", "id": ident,
    "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z",
    "name": "generator %d" % seed, "identity_class": "organization"}))
filler = "x" * pad
for i in range(n):
    ip = "10.%d.%d.%d" % (rnd.randrange(256), rnd.randrange(256), rnd.randrange(256))
    o = {"type": "indicator", "spec_version": "2.1", "id": "indicator--" + uid(),
         "created_by_ref": ident, "created": "2024-01-01T00:00:00.000Z",
         "modified": "2024-01-01T00:00:00.000Z", "pattern_type": "stix",
         "pattern": "[ipv4-addr:value = '%s']" % ip, "valid_from": "2024-01-01T00:00:00Z",
         "indicator_types": ["malicious-activity"], "name": "generated %d" % i}
    if pad:
        o["description"] = filler
    out.write(",\n")
    out.write(json.dumps(o))
out.write("\n]}\n")
