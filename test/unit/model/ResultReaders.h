//===- ResultReaders.h - reading a model::Result in the model tests -*- C++ -*-===//
//
// Header-only because it reports through GoogleTest, which the model
// benchmark that shares ModelTestSupport does not link.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_TEST_MODEL_RESULTREADERS_H
#define AFC_TEST_MODEL_RESULTREADERS_H

#include "afc/model/Model.h"

#include <gtest/gtest.h>

#include <string_view>

namespace afc::model::test {

/// The latency of `component` (a test failure, and -1, when it has none).
inline double latencyOf(const Result &r, std::string_view component) {
  for (const ComponentLatency &l : r.latencies)
    if (l.component == component)
      return l.latency;
  ADD_FAILURE() << "no latency for " << component;
  return -1;
}

/// The energy of `component`'s `action`, summed over tensors (0 if none).
inline double energyOf(const Result &r, std::string_view component,
                       std::string_view action) {
  double total = 0;
  for (const EnergyEntry &e : r.energies)
    if (e.component == component && e.action == action)
      total += e.energy;
  return total;
}

} // namespace afc::model::test

#endif // AFC_TEST_MODEL_RESULTREADERS_H
