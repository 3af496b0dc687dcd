// One tensor name bound with two different types: the second binding is an
// error whether or not the checkpoint matches the first.
func.func @f() -> (tensor<512x256xbf16>, tensor<256x512xbf16>) {
  %a = v4.param "embed.weight" : tensor<512x256xbf16>
  %b = v4.param "embed.weight" : tensor<256x512xbf16>
  return %a, %b : tensor<512x256xbf16>, tensor<256x512xbf16>
}
