// MnaSystem: a Circuit's modified nodal equations, assembled into pre-bound matrix slots.
//
// Construction does the structural work once: every device group declares its entries, the
// MatrixStructure is finalised, every group binds to its slots, the linear solver analyses the
// pattern. load() then zeroes the values and lets each group add its stamps at an iterate;
// factor_and_solve() hands the values to the solver. Unknown k is row/column k; ground is the
// trash row/slot one past the end (see MatrixStructure).
#pragma once

#include <memory>
#include <vector>

#include "core/circuit.h"
#include "solvers/linear_solver.h"
#include "solvers/matrix_structure.h"

namespace xbarsim {

class MnaSystem {
 public:
  MnaSystem(Circuit& circuit, std::unique_ptr<LinearSolver> solver);
  // For the next point of a sweep: when the new circuit's matrix structure equals `previous`'s,
  // takes over previous's solver with its symbolic analysis (previous is left without one) and
  // only its values are forgotten; otherwise analyses with `solver` as the plain constructor does.
  MnaSystem(Circuit& circuit, std::unique_ptr<LinearSolver> solver, MnaSystem& previous);
  // True when construction reused an earlier system's symbolic analysis.
  bool reused_analysis() const { return reused_analysis_; }

  int size() const { return structure_.size(); }
  Circuit& circuit() { return circuit_; }
  const MatrixStructure& structure() const { return structure_; }
  LinearSolver& solver() { return *solver_; }
  bool is_linear() const { return linear_; }
  bool is_node_row(int row) const { return is_node_row_[static_cast<std::size_t>(row)]; }  // a node voltage, not a branch current

  // Newton's scratch vectors, kept between solves: a transient solves once per time step.
  struct NewtonWorkspace {
    std::vector<double> next, residual, scale, excess;
  };
  NewtonWorkspace& newton_workspace() { return newton_workspace_; }
  int charge_count() const { return charge_count_; }  // transient charge/flux states of all devices

  // Zeroes matrix and rhs, then loads every device group at context.solution.
  void load(LoadContext& context);
  // Like load(), but when the matrix loaded last still holds — a linear circuit (see
  // DeviceGroup::is_nonlinear) loaded in the same mode with the same integration_a0, and nothing
  // changed it since (add_node_shunt, matrix_values()) — only the rhs and the charges are
  // loaded (context.rhs_only), and factor_and_solve() keeps the solver's factorisation. A
  // linear transient at a fixed step loads this way at every step after the first.
  void load_reusing_matrix(LoadContext& context);
  // Evaluates only the charges at context.solution (context.charges_only): calls the groups that
  // have charges, with scratch matrix and rhs, leaving the loaded matrix and rhs untouched.
  void load_charges(LoadContext& context);
  // Adds `conductance` to the diagonal of every node-voltage row (gmin stepping).
  void add_node_shunt(double conductance);
  // Row-wise residual A*x - b of the values just loaded, and the magnitude scale of each row
  // (largest |A_ij x_j| or |b_i|), for relative residual tests.
  void residual(const double* x, std::vector<double>& residual, std::vector<double>& scale) const;
  // Factors the loaded matrix and solves for the new iterate (written into `solution`, size()+1
  // entries, the last being ground = 0). Throws SingularMatrixError.
  void factor_and_solve(std::vector<double>& solution);

  // Write access counts as a change of the matrix (it is loaded and factored afresh next time).
  std::vector<double>& matrix_values() {
    matrix_reusable_ = factored_ = false;
    return matrix_;
  }
  std::vector<double>& rhs() { return rhs_; }

 private:
  Circuit& circuit_;
  MatrixStructure structure_;
  std::unique_ptr<LinearSolver> solver_;
  std::vector<double> matrix_;  // nonzeros + trash slot
  std::vector<double> rhs_;     // size + trash row
  // load_charges's write-only targets, left uninitialised: a group that honours charges_only
  // never touches them, so their pages are never even mapped in.
  std::unique_ptr<double[]> scratch_matrix_, scratch_rhs_;
  std::vector<bool> is_node_row_;
  NewtonWorkspace newton_workspace_;
  bool linear_ = true;
  int charge_count_ = 0;
  bool reused_analysis_ = false;
  // load_reusing_matrix's bookkeeping: the last full load of a linear circuit, and whether the
  // solver has factored the values in matrix_.
  bool matrix_reusable_ = false;
  AnalysisMode loaded_mode_ = AnalysisMode::operating_point;
  double loaded_a0_ = 0.0;
  bool factored_ = false;
  void ensure_scratch();

  void build_structure();  // the pattern
  void bind_devices();     // the devices' slots, the value arrays
};

}  // namespace xbarsim
