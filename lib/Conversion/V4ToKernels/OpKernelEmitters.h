//===- OpKernelEmitters.h - The per-op kernel emitters ------------*- C++ -*-===//
//
// Private to SieveV4ToKernels: one emitter per op family, each in its file.
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_LIB_CONVERSION_V4TOKERNELS_OPKERNELEMITTERS_H
#define SIEVE_LIB_CONVERSION_V4TOKERNELS_OPKERNELEMITTERS_H

#include "v4/IR/V4Ops.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace sieve::detail {

mlir::FailureOr<mlir::func::FuncOp> emitRmsNormKernel(v4::RmsNormOp op, llvm::StringRef name,
                                                      mlir::OpBuilder &moduleBuilder);
mlir::FailureOr<mlir::func::FuncOp> emitDequantizeKernel(v4::DequantizeOp op,
                                                         llvm::StringRef name,
                                                         mlir::OpBuilder &moduleBuilder);
mlir::FailureOr<mlir::func::FuncOp> emitQuantizeKernel(v4::QuantizeOp op, llvm::StringRef name,
                                                       mlir::OpBuilder &moduleBuilder);
/// With `quantize` (the producer of the matmul's activation codes and
/// scales), the kernel binds its input and quantizes each row itself; with
/// `norm` too (the rms_norm that input is), it binds the norm's input and
/// weight and normalizes each row before quantizing it.
mlir::FailureOr<mlir::func::FuncOp> emitFp8MatmulKernel(v4::Fp8MatmulOp op, llvm::StringRef name,
                                                       mlir::OpBuilder &moduleBuilder,
                                                       v4::QuantizeOp quantize = nullptr,
                                                       v4::RmsNormOp norm = nullptr);
mlir::FailureOr<mlir::func::FuncOp> emitMxfp4MatmulKernel(v4::Mxfp4MatmulOp op,
                                                         llvm::StringRef name,
                                                         mlir::OpBuilder &moduleBuilder,
                                                         v4::QuantizeOp quantize = nullptr,
                                                         v4::RmsNormOp norm = nullptr);
/// A grouped_linear weight the kernel dequantizes itself (fusion table row
/// 2): `dequantize`'s codes `[groups * R, C]` with E8M0 `scales` of
/// `[groups * R / rowsPerScale, C / block]` (the checkpoint's 128x128 tiles
/// when `rowsPerScale` is 128; 1 for per-row scales).
struct DequantizedWeight {
  v4::DequantizeOp dequantize;
  mlir::Value scales;
  int64_t rowsPerScale = 1;
};
/// The dequantized weight of a v4.grouped_linear `op` (fusion table row 2):
/// `expand_shape(dequantize(codes, scales))`, the scales per row or
/// `collapse_shape(linalg.broadcast(tiles))`, and that broadcast (null for
/// per-row scales); none when the weight is another value.
std::optional<std::pair<DequantizedWeight, mlir::linalg::BroadcastOp>>
groupedLinearWeight(mlir::Operation *op);
/// With `weight`, the kernel binds the codes and scales in place of the
/// bf16 weight and decodes each element as v4.dequantize does (bit-identical).
mlir::FailureOr<mlir::func::FuncOp>
emitGroupedLinearKernel(v4::GroupedLinearOp op, llvm::StringRef name,
                        mlir::OpBuilder &moduleBuilder,
                        const DequantizedWeight *weight = nullptr);
/// The most candidates a fused indexer score and top-k keeps in its stack
/// row (64 KiB of bf16 scores: 32,768 entries, a 131,072-token context at
/// ratio 4); beyond it the two stay separate dispatches.
constexpr int64_t kMaxFusedCandidates = 32768;
/// v4.topk with the v4.indexer_score of its scores taken in (fusion table
/// row 4): per query row, the visible candidates scored into a stack row,
/// then the k best picked from it.
mlir::FailureOr<mlir::func::FuncOp> emitIndexerTopkKernel(v4::TopkOp topk,
                                                         v4::IndexerScoreOp score,
                                                         llvm::StringRef name,
                                                         mlir::OpBuilder &moduleBuilder);
/// v4.indexer_score whose only user is `topk`, for queries of one token
/// (fusion table row 4, split form): workgroups of (query row, chunk of
/// kIndexerScoreChunk keys) score only the keys the top-k will see, c <
/// (position + 1) / ratio, and leave the rest of the scores unwritten; the
/// top-k stays its own dispatch (emitTopkKernel).
mlir::FailureOr<mlir::func::FuncOp> emitVisibleIndexerScoreKernel(v4::IndexerScoreOp score,
                                                                  v4::TopkOp topk,
                                                                  llvm::StringRef name,
                                                                  mlir::OpBuilder &moduleBuilder);
/// v4.moe_dispatch with the v4.moe_route or v4.moe_hash_route of its
/// experts and weights taken in (fusion table row 5): one workgroup routes
/// every token and places its copies.
mlir::FailureOr<mlir::func::FuncOp> emitRouteDispatchKernel(v4::MoeDispatchOp op,
                                                           mlir::Operation *route,
                                                           llvm::StringRef name,
                                                           mlir::OpBuilder &moduleBuilder);
mlir::FailureOr<mlir::func::FuncOp> emitHcPreKernel(v4::HcPreOp op, llvm::StringRef name,
                                                    mlir::OpBuilder &moduleBuilder);
mlir::FailureOr<mlir::func::FuncOp> emitMoeRouteKernel(v4::MoeRouteOp op, llvm::StringRef name,
                                                       mlir::OpBuilder &moduleBuilder);
mlir::FailureOr<mlir::func::FuncOp> emitMoeHashRouteKernel(v4::MoeHashRouteOp op,
                                                           llvm::StringRef name,
                                                           mlir::OpBuilder &moduleBuilder);
mlir::FailureOr<mlir::func::FuncOp> emitMoeDispatchKernel(v4::MoeDispatchOp op,
                                                          llvm::StringRef name,
                                                          mlir::OpBuilder &moduleBuilder);
mlir::FailureOr<mlir::func::FuncOp> emitMoeCombineKernel(v4::MoeCombineOp op,
                                                         llvm::StringRef name,
                                                         mlir::OpBuilder &moduleBuilder);
mlir::FailureOr<mlir::func::FuncOp> emitWindowIndicesKernel(v4::WindowIndicesOp op,
                                                            llvm::StringRef name,
                                                            mlir::OpBuilder &moduleBuilder);
/// With `windowRead` (fusion row 6), the window is read in place from that
/// read's cache, whose storage and slots are bound instead of the window.
mlir::FailureOr<mlir::func::FuncOp> emitSparseAttentionKernel(v4::SparseAttentionOp op,
                                                              llvm::StringRef name,
                                                              mlir::OpBuilder &moduleBuilder,
                                                              v4::CacheReadOp windowRead = nullptr);
mlir::FailureOr<mlir::func::FuncOp> emitHcaAttentionKernel(v4::HcaAttentionOp op,
                                                           llvm::StringRef name,
                                                           mlir::OpBuilder &moduleBuilder,
                                                           v4::CacheReadOp windowRead = nullptr);
mlir::FailureOr<mlir::func::FuncOp> emitWindowAppendKernel(v4::WindowAppendOp op,
                                                           llvm::StringRef name,
                                                           mlir::OpBuilder &moduleBuilder);
mlir::FailureOr<mlir::func::FuncOp> emitCompressedAppendKernel(v4::CompressedAppendOp op,
                                                               llvm::StringRef name,
                                                               mlir::OpBuilder &moduleBuilder);
mlir::FailureOr<mlir::func::FuncOp> emitCacheReadKernel(v4::CacheReadOp op,
                                                        llvm::StringRef name,
                                                        mlir::OpBuilder &moduleBuilder);
mlir::FailureOr<mlir::func::FuncOp> emitCacheInitKernel(v4::CacheInitOp op,
                                                        llvm::StringRef name,
                                                        mlir::OpBuilder &moduleBuilder);
mlir::FailureOr<mlir::func::FuncOp> emitCompressKernel(v4::CompressOp op, llvm::StringRef name,
                                                       mlir::OpBuilder &moduleBuilder);
mlir::FailureOr<mlir::func::FuncOp> emitLinalgKernel(mlir::linalg::LinalgOp op,
                                                     llvm::StringRef name,
                                                     mlir::OpBuilder &moduleBuilder);
mlir::FailureOr<mlir::func::FuncOp> emitGatherKernel(mlir::tensor::GatherOp op,
                                                     llvm::StringRef name,
                                                     mlir::OpBuilder &moduleBuilder);
mlir::FailureOr<mlir::func::FuncOp> emitConcatKernel(mlir::tensor::ConcatOp op,
                                                     llvm::StringRef name,
                                                     mlir::OpBuilder &moduleBuilder);
mlir::FailureOr<mlir::func::FuncOp> emitExtractSliceKernel(mlir::tensor::ExtractSliceOp op,
                                                           llvm::StringRef name,
                                                           mlir::OpBuilder &moduleBuilder);
mlir::FailureOr<mlir::func::FuncOp> emitInsertSliceKernel(mlir::tensor::InsertSliceOp op,
                                                          llvm::StringRef name,
                                                          mlir::OpBuilder &moduleBuilder);
mlir::FailureOr<mlir::func::FuncOp> emitGenerateKernel(mlir::tensor::GenerateOp op,
                                                       llvm::StringRef name,
                                                       mlir::OpBuilder &moduleBuilder);
mlir::FailureOr<mlir::func::FuncOp> emitHcPostKernel(v4::HcPostOp op, llvm::StringRef name,
                                                     mlir::OpBuilder &moduleBuilder);
mlir::FailureOr<mlir::func::FuncOp> emitIndexerScoreKernel(v4::IndexerScoreOp op,
                                                           llvm::StringRef name,
                                                           mlir::OpBuilder &moduleBuilder);
mlir::FailureOr<mlir::func::FuncOp> emitTopkKernel(v4::TopkOp op, llvm::StringRef name,
                                                   mlir::OpBuilder &moduleBuilder);
mlir::FailureOr<mlir::func::FuncOp> emitHcHeadKernel(v4::HcHeadOp op, llvm::StringRef name,
                                                     mlir::OpBuilder &moduleBuilder);
mlir::FailureOr<mlir::func::FuncOp> emitHadamardKernel(v4::HadamardOp op, llvm::StringRef name,
                                                       mlir::OpBuilder &moduleBuilder);
mlir::FailureOr<mlir::func::FuncOp> emitRopeKernel(v4::RopeOp op, llvm::StringRef name,
                                                   mlir::OpBuilder &moduleBuilder);
mlir::FailureOr<mlir::func::FuncOp>
emitSimulateQuantKernel(v4::SimulateQuantOp op, llvm::StringRef name,
                        mlir::OpBuilder &moduleBuilder);
mlir::FailureOr<mlir::func::FuncOp> emitSwigluKernel(v4::SwigluOp op, llvm::StringRef name,
                                                     mlir::OpBuilder &moduleBuilder);

} // namespace sieve::detail

#endif // SIEVE_LIB_CONVERSION_V4TOKERNELS_OPKERNELEMITTERS_H
