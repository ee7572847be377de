#!/usr/bin/env bash
# mock-sts under abuse, on loopback only and bounded in time:
#
#   mock-sts/tests/soak.sh [SECONDS]      (default 60)
#
# Starts a release mock-sts on 127.0.0.1, then for SECONDS drives mixed traffic with wrk
# (discovery, JWKS, instance discovery, client-credentials tokens, authorize, SAML sign-in and
# federation metadata, bad requests) while
# scenarios switch and keys rotate; in the same window it sends malformed HTTP, huge headers and
# bodies, slow and idle clients (which the server must close within a bound), a burst of 2000
# concurrent wrk connections and 2000 raw keep-alive connections held open at once. It reports
# requests, status classes, socket errors and the server's RSS at start and end, and ends with
# `N passed, N failed` (exit 1 when anything failed).
#
# Needs wrk (`apt-get install -y wrk`) and python3. Builds with CARGO_TARGET_DIR if set.
set -uo pipefail
cd "$(dirname "$0")/../.."

DURATION="${1:-60}"
SLOW_BOUND=40 # seconds within which a slow or idle client must be closed by the server
HERE=mock-sts/tests/soak
TARGET_DIR="${CARGO_TARGET_DIR:-target}"
command -v wrk >/dev/null || { echo "soak needs wrk: apt-get install -y wrk" >&2; exit 2; }
ulimit -n 16384 2>/dev/null || ulimit -n "$(ulimit -Hn)"

cargo build --quiet --release -p mock-sts || exit 2
WORK="$(mktemp -d)"
LOG="$WORK/server.log"
"$TARGET_DIR/release/mock-sts" --bind 127.0.0.1 --port 0 --state-dir "$WORK/state" >"$LOG" 2>&1 &
PID=$!
cleanup() { kill "$PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

passed=0
failed=0
report() { # name pass|fail detail
  if [ "$2" = pass ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  printf '  %-4s %-36s %s\n' "$2" "$1" "$3"
}

for _ in $(seq 100); do
  URL="$(head -1 "$LOG" | sed -n 's/^mock-sts listening on //p')"
  [ -n "$URL" ] && break
  sleep 0.1
done
if [ -z "${URL:-}" ]; then
  cat "$LOG" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
case "$URL" in http://127.0.0.1:*) ;; *) echo "not loopback: $URL" >&2; exit 2 ;; esac
TENANT="$(curl -s "$URL/_mock/config" | python3 -c 'import json,sys; print(json.load(sys.stdin)["tenants"][0]["id"])')"
rss() { awk '/VmRSS/ {print $2}' "/proc/$PID/status" 2>/dev/null || echo 0; }
hwm() { awk '/VmHWM/ {print $2}' "/proc/$PID/status" 2>/dev/null || echo 0; }

echo "mock-sts soak: $URL, tenant $TENANT, ${DURATION}s, pid $PID"
RSS_START=$(rss)

# Warm-up: the first requests fill caches and allocator pools; the flat-memory check starts after.
SOAK_TENANT="$TENANT" wrk -t2 -c50 -d3s --timeout 10s -s "$HERE/mixed.lua" "$URL" >"$WORK/warm.txt" 2>&1
RSS_WARM=$(rss)

# The main load, and everything else inside its window.
SOAK_TENANT="$TENANT" wrk -t2 -c200 -d"${DURATION}s" --timeout 10s -s "$HERE/mixed.lua" "$URL" >"$WORK/wrk.txt" 2>&1 &
WRK=$!
python3 "$HERE/abuse.py" control "$URL" "$TENANT" "$((DURATION - 5))" >"$WORK/control.txt" 2>&1 &
CONTROL=$!
python3 "$HERE/abuse.py" slow "$URL" "$TENANT" "$SLOW_BOUND" >"$WORK/slow.txt" 2>&1 &
SLOW=$!
sleep 2
python3 "$HERE/abuse.py" malformed "$URL" "$TENANT" >"$WORK/malformed.txt" 2>&1
python3 "$HERE/abuse.py" many "$URL" "$TENANT" 2000 >"$WORK/many.txt" 2>&1
SOAK_TENANT="$TENANT" wrk -t2 -c2000 -d10s --timeout 10s -s "$HERE/mixed.lua" "$URL" >"$WORK/burst.txt" 2>&1
# The bursts are over; from here on the load is steady, and memory must stay flat under it.
RSS_MID=$(rss)
wait "$WRK" "$CONTROL" "$SLOW"
sleep 2 # let closed connections go
RSS_END=$(rss)
RSS_PEAK=$(hwm)

echo
echo "traffic"
for phase in wrk:main burst:2000-connections; do
  file="$WORK/${phase%%:*}.txt"
  line="$(grep '^SOAK ' "$file")"
  if [ -z "$line" ]; then
    report "load:${phase#*:}" fail "wrk printed no summary: $(tail -3 "$file" | tr '\n' ' ')"
    continue
  fi
  eval "$(echo "${line#SOAK }" | tr ' ' '\n' | sed 's/^\([0-9a-z_]*\)=/k_\1=/' | sed 's/^k_\([0-9]\)/k_s\1/')"
  detail="${k_requests} requests (2xx ${k_s2xx}, 3xx ${k_s3xx}, 4xx ${k_s4xx}, 5xx ${k_s5xx}), socket errors connect ${k_connect_errors} read ${k_read_errors} write ${k_write_errors}, timeouts ${k_timeouts}, p99 ${k_p99_ms} ms"
  if [ "$k_requests" -gt 0 ] && [ "$k_s5xx" -eq 0 ] && [ "$k_other" -eq 0 ] && [ "$k_connect_errors" -eq 0 ] \
    && [ "$k_read_errors" -eq 0 ] && [ "$k_write_errors" -eq 0 ] && [ "$k_timeouts" -eq 0 ]; then
    report "load:${phase#*:}" pass "$detail"
  else
    report "load:${phase#*:}" fail "$detail"
  fi
done

echo "abuse"
for f in control many malformed slow; do
  while read -r _ name verdict detail; do
    report "$name" "$verdict" "$detail"
  done < <(grep '^CHECK ' "$WORK/$f.txt")
  grep -q '^CHECK ' "$WORK/$f.txt" || report "$f" fail "no result: $(tail -3 "$WORK/$f.txt" | tr '\n' ' ')"
done

echo "server"
if [ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/_mock/health")" = 200 ]; then
  report "alive-at-end" pass "health 200"
else
  report "alive-at-end" fail "no health answer"
fi
# Flat memory: the 2000-connection bursts raise RSS once (buffers the allocator keeps for reuse); under
# the steady load after them it must not grow by more than 16 MiB, and overall by no more than 128 MiB.
STEADY=$((RSS_END - RSS_MID))
GROWTH=$((RSS_END - RSS_WARM))
detail="RSS start ${RSS_START} KiB, after warm-up ${RSS_WARM} KiB, after the bursts ${RSS_MID} KiB, end ${RSS_END} KiB (steady-load growth ${STEADY} KiB), peak ${RSS_PEAK} KiB"
if [ "$STEADY" -lt 16384 ] && [ "$GROWTH" -lt 131072 ]; then
  report "memory-flat" pass "$detail"
else
  report "memory-flat" fail "$detail"
fi
if grep -qi 'panick' "$LOG"; then
  report "no-panics" fail "$(grep -i -m1 panick "$LOG")"
else
  report "no-panics" pass "no panic in the server log"
fi
kill -TERM "$PID"
status=0
wait "$PID" || status=$?
if [ "$status" -eq 0 ]; then report "clean-shutdown" pass "SIGTERM, exit 0"; else report "clean-shutdown" fail "exit $status"; fi

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
