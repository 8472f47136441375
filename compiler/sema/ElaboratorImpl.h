//===- ElaboratorImpl.h - the elaborator's shared state ---------*- C++ -*-===//
//
// Private to compiler/sema: the Elaborator class, whose methods are split by
// what they elaborate (Elaborator.cpp: parameters, compile-time statements,
// fields and the entry points; ElaborateArch.cpp, ElaborateWorkload.cpp,
// ElaborateStudy.cpp). The IR's names are used unqualified here, as in the
// IR itself.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_SEMA_ELABORATORIMPL_H
#define AFC_SEMA_ELABORATORIMPL_H

#include "Schema.h"
#include "afc/sema/Elaborator.h"

#include "llvm/Support/Casting.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <set>

namespace afc::sema {

using namespace afc::ir;
using llvm::cast;
using llvm::dyn_cast;
using llvm::isa;
using llvm::SMRange;

using MutableScope = std::shared_ptr<Scope>;

/// Symbols that only exist once an Einsum, the mapper or the model supplies
/// them; an architecture may mention them before they are known.
inline const char *const kLateSymbols[] = {
    "All",           "Tensors", "Nothing",    "Inputs", "Outputs",
    "Intermediates", "Shared",  "Persistent", "Above",  "Other",
    "actions",       "input",   "output",     "weight",
    // A network's total_latency keywords (the model supplies them).
    "max_hops",      "max_link_traffic"};

/// Warns when a plain number (not 0 or inf) is given where the field means
/// a quantity with a unit: it is taken in the base unit, as the reference
/// does, and the warning says which.
void warnIfPlain(DiagnosticEngine &diags, const FieldSpec &spec,
                 const Value &v, SMRange r, const std::string &where);

/// The largest rank-variable extent (and bound) afc maps: 2^31 - 1, so that
/// tile shapes and loop bounds fit a 32-bit integer.
inline constexpr double kMaxRankExtent = 2147483647.0;

/// bits_per_value entries: a positive, finite number of bits.
inline const FieldSpec kBitsPerValueField = {
    "bits_per_value", FieldType::Quantity, dim::bits, FieldTime::Now,
    Bound::FinitePositive, true};

struct Decl {
  const ast::BlockStmt *block;
  MutableScope scope;
  std::string name;
};

class Elaborator {
public:
  Elaborator(DiagnosticEngine &diags, const ParamOverrides &overrides)
      : diags(diags), eval(&diags), overrides(overrides),
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
              std::vector<std::string> &missing);

  /// Builds only the named study (its program is this binding).
  void onlyStudy(const std::string &name) { onlyStudyName = name; }

  /// Builds no study at all (a design point's program).
  void noStudies() { skipStudies = true; }

  std::unique_ptr<Spec> run(const std::vector<const ast::Module *> &modules);

private:
  //===--------------------------------------------------------------------===//
  // Parameters and compile-time statements
  //===--------------------------------------------------------------------===//

  void bindParams(const std::vector<const ast::Module *> &modules);
  /// Records a parameter without a value that is required; an error unless
  /// elaboration is lenient.
  void reportMissing(const ast::Param &p);
  /// Decides the conditions of `param N if COND;` that had to wait for the
  /// top-level `let`s.
  void checkDeferredConditions();

  using StmtFn = std::function<void(const ast::Stmt &, MutableScope)>;

  /// Expands `let`, `for`, `if` and `assert`, calling `fn` for every other
  /// statement with the scope it sits in.
  void walk(const ast::StmtList &body, MutableScope scope, const StmtFn &fn);

  std::vector<Decl> &declsOf(const std::string &kind) { return decls[kind]; }

  void topLevel(const ast::Stmt &s, MutableScope scope);

  //===--------------------------------------------------------------------===//
  // Fields
  //===--------------------------------------------------------------------===//

  /// Checks a value against a field's schema; reports and returns false on
  /// mismatch.
  bool checkType(const FieldSpec &spec, const Value &v, SMRange r,
                 llvm::StringRef owner);

  /// Evaluates a field now if it can be. Fields that may depend on the
  /// Einsum, the mapper or the model are tried quietly; they stay deferred
  /// when they mention a symbol that only exists later.
  Field makeField(const FieldSpec &spec, const ast::Expr &e, MutableScope scope,
                  llvm::StringRef owner,
                  const std::set<std::string> &lateNames);

  //===--------------------------------------------------------------------===//
  // Architecture
  //===--------------------------------------------------------------------===//

  std::set<std::string> lateNamesFor(const ast::BlockStmt &archBlock);

  void buildArch(const Decl &d);

  void buildNodes(const ast::StmtList &body, MutableScope scope, Arch &arch,
                  std::vector<ArchNode> &out, const std::set<std::string> &late,
                  std::map<std::string, SMRange> &seen, bool top);

  void buildAttributes(const ast::BlockStmt &b, MutableScope scope,
                       FieldMap &out, const std::set<std::string> &late);

  /// Collects `name = value;` fields of a block against a schema.
  void buildFields(const ast::FieldStmt &f, MutableScope sc,
                   const std::vector<FieldSpec> &schema, FieldMap &out,
                   llvm::StringRef owner, const std::set<std::string> &late,
                   MutableScope publish = nullptr);

  /// `fields(MAP);`: each entry of the map adds or replaces a field; its
  /// value is expression text, as the reference renders a Jinja dict into
  /// its YAML.
  void spliceFields(const ast::BlockStmt &blk, MutableScope sc,
                    const std::vector<FieldSpec> &schema, FieldMap &out,
                    llvm::StringRef owner, const std::set<std::string> &late);

  void buildEntries(const ast::BlockStmt &b, MutableScope scope,
                    std::vector<KeyedEntry> &out);

  bool buildNode(const ast::BlockStmt &b, MutableScope scope, Arch &arch,
                 ArchNode &node, const std::set<std::string> &late,
                 std::map<std::string, SMRange> &seen);

  void buildNodesWithSpatial(const ast::BlockStmt &b, MutableScope scope,
                             Arch &arch, ArchNode &node,
                             const std::set<std::string> &late,
                             std::map<std::string, SMRange> &seen);

  bool buildSpatial(const ast::BlockStmt &blk, MutableScope sc,
                    SpatialDimension &sd, const std::set<std::string> &late);

  /// A memory's `tile_shape` or `tensor_order_options` block.
  void buildMemoryConstraints(const ast::BlockStmt &blk, MutableScope sc,
                              ArchNode &node);

  void buildComponentBlock(const ast::BlockStmt &blk, MutableScope sc,
                           ArchNode &node, const std::string &owner,
                           const std::vector<FieldSpec> &schema,
                           const std::set<std::string> &late);

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
                       RankProjection &out);
  bool projectionTooLarge(const ast::Expr &e);
  /// `lo <= p + r < hi` in an Einsum's iteration_space: a bound on an
  /// affine expression of several rank variables.
  struct AffineBound {
    RankProjection expr;
    double lower = -INFINITY, upper = INFINITY;
    SMRange range;
  };

  /// Points of the Einsum's iteration space: the box of its rank-variable
  /// bounds cut by every projection onto a rank with a size.
  double countPoints(
      const RawEinsum &r, const std::set<std::string> &rvs,
      const std::map<std::string, std::pair<double, double>> &bounds,
      const std::map<std::string, std::pair<double, SMRange>> &sizes,
      const std::vector<AffineBound> &affine);
  bool nInstancesExact(const Value &v, SMRange r);

  bool collectAccess(const ast::IndexExpr &ix, const Scope &scope,
                     bool isOutput, RawEinsum &raw);

  void collectInputs(const ast::Expr &e, const Scope &scope, RawEinsum &raw);

  /// Reads `lo <= rv < hi` style constraints into bounds; with `affine`,
  /// also bounds on expressions of several rank variables.
  void applyConstraint(const ast::Expr &e, const Scope &scope,
                       std::map<std::string, std::pair<double, double>> &bounds,
                       std::map<std::string, SMRange> &where,
                       std::vector<AffineBound> *affine = nullptr);

  void buildWorkload(const Decl &d);

  std::set<std::string> includedWorkloads();

  void buildRawEinsum(const ast::EinsumStmt &e, MutableScope sc,
                      std::vector<RawEinsum> &raws);

  /// Evaluates a rename block in order, each role visible to the next.
  void applyRenames(const ast::BlockStmt &b, MutableScope defScope,
                    MutableScope symbols, Einsum &e,
                    std::vector<std::pair<std::string, SMRange>> &defined,
                    bool onlyMissing);

  void finishWorkload(
      Workload &w, std::vector<RawEinsum> &raws,
      const std::vector<std::pair<const ast::Expr *, MutableScope>> &wcons,
      const std::vector<std::pair<const ast::FieldStmt *, MutableScope>>
          &wsizes,
      const std::vector<KeyedEntry> &bpvEntries, const Deferred &persistent,
      const std::vector<std::pair<const ast::BlockStmt *, MutableScope>>
          &renames);

  //===--------------------------------------------------------------------===//
  // Mapping, mapper, study
  //===--------------------------------------------------------------------===//

  std::optional<std::string> symbolName(const ast::Expr &e, const Scope &sc);

  void buildMappingNodes(const ast::StmtList &body, MutableScope scope,
                         std::vector<MappingNode> &out);

  void buildMapping(const Decl &d);

  unsigned parseMetric(const ast::Expr &e);

  /// Warns when a mapper setting the search ignores is set off its default.
  void warnIfIgnored(const std::string &key, const Value &v, SMRange range);
  MapperSettings buildMapper(const ast::BlockStmt *b, MutableScope scope,
                             const std::string &name);

  const ArchNode *sweepComponent(const Arch *arch, const ast::Name &n,
                                 const std::string &name);

  /// The names a categorical sweep lists (`sweep arch in [eyeriss,
  /// simba];`), each checked to name a declaration of `kind` ("arch" or
  /// "workload"); nullopt after reporting an error.
  std::optional<std::vector<std::string>>
  sweptDeclNames(const ast::SweepStmt::Axis &a, const std::string &kind,
                 const Scope &sc);

  /// Resolves a `Component.field` or `Component.action.field` sweep target
  /// in `arch` into `axis` and the dimension its values must have (`field`:
  /// the field's spec when it is one, which may accept other units such as a
  /// bandwidth; `computeAction`: an action of a compute unit, which moves no
  /// bits); false after reporting what `arch` lacks.
  bool componentSweepTarget(const Arch *arch, const ast::SweepStmt::Axis &a,
                            const std::vector<std::string> &parts,
                            bool several, SweepAxis &axis,
                            Dimension &expected, const FieldSpec *&field,
                            bool &computeAction);

  /// Builds a sweep group of `study`. Component targets are checked in each
  /// of `arches`; the names of categorical axes come from `categorical`.
  void buildSweep(
      const ast::SweepStmt &s, MutableScope sc, Study &study,
      const std::vector<const Arch *> &arches,
      const std::map<const ast::SweepStmt::Axis *, std::vector<std::string>>
          &categorical);

  void buildStudy(const Decl &d);

  bool declaredRequired(const std::string &name);

  void buildPlot(const ast::BlockStmt &b, MutableScope sc, Study &study);

  DiagnosticEngine &diags;
  ExprEvaluator eval;
  const ParamOverrides &overrides;
  MutableScope globals;
  std::map<std::string, std::vector<Decl>> decls;
  std::set<std::string> renameRoles;
  std::vector<std::string> missingRequired;
  /// Parameters required only under a condition, with no value given: a
  /// study may still set them.
  std::set<std::string> optionalParams;
  std::vector<const ast::Param *> deferredConditions;
  bool lenient = false;
  bool assertionFailed = false;
  std::string onlyStudyName;
  bool skipStudies = false;
  std::unique_ptr<Spec> spec = std::make_unique<Spec>();
};

} // namespace afc::sema

#endif // AFC_SEMA_ELABORATORIMPL_H
