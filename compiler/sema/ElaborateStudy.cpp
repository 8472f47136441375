//===- ElaborateStudy.cpp - studies ---------------------------------------===//
//
// Study declarations: sweeps with their targets and units, the program each
// study runs on, reports and plots.
//
//===----------------------------------------------------------------------===//
#include "ElaboratorImpl.h"

#include "afc/support/Limits.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Path.h"

#include <cmath>

using namespace afc;
using namespace afc::sema;

namespace {

/// One thing a study writes or sweeps, with where it was written.
struct StudyItem {
  std::string key;
  SMRange range;
};

/// Reports an error at each item whose key an earlier item already has, with
/// a note at that earlier one. Items are taken in source order.
void rejectRepeats(std::vector<StudyItem> items, DiagnosticEngine &diags,
                   const std::string &what, const std::string &why) {
  std::stable_sort(items.begin(), items.end(),
                   [](const StudyItem &a, const StudyItem &b) {
                     return a.range.Start.getPointer() <
                            b.range.Start.getPointer();
                   });
  std::map<std::string, SMRange> first;
  for (const StudyItem &i : items) {
    auto [it, inserted] = first.try_emplace(i.key, i.range);
    if (inserted)
      continue;
    diags.error(i.range, what + " '" + i.key + "'" + why);
    diags.note(it->second, "first here");
  }
}

/// The file a report or plot writes, with `./` and `a/../` removed, so two
/// spellings of one file compare equal.
std::string outputKey(const std::string &path) {
  llvm::SmallString<128> p(path);
  llvm::sys::path::remove_dots(p, /*remove_dot_dot=*/true);
  return std::string(p.str());
}

/// What a sweep axis sets, independent of how its target was spelled.
std::string sweepKey(const SweepAxis &a) {
  switch (a.targetKind) {
  case SweepAxis::Parameter:
    return a.field;
  case SweepAxis::ComponentField:
  case SweepAxis::ModelAttribute:
    return a.component + "." + a.field;
  case SweepAxis::ActionField:
    return a.component + "." + a.action + "." + a.field;
  case SweepAxis::Arch:
  case SweepAxis::Workload:
    return a.field;
  }
  return a.target;
}

/// Two reports or plots writing one file would overwrite each other, and a
/// target swept twice would set one value per point from two lists.
void checkStudyRepeats(const Study &study, DiagnosticEngine &diags) {
  std::vector<StudyItem> outputs;
  for (const Report &r : study.reports)
    outputs.push_back({outputKey(r.path), r.range});
  for (const Plot &p : study.plots)
    outputs.push_back({outputKey(p.path), p.range});
  rejectRepeats(outputs, diags, "the study already writes",
                "; each report and plot needs its own file");
  std::vector<StudyItem> targets;
  for (const SweepGroup &g : study.sweeps)
    for (const SweepAxis &a : g.axes)
      targets.push_back({sweepKey(a), a.range});
  rejectRepeats(targets, diags, "the study already sweeps",
                "; sweep each target once (combine the values in one list, "
                "or use 'sweep zip { }' to vary targets together)");
}

} // namespace

const ArchNode *Elaborator::sweepComponent(const Arch *arch, const ast::Name &n,
                                           const std::string &name) {
  if (!arch)
    return nullptr;
  const ArchNode *node = arch->find(name);
  if (!node) {
    std::vector<std::string> names;
    std::function<void(const std::vector<ArchNode> &)> collect =
        [&](const std::vector<ArchNode> &ns) {
          for (const ArchNode &x : ns) {
            names.push_back(x.name);
            collect(x.children);
          }
        };
    collect(arch->nodes);
    diags.error(n.range, "architecture '" + arch->name +
                             "' has no component '" + name + "'" +
                             didYouMean(name, names));
  }
  return node;
}

/// The units of the number literals in a sweep's values, e.g. {B, MiB} for
/// `logspace(32 B, 4 MiB, 32)`.
static void collectUnits(const ast::Expr &e, std::set<std::string> &units) {
  if (auto *n = dyn_cast<ast::NumberExpr>(&e)) {
    if (!n->unit.empty())
      units.insert(n->unit);
  } else if (auto *l = dyn_cast<ast::ListExpr>(&e)) {
    for (const ast::ExprPtr &x : l->elements)
      collectUnits(*x, units);
  } else if (auto *c = dyn_cast<ast::CallExpr>(&e)) {
    for (const ast::CallExpr::Arg &a : c->args)
      collectUnits(*a.value, units);
  } else if (auto *u = dyn_cast<ast::UnaryExpr>(&e)) {
    collectUnits(*u->operand, units);
  } else if (auto *b = dyn_cast<ast::BinaryExpr>(&e)) {
    collectUnits(*b->lhs, units);
    collectUnits(*b->rhs, units);
  }
}

/// The unit a plot shows a swept axis in: the one its values are written
/// in, or of several of the same dimension the smallest (`32 B` to `4 MiB`
/// shows in B).
static std::string displayUnit(const ast::Expr &values, Dimension d) {
  std::set<std::string> names;
  collectUnits(values, names);
  const Unit *best = nullptr;
  for (const std::string &n : names)
    if (const Unit *u = lookupUnit(n))
      if (u->dimension == d && (!best || u->scale < best->scale))
        best = u;
  return best ? best->name : "";
}

std::optional<std::vector<std::string>>
Elaborator::sweptDeclNames(const ast::SweepStmt::Axis &a,
                           const std::string &kind, const Scope &sc) {
  std::string noun = kind == "arch" ? "architecture" : "workload";
  auto *list = dyn_cast<ast::ListExpr>(a.values.get());
  if (!list) {
    diags.error(a.values->getRange(),
                "'sweep " + kind + "' takes a list of " + noun + " names, e.g. " +
                    (kind == "arch" ? "[eyeriss, simba]"
                                    : "[matmuls, three_matmuls_annotated]"));
    return std::nullopt;
  }
  if (list->elements.empty()) {
    diags.error(a.values->getRange(), "a sweep needs at least one value");
    return std::nullopt;
  }
  std::vector<std::string> declared;
  for (const Decl &d : declsOf(kind))
    declared.push_back(d.name);
  std::vector<std::string> names;
  std::map<std::string, SMRange> seen;
  bool ok = true;
  for (const ast::ExprPtr &e : list->elements) {
    if (!isa<ast::NameExpr>(e.get()) && !isa<ast::StringExpr>(e.get())) {
      diags.error(e->getRange(), "expected the name of " +
                                     std::string(kind == "arch" ? "an " : "a ") +
                                     noun);
      ok = false;
      continue;
    }
    std::optional<std::string> name = symbolName(*e, sc);
    if (!name) {
      ok = false;
      continue;
    }
    bool found = kind == "arch" ? spec->arch(*name) != nullptr
                                : spec->workload(*name) != nullptr;
    if (!found) {
      diags.error(e->getRange(), "no " + kind + " named '" + *name + "'" +
                                     didYouMean(*name, declared));
      ok = false;
      continue;
    }
    auto [it, inserted] = seen.try_emplace(*name, e->getRange());
    if (!inserted) {
      diags.error(e->getRange(), "the sweep already lists " + noun + " '" +
                                     *name + "'; list each " + noun + " once");
      diags.note(it->second, "first here");
      ok = false;
      continue;
    }
    names.push_back(*name);
  }
  if (!ok)
    return std::nullopt;
  return names;
}

bool Elaborator::componentSweepTarget(const Arch *arch,
                                      const ast::SweepStmt::Axis &a,
                                      const std::vector<std::string> &parts,
                                      bool several, SweepAxis &axis,
                                      Dimension &expected,
                                      const FieldSpec *&field,
                                      bool &computeAction) {
  // Of several architectures, messages say which one lacks the target.
  std::string where = several ? " of architecture '" + arch->name + "'" : "";
  const ArchNode *node = sweepComponent(arch, a.target.parts[0], parts[0]);
  if (!node)
    return false;
  axis.component = parts[0];
  std::string kind = std::string(spell(node->kind));
  if (parts.size() == 3) {
    axis.targetKind = SweepAxis::ActionField;
    axis.action = parts[1];
    axis.field = parts[2];
    if (!node->action(parts[1])) {
      diags.error(a.target.parts[1].range, "component '" + parts[0] + "'" +
                                               where + " has no action '" +
                                               parts[1] + "'");
      return false;
    }
    const FieldSpec *fs = findField(actionFields(), parts[2]);
    if (!fs) {
      diags.error(a.target.parts[2].range,
                  "unknown action field '" + parts[2] + "'" +
                      didYouMean(parts[2], fieldNames(actionFields())));
      return false;
    }
    expected = fs->dimension;
    field = fs;
    computeAction = node->kind == NodeKind::Compute;
    return true;
  }
  axis.field = parts[1];
  if (const FieldSpec *fs = findField(componentFields(kind), parts[1])) {
    axis.targetKind = SweepAxis::ComponentField;
    expected = fs->dimension;
    field = fs;
    return true;
  }
  if (node->modelAttributes.count(parts[1]) ||
      arch->modelAttributesForAll.count(parts[1])) {
    axis.targetKind = SweepAxis::ModelAttribute;
    const Field &f = node->modelAttributes.count(parts[1])
                         ? node->modelAttributes.at(parts[1])
                         : arch->modelAttributesForAll.at(parts[1]);
    expected = f.value && f.value->isNumber() ? f.value->getDimension()
                                              : Dimension(dim::none);
    return true;
  }
  std::vector<std::string> names = fieldNames(componentFields(kind));
  for (auto &kv : node->modelAttributes)
    names.push_back(kv.first);
  diags.error(a.target.parts[1].range,
              "'" + parts[1] + "' is not a field or model attribute of " +
                  kind + " '" + parts[0] + "'" + where +
                  didYouMean(parts[1], names));
  return false;
}

void Elaborator::buildSweep(
    const ast::SweepStmt &s, MutableScope sc, Study &study,
    const std::vector<const Arch *> &arches,
    const std::map<const ast::SweepStmt::Axis *, std::vector<std::string>>
        &categorical) {
  SweepGroup g;
  g.zipped = s.zipped;
  for (const ast::SweepStmt::Axis &a : s.axes) {
    SweepAxis axis;
    axis.target = a.target.spelling();
    axis.range = a.target.range;
    std::vector<std::string> parts;
    for (const ast::Name &n : a.target.parts) {
      auto p = eval.evalName(n, *sc);
      if (!p)
        return;
      parts.push_back(*p);
    }
    Dimension expected = dim::none;
    const FieldSpec *expectedSpec = nullptr; // for fields: what else fits
    bool computeAction = false;
    if (parts.size() == 1 && (parts[0] == "arch" || parts[0] == "workload")) {
      // The study's architecture or workload, by name: a category, not a
      // number, so none of the checks of values below apply.
      auto it = categorical.find(&a);
      if (it == categorical.end())
        return; // its names were wrong, and reported
      axis.targetKind =
          parts[0] == "arch" ? SweepAxis::Arch : SweepAxis::Workload;
      axis.field = parts[0];
      for (const std::string &n : it->second)
        axis.values.push_back(Value::string(n));
      g.axes.push_back(std::move(axis));
      continue;
    }
    if (parts.size() == 1) {
      axis.targetKind = SweepAxis::Parameter;
      axis.field = parts[0];
      bool known =
          std::any_of(spec->params.begin(), spec->params.end(),
                      [&](const ParamInfo &p) { return p.name == parts[0]; });
      if (!known) {
        std::vector<std::string> names;
        for (const ParamInfo &p : spec->params)
          names.push_back(p.name);
        diags.error(a.target.range, "no parameter named '" + parts[0] + "'" +
                                        didYouMean(parts[0], names));
        diags.note(a.target.range, "a sweep target is a parameter, arch, "
                                   "workload or a path such as "
                                   "GlobalBuffer.size");
        return;
      }
      for (const ParamInfo &p : spec->params)
        if (p.name == parts[0] && p.value.isNumber())
          expected = p.value.getDimension();
    } else if (parts.size() == 2 || parts.size() == 3) {
      // A component's field must be in every architecture the study runs
      // on: a point cannot skip a value it sweeps.
      if (arches.empty())
        return; // the study's architecture is unknown, and reported
      for (const Arch *arch : arches) {
        SweepAxis here = axis;
        Dimension d = dim::none;
        const FieldSpec *fieldHere = nullptr;
        bool computeHere = false;
        if (!componentSweepTarget(arch, a, parts, arches.size() > 1, here, d,
                                  fieldHere, computeHere)) {
          if (arches.size() > 1) {
            std::vector<std::string> names;
            for (const Arch *x : arches)
              names.push_back(x->name);
            diags.note(a.target.range,
                       "study '" + study.name + "' sweeps arch over " +
                           llvm::join(names, ", ") +
                           "; a swept component field must be in each");
          }
          return;
        }
        computeAction |= computeHere;
        if (arch == arches.front()) {
          axis = here;
          expected = d;
          expectedSpec = fieldHere;
        } else if (here.targetKind != axis.targetKind || d != expected) {
          diags.error(a.target.range,
                      "'" + axis.target + "' is not the same kind of value in "
                      "architectures '" + arches.front()->name + "' and '" +
                          arch->name + "'; sweep it in one study per "
                          "architecture");
          return;
        }
      }
    } else {
      diags.error(a.target.range, "a sweep target is a parameter, arch, "
                                  "workload, Component.field or "
                                  "Component.action.field");
      return;
    }
    std::optional<Value> values = eval.eval(*a.values, *sc);
    if (!values)
      return;
    if (!values->isList()) {
      diags.error(a.values->getRange(),
                  "a sweep takes a list of values (a list, range, logspace "
                  "or linspace), not " +
                      values->describe());
      return;
    }
    if (values->asList().empty()) {
      diags.error(a.values->getRange(), "a sweep needs at least one value");
      return;
    }
    for (const Value &v : values->asList()) {
      bool fits = expectedSpec ? expectedSpec->accepts(v.getDimension())
                               : v.getDimension() == expected;
      if (v.isNumber() && !v.getDimension().isDimensionless() && !fits &&
          !expected.isDimensionless()) {
        diags.error(a.values->getRange(),
                    "'" + axis.target + "' is " +
                        (expectedSpec ? expectedSpec->expected()
                                      : expected.describe() + " (" +
                                            expected.str() + ")") +
                        ", but the sweep gives " +
                        v.getDimension().describe() + " (" +
                        v.getDimension().str() + ")");
        return;
      }
      if (v.isNumber() && v.getDimension() == dim::bandwidth &&
          computeAction) {
        diags.error(a.values->getRange(),
                    bandwidthOnComputeMessage("'" + axis.target + "'"));
        return;
      }
      if (v.isNumber() && v.asNumber() < 0 &&
          axis.targetKind != SweepAxis::Parameter) {
        diags.error(a.values->getRange(),
                    "a swept '" + axis.target + "' must not be negative");
        return;
      }
    }
    axis.values = values->asList();
    if (axis.values[0].isNumber())
      axis.unit = displayUnit(*a.values, axis.values[0].getDimension());
    g.axes.push_back(std::move(axis));
  }
  if (g.zipped)
    for (const SweepAxis &ax : g.axes)
      if (ax.values.size() != g.axes[0].values.size()) {
        diags.error(ax.range, "zipped sweeps must have the same number of "
                              "values: '" +
                                  ax.target + "' has " +
                                  std::to_string(ax.values.size()) + ", '" +
                                  g.axes[0].target + "' has " +
                                  std::to_string(g.axes[0].values.size()));
        return;
      }
  study.sweeps.push_back(std::move(g));
}

void Elaborator::buildStudy(const Decl &d) {
  Study study;
  study.name = d.name;
  study.range = d.block->name ? d.block->name->range : d.block->kindRange;
  auto scope = std::make_shared<Scope>(d.scope);
  std::vector<std::pair<const ast::SweepStmt *, MutableScope>> sweeps;
  std::map<std::string, SMRange> fixedAt; // where `arch =` etc. were set
  bool haveMapper = false;
  walk(d.block->body, scope, [&](const ast::Stmt &s, MutableScope sc) {
    if (auto *f = dyn_cast<ast::FieldStmt>(&s)) {
      std::string key = f->target.spelling();
      static const std::vector<std::string> keys = {"arch", "workload",
                                                    "mapping", "mapper"};
      if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
        diags.error(f->target.range, "unknown study field '" + key + "'" +
                                         didYouMean(key, keys));
        return;
      }
      std::optional<std::string> ref = symbolName(*f->value, *sc);
      if (!ref)
        return;
      fixedAt[key] = f->target.range;
      auto check = [&](const char *kind, bool found) {
        if (found)
          return true;
        std::vector<std::string> names;
        for (const Decl &x : declsOf(kind))
          names.push_back(x.name);
        diags.error(f->value->getRange(), std::string("no ") + kind +
                                              " named '" + *ref + "'" +
                                              didYouMean(*ref, names));
        return false;
      };
      if (key == "arch" && check("arch", spec->arch(*ref)))
        study.arch = *ref;
      else if (key == "workload" && check("workload", spec->workload(*ref)))
        study.workload = *ref;
      else if (key == "mapping" && check("mapping", spec->mapping(*ref)))
        study.mapping = *ref;
      else if (key == "mapper") {
        bool found = false;
        for (const MapperSettings &m : spec->mappers)
          if (m.name == *ref) {
            study.mapper = m;
            found = haveMapper = true;
          }
        check("mapper", found);
      }
      return;
    }
    if (auto *sw = dyn_cast<ast::SweepStmt>(&s)) {
      sweeps.push_back({sw, sc});
      return;
    }
    auto *b = dyn_cast<ast::BlockStmt>(&s);
    if (!b) {
      diags.error(s.getRange(), "unexpected statement in study");
      return;
    }
    if (b->kind == "mapper") {
      study.mapper = buildMapper(b, sc, "");
      haveMapper = true;
    } else if (b->kind == "params") {
      walk(b->body, sc, [&](const ast::Stmt &ps, MutableScope pc) {
        auto *f = dyn_cast<ast::FieldStmt>(&ps);
        if (!f) {
          diags.error(ps.getRange(), "params holds 'NAME = value;'");
          return;
        }
        std::string key = f->target.spelling();
        bool known =
            std::any_of(spec->params.begin(), spec->params.end(),
                        [&](const ParamInfo &p) { return p.name == key; }) ||
            declaredRequired(key);
        if (!known) {
          diags.error(f->target.range, "no parameter named '" + key + "'");
          return;
        }
        std::optional<Value> v = eval.eval(*f->value, *pc);
        if (v)
          study.params[key] = *v;
      });
    } else if (b->kind == "report") {
      if (!b->label) {
        diags.error(b->kindRange, "a report names its output file, e.g. "
                                  "'report \"results.csv\";'");
        return;
      }
      Report r;
      r.path = *b->label;
      r.range = b->labelRange;
      llvm::StringRef ext = llvm::StringRef(r.path).rsplit('.').second;
      if (ext == "csv" || ext == "json" || ext == "md")
        r.format = ext.str();
      else {
        diags.error(b->labelRange, "a report file must end in .csv, .json "
                                   "or .md");
        return;
      }
      study.reports.push_back(r);
    } else if (b->kind == "plot") {
      buildPlot(*b, sc, study);
    } else {
      static const std::vector<std::string> blocks = {"mapper", "params",
                                                      "report", "plot"};
      diags.error(b->kindRange, "unknown block '" + b->kind + "' in study" +
                                    didYouMean(b->kind, blocks));
    }
  });
  // The architectures and workloads swept by name come first: every
  // component field swept, whichever sweep comes first, must be in each
  // architecture.
  std::map<const ast::SweepStmt::Axis *, std::vector<std::string>> categorical;
  std::set<std::string> swept;
  std::vector<const Arch *> arches;
  for (auto &[sw, sc] : sweeps)
    for (const ast::SweepStmt::Axis &a : sw->axes) {
      std::string kind = a.target.spelling();
      if (kind != "arch" && kind != "workload")
        continue;
      // A second sweep of one is reported with the other repeated targets.
      bool first = swept.insert(kind).second;
      if (fixedAt.count(kind)) {
        if (first) {
          diags.error(a.target.range,
                      "study '" + study.name + "' sets '" + kind +
                          " = ...;' and also sweeps " + kind +
                          "; keep one of them");
          diags.note(fixedAt.at(kind), "set here");
        }
        continue;
      }
      std::optional<std::vector<std::string>> names =
          sweptDeclNames(a, kind, *sc);
      if (!names)
        continue;
      if (first && kind == "arch")
        for (const std::string &n : *names)
          arches.push_back(spec->arch(n));
      categorical[&a] = std::move(*names);
    }
  if (!swept.count("arch"))
    if (const Arch *a = spec->arch(study.arch))
      arches.push_back(a);
  if (study.arch.empty() && !swept.count("arch"))
    diags.error(study.range, "study '" + study.name +
                                 "' needs 'arch = ...;' or 'sweep arch in "
                                 "[...];'");
  if (study.workload.empty() && !swept.count("workload"))
    diags.error(study.range, "study '" + study.name +
                                 "' needs 'workload = ...;' or 'sweep "
                                 "workload in [...];'");
  // Design points are the product of the sweeps; count them before anything
  // expands them, so a mistyped sweep ends here rather than in the memory of
  // a list of 10^12 points.
  double points = 1;
  for (auto &[sw, sc] : sweeps) {
    size_t before = study.sweeps.size();
    buildSweep(*sw, sc, study, arches, categorical);
    if (study.sweeps.size() == before)
      continue;
    points *= double(study.sweeps.back().size());
    uint64_t limit = limits().maxSweepPoints;
    if (points > double(limit)) {
      diags.error(sw->getRange(),
                  "study '" + study.name + "' would have " +
                      formatNumber(points) + " design points, more than " +
                      std::to_string(limit) + " (" +
                      limitFlag("max-sweep-points", limit) + ")");
      diags.note(sw->getRange(), "sweeps combine as a cartesian product; zip "
                                 "them with 'sweep zip { A in ...; B in ...; "
                                 "}', or raise the limit with "
                                 "--max-sweep-points=N");
      break;
    }
  }
  checkStudyRepeats(study, diags);
  (void)haveMapper;
  spec->studies.push_back(std::move(study));
}

bool Elaborator::declaredRequired(const std::string &name) {
  return std::find(missingRequired.begin(), missingRequired.end(), name) !=
             missingRequired.end() ||
         optionalParams.count(name);
}

void Elaborator::buildPlot(const ast::BlockStmt &b, MutableScope sc,
                           Study &study) {
  if (!b.label) {
    diags.error(b.kindRange, "a plot names its output file, e.g. 'plot "
                             "\"energy.svg\" { ... }'");
    return;
  }
  Plot p;
  p.path = *b.label;
  p.range = b.labelRange;
  llvm::StringRef ext = llvm::StringRef(p.path).rsplit('.').second;
  if (ext != "svg" && ext != "png" && ext != "pdf") {
    diags.error(b.labelRange, "a plot file must end in .svg, .png or .pdf");
    return;
  }
  static const std::vector<std::string> keys = {"x",     "y",       "series",
                                                "kind",  "log_x",   "log_y",
                                                "title", "x_label", "y_label"};
  walk(b.body, sc, [&](const ast::Stmt &s, MutableScope ps) {
    auto *f = dyn_cast<ast::FieldStmt>(&s);
    if (!f) {
      diags.error(s.getRange(), "plot settings are 'name = value;'");
      return;
    }
    std::string key = f->target.spelling();
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
      diags.error(f->target.range,
                  "unknown plot setting '" + key + "'" + didYouMean(key, keys));
      diags.note(f->target.range,
                 "the plot settings are " + llvm::join(keys, ", "));
      return;
    }
    if (key == "x" || key == "y" || key == "series" || key == "kind") {
      // Symbolic: a result, a swept path or a kind; lowering resolves them
      // against the study's columns (lower::plotRequest).
      std::string text = f->value->text().str();
      text.erase(std::remove(text.begin(), text.end(), ' '), text.end());
      if (auto *str = dyn_cast<ast::StringExpr>(f->value.get()))
        text = str->value;
      p.references[key] = text;
      p.referenceRanges[key] = f->value->getRange();
      return;
    }
    std::optional<Value> v = eval.eval(*f->value, *ps);
    if (v)
      p.settings[key] = *v;
  });
  if (!p.references.count("y"))
    diags.error(b.labelRange, "a plot needs 'y = ...;' (what to draw)");
  study.plots.push_back(std::move(p));
}
