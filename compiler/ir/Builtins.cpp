//===- Builtins.cpp - the built-in functions of .af expressions -----------===//
//
// Each handler checks its own arguments and reports through the call, so
// messages name the function as the user wrote it. Rounding and the plain
// math functions share a handler each; the table entry says which function
// it is.
//
//===----------------------------------------------------------------------===//
#include "Builtins.h"

#include "afc/ir/ExprEvaluator.h"
#include "afc/support/Limits.h"

#include <cmath>

using namespace afc;
using namespace afc::ir;
using namespace afc::ir::detail;
using llvm::SMRange;

bool detail::isInteger(const Value &v) {
  return v.isNumber() && std::isfinite(v.asNumber()) &&
         v.asNumber() == std::floor(v.asNumber());
}

std::optional<Dimension> detail::commonDimension(const Value &a,
                                                 const Value &b) {
  Dimension da = a.getDimension(), db = b.getDimension();
  if (da == db)
    return da;
  if (da.isDimensionless())
    return db;
  if (db.isDimensionless())
    return da;
  return std::nullopt;
}

std::string detail::unitOverflowError() {
  return "the unit of this product or quotient has an exponent beyond " +
         std::to_string(Dimension::MaxExponent) +
         " (e.g. bit^128), which afc cannot represent";
}

std::string detail::unitPowerError(Dimension base) {
  return "a quantity in " + base.str() +
         " can only be raised to a whole power whose unit exponents stay "
         "within " +
         std::to_string(Dimension::MaxExponent);
}

bool BuiltinCall::arity(size_t lo, size_t hi) {
  if (args.size() >= lo && args.size() <= hi)
    return true;
  std::string want = lo == hi
                         ? std::to_string(lo)
                         : std::to_string(lo) + " to " + std::to_string(hi);
  error(range(), "'" + name + "' takes " + want + " argument" +
                     (hi == 1 ? "" : "s") + ", got " +
                     std::to_string(args.size()));
  return false;
}

std::optional<Value> BuiltinCall::number(size_t i) {
  if (args[i].isNumber() || args[i].isBool())
    return args[i];
  error(expr.args.size() > i ? expr.args[i].value->getRange() : range(),
        "'" + name + "' needs a number here, not " + args[i].describe());
  return std::nullopt;
}

std::optional<std::vector<Value>> BuiltinCall::elements() {
  if (args.size() == 1 && (args[0].isList() || args[0].isSet()))
    return iterate(args[0]);
  return args;
}

namespace {

std::optional<Value> len(BuiltinCall &c) {
  if (!c.arity(1, 1))
    return std::nullopt;
  const Value &a = c.args[0];
  if (a.isSet())
    return Value::number(a.asSet().names.size());
  if (a.isList())
    return Value::number(a.asList().size());
  if (a.isString())
    return Value::number(a.asString().size());
  if (a.isRecord())
    return Value::number(a.asRecord().size());
  return c.error(c.range(),
                 "'len' needs a set, list, string or map, not " +
                     a.describe());
}

std::optional<Value> absolute(BuiltinCall &c) {
  if (!c.arity(1, 1) || !c.number(0))
    return std::nullopt;
  return Value::number(std::fabs(c.args[0].asNumber()),
                       c.args[0].getDimension());
}

/// ceil, floor, round and int keep the argument's unit.
std::optional<Value> rounding(BuiltinCall &c) {
  if (!c.arity(1, 1) || !c.number(0))
    return std::nullopt;
  double x = c.args[0].asNumber();
  double y = c.name == "ceil"    ? std::ceil(x)
             : c.name == "floor" ? std::floor(x)
             : c.name == "round" ? std::nearbyint(x)
                                 : std::trunc(x);
  return Value::number(y, c.args[0].getDimension());
}

std::optional<Value> toFloat(BuiltinCall &c) {
  if (!c.arity(1, 1) || !c.number(0))
    return std::nullopt;
  return c.args[0];
}

std::optional<Value> isInfinite(BuiltinCall &c) {
  if (!c.arity(1, 1) || !c.number(0))
    return std::nullopt;
  return Value::boolean(std::isinf(c.args[0].asNumber()));
}

std::optional<Value> toBool(BuiltinCall &c) {
  if (!c.arity(1, 1))
    return std::nullopt;
  return Value::boolean(c.args[0].truthy());
}

std::optional<Value> str(BuiltinCall &c) {
  if (!c.arity(1, 1))
    return std::nullopt;
  const Value &a = c.args[0];
  if (a.isString())
    return a;
  if (a.isNumber() && a.getDimension().isDimensionless())
    return Value::string(formatNumber(a.asNumber()));
  return Value::string(a.str());
}

std::optional<Value> list(BuiltinCall &c) {
  if (!c.arity(1, 1))
    return std::nullopt;
  auto items = c.iterate(c.args[0]);
  if (!items)
    return std::nullopt;
  return Value::list(std::move(*items));
}

/// sqrt, log, log2, log10 and exp: a plain number in, a plain number out.
std::optional<Value> plainMath(BuiltinCall &c) {
  if (!c.arity(1, 1))
    return std::nullopt;
  auto v = c.number(0);
  if (!v)
    return std::nullopt;
  return Value::number(c.builtin.math(v->asNumber()));
}

std::optional<Value> power(BuiltinCall &c) {
  if (!c.arity(2, 2) || !c.number(0) || !c.number(1))
    return std::nullopt;
  const Value &a = c.args[0], &b = c.args[1];
  if (!b.getDimension().isDimensionless())
    return c.error(c.expr.args[1].value->getRange(),
                   "an exponent must be a plain number");
  double e = b.asNumber();
  if (!a.getDimension().isDimensionless() &&
      (e != std::floor(e) || std::fabs(e) > kMaxUnitPower))
    return c.error(c.expr.args[1].value->getRange(),
                   "a quantity with a unit can only be raised to an integer "
                   "power of at most " +
                       std::to_string(kMaxUnitPower) + " in magnitude");
  std::optional<Dimension> d = a.getDimension().raisedTo(e);
  if (!d)
    return c.error(c.expr.args[1].value->getRange(),
                   unitPowerError(a.getDimension()));
  return Value::number(std::pow(a.asNumber(), b.asNumber()), *d);
}

/// min, max, sum and prod over one iterable or several arguments.
std::optional<Value> fold(BuiltinCall &c) {
  auto items = c.elements();
  if (!items)
    return std::nullopt;
  llvm::StringRef name = c.name;
  if (items->empty()) {
    if (name == "sum")
      return Value::number(0);
    if (name == "prod")
      return Value::number(1);
    return c.error(c.range(), "'" + name + "' of an empty sequence");
  }
  Value acc = (*items)[0];
  for (size_t i = 0; i < items->size(); ++i) {
    const Value &v = (*items)[i];
    if (!v.isNumber() && !v.isBool())
      return c.error(c.range(),
                     "'" + name + "' needs numbers, not " + v.describe());
    if (i == 0)
      continue;
    std::optional<Dimension> d = commonDimension(acc, v);
    if (!d && name != "prod")
      return c.error(c.range(), "'" + name +
                                    "' of quantities with different units (" +
                                    acc.getDimension().str() + " and " +
                                    v.getDimension().str() + ")");
    double a = acc.asNumber(), b = v.asNumber();
    if (name == "min")
      acc = b < a ? Value::number(b, *d) : Value::number(a, *d);
    else if (name == "max")
      acc = b > a ? Value::number(b, *d) : Value::number(a, *d);
    else if (name == "sum")
      acc = Value::number(a + b, *d);
    else if (std::optional<Dimension> p =
                 acc.getDimension().times(v.getDimension()))
      acc = Value::number(a * b, *p);
    else
      return c.error(c.range(), unitOverflowError());
  }
  return acc;
}

std::optional<Value> anyAll(BuiltinCall &c) {
  auto items = c.elements();
  if (!items)
    return std::nullopt;
  bool any = false, all = true;
  for (const Value &v : *items) {
    any |= v.truthy();
    all &= v.truthy();
  }
  return Value::boolean(c.name == "any" ? any : all);
}

std::optional<Value> range(BuiltinCall &c) {
  if (!c.arity(1, 3))
    return std::nullopt;
  std::vector<Value> &args = c.args;
  double lo = 0, hi, step = 1;
  for (size_t i = 0; i < args.size(); ++i)
    if (!isInteger(args[i]))
      return c.error(c.expr.args[i].value->getRange(),
                     "'range' needs integers, not " + args[i].str());
  if (args.size() == 1) {
    hi = args[0].asNumber();
  } else {
    lo = args[0].asNumber();
    hi = args[1].asNumber();
    if (args.size() == 3)
      step = args[2].asNumber();
  }
  if (step == 0)
    return c.error(c.range(), "'range' step must not be zero");
  // Past 2^53 adding the step no longer changes a double, and a loop that
  // adds it would never end: such integers are not exact, so refuse them.
  const double kExact = 9007199254740992.0; // 2^53
  for (size_t i = 0; i < args.size(); ++i)
    if (std::fabs(args[i].asNumber()) > kExact)
      return c.error(c.expr.args[i].value->getRange(),
                     "'range' needs integers of at most 2**53 in magnitude, "
                     "not " + args[i].str());
  double count = std::max(0.0, std::ceil((hi - lo) / step));
  uint64_t limit = limits().maxListLength;
  if (count > double(limit))
    return c.error(c.range(), "'range' would produce " + formatNumber(count) +
                                  " elements, more than " +
                                  std::to_string(limit) + " (" +
                                  limitFlag("max-list-length", limit) +
                                  "); raise the limit with "
                                  "--max-list-length=N");
  std::vector<Value> out;
  out.reserve(size_t(count));
  for (size_t i = 0; i < size_t(count); ++i)
    out.push_back(Value::number(lo + double(i) * step));
  return Value::list(std::move(out));
}

/// logspace and linspace: n points from a to b, both ends included.
std::optional<Value> space(BuiltinCall &c) {
  if (!c.arity(3, 3) || !c.number(0) || !c.number(1) || !c.number(2))
    return std::nullopt;
  std::vector<Value> &args = c.args;
  llvm::StringRef name = c.name;
  SMRange countRange = c.expr.args[2].value->getRange();
  std::optional<Dimension> d = commonDimension(args[0], args[1]);
  if (!d)
    return c.error(c.range(), "'" + name +
                                  "' endpoints have different units (" +
                                  args[0].getDimension().str() + " and " +
                                  args[1].getDimension().str() + ")");
  if (!isInteger(args[2]) || args[2].asNumber() < 1)
    return c.error(countRange,
                   "the number of points must be a positive integer");
  if (args[2].asNumber() > double(limits().maxListLength))
    return c.error(countRange,
                   "more than " + std::to_string(limits().maxListLength) +
                       " points (" +
                       limitFlag("max-list-length", limits().maxListLength) +
                       "); raise the limit with --max-list-length=N");
  double a = args[0].asNumber(), b = args[1].asNumber();
  if (!std::isfinite(a) || !std::isfinite(b))
    return c.error(c.range(), "'" + name + "' endpoints must be finite");
  if (name == "logspace" && (a <= 0 || b <= 0))
    return c.error(c.range(), "'logspace' endpoints must be positive");
  size_t n = (size_t)args[2].asNumber();
  std::vector<Value> out;
  for (size_t i = 0; i < n; ++i) {
    double t = n == 1 ? 0 : double(i) / double(n - 1);
    // The same formula as the reference walkthrough: start*(end/start)**t.
    double x = name == "logspace" ? a * std::pow(b / a, t) : a + (b - a) * t;
    out.push_back(Value::number(x, *d));
  }
  return Value::list(std::move(out));
}

double sqrtOf(double x) { return std::sqrt(x); }
double logOf(double x) { return std::log(x); }
double log2Of(double x) { return std::log2(x); }
double log10Of(double x) { return std::log10(x); }
double expOf(double x) { return std::exp(x); }

// In the order "did you mean" hints have always listed them: ties in edit
// distance go to the earlier name.
const Builtin kBuiltins[] = {
    {"abs", absolute},
    {"ceil", rounding},
    {"floor", rounding},
    {"round", rounding},
    {"int", rounding},
    {"float", toFloat},
    {"sqrt", plainMath, sqrtOf},
    {"log", plainMath, logOf},
    {"log2", plainMath, log2Of},
    {"log10", plainMath, log10Of},
    {"exp", plainMath, expOf},
    {"pow", power},
    {"min", fold},
    {"max", fold},
    {"sum", fold},
    {"prod", fold},
    {"len", len},
    {"range", range},
    {"logspace", space},
    {"linspace", space},
    {"bool", toBool},
    {"str", str},
    {"list", list},
    {"any", anyAll},
    {"all", anyAll},
    {"isinf", isInfinite},
};

} // namespace

const Builtin *detail::findBuiltin(llvm::StringRef name) {
  for (const Builtin &b : kBuiltins)
    if (name == b.name)
      return &b;
  return nullptr;
}

const std::vector<std::string> &ir::builtinFunctionNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const Builtin &b : kBuiltins)
      out.push_back(b.name);
    return out;
  }();
  return names;
}
