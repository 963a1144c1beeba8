#include "models/independent_sources.h"

#include <fmt/format.h>

#include "models/builtin_models.h"
#include "models/primitive_devices.h"
#include "solvers/matrix_structure.h"

namespace xbarsim {

SourceSpecification parse_source_specification(ElementCard& card, std::size_t first) {
  SourceSpecification specification;
  bool has_waveform = false;
  const auto& tokens = card.tokens();
  auto is_value = [](const Token& token) { return token.kind == TokenKind::word || token.kind == TokenKind::expression; };
  auto is_keyword = [](const Token& token) {
    return token.is("dc") || token.is("ac") || token.is("pulse") || token.is("sin") || token.is("exp") || token.is("pwl");
  };
  std::size_t i = first;
  while (i < tokens.size()) {
    const Token& token = tokens[i];
    if (token.is("dc")) {
      if (i + 1 >= tokens.size() || !is_value(tokens[i + 1])) card.fail(token, "'dc' needs a value");
      specification.dc_value = card.value(tokens[i + 1]);
      specification.has_dc_value = true;
      i += 2;
    } else if (token.is("ac")) {
      // Small-signal magnitude and phase: no AC analysis yet, parsed and checked only.
      ++i;
      for (int field = 0; field < 2 && i < tokens.size() && is_value(tokens[i]) && !is_keyword(tokens[i]); ++field, ++i)
        card.value(tokens[i]);
    } else if (token.is("pulse") || token.is("sin") || token.is("exp") || token.is("pwl")) {
      if (has_waveform) card.fail(token, "a source takes one transient waveform");
      has_waveform = true;
      SourceWaveform::Shape shape = token.is("pulse") ? SourceWaveform::Shape::pulse
                                    : token.is("sin") ? SourceWaveform::Shape::sine
                                    : token.is("exp") ? SourceWaveform::Shape::exponential
                                                      : SourceWaveform::Shape::piecewise_linear;
      ++i;
      bool parenthesised = i < tokens.size() && tokens[i].kind == TokenKind::open_paren;
      if (parenthesised) ++i;
      std::vector<double> values;
      double repeat = -1.0;
      while (i < tokens.size()) {
        const Token& field = tokens[i];
        if (field.kind == TokenKind::comma) {
          ++i;
          continue;
        }
        if (field.kind == TokenKind::close_paren) {
          if (!parenthesised) card.fail(field, "')' without '('");
          parenthesised = false;
          ++i;
          break;
        }
        if (shape == SourceWaveform::Shape::piecewise_linear && field.kind == TokenKind::word && i + 2 < tokens.size() &&
            tokens[i + 1].kind == TokenKind::equals) {
          if (field.is("r")) repeat = card.value(tokens[i + 2]);
          else card.fail(field, fmt::format("unknown PWL option '{}'", field.text));
          i += 3;
          continue;
        }
        if (!parenthesised && is_keyword(field)) break;
        values.push_back(card.value(field));
        ++i;
      }
      if (parenthesised) card.fail_at_end(fmt::format("missing ')' after {} values", token.text));
      std::string_view problem = SourceWaveform::check(shape, values);
      if (!problem.empty()) card.fail(token, std::string(problem));
      specification.waveform = SourceWaveform(shape, std::move(values));
      if (repeat >= 0) specification.waveform.set_repeat(repeat);
    } else if (is_value(token)) {
      if (specification.has_dc_value) card.fail(token, fmt::format("unexpected '{}': the source already has a value", token.original));
      specification.dc_value = card.value(token);
      specification.has_dc_value = true;
      ++i;
    } else {
      card.fail(token, fmt::format("unexpected '{}' in source specification", token.original));
    }
  }
  if (!has_waveform) specification.waveform = SourceWaveform::constant(specification.dc_value);
  else if (!specification.has_dc_value) specification.dc_value = specification.waveform.value(0.0);
  return specification;
}

namespace {

template <class Group>
Group& add_source(ElementCard& card) {
  SourceSpecification specification = parse_source_specification(card, 3);
  auto& group = card.circuit().template group<Group>();
  group.positive.push_back(card.node(1));
  group.negative.push_back(card.node(2));
  group.dc.push_back(specification.dc_value);
  group.waveforms.push_back(std::move(specification.waveform));
  group.devices.push_back(card.device_id());
  card.circuit().register_source(card.name(), {&group, group.size() - 1});
  return group;
}

}  // namespace

void VoltageSourceGroup::declare(MatrixStructure& structure) const {
  for (std::size_t i = 0; i < size(); ++i) {
    structure.add(positive[i], branch[i]);
    structure.add(negative[i], branch[i]);
    structure.add(branch[i], positive[i]);
    structure.add(branch[i], negative[i]);
  }
}

void VoltageSourceGroup::bind(const MatrixStructure& structure) {
  slots_.resize(size());
  for (std::size_t i = 0; i < size(); ++i)
    slots_[i] = {structure.slot(positive[i], branch[i]), structure.slot(negative[i], branch[i]),
                 structure.slot(branch[i], positive[i]), structure.slot(branch[i], negative[i]), structure.rhs_index(branch[i])};
}

void VoltageSourceGroup::load(LoadContext& context) {
  double* matrix = context.matrix;
  if (context.rhs_only) {
    for (std::size_t i = 0; i < slots_.size(); ++i) context.rhs[slots_[i].rhs_branch] += present_value(i, context);
    return;
  }
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    const Slots& s = slots_[i];
    matrix[s.positive_branch] += 1.0;
    matrix[s.negative_branch] -= 1.0;
    matrix[s.branch_positive] += 1.0;
    matrix[s.branch_negative] -= 1.0;
    context.rhs[s.rhs_branch] += present_value(i, context);
  }
}

void VoltageSourceGroup::dc_connections(DcConnectionSink& connections) const {
  for (std::size_t i = 0; i < size(); ++i) connections.add({positive[i], negative[i], true, devices[i]});
}

void CurrentSourceGroup::bind(const MatrixStructure& structure) {
  rhs_positive_.resize(size());
  rhs_negative_.resize(size());
  for (std::size_t i = 0; i < size(); ++i) {
    rhs_positive_[i] = structure.rhs_index(positive[i]);
    rhs_negative_[i] = structure.rhs_index(negative[i]);
  }
}

void CurrentSourceGroup::load(LoadContext& context) {
  for (std::size_t i = 0; i < rhs_positive_.size(); ++i) {
    double current = present_value(i, context);
    context.rhs[rhs_positive_[i]] -= current;
    context.rhs[rhs_negative_[i]] += current;
  }
}

void build_voltage_source(ElementCard& card) {
  auto& group = add_source<VoltageSourceGroup>(card);
  group.branch.push_back(card.circuit().add_branch(card.name()));
}

void build_current_source(ElementCard& card) { add_source<CurrentSourceGroup>(card); }

void add_voltage_source(Circuit& circuit, const std::string& name, int positive, int negative, double dc_value) {
  const int device = circuit.add_device(name);
  auto& group = circuit.group<VoltageSourceGroup>();
  group.positive.push_back(positive);
  group.negative.push_back(negative);
  group.dc.push_back(dc_value);
  group.waveforms.push_back(SourceWaveform::constant(dc_value));
  group.devices.push_back(device);
  circuit.register_source(name, {&group, group.size() - 1});
  group.branch.push_back(circuit.add_branch(name));
}

}  // namespace xbarsim
