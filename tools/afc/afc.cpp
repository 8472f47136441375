//===- afc.cpp - the afc command ------------------------------------------===//
//
// Parses the command line into driver::Options and calls driver::afcMain,
// which does the work (compiler/driver). Only what belongs to the process
// stays here: the subcommand word, llvm::cl options and help, and a thread
// with a large stack to run on. Options store straight into the Options
// struct (cl::location), so there is no copying step to keep in sync.
//
//   afc [check] FILE...          parse and check (the default command)
//   afc components FILE...       component area, leak, energy, throughput
//   afc eval FILE...             evaluate a fixed mapping
//   afc map FILE...              search the optimal mapping
//   afc run FILE...              run the studies: tables and plots
//   afc --emit=ast|ir FILE...    print the syntax tree or the elaborated IR
//   afc map --emit=kernel-ir ... print the pmapping templates' kernels
//
//===----------------------------------------------------------------------===//
#include "afc/driver/Driver.h"
#include "afc/ir/Spec.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <pthread.h>

#include <cmath>
#include <cstring>

using namespace afc;
using driver::Command;
using driver::EmitKind;
using driver::OutputFormat;
namespace cl = llvm::cl;

namespace {

driver::Options options;

cl::OptionCategory afcCategory("afc options");

using StringList = std::vector<std::string>;
cl::list<std::string, StringList> inputFiles(cl::Positional,
                                             cl::desc("<file.af>..."),
                                             cl::location(options.inputFiles),
                                             cl::cat(afcCategory));
cl::list<std::string, StringList>
    defines("D", cl::Prefix, cl::desc("Set a parameter: -D NAME=VALUE (VALUE is an expression; "
                                 "True/False/None are also accepted)"),
            cl::value_desc("NAME=VALUE"), cl::location(options.defines),
            cl::cat(afcCategory));
cl::list<std::string, StringList>
    includeDirs("I", cl::Prefix,
                cl::desc("Add a directory to the import search path"),
                cl::value_desc("dir"), cl::location(options.includeDirs),
                cl::cat(afcCategory));
cl::opt<std::string, true> stdlibDir("stdlib",
                                     cl::desc("The standard library directory"),
                                     cl::value_desc("dir"),
                                     cl::location(options.stdlibDir),
                                     cl::cat(afcCategory));
cl::opt<OutputFormat, true>
    format("format", cl::desc("Output format"), cl::location(options.format),
           cl::values(clEnumValN(OutputFormat::Table, "table",
                                 "aligned text (default)"),
                      clEnumValN(OutputFormat::CSV, "csv", "CSV"),
                      clEnumValN(OutputFormat::JSON, "json", "JSON")),
           cl::cat(afcCategory));
cl::opt<std::string, true> outputFile("o", cl::desc("Write results to a file"),
                                      cl::value_desc("file"),
                                      cl::location(options.outputFile),
                                      cl::cat(afcCategory));
cl::opt<std::string, true> einsumName(
    "einsum",
    cl::desc("Evaluate Einsum-dependent fields for this Einsum (default: the "
             "first)"),
    cl::value_desc("name"), cl::location(options.einsum), cl::cat(afcCategory));
cl::opt<std::string, true> archName("arch", cl::desc("The architecture to use"),
                                    cl::value_desc("name"),
                                    cl::location(options.arch),
                                    cl::cat(afcCategory));
cl::opt<std::string, true> workloadName("workload",
                                        cl::desc("The workload to use"),
                                        cl::value_desc("name"),
                                        cl::location(options.workload),
                                        cl::cat(afcCategory));
cl::opt<std::string, true> mappingName("mapping",
                                       cl::desc("The mapping to use"),
                                       cl::value_desc("name"),
                                       cl::location(options.mapping),
                                       cl::cat(afcCategory));
cl::opt<std::string, true> studyName("study", cl::desc("Run only this study"),
                                     cl::value_desc("name"),
                                     cl::location(options.study),
                                     cl::cat(afcCategory));
cl::opt<std::string, true>
    outputDir("output-dir", cl::desc("Directory for reports and plots"),
              cl::value_desc("dir"), cl::location(options.outputDir),
              cl::cat(afcCategory));
cl::opt<unsigned, true> threads("j", cl::desc("Threads (default: every core)"),
                                cl::value_desc("N"),
                                cl::location(options.threads), cl::Prefix,
                                cl::cat(afcCategory));
cl::opt<bool, true> quiet("quiet", cl::desc("No progress or summary output"),
                          cl::location(options.quiet), cl::cat(afcCategory));
cl::opt<bool, true> allowFailedPoints(
    "allow-failed-points",
    cl::desc("afc run: exit 0 even when design points fail (each failed "
             "row keeps its reason in the status column)"),
    cl::location(options.allowFailedPoints), cl::cat(afcCategory));
cl::opt<std::string, true> mapperName("mapper",
                                      cl::desc("The mapper settings to use"),
                                      cl::value_desc("name"),
                                      cl::location(options.mapper),
                                      cl::cat(afcCategory));
cl::opt<ir::Metric>
    metric("metric", cl::desc("What the mapper minimises"),
           cl::init(ir::Metric(0)),
           cl::values(clEnumValN(ir::MetricEnergy, "energy", "total energy"),
                      clEnumValN(ir::MetricLatency, "latency", "total latency"),
                      clEnumValN(ir::MetricEDP, "edp", "energy-delay product")),
           cl::cat(afcCategory));
cl::opt<bool, true> unfused("unfused",
                            cl::desc("Keep every tensor in the outermost "
                                     "memory"),
                            cl::location(options.unfused),
                            cl::cat(afcCategory));
cl::opt<double, true>
    maxTime("max-time",
            cl::desc("Stop each search after this many seconds and keep the "
                     "best mapping found (marked: not proven optimal)"),
            cl::value_desc("seconds"), cl::location(options.maxTime),
            cl::cat(afcCategory));
cl::opt<int, true> maxFusedLoops(
    "max-fused-loops",
    cl::desc("At most this many loops shared by fused Einsums (the mapper "
             "setting max_fused_loops; 0: intermediates kept on chip whole)"),
    cl::value_desc("n"), cl::location(options.maxFusedLoops),
    cl::cat(afcCategory));
cl::opt<std::string, true>
    saveMapping("save-mapping",
                cl::desc("afc map: write the best mapping to a file"),
                cl::value_desc("file.af"), cl::location(options.saveMapping),
                cl::cat(afcCategory));
cl::opt<bool> noJit("no-jit",
                    cl::desc("Interpret generated kernels instead of "
                             "compiling them"),
                    cl::init(false), cl::cat(afcCategory));
cl::opt<EmitKind, true> emit(
    "emit", cl::desc("Print an intermediate form"), cl::location(options.emit),
    cl::values(clEnumValN(EmitKind::AST, "ast", "the syntax tree of each file"),
               clEnumValN(EmitKind::IR, "ir", "the elaborated IR"),
               clEnumValN(EmitKind::KernelIR, "kernel-ir",
                          "the LLVM IR of generated kernels")),
    cl::cat(afcCategory));
cl::opt<bool, true> debugInternalError(
    "debug-internal-error",
    cl::desc("Fail an internal check (tests the internal-error path)"),
    cl::location(options.debugInternalError), cl::Hidden, cl::cat(afcCategory));

struct CommandInfo {
  const char *name;
  Command command;
  const char *help;
};
const CommandInfo kCommands[] = {
    {"check", Command::Check, "parse and check the files (default)"},
    {"components", Command::Components,
     "print area, leak power and per-action energy and throughput"},
    {"eval", Command::Eval,
     "evaluate a fixed mapping: energy, latency, actions, usage"},
    {"map", Command::Map,
     "search the optimal mapping; print it in .af syntax with its results"},
    {"run", Command::Run,
     "run the studies: sweep, map or evaluate, write tables and plots"},
};

void *threadMain(void *result) {
  *static_cast<int *>(result) =
      driver::afcMain(options, llvm::outs(), llvm::errs());
  return nullptr;
}

} // namespace

int main(int argc, char **argv) {
  std::vector<char *> args(argv, argv + argc);
  if (args.size() > 1)
    for (const CommandInfo &c : kCommands)
      if (std::strcmp(args[1], c.name) == 0) {
        options.command = c.command;
        args.erase(args.begin() + 1);
        break;
      }
  cl::HideUnrelatedOptions(afcCategory);
  std::string overview = "afc: accelerator design-space exploration\n\n"
                         "  afc [COMMAND] [options] FILE.af...\n\nCommands:\n";
  for (const CommandInfo &c : kCommands)
    overview += "  " + std::string(c.name) + "\t" + c.help + "\n";
  if (!cl::ParseCommandLineOptions(int(args.size()), args.data(), overview,
                                   &llvm::errs()))
    return 1;
  options.metric = unsigned(metric.getValue());
  options.jit = !noJit;
  if (maxTime.getNumOccurrences() &&
      !(std::isfinite(options.maxTime) && options.maxTime >= 0)) {
    llvm::errs() << "afc: error: --max-time takes a number of seconds >= 0, "
                    "not '"
                 << llvm::format("%g", options.maxTime) << "'\n";
    return 1;
  }
  if (maxFusedLoops.getNumOccurrences() && options.maxFusedLoops < 0) {
    llvm::errs() << "afc: error: --max-fused-loops takes a number of loops "
                    ">= 0, not '"
                 << options.maxFusedLoops << "'\n";
    return 1;
  }
  // The parser and evaluator recurse over the input; a large stack lets deep
  // but legal input through, and the front end bounds the depth well below.
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, size_t(256) << 20);
  int result = 1;
  pthread_t thread;
  if (pthread_create(&thread, &attr, threadMain, &result) != 0)
    return driver::afcMain(options, llvm::outs(), llvm::errs());
  pthread_join(thread, nullptr);
  return result;
}
