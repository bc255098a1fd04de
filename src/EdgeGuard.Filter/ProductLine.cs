namespace EdgeGuard.Filter;

/// <summary>One product read from a products file: an id, and a name and price when the line had them.</summary>
public readonly record struct ProductLine(string Id, string? Name, decimal? Price, int LineNumber);
