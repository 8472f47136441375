//===- Units.cpp - physical quantities and their units --------------------===//
#include "afc/support/Units.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

using namespace afc;

std::string Dimension::str() const {
  if (isDimensionless())
    return "1";
  if (*this == dim::bits)
    return "bit";
  if (*this == dim::time)
    return "s";
  if (*this == dim::energy)
    return "J";
  if (*this == dim::power)
    return "W";
  if (*this == dim::frequency)
    return "Hz";
  if (*this == dim::length)
    return "m";
  if (*this == dim::area)
    return "m^2";
  std::string num, den;
  auto add = [&](const char *u, int e) {
    if (e == 0)
      return;
    std::string &s = e > 0 ? num : den;
    if (!s.empty())
      s += "*";
    s += u;
    int a = std::abs(e);
    if (a != 1) {
      s += '^';
      s += std::to_string(a);
    }
  };
  add("J", joule);
  add("bit", bit);
  add("m", metre);
  add("s", second);
  std::string out = num.empty() ? std::string(1, '1') : num;
  if (!den.empty()) {
    out += '/';
    out += den;
  }
  return out;
}

std::string Dimension::describe() const {
  if (isDimensionless())
    return "a plain number";
  if (*this == dim::bits)
    return "a size in bits";
  if (*this == dim::time)
    return "a time";
  if (*this == dim::energy)
    return "an energy";
  if (*this == dim::power)
    return "a power";
  if (*this == dim::frequency)
    return "a frequency or throughput";
  if (*this == dim::length)
    return "a length";
  if (*this == dim::area)
    return "an area";
  if (*this == dim::bandwidth)
    return "a bandwidth";
  return "a quantity in " + str();
}

static const Unit kUnits[] = {
    {"bit", 1, dim::bits},
    {"bits", 1, dim::bits},
    {"kbit", 1e3, dim::bits},
    {"Mbit", 1e6, dim::bits},
    {"Gbit", 1e9, dim::bits},
    {"Kibit", 1024.0, dim::bits},
    {"Mibit", 1024.0 * 1024, dim::bits},
    {"Gibit", 1024.0 * 1024 * 1024, dim::bits},
    {"B", 8, dim::bits},
    {"kB", 8e3, dim::bits},
    {"MB", 8e6, dim::bits},
    {"GB", 8e9, dim::bits},
    {"KiB", 8.0 * 1024, dim::bits},
    {"MiB", 8.0 * 1024 * 1024, dim::bits},
    {"GiB", 8.0 * 1024 * 1024 * 1024, dim::bits},
    {"s", 1, dim::time},
    {"ms", 1e-3, dim::time},
    {"us", 1e-6, dim::time},
    {"ns", 1e-9, dim::time},
    {"ps", 1e-12, dim::time},
    {"Hz", 1, dim::frequency},
    {"kHz", 1e3, dim::frequency},
    {"MHz", 1e6, dim::frequency},
    {"GHz", 1e9, dim::frequency},
    {"J", 1, dim::energy},
    {"mJ", 1e-3, dim::energy},
    {"uJ", 1e-6, dim::energy},
    {"nJ", 1e-9, dim::energy},
    {"pJ", 1e-12, dim::energy},
    {"fJ", 1e-15, dim::energy},
    {"W", 1, dim::power},
    {"mW", 1e-3, dim::power},
    {"uW", 1e-6, dim::power},
    {"nW", 1e-9, dim::power},
    {"pW", 1e-12, dim::power},
    {"m", 1, dim::length},
    {"mm", 1e-3, dim::length},
    {"um", 1e-6, dim::length},
    {"nm", 1e-9, dim::length},
    {"m2", 1, dim::area},
    {"mm2", 1e-6, dim::area},
    {"um2", 1e-12, dim::area},
    // Data rates, one word each (grammar: RATE_UNIT).
    {"bit/s", 1, dim::bandwidth},
    {"bits/s", 1, dim::bandwidth},
    {"kbit/s", 1e3, dim::bandwidth},
    {"Mbit/s", 1e6, dim::bandwidth},
    {"Gbit/s", 1e9, dim::bandwidth},
    {"Kibit/s", 1024.0, dim::bandwidth},
    {"Mibit/s", 1024.0 * 1024, dim::bandwidth},
    {"Gibit/s", 1024.0 * 1024 * 1024, dim::bandwidth},
    {"B/s", 8, dim::bandwidth},
    {"kB/s", 8e3, dim::bandwidth},
    {"MB/s", 8e6, dim::bandwidth},
    {"GB/s", 8e9, dim::bandwidth},
    {"KiB/s", 8.0 * 1024, dim::bandwidth},
    {"MiB/s", 8.0 * 1024 * 1024, dim::bandwidth},
    {"GiB/s", 8.0 * 1024 * 1024 * 1024, dim::bandwidth},
};

/// Whether `scale` is exactly a power of ten as a literal `1eN` reads.
static int decimalExponentOf(double scale, bool &isDecimal) {
  int e = (int)std::lround(std::log10(scale));
  std::string literal = "1e" + std::to_string(e);
  isDecimal = std::strtod(literal.c_str(), nullptr) == scale;
  return e;
}

double afc::toBaseUnits(llvm::StringRef digits, double value,
                        const Unit &unit) {
  bool decimal;
  int e = decimalExponentOf(unit.scale, decimal);
  if (!decimal || digits.empty())
    return value * unit.scale;
  // Fold the prefix into the literal's exponent: "65" "nm" -> 65e-9.
  llvm::StringRef mantissa = digits;
  int exp = e;
  size_t epos = digits.find_first_of("eE");
  if (epos != llvm::StringRef::npos) {
    mantissa = digits.substr(0, epos);
    exp += std::atoi(digits.substr(epos + 1).str().c_str());
  }
  std::string text = mantissa.str() + "e" + std::to_string(exp);
  return std::strtod(text.c_str(), nullptr);
}

const Unit *afc::lookupUnit(llvm::StringRef name) {
  for (const Unit &u : kUnits)
    if (name == u.name)
      return &u;
  return nullptr;
}

std::vector<std::string> afc::unitNames() {
  std::vector<std::string> names;
  for (const Unit &u : kUnits)
    names.push_back(u.name);
  return names;
}

std::string afc::formatNumber(double value) {
  if (std::isinf(value))
    return value > 0 ? "inf" : "-inf";
  if (std::isnan(value))
    return "nan";
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", value);
    return buf;
  }
  char buf[40];
  for (int precision = 6; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, value);
    if (std::strtod(buf, nullptr) == value)
      break;
  }
  return buf;
}

std::string afc::formatQuantity(double value, Dimension d) {
  if (d.isDimensionless())
    return formatNumber(value);
  return formatNumber(value) + " " + d.str();
}

/// %.6g: advice shows what the number reads as, not every digit.
static std::string shortNumber(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

std::string afc::plainNumberAdvice(double value, Dimension d) {
  std::string base = shortNumber(value) + " " + d.str();
  std::string advice = "taken as " + base + "; write it with its unit, e.g. '" +
                       base + "'";
  // The same quantity in the largest other unit in which it is at least 1.
  const Unit *best = nullptr;
  for (const Unit &u : kUnits)
    if (u.dimension == d && u.scale != 1 && std::fabs(value / u.scale) >= 1 &&
        (!best || u.scale > best->scale))
      best = &u;
  if (best)
    advice += " or '" + shortNumber(value / best->scale) + " " + best->name +
              "'";
  return advice;
}
