//===- LowerStudy.cpp - a study's design points to runtime inputs ---------===//
//
// A swept parameter means elaborating the program again at that point; a
// swept component field, model attribute or action field is an override of
// the one elaborated program (PointOverrides), which is much cheaper.
//
//===----------------------------------------------------------------------===//
#include "afc/lower/LowerStudy.h"
#include "afc/lower/LowerToMapper.h"
#include "afc/sema/Elaborator.h"

#include "llvm/ADT/StringExtras.h"

#include <algorithm>

using namespace afc;
using namespace afc::lower;

std::vector<DesignPoint> lower::expandSweeps(const ir::Study &s) {
  std::vector<DesignPoint> points(1);
  for (const ir::SweepGroup &g : s.sweeps) {
    std::vector<DesignPoint> next;
    for (const DesignPoint &p : points)
      for (size_t i = 0; i < g.size(); ++i) {
        DesignPoint q = p;
        for (const ir::SweepAxis &a : g.axes)
          q.values.push_back({&a, a.values[i]});
        next.push_back(std::move(q));
      }
    points = std::move(next);
  }
  return points;
}

/// The unit suffix of a column holding `v`.
static std::string unitSuffix(const ir::Value &v) {
  if (!v.isNumber())
    return "";
  Dimension d = v.getDimension();
  if (d.isDimensionless())
    return "";
  if (d == dim::bits)
    return "_bits";
  if (d == dim::area)
    return "_m2";
  return "_" + d.str();
}

std::string lower::axisColumn(const ir::SweepAxis &a) {
  return a.target + (a.values.empty() ? "" : unitSuffix(a.values[0]));
}

study::Cell lower::axisCell(const ir::SweepAxis &a, const ir::Value &v) {
  if (v.isNumber())
    return v.asNumber();
  if (a.targetKind == ir::SweepAxis::Arch ||
      a.targetKind == ir::SweepAxis::Workload)
    return v.asString();
  return v.str();
}

std::vector<std::string> lower::axisColumns(const ir::Study &s) {
  std::vector<std::string> columns;
  for (const ir::SweepGroup &g : s.sweeps)
    for (const ir::SweepAxis &a : g.axes)
      columns.push_back(axisColumn(a));
  return columns;
}

/// Splits a point's values into parameters (elaborated again) and
/// overrides of the elaborated program.
static void splitOverrides(const DesignPoint &p, ParamOverrides &params,
                           PointOverrides &ov) {
  for (auto &[axis, value] : p.values) {
    switch (axis->targetKind) {
    case ir::SweepAxis::Parameter:
      params[axis->field] = {value, axis->range};
      break;
    case ir::SweepAxis::ComponentField:
      ov.fields[axis->component][axis->field] = value;
      break;
    case ir::SweepAxis::ModelAttribute:
      ov.modelAttributes[axis->component][axis->field] = value;
      break;
    case ir::SweepAxis::ActionField:
      ov.actionFields[axis->component][axis->action][axis->field] = value;
      break;
    case ir::SweepAxis::Arch:
    case ir::SweepAxis::Workload:
      break; // chosen by name in preparePoint
    }
  }
}

PreparedPoint lower::preparePoint(const ir::Spec &spec, const ir::Study &s,
                                  const DesignPoint &p,
                                  const components::ModelLibrary &models,
                                  DiagnosticEngine &diags,
                                  const ElaborateFn &elaborate,
                                  LocationTable &locations,
                                  const StudyLoweringOptions &options) {
  PreparedPoint pp;
  PointOverrides ov;
  ParamOverrides params;
  splitOverrides(p, params, ov);
  const ir::Spec *program = &spec.programOf(s);
  if (!params.empty()) {
    for (auto &[k, v] : s.params)
      params.try_emplace(k, ParamOverride{v, s.range});
    pp.program = elaborate(params);
    if (!pp.program) {
      pp.error = "the program does not elaborate at this point";
      pp.errorInRow = true;
      return pp;
    }
    program = pp.program.get();
  }
  std::string archName = s.arch, workloadName = s.workload;
  for (auto &[axis, value] : p.values) {
    if (axis->targetKind == ir::SweepAxis::Arch)
      archName = value.asString();
    if (axis->targetKind == ir::SweepAxis::Workload)
      workloadName = value.asString();
  }
  const ir::Arch *arch = program->arch(archName);
  const ir::Workload *workload = program->workload(workloadName);
  if (!arch || !workload) {
    pp.error = "the study's architecture or workload is missing";
    pp.errorInRow = true;
    return pp;
  }
  unsigned before = diags.errorCount();
  auto comps = evaluateComponentCosts(*arch, nullptr, models, diags, &ov);
  pp.problem =
      lowerProblem(*arch, *workload, models, diags, &ov, options.kernels);
  if (!comps || !pp.problem || diags.errorCount() != before) {
    pp.error = "component or architecture evaluation failed";
    return pp;
  }
  pp.components = std::move(*comps);
  if (!s.mapping.empty()) {
    const ir::Mapping *m = program->mapping(s.mapping);
    // A swept parameter may rename what the mapping refers to.
    if (!checkMappingNames(*m, *arch, *workload, diags) ||
        !checkPlacement(*arch, *workload, *m, diags))
      return pp;
    pp.mapping = lowerMapping(*m, locations);
    return pp;
  }
  ir::MapperSettings settings = s.mapper;
  if (options.metric)
    settings.metrics = options.metric;
  pp.search = lowerMapperProblem(std::move(*pp.problem), *arch, *workload,
                                 settings, options.unfused, diags, &ov);
  pp.problem.reset();
  if (!pp.search) {
    pp.error = "the mapper's problem could not be built";
    return pp;
  }
  pp.search->settings.threads = options.searchThreads;
  pp.search->settings.cancel = options.cancel;
  if (options.maxTime >= 0)
    pp.search->settings.timeLimit = options.maxTime;
  if (options.maxFusedLoops >= 0)
    pp.search->settings.maxFusedLoops = options.maxFusedLoops;
  pp.search->settings.templateKernels = options.templateKernels;
  return pp;
}

study::PointFigures
lower::pointFigures(const model::Result &r,
                    const std::vector<EvaluatedComponent> &comps) {
  study::PointFigures f;
  f.energy = r.energy;
  f.latency = r.latency;
  f.computes = r.iterationSpacePoints;
  for (const model::EnergyEntry &e : r.energies)
    f.componentEnergy[std::string(e.component)] += e.energy;
  for (const EvaluatedComponent &c : comps)
    f.components.push_back({c.node->name, c.costs.area * c.instances,
                            c.costs.leakPower * c.instances,
                            c.costs.isApproximate()});
  for (const model::EinsumSummary &e : r.einsums)
    f.einsums.push_back({std::string(e.einsum), e.energy, e.latency});
  return f;
}

namespace {

/// Resolves what a study's plot names against the columns its table will
/// have, reporting each mistake at the setting that makes it.
class PlotResolver {
public:
  PlotResolver(const ir::Spec &spec, const ir::Study &s, const ir::Plot &p,
               DiagnosticEngine &diags)
      : s(s), p(p), diags(diags) {
    // Of several architectures, the components of any of them (a row of
    // one without the component has no value to draw).
    for (const std::string &name : s.archNames())
      if (const ir::Arch *arch = spec.programOf(s).arch(name))
        collect(arch->nodes);
  }

  std::optional<study::PlotRequest> resolve() {
    study::PlotRequest r;
    if (!resolveKind(r.kind))
      return std::nullopt;
    bool split = r.kind == study::PlotKind::PerComponent ||
                 r.kind == study::PlotKind::Stacked;
    std::string x = ref("x");
    if (x.empty()) { // the first swept value
      for (const ir::SweepGroup &g : s.sweeps)
        if (!g.axes.empty() && x.empty())
          x = g.axes[0].target;
      if (x.empty()) {
        diags.error(p.range, "a plot of study '" + s.name +
                                 "', which sweeps nothing, needs 'x = ...;'");
        return std::nullopt;
      }
    }
    std::optional<study::PlotColumn> xc = column("x", x);
    if (!xc)
      return std::nullopt;
    r.x = *xc;
    r.xCategorical = isCategorical(x);
    if (r.xCategorical && !categoricalX(r.kind))
      return std::nullopt;
    std::string y = ref("y");
    if (split) {
      const auto &ok = study::splittableMetrics();
      if (std::find(ok.begin(), ok.end(), y) == ok.end()) {
        diags.error(range("y"), "a " + ref("kind") +
                                    " plot splits energy, energy_per_compute "
                                    "or area by component, not '" +
                                    y + "'" + didYouMean(y, ok));
        return std::nullopt;
      }
      r.componentMetric = y;
      const study::ResultMetric *m = study::findResultMetric(y);
      r.y = {m->column, m->label, m->unit, 1, false};
      if (p.references.count("series")) {
        diags.error(range("series"), "a " + ref("kind") +
                                         " plot has one series per component; "
                                         "it takes no 'series'");
        return std::nullopt;
      }
    } else {
      std::optional<study::PlotColumn> yc = column("y", y);
      if (!yc)
        return std::nullopt;
      if (isCategorical(y)) {
        diags.error(range("y"), "plot y '" + y + "' is a name, not a number; "
                                "draw it as 'x = " + y + ";' or 'series = " +
                                    y + ";'");
        return std::nullopt;
      }
      r.y = *yc;
    }
    if (p.references.count("series")) {
      const ir::SweepAxis *axis = sweptAxis(ref("series"));
      if (!axis) {
        std::vector<std::string> targets = sweptTargets();
        diags.error(range("series"), "plot series '" + ref("series") +
                                         "' is not swept by study '" + s.name +
                                         "'" +
                                         didYouMean(ref("series"), targets));
        note("series", "one line per value of a swept parameter; this study "
                       "sweeps " +
                           list(targets));
        return std::nullopt;
      }
      r.series = axisColumn(*axis);
    }
    r.x.log = flag("log_x");
    r.y.log = flag("log_y");
    if (r.y.log && r.kind == study::PlotKind::Stacked) {
      diags.error(p.range, "a stacked plot's y axis is linear (stacked areas "
                           "start at zero); leave out log_y");
      return std::nullopt;
    }
    if (auto label = text("x_label"))
      r.x.label = *label;
    if (auto label = text("y_label"))
      r.y.label = *label;
    r.title = text("title").value_or(s.name);
    return r;
  }

private:
  void collect(const std::vector<ir::ArchNode> &nodes) {
    for (const ir::ArchNode &n : nodes) {
      if (std::find(components.begin(), components.end(), n.name) ==
          components.end())
        components.push_back(n.name);
      collect(n.children);
    }
  }

  std::string ref(const char *k) const {
    auto it = p.references.find(k);
    return it == p.references.end() ? std::string() : it->second;
  }
  llvm::SMRange range(const char *k) const {
    auto it = p.referenceRanges.find(k);
    return it == p.referenceRanges.end() ? p.range : it->second;
  }
  void note(const char *k, const std::string &msg) {
    diags.note(range(k), msg);
  }
  std::optional<std::string> text(const char *k) const {
    auto it = p.settings.find(k);
    if (it == p.settings.end() || !it->second.isString())
      return std::nullopt;
    return it->second.asString();
  }
  bool flag(const char *k) const {
    auto it = p.settings.find(k);
    return it != p.settings.end() && it->second.truthy();
  }
  static std::string list(const std::vector<std::string> &names) {
    return names.empty() ? "nothing" : llvm::join(names, ", ");
  }

  const ir::SweepAxis *sweptAxis(const std::string &target) const {
    for (const ir::SweepGroup &g : s.sweeps)
      for (const ir::SweepAxis &a : g.axes)
        if (a.target == target)
          return &a;
    return nullptr;
  }
  std::vector<std::string> sweptTargets() const {
    std::vector<std::string> out;
    for (const ir::SweepGroup &g : s.sweeps)
      for (const ir::SweepAxis &a : g.axes)
        out.push_back(a.target);
    return out;
  }

  /// A swept value's column, shown in the unit its sweep is written in.
  static study::PlotColumn axisColumn(const ir::SweepAxis &a) {
    study::PlotColumn c;
    c.column = lower::axisColumn(a);
    c.label = a.target == "arch" ? "Architecture"
              : a.target == "workload" ? "Workload"
                                       : a.target;
    if (!a.unit.empty()) {
      c.unit = a.unit;
      c.scale = lookupUnit(a.unit)->scale;
    } else if (!a.values.empty() && a.values[0].isNumber() &&
               !a.values[0].getDimension().isDimensionless()) {
      c.unit = a.values[0].getDimension().str();
    }
    return c;
  }

  /// Whether `name` is a swept architecture or workload: names, not numbers.
  bool isCategorical(const std::string &name) const {
    const ir::SweepAxis *a = sweptAxis(name);
    return a && (a->targetKind == ir::SweepAxis::Arch ||
                 a->targetKind == ir::SweepAxis::Workload);
  }

  /// Whether a plot of `kind` can have architectures or workloads along x
  /// (one position per name), reporting why not.
  bool categoricalX(study::PlotKind kind) {
    if (flag("log_x")) {
      diags.error(range("x"), "plot x '" + ref("x") + "' is a list of names; "
                              "it has no log scale (leave out log_x)");
      return false;
    }
    if (kind == study::PlotKind::Pareto || kind == study::PlotKind::Stacked) {
      diags.error(range("x"), "a " + ref("kind") + " plot needs a number "
                              "along x, and '" + ref("x") + "' is a list of "
                              "names");
      note("x", "draw one series per name with 'series = " + ref("x") +
                    ";' and a numeric x, e.g. 'x = latency;'");
      return false;
    }
    return true;
  }

  bool resolveKind(study::PlotKind &kind) {
    if (!p.references.count("kind"))
      return true;
    std::vector<std::string> names;
    for (auto &[name, k] : study::plotKinds()) {
      if (name == ref("kind")) {
        kind = k;
        return true;
      }
      names.push_back(name);
    }
    diags.error(range("kind"), "unknown plot kind '" + ref("kind") + "'" +
                                   didYouMean(ref("kind"), names));
    note("kind", "the plot kinds are " + list(names));
    return false;
  }

  /// What `x` or `y` names: a swept value, a result, or a component's
  /// result (`GlobalBuffer.area`).
  std::optional<study::PlotColumn> column(const char *key,
                                          const std::string &name) {
    if (const ir::SweepAxis *a = sweptAxis(name))
      return axisColumn(*a);
    for (const study::ResultMetric &m : study::resultMetrics())
      if (name == m.name || name == m.column)
        return study::PlotColumn{m.column, m.label, m.unit, 1, false};
    size_t dot = name.rfind('.');
    if (dot != std::string::npos &&
        std::find(components.begin(), components.end(), name.substr(0, dot)) !=
            components.end()) {
      std::string component = name.substr(0, dot);
      for (const study::ResultMetric &m : study::componentMetrics())
        if (name.substr(dot + 1) == m.name)
          return study::PlotColumn{study::componentColumn(component, m.name),
                                   component + m.label, m.unit, 1, false};
    }
    std::vector<std::string> names = sweptTargets(), results;
    for (const study::ResultMetric &m : study::resultMetrics())
      results.push_back(m.name);
    names.insert(names.end(), results.begin(), results.end());
    for (const std::string &c : components)
      for (const study::ResultMetric &m : study::componentMetrics())
        names.push_back(c + "." + m.name);
    diags.error(range(key),
                std::string("plot ") + key + " '" + name +
                    "' is not a result or a value swept by study '" + s.name +
                    "'" + didYouMean(name, names));
    std::vector<std::string> perComponent;
    for (const study::ResultMetric &m : study::componentMetrics())
      perComponent.push_back(std::string("COMPONENT.") + m.name);
    note(key, std::string("results: ") + list(results) + "; per component: " +
                  list(perComponent) + "; swept: " + list(sweptTargets()));
    return std::nullopt;
  }

  const ir::Study &s;
  const ir::Plot &p;
  DiagnosticEngine &diags;
  std::vector<std::string> components;
};

} // namespace

std::optional<study::PlotRequest> lower::plotRequest(const ir::Spec &spec,
                                                     const ir::Study &s,
                                                     const ir::Plot &p,
                                                     DiagnosticEngine &diags) {
  return PlotResolver(spec, s, p, diags).resolve();
}

bool lower::checkPlots(const ir::Spec &spec, DiagnosticEngine &diags) {
  bool ok = true;
  for (const ir::Study &s : spec.studies)
    for (const ir::Plot &p : s.plots)
      if (!plotRequest(spec, s, p, diags))
        ok = false;
  return ok;
}
