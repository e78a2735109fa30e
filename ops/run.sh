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
fi
exec java -XX:+UseZGC -Xms256m -jar "$JAR" "$@"
