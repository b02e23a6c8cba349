#!/usr/bin/env bash
# The whole test suite (README: `npm test`). Tiers: unit; db on PGlite; db on PostgreSQL; browser (e2e).
# PostgreSQL and Chromium are required: they are started/installed when missing, and a tier that
# cannot get them fails — it never skips.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1

TEST_PG_URL=$(bash scripts/ensure-postgres.sh)
export TEST_PG_URL
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "[test] installing Debian's chromium for the browser tests" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "[test] /usr/bin/chromium is missing: install Debian's chromium (apt-get install chromium)" >&2; exit 1
  fi
fi

step() { echo; echo "=== $* ==="; }
# The browser tests' build runs beside the tiers without a browser (they leave a core idle while they
# wait on processes, timers and the simulator); the browser tier waits for it.
AMAZON_ADS_TEST_BUILD=1 npx next build >/tmp/amazon-ads-sync-build.log 2>&1 &
build=$!
trap 'kill "$build" 2>/dev/null || true' EXIT
# One vitest run for the tiers without a browser: its workers take the next file of any of them, so
# the slow files of one run beside the short ones of the others.
step "unit, and db on PGlite and on PostgreSQL"; npx vitest run --project unit --project db-pglite --project db-postgres
step "build for the browser tests"; wait "$build" || { tail -n 60 /tmp/amazon-ads-sync-build.log; exit 1; }
step "browser (e2e)";         npx vitest run --project e2e
echo; echo "All test tiers passed."
