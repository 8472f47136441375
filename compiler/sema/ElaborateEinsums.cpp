//===- ElaborateEinsums.cpp - a workload's tensors and Einsums ------------===//
//
// Finishing a workload once its Einsums are read: tensors and their
// writers, rank-variable bounds, per-Einsum symbols, renames in order, bits
// per value and persistence.
//
//===----------------------------------------------------------------------===//
#include "ElaboratorImpl.h"

#include "afc/ir/IterationSpace.h"
#include "afc/support/Limits.h"

#include <cmath>
#include <limits>

using namespace afc;
using namespace afc::sema;

double Elaborator::countPoints(
    const RawEinsum &r, const std::set<std::string> &rvs,
    const std::map<std::string, std::pair<double, double>> &bounds,
    const std::map<std::string, std::pair<double, SMRange>> &sizes,
    const std::vector<AffineBound> &affine) {
  std::vector<std::string> vars(rvs.begin(), rvs.end());
  std::vector<std::pair<int64_t, int64_t>> box;
  for (const std::string &v : vars)
    box.push_back({(int64_t)bounds.at(v).first, (int64_t)bounds.at(v).second});
  auto index = [&](const std::string &v) {
    return size_t(std::lower_bound(vars.begin(), vars.end(), v) -
                  vars.begin());
  };
  // As the reference builds the set: every projection onto a rank with a
  // size lies in [0, size). Single-variable ones are already in the box;
  // the others (windows such as `p + r`) cut it.
  std::vector<AffineConstraint> cons;
  for (const RawAccess &a : r.accesses)
    for (const RankProjection &p : a.projection) {
      auto s = sizes.find(p.rank);
      if (s == sizes.end())
        continue;
      AffineConstraint c;
      c.constant = p.constant;
      c.lower = 0;
      c.upper = (int64_t)s->second.first - 1;
      for (const RankProjection::Term &t : p.terms)
        c.terms.push_back({index(t.rankVariable), t.coefficient});
      cons.push_back(std::move(c));
    }
  // Bounds on sums of rank variables from the Einsum's iteration_space.
  for (const AffineBound &ab : affine) {
    AffineConstraint c;
    c.constant = ab.expr.constant;
    // An open side is as wide as the box allows.
    c.lower = std::isfinite(ab.lower) ? (int64_t)ab.lower
                                      : std::numeric_limits<int64_t>::min() / 4;
    c.upper = std::isfinite(ab.upper) ? (int64_t)ab.upper
                                      : std::numeric_limits<int64_t>::max() / 4;
    for (const RankProjection::Term &t : ab.expr.terms)
      c.terms.push_back({index(t.rankVariable), t.coefficient});
    cons.push_back(std::move(c));
  }
  std::optional<double> n =
      countIterationSpace(box, cons, limits().maxEvalSteps);
  if (!n) {
    diags.error(r.range, "counting the points of the iteration space of "
                         "einsum '" +
                             r.name + "' takes more than " +
                             std::to_string(limits().maxEvalSteps) +
                             " steps (" +
                             limitFlag("max-eval-steps",
                                       limits().maxEvalSteps) +
                             ")");
    return 0;
  }
  if (*n == 0) {
    diags.error(r.range, "the iteration space of einsum '" + r.name +
                             "' is empty: no point lies within both its "
                             "rank-variable bounds and its rank sizes");
    return 0;
  }
  return *n;
}

void Elaborator::applyRenames(
    const ast::BlockStmt &b, MutableScope defScope, MutableScope symbols,
    Einsum &e, std::vector<std::pair<std::string, SMRange>> &defined,
    bool onlyMissing) {
  std::vector<std::pair<const ast::FieldStmt *, MutableScope>> counts;
  // Einsum symbols take precedence over the definition's own scope.
  auto frame = e.symbolFrame(defScope);
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
    auto countScope = e.symbolFrame(cs);
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
          if (f->target.parts.size() != 1) {
            diags.error(f->target.range, "a rank name cannot be a dotted "
                                         "path");
            continue;
          }
          // Rank names may be generated (`P${i} = 4;`).
          std::optional<std::string> name =
              eval.evalName(f->target.parts[0], *sc);
          if (!name)
            continue;
          std::string rank = *name;
          if (rank.empty() || !std::isupper((unsigned char)rank[0])) {
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
          if (v->asNumber() > kMaxRankExtent) {
            diags.error(f->value->getRange(),
                        "rank size " + v->str() + " is larger than " +
                            formatNumber(kMaxRankExtent) +
                            ", the largest rank afc maps");
            continue;
          }
          // The size is defined in the scope so later sizes can read it,
          // which would silently change what every later expression
          // (iteration_space bounds included) reads for a parameter of
          // the same name.
          if (const Value *hidden = sc->lookup(rank);
              hidden && !out.count(rank) &&
              !(hidden->isNumber() && hidden->asNumber() == v->asNumber())) {
            diags.error(f->target.range,
                        "rank '" + rank + "' of size " + v->str() +
                            " has the name of a value already defined (" +
                            hidden->str() +
                            "); expressions after it would read the rank's "
                            "size instead");
            diags.note(f->target.range,
                       "rename the parameter or the rank so that each name "
                       "means one thing");
            continue;
          }
          out[rank] = {v->asNumber(), f->value->getRange()};
          sc->define(rank, *v); // later sizes may refer to this one
        }
      };
  readSizes(wsizes, sizes);
  std::map<std::string, size_t> rankVariableIndex;
  // Points of each Einsum's iteration space, by position in `raws`.
  std::vector<double> points(raws.size(), 0);
  for (RawEinsum &r : raws) {
    bool boxOkAffine = true;
    std::set<std::string> rvs;
    for (const RawAccess &a : r.accesses)
      for (const RankProjection &p : a.projection)
        for (const RankProjection::Term &t : p.terms)
          rvs.insert(t.rankVariable);
    // This Einsum's view of the bounds and sizes. Only its own rank
    // variables are read, so only those are copied unless it adds
    // constraints or sizes of its own: copying the workload's maps for
    // every Einsum made elaboration quadratic in the number of Einsums.
    std::map<std::string, std::pair<double, double>> eb;
    std::map<std::string, SMRange> ewhere;
    if (r.constraints.empty()) {
      for (const std::string &rv : rvs) {
        if (auto b = bounds.find(rv); b != bounds.end())
          eb.insert(*b);
        if (auto wh = where.find(rv); wh != where.end())
          ewhere.insert(*wh);
      }
    } else {
      eb = bounds;
      ewhere = where;
    }
    std::vector<AffineBound> affine;
    for (auto &[e, sc] : r.constraints)
      applyConstraint(*e, *sc, eb, ewhere, &affine);
    for (const AffineBound &ab : affine)
      for (const RankProjection::Term &t : ab.expr.terms)
        if (!rvs.count(t.rankVariable)) {
          diags.error(ab.range, "rank variable '" + t.rankVariable +
                                    "' is not one of einsum '" + r.name +
                                    "'");
          boxOkAffine = false;
        }
    std::optional<std::map<std::string, std::pair<double, SMRange>>> ownSizes;
    if (!r.rankSizes.empty()) {
      ownSizes = sizes;
      readSizes(r.rankSizes, *ownSizes);
    }
    const auto &esizes = ownSizes ? *ownSizes : sizes;
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
    // An upper bound on a sum of rank variables with positive coefficients
    // bounds each of them, given the others' lower bounds.
    for (const AffineBound &ab : affine) {
      if (!std::isfinite(ab.upper))
        continue;
      bool positive = true;
      for (const RankProjection::Term &t : ab.expr.terms)
        positive &= t.coefficient > 0;
      if (!positive)
        continue;
      for (const RankProjection::Term &t : ab.expr.terms) {
        double others = ab.expr.constant;
        for (const RankProjection::Term &o : ab.expr.terms)
          if (&o != &t && eb.count(o.rankVariable) &&
              std::isfinite(eb[o.rankVariable].first))
            others += o.coefficient * eb[o.rankVariable].first;
        auto &b =
            eb.try_emplace(t.rankVariable, -INFINITY, INFINITY).first->second;
        b.second = std::min(b.second, std::floor((ab.upper - others) /
                                                 double(t.coefficient)));
      }
    }
    bool boxOk = boxOkAffine;
    for (const std::string &rv : rvs) {
      auto b = eb.find(rv);
      boxOk &= b != eb.end() && std::isfinite(b->second.first) &&
               std::isfinite(b->second.second) &&
               b->second.second >= b->second.first &&
               std::fabs(b->second.first) <= kMaxExactInteger &&
               std::fabs(b->second.second) <= kMaxExactInteger;
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
      // Bounds are kept as 64-bit integers and computed with as doubles;
      // past 2**53 neither is exact.
      const double kExact = 9007199254740992.0;
      if (std::fabs(b->second.first) > kExact ||
          std::fabs(b->second.second) > kExact) {
        diags.error(ewhere.count(rv) ? ewhere[rv] : r.range,
                    "rank variable '" + rv + "' has a bound of " +
                        formatNumber(std::fabs(b->second.first) > kExact
                                         ? b->second.first
                                         : b->second.second) +
                        ", beyond 2**53, the largest afc represents exactly");
        continue;
      }
      if (auto known = rankVariableIndex.find(rv);
          known != rankVariableIndex.end()) {
        const RankVariable *existing = &w.rankVariables[known->second];
        if (existing->lower != (int64_t)b->second.first ||
            existing->upper != (int64_t)b->second.second)
          diags.error(r.range, "rank variable '" + rv +
                                   "' has a different bound in einsum '" +
                                   r.name + "' than in an earlier einsum");
        continue;
      }
      rankVariableIndex[rv] = w.rankVariables.size();
      w.rankVariables.push_back(
          {rv, (int64_t)b->second.first, (int64_t)b->second.second});
    }
    if (boxOk)
      points[&r - raws.data()] = countPoints(r, rvs, eb, esizes, affine);
  }
  std::sort(w.rankVariables.begin(), w.rankVariables.end(),
            [](const RankVariable &a, const RankVariable &b) {
              return a.name < b.name;
            });

  // Symbols of each Einsum.
  std::vector<std::string> allTensors;
  for (const Tensor &t : w.tensors)
    allTensors.push_back(t.name);
  // The names an Einsum does not use are the empty set; one shared map
  // holds them for every Einsum (per-Einsum copies were quadratic).
  auto absent = std::make_shared<llvm::StringMap<Value>>();
  for (const std::string &t : allTensors)
    (*absent)[t] = Value::set(NameSet::of(NameSet::Tensors, {}));
  for (const RankVariable &rv : w.rankVariables)
    (*absent)[rv.name] = Value::set(NameSet::of(NameSet::RankVariables, {}));
  for (RawEinsum &r : raws) {
    Einsum e;
    e.name = r.name;
    e.range = r.range;
    e.isCopy = r.isCopy;
    e.nInstances = r.nInstances;
    e.iterationSpacePoints = points[&r - raws.data()];
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
    e.absentNames = absent;
    for (const std::string &t : all)
      e.symbols.push_back({t, set({t})});
    for (const std::string &rv : rvSet.names)
      if (absent->count(rv))
        e.symbols.push_back(
          {rv, Value::set(NameSet::of(NameSet::RankVariables, {rv}))});
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
      auto frame = e.symbolFrame(ke.key.scope);
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
      if (!checkType(kBitsPerValueField, *val,
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
          if (checkType(kBitsPerValueField, *v,
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
      auto frame = e.symbolFrame(persistent.scope);
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
  // Einsum by Einsum (each access once), not tensor by Einsum: the latter
  // is quadratic in a long chain of Einsums.
  std::vector<std::vector<const TensorAccess *>> uses(w.tensors.size());
  for (const Einsum &e : w.einsums)
    for (const TensorAccess &a : e.accesses)
      if (auto it = tensorIndex.find(a.tensor); it != tensorIndex.end())
        uses[it->second].push_back(&a);
  for (size_t i = 0; i < w.tensors.size(); ++i) {
    Tensor &t = w.tensors[i];
    bool first = true;
    for (const TensorAccess *a : uses[i]) {
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
