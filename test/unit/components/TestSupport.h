//===- TestSupport.h - helpers for the component model tests ----*- C++ -*-===//
//
// The library under test, loaded once from the CACTI table in the source
// tree, and small builders for requests.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_TEST_UNIT_COMPONENTS_TESTSUPPORT_H
#define AFC_TEST_UNIT_COMPONENTS_TESTSUPPORT_H

#include "afc/components/ModelLibrary.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace afc::components::test {

inline std::string sourcePath(const std::string &relative) {
  return std::string(AFC_SOURCE_DIR) + "/" + relative;
}

inline std::string cactiPath() {
  return sourcePath("stdlib/data/sram_cacti7.csv");
}

/// The library with the shipped CACTI table, loaded once per test binary.
inline const ModelLibrary &library() {
  static const ModelLibrary lib = [] {
    auto loaded = ModelLibrary::load(cactiPath());
    if (!loaded) {
      ADD_FAILURE() << loaded.error().message;
      return ModelLibrary();
    }
    return std::move(*loaded);
  }();
  return lib;
}

inline ActionRequest action(std::string name,
                            std::optional<double> bits = std::nullopt) {
  ActionRequest a;
  a.name = std::move(name);
  a.bitsPerAction = bits;
  return a;
}

/// A memory with read and write of `bits` bits per action.
inline ComponentRequest memory(std::string name, std::string componentClass,
                               Attributes attributes, double bits = 1) {
  ComponentRequest r;
  r.name = std::move(name);
  r.componentClass = std::move(componentClass);
  r.attributes = std::move(attributes);
  r.actions = {action("read", bits), action("write", bits)};
  return r;
}

/// A compute unit with one compute action.
inline ComponentRequest compute(std::string name, std::string componentClass,
                                Attributes attributes) {
  ComponentRequest r;
  r.name = std::move(name);
  r.componentClass = std::move(componentClass);
  r.attributes = std::move(attributes);
  r.actions = {action("compute")};
  return r;
}

/// Evaluates and fails the test on an error.
inline ComponentCosts evaluateOrFail(const ComponentRequest &request,
                                     const ModelLibrary &lib = library()) {
  auto costs = lib.evaluate(request);
  if (!costs) {
    ADD_FAILURE() << costs.error().message;
    return {};
  }
  return std::move(*costs);
}

/// |a - b| <= rel * max(|a|, |b|), with equal infinities accepted.
inline ::testing::AssertionResult closeRel(double actual, double expected,
                                           double rel) {
  if (actual == expected)
    return ::testing::AssertionSuccess();
  double err = std::fabs(actual - expected);
  if (std::isfinite(err) &&
      err <= rel * std::max(std::fabs(actual), std::fabs(expected)))
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "actual " << actual << " vs expected " << expected
         << " (relative error " << err / std::fabs(expected) << ")";
}

} // namespace afc::components::test

#endif // AFC_TEST_UNIT_COMPONENTS_TESTSUPPORT_H
