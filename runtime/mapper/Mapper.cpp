//===- Mapper.cpp - the optimal mapper driver ------------------------------===//
//
// map() is a fixed sequence of steps, each a method of MapRun below: build
// the (Einsum, architecture) views and their templates (the tasks), compile
// the templates' kernels, split large templates into pieces, collect the
// min_usage keys, search the pieces, search again the templates whose
// surviving keys the model rejected, finish each template, merge the fronts
// per Einsum, combine the Einsums for the metric and materialise the best
// mapping. The steps between splitting and finishing run in one TBB arena;
// every result is stored by (template, piece), never by completion order,
// so the answer does not depend on the schedule. See Mapper.h.
//
//===----------------------------------------------------------------------===//

#include "afc/mapper/Mapper.h"

#include "afc/mapper/Fusion.h"
#include "afc/mapper/Join.h"

#include "afc/support/InternalError.h"

#include <fmt/format.h>

#include <tbb/enumerable_thread_specific.h>
#include <tbb/info.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <map>
#include <memory>
#include <numeric>
#include <optional>

namespace afc::mapper {

namespace {

model::ModelError problemError(std::string message) {
  model::ModelError e;
  e.kind = model::ErrorKind::InvalidProblem;
  e.message = std::move(message);
  return e;
}

} // namespace

std::vector<const model::FlattenedArch *>
architecturesOf(const model::Problem &p, const std::string &name) {
  std::vector<const model::FlattenedArch *> own, generic;
  for (const model::FlattenedArch &a : p.architectures) {
    if (a.einsum == name)
      own.push_back(&a);
    else if (a.einsum.empty())
      generic.push_back(&a);
  }
  // An Einsum-specific entry wins over a generic one for the same compute.
  for (const model::FlattenedArch *g : generic) {
    bool shadowed = false;
    for (const model::FlattenedArch *o : own)
      shadowed |= o->compute().name == g->compute().name;
    if (!shadowed)
      own.push_back(g);
  }
  return own;
}

namespace {

/// Templates with fewer tile shapes than this are searched as one piece.
constexpr double kSplitThreshold = 20000;
/// Pieces per split template. Fixed (not per thread) so that even the
/// internal sequence numbers do not depend on the thread count.
constexpr size_t kMinPieces = 32;

/// One Einsum on one flattened architecture, with its templates.
struct ViewInfo {
  EinsumView view;
  std::vector<Template> templates;
};

/// One template to search; `size` is its number of tile shapes.
struct Task {
  uint32_t view, templ;
  double size;
};

/// A part of a task's search: the tiles of its innermost loops (empty for
/// the whole template). `index` is its position among the task's pieces.
struct Piece {
  size_t task;
  uint32_t index;
  std::vector<int64_t> prefix;
  /// Estimated work: its closed-form number of tile shapes (at least 1).
  uint64_t work = 1;
};

/// Total of a combination of per-Einsum rows.
struct Combination {
  double energy = 0, latency = 0;
  std::vector<uint32_t> pick; ///< row index per Einsum
};

/// The steps of one map() call and what they hand on to each other.
class MapRun {
public:
  explicit MapRun(const MapperProblem &mp)
      : mp(mp), workload(mp.problem.workload), settings(mp.settings),
        costing(mp.costingOptions()), evaluators([this] {
          return model::Evaluator(this->mp.problem, costing);
        }) {}

  model::Expected<MapperResult> run();

private:
  std::optional<model::ModelError> buildTasks();
  void compileKernels();
  void findRepeatedTemplates();
  void splitTemplatesIntoPieces();
  void collectUsageKeys();
  bool optimumOnly() const;
  void probe();
  void searchPieces(const std::vector<const Piece *> &which, bool withShortcut);
  bool sharesIncumbent() const;
  /// Pieces searched before the incumbent is updated (searchPieces).
  static constexpr size_t kPiecesPerWave = 32;
  /// probe(): how much larger the budget of a template's second probe is,
  /// where its first found no row.
  static constexpr uint64_t kProbeRetryFactor = 16;
  void redoTemplatesWithLostKeys();
  void searchPastTheDeadline();
  PieceRequest costingRequest(const Piece &pc, bool onlySurviving) const;
  void mapUnfusedFirst();
  void finishTemplates();
  model::Expected<std::vector<std::vector<PmappingRow>>> einsumFronts() const;
  std::vector<Combination>
  combineEinsums(const std::vector<std::vector<PmappingRow>> &fronts) const;
  std::optional<model::ModelError>
  materialiseBest(std::vector<std::vector<PmappingRow>> fronts,
                  const std::vector<Combination> &combos);
  std::optional<model::ModelError>
  materialiseBestJoin(std::vector<std::vector<PmappingRow>> fronts);
  std::optional<model::ModelError> evaluateDetailed(bool fused);
  /// Records the (energy, latency) front of whole mappings and returns the
  /// index of the first minimising the metric.
  template <class Total> size_t keepFront(const std::vector<Total> &totals);
  /// Einsum e's pmapping `row` as a chosen one, with its own chain.
  EinsumChoice choiceOf(uint32_t e, const PmappingRow &row) const;

  const MapperProblem &mp;
  const model::Workload &workload;
  const MapperSettings &settings;
  /// (energy, latency) of whole mappings found before the search
  /// (mapUnfusedFirst); they bound it.
  std::vector<std::pair<double, double>> knownMappings;
  const model::EvaluateOptions costing;
  MapperResult out;

  std::vector<ViewInfo> views;
  std::vector<std::vector<uint32_t>> viewsOfEinsum;
  std::vector<Task> tasks;
  /// Generated kernels, one per task (null: costed by the model).
  std::vector<std::shared_ptr<const TemplateKernel>> kernels;
  /// Per task: the task whose search it repeats (itself when searched).
  std::vector<size_t> searchedAs;
  /// MapperSettings::timeLimit from the start of run(); set when finite.
  std::optional<std::chrono::steady_clock::time_point> deadline;
  /// Some piece was skipped or stopped at the deadline (or cancelled).
  std::atomic<bool> stopped{false};
  bool cancelled() const {
    return settings.cancel && settings.cancel->load(std::memory_order_relaxed);
  }
  /// What map() returns once cancelled: statistics only.
  MapperResult cancelledResult() {
    MapperResult r;
    r.stats = out.stats;
    r.stats.cancelled = true;
    r.stats.complete = false;
    return r;
  }
  tbb::enumerable_thread_specific<model::Evaluator> evaluators;

  // Per task: its pieces, and per piece what the search found.
  std::vector<std::vector<Piece>> piecesOf;
  std::vector<std::vector<PartialMap>> rowsOf;
  std::vector<std::vector<TemplateSearchStats>> statsOf;
  /// Every piece, largest templates first.
  std::vector<const Piece *> schedule;
  /// Progress in estimated tile shapes (Piece::work): pieces differ in size
  /// by orders of magnitude, so their count says little.
  uint64_t totalWork = 0;
  std::atomic<uint64_t> workDone{0};
  /// Pieces whose costing search ran to its end.
  std::atomic<size_t> piecesSearched{0};
  /// Per task: whether the min_usage shortcut applies, and the keys the
  /// rule keeps.
  std::vector<uint8_t> shortcut;
  std::vector<UsageKeys> surviving;
  /// Per task: the surviving keys a probe found a row of
  /// (PieceRequest::witnessedKeys).
  std::vector<UsageKeys> witnessed;
  /// What the probe found (probe()): the metric of its best row
  /// (optimumOnly), and per Einsum the (energy, latency) of its rows that
  /// no other of them beats (unfused); and what it costed.
  double incumbent = std::numeric_limits<double>::infinity();
  std::vector<std::vector<std::pair<double, double>>> einsumRows;
  std::atomic<uint64_t> probeEvaluated{0};
  /// Fusion: memories where one Einsum's reservations can be live while
  /// another runs (FusionLayout::addJointMemories over every template).
  std::vector<std::string> jointMemories;
  /// Per task: its Pareto rows after min_usage.
  std::vector<std::vector<PmappingRow>> results;
  /// Per task: pieces of the first costing pass still running, and whether
  /// the task was finished as soon as its last piece was (finishEarly),
  /// with its statistics then.
  std::unique_ptr<std::atomic<uint32_t>[]> piecesLeft;
  std::vector<uint8_t> finished;
  std::vector<TemplateSearchStats> finishedStats;
  void finishEarly(size_t task);
  /// What a task's pieces costed, summed (before its Pareto filter).
  TemplateSearchStats piecesStats(size_t task) const {
    TemplateSearchStats sum;
    for (const TemplateSearchStats &s : statsOf[task])
      sum += s;
    return sum;
  }
};

model::Expected<MapperResult> MapRun::run() {
  auto start = std::chrono::steady_clock::now();
  if (std::isfinite(settings.timeLimit))
    deadline = start + std::chrono::duration_cast<
                           std::chrono::steady_clock::duration>(
                           std::chrono::duration<double>(
                               std::max(0.0, settings.timeLimit)));
  if (std::optional<model::ModelError> error = buildTasks())
    return *error;
  mapUnfusedFirst();
  compileKernels();
  findRepeatedTemplates();
  out.stats.threads = settings.threads > 0 ? settings.threads
                                           : tbb::info::default_concurrency();
  tbb::task_arena arena(out.stats.threads);
  arena.execute([&] {
    splitTemplatesIntoPieces();
    collectUsageKeys();
    probe();
    searchPieces(schedule, true);
    redoTemplatesWithLostKeys();
    searchPastTheDeadline();
    if (!cancelled())
      finishTemplates();
  });
  out.stats.evaluatedPmappings += probeEvaluated;
  out.stats.pieces = schedule.size();
  out.stats.piecesSearched = piecesSearched;
  out.stats.complete = !stopped;
  if (cancelled())
    return cancelledResult();
  model::Expected<std::vector<std::vector<PmappingRow>>> fronts =
      einsumFronts();
  if (!fronts)
    return fronts.error();
  if (out.stats.fusionSearched) {
    if (std::optional<model::ModelError> error =
            materialiseBestJoin(std::move(*fronts)))
      return *error;
  } else {
    std::vector<Combination> combos = combineEinsums(*fronts);
    if (std::optional<model::ModelError> error =
            materialiseBest(std::move(*fronts), combos))
      return *error;
  }
  if (cancelled()) // the join stopped: its fallback is no answer either
    return cancelledResult();
  out.stats.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  return std::move(out);
}

/// A large fused search first maps the workload unfused (a search of the
/// same templates that keep every shared tensor in the outermost memory):
/// its front is made of whole mappings the join can reach too, and bounds
/// the fused search (MapperSettings::unfusedBoundTileShapes). Only a
/// complete unfused search is used.
void MapRun::mapUnfusedFirst() {
  if (!out.stats.fusionSearched ||
      !(out.stats.totalPmappings >= settings.unfusedBoundTileShapes))
    return;
  MapperProblem unfused = mp;
  unfused.settings.unfused = true;
  unfused.settings.detailedResult = false;
  unfused.settings.onProgress = nullptr;
  if (deadline)
    unfused.settings.timeLimit = std::max(
        0.0, std::chrono::duration<double>(*deadline -
                                           std::chrono::steady_clock::now())
                 .count());
  model::Expected<MapperResult> r = MapRun(unfused).run();
  if (!r || !r->stats.complete || r->stats.cancelled)
    return;
  for (const FrontPoint &p : r->front)
    knownMappings.push_back({p.energy, p.latency});
  out.stats.evaluatedPmappings += r->stats.evaluatedPmappings;
  out.stats.boundedSubtrees += r->stats.boundedSubtrees;
}

/// Views and templates per Einsum in workload order, and one task per
/// template.
std::optional<model::ModelError> MapRun::buildTasks() {
  viewsOfEinsum.resize(workload.einsums.size());
  for (uint32_t e = 0; e < workload.einsums.size(); ++e) {
    const EinsumRules *rules = mp.rulesFor(workload.einsums[e].name);
    auto archs = architecturesOf(mp.problem, workload.einsums[e].name);
    if (archs.empty())
      return problemError("no architecture for Einsum '" +
                          workload.einsums[e].name + "'");
    for (const model::FlattenedArch *a : archs) {
      ViewInfo vi;
      vi.view = makeEinsumView(mp, e, *a);
      vi.templates = enumerateTemplates(mp, vi.view, rules);
      viewsOfEinsum[e].push_back(uint32_t(views.size()));
      views.push_back(std::move(vi));
    }
  }
  for (uint32_t v = 0; v < views.size(); ++v)
    for (uint32_t t = 0; t < views[v].templates.size(); ++t) {
      double size = countTileShapes(views[v].view, views[v].templates[t]);
      out.stats.totalPmappings += size;
      tasks.push_back({v, t, size});
    }
  out.stats.templates = tasks.size();
  out.stats.fusionSearched =
      !settings.unfused && einsumsShareTensors(workload);
  if (out.stats.fusionSearched)
    for (const ViewInfo &vi : views) {
      FusionLayout layout(mp, vi.view);
      for (const Template &t : vi.templates)
        layout.addJointMemories(t, jointMemories);
    }
  return std::nullopt;
}

/// All templates are handed to the kernel factory at once: compiling them
/// together is much faster.
void MapRun::compileKernels() {
  kernels.resize(tasks.size());
  if (settings.templateKernels) {
    std::vector<TemplateCost> structures;
    std::vector<TemplateStructure> request;
    structures.reserve(tasks.size());
    for (const Task &t : tasks)
      structures.emplace_back(mp, views[t.view].view,
                              views[t.view].templates[t.templ]);
    for (const TemplateCost &c : structures)
      request.push_back({&c.structure(), c.loops()});
    model::Evaluator tracer(mp.problem, costing);
    kernels = settings.templateKernels(tracer, request);
    AFC_INTERNAL_ASSERT(kernels.size() <= tasks.size())
        << "the kernel factory returned " << kernels.size() << " kernels for "
        << tasks.size() << " templates";
    kernels.resize(tasks.size());
  }
  for (const std::shared_ptr<const TemplateKernel> &k : kernels) {
    out.stats.kernelTemplates += k && k->invalid.empty();
    out.stats.invalidTemplates += k && !k->invalid.empty();
  }
}

/// Transformer layers repeat Einsums of one shape (the Q, K and V
/// projections, the experts of a mixture): a template whose search would
/// repeat an earlier task's exactly (same view up to names, same template,
/// same cost kernel over the same design-point values) takes that task's
/// rows instead.
/// The rows are the ones its own search would find, bit for bit, so the
/// answer does not change.
void MapRun::findRepeatedTemplates() {
  searchedAs.resize(tasks.size());
  std::map<std::string, std::vector<size_t>> searchedByKernel;
  for (size_t i = 0; i < tasks.size(); ++i) {
    searchedAs[i] = i;
    const TemplateKernel *k = kernels[i].get();
    if (!settings.reuseRepeatedSearches || !k || !k->invalid.empty() ||
        k->structure.empty())
      continue;
    const ViewInfo &vi = views[tasks[i].view];
    std::vector<size_t> &searched = searchedByKernel[k->structure];
    // Equal structures read the same point values; they must hold the same
    // numbers on both architectures.
    auto samePoint = [&](const EinsumView &other) {
      for (const model::PointValue &v : k->point)
        if (model::pointValue(*vi.view.arch, v) !=
            model::pointValue(*other.arch, v))
          return false;
      return true;
    };
    for (size_t j : searched) {
      const ViewInfo &vj = views[tasks[j].view];
      if (searchesAlike(vi.view, vj.view) && samePoint(vj.view) &&
          vi.templates[tasks[i].templ].nodes ==
              vj.templates[tasks[j].templ].nodes) {
        searchedAs[i] = j;
        ++out.stats.repeatedTemplates;
        break;
      }
    }
    if (searchedAs[i] == i)
      searched.push_back(i);
  }
}

/// Large templates are split into pieces (tile shapes of their innermost
/// loops) so that workers stay busy; pieces are merged back in order, so the
/// split never changes the answer. The schedule takes the largest templates
/// first against stragglers.
void MapRun::splitTemplatesIntoPieces() {
  piecesOf.assign(tasks.size(), {});
  tbb::parallel_for(size_t(0), tasks.size(), [&](size_t i) {
    const Task &t = tasks[i];
    const ViewInfo &vi = views[t.view];
    if (searchedAs[i] != i)
      return; // takes the rows of the task it repeats
    auto work = [](double tileShapes) {
      // Capped so that the sum over all pieces cannot overflow.
      return uint64_t(std::clamp(tileShapes, 1.0, 1e14));
    };
    if (t.size < kSplitThreshold) {
      piecesOf[i].push_back({i, 0, {}, work(t.size)});
      return;
    }
    std::vector<std::vector<int64_t>> prefixes = splitTemplate(
        mp, vi.view, vi.templates[t.templ], evaluators.local(), kMinPieces);
    for (size_t k = 0; k < prefixes.size(); ++k) {
      double size =
          countCompletions(vi.view, vi.templates[t.templ], prefixes[k]);
      piecesOf[i].push_back(
          {i, uint32_t(k), std::move(prefixes[k]), work(size)});
    }
  });
  rowsOf.assign(tasks.size(), {});
  statsOf.assign(tasks.size(), {});
  piecesLeft.reset(new std::atomic<uint32_t>[tasks.size()]);
  for (size_t i = 0; i < tasks.size(); ++i) {
    rowsOf[i].resize(piecesOf[i].size());
    statsOf[i].resize(piecesOf[i].size());
    piecesLeft[i].store(uint32_t(piecesOf[i].size()));
  }
  results.assign(tasks.size(), {});
  finished.assign(tasks.size(), 0);
  finishedStats.assign(tasks.size(), {});
  std::vector<size_t> order(tasks.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return tasks[a].size > tasks[b].size;
  });
  for (size_t i : order)
    for (const Piece &pc : piecesOf[i]) {
      schedule.push_back(&pc);
      totalWork += pc.work;
    }
}

/// min_usage shortcut, pass 1: the usage keys of every feasible tile shape
/// (no costing), and per template the keys the "try best" rule keeps; only
/// tile shapes with those keys are costed.
void MapRun::collectUsageKeys() {
  shortcut.assign(tasks.size(), 0);
  for (size_t i = 0; i < tasks.size(); ++i)
    shortcut[i] = searchedAs[i] == i &&
                  usesMinUsageShortcut(settings, views[tasks[i].view].view,
                                       kernels[i].get());
  // Most templates get their keys from the spatial bounds alone; the rest
  // walk their pieces.
  std::vector<std::optional<UsageKeys>> direct(tasks.size());
  tbb::parallel_for(size_t(0), tasks.size(), [&](size_t i) {
    if (!shortcut[i])
      return;
    const ViewInfo &vi = views[tasks[i].view];
    direct[i] = feasibleUsageKeys(mp, vi.view, vi.templates[tasks[i].templ],
                                  evaluators.local());
  });
  std::vector<UsageKeys> pieceKeys(schedule.size());
  tbb::parallel_for(
      tbb::blocked_range<size_t>(0, schedule.size(), 1),
      [&](const tbb::blocked_range<size_t> &range) {
        for (size_t s = range.begin(); s != range.end(); ++s) {
          const Piece &pc = *schedule[s];
          if (!shortcut[pc.task] || direct[pc.task])
            continue;
          const Task &t = tasks[pc.task];
          const ViewInfo &vi = views[t.view];
          PieceRequest request{.view = vi.view,
                               .tpl = vi.templates[t.templ],
                               .mode = SearchMode::CollectUsageKeys,
                               .prefix = pc.prefix,
                               .deadline = deadline,
                               .cancel = settings.cancel};
          PieceResult found = searchPiece(mp, request, evaluators.local());
          if (found.stopped)
            stopped = true;
          pieceKeys[s] = std::move(found.keys);
        }
      });
  std::vector<UsageKeys> all(tasks.size());
  for (size_t i = 0; i < tasks.size(); ++i)
    if (direct[i])
      all[i] = std::move(*direct[i]);
  for (size_t s = 0; s < schedule.size(); ++s)
    all[schedule[s]->task].insert(pieceKeys[s].begin(), pieceKeys[s].end());
  surviving.assign(tasks.size(), {});
  witnessed.assign(tasks.size(), {});
  for (size_t i = 0; i < tasks.size(); ++i)
    if (shortcut[i])
      surviving[i] = survivingKeys(views[tasks[i].view].view, all[i]);
}

/// Searches the given pieces, with the min_usage shortcut where it applies
/// when `withShortcut`, else costing every tile shape.
void MapRun::searchPieces(const std::vector<const Piece *> &which,
                          bool withShortcut) {
  // Where only the optimum matters, pieces are searched in waves of a
  // fixed size: each wave prunes against the best row of the waves before
  // it (and of the probe), so a good row found anywhere soon prunes every
  // piece. The waves do not depend on the thread count, nor does the walk.
  const bool inWaves = sharesIncumbent();
  const size_t waveSize = inWaves ? kPiecesPerWave : which.size();
  std::vector<double> best(which.size(),
                           std::numeric_limits<double>::infinity());
  for (size_t begin = 0; begin < which.size(); begin += waveSize) {
    const size_t end = std::min(which.size(), begin + waveSize);
    tbb::parallel_for(
        tbb::blocked_range<size_t>(begin, end, 1),
        [&](const tbb::blocked_range<size_t> &range) {
          for (size_t w = range.begin(); w != range.end(); ++w) {
            if (stopped || cancelled()) // the remaining pieces are skipped
              continue;
            const Piece &pc = *which[w];
            PieceRequest request =
                costingRequest(pc, withShortcut && shortcut[pc.task]);
            request.deadline = deadline;
            request.cancel = settings.cancel;
            PieceResult found = searchPiece(mp, request, evaluators.local());
            if (found.stopped)
              stopped = true;
            else if (withShortcut)
              ++piecesSearched;
            best[w] = found.bestMetric;
            rowsOf[pc.task][pc.index] = std::move(found.rows);
            statsOf[pc.task][pc.index] = found.stats;
            if (withShortcut &&
                piecesLeft[pc.task].fetch_sub(1, std::memory_order_acq_rel) ==
                    1)
              finishEarly(pc.task);
            if (settings.onProgress)
              settings.onProgress(
                  size_t(std::min(workDone += pc.work, totalWork)),
                  size_t(totalWork));
          }
        });
    if (inWaves)
      incumbent = std::min(incumbent, *std::min_element(best.begin() + begin,
                                                        best.begin() + end));
  }
}

/// A template whose pieces are all searched is finished by the worker that
/// searched the last one, unless its surviving usage keys were lost (it is
/// searched again) or the search stopped: its pieces' rows, which the
/// largest fused searches count in millions, are then freed while the rest
/// runs instead of all being held to the end. The result is what
/// finishTemplates() would give, as it depends on the pieces alone.
void MapRun::finishEarly(size_t i) {
  if (stopped || cancelled() || searchedAs[i] != i ||
      (shortcut[i] && usageKeysLost(surviving[i], rowsOf[i], witnessed[i])))
    return;
  TemplateSearchStats stats = piecesStats(i);
  results[i] =
      finishTemplate(mp, views[tasks[i].view].view, std::move(rowsOf[i]), stats);
  rowsOf[i].clear();
  finishedStats[i] = stats;
  finished[i] = 1;
}

/// The model may reject tile shapes the capacity and fanout checks accept;
/// a template left without a row for some surviving key is searched again
/// in full, so the shortcut never differs from the rule.
void MapRun::redoTemplatesWithLostKeys() {
  if (stopped)
    return; // a stopped search is the best found anyway
  std::vector<uint8_t> redo(tasks.size(), 0);
  for (size_t i = 0; i < tasks.size(); ++i)
    redo[i] = !finished[i] && shortcut[i] &&
              usageKeysLost(surviving[i], rowsOf[i], witnessed[i]);
  std::vector<const Piece *> again;
  for (const Piece *pc : schedule)
    if (redo[pc->task])
      again.push_back(pc);
  searchPieces(again, false);
}

/// The request that costs a piece: only its surviving usage keys when
/// `onlySurviving`, else every tile shape; no deadline.
PieceRequest MapRun::costingRequest(const Piece &pc, bool onlySurviving) const {
  const Task &t = tasks[pc.task];
  const ViewInfo &vi = views[t.view];
  return PieceRequest{
      .view = vi.view,
      .tpl = vi.templates[t.templ],
      .mode = onlySurviving ? SearchMode::CostSurvivingKeys
                            : SearchMode::CostAll,
      .prefix = pc.prefix,
      .piece = pc.index,
      .viewIndex = t.view,
      .templIndex = t.templ,
      .survivingKeys = onlySurviving ? &surviving[pc.task] : nullptr,
      .witnessedKeys = onlySurviving ? &witnessed[pc.task] : nullptr,
      .kernel = kernels[pc.task].get(),
      .jointMemories = &jointMemories,
      .knownMappings = &knownMappings,
      .optimumOnly = optimumOnly(),
      .incumbent = incumbent,
      .einsumRows = einsumRows.empty()
                        ? nullptr
                        : &einsumRows[vi.view.einsum]};
}

/// A workload of one Einsum is answered by its best row alone: the search
/// may then cut what cannot beat a row found (PieceRequest::optimumOnly).
bool MapRun::optimumOnly() const {
  return workload.einsums.size() == 1 && !settings.keepFronts;
}

/// Whether the search prunes against the best row found in any piece
/// (PieceRequest::incumbent): where only the optimum matters, for the
/// energy-delay product (for energy or latency alone a piece's own front
/// prunes about as well).
bool MapRun::sharesIncumbent() const {
  return optimumOnly() && settings.metric == Metric::EnergyDelayProduct &&
         settings.probeLeaves > 0 && settings.tilingCoarseness <= 1;
}

/// A short probe of every piece (a few leaves each, largest tiles first)
/// finds rows for the search to prune against from its first node, not
/// only once each piece has found its own:
/// - where only the optimum matters (one Einsum, the energy-delay
///   product), the best row's metric (PieceRequest::incumbent);
/// - unfused, per Einsum the probe's rows (PieceRequest::einsumRows): a
///   completion with more energy and no less latency than one of them is
///   not on the Einsum's front, in whichever template it is.
/// The probe's rows are among the answer's candidates: their templates'
/// tile shapes are the search's, and their usage keys survive min_usage
/// (each is a surviving key with a row, and the rule, applied again to
/// fewer keys when the model rejects some, keeps a kept key that still has
/// a row); where the rule picks its keys after the search, no row counts.
/// So pruning against them loses nothing. The probe depends on the pieces
/// alone: the search stays the same at any thread count.
void MapRun::probe() {
  // For one Einsum and energy or latency alone, a piece's own front
  // already prunes against its best on the metric (the other quantity only
  // breaks ties): there the probe cost more than it saved (the seed sweep,
  // 0.7x). Coarse tiling skips tile shapes the probe would not know to
  // skip.
  const bool forIncumbent = sharesIncumbent();
  const bool forEinsumRows = settings.unfused && !optimumOnly();
  if (!(forIncumbent || forEinsumRows) || settings.probeLeaves == 0 ||
      settings.tilingCoarseness > 1 || schedule.empty())
    return;
  std::vector<double> best(schedule.size(),
                           std::numeric_limits<double>::infinity());
  std::vector<std::vector<std::pair<double, double>>> rows(schedule.size());
  std::vector<UsageKeys> keysFound(schedule.size());
  std::vector<uint8_t> foundRow(schedule.size(), 0);
  auto probePieces = [&](const std::vector<size_t> &which, uint64_t leaves) {
    tbb::parallel_for(
        tbb::blocked_range<size_t>(0, which.size(), 1),
        [&](const tbb::blocked_range<size_t> &range) {
          for (size_t w = range.begin(); w != range.end(); ++w) {
            if (stopped || cancelled())
              continue;
            const size_t s = which[w];
            const Piece &pc = *schedule[s];
            PieceRequest request = costingRequest(pc, shortcut[pc.task]);
            request.probeLeaves = leaves;
            request.deadline = deadline;
            request.cancel = settings.cancel;
            PieceResult found = searchPiece(mp, request, evaluators.local());
            if (found.stopped)
              stopped = true;
            probeEvaluated += found.stats.evaluated;
            best[s] = found.bestMetric;
            rows[s].clear();
            keysFound[s].clear();
            for (const auto &[key, front] : found.rows) {
              if (front.empty())
                continue;
              foundRow[s] = 1;
              if (shortcut[pc.task] || !hasMinUsage(request.view))
                for (const PmappingRow &r : front.rows())
                  rows[s].push_back({r.energy, r.latency});
              if (shortcut[pc.task])
                keysFound[s].insert(key);
            }
          }
        });
  };
  std::vector<size_t> all(schedule.size());
  std::iota(all.begin(), all.end(), size_t(0));
  probePieces(all, settings.probeLeaves);
  // Templates where no piece's probe found a row within its budget (deep
  // hierarchies, where min_usage and capacity leave few leaves) are probed
  // again with a larger one: without a row there, their walks prune
  // against nothing until they find their own. Only those, since the
  // larger budget costs more than it saves where rows were found.
  std::vector<uint8_t> taskHasRow(tasks.size(), 0);
  for (size_t s = 0; s < schedule.size(); ++s)
    taskHasRow[schedule[s]->task] |= foundRow[s];
  std::vector<size_t> again;
  for (size_t s = 0; s < schedule.size(); ++s)
    if (!taskHasRow[schedule[s]->task])
      again.push_back(s);
  if (!again.empty())
    probePieces(again, settings.probeLeaves * kProbeRetryFactor);
  for (size_t s = 0; s < schedule.size(); ++s)
    witnessed[schedule[s]->task].insert(keysFound[s].begin(),
                                        keysFound[s].end());
  if (forIncumbent)
    incumbent = *std::min_element(best.begin(), best.end());
  if (!forEinsumRows)
    return;
  einsumRows.assign(workload.einsums.size(), {});
  for (size_t s = 0; s < schedule.size(); ++s) {
    const Task &t = tasks[schedule[s]->task];
    std::vector<std::pair<double, double>> &known =
        einsumRows[views[t.view].view.einsum];
    known.insert(known.end(), rows[s].begin(), rows[s].end());
  }
  // Only the rows no other has less energy and latency than can prune.
  for (std::vector<std::pair<double, double>> &known : einsumRows) {
    std::sort(known.begin(), known.end());
    std::vector<std::pair<double, double>> front;
    for (const std::pair<double, double> &r : known)
      if (front.empty() || r.second < front.back().second)
        front.push_back(r);
    known = std::move(front);
  }
}

/// A search stopped by its time limit still answers for every Einsum: one
/// that has no row yet (its pieces were scheduled last) gets its pieces
/// searched without the deadline, smallest templates first, until one
/// yields a row.
void MapRun::searchPastTheDeadline() {
  if (!stopped || cancelled())
    return;
  std::vector<uint8_t> hasRows(workload.einsums.size(), 0);
  for (size_t i = 0; i < tasks.size(); ++i) {
    uint32_t e = views[tasks[i].view].view.einsum;
    hasRows[e] |= !results[searchedAs[i]].empty();
    for (const PartialMap &piece : rowsOf[searchedAs[i]])
      for (const auto &[key, front] : piece)
        hasRows[e] |= !front.empty();
  }
  for (auto it = schedule.rbegin(); it != schedule.rend(); ++it) {
    const Piece *pc = *it;
    const Task &t = tasks[pc->task];
    uint32_t e = views[t.view].view.einsum;
    if (hasRows[e] || finished[pc->task])
      continue;
    PieceResult found = searchPiece(mp, costingRequest(*pc, shortcut[pc->task]),
                                    evaluators.local());
    for (const auto &[key, front] : found.rows)
      hasRows[e] |= !front.empty();
    rowsOf[pc->task][pc->index] = std::move(found.rows);
    statsOf[pc->task][pc->index] = found.stats;
  }
}

/// Each template's pieces in piece order: min_usage, then its Pareto front.
void MapRun::finishTemplates() {
  std::vector<TemplateSearchStats> taskStats(tasks.size());
  for (size_t i = 0; i < tasks.size(); ++i)
    taskStats[i] = finished[i] ? finishedStats[i] : piecesStats(i);
  tbb::parallel_for(size_t(0), tasks.size(), [&](size_t i) {
    if (searchedAs[i] == i && !finished[i])
      results[i] = finishTemplate(mp, views[tasks[i].view].view,
                                  std::move(rowsOf[i]), taskStats[i]);
  });
  for (size_t i = 0; i < tasks.size(); ++i) {
    if (searchedAs[i] == i)
      continue;
    results[i] = results[searchedAs[i]];
    for (PmappingRow &r : results[i]) {
      r.view = tasks[i].view;
      r.templ = tasks[i].templ;
    }
    taskStats[i].pareto = results[i].size();
  }
  for (const TemplateSearchStats &s : taskStats) {
    out.stats.evaluatedPmappings += s.evaluated;
    out.stats.boundedSubtrees += s.bounded;
    out.stats.subtreesBoundedByUnfused += s.boundedByWholeMappings;
    out.stats.paretoPmappings += s.pareto;
  }
}

/// Per Einsum: one front over its views and templates, in task order, by
/// energy then latency.
model::Expected<std::vector<std::vector<PmappingRow>>>
MapRun::einsumFronts() const {
  std::vector<std::vector<PmappingRow>> fronts(workload.einsums.size());
  for (uint32_t e = 0; e < workload.einsums.size(); ++e) {
    const std::vector<uint32_t> &own = viewsOfEinsum[e];
    ParetoFront front(settings.metric);
    for (size_t i = 0; i < tasks.size(); ++i)
      if (std::find(own.begin(), own.end(), tasks[i].view) != own.end())
        for (const PmappingRow &r : results[i])
          front.insert(r);
    fronts[e] = front.takeByEnergy();
    if (fronts[e].empty()) {
      model::ModelError none;
      none.kind = model::ErrorKind::NoValidMapping;
      none.einsum = workload.einsums[e].name;
      none.message = "no valid mapping for Einsum '" + none.einsum + "'";
      if (stopped)
        none.message += fmt::format(" was found within the time limit of {:g} s",
                                    settings.timeLimit);
      return none;
    }
  }
  return fronts;
}

/// Totals add over Einsums, so the fronts are summed pairwise and
/// re-filtered. The totals keep the (energy, latency) trade-off whatever the
/// metric; the result is by energy then latency.
std::vector<Combination> MapRun::combineEinsums(
    const std::vector<std::vector<PmappingRow>> &fronts) const {
  std::vector<Combination> combos(1);
  for (const std::vector<PmappingRow> &rows : fronts) {
    ParetoFrontOf<Combination> next(Metric::EnergyDelayProduct);
    for (const Combination &c : combos)
      for (uint32_t r = 0; r < rows.size(); ++r) {
        Combination n = c;
        n.energy += rows[r].energy;
        n.latency += rows[r].latency;
        n.pick.push_back(r);
        next.insert(std::move(n));
      }
    combos = next.takeByEnergy();
  }
  return combos;
}

template <class Total>
size_t MapRun::keepFront(const std::vector<Total> &totals) {
  size_t best = 0;
  for (size_t i = 1; i < totals.size(); ++i)
    if (metricValue(settings.metric, totals[i].energy, totals[i].latency) <
        metricValue(settings.metric, totals[best].energy,
                    totals[best].latency))
      best = i;
  for (const Total &t : totals)
    out.front.push_back({t.energy, t.latency});
  return best;
}

EinsumChoice MapRun::choiceOf(uint32_t e, const PmappingRow &row) const {
  const ViewInfo &vi = views[row.view];
  const Template &tpl = vi.templates[row.templ];
  EinsumChoice choice;
  choice.einsum = workload.einsums[e].name;
  choice.templateDescription = describe(vi.view, tpl);
  choice.row = row;
  choice.mapping = TemplateCost(mp, vi.view, tpl).mapping(row.tileShapes);
  return choice;
}

/// The first combination minimising the metric, as one mapping with a
/// branch per Einsum, and (when asked) its detailed evaluation.
std::optional<model::ModelError>
MapRun::materialiseBest(std::vector<std::vector<PmappingRow>> fronts,
                        const std::vector<Combination> &combos) {
  AFC_INTERNAL_ASSERT(!combos.empty())
      << "every Einsum has a front, so some combination exists";
  size_t best = keepFront(combos);
  std::vector<model::MappingNode> branches;
  for (uint32_t e = 0; e < workload.einsums.size(); ++e) {
    EinsumChoice choice = choiceOf(e, fronts[e][combos[best].pick[e]]);
    branches.push_back(model::MappingNode::nested(choice.mapping.nodes));
    out.choices.push_back(std::move(choice));
  }
  if (branches.size() == 1)
    out.mapping.nodes = branches[0].children;
  else
    out.mapping.nodes.push_back(model::MappingNode::sequential(branches));
  out.energy = combos[best].energy;
  out.latency = combos[best].latency;
  out.objective = metricValue(settings.metric, out.energy, out.latency);
  out.einsumFronts = std::move(fronts);
  return evaluateDetailed(false);
}

/// Fusion: the best complete join, as one mapping whose Einsums share the
/// loops and tensors the join matched.
std::optional<model::ModelError>
MapRun::materialiseBestJoin(std::vector<std::vector<PmappingRow>> fronts) {
  bool joinStopped = false;
  JoinInput input{
      .fronts = &fronts,
      .view = [&](uint32_t v) -> const EinsumView & { return views[v].view; },
      .templ = [&](uint32_t v, uint32_t t) -> const Template & {
        return views[v].templates[t];
      },
      .deadline = deadline,
      .cancel = settings.cancel,
      .stopped = &joinStopped,
      .boundWidth = settings.joinBoundWidth};
  std::vector<JoinedMapping> joined = joinEinsums(mp, input);
  if (joinStopped) {
    // Out of time: the unfused rows (every shared tensor in the outermost
    // memory, no fused loop) combine without a join.
    out.stats.joinStopped = true;
    stopped = true;
    out.stats.complete = false;
    for (std::vector<PmappingRow> &rows : fronts) {
      std::erase_if(rows, [&](const PmappingRow &row) {
        const ViewInfo &vi = views[row.view];
        FusionLayout layout(mp, vi.view);
        PmappingFusion f;
        return !layout.describe(vi.templates[row.templ], row.tileShapes, f) ||
               !layout.unfused(f);
      });
      if (rows.empty()) {
        model::ModelError none;
        none.kind = model::ErrorKind::NoValidMapping;
        none.message = fmt::format(
            "no valid mapping was found within the time limit of {:g} s",
            settings.timeLimit);
        return none;
      }
    }
    std::vector<Combination> combos = combineEinsums(fronts);
    return materialiseBest(std::move(fronts), combos);
  }
  if (joined.empty()) {
    model::ModelError none;
    none.kind = model::ErrorKind::NoValidMapping;
    none.message = "no combination of the Einsums' mappings fits the "
                   "memories while they run one after another";
    return none;
  }
  const JoinedMapping &chosen = joined[keepFront(joined)];
  for (uint32_t e = 0; e < workload.einsums.size(); ++e)
    out.choices.push_back(choiceOf(e, fronts[e][chosen.pick[e]]));
  out.mapping = jointMapping(mp, input, chosen);
  out.stats.fusedEinsums = chosen.fusedEinsums;
  for (uint32_t t : chosen.onChipTensors)
    out.stats.onChipTensors.push_back(workload.tensors[t].name);
  out.energy = chosen.energy;
  out.latency = chosen.latency;
  out.objective = metricValue(settings.metric, out.energy, out.latency);
  out.einsumFronts = std::move(fronts);
  return evaluateDetailed(true);
}

/// The chosen mapping evaluated again with every breakdown. For a joined
/// mapping the model must agree with the join's totals and find every
/// memory within its size: anything else is a bug of the join.
std::optional<model::ModelError> MapRun::evaluateDetailed(bool fused) {
  if (!settings.detailedResult)
    return std::nullopt;
  model::EvaluateOptions detailed = mp.evaluateOptions;
  detailed.detailed = true;
  auto r = model::evaluate(mp.problem, out.mapping, detailed);
  if (!r) {
    AFC_INTERNAL_ASSERT(!fused)
        << "the model rejects the joined mapping: " << r.error().message;
    return r.error();
  }
  out.result = std::move(*r);
  if (fused) {
    auto close = [](double a, double b) {
      return std::abs(a - b) <= 1e-5 * std::max(std::abs(a), std::abs(b));
    };
    AFC_INTERNAL_ASSERT(close(out.result.energy, out.energy) &&
                        close(out.result.latency, out.latency))
        << "the joined mapping evaluates to " << out.result.energy << " J, "
        << out.result.latency << " s; the join summed " << out.energy
        << " J, " << out.latency << " s";
    for (const auto &u : out.result.resourceUsage)
      AFC_INTERNAL_ASSERT(u.usage <= 1 + 1e-9)
          << "the joined mapping overfills " << u.memory << " ("
          << u.usage << " of its size)";
  }
  return std::nullopt;
}

} // namespace

model::Expected<MapperResult> map(const MapperProblem &problem) {
  return MapRun(problem).run();
}

} // namespace afc::mapper
