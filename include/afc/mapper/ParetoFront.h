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
#include <map>
#include <utility>
#include <vector>

namespace afc::mapper {

/// One pmapping: a template plus tile shapes, with the columns later stages
/// need (objectives, and for a fusion join its compatibility group and
/// reservations, Fusion.h).
struct PmappingRow {
  double energy = 0;
  double latency = 0;
  /// Per arch node of the view: occupancy / size (0 for non-memories).
  std::vector<double> memoryUsage;
  /// Tile shape of every loop of the template, outermost loop first.
  std::vector<int64_t> tileShapes;
  /// Fusion: rows of different groups (compatibilities) are never compared;
  /// within a group, lower reservations are better too. Both empty when
  /// the Einsum shares no tensor or the search is unfused.
  std::vector<int64_t> group;
  std::vector<double> resources;
  uint32_t view = 0;     ///< index of the (Einsum, architecture) view
  uint32_t templ = 0;    ///< template index within the view
  uint64_t sequence = 0; ///< enumeration order, the tie-break
};

/// Objectives per metric: (energy), (latency) or (energy, latency). The
/// front compares two numbers for every metric: a single metric's ties are
/// broken by the other quantity (see objectives()).
int objectiveCount(Metric metric);

/// The metric's value of a total (for EDP, the product).
double metricValue(Metric metric, double energy, double latency);

/// The objectives of anything with an energy and a latency (a pmapping, or
/// a total over Einsums).
template <class Row>
void objectives(Metric metric, const Row &row, double *out) {
  switch (metric) {
  case Metric::Energy: // the second objective breaks ties only
    out[0] = row.energy;
    out[1] = row.latency;
    return;
  case Metric::Latency:
    out[0] = row.latency;
    out[1] = row.energy;
    return;
  case Metric::EnergyDelayProduct:
    out[0] = row.energy;
    out[1] = row.latency;
    return;
  }
}

/// Whether one of the whole mappings `known` (energy, latency) has strictly
/// less energy and strictly less latency than (energy, latency): lower
/// bounds on what some mappings cost, as energy and latency only grow with
/// each Einsum, so none of those mappings can be optimal or on the front.
inline bool
strictlyBeaten(const std::vector<std::pair<double, double>> &known,
               double energy, double latency) {
  for (const auto &[e, l] : known)
    if (e < energy && l < latency)
      return true;
  return false;
}

/// Whether one of the rows `known` (energy, latency) has strictly less
/// energy and no more latency than (energy, latency), lower bounds of some
/// rows of the same Einsum: those rows are then not on its front.
inline bool
beatenInEnergy(const std::vector<std::pair<double, double>> &known,
               double energy, double latency) {
  for (const auto &[e, l] : known)
    if (e < energy && l <= latency)
      return true;
  return false;
}

/// The Pareto group of a row and the extra columns it minimises: none
/// unless the row type has them (PmappingRow and the fusion join's rows do).
using ParetoGroup = std::vector<int64_t>;
template <class Row> const ParetoGroup &paretoGroup(const Row &row) {
  if constexpr (requires { row.group; }) {
    return row.group;
  } else {
    static const ParetoGroup none;
    return none;
  }
}
/// Whether a's extra columns are each at most b's (same group, same length).
template <class Row> bool resourcesNoWorse(const Row &a, const Row &b) {
  if constexpr (requires { a.resources; }) {
    for (size_t i = 0; i < a.resources.size() && i < b.resources.size(); ++i)
      if (a.resources[i] > b.resources[i])
        return false;
  }
  return true;
}

/// Among rows equal in every compared column, the one of lower tie rank is
/// kept (0 unless the row type has one; the fusion join ranks by how much
/// is fused, so a fusion that saves nothing does not win a tie).
template <class Row> uint32_t tieRank(const Row &row) {
  if constexpr (requires { row.tieRank; })
    return row.tieRank;
  else
    return 0;
}

/// A Pareto front of rows with an energy and a latency under `metric`'s
/// objectives, kept per Pareto group. Insertion keeps the first of equal
/// rows, so the result depends only on insertion order.
template <class Row> class ParetoFrontOf {
public:
  explicit ParetoFrontOf(Metric metric) : metric(metric) {}

  /// Inserts `row` unless a kept row of its group weakly dominates it,
  /// dropping the rows of the group it weakly dominates; `complete(row)`
  /// runs only when the row is kept, so columns that do not affect the
  /// comparison are filled for survivors only. Returns whether it was kept.
  template <class Complete> bool insert(Row row, Complete &&complete) {
    double obj[2] = {0, 0}, o[2] = {0, 0};
    objectives(metric, row, obj);
    std::vector<Entry> &rows = groupOf(paretoGroup(row));
    if (dominatedIn(rows, row, obj))
      return false;
    std::erase_if(rows, [&](const Entry &e) {
      objectives(metric, e.row, o);
      return weaklyDominates(obj, o) && resourcesNoWorse(row, e.row);
    });
    complete(row);
    rows.push_back({inserted++, std::move(row)});
    return true;
  }
  bool insert(Row row) {
    return insert(std::move(row), [](Row &) {});
  }

  /// Whether insert(row) would drop `row`, without copying or storing
  /// anything: the search asks first for each candidate, so the rows it
  /// builds are only the ones kept.
  bool rejects(const Row &row) const {
    auto it = index.find(paretoGroup(row));
    if (it == index.end())
      return false;
    double obj[2] = {0, 0};
    objectives(metric, row, obj);
    return dominatedIn(groups[it->second], row, obj);
  }

  /// Whether a kept row's first objective is at most `value`: no row can
  /// reject another without this.
  bool anyFirstObjectiveAtMost(double value) const {
    double o[2] = {0, 0};
    for (const std::vector<Entry> &g : groups)
      for (const Entry &e : g) {
        objectives(metric, e.row, o);
        if (o[0] <= value)
          return true;
      }
    return false;
  }

  /// Would a row of `group` with these objectives (two, as objectives()
  /// fills them) and no extra columns be kept?
  bool wouldKeep(const double *obj, const ParetoGroup &group = {}) const {
    auto it = index.find(group);
    if (it == index.end())
      return true;
    double o[2] = {0, 0};
    for (const Entry &e : groups[it->second]) {
      objectives(metric, e.row, o);
      if (weaklyDominates(o, obj))
        return false;
    }
    return true;
  }

  bool empty() const {
    for (const std::vector<Entry> &g : groups)
      if (!g.empty())
        return false;
    return true;
  }
  /// The kept rows, in insertion order.
  std::vector<Row> rows() const {
    std::vector<Row> out;
    for (const Entry *e : inOrder())
      out.push_back(e->row);
    return out;
  }
  std::vector<Row> take() {
    std::vector<Row> out;
    for (const Entry *e : inOrder())
      out.push_back(std::move(const_cast<Entry *>(e)->row));
    groups.clear();
    index.clear();
    return out;
  }
  /// The kept rows by energy, then latency (ties in insertion order): the
  /// order later choices scan, so the first minimum is deterministic.
  std::vector<Row> takeByEnergy() {
    std::vector<Row> out = take();
    std::stable_sort(out.begin(), out.end(), [](const Row &a, const Row &b) {
      if (a.energy != b.energy)
        return a.energy < b.energy;
      return a.latency < b.latency;
    });
    return out;
  }

private:
  struct Entry {
    uint64_t order;
    Row row;
  };

  /// A kept row of `rows` weakly dominates `row` (objectives `obj`), or
  /// equals it and came first.
  bool dominatedIn(const std::vector<Entry> &rows, const Row &row,
                   const double *obj) const {
    double o[2] = {0, 0};
    for (const Entry &e : rows) {
      objectives(metric, e.row, o);
      if (weaklyDominates(o, obj) && resourcesNoWorse(e.row, row) &&
          (tieRank(e.row) <= tieRank(row) || !equal(o, obj) ||
           !resourcesNoWorse(row, e.row)))
        return true;
    }
    return false;
  }

  std::vector<Entry> &groupOf(const ParetoGroup &g) {
    auto [it, fresh] = index.try_emplace(g, groups.size());
    if (fresh)
      groups.emplace_back();
    return groups[it->second];
  }

  std::vector<const Entry *> inOrder() const {
    std::vector<const Entry *> all;
    for (const std::vector<Entry> &g : groups)
      for (const Entry &e : g)
        all.push_back(&e);
    if (groups.size() > 1)
      std::sort(all.begin(), all.end(), [](const Entry *a, const Entry *b) {
        return a->order < b->order;
      });
    return all;
  }

  static bool equal(const double *a, const double *b) {
    return a[0] == b[0] && a[1] == b[1];
  }

  /// a dominates-or-equals b. A single metric compares its own quantity
  /// first and the other only on a tie (latency ties go to less energy,
  /// energy ties to less latency); EDP keeps both as a Pareto front.
  bool weaklyDominates(const double *a, const double *b) const {
    if (metric != Metric::EnergyDelayProduct)
      return a[0] < b[0] || (a[0] == b[0] && a[1] <= b[1]);
    return a[0] <= b[0] && a[1] <= b[1];
  }

  Metric metric;
  uint64_t inserted = 0;
  std::vector<std::vector<Entry>> groups;
  std::map<ParetoGroup, size_t> index;
};

using ParetoFront = ParetoFrontOf<PmappingRow>;

} // namespace afc::mapper

#endif // AFC_MAPPER_PARETOFRONT_H
