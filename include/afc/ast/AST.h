//===- AST.h - syntax tree of .af files --------------------------*- C++ -*-===//
//
// The AST mirrors the text: nothing is resolved, evaluated or checked here.
// Expressions and statements are closed class hierarchies with a kind tag, so
// passes use llvm::isa / dyn_cast. Every node carries the source range it was
// parsed from; diagnostics point at it.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_AST_AST_H
#define AFC_AST_AST_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Casting.h"
#include "llvm/Support/SMLoc.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace afc::ast {

using llvm::SMLoc;
using llvm::SMRange;

class Expr;
using ExprPtr = std::unique_ptr<Expr>;

/// A possibly generated name: `Matmul${i}` is the pieces "Matmul" and the
/// interpolation `i`. A plain identifier has one literal piece.
struct Name {
  struct Piece {
    std::string text; ///< literal text when `expr` is null
    ExprPtr expr;     ///< interpolated expression
  };
  std::vector<Piece> pieces;
  SMRange range;

  bool isPlain() const { return pieces.size() == 1 && !pieces[0].expr; }
  /// The literal text of a plain name; the source spelling otherwise.
  std::string spelling() const;
};

/// A dotted path such as `GlobalBuffer.size`.
struct Path {
  std::vector<Name> parts;
  SMRange range;
  std::string spelling() const;
};

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

class Expr {
public:
  enum Kind {
    EK_Number,
    EK_String,
    EK_Bool,
    EK_Name,
    EK_Member,
    EK_Index,
    EK_Call,
    EK_Unary,
    EK_Binary,
    EK_Compare,
    EK_Cond,
    EK_List,
    EK_ListComp,
    EK_Map,
  };
  Expr(Kind kind, SMRange range) : kind(kind), range(range) {}
  virtual ~Expr() = default;
  Kind getKind() const { return kind; }
  SMRange getRange() const { return range; }
  /// The exact source text of the expression.
  llvm::StringRef text() const {
    return llvm::StringRef(range.Start.getPointer(),
                           range.End.getPointer() - range.Start.getPointer());
  }

private:
  const Kind kind;
  SMRange range;
};

/// `32`, `1e-12`, `32 B`, `200 MHz`.
class NumberExpr : public Expr {
public:
  NumberExpr(SMRange r, std::string digits, double value, std::string unit,
             SMRange unitRange)
      : Expr(EK_Number, r), digits(std::move(digits)), value(value),
        unit(std::move(unit)), unitRange(unitRange) {}
  std::string digits; ///< the literal as written, without '_' separators
  double value;
  std::string unit; ///< empty for a plain number
  SMRange unitRange;
  static bool classof(const Expr *e) { return e->getKind() == EK_Number; }
};

class StringExpr : public Expr {
public:
  StringExpr(SMRange r, std::string value)
      : Expr(EK_String, r), value(std::move(value)) {}
  std::string value;
  static bool classof(const Expr *e) { return e->getKind() == EK_String; }
};

class BoolExpr : public Expr {
public:
  BoolExpr(SMRange r, bool value) : Expr(EK_Bool, r), value(value) {}
  bool value;
  static bool classof(const Expr *e) { return e->getKind() == EK_Bool; }
};

class NameExpr : public Expr {
public:
  NameExpr(SMRange r, Name name) : Expr(EK_Name, r), name(std::move(name)) {}
  Name name;
  static bool classof(const Expr *e) { return e->getKind() == EK_Name; }
};

/// `a.b`
class MemberExpr : public Expr {
public:
  MemberExpr(SMRange r, ExprPtr base, std::string member, SMRange memberRange)
      : Expr(EK_Member, r), base(std::move(base)), member(std::move(member)),
        memberRange(memberRange) {}
  ExprPtr base;
  std::string member;
  SMRange memberRange;
  static bool classof(const Expr *e) { return e->getKind() == EK_Member; }
};

/// `T[m, n]`, `K_cache[b, P: p, h, e]`, `actions["read"]`.
class IndexExpr : public Expr {
public:
  struct Item {
    std::string rank; ///< explicit rank name (`P` in `P: p`), or empty
    SMRange rankRange;
    /// The rank's name when generated (`P${i}: p`); `rank` is its spelling.
    std::optional<Name> rankName;
    ExprPtr expr;
  };
  IndexExpr(SMRange r, ExprPtr base, std::vector<Item> items)
      : Expr(EK_Index, r), base(std::move(base)), items(std::move(items)) {}
  ExprPtr base;
  std::vector<Item> items;
  static bool classof(const Expr *e) { return e->getKind() == EK_Index; }
};

/// A comprehension clause: `for x in iter if cond`.
struct Comprehension {
  std::string var;
  SMRange varRange;
  ExprPtr iter;
  ExprPtr cond; ///< may be null
};

/// `f(a, b, key = c)` or `sum(e for a in actions)`.
class CallExpr : public Expr {
public:
  struct Arg {
    std::string keyword; ///< empty for a positional argument
    SMRange keywordRange;
    ExprPtr value;
  };
  CallExpr(SMRange r, ExprPtr callee, std::vector<Arg> args,
           std::optional<Comprehension> generator)
      : Expr(EK_Call, r), callee(std::move(callee)), args(std::move(args)),
        generator(std::move(generator)) {}
  ExprPtr callee;
  std::vector<Arg> args; ///< with a generator: exactly one, the element
  std::optional<Comprehension> generator;
  static bool classof(const Expr *e) { return e->getKind() == EK_Call; }
};

enum class UnaryOp { Neg, Plus, Complement, Not };

class UnaryExpr : public Expr {
public:
  UnaryExpr(SMRange r, UnaryOp op, ExprPtr operand)
      : Expr(EK_Unary, r), op(op), operand(std::move(operand)) {}
  UnaryOp op;
  ExprPtr operand;
  static bool classof(const Expr *e) { return e->getKind() == EK_Unary; }
};

enum class BinaryOp {
  Pow,
  Mul,
  Div,
  Mod,
  Add,
  Sub,
  SetAnd,
  SetXor,
  SetOr,
  And,
  Or,
};
llvm::StringRef spell(BinaryOp op);

class BinaryExpr : public Expr {
public:
  BinaryExpr(SMRange r, BinaryOp op, ExprPtr lhs, ExprPtr rhs, SMRange opRange)
      : Expr(EK_Binary, r), op(op), lhs(std::move(lhs)), rhs(std::move(rhs)),
        opRange(opRange) {}
  BinaryOp op;
  ExprPtr lhs, rhs;
  SMRange opRange;
  static bool classof(const Expr *e) { return e->getKind() == EK_Binary; }
};

enum class CompareOp { Lt, Le, Gt, Ge, Eq, Ne, In, NotIn };
llvm::StringRef spell(CompareOp op);

/// A comparison chain, as in Python: `0 <= m < M` is one CompareExpr with
/// three operands and two operators.
class CompareExpr : public Expr {
public:
  CompareExpr(SMRange r) : Expr(EK_Compare, r) {}
  std::vector<ExprPtr> operands;
  std::vector<CompareOp> ops;
  static bool classof(const Expr *e) { return e->getKind() == EK_Compare; }
};

/// `a if cond else b`
class CondExpr : public Expr {
public:
  CondExpr(SMRange r, ExprPtr cond, ExprPtr then, ExprPtr otherwise)
      : Expr(EK_Cond, r), cond(std::move(cond)), then(std::move(then)),
        otherwise(std::move(otherwise)) {}
  ExprPtr cond, then, otherwise;
  static bool classof(const Expr *e) { return e->getKind() == EK_Cond; }
};

class ListExpr : public Expr {
public:
  ListExpr(SMRange r, std::vector<ExprPtr> elements)
      : Expr(EK_List, r), elements(std::move(elements)) {}
  std::vector<ExprPtr> elements;
  static bool classof(const Expr *e) { return e->getKind() == EK_List; }
};

/// `{keep: "~MainMemory", size: 1 MiB}`
class MapExpr : public Expr {
public:
  struct Entry {
    std::string key;
    SMRange keyRange;
    ExprPtr value;
  };
  MapExpr(SMRange r, std::vector<Entry> entries)
      : Expr(EK_Map, r), entries(std::move(entries)) {}
  std::vector<Entry> entries;
  static bool classof(const Expr *e) { return e->getKind() == EK_Map; }
};

/// `[e for x in iter if cond]`
class ListCompExpr : public Expr {
public:
  ListCompExpr(SMRange r, ExprPtr element, Comprehension comp)
      : Expr(EK_ListComp, r), element(std::move(element)),
        comp(std::move(comp)) {}
  ExprPtr element;
  Comprehension comp;
  static bool classof(const Expr *e) { return e->getKind() == EK_ListComp; }
};

//===----------------------------------------------------------------------===//
// Statements
//===----------------------------------------------------------------------===//

class Stmt;
using StmtPtr = std::unique_ptr<Stmt>;
using StmtList = std::vector<StmtPtr>;

class Stmt {
public:
  enum Kind {
    SK_Let,
    SK_Def,
    SK_Assert,
    SK_For,
    SK_If,
    SK_Einsum,
    SK_Sweep,
    SK_Field,
    SK_Entry,
    SK_Block,
    SK_Expr,
  };
  Stmt(Kind kind, SMRange range) : kind(kind), range(range) {}
  virtual ~Stmt() = default;
  Kind getKind() const { return kind; }
  SMRange getRange() const { return range; }

private:
  const Kind kind;
  SMRange range;
};

/// `let name = value;` binds a compile-time value in the enclosing scope.
class LetStmt : public Stmt {
public:
  LetStmt(SMRange r, Name name, ExprPtr value)
      : Stmt(SK_Let, r), name(std::move(name)), value(std::move(value)) {}
  Name name;
  ExprPtr value;
  static bool classof(const Stmt *s) { return s->getKind() == SK_Let; }
};

/// `def f(a, b) = expr;`: a compile-time function.
class DefStmt : public Stmt {
public:
  DefStmt(SMRange r, std::string name, SMRange nameRange,
          std::vector<std::string> params, ExprPtr body)
      : Stmt(SK_Def, r), name(std::move(name)), nameRange(nameRange),
        params(std::move(params)), body(std::move(body)) {}
  std::string name;
  SMRange nameRange;
  std::vector<std::string> params;
  ExprPtr body;
  static bool classof(const Stmt *s) { return s->getKind() == SK_Def; }
};

/// `assert cond, "message";`
class AssertStmt : public Stmt {
public:
  AssertStmt(SMRange r, ExprPtr cond, std::optional<std::string> message)
      : Stmt(SK_Assert, r), cond(std::move(cond)),
        message(std::move(message)) {}
  ExprPtr cond;
  std::optional<std::string> message;
  static bool classof(const Stmt *s) { return s->getKind() == SK_Assert; }
};

/// Compile-time loop: the body is instantiated once per element.
class ForStmt : public Stmt {
public:
  ForStmt(SMRange r, std::string var, SMRange varRange, ExprPtr iter,
          StmtList body)
      : Stmt(SK_For, r), var(std::move(var)), varRange(varRange),
        iter(std::move(iter)), body(std::move(body)) {}
  std::string var;
  SMRange varRange;
  ExprPtr iter;
  StmtList body;
  static bool classof(const Stmt *s) { return s->getKind() == SK_For; }
};

/// Compile-time conditional; `else if` chains nest in `otherwise`.
class IfStmt : public Stmt {
public:
  IfStmt(SMRange r, ExprPtr cond, StmtList then, StmtList otherwise)
      : Stmt(SK_If, r), cond(std::move(cond)), then(std::move(then)),
        otherwise(std::move(otherwise)) {}
  ExprPtr cond;
  StmtList then, otherwise;
  static bool classof(const Stmt *s) { return s->getKind() == SK_If; }
};

/// `einsum Name: Out[m, n] = A[m, k] * B[k, n] { ... }`
class EinsumStmt : public Stmt {
public:
  EinsumStmt(SMRange r) : Stmt(SK_Einsum, r) {}
  std::optional<Name> name;
  ExprPtr output; ///< an IndexExpr
  ExprPtr rhs;    ///< any expression; its IndexExprs are the inputs
  StmtList body;
  static bool classof(const Stmt *s) { return s->getKind() == SK_Einsum; }
};

/// `sweep GlobalBuffer.size in logspace(32 B, 4 MiB, 32);` or a zipped
/// group of axes that advance together.
class SweepStmt : public Stmt {
public:
  struct Axis {
    Path target;
    ExprPtr values;
  };
  SweepStmt(SMRange r, std::vector<Axis> axes, bool zipped)
      : Stmt(SK_Sweep, r), axes(std::move(axes)), zipped(zipped) {}
  std::vector<Axis> axes;
  bool zipped;
  static bool classof(const Stmt *s) { return s->getKind() == SK_Sweep; }
};

/// `size = 1024 * 1024;`
class FieldStmt : public Stmt {
public:
  FieldStmt(SMRange r, Path target, ExprPtr value)
      : Stmt(SK_Field, r), target(std::move(target)), value(std::move(value)) {}
  Path target;
  ExprPtr value;
  static bool classof(const Stmt *s) { return s->getKind() == SK_Field; }
};

/// `All: 8;` inside a map keyed by set expressions.
class EntryStmt : public Stmt {
public:
  EntryStmt(SMRange r, ExprPtr key, ExprPtr value)
      : Stmt(SK_Entry, r), key(std::move(key)), value(std::move(value)) {}
  ExprPtr key, value;
  static bool classof(const Stmt *s) { return s->getKind() == SK_Entry; }
};

/// `kind name : class (args) { body }` - architectures, components, actions,
/// workloads, mappings, studies, reports... all share this shape.
class BlockStmt : public Stmt {
public:
  BlockStmt(SMRange r) : Stmt(SK_Block, r) {}
  std::string kind;
  SMRange kindRange;
  std::optional<Name> name;
  std::optional<std::string> label; ///< a string in the name position
  SMRange labelRange;
  std::optional<Name> cls;
  std::vector<CallExpr::Arg> args;
  bool hasArgs = false;
  bool hasBody = false;
  StmtList body;
  static bool classof(const Stmt *s) { return s->getKind() == SK_Block; }
};

/// A bare expression, e.g. an iteration-space constraint `0 <= m < M;`.
class ExprStmt : public Stmt {
public:
  ExprStmt(SMRange r, ExprPtr expr) : Stmt(SK_Expr, r), expr(std::move(expr)) {}
  ExprPtr expr;
  static bool classof(const Stmt *s) { return s->getKind() == SK_Expr; }
};

//===----------------------------------------------------------------------===//
// Files
//===----------------------------------------------------------------------===//

struct Import {
  std::string path;
  SMRange range;
};

/// `param NAME;` (required) or `param NAME = default;`
struct Param {
  std::string name;
  SMRange range;
  ExprPtr defaultValue; ///< null when required
  /// `param N if COND;`: required only when COND holds, else may stay unset.
  ExprPtr requiredIf;
};

/// One parsed .af file.
struct Module {
  std::string filename;
  unsigned bufferId = 0;
  std::vector<Import> imports;
  std::vector<Param> params;
  StmtList items;
};

} // namespace afc::ast

#endif // AFC_AST_AST_H
