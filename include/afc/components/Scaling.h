//===- Scaling.h - technology-node and attribute scaling laws ---*- C++ -*-===//
//
// The scaling laws of hwcomponents (component-models.md §2.3 and §3):
//
//  * technology-node scaling after Stillmaker & Baas 2017 (130 nm to 7 nm):
//    an area table, a supply-voltage polynomial per node for energy and leak,
//    linear latency and throughput; nodes between table entries are
//    interpolated, nodes outside [7, 130] nm are clamped to the table and the
//    rest of the ratio is applied linearly (area) or as a square root
//    (energy);
//  * the generic scale functions f(target, from) that models use for widths,
//    depths and resolutions.
//
// Every function reproduces the reference's floating-point operation order,
// including CPython's compensated sum(), so that results are bit-identical.
// All nodes are in metres. Factors multiply a value given at `from` to give
// the value at `to` (or `target`).
//
//===----------------------------------------------------------------------===//
#ifndef AFC_COMPONENTS_SCALING_H
#define AFC_COMPONENTS_SCALING_H

#include <array>
#include <initializer_list>

namespace afc::components {

/// The nodes of the scaling tables, largest first (metres).
inline constexpr std::array<double, 10> TechNodes = {
    130e-9, 90e-9, 65e-9, 45e-9, 32e-9, 20e-9, 16e-9, 14e-9, 10e-9, 7e-9};
inline constexpr double MinTableTechNode = 7e-9;
inline constexpr double MaxTableTechNode = 130e-9;

/// AreaScaling[from][to]: area factor between table nodes (indices into
/// TechNodes). Not reciprocal-symmetric, as published.
extern const double AreaScaling[10][10];
/// EnergyScaling[node] = {a, b, c} of a*Vdd^2 + b*Vdd + c.
extern const double EnergyScaling[10][3];

/// True if `node` lies inside the table range [7 nm, 130 nm], i.e. the
/// technology factors are interpolated rather than extrapolated.
bool isInTechNodeTable(double node);

/// The fractional position of `node` in TechNodes: an integer for a table
/// node, else linear between the two neighbouring entries (e.g. 40 nm ->
/// 3.3846153846153846). Precondition: node inside the table range.
double techNodeIndex(double node);

/// Area factor from node `from` to node `to`.
double techNodeArea(double to, double from);
/// Energy factor from `from` to `to` at supply voltage `vdd` (volts).
double techNodeEnergy(double to, double from, double vdd = 0.8);
/// Leak power factor; the reference uses the energy law.
double techNodeLeak(double to, double from, double vdd = 0.8);
/// Latency factor `to / from`.
double techNodeLatency(double to, double from);
/// Throughput factor `from / to`.
double techNodeThroughput(double to, double from);

/// CPython >= 3.12 `sum()` of floats (start 0): Neumaier-compensated. The
/// reference sums areas, leak powers and interpolation terms this way; a
/// naive left-to-right sum differs in the last bit for some inputs.
double pythonSum(std::initializer_list<double> values);
double pythonSum(const double *values, unsigned count);

/// Generic scale functions f(target, from) (hwcomponents.scaling).
namespace scale {
double linear(double target, double from);     ///< target / from
double reciprocal(double target, double from); ///< 1 / (target / from)
double quadratic(double target, double from);  ///< (target / from) ** 2
/// base ** (target - from), e.g. resolution in bits with base 2.
double powBase(double base, double target, double from);
/// target * log_base(target) / (from * log_base(from)).
double nlogBase(double base, double target, double from);
double nlog2n(double target, double from);           ///< r * log2(r)
double cactiDepthEnergy(double target, double from); ///< r ** (1.56 / 2)
double cactiDepthArea(double target, double from);   ///< r
double cactiDepthLeak(double target, double from);   ///< r
double noscale(double target, double from);          ///< 1
} // namespace scale

} // namespace afc::components

#endif // AFC_COMPONENTS_SCALING_H
