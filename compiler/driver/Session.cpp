//===- Session.cpp - afc in process: load once, call many times -----------===//
//
// A call builds the Options and Context a command line would, elaborates
// the kept modules with its parameters, and runs the same functions as the
// commands (Commands.h); only the last step differs: results are copied
// into owned structs instead of printed. The elaborated program is kept
// while the parameters stay the same, so a Python loop that only changes a
// component field pays for lowering and search, not for the front end.
//
//===----------------------------------------------------------------------===//
#include "afc/driver/Session.h"
#include "Commands.h"
#include "Output.h"

#include "afc/parse/ModuleLoader.h"
#include "afc/sema/Elaborator.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"

#include <mutex>

using namespace afc;
using namespace afc::driver;

struct Session::Impl {
  explicit Impl(SessionOptions o)
      : options(std::move(o)), diagStream(diagText), loadDiags(sm, diagStream),
        loader(loadDiags, searchPath()) {}

  std::vector<std::string> searchPath() {
    stdlib = options.stdlibDir.empty() ? defaultStdlibDir() : options.stdlibDir;
    std::vector<std::string> search(options.includeDirs);
    search.push_back(stdlib);
    return search;
  }

  /// Throws the diagnostics written since `text` was cleared.
  [[noreturn]] void fail(const DiagnosticEngine &diags, std::string &text) {
    DiagnosticLocation first = diags.firstError().value_or(
        DiagnosticLocation{"", 0, 0, "afc: error (no message)"});
    throw SessionError(text.empty() ? first.message : text, first);
  }

  void checkLoad() {
    diagStream.flush();
    if (loadDiags.hadError()) {
      std::string text = diagText;
      // A failed file stays failed; later calls would only repeat it.
      broken = true;
      fail(loadDiags, text);
    }
  }

  SessionOptions options;
  std::string stdlib;
  std::mutex mutex; ///< one call at a time: diagnostics are not thread-safe
  llvm::SourceMgr sm;
  std::string diagText;
  llvm::raw_string_ostream diagStream;
  DiagnosticEngine loadDiags;
  ModuleLoader loader;
  bool broken = false;
  std::vector<std::string> defines;

  /// Elaborates for `call` and runs `command` on the program, throwing the
  /// diagnostics if either fails.
  template <class Fn> auto withProgram(const CallOptions &call, Fn command);

  /// The program elaborated for `specKey` (the parameters), reused by calls
  /// with the same parameters and no mapping text of their own.
  std::string specKey;
  std::unique_ptr<ir::Spec> spec;
};

Session::Session(SessionOptions options)
    : impl(std::make_unique<Impl>(std::move(options))) {}
Session::~Session() = default;

const std::string &Session::stdlibDir() const { return impl->stdlib; }

void Session::addFile(const std::string &path) {
  std::lock_guard<std::mutex> lock(impl->mutex);
  impl->spec.reset();
  impl->loader.loadRoot(path);
  impl->checkLoad();
}

void Session::addSource(const std::string &text, const std::string &name) {
  std::lock_guard<std::mutex> lock(impl->mutex);
  impl->spec.reset();
  impl->loader.loadBuffer(llvm::MemoryBuffer::getMemBufferCopy(text, name));
  impl->checkLoad();
}

void Session::setDefines(std::vector<std::string> defines) {
  std::lock_guard<std::mutex> lock(impl->mutex);
  std::string text;
  llvm::raw_string_ostream os(text);
  DiagnosticEngine diags(impl->sm, os);
  ParamOverrides parsed;
  if (!parseDefines(defines, diags, parsed)) {
    os.flush();
    impl->fail(diags, text);
  }
  impl->defines = std::move(defines);
  impl->spec.reset();
}

namespace {

std::vector<std::string> componentNames(const std::vector<ir::ArchNode> &ns) {
  std::vector<std::string> names;
  for (const ir::ArchNode &n : ns) {
    names.push_back(n.name);
    std::vector<std::string> inner = componentNames(n.children);
    names.insert(names.end(), inner.begin(), inner.end());
  }
  return names;
}

/// `Component.field` and friends as the overrides a study's sweep makes,
/// classified the way sema classifies sweep targets.
bool fieldOverrides(const ir::Spec &spec, const Options &options,
                    const std::vector<std::pair<std::string, std::string>> &fs,
                    DiagnosticEngine &diags, lower::PointOverrides &out) {
  if (fs.empty())
    return true;
  if (spec.arches.empty()) {
    diags.error("component fields are set, but the sources define no arch");
    return false;
  }
  const ir::Arch *arch = spec.arch(options.arch);
  if (!arch && options.arch.empty() && spec.arches.size() == 1)
    arch = &spec.arches[0];
  if (!arch) {
    diags.error("choose the arch whose component fields are set");
    return false;
  }
  bool ok = true;
  for (const auto &[target, text] : fs) {
    llvm::SmallVector<llvm::StringRef, 3> parts;
    llvm::StringRef(target).split(parts, '.');
    const ir::ArchNode *node =
        parts.size() >= 2 ? arch->find(parts[0].str()) : nullptr;
    if (!node || parts.size() > 3) {
      diags.error("'" + target +
                  "' is not Component.field, "
                  "Component.model_attribute or Component.action.field of "
                  "arch '" +
                  arch->name + "'" +
                  (parts.size() >= 2
                       ? didYouMean(parts[0], componentNames(arch->nodes))
                       : std::string()));
      ok = false;
      continue;
    }
    // The value is .af text in a buffer of its own, parsed as -D is.
    ParamOverrides parsed;
    if (!parseDefines({target + "=" + text}, diags, parsed)) {
      ok = false;
      continue;
    }
    ir::Value value = parsed.begin()->second.value;
    std::string component = parts[0].str(), field = parts.back().str();
    const ir::Field *known = nullptr;
    if (parts.size() == 3) {
      const ir::Action *action = node->action(parts[1]);
      if (!action) {
        diags.error("component '" + component + "' has no action '" +
                    parts[1].str() + "'");
        ok = false;
        continue;
      }
      out.actionFields[component][parts[1].str()][field] = value;
    } else if (node->modelAttributes.count(field) ||
               arch->modelAttributesForAll.count(field)) {
      out.modelAttributes[component][field] = value;
    } else if ((known = node->field(field))) {
      // A plain number is in the field's SI unit (bits for a size).
      if (value.isNumber() && value.getDimension().isDimensionless() &&
          known->value && known->value->isNumber())
        value =
            ir::Value::number(value.asNumber(), known->value->getDimension());
      out.fields[component][field] = value;
    } else {
      diags.error("'" + field + "' is not a field or model attribute that " +
                  component + " sets");
      ok = false;
    }
  }
  return ok;
}

unsigned metricFlags(const std::string &metric, DiagnosticEngine &diags) {
  if (metric.empty())
    return 0;
  std::vector<std::string> selectable;
  for (const ir::MetricName &m : ir::metricNames()) {
    if (!m.selectable)
      continue;
    if (metric == m.name)
      return m.metric;
    selectable.push_back(m.name);
  }
  diags.error("unknown metric '" + metric + "'; choose " +
              llvm::join(selectable.begin(), selectable.end() - 1, ", ") +
              " or " + selectable.back() + didYouMean(metric, selectable));
  return 0;
}

ModelFigures figuresOf(const model::Result &r) {
  ModelFigures f;
  f.energy = r.energy;
  f.latency = r.latency;
  f.computes = r.iterationSpacePoints;
  f.area = r.area.totalArea;
  for (const model::EnergyEntry &e : r.energyPerComponentAction())
    f.energies.push_back({std::string(e.einsum), std::string(e.component),
                          std::string(e.action), e.energy});
  for (const model::ComponentLatency &l : r.latencies)
    f.latencies.push_back(
        {std::string(l.einsum), std::string(l.component), l.latency});
  for (const model::ActionCount &a : r.actions)
    f.actions.push_back({std::string(a.einsum), std::string(a.component),
                         std::string(a.tensor), std::string(a.action),
                         a.count, a.bitsPerAction});
  for (const model::MemoryUsage &u : r.resourceUsage)
    f.usage.push_back({std::string(u.memory), u.usage});
  for (const model::ComponentArea &a : r.area.components)
    f.areas.push_back({std::string(a.component), a.totalArea});
  return f;
}

} // namespace

template <class Fn>
auto Session::Impl::withProgram(const CallOptions &call, Fn command) {
  Impl &s = *this;
  std::lock_guard<std::mutex> lock(s.mutex);
  std::string text;
  llvm::raw_string_ostream os(text);
  DiagnosticEngine diags(s.sm, os);
  auto failed = [&]() {
    os.flush();
    s.fail(diags, text);
  };
  if (s.broken) {
    diags.error("the session's sources have errors; load them again");
    failed();
  }
  Options options;
  options.defines = s.defines;
  options.defines.insert(options.defines.end(), call.defines.begin(),
                         call.defines.end());
  options.includeDirs = s.options.includeDirs;
  options.stdlibDir = s.stdlib;
  options.arch = call.arch;
  options.workload = call.workload;
  options.mapping = call.mapping;
  options.mapper = call.mapper;
  options.study = call.study;
  options.metric = metricFlags(call.metric, diags);
  options.unfused = call.unfused;
  options.maxTime = call.maxTime;
  options.maxFusedLoops = call.maxFusedLoops;
  options.threads = call.threads;
  options.quiet = true;
  options.jit = s.options.jit;
  // Commands print progress and warnings to `err`; results come back as
  // data, so nothing is printed to `out` either.
  Context ctx{options, diags, os, os, s.stdlib, {}, nullptr};

  std::vector<const ast::Module *> modules;
  for (const auto &m : s.loader.modules())
    modules.push_back(m.get());
  // A mapping given as text is one more source, for this call only.
  std::optional<ModuleLoader> extra;
  if (!call.mappingText.empty()) {
    extra.emplace(diags, s.searchPath());
    extra->loadBuffer(
        llvm::MemoryBuffer::getMemBufferCopy(call.mappingText, "<mapping>"));
    for (const auto &m : extra->modules())
      modules.push_back(m.get());
  }
  ParamOverrides overrides;
  parseDefines(options.defines, diags, overrides);
  if (diags.hadError())
    failed();
  std::string key = llvm::join(options.defines, "\n");
  std::unique_ptr<ir::Spec> local;
  const ir::Spec *spec = nullptr;
  if (!extra && s.spec && s.specKey == key) {
    spec = s.spec.get();
  } else {
    local = elaborate(modules, overrides, diags);
    if (!local)
      failed();
    spec = local.get();
    if (!extra) {
      s.spec = std::move(local);
      s.specKey = key;
    }
  }
  lower::PointOverrides fields;
  if (!fieldOverrides(*spec, options, call.fields, diags, fields))
    failed();
  ctx.overrides = &fields;
  lower::ElaborateFn elaborateAt =
      [&](const ParamOverrides &params) -> std::shared_ptr<const ir::Spec> {
    ParamOverrides merged = params;
    for (auto &[k, v] : overrides)
      merged[k] = v; // the call's parameters win, as -D does
    return elaborate(modules, merged, diags, /*checkStudies=*/false);
  };
  auto result = command(*spec, ctx, elaborateAt);
  if (!result || diags.hadError())
    failed();
  return std::move(*result);
}

std::vector<ComponentRow> Session::components(const CallOptions &call) {
  return impl->withProgram(
      call,
      [&](const ir::Spec &spec, Context &ctx, const lower::ElaborateFn &)
          -> std::optional<std::vector<ComponentRow>> {
        std::optional<std::vector<ArchFigures>> all =
            componentFigures(spec, ctx);
        if (!all)
          return std::nullopt;
        std::vector<ComponentRow> rows;
        for (const ArchFigures &a : *all)
          for (const lower::EvaluatedComponent &c : a.components) {
            ComponentRow row;
            row.arch = a.arch->name;
            row.component = c.node->name;
            row.componentClass = c.node->componentClass;
            row.instances = c.instances;
            row.area = c.costs.area;
            row.leakPower = c.costs.leakPower;
            row.approximate = c.costs.isApproximate();
            if (c.costs.actions.empty())
              rows.push_back(row);
            for (const auto &act : c.costs.actions) {
              row.action = act.name;
              row.energy = act.energy;
              row.throughput = act.throughput;
              rows.push_back(row);
            }
          }
        return rows;
      });
}

ModelFigures Session::evaluate(const CallOptions &call) {
  return impl->withProgram(
      call,
      [&](const ir::Spec &spec, Context &ctx,
          const lower::ElaborateFn &) -> std::optional<ModelFigures> {
        // A mapping given as text is the one to evaluate, even when the
        // sources declare others.
        Options options = ctx.options;
        if (!call.mappingText.empty() && options.mapping.empty() &&
            !spec.mappings.empty())
          options.mapping = spec.mappings.back().name;
        Context local{options,       ctx.diags,       ctx.out,      ctx.err,
                      ctx.stdlibDir, ctx.sourceFiles, ctx.overrides};
        std::optional<Evaluation> e = evaluateMapping(spec, local);
        if (!e)
          return std::nullopt;
        ModelFigures f = figuresOf(e->result);
        f.arch = e->arch->name;
        f.workload = e->workload->name;
        return f;
      });
}

MapFigures Session::map(const CallOptions &call) {
  return impl->withProgram(
      call,
      [&](const ir::Spec &spec, Context &ctx,
          const lower::ElaborateFn &) -> std::optional<MapFigures> {
        std::optional<MapOutcome> m =
            findBestMapping(spec, ctx, call.onProgress);
        if (!m)
          return std::nullopt;
        MapFigures f;
        static_cast<ModelFigures &>(f) = figuresOf(m->result.result);
        f.arch = m->arch->name;
        f.workload = m->workload->name;
        f.mapping = m->mappingText;
        llvm::raw_string_ostream nest(f.loopNest);
        printLoopNest(m->result.mapping, m->problem->problem.workload,
                      /*verbose=*/false, nest);
        nest.flush();
        const mapper::MapperStatistics &st = m->result.stats;
        f.complete = st.complete;
        f.templates = st.templates;
        f.pmappingsEvaluated = st.evaluatedPmappings;
        f.paretoPmappings = st.paretoPmappings;
        f.onChipTensors = st.onChipTensors;
        f.seconds = st.seconds;
        return f;
      });
}

study::ResultTable Session::run(const CallOptions &call) {
  return impl->withProgram(
      call,
      [&](const ir::Spec &spec, Context &ctx,
          const lower::ElaborateFn &elaborateAt)
          -> std::optional<study::ResultTable> {
        const ir::Study *chosen = nullptr;
        if (!selectOne(spec.studies, call.study, "study", chosen, ctx.diags))
          return std::nullopt;
        bool interrupted = false;
        return studyTable(spec, *chosen, ctx, elaborateAt, interrupted);
      });
}
