//===- Builtins.h - the built-in functions of .af expressions ---*- C++ -*-===//
//
// Private to afcIR. The built-in functions (`range`, `logspace`, `min`,
// ...) are one table: a name and a handler each. The evaluator looks calls
// up in it, and the same table lists the names for "did you mean" hints,
// so a new function cannot be callable yet missing from the hints.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_COMPILER_IR_BUILTINS_H
#define AFC_COMPILER_IR_BUILTINS_H

#include "afc/ast/AST.h"
#include "afc/ir/Value.h"

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/Twine.h"

#include <optional>
#include <vector>

namespace afc::ir::detail {

bool isInteger(const Value &v);

/// A quantity with a unit raised to a larger power is surely a mistake, and
/// the unit's exponents (8-bit) would not hold it.
constexpr int kMaxUnitPower = 64;

/// Dimensions for `+`, `-` and comparisons: equal, or one side plain.
std::optional<Dimension> commonDimension(const Value &a, const Value &b);
/// Messages for a unit exponent that would leave Dimension's range.
std::string unitOverflowError();
std::string unitPowerError(Dimension base);

struct Builtin;

/// One call of a built-in function: its evaluated arguments and how to
/// report errors and iterate values in the caller's scope.
struct BuiltinCall {
  const Builtin &builtin;
  llvm::StringRef name;
  const ast::CallExpr &expr;
  std::vector<Value> &args;
  llvm::function_ref<std::nullopt_t(llvm::SMRange, const llvm::Twine &)> error;
  llvm::function_ref<std::optional<std::vector<Value>>(const Value &)> iterate;

  llvm::SMRange range() const { return expr.getRange(); }
  /// Checks the argument count; reports and returns false otherwise.
  bool arity(size_t lo, size_t hi);
  /// Argument `i` if it is a number (or a boolean); reports otherwise.
  std::optional<Value> number(size_t i);
  /// One iterable argument or several arguments, like Python's min/max.
  std::optional<std::vector<Value>> elements();
};

using BuiltinFn = std::optional<Value> (*)(BuiltinCall &call);

struct Builtin {
  const char *name;
  BuiltinFn fn;
  /// For the plain one-argument math functions: what they compute.
  double (*math)(double) = nullptr;
};

/// The built-in named `name`, or null.
const Builtin *findBuiltin(llvm::StringRef name);

} // namespace afc::ir::detail

#endif // AFC_COMPILER_IR_BUILTINS_H
