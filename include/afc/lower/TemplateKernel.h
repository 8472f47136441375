//===- TemplateKernel.h - a pmapping template as a kernel ---*- C++ -*-===//
//
// Lowers one pmapping template of the mapper to a generated kernel: the
// model traces the template once with its tile shapes as symbols
// (model/Symbolic.h); the expressions become a CostGraph whose outputs are
// energy, latency and the number of failed capacity/fanout checks. Kernels
// start interpreted; a background thread JIT-compiles the graphs
// (KernelCompiler, cached by structure, so one kernel serves every design
// point of a sweep) and each kernel switches to its compiled code when it
// is ready. Both give the same bits, so the answer never depends on the
// timing. With --no-jit the graphs are only interpreted.
// Design-point values (memory sizes, action energies, throughputs, leak
// powers) are the kernel's point arguments.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_LOWER_TEMPLATEKERNEL_H
#define AFC_LOWER_TEMPLATEKERNEL_H

#include "afc/codegen/CostGraph.h"
#include "afc/lower/LatencyKernel.h"
#include "afc/mapper/Problem.h"
#include "afc/model/Model.h"

#include <span>
#include <vector>

namespace afc::lower {

/// A template's traced cost.
struct TemplateGraph {
  /// Outputs: energy (J), latency (s), failed checks.
  codegen::CostGraph graph{0, 0};
  /// What each point argument of the graph is.
  std::vector<model::PointValue> point;
};

/// Traces `mapping` (a single pmapping) with the tile shapes of `loops` as
/// the graph's tile arguments. Equal subexpressions are shared.
model::Expected<TemplateGraph>
traceTemplate(model::Evaluator &evaluator, const model::Mapping &mapping,
              std::span<const model::MappingNode *const> loops);

/// The mapper's kernel factory: traceTemplate, then compile with
/// `kernels.compiler` (interpret when it is null). Templates that cannot be
/// traced or compiled get no kernel.
mapper::TemplateKernelFactory templateKernelFactory(KernelOptions kernels);

} // namespace afc::lower

#endif // AFC_LOWER_TEMPLATEKERNEL_H
