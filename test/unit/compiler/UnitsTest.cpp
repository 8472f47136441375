//===- UnitsTest.cpp - quantities and units -------------------------------===//
#include "TestUtil.h"

#include "gtest/gtest.h"

#include <cmath>

using namespace afc;
using afc::test::evalText;

TEST(Units, SizesAreBits) {
  EXPECT_EQ(evalText("32 B")->asNumber(), 256);
  EXPECT_EQ(evalText("1 KiB")->asNumber(), 8192);
  EXPECT_EQ(evalText("4 MiB")->asNumber(), 33554432);
  EXPECT_EQ(evalText("1 kB")->asNumber(), 8000);
  EXPECT_EQ(evalText("2 Mibit")->getDimension(), dim::bits);
}

TEST(Units, DecimalPrefixesAreExactLiterals) {
  // 65 nm must be the double the literal 65e-9 denotes, as the reference
  // writes it, not 65 * 1e-9.
  EXPECT_EQ(evalText("65 nm")->asNumber(), 65e-9);
  EXPECT_EQ(evalText("45 nm")->asNumber(), 45e-9);
  EXPECT_EQ(evalText("0.084 pJ")->asNumber(), 0.084e-12);
  EXPECT_EQ(evalText("1.5e3 MHz")->asNumber(), 1.5e9);
}

TEST(Units, DimensionsCombine) {
  auto p = evalText("8 pJ / 2 ns");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->getDimension(), dim::power);
  EXPECT_DOUBLE_EQ(p->asNumber(), 4e-3);
  auto f = evalText("1 / 200 MHz");
  EXPECT_EQ(f->getDimension(), dim::time);
  auto a = evalText("2 mm * 3 mm");
  EXPECT_EQ(a->getDimension(), dim::area);
}

TEST(Units, DataRatesAreBitsPerSecond) {
  // 25.6 GB/s = 25.6e9 bytes of 8 bits per second.
  auto gb = evalText("25.6 GB/s");
  ASSERT_TRUE(gb);
  EXPECT_EQ(gb->getDimension(), dim::bandwidth);
  EXPECT_DOUBLE_EQ(gb->asNumber(), 2.048e11);
  // A decimal bit rate folds into the literal, as 65 nm does.
  EXPECT_EQ(evalText("204.8 Gbit/s")->asNumber(), 204.8e9);
  EXPECT_EQ(evalText("1 GiB/s")->asNumber(), 8589934592.0);
  EXPECT_EQ(evalText("3 B/s")->asNumber(), 24);
  // The same dimension as a size over a time.
  EXPECT_EQ(evalText("1 GB / 1 s")->getDimension(), dim::bandwidth);
  EXPECT_EQ(dim::bandwidth.str(), "bit/s");
}

TEST(Units, MismatchesAreErrors) {
  std::string err;
  EXPECT_FALSE(evalText("1 pJ + 1 s", &err));
  EXPECT_NE(err.find("cannot add a time (s) to an energy (J)"),
            std::string::npos);
  EXPECT_FALSE(evalText("1 B < 1 Hz", &err));
  EXPECT_FALSE(evalText("3 furlongs", &err));
  EXPECT_NE(err.find("unknown unit 'furlongs'"), std::string::npos);
}

TEST(Units, PlainNumbersAdaptToTheOtherSide) {
  // The reference has no units; a plain number next to a quantity is taken
  // in the quantity's base unit.
  auto v = evalText("1 B + 8");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->asNumber(), 16);
  EXPECT_EQ(v->getDimension(), dim::bits);
}

TEST(Units, FormatIsStable) {
  EXPECT_EQ(formatNumber(1048576), "1048576");
  EXPECT_EQ(formatNumber(0.1), "0.1");
  EXPECT_EQ(formatNumber(1.0 / 3), "0.3333333333333333");
  EXPECT_EQ(formatQuantity(8e-12, dim::energy), "8e-12 J");
  EXPECT_EQ(formatNumber(INFINITY), "inf");
}
