using System.Net;
using EdgeGuard.Proxy.Protection;
using EdgeGuard.Proxy.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace EdgeGuard.Proxy.Tests;

/// <summary>The held-back upstream answer: what it keeps, what it lets through, and that no byte is lost.</summary>
public sealed class ResponseCaptureTests
{
    [Theory]
    [InlineData(new[] { 80 }, null)]                 // one small write, length unknown: kept without a copy
    [InlineData(new[] { 10, 20, 300, 5, 1000 }, null)] // several writes, growing the buffer
    [InlineData(new[] { 700, 700 }, 1400L)]           // Content-Length known: sized once
    [InlineData(new[] { 1, 1, 1 }, 100L)]             // a Content-Length the body does not reach
    public async Task Body_within_the_limit_is_held_back_whole(int[] writes, long? contentLength)
    {
        var (context, client) = NewContext();
        context.Response.ContentLength = contentLength;
        var original = context.Features.Get<IHttpResponseBodyFeature>();
        var capture = ResponseCapture.Install(context, limit: 4096);
        var expected = await WriteChunksAsync(context, writes);
        await capture.UninstallAsync();

        Assert.False(capture.Overflowed);
        Assert.Empty(client.ToArray()); // nothing reached the client
        Assert.Equal(expected, capture.TakeBody());
        Assert.Same(original, context.Features.Get<IHttpResponseBodyFeature>()); // the real body is back
    }

    [Theory]
    [InlineData(new[] { 5000 })]            // over the limit at once
    [InlineData(new[] { 3000, 3000, 10 })] // over it on the second write
    public async Task Body_over_the_limit_streams_through_whole_and_in_order(int[] writes)
    {
        var (context, client) = NewContext();
        var capture = ResponseCapture.Install(context, limit: 4096);
        var expected = await WriteChunksAsync(context, writes);
        await capture.UninstallAsync();

        Assert.True(capture.Overflowed);
        Assert.Equal(expected, client.ToArray());
    }

    [Fact]
    public async Task Writes_through_the_pipe_writer_are_held_back_too()
    {
        var (context, client) = NewContext();
        var capture = ResponseCapture.Install(context, limit: 4096);
        await context.Response.BodyWriter.WriteAsync("hello"u8.ToArray());
        await capture.UninstallAsync();

        Assert.Empty(client.ToArray());
        Assert.Equal("hello"u8.ToArray(), capture.TakeBody());
    }

    private static (HttpContext Context, MemoryStream Client) NewContext()
    {
        var client = new MemoryStream();
        var context = new DefaultHttpContext();
        context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(client));
        return (context, client);
    }

    private static async Task<byte[]> WriteChunksAsync(HttpContext context, int[] sizes)
    {
        var all = new List<byte>();
        foreach (var size in sizes)
        {
            var chunk = Enumerable.Range(all.Count, size).Select(i => (byte)(i * 31 % 251)).ToArray();
            all.AddRange(chunk);
            await context.Response.Body.WriteAsync(chunk);
        }

        return [.. all];
    }
}

/// <summary>Through the gateway: an answer too large to cache reaches the client whole and is not cached.</summary>
public sealed class LargeAnswerTests : GatewayTestBase
{
    private static readonly string LargeBody = "{\"id\":\"SKU-BIG\",\"blob\":\"" + new string('x', 200_000) + "\"}";
    private static readonly string MediumBody = "{\"id\":\"SKU-MID\",\"blob\":\"" + new string('y', 150_000) + "\"}";

    protected override IEnumerable<string> KnownIds => ["SKU-BIG", "SKU-MID"];

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["EdgeGuard:Cache:MaxBodyBytes"] = "180000" };

    protected override void StubUpstream()
    {
        Upstream.Given(Request.Create().WithPath("/products/SKU-BIG").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(LargeBody));
        Upstream.Given(Request.Create().WithPath("/products/SKU-MID").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(MediumBody));
    }

    [Fact]
    public async Task Answer_over_the_cacheable_limit_is_streamed_whole_every_time_and_never_cached()
    {
        using var first = await Client.GetAsync("/products/SKU-BIG");
        using var second = await Client.GetAsync("/products/SKU-BIG");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(LargeBody, await first.Content.ReadAsStringAsync());
        Assert.Equal("upstream", second.Source());
        Assert.Equal(LargeBody, await second.Content.ReadAsStringAsync());
        Assert.Equal(2, Upstream.CallsTo("/products/SKU-BIG"));
    }

    [Fact]
    public async Task Answer_read_in_several_chunks_under_the_limit_is_cached_whole()
    {
        using var first = await Client.GetAsync("/products/SKU-MID");
        using var second = await Client.GetAsync("/products/SKU-MID");

        Assert.Equal(MediumBody, await first.Content.ReadAsStringAsync());
        Assert.Equal("cache", second.Source());
        Assert.Equal(MediumBody, await second.Content.ReadAsStringAsync());
        Assert.Equal(1, Upstream.CallsTo("/products/SKU-MID"));
    }
}
