#!/usr/bin/env bash
# govulncheck for CI, which cannot reach vuln.go.dev (only the Go module proxy,
# Debian's and npm's registries). The Go vulnerability database is published
# as a Go module too: golang.org/x/vulndb's data/osv/ holds one OSV file per
# report (GO-YYYY-NNNN.json). This script downloads that module at a pinned
# version through the module proxy (a 25 MB zip, a few seconds), turns data/osv
# into the v1 database layout that `govulncheck -db file://DIR` reads
# (index/db.json, index/modules.json, ID/*.json; .ci/vulndb/main.go, stdlib
# only), scans ./... and prints the findings.
#
# It fails (exit 3) when our code calls a vulnerable symbol of a required
# module: `go get` fixes those. Vulnerable standard-library symbols that we call
# are printed as a warning only (VULNCHECK_STDLIB=fail makes them fail too):
# they are fixed by a newer Go toolchain, which is the machine's, not go.mod's.
# Vulnerabilities in packages we import but don't call, or in modules we
# require but don't import, are printed and never fail.
#
# Environment:
#   VULNDB_VERSION    golang.org/x/vulndb version to build the DB from (pinned
#                     below; bump it to pick up newer reports; "latest" works)
#   VULNDB_URL        use this database instead (https://... or file://...)
#   VULNCHECK_STDLIB  warn (default) or fail
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

VULNDB_VERSION=${VULNDB_VERSION:-v0.0.0-20261105234957-e22db6528018}   # golang.org/x/vulndb, pinned
VULNCHECK_STDLIB=${VULNCHECK_STDLIB:-warn}

if ! command -v govulncheck >/dev/null 2>&1; then
  echo "govulncheck is not on PATH (.ci/run's tools step installs it)" >&2
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The helper is built outside the main module: it needs only the standard
# library, and other work in progress in go.mod can't get in its way.
(cd "$work" && GOFLAGS= go build -o "$work/vulndb" "$root/.ci/vulndb/main.go")

# local_db builds $work/db from golang.org/x/vulndb@$VULNDB_VERSION.
local_db() {
  local info dir infofile modified
  info=$(cd "$work" && GOFLAGS= go mod download -json "golang.org/x/vulndb@${VULNDB_VERSION}") || {
    echo "$info"; return 1; }
  dir=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' <<<"$info")
  infofile=$(sed -n 's/^[[:space:]]*"Info": "\(.*\)",\{0,1\}$/\1/p' <<<"$info")
  [ -d "$dir/data/osv" ] || { echo "no data/osv in golang.org/x/vulndb@${VULNDB_VERSION} ($dir)"; return 1; }
  modified=$(sed -n 's/.*"Time":"\([^"]*\)".*/\1/p' "$infofile" 2>/dev/null || true)
  echo "golang.org/x/vulndb@$(sed -n 's/.*"Version":"\([^"]*\)".*/\1/p' "$infofile") (committed ${modified:-at an unknown time})"
  "$work/vulndb" index -osv "$dir/data/osv" -out "$work/db" ${modified:+-modified "$modified"}
}

if [ -n "${VULNDB_URL:-}" ]; then
  db=$VULNDB_URL
elif local_db; then
  db="file://$work/db"
elif command -v curl >/dev/null 2>&1 &&
     curl -fsS -m 10 -o /dev/null https://vuln.go.dev/index/db.json.gz; then
  echo "WARNING: could not build the vulnerability DB from golang.org/x/vulndb@${VULNDB_VERSION}; using https://vuln.go.dev"
  db=https://vuln.go.dev
else
  cat <<EOF
################################################################################
# govulncheck SKIPPED: no vulnerability database could be had.
#  - golang.org/x/vulndb@${VULNDB_VERSION} could not be downloaded through the
#    Go module proxy, or held no data/osv (see above), and
#  - https://vuln.go.dev did not answer within 10 s (CI cannot reach it).
# Check the module proxy, or bump VULNDB_VERSION in .ci/vulndb.sh.
################################################################################
EOF
  exit 0
fi

# -format json exits 0 whatever it finds (non-zero means the scan itself
# failed, e.g. a package does not load): the verdict is the report's.
govulncheck -db "$db" -format json ./... >"$work/vuln.json"
"$work/vulndb" report -stdlib "$VULNCHECK_STDLIB" "$work/vuln.json"
