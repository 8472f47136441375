//===- KernelBench.cpp - the mapper's per-template cost kernels -----------===//
//
// Costing one pmapping three ways, on the tile shapes the search visits for
// the Eyeriss matmul of the seed walkthrough (stdlib eyeriss.af, 4096^3,
// 1 Mibit global buffer), one thread:
//
//   BM_PmappingCost/model        model::Evaluator on the explicit mapping
//   BM_PmappingCost/interpreted  the template's cost graph, interpreted
//   BM_PmappingCost/jit          the same graph compiled with LLVM ORC
//
// and the whole search of the seed design point with each (BM_SeedDesignPoint;
// arguments: costing, threads). Counters are pmapping evaluations per second
// per core; compare them within one run.
//
//===----------------------------------------------------------------------===//
#include "StdlibProblems.h"

#include "afc/lower/TemplateKernel.h"
#include "afc/mapper/Mapper.h"
#include "afc/mapper/TileShapes.h"

#include <benchmark/benchmark.h>

using namespace afc;

namespace {

enum Costing { Model, Interpreted, Jit };
const char *const kCostingNames[] = {"model", "interpreted", "jit"};

test::Lowered seedPoint() {
  return test::lowerStdlib(
      "eyeriss", "basic/matmuls",
      test::params({{"N_EINSUMS", 1}, {"M", 4096}, {"KN", 4096}}), nullptr);
}

mapper::TemplateKernelFactory factory(Costing costing) {
  if (costing == Model)
    return {};
  lower::KernelOptions kernels;
  if (costing == Jit)
    kernels.compiler = lower::sharedKernelCompiler();
  return lower::templateKernelFactory(kernels);
}

/// Every template's tile shapes as the search costs them, with the traced
/// graph of the template.
struct Workload {
  test::Lowered lowered;
  mapper::EinsumView view;
  std::vector<mapper::Template> templates;
  std::vector<std::vector<std::vector<double>>> candidates; ///< per template
};

Workload &workload() {
  static Workload w = [] {
    Workload w;
    w.lowered = seedPoint();
    const mapper::MapperProblem &mp = *w.lowered.problem;
    w.view = mapper::makeEinsumView(mp, 0, mp.problem.architectures[0]);
    w.templates = mapper::enumerateTemplates(
        mp, w.view, mp.rulesFor(mp.problem.workload.einsums[0].name));
    model::Evaluator evaluator(mp.problem);
    for (const mapper::Template &tpl : w.templates) {
      std::vector<std::vector<double>> seen;
      mapper::TemplateKernel collect;
      mapper::TemplateCost cost(mp, w.view, tpl);
      collect.score = [&](const double *, const double *tiles, double *out,
                          int64_t) {
        seen.emplace_back(tiles, tiles + cost.loops().size());
        out[0] = out[1] = out[2] = 0;
      };
      mapper::TemplateSearchStats stats;
      mapper::searchTemplate(mp, w.view, tpl, evaluator, 0, 0, stats,
                             &collect);
      w.candidates.push_back(std::move(seen));
    }
    return w;
  }();
  return w;
}

void BM_PmappingCost(benchmark::State &state) {
  Costing costing = Costing(state.range(0));
  state.SetLabel(kCostingNames[costing]);
  Workload &w = workload();
  const mapper::MapperProblem &mp = *w.lowered.problem;
  model::Evaluator evaluator(mp.problem, mp.costingOptions());

  // One TemplateCost per template, costing as the mapper does.
  std::vector<std::shared_ptr<const mapper::TemplateKernel>> kernels;
  if (costing != Model) {
    std::vector<mapper::TemplateCost> structures;
    std::vector<mapper::TemplateStructure> request;
    structures.reserve(w.templates.size());
    for (const mapper::Template &tpl : w.templates)
      structures.emplace_back(mp, w.view, tpl);
    for (const mapper::TemplateCost &c : structures)
      request.push_back({&c.structure(), c.loops()});
    kernels = factory(costing)(evaluator, request);
  }
  std::vector<mapper::TemplateCost> costs;
  for (size_t t = 0; t < w.templates.size(); ++t)
    costs.emplace_back(mp, w.view, w.templates[t],
                       kernels.empty() ? nullptr : kernels[t].get());
  model::Result scratch;
  std::vector<int64_t> tiles;
  uint64_t evaluated = 0;
  double sink = 0;
  for (auto _ : state)
    for (size_t t = 0; t < costs.size(); ++t)
      for (const std::vector<double> &c : w.candidates[t]) {
        tiles.assign(c.begin(), c.end());
        double energy = 0, latency = 0;
        if (costs[t].evaluate(tiles, evaluator, scratch, energy, latency))
          sink += energy;
        ++evaluated;
      }
  benchmark::DoNotOptimize(sink);
  state.counters["evaluations_per_s_per_core"] =
      benchmark::Counter(double(evaluated), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_PmappingCost)
    ->Arg(Model)
    ->Arg(Interpreted)
    ->Arg(Jit)
    ->Unit(benchmark::kMillisecond);

void BM_SeedDesignPoint(benchmark::State &state) {
  Costing costing = Costing(state.range(0));
  state.SetLabel(kCostingNames[costing]);
  test::Lowered l = seedPoint();
  mapper::MapperProblem &mp = *l.problem;
  mp.settings.metric = mapper::Metric::Energy;
  mp.settings.threads = int(state.range(1));
  mp.settings.detailedResult = false;
  mp.settings.templateKernels = factory(costing);
  uint64_t evaluated = 0;
  for (auto _ : state) {
    auto r = mapper::map(mp);
    if (!r) {
      state.SkipWithError(r.error().message.c_str());
      return;
    }
    evaluated += r->stats.evaluatedPmappings;
    state.counters["energy_J"] = r->energy;
  }
  state.counters["evaluations_per_s"] =
      benchmark::Counter(double(evaluated), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SeedDesignPoint)
    ->ArgsProduct({{Model, Interpreted, Jit}, {1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

} // namespace

BENCHMARK_MAIN();
