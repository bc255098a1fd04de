namespace Placeholder; public class PlaceholderTests { }
