#!/usr/bin/env bash
# Fails when a tracked C++ file (*.cpp *.hpp *.h) differs from clang-format 14's output with the
# repository's .clang-format, naming each such file and the fix. check.sh runs it first.
# Another clang-format version formats a few constructs differently, so version 14 is required
# (Debian 12's; scripts/install-deps.sh installs it).
set -euo pipefail
cd "$(dirname "$0")/.."

formatter=""
for candidate in clang-format-14 clang-format; do
  if command -v "$candidate" >/dev/null &&
    "$candidate" --version | grep -q 'clang-format version 14\.'; then
    formatter=$candidate
    break
  fi
done
if [ -z "$formatter" ]; then
  echo "format: clang-format 14 not found (Debian: apt-get install clang-format-14, or run scripts/install-deps.sh)" >&2
  exit 2
fi

# One clang-format for all files (--dry-run -Werror reports "FILE:LINE:COL: error: ..." for each
# place that would change); then one line per file that differs.
mapfile -d '' files < <(git ls-files -z -- '*.cpp' '*.hpp' '*.h')
report=$("$formatter" --style=file --dry-run -Werror --ferror-limit=1 "${files[@]}" 2>&1) && status=0 || status=$?
mapfile -t bad < <(printf '%s\n' "$report" | sed -n 's/^\(.*\):[0-9]*:[0-9]*: error: code should be clang-formatted.*$/\1/p' | sort -u)
if [ "$status" -ne 0 ] && [ "${#bad[@]}" -eq 0 ]; then
  printf '%s\n' "$report" >&2
  echo "format: $formatter failed" >&2
  exit 2
fi
for file in "${bad[@]}"; do
  echo "format: $file differs from .clang-format; fix: clang-format -i $file (or git clang-format for your change only)" >&2
done
if [ "${#bad[@]}" -gt 0 ]; then
  echo "format: ${#bad[@]} of ${#files[@]} files differ from .clang-format" >&2
  exit 1
fi
echo "format: ${#files[@]} C++ files match .clang-format ($formatter)"
