//===- Fusion.h - what a pmapping exposes to the Einsums it is fused with -*- C++ -*-===//
//
// A tensor used by several Einsums (an intermediate, or an input they share)
// is *fusable*: when a memory below the outermost one backs it, producer and
// consumers run inside the loops above that storage node, which they share
// (mapper.md §1, §7.5). Those loops are the *fused loops* of a pmapping:
// every loop above the deepest storage node backing a fusable tensor on
// chip. A fused loop of one iteration is no loop at all, so only the others
// are shared (mapper.md §5 item 5).
//
// What the join needs of a pmapping (PmappingFusion) follows from its
// template and tile shapes alone:
//  * its *compatibility*: the fused loops (rank variable and tile shape),
//    and where each fusable tensor is kept and under how many fused loops;
//    two pmappings can be joined only where these agree;
//  * per memory of finite size, the bits it reserves, split by how many
//    fused loops sit above each reservation: a reservation above the loops
//    that two Einsums share stays live while the other runs (the model's
//    whole-mapping usage, model.md §6, ResourceUsage.cpp).
//
// The per-template Pareto front groups rows by compatibility (rows of
// different groups never dominate each other) and also minimises the
// reservations, so no row a later Einsum could need is dropped
// (ParetoFront.h).
//
//===----------------------------------------------------------------------===//
#ifndef AFC_MAPPER_FUSION_H
#define AFC_MAPPER_FUSION_H

#include "afc/mapper/Template.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace afc::mapper {

/// A fused loop with more than one iteration.
struct FusedLoop {
  uint32_t rankVariable = 0; ///< local to the Einsum's view
  int64_t tileShape = 1;
  friend bool operator==(const FusedLoop &, const FusedLoop &) = default;
};

/// A storage node of a fusable tensor.
struct SharedTensorNode {
  uint32_t tensor = 0;   ///< workload tensor index
  uint32_t archNode = 0; ///< in the Einsum's flattened architecture
  bool backing = false;
  /// Fused loops (of more than one iteration) above the node.
  int depth = 0;
  double bits = 0; ///< its reservation
};

/// The fusion-relevant facts of one pmapping (template + tile shapes).
struct PmappingFusion {
  std::vector<FusedLoop> loops;
  /// Storage nodes of fusable tensors, in template order.
  std::vector<SharedTensorNode> shared;
  /// Per tracked memory (FusionLayout::memories): all reserved bits.
  std::vector<double> own;
  /// privateLive[m][j], j = 0..loops.size(): bits of reservations of
  /// tensors no other Einsum uses, under fewer than j fused loops.
  std::vector<std::vector<double>> privateLive;
};

/// Whether another Einsum of the workload than `einsum` uses `tensor`.
bool usedByAnotherEinsum(const model::Workload &workload, uint32_t einsum,
                         model::TensorId tensor);

/// Whether some tensor is used by more than one Einsum (so fusion could
/// keep it on chip).
bool einsumsShareTensors(const model::Workload &workload);

/// Per (Einsum, architecture) view: which tensors are fusable and which
/// memories can run out of room.
class FusionLayout {
public:
  FusionLayout(const MapperProblem &problem, const EinsumView &view);

  /// Memories of finite size in the view (arch node indices), in arch order.
  const std::vector<uint32_t> &memories() const { return trackedMemories; }
  /// Whether local tensor t is used by another Einsum too.
  bool fusable(uint32_t t) const { return fusableTensor[t] != 0; }
  /// Whether any Einsum shares a tensor with this one.
  bool anyFusable() const;
  /// The view's outermost memory (arch node index), where unfused tensors
  /// live.
  uint32_t outermostMemory() const { return outermost; }
  /// Whether a storage node keeps its fusable tensor on chip: it backs it
  /// below the outermost memory.
  bool keptOnChip(const SharedTensorNode &s) const {
    return s.backing && s.archNode != outermost;
  }
  /// Whether a pmapping is unfused: no fused loop, no shared tensor on chip.
  bool unfused(const PmappingFusion &f) const;

  /// Loops of `tpl` (in tile-shape order) that are fused: those above its
  /// deepest storage node backing a fusable tensor below the outermost
  /// memory. 0 when every fusable tensor is kept in the outermost memory.
  size_t fusedLoopCount(const Template &tpl) const;

  /// The facts of `tpl` with `tileShapes` (one per loop, outermost first).
  /// False when the tile shapes break the fused-loop limits of the
  /// settings (`max_fused_loops`, `max_fused_loops_per_rank_variable`), or
  /// a spatial loop would be fused (not searched, see Fusion.cpp).
  bool describe(const Template &tpl, std::span<const int64_t> tileShapes,
                PmappingFusion &out) const {
    return describe(tpl, tileShapes, out, fusedLoopCount(tpl));
  }
  /// The same with fusedLoopCount(tpl) already known (the search's leaves).
  bool describe(const Template &tpl, std::span<const int64_t> tileShapes,
                PmappingFusion &out, size_t fusedLoops) const;

  /// Pareto columns of a pmapping: the group its compatibility puts it in
  /// and the reservations to minimise (PmappingRow::group / ::resources).
  /// Only memories in `joint` (by name; all when null) are minimised:
  /// elsewhere no other Einsum can add to what the pmapping uses, and its
  /// own capacity check is the whole story.
  void paretoColumns(const PmappingFusion &f, std::vector<int64_t> &group,
                     std::vector<double> &resources,
                     const std::vector<std::string> *joint = nullptr) const;

  /// Names of the memories where some pmapping of `tpl` reserves room
  /// above its fused loops or keeps a fusable tensor on chip: where one
  /// Einsum's reservations can be live while another runs.
  void addJointMemories(const Template &tpl,
                        std::vector<std::string> &names) const;

private:
  const MapperProblem &problem;
  const EinsumView &view;
  std::vector<uint8_t> fusableTensor;
  std::vector<uint32_t> workloadTensor; ///< per local tensor
  std::vector<uint32_t> trackedMemories;
  uint32_t outermost = 0;
};

} // namespace afc::mapper

#endif // AFC_MAPPER_FUSION_H
