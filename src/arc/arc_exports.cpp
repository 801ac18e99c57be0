// Curve CSV, Audacity labels, short-term loudness and the SVG arc plot.
#include "arc/arc_exports.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "io/atomic_file.hpp"
#include "io/ebur128_meter.hpp"
#include "reverie/errors.hpp"

namespace reverie::arc {
namespace {

// BS.1770-4's absolute gate: nothing quieter counts, so it is where "silence" is reported.
constexpr double kSilenceLufs = -70.0;
constexpr double kCsvStepSeconds = 0.01;

/// `value` with `decimals` digits after a '.', never the locale's separator.
void appendFixed(std::string& out, double value, int decimals) {
  std::array<char, 400> buffer;  // room for any double in fixed notation
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value + 0.0,
                                    std::chars_format::fixed, decimals);
  out.append(buffer.data(), result.ptr);
}

/// RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled.
void appendCsvField(std::string& out, std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += text;
    return;
  }
  out += '"';
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

void appendXmlEscaped(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // XML 1.0 allows no control characters but tab and line breaks.
        out +=
            (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') ? ' ' : c;
    }
  }
}

void requireDuration(double totalSeconds) {
  if (!(totalSeconds >= 0.0) || !std::isfinite(totalSeconds)) {
    throw std::invalid_argument("arc export: totalSeconds must be finite and not negative");
  }
}

std::uint64_t frameAt(const Timeline& timeline, double seconds) {
  return static_cast<std::uint64_t>(std::llround(seconds * timeline.sampleRate()));
}

/// The 1-based bar of `scene` that `frame` falls in, exact against the timeline's bar lines.
int barInScene(const Timeline& timeline, std::size_t scene, std::uint64_t frame) {
  const Timeline::Span& span = timeline.spans()[scene];
  const int lastBar = std::max(span.bars - 1, 0);
  const double intoScene = static_cast<double>(frame) / timeline.sampleRate() - span.startSeconds;
  int bar = std::clamp(static_cast<int>(std::floor(intoScene / span.barSeconds)), 0, lastBar);
  while (bar > 0 && timeline.barFrame(scene, bar) > frame) --bar;
  while (bar < lastBar && timeline.barFrame(scene, bar + 1) <= frame) ++bar;
  return bar + 1;
}

// ---- The plot's layout, in SVG user units (pixels at 100 %) ----
constexpr int kWidth = 1200;
constexpr int kHeight = 500;
constexpr double kLeft = 80.0;
constexpr double kPlotWidth = kArcPlotCurvePoints - 1;
constexpr double kRight = kLeft + kPlotWidth;
constexpr double kTop = 64.0;
constexpr double kBottom = 420.0;
constexpr double kLufsFloor = -60.0;
constexpr const char* kFont = "font-family=\"sans-serif\"";

struct CurveStyle {
  const char* name;
  const char* colour;
  float Timeline::Values::*value;
};
// Tableau 10's first four: distinct in hue and in lightness, so they survive greyscale printing.
constexpr std::array<CurveStyle, 4> kCurves = {{
    {"tension", "#d62728", &Timeline::Values::tension},
    {"dynamics", "#1f77b4", &Timeline::Values::dynamics},
    {"density", "#2ca02c", &Timeline::Values::density},
    {"brightness", "#ff7f0e", &Timeline::Values::brightness},
}};
constexpr const char* kLoudnessFill = "#8c8c8c";

/// SVG attribute text: one decimal is a tenth of a pixel.
std::string px(double value) {
  std::string out;
  appendFixed(out, value, 1);
  return out;
}

/// m:ss for a whole number of seconds.
std::string minutesSeconds(long seconds) {
  std::string out = std::to_string(seconds / 60) + ":";
  if (seconds % 60 < 10) out += '0';
  return out + std::to_string(seconds % 60);
}

/// The smallest tick step (in seconds) that puts at most a dozen ticks on the time axis.
long timeTickSeconds(double totalSeconds) {
  for (long step : {1L, 2L, 5L, 10L, 15L, 20L, 30L, 60L, 120L, 300L, 600L, 900L, 1800L}) {
    if (totalSeconds / static_cast<double>(step) <= 12.0) return step;
  }
  return 3600L * std::max(1L, static_cast<long>(std::ceil(totalSeconds / 3600.0 / 12.0)));
}

}  // namespace

void writeCurvesCsv(const std::filesystem::path& path, const Arc& arc, const Timeline& timeline,
                    double totalSeconds) {
  requireDuration(totalSeconds);
  // A row count from the step, not a running sum, so 10 ms never drifts into 9.999 ms.
  const auto rows = static_cast<std::size_t>(std::floor(totalSeconds / kCsvStepSeconds + 1e-9)) + 1;
  std::string out = "time_s,scene,bar,tension,dynamics,density,brightness\n";
  out.reserve(out.size() + rows * 64);
  for (std::size_t row = 0; row < rows; ++row) {
    const double seconds = static_cast<double>(row) * kCsvStepSeconds;
    const std::uint64_t frame = frameAt(timeline, seconds);
    appendFixed(out, seconds, 6);
    out += ',';
    if (frame >= timeline.totalFrames()) {
      out += "tail,";
    } else {
      const std::size_t scene = timeline.sceneAt(frame);
      appendCsvField(out, arc.scenes.at(scene).name);
      out += ',';
      out += std::to_string(barInScene(timeline, scene, frame));
    }
    const Timeline::Values values = timeline.valuesAt(frame);
    for (const CurveStyle& curve : kCurves) {
      out += ',';
      appendFixed(out, values.*curve.value, 6);
    }
    out += '\n';
  }
  io::writeFileAtomically(path, out);
}

std::vector<PlayedScene> scriptedScenes(const Timeline& timeline) {
  std::vector<PlayedScene> scenes;
  for (std::size_t i = 0; i < timeline.spans().size(); ++i)
    scenes.push_back({i, timeline.spans()[i].startFrame, timeline.spans()[i].endFrame});
  return scenes;
}

void writeAudacityLabels(const std::filesystem::path& path, const Arc& arc,
                         const std::vector<PlayedScene>& scenes, double sampleRate) {
  std::string out;
  for (const PlayedScene& scene : scenes) {
    appendFixed(out, static_cast<double>(scene.startFrame) / sampleRate, 6);
    out += '\t';
    appendFixed(out, static_cast<double>(scene.endFrame) / sampleRate, 6);
    out += '\t';
    // A tab or line break in a name would split the line; Audacity reads the rest as the label.
    for (char c : arc.scenes.at(scene.scene).name)
      out += (c == '\t' || c == '\n' || c == '\r') ? ' ' : c;
    out += '\n';
  }
  io::writeFileAtomically(path, out);
}

void writeAudacityLabels(const std::filesystem::path& path, const Arc& arc,
                         const Timeline& timeline) {
  writeAudacityLabels(path, arc, scriptedScenes(timeline), timeline.sampleRate());
}

struct ShortTermLoudnessTrack::Meter {
  Meter(int channels, long rate) : meter(channels, rate, EBUR128_MODE_S) {}
  io::Ebur128Meter meter;
};

ShortTermLoudnessTrack::ShortTermLoudnessTrack(int channels, double sampleRate, double hopSeconds)
    : sampleRate_(sampleRate) {
  const long rate = std::lround(sampleRate);
  const long long hopFrames = std::llround(hopSeconds * sampleRate);
  if (channels < 1 || rate < 1 || static_cast<double>(rate) != sampleRate || hopFrames < 1) {
    throw InputError("cannot measure short-term loudness of " + std::to_string(channels) +
                     " channels at " + std::to_string(sampleRate) + " Hz every " +
                     std::to_string(hopSeconds) +
                     " s (use a whole sample rate such as 48000 and a hop of at least one frame)");
  }
  meter_ = std::make_unique<Meter>(channels, rate);
  width_ = static_cast<std::size_t>(channels);
  hop_ = static_cast<std::size_t>(hopFrames);
}

ShortTermLoudnessTrack::~ShortTermLoudnessTrack() = default;

void ShortTermLoudnessTrack::add(const float* interleaved, std::size_t frames) {
  while (frames > 0) {
    const std::size_t take = std::min(frames, hop_ - filled_);
    meter_->meter.add(interleaved, take, "short-term loudness measurement failed (out of memory?)");
    interleaved += take * width_;
    frames -= take;
    filled_ += take;
    done_ += take;
    if (filled_ < hop_) continue;
    filled_ = 0;
    const double lufs = meter_->meter.shortTermLufs();
    points_.push_back({static_cast<double>(done_) / sampleRate_, std::max(lufs, kSilenceLufs)});
  }
}

std::vector<LoudnessPoint> shortTermLoudness(const float* interleaved, std::size_t frames,
                                             int channels, double sampleRate, double hopSeconds) {
  ShortTermLoudnessTrack track(channels, sampleRate, hopSeconds);
  track.add(interleaved, frames);
  return track.points();
}

void writeArcPlot(const std::filesystem::path& path, const Arc& arc, const Timeline& timeline,
                  double totalSeconds, const std::vector<LoudnessPoint>& loudness) {
  requireDuration(totalSeconds);
  // A zero-length piece still gets a drawable axis.
  const double axisSeconds = totalSeconds > 0.0 ? totalSeconds : 1.0;
  auto xAt = [&](double seconds) {
    return kLeft + std::clamp(seconds / axisSeconds, 0.0, 1.0) * kPlotWidth;
  };
  auto yAtValue = [](double value) {
    return kBottom - std::clamp(value, 0.0, 1.0) * (kBottom - kTop);
  };
  auto yAtLufs = [](double lufs) {
    return kBottom - std::clamp((lufs - kLufsFloor) / -kLufsFloor, 0.0, 1.0) * (kBottom - kTop);
  };

  std::string out;
  out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(kWidth) +
         "\" height=\"" + std::to_string(kHeight) + "\" viewBox=\"0 0 " + std::to_string(kWidth) +
         " " + std::to_string(kHeight) + "\" " + kFont + ">\n";
  out += "<title>";
  appendXmlEscaped(out, arc.name);
  if (!arc.description.empty()) {
    out += " \xE2\x80\x94 ";  // an em dash
    appendXmlEscaped(out, arc.description);
  }
  out += "</title>\n";
  out += "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n";
  out += "<text x=\"" + px(kLeft) + "\" y=\"26\" font-size=\"18\" font-weight=\"bold\">";
  appendXmlEscaped(out, arc.name);
  out += "</text>\n";
  if (!arc.description.empty()) {
    out += "<text x=\"" + px(kLeft) + "\" y=\"46\" font-size=\"12\" fill=\"#444444\">";
    appendXmlEscaped(out, arc.description);
    out += "</text>\n";
  }

  // Grid and the left axis (0..1), then the right axis (LUFS).
  out += "<g font-size=\"11\" fill=\"#333333\">\n";
  for (int i = 0; i <= 4; ++i) {
    const double y = yAtValue(i / 4.0);
    out += "<line x1=\"" + px(kLeft) + "\" y1=\"" + px(y) + "\" x2=\"" + px(kRight) + "\" y2=\"" +
           px(y) + "\" stroke=\"#e4e4e4\"/>\n";
    std::string label;
    appendFixed(label, i / 4.0, 2);
    out += "<text x=\"" + px(kLeft - 6) + "\" y=\"" + px(y + 4) + "\" text-anchor=\"end\">" +
           label + "</text>\n";
  }
  for (int lufs = static_cast<int>(kLufsFloor); lufs <= 0; lufs += 10) {
    const double y = yAtLufs(lufs);
    out += "<text x=\"" + px(kRight + 6) + "\" y=\"" + px(y + 4) + "\">" + std::to_string(lufs) +
           "</text>\n";
  }
  out += "<text transform=\"translate(24," + px((kTop + kBottom) / 2) +
         ") rotate(-90)\" text-anchor=\"middle\">scripted curves (0..1)</text>\n";
  out += "<text transform=\"translate(" + px(kWidth - 16) + "," + px((kTop + kBottom) / 2) +
         ") rotate(90)\" text-anchor=\"middle\">short-term loudness (LUFS)</text>\n";

  // Time axis: m:ss ticks.
  const long step = timeTickSeconds(axisSeconds);
  for (long t = 0; static_cast<double>(t) <= axisSeconds; t += step) {
    const double x = xAt(static_cast<double>(t));
    out += "<line x1=\"" + px(x) + "\" y1=\"" + px(kBottom) + "\" x2=\"" + px(x) + "\" y2=\"" +
           px(kBottom + 5) + "\" stroke=\"#333333\"/>\n";
    out += "<text x=\"" + px(x) + "\" y=\"" + px(kBottom + 18) + "\" text-anchor=\"middle\">" +
           minutesSeconds(t) + "</text>\n";
  }
  out += "<text x=\"" + px((kLeft + kRight) / 2) + "\" y=\"" + px(kBottom + 36) +
         "\" text-anchor=\"middle\">time (m:ss)</text>\n";
  out += "</g>\n";

  // Measured loudness under everything else, closed along the -60 LUFS floor.
  if (!loudness.empty()) {
    out += "<polygon class=\"loudness\" fill=\"" + std::string(kLoudnessFill) +
           "\" fill-opacity=\"0.35\" stroke=\"none\" points=\"";
    out += px(xAt(loudness.front().seconds)) + "," + px(kBottom);
    for (const LoudnessPoint& point : loudness) {
      out += " " + px(xAt(point.seconds)) + "," + px(yAtLufs(point.lufs));
    }
    out += " " + px(xAt(loudness.back().seconds)) + "," + px(kBottom) + "\"/>\n";
  }

  // Scene boundaries, names reading down from the top, and the line where the tail begins.
  const double rate = timeline.sampleRate();
  out += "<g font-size=\"12\" fill=\"#222222\">\n";
  for (std::size_t i = 0; i < timeline.spans().size(); ++i) {
    const double x = xAt(static_cast<double>(timeline.spans()[i].startFrame) / rate);
    out += "<line x1=\"" + px(x) + "\" y1=\"" + px(kTop) + "\" x2=\"" + px(x) + "\" y2=\"" +
           px(kBottom) + "\" stroke=\"#555555\" stroke-dasharray=\"4 3\"/>\n";
    out += "<text transform=\"translate(" + px(x + 4) + "," + px(kTop + 4) + ") rotate(90)\">";
    appendXmlEscaped(out, arc.scenes.at(i).name);
    out += "</text>\n";
  }
  if (!timeline.spans().empty()) {
    const double x = xAt(static_cast<double>(timeline.totalFrames()) / rate);
    out += "<line x1=\"" + px(x) + "\" y1=\"" + px(kTop) + "\" x2=\"" + px(x) + "\" y2=\"" +
           px(kBottom) + "\" stroke=\"#555555\" stroke-dasharray=\"4 3\"/>\n";
  }
  out += "</g>\n";

  // The four curves, one point per pixel column.
  for (const CurveStyle& curve : kCurves) {
    out += "<polyline class=\"" + std::string(curve.name) + "\" fill=\"none\" stroke=\"" +
           curve.colour + "\" stroke-width=\"2\" points=\"";
    for (int k = 0; k < kArcPlotCurvePoints; ++k) {
      const double seconds = totalSeconds * k / (kArcPlotCurvePoints - 1);
      const double value = timeline.valuesAt(frameAt(timeline, seconds)).*curve.value;
      if (k > 0) out += ' ';
      out += px(kLeft + k) + "," + px(yAtValue(value));
    }
    out += "\"/>\n";
  }
  out += "<rect x=\"" + px(kLeft) + "\" y=\"" + px(kTop) + "\" width=\"" + px(kPlotWidth) +
         "\" height=\"" + px(kBottom - kTop) + "\" fill=\"none\" stroke=\"#333333\"/>\n";

  // Legend along the bottom edge.
  out += "<g font-size=\"12\" fill=\"#222222\">\n";
  double x = kLeft;
  constexpr double kLegendY = 482.0;
  for (const CurveStyle& curve : kCurves) {
    out += "<line x1=\"" + px(x) + "\" y1=\"" + px(kLegendY - 4) + "\" x2=\"" + px(x + 24) +
           "\" y2=\"" + px(kLegendY - 4) + "\" stroke=\"" + curve.colour +
           "\" stroke-width=\"2\"/>\n";
    out += "<text x=\"" + px(x + 30) + "\" y=\"" + px(kLegendY) + "\">" + curve.name + "</text>\n";
    x += 130.0;
  }
  out += "<rect x=\"" + px(x) + "\" y=\"" + px(kLegendY - 10) +
         "\" width=\"24\" height=\"10\" fill=\"" + kLoudnessFill + "\" fill-opacity=\"0.35\"/>\n";
  out += "<text x=\"" + px(x + 30) + "\" y=\"" + px(kLegendY) +
         "\">short-term loudness (measured)</text>\n";
  out += "</g>\n";
  out += "</svg>\n";
  io::writeFileAtomically(path, out);
}

}  // namespace reverie::arc
