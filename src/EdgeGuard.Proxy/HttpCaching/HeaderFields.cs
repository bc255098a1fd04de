namespace EdgeGuard.Proxy.HttpCaching;

/// <summary>Reads a header's field lines out of a header list kept in order (a stored or fetched answer's headers).</summary>
public static class HeaderFields
{
    /// <summary>Every field line named <paramref name="name"/>, in order (the one shared empty array when there is none).</summary>
    public static string[] Lines(IReadOnlyList<KeyValuePair<string, string>> headers, string name)
    {
        var count = 0;
        for (var i = 0; i < headers.Count; i++) // by index: no enumerator allocated
        {
            if (string.Equals(headers[i].Key, name, StringComparison.OrdinalIgnoreCase))
            {
                count++;
            }
        }

        if (count == 0)
        {
            return [];
        }

        var lines = new string[count];
        for (int i = 0, found = 0; found < count; i++)
        {
            if (string.Equals(headers[i].Key, name, StringComparison.OrdinalIgnoreCase))
            {
                lines[found++] = headers[i].Value;
            }
        }

        return lines;
    }

    /// <summary>The first field line named <paramref name="name"/>, or null.</summary>
    public static string? First(IReadOnlyList<KeyValuePair<string, string>> headers, string name)
    {
        for (var i = 0; i < headers.Count; i++)
        {
            if (string.Equals(headers[i].Key, name, StringComparison.OrdinalIgnoreCase))
            {
                return headers[i].Value;
            }
        }

        return null;
    }

    public static bool Contains(IReadOnlyList<KeyValuePair<string, string>> headers, string name) => First(headers, name) is not null;
}
