namespace LoadReport.Goals;

/// <summary>
/// An entry of the report's "Targets" section: a figure of one target held to a bound (a PASS or MISS verdict), or a
/// figure reported only. <see cref="GoalTable"/> lists them in the section's order.
/// </summary>
internal abstract record Goal
{
    /// <summary>The section's lines for this entry; none when a target it needs was not run.</summary>
    public abstract IEnumerable<string> Lines(ResultTable results);

    protected static string Verdict(bool met) => met ? "**PASS**" : "**MISS**";

    /// <summary>"; server CPU a vs b µs/req" when both targets' CPU time was measured, else empty.</summary>
    protected static string CpuComparison(TargetResult a, TargetResult? b) =>
        a.CpuUsPerRequest is null || b?.CpuUsPerRequest is null
            ? ""
            : $"; server CPU {Format.Number(a.CpuUsPerRequest.Median, 0)} vs {Format.Number(b.CpuUsPerRequest.Median, 0)} µs/req";
}

/// <summary>A threshold, and the decimals it is written with in the report ("5x", "0.9x", "0.90x").</summary>
internal sealed record Bound(double Value, int Decimals)
{
    public override string ToString() => Format.Number(Value, Decimals);
}
