//===- ASTPrinter.cpp - the syntax tree as indented text ------------------===//
//
// One line per node: its kind, what it holds that is not a child (an
// operator, a name, a literal), and its position. Children follow, indented
// two more spaces. The format is a test interface, not a language: it may
// grow, but a node's line keeps its shape.
//
//===----------------------------------------------------------------------===//
#include "afc/ast/ASTPrinter.h"

#include "afc/support/InternalError.h"

using namespace afc;
using namespace afc::ast;
using llvm::cast;

namespace {

llvm::StringRef spell(UnaryOp op) {
  switch (op) {
  case UnaryOp::Neg:
    return "-";
  case UnaryOp::Plus:
    return "+";
  case UnaryOp::Complement:
    return "~";
  case UnaryOp::Not:
    return "not";
  }
  return "?";
}

class ASTPrinter {
public:
  ASTPrinter(const llvm::SourceMgr &sm, llvm::raw_ostream &os)
      : sm(sm), os(os) {}

  void print(const Module &m) {
    os << "Module " << m.filename << "\n";
    Indent in(depth);
    for (const Import &i : m.imports)
      line("Import \"" + i.path + "\"", i.range);
    for (const Param &p : m.params) {
      line("Param " + p.name +
               (p.defaultValue ? ""
                : p.requiredIf  ? " (required if " + p.requiredIf->text() + ")"
                                : " (required)"),
           p.range);
      if (p.defaultValue) {
        Indent in2(depth);
        print(*p.defaultValue);
      }
    }
    print(m.items);
  }

private:
  /// Nesting for the children of the node just printed.
  struct Indent {
    explicit Indent(unsigned &depth) : depth(depth) { ++depth; }
    ~Indent() { --depth; }
    unsigned &depth;
  };

  void line(const llvm::Twine &text, SMRange range) {
    os.indent(depth * 2) << text << " ";
    location(range.Start);
    os << "\n";
  }

  void location(SMLoc loc) {
    if (!loc.isValid()) {
      os << "@<unknown>";
      return;
    }
    unsigned id = sm.FindBufferContainingLoc(loc);
    AFC_INTERNAL_ASSERT(id != 0) << "a node's range is outside every buffer";
    auto [lineNo, col] = sm.getLineAndColumn(loc, id);
    os << "@" << sm.getMemoryBuffer(id)->getBufferIdentifier() << ":" << lineNo
       << ":" << col;
  }

  void print(const StmtList &body) {
    for (const StmtPtr &s : body)
      print(*s);
  }

  void print(const Comprehension &c) {
    line("For " + c.var, c.varRange);
    Indent in(depth);
    print(*c.iter);
    if (c.cond)
      print(*c.cond);
  }

  /// A node's line, then its children one level deeper.
  template <class... Children>
  void node(const llvm::Twine &text, SMRange range,
            const Children &...children) {
    line(text, range);
    Indent in(depth);
    (print(children), ...);
  }

  void print(const ExprPtr &e) { print(*e); }

  void printArgs(const std::vector<CallExpr::Arg> &args) {
    for (const CallExpr::Arg &a : args) {
      if (a.keyword.empty())
        print(*a.value);
      else
        node("Arg " + a.keyword, a.keywordRange, *a.value);
    }
  }

  void print(const Stmt &s);
  void printBlock(const BlockStmt &b);
  void print(const Expr &e);
  void printCall(const CallExpr &c);
  void printIndex(const IndexExpr &x);

  const llvm::SourceMgr &sm;
  llvm::raw_ostream &os;
  unsigned depth = 0;
};

void ASTPrinter::print(const Stmt &s) {
  SMRange r = s.getRange();
  switch (s.getKind()) {
  case Stmt::SK_Def: {
    auto &d = cast<DefStmt>(s);
    std::string params;
    for (const std::string &p : d.params)
      params += (params.empty() ? "" : ", ") + p;
    line("Def " + d.name + "(" + params + ")", d.nameRange);
    Indent in(depth);
    print(*d.body);
    return;
  }
  case Stmt::SK_Let: {
    auto &l = cast<LetStmt>(s);
    return node("Let " + l.name.spelling(), r, l.value);
  }
  case Stmt::SK_Assert: {
    auto &a = cast<AssertStmt>(s);
    std::string message = a.message ? " \"" + *a.message + "\"" : "";
    return node("Assert" + message, r, a.cond);
  }
  case Stmt::SK_For: {
    auto &f = cast<ForStmt>(s);
    return node("For " + f.var, r, f.iter, f.body);
  }
  case Stmt::SK_If: {
    auto &i = cast<IfStmt>(s);
    line("If", r);
    Indent in(depth);
    print(*i.cond);
    print(i.then);
    if (!i.otherwise.empty())
      node("Else", i.otherwise.front()->getRange(), i.otherwise);
    return;
  }
  case Stmt::SK_Einsum: {
    auto &e = cast<EinsumStmt>(s);
    std::string head = "Einsum";
    if (e.name)
      head.append(" ").append(e.name->spelling());
    return node(head, r, e.output, e.rhs, e.body);
  }
  case Stmt::SK_Sweep: {
    auto &w = cast<SweepStmt>(s);
    line(w.zipped ? "Sweep zipped" : "Sweep", r);
    Indent in(depth);
    for (const SweepStmt::Axis &a : w.axes)
      node("Axis " + a.target.spelling(), a.target.range, a.values);
    return;
  }
  case Stmt::SK_Field: {
    auto &f = cast<FieldStmt>(s);
    return node("Field " + f.target.spelling(), r, f.value);
  }
  case Stmt::SK_Entry: {
    auto &e = cast<EntryStmt>(s);
    return node("Entry", r, e.key, e.value);
  }
  case Stmt::SK_Block:
    return printBlock(cast<BlockStmt>(s));
  case Stmt::SK_Expr:
    return node("ExprStmt", r, cast<ExprStmt>(s).expr);
  }
  AFC_INTERNAL_ERROR << "statement kind " << int(s.getKind());
}

void ASTPrinter::printBlock(const BlockStmt &b) {
  std::string head = "Block " + b.kind;
  if (b.name)
    head.append(" ").append(b.name->spelling());
  if (b.label)
    head.append(" \"").append(*b.label).append("\"");
  if (b.cls)
    head.append(" : ").append(b.cls->spelling());
  line(head, b.getRange());
  Indent in(depth);
  printArgs(b.args);
  print(b.body);
}

void ASTPrinter::printCall(const CallExpr &c) {
  line("Call", c.getRange());
  Indent in(depth);
  print(*c.callee);
  printArgs(c.args);
  if (c.generator)
    print(*c.generator);
}

void ASTPrinter::printIndex(const IndexExpr &x) {
  line("Index", x.getRange());
  Indent in(depth);
  print(*x.base);
  for (const IndexExpr::Item &i : x.items) {
    if (!i.rank.empty())
      line("Rank " + i.rank, i.rankRange);
    print(*i.expr);
  }
}

void ASTPrinter::print(const Expr &e) {
  SMRange r = e.getRange();
  switch (e.getKind()) {
  case Expr::EK_Number: {
    auto &n = cast<NumberExpr>(e);
    return line("Number " + n.digits + (n.unit.empty() ? "" : " " + n.unit), r);
  }
  case Expr::EK_String:
    return line("String \"" + cast<StringExpr>(e).value + "\"", r);
  case Expr::EK_Bool:
    return line(cast<BoolExpr>(e).value ? "Bool true" : "Bool false", r);
  case Expr::EK_Name:
    return line("Name " + cast<NameExpr>(e).name.spelling(), r);
  case Expr::EK_Member: {
    auto &m = cast<MemberExpr>(e);
    return node("Member ." + m.member, r, m.base);
  }
  case Expr::EK_Index:
    return printIndex(cast<IndexExpr>(e));
  case Expr::EK_Call:
    return printCall(cast<CallExpr>(e));
  case Expr::EK_Unary: {
    auto &u = cast<UnaryExpr>(e);
    return node("Unary " + spell(u.op), r, u.operand);
  }
  case Expr::EK_Binary: {
    auto &b = cast<BinaryExpr>(e);
    return node("Binary " + spell(b.op), r, b.lhs, b.rhs);
  }
  case Expr::EK_Compare: {
    auto &c = cast<CompareExpr>(e);
    std::string ops;
    for (CompareOp op : c.ops)
      ops.append(" ").append(spell(op).str());
    line("Compare" + ops, r);
    Indent in(depth);
    for (const ExprPtr &o : c.operands)
      print(*o);
    return;
  }
  case Expr::EK_Cond: {
    auto &c = cast<CondExpr>(e);
    return node("Cond", r, c.cond, c.then, c.otherwise);
  }
  case Expr::EK_List: {
    line("List", r);
    Indent in(depth);
    for (const ExprPtr &x : cast<ListExpr>(e).elements)
      print(*x);
    return;
  }
  case Expr::EK_ListComp: {
    auto &l = cast<ListCompExpr>(e);
    return node("ListComp", r, l.element, l.comp);
  }
  case Expr::EK_Map: {
    line("Map", r);
    Indent in(depth);
    for (const MapExpr::Entry &x : cast<MapExpr>(e).entries) {
      line("Key '" + x.key + "'", x.keyRange);
      Indent in2(depth);
      print(*x.value);
    }
    return;
  }
  }
  AFC_INTERNAL_ERROR << "expression kind " << int(e.getKind());
}

} // namespace

void ast::dumpAST(const Module &module, const llvm::SourceMgr &sm,
                  llvm::raw_ostream &os) {
  ASTPrinter(sm, os).print(module);
}
