//===- Commands.h - the afc subcommands ---------------------------*- C++ -*-===//
//
// Each subcommand takes the elaborated IR and the options it needs and
// returns the process exit code. They print results; all the work is done
// by the libraries.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_TOOLS_AFC_COMMANDS_H
#define AFC_TOOLS_AFC_COMMANDS_H

#include "afc/ir/Spec.h"
#include "afc/model/Result.h"
#include "afc/sema/Elaborator.h"

#include <functional>
#include <memory>
#include "afc/support/Diagnostics.h"

#include <string>

namespace afc::driver {

enum class OutputFormat { Table, CSV, JSON };

struct CommonOptions {
  std::string stdlibDir;
  OutputFormat format = OutputFormat::Table;
  std::string outputFile; ///< empty or "-": standard output
  std::string einsum;     ///< evaluate architecture fields for this Einsum
  /// Which declaration to use when the files define several.
  std::string arch, workload, mapping;
  /// afc run: which study (all if empty), where outputs go, threads.
  std::string study;
  std::string outputDir = ".";
  unsigned threads = 0;
  bool quiet = false;
  /// afc map: mapper settings to use, overrides.
  std::string mapper;
  unsigned metric = 0; ///< ir::Metric flags; 0: the settings' own
  bool unfused = false;
  /// afc map: also write the best mapping, in .af syntax, to this file.
  std::string saveMapping;
  /// Compile generated kernels with LLVM (else interpret them).
  bool jit = true;
};

/// Elaborates the program again with other parameter values (parameter
/// sweeps); null after reporting errors.
using ElaborateFn =
    std::function<std::shared_ptr<const ir::Spec>(const ParamOverrides &)>;

/// Picks the declaration named `name`, or the only one; reports otherwise.
template <class T>
bool selectOne(const std::vector<T> &all, const std::string &name,
               const char *kind, const T *&out, DiagnosticEngine &diags) {
  if (!name.empty()) {
    for (const T &x : all)
      if (x.name == name)
        out = &x;
    if (!out)
      diags.error(std::string("no ") + kind + " named '" + name + "'");
    return out != nullptr;
  }
  if (all.size() == 1) {
    out = &all[0];
    return true;
  }
  if (all.empty())
    diags.error(std::string("the files define no ") + kind);
  else
    diags.error(std::string("the files define several ") + kind +
                "s; choose one with --" + kind + "=NAME");
  return false;
}

/// `afc components`: area, leak power and per-action energy and throughput
/// of every component of every architecture.
int runComponents(const ir::Spec &spec, DiagnosticEngine &diags,
                  const CommonOptions &options);

/// `afc eval`: evaluates the fixed mapping of the files.
int runEval(const ir::Spec &spec, DiagnosticEngine &diags,
            const CommonOptions &options);

/// `afc map`: searches the optimal mapping and prints it with its results.
int runMap(const ir::Spec &spec, DiagnosticEngine &diags,
           const CommonOptions &options);

/// `afc run`: runs the studies of the files.
int runStudies(const ir::Spec &spec, DiagnosticEngine &diags,
               const CommonOptions &options, const ElaborateFn &elaborate);

/// `--emit=kernel-ir`: the LLVM IR of the `total_latency` kernels of each
/// architecture's components.
int printKernels(const ir::Spec &spec, DiagnosticEngine &diags,
                 llvm::raw_ostream &os);

/// `afc map --emit=kernel-ir`: the LLVM IR of every pmapping template's
/// cost kernel, with what its arguments are.
int printTemplateKernels(const ir::Spec &spec, DiagnosticEngine &diags,
                         const CommonOptions &options, llvm::raw_ostream &os);

/// Prints a model result as a table, CSV or JSON.
void printModelResult(const model::Result &result, OutputFormat format,
                      llvm::raw_ostream &os);

} // namespace afc::driver

#endif
