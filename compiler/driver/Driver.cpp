//===- Driver.cpp - afc as a library call ---------------------------------===//
//
// The front end of one invocation (load the files and their imports, parse
// -D values, elaborate), then the requested intermediate form or command.
// Every error a user can cause is a diagnostic and exit code 1; a broken
// invariant of afc itself (afc::InternalError, possibly from a worker
// thread) is caught here and becomes exit code 70 with a request to report
// it, so it is never mistaken for a problem in the input.
//
//===----------------------------------------------------------------------===//
#include "afc/driver/Driver.h"
#include "Commands.h"

#include "afc/ast/ASTPrinter.h"
#include "afc/ir/IRPrinter.h"
#include "afc/lower/ComponentChecks.h"
#include "afc/parse/ModuleLoader.h"
#include "afc/parse/Parser.h"
#include "afc/sema/Elaborator.h"
#include "afc/support/InternalError.h"

#include "llvm/Support/Process.h"

#include <algorithm>

using namespace afc;
using namespace afc::driver;

std::string driver::defaultStdlibDir() {
  if (auto env = llvm::sys::Process::GetEnv("AFC_STDLIB"))
    return *env;
  return AFC_DEFAULT_STDLIB_DIR;
}

namespace {

/// `--emit=ast`: the files named on the command line, not their imports.
void printASTs(const Options &options, const ModuleLoader &loader,
               const llvm::SourceMgr &sm, llvm::raw_ostream &out) {
  for (const auto &m : loader.modules()) {
    bool named = std::any_of(
        options.inputFiles.begin(), options.inputFiles.end(),
        [&](const std::string &f) {
          return f == m->filename || (f == "-" && m->filename == "<stdin>");
        });
    if (named)
      ast::dumpAST(*m, sm, out);
  }
}

/// Runs the command on the elaborated program.
int dispatch(const ir::Spec &spec, Context &ctx,
             const lower::ElaborateFn &elaborate) {
  const Options &options = ctx.options;
  if (options.emit == EmitKind::IR) {
    ir::print(spec, ctx.out);
    return 0;
  }
  // Component classes and attributes are checked once, before any command
  // (`check` included) costs a component.
  if (!lower::checkComponents(spec, ctx.diags))
    return 1;
  if (options.emit == EmitKind::KernelIR)
    return options.command == Command::Map ? printTemplateKernels(spec, ctx)
                                           : printKernels(spec, ctx);
  // Plot mistakes surface here rather than after a study has run.
  if (!lower::checkPlots(spec, ctx.diags))
    return 1;
  switch (options.command) {
  case Command::Check:
    return 0;
  case Command::Components:
    return runComponents(spec, ctx);
  case Command::Eval:
    return runEval(spec, ctx);
  case Command::Map:
    return runMap(spec, ctx);
  case Command::Run:
    return runStudies(spec, ctx, elaborate);
  case Command::Describe: // handled before the files are read
    break;
  }
  return 0;
}

int runInvocation(const Options &options, llvm::raw_ostream &out,
                  llvm::raw_ostream &err) {
  if (options.debugInternalError)
    AFC_INTERNAL_ERROR << "requested with --debug-internal-error";
  llvm::SourceMgr sm;
  DiagnosticEngine diags(sm, err);
  Context ctx{options, diags, out, err,
              options.stdlibDir.empty() ? defaultStdlibDir()
                                        : options.stdlibDir,
              {}};
  ctx.sources = &sm;
  // The component reference needs no files.
  if (options.command == Command::Describe)
    return runDescribe(ctx);
  if (options.command == Command::Components && options.listClasses)
    return listComponentClasses(ctx);
  if (options.inputFiles.empty()) {
    diags.error("no input files");
    diags.note("usage: afc [check] FILE.af... ; see afc --help");
    return 1;
  }
  std::vector<std::string> search(options.includeDirs);
  search.push_back(ctx.stdlibDir);
  ModuleLoader loader(diags, search);
  for (const std::string &f : options.inputFiles)
    loader.loadRoot(f);
  for (const auto &m : loader.modules())
    if (m->filename != "<stdin>")
      ctx.sourceFiles.push_back(m->filename);
  if (options.emit == EmitKind::AST) {
    if (diags.hadError())
      return 1;
    printASTs(options, loader, sm, out);
    return 0;
  }
  ParamOverrides overrides;
  parseDefines(options.defines, diags, overrides);
  if (diags.hadError())
    return 1;
  std::vector<const ast::Module *> modules;
  for (const auto &m : loader.modules())
    modules.push_back(m.get());
  std::unique_ptr<ir::Spec> spec = elaborate(modules, overrides, diags);
  if (!spec)
    return 1;
  return dispatch(
      *spec, ctx,
      [&](const ParamOverrides &params) -> std::shared_ptr<const ir::Spec> {
        ParamOverrides merged = params;
        for (auto &[k, v] : overrides)
          merged[k] = v; // the command line wins
        return elaborateProgram(modules, merged, diags);
      });
}

} // namespace

int driver::afcMain(const Options &options, llvm::raw_ostream &out,
                    llvm::raw_ostream &err) {
  int rc;
  try {
    rc = runInvocation(options, out, err);
  } catch (const InternalError &e) {
    out.flush();
    err << "afc: internal error: " << e.what() << "\n"
        << "afc: this is a bug in afc, not in the input; please report it "
           "with the command line and the .af files that trigger it\n";
    err.flush();
    return kInternalErrorExitCode;
  }
  out.flush();
  return rc;
}
