#!/usr/bin/env bash
# Usage ingestion bench: billing's consumer moving N usage entries from the partition streams into
# PostgreSQL, on the test harness' Redis Cluster and PostgreSQL. Prints records/s and CPU per 1,000
# records (PostgreSQL's backends, and billing's JVM). Not part of verify.
#   bench/ingest/run.sh [records] [rounds]     (defaults: 200000 records, 1 round)
set -euo pipefail
cd "$(dirname "$0")/../.."
records=${1:-200000}
rounds=${2:-1}
out=${BENCH_OUT:-$PWD/billing-service/target/ingest-bench.txt}
for r in $(seq 1 "$rounds"); do
  ./mvnw -o -B verify -pl billing-service -am -DskipITs -Dtest=UsageIngestBench -Dsurefire.failIfNoSpecifiedTests=false \
    -Dbench.records="$records" -Dbench.out="$out" > "${BENCH_LOG:-/dev/null}"
done
grep measured "$out"
