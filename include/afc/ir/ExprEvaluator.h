//===- ExprEvaluator.h - evaluate .af expressions ---------------*- C++ -*-===//
//
// Evaluates AST expressions to Values in a Scope. Used at compile time (to
// elaborate parameters, loops and fields) and later, per Einsum or after the
// model has counted actions, for the expressions the reference keeps
// unevaluated (`enabled`, placement rules, `total_latency`).
//
// Quantities carry dimensions: `+`, `-` and comparisons need matching
// dimensions (a plain number adapts to the other side, as the reference has
// no units), `*` and `/` combine them.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_IR_EXPREVALUATOR_H
#define AFC_IR_EXPREVALUATOR_H

#include "afc/ast/AST.h"
#include "afc/ir/Value.h"
#include "afc/support/Diagnostics.h"

#include "llvm/ADT/StringMap.h"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>

namespace afc::ir {

/// What expressions need to know about the Einsum they are evaluated for:
/// the universes for `~`, and per-tensor facts for `.bits_per_value` and
/// `.rank_variables`.
struct EinsumContext {
  std::string name;
  NameSet tensors;       ///< All
  NameSet rankVariables; ///< all rank variables of the Einsum
  std::map<std::string, double> bitsPerValue;
  std::map<std::string, NameSet> tensorRankVariables;
};

class Scope;
using ScopePtr = std::shared_ptr<const Scope>;

/// A compile-time function (`def f(a, b) = expr;`). It sees the scope it was
/// defined in; held weakly, since that scope holds the function.
struct Function {
  std::string name;
  std::vector<std::string> params;
  const ast::Expr *body = nullptr;
  std::weak_ptr<const Scope> scope;
};

/// A frame of named values with a parent; closures keep the frames they
/// were created in alive.
class Scope {
public:
  explicit Scope(ScopePtr parent = nullptr,
                 const EinsumContext *einsum = nullptr)
      : parent(std::move(parent)), einsumCtx(einsum) {}

  void define(llvm::StringRef name, Value v) { vars[name] = std::move(v); }
  void defineFunction(std::shared_ptr<const Function> f) {
    std::string n = f->name;
    functions[n] = std::move(f);
  }
  /// The innermost function of that name, or null.
  const Function *lookupFunction(llvm::StringRef name) const {
    for (const Scope *s = this; s; s = s->parent.get())
      if (auto it = s->functions.find(name); it != s->functions.end())
        return it->second.get();
    return nullptr;
  }
  /// Names that this frame defines when it does not define them itself,
  /// shared between frames (every tensor of a workload, for each of its
  /// Einsums) so that building a frame does not copy them.
  using SharedNames = std::shared_ptr<const llvm::StringMap<Value>>;
  void setFallback(SharedNames names) { fallback = std::move(names); }
  const Value *lookup(llvm::StringRef name) const;
  const Value *lookupLocal(llvm::StringRef name) const {
    auto it = vars.find(name);
    if (it != vars.end())
      return &it->second;
    if (fallback) {
      auto f = fallback->find(name);
      if (f != fallback->end())
        return &f->second;
    }
    return nullptr;
  }
  /// Every visible name, for "did you mean" hints.
  void collectNames(std::vector<std::string> &out) const;
  const EinsumContext *einsum() const;
  const ScopePtr &getParent() const { return parent; }

private:
  ScopePtr parent;
  const EinsumContext *einsumCtx;
  llvm::StringMap<Value> vars;
  llvm::StringMap<std::shared_ptr<const Function>> functions;
  SharedNames fallback;
};

/// Evaluates expressions. With a DiagnosticEngine it reports errors at the
/// offending sub-expression; without one it is quiet and only remembers the
/// first error (for expressions that are tried early and kept for later).
class ExprEvaluator {
public:
  explicit ExprEvaluator(DiagnosticEngine *diags) : diags(diags) {}

  std::optional<Value> eval(const ast::Expr &e, const Scope &scope);
  /// Expands a generated name such as `T${i + 1}`.
  std::optional<std::string> evalName(const ast::Name &n, const Scope &scope);

  const std::string &firstError() const { return firstErrorMessage; }
  /// True when the first error was a name that is not defined.
  bool failedOnUnknownName() const { return unknownName; }
  /// The undefined name when failedOnUnknownName().
  const std::string &unknownNameSpelling() const { return unknownSpelling; }
  /// Counts `n` units of compile-time work (values created, loop
  /// iterations) against the evaluation limit; past it, reports at `r` once
  /// and returns false.
  bool charge(llvm::SMRange r, uint64_t n);

  /// Forgets earlier errors so the evaluator can be reused quietly.
  void reset() {
    firstErrorMessage.clear();
    unknownSpelling.clear();
    unknownName = hadError = false;
  }

private:
  std::optional<Value> evalUnary(const ast::UnaryExpr &e, const Scope &s);
  std::optional<Value> evalBinary(const ast::BinaryExpr &e, const Scope &s);
  std::optional<Value> evalCompare(const ast::CompareExpr &e, const Scope &s);
  std::optional<Value> evalDefined(const ast::CallExpr &e, const Scope &s);
  std::optional<Value> evalCall(const ast::CallExpr &e, const Scope &s);
  std::optional<Value> callFunction(const Function &f, const ast::CallExpr &e,
                                    const Scope &s);
  std::optional<Value> evalMember(const ast::MemberExpr &e, const Scope &s);
  std::optional<Value> evalIndex(const ast::IndexExpr &e, const Scope &s);
  std::optional<std::vector<Value>> iterate(const Value &v, llvm::SMRange r,
                                            const Scope &s);
  std::optional<std::vector<Value>>
  comprehension(const ast::Expr &element, const ast::Comprehension &comp,
                const Scope &s);
  std::optional<Value> builtin(llvm::StringRef name, const ast::CallExpr &e,
                               std::vector<Value> &args, const Scope &s);
  std::nullopt_t error(llvm::SMRange r, const llvm::Twine &msg);
  /// A new list or string, checked against the list-length limit and
  /// charged for its size.
  std::optional<Value> created(llvm::SMRange r, Value v);
  std::nullopt_t tooLong(llvm::SMRange r, bool list, uint64_t n);

  DiagnosticEngine *diags;
  std::string firstErrorMessage;
  std::string unknownSpelling;
  bool unknownName = false;
  bool hadError = false;
  uint64_t steps = 0;
  bool overBudget = false;
  unsigned callDepth = 0;
};

/// Names of the built-in functions, for hints and to keep user names apart.
const std::vector<std::string> &builtinFunctionNames();

} // namespace afc::ir

#endif // AFC_IR_EXPREVALUATOR_H
