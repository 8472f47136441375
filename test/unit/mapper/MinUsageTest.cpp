//===- MinUsageTest.cpp - Pareto fronts, min_usage and search modes -------===//
//
// The units map() is built from, on their own: the one Pareto front (tie
// rule, order, rows completed only when kept), the min_usage "try best" rule
// and its redo check, and the search modes, whose pieces must merge into the
// answer of a single sequential search.
//
//===----------------------------------------------------------------------===//

#include "StdlibProblems.h"

#include "afc/mapper/Mapper.h"

#include "afc/support/InternalError.h"

#include <gtest/gtest.h>

using namespace afc;
using namespace afc::mapper;

namespace {

PmappingRow row(double energy, double latency, uint64_t sequence) {
  PmappingRow r;
  r.energy = energy;
  r.latency = latency;
  r.sequence = sequence;
  return r;
}

TEST(ParetoFront, CompletesOnlyKeptRowsAndSortsByEnergy) {
  ParetoFront f(Metric::EnergyDelayProduct);
  int completed = 0;
  auto complete = [&](PmappingRow &r) {
    ++completed;
    r.tileShapes = {int64_t(r.sequence)};
  };
  EXPECT_TRUE(f.insert(row(3, 1, 1), complete));
  EXPECT_TRUE(f.insert(row(1, 3, 2), complete));
  EXPECT_FALSE(f.insert(row(3, 1, 3), complete)); // equal to the first
  EXPECT_FALSE(f.insert(row(4, 4, 4), complete)); // dominated
  EXPECT_TRUE(f.insert(row(2, 2, 5), complete));
  EXPECT_EQ(completed, 3);
  std::vector<PmappingRow> rows = f.takeByEnergy();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].sequence, 2u);
  EXPECT_EQ(rows[1].sequence, 5u);
  EXPECT_EQ(rows[2].sequence, 1u);
  EXPECT_EQ(rows[2].tileShapes, std::vector<int64_t>{1});
}

TEST(ParetoFront, OneObjectiveBreaksTiesByTheOther) {
  ParetoFront f(Metric::Latency);
  f.insert(row(5, 2, 1));
  f.insert(row(1, 2, 2)); // equal latency, less energy: replaces the first
  f.insert(row(1, 2, 3)); // equal in both: the earlier stays
  f.insert(row(0.5, 3, 4)); // less energy does not beat more latency
  ASSERT_EQ(f.rows().size(), 1u);
  EXPECT_EQ(f.rows()[0].sequence, 2u);
  ParetoFront e(Metric::Energy);
  e.insert(row(2, 5, 1));
  e.insert(row(2, 1, 2)); // equal energy, less latency
  ASSERT_EQ(e.rows().size(), 1u);
  EXPECT_EQ(e.rows()[0].sequence, 2u);
}

EinsumView viewWithMinUsage(std::vector<double> minUsage) {
  EinsumView v;
  for (double m : minUsage) {
    EinsumView::DimRule d;
    d.fanout = 4;
    d.minUsage = m;
    v.dims.push_back(d);
  }
  return v;
}

TEST(MinUsage, TryBestPerDimensionInOrder) {
  EinsumView v = viewWithMinUsage({1.0, 0.5});
  // Some keys reach the first minimum: only those stay; none of them
  // reaches the second, so the highest second usage wins.
  UsageKeys keys = {{1.0, 0.25}, {1.0, 0.125}, {0.5, 1.0}};
  EXPECT_EQ(survivingKeys(v, keys), (UsageKeys{{1.0, 0.25}}));
  // No key reaches the first: the highest usage stays.
  UsageKeys low = {{0.5, 1.0}, {0.25, 1.0}};
  EXPECT_EQ(survivingKeys(v, low), (UsageKeys{{0.5, 1.0}}));
  EXPECT_TRUE(hasMinUsage(v));
  EXPECT_FALSE(hasMinUsage(viewWithMinUsage({0, 0})));
}

TEST(MinUsage, KeysLostWhenASurvivingKeyHasNoRow) {
  UsageKeys surviving = {{1.0}, {0.5}};
  std::vector<PartialMap> pieces(2);
  pieces[0]
      .try_emplace({1.0}, Metric::Energy)
      .first->second.insert(row(1, 1, 0));
  pieces[1].try_emplace({0.5}, Metric::Energy); // empty: rejected by model
  EXPECT_TRUE(usageKeysLost(surviving, pieces));
  // A probe's row of {0.5} is a row the model accepted: the key is not
  // lost though the pieces cut all of its own; another key's row is not
  // one of it.
  EXPECT_FALSE(usageKeysLost(surviving, pieces, UsageKeys{{0.5}}));
  EXPECT_TRUE(usageKeysLost(surviving, pieces, UsageKeys{{1.0}}));
  pieces[1].at({0.5}).insert(row(2, 2, 1));
  EXPECT_FALSE(usageKeysLost(surviving, pieces));
}

struct SeedTemplates {
  MapperProblem problem;
  EinsumView view;
  std::vector<Template> templates;
};

/// The templates of the first Einsum of a stdlib problem.
SeedTemplates templatesOf(const std::string &arch, const std::string &workload,
                          const afc::test::StdlibParams &params,
                          uint32_t einsum = 0) {
  SeedTemplates s{afc::test::stdlibMapperProblem(arch, workload, params),
                  {},
                  {}};
  s.view =
      makeEinsumView(s.problem, einsum, s.problem.problem.architectures[0]);
  s.templates = enumerateTemplates(
      s.problem, s.view,
      s.problem.rulesFor(s.problem.problem.workload.einsums[einsum].name));
  return s;
}

SeedTemplates eyerissTemplates() {
  return templatesOf("eyeriss", "basic/matmuls",
                     {{"N_EINSUMS", 1}, {"M", 64.0}, {"KN", 64.0}});
}

void expectSameRows(const std::vector<PmappingRow> &a,
                    const std::vector<PmappingRow> &b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].energy, b[i].energy);
    EXPECT_EQ(a[i].latency, b[i].latency);
    EXPECT_EQ(a[i].tileShapes, b[i].tileShapes);
  }
}

// Pieces searched separately and merged in order give the sequential
// answer, in every mode; the shortcut costs only surviving keys.
TEST(SearchModes, PiecesMergeIntoTheSequentialSearch) {
  SeedTemplates s = eyerissTemplates();
  ASSERT_TRUE(hasMinUsage(s.view));
  model::Evaluator evaluator(s.problem.problem, s.problem.costingOptions());
  for (const Template &tpl : s.templates) {
    std::vector<std::vector<int64_t>> prefixes =
        splitTemplate(s.problem, s.view, tpl, evaluator, 4);
    PieceRequest whole{.view = s.view, .tpl = tpl};
    whole.mode = SearchMode::CollectUsageKeys;
    UsageKeys keys = searchPiece(s.problem, whole, evaluator).keys;
    UsageKeys merged;
    std::vector<PartialMap> pieces;
    for (size_t k = 0; k < prefixes.size(); ++k) {
      PieceRequest request{.view = s.view,
                           .tpl = tpl,
                           .mode = SearchMode::CollectUsageKeys,
                           .prefix = prefixes[k],
                           .piece = uint32_t(k)};
      UsageKeys found = searchPiece(s.problem, request, evaluator).keys;
      merged.insert(found.begin(), found.end());
      request.mode = SearchMode::CostAll;
      pieces.push_back(searchPiece(s.problem, request, evaluator).rows);
    }
    EXPECT_EQ(keys, merged);

    TemplateSearchStats stats;
    std::vector<PmappingRow> split =
        finishTemplate(s.problem, s.view, std::move(pieces), stats);
    MapperProblem brute = s.problem;
    brute.settings.minUsageShortcut = false;
    std::vector<PmappingRow> sequential =
        searchTemplate(brute, s.view, tpl, evaluator, 0, 0, stats);
    expectSameRows(split, sequential);

    UsageKeys surviving = survivingKeys(s.view, keys);
    PieceRequest onlySurviving{.view = s.view,
                               .tpl = tpl,
                               .mode = SearchMode::CostSurvivingKeys,
                               .survivingKeys = &surviving};
    for (const auto &[key, front] :
         searchPiece(s.problem, onlySurviving, evaluator).rows)
      EXPECT_TRUE(surviving.count(key));
  }
}

TEST(SearchModes, CostingSurvivingKeysWithoutThemIsAnInternalError) {
  SeedTemplates s = eyerissTemplates();
  model::Evaluator evaluator(s.problem.problem, s.problem.costingOptions());
  PieceRequest request{.view = s.view,
                       .tpl = s.templates[0],
                       .mode = SearchMode::CostSurvivingKeys};
  EXPECT_THROW(searchPiece(s.problem, request, evaluator), InternalError);
}

// The usage keys found from the spatial bounds alone are exactly those of
// every feasible tile shape, as walking the whole tree finds them, on every
// template of arrays with min_usage (the TPU's array is where the walk was
// slow) and without.
TEST(SearchModes, SpatialBoundsGiveTheKeysOfEveryFeasibleTileShape) {
  struct Case {
    const char *arch, *workload;
    afc::test::StdlibParams params;
  };
  const Case cases[] = {
      {"tpu_v4i", "basic/matmuls",
       {{"N_EINSUMS", 1}, {"M", 256.0}, {"KN", 384.0}}},
      {"eyeriss", "basic/matmuls",
       {{"N_EINSUMS", 1}, {"M", 96.0}, {"KN", 64.0}}},
      {"simba", "basic/matmuls",
       {{"N_EINSUMS", 1}, {"M", 128.0}, {"KN", 60.0}}},
      {"tpu_v4i", "basic/matmuls",
       {{"N_EINSUMS", 1}, {"M", 96.0}, {"KN", 1000.0}}},
      {"simple", "basic/matmuls",
       {{"N_EINSUMS", 1}, {"M", 64.0}, {"KN", 64.0}}},
      {"fanout_variations/at_mac_with_constraints", "basic/matmuls",
       {{"N_EINSUMS", 1}, {"M", 64.0}, {"KN", 48.0}}},
      {"fanout_variations/at_glb", "basic/matmuls",
       {{"N_EINSUMS", 1}, {"M", 32.0}, {"KN", 64.0}}},
  };
  size_t compared = 0, keys = 0;
  for (const Case &c : cases) {
    SCOPED_TRACE(c.arch);
    SeedTemplates s = templatesOf(c.arch, c.workload, c.params);
    model::Evaluator evaluator(s.problem.problem, s.problem.costingOptions());
    for (const Template &tpl : s.templates) {
      std::optional<UsageKeys> direct =
          feasibleUsageKeys(s.problem, s.view, tpl, evaluator);
      ASSERT_TRUE(direct.has_value()) << describe(s.view, tpl);
      PieceRequest walk{.view = s.view,
                        .tpl = tpl,
                        .mode = SearchMode::CollectUsageKeys};
      UsageKeys walked = searchPiece(s.problem, walk, evaluator).keys;
      EXPECT_EQ(*direct, walked) << describe(s.view, tpl);
      ++compared;
      keys += walked.size();
    }
  }
  // Enough templates, most with several keys, for the comparison to bite.
  EXPECT_GT(compared, 100u);
  EXPECT_GT(keys, 3 * compared);
}

// A subtree whose spatial bounds can no longer make any usage key the rule
// keeps is cut before its usages are known: it holds no leaf the shortcut
// would cost, so every template's rows are the brute force's. Convolutions
// are where most subtrees are out of reach (their sliding windows and
// small filter ranks rarely fill an array exactly).
TEST(SearchModes, UsageOutOfReachCutsNoSurvivingLeaf) {
  struct Case {
    const char *arch, *workload;
    afc::test::StdlibParams params;
    uint32_t einsum;
    size_t templates; ///< the first ones (the brute force costs every leaf)
  };
  // Einsum 5 of mobilenet_various_separate: a 3 x 3 depthwise convolution,
  // 28 x 28 x 40.
  const Case cases[] = {
      {"eyeriss", "cnns/mobilenet/mobilenet_various_separate", {}, 5, 6},
      // The MAC array cut to 8 x 8, and a small matmul: the brute force
      // walks every tile shape of every template.
      {"tpu_v4i", "basic/matmuls",
       {{"N_EINSUMS", 1}, {"M", 16.0}, {"KN", 8.0}, {"TPU_V4I_ARRAY", 8}},
       0, 1000},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(c.arch);
    uint64_t cut = 0;
    SeedTemplates s = templatesOf(c.arch, c.workload, c.params, c.einsum);
    ASSERT_TRUE(hasMinUsage(s.view));
    model::Evaluator evaluator(s.problem.problem, s.problem.costingOptions());
    MapperProblem brute = s.problem;
    brute.settings.minUsageShortcut = false;
    for (const Template &tpl : std::span(s.templates).first(
             std::min(c.templates, s.templates.size()))) {
      TemplateSearchStats fastStats, bruteStats;
      std::vector<PmappingRow> fast =
          searchTemplate(s.problem, s.view, tpl, evaluator, 0, 0, fastStats);
      std::vector<PmappingRow> all =
          searchTemplate(brute, s.view, tpl, evaluator, 0, 0, bruteStats);
      SCOPED_TRACE(describe(s.view, tpl));
      ASSERT_EQ(fast.size(), all.size());
      for (size_t i = 0; i < fast.size(); ++i) {
        EXPECT_EQ(fast[i].energy, all[i].energy);
        EXPECT_EQ(fast[i].latency, all[i].latency);
        EXPECT_EQ(fast[i].tileShapes, all[i].tileShapes);
      }
      EXPECT_EQ(bruteStats.outOfUsageReach, 0u);
      cut += fastStats.outOfUsageReach;
    }
    EXPECT_GT(cut, 0u);
  }
}

// Where the spatial bounds do not decide feasibility, the keys come from the
// walk.
TEST(SearchModes, CoarseTilingWalksTheTree) {
  SeedTemplates s = eyerissTemplates();
  s.problem.settings.tilingCoarseness = 2;
  model::Evaluator evaluator(s.problem.problem, s.problem.costingOptions());
  EXPECT_FALSE(
      feasibleUsageKeys(s.problem, s.view, s.templates[0], evaluator));
}

} // namespace
