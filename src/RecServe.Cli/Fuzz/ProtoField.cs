namespace RecServe.Cli.Fuzz;

/// <summary>Where one top-level field of an encoded protobuf message lies.</summary>
/// <param name="Number">The field number.</param>
/// <param name="WireType">The wire type (0 varint, 1 fixed64, 2 length-delimited, 5 fixed32).</param>
/// <param name="TagOffset">Offset of the tag's first byte.</param>
/// <param name="LengthOffset">Offset of the length prefix (length-delimited fields) or of the value.</param>
/// <param name="ValueOffset">Offset of the value's first byte.</param>
/// <param name="ValueLength">Length of the value in bytes.</param>
internal readonly record struct ProtoField(int Number, int WireType, int TagOffset, int LengthOffset, int ValueOffset, int ValueLength);
