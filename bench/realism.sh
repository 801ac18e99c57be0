#!/usr/bin/env bash
# Compare reverie's orchestra sections with a recorded General MIDI soundfont: the same phrase
# (a held chord, then a melody) through fluidsynth and through reverie, measured by 1/3-octave
# band levels after power matching. Prints one table row per instrument.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: bench/realism.sh [--build DIR] [--soundfont FILE] [--keep DIR] [--detail] [INSTRUMENT...]

Renders a phrase (a three-second chord, then an eight-note melody of long and short notes
from piano to forte) for each instrument through fluidsynth with the soundfont (reverb and
chorus off) and through reverie's preset, and prints the mean absolute difference of their
1/3-octave band levels from 40 Hz to 16 kHz after power matching, and the three worst bands.
Band levels are floored at -60 dB under the whole, so a recording's noise floor in a band the
instrument leaves empty does not count against clean synthesis. --detail adds both band
spectra and per-note facts (attack, level at the note's end, spectral centroid, peak,
spectral flatness) for listening by numbers; --keep DIR keeps the MIDI files and renders.

Instruments (GM program -> reverie preset): strings (48 -> strings), brass (61 -> brass),
oboe (68 -> oboe), choir (52 -> choir), timpani (47 -> timpani). Default: all five.
Targets (issue 11): strings and brass <= 4 dB, oboe, choir and timpani <= 6 dB.

Needs: the reverie build (reverie and reverie_realism, built with the bench targets, the
default), fluidsynth and the MuseScore General Lite soundfont. On Debian or Ubuntu:
  sudo apt-get install fluidsynth musescore-general-soundfont-small
This script installs nothing; the soundfont is a reference for measuring, not something
reverie plays.
EOF
}

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build"
soundfont=/usr/share/sounds/sf3/MuseScore_General_Lite.sf3
keep=""
detail=0
instruments=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --build) build="$2"; shift 2 ;;
    --soundfont) soundfont="$2"; shift 2 ;;
    --keep) keep="$2"; shift 2 ;;
    --detail) detail=1; shift ;;
    -*) echo "realism.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) instruments+=("$1"); shift ;;
  esac
done
[[ ${#instruments[@]} -gt 0 ]] || instruments=(strings brass oboe choir timpani)

command -v fluidsynth >/dev/null || { echo "realism.sh: fluidsynth not found (see --help)" >&2; exit 1; }
[[ -f "$soundfont" ]] || { echo "realism.sh: no soundfont at $soundfont (see --help)" >&2; exit 1; }
for tool in reverie reverie_realism; do
  [[ -x "$build/$tool" ]] || { echo "realism.sh: $build/$tool not built (cmake --build $build)" >&2; exit 1; }
done

if [[ -n "$keep" ]]; then
  mkdir -p "$keep"
  work="$keep"
else
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
fi

program_of() {
  case "$1" in
    strings) echo 48 ;; brass) echo 61 ;; oboe) echo 68 ;; choir) echo 52 ;; timpani) echo 47 ;;
    *) echo "realism.sh: unknown instrument $1 (strings, brass, oboe, choir, timpani)" >&2; exit 2 ;;
  esac
}

printf '%-8s %8s  %s\n' instrument mean_dB 'worst bands (reverie minus reference)'
for name in "${instruments[@]}"; do
  program="$(program_of "$name")"
  "$build/reverie_realism" phrase "$program" "$work/$name.mid"
  fluidsynth -n -i -q -R 0 -C 0 -g 0.5 -r 48000 -T wav -O float -F "$work/$name.ref.wav" \
    "$soundfont" "$work/$name.mid" >/dev/null 2>&1
  "$build/reverie" render "$work/$name.mid" --preset "$name" -r 48000 -b 32f -q \
    -o "$work/$name.reverie.wav"
  result="$("$build/reverie_realism" compare "$program" "$work/$name.ref.wav" "$work/$name.reverie.wav")"
  summary="$(head -n 1 <<<"$result")"
  mean="$(awk '{print $2}' <<<"$summary")"
  worst="$(cut -d: -f2- <<<"$summary")"
  printf '%-8s %8s  %s\n' "$name" "$mean" "$worst"
  [[ $detail -eq 0 ]] || tail -n +2 <<<"$result"
done
