using System.Globalization;
using System.Text;
using CsCheck;
using RecServe.Core.Signatures;

namespace RecServe.Cli.Fuzz;

/// <summary>
/// Generated HTTP requests for TF-Serving REST (<c>/v1/models/...:predict</c>, status, metadata) and KServe v2
/// REST (<c>/v2/models/.../infer</c>, metadata, readiness): bodies from <see cref="FuzzPlanGen"/>, half of them
/// damaged by <see cref="TextMutations"/>; hand-made hostile bodies (deep nesting, non-objects); wrong content
/// types and methods; odd paths.
/// </summary>
internal static class RestFuzzCases
{
    private const string Json = "application/json";

    private static readonly string?[] OddContentTypes =
        [null, "text/plain", "application/octet-stream", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json; charset=latin1", "application/grpc"];
    private static readonly string[] OddMethods = ["GET", "PUT", "DELETE", "PATCH"];
    private static readonly string[] OddSegments = ["", "nope", "-1", "0", "1.5", "99999999999999999999999", "%ff%fe", "%00", "..", "a:b", new string('v', 300)];

    /// <summary>TF-Serving REST requests for <paramref name="model"/>.</summary>
    public static Gen<FuzzRequest> TfServing(string model, ModelSignature signature)
    {
        var path = "/v1/models/" + model;
        return Gen.Frequency(
            (80, Gen.SelectMany(FuzzPlanGen.For(model, signature), Gen.Bool, (plan, rows) =>
                Body(PredictPath(plan), FuzzJsonEncoder.Predict(plan, rows), (rows ? "rows " : "columns ") + plan, plan.IsValid))),
            (5, Hostile(path + ":predict", "instances")),
            (5, Gen.SelectMany(FuzzPlanGen.Valid(model, signature), Gen.OneOf(OddContentTypes), Gen.OneOf(OddMethods), (plan, type, method) =>
                WrongUse(path + ":predict", FuzzJsonEncoder.Predict(plan, rows: false), type, method))),
            (10, Gen.SelectMany(Gen.OneOf(OddSegments), Gen.Int[0, 9], (segment, kind) => Gen.Const(kind switch
            {
                0 => Get(path, FuzzExpectation.Success),
                1 => Get(path + "/metadata", FuzzExpectation.Success),
                2 => Get(path + "/versions/" + segment),
                3 => Get(path + "/versions/" + segment + "/metadata"),
                4 => Get(path + "/labels/" + segment),
                5 => Get("/v1/models/" + segment),
                6 => Get("/v1/models/" + segment + "/metadata"),
                7 => Request("POST", path + ":" + (segment.Length == 0 ? "classify" : segment), Json, "{}"u8.ToArray(), "odd verb", FuzzExpectation.UnknownMethod),
                8 => Request("POST", path + "/metadata", Json, "{}"u8.ToArray(), "POST metadata", FuzzExpectation.ClientErrorOrSuccess),
                _ => Get("/v1/models/" + model + "/" + segment + ":predict"),
            }))));
    }

    /// <summary>KServe v2 REST requests for <paramref name="model"/>.</summary>
    public static Gen<FuzzRequest> KServe(string model, ModelSignature signature)
    {
        var path = "/v2/models/" + model;
        return Gen.Frequency(
            (80, FuzzPlanGen.For(model, signature).SelectMany(plan => Body(InferPath(plan), FuzzJsonEncoder.Infer(plan), plan.ToString(), plan.IsValid))),
            (5, Hostile(path + "/infer", "inputs")),
            (5, Gen.SelectMany(FuzzPlanGen.Valid(model, signature), Gen.OneOf(OddContentTypes), Gen.OneOf(OddMethods), (plan, type, method) =>
                WrongUse(path + "/infer", FuzzJsonEncoder.Infer(plan), type, method))),
            (10, Gen.SelectMany(Gen.OneOf(OddSegments), Gen.Int[0, 7], (segment, kind) => Gen.Const(kind switch
            {
                0 => Get(path, FuzzExpectation.Success),
                1 => Get(path + "/ready", FuzzExpectation.Success),
                2 => Get(path + "/versions/" + segment),
                3 => Get(path + "/versions/" + segment + "/ready"),
                4 => Get("/v2/models/" + segment),
                5 => Get("/v2/models/" + segment + "/ready"),
                6 => Get("/v2"),
                _ => Request("POST", path, Json, "{}"u8.ToArray(), "POST metadata", FuzzExpectation.ClientErrorOrSuccess),
            }))));
    }

    private static string PredictPath(FuzzPlan plan) =>
        "/v1/models/" + Uri.EscapeDataString(plan.Model) + (plan.Version is { } v ? "/versions/" + v.ToString(CultureInfo.InvariantCulture) : string.Empty) + ":predict";

    private static string InferPath(FuzzPlan plan) =>
        "/v2/models/" + Uri.EscapeDataString(plan.Model) + (plan.Version is { } v ? "/versions/" + v.ToString(CultureInfo.InvariantCulture) : string.Empty) + "/infer";

    // Half the bodies go as encoded (valid or not by content), half damaged as text.
    private static Gen<FuzzRequest> Body(string path, byte[] body, string what, bool valid) => Gen.Frequency(
        (1, Gen.Const(Request("POST", path, Json, body, what, valid ? FuzzExpectation.Success : FuzzExpectation.ClientErrorOrSuccess))),
        (1, TextMutations.Mutate(body).Select(m => Request("POST", path, Json, m.Bytes, m.What + " of " + what, FuzzExpectation.ClientErrorOrSuccess))));

    // Bodies no encoder writes: nesting past any limit, non-objects, whitespace.
    private static Gen<FuzzRequest> Hostile(string path, string field) => Gen.Frequency(
        (3, Gen.Int[1, 3000].Select(depth => Request("POST", path, Json,
            Encoding.UTF8.GetBytes($"{{\"{field}\": {new string('[', depth)}1{new string(']', depth)}}}"), $"\"{field}\" nested {depth} deep", FuzzExpectation.ClientErrorOrSuccess))),
        (2, Gen.Int[1, 3000].Select(depth => Request("POST", path, Json,
            Encoding.UTF8.GetBytes($"{{\"parameters\": {Repeat("{\"a\": ", depth)}1{new string('}', depth)}, \"{field}\": []}}"), $"objects nested {depth} deep", FuzzExpectation.ClientErrorOrSuccess))),
        (2, Gen.OneOf("", " ", "\n\t", "null", "[]", "[1, 2]", "\"text\"", "1", "{", "}", "{}", "{\"" + field + "\": null}", "{\"" + field + "\": {}}",
            "{\"" + field + "\": []}", "{\"" + field + "\": [[]]}", "{\"" + field + "\": [{}]}", "{\"a\":1,\"a\":2}", "\uFEFF{}")
            .Select(body => Request("POST", path, Json, Encoding.UTF8.GetBytes(body), "hand-made body", FuzzExpectation.ClientErrorOrSuccess))),
        (1, Gen.Byte.Array[0, 256].Select(bytes => Request("POST", path, Json, bytes, "random bytes", FuzzExpectation.ClientErrorOrSuccess))));

    private static Gen<FuzzRequest> WrongUse(string path, byte[] body, string? type, string method) => Gen.Bool.Select(wrongType => wrongType
        ? Request("POST", path, type, body, "content type " + (type ?? "none"), FuzzExpectation.ClientErrorOrSuccess)
        : Request(method, path, Json, method == "GET" ? [] : body, "method " + method, FuzzExpectation.ClientErrorOrSuccess));

    // A ':' in the last segment names a verb; one the server does not offer may be UNIMPLEMENTED (501).
    private static FuzzRequest Get(string path, FuzzExpectation expect = FuzzExpectation.ClientErrorOrSuccess) =>
        Request("GET", path, null, [], "GET",
            expect == FuzzExpectation.ClientErrorOrSuccess && path.AsSpan(path.LastIndexOf('/')).Contains(':') ? FuzzExpectation.UnknownMethod : expect);

    private static FuzzRequest Request(string method, string path, string? type, byte[] body, string what, FuzzExpectation expect) =>
        new(method, path, type, body, what, expect);

    private static string Repeat(string text, int count) => new StringBuilder(text.Length * count).Insert(0, text, count).ToString();
}
