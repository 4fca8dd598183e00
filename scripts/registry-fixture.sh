#!/usr/bin/env bash
# registry-fixture.sh start|stop DIR
#
# A real OCI registry for the tests: Debian's docker-registry (the CNCF distribution project),
# storing on disk under DIR/data and listening on 127.0.0.1 on a free port, without auth.
#   start DIR   write DIR/config.yml, start the registry in the background, wait until GET /v2/
#               answers, and write DIR/port and DIR/pid (log in DIR/registry.log)
#   stop DIR    kill the registry started in DIR and wait for it to exit
# Needs: sudo apt-get install docker-registry (and skopeo to fill it). No root needed.
set -euo pipefail
cmd=${1:?usage: registry-fixture.sh start|stop DIR}
dir=${2:?usage: registry-fixture.sh start|stop DIR}
registry=${DOCKER_REGISTRY:-docker-registry}

free_port() {
  # A random port in the ephemeral range that nothing answers on; a race with another process
  # taking it before the registry binds is caught below and retried.
  local port
  while :; do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
}

start() {
  if ! command -v "$registry" >/dev/null; then
    echo "registry-fixture: $registry not found; install it: sudo apt-get install docker-registry" >&2
    exit 1
  fi
  mkdir -p "$dir/data"
  local attempt port pid
  for attempt in 1 2 3 4 5; do
    port=$(free_port)
    cat > "$dir/config.yml" <<YAML
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
YAML
    # setsid: the registry gets its own session, so a terminal's ^C reaches only the test.
    setsid "$registry" serve "$dir/config.yml" >"$dir/registry.log" 2>&1 < /dev/null &
    pid=$!
    echo "$pid" > "$dir/pid"
    for _ in $(seq 100); do
      if ! alive "$pid"; then break; fi
      if curl -fsS -o /dev/null --noproxy '*' "http://127.0.0.1:$port/v2/" 2>/dev/null; then
        echo "$port" > "$dir/port"
        echo "registry-fixture: docker-registry (pid $pid) on 127.0.0.1:$port, data in $dir/data"
        return 0
      fi
      sleep 0.1
    done
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    rm -f "$dir/pid"
    echo "registry-fixture: attempt $attempt on port $port failed:" >&2
    tail -5 "$dir/registry.log" >&2 || true
  done
  echo "registry-fixture: docker-registry did not start; see $dir/registry.log" >&2
  exit 1
}

# Alive and not a zombie (an exited registry may wait a while for its new parent to reap it).
alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ ${stat%% *} != Z ]]
}

stop() {
  [[ -f $dir/pid ]] || return 0
  local pid
  pid=$(cat "$dir/pid")
  # Only the registry started here: a reused PID belongs to someone else.
  if [[ $(cat "/proc/$pid/comm" 2>/dev/null) == docker-regist* ]] && kill "$pid" 2>/dev/null; then
    for _ in $(seq 100); do
      alive "$pid" || break
      sleep 0.05
    done
    if alive "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
  fi
  rm -f "$dir/pid" "$dir/port"
}

case $cmd in
  start) start ;;
  stop) stop ;;
  *) echo "usage: registry-fixture.sh start|stop DIR" >&2; exit 2 ;;
esac
