//===- ResultTable.h - one row per design point --------------------*- C++ -*-===//
//
// The results of a study: a table with one row per design point. Columns
// have explicit names that carry their unit (`energy_per_compute_pJ`,
// `area_mm2`, `latency_s`), and cells are numbers or text. Rows are stored
// by point index, so the table is the same whatever order the points
// finished in; a point without a result is a row with its reason.
//
// The JSON form holds the schema (columns) next to the rows so that a
// resumable store can append rows and check it is extending the same study.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_STUDY_RESULTTABLE_H
#define AFC_STUDY_RESULTTABLE_H

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <variant>
#include <vector>

namespace afc::study {

using Cell = std::variant<std::monostate, double, std::string>;

class ResultTable {
public:
  /// Sets the number of rows (design points); all cells start empty.
  void resize(size_t rows) { cells.resize(rows); }
  size_t numRows() const { return cells.size(); }

  /// The column's index, adding it (at the end) if it is new.
  size_t column(const std::string &name);
  const std::vector<std::string> &columns() const { return names; }

  void set(size_t row, const std::string &column, Cell value);

  /// Puts the columns after the first `fixed` in an order that does not
  /// depend on which row was filled first: row by row in row order, a
  /// column new to the table goes right after the column that row set
  /// before it. Rows that set the same columns in the same order keep that
  /// order; rows of different architectures, filled in parallel, merge
  /// their component columns the same way at any thread count.
  void orderColumnsByUse(size_t fixed);
  const Cell &get(size_t row, size_t column) const;
  /// The number in a cell, if it holds one.
  std::optional<double> number(size_t row, const std::string &column) const;
  bool hasColumn(const std::string &name) const { return index.count(name); }

  void writeCSV(std::ostream &os) const;
  void writeJSON(std::ostream &os, const std::string &study) const;
  void writeMarkdown(std::ostream &os) const;

private:
  std::vector<std::string> names;
  std::map<std::string, size_t> index;
  std::vector<std::vector<Cell>> cells;
  /// Per row, its columns in the order it first set them (32 bits each:
  /// a study may have millions of rows).
  std::vector<std::vector<uint32_t>> setOrder;
};

/// Shortest round-trip text of a number ("inf" for infinity).
std::string formatCell(double v);

enum class TableFormat { CSV, JSON, Markdown };

/// Writes a table row by row, so that a study's rows need not all be in
/// memory (they are read back from the result store). ResultTable's
/// writers use it too: both give the same bytes.
class RowWriter {
public:
  /// Writes the header; `study` names the table in JSON.
  RowWriter(std::ostream &os, TableFormat format,
            std::vector<std::string> columns, const std::string &study);
  /// One row: `cells[c]` is column c's cell; missing cells are empty.
  void write(const std::vector<Cell> &cells);
  /// Writes what follows the last row.
  void finish();

private:
  std::ostream &os;
  TableFormat format;
  std::vector<std::string> names;
  size_t rows = 0;
};

} // namespace afc::study

#endif // AFC_STUDY_RESULTTABLE_H
