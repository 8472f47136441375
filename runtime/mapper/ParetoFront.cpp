//===- ParetoFront.cpp - objectives of the mapper's metrics ----------------===//
//
// The metric-dependent parts of the Pareto front that need no template: how
// many objectives a metric compares and the metric's value of a total. See
// ParetoFront.h.
//
//===----------------------------------------------------------------------===//

#include "afc/mapper/ParetoFront.h"

namespace afc::mapper {

int objectiveCount(Metric metric) {
  return metric == Metric::EnergyDelayProduct ? 2 : 1;
}

double metricValue(Metric metric, double energy, double latency) {
  switch (metric) {
  case Metric::Energy:
    return energy;
  case Metric::Latency:
    return latency;
  case Metric::EnergyDelayProduct:
    return energy * latency;
  }
  return energy;
}

} // namespace afc::mapper
