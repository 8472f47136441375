//===- ExprEvaluator.cpp - evaluate .af expressions -----------------------===//
//
// Names, operators with their unit rules, members, indexing, comprehensions
// and calls; the built-in functions themselves are in Builtins.cpp.
//
//===----------------------------------------------------------------------===//
#include "afc/ir/ExprEvaluator.h"
#include "Builtins.h"

#include "afc/support/InternalError.h"
#include "afc/support/Limits.h"

#include "llvm/Support/Casting.h"

#include <algorithm>
#include <cmath>

using namespace afc;
using namespace afc::ir;
using namespace afc::ast;
using llvm::cast;
using llvm::dyn_cast;
using llvm::SMRange;
using ir::detail::commonDimension;
using ir::detail::isInteger;
using ir::detail::kMaxUnitPower;

const Value *Scope::lookup(llvm::StringRef name) const {
  for (const Scope *s = this; s; s = s->parent.get())
    if (const Value *v = s->lookupLocal(name))
      return v;
  return nullptr;
}

void Scope::collectNames(std::vector<std::string> &out) const {
  for (const Scope *s = this; s; s = s->parent.get()) {
    for (auto &e : s->vars)
      out.push_back(e.getKey().str());
    if (s->fallback)
      for (auto &e : *s->fallback)
        if (!s->vars.count(e.getKey()))
          out.push_back(e.getKey().str());
  }
}

const EinsumContext *Scope::einsum() const {
  for (const Scope *s = this; s; s = s->parent.get())
    if (s->einsumCtx)
      return s->einsumCtx;
  return nullptr;
}

std::nullopt_t ExprEvaluator::error(SMRange r, const llvm::Twine &msg) {
  if (!hadError)
    firstErrorMessage = msg.str();
  hadError = true;
  if (diags)
    diags->error(r, msg);
  return std::nullopt;
}

bool ExprEvaluator::charge(SMRange r, uint64_t n) {
  if (overBudget)
    return false;
  steps += n;
  if (steps <= limits().maxEvalSteps)
    return true;
  overBudget = true;
  error(r, "compile-time evaluation creates more than " +
               std::to_string(limits().maxEvalSteps) + " values (" +
               limitFlag("max-eval-steps", limits().maxEvalSteps) + ")");
  if (diags)
    diags->note(r, "loops and comprehensions multiply: raise the limit with "
                   "--max-eval-steps=N if this much work is intended");
  return false;
}

std::nullopt_t ExprEvaluator::tooLong(SMRange r, bool list, uint64_t n) {
  uint64_t limit = limits().maxListLength;
  return error(r, std::string(list ? "list" : "string") + " would have " +
                      std::to_string(n) + (list ? " elements" : " characters") +
                      ", more than " + std::to_string(limit) + " (" +
                      limitFlag("max-list-length", limit) +
                      "); raise the limit with --max-list-length=N");
}

std::optional<Value> ExprEvaluator::created(SMRange r, Value v) {
  uint64_t n = v.isList() ? v.asList().size() : v.asString().size();
  if (n > limits().maxListLength)
    return tooLong(r, v.isList(), n);
  if (!charge(r, n))
    return std::nullopt;
  return v;
}

std::optional<std::string> ExprEvaluator::evalName(const Name &n,
                                               const Scope &scope) {
  std::string out;
  for (const Name::Piece &p : n.pieces) {
    if (!p.expr) {
      out += p.text;
      continue;
    }
    std::optional<Value> v = eval(*p.expr, scope);
    if (!v)
      return std::nullopt;
    if (isInteger(*v) && v->getDimension().isDimensionless())
      out += formatNumber(v->asNumber());
    else if (v->isString())
      out += v->asString();
    else
      return error(p.expr->getRange(),
                   "a generated name can only contain integers and strings, "
                   "not " + v->describe());
  }
  return out;
}

std::optional<Value> ExprEvaluator::eval(const Expr &e, const Scope &scope) {
  switch (e.getKind()) {
  case Expr::EK_Number: {
    auto &n = cast<NumberExpr>(e);
    if (n.unit.empty())
      return Value::number(n.value);
    const Unit *u = lookupUnit(n.unit);
    if (!u)
      return error(n.unitRange, "unknown unit '" + n.unit + "'" +
                                    didYouMean(n.unit, unitNames()));
    return Value::number(toBaseUnits(n.digits, n.value, *u), u->dimension);
  }
  case Expr::EK_String:
    return Value::string(cast<StringExpr>(e).value);
  case Expr::EK_Bool:
    return Value::boolean(cast<BoolExpr>(e).value);
  case Expr::EK_Name: {
    auto &n = cast<NameExpr>(e);
    std::optional<std::string> name = evalName(n.name, scope);
    if (!name)
      return std::nullopt;
    if (const Value *v = scope.lookup(*name))
      return *v;
    if (*name == "inf")
      return Value::number(INFINITY);
    if (*name == "nan")
      return Value::number(NAN);
    if (*name == "pi")
      return Value::number(M_PI);
    std::vector<std::string> candidates;
    scope.collectNames(candidates);
    if (!hadError) {
      unknownName = true;
      unknownSpelling = *name;
    }
    // Python's spellings, as reference specs write them.
    if (*name == "True" || *name == "False")
      return error(e.getRange(), "unknown name '" + *name +
                                     "'; .af writes '" +
                                     llvm::StringRef(*name).lower() + "'");
    // `25.6 GB / s`: a unit stands only after a number.
    if (const Unit *u = lookupUnit(*name); u && u->dimension == dim::time)
      return error(e.getRange(),
                   "unknown name '" + *name + "'; '" + *name +
                       "' is a unit, which follows a number: write 25.6 "
                       "GB/s, or divide by a quantity (x / 1 " +
                       *name + ")");
    return error(e.getRange(),
                 "unknown name '" + *name + "'" + didYouMean(*name, candidates));
  }
  case Expr::EK_Member:
    return evalMember(cast<MemberExpr>(e), scope);
  case Expr::EK_Index:
    return evalIndex(cast<IndexExpr>(e), scope);
  case Expr::EK_Call:
    return evalCall(cast<CallExpr>(e), scope);
  case Expr::EK_Unary:
    return evalUnary(cast<UnaryExpr>(e), scope);
  case Expr::EK_Binary:
    return evalBinary(cast<BinaryExpr>(e), scope);
  case Expr::EK_Compare:
    return evalCompare(cast<CompareExpr>(e), scope);
  case Expr::EK_Cond: {
    auto &c = cast<CondExpr>(e);
    std::optional<Value> cond = eval(*c.cond, scope);
    if (!cond)
      return std::nullopt;
    return eval(cond->truthy() ? *c.then : *c.otherwise, scope);
  }
  case Expr::EK_List: {
    std::vector<Value> elems;
    for (const ExprPtr &x : cast<ListExpr>(e).elements) {
      std::optional<Value> v = eval(*x, scope);
      if (!v)
        return std::nullopt;
      elems.push_back(std::move(*v));
    }
    return created(e.getRange(), Value::list(std::move(elems)));
  }
  case Expr::EK_ListComp: {
    auto &lc = cast<ListCompExpr>(e);
    auto elems = comprehension(*lc.element, lc.comp, scope);
    if (!elems)
      return std::nullopt;
    return created(e.getRange(), Value::list(std::move(*elems)));
  }
  }
  return error(e.getRange(), "cannot evaluate this expression");
}

std::optional<Value> ExprEvaluator::evalUnary(const UnaryExpr &e, const Scope &s) {
  std::optional<Value> v = eval(*e.operand, s);
  if (!v)
    return std::nullopt;
  switch (e.op) {
  case UnaryOp::Not:
    return Value::boolean(!v->truthy());
  case UnaryOp::Neg:
  case UnaryOp::Plus:
    if (!v->isNumber() && !v->isBool())
      return error(e.getRange(), "cannot negate " + v->describe());
    return Value::number(e.op == UnaryOp::Neg ? -v->asNumber() : v->asNumber(),
                         v->getDimension());
  case UnaryOp::Complement: {
    if (!v->isSet())
      return error(e.getRange(),
                   "'~' takes a set of tensors or rank variables, not " +
                       v->describe());
    const EinsumContext *ctx = s.einsum();
    NameSet universe = v->asSet().universe == NameSet::Tensors
                           ? (ctx ? ctx->tensors : NameSet())
                           : (ctx ? ctx->rankVariables : NameSet());
    universe.universe = v->asSet().universe;
    return Value::set(universe.minus(v->asSet()));
  }
  }
  return std::nullopt;
}

std::optional<Value> ExprEvaluator::evalBinary(const BinaryExpr &e,
                                           const Scope &s) {
  // Short-circuit like Python, returning the deciding operand.
  if (e.op == BinaryOp::And || e.op == BinaryOp::Or) {
    std::optional<Value> l = eval(*e.lhs, s);
    if (!l)
      return std::nullopt;
    if ((e.op == BinaryOp::And) != l->truthy())
      return l;
    return eval(*e.rhs, s);
  }
  std::optional<Value> l = eval(*e.lhs, s);
  if (!l)
    return std::nullopt;
  std::optional<Value> r = eval(*e.rhs, s);
  if (!r)
    return std::nullopt;
  auto mismatch = [&]() {
    return error(e.opRange, "cannot apply '" + spell(e.op) + "' to " +
                                l->describe() + " and " + r->describe());
  };
  if (l->isSet() && r->isSet()) {
    const NameSet &a = l->asSet(), &b = r->asSet();
    switch (e.op) {
    case BinaryOp::SetOr: return Value::set(a.unite(b));
    case BinaryOp::SetAnd: return Value::set(a.intersect(b));
    case BinaryOp::SetXor: return Value::set(a.symmetricDifference(b));
    case BinaryOp::Sub: return Value::set(a.minus(b));
    default: return mismatch();
    }
  }
  // Concatenation is how lists and strings grow without bound (`x + x` in
  // a loop doubles), so the result's size is checked before it is built.
  if (l->isList() && r->isList() && e.op == BinaryOp::Add) {
    uint64_t n = l->asList().size() + r->asList().size();
    if (n > limits().maxListLength)
      return tooLong(e.opRange, true, n);
    std::vector<Value> out = l->asList();
    out.insert(out.end(), r->asList().begin(), r->asList().end());
    return created(e.opRange, Value::list(std::move(out)));
  }
  if (l->isString() && r->isString() && e.op == BinaryOp::Add) {
    uint64_t n = l->asString().size() + r->asString().size();
    if (n > limits().maxListLength)
      return tooLong(e.opRange, false, n);
    return created(e.opRange, Value::string(l->asString() + r->asString()));
  }
  bool lNum = l->isNumber() || l->isBool(), rNum = r->isNumber() || r->isBool();
  if (!lNum || !rNum)
    return mismatch();
  double a = l->asNumber(), b = r->asNumber();
  Dimension da = l->getDimension(), db = r->getDimension();
  switch (e.op) {
  case BinaryOp::Add:
  case BinaryOp::Sub: {
    std::optional<Dimension> d = commonDimension(*l, *r);
    if (!d)
      return error(e.opRange, "cannot " +
                                  std::string(e.op == BinaryOp::Add
                                                  ? "add "
                                                  : "subtract ") +
                                  db.describe() + " (" + db.str() + ") " +
                                  (e.op == BinaryOp::Add ? "to " : "from ") +
                                  da.describe() + " (" + da.str() + ")");
    return Value::number(e.op == BinaryOp::Add ? a + b : a - b, *d);
  }
  case BinaryOp::Mul:
    if (std::optional<Dimension> d = da.times(db))
      return Value::number(a * b, *d);
    return error(e.opRange, ir::detail::unitOverflowError());
  case BinaryOp::Div: {
    if (b == 0 && a == 0)
      return error(e.opRange, "division of zero by zero");
    std::optional<Dimension> d = da.over(db);
    if (!d)
      return error(e.opRange, ir::detail::unitOverflowError());
    return Value::number(b == 0 ? (a > 0 ? INFINITY : -INFINITY) : a / b, *d);
  }
  case BinaryOp::Mod:
    if (b == 0)
      return error(e.opRange, "modulo by zero");
    return Value::number(a - b * std::floor(a / b), da);
  case BinaryOp::Pow: {
    if (!db.isDimensionless())
      return error(e.rhs->getRange(), "an exponent must be a plain number");
    if (!da.isDimensionless() && b != std::floor(b))
      return error(e.rhs->getRange(),
                   "a quantity with a unit can only be raised to an integer "
                   "power");
    if (!da.isDimensionless() && std::fabs(b) > kMaxUnitPower)
      return error(e.rhs->getRange(), "a quantity with a unit can only be "
                                      "raised to a power of at most " +
                                          std::to_string(kMaxUnitPower) +
                                          " in magnitude");
    std::optional<Dimension> d = da.raisedTo(b);
    if (!d)
      return error(e.rhs->getRange(), ir::detail::unitPowerError(da));
    return Value::number(std::pow(a, b), *d);
  }
  case BinaryOp::SetOr:
  case BinaryOp::SetAnd:
  case BinaryOp::SetXor:
    if (l->isBool() && r->isBool()) {
      bool x = l->asBool(), y = r->asBool();
      return Value::boolean(e.op == BinaryOp::SetOr    ? (x || y)
                            : e.op == BinaryOp::SetAnd ? (x && y)
                                                       : (x != y));
    }
    if (isInteger(*l) && isInteger(*r)) {
      if (!isExactInteger(a) || !isExactInteger(b))
        return error(e.opRange, "'" + spell(e.op) + "' takes integers of at "
                                "most 2**53 in magnitude");
      long long x = (long long)a, y = (long long)b;
      return Value::number(double(e.op == BinaryOp::SetOr    ? (x | y)
                                  : e.op == BinaryOp::SetAnd ? (x & y)
                                                             : (x ^ y)));
    }
    return mismatch();
  default:
    return mismatch();
  }
}

static bool valuesEqual(const Value &a, const Value &b) {
  if ((a.isNumber() || a.isBool()) && (b.isNumber() || b.isBool()))
    return a.asNumber() == b.asNumber();
  if (a.getKind() != b.getKind())
    return false;
  switch (a.getKind()) {
  case Value::String: return a.asString() == b.asString();
  case Value::Set: return a.asSet().names == b.asSet().names;
  case Value::List: {
    if (a.asList().size() != b.asList().size())
      return false;
    for (size_t i = 0; i < a.asList().size(); ++i)
      if (!valuesEqual(a.asList()[i], b.asList()[i]))
        return false;
    return true;
  }
  case Value::None: return true;
  default: return false;
  }
}

std::optional<Value> ExprEvaluator::evalCompare(const CompareExpr &e,
                                            const Scope &s) {
  std::optional<Value> left = eval(*e.operands[0], s);
  if (!left)
    return std::nullopt;
  if (e.ops.empty())
    return left; // a parenthesised comparison
  for (size_t i = 0; i < e.ops.size(); ++i) {
    std::optional<Value> right = eval(*e.operands[i + 1], s);
    if (!right)
      return std::nullopt;
    bool result;
    CompareOp op = e.ops[i];
    SMRange r(e.operands[i]->getRange().Start,
              e.operands[i + 1]->getRange().End);
    if (op == CompareOp::In || op == CompareOp::NotIn) {
      bool found = false;
      if (right->isSet()) {
        if (left->isString())
          found = right->asSet().contains(left->asString());
        else if (left->isSet())
          found = left->asSet().minus(right->asSet()).names.empty();
        else
          return error(r, "cannot test " + left->describe() + " for "
                          "membership in a set");
      } else if (right->isList()) {
        for (const Value &v : right->asList())
          found |= valuesEqual(*left, v);
      } else if (right->isString() && left->isString()) {
        found = right->asString().find(left->asString()) != std::string::npos;
      } else if (right->isRecord() && left->isString()) {
        found = right->asRecord().count(left->asString()) != 0;
      } else {
        return error(r, "'in' needs a set, list, string or record on its "
                        "right, not " + right->describe());
      }
      result = op == CompareOp::In ? found : !found;
    } else if (op == CompareOp::Eq || op == CompareOp::Ne) {
      if (left->isNumber() && right->isNumber() &&
          !commonDimension(*left, *right))
        return error(r, "cannot compare " + left->describe() + " with " +
                            right->describe());
      bool eq = valuesEqual(*left, *right);
      result = op == CompareOp::Eq ? eq : !eq;
    } else {
      bool ln = left->isNumber() || left->isBool();
      bool rn = right->isNumber() || right->isBool();
      if (!ln || !rn)
        return error(r, "cannot order " + left->describe() + " and " +
                            right->describe());
      if (!commonDimension(*left, *right))
        return error(r, "cannot compare " + left->describe() + " (" +
                            left->getDimension().str() + ") with " +
                            right->describe() + " (" +
                            right->getDimension().str() + ")");
      double a = left->asNumber(), b = right->asNumber();
      result = op == CompareOp::Lt   ? a < b
               : op == CompareOp::Le ? a <= b
               : op == CompareOp::Gt ? a > b
                                     : a >= b;
    }
    if (!result)
      return Value::boolean(false);
    left = std::move(right);
  }
  return Value::boolean(true);
}

std::optional<std::vector<Value>>
ExprEvaluator::iterate(const Value &v, SMRange r, const Scope &s) {
  if (v.isList())
    return v.asList();
  if (v.isSet()) {
    // Iterating a set yields one-element sets, so `t.bits_per_value` works.
    std::vector<Value> out;
    for (const std::string &n : v.asSet().names)
      out.push_back(Value::set(NameSet::of(v.asSet().universe, {n})));
    return out;
  }
  if (v.isRecord()) {
    std::vector<Value> out;
    for (auto &kv : v.asRecord())
      out.push_back(Value::string(kv.first));
    return out;
  }
  error(r, "cannot iterate over " + v.describe());
  return std::nullopt;
}

std::optional<std::vector<Value>>
ExprEvaluator::comprehension(const Expr &element, const Comprehension &comp,
                         const Scope &s) {
  std::optional<Value> iter = eval(*comp.iter, s);
  if (!iter)
    return std::nullopt;
  auto items = iterate(*iter, comp.iter->getRange(), s);
  if (!items)
    return std::nullopt;
  std::vector<Value> out;
  // The loop variable lives in its own frame; the parent is borrowed for
  // the duration of this call only.
  ScopePtr parent(std::shared_ptr<const Scope>(), &s);
  for (const Value &item : *items) {
    if (!charge(comp.iter->getRange(), 1))
      return std::nullopt;
    Scope frame(parent);
    frame.define(comp.var, item);
    if (comp.cond) {
      std::optional<Value> keep = eval(*comp.cond, frame);
      if (!keep)
        return std::nullopt;
      if (!keep->truthy())
        continue;
    }
    std::optional<Value> v = eval(element, frame);
    if (!v)
      return std::nullopt;
    out.push_back(std::move(*v));
  }
  return out;
}

std::optional<Value> ExprEvaluator::evalMember(const MemberExpr &e,
                                           const Scope &s) {
  std::optional<Value> base = eval(*e.base, s);
  if (!base)
    return std::nullopt;
  if (base->isRecord()) {
    auto it = base->asRecord().find(e.member);
    if (it != base->asRecord().end())
      return it->second;
    std::vector<std::string> fields;
    for (auto &kv : base->asRecord())
      fields.push_back(kv.first);
    return error(e.memberRange, "no field '" + e.member + "'" +
                                    didYouMean(e.member, fields));
  }
  if (base->isSet()) {
    const NameSet &set = base->asSet();
    const EinsumContext *ctx = s.einsum();
    if (e.member == "tensors")
      return base;
    if (e.member == "bits_per_value") {
      if (set.names.size() != 1)
        return error(e.getRange(),
                     "'.bits_per_value' needs a set of exactly one tensor; "
                     "this one has " + std::to_string(set.names.size()));
      if (!ctx || !ctx->bitsPerValue.count(set.names[0]))
        return error(e.getRange(), "no bits per value is known for tensor '" +
                                       set.names[0] + "'");
      return Value::number(ctx->bitsPerValue.at(set.names[0]));
    }
    if (e.member == "rank_variables") {
      NameSet out = NameSet::of(NameSet::RankVariables, {});
      if (ctx)
        for (const std::string &t : set.names) {
          auto it = ctx->tensorRankVariables.find(t);
          if (it != ctx->tensorRankVariables.end())
            out = out.unite(it->second);
        }
      return Value::set(out);
    }
    return error(e.memberRange,
                 "a set has no attribute '" + e.member + "'" +
                     didYouMean(e.member, {"bits_per_value", "rank_variables",
                                           "tensors"}));
  }
  return error(e.memberRange,
               base->describe() + " has no attribute '" + e.member + "'");
}

std::optional<Value> ExprEvaluator::evalIndex(const IndexExpr &e, const Scope &s) {
  std::optional<Value> base = eval(*e.base, s);
  if (!base)
    return std::nullopt;
  if (e.items.size() != 1 || !e.items[0].rank.empty())
    return error(e.getRange(), "only Einsums use tensor subscripts such as "
                               "'T[m, n]'; here a single index is expected");
  std::optional<Value> idx = eval(*e.items[0].expr, s);
  if (!idx)
    return std::nullopt;
  if (base->isList()) {
    if (idx->isString()) {
      // actions["read"]: find the record whose name matches.
      for (const Value &v : base->asList())
        if (v.isRecord()) {
          auto it = v.asRecord().find("name");
          if (it != v.asRecord().end() && it->second.isString() &&
              it->second.asString() == idx->asString())
            return v;
        }
      return error(e.items[0].expr->getRange(),
                   "no element named \"" + idx->asString() + "\"");
    }
    if (!isInteger(*idx))
      return error(e.items[0].expr->getRange(), "a list index must be an "
                                                "integer");
    long long i = (long long)idx->asNumber();
    long long n = (long long)base->asList().size();
    if (i < 0)
      i += n;
    if (i < 0 || i >= n)
      return error(e.items[0].expr->getRange(),
                   "index " + formatNumber(idx->asNumber()) +
                       " is out of range for a list of " + std::to_string(n));
    return base->asList()[i];
  }
  if (base->isRecord() && idx->isString()) {
    auto it = base->asRecord().find(idx->asString());
    if (it == base->asRecord().end())
      return error(e.items[0].expr->getRange(),
                   "no entry \"" + idx->asString() + "\"");
    return it->second;
  }
  return error(e.getRange(), "cannot index " + base->describe());
}

/// `defined(NAME)`: whether NAME has a value here, as Jinja's `is defined`
/// (a parameter required only under a condition may be unset). It looks at
/// the name, not its value, so it cannot be an ordinary built-in.
std::optional<Value> ExprEvaluator::evalDefined(const CallExpr &e,
                                                const Scope &s) {
  const NameExpr *arg = e.args.size() == 1 && !e.generator &&
                                e.args[0].keyword.empty()
                            ? dyn_cast<NameExpr>(e.args[0].value.get())
                            : nullptr;
  if (!arg)
    return error(e.getRange(), "'defined' takes one name, e.g. "
                               "'defined(MAX_N_TOKENS)'");
  std::optional<std::string> name = evalName(arg->name, s);
  if (!name)
    return std::nullopt;
  return Value::boolean(s.lookup(*name) != nullptr);
}

std::optional<Value> ExprEvaluator::evalCall(const CallExpr &e, const Scope &s) {
  auto *callee = dyn_cast<NameExpr>(e.callee.get());
  if (!callee || !callee->name.isPlain())
    return error(e.callee->getRange(), "only built-in functions can be called");
  std::string name = callee->name.pieces[0].text;
  if (name == "defined")
    return evalDefined(e, s);
  if (!ir::detail::findBuiltin(name))
    return error(e.callee->getRange(),
                 "unknown function '" + name + "'" +
                     didYouMean(name, builtinFunctionNames()));
  std::vector<Value> args;
  if (e.generator) {
    auto items = comprehension(*e.args[0].value, *e.generator, s);
    if (!items)
      return std::nullopt;
    args.push_back(Value::list(std::move(*items)));
  } else {
    for (const CallExpr::Arg &a : e.args) {
      if (!a.keyword.empty())
        return error(a.keywordRange, "'" + name + "' takes no keyword "
                                     "arguments");
      std::optional<Value> v = eval(*a.value, s);
      if (!v)
        return std::nullopt;
      args.push_back(std::move(*v));
    }
  }
  return builtin(name, e, args, s);
}

std::optional<Value> ExprEvaluator::builtin(llvm::StringRef name,
                                            const CallExpr &e,
                                            std::vector<Value> &args,
                                            const Scope &s) {
  const ir::detail::Builtin *b = ir::detail::findBuiltin(name);
  AFC_INTERNAL_ASSERT(b) << "evalCall let through '" << name.str() << "'";
  auto report = [&](SMRange r, const llvm::Twine &msg) {
    return error(r, msg);
  };
  auto iterateHere = [&](const Value &v) { return iterate(v, e.getRange(), s); };
  ir::detail::BuiltinCall call{*b, name, e, args, report, iterateHere};
  std::optional<Value> v = b->fn(call);
  if (v && (v->isList() || v->isString()))
    return created(e.getRange(), std::move(*v));
  return v;
}
