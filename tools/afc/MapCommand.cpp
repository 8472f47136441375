//===- MapCommand.cpp - `afc map`: search the optimal mapping -------------===//
#include "Commands.h"
#include "Output.h"

#include "afc/lower/LowerToMapper.h"
#include "afc/lower/LowerToModel.h"
#include "afc/lower/TemplateKernel.h"
#include "afc/mapper/Mapper.h"
#include "afc/study/SweepRunner.h"
#include "afc/support/JSONWriter.h"

#include "llvm/Support/Format.h"

using namespace afc;
using namespace afc::driver;

namespace {

/// The mapper's problem of the selected architecture, workload and mapper
/// settings; nullopt after reporting an error.
std::optional<mapper::MapperProblem>
mapperProblem(const ir::Spec &spec, DiagnosticEngine &diags,
              const CommonOptions &options, const ir::Arch *&arch,
              const ir::Workload *&workload) {
  if (!selectOne(spec.arches, options.arch, "arch", arch, diags) ||
      !selectOne(spec.workloads, options.workload, "workload", workload,
                 diags))
    return std::nullopt;
  ir::MapperSettings settings;
  if (!options.mapper.empty() || spec.mappers.size() == 1) {
    const ir::MapperSettings *m = nullptr;
    if (!selectOne(spec.mappers, options.mapper, "mapper", m, diags))
      return std::nullopt;
    settings = *m;
  }
  if (options.metric)
    settings.metrics = options.metric;
  std::optional<model::Problem> problem =
      driver::lowerProblem(*arch, *workload, options, diags);
  if (!problem)
    return std::nullopt;
  return lower::lowerMapperProblem(std::move(*problem), *arch, *workload,
                                   settings, options.unfused, diags);
}

/// What a template kernel's point argument is, in the spec's words.
std::string describePoint(const model::FlattenedArch &arch,
                          const model::PointValue &v) {
  if (v.kind == model::PointValue::OffPathLeakPower)
    return arch.otherComponents[v.node].name + ".leak_power (W)";
  const model::ArchNode &n = arch.nodes[v.node];
  switch (v.kind) {
  case model::PointValue::MemorySize:
    return n.name + ".size (bits)";
  case model::PointValue::ActionEnergy:
    return n.name + "." + n.actions[v.action].name + ".energy (J)";
  case model::PointValue::ActionThroughput:
    return n.name + "." + n.actions[v.action].name + ".throughput (1/s)";
  case model::PointValue::ActionBitsPerAction:
    return n.name + "." + n.actions[v.action].name + ".bits_per_action";
  case model::PointValue::LeakPower:
    return n.name + ".leak_power (W)";
  case model::PointValue::OffPathLeakPower:
    break;
  }
  return "";
}

} // namespace

int driver::printTemplateKernels(const ir::Spec &spec, DiagnosticEngine &diags,
                                 const CommonOptions &options,
                                 llvm::raw_ostream &os) {
  const ir::Arch *arch = nullptr;
  const ir::Workload *workload = nullptr;
  std::optional<mapper::MapperProblem> mp =
      mapperProblem(spec, diags, options, arch, workload);
  if (!mp)
    return 1;
  model::Evaluator evaluator(mp->problem, mp->costingOptions());
  const model::Workload &w = mp->problem.workload;
  for (uint32_t e = 0; e < w.einsums.size(); ++e) {
    if (!options.einsum.empty() && w.einsums[e].name != options.einsum)
      continue;
    const mapper::EinsumRules *rules = mp->rulesFor(w.einsums[e].name);
    for (const model::FlattenedArch *fa :
         mapper::architecturesOf(mp->problem, w.einsums[e].name)) {
      mapper::EinsumView view = mapper::makeEinsumView(*mp, e, *fa);
      std::vector<mapper::Template> templates =
          mapper::enumerateTemplates(*mp, view, rules);
      for (size_t t = 0; t < templates.size(); ++t) {
        mapper::TemplateCost cost(*mp, view, templates[t]);
        std::vector<const model::MappingNode *> loops = cost.loops();
        model::Expected<lower::TemplateGraph> traced =
            lower::traceTemplate(evaluator, cost.structure(), loops);
        os << "; Einsum " << w.einsums[e].name << ", template " << t << ": "
           << mapper::describe(view, templates[t]) << "\n";
        if (!traced) {
          os << (traced.error().kind == model::ErrorKind::NotTraceable
                     ? "; no kernel (costed by the model): "
                     : "; no kernel (no tile shape is valid): ")
             << traced.error().message << "\n\n";
          continue;
        }
        for (size_t i = 0; i < traced->point.size(); ++i)
          os << ";   point[" << i
             << "] = " << describePoint(*fa, traced->point[i]) << "\n";
        for (size_t i = 0; i < loops.size(); ++i) {
          std::string loop = model::describe(*loops[i]);
          loop = loop.substr(0, loop.find(" tile "));
          os << ";   tiles[" << i << "] = tile shape of " << loop << "\n";
        }
        os << ";   out = energy (J), latency (s), failed capacity and "
              "fanout checks\n";
        codegen::KernelCompiler::printIR(
            traced->graph,
            "template_" + w.einsums[e].name + "_" + std::to_string(t), os);
        os << "\n";
      }
    }
  }
  return 0;
}

int driver::runMap(const ir::Spec &spec, DiagnosticEngine &diags,
                   const CommonOptions &options) {
  const ir::Arch *arch = nullptr;
  const ir::Workload *workload = nullptr;
  std::optional<mapper::MapperProblem> mp =
      mapperProblem(spec, diags, options, arch, workload);
  if (!mp)
    return 1;
  mp->settings.threads = int(options.threads);
  mp->settings.templateKernels = templateKernels(options);
  study::ProgressBar progress("search pieces", options.quiet);
  mp->settings.onProgress = [&](size_t done, size_t total) {
    progress.update(done, total);
  };
  model::Expected<mapper::MapperResult> r = mapper::map(*mp);
  progress.finish(0, 0, false);
  if (!r) {
    diags.error("no valid mapping of workload '" + workload->name +
                "' onto '" + arch->name + "': " + r.error().message);
    return 1;
  }
  const mapper::MapperStatistics &st = r->stats;
  std::string mappingText;
  llvm::raw_string_ostream ms(mappingText);
  lower::printMapping(r->mapping, "best", ms);
  ms.flush();
  if (!options.saveMapping.empty()) {
    CommonOptions file = options;
    file.outputFile = options.saveMapping;
    if (withOutput(file, diags,
                   [&](llvm::raw_ostream &os) { os << mappingText; }))
      return 1;
  }
  int rc = withOutput(options, diags, [&](llvm::raw_ostream &os) {
    if (options.format == OutputFormat::JSON) {
      // The result object of `afc eval`, plus the mapping and statistics.
      std::string body;
      llvm::raw_string_ostream bs(body);
      printModelResult(r->result, OutputFormat::JSON, bs);
      bs.flush();
      body.erase(body.find_last_of('}'));
      while (!body.empty() && (body.back() == '\n' || body.back() == ' '))
        body.pop_back();
      os << body << ",\n  \"mapping\": ";
      JSONWriter j(os, 0);
      j.value(llvm::StringRef(mappingText));
      os << ",\n  \"stats\": {\"templates\": " << st.templates
         << ", \"kernel_templates\": " << st.kernelTemplates
         << ", \"pmappings_evaluated\": " << st.evaluatedPmappings
         << ", \"pareto_pmappings\": " << st.paretoPmappings << "}\n}\n";
      return;
    }
    if (options.format == OutputFormat::Table)
      os << mappingText << "\n";
    printModelResult(r->result, options.format, os);
  });
  if (!options.quiet)
    llvm::errs() << "afc: searched " << st.templates << " templates ("
                 << st.kernelTemplates << " with generated kernels"
                 << (st.invalidTemplates
                         ? ", " + std::to_string(st.invalidTemplates) +
                               " invalid for any tile shape"
                         : std::string())
                 << "), "
                 << st.evaluatedPmappings << " pmappings evaluated, "
                 << st.paretoPmappings << " on Pareto fronts, in "
                 << llvm::format("%.3f", st.seconds) << " s on " << st.threads
                 << " threads\n";
  return rc;
}
