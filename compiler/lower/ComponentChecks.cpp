//===- ComponentChecks.cpp - components against the models' declarations --===//
#include "afc/lower/ComponentChecks.h"

#include "afc/components/ModelLibrary.h"
#include "afc/support/Units.h"

#include <algorithm>
#include <cmath>
#include <set>

using namespace afc;
using namespace afc::ir;
namespace comp = afc::components;

namespace {

Dimension dimensionOf(comp::AttributeKind kind) {
  switch (kind) {
  case comp::AttributeKind::Count:
    return dim::none;
  case comp::AttributeKind::BitWidth:
  case comp::AttributeKind::Size:
    return dim::bits;
  case comp::AttributeKind::Length:
    return dim::length;
  }
  return dim::none;
}

class Checker {
public:
  explicit Checker(DiagnosticEngine &diags) : diags(diags) {}

  /// A network carries a tensor from a holder above it to one below; with
  /// no memory or toll above it on any path, nothing ever passes through.
  void networksWithoutSource(const Arch &a) {
    std::set<const ArchNode *> carries, networks;
    for (const Arch::Path &p : a.paths()) {
      bool holderAbove = false;
      for (const Arch::PathNode &pn : p.nodes) {
        if (pn.node->kind == NodeKind::Network) {
          networks.insert(pn.node);
          if (holderAbove)
            carries.insert(pn.node);
        }
        holderAbove = holderAbove || pn.node->holdsTensors();
      }
    }
    for (const Arch::Path &p : a.paths())
      for (const Arch::PathNode &pn : p.nodes)
        if (networks.count(pn.node) && !carries.count(pn.node) &&
            warned.insert(pn.node).second)
          diags.warning(pn.node->range,
                        "network '" + pn.node->name +
                            "' has no memory or toll above it, so no tensor "
                            "passes through it and it costs only its leak; "
                            "place it between the memories it connects");
  }

  void arch(const Arch &a) {
    // A study's program elaborates the same text again: check it once.
    if (!seen.insert(a.range.Start.getPointer()).second)
      return;
    std::vector<const comp::ModelInfo *> used;
    visit(a.nodes, used);
    networksWithoutSource(a);
    for (auto &[name, f] : a.modelAttributesForAll)
      archWide(name, f, used);
  }

  bool ok() const { return !failed; }

private:
  void error(llvm::SMRange r, const std::string &msg) {
    diags.error(r, msg);
    failed = true;
  }

  void visit(const std::vector<ArchNode> &nodes,
             std::vector<const comp::ModelInfo *> &used) {
    for (const ArchNode &n : nodes) {
      if (n.isComponent())
        component(n, used);
      visit(n.children, used);
    }
  }

  void component(const ArchNode &n,
                 std::vector<const comp::ModelInfo *> &used) {
    for (const Action &a : n.actions)
      for (auto &[name, f] : a.modelAttributes)
        error(f.nameRange, "attribute '" + name + "' of action '" + a.name +
                               "' is read by no model: the built-in models' "
                               "actions take no attributes");
    const comp::ModelInfo *model = nullptr;
    if (!n.componentClass.empty()) {
      if (std::optional<comp::Error> e =
              comp::ModelLibrary::checkClass(n.componentClass)) {
        error(n.classRange, e->message);
        return;
      }
      model = comp::ModelLibrary::findModel(n.componentClass);
      if (model && std::find(used.begin(), used.end(), model) == used.end())
        used.push_back(model);
    }
    for (auto &[name, f] : n.modelAttributes) {
      if (!model) {
        error(f.nameRange,
              "attribute '" + name + "' of " + std::string(spell(n.kind)) +
                  " '" + n.name + "' is read by no model: " +
                  (n.componentClass.empty()
                       ? std::string("the component has no class")
                       : "a Dummy component has no model"));
        diags.note(n.range, "give it a component class, e.g. '" +
                                std::string(spell(n.kind)) + " " + n.name +
                                " : SmartBufferSRAM', or remove the attribute");
        continue;
      }
      if (const comp::AttributeSpec *spec = model->attribute(name)) {
        value(*spec, name, f, std::string(model->name));
        continue;
      }
      std::vector<std::string> names;
      for (const comp::AttributeSpec &a : model->attributes)
        names.emplace_back(a.name);
      error(f.nameRange, std::string(model->name) + " has no attribute '" +
                             name + "'" + didYouMean(name, names));
      diags.note(f.nameRange, validNames(*model));
    }
  }

  static std::string validNames(const comp::ModelInfo &m) {
    if (m.attributes.empty())
      return std::string(m.name) + " takes no attributes";
    std::string s = std::string(m.name) + " takes: ";
    for (size_t i = 0; i < m.attributes.size(); ++i) {
      const comp::AttributeSpec &a = m.attributes[i];
      s += (i ? ", " : "") + std::string(a.name);
      if (!a.unit().empty())
        s += " (" + std::string(a.unit()) + ")";
    }
    return s;
  }

  void archWide(const std::string &name, const Field &f,
                const std::vector<const comp::ModelInfo *> &used) {
    std::vector<std::string> names;
    for (const comp::ModelInfo *m : used) {
      if (const comp::AttributeSpec *spec = m->attribute(name)) {
        value(*spec, name, f, std::string(m->name));
        return;
      }
      for (const comp::AttributeSpec &a : m->attributes)
        names.emplace_back(a.name);
    }
    error(f.nameRange, "attribute '" + name +
                           "' is read by no component model of this "
                           "architecture" +
                           didYouMean(name, names));
    std::string models;
    for (const comp::ModelInfo *m : used)
      models += (models.empty() ? "" : "; ") + validNames(*m);
    diags.note(f.nameRange, models.empty()
                                ? "no component of this architecture has a "
                                  "model class"
                                : models);
  }

  /// The value's unit and range, when it is known without an Einsum.
  void value(const comp::AttributeSpec &spec, const std::string &name,
             const Field &f, const std::string &model) {
    if (!f.value)
      return;
    const Value &v = *f.value;
    std::string where = "attribute '" + name + "' of " + model;
    if (!v.isNumber() && !v.isBool()) {
      error(f.range, where + " must be a number, not " + v.describe());
      return;
    }
    Dimension want = dimensionOf(spec.kind), got = v.getDimension();
    double x = v.asNumber();
    if (!got.isDimensionless() && got != want) {
      error(f.range, where + " must be " +
                         (want.isDimensionless()
                              ? std::string("a plain number")
                              : want.describe() + " (" + want.str() + ")") +
                         ", but this is " + got.describe() + " (" + got.str() +
                         ")");
      return;
    }
    if (got.isDimensionless() && !want.isDimensionless() &&
        (spec.kind == comp::AttributeKind::Size ||
         spec.kind == comp::AttributeKind::Length) &&
        x != 0 && std::isfinite(x))
      diags.warning(f.range, where + " is a plain number; " +
                                 plainNumberAdvice(x, want));
    if (std::string problem = spec.check(x); !problem.empty())
      error(f.range, where + " " + problem);
  }

  std::set<const ArchNode *> warned;
  DiagnosticEngine &diags;
  std::set<const char *> seen;
  bool failed = false;
};

} // namespace

bool lower::checkComponents(const Spec &spec, DiagnosticEngine &diags) {
  Checker c(diags);
  for (const Arch &a : spec.arches)
    c.arch(a);
  for (const Study &s : spec.studies)
    for (const Arch &a : spec.programOf(s).arches)
      c.arch(a);
  return c.ok();
}
