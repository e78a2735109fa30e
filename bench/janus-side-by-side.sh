#!/usr/bin/env bash
# Janus 1.1.2 VideoRoom and Roundtable (WHIP/WHEP) under the same aiortc load, one after the other in
# one sitting: ../shared/peers/janus's bench.py (see its README), each run in its own lo-only network
# and PID namespace. Prints both JSON lines (pkts_per_cpu_s, janus_pss_mb, setup_s, loss_pct, ...).
#   bench/janus-side-by-side.sh [-S 100] [-K 2] [-T 20] [-W 5] [--reps 1] [--skip-janus]
# Needs root, Debian's janus and python3-aiortc (apt-get install -y janus python3-aiortc).
#
# The harness takes a WHIP publisher's id from the last segment of its Location; ours ends in the
# session's secret (/whip/<meeting>/<participantId>/<secret>), so the copy run here reads the
# X-Roundtable-Participant header instead (PROTOCOL.md).
set -euo pipefail
cd "$(dirname "$0")/.."
project=$PWD
src=${PEERS_JANUS:-$project/../shared/peers/janus}
S=100 K=2 T=20 W=5 reps=1 janus=1
while (( $# )); do
  case $1 in
    -S) S=$2; shift 2;; -K) K=$2; shift 2;; -T) T=$2; shift 2;; -W) W=$2; shift 2;;
    --reps) reps=$2; shift 2;; --skip-janus) janus=0; shift;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
work=/tmp/rt-peer-janus
rm -rf "$work" && cp -r "$src" "$work" && chmod -R u+w "$work"
python3 - "$work/janus_client.py" <<'PY'
import sys
p = sys.argv[1]; s = open(p).read()
s = s.replace('        loc = headers.get("Location") or headers.get("location") or ""\n',
              '        self.last_headers = headers\n        loc = headers.get("Location") or headers.get("location") or ""\n', 1)
s = s.replace('        loc = await self._offer_answer(pc, f"{a.base}/whip/{a.meeting}")\n        return loc.rstrip("/").rsplit("/", 1)[-1]\n',
              '        loc = await self._offer_answer(pc, f"{a.base}/whip/{a.meeting}")\n'
              '        h = {k.lower(): v for k, v in dict(self.last_headers).items()}\n'
              '        return h.get("x-roundtable-participant") or loc.rstrip("/").rsplit("/", 1)[-1]\n', 1)
assert "x-roundtable-participant" in s, "janus_client.py changed: update bench/janus-side-by-side.sh"
open(p, "w").write(s)
PY
[[ -f signaling/target/roundtable.jar ]] || mvn -B -q -DskipTests install >&2
cd "$work"
# the default meeting holds 100 members, and WHEP viewers count: room for the load (RT_JVM_OPTS: ops/run.sh)
export RT_JVM_OPTS="-Droundtable.meetings.max-participants=1000 ${RT_JVM_OPTS:-}"
for ((r = 1; r <= reps; r++)); do
  if (( janus )); then
    ./netns_run.sh /usr/bin/python3 bench.py videoroom -P 1 -S "$S" -K "$K" -T "$T" -W "$W" --media-mode preenc --label "janus-$S"
  fi
  ./netns_run.sh /usr/bin/python3 bench.py videoroom --peer roundtable --project "$project" -P 1 -S "$S" -K "$K" -T "$T" -W "$W" \
    --media-mode preenc --label "roundtable-$S"
done
