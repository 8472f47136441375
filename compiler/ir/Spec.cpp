//===- Spec.cpp - the resolved IR: queries --------------------------------===//
#include "afc/ir/Spec.h"

#include <algorithm>
#include <cmath>

using namespace afc;
using namespace afc::ir;

llvm::StringRef ir::spell(NodeKind k) {
  switch (k) {
  case NodeKind::Memory: return "memory";
  case NodeKind::Compute: return "compute";
  case NodeKind::Container: return "container";
  case NodeKind::Toll: return "toll";
  case NodeKind::Network: return "network";
  case NodeKind::Fork: return "fork";
  }
  return "?";
}

llvm::StringRef ir::spell(MappingNode::Kind k) {
  switch (k) {
  case MappingNode::Storage: return "storage";
  case MappingNode::Toll: return "toll";
  case MappingNode::Temporal: return "temporal";
  case MappingNode::Spatial: return "spatial";
  case MappingNode::Compute: return "compute";
  case MappingNode::Sequential: return "sequential";
  case MappingNode::Pipeline: return "pipeline";
  case MappingNode::Nested: return "nested";
  }
  return "?";
}

double SpatialDimension::fanout() const {
  auto it = fields.find("fanout");
  if (it == fields.end() || !it->second.value || !it->second.value->isNumber())
    return 1;
  return it->second.value->asNumber();
}

static double nodeFanout(const ArchNode &n) {
  double f = 1;
  for (const SpatialDimension &d : n.spatial)
    f *= d.fanout();
  return f;
}

/// Walks the tree the way the reference flattens it: nested hierarchies and
/// forks that do not contain the compute are skipped.
static bool flatten(const std::vector<ArchNode> &nodes, const ArchNode *target,
                    double fanout, std::vector<Arch::PathNode> &out) {
  for (const ArchNode &n : nodes) {
    if (n.kind == NodeKind::Fork) {
      std::vector<Arch::PathNode> branch = out;
      if (flatten(n.children, target, fanout, branch)) {
        out = std::move(branch);
        return true;
      }
      continue;
    }
    if (n.kind == NodeKind::Compute) {
      if (&n == target) {
        out.push_back({&n, fanout});
        return true;
      }
      continue;
    }
    out.push_back({&n, fanout});
    fanout *= nodeFanout(n);
  }
  return false;
}

static void collectComputes(const std::vector<ArchNode> &nodes,
                            std::vector<const ArchNode *> &out) {
  for (const ArchNode &n : nodes) {
    if (n.kind == NodeKind::Compute)
      out.push_back(&n);
    collectComputes(n.children, out);
  }
}

std::vector<Arch::Path> Arch::paths() const {
  std::vector<const ArchNode *> computes;
  collectComputes(nodes, computes);
  std::vector<Path> out;
  for (const ArchNode *c : computes) {
    Path p{c, {}};
    flatten(nodes, c, 1, p.nodes);
    out.push_back(std::move(p));
  }
  return out;
}

static const ArchNode *findIn(const std::vector<ArchNode> &nodes,
                              llvm::StringRef name) {
  for (const ArchNode &n : nodes) {
    if (n.name == name)
      return &n;
    if (const ArchNode *c = findIn(n.children, name))
      return c;
  }
  return nullptr;
}

const ArchNode *Arch::find(llvm::StringRef name) const {
  return findIn(nodes, name);
}

std::string RankProjection::str() const {
  std::string s;
  for (const Term &t : terms) {
    if (!s.empty())
      s += t.coefficient < 0 ? " - " : " + ";
    else if (t.coefficient < 0)
      s += "-";
    int64_t c = t.coefficient < 0 ? -t.coefficient : t.coefficient;
    if (c != 1)
      s += std::to_string(c) + "*";
    s += t.rankVariable;
  }
  if (constant || s.empty())
    s += (s.empty() ? "" : constant < 0 ? " - " : " + ") +
         std::to_string(s.empty() ? constant
                                  : (constant < 0 ? -constant : constant));
  return s;
}

const RankVariable *Workload::rankVariable(llvm::StringRef n) const {
  for (const RankVariable &r : rankVariables)
    if (r.name == n)
      return &r;
  return nullptr;
}

const Tensor *Workload::tensor(llvm::StringRef n) const {
  for (const Tensor &t : tensors)
    if (t.name == n)
      return &t;
  return nullptr;
}

const Einsum *Workload::einsum(llvm::StringRef n) const {
  for (const Einsum &e : einsums)
    if (e.name == n)
      return &e;
  return nullptr;
}

double Workload::computes(const Einsum &e) const {
  double n = e.iterationSpacePoints;
  if (n == 0) {
    n = 1;
    for (const std::string &rv : e.rankVariables)
      if (const RankVariable *r = rankVariable(rv))
        n *= double(r->bound());
  }
  return n * double(e.nInstances) * double(nInstances);
}

llvm::ArrayRef<ir::MetricName> ir::metricNames() {
  static const MetricName names[] = {
      {MetricEnergy, "energy", "total energy", true},
      {MetricLatency, "latency", "total latency", true},
      {MetricEDP, "edp", "energy-delay product", true},
      {MetricDynamicEnergy, "dynamic_energy", "dynamic energy", false},
      {MetricLeakEnergy, "leak_energy", "leak energy", false},
      {MetricResourceUsage, "resource_usage", "resource usage", false},
      {MetricActions, "actions", "action counts", false},
      {MetricDetailedMemoryUsage, "detailed_memory_usage",
       "per-memory usage", false}};
  return names;
}

unsigned ir::metricNamed(llvm::StringRef name) {
  std::string lower = name.lower();
  if (lower == "energy_delay_product") // the reference's long spelling
    return MetricEDP;
  for (const MetricName &m : metricNames())
    if (lower == m.name)
      return m.metric;
  return 0;
}

std::string ir::spellMetrics(unsigned m) {
  std::string s;
  for (const MetricName &n : metricNames())
    if (m & n.metric)
      s += (s.empty() ? "" : " | ") + std::string(n.name);
  return s.empty() ? "none" : s;
}

size_t Study::numPoints() const {
  size_t n = 1;
  for (const SweepGroup &g : sweeps)
    n *= g.size();
  return n;
}

/// The names a categorical axis sweeps, or `fixed` when none does.
static std::vector<std::string> sweptNames(const Study &s,
                                           SweepAxis::TargetKind kind,
                                           const std::string &fixed) {
  for (const SweepGroup &g : s.sweeps)
    for (const SweepAxis &a : g.axes)
      if (a.targetKind == kind) {
        std::vector<std::string> names;
        for (const Value &v : a.values)
          names.push_back(v.asString());
        return names;
      }
  return {fixed};
}

std::vector<std::string> Study::archNames() const {
  return sweptNames(*this, SweepAxis::Arch, arch);
}

std::vector<std::string> Study::workloadNames() const {
  return sweptNames(*this, SweepAxis::Workload, workload);
}

std::vector<std::pair<std::string, std::string>>
Study::archWorkloadPairs() const {
  std::vector<std::pair<std::string, std::string>> pairs;
  auto add = [&](const std::string &a, const std::string &w) {
    if (std::find(pairs.begin(), pairs.end(), std::make_pair(a, w)) ==
        pairs.end())
      pairs.push_back({a, w});
  };
  for (const SweepGroup &g : sweeps) {
    const SweepAxis *arches = nullptr, *workloads = nullptr;
    for (const SweepAxis &a : g.axes) {
      if (a.targetKind == SweepAxis::Arch)
        arches = &a;
      if (a.targetKind == SweepAxis::Workload)
        workloads = &a;
    }
    if (arches && workloads) {
      for (size_t i = 0; i < g.size(); ++i)
        add(arches->values[i].asString(), workloads->values[i].asString());
      return pairs;
    }
  }
  for (const std::string &a : archNames())
    for (const std::string &w : workloadNames())
      add(a, w);
  return pairs;
}

const Arch *Spec::arch(llvm::StringRef n) const {
  for (const Arch &a : arches)
    if (a.name == n)
      return &a;
  return nullptr;
}

const Workload *Spec::workload(llvm::StringRef n) const {
  for (const Workload &w : workloads)
    if (w.name == n)
      return &w;
  return nullptr;
}

const Mapping *Spec::mapping(llvm::StringRef n) const {
  for (const Mapping &m : mappings)
    if (m.name == n)
      return &m;
  return nullptr;
}
