//===- ModelBench.cpp - evaluations per second of afcModel ----------------===//
//
// Times Evaluator::evaluateInto on the eyeriss matmul case of model.md §13.2
// and §13.3 (two 64 x 64 x 64 matmuls, 8 x 8 PEs, unfused and fused), the
// kind of call the mapper makes in its inner loop. Reports evaluations per
// second with full breakdowns and with totals only.
//
//===----------------------------------------------------------------------===//

#include "afc/model/Model.h"

#include <benchmark/benchmark.h>

#include <string>

using namespace afc::model;
using N = MappingNode;

namespace {

// Eyeriss component figures (hwcomponents_expected.json, model.md §13.2):
// read J, write J, throughput /s, leak W, area m^2.
struct Figures {
  const char *name;
  double read, write, throughput, leak, area;
};
constexpr Figures kMemories[] = {
    {"MainMemory", 8e-12, 8e-12, 3355443200.0, 0, 0},
    {"GlobalBuffer", 9.056430298994264e-11, 9.122346940403464e-11,
     9846153846.153845, 2.5508039081958506e-4, 6.8574526567307686e-06},
    {"InputScratchpad", 2.2733893884485344e-14, 3.1554801000964905e-14,
     9846153846.153845, 4.3815839033400895e-7, 3.8736612980769225e-10},
    {"WeightScratchpad", 4.0152965248454046e-14, 6.235570339922515e-14,
     34461538461.53846, 7.663684917510134e-7, 3.534394038461538e-09},
    {"OutputScratchpad", 2.6247402328781873e-14, 3.728731056542402e-14,
     9846153846.153845, 4.4143907783400897e-7, 4.5613394230769223e-10},
};
constexpr double kSizes[] = {kInfinity, 1024 * 1024, 12 * 16, 192 * 16,
                             16 * 16};

double sumCalls(const ComponentActivity &c) {
  double calls = 0;
  for (const ActionActivity &a : c.actions)
    calls += a.nCalls;
  return calls;
}

FlattenedArch eyeriss(const std::string &einsum, const std::string &weight,
                      const std::string &output) {
  FlattenedArch a;
  a.einsum = einsum;
  for (int i = 0; i < 5; ++i) {
    const Figures &f = kMemories[i];
    ArchNode n;
    n.kind = NodeKind::Memory;
    n.name = f.name;
    n.size = kSizes[i];
    n.leakPower = f.leak;
    n.area = f.area;
    n.actions = {{"read", f.read, f.throughput, i == 1 ? 64.0 : 1.0, {}},
                 {"write", f.write, f.throughput, i == 1 ? 64.0 : 1.0, {}}};
    if (i == 1)
      n.totalLatency = [](const ComponentActivity &c) {
        return sumCalls(c) / 32 / 200e6;
      };
    a.nodes.push_back(n);
    if (i == 1) {
      ArchNode pe;
      pe.kind = NodeKind::Container;
      pe.name = "ProcessingElement";
      pe.spatial = {{"reuse_weight", 14, {weight}, false, 1, false},
                    {"reuse_output", 12, {output}, false, 1, false}};
      a.nodes.push_back(pe);
    }
  }
  ArchNode mac;
  mac.kind = NodeKind::Compute;
  mac.name = "MAC";
  mac.leakPower = 8.851870775236185e-06;
  mac.area = 1.1748028846153846e-09;
  mac.actions = {{"compute", 1.2813796807700769e-12, 615384615.3846153, 1, {}}};
  mac.totalLatency = [](const ComponentActivity &c) {
    return sumCalls(c) / 200e6;
  };
  a.nodes.push_back(mac);
  return a;
}

Problem eyerissMatmuls() {
  Problem p;
  Workload &w = p.workload;
  w.rankVariables = {{"m", 64}, {"n0", 64}, {"n1", 64}, {"n2", 64}};
  w.tensors = {{"T0"}, {"T1"}, {"T2"}, {"W0"}, {"W1"}};
  for (uint32_t i = 0; i < 2; ++i) {
    auto rank = [](RankVariableId rv) {
      return RankProjection{"", {{rv, 1}}, 0};
    };
    Einsum e;
    e.name = "Matmul" + std::to_string(i);
    e.accesses = {{i, false, {rank(0), rank(i + 1)}, 8, false},
                  {3 + i, false, {rank(i + 1), rank(i + 2)}, 8, false},
                  {i + 1, true, {rank(0), rank(i + 2)}, 8, false}};
    w.einsums.push_back(e);
  }
  p.architectures = {eyeriss("Matmul0", "W0", "T1"),
                     eyeriss("Matmul1", "W1", "T2")};
  return p;
}

std::vector<N> processingElements(int i) {
  std::string a = std::to_string(i), b = std::to_string(i + 1);
  return {N::spatial("m", 8, "ProcessingElement", "reuse_weight"),
          N::spatial("n" + a, 8, "ProcessingElement", "reuse_output"),
          N::temporal("m", 2),
          N::storage("InputScratchpad", {"T" + a}),
          N::storage("WeightScratchpad", {"W" + a}),
          N::temporal("n" + b, 16),
          N::temporal("m", 1),
          N::storage("OutputScratchpad", {"T" + b}),
          N::temporal("n" + b, 1),
          N::temporal("n" + a, 1),
          N::compute("Matmul" + a, "MAC")};
}

Mapping unfused() {
  std::vector<N> branches;
  for (int i = 0; i < 2; ++i) {
    std::string a = std::to_string(i), b = std::to_string(i + 1);
    std::vector<N> chain = {
        N::storage("MainMemory", {"T" + a, "W" + a, "T" + b}),
        N::storage("GlobalBuffer", {"W" + a})};
    for (N &n : processingElements(i))
      chain.push_back(n);
    branches.push_back(N::nested(chain));
  }
  Mapping m;
  m.nodes.push_back(N::sequential(branches));
  return m;
}

Mapping fused() {
  std::vector<N> matmul0 = {
      N::storage("GlobalBuffer", {"W0"}),
      N::spatial("m", 8, "ProcessingElement", "reuse_weight"),
      N::spatial("n0", 8, "ProcessingElement", "reuse_output"),
      N::temporal("n0", 4),
      N::temporal("m", 4),
      N::storage("InputScratchpad", {"T0"}),
      N::storage("WeightScratchpad", {"W0"}),
      N::temporal("n1", 16),
      N::temporal("m", 1),
      N::storage("OutputScratchpad", {"T1"}),
      N::temporal("n1", 1),
      N::temporal("n0", 1),
      N::compute("Matmul0", "MAC")};
  std::vector<N> matmul1 = {N::storage("GlobalBuffer", {"W1"})};
  for (N &n : processingElements(1))
    matmul1.push_back(n);
  Mapping m;
  m.nodes = {N::storage("MainMemory", {"T0", "W0", "W1", "T2"}),
             N::storage("GlobalBuffer", {"T1"}),
             N::sequential({N::nested(matmul0), N::nested(matmul1)})};
  return m;
}

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
  run(state, unfused(), /*detailed=*/true);
}
void BM_EyerissMatmulsUnfusedTotalsOnly(benchmark::State &state) {
  run(state, unfused(), /*detailed=*/false);
}
void BM_EyerissMatmulsFused(benchmark::State &state) {
  run(state, fused(), /*detailed=*/true);
}
void BM_EyerissMatmulsFusedTotalsOnly(benchmark::State &state) {
  run(state, fused(), /*detailed=*/false);
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
