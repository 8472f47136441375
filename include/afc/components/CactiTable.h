//===- CactiTable.h - CACTI 7 SRAM results as a lookup table ----*- C++ -*-===//
//
// afc does not run CACTI. The SRAM model reads CACTI 7 results from a table
// (stdlib/data/sram_cacti7.csv), one row per CACTI query: the key is
// (technology, read-write ports, banks, block bytes, size bytes), the values
// are CACTI's printed access and cycle time, read and write energy, leak per
// bank and area. The printed 6-digit values are used as they are, which is
// what makes the reference's numbers reproducible.
//
// A table is loaded once from a caller-given path and is immutable after:
// exact lookups are a hash probe, estimates for missing queries a binary
// search. It is safe to share between threads.
//
// Missing queries are estimated as component-models.md §6.5 says (power law
// in size within a family, then in block size across families) and always
// reported as approximate, with the exact missing key in the note.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_COMPONENTS_CACTITABLE_H
#define AFC_COMPONENTS_CACTITABLE_H

#include "afc/components/Error.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace afc::components {

/// One CACTI query.
struct CactiKey {
  int techNm = 0;        ///< 22, 32, 45, 65 or 90 (the table's tech_um x 1000)
  int rwPorts = 1;       ///< read-write ports
  int banks = 1;         ///< UCA banks, a power of two
  int blockBytes = 0;    ///< block (= access) width in bytes
  int64_t sizeBytes = 0; ///< capacity in bytes

  bool operator==(const CactiKey &) const = default;
  /// e.g. "tech 0.065 um, 262144 B, 1 rw port(s), 128 B blocks, 32 bank(s)".
  std::string str() const;
};

/// CACTI's outputs for one query, in CACTI's printed units.
struct CactiValues {
  double accessNs = 0;      ///< access time (ns)
  double cycleNs = 0;       ///< random cycle time (ns)
  double readNJ = 0;        ///< dynamic read energy per block access (nJ)
  double writeNJ = 0;       ///< dynamic write energy per block access (nJ)
  double leakMWPerBank = 0; ///< standby leakage per bank (mW)
  double areaMM2 = 0;       ///< area of the whole memory (mm^2)
};

struct CactiRow {
  CactiKey key;
  CactiValues values;
};

/// How a lookup was answered.
enum class CactiMatch {
  Exact,        ///< the query is a row of the table
  Interpolated, ///< estimated between rows that bracket the query
  Extrapolated, ///< estimated from rows on one side only
};

struct CactiLookup {
  CactiValues values;
  CactiMatch match = CactiMatch::Exact;
  /// Empty for an exact row; otherwise says which key was missing and how
  /// the values were estimated.
  std::string note;
};

class CactiTable {
public:
  /// Loads a CSV file with the columns tech_um, rw_ports, banks,
  /// block_bytes, size_bytes, access_ns, cycle_ns, read_nJ, write_nJ,
  /// leak_mW_per_bank, area_mm2 (any order, header required).
  static Expected<CactiTable> load(const std::string &path);
  /// Same, from text already in memory; `sourceName` is used in messages.
  static Expected<CactiTable> parse(std::string_view csvText,
                                    std::string_view sourceName = "<memory>");

  /// The row for exactly this query, or nullptr.
  const CactiValues *find(const CactiKey &key) const;

  /// The exact row if present; otherwise, if `allowEstimate`, an estimate
  /// flagged as approximate; otherwise a MissingCactiRow error naming the
  /// key. An estimate fails too when no row shares the key's technology,
  /// ports and banks.
  Expected<CactiLookup> lookup(const CactiKey &key,
                               bool allowEstimate = true) const;

  size_t size() const { return Rows.size(); }
  /// All rows, sorted by (tech, ports, banks, block, size).
  const std::vector<CactiRow> &rows() const { return Rows; }

private:
  struct KeyHash {
    size_t operator()(const CactiKey &k) const;
  };

  std::vector<CactiRow> Rows;
  std::unordered_map<CactiKey, uint32_t, KeyHash> Index;
};

} // namespace afc::components

#endif // AFC_COMPONENTS_CACTITABLE_H
