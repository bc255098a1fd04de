using System.Globalization;
using EdgeGuard.Faults.Checker.History;

namespace EdgeGuard.Faults.Checker.Checks;

/// <summary>Operations in words, for a violation's example.</summary>
internal static class Describe
{
    public static string Op(Operation op) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{op.Kind}{(op.Target is { } target ? " " + target : "")} {string.Join(",", op.AllIds)} via gw-{op.Instance} " +
            $"[{op.Start / 1000:0.000} s, {op.End / 1000:0.000} s]: {(op.Status is { } status ? status.ToString(CultureInfo.InvariantCulture) : "no answer (" + op.Error + ")")}" +
            $"{(op.Source is { } source ? " " + source : "")}{(op.Age is { } age ? $" age {age}" : "")}");

    public static string Seconds(double milliseconds) => (milliseconds / 1000).ToString("0.000", CultureInfo.InvariantCulture) + " s";
}
