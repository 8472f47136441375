//===- ElaborateMapping.cpp - mappings ------------------------------------===//
//
// Mapping declarations: the LoopTree of storage, temporal and spatial nodes,
// with symbols for the tile shapes that the mapper leaves free.
//
//===----------------------------------------------------------------------===//
#include "ElaboratorImpl.h"

#include "afc/support/Limits.h"

#include <cmath>

using namespace afc;
using namespace afc::sema;

std::optional<std::string> Elaborator::symbolName(const ast::Expr &e,
                                                  const Scope &sc) {
  if (auto *n = dyn_cast<ast::NameExpr>(&e))
    return eval.evalName(n->name, sc);
  if (auto *s = dyn_cast<ast::StringExpr>(&e))
    return s->value;
  diags.error(e.getRange(), "expected a name");
  return std::nullopt;
}

void Elaborator::buildMappingNodes(const ast::StmtList &body,
                                   MutableScope scope,
                                   std::vector<MappingNode> &out) {
  static const std::vector<std::string> kinds = {
      "storage", "toll",       "temporal", "spatial",
      "compute", "sequential", "pipeline", "nested"};
  walk(body, scope, [&](const ast::Stmt &s, MutableScope sc) {
    auto *b = dyn_cast<ast::BlockStmt>(&s);
    if (!b || std::find(kinds.begin(), kinds.end(), b->kind) == kinds.end()) {
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
      diags.error(b->kindRange, "a " + b->kind +
                                    " node has no body; its "
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
      diags.error(
          b->kindRange,
          "a " + b->kind + " node needs a name: " +
              (n.kind == MappingNode::Compute ? "the einsum"
               : n.kind == MappingNode::Storage || n.kind == MappingNode::Toll
                   ? "the component"
                   : "the rank variable"));
      return;
    }
    for (const ast::CallExpr::Arg &a : b->args) {
      if (a.keyword.empty()) {
        if (n.kind == MappingNode::Storage || n.kind == MappingNode::Toll) {
          // Tensor names; a list value (from a comprehension) expands.
          ExprEvaluator q(nullptr);
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
            !isExactInteger(v->asNumber())) {
          diags.error(a.value->getRange(), a.keyword +
                                               " must be a positive whole "
                                               "number of at most 2**53, got " +
                                               v->str());
          continue;
        }
        (a.keyword == "tile_shape" ? n.tileShape : n.loopBound) =
            (int64_t)v->asNumber();
      } else if (a.keyword == "persistent") {
        std::optional<Value> v = eval.eval(*a.value, *sc);
        if (v)
          n.persistent = v->truthy();
      } else {
        diags.error(a.keywordRange,
                    "unknown setting '" + a.keyword + "'" +
                        didYouMean(a.keyword,
                                   {"tile_shape", "loop_bound", "persistent"}));
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

void Elaborator::buildMapping(const Decl &d) {
  Mapping m;
  m.name = d.name;
  m.range = d.block->name ? d.block->name->range : d.block->kindRange;
  buildMappingNodes(d.block->body, std::make_shared<Scope>(d.scope), m.nodes);
  spec->mappings.push_back(std::move(m));
}

