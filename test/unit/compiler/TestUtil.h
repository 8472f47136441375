//===- TestUtil.h - helpers for compiler unit tests -------------*- C++ -*-===//
#ifndef AFC_TEST_UNIT_COMPILER_TESTUTIL_H
#define AFC_TEST_UNIT_COMPILER_TESTUTIL_H

#include "Compiled.h"

#include "afc/parse/Parser.h"

#include "llvm/Support/MemoryBuffer.h"

#include <memory>
#include <string>

namespace afc::test {

/// Evaluates a standalone expression in `scope`; errors go to `error`.
inline std::optional<ir::Value> evalIn(const std::string &text,
                                       const ir::Scope &scope,
                                       std::string *error = nullptr) {
  llvm::SourceMgr sm;
  std::string errors;
  llvm::raw_string_ostream os(errors);
  DiagnosticEngine diags(sm, os);
  unsigned id = sm.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(text, "expr"), llvm::SMLoc());
  ast::ExprPtr e = parseExpression(id, diags);
  std::optional<ir::Value> v;
  if (e) {
    ir::ExprEvaluator eval(&diags);
    v = eval.eval(*e, scope);
  }
  os.flush();
  if (error)
    *error = errors;
  return v;
}

/// Evaluates a standalone expression in an empty scope.
inline std::optional<ir::Value> evalText(const std::string &text,
                                         std::string *error = nullptr) {
  ir::Scope empty;
  return evalIn(text, empty, error);
}

} // namespace afc::test

#endif
