//===- EvalCommand.cpp - `afc eval`: evaluate a fixed mapping -------------===//
#include "Commands.h"
#include "Output.h"

#include "afc/lower/LowerToModel.h"
#include "afc/support/JSONWriter.h"

#include <cmath>

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

} // namespace

void driver::printModelResult(const model::Result &r, OutputFormat format,
                              llvm::raw_ostream &os) {
  double perCompute = r.iterationSpacePoints ? 1 / r.iterationSpacePoints : 0;
  if (format == OutputFormat::JSON) {
    JSONWriter j(os);
    j.objectBegin();
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
    j.objectEnd();
    return;
  }
  if (format == OutputFormat::CSV) {
    os << "kind,einsum,component,tensor,action,value,unit\n";
    os << "total,,,,energy," << formatNumber(r.energy) << ",J\n";
    os << "total,,,,latency," << formatNumber(r.latency) << ",s\n";
    os << "total,,,,computes," << formatNumber(r.iterationSpacePoints) << ",\n";
    os << "total,,,,area," << formatNumber(r.area.totalArea) << ",m2\n";
    for (const model::EnergyEntry &e : r.energyPerComponentAction())
      os << "energy," << e.einsum << "," << e.component << ",," << e.action
         << "," << formatNumber(e.energy) << ",J\n";
    for (const model::ComponentLatency &l : r.latencies)
      os << "latency," << l.einsum << "," << l.component << ",,,"
         << formatNumber(l.latency) << ",s\n";
    for (const model::ActionCount &a : r.actions)
      os << "actions," << a.einsum << "," << a.component << "," << a.tensor
         << "," << a.action << "," << formatNumber(a.count) << ",\n";
    for (const model::MemoryUsage &u : r.resourceUsage)
      os << "usage,," << u.memory << ",,," << formatNumber(u.usage) << ",\n";
    return;
  }
  os << "energy             " << tableNumber(r.energy) << " J\n";
  os << "energy per compute " << tableNumber(r.energy * perCompute * 1e12) << " pJ\n";
  os << "latency            " << tableNumber(r.latency) << " s\n";
  os << "computes           " << formatNumber(r.iterationSpacePoints) << "\n";
  os << "area               " << tableNumber(r.area.totalArea * 1e6) << " mm^2\n\n";
  Table energy({"einsum", "component", "action", "energy (J)",
                "per compute (pJ)"});
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
  Table actions({"einsum", "component", "tensor", "action", "count"});
  for (const model::ActionCount &a : r.actions)
    actions.addRow({std::string(a.einsum), std::string(a.component),
                    std::string(a.tensor), std::string(a.action),
                    tableNumber(a.count)});
  os << "\nActions per component and tensor\n";
  actions.print(os);
  Table usage({"memory", "usage (fraction of size)"});
  for (const model::MemoryUsage &u : r.resourceUsage)
    usage.addRow({std::string(u.memory), tableNumber(u.usage)});
  os << "\nMemory usage\n";
  usage.print(os);
}

int driver::runEval(const ir::Spec &spec, DiagnosticEngine &diags,
                    const CommonOptions &options) {
  const ir::Arch *arch = nullptr;
  const ir::Workload *workload = nullptr;
  const ir::Mapping *mapping = nullptr;
  if (!selectOne(spec.arches, options.arch, "arch", arch, diags) ||
      !selectOne(spec.workloads, options.workload, "workload", workload,
                 diags) ||
      !selectOne(spec.mappings, options.mapping, "mapping", mapping, diags))
    return 1;
  if (!lower::checkPlacement(*arch, *workload, *mapping, diags))
    return 1;
  std::optional<model::Problem> problem =
      driver::lowerProblem(*arch, *workload, options, diags);
  if (!problem)
    return 1;
  lower::LocationTable locations;
  model::Mapping m = lower::lowerMapping(*mapping, locations);
  model::Expected<model::Result> result = model::evaluate(*problem, m);
  if (!result) {
    lower::reportModelError(result.error(), locations, diags);
    return 1;
  }
  return withOutput(options, diags, [&](llvm::raw_ostream &os) {
    printModelResult(*result, options.format, os);
  });
}
