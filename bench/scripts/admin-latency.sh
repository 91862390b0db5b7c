#!/usr/bin/env sh
# Wall time of `keyprov admin status --json` from the release archive: against a running
# `keyprov server` on the same data directory (the command line runs in the server, over its API)
# and on the database with no server (a JVM opening the H2 file), N runs each, same machine, same
# run. Usage: bench/scripts/admin-latency.sh [N]   (after mvn -B -q -DskipTests install)
set -e
N=${1:-10}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d)
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
tar xzf "$ROOT"/app/target/keyprov-*.tar.gz -C "$WORK"
KP=$(ls -d "$WORK"/keyprov-*/bin/keyprov)
DATA="$WORK/data"
"$KP" admin add-device --endpoint ep1 --data-dir "$DATA" > /dev/null
timed() { # label, then the command; prints min/median/max in ms
  label=$1; shift
  for i in $(seq "$N"); do
    s=$(date +%s%N); "$@" > /dev/null; e=$(date +%s%N); echo $(( (e - s) / 1000000 ))
  done | sort -n | awk -v l="$label" '{a[NR]=$1} END {printf "%-28s min %5d  median %5d  max %5d ms\n", l, a[1], a[int((NR+1)/2)], a[NR]}'
}
timed "on the database (no server)" "$KP" admin status --json --data-dir "$DATA"
"$KP" server --data-dir "$DATA" --coaps-port 0 --https-port 0 > "$WORK/server.log" 2>&1 &
SERVER=$!
while [ ! -f "$DATA/admin-api.properties" ]; do sleep 0.2; done
for i in 1 2 3; do "$KP" admin status --json --data-dir "$DATA" > /dev/null; done # warm the server
timed "over the running server's API" "$KP" admin status --json --data-dir "$DATA"
timed "keyprov --version (JVM floor)" "$KP" --version
