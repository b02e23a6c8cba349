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
step "unit";                  npx vitest run --project unit
step "db tier on PGlite";     TEST_DB=pglite npx vitest run --project db
step "db tier on PostgreSQL"; TEST_DB=postgres npx vitest run --project db
step "build for the browser tests"; npx next build >/tmp/amazon-ads-sync-build.log 2>&1 || { tail -n 60 /tmp/amazon-ads-sync-build.log; exit 1; }
step "browser (e2e)";         npx vitest run --project e2e
echo; echo "All test tiers passed."
