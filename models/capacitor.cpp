// Capacitor `Cname n+ n- value [ic=v]`: charge q = C * V(n+, n-); open at DC.
#include <fmt/format.h>

#include "core/circuit.h"
#include "models/builtin_models.h"
#include "solvers/matrix_structure.h"

namespace xbarsim {
namespace {

class CapacitorGroup : public DeviceGroup {
 public:
  std::vector<int> a, b;
  std::vector<double> capacitance;
  std::vector<double> initial_voltage;  // NaN when no ic= was given
  std::vector<std::string> names;

  std::string_view kind() const override { return "capacitor"; }
  std::size_t size() const override { return a.size(); }

  void declare(MatrixStructure& structure) const override {
    for (std::size_t i = 0; i < size(); ++i) {
      structure.add(a[i], b[i]);
      structure.add(b[i], a[i]);
    }
  }
  void bind(const MatrixStructure& structure) override { (void)structure; }
  void load(LoadContext& context) override { (void)context; }  // no DC current
};

}  // namespace

void build_capacitor(ElementCard& card) {
  const Token* value_token = &card.token(3);
  std::size_t extra = 4;
  if (value_token->is("c") && card.token_count() > 5 && card.token(4).kind == TokenKind::equals) {
    value_token = &card.token(5);
    extra = 6;
  }
  double initial = std::numeric_limits<double>::quiet_NaN();
  for (const KeywordValue& pair : card.keyword_values(extra)) {
    if (pair.keyword->is("ic")) initial = card.value(*pair.value);
    else card.fail(*pair.keyword, fmt::format("unknown capacitor parameter '{}'; usage: Cname n+ n- value [ic=v]", pair.keyword->text));
  }
  auto& group = card.circuit().group<CapacitorGroup>();
  group.a.push_back(card.node(1));
  group.b.push_back(card.node(2));
  group.capacitance.push_back(card.value(*value_token));
  group.initial_voltage.push_back(initial);
  group.names.push_back(card.name());
}

}  // namespace xbarsim
