//===- Mapper.cpp - the optimal mapper driver ------------------------------===//
//
// Builds the (Einsum, architecture) views and their templates, searches the
// templates in parallel (TBB), merges fronts per Einsum in a fixed order and
// combines the Einsums for the metric. See Mapper.h.
//
//===----------------------------------------------------------------------===//

#include "afc/mapper/Mapper.h"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/global_control.h>

#include <atomic>
#include <tbb/info.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

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

/// Total of a combination of per-Einsum rows.
struct Combination {
  double energy = 0, latency = 0;
  std::vector<uint32_t> pick; ///< row index per Einsum
};

} // namespace

model::Expected<MapperResult> map(const MapperProblem &mp) {
  auto start = std::chrono::steady_clock::now();
  const model::Workload &w = mp.problem.workload;
  const MapperSettings &settings = mp.settings;

  // Views and templates, per Einsum in workload order.
  struct ViewInfo {
    EinsumView view;
    std::vector<Template> templates;
  };
  std::vector<ViewInfo> views;
  std::vector<std::vector<uint32_t>> viewsOfEinsum(w.einsums.size());
  for (uint32_t e = 0; e < w.einsums.size(); ++e) {
    const EinsumRules *rules = mp.rulesFor(w.einsums[e].name);
    auto archs = architecturesOf(mp.problem, w.einsums[e].name);
    if (archs.empty())
      return problemError("no architecture for Einsum '" + w.einsums[e].name +
                          "'");
    for (const model::FlattenedArch *a : archs) {
      ViewInfo vi;
      vi.view = makeEinsumView(mp, e, *a);
      vi.templates = enumerateTemplates(mp, vi.view, rules);
      viewsOfEinsum[e].push_back(uint32_t(views.size()));
      views.push_back(std::move(vi));
    }
  }

  MapperResult out;
  struct Task {
    uint32_t view, templ;
    double size;
  };
  std::vector<Task> tasks;
  for (uint32_t v = 0; v < views.size(); ++v)
    for (uint32_t t = 0; t < views[v].templates.size(); ++t) {
      double size = countTileShapes(views[v].view, views[v].templates[t]);
      out.stats.totalPmappings += size;
      tasks.push_back({v, t, size});
    }
  out.stats.templates = tasks.size();
  const model::EvaluateOptions inner = mp.costingOptions();
  int threads = settings.threads > 0 ? settings.threads
                                     : tbb::info::default_concurrency();
  out.stats.threads = threads;

  // Large templates are split into pieces (tile shapes of their innermost
  // loops) so that workers stay busy; pieces are merged back in order, so
  // the split never changes the answer.
  struct Piece {
    size_t task;
    uint32_t index;
    std::vector<int64_t> prefix;
  };
  std::vector<std::vector<Piece>> piecesOf(tasks.size());
  std::vector<TemplateSearchStats> taskStats(tasks.size());
  std::vector<std::vector<PmappingRow>> results(tasks.size());
  // Generated kernels, one per template, compiled together.
  std::vector<std::shared_ptr<const TemplateKernel>> kernels(tasks.size());
  if (settings.templateKernels) {
    std::vector<TemplateCost> structures;
    std::vector<TemplateStructure> request;
    structures.reserve(tasks.size());
    for (const Task &t : tasks)
      structures.emplace_back(mp, views[t.view].view,
                              views[t.view].templates[t.templ]);
    for (const TemplateCost &c : structures)
      request.push_back({&c.structure(), c.loops()});
    model::Evaluator tracer(mp.problem, inner);
    kernels = settings.templateKernels(tracer, request);
    kernels.resize(tasks.size());
  }
  tbb::task_arena arena(threads);
  arena.execute([&] {
    tbb::enumerable_thread_specific<model::Evaluator> evaluators(
        [&] { return model::Evaluator(mp.problem, inner); });
    tbb::parallel_for(size_t(0), tasks.size(), [&](size_t i) {
      const Task &t = tasks[i];
      const ViewInfo &vi = views[t.view];
      if (t.size < kSplitThreshold) {
        piecesOf[i].push_back({i, 0, {}});
        return;
      }
      std::vector<std::vector<int64_t>> prefixes =
          splitTemplate(mp, vi.view, vi.templates[t.templ],
                        evaluators.local(), kMinPieces);
      for (size_t k = 0; k < prefixes.size(); ++k)
        piecesOf[i].push_back({i, uint32_t(k), std::move(prefixes[k])});
    });

    // Largest templates first against stragglers; results are stored by
    // piece, so the schedule never affects the answer.
    std::vector<const Piece *> schedule;
    std::vector<size_t> order(tasks.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return tasks[a].size > tasks[b].size;
    });
    for (size_t i : order)
      for (const Piece &pc : piecesOf[i])
        schedule.push_back(&pc);
    // min_usage shortcut, pass 1: the usage keys of every feasible tile
    // shape (no model calls). Only tile shapes whose key survives the
    // per-template "try best" rule are costed in pass 2.
    std::vector<UsageKeys> pieceKeys(schedule.size());
    std::vector<uint8_t> shortcut(tasks.size(), 0);
    for (size_t i = 0; i < tasks.size(); ++i)
      shortcut[i] = usesMinUsageShortcut(settings, views[tasks[i].view].view,
                                         kernels[i].get());
    tbb::parallel_for(
        tbb::blocked_range<size_t>(0, schedule.size(), 1),
        [&](const tbb::blocked_range<size_t> &range) {
          for (size_t s = range.begin(); s != range.end(); ++s) {
            const Piece &pc = *schedule[s];
            if (!shortcut[pc.task])
              continue;
            const Task &t = tasks[pc.task];
            const ViewInfo &vi = views[t.view];
            PieceRequest request{.view = vi.view,
                                 .tpl = vi.templates[t.templ],
                                 .mode = SearchMode::CollectUsageKeys,
                                 .prefix = pc.prefix};
            pieceKeys[s] = searchPiece(mp, request, evaluators.local()).keys;
          }
        });
    std::vector<UsageKeys> allowed(tasks.size());
    {
      std::vector<UsageKeys> all(tasks.size());
      for (size_t s = 0; s < schedule.size(); ++s)
        all[schedule[s]->task].insert(pieceKeys[s].begin(),
                                      pieceKeys[s].end());
      for (size_t i = 0; i < tasks.size(); ++i)
        if (shortcut[i])
          allowed[i] = survivingKeys(views[tasks[i].view].view, all[i]);
    }

    std::vector<PartialMap> partial(schedule.size());
    std::vector<TemplateSearchStats> pieceStats(schedule.size());
    std::atomic<size_t> piecesDone{0};
    auto runPieces = [&](const std::vector<size_t> &which, bool useKeys) {
      tbb::parallel_for(
          tbb::blocked_range<size_t>(0, which.size(), 1),
          [&](const tbb::blocked_range<size_t> &range) {
            for (size_t w = range.begin(); w != range.end(); ++w) {
              size_t s = which[w];
              const Piece &pc = *schedule[s];
              const Task &t = tasks[pc.task];
              const ViewInfo &vi = views[t.view];
              bool onlySurviving = useKeys && shortcut[pc.task];
              PieceRequest request{
                  .view = vi.view,
                  .tpl = vi.templates[t.templ],
                  .mode = onlySurviving ? SearchMode::CostSurvivingKeys
                                        : SearchMode::CostAll,
                  .prefix = pc.prefix,
                  .piece = pc.index,
                  .viewIndex = t.view,
                  .templIndex = t.templ,
                  .survivingKeys = onlySurviving ? &allowed[pc.task] : nullptr,
                  .kernel = kernels[pc.task].get()};
              PieceResult found = searchPiece(mp, request, evaluators.local());
              partial[s] = std::move(found.rows);
              pieceStats[s] = found.stats;
              if (settings.onProgress)
                settings.onProgress(++piecesDone, schedule.size());
            }
          });
    };
    std::vector<size_t> everyPiece(schedule.size());
    std::iota(everyPiece.begin(), everyPiece.end(), 0);
    runPieces(everyPiece, true);
    // The model may reject tile shapes the capacity and fanout checks
    // accept; if a surviving key is left without a valid row, the shortcut
    // might differ from the rule, so that template is searched in full.
    std::vector<std::vector<PartialMap>> piecesOfTask(tasks.size());
    for (size_t s = 0; s < schedule.size(); ++s)
      piecesOfTask[schedule[s]->task].push_back(partial[s]);
    std::vector<uint8_t> redo(tasks.size(), 0);
    for (size_t i = 0; i < tasks.size(); ++i)
      redo[i] = shortcut[i] && usageKeysLost(allowed[i], piecesOfTask[i]);
    std::vector<size_t> again;
    for (size_t s = 0; s < schedule.size(); ++s)
      if (redo[schedule[s]->task])
        again.push_back(s);
    runPieces(again, false);

    // Gather each template's pieces in piece order and finish it.
    std::vector<std::vector<PartialMap>> gathered(tasks.size());
    for (size_t i = 0; i < tasks.size(); ++i)
      gathered[i].resize(piecesOf[i].size());
    for (size_t s = 0; s < schedule.size(); ++s) {
      const Piece &pc = *schedule[s];
      gathered[pc.task][pc.index] = std::move(partial[s]);
      taskStats[pc.task].evaluated += pieceStats[s].evaluated;
      taskStats[pc.task].valid += pieceStats[s].valid;
    }
    tbb::parallel_for(size_t(0), tasks.size(), [&](size_t i) {
      const ViewInfo &vi = views[tasks[i].view];
      results[i] =
          finishTemplate(mp, vi.view, std::move(gathered[i]), taskStats[i]);
    });
  });
  for (const std::shared_ptr<const TemplateKernel> &k : kernels) {
    out.stats.kernelTemplates += k && k->invalid.empty();
    out.stats.invalidTemplates += k && !k->invalid.empty();
  }
  for (const TemplateSearchStats &s : taskStats) {
    out.stats.evaluatedPmappings += s.evaluated;
    out.stats.paretoPmappings += s.pareto;
  }

  // Per Einsum: one front over its views and templates, in task order.
  std::vector<std::vector<PmappingRow>> fronts(w.einsums.size());
  for (uint32_t e = 0; e < w.einsums.size(); ++e) {
    ParetoFront front(settings.metric);
    for (size_t i = 0; i < tasks.size(); ++i)
      if (std::find(viewsOfEinsum[e].begin(), viewsOfEinsum[e].end(),
                    tasks[i].view) != viewsOfEinsum[e].end())
        for (const PmappingRow &r : results[i])
          front.insert(r);
    // Deterministic order: by energy, then latency, then enumeration.
    fronts[e] = front.takeByEnergy();
    if (fronts[e].empty())
      return problemError("no valid mapping for Einsum '" + w.einsums[e].name +
                          "'");
  }

  // Combine Einsums: totals add, so sum the fronts pairwise and re-Pareto.
  std::vector<Combination> combos(1);
  for (uint32_t e = 0; e < w.einsums.size(); ++e) {
    // The totals keep the (energy, latency) trade-off whatever the metric.
    ParetoFrontOf<Combination> next(Metric::EnergyDelayProduct);
    for (const Combination &c : combos)
      for (uint32_t r = 0; r < fronts[e].size(); ++r) {
        Combination n = c;
        n.energy += fronts[e][r].energy;
        n.latency += fronts[e][r].latency;
        n.pick.push_back(r);
        next.insert(std::move(n));
      }
    combos = next.takeByEnergy();
  }
  size_t best = 0;
  for (size_t i = 1; i < combos.size(); ++i)
    if (metricValue(settings.metric, combos[i].energy, combos[i].latency) <
        metricValue(settings.metric, combos[best].energy,
                    combos[best].latency))
      best = i;
  for (const Combination &c : combos)
    out.front.push_back({c.energy, c.latency});

  // The chosen mapping: one branch per Einsum.
  std::vector<model::MappingNode> branches;
  for (uint32_t e = 0; e < w.einsums.size(); ++e) {
    const PmappingRow &row = fronts[e][combos[best].pick[e]];
    const ViewInfo &vi = views[row.view];
    const Template &tpl = vi.templates[row.templ];
    EinsumChoice choice;
    choice.einsum = w.einsums[e].name;
    choice.templateDescription = describe(vi.view, tpl);
    choice.row = row;
    choice.mapping = TemplateCost(mp, vi.view, tpl).mapping(row.tileShapes);
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

  if (settings.detailedResult) {
    model::EvaluateOptions detailed = mp.evaluateOptions;
    detailed.detailed = true;
    auto r = model::evaluate(mp.problem, out.mapping, detailed);
    if (!r)
      return r.error();
    out.result = std::move(*r);
  }
  out.stats.seconds = std::chrono::duration<double>(
                          std::chrono::steady_clock::now() - start)
                          .count();
  return out;
}

} // namespace afc::mapper
