// SweepResults: the files a sweep writes into its output directory, and how an interrupted sweep
// picks up from them.
//
//   sweep.json     what is being swept: netlist, parameter names, measurement names, point count,
//                  seed. `--resume` refuses a directory whose sweep.json differs.
//   points.jsonl   one JSON object per finished point:
//                  {"point":3,"seed":"123","parameters":{"rwl":1.5},"measurements":{"vout":0.49,
//                   "t":null},"failures":{"t":"v(out) does not cross 0.5 1 time(s)"},
//                   "status":"ok","error":"","seconds":0.012}
//                  (seed as a decimal string: JSON numbers cannot hold every 64-bit integer);
//   results.csv    one row per point: point, parameters, measurements, status, error, seconds.
//                  A failed measurement is an empty cell (null in JSON) with its reason under
//                  "failures"; a failed point has status `error`, its message, and no measurements.
//
// While a sweep runs, each finished point is appended to points.jsonl and then results.csv with
// one write() each, in the order points finish; a killed sweep leaves only whole lines (a torn last
// line is dropped on resume). points.jsonl is the record: resuming reads it, drops duplicates,
// rewrites both files from it and runs only the missing points. When the sweep completes, both
// files are rewritten in point order, so they are identical whatever the number of jobs or MPI
// ranks, apart from the `seconds` column (wall time per point).
//
// Numbers are written in the shortest form that reads back as the same double.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/sweep_plan.h"

namespace xbarsim {

struct PointResult {
  long index = 0;
  std::uint64_t seed = 0;
  std::vector<double> parameters;                   // SweepPlan::parameter_names() order
  std::vector<std::optional<double>> measurements;  // measurement names order; nullopt: failed
  std::map<std::string, std::string> failures;      // measurement name -> reason
  bool ok = true;
  std::string error;  // why the point failed (status error)
  double seconds = 0;
};

struct SweepDescription {
  std::string netlist;
  std::vector<std::string> parameter_names;
  std::vector<std::string> measurement_names;
  long point_count = 0;
  std::uint64_t seed = 0;
  long monte_carlo_runs = 0;
};

std::string point_json_line(const PointResult& result, const SweepDescription& description);  // with '\n'
// Parses one points.jsonl line. Throws std::invalid_argument when it is not a whole record.
PointResult parse_point_json_line(const std::string& line, const SweepDescription& description);

class SweepResultFiles {
 public:
  // Creates `directory`. Fresh: empties the result files. Resume: reads points.jsonl (after checking
  // sweep.json matches `description`) and rewrites both files from the points it holds. Throws
  // std::runtime_error on I/O problems or a mismatching sweep.json.
  SweepResultFiles(std::filesystem::path directory, SweepDescription description, bool resume);
  ~SweepResultFiles();
  SweepResultFiles(const SweepResultFiles&) = delete;
  SweepResultFiles& operator=(const SweepResultFiles&) = delete;

  const std::set<long>& finished() const { return finished_; }
  // Appends a finished point to both files (not thread-safe: callers serialise).
  void append(const PointResult& result);
  // Rewrites both files in point order (atomically, through a temporary file and rename).
  void write_sorted();
  // Every point recorded so far, in point order.
  std::vector<PointResult> results() const;

 private:
  std::filesystem::path directory_;
  SweepDescription description_;
  std::map<long, PointResult> results_;
  std::set<long> finished_;
  int jsonl_descriptor_ = -1;
  int csv_descriptor_ = -1;

  void open_for_append();
  void close_files();
};

// One plot per measurement against each swept parameter, into `directory`: `MEAS_vs_PARAM.dat`,
// `.gp` and (when gnuplot is installed) `.svg`. With two or more parameters the points are coloured
// by the first other parameter. Returns the SVG paths written (empty without gnuplot).
std::vector<std::filesystem::path> write_sweep_plots(const std::filesystem::path& directory, const SweepPlan& plan,
                                                     const SweepDescription& description, const std::vector<PointResult>& results);

}  // namespace xbarsim
