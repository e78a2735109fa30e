#!/usr/bin/env bash
# JMH microbenchmarks of the hot path. Examples:
#   bench/jmh.sh                       all benchmarks
#   bench/jmh.sh ForwardBench -prof gc bytes allocated per forwarded packet
#   bench/jmh.sh SrtpBench -p profile=GCM
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -f bench/target/roundtable-bench.jar ]]; then mvn -B -q -DskipTests install >&2; fi
exec java -cp "bench/target/roundtable-bench.jar:bench/target/lib/*" org.openjdk.jmh.Main "$@"
