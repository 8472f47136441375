//===- Defines.cpp - -D NAME=VALUE parameter values -----------------------===//
//
// Parameter values given from outside the program: the command line's -D
// and the Python module's keyword arguments. Each value is .af expression
// text in a buffer of its own, so its errors are shown like any other.
//
//===----------------------------------------------------------------------===//
#include "Commands.h"

#include "afc/ir/ExprEvaluator.h"
#include "afc/parse/Parser.h"

#include "llvm/Support/MemoryBuffer.h"

using namespace afc;

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

} // namespace

bool driver::parseDefines(const std::vector<std::string> &defines,
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
