// Which libsndfile container and encoding a target file gets, from its extension.
#pragma once

#include <sndfile.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <string>

#include "reverie/errors.hpp"
#include "reverie/sound_file.hpp"

namespace reverie::io {

/// The libsndfile format word (SF_FORMAT_*) for `target` at `sampleFormat`. The extension picks
/// the container, case-insensitively; Vorbis has no bit depth, so it ignores `sampleFormat`.
/// Throws InputError for an unknown extension or FLAC at 32-bit float.
inline int soundFileFormatFor(const std::filesystem::path& target, SampleFormat sampleFormat) {
  std::string extension = target.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const std::string prefix = "cannot write '" + target.string() + "': ";

  int container = 0;
  if (extension == ".wav") {
    container = SF_FORMAT_WAV;
  } else if (extension == ".flac") {
    container = SF_FORMAT_FLAC;
  } else if (extension == ".aiff" || extension == ".aif") {
    container = SF_FORMAT_AIFF;
  } else if (extension == ".ogg" || extension == ".oga") {
    return SF_FORMAT_OGG | SF_FORMAT_VORBIS;
  } else {
    const std::string what =
        extension.empty() ? "no file extension" : "unknown file type '" + extension + "'";
    throw InputError(prefix + what + " (use .wav, .flac, .ogg, .oga, .aiff or .aif)");
  }

  switch (sampleFormat) {
    case SampleFormat::kPcm16:
      return container | SF_FORMAT_PCM_16;
    case SampleFormat::kPcm24:
      return container | SF_FORMAT_PCM_24;
    case SampleFormat::kFloat32:
      if (container == SF_FORMAT_FLAC) {
        throw InputError(prefix + "FLAC cannot store 32-bit float; use -b 16 or -b 24");
      }
      return container | SF_FORMAT_FLOAT;
  }
  return container | SF_FORMAT_PCM_24;  // unreachable: every SampleFormat is handled above
}

}  // namespace reverie::io
