// Arcs: a scripted dramatic curve over a patch, scene by scene, that the composer performs.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "reverie/preset.hpp"

namespace reverie {

/// How a curve moves from its start value to its end value across a scene.
enum class CurveShape : std::uint8_t {
  kLinear,       ///< straight line
  kExponential,  ///< slow start, fast finish: (e^(3x) - 1) / (e^3 - 1) of the way
  kSCurve,       ///< eased in and out (smoothstep)
  kHold,         ///< stays at the start value, jumps to the end value at the next scene
};

/// Name in arc files: "linear", "exp", "s-curve", "hold".
std::string_view curveShapeName(CurveShape shape);

struct Curve {
  float from = 0.0f;
  float to = 0.0f;
  CurveShape shape = CurveShape::kLinear;
  /// The value at `position` (0 = the scene's start, 1 = its end; clamped).
  float valueAt(double position) const noexcept;
};

/// What the composer does in a scene, beyond choosing harmony for the sections that play.
/// One table (kTextures) names and describes them for the parser, the docs and `--help`.
enum class Texture : std::uint8_t {
  kChorale,    ///< sustained chords in every section that plays (the default harmony)
  kTheme,      ///< the theme, stated by the lead section in the scene's key, with variations
  kImprovise,  ///< crystal sections improvise on the theme and the chords
  kTremolo,    ///< strings reiterate the bow, faster with tension
  kSwell,      ///< dynamics swell into every phrase end and fall back at the bar line
  kStabs,      ///< brass stabs: short accented chords, syncopated as tension rises
  kHeartbeat,  ///< timpani heartbeat on the tonic, quickening with tension
  kRoll,       ///< timpani rolls that swell into phrase ends
  kCadence,  ///< harmony in cadences: a cadential plan per phrase (I - IV - V7 - I and kin), V7 - I
             ///< at the end
  kShatter,  ///< crystal shatter sections burst into shards on chord tones
  kDrop,     ///< one crystal note at the scene's start, left to ring
  kTuning,   ///< the tuning node plays its scene (the oboe's A)
  kMurmur,   ///< the audience talks, softer as dynamics rise
  kApplause,  ///< the audience applauds with the dynamics curve, cheering at the top
  kSilence,   ///< nothing new is played; what sounds is released
  kTicking,   ///< the arc's clock section ticks on every eighth note, tick and tock
};

struct TextureInfo {
  Texture texture;
  std::string_view name;
  std::string_view description;
};
/// Every texture with its name in arc files and a one-line description.
std::span<const TextureInfo> textureTable();

/// A node parameter driven by a curve across a scene: node.parameter.
struct Automation {
  std::string node;
  std::string parameter;
  int parameterIndex = -1;  ///< `parameter`'s row in the node type's table (the parser finds it)
  Curve curve;              ///< in the parameter's own unit, within its range
};

enum class Mode : std::uint8_t { kMajor, kMinor };

/// Where a cued change of scene lands (a scene's `exit`): the next bar line, beat or phrase
/// (every kPhraseBars bars from the scene's start) at or after the cue.
enum class SceneExit : std::uint8_t { kBar, kBeat, kPhrase };

/// The one-shot gestures a cue, a controller or OSC may fire over whatever plays, each by the
/// sections whose role can play it.
enum class Stinger : std::uint8_t { kShatter, kDrop, kCheer, kStab, kSwell, kRoll };
inline constexpr int kStingerCount = 6;

/// Where a fired stinger lands: the next beat or bar line at or after it, or at once.
enum class Quantise : std::uint8_t { kBeat, kBar, kNow };

struct StingerInfo {
  Stinger stinger;
  std::string_view name;
  std::string_view description;  ///< which sections play it, and how
};
/// Every stinger with its name in arcs, cue files and OSC, in Stinger's order.
std::span<const StingerInfo> stingerTable();
/// The stinger named `name` ("shatter", ...), or nothing.
std::optional<Stinger> stingerNamed(std::string_view name);
/// Names in arc files: "bar", "beat", "phrase"; "beat", "bar", "now".
std::string_view sceneExitName(SceneExit exit);
std::string_view quantiseName(Quantise quantise);

struct Scene {
  std::string name;
  int bars = 0;  ///< whole bars; a length in seconds is rounded to the nearest bar (at least 1)
  double tempo =
      0.0;  ///< quarter notes per minute in this scene (the arc's unless the scene sets one)
  Curve tension, dynamics, density, brightness;  ///< each 0..1
  int transpose = 0;  ///< semitones from the home key (key = "F#" is stored as its offset)
  std::vector<std::string> sections;  ///< patch node names that play in this scene
  std::vector<Texture> textures;
  std::vector<Automation> automation;
  /// A held scene vamps past its bars (its curves at their end values, its last phrase played
  /// anew) until a cue moves on, or until `holdMaxBars` bars in all (0: no limit).
  bool hold = false;
  int holdMaxBars = 0;
  SceneExit exit = SceneExit::kBar;  ///< where a cued change of scene lands
  int line = 0;                      ///< where the scene starts in the file, for messages
  bool has(Texture texture) const;
};

/// The theme the composer states and varies: scale degrees (0 = tonic, 7 = the octave above,
/// negative below) with lengths in beats.
struct Theme {
  std::vector<int> degrees = {4, 2, 3, 4, 7, 6, 4, 2, 1, 0};
  std::vector<double> beats = {1.0, 0.5, 0.5, 1.0, 1.5, 0.5, 1.0, 1.0, 1.0, 1.0};
  double totalBeats() const;
};

/// A validated arc.
struct Arc {
  std::string name;  ///< file stem
  std::string description;
  std::string sourcePath;
  std::string patchName;  ///< as written in the file
  Patch patch;            ///< the patch it plays on, loaded and validated
  double tempo = 96.0;    ///< quarter notes per minute
  int beatsPerBar = 4;    ///< meter numerator
  int beatUnit = 4;       ///< meter denominator: 2, 4, 8 or 16
  int homeKey = 2;        ///< pitch class of the tonic, 0 = C
  Mode mode = Mode::kMajor;
  std::string clock;  ///< the patch node that ticks in `ticking` scenes ([music] clock), or empty
  double tailSeconds = 6.0;  ///< rendered after the last scene so the hall can ring out
  Theme theme;
  std::vector<Scene> scenes;
  /// Where each stinger lands, by Stinger ([stingers] in the file; beat unless it says), and the
  /// MIDI key and controller that fire it live (-1: none).
  std::array<Quantise, kStingerCount> stingerQuantise{};
  std::array<int, kStingerCount> stingerNote{-1, -1, -1, -1, -1, -1};
  std::array<int, kStingerCount> stingerController{-1, -1, -1, -1, -1, -1};
};

/// The highest arc format this build reads.
inline constexpr int kArcFormatVersion = 1;

/// Seconds of one beat (the meter's unit) of `scene`, and of one of its bars. Timeline, the
/// composer and the parser all measure with these, so their bar lines agree to the last bit.
double beatSeconds(const Arc& arc, const Scene& scene);
double barSeconds(const Arc& arc, const Scene& scene);

/// Parses and validates an arc, loading its patch with findPreset (relative paths are taken
/// from the arc's folder first). Throws PresetError listing every located problem.
Arc parseArc(std::string_view text, const std::string& sourceName);
/// Reads and validates an arc file; a missing file is a PresetError too.
Arc loadArc(const std::filesystem::path& path);
/// True if the TOML file is an arc (it has [[scene]] tables) rather than a patch. Cheap: reads
/// the file only far enough to tell; false for anything unreadable.
bool isArcFile(const std::filesystem::path& path);

/// The arc laid out in frames at one sample rate: every scene starts and ends on a bar line.
/// Bar line b of a scene falls at frame llround((sceneStartSeconds + b * barSeconds) * rate),
/// and a scene's start in seconds is the sum of the whole bars before it, so bar lines never
/// drift however long the piece.
class Timeline {
 public:
  Timeline(const Arc& arc, double sampleRate);

  struct Span {
    std::uint64_t startFrame = 0, endFrame = 0;
    double startSeconds = 0.0;
    double barSeconds = 0.0;   ///< length of one bar at this scene's tempo
    double beatSeconds = 0.0;  ///< length of one beat (the meter's unit)
    int bars = 0;
  };
  const std::vector<Span>& spans() const { return spans_; }
  std::uint64_t totalFrames() const { return spans_.empty() ? 0 : spans_.back().endFrame; }
  double sampleRate() const { return sampleRate_; }
  /// Frame of bar line `bar` (0 = the scene's start, bars = its end) of scene `scene`.
  std::uint64_t barFrame(std::size_t scene, int bar) const;

  /// Ticks of the 16th-note grid in a bar of the arc's meter, and in a beat.
  int ticksPerBar() const { return ticksPerBar_; }
  int ticksPerBeat() const { return ticksPerBeat_; }
  /// The grid of scene `scene` when the scene starts at `startSeconds`: its own start
  /// (spans()[scene].startSeconds) as laid out, or another when a cue moved the scene (a cued
  /// change may start it on a beat). Bar lines fall as barFrame puts them, ticks between them,
  /// and past the scene's bars too: a held scene keeps counting bars at its tempo until a cue
  /// ends it. Any thread, no allocation.
  double barStartSeconds(std::size_t scene, double startSeconds, int bar) const noexcept;
  std::uint64_t tickFrame(std::size_t scene, double startSeconds, int tick) const noexcept;
  /// The frame where scene `scene` ends when it starts at `startSeconds` and plays all its bars.
  std::uint64_t endFrame(std::size_t scene, double startSeconds) const noexcept;
  /// The scene sounding at `frame` (the last one past the end).
  std::size_t sceneAt(std::uint64_t frame) const;
  /// How far through its scene `frame` is, 0..1.
  double positionInScene(std::uint64_t frame) const;

  struct Values {
    float tension = 0, dynamics = 0, density = 0, brightness = 0;
  };
  /// The scripted curves at `frame`.
  Values valuesAt(std::uint64_t frame) const;

 private:
  struct SceneCurves {
    Curve tension, dynamics, density, brightness;
  };
  std::uint64_t frameAt(double seconds) const noexcept;

  std::vector<SceneCurves> curves_;
  double sampleRate_;
  int ticksPerBar_ = 16, ticksPerBeat_ = 4;
  std::vector<Span> spans_;
};

}  // namespace reverie
