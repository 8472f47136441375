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
// Each complete tile-shape vector is costed by TemplateCost: the template's
// generated kernel (MapperSettings::templateKernels: the model traced once
// with the tile shapes as symbols, then compiled), given the tile shapes and
// the design point (capacities, energies, throughputs); or, without one, the
// model itself on a prepared model::Mapping. Both give the model's numbers
// bit for bit (differential tests).
//
// Rows are kept per min_usage key (the usage of each dimension with a
// min_usage), so the "try best" rule can be applied per template once the
// search is complete (mapper.md §13 item 5), then Pareto-filtered.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_MAPPER_TILESHAPES_H
#define AFC_MAPPER_TILESHAPES_H

#include "afc/mapper/Template.h"

#include <cstdint>
#include <map>
#include <set>
#include <span>
#include <vector>

namespace afc::mapper {

/// One pmapping: a template plus tile shapes, with the columns later stages
/// need (objectives, and per-memory usage for a fusion join).
struct PmappingRow {
  double energy = 0;
  double latency = 0;
  /// Per arch node of the view: occupancy / size (0 for non-memories).
  std::vector<double> memoryUsage;
  /// Tile shape of every loop of the template, outermost loop first.
  std::vector<int64_t> tileShapes;
  uint32_t view = 0;     ///< index of the (Einsum, architecture) view
  uint32_t templ = 0;    ///< template index within the view
  uint64_t sequence = 0; ///< enumeration order, the tie-break
};

/// Objectives per metric: (energy), (latency) or (energy, latency).
int objectiveCount(Metric metric);
void objectives(Metric metric, const PmappingRow &row, double *out);

/// A Pareto front under `metric`'s objectives. Insertion keeps the first of
/// equal rows, so the result depends only on insertion order.
class ParetoFront {
public:
  explicit ParetoFront(Metric metric) : metric(metric) {}
  /// Returns whether the row was kept.
  bool insert(PmappingRow row);
  /// Would a row with these objectives be kept?
  bool wouldKeep(const double *obj) const;
  const std::vector<PmappingRow> &rows() const { return front; }
  std::vector<PmappingRow> take() { return std::move(front); }

private:
  Metric metric;
  std::vector<PmappingRow> front;
};

/// Costs complete tile-shape vectors of one template.
class TemplateCost {
public:
  /// With a kernel, only evaluate() is available (no mapping is built).
  TemplateCost(const MapperProblem &problem, const EinsumView &view,
               const Template &tpl, const TemplateKernel *kernel = nullptr);
  /// The template as a mapping with the given tile shapes (one per loop).
  model::Mapping mapping(std::span<const int64_t> tileShapes) const;
  /// The template as a mapping (tile shapes 1) and its loops, in the order
  /// of tile-shape vectors: what a TemplateKernelFactory traces.
  const model::Mapping &structure() const { return prepared; }
  std::vector<const model::MappingNode *> loops() const;
  /// Energy and latency of the tile shapes; false when the model rejects the
  /// mapping.
  bool evaluate(std::span<const int64_t> tileShapes, model::Evaluator &eval,
                model::Result &scratch, double &energy, double &latency);

private:
  model::Mapping prepared;
  std::vector<size_t> loopNodes; ///< indices of loops in prepared.nodes
  const TemplateKernel *kernel;
  std::vector<double> pointArgs, tileArgs;
};

struct TemplateSearchStats {
  uint64_t evaluated = 0;
  uint64_t valid = 0;
  uint64_t pareto = 0;
};

/// Rows of a partial search, per min_usage key (the usage of each dimension
/// with a min_usage, in EinsumView::dims order); each bucket is a Pareto
/// front.
using PartialMap = std::map<std::vector<double>, std::vector<PmappingRow>>;
using UsageKeys = std::set<std::vector<double>>;

/// Whether some spatial dimension of the view has a min_usage.
bool hasMinUsage(const EinsumView &view);
/// The min_usage "try best" rule on a set of usage keys: per constrained
/// dimension in order, keep the keys reaching min_usage if any do, else the
/// keys with the highest usage.
UsageKeys survivingKeys(const EinsumView &view, const UsageKeys &keys);
/// The usage keys of every feasible tile shape of one piece, without costing
/// anything (pass 1 of the min_usage shortcut: only tile shapes whose key
/// survives need the model).
UsageKeys pieceUsageKeys(const MapperProblem &problem, const EinsumView &view,
                         const Template &tpl, model::Evaluator &evaluator,
                         const std::vector<int64_t> &prefix);

/// Splits a template's search into pieces for parallel workers: the feasible
/// tile shapes of the innermost loops (at least `minPieces` when possible),
/// in search order. Searching every piece and merging them in this order
/// (finishTemplate) gives exactly the sequential result.
std::vector<std::vector<int64_t>>
splitTemplate(const MapperProblem &problem, const EinsumView &view,
              const Template &tpl, model::Evaluator &evaluator,
              size_t minPieces);

/// Searches the completions of one piece (`prefix` = tiles of the innermost
/// loops; empty = the whole template). `piece` orders the rows. With
/// `allowedKeys`, tile shapes whose usage key is not in it are skipped.
/// With `kernel`, candidates are costed by it instead of the model.
PartialMap searchPiece(const MapperProblem &problem, const EinsumView &view,
                       const Template &tpl, model::Evaluator &evaluator,
                       uint32_t viewIndex, uint32_t templIndex,
                       const std::vector<int64_t> &prefix, uint32_t piece,
                       TemplateSearchStats &stats,
                       const UsageKeys *allowedKeys,
                       const TemplateKernel *kernel = nullptr);

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
