//===- LowerStudy.h - a study's design points to runtime inputs -*- C++ -*-===//
//
// Plans a study for the runtime: expands its sweeps into design points,
// lowers each point (elaborating the program again when a parameter is
// swept, overriding component fields otherwise) to the model's problem and
// mapping or to the mapper's problem, and turns what the model returns and
// what the study's plots ask for into the plain inputs of afc::study.
//
// Points are prepared serially: diagnostics and the source manager are not
// thread-safe. Evaluating them is the caller's, in parallel.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_LOWER_LOWERSTUDY_H
#define AFC_LOWER_LOWERSTUDY_H

#include "afc/components/ModelLibrary.h"
#include "afc/ir/Spec.h"
#include "afc/lower/ComponentCosts.h"
#include "afc/lower/LatencyKernel.h"
#include "afc/lower/LowerToModel.h"
#include "afc/mapper/Problem.h"
#include "afc/sema/Elaborator.h"
#include "afc/study/StudyReport.h"

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace afc::lower {

/// One design point: the value of every swept axis.
struct DesignPoint {
  std::vector<std::pair<const ir::SweepAxis *, ir::Value>> values;
};

/// The cartesian product of the study's sweep groups, in row order.
std::vector<DesignPoint> expandSweeps(const ir::Study &study);

/// The result column of a swept axis: its target with a unit suffix
/// (`GlobalBuffer.size_bits`).
std::string axisColumn(const ir::SweepAxis &axis);

/// A swept value as the result table holds it: a number, or text (an
/// architecture or workload by its name).
study::Cell axisCell(const ir::SweepAxis &axis, const ir::Value &value);

/// Every swept axis's column, in declaration order.
std::vector<std::string> axisColumns(const ir::Study &study);

/// Elaborates the program again with other parameter values (parameter
/// sweeps); null after reporting errors.
using ElaborateFn =
    std::function<std::shared_ptr<const ir::Spec>(const ParamOverrides &)>;

/// How the points of a study are searched or evaluated.
struct StudyLoweringOptions {
  unsigned metric = 0; ///< ir::Metric flags; 0: the study's own
  bool unfused = false;
  double maxTime = -1; ///< seconds per search; negative: the study's own
  int maxFusedLoops = -1; ///< max_fused_loops; negative: the study's own
  KernelOptions kernels;
  mapper::TemplateKernelFactory templateKernels;
  int searchThreads = 0; ///< threads of a search inside one point
  /// Stops a point's search once true (MapperSettings::cancel).
  const std::atomic<bool> *cancel = nullptr;
};

/// What one point evaluates.
struct PreparedPoint {
  std::shared_ptr<const ir::Spec> program; ///< for parameter sweeps
  std::optional<model::Problem> problem;
  std::optional<model::Mapping> mapping;
  std::optional<mapper::MapperProblem> search; ///< when no mapping is given
  std::vector<EvaluatedComponent> components;  ///< for area columns
  /// Why the point cannot run; empty if it can.
  std::string error;
  /// Whether the row's status shows `error` (errors also reported as
  /// diagnostics are not repeated there).
  bool errorInRow = false;
};

/// Lowers one design point of `study`. Errors are reported to `diags` or
/// recorded in the result's `error`.
PreparedPoint
preparePoint(const ir::Spec &spec, const ir::Study &study,
             const DesignPoint &point, const components::ModelLibrary &models,
             DiagnosticEngine &diags, const ElaborateFn &elaborate,
             LocationTable &locations, const StudyLoweringOptions &options);

/// The figures of an evaluated point for its result row.
study::PointFigures pointFigures(const model::Result &result,
                                 const std::vector<EvaluatedComponent> &comps);

/// What `plot` asks for, resolved against the study's result columns: `x`
/// and `y` name a swept value, a result or a component's result, `series`
/// a swept value, `kind` a plot kind. nullopt after reporting what is
/// wrong at the setting.
std::optional<study::PlotRequest> plotRequest(const ir::Spec &spec,
                                              const ir::Study &study,
                                              const ir::Plot &plot,
                                              DiagnosticEngine &diags);

/// Resolves every plot of every study, so that a mistake is reported before
/// any design point runs; false if one was reported.
bool checkPlots(const ir::Spec &spec, DiagnosticEngine &diags);

} // namespace afc::lower

#endif // AFC_LOWER_LOWERSTUDY_H
