namespace EdgeGuard.Proxy.Tests.HttpCaching;

[Trait("Category", "Unit")]
public sealed class HttpDateTests
{
    private static readonly DateTimeOffset Expected = new(2050, 8, 18, 2, 1, 18, TimeSpan.Zero);

    [Theory]
    [InlineData("Thu, 18 Aug 2050 02:01:18 GMT")] // IMF-fixdate
    [InlineData("THU, 18 AUG 2050 02:01:18 gMT")] // letters in any case
    [InlineData("Thursday, 18-Aug-50 02:01:18 GMT")] // RFC 850: a two-digit year within 50 years ahead is this century's
    public void The_rfc_forms_are_read(string value)
    {
        Assert.True(HttpDate.TryParse(value, out var date));
        Assert.Equal(Expected, date);
    }

    [Fact]
    public void Asctime_is_read_with_its_space_padded_day()
    {
        Assert.True(HttpDate.TryParse("Thu Aug  8 02:01:18 2050", out var date));
        Assert.Equal(new DateTimeOffset(2050, 8, 8, 2, 1, 18, TimeSpan.Zero), date);
    }

    [Theory]
    [InlineData("Thu, 18 Aug 2050 02:01:18 UTC")]
    [InlineData("Thu, 18 Aug 2050 02:01:18 AEST")]
    [InlineData("Thu, 18 Aug 50 02:01:18 GMT")]
    [InlineData("Thu 18 Aug 2050 02:01:18 GMT")]
    [InlineData("Thu, 18  Aug  2050 02:01:18 GMT")]
    [InlineData("Thu, 18-Aug-2050 02:01:18 GMT")]
    [InlineData("Thu, 18 Aug 2050 02.01.18 GMT")]
    [InlineData("Thu, 18 Aug 2050 2:01:18 GMT")]
    [InlineData("0")]
    [InlineData("")]
    public void Anything_else_is_invalid(string value) => Assert.False(HttpDate.TryParse(value, out _));
}
