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

#include <cmath>
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

/// A small sound result: one Einsum, one memory read, one compute.
model::Result soundResult() {
  model::Result r;
  r.energy = 3e-12;
  r.latency = 1e-9;
  r.computes = 1;
  r.einsums.push_back({"E", "MAC", 3e-12, 3e-12, 0, 1e-9, 1, 1, 1});
  r.energies.push_back({"E", "Buf", "A", "read", 2e-12});
  r.energies.push_back({"E", "MAC", "None", "compute", 1e-12});
  r.latencies.push_back({"E", "MAC", 1e-9});
  r.area.components.push_back({"Buf", 1e-9, 0, 1, 1e-9, 0});
  r.area.totalArea = 1e-9;
  return r;
}

/// The internal error a result raises, or "" if it is sound.
std::string unsoundness(const model::Result &r) {
  try {
    lower::checkResultSound(r);
  } catch (const InternalError &e) {
    return e.what();
  }
  return "";
}

TEST(InternalError, NegativeOrNonFiniteResultsAreNeverPrinted) {
  EXPECT_EQ(unsoundness(soundResult()), "");
  model::Result zero; // nothing evaluated: all zeros is sound
  EXPECT_EQ(unsoundness(zero), "");

  model::Result negative = soundResult();
  negative.energies[0].energy = -1e-12;
  std::string what = unsoundness(negative);
  EXPECT_NE(what.find("energy (J) -1e-12 in Einsum 'E' for 'Buf' (read)"),
            std::string::npos)
      << what;

  model::Result nanLatency = soundResult();
  nanLatency.latency = std::nan("");
  EXPECT_NE(unsoundness(nanLatency).find("total latency (s) nan"),
            std::string::npos);

  model::Result infinite = soundResult();
  infinite.latencies[0].latency = INFINITY;
  EXPECT_NE(unsoundness(infinite).find("latency (s) inf in Einsum 'E' for "
                                       "'MAC'"),
            std::string::npos);

  model::Result badArea = soundResult();
  badArea.area.components[0].totalArea = -2;
  EXPECT_NE(unsoundness(badArea).find("area (m^2) -2 for 'Buf'"),
            std::string::npos);

  model::Result badEinsum = soundResult();
  badEinsum.einsums[0].energy = -INFINITY;
  EXPECT_NE(unsoundness(badEinsum).find("energy (J) -inf in Einsum 'E'"),
            std::string::npos);
}

} // namespace
