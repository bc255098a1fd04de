using System.Diagnostics;
using EdgeGuard.Proxy.Caching;
using EdgeGuard.Proxy.Observability;
using Microsoft.Net.Http.Headers;

namespace EdgeGuard.Proxy.Reads;

/// <summary>
/// Fetches a product from the catalog on behalf of everyone waiting for it (<see cref="OriginExchange"/>). The request
/// carries no cookies, credentials, conditionals or Accept-Encoding of any client: what it gets back may be shared with
/// all of them. A 5xx, like no answer at all, is thrown as <see cref="UpstreamFailedException"/> (never cached).
/// </summary>
public sealed class UpstreamFetcher
{
    private static readonly HashSet<string> NotReplayed = new(StringComparer.OrdinalIgnoreCase)
    {
        // Hop-by-hop (RFC 9110 7.6.1), then what the gateway sets itself.
        HeaderNames.Connection, HeaderNames.KeepAlive, HeaderNames.ProxyAuthenticate, HeaderNames.ProxyAuthorization,
        HeaderNames.TE, HeaderNames.Trailer, HeaderNames.TransferEncoding, HeaderNames.Upgrade, "Proxy-Connection",
        HeaderNames.ContentLength, HeaderNames.Date, HeaderNames.Age,
    };

    private static readonly Func<string, bool> Replayed = name =>
        !NotReplayed.Contains(name) && !name.StartsWith(AnswerSource.HeaderPrefix, StringComparison.OrdinalIgnoreCase);

    private static readonly Action<HttpRequest, FetchRequest> Describe = static (outgoing, request) =>
    {
        outgoing.Scheme = request.Scheme;
        outgoing.Host = request.Host;
        outgoing.Path = request.Path;
        if (!Microsoft.Extensions.Primitives.StringValues.IsNullOrEmpty(request.Accept))
        {
            outgoing.Headers.Accept = request.Accept;
        }

        if (!Microsoft.Extensions.Primitives.StringValues.IsNullOrEmpty(request.AcceptLanguage))
        {
            outgoing.Headers.AcceptLanguage = request.AcceptLanguage;
        }
    };

    private readonly OriginExchange _exchange;
    private readonly CommitPositions _commits;
    private readonly ForwarderFailureReporter _failures;
    private readonly EdgeGuardMetrics _metrics;

    // Made once: a method group passed as a delegate would allocate one per fetch.
    private readonly Action<UpstreamAnswer, FetchRequest> _check;

    public UpstreamFetcher(OriginExchange exchange, CommitPositions commits, ForwarderFailureReporter failures, EdgeGuardMetrics metrics)
    {
        _exchange = exchange;
        _commits = commits;
        _failures = failures;
        _metrics = metrics;
        _check = ThrowIfFailed;
    }

    /// <summary>Not an async method: the exchange sees the answer (<see cref="ThrowIfFailed"/>) before it returns it.</summary>
    public Task<UpstreamAnswer> FetchAsync(FetchRequest request, CancellationToken cancellationToken)
    {
        // The fetch answers every caller waiting for the id, not the request that started it: it is no child of that
        // request's trace (and the HTTP client starts no activity of its own for it).
        Activity.Current = null;
        _metrics.UpstreamRequests.Add(1);
        return _exchange.SendAsync(request.Target, request, Describe, Replayed, "catalog", _commits.Applied, cancellationToken, _check);
    }

    private void ThrowIfFailed(UpstreamAnswer answer, FetchRequest request)
    {
        if (!answer.TooLarge && answer.StatusCode >= 500)
        {
            _failures.ReportAnswer(answer.StatusCode, request.Target.ClusterId);
            throw new UpstreamFailedException(answer.StatusCode is 503 or 504 ? answer.StatusCode : StatusCodes.Status502BadGateway, $"The catalog answered {answer.StatusCode}.");
        }
    }
}
