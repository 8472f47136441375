//===- Fusion.cpp - what a pmapping exposes to the Einsums it is fused with -===//
//
// See Fusion.h. Spatial loops are never fused here: a fusable tensor kept
// below a fanout would make producer and consumer share a spatial loop,
// which the join does not model yet; such pmappings are left out of the
// search, and MapperStatistics says how many were.
//
//===----------------------------------------------------------------------===//

#include "afc/mapper/Fusion.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace afc::mapper {

bool usedByAnotherEinsum(const model::Workload &workload, uint32_t einsum,
                         model::TensorId tensor) {
  for (size_t o = 0; o < workload.einsums.size(); ++o)
    if (o != einsum)
      for (const model::TensorAccess &b : workload.einsums[o].accesses)
        if (b.tensor == tensor)
          return true;
  return false;
}

bool einsumsShareTensors(const model::Workload &workload) {
  for (uint32_t e = 0; e < workload.einsums.size(); ++e)
    for (const model::TensorAccess &a : workload.einsums[e].accesses)
      if (usedByAnotherEinsum(workload, e, a.tensor))
        return true;
  return false;
}

FusionLayout::FusionLayout(const MapperProblem &problem,
                           const EinsumView &view)
    : problem(problem), view(view) {
  const model::Workload &w = problem.problem.workload;
  for (const model::TensorAccess &a : w.einsums[view.einsum].accesses) {
    fusableTensor.push_back(usedByAnotherEinsum(w, view.einsum, a.tensor));
    workloadTensor.push_back(a.tensor);
  }
  const model::FlattenedArch &arch = *view.arch;
  outermost = ~0u;
  for (uint32_t n = 0; n < arch.nodes.size(); ++n) {
    if (arch.nodes[n].kind != model::NodeKind::Memory)
      continue;
    if (outermost == ~0u)
      outermost = n;
    if (std::isfinite(arch.nodes[n].size))
      trackedMemories.push_back(n);
  }
}

bool FusionLayout::unfused(const PmappingFusion &f) const {
  if (!f.loops.empty())
    return false;
  for (const SharedTensorNode &s : f.shared)
    if (keptOnChip(s))
      return false;
  return true;
}

bool FusionLayout::anyFusable() const {
  for (uint8_t f : fusableTensor)
    if (f)
      return true;
  return false;
}

size_t FusionLayout::fusedLoopCount(const Template &tpl) const {
  size_t loops = 0, fused = 0;
  for (const TemplateNode &n : tpl.nodes) {
    if (n.kind != TemplateNodeKind::Storage) {
      ++loops;
      continue;
    }
    if (n.backing && fusable(n.tensor) && n.archNode != outermost)
      fused = loops;
  }
  return fused;
}

bool FusionLayout::describe(const Template &tpl,
                            std::span<const int64_t> tileShapes,
                            PmappingFusion &out, size_t fusedLoops) const {
  const MapperSettings &settings = problem.settings;
  out.loops.clear();
  out.shared.clear();
  out.own.assign(trackedMemories.size(), 0);
  // The search describes every leaf: scratch space is kept per thread
  // instead of allocated per call.
  thread_local std::vector<int64_t> tile;
  thread_local std::vector<int> perRankVariable;
  tile.assign(view.bounds.begin(), view.bounds.end());
  perRankVariable.assign(view.rankVariables.size(), 0);
  // Private reservations by (tracked memory, depth); spread over
  // privateLive once the number of fused loops is known.
  struct Reservation {
    size_t memory;
    int depth;
    double bits;
  };
  thread_local std::vector<Reservation> privateReservations;
  privateReservations.clear();
  size_t loop = 0;
  int depth = 0;
  for (const TemplateNode &n : tpl.nodes) {
    if (n.kind != TemplateNodeKind::Storage) {
      int64_t t = tileShapes[loop];
      bool iterates = t != tile[n.rankVariable];
      if (loop < fusedLoops && iterates) {
        if (n.kind == TemplateNodeKind::Spatial)
          return false;
        if (++perRankVariable[n.rankVariable] >
                settings.maxFusedLoopsPerRankVariable ||
            int(out.loops.size()) >= settings.maxFusedLoops)
          return false;
        out.loops.push_back({n.rankVariable, t});
        ++depth;
      }
      tile[n.rankVariable] = t;
      ++loop;
      continue;
    }
    double values = 1;
    for (const EinsumView::Rank &rank : view.ranks[n.tensor]) {
      double extent = double(rank.constant);
      for (const auto &[r, c] : rank.terms)
        extent += double(c) * double(tile[r] - 1);
      values *= extent + 1;
    }
    double bits = values * view.bitsPerValue[n.tensor][n.archNode];
    size_t memory = trackedMemories.size();
    for (size_t m = 0; m < trackedMemories.size(); ++m)
      if (trackedMemories[m] == n.archNode)
        memory = m;
    if (memory < trackedMemories.size())
      out.own[memory] += bits;
    if (fusable(n.tensor))
      out.shared.push_back(
          {workloadTensor[n.tensor], n.archNode, n.backing, depth, bits});
    else if (memory < trackedMemories.size())
      privateReservations.push_back({memory, depth, bits});
  }
  const size_t fused = out.loops.size();
  out.privateLive.resize(trackedMemories.size());
  for (std::vector<double> &live : out.privateLive)
    live.assign(fused + 1, 0.0);
  for (const Reservation &r : privateReservations)
    for (size_t j = size_t(r.depth) + 1; j <= fused; ++j)
      out.privateLive[r.memory][j] += r.bits;
  return true;
}

void FusionLayout::addJointMemories(const Template &tpl,
                                    std::vector<std::string> &names) const {
  const size_t fused = fusedLoopCount(tpl);
  size_t loops = 0;
  auto add = [&](uint32_t archNode) {
    const model::ArchNode &n = view.arch->nodes[archNode];
    if (std::isfinite(n.size) &&
        std::find(names.begin(), names.end(), n.name) == names.end())
      names.push_back(n.name);
  };
  for (const TemplateNode &n : tpl.nodes) {
    if (n.kind != TemplateNodeKind::Storage) {
      ++loops;
      continue;
    }
    if (loops < fused || (n.backing && fusable(n.tensor)))
      add(n.archNode);
  }
}

void FusionLayout::paretoColumns(const PmappingFusion &f,
                                 std::vector<int64_t> &group,
                                 std::vector<double> &resources,
                                 const std::vector<std::string> *joint) const {
  group.clear();
  resources.clear();
  const int fused = int(f.loops.size());
  group.push_back(fused);
  for (const FusedLoop &l : f.loops) {
    group.push_back(l.rankVariable);
    group.push_back(l.tileShape);
  }
  // A reservation under every fused loop is never live while another
  // Einsum runs, so only its tensor and place matter to the join.
  for (const SharedTensorNode &s : f.shared) {
    group.push_back(s.tensor);
    group.push_back(s.archNode);
    group.push_back(s.backing);
    group.push_back(s.depth);
    group.push_back(s.depth < fused ? std::bit_cast<int64_t>(s.bits) : 0);
  }
  if (fused == 0)
    return; // nothing it reserves is live while another Einsum runs
  for (size_t m = 0; m < trackedMemories.size(); ++m) {
    const std::string &name = view.arch->nodes[trackedMemories[m]].name;
    if (joint && std::find(joint->begin(), joint->end(), name) == joint->end())
      continue;
    resources.push_back(f.own[m]);
    resources.insert(resources.end(), f.privateLive[m].begin() + 1,
                     f.privateLive[m].end());
  }
}

} // namespace afc::mapper
