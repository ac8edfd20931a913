#pragma once
// One kernel as `xpusim kernel` names it: an operation and its shape as key=value pairs.
#include <string>

#include "workloads/kernel.hpp"

namespace xpusim {

// "conv2d" with "n=1,c=64,h=56,w=56,k=64,r=3,s=3,pad=1" at int8, say. Unknown ops and keys,
// missing or non-positive values and impossible shapes are InputErrors naming --op or --shape.
Kernel make_kernel(const std::string& op, const std::string& shape, Precision precision);

}  // namespace xpusim
