//===- FuzzTest.cpp - mutated inputs never crash the front end ------------===//
//
// A property test: take every stdlib and example file, apply seeded random
// mutations (byte flips, deletions, duplications, splices of tokens from
// other files), and run the whole front end. Any outcome but a crash or a
// hang is acceptable; errors are expected.
//
//===----------------------------------------------------------------------===//
#include "TestUtil.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include "gtest/gtest.h"

#include <random>

using namespace afc;

static std::vector<std::string> corpus() {
  std::vector<std::string> files;
  for (const char *dir : {AFC_SOURCE_DIR "/stdlib", AFC_SOURCE_DIR "/examples",
                          AFC_SOURCE_DIR "/test/lit"}) {
    std::error_code ec;
    for (llvm::sys::fs::recursive_directory_iterator it(dir, ec), end;
         it != end && !ec; it.increment(ec))
      // The resource-limit tests run up to a limit on purpose (seconds
      // each); mutated, they would only make this test slow.
      if (llvm::sys::path::extension(it->path()) == ".af" &&
          !llvm::StringRef(it->path()).contains("/test/lit/limits/")) {
        auto buf = llvm::MemoryBuffer::getFile(it->path());
        if (buf)
          files.push_back((*buf)->getBuffer().str());
      }
  }
  std::sort(files.begin(), files.end()); // deterministic order
  return files;
}

static std::string mutate(std::string s, const std::vector<std::string> &all,
                          std::mt19937 &rng) {
  static const char *tokens[] = {"{", "}", "(", ")", "[", "]", ";", ":", "=",
                                 "${", "for", "in", "if", "else", "~", "|",
                                 "**", "//", "1e999", "-", "\"", "0", "inf",
                                 "einsum", "arch", "param", "import", "B",
                                 "\xff", "nan", "1 B", "sweep"};
  int n = 1 + rng() % 4;
  for (int k = 0; k < n && !s.empty(); ++k) {
    size_t pos = rng() % s.size();
    switch (rng() % 5) {
    case 0:
      s[pos] = char(rng() % 256);
      break;
    case 1:
      s.erase(pos, 1 + rng() % 16);
      break;
    case 2:
      s.insert(pos, tokens[rng() % (sizeof tokens / sizeof *tokens)]);
      break;
    case 3: {
      size_t len = 1 + rng() % 40;
      s.insert(pos, s.substr(rng() % s.size(), len));
      break;
    }
    case 4: {
      const std::string &o = all[rng() % all.size()];
      if (!o.empty())
        s.insert(pos, o.substr(rng() % o.size(), 1 + rng() % 60));
      break;
    }
    }
  }
  return s;
}

TEST(Fuzz, MutatedInputsDoNotCrash) {
  std::vector<std::string> files = corpus();
  ASSERT_FALSE(files.empty());
  std::mt19937 rng(12345);
  unsigned accepted = 0, rejected = 0;
  for (int i = 0; i < 4000; ++i) {
    std::string input = mutate(files[i % files.size()], files, rng);
    ParamOverrides ov;
    ov["N_EINSUMS"] = {ir::Value::number(2), {}};
    afc::test::Compiled c(input);
    (c.spec ? accepted : rejected)++;
  }
  // Most mutations must be rejected with a message, and none may crash.
  EXPECT_GT(rejected, 0u);
  RecordProperty("accepted", accepted);
}
