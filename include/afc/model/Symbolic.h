//===- Symbolic.h - a mapping's cost in closed form -----------*- C++ -*-===//
//
// The mapper costs millions of tile-shape vectors of one pmapping template.
// Their structure (storage nodes, loop order, reservations, per-tensor views)
// is the same for all of them; only the loops' tile shapes change. Tracing
// the model once with the tile shapes as symbols gives the template's energy,
// latency and validity as closed-form expressions of those symbols and of
// the design point's values (capacities, action energies, throughputs, leak
// powers). A code generator turns them into one kernel per template.
//
// The model stays free of any code generator: it emits the expressions into
// an ExprBuilder that the caller implements. The trace performs the model's
// IEEE operations in the model's order, so a faithful builder reproduces
// Evaluator's numbers bit for bit (the mapper's differential tests check
// this).
//
// Only what the mapper generates can be traced: loops given by tile shapes
// that factor their rank exactly (no initial tile shapes), and components
// whose total_latency has a symbolic form (ArchNode::totalLatencyTrace).
// Anything else makes trace() fail, and the caller falls back to
// Evaluator::evaluateInto.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_MODEL_SYMBOLIC_H
#define AFC_MODEL_SYMBOLIC_H

#include <cstdint>
#include <span>
#include <vector>

namespace afc::model {

struct FlattenedArch;

/// A design-point value a traced expression reads: one field of one node of
/// the flattened architecture (or of one off-path component).
struct PointValue {
  enum Kind : uint8_t {
    MemorySize,       ///< node's size, bits
    ActionEnergy,     ///< node's action `action`, J
    ActionThroughput, ///< actions per second
    ActionBitsPerAction,
    ActionLatency,    ///< seconds per action (Action::latency, or 1/throughput)
    LeakPower,        ///< node's leak power, W per instance
    OffPathLeakPower, ///< otherComponents[node].leakPower
  };
  Kind kind = MemorySize;
  uint32_t node = 0;
  uint32_t action = 0;

  friend bool operator==(const PointValue &, const PointValue &) = default;
  friend auto operator<=>(const PointValue &, const PointValue &) = default;
};

/// The value of `v` in `arch` (which must be the architecture traced).
double pointValue(const FlattenedArch &arch, const PointValue &v);

/// Receives expressions as a DAG of double-precision operations. Ids are
/// the builder's own.
class ExprBuilder {
public:
  using Id = uint32_t;
  virtual ~ExprBuilder();
  virtual Id constant(double value) = 0;
  /// The tile shape of the traced loop `loop` (Evaluator::trace's order).
  virtual Id tileShape(unsigned loop) = 0;
  virtual Id pointValue(const PointValue &value) = 0;
  virtual Id add(Id a, Id b) = 0;
  virtual Id sub(Id a, Id b) = 0;
  virtual Id mul(Id a, Id b) = 0;
  virtual Id div(Id a, Id b) = 0;
  virtual Id min(Id a, Id b) = 0;
  virtual Id max(Id a, Id b) = 0;
  virtual Id ceil(Id a) = 0;
  virtual Id floor(Id a) = 0;
  /// a < b ? ifLess : otherwise
  virtual Id selectLess(Id a, Id b, Id ifLess, Id otherwise) = 0;
};

/// The per-action symbols a total_latency trace sees, in the order of the
/// component's actions.
struct ActionSymbols {
  ExprBuilder::Id nCalls, throughput, energy, bitsPerAction, latency;
};

/// A Network's latency keywords for a total_latency trace (constant 0 for
/// other components).
struct NetworkSymbols {
  ExprBuilder::Id maxHops, maxLinkTraffic;
};

/// The outputs of a traced pmapping.
struct TracedCost {
  ExprBuilder::Id energy = 0;  ///< J, as Result::energy
  ExprBuilder::Id latency = 0; ///< s, as Result::latency
  /// Number of failed fanout and capacity checks: the tile shapes are valid
  /// (Evaluator accepts them) exactly when this is 0.
  ExprBuilder::Id violations = 0;
};

} // namespace afc::model

#endif // AFC_MODEL_SYMBOLIC_H
