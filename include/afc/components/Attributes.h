//===- Attributes.h - named numeric attributes for a model ------*- C++ -*-===//
//
// The attributes a component passes to its cost model: the union of the
// component's fields and its extra_attributes_for_component_model (with the
// architecture-wide extras merged in), all numbers in un-prefixed SI units
// (sizes in bits, tech_node in metres). Unset (None) attributes are simply
// absent. Names are matched exactly, as Python keyword arguments are.
//
// A component has a handful of attributes, so a flat vector searched
// linearly is both the smallest and the fastest representation.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_COMPONENTS_ATTRIBUTES_H
#define AFC_COMPONENTS_ATTRIBUTES_H

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace afc::components {

class Attributes {
public:
  using Entry = std::pair<std::string, double>;

  Attributes() = default;
  Attributes(std::initializer_list<std::pair<std::string_view, double>> init) {
    for (const auto &[name, value] : init)
      set(name, value);
  }

  /// Sets (or replaces) an attribute.
  void set(std::string_view name, double value) {
    for (Entry &e : Entries)
      if (e.first == name) {
        e.second = value;
        return;
      }
    Entries.emplace_back(std::string(name), value);
  }
  /// Removes an attribute; returns whether it was present.
  bool erase(std::string_view name) {
    for (auto it = Entries.begin(); it != Entries.end(); ++it)
      if (it->first == name) {
        Entries.erase(it);
        return true;
      }
    return false;
  }
  std::optional<double> get(std::string_view name) const {
    for (const Entry &e : Entries)
      if (e.first == name)
        return e.second;
    return std::nullopt;
  }
  bool contains(std::string_view name) const { return get(name).has_value(); }

  bool empty() const { return Entries.empty(); }
  size_t size() const { return Entries.size(); }
  auto begin() const { return Entries.begin(); }
  auto end() const { return Entries.end(); }

private:
  std::vector<Entry> Entries;
};

} // namespace afc::components

#endif // AFC_COMPONENTS_ATTRIBUTES_H
