// The ngspice engine: results through libngspice equal ngspice's batch raw output (op, dc, tran),
// errors carry ngspice's messages, a killed or runaway child is a clean error, runs go in parallel,
// and a deliberately changed value is caught by the comparison.
#include <doctest/doctest.h>
#include <signal.h>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <future>
#include <string>
#include <vector>

#include "core/compare.h"
#include "core/raw_file.h"
#include "solvers/ngspice_engine.h"
#include "plot_test_support.h"
#include "temporary_directory.h"

using namespace xbarsim;
using xbarsim::testing::TemporaryDirectory;
using xbarsim::testing::values_of;

namespace {

const std::filesystem::path kValidationDirectory = std::filesystem::path(XBARSIM_SOURCE_DIR) / "netlists" / "validation";

std::vector<std::filesystem::path> validation_netlists() {
  std::vector<std::filesystem::path> netlists;
  for (const auto& entry : std::filesystem::directory_iterator(kValidationDirectory))
    if (entry.path().extension() == ".cir") netlists.push_back(entry.path());
  std::sort(netlists.begin(), netlists.end());
  return netlists;
}

std::filesystem::path write_netlist(const TemporaryDirectory& directory, const std::string& name, const std::string& text) {
  const std::filesystem::path path = directory / name;
  std::ofstream(path) << text;
  return path;
}

// What `ngspice -b -r` writes for the netlist, read back.
Waveforms batch_results(const std::filesystem::path& netlist, const TemporaryDirectory& directory) {
  const std::filesystem::path raw = directory / (netlist.stem().string() + ".batch.raw");
  const std::string command = fmt::format("'{}' -b -r '{}' '{}' > '{}' 2>&1", XBARSIM_NGSPICE_PROGRAM, raw.string(),
                                          netlist.string(), (directory / "batch.log").string());
  REQUIRE_MESSAGE(std::system(command.c_str()) == 0, command);
  return read_raw_file(raw);
}

// Same plots, names, types and bit-identical values: the library and batch mode are one solver.
void require_identical(const Waveforms& library, const Waveforms& batch, const std::string& what) {
  INFO(what);
  REQUIRE(library.plots.size() == batch.plots.size());
  for (std::size_t plot = 0; plot < batch.plots.size(); ++plot) {
    xbarsim::testing::check_identical(library.plots[plot], batch.plots[plot]);
  }
}

constexpr const char* kDivider = R"(divider
V1 in 0 1
R1 in out 1k
R2 out 0 {r2}
.param r2=1k
.op
.dc V1 0 2 0.5
.end
)";

constexpr const char* kRcTransient = R"(rc step
V1 in 0 PULSE(0 1 1u 10n 10n 5u 20u)
R1 in out 1k
C1 out 0 1n
.tran 10n 10u
.end
)";

// A dc sweep with a zero step: ngspice 39 loops for ever (and keeps allocating).
constexpr const char* kRunaway = R"(zero step
V1 in 0 1
R1 in 0 1k
.dc V1 0 1 0
.end
)";

}  // namespace

TEST_CASE("ngspice engine: validation netlists give exactly ngspice's batch results (op, dc)") {
  const NgspiceEngine ngspice;
  TemporaryDirectory directory("ngspice-batch");
  const std::vector<std::filesystem::path> netlists = validation_netlists();
  REQUIRE(netlists.size() >= 10);
  for (const std::filesystem::path& netlist : netlists)
    require_identical(ngspice.run(netlist), batch_results(netlist, directory), netlist.filename().string());
}

TEST_CASE("ngspice engine: transient results, plot names and vector names") {
  const NgspiceEngine ngspice;
  TemporaryDirectory directory("ngspice-tran");
  const std::filesystem::path netlist = write_netlist(directory, "rc.cir", kRcTransient);
  const Waveforms results = ngspice.run(netlist);
  require_identical(results, batch_results(netlist, directory), "rc.cir");
  REQUIRE(results.plots.size() == 1);
  const Plot& transient = results.plots.front();
  CHECK(transient.name == "Transient Analysis");
  CHECK(transient.title == "rc step");
  CHECK(transient.has_scale);
  REQUIRE(transient.vector_count() == 4);
  CHECK(transient.vector_name(0) == "time");
  CHECK(transient.quantity(0) == Quantity::time);
  CHECK(transient.values(0).back() == doctest::Approx(10e-6));
  const std::vector<double> out = values_of(transient, "v(out)");
  // Charged for the 5 us pulse (5 time constants), then discharged for about 4.
  const double peak = *std::max_element(out.begin(), out.end());
  CHECK(peak == doctest::Approx(1.0 - std::exp(-5.0)).epsilon(2e-3));
  CHECK(out.back() == doctest::Approx(peak * std::exp(-3.98)).epsilon(2e-2));
  REQUIRE(transient.find("i(v1)"));
  CHECK(transient.quantity(*transient.find("i(v1)")) == Quantity::current);
}

TEST_CASE("ngspice engine: plots come in the order ngspice ran them, with their display names") {
  const NgspiceEngine ngspice;
  TemporaryDirectory directory("ngspice-plots");
  const Waveforms results = ngspice.run(write_netlist(directory, "divider.cir", kDivider));
  REQUIRE(results.plots.size() == 2);
  // ngspice 39 runs .dc before .op whatever their order in the netlist.
  CHECK(results.plots[0].name == "DC transfer characteristic");
  CHECK(results.plots[0].vector_name(0) == "v(v-sweep)");
  CHECK(results.plots[0].point_count() == 5);
  CHECK(results.plots[1].name == "Operating Point");
  CHECK_FALSE(results.plots[1].has_scale);
  REQUIRE(results.plots[1].find("v(out)"));
  CHECK(values_of(results.plots[1], "v(out)") == std::vector<double>{0.5});
  CHECK(values_of(results.plots[1], "i(v1)").front() == doctest::Approx(-0.5e-3));
}

TEST_CASE("ngspice engine: a netlist without analyses gives no plots") {
  TemporaryDirectory directory("ngspice-empty");
  CHECK(NgspiceEngine().run(write_netlist(directory, "empty.cir", "no analyses\nR1 a 0 1k\n.end\n")).plots.empty());
}

TEST_CASE("ngspice engine: errors quote ngspice's own messages") {
  const NgspiceEngine ngspice;
  TemporaryDirectory directory("ngspice-errors");
  auto error_of_file = [&](const std::filesystem::path& netlist) -> std::string {
    try {
      ngspice.run(netlist);
    } catch (const NgspiceError& error) {
      CHECK_FALSE(error.ngspice_output().empty());
      return error.what();
    }
    FAIL("no NgspiceError for ", netlist);
    return "";
  };
  auto error_of = [&](const std::string& name, const std::string& text) {
    return error_of_file(write_netlist(directory, name, text));
  };
  // ngSpice_Command returns 0 here: only the printed line tells.
  const std::string unknown_subcircuit = error_of("subckt.cir", "t\nV1 a 0 1\nX1 a 0 nowhere\n.op\n.end\n");
  CHECK(unknown_subcircuit.find("subckt.cir") != std::string::npos);
  CHECK(unknown_subcircuit.find("ngspice: Error: unknown subckt: x1 a 0 nowhere") != std::string::npos);
  // A fatal error: the library jumps out and would need a reload; the child just ends.
  const std::string undefined_parameter = error_of("param.cir", "t\nV1 a 0 1\nR1 a 0 {nothing}\n.op\n.end\n");
  CHECK(undefined_parameter.find("Undefined parameter [nothing]") != std::string::npos);
  CHECK(undefined_parameter.find("fatal") != std::string::npos);
  const std::string unknown_command = error_of("control.cir", "t\nV1 a 0 1\nR1 a 0 1k\n.control\nfoobar\n.endc\n.end\n");
  CHECK(unknown_command.find("foobar: no such command available in ngspice") != std::string::npos);
  const std::string missing_file = error_of_file(directory / "missing.cir");
  CHECK(missing_file.find("No such file or directory") != std::string::npos);
  // Each run starts from a pristine library: a fatal error does not spoil the next run.
  CHECK(ngspice.run(write_netlist(directory, "divider.cir", kDivider)).plots.size() == 2);
}

TEST_CASE("ngspice engine: a missing library is reported with the way to install it") {
  try {
    NgspiceEngine engine({"libngspice-not-installed.so.0", std::chrono::milliseconds(0)});
    FAIL("the engine loaded a library that does not exist");
  } catch (const NgspiceUnavailable& error) {
    const std::string message = error.what();
    CHECK(message.find("libngspice-not-installed.so.0") != std::string::npos);
    CHECK(message.find("apt-get install libngspice0") != std::string::npos);
  }
}

TEST_CASE("ngspice engine: a killed ngspice process is a clean error and xbarsim carries on") {
  const NgspiceEngine ngspice;
  TemporaryDirectory directory("ngspice-kill");
  NgspiceRun run = ngspice.start(write_netlist(directory, "runaway.cir", kRunaway));
  REQUIRE(run.process_id() > 0);
  REQUIRE(::kill(run.process_id(), SIGKILL) == 0);
  try {
    run.wait();
    FAIL("a killed run returned results");
  } catch (const NgspiceError& error) {
    const std::string message = error.what();
    CHECK(message.find("runaway.cir") != std::string::npos);
    CHECK(message.find("signal 9 (Killed)") != std::string::npos);
  }
  CHECK(ngspice.run(write_netlist(directory, "divider.cir", kDivider)).plots.size() == 2);
}

TEST_CASE("ngspice engine: a run past its timeout is killed") {
  const NgspiceEngine ngspice({"libngspice.so.0", std::chrono::milliseconds(300)});
  TemporaryDirectory directory("ngspice-timeout");
  const auto start = std::chrono::steady_clock::now();
  CHECK_THROWS_WITH_AS(ngspice.run(write_netlist(directory, "runaway.cir", kRunaway)),
                       doctest::Contains("did not finish within 0.3 s"), NgspiceError);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
}

TEST_CASE("ngspice engine: runs in parallel threads give the results of runs one after another") {
  const NgspiceEngine ngspice;
  const std::vector<std::filesystem::path> netlists = validation_netlists();
  std::vector<Waveforms> sequential;
  for (const auto& netlist : netlists) sequential.push_back(ngspice.run(netlist));
  std::vector<std::future<Waveforms>> parallel;
  for (const auto& netlist : netlists)
    parallel.push_back(std::async(std::launch::async, [&ngspice, netlist] { return ngspice.run(netlist); }));
  for (std::size_t index = 0; index < netlists.size(); ++index)
    require_identical(parallel[index].get(), sequential[index], netlists[index].filename().string());
}

TEST_CASE("ngspice engine + compare: a deliberately changed value is caught where it shows") {
  const NgspiceEngine ngspice;
  TemporaryDirectory directory("ngspice-wrong");
  std::string changed = kDivider;
  changed.replace(changed.find(".param r2=1k"), std::string(".param r2=1k").size(), ".param r2=1.001k");
  const Waveforms reference = ngspice.run(write_netlist(directory, "divider.cir", kDivider));
  const Waveforms wrong = ngspice.run(write_netlist(directory, "divider-changed.cir", changed));

  CHECK(compare_waveforms(reference, reference).passed);
  const WaveformComparison comparison = compare_waveforms(wrong, reference);
  CHECK_FALSE(comparison.passed);
  REQUIRE(comparison.plots.size() == 2);
  for (const PlotComparison& plot : comparison.plots) {
    for (const VectorComparison& vector : plot.vectors) {
      if (vector.name == "v(in)") CHECK(vector.passed);  // the source fixes it
      if (vector.name == "v(out)") {
        CHECK_FALSE(vector.passed);
        // v(out) = v(in) * 1.001/2.001 instead of v(in)/2: an error of 5e-4 of the peak v(in)/2.
        CHECK(vector.max_relative_error == doctest::Approx(2 * (1.001 / 2.001 - 0.5)).epsilon(1e-6));
        if (plot.name == "DC transfer characteristic") CHECK(vector.worst_scale_value == 2.0);
      }
    }
  }
  const std::string table = format_worst_vectors(comparison);
  CHECK(table.find("FAIL") != std::string::npos);
}
