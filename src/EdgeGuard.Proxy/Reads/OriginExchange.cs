using EdgeGuard.Proxy.Caching;
using EdgeGuard.Proxy.Configuration;
using EdgeGuard.Proxy.Observability;
using Microsoft.Extensions.ObjectPool;
using Yarp.ReverseProxy.Forwarder;

namespace EdgeGuard.Proxy.Reads;

/// <summary>
/// One GET from the gateway itself to an origin (the catalog, or a shared route's origin), through the rest of YARP's
/// pipeline: the route's transforms, load balancing, passive health checks and the forwarder apply as to a client's
/// request, with no client connection involved. The answer is held whole (up to <c>MaxBodyBytes</c>) and every status
/// comes back as an answer; a request that got none (unreachable, timed out, no destination) is reported to the
/// origin's failure counts and thrown as <see cref="UpstreamFailedException"/>.
/// </summary>
public sealed class OriginExchange
{
    private readonly ObjectPool<FetchContext> _contexts;
    private readonly IOptions<EdgeGuardOptions> _options;
    private readonly TimeProvider _time;
    private readonly ForwarderFailureReporter _failures;

    public OriginExchange(IServiceProvider services, IOptions<EdgeGuardOptions> options, TimeProvider time, ForwarderFailureReporter failures)
    {
        // As many as fetches run at once under load; past that a fetch makes its own context and drops it.
        _contexts = new DefaultObjectPool<FetchContext>(new FetchContext.Policy(services), maximumRetained: 256);
        _options = options;
        _time = time;
        _failures = failures;
    }

    /// <param name="target">Where it goes.</param>
    /// <param name="describe">Sets the request's path and headers (the method is GET).</param>
    /// <param name="keepHeader">Which of the answer's headers are kept.</param>
    /// <param name="origin">What the origin is called in a failure's message ("catalog", "origin").</param>
    /// <param name="position">The write-log position when the fetch started (see <see cref="CommitPositions"/>).</param>
    /// <param name="check">Sees the answer before it is returned, and throws for one its caller takes as a failure.</param>
    public async Task<UpstreamAnswer> SendAsync<TState>(
        FetchTarget target, TState state, Action<HttpRequest, TState> describe, Func<string, bool> keepHeader, string origin, long position,
        CancellationToken cancellationToken, Action<UpstreamAnswer, TState>? check = null)
    {
        var fetch = _contexts.Get();
        try
        {
            describe(fetch.Prepare(target, _options.Value.Cache.MaxBodyBytes, cancellationToken), state);
            var requestTime = _time.GetUtcNow();
            await target.Pipeline(fetch.Http).ConfigureAwait(false);
            var responseTime = _time.GetUtcNow();

            var response = fetch.Http.Response;
            UpstreamAnswer answer;
            if (fetch.Body.Overflowed)
            {
                answer = new UpstreamAnswer(response.StatusCode, Kept(fetch.ResponseHeaders, keepHeader), ReadOnlyMemory<byte>.Empty, TooLarge: true,
                    requestTime, responseTime, position);
                check?.Invoke(answer, state);
                return answer;
            }

            var failure = fetch.Http.Features.Get<IForwarderErrorFeature>();
            if (failure is { Error: not ForwarderError.None and var error })
            {
                _failures.Report(error, failure.Exception, target.ClusterId);
                throw error switch
                {
                    ForwarderError.RequestTimedOut => new UpstreamFailedException(StatusCodes.Status504GatewayTimeout, $"The {origin} did not answer in time."),
                    ForwarderError.NoAvailableDestinations => new UpstreamFailedException(StatusCodes.Status503ServiceUnavailable, $"No {origin} destination is available."),
                    _ => new UpstreamFailedException(StatusCodes.Status502BadGateway, $"The {origin} could not be reached ({error})."),
                };
            }

            answer = new UpstreamAnswer(response.StatusCode, Kept(fetch.ResponseHeaders, keepHeader), fetch.Body.Take(), TooLarge: false, requestTime, responseTime, position);
            check?.Invoke(answer, state);
            return answer;
        }
        finally
        {
            _contexts.Return(fetch);
        }
    }

    /// <summary>The headers <paramref name="keep"/> keeps, one pair per value, in order, in an array of their exact number.</summary>
    private static KeyValuePair<string, string>[] Kept(HeaderDictionary headers, Func<string, bool> keep)
    {
        var count = 0;
        foreach (var (name, values) in headers)
        {
            if (keep(name))
            {
                count += values.Count;
            }
        }

        if (count == 0)
        {
            return [];
        }

        var kept = new KeyValuePair<string, string>[count];
        var i = 0;
        foreach (var (name, values) in headers)
        {
            if (!keep(name))
            {
                continue;
            }

            foreach (var value in values)
            {
                kept[i++] = new(name, value ?? "");
            }
        }

        return kept;
    }
}
