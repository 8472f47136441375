//===- TileShapes.cpp - tile-shape search of one template ------------------===//
//
// Depth-first enumeration of divisor chains, innermost loop first, with
// capacity and fanout pruning on optimistic (smallest feasible) outer tiles.
// One Search walks the tree of one piece in one SearchMode; what a leaf does
// (record its usage key, or cost it into its key's Pareto front) and which
// subtrees the min_usage shortcut cuts depend on the mode only. See
// TileShapes.h.
//
//===----------------------------------------------------------------------===//

#include "afc/mapper/TileShapes.h"

#include "afc/mapper/Fusion.h"

#include "afc/support/InternalError.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <optional>

namespace afc::mapper {

//===----------------------------------------------------------------------===//
// The search
//===----------------------------------------------------------------------===//

namespace {

constexpr int kNoLoop = -1;

struct Loop {
  uint32_t rankVariable = 0;
  bool spatial = false;
  int dimRule = -1;       ///< index into EinsumView::dims
  int inner = kNoLoop;    ///< next inner loop of the same rank variable
  int outer = kNoLoop;    ///< next outer loop of the same rank variable
  bool imperfect = false; ///< may take non-divisor tile shapes
};

/// A storage node with, per rank variable, the nearest loop above it.
struct Holder {
  uint32_t archNode = 0;
  uint32_t tensor = 0;
  double bits = 8;
  std::vector<int> tileLoop; ///< per rank variable; kNoLoop = full bound
  /// Set when each rank of the tensor is one rank variable (a matmul's):
  /// its tile is then the product of their tiles, in rank order.
  bool bare = false;
  std::vector<uint32_t> bareRankVariables;
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

/// The depth-first search of one piece of one template. Loops are visited
/// from the innermost (index n - 1) to the outermost (0); `tiles` holds the
/// current assignment and the pruning checks look at the assigned loops
/// [i + 1, n) only, with free outer loops at their smallest tiles. The mode
/// decides what a leaf does and whether subtrees are cut by usage key.
class Search {
public:
  Search(const MapperProblem &problem, const PieceRequest &request,
         model::Evaluator &evaluator)
      : problem(problem), view(request.view), tpl(request.tpl),
        evaluator(evaluator), mode(request.mode),
        surviving(request.survivingKeys), witnessed(request.witnessedKeys),
        kernel(request.kernel),
        deadline(request.deadline), cancel(request.cancel),
        optimumOnlyRequested(request.optimumOnly),
        probeLeaves(request.probeLeaves), viewIndex(request.viewIndex),
        templIndex(request.templIndex),
        jointMemories(request.jointMemories),
        knownMappings(request.knownMappings && !request.knownMappings->empty()
                          ? request.knownMappings
                          : nullptr) {
    AFC_INTERNAL_ASSERT((mode == SearchMode::CostSurvivingKeys) ==
                        (surviving != nullptr))
        << "surviving usage keys are given exactly when only they are costed";
    linkLoops();
    planCapacityChecks();
    markImperfectLoops();
    size_t nRv = view.rankVariables.size();
    tiles.assign(loops.size(), 1);
    maxTile.assign(nRv, 1);
    nodeUsage.assign(view.arch->nodes.size(), 0);
    for (size_t r = 0; r < nRv; ++r)
      divisorCache.push_back(divisors(view.bounds[r]));
    planPruning();
    // Rows found elsewhere may cut subtrees only where every costed row is
    // a candidate: the rows of usage keys min_usage drops are costed only
    // in CostAll, and the rule picks its keys after the search there (cut
    // rows could change its choice).
    const bool rowsAreCandidates =
        mode == SearchMode::CostSurvivingKeys ||
        (mode == SearchMode::CostAll && minUsageDims.empty());
    optimumOnly = optimumOnlyRequested && rowsAreCandidates;
    if (optimumOnly)
      bestMetric = request.incumbent;
    if (rowsAreCandidates && problem.settings.unfused && request.einsumRows &&
        !request.einsumRows->empty())
      einsumRows = request.einsumRows;
    planTileShapeChecks();
    if (!problem.settings.unfused) {
      fusion.emplace(problem, view);
      if (!fusion->anyFusable())
        fusion.reset();
    }
    planFusedLimits();
  }

  /// The usage keys of every feasible tile shape, found from the spatial
  /// loops' bounds alone; nullopt where that is not exact (see
  /// feasibleUsageKeys in TileShapes.h).
  std::optional<UsageKeys> keysFromSpatialBounds() {
    // The smallest completion may break a fused-loop limit that another
    // completion of the same spatial bounds keeps.
    if (exactFrom < 0 || problem.settings.tilingCoarseness > 1)
      return std::nullopt;
    std::vector<int> spatial;
    for (size_t i = 0; i < loops.size(); ++i) {
      if (loops[i].imperfect)
        return std::nullopt;
      if (loops[i].spatial) {
        if (loops[i].dimRule < 0)
          return std::nullopt;
        spatial.push_back(int(i));
      }
    }
    bounds.assign(loops.size(), 1);
    rankProduct.assign(view.rankVariables.size(), 1);
    dimProduct.assign(view.dims.size(), 1.0);
    UsageKeys keys;
    assignSpatialBounds(spatial, 0, keys);
    return keys;
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
      if (startAt(n))
        descend(n - 1);
      collecting = nullptr;
      if (out.size() >= minPieces)
        break;
    }
    stopAt = -1;
    return out;
  }

  /// Searches the completions of one prefix (every loop if it is empty).
  PieceResult run(std::span<const int64_t> prefix, uint64_t sequenceBase) {
    int n = int(loops.size());
    AFC_INTERNAL_ASSERT(prefix.size() <= loops.size())
        << "a prefix of " << prefix.size() << " tiles for " << n << " loops";
    int first = n - int(prefix.size());
    for (size_t k = 0; k < prefix.size(); ++k)
      tiles[size_t(first) + k] = prefix[k];
    std::fill(maxTile.begin(), maxTile.end(), 1);
    for (int i = n - 1; i >= first; --i)
      maxTile[loops[size_t(i)].rankVariable] = tiles[size_t(i)];
    sequence = sequenceBase;
    planBounds(first);
    if (startAt(first))
      descend(first - 1);
    return std::move(found);
  }

private:
  /// Loops and storage nodes of the template, innermost last; each loop
  /// linked to the next inner and outer loop of its rank variable.
  void linkLoops() {
    size_t nRv = view.rankVariables.size();
    std::vector<int> lastLoop(nRv, kNoLoop);
    for (const TemplateNode &n : tpl.nodes) {
      if (n.kind == TemplateNodeKind::Storage) {
        Holder h;
        h.archNode = n.archNode;
        h.tensor = n.tensor;
        h.bits = view.bitsPerValue[n.tensor][n.archNode];
        h.tileLoop = lastLoop;
        h.bare = true;
        for (const EinsumView::Rank &rank : view.ranks[n.tensor]) {
          h.bare &= rank.terms.size() == 1 && rank.constant == 0 &&
                    rank.terms[0].second == 1;
          if (rank.terms.size() == 1)
            h.bareRankVariables.push_back(rank.terms[0].first);
        }
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
  }

  /// What assigning each loop can change in the capacity and fanout checks,
  /// so that descend() re-checks only that: the holders whose tile reads the
  /// loop's tile (their nearest loop of its rank variable is this loop, or a
  /// free loop further out, which reads the same tile as its lower bound),
  /// their memories of finite size, and the fanout dimensions of the rank
  /// variable's spatial loops that are assigned with it. Everything else has
  /// the value the caller's check already accepted.
  void planCapacityChecks() {
    // An infinite size or fanout (or none, NaN) never fails a check.
    auto limits = [](double v) {
      return v < std::numeric_limits<double>::infinity();
    };
    // Nor does a memory that holds every tensor it keeps in full (a large
    // global buffer): occupancy never exceeds the full tensors', so its
    // check is left out of the walk and of the bounds' tile limits.
    const std::vector<int> untiled(view.rankVariables.size(), kNoLoop);
    std::vector<double> fullBits(view.arch->nodes.size(), 0.0);
    for (const Holder &h : holders)
      fullBits[h.archNode] += denseTile(h.tensor, untiled, 0) * h.bits;
    auto binds = [&](uint32_t node) {
      return limits(view.arch->nodes[node].size) &&
             fullBits[node] > view.arch->nodes[node].size;
    };
    holderBits.assign(holders.size(), 0.0);
    nodeHolders.assign(view.arch->nodes.size(), {});
    for (size_t h = 0; h < holders.size(); ++h)
      if (binds(holders[h].archNode))
        nodeHolders[holders[h].archNode].push_back(uint32_t(h));
    dimLoops.assign(view.dims.size(), {});
    for (size_t i = 0; i < loops.size(); ++i)
      if (loops[i].dimRule >= 0)
        dimLoops[size_t(loops[i].dimRule)].push_back(int(i));
    effects.assign(loops.size(), {});
    for (size_t i = 0; i < loops.size(); ++i) {
      const uint32_t r = loops[i].rankVariable;
      LoopEffect &e = effects[i];
      for (size_t h = 0; h < holders.size(); ++h) {
        const Holder &holder = holders[h];
        int above = holder.tileLoop[r];
        if (above == kNoLoop || above > int(i))
          continue;
        bool reads = false;
        for (const EinsumView::Rank &rank : view.ranks[holder.tensor])
          for (const auto &[rv, c] : rank.terms)
            reads |= rv == r;
        if (!reads || !binds(holder.archNode))
          continue;
        e.holders.push_back(uint32_t(h));
        if (std::find(e.nodes.begin(), e.nodes.end(), holder.archNode) ==
            e.nodes.end())
          e.nodes.push_back(holder.archNode);
      }
      for (size_t j = i; j < loops.size(); ++j) {
        const Loop &l = loops[j];
        if (l.dimRule < 0 || l.rankVariable != r ||
            !limits(view.dims[size_t(l.dimRule)].fanout) ||
            std::find(e.dims.begin(), e.dims.end(), uint32_t(l.dimRule)) !=
                e.dims.end())
          continue;
        e.dims.push_back(uint32_t(l.dimRule));
      }
      e.saved.resize(e.holders.size());
    }
  }

  void markImperfectLoops() {
    size_t nRv = view.rankVariables.size();
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
      l.imperfect =
          l.outer == kNoLoop && l.inner != kNoLoop && simple[l.rankVariable] &&
          (l.spatial ? problem.settings.exploreImperfectSpatialLoops
                     : problem.settings.exploreImperfectTemporalLoops);
  }

  /// Whether the fused-loop limits can reject some tile shapes of the
  /// template: it has more fused loops than they allow.
  void planFusedLimits() {
    fusedLoops = fusion ? int(fusion->fusedLoopCount(tpl)) : 0;
    std::vector<int> perRankVariable(view.rankVariables.size(), 0);
    int most = 0;
    for (int j = 0; j < fusedLoops; ++j)
      most = std::max(most, ++perRankVariable[loops[size_t(j)].rankVariable]);
    fusedLimitsBind =
        fusedLoops > problem.settings.maxFusedLoops ||
        most > problem.settings.maxFusedLoopsPerRankVariable;
  }

  /// The fused loops whose iteration count is known with loops [0, first)
  /// free stay within the limits. Counts only grow as outer loops are
  /// assigned, so a subtree breaking them has no valid leaf.
  bool fusedWithinLimits(int first) const {
    int total = 0;
    std::vector<int> perRankVariable(view.rankVariables.size(), 0);
    for (int j = std::max(first, 0); j < fusedLoops; ++j) {
      const Loop &l = loops[size_t(j)];
      if (l.outer != kNoLoop && l.outer < first)
        continue; // its outer tile, so whether it iterates, is not known
      if (tileAt(l.outer, l.rankVariable, first) == double(tiles[size_t(j)]))
        continue; // one iteration: no loop
      ++total;
      if (++perRankVariable[l.rankVariable] >
          problem.settings.maxFusedLoopsPerRankVariable)
        return false;
    }
    return total <= problem.settings.maxFusedLoops;
  }

  /// When usage keys become known and from which loop feasible() is exact.
  void planPruning() {
    minUsageDims = minUsageDimensions(view);
    // A dimension's usage is known once its spatial loops and their outer
    // loops are assigned, i.e. once the search reaches knownFrom. Loops over
    // a rank variable of size 1 iterate once wherever they are (a batch of
    // one), so they never delay it: without this, a transformer's `b` loop
    // at the top of the nest kept the usage unknown down to every leaf.
    int n = int(loops.size());
    for (size_t k = 0; k < minUsageDims.size(); ++k) {
      int from = n;
      for (int i = 0; i < n; ++i)
        if (loops[size_t(i)].dimRule == int(minUsageDims[k]) &&
            view.bounds[loops[size_t(i)].rankVariable] > 1) {
          from = std::min(from, i);
          if (loops[size_t(i)].outer != kNoLoop)
            from = std::min(from, loops[size_t(i)].outer);
        }
      knownFrom.push_back(from);
    }
    if (mode == SearchMode::CostSurvivingKeys)
      planKeyInstances();
    knownFromAll = knownFrom.empty()
                       ? n
                       : *std::min_element(knownFrom.begin(), knownFrom.end());
    usageBecomesKnown.assign(size_t(n) + 1, 0);
    for (int from : knownFrom)
      usageBecomesKnown[size_t(from)] = 1;
    // The spatial bounds a min_usage dimension may still take, and so the
    // usages within reach (someSurvivingKeyInReach), narrow when a spatial
    // loop of it, a loop inside one over the same rank variable (its tile
    // must be a multiple) or the loop outside one (which fixes its bound)
    // is assigned; loops further out change nothing. Imperfect tiles need
    // not divide the rank, so no divisor set bounds them.
    usageReachNarrows.assign(size_t(n) + 1, 0);
    bool divisorChains = true;
    for (const Loop &l : loops)
      divisorChains = divisorChains && !l.imperfect;
    for (size_t d : divisorChains ? minUsageDims : std::vector<size_t>())
      for (int s : dimLoops[d]) {
        const Loop &spatial = loops[size_t(s)];
        for (int i = s; i < n; ++i)
          if (loops[size_t(i)].rankVariable == spatial.rankVariable)
            usageReachNarrows[size_t(i)] = 1;
        if (spatial.outer != kNoLoop)
          usageReachNarrows[size_t(spatial.outer)] = 1;
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

  //===------------------------------------------------------------------===//
  // Bounds on partial tile shapes (mapper.md §4.5)
  //===------------------------------------------------------------------===//

  /// At descend(i), loops [0, i] are free. The kernel's PartialCostBounds
  /// bound the energy and latency of every completion from below; when a
  /// row already found is no worse than the bounds, it rejects every
  /// completion (fronts keep the first of equals), so the subtree is
  /// skipped (boundedOut says which fronts may reject). The fronts are the
  /// piece's own, so the walk is the same at any thread count.
  void planBounds(int first) {
    boundFrom = std::numeric_limits<int>::max();
    stagedFrom = first;
    boundsPending = false;
    if (!problem.settings.boundPruning || !kernel || !kernel->bounds ||
        (fusedLoops > 0 && !knownMappings) ||
        mode == SearchMode::CollectUsageKeys ||
        problem.settings.objectiveTolerance != 0 || loops.size() < 2)
      return;
    for (const Loop &l : loops)
      if (l.imperfect)
        return;
    // Without fused loops, every row of the template is in one Pareto group
    // (where it keeps the shared tensors) and reserves nothing another
    // Einsum sees: the bounds compare within that group.
    boundGroup.clear();
    if (fusion && fusedLoops == 0) {
      std::vector<double> resources;
      fusion->describe(tpl, tiles, fused, 0);
      fusion->paretoColumns(fused, boundGroup, resources, jointMemories);
      AFC_INTERNAL_ASSERT(resources.empty())
          << "a template without fused loops reserves nothing for the join";
    }
    boundsPending = true;
    // A template whose space is this large walks long enough in every
    // piece, and rows found elsewhere (a probe's) prune from the first
    // node: bound from there.
    if (countTileShapes(view, tpl) >= 1e7 || einsumRows ||
        bestMetric < kInfinity)
      startBounds(first - 1);
  }

  /// Starts bounding at descend(i): loops [i + 1, n) are assigned.
  void startBounds(int i) {
    boundsPending = false;
    std::vector<double> point;
    for (const model::PointValue &v : kernel->point)
      point.push_back(model::pointValue(*view.arch, v));
    std::vector<int> outerLoop, dimension;
    std::vector<double> rankBound;
    for (const Loop &l : loops) {
      outerLoop.push_back(l.outer == kNoLoop ? -1 : l.outer);
      rankBound.push_back(double(view.bounds[l.rankVariable]));
      dimension.push_back(l.spatial ? l.dimRule : -1);
    }
    costBounds = kernel->bounds(point, outerLoop, rankBound, dimension);
    if (!costBounds)
      return;
    planNodeHolders();
    tileLow.assign(loops.size(), 1.0);
    tileHigh.assign(loops.size(), 1.0);
    // limitFreeTiles sets the entries of finite fanouts at every check.
    fanoutLeft.assign(view.dims.size(), kInfinity);
    stateSize = costBounds->stateSize();
    levelCounts.assign(loops.size(), LevelCounts());
    // Slot j + 1 holds the state with loops [j + 1, n) assigned; the walk
    // stages each level as it assigns its loop (descend).
    boundState.assign((loops.size() + 1) * stateSize, 1.0);
    for (int j = int(loops.size()) - 1; j > i; --j)
      stageBounds(j);
    boundFrom = 0;
  }

  /// The bound state of level j - 1 from level j's, with loop j assigned.
  void stageBounds(int j) {
    costBounds->assign(unsigned(j), double(tiles[size_t(j)]),
                       boundStateAt(j + 1), boundStateAt(j));
  }
  /// Slot j of the bound states (the state may have no entries at all).
  double *boundStateAt(int slot) {
    return boundState.data() + size_t(slot) * stateSize;
  }

  /// A level where the bounds save less than they cost (they rarely prune,
  /// or its subtrees are cheap) is bounded only at every 32nd node, which
  /// keeps its counts current. A subtree's cost is the walk's work below
  /// it: nodes visited, bounds computed and leaves costed, in units of one
  /// visit (kBoundWork, kLeafWork), so that a level whose pruning saves the
  /// bounds of the levels below, not leaves, is bounded too. A bound costs
  /// a few visits' time, but weighing it more keeps the bounds where they
  /// prune most (measured on the conv bench: 32 beat 8). Counts, not
  /// clocks, decide: the walk is the same on every run.
  static constexpr uint64_t kBoundWork = 32, kLeafWork = 4;
  /// A probe's walk stops after this much work per leaf it is to cost.
  static constexpr uint64_t kProbeWorkPerLeaf = 64;
  bool worthBounding(int i) {
    LevelCounts &c = levelCounts[size_t(i)];
    bool sample = (c.visits++ & 31) == 0;
    if (c.checks >= 256 && !sample && c.nodes > 0 &&
        double(c.prunes) * double(c.work) <
            double(kBoundWork) * double(c.checks) * double(c.nodes))
      return false;
    ++c.checks;
    workDone += kBoundWork;
    return true;
  }
  struct LevelCounts {
    uint64_t visits = 0, checks = 0, prunes = 0;
    /// Nodes walked below the bound (not pruned) and the work under them.
    uint64_t nodes = 0, work = 0;
  };
  std::vector<LevelCounts> levelCounts;
  /// The Pareto group of every row of a bounded template (planBounds).
  ParetoGroup boundGroup;
  uint64_t leavesReached = 0;
  /// The walk's work so far, in visits (worthBounding).
  uint64_t workDone = 0;
  /// Adds a walked node's work to its level's counts.
  struct SubtreeCount {
    Search &s;
    LevelCounts *c;
    uint64_t before;
    ~SubtreeCount() {
      if (c) {
        ++c->nodes;
        c->work += s.workDone - before;
      }
    }
  };

  /// Whether every completion of the current partial (loops [0, i] free)
  /// is rejected by a front of rows found before.
  bool boundedOut(int i) {
    int first = i + 1;
    const ParetoFront *own = nullptr;
    if (mode == SearchMode::CostSurvivingKeys) {
      // The rows of all surviving keys end in one front per template
      // (finishTemplate), so a row of any key may reject the completions,
      // whose keys need not be known yet. But a surviving key neither this
      // piece nor a probe has a row for must keep its subtrees: a key left
      // without rows sends the template to the brute force (usageKeysLost).
      // Fronts never empty again, so once every key has a row that holds
      // for good.
      auto hasRow = [&](const std::vector<double> &k) {
        if (witnessed && witnessed->count(k))
          return true;
        auto it = found.rows.find(k);
        return it != found.rows.end() && !it->second.empty();
      };
      if (!everyKeyHasRows) {
        everyKeyHasRows = true;
        for (const std::vector<double> &k : *surviving)
          everyKeyHasRows = everyKeyHasRows && hasRow(k);
      }
      if (!everyKeyHasRows) {
        partialUsageKey(first);
        for (const std::vector<double> &k : *surviving) {
          bool agrees = true;
          for (size_t j = 0; j < k.size() && agrees; ++j)
            agrees = key[j] < 0 || key[j] == k[j];
          if (!agrees)
            continue;
          if (!hasRow(k))
            return false;
        }
      }
    } else {
      // Keys are chosen after the search: only the completions' own key's
      // front may reject them.
      for (int from : knownFrom)
        if (first > from)
          return false;
      usageKey(first);
      auto it = found.rows.find(key);
      if (it != found.rows.end())
        own = &it->second;
      else if (!optimumOnly && !einsumRows)
        return false;
    }
    int n = int(loops.size());
    for (int j = 0; j < n; ++j) {
      if (j > i) {
        tileLow[size_t(j)] = tileHigh[size_t(j)] = double(tiles[size_t(j)]);
      } else {
        uint32_t r = loops[size_t(j)].rankVariable;
        tileLow[size_t(j)] = double(maxTile[r]);
        tileHigh[size_t(j)] = double(view.bounds[r]);
      }
    }
    limitFreeTiles(i);
    const uint64_t shared = costBounds->newPoint();
    const double *state = boundStateAt(i + 1);
    const bool latencyFirst = problem.settings.metric == Metric::Latency;
    // Each bound is computed once: the whole-mapping test and the fronts'
    // may both read it. The cheap energy bound is tried first; the tight
    // one only where the cheap one rejects nothing and can differ.
    const PartialCostBounds::FreeTiles free{tileLow.data(), tileHigh.data(),
                                            fanoutLeft.data()};
    double known[2];
    bool computed[2] = {false, false}, energyTight = false;
    auto bound = [&](bool latency) {
      if (!computed[latency]) {
        known[latency] =
            latency ? costBounds->latencyBound(unsigned(i), state, free, shared)
                    : costBounds->energyBound(unsigned(i), state, free, shared);
        computed[latency] = true;
      }
      return known[latency];
    };
    auto tighten = [&] {
      if (energyTight || !costBounds->tighterEnergyBoundAt(unsigned(i)))
        return false;
      energyTight = true;
      double tight =
          costBounds->tightEnergyBound(unsigned(i), state, free, shared);
      if (!(tight > bound(false)))
        return false;
      known[0] = tight;
      return true;
    };
    // A whole mapping with less energy and less latency than every
    // completion, whatever the other Einsums cost, beats any mapping that
    // takes one of them: they can be neither the optimum nor on its front.
    // That holds in every Pareto group, so templates with fused loops are
    // bounded this way too. Unfused, a probe's row of the same Einsum with
    // less energy and no more latency keeps every completion off the
    // Einsum's front.
    if (knownMappings || einsumRows) {
      do {
        if (knownMappings &&
            strictlyBeaten(*knownMappings, bound(false), bound(true))) {
          ++found.stats.bounded;
          ++found.stats.boundedByWholeMappings;
          return true;
        }
        if (einsumRows &&
            beatenInEnergy(*einsumRows, bound(false), bound(true))) {
          ++found.stats.bounded;
          return true;
        }
      } while (tighten());
      if (knownMappings && fusedLoops > 0)
        return false;
    }
    // Whether `test` holds for a front that may reject.
    auto anyFront = [&](auto test) {
      if (own)
        return test(*own);
      if (mode != SearchMode::CostSurvivingKeys)
        return false; // the completions' key has no front yet
      for (const auto &[k, front] : found.rows)
        if (test(front))
          return true;
      return false;
    };
    do {
      // Only the optimum matters: a completion whose metric exceeds a row's
      // is not it (bounds below 0 say nothing).
      if (optimumOnly && bestMetric < kInfinity &&
          metricValue(problem.settings.metric, std::max(bound(false), 0.0),
                      std::max(bound(true), 0.0)) > bestMetric) {
        ++found.stats.bounded;
        return true;
      }
      // The metric's first objective first: a front can reject only if one
      // of its rows is no worse there, and the second bound is then often
      // not needed.
      double firstBound = bound(latencyFirst);
      if (!anyFront([&](const ParetoFront &f) {
            return f.anyFirstObjectiveAtMost(firstBound);
          }))
        continue;
      struct {
        double energy, latency;
      } b{bound(false), bound(true)};
      double obj[2] = {0, 0}; // objectives() sets both
      objectives(problem.settings.metric, b, obj);
      if (anyFront([&](const ParetoFront &f) {
            return !f.wouldKeep(obj, boundGroup);
          })) {
        ++found.stats.bounded;
        return true;
      }
    } while (tighten());
    return false;
  }

  /// With loops [0, i] free, narrows the box [tileLow, tileHigh] of the
  /// free tiles to what feasible completions can take, since the bounds
  /// read the box's corners (reuse terms the largest tiles, latencies the
  /// most parallel spatial loops):
  /// - capacity: a free tile is at most the largest whose footprint fits
  ///   the memories it fills with every other free tile at its least
  ///   (footprints only grow with tiles);
  /// - fanout: a dimension's spatial loops use at most its fanout, so the
  ///   tile a spatial loop splits is at most the fanout left by the other
  ///   loops times the loop's own tile, and under a full rank the loop's
  ///   tile is at least the rank over that fanout;
  /// - a tile divides the next one out over its rank variable and is one
  ///   of the rank's divisors.
  void limitFreeTiles(int i) {
    const int firstAssigned = i + 1;
    auto validAtMost = [&](uint32_t r, double v) {
      const std::vector<int64_t> &ts = multiplesOf(r, maxTile[r]);
      auto at = std::upper_bound(ts.begin(), ts.end(), int64_t(v + 1e-9));
      return at == ts.begin() ? double(ts.front()) : double(*(at - 1));
    };
    for (int j = 0; j <= i; ++j) {
      const uint32_t r = loops[size_t(j)].rankVariable;
      const LoopEffect &e = effects[size_t(j)];
      if (e.nodes.empty() || !(tileHigh[size_t(j)] > double(maxTile[r])))
        continue;
      // Each memory's occupancy is affine in the tile (A + B t) when the
      // tile's rank variable indexes one rank of each tensor there: the
      // largest tile that fits is then (size - A) / B. Footprints of
      // tensors indexing it in several ranks grow faster: those memories
      // are left out (the limit stays valid, only looser).
      double most = std::numeric_limits<double>::infinity();
      for (size_t k = 0; k < e.nodes.size(); ++k) {
        double a = 0, b = 0;
        for (uint32_t h : e.otherHolders[k])
          a += holderBits[h];
        bool affine = true;
        for (uint32_t h : e.ownHolders[k]) {
          auto [alpha, beta] = footprintInTile(holders[h], firstAssigned, r);
          if (beta < 0) {
            affine = false;
            break;
          }
          a += alpha * holders[h].bits;
          b += beta * holders[h].bits;
        }
        if (affine && b > 0)
          most = std::min(most, (view.arch->nodes[e.nodes[k]].size - a) / b);
      }
      // Rounding may put `most` a hair below a tile that fits exactly.
      if (most < tileHigh[size_t(j)])
        tileHigh[size_t(j)] = validAtMost(r, most * (1 + 1e-9));
    }
    for (size_t d = 0; d < view.dims.size(); ++d) {
      const double fanout = view.dims[d].fanout;
      if (!(fanout < std::numeric_limits<double>::infinity()))
        continue;
      const std::vector<int> &spatial = dimLoops[d];
      // The least use of the dimension by each loop: its split when both
      // tiles are known, else 1.
      double known = 1;
      for (int k : spatial) {
        const Loop &l = loops[size_t(k)];
        if (k > i && (l.outer == kNoLoop || l.outer > i))
          known *= tileAt(l.outer, l.rankVariable, firstAssigned) /
                   double(tiles[size_t(k)]);
      }
      fanoutLeft[d] = fanout / known;
      for (int k : spatial) {
        const Loop &l = loops[size_t(k)];
        const uint32_t r = l.rankVariable;
        bool outerFree = l.outer != kNoLoop && l.outer <= i;
        if (k > i && !outerFree)
          continue; // its split is in `known`
        // This loop may use what the others leave.
        const double left = fanoutLeft[d];
        if (outerFree) {
          double high = tileHigh[size_t(k)] * left;
          size_t o = size_t(l.outer);
          if (high < tileHigh[o]) // else the valid tiles below high hold it
            tileHigh[o] = std::min(tileHigh[o], validAtMost(r, high));
        } else if (l.outer == kNoLoop) {
          // k is free: its tile splits the whole rank.
          double least = double(view.bounds[r]) / left;
          const std::vector<int64_t> &ts = multiplesOf(r, maxTile[r]);
          auto at = std::lower_bound(ts.begin(), ts.end(),
                                     int64_t(std::ceil(least - 1e-9)));
          if (at != ts.end())
            tileLow[size_t(k)] = std::max(tileLow[size_t(k)], double(*at));
        }
      }
    }
    for (int j = 0; j <= i; ++j) {
      const Loop &l = loops[size_t(j)];
      if (l.outer != kNoLoop)
        tileHigh[size_t(j)] =
            std::min(tileHigh[size_t(j)], tileHigh[size_t(l.outer)]);
      tileHigh[size_t(j)] = std::max(tileHigh[size_t(j)], tileLow[size_t(j)]);
    }
  }
  /// A holder's footprint (values) as alpha + beta t in the tile t of its
  /// free rank variable r, other tiles as holderTile takes them; beta < 0
  /// when it is not affine (r indexes several of its ranks).
  std::pair<double, double> footprintInTile(const Holder &h, int firstAssigned,
                                            uint32_t r) const {
    double alpha = 1, beta = 0;
    bool seen = false;
    for (const EinsumView::Rank &rank : view.ranks[h.tensor]) {
      // This rank's extent, u + v t.
      double u = double(rank.constant) + 1, v = 0;
      for (const auto &[rv, c] : rank.terms) {
        if (rv == r) {
          u -= double(c);
          v += double(c);
        } else {
          u += double(c) * (tileAt(h.tileLoop[rv], rv, firstAssigned) - 1);
        }
      }
      if (v != 0) {
        if (seen)
          return {0, -1};
        seen = true;
        beta = alpha * v;
        alpha *= u;
      } else {
        alpha *= u;
        beta *= u;
      }
    }
    return {alpha, beta};
  }

  std::shared_ptr<const PartialCostBounds> costBounds;
  std::vector<double> tileLow, tileHigh, boundState;
  /// Per fanout dimension, what its splits with a free outer tile may
  /// multiply to (limitFreeTiles; PartialCostBounds::FreeTiles).
  std::vector<double> fanoutLeft;
  size_t stateSize = 0;
  int boundFrom = std::numeric_limits<int>::max();
  /// Loops [stagedFrom, n) were assigned before the walk (the prefix).
  int stagedFrom = 0;
  bool boundsPending = false;
  bool everyKeyHasRows = false;

  const MapperProblem &problem;
  const EinsumView &view;
  const Template &tpl;
  model::Evaluator &evaluator;
  const SearchMode mode;
  const UsageKeys *surviving; ///< CostSurvivingKeys
  const UsageKeys *witnessed; ///< PieceRequest::witnessedKeys (or null)
  const TemplateKernel *kernel;
  const std::optional<std::chrono::steady_clock::time_point> deadline;
  const std::atomic<bool> *cancel;
  /// Nodes visited since the clock was last read. The first node reads
  /// it: a search of many pieces, each walking fewer nodes than the
  /// interval, must still see its deadline.
  uint32_t sinceClock = (1u << 16) - 1;

  /// Whether the walk must stop: the deadline passed or the search was
  /// cancelled (both are read every 64 Ki nodes, a few milliseconds of
  /// search).
  bool outOfTime() {
    if (found.stopped || probeFull)
      return true;
    if ((!deadline && !cancel) || ++sinceClock < (1u << 16))
      return false;
    sinceClock = 0;
    found.stopped = (cancel && cancel->load(std::memory_order_relaxed)) ||
                    (deadline && std::chrono::steady_clock::now() > *deadline);
    return found.stopped;
  }
  /// PieceRequest::optimumOnly and einsumRows, where every costed row is
  /// a candidate (see the constructor).
  const bool optimumOnlyRequested;
  const std::vector<std::pair<double, double>> *einsumRows = nullptr;
  bool optimumOnly = false;
  /// The least metric of a row found so far (optimumOnly).
  double bestMetric = kInfinity;
  /// PieceRequest::probeLeaves; probeFull once that many leaves are costed.
  const uint64_t probeLeaves;
  bool probeFull = false;
  static constexpr double kInfinity = std::numeric_limits<double>::infinity();
  /// Built on the first costed leaf: splitting and collecting keys never
  /// cost anything.
  std::optional<TemplateCost> cost;
  uint32_t viewIndex, templIndex;
  PieceResult found;

  std::vector<Loop> loops;
  std::vector<Holder> holders;
  std::vector<int64_t> tiles;
  /// Per rank variable: tile of its outermost assigned loop (a lower bound
  /// on every unassigned outer tile).
  std::vector<int64_t> maxTile;
  std::vector<double> nodeUsage;
  /// feasibleStep(): per holder its occupancy (bits) at the current depth;
  /// per memory of finite size its holders; per loop what it changes.
  std::vector<double> holderBits;
  std::vector<std::vector<uint32_t>> nodeHolders;
  struct LoopEffect {
    std::vector<uint32_t> holders, nodes, dims;
    std::vector<double> saved; ///< holderBits of `holders` on entry
    /// Per node of `nodes`, its holders that are not in `holders` and
    /// those that are (planNodeHolders: only searches that bound use them).
    std::vector<std::vector<uint32_t>> otherHolders, ownHolders;
  };
  bool nodeHoldersPlanned = false;
  void planNodeHolders() {
    if (nodeHoldersPlanned)
      return;
    nodeHoldersPlanned = true;
    for (LoopEffect &e : effects) {
      for (uint32_t node : e.nodes) {
        e.ownHolders.emplace_back();
        e.otherHolders.emplace_back();
        for (uint32_t h : nodeHolders[node])
          (std::find(e.holders.begin(), e.holders.end(), h) != e.holders.end()
               ? e.ownHolders
               : e.otherHolders)
              .back()
              .push_back(h);
      }
    }
  }
  std::vector<LoopEffect> effects;
  /// Per fanout dimension its spatial loops, outermost first.
  std::vector<std::vector<int>> dimLoops;
  std::vector<std::vector<int64_t>> divisorCache;
  /// Per rank variable and inner tile: imperfectTiles (built on first use).
  std::vector<std::map<int64_t, std::vector<int64_t>>> imperfectCache;

  /// Per rank variable and divisor (by its index in divisorCache): the
  /// divisors it divides, ascending, built on first use. Only the outermost
  /// loop of a rank variable may be imperfect, so every inner tile is a
  /// divisor of the rank.
  std::vector<std::vector<std::vector<int64_t>>> multiplesCache;

  const std::vector<int64_t> &multiplesOf(uint32_t r, int64_t inner) {
    const std::vector<int64_t> &all = divisorCache[r];
    auto at = std::lower_bound(all.begin(), all.end(), inner);
    AFC_INTERNAL_ASSERT(at != all.end() && *at == inner)
        << "inner tile " << inner << " does not divide the rank's "
        << view.bounds[r];
    if (multiplesCache.empty())
      multiplesCache.resize(view.rankVariables.size());
    std::vector<std::vector<int64_t>> &perDivisor = multiplesCache[r];
    if (perDivisor.empty())
      perDivisor.resize(all.size());
    std::vector<int64_t> &out = perDivisor[size_t(at - all.begin())];
    if (out.empty())
      for (auto d = at; d != all.end(); ++d)
        if (*d % inner == 0)
          out.push_back(*d);
    return out;
  }

  const std::vector<int64_t> &imperfectCandidates(uint32_t r, int64_t inner) {
    if (imperfectCache.empty())
      imperfectCache.resize(view.rankVariables.size());
    auto [it, fresh] = imperfectCache[r].try_emplace(inner);
    if (fresh)
      it->second = imperfectTiles(view.bounds[r], inner);
    return it->second;
  }
  std::vector<size_t> minUsageDims;
  /// Set when the Einsum shares tensors and fusion is searched: rows then
  /// carry their compatibility group and reservations (Fusion.h).
  std::optional<FusionLayout> fusion;
  const std::vector<std::string> *jointMemories;
  /// PieceRequest::knownMappings; null when there are none.
  const std::vector<std::pair<double, double>> *knownMappings;
  PmappingFusion fused;
  PmappingRow candidate;
  /// Loops [0, fusedLoops) are fused; fusedLimitsBind: planFusedLimits.
  int fusedLoops = 0;
  bool fusedLimitsBind = false;
  model::Result scratch;
  uint64_t sequence = 0;
  std::vector<double> key;
  std::vector<int> knownFrom; ///< per min_usage dimension
  int exactFrom = 0;
  /// While collecting prefixes: stop below this loop index.
  int stopAt = -1;
  std::vector<std::vector<int64_t>> *collecting = nullptr;

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

  /// denseTile of a holder. For a bare one the tiles are multiplied
  /// directly: denseTile computes ((t - 1) + 1) for each, the same whole
  /// number, so both give the same double; the walk does this for every
  /// node, so the shortcut matters.
  double holderTile(const Holder &h, int firstAssigned) const {
    if (!h.bare)
      return denseTile(h.tensor, h.tileLoop, firstAssigned);
    double v = 1;
    for (uint32_t r : h.bareRankVariables)
      v *= tileAt(h.tileLoop[r], r, firstAssigned);
    return v;
  }

  /// Starts a walk with loops [first, n) assigned: the holders' occupancies
  /// for feasibleStep(), and the check every later one builds on. Occupancy
  /// and fanout only grow from here, so when it fails no tile shape below
  /// passes.
  bool startAt(int first) {
    if (tileShapesImpossible)
      return false;
    for (size_t h = 0; h < holders.size(); ++h)
      holderBits[h] =
          holderTile(holders[h], first) *
          holders[h].bits;
    return loops.empty() || feasible(first);
  }

  /// feasible(i), given that feasible(i + 1) held for the same tiles of
  /// loops (i, n): only what assigning loop i changes is recomputed. A
  /// memory's occupancy is summed over its holders in the order feasible()
  /// sums them, so both see the same doubles.
  bool feasibleStep(int i) {
    const LoopEffect &e = effects[size_t(i)];
    for (uint32_t h : e.holders)
      holderBits[h] =
          holderTile(holders[h], i) *
          holders[h].bits;
    for (uint32_t n : e.nodes) {
      double used = 0;
      for (uint32_t h : nodeHolders[n])
        used += holderBits[h];
      if (used > view.arch->nodes[n].size)
        return false;
    }
    for (uint32_t d : e.dims)
      if (dimUsed(d, i) > view.dims[d].fanout)
        return false;
    return true;
  }

  /// Capacity and fanout with unassigned outer tiles at their minimum.
  bool feasible(int firstAssigned) {
    std::fill(nodeUsage.begin(), nodeUsage.end(), 0.0);
    for (const Holder &h : holders)
      nodeUsage[h.archNode] +=
          holderTile(h, firstAssigned) * h.bits;
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
    const std::vector<int> &spatial = dimLoops[d];
    for (auto it = std::lower_bound(spatial.begin(), spatial.end(),
                                    firstAssigned);
         it != spatial.end(); ++it) {
      const int i = *it;
      const Loop &l = loops[size_t(i)];
      double outer = tileAt(l.outer, l.rankVariable, firstAssigned);
      used *= outer / double(tiles[size_t(i)]);
    }
    return used;
  }

  /// The usage key of the current tile shapes, with loops [0, first) free.
  void usageKey(int first) {
    key.clear();
    for (size_t d : minUsageDims)
      key.push_back(dimensionUsage(view.dims[d], dimUsed(d, first)));
  }
  /// usageKey with -1 for the usages loops [0, first) still decide.
  void partialUsageKey(int first) {
    key.assign(minUsageDims.size(), -1.0);
    for (size_t j = 0; j < minUsageDims.size(); ++j)
      if (first <= knownFrom[j])
        key[j] = dimensionUsage(view.dims[minUsageDims[j]],
                                dimUsed(minUsageDims[j], first));
  }

  /// Usage keys fixed by the assigned loops [i + 1, n): CollectUsageKeys
  /// records the key if the smallest completion is feasible (it is:
  /// feasible() held); CostSurvivingKeys stops when no surviving key agrees
  /// with the known usages.
  bool usageShortcut(int i) {
    int first = i + 1;
    if (mode == SearchMode::CollectUsageKeys) {
      for (int from : knownFrom)
        if (first > from)
          return false;
      usageKey(first);
      // Every completion has this key: one already recorded can add
      // nothing new, so the subtree is skipped.
      if (found.keys.count(key))
        return true;
      // Otherwise, when the smallest completion decides feasibility, test
      // it; else search on, and the first feasible leaf records the key
      // (after which the rest of the subtree is skipped here).
      if (first > exactFrom)
        return false;
      // Callers checked every assignment but the empty one.
      if (feasible(first))
        found.keys.insert(key);
      return true;
    }
    if (mode != SearchMode::CostSurvivingKeys || i < 0)
      return false;
    // Before the usages are known, a subtree whose spatial bounds can no
    // longer make any surviving usage has no leaf that min_usage keeps
    // (the leaves would be dropped one by one).
    if (usageReachNarrows[size_t(first)] && first > knownFromAll &&
        !someSurvivingKeyInReach(first)) {
      ++found.stats.outOfUsageReach;
      return true;
    }
    // Usages become known at the loops in knownFrom and never change below:
    // elsewhere the answer is the caller's, which was to search on.
    if (usageChecked && !usageBecomesKnown[size_t(first)])
      return false;
    usageChecked = true;
    if (surviving->empty())
      return true; // nothing survives min_usage
    bool anyKnown = false;
    partialUsageKey(first); // -1: not known yet
    for (size_t j = 0; j < minUsageDims.size(); ++j)
      anyKnown = anyKnown || first <= knownFrom[j];
    if (!anyKnown)
      return false;
    for (const std::vector<double> &k : *surviving) {
      bool agrees = true;
      for (size_t j = 0; j < k.size() && agrees; ++j)
        agrees = key[j] < 0 || key[j] == k[j];
      if (agrees) {
        // Every usage known and agreeing: the key of every leaf below.
        leafKeyKnown = std::find(key.begin(), key.end(), -1.0) == key.end();
        return false;
      }
    }
    return true;
  }

  /// Whether some surviving key is within reach of the completions of the
  /// assigned loops [first, n), dimension by dimension. A spatial loop's
  /// bound is its outer loop's tile over its own: fixed once both are
  /// assigned, else any divisor of what its rank variable leaves (its size
  /// over the assigned tile it must be a multiple of). A dimension can use
  /// c instances exactly when the fixed bounds' product P divides c and
  /// c / P divides the product of what the free loops leave (each prime's
  /// exponent splits freely among them). A key out of reach in one
  /// dimension is out of reach. Capacity and the coupling of loops over one
  /// rank variable are ignored, so "in reach" may still have no leaf; "out
  /// of reach" never has one.
  bool someSurvivingKeyInReach(int first) {
    fixedProduct.assign(minUsageDims.size(), 1);
    freeLeaves.resize(minUsageDims.size());
    for (size_t j = 0; j < minUsageDims.size(); ++j) {
      freeLeaves[j].clear();
      for (int s : dimLoops[minUsageDims[j]]) {
        const Loop &l = loops[size_t(s)];
        const uint32_t r = l.rankVariable;
        const int64_t rank = view.bounds[r];
        if (s < first)
          freeLeaves[j].push_back(rank / maxTile[r]);
        else if (l.outer == kNoLoop)
          fixedProduct[j] *= rank / tiles[size_t(s)];
        else if (l.outer >= first)
          fixedProduct[j] *= tiles[size_t(l.outer)] / tiles[size_t(s)];
        else
          freeLeaves[j].push_back(rank / tiles[size_t(s)]);
      }
    }
    for (const std::vector<int64_t> &counts : keyInstances) {
      bool inReach = true;
      for (size_t j = 0; j < counts.size() && inReach; ++j) {
        int64_t c = counts[j];
        inReach = c > 0 && c % fixedProduct[j] == 0;
        if (!inReach)
          break;
        c /= fixedProduct[j];
        for (int64_t left : freeLeaves[j])
          c /= std::gcd(c, left);
        inReach = c == 1;
      }
      if (inReach)
        return true;
    }
    return false;
  }
  /// Per surviving key, per min_usage dimension, the instance count whose
  /// usage it is (-1: none is).
  void planKeyInstances() {
    for (const std::vector<double> &k : *surviving) {
      std::vector<int64_t> counts;
      for (size_t j = 0; j < minUsageDims.size(); ++j) {
        const EinsumView::DimRule &dim = view.dims[minUsageDims[j]];
        // Keys are usages of whole instance counts: invert and check.
        const double guess =
            std::round(k[j] / dim.usageScale * dim.fanout);
        int64_t count = -1;
        for (double p : {guess, guess - 1, guess + 1})
          if (count < 0 && p >= 1 && p < 9.0e15 &&
              dimensionUsage(dim, p) == k[j])
            count = int64_t(p);
        counts.push_back(count);
      }
      keyInstances.push_back(std::move(counts));
    }
  }
  std::vector<std::vector<int64_t>> keyInstances;
  std::vector<int64_t> fixedProduct;
  std::vector<std::vector<int64_t>> freeLeaves;
  /// Per value of `first`: whether loop `first`, just assigned, narrows
  /// the spatial bounds of a min_usage dimension.
  std::vector<uint8_t> usageReachNarrows;
  /// The first loop from which every usage is known (the least knownFrom).
  int knownFromAll = 0;

  /// CostSurvivingKeys: whether usageShortcut() decided anything yet in
  /// this walk, and per value of `first` whether a usage becomes known
  /// there. leafKeyKnown: `key` is the surviving key of every leaf below
  /// the last level that decided.
  bool usageChecked = false;
  bool leafKeyKnown = false;
  std::vector<uint8_t> usageBecomesKnown;

  // keysFromSpatialBounds: per loop its bound, per rank variable and per
  // spatial dimension the product of the spatial bounds assigned so far.
  std::vector<int64_t> bounds, rankProduct;
  std::vector<double> dimProduct;

  /// Enumerates the bounds of spatial loops [k, end): divisors of the rank
  /// whose product per rank divides it, and per dimension stays within the
  /// fanout (products only grow, and divisors ascend). Each complete
  /// assignment is checked on its smallest completion.
  void assignSpatialBounds(const std::vector<int> &spatial, size_t k,
                           UsageKeys &keys) {
    if (k == spatial.size()) {
      if (someCompletionFits()) {
        usageKey(0);
        keys.insert(key);
      }
      return;
    }
    const int i = spatial[k];
    const Loop &l = loops[size_t(i)];
    const uint32_t r = l.rankVariable;
    const double fanout = view.dims[size_t(l.dimRule)].fanout;
    for (int64_t d : divisorCache[r]) {
      if (dimProduct[size_t(l.dimRule)] * double(d) > fanout)
        break;
      if (view.bounds[r] % (rankProduct[r] * d) != 0)
        continue;
      bounds[size_t(i)] = d;
      rankProduct[r] *= d;
      dimProduct[size_t(l.dimRule)] *= double(d);
      assignSpatialBounds(spatial, k + 1, keys);
      dimProduct[size_t(l.dimRule)] /= double(d);
      rankProduct[r] /= d;
    }
    bounds[size_t(i)] = 1;
  }

  /// Whether some completion of the spatial bounds is feasible. Without
  /// fused-loop limits the smallest completion decides. With them, the
  /// completions split by which rank variables iterate a fused loop: for
  /// those, the smallest completion is the unconstrained one; for the
  /// others, the fused loops iterate once and the outermost unfused
  /// temporal loop takes the rest. Each class's smallest completion decides
  /// for the class, and only classes within the limits count.
  bool someCompletionFits() {
    if (!fusedLimitsBind)
      return smallestCompletion(nullptr) && feasible(0);
    std::vector<uint32_t> candidates;
    for (uint32_t r = 0; r < view.rankVariables.size(); ++r) {
      bool hasFused = false;
      for (int j = 0; j < fusedLoops; ++j)
        hasFused |= loops[size_t(j)].rankVariable == r;
      if (hasFused && view.bounds[r] / rankProduct[r] > 1)
        candidates.push_back(r);
    }
    const int limit = problem.settings.maxFusedLoopsPerRankVariable > 0
                          ? problem.settings.maxFusedLoops
                          : 0;
    std::vector<uint8_t> stayOnce(view.rankVariables.size(), 0);
    for (uint32_t subset = 0; subset < (1u << candidates.size()); ++subset) {
      if (std::popcount(subset) > limit)
        continue;
      for (size_t c = 0; c < candidates.size(); ++c)
        stayOnce[candidates[c]] = !(subset >> c & 1);
      if (smallestCompletion(&stayOnce) && feasible(0))
        return true;
    }
    return false;
  }

  /// Tiles of the smallest completion of the spatial bounds: per rank
  /// variable, its outermost temporal loop takes what the spatial loops
  /// leave and every other temporal loop iterates once, which makes every
  /// tile (so every occupancy) as small as any completion's. For rank
  /// variables marked in `stayOnce`, fused loops iterate once and the rest
  /// goes to the outermost unfused temporal loop. False when no temporal
  /// loop can take the rest.
  bool smallestCompletion(const std::vector<uint8_t> *stayOnce) {
    for (size_t i = 0; i < loops.size(); ++i) {
      const Loop &l = loops[i];
      if (l.outer != kNoLoop)
        continue; // start each chain at its outermost loop
      const uint32_t r = l.rankVariable;
      const int64_t rest = view.bounds[r] / rankProduct[r];
      int takesRest = kNoLoop, innermost = int(i);
      const bool once = stayOnce && (*stayOnce)[r];
      for (int j = int(i); j != kNoLoop; j = loops[size_t(j)].inner) {
        innermost = j;
        if (once && j < fusedLoops) {
          bounds[size_t(j)] = 1;
          continue;
        }
        if (!loops[size_t(j)].spatial) {
          bounds[size_t(j)] = takesRest == kNoLoop ? rest : 1;
          if (takesRest == kNoLoop)
            takesRest = j;
        }
      }
      if (takesRest == kNoLoop && rest != 1)
        return false;
      tiles[size_t(innermost)] = 1;
      for (int j = innermost; loops[size_t(j)].outer != kNoLoop;
           j = loops[size_t(j)].outer)
        tiles[size_t(loops[size_t(j)].outer)] =
            tiles[size_t(j)] * bounds[size_t(j)];
    }
    return true;
  }

  void descend(int i) {
    if (outOfTime())
      return;
    // A probe's walk is short in work too: where its bounds prune most
    // leaves it would otherwise walk its whole piece to cost a few.
    if (++workDone > probeLeaves * kProbeWorkPerLeaf && probeLeaves > 0) {
      probeFull = true;
      return;
    }
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
    // Bounds pay off on large walks only (MapperSettings::boundAfterLeaves;
    // a point of the seed sweep costs a few thousand leaves per template).
    // The count, not a clock, decides when they start.
    if (boundsPending &&
        leavesReached >= problem.settings.boundAfterLeaves)
      startBounds(i);
    else if (i >= boundFrom && i + 1 < stagedFrom)
      stageBounds(i + 1);
    if (i >= boundFrom && i + 1 < int(loops.size())) {
      if (worthBounding(i) && boundedOut(i)) {
        ++levelCounts[size_t(i)].prunes;
        return;
      }
    }
    SubtreeCount counted{
        *this, i >= boundFrom ? &levelCounts[size_t(i)] : nullptr,
        workDone};
    Loop &l = loops[size_t(i)];
    uint32_t r = l.rankVariable;
    int64_t saved = maxTile[r];
    if (l.inner == kNoLoop || view.bounds[r] == 1) {
      // The innermost loop of a rank variable has tile 1 and no loop of its
      // rank variable was assigned before it, so every tile the checks read
      // is what it was with the loop free: the caller's check holds. Over a
      // rank variable of size 1 (a batch of one) every tile is 1 wherever
      // the loop sits, so nothing changes either, and the transformers'
      // outermost loop stops costing a capacity check per leaf.
      tiles[size_t(i)] = 1;
      maxTile[r] = 1;
      if (!hasTileChecks || tileShapeVerdict(i) == TileVerdict::Holds)
        descend(i - 1);
      maxTile[r] = saved;
      return;
    }
    LoopEffect &effect = effects[size_t(i)];
    for (size_t k = 0; k < effect.holders.size(); ++k)
      effect.saved[k] = holderBits[effect.holders[k]];
    int64_t inner = tiles[size_t(l.inner)];
    const std::vector<int64_t> &candidates =
        l.imperfect ? imperfectCandidates(r, inner) : multiplesOf(r, inner);
    const double coarseness = problem.settings.tilingCoarseness;
    int64_t lastAdmitted = 0;
    // A probe tries the largest tiles first (the most reuse in the inner
    // memories, where good rows tend to be), so it cannot stop the scan
    // at the first value too large.
    const bool largestFirst = probeLeaves > 0;
    const size_t count = candidates.size();
    for (size_t c = 0; c < count; ++c) {
      const int64_t d = candidates[largestFirst ? count - 1 - c : c];
      if (coarseness > 1 && lastAdmitted && d != view.bounds[r] &&
          double(d) < coarseness * double(lastAdmitted))
        continue;
      lastAdmitted = d;
      tiles[size_t(i)] = d;
      maxTile[r] = d;
      if (hasTileChecks) {
        TileVerdict v = tileShapeVerdict(i);
        if (v == TileVerdict::FailsFromHere && !largestFirst)
          break;
        if (v != TileVerdict::Holds)
          continue;
      }
      // Occupancy, and the fanout of loops inside this one, only grow with
      // this tile, so the first infeasible value ends the scan. The
      // exception is a spatial loop directly under the full rank: its own
      // fanout (bound / tile) shrinks as its tile grows.
      if (feasibleStep(i)) {
        if (!fusedLimitsBind || fusedWithinLimits(i))
          descend(i - 1);
      } else if (!largestFirst && !(l.spatial && l.outer == kNoLoop)) {
        break;
      }
    }
    for (size_t k = 0; k < effect.holders.size(); ++k)
      holderBits[effect.holders[k]] = effect.saved[k];
    maxTile[r] = saved;
  }

  void leaf() {
    ++leavesReached;
    workDone += kLeafWork;
    // Loop-bound comparisons other than "== 1" (those loops do not exist).
    for (size_t d = 0; d < view.dims.size(); ++d)
      for (const LoopBoundComparison &c : view.dims[d].loopBounds)
        if (!boundsSatisfy(d, c))
          return;
    if (!spatialLoopsWithinLimit())
      return;
    if (mode == SearchMode::CollectUsageKeys) {
      usageKey(0);
      found.keys.insert(key);
      return;
    }
    if (mode != SearchMode::CostSurvivingKeys || !leafKeyKnown) {
      usageKey(0);
      if (mode == SearchMode::CostSurvivingKeys && !surviving->count(key))
        return; // min_usage drops it whatever its cost
    }
    // `candidate` keeps its columns' storage from leaf to leaf: most rows
    // are dropped by the front, and only the kept ones are copied out.
    PmappingRow &row = candidate;
    if (fusion) {
      if (!fusion->describe(tpl, tiles, fused, size_t(fusedLoops)))
        return; // beyond the fused-loop limits
      fusion->paretoColumns(fused, row.group, row.resources, jointMemories);
    }
    ++found.stats.evaluated;
    if (!cost)
      cost.emplace(problem, view, tpl, kernel);
    if (!cost->evaluate(tiles, evaluator, scratch, row.energy, row.latency))
      return;
    ++found.stats.valid;
    if (optimumOnly) {
      double metric =
          metricValue(problem.settings.metric, row.energy, row.latency);
      bestMetric = std::min(bestMetric, metric);
      found.bestMetric = std::min(found.bestMetric, metric);
    }
    probeFull = probeLeaves > 0 && found.stats.evaluated >= probeLeaves;
    row.sequence = sequence++;
    ParetoFront &bucket =
        found.rows.try_emplace(key, problem.settings.metric).first->second;
    if (bucket.rejects(row))
      return;
    bucket.insert(PmappingRow(row), [&](PmappingRow &kept) {
      feasible(0); // refresh exact per-memory usage for the row
      kept.memoryUsage.resize(nodeUsage.size());
      for (size_t m = 0; m < nodeUsage.size(); ++m) {
        double size = view.arch->nodes[m].size;
        kept.memoryUsage[m] =
            size > 0 && std::isfinite(size) ? nodeUsage[m] / size : 0.0;
      }
      kept.tileShapes = tiles;
      kept.view = viewIndex;
      kept.templ = templIndex;
    });
  }

  //===------------------------------------------------------------------===//
  // Memory tile-shape comparisons (`tile_shape`)
  //===------------------------------------------------------------------===//

  /// One comparison on the tiles of `loops` (times `constant`, the bounds of
  /// rank variables without a loop above the memory): the tile itself, or
  /// with several loops their product.
  struct TileCheck {
    std::vector<int> loops;
    double constant = 1;
    LoopBoundComparison comparison;
  };
  std::vector<TileCheck> tileChecks;
  /// Per loop, the checks decided when it is assigned: those whose
  /// outermost loop it is, so that every other loop they read is assigned.
  std::vector<std::vector<uint32_t>> tileChecksAt;
  bool hasTileChecks = false;
  /// A check with no loop to choose fails: no tile shape is valid.
  bool tileShapesImpossible = false;

  /// The memory's tile of a rank variable is the tile of the nearest loop
  /// over it above the memory's first storage node (the holder's tileLoop),
  /// as the tiles of lower nodes of the memory are nested in it.
  void planTileShapeChecks() {
    for (const EinsumView::TileShapeRule &rule : view.tileShapes) {
      const Holder *first = nullptr;
      for (const Holder &h : holders)
        if (h.archNode == rule.archNode) {
          first = &h;
          break;
        }
      if (!first)
        continue; // the memory keeps nothing in this template
      const LoopBoundComparison &c = rule.comparison;
      std::vector<uint32_t> rvs;
      for (const std::string &name : c.rankVariables)
        for (uint32_t r = 0; r < view.rankVariables.size(); ++r)
          if (view.rankVariables[r] == name)
            rvs.push_back(r);
      auto add = [&](std::span<const uint32_t> group) {
        TileCheck check;
        check.comparison = c;
        for (uint32_t r : group) {
          if (first->tileLoop[r] == kNoLoop)
            check.constant *= double(view.bounds[r]);
          else
            check.loops.push_back(first->tileLoop[r]);
        }
        if (check.loops.empty()) {
          tileShapesImpossible |= !compare(check.constant, c);
          return;
        }
        tileChecks.push_back(std::move(check));
      };
      if (c.product && !rvs.empty())
        add(rvs);
      else
        for (const uint32_t &r : rvs)
          add({&r, 1});
    }
    hasTileChecks = !tileChecks.empty();
    if (hasTileChecks || tileShapesImpossible)
      exactFrom = -1; // the smallest completion may fail a check others pass
    if (!hasTileChecks)
      return;
    tileChecksAt.assign(loops.size(), {});
    for (uint32_t k = 0; k < tileChecks.size(); ++k)
      tileChecksAt[size_t(*std::min_element(tileChecks[k].loops.begin(),
                                            tileChecks[k].loops.end()))]
          .push_back(k);
  }

  enum class TileVerdict : uint8_t { Holds, Fails, FailsFromHere };

  /// The checks decided at loop i, with its tile just chosen. Candidates
  /// ascend and every other tile a check reads is fixed, so a value above
  /// an upper limit stays above it for the rest of the scan.
  TileVerdict tileShapeVerdict(int i) const {
    TileVerdict v = TileVerdict::Holds;
    for (uint32_t k : tileChecksAt[size_t(i)]) {
      const TileCheck &check = tileChecks[k];
      double value = check.constant;
      for (int l : check.loops)
        value *= double(tiles[size_t(l)]);
      const LoopBoundComparison &c = check.comparison;
      if (compare(value, c))
        continue;
      if (c.op == Comparison::LessEqual || c.op == Comparison::Less ||
          (c.op == Comparison::Equal && value > c.value))
        return TileVerdict::FailsFromHere;
      v = TileVerdict::Fails;
    }
    return v;
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
        count +=
            loops[i].dimRule == int(d) &&
            tileAt(loops[i].outer, loops[i].rankVariable, 0) > double(tiles[i]);
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

std::vector<std::vector<int64_t>> splitTemplate(const MapperProblem &problem,
                                                const EinsumView &view,
                                                const Template &tpl,
                                                model::Evaluator &evaluator,
                                                size_t minPieces) {
  Search s(problem, PieceRequest{.view = view, .tpl = tpl}, evaluator);
  return s.prefixes(minPieces);
}

std::optional<UsageKeys> feasibleUsageKeys(const MapperProblem &problem,
                                           const EinsumView &view,
                                           const Template &tpl,
                                           model::Evaluator &evaluator) {
  Search s(problem,
           PieceRequest{
               .view = view, .tpl = tpl, .mode = SearchMode::CollectUsageKeys},
           evaluator);
  return s.keysFromSpatialBounds();
}

PieceResult searchPiece(const MapperProblem &problem,
                        const PieceRequest &request,
                        model::Evaluator &evaluator) {
  if (request.kernel && !request.kernel->invalid.empty())
    return {}; // no tile shape of this template is valid
  Search s(problem, request, evaluator);
  return s.run(request.prefix, uint64_t(request.piece) << 40);
}

std::vector<PmappingRow> finishTemplate(const MapperProblem &problem,
                                        const EinsumView &view,
                                        std::vector<PartialMap> pieces,
                                        TemplateSearchStats &stats) {
  ParetoFront front(problem.settings.metric);
  for (PmappingRow &r : rowsOfSurvivingKeys(view, std::move(pieces)))
    front.insert(std::move(r));
  std::vector<PmappingRow> out = front.take();
  std::sort(out.begin(), out.end(),
            [](const PmappingRow &a, const PmappingRow &b) {
              return a.sequence < b.sequence;
            });
  stats.pareto += out.size();
  return out;
}

std::vector<PmappingRow>
searchTemplate(const MapperProblem &problem, const EinsumView &view,
               const Template &tpl, model::Evaluator &evaluator,
               uint32_t viewIndex, uint32_t templIndex,
               TemplateSearchStats &stats, const TemplateKernel *kernel) {
  PieceRequest request{.view = view,
                       .tpl = tpl,
                       .viewIndex = viewIndex,
                       .templIndex = templIndex,
                       .kernel = kernel};
  UsageKeys surviving;
  bool shortcut = usesMinUsageShortcut(problem.settings, view, kernel);
  if (shortcut) {
    std::optional<UsageKeys> keys =
        feasibleUsageKeys(problem, view, tpl, evaluator);
    if (!keys) {
      request.mode = SearchMode::CollectUsageKeys;
      keys = searchPiece(problem, request, evaluator).keys;
    }
    surviving = survivingKeys(view, *keys);
    request.mode = SearchMode::CostSurvivingKeys;
    request.survivingKeys = &surviving;
  }
  PieceResult piece = searchPiece(problem, request, evaluator);
  if (shortcut && usageKeysLost(surviving, {&piece.rows, 1})) {
    request.mode = SearchMode::CostAll;
    request.survivingKeys = nullptr;
    piece = searchPiece(problem, request, evaluator);
  }
  stats += piece.stats;
  std::vector<PartialMap> pieces;
  pieces.push_back(std::move(piece.rows));
  return finishTemplate(problem, view, std::move(pieces), stats);
}

} // namespace afc::mapper
