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
#include "afc/ir/ExprEvaluator.h"
#include "afc/ir/IRPrinter.h"
#include "afc/lower/ComponentChecks.h"
#include "afc/parse/ModuleLoader.h"
#include "afc/parse/Parser.h"
#include "afc/sema/Elaborator.h"
#include "afc/support/InternalError.h"

#include "llvm/Support/MemoryBuffer.h"
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

/// The names a -D value may use besides literals: the reference's
/// parameters are Jinja (Python) values, so `-D DECODE=False` as written for
/// it means the same here. Only on the command line: in `.af` text `true` and
/// `false` stay the one spelling.
const ir::Scope &pythonLiterals() {
  static const ir::Scope scope = [] {
    ir::Scope s;
    s.define("True", ir::Value::boolean(true));
    s.define("False", ir::Value::boolean(false));
    s.define("None", ir::Value());
    return s;
  }();
  return scope;
}

/// Parses and evaluates each -D NAME=VALUE. The value text goes into its own
/// buffer so that errors in it are shown like any other.
bool parseDefines(const std::vector<std::string> &defines,
                  DiagnosticEngine &diags, ParamOverrides &out) {
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
    unsigned id =
        diags.sourceMgr().AddNewSourceBuffer(std::move(buf), llvm::SMLoc());
    ast::ExprPtr expr = parseExpression(id, diags);
    if (!expr) {
      ok = false;
      continue;
    }
    ir::ExprEvaluator eval(&diags);
    std::optional<ir::Value> v = eval.eval(*expr, pythonLiterals());
    if (!v) {
      // The reference's cases name string values bare
      // (ATTENTION_TYPE=grouped_query); here a string is quoted.
      if (llvm::isa<ast::NameExpr>(*expr))
        diags.note("a string value is quoted: -D " + name + "='\"" +
                   expr->text() + "\"'");
      ok = false;
      continue;
    }
    // The range points into the SourceMgr's buffer, which outlives `expr`.
    out[name] = {*v, expr->getRange()};
  }
  return ok;
}

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
  }
  return 0;
}

int runInvocation(const Options &options, llvm::raw_ostream &out,
                  llvm::raw_ostream &err) {
  if (options.debugInternalError)
    AFC_INTERNAL_ERROR << "requested with --debug-internal-error";
  llvm::SourceMgr sm;
  DiagnosticEngine diags(sm, err);
  if (options.inputFiles.empty()) {
    diags.error("no input files");
    diags.note("usage: afc [check] FILE.af... ; see afc --help");
    return 1;
  }
  Context ctx{options, diags, out, err,
              options.stdlibDir.empty() ? defaultStdlibDir()
                                        : options.stdlibDir};
  std::vector<std::string> search(options.includeDirs);
  search.push_back(ctx.stdlibDir);
  ModuleLoader loader(diags, search);
  for (const std::string &f : options.inputFiles)
    loader.loadRoot(f);
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
        return elaborate(modules, merged, diags,
                         /*checkStudies=*/false);
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
