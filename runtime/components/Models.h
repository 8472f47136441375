//===- Models.h - the built-in component models -----------------*- C++ -*-===//
//
// Internal to runtime/components. The concrete models that other models
// embed as subcomponents (Aladdin leaves, SRAM), and one factory per model
// for the registry in ModelLibrary.cpp. Each factory reads and checks the
// attributes it accepts and ignores the rest, as hwcomponents does.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_RUNTIME_COMPONENTS_MODELS_H
#define AFC_RUNTIME_COMPONENTS_MODELS_H

#include "ModelSupport.h"

#include "afc/components/SramQuery.h"

#include <memory>
#include <span>

namespace afc::components::detail {

using ModelPtr = std::unique_ptr<ComponentModel>;
using ModelFactory = Expected<ModelPtr> (*)(const AttributeReader &,
                                            const ModelContext &);

/// One action of an Aladdin model at its 40 nm base.
struct AladdinAction {
  std::string_view name;
  ActionCost base;
  /// Declared with nominal width "width": bits_per_action scales it.
  bool scalesWithBits = false;
};

/// Which Aladdin component (component-models.md §5.4).
enum class AladdinKind { Adder, Register, Comparator, Multiplier, Counter };

/// A leaf Aladdin model: base area, leak and action costs at 40 nm and a
/// base width, scaled to the technology and then to the width.
class AladdinLeaf final : public ComponentModel {
public:
  /// `width` as given; for a Multiplier, `widthB` set means the
  /// (width_a, width_b) form, each scaled linearly.
  AladdinLeaf(AladdinKind kind, double techNode, double width,
              std::optional<double> widthB = std::nullopt);

  std::string_view name() const override;
  double area() const override {
    return ownPlusSubcomponents(BaseArea, Factors.area, {});
  }
  double leakPower() const override {
    return ownPlusSubcomponents(BaseLeak, Factors.leak, {});
  }
  std::span<const std::string_view> actionNames() const override;
  Expected<ActionCost> action(std::string_view actionName,
                              const ActionArgs &args) const override;

  /// The first action of the model (add, read, compare, multiply, count),
  /// called without bits: what composite models use.
  ActionCost primary() const { return run(Actions[0], {}); }
  /// Register actions without bits, for SmartBufferSRAM.
  ActionCost read() const;
  ActionCost write() const;

private:
  ActionCost run(const AladdinAction &a, const ActionArgs &args) const {
    return finishAction(Factors, a.base, {},
                        a.scalesWithBits ? bitsScale(args, Width)
                                         : std::nullopt);
  }

  AladdinKind Kind;
  double BaseArea, BaseLeak;
  double Width;
  ScaleFactors Factors;
  std::span<const AladdinAction> Actions;
};

/// hwcomponents-cacti's SRAM on the CACTI table.
class SramModel final : public ComponentModel {
public:
  /// Resolves the geometry, queries the table at the native nodes the
  /// technology needs and applies the size and technology corrections.
  static Expected<SramModel> create(const ModelContext &context,
                                    std::string_view modelName, double techNode,
                                    const SramGeometry &geometry);

  std::string_view name() const override { return "SRAM"; }
  double area() const override { return ownPlusSubcomponents(Area, 1, {}); }
  double leakPower() const override {
    return ownPlusSubcomponents(Leak, 1, {});
  }
  std::span<const std::string_view> actionNames() const override;
  Expected<ActionCost> action(std::string_view actionName,
                              const ActionArgs &args) const override;

  ActionCost read(const ActionArgs &args) const;
  ActionCost write(const ActionArgs &args) const;
  const SramGeometry &geometry() const { return Geometry; }
  double cyclePeriod() const { return Cycle; }
  double accessTime() const { return Access; }

private:
  SramModel() = default;

  SramGeometry Geometry;
  double ReadEnergy = 0, WriteEnergy = 0, Leak = 0, Area = 0, Cycle = 0,
         Access = 0;
};

/// Reads the SRAM attributes shared by SRAM and SmartBufferSRAM.
Expected<SramGeometry> readSramGeometry(const AttributeReader &attributes);

/// Adds a TechNodeExtrapolated note when `techNode` is outside the Aladdin
/// scaling tables.
std::optional<Approximation> aladdinTechNote(std::string_view model,
                                             double techNode);

// Factories, one per registered model.
Expected<ModelPtr> makeLpddr4(const AttributeReader &, const ModelContext &);
Expected<ModelPtr> makeLpddr(const AttributeReader &, const ModelContext &);
Expected<ModelPtr> makeDdr3(const AttributeReader &, const ModelContext &);
Expected<ModelPtr> makeHbm2(const AttributeReader &, const ModelContext &);
Expected<ModelPtr> makeHbm3(const AttributeReader &, const ModelContext &);
Expected<ModelPtr> makeHbm4(const AttributeReader &, const ModelContext &);
Expected<ModelPtr> makeSram(const AttributeReader &, const ModelContext &);
Expected<ModelPtr> makeSmartBufferSram(const AttributeReader &,
                                       const ModelContext &);
Expected<ModelPtr> makeAladdinAdder(const AttributeReader &,
                                    const ModelContext &);
Expected<ModelPtr> makeAladdinRegister(const AttributeReader &,
                                       const ModelContext &);
Expected<ModelPtr> makeAladdinComparator(const AttributeReader &,
                                         const ModelContext &);
Expected<ModelPtr> makeAladdinMultiplier(const AttributeReader &,
                                         const ModelContext &);
Expected<ModelPtr> makeAladdinCounter(const AttributeReader &,
                                      const ModelContext &);
Expected<ModelPtr> makeAladdinIntMac(const AttributeReader &,
                                     const ModelContext &);
Expected<ModelPtr> makeDummyStorage(const AttributeReader &,
                                    const ModelContext &);
Expected<ModelPtr> makeDummyCompute(const AttributeReader &,
                                    const ModelContext &);
Expected<ModelPtr> makeDummyMemory(const AttributeReader &,
                                   const ModelContext &);
Expected<ModelPtr> makeDummyNetwork(const AttributeReader &,
                                    const ModelContext &);

} // namespace afc::components::detail

#endif // AFC_RUNTIME_COMPONENTS_MODELS_H
