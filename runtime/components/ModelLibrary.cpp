//===- ModelLibrary.cpp - component costs from component models -----------===//
//
// The class-name table (hwcomponents' model discovery, reduced to the fixed
// set of models afc implements; component-models.md §4) and AccelForge's
// precedence of explicit values, Dummy and model figures, and its scales
// (§1.2, spec-language.md §2.11).
//
//===----------------------------------------------------------------------===//

#include "afc/components/ModelLibrary.h"

#include "AttributeTables.h"
#include "Models.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <unordered_map>

namespace afc::components {

using namespace detail;

namespace {

// --- The model table ------------------------------------------------------

// The names each model answers to, spelled as hwcomponents spells them;
// matching lower-cases both sides.
constexpr std::string_view Lpddr4Names[] = {"DRAMLPDDR4", "DRAM_LPDDR4",
                                            "LPDDR4"};
constexpr std::string_view LpddrNames[] = {"DRAMLPDDR", "DRAM_LPDDR", "LPDDR"};
constexpr std::string_view Ddr3Names[] = {"DRAMDDR3", "DRAM_DDR3", "DDR3"};
constexpr std::string_view Hbm2Names[] = {"DRAMHBM2", "DRAM_HBM2", "HBM2"};
constexpr std::string_view Hbm3Names[] = {"DRAMHBM3", "DRAM_HBM3", "HBM3"};
constexpr std::string_view Hbm4Names[] = {"DRAMHBM4", "DRAM_HBM4", "HBM4"};
constexpr std::string_view SramNames[] = {"SRAM"};
constexpr std::string_view SmartBufferNames[] = {
    "smart_buffer_sram", "smartbuffer_sram", "smartbuffersram"};
// "Adder" and "IntAdder" select NeuroSim's adder in hwcomponents; see
// UnsupportedNames.
constexpr std::string_view AdderNames[] = {"AladdinAdder"};
constexpr std::string_view RegisterNames[] = {"Register", "AladdinRegister"};
constexpr std::string_view ComparatorNames[] = {"Comparator",
                                                "AladdinComparator"};
constexpr std::string_view MultiplierNames[] = {
    "Multiplier", "AladdinMultiplier", "IntMultiplier"};
constexpr std::string_view CounterNames[] = {"Counter", "AladdinCounter"};
constexpr std::string_view IntMacNames[] = {"IntMAC", "AladdinIntMAC"};
constexpr std::string_view DummyStorageNames[] = {"DummyStorage"};
constexpr std::string_view DummyComputeNames[] = {"DummyCompute"};
constexpr std::string_view DummyMemoryNames[] = {"DummyMemory"};
constexpr std::string_view DummyNetworkNames[] = {"DummyNetwork"};

namespace A = attributes;

// Where each model's figures come from and where they hold; shared texts
// first.
constexpr std::string_view DramSource =
    "hwcomponents-cacti's DRAM table: a fixed energy per bit and number of "
    "accesses per second per type";
constexpr std::string_view DramValidity =
    "no technology dependence, no area and no leak: the figures hold at any "
    "node";
constexpr std::string_view SramSource =
    "CACTI 7 results (the table stdlib/data/sram_cacti7.csv), sized and "
    "scaled as hwcomponents-cacti's SRAM";
constexpr std::string_view SramValidity =
    "CACTI data at 22, 32, 45, 65 and 90 nm, linear in between; outside "
    "22-90 nm the 22 nm data scaled as hwcomponents-cacti does (flagged "
    "approximate); a geometry missing from the table is estimated from its "
    "neighbours (flagged approximate)";
constexpr std::string_view AladdinSource =
    "Aladdin (ISCA 2014) 40 nm data as in hwcomponents-library, scaled to "
    "the node with Stillmaker and Baas (2017)";
// A literal, to be joined with each model's width rule.
#define ALADDIN_VALIDITY                                                       \
  "tech_node 7-130 nm (the scaling tables); outside, extrapolated as "        \
  "hwcomponents does (flagged approximate)"
constexpr std::string_view DummySource =
    "hwcomponents-library's zero-cost model";
constexpr std::string_view DummyValidity = "any node: every figure is zero";

constexpr ModelInfo Infos[] = {
    {"LPDDR4", Lpddr4Names, A::LpddrAttrs,
     "LPDDR4 DRAM: 8 pJ/bit, no area or leak", A::DramActions, DramSource,
     DramValidity},
    {"LPDDR", LpddrNames, A::LpddrAttrs, "LPDDR DRAM: 40 pJ/bit",
     A::DramActions, DramSource, DramValidity},
    {"DDR3", Ddr3Names, A::LpddrAttrs, "DDR3 DRAM: 70 pJ/bit", A::DramActions,
     DramSource, DramValidity},
    {"HBM2", Hbm2Names, A::Hbm23Attrs, "HBM2 DRAM: 6.25 pJ/bit",
     A::DramActions, DramSource, DramValidity},
    {"HBM3", Hbm3Names, A::Hbm23Attrs, "HBM3 DRAM: 4.05 pJ/bit",
     A::DramActions, DramSource, DramValidity},
    {"HBM4", Hbm4Names, A::Hbm4Attrs, "HBM4 DRAM: 3.2 pJ/bit", A::DramActions,
     DramSource, DramValidity},
    {"SRAM", SramNames, A::SramAttrs, "SRAM from CACTI 7 results",
     A::SramActions, SramSource, SramValidity},
    {"SmartBufferSRAM", SmartBufferNames, A::SramAttrs,
     "SRAM plus a sequential address generator (registers and an adder)",
     A::SmartBufferActions,
     "hwcomponents-library's SmartBufferSRAM: the SRAM model plus two "
     "Aladdin registers and an Aladdin adder as wide as the address "
     "(ceil(log2(depth)) bits)",
     "the memory as SRAM (CACTI data at 22-90 nm, estimates flagged "
     "approximate), the address logic as the Aladdin models (7-130 nm)"},
    {"AladdinAdder", AdderNames, A::AdderAttrs, "Aladdin adder",
     A::AdderActions, AladdinSource,
     ALADDIN_VALIDITY "; area, energy and leak linear in width (data at 32 "
                      "bits)"},
    {"AladdinRegister", RegisterNames, A::RegisterAttrs, "Aladdin register",
     A::RegisterActions, AladdinSource,
     ALADDIN_VALIDITY "; area, energy and leak linear in width (data for 1 "
                      "bit)"},
    {"AladdinComparator", ComparatorNames, A::Width32Attrs,
     "Aladdin comparator", A::ComparatorActions, AladdinSource,
     ALADDIN_VALIDITY "; area, energy and leak linear in width (data at 32 "
                      "bits)"},
    {"AladdinMultiplier", MultiplierNames, A::MultiplierAttrs,
     "Aladdin multiplier", A::MultiplierActions, AladdinSource,
     ALADDIN_VALIDITY "; area, energy and leak quadratic in width, or "
                      "linear in each of width_a and width_b (data at 32 "
                      "bits)"},
    {"AladdinCounter", CounterNames, A::Width32Attrs, "Aladdin counter",
     A::CounterActions, AladdinSource,
     ALADDIN_VALIDITY "; area, energy and leak linear in width (data at 32 "
                      "bits)"},
    {"AladdinIntMAC", IntMacNames, A::IntMacAttrs,
     "integer MAC: Aladdin adder plus multiplier", A::IntMacActions,
     "hwcomponents-library's AladdinIntMAC: an AladdinAdder of adder_width "
     "and an AladdinMultiplier of multiplier_width",
     ALADDIN_VALIDITY "; the adder linear in adder_width, the multiplier "
                      "quadratic in multiplier_width (data at 32 bits)"},
    {"DummyStorage", DummyStorageNames, A::DummyAttrs, "zero-cost storage",
     A::DummyStorageActions, DummySource, DummyValidity},
    {"DummyCompute", DummyComputeNames, A::DummyAttrs, "zero-cost compute",
     A::DummyComputeActions, DummySource, DummyValidity},
    {"DummyMemory", DummyMemoryNames, A::DummyAttrs, "zero-cost memory",
     A::DummyStorageActions, DummySource, DummyValidity},
    {"DummyNetwork", DummyNetworkNames, A::DummyAttrs, "zero-cost network",
     A::DummyStorageActions, DummySource, DummyValidity},
};

constexpr std::string_view DummyClassNames[] = {"Dummy"};
constexpr ModelInfo DummyClass = {
    "Dummy",
    DummyClassNames,
    {},
    "zero area, leak and energy and unlimited throughput, unless given",
    {},
    "AccelForge's own rule, not a model: explicit area, leak_power, energy "
    "and throughput are used, every other figure is zero (throughput "
    "unlimited)",
    "any node; a component may list any actions"};

#undef ALADDIN_VALIDITY

constexpr ModelFactory Factories[] = {
    makeLpddr4,
    makeLpddr,
    makeDdr3,
    makeHbm2,
    makeHbm3,
    makeHbm4,
    makeSram,
    makeSmartBufferSram,
    makeAladdinAdder,
    makeAladdinRegister,
    makeAladdinComparator,
    makeAladdinMultiplier,
    makeAladdinCounter,
    makeAladdinIntMac,
    makeDummyStorage,
    makeDummyCompute,
    makeDummyMemory,
    makeDummyNetwork,
};
static_assert(std::size(Infos) == std::size(Factories));

/// Class names that hwcomponents knows but afc does not model, with why.
struct Unsupported {
  std::string_view name;
  std::string_view reason;
};
constexpr std::string_view NeuroSimReason =
    "a NeuroSim-backed hwcomponents class, which afc does not model";
constexpr std::string_view AdcReason =
    "hwcomponents-adc's ADC model, which afc does not implement yet";
constexpr Unsupported UnsupportedNames[] = {
    {"adder", "NeuroSim's adder in hwcomponents (priority 0.3 over "
              "Aladdin's 0.1), which afc does not model; write AladdinAdder "
              "for the Aladdin adder"},
    {"intadder", "NeuroSim's adder in hwcomponents, which afc does not "
                 "model; write AladdinAdder for the Aladdin adder"},
    {"cache", "hwcomponents' CACTI cache model; afc's CACTI table holds RAM "
              "results only"},
    {"neurosimadder", NeuroSimReason},
    {"addertree", NeuroSimReason},
    {"intaddertree", NeuroSimReason},
    {"neurosimaddertree", NeuroSimReason},
    {"shiftadd", NeuroSimReason},
    {"neurosimshiftadd", NeuroSimReason},
    {"flipflop", NeuroSimReason},
    {"neurosimflipflop", NeuroSimReason},
    {"notgate", NeuroSimReason},
    {"neurosimnotgate", NeuroSimReason},
    {"nandgate", NeuroSimReason},
    {"norgate", NeuroSimReason},
    {"mux", NeuroSimReason},
    {"maxpool", NeuroSimReason},
    {"arrayrowdrivers", NeuroSimReason},
    {"neurosimarrayrowdrivers", NeuroSimReason},
    {"arraycoldrivers", NeuroSimReason},
    {"neurosimarraycoldrivers", NeuroSimReason},
    {"arraycolumndrivers", NeuroSimReason},
    {"neurosimarraycolumndrivers", NeuroSimReason},
    {"arrayadc", NeuroSimReason},
    {"neurosimarrayadc", NeuroSimReason},
    {"memorycell", NeuroSimReason},
    {"neurosimmemorycell", NeuroSimReason},
    {"adc", AdcReason},
    {"pim_adc", AdcReason},
    {"sar_adc", AdcReason},
    {"array_adc", AdcReason},
    {"pim_array_adc", AdcReason},
    {"cim_array_adc", AdcReason},
    {"cim_adc", AdcReason},
};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char &c : out)
    if (c >= 'A' && c <= 'Z')
      c = char(c - 'A' + 'a');
  return out;
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z')
      x = char(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z')
      y = char(y - 'A' + 'a');
    if (x != y)
      return false;
  }
  return true;
}

/// Lower-case alias -> index into Infos.
const std::unordered_map<std::string, size_t> &aliasIndex() {
  static const auto index = [] {
    std::unordered_map<std::string, size_t> m;
    for (size_t i = 0; i < std::size(Infos); ++i)
      for (std::string_view alias : Infos[i].aliases)
        m.emplace(lower(alias), i);
    return m;
  }();
  return index;
}

int findModelIndex(std::string_view componentClass) {
  // Class names are short enough for the small-string buffer: no allocation.
  const auto &index = aliasIndex();
  auto it = index.find(lower(componentClass));
  return it == index.end() ? -1 : int(it->second);
}

size_t editDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j)
    row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1,
                         diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

/// Lower case without underscores: the form hwcomponents compares when it
/// suggests names.
std::string normalise(std::string_view s) {
  std::string out;
  for (char c : lower(s))
    if (c != '_')
      out += c;
  return out;
}

Error unknownClass(std::string_view componentClass) {
  // Closest ignoring case and underscores; ties go to the closest spelling
  // with underscores, then to the first candidate.
  std::string wanted = normalise(componentClass);
  std::string wantedLower = lower(componentClass);
  std::string best;
  size_t bestDistance = SIZE_MAX, bestRaw = SIZE_MAX;
  auto consider = [&](std::string_view alias, std::string_view display) {
    size_t d = editDistance(wanted, normalise(alias));
    size_t raw = editDistance(wantedLower, lower(alias));
    if (d < bestDistance || (d == bestDistance && raw < bestRaw)) {
      bestDistance = d;
      bestRaw = raw;
      best = std::string(display);
    }
  };
  // The model's own name first, so that it wins ties with its aliases.
  for (const ModelInfo &m : Infos) {
    consider(m.name, m.name);
    for (std::string_view alias : m.aliases)
      consider(alias, alias);
  }
  consider("Dummy", "Dummy");

  std::string message =
      "unknown component_class '" + std::string(componentClass) + "'";
  if (bestDistance <= std::max<size_t>(2, wanted.size() / 3))
    message += "; did you mean '" + best + "'?";
  message += " Known classes:";
  bool first = true;
  for (const std::string &name : ModelLibrary::knownClassNames()) {
    message += (first ? " " : ", ") + name;
    first = false;
  }
  return Error{ErrorCode::UnknownClass, message};
}

std::string withComponent(std::string_view component,
                          const std::string &message) {
  if (component.empty())
    return message;
  return std::string(component) + ": " + message;
}

/// The first requested figure that must come from a model, described for
/// messages ("area", "the energy of action 'read'"), or nullopt if the
/// request is fully explicit (or Dummy).
std::optional<std::string> firstModelFigure(const ComponentRequest &req,
                                            const CostSelection &select,
                                            bool dummy) {
  if (dummy)
    return std::nullopt;
  if (select.area && !req.area)
    return "area";
  if (select.leakPower && !req.leakPower)
    return "leak_power";
  for (const ActionRequest &a : req.actions) {
    if (select.energy && !a.energy)
      return "the energy of action '" + a.name + "'";
    if (select.throughput && !a.throughput)
      return "the throughput of action '" + a.name + "'";
  }
  return std::nullopt;
}

} // namespace

bool ComponentCosts::deviatesFromReference() const {
  return std::any_of(approximations.begin(), approximations.end(),
                     [](const Approximation &a) {
                       return a.kind != ApproximationKind::TechNodeExtrapolated;
                     });
}

const ActionCosts *ComponentCosts::action(std::string_view name) const {
  for (const ActionCosts &a : actions)
    if (a.name == name)
      return &a;
  return nullptr;
}

ModelLibrary::ModelLibrary() = default;

ModelLibrary::ModelLibrary(std::shared_ptr<const CactiTable> cacti)
    : Cacti(std::move(cacti)) {}

ModelLibrary::ModelLibrary(std::shared_ptr<const CactiTable> cacti,
                           Options options)
    : Cacti(std::move(cacti)), Opts(options) {}

Expected<ModelLibrary> ModelLibrary::load(const std::string &cactiCsvPath,
                                          Options options) {
  auto table = CactiTable::load(cactiCsvPath);
  if (!table)
    return table.takeError();
  return ModelLibrary(std::make_shared<const CactiTable>(std::move(*table)),
                      options);
}

const ModelInfo *ModelLibrary::findModel(std::string_view componentClass) {
  int i = findModelIndex(componentClass);
  return i < 0 ? nullptr : &Infos[i];
}

std::span<const ModelInfo> ModelLibrary::models() { return Infos; }

const ModelInfo &ModelLibrary::dummyClass() { return DummyClass; }

const AttributeSpec *ModelInfo::attribute(std::string_view name) const {
  for (const AttributeSpec &a : attributes)
    if (a.name == name)
      return &a;
  return nullptr;
}

std::vector<std::string> ModelLibrary::knownClassNames() {
  std::vector<std::string> names;
  for (const ModelInfo &m : Infos)
    names.emplace_back(m.name);
  names.emplace_back("Dummy");
  return names;
}

std::optional<Error> ModelLibrary::checkClass(std::string_view componentClass) {
  if (findModelIndex(componentClass) >= 0)
    return std::nullopt;
  std::string key = lower(componentClass);
  if (key == "dummy")
    return std::nullopt;
  for (const Unsupported &u : UnsupportedNames)
    if (u.name == key)
      return Error{ErrorCode::UnsupportedClass,
                   "component_class '" + std::string(componentClass) +
                       "' is " + std::string(u.reason)};
  return unknownClass(componentClass);
}

Expected<std::unique_ptr<ComponentModel>>
ModelLibrary::createModel(std::string_view componentClass,
                          const Attributes &attributes) const {
  int i = findModelIndex(componentClass);
  if (i < 0) {
    if (std::optional<Error> e = checkClass(componentClass))
      return *e;
    return Error{ErrorCode::UnknownClass,
                 "Dummy is not a model: it means zero area, leak and "
                 "energy and infinite throughput (use "
                 "ModelLibrary::evaluate)"};
  }
  // Messages say what the user wrote and, if different, the model it chose.
  AttributeReader reader(componentClass, Infos[i].name, attributes);
  // Every declared attribute is range-checked here, once, so that no model
  // computes with a value outside what it is defined for. Undeclared ones are
  // the component's other fields, which hwcomponents also passes and ignores.
  for (const auto &[name, value] : attributes)
    if (const AttributeSpec *spec = Infos[i].attribute(name))
      if (std::string problem = spec->check(value); !problem.empty()) {
        // A length off by 1e9 is a tech_node written in nm without a unit.
        bool unitSlip =
            spec->kind == AttributeKind::Length && !std::isnan(value);
        return Error{unitSlip ? ErrorCode::TechNodeOutOfRange
                              : ErrorCode::InvalidAttribute,
                     reader.model() + ": attribute '" + name + "' " + problem +
                         (unitSlip ? " (in metres: 65 nm is 65e-9)" : "")};
      }
  ModelContext context{Cacti.get(), Opts.estimateMissingCactiRows};
  return Factories[i](reader, context);
}

Expected<ComponentCosts> ModelLibrary::evaluate(const ComponentRequest &req,
                                                CostSelection select) const {
  const double NaN = std::nan("");
  const bool dummy = equalsIgnoreCase(req.componentClass, "dummy");

  // The model is built only for figures that are neither explicit nor
  // implied by Dummy, as in the reference.
  std::unique_ptr<ComponentModel> model;
  if (std::optional<std::string> what = firstModelFigure(req, select, dummy)) {
    if (req.componentClass.empty())
      return Error{
          ErrorCode::MissingComponentClass,
          withComponent(req.name, "component_class must be set to compute " +
                                      *what +
                                      "; without a cost model, give area "
                                      "and leak_power, and energy and "
                                      "throughput for every action")};
    auto created = createModel(req.componentClass, req.attributes);
    if (!created) {
      Error e = created.takeError();
      e.message = withComponent(req.name, e.message);
      return e;
    }
    model = std::move(*created);
  }

  ComponentCosts costs;
  if (model) {
    costs.modelName = std::string(model->name());
    costs.approximations = model->approximations();
  }

  if (select.area) {
    double area = req.area ? *req.area : dummy ? 0.0 : model->area();
    costs.area = area * req.areaScale * req.nParallelInstances;
  } else {
    costs.area = NaN;
  }
  if (select.leakPower) {
    double leak = req.leakPower ? *req.leakPower
                  : dummy       ? 0.0
                                : model->leakPower();
    costs.leakPower = leak * req.leakPowerScale * req.nParallelInstances;
  } else {
    costs.leakPower = NaN;
  }

  costs.actions.reserve(req.actions.size());
  for (const ActionRequest &a : req.actions) {
    ActionCosts out;
    out.name = a.name;
    bool needEnergy = select.energy && !a.energy && !dummy;
    bool needThroughput = select.throughput && !a.throughput && !dummy;
    ActionCost fromModel;
    if (needEnergy || needThroughput) {
      ActionArgs args;
      args.bitsPerAction = a.bitsPerAction;
      args.componentAttributes = &req.attributes;
      args.actionAttributes = &a.attributes;
      auto c = model->action(a.name, args);
      if (!c) {
        Error e = c.takeError();
        e.message = withComponent(req.name, e.message);
        return e;
      }
      fromModel = *c;
    }
    if (select.energy) {
      double energy = a.energy ? *a.energy : dummy ? 0.0 : fromModel.energy;
      out.energy = energy * req.energyScale * a.energyScale;
    } else {
      out.energy = NaN;
    }
    if (select.throughput) {
      double throughput = a.throughput ? *a.throughput
                          : dummy      ? Infinity
                                       : fromModel.throughput;
      out.throughput = throughput * req.throughputScale * a.throughputScale *
                       req.nParallelInstances;
    } else {
      out.throughput = NaN;
    }
    costs.actions.push_back(std::move(out));
  }
  return costs;
}

} // namespace afc::components
