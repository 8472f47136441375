//===- ArchEvaluation.cpp - architecture fields for one Einsum ------------===//
#include "afc/lower/ArchEvaluation.h"
#include "afc/sema/Elaborator.h"

using namespace afc;
using namespace afc::ir;
using namespace afc::lower;

const Einsum &lower::emptyEinsum() {
  static const Einsum e = [] {
    Einsum x;
    x.name = "";
    Value none = Value::set(NameSet::of(NameSet::Tensors, {}));
    for (const char *s : {"All", "Tensors", "Nothing", "Inputs", "Outputs",
                          "Intermediates", "Shared", "Persistent", "input",
                          "output", "weight"})
      x.symbols.push_back({s, none});
    return x;
  }();
  return e;
}

std::optional<Value> FieldEvaluator::evaluate(const Field &f) {
  if (f.value)
    return f.value;
  ExprEvaluator eval(&diags);
  ScopePtr scope = einsumScope(f.expr, einsum);
  std::optional<Value> v = eval.eval(*f.expr.expr, *scope);
  if (!v) {
    failed = true;
    if (!einsum.name.empty())
      diags.note(einsum.range, "while evaluating for einsum '" + einsum.name +
                                   "'");
  }
  return v;
}

std::optional<Value> FieldEvaluator::field(const ArchNode &node,
                                           llvm::StringRef name) {
  if (overrides) {
    auto c = overrides->fields.find(node.name);
    if (c != overrides->fields.end()) {
      auto f = c->second.find(name.str());
      if (f != c->second.end())
        return f->second;
    }
  }
  const Field *f = node.field(name);
  if (!f)
    return std::nullopt;
  return evaluate(*f);
}

std::optional<double> FieldEvaluator::number(const ArchNode &node,
                                             llvm::StringRef name) {
  std::optional<Value> v = field(node, name);
  if (!v || !(v->isNumber() || v->isBool()))
    return std::nullopt;
  return v->asNumber();
}

bool FieldEvaluator::disabled(const ArchNode &node) {
  std::optional<Value> enabled = field(node, "enabled");
  return enabled && !enabled->truthy();
}

std::optional<Value> FieldEvaluator::actionField(const ArchNode &node,
                                                 const Action &action,
                                                 llvm::StringRef name) {
  if (overrides) {
    auto c = overrides->actionFields.find(node.name);
    if (c != overrides->actionFields.end()) {
      auto a = c->second.find(action.name);
      if (a != c->second.end()) {
        auto f = a->second.find(name.str());
        if (f != a->second.end())
          return f->second;
      }
    }
  }
  auto it = action.fields.find(name.str());
  if (it == action.fields.end())
    return std::nullopt;
  return evaluate(it->second);
}

std::map<std::string, Value>
FieldEvaluator::modelAttributes(const ArchNode &node) {
  std::map<std::string, Value> out;
  for (auto &[k, f] : arch.modelAttributesForAll)
    if (auto v = evaluate(f))
      out[k] = *v;
  for (auto &[k, f] : node.modelAttributes)
    if (auto v = evaluate(f))
      out[k] = *v;
  if (overrides) {
    auto c = overrides->modelAttributes.find(node.name);
    if (c != overrides->modelAttributes.end())
      for (auto &[k, v] : c->second)
        out[k] = v;
  }
  return out;
}
