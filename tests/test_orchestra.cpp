// The full orchestra as shipped: `reverie render full-orchestra` swells from pianissimo to
// fortissimo and back, then the audience applauds; measured from the file it writes.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>

#include "support/command.hpp"
#include "support/near_dc.hpp"
#include "support/sample_statistics.hpp"
#include "support/sound_file_facts.hpp"

using namespace reverie;

TEST_CASE(
    "orchestra: full-orchestra renders a swell from pianissimo to fortissimo and back, then "
    "applause") {
  test::ScratchFolder folder;
  const auto result = test::runReverie("render full-orchestra -q -o o.wav", folder.path());
  CAPTURE(result.err);
  REQUIRE(result.exitCode == 0);
  const test::FileFacts facts = test::openSoundFile(folder / "o.wav");
  const std::vector<float> left = test::channelOf(facts, 0);
  const double rate = facts.sampleRate;
  auto level = [&](double from, double to) {
    return test::rmsDb(left, static_cast<std::size_t>(from * rate),
                       static_cast<std::size_t>(to * rate));
  };
  const double pianissimo = level(1.5, 3.0), fortissimo = level(11.0, 13.0),
               after = level(19.5, 21.0);
  double previous = -1e9;
  int rising = 0;
  for (double t = 2.0; t < 12.0; t += 2.0) {  // the crescendo, two seconds at a time
    const double now = level(t, t + 2.0);
    rising += now > previous;
    previous = now;
  }
  const double applause = level(23.5, 25.5);
  MESSAGE("RMS: pianissimo " << pianissimo << " dB, fortissimo " << fortissimo
                             << " dB, diminuendo's end " << after << " dB; the crescendo rose in "
                             << rising << " of 5 two-second steps; applause " << applause << " dB");
  CHECK(fortissimo - pianissimo > 20.0);
  CHECK(fortissimo - after > 20.0);
  CHECK(rising == 5);
  CHECK(applause > after + 6.0);
}

// Issue 11: a drum's membrane displacement has a net offset, but the air it pushes does not;
// no orchestra preset may put more than -60 dBFS below 10 Hz into a loudspeaker.
TEST_CASE("orchestra: no preset puts anything below 10 Hz above -60 dBFS") {
  test::ScratchFolder folder;
  double worst = -200.0;
  for (const auto& entry : std::filesystem::directory_iterator(
           std::filesystem::path(REVERIE_SOURCE_DIR) / "presets" / "orchestra")) {
    if (entry.path().extension() != ".toml") continue;
    const std::string name = entry.path().stem().string();
    const auto result =
        test::runReverie("render " + entry.path().string() + " -q -b 32f -o dc.wav", folder.path());
    CAPTURE(name);
    CAPTURE(result.err);
    REQUIRE(result.exitCode == 0);
    const test::FileFacts facts = test::openSoundFile(folder / "dc.wav");
    double level = -200.0;
    for (int channel = 0; channel < facts.channels; ++channel)
      level =
          std::max(level, test::nearDcPeakDbfs(test::channelOf(facts, channel), facts.sampleRate));
    MESSAGE(name << ": loudest below 10 Hz " << level << " dBFS");
    CHECK(level < -60.0);
    worst = std::max(worst, level);
  }
  MESSAGE("worst below 10 Hz over the orchestra presets: " << worst << " dBFS");
}
