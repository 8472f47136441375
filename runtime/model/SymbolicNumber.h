//===- SymbolicNumber.h - the model's number type for tracing ----*- C++
//-*-===//
//
// Internal to afcModel. The reuse analysis and the totals are written once
// over a number type S: double when evaluating a mapping, Sym when tracing a
// pmapping template for the generated kernels (afc/model/Symbolic.h). A Sym
// emits the same IEEE operations, in the same order, as the double path, so
// a kernel built from the trace reproduces the evaluator bit for bit.
//
// The helpers below come in pairs (double, Sym) so that generic code calls
// one name for both.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_RUNTIME_MODEL_SYMBOLICNUMBER_H
#define AFC_RUNTIME_MODEL_SYMBOLICNUMBER_H

#include "afc/model/Symbolic.h"

#include <algorithm>
#include <cmath>

namespace afc::model::detail {

/// A traced number: a known constant, or a node of the builder's DAG. The
/// analysis below is written once over a number type S; with S = Sym it
/// emits the same IEEE operations, in the same order, as with S = double.
/// Operations on known constants are folded (computing them in double is
/// what the kernel would do), as are x + 0, x * 1 and x * 0; tile-derived
/// values are finite, so these folds never change a result.
struct Sym {
  ExprBuilder *b = nullptr;
  ExprBuilder::Id id = 0;
  double value = 0;
  bool known = true;

  Sym() = default;
  Sym(double v) : value(v) {}
  static Sym node(ExprBuilder *builder, ExprBuilder::Id id) {
    Sym s;
    s.b = builder;
    s.id = id;
    s.known = false;
    return s;
  }
  bool is(double v) const { return known && value == v; }
  ExprBuilder::Id in(ExprBuilder *builder) const {
    return known ? builder->constant(value) : id;
  }
};

inline ExprBuilder *builderOf(const Sym &a, const Sym &b) {
  return a.b ? a.b : b.b;
}

template <class Fold, class Emit>
inline Sym binaryOp(const Sym &a, const Sym &b, Fold fold, Emit emit) {
  if (a.known && b.known)
    return Sym(fold(a.value, b.value));
  ExprBuilder *x = builderOf(a, b);
  return Sym::node(x, emit(x, a.in(x), b.in(x)));
}

inline Sym operator+(const Sym &a, const Sym &b) {
  if (a.is(0))
    return b;
  if (b.is(0))
    return a;
  return binaryOp(
      a, b, [](double x, double y) { return x + y; },
      [](ExprBuilder *x, auto l, auto r) { return x->add(l, r); });
}
inline Sym operator-(const Sym &a, const Sym &b) {
  if (b.is(0))
    return a;
  return binaryOp(
      a, b, [](double x, double y) { return x - y; },
      [](ExprBuilder *x, auto l, auto r) { return x->sub(l, r); });
}
inline Sym operator*(const Sym &a, const Sym &b) {
  if (a.is(1) || b.is(0))
    return b;
  if (b.is(1) || a.is(0))
    return a;
  return binaryOp(
      a, b, [](double x, double y) { return x * y; },
      [](ExprBuilder *x, auto l, auto r) { return x->mul(l, r); });
}
inline Sym operator/(const Sym &a, const Sym &b) {
  if (b.is(1))
    return a;
  return binaryOp(
      a, b, [](double x, double y) { return x / y; },
      [](ExprBuilder *x, auto l, auto r) { return x->div(l, r); });
}
inline Sym &operator+=(Sym &a, const Sym &b) { return a = a + b; }
inline Sym &operator*=(Sym &a, const Sym &b) { return a = a * b; }

/// a < b ? ifLess : otherwise, folded when a and b are known.
inline Sym selectLess(const Sym &a, const Sym &b, const Sym &ifLess,
                      const Sym &otherwise) {
  if (a.known && b.known)
    return a.value < b.value ? ifLess : otherwise;
  ExprBuilder *x = a.b ? a.b : b.b;
  return Sym::node(
      x, x->selectLess(a.in(x), b.in(x), ifLess.in(x), otherwise.in(x)));
}

inline Sym ceilOf(const Sym &a) {
  if (a.known)
    return Sym(std::ceil(a.value));
  return Sym::node(a.b, a.b->ceil(a.id));
}
inline double ceilOf(double a) { return std::ceil(a); }

// The reference combines statistics with "max/min ignoring zeros": a zero
// means "nothing recorded yet" (accelforge/util/_sympy/broadcast_max.py).
/// `pick(a, b)`, or the other one when either is 0.
template <class Pick> double ignoringZero(double a, double b, Pick pick) {
  if (a == 0)
    return b;
  if (b == 0)
    return a;
  return pick(a, b);
}
inline double maxNonzero(double a, double b) {
  return ignoringZero(a, b, [](double x, double y) { return std::max(x, y); });
}
inline double minNonzero(double a, double b) {
  return ignoringZero(a, b, [](double x, double y) { return std::min(x, y); });
}
inline double minTakeZero(double a, double b) {
  if (a == 0 || b == 0)
    return 0;
  return std::min(a, b);
}
// Statistics are never negative, which the traced forms rely on.
inline Sym maxNonzero(const Sym &a, const Sym &b) {
  if (a.is(0))
    return b;
  if (b.is(0))
    return a;
  return selectLess(a, b, b, a); // std::max; also right when one is 0
}
inline Sym minNonzero(const Sym &a, const Sym &b) {
  if (a.is(0))
    return b;
  if (b.is(0))
    return a;
  return selectLess(Sym(0.0), a,
                    selectLess(Sym(0.0), b, selectLess(b, a, b, a), a), b);
}
inline Sym minTakeZero(const Sym &a, const Sym &b) {
  if (a.is(0) || b.is(0))
    return Sym(0.0);
  return selectLess(Sym(0.0), a,
                    selectLess(Sym(0.0), b, selectLess(b, a, b, a), Sym(0.0)),
                    Sym(0.0));
}
/// x, or 1 when x is 0 (an unused spatial dimension counts one instance).
inline double orOne(double x) { return x != 0 ? x : 1; }
inline Sym orOne(const Sym &x) {
  if (x.known)
    return Sym(orOne(x.value));
  return selectLess(Sym(0.0), x, x, Sym(1.0));
}

/// The larger of two values (a < b ? b : a); the reference's max over
/// values that are never negative.
inline double larger(double a, double b) { return a < b ? b : a; }
inline Sym larger(const Sym &a, const Sym &b) {
  if (a.is(0))
    return b;
  return selectLess(a, b, b, a);
}

/// A known zero. Unknown traced values are never zero where this is asked
/// (products of tile extents, counts of at least one).
inline bool isZero(double x) { return x == 0; }
inline bool isZero(const Sym &x) { return x.is(0); }

/// std::max(0, x).
inline double nonNegative(double x) { return std::max(0.0, x); }
inline Sym nonNegative(const Sym &x) {
  return selectLess(Sym(0.0), x, x, Sym(0.0));
}

/// The larger of two latencies, ignoring zeros (a component without work
/// does not set the Einsum's latency). Latencies are never negative.
inline double slowerOf(double current, double latency) {
  return latency != 0 && !(latency <= current) ? latency : current;
}
inline Sym slowerOf(const Sym &current, const Sym &latency) {
  if (latency.is(0))
    return current;
  if (current.is(0))
    return latency;
  return selectLess(current, latency, latency, current);
}

/// 1 when `value > limit * (1 + 1e-12)` (a failed fanout or capacity check),
/// else 0. The relative slack absorbs rounding in sums of occupancies.
inline double exceeds(double value, double limit) {
  return value > limit * (1 + 1e-12) ? 1 : 0;
}
inline Sym exceeds(const Sym &value, const Sym &limit) {
  return selectLess(limit * Sym(1 + 1e-12), value, Sym(1.0), Sym(0.0));
}

} // namespace afc::model::detail

#endif // AFC_RUNTIME_MODEL_SYMBOLICNUMBER_H
