//===- CostGraph.cpp - closed-form cost expressions -----------------------===//
#include "afc/codegen/CostGraph.h"

#include <cmath>
#include <cstring>

using namespace afc::codegen;

NodeId CostGraph::add(Node n) {
  graph.push_back(n);
  return NodeId(graph.size() - 1);
}

NodeId CostGraph::constant(double v) {
  Node n{Op::Constant};
  n.constant = v;
  return add(n);
}

std::string CostGraph::structuralKey() const {
  std::string key = std::to_string(numPoint) + "," + std::to_string(numTile) +
                    ";";
  for (const Node &n : graph) {
    key += char('a' + int(n.op));
    for (uint32_t o : n.operand)
      key += std::to_string(o) + ",";
    if (n.op == Op::Constant) {
      char buf[sizeof(double)];
      std::memcpy(buf, &n.constant, sizeof buf);
      key.append(buf, sizeof buf);
    }
    key += ";";
  }
  for (NodeId o : outputs) {
    key += 'o';
    key += std::to_string(o);
  }
  return key;
}

// std::fmin/fmax treat NaN as missing; the kernel uses the same semantics
// (llvm.minnum / llvm.maxnum), so both agree.
void CostGraph::interpret(const double *point, const double *tileValues,
                          double *out) const {
  // The mapper's --no-jit path calls this per candidate: reuse the buffer.
  thread_local std::vector<double> v;
  v.resize(graph.size());
  for (size_t i = 0; i < graph.size(); ++i) {
    const Node &n = graph[i];
    auto a = [&](int k) { return v[n.operand[k]]; };
    switch (n.op) {
    case Op::PointArg: v[i] = point[n.operand[0]]; break;
    case Op::TileArg: v[i] = tileValues[n.operand[0]]; break;
    case Op::Constant: v[i] = n.constant; break;
    case Op::Add: v[i] = a(0) + a(1); break;
    case Op::Sub: v[i] = a(0) - a(1); break;
    case Op::Mul: v[i] = a(0) * a(1); break;
    case Op::Div: v[i] = a(0) / a(1); break;
    case Op::Min: v[i] = std::fmin(a(0), a(1)); break;
    case Op::Max: v[i] = std::fmax(a(0), a(1)); break;
    case Op::Ceil: v[i] = std::ceil(a(0)); break;
    case Op::Floor: v[i] = std::floor(a(0)); break;
    case Op::SelectLess: v[i] = a(0) < a(1) ? a(2) : a(3); break;
    }
  }
  for (size_t k = 0; k < outputs.size(); ++k)
    out[k] = v[outputs[k]];
}

void CostGraph::interpretBatch(const double *point, const double *tiles,
                               double *out, int64_t numCandidates) const {
  for (int64_t c = 0; c < numCandidates; ++c)
    interpret(point, tiles + c * numTile, out + c * outputs.size());
}
