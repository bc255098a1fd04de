using Microsoft.Net.Http.Headers;

namespace EdgeGuard.Proxy.HttpCaching;

/// <summary>
/// <c>CDN-Cache-Control</c> (RFC 9213): cache directives aimed at a CDN, which the shared routes are. When the field
/// is present and valid it replaces <c>Cache-Control</c> and <c>Expires</c> for the gateway's own caching decisions
/// (both are still stored and replayed for the caches downstream). Its syntax is a Structured Field dictionary
/// (RFC 8941 3.2): lowercase keys, an optional value of a typed item, optional parameters. A field that does not parse,
/// or whose <c>max-age</c>, <c>s-maxage</c>, <c>stale-while-revalidate</c> or <c>stale-if-error</c> is not a
/// non-negative integer, is ignored whole, as RFC 9213 2.1 requires. The parser below reads only that dictionary form:
/// no .NET library parses Structured Fields.
/// </summary>
public static class TargetedCacheControl
{
    public const string HeaderName = "CDN-Cache-Control";

    private static readonly HashSet<string> IntegerDirectives = new(StringComparer.Ordinal) { "max-age", "s-maxage", "stale-while-revalidate", "stale-if-error" };

    /// <summary>The directives a shared route decides with: the valid <c>CDN-Cache-Control</c>'s, else <c>Cache-Control</c>'s.</summary>
    public static (CacheDirectives Directives, bool Targeted) For(IReadOnlyList<KeyValuePair<string, string>> headers) =>
        Parse(HeaderFields.Lines(headers, HeaderName)) is { } targeted
            ? (targeted, true)
            : (CacheDirectives.Parse(HeaderFields.Lines(headers, HeaderNames.CacheControl)), false);

    /// <summary>The field's directives, or null when it is absent or invalid.</summary>
    public static CacheDirectives? Parse(IReadOnlyList<string> fieldLines)
    {
        if (fieldLines.Count == 0)
        {
            return null;
        }

        var members = new List<string>();
        var text = string.Join(", ", fieldLines);
        var position = 0;
        while (true)
        {
            SkipSpaces(text, ref position, tabsToo: false);
            if (!TryMember(text, ref position, out var member, out var value))
            {
                return null;
            }

            if (IntegerDirectives.Contains(member) && (value is null || !IsNonNegativeInteger(value)))
            {
                return null; // the wrong type for a directive the gateway uses: the whole field is ignored
            }

            members.Add(value is null ? member : member + "=" + value);
            SkipSpaces(text, ref position, tabsToo: true);
            if (position == text.Length)
            {
                break;
            }

            if (text[position] != ',')
            {
                return null;
            }

            position++;
            SkipSpaces(text, ref position, tabsToo: true);
            if (position == text.Length)
            {
                return null; // a trailing comma
            }
        }

        // The members, now known to be well formed, read as cache directives.
        return CacheDirectives.Parse([string.Join(", ", members)]);
    }

    private static bool TryMember(string text, ref int position, out string key, out string? value)
    {
        value = null;
        if (!TryKey(text, ref position, out key))
        {
            return false;
        }

        if (position < text.Length && text[position] == '=')
        {
            position++;
            var start = position;
            if (!TrySkipBareItem(text, ref position))
            {
                return false;
            }

            value = text[start..position];
        }

        // Parameters: *( ";" *SP key [ "=" bare-item ] ), read and dropped.
        while (position < text.Length && text[position] == ';')
        {
            position++;
            SkipSpaces(text, ref position, tabsToo: false);
            if (!TryKey(text, ref position, out _))
            {
                return false;
            }

            if (position < text.Length && text[position] == '=')
            {
                position++;
                if (!TrySkipBareItem(text, ref position))
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>key = ( lcalpha / "*" ) *( lcalpha / DIGIT / "_" / "-" / "." / "*" )</summary>
    private static bool TryKey(string text, ref int position, out string key)
    {
        var start = position;
        if (position >= text.Length || !(char.IsAsciiLetterLower(text[position]) || text[position] == '*'))
        {
            key = "";
            return false;
        }

        position++;
        while (position < text.Length && (char.IsAsciiLetterLower(text[position]) || char.IsAsciiDigit(text[position]) || text[position] is '_' or '-' or '.' or '*'))
        {
            position++;
        }

        key = text[start..position];
        return true;
    }

    /// <summary>An integer or decimal, a string, a token, a byte sequence or a boolean (RFC 8941 4.2.3.1).</summary>
    private static bool TrySkipBareItem(string text, ref int position)
    {
        if (position >= text.Length)
        {
            return false;
        }

        var c = text[position];
        if (c == '-' || char.IsAsciiDigit(c))
        {
            var start = position;
            if (c == '-')
            {
                position++;
            }

            var digits = 0;
            var fraction = -1;
            while (position < text.Length && (char.IsAsciiDigit(text[position]) || (text[position] == '.' && fraction < 0)))
            {
                if (text[position] == '.')
                {
                    fraction = 0;
                }
                else if (fraction >= 0)
                {
                    fraction++;
                }
                else
                {
                    digits++;
                }

                position++;
            }

            return digits is > 0 and <= 15 && (fraction < 0 ? true : fraction is > 0 and <= 3 && digits <= 12) && position > start;
        }

        if (c == '"')
        {
            position++;
            while (position < text.Length)
            {
                var s = text[position++];
                if (s == '\\')
                {
                    if (position >= text.Length || text[position] is not ('"' or '\\'))
                    {
                        return false;
                    }

                    position++;
                }
                else if (s == '"')
                {
                    return true;
                }
                else if (s < 0x20 || s > 0x7e)
                {
                    return false;
                }
            }

            return false;
        }

        if (char.IsAsciiLetter(c) || c == '*')
        {
            position++;
            while (position < text.Length && (IsTChar(text[position]) || text[position] is ':' or '/'))
            {
                position++;
            }

            return true;
        }

        if (c == ':')
        {
            var end = text.IndexOf(':', position + 1);
            if (end < 0)
            {
                return false;
            }

            for (var i = position + 1; i < end; i++)
            {
                if (!(char.IsAsciiLetterOrDigit(text[i]) || text[i] is '+' or '/' or '='))
                {
                    return false;
                }
            }

            position = end + 1;
            return true;
        }

        if (c == '?' && position + 1 < text.Length && text[position + 1] is '0' or '1')
        {
            position += 2;
            return true;
        }

        return false;
    }

    private static bool IsNonNegativeInteger(string value) => value.Length is > 0 and <= 15 && value.All(char.IsAsciiDigit);

    private static bool IsTChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~';

    private static void SkipSpaces(string text, ref int position, bool tabsToo)
    {
        while (position < text.Length && (text[position] == ' ' || (tabsToo && text[position] == '\t')))
        {
            position++;
        }
    }
}
