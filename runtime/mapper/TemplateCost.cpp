//===- TemplateCost.cpp - the cost of a template's tile shapes -------------===//
//
// Builds the template's mapping (or the kernel's design-point arguments) once
// and costs each tile-shape vector by overwriting tile shapes in place, since
// costing runs once per surviving leaf of the search. See TemplateCost.h.
//
//===----------------------------------------------------------------------===//

#include "afc/mapper/TemplateCost.h"

#include "afc/support/InternalError.h"

namespace afc::mapper {

TemplateCost::TemplateCost(const MapperProblem &problem, const EinsumView &view,
                           const Template &tpl, const TemplateKernel *kernel)
    : kernel(kernel) {
  using model::MappingNode;
  const model::FlattenedArch &arch = *view.arch;
  if (kernel) {
    // The kernel needs only the design point; building the mapping (names
    // and all) per search piece would cost more than the search itself.
    for (const model::PointValue &v : kernel->point)
      pointArgs.push_back(model::pointValue(arch, v));
    for (const TemplateNode &n : tpl.nodes)
      if (n.kind != TemplateNodeKind::Storage)
        tileArgs.push_back(0);
    return;
  }
  for (const TemplateNode &n : tpl.nodes) {
    switch (n.kind) {
    case TemplateNodeKind::Storage: {
      MappingNode s = MappingNode::storage(arch.nodes[n.archNode].name,
                                           {view.tensorNames[n.tensor]});
      s.persistent = n.persistent;
      prepared.nodes.push_back(std::move(s));
      break;
    }
    case TemplateNodeKind::Temporal:
      loopNodes.push_back(prepared.nodes.size());
      prepared.nodes.push_back(
          MappingNode::temporal(view.rankVariables[n.rankVariable], 1));
      break;
    case TemplateNodeKind::Spatial:
      loopNodes.push_back(prepared.nodes.size());
      prepared.nodes.push_back(MappingNode::spatial(
          view.rankVariables[n.rankVariable], 1, arch.nodes[n.archNode].name,
          arch.nodes[n.archNode].spatial[n.dimension].name));
      break;
    }
  }
  prepared.nodes.push_back(MappingNode::compute(
      problem.problem.workload.einsums[view.einsum].name, arch.compute().name));
}

std::vector<const model::MappingNode *> TemplateCost::loops() const {
  std::vector<const model::MappingNode *> out;
  for (size_t i : loopNodes)
    out.push_back(&prepared.nodes[i]);
  return out;
}

model::Mapping TemplateCost::mapping(std::span<const int64_t> tiles) const {
  AFC_INTERNAL_ASSERT(!kernel && tiles.size() == loopNodes.size())
      << "a mapping needs a template costed by the model; " << tiles.size()
      << " tile shapes for " << loopNodes.size() << " loops";
  model::Mapping m = prepared;
  for (size_t i = 0; i < loopNodes.size(); ++i)
    m.nodes[loopNodes[i]].tileShape = double(tiles[i]);
  return m;
}

bool TemplateCost::evaluate(std::span<const int64_t> tiles,
                            model::Evaluator &eval, model::Result &scratch,
                            double &energy, double &latency) {
  if (kernel) {
    AFC_INTERNAL_ASSERT(tiles.size() == tileArgs.size())
        << tiles.size() << " tile shapes for a kernel of " << tileArgs.size()
        << " loops";
    for (size_t i = 0; i < tiles.size(); ++i)
      tileArgs[i] = double(tiles[i]);
    double out[3];
    kernel->score(pointArgs.data(), tileArgs.data(), out, 1);
    energy = out[0];
    latency = out[1];
    return out[2] == 0;
  }
  for (size_t i = 0; i < loopNodes.size(); ++i)
    prepared.nodes[loopNodes[i]].tileShape = double(tiles[i]);
  if (eval.evaluateInto(prepared, scratch))
    return false;
  energy = scratch.energy;
  latency = scratch.latency;
  return true;
}

} // namespace afc::mapper
