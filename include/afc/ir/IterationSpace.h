//===- IterationSpace.h - exact point counts of iteration spaces -*- C++ -*-===//
//
// An Einsum's iteration space is a box (each rank variable's bounds) cut by
// affine constraints: every projection onto a rank with a size lies in
// [0, size). A sliding window (`P: p + r`) makes it a non-box set, whose
// number of points (the Einsum's computes, as the reference counts them)
// is smaller than the box's.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_IR_ITERATIONSPACE_H
#define AFC_IR_ITERATIONSPACE_H

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace afc::ir {

/// lower <= constant + sum(coefficient * x[variable]) <= upper.
struct AffineConstraint {
  std::vector<std::pair<size_t, int64_t>> terms; ///< variable, coefficient
  int64_t constant = 0;
  int64_t lower = 0, upper = 0;
};

/// Integer points x with box[i].first <= x[i] <= box[i].second satisfying
/// every constraint. Variables that share no constraint are counted
/// independently; within a group all but the widest variable are
/// enumerated, so the work is the product of the narrower extents. Returns
/// std::nullopt when that work exceeds maxSteps.
std::optional<double>
countIterationSpace(const std::vector<std::pair<int64_t, int64_t>> &box,
                    const std::vector<AffineConstraint> &constraints,
                    uint64_t maxSteps);

} // namespace afc::ir

#endif // AFC_IR_ITERATIONSPACE_H
