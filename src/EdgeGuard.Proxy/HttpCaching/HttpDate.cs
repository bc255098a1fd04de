using System.Globalization;

namespace EdgeGuard.Proxy.HttpCaching;

/// <summary>
/// HTTP-date (RFC 9110 5.6.7) in its three forms only: IMF-fixdate (<c>Sun, 06 Nov 1994 08:49:37 GMT</c>), the
/// obsolete RFC 850 form (<c>Sunday, 06-Nov-94 08:49:37 GMT</c>) and asctime (<c>Sun Nov  6 08:49:37 1994</c>).
/// Anything else is invalid, which for <c>Expires</c> means already expired (RFC 9111 5.3). The BCL's exact parser
/// reads them; <c>HeaderUtilities.TryParseDate</c> is not used because it also accepts forms the RFC does not (a
/// one-digit hour, runs of spaces). Letters are read case-insensitively and the weekday is not checked against the
/// date, as recipients commonly do. A two-digit year more than 50 years ahead is read in the past century.
/// </summary>
public static class HttpDate
{
    private static readonly string[] ImfFixdate = ["dd MMM yyyy HH':'mm':'ss 'GMT'"];
    private static readonly string[] Rfc850 = ["dd'-'MMM'-'yy HH':'mm':'ss 'GMT'"];
    private static readonly string[] Asctime = ["MMM dd HH':'mm':'ss yyyy", "MMM  d HH':'mm':'ss yyyy"];

    public static bool TryParse(string? value, out DateTimeOffset date)
    {
        date = default;
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        var text = value.Trim().ToUpperInvariant();
        var comma = text.IndexOf(',', StringComparison.Ordinal);
        if (comma > 0)
        {
            // "Sun, 06 Nov 1994 ..." or "Sunday, 06-Nov-94 ...": a three-letter weekday means IMF-fixdate.
            if (comma + 2 > text.Length || text[comma + 1] != ' ' || !IsLetters(text.AsSpan(0, comma)))
            {
                return false;
            }

            var rest = text[(comma + 2)..];
            return comma == 3 ? Exact(rest, ImfFixdate, CultureInfo.InvariantCulture, out date) : Exact(rest, Rfc850, TwoDigitYears(), out date);
        }

        // asctime: "Sun Nov  6 08:49:37 1994"
        return text.Length > 4 && text[3] == ' ' && IsLetters(text.AsSpan(0, 3)) && Exact(text[4..], Asctime, CultureInfo.InvariantCulture, out date);
    }

    private static bool Exact(string text, string[] formats, IFormatProvider culture, out DateTimeOffset date) =>
        DateTimeOffset.TryParseExact(text, formats, culture, DateTimeStyles.AssumeUniversal, out date);

    private static bool IsLetters(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiLetter(c))
            {
                return false;
            }
        }

        return text.Length > 0;
    }

    private static CultureInfo TwoDigitYears()
    {
        var culture = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        culture.DateTimeFormat.Calendar.TwoDigitYearMax = DateTime.UtcNow.Year + 50;
        return culture;
    }
}
