//===- SramQuery.h - from an SRAM request to CACTI queries ------*- C++ -*-===//
//
// How hwcomponents' SRAM model turns (size, width, depth, ports, banks,
// technology) into CACTI queries and corrects the answers
// (component-models.md §5.2 and §6.2):
//
//  1. geometry: width = max(16, ceil(sqrt(size))) unless width or depth is
//     given; depth = size / width (possibly fractional);
//  2. padding to what CACTI accepts: width up to a multiple of 8 bits and at
//     least 32, depth at least 64 x n_banks, banks up to a power of two;
//  3. the query at each native CACTI node (22, 32, 45, 65, 90 nm) that the
//     technology needs: the node itself, its two neighbours, or 22 nm for
//     nodes outside [22, 90] nm.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_COMPONENTS_SRAMQUERY_H
#define AFC_COMPONENTS_SRAMQUERY_H

#include "afc/components/CactiTable.h"
#include "afc/components/Error.h"

#include <array>
#include <cstdint>
#include <optional>

namespace afc::components {

/// The native CACTI technology nodes (nm), as hwcomponents queries them.
inline constexpr std::array<int, 5> CactiNodesNm = {22, 32, 45, 65, 90};

/// A resolved SRAM geometry and the padded shape CACTI is asked about.
struct SramGeometry {
  double width = 0; ///< bits per access (may be fractional if derived)
  double depth = 0; ///< entries (may be fractional)
  double size = 0;  ///< width * depth, bits
  int64_t nRwPorts = 1;
  int64_t nBanks = 1; ///< as requested (not rounded)

  int64_t cactiBanks = 1;  ///< 2 ** ceil(log2(nBanks))
  double paddedWidth = 32; ///< max(ceil(width / 8) * 8, 32)
  double paddedDepth = 64; ///< max(depth, 64 * nBanks)
  double widthScale = 1;   ///< width / paddedWidth
  double depthScale = 1;   ///< depth / paddedDepth
  int blockBytes = 4;      ///< paddedWidth / 8
  int64_t sizeBytes = 256; ///< floor(paddedWidth * paddedDepth / 8)

  /// The CACTI query at one native node.
  CactiKey keyAt(int techNm) const {
    return {techNm, int(nRwPorts), int(cactiBanks), blockBytes, sizeBytes};
  }
};

/// Resolves width, depth and size as hwcomponents does and checks them.
/// Errors name the attribute: a missing size (with no width and depth), a
/// non-positive or infinite size, width or depth, inconsistent
/// size/width/depth, non-integer or non-positive ports or banks.
Expected<SramGeometry> resolveSramGeometry(std::optional<double> size,
                                           std::optional<double> width,
                                           std::optional<double> depth,
                                           double nRwPorts, double nBanks);

/// Which native nodes a technology (in nm) needs and how to combine them:
/// value = (1 - weight) * value(lowNm) + weight * value(highNm) for
/// 22 <= nm <= 90; outside that range the 22 nm results are rescaled by
/// `ratio` = nm / 22 (energy by sqrt, area and times linearly, leak by
/// sqrt x 0.79 below 22 nm only). A node within 1e-9 (relative) of a native
/// node is taken as that node, so that 90 * 1e-9 m means 90 nm (the
/// reference, comparing 90.00000000000001 > 90, would extrapolate instead).
struct CactiNodePlan {
  int lowNm = 22;
  int highNm = 22;
  double weight = 0; ///< interpolation weight of highNm
  bool outsideNative = false;
  double ratio = 1; ///< nm / 22 when outsideNative
};
CactiNodePlan planCactiNodes(double techNm);

} // namespace afc::components

#endif // AFC_COMPONENTS_SRAMQUERY_H
