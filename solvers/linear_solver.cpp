#include "solvers/linear_solver.h"

#include "solvers/conjugate_gradient_solver.h"
#include "solvers/eigen_solver.h"
#include "solvers/klu_solver.h"

namespace xbarsim {
namespace {

// "auto" tries conjugate gradients from this many unknowns on (see benchmarks/README.md).
constexpr int kAutoMinimumUnknowns = 1000;

}  // namespace

std::unique_ptr<LinearSolver> make_linear_solver(std::string_view name) {
  if (name == "auto") return std::make_unique<ConjugateGradientSolver>(kAutoMinimumUnknowns);
  if (name == "cg") return std::make_unique<ConjugateGradientSolver>(0);
  if (name == "klu") return std::make_unique<KluSolver>();
  if (name == "eigen") return std::make_unique<EigenSolver>();
  throw std::invalid_argument("unknown linear solver '" + std::string(name) + "' (choose auto, klu, eigen or cg)");
}

}  // namespace xbarsim
