// PlaySync: the sources of `play --sync`, and --clock-out.
#include "cli/play_sync.hpp"

#include <cmath>

#include "arc/composer.hpp"
#include "reverie/errors.hpp"
#include "sync/midi_clock.hpp"
#if REVERIE_SYNC_JACK
#include "sync/jack_transport.hpp"
#endif
#if REVERIE_SYNC_LINK
#include "sync/link_session.hpp"
#endif

namespace reverie::cli {

PlaySync::PlaySync(const PlaySyncOptions& options, Engine& engine, live::LiveRenderer& renderer,
                   const Arc* arc, const Node* composer)
    : engine_(engine),
      composer_(composer),
      latencyNanos_(std::llround(options.latencySeconds * 1e9)),
      mode_(options.mode) {
  // MIDI clock and Link speak quarter notes: bars of the arc's meter when it counts quarters.
  const double beatsPerBar = arc && arc->beatUnit == 4 ? arc->beatsPerBar : 4.0;
  if (options.mode == "jack") {
#if REVERIE_SYNC_JACK
    if (options.hostApiKey != "jack")
      throw InputError("--sync jack follows JACK transport, but play runs on " +
                       options.hostApiKey + ": start a JACK server, or add --host-api jack");
    source_ = std::make_unique<sync::JackTransportSource>(options.sampleRate);
#else
    throw InputError("--sync jack: this reverie was built without libjack");
#endif
  } else if (options.mode == "midi") {
    if (options.midiInput == "none")
      throw InputError(
          "--sync midi takes clock from the MIDI inputs, but --midi-input none opens "
          "none: drop it (the 'reverie' port takes clock) or name the device");
    auto midi = std::make_unique<sync::MidiClockSource>(options.sampleRate, options.latencySeconds,
                                                        beatsPerBar);
    renderer.setClockListener(&midi->tracker());
    source_ = std::move(midi);
  } else if (options.mode == "link") {
#if REVERIE_SYNC_LINK
    source_ = std::make_unique<sync::LinkSource>(options.sampleRate, options.latencySeconds,
                                                 beatsPerBar, arc ? arc->tempo : 120.0);
#else
    throw InputError(
        "--sync link: this reverie was built without Ableton Link (Debian ableton-link-dev)");
#endif
  }
  if (!options.clockOut.empty()) {
    if (!source_ && !(arc && composer))
      throw InputError(
          "--clock-out sends reverie's tempo: add --arc (its tempo) or --sync (the followed one)");
    if (!source_) {
      std::vector<double> tempos;
      for (const Scene& scene : arc->scenes)
        tempos.push_back(scene.tempo > 0 ? scene.tempo : arc->tempo);
      arcClock_ = std::make_unique<sync::ArcClock>(std::move(tempos), options.sampleRate);
    }
    clockOut_ = std::make_unique<sync::ClockOut>(options.midiApi, options.clockOut);
  }
}

PlaySync::~PlaySync() = default;

void PlaySync::beforeBlock(int frames, std::int64_t callbackNanos) noexcept {
  if (source_) {
    if (const auto transport = source_->transport(frames, callbackNanos)) {
      engine_.setTransport(*transport);
      followed_.store(*transport);
    }
  }
  if (clockOut_) {
    const Transport t =
        arcClock_ ? arcClock_->step(arc::composerScene(*composer_), frames) : engine_.transport();
    clockOut_->publish(t, callbackNanos + latencyNanos_);
  }
}

std::vector<std::string> PlaySync::describe() const {
  std::vector<std::string> lines;
  if (mode_ == "jack") lines.push_back("following JACK transport (--sync jack)");
  if (mode_ == "midi")
    lines.push_back("following MIDI clock from the first input that sends it (--sync midi)");
  if (mode_ == "link") lines.push_back("following Ableton Link (--sync link)");
  if (clockOut_)
    lines.push_back("MIDI clock out to " + clockOut_->portName() + " at " +
                    (arcClock_ ? "the arc's tempo" : "the followed tempo"));
  return lines;
}

std::optional<std::string> PlaySync::news(std::chrono::steady_clock::time_point now) {
  if (!source_ || now < nextNews_) return std::nullopt;
  const Transport t = followed_.load();
  const double bpm = std::round(t.beatsPerMinute * 10.0) / 10.0;
  if (t.rolling == saidRolling_ && std::fabs(bpm - saidBpm_) < 0.5) return std::nullopt;
  saidRolling_ = t.rolling;
  saidBpm_ = bpm;
  nextNews_ = now + std::chrono::milliseconds(500);
  return "sync: " + source_->describe();
}

}  // namespace reverie::cli
