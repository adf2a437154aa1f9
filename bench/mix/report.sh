# Sourced by bench/mix/run once every figure is in: writes the "Stage 3" section of MIX_OUT between its markers
# (appended when they are missing), so the analysis written around the figures stays.

CPU_MODEL="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -1)"
MEM="$(awk '/MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo 2>/dev/null)"
JAVA="$(java -version 2>&1 | head -1)"
NGINX_V="$(nginx -v 2>&1 | sed 's/.*: //')"
INST0_PID="$(cat "$STATE/pids/api-service.pid")"
JVM_OPTS="$(tr '\0' ' ' <"/proc/$INST0_PID/cmdline" | sed 's/^java //; s/ -jar .*//')"
EVENT_LOOPS="$(tr '\0' '\n' <"/proc/$INST0_PID/environ" 2>/dev/null | sed -n 's/^QUARKUS_VERTX_EVENT_LOOPS_POOL_SIZE=//p')"
WORKERS="$(sed -n 's/^worker_processes \(.*\);/\1/p' "$STATE/nginx/conf/nginx.conf")"
KEEPALIVE="$(awk '/upstream kiku_api/ {u = 1} u && /keepalive [0-9]/ {print $2; exit}' "$STATE/nginx/conf/nginx.conf" | tr -d ';')"
LOGCONF="$(sed -n 's/^ *access_log \(.*\);/\1/p' "$STATE/nginx/conf/nginx.conf" | head -1)"
# per-endpoint from the log: "balance=n/p50/p99/bad ..." -> "p50 / p99" of one endpoint
from_log() { # KEY ENDPOINT
  local v; v="$(tr ' ' '\n' <<<"${LOGLAT[$1]:-}" | sed -n "s/^$2=//p")"
  [[ -n "$v" ]] && awk -F/ '{printf "%s / %s", $2, $3}' <<<"$v" || echo "–"
}
sat_row() { # KEY LABEL
  printf '| %s | %.0f | %s / %s | %s | %s | %s | %s | %s | %s | %s |\n' "$2" "${RPS[$1]}" "$(ms "${P50[$1]}")" "$(ms "${P99[$1]}")" \
    "$(from_log "$1" balance)" "$(from_log "$1" usage)" "$(from_log "$1" llm)" "${SOCK[$1]}" "${NON2XX[$1]}" "${CPU[$1]}" "$(groups "$1")"
}
groups() { # KEY: "api / services / nginx / redis / postgres; wrk" µs per request
  awk '{for (i = 1; i < NF; i += 2) v[$i] = $(i + 1)} END {printf "%s / %s / %s / %s / %s; %s", v["api"], v["services"], v["nginx"], v["redis"], v["postgres"], v["wrk"]}' <<<"${CPUG[$1]}"
}
{
  echo "## Stage 3: the plan's mix through nginx"
  echo
  echo "Measured by \`bench/mix/run\` on $(date -u '+%Y-%m-%d %H:%M UTC') against \`./kiku up --scale api=$API_COUNT\`: nginx in"
  echo "front of $API_COUNT api instances, one instance of each other service, the 6-node Redis Cluster and PostgreSQL,"
  echo "all on the same machine as the load generator (wrk)."
  echo
  echo "**Machine:** $(nproc) CPU cores ($CPU_MODEL), $MEM RAM, $(uname -sr); $JAVA; nginx $NGINX_V; $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)."
  echo "**Stack:** nginx \`worker_processes $WORKERS\`, upstream keepalive $KEEPALIVE, access log \`$LOGCONF\`;"
  echo "instances \`$JVM_OPTS\`${EVENT_LOOPS:+, $EVENT_LOOPS event loops each}."
  echo "**Load:** the plan's Locust mix, 10 \`GET /api/v1/balance\` : 5 \`GET /api/v1/usage\` : 1 \`POST /v1/chat/completions\`"
  echo "(model local-echo, one short message), each request with the key of one of $ACCOUNTS accounts picked at random"
  echo "(one key each, credited, limit 100,000/min). wrk $THREADS threads; $DURATION per run after a ${WARMED} s warm-up"
  echo "through nginx (until no api instance compiled for more than 1 s in 10) and 5 s straight to instance 0."
  echo
  echo "| measure | value | target |"
  echo "|---|---:|---|"
  echo "| (1) mix at saturation ($CONNECTIONS connections): rps through nginx / straight to one instance, median of $ROUNDS rounds | $SAT_RATIO | ≥ 0.7 ($V_SAT) |"
  echo "| (2) mix at a fixed $RATE rps through nginx: every endpoint's p99 < $P99_MS ms, 0 errors | $([[ "${RATE_OK[rate-$RATE]}" == 1 ]] && echo met || echo missed) | ($V_RATE); highest rate met: ${BEST_RATE:-none of $RATE $RATE_STEPS} |"
  echo "| (3) balance, \`wrk -t$THREADS -c$BAL_CONNECTIONS\`: rps through nginx / straight to one instance, median of $ROUNDS rounds | $BAL_RATIO | ≥ 0.7 ($V_BAL) |"
  echo "| largest instance RSS after the run | $RSS_MAX MiB | ≤ 256 MiB ($V_RSS) |"
  echo
  echo "Every run. Latency \"all\" is wrk's, over the whole mix; per endpoint it is nginx's \`\$request_time\` from its access"
  echo "log (1 ms resolution; through nginx only: one instance alone keeps no access log). Errors are socket errors and"
  echo "non-2xx answers. CPU per request is the utime+stime of every process of the stack (all instances, nginx master and"
  echo "workers, the redis-servers, PostgreSQL and its backends; not wrk) divided by the requests wrk completed; then"
  echo "the same per part (\"services\" are billing, bot and webhook) and wrk's own. With no load the stack burns $IDLE ms"
  echo "of CPU per second, included in these figures."
  echo
  echo "| run | rps | all p50 / p99 ms | balance p50 / p99 ms | usage p50 / p99 ms | LLM p50 / p99 ms | socket errors | non-2xx | stack CPU µs/request | api / services / nginx / redis / postgres; wrk µs/request |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
  for r in $(seq 1 "$ROUNDS"); do
    sat_row "sat-nginx-$r" "(1) mix, $CONNECTIONS conn, nginx, round $r"
    sat_row "sat-direct-$r" "(1) mix, $CONNECTIONS conn, one instance, round $r"
  done
  for r in $(seq 1 "$ROUNDS"); do
    sat_row "bal-nginx-$r" "(3) balance, $BAL_CONNECTIONS conn, nginx, round $r"
    sat_row "bal-direct-$r" "(3) balance, $BAL_CONNECTIONS conn, one instance, round $r"
  done
  echo
  echo "Fixed rate through nginx: one paced wrk per endpoint (1 thread each, its share of the rate), all at once, so the"
  echo "latency per endpoint is wrk's own (µs resolution), measured from the write of each request. $RATE_DURATION each."
  echo
  echo "| run | endpoint | rps | p50 ms | p99 ms | socket errors | non-2xx |"
  echo "|---|---|---:|---:|---:|---:|---:|"
  for k in "${RATE_KEYS[@]}"; do
    for ep in balance usage llm; do
      printf '| %s | %s | %.0f | %s | %s | %s | %s |\n' "${k#rate-} rps target ($([[ "${RATE_OK[$k]}" == 1 ]] && echo met || echo missed))" \
        "$ep" "${RPS[$k-$ep]}" "$(ms "${P50[$k-$ep]}")" "$(ms "${P99[$k-$ep]}")" "${SOCK[$k-$ep]}" "${NON2XX[$k-$ep]}"
    done
    printf '| %s | all | %.0f | nginx log: %s | %s | %s | %s |\n' "${k#rate-} rps target" "${RPS[$k]}" "$(from_log "$k" all | sed 's| / .*||')" \
      "$(from_log "$k" all | sed 's|.* / ||')" "${SOCK[$k]}" "${NON2XX[$k]}"
    echo "| | stack CPU µs/request | ${CPU[$k]} | api / services / nginx / redis / postgres; wrk: $(groups "$k") | | | |"
  done
  echo
  echo "RSS of every instance at the end: $(for n in $(printf '%s\n' "${!RSS[@]}" | sort); do printf '%s %s MiB, ' "$n" "${RSS[$n]}"; done | sed 's/, $//')."
  echo
  echo "Re-run: \`bench/mix/run\` (settings in its header; \`KIKU_PORT_OFFSET\` for a stack on other ports)."
} >"$WORK/generated.md"
. "$HERE/../lib/section.sh"
write_section "$OUT" "bench/mix" "$WORK/generated.md"
say "wrote $OUT"
