//===- Normalise.cpp - a pmapping with its names resolved
//------------------===//
//
// Normalising a pmapping (model.md §3; main.py:286-337, mapping.py:1682-1751):
// names become indices into the prepared Einsum and architecture, storage
// nodes keep one tensor each (tensors of other Einsums dropped), the first
// holder of each tensor is marked as backing it, loop bounds become tile
// shapes and every rank variable must be tiled down to one point. Every
// mistake a written mapping can make is reported here, located at its node.
//
//===----------------------------------------------------------------------===//

#include "EvaluatorImpl.h"

#include <algorithm>
#include <cmath>

namespace afc::model {

std::optional<ModelError>
Evaluator::Impl::normaliseHolder(const MappingNode &m) {
  const PreparedEinsum &e = *einsum;
  bool isToll = m.kind == MappingNodeKind::Toll;
  uint32_t archIdx = kNone;
  for (const std::string &name : m.tensors) {
    // Tensors of other Einsums are dropped; a node left with no tensor
    // disappears (main.py:294-312).
    uint32_t local = e.findTensor(name);
    if (local == kNone) {
      if (!prepared.tensorByName.count(name))
        return makeError(ErrorKind::UnknownTensor,
                         "unknown tensor '" + name + "'", &m, e.name);
      continue;
    }
    if (archIdx == kNone) {
      archIdx = arch->findNode(m.component);
      if (archIdx == kNone)
        return makeError(ErrorKind::UnknownComponent,
                         "no component '" + m.component +
                             "' on the architecture of Einsum '" +
                             std::string(e.name) + "'",
                         &m, e.name);
      const PreparedNode &pn = arch->nodes[archIdx];
      NodeKind want = isToll ? NodeKind::Toll : NodeKind::Memory;
      if (pn.kind != want)
        return makeError(ErrorKind::WrongComponentKind,
                         "'" + m.component + "' is not a " +
                             (isToll ? "Toll" : "Memory"),
                         &m, e.name);
      if (pn.readAction == kNone || (!isToll && pn.writeAction == kNone))
        return makeError(ErrorKind::MissingAction,
                         "component '" + m.component + "' has no '" +
                             (pn.readAction == kNone ? "read" : "write") +
                             "' action",
                         &m, e.name);
    }
    if (!arch->nodes[archIdx].allowed[local])
      return makeError(ErrorKind::TensorNotAllowed,
                       "tensor '" + name + "' may not be stored in '" +
                           m.component + "'",
                       &m, e.name);
    for (const PNode &prev : nodes)
      if (prev.isHolder() && prev.tensor == local && prev.arch == archIdx)
        return makeError(ErrorKind::DuplicateStorage,
                         "tensor '" + name + "' is already stored in '" +
                             m.component + "' in this pmapping",
                         &m, e.name);
    PNode n;
    n.kind = isToll ? PKind::Toll : PKind::Storage;
    n.tensor = local;
    n.arch = archIdx;
    n.persistent = m.persistent;
    n.source = &m;
    nodes.push_back(n);
  }
  return std::nullopt;
}

std::optional<ModelError> Evaluator::Impl::normaliseLoop(const MappingNode &m) {
  const PreparedEinsum &e = *einsum;
  const std::string *rvName = &m.rankVariable;
  for (const auto &[einsumName, rv] : m.einsumRankVariables)
    if (einsumName == e.name)
      rvName = &rv;
  uint32_t local = e.findRankVariable(*rvName);
  if (local == kNone && !prepared.rankVariableByName.count(*rvName))
    return makeError(ErrorKind::UnknownRankVariable,
                     "unknown rank variable '" + *rvName + "'", &m, e.name);
  if (local == kNone)
    return makeError(ErrorKind::UnknownRankVariable,
                     "'" + *rvName + "' is not a rank variable of Einsum '" +
                         std::string(e.name) + "'",
                     &m, e.name);
  PNode n;
  n.kind =
      m.kind == MappingNodeKind::Spatial ? PKind::Spatial : PKind::Temporal;
  n.rv = local;
  n.source = &m;
  if (m.tileShape.has_value() == m.loopBound.has_value())
    return makeError(ErrorKind::InvalidTileShape,
                     "a loop needs exactly one of a tile shape and a loop "
                     "bound",
                     &m, e.name);
  if ((m.tileShape && !(*m.tileShape > 0)) ||
      (m.loopBound && !(*m.loopBound > 0)) ||
      (m.initialTileShape && !(*m.initialTileShape > 0)))
    return makeError(ErrorKind::InvalidTileShape,
                     "tile shapes and loop bounds must be positive", &m,
                     e.name);
  if (m.initialTileShape && e.simple[local])
    return makeError(ErrorKind::InvalidTileShape,
                     "an initial tile shape is only allowed for rank "
                     "variables used inside projection expressions",
                     &m, e.name);
  if (m.initialTileShape && m.loopBound)
    return makeError(ErrorKind::InvalidTileShape,
                     "an initial tile shape needs an explicit tile shape", &m,
                     e.name);
  n.tile = m.tileShape ? *m.tileShape : 0;
  n.initialTile = m.initialTileShape ? *m.initialTileShape : kNaN;
  for (size_t k = 0; k < tracedLoops.size(); ++k)
    if (tracedLoops[k] == &m) {
      if (!m.tileShape || m.initialTileShape)
        return makeError(ErrorKind::InvalidTileShape,
                         "only loops given by a tile shape can be traced", &m,
                         e.name);
      n.traced = uint32_t(k);
    }
  if (n.kind == PKind::Spatial) {
    n.arch = arch->findNode(m.component);
    if (n.arch == kNone)
      return makeError(ErrorKind::UnknownComponent,
                       "no component '" + m.component +
                           "' on the architecture of Einsum '" +
                           std::string(e.name) + "'",
                       &m, e.name);
    n.dim = arch->findDim(n.arch, m.dimension);
    if (n.dim == kNone)
      return makeError(ErrorKind::UnknownSpatialDimension,
                       "'" + m.component + "' has no spatial dimension '" +
                           m.dimension + "'",
                       &m, e.name);
  }
  nodes.push_back(n);
  return std::nullopt;
}

/// Loop bounds become tile shapes, and every rank variable must reach 1.
std::optional<ModelError>
Evaluator::Impl::resolveTileShapes(const MappingNode &computeNode) {
  const PreparedEinsum &e = *einsum;
  // Loop bounds become tile shapes; the outermost loop of a simple rank
  // variable may factor imperfectly (make_loops.py:422-450).
  std::vector<double> &shape = num.shape;
  shape.assign(e.bounds.begin(), e.bounds.end());
  std::vector<uint8_t> &seenRv = seenRankVariable;
  seenRv.assign(e.rankVariables.size(), 0);
  for (PNode &n : nodes) {
    if (!n.isLoop())
      continue;
    const MappingNode &m = *n.source;
    if (m.loopBound) {
      double extent = shape[n.rv];
      double tile = extent / *m.loopBound;
      double rounded = std::round(tile);
      n.tile = std::abs(tile - rounded) <= 1e-9 * std::max(1.0, tile)
                   ? rounded
                   : std::ceil(tile);
    }
    n.imperfect = e.simple[n.rv] && !seenRv[n.rv];
    seenRv[n.rv] = 1;
    shape[n.rv] = n.tile;
  }

  // Every rank variable with a bound above 1 must be tiled down to single
  // points (main.py:315-337).
  std::string missing;
  for (uint32_t rv = 0; rv < e.rankVariables.size(); ++rv) {
    if (e.bounds[rv] <= 1)
      continue;
    bool found = false;
    for (const PNode &n : nodes)
      found |= n.isLoop() && n.rv == rv && n.tile == 1;
    if (!found)
      missing += (missing.empty() ? "'" : ", '") +
                 problem.workload.rankVariables[e.rankVariables[rv]].name + "'";
  }
  if (!missing.empty())
    return makeError(ErrorKind::NotTiledToOne,
                     "rank variable(s) " + missing + " of Einsum '" +
                         std::string(e.name) +
                         "' are never tiled down to 1: add a loop with tile "
                         "shape 1 over each",
                     &computeNode, e.name);
  return std::nullopt;
}

/// Copy Einsums: reservations are never lowered and holders below the last
/// backing holder are dropped (_symbolic.py:106-148).
std::optional<ModelError> Evaluator::Impl::normaliseCopy() {
  const PreparedEinsum &e = *einsum;
  // Among storage nodes with no loop between them, the output's backing
  // node goes before the source's other nodes in the same memory. The
  // order of nodes of different tensors there means nothing, and the
  // reference costs a copy into the memory that backs the output as a
  // write of the output whatever that order: merging the source's node
  // there with the output's would make the copy free in one order and not
  // in the other (and the joined mapping of fused Einsums reorders them).
  for (size_t j = 1; j < nodes.size(); ++j) {
    if (!nodes[j].isHolder() || !nodes[j].isBacking ||
        !e.tensors[nodes[j].tensor].isOutput)
      continue;
    size_t i = j;
    while (i > 0 && nodes[i - 1].isHolder())
      --i;
    for (; i < j; ++i)
      if (nodes[i].arch == nodes[j].arch && !nodes[i].isBacking &&
          nodes[i].tensor == e.copySource) {
        std::rotate(nodes.begin() + i, nodes.begin() + j,
                    nodes.begin() + j + 1);
        break;
      }
  }
  size_t lastBacking = 0;
  for (size_t i = 0; i < nodes.size(); ++i)
    if (nodes[i].isHolder() && nodes[i].isBacking)
      lastBacking = i;
  size_t out = 0;
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].isHolder() && i > lastBacking)
      continue;
    nodes[out] = nodes[i];
    nodes[out].lower = false;
    ++out;
  }
  nodes.resize(out);
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (!nodes[i].isHolder())
      continue;
    for (size_t j = i + 1; j < nodes.size(); ++j) {
      if (nodes[j].isHolder() && nodes[j].arch == nodes[i].arch) {
        for (size_t k = i + 1; k < j; ++k)
          if (nodes[k].isLoop())
            return makeError(ErrorKind::MalformedMapping,
                             "the storage nodes of a copy Einsum in one "
                             "memory must be back to back (no loop between)",
                             nodes[j].source, e.name);
      }
    }
  }
  return std::nullopt;
}

std::optional<ModelError>
Evaluator::Impl::normalise(const std::vector<const MappingNode *> &p,
                           const MappingNode &computeNode) {
  const PreparedEinsum &e = *einsum;
  nodes.clear();
  for (size_t i = 0; i + 1 < p.size(); ++i) {
    const MappingNode &m = *p[i];
    std::optional<ModelError> err;
    switch (m.kind) {
    case MappingNodeKind::Storage:
    case MappingNodeKind::Toll:
      err = normaliseHolder(m);
      break;
    case MappingNodeKind::Temporal:
    case MappingNodeKind::Spatial:
      err = normaliseLoop(m);
      break;
    case MappingNodeKind::Compute:
      return makeError(ErrorKind::MalformedMapping,
                       "a Compute node must be the leaf of its branch", &m,
                       e.name);
    default:
      return makeError(ErrorKind::MalformedMapping, "unexpected node", &m,
                       e.name);
    }
    if (err)
      return err;
  }
  PNode c;
  c.kind = PKind::Compute;
  c.arch = uint32_t(arch->nodes.size() - 1);
  c.source = &computeNode;
  if (arch->nodes[c.arch].computeAction == kNone)
    return makeError(ErrorKind::MissingAction,
                     "compute unit '" + computeNode.component +
                         "' has no 'compute' action",
                     &computeNode, e.name);
  nodes.push_back(c);

  // Backing holders: the first holder of each tensor (main.py:253-259).
  analysed.assign(e.tensors.size(), 0);
  for (PNode &n : nodes)
    if (n.isHolder() && !analysed[n.tensor]) {
      n.isBacking = true;
      analysed[n.tensor] = 1;
    }

  if (auto err = resolveTileShapes(computeNode))
    return err;
  if (isCopy)
    if (auto err = normaliseCopy())
      return err;
  analysed.assign(e.tensors.size(), 0);
  for (const PNode &n : nodes)
    if (n.isHolder())
      analysed[n.tensor] = 1;
  if (!isCopy)
    std::fill(analysed.begin(), analysed.end(), 1);

  // A Toll only passes data through: it cannot be the outermost holder of a
  // tensor exchanged between Einsums (run_model.py:112-127).
  for (const PNode &n : nodes)
    if (n.kind == PKind::Toll && n.isBacking &&
        prepared.tensorShared[e.tensors[n.tensor].tensor])
      return makeError(ErrorKind::WrongComponentKind,
                       "Toll '" + std::string(arch->nodes[n.arch].name) +
                           "' is the outermost holder of tensor '" +
                           std::string(e.tensors[n.tensor].name) +
                           "', which other Einsums use; a Memory above it "
                           "must keep it",
                       n.source, e.name);
  return std::nullopt;
}

} // namespace afc::model
