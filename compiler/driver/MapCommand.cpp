//===- MapCommand.cpp - `afc map`: search the optimal mapping -------------===//
//
// Lowers the selected architecture, workload and mapper settings to the
// mapper's problem, searches it, and prints the best mapping in .af syntax
// with its results; `--emit=kernel-ir` prints each pmapping template's cost
// kernel instead.
//
//===----------------------------------------------------------------------===//
#include "Commands.h"
#include "Output.h"

#include "afc/lower/ExplainNoMapping.h"
#include "afc/lower/LowerToMapper.h"
#include "afc/lower/LowerToModel.h"
#include "afc/lower/TemplateKernel.h"
#include "afc/mapper/Mapper.h"
#include "afc/study/SweepRunner.h"
#include "afc/support/JSONWriter.h"
#include "afc/support/Units.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"

using namespace afc;
using namespace afc::driver;

namespace {

/// What `afc map` searches: the selected architecture and workload, and
/// the mapper's problem (none after an error was reported).
struct MapTarget {
  const ir::Arch *arch = nullptr;
  const ir::Workload *workload = nullptr;
  std::optional<mapper::MapperProblem> problem;
};

/// Lowers the selected architecture, workload and mapper settings.
std::optional<mapper::MapperProblem>
mapperProblem(const ir::Spec &spec, Context &ctx, MapTarget &target) {
  const Options &options = ctx.options;
  DiagnosticEngine &diags = ctx.diags;
  const ir::Arch *&arch = target.arch;
  const ir::Workload *&workload = target.workload;
  if (!selectOne(spec.arches, options.arch, "arch", arch, diags) ||
      !selectOne(spec.workloads, options.workload, "workload", workload, diags))
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
  std::optional<model::Problem> problem = lowerProblem(*arch, *workload, ctx);
  if (!problem)
    return std::nullopt;
  return lower::lowerMapperProblem(std::move(*problem), *arch, *workload,
                                   settings, options.unfused, diags,
                                   ctx.overrides);
}

MapTarget mapTarget(const ir::Spec &spec, Context &ctx) {
  MapTarget target;
  target.problem = mapperProblem(spec, ctx, target);
  return target;
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
  case model::PointValue::ActionLatency:
    return n.name + "." + n.actions[v.action].name + ".latency (s)";
  case model::PointValue::LeakPower:
    return n.name + ".leak_power (W)";
  case model::PointValue::OffPathLeakPower:
    break;
  }
  return "";
}

} // namespace

int driver::printTemplateKernels(const ir::Spec &spec, Context &ctx) {
  const Options &options = ctx.options;
  llvm::raw_ostream &os = ctx.out;
  std::optional<mapper::MapperProblem> mp = mapTarget(spec, ctx).problem;
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

/// The best mapping with its results, for `--format=json`: the result
/// object of `afc eval` plus the mapping and the search's statistics.
static void printMapJSON(const mapper::MapperResult &r,
                         const std::string &mappingText,
                         llvm::raw_ostream &os) {
  const mapper::MapperStatistics &st = r.stats;
  JSONWriter j(os);
  j.objectBegin();
  writeModelResultMembers(r.result, j);
  j.member("mapping", llvm::StringRef(mappingText));
  j.key("stats");
  j.objectBegin(/*singleLine=*/true);
  const std::pair<const char *, uint64_t> counts[] = {
      {"templates", st.templates},
      {"kernel_templates", st.kernelTemplates},
      {"repeated_templates", st.repeatedTemplates},
      {"pmappings_evaluated", st.evaluatedPmappings},
      {"pareto_pmappings", st.paretoPmappings},
      {"subtrees_bounded", st.boundedSubtrees},
      {"subtrees_bounded_by_unfused", st.subtreesBoundedByUnfused}};
  for (const auto &[name, count] : counts) {
    j.key(name);
    j.integer(count);
  }
  j.key("complete");
  j.value(st.complete);
  j.key("fusion_searched");
  j.value(st.fusionSearched);
  j.key("fused_einsums");
  j.integer(st.fusedEinsums);
  j.key("on_chip_tensors");
  j.arrayBegin();
  for (const std::string &t : st.onChipTensors)
    j.value(llvm::StringRef(t));
  j.arrayEnd();
  j.objectEnd();
  j.objectEnd();
}

/// The search's summary on the error stream.
static void printSearchSummary(const mapper::MapperStatistics &st,
                               llvm::raw_ostream &err) {
  err << "afc: searched " << st.templates << " templates ("
      << st.kernelTemplates << " with generated kernels"
      << (st.invalidTemplates ? ", " + std::to_string(st.invalidTemplates) +
                                    " invalid for any tile shape"
                              : std::string())
      << (st.repeatedTemplates
              ? ", " + std::to_string(st.repeatedTemplates) +
                    " repeating an identical Einsum's search"
              : std::string())
      << "), " << st.evaluatedPmappings << " pmappings evaluated"
      << (st.boundedSubtrees
              ? " (" + std::to_string(st.boundedSubtrees) +
                    " partial tile shapes cut by cost bounds" +
                    (st.subtreesBoundedByUnfused
                         ? ", " + std::to_string(st.subtreesBoundedByUnfused) +
                               " of them by the unfused optimum"
                         : std::string()) +
                    ")"
              : std::string())
      << ", " << st.paretoPmappings << " on Pareto fronts, "
      << (st.fusionSearched
              ? std::to_string(st.fusedEinsums) + " Einsum(s) fused" +
                    (st.onChipTensors.empty()
                         ? std::string()
                         : " (on chip: " +
                               llvm::join(st.onChipTensors, ", ") + ")")
              : std::string("unfused"))
      << ", in "
      << llvm::format("%.3f", st.seconds) << " s on " << st.threads
      << " threads\n";
}

/// "'A'", "'A' and 'B'", "'A', 'B' and 'C'".
static std::string quotedList(const std::vector<std::string> &names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i)
    out += (i == 0 ? "" : i + 1 == names.size() ? " and " : ", ") + ("'" +
           names[i] + "'");
  return out;
}

/// Notes after "no valid mapping": the binding constraint of each Einsum at
/// the memory declaration to blame, and the keep rule that forces a tensor
/// there.
static void explainNoMapping(const mapper::MapperProblem &mp,
                             const model::ModelError &error,
                             const ir::Arch &arch, DiagnosticEngine &diags) {
  std::vector<lower::MappingObstacle> obstacles =
      lower::explainNoMapping(mp, error);
  for (const lower::MappingObstacle &o : obstacles) {
    const ir::ArchNode *node =
        o.component.empty() ? nullptr : arch.find(o.component);
    if (!node) {
      diags.note(o.message);
      continue;
    }
    diags.note(node->range, o.message);
    if (o.forcedTensors.empty())
      continue;
    std::string forced = "every placement that the keep and may_keep rules "
                         "allow keeps " +
                         quotedList(o.forcedTensors) + " in '" + o.component +
                         "'";
    if (const ir::Field *keep = node->field("keep"))
      diags.note(keep->range, forced + " (its keep rule)");
    else
      diags.note(forced);
  }
  if (obstacles.empty() && !error.einsum.empty() &&
      error.message.find("time limit") == std::string::npos)
    diags.note("the smallest tiles fit every memory in some placement, so "
               "spatial loop-bound rules or the mapper's settings rule out "
               "the rest; write a mapping and run 'afc eval' on it to see "
               "which check fails");
}

std::optional<MapOutcome>
driver::findBestMapping(const ir::Spec &spec, Context &ctx,
                        const std::function<void(size_t, size_t)> &onProgress) {
  const Options &options = ctx.options;
  MapTarget target = mapTarget(spec, ctx);
  if (!target.problem)
    return std::nullopt;
  MapOutcome outcome;
  outcome.arch = target.arch;
  outcome.workload = target.workload;
  // On the heap before the search: the result's names view into it.
  outcome.problem =
      std::make_unique<mapper::MapperProblem>(std::move(*target.problem));
  mapper::MapperProblem &mp = *outcome.problem;
  mp.settings.threads = int(options.threads);
  if (options.maxTime >= 0)
    mp.settings.timeLimit = options.maxTime;
  if (options.maxFusedLoops >= 0)
    mp.settings.maxFusedLoops = options.maxFusedLoops;
  mp.settings.templateKernels = templateKernels(options);
  mp.settings.onProgress = onProgress;
  model::Expected<mapper::MapperResult> r = mapper::map(mp);
  if (!r) {
    lower::checkProblemConsistent(r.error());
    ctx.diags.error("no valid mapping of workload '" + target.workload->name +
                    "' onto '" + target.arch->name + "': " + r.error().message);
    explainNoMapping(mp, r.error(), *target.arch, ctx.diags);
    return std::nullopt;
  }
  outcome.result = std::move(*r);
  lower::checkResultSound(outcome.result.result);
  llvm::raw_string_ostream ms(outcome.mappingText);
  // What makes the mapping less than the answer is said on the error stream
  // and kept with the mapping itself, so a saved or piped result cannot pass
  // for an optimum.
  auto caveat = [&](const std::string &why) {
    ctx.err << "afc: warning: " << why << "\n";
    ms << "// " << why << "\n";
  };
  const mapper::MapperStatistics &st = outcome.result.stats;
  if (!st.complete)
    caveat(st.joinStopped
               ? llvm::formatv(
                     "the join of fused mappings stopped at the time limit "
                     "of {0} s: this is the best unfused mapping found, not "
                     "proven optimal",
                     formatNumber(mp.settings.timeLimit))
                     .str()
               : llvm::formatv(
                     "the search stopped at its time limit of {0} s after {1} "
                     "of {2} search pieces: this is the best mapping found, "
                     "not proven optimal",
                     formatNumber(mp.settings.timeLimit), st.piecesSearched,
                     st.pieces)
                     .str());
  lower::printMapping(outcome.result.mapping, "best", ms);
  ms.flush();
  return outcome;
}

int driver::runMap(const ir::Spec &spec, Context &ctx) {
  const Options &options = ctx.options;
  study::ProgressBar progress("the search (by estimated tile shapes)",
                              options.quiet, study::ProgressBar::Show::Percent);
  std::optional<MapOutcome> m =
      findBestMapping(spec, ctx, [&](size_t done, size_t total) {
        progress.update(done, total);
      });
  progress.finish(0, 0, false);
  if (!m)
    return 1;
  const std::string &mappingText = m->mappingText;
  if (!options.saveMapping.empty() &&
      withOutput(ctx, options.saveMapping,
                 [&](llvm::raw_ostream &os) { os << mappingText; }))
    return 1;
  int rc = withOutput(ctx, [&](llvm::raw_ostream &os) {
    if (options.format == OutputFormat::JSON)
      return printMapJSON(m->result, mappingText, os);
    if (options.format == OutputFormat::Table) {
      printLoopNest(m->result.mapping, m->problem->problem.workload,
                    options.verbose, os);
      os << "\n";
      // The loop nest is for reading; the .af form is what afc eval reads.
      if (options.verbose)
        os << mappingText << "\n";
    }
    printModelResult(m->result.result, options.format, os);
  });
  if (!options.quiet)
    printSearchSummary(m->result.stats, ctx.err);
  return rc;
}
