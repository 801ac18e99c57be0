// The full orchestra as shipped: `reverie render full-orchestra` swells from pianissimo to
// fortissimo and back, then the audience applauds; measured from the file it writes.
#include <doctest/doctest.h>

#include <cmath>

#include "support/command.hpp"
#include "support/sample_statistics.hpp"
#include "support/sound_file_facts.hpp"

using namespace reverie;

TEST_CASE("orchestra: full-orchestra renders a swell from pianissimo to fortissimo and back, then applause") {
  test::ScratchFolder folder;
  const auto result = test::runReverie("render full-orchestra -q -o o.wav", folder.path());
  CAPTURE(result.err);
  REQUIRE(result.exitCode == 0);
  const test::FileFacts facts = test::openSoundFile(folder / "o.wav");
  const std::vector<float> left = test::channelOf(facts, 0);
  const double rate = facts.sampleRate;
  auto level = [&](double from, double to) {
    return test::rmsDb(left, static_cast<std::size_t>(from * rate), static_cast<std::size_t>(to * rate));
  };
  const double pianissimo = level(1.5, 3.0), fortissimo = level(11.0, 13.0), after = level(19.5, 21.0);
  double previous = -1e9;
  int rising = 0;
  for (double t = 2.0; t < 12.0; t += 2.0) {  // the crescendo, two seconds at a time
    const double now = level(t, t + 2.0);
    rising += now > previous;
    previous = now;
  }
  const double applause = level(23.5, 25.5);
  MESSAGE("RMS: pianissimo " << pianissimo << " dB, fortissimo " << fortissimo << " dB, diminuendo's end " << after
                             << " dB; the crescendo rose in " << rising << " of 5 two-second steps; applause " << applause << " dB");
  CHECK(fortissimo - pianissimo > 20.0);
  CHECK(fortissimo - after > 20.0);
  CHECK(rising == 5);
  CHECK(applause > after + 6.0);
}
