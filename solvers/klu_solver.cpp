#include "solvers/klu_solver.h"

#include <fmt/format.h>

#include <cmath>

namespace xbarsim {
namespace {

// Below this reciprocal condition estimate a refactor's pivots are no longer trusted.
constexpr double kRefactorMinimumRcond = 1e-14;

}  // namespace

KluSolver::KluSolver() { klu_defaults(&common_); }

KluSolver::~KluSolver() { release(); }

void KluSolver::release() {
  if (numeric_) klu_free_numeric(&numeric_, &common_);
  if (symbolic_) klu_free_symbolic(&symbolic_, &common_);
}

void KluSolver::analyze(const MatrixStructure& structure) {
  release();
  size_ = structure.size();
  column_starts_ = structure.column_starts();
  row_indices_ = structure.row_indices();
  if (size_ == 0) return;
  symbolic_ = klu_analyze(size_, column_starts_.data(), row_indices_.data(), &common_);
  if (!symbolic_) throw std::runtime_error(fmt::format("KLU analysis failed (status {})", common_.status));
  ++statistics_.analyses;
}

void KluSolver::forget_values() {
  if (numeric_) klu_free_numeric(&numeric_, &common_);
}

void KluSolver::full_factor(const double* values) {
  if (numeric_) klu_free_numeric(&numeric_, &common_);
  numeric_ = klu_factor(column_starts_.data(), row_indices_.data(), const_cast<double*>(values), symbolic_, &common_);
  ++statistics_.full_factorizations;
  if (!numeric_ || common_.status == KLU_SINGULAR) {
    int column = common_.singular_col < size_ ? static_cast<int>(common_.singular_col) : -1;
    if (numeric_) klu_free_numeric(&numeric_, &common_);
    throw SingularMatrixError(column, "singular matrix");
  }
}

void KluSolver::factor(const double* values) {
  if (size_ == 0) return;
  if (!numeric_) {
    full_factor(values);
    return;
  }
  int ok = klu_refactor(column_starts_.data(), row_indices_.data(), const_cast<double*>(values), symbolic_, numeric_, &common_);
  ++statistics_.refactorizations;
  if (ok && common_.status == KLU_OK) {
    klu_rcond(symbolic_, numeric_, &common_);
    if (std::isfinite(common_.rcond) && common_.rcond > kRefactorMinimumRcond) return;
  }
  full_factor(values);
}

void KluSolver::solve(double* rhs_then_solution) {
  if (size_ == 0) return;
  klu_solve(symbolic_, numeric_, size_, 1, rhs_then_solution, &common_);
  ++statistics_.solves;
}

}  // namespace xbarsim
