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

std::optional<Evaluation> driver::evaluateMapping(const ir::Spec &spec,
                                                  Context &ctx) {
  const Options &options = ctx.options;
  DiagnosticEngine &diags = ctx.diags;
  const ir::Arch *arch = nullptr;
  const ir::Workload *workload = nullptr;
  const ir::Mapping *mapping = nullptr;
  if (!selectOne(spec.arches, options.arch, "arch", arch, diags) ||
      !selectOne(spec.workloads, options.workload, "workload", workload,
                 diags) ||
      !selectOne(spec.mappings, options.mapping, "mapping", mapping, diags))
    return std::nullopt;
  if (!checkMappingNames(*mapping, *arch, *workload, diags) ||
      !lower::checkPlacement(*arch, *workload, *mapping, diags))
    return std::nullopt;
  std::optional<model::Problem> problem = lowerProblem(*arch, *workload, ctx);
  if (!problem)
    return std::nullopt;
  Evaluation e;
  e.arch = arch;
  e.workload = workload;
  // On the heap before evaluating: the result's names may view into them.
  e.problem = std::make_unique<model::Problem>(std::move(*problem));
  lower::LocationTable locations;
  e.mapping = std::make_unique<model::Mapping>(
      lower::lowerMapping(*mapping, locations));
  model::Expected<model::Result> result =
      model::evaluate(*e.problem, *e.mapping);
  if (!result) {
    lower::reportModelError(result.error(), locations, diags);
    return std::nullopt;
  }
  e.result = std::move(*result);
  lower::checkResultSound(e.result);
  return e;
}

int driver::runEval(const ir::Spec &spec, Context &ctx) {
  std::optional<Evaluation> e = evaluateMapping(spec, ctx);
  if (!e)
    return 1;
  return withOutput(ctx, [&](llvm::raw_ostream &os) {
    if (ctx.options.format == OutputFormat::Table) {
      printLoopNest(*e->mapping, e->problem->workload, ctx.options.verbose,
                    os);
      os << "\n";
    }
    printModelResult(e->result, ctx.options.format, os);
  });
}
