//===- CostBoundsTest.cpp - lower bounds on partial tile shapes' costs ----===//
//
// The bounds that let the search skip partial tile shapes (mapper.md §4.5):
// on hand-built graphs, where the bound is derived by hand; on every
// partial tile shape of stdlib templates, where no completion may cost
// less than the bound (checked against the kernel, completion by
// completion); and on the mapper, where skipping must not change the
// answer.
//
//===----------------------------------------------------------------------===//
#include "StdlibProblems.h"

#include "afc/codegen/CostBounds.h"
#include "afc/lower/TemplateKernel.h"
#include "afc/mapper/Mapper.h"
#include "afc/mapper/Template.h"
#include "afc/mapper/TemplateCost.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <ostream>
#include <utility>

using namespace afc;
using afc::test::Lowered;
using afc::test::lowerStdlib;
using afc::test::params;
using codegen::CostBounds;
using codegen::CostGraph;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

/// Two loops over one rank of size 16: t0 (outer) and t1 (inner), so
/// t0 / t1 and 16 / t0 are loop bounds.
const CostBounds::TileChain kChains[] = {{-1, 16}, {0, 16}};

struct Bounds {
  double energy, latency;
};

/// The bounds with t1 assigned and t0 free in [t1, 16].
Bounds boundsWithInnerAssigned(const CostBounds &b, double t1) {
  std::vector<double> none(b.stateSize(), 1.0), state(b.stateSize());
  b.assign(1, t1, none.data(), state.data());
  double low[2] = {t1, t1}, high[2] = {16, t1};
  return {b.lowerBound(CostBounds::Output::Energy, 0, state.data(), low, high),
          b.lowerBound(CostBounds::Output::Latency, 0, state.data(), low,
                       high)};
}

// A buffet's reads are all reads minus the first ones, two products of the
// same tiles: energy = 10 * (16 / t1) * t0 - 10 * t0, which with t1 = 2 is
// 70 * t0, least at t0 = 2: 140. Bounding the two products apart would
// give 160 - 160 = 0. The latency is the larger of a known 4 s (a point
// value: the compute's, which every tile shape shares) and
// ceil(16 / t0) * t1 <= 16: with t0 free it may be 4 exactly, and the bound
// must say 4, not 4 minus a margin, or a row of latency 4 could never
// reject anything.
TEST(CostBounds, HandDerivedBoundsOfTwoLoops) {
  auto g = std::make_shared<CostGraph>(1, 2);
  auto t0 = g->tile(0), t1 = g->tile(1);
  auto sixteen = g->constant(16), ten = g->constant(10);
  auto total = g->mul(g->mul(ten, g->div(sixteen, t1)), t0);
  auto first = g->mul(ten, t0);
  g->output(g->sub(total, first));
  auto memory = g->mul(g->ceil(g->div(sixteen, t0)), t1);
  auto compute = g->point(0);
  g->output(g->selectLess(compute, memory, memory, compute));
  g->output(g->constant(0));
  double point[] = {4.0};

  auto b = CostBounds::analyse(g, point, kChains);
  ASSERT_TRUE(b);
  Bounds at2 = boundsWithInnerAssigned(*b, 2);
  EXPECT_NEAR(at2.energy, 140, 1e-9);
  EXPECT_LE(at2.energy, 140);
  EXPECT_EQ(at2.latency, 4.0);

  // With t1 = 8 (t0 in {8, 16}): energy 10 * 2 * t0 - 10 * t0 >= 80, and
  // the memory's latency ceil(16 / t0) * 8 >= 8 outweighs the compute.
  Bounds at8 = boundsWithInnerAssigned(*b, 8);
  EXPECT_NEAR(at8.energy, 80, 1e-9);
  EXPECT_LE(at8.energy, 80);
  EXPECT_NEAR(at8.latency, 8, 1e-12);
}

// An iteration count times a factor of unknown sign: ceil(16 / t0) is a
// whole number when t0 divides 16, so the product is a polynomial; without
// the divisibility the ceil is only bounded below, which a factor of
// unknown sign cannot carry, and the analysis declines.
TEST(CostBounds, IterationCountsOfPerfectFactorsAreWholeNumbers) {
  auto g = std::make_shared<CostGraph>(0, 2);
  auto t0 = g->tile(0);
  auto count = g->ceil(g->div(g->constant(16), t0));
  g->output(g->mul(g->sub(t0, g->constant(3)), count));
  g->output(g->constant(1));
  g->output(g->constant(0));
  EXPECT_TRUE(CostBounds::analyse(g, {}, kChains));
  EXPECT_FALSE(CostBounds::analyse(g, {}, {}));
}

// A sliding window: 16 / t0 tiles of p, each reading t0 + t1 - 1 rows of
// the input (t1 the tile of r, a rank of 3), 10 J a row. With both free
// (t0 in [1, 16], t1 in [1, 3]) the energy 160 (t0 + t1 - 1) / t0 is least
// at t1 = 1: 160, whatever t0. Expanded, its parts 160 t1 / t0 and
// -160 / t0, bounded apart, would give 160 + 10 - 160 = 10; with t1 - 1
// kept as one factor, never negative, the bound is 160.
TEST(CostBounds, WindowExtentsKeepTheirFilterTileAsOneFactor) {
  auto g = std::make_shared<CostGraph>(0, 3);
  auto t0 = g->tile(0), t1 = g->tile(1);
  auto one = g->constant(1);
  auto extent = g->add(g->add(g->sub(t0, one), g->sub(t1, one)), one);
  auto count = g->div(g->constant(16), t0);
  g->output(g->mul(g->mul(g->constant(10), count), extent));
  g->output(g->constant(1));
  g->output(g->constant(0));
  const CostBounds::TileChain chains[] = {{-1, 16}, {-1, 3}, {-1, 4}};
  auto b = CostBounds::analyse(g, {}, chains);
  ASSERT_TRUE(b);
  std::vector<double> none(b->stateSize(), 1.0), state(b->stateSize());
  b->assign(2, 2, none.data(), state.data());
  double low[3] = {1, 1, 2}, high[3] = {16, 3, 2};
  double energy = b->lowerBound(CostBounds::Output::Energy, 1, state.data(),
                                low, high);
  EXPECT_NEAR(energy, 160, 1e-9);
  EXPECT_LE(energy, 160);
  // With t1 = 3 assigned: 160 (t0 + 2) / t0, least at t0 = 16: 180.
  b->assign(1, 3, state.data(), none.data());
  double low3[3] = {3, 3, 2}, high3[3] = {16, 3, 2};
  energy = b->lowerBound(CostBounds::Output::Energy, 0, none.data(), low3,
                         high3);
  EXPECT_NEAR(energy, 180, 1e-9);
  EXPECT_LE(energy, 180);
}

/// The latency bound at `level` from the box of tiles alone, and with the
/// fanouts left `fanoutLeft` as well.
std::pair<double, double> latencyWithoutAndWithFanouts(
    const CostBounds &b, unsigned level, const std::vector<double> &state,
    const double *low, const double *high, const double *fanoutLeft) {
  return {b.lowerBound(CostBounds::Output::Latency, level, state.data(), low,
                       high),
          b.lowerBound(CostBounds::Output::Latency, level, state.data(), low,
                       high, 0, fanoutLeft)};
}

// Two spatial loops share one fanout dimension of 4: loop 2 splits rank a
// (size 4) under loop 0, loop 3 splits rank b (size 4) under loop 1, both
// with tile 1, so the splits are t0 and t1 and the compute iterates
// (4 / t0) (4 / t1) times. Each split alone may be 4, which the box of
// free tiles allows for both (a bound of 1); together they use at most the
// fanout, t0 t1 <= 4, so every completion iterates at least 4 times.
TEST(CostBounds, SplitsOfOneFanoutDimensionAreBoundedJointly) {
  auto g = std::make_shared<CostGraph>(0, 4);
  auto four = g->constant(4);
  g->output(g->constant(1));
  g->output(g->mul(g->div(four, g->tile(0)), g->div(four, g->tile(1))));
  g->output(g->constant(0));
  const CostBounds::TileChain chains[] = {
      {-1, 4, -1}, {-1, 4, -1}, {0, 4, 0}, {1, 4, 0}};
  auto b = CostBounds::analyse(g, {}, chains);
  ASSERT_TRUE(b);
  std::vector<double> none(b->stateSize(), 1.0), half(b->stateSize()),
      state(b->stateSize());
  b->assign(3, 1, none.data(), half.data());
  b->assign(2, 1, half.data(), state.data());
  double low[4] = {1, 1, 1, 1}, high[4] = {4, 4, 1, 1};
  const double fanoutLeft[] = {4};
  EXPECT_EQ(latencyWithoutAndWithFanouts(*b, 1, state, low, high, fanoutLeft),
            std::pair(1.0, 4.0));
}

// One spatial loop whose outer and own tiles are both free: rank a of 8,
// loop 0 temporal (8 / t0 iterations), loop 1 spatial with split t0 / t1
// at most 2, loop 2 innermost (tile 1, t1 iterations). The compute
// iterates 8 t1 / t0 times: the box (t1 = 1, t0 = 8) says 1, the fanout
// at least 8 / 2 = 4.
TEST(CostBounds, AFreeSplitIsBoundedByItsFanout) {
  auto g = std::make_shared<CostGraph>(0, 3);
  g->output(g->constant(1));
  g->output(g->mul(g->div(g->constant(8), g->tile(0)),
                   g->div(g->tile(1), g->tile(2))));
  g->output(g->constant(0));
  const CostBounds::TileChain chains[] = {
      {-1, 8, -1}, {0, 8, 0}, {1, 8, -1}};
  auto b = CostBounds::analyse(g, {}, chains);
  ASSERT_TRUE(b);
  std::vector<double> none(b->stateSize(), 1.0), state(b->stateSize());
  b->assign(2, 1, none.data(), state.data());
  double low[3] = {1, 1, 1}, high[3] = {8, 8, 1};
  const double fanoutLeft[] = {2};
  EXPECT_EQ(latencyWithoutAndWithFanouts(*b, 1, state, low, high, fanoutLeft),
            std::pair(1.0, 4.0));
}

struct Case {
  std::string name, arch, workload;
  afc::test::StdlibParams params;
};
void PrintTo(const Case &c, std::ostream *os) { *os << c.name; }

class BoundsOfStdlibTemplates : public ::testing::TestWithParam<Case> {};

/// Every tile shape of a template (divisor chains per rank variable), in
/// the order of the kernel's tile arguments, innermost loop first chosen.
void enumerateTileShapes(const std::vector<uint32_t> &rankOf,
                         const std::vector<int64_t> &bounds, int loop,
                         std::vector<double> &tiles,
                         std::vector<std::vector<double>> &out) {
  if (loop < 0) {
    out.push_back(tiles);
    return;
  }
  uint32_t r = rankOf[size_t(loop)];
  int64_t inner = 1;
  for (size_t j = size_t(loop) + 1; j < rankOf.size(); ++j)
    if (rankOf[j] == r) {
      inner = int64_t(tiles[j]);
      break;
    }
  for (int64_t d = inner; d <= bounds[r]; d += inner)
    if (bounds[r] % d == 0) {
      tiles[size_t(loop)] = double(d);
      enumerateTileShapes(rankOf, bounds, loop - 1, tiles, out);
    }
}

// For each level, each partial tile shape (loops below the level assigned)
// and each completion, the kernel's energy and latency are at least the
// bounds, valid or not: the bounds hold over the whole box of free tiles.
TEST_P(BoundsOfStdlibTemplates, NoCompletionCostsLessThanItsBound) {
  const Case &c = GetParam();
  Lowered l = lowerStdlib(c.arch, c.workload, params(c.params), nullptr);
  ASSERT_TRUE(l.problem) << l.compiled->errors;
  const mapper::MapperProblem &mp = *l.problem;
  model::Evaluator evaluator(mp.problem, mp.costingOptions());
  size_t checked = 0, tight = 0, templatesBounded = 0, jointTighter = 0;
  for (uint32_t e = 0; e < mp.problem.workload.einsums.size(); ++e) {
    const model::FlattenedArch &arch = mp.problem.architectures[0];
    mapper::EinsumView view = mapper::makeEinsumView(mp, e, arch);
    for (const mapper::Template &tpl : mapper::enumerateTemplates(
             mp, view, mp.rulesFor(mp.problem.workload.einsums[e].name))) {
      mapper::TemplateCost cost(mp, view, tpl);
      auto traced =
          lower::traceTemplate(evaluator, cost.structure(), cost.loops());
      if (!traced)
        continue; // structurally invalid: never searched
      auto graph = std::make_shared<CostGraph>(std::move(traced->graph));
      std::vector<double> point;
      for (const model::PointValue &v : traced->point)
        point.push_back(model::pointValue(arch, v));
      std::vector<uint32_t> rankOf;
      std::vector<int> dimOf; // a spatial loop's fanout dimension, or -1
      for (const mapper::TemplateNode &n : tpl.nodes) {
        if (n.kind == mapper::TemplateNodeKind::Storage)
          continue;
        rankOf.push_back(n.rankVariable);
        dimOf.push_back(-1);
        if (n.kind == mapper::TemplateNodeKind::Spatial)
          for (size_t d = 0; d < view.dims.size(); ++d)
            if (view.dims[d].archNode == n.archNode &&
                view.dims[d].dimension == n.dimension)
              dimOf.back() = int(d);
      }
      const int n = int(rankOf.size());
      std::vector<CostBounds::TileChain> chains(rankOf.size());
      for (int j = 0; j < n; ++j) {
        chains[size_t(j)].bound = double(view.bounds[rankOf[size_t(j)]]);
        chains[size_t(j)].dimension = dimOf[size_t(j)];
        for (int k = j - 1; k >= 0 && chains[size_t(j)].outer < 0; --k)
          if (rankOf[size_t(k)] == rankOf[size_t(j)])
            chains[size_t(j)].outer = k;
      }
      // A spatial loop's split: the tile of its next loop out over its own.
      auto split = [&](const std::vector<double> &shape, int k) {
        int outer = chains[size_t(k)].outer;
        return (outer < 0 ? chains[size_t(k)].bound : shape[size_t(outer)]) /
               shape[size_t(k)];
      };
      auto bounds = CostBounds::analyse(graph, point, chains);
      if (!bounds)
        continue;
      ++templatesBounded;
      std::vector<std::vector<double>> shapes;
      std::vector<double> tiles(rankOf.size(), 1.0);
      enumerateTileShapes(rankOf, view.bounds, n - 1, tiles, shapes);
      ASSERT_LT(shapes.size(), 200000u) << "pick a smaller problem";
      std::vector<std::array<double, 3>> costs(shapes.size());
      std::vector<uint8_t> withinFanout(shapes.size(), 1);
      for (size_t s = 0; s < shapes.size(); ++s) {
        graph->interpret(point.data(), shapes[s].data(), costs[s].data());
        std::vector<double> used(view.dims.size(), 1.0);
        for (int k = 0; k < n; ++k)
          if (dimOf[size_t(k)] >= 0)
            used[size_t(dimOf[size_t(k)])] *= split(shapes[s], k);
        for (size_t d = 0; d < view.dims.size(); ++d)
          withinFanout[s] &= used[d] <= view.dims[d].fanout;
      }

      for (int level = 0; level + 1 < n; ++level) {
        // The completions of one partial tile shape (loops above `level`
        // assigned) are consecutive shapes, as the enumeration assigns the
        // innermost loops first.
        auto samePartial = [&](size_t a, size_t b) {
          return std::equal(shapes[a].begin() + level + 1, shapes[a].end(),
                            shapes[b].begin() + level + 1);
        };
        for (size_t first = 0, last; first < shapes.size(); first = last) {
          // Their least costs: of all, and of those within every fanout.
          std::pair<double, double> minimum{kInf, kInf}, within{kInf, kInf};
          for (last = first; last < shapes.size() && samePartial(first, last);
               ++last) {
            minimum.first = std::min(minimum.first, costs[last][0]);
            minimum.second = std::min(minimum.second, costs[last][1]);
            if (!withinFanout[last])
              continue;
            within.first = std::min(within.first, costs[last][0]);
            within.second = std::min(within.second, costs[last][1]);
          }
          const std::vector<double> &shape = shapes[first];
          std::vector<double> state(bounds->stateSize(), 1.0),
              next(bounds->stateSize());
          std::vector<double> low(rankOf.size()), high(rankOf.size());
          for (int j = n - 1; j > level; --j) {
            double t = shape[size_t(j)];
            bounds->assign(unsigned(j), t, state.data(), next.data());
            std::swap(state, next);
            low[size_t(j)] = high[size_t(j)] = t;
          }
          // A free loop's tile is a multiple of the assigned tile of its
          // rank variable nearest below it, and at most the rank's size.
          for (int j = level; j >= 0; --j) {
            double inner = 1;
            for (int k = level + 1; k < n; ++k)
              if (rankOf[size_t(k)] == rankOf[size_t(j)]) {
                inner = low[size_t(k)];
                break;
              }
            low[size_t(j)] = inner;
            high[size_t(j)] = double(view.bounds[rankOf[size_t(j)]]);
          }
          // Each bound without fanouts, over all completions, and with each
          // dimension's fanout left over the assigned splits, over those
          // within the fanouts.
          std::vector<double> fanoutLeft;
          for (const auto &dim : view.dims)
            fanoutLeft.push_back(dim.fanout);
          for (int k = level + 1; k < n; ++k) {
            int outer = chains[size_t(k)].outer;
            if (dimOf[size_t(k)] >= 0 && (outer < 0 || outer > level))
              fanoutLeft[size_t(dimOf[size_t(k)])] /= split(shape, k);
          }
          double plain[3], joint[3];
          const CostBounds::Output outputs[3] = {
              CostBounds::Output::Energy, CostBounds::Output::TightEnergy,
              CostBounds::Output::Latency};
          for (int o = 0; o < 3; ++o) {
            plain[o] = bounds->lowerBound(outputs[o], unsigned(level),
                                          state.data(), low.data(),
                                          high.data());
            joint[o] = bounds->lowerBound(
                outputs[o], unsigned(level), state.data(), low.data(),
                high.data(), 0, fanoutLeft.data());
            jointTighter += joint[o] > plain[o];
          }
          ++checked;
          EXPECT_LE(plain[0], minimum.first)
              << describe(view, tpl) << " level " << level;
          EXPECT_LE(plain[1], minimum.first)
              << describe(view, tpl) << " level " << level;
          if (plain[1] != plain[0]) {
            EXPECT_TRUE(bounds->tighterEnergyBoundAt(unsigned(level)));
          }
          EXPECT_LE(plain[2], minimum.second * (1 + 1e-12))
              << describe(view, tpl) << " level " << level;
          if (std::max(plain[0], plain[1]) >= minimum.first * (1 - 1e-9))
            ++tight;
          if (within.first == kInf)
            continue; // no completion is within the fanouts
          EXPECT_LE(std::max(joint[0], joint[1]), within.first)
              << describe(view, tpl) << " level " << level;
          EXPECT_LE(joint[2], within.second * (1 + 1e-12))
              << describe(view, tpl) << " level " << level;
        }
      }
    }
  }
  EXPECT_GT(templatesBounded, 0u);
  EXPECT_GT(checked, 0u);
  // Not a correctness property, but what makes bounds worth computing:
  // many partial tile shapes' energy bounds are the least completion's.
  EXPECT_GT(tight, checked / 10) << tight << " of " << checked;
  RecordProperty("checked", std::to_string(checked));
  RecordProperty("tighter_with_fanouts", std::to_string(jointTighter));
}

/// A 2 x 2 convolution with a 2 x 2 output: every tile shape of each of
/// its templates is costed.
const afc::test::StdlibParams kTinyConv = {
    {"OUT_ROWS", 2},    {"OUT_COLS", 2},    {"FILTER_ROWS", 2},
    {"FILTER_COLS", 2}, {"IN_CHANNELS", 1}, {"OUT_CHANNELS", 2}};

INSTANTIATE_TEST_SUITE_P(
    Stdlib, BoundsOfStdlibTemplates,
    ::testing::Values(
        Case{"eyeriss_matmul",
             "eyeriss",
             "basic/matmuls",
             {{"N_EINSUMS", 1}, {"M", 16}, {"KN", 16}}},
        Case{"tpu_v4i_matmul",
             "tpu_v4i",
             "basic/matmuls",
             {{"N_EINSUMS", 1}, {"M", 8}, {"KN", 8}}},
        Case{"simba_matmul",
             "simba",
             "basic/matmuls",
             {{"N_EINSUMS", 1}, {"M", 8}, {"KN", 8}}},
        // Sliding windows (p + r - 1 rows of the input).
        Case{"eyeriss_conv", "eyeriss", "cnns/conv2d", kTinyConv},
        Case{"tpu_v4i_conv", "tpu_v4i", "cnns/conv2d", kTinyConv}),
    [](const ::testing::TestParamInfo<Case> &info) { return info.param.name; });

/// Each Einsum's front of `a` is `b`'s, row by row.
void expectSameEinsumFronts(const mapper::MapperResult &a,
                            const mapper::MapperResult &b) {
  ASSERT_EQ(a.einsumFronts.size(), b.einsumFronts.size());
  for (size_t e = 0; e < a.einsumFronts.size(); ++e) {
    ASSERT_EQ(a.einsumFronts[e].size(), b.einsumFronts[e].size());
    for (size_t k = 0; k < a.einsumFronts[e].size(); ++k) {
      EXPECT_EQ(a.einsumFronts[e][k].energy, b.einsumFronts[e][k].energy);
      EXPECT_EQ(a.einsumFronts[e][k].latency, b.einsumFronts[e][k].latency);
    }
  }
}

/// Sets `mp` to search for `metric` with generated kernels, whose bounds
/// prune once a walk has reached `boundAfterLeaves` leaves.
void searchWithKernelBounds(mapper::MapperProblem &mp, mapper::Metric metric,
                            uint64_t boundAfterLeaves) {
  mp.settings.metric = metric;
  mp.settings.templateKernels =
      lower::templateKernelFactory({lower::sharedKernelCompiler()});
  mp.settings.boundAfterLeaves = boundAfterLeaves;
}

/// Maps `c` for EDP with bounds (starting after `boundAfterLeaves` leaves)
/// and with the full walk, and expects the same answer, choice by choice,
/// and the same fronts. Fused, only templates without fused loops are
/// bounded (their rows share one Pareto group).
void expectBoundsFindWhatTheFullWalkFinds(const Case &c,
                                          uint64_t boundAfterLeaves,
                                          bool unfused = true,
                                          uint64_t probeLeaves = 16) {
  Lowered l = lowerStdlib(c.arch, c.workload, params(c.params), nullptr);
  ASSERT_TRUE(l.problem) << l.compiled->errors;
  mapper::MapperProblem &mp = *l.problem;
  searchWithKernelBounds(mp, mapper::Metric::EnergyDelayProduct,
                         boundAfterLeaves);
  mp.settings.unfused = unfused;
  mp.settings.maxFusedLoops = 1;
  // The fronts are compared too, so they are kept whole where one Einsum
  // would need only its optimum.
  mp.settings.keepFronts = true;
  mp.settings.probeLeaves = probeLeaves;
  auto bounded = mapper::map(mp);
  mp.settings.boundPruning = false;
  auto walked = mapper::map(mp);
  ASSERT_TRUE(bounded && walked);
  EXPECT_GT(bounded->stats.boundedSubtrees, 0u);
  EXPECT_EQ(walked->stats.boundedSubtrees, 0u);
  EXPECT_LT(bounded->stats.evaluatedPmappings,
            walked->stats.evaluatedPmappings);
  EXPECT_EQ(bounded->energy, walked->energy);
  EXPECT_EQ(bounded->latency, walked->latency);
  ASSERT_EQ(bounded->choices.size(), walked->choices.size());
  for (size_t i = 0; i < bounded->choices.size(); ++i) {
    SCOPED_TRACE(bounded->choices[i].einsum);
    EXPECT_EQ(bounded->choices[i].templateDescription,
              walked->choices[i].templateDescription);
    EXPECT_EQ(bounded->choices[i].row.tileShapes,
              walked->choices[i].row.tileShapes);
  }
  expectSameEinsumFronts(*bounded, *walked);
}

class BoundPruning : public ::testing::TestWithParam<Case> {};

// Skipping partial tile shapes changes how many are costed, not the
// answer. Every walk is bounded, however small.
TEST_P(BoundPruning, FindsWhatTheFullWalkFinds) {
  expectBoundsFindWhatTheFullWalkFinds(GetParam(), 0);
}

INSTANTIATE_TEST_SUITE_P(
    Stdlib, BoundPruning,
    ::testing::Values(
        Case{"eyeriss_matmuls",
             "eyeriss",
             "basic/matmuls",
             {{"N_EINSUMS", 2}, {"M", 64}, {"KN", 64}}},
        Case{"tpu_v4i_matmuls",
             "tpu_v4i",
             "basic/matmuls",
             {{"N_EINSUMS", 2}, {"M", 512}, {"KN", 1024}}},
        Case{"simba_gpt3_prefill",
             "simba",
             "transformers/gpt/gpt3_6.7B",
             {{"BATCH_SIZE", 1}, {"DECODE", 0}, {"N_NEW_TOKENS", 256}}},
        Case{"eyeriss_mobilenet", "eyeriss", "cnns/mobilenet/mobilenet_28",
             {}}),
    [](const ::testing::TestParamInfo<Case> &info) { return info.param.name; });


// A walk that starts bounding after some leaves (by default thousands)
// does so in the middle of its tree: the state of the path walked so far
// is built then. (Rows of a probe make walks bound from the start: none.)
TEST(BoundPruning, StartingInTheMiddleOfAWalkFindsWhatTheFullWalkFinds) {
  expectBoundsFindWhatTheFullWalkFinds(
      Case{"tpu_v4i_matmuls",
           "tpu_v4i",
           "basic/matmuls",
           {{"N_EINSUMS", 2}, {"M", 512}, {"KN", 1024}}},
      64, /*unfused=*/true, /*probeLeaves=*/0);
}

class OptimumOnly : public ::testing::TestWithParam<Case> {};

// A workload of one Einsum is answered by its best row: the search prunes
// what cannot beat the best row found so far (from the start, the best a
// short probe found), not only what a row dominates. The answer is that
// of the search keeping whole fronts for each metric (BoundPruning checks
// that one against the full walk), and the full walk's for the
// energy-delay product (walks cost too much under the sanitizers to
// repeat per metric).
TEST_P(OptimumOnly, FindsTheFullWalksOptimum) {
  const Case &c = GetParam();
  Lowered l = lowerStdlib(c.arch, c.workload, params(c.params), nullptr);
  ASSERT_TRUE(l.problem) << l.compiled->errors;
  ASSERT_EQ(l.problem->problem.workload.einsums.size(), 1u);
  // Energy and latency alone take the same path; one of them is enough.
  for (mapper::Metric metric :
       {mapper::Metric::EnergyDelayProduct, mapper::Metric::Energy}) {
    SCOPED_TRACE(int(metric));
    mapper::MapperProblem mp = *l.problem;
    searchWithKernelBounds(mp, metric, 0);
    auto optimum = mapper::map(mp);
    mp.settings.keepFronts = true;
    auto front = mapper::map(mp);
    ASSERT_TRUE(optimum && front);
    // Rows of equal energy and latency (the same loops in another storage
    // order) may tie; the bounded searches may keep another of them.
    EXPECT_EQ(optimum->energy, front->energy);
    EXPECT_EQ(optimum->latency, front->latency);
    EXPECT_EQ(optimum->objective, front->objective);
    if (metric != mapper::Metric::EnergyDelayProduct)
      continue;
    mp.settings.boundPruning = false;
    auto walked = mapper::map(mp);
    ASSERT_TRUE(walked);
    // For the energy-delay product the front is a whole trade-off, of
    // which the optimum is one point (a single metric's front is little
    // more than its optimum: the other quantity only breaks ties); where
    // the bounds leave little of either to walk, they cost the same.
    EXPECT_LE(optimum->stats.evaluatedPmappings,
              front->stats.evaluatedPmappings);
    EXPECT_EQ(optimum->energy, walked->energy);
    EXPECT_EQ(optimum->latency, walked->latency);
    EXPECT_EQ(optimum->objective, walked->objective);
  }
}

// The optimum-only search runs its pieces in waves, each pruning against
// the best row of those before it: the waves are fixed, so the walk, its
// pmappings and its answer are the same at any thread count.
TEST_P(OptimumOnly, WalksTheSameAtAnyThreadCount) {
  const Case &c = GetParam();
  Lowered l = lowerStdlib(c.arch, c.workload, params(c.params), nullptr);
  ASSERT_TRUE(l.problem) << l.compiled->errors;
  mapper::MapperProblem mp = *l.problem;
  searchWithKernelBounds(mp, mapper::Metric::EnergyDelayProduct, 0);
  std::optional<mapper::MapperResult> first;
  for (int threads : {1, 2, 3}) {
    SCOPED_TRACE(threads);
    mp.settings.threads = threads;
    auto r = mapper::map(mp);
    ASSERT_TRUE(r);
    if (!first) {
      // Many waves: the incumbent is handed on many times.
      EXPECT_GT(r->stats.pieces, 10u * 32u);
      first = std::move(*r);
      continue;
    }
    EXPECT_EQ(r->energy, first->energy);
    EXPECT_EQ(r->latency, first->latency);
    EXPECT_EQ(r->stats.evaluatedPmappings, first->stats.evaluatedPmappings);
    EXPECT_EQ(r->stats.boundedSubtrees, first->stats.boundedSubtrees);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Stdlib, OptimumOnly,
    ::testing::Values(
        Case{"eyeriss_conv",
             "eyeriss",
             "cnns/conv2d",
             {{"OUT_ROWS", 4},
              {"OUT_COLS", 4},
              {"IN_CHANNELS", 8},
              {"OUT_CHANNELS", 16}}},
        Case{"simba_conv",
             "simba",
             "cnns/conv2d",
             {{"OUT_ROWS", 6},
              {"OUT_COLS", 6},
              {"IN_CHANNELS", 8},
              {"OUT_CHANNELS", 8}}},
        Case{"tpu_v4i_conv",
             "tpu_v4i",
             "cnns/conv2d",
             {{"OUT_ROWS", 2},
              {"OUT_COLS", 2},
              {"IN_CHANNELS", 2},
              {"OUT_CHANNELS", 4}}},
        Case{"tpu_v4i_matmul",
             "tpu_v4i",
             "basic/matmuls",
             {{"N_EINSUMS", 1}, {"M", 96}, {"KN", 48}}}),
    [](const ::testing::TestParamInfo<Case> &info) { return info.param.name; });

// Unfused, a probe's rows of an Einsum prune every template of it from
// the first node: a completion with more energy and no less latency than
// one of them is not on the Einsum's front. The fronts are those of the
// search without a probe, at fewer costed pmappings.
TEST(ProbeRows, PruneEveryTemplateOfTheirEinsum) {
  Lowered l = lowerStdlib("tpu_v4i", "basic/matmuls",
                          params({{"N_EINSUMS", 2}, {"M", 512}, {"KN", 1024}}),
                          nullptr);
  ASSERT_TRUE(l.problem) << l.compiled->errors;
  mapper::MapperProblem &mp = *l.problem;
  searchWithKernelBounds(mp, mapper::Metric::EnergyDelayProduct,
                         mp.settings.boundAfterLeaves);
  auto probed = mapper::map(mp);
  mp.settings.probeLeaves = 0;
  auto unprobed = mapper::map(mp);
  ASSERT_TRUE(probed && unprobed);
  EXPECT_LT(probed->stats.evaluatedPmappings,
            unprobed->stats.evaluatedPmappings / 2);
  EXPECT_EQ(probed->energy, unprobed->energy);
  EXPECT_EQ(probed->latency, unprobed->latency);
  expectSameEinsumFronts(*probed, *unprobed);
}

class UnfusedBound : public ::testing::TestWithParam<Case> {};

// A fused search bounded by the unfused optimum's front (mapped first)
// drops only partial tile shapes no whole mapping of the front can take:
// the optimum, every Einsum's tile shapes and the front stay.
TEST_P(UnfusedBound, KeepsTheExactAnswer) {
  const Case &c = GetParam();
  Lowered l = lowerStdlib(c.arch, c.workload, params(c.params), nullptr);
  ASSERT_TRUE(l.problem) << l.compiled->errors;
  mapper::MapperProblem walked = *l.problem;
  searchWithKernelBounds(walked, mapper::Metric::EnergyDelayProduct, 0);
  walked.settings.unfused = false;
  walked.settings.maxFusedLoops = 1;
  walked.settings.unfusedBoundTileShapes =
      std::numeric_limits<double>::infinity();
  mapper::MapperProblem bounded = walked;
  bounded.settings.unfusedBoundTileShapes = 0;
  auto a = mapper::map(walked), b = mapper::map(bounded);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->stats.subtreesBoundedByUnfused, 0u);
  EXPECT_GT(b->stats.subtreesBoundedByUnfused, 0u);
  EXPECT_EQ(a->energy, b->energy);
  EXPECT_EQ(a->latency, b->latency);
  EXPECT_EQ(a->stats.onChipTensors, b->stats.onChipTensors);
  ASSERT_EQ(a->choices.size(), b->choices.size());
  for (size_t e = 0; e < a->choices.size(); ++e) {
    SCOPED_TRACE(a->choices[e].einsum);
    EXPECT_EQ(a->choices[e].templateDescription,
              b->choices[e].templateDescription);
    EXPECT_EQ(a->choices[e].row.tileShapes, b->choices[e].row.tileShapes);
  }
  ASSERT_EQ(a->front.size(), b->front.size());
  for (size_t k = 0; k < a->front.size(); ++k) {
    EXPECT_EQ(a->front[k].energy, b->front[k].energy);
    EXPECT_EQ(a->front[k].latency, b->front[k].latency);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Stdlib, UnfusedBound,
    ::testing::Values(
        Case{"tpu_v4i_three_matmuls",
             "tpu_v4i",
             "basic/three_matmuls_annotated",
             {}},
        Case{"eyeriss_three_matmuls",
             "eyeriss",
             "basic/three_matmuls_annotated",
             {}},
        Case{"tpu_v4i_matmuls",
             "tpu_v4i",
             "basic/matmuls",
             {{"N_EINSUMS", 2}, {"M", 64}, {"KN", 64}}}),
    [](const ::testing::TestParamInfo<Case> &info) { return info.param.name; });

class FusedBoundPruning : public ::testing::TestWithParam<Case> {};

// With fusion, rows carry a Pareto group; a template without fused loops
// puts all its rows in one, and only those templates are bounded.
TEST_P(FusedBoundPruning, FindsWhatTheFullWalkFinds) {
  expectBoundsFindWhatTheFullWalkFinds(GetParam(), 0, /*unfused=*/false);
}

INSTANTIATE_TEST_SUITE_P(
    Stdlib, FusedBoundPruning,
    ::testing::Values(
        Case{"eyeriss_matmuls",
             "eyeriss",
             "basic/matmuls",
             {{"N_EINSUMS", 2}, {"M", 64}, {"KN", 64}}},
        Case{"simba_gpt3_decode",
             "simba",
             "transformers/gpt/gpt3_6.7B",
             {{"BATCH_SIZE", 1},
              {"DECODE", 1},
              {"N_CACHED_TOKENS", 2047},
              {"N_NEW_TOKENS", 1}}}),
    [](const ::testing::TestParamInfo<Case> &info) { return info.param.name; });

} // namespace
