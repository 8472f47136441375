//===- FusionTest.cpp - the fusion join against invariants -----------------===//
//
// Invariants of the fused search that hold whatever the reference says:
// the fused space contains the unfused one, so its optimum is never worse;
// the joined mapping evaluates (with the model, from scratch) to the totals
// the join summed and fits every memory; the answer does not depend on the
// thread count; and fused-loop limits are honoured by the chosen mapping.
// The reference's own fused optima are checked in RegressionTest.cpp.
//
//===----------------------------------------------------------------------===//

#include "StdlibProblems.h"

#include "afc/mapper/Mapper.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace afc;
using namespace afc::mapper;

namespace {

struct Case {
  std::string arch, workload;
  afc::test::StdlibParams params;
};

std::vector<Case> cases() {
  afc::test::StdlibParams two = {{"N_EINSUMS", 2}, {"M", 64}, {"KN", 64}};
  return {{"simple", "basic/matmuls", two},
          {"eyeriss", "basic/matmuls", two},
          {"simba", "basic/matmuls", two},
          {"tpu_v4i", "basic/three_matmuls_annotated", {}},
          {"eyeriss", "basic/three_matmuls_annotated", {}}};
}

MapperProblem problemFor(const Case &c, bool unfused, Metric metric) {
  MapperProblem mp =
      afc::test::stdlibMapperProblem(c.arch, c.workload, c.params, unfused);
  mp.settings.metric = metric;
  mp.settings.maxFusedLoops = 1;
  mp.settings.unfused = unfused;
  return mp;
}

std::string name(const Case &c) { return c.arch + " " + c.workload; }

TEST(Fusion, NeverWorseThanUnfused) {
  for (const Case &c : cases())
    for (Metric metric : {Metric::Energy, Metric::Latency,
                          Metric::EnergyDelayProduct}) {
      auto fused = map(problemFor(c, false, metric));
      auto unfused = map(problemFor(c, true, metric));
      ASSERT_TRUE(bool(fused)) << name(c) << ": " << fused.error().message;
      ASSERT_TRUE(bool(unfused)) << name(c) << ": " << unfused.error().message;
      EXPECT_LE(fused->objective, unfused->objective * (1 + 1e-12))
          << name(c) << " metric " << int(metric);
      EXPECT_TRUE(fused->stats.fusionSearched) << name(c);
      EXPECT_FALSE(unfused->stats.fusionSearched) << name(c);
    }
}

TEST(Fusion, JoinedMappingEvaluatesToTheJoinTotals) {
  for (const Case &c : cases()) {
    MapperProblem mp = problemFor(c, false, Metric::EnergyDelayProduct);
    auto r = map(mp);
    ASSERT_TRUE(bool(r)) << name(c) << ": " << r.error().message;
    model::EvaluateOptions o = mp.evaluateOptions;
    o.detailed = true;
    auto again = model::evaluate(mp.problem, r->mapping, o);
    ASSERT_TRUE(bool(again)) << name(c) << ": " << again.error().message;
    EXPECT_NEAR(again->energy / r->energy, 1, 1e-6) << name(c);
    EXPECT_NEAR(again->latency / r->latency, 1, 1e-6) << name(c);
    for (const model::MemoryUsage &u : again->resourceUsage)
      EXPECT_LE(u.usage, 1.0) << name(c) << " " << u.memory;
  }
}

TEST(Fusion, SameAnswerOnOneAndTwoThreads) {
  for (const Case &c : cases()) {
    MapperProblem one = problemFor(c, false, Metric::EnergyDelayProduct);
    MapperProblem two = one;
    one.settings.threads = 1;
    two.settings.threads = 2;
    auto a = map(one), b = map(two);
    ASSERT_TRUE(a && b) << name(c);
    EXPECT_EQ(a->energy, b->energy) << name(c);
    EXPECT_EQ(a->latency, b->latency) << name(c);
    EXPECT_EQ(a->stats.onChipTensors, b->stats.onChipTensors) << name(c);
    ASSERT_EQ(a->choices.size(), b->choices.size());
    for (size_t e = 0; e < a->choices.size(); ++e) {
      EXPECT_EQ(a->choices[e].templateDescription,
                b->choices[e].templateDescription)
          << name(c);
      EXPECT_EQ(a->choices[e].row.tileShapes, b->choices[e].row.tileShapes)
          << name(c);
    }
  }
}

// The narrow join only bounds the exact one: any width, or none, gives the
// same optimum, mapping and front.
TEST(Fusion, JoinBoundsKeepTheExactAnswer) {
  std::vector<Case> all = cases();
  all.push_back({"simba",
                 "transformers/gpt/gpt3_6.7B",
                 {{"BATCH_SIZE", 1},
                  {"DECODE", 1},
                  {"N_CACHED_TOKENS", 2047},
                  {"N_NEW_TOKENS", 1}}});
  for (const Case &c : all) {
    MapperProblem exact = problemFor(c, false, Metric::EnergyDelayProduct);
    exact.settings.joinBoundWidth = 0;
    auto a = map(exact);
    ASSERT_TRUE(bool(a)) << name(c) << ": " << a.error().message;
    for (size_t width : {1, 32}) {
      MapperProblem bounded = exact;
      bounded.settings.joinBoundWidth = width;
      auto b = map(bounded);
      ASSERT_TRUE(bool(b)) << name(c) << ": " << b.error().message;
      EXPECT_EQ(a->energy, b->energy) << name(c) << " width " << width;
      EXPECT_EQ(a->latency, b->latency) << name(c) << " width " << width;
      EXPECT_EQ(a->stats.onChipTensors, b->stats.onChipTensors) << name(c);
      ASSERT_EQ(a->choices.size(), b->choices.size());
      for (size_t e = 0; e < a->choices.size(); ++e)
        EXPECT_EQ(a->choices[e].row.tileShapes, b->choices[e].row.tileShapes)
            << name(c) << " width " << width;
      ASSERT_EQ(a->front.size(), b->front.size()) << name(c);
      for (size_t k = 0; k < a->front.size(); ++k) {
        EXPECT_EQ(a->front[k].energy, b->front[k].energy) << name(c);
        EXPECT_EQ(a->front[k].latency, b->front[k].latency) << name(c);
      }
    }
  }
}

/// Loops above the sequential that splits the Einsums: the loops they share.
int sharedLoopsAtTop(const std::vector<model::MappingNode> &nodes) {
  int loops = 0;
  for (const model::MappingNode &n : nodes) {
    if (n.kind == model::MappingNodeKind::Sequential) {
      int deepest = 0;
      for (const model::MappingNode &branch : n.children)
        deepest = std::max(deepest, sharedLoopsAtTop(branch.children));
      return loops + deepest;
    }
    loops += n.isLoop();
  }
  return 0; // a single chain: nothing shared below this point
}

TEST(Fusion, FusedLoopLimitIsHonoured) {
  // simple with costly main memory and a 1 Kib buffer: T1 (16 x 16 x 8
  // bits) fits on chip only as an 8 x 8 tile, which takes two shared loops
  // (m and n1). One loop leaves 8 x 16 x 8 = 1 Kib of T1 alone, and the
  // Einsums' other tiles need room too.
  Case c{"simple", "basic/matmuls",
         {{"N_EINSUMS", 2},
          {"M", 16},
          {"KN", 16},
          {"MainMemoryEnergy", 3},
          {"GlobalBufferSize", 1024}}};
  for (int limit : {0, 1, 2}) {
    MapperProblem mp = problemFor(c, false, Metric::Energy);
    mp.settings.maxFusedLoops = limit;
    auto r = map(mp);
    ASSERT_TRUE(bool(r)) << r.error().message;
    int shared = sharedLoopsAtTop(r->mapping.nodes);
    EXPECT_LE(shared, limit) << "limit " << limit;
    if (limit < 2) {
      EXPECT_TRUE(r->stats.onChipTensors.empty()) << "limit " << limit;
    } else {
      EXPECT_EQ(shared, 2);
      EXPECT_EQ(r->stats.onChipTensors, std::vector<std::string>{"T1"});
    }
  }
}

} // namespace
