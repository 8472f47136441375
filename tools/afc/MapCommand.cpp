//===- MapCommand.cpp - `afc map`: search the optimal mapping -------------===//
#include "Commands.h"
#include "Output.h"

#include "afc/lower/MapperProblem.h"
#include "afc/lower/ModelProblem.h"
#include "afc/mapper/Mapper.h"
#include "afc/study/SweepRunner.h"
#include "afc/support/JSONWriter.h"

#include "llvm/Support/Format.h"

using namespace afc;
using namespace afc::driver;

int driver::runMap(const ir::Spec &spec, DiagnosticEngine &diags,
                   const CommonOptions &options) {
  const ir::Arch *arch = nullptr;
  const ir::Workload *workload = nullptr;
  if (!selectOne(spec.arches, options.arch, "arch", arch, diags) ||
      !selectOne(spec.workloads, options.workload, "workload", workload,
                 diags))
    return 1;
  ir::MapperSettings settings;
  if (!options.mapper.empty() || spec.mappers.size() == 1) {
    const ir::MapperSettings *m = nullptr;
    if (!selectOne(spec.mappers, options.mapper, "mapper", m, diags))
      return 1;
    settings = *m;
  }
  if (options.metric)
    settings.metrics = options.metric;
  std::optional<model::Problem> problem =
      driver::lowerProblem(*arch, *workload, options, diags);
  if (!problem)
    return 1;
  std::optional<mapper::MapperProblem> mp = lower::lowerMapperProblem(
      std::move(*problem), *arch, *workload, settings, options.unfused, diags);
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
                 << st.kernelTemplates << " with generated kernels), "
                 << st.evaluatedPmappings << " pmappings evaluated, "
                 << st.paretoPmappings << " on Pareto fronts, in "
                 << llvm::format("%.3f", st.seconds) << " s on " << st.threads
                 << " threads\n";
  return rc;
}
