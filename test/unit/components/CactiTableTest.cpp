//===- CactiTableTest.cpp - CACTI table, query rule and estimates ---------===//
//
// The key rule from an SRAM request to CACTI queries (component-models.md
// §6.2-6.4), loading and lookup, and the estimation rules for missing rows
// (§6.5), on the shipped table and on small hand-made tables.
//
//===----------------------------------------------------------------------===//

#include "TestSupport.h"

#include "afc/components/SramQuery.h"

#include <cmath>

using namespace afc::components;
using namespace afc::components::test;

namespace {

const CactiTable &table() { return *library().cactiTable(); }

CactiKey keyFor(double size, int nodeNm, double nBanks = 1, double nPorts = 1) {
  auto g =
      resolveSramGeometry(size, std::nullopt, std::nullopt, nPorts, nBanks);
  EXPECT_TRUE(g) << g.error().message;
  return g ? g->keyAt(nodeNm) : CactiKey{};
}

} // namespace

// --- The key rule -------------------------------------------------------

TEST(SramQuery, ExampleBuffersMapToTheDocumentedRows) {
  // component-models.md §6.3.
  EXPECT_EQ(keyFor(1048576, 65, 32), (CactiKey{65, 1, 32, 128, 262144}));
  EXPECT_EQ(keyFor(192, 65), (CactiKey{65, 1, 1, 4, 256}));
  EXPECT_EQ(keyFor(256, 65), (CactiKey{65, 1, 1, 4, 256}));
  EXPECT_EQ(keyFor(3072, 65), (CactiKey{65, 1, 1, 7, 448}));
  EXPECT_EQ(keyFor(524288, 22, 2, 2), (CactiKey{22, 2, 2, 91, 65807}));
  EXPECT_EQ(keyFor(65536, 22), (CactiKey{22, 1, 1, 32, 8192}));
  EXPECT_EQ(keyFor(262144, 22, 8), (CactiKey{22, 1, 8, 64, 32768}));
  EXPECT_EQ(keyFor(24576, 22), (CactiKey{22, 1, 1, 20, 3130}));
}

TEST(SramQuery, GeometryAndPadding) {
  // simba GlobalBuffer (§7.6): width ceil(sqrt(524288)) = 725, fractional
  // depth, padded width 728, depth unpadded.
  auto g = resolveSramGeometry(524288, std::nullopt, std::nullopt, 2, 2);
  ASSERT_TRUE(g);
  EXPECT_EQ(g->width, 725);
  EXPECT_EQ(g->depth, 524288.0 / 725);
  EXPECT_EQ(g->paddedWidth, 728);
  EXPECT_EQ(g->widthScale, 725.0 / 728);
  EXPECT_EQ(g->depthScale, 1.0);
  EXPECT_EQ(g->cactiBanks, 2);
  // eyeriss InputScratchpad (§7.3): 16 x 12 padded to 32 x 64.
  auto s = resolveSramGeometry(192, std::nullopt, std::nullopt, 1, 1);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->width, 16);
  EXPECT_EQ(s->depth, 12);
  EXPECT_EQ(s->widthScale, 0.5);
  EXPECT_EQ(s->depthScale, 0.1875);
  // Banks round up to a power of two; the depth floor uses the request.
  auto b = resolveSramGeometry(1 << 20, std::nullopt, std::nullopt, 1, 3);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->cactiBanks, 4);
  EXPECT_EQ(b->paddedDepth, 1024);
  auto small = resolveSramGeometry(1000, std::nullopt, std::nullopt, 1, 3);
  ASSERT_TRUE(small);
  EXPECT_EQ(small->paddedDepth, 192);
}

TEST(SramQuery, ExplicitWidthAndDepth) {
  auto g = resolveSramGeometry(std::nullopt, 64, 1024, 1, 1);
  ASSERT_TRUE(g);
  EXPECT_EQ(g->size, 65536);
  EXPECT_EQ(g->keyAt(45), (CactiKey{45, 1, 1, 8, 8192}));
  // Only depth: width = size / depth.
  auto d = resolveSramGeometry(4096, std::nullopt, 64, 1, 1);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->width, 64);
  // Only width: depth = size / width.
  auto w = resolveSramGeometry(4096, 128, std::nullopt, 1, 1);
  ASSERT_TRUE(w);
  EXPECT_EQ(w->depth, 32);
  EXPECT_EQ(w->keyAt(65), (CactiKey{65, 1, 1, 16, 1024}));
}

TEST(SramQuery, GlobalBufferSweepQueries) {
  // component-models.md §6.4: the 32 sizes of the eyeriss GlobalBuffer
  // sweep, all at 65 nm, 1 port, 32 banks: (width, size_bytes, block).
  struct Row {
    int width;
    int64_t sizeBytes;
    int block;
  };
  const Row rows[32] = {
      {16, 8192, 4},        {20, 8192, 4},        {24, 8192, 4},
      {29, 8192, 4},        {35, 10240, 5},       {42, 12288, 6},
      {51, 14336, 7},       {61, 16384, 8},       {74, 20480, 10},
      {89, 24576, 12},      {108, 28672, 14},     {130, 34816, 17},
      {157, 40960, 20},     {190, 49152, 24},     {229, 59392, 29},
      {277, 71680, 35},     {335, 86016, 42},     {405, 104448, 51},
      {490, 126976, 62},    {593, 153600, 75},    {717, 184320, 90},
      {866, 223232, 109},   {1048, 268288, 131},  {1267, 325632, 159},
      {1532, 393216, 192},  {1852, 475136, 232},  {2240, 626982, 280},
      {2709, 917945, 339},  {3276, 1342600, 410}, {3961, 1964557, 496},
      {4790, 2869196, 599}, {5793, 4199372, 725}};
  for (int i = 0; i < 32; ++i) {
    double size = 256 * std::pow(33554432.0 / 256, i / 31.0);
    auto g = resolveSramGeometry(size, std::nullopt, std::nullopt, 1, 32);
    ASSERT_TRUE(g) << i;
    EXPECT_EQ(g->width, rows[i].width) << i;
    EXPECT_EQ(g->keyAt(65),
              (CactiKey{65, 1, 32, rows[i].block, rows[i].sizeBytes}))
        << i;
    // Every sweep query is a row of the shipped table.
    EXPECT_NE(table().find(g->keyAt(65)), nullptr) << i;
    // Up to i = 25 the depth is padded to 64 x 32.
    EXPECT_EQ(g->paddedDepth, i <= 25 ? 2048 : g->depth) << i;
  }
}

TEST(SramQuery, NativeNodePlan) {
  CactiNodePlan at65 = planCactiNodes(65);
  EXPECT_EQ(at65.lowNm, 65);
  EXPECT_EQ(at65.highNm, 65);
  EXPECT_FALSE(at65.outsideNative);

  CactiNodePlan at28 = planCactiNodes(28);
  EXPECT_EQ(at28.lowNm, 22);
  EXPECT_EQ(at28.highNm, 32);
  EXPECT_DOUBLE_EQ(at28.weight, 0.6);

  // Nodes a rounding error away from a native node (22 * 1e-9 * 1e9 is
  // 22.000000000000004, 90 * 1e-9 * 1e9 is 90.00000000000001) are that node,
  // not an interpolation or an extrapolation.
  CactiNodePlan nearly22 = planCactiNodes(22.000000000000004);
  EXPECT_EQ(nearly22.lowNm, 22);
  EXPECT_EQ(nearly22.highNm, 22);
  EXPECT_FALSE(nearly22.outsideNative);
  CactiNodePlan nearly90 = planCactiNodes(90.00000000000001);
  EXPECT_EQ(nearly90.lowNm, 90);
  EXPECT_FALSE(nearly90.outsideNative);

  CactiNodePlan at16 = planCactiNodes(16);
  EXPECT_TRUE(at16.outsideNative);
  EXPECT_EQ(at16.lowNm, 22);
  EXPECT_EQ(at16.ratio, 16.0 / 22);
  // Above 90 nm the reference also rescales the 22 nm results.
  CactiNodePlan at130 = planCactiNodes(130);
  EXPECT_TRUE(at130.outsideNative);
  EXPECT_EQ(at130.lowNm, 22);
  EXPECT_EQ(at130.ratio, 130.0 / 22);
}

TEST(SramQuery, RejectsBadGeometry) {
  auto noSize =
      resolveSramGeometry(std::nullopt, std::nullopt, std::nullopt, 1, 1);
  ASSERT_FALSE(noSize);
  EXPECT_EQ(noSize.error().code, ErrorCode::MissingAttribute);
  EXPECT_NE(noSize.error().message.find("'size'"), std::string::npos);

  auto infinite =
      resolveSramGeometry(INFINITY, std::nullopt, std::nullopt, 1, 1);
  ASSERT_FALSE(infinite);
  EXPECT_EQ(infinite.error().code, ErrorCode::InvalidAttribute);
  EXPECT_NE(infinite.error().message.find("size"), std::string::npos);

  auto mismatch = resolveSramGeometry(1000, 10, 50, 1, 1);
  ASSERT_FALSE(mismatch);
  EXPECT_NE(mismatch.error().message.find("depth"), std::string::npos);

  auto banks = resolveSramGeometry(1024, std::nullopt, std::nullopt, 1, 2.5);
  ASSERT_FALSE(banks);
  EXPECT_NE(banks.error().message.find("n_banks"), std::string::npos);

  auto ports = resolveSramGeometry(1024, std::nullopt, std::nullopt, 0, 1);
  ASSERT_FALSE(ports);
  EXPECT_NE(ports.error().message.find("n_rw_ports"), std::string::npos);
}

// --- Loading and exact lookup -------------------------------------------

TEST(CactiTable, LoadsTheShippedTable) {
  EXPECT_EQ(table().size(), 8533u);
  const CactiValues *gb = table().find({65, 1, 32, 128, 262144});
  ASSERT_NE(gb, nullptr);
  EXPECT_EQ(gb->accessNs, 4.81264);
  EXPECT_EQ(gb->cycleNs, 2.13197);
  EXPECT_EQ(gb->readNJ, 2.48757);
  EXPECT_EQ(gb->writeNJ, 2.50568);
  EXPECT_EQ(gb->leakMWPerBank, 0.0158756);
  EXPECT_EQ(gb->areaMM2, 13.714);
  auto exact = table().lookup({22, 2, 2, 91, 65807});
  ASSERT_TRUE(exact);
  EXPECT_EQ(exact->match, CactiMatch::Exact);
  EXPECT_TRUE(exact->note.empty());
  EXPECT_EQ(exact->values.readNJ, 0.0706642);
}

TEST(CactiTable, ParseErrorsNameTheLine) {
  const std::string header = "tech_um,rw_ports,banks,block_bytes,size_bytes,"
                             "access_ns,cycle_ns,read_nJ,write_nJ,"
                             "leak_mW_per_bank,area_mm2\n";
  auto missingColumn = CactiTable::parse("tech_um,rw_ports\n", "t.csv");
  ASSERT_FALSE(missingColumn);
  EXPECT_EQ(missingColumn.error().code, ErrorCode::Parse);
  EXPECT_NE(missingColumn.error().message.find("banks"), std::string::npos);

  auto badNumber =
      CactiTable::parse(header + "0.065,1,1,4,256,1,1,x,1,1,1\n", "t.csv");
  ASSERT_FALSE(badNumber);
  EXPECT_NE(badNumber.error().message.find("t.csv:2"), std::string::npos);
  EXPECT_NE(badNumber.error().message.find("read_nJ"), std::string::npos);

  auto shortRow = CactiTable::parse(header + "0.065,1,1,4\n", "t.csv");
  ASSERT_FALSE(shortRow);
  EXPECT_NE(shortRow.error().message.find("fields"), std::string::npos);

  auto duplicate = CactiTable::parse(header + "0.065,1,1,4,256,1,1,1,1,1,1\n"
                                              "0.065,1,1,4,256,2,2,2,2,2,2\n",
                                     "t.csv");
  ASSERT_FALSE(duplicate);
  EXPECT_NE(duplicate.error().message.find("duplicate"), std::string::npos);

  auto empty = CactiTable::parse("", "t.csv");
  ASSERT_FALSE(empty);

  auto missingFile = CactiTable::load("no/such/sram_cacti7.csv");
  ASSERT_FALSE(missingFile);
  EXPECT_EQ(missingFile.error().code, ErrorCode::Io);
  EXPECT_NE(missingFile.error().message.find("no/such/sram_cacti7.csv"),
            std::string::npos);
}

// --- Estimates for missing rows (§6.5) ----------------------------------

TEST(CactiTable, InterpolatesWithinAFamilyAsAPowerLaw) {
  // 3000 B lies between the 2048 B and 4096 B rows (65 nm, 1 port, 1 bank,
  // 4 B blocks).
  CactiKey key{65, 1, 1, 4, 3000};
  ASSERT_EQ(table().find(key), nullptr);
  auto est = table().lookup(key);
  ASSERT_TRUE(est) << est.error().message;
  EXPECT_EQ(est->match, CactiMatch::Interpolated);
  EXPECT_NE(est->note.find("3000 B"), std::string::npos) << est->note;
  EXPECT_NE(est->note.find("2048 B and 4096 B"), std::string::npos)
      << est->note;
  double t = std::log(3000.0 / 2048) / std::log(2.0);
  auto logLog = [t](double v0, double v1) {
    return std::exp(std::log(v0) + (std::log(v1) - std::log(v0)) * t);
  };
  EXPECT_TRUE(
      closeRel(est->values.areaMM2, logLog(0.0136892, 0.0274885), 1e-12));
  EXPECT_TRUE(
      closeRel(est->values.readNJ, logLog(0.00296125, 0.00516648), 1e-12));
  EXPECT_TRUE(closeRel(est->values.cycleNs, logLog(1.09887, 1.15801), 1e-12));
  // Between its neighbours.
  EXPECT_GT(est->values.areaMM2, 0.0136892);
  EXPECT_LT(est->values.areaMM2, 0.0274885);
}

TEST(CactiTable, ExtrapolatesBeyondTheFamily) {
  // Beyond the largest 4 B-block row (262144 B): the last two rows.
  CactiKey key{65, 1, 1, 4, 524288};
  auto est = table().lookup(key);
  ASSERT_TRUE(est) << est.error().message;
  EXPECT_EQ(est->match, CactiMatch::Extrapolated);
  // Area doubled from 131072 to 262144 B (0.869329 -> 1.71438), so a power
  // law through them gives 1.71438^2 / 0.869329 at 524288 B.
  EXPECT_TRUE(
      closeRel(est->values.areaMM2, 1.71438 * 1.71438 / 0.869329, 1e-12));
}

TEST(CactiTable, EstimatesOnSmallTables) {
  const std::string header = "tech_um,rw_ports,banks,block_bytes,size_bytes,"
                             "access_ns,cycle_ns,read_nJ,write_nJ,"
                             "leak_mW_per_bank,area_mm2\n";
  // Family 4 B: values proportional to size; family 16 B: three times more.
  auto t = CactiTable::parse(header + "0.045,1,1,4,1000,1,1,1,1,1,1\n"
                                      "0.045,1,1,4,4000,4,4,4,4,4,4\n"
                                      "0.045,1,1,16,1000,3,3,3,3,3,3\n"
                                      "0.045,1,1,16,4000,12,12,12,12,12,12\n"
                                      "0.045,1,1,32,8000,5,5,5,5,5,5\n");
  ASSERT_TRUE(t) << t.error().message;

  // Rule 1: 2000 B in the 4 B family -> 2.
  auto inFamily = t->lookup({45, 1, 1, 4, 2000});
  ASSERT_TRUE(inFamily);
  EXPECT_EQ(inFamily->match, CactiMatch::Interpolated);
  EXPECT_DOUBLE_EQ(inFamily->values.readNJ, 2);

  // Rule 3: 8 B blocks, between the 4 B (2 at 2000 B) and 16 B (6 at
  // 2000 B) families, a power law in block size: sqrt(2 * 6).
  auto acrossBlocks = t->lookup({45, 1, 1, 8, 2000});
  ASSERT_TRUE(acrossBlocks);
  EXPECT_EQ(acrossBlocks->match, CactiMatch::Interpolated);
  EXPECT_DOUBLE_EQ(acrossBlocks->values.areaMM2, std::sqrt(12.0));
  EXPECT_NE(acrossBlocks->note.find("block"), std::string::npos);

  // Rule 2 with a single row: area and leak in proportion to size, energy
  // to the 0.78th power, times unchanged.
  auto single = t->lookup({45, 1, 1, 32, 16000});
  ASSERT_TRUE(single);
  EXPECT_EQ(single->match, CactiMatch::Extrapolated);
  EXPECT_DOUBLE_EQ(single->values.areaMM2, 10);
  EXPECT_DOUBLE_EQ(single->values.leakMWPerBank, 10);
  EXPECT_DOUBLE_EQ(single->values.readNJ, 5 * std::pow(2.0, 0.78));
  EXPECT_DOUBLE_EQ(single->values.cycleNs, 5);

  // Nothing with the same technology, ports and banks.
  auto none = t->lookup({45, 2, 1, 4, 1000});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ErrorCode::MissingCactiRow);
  EXPECT_NE(none.error().message.find("2 rw port(s)"), std::string::npos);

  // Estimates disabled: the exact missing key is reported.
  auto strict = t->lookup({45, 1, 1, 4, 2000}, /*allowEstimate=*/false);
  ASSERT_FALSE(strict);
  EXPECT_EQ(strict.error().code, ErrorCode::MissingCactiRow);
  EXPECT_NE(strict.error().message.find("tech 0.045 um, 2000 B, 1 rw port(s), "
                                        "4 B blocks, 1 bank(s)"),
            std::string::npos)
      << strict.error().message;
}
