//===- TemplateCost.h - the cost of a template's tile shapes ------*- C++ -*-===//
//
// The search asks one question of the model per complete tile-shape vector:
// its energy and latency, or that the model rejects it. TemplateCost answers
// it once per template with what is cheapest: the template's generated
// kernel (MapperSettings::templateKernels: the model traced once with the
// tile shapes as symbols, then compiled), given the tile shapes and the
// design point (capacities, energies, throughputs); or, without one, the
// model itself on a model::Mapping prepared once, whose tile shapes are
// overwritten in place. Both give the model's numbers bit for bit (the
// compiler's TemplateKernelTest checks it).
//
// The same prepared mapping is what a TemplateKernelFactory traces and what
// the mapper finally returns, so the three can never disagree on structure.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_MAPPER_TEMPLATECOST_H
#define AFC_MAPPER_TEMPLATECOST_H

#include "afc/mapper/Template.h"

#include <cstdint>
#include <span>
#include <vector>

namespace afc::mapper {

/// Costs complete tile-shape vectors of one template.
class TemplateCost {
public:
  /// With a kernel, only evaluate() is available (no mapping is built).
  TemplateCost(const MapperProblem &problem, const EinsumView &view,
               const Template &tpl, const TemplateKernel *kernel = nullptr);
  /// The template as a mapping with the given tile shapes (one per loop).
  model::Mapping mapping(std::span<const int64_t> tileShapes) const;
  /// The template as a mapping (tile shapes 1) and its loops, in the order
  /// of tile-shape vectors: what a TemplateKernelFactory traces.
  const model::Mapping &structure() const { return prepared; }
  std::vector<const model::MappingNode *> loops() const;
  /// Energy and latency of the tile shapes; false when the model rejects the
  /// mapping.
  bool evaluate(std::span<const int64_t> tileShapes, model::Evaluator &eval,
                model::Result &scratch, double &energy, double &latency);

private:
  model::Mapping prepared;
  std::vector<size_t> loopNodes; ///< indices of loops in prepared.nodes
  const TemplateKernel *kernel;
  std::vector<double> pointArgs, tileArgs;
};

} // namespace afc::mapper

#endif // AFC_MAPPER_TEMPLATECOST_H
