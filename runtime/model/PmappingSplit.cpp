//===- PmappingSplit.cpp - one pmapping per Einsum
//--------------------------===//
//
// A mapping is a tree (Nested, Sequential and Pipeline branches) whose
// root-to-leaf paths are the Einsums' pmappings (model.md §2). This file
// collects those paths and prepares one of them for the analysis: its Einsum
// and architecture found, its nodes normalised (Normalise.cpp) and its
// reservations inserted (Reservations.cpp).
//
//===----------------------------------------------------------------------===//

#include "EvaluatorImpl.h"

namespace afc::model {

// Splitting the mapping into pmappings (main.py:262-280).

std::optional<ModelError>
Evaluator::Impl::splitChain(const std::vector<MappingNode> &chain) {
  size_t pushed = 0;
  for (size_t i = 0; i < chain.size(); ++i) {
    const MappingNode &n = chain[i];
    if (n.hasChildren()) {
      if (i + 1 != chain.size()) {
        pathStack.resize(pathStack.size() - pushed);
        return makeError(ErrorKind::MalformedMapping,
                         "a node with children must be the last node of its "
                         "chain",
                         &n);
      }
      auto err = splitBranch(n);
      pathStack.resize(pathStack.size() - pushed);
      return err;
    }
    pathStack.push_back(&n);
    ++pushed;
  }
  if (nPaths == paths.size())
    paths.emplace_back();
  paths[nPaths].assign(pathStack.begin(), pathStack.end());
  ++nPaths;
  pathStack.resize(pathStack.size() - pushed);
  return std::nullopt;
}

std::optional<ModelError>
Evaluator::Impl::splitBranch(const MappingNode &branch) {
  switch (branch.kind) {
  case MappingNodeKind::Nested:
    return splitChain(branch.children);
  case MappingNodeKind::Sequential:
  case MappingNodeKind::Pipeline:
    // Pipeline branches run concurrently, but the model treats them exactly
    // like Sequential ones: each Einsum is analysed on its own.
    for (const MappingNode &b : branch.children)
      if (auto err = splitBranch(b))
        return err;
    return std::nullopt;
  default: {
    // A bare node as a branch is a one-node chain.
    pathStack.push_back(&branch);
    if (nPaths == paths.size())
      paths.emplace_back();
    paths[nPaths].assign(pathStack.begin(), pathStack.end());
    ++nPaths;
    pathStack.pop_back();
    return std::nullopt;
  }
  }
}

std::optional<ModelError> Evaluator::Impl::preparePmapping(uint32_t pathIdx) {
  const std::vector<const MappingNode *> &p = paths[pathIdx];
  const MappingNode &leaf = *p.back();
  if (leaf.kind != MappingNodeKind::Compute)
    return makeError(ErrorKind::MalformedMapping,
                     "every branch of a mapping must end in a Compute node",
                     &leaf);
  auto it = prepared.einsumByName.find(leaf.einsum);
  if (it == prepared.einsumByName.end())
    return makeError(ErrorKind::UnknownEinsum,
                     "unknown Einsum '" + leaf.einsum + "'", &leaf);
  const uint32_t einsumIdx = it->second;
  if (einsumSeen[einsumIdx])
    return makeError(ErrorKind::DuplicateEinsum,
                     "Einsum '" + leaf.einsum +
                         "' has more than one Compute node",
                     &leaf, leaf.einsum);
  einsumSeen[einsumIdx] = 1;
  einsum = &prepared.einsums[einsumIdx];
  isCopy = einsum->isCopy;
  arch = prepared.findArch(einsumIdx, leaf.component);
  if (!arch)
    return makeError(ErrorKind::UnknownComponent,
                     "no architecture of Einsum '" + leaf.einsum +
                         "' ends in compute unit '" + leaf.component + "'",
                     &leaf, leaf.einsum);

  if (auto err = normalise(p, leaf))
    return err;
  insertReservations();
  spatialIndices.clear();
  for (uint32_t i = 0; i < withRes.size(); ++i)
    if (withRes[i].kind == PKind::Spatial)
      spatialIndices.push_back(i);
  return std::nullopt;
}

} // namespace afc::model
