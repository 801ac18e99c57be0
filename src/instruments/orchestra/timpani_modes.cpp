// The kettledrum mode table, and the Bessel functions that weight a strike by its position.
#include "instruments/orchestra/timpani_modes.hpp"

#include <cmath>

namespace reverie::orchestra {

// {m, n, ratio, j_mn, max |J_m|, T60 scale, level}
const MembraneMode kMembraneModes[kMembraneModeCount] = {
    {0, 1, 0.85, 2.4048, 1.0, 0.08, 0.7},     {1, 1, 1.00, 3.8317, 0.5819, 1.0, 1.0},
    {2, 1, 1.51, 5.1356, 0.4865, 0.8, 0.8},   {0, 2, 1.68, 5.5201, 1.0, 0.15, 0.35},
    {3, 1, 1.99, 6.3802, 0.4344, 0.6, 0.65},  {1, 2, 2.09, 7.0156, 0.5819, 0.3, 0.3},
    {4, 1, 2.44, 7.5883, 0.3997, 0.45, 0.45}, {2, 2, 2.67, 8.4172, 0.4865, 0.2, 0.25},
    {0, 3, 2.79, 8.6537, 1.0, 0.1, 0.15},     {5, 1, 2.89, 8.7715, 0.3741, 0.3, 0.3},
};

double besselJ(int m, double x) {
  // sum_k (-1)^k (x/2)^(2k+m) / (k! (k+m)!), each term from the last.
  const double half = 0.5 * x;
  double term = 1.0;
  for (int i = 1; i <= m; ++i) term *= half / i;
  double sum = term;
  for (int k = 1; k < 40; ++k) {
    term *= -half * half / (static_cast<double>(k) * (k + m));
    sum += term;
    if (std::fabs(term) < 1e-17) break;
  }
  return sum;
}

double strikeWeight(const MembraneMode& mode, double position) {
  const double r = position < 0.0 ? 0.0 : (position > 1.0 ? 1.0 : position);
  return besselJ(mode.m, mode.besselZero * r) / mode.shapePeak;
}

}  // namespace reverie::orchestra
