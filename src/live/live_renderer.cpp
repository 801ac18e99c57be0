// LiveRenderer: drain, place, translate, render.
#include "live/live_renderer.hpp"

#include <algorithm>
#include <cmath>

namespace reverie::live {
namespace {

constexpr std::size_t kMaxEventsPerBlock = 4096;
// How far the block clock moves toward each measured callback time; small enough to take
// out scheduler jitter, large enough to follow a drifting sound card (a first-order loop).
constexpr double kClockCorrection = 0.005;
// A callback this far off the clock means a stall or an xrun: start the clock again.
constexpr double kClockResetNanos = 20e6;
// The latency margin follows the earliest callbacks seen, forgetting them slowly, up to 10 ms.
constexpr double kMarginDecay = 0.9995;
constexpr double kMaxMarginNanos = 10e6;
// programWord_: program, bank and channel below this bit, the count of requests from it up.
constexpr int kProgramCountShift = 25;
// A followed MIDI clock input silent this long gives way to another that sends clock.
constexpr std::int64_t kClockSilenceNanos = 500'000'000;

}  // namespace

LiveRenderer::LiveRenderer(Engine& engine, int inputs, midi::VelocityCurve curve, bool mpe)
    : engine_(engine), translator_(curve), sampleRate_(engine.config().sampleRate) {
  translator_.setMpe(mpe);
  for (int i = 0; i < std::clamp(inputs, 1, kMaxInputs); ++i)
    inputs_.push_back(std::make_unique<SpscQueue<IncomingMidi>>(kQueueCapacity));
  banks_.resize(inputs_.size());
  events_.resize(kMaxEventsPerBlock);
  pending_.resize(kQueueCapacity);
}

bool LiveRenderer::postTimed(const TimedEvent& event) noexcept {
  if (timed_.push(event)) return true;
  dropped_.fetch_add(1, std::memory_order_relaxed);
  return false;
}

// A seqlock whose every access is sequentially consistent: one total order over the counter
// and the two values makes a read that saw the same even count before and after consistent,
// with no fences (which ThreadSanitizer cannot follow). Four such stores a block cost nothing.
ClockAnchor LiveRenderer::clockAnchor() const noexcept {
  for (;;) {
    const std::uint64_t before = anchorSequence_.load(std::memory_order_seq_cst);
    if (before & 1u) continue;
    ClockAnchor anchor{anchorFrame_.load(std::memory_order_seq_cst),
                       anchorNanos_.load(std::memory_order_seq_cst), before != 0};
    if (anchorSequence_.load(std::memory_order_seq_cst) == before) return anchor;
  }
}

void LiveRenderer::publishAnchor() noexcept {
  const std::uint64_t sequence = anchorSequence_.load(std::memory_order_relaxed);
  anchorSequence_.store(sequence + 1, std::memory_order_seq_cst);
  anchorFrame_.store(frame_, std::memory_order_seq_cst);
  anchorNanos_.store(static_cast<std::int64_t>(blockStartNanos_), std::memory_order_seq_cst);
  anchorSequence_.store(sequence + 2, std::memory_order_seq_cst);
}

void LiveRenderer::takeTimed(int frames) noexcept {
  TimedEvent event;
  while (timed_.pop(event)) {
    if (pendingCount_ < pending_.size())
      pending_[pendingCount_++] = event;
    else
      dropped_.fetch_add(1, std::memory_order_relaxed);
  }
  const std::int64_t end = frame_ + frames;
  std::size_t kept = 0;
  splitCount_ = 0;
  for (std::size_t i = 0; i < pendingCount_; ++i) {
    const TimedEvent& e = pending_[i];
    const std::int64_t due = e.generator && e.frame > 0 ? e.frame - 1 : e.frame;
    if (due >= end) {
      pending_[kept++] = e;  // a later block's; arrival order is kept
      continue;
    }
    if (due >= 0 && due < frame_) late_.fetch_add(1, std::memory_order_relaxed);
    if (e.generator && due >= frame_ && e.frame < end &&
        splitCount_ < static_cast<int>(splits_.size()))
      splits_[static_cast<std::size_t>(splitCount_++)] = static_cast<int>(e.frame - frame_);
    const auto at = static_cast<std::uint32_t>(std::max<std::int64_t>(due - frame_, 0));
    if (e.isMidi) {
      place(e.midi, at);
    } else if (eventCount_ < events_.size()) {
      events_[eventCount_] = e.node;
      events_[eventCount_++].event.frame = at;
    } else {
      dropped_.fetch_add(1, std::memory_order_relaxed);
    }
  }
  pendingCount_ = kept;
}

void LiveRenderer::process(float* const* out, int frames) noexcept {
  std::sort(splits_.begin(), splits_.begin() + splitCount_);
  int start = 0;
  for (int k = 0; k <= splitCount_; ++k) {
    const int stop = k < splitCount_ ? splits_[static_cast<std::size_t>(k)] : frames;
    if (stop <= start) continue;
    float* part[] = {out[0] + start, out[1] + start};
    engine_.process(part, stop - start, {events_.data(), eventCount_});
    // The next part's events from its own start; those played wrap past any block (skipped).
    for (std::size_t i = 0; i < eventCount_; ++i)
      events_[i].event.frame -= static_cast<std::uint32_t>(stop - start);
    start = stop;
  }
  splitCount_ = 0;
}

bool LiveRenderer::receive(int input, const IncomingMidi& midi) noexcept {
  if (input < 0 || input >= static_cast<int>(inputs_.size())) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  if (!midi.message.isChannelMessage()) {
    if (clockListener_ && midi::isClockMessage(midi.message)) takeClock(input, midi);
    return true;
  }
  const auto i = static_cast<std::size_t>(input);
  const midi::ProgramRequest request = banks_[i].feed(midi.message);
  if (request.program >= 0) {
    requestProgram(request, midi.message);
    return true;
  }
  if (!inputs_[i]->push(midi)) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  return true;
}

void LiveRenderer::takeClock(int input, const IncomingMidi& midi) noexcept {
  // One input's clock is followed, so one thread feeds the listener; another input takes over
  // once the one followed has been silent for kClockSilenceNanos (a device unplugged, or a
  // direct connection closed in favour of the virtual port).
  int followed = clockInput_.load(std::memory_order_relaxed);
  if (followed != input) {
    const bool silent =
        followed < 0 ||
        midi.arrivalNanos - lastClockNanos_.load(std::memory_order_relaxed) >= kClockSilenceNanos;
    if (!silent || !clockInput_.compare_exchange_strong(followed, input)) return;
  }
  lastClockNanos_.store(midi.arrivalNanos, std::memory_order_relaxed);
  clockListener_->clock(midi.message, midi.arrivalNanos);
}

bool LiveRenderer::post(const MidiEvent& midi) noexcept {
  const midi::Message message{midi.status, midi.data1, midi.data2};
  const midi::ProgramRequest request = postedBanks_.feed(message);
  if (request.program >= 0) {
    requestProgram(request, message);
    return true;
  }
  if (posted_.push(midi)) return true;
  dropped_.fetch_add(1, std::memory_order_relaxed);
  return false;
}

void LiveRenderer::requestProgram(const midi::ProgramRequest& request,
                                  const midi::Message& m) noexcept {
  // Straight to the control thread: the audio thread has nothing to do with it. The count
  // goes up by one per request, whichever thread wins the exchange.
  const std::uint64_t fields = static_cast<std::uint64_t>(request.channel & 0xF) << 21 |
                               static_cast<std::uint64_t>(request.bank & 0x3FFF) << 7 |
                               static_cast<std::uint64_t>(request.program & 0x7F);
  std::uint64_t word = programWord_.load(std::memory_order_relaxed);
  while (!programWord_.compare_exchange_weak(
      word, ((word >> kProgramCountShift) + 1) << kProgramCountShift | fields,
      std::memory_order_release, std::memory_order_relaxed)) {
  }
  lastMessage_.store(m.status | (std::uint32_t{m.data1} << 8) | (std::uint32_t{m.data2} << 16),
                     std::memory_order_relaxed);
}

bool LiveRenderer::setRouting(const Routing& routing) noexcept {
  return routing_.push(routing);
}

bool LiveRenderer::latestProgramRequest(midi::Translator::ProgramRequest& request,
                                        std::uint64_t& count) noexcept {
  const std::uint64_t word = programWord_.load(std::memory_order_acquire);
  const std::uint64_t total = word >> kProgramCountShift;
  if (total == programsTaken_) return false;
  count = total - programsTaken_;
  programsTaken_ = total;
  request.program = static_cast<int>(word & 0x7F);
  request.bank = static_cast<int>((word >> 7) & 0x3FFF);
  request.channel = static_cast<int>((word >> 21) & 0xF);
  return true;
}

void LiveRenderer::takeRouting() noexcept {
  Routing routing;
  while (routing_.pop(routing))
    for (int channel = 0; channel < 16; ++channel)
      translator_.setTargets(
          channel, {routing.targets[static_cast<std::size_t>(channel)].data(),
                    static_cast<std::size_t>(routing.counts[static_cast<std::size_t>(channel)])});
}

void LiveRenderer::place(const midi::Message& message, std::uint32_t frame) noexcept {
  const midi::ProgramRequest request =
      translator_.translate(message, frame, [this](const NodeEvent& e) {
        if (eventCount_ < events_.size())
          events_[eventCount_++] = e;
        else
          dropped_.fetch_add(1, std::memory_order_relaxed);
      });
  if (request.program >= 0) {
    requestProgram(request, message);  // only from render(events): the others never queue one
    return;
  }
  if (message.kind() == 0x90 && message.data2 > 0)
    notesPlayed_.fetch_add(1, std::memory_order_relaxed);
  if (message.isChannelMessage())
    lastMessage_.store(
        message.status | (std::uint32_t{message.data1} << 8) | (std::uint32_t{message.data2} << 16),
        std::memory_order_relaxed);
}

void LiveRenderer::render(float* const* out, int frames,
                          std::span<const MidiEvent> events) noexcept {
  takeRouting();
  eventCount_ = 0;
  const auto last = static_cast<std::uint32_t>(std::max(frames - 1, 0));
  for (const MidiEvent& e : events) place({e.status, e.data1, e.data2}, std::min(e.frame, last));
  while (const MidiEvent* posted = posted_.front()) {
    takeRouting();  // a routing sent before this event was posted applies to it
    const MidiEvent e = *posted;
    posted_.popFront();
    place({e.status, e.data1, e.data2}, std::min(e.frame, last));
  }
  takeTimed(frames);
  process(out, frames);
  frame_ += frames;
  framePosition_.store(frame_, std::memory_order_relaxed);
}

void LiveRenderer::render(float* const* out, int frames, std::int64_t callbackNanos) noexcept {
  takeRouting();
  const double blockNanos = frames * 1e9 / sampleRate_;
  const double measured = static_cast<double>(callbackNanos);
  if (!clockRunning_ || std::fabs(measured - blockStartNanos_) > kClockResetNanos) {
    blockStartNanos_ = measured;
    clockRunning_ = true;
  } else {
    blockStartNanos_ += kClockCorrection * (measured - blockStartNanos_);
  }
  // A callback that comes early has not yet received everything that arrived before the
  // clock's block start, so the window of messages this block plays ends that much earlier.
  marginNanos_ =
      std::min(kMaxMarginNanos, std::max(marginNanos_ * kMarginDecay, blockStartNanos_ - measured));
  // Messages from one block (plus the margin) ago, at their offsets within that window.
  const double windowStart = blockStartNanos_ - blockNanos - marginNanos_;
  eventCount_ = 0;
  for (auto& queue : inputs_) {
    while (const IncomingMidi* midi = queue->front()) {
      const double offset =
          (static_cast<double>(midi->arrivalNanos) - windowStart) * sampleRate_ * 1e-9;
      if (offset >= frames) break;  // the next block's
      const auto frame = static_cast<std::uint32_t>(std::max(offset, 0.0));
      const midi::Message message = midi->message;
      queue->popFront();
      place(message, frame);  // program changes never come this way (receive() takes them)
    }
  }
  publishAnchor();
  takeTimed(frames);
  // Inputs interleave out of frame order; the engine sorts each node's events stably by frame.
  process(out, frames);
  blockStartNanos_ += blockNanos;
  frame_ += frames;
  framePosition_.store(frame_, std::memory_order_relaxed);
}

}  // namespace reverie::live
