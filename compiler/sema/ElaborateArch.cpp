//===- ElaborateArch.cpp - architectures ------------------------------===//
//
// Architecture declarations: nodes, component fields checked against their
// schemas, actions, spatial fanouts, model attributes and keyed maps.
//
//===----------------------------------------------------------------------===//
#include "ElaboratorImpl.h"

#include "afc/parse/Parser.h"

#include "llvm/Support/MemoryBuffer.h"

using namespace afc;
using namespace afc::sema;

std::set<std::string>
Elaborator::lateNamesFor(const ast::BlockStmt &archBlock) {
  std::set<std::string> names(std::begin(kLateSymbols), std::end(kLateSymbols));
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

void Elaborator::buildArch(const Decl &d) {
  Arch arch;
  arch.name = d.name;
  arch.range = d.block->name ? d.block->name->range : d.block->kindRange;
  auto scope = std::make_shared<Scope>(d.scope);
  std::set<std::string> late = lateNamesFor(*d.block);
  std::map<std::string, SMRange> seen;
  buildNodes(d.block->body, scope, arch, arch.nodes, late, seen, true);
  std::vector<Arch::Path> paths = arch.paths();
  if (paths.empty())
    diags.error(arch.range,
                "architecture '" + arch.name + "' has no compute node");
  spec->arches.push_back(std::move(arch));
}

/// `array Name { spatial ...; nodes }` is elaborated as the container form
/// it abbreviates: `container Name { spatial ...; }` followed by the nodes,
/// which therefore sit below the array's fanout like any node after a
/// container. An array arrives here as a container holding its nodes.
static void appendNode(std::vector<ArchNode> &out, ArchNode node) {
  std::vector<ArchNode> below;
  if (node.kind == NodeKind::Container)
    below.swap(node.children);
  out.push_back(std::move(node));
  for (ArchNode &c : below)
    out.push_back(std::move(c));
}

void Elaborator::buildNodes(const ast::StmtList &body, MutableScope scope,
                            Arch &arch, std::vector<ArchNode> &out,
                            const std::set<std::string> &late,
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
    appendNode(out, std::move(node));
  });
}

void Elaborator::buildAttributes(const ast::BlockStmt &b, MutableScope scope,
                                 FieldMap &out,
                                 const std::set<std::string> &late) {
  static const FieldSpec any{"attribute", FieldType::Any, dim::none,
                             FieldTime::PerEinsum};
  walk(b.body, scope, [&](const ast::Stmt &s, MutableScope sc) {
    auto *f = dyn_cast<ast::FieldStmt>(&s);
    if (!f || f->target.parts.size() != 1) {
      diags.error(s.getRange(), "'attributes' holds 'name = value;' "
                                "entries only");
      return;
    }
    std::optional<std::string> name = eval.evalName(f->target.parts[0], *sc);
    if (!name)
      return;
    if (out.count(*name)) {
      diags.error(f->target.range, "duplicate attribute '" + *name + "'");
      diags.note(out[*name].range, "previous value is here");
      return;
    }
    out[*name] = makeField(any, *f->value, sc, "attributes", late);
    out[*name].nameRange = f->target.range;
  });
}

void Elaborator::buildFields(const ast::FieldStmt &f, MutableScope sc,
                             const std::vector<FieldSpec> &schema,
                             FieldMap &out, llvm::StringRef owner,
                             const std::set<std::string> &late,
                             MutableScope publish) {
  if (f.target.parts.size() != 1) {
    diags.error(f.target.range, "a field name cannot be a dotted path here");
    return;
  }
  std::optional<std::string> name = eval.evalName(f.target.parts[0], *sc);
  if (!name)
    return;
  const FieldSpec *spec = findField(schema, *name);
  if (!spec) {
    diags.error(f.target.range, "unknown field '" + *name + "' in " +
                                    owner.str() +
                                    didYouMean(*name, fieldNames(schema)));
    return;
  }
  if (out.count(*name)) {
    diags.error(f.target.range, "field '" + *name + "' is set twice");
    diags.note(out[*name].range, "first set here");
    return;
  }
  out[*name] = makeField(*spec, *f.value, sc, owner, late);
  out[*name].nameRange = f.target.range;
  // Later fields of the same block may refer to this one by name.
  if (publish && out[*name].value)
    publish->define(*name, *out[*name].value);
}

void Elaborator::spliceFields(const ast::BlockStmt &blk, MutableScope sc,
                              const std::vector<FieldSpec> &schema,
                              FieldMap &out, llvm::StringRef owner,
                              const std::set<std::string> &late) {
  if (blk.hasBody || blk.name || blk.label || blk.cls || !blk.hasArgs ||
      blk.args.size() != 1 || !blk.args[0].keyword.empty()) {
    diags.error(blk.kindRange, "'fields' takes one map, e.g. "
                               "'fields(EXTRA_CONSTRAINTS);'");
    return;
  }
  const ast::Expr &arg = *blk.args[0].value;
  std::optional<Value> v = eval.eval(arg, *sc);
  if (!v)
    return;
  if (!v->isRecord()) {
    diags.error(arg.getRange(), "'fields' takes a map such as {keep: "
                                "\"~MainMemory\"}, not " +
                                    v->describe());
    return;
  }
  for (auto &[key, val] : v->asRecord()) {
    const FieldSpec *fs = findField(schema, key);
    if (!fs) {
      diags.error(arg.getRange(), "unknown field '" + key +
                                      "' in the map given to 'fields' of " +
                                      owner.str() +
                                      didYouMean(key, fieldNames(schema)));
      continue;
    }
    if (!val.isString()) {
      diags.error(arg.getRange(),
                  "the value of '" + key + "' in the map given to 'fields' "
                  "is expression text, e.g. {" + key + ": \"...\"}, not " +
                      val.describe());
      continue;
    }
    // The text gets a buffer of its own, included from the `fields` call,
    // so that its errors point into it and name where it was spliced.
    auto buf = llvm::MemoryBuffer::getMemBufferCopy(
        val.asString(), "<" + arg.text().str() + "." + key + ">");
    unsigned id = diags.sourceMgr().AddNewSourceBuffer(std::move(buf),
                                                       arg.getRange().Start);
    std::shared_ptr<const ast::Expr> e = parseExpression(id, diags);
    if (!e)
      continue;
    spec->parsedExprs.push_back(e);
    out.erase(key);
    out[key] = makeField(*fs, *e, sc, owner, late);
    out[key].nameRange = arg.getRange();
  }
}

void Elaborator::buildEntries(const ast::BlockStmt &b, MutableScope scope,
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

bool Elaborator::buildNode(const ast::BlockStmt &b, MutableScope scope,
                           Arch &arch, ArchNode &node,
                           const std::set<std::string> &late,
                           std::map<std::string, SMRange> &seen) {
  static const std::map<std::string, NodeKind> kinds = {
      {"memory", NodeKind::Memory},       {"compute", NodeKind::Compute},
      {"container", NodeKind::Container}, {"toll", NodeKind::Toll},
      {"network", NodeKind::Network},     {"fork", NodeKind::Fork},
      {"array", NodeKind::Container}};
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
      diags.error(b.cls->range, "a " + b.kind +
                                    " is not a component and "
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
  if (node.kind == NodeKind::Fork || b.kind == "array") {
    // Structural nodes: an array declares its spatial dimensions.
    buildNodesWithSpatial(b, std::make_shared<Scope>(scope), arch, node,
                          late, seen);
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
                                "tensors) in " +
                                    owner);
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
  if (node.kind == NodeKind::Toll && !node.fields.count("direction") &&
      node.directions.empty())
    diags.error(node.range, "toll '" + node.name +
                                "' needs a 'direction' "
                                "(\"up\", \"down\" or \"up_and_down\", or "
                                "a block 'direction { input: \"up\"; ... }')");
  if (auto it = node.fields.find("direction");
      it != node.fields.end() && it->second.value) {
    const std::string &dir = it->second.value->asString();
    if (dir != "up" && dir != "down" && dir != "up_and_down")
      diags.error(it->second.range,
                  "direction must be \"up\", \"down\" or \"up_and_down\"" +
                      didYouMean(dir, {"up", "down", "up_and_down"}));
  }
  if (auto it = node.fields.find("topology");
      it != node.fields.end() && it->second.value) {
    const std::string &topology = it->second.value->asString();
    if (topology != "mesh" && topology != "all_to_all")
      diags.error(it->second.range,
                  "unknown network topology '" + topology +
                      "'; afc models \"mesh\" and \"all_to_all\"" +
                      didYouMean(topology, {"mesh", "all_to_all"}));
  }
  return true;
}

void Elaborator::buildNodesWithSpatial(const ast::BlockStmt &b,
                                       MutableScope scope, Arch &arch,
                                       ArchNode &node,
                                       const std::set<std::string> &late,
                                       std::map<std::string, SMRange> &seen) {
  // Split the body: spatial blocks describe the array; the rest are nodes.
  ast::StmtList dummy;
  walk(b.body, scope, [&](const ast::Stmt &s, MutableScope sc) {
    auto *blk = dyn_cast<ast::BlockStmt>(&s);
    if (blk && blk->kind == "spatial") {
      if (b.kind != "array") {
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
        "memory", "compute", "container", "toll", "network", "fork", "array"};
    if (!blk ||
        std::find(kinds.begin(), kinds.end(), blk->kind) == kinds.end()) {
      diags.error(s.getRange(), "a " + b.kind + " holds architecture nodes");
      return;
    }
    ArchNode child;
    if (buildNode(*blk, sc, arch, child, late, seen))
      appendNode(node.children, std::move(child));
  });
}

bool Elaborator::buildSpatial(const ast::BlockStmt &blk, MutableScope sc,
                              SpatialDimension &sd,
                              const std::set<std::string> &late) {
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
    diags.error(sd.range,
                "spatial dimension '" + sd.name + "' needs a 'fanout'");
    return false;
  }
  // may_reuse defaults to reuse when reuse is given, else to All.
  return true;
}

void Elaborator::buildMemoryConstraints(const ast::BlockStmt &blk,
                                        MutableScope sc, ArchNode &node) {
  bool tileShape = blk.kind == "tile_shape";
  if (node.kind != NodeKind::Memory) {
    diags.error(blk.kindRange, "only memories have '" + blk.kind + "'");
    return;
  }
  // Set expressions need the Einsum, so only the shape is checked here;
  // the mapper's lowering evaluates them per Einsum.
  walk(blk.body, sc, [&](const ast::Stmt &s, MutableScope inner) {
    auto *es = dyn_cast<ast::ExprStmt>(&s);
    if (tileShape && es) {
      node.tileShape.push_back({es->expr.get(), inner});
      return;
    }
    if (!tileShape && es && isa<ast::ListExpr>(es->expr.get())) {
      node.tensorOrderOptions.push_back({es->expr.get(), inner});
      return;
    }
    if (tileShape)
      diags.error(s.getRange(), "'tile_shape' holds comparisons such as "
                                "'m <= 4;' or 'product(m | n) == 16;'");
    else
      diags.error(s.getRange(),
                  "'tensor_order_options' holds lists of tensor sets, top "
                  "to bottom, such as '[output, input | weight];'");
  });
}

void Elaborator::buildComponentBlock(const ast::BlockStmt &blk, MutableScope sc,
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
      diags.error(blk.name->range,
                  "action '" + *n + "' is defined twice in " + owner);
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
    auto tp = a.fields.find("throughput");
    if (node.kind == NodeKind::Compute && tp != a.fields.end() &&
        tp->second.value && tp->second.value->isNumber() &&
        tp->second.value->getDimension() == dim::bandwidth)
      diags.error(tp->second.range,
                  bandwidthOnComputeMessage("'throughput' of " + aowner));
    node.actions.push_back(std::move(a));
    return;
  }
  if (blk.kind == "spatial") {
    SpatialDimension sd;
    for (const SpatialDimension &o : node.spatial)
      if (blk.name && blk.name->isPlain() &&
          o.name == blk.name->pieces[0].text) {
        diags.error(blk.name->range,
                    "duplicate spatial dimension '" + o.name + "'");
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
    // A network sizes its hops by the values it carries.
    bool allowed = node.holdsTensors() || (node.kind == NodeKind::Network &&
                                           blk.kind == "bits_per_value");
    if (!allowed) {
      diags.error(blk.kindRange,
                  "only memories and tolls have '" + blk.kind + "'");
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
      auto *b2 = dyn_cast<ast::BlockStmt>(&s);
      if (auto *f = dyn_cast<ast::FieldStmt>(&s))
        buildFields(*f, inner, schema, node.fields, owner, late);
      else if (b2 && b2->kind == "fields")
        spliceFields(*b2, inner, schema, node.fields, owner, late);
      else if (b2 && (b2->kind == "tile_shape" ||
                      b2->kind == "tensor_order_options"))
        buildMemoryConstraints(*b2, inner, node);
      else
        diags.error(s.getRange(), "'tensors' holds placement fields such "
                                  "as 'keep = input;'");
    });
    return;
  }
  if (blk.kind == "tile_shape" || blk.kind == "tensor_order_options") {
    buildMemoryConstraints(blk, sc, node);
    return;
  }
  if (blk.kind == "fields") {
    spliceFields(blk, sc, schema, node.fields, owner, late);
    return;
  }
  if (blk.kind == "direction") {
    if (node.kind != NodeKind::Toll) {
      diags.error(blk.kindRange, "only tolls have a 'direction'");
      return;
    }
    if (node.fields.count("direction")) {
      diags.error(blk.kindRange, "toll '" + node.name +
                                     "' has both a 'direction' field and "
                                     "a 'direction' block");
      diags.note(node.fields["direction"].nameRange, "the field is here");
      return;
    }
    buildEntries(blk, sc, node.directions);
    return;
  }
  static const std::vector<std::string> blocks = {
      "action",         "spatial",           "attributes",
      "bits_per_value", "values_per_action", "tensors",
      "fields",         "direction",         "tile_shape",
      "tensor_order_options"};
  diags.error(blk.kindRange, "unknown block '" + blk.kind + "' in " + owner +
                                 didYouMean(blk.kind, blocks));
}
