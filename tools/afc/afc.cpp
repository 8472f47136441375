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
//   afc describe CLASS...        the component reference (also --all)
//   afc components --list        the component classes
//   afc --emit=ast|ir FILE...    print the syntax tree or the elaborated IR
//   afc map --emit=kernel-ir ... print the pmapping templates' kernels
//   afc help [COMMAND]           the commands, or one command's options
//   afc --version                afc's version and build
//   afc help --man               the man page (docs/afc.1)
//   afc help --completion=bash   the bash completion script
//
// The man page and completion script are generated from the same table of
// commands and cl::opt declarations as the help (Manual.cpp), and tests
// check that the committed copies are current.
//
//===----------------------------------------------------------------------===//
#include "Manual.h"

#include "afc/components/ModelLibrary.h"
#include "afc/driver/Driver.h"
#include "afc/ir/Spec.h"
#include "afc/study/Plot.h"
#include "afc/support/Diagnostics.h"
#include "afc/support/Limits.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <pthread.h>

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace afc;
using driver::Command;
using driver::EmitKind;
using driver::OutputFormat;
namespace cl = llvm::cl;

namespace {

driver::Options options;

// Each option belongs to the commands it affects, so that `afc COMMAND
// --help` lists those only; the common ones apply to every command.
cl::OptionCategory commonCategory("Options of every command");
cl::OptionCategory checkCategory("afc check options");
cl::OptionCategory componentsCategory("afc components options");
cl::OptionCategory evalCategory("afc eval options");
cl::OptionCategory mapCategory("afc map options");
cl::OptionCategory runCategory("afc run options");
cl::OptionCategory describeCategory("afc describe options");

using StringList = std::vector<std::string>;
cl::list<std::string, StringList> inputFiles(cl::Positional,
                                             cl::desc("<file.af>..."),
                                             cl::location(options.inputFiles),
                                             cl::cat(commonCategory));
cl::list<std::string, StringList>
    defines("D", cl::Prefix, cl::desc("Set a parameter: -D NAME=VALUE (VALUE is an expression; "
                                 "True/False/None are also accepted)"),
            cl::value_desc("NAME=VALUE"), cl::location(options.defines),
            cl::cat(commonCategory));
cl::list<std::string, StringList>
    includeDirs("I", cl::Prefix,
                cl::desc("Add a directory to the import search path"),
                cl::value_desc("dir"), cl::location(options.includeDirs),
                cl::cat(commonCategory));
cl::opt<std::string, true>
    stdlibDir("stdlib",
              cl::desc("The standard library directory (default: $AFC_STDLIB, "
                       "else the installed stdlib/)"),
              cl::value_desc("dir"), cl::location(options.stdlibDir),
              cl::cat(commonCategory));
cl::opt<OutputFormat, true> format(
    "format",
    cl::desc("Output format of map, eval, components and describe "
             "(default: table)"),
    cl::location(options.format),
    cl::values(clEnumValN(OutputFormat::Table, "table", "aligned text"),
               clEnumValN(OutputFormat::CSV, "csv", "CSV"),
               clEnumValN(OutputFormat::JSON, "json", "JSON"),
               clEnumValN(OutputFormat::Markdown, "markdown",
                          "Markdown (describe and components --list)")),
    cl::cat(commonCategory));
cl::opt<std::string, true>
    outputFile("o",
               cl::desc("Write results to a file, kept only if complete "
                        "(default: standard output)"),
               cl::value_desc("file"), cl::location(options.outputFile),
               cl::cat(commonCategory));
cl::opt<std::string, true> einsumName(
    "einsum",
    cl::desc("Evaluate Einsum-dependent fields for this Einsum (default: the "
             "first)"),
    cl::value_desc("name"), cl::location(options.einsum),
    cl::cat(componentsCategory), cl::cat(evalCategory));
cl::opt<std::string, true> archName("arch", cl::desc("The architecture to use"),
                                    cl::value_desc("name"),
                                    cl::location(options.arch),
                                    cl::cat(commonCategory));
cl::opt<std::string, true> workloadName("workload",
                                        cl::desc("The workload to use"),
                                        cl::value_desc("name"),
                                        cl::location(options.workload),
                                        cl::cat(commonCategory));
cl::opt<std::string, true> mappingName("mapping",
                                       cl::desc("The mapping to use"),
                                       cl::value_desc("name"),
                                       cl::location(options.mapping),
                                       cl::cat(evalCategory));
cl::opt<std::string, true> studyName("study", cl::desc("Run only this study"),
                                     cl::value_desc("name"),
                                     cl::location(options.study),
                                     cl::cat(runCategory));
cl::opt<std::string, true> outputDir(
    "output-dir",
    cl::desc("Directory for reports and plots (default: the current one)"),
    cl::value_desc("dir"), cl::location(options.outputDir),
    cl::cat(runCategory));
cl::opt<unsigned, true> threads("j", cl::desc("Threads (default: every core)"),
                                cl::value_desc("N"),
                                cl::location(options.threads), cl::Prefix,
                                cl::cat(mapCategory), cl::cat(runCategory));
cl::opt<bool, true> quiet("quiet", cl::desc("No progress or summary output"),
                          cl::location(options.quiet), cl::cat(mapCategory),
                          cl::cat(runCategory));
cl::opt<bool, true>
    verbose("verbose",
            cl::desc("Show the loop nest's one-iteration loops (and, for "
                     "map, the mapping in .af syntax)"),
            cl::location(options.verbose), cl::cat(mapCategory),
            cl::cat(evalCategory));
cl::opt<bool, true> allowFailedPoints(
    "allow-failed-points",
    cl::desc("Exit 0 even when design points fail (each failed row keeps "
             "its reason in the status column)"),
    cl::location(options.allowFailedPoints), cl::cat(runCategory));
cl::opt<bool, true> resume(
    "resume",
    cl::desc("Keep the points already in the output folder's result store "
             "(afc-results.sqlite) for the same inputs; run only the others"),
    cl::location(options.resume), cl::cat(runCategory));
cl::opt<std::string, true> mapperName("mapper",
                                      cl::desc("The mapper settings to use "
                                               "(default: the only one)"),
                                      cl::value_desc("name"),
                                      cl::location(options.mapper),
                                      cl::cat(mapCategory));
cl::opt<ir::Metric>
    metric("metric",
           cl::desc("What the mapper minimises (default: the mapper settings' "
                    "metric, else energy); ties go to the other quantity"),
           cl::init(ir::Metric(0)), // values: ir::metricNames(), in main
           cl::cat(mapCategory), cl::cat(runCategory));
cl::opt<bool, true> unfused("unfused",
                            cl::desc("Keep every tensor in the outermost "
                                     "memory"),
                            cl::location(options.unfused), cl::cat(mapCategory),
                            cl::cat(runCategory));
cl::opt<double, true>
    maxTime("max-time",
            cl::desc("Stop each search after this many seconds and keep the "
                     "best mapping found, marked not proven optimal (default: "
                     "the mapper setting time_limit, else no limit)"),
            cl::value_desc("seconds"), cl::location(options.maxTime),
            cl::cat(mapCategory), cl::cat(runCategory));
cl::opt<int, true> maxFusedLoops(
    "max-fused-loops",
    cl::desc("At most this many loops shared by fused Einsums; 0: "
             "intermediates kept on chip whole (default: the mapper setting "
             "max_fused_loops)"),
    cl::value_desc("n"), cl::location(options.maxFusedLoops),
    cl::cat(mapCategory), cl::cat(runCategory));
cl::opt<std::string, true>
    saveMapping("save-mapping",
                cl::desc("Write the best mapping, in .af syntax, to a file"),
                cl::value_desc("file.af"), cl::location(options.saveMapping),
                cl::cat(mapCategory));
cl::opt<bool, true> listClasses(
    "list",
    cl::desc("List the component classes with a one-line summary (no files "
             "needed)"),
    cl::location(options.listClasses), cl::cat(componentsCategory));
cl::opt<bool, true> describeAll("all", cl::desc("Describe every class"),
                                cl::location(options.describeAll),
                                cl::cat(describeCategory));
cl::opt<bool> noJit("no-jit",
                    cl::desc("Interpret generated kernels instead of "
                             "compiling them"),
                    cl::init(false), cl::cat(commonCategory));
cl::opt<EmitKind, true> emit(
    "emit", cl::desc("Print an intermediate form"), cl::location(options.emit),
    cl::values(clEnumValN(EmitKind::AST, "ast", "the syntax tree of each file"),
               clEnumValN(EmitKind::IR, "ir", "the elaborated IR"),
               clEnumValN(EmitKind::KernelIR, "kernel-ir",
                          "the LLVM IR of generated kernels")),
    cl::cat(checkCategory), cl::cat(mapCategory));
cl::opt<bool, true> debugInternalError(
    "debug-internal-error",
    cl::desc("Fail an internal check (tests the internal-error path)"),
    cl::location(options.debugInternalError), cl::Hidden,
    cl::cat(commonCategory));

// Resource limits: each error that stops at one names its option.
cl::OptionCategory limitsCategory("resource limits (errors name the one hit)");
cl::opt<unsigned, true> maxNesting(
    "max-nesting",
    cl::desc("How deep expressions and blocks may nest (each operator, call, "
             "bracket or block is a level)"),
    cl::value_desc("n"), cl::location(limits().maxNesting),
    cl::cat(limitsCategory));
cl::opt<uint64_t, true> maxListLength(
    "max-list-length",
    cl::desc("The most elements of a list and characters of a string"),
    cl::value_desc("n"), cl::location(limits().maxListLength),
    cl::cat(limitsCategory));
cl::opt<uint64_t, true> maxEvalSteps(
    "max-eval-steps",
    cl::desc("Values and loop iterations compile-time evaluation may create"),
    cl::value_desc("n"), cl::location(limits().maxEvalSteps),
    cl::cat(limitsCategory));
cl::opt<uint64_t, true> maxFileSize("max-file-size",
                                    cl::desc("The largest .af file read"),
                                    cl::value_desc("bytes"),
                                    cl::location(limits().maxFileSize),
                                    cl::cat(limitsCategory));
cl::opt<uint64_t, true> maxSweepPoints(
    "max-sweep-points", cl::desc("Design points of one study"),
    cl::value_desc("n"), cl::location(limits().maxSweepPoints),
    cl::cat(limitsCategory));
cl::opt<double, true> maxRankSize(
    "max-rank-size", cl::desc("The largest rank size the mapper searches"),
    cl::value_desc("n"), cl::location(limits().maxRankSize),
    cl::cat(limitsCategory));

struct CommandInfo {
  const char *name;
  Command command;
  const char *help;
  cl::OptionCategory *category;
  const char *operands = "FILE.af...";
};
const CommandInfo kCommands[] = {
    {"check", Command::Check, "parse and check the files (default)",
     &checkCategory},
    {"components", Command::Components,
     "print area, leak power and per-action energy and throughput",
     &componentsCategory},
    {"eval", Command::Eval,
     "evaluate a fixed mapping: energy, latency, actions, usage",
     &evalCategory},
    {"map", Command::Map,
     "search the optimal mapping; print it as a loop nest with its results",
     &mapCategory},
    {"run", Command::Run,
     "run the studies: sweep, map or evaluate, write tables and plots",
     &runCategory},
    {"describe", Command::Describe,
     "the component reference: attributes, units, defaults, actions",
     &describeCategory, "CLASS..."},
};

const CommandInfo *findCommand(llvm::StringRef name) {
  for (const CommandInfo &c : kCommands)
    if (name == c.name)
      return &c;
  return nullptr;
}

/// `afc --version`: afc's own version and what it was built with, not
/// LLVM's (which is what llvm::cl prints by default).
void printVersion(llvm::raw_ostream &os) {
  os << "afc " << AFC_VERSION << "\n"
     << "  build: " << AFC_BUILD_TYPE << ", " << AFC_COMPILER << "\n"
     << "  LLVM " << LLVM_VERSION_STRING << " (kernels"
#if LLVM_ENABLE_ASSERTIONS
     << ", assertions"
#endif
     << "), plots: " << study::plotLibraryVersion() << "\n";
}

/// The usage text: the commands, or one command's.
std::string overview(const CommandInfo *command) {
  if (command)
    return "afc " + std::string(command->name) + ": " + command->help +
           "\n\n  afc " + command->name + " [options] " + command->operands +
           "\n";
  std::string text = "afc: accelerator design-space exploration\n\n"
                     "  afc [COMMAND] [options] FILE.af...\n"
                     "  afc help COMMAND     the options of one command\n\n"
                     "Commands:\n";
  for (const CommandInfo &c : kCommands)
    text += "  " + std::string(c.name) + std::string(12 - strlen(c.name), ' ') +
            c.help + "\n";
  return text;
}

/// What the man page and completion script are generated from.
tool::ManualSource manualSource() {
  tool::ManualSource src;
  src.version = AFC_VERSION;
  for (const CommandInfo &c : kCommands)
    src.commands.push_back({c.name, c.help, c.operands, c.category});
  src.common = {&commonCategory, &limitsCategory};
  src.enums = {tool::enumValues(format), tool::enumValues(metric),
               tool::enumValues(emit)};
  src.classNames = components::ModelLibrary::knownClassNames();
  return src;
}

void *threadMain(void *result) {
  *static_cast<int *>(result) =
      driver::afcMain(options, llvm::outs(), llvm::errs());
  return nullptr;
}

} // namespace

int main(int argc, char **argv) {
  // --metric takes the metrics a mapper can minimise, named as everywhere.
  for (const ir::MetricName &m : ir::metricNames())
    if (m.selectable)
      metric.getParser().addLiteralOption(m.name, m.metric, m.description);
  std::vector<char *> args(argv, argv + argc);
  const CommandInfo *command = nullptr;
  static char helpFlag[] = "--help";
  // Hidden: generated documentation, before any option is re-categorised.
  if (args.size() == 3 && std::strcmp(args[1], "help") == 0) {
    if (std::strcmp(args[2], "--man") == 0) {
      tool::printManPage(manualSource(), llvm::outs());
      return 0;
    }
    if (std::strcmp(args[2], "--completion=bash") == 0) {
      tool::printBashCompletion(manualSource(), llvm::outs());
      return 0;
    }
  }
  if (args.size() > 1 && std::strcmp(args[1], "help") == 0) {
    // `afc help [COMMAND]` is `afc [COMMAND] --help`.
    if (args.size() > 2 && !(command = findCommand(args[2]))) {
      std::vector<std::string> names;
      for (const CommandInfo &c : kCommands)
        names.push_back(c.name);
      llvm::errs() << "afc: error: no command named '" << args[2] << "'"
                   << didYouMean(args[2], names) << "; the commands are "
                   << llvm::join(names, ", ") << "\n";
      return 1;
    }
    args = {argv[0], helpFlag};
  } else if (args.size() > 1 && (command = findCommand(args[1]))) {
    args.erase(args.begin() + 1);
  }
  if (command)
    options.command = command->command;
  for (int i = 0; i < argc; ++i) {
    llvm::StringRef a(argv[i]);
    bool plain = !a.empty() && a.find_first_not_of(
                                   "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN"
                                   "OPQRSTUVWXYZ0123456789_-+=./:,@%") ==
                                   llvm::StringRef::npos;
    std::string quoted = "'";
    for (char c : a)
      quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    options.commandLine +=
        (i ? " " : "") + (plain ? a.str() : quoted + "'");
  }
  std::vector<const cl::OptionCategory *> shown = {&commonCategory,
                                                   &limitsCategory};
  if (command)
    shown.push_back(command->category);
  cl::HideUnrelatedOptions(shown);
  // An option shared by several commands is listed once, under the command
  // asked about, rather than under every command it belongs to.
  for (auto &entry : cl::getRegisteredOptions()) {
    cl::Option *o = entry.second;
    for (const cl::OptionCategory *c : shown)
      if (llvm::is_contained(o->Categories, c)) {
        o->Categories = {const_cast<cl::OptionCategory *>(c)};
        break;
      }
  }
  cl::SetVersionPrinter(printVersion);
  if (!cl::ParseCommandLineOptions(int(args.size()), args.data(),
                                   overview(command), &llvm::errs()))
    return 1;
  if (options.format == OutputFormat::Markdown &&
      options.command != Command::Describe &&
      !(options.command == Command::Components && options.listClasses)) {
    llvm::errs() << "afc: error: --format=markdown is for afc describe and "
                    "afc components --list\n";
    return 1;
  }
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
  if (!(limits().maxRankSize >= 1)) {
    llvm::errs() << "afc: error: --max-rank-size takes a size >= 1\n";
    return 1;
  }
  // The parser and evaluator recurse over the input as deep as the nesting
  // limit lets them; the stack is sized from it, with room to spare (frames
  // are several times larger in sanitizer builds).
  size_t stack = std::max(size_t(256) << 20,
                          size_t(limits().maxNesting) * (size_t(256) << 10));
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, stack);
  int result = 1;
  pthread_t thread;
  if (pthread_create(&thread, &attr, threadMain, &result) != 0) {
    llvm::errs() << "afc: error: cannot reserve a stack of " << (stack >> 20)
                 << " MiB for --max-nesting=" << limits().maxNesting << "\n";
    return 1;
  }
  pthread_join(thread, nullptr);
  return result;
}
