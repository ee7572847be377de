#!/usr/bin/env bash
# Side-by-side comparison of keyprobe and mock-sts with the references users would otherwise pick,
# measured in one run on this machine. Installs its references itself. Run by hand, not in CI:
#
#   bash benches/compare.sh            # full run: about 15 minutes on 2 cores (plus first-time builds)
#   bash benches/compare.sh --quick    # every row, briefly (about 4 minutes after the builds): checks
#                                      # that the script works end to end; its numbers are rough
#
# Prints one markdown table the README takes as is; the samples are kept in $WORK/samples. Every row
# shows both sides' own figures, the ratio, and the run-to-run spread. Each reference is warmed up
# before it is measured (oauth2-mock-server is Node: JIT and GC; signxml: imports and lxml), the two
# sides are measured in turn (A B A B ...), and each side's best run is its figure, since a shared
# machine only ever slows a run down. The spread, (worst - best) / best over a side's runs, says how
# much the machine moved meanwhile.
#
# Environment: WORK (scratch directory, default $TMPDIR/keyprobe-compare), MOCK_PORT and NODE_PORT
# (default 18080 and 18081), REPEAT (runs of each side), STATIC=0 (leave out the row that needs a
# second, statically linked release build of keyprobe), BUILD=0 (use the binaries already built) and
# PROFILE (default release; `BUILD=0 PROFILE=dev` tries the script out on debug builds).
# One run at a time per WORK: a second one started meanwhile stops at once and says so.
set -euo pipefail
QUICK="${QUICK:-}"
for arg in "$@"; do
  case "$arg" in
    --quick) QUICK=1 ;;
    -h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "compare.sh: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done
cd "$(dirname "$0")/.."
ROOT=$(pwd)
WORK="${WORK:-${TMPDIR:-/tmp}/keyprobe-compare}"
TOOLS="$WORK/tools"
SAMPLES="$WORK/samples"
mkdir -p "$WORK" "$TOOLS"
# One run at a time per work directory: two would share its samples and the ports, and both tables
# would be wrong without saying so.
exec 9>"$WORK/.lock"
if ! flock -n 9; then
  echo "compare.sh: another run is using $WORK; wait for it to finish, or give this one its own WORK, MOCK_PORT and NODE_PORT" >&2
  exit 2
fi
rm -rf "$SAMPLES"; mkdir -p "$SAMPLES"
q() { if [ -n "$QUICK" ]; then echo "$1"; else echo "$2"; fi; } # quick value, full value
N_BATCH=$(q 5000 200000)        # tokens in the batch rows
N_MEMORY=$(q 20000 1000000)     # tokens in the memory row
N_SAML=$(q 500 20000)           # responses in a SAML batch
REPEAT="${REPEAT:-$(q 2 5)}"    # runs of each side, interleaved
SPEED_SECONDS=$(q 1 3)          # openssl speed, per operation
SIGNXML_SECONDS=$(q 1 5)
WRK_SECONDS=$(q 2 10)
WARM_SECONDS=$(q 1 5)           # load before measuring a server
HYPERFINE_RUNS=$(q 10 40)
MOCK_PORT="${MOCK_PORT:-18080}"
NODE_PORT="${NODE_PORT:-18081}"
AT=2026-06-01T12:00:00Z
log() { echo ">> $*" >&2; }
sample() { echo "$2" >>"$SAMPLES/$1"; } # sample NAME "FIGURE [P99]"
now_ms() { date +%s%3N; }
rate() { python3 -c "import sys; print(int(sys.argv[1]) * 1000 / max(1, int(sys.argv[3]) - int(sys.argv[2])))" "$@"; }

# ---------------------------------------------------------------------------------------------
log "installing references (hyperfine, wrk, jwt-cli, signxml, oauth2-mock-server) if missing"
need_apt=()
command -v hyperfine >/dev/null || need_apt+=(hyperfine)
command -v wrk >/dev/null || need_apt+=(wrk)
command -v curl >/dev/null || need_apt+=(curl)
[ -x /usr/bin/time ] || need_apt+=(time)
if [ ${#need_apt[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
[ -x "$TOOLS/bin/jwt" ] || cargo install --quiet --locked jwt-cli --root "$TOOLS" >&2
[ -x "$WORK/venv/bin/python" ] || python3 -m venv "$WORK/venv"
"$WORK/venv/bin/python" -c "import signxml" 2>/dev/null || "$WORK/venv/bin/pip" install -q signxml >&2
[ -d "$WORK/node/node_modules/oauth2-mock-server" ] || (mkdir -p "$WORK/node" && cd "$WORK/node" && npm init -y >/dev/null && npm install --silent --no-audit --no-fund oauth2-mock-server >/dev/null)

HAVE_BENCH_SAML=$([ -f examples/bench_saml.rs ] && echo 1 || true)
PROFILE="${PROFILE:-release}"
if [ "${BUILD:-1}" != 0 ]; then
  log "building keyprobe and mock-sts ($PROFILE)"
  cargo build --quiet --profile "$PROFILE" -p keyprobe --bin keyprobe --example bench_tokens ${HAVE_BENCH_SAML:+--example bench_saml}
  cargo build --quiet --profile "$PROFILE" -p mock-sts --bin mock-sts
fi
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
OUT="$TARGET/$([ "$PROFILE" = dev ] && echo debug || echo "$PROFILE")"
KP="$OUT/keyprobe"
MOCK="$OUT/mock-sts"
CORES=$(nproc)
ROW_FILE="$WORK/rows.md"
: >"$ROW_FILE"
# row MEASURE OURS REFERENCE_LABEL REFERENCE BETTER KIND TARGET UNIT DIGITS (see benches/compare_row.py)
row() { ROW_UNIT="$8" ROW_DIGITS="$9" python3 "$ROOT/benches/compare_row.py" "$1" "$SAMPLES/$2" "$3" "$SAMPLES/$4" "$5" "$6" "$7" >>"$ROW_FILE"; }
skipped() { echo "| $1 | skipped | $2 | n/a | $3 | skipped |" >>"$ROW_FILE"; }

# openssl speed's RSA line: the sign/s and verify/s columns, found by the header's names (OpenSSL
# 3.x prints more operations on some versions).
openssl_rsa() {
  taskset -c 0 openssl speed -seconds "$SPEED_SECONDS" rsa2048 2>/dev/null | python3 -c "
import sys
lines = sys.stdin.read().splitlines()
head = next(l.split() for l in lines if 'sign/s' in l and 'verify/s' in l)
rsa = next(l.split() for l in lines if l.startswith('rsa') and 'bits' in l)
values = rsa[rsa.index('bits') + 1:]
rates = values[len(head) // 2:]
rates_head = head[len(head) // 2:]
print(rates[rates_head.index('sign/s')], rates[rates_head.index('verify/s')])"
}

started=()
cleanup() { for pid in "${started[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT

# ---------------------------------------------------------------------------------------------
log "batch RS256 verification ($N_BATCH distinct tokens) vs openssl speed, $REPEAT interleaved runs"
TOKENS="$WORK/tokens-$N_BATCH.txt"
[ -s "$TOKENS" ] || "$OUT/examples/bench_tokens" "$N_BATCH" "$TOKENS"
KEYS="$ROOT/testdata/keys/jwks-rotated.json"
batch_rate() { # CPU-LIST → tokens/s
  local t0 t1
  t0=$(now_ms); taskset -c "$1" "$KP" inspect --lines "$TOKENS" --jwks "$KEYS" --json --at $AT >/dev/null || true; t1=$(now_ms)
  rate "$N_BATCH" "$t0" "$t1"
}
openssl_rsa >/dev/null; batch_rate 0 >/dev/null # warm-up: CPU frequency, page cache
for _ in $(seq 1 "$REPEAT"); do
  read -r sign verify < <(openssl_rsa)
  sample openssl_sign "$sign"; sample openssl_verify "$verify"
  sample batch_1 "$(batch_rate 0)"
  sample batch_all "$(batch_rate "0-$((CORES - 1))")"
done
row "batch RS256, 1 core" batch_1 "openssl speed verify (1 core)" openssl_verify higher 'ratio>=' 0.85 "/s" 0
row "batch RS256, $CORES cores" batch_all "openssl speed verify (1 core)" openssl_verify higher 'ratio>=' 1.6 "/s" 0

# ---------------------------------------------------------------------------------------------
log "SAML verification: keyprobe batch vs signxml, 1 core each"
cat >"$WORK/signxml_rate.py" <<'PY'
import base64, re, sys, time
from signxml import XMLVerifier
xml = open(sys.argv[1], "rb").read()
meta = open(sys.argv[2]).read()
warm, seconds = float(sys.argv[3]), float(sys.argv[4])
cert = re.search(r"<(?:\w+:)?X509Certificate>([^<]+)<", meta).group(1)
verifier = XMLVerifier()
def verify():
    verifier.verify(xml, x509_cert=cert, ignore_ambiguous_key_info=True)
start = time.perf_counter()
while time.perf_counter() - start < warm:  # imports, lxml and OpenSSL warm
    verify()
n, start = 0, time.perf_counter()
while time.perf_counter() - start < seconds:
    verify()
    n += 1
print(n / (time.perf_counter() - start))
PY
META="$ROOT/testdata/saml/federationmetadata.xml"
saml_rows=()
if [ -n "$HAVE_BENCH_SAML" ]; then
  for shape in 8k 2k; do
    "$OUT/examples/bench_saml" "$shape" "$WORK/saml-$shape.xml"
    saml_rows+=("$shape")
  done
else
  # Until the Entra-shaped generator exists in this checkout: the signed response of testdata.
  cp "$ROOT/testdata/saml/response-signed.xml" "$WORK/saml-testdata.xml"
  saml_rows+=(testdata)
fi
for shape in "${saml_rows[@]}"; do
  xml="$WORK/saml-$shape.xml"
  size=$(python3 -c "import os,sys; print(round(os.path.getsize(sys.argv[1]) / 1024, 1))" "$xml")
  python3 -c "
import base64, sys
line = base64.b64encode(open(sys.argv[1], 'rb').read()).decode()
open(sys.argv[2], 'w').write((line + '\n') * int(sys.argv[3]))" "$xml" "$WORK/saml-$shape.txt" "$N_SAML"
  saml_rate() {
    local t0 t1
    t0=$(now_ms); taskset -c 0 "$KP" inspect --lines "$WORK/saml-$shape.txt" --metadata "$META" --json --at $AT >/dev/null || true; t1=$(now_ms)
    rate "$N_SAML" "$t0" "$t1"
  }
  if ! "$WORK/venv/bin/python" "$WORK/signxml_rate.py" "$xml" "$META" 0 0.1 >/dev/null 2>"$WORK/signxml-$shape.err"; then
    skipped "SAML verify, $size KB response, 1 core" "signxml does not verify it: $(tail -1 "$WORK/signxml-$shape.err")" "≥ 5×"
    continue
  fi
  saml_rate >/dev/null # warm-up
  for _ in $(seq 1 "$REPEAT"); do
    sample "saml_kp_$shape" "$(saml_rate)"
    sample "saml_sx_$shape" "$(taskset -c 0 "$WORK/venv/bin/python" "$WORK/signxml_rate.py" "$xml" "$META" "$WARM_SECONDS" "$SIGNXML_SECONDS")"
  done
  label="SAML verify, $size KB response, 1 core"
  [ "$shape" = 8k ] && label="SAML verify, $size KB Entra-shaped response (40 groups), 1 core"
  [ "$shape" = 2k ] && label="SAML verify, $size KB response (no KeyInfo, no groups), 1 core"
  row "$label" "saml_kp_$shape" "signxml (lxml, OpenSSL)" "saml_sx_$shape" higher 'ratio>=' 5 "/s" 0
done

# ---------------------------------------------------------------------------------------------
log "one token, one process: keyprobe vs openssl version and jwt-cli (hyperfine, $REPEAT interleaved blocks)"
TOKEN=$(head -1 "$TOKENS")
LIBDIR="/usr/lib/$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)"
KPS=""
STATIC="${STATIC:-1}" # STATIC=0 leaves out the statically linked build (a second release build)
if [ "$STATIC" != 0 ] && [ -f "$LIBDIR/libcrypto.a" ] && [ -f "$LIBDIR/libssl.a" ]; then
  log "keyprobe again with OpenSSL linked statically (what loading the shared libraries costs)"
  OPENSSL_STATIC=1 OPENSSL_LIB_DIR="$LIBDIR" OPENSSL_INCLUDE_DIR=/usr/include \
    CARGO_TARGET_DIR="$WORK/target-static" cargo build --quiet --release -p keyprobe --bin keyprobe
  KPS="$WORK/target-static/release/keyprobe"
fi
commands=("$KP inspect $TOKEN --jwks $KEYS --at $AT --json" "openssl version" "$TOOLS/bin/jwt decode $TOKEN")
[ -n "$KPS" ] && commands+=("$KPS inspect $TOKEN --jwks $KEYS --at $AT --json")
for i in $(seq 1 "$REPEAT"); do
  hyperfine -N -i --warmup 5 --runs "$HYPERFINE_RUNS" --export-json "$WORK/one-token-$i.json" "${commands[@]}" >/dev/null 2>&1
  python3 - "$WORK/one-token-$i.json" "$SAMPLES" <<'PY'
import json, sys
names = ["one_kp", "one_openssl", "one_jwt", "one_kp_static"]
for name, result in zip(names, json.load(open(sys.argv[1]))["results"]):
    with open(f"{sys.argv[2]}/{name}", "a") as f:
        f.write(f"{result['mean'] * 1000}\n")
PY
done
row "one token, one process, \`--jwks\`, \`--json\`" one_kp "\`openssl version\`" one_openssl lower 'ratio<=' 1.5 ms 2
row "one token, one process, \`--jwks\`, \`--json\`" one_kp "jwt-cli decode (verifies nothing)" one_jwt lower none - ms 2
if [ -n "$KPS" ]; then
  row "one token, OpenSSL linked statically" one_kp_static "\`openssl version\`" one_openssl lower 'ratio<=' 1.5 ms 2
else
  skipped "one token, OpenSSL linked statically" "$([ "$STATIC" = 0 ] && echo "left out (STATIC=0)" || echo "no static OpenSSL libraries in $LIBDIR")" "≤ 1.5×"
fi

# ---------------------------------------------------------------------------------------------
log "mock-sts vs oauth2-mock-server: start, JWKS and discovery throughput (ports $MOCK_PORT, $NODE_PORT)"
for port in "$MOCK_PORT" "$NODE_PORT"; do
  if curl -s -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null; then echo "port $port is busy; stop what listens there or set MOCK_PORT/NODE_PORT" >&2; exit 2; fi
done
wait_ready() { # URL → ms until it answers 200
  local start; start=$(now_ms)
  for _ in $(seq 1 4000); do
    curl -sf -o /dev/null "$1" && { echo $(($(now_ms) - start)); return; }
    sleep 0.005
  done
  echo "no answer from $1" >&2; return 1
}
cat >"$WORK/node/start.mjs" <<'JS'
import { OAuth2Server } from "oauth2-mock-server";
const s = new OAuth2Server();
await s.issuer.keys.generate("RS256");
await s.start(Number(process.argv[2]), "127.0.0.1");
JS
start_mock() { "$@" "$MOCK" --port "$MOCK_PORT" --state-dir "$WORK/mock-state" >/dev/null 2>&1 & MPID=$!; started+=("$MPID"); }
start_node() { (cd "$WORK/node" && exec node "$WORK/node/start.mjs" "$NODE_PORT" >/dev/null 2>&1) & NPID=$!; started+=("$NPID"); }
stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
# Warm start: the state directory already holds the keys, as in a CI cache or on a second run.
start_mock env; wait_ready "http://127.0.0.1:$MOCK_PORT/_mock/health" >/dev/null; stop "$MPID"
start_node; wait_ready "http://127.0.0.1:$NODE_PORT/.well-known/openid-configuration" >/dev/null; stop "$NPID"
for _ in $(seq 1 "$REPEAT"); do
  start_mock env; sample start_mock "$(wait_ready "http://127.0.0.1:$MOCK_PORT/_mock/health")"; stop "$MPID"
  start_node; sample start_node "$(wait_ready "http://127.0.0.1:$NODE_PORT/.well-known/openid-configuration")"; stop "$NPID"
done
row "start to accepting connections" start_mock "oauth2-mock-server" start_node lower 'ratio<=' 0.1 ms 0

TENANT=7f3c1a2b-4d5e-4f60-8a9b-0c1d2e3f4a5b
wrk_run() { # SECONDS URL [wrk args] → "req/s p99"
  local seconds=$1; shift
  wrk -t2 -c64 -d"${seconds}s" --latency "$@" 2>/dev/null | awk '/Requests\/sec/ {rps=$2} /^ *99%/ {p99=$2} END {print rps, p99}'
}
start_mock env; wait_ready "http://127.0.0.1:$MOCK_PORT/_mock/health" >/dev/null
start_node; wait_ready "http://127.0.0.1:$NODE_PORT/.well-known/openid-configuration" >/dev/null
M_JWKS="http://127.0.0.1:$MOCK_PORT/$TENANT/discovery/v2.0/keys"
N_JWKS="http://127.0.0.1:$NODE_PORT/jwks"
M_DISC="http://127.0.0.1:$MOCK_PORT/$TENANT/v2.0/.well-known/openid-configuration"
N_DISC="http://127.0.0.1:$NODE_PORT/.well-known/openid-configuration"
log "warming both servers up (${WARM_SECONDS}s of load on each endpoint)"
for url in "$M_JWKS" "$N_JWKS" "$M_DISC" "$N_DISC"; do wrk_run "$WARM_SECONDS" "$url" >/dev/null; done
for _ in $(seq 1 "$REPEAT"); do
  sample jwks_mock "$(wrk_run "$WRK_SECONDS" "$M_JWKS")"
  sample jwks_node "$(wrk_run "$WRK_SECONDS" "$N_JWKS")"
  sample disc_mock "$(wrk_run "$WRK_SECONDS" "$M_DISC")"
  sample disc_node "$(wrk_run "$WRK_SECONDS" "$N_DISC")"
done
stop "$MPID"; stop "$NPID"
row "JWKS requests (wrk -t2 -c64)" jwks_mock "oauth2-mock-server, warm" jwks_node higher 'ratio>=' 3 "/s" 0
row "discovery requests (wrk -t2 -c64)" disc_mock "oauth2-mock-server, warm" disc_node higher 'ratio>=' 3 "/s" 0

# ---------------------------------------------------------------------------------------------
log "client-credentials tokens per core vs openssl speed sign"
cat >"$WORK/token.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "grant_type=client_credentials&client_id=4a1e2b3c-5d6e-4f70-8192-a3b4c5d6e7f8&client_secret=mock~Secret.ForTests_0123456789abcdefghijkl&scope=api://4a1e2b3c-5d6e-4f70-8192-a3b4c5d6e7f8/.default"
LUA
TOKEN_URL="http://127.0.0.1:$MOCK_PORT/$TENANT/oauth2/v2.0/token"
# mock-sts alone on core 0 and the load generator on the other core(s), so that wrk's own CPU time is
# not counted against the server.
if [ "$CORES" -ge 2 ]; then
  start_mock taskset -c 0; used="1 core"
  token_load() { taskset -c "1-$((CORES - 1))" wrk -t1 -c16 -d"${1}s" --latency -s "$WORK/token.lua" "$TOKEN_URL" 2>/dev/null | awk '/Requests\/sec/ {rps=$2} /^ *99%/ {p99=$2} END {print rps, p99}'; }
else
  start_mock env; used="1 core shared with wrk"
  token_load() { wrk_run "$1" -s "$WORK/token.lua" "$TOKEN_URL"; }
fi
wait_ready "http://127.0.0.1:$MOCK_PORT/_mock/health" >/dev/null
token_load "$WARM_SECONDS" >/dev/null
for _ in $(seq 1 "$REPEAT"); do
  read -r sign _ < <(openssl_rsa); sample openssl_sign_tokens "$sign"
  sample tokens_mock "$(token_load "$WRK_SECONDS")"
done
stop "$MPID"
row "client-credentials tokens ($used)" tokens_mock "openssl speed sign (1 core)" openssl_sign_tokens higher 'ratio>=' 0.7 "/s" 0

# ---------------------------------------------------------------------------------------------
log "peak memory of the batch run: $N_MEMORY tokens beside $N_BATCH (streaming keeps it flat)"
BIG="$WORK/tokens-$N_MEMORY.txt"
if [ ! -s "$BIG" ]; then
  python3 - "$TOKENS" "$BIG" "$N_MEMORY" <<'PY'
import sys
lines = open(sys.argv[1]).read().splitlines()
with open(sys.argv[2], "w") as out:
    for i in range(int(sys.argv[3])):
        out.write(lines[i % len(lines)] + "\n")
PY
fi
rss_mib() { /usr/bin/time -f %M "$KP" inspect --lines "$1" --jwks "$KEYS" --json --at $AT 2>&1 >/dev/null | tail -1 | awk '{printf "%.1f\n", $1 / 1024}'; }
for _ in $(seq 1 "$(( REPEAT < 3 ? REPEAT : 3 ))"); do
  sample rss_big "$(rss_mib "$BIG")"
  sample rss_small "$(rss_mib "$TOKENS")"
done
row "batch peak RSS, $N_MEMORY tokens" rss_big "$N_BATCH tokens" rss_small lower 'abs<=' 64 MiB 1

# ---------------------------------------------------------------------------------------------
echo
echo "Measured $(date -u +%Y-%m-%dT%H:%M:%SZ) on $CORES cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)) by \`benches/compare.sh$([ -n "$QUICK" ] && echo ' --quick')\`: each side's best of $REPEAT interleaved runs after a warm-up; spread = (worst − best) / best over those runs.$([ -n "$QUICK" ] && echo ' QUICK MODE: small inputs and short runs, a check of the script, not a measurement.')"
echo
echo "| measure | keyprobe / mock-sts | reference (same run) | ratio | target | met |"
echo "|---|---|---|---|---|---|"
cat "$ROW_FILE"
