// Issue 14: scenes that hold (vamp) until cued, cued changes of scene on the scene's exit point,
// stingers on their quantised frame, and `render --cues`. Measured on cued-stage, from the
// composer's events (arc::capturePerformance) and from its audio.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <tuple>
#include <vector>

#include "arc/composer.hpp"
#include "arc/performance_midi.hpp"
#include "instruments/orchestra/timpani_node.hpp"
#include "support/arc_render.hpp"
#include "support/command.hpp"
#include "support/preset_errors.hpp"

namespace reverie {
namespace {

using test::kArcRate;
constexpr int kBlock = 1024;

const Arc& stage() {
  return test::arcNamed("cued-stage");
}

std::uint64_t framesAt(double seconds) {
  return static_cast<std::uint64_t>(std::llround(seconds * kArcRate));
}

arc::ComposerCue cueAt(double seconds, arc::CueAction action, int value = 0) {
  arc::ComposerCue cue;
  cue.frame = framesAt(seconds);
  cue.action = action;
  cue.value = value;
  return cue;
}

arc::Performance perform(std::uint64_t frames, const std::vector<arc::ComposerCue>& cues = {}) {
  return arc::capturePerformance(stage(), {kArcRate, kBlock, 1}, frames, cues);
}

NodeId nodeNamed(const arc::Performance& p, const std::string& name) {
  for (const auto& [id, n] : p.names)
    if (n == name) return id;
  FAIL("no node " << name);
  return kInvalidNode;
}

/// The first tick at or after `frame` on a multiple of `step` ticks (past tick 0) of scene
/// `scene` starting at `start` seconds: where a cued change with that exit lands.
int landingTick(const Timeline& t, std::size_t scene, double start, int step, std::uint64_t frame) {
  for (int tick = step;; tick += step)
    if (t.tickFrame(scene, start, tick) >= frame) return tick;
}

/// Seconds of tick `tick` of scene `scene` starting at `start`: where the next scene starts.
double tickSeconds(const Timeline& t, std::size_t scene, double start, int tick) {
  return t.barStartSeconds(scene, start, tick / t.ticksPerBar()) +
         (tick % t.ticksPerBar()) * (t.spans()[scene].barSeconds / t.ticksPerBar());
}

std::uint64_t firstNoteOn(const arc::Performance& p, NodeId node) {
  for (const arc::PerformedEvent& e : p.events)
    if (e.node == node && e.event.type == EventType::kNoteOn) return e.frame;
  return UINT64_MAX;
}

using NoteKey = std::tuple<std::uint64_t, NodeId, int, int>;  // frame in phrase, node, key, vel

TEST_CASE("hold: a held scene vamps for 60 s, never repeating a phrase note for note") {
  const Arc& arc = stage();
  REQUIRE(arc.scenes[0].hold);
  const Timeline t(arc, kArcRate);
  const int phraseTicks = 4 * t.ticksPerBar();
  // The wings' 4 bars are one phrase; six more phrases of vamp make 60 s past them.
  const int phrases = 7;
  const std::uint64_t end = t.tickFrame(0, 0.0, phrases * phraseTicks);
  const arc::Performance p = perform(end);
  std::vector<std::vector<NoteKey>> notes(phrases);
  std::set<NodeId> played;
  for (const arc::PerformedEvent& e : p.events) {
    if (e.event.type != EventType::kNoteOn) continue;
    int phrase = 0;
    while (phrase + 1 < phrases && e.frame >= t.tickFrame(0, 0.0, (phrase + 1) * phraseTicks))
      ++phrase;
    const std::uint64_t start = t.tickFrame(0, 0.0, phrase * phraseTicks);
    notes[static_cast<std::size_t>(phrase)].emplace_back(e.frame - start, e.node, e.event.index,
                                                         std::lround(e.event.value * 127.0f));
    played.insert(e.node);
  }
  const double vampSeconds = static_cast<double>(end - t.spans()[0].endFrame) / kArcRate;
  MESSAGE("vamp of " << vampSeconds << " s past the wings' " << arc.scenes[0].bars
                     << " bars; notes per phrase: " << notes[0].size() << " scripted, then "
                     << notes[1].size() << ", " << notes[2].size() << ", " << notes[3].size()
                     << ", " << notes[4].size() << ", " << notes[5].size() << ", "
                     << notes[6].size());
  CHECK(vampSeconds >= 60.0);
  int repeats = 0;
  for (int a = 0; a < phrases; ++a) {
    // Still playing in the scene's character: as busy as its scripted phrase, give or take.
    CHECK(notes[static_cast<std::size_t>(a)].size() * 2 >= notes[0].size());
    for (int b = a + 1; b < phrases; ++b)
      if (notes[static_cast<std::size_t>(a)] == notes[static_cast<std::size_t>(b)]) ++repeats;
  }
  CHECK(repeats == 0);
  // Only the wings' sections: the scene never moved on.
  std::set<NodeId> wings;
  for (const std::string& name : arc.scenes[0].sections) wings.insert(nodeNamed(p, name));
  for (NodeId node : played) CHECK(wings.count(node) == 1);
  CHECK(played.count(nodeNamed(p, "strings")) == 1);
  // The last phrase's material comes back: the oboe states the theme in every phrase of it.
  const NodeId oboe = nodeNamed(p, "oboe");
  for (const std::vector<NoteKey>& phrase : notes)
    CHECK(std::count_if(phrase.begin(), phrase.end(),
                        [&](const NoteKey& n) { return std::get<1>(n) == oboe; }) >= 5);
}

TEST_CASE("hold: an uncued held scene moves on at its hold_max_bars") {
  const Arc& arc = stage();
  const Timeline t(arc, kArcRate);
  const int limit = arc.scenes[0].holdMaxBars;
  const std::uint64_t expected = t.tickFrame(0, 0.0, limit * t.ticksPerBar());
  const arc::Performance p = perform(expected + framesAt(1.0));
  const std::uint64_t storm = firstNoteOn(p, nodeNamed(p, "shards"));
  MESSAGE("the storm's first shatter at frame " << storm << ", bar " << limit
                                                << " of the wings at frame " << expected);
  CHECK(storm == expected);
}

TEST_CASE("cues: next lands on the next bar, beat or phrase after the cue, to the frame") {
  const Arc& arc = stage();
  REQUIRE(arc.scenes[0].exit == SceneExit::kBar);
  REQUIRE(arc.scenes[1].exit == SceneExit::kBeat);
  REQUIRE(arc.scenes[2].exit == SceneExit::kPhrase);
  const Timeline t(arc, kArcRate);
  const int bar = t.ticksPerBar(), beat = t.ticksPerBeat();
  // In the wings' vamp: the storm starts on the next bar line.
  const std::uint64_t cue1 = framesAt(23.3);
  const int tick1 = landingTick(t, 0, 0.0, bar, cue1);
  const double storm = tickSeconds(t, 0, 0.0, tick1);
  // In the storm: home starts on the next beat.
  const std::uint64_t cue2 = t.tickFrame(0, 0.0, tick1) + framesAt(5.37);
  const int tick2 = landingTick(t, 1, storm, beat, cue2);
  const double home = tickSeconds(t, 1, storm, tick2);
  // In home's first phrase: the ovation starts with its second phrase.
  const std::uint64_t cue3 = t.tickFrame(2, home, 0) + framesAt(1.1);
  const int tick3 = landingTick(t, 2, home, 4 * bar, cue3);
  const std::uint64_t land1 = t.tickFrame(0, 0.0, tick1), land2 = t.tickFrame(1, storm, tick2),
                      land3 = t.tickFrame(2, home, tick3);
  REQUIRE(tick2 % bar != 0);  // a beat inside a bar, or the test shows nothing
  REQUIRE(tick3 == 4 * bar);

  const arc::Performance p = perform(
      land3 + framesAt(2.0), {cueAt(23.3, arc::CueAction::kNext),
                              cueAt(static_cast<double>(cue2) / kArcRate, arc::CueAction::kNext),
                              cueAt(static_cast<double>(cue3) / kArcRate, arc::CueAction::kNext)});
  const NodeId choir = nodeNamed(p, "choir"), audience = nodeNamed(p, "audience");
  const std::uint64_t shatter = firstNoteOn(p, nodeNamed(p, "shards"));
  const std::uint64_t chorale = firstNoteOn(p, choir);
  std::uint64_t lastChoir = 0, firstApplause = UINT64_MAX;
  for (const arc::PerformedEvent& e : p.events) {
    if (e.node == choir) lastChoir = std::max(lastChoir, e.frame);
    if (e.node == audience && e.event.type == EventType::kParameter && e.event.value > 0.3f)
      firstApplause = std::min(firstApplause, e.frame);
  }
  MESSAGE("cue at frame " << cue1 << " -> storm at " << shatter << " (next bar line " << land1
                          << "); cue at " << cue2 << " -> home at " << chorale << " (next beat "
                          << land2 << ", beat " << (tick2 % bar) / beat + 1
                          << " of its bar); cue at " << cue3 << " -> choir released at "
                          << lastChoir << ", applause from " << firstApplause << " (next phrase "
                          << land3 << ")");
  CHECK(shatter == land1);
  CHECK(chorale == land2);
  CHECK(lastChoir == land3);
  CHECK(firstApplause >= land3);
  CHECK(firstApplause < land3 + framesAt(0.011));  // on the 10 ms control grid after it
}

TEST_CASE("cues: BAR:BEAT cues count the performance's bars as played, through a hold") {
  const Arc& arc = stage();
  const Timeline t(arc, kArcRate);
  const int bar = t.ticksPerBar(), beat = t.ticksPerBeat();
  arc::ComposerCue next;  // 9:1 next: the wings have vamped 4 bars past their 4
  next.atBeat = true;
  next.bar = 8;
  arc::ComposerCue roll = next;  // 11:3 stinger roll: the storm's third bar, third beat
  roll.bar = 10;
  roll.beat = 2;
  roll.action = arc::CueAction::kStinger;
  roll.value = static_cast<int>(Stinger::kRoll);
  const double storm = t.barStartSeconds(0, 0.0, 8);
  const std::uint64_t expected = t.tickFrame(1, storm, 2 * bar + 2 * beat);
  const arc::Performance p = perform(expected + framesAt(0.5), {roll, next});
  const NodeId timpani = nodeNamed(p, "timpani");
  std::uint64_t rolled = UINT64_MAX;  // in the storm, which has no rolls of its own
  for (const arc::PerformedEvent& e : p.events)
    if (e.node == timpani && e.frame >= t.tickFrame(0, 0.0, 8 * bar) &&
        e.event.type == EventType::kParameter &&
        e.event.value == static_cast<float>(timpani_parameter::Pattern::kRoll))
      rolled = std::min(rolled, e.frame);
  MESSAGE("storm at " << firstNoteOn(p, nodeNamed(p, "shards")) << " (bar 9 at "
                      << t.tickFrame(0, 0.0, 8 * bar) << "), roll at " << rolled << " (11:3 at "
                      << expected << ")");
  CHECK(firstNoteOn(p, nodeNamed(p, "shards")) == t.tickFrame(0, 0.0, 8 * bar));
  CHECK(rolled == expected);
}

struct StingerCase {
  Stinger stinger;
  double seconds;
  std::vector<std::string> nodes;  ///< the sections that play it in the-stage
};

const std::vector<StingerCase>& stingerCases() {
  static const std::vector<StingerCase> cases = {
      {Stinger::kRoll, 3.1, {"timpani"}},   {Stinger::kShatter, 4.05, {"shards"}},
      {Stinger::kCheer, 5.3, {"audience"}}, {Stinger::kStab, 6.2, {"brass"}},
      {Stinger::kSwell, 8.9, {"strings"}},  {Stinger::kDrop, 11.3, {"crystal", "drop"}},
  };
  return cases;
}

std::vector<arc::ComposerCue> stingerCues() {
  std::vector<arc::ComposerCue> cues;
  for (const StingerCase& c : stingerCases())
    cues.push_back(cueAt(c.seconds, arc::CueAction::kStinger, static_cast<int>(c.stinger)));
  return cues;
}

/// Where a stinger fired at `frame` in the wings lands, as the arc quantises it.
std::uint64_t quantised(const Timeline& t, Quantise q, std::uint64_t frame) {
  if (q == Quantise::kNow) return frame;
  const int step = q == Quantise::kBar ? t.ticksPerBar() : t.ticksPerBeat();
  for (int tick = 0;; tick += step)
    if (t.tickFrame(0, 0.0, tick) >= frame) return t.tickFrame(0, 0.0, tick);
}

TEST_CASE("stingers: each fires on its quantised frame, played by its sections, over the scene") {
  const Arc& arc = stage();
  const Timeline t(arc, kArcRate);
  const std::uint64_t frames = framesAt(14.0);
  const arc::Performance plain = perform(frames), cued = perform(frames, stingerCues());
  using Key = std::tuple<std::uint64_t, NodeId, int, int, float>;
  std::multiset<Key> before;
  for (const arc::PerformedEvent& e : plain.events)
    before.emplace(e.frame, e.node, static_cast<int>(e.event.type), e.event.index, e.event.value);
  std::vector<arc::PerformedEvent> added;
  for (const arc::PerformedEvent& e : cued.events) {
    const auto it = before.find(
        {e.frame, e.node, static_cast<int>(e.event.type), e.event.index, e.event.value});
    if (it != before.end())
      before.erase(it);
    else
      added.push_back(e);
  }
  for (const StingerCase& c : stingerCases()) {
    const Quantise q = arc.stingerQuantise[static_cast<std::size_t>(c.stinger)];
    const std::uint64_t expected = quantised(t, q, framesAt(c.seconds));
    for (const std::string& name : c.nodes) {
      const NodeId node = nodeNamed(cued, name);
      std::uint64_t first = UINT64_MAX;
      for (const arc::PerformedEvent& e : added)
        if (e.node == node) first = std::min(first, e.frame);
      MESSAGE(stingerTable()[static_cast<std::size_t>(c.stinger)].name
              << " (quantise " << quantiseName(q) << ") fired at " << c.seconds << " s: " << name
              << " from frame " << first << ", expected " << expected);
      CHECK(first == expected);
    }
  }
  // The scene itself plays on untouched: every note it played without stingers it plays with.
  int lost = 0;
  for (const Key& k : before)
    if (std::get<2>(k) == static_cast<int>(EventType::kNoteOn)) ++lost;
  CHECK(lost == 0);
}

/// Records a generator's note-ons (and, apart, its other events) at absolute frames.
class NoteRecorder final : public EventSink {
 public:
  explicit NoteRecorder(const std::uint64_t& position) : position_(position) {}
  bool emit(NodeId node, const Event& event) noexcept override {
    (event.type == EventType::kNoteOn ? notes : others).emplace_back(position_ + event.frame, node);
    return true;
  }
  std::vector<std::pair<std::uint64_t, NodeId>> notes, others;

 private:
  const std::uint64_t& position_;
};

/// What cued-stage's composer wrote when run alone as a live host drives it: `eventsIn(block)`
/// are handed to it in each block, after the block's generate (as the engine does).
struct LiveRun {
  std::vector<std::pair<std::uint64_t, NodeId>> notes, others;
  std::map<std::string, NodeId> ids;
  float stinger = -1.0f, go = -1.0f;  ///< its stinger and goto_scene parameters at the end

  std::uint64_t first(const std::vector<std::pair<std::uint64_t, NodeId>>& events,
                      const std::string& node, std::uint64_t from = 0) const {
    std::uint64_t frame = UINT64_MAX;
    for (const auto& [at, id] : events)
      if (id == ids.at(node) && at >= from) frame = std::min(frame, at);
    return frame;
  }
};

LiveRun runLive(std::uint64_t blocks,
                const std::function<std::vector<Event>(std::uint64_t)>& eventsIn) {
  namespace cp = arc::composer_parameter;
  Engine engine({kArcRate, kBlock, 1});
  const arc::ArcNodes nodes = arc::buildArc(stage(), engine.graph());
  engine.commit();
  Node& composer = engine.graph().node(nodes.composer);
  std::uint64_t position = 0;
  NoteRecorder sink(position);
  for (std::uint64_t block = 0; block < blocks; ++block, position += kBlock) {
    composer.generate(kBlock, sink);
    const std::vector<Event> events = eventsIn(block);
    composer.process({nullptr, nullptr, kBlock, events});
  }
  return {sink.notes, sink.others, nodes.ids, composer.parameterTarget(cp::kStinger),
          composer.parameterTarget(cp::kGoto)};
}

TEST_CASE("live: the stinger and goto_scene parameters take the cues' path, from the next block") {
  namespace cp = arc::composer_parameter;
  const Timeline t(stage(), kArcRate);
  // A host sets the parameters in the block that ends at `at` (as OSC or MIDI would): the
  // composer acts at the start of the next, quantised from there.
  const std::uint64_t at = 300 * kBlock;  // 6.4 s, inside the wings' third bar
  const Event stinger{0, EventType::kParameter, 0, cp::kStinger,
                      1.0f + static_cast<float>(Stinger::kShatter)};
  const Event go{0, EventType::kParameter, 0, cp::kGoto, 1.0f + 2.0f};  // scene 3, home
  const LiveRun run = runLive(500, [&](std::uint64_t block) {
    return (block + 1) * kBlock == at ? std::vector<Event>{stinger, go} : std::vector<Event>{};
  });
  CHECK(run.stinger == 0.0f);  // a trigger reads none again
  CHECK(run.go == 0.0f);
  const std::uint64_t shattered = run.first(run.notes, "shards"),
                      home = run.first(run.notes, "choir");
  const std::uint64_t nextBar = t.tickFrame(0, 0.0, landingTick(t, 0, 0.0, t.ticksPerBar(), at));
  MESSAGE("set at frame " << at << ": shatter (now) at " << shattered << ", home at " << home
                          << " (next bar line " << nextBar << ")");
  CHECK(shattered == at);
  CHECK(home == nextBar);
}

TEST_CASE("live: the arc's stinger key and pad fire their stingers, a held pad once") {
  const Arc& arc = stage();
  REQUIRE(arc.stingerController[static_cast<std::size_t>(Stinger::kShatter)] == 80);
  REQUIRE(arc.stingerNote[static_cast<std::size_t>(Stinger::kCheer)] == 24);
  const Timeline t(arc, kArcRate);
  // Pad pressed in block 100, still held in 101 (a second message), released in 102, pressed
  // again in 150; the cheer's key in 200.
  const auto pad = [](float value) { return Event{0, EventType::kControlChange, 0, 80, value}; };
  const LiveRun run = runLive(260, [&](std::uint64_t block) {
    std::vector<Event> events;
    if (block == 100 || block == 101 || block == 150) events.push_back(pad(1.0f));
    if (block == 102) events.push_back(pad(0.0f));
    if (block == 200) events.push_back(Event{0, EventType::kNoteOn, 0, 24, 0.8f});
    return events;
  });
  std::set<std::uint64_t> shatters;
  for (const auto& [frame, node] : run.notes)
    if (node == run.ids.at("shards")) shatters.insert(frame);
  const std::uint64_t cheered = run.first(run.others, "audience", 201 * kBlock);
  const std::uint64_t bar =
      t.tickFrame(0, 0.0, landingTick(t, 0, 0.0, t.ticksPerBar(), 201 * kBlock));
  MESSAGE("pad shatters at " << (shatters.empty() ? 0 : *shatters.begin()) << " and "
                             << (shatters.size() > 1 ? *std::next(shatters.begin()) : 0) << " ("
                             << shatters.size() << " in all); key 24 cheers from " << cheered
                             << " (next bar " << bar << ")");
  CHECK(shatters == std::set<std::uint64_t>{101 * kBlock, 151 * kBlock});
  CHECK(cheered == bar);
}

/// cued-stage's first seconds rendered with `cues`, in blocks of `block` frames.
std::vector<float> renderCued(const std::vector<arc::ComposerCue>& cues, int block,
                              std::uint64_t seconds) {
  Engine engine({kArcRate, kBlock, 1});
  const arc::ArcNodes nodes = arc::buildArc(stage(), engine.graph());
  if (!cues.empty()) arc::setComposerCues(engine.graph().node(nodes.composer), cues);
  engine.commit();
  const auto latency = static_cast<std::size_t>(engine.latencyFrames());
  const test::Stereo out =
      test::renderBlocks(engine, {}, seconds * 48000 + latency, [block] { return block; });
  return {out.left.begin() + static_cast<std::ptrdiff_t>(latency), out.left.end()};
}

TEST_CASE("stingers: the sound changes from the first stinger's frame, the same in any blocks") {
  const Timeline t(stage(), kArcRate);
  const std::vector<float> plain = renderCued({}, kBlock, 7);
  const std::vector<float> cued = renderCued(stingerCues(), kBlock, 7);
  const std::vector<float> odd = renderCued(stingerCues(), 97, 7);
  std::size_t first = 0;
  while (first < plain.size() && plain[first] == cued[first]) ++first;
  const StingerCase& roll = stingerCases().front();
  const std::uint64_t expected = quantised(t, Quantise::kBeat, framesAt(roll.seconds));
  double energy = 0.0, plainEnergy = 0.0;
  for (std::size_t i = expected; i < expected + framesAt(1.0); ++i) {
    energy += static_cast<double>(cued[i] - plain[i]) * (cued[i] - plain[i]);
    plainEnergy += static_cast<double>(plain[i]) * plain[i];
  }
  const double db = 10.0 * std::log10(energy / plainEnergy);
  MESSAGE("the audio first differs at frame " << first << " (the roll lands at " << expected
                                              << "); over its first second the stingers add " << db
                                              << " dB relative to the scene");
  CHECK(first == expected);
  CHECK(db > -20.0);  // heard, not a rounding difference
  CHECK(cued == odd);
}

TEST_CASE("render --cues: the same file twice, another without, and a broken cue file") {
  test::ScratchFolder folder;
  {
    std::ofstream cues(folder / "show.cues");
    cues << "# a short show\n1:3 stinger roll\n2.2s stinger shatter  # at once\n"
            "2:1 hold off\n2:2 next\n";
  }
  const std::string common = "render cued-stage --length 6 --tail 0 -q -b 32f --no-labels ";
  const auto a = test::runReverie(
      "render cued-stage --length 6 --tail 0 -q -b 32f --cues show.cues -o a.wav", folder.path());
  const auto b = test::runReverie(common + "--cues show.cues -o b.wav", folder.path());
  const auto c = test::runReverie(common + "-o c.wav", folder.path());
  REQUIRE(a.exitCode == 0);
  REQUIRE(b.exitCode == 0);
  REQUIRE(c.exitCode == 0);
  const std::string first = test::readText(folder / "a.wav");
  CHECK(first.size() > 6 * 48000 * 8);
  CHECK(first == test::readText(folder / "b.wav"));
  CHECK(first != test::readText(folder / "c.wav"));
  // The labels follow the cues: released at 2:1 and cued at 2:2, the storm starts on bar 3.
  const Timeline t(stage(), kArcRate);
  const std::string labels = test::readText(folder / "a.labels.txt");
  const std::string storm = std::to_string(t.barStartSeconds(0, 0.0, 2)) + "\t";
  MESSAGE("labels of the cued render:\n" << labels);
  CHECK(labels.find("\n" + storm) != std::string::npos);
  CHECK(labels.find("storm") != std::string::npos);

  {
    std::ofstream broken(folder / "broken.cues");
    broken << "1:1 hold on\n3:5 next\n";
  }
  const auto bad = test::runReverie(common + "--cues broken.cues -o d.wav", folder.path());
  MESSAGE("broken cue file: exit " << bad.exitCode << ", " << bad.err);
  CHECK(bad.exitCode == 2);
  CHECK(std::count(bad.err.begin(), bad.err.end(), '\n') == 1);
  CHECK(bad.err.find("broken.cues:2: '3:5' has beat 5") != std::string::npos);
  CHECK(bad.err.find("write a beat from 1 to 4") != std::string::npos);
  CHECK(!std::filesystem::exists(folder / "d.wav"));
  {
    std::ofstream typo(folder / "typo.cues");
    typo << "# ok\n\n4.5s stinger shater\n";
  }
  const auto unknown = test::runReverie(common + "--cues typo.cues -o e.wav", folder.path());
  CHECK(unknown.exitCode == 2);
  CHECK(unknown.err.find("typo.cues:3: unknown stinger 'shater'; stingers: shatter, drop") !=
        std::string::npos);
  const auto help = test::runReverie("render --help", folder.path());
  CHECK(help.out.find("--cues") != std::string::npos);
}

TEST_CASE("arc format: hold, exit and [stingers] are read and checked") {
  const std::string patch = std::string(REVERIE_SOURCE_DIR) + "/presets/patches/the-stage.toml";
  const std::string head = "format_version = 1\npatch = \"" + patch + "\"\n[music]\ntempo = 100\n";
  const Arc ok = parseArc(head +
                              "[stingers]\nquantise = \"bar\"\nroll = \"now\"\n"
                              "drop = { quantise = \"beat\", note = 30, cc = 81 }\n"
                              "[[scene]]\nname = \"a\"\nbars = 4\nhold = true\n"
                              "hold_max_bars = 8\nexit = \"phrase\"\n",
                          "ok.toml");
  CHECK(ok.scenes[0].hold);
  CHECK(ok.scenes[0].holdMaxBars == 8);
  CHECK(ok.scenes[0].exit == SceneExit::kPhrase);
  CHECK(ok.stingerQuantise[static_cast<std::size_t>(Stinger::kRoll)] == Quantise::kNow);
  CHECK(ok.stingerQuantise[static_cast<std::size_t>(Stinger::kCheer)] == Quantise::kBar);
  CHECK(ok.stingerQuantise[static_cast<std::size_t>(Stinger::kDrop)] == Quantise::kBeat);
  CHECK(ok.stingerNote[static_cast<std::size_t>(Stinger::kDrop)] == 30);
  CHECK(ok.stingerController[static_cast<std::size_t>(Stinger::kDrop)] == 81);
  CHECK(ok.stingerNote[static_cast<std::size_t>(Stinger::kRoll)] == -1);
  CHECK(arc::arcSeconds(ok) == doctest::Approx(8 * 2.4 + ok.tailSeconds));
  const Arc plain = parseArc(head + "[[scene]]\nname = \"a\"\nbars = 4\n", "plain.toml");
  CHECK(!plain.scenes[0].hold);
  CHECK(plain.scenes[0].exit == SceneExit::kBar);
  CHECK(plain.stingerQuantise[static_cast<std::size_t>(Stinger::kShatter)] == Quantise::kBeat);

  const auto errors = test::diagnosticsOf([&] {
    parseArc(head +
                 "[stingers]\nshatter = \"soon\"\nsplash = \"now\"\n"
                 "cheer = { note = 128, quantize = \"bar\" }\n"
                 "[[scene]]\nname = \"a\"\nbars = 4\nhold_max_bars = 8\nexit = \"bars\"\n"
                 "[[scene]]\nname = \"b\"\nbars = 4\nhold = true\nhold_max_bars = 2\n",
             "bad.toml");
  });
  std::string all;
  for (const PresetDiagnostic& d : errors) all += d.format() + "\n";
  MESSAGE(all);
  CHECK(errors.size() == 7);
  CHECK(all.find("[stingers] cheer note = 128 is out of range") != std::string::npos);
  CHECK(all.find("unknown key 'quantize' in [stingers] cheer; did you mean 'quantise'?") !=
        std::string::npos);
  CHECK(all.find("[stingers] shatter = 'soon' is not one of beat, bar, now") != std::string::npos);
  CHECK(all.find("unknown key 'splash' in [stingers]") != std::string::npos);
  CHECK(all.find("has hold_max_bars but does not hold") != std::string::npos);
  CHECK(all.find("exit = 'bars' is not one of bar, beat, phrase; did you mean 'bar'?") !=
        std::string::npos);
  CHECK(all.find("hold_max_bars = 2 is less than its 4 bars") != std::string::npos);
}

}  // namespace
}  // namespace reverie
