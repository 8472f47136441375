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

// The interpreter's loop is the whole cost of a search run without the
// JIT, and its speed depended on where the linker placed it (up to 1.4x
// between builds, branches across 32-byte boundaries): a fixed alignment
// keeps it the same from build to build.
__attribute__((aligned(64))) void
CostGraph::interpret(const double *point, const double *tileValues,
                     double *out) const {
  // The mapper's --no-jit path calls this per candidate: reuse the buffer.
  thread_local std::vector<double> v;
  v.resize(graph.size());
  for (size_t i = 0; i < graph.size(); ++i)
    v[i] = evaluateNode(graph[i], v.data(), point, tileValues);
  for (size_t k = 0; k < outputs.size(); ++k)
    out[k] = v[outputs[k]];
}

void CostGraph::interpretBatch(const double *point, const double *tiles,
                               double *out, int64_t numCandidates) const {
  for (int64_t c = 0; c < numCandidates; ++c)
    interpret(point, tiles + c * numTile, out + c * outputs.size());
}
