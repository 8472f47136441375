//===- ElaborateMapper.cpp - mapper settings ------------------------------===//
//
// Mapper settings: the metrics to minimise and the search options, with an
// error for settings the mapper reads but this search cannot honour yet.
//
//===----------------------------------------------------------------------===//
#include "ElaboratorImpl.h"

#include <cmath>

using namespace afc;
using namespace afc::sema;

unsigned Elaborator::parseMetric(const ast::Expr &e) {
  if (auto *b = dyn_cast<ast::BinaryExpr>(&e);
      b && b->op == ast::BinaryOp::SetOr) {
    unsigned l = parseMetric(*b->lhs), r = parseMetric(*b->rhs);
    return l && r ? (l | r) : 0;
  }
  std::string name;
  if (auto *n = dyn_cast<ast::NameExpr>(&e); n && n->name.isPlain())
    name = n->name.pieces[0].text;
  else if (auto *s = dyn_cast<ast::StringExpr>(&e))
    name = s->value;
  unsigned metric = ir::metricNamed(name);
  if (!metric) {
    std::vector<std::string> all;
    for (const ir::MetricName &m : ir::metricNames())
      all.push_back(m.name);
    all.push_back("energy_delay_product");
    diags.error(e.getRange(), "unknown metric '" + std::string(e.text()) + "'" +
                                  didYouMean(llvm::StringRef(name).lower(),
                                             all) +
                                  " (combine metrics with '|')");
    return 0;
  }
  return metric;
}

void Elaborator::warnIfIgnored(const std::string &key, const Value &v,
                               SMRange range) {
  // Reference settings the mapper accepts but does not implement yet, with
  // the reference's default: any other value would silently change nothing,
  // so it is an error rather than a warning that scrolls by.
  struct Ignored {
    const char *key;
    double defaultValue;
    const char *spelled;
  };
  static const Ignored ignored[] = {
      {"objective_tolerance", 0, "0"},
      {"resource_usage_tolerance", 0, "0"},
      {"explore_loop_orders", 1, "true"},
      {"prioritize_reuse_of_unfused_tensors", 0, "false"},
      {"max_pmapping_templates_per_einsum", INFINITY, "inf"},
  };
  for (const Ignored &i : ignored) {
    if (key != i.key)
      continue;
    double value = v.isNumber() ? v.asNumber() : (v.truthy() ? 1 : 0);
    if (value != i.defaultValue)
      diags.error(range, "mapper setting '" + key +
                             "' is not implemented yet: remove it, or set it "
                             "to its default (" +
                             i.spelled + ")");
  }
}

MapperSettings Elaborator::buildMapper(const ast::BlockStmt *b,
                                       MutableScope scope,
                                       const std::string &name) {
  MapperSettings m;
  m.name = name;
  m.range = b->name ? b->name->range : b->kindRange;
  std::set<std::string> seen;
  walk(b->body, std::make_shared<Scope>(scope),
       [&](const ast::Stmt &s, MutableScope sc) {
         auto *f = dyn_cast<ast::FieldStmt>(&s);
         if (!f) {
           diags.error(s.getRange(), "mapper settings are 'name = value;' "
                                     "fields");
           return;
         }
         std::string key = f->target.spelling();
         const FieldSpec *fs = findField(mapperFields(), key);
         if (!fs) {
           diags.error(f->target.range,
                       "unknown mapper setting '" + key + "'" +
                           didYouMean(key, fieldNames(mapperFields())));
           return;
         }
         if (!seen.insert(key).second) {
           diags.error(f->target.range,
                       "mapper setting '" + key + "' is set twice");
           return;
         }
         if (key == "metric") {
           if (unsigned mm = parseMetric(*f->value)) {
             if (mm & MetricActions && (mm & ~MetricActions) == 0)
               diags.error(f->value->getRange(),
                           "'actions' is reported, not optimised; choose "
                           "energy, latency or edp");
             m.metrics = mm;
           }
           return;
         }
         std::optional<Value> v = eval.eval(*f->value, *sc);
         if (!v || !checkType(*fs, *v, f->value->getRange(), "mapper"))
           return;
         warnIfIgnored(key, *v, f->target.range);
         if ((key == "max_fused_loops" ||
              key == "max_fused_loops_per_rank_variable") &&
             v->isNumber() &&
             !(v->asNumber() >= 0 &&
               (std::isinf(v->asNumber()) ||
                v->asNumber() == std::floor(v->asNumber())))) {
           diags.error(f->value->getRange(),
                       "'" + key + "' counts loops: a whole number >= 0 or "
                       "inf, got " + formatNumber(v->asNumber()));
           return;
         }
         if (key == "unfused")
           m.unfused = v->truthy();
         else
           m.settings[key] = *v;
       });
  return m;
}

