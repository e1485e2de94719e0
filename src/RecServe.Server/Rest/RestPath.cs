using System.Globalization;

namespace RecServe.Server.Rest;

/// <summary>What a TF-Serving REST path under <c>/v1/models/</c> asks for.</summary>
public enum RestAction
{
    /// <summary><c>GET /v1/models/{name}[/versions/{v}|/labels/{l}]</c></summary>
    Status,
    /// <summary><c>GET .../metadata</c></summary>
    Metadata,
    /// <summary><c>POST ...:predict</c></summary>
    Predict,
    /// <summary><c>POST ...:classify</c> or <c>:regress</c>, which RecServe does not offer.</summary>
    Unsupported,
}

/// <summary>A parsed TF-Serving REST path: model, optional version or label, and action.</summary>
/// <param name="Model">Model name.</param>
/// <param name="Version">Version from <c>/versions/{v}</c>, or null.</param>
/// <param name="Label">Label from <c>/labels/{l}</c>, or null.</param>
/// <param name="Action">What is asked.</param>
/// <param name="Verb">The verb after the colon, for error messages.</param>
public sealed record RestPath(string Model, long? Version, string? Label, RestAction Action, string? Verb)
{
    /// <summary>Parses the part of the path after <c>/v1/models/</c>; null when it is not a TF-Serving path.</summary>
    public static RestPath? TryParse(string rest)
    {
        string? verb = null;
        var colon = rest.LastIndexOf(':');
        var slash = rest.LastIndexOf('/');
        if (colon > slash)
        {
            verb = rest[(colon + 1)..];
            rest = rest[..colon];
        }
        var segments = rest.Split('/');
        if (segments.Length == 0 || segments[0].Length == 0)
        {
            return null;
        }
        var model = Uri.UnescapeDataString(segments[0]);
        long? version = null;
        string? label = null;
        var index = 1;
        if (segments.Length >= 3 && segments[1] == "versions")
        {
            if (!long.TryParse(segments[2], NumberStyles.None, CultureInfo.InvariantCulture, out var v))
            {
                return null;
            }
            version = v;
            index = 3;
        }
        else if (segments.Length >= 3 && segments[1] == "labels")
        {
            label = Uri.UnescapeDataString(segments[2]);
            index = 3;
        }
        var metadata = segments.Length == index + 1 && segments[index] == "metadata";
        if (segments.Length != index && !metadata)
        {
            return null;
        }
        RestAction action;
        if (verb is null)
        {
            action = metadata ? RestAction.Metadata : RestAction.Status;
        }
        else if (metadata)
        {
            return null;
        }
        else
        {
            action = verb == "predict" ? RestAction.Predict : RestAction.Unsupported;
        }
        return new RestPath(model, version, label, action, verb);
    }
}
