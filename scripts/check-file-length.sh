#!/usr/bin/env bash
# Fails on a source file under src/ longer than 450 lines unless one of its first three lines says
# why ("Over 450 lines: ..."): one concept a file, and a long one says what keeps it whole.
set -euo pipefail
cd "$(dirname "$0")/.."
limit=450
long=0
while IFS= read -r file; do
  lines=$(wc -l <"$file")
  [ "$lines" -le "$limit" ] && continue
  head -n 3 "$file" | grep -q "Over $limit lines:" && continue
  echo "file-length: $file has $lines lines; split it by concept, or say why it is whole in a line 'Over $limit lines: ...' at its top" >&2
  long=$((long + 1))
done < <(git ls-files 'src/*.cpp' 'src/*.hpp' 'src/*.h' 'src/*.c')
if [ "$long" -gt 0 ]; then exit 1; fi
echo "file-length: no file under src/ over $limit lines without a reason"
