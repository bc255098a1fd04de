namespace CatalogBackend;

/// <summary>A catalog product; serialized as camelCase <c>{"id","name","price"}</c>.</summary>
public sealed record Product(string Id, string Name, decimal Price);
