//===- Reservations.cpp - where each buffet's occupancy is measured
//---------===//
//
// A reservation node marks where a buffet's occupancy is measured: right
// below a backing holder, or lowered through the loops that index its tensor
// (model.md §4). Their order reproduces the reference's list surgery
// (_symbolic.py:345-483), because capacity sums depend on it.
//
//===----------------------------------------------------------------------===//

#include "EvaluatorImpl.h"

namespace afc::model {

void Evaluator::Impl::insertReservations() {
  const PreparedEinsum &e = *einsum;
  // Plain data, so that the fixed arrays below cost nothing to create.
  struct Tracker {
    uint32_t tensor, level;
    bool persistent, stop, under;
  };
  // A handful of trackers at most; a small local array avoids allocation.
  Tracker trackers[64];
  uint32_t nTrackers = 0;
  seenTensor.assign(e.tensors.size(), 0);

  withRes.clear();
  Tracker below[64], above[64];
  for (const PNode &node : nodes) {
    switch (node.kind) {
    case PKind::Reservation:
      break;
    case PKind::Temporal:
      for (uint32_t j = 0; j < nTrackers; ++j) {
        Relevancy r = e.tensors[trackers[j].tensor].relevancy[node.rv];
        // Lowered through relevant loops; stops above an irrelevant one and
        // one level below a partially relevant one.
        trackers[j].stop = r != Relevancy::Relevant;
        trackers[j].under = r == Relevancy::PartiallyRelevant;
      }
      break;
    case PKind::Spatial:
      for (uint32_t j = 0; j < nTrackers; ++j)
        trackers[j].stop = node.arch != trackers[j].level;
      break;
    case PKind::Storage:
    case PKind::Toll: {
      for (uint32_t j = 0; j < nTrackers; ++j) {
        trackers[j].stop = true;
        trackers[j].under = false;
      }
      Tracker t{node.tensor, node.arch, node.persistent, false, false};
      // Backing holders (and unlowerable ones) measure right below.
      if (!node.lower || !seenTensor[node.tensor]) {
        seenTensor[node.tensor] = 1;
        t.stop = true;
        t.under = true;
      }
      if (nTrackers < 64)
        trackers[nTrackers++] = t;
      break;
    }
    case PKind::Compute:
      for (uint32_t j = 0; j < nTrackers; ++j) {
        trackers[j].stop = true;
        trackers[j].under = false;
      }
      break;
    }

    uint32_t nBelow = 0, nAbove = 0;
    for (uint32_t j = nTrackers; j-- > 0;) {
      if (!trackers[j].stop)
        continue;
      (trackers[j].under ? below[nBelow++] : above[nAbove++]) = trackers[j];
      for (uint32_t k = j; k + 1 < nTrackers; ++k)
        trackers[k] = trackers[k + 1];
      --nTrackers;
    }
    auto reservation = [](const Tracker &t) {
      PNode r;
      r.kind = PKind::Reservation;
      r.tensor = t.tensor;
      r.arch = t.level;
      r.persistent = t.persistent;
      return r;
    };
    // The order the reference's list surgery produces: "below" reservations
    // follow the node, and "above" ones are inserted before the last
    // "below" one (or before the node when there is none).
    if (nBelow == 0) {
      for (uint32_t k = 0; k < nAbove; ++k)
        withRes.push_back(reservation(above[k]));
      withRes.push_back(node);
    } else {
      withRes.push_back(node);
      for (uint32_t k = 0; k + 1 < nBelow; ++k)
        withRes.push_back(reservation(below[k]));
      for (uint32_t k = 0; k < nAbove; ++k)
        withRes.push_back(reservation(above[k]));
      withRes.push_back(reservation(below[nBelow - 1]));
    }
  }
}

} // namespace afc::model
