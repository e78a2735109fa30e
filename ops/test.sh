#!/usr/bin/env bash
# The test command: installs what the tests need (Debian packages), builds, and runs every test inside a
# private network namespace that has only loopback, so no test traffic can leave the machine.
#   ops/test.sh            (as root; `.ci/run` calls exactly this)
# Env: SKIP_INSTALL=1 skips apt-get; NS=name picks the namespace name.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
NS=${NS:-roundtable-test-$$}

if [[ ${SKIP_INSTALL:-0} != 1 ]]; then
  need=()
  for p in chromium chromium-driver iproute2 procps postgresql sip-tester python3 kamailio kamailio-tls-modules baresip tcpdump firefox-esr iptables linphone-cli ffmpeg nginx-light libnginx-mod-rtmp unzip; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || need+=("$p")
  done
  if (( ${#need[@]} )); then
    echo "== installing: ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi
fi

echo "== building and resolving every dependency and plugin (outside the namespace)"
mvn -B -q -DskipTests install
# the server's Bouncy Castle jars are rewritten unsigned at package (signaling/pom.xml: a signed jar's
# per-class manifest sections stay parsed in the heap, 7-8 MB of the idle server's PSS)
for j in signaling/target/lib/bc*-jdk18on-*.jar; do
  sig=$(unzip -l "$j" | grep -cE 'META-INF/[^/]+\.(SF|RSA|DSA|EC)$' || true)
  sections=$(unzip -p "$j" META-INF/MANIFEST.MF | grep -c '^Name:' || true)
  if (( sig > 0 || sections > 0 )); then
    echo "== FAILED: $j is still signed ($sig signature files, $sections per-class manifest sections)"; exit 1
  fi
done
# resolves surefire's JUnit provider without running anything
mvn -B -q test -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false >/dev/null

echo "== creating network namespace $NS (loopback only)"
PGWORK=$(mktemp -d /tmp/roundtable-pg.XXXXXX)
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
cleanup() {
  [[ -f $PGWORK/data/postmaster.pid ]] && ip netns exec "$NS" runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGWORK/data" -m fast stop >/dev/null 2>&1 || true
  # whatever a test left behind (a peer of a killed test JVM) dies with the namespace
  ip netns pids "$NS" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
  ip netns del "$NS" 2>/dev/null || true
  rm -rf "$PGWORK"
}
trap cleanup EXIT
ip netns add "$NS"
ip netns exec "$NS" ip link set lo up
# a veth carrying 127.0.0.2 inside the namespace (baresip ignores loopback-only hosts; see the harness README)
ip netns exec "$NS" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
ip netns exec "$NS" ip link add rt0 type veth peer name rt1
ip netns exec "$NS" ip addr add 127.0.0.2/32 dev rt0
ip netns exec "$NS" ip link set rt1 up
ip netns exec "$NS" ip link set rt0 up

echo "== starting PostgreSQL ($PGBIN) inside $NS on 127.0.0.1:55432"
chown postgres "$PGWORK"
runuser -u postgres -- "$PGBIN/initdb" -D "$PGWORK/data" -U postgres --auth=trust >/dev/null
ip netns exec "$NS" runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGWORK/data" -l "$PGWORK/log" -w \
  -o "-h 127.0.0.1 -p 55432 -k $PGWORK -c fsync=off" start >/dev/null
ip netns exec "$NS" runuser -u postgres -- "$PGBIN/createdb" -h 127.0.0.1 -p 55432 -U postgres roundtable
export RT_PG_URL=jdbc:postgresql://127.0.0.1:55432/roundtable RT_PG_USER=postgres

# -Dtest selects in both surefire executions: without this a -Dtest run of other tests ran them twice,
# the second time from target/fuzz (where ../shared is not the harness)
for a in "$@"; do case $a in -Dtest=*Fuzz*) ;; -Dtest=*) set -- "$@" -Dfuzz.skip=true; break ;; esac; done
echo "== running all tests in $NS"
rm -f ./*/target/netty-leaks.txt
ip netns exec "$NS" env SE_AVOID_STATS=true SE_OFFLINE=true HOME="$HOME" RT_PG_URL="$RT_PG_URL" RT_PG_USER="$RT_PG_USER" RT_NETNS="$NS" \
  mvn -B -o test "$@"

# Netty's paranoid leak detector ran in every test JVM (pom.xml): a buffer never released fails the run.
leaks=$(ls ./*/target/netty-leaks.txt 2>/dev/null || true)
if [[ -n $leaks ]]; then
  echo "== FAILED: Netty reported leaked buffers:"
  for f in $leaks; do echo "--- $f"; head -c 20000 "$f"; done
  exit 1
fi
echo "== no leaked buffers reported"
