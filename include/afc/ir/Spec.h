//===- Spec.h - the resolved IR of an .af program -----------------*- C++ -*-===//
//
// The IR is what the front end hands to everything after it: parameters are
// bound, compile-time loops and conditionals are expanded, names are
// generated and checked, units are converted to SI (bits for sizes).
//
// Architecture fields may depend on the Einsum being evaluated (`enabled`,
// `size = weight.bits_per_value if weight else 0`, placement rules), on the
// mapper (`keep = ~MainMemory`) or on action counts (`total_latency`). They
// are kept as Deferred expressions together with the scope they were written
// in, and `value` holds what they evaluate to without an Einsum, if anything.
// Workloads are fully concrete.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_IR_SPEC_H
#define AFC_IR_SPEC_H

#include "afc/ir/ExprEvaluator.h"
#include "afc/ir/Value.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/SMLoc.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace afc::ir {

using llvm::SMRange;

/// An expression evaluated later, in the scope it was written in plus the
/// context of that moment (Einsum symbols, action counts, placements).
struct Deferred {
  const ast::Expr *expr = nullptr;
  ScopePtr scope;
  explicit operator bool() const { return expr != nullptr; }
  llvm::StringRef text() const { return expr ? expr->text() : ""; }
  SMRange range() const { return expr ? expr->getRange() : SMRange(); }
};

struct Field {
  Deferred expr;
  /// The value without an Einsum in scope; empty when the expression needs
  /// one (or the mapper, or the model).
  std::optional<Value> value;
  SMRange range;     ///< the value's text
  SMRange nameRange; ///< the name's text, where diagnostics about it point
};
using FieldMap = std::map<std::string, Field>;

/// One `key: value` entry of a map keyed by set expressions.
struct KeyedEntry {
  Deferred key, value;
};

struct Action {
  std::string name;
  SMRange range;
  FieldMap fields;
  FieldMap modelAttributes;
  std::vector<KeyedEntry> valuesPerAction;
};

/// A spatial fanout dimension declared on a component or container.
struct SpatialDimension {
  std::string name;
  SMRange range;
  FieldMap fields; ///< fanout, reuse, may_reuse, min_usage, usage_scale, ...
  std::vector<Deferred> loopBounds;
  double fanout() const;
};

enum class NodeKind { Memory, Compute, Container, Toll, Network, Fork };
llvm::StringRef spell(NodeKind k);

struct ArchNode {
  NodeKind kind = NodeKind::Memory;
  std::string name;
  SMRange range;
  std::string componentClass; ///< empty when costs are all explicit
  SMRange classRange;
  FieldMap fields;
  FieldMap modelAttributes;
  std::vector<KeyedEntry> bitsPerValue, valuesPerAction;
  /// A toll's `direction { input: "up"; ... }`, per tensor set.
  std::vector<KeyedEntry> directions;
  std::vector<Action> actions;
  std::vector<SpatialDimension> spatial;
  /// A memory's `tile_shape { m <= 4; }` comparisons and
  /// `tensor_order_options { [output, input]; }` lists, evaluated per
  /// Einsum by the mapper.
  std::vector<Deferred> tileShape, tensorOrderOptions;
  std::vector<ArchNode> children; ///< for Fork

  bool isComponent() const {
    return kind != NodeKind::Container && kind != NodeKind::Fork;
  }
  bool holdsTensors() const {
    return kind == NodeKind::Memory || kind == NodeKind::Toll;
  }
  const Field *field(llvm::StringRef n) const {
    auto it = fields.find(n.str());
    return it == fields.end() ? nullptr : &it->second;
  }
  const Action *action(llvm::StringRef n) const {
    for (const Action &a : actions)
      if (a.name == n)
        return &a;
    return nullptr;
  }
};

struct Arch {
  std::string name;
  SMRange range;
  FieldMap modelAttributesForAll; ///< e.g. tech_node
  std::vector<ArchNode> nodes;

  /// The flattened root-to-compute path of every compute node, in tree
  /// order; each node of a path with the fanouts of its parents.
  struct PathNode {
    const ArchNode *node;
    double parentFanout; ///< product of the fanouts of the nodes above
  };
  struct Path {
    const ArchNode *compute;
    std::vector<PathNode> nodes;
  };
  std::vector<Path> paths() const;
  /// Depth-first search for a node by name.
  const ArchNode *find(llvm::StringRef name) const;
};

//===----------------------------------------------------------------------===//
// Workload
//===----------------------------------------------------------------------===//

/// One rank of a tensor access: an affine expression of rank variables,
/// e.g. `P: p + r` is rank P with terms 1*p and 1*r.
struct RankProjection {
  struct Term {
    int64_t coefficient;
    std::string rankVariable;
  };
  std::string rank;
  std::vector<Term> terms;
  int64_t constant = 0;
  std::string str() const; ///< "p + r", "2*m", "n0"
};

struct TensorAccess {
  std::string tensor;
  bool isOutput = false;
  std::vector<RankProjection> projection;
  double bitsPerValue = 0;
  bool persistent = false;
  SMRange range;
};

struct Einsum {
  std::string name;
  SMRange range;
  std::vector<TensorAccess> accesses;
  std::vector<std::string> rankVariables; ///< sorted
  bool isCopy = false;
  int64_t nInstances = 1;
  /// Points of the iteration space, one instance: the box of the rank
  /// variables' bounds less what windowed projections (`P: p + r` with a
  /// size for P) cut off. What per-compute results divide by; tile shapes
  /// and action counts work on the box, as in the reference.
  double iterationSpacePoints = 0;
  /// Roles in evaluation order (`input`, `output`, `weight`, ...).
  std::vector<std::pair<std::string, NameSet>> renames;
  /// The facts `~`, `.bits_per_value`, `.rank_variables` need.
  EinsumContext context;
  /// The per-Einsum symbols: All, Inputs, ..., its tensors and rank
  /// variables, renames.
  std::vector<std::pair<std::string, Value>> symbols;
  /// Every tensor and rank variable of the workload as the empty set: what
  /// the names the Einsum does not use evaluate to. One map per workload,
  /// shared, so that Einsums cost linear memory and time in their number.
  Scope::SharedNames absentNames;

  /// A frame with this Einsum's symbols over `parent`.
  std::shared_ptr<Scope> symbolFrame(ScopePtr parent) const {
    auto frame = std::make_shared<Scope>(std::move(parent), &context);
    frame->setFallback(absentNames);
    for (auto &[k, v] : symbols)
      frame->define(k, v);
    return frame;
  }

  const TensorAccess *access(llvm::StringRef tensor) const {
    for (const TensorAccess &a : accesses)
      if (a.tensor == tensor)
        return &a;
    return nullptr;
  }
};

struct RankVariable {
  std::string name;
  int64_t lower = 0, upper = 0; ///< inclusive bounds of the iteration space
  int64_t bound() const { return upper - lower + 1; }
};

struct Tensor {
  std::string name;
  std::vector<std::string> ranks;
  double bitsPerValue = 0;
  bool persistent = false;
  std::vector<std::string> writers, readers; ///< Einsum names
  bool isIntermediate() const { return !writers.empty() && !readers.empty(); }
};

struct Workload {
  std::string name;
  SMRange range;
  std::vector<RankVariable> rankVariables;
  std::vector<Tensor> tensors;
  std::vector<Einsum> einsums;
  int64_t nInstances = 1;

  const RankVariable *rankVariable(llvm::StringRef n) const;
  const Tensor *tensor(llvm::StringRef n) const;
  const Einsum *einsum(llvm::StringRef n) const;
  /// Number of points of the Einsum's iteration space, all instances.
  double computes(const Einsum &e) const;
};

//===----------------------------------------------------------------------===//
// Mapping (LoopTree)
//===----------------------------------------------------------------------===//

struct MappingNode {
  enum Kind { Storage, Toll, Temporal, Spatial, Compute, Sequential, Pipeline,
              Nested };
  Kind kind = Nested;
  SMRange range;
  std::string component;            ///< Storage, Toll, Spatial, Compute
  std::vector<std::string> tensors; ///< Storage, Toll
  bool persistent = false;          ///< Storage
  std::string rankVariable;         ///< Temporal, Spatial
  std::optional<int64_t> tileShape, loopBound;
  std::string dimension;           ///< Spatial: the fanout dimension's name
  std::string einsum;              ///< Compute
  std::vector<MappingNode> children; ///< Sequential, Pipeline, Nested
};
llvm::StringRef spell(MappingNode::Kind k);

struct Mapping {
  std::string name;
  SMRange range;
  std::vector<MappingNode> nodes; ///< the root chain
};

//===----------------------------------------------------------------------===//
// Mapper settings and studies
//===----------------------------------------------------------------------===//

enum Metric : unsigned {
  MetricEnergy = 1 << 0,
  MetricLatency = 1 << 1,
  MetricEDP = 1 << 2,
  MetricDynamicEnergy = 1 << 3,
  MetricLeakEnergy = 1 << 4,
  MetricResourceUsage = 1 << 5,
  MetricActions = 1 << 6,
  MetricDetailedMemoryUsage = 1 << 7,
};
std::string spellMetrics(unsigned metrics);

/// One metric's name as every front end spells it: `metric = ...` in a
/// mapper, `--metric=` and the Python module's `metric=`. Only the first
/// three are ones the mapper can minimise on its own (`selectable`); the
/// others are the reference's extra columns, accepted in a mapper's set.
struct MetricName {
  Metric metric;
  const char *name;
  const char *description;
  bool selectable;
};
llvm::ArrayRef<MetricName> metricNames();
/// The metric named `name` (case-insensitive, aliases included), or 0.
unsigned metricNamed(llvm::StringRef name);

struct MapperSettings {
  std::string name;
  SMRange range;
  unsigned metrics = MetricEnergy;
  /// Every other setting, by the reference's name, with its value.
  std::map<std::string, Value> settings;
  /// Force the outermost memory to keep every tensor (no fusion).
  bool unfused = false;
};

/// What a sweep varies: a parameter, a component field or model attribute,
/// or an action field.
struct SweepAxis {
  std::string target; ///< as written: "GlobalBuffer.size", "M", "arch"
  /// Arch and Workload axes are categorical: their values are the names of
  /// the architectures or workloads the study runs on (as strings).
  enum TargetKind {
    Parameter,
    ComponentField,
    ModelAttribute,
    ActionField,
    Arch,
    Workload
  };
  TargetKind targetKind = Parameter;
  std::string component, action, field;
  std::vector<Value> values;
  /// The unit the values are written in ("KiB"), for plots; of several,
  /// the smallest. Empty when they are plain numbers.
  std::string unit;
  SMRange range;
};

struct SweepGroup {
  bool zipped = false;
  std::vector<SweepAxis> axes;
  size_t size() const { return axes.empty() ? 0 : axes[0].values.size(); }
};

struct Report {
  std::string path;
  std::string format; ///< csv, json, md, table
  SMRange range;
};

struct Plot {
  std::string path;
  SMRange range;
  std::map<std::string, Value> settings; ///< log_x, log_y, title, labels
  /// Symbolic settings (x, y, series, kind) as written, and where.
  std::map<std::string, std::string> references;
  std::map<std::string, SMRange> referenceRanges;
};

struct Study {
  std::string name;
  SMRange range;
  /// arch (workload) is empty when the study sweeps it.
  std::string arch, workload, mapping; ///< mapping empty: search
  MapperSettings mapper;
  std::map<std::string, Value> params;
  std::vector<SweepGroup> sweeps;
  std::vector<Report> reports;
  std::vector<Plot> plots;
  /// The program elaborated with this study's parameters; null when the
  /// study sets none and the enclosing Spec is its program.
  std::shared_ptr<const struct Spec> program;
  /// Design points: the cartesian product of the sweep groups.
  size_t numPoints() const;
  /// The architectures (workloads) the study runs on: the swept names in
  /// sweep order, or its one `arch` (`workload`).
  std::vector<std::string> archNames() const;
  std::vector<std::string> workloadNames() const;
  /// Every (architecture, workload) pair some design point combines: all
  /// pairs, or only the zipped ones when one `sweep zip` sweeps both.
  std::vector<std::pair<std::string, std::string>> archWorkloadPairs() const;
};

struct ParamInfo {
  std::string name;
  SMRange range;
  Value value;
  bool fromOverride = false;
};

/// A whole elaborated program.
struct Spec {
  std::vector<ParamInfo> params;
  std::vector<Arch> arches;
  std::vector<Workload> workloads;
  std::vector<Mapping> mappings;
  std::vector<MapperSettings> mappers;
  std::vector<Study> studies;
  /// Expressions parsed from text values during elaboration (`fields(MAP)`);
  /// fields above point into them.
  std::vector<std::shared_ptr<const ast::Expr>> parsedExprs;

  const Arch *arch(llvm::StringRef n) const;
  const Workload *workload(llvm::StringRef n) const;
  const Mapping *mapping(llvm::StringRef n) const;
  /// The program a study runs on: its own binding, or this one.
  const Spec &programOf(const Study &s) const {
    return s.program ? *s.program : *this;
  }
};

} // namespace afc::ir

#endif // AFC_IR_SPEC_H
