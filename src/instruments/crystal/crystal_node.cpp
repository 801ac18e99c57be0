// CrystalNode: parameters, voice allocation and stealing, pedal, bend and pressure.
#include "instruments/crystal/crystal_node.hpp"

#include <algorithm>
#include <cmath>

#include "dsp/math_constants.hpp"
#include "dsp/voice_allocator.hpp"
#include "nodes/builtin_nodes.hpp"
#include "reverie/parameter_rows.hpp"

namespace reverie {
namespace {

constexpr std::string_view kGeometries[] = {"harmonic", "bar", "glass", "bowl", "spiral", "custom"};
constexpr std::string_view kExciters[] = {"strike", "bow", "shatter"};
constexpr std::string_view kMpeModes[] = {"off", "lower"};
enum {
  kVoices,
  kModes,
  kGeometry,
  kStretch,
  kBeat,
  kT60,
  kDamping,
  kBrightness,
  kHardness,
  kPosition,
  kSpread,
  kExciter,
  kPressure,
  kBowSpeed,
  kRelease,
  kShards,
  kBendRange,
  kTuning,
  kLevel,
  kDrift,
  kDriftRate,
  kMpe
};
constexpr ParameterDescriptor kParameters[] = {
    rows::voices(128.0f, 64.0f),
    {"modes", "Modes per voice", "modes", 1.0f, 64.0f, 32.0f},
    {"geometry", "Mode geometry (custom: the ratios list)", "", 0.0f, 5.0f, 2.0f, 0.0f,
     kGeometries},
    {"stretch", "Partial stretch (harmonic and spiral series)", "", 0.9f, 1.3f, 1.0f},
    {"beat", "Splitting of mode pairs at the principal (beats)", "Hz", 0.0f, 12.0f, 0.0f},
    {"t60", "Decay time of the principal mode", "s", 0.05f, 60.0f, 4.0f},
    {"damping", "How much faster higher modes decay", "", 0.0f, 3.0f, 1.0f},
    rows::brightness("Brightness: spectral tilt of the modes"),
    {"hardness", "Mallet hardness", "", 0.0f, 1.0f, 0.5f},
    {"position", "Strike and pickup position", "", 0.0f, 1.0f, 0.2f},
    {"spread", "Stereo spread of the modes", "", 0.0f, 1.0f, 0.5f},
    {"exciter", "Exciter", "", 0.0f, 2.0f, 0.0f, 0.0f, kExciters},
    {"pressure", "Bow pressure", "", 0.0f, 1.0f, 0.5f},
    {"bow_speed", "Bow speed", "", 0.0f, 1.0f, 0.5f},
    {"release", "Decay after the key is released", "s", 0.01f, 30.0f, 0.6f},
    {"shards", "Shatter: density of the shower of shards", "", 0.0f, 1.0f, 0.6f},
    rows::bendRange(),
    rows::tuning(),
    rows::level(0.0f),
    {"drift", "Slow spiralling detune of the modes", "cents", 0.0f, 50.0f, 0.0f},
    {"drift_rate", "Speed of the spiralling detune", "Hz", 0.01f, 2.0f, 0.15f},
    {"mpe",
     "MPE lower zone: channels 2-16 bend, press and brighten single notes (48-semitone bend)", "",
     0.0f, 1.0f, 0.0f, 0.0f, kMpeModes},
};
static_assert(indicesMatch(kParameters, {{kVoices, "voices"},
                                         {kModes, "modes"},
                                         {kGeometry, "geometry"},
                                         {kStretch, "stretch"},
                                         {kBeat, "beat"},
                                         {kT60, "t60"},
                                         {kDamping, "damping"},
                                         {kBrightness, "brightness"},
                                         {kHardness, "hardness"},
                                         {kPosition, "position"},
                                         {kSpread, "spread"},
                                         {kExciter, "exciter"},
                                         {kPressure, "pressure"},
                                         {kBowSpeed, "bow_speed"},
                                         {kRelease, "release"},
                                         {kShards, "shards"},
                                         {kBendRange, "bend_range"},
                                         {kTuning, "tuning"},
                                         {kLevel, "level"},
                                         {kDrift, "drift"},
                                         {kDriftRate, "drift_rate"},
                                         {kMpe, "mpe"}}));
static_assert(kMpeModes[static_cast<int>(NodeType::kMpeLowerZone)] == "lower");
// The composer strikes, bows or shatters the crystal by its exciter.
constexpr NodeRole kRoles[] = {NodeRole::kCrystal, NodeRole::kBowedCrystal, NodeRole::kShards};
static_assert(std::size(kRoles) == std::size(kExciters));

constexpr ListParameterDescriptor kLists[] = {
    {"ratios", "Mode frequency ratios for geometry = \"custom\"", "", 0.01f, 200.0f, 64},
};

}  // namespace

void CrystalNode::setList(int index, std::span<const float> values) {
  if (index != 0) return;
  customCount_ = static_cast<int>(std::min<std::size_t>(values.size(), customRatios_.size()));
  for (int i = 0; i < customCount_; ++i)
    customRatios_[static_cast<std::size_t>(i)] = values[static_cast<std::size_t>(i)];
  settings_.customRatios = customRatios_.data();
  settings_.customCount = customCount_;
}

CrystalNode::CrystalNode() : Node(kCrystalType) {}

void CrystalNode::onPrepare(const PrepareInfo& info) {
  voices_.assign(kMaxVoices + kFadeReserve, crystal::CrystalVoice{});
  sustained_.assign(voices_.size(), false);
  mid_.assign(static_cast<std::size_t>(info.maxBlockFrames), 0.0f);
  side_.assign(static_cast<std::size_t>(info.maxBlockFrames), 0.0f);
  scratch_.assign(static_cast<std::size_t>(info.maxBlockFrames), 0.0f);
  kernel_ = dsp::modalKernel();
  bowed_ = dsp::bowedKernel();
  random_.reseed(info.seed);
  settings_.sampleRate = info.sampleRate;
  dcPole_ = static_cast<float>(std::exp(-dsp::kTwoPi * 5.0 / info.sampleRate));
}

void CrystalNode::onParameterChanged(int) noexcept {
  crystal::VoiceSettings& s = settings_;
  s.maxModes = static_cast<int>(parameter(kModes).target());
  s.geometry = static_cast<crystal::Geometry>(static_cast<int>(parameter(kGeometry).target()));
  s.stretch = parameter(kStretch).target();
  s.pairSplitHz = parameter(kBeat).target();
  s.t60Seconds = parameter(kT60).target();
  s.damping = parameter(kDamping).target();
  s.brightness = parameter(kBrightness).target();
  s.hardness = parameter(kHardness).target();
  s.position = parameter(kPosition).target();
  s.spread = parameter(kSpread).target();
  s.exciter = static_cast<crystal::Exciter>(static_cast<int>(parameter(kExciter).target()));
  s.bowPressure = parameter(kPressure).target();
  s.bowSpeed = parameter(kBowSpeed).target();
  s.releaseSeconds = parameter(kRelease).target();
  s.shardDensity = parameter(kShards).target();
  s.driftCents = parameter(kDrift).target();
  s.driftRateHz = parameter(kDriftRate).target();
}

double CrystalNode::noteHz(int key, double noteBend) const noexcept {
  // 12-TET from the tuning of A4, bent by the channel's (or zone's) bend and the note's own.
  return parameterTarget(kTuning) * std::exp2((key - 69 + bendSemitones_ + noteBend) / 12.0);
}

bool CrystalNode::isPerNoteChannel(int channel) const noexcept {
  return parameterTarget(kMpe) >= 0.5f && channel >= 1 && channel <= 15;
}

int CrystalNode::playingVoices() const noexcept {
  int count = 0;
  for (const crystal::CrystalVoice& v : voices_) count += v.active() && !v.fading();
  return count;
}

crystal::CrystalVoice* CrystalNode::allocateVoice(int key) noexcept {
  // A key that still rings is struck again in its own voice. At the polyphony limit the
  // quietest playing voice (the oldest among equals) damps out in 5 ms in its slot.
  struct Pool {
    std::vector<crystal::CrystalVoice>& voices;
    const crystal::VoiceSettings& settings;
    int size() const noexcept { return static_cast<int>(voices.size()); }
    int key(int v) const noexcept { return voice(v).key(); }
    bool playing(int v) const noexcept { return voice(v).active() && !voice(v).fading(); }
    bool free(int v) const noexcept { return !voice(v).active(); }
    unsigned long age(int v) const noexcept { return voice(v).age(); }
    double energy(int v) const noexcept { return voice(v).energy(); }
    void fadeOut(int v) noexcept { voices[static_cast<std::size_t>(v)].fadeOut(settings); }
    const crystal::CrystalVoice& voice(int v) const noexcept {
      return voices[static_cast<std::size_t>(v)];
    }
  } pool{voices_, settings_};
  const int polyphony = static_cast<int>(parameter(kVoices).target());
  const int chosen =
      dsp::chooseVoice<dsp::StealRule::kQuietestFadesOut>(pool, key, polyphony).voice;
  return &voices_[static_cast<std::size_t>(chosen)];
}

void CrystalNode::noteOn(int key, float velocity, int channel) noexcept {
  crystal::CrystalVoice* voice = allocateVoice(key);
  const bool member = isPerNoteChannel(channel);
  const auto c = static_cast<std::size_t>(channel & 15);
  const double bend = member ? memberBend_[c] : 0.0;
  voice->start(key, velocity, noteHz(key, bend), settings_,
               (static_cast<std::uint64_t>(random_.next()) << 32) | random_.next());
  voice->setChannel(channel);
  voice->setNoteBend(bend);
  voice->setAge(++clock_);
  voice->setPressure(member ? memberPressure_[c] : std::max(aftertouch_, modWheel_));
  if (member) voice->setTimbre(memberTimbre_[c]);
  sustained_[static_cast<std::size_t>(voice - voices_.data())] = false;
  mostPlaying_ = std::max(mostPlaying_, playingVoices());
}

void CrystalNode::noteOff(int key) noexcept {
  for (std::size_t i = 0; i < voices_.size(); ++i) {
    crystal::CrystalVoice& v = voices_[i];
    if (!v.active() || v.fading() || v.key() != key || !v.held()) continue;
    if (pedal_) {
      v.setHeld(false);
      sustained_[i] = true;
    } else {
      v.release(settings_);
    }
  }
}

void CrystalNode::setPedal(bool down) noexcept {
  pedal_ = down;
  if (down) return;
  for (std::size_t i = 0; i < voices_.size(); ++i) {
    if (!sustained_[i]) continue;
    sustained_[i] = false;
    if (voices_[i].active() && !voices_[i].fading()) voices_[i].release(settings_);
  }
}

void CrystalNode::onEvent(const Event& event) noexcept {
  switch (event.type) {
    case EventType::kNoteOn:
      if (event.value > 0.0f)
        return noteOn(event.index, std::min(event.value, 1.0f), event.channel);
      return noteOff(event.index);
    case EventType::kNoteOff:
      return noteOff(event.index);
    case EventType::kPitchBend: {
      const float position = std::clamp(event.value, -1.0f, 1.0f);
      if (isPerNoteChannel(event.channel)) {  // one note's own bend (MPE member channel)
        memberBend_[event.channel] = position * kMemberBendRange;
        for (crystal::CrystalVoice& v : voices_)
          if (v.active() && v.channel() == event.channel) {
            v.setNoteBend(memberBend_[event.channel]);
            v.setPitch(noteHz(v.key(), v.noteBend()), settings_);
          }
        return;
      }
      bendSemitones_ = position * parameter(kBendRange).target();
      for (crystal::CrystalVoice& v : voices_)
        if (v.active()) v.setPitch(noteHz(v.key(), v.noteBend()), settings_);
      return;
    }
    case EventType::kChannelPressure:
      if (isPerNoteChannel(event.channel)) {
        memberPressure_[event.channel] = std::clamp(event.value, 0.0f, 1.0f);
        for (crystal::CrystalVoice& v : voices_)
          if (v.active() && v.channel() == event.channel)
            v.setPressure(memberPressure_[event.channel]);
        return;
      }
      aftertouch_ = std::clamp(event.value, 0.0f, 1.0f);
      for (crystal::CrystalVoice& v : voices_) v.setPressure(std::max(aftertouch_, modWheel_));
      return;
    case EventType::kPolyPressure:
      for (crystal::CrystalVoice& v : voices_)
        if (v.active() && v.key() == event.index)
          v.setPressure(std::clamp(event.value, 0.0f, 1.0f));
      return;
    case EventType::kControlChange:
      if (event.index == 74 && isPerNoteChannel(event.channel)) {  // MPE timbre of one note
        memberTimbre_[event.channel] = std::clamp(event.value, 0.0f, 1.0f);
        for (crystal::CrystalVoice& v : voices_)
          if (v.active() && v.channel() == event.channel) v.setTimbre(memberTimbre_[event.channel]);
        return;
      }
      if (event.index == 1) {  // mod wheel: bow pressure, like aftertouch
        modWheel_ = std::clamp(event.value, 0.0f, 1.0f);
        for (crystal::CrystalVoice& v : voices_) v.setPressure(std::max(aftertouch_, modWheel_));
      } else if (event.index == 64) {
        setPedal(event.value >= 0.5f);
      } else if (event.index == 120) {  // all sound off
        for (crystal::CrystalVoice& v : voices_)
          if (v.active()) v.fadeOut(settings_);
      } else if (event.index == 123) {
        for (crystal::CrystalVoice& v : voices_)
          if (v.active() && v.held()) v.release(settings_);
      }
      return;
    case EventType::kAllNotesOff:
      for (crystal::CrystalVoice& v : voices_)
        if (v.active() && !v.fading()) v.release(settings_);
      return;
    default:
      return;
  }
}

void CrystalNode::render(const float* const*, float* const* out, int frames) noexcept {
  std::fill(mid_.begin(), mid_.begin() + frames, 0.0f);
  std::fill(side_.begin(), side_.begin() + frames, 0.0f);
  for (std::size_t i = 0; i < voices_.size();) {
    if (!voices_[i].active() || !voices_[i].bowing()) {
      if (voices_[i].active())
        voices_[i].render(mid_.data(), side_.data(), scratch_.data(), frames, kernel_, bowed_,
                          settings_);
      ++i;
      continue;
    }
    // Bowing voices with no sounding voice between them render side by side, their friction
    // chains overlapping; each still adds to the mix where it would alone.
    crystal::CrystalVoice* together[dsp::kBowedTogether];
    int count = 0;
    for (; i < voices_.size() && count < dsp::kBowedTogether; ++i) {
      if (!voices_[i].active()) continue;
      if (!voices_[i].bowing()) break;
      together[count++] = &voices_[i];
    }
    crystal::CrystalVoice::renderBowing(together, count, mid_.data(), side_.data(), frames, bowed_,
                                        settings_);
  }
  SmoothedValue& level = parameter(kLevel);
  float gain = decibelsToGain(level.current());
  for (int i = 0; i < frames; ++i) {
    if (level.isRamping()) gain = decibelsToGain(level.next());
    const float left =
        (mid_[static_cast<std::size_t>(i)] + side_[static_cast<std::size_t>(i)]) * gain;
    const float right =
        (mid_[static_cast<std::size_t>(i)] - side_[static_cast<std::size_t>(i)]) * gain;
    // DC blocker (one-pole high-pass near 5 Hz): a bow's steady pull displaces the body.
    dcOutL_ = left - dcInL_ + dcPole_ * dcOutL_;
    dcOutR_ = right - dcInR_ + dcPole_ * dcOutR_;
    dcInL_ = left;
    dcInR_ = right;
    out[0][i] = dcOutL_;
    out[1][i] = dcOutR_;
  }
}

const NodeType kCrystalType{
    .name = "crystal",
    .description = "The crystal instrument: polyphonic modal voices struck, bowed or shattered",
    .outputs = kStereoPorts,
    .parameters = kParameters,
    .acceptsNotes = true,
    .create = createNode<CrystalNode>,
    .lists = kLists,
    .role = NodeRole::kCrystal,
    .roleParameter = kExciter,
    .roleByChoice = kRoles,
    .bendRangeParameter = kBendRange,
    .mpeParameter = kMpe,
};

}  // namespace reverie
