#include "core/fcn_experiment.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numbers>
#include <stdexcept>

#include "core/converters.h"
#include "core/elaborator.h"
#include "core/netlist_reader.h"
#include "core/noise_budget.h"
#include "core/seeded_random.h"
#include "core/simulator.h"
#include "models/nlem_model.h"

namespace xbarsim {

DigitImages load_mnist_digits(const std::filesystem::path& directory, int classes) {
  DigitImages digits;
  for (int d = 0; d < classes; ++d) {
    const std::filesystem::path file = directory / fmt::format("{}.json", d);
    std::ifstream stream(file);
    if (!stream) throw std::runtime_error(fmt::format("cannot read MNIST digits file {}", file.string()));
    const nlohmann::json json = nlohmann::json::parse(stream);
    const std::vector<float> data = json.at("data").get<std::vector<float>>();
    if (data.size() % 784 != 0) throw std::runtime_error(fmt::format("{}: data is not a multiple of 784 values", file.string()));
    for (std::size_t k = 0; k < data.size(); k += 784) {
      digits.images.emplace_back(data.begin() + static_cast<long>(k), data.begin() + static_cast<long>(k + 784));
      digits.labels.push_back(d);
    }
  }
  return digits;
}

std::filesystem::path find_mnist_directory(const std::string& configured) {
  std::vector<std::filesystem::path> candidates;
  if (!configured.empty()) candidates.emplace_back(configured);
  if (const char* environment = std::getenv("XBARSIM_MNIST_DIR")) candidates.emplace_back(environment);
  candidates.emplace_back(std::filesystem::path(XBARSIM_SOURCE_DIR) / "build/mnist/package/src/digits");
  candidates.emplace_back("build/mnist/package/src/digits");
  for (const std::filesystem::path& candidate : candidates)
    if (std::filesystem::exists(candidate / "0.json")) return candidate;
  return {};
}

namespace {

constexpr int kPixels = 784, kHidden1 = 5, kHidden2 = 5, kHidden3 = 20, kClasses = 4;

struct Dense {
  int inputs, outputs;
  std::vector<double> weight, bias, weight_m, weight_v, bias_m, bias_v, weight_grad, bias_grad;
  Dense(int in, int out, SeededRandom& random)
      : inputs(in), outputs(out), weight(static_cast<std::size_t>(in * out)), bias(static_cast<std::size_t>(out), 0.0),
        weight_m(weight.size()), weight_v(weight.size()), bias_m(bias.size()), bias_v(bias.size()),
        weight_grad(weight.size()), bias_grad(bias.size()) {
    const double scale = std::sqrt(2.0 / in);  // He initialisation
    for (double& w : weight) w = scale * random.normal();
  }
  double& w(int o, int i) { return weight[static_cast<std::size_t>(o * inputs + i)]; }
};

// The 5x5 layer's weights restricted to 15 levels per sign: s round(W/s 14)/14, s = max |W|.
struct QuantisedLayer {
  double scale;
  std::vector<int> levels;
};
QuantisedLayer quantise(const Dense& layer, int top) {
  QuantisedLayer q{0.0, {}};
  for (double w : layer.weight) q.scale = std::max(q.scale, std::abs(w));
  for (double w : layer.weight) q.levels.push_back(static_cast<int>(std::lround(w / q.scale * top)));
  return q;
}

struct Network {
  Dense l1, l2, l3, l4;
  int top;
  bool restrict_hidden = true;
  explicit Network(SeededRandom& random, int top_level)
      : l1(kPixels, kHidden1, random), l2(kHidden1, kHidden2, random), l3(kHidden2, kHidden3, random),
        l4(kHidden3, kClasses, random), top(top_level) {}

  std::vector<double> hidden1(const std::vector<float>& x) {
    std::vector<double> h(kHidden1);
    for (int o = 0; o < kHidden1; ++o) {
      double z = l1.bias[static_cast<std::size_t>(o)];
      for (int i = 0; i < kPixels; ++i) z += l1.w(o, i) * x[static_cast<std::size_t>(i)];
      h[static_cast<std::size_t>(o)] = std::max(z, 0.0);
    }
    return h;
  }
  std::vector<double> effective_l2() const {
    if (!restrict_hidden) return l2.weight;
    const QuantisedLayer q = quantise(l2, top);
    std::vector<double> w;
    for (int level : q.levels) w.push_back(q.scale * level / top);
    return w;
  }
  // From hidden-2 pre-activation to class scores.
  std::vector<double> tail(const std::vector<double>& z2, std::vector<double>* h2_out = nullptr,
                           std::vector<double>* h3_out = nullptr) {
    std::vector<double> h2(kHidden2), h3(kHidden3), out(kClasses);
    for (int o = 0; o < kHidden2; ++o) h2[static_cast<std::size_t>(o)] = std::max(z2[static_cast<std::size_t>(o)], 0.0);
    for (int o = 0; o < kHidden3; ++o) {
      double z = l3.bias[static_cast<std::size_t>(o)];
      for (int i = 0; i < kHidden2; ++i) z += l3.w(o, i) * h2[static_cast<std::size_t>(i)];
      h3[static_cast<std::size_t>(o)] = std::max(z, 0.0);
    }
    for (int o = 0; o < kClasses; ++o) {
      double z = l4.bias[static_cast<std::size_t>(o)];
      for (int i = 0; i < kHidden3; ++i) z += l4.w(o, i) * h3[static_cast<std::size_t>(i)];
      out[static_cast<std::size_t>(o)] = z;
    }
    if (h2_out) *h2_out = h2;
    if (h3_out) *h3_out = h3;
    return out;
  }
  std::vector<double> z2(const std::vector<double>& h1, const std::vector<double>& w2) const {
    std::vector<double> z(kHidden2);
    for (int o = 0; o < kHidden2; ++o) {
      double sum = l2.bias[static_cast<std::size_t>(o)];
      for (int i = 0; i < kHidden1; ++i) sum += w2[static_cast<std::size_t>(o * kHidden1 + i)] * h1[static_cast<std::size_t>(i)];
      z[static_cast<std::size_t>(o)] = sum;
    }
    return z;
  }

  // One example's gradients added to the layers' *_grad (softmax cross-entropy).
  void backward(const std::vector<float>& x, int label) {
    const std::vector<double> h1 = hidden1(x);
    const std::vector<double> w2 = effective_l2();
    const std::vector<double> z = z2(h1, w2);
    std::vector<double> h2, h3;
    std::vector<double> out = tail(z, &h2, &h3);
    const double peak = *std::max_element(out.begin(), out.end());
    double total = 0.0;
    for (double& o : out) total += (o = std::exp(o - peak));
    std::vector<double> d4(kClasses);
    for (int o = 0; o < kClasses; ++o) d4[static_cast<std::size_t>(o)] = out[static_cast<std::size_t>(o)] / total - (o == label ? 1.0 : 0.0);
    std::vector<double> d3(kHidden3, 0.0), d2(kHidden2, 0.0), d1(kHidden1, 0.0);
    for (int o = 0; o < kClasses; ++o) {
      l4.bias_grad[static_cast<std::size_t>(o)] += d4[static_cast<std::size_t>(o)];
      for (int i = 0; i < kHidden3; ++i) {
        l4.weight_grad[static_cast<std::size_t>(o * kHidden3 + i)] += d4[static_cast<std::size_t>(o)] * h3[static_cast<std::size_t>(i)];
        d3[static_cast<std::size_t>(i)] += d4[static_cast<std::size_t>(o)] * l4.w(o, i);
      }
    }
    for (int o = 0; o < kHidden3; ++o) {
      if (h3[static_cast<std::size_t>(o)] <= 0) continue;
      l3.bias_grad[static_cast<std::size_t>(o)] += d3[static_cast<std::size_t>(o)];
      for (int i = 0; i < kHidden2; ++i) {
        l3.weight_grad[static_cast<std::size_t>(o * kHidden2 + i)] += d3[static_cast<std::size_t>(o)] * h2[static_cast<std::size_t>(i)];
        d2[static_cast<std::size_t>(i)] += d3[static_cast<std::size_t>(o)] * l3.w(o, i);
      }
    }
    for (int o = 0; o < kHidden2; ++o) {
      if (h2[static_cast<std::size_t>(o)] <= 0) continue;
      l2.bias_grad[static_cast<std::size_t>(o)] += d2[static_cast<std::size_t>(o)];
      for (int i = 0; i < kHidden1; ++i) {  // straight-through: the restricted weights' gradient
        l2.weight_grad[static_cast<std::size_t>(o * kHidden1 + i)] += d2[static_cast<std::size_t>(o)] * h1[static_cast<std::size_t>(i)];
        d1[static_cast<std::size_t>(i)] += d2[static_cast<std::size_t>(o)] * w2[static_cast<std::size_t>(o * kHidden1 + i)];
      }
    }
    for (int o = 0; o < kHidden1; ++o) {
      if (h1[static_cast<std::size_t>(o)] <= 0) continue;
      l1.bias_grad[static_cast<std::size_t>(o)] += d1[static_cast<std::size_t>(o)];
      for (int i = 0; i < kPixels; ++i)
        l1.weight_grad[static_cast<std::size_t>(o * kPixels + i)] += d1[static_cast<std::size_t>(o)] * x[static_cast<std::size_t>(i)];
    }
  }

  // Adam step (Kingma & Ba 2015) on every layer with the accumulated gradients of `batch` examples.
  void step(double rate, int batch, long t) {
    constexpr double beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8;
    const double c1 = 1 - std::pow(beta1, static_cast<double>(t)), c2 = 1 - std::pow(beta2, static_cast<double>(t));
    auto update = [&](std::vector<double>& p, std::vector<double>& g, std::vector<double>& m, std::vector<double>& v) {
      for (std::size_t k = 0; k < p.size(); ++k) {
        const double grad = g[k] / batch;
        m[k] = beta1 * m[k] + (1 - beta1) * grad;
        v[k] = beta2 * v[k] + (1 - beta2) * grad * grad;
        p[k] -= rate * (m[k] / c1) / (std::sqrt(v[k] / c2) + epsilon);
        g[k] = 0.0;
      }
    };
    for (Dense* layer : {&l1, &l2, &l3, &l4}) {
      update(layer->weight, layer->weight_grad, layer->weight_m, layer->weight_v);
      update(layer->bias, layer->bias_grad, layer->bias_m, layer->bias_v);
    }
  }
};

int argmax(const std::vector<double>& values) {
  return static_cast<int>(std::max_element(values.begin(), values.end()) - values.begin());
}

void train(Network& network, const DigitImages& digits, const std::vector<std::size_t>& order_in, int epochs,
           SeededRandom& random) {
  std::vector<std::size_t> order = order_in;
  long t = 0;
  constexpr int batch = 32;
  for (int epoch = 0; epoch < epochs; ++epoch) {
    for (std::size_t k = order.size(); k > 1; --k)  // Fisher-Yates with the seeded generator
      std::swap(order[k - 1], order[static_cast<std::size_t>(random.uniform() * static_cast<double>(k))]);
    const double rate = 3e-3 * (epoch < epochs * 2 / 3 ? 1.0 : 0.3);
    for (std::size_t start = 0; start < order.size(); start += batch) {
      const std::size_t end = std::min(order.size(), start + batch);
      for (std::size_t k = start; k < end; ++k) network.backward(digits.images[order[k]], digits.labels[order[k]]);
      network.step(rate, static_cast<int>(end - start), ++t);
    }
  }
}

}  // namespace

FcnResult run_fcn_experiment(const CiblockConfig& config, const DigitImages& digits) {
  FcnResult result;
  const int top = config.levels_per_sign - 1;
  SeededRandom random(config.fcn.seed);
  std::vector<std::size_t> order(digits.images.size());
  for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
  for (std::size_t k = order.size(); k > 1; --k)
    std::swap(order[k - 1], order[static_cast<std::size_t>(random.uniform() * static_cast<double>(k))]);
  const std::size_t test_count = std::min<std::size_t>(static_cast<std::size_t>(config.fcn.test_images), order.size() / 2);
  const std::vector<std::size_t> test(order.begin(), order.begin() + static_cast<long>(test_count));
  const std::vector<std::size_t> training(order.begin() + static_cast<long>(test_count), order.end());
  result.train_images = static_cast<int>(training.size());
  result.test_images = static_cast<int>(test.size());

  auto accuracy_of = [&](Network& network) {
    const std::vector<double> w2 = network.effective_l2();
    int correct = 0;
    for (std::size_t k : test)
    {
      const std::vector<double> scores = network.tail(network.z2(network.hidden1(digits.images[k]), w2));
      correct += argmax(scores) == digits.labels[k];
    }
    return static_cast<double>(correct) / static_cast<double>(test.size());
  };
  {
    SeededRandom reference_random(config.fcn.seed + 1);
    Network unrestricted(reference_random, top);
    unrestricted.restrict_hidden = false;
    train(unrestricted, digits, training, config.fcn.epochs, reference_random);
    result.float_accuracy = accuracy_of(unrestricted);
  }
  SeededRandom network_random(config.fcn.seed + 1);
  Network network(network_random, top);
  train(network, digits, training, config.fcn.epochs, network_random);
  result.ideal_accuracy = accuracy_of(network);
  const QuantisedLayer q = quantise(network.l2, top);
  // Array layout: row i = hidden-1 neuron, column j = hidden-2 neuron; level (i, j) = W2[j][i].
  for (int i = 0; i < kHidden1; ++i)
    for (int j = 0; j < kHidden2; ++j) result.hidden_weight_levels.push_back(q.levels[static_cast<std::size_t>(j * kHidden1 + i)]);

  // Input scaling (largest hidden-1 activation of the training set -> read voltage) and full scale.
  double activation_scale = 0.0, output_scale = 0.0;
  for (std::size_t k : training) {
    const std::vector<double> h1 = network.hidden1(digits.images[k]);
    for (double h : h1) activation_scale = std::max(activation_scale, h);
  }
  for (std::size_t k : training) {
    const std::vector<double> h1 = network.hidden1(digits.images[k]);
    for (int j = 0; j < kHidden2; ++j) {
      double y = 0.0;
      for (int i = 0; i < kHidden1; ++i)
        y += h1[static_cast<std::size_t>(i)] / activation_scale * result.hidden_weight_levels[static_cast<std::size_t>(i * kHidden2 + j)] / top;
      output_scale = std::max(output_scale, std::abs(y));
    }
  }
  output_scale *= 1.1;

  // The circuit: 5 x 5 differential N-LEM array, both readouts, signed ADCs on [-1, 1] V.
  NlemParameters nlem;
  nlem.g0 = config.nlem_g0;
  nlem.cw = config.emission_state_gain;
  std::vector<double> level_state;
  for (int level = 0; level <= top; ++level) level_state.push_back(programmed_weight_state(config, level * config.pulses_per_level));
  const double w_top = level_state.back();
  const double v_read = config.read_voltage;
  const double largest_device_current = v_read * config.nlem_g0 * (1 + nlem.aw * w_top) * std::sinh(v_read / config.nlem_vh) /
                                        (v_read / config.nlem_vh);
  const double light_per_current = config.coupling_efficiency * config.responsivity * nlem.eta * (1 + nlem.cw * w_top) *
                                   (1 + 2 * config.optical_crosstalk);
  const double rf_electrical = config.tia_swing / (kHidden1 * largest_device_current);
  const double rf_optical = config.tia_swing / (kHidden1 * (largest_device_current * light_per_current + config.dark_current));
  const double unit_electrical = v_read * config.nlem_g0 * nlem.aw * w_top;
  const double unit_optical = config.coupling_efficiency * config.responsivity * nlem.eta * v_read * config.nlem_g0 *
                              (nlem.aw + nlem.cw + nlem.aw * nlem.cw * w_top) * w_top;
  const double gain_electrical = 1.0 / (rf_electrical * unit_electrical * output_scale);
  const double gain_optical = 1.0 / (rf_optical * unit_optical * output_scale);
  const double dark_saturation = std::max(config.dark_current - config.photodiode_bias / config.shunt_resistance, 1e-18);
  const double wire = std::max(config.wire_resistance, 1e-6);
  AdcParameters adc;
  adc.bits = config.adc_bits;
  adc.vlow = -1.0;
  adc.vhigh = 1.0;
  adc.offset = config.adc_offset_lsb * adc.lsb();
  adc.gain_error = config.adc_gain_error;
  adc.inl = InlProfile::from_seed(config.seed + 101, config.adc_inl_lsb);

  std::string t = "FCN hidden layer 1 -> 2: 5 x 5 differential N-LEM array, electrical (FCN-1) and optical (FCN-2) readout\n";
  t += fmt::format("* generated by xbarsim study ciblock; levels of W2 from the trained network (seed {}); one .op per image\n",
                   config.fcn.seed);
  t += ".include models/nlem.lib\n.include models/tia.lib\n.include models/optical_coupling.lib\n"
       ".include models/photodiode.lib\n.include models/adc.lib\n";
  t += fmt::format("Vpdbias pdbias 0 {:.9g}\nVclock clock 0 1\n", config.photodiode_bias);
  const bool dummies = config.edge_dummy_emitters != 0;
  for (int i = 0; i < kHidden1; ++i) {
    t += fmt::format("Vx{0} x{0} 0 0\n", i);
    if (dummies)  // pristine emitters beyond both row ends (core/ciblock_study.h, edge_dummy_emitters)
      t += fmt::format("Xdl{0} sr{0}_0 0 odl{0} 0 NLEM g0={1:.9g} vh={2:.9g} cw={3:.9g} ion={4:.9g} w0=0 hold=1\n"
                       "Xdr{0} sr{0}_{5} 0 odr{0} 0 NLEM g0={1:.9g} vh={2:.9g} cw={3:.9g} ion={4:.9g} w0=0 hold=1\n",
                       i, config.nlem_g0, config.nlem_vh, config.emission_state_gain, config.light_onset_current, 2 * kHidden2 - 1);
    for (int k = 0; k < 2 * kHidden2; ++k) {
      const int level = result.hidden_weight_levels[static_cast<std::size_t>(i * kHidden2 + k / 2)];
      const int own = k % 2 == 0 ? std::max(level, 0) : std::max(-level, 0);
      t += fmt::format("Rr{0}_{1} {2} sr{0}_{1} {3:.9g}\n", i, k, k == 0 ? fmt::format("x{}", i) : fmt::format("sr{}_{}", i, k - 1), wire);
      t += fmt::format("Xn{0}_{1} sr{0}_{1} sc{1}_{0} o{0}_{1} 0 NLEM g0={2:.9g} vh={3:.9g} cw={4:.9g} ion={5:.9g} w0={6:.9g} hold=1\n", i,
                       k, config.nlem_g0, config.nlem_vh, config.emission_state_gain, config.light_onset_current,
                       level_state[static_cast<std::size_t>(own)]);
      t += fmt::format("Rc{0}_{1} sc{0}_{1} {2} {3:.9g}\n", k, i, i + 1 < kHidden1 ? fmt::format("sc{}_{}", k, i + 1) : fmt::format("te{}", k), wire);
      t += fmt::format("Xl{0}_{1} rx{0}_{1} {2} o{0}_{1} {3} OPTICAL_CHANNEL efficiency={4:.9g} crosstalk={5:.9g}\n", i, k,
                       k > 0 ? fmt::format("o{}_{}", i, k - 1) : dummies ? fmt::format("odl{}", i) : "0",
                       k + 1 < 2 * kHidden2 ? fmt::format("o{}_{}", i, k + 1) : dummies ? fmt::format("odr{}", i) : "0",
                       config.coupling_efficiency, config.optical_crosstalk);
      t += fmt::format("Xp{0}_{1} to{1} pdbias rx{0}_{1} PHOTODIODE resp={2:.9g} is={3:.9g} rsh={4:.9g}\n", i, k, config.responsivity,
                       dark_saturation, config.shunt_resistance);
    }
  }
  for (int k = 0; k < 2 * kHidden2; ++k)
    t += fmt::format("Xte{0} te{0} oe{0} TIA rf={1:.9g}\nXto{0} to{0} oo{0} TIA rf={2:.9g}\n", k, rf_electrical, rf_optical);
  for (int j = 0; j < kHidden2; ++j) {
    t += fmt::format("Bde{0} de{0} 0 V={{{1:.9g}*(V(oe{3}) - V(oe{2}))}}\nVne{0} de{0} ae{0} 0\n", j, gain_electrical, 2 * j, 2 * j + 1);
    t += fmt::format("Bdo{0} do{0} 0 V={{{1:.9g}*(V(oo{3}) - V(oo{2}))}}\nVno{0} do{0} ao{0} 0\n", j, gain_optical, 2 * j, 2 * j + 1);
    t += adc.instance(fmt::format("adce{}", j), fmt::format("ae{}", j), fmt::format("codee{}", j), "clock", "clock") + "\n";
    t += adc.instance(fmt::format("adco{}", j), fmt::format("ao{}", j), fmt::format("codeo{}", j), "clock", "clock") + "\n";
  }
  t += ".options vntol=1e-12\n.op\n.end\n";
  result.netlist = t;

  // Receiver noise at the difference output, from the analytic budget (two TIAs per value).
  const double mean_device_current = v_read * 0.5 * config.nlem_g0 * (1 + 0.5 * nlem.aw * w_top);
  // Each TIA is compensated as in the CIBlock block (core/ciblock_study.cpp): cf = 2 sqrt(Cin/(2 pi rf gbw)),
  // closed-loop noise bandwidth 1/(4 rf cf); the photodiodes' capacitance slows the optical receivers.
  auto noise_rms = [&](double rf, double density, double input_capacitance) {
    const double cf = 2.0 * std::sqrt(input_capacitance / (2 * std::numbers::pi * rf * config.tia_gbw));
    return rf * std::sqrt(2.0 * density / (4.0 * rf * cf));
  };
  const double electrical_input_capacitance = config.tia_input_capacitance +
                                              kHidden1 * (config.line_capacitance + 2 * config.coupling_capacitance);
  const double optical_input_capacitance = config.tia_input_capacitance +
                                           kHidden1 * (config.line_capacitance + config.photodiode_capacitance);
  const double electrical_density = thermal_current_density(rf_electrical, config.temperature) +
                                    kHidden1 * thermal_current_density(v_read / mean_device_current, config.temperature);
  const double optical_density = thermal_current_density(rf_optical, config.temperature) +
                                 shot_current_density(kHidden1 * (mean_device_current * light_per_current + config.dark_current)) +
                                 kHidden1 * thermal_current_density(config.shunt_resistance, config.temperature);
  const double electrical_sigma = config.noise ? std::hypot(gain_electrical * noise_rms(rf_electrical, electrical_density, electrical_input_capacitance),
                                                            config.adc_noise_lsb * adc.lsb())
                                               : 0.0;
  const double optical_sigma = config.noise ? std::hypot(gain_optical * noise_rms(rf_optical, optical_density, optical_input_capacitance),
                                                         config.adc_noise_lsb * adc.lsb())
                                            : 0.0;

  const DiagnosticSink quiet = [](const Diagnostic&) {};
  const NetlistText text = read_netlist_string(t, "fcn_array.cir", std::filesystem::path(XBARSIM_SOURCE_DIR), quiet);
  Circuit circuit = elaborate(text, quiet);
  Simulator simulator(circuit);
  auto source = [&](const std::string& name) {
    const std::optional<SourceReference> reference = circuit.find_source(name);
    if (!reference) throw std::logic_error("FCN netlist lacks source " + name);
    return *reference;
  };
  std::vector<SourceReference> inputs, electrical_noise, optical_noise;
  for (int i = 0; i < kHidden1; ++i) inputs.push_back(source(fmt::format("vx{}", i)));
  for (int j = 0; j < kHidden2; ++j) {
    electrical_noise.push_back(source(fmt::format("vne{}", j)));
    optical_noise.push_back(source(fmt::format("vno{}", j)));
  }
  result.noise_seed = config.fcn.seed + 99;
  SeededRandom noise(result.noise_seed);
  int electrical_correct = 0, optical_correct = 0;
  double electrical_square = 0, optical_square = 0;
  for (std::size_t k : test) {
    const std::vector<double> h1 = network.hidden1(digits.images[k]);
    std::vector<double> ideal_y(kHidden2, 0.0);
    for (int i = 0; i < kHidden1; ++i) {
      const double x = std::min(h1[static_cast<std::size_t>(i)] / activation_scale, 1.0);
      inputs[static_cast<std::size_t>(i)].group->set_dc_value(inputs[static_cast<std::size_t>(i)].index, v_read * x);
      for (int j = 0; j < kHidden2; ++j)
        ideal_y[static_cast<std::size_t>(j)] += x * result.hidden_weight_levels[static_cast<std::size_t>(i * kHidden2 + j)] / top;
    }
    for (int j = 0; j < kHidden2; ++j) {
      electrical_noise[static_cast<std::size_t>(j)].group->set_dc_value(electrical_noise[static_cast<std::size_t>(j)].index,
                                                                        electrical_sigma * noise.normal());
      optical_noise[static_cast<std::size_t>(j)].group->set_dc_value(optical_noise[static_cast<std::size_t>(j)].index,
                                                                     optical_sigma * noise.normal());
    }
    const Plot point = simulator.operating_point();
    std::vector<double> z_electrical(kHidden2), z_optical(kHidden2);
    for (int j = 0; j < kHidden2; ++j) {
      const double y_electrical = (adc.vlow + adc.lsb() * point.value(*point.find(fmt::format("v(codee{})", j)), 0)) * output_scale;
      const double y_optical = (adc.vlow + adc.lsb() * point.value(*point.find(fmt::format("v(codeo{})", j)), 0)) * output_scale;
      electrical_square += std::pow((y_electrical - ideal_y[static_cast<std::size_t>(j)]) / output_scale, 2);
      optical_square += std::pow((y_optical - ideal_y[static_cast<std::size_t>(j)]) / output_scale, 2);
      const double back = q.scale * activation_scale;  // array units -> the network's pre-activation
      z_electrical[static_cast<std::size_t>(j)] = back * y_electrical + network.l2.bias[static_cast<std::size_t>(j)];
      z_optical[static_cast<std::size_t>(j)] = back * y_optical + network.l2.bias[static_cast<std::size_t>(j)];
    }
    const std::vector<double> electrical_scores = network.tail(z_electrical);
    const std::vector<double> optical_scores = network.tail(z_optical);
    electrical_correct += argmax(electrical_scores) == digits.labels[k];
    optical_correct += argmax(optical_scores) == digits.labels[k];
  }
  const double count = static_cast<double>(test.size());
  result.electrical_accuracy = electrical_correct / count;
  result.optical_accuracy = optical_correct / count;
  // rms error relative to the signed full scale 2 * output_scale (the ADC range)
  result.electrical_rms_error = 100.0 * std::sqrt(electrical_square / (count * kHidden2)) / 2.0;
  result.optical_rms_error = 100.0 * std::sqrt(optical_square / (count * kHidden2)) / 2.0;
  return result;
}

}  // namespace xbarsim
