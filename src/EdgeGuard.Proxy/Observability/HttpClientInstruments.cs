using System.Diagnostics.Metrics;

namespace EdgeGuard.Proxy.Observability;

/// <summary>
/// Creates the HTTP client's instruments (meter <c>System.Net.Http</c>, the process's and this host's) before anything
/// sends a request. The framework's metrics subscription (Microsoft.Extensions.Diagnostics 10.0) applies its rules
/// through a listener that sees instruments published by other threads without its lock: an instrument first created
/// while it does so is added twice, and the request whose handler created it fails (the forwarder answered 502 to
/// the first product read after a start now and then). Once created, an instrument is reused by every later handler,
/// so nothing is published concurrently any more. A handler's instruments are made when it is first used: here with
/// a request whose connection the handler refuses to open, so nothing leaves the process.
/// </summary>
public static class HttpClientInstruments
{
    public static void CreateNow(IMeterFactory meterFactory)
    {
        CreateFor(meterFactory);
        CreateFor(meterFactory: null); // handlers given no factory use the process-wide meter
    }

    private static void CreateFor(IMeterFactory? meterFactory)
    {
        using var invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            MeterFactory = meterFactory,
            ConnectCallback = (_, _) => ValueTask.FromException<Stream>(new NotSupportedException("No connection is opened: this request only makes the handler's instruments.")),
        });
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://edgeguard.invalid/");
        try
        {
            invoker.SendAsync(request, CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (HttpRequestException)
        {
            // Refused before any connection, as meant.
        }
    }
}
