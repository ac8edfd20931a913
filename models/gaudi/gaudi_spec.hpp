#pragma once
// A Habana Gaudi (HL-205, Gaudi2) as its graph compiler drives it: GEMMs and convolutions on the
// Matrix Multiplication Engine (MME), a systolic array fed from on-die SRAM into which DMA engines
// stream tiles from HBM, double-buffered; everything else on the Tensor Processor Cores (TPCs),
// VLIW SIMD cores that stream their operands through HBM. Figures and sources are in
// models/catalog/accelerators.json.
#include <cstdint>
#include <map>

#include "models/device_catalog.hpp"

namespace xpusim {

// Fitted parameters, shared by every Gaudi part.
struct GaudiFitted {
  double mme_efficiency = 0.8;     // MME busy fraction on large, aligned GEMMs
  double memory_efficiency = 0.85; // achieved fraction of HBM bandwidth by streaming engines (all HBM devices)
};

// The MME for one operand type: `cores` arrays of rows x cols MACs per cycle each. A GEMM's M x N
// output is cut into rows x cols tiles, dealt to the cores in waves; a tile consumes K one step
// per cycle, padded to a multiple of `k_granule`.
struct MmeShape {
  int cores = 1, rows = 0, cols = 0, k_granule = 1;
  double macs_per_cycle() const { return double(cores) * rows * cols; }
};

struct GaudiSpec : DeviceSpec {
  double mme_clock_ghz = 0, tpc_clock_ghz = 0;
  std::map<DType, MmeShape> mme;  // operand types the MME runs
  int tpc_count = 0;
  double tpc_lanes_f32 = 0, tpc_lanes_bf16 = 0, tpc_lanes_s8 = 0;  // SIMD lanes per TPC per cycle
  int64_t sram_bytes = 0;
  double sram_bytes_per_s = 0;
  int64_t memory_bytes = 0;
  double hbm_bytes_per_s = 0;
  int dma_engines = 0;
  int nic_ports = 0;
  double nic_port_gbps = 0;
  double node_overhead_us = 5;  // per compiled node: engine queue and synchronization
  GaudiFitted fitted;

  std::unique_ptr<Device> make_device() const override;
  const MmeShape* mme_shape(DType t) const;  // nullptr: the MME does not run this type
  double tpc_lanes(DType t) const;
};

// Reads the "gaudi" and "hbm" blocks of the catalog's fitted parameters.
GaudiFitted read_gaudi_fitted(const JsonView& fitted);

}  // namespace xpusim
