//===- IRPrinter.cpp - the IR as stable, readable text --------------------===//
//
// Prints an elaborated Spec for `afc --emit=ir`: parameters, architectures,
// workloads, mappings, mapper settings and studies, one declaration after the
// other. The output is a test interface (lit tests FileCheck it), so its
// order and number formatting must stay stable.
//
//===----------------------------------------------------------------------===//
#include "afc/ir/IRPrinter.h"

#include <cmath>

using namespace afc;
using namespace afc::ir;

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
  /// Starts a nested block: `name {`, its contents one level deeper.
  void open(llvm::StringRef name) {
    indent();
    os << name << " {\n";
    ++depth;
  }
  void close() {
    --depth;
    indent();
    os << "}\n";
  }
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
      open("attributes");
      fields(n.modelAttributes);
      close();
    }
    entries("bits_per_value", n.bitsPerValue);
    entries("values_per_action", n.valuesPerAction);
    entries("direction", n.directions);
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
      close();
    }
    for (const Deferred &d : n.tileShape) {
      indent();
      os << "tile_shape {" << d.text() << "}\n";
    }
    for (const Deferred &d : n.tensorOrderOptions) {
      indent();
      os << "tensor_order_option {" << d.text() << "}\n";
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
      close();
    }
    for (const ArchNode &c : n.children)
      print(c);
    close();
  }

  void print(const Arch &a) {
    os << "arch " << a.name << " {\n";
    ++depth;
    if (!a.modelAttributesForAll.empty()) {
      open("attributes");
      fields(a.modelAttributesForAll);
      close();
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
      close();
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
    close();
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
    close();
  }

  void print(const Study &s) {
    os << "study " << s.name << " {\n";
    ++depth;
    if (!s.arch.empty()) {
      indent();
      os << "arch = " << s.arch << "\n";
    }
    if (!s.workload.empty()) {
      indent();
      os << "workload = " << s.workload << "\n";
    }
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
        // Architectures and workloads are names, not strings.
        bool names = a.targetKind == SweepAxis::Arch ||
                     a.targetKind == SweepAxis::Workload;
        for (size_t i = 0; i < a.values.size(); ++i)
          os << (i ? ", " : "")
             << (names ? a.values[i].asString() : a.values[i].str());
        os << "]\n";
      }
      close();
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
    for (const std::string &n : s.archNames())
      if (const Arch *a = s.program->arch(n))
        print(*a);
    for (const std::string &n : s.workloadNames())
      if (const Workload *w = s.program->workload(n))
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
