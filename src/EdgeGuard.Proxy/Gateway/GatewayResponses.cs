using System.Globalization;
using System.Text.Json;
using EdgeGuard.Proxy.Budget;
using EdgeGuard.Proxy.Caching;
using EdgeGuard.Proxy.HttpCaching;
using EdgeGuard.Proxy.Observability;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;

namespace EdgeGuard.Proxy.Gateway;

/// <summary>The answers the gateway writes itself: refusals, absences, and cached answers replayed.</summary>
internal static class GatewayResponses
{
    public const string ProblemJson = "application/problem+json";

    private const string AbsentContentType = "application/json";

    /// <summary>Headers a 304 carries from the answer it stands for (RFC 9110 15.4.5).</summary>
    private static readonly string[] NotModifiedHeaders =
        [HeaderNames.ETag, HeaderNames.CacheControl, HeaderNames.ContentLocation, HeaderNames.Expires, HeaderNames.Vary, HeaderNames.LastModified];

    /// <summary>404 for an id that does not exist, as the filter or a negative entry says.</summary>
    public static Task WriteAbsentAsync(HttpContext context, string id, string source) =>
        WriteAsync(context, StatusCodes.Status404NotFound, AbsentContentType,
            JsonSerializer.SerializeToUtf8Bytes(new ProductAbsent(id, false, source), EdgeGuardJsonContext.Default.ProductAbsent), source);

    public static Task WriteProblemAsync(HttpContext context, int status, string title, string detail, string? source = null)
    {
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail, Instance = context.Request.Path };
        return WriteAsync(context, status, ProblemJson, JsonSerializer.SerializeToUtf8Bytes(problem, EdgeGuardJsonContext.Default.ProblemDetails), source);
    }

    /// <summary>429 for a client over its budget of requests that reach the catalog, with when to come back.</summary>
    public static Task WriteOverBudgetAsync(HttpContext context, BudgetRefusal refusal)
    {
        context.Response.Headers.RetryAfter = refusal.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return WriteProblemAsync(context, StatusCodes.Status429TooManyRequests, "Too many catalog requests",
            "This client has used its budget of requests that reach the catalog (cache misses). Cached products and " +
            $"unknown ids are still answered; retry others after {refusal.RetryAfterSeconds} s.", AnswerSource.Budget);
    }

    /// <summary>
    /// Replays the catalog's answer as the cache holds it: status, end-to-end headers and body, plus
    /// <c>Age</c>. A conditional request (<c>If-None-Match</c>, else <c>If-Modified-Since</c>) that matches it
    /// is answered 304 with the validators and caching headers only.
    /// </summary>
    public static Task ReplayAsync(HttpContext context, CacheEntry entry, string source, DateTimeOffset now)
    {
        var response = context.Response;
        var age = Math.Max(0, (long)(now - entry.FetchedAt).TotalSeconds);
        response.Headers[AnswerSource.HeaderName] = source;
        if (entry.StatusCode == StatusCodes.Status200OK && Preconditions.IsNotModified(context.Request.Headers, entry.StatusCode, entry.Headers))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            foreach (var name in NotModifiedHeaders)
            {
                if (entry.Header(name) is { } value)
                {
                    response.Headers.Append(name, value);
                }
            }

            response.Headers.Age = age.ToString(CultureInfo.InvariantCulture);
            return Task.CompletedTask;
        }

        response.StatusCode = entry.StatusCode;
        // By index: a foreach over the interface would allocate an enumerator on every hit.
        var headers = entry.Headers;
        for (var i = 0; i < headers.Count; i++)
        {
            response.Headers.Append(headers[i].Key, headers[i].Value);
        }

        response.Headers.Age = age.ToString(CultureInfo.InvariantCulture);
        response.ContentLength = entry.Body.Length;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : response.Body.WriteAsync(entry.Body).AsTask();
    }

    /// <summary>The catalog's own answer to a fetch this request led (e.g. its 404 body), as it came.</summary>
    /// <param name="withCookies">Its <c>Set-Cookie</c> too: the answer goes to this client alone, as its own request's would.</param>
    public static Task ReplayAsync(HttpContext context, UpstreamAnswer answer, string source, bool withCookies = false)
    {
        var response = context.Response;
        response.StatusCode = answer.StatusCode;
        var headers = answer.Headers;
        for (var i = 0; i < headers.Count; i++) // by index, as above
        {
            if (withCookies || !headers[i].Key.Equals(HeaderNames.SetCookie, StringComparison.OrdinalIgnoreCase))
            {
                response.Headers.Append(headers[i].Key, headers[i].Value);
            }
        }

        response.Headers[AnswerSource.HeaderName] = source;
        response.ContentLength = answer.Body.Length;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : response.Body.WriteAsync(answer.Body).AsTask();
    }

    private static Task WriteAsync(HttpContext context, int status, string? contentType, ReadOnlyMemory<byte> body, string? source)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = contentType;
        response.ContentLength = body.Length;
        if (source is not null)
        {
            response.Headers[AnswerSource.HeaderName] = source;
        }

        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : response.Body.WriteAsync(body).AsTask();
    }
}
