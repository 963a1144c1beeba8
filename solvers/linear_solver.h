// LinearSolver: solves A x = b for the MNA matrix, reusing work across calls.
//
// analyze() runs once per MatrixStructure (ordering, symbolic factorisation); factor() runs when
// values change (KLU refactors with the previous pivot order and falls back to a full factor
// when a pivot becomes too small); solve() may be called many times per factorisation.
// A singular matrix throws SingularMatrixError with the unknown that could not be pivoted, so
// the caller can name the node. The structure passed to analyze() and the values passed to
// factor() must stay alive and unchanged until the next analyze()/factor() or rebind_structure()
// (MnaSystem owns both): an iterative solver reads them again at every factorisation, and when it
// has to fall back to a direct one.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "solvers/matrix_structure.h"

namespace xbarsim {

class SingularMatrixError : public std::runtime_error {
 public:
  SingularMatrixError(int unknown, const std::string& message) : std::runtime_error(message), unknown_(unknown) {}
  int unknown() const { return unknown_; }  // -1 when the solver cannot tell which

 private:
  int unknown_;
};

struct LinearSolverStatistics {
  long analyses = 0;
  long full_factorizations = 0;
  long refactorizations = 0;
  long solves = 0;
  // Iterative solvers (ConjugateGradientSolver): factorisations of the preconditioner, solves done
  // by conjugate gradients and their iterations in total.
  long preconditioner_factorizations = 0;
  long conjugate_gradient_solves = 0;
  long conjugate_gradient_iterations = 0;
  // Wall time in factor() (for conjugate gradients: the set-up of chains and preconditioner) and
  // in solve(), summed over calls; measured by MnaSystem around the solver.
  double factor_seconds = 0.0;
  double solve_seconds = 0.0;
};

class LinearSolver {
 public:
  virtual ~LinearSolver() = default;
  virtual std::string_view name() const = 0;  // as given to make_linear_solver
  // What actually ran, for --stats: the name, or for "auto"/"cg" the method chosen and why.
  virtual std::string describe() const { return std::string(name()); }
  virtual void analyze(const MatrixStructure& structure) = 0;
  virtual void factor(const double* values) = 0;         // CSC values in the structure's order
  virtual void solve(double* rhs_then_solution) = 0;    // in place, size() entries
  // Forgets everything learnt from earlier values (pivot order, previous solution) but keeps the
  // symbolic analysis, so the next factor() gives the same result as on a freshly analysed solver.
  // Sweep points share a solver this way and stay independent of which point ran before. The
  // default suits solvers whose factor() never depends on earlier calls.
  virtual void forget_values() {}
  // The structure analyze() saw now lives in another object with the same pattern (a sweep's
  // next point reuses the analysis): from here on the solver reads this one instead.
  virtual void rebind_structure(const MatrixStructure& structure) { (void)structure; }
  // Frees the factorisation (and an iterative solver's set-up) until the next factor(), which
  // must come before the next solve(). A one-shot run calls it before building its output, so
  // the factor and the results are not in memory at the same time.
  virtual void release_memory() {}
  // A guess of the next solve()'s solution (unknown numbering, size() entries, read during that
  // solve, so it must stay alive until then), such as a transient's predicted solution.
  // Iterative solvers start from it instead of their previous solution; direct ones ignore it.
  virtual void set_initial_guess(const double* guess) { (void)guess; }
  // Iterative solvers stop when their error estimate is within this fraction of the largest
  // solution since forget_values() (ConjugateGradientSolver: the preconditioned residual norm
  // against the largest preconditioned norm of a right-hand side). Measured against the largest
  // rather than the present solution, the test stays attainable when the solution decays to
  // almost nothing (a transient after its inputs switch off). Direct solvers ignore it.
  static constexpr double kDefaultRelativeTolerance = 1e-12;
  void set_relative_tolerance(double relative) { relative_tolerance_ = relative; }
  double relative_tolerance() const { return relative_tolerance_; }
  const LinearSolverStatistics& statistics() const { return statistics_; }
  void add_time(double factor_seconds, double solve_seconds) {
    statistics_.factor_seconds += factor_seconds;
    statistics_.solve_seconds += solve_seconds;
  }

 protected:
  LinearSolverStatistics statistics_;
  double relative_tolerance_ = kDefaultRelativeTolerance;
};

// "auto" (default: "cg" for large systems that qualify, KLU otherwise), "klu", "eigen" (Eigen's
// SparseLU, a second opinion) or "cg" (ConjugateGradientSolver whatever the size, falling back to
// KLU when the matrix does not qualify). Throws std::invalid_argument.
std::unique_ptr<LinearSolver> make_linear_solver(std::string_view name);

}  // namespace xbarsim
