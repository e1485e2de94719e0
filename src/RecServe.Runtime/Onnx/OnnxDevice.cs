using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace RecServe.Runtime.Onnx;

/// <summary>Where ONNX Runtime runs a dense graph.</summary>
public enum OnnxDevice
{
    /// <summary>ONNX Runtime's CPU execution provider.</summary>
    Cpu,

    /// <summary>ONNX Runtime's CUDA execution provider, on GPU 0.</summary>
    Cuda,
}

/// <summary>Checks at startup that a device can be used, so that a server asked for a GPU it cannot use says so at once.</summary>
public static class OnnxDevices
{
    /// <summary>The CUDA execution provider's name in ONNX Runtime.</summary>
    public const string CudaProvider = "CUDAExecutionProvider";

    /// <summary>Parses a <c>--device</c> value.</summary>
    /// <exception cref="ArgumentException">Neither cpu nor cuda.</exception>
    public static OnnxDevice Parse(string text) => text switch
    {
        "cpu" => OnnxDevice.Cpu,
        "cuda" => OnnxDevice.Cuda,
        _ => throw new ArgumentException($"--device is '{text}', expected cpu or cuda"),
    };

    /// <summary>Throws with one line naming what is missing when <paramref name="device"/> cannot be used here.</summary>
    /// <exception cref="ArgumentException">CUDA was asked for, and the ONNX Runtime build or the GPU driver lacks it.</exception>
    public static void EnsureAvailable(OnnxDevice device)
    {
        if (device == OnnxDevice.Cpu)
        {
            return;
        }
        var missing = new List<string>(2);
        if (!OrtEnv.Instance().GetAvailableProviders().Contains(CudaProvider))
        {
            missing.Add("this build's ONNX Runtime has no CUDA execution provider (it carries the CPU package Microsoft.ML.OnnxRuntime; build with Microsoft.ML.OnnxRuntime.Gpu)");
        }
        if (!NativeLibrary.TryLoad("libcuda.so.1", out var driver))
        {
            missing.Add("no NVIDIA GPU driver is present (libcuda.so.1 not found)");
        }
        else
        {
            NativeLibrary.Free(driver);
        }
        if (missing.Count > 0)
        {
            throw new ArgumentException($"--device cuda cannot be used: {string.Join("; and ", missing)}");
        }
    }
}
