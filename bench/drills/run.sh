#!/usr/bin/env bash
# The failure drills of issue 13, in one command, against this checkout's scaled stack (loopback only):
#
#   bench/drills/run.sh [--keep] [--only 1,3] [--rate 150] [--threads 32] [--keys 64] [--mix 2:1:2] [--steady 5]
#                       [--outage 60] [--redis-after 15] [--deliveries 1000] [--events 50] [--senders 20]
#                       [--spread 25] [--out docs/reliability.md] [--no-write]
#
# When nothing answers on the stack's public ports it starts `./kiku up --scale $DRILLS_SCALE` (default
# api=3,billing=2,webhook=2,bot=2) and takes it down again at the end (--keep leaves it running). KIKU_PORT_OFFSET
# moves the stack as it does for ./kiku. Each drill runs under steady mixed load through nginx, then the books are
# checked; the table goes to stdout and, between marker comments, into docs/reliability.md. Exit 1 when a drill
# misses its target or loses or doubles one µUSD. With the defaults the whole run takes about 10 minutes.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export KIKU_PORT_OFFSET="${KIKU_PORT_OFFSET:-0}"
SCALE="${DRILLS_SCALE:-api=3,billing=2,webhook=2,bot=2}"
API_PORT=$((8080 + KIKU_PORT_OFFSET))
keep=0
args=()
for a in "$@"; do
  if [[ "$a" == --keep ]]; then keep=1; else args+=("$a"); fi
done

cd "$ROOT"
started=0
if ! curl -fsS -o /dev/null --max-time 3 "http://127.0.0.1:$API_PORT/q/health/ready" 2>/dev/null; then
  echo "drills: no stack on port $API_PORT: starting ./kiku up --scale $SCALE"
  ./kiku up --scale "$SCALE"
  started=1
fi
[[ -f .kiku/scale ]] || { echo "drills: the stack on port $API_PORT is not scaled (./kiku down, then run this again)" >&2; exit 2; }
[[ -d .kiku/harness/ai/kiku/devstack ]] || { echo "drills: .kiku/harness is missing (./kiku up compiles it)" >&2; exit 2; }

out="$ROOT/.kiku/drills-classes"
rm -rf "$out"
mkdir -p "$out"
javac --release 17 -nowarn -d "$out" -cp "$ROOT/.kiku/harness" "$ROOT"/bench/drills/*.java
rc=0
java -cp "$out:$ROOT/.kiku/harness" Drills --root "$ROOT" --offset "$KIKU_PORT_OFFSET" "${args[@]}" || rc=$?
if ((started && !keep)); then
  ./kiku down
fi
exit "$rc"
