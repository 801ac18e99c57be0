// Arc exports: the curve CSV against the scripted curves, Audacity labels on the bar lines,
// short-term loudness of calibrated sines, the SVG plot's structure and curves, and failures
// that leave nothing behind.
#include <doctest/doctest.h>

#include <charconv>
#include <cmath>
#include <locale>
#include <numbers>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "arc/arc_exports.hpp"
#include "reverie/arc.hpp"
#include "reverie/errors.hpp"
#include "support/command.hpp"

using namespace reverie;
namespace fs = std::filesystem;

namespace {

constexpr double kRate = 48000.0;

/// Three scenes in 7/8, the middle one at another tempo so its bar lines fall between frames.
Arc threeScenes() {
  Arc arc;
  arc.name = "tides";
  arc.description = "three scenes <in> 7/8 & a tail";
  arc.tempo = 90.0;
  arc.beatsPerBar = 7;
  arc.beatUnit = 8;
  arc.tailSeconds = 2.0;
  Scene dawn;
  dawn.name = "dawn";
  dawn.bars = 4;
  dawn.tempo = 90.0;
  dawn.tension = {0.0f, 0.6f, CurveShape::kLinear};
  dawn.dynamics = {0.2f, 0.8f, CurveShape::kSCurve};
  dawn.density = {0.1f, 0.9f, CurveShape::kExponential};
  dawn.brightness = {0.3f, 0.7f, CurveShape::kHold};
  Scene storm;
  storm.name = "storm, \"rain\" & <fire>";
  storm.bars = 3;
  storm.tempo = 91.0;
  storm.tension = {0.6f, 1.0f, CurveShape::kLinear};
  storm.dynamics = {0.8f, 0.4f, CurveShape::kLinear};
  storm.density = {0.9f, 0.5f, CurveShape::kSCurve};
  storm.brightness = {0.7f, 0.2f, CurveShape::kLinear};
  Scene dusk;
  dusk.name = "dusk";
  dusk.bars = 5;
  dusk.tempo = 90.0;
  dusk.tension = {1.0f, 0.0f, CurveShape::kSCurve};
  dusk.dynamics = {0.4f, 0.1f, CurveShape::kExponential};
  dusk.density = {0.5f, 0.2f, CurveShape::kLinear};
  dusk.brightness = {0.2f, 0.9f, CurveShape::kLinear};
  arc.scenes = {dawn, storm, dusk};
  return arc;
}

double totalSecondsOf(const Arc& arc, const Timeline& timeline) {
  return static_cast<double>(timeline.totalFrames()) / kRate + arc.tailSeconds;
}

/// The whole of `text` as a number, or NaN if any of it is not.
double parseNumber(std::string_view text) {
  double value = 0.0;
  const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
  return result.ec == std::errc() && result.ptr == text.data() + text.size() ? value : std::nan("");
}

/// RFC 4180 fields of one line (no line breaks inside fields here).
std::vector<std::string> csvFields(std::string_view line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  CHECK_FALSE(quoted);
  return fields;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  CHECK((text.empty() || text.back() == '\n'));
  return out;
}

struct CommaDecimal : std::numpunct<char> {
  char do_decimal_point() const override { return ','; }
  char do_thousands_sep() const override { return '.'; }
  std::string do_grouping() const override { return "\3"; }
};

std::vector<float> sine(double seconds, int channels, double frequencyHz,
                        double (*dbfsAt)(double seconds)) {
  const auto frames = static_cast<std::size_t>(std::llround(seconds * kRate));
  std::vector<float> out(frames * static_cast<std::size_t>(channels));
  for (std::size_t n = 0; n < frames; ++n) {
    const double t = static_cast<double>(n) / kRate;
    const double x =
        std::pow(10.0, dbfsAt(t) / 20.0) * std::sin(2.0 * std::numbers::pi * frequencyHz * t);
    for (int c = 0; c < channels; ++c) out[n * channels + c] = static_cast<float>(x);
  }
  return out;
}

/// Checks tags nest and close (a tiny XML well-formedness check: tags, comments, the prolog,
/// attribute quoting and entity references) and returns every start tag's text.
std::vector<std::string> checkedTags(const std::string& svg) {
  std::vector<std::string> open, tags;
  std::size_t i = 0;
  int roots = 0;
  while ((i = svg.find_first_of("<&", i)) != std::string::npos) {
    if (svg[i] == '&') {
      const std::size_t end = svg.find(';', i);
      REQUIRE(end != std::string::npos);
      const std::string entity = svg.substr(i + 1, end - i - 1);
      CHECK_MESSAGE((entity == "amp" || entity == "lt" || entity == "gt" || entity == "quot" ||
                     entity == "apos"),
                    "unknown entity &" << entity << ";");
      i = end;
      continue;
    }
    if (svg.compare(i, 5, "<?xml") == 0) {
      CHECK(i == 0);
      i = svg.find("?>", i);
      REQUIRE(i != std::string::npos);
      continue;
    }
    if (svg.compare(i, 4, "<!--") == 0) {
      i = svg.find("-->", i);
      REQUIRE(i != std::string::npos);
      continue;
    }
    // Find the tag's end outside quoted attribute values.
    std::size_t end = i + 1;
    char quote = 0;
    for (; end < svg.size() && (quote != 0 || svg[end] != '>'); ++end) {
      if (quote == 0 && svg[end] == '<') FAIL("'<' inside a tag at " << end);
      if (quote == 0 && (svg[end] == '"' || svg[end] == '\''))
        quote = svg[end];
      else if (quote != 0 && svg[end] == quote)
        quote = 0;
    }
    REQUIRE(end < svg.size());
    const std::string tag = svg.substr(i + 1, end - i - 1);
    const std::string name =
        tag.substr(tag[0] == '/' ? 1 : 0, tag.find_first_of(" \t\n/", 1) - (tag[0] == '/' ? 1 : 0));
    if (tag[0] == '/') {
      REQUIRE_MESSAGE(!open.empty(), "</" << name << "> closes nothing");
      CHECK_MESSAGE(open.back() == name, "</" << name << "> closes <" << open.back() << ">");
      open.pop_back();
    } else {
      if (open.empty()) ++roots;
      tags.push_back(tag);
      if (tag.back() != '/') open.push_back(name);
    }
    i = end;
  }
  CHECK(open.empty());
  CHECK(roots == 1);
  return tags;
}

std::string attribute(const std::string& tag, const std::string& name) {
  const std::size_t at = tag.find(" " + name + "=\"");
  if (at == std::string::npos) return {};
  const std::size_t start = at + name.size() + 3;
  return tag.substr(start, tag.find('"', start) - start);
}

std::vector<std::pair<double, double>> points(const std::string& list) {
  std::vector<std::pair<double, double>> out;
  std::istringstream in(list);
  for (std::string pair; in >> pair;) {
    const std::size_t comma = pair.find(',');
    REQUIRE(comma != std::string::npos);
    out.emplace_back(parseNumber(pair.substr(0, comma)), parseNumber(pair.substr(comma + 1)));
  }
  return out;
}

}  // namespace

TEST_CASE("arc exports: the curve CSV follows the timeline, scene by scene and bar by bar") {
  test::ScratchFolder folder;
  const Arc arc = threeScenes();
  const Timeline timeline(arc, kRate);
  const double total = totalSecondsOf(arc, timeline);
  arc::writeCurvesCsv(folder / "curves.csv", arc, timeline, total);
  const std::vector<std::string> rows = lines(test::readText(folder / "curves.csv"));

  REQUIRE(rows.size() > 1);
  CHECK(rows[0] == "time_s,scene,bar,tension,dynamics,density,brightness");
  // 4 bars of 7/3 s, 3 bars of 7 * 30/91 s, 5 bars of 7/3 s, 2 s of tail: 29.923 s.
  CHECK(total == doctest::Approx(28.0 / 3.0 + 630.0 / 91.0 + 35.0 / 3.0 + 2.0));
  CHECK(rows.size() - 1 == 2993);  // 0.00 s to 29.92 s

  const Scene* previousScene = nullptr;
  std::size_t tailRows = 0;
  double lastDawnTension = -1.0;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    CAPTURE(rows[r]);
    const std::vector<std::string> fields = csvFields(rows[r]);
    REQUIRE(fields.size() == 7);
    const double t = parseNumber(fields[0]);
    CHECK(t == doctest::Approx(0.01 * static_cast<double>(r - 1)).epsilon(1e-12));
    CHECK(fields[0].size() - fields[0].find('.') == 7);  // six decimals
    double values[4];
    for (int v = 0; v < 4; ++v) {
      values[v] = parseNumber(fields[3 + v]);
      CHECK(values[v] >= 0.0);
      CHECK(values[v] <= 1.0);
    }

    // The scene and bar, worked out from the spans and bar frames.
    const auto frame = static_cast<std::uint64_t>(std::llround(t * kRate));
    std::size_t scene = 0;
    while (scene < timeline.spans().size() && frame >= timeline.spans()[scene].endFrame) ++scene;
    if (scene == timeline.spans().size()) {
      ++tailRows;
      CHECK(fields[1] == "tail");
      CHECK(fields[2].empty());
      // The tail holds the last scene's end values.
      const Scene& dusk = arc.scenes.back();
      CHECK(values[0] == doctest::Approx(dusk.tension.valueAt(1.0)).epsilon(1e-6));
      CHECK(values[1] == doctest::Approx(dusk.dynamics.valueAt(1.0)).epsilon(1e-6));
      CHECK(values[2] == doctest::Approx(dusk.density.valueAt(1.0)).epsilon(1e-6));
      CHECK(values[3] == doctest::Approx(dusk.brightness.valueAt(1.0)).epsilon(1e-6));
      continue;
    }
    const Scene& expected = arc.scenes[scene];
    CHECK(fields[1] == expected.name);
    int bar = 1;
    for (int b = 1; b < expected.bars; ++b) bar += timeline.barFrame(scene, b) <= frame ? 1 : 0;
    CHECK(parseNumber(fields[2]) == bar);

    // First row of a scene: its curves start at their `from` values (within one 10 ms step).
    const auto [startFrame, endFrame] =
        std::pair{timeline.spans()[scene].startFrame, timeline.spans()[scene].endFrame};
    if (previousScene != &expected) {
      CHECK(values[0] == doctest::Approx(expected.tension.from).epsilon(0.01));
      CHECK(values[1] == doctest::Approx(expected.dynamics.from).epsilon(0.01));
      CHECK(values[2] == doctest::Approx(expected.density.from).epsilon(0.01));
      CHECK(values[3] == doctest::Approx(expected.brightness.from).epsilon(0.01));
      previousScene = &expected;
    }
    // Last row of a scene: at its end values (a held curve stays at `from` to the last).
    if (frame + static_cast<std::uint64_t>(0.01 * kRate) >= endFrame) {
      CHECK(values[0] == doctest::Approx(expected.tension.to).epsilon(0.01));
      CHECK(values[1] == doctest::Approx(expected.dynamics.to).epsilon(0.01));
      CHECK(values[2] == doctest::Approx(expected.density.to).epsilon(0.02));
      CHECK(values[3] == doctest::Approx(expected.brightness.valueAt(1.0)).epsilon(0.01));
    }
    // Inside a linear scene, the straight line between them.
    if (scene == 0) {
      const double position =
          static_cast<double>(frame - startFrame) / static_cast<double>(endFrame - startFrame);
      CHECK(values[0] == doctest::Approx(0.6 * position).epsilon(1e-5));
      CHECK(values[0] > lastDawnTension);
      CHECK(fields[6] == "0.300000");  // held
      lastDawnTension = values[0];
    }
  }
  CHECK(tailRows == 200);  // 2 s of tail, give or take the row on the boundary
}

TEST_CASE("arc exports: the CSV uses '.' whatever the global locale") {
  test::ScratchFolder folder;
  const Arc arc = threeScenes();
  const Timeline timeline(arc, kRate);
  arc::writeCurvesCsv(folder / "classic.csv", arc, timeline, 3.0);
  const std::locale previous =
      std::locale::global(std::locale(std::locale::classic(), new CommaDecimal));
  std::ostringstream probe;
  probe << 0.5;
  const std::string probed = probe.str();
  arc::writeCurvesCsv(folder / "comma.csv", arc, timeline, 3.0);
  arc::writeAudacityLabels(folder / "comma.txt", arc, timeline);
  std::locale::global(previous);
  REQUIRE(probed == "0,5");  // the locale really would have changed a stream
  CHECK(test::readText(folder / "comma.csv") == test::readText(folder / "classic.csv"));
  CHECK(test::readText(folder / "comma.txt").find("0.000000\t") == 0);
  CHECK(lines(test::readText(folder / "comma.csv")).size() == 302);
}

TEST_CASE("arc exports: Audacity labels start and end on the timeline's bar frames") {
  test::ScratchFolder folder;
  const Arc arc = threeScenes();
  const Timeline timeline(arc, kRate);
  arc::writeAudacityLabels(folder / "labels.txt", arc, timeline);
  const std::vector<std::string> rows = lines(test::readText(folder / "labels.txt"));
  REQUIRE(rows.size() == 3);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    CAPTURE(rows[i]);
    const std::size_t tab1 = rows[i].find('\t'), tab2 = rows[i].find('\t', tab1 + 1);
    REQUIRE(tab2 != std::string::npos);
    const double start = parseNumber(rows[i].substr(0, tab1));
    const double end = parseNumber(rows[i].substr(tab1 + 1, tab2 - tab1 - 1));
    CHECK(std::fabs(start - static_cast<double>(timeline.barFrame(i, 0)) / kRate) <= 5e-7);
    CHECK(std::fabs(end - static_cast<double>(timeline.barFrame(i, arc.scenes[i].bars)) / kRate) <=
          5e-7);
    CHECK(rows[i].substr(tab2 + 1) == arc.scenes[i].name);
    if (i + 1 < rows.size())
      CHECK(rows[i + 1].substr(0, rows[i + 1].find('\t')) ==
            rows[i].substr(tab1 + 1, tab2 - tab1 - 1));
  }
  // The storm starts on dawn's fourth bar line, 4 * 7/3 s in; dusk 3 bars of 7 * 30/91 s later.
  CHECK(rows[1].substr(0, rows[1].find('\t')) == "9.333333");
  CHECK(rows[2].substr(0, rows[2].find('\t')) == "16.256417");
}

TEST_CASE("arc exports: short-term loudness of calibrated sines") {
  // BS.1770: a sine at A dBFS in one channel reads A - 3.01 LUFS at 1 kHz (K-weighting is
  // +0.69 dB there, cancelled by the -0.691 offset); each further channel at the same level adds
  // 3.01 dB. So a stereo sine at -23 dBFS reads -23 LUFS (EBU Tech 3341's first test signal), and
  // so does a mono one at -20 dBFS.
  struct Case {
    const char* name;
    int channels;
    double dbfs;
    double expectedLufs;
  };
  for (const Case& c :
       {Case{"stereo -23 dBFS", 2, -23.0, -23.0}, Case{"mono -20 dBFS", 1, -20.0, -23.0},
        Case{"stereo -20 dBFS", 2, -20.0, -20.0}}) {
    CAPTURE(c.name);
    static double level;
    level = c.dbfs;
    const std::vector<float> audio = sine(10.0, c.channels, 1000.0, [](double) { return level; });
    const std::vector<arc::LoudnessPoint> points =
        arc::shortTermLoudness(audio.data(), audio.size() / c.channels, c.channels, kRate);
    REQUIRE(points.size() == 100);
    CHECK(points[0].seconds == doctest::Approx(0.1));
    CHECK(points.back().seconds == doctest::Approx(10.0));
    // A third of the window is filled at 1 s: 10 log10(1/3) = -4.77 dB under the full reading.
    CHECK(points[9].lufs == doctest::Approx(c.expectedLufs - 4.77).epsilon(0.005));
    for (std::size_t i = 29; i < points.size(); ++i) {
      CHECK(std::fabs(points[i].lufs - c.expectedLufs) <= 0.1);  // Tech 3341's tolerance
    }
  }
}

TEST_CASE(
    "arc exports: short-term loudness holds steady over a level pattern as long as its window") {
  // 1.34 s at -20 dBFS then 1.66 s at -30 dBFS, stereo: each 3 s window holds one whole period,
  // whose mean power 10 log10(0.4467 * 10^-2 + 0.5533 * 10^-3) is -22.99 LUFS wherever it starts.
  const std::vector<float> audio =
      sine(18.0, 2, 1000.0, [](double t) { return std::fmod(t, 3.0) < 1.34 ? -20.0 : -30.0; });
  const std::vector<arc::LoudnessPoint> points =
      arc::shortTermLoudness(audio.data(), audio.size() / 2, 2, kRate, 0.05);
  REQUIRE(points.size() == 360);
  double lowest = 0.0, highest = -100.0;
  for (const arc::LoudnessPoint& point : points) {
    if (point.seconds < 3.0 - 1e-9) continue;
    lowest = std::min(lowest, point.lufs);
    highest = std::max(highest, point.lufs);
  }
  CHECK(lowest >= -23.1);
  CHECK(highest <= -22.9);
  // Before the window is full it is not steady: at 1 s it holds 1 s of -20 LUFS and 2 s of
  // silence, 10 log10(1/3) = 4.77 dB under -20.
  CHECK(points[19].seconds == doctest::Approx(1.0));
  CHECK(std::fabs(points[19].lufs - (-24.77)) <= 0.1);
}

TEST_CASE("arc exports: short-term loudness of silence is -70 and bad input is refused") {
  const std::vector<float> silence(2 * 48000 * 4, 0.0f);
  const std::vector<arc::LoudnessPoint> points =
      arc::shortTermLoudness(silence.data(), 48000 * 4, 2, kRate, 0.5);
  REQUIRE(points.size() == 8);
  for (const arc::LoudnessPoint& point : points) CHECK(point.lufs == -70.0);
  CHECK(arc::shortTermLoudness(silence.data(), 100, 2, kRate).empty());
  CHECK_THROWS_AS(arc::shortTermLoudness(silence.data(), 48000, 2, 44100.5), InputError);
  CHECK_THROWS_AS(arc::shortTermLoudness(silence.data(), 48000, 0, kRate), InputError);
  CHECK_THROWS_AS(arc::shortTermLoudness(silence.data(), 48000, 2, kRate, 0.0), InputError);
}

TEST_CASE("arc exports: the SVG plot is well-formed and draws the scripted curves") {
  test::ScratchFolder folder;
  const Arc arc = threeScenes();
  const Timeline timeline(arc, kRate);
  const double total = totalSecondsOf(arc, timeline);
  std::vector<arc::LoudnessPoint> loudness;
  for (int i = 1; i <= 299; ++i) loudness.push_back({i * 0.1, -70.0 + i * 0.3});
  arc::writeArcPlot(folder / "arc.svg", arc, timeline, total, loudness);
  const std::string svg = test::readText(folder / "arc.svg");

  const std::vector<std::string> tags = checkedTags(svg);
  CHECK(svg.find("<script") == std::string::npos);
  CHECK(svg.find("@font-face") == std::string::npos);
  CHECK(svg.find("href") == std::string::npos);  // nothing external
  CHECK(svg.find("<title>tides \xE2\x80\x94 three scenes &lt;in&gt; 7/8 &amp; a tail</title>") !=
        std::string::npos);
  for (const Scene& scene : arc.scenes) {
    std::string escaped;
    for (char c : scene.name) {
      escaped += c == '&'   ? "&amp;"
                 : c == '<' ? "&lt;"
                 : c == '>' ? "&gt;"
                 : c == '"' ? "&quot;"
                            : std::string(1, c);
    }
    CHECK_MESSAGE(svg.find(">" + escaped + "</text>") != std::string::npos, scene.name);
  }
  for (const char* tick : {">0:00<", ">0:05<", ">0:25<", ">-60<", ">-30<", ">0<"}) {
    CHECK_MESSAGE(svg.find(tick) != std::string::npos, tick);
  }

  int polylines = 0;
  for (const std::string& tag : tags) {
    if (tag.rfind("polygon", 0) == 0) {
      CHECK(attribute(tag, "class") == "loudness");
      CHECK(points(attribute(tag, "points")).size() == loudness.size() + 2);
    }
    if (tag.rfind("polyline", 0) != 0) continue;
    ++polylines;
    const std::string curve = attribute(tag, "class");
    CAPTURE(curve);
    const auto drawn = points(attribute(tag, "points"));
    REQUIRE(drawn.size() == arc::kArcPlotCurvePoints);
    // Evenly spaced in x; y a straight map of the value at each point's time.
    auto valueAt = [&](std::size_t k) {
      const double t = total * static_cast<double>(k) / (arc::kArcPlotCurvePoints - 1);
      const Timeline::Values v =
          timeline.valuesAt(static_cast<std::uint64_t>(std::llround(t * kRate)));
      return curve == "tension"    ? v.tension
             : curve == "dynamics" ? v.dynamics
             : curve == "density"  ? v.density
                                   : v.brightness;
    };
    std::size_t low = 0, high = 0;
    for (std::size_t k = 0; k < drawn.size(); ++k) {
      CHECK(drawn[k].first == doctest::Approx(drawn[0].first + static_cast<double>(k)));
      if (valueAt(k) < valueAt(low)) low = k;
      if (valueAt(k) > valueAt(high)) high = k;
    }
    REQUIRE(valueAt(high) - valueAt(low) > 0.3);
    const double pixelsPerUnit =
        (drawn[low].second - drawn[high].second) / (valueAt(high) - valueAt(low));
    CHECK(pixelsPerUnit > 200.0);  // up is more: SVG's y grows downwards
    for (std::size_t k = 0; k < drawn.size(); ++k) {
      const double expectedY = drawn[low].second - (valueAt(k) - valueAt(low)) * pixelsPerUnit;
      CHECK(std::fabs(drawn[k].second - expectedY) <= 0.2);
    }
  }
  CHECK(polylines == 4);
  for (const char* name : {"tension", "dynamics", "density", "brightness"}) {
    CHECK(svg.find(std::string("class=\"") + name + "\"") != std::string::npos);
    CHECK(svg.find(std::string(">") + name + "</text>") != std::string::npos);  // legend
  }
}

TEST_CASE("arc exports: an unwritable folder is an error naming the path, and leaves nothing") {
  test::ScratchFolder folder;
  const Arc arc = threeScenes();
  const Timeline timeline(arc, kRate);
  const fs::path notAFolder = folder / "file";
  std::ofstream(notAFolder) << "keep me";
  const fs::path missing = folder / "missing" / "curves.csv";
  CHECK_THROWS_WITH_AS(arc::writeCurvesCsv(missing, arc, timeline, 1.0),
                       doctest::Contains(missing.c_str()), RuntimeFailure);
  CHECK_THROWS_WITH_AS(arc::writeAudacityLabels(notAFolder / "labels.txt", arc, timeline),
                       doctest::Contains("labels.txt"), RuntimeFailure);
  CHECK_THROWS_WITH_AS(arc::writeArcPlot(notAFolder / "arc.svg", arc, timeline, 1.0, {}),
                       doctest::Contains("arc.svg"), RuntimeFailure);
  // A target that is a folder is refused as bad input: it stays, and nothing is left beside it.
  fs::create_directories(folder / "arc.svg" / "inside");
  CHECK_THROWS_WITH_AS(arc::writeArcPlot(folder / "arc.svg", arc, timeline, 1.0, {}),
                       doctest::Contains("arc.svg"), InputError);
  CHECK(fs::is_directory(folder / "arc.svg" / "inside"));
  CHECK(test::readText(notAFolder) == "keep me");
  CHECK(std::distance(fs::directory_iterator(folder.path()), {}) == 2);
}
