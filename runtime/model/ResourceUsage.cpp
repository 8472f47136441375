//===- ResourceUsage.cpp - the whole mapping's peak memory use
//--------------===//
//
// While one Einsum runs, a memory holds its own reservations and those of
// other Einsums made above the loops they share with it (still live). The
// peak over the Einsums, counting a tensor once per memory, is the mapping's
// resource usage, for fused and unfused mappings alike (model.md §9).
//
//===----------------------------------------------------------------------===//

#include "EvaluatorImpl.h"

#include <algorithm>

namespace afc::model {

void Evaluator::Impl::wholeMappingUsage(Result &result) {
  // The reference's join keeps, while one Einsum runs, its own reservations
  // plus those of other Einsums made above the loops they share with it
  // (still live), counting a tensor once per memory. This reproduces its
  // resource_usage() for fused and unfused mappings alike.
  auto sharedLoops = [&](const PmappingInfo &x, const PmappingInfo &y) {
    const auto &px = paths[x.path], &py = paths[y.path];
    int loops = 0;
    for (size_t i = 0; i + 1 < px.size() && i + 1 < py.size(); ++i) {
      if (px[i] != py[i])
        break;
      loops += px[i]->isLoop();
    }
    return loops;
  };
  size_t firstUsage = result.resourceUsage.size();
  for (size_t i = 0; i < reservationRecords.size(); ++i) {
    std::string_view mem = reservationRecords[i].memory;
    bool seen = false;
    for (size_t k = firstUsage; k < result.resourceUsage.size(); ++k)
      seen |= result.resourceUsage[k].memory == mem;
    if (seen)
      continue;
    double peak = 0;
    for (const PmappingInfo &x : pmappings) {
      double live = 0;
      for (size_t r = x.reservationsBegin; r < x.reservationsEnd; ++r)
        if (reservationRecords[r].memory == mem)
          live += reservationRecords[r].bits;
      for (const PmappingInfo &y : pmappings) {
        if (&x == &y)
          continue;
        int shared = sharedLoops(x, y);
        for (size_t r = y.reservationsBegin; r < y.reservationsEnd; ++r) {
          const ReservationRecord &rec = reservationRecords[r];
          if (rec.memory != mem || rec.nLoopsAbove >= shared)
            continue;
          bool mine = false;
          for (size_t q = x.reservationsBegin; q < x.reservationsEnd; ++q)
            mine |= reservationRecords[q].memory == mem &&
                    reservationRecords[q].tensor == rec.tensor;
          if (!mine)
            live += rec.bits;
        }
      }
      peak = std::max(peak, live);
    }
    double size = reservationRecords[i].size;
    result.resourceUsage.push_back({{}, mem, peak, size, peak / size});
  }
}

} // namespace afc::model
