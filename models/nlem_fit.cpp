#include "models/nlem_fit.h"

#include <fmt/format.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <unsupported/Eigen/NonLinearOptimization>
#include <unsupported/Eigen/NumericalDiff>

#include "core/seeded_random.h"

namespace xbarsim {
namespace {

constexpr double kResidualFloorFraction = 1e-3;
constexpr double kStartSpreadFactor = 2.0;

enum class Column { time, voltage, current, optical_power, uv_irradiance };

struct ColumnName {
  std::string_view name;
  Column column;
};
constexpr ColumnName kColumnNames[] = {{"time", Column::time},
                                       {"voltage", Column::voltage},
                                       {"current", Column::current},
                                       {"optical_power", Column::optical_power},
                                       {"uv_irradiance", Column::uv_irradiance}};

std::string trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return "";
  return std::string(text.substr(first, text.find_last_not_of(" \t\r") - first + 1));
}

std::vector<std::string> split_fields(const std::string& line) {
  std::vector<std::string> fields;
  std::stringstream stream(line);
  std::string field;
  while (std::getline(stream, field, ',')) fields.push_back(trimmed(field));
  return fields;
}

// "Voltage (V)" -> "voltage".
std::string column_key(const std::string& header) {
  std::string key = trimmed(header.substr(0, header.find_first_of("([")));
  std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return key;
}

const NlemParameters::Field& parameter_field(const std::string& name) {
  for (const NlemParameters::Field& field : NlemParameters::fields())
    if (field.name == name) {
      if (name == "w0" || name == "f0" || name == "hold")
        throw std::invalid_argument(fmt::format("'{}' is a read-mode setting of the model, not a fit parameter", name));
      return field;
    }
  std::string known;
  for (const NlemParameters::Field& field : NlemParameters::fields())
    if (field.name != "w0" && field.name != "f0" && field.name != "hold") known += fmt::format(" {}", field.name);
  throw std::invalid_argument(fmt::format("'{}' is not an N-LEM parameter (parameters:{})", name, known));
}

double residual_floor(const std::vector<double>& measured) {
  double largest = 0;
  for (double value : measured) largest = std::max(largest, std::abs(value));
  return kResidualFloorFraction * largest;
}

double rms_difference(const std::vector<double>& a, const std::vector<double>& b) {
  double sum = 0;
  for (std::size_t i = 0; i < a.size(); ++i) sum += (a[i] - b[i]) * (a[i] - b[i]);
  return std::sqrt(sum / static_cast<double>(a.size()));
}

// The least-squares problem in Eigen's functor form, over the fit coordinates x.
class FitProblem {
 public:
  using Scalar = double;
  using InputType = Eigen::VectorXd;
  using ValueType = Eigen::VectorXd;
  using JacobianType = Eigen::MatrixXd;
  enum { InputsAtCompileTime = Eigen::Dynamic, ValuesAtCompileTime = Eigen::Dynamic };

  FitProblem(const NlemMeasurement& measurement, const NlemParameters& initial, std::vector<const NlemParameters::Field*> fields)
      : measurement_(measurement), initial_(initial), fields_(std::move(fields)),
        current_floor_(residual_floor(measurement.current)), optical_floor_(residual_floor(measurement.optical_power)) {
    for (const NlemParameters::Field* field : fields_) logarithmic_.push_back(initial.*field->member > 0);
  }

  int inputs() const { return static_cast<int>(fields_.size()); }
  int values() const { return static_cast<int>(measurement_.current.size() + measurement_.optical_power.size()); }
  bool logarithmic(std::size_t index) const { return logarithmic_[index]; }

  double value_of(std::size_t index, double coordinate) const { return logarithmic_[index] ? std::exp(coordinate) : coordinate; }
  double coordinate_of(std::size_t index, double value) const { return logarithmic_[index] ? std::log(value) : value; }

  NlemParameters parameters_at(const Eigen::VectorXd& x) const {
    NlemParameters parameters = initial_;
    for (std::size_t k = 0; k < fields_.size(); ++k) parameters.*fields_[k]->member = value_of(k, x[static_cast<Eigen::Index>(k)]);
    return parameters;
  }

  int operator()(const Eigen::VectorXd& x, Eigen::VectorXd& residuals) const {
    const NlemResponse response = simulate_nlem_response(parameters_at(x), measurement_.stimulus);
    Eigen::Index row = 0;
    for (std::size_t i = 0; i < measurement_.current.size(); ++i)
      residuals[row++] = (response.current[i] - measurement_.current[i]) / (std::abs(measurement_.current[i]) + current_floor_);
    for (std::size_t i = 0; i < measurement_.optical_power.size(); ++i)
      residuals[row++] = (response.optical_power[i] - measurement_.optical_power[i]) /
                         (std::abs(measurement_.optical_power[i]) + optical_floor_);
    return 0;
  }

 private:
  const NlemMeasurement& measurement_;
  NlemParameters initial_;
  std::vector<const NlemParameters::Field*> fields_;
  std::vector<bool> logarithmic_;
  double current_floor_, optical_floor_;
};

std::string status_text(Eigen::LevenbergMarquardtSpace::Status status) {
  using namespace Eigen::LevenbergMarquardtSpace;
  switch (status) {
    case RelativeReductionTooSmall: return "converged: relative reduction of the residual below tolerance";
    case RelativeErrorTooSmall: return "converged: relative change of the parameters below tolerance";
    case RelativeErrorAndReductionTooSmall: return "converged: relative changes of residual and parameters below tolerance";
    case CosinusTooSmall: return "converged: residual orthogonal to the Jacobian";
    case TooManyFunctionEvaluation: return "stopped: too many model evaluations";
    case FtolTooSmall: return "stopped: residual tolerance too small to improve further";
    case XtolTooSmall: return "stopped: parameter tolerance too small to improve further";
    case GtolTooSmall: return "stopped: gradient tolerance too small to improve further";
    default: return "stopped: improper input or user request";
  }
}

bool is_converged(Eigen::LevenbergMarquardtSpace::Status status) {
  using namespace Eigen::LevenbergMarquardtSpace;
  return status == RelativeReductionTooSmall || status == RelativeErrorTooSmall || status == RelativeErrorAndReductionTooSmall ||
         status == CosinusTooSmall;
}

struct StartOutcome {
  Eigen::VectorXd x, residuals;
  long iterations, evaluations;
  Eigen::LevenbergMarquardtSpace::Status status;
};

StartOutcome minimise_from(const FitProblem& problem, Eigen::VectorXd x, int max_evaluations) {
  Eigen::NumericalDiff<FitProblem> differentiated(problem);
  Eigen::LevenbergMarquardt<Eigen::NumericalDiff<FitProblem>> solver(differentiated);
  solver.parameters.maxfev = max_evaluations;
  const auto status = solver.minimize(x);
  Eigen::VectorXd residuals(problem.values());
  problem(x, residuals);
  return {x, residuals, static_cast<long>(solver.iter), static_cast<long>(solver.nfev), status};
}

}  // namespace

NlemMeasurement read_nlem_measurement_csv(const std::filesystem::path& path) {
  std::ifstream stream(path);
  if (!stream) throw std::invalid_argument(fmt::format("cannot open '{}'", path.string()));
  std::vector<Column> columns;
  NlemMeasurement measurement;
  std::string line;
  int line_number = 0;
  while (std::getline(stream, line)) {
    ++line_number;
    if (auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    if (trimmed(line).empty()) continue;
    const std::vector<std::string> fields = split_fields(line);
    if (columns.empty()) {
      for (std::size_t c = 0; c < fields.size(); ++c) {
        const std::string key = column_key(fields[c]);
        const auto known = std::find_if(std::begin(kColumnNames), std::end(kColumnNames), [&](const ColumnName& n) { return n.name == key; });
        if (known == std::end(kColumnNames))
          throw std::invalid_argument(fmt::format("{}:{}:{}: error: unknown column '{}' (columns: time, voltage, current, "
                                                  "optical_power, uv_irradiance)", path.string(), line_number, c + 1, fields[c]));
        if (std::find(columns.begin(), columns.end(), known->column) != columns.end())
          throw std::invalid_argument(fmt::format("{}:{}:{}: error: column '{}' appears twice", path.string(), line_number, c + 1, key));
        columns.push_back(known->column);
      }
      for (Column required : {Column::time, Column::voltage, Column::current})
        if (std::find(columns.begin(), columns.end(), required) == columns.end())
          throw std::invalid_argument(fmt::format("{}:{}: error: the header lacks the '{}' column", path.string(), line_number,
                                                  kColumnNames[static_cast<int>(required)].name));
      measurement.has_irradiance = std::find(columns.begin(), columns.end(), Column::uv_irradiance) != columns.end();
      continue;
    }
    if (fields.size() != columns.size())
      throw std::invalid_argument(fmt::format("{}:{}: error: {} fields, but the header names {} columns", path.string(), line_number,
                                              fields.size(), columns.size()));
    measurement.stimulus.irradiance.push_back(0.0);
    for (std::size_t c = 0; c < fields.size(); ++c) {
      double value = 0;
      try {
        std::size_t used = 0;
        value = std::stod(fields[c], &used);
        if (used != fields[c].size() || !std::isfinite(value)) throw std::invalid_argument(fields[c]);
      } catch (const std::exception&) {
        throw std::invalid_argument(fmt::format("{}:{}:{}: error: '{}' is not a finite number", path.string(), line_number, c + 1, fields[c]));
      }
      switch (columns[c]) {
        case Column::time: measurement.stimulus.time.push_back(value); break;
        case Column::voltage: measurement.stimulus.voltage.push_back(value); break;
        case Column::current: measurement.current.push_back(value); break;
        case Column::optical_power: measurement.optical_power.push_back(value); break;
        case Column::uv_irradiance: measurement.stimulus.irradiance.back() = value; break;
      }
    }
    const std::vector<double>& times = measurement.stimulus.time;
    if (times.size() > 1 && !(times.back() > times[times.size() - 2]))
      throw std::invalid_argument(fmt::format("{}:{}: error: time {} does not increase", path.string(), line_number, times.back()));
  }
  if (measurement.current.empty()) throw std::invalid_argument(fmt::format("'{}' holds no samples", path.string()));
  return measurement;
}

void write_nlem_measurement_csv(const std::filesystem::path& path, const NlemMeasurement& measurement) {
  std::ofstream out(path);
  if (!out) throw std::runtime_error(fmt::format("cannot write '{}'", path.string()));
  const bool optical = !measurement.optical_power.empty();
  out << "time (s),voltage (V),current (A)" << (optical ? ",optical_power (W)" : "")
      << (measurement.has_irradiance ? ",uv_irradiance (W/m^2)" : "") << "\n";
  const NlemStimulus& stimulus = measurement.stimulus;
  for (std::size_t i = 0; i < stimulus.time.size(); ++i) {
    out << fmt::format("{},{},{}", stimulus.time[i], stimulus.voltage[i], measurement.current[i]);
    if (optical) out << fmt::format(",{}", measurement.optical_power[i]);
    if (measurement.has_irradiance) out << fmt::format(",{}", stimulus.irradiance[i]);
    out << "\n";
  }
  if (!out) throw std::runtime_error(fmt::format("cannot write '{}'", path.string()));
}

NlemMeasurement synthetic_nlem_measurement(const NlemParameters& parameters, const NlemStimulus& stimulus, bool with_optical_power,
                                           bool with_irradiance, double relative_noise, std::uint64_t seed) {
  const NlemResponse response = simulate_nlem_response(parameters, stimulus);
  SeededRandom random(seed);
  NlemMeasurement measurement;
  measurement.stimulus = stimulus;
  measurement.has_irradiance = with_irradiance;
  for (double value : response.current) measurement.current.push_back(value * (1 + relative_noise * random.normal()));
  if (with_optical_power)
    for (double value : response.optical_power) measurement.optical_power.push_back(value * (1 + relative_noise * random.normal()));
  return measurement;
}

std::vector<std::string> default_nlem_fit_parameters(const NlemMeasurement& measurement) {
  std::vector<std::string> names = {"g0", "aw", "kw", "tauw"};
  if (!measurement.optical_power.empty()) names.insert(names.end(), {"eta", "cw"});
  if (measurement.has_irradiance) names.push_back("kuv");
  return names;
}

NlemFitResult fit_nlem(const NlemMeasurement& measurement, const NlemFitSettings& settings) {
  const std::size_t samples = measurement.current.size();
  if (measurement.stimulus.time.size() != samples || (!measurement.optical_power.empty() && measurement.optical_power.size() != samples))
    throw std::invalid_argument("the measurement's columns differ in length");
  if (settings.initial.hold != 0.0) throw std::invalid_argument("the fit models the free device: hold must be 0");
  if (settings.parameters.empty()) throw std::invalid_argument("no parameters to fit");
  std::vector<const NlemParameters::Field*> fields;
  for (const std::string& name : settings.parameters) {
    const NlemParameters::Field& field = parameter_field(name);
    if (std::find(fields.begin(), fields.end(), &field) != fields.end())
      throw std::invalid_argument(fmt::format("parameter '{}' is listed twice", name));
    fields.push_back(&field);
  }
  const FitProblem problem(measurement, settings.initial, fields);
  if (problem.values() <= problem.inputs())
    throw std::invalid_argument(fmt::format("{} residuals cannot determine {} parameters", problem.values(), problem.inputs()));

  Eigen::VectorXd initial_coordinates(problem.inputs());
  for (std::size_t k = 0; k < fields.size(); ++k)
    initial_coordinates[static_cast<Eigen::Index>(k)] = problem.coordinate_of(k, settings.initial.*fields[k]->member);

  SeededRandom random(settings.seed);
  std::optional<StartOutcome> best;
  NlemFitResult result;
  for (int start = 0; start < settings.starts; ++start) {
    Eigen::VectorXd x = initial_coordinates;
    if (start > 0)
      for (std::size_t k = 0; k < fields.size(); ++k) {
        const double factor = std::exp(random.uniform(-1, 1) * std::log(kStartSpreadFactor));
        x[static_cast<Eigen::Index>(k)] = problem.coordinate_of(k, problem.value_of(k, x[static_cast<Eigen::Index>(k)]) * factor);
      }
    StartOutcome outcome = minimise_from(problem, x, settings.max_evaluations);
    if (!best || outcome.residuals.squaredNorm() < best->residuals.squaredNorm()) {
      best = std::move(outcome);
      result.best_start = start;
    }
  }

  result.parameters = problem.parameters_at(best->x);
  result.response = simulate_nlem_response(result.parameters, measurement.stimulus);
  result.iterations = best->iterations;
  result.evaluations = best->evaluations;
  result.status = status_text(best->status);
  result.converged = is_converged(best->status);
  const int residual_count = problem.values(), parameter_count = problem.inputs();
  const double sum_of_squares = best->residuals.squaredNorm();
  const auto is_zero = [](double value) { return value == 0.0; };
  const auto informative_count = static_cast<double>(
      residual_count - std::count_if(measurement.current.begin(), measurement.current.end(), is_zero) -
      std::count_if(measurement.optical_power.begin(), measurement.optical_power.end(), is_zero));
  result.rms_relative_residual = std::sqrt(sum_of_squares / informative_count);
  const auto current_count = static_cast<Eigen::Index>(samples);
  result.current_residuals.assign(best->residuals.data(), best->residuals.data() + current_count);
  result.optical_power_residuals.assign(best->residuals.data() + current_count, best->residuals.data() + best->residuals.size());
  result.rms_current_error = rms_difference(result.response.current, measurement.current);
  if (!measurement.optical_power.empty()) result.rms_optical_power_error = rms_difference(result.response.optical_power, measurement.optical_power);

  Eigen::NumericalDiff<FitProblem> differentiated(problem);
  Eigen::MatrixXd jacobian(residual_count, parameter_count);
  differentiated.df(best->x, jacobian);
  const double variance = sum_of_squares / (informative_count - parameter_count);
  const Eigen::MatrixXd covariance = variance * (jacobian.transpose() * jacobian).completeOrthogonalDecomposition().pseudoInverse();
  for (std::size_t k = 0; k < fields.size(); ++k) {
    const auto index = static_cast<Eigen::Index>(k);
    NlemFittedParameter fitted;
    fitted.name = std::string(fields[k]->name);
    fitted.initial = settings.initial.*fields[k]->member;
    fitted.fitted = result.parameters.*fields[k]->member;
    fitted.logarithmic = problem.logarithmic(k);
    const double standard_error = std::sqrt(std::max(covariance(index, index), 0.0));
    fitted.relative_standard_error = fitted.logarithmic ? standard_error : standard_error / std::abs(fitted.fitted);
    result.fitted.push_back(fitted);
  }
  return result;
}

}  // namespace xbarsim
