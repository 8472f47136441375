//===- LowerToModel.cpp - IR to the model's problem and mappings ----------===//
#include "afc/lower/LowerToModel.h"

#include "afc/lower/ComponentCosts.h"
#include "afc/sema/Elaborator.h"
#include "afc/support/InternalError.h"

#include <cmath>
#include <algorithm>
#include <functional>
#include <set>

using namespace afc;
using namespace afc::ir;
using namespace afc::lower;

namespace {

model::Workload lowerWorkload(const Workload &w) {
  model::Workload out;
  out.nInstances = w.nInstances;
  for (const RankVariable &r : w.rankVariables)
    out.rankVariables.push_back({r.name, r.bound()});
  for (const Tensor &t : w.tensors)
    out.tensors.push_back({t.name});
  for (const Einsum &e : w.einsums) {
    model::Einsum me;
    me.name = e.name;
    me.isCopy = e.isCopy;
    me.nInstances = e.nInstances;
    if (e.iterationSpacePoints > 0)
      me.iterationSpacePoints = e.iterationSpacePoints;
    for (const TensorAccess &a : e.accesses) {
      model::TensorAccess ma;
      ma.tensor = *out.findTensor(a.tensor);
      ma.isOutput = a.isOutput;
      ma.bitsPerValue = a.bitsPerValue;
      ma.persistent = a.persistent;
      for (const RankProjection &p : a.projection) {
        model::RankProjection mp;
        mp.rank = p.rank;
        mp.constant = p.constant;
        for (const RankProjection::Term &t : p.terms)
          mp.terms.push_back({*out.findRankVariable(t.rankVariable),
                              t.coefficient});
        ma.projection.push_back(std::move(mp));
      }
      me.accesses.push_back(std::move(ma));
    }
    out.einsums.push_back(std::move(me));
  }
  return out;
}

/// Evaluates a set-keyed map (`bits_per_value { output: 24; }`) for one
/// Einsum into per-tensor numbers.
std::optional<std::vector<std::pair<std::string, double>>>
keyedMap(const std::vector<KeyedEntry> &entries, const Einsum &einsum,
         DiagnosticEngine &diags) {
  std::vector<std::pair<std::string, double>> out;
  ExprEvaluator eval(&diags);
  for (const KeyedEntry &k : entries) {
    ScopePtr sc = einsumScope(k.key, einsum);
    std::optional<Value> key = eval.eval(*k.key.expr, *sc);
    std::optional<Value> val = eval.eval(*k.value.expr, *sc);
    if (!key || !val)
      return std::nullopt;
    if (!key->isSet() || !val->isNumber()) {
      diags.error(k.key.range(), "expected 'set-expression: number'");
      return std::nullopt;
    }
    for (const std::string &t : key->asSet().names)
      out.push_back({t, val->asNumber()});
  }
  return out;
}

/// A toll's `direction { set: "up"; ... }` for one Einsum: every tensor of
/// the Einsum needs a direction, as the reference requires.
bool tollDirections(
    const ArchNode &n, const Einsum &einsum, DiagnosticEngine &diags,
    std::vector<std::pair<std::string, model::TollDirection>> &out) {
  ExprEvaluator eval(&diags);
  std::map<std::string, model::TollDirection> seen;
  for (const KeyedEntry &k : n.directions) {
    ScopePtr sc = einsumScope(k.key, einsum);
    std::optional<Value> key = eval.eval(*k.key.expr, *sc);
    std::optional<Value> val = eval.eval(*k.value.expr, *sc);
    if (!key || !val)
      return false;
    if (!key->isSet() || !val->isString() ||
        (val->asString() != "up" && val->asString() != "down" &&
         val->asString() != "up_and_down")) {
      diags.error(k.key.range(), "expected 'set-expression: \"up\"', "
                                 "\"down\" or \"up_and_down\"");
      diags.note(einsum.range, "while evaluating for einsum '" +
                                   einsum.name + "'");
      return false;
    }
    model::TollDirection d = val->asString() == "up" ? model::TollDirection::Up
                             : val->asString() == "down"
                                 ? model::TollDirection::Down
                                 : model::TollDirection::UpAndDown;
    // A later entry wins for a tensor two keys select, as in the reference.
    for (const std::string &t : key->asSet().names)
      seen[t] = d;
  }
  for (const TensorAccess &a : einsum.accesses)
    if (!seen.count(a.tensor)) {
      diags.error(n.directions.front().key.range(),
                  "the direction of toll '" + n.name +
                      "' does not cover tensor '" + a.tensor +
                      "' of einsum '" + einsum.name + "'");
      diags.note(einsum.range, "add an entry for it, e.g. 'All: "
                               "\"up_and_down\";' first");
      return false;
    }
  out.assign(seen.begin(), seen.end());
  return true;
}

/// The topology a network's `topology` names (sema checked the spelling).
model::NetworkTopology networkTopology(const std::optional<Value> &v) {
  if (v && v->isString() && v->asString() == "all_to_all")
    return model::NetworkTopology::AllToAll;
  return model::NetworkTopology::Mesh;
}

std::vector<std::string> setNames(const std::optional<Value> &v) {
  if (v && v->isSet())
    return v->asSet().names;
  return {};
}

/// `total_latency` as a callback: the user's expression with `actions` (and
/// the component's own fields) in scope.
model::TotalLatencyFn totalLatencyFn(const Field &f,
                                     std::map<std::string, Value> fields,
                                     bool network) {
  Deferred expr = f.expr;
  return [expr, fields, network](
             const model::ComponentActivity &activity) -> double {
    auto scope = std::make_shared<Scope>(expr.scope);
    for (auto &[k, v] : fields)
      scope->define(k, v);
    if (network) {
      scope->define("max_hops", Value::number(activity.maxHops));
      scope->define("max_link_traffic",
                    Value::number(activity.maxLinkTraffic));
    }
    std::vector<Value> actions;
    for (const model::ActionActivity &a : activity.actions)
      actions.push_back(Value::record(
          {{"name", Value::string(std::string(a.name))},
           {"n_calls", Value::number(a.nCalls)},
           {"throughput", Value::number(a.throughput, dim::frequency)},
           {"energy", Value::number(a.energy, dim::energy)},
           {"bits_per_action", Value::number(a.bitsPerAction, dim::bits)},
           {"latency",
            Value::number(a.latency == a.latency ? a.latency
                          : a.throughput == 0    ? INFINITY
                                                 : 1 / a.throughput,
                          dim::time)}}));
    scope->define("actions", Value::list(std::move(actions)));
    ExprEvaluator eval(nullptr);
    std::optional<Value> v = eval.eval(*expr.expr, *scope);
    return v && v->isNumber() ? v->asNumber() : NAN;
  };
}

/// Checks a total_latency expression once, with every action called once,
/// so that its errors are reported at compile time with their location.
bool checkTotalLatency(const Field &f, const ArchNode &node,
                       const std::map<std::string, Value> &fields,
                       DiagnosticEngine &diags) {
  auto scope = std::make_shared<Scope>(f.expr.scope);
  for (auto &[k, v] : fields)
    scope->define(k, v);
  // A Network's keywords (hops and actions; plain numbers as in the
  // reference).
  if (node.kind == NodeKind::Network) {
    scope->define("max_hops", Value::number(1));
    scope->define("max_link_traffic", Value::number(1));
  }
  std::vector<Value> actions;
  for (const Action &a : node.actions)
    actions.push_back(Value::record(
        {{"name", Value::string(a.name)},
         {"n_calls", Value::number(1)},
         {"throughput", Value::number(1, dim::frequency)},
         {"energy", Value::number(1, dim::energy)},
         {"bits_per_action", Value::number(1, dim::bits)},
         {"latency", Value::number(1, dim::time)}}));
  scope->define("actions", Value::list(std::move(actions)));
  ExprEvaluator eval(&diags);
  std::optional<Value> v = eval.eval(*f.expr.expr, *scope);
  if (!v)
    return false;
  if (!v->isNumber() || (!v->getDimension().isDimensionless() &&
                         v->getDimension() != dim::time)) {
    diags.error(f.range, "total_latency of '" + node.name +
                             "' must be a time, not " + v->describe());
    return false;
  }
  return true;
}

} // namespace

std::optional<model::Problem>
lower::lowerProblem(const Arch &arch, const Workload &workload,
                    const components::ModelLibrary &models,
                    DiagnosticEngine &diags, const PointOverrides *overrides,
                    const KernelOptions &kernels) {
  model::Problem problem;
  problem.workload = lowerWorkload(workload);
  // total_latency is checked once per component, not per Einsum.
  std::set<const ArchNode *> latencyChecked;
  for (const Einsum &e : workload.einsums) {
    auto costs = evaluateComponentCosts(arch, &e, models, diags, overrides);
    if (!costs)
      return std::nullopt;
    std::map<const ArchNode *, const EvaluatedComponent *> byNode;
    for (const EvaluatedComponent &c : *costs)
      byNode[c.node] = &c;
    FieldEvaluator fe(arch, &e, diags, overrides);
    std::vector<const ArchNode *> disabled;
    for (const Arch::Path &path : arch.paths()) {
      // A compute unit whose `enabled` is false cannot run the Einsum: its
      // path is no way to map it (tpu_v4i's ScalarUnit takes two-tensor
      // Einsums only).
      if (fe.disabled(*path.compute)) {
        disabled.push_back(path.compute);
        continue;
      }
      model::FlattenedArch flat;
      flat.einsum = e.name;
      std::set<const ArchNode *> onPath;
      for (const Arch::PathNode &pn : path.nodes) {
        const ArchNode &n = *pn.node;
        onPath.insert(&n);
        model::ArchNode mn;
        mn.name = n.name;
        switch (n.kind) {
        case NodeKind::Memory: mn.kind = model::NodeKind::Memory; break;
        case NodeKind::Toll: mn.kind = model::NodeKind::Toll; break;
        case NodeKind::Compute: mn.kind = model::NodeKind::Compute; break;
        case NodeKind::Network: mn.kind = model::NodeKind::Network; break;
        default: mn.kind = model::NodeKind::Container; break;
        }
        if (n.kind == NodeKind::Memory)
          mn.size = fe.number(n, "size").value_or(INFINITY);
        if (auto s = fe.field(n, "skip_initial_output_write"))
          mn.skipInitialOutputWrite = s->truthy();
        if (auto d = fe.field(n, "direction"); d && d->isString())
          mn.tollDirection = d->asString() == "up"     ? model::TollDirection::Up
                             : d->asString() == "down" ? model::TollDirection::Down
                                                       : model::TollDirection::UpAndDown;
        if (!n.directions.empty() &&
            !tollDirections(n, e, diags, mn.tollDirections))
          return std::nullopt;
        mn.actionsScale = fe.number(n, "actions_scale").value_or(1);
        if (n.kind == NodeKind::Network) {
          // Disabling means something for holders and computes only; a
          // network left out would change every count through it.
          if (fe.disabled(n)) {
            diags.error(n.field("enabled")->range,
                        "network '" + n.name + "' is disabled for einsum '" +
                            e.name + "', which afc does not support");
            diags.note("hint: only memories, tolls and compute units may be "
                       "disabled; remove `enabled` from the network");
            return std::nullopt;
          }
          mn.topology = networkTopology(fe.field(n, "topology"));
          mn.networkBitsPerAction =
              fe.number(n, "bits_per_action").value_or(1);
        }
        if (n.holdsTensors() || n.kind == NodeKind::Network) {
          auto bpv = keyedMap(n.bitsPerValue, e, diags);
          auto vpa = keyedMap(n.valuesPerAction, e, diags);
          if (!bpv || !vpa)
            return std::nullopt;
          mn.bitsPerValue = std::move(*bpv);
          mn.valuesPerAction = std::move(*vpa);
        }
        for (const SpatialDimension &sd : n.spatial) {
          model::SpatialDimension ms;
          ms.name = sd.name;
          ms.fanout = sd.fanout();
          auto evalSd = [&](const char *name) -> std::optional<Value> {
            auto it = sd.fields.find(name);
            if (it == sd.fields.end())
              return std::nullopt;
            return fe.evaluate(it->second);
          };
          // may_reuse defaults to reuse when reuse is set, else to All.
          if (auto mr = evalSd("may_reuse"))
            ms.mayReuse = setNames(mr);
          else if (auto r = evalSd("reuse"))
            ms.mayReuse = setNames(r);
          else
            ms.mayReuseAll = true;
          if (auto us = evalSd("usage_scale"); us && us->isNumber())
            ms.usageScale = us->asNumber();
          if (auto pg = evalSd("power_gateable"))
            ms.powerGateable = pg->truthy();
          mn.spatial.push_back(std::move(ms));
        }
        if (auto it = byNode.find(&n); it != byNode.end()) {
          const components::ComponentCosts &cc = it->second->costs;
          mn.area = cc.area;
          mn.leakPower = cc.leakPower;
          std::optional<double> componentBits = fe.number(n, "bits_per_action");
          for (const components::ActionCosts &ac : cc.actions) {
            model::Action ma;
            ma.name = ac.name;
            ma.energy = ac.energy;
            ma.throughput = ac.throughput;
            const Action *ia = n.action(ac.name);
            std::optional<double> bits;
            if (ia)
              if (auto b = fe.actionField(n, *ia, "bits_per_action");
                  b && b->isNumber())
                bits = b->asNumber();
            ma.bitsPerAction = bits.value_or(componentBits.value_or(1));
            // A latency declared beside a throughput keeps its own value
            // (alone, it only sets the throughput).
            if (ia && ia->fields.count("latency") &&
                ia->fields.count("throughput"))
              if (auto l = fe.actionField(n, *ia, "latency");
                  l && l->isNumber())
                ma.latency = l->asNumber();
            if (ia) {
              auto vpa = keyedMap(ia->valuesPerAction, e, diags);
              if (!vpa)
                return std::nullopt;
              ma.valuesPerAction = std::move(*vpa);
            }
            mn.actions.push_back(std::move(ma));
          }
        }
        if (const Field *tl = n.field("total_latency")) {
          std::map<std::string, Value> fields;
          for (auto &[k, f] : n.fields)
            if (k != "total_latency" && k != "keep" && k != "may_keep")
              if (auto v = fe.field(n, k); v && v->isNumber())
                fields[k] = *v;
          if (!latencyChecked.count(&n)) {
            latencyChecked.insert(&n);
            if (!checkTotalLatency(*tl, n, fields, diags))
              return std::nullopt;
          }
          std::vector<std::string> actionNames;
          for (const Action &a : n.actions)
            actionNames.push_back(a.name);
          if (auto graph = latencyGraph(tl->expr, n, fields)) {
            auto shared =
                std::make_shared<codegen::CostGraph>(std::move(*graph));
            std::vector<std::string> modelActions;
            for (const model::Action &a : mn.actions)
              modelActions.push_back(a.name);
            mn.totalLatencyTrace =
                latencyTraceFunction(shared, actionNames, modelActions);
            mn.totalLatency =
                latencyFunction(shared, std::move(actionNames), kernels);
            if (!mn.totalLatency)
              mn.totalLatencyTrace = nullptr;
          }
          if (!mn.totalLatency)
            mn.totalLatency = totalLatencyFn(*tl, std::move(fields),
                                             n.kind == NodeKind::Network);
        }
        flat.nodes.push_back(std::move(mn));
      }
      for (const EvaluatedComponent &c : *costs)
        if (!onPath.count(c.node)) {
          double own = 1;
          for (const SpatialDimension &sd : c.node->spatial)
            own *= sd.fanout();
          flat.otherComponents.push_back({c.node->name, c.costs.area,
                                          c.costs.leakPower, c.instances, own});
        }
      problem.architectures.push_back(std::move(flat));
    }
    if (fe.hadError())
      return std::nullopt;
    if (!disabled.empty() && disabled.size() == arch.paths().size()) {
      diags.error(disabled.front()->field("enabled")->range,
                  "no compute unit of architecture '" + arch.name +
                      "' is enabled for einsum '" + e.name + "'");
      for (const ArchNode *c : disabled)
        diags.note(c->field("enabled")->range,
                   "'" + c->name + "' is disabled for '" + e.name +
                       "' here");
      diags.note("hint: `enabled` is evaluated per einsum (e.g. "
                 "`len(All) == 3` for three tensors); give the einsum a "
                 "compute unit whose `enabled` holds for it");
      return std::nullopt;
    }
  }
  return problem;
}

static model::MappingNode lowerNode(const MappingNode &n, LocationTable &t) {
  model::MappingNode m;
  m.location = t.add(n.range);
  switch (n.kind) {
  case MappingNode::Storage: m.kind = model::MappingNodeKind::Storage; break;
  case MappingNode::Toll: m.kind = model::MappingNodeKind::Toll; break;
  case MappingNode::Temporal: m.kind = model::MappingNodeKind::Temporal; break;
  case MappingNode::Spatial: m.kind = model::MappingNodeKind::Spatial; break;
  case MappingNode::Compute: m.kind = model::MappingNodeKind::Compute; break;
  case MappingNode::Sequential:
    m.kind = model::MappingNodeKind::Sequential;
    break;
  case MappingNode::Pipeline: m.kind = model::MappingNodeKind::Pipeline; break;
  case MappingNode::Nested: m.kind = model::MappingNodeKind::Nested; break;
  }
  m.component = n.component;
  m.tensors = n.tensors;
  m.persistent = n.persistent;
  m.rankVariable = n.rankVariable;
  if (n.tileShape)
    m.tileShape = double(*n.tileShape);
  if (n.loopBound)
    m.loopBound = double(*n.loopBound);
  m.dimension = n.dimension;
  m.einsum = n.einsum;
  for (const MappingNode &c : n.children)
    m.children.push_back(lowerNode(c, t));
  return m;
}

model::Mapping lower::lowerMapping(const Mapping &mapping, LocationTable &t) {
  model::Mapping m;
  for (const MappingNode &n : mapping.nodes)
    m.nodes.push_back(lowerNode(n, t));
  return m;
}

/// Collects the storage nodes on the root-to-compute path of `einsum`.
static bool storagePath(const std::vector<MappingNode> &chain,
                        const std::string &einsum,
                        std::vector<const MappingNode *> &path);

static bool storagePathOf(const MappingNode &n, const std::string &einsum,
                          std::vector<const MappingNode *> &path) {
  if (n.kind == MappingNode::Storage || n.kind == MappingNode::Toll)
    path.push_back(&n);
  if (n.kind == MappingNode::Compute)
    return n.einsum == einsum;
  if (n.kind == MappingNode::Nested)
    return storagePath(n.children, einsum, path);
  if (n.kind == MappingNode::Sequential || n.kind == MappingNode::Pipeline)
    for (const MappingNode &branch : n.children) {
      size_t before = path.size();
      if (storagePathOf(branch, einsum, path))
        return true;
      path.resize(before);
    }
  return false;
}

static bool storagePath(const std::vector<MappingNode> &chain,
                        const std::string &einsum,
                        std::vector<const MappingNode *> &path) {
  size_t mark = path.size();
  for (const MappingNode &n : chain)
    if (storagePathOf(n, einsum, path))
      return true;
  path.resize(mark);
  return false;
}

bool lower::checkPlacement(const Arch &arch, const Workload &workload,
                           const Mapping &mapping, DiagnosticEngine &diags) {
  bool ok = true;
  for (const Einsum &e : workload.einsums) {
    std::vector<const MappingNode *> path;
    if (!storagePath(mapping.nodes, e.name, path))
      continue; // the model reports unmapped Einsums
    // What the mapping keeps in each holder for this Einsum.
    std::map<std::string, NameSet> kept;
    for (const MappingNode *n : path) {
      NameSet &set = kept.try_emplace(n->component,
                                      NameSet::of(NameSet::Tensors, {}))
                         .first->second;
      std::vector<std::string> used;
      for (const std::string &t : n->tensors)
        if (e.access(t))
          used.push_back(t);
      set = set.unite(NameSet::of(NameSet::Tensors, used));
    }
    // Walk the holders top-down so `Above` is what the ones above keep.
    for (const Arch::Path &ap : arch.paths()) {
      std::map<std::string, NameSet> symbols;
      NameSet above = NameSet::of(NameSet::Tensors, {});
      for (const Arch::PathNode &pn : ap.nodes) {
        const ArchNode &n = *pn.node;
        if (!n.holdsTensors())
          continue;
        NameSet here = kept.count(n.name) ? kept[n.name]
                                          : NameSet::of(NameSet::Tensors, {});
        symbols["Above"] = above;
        ExprEvaluator eval(&diags);
        // A field of the holder for this Einsum (nullopt: unset).
        auto value = [&](const char *name) -> std::optional<Value> {
          const Field *f = n.field(name);
          if (!f)
            return std::nullopt;
          return f->value ? f->value
                          : eval.eval(*f->expr.expr,
                                      *einsumScope(f->expr, e, symbols));
        };
        auto rule = [&](const char *name) -> std::optional<NameSet> {
          if (!n.field(name))
            return std::nullopt;
          std::optional<Value> v = value(name);
          if (!v || !v->isSet())
            return NameSet::of(NameSet::Tensors, {});
          return v->asSet();
        };
        std::optional<NameSet> keep = rule("keep"), mayKeep = rule("may_keep");
        NameSet allowed = keep ? *keep : NameSet::of(NameSet::Tensors, {});
        if (mayKeep)
          allowed = allowed.unite(*mayKeep);
        else if (!keep)
          allowed = e.context.tensors; // neither set: anything may be kept
        // A disabled holder keeps nothing of the Einsum.
        std::optional<Value> enabled = value("enabled");
        const bool disabled = enabled && !enabled->truthy();
        if (disabled)
          allowed = NameSet::of(NameSet::Tensors, {});
        for (const std::string &t : here.minus(allowed).names) {
          const MappingNode *where = nullptr;
          for (const MappingNode *m : path)
            if (m->component == n.name &&
                std::find(m->tensors.begin(), m->tensors.end(), t) !=
                    m->tensors.end())
              where = m;
          diags.error(where ? where->range : llvm::SMRange(),
                      "invalid mapping: '" + n.name + "' may not keep tensor '" +
                          t + "' in einsum '" + e.name + "'");
          if (disabled)
            diags.note(n.field("enabled")->range,
                       "'" + n.name + "' is disabled for this einsum, so it "
                                      "keeps nothing");
          else
            diags.note(n.range, "'" + n.name + "' may keep " + allowed.str() +
                                    " for this einsum (its keep and may_keep "
                                    "rules)");
          ok = false;
        }
        symbols[n.name] = here;
        above = above.unite(here);
      }
    }
  }
  return ok;
}

void lower::checkProblemConsistent(const model::ModelError &error) {
  AFC_INTERNAL_ASSERT(error.kind != model::ErrorKind::InvalidProblem)
      << "the lowered problem is inconsistent: " << error.message;
}

void lower::checkResultSound(const model::Result &r) {
  auto check = [](double v, const char *what, std::string_view einsum,
                  std::string_view component, std::string_view detail) {
    AFC_INTERNAL_ASSERT(std::isfinite(v) && v >= 0)
        << "the result has " << what << " " << v
        << (einsum.empty() ? "" : " in Einsum '") << einsum
        << (einsum.empty() ? "" : "'")
        << (component.empty() ? "" : " for '") << component
        << (component.empty() ? "" : "'")
        << (detail.empty() ? "" : " (") << detail
        << (detail.empty() ? "" : ")");
  };
  check(r.energy, "total energy (J)", "", "", "");
  check(r.latency, "total latency (s)", "", "", "");
  check(r.computes, "computes", "", "", "");
  for (const model::EinsumSummary &e : r.einsums) {
    check(e.energy, "energy (J)", e.einsum, "", "");
    check(e.latency, "latency (s)", e.einsum, "", "");
  }
  for (const model::EnergyEntry &e : r.energies)
    check(e.energy, "energy (J)", e.einsum, e.component, e.action);
  for (const model::ComponentLatency &l : r.latencies)
    check(l.latency, "latency (s)", l.einsum, l.component, "");
  check(r.area.totalArea, "total area (m^2)", "", "", "");
  check(r.area.totalLeakPower, "total leak power (W)", "", "", "");
  for (const model::ComponentArea &a : r.area.components) {
    check(a.totalArea, "area (m^2)", "", a.component, "");
    check(a.totalLeakPower, "leak power (W)", "", a.component, "");
  }
}

void lower::reportModelError(const model::ModelError &error,
                             const LocationTable &table,
                             DiagnosticEngine &diags) {
  checkProblemConsistent(error);
  std::string msg = "invalid mapping: " + error.message;
  llvm::SMRange where = table.get(error.location);
  diags.error(where, msg);
  for (const model::CapacityOverflow &o : error.overflows)
    diags.note(where, "einsum '" + o.einsum + "': '" + o.memory + "' holds " +
                          formatNumber(o.usedBits) + " bits of " +
                          formatNumber(o.sizeBits) + " (" +
                          formatNumber(o.overBits()) + " bits over)");
}
