using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.ObjectPool;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace EdgeGuard.Proxy.Reads;

/// <summary>
/// The context of a fetch: the gateway's own request, sent through the rest of YARP's pipeline with no client
/// connection involved, and its answer held whole (<see cref="HeldBody"/>). Contexts are pooled and reset before each
/// fetch (<see cref="Prepare"/>): the context's features and header dictionaries are most of what a fetch would
/// allocate otherwise. A fetch returns its context when it has read the answer out of it.
/// </summary>
internal sealed class FetchContext
{
    private readonly FeatureCollection _features = new();
    private readonly HttpRequestFeature _request = new();
    private readonly HttpResponseFeature _response = new();
    private readonly HeaderDictionary _responseHeaders = new();
    private readonly HttpRequestLifetimeFeature _lifetime = new();
    private readonly ProxyFeature _proxy = new();
    private readonly HeldBodyFeature _body = new();

    public FetchContext(IServiceProvider services)
    {
        _features.Set<IHttpRequestFeature>(_request);
        _response.Headers = _responseHeaders;
        _features.Set<IHttpResponseFeature>(_response);
        _features.Set<IHttpResponseBodyFeature>(_body);
        _features.Set<IHttpRequestLifetimeFeature>(_lifetime);
        _features.Set<IServiceProvidersFeature>(new RequestServicesFeature(services));
        _features.Set<IReverseProxyFeature>(_proxy);
        _features.Set(Mark.Instance);
        Http = new DefaultHttpContext(_features);
    }

    public DefaultHttpContext Http { get; }

    /// <summary>True for a fetch's context: its failures are reported by <see cref="OriginExchange"/>, not by the
    /// middleware that reports a client's (<see cref="Observability.ForwarderFailureMiddleware"/>).</summary>
    public static bool IsFetch(HttpContext context) => context.Features.Get<Mark>() is not null;

    public HeldBody Body => _body.Held;

    /// <summary>The answer's headers, as the forwarder wrote them (the response's own dictionary, typed: enumerated
    /// without boxing an enumerator).</summary>
    public HeaderDictionary ResponseHeaders => _responseHeaders;

    /// <summary>A GET of nothing yet, towards <paramref name="target"/>, holding at most <paramref name="maxBodyBytes"/>.</summary>
    public HttpRequest Prepare(FetchTarget target, int maxBodyBytes, CancellationToken cancellationToken)
    {
        Http.Uninitialize();
        (_request.Method, _request.Scheme, _request.Protocol) = (HttpMethods.Get, "http", "HTTP/1.1");
        (_request.PathBase, _request.Path, _request.QueryString, _request.RawTarget) = ("", "", "", "");
        _request.Headers.Clear();
        _request.Body = Stream.Null;
        (_response.StatusCode, _response.ReasonPhrase) = (StatusCodes.Status200OK, null);
        _response.Headers.Clear();
        _lifetime.RequestAborted = cancellationToken;
        _proxy.Route = target.Route;
        _proxy.Cluster = target.Cluster;
        _proxy.AllDestinations = target.AllDestinations;
        _proxy.AvailableDestinations = target.Destinations;
        _proxy.ProxiedDestination = null;
        _features.Set<IForwarderErrorFeature>(null);
        _features.Set<IItemsFeature>(null);
        _body.Held.Reset(maxBodyBytes);
        Http.Initialize(_features);
        return Http.Request;
    }

    /// <summary>Lets go of what the last fetch left (its answer's headers and body, the route it went to).</summary>
    public void Clear()
    {
        _request.Headers.Clear();
        _response.Headers.Clear();
        _body.Held.Reset(0);
        _proxy.Route = null!;
        _proxy.Cluster = null!;
        _proxy.AllDestinations = [];
        _proxy.AvailableDestinations = [];
        _proxy.ProxiedDestination = null;
        _lifetime.RequestAborted = CancellationToken.None;
    }

    /// <summary>The response body, held: the forwarder writes the catalog's body into it.</summary>
    private sealed class HeldBodyFeature : IHttpResponseBodyFeature
    {
        public HeldBody Held { get; } = new();

        public Stream Stream => Held;

        public System.IO.Pipelines.PipeWriter Writer => field ??= System.IO.Pipelines.PipeWriter.Create(Held, new(leaveOpen: true));

        public void DisableBuffering()
        {
        }

        public Task StartAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("A fetch's answer is held in memory.");

        public Task CompleteAsync() => Writer.FlushAsync().AsTask();
    }

    /// <summary>YARP's view of the fetch (its own <see cref="ReverseProxyFeature"/> is set once): where it goes.</summary>
    private sealed class ProxyFeature : IReverseProxyFeature
    {
        public RouteModel Route { get; set; } = null!;

        public ClusterModel Cluster { get; set; } = null!;

        public IReadOnlyList<DestinationState> AllDestinations { get; set; } = [];

        public IReadOnlyList<DestinationState> AvailableDestinations { get; set; } = [];

        public DestinationState? ProxiedDestination { get; set; }
    }

    /// <summary>Set on every fetch context (see <see cref="IsFetch"/>).</summary>
    private sealed class Mark
    {
        public static readonly Mark Instance = new();
    }

    private sealed class RequestServicesFeature(IServiceProvider services) : IServiceProvidersFeature
    {
        public IServiceProvider RequestServices { get; set; } = services;
    }

    /// <summary>Makes contexts for the pool; every one is taken back (each is reset before its next fetch).</summary>
    public sealed class Policy(IServiceProvider services) : IPooledObjectPolicy<FetchContext>
    {
        public FetchContext Create() => new(services);

        public bool Return(FetchContext context)
        {
            context.Clear();
            return true;
        }
    }
}
