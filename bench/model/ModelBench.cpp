//===- ModelBench.cpp - evaluations per second of afcModel ----------------===//
//
// Times Evaluator::evaluateInto on the eyeriss matmul case of
// docs/design/model.md §13.2 and §13.3 (two 64 x 64 x 64 matmuls, 8 x 8 PEs,
// unfused and fused), the kind of call the mapper makes in its inner loop.
// Reports evaluations per second with full breakdowns and with totals only. The
// problem (stdlib eyeriss.af and workloads/basic/matmuls.af through the
// compiler) and the mappings are the model tests' own (ModelTestSupport), so
// the benchmark times exactly what the tests check.
//
//===----------------------------------------------------------------------===//

#include "ModelTestSupport.h"

#include <benchmark/benchmark.h>

using namespace afc::model;
using namespace afc::model::test;

namespace {

void run(benchmark::State &state, const Mapping &mapping, bool detailed) {
  Problem problem = eyerissMatmuls();
  EvaluateOptions options;
  options.detailed = detailed;
  Evaluator evaluator(problem, options);
  Result result;
  if (evaluator.evaluateInto(mapping, result)) {
    state.SkipWithError("the benchmark mapping is invalid");
    return;
  }
  for (auto _ : state) {
    auto err = evaluator.evaluateInto(mapping, result);
    benchmark::DoNotOptimize(err);
    benchmark::DoNotOptimize(result.energy);
  }
  state.counters["evals/s"] = benchmark::Counter(double(state.iterations()),
                                                 benchmark::Counter::kIsRate);
  state.counters["einsums/s"] = benchmark::Counter(
      2.0 * double(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_EyerissMatmulsUnfused(benchmark::State &state) {
  run(state, eyerissUnfusedMatmuls(), /*detailed=*/true);
}
void BM_EyerissMatmulsUnfusedTotalsOnly(benchmark::State &state) {
  run(state, eyerissUnfusedMatmuls(), /*detailed=*/false);
}
void BM_EyerissMatmulsFused(benchmark::State &state) {
  run(state, eyerissFusedMatmuls(), /*detailed=*/true);
}
void BM_EyerissMatmulsFusedTotalsOnly(benchmark::State &state) {
  run(state, eyerissFusedMatmuls(), /*detailed=*/false);
}

/// Building the Evaluator (name resolution, per-Einsum preparation) happens
/// once per problem, outside the inner loop; timed here for reference.
void BM_PrepareEyerissProblem(benchmark::State &state) {
  Problem problem = eyerissMatmuls();
  for (auto _ : state) {
    Evaluator evaluator(problem);
    benchmark::DoNotOptimize(&evaluator);
  }
}

} // namespace

BENCHMARK(BM_EyerissMatmulsUnfused);
BENCHMARK(BM_EyerissMatmulsUnfusedTotalsOnly);
BENCHMARK(BM_EyerissMatmulsFused);
BENCHMARK(BM_EyerissMatmulsFusedTotalsOnly);
BENCHMARK(BM_PrepareEyerissProblem);

BENCHMARK_MAIN();
