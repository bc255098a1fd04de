using System.Globalization;
using EdgeGuard.Proxy.Caching;
using EdgeGuard.Proxy.HttpCaching;
using EdgeGuard.Proxy.Observability;
using Microsoft.Net.Http.Headers;

namespace EdgeGuard.Proxy.SharedCache;

/// <summary>What a shared route writes itself: a stored answer replayed, a 304 for a matching conditional, a fetched answer relayed.</summary>
internal static class SharedResponses
{
    /// <summary>Headers a 304 carries from the answer it stands for (RFC 9110 15.4.5), <c>Date</c> included.</summary>
    private static readonly string[] NotModifiedHeaders =
        [HeaderNames.CacheControl, HeaderNames.ContentLocation, HeaderNames.Date, HeaderNames.ETag, HeaderNames.Expires, HeaderNames.LastModified, HeaderNames.Vary];

    /// <summary>
    /// Replays a stored answer: its status, its end-to-end headers as the origin sent them (its <c>Date</c> included),
    /// an <c>Age</c> (RFC 9111 4.2.3), and its body (none for HEAD). A conditional request it satisfies gets a 304.
    /// </summary>
    public static Task ReplayAsync(HttpContext context, CacheEntry entry, string source, DateTimeOffset now)
    {
        var response = context.Response;
        response.Headers[AnswerSource.HeaderName] = source;
        var age = ((long)Math.Floor(entry.AgeAt(now).TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        var lastModifiedFallback = Freshness.DateValue(entry.Headers, entry.FetchedAt);
        if (Preconditions.IsNotModified(context.Request.Headers, entry.StatusCode, entry.Headers, lastModifiedFallback))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            foreach (var name in NotModifiedHeaders)
            {
                foreach (var value in HeaderFields.Lines(entry.Headers, name))
                {
                    response.Headers.Append(name, value);
                }
            }

            response.Headers.Age = age;
            return Task.CompletedTask;
        }

        response.StatusCode = entry.StatusCode;
        AppendHeaders(response, entry.Headers);
        response.Headers.Age = age;
        if (entry.StatusCode == StatusCodes.Status200OK && SingleRange(context.Request, entry.Body.Length) is { } range)
        {
            response.StatusCode = StatusCodes.Status206PartialContent;
            response.Headers.ContentRange = new ContentRangeHeaderValue(range.From, range.To, entry.Body.Length).ToString();
            return WriteBodyAsync(context, StatusCodes.Status206PartialContent, entry.Body.Slice((int)range.From, (int)(range.To - range.From + 1)));
        }

        return WriteBodyAsync(context, entry.StatusCode, entry.Body);
    }

    /// <summary>The one satisfiable byte range the request asks for (first and last byte), or null (none, several, unsatisfiable).</summary>
    private static (long From, long To)? SingleRange(HttpRequest request, long length)
    {
        if (request.Headers.Range.Count == 0 || length == 0 ||
            !RangeHeaderValue.TryParse(request.Headers.Range.ToString(), out var parsed) ||
            !parsed.Unit.Equals("bytes", StringComparison.OrdinalIgnoreCase) || parsed.Ranges.Count != 1)
        {
            return null;
        }

        var item = parsed.Ranges.Single();
        long from, to;
        if (item.From is { } start)
        {
            from = start;
            to = item.To is { } end && end < length ? end : length - 1;
        }
        else if (item.To is { } suffix && suffix > 0)
        {
            from = Math.Max(0, length - suffix);
            to = length - 1;
        }
        else
        {
            return null;
        }

        return from < length && from <= to ? (from, to) : null;
    }

    /// <summary>The origin's answer to this request's own fetch, as it came (its <c>Set-Cookie</c> too: it is this client's).</summary>
    public static Task RelayAsync(HttpContext context, UpstreamAnswer answer, string source)
    {
        var response = context.Response;
        response.StatusCode = answer.StatusCode;
        AppendHeaders(response, answer.Headers);
        response.Headers[AnswerSource.HeaderName] = source;
        return WriteBodyAsync(context, answer.StatusCode, answer.Body);
    }

    private static void AppendHeaders(HttpResponse response, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        for (var i = 0; i < headers.Count; i++) // by index: no enumerator allocated
        {
            response.Headers.Append(headers[i].Key, headers[i].Value);
        }
    }

    private static Task WriteBodyAsync(HttpContext context, int status, ReadOnlyMemory<byte> body)
    {
        if (status is StatusCodes.Status204NoContent or StatusCodes.Status304NotModified or < 200)
        {
            return Task.CompletedTask;
        }

        context.Response.ContentLength = body.Length;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.Body.WriteAsync(body).AsTask();
    }
}
