# Sourced by bench/table-load.sh and bench/table-memory.sh (repository root as working directory, after setting
# `rows`): the recserve command, a scratch folder `work` removed on exit together with any server still running
# (`server_pid`), free_port, now, and $work/request.json, the REST request both send: 64 rows of 4 ids spread over
# the whole table of one feature f_0, and 13 dense values.
source bench/device/recserve-command.sh
work="$(mktemp -d "${TMPDIR:-/tmp}/recserve-$(basename "$0" .sh)-XXXXXX")"

server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
now() { date +%s.%N; }

python3 - "$rows" >"$work/request.json" <<'PY'
import json, random, sys
rows = int(sys.argv[1]); r = random.Random(7)
print(json.dumps({"inputs": {"f_0": [[r.randrange(rows) for _ in range(4)] for _ in range(64)],
                             "dense": [[r.gauss(0, 1) for _ in range(13)] for _ in range(64)]}}))
PY
