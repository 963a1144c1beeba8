// EigenSolver: Eigen's SparseLU (COLAMD ordering), selectable with `--solver eigen` and used in
// tests as a second opinion on KLU.
#pragma once

#include <Eigen/SparseCore>
#include <Eigen/SparseLU>

#include "solvers/linear_solver.h"

namespace xbarsim {

class EigenSolver : public LinearSolver {
 public:
  std::string_view name() const override { return "eigen"; }
  void analyze(const MatrixStructure& structure) override;
  void factor(const double* values) override;
  void solve(double* rhs_then_solution) override;

 private:
  Eigen::SparseMatrix<double, Eigen::ColMajor, int> matrix_;
  Eigen::SparseLU<Eigen::SparseMatrix<double, Eigen::ColMajor, int>, Eigen::COLAMDOrdering<int>> lu_;
};

}  // namespace xbarsim
