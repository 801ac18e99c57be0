#!/usr/bin/env bash
# Golden renders: a few short renders whose SHA-256 are committed in tests/golden/hashes.txt, so
# that a change of sound, even of one bit, is seen and made on purpose.
#
#   scripts/golden.sh [BUILD_DIR]            render and compare (check.sh runs this)
#   scripts/golden.sh --update [BUILD_DIR]   render and write the hashes anew
#
# BUILD_DIR holds the reverie binary (default: build). The hashes belong to the toolchain named
# at the top of hashes.txt (g++ 12, Release, x86-64): another compiler or build type may round
# differently and give other, equally valid, bits. Each hash is of the whole 32-bit float WAV.
# Needs only bash and coreutils (the MIDI file is written here, byte by byte).
set -euo pipefail
cd "$(dirname "$0")/.."
HASHES=tests/golden/hashes.txt

update=0
if [ "${1:-}" = "--update" ]; then update=1; shift; fi
build=${1:-build}
bin=$(readlink -f "$build/reverie" || true)
if [ ! -x "$bin" ]; then
  echo "golden: no reverie binary in '$build' (build it, or pass its build folder)" >&2
  exit 2
fi

# The toolchain that made the binary, from CMake's record of it.
toolchain() {
  local id version type
  id=$(sed -n 's/^set(CMAKE_CXX_COMPILER_ID "\(.*\)")$/\1/p' "$build"/CMakeFiles/*/CMakeCXXCompiler.cmake 2>/dev/null | head -n1)
  version=$(sed -n 's/^set(CMAKE_CXX_COMPILER_VERSION "\(.*\)")$/\1/p' "$build"/CMakeFiles/*/CMakeCXXCompiler.cmake 2>/dev/null | head -n1)
  type=$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$build/CMakeCache.txt" 2>/dev/null)
  echo "${id:-unknown} ${version:-?} ${type:-?} $(uname -m)"
}

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# A six-note phrase as a Standard MIDI File (format 0, 480 ticks a beat, 120 bpm, program 0):
# a C major chord, then C5, B4 and a long G4.
vlq() {  # prints a MIDI variable-length quantity as \x escapes
  local n=$1 s
  s=$(printf '\\x%02x' $((n & 0x7f)))
  n=$((n >> 7))
  while [ "$n" -gt 0 ]; do
    s=$(printf '\\x%02x' $(((n & 0x7f) | 0x80)))$s
    n=$((n >> 7))
  done
  printf '%s' "$s"
}
write_phrase() {
  local events=() at=0 last=0 track line tick status key velocity delta length
  local notes=("0 60 100 480" "0 64 90 480" "0 67 80 480" "480 72 110 240" "240 71 70 240"
               "240 67 90 960")
  for line in "${notes[@]}"; do
    read -r delta key velocity length <<<"$line"
    at=$((at + delta))
    events+=("$(printf '%08d %03d %03d %03d' "$at" 0x90 "$key" "$velocity")")
    events+=("$(printf '%08d %03d %03d %03d' $((at + length)) 0x80 "$key" 0)")
  done
  track='\x00\xff\x51\x03\x07\xa1\x20\x00\xc0\x00'  # tempo 500000 us, program change 0
  while read -r tick status key velocity; do
    tick=$((10#$tick)) status=$((10#$status)) key=$((10#$key)) velocity=$((10#$velocity))
    track+=$(vlq $((tick - last)))$(printf '\\x%02x\\x%02x\\x%02x' "$status" "$key" "$velocity")
    last=$tick
  done < <(printf '%s\n' "${events[@]}" | sort)
  track+='\x00\xff\x2f\x00'
  local size=$((${#track} / 4))
  printf '%b' 'MThd\x00\x00\x00\x06\x00\x00\x00\x01\x01\xe0' >"$1"
  printf '%b' "MTrk$(printf '\\x%02x\\x%02x\\x%02x\\x%02x' $((size >> 24 & 255)) \
    $((size >> 16 & 255)) $((size >> 8 & 255)) $((size & 255)))$track" >>"$1"
}
write_phrase "$out/phrase.mid"

# name | what it covers | arguments to `reverie render`
RENDERS=(
  "arc-performance|the-performance, backstage into the overture|the-performance --seed 1 --length 30 --tail 2"
  "arc-clockwork|clockwork's first scenes|clockwork --seed 2 --length 20 --tail 2"
  "preset-glass-harmonica|a crystal preset|glass-harmonica"
  "preset-full-orchestra|every orchestra section in one patch|full-orchestra"
  "midi-strings|a MIDI file through the strings|$out/phrase.mid --preset strings"
)

actual=()
for entry in "${RENDERS[@]}"; do
  IFS='|' read -r name _ args <<<"$entry"
  read -r -a argv <<<"$args"
  if ! "$bin" render "${argv[@]}" -b 32f -q -o "$out/$name.wav" >"$out/$name.log" 2>&1; then
    echo "golden: render '$name' failed: reverie render ${args//$out\//}" >&2
    cat "$out/$name.log" >&2
    exit 1
  fi
  actual+=("$(sha256sum "$out/$name.wav" | cut -d' ' -f1)  $name")
done

if [ "$update" = 1 ]; then
  {
    echo "# Golden renders (scripts/golden.sh): sha256 of each 32-bit float WAV."
    echo "# toolchain: $(toolchain)"
    echo "# Update only on purpose (scripts/golden.sh --update) and say in the commit why the sound changed."
    printf '%s\n' "${actual[@]}"
  } >"$HASHES"
  echo "golden: wrote ${#actual[@]} hashes to $HASHES ($(toolchain))"
  exit 0
fi

if [ ! -f "$HASHES" ]; then
  echo "golden: no $HASHES: create it with scripts/golden.sh --update" >&2
  exit 2
fi
expected_toolchain=$(sed -n 's/^# toolchain: //p' "$HASHES")
failed=0
for i in "${!RENDERS[@]}"; do
  IFS='|' read -r name what args <<<"${RENDERS[$i]}"
  want=$(awk -v n="$name" '$2 == n { print $1 }' "$HASHES")
  got=${actual[$i]%% *}
  if [ "$got" != "$want" ]; then
    shown=${want:0:12}
    shown=${shown:-nothing}
    echo "golden: render '$name' ($what: reverie render ${args//$out\//}) changed: sha256 ${got:0:12}, committed ${shown}; if the new sound is meant, run scripts/golden.sh --update and say why in the commit (hashes are for ${expected_toolchain:-?}, this build is $(toolchain))" >&2
    failed=1
  fi
done
[ "$failed" = 0 ] || exit 1
echo "golden: ${#RENDERS[@]} renders match $HASHES"
