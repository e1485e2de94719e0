namespace RecServe.Cli.Fuzz;

/// <summary>
/// A generated request in protocol-neutral form: the model it names and its inputs. Encoders turn it into each
/// API's wire format; <see cref="Mutation"/> says what was made wrong on purpose ("none" when it is valid).
/// </summary>
/// <param name="Model">The model name the request names.</param>
/// <param name="Version">The version it asks for, or null for the server's choice.</param>
/// <param name="Signature">The signature name it asks for, or null for the default.</param>
/// <param name="Inputs">The inputs, in the order they are written.</param>
/// <param name="Outputs">Output names it asks for, or empty for all.</param>
/// <param name="Mutation">What the generator made wrong, for reports; "none" for a valid request.</param>
internal sealed record FuzzPlan(string Model, long? Version, string? Signature, IReadOnlyList<FuzzTensor> Inputs, IReadOnlyList<string> Outputs, string Mutation)
{
    /// <summary>Whether the request is valid for the model, so that a server must answer it.</summary>
    public bool IsValid => Mutation == "none";

    /// <inheritdoc />
    public override string ToString() =>
        $"{Mutation}: model '{Model}'" + (Version is { } v ? $" v{v}" : string.Empty) + (Signature is null ? string.Empty : $" signature '{Signature}'")
        + (Outputs.Count > 0 ? " outputs [" + string.Join(",", Outputs) + "]" : string.Empty)
        + " inputs {" + string.Join("; ", Inputs) + "}";
}
