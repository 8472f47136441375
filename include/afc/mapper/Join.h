//===- Join.h - joining per-Einsum pmappings into fused mappings --*- C++ -*-===//
//
// The second phase of the mapper (mapper.md §7): the pmappings of each
// Einsum are joined left to right, in workload order. A partial mapping
// (the first Einsums) can take a pmapping of the next Einsum only where
// their compatibilities agree: every tensor still live (used by a later
// Einsum) is kept in the same memory under the same fused loops, and the
// next Einsum runs inside the loops above those tensors, which it shares
// with the previous one (equal rank variable and tile shape).
//
// Capacity follows the model's whole-mapping usage (model.md §6,
// ResourceUsage.cpp): while an Einsum runs, a memory holds its own
// reservations, those other Einsums made above the loops they share with
// it, and every fusable tensor kept there between its first and last user;
// a tensor counts once. The join tracks, per Einsum still inside shared
// loops, its peak so far, and rejects a partial mapping as soon as a peak
// exceeds a memory's size. Partial mappings are kept in Pareto fronts per
// group (what later Einsums can still see of them: the open fused loops,
// the live tensors, the Einsums still inside shared loops and what they
// reserve above them), minimising energy, latency and those peaks, so the
// result is the optimum over every combination of the per-Einsum fronts.
//
// Two things keep that tractable on transformer layers, where the partial
// mappings after the Q, K and V projections run into millions:
//  * partial mappings that expose the same compatibility to the next
//    Einsum (open loops, where its live inputs are kept) look up the rows
//    they can take once, instead of testing every row;
//  * a narrow join first keeps only the best few partial mappings per
//    Einsum by a lower bound on the metric; its complete mappings are real,
//    and the exact join drops any partial mapping whose energy and latency,
//    plus the least the remaining Einsums can add, are both strictly above
//    one of them. Energy and latency only grow with each Einsum, so no
//    dropped partial mapping could have reached the front or the optimum.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_MAPPER_JOIN_H
#define AFC_MAPPER_JOIN_H

#include "afc/mapper/ParetoFront.h"

#include <atomic>
#include "afc/mapper/Template.h"

#include <chrono>
#include <functional>
#include <optional>
#include <vector>

namespace afc::mapper {

/// Where each Einsum's pmappings come from: its rows, and the view and
/// template of each row.
struct JoinInput {
  /// Per Einsum in workload order: its Pareto rows.
  const std::vector<std::vector<PmappingRow>> *fronts = nullptr;
  std::function<const EinsumView &(uint32_t view)> view;
  std::function<const Template &(uint32_t view, uint32_t templ)> templ;
  /// The join gives up when this time has passed (the mapper's time limit)
  /// and sets *stopped; its result is then empty.
  std::optional<std::chrono::steady_clock::time_point> deadline;
  /// Stops the join as the deadline does once true; null: never.
  const std::atomic<bool> *cancel = nullptr;
  bool *stopped = nullptr;
  /// Partial mappings per Einsum of the narrow join whose complete
  /// mappings bound the exact one (MapperSettings::joinBoundWidth); 0: no
  /// narrow join.
  size_t boundWidth = 0;
};

/// One complete fused mapping: a row per Einsum and, per pair of
/// consecutive Einsums, how many fused loops they share.
struct JoinedMapping {
  double energy = 0, latency = 0;
  std::vector<uint32_t> pick;
  std::vector<int> sharedLoops;
  /// Workload tensors kept below the outermost memory between Einsums
  /// (fused intermediates), and the Einsums that exchange them.
  std::vector<uint32_t> onChipTensors;
  size_t fusedEinsums = 0;
  /// Einsums keeping a shared tensor on chip: among equal totals the
  /// lowest wins.
  uint32_t tieRank = 0;
};

/// The (energy, latency) Pareto front of complete mappings, by energy then
/// latency. Empty when no combination fits the memories.
std::vector<JoinedMapping> joinEinsums(const MapperProblem &problem,
                                       const JoinInput &input);

/// The mapping of a join: the tensors and loops Einsums share above a
/// `sequential` of their own chains, recursively.
model::Mapping jointMapping(const MapperProblem &problem,
                            const JoinInput &input,
                            const JoinedMapping &joined);

} // namespace afc::mapper

#endif // AFC_MAPPER_JOIN_H
