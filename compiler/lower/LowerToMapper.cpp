//===- LowerToMapper.cpp - IR to the mapper's problem ---------------------===//
#include "afc/lower/LowerToMapper.h"
#include "afc/sema/Elaborator.h"
#include "afc/support/Limits.h"
#include "afc/support/Units.h"

#include "llvm/Support/Casting.h"

#include <cmath>

using namespace afc;
using namespace afc::ir;
using namespace afc::lower;

namespace {

mapper::TensorSet toTensorSet(const NameSet &s) {
  return mapper::TensorSet(s.names.begin(), s.names.end());
}

NameSet toNameSet(const mapper::TensorSet &s) {
  return NameSet::of(NameSet::Tensors,
                     std::vector<std::string>(s.begin(), s.end()));
}

/// A placement rule: evaluates the holder's `keep`, `may_keep` and `back`
/// for a partial placement. Runs on the mapper's threads, so it evaluates
/// quietly and reads only immutable IR.
mapper::PlacementFn placementFn(const ArchNode &node, const Einsum &einsum) {
  return [&node, &einsum](const mapper::PlacementContext &ctx) {
    std::map<std::string, NameSet> symbols;
    for (auto &[holder, set] : ctx.above)
      symbols[holder] = toNameSet(set);
    symbols["Above"] = toNameSet(ctx.aboveUnion());
    auto rule = [&](const char *name) -> std::optional<mapper::TensorSet> {
      const Field *f = node.field(name);
      if (!f)
        return std::nullopt;
      if (f->value && f->value->isSet())
        return toTensorSet(f->value->asSet());
      ExprEvaluator eval(nullptr);
      std::optional<Value> v =
          eval.eval(*f->expr.expr, *einsumScope(f->expr, einsum, symbols));
      if (!v || !v->isSet())
        return mapper::TensorSet();
      return toTensorSet(v->asSet());
    };
    mapper::Placement p;
    p.keep = rule("keep");
    p.mayKeep = rule("may_keep");
    if (auto b = rule("back"))
      p.back = *b;
    return p;
  };
}

std::optional<mapper::Comparison> comparison(ast::CompareOp op) {
  switch (op) {
  case ast::CompareOp::Eq: return mapper::Comparison::Equal;
  case ast::CompareOp::Le: return mapper::Comparison::LessEqual;
  case ast::CompareOp::Lt: return mapper::Comparison::Less;
  case ast::CompareOp::Ge: return mapper::Comparison::GreaterEqual;
  case ast::CompareOp::Gt: return mapper::Comparison::Greater;
  default: return std::nullopt;
  }
}

} // namespace

std::optional<mapper::MapperProblem> lower::lowerMapperProblem(
    model::Problem problem, const Arch &arch, const Workload &workload,
    const MapperSettings &settings, bool forceUnfused, DiagnosticEngine &diags,
    const PointOverrides *overrides) {
  // Tile shapes are the factors of each rank's size and the search visits
  // them; refuse sizes it cannot get through before it starts.
  double maxRank = limits().maxRankSize;
  for (const RankVariable &rv : workload.rankVariables)
    if (double(rv.bound()) > maxRank) {
      diags.error(workload.range,
                  "rank variable '" + rv.name + "' of workload '" +
                      workload.name + "' has size " +
                      formatNumber(double(rv.bound())) +
                      ", more than the mapper searches (" +
                      limitFlag("max-rank-size", uint64_t(maxRank)) + ")");
      diags.note(workload.range, "raise the limit with --max-rank-size=N, or "
                                 "evaluate a fixed mapping with 'afc eval'");
      return std::nullopt;
    }
  mapper::MapperProblem mp;
  mp.problem = std::move(problem);
  unsigned metric = settings.metrics &
                    (MetricEnergy | MetricLatency | MetricEDP);
  if (metric == MetricEnergy)
    mp.settings.metric = mapper::Metric::Energy;
  else if (metric == MetricLatency)
    mp.settings.metric = mapper::Metric::Latency;
  else if (metric & MetricEDP || metric == (MetricEnergy | MetricLatency))
    mp.settings.metric = mapper::Metric::EnergyDelayProduct;
  else {
    diags.error(settings.range, "the mapper optimises energy, latency or edp; "
                                "'" + spellMetrics(settings.metrics) +
                                    "' is not supported yet");
    return std::nullopt;
  }
  mp.settings.unfused = settings.unfused || forceUnfused;
  auto setting = [&](const char *k) -> std::optional<double> {
    auto it = settings.settings.find(k);
    if (it == settings.settings.end() || !it->second.isNumber())
      return std::nullopt;
    return it->second.asNumber();
  };
  if (auto v = setting("max_fused_loops"))
    mp.settings.maxFusedLoops = std::isinf(*v) ? INT32_MAX : int(*v);
  if (auto v = setting("max_fused_loops_per_rank_variable"))
    mp.settings.maxFusedLoopsPerRankVariable =
        std::isinf(*v) ? INT32_MAX : int(*v);
  if (auto v = setting("objective_tolerance"))
    mp.settings.objectiveTolerance = *v;
  auto flag = [&](const char *k, bool byDefault) {
    auto it = settings.settings.find(k);
    return it == settings.settings.end() ? byDefault : it->second.truthy();
  };
  mp.settings.exploreImperfectSpatialLoops =
      flag("explore_imperfect_spatial_loops", false);
  mp.settings.exploreImperfectTemporalLoops =
      flag("explore_imperfect_temporal_loops", false);
  mp.settings.forceMemoryHierarchyOrder =
      flag("force_memory_hierarchy_order", true);
  if (auto v = setting("tiling_coarseness"))
    mp.settings.tilingCoarseness = *v;
  if (auto v = setting("max_loops_per_spatial_dimension"); v && !std::isinf(*v))
    mp.settings.maxLoopsPerSpatialDimension = int(*v);
  if (auto v = setting("time_limit"))
    mp.settings.timeLimit = *v; // seconds: a time quantity in base units

  for (const Einsum &e : workload.einsums) {
    mapper::EinsumRules rules;
    rules.einsum = e.name;
    FieldEvaluator efe(arch, &e, diags, overrides);
    std::function<void(const std::vector<ArchNode> &)> visit =
        [&](const std::vector<ArchNode> &nodes) {
          for (const ArchNode &n : nodes) {
            if (n.holdsTensors())
              rules.placement.push_back({n.name, placementFn(n, e)});
            for (const SpatialDimension &sd : n.spatial) {
              mapper::SpatialRule sr;
              sr.component = n.name;
              sr.dimension = sd.name;
              if (auto it = sd.fields.find("reuse"); it != sd.fields.end())
                if (auto v = efe.evaluate(it->second); v && v->isSet())
                  sr.reuse = toTensorSet(v->asSet());
              if (auto it = sd.fields.find("min_usage"); it != sd.fields.end())
                if (auto v = efe.evaluate(it->second); v && v->isNumber())
                  sr.minUsage = v->asNumber();
              for (const Deferred &lb : sd.loopBounds) {
                auto *cmp = llvm::dyn_cast<ast::CompareExpr>(lb.expr);
                if (!cmp || cmp->ops.size() != 1 || !comparison(cmp->ops[0])) {
                  diags.error(lb.range(), "a loop bound compares a set of "
                                          "rank variables with a number, "
                                          "e.g. '~m == 1'");
                  continue;
                }
                ExprEvaluator eval(&diags);
                ScopePtr sc = einsumScope(lb, e);
                auto lhs = eval.eval(*cmp->operands[0], *sc);
                auto rhs = eval.eval(*cmp->operands[1], *sc);
                if (!lhs || !rhs)
                  continue;
                if (!lhs->isSet() || !rhs->isNumber()) {
                  diags.error(lb.range(), "a loop bound compares a set of "
                                          "rank variables with a number");
                  continue;
                }
                mapper::LoopBoundComparison c;
                c.rankVariables = lhs->asSet().names;
                c.op = *comparison(cmp->ops[0]);
                c.value = rhs->asNumber();
                sr.loopBounds.push_back(std::move(c));
              }
              rules.spatial.push_back(std::move(sr));
            }
            visit(n.children);
          }
        };
    visit(arch.nodes);
    mp.rules.push_back(std::move(rules));
  }
  if (diags.hadError())
    return std::nullopt;
  return mp;
}

static void printNode(const model::MappingNode &n, llvm::raw_ostream &os,
                      unsigned depth) {
  os.indent(depth * 2);
  auto shape = [&]() {
    std::string s;
    if (n.tileShape)
      s = "tile_shape = " + formatNumber(*n.tileShape);
    else if (n.loopBound)
      s = "loop_bound = " + formatNumber(*n.loopBound);
    return s;
  };
  switch (n.kind) {
  case model::MappingNodeKind::Storage:
  case model::MappingNodeKind::Toll: {
    os << (n.kind == model::MappingNodeKind::Storage ? "storage " : "toll ")
       << n.component << "(";
    for (size_t i = 0; i < n.tensors.size(); ++i)
      os << (i ? ", " : "") << n.tensors[i];
    if (n.persistent)
      os << ", persistent = true";
    os << ");\n";
    return;
  }
  case model::MappingNodeKind::Temporal:
    os << "temporal " << n.rankVariable << "(" << shape() << ");\n";
    return;
  case model::MappingNodeKind::Spatial:
    os << "spatial " << n.rankVariable << "(" << n.component << "."
       << n.dimension << ", " << shape() << ");\n";
    return;
  case model::MappingNodeKind::Compute:
    os << "compute " << n.einsum << "(" << n.component << ");\n";
    return;
  case model::MappingNodeKind::Nested:
  case model::MappingNodeKind::Sequential:
  case model::MappingNodeKind::Pipeline:
    os << (n.kind == model::MappingNodeKind::Nested       ? "nested"
           : n.kind == model::MappingNodeKind::Sequential ? "sequential"
                                                          : "pipeline")
       << " {\n";
    for (const model::MappingNode &c : n.children)
      printNode(c, os, depth + 1);
    os.indent(depth * 2) << "}\n";
    return;
  }
}

void lower::printMapping(const model::Mapping &mapping,
                         const std::string &name, llvm::raw_ostream &os) {
  os << "mapping " << name << " {\n";
  for (const model::MappingNode &n : mapping.nodes)
    printNode(n, os, 1);
  os << "}\n";
}
