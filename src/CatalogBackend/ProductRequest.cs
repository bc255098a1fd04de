using System.Buffers;
using System.Text.Json;
using EdgeGuard.Filter;

namespace CatalogBackend;

/// <summary>
/// Reads and validates the JSON body of <c>POST /products</c> and <c>PUT /products/{id}</c>:
/// <c>{"id","name","price"}</c>, at most <see cref="MaxBodyBytes"/>. Errors come back per field
/// (<c>id</c>, <c>name</c>, <c>price</c>, or <c>body</c> for the body as a whole), ready for a
/// validation problem.
/// </summary>
public static class ProductRequest
{
    public const int MaxBodyBytes = 64 * 1024;
    public const int MaxNameLength = 200;

    public sealed record Outcome(Product? Product, Dictionary<string, string[]>? Errors);

    /// <param name="pathId">The id in the URL for PUT (already validated); null for POST, where the body must name the id.</param>
    public static async Task<Outcome> ReadAsync(HttpRequest request, string? pathId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength > MaxBodyBytes)
        {
            return BodyError($"The body is larger than 64 KiB ({MaxBodyBytes} bytes).");
        }

        var reader = request.BodyReader;
        while (true)
        {
            var read = await reader.ReadAsync(cancellationToken);
            var buffer = read.Buffer;
            if (buffer.Length > MaxBodyBytes)
            {
                reader.AdvanceTo(buffer.End);
                return BodyError($"The body is larger than 64 KiB ({MaxBodyBytes} bytes).");
            }

            if (read.IsCompleted || read.IsCanceled)
            {
                try
                {
                    return Parse(buffer, pathId);
                }
                finally
                {
                    reader.AdvanceTo(buffer.End);
                }
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Validates a whole body.</summary>
    public static Outcome Parse(ReadOnlySequence<byte> body, string? pathId)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return BodyError("The body is not valid JSON.");
        }

        using (document)
        {
            return Validate(document.RootElement, pathId);
        }
    }

    public static Outcome Validate(JsonElement root, string? pathId)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return BodyError("The body must be a JSON object with id, name and price.");
        }

        JsonElement? idElement = null, nameElement = null, priceElement = null;
        foreach (var property in root.EnumerateObject())
        {
            if (string.Equals(property.Name, "id", StringComparison.OrdinalIgnoreCase))
            {
                idElement = property.Value;
            }
            else if (string.Equals(property.Name, "name", StringComparison.OrdinalIgnoreCase))
            {
                nameElement = property.Value;
            }
            else if (string.Equals(property.Name, "price", StringComparison.OrdinalIgnoreCase))
            {
                priceElement = property.Value;
            }
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var id = ValidateId(idElement, pathId, errors);
        var name = ValidateName(nameElement, errors);
        var price = ValidatePrice(priceElement, errors);
        return errors.Count > 0
            ? new Outcome(null, errors)
            : new Outcome(new Product(id!, name!, price!.Value), null);
    }

    private static string? ValidateId(JsonElement? element, string? pathId, Dictionary<string, string[]> errors)
    {
        if (element is not { } value || value.ValueKind == JsonValueKind.Null)
        {
            if (pathId is null)
            {
                errors["id"] = ["The id is required."];
            }

            return pathId;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            errors["id"] = ["The id must be a string."];
            return null;
        }

        var id = value.GetString()!;
        if (!ProductIdRule.Default.IsValid(id))
        {
            errors["id"] = [InvalidIdMessage];
            return null;
        }

        if (pathId is not null && !string.Equals(id, pathId, StringComparison.Ordinal))
        {
            errors["id"] = ["The id in the body must match the id in the URL."];
            return null;
        }

        return id;
    }

    /// <summary>
    /// The field's value when it is of <paramref name="kind"/>; otherwise null, with the field's error: required when
    /// absent or null, else that it must be <paramref name="kindName"/>.
    /// </summary>
    private static JsonElement? OfKind(JsonElement? element, JsonValueKind kind, string field, string kindName, Dictionary<string, string[]> errors)
    {
        if (element is { } value && value.ValueKind == kind)
        {
            return value;
        }

        errors[field] = [element is null or { ValueKind: JsonValueKind.Null } ? $"The {field} is required." : $"The {field} must be {kindName}."];
        return null;
    }

    private static string? ValidateName(JsonElement? element, Dictionary<string, string[]> errors)
    {
        if (OfKind(element, JsonValueKind.String, "name", "a string", errors) is not { } value)
        {
            return null;
        }

        var name = value.GetString()!;
        if (string.IsNullOrWhiteSpace(name))
        {
            errors["name"] = ["The name must not be empty."];
            return null;
        }

        if (name.Length > MaxNameLength)
        {
            errors["name"] = [$"The name must be at most {MaxNameLength} characters."];
            return null;
        }

        return name;
    }

    private static decimal? ValidatePrice(JsonElement? element, Dictionary<string, string[]> errors)
    {
        if (OfKind(element, JsonValueKind.Number, "price", "a number", errors) is not { } value)
        {
            return null;
        }

        if (!value.TryGetDecimal(out var price))
        {
            errors["price"] = ["The price is out of range."];
            return null;
        }

        if (price < 0)
        {
            errors["price"] = ["The price must not be negative."];
            return null;
        }

        return price;
    }

    internal const string InvalidIdMessage =
        "A product id is 1 to 64 characters: a letter or digit, then letters, digits, '.', '_' or '-'.";

    private static Outcome BodyError(string message) =>
        new(null, new Dictionary<string, string[]>(StringComparer.Ordinal) { ["body"] = [message] });
}
