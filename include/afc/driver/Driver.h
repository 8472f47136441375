//===- Driver.h - afc as a library call -------------------------*- C++ -*-===//
//
// What the `afc` command does, callable from tests and other tools: load the
// .af files, run the front end, and hand the IR to the requested command or
// print an intermediate form. tools/afc only turns the command line into
// Options and calls afcMain, as mlir-opt calls MlirOptMain.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_DRIVER_DRIVER_H
#define AFC_DRIVER_DRIVER_H

#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace afc::driver {

enum class Command { Check, Components, Eval, Map, Run, Describe };

/// Which intermediate form to print instead of running the command, in
/// pipeline order as toyc's -emit: each needs everything before it.
enum class EmitKind { None, AST, IR, KernelIR };

/// Markdown is for the component reference (describe, components --list).
enum class OutputFormat { Table, CSV, JSON, Markdown };

/// Everything the command line can say.
struct Options {
  Command command = Command::Check;
  EmitKind emit = EmitKind::None;
  /// "-" reads standard input. For describe: the component class names.
  std::vector<std::string> inputFiles;
  std::vector<std::string> defines;    ///< -D NAME=VALUE
  std::vector<std::string> includeDirs;
  std::string stdlibDir; ///< empty: $AFC_STDLIB, else the built-in one
  OutputFormat format = OutputFormat::Table;
  std::string outputFile = "-"; ///< "-" or empty: the output stream
  std::string einsum; ///< evaluate architecture fields for this Einsum
  /// Which declaration to use when the files define several.
  std::string arch, workload, mapping;
  /// afc run: which study (all if empty), where outputs go, threads.
  std::string study;
  std::string outputDir = ".";
  unsigned threads = 0;
  bool quiet = false;
  /// afc map / eval: show loops of one iteration and the `.af` mapping.
  bool verbose = false;
  /// afc run: a design point that fails (no valid mapping, an error in its
  /// row) is a warning, not exit code 1.
  bool allowFailedPoints = false;
  /// afc run: keep the points the output folder's result store already has
  /// for the same inputs and run only the others.
  bool resume = false;
  /// The command line as typed, for messages that suggest running it again.
  std::string commandLine;
  /// afc map: mapper settings to use, overrides.
  std::string mapper;
  unsigned metric = 0; ///< ir::Metric flags; 0: the settings' own
  bool unfused = false;
  /// afc map / run: the search's time budget in seconds (the mapper
  /// setting `time_limit`); negative: the settings' own.
  double maxTime = -1;
  /// afc map / run: the mapper setting `max_fused_loops`; negative: the
  /// settings' own.
  int maxFusedLoops = -1;
  /// afc map: also write the best mapping, in .af syntax, to this file.
  std::string saveMapping;
  /// Compile generated kernels with LLVM (else interpret them).
  bool jit = true;
  /// afc components --list: the classes, no files needed.
  bool listClasses = false;
  /// afc describe --all: every class.
  bool describeAll = false;
  /// Fail an internal check on purpose, to test how one is reported.
  bool debugInternalError = false;
};

/// Runs one afc invocation: results go to `out`, diagnostics and progress
/// to `err`. Returns the process exit code: 0, 1 after user errors, 130
/// when interrupted, afc::kInternalErrorExitCode after a broken invariant
/// (reported as "afc: internal error: ...").
int afcMain(const Options &options, llvm::raw_ostream &out,
            llvm::raw_ostream &err);

/// The standard library searched for imports and component data:
/// `$AFC_STDLIB` if set, else the source tree's `stdlib/`.
std::string defaultStdlibDir();

} // namespace afc::driver

#endif // AFC_DRIVER_DRIVER_H
