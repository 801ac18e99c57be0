// StemFiles: the splitter's parts streamed into one file each (or parked as float until the
// levelling gain is known).
#include "cli/stem_files.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "dsp/random.hpp"
#include "io/atomic_file.hpp"
#include "reverie/errors.hpp"

namespace reverie::cli {
namespace {

/// A node's name as a file name: letters, digits, '-', '_' and '.' kept, the rest '_'.
std::string fileNameOf(const std::string& name) {
  std::string out = name;
  for (char& c : out)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') c = '_';
  if (out.empty() || out.front() == '.') out.insert(out.begin(), '_');
  return out;
}

}  // namespace

StemFiles::StemFiles(std::filesystem::path folder, StemFormat format)
    : folder_(std::move(folder)), format_(std::move(format)) {
  std::error_code error;
  if (std::filesystem::exists(folder_, error) && !std::filesystem::is_directory(folder_, error))
    throw InputError("--stems '" + folder_.string() +
                     "' is not a folder; give a folder for the stems (it is created if missing)");
  std::filesystem::create_directories(folder_, error);
  if (error)
    throw InputError("--stems: cannot create the folder '" + folder_.string() +
                     "': " + error.message() + "; choose a folder you can write to");
}

StemFiles::~StemFiles() {
  stop();
}

void StemFiles::start(Engine& engine) {
  splitter_ = std::make_unique<StemSplitter>(engine.graph(), engine.config().maxBlockFrames);
  if (splitter_->stems().empty())
    throw InputError("--stems: nothing feeds the output, so there are no stems to write");
  std::vector<io::PlannedOutput> planned;
  for (const StemSplitter::Stem& stem : splitter_->stems()) {
    paths_.push_back(folder_ / (fileNameOf(stem.name) + format_.extension));
    planned.push_back({paths_.back(), "--stems", ""});
  }
  io::checkOutputs(planned, {});
  for (const std::filesystem::path& other : format_.otherOutputs)
    for (const std::filesystem::path& path : paths_)
      if (std::filesystem::absolute(path).lexically_normal() ==
          std::filesystem::absolute(other).lexically_normal())
        throw InputError("--stems would write '" + path.string() +
                         "', which is also an output of this render; give the stems a folder of "
                         "their own");
  for (std::size_t i = 0; i < paths_.size(); ++i) {
    // Each stem dithers with noise of its own: summed, the noise adds as power, not amplitude.
    const std::uint64_t seed =
        dsp::mixSeed(format_.seed ^ dsp::hashName(splitter_->stems()[i].name));
    auto writer =
        std::make_unique<SoundFileWriter>(paths_[i], format_.sampleRate, 2, format_.format, seed);
    writer->setCueMarkers(format_.markers);
    writers_.push_back(std::move(writer));
    if (format_.spool) spools_.push_back(std::make_unique<io::FloatSpool>(paths_[i], 2));
  }
  engine_ = &engine;
  engine.setObserver(splitter_.get());
}

void StemFiles::drain() {
  if (!splitter_) return;
  if (splitter_->lostFrames() != 0)
    throw RuntimeFailure("--stems fell behind the render and lost frames (please report it)");
  const std::size_t frames = static_cast<std::size_t>(std::min<std::uint64_t>(
      splitter_->heldFrames(), format_.frames - std::min(written_, format_.frames)));
  for (std::size_t i = 0; i < writers_.size() && frames > 0; ++i) {
    const float* audio = splitter_->stem(i);
    for (std::size_t s = 0; s < 2 * frames; ++s) peak_ = std::max(peak_, std::fabs(audio[s]));
    if (format_.spool) {
      spools_[i]->append(audio, frames);
    } else {
      writers_[i]->write(audio, frames);
    }
  }
  written_ += frames;
  splitter_->clear();
}

void StemFiles::stop() {
  if (engine_ != nullptr) engine_->setObserver(nullptr);
  engine_ = nullptr;
}

void StemFiles::commit(float gain) {
  stop();
  if (format_.spool) {
    std::vector<float> chunk(2 * 4096);
    for (std::size_t i = 0; i < writers_.size(); ++i) {
      spools_[i]->rewind();
      while (const std::size_t frames = spools_[i]->read(chunk.data(), 4096)) {
        for (std::size_t s = 0; s < 2 * frames; ++s) chunk[s] *= gain;
        writers_[i]->write(chunk.data(), frames);
      }
      spools_[i].reset();
    }
  }
  for (auto& writer : writers_) writer->commit();
}

std::string StemFiles::summary() const {
  std::string names;
  for (const StemSplitter::Stem& stem : splitter_->stems())
    names += (names.empty() ? "" : ", ") + stem.name;
  return std::to_string(writers_.size()) + " stems in " + folder_.string() + "/ (" + names + ")";
}

}  // namespace reverie::cli
