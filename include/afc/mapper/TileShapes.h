//===- TileShapes.h - tile-shape search of one template -----------*- C++ -*-===//
//
// For one pmapping template, every loop gets a tile shape. Per rank variable
// the loops form a chain of divisors (perfect factorisation): the innermost
// loop has tile 1 and each loop's tile divides the next outer one's and the
// rank bound (mapper.md §4.4). The search visits loops from the innermost to
// the outermost; after each choice it checks capacity and spatial fanout with
// the not-yet-chosen outer tiles at their smallest feasible value (every
// occupancy and fanout only grows with outer tiles, so the pruning is exact).
//
// Each complete tile-shape vector is costed by TemplateCost (TemplateCost.h)
// and kept in a Pareto front per min_usage key, so the "try best" rule can
// be applied per template once the search is complete (MinUsage.h,
// mapper.md §13 item 5), before the template's own Pareto filter.
//
// A search runs in one explicit SearchMode: the min_usage shortcut is two
// searches of the same tree (collect usage keys, then cost the surviving
// ones), and a template whose surviving keys the model rejected is searched
// again costing everything. Large templates are split into pieces (tiles of
// their innermost loops) searched independently and merged in order.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_MAPPER_TILESHAPES_H
#define AFC_MAPPER_TILESHAPES_H

#include "afc/mapper/MinUsage.h"
#include "afc/mapper/ParetoFront.h"
#include "afc/mapper/Template.h"
#include "afc/mapper/TemplateCost.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <utility>
#include <vector>

namespace afc::mapper {

struct TemplateSearchStats {
  uint64_t evaluated = 0;
  uint64_t valid = 0;
  uint64_t pareto = 0;
  /// Partial tile shapes not walked: a row found before beat their bounds.
  uint64_t bounded = 0;
  /// Of those, the ones a whole mapping found before beat
  /// (PieceRequest::knownMappings).
  uint64_t boundedByWholeMappings = 0;
  /// Partial tile shapes not walked: no usage key the min_usage rule keeps
  /// was within reach of their spatial bounds any more.
  uint64_t outOfUsageReach = 0;

  /// Adds another search's counts (a piece's, or a redo's).
  TemplateSearchStats &operator+=(const TemplateSearchStats &o) {
    evaluated += o.evaluated;
    valid += o.valid;
    pareto += o.pareto;
    bounded += o.bounded;
    boundedByWholeMappings += o.boundedByWholeMappings;
    outOfUsageReach += o.outOfUsageReach;
    return *this;
  }
};

/// What a search of tile shapes does at each feasible leaf.
enum class SearchMode : uint8_t {
  /// Pass 1 of the min_usage shortcut: record the leaf's usage key; nothing
  /// is costed.
  CollectUsageKeys,
  /// Cost every leaf (the brute force, and the redo of a template whose
  /// surviving keys the model rejected).
  CostAll,
  /// Pass 2 of the shortcut: cost only leaves whose usage key is one of
  /// PieceRequest::survivingKeys, and cut subtrees whose known usages match
  /// none of them.
  CostSurvivingKeys,
};

/// One piece of a template's search.
struct PieceRequest {
  const EinsumView &view;
  const Template &tpl;
  SearchMode mode = SearchMode::CostAll;
  /// Tiles of the innermost loops (a splitTemplate prefix); empty = the
  /// whole template.
  std::span<const int64_t> prefix = {};
  /// The piece's position in its template: orders rows across pieces.
  uint32_t piece = 0;
  /// Copied into the rows.
  uint32_t viewIndex = 0, templIndex = 0;
  /// CostSurvivingKeys: the keys the min_usage rule keeps.
  const UsageKeys *survivingKeys = nullptr;
  /// CostSurvivingKeys: surviving keys of which the template is known to
  /// have a row the model accepts (a probe found one). The piece need not
  /// find a row of its own for them before it cuts subtrees on cost.
  const UsageKeys *witnessedKeys = nullptr;
  /// Costs candidates instead of the model when given.
  const TemplateKernel *kernel = nullptr;
  /// Fusion: the memories whose use rows minimise (FusionLayout::
  /// paretoColumns); null = every memory of finite size.
  const std::vector<std::string> *jointMemories = nullptr;
  /// (energy, latency) of whole mappings already found (the unfused
  /// optimum's front): a partial tile shape whose completions all have more
  /// of both, even with the other Einsums costing nothing, is skipped.
  const std::vector<std::pair<double, double>> *knownMappings = nullptr;
  /// Only the metric's optimum matters, not the whole (energy, latency)
  /// front: the workload has one Einsum, whose best row is the answer. A
  /// partial tile shape whose every completion has a larger metric than a
  /// row found before is then skipped, though that row may not dominate it.
  bool optimumOnly = false;
  /// optimumOnly: the metric of a row known to be among the answer's
  /// candidates (found by a probe), against which the walk prunes from its
  /// first node.
  double incumbent = std::numeric_limits<double>::infinity();
  /// Unfused: (energy, latency) of rows of the same Einsum a probe found,
  /// which will be among its candidates. A partial tile shape whose every
  /// completion has more energy than one of them and no less latency is
  /// not on the Einsum's front, whatever template it is of, and is skipped.
  const std::vector<std::pair<double, double>> *einsumRows = nullptr;
  /// A probe (> 0; MapRun::probe): walks each loop's tile shapes from the
  /// largest and stops after costing this many leaves. Its rows are real
  /// rows, whose best metric (PieceResult::bestMetric) and whose energy
  /// and latency prune the search that follows.
  uint64_t probeLeaves = 0;
  /// Stop walking when this time has passed (the mapper's time limit); the
  /// result then holds what was found so far and says it stopped.
  std::optional<std::chrono::steady_clock::time_point> deadline = {};
  /// Stop walking, as at the deadline, once this is true (checked as often
  /// as the clock); null: never.
  const std::atomic<bool> *cancel = nullptr;
};

/// What a piece's search found.
struct PieceResult {
  /// Costing modes: the rows, a Pareto front per usage key.
  PartialMap rows;
  /// CollectUsageKeys: the usage keys of every feasible tile shape.
  UsageKeys keys;
  TemplateSearchStats stats;
  /// The deadline passed before the walk was complete.
  bool stopped = false;
  /// optimumOnly: the least metric of a row costed (infinity: none).
  double bestMetric = std::numeric_limits<double>::infinity();
};

/// Splits a template's search into pieces for parallel workers: the feasible
/// tile shapes of the innermost loops (at least `minPieces` when possible),
/// in search order. Searching every piece and merging them in this order
/// (finishTemplate) gives exactly the sequential result.
std::vector<std::vector<int64_t>>
splitTemplate(const MapperProblem &problem, const EinsumView &view,
              const Template &tpl, model::Evaluator &evaluator,
              size_t minPieces);

/// Pass 1 of the min_usage shortcut without walking the tile shapes: the
/// usage keys of every feasible tile shape of the template, the same set a
/// CollectUsageKeys search of all its pieces finds. A key depends only on
/// the spatial loops' bounds, and occupancy only grows with tiles, so each
/// assignment of spatial bounds is feasible exactly when its smallest
/// completion is (every temporal loop but the outermost of its rank
/// iterating once). Enumerating spatial bounds costs a few hundred checks
/// where the walk costs millions on large arrays. nullopt where that
/// argument does not hold (imperfect factors, tiling coarseness, loop-bound
/// comparisons, a limit on spatial loops): search the pieces then.
std::optional<UsageKeys> feasibleUsageKeys(const MapperProblem &problem,
                                           const EinsumView &view,
                                           const Template &tpl,
                                           model::Evaluator &evaluator);

/// Searches the completions of one piece in the request's mode. A template
/// its kernel found invalid has no rows.
PieceResult searchPiece(const MapperProblem &problem,
                        const PieceRequest &request,
                        model::Evaluator &evaluator);

/// Merges a template's pieces in order, applies the min_usage "try best"
/// rule and the Pareto filter; rows in enumeration order.
std::vector<PmappingRow> finishTemplate(const MapperProblem &problem,
                                        const EinsumView &view,
                                        std::vector<PartialMap> pieces,
                                        TemplateSearchStats &stats);

/// Searches one template sequentially, as map() does (with the min_usage
/// shortcut when the settings ask for it); returns its Pareto rows (after
/// min_usage), in enumeration order. `viewIndex` / `templIndex` are copied
/// into the rows.
std::vector<PmappingRow> searchTemplate(const MapperProblem &problem,
                                        const EinsumView &view,
                                        const Template &tpl,
                                        model::Evaluator &evaluator,
                                        uint32_t viewIndex, uint32_t templIndex,
                                        TemplateSearchStats &stats,
                                        const TemplateKernel *kernel = nullptr);

} // namespace afc::mapper

#endif // AFC_MAPPER_TILESHAPES_H
