//===- CactiTable.cpp - CACTI 7 SRAM results as a lookup table ------------===//
//
// Loading (a strict CSV reader: every malformed line is an error with its
// line number), exact lookup, and the estimation rules of
// component-models.md §6.5 for queries that are not in the table.
//
//===----------------------------------------------------------------------===//

#include "afc/components/CactiTable.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>
#include <tuple>

namespace afc::components {

std::string CactiKey::str() const {
  std::ostringstream os;
  os << "tech " << techNm / 1000.0 << " um, " << sizeBytes << " B, " << rwPorts
     << " rw port(s), " << blockBytes << " B blocks, " << banks << " bank(s)";
  return os.str();
}

size_t CactiTable::KeyHash::operator()(const CactiKey &k) const {
  // The fields are small integers; mix them into one word and finish with a
  // multiplicative hash so that neighbouring sizes spread over buckets.
  uint64_t h = uint64_t(k.sizeBytes);
  h = h * 1000003u + uint64_t(k.blockBytes);
  h = h * 1000003u + uint64_t(k.banks);
  h = h * 1000003u + uint64_t(k.rwPorts);
  h = h * 1000003u + uint64_t(k.techNm);
  h ^= h >> 31;
  h *= 0x9E3779B97F4A7C15ull;
  return size_t(h ^ (h >> 29));
}

namespace {

auto keyTuple(const CactiKey &k) {
  return std::make_tuple(k.techNm, k.rwPorts, k.banks, k.blockBytes,
                         k.sizeBytes);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> splitFields(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t start = 0;
  while (true) {
    size_t comma = line.find(',', start);
    fields.push_back(trim(line.substr(start, comma - start)));
    if (comma == std::string_view::npos)
      break;
    start = comma + 1;
  }
  return fields;
}

bool parseDouble(std::string_view s, double &out) {
  // from_chars is locale-independent and correctly rounded, like Python's
  // float(), so the printed CACTI digits become the same doubles.
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size() && std::isfinite(out);
}

template <typename Int> bool parseInt(std::string_view s, Int &out) {
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

enum Column {
  TechUm,
  RwPorts,
  Banks,
  BlockBytes,
  SizeBytes,
  AccessNs,
  CycleNs,
  ReadNJ,
  WriteNJ,
  LeakMW,
  AreaMM2,
  NumColumns
};
constexpr std::array<std::string_view, NumColumns> ColumnNames = {
    "tech_um",    "rw_ports",         "banks",    "block_bytes",
    "size_bytes", "access_ns",        "cycle_ns", "read_nJ",
    "write_nJ",   "leak_mW_per_bank", "area_mm2"};

// --- Estimation (component-models.md §6.5) ------------------------------

constexpr size_t NumValues = 6;
using ValueArray = std::array<double, NumValues>;

ValueArray toArray(const CactiValues &v) {
  return {v.accessNs, v.cycleNs,       v.readNJ,
          v.writeNJ,  v.leakMWPerBank, v.areaMM2};
}
CactiValues fromArray(const ValueArray &a) {
  return {a[0], a[1], a[2], a[3], a[4], a[5]};
}

/// A power law through (x0, v0) and (x1, v1), evaluated at x; linear in x
/// when a value is not positive at either end (a power law cannot pass
/// through it). Never negative.
double powerLaw(double x0, double v0, double x1, double v1, double x) {
  if (v0 > 0 && v1 > 0) {
    double t = (std::log(x) - std::log(x0)) / (std::log(x1) - std::log(x0));
    return std::exp(std::log(v0) + (std::log(v1) - std::log(v0)) * t);
  }
  return std::max(0.0, v0 + (v1 - v0) * (x - x0) / (x1 - x0));
}

ValueArray powerLaw(double x0, const ValueArray &v0, double x1,
                    const ValueArray &v1, double x) {
  ValueArray out;
  for (size_t i = 0; i < NumValues; ++i)
    out[i] = powerLaw(x0, v0[i], x1, v1[i], x);
  return out;
}

struct FamilyEstimate {
  ValueArray values;
  bool bracketed = false;
  std::string how;
};

/// Estimates a size within one family (same tech, ports, banks, block):
/// rows [first, last) sorted by size, none of them equal to `size`.
FamilyEstimate estimateInFamily(const CactiRow *first, const CactiRow *last,
                                int64_t size) {
  const CactiRow *upper =
      std::lower_bound(first, last, size, [](const CactiRow &r, int64_t s) {
        return r.key.sizeBytes < s;
      });
  double s = double(size);
  FamilyEstimate est;
  auto rowSize = [](const CactiRow *r) { return double(r->key.sizeBytes); };
  auto describe = [](const CactiRow *a, const CactiRow *b) {
    return std::to_string(a->key.sizeBytes) + " B and " +
           std::to_string(b->key.sizeBytes) + " B rows";
  };
  if (upper != first && upper != last && upper->key.sizeBytes != size) {
    const CactiRow *lower = upper - 1;
    est.values = powerLaw(rowSize(lower), toArray(lower->values),
                          rowSize(upper), toArray(upper->values), s);
    est.bracketed = true;
    est.how = "power law in size between the " + describe(lower, upper);
    return est;
  }
  size_t n = size_t(last - first);
  if (n >= 2) {
    // Both rows on the one side that has data: the two nearest.
    const CactiRow *a = upper == first ? first : last - 2;
    const CactiRow *b = a + 1;
    est.values = powerLaw(rowSize(a), toArray(a->values), rowSize(b),
                          toArray(b->values), s);
    est.how = "power law in size extrapolated from the " + describe(a, b);
    return est;
  }
  // One row: area and leak in proportion to the size, energies with the
  // cacti_depth_energy exponent, times unchanged.
  double r = s / rowSize(first);
  ValueArray v = toArray(first->values);
  double energy = std::pow(r, 1.56 / 2);
  est.values = {v[0], v[1], v[2] * energy, v[3] * energy, v[4] * r, v[5] * r};
  est.how = "scaled from the only row of its family (" +
            std::to_string(first->key.sizeBytes) + " B)";
  return est;
}

} // namespace

Expected<CactiTable> CactiTable::parse(std::string_view text,
                                       std::string_view sourceName) {
  auto fail = [&](size_t line, const std::string &what) {
    return Error{ErrorCode::Parse, std::string(sourceName) + ":" +
                                       std::to_string(line) + ": " + what};
  };

  CactiTable table;
  std::array<int, NumColumns> position;
  position.fill(-1);
  size_t numFields = 0;
  bool haveHeader = false;
  size_t lineNo = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    std::string_view line =
        trim(text.substr(pos, eol == std::string_view::npos ? eol : eol - pos));
    pos = eol == std::string_view::npos ? text.size() : eol + 1;
    ++lineNo;
    if (line.empty() || line.front() == '#')
      continue;
    std::vector<std::string_view> fields = splitFields(line);

    if (!haveHeader) {
      for (size_t i = 0; i < fields.size(); ++i)
        for (size_t c = 0; c < NumColumns; ++c)
          if (fields[i] == ColumnNames[c])
            position[c] = int(i);
      for (size_t c = 0; c < NumColumns; ++c)
        if (position[c] < 0)
          return fail(lineNo, "missing column '" + std::string(ColumnNames[c]) +
                                  "' in the header");
      numFields = fields.size();
      haveHeader = true;
      continue;
    }

    if (fields.size() != numFields)
      return fail(lineNo, "expected " + std::to_string(numFields) +
                              " fields, found " +
                              std::to_string(fields.size()));
    CactiRow row;
    double techUm = 0;
    if (!parseDouble(fields[position[TechUm]], techUm) || techUm <= 0)
      return fail(lineNo, "bad tech_um '" +
                              std::string(fields[position[TechUm]]) + "'");
    double nm = std::round(techUm * 1000);
    if (std::fabs(techUm * 1000 - nm) > 1e-6)
      return fail(lineNo, "tech_um is not a whole number of nanometres");
    row.key.techNm = int(nm);
    struct IntField {
      Column column;
      int64_t *out64;
      int *out32;
    };
    int64_t size = 0;
    const IntField ints[] = {{RwPorts, nullptr, &row.key.rwPorts},
                             {Banks, nullptr, &row.key.banks},
                             {BlockBytes, nullptr, &row.key.blockBytes},
                             {SizeBytes, &size, nullptr}};
    for (const IntField &f : ints) {
      std::string_view s = fields[position[f.column]];
      bool ok = f.out64 ? parseInt(s, *f.out64) : parseInt(s, *f.out32);
      if (!ok || (f.out64 ? *f.out64 : *f.out32) <= 0)
        return fail(lineNo, "bad " + std::string(ColumnNames[f.column]) + " '" +
                                std::string(s) + "'");
    }
    row.key.sizeBytes = size;
    double *values[] = {&row.values.accessNs,      &row.values.cycleNs,
                        &row.values.readNJ,        &row.values.writeNJ,
                        &row.values.leakMWPerBank, &row.values.areaMM2};
    for (size_t c = AccessNs; c <= AreaMM2; ++c) {
      std::string_view s = fields[position[c]];
      if (!parseDouble(s, *values[c - AccessNs]) || *values[c - AccessNs] < 0)
        return fail(lineNo, "bad " + std::string(ColumnNames[c]) + " '" +
                                std::string(s) + "'");
    }
    table.Rows.push_back(row);
  }
  if (!haveHeader)
    return Error{ErrorCode::Parse,
                 std::string(sourceName) + ": empty CACTI table"};

  std::sort(table.Rows.begin(), table.Rows.end(),
            [](const CactiRow &a, const CactiRow &b) {
              return keyTuple(a.key) < keyTuple(b.key);
            });
  table.Index.reserve(table.Rows.size());
  for (size_t i = 0; i < table.Rows.size(); ++i)
    if (!table.Index.emplace(table.Rows[i].key, uint32_t(i)).second)
      return Error{ErrorCode::Parse, std::string(sourceName) +
                                         ": duplicate CACTI query (" +
                                         table.Rows[i].key.str() + ")"};
  return table;
}

Expected<CactiTable> CactiTable::load(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Error{ErrorCode::Io, "cannot open CACTI table '" + path + "'"};
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad())
    return Error{ErrorCode::Io, "cannot read CACTI table '" + path + "'"};
  return parse(buffer.str(), path);
}

const CactiValues *CactiTable::find(const CactiKey &key) const {
  auto it = Index.find(key);
  return it == Index.end() ? nullptr : &Rows[it->second].values;
}

Expected<CactiLookup> CactiTable::lookup(const CactiKey &key,
                                         bool allowEstimate) const {
  if (const CactiValues *v = find(key))
    return CactiLookup{*v, CactiMatch::Exact, {}};
  const std::string advice =
      "; add this query to the CACTI table for exact results";
  if (!allowEstimate)
    return Error{ErrorCode::MissingCactiRow, "CACTI query (" + key.str() +
                                                 ") is not in the table" +
                                                 advice};

  // Rows of the same technology, ports and banks: a contiguous range.
  auto groupLess = [](const CactiRow &r, const CactiKey &k) {
    return std::make_tuple(r.key.techNm, r.key.rwPorts, r.key.banks) <
           std::make_tuple(k.techNm, k.rwPorts, k.banks);
  };
  auto groupGreater = [](const CactiKey &k, const CactiRow &r) {
    return std::make_tuple(k.techNm, k.rwPorts, k.banks) <
           std::make_tuple(r.key.techNm, r.key.rwPorts, r.key.banks);
  };
  const CactiRow *first = Rows.data(), *last = Rows.data() + Rows.size();
  const CactiRow *groupBegin = std::lower_bound(first, last, key, groupLess);
  const CactiRow *groupEnd =
      std::upper_bound(groupBegin, last, key, groupGreater);
  if (groupBegin == groupEnd)
    return Error{ErrorCode::MissingCactiRow,
                 "CACTI query (" + key.str() +
                     ") is not in the table, and no row has the same "
                     "technology, ports and banks to estimate it from" +
                     advice};

  // The block-size families of the group, each a contiguous range.
  struct Family {
    int block;
    const CactiRow *begin, *end;
  };
  std::vector<Family> families;
  for (const CactiRow *r = groupBegin; r != groupEnd;) {
    const CactiRow *e = r;
    while (e != groupEnd && e->key.blockBytes == r->key.blockBytes)
      ++e;
    families.push_back({r->key.blockBytes, r, e});
    r = e;
  }

  CactiLookup result;
  std::string prefix = "CACTI query (" + key.str() + ") is not in the table; ";
  auto same =
      std::find_if(families.begin(), families.end(),
                   [&](const Family &f) { return f.block == key.blockBytes; });
  if (same != families.end()) {
    FamilyEstimate e = estimateInFamily(same->begin, same->end, key.sizeBytes);
    result.values = fromArray(e.values);
    result.match =
        e.bracketed ? CactiMatch::Interpolated : CactiMatch::Extrapolated;
    result.note =
        prefix + "estimated by a " + e.how + " of the same family" + advice;
    return result;
  }

  // No row with this block size: estimate in each neighbouring family, then
  // a power law in block size between them.
  auto upper = std::lower_bound(
      families.begin(), families.end(), key.blockBytes,
      [](const Family &f, int block) { return f.block < block; });
  const Family *a, *b;
  bool bracketed = false;
  if (upper != families.begin() && upper != families.end()) {
    a = &*(upper - 1);
    b = &*upper;
    bracketed = true;
  } else if (families.size() >= 2) {
    a = upper == families.begin() ? &families[0]
                                  : &families[families.size() - 2];
    b = a + 1;
  } else {
    a = b = &families[0];
  }
  FamilyEstimate ea = estimateInFamily(a->begin, a->end, key.sizeBytes);
  if (a == b) {
    result.values = fromArray(ea.values);
    result.match = CactiMatch::Extrapolated;
    result.note = prefix + "no row has " + std::to_string(key.blockBytes) +
                  " B blocks; used the only block size (" +
                  std::to_string(a->block) + " B), " + ea.how + advice;
    return result;
  }
  FamilyEstimate eb = estimateInFamily(b->begin, b->end, key.sizeBytes);
  result.values = fromArray(
      powerLaw(a->block, ea.values, b->block, eb.values, key.blockBytes));
  bool interpolated = bracketed && ea.bracketed && eb.bracketed;
  result.match =
      interpolated ? CactiMatch::Interpolated : CactiMatch::Extrapolated;
  result.note = prefix + "no row has " + std::to_string(key.blockBytes) +
                " B blocks; estimated by a power law in block size " +
                (bracketed ? "between" : "extrapolated from") + " the " +
                std::to_string(a->block) + " B and " +
                std::to_string(b->block) + " B families (" + ea.how + "; " +
                eb.how + ")" + advice;
  return result;
}

} // namespace afc::components
