//===- LatencyKernel.cpp - total_latency as a generated kernel ------------===//
#include "afc/lower/LatencyKernel.h"

#include "llvm/Support/Casting.h"

#include <cmath>
#include <mutex>

using namespace afc;
using namespace afc::ir;
using namespace afc::lower;
using codegen::CostGraph;
using codegen::NodeId;
using llvm::dyn_cast;

namespace {

/// Point arguments per action, in this order.
enum ActionField { NCalls, Throughput, Energy, BitsPerAction, Latency, kFields };
/// Then a Network's keywords: max_hops, max_link_traffic.
constexpr unsigned kKeywords = 2;

std::optional<ActionField> actionField(llvm::StringRef name) {
  if (name == "n_calls")
    return NCalls;
  if (name == "throughput")
    return Throughput;
  if (name == "energy")
    return Energy;
  if (name == "bits_per_action")
    return BitsPerAction;
  if (name == "latency")
    return Latency;
  return std::nullopt;
}

/// Lowers an expression symbolically. A value is either a graph node or an
/// action (index) bound by a generator or `actions[...]`.
class Lowering {
public:
  Lowering(CostGraph &g, const ArchNode &node, const Scope &scope,
           const std::map<std::string, Value> &fields)
      : g(g), node(node), scope(scope), fields(fields) {}

  /// A Network's keywords follow its actions' fields in the point
  /// arguments.
  unsigned keywordArg(unsigned k) const {
    return unsigned(node.actions.size() * kFields + k);
  }

  std::optional<NodeId> lower(const ast::Expr &e) {
    if (llvm::isa<ast::NumberExpr>(&e)) {
      ExprEvaluator eval(nullptr);
      std::optional<Value> v = eval.eval(e, scope);
      if (!v)
        return std::nullopt;
      return g.constant(v->asNumber());
    }
    if (auto *n = dyn_cast<ast::NameExpr>(&e)) {
      if (!n->name.isPlain())
        return std::nullopt;
      const std::string &name = n->name.pieces[0].text;
      auto f = fields.find(name);
      if (f != fields.end() && f->second.isNumber())
        return g.constant(f->second.asNumber());
      if (const Value *v = scope.lookup(name); v && v->isNumber())
        return g.constant(v->asNumber());
      if (name == "inf")
        return g.constant(INFINITY);
      if (node.kind == NodeKind::Network && name == "max_hops")
        return g.point(keywordArg(0));
      if (node.kind == NodeKind::Network && name == "max_link_traffic")
        return g.point(keywordArg(1));
      return std::nullopt;
    }
    if (auto *m = dyn_cast<ast::MemberExpr>(&e)) {
      std::optional<size_t> action = actionOf(*m->base);
      std::optional<ActionField> field = actionField(m->member);
      if (!action || !field)
        return std::nullopt;
      return g.point(unsigned(*action * kFields + *field));
    }
    if (auto *b = dyn_cast<ast::BinaryExpr>(&e)) {
      std::optional<NodeId> l = lower(*b->lhs), r = lower(*b->rhs);
      if (!l || !r)
        return std::nullopt;
      switch (b->op) {
      case ast::BinaryOp::Add: return g.add(*l, *r);
      case ast::BinaryOp::Sub: return g.sub(*l, *r);
      case ast::BinaryOp::Mul: return g.mul(*l, *r);
      case ast::BinaryOp::Div: return g.div(*l, *r);
      default: return std::nullopt;
      }
    }
    if (auto *u = dyn_cast<ast::UnaryExpr>(&e)) {
      std::optional<NodeId> x = lower(*u->operand);
      if (!x)
        return std::nullopt;
      if (u->op == ast::UnaryOp::Neg)
        return g.sub(g.constant(0), *x);
      if (u->op == ast::UnaryOp::Plus)
        return x;
      return std::nullopt;
    }
    if (auto *c = dyn_cast<ast::CallExpr>(&e))
      return lowerCall(*c);
    return std::nullopt;
  }

private:
  /// The action an expression denotes: the generator variable, or
  /// `actions["name"]`.
  std::optional<size_t> actionOf(const ast::Expr &e) {
    if (auto *n = dyn_cast<ast::NameExpr>(&e)) {
      if (n->name.isPlain() && n->name.pieces[0].text == generatorVar &&
          boundAction)
        return boundAction;
      return std::nullopt;
    }
    if (auto *ix = dyn_cast<ast::IndexExpr>(&e)) {
      auto *base = dyn_cast<ast::NameExpr>(ix->base.get());
      if (!base || !base->name.isPlain() ||
          base->name.pieces[0].text != "actions" || ix->items.size() != 1)
        return std::nullopt;
      auto *s = dyn_cast<ast::StringExpr>(ix->items[0].expr.get());
      if (!s)
        return std::nullopt;
      for (size_t k = 0; k < node.actions.size(); ++k)
        if (node.actions[k].name == s->value)
          return k;
    }
    return std::nullopt;
  }

  std::optional<NodeId> lowerCall(const ast::CallExpr &c) {
    auto *callee = dyn_cast<ast::NameExpr>(c.callee.get());
    if (!callee || !callee->name.isPlain())
      return std::nullopt;
    std::string f = callee->name.pieces[0].text;
    if (f != "sum" && f != "max" && f != "min")
      return std::nullopt;
    std::vector<NodeId> items;
    if (c.generator) {
      auto *iter = dyn_cast<ast::NameExpr>(c.generator->iter.get());
      if (c.generator->cond || !iter || !iter->name.isPlain() ||
          iter->name.pieces[0].text != "actions" || !generatorVar.empty())
        return std::nullopt;
      generatorVar = c.generator->var;
      for (size_t k = 0; k < node.actions.size(); ++k) {
        boundAction = k;
        std::optional<NodeId> v = lower(*c.args[0].value);
        if (!v) {
          generatorVar.clear();
          return std::nullopt;
        }
        items.push_back(*v);
      }
      generatorVar.clear();
      boundAction.reset();
    } else {
      for (const ast::CallExpr::Arg &a : c.args) {
        if (!a.keyword.empty())
          return std::nullopt;
        std::optional<NodeId> v = lower(*a.value);
        if (!v)
          return std::nullopt;
        items.push_back(*v);
      }
    }
    if (items.empty())
      return f == "sum" ? std::optional<NodeId>(g.constant(0)) : std::nullopt;
    // A left fold, as the interpreter does.
    NodeId acc = items[0];
    for (size_t i = 1; i < items.size(); ++i)
      acc = f == "sum"   ? g.add(acc, items[i])
            : f == "max" ? g.selectLess(acc, items[i], items[i], acc)
                         : g.selectLess(items[i], acc, items[i], acc);
    return acc;
  }

  CostGraph &g;
  const ArchNode &node;
  const Scope &scope;
  const std::map<std::string, Value> &fields;
  std::string generatorVar;
  std::optional<size_t> boundAction;
};

} // namespace

std::optional<CostGraph>
lower::latencyGraph(const Deferred &expr, const ArchNode &node,
                    const std::map<std::string, Value> &fields) {
  CostGraph g(unsigned(node.actions.size() * kFields + kKeywords), 0);
  Lowering l(g, node, *expr.scope, fields);
  std::optional<NodeId> out = l.lower(*expr.expr);
  if (!out)
    return std::nullopt;
  g.output(*out);
  return g;
}

model::TotalLatencyFn
lower::latencyFunction(std::shared_ptr<CostGraph> graph,
                       std::vector<std::string> actionNames,
                       const KernelOptions &kernels) {
  codegen::KernelFn fn = nullptr;
  if (kernels.compiler) {
    std::string error;
    fn = kernels.compiler->compile(*graph, "total_latency", error);
    if (!fn)
      return {};
  }
  return [graph, fn, names = std::move(actionNames)](
             const model::ComponentActivity &activity) -> double {
    // Activity lists actions by name; the graph expects the IR's order.
    double point[8 * kFields + kKeywords];
    std::vector<double> big;
    double *args = point;
    if (names.size() > 8) {
      big.resize(names.size() * kFields + kKeywords);
      args = big.data();
    }
    args[names.size() * kFields] = activity.maxHops;
    args[names.size() * kFields + 1] = activity.maxLinkTraffic;
    for (size_t k = 0; k < names.size(); ++k) {
      double *a = args + k * kFields;
      a[NCalls] = 0;
      a[Throughput] = INFINITY;
      a[Energy] = 0;
      a[BitsPerAction] = 1;
      a[Latency] = NAN;
      for (const model::ActionActivity &act : activity.actions)
        if (act.name == names[k]) {
          a[NCalls] = act.nCalls;
          a[Throughput] = act.throughput;
          a[Energy] = act.energy;
          a[BitsPerAction] = act.bitsPerAction;
          a[Latency] = act.latency;
          break;
        }
      if (!(a[Latency] == a[Latency]))
        a[Latency] = a[Throughput] == 0 ? INFINITY : 1 / a[Throughput];
    }
    double out = 0;
    if (fn)
      fn(args, nullptr, &out, 1);
    else
      graph->interpret(args, nullptr, &out);
    return out;
  };
}

model::TotalLatencyTraceFn
lower::latencyTraceFunction(std::shared_ptr<CostGraph> graph,
                            const std::vector<std::string> &actionNames,
                            const std::vector<std::string> &modelActions) {
  std::vector<int> modelIndex;
  for (const std::string &name : actionNames) {
    int k = -1;
    for (size_t j = 0; j < modelActions.size(); ++j)
      if (modelActions[j] == name)
        k = int(j);
    modelIndex.push_back(k);
  }
  return [graph, modelIndex](model::ExprBuilder &b,
                             std::span<const model::ActionSymbols> actions,
                             const model::NetworkSymbols &keywords)
             -> std::optional<model::ExprBuilder::Id> {
    using Id = model::ExprBuilder::Id;
    std::vector<Id> args(graph->numPointArgs());
    args[modelIndex.size() * kFields] = keywords.maxHops;
    args[modelIndex.size() * kFields + 1] = keywords.maxLinkTraffic;
    for (size_t k = 0; k < modelIndex.size(); ++k) {
      Id *a = args.data() + k * kFields;
      int m = modelIndex[k];
      if (m < 0 || size_t(m) >= actions.size()) {
        a[NCalls] = b.constant(0);
        a[Throughput] = b.constant(INFINITY);
        a[Energy] = b.constant(0);
        a[BitsPerAction] = b.constant(1);
        a[Latency] = b.constant(INFINITY);
        continue;
      }
      a[NCalls] = actions[size_t(m)].nCalls;
      a[Throughput] = actions[size_t(m)].throughput;
      a[Energy] = actions[size_t(m)].energy;
      a[BitsPerAction] = actions[size_t(m)].bitsPerAction;
      a[Latency] = actions[size_t(m)].latency;
    }
    std::vector<Id> v(graph->nodes().size());
    for (size_t i = 0; i < v.size(); ++i) {
      const codegen::Node &n = graph->nodes()[i];
      auto o = [&](int k) { return v[n.operand[k]]; };
      switch (n.op) {
      case codegen::Op::PointArg: v[i] = args[n.operand[0]]; break;
      case codegen::Op::TileArg: return std::nullopt;
      case codegen::Op::Constant: v[i] = b.constant(n.constant); break;
      case codegen::Op::Add: v[i] = b.add(o(0), o(1)); break;
      case codegen::Op::Sub: v[i] = b.sub(o(0), o(1)); break;
      case codegen::Op::Mul: v[i] = b.mul(o(0), o(1)); break;
      case codegen::Op::Div: v[i] = b.div(o(0), o(1)); break;
      case codegen::Op::Min: v[i] = b.min(o(0), o(1)); break;
      case codegen::Op::Max: v[i] = b.max(o(0), o(1)); break;
      case codegen::Op::Ceil: v[i] = b.ceil(o(0)); break;
      case codegen::Op::Floor: v[i] = b.floor(o(0)); break;
      case codegen::Op::SelectLess:
        v[i] = b.selectLess(o(0), o(1), o(2), o(3));
        break;
      }
    }
    if (graph->outputNodes().size() != 1)
      return std::nullopt;
    return v[graph->outputNodes()[0]];
  };
}

codegen::KernelCompiler *lower::sharedKernelCompiler() {
  static std::once_flag once;
  static std::unique_ptr<codegen::KernelCompiler> compiler;
  std::call_once(once, [] {
    std::string error;
    // Kernels are compiled during a run that takes well under a second,
    // and their code is straight-line arithmetic already free of common
    // subexpressions: no IR optimisation and fast instruction selection
    // (about 3 ms per template kernel instead of 35 ms at O1).
    compiler = codegen::KernelCompiler::create(0, error);
  });
  return compiler.get();
}
