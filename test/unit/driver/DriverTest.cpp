//===- DriverTest.cpp - afcMain called as a library -----------------------===//
//
// The driver is a library so that tests and other tools can run a whole
// invocation in-process and read its output and exit code.
//
//===----------------------------------------------------------------------===//
#include "afc/driver/Driver.h"
#include "afc/support/InternalError.h"

#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

using namespace afc;
using namespace afc::driver;

namespace {

struct Invocation {
  int rc;
  std::string out, err;
};

Invocation invoke(const Options &options) {
  Invocation r;
  llvm::raw_string_ostream out(r.out), err(r.err);
  r.rc = afcMain(options, out, err);
  out.flush();
  err.flush();
  return r;
}

std::string stdlib(const std::string &file) {
  return std::string(AFC_SOURCE_DIR) + "/stdlib/" + file;
}

TEST(Driver, NoInputIsAUserError) {
  Invocation r = invoke(Options());
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("error: no input files"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());
}

TEST(Driver, InternalErrorHasItsOwnExitCode) {
  Options o;
  o.debugInternalError = true;
  Invocation r = invoke(o);
  EXPECT_EQ(r.rc, kInternalErrorExitCode);
  EXPECT_EQ(r.err.rfind("afc: internal error: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("please report it"), std::string::npos) << r.err;
}

/// What `--emit=kind` prints for the simple architecture.
std::string emitted(EmitKind kind) {
  Options o;
  o.emit = kind;
  o.inputFiles = {stdlib("arches/simple.af")};
  Invocation r = invoke(o);
  EXPECT_EQ(r.rc, 0) << r.err;
  return r.out;
}

TEST(Driver, EmitIRWritesToTheOutputStream) {
  std::string out = emitted(EmitKind::IR);
  EXPECT_NE(out.find("arch "), std::string::npos) << out;
}

TEST(Driver, EmitASTPrintsPositions) {
  std::string position = "@";
  position.append(stdlib("arches/simple.af")).append(":");
  std::string out = emitted(EmitKind::AST);
  EXPECT_NE(out.find(position), std::string::npos) << out;
}

TEST(Driver, EvalPrintsJSON) {
  Options o;
  o.command = Command::Eval;
  o.format = OutputFormat::JSON;
  o.inputFiles = {stdlib("arches/simple.af"),
                  stdlib("workloads/basic/matmuls.af"),
                  stdlib("mappings/unfused_matmuls_to_simple.af")};
  o.defines = {"N_EINSUMS=2", "M=64", "KN=32"};
  Invocation r = invoke(o);
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out.rfind("{\n  \"energy\": ", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("\"area_per_component\""), std::string::npos);
}

TEST(Driver, UnknownDeclarationIsReported) {
  Options o;
  o.command = Command::Eval;
  o.arch = "nope";
  o.inputFiles = {stdlib("arches/simple.af")};
  Invocation r = invoke(o);
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("no arch named 'nope'"), std::string::npos) << r.err;
}

} // namespace
