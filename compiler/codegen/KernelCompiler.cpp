//===- KernelCompiler.cpp - cost graphs to JIT-compiled kernels -----------===//
#include "afc/codegen/KernelCompiler.h"

#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/ExecutionEngine/Orc/LLJIT.h"
#include "llvm/ExecutionEngine/Orc/ThreadSafeModule.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Intrinsics.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"

using namespace afc::codegen;
using namespace llvm;

namespace {

/// Adds `void name(double *point, double *tiles, double *out, i64 n)`.
void buildKernel(const CostGraph &g, const std::string &name, Module &module) {
  LLVMContext &ctx = module.getContext();
  Module *m = &module;
  Type *f64 = Type::getDoubleTy(ctx);
  Type *i64 = Type::getInt64Ty(ctx);
  Type *ptr = PointerType::getUnqual(f64);
  FunctionType *ft = FunctionType::get(Type::getVoidTy(ctx),
                                       {ptr, ptr, ptr, i64}, false);
  Function *f = Function::Create(ft, Function::ExternalLinkage, name, *m);
  auto argIt = f->arg_begin();
  Value *point = &*argIt++, *tiles = &*argIt++, *out = &*argIt++,
        *n = &*argIt++;
  point->setName("point");
  tiles->setName("tiles");
  out->setName("out");
  n->setName("num_candidates");
  f->addParamAttr(0, Attribute::NoAlias);
  f->addParamAttr(1, Attribute::NoAlias);
  f->addParamAttr(2, Attribute::NoAlias);

  BasicBlock *entry = BasicBlock::Create(ctx, "entry", f);
  BasicBlock *loop = BasicBlock::Create(ctx, "candidate", f);
  BasicBlock *exit = BasicBlock::Create(ctx, "exit", f);
  IRBuilder<> b(entry);
  // Design-point values are the same for every candidate: load them once.
  std::vector<Value *> v(g.nodes().size(), nullptr);
  for (size_t i = 0; i < g.nodes().size(); ++i) {
    const Node &node = g.nodes()[i];
    if (node.op == Op::PointArg)
      v[i] = b.CreateLoad(
          f64, b.CreateConstInBoundsGEP1_64(f64, point, node.operand[0]),
          std::string("p") + std::to_string(node.operand[0]));
    else if (node.op == Op::Constant)
      v[i] = ConstantFP::get(f64, node.constant);
  }
  b.CreateCondBr(b.CreateICmpSGT(n, b.getInt64(0)), loop, exit);

  b.SetInsertPoint(loop);
  PHINode *c = b.CreatePHI(i64, 2, "c");
  c->addIncoming(b.getInt64(0), entry);
  Value *tileBase = b.CreateMul(c, b.getInt64(g.numTileArgs()));
  Value *outBase = b.CreateMul(c, b.getInt64(g.outputNodes().size()));
  for (size_t i = 0; i < g.nodes().size(); ++i) {
    const Node &node = g.nodes()[i];
    auto a = [&](int k) { return v[node.operand[k]]; };
    switch (node.op) {
    case Op::PointArg:
    case Op::Constant:
      break;
    case Op::TileArg:
      v[i] = b.CreateLoad(
          f64,
          b.CreateInBoundsGEP(f64, tiles,
                              b.CreateAdd(tileBase,
                                          b.getInt64(node.operand[0]))),
          std::string("t") + std::to_string(node.operand[0]));
      break;
    case Op::Add: v[i] = b.CreateFAdd(a(0), a(1)); break;
    case Op::Sub: v[i] = b.CreateFSub(a(0), a(1)); break;
    case Op::Mul: v[i] = b.CreateFMul(a(0), a(1)); break;
    case Op::Div: v[i] = b.CreateFDiv(a(0), a(1)); break;
    case Op::Min:
      v[i] = b.CreateBinaryIntrinsic(Intrinsic::minnum, a(0), a(1));
      break;
    case Op::Max:
      v[i] = b.CreateBinaryIntrinsic(Intrinsic::maxnum, a(0), a(1));
      break;
    case Op::Ceil:
      v[i] = b.CreateUnaryIntrinsic(Intrinsic::ceil, a(0));
      break;
    case Op::Floor:
      v[i] = b.CreateUnaryIntrinsic(Intrinsic::floor, a(0));
      break;
    case Op::SelectLess:
      v[i] = b.CreateSelect(b.CreateFCmpOLT(a(0), a(1)), a(2), a(3));
      break;
    }
  }
  for (size_t k = 0; k < g.outputNodes().size(); ++k)
    b.CreateStore(v[g.outputNodes()[k]],
                  b.CreateInBoundsGEP(f64, out,
                                      b.CreateAdd(outBase, b.getInt64(k))));
  Value *next = b.CreateAdd(c, b.getInt64(1), "c.next");
  c->addIncoming(next, loop);
  b.CreateCondBr(b.CreateICmpSLT(next, n), loop, exit);
  b.SetInsertPoint(exit);
  b.CreateRetVoid();
}

void optimize(Module &m, TargetMachine *tm, unsigned level) {
  if (level == 0)
    return;
  LoopAnalysisManager lam;
  FunctionAnalysisManager fam;
  CGSCCAnalysisManager cgam;
  ModuleAnalysisManager mam;
  PassBuilder pb(tm);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  OptimizationLevel ol = level == 1   ? OptimizationLevel::O1
                         : level == 2 ? OptimizationLevel::O2
                                      : OptimizationLevel::O3;
  ModulePassManager mpm = pb.buildPerModuleDefaultPipeline(ol);
  mpm.run(m, mam);
}

/// LLVM's target registry is process-wide; set it up once.
void initializeNativeTarget() {
  static std::once_flag init;
  std::call_once(init, [] {
    InitializeNativeTarget();
    InitializeNativeTargetAsmPrinter();
  });
}

std::string errorText(Error e) {
  std::string s;
  raw_string_ostream os(s);
  os << e;
  return os.str();
}

} // namespace

KernelCompiler::~KernelCompiler() = default;

std::unique_ptr<KernelCompiler> KernelCompiler::create(unsigned optLevel,
                                                       std::string &error) {
  initializeNativeTarget();
  auto jtmb = orc::JITTargetMachineBuilder::detectHost();
  if (!jtmb) {
    error = errorText(jtmb.takeError());
    return nullptr;
  }
  if (optLevel == 0)
    jtmb->setCodeGenOptLevel(CodeGenOpt::None);
  auto tm = jtmb->createTargetMachine();
  if (!tm) {
    error = errorText(tm.takeError());
    return nullptr;
  }
  std::shared_ptr<TargetMachine> sharedTm(std::move(*tm));
  auto jit = orc::LLJITBuilder().setJITTargetMachineBuilder(*jtmb).create();
  if (!jit) {
    error = errorText(jit.takeError());
    return nullptr;
  }
  // Optimise each module as it is added. The transform runs on ORC's
  // threads, so it must not throw.
  (*jit)->getIRTransformLayer().setTransform(
      [sharedTm, optLevel](orc::ThreadSafeModule tsm,
                           const orc::MaterializationResponsibility &)
          -> Expected<orc::ThreadSafeModule> {
        tsm.withModuleDo(
            [&](Module &m) { optimize(m, sharedTm.get(), optLevel); });
        return tsm;
      });
  std::unique_ptr<KernelCompiler> kc(new KernelCompiler());
  kc->jit = std::move(*jit);
  kc->optLevel = optLevel;
  return kc;
}

KernelFn KernelCompiler::compile(const CostGraph &graph,
                                 const std::string &name, std::string &error) {
  const CostGraph *one = &graph;
  std::vector<KernelFn> fns = compile({&one, 1}, name, error);
  return fns.empty() ? nullptr : fns[0];
}

std::vector<KernelFn>
KernelCompiler::compile(std::span<const CostGraph *const> graphs,
                        const std::string &name, std::string &error) {
  std::lock_guard<std::mutex> lock(mutex);
  std::vector<KernelFn> fns(graphs.size(), nullptr);
  std::vector<std::string> keys(graphs.size());
  // New graphs, each once, into one module: most of a compilation's cost
  // is per module.
  std::map<std::string, std::string> symbolOf; // key -> symbol
  auto ctx = std::make_unique<LLVMContext>();
  auto m = std::make_unique<Module>("afc_kernels", *ctx);
  for (size_t i = 0; i < graphs.size(); ++i) {
    keys[i] = graphs[i]->structuralKey();
    if (cache.count(keys[i]) || symbolOf.count(keys[i]))
      continue;
    // Symbols must be unique in the JIT: suffix the kernel's ordinal.
    std::string symbol = name + "_" + std::to_string(compiledCount++);
    buildKernel(*graphs[i], symbol, *m);
    symbolOf[keys[i]] = symbol;
  }
  auto finish = [&] {
    for (size_t i = 0; i < graphs.size(); ++i)
      fns[i] = cache.at(keys[i]);
    return fns;
  };
  if (symbolOf.empty())
    return finish();
  m->setDataLayout(jit->getDataLayout());
  std::string verify;
  raw_string_ostream vs(verify);
  if (verifyModule(*m, &vs)) {
    error = "generated kernel is invalid: " + vs.str();
    return {};
  }
  if (Error e = jit->addIRModule(
          orc::ThreadSafeModule(std::move(m), std::move(ctx)))) {
    error = errorText(std::move(e));
    return {};
  }
  for (const auto &[key, symbol] : symbolOf) {
    auto sym = jit->lookup(symbol);
    if (!sym) {
      error = errorText(sym.takeError());
      return {};
    }
#if LLVM_VERSION_MAJOR >= 15
    cache[key] = sym->toPtr<KernelFn>();
#else
    cache[key] = reinterpret_cast<KernelFn>(sym->getAddress());
#endif
  }
  return finish();
}

KernelFn KernelCompiler::cached(const std::string &key) {
  std::lock_guard<std::mutex> lock(mutex);
  auto it = cache.find(key);
  return it == cache.end() ? nullptr : it->second;
}

int64_t KernelCompiler::countUses(const std::string &key, int64_t n) {
  std::lock_guard<std::mutex> lock(mutex);
  return uses[key] += n;
}

void KernelCompiler::printIR(const CostGraph &graph, const std::string &name,
                             raw_ostream &os, unsigned optLevel) {
  LLVMContext ctx;
  auto m = std::make_unique<Module>("afc_kernel", ctx);
  buildKernel(graph, name, *m);
  if (optLevel) {
    initializeNativeTarget();
    auto jtmb = orc::JITTargetMachineBuilder::detectHost();
    if (jtmb)
      if (auto tm = jtmb->createTargetMachine()) {
        m->setDataLayout((*tm)->createDataLayout());
        optimize(*m, tm->get(), optLevel);
      }
  }
  m->print(os, nullptr);
}
