//===- RunCommand.cpp - `afc run`: execute the studies of the files -------===//
//
// For each study: expand the sweeps into design points, lower each point
// (serially: diagnostics and the source manager are not thread-safe), then
// evaluate the points in parallel, fill one row per point and write the
// study's reports and plots.
//
//===----------------------------------------------------------------------===//
#include "Commands.h"
#include "Output.h"

#include "afc/lower/ComponentCosts.h"
#include "afc/lower/LowerToMapper.h"
#include "afc/lower/LowerToModel.h"
#include "afc/mapper/Mapper.h"
#include "afc/study/Plot.h"
#include "afc/study/ResultTable.h"
#include "afc/study/SweepRunner.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"

#include <cmath>
#include <fstream>
#include <mutex>
#include <sstream>
#include <set>

using namespace afc;
using namespace afc::driver;
using study::ResultTable;

namespace {

/// The unit suffix of a column holding a value of dimension `d`.
std::string unitSuffix(const ir::Value &v) {
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

/// One design point: the value of every swept axis.
struct Point {
  std::vector<std::pair<const ir::SweepAxis *, ir::Value>> values;
};

std::vector<Point> expand(const ir::Study &s) {
  std::vector<Point> points(1);
  for (const ir::SweepGroup &g : s.sweeps) {
    std::vector<Point> next;
    for (const Point &p : points)
      for (size_t i = 0; i < g.size(); ++i) {
        Point q = p;
        for (const ir::SweepAxis &a : g.axes)
          q.values.push_back({&a, a.values[i]});
        next.push_back(std::move(q));
      }
    points = std::move(next);
  }
  return points;
}

/// What one point evaluates, prepared serially.
struct PreparedPoint {
  std::shared_ptr<const ir::Spec> program; ///< for parameter sweeps
  std::optional<model::Problem> problem;
  std::optional<model::Mapping> mapping;
  std::optional<mapper::MapperProblem> search; ///< when no mapping is given
  std::vector<lower::EvaluatedComponent> components; ///< for area columns
  std::string error;
};

std::string metricColumn(const std::string &y) {
  if (y == "energy")
    return "energy_J";
  if (y == "energy_per_compute")
    return "energy_per_compute_pJ";
  if (y == "latency")
    return "latency_s";
  if (y == "area")
    return "area_mm2";
  if (y == "edp")
    return "edp_Js";
  if (y == "leak_power")
    return "leak_power_W";
  return y;
}

std::string metricLabel(const std::string &column) {
  static const std::map<std::string, std::string> labels = {
      {"energy_J", "Energy (J)"},
      {"energy_per_compute_pJ", "Energy per compute (pJ)"},
      {"latency_s", "Latency (s)"},
      {"area_mm2", "Area (mm^2)"},
      {"edp_Js", "Energy-delay product (J s)"},
      {"leak_power_W", "Leak power (W)"}};
  auto it = labels.find(column);
  return it == labels.end() ? column : it->second;
}

class StudyRun {
public:
  StudyRun(const ir::Spec &spec, const ir::Study &s, DiagnosticEngine &diags,
           const CommonOptions &options, const ElaborateFn &elaborate)
      : spec(spec), s(s), diags(diags), options(options),
        elaborate(elaborate) {}

  int run() {
    const components::ModelLibrary *models = loadModelLibrary(options, diags);
    if (!models)
      return 1;
    std::vector<Point> points = expand(s);
    table.resize(points.size());
    prepared.resize(points.size());
    // Columns in a fixed order: point, swept values, status, totals.
    table.column("point");
    for (const ir::SweepGroup &g : s.sweeps)
      for (const ir::SweepAxis &a : g.axes)
        table.column(axisColumn(a));
    for (const char *c :
         {"status", "energy_J", "energy_per_compute_pJ", "latency_s",
          "edp_Js", "computes", "area_m2", "area_mm2", "leak_power_W"})
      table.column(c);
    numPoints = points.size();
    for (size_t i = 0; i < points.size(); ++i)
      prepare(i, points[i], *models);
    if (diags.hadError())
      return 1;
    study::RunOptions ro;
    ro.threads = options.threads;
    ro.quiet = options.quiet;
    study::RunSummary summary = study::runPoints(
        points.size(), [&](size_t i) { evaluate(i); }, ro);
    for (size_t i = 0; i < points.size(); ++i)
      if (!summary.done[i] && prepared[i].error.empty())
        table.set(i, "status", std::string("not run (interrupted)"));
    if (!options.quiet)
      llvm::errs() << "afc: study '" << s.name << "': " << summary.completed
                   << " of " << points.size() << " points in "
                   << llvm::format("%.3f", summary.seconds) << " s\n";
    int rc = writeOutputs();
    return summary.interrupted ? 130 : rc;
  }

private:
  std::string axisColumn(const ir::SweepAxis &a) {
    return a.target + (a.values.empty() ? "" : unitSuffix(a.values[0]));
  }

  void prepare(size_t i, const Point &p,
               const components::ModelLibrary &models) {
    table.set(i, "point", double(i));
    lower::PointOverrides ov;
    ParamOverrides params;
    for (auto &[axis, value] : p.values) {
      table.set(i, axisColumn(*axis),
                value.isNumber() ? study::Cell(value.asNumber())
                                 : study::Cell(value.str()));
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
    PreparedPoint &pp = prepared[i];
    const ir::Spec *program = &spec.programOf(s);
    if (!params.empty()) {
      for (auto &[k, v] : s.params)
        params.try_emplace(k, ParamOverride{v, s.range});
      pp.program = elaborate(params);
      if (!pp.program) {
        pp.error = "the program does not elaborate at this point";
        table.set(i, "status", "error: " + pp.error);
        return;
      }
      program = pp.program.get();
    }
    const ir::Arch *arch = program->arch(s.arch);
    const ir::Workload *workload = program->workload(s.workload);
    if (!arch || !workload) {
      pp.error = "the study's architecture or workload is missing";
      table.set(i, "status", "error: " + pp.error);
      return;
    }
    unsigned before = diags.errorCount();
    auto comps = lower::evaluateComponentCosts(*arch, nullptr, models, diags,
                                               &ov);
    pp.problem = lower::lowerProblem(*arch, *workload, models, diags, &ov,
                                     kernelOptions(options));
    if (!comps || !pp.problem || diags.errorCount() != before) {
      pp.error = "component or architecture evaluation failed";
      return;
    }
    pp.components = std::move(*comps);
    if (!s.mapping.empty()) {
      const ir::Mapping *m = program->mapping(s.mapping);
      if (!lower::checkPlacement(*arch, *workload, *m, diags))
        return;
      pp.mapping = lower::lowerMapping(*m, locations);
      return;
    }
    ir::MapperSettings settings = s.mapper;
    if (options.metric)
      settings.metrics = options.metric;
    pp.search = lower::lowerMapperProblem(std::move(*pp.problem), *arch,
                                          *workload, settings,
                                          options.unfused, diags, &ov);
    pp.problem.reset();
    if (!pp.search) {
      pp.error = "the mapper's problem could not be built";
      return;
    }
    // Points already run in parallel; a search inside a point uses more
    // threads only when there are fewer points than threads.
    pp.search->settings.threads = numPoints > 1 ? 1 : int(options.threads);
    pp.search->settings.templateKernels = templateKernels(options);
  }

  void evaluate(size_t i) {
    PreparedPoint &pp = prepared[i];
    if (!pp.error.empty())
      return;
    if (pp.search) {
      model::Expected<mapper::MapperResult> m = mapper::map(*pp.search);
      std::lock_guard<std::mutex> lock(tableMutex);
      if (!m) {
        table.set(i, "status", "no valid mapping: " + m.error().message);
        return;
      }
      fillRow(i, m->result, pp);
      std::string text;
      llvm::raw_string_ostream os(text);
      lower::printMapping(m->mapping, "point" + std::to_string(i), os);
      table.set(i, "pmappings_evaluated", double(m->stats.evaluatedPmappings));
      table.set(i, "mapping", os.str());
      return;
    }
    if (!pp.problem || !pp.mapping)
      return;
    model::Expected<model::Result> r = model::evaluate(*pp.problem, *pp.mapping);
    std::lock_guard<std::mutex> lock(tableMutex);
    if (!r) {
      table.set(i, "status", "no valid mapping: " + r.error().message);
      return;
    }
    fillRow(i, *r, pp);
  }

  void fillRow(size_t i, const model::Result &r, const PreparedPoint &pp) {
    double n = r.iterationSpacePoints ? r.iterationSpacePoints : 1;
    table.set(i, "status", std::string("ok"));
    table.set(i, "energy_J", r.energy);
    table.set(i, "energy_per_compute_pJ", r.energy / n * 1e12);
    table.set(i, "latency_s", r.latency);
    table.set(i, "edp_Js", r.energy * r.latency);
    table.set(i, "computes", r.iterationSpacePoints);
    double area = 0, leak = 0;
    std::string approximate;
    for (const lower::EvaluatedComponent &c : pp.components) {
      area += c.costs.area * c.instances;
      leak += c.costs.leakPower * c.instances;
      if (c.costs.isApproximate())
        approximate += (approximate.empty() ? "" : " ") + c.node->name;
    }
    table.set(i, "area_m2", area);
    table.set(i, "area_mm2", area * 1e6);
    table.set(i, "leak_power_W", leak);
    // Per component: energy (dynamic + leak) per compute, and area.
    std::map<std::string, double> energy;
    for (const model::EnergyEntry &e : r.energies)
      energy[std::string(e.component)] += e.energy;
    for (const lower::EvaluatedComponent &c : pp.components) {
      const std::string &name = c.node->name;
      table.set(i, "E_" + name + "_pJ_per_compute", energy[name] / n * 1e12);
      table.set(i, "A_" + name + "_m2", c.costs.area * c.instances);
      table.set(i, "A_" + name + "_mm2", c.costs.area * c.instances * 1e6);
    }
    if (r.einsums.size() > 1)
      for (const model::EinsumSummary &e : r.einsums) {
        table.set(i, "E_" + std::string(e.einsum) + "_J", e.energy);
        table.set(i, "latency_" + std::string(e.einsum) + "_s", e.latency);
      }
    table.set(i, "approximate_components", approximate);
  }

  std::string outputPath(const std::string &file) {
    llvm::SmallString<256> p(options.outputDir);
    llvm::sys::path::append(p, file);
    return std::string(p.str());
  }

  int writeOutputs() {
    int rc = 0;
    if (!options.outputDir.empty() && options.outputDir != ".")
      llvm::sys::fs::create_directories(options.outputDir);
    for (const ir::Report &r : s.reports) {
      std::string path = outputPath(r.path);
      std::ofstream out(path);
      if (!out) {
        diags.error(r.range, "cannot write '" + path + "'");
        rc = 1;
        continue;
      }
      if (r.format == "csv")
        table.writeCSV(out);
      else if (r.format == "json")
        table.writeJSON(out, s.name);
      else
        table.writeMarkdown(out);
      if (!options.quiet)
        llvm::errs() << "afc: wrote " << path << "\n";
    }
    for (const ir::Plot &p : s.plots)
      if (!plot(p))
        rc = 1;
    if (!options.quiet && s.reports.empty()) {
      std::ostringstream os;
      table.writeMarkdown(os);
      llvm::outs() << os.str();
    }
    return rc;
  }

  bool plot(const ir::Plot &p) {
    study::PlotSpec spec;
    auto ref = [&](const char *k) {
      auto it = p.references.find(k);
      return it == p.references.end() ? std::string() : it->second;
    };
    auto setting = [&](const char *k) -> std::optional<ir::Value> {
      auto it = p.settings.find(k);
      if (it == p.settings.end())
        return std::nullopt;
      return it->second;
    };
    std::string x = ref("x"), y = metricColumn(ref("y")), kind = ref("kind");
    // The x axis is a swept target; find its column.
    std::string xColumn;
    for (const ir::SweepGroup &g : s.sweeps)
      for (const ir::SweepAxis &a : g.axes)
        if (a.target == x || x.empty())
          if (xColumn.empty())
            xColumn = axisColumn(a);
    if (xColumn.empty()) {
      diags.error(p.range, "plot x '" + x + "' is not swept by study '" +
                               s.name + "'");
      return false;
    }
    spec.logX = setting("log_x") && setting("log_x")->truthy();
    spec.logY = setting("log_y") && setting("log_y")->truthy();
    // "GlobalBuffer.size_bits" reads better as "GlobalBuffer.size (bit)".
    spec.xLabel = xColumn;
    for (const ir::SweepGroup &g : s.sweeps)
      for (const ir::SweepAxis &a : g.axes)
        if (axisColumn(a) == xColumn && !a.values.empty() &&
            a.values[0].isNumber() &&
            !a.values[0].getDimension().isDimensionless())
          spec.xLabel = a.target + " (" + a.values[0].getDimension().str() +
                        ")";
    spec.yLabel = metricLabel(y);
    if (auto t = setting("title"); t && t->isString())
      spec.title = t->asString();
    else
      spec.title = s.name;
    if (auto t = setting("x_label"); t && t->isString())
      spec.xLabel = t->asString();
    if (auto t = setting("y_label"); t && t->isString())
      spec.yLabel = t->asString();
    std::vector<std::pair<std::string, std::string>> series; // name, column
    if (kind == "per_component") {
      std::string prefix, suffix;
      if (y == "energy_per_compute_pJ" || y == "energy_J") {
        prefix = "E_";
        suffix = "_pJ_per_compute";
        spec.yLabel = "Energy per compute (pJ)";
      } else if (y == "area_mm2") {
        prefix = "A_";
        suffix = "_mm2";
      } else {
        diags.error(p.range, "a per-component plot draws energy_per_compute "
                             "or area");
        return false;
      }
      for (const std::string &c : table.columns())
        if (llvm::StringRef(c).startswith(prefix) &&
            llvm::StringRef(c).endswith(suffix))
          series.push_back(
              {c.substr(prefix.size(), c.size() - prefix.size() - suffix.size()),
               c});
    } else if (!kind.empty()) {
      diags.error(p.range, "unknown plot kind '" + kind +
                               "' (use per_component, or leave it out)");
      return false;
    } else {
      if (!table.hasColumn(y)) {
        diags.error(p.range, "no result column '" + y + "' to plot");
        return false;
      }
      series.push_back({spec.yLabel, y});
    }
    for (auto &[name, column] : series) {
      study::Series sr;
      sr.name = name;
      for (size_t i = 0; i < table.numRows(); ++i) {
        auto xv = table.number(i, xColumn), yv = table.number(i, column);
        if (xv && yv) {
          sr.x.push_back(*xv);
          sr.y.push_back(*yv);
        }
      }
      spec.series.push_back(std::move(sr));
    }
    std::string path = outputPath(p.path);
    if (auto err = study::renderPlot(spec, path)) {
      diags.error(p.range, *err);
      return false;
    }
    if (!options.quiet)
      llvm::errs() << "afc: wrote " << path << "\n";
    return true;
  }

  const ir::Spec &spec;
  const ir::Study &s;
  DiagnosticEngine &diags;
  const CommonOptions &options;
  const ElaborateFn &elaborate;
  ResultTable table;
  std::vector<PreparedPoint> prepared;
  lower::LocationTable locations;
  std::mutex tableMutex;
  size_t numPoints = 0;
};

} // namespace

int driver::runStudies(const ir::Spec &spec, DiagnosticEngine &diags,
                       const CommonOptions &options,
                       const ElaborateFn &elaborate) {
  if (spec.studies.empty()) {
    diags.error("the files define no study to run; add 'study NAME { ... }' "
                "or use 'afc eval' for a single mapping");
    return 1;
  }
  study::installInterruptHandler();
  int rc = 0;
  for (const ir::Study &s : spec.studies) {
    if (!options.study.empty() && s.name != options.study)
      continue;
    int r = StudyRun(spec, s, diags, options, elaborate).run();
    if (r)
      rc = r;
    if (study::interruptRequested())
      break;
  }
  return rc;
}
