//===- Value.h - compile-time values of .af expressions ----------*- C++ -*-===//
//
// The values an .af expression can evaluate to: quantities (a double with a
// Dimension, in SI base units), booleans, strings, sets of tensors or rank
// variables, lists and records (e.g. an action inside `total_latency`).
// Values are small and cheap to copy: aggregates share their storage.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_IR_VALUE_H
#define AFC_IR_VALUE_H

#include "afc/support/Units.h"

#include "llvm/ADT/StringRef.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace afc::ir {

class Value;

/// A sorted, duplicate-free set of names. Which universe it lives in (the
/// Einsum's tensors or its rank variables) matters for complement `~`.
struct NameSet {
  enum Universe { Tensors, RankVariables };
  Universe universe = Tensors;
  std::vector<std::string> names;

  static NameSet of(Universe u, std::vector<std::string> names);
  bool contains(llvm::StringRef n) const;
  NameSet unite(const NameSet &o) const;
  NameSet intersect(const NameSet &o) const;
  NameSet minus(const NameSet &o) const;
  NameSet symmetricDifference(const NameSet &o) const;
  std::string str() const; ///< "{T0, W0}"
};

using Record = std::map<std::string, Value>;

class Value {
public:
  enum Kind { None, Number, Bool, String, Set, List, Rec };

  Value() = default;
  static Value number(double v, Dimension d = dim::none) {
    Value x;
    x.kind = Number;
    x.num = v;
    x.dimension = d;
    return x;
  }
  static Value boolean(bool b) {
    Value x;
    x.kind = Bool;
    x.num = b;
    return x;
  }
  static Value string(std::string s) {
    Value x;
    x.kind = String;
    x.strData = std::make_shared<std::string>(std::move(s));
    return x;
  }
  static Value set(NameSet s) {
    Value x;
    x.kind = Set;
    x.setData = std::make_shared<NameSet>(std::move(s));
    return x;
  }
  static Value list(std::vector<Value> v) {
    Value x;
    x.kind = List;
    x.listData = std::make_shared<std::vector<Value>>(std::move(v));
    return x;
  }
  static Value record(Record r) {
    Value x;
    x.kind = Rec;
    x.recordData = std::make_shared<Record>(std::move(r));
    return x;
  }

  Kind getKind() const { return kind; }
  bool isNumber() const { return kind == Number; }
  bool isBool() const { return kind == Bool; }
  bool isString() const { return kind == String; }
  bool isSet() const { return kind == Set; }
  bool isList() const { return kind == List; }
  bool isRecord() const { return kind == Rec; }
  bool isNone() const { return kind == None; }

  double asNumber() const { return num; }
  Dimension getDimension() const { return dimension; }
  bool asBool() const { return num != 0; }
  const std::string &asString() const { return *strData; }
  const NameSet &asSet() const { return *setData; }
  const std::vector<Value> &asList() const { return *listData; }
  const Record &asRecord() const { return *recordData; }

  /// Python truthiness: non-zero numbers, non-empty sets/lists/strings.
  bool truthy() const;
  /// "a number", "a set of tensors", ... for messages.
  std::string describe() const;
  /// Stable, readable text (used by the IR printer).
  std::string str() const;

private:
  Kind kind = None;
  double num = 0;
  Dimension dimension;
  std::shared_ptr<std::string> strData;
  std::shared_ptr<NameSet> setData;
  std::shared_ptr<std::vector<Value>> listData;
  std::shared_ptr<Record> recordData;
};

} // namespace afc::ir

#endif // AFC_IR_VALUE_H
