//===- BuffetStats.h - what the reuse analysis counts per buffet -*- C++
//-*-===//
//
// Internal to afcModel. A buffet is one tensor in one component (model.md
// §5.1). The reuse analysis builds its statistics bottom-up: the traffic
// with its parent (fills, write-backs, first reads it can skip), its own
// read and write actions, and the occupancy measured at its reservation.
//
// Loops above a buffet scale these statistics, and a loop with several tile
// shapes (imperfect factorisation, initial tiles) combines them. Which
// statistic scales or combines how depends only on what it counts, so each
// field is described once in a table (kBuffetFields) and every operation
// walks that table.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_RUNTIME_MODEL_BUFFETSTATS_H
#define AFC_RUNTIME_MODEL_BUFFETSTATS_H

#include "SymbolicNumber.h"

#include <array>
#include <cstddef>
#include <utility>

namespace afc::model::detail {

/// Per-buffet statistics, in values (occupancy in bits).
template <class S> struct BuffetStatsT {
  // Traffic with the parent.
  S totalReadsToParent = 0;
  S totalWritesToParent = 0;
  S maxPerParentReadsToParent = 0;
  S maxPerParentWritesToParent = 0;
  S totalSkippedFirstReadsToParent = 0;
  S minPerParentSkippedFirstReadsToParent = 0;
  // This level's actions.
  S totalReadActions = 0;
  S maxPerUnitReadActions = 0;
  S totalWriteActions = 0;
  S maxPerUnitWriteActions = 0;
  S totalSkippedFirstReadActions = 0;
  S minPerUnitSkippedFirstReadActions = 0;
  S totalSkippedFirstWriteActions = 0;
  S minPerUnitSkippedFirstWriteActions = 0;
  // Capacity.
  S maxOccupancy = 0; ///< bits
  int nLoopsAbove = 0;
  bool persistent = false;
};

/// What a counted field measures, which decides how loops act on it.
struct BuffetField {
  /// Traffic with the parent (shared by spatial instances when the parent
  /// multicasts or reduces), or this level's own actions.
  bool parentTraffic;
  /// A whole-level total (sums), or a per-instance maximum / minimum (kept
  /// per instance by spatial loops).
  enum Combine : uint8_t { Total, Max, Min } combine;
  /// Counts skipped first accesses: these happen once per distinct tile, so
  /// only loops that index the tensor repeat them.
  bool firstAccess;
};

/// Every counted field of BuffetStatsT (occupancy aside), with its meaning.
template <class S> struct BuffetFieldTable {
  using Member = S BuffetStatsT<S>::*;
  struct Entry {
    Member member;
    BuffetField field;
  };
  using B = BuffetStatsT<S>;
  static constexpr BuffetField::Combine T = BuffetField::Total,
                                        X = BuffetField::Max,
                                        N = BuffetField::Min;
  static constexpr std::array<Entry, 14> entries{{
      {&B::totalReadsToParent, {true, T, false}},
      {&B::totalWritesToParent, {true, T, false}},
      {&B::maxPerParentReadsToParent, {true, X, false}},
      {&B::maxPerParentWritesToParent, {true, X, false}},
      {&B::totalSkippedFirstReadsToParent, {true, T, true}},
      {&B::minPerParentSkippedFirstReadsToParent, {true, N, true}},
      {&B::totalReadActions, {false, T, false}},
      {&B::maxPerUnitReadActions, {false, X, false}},
      {&B::totalWriteActions, {false, T, false}},
      {&B::maxPerUnitWriteActions, {false, X, false}},
      {&B::totalSkippedFirstReadActions, {false, T, true}},
      {&B::minPerUnitSkippedFirstReadActions, {false, N, true}},
      {&B::totalSkippedFirstWriteActions, {false, T, true}},
      {&B::minPerUnitSkippedFirstWriteActions, {false, N, true}},
  }};
};

/// Calls `f(member, field)` for every entry of the table. Expanded at compile
/// time so that each field's treatment is a constant (this is the model's
/// innermost loop).
template <class S, class F> void forEachBuffetField(F &&f) {
  using Table = BuffetFieldTable<S>;
  [&]<size_t... I>(std::index_sequence<I...>) {
    (f(std::integral_constant<typename Table::Member,
                              Table::entries[I].member>{},
       std::integral_constant<BuffetField, Table::entries[I].field>{}),
     ...);
  }
  (std::make_index_sequence<Table::entries.size()>{});
}

/// A temporal loop of `r` iterations above the buffet. First-access credits
/// repeat only over loops that index the tensor (`relevant`).
template <class S>
void repeatTemporal(BuffetStatsT<S> &s, const S &r, bool relevant) {
  forEachBuffetField<S>([&](auto member, auto field) {
    if (relevant || !decltype(field)::value.firstAccess)
      s.*decltype(member)::value *= r;
  });
}

/// A spatial loop of `r` instances above the buffet. Per-instance maxima and
/// minima stay per instance; parent traffic is shared by all instances when
/// the parent multicasts (inputs) or reduces (outputs) across the dimension
/// (`reuseParent`).
template <class S>
void repeatSpatial(BuffetStatsT<S> &s, const S &r, bool reuseParent) {
  forEachBuffetField<S>([&](auto member, auto field) {
    bool scales = decltype(field)::value.parentTraffic
                      ? !reuseParent
                      : decltype(field)::value.combine == BuffetField::Total;
    if (scales)
      s.*decltype(member)::value *= r;
  });
}

/// The reference's `+=` of two statistics (a loop's body analysed for
/// several tile shapes): totals add, maxima and minima combine ignoring
/// zeros ("nothing recorded yet").
template <class S>
void accumulate(BuffetStatsT<S> &into, const BuffetStatsT<S> &s) {
  forEachBuffetField<S>([&](auto member, auto field) {
    S &a = into.*decltype(member)::value;
    const S &b = s.*decltype(member)::value;
    if constexpr (decltype(field)::value.combine == BuffetField::Total)
      a += b;
    else if constexpr (decltype(field)::value.combine == BuffetField::Max)
      a = maxNonzero(a, b);
    else
      a = minNonzero(a, b);
  });
  into.maxOccupancy = maxNonzero(into.maxOccupancy, s.maxOccupancy);
}

/// Copy Einsums merge the buffets of one level with "min, zero wins": a copy
/// between two tensors kept in the same memory costs nothing (model.md §5.7).
template <class S>
void mergeCopy(BuffetStatsT<S> &into, const BuffetStatsT<S> &s) {
  forEachBuffetField<S>([&](auto member, auto) {
    into.*decltype(member)::value =
        minTakeZero(into.*decltype(member)::value, s.*decltype(member)::value);
  });
  into.maxOccupancy = minTakeZero(into.maxOccupancy, s.maxOccupancy);
  into.persistent = into.persistent || s.persistent;
}

/// What the compute-only pass counts.
template <class S> struct ComputeStatsT {
  S totalOps = 0;
  S maxPerUnitOps = 0;
  S maxLatency = 0; ///< computes on the critical path of one instance
};

/// A buffet's read and write actions (first accesses skipped), times the
/// component's actions_scale.
template <class S>
void buffetActions(const BuffetStatsT<S> &s, double actionsScale, S &reads,
                   S &writes) {
  reads =
      (s.totalReadActions - s.totalSkippedFirstReadActions) * S(actionsScale);
  writes =
      (s.totalWriteActions - s.totalSkippedFirstWriteActions) * S(actionsScale);
}

} // namespace afc::model::detail

#endif // AFC_RUNTIME_MODEL_BUFFETSTATS_H
