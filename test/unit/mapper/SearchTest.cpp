//===- SearchTest.cpp - properties of the search --------------------------===//
//
// Determinism at any thread count, the min_usage shortcut against brute
// force, the Pareto front's tie-break, and that the returned mapping
// re-evaluates to the reported numbers.
//
//===----------------------------------------------------------------------===//

#include "StdlibProblems.h"

#include "afc/mapper/Mapper.h"

#include <gtest/gtest.h>

#include <functional>
#include <optional>

using namespace afc;
using namespace afc::mapper;

namespace {

MapperProblem eyeriss(int nEinsums, int64_t size, Metric metric) {
  MapperProblem p = afc::test::stdlibMapperProblem(
      "eyeriss", "basic/matmuls",
      {{"N_EINSUMS", nEinsums}, {"M", double(size)}, {"KN", double(size)}});
  p.settings.metric = metric;
  p.settings.unfused = true;
  return p;
}

void expectSameChoice(const MapperResult &a, const MapperResult &b,
                      bool sameSequence = true) {
  EXPECT_EQ(a.energy, b.energy);
  EXPECT_EQ(a.latency, b.latency);
  ASSERT_EQ(a.choices.size(), b.choices.size());
  for (size_t i = 0; i < a.choices.size(); ++i) {
    EXPECT_EQ(a.choices[i].templateDescription,
              b.choices[i].templateDescription);
    EXPECT_EQ(a.choices[i].row.tileShapes, b.choices[i].row.tileShapes);
    if (sameSequence) {
      EXPECT_EQ(a.choices[i].row.sequence, b.choices[i].row.sequence);
    }
  }
  ASSERT_EQ(a.front.size(), b.front.size());
  for (size_t i = 0; i < a.front.size(); ++i) {
    EXPECT_EQ(a.front[i].energy, b.front[i].energy);
    EXPECT_EQ(a.front[i].latency, b.front[i].latency);
  }
}

TEST(Search, DeterministicAcrossThreadCounts) {
  for (Metric m : {Metric::Energy, Metric::EnergyDelayProduct}) {
    MapperProblem p = eyeriss(2, 128, m);
    p.settings.threads = 1;
    auto one = map(p);
    p.settings.threads = 2;
    auto two = map(p);
    p.settings.threads = 5;
    auto five = map(p);
    ASSERT_TRUE(one && two && five);
    expectSameChoice(*one, *two);
    expectSameChoice(*one, *five);
  }
}

TEST(Search, MinUsageShortcutEqualsBruteForce) {
  for (Metric m :
       {Metric::Energy, Metric::Latency, Metric::EnergyDelayProduct}) {
    MapperProblem p = eyeriss(1, 64, m);
    auto fast = map(p);
    p.settings.minUsageShortcut = false;
    auto brute = map(p);
    ASSERT_TRUE(fast && brute);
    // Sequence numbers count costed rows only, so they differ.
    expectSameChoice(*fast, *brute, /*sameSequence=*/false);
    EXPECT_LT(fast->stats.evaluatedPmappings,
              brute->stats.evaluatedPmappings);
    EXPECT_EQ(fast->stats.paretoPmappings, brute->stats.paretoPmappings);
  }
}

TEST(Search, ResultReevaluates) {
  MapperProblem p = eyeriss(2, 64, Metric::EnergyDelayProduct);
  auto r = map(p);
  ASSERT_TRUE(bool(r)) << r.error().message;
  auto again = model::evaluate(p.problem, r->mapping);
  ASSERT_TRUE(bool(again)) << again.error().message;
  EXPECT_NEAR(again->energy / r->energy, 1, 1e-12);
  EXPECT_NEAR(again->latency / r->latency, 1, 1e-12);
  EXPECT_EQ(r->objective, r->energy * r->latency);
  // Every front point is Pareto-optimal and the chosen one minimises EDP.
  for (const FrontPoint &f : r->front)
    EXPECT_GE(f.energy * f.latency, r->objective);
}

TEST(Search, CancelStopsTheSearchWithNoAnswer) {
  MapperProblem p = eyeriss(2, 128, Metric::Energy);
  std::atomic<bool> cancel{false};
  p.settings.cancel = &cancel;
  auto normal = map(p);
  ASSERT_TRUE(normal);
  EXPECT_FALSE(normal->stats.cancelled) << "an unset flag changes nothing";
  EXPECT_TRUE(normal->stats.complete);
  cancel = true;
  auto stopped = map(p);
  ASSERT_TRUE(stopped);
  EXPECT_TRUE(stopped->stats.cancelled);
  EXPECT_FALSE(stopped->stats.complete);
  EXPECT_TRUE(stopped->choices.empty()) << "a cancelled search has no answer";
  EXPECT_LT(stopped->stats.evaluatedPmappings,
            normal->stats.evaluatedPmappings);
}

TEST(ParetoFront, KeepsFirstOfEqualsAndDropsDominated) {
  ParetoFront f(Metric::EnergyDelayProduct);
  PmappingRow a;
  a.energy = 2;
  a.latency = 2;
  a.sequence = 1;
  PmappingRow b = a;
  b.sequence = 2; // equal: rejected
  PmappingRow c;
  c.energy = 1;
  c.latency = 3;
  c.sequence = 3; // trade-off: kept
  PmappingRow d;
  d.energy = 1;
  d.latency = 2;
  d.sequence = 4; // dominates a and c
  EXPECT_TRUE(f.insert(a));
  EXPECT_FALSE(f.insert(b));
  EXPECT_TRUE(f.insert(c));
  EXPECT_EQ(f.rows().size(), 2u);
  EXPECT_TRUE(f.insert(d));
  ASSERT_EQ(f.rows().size(), 1u);
  EXPECT_EQ(f.rows()[0].sequence, 4u);
}

TEST(Search, NoValidMappingIsAnError) {
  MapperProblem p = eyeriss(1, 64, Metric::Energy);
  // A scratchpad too small for one value leaves nothing valid.
  for (model::FlattenedArch &a : p.problem.architectures)
    for (model::ArchNode &n : a.nodes)
      if (n.name == "InputScratchpad")
        n.size = 4;
  auto r = map(p);
  EXPECT_FALSE(bool(r));
}

} // namespace

// Imperfect factorisation (docs/design/mapper.md §4.4) only adds candidates to
// the outermost loops, so without min_usage (which keeps the rows of highest
// spatial usage, and imperfect loops change usage) the optimum can only
// improve. With a prime rank bound (61) perfect factors leave only tiles 1
// and 61 for it, and non-divisor tiles do much better. The mapping
// re-evaluates to the same numbers.
TEST(Search, ImperfectFactorisationNeverWorseAndHelpsPrimeBounds) {
  for (int64_t size : {64, 61}) {
    MapperProblem perfect = eyeriss(1, size, Metric::Energy);
    for (EinsumRules &r : perfect.rules)
      for (SpatialRule &s : r.spatial)
        s.minUsage = 0;
    MapperProblem imperfect = perfect;
    imperfect.settings.exploreImperfectSpatialLoops = true;
    imperfect.settings.exploreImperfectTemporalLoops = true;
    auto a = map(perfect), b = map(imperfect);
    ASSERT_TRUE(a && b);
    EXPECT_LE(b->energy, a->energy) << size;
    if (size == 61) {
      EXPECT_LT(b->energy, a->energy * 0.5);
      bool nonDivisor = false;
      for (int64_t t : b->choices[0].row.tileShapes)
        nonDivisor |= size % t != 0;
      EXPECT_TRUE(nonDivisor);
    }
    auto again = model::evaluate(imperfect.problem, b->mapping,
                                 imperfect.evaluateOptions);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->energy, b->energy);
    EXPECT_EQ(again->latency, b->latency);
  }
}

// tiling_coarseness > 1 skips tile shapes: fewer are costed and the optimum
// can only get worse; 1 is the exact search.
TEST(Search, TilingCoarsenessPrunesAndNeverImproves) {
  MapperProblem exact = eyeriss(1, 256, Metric::Energy);
  MapperProblem coarse = exact;
  coarse.settings.tilingCoarseness = 4;
  auto a = map(exact), b = map(coarse);
  ASSERT_TRUE(a && b);
  EXPECT_LT(b->stats.evaluatedPmappings, a->stats.evaluatedPmappings / 2);
  EXPECT_GE(b->energy, a->energy);
}

// max_loops_per_spatial_dimension = 0 forbids every spatial loop with more
// than one iteration: the chosen mapping uses one instance of each spatial
// dimension, and costs at least the unconstrained optimum.
TEST(Search, MaxLoopsPerSpatialDimensionLimitsSpatialLoops) {
  MapperProblem free = eyeriss(1, 64, Metric::Energy);
  for (EinsumRules &r : free.rules)
    for (SpatialRule &s : r.spatial)
      s.minUsage = 0; // so that a single instance is allowed at all
  MapperProblem limited = free;
  limited.settings.maxLoopsPerSpatialDimension = 0;
  auto a = map(free), b = map(limited);
  ASSERT_TRUE(a && b);
  EXPECT_GE(b->energy, a->energy);
  ASSERT_FALSE(b->result.spatialUsage.empty());
  for (const model::SpatialUsage &u : b->result.spatialUsage)
    EXPECT_EQ(u.used, 1) << u.component << "." << u.dimension;
  bool anyUsed = false;
  for (const model::SpatialUsage &u : a->result.spatialUsage)
    anyUsed |= u.used > 1;
  EXPECT_TRUE(anyUsed);
}

namespace {

/// The tile of `rv` a memory holds in a mapping: the tile shape of the
/// nearest loop over it above the memory's first storage node, `bound`
/// without one; 0 when the memory holds nothing.
double tileAtMemory(const std::vector<model::MappingNode> &nodes,
                    const std::string &memory, const std::string &rv,
                    double bound) {
  double tile = bound;
  std::function<std::optional<double>(const std::vector<model::MappingNode> &)>
      walk = [&](const std::vector<model::MappingNode> &ns)
      -> std::optional<double> {
    for (const model::MappingNode &n : ns) {
      if (n.kind == model::MappingNodeKind::Storage && n.component == memory)
        return tile;
      if ((n.kind == model::MappingNodeKind::Temporal ||
           n.kind == model::MappingNodeKind::Spatial) &&
          n.rankVariable == rv && n.tileShape)
        tile = *n.tileShape;
      if (auto t = walk(n.children))
        return t;
    }
    return std::nullopt;
  };
  return walk(nodes).value_or(0);
}

MapperProblem withTileShape(MapperProblem p, const std::string &memory,
                            LoopBoundComparison c) {
  for (EinsumRules &r : p.rules)
    r.memories.push_back({memory, {c}, {}});
  return p;
}

} // namespace

// A memory's tile-shape comparison: the chosen mapping satisfies it, costs
// at least the unconstrained optimum, and the search is the same with the
// min_usage shortcut and without, at any thread count. A comparison that
// always holds changes nothing, down to the rows costed, and one the
// optimum meets keeps it.
TEST(Search, TileShapeComparisonsHoldAndPruneNothingElse) {
  MapperProblem free = eyeriss(1, 64, Metric::Energy);
  auto a = map(free);
  ASSERT_TRUE(a);
  double freeTile = tileAtMemory(a->mapping.nodes, "GlobalBuffer", "m", 64);
  ASSERT_GT(freeTile, 1); // else the limit below would not bind

  MapperProblem always = withTileShape(
      free, "GlobalBuffer", {{"m"}, Comparison::GreaterEqual, 1, false});
  auto same = map(always);
  ASSERT_TRUE(same);
  expectSameChoice(*a, *same);
  // Equal to the optimum's own tile: the scan that skips smaller tiles and
  // stops past it still reaches the optimum.
  auto exact = map(withTileShape(
      free, "GlobalBuffer", {{"m"}, Comparison::Equal, freeTile, false}));
  ASSERT_TRUE(exact);
  EXPECT_EQ(exact->energy, a->energy);

  for (LoopBoundComparison c :
       {LoopBoundComparison{{"m"}, Comparison::Less, freeTile, false},
        LoopBoundComparison{{"m", "n1"}, Comparison::Equal, 1024, true}}) {
    MapperProblem limited = withTileShape(free, "GlobalBuffer", c);
    auto b = map(limited);
    ASSERT_TRUE(b);
    EXPECT_GE(b->energy, a->energy);
    double m = tileAtMemory(b->mapping.nodes, "GlobalBuffer", "m", 64);
    double n1 = tileAtMemory(b->mapping.nodes, "GlobalBuffer", "n1", 64);
    if (c.product)
      EXPECT_EQ(m * n1, 1024);
    else
      EXPECT_LT(m, freeTile);
    limited.settings.threads = 1;
    auto one = map(limited);
    limited.settings.minUsageShortcut = false;
    auto brute = map(limited);
    ASSERT_TRUE(one && brute);
    expectSameChoice(*b, *one);
    expectSameChoice(*b, *brute, /*sameSequence=*/false);
  }
}
