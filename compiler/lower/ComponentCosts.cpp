//===- ComponentCosts.cpp - IR components to component models -------------===//
#include "afc/lower/ComponentCosts.h"

#include <cmath>
#include <functional>

using namespace afc;
using namespace afc::ir;
using namespace afc::lower;
namespace comp = afc::components;

/// Fields that are not model attributes: placement rules and expressions
/// the model evaluates itself.
static bool isAttributeField(llvm::StringRef name) {
  return name != "keep" && name != "may_keep" && name != "back" &&
         name != "no_refetch_from_above" && name != "no_resend_to_below" &&
         name != "total_latency" && name != "enabled" && name != "direction" &&
         name != "topology";
}

static std::optional<comp::ComponentRequest>
buildRequest(const ArchNode &node, FieldEvaluator &fe) {
  comp::ComponentRequest req;
  req.name = node.name;
  req.componentClass = node.componentClass;
  for (auto &[name, f] : node.fields) {
    if (!isAttributeField(name))
      continue;
    std::optional<Value> v = fe.field(node, name);
    if (v && (v->isNumber() || v->isBool()))
      req.attributes.set(name, v->asNumber());
  }
  for (auto &[name, v] : fe.modelAttributes(node))
    if (v.isNumber() || v.isBool())
      req.attributes.set(name, v.asNumber());
  if (fe.hadError())
    return std::nullopt;
  auto num = [&](const char *n) { return fe.number(node, n); };
  req.area = num("area");
  req.leakPower = num("leak_power");
  req.areaScale = num("area_scale").value_or(1);
  req.leakPowerScale = num("leak_power_scale").value_or(1);
  req.energyScale = num("energy_scale").value_or(1);
  req.throughputScale = num("throughput_scale").value_or(1);
  // latency_scale is the reference's deprecated spelling of 1/throughput.
  if (auto ls = num("latency_scale"))
    req.throughputScale *= *ls == 0 ? INFINITY : 1 / *ls;
  req.nParallelInstances = num("n_parallel_instances").value_or(1);
  std::optional<double> componentBits = num("bits_per_action");
  for (const Action &a : node.actions) {
    comp::ActionRequest ar;
    ar.name = a.name;
    auto an = [&](const char *n) -> std::optional<double> {
      std::optional<Value> v = fe.actionField(node, a, n);
      if (v && v->isNumber())
        return v->asNumber();
      return std::nullopt;
    };
    double bits = an("bits_per_action").value_or(componentBits.value_or(1));
    if (node.holdsTensors())
      ar.bitsPerAction = bits;
    ar.energy = an("energy");
    if (std::optional<Value> tv = fe.actionField(node, a, "throughput");
        tv && tv->isNumber()) {
      // A bandwidth (bit/s; sema allows it only where actions move bits)
      // is actions of bits_per_action bits per second.
      ar.throughput = tv->asNumber();
      if (tv->getDimension() == dim::bandwidth)
        *ar.throughput /= bits;
    }
    if (!ar.throughput)
      if (auto lat = an("latency"))
        ar.throughput = *lat == 0 ? INFINITY : 1 / *lat;
    ar.energyScale = an("energy_scale").value_or(1);
    ar.throughputScale = an("throughput_scale").value_or(1);
    for (auto &[k, f] : a.modelAttributes)
      if (auto v = fe.evaluate(f); v && v->isNumber())
        ar.attributes.set(k, v->asNumber());
    req.actions.push_back(std::move(ar));
  }
  if (fe.hadError())
    return std::nullopt;
  return req;
}

std::optional<std::vector<EvaluatedComponent>> lower::evaluateComponentCosts(
    const Arch &arch, const Einsum *einsum, const comp::ModelLibrary &models,
    DiagnosticEngine &diags, const PointOverrides *overrides,
    comp::CostSelection select) {
  FieldEvaluator fe(arch, einsum, diags, overrides);
  std::vector<EvaluatedComponent> out;
  bool ok = true;
  // Instances: the product of the fanouts of every node above, on any path.
  std::map<const ArchNode *, double> instances;
  for (const Arch::Path &p : arch.paths())
    for (const Arch::PathNode &n : p.nodes)
      instances[n.node] = n.parentFanout;
  std::function<void(const std::vector<ArchNode> &)> visit =
      [&](const std::vector<ArchNode> &nodes) {
        for (const ArchNode &n : nodes) {
          if (n.isComponent()) {
            std::optional<comp::ComponentRequest> req = buildRequest(n, fe);
            if (!req) {
              ok = false;
              continue;
            }
            comp::Expected<comp::ComponentCosts> costs =
                models.evaluate(*req, select);
            if (!costs) {
              const comp::Error &e = costs.error();
              llvm::SMRange where =
                  (e.code == comp::ErrorCode::UnknownClass ||
                   e.code == comp::ErrorCode::UnsupportedClass) &&
                          n.classRange.Start.isValid()
                      ? n.classRange
                      : n.range;
              diags.error(where, e.message);
              ok = false;
              continue;
            }
            auto it = instances.find(&n);
            out.push_back({&n, it == instances.end() ? 1 : it->second,
                           std::move(*costs)});
          }
          visit(n.children);
        }
      };
  visit(arch.nodes);
  if (!ok)
    return std::nullopt;
  return out;
}
