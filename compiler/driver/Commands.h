//===- Commands.h - the afc subcommands -------------------------*- C++ -*-===//
//
// Each subcommand takes the elaborated IR and the invocation's context and
// returns the process exit code. They print what the libraries return;
// lowering, modelling, search and study reporting live in those libraries.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_DRIVER_COMMANDS_H
#define AFC_DRIVER_COMMANDS_H

#include "afc/driver/Driver.h"
#include "afc/ir/Spec.h"
#include "afc/lower/LowerStudy.h"
#include "afc/model/Mapping.h"
#include "afc/model/Result.h"
#include "afc/model/Workload.h"
#include "afc/support/Diagnostics.h"
#include "afc/support/JSONWriter.h"

#include <string>

namespace afc::driver {

/// One invocation: its options, where its messages and results go.
struct Context {
  const Options &options;
  DiagnosticEngine &diags;
  llvm::raw_ostream &out; ///< results when no -o file is given
  llvm::raw_ostream &err; ///< progress and summaries
  std::string stdlibDir;  ///< resolved: never empty
  /// Every file the program was read from (named and imported), so that
  /// no output is written over one of them.
  std::vector<std::string> sourceFiles;
};

/// Reports an error and returns true if writing `path` would replace one
/// of the invocation's source files.
bool overwritesSource(Context &ctx, const std::string &path);

/// `afc components`: area, leak power and per-action energy and throughput
/// of every component of every architecture.
int runComponents(const ir::Spec &spec, Context &ctx);

/// `afc eval`: evaluates the fixed mapping of the files.
int runEval(const ir::Spec &spec, Context &ctx);

/// `afc map`: searches the optimal mapping and prints it with its results.
int runMap(const ir::Spec &spec, Context &ctx);

/// `afc run`: runs the studies of the files.
int runStudies(const ir::Spec &spec, Context &ctx,
               const lower::ElaborateFn &elaborate);

/// `--emit=kernel-ir`: the LLVM IR of the `total_latency` kernels of each
/// architecture's components.
int printKernels(const ir::Spec &spec, Context &ctx);

/// `afc map --emit=kernel-ir`: the LLVM IR of every pmapping template's
/// cost kernel, with what its arguments are.
int printTemplateKernels(const ir::Spec &spec, Context &ctx);

/// Prints a mapping as an indented loop nest with loop bounds; loops of one
/// iteration only when `verbose`.
void printLoopNest(const model::Mapping &mapping,
                   const model::Workload &workload, bool verbose,
                   llvm::raw_ostream &os);

/// Prints a model result as a table, CSV or JSON.
void printModelResult(const model::Result &result, OutputFormat format,
                      llvm::raw_ostream &os);

/// The members of a model result's JSON object, for callers that add
/// their own (afc map adds the mapping and search statistics).
void writeModelResultMembers(const model::Result &result, JSONWriter &j);

} // namespace afc::driver

#endif // AFC_DRIVER_COMMANDS_H
