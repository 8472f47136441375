//===- ExplainNoMapping.h - why the mapper found nothing ----------*- C++ -*-===//
//
// When the search finds no valid mapping of an Einsum, the user needs the
// binding constraint, not just the Einsum's name. It is computed after the
// search has failed, from the mapper's own templates (so the placements
// considered are exactly the search's): each template is evaluated by the
// model with every loop tiled to 1 — the smallest tiles, since occupancy
// only grows with tile shapes — against memories of unbounded size, and the
// occupancies are compared with the real sizes. When every template
// overflows some memory even then, the template that comes closest names
// the memories, the tensors and the bits needed against the bits available,
// and whether the keep/may_keep rules force each tensor there.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_LOWER_EXPLAINNOMAPPING_H
#define AFC_LOWER_EXPLAINNOMAPPING_H

#include "afc/mapper/Problem.h"

#include <string>
#include <vector>

namespace afc::lower {

/// One reason an Einsum has no valid mapping.
struct MappingObstacle {
  std::string einsum;
  /// The memory too small for the smallest tiles (empty if none is to blame).
  std::string component;
  /// One line, e.g. "Einsum 'E': 'Reg' holds 4 bits, too small for the
  /// smallest tile of 'W0' (8 bits: 1 value of 8 bits)".
  std::string message;
  /// Tensors every placement the keep and may_keep rules allow puts in
  /// `component` (those the rules force there).
  std::vector<std::string> forcedTensors;
};

/// The binding constraints behind `error` (a failed map() of `problem`):
/// for the Einsum it names, or for every Einsum when it names none. Empty
/// when the smallest tiles fit somewhere, i.e. when the cause is elsewhere
/// (the time limit, the join of fused Einsums, loop-bound rules).
std::vector<MappingObstacle>
explainNoMapping(const mapper::MapperProblem &problem,
                 const model::ModelError &error);

/// The mapper's message followed by the first obstacle, on one line (a
/// study's status cell).
std::string noMappingSummary(const model::ModelError &error,
                             const std::vector<MappingObstacle> &obstacles);

} // namespace afc::lower

#endif // AFC_LOWER_EXPLAINNOMAPPING_H
