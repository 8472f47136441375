//===- TileShapes.cpp - tile-shape search of one template ------------------===//
//
// Depth-first enumeration of divisor chains, innermost loop first, with
// capacity and fanout pruning on optimistic (smallest feasible) outer tiles;
// model evaluation of the leaves; the per-template min_usage "try best" rule;
// Pareto filtering. See TileShapes.h.
//
//===----------------------------------------------------------------------===//

#include "afc/mapper/TileShapes.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace afc::mapper {

//===----------------------------------------------------------------------===//
// Objectives and Pareto fronts
//===----------------------------------------------------------------------===//

int objectiveCount(Metric metric) {
  return metric == Metric::EnergyDelayProduct ? 2 : 1;
}

void objectives(Metric metric, const PmappingRow &row, double *out) {
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

namespace {

/// a dominates-or-equals b.
bool weaklyDominates(const double *a, const double *b, int n) {
  for (int i = 0; i < n; ++i)
    if (a[i] > b[i])
      return false;
  return true;
}

} // namespace

bool ParetoFront::wouldKeep(const double *obj) const {
  int n = objectiveCount(metric);
  double o[2] = {0, 0};
  for (const PmappingRow &r : front) {
    objectives(metric, r, o);
    if (weaklyDominates(o, obj, n))
      return false; // dominated, or equal to an earlier row
  }
  return true;
}

bool ParetoFront::insert(PmappingRow row) {
  int n = objectiveCount(metric);
  double obj[2] = {0, 0}, o[2] = {0, 0};
  objectives(metric, row, obj);
  if (!wouldKeep(obj))
    return false;
  std::erase_if(front, [&](const PmappingRow &r) {
    objectives(metric, r, o);
    return weaklyDominates(obj, o, n);
  });
  front.push_back(std::move(row));
  return true;
}

//===----------------------------------------------------------------------===//
// TemplateCost
//===----------------------------------------------------------------------===//

TemplateCost::TemplateCost(const MapperProblem &problem, const EinsumView &view,
                           const Template &tpl, const TemplateKernel *kernel)
    : kernel(kernel) {
  using model::MappingNode;
  const model::FlattenedArch &arch = *view.arch;
  if (kernel) {
    // The kernel needs only the design point; building the mapping (names
    // and all) per search piece would cost more than the search itself.
    for (const model::PointValue &v : kernel->point)
      pointArgs.push_back(model::pointValue(arch, v));
    for (const TemplateNode &n : tpl.nodes)
      if (n.kind != TemplateNodeKind::Storage)
        tileArgs.push_back(0);
    return;
  }
  for (const TemplateNode &n : tpl.nodes) {
    switch (n.kind) {
    case TemplateNodeKind::Storage: {
      MappingNode s = MappingNode::storage(arch.nodes[n.archNode].name,
                                           {view.tensorNames[n.tensor]});
      s.persistent = n.persistent;
      prepared.nodes.push_back(std::move(s));
      break;
    }
    case TemplateNodeKind::Temporal:
      loopNodes.push_back(prepared.nodes.size());
      prepared.nodes.push_back(
          MappingNode::temporal(view.rankVariables[n.rankVariable], 1));
      break;
    case TemplateNodeKind::Spatial:
      loopNodes.push_back(prepared.nodes.size());
      prepared.nodes.push_back(MappingNode::spatial(
          view.rankVariables[n.rankVariable], 1, arch.nodes[n.archNode].name,
          arch.nodes[n.archNode].spatial[n.dimension].name));
      break;
    }
  }
  prepared.nodes.push_back(MappingNode::compute(
      problem.problem.workload.einsums[view.einsum].name, arch.compute().name));
}

std::vector<const model::MappingNode *> TemplateCost::loops() const {
  std::vector<const model::MappingNode *> out;
  for (size_t i : loopNodes)
    out.push_back(&prepared.nodes[i]);
  return out;
}

model::Mapping TemplateCost::mapping(std::span<const int64_t> tiles) const {
  model::Mapping m = prepared;
  for (size_t i = 0; i < loopNodes.size(); ++i)
    m.nodes[loopNodes[i]].tileShape = double(tiles[i]);
  return m;
}

bool TemplateCost::evaluate(std::span<const int64_t> tiles,
                            model::Evaluator &eval, model::Result &scratch,
                            double &energy, double &latency) {
  if (kernel) {
    for (size_t i = 0; i < tiles.size(); ++i)
      tileArgs[i] = double(tiles[i]);
    double out[3];
    kernel->score(pointArgs.data(), tileArgs.data(), out, 1);
    energy = out[0];
    latency = out[1];
    return out[2] == 0;
  }
  for (size_t i = 0; i < loopNodes.size(); ++i)
    prepared.nodes[loopNodes[i]].tileShape = double(tiles[i]);
  if (eval.evaluateInto(prepared, scratch))
    return false;
  energy = scratch.energy;
  latency = scratch.latency;
  return true;
}

//===----------------------------------------------------------------------===//
// The search
//===----------------------------------------------------------------------===//

namespace {

constexpr int kNoLoop = -1;

struct Loop {
  uint32_t rankVariable = 0;
  bool spatial = false;
  int dimRule = -1;   ///< index into EinsumView::dims
  int inner = kNoLoop; ///< next inner loop of the same rank variable
  int outer = kNoLoop; ///< next outer loop of the same rank variable
  bool imperfect = false; ///< may take non-divisor tile shapes
};

/// A storage node with, per rank variable, the nearest loop above it.
struct Holder {
  uint32_t archNode = 0;
  uint32_t tensor = 0;
  double bits = 8;
  std::vector<int> tileLoop; ///< per rank variable; kNoLoop = full bound
};

/// Tile shapes an imperfect outermost loop may take with inner tile `inner`
/// over a rank of `bound`: multiples of `inner`, the smallest per number of
/// tiles ceil(bound / t), ascending (mapper.md §4.4).
std::vector<int64_t> imperfectTiles(int64_t bound, int64_t inner) {
  std::vector<int64_t> out;
  int64_t lastCount = 0;
  for (int64_t t = inner; t <= bound; t += inner) {
    int64_t count = (bound + t - 1) / t;
    if (count != lastCount)
      out.push_back(t);
    lastCount = count;
  }
  return out;
}

std::vector<int64_t> divisors(int64_t n) {
  std::vector<int64_t> small, large;
  for (int64_t d = 1; d * d <= n; ++d)
    if (n % d == 0) {
      small.push_back(d);
      if (d != n / d)
        large.push_back(n / d);
    }
  small.insert(small.end(), large.rbegin(), large.rend());
  return small;
}

class Search {
public:
  Search(const MapperProblem &problem, const EinsumView &view,
         const Template &tpl, model::Evaluator &evaluator, uint32_t viewIndex,
         uint32_t templIndex, TemplateSearchStats &stats,
         const TemplateKernel *kernel = nullptr)
      : problem(problem), view(view), evaluator(evaluator),
        cost(problem, view, tpl, kernel), viewIndex(viewIndex),
        templIndex(templIndex), stats(stats) {
    size_t nRv = view.rankVariables.size();
    std::vector<int> lastLoop(nRv, kNoLoop);
    for (const TemplateNode &n : tpl.nodes) {
      if (n.kind == TemplateNodeKind::Storage) {
        Holder h;
        h.archNode = n.archNode;
        h.tensor = n.tensor;
        h.bits = view.bitsPerValue[n.tensor][n.archNode];
        h.tileLoop = lastLoop;
        holders.push_back(h);
        continue;
      }
      Loop l;
      l.rankVariable = n.rankVariable;
      l.spatial = n.kind == TemplateNodeKind::Spatial;
      if (l.spatial)
        for (size_t d = 0; d < view.dims.size(); ++d)
          if (view.dims[d].archNode == n.archNode &&
              view.dims[d].dimension == n.dimension)
            l.dimRule = int(d);
      int idx = int(loops.size());
      l.outer = lastLoop[n.rankVariable];
      if (l.outer != kNoLoop)
        loops[size_t(l.outer)].inner = idx;
      lastLoop[n.rankVariable] = idx;
      loops.push_back(l);
    }
    // Imperfect factors are allowed for the outermost loop of a rank
    // variable that every tensor indexes directly (a "simple" one, as the
    // model counts them: its iterations become ceil(bound / tile)).
    std::vector<uint8_t> simple(nRv, 1);
    for (const std::vector<EinsumView::Rank> &ranks : view.ranks)
      for (const EinsumView::Rank &rank : ranks) {
        bool bare = rank.terms.size() == 1 && rank.constant == 0 &&
                    rank.terms[0].second == 1;
        if (!bare)
          for (const auto &[r, c] : rank.terms)
            simple[r] = 0;
      }
    for (Loop &l : loops)
      l.imperfect = l.outer == kNoLoop && l.inner != kNoLoop &&
                    simple[l.rankVariable] &&
                    (l.spatial
                         ? problem.settings.exploreImperfectSpatialLoops
                         : problem.settings.exploreImperfectTemporalLoops);
    tiles.assign(loops.size(), 1);
    maxTile.assign(nRv, 1);
    nodeUsage.assign(view.arch->nodes.size(), 0);
    for (size_t r = 0; r < nRv; ++r)
      divisorCache.push_back(divisors(view.bounds[r]));
    for (const EinsumView::DimRule &d : view.dims)
      if (d.minUsage > 0)
        minUsageDims.push_back(&d - view.dims.data());
    // A dimension's usage is known once its spatial loops and their outer
    // loops are assigned, i.e. once the search reaches knownFrom.
    int n = int(loops.size());
    for (size_t k = 0; k < minUsageDims.size(); ++k) {
      int from = n;
      for (int i = 0; i < n; ++i)
        if (loops[size_t(i)].dimRule == int(minUsageDims[k])) {
          from = std::min(from, i);
          if (loops[size_t(i)].outer != kNoLoop)
            from = std::min(from, loops[size_t(i)].outer);
        }
      knownFrom.push_back(from);
    }
    // The lower bounds of feasible() are those of the smallest completion
    // (every free loop of bound 1) unless a free spatial loop sits directly
    // under the full rank (its bound is then rank / tile, not 1) or a loop
    // bound comparison (not monotone) applies.
    exactFrom = n;
    for (int i = 0; i < n; ++i)
      if (loops[size_t(i)].spatial && loops[size_t(i)].outer == kNoLoop)
        exactFrom = std::min(exactFrom, i);
    for (const EinsumView::DimRule &d : view.dims)
      if (!d.loopBounds.empty())
        exactFrom = -1;
    if (problem.settings.maxLoopsPerSpatialDimension <
        std::numeric_limits<int>::max())
      exactFrom = -1;
  }

  /// Tile prefixes of the innermost loops: the feasible assignments of the
  /// last `depth` loops, in search order, for some depth giving at least
  /// `minPieces` prefixes (or every loop).
  std::vector<std::vector<int64_t>> prefixes(size_t minPieces) {
    std::vector<std::vector<int64_t>> out;
    int n = int(loops.size());
    for (int depth = 1; depth <= n; ++depth) {
      out.clear();
      stopAt = n - depth;
      collecting = &out;
      descend(n - 1);
      collecting = nullptr;
      if (out.size() >= minPieces)
        break;
    }
    stopAt = -1;
    return out;
  }

  /// Searches the completions of one prefix (every loop if it is empty).
  void runFrom(const std::vector<int64_t> &prefix, uint64_t sequenceBase) {
    int n = int(loops.size());
    int first = n - int(prefix.size());
    for (size_t k = 0; k < prefix.size(); ++k)
      tiles[size_t(first) + k] = prefix[k];
    std::fill(maxTile.begin(), maxTile.end(), 1);
    for (int i = n - 1; i >= first; --i)
      maxTile[loops[size_t(i)].rankVariable] = tiles[size_t(i)];
    sequence = sequenceBase;
    descend(first - 1);
  }

  PartialMap takeRows() { return std::move(byUsage); }

  /// Pass 1 of the min_usage shortcut: record the usage keys of feasible
  /// tile shapes instead of costing them.
  UsageKeys *keysOut = nullptr;
  /// Pass 2: cost only tile shapes whose key survives min_usage.
  const UsageKeys *allowedKeys = nullptr;

private:
  const MapperProblem &problem;
  const EinsumView &view;
  model::Evaluator &evaluator;
  TemplateCost cost;
  uint32_t viewIndex, templIndex;
  TemplateSearchStats &stats;

  std::vector<Loop> loops;
  std::vector<Holder> holders;
  std::vector<int64_t> tiles;
  /// Per rank variable: tile of its outermost assigned loop (a lower bound
  /// on every unassigned outer tile).
  std::vector<int64_t> maxTile;
  std::vector<double> nodeUsage;
  std::vector<std::vector<int64_t>> divisorCache;
  /// Per rank variable and inner tile: imperfectTiles (built on first use).
  std::vector<std::map<int64_t, std::vector<int64_t>>> imperfectCache;

  const std::vector<int64_t> &imperfectCandidates(uint32_t r, int64_t inner) {
    if (imperfectCache.empty())
      imperfectCache.resize(view.rankVariables.size());
    auto [it, fresh] = imperfectCache[r].try_emplace(inner);
    if (fresh)
      it->second = imperfectTiles(view.bounds[r], inner);
    return it->second;
  }
  std::vector<size_t> minUsageDims;
  model::Result scratch;
  uint64_t sequence = 0;
  std::vector<double> key;
  std::vector<int> knownFrom; ///< per min_usage dimension
  int exactFrom = 0;
  /// While collecting prefixes: stop below this loop index.
  int stopAt = -1;
  std::vector<std::vector<int64_t>> *collecting = nullptr;

  /// Rows per min_usage key (usage of each min_usage dimension).
  PartialMap byUsage;

  /// Lowest possible tile of rank variable r at a point whose nearest loop
  /// above is `loop`, when loops [0, firstAssigned) are still free.
  double tileAt(int loop, uint32_t r, int firstAssigned) const {
    if (loop == kNoLoop)
      return double(view.bounds[r]);
    if (loop >= firstAssigned)
      return double(tiles[size_t(loop)]);
    return double(maxTile[r]);
  }

  double denseTile(uint32_t tensor, const std::vector<int> &tileLoop,
                   int firstAssigned) const {
    double v = 1;
    for (const EinsumView::Rank &rank : view.ranks[tensor]) {
      double e = double(rank.constant);
      for (const auto &[r, c] : rank.terms)
        e += double(c) * (tileAt(tileLoop[r], r, firstAssigned) - 1);
      v *= e + 1;
    }
    return v;
  }

  /// Capacity and fanout with unassigned outer tiles at their minimum.
  bool feasible(int firstAssigned) {
    std::fill(nodeUsage.begin(), nodeUsage.end(), 0.0);
    for (const Holder &h : holders)
      nodeUsage[h.archNode] +=
          denseTile(h.tensor, h.tileLoop, firstAssigned) * h.bits;
    for (size_t n = 0; n < nodeUsage.size(); ++n) {
      double size = view.arch->nodes[n].size;
      if (nodeUsage[n] > size)
        return false;
    }
    for (size_t d = 0; d < view.dims.size(); ++d)
      if (dimUsed(d, firstAssigned) > view.dims[d].fanout)
        return false;
    return true;
  }

  /// Instances used by dimension d (lower bound while loops are free).
  double dimUsed(size_t d, int firstAssigned) const {
    double used = 1;
    for (int i = firstAssigned; i < int(loops.size()); ++i) {
      const Loop &l = loops[size_t(i)];
      if (l.dimRule != int(d))
        continue;
      double outer = tileAt(l.outer, l.rankVariable, firstAssigned);
      used *= outer / double(tiles[size_t(i)]);
    }
    return used;
  }

  /// Usage keys fixed by the assigned loops [i + 1, n): pass 1 records the
  /// key if the smallest completion is feasible (it is: feasible() held);
  /// pass 2 stops when no surviving key agrees with the known usages.
  bool usageShortcut(int i) {
    int first = i + 1;
    if (keysOut) {
      for (int from : knownFrom)
        if (first > from)
          return false;
      key.clear();
      for (size_t d : minUsageDims)
        key.push_back(dimUsed(d, first) / view.dims[d].fanout *
                      view.dims[d].usageScale);
      // Every completion has this key: one already recorded can add
      // nothing new, so the subtree is skipped.
      if (keysOut->count(key))
        return true;
      // Otherwise, when the smallest completion decides feasibility, test
      // it; else search on, and the first feasible leaf records the key
      // (after which the rest of the subtree is skipped here).
      if (first > exactFrom)
        return false;
      // Callers checked every assignment but the empty one.
      if (feasible(first))
        keysOut->insert(key);
      return true;
    }
    if (!allowedKeys || i < 0)
      return false;
    if (allowedKeys->empty())
      return true; // nothing survives min_usage
    bool anyKnown = false;
    key.assign(minUsageDims.size(), -1.0); // -1: not known yet
    for (size_t j = 0; j < minUsageDims.size(); ++j)
      if (first <= knownFrom[j]) {
        size_t d = minUsageDims[j];
        key[j] = dimUsed(d, first) / view.dims[d].fanout *
                 view.dims[d].usageScale;
        anyKnown = true;
      }
    if (!anyKnown)
      return false;
    for (const std::vector<double> &k : *allowedKeys) {
      bool agrees = true;
      for (size_t j = 0; j < k.size() && agrees; ++j)
        agrees = key[j] < 0 || key[j] == k[j];
      if (agrees)
        return false;
    }
    return true;
  }

  void descend(int i) {
    if (collecting && i < stopAt) {
      collecting->emplace_back(tiles.begin() + stopAt, tiles.end());
      return;
    }
    if (!minUsageDims.empty() && usageShortcut(i))
      return;
    if (i < 0) {
      leaf();
      return;
    }
    Loop &l = loops[size_t(i)];
    uint32_t r = l.rankVariable;
    int64_t saved = maxTile[r];
    if (l.inner == kNoLoop) {
      tiles[size_t(i)] = 1;
      maxTile[r] = 1;
      if (feasible(i))
        descend(i - 1);
      maxTile[r] = saved;
      return;
    }
    int64_t inner = tiles[size_t(l.inner)];
    const std::vector<int64_t> &candidates =
        l.imperfect ? imperfectCandidates(r, inner) : divisorCache[r];
    const double coarseness = problem.settings.tilingCoarseness;
    int64_t lastAdmitted = 0;
    for (int64_t d : candidates) {
      if (d % inner != 0)
        continue;
      if (coarseness > 1 && lastAdmitted && d != view.bounds[r] &&
          double(d) < coarseness * double(lastAdmitted))
        continue;
      lastAdmitted = d;
      tiles[size_t(i)] = d;
      maxTile[r] = d;
      // Occupancy, and the fanout of loops inside this one, only grow with
      // this tile, so the first infeasible value ends the scan. The
      // exception is a spatial loop directly under the full rank: its own
      // fanout (bound / tile) shrinks as its tile grows.
      if (feasible(i))
        descend(i - 1);
      else if (!(l.spatial && l.outer == kNoLoop))
        break;
    }
    maxTile[r] = saved;
  }

  void leaf() {
    // Loop-bound comparisons other than "== 1" (those loops do not exist).
    for (size_t d = 0; d < view.dims.size(); ++d)
      for (const LoopBoundComparison &c : view.dims[d].loopBounds)
        if (!boundsSatisfy(d, c))
          return;
    if (!spatialLoopsWithinLimit())
      return;
    key.clear();
    for (size_t d : minUsageDims)
      key.push_back(dimUsed(d, 0) / view.dims[d].fanout *
                    view.dims[d].usageScale);
    if (keysOut) {
      keysOut->insert(key);
      return;
    }
    if (allowedKeys && !allowedKeys->count(key))
      return; // min_usage drops it whatever its cost
    ++stats.evaluated;
    PmappingRow row;
    if (!cost.evaluate(tiles, evaluator, scratch, row.energy, row.latency))
      return;
    ++stats.valid;
    auto &bucket = byUsage[key];
    // Keep the bucket a Pareto front in place (first of equals wins).
    double obj[2] = {0, 0};
    row.sequence = sequence++;
    objectives(problem.settings.metric, row, obj);
    int n = objectiveCount(problem.settings.metric);
    for (const PmappingRow &r : bucket) {
      double o[2] = {0, 0};
      objectives(problem.settings.metric, r, o);
      bool dominated = true;
      for (int k = 0; k < n; ++k)
        dominated &= o[k] <= obj[k];
      if (dominated)
        return;
    }
    std::erase_if(bucket, [&](const PmappingRow &r) {
      double o[2] = {0, 0};
      objectives(problem.settings.metric, r, o);
      for (int k = 0; k < n; ++k)
        if (obj[k] > o[k])
          return false;
      return true;
    });
    feasible(0); // refresh exact per-memory usage for the row
    row.memoryUsage.resize(nodeUsage.size());
    for (size_t m = 0; m < nodeUsage.size(); ++m) {
      double size = view.arch->nodes[m].size;
      row.memoryUsage[m] = size > 0 && std::isfinite(size)
                               ? nodeUsage[m] / size
                               : 0.0;
    }
    row.tileShapes = tiles;
    row.view = viewIndex;
    row.templ = templIndex;
    bucket.push_back(std::move(row));
  }

  /// At most maxLoopsPerSpatialDimension spatial loops with more than one
  /// iteration in each dimension (a loop of one iteration does not exist).
  bool spatialLoopsWithinLimit() const {
    const int limit = problem.settings.maxLoopsPerSpatialDimension;
    if (limit == std::numeric_limits<int>::max())
      return true;
    for (size_t d = 0; d < view.dims.size(); ++d) {
      int count = 0;
      for (size_t i = 0; i < loops.size(); ++i)
        count += loops[i].dimRule == int(d) &&
                 tileAt(loops[i].outer, loops[i].rankVariable, 0) >
                     double(tiles[i]);
      if (count > limit)
        return false;
    }
    return true;
  }

  bool boundsSatisfy(size_t d, const LoopBoundComparison &c) const {
    double product = 1;
    bool ok = true;
    for (size_t i = 0; i < loops.size(); ++i) {
      const Loop &l = loops[i];
      if (l.dimRule != int(d))
        continue;
      const std::string &rv = view.rankVariables[l.rankVariable];
      if (std::find(c.rankVariables.begin(), c.rankVariables.end(), rv) ==
          c.rankVariables.end())
        continue;
      double bound = tileAt(l.outer, l.rankVariable, 0) / double(tiles[i]);
      product *= bound;
      if (!c.product)
        ok &= compare(bound, c);
    }
    return c.product ? compare(product, c) : ok;
  }

  static bool compare(double v, const LoopBoundComparison &c) {
    switch (c.op) {
    case Comparison::Equal:
      return v == c.value;
    case Comparison::LessEqual:
      return v <= c.value;
    case Comparison::Less:
      return v < c.value;
    case Comparison::GreaterEqual:
      return v >= c.value;
    case Comparison::Greater:
      return v > c.value;
    }
    return false;
  }
};

} // namespace

std::vector<std::vector<int64_t>>
splitTemplate(const MapperProblem &problem, const EinsumView &view,
              const Template &tpl, model::Evaluator &evaluator,
              size_t minPieces) {
  TemplateSearchStats unused;
  Search s(problem, view, tpl, evaluator, 0, 0, unused);
  return s.prefixes(minPieces);
}

PartialMap searchPiece(const MapperProblem &problem, const EinsumView &view,
                       const Template &tpl, model::Evaluator &evaluator,
                       uint32_t viewIndex, uint32_t templIndex,
                       const std::vector<int64_t> &prefix, uint32_t piece,
                       TemplateSearchStats &stats,
                       const UsageKeys *allowedKeys,
                       const TemplateKernel *kernel) {
  if (kernel && !kernel->invalid.empty())
    return {}; // no tile shape of this template is valid
  Search s(problem, view, tpl, evaluator, viewIndex, templIndex, stats, kernel);
  s.allowedKeys = allowedKeys;
  s.runFrom(prefix, uint64_t(piece) << 40);
  return s.takeRows();
}

UsageKeys pieceUsageKeys(const MapperProblem &problem, const EinsumView &view,
                         const Template &tpl, model::Evaluator &evaluator,
                         const std::vector<int64_t> &prefix) {
  TemplateSearchStats unused;
  UsageKeys keys;
  Search s(problem, view, tpl, evaluator, 0, 0, unused);
  s.keysOut = &keys;
  s.runFrom(prefix, 0);
  return keys;
}

bool hasMinUsage(const EinsumView &view) {
  for (const EinsumView::DimRule &d : view.dims)
    if (d.minUsage > 0)
      return true;
  return false;
}

UsageKeys survivingKeys(const EinsumView &view, const UsageKeys &all) {
  std::vector<size_t> minUsageDims;
  for (size_t d = 0; d < view.dims.size(); ++d)
    if (view.dims[d].minUsage > 0)
      minUsageDims.push_back(d);
  std::vector<const std::vector<double> *> keys;
  for (const std::vector<double> &key : all)
    keys.push_back(&key);
  for (size_t k = 0; k < minUsageDims.size(); ++k) {
    double minUsage = view.dims[minUsageDims[k]].minUsage;
    bool anyReaches = false;
    double best = -1;
    for (const std::vector<double> *key : keys) {
      anyReaches |= (*key)[k] >= minUsage;
      best = std::max(best, (*key)[k]);
    }
    std::erase_if(keys, [&](const std::vector<double> *key) {
      return anyReaches ? (*key)[k] < minUsage : (*key)[k] < best;
    });
  }
  UsageKeys out;
  for (const std::vector<double> *key : keys)
    out.insert(*key);
  return out;
}

std::vector<PmappingRow> finishTemplate(const MapperProblem &problem,
                                        const EinsumView &view,
                                        std::vector<PartialMap> pieces,
                                        TemplateSearchStats &stats) {
  // Pieces are merged in order; each bucket is re-filtered in sequence
  // order below, so the result equals a single sequential search.
  PartialMap byUsage;
  for (PartialMap &piece : pieces)
    for (auto &[key, rows] : piece) {
      std::vector<PmappingRow> &bucket = byUsage[key];
      for (PmappingRow &r : rows)
        bucket.push_back(std::move(r));
    }
  // min_usage "try best", per constraint in order: keep the rows reaching
  // the minimum if any do, else the rows with the highest usage.
  UsageKeys present;
  for (const auto &[key, rows] : byUsage)
    if (!rows.empty())
      present.insert(key);
  UsageKeys kept = survivingKeys(view, present);
  std::vector<const std::vector<double> *> keys;
  for (const std::vector<double> &key : kept)
    keys.push_back(&key);
  std::vector<PmappingRow> rows;
  for (const std::vector<double> *key : keys)
    for (PmappingRow &r : byUsage[*key])
      rows.push_back(std::move(r));
  auto bySequence = [](const PmappingRow &a, const PmappingRow &b) {
    return a.sequence < b.sequence;
  };
  std::sort(rows.begin(), rows.end(), bySequence);
  ParetoFront front(problem.settings.metric);
  for (PmappingRow &r : rows)
    front.insert(std::move(r));
  std::vector<PmappingRow> out = front.take();
  std::sort(out.begin(), out.end(), bySequence);
  stats.pareto += out.size();
  return out;
}

std::vector<PmappingRow> searchTemplate(const MapperProblem &problem,
                                        const EinsumView &view,
                                        const Template &tpl,
                                        model::Evaluator &evaluator,
                                        uint32_t viewIndex, uint32_t templIndex,
                                        TemplateSearchStats &stats,
                                        const TemplateKernel *kernel) {
  std::optional<UsageKeys> allowed;
  if (problem.settings.minUsageShortcut && hasMinUsage(view))
    allowed = survivingKeys(view,
                            pieceUsageKeys(problem, view, tpl, evaluator, {}));
  std::vector<PartialMap> pieces;
  pieces.push_back(searchPiece(problem, view, tpl, evaluator, viewIndex,
                               templIndex, {}, 0, stats,
                               allowed ? &*allowed : nullptr, kernel));
  if (allowed) {
    // As map(): a surviving key left without a valid row means the model
    // rejected what the capacity and fanout checks accepted; search again
    // without the shortcut.
    UsageKeys present;
    for (const auto &[key, rows] : pieces[0])
      if (!rows.empty())
        present.insert(key);
    if (present != *allowed) {
      stats = {};
      pieces[0] = searchPiece(problem, view, tpl, evaluator, viewIndex,
                              templIndex, {}, 0, stats, nullptr, kernel);
    }
  }
  return finishTemplate(problem, view, std::move(pieces), stats);
}

} // namespace afc::mapper
