#pragma once
// Readers for the public cluster traces in ../shared/data/traces (see PROVENANCE.md there).
// Each checks its header, every field's type and range, and reports a bad row with file:line.
#include <string>

#include "workloads/traces/trace_types.hpp"

namespace xpusim {

// Alibaba GPU trace v2023 ("openb"): sn,cpu_milli,memory_mib,gpu,model.
NodeList read_openb_nodes(const std::string& path, BadRows bad_rows = BadRows::reject);
// name,cpu_milli,memory_mib,num_gpu,gpu_milli[,gpu_spec,qos,pod_phase,creation_time,deletion_time,
// scheduled_time]. Duration = deletion_time - creation_time when the times are present.
PodList read_openb_pods(const std::string& path, BadRows bad_rows = BadRows::reject);

// Alibaba PAI v2020 machine spec (no header): machine,gpu_type,cap_cpu,cap_mem,cap_gpu.
// cap_cpu in cores, cap_mem in GB. CPU-only machines (cap_gpu = 0) are kept.
NodeList read_pai_machine_spec(const std::string& path, BadRows bad_rows = BadRows::reject);
// PAI v2020 task table (no header): job_name,task_name,inst_num,status,start_time,end_time,
// plan_cpu,plan_mem,plan_gpu,gpu_type. One pod per instance; plan_cpu and plan_gpu are percent of
// one core / one GPU (plan_gpu 50 = half a GPU, 800 = eight GPUs).
PodList read_pai_tasks(const std::string& path, BadRows bad_rows = BadRows::reject);

// Philly-derived job table (AdaptDL artifact): timestamp,duration,num_gpus,gpu_time,cluster.
// `cluster` empty keeps every virtual cluster. Submit times are relative to the first job kept.
PodList read_philly_jobs(const std::string& path, const std::string& cluster = "",
                         BadRows bad_rows = BadRows::reject);

// Tiresias: job_id,num_gpu,submit_time,iterations,model_name,duration,interval.
PodList read_tiresias_jobs(const std::string& path, BadRows bad_rows = BadRows::reject);
// Tiresias cluster spec: num_switch,num_node_p_switch,num_gpu_p_node,num_cpu_p_node,mem_p_node.
NodeList read_tiresias_cluster(const std::string& path);

// Picks the reader from the file's header (or name, for the headerless PAI files).
// `format` may force one: openb, pai, tiresias (nodes); openb, pai-task, philly, tiresias (pods).
NodeList read_node_list(const std::string& path, const std::string& format = "auto",
                        BadRows bad_rows = BadRows::reject);
PodList read_pod_list(const std::string& path, const std::string& format = "auto",
                      BadRows bad_rows = BadRows::reject, const std::string& philly_cluster = "");

}  // namespace xpusim
