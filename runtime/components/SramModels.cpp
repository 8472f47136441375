//===- SramModels.cpp - SRAM (CACTI table) and SmartBufferSRAM ------------===//
//
// SRAM is hwcomponents-cacti's CACTI-backed memory (component-models.md
// §5.2), answered from the CACTI table instead of a CACTI run.
// SmartBufferSRAM (hwcomponents-library, §5.3) is an SRAM plus an address
// register, a delta register and an adder that walk addresses sequentially.
//
//===----------------------------------------------------------------------===//

#include "Models.h"

#include "afc/components/CactiTable.h"

#include <cmath>

namespace afc::components::detail {

namespace {

constexpr std::string_view SramActions[] = {"read", "write"};

/// The six SRAM outputs, in the reference's tuple order.
struct SramOutputs {
  double readEnergy, writeEnergy, leak, area, cycle, access;
};

/// `_interp_size`: one native node's CACTI row, corrected for padding.
Expected<SramOutputs> outputsAt(const ModelContext &context,
                                std::string_view modelName,
                                const SramGeometry &g, int nodeNm,
                                std::vector<Approximation> &notes) {
  CactiKey key = g.keyAt(nodeNm);
  auto row = context.cacti->lookup(key, context.estimateMissingCactiRows);
  if (!row) {
    Error e = row.takeError();
    e.message = std::string(modelName) + ": " + e.message;
    return e;
  }
  if (row->match != CactiMatch::Exact)
    notes.push_back({row->match == CactiMatch::Interpolated
                         ? ApproximationKind::CactiInterpolated
                         : ApproximationKind::CactiExtrapolated,
                     std::string(modelName) + ": " + row->note});
  const CactiValues &v = row->values;
  // Width: area, leak and energy scale linearly (energy with a 0.3 fixed
  // part); depth: area and leak linearly, energy as depth^(1.56/2).
  // Empirical fits from hwcomponents.
  double energyFactor =
      (g.widthScale * 0.7 + 0.3) * std::pow(g.depthScale, 1.56 / 2);
  double sizeFactor = g.widthScale * g.depthScale;
  SramOutputs out;
  out.readEnergy = v.readNJ * 1e-9 * energyFactor;
  out.writeEnergy = v.writeNJ * 1e-9 * energyFactor;
  // CACTI's leak is per bank; the requested (unrounded) bank count counts.
  out.leak = v.leakMWPerBank * 1e-3 * double(g.nBanks) * sizeFactor;
  out.area = v.areaMM2 * 1e-6 * sizeFactor;
  out.cycle = v.cycleNs * 1e-9;
  out.access = v.accessNs * 1e-9;
  return out;
}

} // namespace

Expected<SramModel> SramModel::create(const ModelContext &context,
                                      std::string_view modelName,
                                      double techNode,
                                      const SramGeometry &geometry) {
  if (!context.cacti)
    return Error{
        ErrorCode::NoCactiTable,
        std::string(modelName) +
            " needs CACTI results, but no CACTI table was loaded "
            "(pass the path of sram_cacti7.csv to ModelLibrary::load)"};
  SramModel m;
  m.Geometry = geometry;
  std::vector<Approximation> notes;
  double techNm = techNode * 1e9;
  CactiNodePlan plan = planCactiNodes(techNm);

  auto low = outputsAt(context, modelName, geometry, plan.lowNm, notes);
  if (!low)
    return low.takeError();
  SramOutputs o = *low;
  if (plan.outsideNative) {
    // hwcomponents scales the 22 nm results for every node outside the
    // native range: energy with the square root of the ratio (IRDS 2022),
    // area and times linearly, and leak -21 % for FinFETs below 22 nm.
    // Above 90 nm the same 22 nm rule applies (a quirk of the reference).
    double r = plan.ratio;
    o.readEnergy *= std::pow(r, 0.5);
    o.writeEnergy *= std::pow(r, 0.5);
    o.area *= r;
    o.cycle *= r;
    o.access *= r;
    if (techNm < CactiNodesNm.front())
      o.leak *= std::pow(r, 0.5) * 0.79;
    notes.push_back(
        {ApproximationKind::TechNodeExtrapolated,
         std::string(modelName) + ": tech_node " + formatNode(techNode) +
             " is outside CACTI's native 22-90 nm; the 22 nm results are "
             "rescaled (energy x sqrt(" +
             formatNumber(r) + "), area and cycle time x " + formatNumber(r) +
             (techNm < CactiNodesNm.front() ? ", leak x 0.79 sqrt(ratio))"
                                            : ", leak unchanged)") +
             ", as hwcomponents does"});
  } else if (plan.lowNm != plan.highNm) {
    auto high = outputsAt(context, modelName, geometry, plan.highNm, notes);
    if (!high)
      return high.takeError();
    double p = plan.weight;
    auto mix = [p](double l, double h) { return (1 - p) * l + p * h; };
    o = {mix(o.readEnergy, high->readEnergy),
         mix(o.writeEnergy, high->writeEnergy),
         mix(o.leak, high->leak),
         mix(o.area, high->area),
         mix(o.cycle, high->cycle),
         mix(o.access, high->access)};
  }
  m.ReadEnergy = o.readEnergy;
  m.WriteEnergy = o.writeEnergy;
  m.Leak = o.leak;
  m.Area = o.area;
  m.Cycle = o.cycle;
  m.Access = o.access;
  for (Approximation &a : notes)
    m.addApproximation(a.kind, std::move(a.note));
  return m;
}

std::span<const std::string_view> SramModel::actionNames() const {
  return SramActions;
}

ActionCost SramModel::read(const ActionArgs &args) const {
  // n_rw_ports * n_banks accesses of `width` bits per cycle.
  const SramGeometry &g = Geometry;
  double perBit = Cycle / (g.width * double(g.nRwPorts) * double(g.nBanks));
  return finishAction({}, {ReadEnergy, Access, 1 / (perBit * g.width)}, {},
                      bitsScale(args, g.width));
}

ActionCost SramModel::write(const ActionArgs &args) const {
  const SramGeometry &g = Geometry;
  double perBit = Cycle / (g.width * double(g.nRwPorts) * double(g.nBanks));
  return finishAction({}, {WriteEnergy, Access, 1 / (perBit * g.width)}, {},
                      bitsScale(args, g.width));
}

Expected<ActionCost> SramModel::action(std::string_view actionName,
                                       const ActionArgs &args) const {
  if (actionName == "read")
    return read(args);
  if (actionName == "write")
    return write(args);
  return unsupportedAction(name(), actionName, actionNames());
}

Expected<SramGeometry> readSramGeometry(const AttributeReader &attrs) {
  auto ports = attrs.optional("n_rw_ports");
  auto banks = attrs.optional("n_banks");
  auto g = resolveSramGeometry(attrs.optional("size"), attrs.optional("width"),
                               attrs.optional("depth"), ports ? *ports : 1,
                               banks ? *banks : 1);
  if (!g) {
    Error e = g.takeError();
    e.message = std::string(attrs.model()) + ": " + e.message;
    return e;
  }
  return g;
}

namespace {
/// An SRAM built from a component's attributes, with what wrappers need.
struct BuiltSram {
  SramModel sram;
  double techNode;
  SramGeometry geometry;
};

Expected<BuiltSram> buildSram(const AttributeReader &attrs,
                              const ModelContext &context) {
  auto tech = attrs.techNode();
  if (!tech)
    return tech.takeError();
  auto geometry = readSramGeometry(attrs);
  if (!geometry)
    return geometry.takeError();
  auto sram = SramModel::create(context, attrs.modelName(), *tech, *geometry);
  if (!sram)
    return sram.takeError();
  return BuiltSram{std::move(*sram), *tech, *geometry};
}
} // namespace

Expected<ModelPtr> makeSram(const AttributeReader &attrs,
                            const ModelContext &context) {
  auto built = buildSram(attrs, context);
  if (!built)
    return built.takeError();
  return ModelPtr(new SramModel(std::move(built->sram)));
}

namespace {

/// SmartBufferSRAM: the SRAM, then an address register, a delta register
/// and an adder, all as wide as the address (component-models.md §5.3).
class SmartBufferSram final : public ComponentModel {
public:
  SmartBufferSram(SramModel sram, double techNode, double addressBits)
      : Sram(std::move(sram)),
        AddressReg(AladdinKind::Register, techNode, addressBits),
        DeltaReg(AladdinKind::Register, techNode, addressBits),
        Adder(AladdinKind::Adder, techNode, addressBits) {
    addApproximations(Sram.approximations());
    addApproximations(Adder.approximations());
  }

  std::string_view name() const override { return "SmartBufferSRAM"; }
  double area() const override {
    return ownPlusSubcomponents(
        0, 1, {Sram.area(), AddressReg.area(), DeltaReg.area(), Adder.area()});
  }
  double leakPower() const override {
    return ownPlusSubcomponents(0, 1,
                                {Sram.leakPower(), AddressReg.leakPower(),
                                 DeltaReg.leakPower(), Adder.leakPower()});
  }
  std::span<const std::string_view> actionNames() const override {
    return SramActions;
  }
  Expected<ActionCost> action(std::string_view actionName,
                              const ActionArgs &args) const override {
    // The SRAM is always accessed at its own width; the buffer's nominal
    // width is the same, so bits_per_action scales the whole sum once.
    double width = Sram.geometry().width;
    ActionArgs fullWidth;
    fullWidth.bitsPerAction = width;
    constexpr ActionCost nothing = {0.0, 0.0, Infinity};
    if (actionName == "read")
      return finishAction({}, nothing,
                          {Sram.read(fullWidth), AddressReg.read(),
                           DeltaReg.read(), Adder.primary()},
                          bitsScale(args, width));
    if (actionName == "write")
      return finishAction({}, nothing,
                          {Sram.write(fullWidth), AddressReg.write(),
                           DeltaReg.read(), Adder.primary()},
                          bitsScale(args, width));
    return unsupportedAction(name(), actionName, actionNames());
  }

private:
  SramModel Sram;
  AladdinLeaf AddressReg, DeltaReg, Adder;
};

} // namespace

Expected<ModelPtr> makeSmartBufferSram(const AttributeReader &attrs,
                                       const ModelContext &context) {
  auto built = buildSram(attrs, context);
  if (!built)
    return built.takeError();
  double addressBits =
      std::max(std::ceil(std::log2(built->geometry.depth)), 1.0);
  return ModelPtr(new SmartBufferSram(std::move(built->sram), built->techNode,
                                      addressBits));
}

} // namespace afc::components::detail
