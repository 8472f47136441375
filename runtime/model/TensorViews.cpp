//===- TensorViews.cpp - per-tensor orders of a pmapping
//--------------------===//
//
// Each tensor is analysed on its own view of the pmapping: the loops, its
// own holders and reservations, with spatial loops moved right above the
// holder they replicate (mapping.py:1336-1540). This is where multicast and
// reduction across a fanout become visible to the reuse analysis.
//
//===----------------------------------------------------------------------===//

#include "EvaluatorImpl.h"

#include <algorithm>

namespace afc::model {

std::optional<ModelError> Evaluator::Impl::buildView(uint32_t tensor) {
  const PreparedEinsum &e = *einsum;
  view.clear();
  hasParentAt.clear();
  pendingSpatials.assign(spatialIndices.begin(), spatialIndices.end());

  // Spatial loops go right above the first holder (or the compute) that
  // they replicate: the first one at or below their component.
  size_t nextPending = 0;
  auto placeSpatials = [&](uint32_t archIdx) {
    for (size_t k = nextPending; k < pendingSpatials.size(); ++k) {
      uint32_t s = pendingSpatials[k];
      if (s == kNone || withRes[s].arch > archIdx)
        continue;
      view.push_back(s);
      hasParentAt.push_back(0);
      pendingSpatials[k] = kNone;
    }
    while (nextPending < pendingSpatials.size() &&
           pendingSpatials[nextPending] == kNone)
      ++nextPending;
  };
  bool holderAbove = false;
  for (uint32_t i = 0; i < withRes.size(); ++i) {
    const PNode &n = withRes[i];
    switch (n.kind) {
    case PKind::Spatial:
      continue;
    case PKind::Temporal:
      break;
    case PKind::Reservation:
      if (n.tensor != tensor)
        continue;
      break;
    case PKind::Storage:
    case PKind::Toll:
      if (n.tensor != tensor)
        continue;
      placeSpatials(n.arch);
      break;
    case PKind::Compute:
      placeSpatials(n.arch);
      break;
    }
    view.push_back(i);
    hasParentAt.push_back(n.isHolder() && holderAbove);
    if (n.isHolder())
      holderAbove = true;
  }

  // Within each run of consecutive loops, restore the mapping's order.
  bool reordered = false;
  for (size_t a = 0; a < view.size();) {
    if (!withRes[view[a]].isLoop()) {
      ++a;
      continue;
    }
    size_t b = a + 1;
    // Insertion sort: runs are short and almost always already in order.
    for (; b < view.size() && withRes[view[b]].isLoop(); ++b)
      for (size_t k = b; k > a && view[k - 1] > view[k]; --k)
        std::swap(view[k - 1], view[k]);
    a = b;
  }
  uint32_t maxLoop = 0;
  for (uint32_t idx : view) {
    if (!withRes[idx].isLoop())
      continue;
    if (idx < maxLoop)
      reordered = true;
    maxLoop = std::max(maxLoop, idx);
  }
  if (!reordered)
    return std::nullopt;

  // A spatial and a temporal loop over the same rank variable of this tensor
  // must not swap: the tiles would no longer be contiguous.
  for (size_t a = 0; a < view.size(); ++a) {
    const PNode &x = withRes[view[a]];
    if (!x.isLoop())
      continue;
    if (tensor != kNone &&
        e.tensors[tensor].relevancy[x.rv] == Relevancy::Irrelevant)
      continue;
    for (size_t b = a + 1; b < view.size(); ++b) {
      const PNode &y = withRes[view[b]];
      if (y.isLoop() && y.rv == x.rv && view[a] > view[b])
        return makeError(
            ErrorKind::SpatialTemporalConflict,
            "this loop and '" + describe(*y.source) +
                "' iterate the same rank variable but must be reordered to "
                "place the spatial loop next to the storage it replicates; "
                "move the spatial loop below the storage node",
            x.source, e.name);
    }
  }
  return std::nullopt;
}

} // namespace afc::model
