#!/usr/bin/env bash
# Runs every fuzz target of the module for a few seconds each: finds each
# `func FuzzXxx(f *testing.F)` in a *_test.go file (skipping testdata, vendor
# and the folders the go command ignores: .name and _name), and runs
#   go test -run='^$' -fuzz='^FuzzXxx$' -fuzztime=Ns ./its/dir
# one target per invocation, as go test requires. Targets are found afresh on
# every run, so new ones are picked up without editing this file.
#
# Go 1.26's fuzzing coordinator can fail a target with a bare "context
# deadline exceeded" at the end of its -fuzztime (go.dev/issue/75804): such
# a run, with no failing input, panic or test failure in its log, is run
# again once.
#
# A failure (a crasher, or a target that does not build) fails the step once
# all targets have run; for each crasher it prints the failing input's path
# and contents, since CI's clone is thrown away. go test -fuzz writes to
# testdata/fuzz only when it finds a failure (its working corpus lives in
# GOCACHE), so a passing run leaves the clone clean; the script checks that.
#
# Environment:
#   FUZZTIME     seconds per target (default 5)
#   FUZZ_BUDGET  seconds of fuzzing in all (default 60): with more than
#                FUZZ_BUDGET/FUZZTIME targets each gets FUZZ_BUDGET/targets
#                seconds, but never under 2. Building each package for
#                fuzzing comes on top (the first build is the slow one: it
#                instruments every dependency; later ones reuse them).
set -euo pipefail
cd "$(dirname "$0")/.."

FUZZTIME=${FUZZTIME:-5}
FUZZ_BUDGET=${FUZZ_BUDGET:-60}

# "dir name" lines, sorted, for every fuzz target in the module.
mapfile -t targets < <(
  find . \( -name testdata -o -name vendor -o -name '.?*' -o -name '_*' \) -prune \
       -o -type f -name '*_test.go' -print0 |
    xargs -0 -r grep -HE '^func Fuzz[A-Za-z0-9_]*\([A-Za-z_][A-Za-z0-9_]* \*testing\.F\)' |
    sed -E 's#^\./##; s#^(.*/)?[^/]*_test\.go:func (Fuzz[A-Za-z0-9_]*)\(.*#\1 \2#; s#^ #. #; s#^(.+)/ #\1 #' |
    sort -u
)
if [ "${#targets[@]}" -eq 0 ]; then
  echo "no fuzz targets found"
  exit 0
fi

per=$FUZZTIME
if [ $((per * ${#targets[@]})) -gt "$FUZZ_BUDGET" ]; then
  per=$((FUZZ_BUDGET / ${#targets[@]}))
  [ "$per" -ge 2 ] || per=2
fi
echo "${#targets[@]} fuzz targets, ${per}s each"

# Untracked files under testdata/fuzz before we start, to tell our leftovers.
corpus_files() {
  git ls-files --others --exclude-standard -- ':(glob)**/testdata/fuzz/**' 2>/dev/null | sort
}
before=$(corpus_files)

log=$(mktemp)
trap 'rm -f "$log"' EXIT
failed=()
# deadlineRace reports whether the log is Go's fuzzing-coordinator race at
# the end of a -fuzztime window (go.dev/issue/75804, fixed in Go 1.27; this
# toolchain is 1.26): a bare "context deadline exceeded", with no failing
# input written and no panic or test failure of the target's own.
deadlineRace() {
  grep -q 'context deadline exceeded' "$log" &&
    ! grep -qE 'Failing input written|panic:|_test\.go:[0-9]+:' "$log"
}
for t in "${targets[@]}"; do
  dir=${t% *} name=${t#* }
  start=$SECONDS
  for attempt in 1 2; do
    rc=0
    # The outer timeout only guards against a wedged run (a hang in the
    # build or in a target): go test's own -fuzztime normally ends it.
    timeout --kill-after=10 $((per + 300)) \
      go test -run='^$' -fuzz="^${name}\$" -fuzztime="${per}s" "./$dir" >"$log" 2>&1 || rc=$?
    # That race is retried once; a real finding is never retried.
    if [ "$rc" -ne 0 ] && [ "$attempt" -eq 1 ] && deadlineRace; then
      echo "     $name ./$dir: the fuzzing coordinator's deadline race (go.dev/issue/75804), run again"
      continue
    fi
    break
  done
  took=$((SECONDS - start))
  if [ "$rc" -eq 0 ]; then
    stats=$(grep -E '^fuzz: elapsed:' "$log" | tail -1 | sed -E 's/^fuzz: elapsed: [^,]*, //; s/ \([0-9]+\/sec\)//')
    if grep -q 'no fuzz tests to fuzz' "$log"; then
      echo "WARNING $name ./$dir: go test found no such fuzz target (build constraints?)"
    else
      printf 'ok   %-22s ./%-28s %3ss  %s\n' "$name" "$dir" "$took" "$stats"
    fi
    continue
  fi
  failed+=("$name ./$dir")
  printf 'FAIL %-22s ./%-28s %3ss  (exit %s)\n' "$name" "$dir" "$took" "$rc"
  sed 's/^/    /' "$log"
  # "Failing input written to testdata/fuzz/FuzzXxx/0123abcd" (relative to
  # the package's folder).
  sed -n 's/.*Failing input written to \(.*\)$/\1/p' "$log" | while read -r input; do
    echo "    failing input: $dir/$input"
    echo "    re-run with:   go test -run='^${name}/$(basename "$input")\$' ./$dir"
    if [ -f "$dir/$input" ]; then
      sed 's/^/      | /' "$dir/$input"
    fi
  done
done

after=$(corpus_files)
new=$(comm -13 <(echo "$before") <(echo "$after") | sed '/^$/d')

if [ "${#failed[@]}" -gt 0 ]; then
  echo
  echo "${#failed[@]} of ${#targets[@]} fuzz targets failed:"
  printf '  %s\n' "${failed[@]}"
  [ -z "$new" ] || { echo "new failing inputs (commit them with the fix, as seed corpus):"; echo "$new" | sed 's/^/  /'; }
  exit 1
fi
if [ -n "$new" ]; then
  echo "every fuzz target passed, yet these files appeared under testdata/fuzz:"
  echo "$new" | sed 's/^/  /'
  exit 1
fi
echo "all ${#targets[@]} fuzz targets passed"
