using System.Text.Json;
using EdgeGuard.Proxy.Configuration;
using Microsoft.Net.Http.Headers;

namespace EdgeGuard.Proxy.Writes;

/// <summary>
/// Finds the product id in a write's JSON body without consuming it: the body is buffered (bounded) and
/// rewound, so it reaches the catalog byte for byte. The id must be there exactly once, as a JSON string
/// (the catalog reads the property case-insensitively, so two spellings of it would be ambiguous).
/// </summary>
public sealed class WriteBodyReader(IOptions<EdgeGuardOptions> options)
{
    private readonly int _maxBodyBytes = options.Value.Cache.MaxBodyBytes;

    public readonly record struct Refusal(int Status, string Title, string Detail);

    public readonly record struct IdRead(string? Id, Refusal? Refusal);

    /// <summary>True for <c>application/json</c> and <c>application/*+json</c> (any charset parameter).</summary>
    public static bool IsJson(HttpRequest request) =>
        MediaTypeHeaderValue.TryParse(request.ContentType, out var type) &&
        (type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) ||
         type.MediaType.StartsWith("application/", StringComparison.OrdinalIgnoreCase) &&
         type.MediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase));

    public async Task<IdRead> ReadIdAsync(HttpContext context, string property)
    {
        var request = context.Request;
        if (!IsJson(request))
        {
            return Refused(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "A product body is application/json.");
        }

        if (request.ContentLength > _maxBodyBytes)
        {
            return TooLarge();
        }

        request.EnableBuffering(bufferThreshold: _maxBodyBytes, bufferLimit: _maxBodyBytes + 1);
        var body = new MemoryStream();
        try
        {
            await request.Body.CopyToAsync(body, context.RequestAborted).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e)
        {
            // Kestrel's own verdict on the body: shorter than its Content-Length when the connection ended, or
            // the rest never came (its minimum data rate). Either way the body is incomplete: a client error.
            return Refused(StatusCodes.Status400BadRequest, "Incomplete request body",
                $"The request body ended before its Content-Length ({request.ContentLength} bytes) was reached: {e.Message}");
        }
        catch (IOException)
        {
            // The buffering stream's limit: the body outgrew the bound without a Content-Length saying so.
            return TooLarge();
        }

        if (body.Length > _maxBodyBytes)
        {
            return TooLarge();
        }

        request.Body.Position = 0;
        try
        {
            return FindId(body.GetBuffer().AsSpan(0, (int)body.Length), property);
        }
        catch (JsonException e)
        {
            return Refused(StatusCodes.Status400BadRequest, "Request body is not JSON", e.Message);
        }
    }

    private static IdRead FindId(ReadOnlySpan<byte> json, string property)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("The body is not a JSON object.");
        }

        string? id = null;
        var found = 0;
        var notString = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var matches = string.Equals(reader.GetString(), property, StringComparison.OrdinalIgnoreCase);
            reader.Read();
            if (matches)
            {
                found++;
                notString |= reader.TokenType != JsonTokenType.String;
                id = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }

            reader.Skip();
        }

        // Reading to the end also rejects trailing garbage.
        while (reader.Read())
        {
        }

        return found switch
        {
            0 => Refused(StatusCodes.Status400BadRequest, "Invalid product id", $"The body has no \"{property}\" property."),
            > 1 => Refused(StatusCodes.Status400BadRequest, "Invalid product id", $"The body names \"{property}\" more than once."),
            _ when notString => Refused(StatusCodes.Status400BadRequest, "Invalid product id", $"\"{property}\" must be a JSON string."),
            _ => new IdRead(id, null),
        };
    }

    private IdRead TooLarge() =>
        Refused(StatusCodes.Status413PayloadTooLarge, "Request body too large", $"A product body is at most {_maxBodyBytes} bytes.");

    private static IdRead Refused(int status, string title, string detail) => new(null, new Refusal(status, title, detail));
}
