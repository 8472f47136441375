//===- Parser.cpp - .af text to AST ---------------------------------------===//
//
// Converts ANTLR parse trees into the AST. Conversion walks the labelled
// alternatives with dynamic_cast instead of the generated visitor: the 4.9
// runtime's `antlrcpp::Any` cannot hold move-only AST nodes.
//
//===----------------------------------------------------------------------===//
#include "afc/parse/Parser.h"

#include "AFLexer.h"
#include "AFParser.h"
#include "antlr4-runtime.h"

#include "afc/support/Limits.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/ConvertUTF.h"

#include <cstdlib>

using namespace afc;
using namespace afc::ast;
using af::AFLexer;
using af::AFParser;

namespace {

/// Maps ANTLR's code-point indices back to byte positions in the buffer so
/// that diagnostics point at the right column even after non-ASCII text.
class SourceText {
public:
  SourceText(llvm::StringRef text) : text(text) {
    offsets.reserve(text.size() + 1);
    for (size_t i = 0; i < text.size();) {
      offsets.push_back(i);
      unsigned char c = text[i];
      size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
      i += len;
    }
    offsets.push_back(text.size());
  }
  SMLoc loc(size_t codePoint) const {
    size_t byte = codePoint < offsets.size() ? offsets[codePoint] : text.size();
    return SMLoc::getFromPointer(text.data() + byte);
  }
  SMRange range(antlr4::Token *start, antlr4::Token *stop) const {
    if (!start)
      return SMRange();
    if (!stop || stop->getType() == antlr4::Token::EOF)
      stop = start;
    if (start->getType() == antlr4::Token::EOF)
      return SMRange(loc(start->getStartIndex()), loc(start->getStartIndex()));
    return SMRange(loc(start->getStartIndex()), loc(stop->getStopIndex() + 1));
  }
  SMRange range(antlr4::ParserRuleContext *ctx) const {
    return range(ctx->getStart(), ctx->getStop());
  }
  SMRange range(antlr4::tree::TerminalNode *node) const {
    return range(node->getSymbol(), node->getSymbol());
  }
  llvm::StringRef text;

private:
  std::vector<size_t> offsets;
};

class ErrorListener : public antlr4::BaseErrorListener {
public:
  ErrorListener(DiagnosticEngine &diags, const SourceText &src)
      : diags(diags), src(src) {}

  void syntaxError(antlr4::Recognizer *, antlr4::Token *token, size_t line,
                   size_t column, const std::string &msg,
                   std::exception_ptr) override {
    if (++count > 20)
      return; // the first few errors are the useful ones
    SMRange r = token ? src.range(token, token) : lineColumn(line, column);
    if (token && (token->getType() == AFLexer::RATE_UNIT ||
                  token->getType() == AFLexer::RATE_LIKE)) {
      diags.error(r, "syntax error: '" + token->getText() +
                         "' reads as a data rate, which follows a number "
                         "(25.6 GB/s); to divide, put spaces around '/'");
      return;
    }
    diags.error(r, "syntax error: " + simplify(msg));
  }
  unsigned count = 0;

private:
  SMRange lineColumn(size_t line, size_t column) {
    const char *p = src.text.begin();
    for (size_t l = 1; l < line && p < src.text.end(); ++p)
      if (*p == '\n')
        ++l;
    p += std::min<size_t>(column, src.text.end() - p);
    return SMRange(SMLoc::getFromPointer(p), SMLoc::getFromPointer(p));
  }
  /// ANTLR lists every token it could have accepted; a list longer than a
  /// handful helps nobody, so it is replaced by the plain fact.
  static std::string simplify(const std::string &msg) {
    size_t brace = msg.find(" expecting {");
    if (brace != std::string::npos) {
      size_t commas = std::count(msg.begin() + brace, msg.end(), ',');
      if (commas > 5)
        return msg.substr(0, brace);
    }
    if (msg.rfind("token recognition error", 0) == 0)
      return "unexpected character";
    return msg;
  }
  DiagnosticEngine &diags;
  const SourceText &src;
};

/// Thrown out of the generated parser when its recursion would outgrow the
/// stack; caught in runParser, which reports it.
struct NestingTooDeep {
  antlr4::Token *token;
};

/// How the nesting limit reads in an error message, with its hint.
void reportNesting(DiagnosticEngine &diags, SMRange r) {
  unsigned limit = limits().maxNesting;
  diags.error(r, "nesting is deeper than " + std::to_string(limit) +
                     " levels (" + limitFlag("max-nesting", limit) + ")");
  diags.note(r, "every operator, call, bracket and block is one level: split "
                "long chains with 'let', or raise the limit with "
                "--max-nesting=N");
}

/// The generated parser recurses once per rule it enters; left-recursive
/// chains (`a + b + ...`) loop instead. This bounds the recursion before it
/// can overflow the stack: a rule's depth is its parent's plus one, where
/// the parent is the context the rule was entered from.
class GuardedParser : public AFParser {
public:
  using AFParser::AFParser;
  void enterRule(antlr4::ParserRuleContext *ctx, size_t state,
                 size_t rule) override {
    check(ctx);
    AFParser::enterRule(ctx, state, rule);
  }
  void enterRecursionRule(antlr4::ParserRuleContext *ctx, size_t state,
                          size_t rule, int precedence) override {
    check(ctx);
    AFParser::enterRecursionRule(ctx, state, rule, precedence);
  }

private:
  void check(antlr4::ParserRuleContext *ctx) {
    // Contexts made by pushNewRecursionContext or copied into a labelled
    // alternative were never entered: count up to the nearest that was.
    unsigned d = 1;
    for (antlr4::tree::ParseTree *p = ctx->parent; p; p = p->parent, ++d)
      if (auto it = depth.find(p); it != depth.end()) {
        d += it->second;
        break;
      }
    depth[ctx] = d;
    // An expression level takes at most three rules (expr, primary, expr),
    // a block level three (stmt, body, stmt).
    if (d > 3 * limits().maxNesting + 8)
      throw NestingTooDeep{getCurrentToken()};
  }
  llvm::DenseMap<antlr4::tree::ParseTree *, unsigned> depth;
};

/// Builds AST nodes from parse-tree contexts.
class Builder {
public:
  Builder(const SourceText &src, DiagnosticEngine &diags)
      : src(src), diags(diags) {}

  std::unique_ptr<Module> buildFile(AFParser::FileContext *ctx) {
    auto module = std::make_unique<Module>();
    for (AFParser::TopItemContext *item : ctx->topItem()) {
      if (auto *imp = item->importDecl()) {
        module->imports.push_back(
            {unquote(imp->STRING()->getText()), src.range(imp)});
      } else if (auto *param = item->paramDecl()) {
        Param p;
        p.name = param->IDENT()->getText();
        p.range = src.range(param->IDENT());
        if (param->dflt)
          p.defaultValue = buildExpr(param->dflt);
        if (param->when)
          p.requiredIf = buildExpr(param->when);
        module->params.push_back(std::move(p));
      } else if (auto *s = item->stmt()) {
        module->items.push_back(buildStmt(s));
      }
    }
    return module;
  }

  ExprPtr buildExpr(AFParser::ExprContext *ctx);

private:
  StmtPtr buildStmt(AFParser::StmtContext *ctx);
  StmtList buildBody(AFParser::BodyContext *ctx) {
    StmtList out;
    if (!ctx)
      return out;
    for (AFParser::StmtContext *s : ctx->stmt())
      out.push_back(buildStmt(s));
    return out;
  }
  StmtPtr buildIf(AFParser::IfChainContext *ctx);
  Name buildName(AFParser::NameContext *ctx);
  Path buildPath(AFParser::PathContext *ctx) {
    Path p;
    p.range = src.range(ctx);
    for (AFParser::NameContext *n : ctx->name())
      p.parts.push_back(buildName(n));
    return p;
  }
  std::vector<CallExpr::Arg> buildArgs(AFParser::ArgsContext *ctx) {
    std::vector<CallExpr::Arg> out;
    if (!ctx)
      return out;
    for (AFParser::ArgContext *a : ctx->arg()) {
      CallExpr::Arg arg;
      if (a->IDENT()) {
        arg.keyword = a->IDENT()->getText();
        arg.keywordRange = src.range(a->IDENT());
      }
      arg.value = buildExpr(a->expr());
      out.push_back(std::move(arg));
    }
    return out;
  }
  Comprehension buildComp(AFParser::CompForContext *ctx) {
    Comprehension c;
    c.var = ctx->IDENT()->getText();
    c.varRange = src.range(ctx->IDENT());
    c.iter = buildExpr(ctx->expr(0));
    if (ctx->expr().size() > 1)
      c.cond = buildExpr(ctx->expr(1));
    return c;
  }
  ExprPtr buildPrimary(AFParser::PrimaryContext *ctx);
  static std::string unquote(const std::string &s) {
    std::string out;
    for (size_t i = 1; i + 1 < s.size(); ++i) {
      if (s[i] == '\\' && i + 2 < s.size()) {
        char c = s[++i];
        out += c == 'n' ? '\n' : c == 't' ? '\t' : c;
      } else {
        out += s[i];
      }
    }
    return out;
  }

  /// Counts the syntax tree's depth while it is built. A left-associative
  /// chain (`1 + 1 + ...`) is flat for ANTLR but one level per operator
  /// here, and every later pass recurses over this tree.
  struct DepthGuard {
    DepthGuard(Builder &b, SMRange r) : b(b) {
      if (++b.depth > limits().maxNesting && !b.tooDeep) {
        b.tooDeep = true;
        reportNesting(b.diags, r);
      }
    }
    ~DepthGuard() { --b.depth; }
    bool exceeded() const { return b.tooDeep; }
    Builder &b;
  };

  const SourceText &src;
  DiagnosticEngine &diags;
  unsigned depth = 0;
  bool tooDeep = false;
};

Name Builder::buildName(AFParser::NameContext *ctx) {
  Name name;
  name.range = src.range(ctx);
  antlr4::Token *prevEnd = nullptr;
  // Children alternate: IDENT (INTERP_OPEN expr '}' IDENT?)*
  for (size_t i = 0; i < ctx->children.size(); ++i) {
    antlr4::tree::ParseTree *child = ctx->children[i];
    if (auto *term = dynamic_cast<antlr4::tree::TerminalNode *>(child)) {
      antlr4::Token *tok = term->getSymbol();
      if (prevEnd && tok->getStartIndex() != prevEnd->getStopIndex() + 1)
        diags.error(src.range(tok, tok),
                    "the parts of a generated name must not be separated by "
                    "white space");
      prevEnd = tok;
      if (tok->getType() == AFParser::IDENT)
        name.pieces.push_back({tok->getText(), nullptr});
      continue;
    }
    auto *e = dynamic_cast<AFParser::ExprContext *>(child);
    name.pieces.push_back({"", buildExpr(e)});
    prevEnd = nullptr; // the expression inside may be spaced freely
    // The closing '}' must touch the following identifier; checked when the
    // '}' terminal is visited, so remember it below.
    if (i + 1 < ctx->children.size())
      if (auto *close = dynamic_cast<antlr4::tree::TerminalNode *>(
              ctx->children[i + 1]))
        prevEnd = close->getSymbol(), ++i;
  }
  return name;
}

StmtPtr Builder::buildIf(AFParser::IfChainContext *ctx) {
  StmtList otherwise;
  if (ctx->ifChain())
    otherwise.push_back(buildIf(ctx->ifChain()));
  else if (ctx->body().size() > 1)
    otherwise = buildBody(ctx->body(1));
  return std::make_unique<IfStmt>(src.range(ctx), buildExpr(ctx->expr()),
                                  buildBody(ctx->body(0)),
                                  std::move(otherwise));
}

StmtPtr Builder::buildStmt(AFParser::StmtContext *ctx) {
  SMRange r = src.range(ctx);
  DepthGuard guard(*this, r);
  if (guard.exceeded())
    return std::make_unique<ExprStmt>(r, std::make_unique<BoolExpr>(r, false));
  if (auto *c = dynamic_cast<AFParser::LetStmtContext *>(ctx))
    return std::make_unique<LetStmt>(r, buildName(c->name()),
                                     buildExpr(c->expr()));
  if (auto *c = dynamic_cast<AFParser::AssertStmtContext *>(ctx)) {
    std::optional<std::string> msg;
    if (c->STRING())
      msg = unquote(c->STRING()->getText());
    return std::make_unique<AssertStmt>(r, buildExpr(c->expr()), msg);
  }
  if (auto *c = dynamic_cast<AFParser::ForStmtContext *>(ctx))
    return std::make_unique<ForStmt>(r, c->IDENT()->getText(),
                                     src.range(c->IDENT()),
                                     buildExpr(c->expr()), buildBody(c->body()));
  if (auto *c = dynamic_cast<AFParser::IfStmtContext *>(ctx))
    return buildIf(c->ifChain());
  if (auto *c = dynamic_cast<AFParser::EinsumStmtContext *>(ctx)) {
    auto s = std::make_unique<EinsumStmt>(r);
    if (c->name())
      s->name = buildName(c->name());
    s->output = buildExpr(c->expr(0));
    s->rhs = buildExpr(c->expr(1));
    s->body = buildBody(c->body());
    return s;
  }
  if (auto *c = dynamic_cast<AFParser::SweepStmtContext *>(ctx)) {
    std::vector<SweepStmt::Axis> axes;
    axes.push_back({buildPath(c->sweepAxis()->path()),
                    buildExpr(c->sweepAxis()->expr())});
    return std::make_unique<SweepStmt>(r, std::move(axes), false);
  }
  if (auto *c = dynamic_cast<AFParser::ZipSweepStmtContext *>(ctx)) {
    std::vector<SweepStmt::Axis> axes;
    for (auto *a : c->sweepAxis())
      axes.push_back({buildPath(a->path()), buildExpr(a->expr())});
    return std::make_unique<SweepStmt>(r, std::move(axes), true);
  }
  if (auto *c = dynamic_cast<AFParser::FieldStmtContext *>(ctx))
    return std::make_unique<FieldStmt>(r, buildPath(c->path()),
                                       buildExpr(c->expr()));
  if (auto *c = dynamic_cast<AFParser::EntryStmtContext *>(ctx))
    return std::make_unique<EntryStmt>(r, buildExpr(c->expr(0)),
                                       buildExpr(c->expr(1)));
  if (auto *c = dynamic_cast<AFParser::BlockStmtContext *>(ctx)) {
    auto s = std::make_unique<BlockStmt>(r);
    AFParser::BlockHeaderContext *h = c->blockHeader();
    s->kind = h->kind->getText();
    s->kindRange = src.range(h->kind, h->kind);
    if (h->name().size() && (h->name(0) != h->cls || h->name().size() > 1))
      s->name = buildName(h->name(0));
    if (h->cls)
      s->cls = buildName(h->cls);
    if (h->STRING()) {
      s->label = unquote(h->STRING()->getText());
      s->labelRange = src.range(h->STRING());
    }
    s->hasArgs = h->children.size() > 0 &&
                 std::any_of(h->children.begin(), h->children.end(),
                             [](antlr4::tree::ParseTree *t) {
                               return t->getText() == "(";
                             });
    s->args = buildArgs(h->args());
    s->hasBody = c->body() != nullptr;
    s->body = buildBody(c->body());
    return s;
  }
  if (auto *c = dynamic_cast<AFParser::ExprStmtContext *>(ctx))
    return std::make_unique<ExprStmt>(r, buildExpr(c->expr()));
  // Only reachable when ANTLR recovered from a syntax error that has
  // already been reported.
  return std::make_unique<ExprStmt>(
      r, std::make_unique<BoolExpr>(r, false));
}

ExprPtr Builder::buildPrimary(AFParser::PrimaryContext *ctx) {
  SMRange r = src.range(ctx);
  if (auto *c = dynamic_cast<AFParser::QuantityContext *>(ctx)) {
    std::string digits;
    for (char ch : c->NUMBER()->getText())
      if (ch != '_')
        digits += ch;
    double v = std::strtod(digits.c_str(), nullptr);
    std::string unit;
    SMRange unitRange;
    if (c->unit) {
      unit = c->unit->getText();
      unitRange = src.range(c->unit, c->unit);
    }
    return std::make_unique<NumberExpr>(r, digits, v, unit, unitRange);
  }
  if (auto *c = dynamic_cast<AFParser::StringContext *>(ctx))
    return std::make_unique<StringExpr>(r, unquote(c->STRING()->getText()));
  if (dynamic_cast<AFParser::BooleanContext *>(ctx))
    return std::make_unique<BoolExpr>(r, ctx->getText() == "true");
  if (auto *c = dynamic_cast<AFParser::NameRefContext *>(ctx))
    return std::make_unique<NameExpr>(r, buildName(c->name()));
  if (auto *c = dynamic_cast<AFParser::ParenContext *>(ctx))
    return buildExpr(c->expr());
  if (auto *c = dynamic_cast<AFParser::ListCompContext *>(ctx))
    return std::make_unique<ListCompExpr>(r, buildExpr(c->expr()),
                                          buildComp(c->compFor()));
  if (auto *c = dynamic_cast<AFParser::ListContext *>(ctx)) {
    std::vector<ExprPtr> elems;
    for (auto *e : c->expr())
      elems.push_back(buildExpr(e));
    return std::make_unique<ListExpr>(r, std::move(elems));
  }
  return std::make_unique<BoolExpr>(r, false);
}

static BinaryOp binaryOp(const std::string &s) {
  if (s == "**") return BinaryOp::Pow;
  if (s == "*") return BinaryOp::Mul;
  if (s == "/") return BinaryOp::Div;
  if (s == "%") return BinaryOp::Mod;
  if (s == "+") return BinaryOp::Add;
  if (s == "-") return BinaryOp::Sub;
  if (s == "&") return BinaryOp::SetAnd;
  if (s == "^") return BinaryOp::SetXor;
  if (s == "|") return BinaryOp::SetOr;
  if (s == "and") return BinaryOp::And;
  return BinaryOp::Or;
}

static CompareOp compareOp(AFParser::CompOpContext *c) {
  std::string s = c->getText();
  if (s == "<") return CompareOp::Lt;
  if (s == "<=") return CompareOp::Le;
  if (s == ">") return CompareOp::Gt;
  if (s == ">=") return CompareOp::Ge;
  if (s == "==") return CompareOp::Eq;
  if (s == "!=") return CompareOp::Ne;
  if (s == "in") return CompareOp::In;
  return CompareOp::NotIn;
}

ExprPtr Builder::buildExpr(AFParser::ExprContext *ctx) {
  if (!ctx)
    return std::make_unique<BoolExpr>(SMRange(), false);
  SMRange r = src.range(ctx);
  DepthGuard guard(*this, r);
  if (guard.exceeded())
    return std::make_unique<BoolExpr>(r, false);
  if (auto *c = dynamic_cast<AFParser::PrimaryExprContext *>(ctx)) {
    // A parenthesised comparison must not merge into an enclosing chain, so
    // it is returned as-is here and flagged by the paren range check below.
    if (auto *p = dynamic_cast<AFParser::ParenContext *>(c->primary())) {
      ExprPtr inner = buildExpr(p->expr());
      if (llvm::isa<CompareExpr>(inner.get())) {
        // Wrap in a one-operand chain so the parent does not extend it.
        auto wrap = std::make_unique<CompareExpr>(r);
        wrap->operands.push_back(std::move(inner));
        return wrap;
      }
      return inner;
    }
    return buildPrimary(c->primary());
  }
  if (auto *c = dynamic_cast<AFParser::MemberExprContext *>(ctx))
    return std::make_unique<MemberExpr>(r, buildExpr(c->expr()),
                                        c->IDENT()->getText(),
                                        src.range(c->IDENT()));
  if (auto *c = dynamic_cast<AFParser::IndexExprContext *>(ctx)) {
    std::vector<IndexExpr::Item> items;
    for (auto *it : c->indexList()->indexItem()) {
      IndexExpr::Item item;
      if (it->IDENT()) {
        item.rank = it->IDENT()->getText();
        item.rankRange = src.range(it->IDENT());
      }
      item.expr = buildExpr(it->expr());
      items.push_back(std::move(item));
    }
    return std::make_unique<IndexExpr>(r, buildExpr(c->expr()),
                                       std::move(items));
  }
  if (auto *c = dynamic_cast<AFParser::CallExprContext *>(ctx)) {
    std::vector<CallExpr::Arg> args;
    std::optional<Comprehension> gen;
    if (auto *g = dynamic_cast<AFParser::GeneratorArgsContext *>(c->callArgs())) {
      CallExpr::Arg a;
      a.value = buildExpr(g->expr());
      args.push_back(std::move(a));
      gen = buildComp(g->compFor());
    } else if (auto *p =
                   dynamic_cast<AFParser::PlainArgsContext *>(c->callArgs())) {
      args = buildArgs(p->args());
    }
    return std::make_unique<CallExpr>(r, buildExpr(c->expr()), std::move(args),
                                      std::move(gen));
  }
  if (auto *c = dynamic_cast<AFParser::PowerExprContext *>(ctx))
    return std::make_unique<BinaryExpr>(r, BinaryOp::Pow, buildExpr(c->expr(0)),
                                        buildExpr(c->expr(1)),
                                        src.range(c->expr(0)->getStop(),
                                                  c->expr(1)->getStart()));
  if (auto *c = dynamic_cast<AFParser::UnaryExprContext *>(ctx)) {
    std::string op = c->op->getText();
    UnaryOp u = op == "-" ? UnaryOp::Neg : op == "+" ? UnaryOp::Plus
                                                     : UnaryOp::Complement;
    return std::make_unique<UnaryExpr>(r, u, buildExpr(c->expr()));
  }
  if (auto *c = dynamic_cast<AFParser::NotExprContext *>(ctx))
    return std::make_unique<UnaryExpr>(r, UnaryOp::Not, buildExpr(c->expr()));
  auto binary = [&](AFParser::ExprContext *lhs, AFParser::ExprContext *rhs,
                    antlr4::Token *opTok, const std::string &opText) {
    SMRange opRange = opTok ? src.range(opTok, opTok) : r;
    return std::make_unique<BinaryExpr>(r, binaryOp(opText), buildExpr(lhs),
                                        buildExpr(rhs), opRange);
  };
  if (auto *c = dynamic_cast<AFParser::MulExprContext *>(ctx))
    return binary(c->expr(0), c->expr(1), c->op, c->op->getText());
  if (auto *c = dynamic_cast<AFParser::AddExprContext *>(ctx))
    return binary(c->expr(0), c->expr(1), c->op, c->op->getText());
  auto opToken = [](antlr4::ParserRuleContext *c) -> antlr4::Token * {
    for (auto *ch : c->children)
      if (auto *t = dynamic_cast<antlr4::tree::TerminalNode *>(ch))
        return t->getSymbol();
    return nullptr;
  };
  if (auto *c = dynamic_cast<AFParser::SetAndExprContext *>(ctx))
    return binary(c->expr(0), c->expr(1), opToken(c), "&");
  if (auto *c = dynamic_cast<AFParser::SetXorExprContext *>(ctx))
    return binary(c->expr(0), c->expr(1), opToken(c), "^");
  if (auto *c = dynamic_cast<AFParser::SetOrExprContext *>(ctx))
    return binary(c->expr(0), c->expr(1), opToken(c), "|");
  if (auto *c = dynamic_cast<AFParser::AndExprContext *>(ctx))
    return binary(c->expr(0), c->expr(1), opToken(c), "and");
  if (auto *c = dynamic_cast<AFParser::OrExprContext *>(ctx))
    return binary(c->expr(0), c->expr(1), opToken(c), "or");
  if (auto *c = dynamic_cast<AFParser::CompareExprContext *>(ctx)) {
    ExprPtr lhs = buildExpr(c->expr(0));
    auto result = std::make_unique<CompareExpr>(r);
    // Extend an unparenthesised chain on the left: `0 <= m < M`. A
    // parenthesised comparison arrives wrapped as a one-operand chain.
    auto *lhsCmp = llvm::dyn_cast<CompareExpr>(lhs.get());
    if (lhsCmp && lhsCmp->operands.size() > 1) {
      result->operands = std::move(lhsCmp->operands);
      result->ops = std::move(lhsCmp->ops);
    } else {
      result->operands.push_back(std::move(lhs));
    }
    result->ops.push_back(compareOp(c->compOp()));
    result->operands.push_back(buildExpr(c->expr(1)));
    return result;
  }
  if (auto *c = dynamic_cast<AFParser::CondExprContext *>(ctx))
    return std::make_unique<CondExpr>(r, buildExpr(c->expr(1)),
                                      buildExpr(c->expr(0)),
                                      buildExpr(c->expr(2)));
  return std::make_unique<BoolExpr>(r, false);
}

/// Rejects input that is not text, or that nests deeper than the recursive
/// parser can take, before ANTLR sees it.
bool precheck(llvm::StringRef text, DiagnosticEngine &diags) {
  auto at = [&](size_t i) {
    SMLoc l = SMLoc::getFromPointer(text.data() + i);
    return SMRange(l, l);
  };
  for (size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\0') {
      diags.errorWithoutSource(at(i).Start, "file contains a NUL byte; .af "
                                            "files must be text");
      return false;
    }
  const llvm::UTF8 *p = reinterpret_cast<const llvm::UTF8 *>(text.data());
  const llvm::UTF8 *end = p + text.size();
  while (p < end) {
    unsigned len = llvm::getNumBytesForUTF8(*p);
    if (p + len > end || !llvm::isLegalUTF8Sequence(p, p + len)) {
      diags.errorWithoutSource(
          at(reinterpret_cast<const char *>(p) - text.data()).Start,
          "file is not valid UTF-8 text");
      return false;
    }
    p += len;
  }
  const unsigned kMaxDepth = limits().maxNesting;
  unsigned depth = 0, unary = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '(' || c == '[' || c == '{') {
      if (++depth > kMaxDepth) {
        reportNesting(diags, at(i));
        return false;
      }
    } else if (c == ')' || c == ']' || c == '}') {
      if (depth)
        --depth;
    }
    // Prefix operators recurse in the parser too: `- - - - x`.
    if (c == '-' || c == '~' || c == '+') {
      if (++unary > kMaxDepth) {
        diags.error(at(i), "more than " + std::to_string(kMaxDepth) +
                               " consecutive prefix operators (" +
                               limitFlag("max-nesting", kMaxDepth) + ")");
        return false;
      }
    } else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
      unary = 0;
    }
  }
  return true;
}

} // namespace

template <class F>
static auto runParser(unsigned bufferId, DiagnosticEngine &diags, F &&entry)
    -> decltype(entry(std::declval<AFParser &>(), std::declval<Builder &>())) {
  const llvm::MemoryBuffer *buf = diags.sourceMgr().getMemoryBuffer(bufferId);
  llvm::StringRef text = buf->getBuffer();
  if (!precheck(text, diags))
    return nullptr;
  SourceText src(text);
  antlr4::ANTLRInputStream input(text.str());
  AFLexer lexer(&input);
  lexer.removeErrorListeners();
  antlr4::CommonTokenStream tokens(&lexer);
  GuardedParser parser(&tokens);
  parser.removeErrorListeners();
  ErrorListener listener(diags, src);
  parser.addErrorListener(&listener);
  lexer.addErrorListener(&listener);
  Builder builder(src, diags);
  unsigned before = diags.errorCount();
  decltype(entry(parser, builder)) result;
  try {
    result = entry(parser, builder);
  } catch (const NestingTooDeep &e) {
    reportNesting(diags, src.range(e.token, e.token));
    return nullptr;
  }
  if (listener.count || diags.errorCount() != before)
    return nullptr;
  return result;
}

std::unique_ptr<Module> afc::parseModule(unsigned bufferId,
                                         DiagnosticEngine &diags) {
  auto m = runParser(bufferId, diags,
                     [](AFParser &p, Builder &b) -> std::unique_ptr<Module> {
                       AFParser::FileContext *tree = p.file();
                       if (p.getNumberOfSyntaxErrors())
                         return nullptr;
                       return b.buildFile(tree);
                     });
  if (m) {
    m->bufferId = bufferId;
    m->filename = diags.sourceMgr()
                      .getMemoryBuffer(bufferId)
                      ->getBufferIdentifier()
                      .str();
  }
  return m;
}

ExprPtr afc::parseExpression(unsigned bufferId, DiagnosticEngine &diags) {
  return runParser(bufferId, diags, [](AFParser &p, Builder &b) -> ExprPtr {
    AFParser::ExprOnlyContext *tree = p.exprOnly();
    if (p.getNumberOfSyntaxErrors())
      return nullptr;
    return b.buildExpr(tree->expr());
  });
}
