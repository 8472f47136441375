//===- ParetoFront.h - the mapper's one Pareto front --------------*- C++ -*-===//
//
// The mapper keeps Pareto fronts in three places: per min_usage key while a
// template is searched (the "try best" rule picks among keys only once the
// search is complete), per template and per Einsum, and over the totals of
// per-Einsum choices when Einsums are combined. They all use this front so
// that they share the tie rule the determinism of the search rests on:
// among rows with equal objectives the first inserted is kept, so a front
// depends only on the order of insertion, never on the thread count.
//
// The objectives of a metric are (energy), (latency) or, for the
// energy-delay product, (energy, latency): a product of sums is not the sum
// of products, so per-Einsum fronts must keep the whole trade-off.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_MAPPER_PARETOFRONT_H
#define AFC_MAPPER_PARETOFRONT_H

#include "afc/mapper/Problem.h"

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

namespace afc::mapper {

/// One pmapping: a template plus tile shapes, with the columns later stages
/// need (objectives, and per-memory usage for a fusion join).
struct PmappingRow {
  double energy = 0;
  double latency = 0;
  /// Per arch node of the view: occupancy / size (0 for non-memories).
  std::vector<double> memoryUsage;
  /// Tile shape of every loop of the template, outermost loop first.
  std::vector<int64_t> tileShapes;
  uint32_t view = 0;     ///< index of the (Einsum, architecture) view
  uint32_t templ = 0;    ///< template index within the view
  uint64_t sequence = 0; ///< enumeration order, the tie-break
};

/// Objectives per metric: (energy), (latency) or (energy, latency).
int objectiveCount(Metric metric);
/// The metric's value of a total (for EDP, the product).
double metricValue(Metric metric, double energy, double latency);

/// The objectives of anything with an energy and a latency (a pmapping, or
/// a total over Einsums).
template <class Row>
void objectives(Metric metric, const Row &row, double *out) {
  switch (metric) {
  case Metric::Energy:
    out[0] = row.energy;
    return;
  case Metric::Latency:
    out[0] = row.latency;
    return;
  case Metric::EnergyDelayProduct:
    out[0] = row.energy;
    out[1] = row.latency;
    return;
  }
}

/// A Pareto front of rows with an energy and a latency under `metric`'s
/// objectives. Insertion keeps the first of equal rows, so the result
/// depends only on insertion order.
template <class Row> class ParetoFrontOf {
public:
  explicit ParetoFrontOf(Metric metric) : metric(metric) {}

  /// Inserts `row` unless a kept row weakly dominates it, dropping the rows
  /// it weakly dominates; `complete(row)` runs only when the row is kept, so
  /// columns that do not affect the objectives are filled for survivors
  /// only. Returns whether the row was kept.
  template <class Complete> bool insert(Row row, Complete &&complete) {
    double obj[2] = {0, 0}, o[2] = {0, 0};
    objectives(metric, row, obj);
    if (!wouldKeep(obj))
      return false;
    int n = objectiveCount(metric);
    std::erase_if(front, [&](const Row &r) {
      objectives(metric, r, o);
      return weaklyDominates(obj, o, n);
    });
    complete(row);
    front.push_back(std::move(row));
    return true;
  }
  bool insert(Row row) {
    return insert(std::move(row), [](Row &) {});
  }

  /// Would a row with these objectives be kept?
  bool wouldKeep(const double *obj) const {
    int n = objectiveCount(metric);
    double o[2] = {0, 0};
    for (const Row &r : front) {
      objectives(metric, r, o);
      if (weaklyDominates(o, obj, n))
        return false; // dominated, or equal to an earlier row
    }
    return true;
  }

  /// The kept rows, in insertion order.
  const std::vector<Row> &rows() const { return front; }
  std::vector<Row> take() { return std::move(front); }
  /// The kept rows by energy, then latency (ties in insertion order): the
  /// order later choices scan, so the first minimum is deterministic.
  std::vector<Row> takeByEnergy() {
    std::stable_sort(front.begin(), front.end(),
                     [](const Row &a, const Row &b) {
                       if (a.energy != b.energy)
                         return a.energy < b.energy;
                       return a.latency < b.latency;
                     });
    return take();
  }

private:
  /// a dominates-or-equals b.
  static bool weaklyDominates(const double *a, const double *b, int n) {
    for (int i = 0; i < n; ++i)
      if (a[i] > b[i])
        return false;
    return true;
  }

  Metric metric;
  std::vector<Row> front;
};

using ParetoFront = ParetoFrontOf<PmappingRow>;

} // namespace afc::mapper

#endif // AFC_MAPPER_PARETOFRONT_H
