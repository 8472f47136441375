//===- Template.h - pmapping templates ----------------------------*- C++ -*-===//
//
// A pmapping template is one Einsum's LoopTree with storage nodes, temporal and
// spatial loops and the compute leaf, but no loop bounds (mapper.md §3). Once
// every tensor's storage nodes are placed, reuse depends only on which loops
// are above or below each storage node, so a template puts one canonical,
// sorted set of loops into each gap between consecutive storage nodes.
//
// enumerateTemplates() follows mapper.md §3.2-§3.8:
//  1. per tensor holder (top to bottom), every subset of `may_keep` on top of
//     `keep` (a product over levels);
//  2. every order of the resulting single-tensor storage nodes that passes
//     the pairwise rules (hierarchy order, outermost memory first and in
//     reverse-alphabetical order, same tensor upper first, no redundant
//     back-to-back copies at equal cumulative fanout) and, per memory with
//     `tensor_order_options`, at least one of them;
//  3. per gap, the rank variables left after the no-recompute, lower-instead
//     and raise-instead reductions, sorted;
//  4. one spatial loop per (fanout dimension, rank variable), minus those a
//     `reuse` or `loop_bounds` (== 1, <= 1, also of a product) constraint
//     forces to 1;
//  5. a temporal loop for every rank variable that has none; dedup.
//
// Not implemented (documented in runtime/mapper/README.md): Tolls, copy
// Einsums, lowering choices and loop-order variants for partially relevant
// rank variables (sliding windows), fused spatial loops (removed: a spatial
// loop above a fusable tensor kept below the outermost memory).
//
//===----------------------------------------------------------------------===//
#ifndef AFC_MAPPER_TEMPLATE_H
#define AFC_MAPPER_TEMPLATE_H

#include "afc/mapper/Problem.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace afc::mapper {

enum class TemplateNodeKind : uint8_t { Storage, Temporal, Spatial };

/// One node of a template. Indices are local: `archNode` into the Einsum's
/// flattened architecture, `tensor` into the Einsum's accesses, `rankVariable`
/// into the Einsum's rank variables (TemplateSet::rankVariables).
struct TemplateNode {
  TemplateNodeKind kind = TemplateNodeKind::Storage;
  uint32_t archNode = 0;
  uint32_t tensor = 0;       ///< Storage
  bool backing = false;      ///< Storage: outermost holder of the tensor
  bool persistent = false;   ///< Storage
  uint32_t rankVariable = 0; ///< Temporal / Spatial
  uint32_t dimension = 0;    ///< Spatial: index into the node's spatial dims

  friend bool operator==(const TemplateNode &, const TemplateNode &) = default;
};

/// A pmapping template of one Einsum on one flattened architecture.
struct Template {
  std::vector<TemplateNode> nodes; ///< outermost first; Compute implied last
};

/// Everything about one (Einsum, flattened architecture) the templates and
/// the tile-shape search share.
struct EinsumView {
  uint32_t einsum = 0;                   ///< index in the workload
  const model::FlattenedArch *arch = nullptr;
  std::vector<std::string> tensorNames;  ///< per local tensor
  std::vector<uint8_t> tensorIsOutput;
  std::vector<std::string> rankVariables; ///< local rank variable names
  std::vector<int64_t> bounds;            ///< per local rank variable
  /// relevant[t][r]: rank variable r indexes tensor t directly;
  /// partial[t][r]: only inside an expression (p + r).
  std::vector<std::vector<uint8_t>> relevant, partial;
  /// Per local tensor: bits per value in each arch node (workload value
  /// unless the node overrides it).
  std::vector<std::vector<double>> bitsPerValue;
  /// Per local tensor and rank: (local rank variable, coefficient) terms and
  /// constant, for dense tile sizes.
  struct Rank {
    std::vector<std::pair<uint32_t, int64_t>> terms;
    int64_t constant = 0;

    friend bool operator==(const Rank &, const Rank &) = default;
  };
  std::vector<std::vector<Rank>> ranks;
  /// The min_usage / loop-bound rules by (arch node, dimension).
  struct DimRule {
    uint32_t archNode = 0, dimension = 0;
    double fanout = 1, usageScale = 1, minUsage = 0;
    std::vector<LoopBoundComparison> loopBounds; ///< non-trivial ones only

    friend bool operator==(const DimRule &, const DimRule &) = default;
  };
  std::vector<DimRule> dims; ///< every dimension with fanout > 1, arch order
  /// `tile_shape` comparisons of the memories, by arch node, in arch order.
  struct TileShapeRule {
    uint32_t archNode = 0;
    LoopBoundComparison comparison;

    friend bool operator==(const TileShapeRule &,
                           const TileShapeRule &) = default;
  };
  std::vector<TileShapeRule> tileShapes;
};

/// Whether a loop-bound comparison holds every loop it names to one
/// iteration (`== 1`, `<= 1`, also of a product): the mapper then creates
/// no such loops instead of checking their bounds.
bool constrainsToOne(const LoopBoundComparison &c);

/// Builds the view of Einsum `einsum` on `arch` (resolving names).
EinsumView makeEinsumView(const MapperProblem &problem, uint32_t einsum,
                          const model::FlattenedArch &arch);

/// Whether the tile-shape search sees the two views alike: the same
/// capacities, bounds, projections, bits per value and spatial rules, in
/// the same local order; only names, the Einsum and the architecture's
/// costs (which the cost kernels read) may differ.
bool searchesAlike(const EinsumView &a, const EinsumView &b);

/// Enumerates the templates of one Einsum on one flattened architecture, in a
/// canonical order. `rules` may be null (defaults everywhere).
std::vector<Template> enumerateTemplates(const MapperProblem &problem,
                                         const EinsumView &view,
                                         const EinsumRules *rules);

/// "MM:W0 MM:T1 for m sfor(reuse_weight) m ISP:T0 ..." for tests and logs.
std::string describe(const EinsumView &view, const Template &tpl);

/// Closed-form number of perfect-factorisation tile shapes of a template
/// (mapper.md §4.7): product over rank variables of ordered factorisations.
double countTileShapes(const EinsumView &view, const Template &tpl);

/// The same count for the completions of a piece whose innermost loops are
/// fixed to `prefix` (tiles in template order, as splitTemplate gives them):
/// the estimate of a piece's work that progress reports use. An empty prefix
/// gives countTileShapes.
double countCompletions(const EinsumView &view, const Template &tpl,
                        std::span<const int64_t> prefix);

} // namespace afc::mapper

#endif // AFC_MAPPER_TEMPLATE_H
