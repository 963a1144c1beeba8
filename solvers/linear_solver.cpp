#include "solvers/linear_solver.h"

#include "solvers/eigen_solver.h"
#include "solvers/klu_solver.h"

namespace xbarsim {

std::unique_ptr<LinearSolver> make_linear_solver(std::string_view name) {
  if (name == "klu") return std::make_unique<KluSolver>();
  if (name == "eigen") return std::make_unique<EigenSolver>();
  throw std::invalid_argument("unknown linear solver '" + std::string(name) + "' (choose klu or eigen)");
}

}  // namespace xbarsim
