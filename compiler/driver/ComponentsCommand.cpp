//===- ComponentsCommand.cpp - `afc components` ---------------------------===//
//
// Costs every component of every architecture (area, leak power, energy and
// throughput per action) and prints them; `--emit=kernel-ir` prints the
// generated `total_latency` kernels instead.
//
//===----------------------------------------------------------------------===//
#include "Commands.h"
#include "Output.h"

#include "afc/codegen/KernelCompiler.h"
#include "afc/lower/ComponentCosts.h"
#include "afc/lower/LatencyKernel.h"
#include "afc/support/JSONWriter.h"

#include "llvm/Support/Path.h"

#include <cmath>
#include <set>

using namespace afc;
using namespace afc::driver;

namespace {

void printTable(const std::vector<ArchFigures> &all, llvm::raw_ostream &os) {
  for (const ArchFigures &a : all) {
    os << "arch " << a.arch->name;
    if (!a.einsum.empty())
      os << " (fields evaluated for einsum " << a.einsum << ")";
    os << "\n";
    Table t({"component", "class", "instances", "area (mm^2)", "area (m^2)",
             "leak (W)", "action", "energy (pJ)", "throughput (/s)"});
    std::vector<std::string> notes;
    for (const lower::EvaluatedComponent &c : a.components) {
      std::string name = c.node->name;
      if (c.costs.isApproximate()) {
        name += "*";
        for (const auto &ap : c.costs.approximations)
          notes.push_back(c.node->name + ": " + ap.note);
      }
      bool first = true;
      for (const auto &act : c.costs.actions) {
        t.addRow({first ? name : "", first ? c.node->componentClass : "",
                  first ? formatNumber(c.instances) : "",
                  first ? tableNumber(c.costs.area * 1e6) : "",
                  first ? tableNumber(c.costs.area) : "",
                  first ? tableNumber(c.costs.leakPower) : "", act.name,
                  tableNumber(act.energy * 1e12), tableNumber(act.throughput)});
        first = false;
      }
      if (c.costs.actions.empty())
        t.addRow({name, c.node->componentClass, formatNumber(c.instances),
                  tableNumber(c.costs.area * 1e6), tableNumber(c.costs.area),
                  tableNumber(c.costs.leakPower), "", "", ""});
    }
    t.print(os);
    double total = 0, leak = 0;
    for (const lower::EvaluatedComponent &c : a.components) {
      total += c.costs.area * c.instances;
      leak += c.costs.leakPower * c.instances;
    }
    os << "total area " << tableNumber(total * 1e6) << " mm^2 ("
       << tableNumber(total) << " m^2), total leak power " << tableNumber(leak)
       << " W\n";
    for (const std::string &n : notes)
      os << "* approximate: " << n << "\n";
    os << "\n";
  }
}

void printCSV(const std::vector<ArchFigures> &all, llvm::raw_ostream &os) {
  os << "arch,component,class,instances,area_m2,area_mm2,leak_power_W,"
        "action,energy_J,energy_pJ,throughput_per_s,approximate\n";
  for (const ArchFigures &a : all)
    for (const lower::EvaluatedComponent &c : a.components)
      for (const auto &act : c.costs.actions)
        os << a.arch->name << "," << c.node->name << ","
           << c.node->componentClass << "," << formatNumber(c.instances) << ","
           << formatNumber(c.costs.area) << ","
           << formatNumber(c.costs.area * 1e6) << ","
           << formatNumber(c.costs.leakPower) << "," << act.name << ","
           << formatNumber(act.energy) << "," << formatNumber(act.energy * 1e12)
           << "," << formatNumber(act.throughput) << ","
           << (c.costs.isApproximate() ? "true" : "false") << "\n";
}

void printJSON(const std::vector<ArchFigures> &all, llvm::raw_ostream &os) {
  JSONWriter j(os);
  j.objectBegin();
  for (const ArchFigures &a : all) {
    j.key(a.arch->name);
    j.objectBegin();
    for (const lower::EvaluatedComponent &c : a.components) {
      j.key(c.node->name);
      j.objectBegin();
      j.member("area", c.costs.area);
      j.member("leak_power", c.costs.leakPower);
      j.key("actions");
      j.objectBegin();
      for (const auto &act : c.costs.actions) {
        j.key(act.name);
        j.objectBegin();
        j.member("energy", act.energy);
        j.member("throughput", act.throughput);
        j.objectEnd();
      }
      j.objectEnd();
      if (c.costs.isApproximate()) {
        j.key("approximate");
        j.arrayBegin();
        for (const auto &ap : c.costs.approximations)
          j.value(llvm::StringRef(ap.note));
        j.arrayEnd();
      }
      j.objectEnd();
    }
    j.objectEnd();
  }
  j.objectEnd();
}

} // namespace

std::optional<std::vector<ArchFigures>>
driver::componentFigures(const ir::Spec &spec, Context &ctx) {
  const Options &options = ctx.options;
  DiagnosticEngine &diags = ctx.diags;
  // A file whose parameters only its studies set has no architecture of
  // its own; its studies' programs do.
  const ir::Spec *program = &spec;
  if (spec.arches.empty())
    for (const ir::Study &s : spec.studies)
      if (!spec.programOf(s).arches.empty()) {
        program = &spec.programOf(s);
        break;
      }
  if (program->arches.empty()) {
    diags.error("no architecture to evaluate; give a file with an 'arch'");
    return std::nullopt;
  }
  const ir::Spec &from = *program;
  const components::ModelLibrary *models = loadModelLibrary(ctx);
  if (!models)
    return std::nullopt;
  // Like the reference, fields that depend on the Einsum are evaluated for
  // the first Einsum of the workload, if there is one.
  const ir::Einsum *einsum = nullptr;
  if (!options.einsum.empty()) {
    for (const ir::Workload &w : from.workloads)
      if (const ir::Einsum *e = w.einsum(options.einsum))
        einsum = e;
    if (!einsum) {
      diags.error("no einsum named '" + options.einsum + "'");
      return std::nullopt;
    }
  } else if (!from.workloads.empty() && !from.workloads[0].einsums.empty()) {
    einsum = &from.workloads[0].einsums[0];
  }
  std::vector<ArchFigures> all;
  for (const ir::Arch &a : from.arches) {
    auto comps =
        lower::evaluateComponentCosts(a, einsum, *models, diags, ctx.overrides);
    if (!comps)
      return std::nullopt;
    all.push_back({&a, einsum ? einsum->name : "", std::move(*comps)});
  }
  return all;
}

int driver::runComponents(const ir::Spec &spec, Context &ctx) {
  std::optional<std::vector<ArchFigures>> all = componentFigures(spec, ctx);
  if (!all)
    return 1;
  return withOutput(ctx, [&](llvm::raw_ostream &os) {
    switch (ctx.options.format) {
    case OutputFormat::Table:
    case OutputFormat::Markdown: // rejected by the command line
      printTable(*all, os);
      break;
    case OutputFormat::CSV:
      printCSV(*all, os);
      break;
    case OutputFormat::JSON:
      printJSON(*all, os);
      break;
    }
  });
}

int driver::printKernels(const ir::Spec &spec, Context &ctx) {
  std::vector<const ir::Spec *> programs = {&spec};
  for (const ir::Study &s : spec.studies)
    if (s.program)
      programs.push_back(s.program.get());
  std::set<std::string> printed;
  for (const ir::Spec *p : programs)
    for (const ir::Arch &a : p->arches)
      for (const ir::Arch::Path &path : a.paths())
        for (const ir::Arch::PathNode &pn : path.nodes) {
          const ir::ArchNode &n = *pn.node;
          const ir::Field *tl = n.field("total_latency");
          std::string name = "total_latency_" + a.name + "_" + n.name;
          if (!tl || !printed.insert(name).second)
            continue;
          if (auto graph = lower::latencyGraph(tl->expr, n, {}))
            codegen::KernelCompiler::printIR(*graph, name, ctx.out);
          else
            ctx.diags.warning(tl->range,
                              "this total_latency is interpreted: it "
                              "uses a construct kernels do not cover");
        }
  return 0;
}
