//===- Architecture.h - the flattened architecture --------------*- C++ -*-===//
//
// The architecture as the model sees it: for one Einsum and one compute unit,
// the ordered path of nodes from the outermost memory down to that compute
// unit (spec-language.md §2.1, "flattening"), with every per-Einsum
// expression already evaluated and every component cost already filled in.
//
// Costs are final numbers: action energies already include the component and
// action energy scales, throughputs include their scales and the number of
// parallel instances, area and leak power are per instance (after their
// scales and n_parallel_instances). The model multiplies area and leak by the
// fanouts above each component.
//
// `total_latency` is the one user expression the model needs after counting
// actions; it arrives as a callback (TotalLatencyFn).
//
//===----------------------------------------------------------------------===//
#ifndef AFC_MODEL_ARCHITECTURE_H
#define AFC_MODEL_ARCHITECTURE_H

#include "afc/model/Symbolic.h"

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace afc::model {

inline constexpr double kInfinity = std::numeric_limits<double>::infinity();

/// The kinds of leaves of an architecture (spec-language.md §2.2).
enum class NodeKind : uint8_t {
  Memory,    ///< holds tensor tiles; has a size
  Toll,      ///< tensors pass through it; charged per value, never written
  Compute,   ///< runs Einsums; always the last node of a flattened path
  Container, ///< only declares spatial fanouts; not a component (no costs)
  Network,   ///< carries tensors between two holders; counts `hop` actions
};

/// How a Network's hops are counted across a spatial loop below it
/// (runtime/model/README.md, "Networks").
enum class NetworkTopology : uint8_t {
  /// Data travels along one axis: a shared value is relayed hop by hop
  /// (multicast), distinct values each travel to their destination
  /// (unicast).
  Mesh,
  /// Every destination is one switch traversal from the source.
  AllToAll,
};

/// Which movements a Toll charges for a tensor (spec-language.md §2.6).
enum class TollDirection : uint8_t { Up, Down, UpAndDown };

/// One action of a component with its cost.
struct Action {
  std::string name;              ///< "read", "write", "compute", "hop", ...
  double energy = 0;             ///< J per action
  double throughput = kInfinity; ///< actions per second
  /// Bits moved by one action of a tensor holder (the action's
  /// bits_per_action, else the component's, else 1).
  double bitsPerAction = 1;
  /// Values of a tensor moved by one action, by tensor name; overrides the
  /// component's valuesPerAction and bitsPerAction / bitsPerValue.
  std::vector<std::pair<std::string, double>> valuesPerAction;
  /// Seconds per action when the spec declares it next to a throughput;
  /// NaN: 1 / throughput.
  double latency = std::numeric_limits<double>::quiet_NaN();
};

/// Seconds per action: the declared latency, else 1 / throughput (infinite
/// at zero throughput).
inline double actionLatency(const Action &a) {
  if (a.latency == a.latency)
    return a.latency;
  return a.throughput == 0 ? kInfinity : 1 / a.throughput;
}

/// One spatial dimension declared by a node: `fanout` copies of the node and
/// of everything below it.
struct SpatialDimension {
  std::string name;
  double fanout = 1;
  /// Tensors that may be multicast (inputs) or spatially reduced (outputs)
  /// across this dimension, by name. `mayReuseAll` stands for "every tensor"
  /// (the default when the spec sets neither reuse nor may_reuse).
  std::vector<std::string> mayReuse;
  bool mayReuseAll = false;
  /// Reported usage = used / fanout * usageScale.
  double usageScale = 1;
  /// Unused instances leak nothing.
  bool powerGateable = false;
};

struct ArchNode;

/// The per-instance activity of one component in one Einsum, given to a
/// total_latency callback. Mirrors the symbols a `total_latency` expression
/// sees (spec-language.md §4.6): the component's actions with `n_calls`.
struct ActionActivity {
  std::string_view name;
  /// Calls per spatial instance (busiest instance), times actions_scale.
  double nCalls = 0;
  double throughput = kInfinity;
  double energy = 0;
  double bitsPerAction = 1;
  /// Seconds per action as declared (Action::latency); NaN: 1 / throughput.
  double latency = std::numeric_limits<double>::quiet_NaN();
};

struct ComponentActivity {
  const ArchNode *component = nullptr;
  std::span<const ActionActivity> actions;
  /// Network keywords (0 for other components): hops on the longest route,
  /// and actions over the most congested link.
  double maxHops = 0;
  double maxLinkTraffic = 0;

  /// n_calls of the named action, 0 when the component has no such action.
  double nCalls(std::string_view action) const;
};

/// Evaluates a component's `total_latency` (seconds) from its activity.
using TotalLatencyFn = std::function<double(const ComponentActivity &)>;

/// Emits a component's `total_latency` for a trace (Symbolic.h), from the
/// symbols of its actions (in the component's action order); nullopt when
/// it cannot.
using TotalLatencyTraceFn = std::function<std::optional<ExprBuilder::Id>(
    ExprBuilder &, std::span<const ActionSymbols>, const NetworkSymbols &)>;

/// The reference default `sum(a.n_calls / a.throughput for a in actions)`;
/// actions with no calls contribute 0 even at zero throughput.
double defaultTotalLatency(const ComponentActivity &activity);

/// A Network's default, `max(max_hops * hop.latency, max_link_traffic /
/// hop.throughput)`: bound by its longest route or its busiest link.
double defaultNetworkLatency(double maxHops, double maxLinkTraffic,
                             double hopLatency, double hopThroughput);

/// One node of a flattened path.
struct ArchNode {
  NodeKind kind = NodeKind::Memory;
  std::string name;

  /// Memory capacity in bits (may be kInfinity).
  double size = kInfinity;
  std::vector<Action> actions;
  /// Component-level values per action, by tensor name.
  std::vector<std::pair<std::string, double>> valuesPerAction;
  /// Bits per value of a tensor inside this component, by tensor name
  /// (e.g. simba's AccumulationBuffer keeps outputs at 24 bits).
  std::vector<std::pair<std::string, double>> bitsPerValue;
  /// Memory and Compute: the first read of an output tile, which would only
  /// fetch initial zeros, is not performed.
  bool skipInitialOutputWrite = true;
  /// Toll: direction per tensor name; tensors not listed use tollDirection.
  TollDirection tollDirection = TollDirection::UpAndDown;
  std::vector<std::pair<std::string, TollDirection>> tollDirections;

  std::vector<SpatialDimension> spatial;

  /// Network: how hops are counted, and the bits one hop moves (the
  /// component's bits_per_action; a value of bits_per_value bits takes
  /// bits_per_value / networkBitsPerAction hops per link).
  NetworkTopology topology = NetworkTopology::Mesh;
  double networkBitsPerAction = 1;

  /// Optional placement check: when restrictTensors is set, a Storage or Toll
  /// node of the mapping may only hold the tensors named in allowedTensors.
  /// (The reference model never checks placement; the mapper does.)
  bool restrictTensors = false;
  std::vector<std::string> allowedTensors;

  double area = 0;      ///< m^2 per instance
  double leakPower = 0; ///< W per instance
  /// Multiplies every action count (affects energy and latency).
  double actionsScale = 1;
  /// Empty: defaultTotalLatency.
  TotalLatencyFn totalLatency;
  /// The same expression in symbolic form; needed to trace a mapping when
  /// totalLatency is set.
  TotalLatencyTraceFn totalLatencyTrace;

  /// The action with this name, or nullptr.
  const Action *findAction(std::string_view actionName) const;
  bool isTensorHolder() const {
    return kind == NodeKind::Memory || kind == NodeKind::Toll;
  }
  /// Containers are not components: they have no energy, area or leak.
  bool isComponent() const { return kind != NodeKind::Container; }
};

/// A component of the architecture that is not on this flattened path (e.g.
/// the other compute unit of a two-compute design, or a Fork's branch). It
/// does not take part in the Einsum but still leaks (model.md §8).
struct OffPathComponent {
  std::string name;
  double area = 0;      ///< m^2 per instance
  double leakPower = 0; ///< W per instance
  /// Product of the fanouts of the component's parents.
  double parentFanout = 1;
  /// Product of the component's own spatial fanouts.
  double ownFanout = 1;
};

/// The architecture evaluated for one Einsum, flattened for one compute unit.
struct FlattenedArch {
  /// The Einsum this evaluation is for; empty means "every Einsum that has
  /// no entry of its own" (architectures without Einsum-dependent fields).
  std::string einsum;
  /// From the outermost node to the compute unit (the last node).
  std::vector<ArchNode> nodes;
  std::vector<OffPathComponent> otherComponents;

  const ArchNode &compute() const { return nodes.back(); }
};

} // namespace afc::model

#endif // AFC_MODEL_ARCHITECTURE_H
