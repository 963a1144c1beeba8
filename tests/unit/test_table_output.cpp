// CSV and JSON output: file naming, exact text, round-trippable numbers, non-finite values.
#include <doctest/doctest.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>

#include "core/table_output.h"
#include "tests/unit/temporary_directory.h"

using namespace xbarsim;
using xbarsim::testing::TemporaryDirectory;

namespace {

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

Waveforms sample_waveforms() {
  return Waveforms{{Plot{"divider \"A\"", "Operating Point", false,
                         {{"v(mid)", Quantity::voltage, {1.0 / 3.0}}, {"i(v1)", Quantity::current, {-5e-4}}}},
                    Plot{"divider \"A\"", "Transient Analysis", true,
                         {{"time", Quantity::time, {0.0, 1e-9, 2e-9}},
                          {"v(a,b)", Quantity::voltage, {0.1, std::numeric_limits<double>::quiet_NaN(), 2.0 / 3.0}},
                          {"x", Quantity::other, {1e300, -std::numeric_limits<double>::infinity(), 5e-324}}}}}};
}

}  // namespace

TEST_CASE("csv: file names count plots from 01 and slug their names") {
  Plot plot;
  plot.name = "DC transfer characteristic";
  CHECK(csv_file_name(0, plot) == "01_dc-transfer-characteristic.csv");
  plot.name = "  Transient   Analysis (2) ";
  CHECK(csv_file_name(11, plot) == "12_transient-analysis-2.csv");
  plot.name = "";
  CHECK(csv_file_name(0, plot) == "01_plot.csv");
}

TEST_CASE("csv: one file per plot with a header row and round-trippable numbers") {
  TemporaryDirectory directory("csv");
  const auto written = write_csv_directory(directory / "results", sample_waveforms());
  REQUIRE(written.size() == 2);
  CHECK(written[0] == directory / "results" / "01_operating-point.csv");
  CHECK(written[1] == directory / "results" / "02_transient-analysis.csv");
  CHECK(read_text(written[0]) == "v(mid),i(v1)\n0.3333333333333333,-0.0005\n");
  CHECK(read_text(written[1]) ==
        "time,\"v(a,b)\",x\n"
        "0,0.1,1e+300\n"
        "1e-09,nan,-inf\n"
        "2e-09,0.6666666666666666,5e-324\n");

  // Every number reads back as the identical double.
  double third = 0;
  const std::string text = "0.3333333333333333";
  std::from_chars(text.data(), text.data() + text.size(), third);
  CHECK(third == 1.0 / 3.0);
}

TEST_CASE("json: one document with plots, scales, typed vectors; non-finite values as null") {
  std::ostringstream out;
  write_json(out, sample_waveforms());
  CHECK(out.str() ==
        "{\"plots\": [\n"
        "  {\"name\": \"Operating Point\", \"title\": \"divider \\\"A\\\"\", \"scale\": null,\n"
        "   \"vectors\": [\n"
        "    {\"name\": \"v(mid)\", \"type\": \"voltage\", \"values\": [0.3333333333333333]},\n"
        "    {\"name\": \"i(v1)\", \"type\": \"current\", \"values\": [-0.0005]}]},\n"
        "  {\"name\": \"Transient Analysis\", \"title\": \"divider \\\"A\\\"\", \"scale\": \"time\",\n"
        "   \"vectors\": [\n"
        "    {\"name\": \"time\", \"type\": \"time\", \"values\": [0, 1e-09, 2e-09]},\n"
        "    {\"name\": \"v(a,b)\", \"type\": \"voltage\", \"values\": [0.1, null, 0.6666666666666666]},\n"
        "    {\"name\": \"x\", \"type\": \"notype\", \"values\": [1e+300, null, 5e-324]}]}]}\n");
}

TEST_CASE("json: control characters in strings are escaped, and the file is parseable by python") {
  Waveforms waveforms{{Plot{"line\nbreak\t\x01", "Operating Point", false, {{"v(a)", Quantity::voltage, {1.5}}}}}};
  std::ostringstream out;
  write_json(out, waveforms);
  CHECK(out.str().find("\"title\": \"line\\nbreak\\t\\u0001\"") != std::string::npos);

  TemporaryDirectory directory("json");
  write_json_file(directory / "results.json", sample_waveforms());
  const std::string command = "python3 -c \"import json,sys; d=json.load(open(sys.argv[1])); "
                              "assert d['plots'][1]['vectors'][1]['values'][1] is None; "
                              "assert d['plots'][0]['vectors'][0]['values'][0] == 1/3\" '" +
                              (directory / "results.json").string() + "'";
  CHECK(std::system(command.c_str()) == 0);
}
