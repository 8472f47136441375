//===- CostGraph.h - closed-form cost expressions -----------------*- C++ -*-===//
//
// A CostGraph is a small SSA graph of double-precision operations: the form
// in which the cost of a pmapping template is written as a function of its
// tile-shape symbols and of design-point values (capacities, per-action
// energies, throughputs). The same graph runs in two ways that must agree
// bit for bit: the interpreter here, and a kernel generated from it with
// LLVM (KernelCompiler.h). No fast-math: the kernel performs the same IEEE
// operations in the same order as the interpreter.
//
// A kernel scores a batch of tile-shape candidates against one design point:
//
//   void kernel(const double *point,   // design-point values, shared
//               const double *tiles,   // numCandidates x numTileArgs
//               double *out,           // numCandidates x numOutputs
//               int64_t numCandidates)
//
//===----------------------------------------------------------------------===//
#ifndef AFC_CODEGEN_COSTGRAPH_H
#define AFC_CODEGEN_COSTGRAPH_H

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace afc::codegen {

using NodeId = uint32_t;

enum class Op : uint8_t {
  PointArg, ///< a design-point value (index in `operand[0]`)
  TileArg,  ///< a tile-shape value of the current candidate
  Constant,
  Add,
  Sub,
  Mul,
  Div,
  Min,
  Max,
  Ceil,
  Floor,
  /// operand[0] < operand[1] ? operand[2] : operand[3]
  SelectLess,
};

struct Node {
  Op op;
  uint32_t operand[4] = {0, 0, 0, 0};
  double constant = 0;
};

class CostGraph {
public:
  CostGraph(unsigned numPointArgs, unsigned numTileArgs)
      : numPoint(numPointArgs), numTile(numTileArgs) {}

  NodeId point(unsigned i) { return add({Op::PointArg, {i}}); }
  NodeId tile(unsigned i) { return add({Op::TileArg, {i}}); }
  NodeId constant(double v);
  NodeId add(NodeId a, NodeId b) { return binary(Op::Add, a, b); }
  NodeId sub(NodeId a, NodeId b) { return binary(Op::Sub, a, b); }
  NodeId mul(NodeId a, NodeId b) { return binary(Op::Mul, a, b); }
  NodeId div(NodeId a, NodeId b) { return binary(Op::Div, a, b); }
  NodeId min(NodeId a, NodeId b) { return binary(Op::Min, a, b); }
  NodeId max(NodeId a, NodeId b) { return binary(Op::Max, a, b); }
  NodeId ceil(NodeId a) { return add({Op::Ceil, {a}}); }
  NodeId floor(NodeId a) { return add({Op::Floor, {a}}); }
  NodeId selectLess(NodeId a, NodeId b, NodeId ifLess, NodeId otherwise) {
    return add({Op::SelectLess, {a, b, ifLess, otherwise}});
  }
  /// Marks a node as the next output of the kernel.
  void output(NodeId n) { outputs.push_back(n); }

  /// Point arguments may be discovered while the graph is built.
  void setNumPointArgs(unsigned n) { numPoint = n; }
  unsigned numPointArgs() const { return numPoint; }
  unsigned numTileArgs() const { return numTile; }
  const std::vector<Node> &nodes() const { return graph; }
  const std::vector<NodeId> &outputNodes() const { return outputs; }

  /// A key that is equal for structurally equal graphs (kernel cache key).
  std::string structuralKey() const;

  /// The value of node `n` given the values `v` of the nodes before it.
  static inline double evaluateNode(const Node &n, const double *v,
                                    const double *point,
                                    const double *tileValues);

  /// Evaluates the graph for one candidate.
  void interpret(const double *point, const double *tileValues,
                 double *out) const;
  /// The interpreter's batch form, with the kernel's signature.
  void interpretBatch(const double *point, const double *tiles, double *out,
                      int64_t numCandidates) const;

private:
  NodeId add(Node n);
  NodeId binary(Op op, NodeId a, NodeId b) { return add({op, {a, b}}); }

  unsigned numPoint, numTile;
  std::vector<Node> graph;
  std::vector<NodeId> outputs;
};

// std::fmin/fmax treat NaN as missing; the kernel uses the same semantics
// (llvm.minnum / llvm.maxnum), so both agree. Inline: the interpreter runs
// it per node of every candidate.
inline double CostGraph::evaluateNode(const Node &n, const double *v,
                                      const double *point,
                                      const double *tileValues) {
  auto a = [&](int k) { return v[n.operand[k]]; };
  switch (n.op) {
  case Op::PointArg: return point[n.operand[0]];
  case Op::TileArg: return tileValues[n.operand[0]];
  case Op::Constant: return n.constant;
  case Op::Add: return a(0) + a(1);
  case Op::Sub: return a(0) - a(1);
  case Op::Mul: return a(0) * a(1);
  case Op::Div: return a(0) / a(1);
  case Op::Min: return std::fmin(a(0), a(1));
  case Op::Max: return std::fmax(a(0), a(1));
  case Op::Ceil: return std::ceil(a(0));
  case Op::Floor: return std::floor(a(0));
  case Op::SelectLess: return a(0) < a(1) ? a(2) : a(3);
  }
  return 0;
}

} // namespace afc::codegen

#endif // AFC_CODEGEN_COSTGRAPH_H
