#!/usr/bin/env bash
# Runs Roundtable in the foreground on the embedded default config, building it first if needed.
#   ops/run.sh [--http-port N] [--media-port N] [--config FILE]
# Needs Java 17 and Maven (a fresh Debian machine has both). Prints the URL to open.
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=signaling/target/roundtable.jar
if [[ ! -f $JAR ]] || [[ -n $(find bridge/src mixer/src signaling/src pom.xml bridge/pom.xml mixer/pom.xml signaling/pom.xml -newer "$JAR" -print -quit 2>/dev/null) ]]; then
  echo "building Roundtable..." >&2
  mvn -B -q -DskipTests install >&2
  touch "$JAR"    # Maven leaves an up-to-date jar as it was: without this every start would build again
fi
# JVM options: ops/jvm.options (one per line; the load benchmarks use the same), then RT_JVM_OPTS
mapfile -t opts < <(grep -v '^[[:space:]]*\(#\|$\)' ops/jvm.options)
# shellcheck disable=SC2086
exec java "${opts[@]}" ${RT_JVM_OPTS:-} -jar "$JAR" "$@"
