//===- ElaborateWorkload.cpp - workloads ------------------------------===//
//
// Workload declarations: Einsums and their affine projections, rank-variable
// bounds, tensors, renames in order, bits per value and persistence.
//
//===----------------------------------------------------------------------===//
#include "ElaboratorImpl.h"

using namespace afc;
using namespace afc::sema;

bool Elaborator::projectionTerms(const ast::Expr &e, const Scope &scope,
                                 int64_t sign, RankProjection &out) {
  if (auto *n = dyn_cast<ast::NameExpr>(&e)) {
    std::optional<std::string> name = eval.evalName(n->name, scope);
    if (!name)
      return false;
    if (const Value *v = scope.lookup(*name); v && v->isNumber()) {
      out.constant += sign * (int64_t)v->asNumber();
      return true;
    }
    if (!std::islower((unsigned char)(*name)[0])) {
      diags.error(e.getRange(),
                  "rank variable '" + *name +
                      "' must start with a lower-case letter (rank names "
                      "such as 'M' are upper case)");
      return false;
    }
    for (auto &t : out.terms)
      if (t.rankVariable == *name) {
        t.coefficient += sign;
        return true;
      }
    out.terms.push_back({sign, *name});
    return true;
  }
  if (auto *num = dyn_cast<ast::NumberExpr>(&e)) {
    if (num->unit.empty() && num->value == std::floor(num->value)) {
      out.constant += sign * (int64_t)num->value;
      return true;
    }
  }
  if (auto *u = dyn_cast<ast::UnaryExpr>(&e)) {
    if (u->op == ast::UnaryOp::Neg)
      return projectionTerms(*u->operand, scope, -sign, out);
    if (u->op == ast::UnaryOp::Plus)
      return projectionTerms(*u->operand, scope, sign, out);
  }
  if (auto *b = dyn_cast<ast::BinaryExpr>(&e)) {
    if (b->op == ast::BinaryOp::Add || b->op == ast::BinaryOp::Sub)
      return projectionTerms(*b->lhs, scope, sign, out) &&
             projectionTerms(*b->rhs, scope,
                             b->op == ast::BinaryOp::Sub ? -sign : sign, out);
    if (b->op == ast::BinaryOp::Mul) {
      // One side must be a constant.
      Evaluator q(nullptr);
      for (int side = 0; side < 2; ++side) {
        const ast::Expr &c = side ? *b->rhs : *b->lhs;
        const ast::Expr &v = side ? *b->lhs : *b->rhs;
        std::optional<Value> k = q.eval(c, scope);
        if (k && k->isNumber() && k->asNumber() == std::floor(k->asNumber()))
          return projectionTerms(v, scope, sign * (int64_t)k->asNumber(), out);
        q.reset();
      }
    }
  }
  diags.error(e.getRange(), "a projection must be an affine expression of "
                            "rank variables, such as 'm', '2*m' or 'p + r'");
  return false;
}

bool Elaborator::collectAccess(const ast::IndexExpr &ix, const Scope &scope,
                               bool isOutput, RawEinsum &raw) {
  auto *base = dyn_cast<ast::NameExpr>(ix.base.get());
  if (!base) {
    diags.error(ix.base->getRange(), "expected a tensor name before '['");
    return false;
  }
  std::optional<std::string> name = eval.evalName(base->name, scope);
  if (!name)
    return false;
  RawAccess acc;
  acc.tensor = *name;
  acc.range = ix.getRange();
  acc.isOutput = isOutput;
  std::set<std::string> ranks;
  for (const ast::IndexExpr::Item &item : ix.items) {
    RankProjection p;
    if (!projectionTerms(*item.expr, scope, 1, p))
      return false;
    if (!item.rank.empty()) {
      if (!std::isupper((unsigned char)item.rank[0])) {
        diags.error(item.rankRange, "rank name '" + item.rank +
                                        "' must start with an upper-case "
                                        "letter");
        return false;
      }
      p.rank = item.rank;
    } else if (p.terms.size() == 1 && p.terms[0].coefficient == 1 &&
               p.constant == 0) {
      p.rank = llvm::StringRef(p.terms[0].rankVariable).upper();
    } else {
      diags.error(item.expr->getRange(),
                  "an expression index needs an explicit rank name, e.g. "
                  "'P: " +
                      std::string(item.expr->text()) + "'");
      return false;
    }
    if (!ranks.insert(p.rank).second) {
      diags.error(item.expr->getRange(), "rank '" + p.rank +
                                             "' appears twice in the "
                                             "access to '" +
                                             *name + "'");
      return false;
    }
    acc.projection.push_back(std::move(p));
  }
  // Duplicate inputs collapse to one access, as in the reference.
  for (const RawAccess &a : raw.accesses)
    if (a.tensor == acc.tensor) {
      if (a.isOutput || isOutput) {
        diags.error(ix.getRange(), "tensor '" + acc.tensor +
                                       "' is both read and written by "
                                       "this Einsum");
        return false;
      }
      return true;
    }
  raw.accesses.push_back(std::move(acc));
  return true;
}

void Elaborator::collectInputs(const ast::Expr &e, const Scope &scope,
                               RawEinsum &raw) {
  if (auto *ix = dyn_cast<ast::IndexExpr>(&e)) {
    collectAccess(*ix, scope, false, raw);
    return;
  }
  if (auto *b = dyn_cast<ast::BinaryExpr>(&e)) {
    collectInputs(*b->lhs, scope, raw);
    collectInputs(*b->rhs, scope, raw);
  } else if (auto *u = dyn_cast<ast::UnaryExpr>(&e)) {
    collectInputs(*u->operand, scope, raw);
  } else if (auto *c = dyn_cast<ast::CallExpr>(&e)) {
    for (const auto &a : c->args)
      collectInputs(*a.value, scope, raw);
  }
  // Numbers and names (scalars) are operators' operands, not tensors.
}

void Elaborator::applyConstraint(
    const ast::Expr &e, const Scope &scope,
    std::map<std::string, std::pair<double, double>> &bounds,
    std::map<std::string, SMRange> &where) {
  auto *c = dyn_cast<ast::CompareExpr>(&e);
  if (!c || c->ops.empty()) {
    diags.error(e.getRange(), "an iteration-space constraint is a "
                              "comparison such as '0 <= m < M'");
    return;
  }
  for (size_t i = 0; i < c->ops.size(); ++i) {
    const ast::Expr *l = c->operands[i].get(), *r = c->operands[i + 1].get();
    ast::CompareOp op = c->ops[i];
    auto rankVar = [&](const ast::Expr *x) -> std::optional<std::string> {
      auto *n = dyn_cast<ast::NameExpr>(x);
      if (!n)
        return std::nullopt;
      Evaluator q(nullptr);
      auto name = q.evalName(n->name, scope);
      // Rank variables are lower case; an unknown upper-case name is a
      // misspelt parameter and is reported when evaluated as a bound.
      if (!name || scope.lookup(*name) ||
          !std::islower((unsigned char)(*name)[0]))
        return std::nullopt;
      return name;
    };
    std::optional<std::string> lv = rankVar(l), rv = rankVar(r);
    if (lv.has_value() == rv.has_value()) {
      diags.error(SMRange(l->getRange().Start, r->getRange().End),
                  "each comparison of an iteration-space constraint needs "
                  "one rank variable and one bound");
      return;
    }
    const ast::Expr *other = lv ? r : l;
    std::optional<Value> v = eval.eval(*other, scope);
    if (!v)
      return;
    if (!v->isNumber() || !std::isfinite(v->asNumber()) ||
        v->asNumber() != std::floor(v->asNumber())) {
      diags.error(other->getRange(), "a rank-variable bound must be a "
                                     "finite whole number, got " +
                                         v->str());
      return;
    }
    double x = v->asNumber();
    std::string var = lv ? *lv : *rv;
    // Normalise to `var op x`.
    if (rv) {
      switch (op) {
      case ast::CompareOp::Lt:
        op = ast::CompareOp::Gt;
        break;
      case ast::CompareOp::Le:
        op = ast::CompareOp::Ge;
        break;
      case ast::CompareOp::Gt:
        op = ast::CompareOp::Lt;
        break;
      case ast::CompareOp::Ge:
        op = ast::CompareOp::Le;
        break;
      default:
        break;
      }
    }
    auto &b = bounds.try_emplace(var, -INFINITY, INFINITY).first->second;
    where.try_emplace(var, e.getRange());
    switch (op) {
    case ast::CompareOp::Lt:
      b.second = std::min(b.second, x - 1);
      break;
    case ast::CompareOp::Le:
      b.second = std::min(b.second, x);
      break;
    case ast::CompareOp::Gt:
      b.first = std::max(b.first, x + 1);
      break;
    case ast::CompareOp::Ge:
      b.first = std::max(b.first, x);
      break;
    case ast::CompareOp::Eq:
      b.first = std::max(b.first, x);
      b.second = std::min(b.second, x);
      break;
    default:
      diags.error(e.getRange(), "only <, <=, >, >= and == bound a rank "
                                "variable");
      return;
    }
  }
}

void Elaborator::buildWorkload(const Decl &d) {
  Workload w;
  w.name = d.name;
  w.range = d.block->name ? d.block->name->range : d.block->kindRange;
  std::vector<RawEinsum> raws;
  std::vector<std::pair<const ast::Expr *, MutableScope>> constraints;
  std::vector<std::pair<const ast::FieldStmt *, MutableScope>> rankSizes;
  std::vector<KeyedEntry> bitsPerValue;
  Deferred persistent;
  std::vector<std::pair<const ast::BlockStmt *, MutableScope>> renames;
  for (const Decl &r : declsOf("renames"))
    if (r.name == "default")
      renames.push_back({r.block, r.scope});
  bool ownRenames = false;
  auto scope = std::make_shared<Scope>(d.scope);
  std::vector<std::string> including{d.name};
  StmtFn visit;
  visit = [&](const ast::Stmt &s, MutableScope sc) {
    // `include NAME;` splices another workload's einsums, iteration space
    // and rank sizes; its bits per value, persistence and renames are
    // the including workload's to decide.
    if (auto *inc = dyn_cast<ast::BlockStmt>(&s);
        inc && inc->kind == "include") {
      std::optional<std::string> name =
          inc->name ? eval.evalName(*inc->name, *sc) : std::nullopt;
      if (!name) {
        if (!inc->name)
          diags.error(inc->kindRange, "'include' names a workload");
        return;
      }
      const Decl *target = nullptr;
      for (const Decl &o : declsOf("workload"))
        if (o.name == *name)
          target = &o;
      if (!target) {
        std::vector<std::string> names;
        for (const Decl &o : declsOf("workload"))
          names.push_back(o.name);
        diags.error(inc->name->range, "no workload named '" + *name + "'" +
                                          didYouMean(*name, names));
        return;
      }
      if (std::find(including.begin(), including.end(), *name) !=
          including.end()) {
        diags.error(inc->name->range,
                    "workload '" + *name + "' includes itself");
        return;
      }
      including.push_back(*name);
      walk(target->block->body, std::make_shared<Scope>(target->scope),
           [&](const ast::Stmt &is, MutableScope isc) {
             auto *ib = dyn_cast<ast::BlockStmt>(&is);
             if (isa<ast::EinsumStmt>(is) ||
                 (ib && (ib->kind == "iteration_space" ||
                         ib->kind == "rank_sizes" || ib->kind == "include")))
               visit(is, isc);
           });
      including.pop_back();
      return;
    }
    if (auto *e = dyn_cast<ast::EinsumStmt>(&s)) {
      buildRawEinsum(*e, sc, raws);
      return;
    }
    if (auto *f = dyn_cast<ast::FieldStmt>(&s)) {
      std::string name = f->target.spelling();
      if (name == "persistent_tensors") {
        persistent = {f->value.get(), sc};
      } else if (name == "n_instances") {
        std::optional<Value> v = eval.eval(*f->value, *sc);
        if (v && checkType({"n_instances", FieldType::Integer}, *v,
                           f->value->getRange(), "workload"))
          w.nInstances = (int64_t)v->asNumber();
      } else {
        diags.error(
            f->target.range,
            "unknown field '" + name + "' in workload" +
                didYouMean(name, {"persistent_tensors", "n_instances"}));
      }
      return;
    }
    auto *b = dyn_cast<ast::BlockStmt>(&s);
    if (!b) {
      diags.error(s.getRange(), "a workload holds einsums, "
                                "iteration_space, rank_sizes, "
                                "bits_per_value, renames and fields");
      return;
    }
    if (b->kind == "iteration_space") {
      walk(b->body, sc, [&](const ast::Stmt &c, MutableScope cs) {
        if (auto *es = dyn_cast<ast::ExprStmt>(&c))
          constraints.push_back({es->expr.get(), cs});
        else
          diags.error(c.getRange(), "iteration_space holds constraints "
                                    "such as '0 <= m < M;'");
      });
    } else if (b->kind == "rank_sizes") {
      walk(b->body, sc, [&](const ast::Stmt &c, MutableScope cs) {
        if (auto *f = dyn_cast<ast::FieldStmt>(&c))
          rankSizes.push_back({f, cs});
        else
          diags.error(c.getRange(), "rank_sizes holds 'Rank = size;' "
                                    "entries");
      });
    } else if (b->kind == "bits_per_value") {
      buildEntries(*b, sc, bitsPerValue);
    } else if (b->kind == "renames") {
      if (!ownRenames)
        renames.clear(); // the workload's own default replaces the global
      ownRenames = true;
      renames.push_back({b, sc});
    } else {
      static const std::vector<std::string> blocks = {
          "iteration_space", "rank_sizes", "bits_per_value", "renames",
          "include"};
      diags.error(b->kindRange, "unknown block '" + b->kind + "' in workload" +
                                    didYouMean(b->kind, blocks));
    }
  };
  walk(d.block->body, scope, visit);
  if (raws.empty())
    diags.error(w.range, "workload '" + w.name + "' has no einsum");
  finishWorkload(w, raws, constraints, rankSizes, bitsPerValue, persistent,
                 renames);
  spec->workloads.push_back(std::move(w));
}

std::set<std::string> Elaborator::includedWorkloads() {
  std::set<std::string> out;
  Evaluator q(nullptr);
  std::function<void(const ast::StmtList &, const Scope &)> scan =
      [&](const ast::StmtList &body, const Scope &sc) {
        for (const ast::StmtPtr &s : body) {
          if (auto *b = dyn_cast<ast::BlockStmt>(s.get());
              b && b->kind == "include" && b->name)
            if (auto n = q.evalName(*b->name, sc))
              out.insert(*n);
          if (auto *f = dyn_cast<ast::ForStmt>(s.get()))
            scan(f->body, sc);
          if (auto *i = dyn_cast<ast::IfStmt>(s.get())) {
            scan(i->then, sc);
            scan(i->otherwise, sc);
          }
        }
      };
  for (const Decl &d : declsOf("workload"))
    scan(d.block->body, *d.scope);
  return out;
}

void Elaborator::buildRawEinsum(const ast::EinsumStmt &e, MutableScope sc,
                                std::vector<RawEinsum> &raws) {
  RawEinsum raw;
  raw.stmt = &e;
  raw.scope = sc;
  auto *out = dyn_cast<ast::IndexExpr>(e.output.get());
  if (!out) {
    diags.error(e.output->getRange(), "the left side of an einsum is the "
                                      "output tensor, e.g. 'Z[m, n]'");
    return;
  }
  if (!collectAccess(*out, *sc, true, raw))
    return;
  collectInputs(*e.rhs, *sc, raw);
  if (e.name) {
    std::optional<std::string> n = eval.evalName(*e.name, *sc);
    if (!n)
      return;
    raw.name = *n;
    raw.range = e.name->range;
  } else {
    raw.name = raw.accesses[0].tensor; // named after its output
    raw.range = out->base->getRange();
  }
  if (raw.name == "Total") {
    diags.error(raw.range, "'Total' is reserved and cannot name an Einsum");
    return;
  }
  for (const RawEinsum &o : raws)
    if (o.name == raw.name) {
      diags.error(raw.range, "redefinition of einsum '" + raw.name + "'");
      diags.note(o.range, "previous definition is here");
      return;
    }
  walk(e.body, sc, [&](const ast::Stmt &s, MutableScope bs) {
    if (auto *f = dyn_cast<ast::FieldStmt>(&s)) {
      std::string name = f->target.spelling();
      std::optional<Value> v = eval.eval(*f->value, *bs);
      if (!v)
        return;
      if (name == "is_copy_operation") {
        if (checkType({"is_copy_operation", FieldType::Bool}, *v,
                      f->value->getRange(), "einsum"))
          raw.isCopy = v->truthy();
      } else if (name == "n_instances") {
        if (checkType({"n_instances", FieldType::Integer}, *v,
                      f->value->getRange(), "einsum"))
          raw.nInstances = (int64_t)v->asNumber();
      } else {
        diags.error(f->target.range,
                    "unknown field '" + name + "' in einsum" +
                        didYouMean(name, {"is_copy_operation", "n_instances"}));
      }
      return;
    }
    auto *b = dyn_cast<ast::BlockStmt>(&s);
    if (b && b->kind == "renames") {
      raw.renames.push_back(b);
      raw.renameScopes.push_back(bs);
    } else if (b && b->kind == "tensor") {
      raw.tensorBlocks.push_back({b, bs});
    } else if (b && b->kind == "iteration_space") {
      walk(b->body, bs, [&](const ast::Stmt &c, MutableScope cs) {
        if (auto *es = dyn_cast<ast::ExprStmt>(&c))
          raw.constraints.push_back({es->expr.get(), cs});
        else
          diags.error(c.getRange(), "iteration_space holds constraints");
      });
    } else if (b && b->kind == "rank_sizes") {
      walk(b->body, bs, [&](const ast::Stmt &c, MutableScope cs) {
        if (auto *f = dyn_cast<ast::FieldStmt>(&c))
          raw.rankSizes.push_back({f, cs});
      });
    } else {
      static const std::vector<std::string> blocks = {
          "renames", "tensor", "iteration_space", "rank_sizes"};
      if (b)
        diags.error(b->kindRange, "unknown block '" + b->kind + "' in einsum" +
                                      didYouMean(b->kind, blocks));
      else
        diags.error(s.getRange(), "unexpected statement in einsum");
    }
  });
  if (raw.isCopy && raw.accesses.size() != 2)
    diags.error(raw.range, "a copy einsum has exactly one input and one "
                           "output");
  raws.push_back(std::move(raw));
}

void Elaborator::applyRenames(
    const ast::BlockStmt &b, MutableScope defScope, MutableScope symbols,
    Einsum &e, std::vector<std::pair<std::string, SMRange>> &defined,
    bool onlyMissing) {
  std::vector<std::pair<const ast::FieldStmt *, MutableScope>> counts;
  auto frame = std::make_shared<Scope>(defScope, &e.context);
  // Einsum symbols take precedence over the definition's own scope.
  for (auto &[k, v] : e.symbols)
    frame->define(k, v);
  walk(b.body, frame, [&](const ast::Stmt &s, MutableScope sc) {
    if (auto *f = dyn_cast<ast::FieldStmt>(&s)) {
      std::string role = f->target.spelling();
      bool exists = std::any_of(defined.begin(), defined.end(),
                                [&](auto &p) { return p.first == role; });
      if (exists) {
        if (!onlyMissing) {
          diags.error(f->target.range, "rename '" + role +
                                           "' is defined "
                                           "twice for einsum '" +
                                           e.name + "'");
        }
        return;
      }
      std::optional<Value> v = eval.eval(*f->value, *sc);
      if (!v)
        return;
      if (!v->isSet() || v->asSet().universe != NameSet::Tensors) {
        diags.error(f->value->getRange(), "rename '" + role +
                                              "' must be a set of tensors, "
                                              "not " +
                                              v->describe());
        return;
      }
      e.renames.push_back({role, v->asSet()});
      e.symbols.push_back({role, *v});
      frame->define(role, *v);
      symbols->define(role, *v);
      defined.push_back({role, f->target.range});
      return;
    }
    auto *cb = dyn_cast<ast::BlockStmt>(&s);
    if (cb && cb->kind == "expected_count") {
      walk(cb->body, sc, [&](const ast::Stmt &c, MutableScope cs) {
        if (auto *f = dyn_cast<ast::FieldStmt>(&c))
          counts.push_back({f, cs});
        else
          diags.error(c.getRange(), "expected_count holds 'role = count;'");
      });
      return;
    }
    diags.error(s.getRange(), "renames hold 'role = set-expression;' and an "
                              "optional expected_count block");
  });
  for (auto &[f, cs] : counts) {
    std::string role = f->target.spelling();
    const NameSet *set = nullptr;
    for (auto &[r, s] : e.renames)
      if (r == role)
        set = &s;
    if (!set) {
      diags.error(f->target.range,
                  "expected_count for unknown rename '" + role + "'");
      continue;
    }
    auto countScope = std::make_shared<Scope>(cs, &e.context);
    for (auto &[k, v] : e.symbols)
      countScope->define(k, v);
    std::optional<Value> want = eval.eval(*f->value, *countScope);
    if (!want)
      continue;
    if (!want->isNumber() || want->asNumber() != double(set->names.size())) {
      diags.error(f->value->getRange(),
                  "rename '" + role + "' of einsum '" + e.name + "' is " +
                      set->str() + " (" + std::to_string(set->names.size()) +
                      " tensors), but " + want->str() + " are expected");
    }
  }
}

void Elaborator::finishWorkload(
    Workload &w, std::vector<RawEinsum> &raws,
    const std::vector<std::pair<const ast::Expr *, MutableScope>> &wcons,
    const std::vector<std::pair<const ast::FieldStmt *, MutableScope>> &wsizes,
    const std::vector<KeyedEntry> &bpvEntries, const Deferred &persistent,
    const std::vector<std::pair<const ast::BlockStmt *, MutableScope>>
        &renames) {
  // Tensors: same ranks wherever used; writers and readers.
  std::map<std::string, size_t> tensorIndex;
  for (const RawEinsum &r : raws)
    for (const RawAccess &a : r.accesses) {
      std::vector<std::string> ranks;
      for (const RankProjection &p : a.projection)
        ranks.push_back(p.rank);
      auto it = tensorIndex.find(a.tensor);
      if (it == tensorIndex.end()) {
        tensorIndex[a.tensor] = w.tensors.size();
        Tensor t;
        t.name = a.tensor;
        t.ranks = ranks;
        w.tensors.push_back(t);
        it = tensorIndex.find(a.tensor);
      } else if (w.tensors[it->second].ranks != ranks) {
        diags.error(a.range, "tensor '" + a.tensor +
                                 "' is used with different ranks here than "
                                 "in an earlier einsum");
      }
      (a.isOutput ? w.tensors[it->second].writers
                  : w.tensors[it->second].readers)
          .push_back(r.name);
    }
  for (const Tensor &t : w.tensors)
    if (t.writers.size() > 1)
      diags.error(raws[0].range, "tensor '" + t.name +
                                     "' is written by more than one "
                                     "einsum (" +
                                     t.writers[0] + ", " + t.writers[1] + ")");

  // Rank-variable bounds: constraints, then rank sizes.
  std::map<std::string, std::pair<double, double>> bounds;
  std::map<std::string, SMRange> where;
  for (auto &[e, sc] : wcons)
    applyConstraint(*e, *sc, bounds, where);
  std::map<std::string, std::pair<double, SMRange>> sizes;
  auto readSizes =
      [&](const std::vector<std::pair<const ast::FieldStmt *, MutableScope>>
              &in,
          std::map<std::string, std::pair<double, SMRange>> &out) {
        for (auto &[f, sc] : in) {
          std::string rank = f->target.spelling();
          if (!std::isupper((unsigned char)rank[0])) {
            diags.error(f->target.range, "rank name '" + rank +
                                             "' must start with an "
                                             "upper-case letter");
            continue;
          }
          std::optional<Value> v = eval.eval(*f->value, *sc);
          if (!v)
            continue;
          if (!v->isNumber() || v->asNumber() < 1 ||
              v->asNumber() != std::floor(v->asNumber()) ||
              std::isinf(v->asNumber())) {
            diags.error(f->value->getRange(),
                        "rank size must be a positive whole number, got " +
                            v->str());
            continue;
          }
          out[rank] = {v->asNumber(), f->value->getRange()};
          sc->define(rank, *v); // later sizes may refer to this one
        }
      };
  readSizes(wsizes, sizes);
  for (RawEinsum &r : raws) {
    auto eb = bounds;
    std::map<std::string, SMRange> ewhere = where;
    for (auto &[e, sc] : r.constraints)
      applyConstraint(*e, *sc, eb, ewhere);
    std::map<std::string, std::pair<double, SMRange>> esizes = sizes;
    readSizes(r.rankSizes, esizes);
    // Rank sizes bound each rank variable of a projection.
    for (const RawAccess &a : r.accesses)
      for (const RankProjection &p : a.projection) {
        auto s = esizes.find(p.rank);
        if (s == esizes.end())
          continue;
        for (const RankProjection::Term &t : p.terms) {
          if (t.coefficient <= 0)
            continue;
          double others = p.constant;
          for (const RankProjection::Term &o : p.terms)
            if (&o != &t && eb.count(o.rankVariable))
              others += o.coefficient * std::max(0.0, eb[o.rankVariable].first);
          double hi = std::floor((s->second.first - 1 - others) /
                                 double(t.coefficient));
          auto &b =
              eb.try_emplace(t.rankVariable, -INFINITY, INFINITY).first->second;
          b.first = std::max(b.first, 0.0);
          b.second = std::min(b.second, hi);
        }
      }
    std::set<std::string> rvs;
    for (const RawAccess &a : r.accesses)
      for (const RankProjection &p : a.projection)
        for (const RankProjection::Term &t : p.terms)
          rvs.insert(t.rankVariable);
    for (const std::string &rv : rvs) {
      auto b = eb.find(rv);
      if (b == eb.end() || !std::isfinite(b->second.first) ||
          !std::isfinite(b->second.second)) {
        diags.error(r.range, "rank variable '" + rv + "' of einsum '" + r.name +
                                 "' has no finite bound");
        diags.note(r.range, "bound it in iteration_space (e.g. '0 <= " + rv +
                                " < N;') or give its rank a size in "
                                "rank_sizes");
        continue;
      }
      if (b->second.second < b->second.first) {
        diags.error(ewhere.count(rv) ? ewhere[rv] : r.range,
                    "rank variable '" + rv + "' has an empty range");
        continue;
      }
      if (const RankVariable *existing = w.rankVariable(rv)) {
        if (existing->lower != (int64_t)b->second.first ||
            existing->upper != (int64_t)b->second.second)
          diags.error(r.range, "rank variable '" + rv +
                                   "' has a different bound in einsum '" +
                                   r.name + "' than in an earlier einsum");
        continue;
      }
      w.rankVariables.push_back(
          {rv, (int64_t)b->second.first, (int64_t)b->second.second});
    }
  }
  std::sort(w.rankVariables.begin(), w.rankVariables.end(),
            [](const RankVariable &a, const RankVariable &b) {
              return a.name < b.name;
            });

  // Symbols of each Einsum.
  std::vector<std::string> allTensors;
  for (const Tensor &t : w.tensors)
    allTensors.push_back(t.name);
  for (RawEinsum &r : raws) {
    Einsum e;
    e.name = r.name;
    e.range = r.range;
    e.isCopy = r.isCopy;
    e.nInstances = r.nInstances;
    std::vector<std::string> all, inputs, outputs, inter, shared, rvs;
    for (const RawAccess &a : r.accesses) {
      all.push_back(a.tensor);
      (a.isOutput ? outputs : inputs).push_back(a.tensor);
      const Tensor &t = w.tensors[tensorIndex[a.tensor]];
      if (t.isIntermediate())
        inter.push_back(a.tensor);
      if (t.writers.size() + t.readers.size() > 1)
        shared.push_back(a.tensor);
      TensorAccess ta;
      ta.tensor = a.tensor;
      ta.isOutput = a.isOutput;
      ta.projection = a.projection;
      ta.range = a.range;
      std::vector<std::string> trv;
      for (const RankProjection &p : a.projection)
        for (const RankProjection::Term &t2 : p.terms) {
          rvs.push_back(t2.rankVariable);
          trv.push_back(t2.rankVariable);
        }
      e.context.tensorRankVariables[a.tensor] =
          NameSet::of(NameSet::RankVariables, trv);
      e.accesses.push_back(std::move(ta));
    }
    NameSet rvSet = NameSet::of(NameSet::RankVariables, rvs);
    e.rankVariables = rvSet.names;
    e.context.name = e.name;
    e.context.tensors = NameSet::of(NameSet::Tensors, all);
    e.context.rankVariables = rvSet;
    auto set = [](std::vector<std::string> v) {
      return Value::set(NameSet::of(NameSet::Tensors, std::move(v)));
    };
    e.symbols = {{"All", set(all)},         {"Tensors", set(all)},
                 {"Nothing", set({})},      {"Inputs", set(inputs)},
                 {"Outputs", set(outputs)}, {"Intermediates", set(inter)},
                 {"Shared", set(shared)}};
    for (const std::string &t : allTensors)
      e.symbols.push_back(
          {t, set(std::find(all.begin(), all.end(), t) != all.end()
                      ? std::vector<std::string>{t}
                      : std::vector<std::string>{})});
    for (const RankVariable &rv : w.rankVariables)
      e.symbols.push_back({rv.name, Value::set(NameSet::of(
                                        NameSet::RankVariables,
                                        rvSet.contains(rv.name)
                                            ? std::vector<std::string>{rv.name}
                                            : std::vector<std::string>{}))});
    w.einsums.push_back(std::move(e));
  }

  // Renames, bits per value and persistence, per Einsum.
  for (size_t i = 0; i < raws.size() && i < w.einsums.size(); ++i) {
    Einsum &e = w.einsums[i];
    RawEinsum &r = raws[i];
    auto symbols = std::make_shared<Scope>(nullptr, &e.context);
    std::vector<std::pair<std::string, SMRange>> defined;
    for (size_t k = 0; k < r.renames.size(); ++k)
      applyRenames(*r.renames[k], r.renameScopes[k], symbols, e, defined,
                   false);
    for (auto &[b, sc] : renames)
      applyRenames(*b, sc, symbols, e, defined, true);
    for (auto &[role, set] : e.renames)
      renameRoles.insert(role);

    // Bits per value: the workload map (disjoint keys), then the tensor's.
    std::map<std::string, std::pair<double, SMRange>> bpv;
    const ast::Expr *otherValue = nullptr;
    MutableScope otherScope;
    for (const KeyedEntry &ke : bpvEntries) {
      if (auto *n = dyn_cast<ast::NameExpr>(ke.key.expr);
          n && n->name.isPlain() && n->name.pieces[0].text == "Other") {
        otherValue = ke.value.expr;
        otherScope = std::const_pointer_cast<Scope>(ke.key.scope);
        continue;
      }
      auto frame = std::make_shared<Scope>(ke.key.scope, &e.context);
      for (auto &[k, v] : e.symbols)
        frame->define(k, v);
      std::optional<Value> key = eval.eval(*ke.key.expr, *frame);
      std::optional<Value> val = eval.eval(*ke.value.expr, *frame);
      if (!key || !val)
        continue;
      if (!key->isSet()) {
        diags.error(ke.key.range(), "a bits_per_value key must select "
                                    "tensors, not " +
                                        key->describe());
        continue;
      }
      if (!checkType({"bits_per_value", FieldType::Quantity, dim::bits}, *val,
                     ke.value.range(), "workload"))
        continue;
      for (const std::string &t : key->asSet().names) {
        if (bpv.count(t)) {
          diags.error(ke.key.range(), "bits_per_value keys overlap: tensor '" +
                                          t + "' is selected twice");
          diags.note(bpv[t].second, "first selected here");
          continue;
        }
        bpv[t] = {val->asNumber(), ke.key.range()};
      }
    }
    for (TensorAccess &a : e.accesses) {
      if (!bpv.count(a.tensor) && otherValue) {
        auto frame = std::make_shared<Scope>(otherScope, &e.context);
        std::optional<Value> val = eval.eval(*otherValue, *frame);
        if (val && val->isNumber())
          bpv[a.tensor] = {val->asNumber(), otherValue->getRange()};
      }
    }
    for (auto &[b, sc] : r.tensorBlocks) {
      std::optional<std::string> tname =
          b->name ? eval.evalName(*b->name, *sc) : std::nullopt;
      if (!tname) {
        if (!b->name)
          diags.error(b->kindRange, "'tensor' needs the tensor's name");
        continue;
      }
      TensorAccess *acc = nullptr;
      for (TensorAccess &a : e.accesses)
        if (a.tensor == *tname)
          acc = &a;
      if (!acc) {
        diags.error(b->name->range, "einsum '" + e.name +
                                        "' does not use tensor '" + *tname +
                                        "'");
        continue;
      }
      walk(b->body, sc, [&](const ast::Stmt &s, MutableScope fs) {
        auto *f = dyn_cast<ast::FieldStmt>(&s);
        std::string fname = f ? f->target.spelling() : "";
        if (!f || (fname != "bits_per_value" && fname != "persistent")) {
          diags.error(s.getRange(), "a tensor block holds bits_per_value "
                                    "and persistent");
          return;
        }
        std::optional<Value> v = eval.eval(*f->value, *fs);
        if (!v)
          return;
        if (fname == "bits_per_value") {
          if (checkType({"bits_per_value", FieldType::Quantity, dim::bits}, *v,
                        f->value->getRange(), "tensor"))
            bpv[*tname] = {v->asNumber(), f->value->getRange()};
        } else {
          acc->persistent = v->truthy();
        }
      });
    }
    for (TensorAccess &a : e.accesses) {
      auto it = bpv.find(a.tensor);
      if (it == bpv.end()) {
        diags.error(a.range, "tensor '" + a.tensor + "' has no bits per value");
        diags.note(w.range, "give the workload a 'bits_per_value { All: 8; "
                            "}' block or the tensor a 'tensor " +
                                a.tensor + " { bits_per_value = 8; }'");
        continue;
      }
      a.bitsPerValue = it->second.first;
      e.context.bitsPerValue[a.tensor] = a.bitsPerValue;
    }
    if (persistent) {
      auto frame = std::make_shared<Scope>(persistent.scope, &e.context);
      for (auto &[k, v] : e.symbols)
        frame->define(k, v);
      std::optional<Value> v = eval.eval(*persistent.expr, *frame);
      if (v && !v->isSet())
        diags.error(persistent.range(), "persistent_tensors must be a set "
                                        "of tensors, not " +
                                            v->describe());
      else if (v)
        for (TensorAccess &a : e.accesses)
          if (v->asSet().contains(a.tensor))
            a.persistent = true;
    }
    std::vector<std::string> pers;
    for (const TensorAccess &a : e.accesses)
      if (a.persistent)
        pers.push_back(a.tensor);
    e.symbols.push_back(
        {"Persistent", Value::set(NameSet::of(NameSet::Tensors, pers))});
  }
  // A tensor has one bits-per-value and one persistence everywhere.
  for (Tensor &t : w.tensors) {
    bool first = true;
    for (const Einsum &e : w.einsums)
      if (const TensorAccess *a = e.access(t.name)) {
        if (first) {
          t.bitsPerValue = a->bitsPerValue;
          t.persistent = a->persistent;
          first = false;
        } else if (a->bitsPerValue != t.bitsPerValue) {
          diags.error(a->range, "tensor '" + t.name +
                                    "' has different bits per value in "
                                    "different einsums");
        }
      }
  }
}
