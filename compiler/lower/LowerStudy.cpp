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
  const ir::Arch *arch = program->arch(s.arch);
  const ir::Workload *workload = program->workload(s.workload);
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

std::optional<study::PlotRequest> lower::plotRequest(const ir::Study &s,
                                                     const ir::Plot &p,
                                                     DiagnosticEngine &diags) {
  auto ref = [&](const char *k) {
    auto it = p.references.find(k);
    return it == p.references.end() ? std::string() : it->second;
  };
  auto text = [&](const char *k) -> std::optional<std::string> {
    auto it = p.settings.find(k);
    if (it == p.settings.end() || !it->second.isString())
      return std::nullopt;
    return it->second.asString();
  };
  auto flag = [&](const char *k) {
    auto it = p.settings.find(k);
    return it != p.settings.end() && it->second.truthy();
  };
  study::PlotRequest r;
  std::string x = ref("x");
  // The x axis is a swept target; find its column.
  for (const ir::SweepGroup &g : s.sweeps)
    for (const ir::SweepAxis &a : g.axes)
      if ((a.target == x || x.empty()) && r.xColumn.empty())
        r.xColumn = axisColumn(a);
  if (r.xColumn.empty()) {
    diags.error(p.range,
                "plot x '" + x + "' is not swept by study '" + s.name + "'");
    return std::nullopt;
  }
  r.metric = ref("y");
  r.kind = ref("kind");
  r.logX = flag("log_x");
  r.logY = flag("log_y");
  // "GlobalBuffer.size_bits" reads better as "GlobalBuffer.size (bit)".
  r.xLabel = r.xColumn;
  for (const ir::SweepGroup &g : s.sweeps)
    for (const ir::SweepAxis &a : g.axes)
      if (axisColumn(a) == r.xColumn && !a.values.empty() &&
          a.values[0].isNumber() &&
          !a.values[0].getDimension().isDimensionless())
        r.xLabel = a.target + " (" + a.values[0].getDimension().str() + ")";
  r.title = text("title").value_or(s.name);
  r.xLabelOverride = text("x_label");
  r.yLabelOverride = text("y_label");
  return r;
}
