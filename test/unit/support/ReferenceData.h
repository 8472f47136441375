//===- ReferenceData.h - the reference's expected values --------*- C++ -*-===//
//
// Reads the expected-value files of test/data/ (JSON as Python writes it,
// with Infinity / NaN), splits the reference's keys, and compares a
// model::Result with one reference entry. Expected values only ever come
// from these files.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_TEST_SUPPORT_REFERENCEDATA_H
#define AFC_TEST_SUPPORT_REFERENCEDATA_H

#include "afc/model/Result.h"

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace afc::test {

/// Reads test/data/<name>. Python's Infinity / NaN become the strings
/// "Infinity" / "NaN"; read numbers with number().
nlohmann::json loadData(const std::string &name);
double number(const nlohmann::json &value);

/// The top-level keys of test/data/<file>, in file order, that `keep`
/// accepts (every key when `keep` is empty).
std::vector<std::string>
referenceKeys(const std::string &file,
              const std::function<bool(const std::string &)> &keep = {});

/// A test name GoogleTest accepts for the parameterised test with index
/// `index` over reference key `key`.
std::string keyTestName(size_t index, const std::string &key);

/// Jinja parameters of a reference key, e.g. "KN=32,M=64,N_EINSUMS=2".
using KeyParams = std::map<std::string, std::string>;
KeyParams parseParams(const std::string &text);
double param(const KeyParams &p, const std::string &name, double fallback);

/// Splits a reference key such as "eyeriss|matmuls|M=64|unfused" at `sep`
/// (a trailing separator gives a trailing empty part).
std::vector<std::string> split(const std::string &s, char sep);

/// Splits "('Matmul0', 'MAC', 'None', 'compute')" into its strings.
std::vector<std::string> parseKey(const std::string &key);

/// Joins parts with '|', afc's spelling of a reference tuple key.
std::string join(const std::vector<std::string> &parts);

/// |actual - expected| relative to the larger magnitude (0 for two zeros).
double relativeError(double actual, double expected);

/// The outcome of comparing a Result with a reference entry.
struct ReferenceComparison {
  double worst = 0;
  std::string worstKey;
  size_t entries = 0;
  std::vector<std::string> failures;
};

struct CompareOptions {
  /// Key sets must match exactly: an entry the reference lists must exist
  /// even when it is zero, and afc may report nothing extra. Otherwise
  /// zero-valued entries may be absent on either side.
  bool exactKeys = true;
  /// Compare the reference's `resource_usage` too, when it has one.
  bool resourceUsage = true;
};

/// Compares energy, latency, energy per (einsum, component, action), latency
/// per (einsum, component), actions per (einsum, component, tensor, action)
/// and, if asked, resource usage with a reference entry, each within
/// `tolerance` relative.
ReferenceComparison compareWithReference(const model::Result &result,
                                         const nlohmann::json &expected,
                                         double tolerance,
                                         const CompareOptions &options = {});

} // namespace afc::test

#endif // AFC_TEST_SUPPORT_REFERENCEDATA_H
