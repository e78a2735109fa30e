#!/usr/bin/env bash
# Load scenarios: one JSON line per run. Starts its own server (a separate process) unless pointed at one.
#   bench/run.sh <fanout|meeting|audio|churn> [--publishers P] [--subscribers S] [--seconds T] [--warmup W]
#                [--server URL --server-pid PID] [--server-cpus 0] [--load-cpus 1] [--churn-rate R] [--latency-every N]
#                [--meetings M] [--media-loops N] [--setup-warmup K]   (fanout: M meetings side by side, each 1 -> S;
#                N: the server's media loops; K: subscribers that connect and leave before the measured set-up)
#   bench/run.sh compose [--tiles 2,4,9,16] [--seconds 15] [--warmup 3] [--size 1280x720] [--layout grid|speaker] [--load-cpus 1]
#                (CPU of one composed recording: one JSON line per tile count and a summary; see bench/README.md)
#   bench/run.sh drift [--minutes 10] [--drift-ppm 100] [--size 1280x720] [--seed 1] [--skip-s 5] [--out DIR] [--keep]
#                (A/V offset and drift of a long composed recording with a drifting sender clock: one JSON line)
#   bench/run.sh hls [--viewers 1000] [--seconds 30] [--warmup 15] [--server-cpus 0] [--load-cpus 1]
#                (LL-HLS viewers: blocking reloads + part GETs against a server process; requests per server CPU-second, p99)
# Loopback only; bounded (≤1000 subscribers, ≤50 publishers, ≤600 s).
set -euo pipefail
cd "$(dirname "$0")/.."
# compose and drift run in process (the composition with synthetic senders): they need only the bench jar
if [[ ! -f bench/target/roundtable-bench.jar || ( ${1:-} != compose && ${1:-} != drift && ! -f signaling/target/roundtable.jar ) ]]; then
  mvn -B -q -DskipTests install >&2
fi
if [[ ${1:-} == hls ]]; then
  # the LL-HLS load run lives with the streaming module's tests (it drives HlsHandler in a child JVM)
  shift
  mvn -B -q -o -pl streaming test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt >&2
  cpus=1; a=()
  while (( $# )); do if [[ $1 == --load-cpus ]]; then cpus=$2; shift 2; else a+=("$1"); shift; fi; done
  exec taskset -c "$cpus" java -cp "streaming/target/test-classes:streaming/target/classes:$(cat streaming/target/cp.txt)" \
    org.roundtable.streaming.hls.HlsLoadBench "${a[@]}"
fi
args=(); load_cpus=""
while (( $# )); do
  if [[ $1 == --load-cpus ]]; then load_cpus=$2; shift 2; else args+=("$1"); shift; fi
done
pin=(); [[ -n $load_cpus ]] && pin=(taskset -c "$load_cpus")
exec "${pin[@]}" java -XX:+UseZGC -Xmx2g -cp "bench/target/roundtable-bench.jar:bench/target/lib/*" org.roundtable.bench.Main "${args[@]}"
