//===- Mapper.h - the optimal mapper ------------------------------*- C++ -*-===//
//
// Finds the mapping of a workload onto an architecture that minimises a
// metric, exactly as the reference's mapper does for unfused mappings
// (mapper.md §13):
//
//   for each Einsum, each flattened architecture and each pmapping template
//   (Template.h), in parallel:
//       enumerate tile shapes (divisor chains, inner to outer) with capacity
//       and fanout pruning (TileShapes.h); cost each survivor with the
//       template's generated kernel or the model (TemplateCost.h); apply
//       the per-template min_usage "try best" rule (MinUsage.h); keep a
//       Pareto front (ParetoFront.h);
//   per Einsum, merge the template fronts;
//   combine the Einsums' fronts so the total is optimal for the metric
//   (for EDP, Pareto fronts of (energy, latency) are summed, then the
//   product is minimised).
//
// Determinism: large templates are split into a fixed number of pieces, and
// results are stored per (template, piece) and merged in that order, so the
// output does not depend on the thread count or the schedule. Ties
// (equal objectives) keep the first pmapping in enumeration order: Einsum,
// architecture, template, then tile-shape order (inner loops vary slowest,
// candidates ascending).
//
// Fusion: when Einsums share tensors (and `unfused` is off), each
// Einsum's fronts keep, per compatibility, every pmapping a later Einsum
// could need (Fusion.h), and the Einsums are joined left to right with
// exact capacity checks across them (Join.h) instead of being summed.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_MAPPER_MAPPER_H
#define AFC_MAPPER_MAPPER_H

#include "afc/mapper/Problem.h"
#include "afc/mapper/TileShapes.h"

#include <cstdint>
#include <string>
#include <vector>

namespace afc::mapper {

struct MapperStatistics {
  size_t templates = 0;
  /// Templates costed by a generated kernel.
  size_t kernelTemplates = 0;
  /// Templates the model rejects whatever the tile shapes (found while
  /// tracing them; not searched).
  size_t invalidTemplates = 0;
  /// Templates whose search would repeat another's exactly (an Einsum of
  /// the same shape on the same architecture, the same cost kernel): they
  /// take its rows instead of being searched.
  size_t repeatedTemplates = 0;
  /// False when the time limit stopped the search: the result is the best
  /// found, not proven optimal.
  bool complete = true;
  /// MapperSettings::cancel stopped the search: the result holds nothing
  /// but these statistics and must not be used.
  bool cancelled = false;
  /// Search pieces finished, of all (a stopped search leaves some).
  size_t piecesSearched = 0, pieces = 0;
  /// Fusion: whether the Einsums were joined with fused mappings in the
  /// space (they share tensors and the settings allow it), how many
  /// Einsums of the best mapping exchange a tensor kept below the outermost
  /// memory, and those tensors' names.
  bool fusionSearched = false;
  /// The time limit stopped the join of fused mappings: the result is the
  /// best unfused combination of what the search found (complete is false).
  bool joinStopped = false;
  size_t fusedEinsums = 0;
  std::vector<std::string> onChipTensors;
  /// Size of the factorisation space (closed form, mapper.md §4.7).
  double totalPmappings = 0;
  /// Tile shapes that reached a leaf of the search (passed capacity and
  /// fanout pruning) and were costed by the model.
  uint64_t evaluatedPmappings = 0;
  /// Partial tile shapes not walked because a row found before beats the
  /// lower bounds on every completion's cost (mapper.md §4.5).
  uint64_t boundedSubtrees = 0;
  /// Of those, the ones a whole mapping of the unfused search run first
  /// beats (MapperSettings::unfusedBoundTileShapes).
  uint64_t subtreesBoundedByUnfused = 0;
  /// Pmappings left after min_usage and the per-template Pareto filter.
  uint64_t paretoPmappings = 0;
  double seconds = 0;
  int threads = 0;
};

/// The pmapping chosen for one Einsum.
struct EinsumChoice {
  std::string einsum;
  std::string templateDescription;
  PmappingRow row;
  /// The Einsum's chain alone (storage, loops, compute).
  model::Mapping mapping;
};

/// A point of the final (energy, latency) Pareto front over whole mappings.
struct FrontPoint {
  double energy = 0, latency = 0;
};

struct MapperResult {
  /// The best mapping (printable, re-evaluable with model::evaluate).
  model::Mapping mapping;
  /// Its evaluation. Names view into MapperProblem::problem, which must
  /// outlive this result.
  model::Result result;
  double energy = 0, latency = 0;
  double objective = 0; ///< the metric's value
  std::vector<EinsumChoice> choices;
  std::vector<FrontPoint> front;
  MapperStatistics stats;
  /// Per Einsum: its merged Pareto front (for later fusion joins or DSE).
  std::vector<std::vector<PmappingRow>> einsumFronts;
};

/// The flattened architectures Einsum `einsum` is mapped onto: those naming
/// it, and those with an empty Einsum unless shadowed for the same compute
/// unit (model::Problem's lookup rule).
std::vector<const model::FlattenedArch *>
architecturesOf(const model::Problem &problem, const std::string &einsum);

/// Runs the search. Fails when the problem is inconsistent or some Einsum has
/// no valid mapping.
model::Expected<MapperResult> map(const MapperProblem &problem);

} // namespace afc::mapper

#endif // AFC_MAPPER_MAPPER_H
