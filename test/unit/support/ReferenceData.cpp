//===- ReferenceData.cpp - the reference's expected values ----------------===//

#include "ReferenceData.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <limits>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>

namespace afc::test {

nlohmann::json loadData(const std::string &name) {
  std::string path = std::string(AFC_SOURCE_DIR) + "/test/data/" + name;
  std::ifstream in(path);
  if (!in)
    throw std::runtime_error("cannot open " + path);
  std::stringstream text;
  text << in.rdbuf();
  // Python's json writes Infinity / NaN, which strict JSON lacks; turn them
  // into strings that number() understands.
  static const std::regex special(R"(([:\[,]\s*)(-?Infinity|NaN))");
  return nlohmann::json::parse(
      std::regex_replace(text.str(), special, "$1\"$2\""));
}

double number(const nlohmann::json &value) {
  if (value.is_string()) {
    const std::string &s = value.get_ref<const std::string &>();
    if (s == "Infinity")
      return std::numeric_limits<double>::infinity();
    if (s == "-Infinity")
      return -std::numeric_limits<double>::infinity();
    return std::numeric_limits<double>::quiet_NaN();
  }
  return value.get<double>();
}

std::vector<std::string>
referenceKeys(const std::string &file,
              const std::function<bool(const std::string &)> &keep) {
  std::vector<std::string> keys;
  const nlohmann::json data = loadData(file);
  for (auto &[key, value] : data.items())
    if (!keep || keep(key))
      keys.push_back(key);
  return keys;
}

std::string keyTestName(size_t index, const std::string &key) {
  std::string name = std::to_string(index) + "_";
  for (char c : key)
    name += std::isalnum((unsigned char)c) ? c : '_';
  return name;
}

KeyParams parseParams(const std::string &text) {
  KeyParams p;
  for (const std::string &item : split(text, ',')) {
    auto eq = item.find('=');
    if (eq != std::string::npos)
      p[item.substr(0, eq)] = item.substr(eq + 1);
  }
  return p;
}

double param(const KeyParams &p, const std::string &name, double fallback) {
  auto it = p.find(name);
  if (it == p.end())
    return fallback;
  if (it->second == "inf")
    return std::numeric_limits<double>::infinity();
  return std::stod(it->second);
}

std::vector<std::string> split(const std::string &s, char sep) {
  std::vector<std::string> parts;
  std::string item;
  std::stringstream ss(s);
  while (std::getline(ss, item, sep))
    parts.push_back(item);
  if (!s.empty() && s.back() == sep)
    parts.push_back("");
  return parts;
}

std::vector<std::string> parseKey(const std::string &key) {
  std::vector<std::string> parts;
  static const std::regex quoted("'([^']*)'");
  for (auto it = std::sregex_iterator(key.begin(), key.end(), quoted);
       it != std::sregex_iterator(); ++it)
    parts.push_back((*it)[1]);
  return parts;
}

std::string join(const std::vector<std::string> &parts) {
  std::string s;
  for (size_t i = 0; i < parts.size(); ++i)
    s += (i ? "|" : "") + parts[i];
  return s;
}

double relativeError(double actual, double expected) {
  double scale = std::max(std::abs(actual), std::abs(expected));
  if (scale < 1e-300)
    return 0;
  return std::abs(actual - expected) / scale;
}

ReferenceComparison compareWithReference(const model::Result &r,
                                         const nlohmann::json &expected,
                                         double tolerance,
                                         const CompareOptions &options) {
  ReferenceComparison c;
  auto check = [&](const std::string &what, double actual, double want) {
    double err = relativeError(actual, want);
    ++c.entries;
    if (err > c.worst) {
      c.worst = err;
      c.worstKey = what;
    }
    if (!(err <= tolerance)) {
      std::ostringstream os;
      os.precision(17);
      os << what << ": got " << actual << ", expected " << want
         << " (relative error " << err << ")";
      c.failures.push_back(os.str());
    }
  };
  check("energy", r.energy, number(expected.at("energy")));
  check("latency", r.latency, number(expected.at("latency")));

  std::map<std::string, double> energy, latency, actions;
  for (const model::EnergyEntry &e : r.energyPerComponentAction())
    energy[join({std::string(e.einsum), std::string(e.component),
                 std::string(e.action)})] += e.energy;
  for (const model::ComponentLatency &l : r.latencies)
    latency[join({std::string(l.einsum), std::string(l.component)})] +=
        l.latency;
  for (const model::ActionCount &a : r.actions)
    actions[join({std::string(a.einsum), std::string(a.component),
                  std::string(a.tensor), std::string(a.action)})] += a.count;

  auto table = [&](const std::string &name, const nlohmann::json &want,
                   const std::map<std::string, double> &have) {
    std::set<std::string> seen;
    for (auto &[key, value] : want.items()) {
      std::string k = join(parseKey(key));
      seen.insert(k);
      auto it = have.find(k);
      if (it == have.end()) {
        if (options.exactKeys || number(value) != 0)
          c.failures.push_back(name + ": missing entry " + k);
        continue;
      }
      check(name + " " + k, it->second, number(value));
    }
    for (auto &[k, v] : have)
      if (!seen.count(k) && (options.exactKeys || v != 0))
        c.failures.push_back(name + ": unexpected entry " + k + " = " +
                             std::to_string(v));
  };
  table("energy_per_component", expected.at("energy_per_component"), energy);
  table("latency_per_component", expected.at("latency_per_component"), latency);
  table("actions", expected.at("actions"), actions);

  if (options.resourceUsage && expected.contains("resource_usage"))
    for (auto &[memory, usage] : expected.at("resource_usage").items())
      check("resource_usage " + memory, r.usage(memory), number(usage));
  return c;
}

} // namespace afc::test
