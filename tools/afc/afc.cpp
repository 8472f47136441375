//===- afc.cpp - the afc driver -------------------------------------------===//
//
// A thin driver: it parses the command line, loads the .af files, runs the
// front end and hands the IR to the requested action. All the work lives in
// the libraries under compiler/ and runtime/.
//
//   afc [check] FILE...          parse and check (the default command)
//   afc components FILE...       component area, leak, energy, throughput
//   afc eval FILE...             evaluate a fixed mapping
//   afc map FILE...              search the optimal mapping
//   afc run FILE...              run the studies: tables and plots
//   afc --emit=ir FILE...        print the elaborated IR
//   afc map --emit=kernel-ir ... print the pmapping templates' kernels
//
//===----------------------------------------------------------------------===//
#include "Commands.h"

#include "afc/parse/ModuleLoader.h"
#include "afc/parse/Parser.h"
#include "afc/sema/Elaborator.h"
#include "afc/ir/IRPrinter.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

#include <pthread.h>

#include <cstdlib>
#include <cstring>

using namespace afc;
namespace cl = llvm::cl;

namespace {

enum class Command { Check, Components, Eval, Map, Run };

enum class EmitKind { None, IR, KernelIR };

cl::OptionCategory afcCategory("afc options");

cl::list<std::string> inputFiles(cl::Positional, cl::desc("<file.af>..."),
                                 cl::cat(afcCategory));
cl::list<std::string> defines("D", cl::Prefix,
                              cl::desc("Set a parameter: -D NAME=VALUE"),
                              cl::value_desc("NAME=VALUE"),
                              cl::cat(afcCategory));
cl::list<std::string> includeDirs("I", cl::Prefix,
                                  cl::desc("Add a directory to the import "
                                           "search path"),
                                  cl::value_desc("dir"), cl::cat(afcCategory));
cl::opt<std::string> stdlibDir("stdlib",
                               cl::desc("The standard library directory"),
                               cl::value_desc("dir"), cl::init(""),
                               cl::cat(afcCategory));
cl::opt<driver::OutputFormat> format(
    "format", cl::desc("Output format"), cl::init(driver::OutputFormat::Table),
    cl::values(clEnumValN(driver::OutputFormat::Table, "table",
                          "aligned text (default)"),
               clEnumValN(driver::OutputFormat::CSV, "csv", "CSV"),
               clEnumValN(driver::OutputFormat::JSON, "json", "JSON")),
    cl::cat(afcCategory));
cl::opt<std::string> outputFile("o", cl::desc("Write results to a file"),
                                cl::value_desc("file"), cl::init("-"),
                                cl::cat(afcCategory));
cl::opt<std::string> einsumName(
    "einsum",
    cl::desc("Evaluate Einsum-dependent fields for this Einsum (default: the "
             "first)"),
    cl::value_desc("name"), cl::init(""), cl::cat(afcCategory));
cl::opt<std::string> archName("arch", cl::desc("The architecture to use"),
                              cl::value_desc("name"), cl::init(""),
                              cl::cat(afcCategory));
cl::opt<std::string> workloadName("workload",
                                  cl::desc("The workload to use"),
                                  cl::value_desc("name"), cl::init(""),
                                  cl::cat(afcCategory));
cl::opt<std::string> mappingName("mapping", cl::desc("The mapping to use"),
                                 cl::value_desc("name"), cl::init(""),
                                 cl::cat(afcCategory));
cl::opt<std::string> studyName("study", cl::desc("Run only this study"),
                               cl::value_desc("name"), cl::init(""),
                               cl::cat(afcCategory));
cl::opt<std::string> outputDir("output-dir",
                               cl::desc("Directory for reports and plots"),
                               cl::value_desc("dir"), cl::init("."),
                               cl::cat(afcCategory));
cl::opt<unsigned> threads("j", cl::desc("Threads (default: every core)"),
                          cl::value_desc("N"), cl::init(0), cl::Prefix,
                          cl::cat(afcCategory));
cl::opt<bool> quiet("quiet", cl::desc("No progress or summary output"),
                    cl::init(false), cl::cat(afcCategory));
cl::opt<std::string> mapperName("mapper",
                                cl::desc("The mapper settings to use"),
                                cl::value_desc("name"), cl::init(""),
                                cl::cat(afcCategory));
cl::opt<ir::Metric> metric(
    "metric", cl::desc("What the mapper minimises"), cl::init(ir::Metric(0)),
    cl::values(clEnumValN(ir::MetricEnergy, "energy", "total energy"),
               clEnumValN(ir::MetricLatency, "latency", "total latency"),
               clEnumValN(ir::MetricEDP, "edp", "energy-delay product")),
    cl::cat(afcCategory));
cl::opt<bool> unfused("unfused",
                      cl::desc("Keep every tensor in the outermost memory"),
                      cl::init(false), cl::cat(afcCategory));
cl::opt<std::string> saveMapping(
    "save-mapping", cl::desc("afc map: write the best mapping to a file"),
    cl::value_desc("file.af"), cl::init(""), cl::cat(afcCategory));
cl::opt<bool> noJit("no-jit",
                    cl::desc("Interpret generated kernels instead of "
                             "compiling them"),
                    cl::init(false), cl::cat(afcCategory));
cl::opt<EmitKind> emit("emit", cl::desc("Print an intermediate form"),
                       cl::init(EmitKind::None),
                       cl::values(clEnumValN(EmitKind::IR, "ir",
                                             "the elaborated IR"),
                                  clEnumValN(EmitKind::KernelIR, "kernel-ir",
                                             "the LLVM IR of generated "
                                             "kernels")),
                       cl::cat(afcCategory));

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

std::string defaultStdlib() {
  if (!stdlibDir.empty())
    return stdlibDir;
  if (auto env = llvm::sys::Process::GetEnv("AFC_STDLIB"))
    return *env;
  return AFC_DEFAULT_STDLIB_DIR;
}

/// Parses and evaluates each -D NAME=VALUE. The value text goes into its own
/// buffer so that errors in it are shown like any other.
bool parseDefines(DiagnosticEngine &diags, ParamOverrides &out) {
  bool ok = true;
  for (const std::string &d : defines) {
    size_t eq = d.find('=');
    if (eq == std::string::npos || eq == 0) {
      diags.error("-D expects NAME=VALUE, got '" + d + "'");
      ok = false;
      continue;
    }
    std::string name = d.substr(0, eq);
    auto buf = llvm::MemoryBuffer::getMemBufferCopy(d.substr(eq + 1),
                                                    "<-D " + name + ">");
    unsigned id = diags.sourceMgr().AddNewSourceBuffer(std::move(buf),
                                                       llvm::SMLoc());
    ast::ExprPtr expr = parseExpression(id, diags);
    if (!expr) {
      ok = false;
      continue;
    }
    ir::ExprEvaluator eval(&diags);
    ir::Scope empty;
    std::optional<ir::Value> v = eval.eval(*expr, empty);
    if (!v) {
      ok = false;
      continue;
    }
    // The range points into the SourceMgr's buffer, which outlives `expr`.
    out[name] = {*v, expr->getRange()};
  }
  return ok;
}

int runCompiler(Command command) {
  llvm::SourceMgr sm;
  DiagnosticEngine diags(sm);
  if (inputFiles.empty()) {
    diags.error("no input files");
    diags.note("usage: afc [check] FILE.af... ; see afc --help");
    return 1;
  }
  std::vector<std::string> search(includeDirs.begin(), includeDirs.end());
  search.push_back(defaultStdlib());
  ModuleLoader loader(diags, search);
  for (const std::string &f : inputFiles)
    loader.loadRoot(f);
  ParamOverrides overrides;
  parseDefines(diags, overrides);
  if (diags.hadError())
    return 1;
  std::vector<const ast::Module *> modules;
  for (const auto &m : loader.modules())
    modules.push_back(m.get());
  std::unique_ptr<ir::Spec> spec = elaborate(modules, overrides, diags);
  if (!spec)
    return 1;
  if (emit == EmitKind::IR) {
    ir::print(*spec, llvm::outs());
    return 0;
  }
  driver::CommonOptions options;
  options.stdlibDir = defaultStdlib();
  options.format = format;
  options.outputFile = outputFile;
  options.einsum = einsumName;
  options.arch = archName;
  options.workload = workloadName;
  options.mapping = mappingName;
  options.study = studyName;
  options.outputDir = outputDir;
  options.threads = threads;
  options.quiet = quiet;
  options.mapper = mapperName;
  options.metric = unsigned(metric.getValue());
  options.unfused = unfused;
  options.saveMapping = saveMapping;
  options.jit = !noJit;
  if (emit == EmitKind::KernelIR)
    return command == Command::Map
               ? driver::printTemplateKernels(*spec, diags, options,
                                              llvm::outs())
               : driver::printKernels(*spec, diags, llvm::outs());
  switch (command) {
  case Command::Check:
    return 0;
  case Command::Components:
    return driver::runComponents(*spec, diags, options);
  case Command::Eval:
    return driver::runEval(*spec, diags, options);
  case Command::Map:
    return driver::runMap(*spec, diags, options);
  case Command::Run:
    return driver::runStudies(
        *spec, diags, options,
        [&](const ParamOverrides &params) -> std::shared_ptr<const ir::Spec> {
          ParamOverrides merged = params;
          for (auto &[k, v] : overrides)
            merged[k] = v; // the command line wins
          return elaborate(modules, merged, diags, /*checkStudies=*/false);
        });
  }
  return 0;
}

struct ThreadArgs {
  Command command;
  int result;
};

void *threadMain(void *p) {
  auto *args = static_cast<ThreadArgs *>(p);
  args->result = runCompiler(args->command);
  return nullptr;
}

} // namespace

int main(int argc, char **argv) {
  Command command = Command::Check;
  std::vector<char *> args(argv, argv + argc);
  if (args.size() > 1)
    for (const CommandInfo &c : kCommands)
      if (std::strcmp(args[1], c.name) == 0) {
        command = c.command;
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
  // The parser and evaluator recurse over the input; a large stack lets deep
  // but legal input through, and the front end bounds the depth well below.
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, size_t(256) << 20);
  ThreadArgs targs{command, 1};
  pthread_t thread;
  if (pthread_create(&thread, &attr, threadMain, &targs) != 0)
    return runCompiler(command);
  pthread_join(thread, nullptr);
  llvm::outs().flush();
  return targs.result;
}
