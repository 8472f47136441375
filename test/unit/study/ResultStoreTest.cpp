//===- ResultStoreTest.cpp - the study result store -----------------------===//
//
// Rows must come back from the store exactly as they went in (reports are
// written from it and must be byte-identical to a run from memory), keyed
// by study, inputs and point; claims must keep two processes off one point
// while letting a dead process's points be taken over.
//
//===----------------------------------------------------------------------===//
#include "afc/study/ResultStore.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sys/wait.h>
#include <unistd.h>

using namespace afc::study;
namespace fs = std::filesystem;

namespace {

class ResultStoreTest : public ::testing::Test {
protected:
  void SetUp() override {
    dir = fs::temp_directory_path() /
          ("afc-store-test-" + std::to_string(getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
    path = (dir / ResultStore::kFileName).string();
  }
  void TearDown() override { fs::remove_all(dir); }

  std::unique_ptr<ResultStore> open() {
    std::string error;
    std::unique_ptr<ResultStore> s = ResultStore::open(path, error);
    EXPECT_TRUE(s) << error;
    return s;
  }

  fs::path dir;
  std::string path;
};

Row sampleRow() {
  return {{"point", 3.0},
          {"status", std::string("ok")},
          {"energy_J", 0.1 + 0.2}, // not a short decimal
          {"tiny", 5e-324},
          {"big", 68719476736.0},
          {"negative_zero", -0.0},
          {"inf", std::numeric_limits<double>::infinity()},
          {"minus_inf", -std::numeric_limits<double>::infinity()},
          {"empty", std::monostate()},
          {"mapping", std::string("mapping point3 {\n  \"q\" \\ \t\x01 é\n}")}};
}

bool sameBits(double a, double b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}

TEST(RowEncoding, RoundTripsEveryCellExactly) {
  Row row = sampleRow();
  std::optional<Row> back = decodeRow(encodeRow(row));
  ASSERT_TRUE(back);
  ASSERT_EQ(back->size(), row.size());
  for (size_t i = 0; i < row.size(); ++i) {
    EXPECT_EQ((*back)[i].first, row[i].first) << "order is kept";
    ASSERT_EQ((*back)[i].second.index(), row[i].second.index()) << i;
    if (auto *d = std::get_if<double>(&row[i].second))
      EXPECT_TRUE(sameBits(std::get<double>((*back)[i].second), *d))
          << row[i].first;
    else
      EXPECT_EQ((*back)[i].second, row[i].second) << row[i].first;
  }
  Row nan = {{"x", std::nan("")}};
  std::optional<Row> nanBack = decodeRow(encodeRow(nan));
  ASSERT_TRUE(nanBack);
  EXPECT_TRUE(std::isnan(std::get<double>((*nanBack)[0].second)));
}

TEST(RowEncoding, IsJSONAnObjectInRowOrder) {
  EXPECT_EQ(encodeRow({{"b", 1.5}, {"a", std::string("x\"y")}}),
            "{\"b\": 1.5, \"a\": \"x\\\"y\"}");
}

TEST(RowEncoding, RejectsDamagedText) {
  std::string text = encodeRow(sampleRow());
  EXPECT_FALSE(decodeRow(text.substr(0, text.size() / 2)));
  EXPECT_FALSE(decodeRow(""));
  EXPECT_FALSE(decodeRow("{\"a\": }"));
  EXPECT_FALSE(decodeRow("{\"a\": 1} trailing"));
}

TEST_F(ResultStoreTest, CommittedRowsSurviveReopening) {
  {
    auto store = open();
    ASSERT_TRUE(store->commit("s", "in1", "M=1", 0, sampleRow(), ""));
    ASSERT_TRUE(store->commit("s", "in1", "M=2", 1, {{"status",
                                                      std::string("bad")}},
                              "no valid mapping: x"));
  }
  auto store = open();
  bool failed = false;
  auto a = store->find("s", "in1", "M=1", failed);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->idx, 0u);
  EXPECT_EQ(a->failure, "");
  EXPECT_EQ(encodeRow(a->row), encodeRow(sampleRow()));
  auto b = store->find("s", "in1", "M=2", failed);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->idx, 1u);
  EXPECT_EQ(b->failure, "no valid mapping: x");
  // Another study, other inputs or another point: not found.
  EXPECT_FALSE(store->find("t", "in1", "M=1", failed));
  EXPECT_FALSE(store->find("s", "in2", "M=1", failed));
  EXPECT_FALSE(store->find("s", "in1", "M=3", failed));
  EXPECT_FALSE(failed);
}

TEST_F(ResultStoreTest, ForgetDropsOtherInputsOrTheWholeStudy) {
  auto store = open();
  ASSERT_TRUE(store->commit("s", "old", "M=1", 0, {{"a", 1.0}}, ""));
  ASSERT_TRUE(store->commit("s", "new", "M=1", 0, {{"a", 2.0}}, ""));
  ASSERT_TRUE(store->commit("t", "old", "M=1", 0, {{"a", 3.0}}, ""));
  bool failed = false;
  ASSERT_TRUE(store->forget("s", "new", /*keepCurrent=*/true));
  EXPECT_FALSE(store->find("s", "old", "M=1", failed));
  EXPECT_TRUE(store->find("s", "new", "M=1", failed));
  EXPECT_TRUE(store->find("t", "old", "M=1", failed)) << "other studies stay";
  ASSERT_TRUE(store->forget("s", "new", /*keepCurrent=*/false));
  EXPECT_FALSE(store->find("s", "new", "M=1", failed));
  EXPECT_TRUE(store->find("t", "old", "M=1", failed));
}

TEST_F(ResultStoreTest, ClaimsKeepOtherLiveProcessesOff) {
  auto store = open();
  EXPECT_EQ(store->claim("s", "in", "M=1", 0), ResultStore::Claim::Mine);
  // Claiming again from the same process is still ours.
  EXPECT_EQ(store->claim("s", "in", "M=1", 0), ResultStore::Claim::Mine);
  ASSERT_TRUE(store->commit("s", "in", "M=1", 0, {{"a", 1.0}}, ""));
  EXPECT_EQ(store->claim("s", "in", "M=1", 0), ResultStore::Claim::Done);
  EXPECT_EQ(store->claim("s", "in", "M=2", 1), ResultStore::Claim::Mine);

  // A child process (alive while it waits on a pipe) sees our claim as
  // taken and the finished point as done; it claims a free one.
  int toChild[2], fromChild[2];
  ASSERT_EQ(pipe(toChild), 0);
  ASSERT_EQ(pipe(fromChild), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::string error;
    auto s = ResultStore::open(path, error);
    char answer[3] = {'x', 'x', 'x'};
    if (s) {
      auto code = [](ResultStore::Claim c) {
        return c == ResultStore::Claim::Mine   ? 'M'
               : c == ResultStore::Claim::Done ? 'D'
               : c == ResultStore::Claim::Taken ? 'T'
                                                : 'E';
      };
      answer[0] = code(s->claim("s", "in", "M=2", 1));
      answer[1] = code(s->claim("s", "in", "M=1", 0));
      answer[2] = code(s->claim("s", "in", "M=3", 2));
    }
    s.reset();
    (void)!write(fromChild[1], answer, 3);
    char c;
    (void)!read(toChild[0], &c, 1); // stay alive until the parent looked
    _exit(0);
  }
  char answer[3] = {0, 0, 0};
  ASSERT_EQ(read(fromChild[0], answer, 3), 3);
  EXPECT_EQ(std::string(answer, 3), "TDM");
  // While the child lives, its claim holds.
  EXPECT_EQ(store->claim("s", "in", "M=3", 2), ResultStore::Claim::Taken);
  (void)!write(toChild[1], "x", 1);
  int status = 0;
  waitpid(child, &status, 0);
  // Its process is gone (as if killed): the point may be taken over.
  EXPECT_EQ(store->claim("s", "in", "M=3", 2), ResultStore::Claim::Mine);
  for (int fd : {toChild[0], toChild[1], fromChild[0], fromChild[1]})
    close(fd);
}

TEST_F(ResultStoreTest, ReleasedClaimsAreFreeAndDoneRowsStay) {
  auto store = open();
  ASSERT_EQ(store->claim("s", "in", "M=1", 0), ResultStore::Claim::Mine);
  ASSERT_EQ(store->claim("s", "in", "M=2", 1), ResultStore::Claim::Mine);
  ASSERT_TRUE(store->commit("s", "in", "M=2", 1, {{"a", 1.0}}, ""));
  store->releaseClaims();
  bool failed = false;
  EXPECT_TRUE(store->find("s", "in", "M=2", failed));
  EXPECT_FALSE(store->find("s", "in", "M=1", failed));
}

TEST_F(ResultStoreTest, ANonDatabaseFileIsAnError) {
  {
    std::ofstream(path) << "this is a report, not a database\n";
  }
  std::string error;
  EXPECT_FALSE(ResultStore::open(path, error));
  EXPECT_NE(error.find("afc-results.sqlite"), std::string::npos) << error;
}

} // namespace
