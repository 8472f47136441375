//===- Evaluator.h - evaluating one mapping ---------------------*- C++ -*-===//
//
// The entry points of the analytical model: evaluate one explicit LoopTree
// mapping of a workload on an architecture, exactly as the reference
// (AccelForge) does (model.md): per Einsum, the reuse analysis gives fills,
// reads and writes per tensor and component; these give actions, energy,
// latency, capacity use and spatial use.
//
// Typical use, in the mapper's inner loop:
//
//   model::Evaluator evaluator(problem);           // once: resolves names
//   model::Result result;
//   if (auto err = evaluator.evaluateInto(mapping, result)) { ... }
//
// evaluateInto performs no I/O and reuses its own scratch memory and the
// Result's vectors, so a warm Evaluator allocates little. An Evaluator is not
// thread-safe; use one per thread (they may share one Problem). The Problem
// must outlive the Evaluator and its Results and must not change meanwhile:
// both refer to its names.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_MODEL_EVALUATOR_H
#define AFC_MODEL_EVALUATOR_H

#include "afc/model/Mapping.h"
#include "afc/model/Problem.h"
#include "afc/model/Result.h"
#include "afc/model/Symbolic.h"

#include <memory>
#include <optional>
#include <span>

namespace afc::model {

struct EvaluateOptions {
  /// Fill the per-component / per-tensor vectors of Result. Without it only
  /// totals, per-Einsum summaries and usages are produced (faster).
  bool detailed = true;
  /// Every Einsum of the workload must have a Compute leaf. The mapper turns
  /// this off to evaluate a single Einsum's partial mapping.
  bool requireEveryEinsum = true;
  /// The reference counts a component's area and leak once even when it
  /// declares its own spatial fanout (model.md §10, quirk 2). Set to count
  /// every instance instead. Affects leak energy too.
  bool includeOwnFanoutInAreaAndLeak = false;
  /// Compute the area report (mapping-independent).
  bool computeArea = true;
  /// Round reported numbers to float32, like the reference's result tables,
  /// for byte-level comparisons. Arithmetic stays in double.
  bool roundToFloat32 = false;
};

/// Evaluates mappings against one Problem, reusing scratch memory.
class Evaluator {
public:
  explicit Evaluator(const Problem &problem, EvaluateOptions options = {});
  ~Evaluator();
  Evaluator(Evaluator &&) noexcept;
  Evaluator &operator=(Evaluator &&) noexcept;

  /// Evaluates `mapping` into `result` (cleared first). Returns the reason
  /// when the mapping (or the problem) is invalid; `result` is then
  /// unspecified.
  [[nodiscard]] std::optional<ModelError> evaluateInto(const Mapping &mapping,
                                                       Result &result);
  Expected<Result> evaluate(const Mapping &mapping);

  /// Emits the cost of `mapping`, a single pmapping, into `builder` with the
  /// tile shapes of `loops` (nodes of `mapping`, each given by a tile shape)
  /// as symbols; their current tile shapes only need the right structure
  /// (e.g. 1 where a rank variable reaches 1). See Symbolic.h. Fails with
  /// the error evaluateInto would give for any tile shapes, or
  /// NotTraceable.
  Expected<TracedCost> trace(const Mapping &mapping,
                             std::span<const MappingNode *const> loops,
                             ExprBuilder &builder);

  const EvaluateOptions &options() const;
  void setOptions(const EvaluateOptions &options);

private:
  struct Impl;
  std::unique_ptr<Impl> impl;
};

/// One-shot convenience: builds an Evaluator and evaluates `mapping`.
Expected<Result> evaluate(const Problem &problem, const Mapping &mapping,
                          const EvaluateOptions &options = {});

/// Area and leak power of an architecture (mapping-independent, model.md
/// §10): each component counts `area * product of its parents' fanouts`,
/// and also its own fanout if `includeOwnFanout`. Containers are not
/// components. Names in the report view into `arch`.
AreaReport computeArea(const FlattenedArch &arch,
                       bool includeOwnFanout = false);

} // namespace afc::model

#endif // AFC_MODEL_EVALUATOR_H
