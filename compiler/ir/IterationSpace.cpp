//===- IterationSpace.cpp - exact point counts of iteration spaces --------===//
#include "afc/ir/IterationSpace.h"

#include <algorithm>
#include <numeric>

using namespace afc::ir;

namespace {

// Sums of coefficient * value can pass 2**63 (both may be near 2**53), so
// they are formed in 128 bits.
using Wide = __int128;

Wide floorDiv(Wide a, Wide b) {
  Wide q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}
Wide ceilDiv(Wide a, Wide b) { return -floorDiv(-a, b); }

/// Counts one group of variables linked by constraints: depth-first over
/// `order` except its last variable, whose feasible values form an
/// interval once the others are fixed.
class GroupCounter {
public:
  GroupCounter(const std::vector<std::pair<int64_t, int64_t>> &box,
               const std::vector<const AffineConstraint *> &cons,
               std::vector<size_t> order, uint64_t maxSteps)
      : box(box), cons(cons), order(std::move(order)), maxSteps(maxSteps),
        value(box.size(), 0) {
    // A constraint is checked as soon as its variables are all fixed: at
    // the depth of its deepest variable, or at the leaf if it uses the
    // last one.
    std::vector<size_t> depthOf(box.size(), 0);
    for (size_t d = 0; d < this->order.size(); ++d)
      depthOf[this->order[d]] = d;
    checkAt.resize(this->order.size());
    for (const AffineConstraint *c : cons) {
      size_t deepest = 0;
      for (auto &[v, k] : c->terms)
        if (k != 0)
          deepest = std::max(deepest, depthOf[v]);
      checkAt[deepest].push_back(c);
    }
  }

  std::optional<double> run() {
    double n = 0;
    if (!visit(0, n))
      return std::nullopt;
    return n;
  }
  uint64_t stepsTaken() const { return steps; }

private:
  const std::vector<std::pair<int64_t, int64_t>> &box;
  const std::vector<const AffineConstraint *> &cons;
  std::vector<size_t> order;
  uint64_t maxSteps, steps = 0;
  std::vector<int64_t> value;
  std::vector<std::vector<const AffineConstraint *>> checkAt;

  Wide partial(const AffineConstraint &c, size_t skip) const {
    Wide s = c.constant;
    for (auto &[v, k] : c.terms)
      if (v != skip)
        s += Wide(k) * value[v];
    return s;
  }

  bool visit(size_t depth, double &n) {
    if (++steps > maxSteps)
      return false;
    size_t var = order[depth];
    if (depth + 1 == order.size()) {
      Wide lo = box[var].first, hi = box[var].second;
      for (const AffineConstraint *c : checkAt[depth]) {
        Wide k = 0;
        for (auto &[v, kv] : c->terms)
          if (v == var)
            k += kv;
        Wide rest = partial(*c, var);
        if (k == 0) {
          if (rest < c->lower || rest > c->upper)
            return true;
          continue;
        }
        // lower <= rest + k x <= upper
        Wide a = c->lower - rest, b = c->upper - rest;
        if (k > 0) {
          lo = std::max(lo, ceilDiv(a, k));
          hi = std::min(hi, floorDiv(b, k));
        } else {
          lo = std::max(lo, ceilDiv(b, k));
          hi = std::min(hi, floorDiv(a, k));
        }
      }
      if (hi >= lo)
        n += double(hi - lo + 1);
      return true;
    }
    for (int64_t x = box[var].first; x <= box[var].second; ++x) {
      value[var] = x;
      bool ok = true;
      for (const AffineConstraint *c : checkAt[depth]) {
        Wide s = partial(*c, size_t(-1));
        if (s < c->lower || s > c->upper) {
          ok = false;
          break;
        }
      }
      if (ok && !visit(depth + 1, n))
        return false;
    }
    return true;
  }
};

} // namespace

std::optional<double>
afc::ir::countIterationSpace(const std::vector<std::pair<int64_t, int64_t>> &box,
                             const std::vector<AffineConstraint> &constraints,
                             uint64_t maxSteps) {
  size_t n = box.size();
  for (auto &[lo, hi] : box)
    if (hi < lo)
      return 0.0;
  // Group the variables that constraints link (union-find).
  std::vector<size_t> parent(n);
  std::iota(parent.begin(), parent.end(), 0);
  auto find = [&](size_t v) {
    while (parent[v] != v)
      v = parent[v] = parent[parent[v]];
    return v;
  };
  for (const AffineConstraint &c : constraints) {
    bool any = false;
    for (auto &[v, k] : c.terms)
      any |= k != 0;
    if (!any) {
      if (c.constant < c.lower || c.constant > c.upper)
        return 0.0;
      continue;
    }
    size_t first = size_t(-1);
    for (auto &[v, k] : c.terms) {
      if (k == 0)
        continue;
      if (first == size_t(-1))
        first = find(v);
      else
        parent[find(v)] = first;
    }
  }
  double points = 1;
  uint64_t used = 0;
  for (size_t root = 0; root < n; ++root) {
    if (find(root) != root)
      continue;
    std::vector<size_t> vars;
    for (size_t v = 0; v < n; ++v)
      if (find(v) == root)
        vars.push_back(v);
    std::vector<const AffineConstraint *> cons;
    for (const AffineConstraint &c : constraints)
      for (auto &[v, k] : c.terms)
        if (k != 0) {
          if (find(v) == root)
            cons.push_back(&c);
          break;
        }
    if (cons.empty()) {
      points *= double(box[root].second - box[root].first + 1);
      continue;
    }
    // Enumerate the narrow variables, solve for the widest.
    std::stable_sort(vars.begin(), vars.end(), [&](size_t a, size_t b) {
      return box[a].second - box[a].first < box[b].second - box[b].first;
    });
    GroupCounter g(box, cons, vars, maxSteps - used);
    std::optional<double> c = g.run();
    if (!c)
      return std::nullopt;
    points *= *c;
    // The budget is shared by every group.
    used += g.stepsTaken();
  }
  return points;
}
