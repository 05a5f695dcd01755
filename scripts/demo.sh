#!/bin/sh
# demo.sh: builds a demo store from the open data the project ships and
# prints a short tour. Later stages of the chain extend this script.
set -eu
VB=${VB:-./verbinding}
STORE=${DEMO_STORE:-demo.db}
rm -f "$STORE" "$STORE-wal" "$STORE-shm"
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "verbinding init --store $STORE"
$VB init --store "$STORE"

step "verbinding import data/demo/enterprise-attack.json.gz   (MITRE ATT&CK, STIX 2.0 -> 2.1)"
$VB import --store "$STORE" data/demo/enterprise-attack.json.gz

step "verbinding import data/demo/misp-galaxy-threat-actor.json.gz   (MISP galaxy)"
$VB import --store "$STORE" data/demo/misp-galaxy-threat-actor.json.gz

step "verbinding stats"
$VB stats --store "$STORE"

step "verbinding list --type intrusion-set --limit 5"
$VB list --store "$STORE" --type intrusion-set --limit 5

id=$($VB list --store "$STORE" --type intrusion-set --json |
	grep -m1 '"name":"APT29"' | sed -E 's/.*"id":"(intrusion-set--[0-9a-f-]+)".*/\1/')
step "verbinding show $id   (APT29: what it uses, first 25 relationships)"
$VB show --store "$STORE" "$id" >"$STORE.show"
grep -E '^  "(name|created|modified)"' "$STORE.show" | head -n 3
sed -n '/^relationships:/,$p' "$STORE.show" | head -n 26
echo "  ... $(grep -c '^  ->\|^  <-' "$STORE.show") relationships in all"
rm -f "$STORE.show"

step "verbinding list --type intrusion-set | grep -i 'apt29\|cozy'   (ATT&CK and the MISP galaxy side by side)"
$VB list --store "$STORE" --type intrusion-set | grep -i 'apt29\|cozy' | head -n 5

step "done: the store is $STORE; try: $VB export --store $STORE --type intrusion-set | head"
