//===- EvalCommand.cpp - `afc eval`: evaluate a fixed mapping -------------===//
//
// Checks that the mapping's placement is allowed by the architecture, then
// evaluates it once; a model error points at the mapping node it concerns.
//
//===----------------------------------------------------------------------===//
#include "Commands.h"
#include "Output.h"

#include "afc/lower/LowerToModel.h"
#include "afc/sema/Elaborator.h"

using namespace afc;
using namespace afc::driver;

int driver::runEval(const ir::Spec &spec, Context &ctx) {
  const Options &options = ctx.options;
  DiagnosticEngine &diags = ctx.diags;
  const ir::Arch *arch = nullptr;
  const ir::Workload *workload = nullptr;
  const ir::Mapping *mapping = nullptr;
  if (!selectOne(spec.arches, options.arch, "arch", arch, diags) ||
      !selectOne(spec.workloads, options.workload, "workload", workload,
                 diags) ||
      !selectOne(spec.mappings, options.mapping, "mapping", mapping, diags))
    return 1;
  if (!checkMappingNames(*mapping, *arch, *workload, diags) ||
      !lower::checkPlacement(*arch, *workload, *mapping, diags))
    return 1;
  std::optional<model::Problem> problem = lowerProblem(*arch, *workload, ctx);
  if (!problem)
    return 1;
  lower::LocationTable locations;
  model::Mapping m = lower::lowerMapping(*mapping, locations);
  model::Expected<model::Result> result = model::evaluate(*problem, m);
  if (!result) {
    lower::reportModelError(result.error(), locations, diags);
    return 1;
  }
  lower::checkResultSound(*result);
  return withOutput(ctx, [&](llvm::raw_ostream &os) {
    printModelResult(*result, options.format, os);
  });
}
