// Waveform comparison: agreement, deliberately perturbed vectors caught at the right place,
// interpolation between different grids, pairing of plots and vectors, and the report table.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <span>
#include <string>

#include "core/compare.h"

using namespace xbarsim;

namespace {

std::vector<double> uniform_grid(double first, double last, std::size_t points) {
  std::vector<double> grid(points);
  for (std::size_t i = 0; i < points; ++i) grid[i] = first + (last - first) * static_cast<double>(i) / static_cast<double>(points - 1);
  return grid;
}

template <typename Function>
std::vector<double> sampled(const std::vector<double>& grid, Function function) {
  std::vector<double> values;
  for (const double x : grid) values.push_back(function(x));
  return values;
}

// A transient plot of v(out) = sin(2 pi 1e6 t) and i(v1) = 1 mA * cos(2 pi 1e6 t) on `time`
// (v(out) spelt `v_out_name`), then the `extra` vectors.
Plot transient_plot(const std::vector<double>& time, const std::string& v_out_name = "v(out)",
                    const std::vector<PlotColumn>& extra = {}) {
  const double omega = 2 * M_PI * 1e6;
  std::vector<PlotColumn> columns{{"time", Quantity::time, time},
                                  {v_out_name, Quantity::voltage, sampled(time, [&](double t) { return std::sin(omega * t); })},
                                  {"i(v1)", Quantity::current, sampled(time, [&](double t) { return 1e-3 * std::cos(omega * t); })}};
  columns.insert(columns.end(), extra.begin(), extra.end());
  return Plot{"test", "Transient Analysis", true, columns};
}

Plot operating_point_plot(double v_out, double i_v1) {
  return Plot{"test", "Operating Point", false,
              {{"v(out)", Quantity::voltage, {v_out}}, {"i(v1)", Quantity::current, {i_v1}}}};
}

const VectorComparison& vector_named(const PlotComparison& plot, const std::string& name) {
  const auto found = std::find_if(plot.vectors.begin(), plot.vectors.end(),
                                  [&](const VectorComparison& vector) { return vector.name == name; });
  REQUIRE_MESSAGE(found != plot.vectors.end(), "no vector ", name);
  return *found;
}

}  // namespace

TEST_CASE("compare: identical waveforms pass with zero error") {
  const Waveforms waveforms{{operating_point_plot(1.0, -5e-4), transient_plot(uniform_grid(0, 2e-6, 201))}};
  const WaveformComparison comparison = compare_waveforms(waveforms, waveforms);
  CHECK(comparison.passed);
  CHECK(comparison.problems.empty());
  REQUIRE(comparison.plots.size() == 2);
  CHECK(comparison.plots[0].vectors.size() == 2);  // an operating point has no scale: every vector is compared
  CHECK(comparison.plots[1].vectors.size() == 2);  // the time scale itself is not a compared vector
  CHECK(comparison.plots[1].scale_name == "time");
  CHECK_FALSE(comparison.plots[1].interpolated);
  CHECK(comparison.plots[1].compared_points == 201);
  for (const PlotComparison& plot : comparison.plots)
    for (const VectorComparison& vector : plot.vectors) {
      CHECK(vector.passed);
      CHECK(vector.max_absolute_error == 0);
    }
}

TEST_CASE("compare: a perturbed vector is caught at the right place") {
  const std::vector<double> time = uniform_grid(0, 2e-6, 201);
  const Waveforms reference{{transient_plot(time)}};
  Waveforms ours = reference;
  ours.plots[0].value(1, 137) += 1e-3;  // v(out) at t = 1.37 us

  const WaveformComparison comparison = compare_waveforms(ours, reference);
  CHECK_FALSE(comparison.passed);
  const PlotComparison& plot = comparison.plots.at(0);
  CHECK_FALSE(plot.passed);
  const VectorComparison& v_out = vector_named(plot, "v(out)");
  CHECK_FALSE(v_out.passed);
  CHECK(v_out.worst_point == 137);
  CHECK(v_out.worst_scale_value == doctest::Approx(1.37e-6));
  CHECK(v_out.max_absolute_error == doctest::Approx(1e-3));
  CHECK(v_out.reference_peak == doctest::Approx(1.0).epsilon(1e-6));
  CHECK(v_out.max_relative_error == doctest::Approx(1e-3).epsilon(1e-5));
  CHECK(v_out.error_to_tolerance_ratio() > 1);
  CHECK(vector_named(plot, "i(v1)").passed);

  const std::string table = format_worst_vectors(comparison, 1);
  INFO(table);
  CHECK(table.find("v(out)") != std::string::npos);
  CHECK(table.find("time=1.37e-06") != std::string::npos);
  CHECK(table.find("FAIL") != std::string::npos);
  CHECK(table.find("i(v1)") == std::string::npos);  // only the single worst vector was asked for
  CHECK(table.find("FAIL: 1 of 2 vectors in 1 plots out of tolerance, 0 problems") != std::string::npos);
}

TEST_CASE("compare: the tolerance is relative to the vector's peak and the quantity's absolute tolerance") {
  const std::vector<double> time = uniform_grid(0, 2e-6, 201);
  const Waveforms reference{{transient_plot(time)}};

  SUBCASE("an error of 0.5 ppm of the peak passes even at a zero crossing of the waveform") {
    Waveforms ours = reference;
    ours.plots[0].value(1, 100) += 0.5e-6;  // sin is zero at t = 1 us
    CHECK(compare_waveforms(ours, reference).passed);
    ComparisonTolerances strict;
    strict.relative = 1e-7;
    const WaveformComparison failed = compare_waveforms(ours, reference, strict);
    CHECK_FALSE(failed.passed);
    CHECK(vector_named(failed.plots[0], "v(out)").worst_scale_value == doctest::Approx(1e-6));
  }

  SUBCASE("vectors that are zero in the reference are judged by the absolute tolerance of their quantity") {
    const Waveforms zero_reference{{operating_point_plot(0.0, 0.0)}};
    const Waveforms ours{{operating_point_plot(1e-10, 1e-13)}};
    ComparisonTolerances tolerances;
    tolerances.voltage_absolute = 1e-9;
    tolerances.current_absolute = 1e-12;
    WaveformComparison comparison = compare_waveforms(ours, zero_reference, tolerances);
    CHECK(comparison.passed);
    CHECK(std::isinf(vector_named(comparison.plots[0], "i(v1)").max_relative_error));
    tolerances.current_absolute = 1e-14;
    comparison = compare_waveforms(ours, zero_reference, tolerances);
    CHECK_FALSE(comparison.passed);
    CHECK(vector_named(comparison.plots[0], "v(out)").passed);
    CHECK_FALSE(vector_named(comparison.plots[0], "i(v1)").passed);
    CHECK(vector_named(comparison.plots[0], "i(v1)").worst_point == 0);
  }
}

TEST_CASE("compare: different grids are interpolated onto their union, exactly for linear waveforms") {
  auto linear_plot = [](const std::vector<double>& sweep) {
    return Plot{"test", "DC transfer characteristic", true,
                {{"v(v-sweep)", Quantity::voltage, sweep},
                 {"v(out)", Quantity::voltage, sampled(sweep, [](double x) { return 3 * x - 2; })},
                 {"i(v1)", Quantity::current, sampled(sweep, [](double x) { return -1e-3 * x; })}}};
  };
  const std::vector<double> coarse = uniform_grid(0, 1, 11);
  std::vector<double> fine = uniform_grid(0, 1, 15);
  fine.insert(fine.begin() + 3, fine[3]);  // a repeated point, as transient breakpoints produce

  ComparisonTolerances exact;
  exact.relative = 1e-14;
  exact.voltage_absolute = exact.current_absolute = 0;
  const WaveformComparison comparison = compare_waveforms(Waveforms{{linear_plot(coarse)}}, Waveforms{{linear_plot(fine)}}, exact);
  INFO(format_worst_vectors(comparison));
  CHECK(comparison.passed);
  const PlotComparison& plot = comparison.plots.at(0);
  CHECK(plot.interpolated);
  CHECK(plot.compared_points == 11 + 15 - 3);  // the union: 0, 0.5 and 1 are shared, the repeat counted once

  SUBCASE("a decreasing sweep is aligned with an increasing one") {
    std::vector<double> decreasing(coarse.rbegin(), coarse.rend());
    CHECK(compare_waveforms(Waveforms{{linear_plot(decreasing)}}, Waveforms{{linear_plot(fine)}}, exact).passed);
  }

  SUBCASE("a bump between the other side's points is found where it is") {
    Waveforms ours{{linear_plot(coarse)}};
    ours.plots[0].value(1, 7) += 0.01;  // sweep value 0.7, not a point of the fine grid
    const WaveformComparison bumped = compare_waveforms(ours, Waveforms{{linear_plot(fine)}}, exact);
    CHECK_FALSE(bumped.passed);
    const VectorComparison& v_out = vector_named(bumped.plots[0], "v(out)");
    CHECK(v_out.worst_scale_value == doctest::Approx(0.7));
    CHECK(v_out.max_absolute_error == doctest::Approx(0.01));
  }
}

TEST_CASE("compare: scales that cannot be aligned are problems") {
  SUBCASE("our run stopped early") {
    const Waveforms reference{{transient_plot(uniform_grid(0, 2e-6, 201))}};
    const Waveforms ours{{transient_plot(uniform_grid(0, 1e-6, 77))}};
    const WaveformComparison comparison = compare_waveforms(ours, reference);
    CHECK_FALSE(comparison.passed);
    REQUIRE(comparison.plots.at(0).problems.size() == 1);
    CHECK(comparison.plots[0].problems[0] == "scale 'time' covers [0, 1e-06] in ours but [0, 2e-06] in the reference");
    CHECK(comparison.plots[0].vectors.empty());
    CHECK(format_worst_vectors(comparison).find("problem: Transient Analysis: scale 'time' covers") != std::string::npos);
  }

  SUBCASE("nested dc sweeps compare point by point on equal grids, and cannot be interpolated otherwise") {
    auto nested = [](std::vector<double> sweep) {
      return Plot{"test", "DC transfer characteristic", true,
                  {{"v(v-sweep)", Quantity::voltage, sweep}, {"v(out)", Quantity::voltage, sweep}}};
    };
    const Waveforms reference{{nested({0, 0.5, 1, 0, 0.5, 1})}};
    CHECK(compare_waveforms(Waveforms{{nested({0, 0.5, 1 + 1e-12, 0, 0.5, 1})}}, reference).passed);
    const WaveformComparison comparison = compare_waveforms(Waveforms{{nested({0, 1, 0, 1})}}, reference);
    CHECK_FALSE(comparison.passed);
    REQUIRE(comparison.plots.at(0).problems.size() == 1);
    CHECK(comparison.plots[0].problems[0].find("not monotonic") != std::string::npos);
  }

  SUBCASE("operating points with different point counts") {
    Waveforms ours{{operating_point_plot(1, 2)}};
    const std::span<double> second_point = ours.plots[0].append_point();
    second_point[0] = 3;
    second_point[1] = 4;
    const WaveformComparison comparison = compare_waveforms(ours, Waveforms{{operating_point_plot(1, 2)}});
    CHECK_FALSE(comparison.passed);
    CHECK(comparison.plots.at(0).problems.at(0) == "2 points in ours but 1 in the reference");
  }
}

TEST_CASE("compare: plots pair by name in order, vectors by name ignoring case") {
  const std::vector<double> time = uniform_grid(0, 1e-6, 11);
  Waveforms ours{{operating_point_plot(1.0, 2e-3),
                  transient_plot(time, "v(out)", {{"v(extra)", Quantity::voltage, std::vector<double>(11, 0.0)}})}};
  // ngspice may order analyses differently and spell names in another case.
  Waveforms reference{{transient_plot(time, "V(OUT)", {{"i(vdd)", Quantity::current, std::vector<double>(11, 0.0)}}),
                       operating_point_plot(1.0, 2e-3)}};

  WaveformComparison comparison = compare_waveforms(ours, reference);
  INFO(format_worst_vectors(comparison));
  CHECK(comparison.passed);
  REQUIRE(comparison.plots.size() == 2);
  CHECK(comparison.plots[0].name == "Operating Point");
  const PlotComparison& transient = comparison.plots[1];
  CHECK(transient.vectors.size() == 2);
  CHECK(transient.only_in_ours == std::vector<std::string>{"v(extra)"});
  CHECK(transient.only_in_reference == std::vector<std::string>{"i(vdd)"});
  const std::string table = format_worst_vectors(comparison);
  CHECK(table.find("only in ours (Transient Analysis): v(extra)") != std::string::npos);
  CHECK(table.find("only in reference (Transient Analysis): i(vdd)") != std::string::npos);
  CHECK(table.find("PASS: 0 of 4 vectors in 2 plots out of tolerance, 0 problems") != std::string::npos);

  reference.plots.pop_back();  // the reference has no operating point
  comparison = compare_waveforms(ours, reference);
  CHECK_FALSE(comparison.passed);
  CHECK(comparison.problems == std::vector<std::string>{"plot 1 'Operating Point' of ours has no counterpart in the reference"});
}

TEST_CASE("compare: NaN meets NaN, but never a number") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  CHECK(compare_waveforms(Waveforms{{operating_point_plot(nan, 1)}}, Waveforms{{operating_point_plot(nan, 1)}}).passed);
  const WaveformComparison comparison =
      compare_waveforms(Waveforms{{operating_point_plot(nan, 1)}}, Waveforms{{operating_point_plot(1, 1)}});
  CHECK_FALSE(comparison.passed);
  const VectorComparison& v_out = vector_named(comparison.plots.at(0), "v(out)");
  CHECK(std::isinf(v_out.max_absolute_error));
  CHECK(format_worst_vectors(comparison).find("point 0") != std::string::npos);
}
