// Round trip through the generic form and through bytecode.

// Per-token activation quantization to FP8 codes with E8M0 scales.
func.func @quantize_fp8(%x: tensor<?x4096xbf16>) -> (tensor<?x4096xf8E4M3FN>, tensor<?x32xf8E8M0FNU>) {
  %codes, %scales = v4.quantize %x block 128 rule ceil
      : tensor<?x4096xbf16> -> tensor<?x4096xf8E4M3FN>, tensor<?x32xf8E8M0FNU>
  return %codes, %scales : tensor<?x4096xf8E4M3FN>, tensor<?x32xf8E8M0FNU>
}
