// Sung-vowel formants (frequency, level, bandwidth of F1 to F5) per voice register.
#pragma once

namespace reverie::orchestra {

/// The choir's vowels, in the order of its "vowel" choice parameter.
enum class Vowel { kAh, kOh, kOo, kEe, kEh };
/// Voice registers, in the order of kFormantTable (the "register" choice adds "mixed" first).
enum class VoiceRegister { kSoprano, kAlto, kTenor, kBass };

inline constexpr int kVowelCount = 5;
inline constexpr int kRegisterCount = 4;
inline constexpr int kFormantCount = 5;

struct Formant {
  float frequencyHz;
  float levelDb;  ///< peak level relative to F1
  float bandwidthHz;
};

/// The Csound Manual's table of sung-vowel formants (Appendix "Formant Values", the FOF data for
/// soprano, alto, countertenor, tenor and bass; countertenor left out). Csound's "a o u i e"
/// are ah, oh, oo, ee, eh.
// clang-format off
inline constexpr Formant kFormantTable[kRegisterCount][kVowelCount][kFormantCount] = {
    {  // soprano
        {{800, 0, 80}, {1150, -6, 90}, {2900, -32, 120}, {3900, -20, 130}, {4950, -50, 140}},
        {{450, 0, 70}, {800, -11, 80}, {2830, -22, 100}, {3800, -22, 130}, {4950, -50, 135}},
        {{325, 0, 50}, {700, -16, 60}, {2700, -35, 170}, {3800, -40, 180}, {4950, -60, 200}},
        {{270, 0, 60}, {2140, -12, 90}, {2950, -26, 100}, {3900, -26, 120}, {4950, -44, 120}},
        {{350, 0, 60}, {2000, -20, 100}, {2800, -15, 120}, {3600, -40, 150}, {4950, -56, 200}},
    },
    {  // alto
        {{800, 0, 80}, {1150, -4, 90}, {2800, -20, 120}, {3500, -36, 130}, {4950, -60, 140}},
        {{450, 0, 70}, {800, -9, 80}, {2830, -16, 100}, {3500, -28, 130}, {4950, -55, 135}},
        {{325, 0, 50}, {700, -12, 60}, {2530, -30, 170}, {3500, -40, 180}, {4950, -64, 200}},
        {{350, 0, 50}, {1700, -20, 100}, {2700, -30, 120}, {3700, -36, 150}, {4950, -60, 200}},
        {{400, 0, 60}, {1600, -24, 80}, {2700, -30, 120}, {3300, -35, 150}, {4950, -60, 200}},
    },
    {  // tenor
        {{650, 0, 80}, {1080, -6, 90}, {2650, -7, 120}, {2900, -8, 130}, {3250, -22, 140}},
        {{400, 0, 40}, {800, -10, 80}, {2600, -12, 100}, {2800, -12, 120}, {3000, -26, 120}},
        {{350, 0, 40}, {600, -20, 60}, {2700, -17, 100}, {2900, -14, 120}, {3300, -26, 120}},
        {{290, 0, 40}, {1870, -15, 90}, {2800, -18, 100}, {3250, -20, 120}, {3540, -30, 120}},
        {{400, 0, 70}, {1700, -14, 80}, {2600, -12, 100}, {3200, -14, 120}, {3580, -20, 120}},
    },
    {  // bass
        {{600, 0, 60}, {1040, -7, 70}, {2250, -9, 110}, {2450, -9, 120}, {2750, -20, 130}},
        {{400, 0, 40}, {750, -11, 80}, {2400, -21, 100}, {2600, -20, 120}, {2900, -40, 120}},
        {{350, 0, 40}, {600, -20, 80}, {2400, -32, 100}, {2675, -28, 120}, {2950, -36, 120}},
        {{250, 0, 60}, {1750, -30, 90}, {2600, -16, 100}, {3050, -22, 120}, {3340, -28, 120}},
        {{400, 0, 40}, {1620, -12, 80}, {2400, -9, 100}, {2800, -12, 120}, {3100, -18, 120}},
    },
};

// clang-format on
/// The register whose range a key sits in, for register = "mixed": the lowest notes to the
/// basses, then tenors, altos and sopranos (boundaries at E3, C4 and G4).
inline VoiceRegister registerForKey(int key) {
  if (key < 52) return VoiceRegister::kBass;
  if (key < 60) return VoiceRegister::kTenor;
  if (key < 67) return VoiceRegister::kAlto;
  return VoiceRegister::kSoprano;
}

}  // namespace reverie::orchestra
