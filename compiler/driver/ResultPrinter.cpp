//===- ResultPrinter.cpp - a model result as a table, CSV or JSON ---------===//
//
// The output of `afc eval` (and the result part of `afc map`). Keys of the
// JSON form join the einsum, component, tensor and action with `|`, so a
// reader can index a flat object without knowing the nesting.
//
//===----------------------------------------------------------------------===//
#include "Commands.h"
#include "Output.h"

#include "afc/support/Units.h"

#include <algorithm>
#include <cmath>
#include <map>

using namespace afc;
using namespace afc::driver;

namespace {

std::string key(std::initializer_list<std::string_view> parts) {
  std::string s;
  for (std::string_view p : parts) {
    if (!s.empty())
      s += "|";
    s += p;
  }
  return s;
}

/// What one counted action is, for the unit column: components count in
/// their own words (a DRAM in bits by default, Eyeriss's global buffer in
/// 64-bit words), so counts compare only with it. Compute actions move no
/// word.
std::string countUnit(const model::ActionCount &a, bool plural) {
  if (std::isnan(a.bitsPerAction))
    return plural ? "computes" : "";
  if (a.bitsPerAction == 1)
    return plural ? "bits" : "bit";
  return tableNumber(a.bitsPerAction) + (plural ? "-bit words" : "-bit word");
}

void printCSV(const model::Result &r, llvm::raw_ostream &os) {
  os << "kind,einsum,component,tensor,action,value,unit\n";
  os << "total,,,,energy," << formatNumber(r.energy) << ",J\n";
  os << "total,,,,latency," << formatNumber(r.latency) << ",s\n";
  os << "total,,,,computes," << formatNumber(r.iterationSpacePoints) << ",\n";
  os << "total,,,,area," << formatNumber(r.area.totalArea) << ",m2\n";
  for (const model::EnergyEntry &e : r.energyPerComponentAction())
    os << "energy," << e.einsum << "," << e.component << ",," << e.action << ","
       << formatNumber(e.energy) << ",J\n";
  for (const model::ComponentLatency &l : r.latencies)
    os << "latency," << l.einsum << "," << l.component << ",,,"
       << formatNumber(l.latency) << ",s\n";
  for (const model::ActionCount &a : r.actions)
    os << "actions," << a.einsum << "," << a.component << "," << a.tensor << ","
       << a.action << "," << formatNumber(a.count) << ","
       << countUnit(a, false) << "\n";
  for (const model::MemoryUsage &u : r.resourceUsage)
    os << "usage,," << u.memory << ",,," << formatNumber(u.usage) << ",\n";
}

std::string percent(double part, double whole) {
  return whole ? tableNumber(std::round(part / whole * 1000) / 10) + " %"
               : std::string("-");
}

/// How much of each spatial fanout the mapping uses.
void printUtilization(const model::Result &r, llvm::raw_ostream &os) {
  if (r.spatialUsage.empty())
    return;
  Table t({"einsum", "spatial level", "used", "of", "utilization"});
  for (const model::SpatialUsage &u : r.spatialUsage)
    t.addRow({std::string(u.einsum),
              std::string(u.component) + "." + std::string(u.dimension),
              tableNumber(u.used), tableNumber(u.fanout),
              percent(u.used, u.fanout)});
  os << "Spatial utilization\n";
  t.print(os);
  os << "\n";
}

/// Energy per component, largest first, with its share and the total.
void printComponentShares(const model::Result &r, double perCompute,
                          llvm::raw_ostream &os) {
  std::map<std::string, double> byComponent;
  for (const model::EnergyEntry &e : r.energyPerComponent())
    byComponent[std::string(e.component)] += e.energy;
  std::vector<std::pair<std::string, double>> rows(byComponent.begin(),
                                                   byComponent.end());
  std::stable_sort(rows.begin(), rows.end(),
                   [](auto &a, auto &b) { return a.second > b.second; });
  double total = 0;
  for (auto &[name, energy] : rows)
    total += energy;
  Table t({"component", "energy (J)", "per compute (pJ)", "share"});
  for (auto &[name, energy] : rows)
    t.addRow({name, tableNumber(energy),
              tableNumber(energy * perCompute * 1e12), percent(energy, total)});
  t.addRow({"total", tableNumber(total), tableNumber(total * perCompute * 1e12),
            percent(total, total)});
  os << "Energy per component\n";
  t.print(os);
  os << "\n";
}

void printTable(const model::Result &r, llvm::raw_ostream &os) {
  double perCompute = r.iterationSpacePoints ? 1 / r.iterationSpacePoints : 0;
  os << "energy             " << tableNumber(r.energy) << " J\n";
  os << "energy per compute " << tableNumber(r.energy * perCompute * 1e12)
     << " pJ\n";
  os << "latency            " << tableNumber(r.latency) << " s\n";
  os << "energy-delay       " << tableNumber(r.energyDelayProduct())
     << " J s\n";
  os << "computes           " << formatNumber(r.iterationSpacePoints) << "\n";
  os << "area               " << tableNumber(r.area.totalArea * 1e6)
     << " mm^2\n\n";
  printUtilization(r, os);
  printComponentShares(r, perCompute, os);
  Table energy(
      {"einsum", "component", "action", "energy (J)", "per compute (pJ)"});
  for (const model::EnergyEntry &e : r.energyPerComponentAction())
    energy.addRow({std::string(e.einsum), std::string(e.component),
                   std::string(e.action), tableNumber(e.energy),
                   tableNumber(e.energy * perCompute * 1e12)});
  os << "Energy per component and action\n";
  energy.print(os);
  Table latency({"einsum", "component", "latency (s)"});
  for (const model::ComponentLatency &l : r.latencies)
    latency.addRow({std::string(l.einsum), std::string(l.component),
                    tableNumber(l.latency)});
  os << "\nLatency per component\n";
  latency.print(os);
  Table actions(
      {"einsum", "component", "tensor", "action", "count", "counted in"});
  for (const model::ActionCount &a : r.actions)
    actions.addRow({std::string(a.einsum), std::string(a.component),
                    std::string(a.tensor), std::string(a.action),
                    tableNumber(a.count), countUnit(a, true)});
  os << "\nActions per component and tensor\n";
  actions.print(os);
  Table usage({"memory", "usage (fraction of size)"});
  for (const model::MemoryUsage &u : r.resourceUsage)
    usage.addRow({std::string(u.memory), tableNumber(u.usage)});
  os << "\nMemory usage\n";
  usage.print(os);
}

} // namespace

void driver::writeModelResultMembers(const model::Result &r, JSONWriter &j) {
  double perCompute = r.iterationSpacePoints ? 1 / r.iterationSpacePoints : 0;
  j.member("energy", r.energy);
  j.member("latency", r.latency);
  j.member("computes", r.iterationSpacePoints);
  j.member("energy_per_compute", r.energy * perCompute);
  j.member("area", r.area.totalArea);
  j.key("energy_per_component");
  j.objectBegin();
  for (const model::EnergyEntry &e : r.energyPerComponentAction())
    j.member(key({e.einsum, e.component, e.action}), e.energy);
  j.objectEnd();
  j.key("latency_per_component");
  j.objectBegin();
  for (const model::ComponentLatency &l : r.latencies)
    j.member(key({l.einsum, l.component}), l.latency);
  j.objectEnd();
  j.key("actions");
  j.objectBegin();
  for (const model::ActionCount &a : r.actions)
    j.member(key({a.einsum, a.component, a.tensor, a.action}), a.count);
  j.objectEnd();
  // Keyed as "actions", absent for compute actions (they move no word).
  j.key("bits_per_action");
  j.objectBegin();
  for (const model::ActionCount &a : r.actions)
    if (!std::isnan(a.bitsPerAction))
      j.member(key({a.einsum, a.component, a.tensor, a.action}),
               a.bitsPerAction);
  j.objectEnd();
  j.key("resource_usage");
  j.objectBegin();
  for (const model::MemoryUsage &u : r.resourceUsage)
    j.member(std::string(u.memory), u.usage);
  j.objectEnd();
  j.key("area_per_component");
  j.objectBegin();
  for (const model::ComponentArea &a : r.area.components)
    j.member(std::string(a.component), a.totalArea);
  j.objectEnd();
}

void driver::printModelResult(const model::Result &r, OutputFormat format,
                              llvm::raw_ostream &os) {
  switch (format) {
  case OutputFormat::JSON: {
    JSONWriter j(os);
    j.objectBegin();
    writeModelResultMembers(r, j);
    j.objectEnd();
    return;
  }
  case OutputFormat::CSV:
    printCSV(r, os);
    return;
  case OutputFormat::Table:
  case OutputFormat::Markdown: // rejected by the command line
    printTable(r, os);
    return;
  }
}
