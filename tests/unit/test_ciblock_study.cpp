// CIBlock study (core/ciblock_study.h): configuration, weight programming, the ideal reference,
// a small study end to end, and the FCN experiment on a small MNIST subset (when fetched).
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>

#include "core/ciblock_study.h"
#include "core/fcn_experiment.h"
#include "temporary_directory.h"

using namespace xbarsim;

TEST_CASE("CIBlock configuration: JSON round trip, unknown fields, numeric fields by name") {
  CiblockConfig config;
  const CiblockConfig again = CiblockConfig::from_json(config.to_json());
  CHECK(again.to_json() == config.to_json());
  CHECK_THROWS_WITH(CiblockConfig::from_json(nlohmann::json{{"wire_resistence", 3}}), "unknown configuration field 'wire_resistence'");
  CHECK_THROWS(CiblockConfig::from_json(nlohmann::json{{"sweeps", {{{"parameter", "nonsense"}, {"values", {1}}}}}}));
  config.set("adc_bits", 6.0);
  CHECK(config.adc_bits == 6);
  config.set("wire_resistance", 7.5);
  CHECK(config.get("wire_resistance") == 7.5);
  CHECK_THROWS(config.set("fcn", 1.0));
}

TEST_CASE("programmed N-LEM states: closed form of 5 V / 1 ms pulses") {
  CiblockConfig config;
  CHECK(programmed_weight_state(config, 0) == 0.0);
  // kw s(5 V) = 0.195573/s: one pulse adds ~ kw * 1 ms; 140 pulses (level 14) reach ~ 0.027
  CHECK(programmed_weight_state(config, 1) == doctest::Approx(0.195573e-3).epsilon(1e-3));
  const double top = programmed_weight_state(config, 140);
  CHECK(top == doctest::Approx(1 - std::pow(1 - 0.195573e-3, 140)).epsilon(0.01));
  CHECK(programmed_weight_state(config, 70) < top);
}

TEST_CASE("block design and the ideal delivered value") {
  CiblockConfig config;
  const std::vector<std::vector<double>> vectors = {{1, 0, 0.5}, {0.2, 0.4, 0.6}};
  const BlockDesign design = design_block(config, 5, 3, 2, vectors);
  CHECK(design.levels.size() == 6);
  for (int level : design.levels) CHECK(std::abs(level) <= 14);
  CHECK(*std::max_element(design.levels.begin(), design.levels.end()) == 14);  // the largest weight maps to the top level
  const std::vector<double> delivered = ideal_delivered(config, design, vectors[0]);
  for (int j = 0; j < 2; ++j) {
    const double y = design.weight(0, j) + 0.5 * design.weight(2, j);
    CHECK(delivered[static_cast<std::size_t>(j)] == doctest::Approx(0.5 * std::max(y, 0.0) / design.full_scale));
  }
}

TEST_CASE("a small CIBlock study end to end") {
  testing::TemporaryDirectory directory("ciblock");
  CiblockConfig config = CiblockConfig::from_json(nlohmann::json{{"inputs", 4},
                                                                 {"outputs", 3},
                                                                 {"receiving_columns", 3},
                                                                 {"vectors", 5},
                                                                 {"cascade_blocks", 2},
                                                                 {"sweeps", {{{"parameter", "adc_bits"}, {"values", {4, 8}}}}},
                                                                 {"fcn", {{"enabled", false}}}});
  std::vector<std::string> messages;
  const nlohmann::json metrics = run_ciblock_study(config, directory.path(), [&](const std::string& m) { messages.push_back(m); });
  CHECK(messages.size() >= 5);
  for (const char* file : {"report.md", "metrics.json", "error_budget.csv", "sweep_adc_bits.csv", "cascade.csv",
                           "default_values.csv", "netlists/default_electrical.cir", "netlists/default_optical.cir",
                           "netlists/models/adc.lib", "figures/cascade.gp"})
    CHECK_MESSAGE(std::filesystem::exists(directory / file), file);
  const nlohmann::json& e = metrics["default"]["electrical"];
  const nlohmann::json& o = metrics["default"]["optical"];
  // electrical: 8-bit converters, sub-percent error; optical: crosstalk on a large common mode
  CHECK(e["rms_error_percent_fs"].get<double>() < 2.0);
  CHECK(e["rms_error_percent_fs"].get<double>() > 0.05);
  CHECK(o["rms_error_percent_fs"].get<double>() < 20.0);
  CHECK(e["latency_s"].get<double>() > 100e-9);
  CHECK(e["latency_s"].get<double>() < 20e-6);
  CHECK(o["latency_s"].get<double>() > e["latency_s"].get<double>());  // nA photocurrents: slower receivers
  CHECK(e["energy_per_value_J"].get<double>() > 1e-12);
  CHECK(e["enob"].get<double>() > 4.0);
  // the seeded transient noise agrees with the analytic budget (15 samples per path: a few dB)
  CHECK(std::abs(e["snr_db"].get<double>() - e["analytic_snr_db"].get<double>()) < 4.0);
  CHECK(std::abs(o["snr_db"].get<double>() - o["analytic_snr_db"].get<double>()) < 4.0);
  // 4 bits quantise more coarsely than 8
  const nlohmann::json& sweep = metrics["sweeps"]["adc_bits"];
  CHECK(sweep[0]["electrical_rms_percent_fs"].get<double>() > sweep[1]["electrical_rms_percent_fs"].get<double>());
  CHECK(metrics["cascade"].size() == 2);
  CHECK(metrics["error_budget"].size() == 12);
}

TEST_CASE("FCN experiment on a small MNIST subset") {
  const std::filesystem::path mnist = find_mnist_directory("");
  if (mnist.empty()) {
    MESSAGE("MNIST digits not fetched (scripts/fetch-mnist.sh): FCN test skipped");
    return;
  }
  DigitImages all = load_mnist_digits(mnist, 4);
  CHECK(all.images.size() > 4000);
  DigitImages subset;
  for (std::size_t k = 0; k < all.images.size(); k += 6) {  // ~690 images of all four digits
    subset.images.push_back(all.images[k]);
    subset.labels.push_back(all.labels[k]);
  }
  CiblockConfig config;
  config.fcn.test_images = 200;
  config.fcn.epochs = 15;
  const FcnResult result = run_fcn_experiment(config, subset);
  CHECK(result.test_images == 200);
  CHECK(result.hidden_weight_levels.size() == 25);
  CHECK(result.ideal_accuracy > 0.75);
  CHECK(result.electrical_accuracy > result.ideal_accuracy - 0.10);
  CHECK(result.optical_accuracy > result.ideal_accuracy - 0.25);
  CHECK(result.electrical_rms_error < 5.0);
}
