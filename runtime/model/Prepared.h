//===- Prepared.h - a Problem with its names resolved -----------*- C++ -*-===//
//
// Internal to afcModel. Everything about a Problem that does not depend on
// the mapping is computed once, when an Evaluator is built: per Einsum the
// rank variables, projections and relevancy of each tensor; per (Einsum,
// flattened architecture) the per-tensor bits per value, action scales, Toll
// directions and may-reuse sets. The hot path then works on small integers.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_RUNTIME_MODEL_PREPARED_H
#define AFC_RUNTIME_MODEL_PREPARED_H

#include "afc/model/Evaluator.h"

#include <cstdint>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace afc::model::detail {

/// How a rank variable indexes a tensor (spec-language.md §3.3).
enum class Relevancy : uint8_t { Irrelevant, Relevant, PartiallyRelevant };

/// Sentinel for "no such index".
inline constexpr uint32_t kNone = ~uint32_t(0);

struct PreparedRank {
  struct Term {
    uint32_t rankVariable; ///< local to the Einsum
    double coefficient;
  };
  std::vector<Term> terms;
  double constant = 0;
};

/// One tensor access of an Einsum, in local indices.
struct PreparedTensor {
  TensorId tensor = 0;
  std::string_view name;
  bool isOutput = false;
  double bitsPerValue = 8;
  std::vector<PreparedRank> ranks;
  std::vector<Relevancy> relevancy; ///< per local rank variable
};

struct PreparedEinsum {
  uint32_t index = 0;
  std::string_view name;
  std::vector<RankVariableId> rankVariables; ///< local -> workload index
  std::vector<std::string_view> rankVariableNames;
  std::vector<double> bounds;  ///< per local rank variable
  std::vector<uint8_t> simple; ///< never used inside an expression
  std::vector<PreparedTensor> tensors;
  bool isCopy = false;
  uint32_t copySource = kNone; ///< local tensor copied from
  double nInstances = 1;       ///< workload x Einsum
  double iterationSpacePoints = 1;

  /// Local index of the named tensor / rank variable, or kNone.
  uint32_t findTensor(std::string_view name) const {
    for (uint32_t i = 0; i < tensors.size(); ++i)
      if (tensors[i].name == name)
        return i;
    return kNone;
  }
  uint32_t findRankVariable(std::string_view name) const {
    for (uint32_t i = 0; i < rankVariableNames.size(); ++i)
      if (rankVariableNames[i] == name)
        return i;
    return kNone;
  }
  uint32_t localTensor(TensorId t) const {
    for (uint32_t i = 0; i < tensors.size(); ++i)
      if (tensors[i].tensor == t)
        return i;
    return kNone;
  }
  uint32_t localRankVariable(RankVariableId rv) const {
    for (uint32_t i = 0; i < rankVariables.size(); ++i)
      if (rankVariables[i] == rv)
        return i;
    return kNone;
  }
  /// Values in the dense tile of a tensor for the given per-rank-variable
  /// tile extents: product over ranks of (projection at extent - 1) + 1.
  /// S is double, or the model's traced number type.
  template <class S> S denseTile(uint32_t tensor, const S *shape) const {
    S result = 1.0;
    for (const PreparedRank &rank : tensors[tensor].ranks) {
      S v = double(rank.constant);
      for (const PreparedRank::Term &term : rank.terms)
        v += double(term.coefficient) * (shape[term.rankVariable] - 1.0);
      result *= v + 1.0;
    }
    return result;
  }
};

struct PreparedDim {
  uint32_t node = 0;
  std::string_view name;
  /// Dimensions of the same name share an id: a network's per-link traffic
  /// is kept per dimension name, as in the reference.
  uint32_t nameId = 0;
  double fanout = 1;
  double usageScale = 1;
  bool powerGateable = false;
  std::vector<uint8_t> mayReuse; ///< per local tensor
};

struct PreparedNode {
  const ArchNode *node = nullptr;
  NodeKind kind = NodeKind::Memory;
  std::string_view name;
  double size = kInfinity;
  bool skipInitialOutputWrite = true;
  double actionsScale = 1;
  uint32_t readAction = kNone, writeAction = kNone, computeAction = kNone;
  uint32_t hopAction = kNone; ///< Networks
  /// Per local tensor. Scales are 1 / values per action; NaN when the
  /// action they need is missing.
  std::vector<double> bitsPerValue, readScale, writeScale;
  /// Per local tensor: bits one read or write moves, for reports (NaN when
  /// the action is missing).
  std::vector<double> readBits, writeBits;
  std::vector<uint8_t> tollUp, tollDown, allowed;
  uint32_t firstDim = 0, nDims = 0;
  /// Product of the fanouts of the nodes above (the component's parents).
  double parentFanout = 1;
  double ownFanout = 1;
};

/// One FlattenedArch prepared for one Einsum.
struct PreparedArch {
  const FlattenedArch *arch = nullptr;
  std::vector<PreparedNode> nodes;
  std::vector<PreparedDim> dims;
  bool hasNetwork = false; ///< some node is a Network
  AreaReport areaReference; ///< own fanout not counted (reference quirk)
  AreaReport areaCorrected; ///< own fanout counted

  uint32_t findNode(std::string_view name) const {
    for (uint32_t i = 0; i < nodes.size(); ++i)
      if (nodes[i].name == name)
        return i;
    return kNone;
  }
  uint32_t findDim(uint32_t node, std::string_view name) const {
    const PreparedNode &n = nodes[node];
    for (uint32_t d = n.firstDim; d < n.firstDim + n.nDims; ++d)
      if (dims[d].name == name)
        return d;
    return kNone;
  }
};

struct PreparedProblem {
  const Problem *problem = nullptr;
  std::optional<ModelError> error; ///< the problem itself is inconsistent
  std::vector<PreparedEinsum> einsums;
  /// Per Einsum, one prepared architecture per compute unit.
  std::vector<std::vector<PreparedArch>> archs;
  std::unordered_map<std::string_view, uint32_t> einsumByName;
  std::unordered_map<std::string_view, uint32_t> tensorByName;
  std::unordered_map<std::string_view, uint32_t> rankVariableByName;
  /// Per workload tensor: used by more than one Einsum (fusable).
  std::vector<uint8_t> tensorShared;

  /// The architecture of Einsum `einsum` ending in compute unit `compute`.
  const PreparedArch *findArch(uint32_t einsum,
                               std::string_view compute) const {
    for (const PreparedArch &a : archs[einsum])
      if (a.arch->nodes.back().name == compute)
        return &a;
    return nullptr;
  }
};

/// Builds the prepared form; problems are reported in `error`.
void prepareProblem(const Problem &problem, PreparedProblem &out);

} // namespace afc::model::detail

#endif // AFC_RUNTIME_MODEL_PREPARED_H
