#include "solvers/eigen_solver.h"

#include <stdexcept>


namespace xbarsim {

void EigenSolver::analyze(const MatrixStructure& structure) {
  const int size = structure.size();
  matrix_.resize(size, size);
  std::vector<Eigen::Triplet<double, int>> entries;
  entries.reserve(static_cast<std::size_t>(structure.nonzeros()));
  for (int column = 0; column < size; ++column)
    for (int k = structure.column_starts()[column]; k < structure.column_starts()[column + 1]; ++k)
      entries.emplace_back(structure.row_indices()[k], column, 1.0);
  matrix_.setFromTriplets(entries.begin(), entries.end());
  matrix_.makeCompressed();
  lu_.analyzePattern(matrix_);
  ++statistics_.analyses;
}

void EigenSolver::factor(const double* values) {
  std::copy(values, values + matrix_.nonZeros(), matrix_.valuePtr());
  lu_.factorize(matrix_);
  ++statistics_.full_factorizations;
  if (lu_.info() != Eigen::Success) throw SingularMatrixError(-1, "singular matrix (" + lu_.lastErrorMessage() + ")");
}

void EigenSolver::solve(double* rhs_then_solution) {
  Eigen::Map<Eigen::VectorXd> rhs(rhs_then_solution, matrix_.rows());
  Eigen::VectorXd solution = lu_.solve(rhs);
  rhs = solution;
  ++statistics_.solves;
}

}  // namespace xbarsim
