//===- RunCommand.cpp - `afc run`: execute the studies of the files -------===//
//
// For each study: lower its design points (lower/LowerStudy.h, serially),
// evaluate or search them in parallel (study/SweepRunner.h), fill one row
// per point and write the study's reports and plots (study/StudyReport.h).
// A study that writes files keeps its rows in the output folder's result
// store (study/ResultStore.h): each committed as it finishes, the reports
// then streamed from the store in point order, and with --resume the
// points already there are not run again. This file only sequences those
// steps and reports what they return.
//
//===----------------------------------------------------------------------===//
#include "Commands.h"
#include "Output.h"

#include "afc/lower/ExplainNoMapping.h"
#include "afc/lower/LowerStudy.h"
#include "afc/lower/LowerToMapper.h"
#include "afc/mapper/Mapper.h"
#include "afc/study/ResultStore.h"
#include "afc/study/SweepRunner.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/SHA256.h"
#include "llvm/Support/SourceMgr.h"

#include <algorithm>
#include <chrono>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>
#include <unordered_map>

using namespace afc;
using namespace afc::driver;
using study::ResultTable;

namespace {

/// What a study's stored rows depend on besides the point's own values:
/// afc itself, every source buffer, -D values, the options that change
/// results and the component data. A change to any of them gives other
/// rows (docs/design/study-store.md, §1).
std::string inputsDigest(Context &ctx) {
  llvm::SHA256 h;
  auto add = [&](llvm::StringRef part) {
    std::string size = std::to_string(part.size()) + ":";
    h.update(size);
    h.update(part);
  };
  add("afc " AFC_VERSION);
  // A rebuilt afc may compute other results under the same version.
  std::string exe = llvm::sys::fs::getMainExecutable(nullptr, nullptr);
  llvm::sys::fs::file_status st;
  if (!exe.empty() && !llvm::sys::fs::status(exe, st))
    add(std::to_string(st.getSize()) + "@" +
        std::to_string(st.getLastModificationTime().time_since_epoch().count()));
  if (ctx.sources)
    for (unsigned b = 1; b <= ctx.sources->getNumBuffers(); ++b) {
      const llvm::MemoryBuffer *buf = ctx.sources->getMemoryBuffer(b);
      add(buf->getBufferIdentifier());
      add(buf->getBuffer());
    }
  const Options &o = ctx.options;
  for (const std::string &d : o.defines)
    add("-D" + d);
  add("metric=" + std::to_string(o.metric) +
      " unfused=" + std::to_string(o.unfused) +
      " max-time=" + study::formatCell(o.maxTime) +
      " max-fused-loops=" + std::to_string(o.maxFusedLoops) +
      " arch=" + o.arch + " workload=" + o.workload + " mapping=" + o.mapping +
      " mapper=" + o.mapper);
  llvm::SmallString<256> data(ctx.stdlibDir);
  llvm::sys::path::append(data, "data", "sram_cacti7.csv");
  if (auto buf = llvm::MemoryBuffer::getFile(data))
    add((*buf)->getBuffer());
  return llvm::toHex(h.final(), /*LowerCase=*/true);
}

/// A point's identity within its study: its swept values, exactly.
std::string pointKey(const lower::DesignPoint &p) {
  std::string key;
  for (auto &[axis, value] : p.values)
    key += (key.empty() ? "" : ";") + lower::axisColumn(*axis) + "=" +
           (value.isNumber() ? study::formatCell(value.asNumber())
                             : value.str());
  return key;
}

/// One read transaction over the store while in scope.
struct Reading {
  study::ResultStore &store;
  explicit Reading(study::ResultStore &store) : store(store) {
    store.beginReading();
  }
  ~Reading() { store.endReading(); }
};

class StudyRun {
public:
  /// With a store, rows go there and reports are written from it; without
  /// one (the Python module), `table` holds them.
  StudyRun(const ir::Spec &spec, const ir::Study &s, Context &ctx,
           const lower::ElaborateFn &elaborate,
           study::ResultStore *store = nullptr, std::string inputs = "")
      : spec(spec), s(s), ctx(ctx), options(ctx.options), elaborate(elaborate),
        store(store), inputs(std::move(inputs)) {}

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
    if (interrupted) {
      if (store)
        suggestResume();
      return 130;
    }
    size_t failed = failedPoints();
    if (failed && !reportFailures(failed) && !rc)
      rc = 1;
    return rc;
  }

  /// Lowers and runs the points into `table` or the store; false after
  /// errors.
  bool computeTable() {
    models = loadModelLibrary(ctx);
    if (!models)
      return false;
    points = lower::expandSweeps(s);
    finished.assign(points.size(), 0);
    failures.assign(points.size(), std::string());
    if (store) {
      keys.reserve(points.size());
      for (const lower::DesignPoint &p : points)
        keys.push_back(pointKey(p));
      // Without --resume the study starts afresh; either way rows of
      // other inputs are of no more use.
      if (!store->forget(s.name, inputs, options.resume)) {
        ctx.diags.error(s.range, store->error());
        return false;
      }
    } else {
      table.resize(points.size());
      study::addStandardColumns(table, lower::axisColumns(s));
      standardColumns = table.columns().size();
    }
    lo.metric = options.metric;
    lo.unfused = options.unfused;
    lo.maxTime = options.maxTime;
    lo.maxFusedLoops = options.maxFusedLoops;
    lo.kernels = kernelOptions(options);
    lo.templateKernels = templateKernels(options);
    lo.cancel = &study::interruptFlag();
    // Points already run in parallel; a search inside a point uses more
    // threads only when there are fewer points than threads.
    lo.searchThreads = points.size() > 1 ? 1 : int(options.threads);
    auto start = std::chrono::steady_clock::now();
    std::vector<size_t> all(points.size());
    for (size_t i = 0; i < all.size(); ++i)
      all[i] = i;
    std::vector<size_t> taken = runSome(all);
    // Points other processes are running (--resume): wait for them, and
    // run those whose process died, so that this one's reports are whole.
    while (!taken.empty() && !study::interruptRequested() && !storeFailed &&
           !ctx.diags.hadError()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      taken = runSome(taken);
    }
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    if (storeFailed) {
      ctx.diags.error(s.range, storeError);
      return false;
    }
    if (ctx.diags.hadError())
      return false;
    interrupted = study::interruptRequested();
    if (interrupted && store && options.resume)
      store->releaseClaims();
    size_t completed = size_t(std::count(finished.begin(), finished.end(), 1));
    if (!store) {
      for (size_t i = 0; i < points.size(); ++i)
        if (!finished[i] && !table.get(i, table.column("status")).index())
          table.set(i, "status", std::string("not run (interrupted)"));
      // Rows of different architectures add different component columns,
      // in whichever order their threads finish.
      table.orderColumnsByUse(standardColumns);
    }
    size_t failed = failedPoints();
    if (!options.quiet)
      ctx.err << "afc: study '" << s.name << "': " << completed << " of "
              << points.size() << " points in "
              << llvm::format("%.3f", seconds) << " s"
              << (reused ? ", " + std::to_string(reused) +
                               " reused from the result store"
                         : "")
              << (failed ? ", " + std::to_string(failed) + " failed" : "")
              << "\n";
    return true;
  }

  study::ResultTable table;
  bool interrupted = false;

private:
  /// Prepares and runs the points `which` (indices, in order); returns
  /// those another live process holds.
  std::vector<size_t> runSome(const std::vector<size_t> &which) {
    std::vector<size_t> taken;
    // Points are prepared one at a time (diagnostics and the source manager
    // are not thread-safe) just ahead of the threads that run them, and
    // released once run: memory stays flat however many points there are.
    auto prepare = [&](size_t n) -> study::PointWork {
      size_t i = which[n];
      if (store && options.resume) {
        switch (store->claim(s.name, inputs, keys[i], i)) {
        case study::ResultStore::Claim::Done: {
          finished[i] = 1;
          ++reused;
          // Its failure counts in this run's summary too.
          bool failed = false;
          if (auto st = store->find(s.name, inputs, keys[i], failed))
            failures[i] = st->failure;
          return {};
        }
        case study::ResultStore::Claim::Taken:
          taken.push_back(i);
          return [] { return false; };
        case study::ResultStore::Claim::Error:
          storeFailed = true;
          storeError = store->error();
          return [] { return false; };
        case study::ResultStore::Claim::Mine:
          break;
        }
      }
      auto pp = std::make_shared<lower::PreparedPoint>(
          lower::preparePoint(spec, s, points[i], *models, ctx.diags,
                              elaborate, locations, lo));
      if (pp->errorInRow) {
        study::ResultTable row = newRow(i);
        row.set(0, "status", "error: " + pp->error);
        std::lock_guard<std::mutex> lock(tableMutex);
        record(i, row, "error: " + pp->error);
      }
      if (!pp->error.empty())
        return {};
      return [this, i, pp] { return evaluate(i, *pp); };
    };
    study::RunOptions ro;
    ro.threads = options.threads;
    ro.quiet = options.quiet;
    // A point whose preparation reported an error stops the study: its
    // reports are not written, as when the program itself has errors.
    study::runPreparedPoints(
        which.size(), prepare,
        [&] { return ctx.diags.hadError() || storeFailed.load(); }, ro);
    if (store && !store->flush() && !storeFailed) {
      storeError = store->error();
      storeFailed = true;
    }
    return taken;
  }

  size_t failedPoints() const {
    return failures.size() -
           size_t(std::count(failures.begin(), failures.end(), std::string()));
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

  /// A one-row table for point `i`, holding its index and swept values.
  study::ResultTable newRow(size_t i) const {
    study::ResultTable row;
    row.resize(1);
    setAxisCells(row, 0, i);
    return row;
  }

  void setAxisCells(study::ResultTable &t, size_t row, size_t i) const {
    t.set(row, "point", double(i));
    for (auto &[axis, value] : points[i].values)
      t.set(row, lower::axisColumn(*axis), lower::axisCell(*axis, value));
  }

  /// Keeps point `i`'s finished row (under tableMutex): committed to the
  /// store, or merged into the table.
  void record(size_t i, const study::ResultTable &row,
              const std::string &failure) {
    if (store) {
      study::Row cells;
      for (size_t c = 0; c < row.columns().size(); ++c)
        if (row.get(0, c).index())
          cells.emplace_back(row.columns()[c], row.get(0, c));
      if (!store->commit(s.name, inputs, keys[i], i, cells, failure)) {
        if (!storeFailed)
          storeError = store->error();
        storeFailed = true;
        return;
      }
    } else {
      for (size_t c = 0; c < row.columns().size(); ++c)
        if (row.get(0, c).index())
          table.set(i, row.columns()[c], row.get(0, c));
    }
    finished[i] = 1;
    failures[i] = failure;
  }

  /// Runs point `i`; false when an interrupt stopped its search (it is not
  /// finished, and not recorded).
  bool evaluate(size_t i, lower::PreparedPoint &pp) {
    study::ResultTable row = newRow(i);
    if (pp.search) {
      model::Expected<mapper::MapperResult> m = mapper::map(*pp.search);
      if (m && m->stats.cancelled)
        return false;
      std::string failure;
      if (!m) {
        lower::checkProblemConsistent(m.error());
        failure = "no valid mapping: " +
                  lower::noMappingSummary(
                      m.error(), lower::explainNoMapping(*pp.search, m.error()));
        row.set(0, "status", failure);
        std::lock_guard<std::mutex> lock(tableMutex);
        record(i, row, failure);
        return true;
      }
      lower::checkResultSound(m->result);
      study::fillRow(row, 0, lower::pointFigures(m->result, pp.components));
      if (!m->stats.complete)
        row.set(0, "status",
                std::string("best found within the time limit (not proven "
                            "optimal)"));
      else if (m->stats.fusionSearched)
        row.set(0, "status",
                m->stats.onChipTensors.empty()
                    ? std::string("ok (nothing fused)")
                    : "ok (on chip: " +
                          llvm::join(m->stats.onChipTensors, ", ") + ")");
      std::string text;
      llvm::raw_string_ostream os(text);
      lower::printMapping(m->mapping, "point" + std::to_string(i), os);
      row.set(0, "pmappings_evaluated", double(m->stats.evaluatedPmappings));
      row.set(0, "mapping", os.str());
      std::lock_guard<std::mutex> lock(tableMutex);
      record(i, row, "");
      return true;
    }
    if (!pp.problem || !pp.mapping)
      return true;
    model::Expected<model::Result> r =
        model::evaluate(*pp.problem, *pp.mapping);
    if (!r) {
      lower::checkProblemConsistent(r.error());
      std::string failure = "no valid mapping: " + r.error().message;
      row.set(0, "status", failure);
      std::lock_guard<std::mutex> lock(tableMutex);
      record(i, row, failure);
      return true;
    }
    lower::checkResultSound(*r);
    study::fillRow(row, 0, lower::pointFigures(*r, pp.components));
    std::lock_guard<std::mutex> lock(tableMutex);
    record(i, row, "");
    return true;
  }

  std::string outputPath(const std::string &file) {
    llvm::SmallString<256> p(options.outputDir);
    llvm::sys::path::append(p, file);
    return std::string(p.str());
  }

  /// The columns of the stored rows, in the order an in-memory table gives
  /// them (ResultTable::orderColumnsByUse over the rows in point order), so
  /// the order does not depend on which point finished first. Rows that
  /// set the same columns in the same order add nothing new, so one row
  /// per distinct sequence stands for all. Also collects the failures.
  std::optional<std::string> storedColumns(std::vector<std::string> &out) {
    study::ResultTable header;
    study::addStandardColumns(header, lower::axisColumns(s));
    size_t fixed = header.columns().size();
    std::set<std::vector<std::string>> seen;
    Reading reading(*store);
    for (size_t i = 0; i < points.size(); ++i) {
      bool failed = false;
      std::optional<study::ResultStore::Stored> st =
          store->find(s.name, inputs, keys[i], failed);
      if (failed)
        return store->error();
      if (!st)
        continue;
      failures[i] = st->failure;
      std::vector<std::string> sequence;
      for (auto &[name, cell] : st->row)
        sequence.push_back(name);
      if (!seen.insert(sequence).second)
        continue;
      size_t row = header.numRows();
      header.resize(row + 1);
      for (const std::string &name : sequence)
        header.set(row, name, 0.0);
    }
    header.orderColumnsByUse(fixed);
    out = header.columns();
    return std::nullopt;
  }

  /// Point i's cells from the store, in the order of `columns`; a point
  /// the store lacks (interrupted) says so in its status.
  std::optional<std::string>
  storedCells(size_t i, const std::unordered_map<std::string, size_t> &column,
              std::vector<study::Cell> &cells) {
    std::fill(cells.begin(), cells.end(), study::Cell());
    auto put = [&](const std::string &name, study::Cell v) {
      auto it = column.find(name);
      if (it != column.end())
        cells[it->second] = std::move(v);
    };
    bool failed = false;
    std::optional<study::ResultStore::Stored> st =
        store->find(s.name, inputs, keys[i], failed);
    if (failed)
      return store->error();
    if (!st) {
      study::ResultTable row = newRow(i);
      row.set(0, "status", std::string("not run (interrupted)"));
      for (size_t c = 0; c < row.columns().size(); ++c)
        put(row.columns()[c], row.get(0, c));
      return std::nullopt;
    }
    for (auto &[name, cell] : st->row)
      put(name, cell);
    if (st->idx != i) {
      // Computed at another index (the sweep has changed around it): the
      // index and the mapping's name follow the current one.
      put("point", double(i));
      auto it = column.find("mapping");
      std::string old = "mapping point" + std::to_string(st->idx) + " ";
      if (it != column.end())
        if (auto *text = std::get_if<std::string>(&cells[it->second]))
          if (llvm::StringRef(*text).startswith(old))
            *text = "mapping point" + std::to_string(i) + " " +
                    text->substr(old.size());
    }
    return std::nullopt;
  }

  /// Reads the stored rows in point order, restricted to `wanted` columns.
  study::RowSource storedRows(const std::vector<std::string> &allColumns,
                              const std::vector<std::string> &wanted) {
    return [this, allColumns, wanted](
               const std::function<void(const std::vector<study::Cell> &)>
                   &write) -> std::optional<std::string> {
      std::unordered_map<std::string, size_t> column;
      for (size_t c = 0; c < wanted.size(); ++c)
        column.emplace(wanted[c], c);
      std::vector<study::Cell> cells(wanted.size());
      Reading reading(*store);
      for (size_t i = 0; i < points.size(); ++i) {
        if (auto error = storedCells(i, column, cells))
          return error;
        write(cells);
      }
      return std::nullopt;
    };
  }

  int writeOutputs() {
    int rc = 0;
    if (!options.outputDir.empty() && options.outputDir != ".")
      llvm::sys::fs::create_directories(options.outputDir);
    std::vector<std::string> columns;
    if (store) {
      if (auto error = storedColumns(columns)) {
        ctx.diags.error(s.range, *error);
        return 1;
      }
    }
    for (const ir::Report &r : s.reports) {
      std::string path = outputPath(r.path);
      study::ReportFormat format = study::reportFormat(r.format);
      std::optional<std::string> error =
          store ? study::writeReport(columns, storedRows(columns, columns),
                                     format, s.name, path)
                : study::writeReport(table, format, s.name, path);
      if (error) {
        ctx.diags.error(r.range, *error);
        rc = 1;
        continue;
      }
      if (!options.quiet)
        ctx.err << "afc: wrote " << path << "\n";
    }
    for (const ir::Plot &p : s.plots)
      if (!plot(p, columns))
        rc = 1;
    if (!options.quiet && s.reports.empty()) {
      std::ostringstream os;
      if (store) {
        study::RowWriter w(os, study::TableFormat::Markdown, columns, s.name);
        if (auto error = storedRows(columns, columns)(
                [&](const std::vector<study::Cell> &c) { w.write(c); })) {
          ctx.diags.error(s.range, *error);
          return 1;
        }
        w.finish();
      } else {
        table.writeMarkdown(os);
      }
      ctx.out << os.str();
    }
    return rc;
  }

  bool plot(const ir::Plot &p, const std::vector<std::string> &columns) {
    std::optional<study::PlotRequest> request =
        lower::plotRequest(spec, s, p, ctx.diags);
    if (!request)
      return false;
    study::PlotSpec spec;
    std::string path = outputPath(p.path);
    std::optional<std::string> error;
    if (store) {
      // Only the columns the plot reads are loaded from the store.
      std::vector<std::string> wanted = study::plotColumns(columns, *request);
      study::ResultTable t;
      t.resize(points.size());
      for (const std::string &c : wanted)
        t.column(c);
      size_t i = 0;
      error = storedRows(columns, wanted)(
          [&](const std::vector<study::Cell> &cells) {
            for (size_t c = 0; c < cells.size(); ++c)
              if (cells[c].index())
                t.set(i, wanted[c], cells[c]);
            ++i;
          });
      if (!error)
        error = study::planPlot(t, *request, spec);
    } else {
      error = study::planPlot(table, *request, spec);
    }
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

  /// After an interrupt: what is kept, and the command that finishes.
  void suggestResume() {
    size_t kept = size_t(std::count(finished.begin(), finished.end(), 1));
    std::string command = options.commandLine;
    if (command.empty()) {
      command = "afc run";
      for (const std::string &f : options.inputFiles)
        command += " " + f;
    }
    if (!options.resume)
      command += " --resume";
    ctx.err << "afc: study '" << s.name << "': " << kept << " of "
            << points.size() << " points are saved in "
            << outputPath(study::ResultStore::kFileName)
            << "; to run the rest, run:\n  " << command << "\n";
  }

  const ir::Spec &spec;
  const ir::Study &s;
  Context &ctx;
  const Options &options;
  const lower::ElaborateFn &elaborate;
  study::ResultStore *store;
  /// The digest of the inputs the store's rows are keyed by.
  std::string inputs;
  const components::ModelLibrary *models = nullptr;
  lower::StudyLoweringOptions lo;
  std::vector<lower::DesignPoint> points;
  /// Per point: its key in the store.
  std::vector<std::string> keys;
  /// Per point: whether its row is recorded (run now, or in the store).
  std::vector<char> finished;
  /// Per point: why it failed, empty if it did not.
  std::vector<std::string> failures;
  size_t reused = 0;
  /// In-memory table: the columns every study starts with.
  size_t standardColumns = 0;
  std::atomic<bool> storeFailed{false};
  std::string storeError;
  lower::LocationTable locations;
  std::mutex tableMutex;
};

} // namespace

std::optional<study::ResultTable>
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
  // Studies that write files keep their rows in one store beside them; a
  // study that only prints its table keeps them in memory.
  std::unique_ptr<study::ResultStore> store;
  std::string inputs;
  int rc = 0;
  for (const ir::Study &s : spec.studies) {
    if (!ctx.options.study.empty() && s.name != ctx.options.study)
      continue;
    bool writesFiles = !s.reports.empty() || !s.plots.empty();
    if (writesFiles && !store) {
      llvm::SmallString<256> path(options.outputDir);
      llvm::sys::path::append(path, study::ResultStore::kFileName);
      if (overwritesSource(ctx, std::string(path.str())))
        return 1;
      if (!options.outputDir.empty() && options.outputDir != ".")
        llvm::sys::fs::create_directories(options.outputDir);
      std::string error;
      store = study::ResultStore::open(std::string(path.str()), error);
      if (!store) {
        ctx.diags.error(error);
        ctx.diags.note("--output-dir chooses another folder");
        return 1;
      }
      inputs = inputsDigest(ctx);
    }
    int r = StudyRun(spec, s, ctx, elaborate, writesFiles ? store.get() : nullptr,
                     inputs)
                .run();
    if (r)
      rc = r;
    if (study::interruptRequested())
      break;
  }
  return rc;
}
