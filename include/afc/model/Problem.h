//===- Problem.h - what a mapping is evaluated against ------------*- C++
//-*-===//
//
// A workload and the flattened architectures its Einsums run on: the input
// of the model (Evaluator.h) and, with placement rules and settings, of the
// mapper (afc/mapper/Problem.h). The compiler's lowering builds it.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_MODEL_PROBLEM_H
#define AFC_MODEL_PROBLEM_H

#include "afc/model/Architecture.h"
#include "afc/model/Workload.h"

#include <vector>

namespace afc::model {

/// Everything a mapping is evaluated against.
struct Problem {
  Workload workload;
  /// Flattened architectures, looked up per Einsum by (einsum, compute unit):
  /// an entry naming the Einsum wins over one with an empty `einsum`.
  std::vector<FlattenedArch> architectures;
};

} // namespace afc::model

#endif // AFC_MODEL_PROBLEM_H
