# bench/fresh-service.sh — sourced by the bench scripts that drive a service of their own
# (warm-curve, thread-costs, ceiling): launcher/server on loopback, with free ports and a data
# directory of its own, in a session of its own so that the service and its instances stop
# together; and the CPU a process has used. The sourcing script sets `here` (the repository) first.

# start_service NAME [launcher/server option ...]: sets data, port and server, and returns once
# the service accepts (at most 120 s, else exits). Environment for the service, if any, from the
# array service_env.
start_service() {
  local name=$1 deadline
  shift
  data=$(mktemp -d "${TMPDIR:-/tmp}/$name.XXXXXX")
  port=$("$here/launcher/free-port")
  env ${service_env[@]+"${service_env[@]}"} CHAT_DATA_DIR="$data" setsid "$here/launcher/server" 127.0.0.1 "$port" \
    --set broker.amqpPort=0 --set broker.stompPort=0 --set store.port=0 --set admin.port=0 "$@" \
    >"$data/server.log" 2>&1 &
  server=$!
  deadline=$((SECONDS + 120))
  until (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    if ! kill -0 "$server" 2>/dev/null || [ "$SECONDS" -ge "$deadline" ]; then
      echo "$name: the service did not start; log:" >&2
      tail -n 20 "$data/server.log" >&2
      exit 1
    fi
    sleep 0.05
  done
}

# stop_service: stops the service start_service started, if it runs, and removes its data.
stop_service() {
  if [ -n "${server:-}" ] && kill -0 "$server" 2>/dev/null; then
    kill -TERM -- "-$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  if [ -n "${data:-}" ]; then
    rm -rf "$data"
  fi
}

# ticks PID (or PID/task/TID): utime + stime in clock ticks, 0 once gone
ticks() {
  awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0
}
