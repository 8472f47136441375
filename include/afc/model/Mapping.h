//===- Mapping.h - LoopTree mappings ----------------------------*- C++ -*-===//
//
// A mapping is a LoopTree (model.md §1): a chain of nodes, each the parent of
// the next, where storage nodes say which memory keeps which tensors, loops
// tile the iteration space in time or across spatial instances, and Compute
// leaves run one Einsum each. Sequential / Pipeline nodes split the tree into
// branches (typically one per Einsum); nodes above a split are shared by all
// Einsums below it, which is how fusion is expressed.
//
// A MappingNode is one plain struct for every kind; the fields a kind does not
// use are ignored. Names (components, tensors, rank variables, Einsums) are
// resolved by the model against the workload and the per-Einsum flattened
// architecture, and errors point back at the node's SourceLocation.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_MODEL_MAPPING_H
#define AFC_MODEL_MAPPING_H

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace afc::model {

/// An opaque handle to where a node was written. The model never interprets
/// it; it copies it into errors so the compiler can print `file:line:col`.
/// 0 means "unknown".
struct SourceLocation {
  uint32_t id = 0;
  bool isValid() const { return id != 0; }
  bool operator==(const SourceLocation &) const = default;
};

enum class MappingNodeKind : uint8_t {
  Storage,    ///< keep the current tile of `tensors` in memory `component`
  Toll,       ///< `tensors` pass through Toll `component`
  Temporal,   ///< a for-loop over `rankVariable`
  Spatial,    ///< a loop over `rankVariable` across instances of `dimension`
  Compute,    ///< leaf: run `einsum` on compute unit `component`
  Nested,     ///< a chain; only its last node may have children
  Sequential, ///< branches executed one after another
  Pipeline,   ///< branches on different hardware; modelled like Sequential
};

struct MappingNode {
  MappingNodeKind kind = MappingNodeKind::Nested;
  SourceLocation location;

  /// Storage / Toll / Spatial / Compute: a node name of the flattened
  /// architecture. For Spatial, the node declaring `dimension`.
  std::string component;

  /// Storage / Toll: tensor names, top to bottom. Tensors the Einsum does not
  /// use are ignored for that Einsum.
  std::vector<std::string> tensors;
  /// Storage: the tile lives in this memory for the whole workload.
  bool persistent = false;

  /// Temporal / Spatial: the rank variable iterated.
  std::string rankVariable;
  /// Temporal / Spatial loops shared by Einsums that name the same loop
  /// differently: (einsum, rank variable) pairs that override rankVariable.
  std::vector<std::pair<std::string, std::string>> einsumRankVariables;
  /// Temporal / Spatial: the extent of the rank variable handled by one
  /// iteration. Exactly one of tileShape and loopBound must be set; a loop
  /// bound B over an extent N means a tile of ceil(N / B).
  std::optional<double> tileShape;
  std::optional<double> loopBound;
  /// Temporal / Spatial, rank variables used inside projection expressions
  /// only: the first tile is initialTileShape, the others tileShape.
  std::optional<double> initialTileShape;
  /// Spatial: the spatial dimension's name.
  std::string dimension;

  /// Compute: the Einsum run here.
  std::string einsum;

  /// Nested / Sequential / Pipeline: the chain, or the branches.
  std::vector<MappingNode> children;

  // Convenience constructors in the domain's words.
  static MappingNode storage(std::string component,
                             std::vector<std::string> tensors,
                             SourceLocation loc = {});
  static MappingNode toll(std::string component,
                          std::vector<std::string> tensors,
                          SourceLocation loc = {});
  static MappingNode temporal(std::string rankVariable, double tileShape,
                              SourceLocation loc = {});
  static MappingNode temporalBound(std::string rankVariable, double loopBound,
                                   SourceLocation loc = {});
  static MappingNode spatial(std::string rankVariable, double tileShape,
                             std::string component, std::string dimension,
                             SourceLocation loc = {});
  static MappingNode compute(std::string einsum, std::string component,
                             SourceLocation loc = {});
  static MappingNode nested(std::vector<MappingNode> chain,
                            SourceLocation loc = {});
  static MappingNode sequential(std::vector<MappingNode> branches,
                                SourceLocation loc = {});
  static MappingNode pipeline(std::vector<MappingNode> branches,
                              SourceLocation loc = {});

  bool isLoop() const {
    return kind == MappingNodeKind::Temporal ||
           kind == MappingNodeKind::Spatial;
  }
  bool hasChildren() const {
    return kind == MappingNodeKind::Nested ||
           kind == MappingNodeKind::Sequential ||
           kind == MappingNodeKind::Pipeline;
  }
};

/// The root of a mapping: a chain (like Nested).
struct Mapping {
  std::vector<MappingNode> nodes;
};

/// A one-line description of a node for messages, e.g. "Storage GlobalBuffer
/// [T0, W0]" or "Temporal m tile 1".
std::string describe(const MappingNode &node);

} // namespace afc::model

#endif // AFC_MODEL_MAPPING_H
