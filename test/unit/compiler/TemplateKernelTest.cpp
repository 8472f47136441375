//===- TemplateKernelTest.cpp - template kernels agree with the model -----===//
//
// The differential test of the mapper's generated kernels: for every
// template of several stdlib architectures and workloads, every tile-shape
// vector the search costs is scored three ways, by the JIT-compiled kernel,
// by the interpreter of the same cost graph and by the model itself
// (model::Evaluator on the explicit mapping). Validity, energy and latency
// must agree bit for bit.
//
//===----------------------------------------------------------------------===//
#include "StdlibProblems.h"

#include "afc/lower/TemplateKernel.h"
#include "afc/mapper/Mapper.h"
#include "afc/mapper/Template.h"
#include "afc/mapper/TileShapes.h"

#include "gtest/gtest.h"

#include <cstring>
#include <sstream>

using namespace afc;
using afc::test::Lowered;
using afc::test::lowerStdlib;
using afc::test::params;

namespace {

bool sameBits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

struct Case {
  std::string name, arch, workload;
  afc::test::StdlibParams params;
  bool imperfect = false; ///< explore imperfect factors too
};

class TemplateKernels : public ::testing::TestWithParam<Case> {};

TEST_P(TemplateKernels, AgreeWithTheModelOnEveryCostedTileShape) {
  const Case &c = GetParam();
  Lowered l = lowerStdlib(c.arch, c.workload, params(c.params), nullptr);
  ASSERT_TRUE(l.problem) << l.compiled->errors;
  l.problem->settings.exploreImperfectSpatialLoops = c.imperfect;
  l.problem->settings.exploreImperfectTemporalLoops = c.imperfect;
  const mapper::MapperProblem &mp = *l.problem;
  model::Evaluator evaluator(mp.problem, mp.costingOptions());
  codegen::KernelCompiler *jit = lower::sharedKernelCompiler();
  ASSERT_TRUE(jit);

  size_t templates = 0, candidates = 0, valid = 0;
  for (uint32_t e = 0; e < mp.problem.workload.einsums.size(); ++e)
    for (const model::FlattenedArch &arch : mp.problem.architectures) {
      if (!arch.einsum.empty() &&
          arch.einsum != mp.problem.workload.einsums[e].name)
        continue;
      mapper::EinsumView view = mapper::makeEinsumView(mp, e, arch);
      for (const mapper::Template &tpl : mapper::enumerateTemplates(
               mp, view, mp.rulesFor(mp.problem.workload.einsums[e].name))) {
        ++templates;
        mapper::TemplateCost cost(mp, view, tpl);
        std::vector<const model::MappingNode *> loops = cost.loops();
        model::Expected<lower::TemplateGraph> traced =
            lower::traceTemplate(evaluator, cost.structure(), loops);
        ASSERT_TRUE(bool(traced))
            << describe(view, tpl) << ": " << traced.error().message;
        std::string error;
        codegen::KernelFn fn = jit->compile(traced->graph, "check", error);
        ASSERT_TRUE(fn) << error;

        // A kernel that scores with all three and records disagreements.
        mapper::TemplateKernel checking;
        checking.point = traced->point;
        model::Result scratch;
        std::vector<std::string> failures;
        checking.score = [&](const double *point, const double *tiles,
                             double *out, int64_t n) {
          ASSERT_EQ(n, 1);
          double interpreted[3];
          fn(point, tiles, out, 1);
          traced->graph.interpret(point, tiles, interpreted);
          std::vector<int64_t> shape(loops.size());
          for (size_t i = 0; i < shape.size(); ++i)
            shape[i] = int64_t(tiles[i]);
          std::optional<model::ModelError> err =
              evaluator.evaluateInto(cost.mapping(shape), scratch);
          ++candidates;
          valid += !err;
          bool agree = (out[2] == 0) == !err;
          for (int k = 0; k < 3; ++k)
            agree &= sameBits(out[k], interpreted[k]);
          if (!err)
            agree &= sameBits(out[0], scratch.energy) &&
                     sameBits(out[1], scratch.latency);
          if (!agree && failures.size() < 3) {
            std::ostringstream os;
            os << describe(view, tpl) << " tiles";
            for (int64_t t : shape)
              os << " " << t;
            os << ": kernel " << out[0] << " J " << out[1] << " s " << out[2]
               << " failed, model ";
            if (err)
              os << err->message;
            else
              os << scratch.energy << " J " << scratch.latency << " s";
            failures.push_back(os.str());
          }
        };
        // As the mapper searches: with the min_usage shortcut, which costs
        // only tile shapes whose spatial usage survives.
        mapper::TemplateSearchStats stats;
        mapper::searchTemplate(mp, view, tpl, evaluator, 0, 0, stats,
                               &checking);
        for (const std::string &f : failures)
          ADD_FAILURE() << f;
      }
    }
  EXPECT_GT(templates, 0u);
  EXPECT_GT(valid, 0u);
  RecordProperty("candidates", std::to_string(candidates));
}

/// `arch` with workloads/basic/matmuls.af at M = KN = 64.
Case matmuls(const char *arch, int nEinsums) {
  return {std::string(arch) + "_matmuls",
          arch,
          "basic/matmuls",
          {{"N_EINSUMS", nEinsums}, {"M", 64}, {"KN", 64}}};
}

INSTANTIATE_TEST_SUITE_P(
    Stdlib, TemplateKernels,
    ::testing::Values(matmuls("simple", 2), matmuls("eyeriss", 1),
                      matmuls("simba", 1), matmuls("tpu_v4i", 1),
                      matmuls("snowcat", 1),
                      Case{"eyeriss_mobilenet",
                           "eyeriss",
                           "cnns/mobilenet/mobilenet_28",
                           {},
                           false},
                      // Hops through two levels of mesh networks.
                      Case{"networked_hierarchical_matmuls",
                           "networked/hierarchical",
                           "basic/matmuls",
                           {{"N_EINSUMS", 1}, {"M", 4}, {"KN", 4}},
                           false},
                      Case{"eyeriss_imperfect_matmuls",
                           "eyeriss",
                           "basic/matmuls",
                           {{"N_EINSUMS", 1}, {"M", 61}, {"KN", 40}},
                           true}),
    [](const ::testing::TestParamInfo<Case> &info) { return info.param.name; });

// Design-point values are kernel arguments: a template traced at two sizes
// of the global buffer gives the same graph (one compiled kernel serves a
// whole sweep) with different point values.
TEST(TemplateKernel, DesignPointValuesAreArguments) {
  std::vector<std::string> keys;
  std::vector<std::vector<double>> points;
  for (double bits : {4096.0, 1048576.0}) {
    lower::PointOverrides ov;
    ov.fields["GlobalBuffer"]["size"] = ir::Value::number(bits, dim::bits);
    Lowered l =
        lowerStdlib("eyeriss", "basic/matmuls",
                    params({{"N_EINSUMS", 1}, {"M", 64}, {"KN", 64}}), &ov);
    ASSERT_TRUE(l.problem) << l.compiled->errors;
    const mapper::MapperProblem &mp = *l.problem;
    model::Evaluator evaluator(mp.problem);
    const model::FlattenedArch &arch = mp.problem.architectures[0];
    mapper::EinsumView view = mapper::makeEinsumView(mp, 0, arch);
    std::vector<mapper::Template> templates = mapper::enumerateTemplates(
        mp, view, mp.rulesFor(mp.problem.workload.einsums[0].name));
    ASSERT_FALSE(templates.empty());
    mapper::TemplateCost cost(mp, view, templates.back());
    auto traced =
        lower::traceTemplate(evaluator, cost.structure(), cost.loops());
    ASSERT_TRUE(bool(traced)) << traced.error().message;
    keys.push_back(traced->graph.structuralKey());
    std::vector<double> values;
    for (const model::PointValue &v : traced->point)
      values.push_back(model::pointValue(arch, v));
    points.push_back(values);
  }
  EXPECT_EQ(keys[0], keys[1]);
  EXPECT_NE(points[0], points[1]);
}

} // namespace

namespace {

// Without force_memory_hierarchy_order some templates place a spatial loop
// where the model can never relocate it: tracing finds that once, and the
// search skips those templates. The answer equals the search that costs
// every candidate with the model.
TEST(TemplateKernel, StructurallyInvalidTemplatesAreSkipped) {
  Lowered l =
      lowerStdlib("eyeriss", "basic/matmuls",
                  params({{"N_EINSUMS", 1}, {"M", 64}, {"KN", 64}}), nullptr);
  ASSERT_TRUE(l.problem) << l.compiled->errors;
  mapper::MapperProblem &mp = *l.problem;
  mp.settings.forceMemoryHierarchyOrder = false;
  mp.settings.detailedResult = false;
  auto byModel = mapper::map(mp);
  mp.settings.templateKernels =
      lower::templateKernelFactory({lower::sharedKernelCompiler()});
  auto byKernels = mapper::map(mp);
  ASSERT_TRUE(byModel && byKernels);
  EXPECT_GT(byKernels->stats.invalidTemplates, 0u);
  EXPECT_EQ(byKernels->stats.kernelTemplates +
                byKernels->stats.invalidTemplates,
            byKernels->stats.templates);
  EXPECT_LT(byKernels->stats.evaluatedPmappings,
            byModel->stats.evaluatedPmappings);
  EXPECT_EQ(byKernels->energy, byModel->energy);
  EXPECT_EQ(byKernels->latency, byModel->latency);
  EXPECT_EQ(byKernels->choices[0].row.tileShapes,
            byModel->choices[0].row.tileShapes);
}

// The Q, K and V projections of a transformer layer have one shape: their
// templates are searched once and share the rows, and the answer is the one
// searching each of them gives, choice by choice.
TEST(TemplateKernel, RepeatedEinsumsAreSearchedOnce) {
  Lowered l = lowerStdlib(
      "eyeriss", "transformers/gpt/gpt3_6.7B",
      params({{"BATCH_SIZE", 1}, {"DECODE", 0}, {"N_NEW_TOKENS", 64}}),
      nullptr);
  ASSERT_TRUE(l.problem) << l.compiled->errors;
  mapper::MapperProblem &mp = *l.problem;
  mp.settings.metric = mapper::Metric::EnergyDelayProduct;
  mp.settings.templateKernels =
      lower::templateKernelFactory({lower::sharedKernelCompiler()});
  auto reused = mapper::map(mp);
  mp.settings.reuseRepeatedSearches = false;
  auto searched = mapper::map(mp);
  ASSERT_TRUE(reused && searched);
  EXPECT_GT(reused->stats.repeatedTemplates, 0u);
  EXPECT_EQ(searched->stats.repeatedTemplates, 0u);
  EXPECT_LT(reused->stats.evaluatedPmappings,
            searched->stats.evaluatedPmappings);
  EXPECT_EQ(reused->stats.paretoPmappings, searched->stats.paretoPmappings);
  EXPECT_EQ(reused->energy, searched->energy);
  EXPECT_EQ(reused->latency, searched->latency);
  ASSERT_EQ(reused->choices.size(), searched->choices.size());
  for (size_t i = 0; i < reused->choices.size(); ++i) {
    SCOPED_TRACE(reused->choices[i].einsum);
    EXPECT_EQ(reused->choices[i].einsum, searched->choices[i].einsum);
    EXPECT_EQ(reused->choices[i].templateDescription,
              searched->choices[i].templateDescription);
    EXPECT_EQ(reused->choices[i].row.tileShapes,
              searched->choices[i].row.tileShapes);
    EXPECT_EQ(reused->choices[i].row.energy, searched->choices[i].row.energy);
  }
  ASSERT_EQ(reused->einsumFronts.size(), searched->einsumFronts.size());
  for (size_t e = 0; e < reused->einsumFronts.size(); ++e)
    EXPECT_EQ(reused->einsumFronts[e].size(), searched->einsumFronts[e].size());
}

} // namespace
