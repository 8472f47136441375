//===- Mapping.cpp - LoopTree node constructors ---------------------------===//
//
// Convenience constructors for MappingNode and the one-line node description
// used in error messages.
//
//===----------------------------------------------------------------------===//

#include "afc/model/Mapping.h"

#include <cmath>
#include <sstream>

namespace afc::model {

namespace {

MappingNode make(MappingNodeKind kind, SourceLocation loc) {
  MappingNode n;
  n.kind = kind;
  n.location = loc;
  return n;
}

std::string number(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

MappingNode holder(MappingNodeKind kind, std::string component,
                   std::vector<std::string> tensors, SourceLocation loc) {
  MappingNode n = make(kind, loc);
  n.component = std::move(component);
  n.tensors = std::move(tensors);
  return n;
}

MappingNode branch(MappingNodeKind kind, std::vector<MappingNode> children,
                   SourceLocation loc) {
  MappingNode n = make(kind, loc);
  n.children = std::move(children);
  return n;
}

} // namespace

MappingNode MappingNode::storage(std::string component,
                                 std::vector<std::string> tensors,
                                 SourceLocation loc) {
  return holder(MappingNodeKind::Storage, std::move(component),
                std::move(tensors), loc);
}

MappingNode MappingNode::toll(std::string component,
                              std::vector<std::string> tensors,
                              SourceLocation loc) {
  return holder(MappingNodeKind::Toll, std::move(component), std::move(tensors),
                loc);
}

MappingNode MappingNode::temporal(std::string rankVariable, double tileShape,
                                  SourceLocation loc) {
  MappingNode n = make(MappingNodeKind::Temporal, loc);
  n.rankVariable = std::move(rankVariable);
  n.tileShape = tileShape;
  return n;
}

MappingNode MappingNode::temporalBound(std::string rankVariable,
                                       double loopBound, SourceLocation loc) {
  MappingNode n = make(MappingNodeKind::Temporal, loc);
  n.rankVariable = std::move(rankVariable);
  n.loopBound = loopBound;
  return n;
}

MappingNode MappingNode::spatial(std::string rankVariable, double tileShape,
                                 std::string component, std::string dimension,
                                 SourceLocation loc) {
  MappingNode n = make(MappingNodeKind::Spatial, loc);
  n.rankVariable = std::move(rankVariable);
  n.tileShape = tileShape;
  n.component = std::move(component);
  n.dimension = std::move(dimension);
  return n;
}

MappingNode MappingNode::compute(std::string einsum, std::string component,
                                 SourceLocation loc) {
  MappingNode n = make(MappingNodeKind::Compute, loc);
  n.einsum = std::move(einsum);
  n.component = std::move(component);
  return n;
}

MappingNode MappingNode::nested(std::vector<MappingNode> chain,
                                SourceLocation loc) {
  return branch(MappingNodeKind::Nested, std::move(chain), loc);
}

MappingNode MappingNode::sequential(std::vector<MappingNode> branches,
                                    SourceLocation loc) {
  return branch(MappingNodeKind::Sequential, std::move(branches), loc);
}

MappingNode MappingNode::pipeline(std::vector<MappingNode> branches,
                                  SourceLocation loc) {
  return branch(MappingNodeKind::Pipeline, std::move(branches), loc);
}

std::string describe(const MappingNode &node) {
  std::string s;
  auto tensors = [&] {
    s += " [";
    for (size_t i = 0; i < node.tensors.size(); ++i)
      s += (i ? ", " : "") + node.tensors[i];
    s += "]";
  };
  auto tiling = [&] {
    if (node.tileShape)
      s += " tile " + number(*node.tileShape);
    if (node.loopBound)
      s += " bound " + number(*node.loopBound);
    if (node.initialTileShape)
      s += " initial " + number(*node.initialTileShape);
  };
  switch (node.kind) {
  case MappingNodeKind::Storage:
    s = "Storage " + node.component;
    tensors();
    break;
  case MappingNodeKind::Toll:
    s = "Toll " + node.component;
    tensors();
    break;
  case MappingNodeKind::Temporal:
    s = "Temporal " + node.rankVariable;
    tiling();
    break;
  case MappingNodeKind::Spatial:
    s = "Spatial " + node.component + "." + node.dimension + " " +
        node.rankVariable;
    tiling();
    break;
  case MappingNodeKind::Compute:
    s = "Compute " + node.einsum + " on " + node.component;
    break;
  case MappingNodeKind::Nested:
    s = "Nested";
    break;
  case MappingNodeKind::Sequential:
    s = "Sequential";
    break;
  case MappingNodeKind::Pipeline:
    s = "Pipeline";
    break;
  }
  return s;
}

} // namespace afc::model
