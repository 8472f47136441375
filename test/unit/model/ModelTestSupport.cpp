//===- ModelTestSupport.cpp - inputs for the afcModel tests ---------------===//
//
// The reference's example architectures, workloads and mappings written out
// as afc::model structs. Each builder says which YAML file it mirrors.
//
//===----------------------------------------------------------------------===//

#include "ModelTestSupport.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <regex>
#include <sstream>
#include <stdexcept>

namespace afc::model::test {

Params parseParams(const std::string &text) {
  Params p;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    auto eq = item.find('=');
    if (eq != std::string::npos)
      p[item.substr(0, eq)] = item.substr(eq + 1);
  }
  return p;
}

double param(const Params &p, const std::string &name, double fallback) {
  auto it = p.find(name);
  if (it == p.end())
    return fallback;
  if (it->second == "inf")
    return kInfinity;
  return std::stod(it->second);
}

nlohmann::json loadData(const std::string &name) {
  std::string path = std::string(AFC_SOURCE_DIR) + "/test/data/" + name;
  std::ifstream in(path);
  if (!in)
    throw std::runtime_error("cannot open " + path);
  std::stringstream text;
  text << in.rdbuf();
  // Python's json writes Infinity / NaN, which strict JSON lacks; turn them
  // into strings that number() understands.
  static const std::regex special(R"(([:\[,]\s*)(-?Infinity|NaN))");
  return nlohmann::json::parse(
      std::regex_replace(text.str(), special, "$1\"$2\""));
}

double number(const nlohmann::json &value) {
  if (value.is_string()) {
    const std::string &s = value.get_ref<const std::string &>();
    if (s == "Infinity")
      return kInfinity;
    if (s == "-Infinity")
      return -kInfinity;
    return std::numeric_limits<double>::quiet_NaN();
  }
  return value.get<double>();
}

std::vector<std::string> parseKey(const std::string &key) {
  std::vector<std::string> parts;
  static const std::regex quoted("'([^']*)'");
  for (auto it = std::sregex_iterator(key.begin(), key.end(), quoted);
       it != std::sregex_iterator(); ++it)
    parts.push_back((*it)[1]);
  return parts;
}

double relativeError(double actual, double expected) {
  double scale = std::max(std::abs(actual), std::abs(expected));
  if (scale < 1e-300)
    return 0;
  return std::abs(actual - expected) / scale;
}

//===----------------------------------------------------------------------===//
// Workloads
//===----------------------------------------------------------------------===//

namespace {

/// Adds a tensor access whose ranks are bare rank variables ([m, n0]).
void access(Workload &w, Einsum &e, const std::string &tensor,
            std::vector<std::string> rvs, bool output = false) {
  TensorAccess a;
  a.tensor = *w.findTensor(tensor);
  a.isOutput = output;
  a.bitsPerValue = 8;
  for (const std::string &rv : rvs) {
    RankProjection r;
    r.rank = rv;
    for (char &c : r.rank)
      c = char(std::toupper(c));
    r.terms.push_back({*w.findRankVariable(rv), 1});
    a.projection.push_back(r);
  }
  e.accesses.push_back(a);
}

} // namespace

// workloads/basic/matmuls.yaml: T{i+1}[m, n{i+1}] = T{i}[m, n{i}] * W{i}.
Workload makeMatmuls(int nEinsums, int64_t m, int64_t kn) {
  Workload w;
  w.rankVariables.push_back({"m", m});
  for (int i = 0; i <= nEinsums; ++i)
    w.rankVariables.push_back({"n" + std::to_string(i), kn});
  for (int i = 0; i <= nEinsums; ++i)
    w.tensors.push_back({"T" + std::to_string(i)});
  for (int i = 0; i < nEinsums; ++i)
    w.tensors.push_back({"W" + std::to_string(i)});
  for (int i = 0; i < nEinsums; ++i) {
    std::string a = std::to_string(i), b = std::to_string(i + 1);
    Einsum e;
    e.name = "Matmul" + a;
    access(w, e, "T" + a, {"m", "n" + a});
    access(w, e, "W" + a, {"n" + a, "n" + b});
    access(w, e, "T" + b, {"m", "n" + b}, /*output=*/true);
    w.einsums.push_back(e);
  }
  return w;
}

// workloads/basic/matvecs.yaml: Y[ny] = A[na]*B[na,ny]; Z[nz] = Y[ny]*C[ny,nz].
Workload makeMatvecs() {
  Workload w;
  w.rankVariables = {{"na", 4}, {"ny", 3}, {"nz", 4}};
  w.tensors = {{"A"}, {"B"}, {"C"}, {"Y"}, {"Z"}};
  Einsum y;
  y.name = "Y";
  access(w, y, "A", {"na"});
  access(w, y, "B", {"na", "ny"});
  access(w, y, "Y", {"ny"}, true);
  Einsum z;
  z.name = "Z";
  access(w, z, "Y", {"ny"});
  access(w, z, "C", {"ny", "nz"});
  access(w, z, "Z", {"nz"}, true);
  w.einsums = {y, z};
  return w;
}

// workloads/basic/three_matmuls_annotated.yaml: Matmul1..3, all ranks 128;
// weights are persistent (weight - Intermediates).
Workload makeThreeMatmulsAnnotated() {
  Workload w;
  w.rankVariables = {
      {"m", 128}, {"n0", 128}, {"n1", 128}, {"n2", 128}, {"n3", 128}};
  w.tensors = {{"T0"}, {"T1"}, {"T2"}, {"T3"}, {"W0"}, {"W1"}, {"W2"}};
  for (int i = 0; i < 3; ++i) {
    std::string a = std::to_string(i), b = std::to_string(i + 1);
    Einsum e;
    e.name = "Matmul" + b;
    access(w, e, "T" + a, {"m", "n" + a});
    access(w, e, "W" + a, {"n" + a, "n" + b});
    e.accesses.back().persistent = true;
    access(w, e, "T" + b, {"m", "n" + b}, true);
    w.einsums.push_back(e);
  }
  return w;
}

//===----------------------------------------------------------------------===//
// Architectures
//===----------------------------------------------------------------------===//

namespace {

ArchNode memory(const std::string &name, double size, double readEnergy,
                double writeEnergy, double throughput) {
  ArchNode n;
  n.kind = NodeKind::Memory;
  n.name = name;
  n.size = size;
  n.actions = {{"read", readEnergy, throughput, 1, {}},
               {"write", writeEnergy, throughput, 1, {}}};
  return n;
}

} // namespace

// arches/simple.yaml.
FlattenedArch makeSimpleArch(double mainMemoryEnergy, double globalBufferSize,
                             double globalBufferThroughput) {
  FlattenedArch a;
  a.nodes.push_back(memory("MainMemory", kInfinity, mainMemoryEnergy,
                           mainMemoryEnergy, kInfinity));
  a.nodes.push_back(
      memory("GlobalBuffer", globalBufferSize, 1, 1, globalBufferThroughput));
  ArchNode mac;
  mac.kind = NodeKind::Compute;
  mac.name = "MAC";
  mac.actions = {{"compute", 1, 1, 1, {}}};
  a.nodes.push_back(mac);
  return a;
}

// arches/eyeriss.yaml with costs from hwcomponents_expected.json["eyeriss"].
std::vector<FlattenedArch>
makeEyerissArchs(const nlohmann::json &costs,
                 const std::vector<EinsumRoles> &roles) {
  auto component = [&](NodeKind kind, const std::string &name, double size) {
    const nlohmann::json &c = costs.at(name);
    ArchNode n;
    n.kind = kind;
    n.name = name;
    n.size = size;
    n.area = number(c.at("area"));
    n.leakPower = number(c.at("leak_power"));
    for (auto &[action, figures] : c.at("actions").items())
      n.actions.push_back({action,
                           number(figures.at("energy")),
                           number(figures.at("throughput")),
                           1,
                           {}});
    return n;
  };
  std::vector<FlattenedArch> archs;
  for (const EinsumRoles &r : roles) {
    FlattenedArch a;
    a.einsum = r.einsum;
    a.nodes.push_back(component(NodeKind::Memory, "MainMemory", kInfinity));
    ArchNode glb = component(NodeKind::Memory, "GlobalBuffer", 1024 * 1024);
    for (Action &act : glb.actions)
      act.bitsPerAction = 64;
    // 32 reads and writes per cycle at 200 MHz.
    glb.totalLatency = [](const ComponentActivity &c) {
      double calls = 0;
      for (const ActionActivity &a : c.actions)
        calls += a.nCalls;
      return calls / 32 / 200e6;
    };
    a.nodes.push_back(glb);
    ArchNode pe;
    pe.kind = NodeKind::Container;
    pe.name = "ProcessingElement";
    SpatialDimension weight{"reuse_weight", 14, {r.weight}, false, 1, false};
    SpatialDimension output{"reuse_output", 12, {r.output}, false, 1, false};
    pe.spatial = {weight, output};
    a.nodes.push_back(pe);
    a.nodes.push_back(component(NodeKind::Memory, "InputScratchpad", 12 * 16));
    a.nodes.push_back(
        component(NodeKind::Memory, "WeightScratchpad", 192 * 16));
    a.nodes.push_back(component(NodeKind::Memory, "OutputScratchpad", 16 * 16));
    ArchNode mac = component(NodeKind::Compute, "MAC", kInfinity);
    mac.totalLatency = [](const ComponentActivity &c) {
      double calls = 0;
      for (const ActionActivity &a : c.actions)
        calls += a.nCalls;
      return calls / 200e6;
    };
    a.nodes.push_back(mac);
    archs.push_back(a);
  }
  return archs;
}

// arches/tpu_v4i.yaml, flattened for the MAC.
std::vector<FlattenedArch>
makeTpuV4iArchs(const nlohmann::json &costs,
                const std::vector<EinsumRoles> &roles,
                const std::vector<std::string> &inputs) {
  auto component = [&](NodeKind kind, const std::string &name, double size) {
    const nlohmann::json &c = costs.at(name);
    ArchNode n;
    n.kind = kind;
    n.name = name;
    n.size = size;
    n.area = number(c.at("area"));
    n.leakPower = number(c.at("leak_power"));
    for (auto &[action, figures] : c.at("actions").items())
      n.actions.push_back({action,
                           number(figures.at("energy")),
                           number(figures.at("throughput")),
                           1,
                           {}});
    return n;
  };
  std::vector<FlattenedArch> archs;
  for (size_t i = 0; i < roles.size(); ++i) {
    const EinsumRoles &r = roles[i];
    FlattenedArch a;
    a.einsum = r.einsum;
    a.nodes.push_back(component(NodeKind::Memory, "MainMemory", kInfinity));
    ArchNode glb =
        component(NodeKind::Memory, "GlobalBuffer", 1024.0 * 1024 * 128 * 8);
    // Separate read and write ports.
    glb.totalLatency = [](const ComponentActivity &c) {
      double latency = 0;
      for (const ActionActivity &x : c.actions)
        latency = std::max(latency, x.nCalls / x.throughput);
      return latency;
    };
    a.nodes.push_back(glb);
    ArchNode local =
        component(NodeKind::Memory, "LocalBuffer", 1024.0 * 1024 * 4 * 8);
    local.spatial = {{"Z", 4, {}, false, 1, false}};
    a.nodes.push_back(local);
    ArchNode pe;
    pe.kind = NodeKind::Container;
    pe.name = "ProcessingElement";
    pe.spatial = {{"reuse_input", 128, {inputs[i]}, false, 1, false},
                  {"reuse_output", 128, {r.output}, false, 1, false}};
    a.nodes.push_back(pe);
    a.nodes.push_back(component(NodeKind::Memory, "Register", 8));
    a.nodes.push_back(component(NodeKind::Compute, "MAC", kInfinity));
    const nlohmann::json &scalar = costs.at("ScalarUnit");
    a.otherComponents.push_back({"ScalarUnit", number(scalar.at("area")),
                                 number(scalar.at("leak_power")), 4, 1});
    archs.push_back(a);
  }
  return archs;
}

// arches/simba.yaml.
std::vector<FlattenedArch>
makeSimbaArchs(const nlohmann::json &costs,
               const std::vector<EinsumRoles> &roles,
               const std::vector<std::string> &inputs) {
  auto component = [&](NodeKind kind, const std::string &name, double size) {
    const nlohmann::json &c = costs.at(name);
    ArchNode n;
    n.kind = kind;
    n.name = name;
    n.size = size;
    n.area = number(c.at("area"));
    n.leakPower = number(c.at("leak_power"));
    for (auto &[action, figures] : c.at("actions").items())
      n.actions.push_back({action,
                           number(figures.at("energy")),
                           number(figures.at("throughput")),
                           1,
                           {}});
    return n;
  };
  std::vector<FlattenedArch> archs;
  for (size_t i = 0; i < roles.size(); ++i) {
    const EinsumRoles &r = roles[i];
    FlattenedArch a;
    a.einsum = r.einsum;
    a.nodes.push_back(component(NodeKind::Memory, "MainMemory", kInfinity));
    a.nodes.push_back(component(NodeKind::Memory, "GlobalBuffer", 524288));
    ArchNode pe;
    pe.kind = NodeKind::Container;
    pe.name = "ProcessingElement";
    pe.spatial = {{"reuse_all", 16, {}, true, 1, false}};
    a.nodes.push_back(pe);
    a.nodes.push_back(component(NodeKind::Memory, "InputBuffer", 65536));
    a.nodes.push_back(component(NodeKind::Memory, "WeightBuffer", 262144));
    ArchNode acc = component(NodeKind::Memory, "AccumulationBuffer", 24576);
    acc.bitsPerValue = {{r.output, 3 * 8}};
    a.nodes.push_back(acc);
    ArchNode vector;
    vector.kind = NodeKind::Container;
    vector.name = "VectorMAC";
    vector.spatial = {{"reuse_output", 8, {r.output}, false, 1, false},
                      {"reuse_input", 8, {inputs[i]}, false, 1, false}};
    a.nodes.push_back(vector);
    a.nodes.push_back(component(NodeKind::Memory, "Register", 8));
    a.nodes.push_back(component(NodeKind::Compute, "MAC", kInfinity));
    archs.push_back(a);
  }
  return archs;
}

//===----------------------------------------------------------------------===//
// Mappings
//===----------------------------------------------------------------------===//

namespace {

using N = MappingNode;

std::string T(int i) { return "T" + std::to_string(i); }
std::string W(int i) { return "W" + std::to_string(i); }
std::string n(int i) { return "n" + std::to_string(i); }
std::string matmul(int i) { return "Matmul" + std::to_string(i); }

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

/// One Matmul on the 8 x 8 PEs of eyeriss (model.md §13.2): the reduced rank
/// variable runs across reuse_output, m across reuse_weight.
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
  std::vector<N> branches;
  for (int i = 0; i < 2; ++i) {
    std::vector<N> chain = {N::storage("MainMemory", {T(i), W(i), T(i + 1)}),
                            N::storage("GlobalBuffer", {W(i)})};
    for (N &x : eyerissPEs(i))
      chain.push_back(x);
    branches.push_back(N::nested(chain));
  }
  Mapping m;
  m.nodes.push_back(N::sequential(branches));
  return m;
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
  std::vector<N> matmul1 = {N::storage("GlobalBuffer", {"W1"})};
  for (N &x : eyerissPEs(1))
    matmul1.push_back(x);
  Mapping m;
  m.nodes.push_back(N::storage("MainMemory", {"T0", "W0", "W1", "T2"}));
  m.nodes.push_back(N::storage("GlobalBuffer", {"T1"}));
  m.nodes.push_back(N::sequential({N::nested(matmul0), N::nested(matmul1)}));
  return m;
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

Mapping tpuV4iUnfusedMatmuls() {
  std::vector<N> branches;
  for (int i = 0; i < 2; ++i) {
    std::vector<N> chain = {N::storage("MainMemory", {T(i), W(i), T(i + 1)})};
    for (N &x : tpuArray(i))
      chain.push_back(x);
    branches.push_back(N::nested(chain));
  }
  Mapping m;
  m.nodes.push_back(N::sequential(branches));
  return m;
}

Mapping tpuV4iFusedMatmuls() {
  Mapping m;
  m.nodes.push_back(N::storage("MainMemory", {"T0", "W0", "W1", "T2"}));
  m.nodes.push_back(N::storage("GlobalBuffer", {"T1"}));
  m.nodes.push_back(
      N::sequential({N::nested(tpuArray(0)), N::nested(tpuArray(1))}));
  return m;
}

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
  std::vector<N> branches;
  for (int i = 0; i < 2; ++i) {
    std::vector<N> chain = {N::storage("MainMemory", {T(i), W(i), T(i + 1)}),
                            N::storage("GlobalBuffer", {T(i), T(i + 1)})};
    for (N &x : simbaArray(i))
      chain.push_back(x);
    branches.push_back(N::nested(chain));
  }
  Mapping m;
  m.nodes.push_back(N::sequential(branches));
  return m;
}

Mapping simbaFusedMatmuls() {
  std::vector<N> branch0 = {N::storage("GlobalBuffer", {"T0"})};
  std::vector<N> branch1 = {N::storage("GlobalBuffer", {"T2"})};
  for (N &x : simbaArray(0))
    branch0.push_back(x);
  for (N &x : simbaArray(1))
    branch1.push_back(x);
  Mapping m;
  m.nodes.push_back(N::storage("MainMemory", {"T0", "W0", "W1", "T2"}));
  m.nodes.push_back(N::storage("GlobalBuffer", {"T1"}));
  m.nodes.push_back(N::sequential({N::nested(branch0), N::nested(branch1)}));
  return m;
}

std::vector<std::string> split(const std::string &s, char sep) {
  std::vector<std::string> parts;
  std::string item;
  std::stringstream ss(s);
  while (std::getline(ss, item, sep))
    parts.push_back(item);
  if (!s.empty() && s.back() == sep)
    parts.push_back("");
  return parts;
}

} // namespace afc::model::test
