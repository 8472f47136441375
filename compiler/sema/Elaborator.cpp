//===- Elaborator.cpp - AST to IR: binding, expansion, checks -------------===//
//
// One Elaborator instance elaborates one binding of the parameters. It walks
// the top-level statements once to bind `let`s and collect declarations,
// then builds the IR of each declaration: workloads first (architectures'
// late-bound names refer to their tensors and roles), then architectures,
// mappings, mapper settings and studies.
//
//===----------------------------------------------------------------------===//
#include "afc/sema/Elaborator.h"
#include "Schema.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Casting.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <set>

using namespace afc;
using namespace afc::ir;
using namespace afc::sema;
using llvm::cast;
using llvm::dyn_cast;
using llvm::isa;
using llvm::SMRange;

namespace {

using MutableScope = std::shared_ptr<Scope>;

/// Symbols that only exist once an Einsum, the mapper or the model supplies
/// them; an architecture may mention them before they are known.
const char *const kLateSymbols[] = {
    "All",      "Tensors", "Nothing", "Inputs", "Outputs",       "Intermediates",
    "Shared",   "Persistent", "Above", "Other", "actions", "input", "output",
    "weight"};

struct Decl {
  const ast::BlockStmt *block;
  MutableScope scope;
  std::string name;
};

class Elaborator {
public:
  Elaborator(DiagnosticEngine &diags, const ParamOverrides &overrides)
      : diags(diags), eval(&diags), quiet(nullptr), overrides(overrides),
        globals(std::make_shared<Scope>()) {}

  /// A quiet first pass: binds what parameters it can, finds the studies
  /// and evaluates their `params` blocks.
  struct StudyBinding {
    std::string name;
    SMRange range;
    ParamOverrides params;
  };
  std::vector<StudyBinding>
  scanStudies(const std::vector<const ast::Module *> &modules,
              std::vector<std::string> &missing) {
    lenient = true;
    bindParams(modules);
    missing = missingRequired;
    for (const ast::Module *m : modules)
      walk(m->items, globals, [&](const ast::Stmt &s, MutableScope sc) {
        topLevel(s, sc);
      });
    std::vector<StudyBinding> out;
    for (const Decl &d : declsOf("study")) {
      StudyBinding b{d.name, d.block->name ? d.block->name->range
                                           : d.block->kindRange, {}};
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

  /// Builds only the named study (its program is this binding).
  void onlyStudy(const std::string &name) { onlyStudyName = name; }

  std::unique_ptr<Spec> run(const std::vector<const ast::Module *> &modules) {
    bindParams(modules);
    for (const ast::Module *m : modules)
      walk(m->items, globals, [&](const ast::Stmt &s, MutableScope sc) {
        topLevel(s, sc);
      });
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
      if (onlyStudyName.empty() || d.name == onlyStudyName)
        buildStudy(d);
    if (diags.hadError())
      return nullptr;
    return std::move(spec);
  }

private:
  //===--------------------------------------------------------------------===//
  // Parameters and compile-time statements
  //===--------------------------------------------------------------------===//

  void bindParams(const std::vector<const ast::Module *> &modules) {
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
        } else if (p.defaultValue && !prev->defaultValue) {
          first[p.name] = &p; // the declaration with a default wins
        }
      }
    for (auto &[name, ov] : overrides)
      if (!first.count(name)) {
        std::vector<std::string> names;
        for (auto &kv : first)
          names.push_back(kv.first);
        diags.error(ov.range, "no parameter named '" + name + "'" +
                                  didYouMean(name, names));
      }
    for (const ast::Param *declared : order) {
      const ast::Param *p = first[declared->name];
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
      } else {
        missingRequired.push_back(p->name);
        if (!lenient) {
          diags.error(p->range, "parameter '" + p->name +
                                    "' has no default and no value was given");
          diags.note(p->range, "pass it as -D " + p->name +
                                   "=VALUE or set it in the study's params");
        }
        continue;
      }
      globals->define(p->name, info.value);
      spec->params.push_back(std::move(info));
    }
  }

  using StmtFn = std::function<void(const ast::Stmt &, MutableScope)>;

  /// Expands `let`, `for`, `if` and `assert`, calling `fn` for every other
  /// statement with the scope it sits in.
  void walk(const ast::StmtList &body, MutableScope scope, const StmtFn &fn) {
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

  std::vector<Decl> &declsOf(const std::string &kind) { return decls[kind]; }

  void topLevel(const ast::Stmt &s, MutableScope scope) {
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

  //===--------------------------------------------------------------------===//
  // Fields
  //===--------------------------------------------------------------------===//

  /// Checks a value against a field's schema; reports and returns false on
  /// mismatch.
  bool checkType(const FieldSpec &spec, const Value &v, SMRange r,
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
          v.getDimension() != spec.dimension) {
        diags.error(r, where + " must be " + spec.dimension.describe() +
                           (spec.dimension.isDimensionless()
                                ? std::string()
                                : " (" + spec.dimension.str() + ")") +
                           ", but this is " + v.getDimension().describe() +
                           " (" + v.getDimension().str() + ")");
        return false;
      }
      double x = v.asNumber();
      if (std::isnan(x)) {
        diags.error(r, where + " is not a number (nan)");
        return false;
      }
      if (spec.nonNegative && x < 0) {
        diags.error(r, where + " must not be negative, got " +
                           formatNumber(x));
        return false;
      }
      if (spec.type == FieldType::Integer &&
          (x != std::floor(x) || x < 1 || std::isinf(x))) {
        diags.error(r, where + " must be a positive whole number, got " +
                           formatNumber(x));
        return false;
      }
      if (spec.type == FieldType::Fraction && (x < 0 || x > 1)) {
        diags.error(r, where + " must be between 0 and 1, got " +
                           formatNumber(x));
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
      diags.error(r, where + " must be a set of tensors, not " +
                         v.describe());
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

  /// Evaluates a field now if it can be. Fields that may depend on the
  /// Einsum, the mapper or the model are tried quietly; they stay deferred
  /// when they mention a symbol that only exists later.
  Field makeField(const FieldSpec &spec, const ast::Expr &e, MutableScope scope,
                  llvm::StringRef owner,
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
    Evaluator q(nullptr);
    std::optional<Value> v = q.eval(e, *scope);
    if (v) {
      if (checkType(spec, *v, e.getRange(), owner))
        f.value = v;
      return f;
    }
    if (q.failedOnUnknownName() && lateNames.count(q.unknownNameSpelling()))
      return f; // needs context that comes later
    eval.eval(e, *scope); // report the error with its location
    return f;
  }

  //===--------------------------------------------------------------------===//
  // Architecture
  //===--------------------------------------------------------------------===//

  std::set<std::string> lateNamesFor(const ast::BlockStmt &archBlock) {
    std::set<std::string> names(std::begin(kLateSymbols),
                                std::end(kLateSymbols));
    for (const Workload &w : spec->workloads) {
      for (const Tensor &t : w.tensors)
        names.insert(t.name);
      for (const RankVariable &r : w.rankVariables)
        names.insert(r.name);
      for (const Einsum &e : w.einsums)
        for (auto &[role, set] : e.renames)
          names.insert(role);
    }
    for (const std::string &r : renameRoles)
      names.insert(r);
    // Component names are placement symbols (`keep = ~MainMemory`).
    std::function<void(const ast::StmtList &)> collect =
        [&](const ast::StmtList &body) {
          for (const ast::StmtPtr &s : body) {
            if (auto *b = dyn_cast<ast::BlockStmt>(s.get())) {
              if (b->name && b->name->isPlain())
                names.insert(b->name->pieces[0].text);
              collect(b->body);
            } else if (auto *f = dyn_cast<ast::ForStmt>(s.get())) {
              collect(f->body);
            } else if (auto *i = dyn_cast<ast::IfStmt>(s.get())) {
              collect(i->then);
              collect(i->otherwise);
            }
          }
        };
    collect(archBlock.body);
    return names;
  }

  void buildArch(const Decl &d) {
    Arch arch;
    arch.name = d.name;
    arch.range = d.block->name ? d.block->name->range : d.block->kindRange;
    auto scope = std::make_shared<Scope>(d.scope);
    std::set<std::string> late = lateNamesFor(*d.block);
    std::map<std::string, SMRange> seen;
    buildNodes(d.block->body, scope, arch, arch.nodes, late, seen, true);
    std::vector<Arch::Path> paths = arch.paths();
    if (paths.empty())
      diags.error(arch.range, "architecture '" + arch.name +
                                  "' has no compute node");
    spec->arches.push_back(std::move(arch));
  }

  void buildNodes(const ast::StmtList &body, MutableScope scope, Arch &arch,
                  std::vector<ArchNode> &out, const std::set<std::string> &late,
                  std::map<std::string, SMRange> &seen, bool top) {
    static const std::vector<std::string> kinds = {
        "memory", "compute", "container", "toll", "network", "fork", "array"};
    walk(body, scope, [&](const ast::Stmt &s, MutableScope sc) {
      auto *b = dyn_cast<ast::BlockStmt>(&s);
      if (b && b->kind == "attributes" && top) {
        buildAttributes(*b, sc, arch.modelAttributesForAll, late);
        return;
      }
      if (!b || std::find(kinds.begin(), kinds.end(), b->kind) == kinds.end()) {
        if (b)
          diags.error(b->kindRange,
                      "unknown architecture node kind '" + b->kind + "'" +
                          didYouMean(b->kind, kinds) +
                          " (expected memory, compute, container, toll, "
                          "network, fork or array)");
        else
          diags.error(s.getRange(),
                      "an architecture holds nodes (memory, compute, "
                      "container, ...), 'attributes' and compile-time "
                      "statements; fields belong inside a node");
        return;
      }
      ArchNode node;
      if (!buildNode(*b, sc, arch, node, late, seen))
        return;
      out.push_back(std::move(node));
    });
  }

  void buildAttributes(const ast::BlockStmt &b, MutableScope scope,
                       FieldMap &out, const std::set<std::string> &late) {
    static const FieldSpec any{"attribute", FieldType::Any, dim::none,
                               FieldTime::PerEinsum};
    walk(b.body, scope, [&](const ast::Stmt &s, MutableScope sc) {
      auto *f = dyn_cast<ast::FieldStmt>(&s);
      if (!f || f->target.parts.size() != 1) {
        diags.error(s.getRange(), "'attributes' holds 'name = value;' "
                                  "entries only");
        return;
      }
      std::optional<std::string> name =
          eval.evalName(f->target.parts[0], *sc);
      if (!name)
        return;
      if (out.count(*name)) {
        diags.error(f->target.range, "duplicate attribute '" + *name + "'");
        diags.note(out[*name].range, "previous value is here");
        return;
      }
      out[*name] = makeField(any, *f->value, sc, "attributes", late);
    });
  }

  /// Collects `name = value;` fields of a block against a schema.
  void buildFields(const ast::FieldStmt &f, MutableScope sc,
                   const std::vector<FieldSpec> &schema, FieldMap &out,
                   llvm::StringRef owner, const std::set<std::string> &late,
                   MutableScope publish = nullptr) {
    if (f.target.parts.size() != 1) {
      diags.error(f.target.range, "a field name cannot be a dotted path here");
      return;
    }
    std::optional<std::string> name = eval.evalName(f.target.parts[0], *sc);
    if (!name)
      return;
    const FieldSpec *spec = findField(schema, *name);
    if (!spec) {
      diags.error(f.target.range,
                  "unknown field '" + *name + "' in " + owner.str() +
                      didYouMean(*name, fieldNames(schema)));
      return;
    }
    if (out.count(*name)) {
      diags.error(f.target.range, "field '" + *name + "' is set twice");
      diags.note(out[*name].range, "first set here");
      return;
    }
    out[*name] = makeField(*spec, *f.value, sc, owner, late);
    // Later fields of the same block may refer to this one by name.
    if (publish && out[*name].value)
      publish->define(*name, *out[*name].value);
  }

  void buildEntries(const ast::BlockStmt &b, MutableScope scope,
                    std::vector<KeyedEntry> &out) {
    walk(b.body, scope, [&](const ast::Stmt &s, MutableScope sc) {
      auto *e = dyn_cast<ast::EntryStmt>(&s);
      if (!e) {
        diags.error(s.getRange(), "'" + b.kind +
                                      "' holds 'set-expression: value;' "
                                      "entries, e.g. 'All: 8;'");
        return;
      }
      out.push_back({{e->key.get(), sc}, {e->value.get(), sc}});
    });
  }

  bool buildNode(const ast::BlockStmt &b, MutableScope scope, Arch &arch,
                 ArchNode &node, const std::set<std::string> &late,
                 std::map<std::string, SMRange> &seen) {
    static const std::map<std::string, NodeKind> kinds = {
        {"memory", NodeKind::Memory},       {"compute", NodeKind::Compute},
        {"container", NodeKind::Container}, {"toll", NodeKind::Toll},
        {"network", NodeKind::Network},     {"fork", NodeKind::Fork},
        {"array", NodeKind::Array}};
    node.kind = kinds.at(b.kind);
    node.range = b.kindRange;
    if (b.name) {
      std::optional<std::string> n = eval.evalName(*b.name, *scope);
      if (!n)
        return false;
      node.name = *n;
      node.range = b.name->range;
    } else if (node.kind != NodeKind::Fork) {
      diags.error(b.kindRange, "a " + b.kind + " needs a name");
      return false;
    }
    if (!node.name.empty()) {
      auto it = seen.find(node.name);
      if (it != seen.end()) {
        diags.error(node.range, "duplicate node name '" + node.name +
                                    "'; names must be unique across the "
                                    "architecture");
        diags.note(it->second, "previous node with this name");
        return false;
      }
      seen[node.name] = node.range;
    }
    if (b.cls) {
      if (!node.isComponent()) {
        diags.error(b.cls->range, "a " + b.kind + " is not a component and "
                                                  "has no component class");
        return false;
      }
      std::optional<std::string> c = eval.evalName(*b.cls, *scope);
      if (!c)
        return false;
      node.componentClass = *c;
      node.classRange = b.cls->range;
    }
    if (b.hasArgs)
      diags.error(b.kindRange, "a " + b.kind + " takes no arguments");
    if (node.kind == NodeKind::Fork || node.kind == NodeKind::Array) {
      // Structural nodes: an array may declare its spatial dimensions.
      auto inner = std::make_shared<Scope>(scope);
      ast::StmtList none;
      std::vector<const ast::Stmt *> spatials;
      buildNodesWithSpatial(b, inner, arch, node, late, seen);
      return true;
    }
    auto own = std::make_shared<Scope>(scope);
    const std::vector<FieldSpec> &schema = componentFields(b.kind);
    std::string owner = b.kind + " '" + node.name + "'";
    walk(b.body, own, [&](const ast::Stmt &s, MutableScope sc) {
      if (auto *f = dyn_cast<ast::FieldStmt>(&s)) {
        buildFields(*f, sc, schema, node.fields, owner, late, own);
        return;
      }
      auto *blk = dyn_cast<ast::BlockStmt>(&s);
      if (!blk) {
        diags.error(s.getRange(), "expected a field 'name = value;' or a "
                                  "block (action, spatial, attributes, "
                                  "bits_per_value, values_per_action, "
                                  "tensors) in " + owner);
        return;
      }
      buildComponentBlock(*blk, sc, node, owner, schema, late);
    });
    if (node.kind == NodeKind::Memory && !node.fields.count("size"))
      diags.error(node.range, "memory '" + node.name + "' needs a 'size'");
    // Default actions of each kind are always present.
    std::vector<std::string> defaults;
    if (node.kind == NodeKind::Memory)
      defaults = {"read", "write"};
    else if (node.kind == NodeKind::Toll)
      defaults = {"read"};
    else if (node.kind == NodeKind::Compute)
      defaults = {"compute"};
    else if (node.kind == NodeKind::Network)
      defaults = {"hop"};
    for (const std::string &a : defaults)
      if (!node.action(a)) {
        Action act;
        act.name = a;
        act.range = node.range;
        node.actions.push_back(std::move(act));
      }
    if (node.kind == NodeKind::Toll && !node.fields.count("direction"))
      diags.error(node.range, "toll '" + node.name + "' needs a 'direction' "
                              "(\"up\", \"down\" or \"up_and_down\")");
    if (auto it = node.fields.find("direction"); it != node.fields.end() &&
                                                 it->second.value) {
      const std::string &dir = it->second.value->asString();
      if (dir != "up" && dir != "down" && dir != "up_and_down")
        diags.error(it->second.range,
                    "direction must be \"up\", \"down\" or \"up_and_down\"" +
                        didYouMean(dir, {"up", "down", "up_and_down"}));
    }
    return true;
  }

  void buildNodesWithSpatial(const ast::BlockStmt &b, MutableScope scope,
                             Arch &arch, ArchNode &node,
                             const std::set<std::string> &late,
                             std::map<std::string, SMRange> &seen) {
    // Split the body: spatial blocks describe the array; the rest are nodes.
    ast::StmtList dummy;
    walk(b.body, scope, [&](const ast::Stmt &s, MutableScope sc) {
      auto *blk = dyn_cast<ast::BlockStmt>(&s);
      if (blk && blk->kind == "spatial") {
        if (node.kind != NodeKind::Array) {
          diags.error(blk->kindRange, "a fork has no spatial dimensions; put "
                                      "them on a container inside it");
          return;
        }
        SpatialDimension sd;
        if (buildSpatial(*blk, sc, sd, late))
          node.spatial.push_back(std::move(sd));
        return;
      }
      static const std::vector<std::string> kinds = {
          "memory", "compute", "container", "toll", "network", "fork",
          "array"};
      if (!blk ||
          std::find(kinds.begin(), kinds.end(), blk->kind) == kinds.end()) {
        diags.error(s.getRange(), "a " + b.kind + " holds architecture nodes");
        return;
      }
      ArchNode child;
      if (buildNode(*blk, sc, arch, child, late, seen))
        node.children.push_back(std::move(child));
    });
  }

  bool buildSpatial(const ast::BlockStmt &blk, MutableScope sc,
                    SpatialDimension &sd, const std::set<std::string> &late) {
    if (!blk.name) {
      diags.error(blk.kindRange, "a spatial dimension needs a name, e.g. "
                                 "'spatial X { fanout = 4; }'");
      return false;
    }
    std::optional<std::string> n = eval.evalName(*blk.name, *sc);
    if (!n)
      return false;
    sd.name = *n;
    sd.range = blk.name->range;
    std::string owner = "spatial '" + sd.name + "'";
    walk(blk.body, sc, [&](const ast::Stmt &s, MutableScope inner) {
      if (auto *f = dyn_cast<ast::FieldStmt>(&s)) {
        buildFields(*f, inner, spatialFields(), sd.fields, owner, late);
        return;
      }
      auto *lb = dyn_cast<ast::BlockStmt>(&s);
      if (lb && lb->kind == "loop_bounds") {
        walk(lb->body, inner, [&](const ast::Stmt &c, MutableScope cs) {
          if (auto *es = dyn_cast<ast::ExprStmt>(&c))
            sd.loopBounds.push_back({es->expr.get(), cs});
          else
            diags.error(c.getRange(), "'loop_bounds' holds comparisons such "
                                      "as '~m == 1;'");
        });
        return;
      }
      diags.error(s.getRange(), "expected a field of " + owner);
    });
    if (!sd.fields.count("fanout")) {
      diags.error(sd.range, "spatial dimension '" + sd.name +
                                "' needs a 'fanout'");
      return false;
    }
    // may_reuse defaults to reuse when reuse is given, else to All.
    return true;
  }

  void buildComponentBlock(const ast::BlockStmt &blk, MutableScope sc,
                           ArchNode &node, const std::string &owner,
                           const std::vector<FieldSpec> &schema,
                           const std::set<std::string> &late) {
    if (blk.kind == "action") {
      if (!blk.name) {
        diags.error(blk.kindRange, "an action needs a name, e.g. 'action read "
                                   "{ ... }'");
        return;
      }
      std::optional<std::string> n = eval.evalName(*blk.name, *sc);
      if (!n)
        return;
      if (node.action(*n)) {
        diags.error(blk.name->range, "action '" + *n + "' is defined twice in " +
                                         owner);
        diags.note(node.action(*n)->range, "first defined here");
        return;
      }
      Action a;
      a.name = *n;
      a.range = blk.name->range;
      std::string aowner = "action '" + a.name + "' of " + owner;
      walk(blk.body, sc, [&](const ast::Stmt &s, MutableScope inner) {
        if (auto *f = dyn_cast<ast::FieldStmt>(&s)) {
          buildFields(*f, inner, actionFields(), a.fields, aowner, late);
          return;
        }
        auto *b2 = dyn_cast<ast::BlockStmt>(&s);
        if (b2 && b2->kind == "attributes") {
          buildAttributes(*b2, inner, a.modelAttributes, late);
          return;
        }
        if (b2 && b2->kind == "values_per_action") {
          buildEntries(*b2, inner, a.valuesPerAction);
          return;
        }
        diags.error(s.getRange(), "expected a field of " + aowner);
      });
      node.actions.push_back(std::move(a));
      return;
    }
    if (blk.kind == "spatial") {
      SpatialDimension sd;
      for (const SpatialDimension &o : node.spatial)
        if (blk.name && blk.name->isPlain() &&
            o.name == blk.name->pieces[0].text) {
          diags.error(blk.name->range, "duplicate spatial dimension '" +
                                           o.name + "'");
          return;
        }
      if (buildSpatial(blk, sc, sd, late))
        node.spatial.push_back(std::move(sd));
      return;
    }
    if (blk.kind == "attributes") {
      buildAttributes(blk, sc, node.modelAttributes, late);
      return;
    }
    if (blk.kind == "bits_per_value" || blk.kind == "values_per_action") {
      if (!node.holdsTensors()) {
        diags.error(blk.kindRange, "only memories and tolls have '" +
                                       blk.kind + "'");
        return;
      }
      buildEntries(blk, sc,
                   blk.kind == "bits_per_value" ? node.bitsPerValue
                                                : node.valuesPerAction);
      return;
    }
    if (blk.kind == "tensors") {
      if (!node.holdsTensors()) {
        diags.error(blk.kindRange, "only memories and tolls hold tensors");
        return;
      }
      walk(blk.body, sc, [&](const ast::Stmt &s, MutableScope inner) {
        if (auto *f = dyn_cast<ast::FieldStmt>(&s))
          buildFields(*f, inner, schema, node.fields, owner, late);
        else
          diags.error(s.getRange(), "'tensors' holds placement fields such "
                                    "as 'keep = input;'");
      });
      return;
    }
    static const std::vector<std::string> blocks = {
        "action", "spatial", "attributes", "bits_per_value",
        "values_per_action", "tensors"};
    diags.error(blk.kindRange, "unknown block '" + blk.kind + "' in " + owner +
                                   didYouMean(blk.kind, blocks));
  }

  //===--------------------------------------------------------------------===//
  // Workload
  //===--------------------------------------------------------------------===//

  struct RawAccess {
    std::string tensor;
    SMRange range;
    std::vector<RankProjection> projection;
    bool isOutput;
  };
  struct RawEinsum {
    const ast::EinsumStmt *stmt;
    MutableScope scope;
    std::string name;
    SMRange range;
    std::vector<RawAccess> accesses;
    std::vector<const ast::BlockStmt *> renames;
    std::vector<std::pair<const ast::BlockStmt *, MutableScope>> tensorBlocks;
    std::vector<std::pair<const ast::Expr *, MutableScope>> constraints;
    std::vector<std::pair<const ast::FieldStmt *, MutableScope>> rankSizes;
    std::vector<MutableScope> renameScopes;
    bool isCopy = false;
    int64_t nInstances = 1;
  };

  /// Splits an affine projection into terms. Names bound to numbers are
  /// constants; other names are rank variables.
  bool projectionTerms(const ast::Expr &e, const Scope &scope, int64_t sign,
                       RankProjection &out) {
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
            return projectionTerms(v, scope, sign * (int64_t)k->asNumber(),
                                   out);
          q.reset();
        }
      }
    }
    diags.error(e.getRange(), "a projection must be an affine expression of "
                              "rank variables, such as 'm', '2*m' or 'p + r'");
    return false;
  }

  bool collectAccess(const ast::IndexExpr &ix, const Scope &scope,
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
                    "'P: " + std::string(item.expr->text()) + "'");
        return false;
      }
      if (!ranks.insert(p.rank).second) {
        diags.error(item.expr->getRange(), "rank '" + p.rank +
                                               "' appears twice in the "
                                               "access to '" + *name + "'");
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

  void collectInputs(const ast::Expr &e, const Scope &scope, RawEinsum &raw) {
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

  /// Reads `lo <= rv < hi` style constraints into bounds.
  void applyConstraint(const ast::Expr &e, const Scope &scope,
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
                                       "finite whole number, got " + v->str());
        return;
      }
      double x = v->asNumber();
      std::string var = lv ? *lv : *rv;
      // Normalise to `var op x`.
      if (rv) {
        switch (op) {
        case ast::CompareOp::Lt: op = ast::CompareOp::Gt; break;
        case ast::CompareOp::Le: op = ast::CompareOp::Ge; break;
        case ast::CompareOp::Gt: op = ast::CompareOp::Lt; break;
        case ast::CompareOp::Ge: op = ast::CompareOp::Le; break;
        default: break;
        }
      }
      auto &b = bounds.try_emplace(var, -INFINITY, INFINITY).first->second;
      where.try_emplace(var, e.getRange());
      switch (op) {
      case ast::CompareOp::Lt: b.second = std::min(b.second, x - 1); break;
      case ast::CompareOp::Le: b.second = std::min(b.second, x); break;
      case ast::CompareOp::Gt: b.first = std::max(b.first, x + 1); break;
      case ast::CompareOp::Ge: b.first = std::max(b.first, x); break;
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

  void buildWorkload(const Decl &d) {
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
          diags.error(inc->name->range, "workload '" + *name +
                                            "' includes itself");
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
          diags.error(f->target.range,
                      "unknown field '" + name + "' in workload" +
                          didYouMean(name, {"persistent_tensors",
                                            "n_instances"}));
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
        diags.error(b->kindRange, "unknown block '" + b->kind +
                                      "' in workload" +
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

  std::set<std::string> includedWorkloads() {
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

  void buildRawEinsum(const ast::EinsumStmt &e, MutableScope sc,
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
                          didYouMean(name, {"is_copy_operation",
                                            "n_instances"}));
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
          diags.error(b->kindRange, "unknown block '" + b->kind +
                                        "' in einsum" +
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

  /// Evaluates a rename block in order, each role visible to the next.
  void applyRenames(const ast::BlockStmt &b, MutableScope defScope,
                    MutableScope symbols, Einsum &e,
                    std::vector<std::pair<std::string, SMRange>> &defined,
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
            diags.error(f->target.range, "rename '" + role + "' is defined "
                                         "twice for einsum '" + e.name + "'");
          }
          return;
        }
        std::optional<Value> v = eval.eval(*f->value, *sc);
        if (!v)
          return;
        if (!v->isSet() || v->asSet().universe != NameSet::Tensors) {
          diags.error(f->value->getRange(), "rename '" + role +
                                                "' must be a set of tensors, "
                                                "not " + v->describe());
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
        diags.error(f->target.range, "expected_count for unknown rename '" +
                                         role + "'");
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
                        set->str() + " (" +
                        std::to_string(set->names.size()) +
                        " tensors), but " + want->str() + " are expected");
      }
    }
  }

  void finishWorkload(
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
                                       "einsum (" + t.writers[0] + ", " +
                                       t.writers[1] + ")");

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
            auto &b = eb.try_emplace(t.rankVariable, -INFINITY, INFINITY)
                          .first->second;
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
          diags.error(r.range, "rank variable '" + rv + "' of einsum '" +
                                   r.name + "' has no finite bound");
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
      e.symbols = {{"All", set(all)},
                   {"Tensors", set(all)},
                   {"Nothing", set({})},
                   {"Inputs", set(inputs)},
                   {"Outputs", set(outputs)},
                   {"Intermediates", set(inter)},
                   {"Shared", set(shared)}};
      for (const std::string &t : allTensors)
        e.symbols.push_back(
            {t, set(std::find(all.begin(), all.end(), t) != all.end()
                        ? std::vector<std::string>{t}
                        : std::vector<std::string>{})});
      for (const RankVariable &rv : w.rankVariables)
        e.symbols.push_back(
            {rv.name, Value::set(NameSet::of(
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
                                      "tensors, not " + key->describe());
          continue;
        }
        if (!checkType({"bits_per_value", FieldType::Quantity, dim::bits},
                       *val, ke.value.range(), "workload"))
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
            if (checkType({"bits_per_value", FieldType::Quantity, dim::bits},
                          *v, f->value->getRange(), "tensor"))
              bpv[*tname] = {v->asNumber(), f->value->getRange()};
          } else {
            acc->persistent = v->truthy();
          }
        });
      }
      for (TensorAccess &a : e.accesses) {
        auto it = bpv.find(a.tensor);
        if (it == bpv.end()) {
          diags.error(a.range, "tensor '" + a.tensor +
                                   "' has no bits per value");
          diags.note(w.range, "give the workload a 'bits_per_value { All: 8; "
                              "}' block or the tensor a 'tensor " + a.tensor +
                                  " { bits_per_value = 8; }'");
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
                                          "of tensors, not " + v->describe());
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

  //===--------------------------------------------------------------------===//
  // Mapping, mapper, study
  //===--------------------------------------------------------------------===//

  std::optional<std::string> symbolName(const ast::Expr &e, const Scope &sc) {
    if (auto *n = dyn_cast<ast::NameExpr>(&e))
      return eval.evalName(n->name, sc);
    if (auto *s = dyn_cast<ast::StringExpr>(&e))
      return s->value;
    diags.error(e.getRange(), "expected a name");
    return std::nullopt;
  }

  void buildMappingNodes(const ast::StmtList &body, MutableScope scope,
                         std::vector<MappingNode> &out) {
    static const std::vector<std::string> kinds = {
        "storage", "toll", "temporal", "spatial", "compute", "sequential",
        "pipeline", "nested"};
    walk(body, scope, [&](const ast::Stmt &s, MutableScope sc) {
      auto *b = dyn_cast<ast::BlockStmt>(&s);
      if (!b ||
          std::find(kinds.begin(), kinds.end(), b->kind) == kinds.end()) {
        diags.error(b ? b->kindRange : s.getRange(),
                    "expected a mapping node (storage, temporal, spatial, "
                    "compute, sequential, pipeline, nested)" +
                        (b ? didYouMean(b->kind, kinds) : std::string()));
        return;
      }
      MappingNode n;
      n.range = b->getRange();
      static const std::map<std::string, MappingNode::Kind> km = {
          {"storage", MappingNode::Storage},
          {"toll", MappingNode::Toll},
          {"temporal", MappingNode::Temporal},
          {"spatial", MappingNode::Spatial},
          {"compute", MappingNode::Compute},
          {"sequential", MappingNode::Sequential},
          {"pipeline", MappingNode::Pipeline},
          {"nested", MappingNode::Nested}};
      n.kind = km.at(b->kind);
      bool branch = n.kind == MappingNode::Sequential ||
                    n.kind == MappingNode::Pipeline ||
                    n.kind == MappingNode::Nested;
      if (branch) {
        buildMappingNodes(b->body, sc, n.children);
        out.push_back(std::move(n));
        return;
      }
      if (b->hasBody) {
        diags.error(b->kindRange, "a " + b->kind + " node has no body; its "
                                  "settings go in parentheses");
        return;
      }
      std::string head;
      if (b->name) {
        auto nm = eval.evalName(*b->name, *sc);
        if (!nm)
          return;
        head = *nm;
      } else {
        diags.error(b->kindRange, "a " + b->kind + " node needs a name: " +
                                      (n.kind == MappingNode::Compute
                                           ? "the einsum"
                                       : n.kind == MappingNode::Storage ||
                                               n.kind == MappingNode::Toll
                                           ? "the component"
                                           : "the rank variable"));
        return;
      }
      for (const ast::CallExpr::Arg &a : b->args) {
        if (a.keyword.empty()) {
          if (n.kind == MappingNode::Storage || n.kind == MappingNode::Toll) {
            // Tensor names; a list value (from a comprehension) expands.
            Evaluator q(nullptr);
            std::optional<Value> v = q.eval(*a.value, *sc);
            if (v && v->isList()) {
              for (const Value &x : v->asList())
                if (x.isString())
                  n.tensors.push_back(x.asString());
              continue;
            }
            if (auto t = symbolName(*a.value, *sc))
              n.tensors.push_back(*t);
          } else if (n.kind == MappingNode::Compute) {
            if (auto c = symbolName(*a.value, *sc))
              n.component = *c;
          } else if (n.kind == MappingNode::Spatial) {
            auto *m = dyn_cast<ast::MemberExpr>(a.value.get());
            std::optional<std::string> comp;
            if (m)
              comp = symbolName(*m->base, *sc);
            if (!m || !comp) {
              diags.error(a.value->getRange(), "a spatial loop names its "
                                               "fanout as Component.dimension");
              continue;
            }
            n.component = *comp;
            n.dimension = m->member;
          } else {
            diags.error(a.value->getRange(), "unexpected argument; use "
                                             "tile_shape = N or loop_bound = N");
          }
          continue;
        }
        if (a.keyword == "tile_shape" || a.keyword == "loop_bound") {
          std::optional<Value> v = eval.eval(*a.value, *sc);
          if (!v)
            continue;
          if (!v->isNumber() || v->asNumber() < 1 ||
              v->asNumber() != std::floor(v->asNumber()) ||
              std::isinf(v->asNumber())) {
            diags.error(a.value->getRange(), a.keyword +
                                                 " must be a positive whole "
                                                 "number, got " + v->str());
            continue;
          }
          (a.keyword == "tile_shape" ? n.tileShape : n.loopBound) =
              (int64_t)v->asNumber();
        } else if (a.keyword == "persistent") {
          std::optional<Value> v = eval.eval(*a.value, *sc);
          if (v)
            n.persistent = v->truthy();
        } else {
          diags.error(a.keywordRange, "unknown setting '" + a.keyword + "'" +
                                          didYouMean(a.keyword,
                                                     {"tile_shape",
                                                      "loop_bound",
                                                      "persistent"}));
        }
      }
      switch (n.kind) {
      case MappingNode::Storage:
      case MappingNode::Toll:
        n.component = head;
        if (n.tensors.empty())
          diags.error(b->getRange(), "a storage node lists the tensors it "
                                     "keeps, e.g. 'storage GlobalBuffer(T0, "
                                     "W0);'");
        break;
      case MappingNode::Temporal:
      case MappingNode::Spatial:
        n.rankVariable = head;
        if (!n.tileShape && !n.loopBound)
          diags.error(b->getRange(), "a loop needs tile_shape = N or "
                                     "loop_bound = N");
        if (n.kind == MappingNode::Spatial && n.component.empty())
          diags.error(b->getRange(), "a spatial loop names its fanout, e.g. "
                                     "'spatial n1(ProcessingElement.X, "
                                     "tile_shape = 1);'");
        break;
      case MappingNode::Compute:
        n.einsum = head;
        if (n.component.empty())
          diags.error(b->getRange(), "a compute node names the compute unit, "
                                     "e.g. 'compute Matmul0(MAC);'");
        break;
      default:
        break;
      }
      out.push_back(std::move(n));
    });
  }

  void buildMapping(const Decl &d) {
    Mapping m;
    m.name = d.name;
    m.range = d.block->name ? d.block->name->range : d.block->kindRange;
    buildMappingNodes(d.block->body, std::make_shared<Scope>(d.scope),
                      m.nodes);
    spec->mappings.push_back(std::move(m));
  }

  unsigned parseMetric(const ast::Expr &e) {
    static const std::map<std::string, unsigned> names = {
        {"energy", MetricEnergy},
        {"latency", MetricLatency},
        {"edp", MetricEDP},
        {"energy_delay_product", MetricEDP},
        {"dynamic_energy", MetricDynamicEnergy},
        {"leak_energy", MetricLeakEnergy},
        {"resource_usage", MetricResourceUsage},
        {"actions", MetricActions},
        {"detailed_memory_usage", MetricDetailedMemoryUsage}};
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
    std::string lower = llvm::StringRef(name).lower();
    auto it = names.find(lower);
    if (it == names.end()) {
      std::vector<std::string> all;
      for (auto &kv : names)
        all.push_back(kv.first);
      diags.error(e.getRange(), "unknown metric '" + std::string(e.text()) +
                                    "'" + didYouMean(lower, all) +
                                    " (combine metrics with '|')");
      return 0;
    }
    return it->second;
  }

  MapperSettings buildMapper(const ast::BlockStmt *b, MutableScope scope,
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
             diags.error(f->target.range, "mapper setting '" + key +
                                              "' is set twice");
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
           if (key == "unfused")
             m.unfused = v->truthy();
           else
             m.settings[key] = *v;
         });
    return m;
  }

  const ArchNode *sweepComponent(const Arch *arch, const ast::Name &n,
                                 const std::string &name) {
    if (!arch)
      return nullptr;
    const ArchNode *node = arch->find(name);
    if (!node) {
      std::vector<std::string> names;
      std::function<void(const std::vector<ArchNode> &)> collect =
          [&](const std::vector<ArchNode> &ns) {
            for (const ArchNode &x : ns) {
              names.push_back(x.name);
              collect(x.children);
            }
          };
      collect(arch->nodes);
      diags.error(n.range, "architecture '" + arch->name +
                               "' has no component '" + name + "'" +
                               didYouMean(name, names));
    }
    return node;
  }

  void buildSweep(const ast::SweepStmt &s, MutableScope sc, Study &study) {
    SweepGroup g;
    g.zipped = s.zipped;
    const Arch *arch = spec->arch(study.arch);
    for (const ast::SweepStmt::Axis &a : s.axes) {
      SweepAxis axis;
      axis.target = a.target.spelling();
      axis.range = a.target.range;
      std::vector<std::string> parts;
      for (const ast::Name &n : a.target.parts) {
        auto p = eval.evalName(n, *sc);
        if (!p)
          return;
        parts.push_back(*p);
      }
      Dimension expected = dim::none;
      bool known = false;
      if (parts.size() == 1) {
        axis.targetKind = SweepAxis::Parameter;
        axis.field = parts[0];
        known = std::any_of(spec->params.begin(), spec->params.end(),
                            [&](const ParamInfo &p) {
                              return p.name == parts[0];
                            });
        if (!known) {
          std::vector<std::string> names;
          for (const ParamInfo &p : spec->params)
            names.push_back(p.name);
          diags.error(a.target.range, "no parameter named '" + parts[0] +
                                          "'" + didYouMean(parts[0], names));
          diags.note(a.target.range, "a sweep target is a parameter or a "
                                     "path such as GlobalBuffer.size");
          return;
        }
        for (const ParamInfo &p : spec->params)
          if (p.name == parts[0] && p.value.isNumber())
            expected = p.value.getDimension();
      } else if (parts.size() == 2 || parts.size() == 3) {
        const ArchNode *node = sweepComponent(arch, a.target.parts[0], parts[0]);
        if (!node)
          return;
        axis.component = parts[0];
        std::string kind = std::string(spell(node->kind));
        if (parts.size() == 3) {
          axis.targetKind = SweepAxis::ActionField;
          axis.action = parts[1];
          axis.field = parts[2];
          if (!node->action(parts[1])) {
            diags.error(a.target.parts[1].range,
                        "component '" + parts[0] + "' has no action '" +
                            parts[1] + "'");
            return;
          }
          const FieldSpec *fs = findField(actionFields(), parts[2]);
          if (!fs) {
            diags.error(a.target.parts[2].range,
                        "unknown action field '" + parts[2] + "'" +
                            didYouMean(parts[2], fieldNames(actionFields())));
            return;
          }
          expected = fs->dimension;
        } else if (const FieldSpec *fs =
                       findField(componentFields(kind), parts[1])) {
          axis.targetKind = SweepAxis::ComponentField;
          axis.field = parts[1];
          expected = fs->dimension;
        } else if (node->modelAttributes.count(parts[1]) ||
                   arch->modelAttributesForAll.count(parts[1])) {
          axis.targetKind = SweepAxis::ModelAttribute;
          axis.field = parts[1];
          const Field &f = node->modelAttributes.count(parts[1])
                               ? node->modelAttributes.at(parts[1])
                               : arch->modelAttributesForAll.at(parts[1]);
          if (f.value && f.value->isNumber())
            expected = f.value->getDimension();
        } else {
          std::vector<std::string> names = fieldNames(componentFields(kind));
          for (auto &kv : node->modelAttributes)
            names.push_back(kv.first);
          diags.error(a.target.parts[1].range,
                      "'" + parts[1] + "' is not a field or model attribute "
                      "of " + kind + " '" + parts[0] + "'" +
                          didYouMean(parts[1], names));
          return;
        }
      } else {
        diags.error(a.target.range, "a sweep target is a parameter, "
                                    "Component.field or "
                                    "Component.action.field");
        return;
      }
      std::optional<Value> values = eval.eval(*a.values, *sc);
      if (!values)
        return;
      if (!values->isList()) {
        diags.error(a.values->getRange(),
                    "a sweep takes a list of values (a list, range, logspace "
                    "or linspace), not " + values->describe());
        return;
      }
      if (values->asList().empty()) {
        diags.error(a.values->getRange(), "a sweep needs at least one value");
        return;
      }
      for (const Value &v : values->asList()) {
        if (v.isNumber() && !v.getDimension().isDimensionless() &&
            v.getDimension() != expected && !expected.isDimensionless()) {
          diags.error(a.values->getRange(),
                      "'" + axis.target + "' is " + expected.describe() +
                          " (" + expected.str() + "), but the sweep gives " +
                          v.getDimension().describe() + " (" +
                          v.getDimension().str() + ")");
          return;
        }
        if (v.isNumber() && v.asNumber() < 0 &&
            axis.targetKind != SweepAxis::Parameter) {
          diags.error(a.values->getRange(), "a swept '" + axis.target +
                                                "' must not be negative");
          return;
        }
      }
      axis.values = values->asList();
      g.axes.push_back(std::move(axis));
    }
    if (g.zipped)
      for (const SweepAxis &ax : g.axes)
        if (ax.values.size() != g.axes[0].values.size()) {
          diags.error(ax.range, "zipped sweeps must have the same number of "
                                "values: '" + ax.target + "' has " +
                                    std::to_string(ax.values.size()) +
                                    ", '" + g.axes[0].target + "' has " +
                                    std::to_string(g.axes[0].values.size()));
          return;
        }
    study.sweeps.push_back(std::move(g));
  }

  void buildStudy(const Decl &d) {
    Study study;
    study.name = d.name;
    study.range = d.block->name ? d.block->name->range : d.block->kindRange;
    auto scope = std::make_shared<Scope>(d.scope);
    std::vector<std::pair<const ast::SweepStmt *, MutableScope>> sweeps;
    bool haveMapper = false;
    walk(d.block->body, scope, [&](const ast::Stmt &s, MutableScope sc) {
      if (auto *f = dyn_cast<ast::FieldStmt>(&s)) {
        std::string key = f->target.spelling();
        static const std::vector<std::string> keys = {"arch", "workload",
                                                      "mapping", "mapper"};
        if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
          diags.error(f->target.range, "unknown study field '" + key + "'" +
                                           didYouMean(key, keys));
          return;
        }
        std::optional<std::string> ref = symbolName(*f->value, *sc);
        if (!ref)
          return;
        auto check = [&](const char *kind, bool found) {
          if (found)
            return true;
          std::vector<std::string> names;
          for (const Decl &x : declsOf(kind))
            names.push_back(x.name);
          diags.error(f->value->getRange(), std::string("no ") + kind +
                                                " named '" + *ref + "'" +
                                                didYouMean(*ref, names));
          return false;
        };
        if (key == "arch" && check("arch", spec->arch(*ref)))
          study.arch = *ref;
        else if (key == "workload" && check("workload", spec->workload(*ref)))
          study.workload = *ref;
        else if (key == "mapping" && check("mapping", spec->mapping(*ref)))
          study.mapping = *ref;
        else if (key == "mapper") {
          bool found = false;
          for (const MapperSettings &m : spec->mappers)
            if (m.name == *ref) {
              study.mapper = m;
              found = haveMapper = true;
            }
          check("mapper", found);
        }
        return;
      }
      if (auto *sw = dyn_cast<ast::SweepStmt>(&s)) {
        sweeps.push_back({sw, sc});
        return;
      }
      auto *b = dyn_cast<ast::BlockStmt>(&s);
      if (!b) {
        diags.error(s.getRange(), "unexpected statement in study");
        return;
      }
      if (b->kind == "mapper") {
        study.mapper = buildMapper(b, sc, "");
        haveMapper = true;
      } else if (b->kind == "params") {
        walk(b->body, sc, [&](const ast::Stmt &ps, MutableScope pc) {
          auto *f = dyn_cast<ast::FieldStmt>(&ps);
          if (!f) {
            diags.error(ps.getRange(), "params holds 'NAME = value;'");
            return;
          }
          std::string key = f->target.spelling();
          bool known = std::any_of(spec->params.begin(), spec->params.end(),
                                   [&](const ParamInfo &p) {
                                     return p.name == key;
                                   }) ||
                       declaredRequired(key);
          if (!known) {
            diags.error(f->target.range, "no parameter named '" + key + "'");
            return;
          }
          std::optional<Value> v = eval.eval(*f->value, *pc);
          if (v)
            study.params[key] = *v;
        });
      } else if (b->kind == "report") {
        if (!b->label) {
          diags.error(b->kindRange, "a report names its output file, e.g. "
                                    "'report \"results.csv\";'");
          return;
        }
        Report r;
        r.path = *b->label;
        r.range = b->labelRange;
        llvm::StringRef ext = llvm::StringRef(r.path).rsplit('.').second;
        if (ext == "csv" || ext == "json" || ext == "md")
          r.format = ext.str();
        else {
          diags.error(b->labelRange, "a report file must end in .csv, .json "
                                     "or .md");
          return;
        }
        study.reports.push_back(r);
      } else if (b->kind == "plot") {
        buildPlot(*b, sc, study);
      } else {
        static const std::vector<std::string> blocks = {"mapper", "params",
                                                        "report", "plot"};
        diags.error(b->kindRange, "unknown block '" + b->kind + "' in study" +
                                      didYouMean(b->kind, blocks));
      }
    });
    if (study.arch.empty())
      diags.error(study.range, "study '" + study.name + "' needs 'arch = ...;'");
    if (study.workload.empty())
      diags.error(study.range, "study '" + study.name +
                                   "' needs 'workload = ...;'");
    for (auto &[sw, sc] : sweeps)
      buildSweep(*sw, sc, study);
    (void)haveMapper;
    spec->studies.push_back(std::move(study));
  }

  bool declaredRequired(const std::string &name) {
    return std::find(missingRequired.begin(), missingRequired.end(), name) !=
           missingRequired.end();
  }

  void buildPlot(const ast::BlockStmt &b, MutableScope sc, Study &study) {
    if (!b.label) {
      diags.error(b.kindRange, "a plot names its output file, e.g. 'plot "
                               "\"energy.svg\" { ... }'");
      return;
    }
    Plot p;
    p.path = *b.label;
    p.range = b.labelRange;
    llvm::StringRef ext = llvm::StringRef(p.path).rsplit('.').second;
    if (ext != "svg" && ext != "png" && ext != "pdf") {
      diags.error(b.labelRange, "a plot file must end in .svg, .png or .pdf");
      return;
    }
    static const std::vector<std::string> keys = {
        "x", "y", "kind", "log_x", "log_y", "title", "x_label", "y_label"};
    walk(b.body, sc, [&](const ast::Stmt &s, MutableScope ps) {
      auto *f = dyn_cast<ast::FieldStmt>(&s);
      if (!f) {
        diags.error(s.getRange(), "plot settings are 'name = value;'");
        return;
      }
      std::string key = f->target.spelling();
      if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
        diags.error(f->target.range, "unknown plot setting '" + key + "'" +
                                         didYouMean(key, keys));
        return;
      }
      if (key == "x" || key == "y" || key == "kind") {
        // Symbolic: a result column or a swept path, checked when run.
        std::string text = f->value->text().str();
        text.erase(std::remove(text.begin(), text.end(), ' '), text.end());
        if (auto *str = dyn_cast<ast::StringExpr>(f->value.get()))
          text = str->value;
        p.references[key] = text;
        return;
      }
      std::optional<Value> v = eval.eval(*f->value, *ps);
      if (v)
        p.settings[key] = *v;
    });
    if (!p.references.count("y"))
      diags.error(b.labelRange, "a plot needs 'y = ...;' (what to draw)");
    study.plots.push_back(std::move(p));
  }

  DiagnosticEngine &diags;
  Evaluator eval;
  Evaluator quiet;
  const ParamOverrides &overrides;
  MutableScope globals;
  std::map<std::string, std::vector<Decl>> decls;
  std::set<std::string> renameRoles;
  std::vector<std::string> missingRequired;
  bool lenient = false;
  bool assertionFailed = false;
  std::string onlyStudyName;
  std::unique_ptr<Spec> spec = std::make_unique<Spec>();
};

} // namespace

ScopePtr afc::einsumScope(const Deferred &d, const Einsum &einsum,
                          const std::map<std::string, NameSet> &placements) {
  auto frame = std::make_shared<Scope>(d.scope, &einsum.context);
  for (auto &[k, v] : einsum.symbols)
    frame->define(k, v);
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
  Evaluator eval(&diags);
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
            diags.error(f.range, "'" + name + "' must be a set of tensors, "
                                                "not " + v->describe());
          if (v && fs && fs->type == FieldType::Quantity &&
              (!v->isNumber() ||
               (!v->getDimension().isDimensionless() &&
                v->getDimension() != fs->dimension)))
            diags.error(f.range, "'" + name + "' must be " +
                                     fs->dimension.describe() + ", not " +
                                     v->describe());
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
                                     "tensors, not " + key->describe());
        eval.eval(*k.value.expr, *sc);
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
afc::elaborate(const std::vector<const ast::Module *> &modules,
               const ParamOverrides &overrides, DiagnosticEngine &diags,
               bool checkStudies) {
  // First find the studies and the parameters they set, quietly: a program
  // whose required parameters only its studies provide is still valid.
  std::string scanErrors;
  llvm::raw_string_ostream scanStream(scanErrors);
  DiagnosticEngine scanDiags(diags.sourceMgr(), scanStream);
  std::vector<std::string> missing;
  auto studies =
      Elaborator(scanDiags, overrides).scanStudies(modules, missing);
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
                              "-D " + m + "=VALUE");
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
    if (checkStudies && program->arch(study.arch) &&
        program->workload(study.workload) &&
        !checkArchForWorkload(*program->arch(study.arch),
                              *program->workload(study.workload), diags))
      return nullptr;
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
      pairs.insert({s.arch, s.workload});
  if (spec->arches.size() == 1 && spec->workloads.size() == 1)
    pairs.insert({spec->arches[0].name, spec->workloads[0].name});
  for (auto &[a, w] : pairs)
    if (spec->arch(a) && spec->workload(w))
      checkArchForWorkload(*spec->arch(a), *spec->workload(w), diags);
  if (diags.hadError())
    return nullptr;
  return spec;
}
