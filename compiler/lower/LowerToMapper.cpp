//===- LowerToMapper.cpp - IR to the mapper's problem ---------------------===//
#include "afc/lower/LowerToMapper.h"
#include "afc/sema/Elaborator.h"
#include "afc/support/Limits.h"
#include "afc/support/Units.h"

#include "llvm/Support/Casting.h"

#include <cmath>
#include <set>

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

std::string listNames(const std::vector<std::string> &names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i)
    out += (i ? ", " : "") + names[i];
  return out;
}

/// Reads the comparisons of `loop_bounds` and `tile_shape` (`SET OP N` or
/// `product(SET) OP N`, spec-language.md §2.9) for one Einsum. An expression
/// that failed once is not read again for the next Einsum, so each error is
/// reported once.
class ComparisonReader {
public:
  explicit ComparisonReader(DiagnosticEngine &diags) : diags(diags) {}

  std::optional<mapper::LoopBoundComparison>
  read(const Deferred &d, const Einsum &e, llvm::StringRef what) {
    if (failed.count(d.expr))
      return std::nullopt;
    auto fail = [&](SMRange at, const std::string &msg) {
      diags.error(at, msg);
      failed.insert(d.expr);
      return std::nullopt;
    };
    std::string example = "e.g. '~m == 1' or 'product(m | n) <= 16'";
    auto *cmp = llvm::dyn_cast<ast::CompareExpr>(d.expr);
    if (!cmp)
      return fail(d.range(), "a " + what.str() +
                                 " compares a set of rank variables with a "
                                 "number, " + example);
    if (cmp->ops.size() != 1)
      return fail(d.range(), "a " + what.str() +
                                 " is one comparison, not a chain; write "
                                 "one per line");
    std::optional<mapper::Comparison> op = comparison(cmp->ops[0]);
    if (!op)
      return fail(d.range(), "'" + ast::spell(cmp->ops[0]).str() +
                                 "' is not an operator of a " + what.str() +
                                 "; use ==, <=, <, >= or >");
    mapper::LoopBoundComparison c;
    c.op = *op;
    const ast::Expr *lhs = cmp->operands[0].get();
    if (auto *call = llvm::dyn_cast<ast::CallExpr>(lhs)) {
      auto *callee = llvm::dyn_cast<ast::NameExpr>(call->callee.get());
      if (callee && callee->name.isPlain() &&
          callee->name.spelling() == "product") {
        if (call->generator || call->args.size() != 1 ||
            !call->args[0].keyword.empty())
          return fail(call->getRange(),
                      "'product' takes one set of rank variables, e.g. "
                      "'product(m | n)'");
        c.product = true;
        lhs = call->args[0].value.get();
      }
    }
    ExprEvaluator eval(&diags);
    ScopePtr sc = einsumScope(d, e);
    std::optional<Value> set = eval.eval(*lhs, *sc);
    if (!set) {
      diags.note(lhs->getRange(), "the rank variables of Einsum '" + e.name +
                                      "' are " + listNames(e.rankVariables));
      failed.insert(d.expr);
      return std::nullopt;
    }
    if (!set->isSet() || set->asSet().universe != NameSet::RankVariables)
      return fail(lhs->getRange(),
                  "the left side of a " + what.str() +
                      " is a set of rank variables, not " +
                      (set->isSet() ? "a set of tensors (" +
                                          set->asSet().str() +
                                          "); '.rank_variables' gives a "
                                          "tensor's"
                                    : "'" + set->str() + "'"));
    std::optional<Value> value = eval.eval(*cmp->operands[1], *sc);
    if (!value) {
      failed.insert(d.expr);
      return std::nullopt;
    }
    if (!value->isNumber() || value->getDimension() != dim::none ||
        !std::isfinite(value->asNumber()) || value->asNumber() < 0 ||
        value->asNumber() != std::floor(value->asNumber()))
      return fail(cmp->operands[1]->getRange(),
                  "the right side of a " + what.str() +
                      " is a whole number without a unit, not '" +
                      value->str() + "'");
    c.rankVariables = set->asSet().names;
    c.value = value->asNumber();
    return c;
  }

private:
  DiagnosticEngine &diags;
  std::set<const ast::Expr *> failed;
};

/// A memory's `tensor_order_options` for one Einsum: each list of tensor
/// sets, top to bottom; sets of one list may not share a tensor.
std::optional<std::vector<mapper::TensorSet>>
readOrderOption(const Deferred &d, const Einsum &e, DiagnosticEngine &diags) {
  auto *list = llvm::cast<ast::ListExpr>(d.expr);
  ExprEvaluator eval(&diags);
  ScopePtr sc = einsumScope(d, e);
  std::vector<mapper::TensorSet> out;
  std::vector<const ast::Expr *> where;
  for (const ast::ExprPtr &el : list->elements) {
    std::optional<Value> v = eval.eval(*el, *sc);
    if (!v) {
      std::vector<std::string> tensors;
      for (const TensorAccess &a : e.accesses)
        tensors.push_back(a.tensor);
      diags.note(el->getRange(), "the tensors of Einsum '" + e.name +
                                     "' are " + listNames(tensors));
      return std::nullopt;
    }
    if (!v->isSet() || v->asSet().universe != NameSet::Tensors) {
      diags.error(el->getRange(),
                  "an entry of a tensor order is a set of tensors, not " +
                      (v->isSet() ? "a set of rank variables"
                                  : "'" + v->str() + "'"));
      return std::nullopt;
    }
    mapper::TensorSet set = toTensorSet(v->asSet());
    for (size_t k = 0; k < out.size(); ++k)
      for (const std::string &t : set)
        if (out[k].count(t)) {
          diags.error(el->getRange(),
                      "tensor '" + t + "' is in two entries of this order "
                      "(Einsum '" + e.name + "')");
          diags.note(where[k]->getRange(), "first here");
          return std::nullopt;
        }
    out.push_back(std::move(set));
    where.push_back(el.get());
  }
  return out;
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

  ComparisonReader comparisons(diags);
  std::set<const ast::Expr *> failedOrders;
  for (const Einsum &e : workload.einsums) {
    mapper::EinsumRules rules;
    rules.einsum = e.name;
    FieldEvaluator efe(arch, &e, diags, overrides);
    std::function<void(const std::vector<ArchNode> &)> visit =
        [&](const std::vector<ArchNode> &nodes) {
          for (const ArchNode &n : nodes) {
            if (n.holdsTensors()) {
              // A disabled holder keeps nothing of the Einsum.
              if (efe.disabled(n))
                rules.placement.push_back(
                    {n.name, [](const mapper::PlacementContext &) {
                       return mapper::Placement{mapper::TensorSet(),
                                                mapper::TensorSet(), {}};
                     }});
              else
                rules.placement.push_back({n.name, placementFn(n, e)});
            }
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
              for (const Deferred &lb : sd.loopBounds)
                if (auto c = comparisons.read(lb, e, "loop bound"))
                  sr.loopBounds.push_back(std::move(*c));
              rules.spatial.push_back(std::move(sr));
            }
            if (!n.tileShape.empty() || !n.tensorOrderOptions.empty()) {
              mapper::MemoryRule mr;
              mr.memory = n.name;
              for (const Deferred &ts : n.tileShape)
                if (auto c = comparisons.read(ts, e, "tile shape"))
                  mr.tileShape.push_back(std::move(*c));
              for (const Deferred &o : n.tensorOrderOptions)
                if (!failedOrders.count(o.expr)) {
                  if (auto order = readOrderOption(o, e, diags))
                    mr.tensorOrderOptions.push_back(std::move(*order));
                  else
                    failedOrders.insert(o.expr);
                }
              rules.memories.push_back(std::move(mr));
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
