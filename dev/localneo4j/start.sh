#!/usr/bin/env bash
# Starts the local Neo4j 5.26 for development and tests, on bolt://127.0.0.1:$KITH_NEO4J_PORT
# (default 7687), and waits until Bolt answers. A no-op when it already runs.
# KITH_STATE_DIR (default .kith) holds its data; KITH_NEO4J_HEAP (default 2g) is its heap;
# KITH_NEO4J_TX_MEMORY (default: none), e.g. 256m, caps the heap one transaction may use
# (db.memory.transaction.max), as the research copy's instance does.
# Needs Java 17+ and Maven; Neo4j itself comes from Maven Central (see pom.xml).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
state=${KITH_STATE_DIR:-$here/../../.kith}
port=${KITH_NEO4J_PORT:-7687}
mkdir -p "$state"
state=$(cd "$state" && pwd)
log=$state/neo4j.log

bolt_answers() { (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }

if bolt_answers; then
  echo "local neo4j: already running on bolt://127.0.0.1:$port"
  exit 0
fi
command -v java >/dev/null 2>&1 || { echo "local neo4j: Java 17 or newer is needed: install it (Debian: apt-get install openjdk-17-jdk-headless)." >&2; exit 1; }
java_major=$(java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')
if [ "${java_major%%.*}" -lt 17 ] 2>/dev/null; then
  echo "local neo4j: Java $java_major found, Neo4j 5.26 needs Java 17 or newer: install it (Debian: apt-get install openjdk-17-jdk-headless)." >&2; exit 1
fi

cp_file=$state/neo4j-classpath.txt
pom_sum=$(sha256sum "$here/pom.xml" | cut -d' ' -f1)
if [ ! -s "$cp_file" ] || [ "$(cat "$cp_file.sum" 2>/dev/null)" != "$pom_sum" ]; then
  command -v mvn >/dev/null 2>&1 || { echo "local neo4j: Maven is needed to fetch Neo4j from Maven Central: install it (Debian: apt-get install maven)." >&2; exit 1; }
  echo "local neo4j: fetching Neo4j 5.26 from Maven Central (first run only)..."
  mvn -q -B -f "$here/pom.xml" dependency:build-classpath -Dmdep.outputFile="$cp_file" >"$state/mvn.log" 2>&1 \
    || { echo "local neo4j: Maven could not fetch Neo4j; see $state/mvn.log" >&2; exit 1; }
  echo "$pom_sum" >"$cp_file.sum"
fi

echo "local neo4j: starting on bolt://127.0.0.1:$port (data in $state/neo4j, log in $log)"
nohup java -Xms512m -Xmx${KITH_NEO4J_HEAP:-2g} -XX:+UseG1GC \
  -cp "$(cat "$cp_file")" "$here/Launcher.java" "$state/neo4j" "$port" "${KITH_NEO4J_TX_MEMORY:-}" >"$log" 2>&1 &
echo $! >"$state/neo4j.pid"
for _ in $(seq 1 240); do
  if bolt_answers; then echo "local neo4j: ready"; exit 0; fi
  if ! kill -0 "$(cat "$state/neo4j.pid")" 2>/dev/null; then
    echo "local neo4j: exited while starting; last lines of $log:" >&2; tail -20 "$log" >&2; exit 1
  fi
  sleep 0.5
done
echo "local neo4j: Bolt did not answer within 120 s; see $log" >&2
exit 1
