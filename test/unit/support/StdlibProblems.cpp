//===- StdlibProblems.cpp - stdlib problems compiled for tests ------------===//

#include "StdlibProblems.h"

#include "afc/lower/LatencyKernel.h"
#include "afc/lower/LowerToMapper.h"
#include "afc/lower/LowerToModel.h"

#include <limits>
#include <map>
#include <stdexcept>

namespace afc::test {

const components::ModelLibrary &modelLibrary() {
  static const components::ModelLibrary library = [] {
    auto lib = components::ModelLibrary::load(AFC_SOURCE_DIR
                                              "/stdlib/data/sram_cacti7.csv");
    if (!lib)
      throw std::runtime_error("cannot load stdlib/data/sram_cacti7.csv: " +
                               lib.error().message);
    return std::move(*lib);
  }();
  return library;
}

ParamOverrides params(const StdlibParams &in) {
  ParamOverrides out;
  for (const auto &[name, value] : in)
    out[name] = {ir::Value::number(value), {}};
  return out;
}

StdlibParams paramsFromKey(const std::string &text) {
  StdlibParams out;
  size_t start = 0;
  while (start < text.size()) {
    size_t comma = text.find(',', start);
    std::string item = text.substr(start, comma - start);
    size_t eq = item.find('=');
    if (eq != std::string::npos) {
      std::string value = item.substr(eq + 1);
      out.push_back({item.substr(0, eq),
                     value == "inf" ? std::numeric_limits<double>::infinity()
                                    : std::stod(value)});
    }
    if (comma == std::string::npos)
      break;
    start = comma + 1;
  }
  return out;
}

Lowered lowerStdlib(const std::string &arch, const std::string &workload,
                    const ParamOverrides &overrides,
                    const lower::PointOverrides *point, bool unfused,
                    bool forMapper) {
  Lowered l;
  l.compiled = std::make_unique<Compiled>("import \"arches/" + arch +
                                              ".af\";\nimport \"workloads/" +
                                              workload + ".af\";\n",
                                          overrides);
  const std::unique_ptr<ir::Spec> &spec = l.compiled->spec;
  if (!spec || spec->arches.size() != 1 || spec->workloads.size() != 1)
    return l;
  lower::KernelOptions kernels{lower::sharedKernelCompiler()};
  std::optional<model::Problem> p =
      lower::lowerProblem(spec->arches[0], spec->workloads[0], modelLibrary(),
                          l.compiled->diags, point, kernels);
  if (p && forMapper)
    l.problem = lower::lowerMapperProblem(std::move(*p), spec->arches[0],
                                          spec->workloads[0], {}, unfused,
                                          l.compiled->diags, point);
  else
    l.model = std::move(p);
  l.compiled->errStream.flush();
  return l;
}

namespace {

std::string cacheKey(const std::string &arch, const std::string &workload,
                     const StdlibParams &params, const char *kind) {
  std::string key = std::string(kind) + "|" + arch + "|" + workload;
  for (const auto &[name, value] : params)
    key += "|" + name + "=" + std::to_string(value);
  return key;
}

/// Every problem handed out stays alive (with its IR) until the run ends.
std::map<std::string, Lowered> &cache() {
  static std::map<std::string, Lowered> c;
  return c;
}

const Lowered &cached(const std::string &arch, const std::string &workload,
                      const StdlibParams &p, bool unfused, bool forMapper) {
  std::string key = cacheKey(arch, workload, p,
                             !forMapper ? "model"
                             : unfused  ? "mapper-unfused"
                                        : "mapper");
  auto it = cache().find(key);
  if (it != cache().end())
    return it->second;
  Lowered l =
      lowerStdlib(arch, workload, params(p), nullptr, unfused, forMapper);
  if (forMapper ? !l.problem : !l.model)
    throw std::runtime_error("stdlib arches/" + arch + ".af with workloads/" +
                             workload + ".af does not lower:\n" +
                             l.compiled->errors);
  return cache().emplace(key, std::move(l)).first->second;
}

} // namespace

const model::Problem &stdlibProblem(const std::string &arch,
                                    const std::string &workload,
                                    const StdlibParams &params) {
  return *cached(arch, workload, params, true, false).model;
}

const mapper::MapperProblem &stdlibMapperProblem(const std::string &arch,
                                                 const std::string &workload,
                                                 const StdlibParams &params,
                                                 bool unfused) {
  return *cached(arch, workload, params, unfused, true).problem;
}

} // namespace afc::test
