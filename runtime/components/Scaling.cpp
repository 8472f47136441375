//===- Scaling.cpp - technology-node and attribute scaling laws -----------===//
//
// Tables and laws of component-models.md §3 (Stillmaker & Baas 2017 as used by
// hwcomponents' techscaling.py). The arithmetic below deliberately follows
// the reference expression by expression: products are formed left to right,
// sums use CPython's compensated sum(), powers use std::pow. Reordering any
// of it changes the last bit of the published expected values.
//
//===----------------------------------------------------------------------===//

#include "afc/components/Scaling.h"

#include <cassert>
#include <cmath>

namespace afc::components {

const double AreaScaling[10][10] = {
    {1, 0.44, 0.23, 0.16, 0.072, 0.033, 0.03, 0.027, 0.016, 0.0092},
    {2.3, 1, 0.53, 0.35, 0.16, 0.075, 0.067, 0.061, 0.036, 0.021},
    {4.3, 1.9, 1, 0.66, 0.31, 0.14, 0.13, 0.12, 0.068, 0.039},
    {6.4, 2.8, 1.5, 1, 0.46, 0.21, 0.19, 0.17, 0.1, 0.059},
    {14, 6.1, 3.3, 2.2, 1, 0.46, 0.41, 0.38, 0.22, 0.13},
    {30, 13, 7.1, 4.7, 2.2, 1, 0.89, 0.82, 0.48, 0.28},
    {34, 15, 7.9, 5.3, 2.4, 1.1, 1, 0.91, 0.54, 0.31},
    {37, 16, 8.7, 5.8, 2.7, 1.2, 1.1, 1, 0.59, 0.34},
    {63, 28, 15, 9.8, 4.5, 2.1, 1.9, 1.7, 1, 0.58},
    {110, 48, 25, 17, 7.8, 3.6, 3.2, 2.9, 1.7, 1},
};

const double EnergyScaling[10][3] = {
    {7.171, -6.709, 2.904},      {4.762, -4.781, 2.092},
    {3.755, -4.398, 1.975},      {1.103, -0.362, 0.2767},
    {0.9559, -0.7823, 0.471},    {0.373, -0.1582, 0.04104},
    {0.2958, -0.1241, 0.03024},  {0.2363, -0.09675, 0.02239},
    {0.2068, -0.09311, 0.02375}, {0.1776, -0.09097, 0.02447},
};

double pythonSum(const double *values, unsigned count) {
  // CPython's float path: the running sum starts at the first element (the
  // integer start 0 plus a float is that float) and a Neumaier correction
  // term is added once at the end, unless it is zero or not finite.
  if (count == 0)
    return 0.0;
  double sum = 0.0 + values[0];
  double compensation = 0.0;
  for (unsigned i = 1; i < count; ++i) {
    double x = values[i];
    double t = sum + x;
    if (std::fabs(sum) >= std::fabs(x))
      compensation += (sum - t) + x;
    else
      compensation += (x - t) + sum;
    sum = t;
  }
  if (compensation != 0.0 && std::isfinite(compensation))
    sum += compensation;
  return sum;
}

double pythonSum(std::initializer_list<double> values) {
  return pythonSum(values.begin(), static_cast<unsigned>(values.size()));
}

bool isInTechNodeTable(double node) {
  return node >= MinTableTechNode && node <= MaxTableTechNode;
}

double techNodeIndex(double node) {
  // The last entry not smaller than the node and the first entry not larger.
  int larger = -1, smaller = -1;
  for (int i = 0; i < 10; ++i) {
    if (node <= TechNodes[i])
      larger = i;
    if (node >= TechNodes[i]) {
      smaller = i;
      break;
    }
  }
  assert(larger >= 0 && smaller >= 0 && "node outside the scaling table");
  if (larger < 0 || smaller < 0)
    return std::nan("");
  if (larger == smaller)
    return larger;
  double interp =
      (node - TechNodes[smaller]) / (TechNodes[larger] - TechNodes[smaller]);
  return smaller + (larger - smaller) * interp;
}

namespace {

struct Clamped {
  double node;
  double factor; ///< the part of the node outside the table, as a ratio
};

Clamped clampToTable(double node) {
  if (node < MinTableTechNode)
    return {MinTableTechNode, node / MinTableTechNode};
  if (node > MaxTableTechNode)
    return {MaxTableTechNode, node / MaxTableTechNode};
  return {node, 1.0};
}

/// Python's `x % 1` for the non-negative indices used here (exact, as
/// fmod is, and cheaper).
double fraction(double x) { return x - std::floor(x); }

/// a*Vdd^2 + b*Vdd + c of one table node, summed as the reference does.
double energyPolynomial(int node, double vdd) {
  const double *e = EnergyScaling[node];
  return pythonSum({e[0] * std::pow(vdd, 2.0), e[1] * std::pow(vdd, 1.0),
                    e[2] * std::pow(vdd, 0.0)});
}

/// The polynomial at the default 0.8 V, computed once: every Aladdin model
/// needs it and std::pow dominates the cost otherwise. Same operations, so
/// the same bits as computing it on demand.
double energyPolynomialAt(int node, double vdd) {
  struct Table {
    double values[10];
    Table() {
      for (int i = 0; i < 10; ++i)
        values[i] = energyPolynomial(i, 0.8);
    }
  };
  static const Table defaultVdd;
  if (vdd == 0.8)
    return defaultVdd.values[node];
  return energyPolynomial(node, vdd);
}

/// Linear interpolation of the polynomial at a fractional index.
double interpolatedEnergy(double index, double vdd) {
  double f = fraction(index);
  return pythonSum({energyPolynomialAt(int(std::floor(index)), vdd) * (1 - f),
                    energyPolynomialAt(int(std::ceil(index)), vdd) * f});
}

} // namespace

double techNodeArea(double to, double from) {
  Clamped x = clampToTable(from), y = clampToTable(to);
  double outside = y.factor / x.factor;
  double xi = techNodeIndex(x.node), yi = techNodeIndex(y.node);
  double xf = fraction(xi), yf = fraction(yi);
  int x0 = int(std::floor(xi)), x1 = int(std::ceil(xi));
  int y0 = int(std::floor(yi)), y1 = int(std::ceil(yi));
  return outside * pythonSum({AreaScaling[x0][y0] * (1 - xf) * (1 - yf),
                              AreaScaling[x0][y1] * (1 - xf) * yf,
                              AreaScaling[x1][y0] * xf * (1 - yf),
                              AreaScaling[x1][y1] * xf * yf});
}

double techNodeEnergy(double to, double from, double vdd) {
  // IRDS 2022: energy stops scaling below 1 nm.
  from = std::fmax(from, 1e-9);
  to = std::fmax(to, 1e-9);
  Clamped x = clampToTable(from), y = clampToTable(to);
  double outside = std::pow(y.factor / x.factor, 0.5);
  double xe = interpolatedEnergy(techNodeIndex(x.node), vdd);
  double ye = interpolatedEnergy(techNodeIndex(y.node), vdd);
  return ye / xe * outside;
}

double techNodeLeak(double to, double from, double vdd) {
  return techNodeEnergy(to, from, vdd);
}

double techNodeLatency(double to, double from) { return to / from; }

double techNodeThroughput(double to, double from) { return from / to; }

namespace scale {

double linear(double target, double from) { return target / from; }
double reciprocal(double target, double from) { return 1 / (target / from); }
double quadratic(double target, double from) {
  return std::pow(target / from, 2.0);
}
double powBase(double base, double target, double from) {
  return std::pow(base, target - from);
}
double nlogBase(double base, double target, double from) {
  // math.log(x, b) is log(x) / log(b) in CPython.
  return (target * (std::log(target) / std::log(base))) /
         (from * (std::log(from) / std::log(base)));
}
double nlog2n(double target, double from) {
  double r = target / from;
  return r * (std::log(r) / std::log(2.0));
}
double cactiDepthEnergy(double target, double from) {
  return std::pow(target / from, 1.56 / 2);
}
double cactiDepthArea(double target, double from) { return target / from; }
double cactiDepthLeak(double target, double from) { return target / from; }
double noscale(double, double) { return 1; }

} // namespace scale

} // namespace afc::components
