//===- LatencyKernel.h - total_latency as a generated kernel -------*- C++ -*-===//
//
// A component's `total_latency` expression runs once per evaluated mapping,
// inside the mapper's inner loop. Interpreting the AST there costs
// allocations per call, so the expression is lowered to a cost graph over
// the per-action activity (n_calls, throughput, energy, bits_per_action,
// latency of each action) and compiled with LLVM ORC; `--no-jit` runs the
// same graph in the interpreter. Expressions outside the supported subset
// (numbers, names bound to numbers, arithmetic, min/max/sum over `actions`
// or over arguments, `actions["read"]`) keep the AST interpreter.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_LOWER_LATENCYKERNEL_H
#define AFC_LOWER_LATENCYKERNEL_H

#include "afc/codegen/KernelCompiler.h"
#include "afc/ir/Spec.h"
#include "afc/model/Architecture.h"

#include <map>
#include <memory>
#include <optional>
#include <string>

namespace afc::lower {

/// How generated kernels (total_latency, and the mapper's template kernels
/// in TemplateKernel.h) are run.
struct KernelOptions {
  /// Null: interpret the cost graphs instead of compiling them.
  codegen::KernelCompiler *compiler = nullptr;
};

/// The cost graph of `expr` for a component with `node`'s actions (in that
/// order), with `fields` (the component's numeric fields) as constants; or
/// nullopt when the expression is outside the supported subset.
std::optional<codegen::CostGraph>
latencyGraph(const ir::Deferred &expr, const ir::ArchNode &node,
             const std::map<std::string, ir::Value> &fields);

/// A TotalLatencyFn running `graph` (compiled if `kernels.compiler`).
/// Returns an empty function when compilation fails.
model::TotalLatencyFn latencyFunction(std::shared_ptr<codegen::CostGraph> graph,
                                      std::vector<std::string> actionNames,
                                      const KernelOptions &kernels);

/// The symbolic form of `graph` for model::Evaluator::trace: replays it
/// over the traced action symbols. `modelActions` are the model component's
/// action names (the order the trace passes symbols in); actions of
/// `actionNames` the component lacks get the defaults latencyFunction uses.
model::TotalLatencyTraceFn
latencyTraceFunction(std::shared_ptr<codegen::CostGraph> graph,
                     const std::vector<std::string> &actionNames,
                     const std::vector<std::string> &modelActions);

/// The process-wide kernel compiler (created on first use; null if the
/// host has no JIT).
codegen::KernelCompiler *sharedKernelCompiler();

} // namespace afc::lower

#endif // AFC_LOWER_LATENCYKERNEL_H
