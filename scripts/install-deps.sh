#!/usr/bin/env bash
# Installs everything reverie needs to build and test, from Debian's packages (Debian 12, root).
# jackd2 is for the live tests: they start a dummy JACK server of their own. GNU time reports a
# child's own peak memory for the input-limit tests. clang-format-14 is the formatter check.sh
# holds the tree to (clang-format adds the plain `clang-format` and `git clang-format` names).
# liblo-dev is the OSC library of `play --osc`; liblo-tools (oscsend, oscdump) are for trying it.
# ableton-link-dev (header-only, with libasio-dev) is `play --sync link`.
# python3-mido is the second, independent reader of the MIDI files `render --export-midi` writes.
# dpf-source (the DISTRHO Plugin Framework's sources) builds the LV2/CLAP/VST3 plugin; the
# plugin tests host it with liblilv-dev and jalv, and validate its TTL with lv2-dev's
# lv2_validate, which needs sordi.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
# jackd2 asks whether to enable real-time limits; answer in advance so apt never waits.
echo "jackd2 jackd/tweak_rt_limits boolean false" | $SUDO debconf-set-selections
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
  g++ cmake ninja-build pkg-config make \
  portaudio19-dev librtmidi-dev libjack-jackd2-dev jackd2 libsndfile1-dev libebur128-dev \
  doctest-dev libtomlplusplus-dev libcli11-dev libbenchmark-dev \
  clang-format-14 clang-format util-linux time python3-mido \
  dpf-source lv2-dev liblilv-dev jalv sordi liblo-dev liblo-tools ableton-link-dev libasio-dev >/dev/null
echo "install-deps: done"
