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


namespace {

/// Checks the names of one mapping against the architecture and workload it
/// is used with; each unknown name is one located error.
class MappingNameChecker {
public:
  MappingNameChecker(const Arch &arch, const Workload &workload,
                     DiagnosticEngine &diags)
      : arch(arch), workload(workload), diags(diags) {
    std::function<void(const std::vector<ArchNode> &)> collect =
        [&](const std::vector<ArchNode> &ns) {
          for (const ArchNode &n : ns) {
            if (n.holdsTensors())
              holders.push_back(n.name);
            if (n.kind == NodeKind::Compute)
              computes.push_back(n.name);
            if (!n.spatial.empty())
              fanouts.push_back(n.name);
            collect(n.children);
          }
        };
    collect(arch.nodes);
    for (const Einsum &e : workload.einsums)
      einsums.push_back(e.name);
    for (const Tensor &t : workload.tensors)
      tensors.push_back(t.name);
    for (const RankVariable &r : workload.rankVariables)
      rankVariables.push_back(r.name);
  }

  void check(const std::vector<MappingNode> &nodes) {
    for (const MappingNode &n : nodes)
      check(n);
  }

private:
  static bool contains(const std::vector<std::string> &names,
                       const std::string &name) {
    return std::find(names.begin(), names.end(), name) != names.end();
  }

  /// `name` must be one of `names`; `what` says what was expected, `where`
  /// where it was looked for.
  bool expect(const MappingNode &n, const std::string &name,
              const std::vector<std::string> &names, const std::string &what,
              const std::string &where) {
    if (contains(names, name))
      return true;
    diags.error(n.range, "mapping names " + what + " '" + name + "', but " +
                             where + " has none by that name" +
                             didYouMean(name, names));
    return false;
  }

  /// As expect(), for a component of the architecture: one of another kind
  /// is named as such.
  bool expectComponent(const MappingNode &n, const std::string &name,
                       const std::vector<std::string> &names,
                       const std::string &what) {
    const ArchNode *a = arch.find(name);
    if (!a || contains(names, name))
      return expect(n, name, names, what, archWhere());
    diags.error(n.range, "mapping names " + what + " '" + name + "', but '" +
                             name + "' is a " + spell(a->kind).str() +
                             " in " + archWhere());
    return false;
  }

  std::string archWhere() const { return "architecture '" + arch.name + "'"; }
  std::string workloadWhere() const {
    return "workload '" + workload.name + "'";
  }

  void check(const MappingNode &n) {
    switch (n.kind) {
    case MappingNode::Storage:
    case MappingNode::Toll:
      expectComponent(n, n.component, holders, "the tensor holder");
      for (const std::string &t : n.tensors)
        expect(n, t, tensors, "the tensor", workloadWhere());
      break;
    case MappingNode::Temporal:
      expect(n, n.rankVariable, rankVariables, "the rank variable",
             workloadWhere());
      break;
    case MappingNode::Spatial:
      expect(n, n.rankVariable, rankVariables, "the rank variable",
             workloadWhere());
      if (expectComponent(n, n.component, fanouts, "the fanout component")) {
        const ArchNode *a = arch.find(n.component);
        std::vector<std::string> dims;
        for (const SpatialDimension &s : a->spatial)
          dims.push_back(s.name);
        expect(n, n.dimension, dims, "the spatial dimension",
               "'" + n.component + "'");
      }
      break;
    case MappingNode::Compute:
      expect(n, n.einsum, einsums, "the Einsum", workloadWhere());
      expectComponent(n, n.component, computes, "the compute unit");
      break;
    case MappingNode::Sequential:
    case MappingNode::Pipeline:
    case MappingNode::Nested:
      check(n.children);
      break;
    }
  }

  const Arch &arch;
  const Workload &workload;
  DiagnosticEngine &diags;
  std::vector<std::string> holders, computes, fanouts, einsums, tensors,
      rankVariables;
};

} // namespace

bool afc::checkMappingNames(const Mapping &mapping, const Arch &arch,
                            const Workload &workload,
                            DiagnosticEngine &diags) {
  unsigned before = diags.errorCount();
  MappingNameChecker(arch, workload, diags).check(mapping.nodes);
  if (diags.errorCount() == before)
    return true;
  diags.note(mapping.range, "while checking mapping '" + mapping.name +
                                "' against architecture '" + arch.name +
                                "' and workload '" + workload.name + "'");
  return false;
}
