//===- InternalErrorTest.cpp - who is at fault --------------------------===//
//
// Broken invariants are internal errors whatever the build type, with the
// position of the check and its context; a lowered problem that the model
// finds inconsistent is afc's fault, a mapping the model rejects is the
// user's.
//
//===----------------------------------------------------------------------===//

#include "afc/lower/LowerToModel.h"
#include "afc/support/InternalError.h"

#include <gtest/gtest.h>

#include <string>

using namespace afc;

namespace {

int checkedHalf(int n) {
  AFC_INTERNAL_ASSERT(n % 2 == 0) << "odd value " << n;
  return n / 2;
}

TEST(InternalError, AssertionsStayOnAndSayWhere) {
  EXPECT_EQ(checkedHalf(4), 2);
  try {
    checkedHalf(3);
    FAIL() << "no internal error";
  } catch (const InternalError &e) {
    std::string what = e.what();
    EXPECT_NE(what.find("InternalErrorTest.cpp:"), std::string::npos) << what;
    EXPECT_NE(what.find("check 'n % 2 == 0' failed: odd value 3"),
              std::string::npos)
        << what;
  }
}

TEST(InternalError, UnconditionalErrorCarriesItsMessage) {
  try {
    AFC_INTERNAL_ERROR << "unreachable kind " << 7;
    FAIL() << "no internal error";
  } catch (const InternalError &e) {
    EXPECT_NE(std::string(e.what()).find(": unreachable kind 7"),
              std::string::npos)
        << e.what();
  }
}

TEST(InternalError, AnInconsistentLoweredProblemIsAfcsFault) {
  model::ModelError inconsistent;
  inconsistent.kind = model::ErrorKind::InvalidProblem;
  inconsistent.message = "copy Einsum 'C' has 2 input tensors";
  EXPECT_THROW(lower::checkProblemConsistent(inconsistent), InternalError);

  model::ModelError userMistake;
  userMistake.kind = model::ErrorKind::CapacityExceeded;
  EXPECT_NO_THROW(lower::checkProblemConsistent(userMistake));
  model::ModelError nothingFits;
  nothingFits.kind = model::ErrorKind::NoValidMapping;
  EXPECT_NO_THROW(lower::checkProblemConsistent(nothingFits));
}

} // namespace
