#include "core/measure.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/diagnostics.h"
#include "core/expression.h"
#include "core/spice_number.h"

namespace xbarsim {
namespace {

// Walks a card's tokens after `.meas ANALYSIS NAME`.
class MeasureParser {
 public:
  explicit MeasureParser(const Card& card) : card_(card), tokens_(card.tokens) {}

  MeasureRequest parse() {
    const Token& head = tokens_.front();
    if (tokens_.size() < 4) throw NetlistError(head.where, fmt::format("'{}' needs an analysis, a name and a function", head.text));
    MeasureRequest request;
    request.where = card_.where;
    const Token& analysis = tokens_[1];
    if (analysis.is("tran")) request.analysis = MeasureAnalysis::transient;
    else if (analysis.is("dc")) request.analysis = MeasureAnalysis::dc;
    else if (analysis.is("op")) request.analysis = MeasureAnalysis::operating_point;
    else throw NetlistError(analysis.where, fmt::format("'{}' measures tran, dc or op results, not '{}'", head.text, analysis.original));
    if (tokens_[2].kind != TokenKind::word) throw NetlistError(tokens_[2].where, "expected a measurement name");
    request.name = tokens_[2].text;
    position_ = 3;
    const Token& function = next("a function (FIND, WHEN, TRIG, MAX, MIN, AVG, RMS, PP, INTEG or PARAM)");
    if (function.is("param")) {
      expect_equals();
      const Token& value = next("an expression");
      request.function = MeasureFunction::param;
      if (value.kind != TokenKind::expression && value.kind != TokenKind::word)
        throw NetlistError(value.where, fmt::format("expected an expression, got '{}'", value.original));
      request.expression = value.text;
    } else if (request.analysis == MeasureAnalysis::operating_point) {
      if (!function.is("find")) throw NetlistError(function.where, "'.meas op' supports FIND SIGNAL and PARAM='expression'");
      request.function = MeasureFunction::find_operating_point;
      request.signal = signal();
    } else if (function.is("find")) {
      request.signal = signal();
      const Token& how = next("AT=value or WHEN condition");
      if (how.is("at")) {
        expect_equals();
        request.at = number();
        request.function = MeasureFunction::find_at;
      } else if (how.is("when")) {
        request.function = MeasureFunction::find_when;
        request.when = condition(false);
      } else {
        throw NetlistError(how.where, fmt::format("expected AT= or WHEN after 'FIND {}', got '{}'", request.signal.text, how.original));
      }
    } else if (function.is("when")) {
      request.function = MeasureFunction::when;
      request.when = condition(false);
    } else if (function.is("trig")) {
      request.function = MeasureFunction::trigger_target;
      request.trigger = condition(true);
      const Token& target = next("TARG");
      if (!target.is("targ")) throw NetlistError(target.where, fmt::format("expected TARG, got '{}'", target.original));
      request.target = condition(true);
    } else {
      static const std::map<std::string, MeasureFunction, std::less<>> statistics = {
          {"max", MeasureFunction::max}, {"min", MeasureFunction::min}, {"avg", MeasureFunction::avg},
          {"rms", MeasureFunction::rms}, {"pp", MeasureFunction::pp},   {"integ", MeasureFunction::integ},
          {"integral", MeasureFunction::integ}};
      auto found = statistics.find(function.text);
      if (function.kind != TokenKind::word || found == statistics.end())
        throw NetlistError(function.where, fmt::format("unsupported measurement function '{}' (supported: FIND, WHEN, TRIG/TARG, "
                                                       "MAX, MIN, AVG, RMS, PP, INTEG, PARAM)", function.original));
      request.function = found->second;
      request.signal = signal();
      while (position_ < tokens_.size()) {
        const Token& key = next("FROM= or TO=");
        if (key.is("from")) {
          expect_equals();
          request.from = number();
        } else if (key.is("to")) {
          expect_equals();
          request.to = number();
        } else {
          throw NetlistError(key.where, fmt::format("expected FROM= or TO=, got '{}'", key.original));
        }
      }
    }
    if (position_ < tokens_.size()) throw NetlistError(tokens_[position_].where, fmt::format("unexpected '{}'", tokens_[position_].original));
    return request;
  }

 private:
  const Card& card_;
  const std::vector<Token>& tokens_;
  std::size_t position_ = 0;

  const Token& next(std::string_view expected) {
    if (position_ >= tokens_.size()) throw NetlistError(tokens_.back().where, fmt::format("'.meas' line ends where {} was expected", expected));
    return tokens_[position_++];
  }
  bool peek(std::string_view word) const { return position_ < tokens_.size() && tokens_[position_].is(word); }
  void expect_equals() {
    const Token& token = next("'='");
    if (token.kind != TokenKind::equals) throw NetlistError(token.where, fmt::format("expected '=', got '{}'", token.original));
  }
  double number() {
    const Token& token = next("a number");
    std::optional<double> value = token.kind == TokenKind::word ? parse_spice_number(token.text) : std::nullopt;
    if (!value) throw NetlistError(token.where, fmt::format("expected a number, got '{}'", token.original));
    return *value;
  }
  MeasureSignal signal() {
    const Token& kind = next("a signal v(node) or i(source)");
    if (!(kind.is("v") || kind.is("i")) || position_ >= tokens_.size() || tokens_[position_].kind != TokenKind::open_paren)
      throw NetlistError(kind.where, fmt::format("expected a signal v(node), v(node1,node2) or i(source), got '{}'", kind.original));
    ++position_;
    const Token& first = next("a node or source name");
    MeasureSignal result;
    result.positive = fmt::format("{}({})", kind.text, first.text);
    result.text = result.positive;
    if (kind.is("v") && position_ < tokens_.size() && tokens_[position_].kind == TokenKind::comma) {
      ++position_;
      const Token& second = next("a node name");
      result.negative = fmt::format("v({})", second.text);
      result.text = fmt::format("v({},{})", first.text, second.text);
    }
    const Token& close = next("')'");
    if (close.kind != TokenKind::close_paren) throw NetlistError(close.where, fmt::format("expected ')', got '{}'", close.original));
    return result;
  }
  // WHEN SIGNAL=value|SIGNAL ..., or for TRIG/TARG: SIGNAL VAL=value ... | AT=value.
  MeasureCondition condition(bool trigger_or_target) {
    MeasureCondition result;
    if (trigger_or_target && peek("at")) {
      ++position_;
      expect_equals();
      result.at = number();
      return result;
    }
    result.signal = signal();
    if (trigger_or_target) {
      const Token& val = next("VAL=");
      if (!val.is("val")) throw NetlistError(val.where, fmt::format("expected VAL=, got '{}'", val.original));
      expect_equals();
      result.level = number();
    } else {
      expect_equals();
      if (position_ < tokens_.size() && (tokens_[position_].is("v") || tokens_[position_].is("i")) && position_ + 1 < tokens_.size() &&
          tokens_[position_ + 1].kind == TokenKind::open_paren)
        result.other = signal();
      else
        result.level = number();
    }
    while (position_ < tokens_.size() && (peek("rise") || peek("fall") || peek("cross") || peek("td"))) {
      const Token& key = tokens_[position_++];
      expect_equals();
      if (key.is("td")) {
        result.delay = number();
        continue;
      }
      result.direction = key.is("rise") ? CrossingDirection::rise : key.is("fall") ? CrossingDirection::fall : CrossingDirection::either;
      if (peek("last")) {
        ++position_;
        result.last = true;
      } else {
        const Token& where = tokens_[position_];
        const double count = number();
        if (count < 1 || count != std::floor(count)) throw NetlistError(where.where, "the crossing count must be a positive integer or LAST");
        result.count = static_cast<long>(count);
      }
    }
    return result;
  }
};

// The values of a signal on a plot (difference for v(a,b)).
std::vector<double> signal_values(const MeasureSignal& signal, const Plot& plot) {
  const std::optional<std::size_t> positive = plot.find(signal.positive);
  if (!positive) throw std::runtime_error(fmt::format("no vector {} in the {} results", signal.positive, plot.name));
  std::vector<double> values = plot.values(*positive);
  if (!signal.negative.empty()) {
    const std::optional<std::size_t> negative = plot.find(signal.negative);
    if (!negative) throw std::runtime_error(fmt::format("no vector {} in the {} results", signal.negative, plot.name));
    for (std::size_t k = 0; k < values.size(); ++k) values[k] -= plot.value(*negative, k);
  }
  return values;
}

double interpolate(const std::vector<double>& scale, const std::vector<double>& values, double at) {
  if (scale.empty()) throw std::runtime_error("no data points");
  const bool increasing = scale.back() >= scale.front();
  auto outside = [&](double x) { return increasing ? (x < scale.front() || x > scale.back()) : (x > scale.front() || x < scale.back()); };
  if (outside(at)) throw std::runtime_error(fmt::format("{:g} is outside the results ({:g} to {:g})", at, scale.front(), scale.back()));
  for (std::size_t k = 1; k < scale.size(); ++k) {
    const double a = scale[k - 1], b = scale[k];
    if ((increasing && at <= b) || (!increasing && at >= b)) {
      if (b == a) return values[k];
      return values[k - 1] + (values[k] - values[k - 1]) * (at - a) / (b - a);
    }
  }
  return values.back();
}

// Scale value of the crossing the condition selects.
double crossing(const MeasureCondition& condition, const Plot& plot, const std::vector<double>& scale) {
  if (condition.at) return *condition.at;
  const std::vector<double> values = signal_values(condition.signal, plot);
  std::vector<double> difference = values;
  if (condition.other) {
    const std::vector<double> other = signal_values(*condition.other, plot);
    for (std::size_t k = 0; k < difference.size(); ++k) difference[k] -= other[k];
  } else {
    for (double& value : difference) value -= *condition.level;
  }
  long seen = 0;
  std::optional<double> found;
  for (std::size_t k = 1; k < scale.size(); ++k) {
    if (scale[k] < condition.delay) continue;
    const double before = difference[k - 1], after = difference[k];
    const bool rise = before < 0 && after >= 0;
    const bool fall = before > 0 && after <= 0;
    const bool counts = condition.direction == CrossingDirection::rise   ? rise
                        : condition.direction == CrossingDirection::fall ? fall
                                                                         : rise || fall;
    if (!counts) continue;
    const double at = scale[k - 1] + (scale[k] - scale[k - 1]) * (0 - before) / (after - before);
    if (at < condition.delay) continue;
    ++seen;
    found = at;
    if (!condition.last && seen == condition.count) return at;
  }
  if (condition.last && found) return *found;
  const std::string level = condition.other ? condition.other->text : fmt::format("{:g}", condition.level.value_or(0));
  throw std::runtime_error(fmt::format("{} does not cross {} {} time(s)", condition.signal.text, level, condition.last ? 1 : condition.count));
}

// Samples of the window [from, to] with interpolated end points.
struct Window {
  std::vector<double> scale, values;
};

Window window(const MeasureRequest& request, const std::vector<double>& scale, const std::vector<double>& values) {
  if (scale.empty()) throw std::runtime_error("no data points");
  const double low = std::min(scale.front(), scale.back()), high = std::max(scale.front(), scale.back());
  const double from = request.from.value_or(low), to = request.to.value_or(high);
  if (from > to) throw std::runtime_error(fmt::format("FROM={:g} is after TO={:g}", from, to));
  if (from > high || to < low) throw std::runtime_error(fmt::format("the window {:g} to {:g} is outside the results", from, to));
  Window result;
  const double start = std::max(from, low), stop = std::min(to, high);
  result.scale.push_back(start);
  result.values.push_back(interpolate(scale, values, start));
  for (std::size_t k = 0; k < scale.size(); ++k)
    if (scale[k] > start && scale[k] < stop) {
      result.scale.push_back(scale[k]);
      result.values.push_back(values[k]);
    }
  if (stop > start) {
    result.scale.push_back(stop);
    result.values.push_back(interpolate(scale, values, stop));
  }
  return result;
}

double trapezoid(const Window& window, bool squared) {
  double sum = 0;
  for (std::size_t k = 1; k < window.scale.size(); ++k) {
    const double a = window.values[k - 1], b = window.values[k];
    sum += 0.5 * (window.scale[k] - window.scale[k - 1]) * (squared ? a * a + b * b : a + b);
  }
  return sum;
}

class MeasureSymbols : public ExpressionSymbols {
 public:
  MeasureSymbols(const std::map<std::string, std::optional<double>>& measured, const std::map<std::string, double>& parameters)
      : measured_(measured), parameters_(parameters) {}
  std::optional<double> constant(std::string_view name) const override {
    auto result = measured_.find(std::string(name));
    if (result != measured_.end()) {
      if (!result->second) throw std::runtime_error(fmt::format("measurement '{}' failed", name));
      return result->second;
    }
    auto parameter = parameters_.find(std::string(name));
    if (parameter != parameters_.end()) return parameter->second;
    return std::nullopt;
  }

 private:
  const std::map<std::string, std::optional<double>>& measured_;
  const std::map<std::string, double>& parameters_;
};

std::string_view plot_name(MeasureAnalysis analysis) {
  switch (analysis) {
    case MeasureAnalysis::operating_point: return "Operating Point";
    case MeasureAnalysis::dc: return "DC transfer characteristic";
    case MeasureAnalysis::transient: return "Transient Analysis";
  }
  return "";
}

}  // namespace

MeasureRequest parse_measure_card(const Card& card) { return MeasureParser(card).parse(); }

std::vector<std::string> measured_vectors(const MeasureRequest& request) {
  std::vector<std::string> names;
  auto add = [&](const MeasureSignal& signal) {
    if (!signal.positive.empty()) names.push_back(signal.positive);
    if (!signal.negative.empty()) names.push_back(signal.negative);
  };
  add(request.signal);
  for (const MeasureCondition* condition : {&request.when, &request.trigger, &request.target}) {
    add(condition->signal);
    if (condition->other) add(*condition->other);
  }
  return names;
}

double evaluate_measurement(const MeasureRequest& request, const Plot& plot) {
  if (request.function == MeasureFunction::find_operating_point) return signal_values(request.signal, plot).at(0);
  if (!plot.has_scale) throw std::runtime_error("the plot has no scale");
  const std::vector<double> scale = plot.values(0);
  switch (request.function) {
    case MeasureFunction::find_at: return interpolate(scale, signal_values(request.signal, plot), *request.at);
    case MeasureFunction::find_when: return interpolate(scale, signal_values(request.signal, plot), crossing(request.when, plot, scale));
    case MeasureFunction::when: return crossing(request.when, plot, scale);
    case MeasureFunction::trigger_target: return crossing(request.target, plot, scale) - crossing(request.trigger, plot, scale);
    default: break;
  }
  const std::vector<double> values = signal_values(request.signal, plot);
  if (request.function == MeasureFunction::max || request.function == MeasureFunction::min || request.function == MeasureFunction::pp) {
    // As ngspice: the extremes of the samples inside the window, without interpolated end points.
    std::optional<double> lowest, highest;
    for (std::size_t k = 0; k < scale.size(); ++k) {
      if ((request.from && scale[k] < *request.from) || (request.to && scale[k] > *request.to)) continue;
      lowest = std::min(lowest.value_or(values[k]), values[k]);
      highest = std::max(highest.value_or(values[k]), values[k]);
    }
    if (!lowest) throw std::runtime_error("no result points inside the FROM/TO window");
    return request.function == MeasureFunction::max ? *highest : request.function == MeasureFunction::min ? *lowest : *highest - *lowest;
  }
  const Window samples = window(request, scale, values);
  const double width = samples.scale.back() - samples.scale.front();
  switch (request.function) {
    case MeasureFunction::integ: return trapezoid(samples, false);
    case MeasureFunction::avg:
      if (width <= 0) return samples.values.front();
      return trapezoid(samples, false) / width;
    case MeasureFunction::rms:
      if (width <= 0) return std::abs(samples.values.front());
      return std::sqrt(trapezoid(samples, true) / width);
    default: break;
  }
  throw std::logic_error("unhandled measurement function");
}

std::vector<MeasureResult> evaluate_measurements(const std::vector<MeasureRequest>& requests, const Waveforms& waveforms,
                                                 const std::map<std::string, double>& parameters) {
  std::vector<MeasureResult> results;
  std::map<std::string, std::optional<double>> measured;
  for (const MeasureRequest& request : requests) {
    MeasureResult result{request.name, std::nullopt, {}};
    try {
      if (request.function == MeasureFunction::param) {
        MeasureSymbols symbols(measured, parameters);
        try {
          result.value = evaluate_constant_expression(request.expression, symbols);
        } catch (const ExpressionError& error) {
          throw std::runtime_error(fmt::format("in '{}': {}", request.expression, error.what()));
        }
      } else {
        const auto plot = std::find_if(waveforms.plots.begin(), waveforms.plots.end(),
                                       [&](const Plot& candidate) { return candidate.name == plot_name(request.analysis); });
        if (plot == waveforms.plots.end())
          throw std::runtime_error(fmt::format("the netlist runs no analysis with '{}' results", plot_name(request.analysis)));
        result.value = evaluate_measurement(request, *plot);
      }
      if (result.value && !std::isfinite(*result.value)) throw std::runtime_error("the result is not finite");
    } catch (const std::runtime_error& error) {
      result.value.reset();
      result.failure = error.what();
    }
    measured[request.name] = result.value;
    results.push_back(std::move(result));
  }
  return results;
}

}  // namespace xbarsim
