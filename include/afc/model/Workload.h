//===- Workload.h - the workload as the model sees it -----------*- C++ -*-===//
//
// The fully evaluated workload handed to the model: Einsums, the tensors they
// access, and the rank variables that index them. Everything here is concrete:
// projections are affine terms over rank variables, bounds and bits per value
// are numbers. The compiler lowers `.af` workloads into these structs; tests
// and the mapper may build them by hand.
//
// Terms follow spec-language.md §3: a *rank variable* (`m`, `n0`) iterates
// over an Einsum's iteration space; a tensor access maps rank variables to the
// tensor's *ranks* through a projection (`T0[M: m, N0: n0]`).
//
//===----------------------------------------------------------------------===//
#ifndef AFC_MODEL_WORKLOAD_H
#define AFC_MODEL_WORKLOAD_H

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace afc::model {

/// Index of a rank variable in Workload::rankVariables.
using RankVariableId = uint32_t;
/// Index of a tensor in Workload::tensors.
using TensorId = uint32_t;

/// A rank variable with its bound: the number of points it takes in the
/// bounding box of the iteration space (`0 <= m < 64` gives 64). A rank
/// variable shared by several Einsums has the same bound in all of them.
struct RankVariable {
  std::string name;
  int64_t bound = 1;
};

/// One term `coefficient * rankVariable` of an affine projection.
struct AffineTerm {
  RankVariableId rankVariable = 0;
  int64_t coefficient = 1;
};

/// The projection of one rank of a tensor: `constant + sum(terms)`.
/// `M: m` is one term with coefficient 1; the convolution input rank
/// `P0: p1 + r0` has two terms. A rank with only a constant is allowed.
struct RankProjection {
  std::string rank; ///< rank name, e.g. "M"; informational only
  std::vector<AffineTerm> terms;
  int64_t constant = 0;
};

/// A tensor as known to the whole workload.
struct Tensor {
  std::string name;
};

/// How one Einsum reads or writes one tensor.
struct TensorAccess {
  TensorId tensor = 0;
  bool isOutput = false;
  /// One entry per rank of the tensor, in rank order. Relevancy of a rank
  /// variable is decided by the first rank whose projection uses it.
  std::vector<RankProjection> projection;
  /// Bits per value in the workload (before any per-component override).
  double bitsPerValue = 8;
  /// Whether the workload marks this access persistent. The model itself
  /// takes persistence from the Storage nodes of the mapping (a persistent
  /// Storage node reserves its tile for the whole workload); this flag is
  /// carried for the mapper, which creates those nodes.
  bool persistent = false;
};

/// One Einsum: a named computation over a set of tensor accesses.
struct Einsum {
  std::string name;
  std::vector<TensorAccess> accesses;
  /// A copy Einsum moves its single input into its output and computes
  /// nothing (model.md §5.7).
  bool isCopy = false;
  /// Multiplies every summable result of this Einsum.
  int64_t nInstances = 1;
  /// Number of points in the iteration space, used only to normalise results
  /// per compute. When absent, the product of the bounds of the Einsum's rank
  /// variables (exact for box-shaped iteration spaces).
  std::optional<double> iterationSpacePoints;
};

struct Workload {
  std::vector<RankVariable> rankVariables;
  std::vector<Tensor> tensors;
  std::vector<Einsum> einsums;
  /// Multiplies every summable result of every Einsum.
  int64_t nInstances = 1;

  /// Returns the index of the named tensor / rank variable / Einsum, or
  /// std::nullopt. Linear scans; meant for setup code, not inner loops.
  std::optional<TensorId> findTensor(const std::string &name) const;
  std::optional<RankVariableId> findRankVariable(const std::string &name) const;
  std::optional<uint32_t> findEinsum(const std::string &name) const;
};

} // namespace afc::model

#endif // AFC_MODEL_WORKLOAD_H
