//===- MapperTestSupport.cpp - problems for the afcMapper tests ------------===//
//
// Architectures come from the model's test builders; the mapper-only rules
// (tensors: keep / may_keep, spatial reuse and min_usage) are transcribed
// from arches/*.yaml of accelforge-examples.
//
//===----------------------------------------------------------------------===//

#include "MapperTestSupport.h"

#include <cmath>
#include <map>
#include <set>

namespace afc::mapper::test {

using model::test::number;
using model::test::parseKey;

std::vector<Roles> matmulRoles(int nEinsums, int first) {
  std::vector<Roles> roles;
  for (int i = 0; i < nEinsums; ++i) {
    std::string a = std::to_string(i), b = std::to_string(i + 1);
    roles.push_back({"Matmul" + std::to_string(i + first), "T" + a, "W" + a,
                     "T" + b});
  }
  return roles;
}

PlacementFn keepNonIntermediates() {
  return [](const PlacementContext &c) {
    Placement p;
    TensorSet keep;
    for (const std::string &t : c.all)
      if (!c.intermediates.count(t))
        keep.insert(t);
    p.keep = keep;
    p.mayKeep = c.all;
    return p;
  };
}

PlacementFn keepNotIn(const std::string &holder) {
  return [holder](const PlacementContext &c) {
    Placement p;
    TensorSet above = c.keptBy(holder), keep;
    for (const std::string &t : c.all)
      if (!above.count(t))
        keep.insert(t);
    p.keep = keep;
    p.mayKeep = c.all;
    return p;
  };
}

PlacementFn keepExactly(TensorSet tensors) {
  return [tensors](const PlacementContext &) {
    Placement p;
    p.keep = tensors;
    return p;
  };
}

MapperProblem simpleProblem(model::Workload workload, double mainMemoryEnergy,
                            double globalBufferSize,
                            double globalBufferThroughput) {
  MapperProblem p;
  p.problem.workload = std::move(workload);
  p.problem.architectures.push_back(model::test::makeSimpleArch(
      mainMemoryEnergy, globalBufferSize, globalBufferThroughput));
  for (const model::Einsum &e : p.problem.workload.einsums) {
    EinsumRules r;
    r.einsum = e.name;
    r.placement = {{"MainMemory", keepNonIntermediates()},
                   {"GlobalBuffer", keepNotIn("MainMemory")}};
    p.rules.push_back(r);
  }
  return p;
}

MapperProblem eyerissProblem(model::Workload workload,
                             const std::vector<Roles> &roles,
                             const nlohmann::json &costs) {
  MapperProblem p;
  p.problem.workload = std::move(workload);
  std::vector<model::test::EinsumRoles> modelRoles;
  for (const Roles &r : roles)
    modelRoles.push_back({r.einsum, r.weight, r.output});
  p.problem.architectures = model::test::makeEyerissArchs(costs, modelRoles);
  for (const Roles &ro : roles) {
    EinsumRules r;
    r.einsum = ro.einsum;
    r.placement = {{"MainMemory", keepNonIntermediates()},
                   {"GlobalBuffer", keepNotIn("MainMemory")},
                   {"InputScratchpad", keepExactly({ro.input})},
                   {"WeightScratchpad", keepExactly({ro.weight})},
                   {"OutputScratchpad", keepExactly({ro.output})}};
    r.spatial = {{"ProcessingElement", "reuse_weight", {ro.weight}, 1, {}},
                 {"ProcessingElement", "reuse_output", {ro.output}, 1, {}}};
    p.rules.push_back(r);
  }
  return p;
}

namespace {

/// A component with the figures of hwcomponents_expected.json.
model::ArchNode component(const nlohmann::json &costs, model::NodeKind kind,
                          const std::string &name, double size) {
  const nlohmann::json &c = costs.at(name);
  model::ArchNode n;
  n.kind = kind;
  n.name = name;
  n.size = size;
  n.area = number(c.at("area"));
  n.leakPower = number(c.at("leak_power"));
  for (auto &[action, figures] : c.at("actions").items())
    n.actions.push_back({action, number(figures.at("energy")),
                         number(figures.at("throughput")), 1, {}});
  return n;
}

model::ArchNode container(const std::string &name,
                          std::vector<model::SpatialDimension> dims) {
  model::ArchNode n;
  n.kind = model::NodeKind::Container;
  n.name = name;
  n.spatial = std::move(dims);
  return n;
}

model::SpatialDimension dimension(const std::string &name, double fanout,
                                  std::vector<std::string> mayReuse) {
  model::SpatialDimension d;
  d.name = name;
  d.fanout = fanout;
  d.mayReuse = std::move(mayReuse);
  return d;
}

} // namespace

// arches/simba.yaml.
MapperProblem simbaProblem(model::Workload workload,
                           const std::vector<Roles> &roles,
                           const nlohmann::json &costs) {
  using model::NodeKind;
  MapperProblem p;
  p.problem.workload = std::move(workload);
  for (const Roles &ro : roles) {
    model::FlattenedArch a;
    a.einsum = ro.einsum;
    a.nodes.push_back(
        component(costs, NodeKind::Memory, "MainMemory", model::kInfinity));
    a.nodes.push_back(
        component(costs, NodeKind::Memory, "GlobalBuffer", 524288));
    // No reuse constraint: every tensor may be multicast / reduced.
    model::SpatialDimension all = dimension("reuse_all", 16, {});
    all.mayReuseAll = true;
    a.nodes.push_back(container("ProcessingElement", {all}));
    a.nodes.push_back(component(costs, NodeKind::Memory, "InputBuffer", 65536));
    a.nodes.push_back(
        component(costs, NodeKind::Memory, "WeightBuffer", 262144));
    model::ArchNode acc =
        component(costs, NodeKind::Memory, "AccumulationBuffer", 24576);
    acc.bitsPerValue = {{ro.output, 3 * 8}};
    a.nodes.push_back(acc);
    a.nodes.push_back(container(
        "VectorMAC", {dimension("reuse_output", 8, {ro.output}),
                      dimension("reuse_input", 8, {ro.input})}));
    // size: weight.bits_per_value.
    a.nodes.push_back(component(costs, NodeKind::Memory, "Register", 8));
    a.nodes.push_back(
        component(costs, NodeKind::Compute, "MAC", model::kInfinity));
    p.problem.architectures.push_back(a);

    EinsumRules r;
    r.einsum = ro.einsum;
    r.placement = {{"MainMemory", keepNonIntermediates()},
                   {"GlobalBuffer", keepExactly({ro.input, ro.output})},
                   {"InputBuffer", keepExactly({ro.input})},
                   {"WeightBuffer", keepExactly({ro.weight})},
                   {"AccumulationBuffer", keepExactly({ro.output})},
                   {"Register", keepExactly({ro.weight})}};
    r.spatial = {{"ProcessingElement", "reuse_all", {}, 1, {}},
                 {"VectorMAC", "reuse_output", {ro.output}, 1, {}},
                 {"VectorMAC", "reuse_input", {ro.input}, 1, {}}};
    p.rules.push_back(r);
  }
  return p;
}

// arches/tpu_v4i.yaml. The ScalarUnit is disabled for three-tensor Einsums
// (`enabled: len(All) == 2`), so it only leaks (nothing: leak_power 0).
MapperProblem tpuProblem(model::Workload workload,
                         const std::vector<Roles> &roles,
                         const nlohmann::json &costs) {
  using model::NodeKind;
  MapperProblem p;
  p.problem.workload = std::move(workload);
  for (const Roles &ro : roles) {
    model::FlattenedArch a;
    a.einsum = ro.einsum;
    a.nodes.push_back(
        component(costs, NodeKind::Memory, "MainMemory", model::kInfinity));
    model::ArchNode glb = component(costs, NodeKind::Memory, "GlobalBuffer",
                                    1024.0 * 1024 * 128 * 8);
    // total_latency: max(a.n_calls / a.throughput for a in actions).
    glb.totalLatency = [](const model::ComponentActivity &c) {
      double l = 0;
      for (const model::ActionActivity &x : c.actions)
        if (x.nCalls > 0)
          l = std::max(l, x.nCalls / x.throughput);
      return l;
    };
    a.nodes.push_back(glb);
    model::ArchNode local = component(costs, NodeKind::Memory, "LocalBuffer",
                                      1024.0 * 1024 * 4 * 8);
    local.spatial = {dimension("Z", 4, {})}; // may_reuse: Nothing
    a.nodes.push_back(local);
    a.nodes.push_back(container(
        "ProcessingElement", {dimension("reuse_input", 128, {ro.input}),
                              dimension("reuse_output", 128, {ro.output})}));
    a.nodes.push_back(component(costs, NodeKind::Memory, "Register", 8));
    a.nodes.push_back(
        component(costs, NodeKind::Compute, "MAC", model::kInfinity));
    const nlohmann::json &su = costs.at("ScalarUnit");
    a.otherComponents.push_back({"ScalarUnit", number(su.at("area")),
                                 number(su.at("leak_power")), 4, 1});
    p.problem.architectures.push_back(a);

    EinsumRules r;
    r.einsum = ro.einsum;
    r.placement = {{"MainMemory", keepNonIntermediates()},
                   {"GlobalBuffer", keepNotIn("MainMemory")},
                   {"LocalBuffer", keepExactly({ro.input, ro.output})},
                   {"Register", keepExactly({ro.weight})}};
    r.spatial = {{"LocalBuffer", "Z", {}, 1, {}},
                 {"ProcessingElement", "reuse_input", {ro.input}, 1, {}},
                 {"ProcessingElement", "reuse_output", {ro.output}, 1, {}}};
    p.rules.push_back(r);
  }
  return p;
}

namespace {

std::string join(const std::vector<std::string> &parts) {
  std::string s;
  for (size_t i = 0; i < parts.size(); ++i)
    s += (i ? "|" : "") + parts[i];
  return s;
}

} // namespace

ReferenceComparison compareWithReference(const model::Result &r,
                                const nlohmann::json &expected,
                                double tolerance) {
  ReferenceComparison c;
  auto check = [&](const std::string &what, double actual, double want) {
    double err = model::test::relativeError(actual, want);
    ++c.entries;
    if (err > c.worst) {
      c.worst = err;
      c.worstKey = what;
    }
    if (!(err <= tolerance))
      c.failures.push_back(what + ": got " + std::to_string(actual) +
                           ", expected " + std::to_string(want));
  };
  check("energy", r.energy, number(expected.at("energy")));
  check("latency", r.latency, number(expected.at("latency")));
  std::map<std::string, double> energy, latency, actions;
  for (const model::EnergyEntry &e : r.energyPerComponentAction())
    energy[join({std::string(e.einsum), std::string(e.component),
                 std::string(e.action)})] += e.energy;
  for (const model::ComponentLatency &l : r.latencies)
    latency[join({std::string(l.einsum), std::string(l.component)})] +=
        l.latency;
  for (const model::ActionCount &a : r.actions)
    actions[join({std::string(a.einsum), std::string(a.component),
                  std::string(a.tensor), std::string(a.action)})] += a.count;
  auto table = [&](const std::string &name, const nlohmann::json &want,
                   const std::map<std::string, double> &have) {
    std::set<std::string> seen;
    for (auto &[key, value] : want.items()) {
      std::string k = join(parseKey(key));
      seen.insert(k);
      auto it = have.find(k);
      if (it == have.end()) {
        if (number(value) != 0)
          c.failures.push_back(name + ": missing " + k);
        continue;
      }
      check(name + " " + k, it->second, number(value));
    }
    for (auto &[k, v] : have)
      if (!seen.count(k) && v != 0)
        c.failures.push_back(name + ": unexpected " + k + " = " +
                             std::to_string(v));
  };
  table("energy_per_component", expected.at("energy_per_component"), energy);
  table("latency_per_component", expected.at("latency_per_component"),
        latency);
  table("actions", expected.at("actions"), actions);
  return c;
}

} // namespace afc::mapper::test
