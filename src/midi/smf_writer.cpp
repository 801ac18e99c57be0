// The SMF writer: tempo map arithmetic, variable-length delta times, format-1 chunks.
#include "midi/smf_writer.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace reverie::midi {
namespace {

constexpr std::uint32_t kDefaultMicrosPerQuarter = 500000;  // 120 bpm, until a tempo event

void putVariableLength(std::vector<std::uint8_t>& out, std::uint64_t value) {
  std::uint8_t groups[10];
  int count = 0;
  do {
    groups[count++] = static_cast<std::uint8_t>(value & 0x7F);
    value >>= 7;
  } while (value != 0);
  while (count > 1) out.push_back(static_cast<std::uint8_t>(groups[--count] | 0x80));
  out.push_back(groups[0]);
}

void putBigEndian(std::vector<std::uint8_t>& out, std::uint32_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
}

}  // namespace

TempoMap::TempoMap(int ticksPerQuarter, std::vector<TempoPoint> points)
    : ticksPerQuarter_(ticksPerQuarter), points_(std::move(points)) {
  if (ticksPerQuarter_ < 1 || ticksPerQuarter_ > 32767)
    throw std::invalid_argument("ticks per quarter note must be 1..32767");
  if (points_.empty() || points_.front().tick != 0)
    points_.insert(points_.begin(), TempoPoint{0, kDefaultMicrosPerQuarter});
  pointSeconds_.assign(points_.size(), 0.0);
  for (std::size_t i = 1; i < points_.size(); ++i) {
    if (points_[i].tick < points_[i - 1].tick)
      throw std::invalid_argument("tempo points must be sorted by tick");
    pointSeconds_[i] =
        pointSeconds_[i - 1] + static_cast<double>(points_[i].tick - points_[i - 1].tick) *
                                   points_[i - 1].microsPerQuarter * 1e-6 / ticksPerQuarter_;
  }
}

std::size_t TempoMap::pointAt(std::uint64_t tick) const {
  const auto after =
      std::upper_bound(points_.begin(), points_.end(), tick,
                       [](std::uint64_t t, const TempoPoint& p) { return t < p.tick; });
  return static_cast<std::size_t>(after - points_.begin()) - 1;
}

double TempoMap::secondsAt(std::uint64_t tick) const {
  const std::size_t i = pointAt(tick);
  return pointSeconds_[i] + static_cast<double>(tick - points_[i].tick) *
                                points_[i].microsPerQuarter * 1e-6 / ticksPerQuarter_;
}

TempoMap::Placement TempoMap::tickForFrame(std::uint64_t frame, double rate) const {
  const double seconds = static_cast<double>(frame) / rate;
  const auto later = std::upper_bound(pointSeconds_.begin(), pointSeconds_.end(), seconds);
  const std::size_t i = static_cast<std::size_t>(later - pointSeconds_.begin()) - 1;
  const double ticks =
      (seconds - pointSeconds_[i]) * ticksPerQuarter_ * 1e6 / points_[i].microsPerQuarter;
  const auto guess =
      points_[i].tick + static_cast<std::uint64_t>(std::llround(std::max(0.0, ticks)));
  Placement best{guess, false};
  double bestError = 1e300;
  for (std::uint64_t tick = guess > 2 ? guess - 2 : 0; tick <= guess + 2; ++tick) {
    const double at = secondsAt(tick) * rate;
    const double error = std::abs(at - static_cast<double>(frame));
    const bool exact = std::llround(at) == static_cast<long long>(frame);
    if ((exact && !best.exact) || (exact == best.exact && error < bestError)) {
      best = {tick, exact};
      bestError = error;
    }
  }
  return best;
}

void Track::meta(std::uint64_t tick, std::uint8_t type, std::vector<std::uint8_t> data) {
  TrackEvent event{tick, {0xFF, type}};
  event.bytes.insert(event.bytes.end(), data.begin(), data.end());
  events.push_back(std::move(event));
}

void Track::text(std::uint64_t tick, std::uint8_t type, std::string_view text) {
  meta(tick, type, std::vector<std::uint8_t>(text.begin(), text.end()));
}

void Track::channel(std::uint64_t tick, std::uint8_t status, std::uint8_t data1,
                    std::uint8_t data2) {
  events.push_back(
      {tick,
       {status, static_cast<std::uint8_t>(data1 & 0x7F), static_cast<std::uint8_t>(data2 & 0x7F)}});
}

std::vector<std::uint8_t> timeSignatureData(int beats, int unit) {
  int log2Unit = 0;
  while ((1 << log2Unit) < unit) ++log2Unit;
  const int clocksPerClick = 96 / unit;  // 24 MIDI clocks per quarter note
  return {static_cast<std::uint8_t>(beats), static_cast<std::uint8_t>(log2Unit),
          static_cast<std::uint8_t>(clocksPerClick), 8};
}

std::vector<std::uint8_t> keySignatureData(int tonic, bool minor) {
  // Sharps (+) or flats (-) of each major key, C to B.
  static constexpr int kMajor[12] = {0, -5, 2, -3, 4, -1, 6, 1, -4, 3, -2, 5};
  const int major = ((tonic + (minor ? 3 : 0)) % 12 + 12) % 12;
  return {static_cast<std::uint8_t>(static_cast<std::int8_t>(kMajor[major])),
          static_cast<std::uint8_t>(minor ? 1 : 0)};
}

std::vector<std::uint8_t> encodeFormat1(int ticksPerQuarter, std::vector<Track> tracks,
                                        std::uint64_t endTick) {
  if (tracks.size() > 0xFFFF) throw std::invalid_argument("a MIDI file holds at most 65535 tracks");
  std::vector<std::uint8_t> out{'M', 'T', 'h', 'd'};
  putBigEndian(out, 6, 4);
  putBigEndian(out, 1, 2);
  putBigEndian(out, static_cast<std::uint32_t>(tracks.size()), 2);
  putBigEndian(out, static_cast<std::uint32_t>(ticksPerQuarter), 2);
  for (Track& track : tracks) {
    std::stable_sort(track.events.begin(), track.events.end(),
                     [](const TrackEvent& a, const TrackEvent& b) { return a.tick < b.tick; });
    std::vector<std::uint8_t> body;
    std::uint64_t last = 0;
    for (const TrackEvent& event : track.events) {
      putVariableLength(body, event.tick - last);
      last = event.tick;
      if (event.bytes.size() >= 2 && event.bytes[0] == 0xFF) {
        body.insert(body.end(), event.bytes.begin(), event.bytes.begin() + 2);
        putVariableLength(body, event.bytes.size() - 2);
        body.insert(body.end(), event.bytes.begin() + 2, event.bytes.end());
      } else {
        body.insert(body.end(), event.bytes.begin(), event.bytes.end());
      }
    }
    putVariableLength(body, std::max(endTick, last) - last);
    body.insert(body.end(), {0xFF, 0x2F, 0x00});
    out.insert(out.end(), {'M', 'T', 'r', 'k'});
    putBigEndian(out, static_cast<std::uint32_t>(body.size()), 4);
    out.insert(out.end(), body.begin(), body.end());
  }
  return out;
}

}  // namespace reverie::midi
