// KluSolver: SuiteSparse KLU, the default sparse LU for circuit matrices.
//
// klu_analyze once per structure (BTF + AMD ordering), klu_factor the first time, klu_refactor
// (same pivots) afterwards; a refactor whose reciprocal pivot growth/condition estimate is poor
// is redone as a full factor with fresh pivoting.
#pragma once

#include <klu.h>

#include "solvers/linear_solver.h"

namespace xbarsim {

class KluSolver : public LinearSolver {
 public:
  KluSolver();
  ~KluSolver() override;
  KluSolver(const KluSolver&) = delete;
  KluSolver& operator=(const KluSolver&) = delete;

  std::string_view name() const override { return "klu"; }
  void analyze(const MatrixStructure& structure) override;
  void factor(const double* values) override;
  void solve(double* rhs_then_solution) override;
  void forget_values() override;  // frees the numeric factorisation: the next factor() pivots afresh
  void release_memory() override { forget_values(); }

 private:
  void release();
  void full_factor(const double* values);

  klu_common common_;
  klu_symbolic* symbolic_ = nullptr;
  klu_numeric* numeric_ = nullptr;
  int size_ = 0;
  // KLU takes non-const pointers to the pattern; keep our own copy.
  std::vector<int> column_starts_, row_indices_;
};

}  // namespace xbarsim
