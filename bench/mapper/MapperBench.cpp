//===- MapperBench.cpp - afcMapper benchmarks -----------------------------===//
//
// BM_SeedDesignPoint: the design-space walkthrough's point (eyeriss, one
// 4096^3 matmul, metric energy, 1 Mb GlobalBuffer), whole search.
// BM_PmappingEvaluations: one thread, eyeriss 64^3, brute force (the
// min_usage shortcut off, so every feasible tile shape is costed); reports
// pmapping evaluations (tile shapes costed by the model) per second per core.
//
//===----------------------------------------------------------------------===//

#include "StdlibProblems.h"

#include "afc/mapper/Mapper.h"

#include <benchmark/benchmark.h>

using namespace afc;
using namespace afc::mapper;

namespace {

MapperProblem eyeriss(int64_t size, int threads) {
  // stdlib eyeriss.af with one matmul of workloads/basic/matmuls.af.
  MapperProblem p = test::stdlibMapperProblem(
      "eyeriss", "basic/matmuls",
      {{"N_EINSUMS", 1}, {"M", double(size)}, {"KN", double(size)}},
      /*unfused=*/false);
  p.settings.metric = Metric::Energy;
  p.settings.threads = threads;
  p.settings.detailedResult = false;
  return p;
}

void BM_SeedDesignPoint(benchmark::State &state) {
  MapperProblem p = eyeriss(4096, int(state.range(0)));
  uint64_t evaluated = 0;
  for (auto _ : state) {
    auto r = map(p);
    if (!r) {
      state.SkipWithError(r.error().message.c_str());
      return;
    }
    evaluated += r->stats.evaluatedPmappings;
    state.counters["energy_J"] = r->energy;
    state.counters["templates"] = double(r->stats.templates);
  }
  state.counters["evaluations"] =
      benchmark::Counter(double(evaluated), benchmark::Counter::kAvgIterations);
  state.counters["evaluations_per_s"] =
      benchmark::Counter(double(evaluated), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SeedDesignPoint)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)
    ->UseRealTime()->Iterations(1);

void BM_PmappingEvaluations(benchmark::State &state) {
  MapperProblem p = eyeriss(64, 1);
  p.settings.minUsageShortcut = false;
  uint64_t evaluated = 0;
  for (auto _ : state) {
    auto r = map(p);
    evaluated += r->stats.evaluatedPmappings;
  }
  state.counters["evaluations_per_s_per_core"] =
      benchmark::Counter(double(evaluated), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_PmappingEvaluations)->Unit(benchmark::kMillisecond)->UseRealTime();

} // namespace

BENCHMARK_MAIN();
