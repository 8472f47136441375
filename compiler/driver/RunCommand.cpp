//===- RunCommand.cpp - `afc run`: execute the studies of the files -------===//
//
// For each study: lower its design points (lower/LowerStudy.h, serially),
// evaluate or search them in parallel (study/SweepRunner.h), fill one row
// per point and write the study's reports and plots (study/StudyReport.h).
// This file only sequences those steps and reports what they return.
//
//===----------------------------------------------------------------------===//
#include "Commands.h"
#include "Output.h"

#include "afc/lower/ExplainNoMapping.h"
#include "afc/lower/LowerStudy.h"
#include "afc/lower/LowerToMapper.h"
#include "afc/mapper/Mapper.h"
#include "afc/study/SweepRunner.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <mutex>
#include <sstream>

using namespace afc;
using namespace afc::driver;
using study::ResultTable;

namespace {

class StudyRun {
public:
  StudyRun(const ir::Spec &spec, const ir::Study &s, Context &ctx,
           const lower::ElaborateFn &elaborate)
      : spec(spec), s(s), ctx(ctx), options(ctx.options), elaborate(elaborate) {
  }

  int run() {
    // Before any point runs: a report or plot must not replace a source.
    bool clobbers = false;
    for (const ir::Report &r : s.reports)
      clobbers |= overwritesSource(ctx, outputPath(r.path));
    for (const ir::Plot &p : s.plots)
      clobbers |= overwritesSource(ctx, outputPath(p.path));
    if (clobbers || !computeTable())
      return 1;
    int rc = writeOutputs();
    if (interrupted)
      return 130;
    size_t failed = failedPoints();
    if (failed && !reportFailures(failed) && !rc)
      rc = 1;
    return rc;
  }

  /// Lowers and runs the points into `table`; false after errors.
  bool computeTable() {
    const components::ModelLibrary *models = loadModelLibrary(ctx);
    if (!models)
      return false;
    std::vector<lower::DesignPoint> points = lower::expandSweeps(s);
    table.resize(points.size());
    failures.assign(points.size(), std::string());
    study::addStandardColumns(table, lower::axisColumns(s));
    size_t standardColumns = table.columns().size();
    lower::StudyLoweringOptions lo;
    lo.metric = options.metric;
    lo.unfused = options.unfused;
    lo.maxTime = options.maxTime;
    lo.maxFusedLoops = options.maxFusedLoops;
    lo.kernels = kernelOptions(options);
    lo.templateKernels = templateKernels(options);
    // Points already run in parallel; a search inside a point uses more
    // threads only when there are fewer points than threads.
    lo.searchThreads = points.size() > 1 ? 1 : int(options.threads);
    // Points are prepared one at a time (diagnostics and the source manager
    // are not thread-safe) just ahead of the threads that run them, and
    // released once run: memory stays flat however many points there are.
    auto prepare = [&](size_t i) -> study::PointWork {
      auto pp = std::make_shared<lower::PreparedPoint>(
          lower::preparePoint(spec, s, points[i], *models, ctx.diags,
                              elaborate, locations, lo));
      std::lock_guard<std::mutex> lock(tableMutex);
      setAxisCells(i, points[i]);
      if (pp->errorInRow)
        fail(i, "error: " + pp->error);
      if (!pp->error.empty())
        return {};
      return [this, i, pp] { evaluate(i, *pp); };
    };
    study::RunOptions ro;
    ro.threads = options.threads;
    ro.quiet = options.quiet;
    // A point whose preparation reported an error stops the study: its
    // reports are not written, as when the program itself has errors.
    study::RunSummary summary = study::runPreparedPoints(
        points.size(), prepare, [&] { return ctx.diags.hadError(); }, ro);
    if (ctx.diags.hadError())
      return false;
    for (size_t i = 0; i < points.size(); ++i)
      if (!summary.done[i] && !table.get(i, table.column("status")).index())
        table.set(i, "status", std::string("not run (interrupted)"));
    // Rows of different architectures add different component columns, in
    // whichever order their threads finish.
    table.orderColumnsByUse(standardColumns);
    size_t failed = failedPoints();
    if (!options.quiet)
      ctx.err << "afc: study '" << s.name << "': " << summary.completed
              << " of " << points.size() << " points in "
              << llvm::format("%.3f", summary.seconds) << " s"
              << (failed ? ", " + std::to_string(failed) + " failed" : "")
              << "\n";
    interrupted = summary.interrupted;
    return true;
  }

  ResultTable table;
  bool interrupted = false;

private:
  size_t failedPoints() const {
    return failures.size() -
           size_t(std::count(failures.begin(), failures.end(), std::string()));
  }

  /// Marks point `i` failed: its row's status says why.
  void fail(size_t i, const std::string &why) {
    table.set(i, "status", why);
    failures[i] = why;
  }

  /// Says how many points failed and why the first did: an error, or with
  /// --allow-failed-points a warning (then returns true).
  bool reportFailures(size_t failed) {
    size_t first = std::find_if(failures.begin(), failures.end(),
                                [](const std::string &f) {
                                  return !f.empty();
                                }) -
                   failures.begin();
    std::string msg = "study '" + s.name + "': " + std::to_string(failed) +
                      " of " + std::to_string(failures.size()) +
                      " design points failed; point " + std::to_string(first) +
                      ": " + failures[first];
    if (options.allowFailedPoints) {
      ctx.diags.warning(s.range, msg);
      return true;
    }
    ctx.diags.error(s.range, msg);
    ctx.diags.note(s.range, "each failed point's row gives its reason in the "
                            "status column; --allow-failed-points keeps exit "
                            "code 0");
    return false;
  }

  void setAxisCells(size_t i, const lower::DesignPoint &p) {
    table.set(i, "point", double(i));
    for (auto &[axis, value] : p.values)
      table.set(i, lower::axisColumn(*axis), lower::axisCell(*axis, value));
  }

  void evaluate(size_t i, lower::PreparedPoint &pp) {
    if (pp.search) {
      model::Expected<mapper::MapperResult> m = mapper::map(*pp.search);
      std::string failure;
      if (!m) {
        lower::checkProblemConsistent(m.error());
        failure = lower::noMappingSummary(
            m.error(), lower::explainNoMapping(*pp.search, m.error()));
      }
      std::lock_guard<std::mutex> lock(tableMutex);
      if (!m) {
        fail(i, "no valid mapping: " + failure);
        return;
      }
      lower::checkResultSound(m->result);
      study::fillRow(table, i, lower::pointFigures(m->result, pp.components));
      if (!m->stats.complete)
        table.set(i, "status",
                  std::string("best found within the time limit (not proven "
                              "optimal)"));
      else if (m->stats.fusionSearched)
        table.set(i, "status",
                  m->stats.onChipTensors.empty()
                      ? std::string("ok (nothing fused)")
                      : "ok (on chip: " +
                            llvm::join(m->stats.onChipTensors, ", ") + ")");
      std::string text;
      llvm::raw_string_ostream os(text);
      lower::printMapping(m->mapping, "point" + std::to_string(i), os);
      table.set(i, "pmappings_evaluated", double(m->stats.evaluatedPmappings));
      table.set(i, "mapping", os.str());
      return;
    }
    if (!pp.problem || !pp.mapping)
      return;
    model::Expected<model::Result> r =
        model::evaluate(*pp.problem, *pp.mapping);
    std::lock_guard<std::mutex> lock(tableMutex);
    if (!r) {
      lower::checkProblemConsistent(r.error());
      fail(i, "no valid mapping: " + r.error().message);
      return;
    }
    lower::checkResultSound(*r);
    study::fillRow(table, i, lower::pointFigures(*r, pp.components));
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
        if (auto error = study::writeReport(table, study::reportFormat(r.format),
                                          s.name, path)) {
        ctx.diags.error(r.range, *error);
        rc = 1;
        continue;
      }
      if (!options.quiet)
        ctx.err << "afc: wrote " << path << "\n";
    }
    for (const ir::Plot &p : s.plots)
      if (!plot(p))
        rc = 1;
    if (!options.quiet && s.reports.empty()) {
      std::ostringstream os;
      table.writeMarkdown(os);
      ctx.out << os.str();
    }
    return rc;
  }

  bool plot(const ir::Plot &p) {
    std::optional<study::PlotRequest> request =
        lower::plotRequest(spec, s, p, ctx.diags);
    if (!request)
      return false;
    study::PlotSpec spec;
    std::string path = outputPath(p.path);
    std::optional<std::string> error = study::planPlot(table, *request, spec);
    if (!error)
      error = study::renderPlot(spec, path);
    if (error) {
      ctx.diags.error(p.range, *error);
      return false;
    }
    if (!options.quiet)
      ctx.err << "afc: wrote " << path << "\n";
    return true;
  }

  const ir::Spec &spec;
  const ir::Study &s;
  Context &ctx;
  const Options &options;
  const lower::ElaborateFn &elaborate;
  /// Per point: why it failed, empty if it did not.
  std::vector<std::string> failures;
  lower::LocationTable locations;
  std::mutex tableMutex;
};

} // namespace

std::optional<ResultTable>
driver::studyTable(const ir::Spec &spec, const ir::Study &s, Context &ctx,
                   const lower::ElaborateFn &elaborate, bool &interrupted) {
  StudyRun run(spec, s, ctx, elaborate);
  if (!run.computeTable())
    return std::nullopt;
  interrupted = run.interrupted;
  return std::move(run.table);
}

int driver::runStudies(const ir::Spec &spec, Context &ctx,
                       const lower::ElaborateFn &elaborate) {
  if (spec.studies.empty()) {
    ctx.diags.error("the files define no study to run; add 'study NAME { "
                    "... }' or use 'afc eval' for a single mapping");
    return 1;
  }
  const Options &options = ctx.options;
  if (!options.outputFile.empty() && options.outputFile != "-") {
    ctx.diags.error("-o is not used by 'afc run': each study writes the "
                    "files its 'report' and 'plot' lines name");
    ctx.diags.note("use --output-dir DIR to choose where they go");
    return 1;
  }
  if (!options.study.empty()) {
    std::vector<std::string> names;
    for (const ir::Study &s : spec.studies)
      names.push_back(s.name);
    if (std::find(names.begin(), names.end(), options.study) == names.end()) {
      ctx.diags.error("no study named '" + options.study + "'" +
                      didYouMean(options.study, names));
      ctx.diags.note("the files define: " + llvm::join(names, ", "));
      return 1;
    }
  }
  study::installInterruptHandler();
  int rc = 0;
  for (const ir::Study &s : spec.studies) {
    if (!ctx.options.study.empty() && s.name != ctx.options.study)
      continue;
    int r = StudyRun(spec, s, ctx, elaborate).run();
    if (r)
      rc = r;
    if (study::interruptRequested())
      break;
  }
  return rc;
}
