// The audio-thread half of live play: MIDI from input threads, placed by arrival time, into
// the engine; program changes handed from the input threads straight to the control thread.
// Host-agnostic (no PortAudio or RtMidi here), so it is tested without a server.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "engine/spsc_queue.hpp"
#include "midi/midi_translator.hpp"
#include "reverie/engine.hpp"
#include "reverie/instrument.hpp"

namespace reverie::live {

/// A message as an input thread received it, stamped with steady-clock nanoseconds.
struct IncomingMidi {
  std::int64_t arrivalNanos = 0;
  midi::Message message;
};

/// A message for the audio thread at an absolute frame of the renderer's own clock (frames it
/// has rendered since it started): a MIDI message through the routing, or a node event.
struct TimedEvent {
  std::int64_t frame = -1;  ///< < 0: at the start of the next block
  bool isMidi = true;
  midi::Message midi;
  NodeEvent node;  ///< when !isMidi; its frame is ignored
  /// For a node that writes events (the composer), which acts on an event at the start of
  /// its next block: given on the frame before `frame`, with the block split there, so the
  /// node acts on `frame` itself.
  bool generator = false;
};

/// Where the audio clock stood at the start of the last block that render(out, frames, nanos)
/// rendered: its absolute frame and its steady-clock time (smoothed). valid is false before.
struct ClockAnchor {
  std::int64_t frame = 0;
  std::int64_t nanos = 0;
  bool valid = false;
};

/// Which nodes play each channel: sent whole from the control thread on a preset change.
struct Routing {
  std::array<std::array<midi::ChannelTarget, midi::Translator::kMaxTargetsPerChannel>, 16>
      targets{};
  std::array<int, 16> counts{};
};

class LiveRenderer {
 public:
  static constexpr int kMaxInputs = 16;
  static constexpr std::size_t kQueueCapacity = 4096;

  /// `inputs` MIDI inputs, each with its own queue (one producer thread each).
  LiveRenderer(Engine& engine, int inputs, midi::VelocityCurve curve, bool mpe = false);

  // ---- MIDI input threads (one per queue) ----
  /// Queues a message for the audio thread; false if the queue is full (counted as dropped).
  /// A program change is not queued: it goes to the control thread at once (see
  /// latestProgramRequest), with the bank this input last selected on its channel.
  bool receive(int input, const IncomingMidi& midi) noexcept;
  /// Control thread, before any input runs: MIDI clock messages (midi::isClockMessage) go to
  /// `listener` from the first input that sends one (another takes over after half a second of
  /// its silence), on that input's thread; other system messages, and clock without a
  /// listener, are dropped (the translator plays none of them).
  void setClockListener(midi::ClockListener* listener) noexcept { clockListener_ = listener; }

  // ---- one other thread (a host's UI or control thread) ----
  /// Queues a message for the audio thread's next `render(out, frames, events)`, at its frame
  /// there. A program change is not queued: it goes to the control thread as `receive` sends
  /// it. False if the queue is full (counted as dropped).
  bool post(const MidiEvent& midi) noexcept;

  // ---- one timed-event thread (an OSC server) ----
  /// Queues an event for its frame (a frame already rendered plays at once and counts as
  /// late). False if the queue is full (counted as dropped).
  bool postTimed(const TimedEvent& event) noexcept;
  /// Any thread: the clock's last anchor (a seqlock read: consistent, never blocks the writer).
  ClockAnchor clockAnchor() const noexcept;
  /// Timed events that came after their frame had been rendered.
  std::uint64_t lateEvents() const noexcept { return late_.load(std::memory_order_relaxed); }
  /// Any thread: frames rendered so far.
  std::int64_t framePosition() const noexcept {
    return framePosition_.load(std::memory_order_relaxed);
  }

  // ---- control thread ----
  /// Routes channels to nodes from the audio thread's next block on.
  bool setRouting(const Routing& routing) noexcept;
  /// The last program change received since the previous call, and how many came in all
  /// (`count`): a controller sending them in a loop must make the host build one patch, not
  /// one per message, and none is lost to a full queue. False if none came.
  bool latestProgramRequest(midi::Translator::ProgramRequest& request,
                            std::uint64_t& count) noexcept;
  /// The last MIDI message the audio thread applied, or program change received (status in the
  /// low byte), 0 if none.
  std::uint32_t lastMessage() const noexcept {
    return lastMessage_.load(std::memory_order_relaxed);
  }
  std::uint64_t droppedMessages() const noexcept {
    return dropped_.load(std::memory_order_relaxed);
  }
  /// Note-ons the audio thread has applied, from every input together.
  std::uint64_t notesPlayed() const noexcept {
    return notesPlayed_.load(std::memory_order_relaxed);
  }

  // ---- audio thread ----
  /// Renders one block. `callbackNanos` is the steady-clock time of the callback. Messages
  /// that arrived during the previous block are placed at the same offsets within this one,
  /// so a constant latency (one block, plus the earliness of early callbacks) keeps their
  /// spacing; callback jitter is smoothed by a clock that follows the sample count.
  void render(float* const* out, int frames, std::int64_t callbackNanos) noexcept;
  /// Renders one block with `events` at their frames within it (a frame past the block plays
  /// on its last frame), and the posted messages at theirs. For a host that timestamps its
  /// MIDI itself (a plugin). A program change among `events` goes to the control thread.
  void render(float* const* out, int frames, std::span<const MidiEvent> events) noexcept;

 private:
  void takeRouting() noexcept;
  /// An input thread: a clock message to the listener if this input's clock is followed.
  void takeClock(int input, const IncomingMidi& midi) noexcept;
  /// Places the timed events due in this block, keeps the later ones (audio thread).
  void takeTimed(int frames) noexcept;
  void publishAnchor() noexcept;
  /// engine_.process, split at the frames generator events asked for (audio thread).
  void process(float* const* out, int frames) noexcept;
  /// Translates one message into events_ at `frame` (audio thread).
  void place(const midi::Message& message, std::uint32_t frame) noexcept;
  /// Hands a program change to the control thread (any thread; lock-free).
  void requestProgram(const midi::ProgramRequest& request, const midi::Message& message) noexcept;

  Engine& engine_;
  midi::Translator translator_;
  std::vector<std::unique_ptr<SpscQueue<IncomingMidi>>> inputs_;
  std::vector<midi::ProgramSelect> banks_;  // one per input, used by its thread alone
  SpscQueue<MidiEvent> posted_{kQueueCapacity};
  midi::ProgramSelect postedBanks_;  // the posting thread's
  SpscQueue<Routing> routing_{4};
  // The last program request and how many there were: program (7 bits), bank (14), channel (4),
  // then the count. Written by the input threads (compare-exchange), read by the control thread.
  std::atomic<std::uint64_t> programWord_{0};
  std::uint64_t programsTaken_ = 0;  // control thread
  std::vector<NodeEvent> events_;    // sized once; the audio thread never grows it
  std::size_t eventCount_ = 0;
  double sampleRate_;
  // The block clock: where this block starts on the steady clock, in nanoseconds.
  double blockStartNanos_ = 0.0;
  bool clockRunning_ = false;
  double marginNanos_ = 0.0;
  // Timed events: queued by one thread, kept by the audio thread until their block comes.
  SpscQueue<TimedEvent> timed_{kQueueCapacity};
  std::vector<TimedEvent> pending_;  // sized once
  std::size_t pendingCount_ = 0;
  std::array<int, 8> splits_{};  // this block's, for generator events
  int splitCount_ = 0;
  std::int64_t frame_ = 0;  // audio thread: the absolute frame this block starts at
  std::atomic<std::int64_t> framePosition_{0};
  std::atomic<std::uint64_t> anchorSequence_{0};  // odd while the anchor is written
  std::atomic<std::int64_t> anchorFrame_{0}, anchorNanos_{0};
  std::atomic<std::uint64_t> late_{0};
  std::atomic<std::uint32_t> lastMessage_{0};
  std::atomic<std::uint64_t> dropped_{0};
  std::atomic<std::uint64_t> notesPlayed_{0};
  midi::ClockListener* clockListener_ = nullptr;
  std::atomic<int> clockInput_{-1};  // the input whose clock is followed, once one sent it
  std::atomic<std::int64_t> lastClockNanos_{0};  // when it last sent one
};

}  // namespace reverie::live
