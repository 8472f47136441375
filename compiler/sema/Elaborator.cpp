//===- Elaborator.cpp - AST to IR: binding, expansion, checks -------------===//
//
// One Elaborator instance elaborates one binding of the parameters. It walks
// the top-level statements once to bind `let`s and collect declarations,
// then builds the IR of each declaration: workloads first (architectures'
// late-bound names refer to their tensors and roles), then architectures,
// mappings, mapper settings and studies.
//
//===----------------------------------------------------------------------===//
#include "ElaboratorImpl.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Casting.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <set>
#include <tuple>

using namespace afc;
using namespace afc::ir;
using namespace afc::sema;
using llvm::cast;
using llvm::dyn_cast;
using llvm::isa;
using llvm::SMRange;

std::vector<Elaborator::StudyBinding>
Elaborator::scanStudies(const std::vector<const ast::Module *> &modules,
                        std::vector<std::string> &missing) {
  lenient = true;
  bindParams(modules);
  missing = missingRequired;
  for (const ast::Module *m : modules)
    walk(m->items, globals,
         [&](const ast::Stmt &s, MutableScope sc) { topLevel(s, sc); });
  std::vector<StudyBinding> out;
  for (const Decl &d : declsOf("study")) {
    StudyBinding b{
        d.name, d.block->name ? d.block->name->range : d.block->kindRange, {}};
    walk(d.block->body, std::make_shared<Scope>(d.scope),
         [&](const ast::Stmt &s, MutableScope sc) {
           auto *pb = dyn_cast<ast::BlockStmt>(&s);
           if (!pb || pb->kind != "params")
             return;
           walk(pb->body, sc, [&](const ast::Stmt &ps, MutableScope pc) {
             if (auto *f = dyn_cast<ast::FieldStmt>(&ps))
               if (auto v = eval.eval(*f->value, *pc))
                 b.params[f->target.spelling()] = {*v, f->target.range};
           });
         });
    out.push_back(std::move(b));
  }
  return out;
}

std::unique_ptr<Spec>
Elaborator::run(const std::vector<const ast::Module *> &modules) {
  bindParams(modules);
  // Without its required parameters nothing else can be elaborated
  // faithfully: every later error would be a consequence of those reported.
  if (!lenient && !missingRequired.empty())
    return nullptr;
  for (const ast::Module *m : modules)
    walk(m->items, globals,
         [&](const ast::Stmt &s, MutableScope sc) { topLevel(s, sc); });
  checkDeferredConditions();
  if (!lenient && !missingRequired.empty())
    return nullptr;
  // The declarations after a failed top-level assertion were never seen, and
  // the ones before it would be elaborated without their statements.
  if (assertionFailed)
    return nullptr;
  // Renames declared at the top level apply to every workload.
  for (const Decl &d : declsOf("renames"))
    if (d.name != "default")
      diags.error(d.block->name ? d.block->name->range : d.block->kindRange,
                  "only 'renames default { ... }' may appear at the top "
                  "level; per-Einsum renames go inside the einsum");
  // A workload that another one includes is a piece: it is checked as
  // part of the workloads that include it, not on its own.
  std::set<std::string> included = includedWorkloads();
  for (const Decl &d : declsOf("workload"))
    if (!included.count(d.name))
      buildWorkload(d);
  for (const Decl &d : declsOf("arch"))
    buildArch(d);
  for (const Decl &d : declsOf("mapping"))
    buildMapping(d);
  for (const Decl &d : declsOf("mapper"))
    spec->mappers.push_back(buildMapper(d.block, d.scope, d.name));
  for (const Decl &d : declsOf("study"))
    if (!skipStudies && (onlyStudyName.empty() || d.name == onlyStudyName))
      buildStudy(d);
  if (diags.hadError())
    return nullptr;
  return std::move(spec);
}

/// The top-level `let`s with a plain name, by name: a `let` that names a
/// parameter declared in an imported file fixes it, as a Jinja `{% set %}`
/// before an include does in the reference (model files fix the sizes their
/// attention and feedforward pieces take as parameters).
static std::map<std::string, const ast::LetStmt *>
topLevelLets(const std::vector<const ast::Module *> &modules) {
  std::map<std::string, const ast::LetStmt *> out;
  for (const ast::Module *m : modules)
    for (const ast::StmtPtr &s : m->items)
      if (auto *let = dyn_cast<ast::LetStmt>(s.get()); let && let->name.isPlain())
        out.emplace(let->name.spelling(), let);
  return out;
}

void Elaborator::bindParams(const std::vector<const ast::Module *> &modules) {
  // Of several declarations of one name the most lenient wins: a default,
  // then a condition, then a plain requirement. A model file relaxes what
  // its pieces require that way.
  auto leniency = [](const ast::Param *p) {
    return p->defaultValue ? 2 : p->requiredIf ? 1 : 0;
  };
  std::map<std::string, const ast::Param *> first;
  std::vector<const ast::Param *> order;
  for (const ast::Module *m : modules)
    for (const ast::Param &p : m->params) {
      auto it = first.find(p.name);
      if (it == first.end()) {
        first[p.name] = &p;
        order.push_back(&p);
        continue;
      }
      const ast::Param *prev = it->second;
      if (p.defaultValue && prev->defaultValue &&
          p.defaultValue->text() != prev->defaultValue->text()) {
        diags.error(p.defaultValue->getRange(),
                    "parameter '" + p.name +
                        "' is declared again with a different default");
        diags.note(prev->defaultValue->getRange(),
                   "the first declaration is here");
      } else if (leniency(&p) > leniency(prev)) {
        first[p.name] = &p;
      }
    }
  std::map<std::string, const ast::LetStmt *> lets = topLevelLets(modules);
  for (auto &[name, ov] : overrides) {
    auto let = lets.find(name);
    if (let != lets.end() && first.count(name)) {
      diags.error(ov.range, "'" + name + "' is fixed by a 'let', so it is "
                                         "not a parameter here");
      diags.note(let->second->name.range, "fixed here");
    } else if (!first.count(name)) {
      std::vector<std::string> names;
      for (auto &kv : first)
        if (!lets.count(kv.first))
          names.push_back(kv.first);
      diags.error(ov.range, "no parameter named '" + name + "'" +
                                didYouMean(name, names));
    }
  }
  std::vector<const ast::Param *> conditional;
  for (const ast::Param *declared : order) {
    const ast::Param *p = first[declared->name];
    if (lets.count(p->name))
      continue;
    ParamInfo info;
    info.name = p->name;
    info.range = p->range;
    auto ov = overrides.find(p->name);
    if (ov != overrides.end()) {
      info.value = ov->second.value;
      info.fromOverride = true;
    } else if (p->defaultValue) {
      std::optional<Value> v = eval.eval(*p->defaultValue, *globals);
      if (!v)
        continue;
      info.value = *v;
    } else if (p->requiredIf) {
      conditional.push_back(p);
      continue;
    } else {
      reportMissing(*p);
      continue;
    }
    globals->define(p->name, info.value);
    spec->params.push_back(std::move(info));
  }
  // Bind the fixing lets now where they need only parameters, so that the
  // pieces' own top-level statements, which run first, can use them; the
  // walk binds them again, to the same value, in file order.
  ExprEvaluator quiet(nullptr);
  for (const ast::Module *m : modules)
    for (const ast::StmtPtr &s : m->items)
      if (auto *let = dyn_cast<ast::LetStmt>(s.get());
          let && let->name.isPlain() && first.count(let->name.spelling()))
        if (std::optional<Value> v = quiet.eval(*let->value, *globals))
          globals->define(let->name.spelling(), *v);
  // A condition is decided once the parameters are bound; one that names a
  // `let` still unbound waits until the top-level statements have run.
  for (const ast::Param *p : conditional) {
    optionalParams.insert(p->name);
    std::optional<Value> c = quiet.eval(*p->requiredIf, *globals);
    if (!c)
      deferredConditions.push_back(p);
    else if (c->truthy())
      reportMissing(*p);
  }
}

void Elaborator::reportMissing(const ast::Param &p) {
  missingRequired.push_back(p.name);
  if (lenient)
    return;
  if (p.requiredIf)
    diags.error(p.range, "parameter '" + p.name + "' is required when " +
                             p.requiredIf->text().str() +
                             ", and no value was given");
  else
    diags.error(p.range, "parameter '" + p.name +
                             "' has no default and no value was given");
  diags.note(p.range, "pass it as -D " + p.name +
                          "=VALUE or set it in the study's params");
}

void Elaborator::checkDeferredConditions() {
  // After a failed assertion the lets a condition names may never have run.
  if (assertionFailed)
    return;
  for (const ast::Param *p : deferredConditions) {
    std::optional<Value> c = eval.eval(*p->requiredIf, *globals);
    if (c && c->truthy())
      reportMissing(*p);
  }
}

void Elaborator::walk(const ast::StmtList &body, MutableScope scope,
                      const StmtFn &fn) {
  for (const ast::StmtPtr &sp : body) {
    // A failed assertion stops elaboration, as a template assertion
    // stops rendering: what follows would only add confusing errors.
    if (assertionFailed)
      return;
    const ast::Stmt &s = *sp;
    if (auto *let = dyn_cast<ast::LetStmt>(&s)) {
      std::optional<std::string> name = eval.evalName(let->name, *scope);
      std::optional<Value> v = eval.eval(*let->value, *scope);
      if (name && v)
        scope->define(*name, *v);
    } else if (auto *as = dyn_cast<ast::AssertStmt>(&s)) {
      std::optional<Value> v = eval.eval(*as->cond, *scope);
      if (v && !v->truthy()) {
        diags.error(as->cond->getRange(),
                    "assertion failed" +
                        (as->message ? ": " + *as->message : std::string()));
        assertionFailed = true;
      }
    } else if (auto *f = dyn_cast<ast::ForStmt>(&s)) {
      std::optional<Value> iter = eval.eval(*f->iter, *scope);
      if (!iter)
        continue;
      std::vector<Value> items;
      if (iter->isList()) {
        items = iter->asList();
      } else if (iter->isSet()) {
        for (const std::string &n : iter->asSet().names)
          items.push_back(Value::string(n));
      } else {
        diags.error(f->iter->getRange(),
                    "a 'for' loop needs a list or range, not " +
                        iter->describe());
        continue;
      }
      for (const Value &item : items) {
        if (!eval.charge(f->iter->getRange(), 1))
          break;
        auto frame = std::make_shared<Scope>(scope);
        frame->define(f->var, item);
        walk(f->body, frame, fn);
      }
    } else if (auto *i = dyn_cast<ast::IfStmt>(&s)) {
      std::optional<Value> c = eval.eval(*i->cond, *scope);
      if (!c)
        continue;
      walk(c->truthy() ? i->then : i->otherwise, scope, fn);
    } else {
      fn(s, scope);
    }
  }
}

void Elaborator::topLevel(const ast::Stmt &s, MutableScope scope) {
  auto *b = dyn_cast<ast::BlockStmt>(&s);
  static const std::vector<std::string> kinds = {
      "arch", "workload", "mapping", "mapper", "study", "renames"};
  if (!b) {
    diags.error(s.getRange(), "only declarations (arch, workload, mapping, "
                              "mapper, study, renames), params, imports and "
                              "compile-time statements may appear at the "
                              "top level");
    return;
  }
  if (std::find(kinds.begin(), kinds.end(), b->kind) == kinds.end()) {
    diags.error(b->kindRange, "unknown declaration '" + b->kind + "'" +
                                  didYouMean(b->kind, kinds));
    return;
  }
  if (!b->hasBody) {
    diags.error(b->getRange(), "'" + b->kind + "' needs a body '{ ... }'");
    return;
  }
  std::string name;
  if (b->name) {
    std::optional<std::string> n = eval.evalName(*b->name, *scope);
    if (!n)
      return;
    name = *n;
  } else if (b->kind == "renames") {
    name = "default";
  } else {
    diags.error(b->kindRange, "'" + b->kind + "' needs a name");
    return;
  }
  for (const Decl &d : decls[b->kind])
    if (d.name == name) {
      diags.error(b->name ? b->name->range : b->kindRange,
                  "redefinition of " + b->kind + " '" + name + "'");
      diags.note(d.block->name ? d.block->name->range : d.block->kindRange,
                 "previous definition is here");
      return;
    }
  if (b->cls)
    diags.error(b->cls->range, "a " + b->kind + " has no class");
  decls[b->kind].push_back({b, scope, name});
}

bool Elaborator::checkType(const FieldSpec &spec, const Value &v, SMRange r,
                           llvm::StringRef owner) {
  std::string where = "'" + std::string(spec.name) + "' of " + owner.str();
  switch (spec.type) {
  case FieldType::Quantity:
  case FieldType::Integer:
  case FieldType::Fraction: {
    if (v.isBool() && spec.type != FieldType::Quantity)
      return true;
    if (!v.isNumber()) {
      diags.error(r, where + " must be " +
                         (spec.dimension.isDimensionless()
                              ? std::string("a number")
                              : spec.dimension.describe()) +
                         ", not " + v.describe());
      return false;
    }
    if (!v.getDimension().isDimensionless() &&
        !spec.accepts(v.getDimension())) {
      diags.error(r, where + " must be " + spec.expected() + ", but this is " +
                         v.getDimension().describe() + " (" +
                         v.getDimension().str() + ")");
      return false;
    }
    double x = v.asNumber();
    if (std::string problem = boundProblem(spec, x); !problem.empty()) {
      diags.error(r, where + " " + problem);
      return false;
    }
    warnIfPlain(diags, spec, v, r, where);
    if (spec.type == FieldType::Integer &&
        (x != std::floor(x) || x < 1 || std::isinf(x))) {
      diags.error(r, where + " must be a positive whole number, got " +
                         formatNumber(x));
      return false;
    }
    if (spec.type == FieldType::Fraction && (x < 0 || x > 1)) {
      diags.error(r,
                  where + " must be between 0 and 1, got " + formatNumber(x));
      return false;
    }
    return true;
  }
  case FieldType::Bool:
    if (v.isBool() || v.isNumber())
      return true;
    diags.error(r, where + " must be true or false, not " + v.describe());
    return false;
  case FieldType::TensorSet:
    if (v.isSet() && v.asSet().universe == NameSet::Tensors)
      return true;
    diags.error(r, where + " must be a set of tensors, not " + v.describe());
    return false;
  case FieldType::String:
    if (v.isString())
      return true;
    diags.error(r, where + " must be a string, not " + v.describe());
    return false;
  case FieldType::Any:
    return true;
  }
  return true;
}

void sema::warnIfPlain(DiagnosticEngine &diags, const FieldSpec &spec,
                       const Value &v, SMRange r, const std::string &where) {
  double x = v.isNumber() ? v.asNumber() : 0;
  if (spec.type != FieldType::Quantity || spec.dimension.isDimensionless() ||
      spec.plainIsCount || !v.isNumber() ||
      !v.getDimension().isDimensionless() || x == 0 || !std::isfinite(x))
    return;
  diags.warning(r, where + " is a plain number; " +
                       plainNumberAdvice(x, spec.dimension));
}

Field Elaborator::makeField(const FieldSpec &spec, const ast::Expr &e,
                            MutableScope scope, llvm::StringRef owner,
                            const std::set<std::string> &lateNames) {
  Field f;
  f.expr = {&e, scope};
  f.range = e.getRange();
  if (spec.time == FieldTime::Now) {
    std::optional<Value> v = eval.eval(e, *scope);
    if (v && checkType(spec, *v, e.getRange(), owner))
      f.value = v;
    return f;
  }
  ExprEvaluator q(nullptr);
  std::optional<Value> v = q.eval(e, *scope);
  if (v) {
    if (checkType(spec, *v, e.getRange(), owner))
      f.value = v;
    return f;
  }
  if (q.failedOnUnknownName() && lateNames.count(q.unknownNameSpelling()))
    return f;           // needs context that comes later
  eval.eval(e, *scope); // report the error with its location
  return f;
}

ScopePtr afc::einsumScope(const Deferred &d, const Einsum &einsum,
                          const std::map<std::string, NameSet> &placements) {
  auto frame = einsum.symbolFrame(d.scope);
  for (auto &[k, v] : placements)
    frame->define(k, Value::set(v));
  return frame;
}

bool afc::checkArchForWorkload(const Arch &arch, const Workload &workload,
                               DiagnosticEngine &diags) {
  unsigned before = diags.errorCount();
  // Placement rules may name any tensor holder and `Above`.
  std::map<std::string, NameSet> placements;
  std::function<void(const std::vector<ArchNode> &)> collect =
      [&](const std::vector<ArchNode> &nodes) {
        for (const ArchNode &n : nodes) {
          if (!n.name.empty())
            placements[n.name] = NameSet::of(NameSet::Tensors, {});
          collect(n.children);
        }
      };
  collect(arch.nodes);
  placements["Above"] = NameSet::of(NameSet::Tensors, {});
  ExprEvaluator eval(&diags);
  std::function<void(const ArchNode &)> check = [&](const ArchNode &n) {
    for (const Einsum &e : workload.einsums) {
      unsigned errs = diags.errorCount();
      auto checkMap = [&](const FieldMap &fields,
                          const std::vector<FieldSpec> *schema) {
        for (auto &[name, f] : fields) {
          if (f.value)
            continue;
          const FieldSpec *fs = schema ? findField(*schema, name) : nullptr;
          if (fs && fs->time == FieldTime::Model)
            continue;
          ScopePtr sc = einsumScope(f.expr, e, placements);
          std::optional<Value> v = eval.eval(*f.expr.expr, *sc);
          if (v && fs && fs->type == FieldType::TensorSet && !v->isSet())
            diags.error(f.range, "'" + name +
                                     "' must be a set of tensors, "
                                     "not " +
                                     v->describe());
          if (v && fs && fs->type == FieldType::Quantity &&
              (!v->isNumber() || (!v->getDimension().isDimensionless() &&
                                  !fs->accepts(v->getDimension()))))
            diags.error(f.range, "'" + name + "' must be " + fs->expected() +
                                     ", not " + v->describe());
          else if (v && fs && fs->type == FieldType::Quantity)
            if (std::string p = boundProblem(*fs, v->asNumber()); !p.empty())
              diags.error(f.range, "'" + name + "' " + p);
        }
      };
      std::string kind = std::string(spell(n.kind));
      checkMap(n.fields, &componentFields(kind));
      checkMap(n.modelAttributes, nullptr);
      for (const SpatialDimension &s : n.spatial)
        checkMap(s.fields, &spatialFields());
      for (const Action &a : n.actions)
        checkMap(a.fields, &actionFields());
      for (const KeyedEntry &k : n.bitsPerValue) {
        ScopePtr sc = einsumScope(k.key, e, placements);
        std::optional<Value> key = eval.eval(*k.key.expr, *sc);
        if (key && !key->isSet())
          diags.error(k.key.range(), "a bits_per_value key must select "
                                     "tensors, not " +
                                         key->describe());
        std::optional<Value> bits = eval.eval(*k.value.expr, *sc);
        if (bits && (!bits->isNumber() ||
                     !boundProblem(sema::kBitsPerValueField, bits->asNumber())
                          .empty()))
          diags.error(k.value.range(),
                      "bits_per_value must be a positive, finite number of "
                      "bits, not " +
                          bits->str());
      }
      if (diags.errorCount() != errs) {
        diags.note(e.range, "while evaluating " + kind + " '" + n.name +
                                "' for einsum '" + e.name + "'");
        return; // one Einsum's worth of errors is enough
      }
    }
    for (const ArchNode &c : n.children)
      check(c);
  };
  for (const ArchNode &n : arch.nodes)
    check(n);
  return diags.errorCount() == before;
}

std::unique_ptr<Spec>
afc::elaborateProgram(const std::vector<const ast::Module *> &modules,
                      const ParamOverrides &params, DiagnosticEngine &diags) {
  Elaborator e(diags, params);
  e.noStudies();
  return e.run(modules);
}

std::unique_ptr<Spec>
afc::elaborate(const std::vector<const ast::Module *> &modules,
               const ParamOverrides &overrides, DiagnosticEngine &diags,
               bool checkStudies) {
  // First find the studies and the parameters they set, quietly: a program
  // whose required parameters only its studies provide is still valid.
  std::string scanErrors;
  llvm::raw_string_ostream scanStream(scanErrors);
  DiagnosticEngine scanDiags(diags.sourceMgr(), scanStream);
  std::vector<std::string> missing;
  auto studies = Elaborator(scanDiags, overrides).scanStudies(modules, missing);
  std::unique_ptr<Spec> spec;
  if (missing.empty() || studies.empty()) {
    spec = Elaborator(diags, overrides).run(modules);
  } else {
    // Only the studies can be elaborated; each binds its own parameters.
    spec = std::make_unique<Spec>();
    for (const auto &b : studies)
      for (const std::string &m : missing)
        if (!b.params.count(m)) {
          diags.error(b.range, "study '" + b.name +
                                   "' does not set required parameter '" + m +
                                   "'");
          diags.note(b.range, "add it to the study's params block, or pass "
                              "-D " +
                                  m + "=VALUE");
        }
  }
  if (diags.hadError())
    return nullptr;
  // A study with parameters runs on its own elaboration of the program.
  for (const auto &b : studies) {
    if (b.params.empty() && missing.empty())
      continue;
    ParamOverrides merged = b.params;
    for (auto &[k, v] : overrides)
      merged[k] = v; // the command line wins over the study
    Elaborator inner(diags, merged);
    inner.onlyStudy(b.name);
    std::shared_ptr<Spec> program = inner.run(modules);
    if (!program)
      return nullptr;
    Study study = std::move(program->studies.at(0));
    program->studies.clear();
    for (auto &[a, w] : study.archWorkloadPairs()) {
      const Arch *arch = program->arch(a);
      const Workload *workload = program->workload(w);
      if (!checkStudies || !arch || !workload)
        continue;
      if (!checkArchForWorkload(*arch, *workload, diags))
        return nullptr;
      if (!study.mapping.empty() && program->mapping(study.mapping) &&
          !checkMappingNames(*program->mapping(study.mapping), *arch,
                             *workload, diags))
        return nullptr;
    }
    study.program = program;
    bool replaced = false;
    for (Study &s : spec->studies)
      if (s.name == study.name) {
        s = study;
        replaced = true;
      }
    if (!replaced)
      spec->studies.push_back(std::move(study));
  }
  // An architecture and a workload that go together are checked Einsum by
  // Einsum: the parameterless studies' pairs, or the only pair.
  std::set<std::pair<std::string, std::string>> pairs;
  for (const Study &s : spec->studies)
    if (!s.program)
      for (auto &p : s.archWorkloadPairs())
        pairs.insert(p);
  if (spec->arches.size() == 1 && spec->workloads.size() == 1)
    pairs.insert({spec->arches[0].name, spec->workloads[0].name});
  for (auto &[a, w] : pairs)
    if (spec->arch(a) && spec->workload(w))
      checkArchForWorkload(*spec->arch(a), *spec->workload(w), diags);
  // Mappings likewise: those the parameterless studies use, or the only one.
  std::set<std::tuple<std::string, std::string, std::string>> triples;
  for (const Study &s : spec->studies)
    if (!s.program && !s.mapping.empty())
      for (auto &[a, w] : s.archWorkloadPairs())
        triples.insert({a, w, s.mapping});
  if (spec->arches.size() == 1 && spec->workloads.size() == 1 &&
      spec->mappings.size() == 1)
    triples.insert({spec->arches[0].name, spec->workloads[0].name,
                    spec->mappings[0].name});
  for (auto &[a, w, m] : triples)
    if (spec->arch(a) && spec->workload(w) && spec->mapping(m))
      checkMappingNames(*spec->mapping(m), *spec->arch(a), *spec->workload(w),
                        diags);
  if (diags.hadError())
    return nullptr;
  return spec;
}
