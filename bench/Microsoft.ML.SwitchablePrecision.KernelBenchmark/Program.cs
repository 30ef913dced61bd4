using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.SwitchablePrecision.KernelBenchmark;
using Microsoft.ML.SwitchablePrecision.KernelBenchmark.Micro;
using Microsoft.ML.SwitchablePrecision.KernelBenchmark.Selection;
using TorchSharp;

// Kernel benchmark. Mode "kernels": the packed binary-weight convolution against TorchSharp's float32 conv2d, layer
// by layer (KernelTable.cs). Mode "network": whole ResNet-20 forward passes and PredictionEngine predictions with
// the packed kernels on against off (NetworkBenchmark.cs). Mode "all" (default) runs both. Everything runs on one
// thread; variants that are compared run interleaved in rotating order and every figure is a median. Mode "micro":
// peak GMAC/s of every GEMM kernel variant of the inference engine on ResNet-20 layer shapes (Micro/), not part of "all".
// Mode "selection": bit-serial against int8 on every quantized layer of ResNet-20, ResNet-18 and MobileNetV2, the
// table the plans' kernel selection follows (Selection/), not part of "all". Mode "channel-masks": the channel-mask bit
// convolution against int8 on small-channel layers (Selection/ChannelMaskBenchmark.cs), not part of "all". Mode
// "float-taps": im2col against the implicit im2col of the float kernels (Selection/FloatTapsBenchmark.cs), not part of "all".
// Mode "wide-channel-masks": the same with 32-bit masks on 17-32-channel layers, not part of "all". Mode
// "channel-masks-64": with 64-bit masks on 33-64-channel layers, then those layers of ResNet-20 and ResNet-18 against
// int8 and bit-serial (Selection/ChannelMaskPlanLayers.cs), not part of "all". Mode "sign-panel": the W1A32 layers of ResNet-20, ResNet-18
// and MobileNetV2 on the sign-panel GEMM against the sign-accumulate GEMM and the float32 GEMM on float weights
// (Selection/SignPanelBenchmark.cs), not part of "all". Mode "int8-avx2": the W8A8 GEMMs of ResNet-20 and ResNet-18 on
// AVX2 with the split pair sums, the int16 words and the float32 GEMM (Selection/Int8Avx2Benchmark.cs), not part of "all".
// Mode "int8-grouped": the grouped pair sums of the AVX2 int8 GEMM against the plain pair sums on the W1A4, W2A2 and
// W4A4 layers of ResNet-20 and ResNet-18 (Selection/Int8GroupedBenchmark.cs), not part of "all".
// Mode "bit-serial-forms": the nibble-lookup and carry-save forms of the AVX-512 bit-serial GEMM on the W1A1 and W1A2
// layers of ResNet-20 and ResNet-18 (Selection/BitSerialFormBenchmark.cs), not part of "all".
// Mode "level-epilogue": a levels-only output stage in two passes against the fused level write on MobileNetV2's shapes
// (Selection/LevelEpilogueBenchmark.cs), not part of "all".
// Usage: KernelBenchmark [--mode kernels|network|micro|selection|channel-masks|wide-channel-masks|channel-masks-64|float-taps|sign-panel|int8-avx2|int8-grouped|bit-serial-forms|level-epilogue|all] [--reps N] [--warmup N] [--min-rep-ms X]
var settings = Settings.Parse(args);
torch.set_num_threads(1);
var clock = Stopwatch.StartNew();
if (settings.Mode is "micro") MicroBenchmark.Run(settings);
if (settings.Mode is "selection") KernelSelectionBenchmark.Run(settings);
if (settings.Mode is "channel-masks") ChannelMaskBenchmark.Run(settings, 16);
if (settings.Mode is "wide-channel-masks") ChannelMaskBenchmark.Run(settings, 32);
if (settings.Mode is "channel-masks-64") ChannelMaskBenchmark.Run(settings, 64);
if (settings.Mode is "float-taps") FloatTapsBenchmark.Run(settings);
if (settings.Mode is "sign-panel") SignPanelBenchmark.Run(settings);
if (settings.Mode is "int8-avx2") Int8Avx2Benchmark.Run(settings);
if (settings.Mode is "int8-grouped") Int8GroupedBenchmark.Run(settings);
if (settings.Mode is "bit-serial-forms") BitSerialFormBenchmark.Run(settings);
if (settings.Mode is "level-epilogue") LevelEpilogueBenchmark.Run(settings);
if (settings.Mode is "kernels" or "all") KernelTable.Run(settings);
if (settings.Mode is "all") Console.WriteLine();
if (settings.Mode is "network" or "all") NetworkBenchmark.Run(settings);
Console.WriteLine();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"total {clock.Elapsed.TotalSeconds:F1} s"));
