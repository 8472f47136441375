//===- ModelLibraryTest.cpp - class names, precedence, models, errors -----===//
//
// ModelLibrary::evaluate and createModel: class-name matching, AccelForge's
// precedence and scales (spec-language.md §2.11), bits per action, the
// individual models at their base points, approximation flags and every
// error path.
//
//===----------------------------------------------------------------------===//

#include "TestSupport.h"

#include "afc/components/Scaling.h"

#include <algorithm>
#include <thread>

using namespace afc::components;
using namespace afc::components::test;

namespace {

ComponentRequest eyerissMac() {
  return compute(
      "MAC", "IntMAC",
      {{"multiplier_width", 8}, {"adder_width", 16}, {"tech_node", 65e-9}});
}

Error evaluateError(const ComponentRequest &r,
                    const ModelLibrary &lib = library()) {
  auto c = lib.evaluate(r);
  if (c) {
    ADD_FAILURE() << r.name << ": expected an error";
    return Error{ErrorCode::Parse, ""};
  }
  return c.error();
}

bool contains(const std::string &s, const std::string &part) {
  return s.find(part) != std::string::npos;
}

} // namespace

// --- Class names ----------------------------------------------------------

TEST(ClassNames, MatchCaseInsensitivelyAndExactly) {
  EXPECT_EQ(ModelLibrary::findModel("SmartBufferSRAM")->name,
            "SmartBufferSRAM");
  EXPECT_EQ(ModelLibrary::findModel("smart_buffer_sram")->name,
            "SmartBufferSRAM");
  EXPECT_EQ(ModelLibrary::findModel("SMARTBUFFER_SRAM")->name,
            "SmartBufferSRAM");
  EXPECT_EQ(ModelLibrary::findModel("DRAM_LPDDR4")->name, "LPDDR4");
  EXPECT_EQ(ModelLibrary::findModel("dramhbm3")->name, "HBM3");
  EXPECT_EQ(ModelLibrary::findModel("intmac")->name, "AladdinIntMAC");
  EXPECT_EQ(ModelLibrary::findModel("IntMultiplier")->name,
            "AladdinMultiplier");
  // Underscores are not ignored when matching (only when suggesting).
  EXPECT_EQ(ModelLibrary::findModel("Smart_BufferSRAM"), nullptr);
  EXPECT_EQ(ModelLibrary::findModel("Dummy"), nullptr);
  EXPECT_EQ(ModelLibrary::findModel(""), nullptr);
}

TEST(ClassNames, KnownClassesCoverTheRequiredModels) {
  std::vector<std::string> names = ModelLibrary::knownClassNames();
  for (const char *n :
       {"LPDDR4", "LPDDR", "DDR3", "HBM2", "HBM3", "HBM4", "SRAM",
        "SmartBufferSRAM", "AladdinAdder", "AladdinMultiplier",
        "AladdinRegister", "AladdinComparator", "AladdinCounter",
        "AladdinIntMAC", "Dummy"})
    EXPECT_NE(std::find(names.begin(), names.end(), n), names.end()) << n;
  // Every model answers to its own name.
  for (const ModelInfo &m : ModelLibrary::models())
    EXPECT_EQ(ModelLibrary::findModel(m.name), &m) << m.name;
}

// The registry is what `afc describe` and docs/components.md print, so
// it must say what the models do: the same actions in the same order, and
// a default, description and source for everything.
TEST(Registry, ActionsAreTheModelsOwn) {
  for (const ModelInfo &m : ModelLibrary::models()) {
    Attributes attrs;
    bool sram = m.attribute("depth") != nullptr;
    for (const AttributeSpec &a : m.attributes) {
      if (a.name == "tech_node")
        attrs.set("tech_node", 65e-9);
      else if (a.name == "width")
        attrs.set("width", std::max(16.0, a.min));
      else if (a.name == "size" && sram)
        attrs.set("size", 1024);
      else if (a.name == "adder_width" || a.name == "multiplier_width")
        attrs.set(a.name, 8);
    }
    auto model = library().createModel(m.name, attrs);
    ASSERT_TRUE(bool(model)) << m.name << ": " << model.error().message;
    std::vector<std::string_view> declared, actual;
    for (const ActionSpec &a : m.actions)
      declared.push_back(a.name);
    for (std::string_view n : (*model)->actionNames())
      actual.push_back(n);
    EXPECT_EQ(declared, actual) << m.name;
  }
}

TEST(Registry, EveryClassIsDocumented) {
  std::vector<const ModelInfo *> all;
  for (const ModelInfo &m : ModelLibrary::models())
    all.push_back(&m);
  all.push_back(&ModelLibrary::dummyClass());
  for (const ModelInfo *m : all) {
    EXPECT_FALSE(m->summary.empty()) << m->name;
    EXPECT_FALSE(m->source.empty()) << m->name;
    EXPECT_FALSE(m->validity.empty()) << m->name;
    EXPECT_FALSE(m->aliases.empty()) << m->name;
    for (const AttributeSpec &a : m->attributes) {
      EXPECT_FALSE(a.defaultText.empty()) << m->name << "." << a.name;
      EXPECT_FALSE(a.description.empty()) << m->name << "." << a.name;
    }
    for (const ActionSpec &a : m->actions) {
      EXPECT_FALSE(a.description.empty()) << m->name << "." << a.name;
      // A nominal width names an attribute of the model.
      if (!a.nominalWidth.empty()) {
        EXPECT_NE(m->attribute(a.nominalWidth), nullptr)
            << m->name << "." << a.name;
      }
    }
  }
  EXPECT_EQ(ModelLibrary::findModel("Dummy"), nullptr);
  EXPECT_EQ(ModelLibrary::dummyClass().name, "Dummy");
}

TEST(ClassNames, UnknownClassSuggestsTheClosestName) {
  ComponentRequest r = memory("GlobalBuffer", "SmartBufferSRM",
                              {{"size", 1024}, {"tech_node", 65e-9}});
  Error e = evaluateError(r);
  EXPECT_EQ(e.code, ErrorCode::UnknownClass);
  EXPECT_TRUE(contains(e.message, "GlobalBuffer: "));
  EXPECT_TRUE(contains(e.message, "'SmartBufferSRM'"));
  EXPECT_TRUE(contains(e.message, "did you mean 'SmartBufferSRAM'?"))
      << e.message;
  EXPECT_TRUE(contains(e.message, "Known classes: LPDDR4,")) << e.message;
  EXPECT_TRUE(contains(e.message, "Dummy")) << e.message;

  r.componentClass = "lpdr4";
  EXPECT_TRUE(contains(evaluateError(r).message, "did you mean 'LPDDR4'?"));
  r.componentClass = "Int_Mak";
  EXPECT_TRUE(contains(evaluateError(r).message, "did you mean 'IntMAC'?"))
      << evaluateError(r).message;
  r.componentClass = "DRAM_LPDR4";
  EXPECT_TRUE(contains(evaluateError(r).message, "did you mean 'DRAM_LPDDR4'?"))
      << evaluateError(r).message;
  r.componentClass = "Dumy";
  EXPECT_TRUE(contains(evaluateError(r).message, "did you mean 'Dummy'?"));
  r.componentClass = "PhotonicTensorCore";
  Error far = evaluateError(r);
  EXPECT_EQ(far.code, ErrorCode::UnknownClass);
  EXPECT_FALSE(contains(far.message, "did you mean")) << far.message;
}

TEST(ClassNames, KnownButUnsupportedClasses) {
  Error adder = evaluateError(
      compute("Acc", "Adder", {{"width", 16}, {"tech_node", 65e-9}}));
  EXPECT_EQ(adder.code, ErrorCode::UnsupportedClass);
  EXPECT_TRUE(contains(adder.message, "NeuroSim")) << adder.message;
  EXPECT_TRUE(contains(adder.message, "AladdinAdder")) << adder.message;
  Error adc = evaluateError(compute("ADC", "adc", {{"tech_node", 65e-9}}));
  EXPECT_EQ(adc.code, ErrorCode::UnsupportedClass);
  Error cache = evaluateError(memory("L1", "cache", {{"size", 1024}}));
  EXPECT_EQ(cache.code, ErrorCode::UnsupportedClass);
}

// --- Precedence and scales (spec-language.md §2.11) --------------------

TEST(Precedence, ExplicitValuesNeedNoModel) {
  // A class whose model could not be built (no size) is never built when
  // every figure is explicit.
  ComponentRequest r = memory("Buf", "SmartBufferSRAM", {});
  r.area = 2;
  r.leakPower = 3;
  for (ActionRequest &a : r.actions) {
    a.energy = 5;
    a.throughput = 7;
  }
  ComponentCosts c = evaluateOrFail(r);
  EXPECT_EQ(c.area, 2);
  EXPECT_EQ(c.leakPower, 3);
  EXPECT_EQ(c.actions[0].energy, 5);
  EXPECT_EQ(c.actions[1].throughput, 7);
  EXPECT_TRUE(c.modelName.empty());
}

TEST(Precedence, ScalesApplyToExplicitAndModelValues) {
  ComponentRequest r = eyerissMac();
  ComponentCosts base = evaluateOrFail(r);
  r.areaScale = 2;
  r.leakPowerScale = 5;
  r.energyScale = 3;
  r.throughputScale = 7;
  r.nParallelInstances = 4;
  r.actions[0].energyScale = 11;
  r.actions[0].throughputScale = 13;
  ComponentCosts c = evaluateOrFail(r);
  EXPECT_EQ(c.area, base.area * 2 * 4);
  EXPECT_EQ(c.leakPower, base.leakPower * 5 * 4);
  EXPECT_EQ(c.actions[0].energy, base.actions[0].energy * 3 * 11);
  EXPECT_EQ(c.actions[0].throughput, base.actions[0].throughput * 7 * 13 * 4);

  // Explicit values are scaled the same way.
  r.area = 1;
  r.leakPower = 1;
  r.actions[0].energy = 1;
  r.actions[0].throughput = 1;
  ComponentCosts e = evaluateOrFail(r);
  EXPECT_EQ(e.area, 8);
  EXPECT_EQ(e.leakPower, 20);
  EXPECT_EQ(e.actions[0].energy, 33);
  EXPECT_EQ(e.actions[0].throughput, 7 * 13 * 4);
}

TEST(Precedence, MixedExplicitAndModelFigures) {
  ComponentRequest r = eyerissMac();
  r.area = 1e-9;
  r.actions[0].energy = 2e-12;
  ComponentCosts c = evaluateOrFail(r);
  ComponentCosts model = evaluateOrFail(eyerissMac());
  EXPECT_EQ(c.area, 1e-9);
  EXPECT_EQ(c.leakPower, model.leakPower);
  EXPECT_EQ(c.actions[0].energy, 2e-12);
  EXPECT_EQ(c.actions[0].throughput, model.actions[0].throughput);
  EXPECT_EQ(c.modelName, "AladdinIntMAC");
}

TEST(Precedence, DummyIsFreeUnlessGivenExplicitly) {
  ComponentRequest r = memory("Register", "DUMMY", {{"size", 8}});
  r.nParallelInstances = 3;
  ComponentCosts c = evaluateOrFail(r);
  EXPECT_EQ(c.area, 0);
  EXPECT_EQ(c.leakPower, 0);
  EXPECT_EQ(c.actions[0].energy, 0);
  EXPECT_EQ(c.actions[0].throughput, Infinity);
  EXPECT_TRUE(c.modelName.empty());
  // snowcat's MainMemory: Dummy with an explicit energy of 1 J.
  ComponentRequest snowcat = memory("MainMemory", "Dummy", {});
  for (ActionRequest &a : snowcat.actions)
    a.energy = 1;
  snowcat.area = 5;
  ComponentCosts s = evaluateOrFail(snowcat);
  EXPECT_EQ(s.actions[1].energy, 1);
  EXPECT_EQ(s.actions[1].throughput, Infinity);
  EXPECT_EQ(s.area, 5);
}

TEST(Precedence, SelectionSkipsUnrequestedFigures) {
  // nvdla's MainMemory: no class, no area; the mapper needs no area.
  ComponentRequest r = memory("MainMemory", "", {});
  r.leakPower = 0;
  for (ActionRequest &a : r.actions) {
    a.energy = 7.03e-12;
    a.throughput = 3.072e11;
  }
  Error e = evaluateError(r);
  EXPECT_EQ(e.code, ErrorCode::MissingComponentClass);
  EXPECT_TRUE(contains(e.message, "MainMemory: component_class must be set"))
      << e.message;
  EXPECT_TRUE(contains(e.message, "area")) << e.message;

  CostSelection noArea;
  noArea.area = false;
  auto c = library().evaluate(r, noArea);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_TRUE(std::isnan(c->area));
  EXPECT_EQ(c->actions[0].energy, 7.03e-12);
}

TEST(Precedence, MissingClassNamesTheFigure) {
  ComponentRequest r = compute("MAC", "", {});
  r.area = 0;
  r.leakPower = 0;
  r.actions[0].energy = 1;
  Error e = evaluateError(r);
  EXPECT_EQ(e.code, ErrorCode::MissingComponentClass);
  EXPECT_TRUE(contains(e.message, "throughput of action 'compute'"))
      << e.message;
}

// --- Bits per action --------------------------------------------------------

TEST(BitsPerAction, ScalesMemoryActionsOnly) {
  ComponentRequest dram = memory("DRAM", "LPDDR4", {}, 64);
  ComponentCosts c64 = evaluateOrFail(dram);
  EXPECT_EQ(c64.actions[0].energy, 8 * 1e-12 * 64);
  EXPECT_EQ(c64.actions[0].throughput, 52428800.0);
  // Without bits the nominal 64-bit access is priced.
  dram.actions[0].bitsPerAction.reset();
  EXPECT_EQ(evaluateOrFail(dram).actions[0].energy, 8 * 1e-12 * 64);
  // One bit: energy / 64, throughput x 64.
  ComponentCosts c1 = evaluateOrFail(memory("DRAM", "LPDDR4", {}, 1));
  EXPECT_EQ(c1.actions[0].energy, 8e-12);
  EXPECT_EQ(c1.actions[0].throughput, 3355443200.0);
  // A width attribute changes the nominal access, not the per-bit cost.
  ComponentCosts w32 =
      evaluateOrFail(memory("DRAM", "LPDDR4", {{"width", 32}}, 1));
  EXPECT_EQ(w32.actions[0].energy, 8e-12);
  EXPECT_EQ(w32.actions[0].throughput, 52428800.0 * 32);
  // Compute actions ignore bits.
  ComponentRequest mac = eyerissMac();
  mac.actions[0].bitsPerAction = 7;
  EXPECT_EQ(evaluateOrFail(mac).actions[0].energy,
            evaluateOrFail(eyerissMac()).actions[0].energy);
}

// --- Individual models ------------------------------------------------------

TEST(Models, DramFamily) {
  struct Case {
    const char *cls;
    double pjPerBit, accessesPerSecond, width;
  };
  const Case cases[] = {
      {"LPDDR", 40, 6.25 * 1024 * 1024, 64},
      {"DDR3", 70, 33.3 * 1024 * 1024, 64},
      {"HBM2", 6.25, 2.4 * 1024 * 1024 * 1024, 2048},
      {"HBM3", 4.05, 6.4 * 8 * 1024 * 1024 * 1024, 2048},
      {"HBM4", 3.2, 8.0 * 8 * 1024 * 1024 * 1024, 4096},
  };
  for (const Case &k : cases) {
    ComponentCosts c = evaluateOrFail(memory("DRAM", k.cls, {}, 1));
    EXPECT_EQ(c.area, 0) << k.cls;
    EXPECT_EQ(c.leakPower, 0) << k.cls;
    EXPECT_TRUE(closeRel(c.actions[0].energy, k.pjPerBit * 1e-12, 1e-15))
        << k.cls;
    EXPECT_TRUE(
        closeRel(c.actions[1].throughput, k.accessesPerSecond * k.width, 1e-15))
        << k.cls;
    EXPECT_EQ(c.actions[0].energy, c.actions[1].energy) << k.cls;
  }
}

TEST(Models, AladdinAtTheBasePoint) {
  // At 40 nm and the base width every figure is the published constant.
  auto at40 = [](const char *cls, Attributes a) {
    a.set("tech_node", 40e-9);
    return library().createModel(cls, a);
  };
  auto adder = at40("AladdinAdder", {{"width", 32}});
  ASSERT_TRUE(adder) << adder.error().message;
  EXPECT_EQ((*adder)->area(), 278e-12);
  EXPECT_EQ((*adder)->leakPower(), 2.4e-6);
  auto add = (*adder)->action("add", {});
  ASSERT_TRUE(add);
  EXPECT_EQ(add->energy, 0.21e-12);
  EXPECT_EQ(add->throughput, 1 / 1e-9);
  EXPECT_EQ(add->latency, 1e-9);
  auto write = (*adder)->action("write", {});
  ASSERT_TRUE(write);
  EXPECT_EQ(write->energy, 0);
  EXPECT_EQ(write->throughput, Infinity);

  auto comparator = at40("Comparator", {});
  ASSERT_TRUE(comparator);
  EXPECT_EQ((*comparator)->area(), 71e-12);
  EXPECT_EQ((*comparator)->action("compare", {})->energy, 0.02947e-12);

  auto counter = at40("Counter", {});
  ASSERT_TRUE(counter);
  EXPECT_EQ((*counter)->leakPower(), 3.21e-7);
  EXPECT_EQ((*counter)->action("count", {})->energy, 0.25074e-12);

  auto multiplier = at40("Multiplier", {{"width", 32}});
  ASSERT_TRUE(multiplier);
  EXPECT_EQ((*multiplier)->area(), 6350e-12);
  EXPECT_EQ((*multiplier)->action("multiply", {})->energy, 12.68e-12);

  // Register: base width 1, read free of throughput limits, bits-scaled.
  auto reg = at40("Register", {{"size", 8}});
  ASSERT_TRUE(reg);
  EXPECT_EQ((*reg)->area(), 5.98e-12 * 8);
  EXPECT_EQ((*reg)->leakPower(), 0);
  ActionArgs oneBit;
  oneBit.bitsPerAction = 1;
  EXPECT_EQ((*reg)->action("read", {})->throughput, Infinity);
  EXPECT_EQ((*reg)->action("read", oneBit)->energy, 0.009e-12 * 8 / 8);
  EXPECT_EQ((*reg)->action("write", oneBit)->throughput, 1 / 1e-9 * 8);
}

TEST(Models, AladdinWidthLaws) {
  auto make = [](const char *cls, Attributes a) {
    a.set("tech_node", 40e-9);
    auto m = library().createModel(cls, a);
    EXPECT_TRUE(m) << m.error().message;
    return std::move(*m);
  };
  // Quadratic in `width`; linear in each of width_a and width_b.
  EXPECT_EQ(make("Multiplier", {{"width", 8}})->area(), 6350e-12 * 0.0625);
  EXPECT_DOUBLE_EQ(
      make("Multiplier", {{"width_a", 8}, {"width_b", 16}})->area(),
      6350e-12 * 0.25 * 0.5);
  EXPECT_EQ(make("AladdinAdder", {{"width", 16}})->area(), 278e-12 * 0.5);
  EXPECT_EQ(make("Counter", {{"width", 64}})->leakPower(), 3.21e-7 * 2);
}

TEST(Models, SmartBufferIsSramPlusAddressLogic) {
  // At the same node the SmartBufferSRAM's area is the SRAM's plus two
  // registers and an adder as wide as the address.
  Attributes a = {{"size", 3072}, {"tech_node", 65e-9}};
  auto buffer = library().createModel("SmartBufferSRAM", a);
  auto sram = library().createModel("SRAM", a);
  // ceil(log2(3072 / 56)) = 6 address bits.
  Attributes address = {{"width", 6}, {"tech_node", 65e-9}};
  auto reg = library().createModel("Register", address);
  auto adder = library().createModel("AladdinAdder", address);
  ASSERT_TRUE(buffer && sram && reg && adder);
  EXPECT_TRUE(closeRel((*buffer)->area(),
                       (*sram)->area() + 2 * (*reg)->area() + (*adder)->area(),
                       1e-15));
  EXPECT_TRUE(closeRel((*buffer)->leakPower(),
                       (*sram)->leakPower() + (*adder)->leakPower(), 1e-15));
  EXPECT_EQ((*sram)->name(), "SRAM");
  EXPECT_TRUE((*buffer)->hasAction("write"));
  EXPECT_FALSE((*buffer)->hasAction("compute"));
}

TEST(Models, DummyModels) {
  auto m = library().createModel("DummyCompute", {{"tech_node", 7e-9}});
  ASSERT_TRUE(m);
  EXPECT_EQ((*m)->area(), 0);
  EXPECT_EQ((*m)->action("compute", {})->throughput, Infinity);
  EXPECT_FALSE((*m)->action("hop", {}));
}

// --- Approximations ---------------------------------------------------------

TEST(Approximations, InterpolatedCactiRowIsFlagged) {
  // 24 x 1000: a 4 B block, 4000 B query, between the 2048 B and 4096 B rows.
  ComponentRequest r = memory(
      "Odd", "SRAM", {{"width", 24}, {"depth", 1000}, {"tech_node", 65e-9}});
  ComponentCosts c = evaluateOrFail(r);
  ASSERT_TRUE(c.isApproximate());
  EXPECT_TRUE(c.deviatesFromReference());
  EXPECT_EQ(c.approximations[0].kind, ApproximationKind::CactiInterpolated);
  EXPECT_TRUE(contains(c.approximations[0].note, "4000 B"))
      << c.approximations[0].note;
  EXPECT_GT(c.area, 0);

  // A power of two depth is a grid row: exact.
  r.attributes.set("depth", 1024);
  EXPECT_FALSE(evaluateOrFail(r).isApproximate());

  // With estimates disabled the same request is an error naming the key.
  ModelLibrary strict(std::shared_ptr<const CactiTable>(
                          library().cactiTable(), [](const CactiTable *) {}),
                      ModelLibrary::Options{false});
  r.attributes.set("depth", 1000);
  Error e = evaluateError(r, strict);
  EXPECT_EQ(e.code, ErrorCode::MissingCactiRow);
  EXPECT_TRUE(contains(e.message, "Odd: SRAM: CACTI query (tech 0.065 um, "
                                  "4000 B"))
      << e.message;
}

TEST(Approximations, TechNodesOutsideTheData) {
  // Aladdin below the 7 nm table: extrapolated, flagged, and following the
  // clamp rule (area linear in 5/7 beyond the 7 nm entry).
  ComponentRequest mac = eyerissMac();
  mac.attributes.set("tech_node", 5e-9);
  ComponentCosts c = evaluateOrFail(mac);
  ASSERT_TRUE(c.isApproximate());
  EXPECT_FALSE(c.deviatesFromReference());
  EXPECT_EQ(c.approximations[0].kind, ApproximationKind::TechNodeExtrapolated);
  EXPECT_TRUE(contains(c.approximations[0].note, "5 nm"))
      << c.approximations[0].note;
  double f = techNodeArea(5e-9, 40e-9);
  EXPECT_DOUBLE_EQ(f, techNodeArea(7e-9, 40e-9) * 5 / 7);
  EXPECT_TRUE(
      closeRel(c.area, 278e-12 * f * 0.5 + 6350e-12 * f * 0.0625, 1e-12));

  // SRAM above 90 nm: the 22 nm data rescaled (the reference's rule).
  ComponentCosts big = evaluateOrFail(
      memory("Buf", "SRAM", {{"size", 256}, {"tech_node", 130e-9}}));
  ASSERT_TRUE(big.isApproximate());
  EXPECT_EQ(big.approximations[0].kind,
            ApproximationKind::TechNodeExtrapolated);
  // widthscale 0.5, depthscale 0.25, x 130/22 on the 22 nm area.
  EXPECT_TRUE(closeRel(big.area, 0.000251543e-6 * 0.125 * (130.0 / 22), 1e-15));
  // Leak is not rescaled above 90 nm.
  EXPECT_TRUE(closeRel(big.leakPower, 9.84114e-05 * 1e-3 * 0.125, 1e-15));
}

// --- Errors ---------------------------------------------------------------

TEST(Errors, MissingAttributesAreNamed) {
  Error mac = evaluateError(compute(
      "MAC", "IntMAC", {{"multiplier_width", 8}, {"tech_node", 65e-9}}));
  EXPECT_EQ(mac.code, ErrorCode::MissingAttribute);
  EXPECT_EQ(mac.message,
            "MAC: IntMAC (AladdinIntMAC) requires attribute 'adder_width'");

  Error tech = evaluateError(memory("Buf", "SRAM", {{"size", 1024}}));
  EXPECT_EQ(tech.code, ErrorCode::MissingAttribute);
  EXPECT_TRUE(contains(tech.message, "'tech_node'")) << tech.message;

  Error size =
      evaluateError(memory("Buf", "SmartBufferSRAM", {{"tech_node", 65e-9}}));
  EXPECT_EQ(size.code, ErrorCode::MissingAttribute);
  EXPECT_TRUE(contains(size.message, "'size'")) << size.message;

  Error reg = evaluateError(memory("R", "Register", {{"tech_node", 65e-9}}));
  EXPECT_EQ(reg.code, ErrorCode::MissingAttribute);
  EXPECT_TRUE(contains(reg.message, "'width'")) << reg.message;

  Error adder =
      evaluateError(compute("A", "AladdinAdder", {{"tech_node", 65e-9}}));
  EXPECT_EQ(adder.code, ErrorCode::MissingAttribute);

  Error mult = evaluateError(
      compute("M", "Multiplier", {{"width_a", 8}, {"tech_node", 65e-9}}));
  EXPECT_TRUE(contains(mult.message, "'width_b'")) << mult.message;
}

TEST(Errors, InvalidAttributesAreNamed) {
  Error banks = evaluateError(memory(
      "Buf", "SRAM", {{"size", 1024}, {"n_banks", 2.5}, {"tech_node", 65e-9}}));
  EXPECT_EQ(banks.code, ErrorCode::InvalidAttribute);
  EXPECT_TRUE(contains(banks.message, "n_banks")) << banks.message;

  Error infinite = evaluateError(memory(
      "Buf", "SmartBufferSRAM", {{"size", INFINITY}, {"tech_node", 65e-9}}));
  EXPECT_EQ(infinite.code, ErrorCode::InvalidAttribute);
  EXPECT_TRUE(contains(infinite.message, "size")) << infinite.message;

  Error wide = evaluateError(memory("DRAM", "LPDDR4", {{"width", 128}}));
  EXPECT_EQ(wide.code, ErrorCode::InvalidAttribute);
  EXPECT_TRUE(contains(wide.message, "'width'")) << wide.message;
  EXPECT_TRUE(contains(wide.message, "at most 64")) << wide.message;

  Error narrow = evaluateError(memory("HBM", "HBM4", {{"width", 1024}}));
  EXPECT_TRUE(contains(narrow.message, "at least 2048")) << narrow.message;

  Error both = evaluateError(memory(
      "R", "Register", {{"width", 8}, {"size", 16}, {"tech_node", 65e-9}}));
  EXPECT_EQ(both.code, ErrorCode::InvalidAttribute);

  Error forms = evaluateError(compute(
      "M", "Multiplier", {{"width", 8}, {"width_a", 8}, {"tech_node", 65e-9}}));
  EXPECT_EQ(forms.code, ErrorCode::InvalidAttribute);

  Error zero = evaluateError(compute(
      "MAC", "IntMAC",
      {{"multiplier_width", 0}, {"adder_width", 16}, {"tech_node", 65e-9}}));
  EXPECT_TRUE(contains(zero.message, "multiplier_width")) << zero.message;
}

TEST(Errors, TechNodeInTheWrongUnit) {
  ComponentRequest mac = eyerissMac();
  mac.attributes.set("tech_node", 65);
  Error e = evaluateError(mac);
  EXPECT_EQ(e.code, ErrorCode::TechNodeOutOfRange);
  EXPECT_TRUE(contains(e.message, "metres")) << e.message;
  mac.attributes.set("tech_node", 0);
  EXPECT_EQ(evaluateError(mac).code, ErrorCode::TechNodeOutOfRange);
  mac.attributes.set("tech_node", NAN);
  EXPECT_EQ(evaluateError(mac).code, ErrorCode::InvalidAttribute);
}

TEST(Errors, UnsupportedAction) {
  ComponentRequest r = memory("MainMemory", "LPDDR4", {});
  r.actions.push_back(action("compute"));
  Error e = evaluateError(r);
  EXPECT_EQ(e.code, ErrorCode::UnsupportedAction);
  EXPECT_EQ(e.message, "MainMemory: LPDDR4 has no action 'compute'; it "
                       "supports read, write");
}

TEST(Errors, NoCactiTable) {
  ModelLibrary bare;
  Error e = evaluateError(
      memory("Buf", "SmartBufferSRAM", {{"size", 1024}, {"tech_node", 65e-9}}),
      bare);
  EXPECT_EQ(e.code, ErrorCode::NoCactiTable);
  // Models without CACTI still work.
  auto mac = bare.evaluate(eyerissMac());
  EXPECT_TRUE(mac);
}

TEST(Errors, NoRowToEstimateFrom) {
  // No table row has 3 read-write ports.
  Error e = evaluateError(
      memory("Buf", "SRAM",
             {{"size", 4096}, {"n_rw_ports", 3}, {"tech_node", 65e-9}}));
  EXPECT_EQ(e.code, ErrorCode::MissingCactiRow);
  EXPECT_TRUE(contains(e.message, "3 rw port(s)")) << e.message;
}

TEST(Errors, LoadFailsOnAMissingTable) {
  auto lib = ModelLibrary::load("does/not/exist.csv");
  ASSERT_FALSE(lib);
  EXPECT_EQ(lib.error().code, ErrorCode::Io);
}

// --- Concurrency ----------------------------------------------------------

TEST(Concurrency, ManyThreadsShareOneLibrary) {
  const ModelLibrary &lib = library();
  ComponentRequest r = memory(
      "GlobalBuffer", "SmartBufferSRAM",
      {{"size", 1024 * 1024}, {"n_banks", 32}, {"tech_node", 65e-9}}, 64);
  ComponentCosts reference = evaluateOrFail(r);
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        auto c = lib.evaluate(r);
        if (!c || c->area != reference.area ||
            c->actions[0].energy != reference.actions[0].energy)
          ++mismatches[t];
      }
    });
  for (std::thread &t : threads)
    t.join();
  for (int m : mismatches)
    EXPECT_EQ(m, 0);
}
