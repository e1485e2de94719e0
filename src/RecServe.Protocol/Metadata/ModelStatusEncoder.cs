using Tensorflow.Serving;

namespace RecServe.Protocol.Metadata;

/// <summary>One version's state in wire-neutral form, for <see cref="ModelStatusEncoder"/>.</summary>
/// <param name="Version">Version number.</param>
/// <param name="State">TF-Serving state number (10 START ... 50 END).</param>
/// <param name="Error">Load error, or null.</param>
public readonly record struct VersionState(long Version, int State, string? Error);

/// <summary>Builds TF-Serving's <c>GetModelStatusResponse</c>.</summary>
public static class ModelStatusEncoder
{
    /// <summary>The status response for the given versions.</summary>
    public static GetModelStatusResponse Encode(IEnumerable<VersionState> versions)
    {
        var response = new GetModelStatusResponse();
        foreach (var version in versions)
        {
            response.ModelVersionStatus.Add(new ModelVersionStatus
            {
                Version = version.Version,
                State = (ModelVersionStatus.Types.State)version.State,
                Status = new StatusProto
                {
                    ErrorCode = version.Error is null ? Tensorflow.Error.Code.Ok : Tensorflow.Error.Code.Unknown,
                    ErrorMessage = version.Error ?? string.Empty,
                },
            });
        }
        return response;
    }
}
