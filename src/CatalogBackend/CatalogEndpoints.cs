using System.Diagnostics;
using EdgeGuard.Filter;

namespace CatalogBackend;

/// <summary>
/// The catalog HTTP surface (see the contract, "Catalog HTTP surface"). Every id is checked against
/// <see cref="ProductIdRule.Default"/> before the database is touched; errors are problem details.
/// </summary>
public static class CatalogEndpoints
{
    public static IEndpointRouteBuilder MapCatalogEndpoints(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var products = app.MapGroup("/products");
        // Until seeding is done the database does not yet hold every product: wait rather than answer 404.
        products.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            await http.RequestServices.GetRequiredService<SeedingState>().WaitAsync(http.RequestAborted);
            return await next(context);
        });

        // A literal segment outranks the {id} parameter, so "ids" is this listing, never a product.
        products.MapGet("/ids", StreamIdsAsync);
        products.MapMethods("/{id}", [HttpMethods.Get, HttpMethods.Head], GetAsync);
        products.MapPost("", CreateAsync);
        products.MapPut("/{id}", PutAsync);
        products.MapDelete("/{id}", DeleteAsync);
        return app;
    }

    private static async Task<IResult> GetAsync(string id, CatalogStore store, CancellationToken cancellationToken)
    {
        if (!ProductIdRule.Default.IsValid(id))
        {
            return InvalidId();
        }

        var product = await store.FindAsync(id, cancellationToken);
        return product is null ? NotFound(id) : TypedResults.Ok(product);
    }

    private static async Task<IResult> CreateAsync(HttpRequest request, CatalogStore store, CancellationToken cancellationToken)
    {
        var body = await ProductRequest.ReadAsync(request, pathId: null, cancellationToken);
        if (body.Errors is not null)
        {
            return TypedResults.ValidationProblem(body.Errors, title: "The product is invalid.");
        }

        var product = body.Product!;
        if (!await store.TryInsertAsync(product, cancellationToken))
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "The product already exists.",
                detail: $"A product with id '{product.Id}' already exists; use PUT /products/{product.Id} to replace it.");
        }

        return TypedResults.Created(Location(product.Id), product);
    }

    private static async Task<IResult> PutAsync(string id, HttpRequest request, CatalogStore store, CancellationToken cancellationToken)
    {
        if (!ProductIdRule.Default.IsValid(id))
        {
            return InvalidId();
        }

        var body = await ProductRequest.ReadAsync(request, pathId: id, cancellationToken);
        if (body.Errors is not null)
        {
            return TypedResults.ValidationProblem(body.Errors, title: "The product is invalid.");
        }

        var product = body.Product!;
        return await store.UpsertAsync(product, cancellationToken)
            ? TypedResults.Created(Location(product.Id), product)
            : TypedResults.Ok(product);
    }

    private static async Task<IResult> DeleteAsync(string id, CatalogStore store, CancellationToken cancellationToken)
    {
        if (!ProductIdRule.Default.IsValid(id))
        {
            return InvalidId();
        }

        return await store.DeleteAsync(id, cancellationToken) ? TypedResults.NoContent() : NotFound(id);
    }

    private static async Task StreamIdsAsync(HttpContext context, CatalogStore store, ILoggerFactory loggers)
    {
        var stopwatch = Stopwatch.StartNew();
        context.Response.ContentType = "text/plain; charset=utf-8";
        var count = await store.WriteIdsAsync(context.Response.BodyWriter, context.RequestAborted);
        loggers.CreateLogger(typeof(CatalogEndpoints).FullName!)
            .LogInformation("Streamed {Count} product ids in {ElapsedMs} ms", count, stopwatch.ElapsedMilliseconds);
    }

    private static string Location(string id) => $"/products/{Uri.EscapeDataString(id)}";

    private static IResult InvalidId() => TypedResults.ValidationProblem(
        new Dictionary<string, string[]> { ["id"] = [ProductRequest.InvalidIdMessage] },
        title: "The product id is invalid.");

    private static IResult NotFound(string id) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "The product does not exist.",
        detail: $"There is no product with id '{id}'.");
}
