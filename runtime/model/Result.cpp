//===- Result.cpp - queries over an evaluation result ---------------------===//
//
// Aggregations in the shapes of the reference's result queries
// (accelforge/mapper/FFM/mappings.py) and per-compute normalisation.
//
//===----------------------------------------------------------------------===//

#include "afc/model/Result.h"

#include <algorithm>

namespace afc::model {

std::vector<EnergyEntry> Result::energyPerComponentAction() const {
  std::vector<EnergyEntry> out;
  for (const EnergyEntry &e : energies) {
    auto it = std::find_if(out.begin(), out.end(), [&](const EnergyEntry &o) {
      return o.einsum == e.einsum && o.component == e.component &&
             o.action == e.action;
    });
    if (it == out.end())
      out.push_back({e.einsum, e.component, {}, e.action, e.energy});
    else
      it->energy += e.energy;
  }
  return out;
}

std::vector<EnergyEntry> Result::energyPerComponent() const {
  std::vector<EnergyEntry> out;
  for (const EnergyEntry &e : energies) {
    auto it = std::find_if(out.begin(), out.end(), [&](const EnergyEntry &o) {
      return o.einsum == e.einsum && o.component == e.component;
    });
    if (it == out.end())
      out.push_back({e.einsum, e.component, {}, {}, e.energy});
    else
      it->energy += e.energy;
  }
  return out;
}

double Result::einsumLatency(std::string_view einsum) const {
  for (const EinsumSummary &s : einsums)
    if (s.einsum == einsum)
      return s.latency;
  return 0;
}

double Result::usage(std::string_view memory) const {
  for (const MemoryUsage &u : resourceUsage)
    if (u.memory == memory)
      return u.usage;
  return 0;
}

Result Result::perCompute(bool perEinsum) const {
  Result r = *this;
  double total = iterationSpacePoints;
  auto divisor = [&](std::string_view einsum) {
    if (!perEinsum)
      return total;
    for (const EinsumSummary &s : einsums)
      if (s.einsum == einsum)
        return s.iterationSpacePoints;
    return total;
  };
  r.energy /= total;
  r.latency /= total;
  r.computes /= total;
  for (EinsumSummary &s : r.einsums) {
    double d = divisor(s.einsum);
    s.energy /= d;
    s.dynamicEnergy /= d;
    s.leakEnergy /= d;
    s.latency /= d;
    s.computes /= d;
  }
  for (ActionCount &a : r.actions)
    a.count /= divisor(a.einsum);
  for (EnergyEntry &e : r.energies)
    e.energy /= divisor(e.einsum);
  for (ComponentLatency &l : r.latencies)
    l.latency /= divisor(l.einsum);
  return r;
}

void Result::clear() {
  energy = latency = computes = iterationSpacePoints = 0;
  einsums.clear();
  actions.clear();
  energies.clear();
  latencies.clear();
  occupancies.clear();
  reservations.clear();
  memoryUsage.clear();
  resourceUsage.clear();
  spatialUsage.clear();
  area.components.clear();
  area.totalArea = area.totalLeakPower = 0;
}

} // namespace afc::model
