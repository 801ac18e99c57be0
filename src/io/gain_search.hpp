// Searching for the make-up gain that brings limited audio to a loudness target.
#pragma once

#include <algorithm>
#include <optional>

namespace reverie::io {

/// Proposes the next make-up gain from measured loudness errors, for one limiter threshold.
/// Once the limiter works, loudness grows by less than 1 LU per dB of gain, and not even
/// smoothly: limiting ducks the quiet passages around the peaks, BS.1770's relative gate may then
/// leave them out, and the integrated loudness jumps up. So the search keeps a bracket (the
/// highest gain found too quiet, the lowest found too loud) and interpolates inside it (regula
/// falsi, kept off the ends so that a jump still shrinks the bracket); without a bracket it
/// steps by the error over the slope seen so far.
class GainSearch {
 public:
  /// Forgets everything: after the limiter threshold changes, old measurements no longer apply.
  void reset() { *this = GainSearch(); }

  /// Records that `gainDb` measured `errorLu` (target minus measured) and returns the next gain
  /// to try, or nothing when searching on cannot help: more gain has stopped making it louder
  /// (the target is out of reach), or the loudness jumps across the target.
  std::optional<double> next(double gainDb, double errorLu) {
    const Point point{gainDb, errorLu};
    const bool tooQuiet = errorLu > 0.0;
    double slope = 1.0;  // LU per dB; exactly 1 while nothing is limited
    if (tooQuiet) {
      if (quiet_ && !loud_ && gainDb > quiet_->gainDb) {
        slope = (quiet_->errorLu - errorLu) / (gainDb - quiet_->gainDb);
        if (slope < kUselessSlope) return std::nullopt;
      }
      if (!quiet_ || gainDb > quiet_->gainDb) quiet_ = point;
    } else if (!loud_ || gainDb < loud_->gainDb) {
      loud_ = point;
    }
    const bool sameSideAgain = tooQuiet == lastTooQuiet_;
    lastTooQuiet_ = tooQuiet;
    if (quiet_ && loud_) {
      const double widthDb = loud_->gainDb - quiet_->gainDb;
      // A bracket this narrow holds a jump, not a root; the caller turns the loud side down.
      if (widthDb < kNarrowestBracketDb) return std::nullopt;
      // Regula falsi can creep from one end; landing on the same side twice means bisect.
      const double fraction =
          sameSideAgain
              ? 0.5
              : std::clamp(quiet_->errorLu / (quiet_->errorLu - loud_->errorLu), 0.1, 0.9);
      return quiet_->gainDb + widthDb * fraction;
    }
    return gainDb + errorLu / std::min(1.0, slope);
  }

 private:
  struct Point {
    double gainDb;
    double errorLu;
  };
  // Under 0.1 LU per dB, reaching the target would take tens of dB more gain, all of it noise.
  static constexpr double kUselessSlope = 0.1;
  static constexpr double kNarrowestBracketDb = 0.02;

  std::optional<Point> quiet_;
  std::optional<Point> loud_;
  std::optional<bool> lastTooQuiet_;
};

}  // namespace reverie::io
