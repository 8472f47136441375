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
#include "afc/lower/ComponentCosts.h"
#include "afc/lower/LowerStudy.h"
#include "afc/mapper/Mapper.h"
#include "afc/model/Mapping.h"
#include "afc/model/Result.h"
#include "afc/model/Workload.h"
#include "afc/study/ResultTable.h"
#include "afc/support/Diagnostics.h"
#include "afc/support/JSONWriter.h"

#include <memory>
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
  /// Component fields set for this invocation only (the Python module's
  /// `GlobalBuffer.size=...`); null: the files' own values.
  const lower::PointOverrides *overrides = nullptr;
  /// Every buffer the program was read from (files, imports, standard
  /// input): what a study's stored results depend on. Null: unknown.
  const llvm::SourceMgr *sources = nullptr;
};

/// Reports an error and returns true if writing `path` would replace one
/// of the invocation's source files.
bool overwritesSource(Context &ctx, const std::string &path);

/// The costed components of one architecture, as `afc components` lists
/// them.
struct ArchFigures {
  const ir::Arch *arch;
  std::string einsum; ///< fields were evaluated for this Einsum, if any
  std::vector<lower::EvaluatedComponent> components;
};

/// Every architecture's components; nullopt after reporting an error.
std::optional<std::vector<ArchFigures>> componentFigures(const ir::Spec &spec,
                                                         Context &ctx);

/// A fixed mapping evaluated, as `afc eval` does. The result's names view
/// into the problem and mapping, which are therefore kept with it.
struct Evaluation {
  const ir::Arch *arch = nullptr;
  const ir::Workload *workload = nullptr;
  std::unique_ptr<model::Problem> problem;
  std::unique_ptr<model::Mapping> mapping;
  model::Result result;
};

/// Evaluates the selected mapping; nullopt after reporting an error.
std::optional<Evaluation> evaluateMapping(const ir::Spec &spec, Context &ctx);

/// The best mapping found by `afc map`, with the problem its result's
/// names view into.
struct MapOutcome {
  const ir::Arch *arch = nullptr;
  const ir::Workload *workload = nullptr;
  std::unique_ptr<mapper::MapperProblem> problem;
  mapper::MapperResult result;
  /// The mapping in .af syntax, preceded by comments saying why it may not
  /// be optimal (also printed as warnings).
  std::string mappingText;
};

/// Searches the best mapping of the selected workload; nullopt after
/// reporting an error. `onProgress` is the mapper's progress callback.
std::optional<MapOutcome>
findBestMapping(const ir::Spec &spec, Context &ctx,
                const std::function<void(size_t, size_t)> &onProgress);

/// Runs one study's design points and fills its table, as `afc run` does
/// before writing reports and plots; nullopt after reporting an error.
/// `interrupted` says whether Ctrl-C stopped it early.
std::optional<study::ResultTable>
studyTable(const ir::Spec &spec, const ir::Study &study, Context &ctx,
           const lower::ElaborateFn &elaborate, bool &interrupted);

/// Parses and evaluates each -D NAME=VALUE into `out`; false after
/// reporting an error.
bool parseDefines(const std::vector<std::string> &defines,
                  DiagnosticEngine &diags, ParamOverrides &out);

/// `afc components`: area, leak power and per-action energy and throughput
/// of every component of every architecture.
int runComponents(const ir::Spec &spec, Context &ctx);

/// `afc describe CLASS...` / `--all`: the component reference (attributes,
/// actions, source, validity) from the model registry; no files needed.
int runDescribe(Context &ctx);

/// `afc components --list`: every component class with its summary.
int listComponentClasses(Context &ctx);

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
/// iteration only when `verbose`. Ends with the nest's last line: a command
/// that prints more after it adds its own separator.
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
