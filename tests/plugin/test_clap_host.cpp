// The CLAP build in a minimal CLAP host of the test's own (dlopen, clap_entry, the plugin
// factory, state and process with MIDI events; DPF's CLAP headers): a preset chosen by state
// renders what `reverie render FILE.mid --preset P` writes, and the state it saves chooses the
// same preset in a fresh instance.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "midi/smf_reader.hpp"
#include "plugin/clap_host.hpp"
#include "plugin/phrase.hpp"
#include "support/command.hpp"

namespace reverie::test {

TEST_CASE("plugin: the CLAP build renders what reverie render does, and round-trips its state") {
  ScratchFolder folder;
  const auto phrase = writePhrase(folder.path());
  const std::vector<FramedMidi> messages = framedMessages(midi::loadMidiFile(phrase));
  const std::string preset = "ice-violin";
  const Stereo reference = renderReference(phrase, preset, folder.path());
  const auto frames = static_cast<std::uint64_t>(reference.left.size());

  StateBytes saved;
  {
    ClapInstance chosen;
    StateBytes state = presetState(preset);
    REQUIRE(chosen.load(state));
    chosen.start(256);
    const Stereo out = chosen.render(messages, frames + 4096, 256);
    const Comparison c = compareAfterLatency(out, chosen.latency(), reference);
    MESSAGE("CLAP, " << preset << " chosen by state, blocks of 256: " << c.frames
                     << " frames after a latency of " << chosen.latency() << ", " << c.differing
                     << " differ (largest by " << c.largestDifference << "); peak " << c.peak);
    CHECK(c.peak > 0.01f);
    CHECK(c.differing == 0);
    saved = chosen.save();
  }
  // The saved state, loaded into a fresh instance, chooses the same preset.
  ClapInstance restored;
  REQUIRE(restored.load(saved));
  restored.start(1000);
  const Stereo out = restored.render(messages, frames + 4096, 1000);
  const Comparison c = compareAfterLatency(out, restored.latency(), reference);
  std::string shown(saved.bytes.begin(), saved.bytes.end() - 2);  // without the terminator
  std::replace(shown.begin(), shown.end(), '\0', '|');
  MESSAGE("CLAP, the saved state ("
          << shown << ") in a fresh instance, blocks of 1000: " << c.differing << " of " << c.frames
          << " frames differ (largest by " << c.largestDifference << "); peak " << c.peak
          << ", latency " << restored.latency());
  CHECK(c.differing == 0);
}

}  // namespace reverie::test
