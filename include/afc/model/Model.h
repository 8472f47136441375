//===- Model.h - the analytical model, all of it ------------------*- C++
//-*-===//
//
// Convenience header for users of the whole model: the problem (Problem.h),
// mappings (Mapping.h), the evaluator and its results (Evaluator.h,
// Result.h), tracing for generated kernels (Symbolic.h) and the area report
// (Architecture.h). Include the specific header where one is enough.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_MODEL_MODEL_H
#define AFC_MODEL_MODEL_H

#include "afc/model/Architecture.h"
#include "afc/model/Evaluator.h"
#include "afc/model/Mapping.h"
#include "afc/model/Problem.h"
#include "afc/model/Result.h"
#include "afc/model/Symbolic.h"
#include "afc/model/Workload.h"

#endif // AFC_MODEL_MODEL_H
