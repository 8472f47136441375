//===- Result.h - what an evaluation reports --------------------*- C++ -*-===//
//
// The outcome of evaluating one mapping: totals, per-Einsum summaries and the
// detailed breakdowns the reference reports (model.md §11.1), or a ModelError
// saying why the mapping is invalid.
//
// Names in a Result are string_views into the Problem that was evaluated
// (Einsum, component, tensor and action names); the Problem must outlive the
// Result. Computes use the tensor name "None" and leak the action "leak", as
// in the reference's result keys.
//
// All summable numbers (energies, latencies, action counts) already include
// the workload's and the Einsum's n_instances.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_MODEL_RESULT_H
#define AFC_MODEL_RESULT_H

#include "afc/model/Mapping.h"

#include <cassert>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace afc::model {

/// The tensor name of compute actions and of leak in result keys.
inline constexpr std::string_view kNoTensor = "None";
inline constexpr std::string_view kLeakAction = "leak";

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

enum class ErrorKind : uint8_t {
  InvalidProblem,          ///< the workload or architecture is inconsistent
  NoValidMapping,          ///< the mapper found no valid pmapping of an Einsum
  MalformedMapping,        ///< tree shape: children not last, no Compute leaf
  UnknownEinsum,           ///< Compute names an Einsum the workload lacks
  UnknownComponent,        ///< no such node on the Einsum's flattened path
  WrongComponentKind,      ///< e.g. Storage on a Compute node
  UnknownTensor,           ///< a Storage/Toll names a tensor nobody uses
  UnknownRankVariable,     ///< a loop's rank variable is not the Einsum's
  UnknownSpatialDimension, ///< Spatial names a dimension the node lacks
  TensorNotAllowed,        ///< tensor stored where the architecture forbids
  DuplicateStorage,        ///< the same tensor twice in one component
  DuplicateEinsum,         ///< two Compute leaves for the same Einsum
  UnmappedEinsum,          ///< an Einsum without a Compute leaf
  InvalidTileShape,        ///< non-positive or ill-formed tile / bound
  NotTiledToOne,           ///< a rank variable never reaches tile shape 1
  SpatialTemporalConflict, ///< spatial relocation reorders dependent loops
  FanoutExceeded,          ///< a spatial dimension uses more than its fanout
  CapacityExceeded,        ///< tiles held at once exceed a memory's size
  MissingAction,           ///< an action with a non-zero count has no cost
  UnsupportedTransfer,     ///< a network transfer the model cannot count
  NotTraceable,            ///< Evaluator::trace: no closed form (Symbolic.h)
};

/// One memory whose reservations overflow, for CapacityExceeded.
struct CapacityOverflow {
  std::string einsum;
  std::string memory;
  double usedBits = 0;
  double sizeBits = 0;
  double overBits() const { return usedBits - sizeBits; }
};

/// Why a mapping cannot be evaluated. `location` is the SourceLocation of the
/// offending mapping node (when one is to blame), and `node` its description.
struct ModelError {
  ErrorKind kind = ErrorKind::InvalidProblem;
  std::string message;
  SourceLocation location;
  std::string node;
  std::string einsum;
  /// CapacityExceeded: every overflowing memory of the Einsum.
  std::vector<CapacityOverflow> overflows;
};

/// A value or a ModelError (std::expected is C++23).
template <typename T> class Expected {
public:
  Expected(T value) : storage(std::move(value)) {}
  Expected(ModelError error) : storage(std::move(error)) {}

  explicit operator bool() const { return storage.index() == 0; }
  T &operator*() {
    assert(*this && "dereferencing an error");
    return std::get<0>(storage);
  }
  const T &operator*() const {
    assert(*this && "dereferencing an error");
    return std::get<0>(storage);
  }
  T *operator->() { return &**this; }
  const T *operator->() const { return &**this; }
  const ModelError &error() const {
    assert(!*this && "no error");
    return std::get<1>(storage);
  }

private:
  std::variant<T, ModelError> storage;
};

//===----------------------------------------------------------------------===//
// Results
//===----------------------------------------------------------------------===//

/// actions[(einsum, component, tensor, action)]: net action counts
/// (reads minus skipped first reads, ...), kept even when zero.
struct ActionCount {
  std::string_view einsum, component, tensor, action;
  double count = 0;
  /// The word one counted action moves, in bits: the action's
  /// bits_per_action, or its values_per_action times the tensor's bits per
  /// value there. NaN for compute actions, which move no tensor. Counts
  /// are in these words, so readers need it to compare components.
  double bitsPerAction = std::numeric_limits<double>::quiet_NaN();
};

/// energy[(einsum, component, tensor, action)] in J. Dynamic entries exist
/// only for non-zero counts; leak entries (tensor "None") always exist, one
/// per component of the architecture.
struct EnergyEntry {
  std::string_view einsum, component, tensor, action;
  double energy = 0;
};

/// latency[(einsum, component)] in s, for components holding a tile in the
/// Einsum and for its compute unit.
struct ComponentLatency {
  std::string_view einsum, component;
  double latency = 0;
};

/// The tile of one tensor reserved in one memory (bits), and the number of
/// loops above the point where it is measured (-1 if persistent).
struct TensorOccupancy {
  std::string_view einsum, memory, tensor;
  double bits = 0;
  int nLoopsAbove = 0;
  bool persistent = false;
};

/// Cumulative reservation of a memory for loop depths <= nLoopsAbove, as a
/// fraction of its size (the reference's reservation columns).
struct ReservationLevel {
  std::string_view einsum, memory;
  int nLoopsAbove = 0;
  double fraction = 0;
};

/// Occupancy of one memory (bits, and fraction of its size). Per Einsum in
/// Result::memoryUsage; for the whole mapping (einsum empty) in
/// Result::resourceUsage.
struct MemoryUsage {
  std::string_view einsum, memory;
  double bits = 0;
  double size = 0;
  double usage = 0;
};

/// Use of one spatial dimension: `used` instances of `fanout`;
/// usage = used / fanout * usage_scale.
struct SpatialUsage {
  std::string_view einsum, component, dimension;
  double used = 1;
  double fanout = 1;
  double usage = 0;
};

struct EinsumSummary {
  std::string_view einsum, compute;
  double energy = 0;        ///< J, dynamic + leak
  double dynamicEnergy = 0; ///< J
  double leakEnergy = 0;    ///< J
  double latency = 0;       ///< s: max over components, ignoring zeros
  double computes = 0;      ///< compute actions performed (0 for copies)
  /// Points of the iteration space (copies included): the per-compute divisor.
  double iterationSpacePoints = 0;
  double nInstances = 1;
};

/// Area and leak power of one component: per instance, the number of
/// instances counted, and totals.
struct ComponentArea {
  std::string_view component;
  double area = 0;      ///< m^2 per instance
  double leakPower = 0; ///< W per instance
  double instances = 1; ///< product of fanouts counted (see AreaOptions)
  double totalArea = 0;
  double totalLeakPower = 0;
};

struct AreaReport {
  std::vector<ComponentArea> components;
  double totalArea = 0;
  double totalLeakPower = 0;
};

struct Result {
  double energy = 0;  ///< J, summed over Einsums
  double latency = 0; ///< s, summed over Einsums
  double computes = 0;
  double iterationSpacePoints = 0;

  std::vector<EinsumSummary> einsums;
  std::vector<ActionCount> actions;
  std::vector<EnergyEntry> energies;
  std::vector<ComponentLatency> latencies;
  std::vector<TensorOccupancy> occupancies;
  std::vector<ReservationLevel> reservations;
  std::vector<MemoryUsage> memoryUsage;
  std::vector<MemoryUsage> resourceUsage;
  std::vector<SpatialUsage> spatialUsage;
  /// Area and leak of the architecture evaluated for the first mapped Einsum
  /// (the reference's calculate_component_costs() without an Einsum).
  AreaReport area;

  double energyDelayProduct() const { return energy * latency; }

  /// Energy per (einsum, component, action), summed over tensors: the shape
  /// of the reference's energy(per_einsum, per_component, per_action).
  std::vector<EnergyEntry> energyPerComponentAction() const;
  /// Energy per (einsum, component), including leak.
  std::vector<EnergyEntry> energyPerComponent() const;
  /// Latency of one Einsum (0 if absent).
  double einsumLatency(std::string_view einsum) const;
  /// Whole-mapping usage of a memory (0 if it holds nothing).
  double usage(std::string_view memory) const;

  /// Every energy, latency and action count divided by the number of
  /// iteration-space points: of all Einsums, or with `perEinsum` of each
  /// entry's own Einsum (the reference's per_compute()). Reservations,
  /// occupancies and usages are not divided.
  Result perCompute(bool perEinsum = false) const;

  void clear();
};

} // namespace afc::model

#endif // AFC_MODEL_RESULT_H
