namespace RecServe.Protocol.Json;

/// <summary>
/// A JSON number taken apart by <see cref="Utf8NumberParser.Scan"/>: its value is
/// <c>(Negative ? -1 : 1) × Significand × 10^Exponent</c> unless <see cref="TooManyDigits"/> is set.
/// </summary>
internal readonly struct DecimalNumber(ulong significand, int exponent, bool negative, bool isWhole, bool tooManyDigits)
{
    /// <summary>The decimal digits without leading zeros, at most 19 of them (so that they fit).</summary>
    public ulong Significand { get; } = significand;

    /// <summary>The power of ten the significand is scaled by, clamped far beyond any finite double's.</summary>
    public int Exponent { get; } = exponent;

    /// <summary>Whether the text starts with a minus sign (so "-0" is negative).</summary>
    public bool Negative { get; } = negative;

    /// <summary>Whether the text has neither fraction nor exponent: what TF-Serving treats as an integer.</summary>
    public bool IsWhole { get; } = isWhole;

    /// <summary>
    /// Whether the number has more than 19 significant digits, so that <see cref="Significand"/> and
    /// <see cref="Exponent"/> do not hold its value; only the BCL parser can then convert it exactly.
    /// </summary>
    public bool TooManyDigits { get; } = tooManyDigits;
}
