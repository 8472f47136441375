//===- Value.cpp - compile-time values of .af expressions -----------------===//
#include "afc/ir/Value.h"

#include <algorithm>

using namespace afc;
using namespace afc::ir;

NameSet NameSet::of(Universe u, std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  NameSet s;
  s.universe = u;
  s.names = std::move(names);
  return s;
}

bool NameSet::contains(llvm::StringRef n) const {
  return std::binary_search(names.begin(), names.end(), n.str());
}

NameSet NameSet::unite(const NameSet &o) const {
  NameSet r;
  r.universe = universe;
  std::set_union(names.begin(), names.end(), o.names.begin(), o.names.end(),
                 std::back_inserter(r.names));
  return r;
}

NameSet NameSet::intersect(const NameSet &o) const {
  NameSet r;
  r.universe = universe;
  std::set_intersection(names.begin(), names.end(), o.names.begin(),
                        o.names.end(), std::back_inserter(r.names));
  return r;
}

NameSet NameSet::minus(const NameSet &o) const {
  NameSet r;
  r.universe = universe;
  std::set_difference(names.begin(), names.end(), o.names.begin(),
                      o.names.end(), std::back_inserter(r.names));
  return r;
}

NameSet NameSet::symmetricDifference(const NameSet &o) const {
  NameSet r;
  r.universe = universe;
  std::set_symmetric_difference(names.begin(), names.end(), o.names.begin(),
                                o.names.end(), std::back_inserter(r.names));
  return r;
}

std::string NameSet::str() const {
  std::string s = "{";
  for (size_t i = 0; i < names.size(); ++i)
    s += (i ? ", " : "") + names[i];
  return s + "}";
}

bool Value::truthy() const {
  switch (kind) {
  case None: return false;
  case Number:
  case Bool: return num != 0;
  case String: return !strData->empty();
  case Set: return !setData->names.empty();
  case List: return !listData->empty();
  case Rec: return !recordData->empty();
  }
  return false;
}

std::string Value::describe() const {
  switch (kind) {
  case None: return "nothing";
  case Number: return dimension.isDimensionless() ? "a number"
                                                  : dimension.describe();
  case Bool: return "a boolean";
  case String: return "a string";
  case Set:
    return setData->universe == NameSet::Tensors ? "a set of tensors"
                                                 : "a set of rank variables";
  case List: return "a list";
  case Rec: return "a map";
  }
  return "a value";
}

std::string Value::str() const {
  switch (kind) {
  case None: return "none";
  case Number: return formatQuantity(num, dimension);
  case Bool: return num ? "true" : "false";
  case String: return "\"" + *strData + "\"";
  case Set: return setData->str();
  case List: {
    std::string s = "[";
    for (size_t i = 0; i < listData->size(); ++i)
      s += (i ? ", " : "") + (*listData)[i].str();
    return s + "]";
  }
  case Rec: {
    std::string s = "{";
    bool first = true;
    for (auto &[k, v] : *recordData) {
      s += (first ? "" : ", ") + k + ": " + v.str();
      first = false;
    }
    return s + "}";
  }
  }
  return "?";
}
