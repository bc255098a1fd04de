using System.Globalization;

namespace EdgeGuard.Proxy.Filtering.Sources.Sql;

/// <summary>
/// A cursor value read from the incremental query's second column, kept with its database type so it is passed
/// back as <c>@cursor</c> with the type it came with (a <c>bigint</c> as a <c>bigint</c>, a <c>timestamp</c> as a
/// <c>timestamp</c>, not as whatever a .NET value maps to by default). Written as text (<see cref="ToText"/>) into
/// filter snapshots, so a restart polls on from where the snapshot's filter stops.
/// </summary>
/// <param name="Value">The value as the provider's reader returns it (<see cref="long"/>, <see cref="DateTime"/>, <see cref="string"/>...).</param>
/// <param name="DataTypeName">The database's name of its type, when the provider needs it (PostgreSQL).</param>
public sealed record SqlCursor(object Value, string? DataTypeName)
{
    private const char Separator = '|';

    public override string ToString() => Convert.ToString(Value, CultureInfo.InvariantCulture) ?? "";

    /// <summary>The lowest value of a cursor column of this .NET type, when it has one: a start that any "after
    /// @cursor" condition passes, so the first poll never depends on what the query makes of NULL.</summary>
    public static SqlCursor? LowestOf(Type? type, string? dataTypeName)
    {
        object? lowest = type switch
        {
            _ when type == typeof(long) => long.MinValue,
            _ when type == typeof(int) => int.MinValue,
            _ when type == typeof(short) => short.MinValue,
            _ when type == typeof(decimal) => decimal.MinValue,
            _ when type == typeof(double) => double.MinValue,
            _ when type == typeof(float) => float.MinValue,
            // PostgreSQL's -infinity (Npgsql maps DateTime.MinValue to it) sorts before every timestamp.
            _ when type == typeof(DateTime) => DateTime.SpecifyKind(DateTime.MinValue, dataTypeName?.Contains("time zone", StringComparison.OrdinalIgnoreCase) == true ? DateTimeKind.Utc : DateTimeKind.Unspecified),
            _ when type == typeof(DateTimeOffset) => DateTimeOffset.MinValue,
            _ when type == typeof(string) => "",
            _ => null,
        };
        return lowest is null ? null : new SqlCursor(lowest, dataTypeName);
    }

    /// <summary>The cursor as text: its .NET type, its database type and its value in invariant form.</summary>
    public string ToText()
    {
        var (tag, value) = Value switch
        {
            long v => ("i64", v.ToString(CultureInfo.InvariantCulture)),
            int v => ("i32", v.ToString(CultureInfo.InvariantCulture)),
            short v => ("i16", v.ToString(CultureInfo.InvariantCulture)),
            decimal v => ("dec", v.ToString(CultureInfo.InvariantCulture)),
            double v => ("f64", v.ToString("R", CultureInfo.InvariantCulture)),
            float v => ("f32", v.ToString("R", CultureInfo.InvariantCulture)),
            DateTime v => ("dt", $"{v.Ticks.ToString(CultureInfo.InvariantCulture)}:{(int)v.Kind}"),
            DateTimeOffset v => ("dto", v.ToString("O", CultureInfo.InvariantCulture)),
            Guid v => ("uuid", v.ToString("D")),
            string v => ("str", v),
            _ => throw new NotSupportedException($"A cursor of type {Value.GetType().Name} cannot be kept with a snapshot."),
        };
        return $"{tag}{Separator}{DataTypeName}{Separator}{value}";
    }

    /// <summary>Reads <see cref="ToText"/>'s form back; false for anything else.</summary>
    public static bool TryParse(string? text, out SqlCursor? cursor)
    {
        cursor = null;
        var parts = text?.Split(Separator, 3);
        if (parts is not { Length: 3 })
        {
            return false;
        }

        var (tag, type, value) = (parts[0], parts[1].Length == 0 ? null : parts[1], parts[2]);
        var invariant = CultureInfo.InvariantCulture;
        object? parsed = tag switch
        {
            "i64" when long.TryParse(value, invariant, out var v) => v,
            "i32" when int.TryParse(value, invariant, out var v) => v,
            "i16" when short.TryParse(value, invariant, out var v) => v,
            "dec" when decimal.TryParse(value, NumberStyles.Number, invariant, out var v) => v,
            "f64" when double.TryParse(value, NumberStyles.Float, invariant, out var v) => v,
            "f32" when float.TryParse(value, NumberStyles.Float, invariant, out var v) => v,
            "dt" => ParseDateTime(value),
            "dto" when DateTimeOffset.TryParse(value, invariant, DateTimeStyles.RoundtripKind, out var v) => v,
            "uuid" when Guid.TryParse(value, out var v) => v,
            "str" => value,
            _ => null,
        };
        cursor = parsed is null ? null : new SqlCursor(parsed, type);
        return cursor is not null;
    }

    private static object? ParseDateTime(string value)
    {
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 &&
               long.TryParse(value.AsSpan(0, colon), CultureInfo.InvariantCulture, out var ticks) &&
               int.TryParse(value.AsSpan(colon + 1), CultureInfo.InvariantCulture, out var kind) &&
               ticks is >= 0 and <= 3155378975999999999 && kind is >= 0 and <= 2
            ? new DateTime(ticks, (DateTimeKind)kind)
            : null;
    }
}
