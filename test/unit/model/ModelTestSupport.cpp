//===- ModelTestSupport.cpp - inputs for the afcModel tests ---------------===//
//
// The reference's example mappings written out as afc::model structs. Each
// builder says which YAML file it mirrors.
//
//===----------------------------------------------------------------------===//

#include "ModelTestSupport.h"

#include <functional>

namespace afc::model::test {

FlattenedArch simpleArch(const afc::test::StdlibParams &params) {
  afc::test::StdlibParams p = params;
  p.push_back({"N_EINSUMS", 1});
  FlattenedArch a =
      stdlibProblem("simple", "basic/matmuls", p).architectures.at(0);
  a.einsum.clear();
  return a;
}

const Problem &eyerissMatmuls() {
  return stdlibProblem("eyeriss", "basic/matmuls",
                       {{"N_EINSUMS", 2}, {"M", 64}, {"KN", 64}});
}

//===----------------------------------------------------------------------===//
// Mappings
//===----------------------------------------------------------------------===//

namespace {

using N = MappingNode;

/// `prefix` then `i` (appending avoids GCC 12's false -Wrestrict on
/// "literal" + std::string).
std::string named(const char *prefix, int i) {
  std::string s = prefix;
  s += std::to_string(i);
  return s;
}
std::string T(int i) { return named("T", i); }
std::string W(int i) { return named("W", i); }
std::string n(int i) { return named("n", i); }
std::string matmul(int i) { return named("Matmul", i); }

/// `head` followed by `tail`.
std::vector<N> concat(std::vector<N> head, const std::vector<N> &tail) {
  head.insert(head.end(), tail.begin(), tail.end());
  return head;
}

/// The unfused shape of two matmuls: one branch per Einsum, each keeping
/// its three tensors in MainMemory above `below(i)`.
Mapping unfusedPair(const std::function<std::vector<N>(int)> &below) {
  std::vector<N> branches;
  for (int i = 0; i < 2; ++i)
    branches.push_back(N::nested(
        concat({N::storage("MainMemory", {T(i), W(i), T(i + 1)})}, below(i))));
  Mapping m;
  m.nodes.push_back(N::sequential(branches));
  return m;
}

/// The fused shape of two matmuls: T1 whole in the GlobalBuffer between
/// the two Einsums' branches.
Mapping fusedPair(const std::vector<N> &first, const std::vector<N> &second) {
  Mapping m;
  m.nodes.push_back(N::storage("MainMemory", {"T0", "W0", "W1", "T2"}));
  m.nodes.push_back(N::storage("GlobalBuffer", {"T1"}));
  m.nodes.push_back(N::sequential({N::nested(first), N::nested(second)}));
  return m;
}

} // namespace

// mappings/unfused_matmuls_to_simple.yaml
Mapping unfusedMatmulsToSimple(int nEinsums) {
  Mapping m;
  for (int i = 0; i <= nEinsums; ++i)
    m.nodes.push_back(N::storage("MainMemory", {T(i)}));
  for (int i = 0; i < nEinsums; ++i)
    m.nodes.push_back(N::storage("MainMemory", {W(i)}));
  std::vector<N> branches;
  for (int i = 0; i < nEinsums; ++i)
    branches.push_back(N::nested({
        N::storage("GlobalBuffer", {T(i), W(i), T(i + 1)}),
        N::temporal("m", 1),
        N::temporal(n(i), 1),
        N::temporal(n(i + 1), 1),
        N::compute(matmul(i), "MAC"),
    }));
  if (nEinsums > 1)
    m.nodes.push_back(N::sequential(branches));
  else
    for (N &b : branches[0].children)
      m.nodes.push_back(b);
  return m;
}

// mappings/fused_matmuls_to_simple.yaml
Mapping fusedMatmulsToSimple(int nEinsums) {
  Mapping m;
  std::vector<std::string> top = {T(0), T(nEinsums)}, weights;
  for (int i = 0; i < nEinsums; ++i) {
    top.push_back(W(i));
    weights.push_back(W(i));
  }
  m.nodes.push_back(N::storage("MainMemory", top));
  m.nodes.push_back(N::storage("GlobalBuffer", weights));
  m.nodes.push_back(N::temporal("m", 1));
  m.nodes.push_back(N::storage("GlobalBuffer", {T(0), T(nEinsums)}));
  for (int i = 1; i < nEinsums; ++i)
    m.nodes.push_back(N::storage("GlobalBuffer", {T(i)}));
  if (nEinsums > 1) {
    std::vector<N> branches;
    for (int i = 0; i < nEinsums; ++i)
      branches.push_back(
          N::nested({N::temporal(n(i), 1), N::temporal(n(i + 1), 1),
                     N::compute(matmul(i), "MAC")}));
    m.nodes.push_back(N::sequential(branches));
  } else {
    m.nodes.push_back(N::storage("GlobalBuffer", {"T0", "T1"}));
    m.nodes.push_back(N::temporal("n0", 1));
    m.nodes.push_back(N::temporal("n1", 1));
    m.nodes.push_back(N::compute("Matmul0", "MAC"));
  }
  return m;
}

// mappings/unfused_matvecs_to_simple.yaml
Mapping unfusedMatvecsToSimple() {
  Mapping m;
  m.nodes.push_back(N::storage("MainMemory", {"A", "B", "C", "Y", "Z"}));
  m.nodes.push_back(N::sequential({
      N::nested({N::storage("GlobalBuffer", {"A", "B"}), N::temporal("ny", 1),
                 N::storage("GlobalBuffer", {"Y"}), N::temporal("na", 1),
                 N::compute("Y", "MAC")}),
      N::nested({N::storage("GlobalBuffer", {"C", "Z"}), N::temporal("ny", 1),
                 N::storage("GlobalBuffer", {"Y"}), N::temporal("nz", 1),
                 N::compute("Z", "MAC")}),
  }));
  return m;
}

// mappings/fused_matvecs_to_simple_untiled.yaml
Mapping fusedMatvecsToSimpleUntiled() {
  Mapping m;
  m.nodes.push_back(N::storage("MainMemory", {"A", "B", "C", "Z"}));
  m.nodes.push_back(N::storage("GlobalBuffer", {"Y"}));
  m.nodes.push_back(N::sequential({
      N::nested({N::storage("GlobalBuffer", {"A", "B"}), N::temporal("ny", 1),
                 N::temporal("na", 1), N::compute("Y", "MAC")}),
      N::nested({N::storage("GlobalBuffer", {"C", "Z"}), N::temporal("ny", 1),
                 N::temporal("nz", 1), N::compute("Z", "MAC")}),
  }));
  return m;
}

// mappings/fused_matvecs_to_simple_tiled.yaml
Mapping fusedMatvecsToSimpleTiled() {
  Mapping m;
  m.nodes.push_back(N::storage("MainMemory", {"A", "B", "C", "Y", "Z"}));
  m.nodes.push_back(N::temporal("ny", 1));
  m.nodes.push_back(N::storage("GlobalBuffer", {"Y"}));
  m.nodes.push_back(N::sequential({
      N::nested({N::storage("GlobalBuffer", {"A", "B"}), N::temporal("na", 1),
                 N::compute("Y", "MAC")}),
      N::nested({N::storage("GlobalBuffer", {"C", "Z"}), N::temporal("nz", 1),
                 N::compute("Z", "MAC")}),
  }));
  return m;
}

// mappings/fused_matvecs_to_simple_tiled_reuse_A.yaml
Mapping fusedMatvecsToSimpleTiledReuseA() {
  Mapping m;
  m.nodes.push_back(N::storage("MainMemory", {"A", "B", "C", "Z"}));
  m.nodes.push_back(N::storage("GlobalBuffer", {"A"}));
  m.nodes.push_back(N::temporal("ny", 1));
  m.nodes.push_back(N::storage("GlobalBuffer", {"Y"}));
  m.nodes.push_back(N::sequential({
      N::nested({N::storage("GlobalBuffer", {"B"}), N::temporal("na", 1),
                 N::compute("Y", "MAC")}),
      N::nested({N::storage("GlobalBuffer", {"C", "Z"}), N::temporal("nz", 1),
                 N::compute("Z", "MAC")}),
  }));
  return m;
}

Mapping allInMainMemory(const std::vector<MatmulNames> &einsums,
                        bool persistentWeights) {
  std::vector<N> branches;
  for (const MatmulNames &e : einsums) {
    N weights = N::storage("MainMemory", {e.weight});
    weights.persistent = persistentWeights;
    branches.push_back(N::nested({
        weights,
        N::storage("MainMemory", {e.input, e.output}),
        N::temporal("m", 1),
        N::temporal(e.reduced, 1),
        N::temporal(e.column, 1),
        N::compute(e.einsum, "MAC"),
    }));
  }
  Mapping m;
  m.nodes.push_back(N::sequential(branches));
  return m;
}

namespace {

/// One Matmul on the 8 x 8 PEs of eyeriss (docs/design/model.md §13.2): the
/// reduced rank variable runs across reuse_output, m across reuse_weight.
std::vector<N> eyerissPEs(int i) {
  return {
      N::spatial("m", 8, "ProcessingElement", "reuse_weight"),
      N::spatial(n(i), 8, "ProcessingElement", "reuse_output"),
      N::temporal("m", 2),
      N::storage("InputScratchpad", {T(i)}),
      N::storage("WeightScratchpad", {W(i)}),
      N::temporal(n(i + 1), 16),
      N::temporal("m", 1),
      N::storage("OutputScratchpad", {T(i + 1)}),
      N::temporal(n(i + 1), 1),
      N::temporal(n(i), 1),
      N::compute(matmul(i), "MAC"),
  };
}

} // namespace

Mapping eyerissUnfusedMatmuls() {
  return unfusedPair([](int i) {
    return concat({N::storage("GlobalBuffer", {W(i)})}, eyerissPEs(i));
  });
}

Mapping eyerissFusedMatmuls() {
  // T1 lives whole in the GlobalBuffer, shared by both Einsums.
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
      N::compute("Matmul0", "MAC"),
  };
  return fusedPair(matmul0,
                   concat({N::storage("GlobalBuffer", {"W1"})}, eyerissPEs(1)));
}

namespace {

std::vector<N> tpuArray(int i) {
  return {
      N::storage("GlobalBuffer", {W(i)}),
      N::spatial("m", 16, "LocalBuffer", "Z"),
      N::storage("LocalBuffer", {T(i), T(i + 1)}),
      N::spatial(n(i + 1), 1, "ProcessingElement", "reuse_input"),
      N::spatial(n(i), 1, "ProcessingElement", "reuse_output"),
      N::storage("Register", {W(i)}),
      N::temporal("m", 1),
      N::compute(matmul(i), "MAC"),
  };
}

} // namespace

Mapping tpuV4iUnfusedMatmuls() { return unfusedPair(tpuArray); }

Mapping tpuV4iFusedMatmuls() { return fusedPair(tpuArray(0), tpuArray(1)); }

namespace {

/// Everything of Matmul i below the GlobalBuffer on simba.
std::vector<N> simbaArray(int i) {
  return {
      N::spatial(n(i), 8, "ProcessingElement", "reuse_all"),
      N::spatial(n(i + 1), 32, "ProcessingElement", "reuse_all"),
      N::storage("InputBuffer", {T(i)}),
      N::storage("WeightBuffer", {W(i)}),
      N::temporal(n(i + 1), 16),
      N::storage("AccumulationBuffer", {T(i + 1)}),
      N::spatial(n(i), 1, "VectorMAC", "reuse_output"),
      N::spatial(n(i + 1), 2, "VectorMAC", "reuse_input"),
      N::temporal(n(i + 1), 1),
      N::storage("Register", {W(i)}),
      N::temporal("m", 1),
      N::compute(matmul(i), "MAC"),
  };
}

} // namespace

Mapping simbaUnfusedMatmuls() {
  return unfusedPair([](int i) {
    return concat({N::storage("GlobalBuffer", {T(i), T(i + 1)})},
                  simbaArray(i));
  });
}

Mapping simbaFusedMatmuls() {
  return fusedPair(concat({N::storage("GlobalBuffer", {"T0"})}, simbaArray(0)),
                   concat({N::storage("GlobalBuffer", {"T2"})}, simbaArray(1)));
}

} // namespace afc::model::test
