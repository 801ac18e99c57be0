// SMF reader after the Standard MIDI Files 1.0 specification (MMA, 1996) and the RMID
// RIFF wrapper (Microsoft/MMA RP-029): chunks, delta times, running status, meta events.
#include "midi/smf_reader.hpp"

#include <algorithm>
#include <iterator>
#include <map>

#include "io/input_file.hpp"
#include "reverie/errors.hpp"

namespace reverie::midi {
namespace {

constexpr std::size_t kMaxFileBytes = 64u << 20;  // no sane MIDI file comes near this
constexpr std::uint64_t kMaxEvents = 10'000'000;

/// Reads big-endian fields from a byte span, failing with a located message.
class Cursor {
 public:
  Cursor(std::span<const std::uint8_t> bytes, std::size_t base, std::string where)
      : bytes_(bytes), base_(base), where_(std::move(where)) {}

  bool atEnd() const { return at_ >= bytes_.size(); }
  std::size_t remaining() const { return bytes_.size() - at_; }
  std::size_t offset() const { return base_ + at_; }

  std::uint8_t byte(const char* what) {
    if (atEnd()) fail(std::string("ends in the middle of ") + what + "; the file is truncated");
    return bytes_[at_++];
  }
  std::uint8_t peek(const char* what) const {
    if (atEnd()) fail(std::string("ends before ") + what + "; the file is truncated");
    return bytes_[at_];
  }
  std::uint32_t bigEndian(int count, const char* what) {
    std::uint32_t value = 0;
    for (int i = 0; i < count; ++i) value = (value << 8) | byte(what);
    return value;
  }
  /// A variable-length quantity: at most four bytes, seven bits each (SMF 1.0, "Conventions").
  std::uint32_t variableLength(const char* what) {
    std::uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
      const std::uint8_t b = byte(what);
      value = (value << 7) | (b & 0x7Fu);
      if ((b & 0x80u) == 0) return value;
    }
    fail(std::string(what) +
         " is a variable-length number longer than 4 bytes; the file is corrupt");
  }
  void skip(std::size_t count, const char* what) {
    if (count > remaining())
      fail(std::string(what) + " claims " + std::to_string(count) + " bytes but only " +
           std::to_string(remaining()) + " remain; the file is truncated or corrupt");
    at_ += count;
  }
  std::span<const std::uint8_t> take(std::size_t count, const char* what) {
    const std::size_t start = at_;
    skip(count, what);
    return bytes_.subspan(start, count);
  }
  [[noreturn]] void fail(const std::string& message) const {
    throw InputError(where_ + " at byte " + std::to_string(offset()) + ": " + message);
  }

 private:
  std::span<const std::uint8_t> bytes_;
  std::size_t base_;
  std::string where_;
  std::size_t at_ = 0;
};

std::string hexByte(std::uint8_t value) {
  static constexpr char kDigits[] = "0123456789abcdef";
  return std::string("0x") + kDigits[value >> 4] + kDigits[value & 15];
}

bool hasTag(std::span<const std::uint8_t> bytes, std::size_t at, const char* tag) {
  return bytes.size() >= at + 4 && std::equal(tag, tag + 4, bytes.begin() + static_cast<long>(at));
}

std::string describeFormat(int fps, int ticks) {
  return "SMPTE " + std::string(fps == 29 ? "29.97" : std::to_string(fps)) + " fps x " +
         std::to_string(ticks) + " ticks";
}

/// Finds the SMF inside an RMID file ("RIFF" size "RMID", then a "data" chunk).
std::span<const std::uint8_t> unwrapRmid(std::span<const std::uint8_t> bytes,
                                         const std::string& name, std::size_t& base) {
  Cursor riff(bytes, 0, name + ": RMID wrapper");
  riff.skip(12, "the RIFF header");
  while (!riff.atEnd()) {
    const std::size_t at = riff.offset();
    if (riff.remaining() < 8) riff.fail("a RIFF chunk header is cut short; the file is truncated");
    const bool isData = hasTag(bytes, at, "data");
    riff.skip(4, "a RIFF chunk tag");
    std::uint32_t size = 0;
    for (int i = 0; i < 4; ++i)
      size |= static_cast<std::uint32_t>(riff.byte("a RIFF chunk size")) << (8 * i);
    if (isData) {
      base = riff.offset();
      return riff.take(size, "the RMID data chunk");
    }
    riff.skip(size + (size & 1u), "a RIFF chunk");
  }
  throw InputError(
      name + ": an RMID file with no \"data\" chunk holds no MIDI; export it again as a .mid file");
}

struct RawEvent {
  std::uint64_t tick;
  int track;
  std::uint64_t order;
  Message message;
  std::uint32_t tempo;  // microseconds per quarter for a tempo event, else 0
};

void readTrack(Cursor& track, int index, std::uint64_t& order, std::vector<RawEvent>& out,
               std::uint64_t& endTick, std::string& trackName) {
  std::uint64_t tick = 0;
  std::uint8_t running = 0;
  while (!track.atEnd()) {
    tick += track.variableLength("a delta time");
    std::uint8_t status = track.peek("the event after a delta time");
    if (status < 0x80) {
      if (running == 0)
        track.fail("data byte " + hexByte(status) +
                   " without a status byte (no running status to continue); the file is corrupt");
      status = running;
    } else {
      track.byte("a status byte");
    }
    if (status == 0xFF) {  // meta event
      const std::uint8_t type = track.byte("a meta event");
      const std::uint32_t length = track.variableLength("a meta event's length");
      const auto data = track.take(length, "a meta event");
      if (type == 0x2F) {  // end of track: whatever follows in the chunk is ignored
        endTick = std::max(endTick, tick);
        return;
      }
      if (type == 0x03 && trackName.empty() && tick == 0)  // the track's name
        trackName.assign(data.begin(), data.end());
      if (type == 0x51) {
        if (length != 3)
          track.fail("a tempo event has " + std::to_string(length) +
                     " bytes, not 3; the file is corrupt");
        const std::uint32_t tempo =
            (std::uint32_t{data[0]} << 16) | (std::uint32_t{data[1]} << 8) | data[2];
        if (tempo == 0)
          track.fail(
              "a tempo of 0 microseconds per quarter note is impossible; the file is corrupt");
        out.push_back({tick, index, order++, {}, tempo});
      }
      continue;
    }
    if (status == 0xF0 || status == 0xF7) {  // sysex or escape: skipped
      running = 0;
      track.skip(track.variableLength("a sysex length"), "a sysex event");
      continue;
    }
    if (status > 0xF0)
      track.fail("status byte " + hexByte(status) +
                 " cannot appear in a MIDI file track; the file is corrupt");
    running = status;
    const int count = dataBytesAfter(status);
    Message message{status, 0, 0};
    message.data1 = track.byte("a channel message");
    if (count > 1) message.data2 = track.byte("a channel message");
    if ((message.data1 | message.data2) & 0x80)
      track.fail(
          "a channel message has a data byte above 127 (a status byte where data belongs); the "
          "file is corrupt");
    if (out.size() >= kMaxEvents) track.fail("holds more than 10 million events; split the file");
    out.push_back({tick, index, order++, message, 0});
  }
  endTick = std::max(endTick, tick);  // a missing end-of-track meta event is forgiven
}

}  // namespace

bool looksLikeMidiFile(std::span<const std::uint8_t> bytes) {
  return hasTag(bytes, 0, "MThd") || (hasTag(bytes, 0, "RIFF") && hasTag(bytes, 8, "RMID"));
}

MidiFile parseMidiFile(std::span<const std::uint8_t> bytes, const std::string& name) {
  std::size_t base = 0;
  if (hasTag(bytes, 0, "RIFF")) {
    if (!hasTag(bytes, 8, "RMID"))
      throw InputError(
          name + ": a RIFF file that is not RMID (a WAV?) is not a MIDI file; give a .mid file");
    bytes = unwrapRmid(bytes, name, base);
  }
  if (!hasTag(bytes, 0, "MThd"))
    throw InputError(
        name + ": not a Standard MIDI File (it does not start with \"MThd\"); give a .mid file");
  Cursor file(bytes, base, name);
  file.skip(4, "the header tag");
  const std::uint32_t headerLength = file.bigEndian(4, "the header length");
  if (headerLength < 6)
    file.fail("the header chunk is " + std::to_string(headerLength) +
              " bytes long, less than the 6 it needs; the file is corrupt");
  const auto header = file.take(headerLength, "the header chunk");
  MidiFile result;
  result.format = (header[0] << 8) | header[1];
  const int trackCount = (header[2] << 8) | header[3];
  const int division = (header[4] << 8) | header[5];
  if (result.format == 2)
    throw InputError(
        name + ": format 2 (independent sequences) is not supported; save it as format 0 or 1");
  if (result.format > 2)
    throw InputError(name + ": unknown SMF format " + std::to_string(result.format) +
                     " (0 and 1 are read); the file is corrupt");
  if (trackCount == 0)
    throw InputError(name + ": the header declares no tracks; the file holds no music");
  if (result.format == 0 && trackCount != 1)
    throw InputError(name + ": a format 0 file must have exactly one track, this declares " +
                     std::to_string(trackCount) + "; the file is corrupt");

  double secondsPerTickSmpte = 0.0;
  int ticksPerQuarter = 0;
  if (division & 0x8000) {
    const int fps = -static_cast<std::int8_t>(division >> 8);
    const int ticksPerFrame = division & 0xFF;
    if ((fps != 24 && fps != 25 && fps != 29 && fps != 30) || ticksPerFrame == 0)
      throw InputError(name + ": SMPTE timing of " + std::to_string(fps) + " fps x " +
                       std::to_string(ticksPerFrame) +
                       " ticks is invalid (24, 25, 29 or 30 fps); the file is corrupt");
    const double framesPerSecond = fps == 29 ? 30000.0 / 1001.0 : fps;
    secondsPerTickSmpte = 1.0 / (framesPerSecond * ticksPerFrame);
    result.timing = describeFormat(fps, ticksPerFrame);
  } else {
    ticksPerQuarter = division;
    if (ticksPerQuarter == 0)
      throw InputError(name + ": the header sets 0 ticks per quarter note; the file is corrupt");
    result.timing = std::to_string(ticksPerQuarter) + " ticks per quarter note";
  }

  std::vector<RawEvent> raw;
  std::uint64_t order = 0, endTick = 0;
  int tracksRead = 0;
  while (!file.atEnd() && tracksRead < trackCount) {
    if (file.remaining() < 8) file.fail("a chunk header is cut short; the file is truncated");
    const std::size_t at = file.offset() - base;
    const bool isTrack = hasTag(bytes, at, "MTrk");
    file.skip(4, "a chunk tag");
    const std::uint32_t length = file.bigEndian(4, "a chunk length");
    if (!isTrack) {  // unknown chunks are skipped, as the specification asks
      file.skip(length, "an unknown chunk");
      continue;
    }
    const std::size_t start = file.offset();
    if (length > file.remaining())
      file.fail("track " + std::to_string(tracksRead + 1) + " claims " + std::to_string(length) +
                " bytes but only " + std::to_string(file.remaining()) +
                " remain; the file is truncated");
    Cursor track(file.take(length, "a track"), start,
                 name + ": track " + std::to_string(tracksRead + 1));
    readTrack(track, tracksRead, order, raw, endTick, result.trackNames.emplace_back());
    ++tracksRead;
  }
  if (tracksRead < trackCount)
    throw InputError(name + ": the header declares " + std::to_string(trackCount) +
                     " tracks but the file holds " + std::to_string(tracksRead) +
                     "; the file is truncated");
  result.trackCount = trackCount;

  std::stable_sort(raw.begin(), raw.end(), [](const RawEvent& a, const RawEvent& b) {
    return a.tick != b.tick ? a.tick < b.tick
                            : (a.tempo != 0) > (b.tempo != 0);  // tempo first at a tick
  });
  // Walk the merged events through the tempo map (120 bpm until the first tempo event).
  double seconds = 0.0;
  std::uint64_t lastTick = 0;
  double secondsPerTick = ticksPerQuarter > 0 ? 0.5 / ticksPerQuarter : secondsPerTickSmpte;
  auto advance = [&](std::uint64_t tick) {
    seconds += static_cast<double>(tick - lastTick) * secondsPerTick;
    lastTick = tick;
  };
  for (const RawEvent& e : raw) {
    advance(e.tick);
    if (e.tempo != 0) {
      ++result.tempoChanges;
      if (ticksPerQuarter > 0)
        secondsPerTick = e.tempo * 1e-6 / ticksPerQuarter;  // SMPTE ignores tempo
      continue;
    }
    result.events.push_back({seconds, e.tick, e.track, e.message});
  }
  advance(std::max(endTick, lastTick));
  result.lengthSeconds = seconds;
  return result;
}

MidiFile loadMidiFile(const std::filesystem::path& path) {
  std::string text;
  try {
    text = io::readInputFile(path, kMaxFileBytes);
  } catch (const io::InputFileError& error) {
    throw InputError(path.string() + ": cannot open the MIDI file: " + error.reason());
  }
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(text.data());
  return parseMidiFile({bytes, text.size()}, path.string());
}

}  // namespace reverie::midi
