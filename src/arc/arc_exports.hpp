// What `reverie render ARC` writes beside the audio: the scripted curves as CSV, the scenes as
// Audacity labels, the measured short-term loudness, and a plot of it all as SVG.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <vector>

#include "reverie/arc.hpp"

namespace reverie::arc {

/// EBU R128 short-term loudness (the last 3 s) at one moment.
struct LoudnessPoint {
  double seconds = 0.0;  ///< end of the 3 s window
  double lufs = -70.0;   ///< silence (-inf) and anything quieter read -70
};

/// Points per curve in writeArcPlot: one per pixel column of the plot area, first to last.
inline constexpr int kArcPlotCurvePoints = 1041;

/// The scripted curves every 10 ms from 0 to `totalSeconds` (both included) as CSV:
/// `time_s,scene,bar,tension,dynamics,density,brightness`, values from Timeline::valuesAt at
/// frame llround(t * rate), `bar` 1-based within the scene. Past the last scene the scene is
/// `tail`, its bar empty and its values the last scene's end values. Six decimals with '.'
/// whatever the locale. Written atomically; throws RuntimeFailure naming `path`.
void writeCurvesCsv(const std::filesystem::path& path, const Arc& arc, const Timeline& timeline,
                    double totalSeconds);

/// A scene as it was played: which, from where to where.
struct PlayedScene {
  std::size_t scene = 0;
  std::uint64_t startFrame = 0, endFrame = 0;
};

/// The scenes as the arc lays them out (a cued performance: performedScenes).
std::vector<PlayedScene> scriptedScenes(const Timeline& timeline);

/// Audacity region labels, one `start<TAB>end<TAB>name` line per scene played, seconds with six
/// decimals (File > Import > Labels). Written atomically; throws RuntimeFailure naming `path`.
void writeAudacityLabels(const std::filesystem::path& path, const Arc& arc,
                         const std::vector<PlayedScene>& scenes, double sampleRate);
void writeAudacityLabels(const std::filesystem::path& path, const Arc& arc,
                         const Timeline& timeline);

/// EBU R128 short-term loudness of interleaved audio every `hopSeconds` (libebur128), one point
/// per whole hop. Until 3 s have passed the window holds silence before the audio.
/// Throws InputError for a channel count, rate or hop it cannot measure.
std::vector<LoudnessPoint> shortTermLoudness(const float* interleaved, std::size_t frames,
                                             int channels, double sampleRate,
                                             double hopSeconds = 0.1);

/// shortTermLoudness for audio that arrives in pieces of any size: the same points.
class ShortTermLoudnessTrack {
 public:
  /// Throws InputError as shortTermLoudness does.
  ShortTermLoudnessTrack(int channels, double sampleRate, double hopSeconds = 0.1);
  ~ShortTermLoudnessTrack();
  void add(const float* interleaved, std::size_t frames);
  const std::vector<LoudnessPoint>& points() const { return points_; }

 private:
  struct Meter;
  std::unique_ptr<Meter> meter_;
  std::size_t width_, hop_, filled_ = 0, done_ = 0;
  double sampleRate_;
  std::vector<LoudnessPoint> points_;
};

/// A self-contained 1200x500 SVG: the four scripted curves (0..1, left axis) over time, scene
/// boundaries with their names, and `loudness` as a filled area on a right-hand LUFS axis
/// (-60..0). Written atomically; throws RuntimeFailure naming `path`.
void writeArcPlot(const std::filesystem::path& path, const Arc& arc, const Timeline& timeline,
                  double totalSeconds, const std::vector<LoudnessPoint>& loudness);

}  // namespace reverie::arc
