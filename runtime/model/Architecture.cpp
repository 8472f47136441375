//===- Architecture.cpp - component helpers and area ----------------------===//
//
// The default total_latency, action lookups, and the mapping-independent area
// and leak-power report (model.md §10).
//
//===----------------------------------------------------------------------===//

#include "afc/model/Architecture.h"
#include "afc/model/Evaluator.h"

namespace afc::model {

double ComponentActivity::nCalls(std::string_view action) const {
  for (const ActionActivity &a : actions)
    if (a.name == action)
      return a.nCalls;
  return 0;
}

double defaultTotalLatency(const ComponentActivity &activity) {
  double latency = 0;
  for (const ActionActivity &a : activity.actions)
    // An idle action costs no time even on a port with zero throughput.
    if (a.nCalls != 0)
      latency += a.nCalls / a.throughput;
  return latency;
}

double defaultNetworkLatency(double maxHops, double maxLinkTraffic,
                             double hopLatency, double hopThroughput) {
  double route = maxHops * hopLatency;
  double link = maxLinkTraffic / hopThroughput;
  return route < link ? link : route;
}

const Action *ArchNode::findAction(std::string_view actionName) const {
  for (const Action &a : actions)
    if (a.name == actionName)
      return &a;
  return nullptr;
}

AreaReport computeArea(const FlattenedArch &arch, bool includeOwnFanout) {
  AreaReport report;
  double fanoutAbove = 1;
  auto add = [&](std::string_view name, double area, double leak,
                 double instances) {
    ComponentArea c;
    c.component = name;
    c.area = area;
    c.leakPower = leak;
    c.instances = instances;
    c.totalArea = area * instances;
    c.totalLeakPower = leak * instances;
    report.totalArea += c.totalArea;
    report.totalLeakPower += c.totalLeakPower;
    report.components.push_back(c);
  };
  for (const ArchNode &n : arch.nodes) {
    double own = 1;
    for (const SpatialDimension &s : n.spatial)
      own *= s.fanout;
    // The reference multiplies by the fanouts of the parents only, so a
    // component's own fanout is counted once (model.md §10, quirk 2).
    if (n.isComponent())
      add(n.name, n.area, n.leakPower,
          includeOwnFanout ? fanoutAbove * own : fanoutAbove);
    fanoutAbove *= own;
  }
  for (const OffPathComponent &c : arch.otherComponents)
    add(c.name, c.area, c.leakPower,
        includeOwnFanout ? c.parentFanout * c.ownFanout : c.parentFanout);
  return report;
}

} // namespace afc::model
