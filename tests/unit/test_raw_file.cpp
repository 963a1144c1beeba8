// Raw files: our writer against ngspice's bytes, round trips, reading ngspice's own output, error
// messages on damaged files, and ngspice's `load` opening the files we write.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>

#include "core/compare.h"
#include "core/raw_file.h"
#include "tests/unit/plot_test_support.h"
#include "tests/unit/temporary_directory.h"

using namespace xbarsim;
using xbarsim::testing::TemporaryDirectory;
using xbarsim::testing::values_of;

namespace {

std::string read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

// Runs ngspice in batch mode in `directory`; returns its exit status, its output goes to `log`.
int run_ngspice(const std::filesystem::path& directory, const std::string& arguments, const std::string& log) {
  const std::string command = "cd '" + directory.string() + "' && ngspice -b " + arguments + " > '" + log + "' 2>&1";
  return std::system(command.c_str());
}

// The divider has a closed-form solution: v(mid) = 1 V, i(v1) = -0.5 mA.
const char* divider_netlist = R"(Simple divider
V1 in 0 DC 1.5
R1 in mid 1k
R2 mid 0 2k
.op
.end
)";

// Three analyses in one run: ngspice writes the dc sweep, then the operating point, then the transient.
std::string three_analyses_netlist(bool ascii) {
  return std::string(R"(Three analyses
V1 in 0 DC 1 PULSE(0 1 0 1n 1n 5n 10n)
V2 b 0 DC 0.5
R1 in mid 1k
R2 mid b 2k
C1 mid 0 1p
.op
.dc V1 0 1 0.5 V2 0 1 1
.tran 1n 5n
)") + (ascii ? ".options filetype=ascii\n" : "") + ".end\n";
}

// The `Date:` line of the first plot of a raw file, to rewrite a file with ngspice's date.
std::string date_of(const std::string& raw_bytes) {
  const std::size_t start = raw_bytes.find("Date: ") + 6;
  return raw_bytes.substr(start, raw_bytes.find('\n', start) - start);
}

Waveforms sample_waveforms() {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double infinity = std::numeric_limits<double>::infinity();
  Plot operating_point{"sample circuit", "Operating Point", false,
                       {{"v(in)", Quantity::voltage, {1.0 / 3.0}},
                        {"v(mid)", Quantity::voltage, {-0.0}},
                        {"i(v1)", Quantity::current, {-1.2345678901234567e-300}}}};
  Plot dc{"sample circuit", "DC transfer characteristic", true,
          {{"v(v-sweep)", Quantity::voltage, {0.0, 0.1, 0.2, 0.0, 0.1, 0.2}},
           {"v(out)", Quantity::voltage, {1e300, 5e-324, nan, infinity, -infinity, 2.0 / 3.0}},
           {"i(v1)", Quantity::current, {1e-3, 2e-3, 3e-3, 4e-3, 5e-3, 6e-3}}}};
  Plot transient{"sample circuit", "Transient Analysis", true,
                 {{"time", Quantity::time, {0.0, 1e-12, 2.5e-9, 1e-6}},
                  {"v(out)", Quantity::voltage, {0.0, 0.1, 0.7, 0.999999999999}},
                  {"gain", Quantity::other, {1, 2, 3, 4}}}};
  return Waveforms{{operating_point, dc, transient}};
}

void check_identical(const Waveforms& read, const Waveforms& written) {
  REQUIRE(read.plots.size() == written.plots.size());
  for (std::size_t p = 0; p < written.plots.size(); ++p) {
    xbarsim::testing::check_identical(read.plots[p], written.plots[p]);
  }
}

}  // namespace

TEST_CASE("raw file: ASCII layout is ngspice's") {
  Waveforms waveforms{{Plot{"simple divider", "Operating Point", false,
                            {{"v(in)", Quantity::voltage, {1.5}},
                             {"v(mid)", Quantity::voltage, {1.0}},
                             {"i(v1)", Quantity::current, {-5e-4}}}}}};
  std::ostringstream out;
  write_raw(out, waveforms, {RawFormat::ascii, "Sun Nov 22 11:57:39  2026"});
  CHECK(out.str() ==
        "Title: simple divider\n"
        "Date: Sun Nov 22 11:57:39  2026\n"
        "Plotname: Operating Point\n"
        "Flags: real\n"
        "No. Variables: 3\n"
        "No. Points: 1       \n"
        "Variables:\n"
        "\t0\tv(in)\tvoltage\n"
        "\t1\tv(mid)\tvoltage\n"
        "\t2\ti(v1)\tcurrent\n"
        "Values:\n"
        "0\t\t1.5000000000000000e+00\n"
        "\t1.0000000000000000e+00\n"
        "\t-5.0000000000000001e-04\n");
}

TEST_CASE("raw file: the date line has ngspice's format") {
  const std::string date = raw_file_date_now();
  CHECK(date.size() == 25);  // "Sun Nov 22 11:57:39  2026"
  CHECK(date.substr(19, 2) == "  ");
}

TEST_CASE("raw file: binary and ASCII round trips are bit-exact") {
  const Waveforms written = sample_waveforms();
  TemporaryDirectory directory("raw-round-trip");
  for (const RawFormat format : {RawFormat::binary, RawFormat::ascii}) {
    const auto path = directory / (format == RawFormat::binary ? "binary.raw" : "ascii.raw");
    write_raw_file(path, written, {format, ""});
    check_identical(read_raw_file(path), written);
  }
}

TEST_CASE("raw file: writing over a longer file leaves exactly the new file") {
  const Waveforms written = sample_waveforms();
  TemporaryDirectory directory("raw-overwrite");
  const auto path = directory / "out.raw";
  write_text(path, std::string(100000, 'x'));  // longer than the raw file
  write_raw_file(path, written, {RawFormat::binary, "today"});
  std::ostringstream expected;
  write_raw(expected, written, {RawFormat::binary, "today"});
  CHECK(read_bytes(path) == expected.str());
  write_text(path, "short");  // shorter
  write_raw_file(path, written, {RawFormat::binary, "today"});
  CHECK(read_bytes(path) == expected.str());
}

TEST_CASE("raw file: binary and ASCII plots may be mixed in one file") {
  const Waveforms written = sample_waveforms();
  std::ostringstream binary, ascii;
  write_raw(binary, Waveforms{{written.plots[0], written.plots[1]}}, {RawFormat::binary, "today"});
  write_raw(ascii, Waveforms{{written.plots[2]}}, {RawFormat::ascii, "today"});
  check_identical(parse_raw(binary.str() + ascii.str(), "mixed"), written);
}

TEST_CASE("raw file: writing rejects a plot without vectors") {
  std::ostringstream out;
  CHECK_THROWS_AS(write_raw(out, Waveforms{{Plot{"t", "Operating Point", false, {}}}}), std::invalid_argument);
}

TEST_CASE("raw file: reading ngspice's own output (op, nested dc, tran; binary and ASCII)") {
  TemporaryDirectory directory("raw-ngspice-read");
  write_text(directory / "divider.cir", divider_netlist);
  write_text(directory / "three.cir", three_analyses_netlist(false));
  write_text(directory / "three_ascii.cir", three_analyses_netlist(true));
  REQUIRE(run_ngspice(directory.path(), "-r divider.raw divider.cir", "divider.log") == 0);
  REQUIRE(run_ngspice(directory.path(), "-r three.raw three.cir", "three.log") == 0);
  REQUIRE(run_ngspice(directory.path(), "-r three_ascii.raw three_ascii.cir", "three_ascii.log") == 0);

  SUBCASE("operating point") {
    const Waveforms divider = read_raw_file(directory / "divider.raw");
    REQUIRE(divider.plots.size() == 1);
    const Plot& op = divider.plots[0];
    CHECK(op.name == "Operating Point");
    CHECK(op.title == "simple divider");
    CHECK_FALSE(op.has_scale);
    REQUIRE(op.find("v(mid)"));
    REQUIRE(op.find("i(v1)"));
    CHECK(values_of(op, "V(MID)") == std::vector<double>{1.0});
    CHECK(op.quantity(*op.find("v(mid)")) == Quantity::voltage);
    CHECK(op.quantity(*op.find("i(v1)")) == Quantity::current);
    CHECK(values_of(op, "i(v1)").at(0) == doctest::Approx(-5e-4).epsilon(1e-12));
  }

  SUBCASE("nested dc sweep and transient, binary and ASCII agree") {
    const Waveforms binary = read_raw_file(directory / "three.raw");
    const Waveforms ascii = read_raw_file(directory / "three_ascii.raw");
    REQUIRE(binary.plots.size() == 3);
    CHECK(binary.plots[0].name == "DC transfer characteristic");
    CHECK(binary.plots[1].name == "Operating Point");
    CHECK(binary.plots[2].name == "Transient Analysis");

    const Plot& dc = binary.plots[0];
    CHECK(dc.has_scale);
    CHECK(dc.vector_name(0) == "v(v-sweep)");
    REQUIRE(dc.point_count() == 6);
    const auto in = values_of(dc, "v(in)");
    const auto b = values_of(dc, "v(b)");
    const auto mid = values_of(dc, "v(mid)");
    for (std::size_t i = 0; i < 6; ++i) CHECK(mid[i] == doctest::Approx((2 * in[i] + b[i]) / 3).epsilon(1e-12));
    CHECK(b == std::vector<double>{0, 0, 0, 1, 1, 1});

    const Plot& tran = binary.plots[2];
    CHECK(tran.has_scale);
    CHECK(tran.quantity(0) == Quantity::time);
    const std::vector<double> time = tran.values(0);
    CHECK(time.front() == 0.0);
    CHECK(time.back() == doctest::Approx(5e-9).epsilon(1e-12));
    CHECK(std::is_sorted(time.begin(), time.end()));

    // ngspice's ASCII files carry 16 significant digits.
    ComparisonTolerances tight;
    tight.relative = 1e-14;
    tight.voltage_absolute = tight.current_absolute = tight.other_absolute = 1e-300;
    const WaveformComparison agreement = compare_waveforms(ascii, binary, tight);
    INFO(format_worst_vectors(agreement));
    CHECK(agreement.passed);
    CHECK(agreement.plots.size() == 3);
  }

  SUBCASE("rewriting ngspice's binary file reproduces it byte for byte") {
    for (const char* name : {"divider.raw", "three.raw"}) {
      const std::string original = read_bytes(directory / name);
      std::ostringstream rewritten;
      write_raw(rewritten, read_raw_file(directory / name), {RawFormat::binary, date_of(original)});
      CHECK_MESSAGE(rewritten.str() == original, name);
    }
  }
}

TEST_CASE("raw file: ngspice's `load` opens the files we write") {
  const Waveforms written = sample_waveforms();
  // ngspice's ASCII writer does not print NaN and infinity in a form its reader accepts back.
  Waveforms finite = written;
  finite.plots[1].set_values(1, std::vector<double>{1e300, 5e-324, 0.25, -1e-300, 7.0, 2.0 / 3.0});
  TemporaryDirectory directory("raw-ngspice-load");
  for (const RawFormat format : {RawFormat::binary, RawFormat::ascii}) {
    const std::string kind = format == RawFormat::binary ? "binary" : "ascii";
    CAPTURE(kind);
    write_raw_file(directory / ("ours_" + kind + ".raw"), finite, {format, ""});
    // Load our file, print the operating point, and write every plot back as an ASCII raw file.
    write_text(directory / ("load_" + kind + ".cir"),
               "* load check\n.control\nload ours_" + kind + ".raw\n"
               "setplot op1\nprint v(in) i(v1)\nset filetype=ascii\nwrite back_op.raw\n"
               "setplot dc1\nwrite back_dc.raw\nsetplot tran1\nwrite back_tran.raw\n.endc\n.end\n");
    // ngspice exits with status 1 here because the netlist runs no simulation; its log tells the story.
    run_ngspice(directory.path(), "load_" + kind + ".cir", "load_" + kind + ".log");
    const std::string log = read_bytes(directory / ("load_" + kind + ".log"));
    INFO(log);
    CHECK(log.find("Loading raw data file") != std::string::npos);
    CHECK(log.find("rror") == std::string::npos);
    CHECK(log.find("v(in) = 3.333333e-01") != std::string::npos);
    CHECK(log.find("i(v1) = -1.23457e-300") != std::string::npos);

    Waveforms echoed;
    for (const char* back : {"back_op.raw", "back_dc.raw", "back_tran.raw"})
      echoed.plots.push_back(read_raw_file(directory / back).plots.at(0));
    ComparisonTolerances tight;
    tight.relative = 1e-14;
    tight.voltage_absolute = tight.current_absolute = tight.other_absolute = 1e-300;
    const WaveformComparison agreement = compare_waveforms(echoed, finite, tight);
    INFO(format_worst_vectors(agreement));
    CHECK(agreement.passed);
    REQUIRE(agreement.plots.size() == 3);
    for (const PlotComparison& plot : agreement.plots) {
      CHECK(plot.only_in_ours.empty());
      CHECK(plot.only_in_reference.empty());
      CHECK(plot.vectors.size() == (plot.scale_name.empty() ? 3u : 2u));
    }
    for (const Plot& plot : echoed.plots) CHECK(plot.title == "sample circuit");
  }
}

TEST_CASE("raw file: damaged files are reported with their line and byte") {
  std::ostringstream binary, ascii;
  write_raw(binary, sample_waveforms(), {RawFormat::binary, "today"});
  write_raw(ascii, sample_waveforms(), {RawFormat::ascii, "today"});

  auto error_of = [](const std::string& bytes) {
    try {
      parse_raw(bytes, "damaged.raw");
    } catch (const RawFileError& error) {
      return std::string(error.what());
    }
    return std::string("no error");
  };

  SUBCASE("truncated binary data") {
    const std::string bytes = binary.str();
    const std::string message = error_of(bytes.substr(0, bytes.size() - 3));
    CHECK(message.find("damaged.raw: line ") == 0);
    CHECK(message.find("Transient Analysis") != std::string::npos);
    CHECK(message.find("only 93 bytes remain") != std::string::npos);
  }
  SUBCASE("a value that is not a number, in the operating point's third line of values") {
    std::string bytes = ascii.str();
    bytes.replace(bytes.find("-1.2345678901234568e-300"), 4, "-1.x");
    CHECK(error_of(bytes) ==
          "damaged.raw: line 14 (byte 233): plot 'Operating Point', point 0, vector 'i(v1)': not a real number: "
          "'-1.x345678901234568e-300'");
  }
  SUBCASE("a wrong point index") {
    std::string bytes = ascii.str();
    bytes.replace(bytes.find("\n1\t\t"), 2, "\n7");
    CHECK(error_of(bytes).find("expected point index 1, found '7'") != std::string::npos);
  }
  SUBCASE("values end early") {
    const std::string bytes = ascii.str();
    CHECK(error_of(bytes.substr(0, bytes.size() - 30)).find("values of plot 'Transient Analysis' end") != std::string::npos);
  }
  SUBCASE("not a raw file") {
    CHECK(error_of("hello world\n") ==
          "damaged.raw: line 1 (byte 0): expected a 'Keyword: value' header line, found 'hello world'");
    CHECK(error_of("").find("no plot") != std::string::npos);
  }
  SUBCASE("a bad count") {
    std::string bytes = ascii.str();
    bytes.replace(bytes.find("No. Points: 1 "), 14, "No. Points: x ");
    CHECK(error_of(bytes) == "damaged.raw: line 6 (byte 89): No. Points is not a non-negative integer: 'x'");
  }
  SUBCASE("complex data") {
    std::string bytes = ascii.str();
    bytes.replace(bytes.find("Flags: real"), 11, "Flags: complex");
    CHECK(error_of(bytes).find("complex data, which is not supported") != std::string::npos);
  }
  SUBCASE("header without data section") {
    const std::string bytes = ascii.str();
    CHECK(error_of(bytes.substr(0, bytes.find("Values:"))).find("file ends inside the header") != std::string::npos);
  }
  CHECK_THROWS_AS(read_raw_file("/nonexistent/xbarsim.raw"), RawFileError);
}
