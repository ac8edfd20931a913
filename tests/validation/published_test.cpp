// Validation against published measurements on real hardware (shared/reference/calibration.json
// and the c5/c6i study in the Foundation issue). Tolerances are stated with each test.
#include <cmath>
#include <fstream>
#include <utility>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "models/training/data_parallel.hpp"
#include "models/training/server_collective.hpp"
#include "sim/scenario/study.hpp"
#include "sim/scenario/validation.hpp"

using namespace xpusim;

namespace {
double throughput(const std::string& instance, Precision p, int64_t batch) {
  StudyConfig c;
  c.models = {"resnet50"};
  c.precisions = {p};
  c.batches = {batch};
  c.instances = {instance};
  return run_study(c).at(0).throughput_per_s;
}
}  // namespace

// The source study measured c6i.large at 9.41 and c5.large at 8.78 images/s (ratio 1.07) for
// batch inference of one model; the acceptance band is [1.00, 1.20].
TEST(Published, C6iOverC5ThroughputRatioForBatchInference) {
  for (auto p : {Precision::fp32, Precision::int8}) {
    const double ratio = throughput("c6i.large", p, 32) / throughput("c5.large", p, 32);
    EXPECT_GE(ratio, 1.00) << precision_name(p);
    EXPECT_LE(ratio, 1.20) << precision_name(p);
  }
}

// MLPerf Inference v1.0, 2 x Xeon 8380, ResNet-50 int8 Offline: within +-20%.
TEST(Published, TwoSocketXeon8380ResNet50Int8Offline) {
  std::ifstream in(std::string(XPUSIM_SHARED_DIR) + "/reference/calibration.json");
  if (!in) GTEST_SKIP() << "shared/reference/calibration.json not found beside the checkout";
  const auto doc = nlohmann::json::parse(in);
  double published = 0;
  for (const auto& m : doc["measurements"])
    if (m["id"] == "icx8380-2s-rn50-int8-offline") published = m["value"].get<double>();
  ASSERT_GT(published, 0);
  // Offline scenario: large batches keep every core busy.
  const double simulated = throughput("2s-xeon-8380", Precision::int8, 128);
  EXPECT_NEAR(simulated / published, 1.0, 0.20) << "simulated " << simulated << " vs " << published;
}

// `xpusim validate`'s acceptance: every Gaudi and GPU measurement of calibration.json within
// +-15% (median within 8%), every CPU one within +-20%, with the fitted parameters of the catalog.
TEST(Published, EveryAcceleratorMeasurementWithinFifteenPercent) {
  const std::string file = std::string(XPUSIM_SHARED_DIR) + "/reference/calibration.json";
  std::ifstream in(file);
  if (!in) GTEST_SKIP() << "shared/reference/calibration.json not found beside the checkout";
  const ValidationReport r = run_validation(Catalog::builtin(), nlohmann::json::parse(in), file);
  int accelerators = 0;
  for (const auto& row : r.rows) {
    EXPECT_LE(std::abs(row.error()), row.tolerance) << row.id << ": measured " << row.measured << ", predicted "
                                                  << row.predicted;
    accelerators += row.device_class != "cpu";
  }
  EXPECT_GE(accelerators, 10);  // Gaudi1 1 and 8 cards, V100 and A100 training and inference
  EXPECT_LE(r.accelerator_median_abs_error, 0.08);
  EXPECT_LE(r.cpu_worst_abs_error, 0.20);
}

// Held out (never fitted): TensorFlow's tf_cnn_benchmarks on one P100 of a DGX-1, FP32, batch 64,
// synthetic data, images/s (tensorflow/docs "Benchmarks", May 2017): Inception V3 142, ResNet-50
// 219, ResNet-152 91.8, VGG-16 154. That software (TF 1.1, cuDNN 5.1, parameters on the CPU)
// is slower than what the GPU model is fitted to, so the check is each model's throughput
// relative to ResNet-50's: within 25%. It catches work the zoo or the GPU model gets wrong for
// one network and not another (VGG-16's 3x3 convolutions run as Winograd; without it VGG-16 came
// out at 0.39 of ResNet-50 for the published 0.70).
TEST(Published, P100TrainingThroughputRelativeToResNet50) {
  const Catalog& catalog = Catalog::builtin();
  auto throughput = [&](const std::string& model) {
    TrainingConfig c;
    c.model = model;
    c.instance = "dgx-1-p100";
    c.precision = Precision::fp32;
    c.batch_per_device = 64;
    c.devices_per_node = 1;
    c.software.channels_last = false;  // tf_cnn_benchmarks runs NCHW on GPUs
    return simulate_training(catalog, c).throughput_per_s;
  };
  const double resnet50 = throughput("resnet50");
  for (const auto& [model, published] : {std::pair{"inception-v3", 142.0 / 219}, {"resnet152", 91.8 / 219},
                                         {"vgg16", 154.0 / 219}}) {
    const double predicted = throughput(model) / resnet50;
    EXPECT_NEAR(predicted / published, 1.0, 0.25) << model << ": " << predicted << " of ResNet-50, published "
                                                   << published;
  }
}

// Held out (never fitted): NVIDIA DeepLearningExamples' BERT-large for PyTorch (21.11 container),
// one GPU, sequences/s, DGX A100 80GB against DGX-1 V100 32GB at each one's published batch: pre-
// training at sequence 128 (A100 mixed 580 at batch 256, TF32 317 at 128; V100 mixed 224 at 64,
// FP32 50 at 32) and 512 (210 at 32, 110 at 16; 75 at 8, 19 at 4), SQuAD fine-tuning at 384 (110.5
// at 32, 61.5 at 32; 52 at 16, 12 at 8). The absolute figures mix in what the graph leaves out
// (pre-training at 512 runs ~2x the modelled rate, 2.5x the tokens/s of fine-tuning at 384: its
// loader can bin sequences by length rather than pad them; fine-tuning runs 10-30% below the
// model), so the check is how much faster the A100 is, the same software on both: within 20% (the
// model gives 2-16%). It catches a GPU whose tensor or FP32 rates, memory bandwidth or TF32 are
// wrong for transformers and not for ResNet-50.
TEST(Published, BertLargeTrainingA100OverV100) {
  auto throughput = [](const char* device, Precision p, int64_t batch, int64_t seq_len) {
    StudyConfig c;
    c.models = {"bert-large"};
    c.precisions = {p};
    c.batches = {batch};
    c.instances = {device};
    c.mode = Mode::training;
    c.seq_len = seq_len;
    return run_study(c).at(0).throughput_per_s;
  };
  struct Pair {
    int64_t seq_len;
    Precision a100, v100;
    int64_t a100_batch, v100_batch;
    double a100_published, v100_published;
  };
  for (const Pair& p : {Pair{128, Precision::fp16, Precision::fp16, 256, 64, 580, 224},
                        Pair{128, Precision::tf32, Precision::fp32, 128, 32, 317, 50},
                        Pair{512, Precision::fp16, Precision::fp16, 32, 8, 210, 75},
                        Pair{512, Precision::tf32, Precision::fp32, 16, 4, 110, 19},
                        Pair{384, Precision::fp16, Precision::fp16, 32, 16, 110.5, 52},
                        Pair{384, Precision::tf32, Precision::fp32, 32, 8, 61.5, 12}}) {
    const double predicted = throughput("a100-sxm4-80gb", p.a100, p.a100_batch, p.seq_len) /
                             throughput("v100-sxm2-32gb", p.v100, p.v100_batch, p.seq_len);
    const double published = p.a100_published / p.v100_published;
    EXPECT_NEAR(predicted / published, 1.0, 0.20)
        << "sequence " << p.seq_len << ", " << precision_name(p.a100) << ": A100 " << predicted
        << "x the V100, published " << published << "x";
  }
}

// nccl-tests on two p3dn.24xlarge (8 V100 each, 100 Gbit/s EFA; network-measurements.md
// efa-2node-ring, NVIDIA/nccl-tests issue 22): a 1 GB all-reduce took 268 ms with NCCL's ring
// forced and 134 ms with its tree, NCCL's default on two servers. EFA's efficiency (0.6) is the
// ring's bus bandwidth over the NIC's line rate; the times follow from what each algorithm passes
// through a server's NIC: the ring 30/16 of the buffer, the tree all of it once. Within 10%.
TEST(Published, EfaTwoServerAllReduceRingAgainstTree) {
  const Catalog& catalog = Catalog::builtin();
  const InstanceType& p3dn = catalog.instance("p3dn.24xlarge");
  for (const auto& [algorithm, measured_s] : {std::pair{"ring", 0.268}, std::pair{"tree", 0.134}}) {
    ServerCollective all_reduce(catalog, p3dn, 8, 2);
    all_reduce.only(algorithm);
    EXPECT_NEAR(all_reduce.seconds(1e9), measured_s, 0.10 * measured_s) << algorithm;
  }
  EXPECT_EQ(ServerCollective(catalog, p3dn, 8, 2).time(1e9).algorithm, "tree");
}

// nccl-tests all_reduce_perf on 8 H100 under NVSwitch (one p5.48xlarge's fabric). NCCL's
// maintainer (NVIDIA/nccl-tests issue 212): ~370 GB/s of bus bandwidth with the ring (NCCL_ALGO=
// Ring, or any collective but all-reduce), NVLink SHARP's all-reduce peaking at ~480 GB/s at the
// largest sizes; nccl-tests issue 309 measured 368.76 GB/s with NVLS off and NCCL taking ring LL
// up to 1 MB, NVLS Simple from 2 MB on. The fabric's two efficiencies are fitted to 370 and 480
// (within 1.5% here, at 4 GiB); the switch from ring to NVLS between 1 and 2 MiB, and an
// all-gather at the ring's bandwidth, follow from NCCL's constants.
TEST(Published, H100NvSwitchAllReduceRingAgainstNvls) {
  const Catalog& catalog = Catalog::builtin();
  const InstanceType& p5 = catalog.instance("p5.48xlarge");
  const double big = 4.0 * (1 << 30), factor = bus_bandwidth_factor(ServerCollectiveOp::all_reduce, 8);
  ServerCollective all_reduce(catalog, p5, 8, 1);
  const auto nvls = all_reduce.time(big);
  EXPECT_EQ(nvls.algorithm, "nvls");
  EXPECT_NEAR(big / nvls.seconds * factor, 480e9, 0.015 * 480e9);
  ServerCollective ring(catalog, p5, 8, 1);
  ring.only("ring");
  EXPECT_NEAR(big / ring.seconds(big) * factor, 368.76e9, 0.015 * 368.76e9);
  const double gather = ServerCollective(catalog, p5, 8, 1, ServerCollectiveOp::all_gather).seconds(big);
  EXPECT_NEAR(big / gather * bus_bandwidth_factor(ServerCollectiveOp::all_gather, 8), 368.76e9, 0.015 * 368.76e9);
  EXPECT_EQ(all_reduce.time(1 << 20).algorithm, "ring");
  EXPECT_EQ(all_reduce.time(1 << 20).protocol, "LL");
  EXPECT_EQ(all_reduce.time(2 << 20).algorithm, "nvls");
}

// Held out (nothing fitted to it): Horovod's TCP-against-RDMA benchmark (network-measurements.md
// horovod-tcp-vs-rdma-25g; horovod README, 2017): 4 servers x 4 Pascal GPUs, 25 Gbit/s, batch 64,
// images/s over TCP / over RDMA: Inception V3 1990.7 / 2022.6, ResNet-101 1685.1 / 1746.2,
// VGG-16 1308.7 / 1787.4. The network kinds' efficiencies come from elsewhere (kernel TCP 0.5, an
// estimate; RoCE 0.75, from nccl-tests on RoCE), so what RDMA buys each model is a prediction:
// within 5% of the published TCP / RDMA ratio. And the same servers at 128 (horovod-512): 90%
// scaling for Inception V3 and ResNet-101 (within 3 points); 68% for VGG-16, which the model
// puts lower (within 15 points): its single P100 trains VGG-16 at 172 images/s where Horovod's
// measured 131, so the same all-reduce hides behind less compute.
TEST(Published, HorovodTcpAgainstRdmaAt25Gbits) {
  const Catalog& catalog = Catalog::builtin();
  auto run = [&](const std::string& model, const std::string& instance, int nodes) {
    TrainingConfig c;
    c.model = model;
    c.instance = instance;
    c.precision = Precision::fp32;
    c.batch_per_device = 64;
    c.nodes = nodes;
    c.software.channels_last = false;
    c.buckets = GradientBuckets::horovod();
    return simulate_training(catalog, c);
  };
  struct Published {
    const char* model;
    double tcp, rdma, scaling_512;
  };
  for (const auto& p : {Published{"inception-v3", 1990.7, 2022.6, 0.90}, Published{"resnet101", 1685.1, 1746.2, 0.90},
                        Published{"vgg16", 1308.7, 1787.4, 0.68}}) {
    SCOPED_TRACE(p.model);
    const double tcp = run(p.model, "p100x4-25gbe-tcp", 4).throughput_per_s;
    const double rdma = run(p.model, "p100x4-25gbe-roce", 4).throughput_per_s;
    EXPECT_NEAR((tcp / rdma) / (p.tcp / p.rdma), 1.0, 0.05) << "TCP / RDMA " << tcp / rdma;
    const double scaling = run(p.model, "p100x4-25gbe-roce", 128).scaling_efficiency;
    if (std::string(p.model) == "vgg16") {
      EXPECT_LE(scaling, p.scaling_512);
      EXPECT_GE(scaling, p.scaling_512 - 0.15);
    } else {
      EXPECT_NEAR(scaling, p.scaling_512, 0.03);
    }
  }
}
