namespace RecServe.Protocol.Json;

/// <summary>
/// The two layouts of TensorFlow Serving's REST predict API. A response uses the layout of its request.
/// </summary>
public enum PredictJsonFormat
{
    /// <summary>
    /// <c>{"instances": [row, ...]}</c> in, <c>{"predictions": [row, ...]}</c> out: one list entry per batch row.
    /// </summary>
    Row,

    /// <summary>
    /// <c>{"inputs": value-or-object}</c> in, <c>{"outputs": value-or-object}</c> out: whole tensors, one per name.
    /// </summary>
    Columnar,
}
