//===- ExpectedValuesTest.cpp - the reference's 122 component figures -----===//
//
// Builds one request per component of the eyeriss, simba, simple and
// tpu_v4i example architectures, from the attributes written in their YAML
// files (accelforge-examples/arches/*.yaml), and compares every figure with
// hwcomponents_expected.json, the numbers AccelForge + hwcomponents produced
// (test/data/README.md). The expected numbers come only from that file.
//
// Attributes are passed as AccelForge passes them: the component's fields
// (size, ...) merged with its extra attributes and the architecture-wide
// tech_node; attributes a model does not take (LPDDR4's size) are ignored.
//
//===----------------------------------------------------------------------===//

#include "TestSupport.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <iomanip>
#include <limits>
#include <map>

using namespace afc::components;
using namespace afc::components::test;

namespace {

constexpr double Inf = std::numeric_limits<double>::infinity();

/// A component whose every figure is written in the architecture.
ComponentRequest explicitComponent(std::string name, double area, double leak,
                                   std::vector<ActionRequest> actions) {
  ComponentRequest r;
  r.name = std::move(name);
  r.area = area;
  r.leakPower = leak;
  r.actions = std::move(actions);
  return r;
}

ActionRequest explicitAction(std::string name, double energy, double throughput,
                             double bits = 1) {
  ActionRequest a = action(std::move(name), bits);
  a.energy = energy;
  a.throughput = throughput;
  return a;
}

ActionRequest explicitCompute(double energy, double throughput) {
  ActionRequest a = action("compute");
  a.energy = energy;
  a.throughput = throughput;
  return a;
}

// eyeriss.yaml: extra_attributes_for_all_component_models {tech_node: 65e-9}.
std::vector<ComponentRequest> eyeriss() {
  const double tn = 65e-9;
  return {
      memory("MainMemory", "LPDDR4", {{"size", Inf}, {"tech_node", tn}}),
      // size 1024 * 1024, extra {n_banks: 32}, read/write bits_per_action 64
      memory("GlobalBuffer", "SmartBufferSRAM",
             {{"size", 1024 * 1024}, {"n_banks", 32}, {"tech_node", tn}}, 64),
      memory("InputScratchpad", "SmartBufferSRAM",
             {{"size", 12 * 16}, {"tech_node", tn}}),
      memory("WeightScratchpad", "SmartBufferSRAM",
             {{"size", 192 * 16}, {"tech_node", tn}}),
      memory("OutputScratchpad", "SmartBufferSRAM",
             {{"size", 16 * 16}, {"tech_node", tn}}),
      compute(
          "MAC", "IntMAC",
          {{"multiplier_width", 8}, {"adder_width", 16}, {"tech_node", tn}}),
  };
}

// simba.yaml: extra_attributes_for_all_component_models {tech_node: 16e-9}.
std::vector<ComponentRequest> simba() {
  const double tn = 16e-9;
  return {
      memory("MainMemory", "LPDDR4", {{"size", Inf}, {"tech_node", tn}}),
      memory("GlobalBuffer", "SmartBufferSRAM",
             {{"size", 524288},
              {"n_banks", 2},
              {"n_rw_ports", 2},
              {"tech_node", tn}}),
      memory("InputBuffer", "SmartBufferSRAM",
             {{"size", 65536}, {"tech_node", tn}}),
      memory("WeightBuffer", "SmartBufferSRAM",
             {{"size", 262144}, {"n_banks", 8}, {"tech_node", tn}}),
      memory("AccumulationBuffer", "SmartBufferSRAM",
             {{"size", 24576}, {"tech_node", tn}}),
      // size: weight.bits_per_value if weight else 0 (8 for the matmuls)
      memory("Register", "Dummy", {{"size", 8}, {"tech_node", tn}}),
      compute(
          "MAC", "IntMAC",
          {{"multiplier_width", 8}, {"adder_width", 16}, {"tech_node", tn}}),
  };
}

// simple.yaml with its defaults: MainMemoryEnergy 1, GlobalBufferThroughput
// inf, GlobalBufferSize inf.
std::vector<ComponentRequest> simple() {
  const double mainMemoryEnergy = 1, globalBufferThroughput = Inf;
  return {
      explicitComponent("MainMemory", 0, 0,
                        {explicitAction("read", mainMemoryEnergy, Inf),
                         explicitAction("write", mainMemoryEnergy, Inf)}),
      explicitComponent("GlobalBuffer", 0, 0,
                        {explicitAction("read", 1, globalBufferThroughput),
                         explicitAction("write", 1, globalBufferThroughput)}),
      explicitComponent("MAC", 0, 0, {explicitCompute(1, 1)}),
  };
}

// tpu_v4i.yaml: every value explicit.
std::vector<ComponentRequest> tpuV4i() {
  return {
      explicitComponent("MainMemory", 0, 0,
                        {explicitAction("read", 7.03e-12, 8 * 614e9),
                         explicitAction("write", 7.03e-12, 8 * 614e9)}),
      explicitComponent("GlobalBuffer", 112e-6, 0,
                        {explicitAction("read", 1.88e-12, 8 * 2048e9),
                         explicitAction("write", 2.36e-12, 8 * 1024e9)}),
      explicitComponent("LocalBuffer", 51e-6, 0,
                        {explicitAction("read", 0.249e-12, Inf),
                         explicitAction("write", 0.293e-12, Inf)}),
      explicitComponent("ScalarUnit", 8.7e-6, 0,
                        {explicitCompute(0, 1.05e9 * 128)}),
      explicitComponent(
          "Register", 8.5e-11, 0,
          {explicitAction("read", 0, Inf), explicitAction("write", 0, Inf)}),
      explicitComponent("MAC", 8.5e-10, 0,
                        {explicitCompute(0.084e-12, 1.05e9)}),
  };
}

std::map<std::string, std::vector<ComponentRequest>> exampleArchitectures() {
  return {{"eyeriss", eyeriss()},
          {"simba", simba()},
          {"simple", simple()},
          {"tpu_v4i", tpuV4i()}};
}

/// The reference's regression tolerance: relative 1e-9, absolute 1e-18,
/// infinities equal.
bool matches(double actual, double expected, double &relError) {
  if (std::isinf(expected) || std::isinf(actual)) {
    relError = actual == expected ? 0 : Inf;
    return actual == expected;
  }
  double err = std::fabs(actual - expected);
  relError = expected == 0 ? err : err / std::fabs(expected);
  return err <= std::max(std::fabs(expected) * 1e-9, 1e-18);
}

double jsonNumber(const nlohmann::json &j) {
  // Python's json writes infinity as the bare token Infinity; nlohmann
  // cannot parse it, so the file was read with it quoted (see loadExpected).
  if (j.is_string()) {
    std::string s = j.get<std::string>();
    if (s == "Infinity")
      return Inf;
    if (s == "-Infinity")
      return -Inf;
    return std::nan("");
  }
  return j.get<double>();
}

nlohmann::json loadExpected() {
  std::ifstream in(sourcePath("test/data/hwcomponents_expected.json"));
  EXPECT_TRUE(in) << "cannot open test/data/hwcomponents_expected.json";
  std::string text((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  // Quote the non-standard Infinity tokens so nlohmann can parse them.
  std::string quoted;
  for (size_t i = 0; i < text.size();) {
    if (text.compare(i, 8, "Infinity") == 0 && (i == 0 || text[i - 1] != '"')) {
      quoted += "\"Infinity\"";
      i += 8;
    } else {
      quoted += text[i++];
    }
  }
  return nlohmann::json::parse(quoted);
}

} // namespace

TEST(ExpectedValues, ReproducesAllReferenceFigures) {
  nlohmann::json expected = loadExpected();
  auto archs = exampleArchitectures();

  size_t compared = 0, matched = 0;
  double worst = 0;
  std::string worstWhere;
  auto check = [&](const std::string &where, double actual, double want) {
    double rel = 0;
    ++compared;
    if (matches(actual, want, rel))
      ++matched;
    else
      ADD_FAILURE() << std::setprecision(17) << where << ": got " << actual
                    << ", expected " << want << " (relative error " << rel
                    << ")";
    if (rel > worst) {
      worst = rel;
      worstWhere = where;
    }
  };

  for (auto &[archName, components] : expected.items()) {
    ASSERT_TRUE(archs.count(archName)) << "no requests for " << archName;
    const auto &requests = archs.at(archName);
    EXPECT_EQ(requests.size(), components.size()) << archName;
    for (auto &[componentName, want] : components.items()) {
      // Clang 14 cannot capture a structured binding.
      const std::string &name = componentName;
      auto it = std::find_if(
          requests.begin(), requests.end(),
          [&](const ComponentRequest &r) { return r.name == name; });
      ASSERT_NE(it, requests.end()) << archName << "." << componentName;
      auto costs = library().evaluate(*it);
      ASSERT_TRUE(costs) << costs.error().message;
      std::string where = archName + "." + componentName;
      check(where + ".area", costs->area, jsonNumber(want["area"]));
      check(where + ".leak_power", costs->leakPower,
            jsonNumber(want["leak_power"]));
      EXPECT_EQ(costs->actions.size(), want["actions"].size()) << where;
      for (auto &[actionName, figures] : want["actions"].items()) {
        const ActionCosts *a = costs->action(actionName);
        ASSERT_NE(a, nullptr) << where << " has no action " << actionName;
        check(where + "." + actionName + ".energy", a->energy,
              jsonNumber(figures["energy"]));
        check(where + "." + actionName + ".throughput", a->throughput,
              jsonNumber(figures["throughput"]));
      }
      // Only the CACTI table's 22 nm rows rescaled to simba's 16 nm are
      // extrapolations, and the reference makes the same one; no CACTI row
      // is estimated.
      EXPECT_FALSE(costs->deviatesFromReference()) << where;
      if (archName == "eyeriss") {
        EXPECT_FALSE(costs->isApproximate()) << where;
      }
    }
  }
  EXPECT_EQ(compared, 122u);
  EXPECT_EQ(matched, compared);
  std::cout << "[ expected ] " << matched << "/" << compared
            << " figures match; worst relative error " << std::setprecision(3)
            << worst << (worstWhere.empty() ? "" : " at " + worstWhere) << "\n";
}

TEST(ExpectedValues, SimbaSramIsFlaggedAsTechExtrapolated) {
  auto costs = library().evaluate(simba()[1]);
  ASSERT_TRUE(costs) << costs.error().message;
  ASSERT_EQ(costs->approximations.size(), 1u);
  EXPECT_EQ(costs->approximations[0].kind,
            ApproximationKind::TechNodeExtrapolated);
  EXPECT_NE(costs->approximations[0].note.find("16 nm"), std::string::npos)
      << costs->approximations[0].note;
  EXPECT_EQ(costs->modelName, "SmartBufferSRAM");
}
