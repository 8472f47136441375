//===- Spec.cpp - the resolved IR: queries and printer --------------------===//
#include "afc/ir/Spec.h"

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
  case NodeKind::Array: return "array";
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
    if (n.kind == NodeKind::Array) {
      for (const ArchNode &c : n.children)
        out.push_back({&c, fanout});
      out.push_back({&n, fanout});
      fanout *= nodeFanout(n);
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
  double n = 1;
  for (const std::string &rv : e.rankVariables)
    if (const RankVariable *r = rankVariable(rv))
      n *= double(r->bound());
  return n * double(e.nInstances) * double(nInstances);
}

std::string ir::spellMetrics(unsigned m) {
  static const std::pair<unsigned, const char *> names[] = {
      {MetricEnergy, "energy"},
      {MetricLatency, "latency"},
      {MetricEDP, "edp"},
      {MetricDynamicEnergy, "dynamic_energy"},
      {MetricLeakEnergy, "leak_energy"},
      {MetricResourceUsage, "resource_usage"},
      {MetricActions, "actions"},
      {MetricDetailedMemoryUsage, "detailed_memory_usage"}};
  std::string s;
  for (auto &[bit, name] : names)
    if (m & bit)
      s += (s.empty() ? "" : " | ") + std::string(name);
  return s.empty() ? "none" : s;
}

size_t Study::numPoints() const {
  size_t n = 1;
  for (const SweepGroup &g : sweeps)
    n *= g.size();
  return n;
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

//===----------------------------------------------------------------------===//
// Printer
//===----------------------------------------------------------------------===//

namespace {
class Printer {
public:
  explicit Printer(llvm::raw_ostream &os) : os(os) {}

  void print(const Spec &spec) {
    for (const ParamInfo &p : spec.params)
      os << "param " << p.name << " = " << p.value.str()
         << (p.fromOverride ? "  // overridden" : "") << "\n";
    for (const Arch &a : spec.arches)
      print(a);
    for (const Workload &w : spec.workloads)
      print(w);
    for (const Mapping &m : spec.mappings)
      print(m);
    for (const MapperSettings &m : spec.mappers)
      print(m, "mapper " + m.name);
    for (const Study &s : spec.studies)
      print(s);
  }

private:
  void indent() { os.indent(depth * 2); }
  void field(const std::string &name, const Field &f) {
    indent();
    os << name << " = ";
    if (f.value)
      os << f.value->str();
    else
      os << "{" << f.expr.text() << "}";
    os << "\n";
  }
  void fields(const FieldMap &m) {
    for (auto &[k, f] : m)
      field(k, f);
  }
  void entries(const char *what, const std::vector<KeyedEntry> &es) {
    for (const KeyedEntry &e : es) {
      indent();
      os << what << " {" << e.key.text() << "}: {" << e.value.text() << "}\n";
    }
  }

  void print(const ArchNode &n) {
    indent();
    os << spell(n.kind);
    if (!n.name.empty())
      os << " " << n.name;
    if (!n.componentClass.empty())
      os << " : " << n.componentClass;
    os << " {\n";
    ++depth;
    fields(n.fields);
    if (!n.modelAttributes.empty()) {
      indent();
      os << "attributes {\n";
      ++depth;
      fields(n.modelAttributes);
      --depth;
      indent();
      os << "}\n";
    }
    entries("bits_per_value", n.bitsPerValue);
    entries("values_per_action", n.valuesPerAction);
    for (const Action &a : n.actions) {
      indent();
      os << "action " << a.name << " {";
      if (a.fields.empty() && a.modelAttributes.empty() &&
          a.valuesPerAction.empty()) {
        os << "}\n";
        continue;
      }
      os << "\n";
      ++depth;
      fields(a.fields);
      fields(a.modelAttributes);
      entries("values_per_action", a.valuesPerAction);
      --depth;
      indent();
      os << "}\n";
    }
    for (const SpatialDimension &s : n.spatial) {
      indent();
      os << "spatial " << s.name << " {\n";
      ++depth;
      fields(s.fields);
      for (const Deferred &d : s.loopBounds) {
        indent();
        os << "loop_bound {" << d.text() << "}\n";
      }
      --depth;
      indent();
      os << "}\n";
    }
    for (const ArchNode &c : n.children)
      print(c);
    --depth;
    indent();
    os << "}\n";
  }

  void print(const Arch &a) {
    os << "arch " << a.name << " {\n";
    ++depth;
    if (!a.modelAttributesForAll.empty()) {
      indent();
      os << "attributes {\n";
      ++depth;
      fields(a.modelAttributesForAll);
      --depth;
      indent();
      os << "}\n";
    }
    for (const Arch::Path &p : a.paths()) {
      indent();
      os << "path " << p.compute->name << ":";
      for (const Arch::PathNode &n : p.nodes) {
        os << " " << n.node->name;
        if (n.parentFanout != 1)
          os << "[x" << formatNumber(n.parentFanout) << "]";
      }
      os << "\n";
    }
    for (const ArchNode &n : a.nodes)
      print(n);
    --depth;
    os << "}\n";
  }

  void print(const Workload &w) {
    os << "workload " << w.name << " {\n";
    ++depth;
    if (w.nInstances != 1) {
      indent();
      os << "n_instances = " << w.nInstances << "\n";
    }
    for (const RankVariable &r : w.rankVariables) {
      indent();
      os << "rank_variable " << r.name << " in [" << r.lower << ", "
         << r.upper << "]  // bound " << r.bound() << "\n";
    }
    for (const Tensor &t : w.tensors) {
      indent();
      os << "tensor " << t.name << "[";
      for (size_t i = 0; i < t.ranks.size(); ++i)
        os << (i ? ", " : "") << t.ranks[i];
      os << "] bits_per_value = " << formatNumber(t.bitsPerValue);
      if (t.persistent)
        os << " persistent";
      if (t.isIntermediate())
        os << " intermediate";
      os << "\n";
    }
    for (const Einsum &e : w.einsums) {
      indent();
      os << "einsum " << e.name << " {";
      if (e.isCopy)
        os << "  // copy";
      os << "\n";
      ++depth;
      for (const TensorAccess &a : e.accesses) {
        indent();
        os << (a.isOutput ? "output " : "input ") << a.tensor << "[";
        for (size_t i = 0; i < a.projection.size(); ++i)
          os << (i ? ", " : "") << a.projection[i].rank << ": "
             << a.projection[i].str();
        os << "]\n";
      }
      indent();
      os << "rank_variables = {";
      for (size_t i = 0; i < e.rankVariables.size(); ++i)
        os << (i ? ", " : "") << e.rankVariables[i];
      os << "}\n";
      indent();
      os << "computes = " << formatNumber(w.computes(e)) << "\n";
      for (auto &[role, set] : e.renames) {
        indent();
        os << "rename " << role << " = " << set.str() << "\n";
      }
      if (e.nInstances != 1) {
        indent();
        os << "n_instances = " << e.nInstances << "\n";
      }
      --depth;
      indent();
      os << "}\n";
    }
    --depth;
    os << "}\n";
  }

  void print(const MappingNode &n) {
    indent();
    os << spell(n.kind);
    switch (n.kind) {
    case MappingNode::Storage:
    case MappingNode::Toll:
      os << " " << n.component << " (";
      for (size_t i = 0; i < n.tensors.size(); ++i)
        os << (i ? ", " : "") << n.tensors[i];
      os << ")" << (n.persistent ? " persistent" : "");
      break;
    case MappingNode::Temporal:
    case MappingNode::Spatial:
      os << " " << n.rankVariable;
      if (n.kind == MappingNode::Spatial)
        os << " over " << n.component << "." << n.dimension;
      if (n.tileShape)
        os << " tile_shape = " << *n.tileShape;
      if (n.loopBound)
        os << " loop_bound = " << *n.loopBound;
      break;
    case MappingNode::Compute:
      os << " " << n.einsum << " on " << n.component;
      break;
    default:
      break;
    }
    if (n.children.empty()) {
      os << "\n";
      return;
    }
    os << " {\n";
    ++depth;
    for (const MappingNode &c : n.children)
      print(c);
    --depth;
    indent();
    os << "}\n";
  }

  void print(const Mapping &m) {
    os << "mapping " << m.name << " {\n";
    ++depth;
    for (const MappingNode &n : m.nodes)
      print(n);
    --depth;
    os << "}\n";
  }

  void print(const MapperSettings &m, const std::string &header) {
    indent();
    os << header << " {\n";
    ++depth;
    indent();
    os << "metric = " << spellMetrics(m.metrics) << "\n";
    if (m.unfused) {
      indent();
      os << "unfused = true\n";
    }
    for (auto &[k, v] : m.settings) {
      indent();
      os << k << " = " << v.str() << "\n";
    }
    --depth;
    indent();
    os << "}\n";
  }

  void print(const Study &s) {
    os << "study " << s.name << " {\n";
    ++depth;
    indent();
    os << "arch = " << s.arch << "\n";
    indent();
    os << "workload = " << s.workload << "\n";
    if (!s.mapping.empty()) {
      indent();
      os << "mapping = " << s.mapping << "\n";
    }
    for (auto &[k, v] : s.params) {
      indent();
      os << "param " << k << " = " << v.str() << "\n";
    }
    print(s.mapper, "mapper");
    for (const SweepGroup &g : s.sweeps) {
      indent();
      os << (g.zipped ? "sweep zip" : "sweep") << " {\n";
      ++depth;
      for (const SweepAxis &a : g.axes) {
        indent();
        os << a.target << " in [";
        for (size_t i = 0; i < a.values.size(); ++i)
          os << (i ? ", " : "") << a.values[i].str();
        os << "]\n";
      }
      --depth;
      indent();
      os << "}\n";
    }
    indent();
    os << "points = " << s.numPoints() << "\n";
    for (const Report &r : s.reports) {
      indent();
      os << "report \"" << r.path << "\" format = " << r.format << "\n";
    }
    for (const Plot &p : s.plots) {
      indent();
      os << "plot \"" << p.path << "\" {";
      for (auto &[k, v] : p.references)
        os << " " << k << " = " << v << ";";
      for (auto &[k, v] : p.settings)
        os << " " << k << " = " << v.str() << ";";
      os << " }\n";
    }
    --depth;
    os << "}\n";
    if (!s.program)
      return;
    // The study's own binding of the program: what it will run on.
    os << "// program of study " << s.name << "\n";
    for (const ParamInfo &p : s.program->params)
      os << "param " << p.name << " = " << p.value.str() << "\n";
    if (const Arch *a = s.program->arch(s.arch))
      print(*a);
    if (const Workload *w = s.program->workload(s.workload))
      print(*w);
    if (const Mapping *m = s.program->mapping(s.mapping))
      print(*m);
  }

  llvm::raw_ostream &os;
  unsigned depth = 0;
};
} // namespace

void ir::print(const Spec &spec, llvm::raw_ostream &os) {
  Printer(os).print(spec);
}
