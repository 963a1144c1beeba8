// Measuring a simulated array against its ideal product and telling the user: shared by
// `xbarsim run --array` and `xbarsim gen array --run`.
#pragma once

#include <filesystem>

#include "core/differential_array.h"
#include "core/waveforms.h"

namespace xbarsim::cli {

// Computes the metrics, writes them into `directory` and prints a summary unless `quiet`.
void report_array_metrics(const ArrayDesign& design, const Waveforms& results, const std::filesystem::path& directory,
                          int resolution_bits, bool quiet);

}  // namespace xbarsim::cli
