//===- ModelSupport.cpp - the hwcomponents model framework, in C++ --------===//

#include "ModelSupport.h"

#include "afc/components/Scaling.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <sstream>

namespace afc::components::detail {

namespace {
double techArea(double t, double f) { return techNodeArea(t, f); }
double techEnergy(double t, double f) { return techNodeEnergy(t, f); }
double techLeak(double t, double f) { return techNodeLeak(t, f); }
} // namespace

const ScaleLaw TechNodeLaw = {techArea, techEnergy, techNodeLatency, techLeak,
                              techNodeThroughput};
const ScaleLaw LinearWidthLaw = {scale::linear, scale::linear, scale::noscale,
                                 scale::linear, scale::noscale};
const ScaleLaw QuadraticWidthLaw = {scale::quadratic, scale::quadratic,
                                    scale::noscale, scale::quadratic,
                                    scale::noscale};

void applyScale(ScaleFactors &factors, double target, double from,
                const ScaleLaw &law) {
  if (target == from)
    return;
  if (law.area)
    factors.area = factors.area * law.area(target, from);
  if (law.energy)
    factors.energy = factors.energy * law.energy(target, from);
  if (law.latency)
    factors.latency = factors.latency * law.latency(target, from);
  if (law.leak)
    factors.leak = factors.leak * law.leak(target, from);
  if (law.throughput)
    factors.throughput = factors.throughput * law.throughput(target, from);
}

ScaleFactors techNodeFactors(double techNode, double from) {
  struct Memo {
    double techNode = std::nan(""), from = std::nan("");
    ScaleFactors factors;
  };
  thread_local Memo memo;
  if (memo.techNode == techNode && memo.from == from)
    return memo.factors;
  ScaleFactors f;
  if (techNode != from) {
    // Energy and leak share one law; compute it once.
    f.area = techNodeArea(techNode, from);
    f.energy = techNodeEnergy(techNode, from);
    f.latency = techNodeLatency(techNode, from);
    f.leak = f.energy;
    f.throughput = techNodeThroughput(techNode, from);
  }
  memo = {techNode, from, f};
  return f;
}

ActionCost finishAction(const ScaleFactors &factors, ActionCost own,
                        std::initializer_list<ActionCost> subcomponents,
                        std::optional<double> bitsScale) {
  double energy = own.energy * factors.energy;
  double latency = own.latency * factors.latency;
  double throughput = own.throughput * factors.throughput;
  for (const ActionCost &sub : subcomponents) {
    energy += sub.energy;
    latency += sub.latency;
    throughput = std::min(throughput, sub.throughput);
  }
  // Latency is per action: not scaled by the number of bits.
  if (bitsScale) {
    energy *= *bitsScale;
    throughput /= *bitsScale;
  }
  return {energy, latency, throughput};
}

Error unsupportedAction(std::string_view model, std::string_view action,
                        std::span<const std::string_view> supported) {
  std::string message = std::string(model) + " has no action '" +
                        std::string(action) + "'; it supports ";
  for (size_t i = 0; i < supported.size(); ++i)
    message += (i ? ", " : "") + std::string(supported[i]);
  return Error{ErrorCode::UnsupportedAction, message};
}

std::string formatNumber(double value) {
  std::ostringstream os;
  os.precision(15);
  os << value;
  return os.str();
}

std::string formatNode(double metres) {
  return formatNumber(metres * 1e9) + " nm";
}

std::string AttributeReader::model() const {
  bool same = UserClass.size() == ModelName.size() &&
              std::equal(UserClass.begin(), UserClass.end(), ModelName.begin(),
                         [](char a, char b) {
                           return std::tolower((unsigned char)a) ==
                                  std::tolower((unsigned char)b);
                         });
  if (same || UserClass.empty())
    return std::string(ModelName);
  return std::string(UserClass) + " (" + std::string(ModelName) + ")";
}

Error AttributeReader::invalid(std::string_view name, double value,
                               std::string_view requirement) const {
  return Error{ErrorCode::InvalidAttribute,
               model() + ": attribute '" + std::string(name) + "' " +
                   std::string(requirement) + "; got " + formatNumber(value)};
}

Expected<double> AttributeReader::required(std::string_view name) const {
  std::optional<double> v = Attrs.get(name);
  if (!v)
    return Error{ErrorCode::MissingAttribute,
                 model() + " requires attribute '" + std::string(name) + "'"};
  if (!std::isfinite(*v))
    return invalid(name, *v, "must be finite");
  return *v;
}

Expected<std::optional<double>>
AttributeReader::positive(std::string_view name) const {
  std::optional<double> v = Attrs.get(name);
  if (v && !(std::isfinite(*v) && *v > 0))
    return invalid(name, *v, "must be a positive, finite number");
  return v;
}

Expected<double> AttributeReader::techNode() const {
  auto node = required("tech_node");
  if (!node)
    return node;
  if (!(*node >= 1e-9 && *node <= 1e-6))
    return Error{ErrorCode::TechNodeOutOfRange,
                 model() + ": tech_node " + formatNumber(*node) +
                     " m is outside 1 nm .. 1 um; tech_node is in metres "
                     "(65 nm is 65e-9)"};
  return node;
}

} // namespace afc::components::detail
