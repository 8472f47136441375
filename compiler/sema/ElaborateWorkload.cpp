//===- ElaborateWorkload.cpp - workloads ----------------------------------===//
//
// Workload declarations: Einsums and their affine projections, rank-variable
// constraints and the raw accesses that ElaborateEinsums.cpp finishes.
//
//===----------------------------------------------------------------------===//
#include "ElaboratorImpl.h"

#include "afc/support/Limits.h"

#include "llvm/Support/MathExtras.h"

using namespace afc;
using namespace afc::sema;

/// `acc += sign * k` in 64-bit integers, for a projection's constants and
/// coefficients; false when k is not an exact integer or the result
/// overflows.
static bool addScaled(int64_t &acc, int64_t sign, double k) {
  if (!isExactInteger(k))
    return false;
  int64_t term;
  return !llvm::MulOverflow(sign, int64_t(k), term) &&
         !llvm::AddOverflow(acc, term, acc);
}

bool Elaborator::projectionTooLarge(const ast::Expr &e) {
  diags.error(e.getRange(), "a projection's coefficients and constants must "
                            "be integers of at most 2**53 in magnitude");
  return false;
}

bool Elaborator::projectionTerms(const ast::Expr &e, const Scope &scope,
                                 int64_t sign, RankProjection &out) {
  if (auto *n = dyn_cast<ast::NameExpr>(&e)) {
    std::optional<std::string> name = eval.evalName(n->name, scope);
    if (!name)
      return false;
    if (const Value *v = scope.lookup(*name); v && v->isNumber()) {
      if (!addScaled(out.constant, sign, v->asNumber()))
        return projectionTooLarge(e);
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
        if (!addScaled(t.coefficient, sign, 1))
          return projectionTooLarge(e);
        return true;
      }
    out.terms.push_back({sign, *name});
    return true;
  }
  if (auto *num = dyn_cast<ast::NumberExpr>(&e)) {
    if (num->unit.empty() && num->value == std::floor(num->value)) {
      if (!addScaled(out.constant, sign, num->value))
        return projectionTooLarge(e);
      return true;
    }
  }
  if (auto *u = dyn_cast<ast::UnaryExpr>(&e)) {
    if (u->op == ast::UnaryOp::Neg) {
      int64_t negated = 0;
      if (!addScaled(negated, sign, -1))
        return projectionTooLarge(e);
      return projectionTerms(*u->operand, scope, negated, out);
    }
    if (u->op == ast::UnaryOp::Plus)
      return projectionTerms(*u->operand, scope, sign, out);
  }
  if (auto *b = dyn_cast<ast::BinaryExpr>(&e)) {
    if (b->op == ast::BinaryOp::Add || b->op == ast::BinaryOp::Sub) {
      int64_t rhsSign = 0;
      if (!addScaled(rhsSign, sign, b->op == ast::BinaryOp::Sub ? -1 : 1))
        return projectionTooLarge(e);
      return projectionTerms(*b->lhs, scope, sign, out) &&
             projectionTerms(*b->rhs, scope, rhsSign, out);
    }
    if (b->op == ast::BinaryOp::Mul) {
      // One side must be a constant.
      ExprEvaluator q(nullptr);
      for (int side = 0; side < 2; ++side) {
        const ast::Expr &c = side ? *b->rhs : *b->lhs;
        const ast::Expr &v = side ? *b->lhs : *b->rhs;
        std::optional<Value> k = q.eval(c, scope);
        if (k && k->isNumber() && k->asNumber() == std::floor(k->asNumber())) {
          int64_t scaled = 0;
          if (!addScaled(scaled, sign, k->asNumber()))
            return projectionTooLarge(c);
          return projectionTerms(v, scope, scaled, out);
        }
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
    std::string rank = item.rank;
    if (item.rankName) {
      std::optional<std::string> n = eval.evalName(*item.rankName, scope);
      if (!n)
        return false;
      rank = *n;
    }
    if (!rank.empty()) {
      if (!std::isupper((unsigned char)rank[0])) {
        diags.error(item.rankRange, "rank name '" + rank +
                                        "' must start with an upper-case "
                                        "letter");
        return false;
      }
      p.rank = rank;
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

/// `a op b` read as `b op' a`: the comparison with its sides swapped.
static ast::CompareOp swapSides(ast::CompareOp op) {
  switch (op) {
  case ast::CompareOp::Lt:
    return ast::CompareOp::Gt;
  case ast::CompareOp::Le:
    return ast::CompareOp::Ge;
  case ast::CompareOp::Gt:
    return ast::CompareOp::Lt;
  case ast::CompareOp::Ge:
    return ast::CompareOp::Le;
  default:
    return op;
  }
}

void Elaborator::applyConstraint(
    const ast::Expr &e, const Scope &scope,
    std::map<std::string, std::pair<double, double>> &bounds,
    std::map<std::string, SMRange> &where, std::vector<AffineBound> *affine) {
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
      ExprEvaluator q(nullptr);
      auto name = q.evalName(n->name, scope);
      // Rank variables are lower case; an unknown upper-case name is a
      // misspelt parameter and is reported when evaluated as a bound.
      if (!name || scope.lookup(*name) ||
          !std::islower((unsigned char)(*name)[0]))
        return std::nullopt;
      return name;
    };
    // The bound side of a comparison: a finite whole number.
    auto wholeBound = [&](const ast::Expr &bound) -> std::optional<double> {
      std::optional<Value> v = eval.eval(bound, scope);
      if (!v)
        return std::nullopt;
      if (!v->isNumber() || !std::isfinite(v->asNumber()) ||
          v->asNumber() != std::floor(v->asNumber())) {
        diags.error(bound.getRange(), "a rank-variable bound must be a "
                                      "finite whole number, got " +
                                          v->str());
        return std::nullopt;
      }
      return v->asNumber();
    };
    std::optional<std::string> lv = rankVar(l), rv = rankVar(r);
    if (!lv && !rv && affine) {
      // `lo <= p + r < hi`: the side that does not evaluate on its own
      // names rank variables.
      ExprEvaluator ql(nullptr), qr(nullptr);
      bool lKnown = ql.eval(*l, scope).has_value();
      bool rKnown = qr.eval(*r, scope).has_value();
      if (lKnown != rKnown) {
        const ast::Expr *expr = lKnown ? r : l, *bound = lKnown ? l : r;
        RankProjection p;
        if (!projectionTerms(*expr, scope, 1, p))
          return;
        std::optional<double> bx = wholeBound(*bound);
        if (!bx)
          return;
        double x = *bx;
        // Normalise to `expr op x`.
        ast::CompareOp o = lKnown ? swapSides(op) : op;
        AffineBound ab;
        ab.expr = p;
        ab.range = SMRange(l->getRange().Start, r->getRange().End);
        switch (o) {
        case ast::CompareOp::Lt: ab.upper = x - 1; break;
        case ast::CompareOp::Le: ab.upper = x; break;
        case ast::CompareOp::Gt: ab.lower = x + 1; break;
        case ast::CompareOp::Ge: ab.lower = x; break;
        case ast::CompareOp::Eq: ab.lower = ab.upper = x; break;
        default:
          diags.error(e.getRange(), "only <, <=, >, >= and == bound a rank "
                                    "variable");
          return;
        }
        affine->push_back(std::move(ab));
        continue;
      }
    }
    if (lv.has_value() == rv.has_value()) {
      diags.error(SMRange(l->getRange().Start, r->getRange().End),
                  "each comparison of an iteration-space constraint needs "
                  "one rank variable and one bound");
      return;
    }
    std::optional<double> bx = wholeBound(lv ? *r : *l);
    if (!bx)
      return;
    double x = *bx;
    std::string var = lv ? *lv : *rv;
    // Normalise to `var op x`.
    if (rv)
      op = swapSides(op);
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
          if (nInstancesExact(*v, f->value->getRange()))
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
  // An assertion in the body ends it; its message is the error.
  if (assertionFailed)
    return;
  if (raws.empty())
    diags.error(w.range, "workload '" + w.name + "' has no einsum");
  finishWorkload(w, raws, constraints, rankSizes, bitsPerValue, persistent,
                 renames);
  spec->workloads.push_back(std::move(w));
}

std::set<std::string> Elaborator::includedWorkloads() {
  std::set<std::string> out;
  ExprEvaluator q(nullptr);
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
          if (nInstancesExact(*v, f->value->getRange()))
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

bool Elaborator::nInstancesExact(const Value &v, SMRange r) {
  if (isExactInteger(v.asNumber()))
    return true;
  diags.error(r, "n_instances must be at most 2**53, not " + v.str());
  return false;
}
