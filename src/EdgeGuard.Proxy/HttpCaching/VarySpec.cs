using System.Text;
using Microsoft.Net.Http.Headers;

namespace EdgeGuard.Proxy.HttpCaching;

/// <summary>
/// The request headers an answer varies on (<c>Vary</c>, RFC 9111 4.1), and the secondary key a request's values
/// of them make. Values are normalised as 4.1 allows: field lines combined, whitespace around list members removed;
/// for the Accept family (<c>Accept</c>, <c>Accept-Charset</c>, <c>Accept-Encoding</c>, <c>Accept-Language</c>),
/// whose members are case-insensitive and whose order does not matter once each carries its weight, members are
/// also lower-cased and sorted. An absent header and an empty one are different values.
/// </summary>
public sealed class VarySpec
{
    private static readonly HashSet<string> UnorderedLists = new(StringComparer.OrdinalIgnoreCase)
    {
        HeaderNames.Accept, HeaderNames.AcceptCharset, HeaderNames.AcceptEncoding, HeaderNames.AcceptLanguage,
    };

    private VarySpec(bool matchesNothing, IReadOnlyList<string> names)
    {
        MatchesNothing = matchesNothing;
        Names = names;
    }

    /// <summary><c>Vary: *</c> (anywhere in the list): no later request can be matched to the answer.</summary>
    public bool MatchesNothing { get; }

    /// <summary>The header names, lower-cased, distinct, sorted.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The answer's <c>Vary</c>, or null when it varies on nothing.</summary>
    public static VarySpec? Parse(IReadOnlyList<string> fieldLines)
    {
        if (fieldLines.Count == 0)
        {
            return null;
        }

        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var line in fieldLines)
        {
            foreach (var member in line.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (member == "*")
                {
                    return new VarySpec(true, []);
                }

                names.Add(member.ToLowerInvariant());
            }
        }

        return names.Count == 0 ? null : new VarySpec(false, [.. names]);
    }

    /// <summary>The names as one header value, for storing.</summary>
    public string Format() => MatchesNothing ? "*" : string.Join(", ", Names);

    /// <summary>
    /// The secondary key for a request: each varying header's normalised value. <paramref name="forwarded"/> says
    /// whether a header reaches the origin at all; one that never does (the cache's own fetch leaves it out) cannot
    /// have made the answer differ, and keys as absent whatever the client sent.
    /// </summary>
    public string SecondaryKey(IHeaderDictionary request, Func<string, bool> forwarded)
    {
        var key = new StringBuilder();
        foreach (var name in Names)
        {
            key.Append(name).Append(':');
            var values = request[name];
            if (values.Count == 0 || !forwarded(name))
            {
                key.Append('\u0000'); // absent, unlike any value
            }
            else
            {
                key.Append(Normalise(name, values));
            }

            key.Append('\n');
        }

        return key.ToString();
    }

    /// <summary>A header's value as the secondary key holds it (see the type's summary).</summary>
    public static string Normalise(string name, IEnumerable<string?> fieldLines)
    {
        var members = new List<string>();
        foreach (var line in fieldLines)
        {
            if (line is null)
            {
                continue;
            }

            foreach (var member in line.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                members.Add(member);
            }
        }

        if (UnorderedLists.Contains(name))
        {
            for (var i = 0; i < members.Count; i++)
            {
                members[i] = members[i].Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant();
            }

            members.Sort(StringComparer.Ordinal);
        }

        return string.Join(',', members);
    }
}
